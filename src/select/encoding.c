/* encoding.c - response bodies to UTF-8 as Scrapy/w3lib decode them: BOM, Content-Type
 * charset, <meta> declaration, then ascii / UTF-8 / cp1252; invalid bytes become U+FFFD. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "select/encoding.h"
#include "select/enctab.h"
#include "select/regex.h"
#include "util/buf.h"
#include <ctype.h>
#include <iconv.h>
#include <pthread.h>
#include <stdatomic.h>
#include <pcre2.h>
#include "util/utf8.h"

/* ---------------------------------------------------------------- UTF-8 */

void kumo__utf8_put(kumo_buf *b, unsigned long cp)
{
    kumo__buf_add_cp(b, cp > 0x10FFFF ? 0xFFFD : (uint32_t)cp);
}

/*
 * The bytes of the longest valid UTF-8 prefix of s[0..n) that ends on a character and holds
 * at most max characters; *chars (may be NULL) gets its characters.
 */
static size_t utf8_valid_chars(const char *str, size_t n, size_t max, size_t *chars)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, k = 0;
    while (i < n && k < max) {
        /* ASCII runs, eight bytes at a time. */
        while (i + 8 <= n && k + 8 <= max) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ull)
                break;
            i += 8;
            k += 8;
        }
        if (i >= n || k >= max)
            break;
        if (s[i] < 0x80) {
            i++;
            k++;
            continue;
        }
        bool ok;
        uint32_t cp;
        size_t len = kumo__utf8_decode(s + i, n - i, &ok, &cp);
        if (!ok)
            break;
        i += len;
        k++;
    }
    if (chars)
        *chars = k;
    return i;
}

bool kumo__utf8_valid(const char *str, size_t n)
{
    return utf8_valid_chars(str, n, SIZE_MAX, NULL) == n;
}

/* ---------------------------------------------------------------- single-byte tables */

static const unsigned short cp1252_hi[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
    0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

unsigned long kumo__cp1252_char(unsigned char c)
{
    if (c >= 0x80 && c < 0xA0)
        return cp1252_hi[c - 0x80];
    return c;
}

static void cp1252_decode(const char *s, size_t n, kumo_buf *b)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80)
            continue;
        kumo__buf_add(b, s + run, i - run);
        kumo__utf8_put(b, kumo__cp1252_char(c));
        run = i + 1;
    }
    kumo__buf_add(b, s + run, n - run);
}

/* ascii with "replace": every byte above 0x7F is U+FFFD. */
static void ascii_decode(const char *s, size_t n, kumo_buf *b)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] < 0x80)
            continue;
        kumo__buf_add(b, s + run, i - run);
        kumo__utf8_put(b, 0xFFFD);
        run = i + 1;
    }
    kumo__buf_add(b, s + run, n - run);
}

/* Anything else through iconv; false when iconv does not know the encoding. */
static bool iconv_decode(const char *name, const char *s, size_t n, kumo_buf *b)
{
    iconv_t cd = iconv_open("UTF-8", name);
    if (cd == (iconv_t)-1)
        return false;
    char out[4096];
    char *in = (char *)s;
    size_t left = n;
    while (left > 0) {
        char *o = out;
        size_t room = sizeof(out);
        size_t r = iconv(cd, &in, &left, &o, &room);
        kumo__buf_add(b, out, (size_t)(o - out));
        if (r != (size_t)-1)
            break;
        if (errno == E2BIG)
            continue;
        /* EILSEQ: one bad byte; EINVAL: a sequence cut at the end.  Both are U+FFFD. */
        kumo__utf8_put(b, 0xFFFD);
        if (errno == EINVAL)
            break;
        in++;
        left--;
    }
    char *o = out;
    size_t room = sizeof(out);
    iconv(cd, NULL, NULL, &o, &room);
    kumo__buf_add(b, out, (size_t)(o - out));
    iconv_close(cd);
    return true;
}

/* ---------------------------------------------------------------- labels */

/* Python's encodings.normalize_encoding(label).lower(). */
static void normalise(const char *label, char *buf, size_t n)
{
    size_t o = 0;
    bool punct = false;
    for (const char *p = label; *p && o + 2 < n; p++) {
        unsigned char c = (unsigned char)*p;
        if (isalnum(c) || c == '.') {
            if (punct && o)
                buf[o++] = '_';
            buf[o++] = (char)tolower(c);
            punct = false;
        } else if (c < 0x80) {
            punct = true;
        }
    }
    buf[o] = '\0';
}

static int alias_cmp(const void *key, const void *e)
{
    return strcmp(key, ((const struct enc_alias *)e)->label);
}

const char *kumo__encoding_resolve(const char *label)
{
    if (!label)
        return NULL;
    char key[64];
    normalise(label, key, sizeof(key));
    const struct enc_alias *a = bsearch(key, enc_aliases, KUMO_ARRAY_LEN(enc_aliases),
                                        sizeof(enc_aliases[0]), alias_cmp);
    if (!a) {
        /* Python also finds a codec by its module name with '.' read as '_'. */
        for (char *p = key; *p; p++)
            if (*p == '.')
                *p = '_';
        a = bsearch(key, enc_aliases, KUMO_ARRAY_LEN(enc_aliases), sizeof(enc_aliases[0]),
                    alias_cmp);
    }
    return a ? a->codec : NULL;
}

static const char *iconv_name(const char *codec)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(enc_iconv); i++)
        if (strcmp(enc_iconv[i].codec, codec) == 0)
            return enc_iconv[i].iconv;
    return NULL;
}

/* Python's \w for str patterns on ASCII, plus '-': w3lib's charset=([\w-]+). */
static bool label_char(unsigned char c)
{
    return isalnum(c) || c == '_' || c == '-' || c >= 0x80;
}

const char *kumo__content_type_charset(const char *ct, char *buf, size_t n)
{
    if (!ct)
        return NULL;
    for (const char *p = ct; (p = strcasestr(p, "charset=")); p++) {
        const char *v = p + 8;
        size_t len = 0;
        while (label_char((unsigned char)v[len]))
            len++;
        if (len == 0)
            continue;
        if (len >= n)
            return NULL;
        memcpy(buf, v, len);
        buf[len] = '\0';
        return buf;
    }
    return NULL;
}

/* ---------------------------------------------------------------- <meta> declarations */

/* w3lib's _BODY_ENCODING_PATTERN (verbose whitespace and comments taken out). */
static const char body_pattern[] =
    "<\\s*(?:meta(?:\\s+[^=<>/\\s\"'\\x00-\\x1f\\x7f]+(?:\\s*=\\s*(?:'[^']*'|\"[^\"]*\"|"
    "[^'\"\\s]+))?)*?(?:(?:\\s+http-equiv\\s*=\\s*[\"']?\\s*Content-Type\\s*[\"']?|\\s+"
    "content\\s*=\\s*[\"']?\\s*(?P<mime>[^;]+);\\s*charset=(?P<charset>[\\w-]+)\\s*[\"']?)"
    "{2}|\\s+charset\\s*=\\s*[\"']?\\s*(?P<charset2>[\\w-]+)\\s*[\"']?)|\\?xml\\s[^>]+"
    "encoding\\s*=\\s*[\"']?\\s*(?P<xmlcharset>[\\w-]+)\\s*[\"']?|body)";

/* Compiled on first use by whichever thread (parse workers too) needs it first; freed by
 * kumo__encoding_cleanup() when no thread uses it any more. */
static pthread_mutex_t body_lock = PTHREAD_MUTEX_INITIALIZER;
static pcre2_code *_Atomic body_re;
static pcre2_general_context *body_gctx;

static void *enc_alloc(size_t n, void *data)
{
    (void)data;
    return kumo_alloc(n, KUMO_T_XPATH, KUMO_V_CACHE);
}

static void enc_free(void *p, void *data)
{
    (void)data;
    kumo_free(p);
}

static pcre2_code *body_compiled(void)
{
    pcre2_code *re = atomic_load_explicit(&body_re, memory_order_acquire);
    if (re)
        return re;
    pthread_mutex_lock(&body_lock);
    re = atomic_load_explicit(&body_re, memory_order_relaxed);
    if (!re) {
        int code;
        PCRE2_SIZE off;
        body_gctx = pcre2_general_context_create(enc_alloc, enc_free, NULL);
        pcre2_compile_context *cc = pcre2_compile_context_create(body_gctx);
        pcre2_set_newline(cc, PCRE2_NEWLINE_LF);
        re = pcre2_compile((PCRE2_SPTR)body_pattern, PCRE2_ZERO_TERMINATED, PCRE2_CASELESS,
                           &code, &off, cc);
        pcre2_compile_context_free(cc);
        kumo_assert(re);
        if (kumo__regex_jit_ok())
            pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
        atomic_store_explicit(&body_re, re, memory_order_release);
    }
    pthread_mutex_unlock(&body_lock);
    return re;
}

void kumo__encoding_cleanup(void)
{
    pthread_mutex_lock(&body_lock);
    pcre2_code_free(atomic_load_explicit(&body_re, memory_order_relaxed));
    atomic_store_explicit(&body_re, NULL, memory_order_relaxed);
    pcre2_general_context_free(body_gctx);
    body_gctx = NULL;
    pthread_mutex_unlock(&body_lock);
}

/* w3lib's html_body_declared_encoding(): the declared label copied into buf, or NULL. */
static const char *body_declared(const char *body, size_t len, char *buf, size_t n)
{
    if (!memchr(body, '<', KUMO_MIN(len, 4096)))
        return NULL;
    pcre2_code *re = body_compiled();
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, body_gctx);
    if (!md)
        kumo_oom(64);
    const char *found = NULL;
    if (pcre2_match(re, (PCRE2_SPTR)body, KUMO_MIN(len, 4096), 0, 0, md, NULL) >= 0) {
        static const char *const groups[] = {"charset", "charset2", "xmlcharset"};
        for (size_t i = 0; i < KUMO_ARRAY_LEN(groups) && !found; i++) {
            PCRE2_SIZE l = n;
            if (pcre2_substring_copy_byname(md, (PCRE2_SPTR)groups[i], (PCRE2_UCHAR *)buf,
                                            &l) == 0 && l > 0)
                found = buf;
        }
    }
    pcre2_match_data_free(md);
    return found;
}

/* ---------------------------------------------------------------- decode */

static const struct {
    const char *bom;
    size_t len;
    const char *codec;
} boms[] = {
    {"\x00\x00\xfe\xff", 4, "utf-32-be"},
    {"\xff\xfe\x00\x00", 4, "utf-32-le"},
    {"\xfe\xff", 2, "utf-16-be"},
    {"\xff\xfe", 2, "utf-16-le"},
    {"\xef\xbb\xbf", 3, "utf-8"},
};

static bool ascii_only(const char *s, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ull)
            return false;
    }
    for (; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return false;
    return true;
}

/*
 * Scrapy's encoding choice; *skip is the BOM length to strip.  *plain is set when the
 * automatic detection found the bytes ASCII (read as cp1252) or valid UTF-8: the text is
 * then the bytes themselves, and nothing needs to check them again.
 */
static const char *choose(const char *body, size_t len, const char *charset, size_t *skip,
                          bool *plain)
{
    *skip = 0;
    *plain = false;
    for (size_t i = 0; i < KUMO_ARRAY_LEN(boms); i++) {
        if (len >= boms[i].len && memcmp(body, boms[i].bom, boms[i].len) == 0) {
            *skip = boms[i].len;
            return boms[i].codec;
        }
    }
    /* A utf-16 / utf-32 label without BOM reads big-endian (w3lib's html_to_unicode). */
    const char *codec = kumo__encoding_resolve(charset);
    if (codec)
        return codec;
    char buf[64];
    codec = kumo__encoding_resolve(body_declared(body, len, buf, sizeof(buf)));
    if (codec)
        return codec;
    /* TextResponse._auto_detect_fun: ascii (read as cp1252), utf-8, cp1252, else ascii. */
    *plain = true;
    if (ascii_only(body, len))
        return "cp1252";
    if (kumo__utf8_valid(body, len))
        return "utf-8";
    *plain = false;
    for (size_t i = 0; i < len; i++)
        if (kumo__cp1252_char((unsigned char)body[i]) == 0xFFFD)
            return "ascii";
    return "cp1252";
}

/* Decode len bytes of body as codec into t, a new string (an undecodable byte: U+FFFD). */
static void decode_as(kumo_text *t, const char *codec, const char *body, size_t len)
{
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_TEXT);
    kumo__buf_adds(&b, "");
    if (strcmp(codec, "utf-8") == 0)
        kumo__buf_add_utf8(&b, body, len);     /* errors="replace" */
    else if (strcmp(codec, "cp1252") == 0)
        cp1252_decode(body, len, &b);
    else if (strcmp(codec, "ascii") == 0)
        ascii_decode(body, len, &b);
    else {
        const char *ic = iconv_name(codec);
        if (!ic || !iconv_decode(ic, body, len, &b)) {
            kumo__buf_reset(&b);
            kumo__buf_adds(&b, "");
            kumo__buf_add_utf8(&b, body, len);     /* errors="replace" */
        }
    }
    t->owned = kumo__buf_detach(&b, &t->len);
    t->s = t->owned;
}

void kumo__text_decode(kumo_text *t, const char *body, size_t len, const char *charset)
{
    memset(t, 0, sizeof(*t));
    size_t skip;
    bool plain;
    const char *codec = choose(body, len, charset, &skip, &plain);
    snprintf(t->encoding, sizeof(t->encoding), "%s", codec);
    body += skip;
    len -= skip;
    /* The common cases borrow the body: valid UTF-8, or ASCII read as cp1252 / ascii. */
    bool utf8 = strcmp(codec, "utf-8") == 0;
    if (plain || (utf8 && kumo__utf8_valid(body, len)) ||
        (!utf8 && (strcmp(codec, "cp1252") == 0 || strcmp(codec, "ascii") == 0) &&
         ascii_only(body, len))) {
        t->s = body;
        t->len = len;
        return;
    }
    decode_as(t, codec, body, len);
}

void kumo__text_decode_head(kumo_text *t, const char *body, size_t len, const char *charset,
                            size_t chars)
{
    memset(t, 0, sizeof(*t));
    size_t skip;
    bool plain;
    size_t head = KUMO_MIN(len, KUMO_MAX(chars * 4 + 4, (size_t)4096));
    const char *codec = choose(body, head, charset, &skip, &plain);
    snprintf(t->encoding, sizeof(t->encoding), "%s", codec);
    body += skip;
    size_t n = KUMO_MIN(len - skip, chars * 4 + 4);
    /*
     * The common cases copy the first chars characters, not decode them: ASCII read as
     * cp1252 or ascii, and UTF-8 valid that far (or to its end).
     */
    size_t keep = 0, got = 0;
    if (strcmp(codec, "utf-8") == 0)
        keep = utf8_valid_chars(body, n, chars, &got);
    else if ((strcmp(codec, "cp1252") == 0 || strcmp(codec, "ascii") == 0) &&
             ascii_only(body, KUMO_MIN(n, chars)))
        keep = got = KUMO_MIN(n, chars);
    if (got == chars || keep == n) {
        t->owned = kumo_strndup(body, keep, KUMO_T_STR, KUMO_V_TEXT);
        t->s = t->owned;
        t->len = keep;
        return;
    }
    decode_as(t, codec, body, n);
}

void kumo__text_release(kumo_text *t)
{
    kumo_free(t->owned);
    memset(t, 0, sizeof(*t));
}
