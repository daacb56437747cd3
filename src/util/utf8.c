/* utf8.c - decoding and encoding UTF-8, with Python's U+FFFD replacement. */
#include "util/utf8.h"

size_t kumo__utf8_decode(const unsigned char *p, size_t n, bool *ok, uint32_t *cp)
{
    unsigned char c = p[0], lo = 0x80, hi = 0xbf;
    size_t need;
    *ok = false;
    *cp = 0xfffd;
    if (c < 0x80) {
        *ok = true;
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        need = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 3;
        lo = c == 0xe0 ? 0xa0 : 0x80;
        hi = c == 0xed ? 0x9f : 0xbf;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 4;
        lo = c == 0xf0 ? 0x90 : 0x80;
        hi = c == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 1;
    }
    if (n < 2 || p[1] < lo || p[1] > hi)
        return 1;
    size_t i = 2;
    while (i < need && i < n && p[i] >= 0x80 && p[i] <= 0xbf)
        i++;
    if (i < need)
        return i;
    uint32_t v = c & (0x7f >> need);
    for (size_t k = 1; k < need; k++)
        v = v << 6 | (p[k] & 0x3f);
    *ok = true;
    *cp = v;
    return need;
}

size_t kumo__utf8_encode(uint32_t cp, char out[4])
{
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

int kumo__buf_add_cp(kumo_buf *b, uint32_t cp)
{
    char u[4];
    return kumo__buf_add(b, u, kumo__utf8_encode(cp, u));
}

int kumo__buf_add_utf8(kumo_buf *b, const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t run = 0;     /* start of the bytes not yet added */
    for (size_t i = 0; i < len;) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        bool ok;
        uint32_t cp;
        size_t n = kumo__utf8_decode(s + i, len - i, &ok, &cp);
        if (!ok) {
            int rc = kumo__buf_add(b, s + run, i - run);
            if (rc == KUMO_OK)
                rc = kumo__buf_adds(b, "\xef\xbf\xbd");
            if (rc != KUMO_OK)
                return rc;
            run = i + n;
        }
        i += n;
    }
    return kumo__buf_add(b, s + run, len - run);
}

size_t kumo__utf8_prefix(const char *s, size_t len, size_t chars)
{
    size_t n = 0, cut = 0;
    /* eight bytes at a time while a whole word fits */
    while (cut + 8 <= len && n + 8 <= chars) {
        uint64_t w;
        memcpy(&w, s + cut, 8);
        uint64_t cont = (w & ~(w << 1) & 0x8080808080808080ull) >> 7;  /* 1 a byte */
        n += 8 - (size_t)((cont * 0x0101010101010101ull) >> 56);
        cut += 8;
    }
    while (cut < len && (n < chars || ((unsigned char)s[cut] & 0xC0) == 0x80)) {
        if (((unsigned char)s[cut] & 0xC0) != 0x80)
            n++;
        cut++;
    }
    return cut;
}
