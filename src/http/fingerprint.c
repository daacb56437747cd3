/* fingerprint.c - Scrapy 2.7+ request fingerprints: SHA-1 of a small canonical JSON. */
#include "http/fingerprint.h"

#include "http/url.h"
#include "util/sha1.h"

/*
 * The canonical url is collected here before it is escaped into the hash: on the stack
 * for any ordinary url, on the heap past that.
 */
typedef struct stackbuf {
    char *s;
    size_t len, cap;
    char small[1024];
} stackbuf;

static void stackbuf_add(void *ctx, const char *p, size_t n)
{
    stackbuf *b = ctx;
    if (n > b->cap - b->len) {
        size_t cap = b->cap * 2 > b->len + n ? b->cap * 2 : b->len + n;
        if (b->s == b->small) {
            b->s = kumo_alloc(cap, KUMO_T_STR, KUMO_V_URL);
            memcpy(b->s, b->small, b->len);
        } else {
            b->s = kumo_realloc(b->s, cap, KUMO_T_STR, KUMO_V_URL);
        }
        b->cap = cap;
    }
    memcpy(b->s + b->len, p, n);
    b->len += n;
}

/* Decode one UTF-8 code point at p[0..n); returns its length, *cp = U+FFFD when invalid. */
static size_t utf8_next(const unsigned char *p, size_t n, uint32_t *cp)
{
    unsigned char c = p[0];
    size_t need;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        need = 2, v = c & 0x1f, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 3, v = c & 0x0f, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 4, v = c & 0x07, min = 0x10000;
    } else {
        *cp = 0xfffd;
        return 1;
    }
    size_t i = 1;
    for (; i < need && i < n && (p[i] & 0xc0) == 0x80; i++)
        v = v << 6 | (p[i] & 0x3f);
    if (i < need || v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
        *cp = 0xfffd;
        return i;
    }
    *cp = v;
    return i;
}

/* Feed s as a JSON string the way json.dumps(ensure_ascii=True) writes it. */
static void sha1_json_str(kumo_sha1 *h, const char *s, size_t n)
{
    static const char hexd[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t run = 0;
    kumo__sha1_update(h, "\"", 1);
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            i++;
            continue;
        }
        kumo__sha1_update(h, p + run, i - run);
        char esc[12];
        size_t elen = 2;
        uint32_t cp = c;
        size_t adv = c >= 0x80 ? utf8_next(p + i, n - i, &cp) : 1;
        esc[0] = '\\';
        if (c == '"' || c == '\\') {
            esc[1] = (char)c;
        } else if (c == '\n') {
            esc[1] = 'n';
        } else if (c == '\r') {
            esc[1] = 'r';
        } else if (c == '\t') {
            esc[1] = 't';
        } else if (c == '\b') {
            esc[1] = 'b';
        } else if (c == '\f') {
            esc[1] = 'f';
        } else {
            uint32_t units[2] = {cp, 0};
            size_t nu = 1;
            if (cp >= 0x10000) {
                units[0] = 0xd800 + ((cp - 0x10000) >> 10);
                units[1] = 0xdc00 + ((cp - 0x10000) & 0x3ff);
                nu = 2;
            }
            elen = 0;
            for (size_t u = 0; u < nu; u++) {
                esc[elen++] = '\\';
                esc[elen++] = 'u';
                for (int sh = 12; sh >= 0; sh -= 4)
                    esc[elen++] = hexd[units[u] >> sh & 15];
            }
        }
        kumo__sha1_update(h, esc, elen);
        i += adv;
        run = i;
    }
    kumo__sha1_update(h, p + run, n - run);
    kumo__sha1_update(h, "\"", 1);
}

int kumo__fingerprint(const char *method, const char *url, const void *body, size_t body_len,
                     unsigned char out[20])
{
    static const char hexd[] = "0123456789abcdef";
    stackbuf cu;
    cu.s = cu.small;
    cu.len = 0;
    cu.cap = sizeof(cu.small);
    if (!url || kumo__url_canonicalize_sink(url, stackbuf_add, &cu)) {
        if (cu.s != cu.small)
            kumo_free(cu.s);
        return KUMO_EURL;
    }

    kumo_sha1 h;
    kumo__sha1_init(&h);
    kumo__sha1_update(&h, "{\"body\": \"", 10);
    const unsigned char *bp = body;
    char hex[128];
    for (size_t i = 0; i < body_len;) {
        size_t k = 0;
        for (; k < sizeof(hex) && i < body_len; i++) {
            hex[k++] = hexd[bp[i] >> 4];
            hex[k++] = hexd[bp[i] & 15];
        }
        kumo__sha1_update(&h, hex, k);
    }
    kumo__sha1_update(&h, "\", \"headers\": {}, \"method\": ", 28);
    method = method ? method : "GET";
    sha1_json_str(&h, method, strlen(method));
    kumo__sha1_update(&h, ", \"url\": ", 9);
    sha1_json_str(&h, cu.s, cu.len);
    kumo__sha1_update(&h, "}", 1);
    kumo__sha1_final(&h, out);

    if (cu.s != cu.small)
        kumo_free(cu.s);
    return KUMO_OK;
}

void kumo__fingerprint_hex(const unsigned char fp[20], char hex[41])
{
    static const char hexd[] = "0123456789abcdef";
    for (int i = 0; i < 20; i++) {
        hex[2 * i] = hexd[fp[i] >> 4];
        hex[2 * i + 1] = hexd[fp[i] & 15];
    }
    hex[40] = '\0';
}
