/* decode.c - gzip, deflate and br bodies decoded by bounded steps (zlib, libbrotlidec). */
#include "http/decode.h"

#include <ctype.h>
#include <brotli/decode.h>
#include <zlib.h>

#define STEP (64 * 1024)        /* decoded bytes per inner step */

typedef enum kind { C_GZIP, C_DEFLATE, C_BR } kind;

struct kumo_decoder {
    kind c;
    kumo_buf in;                /* queued encoded bytes; in.s[off..len) not decoded yet */
    size_t off;
    z_stream z;
    BrotliDecoderState *br;
    bool raw_tried;             /* deflate: the zlib header failed, now raw deflate */
    bool zinit;
    bool ended;                 /* the encoded stream ended: what follows is ignored */
    bool more;                  /* the last step filled its output: more may be held */
};

/* coding without blanks, lower case, into out; false when it does not fit. */
static bool norm(const char *coding, char *out, size_t n)
{
    size_t o = 0;
    for (const char *p = coding; *p; p++) {
        if (isspace((unsigned char)*p))
            continue;
        if (o + 1 >= n)
            return false;
        out[o++] = (char)tolower((unsigned char)*p);
    }
    out[o] = '\0';
    return true;
}

static int coding_of(const char *s, kind *c)
{
    char n[16];
    if (!s || !norm(s, n, sizeof(n)))
        return KUMO_EINVAL;
    if (strcmp(n, "gzip") == 0 || strcmp(n, "x-gzip") == 0)
        *c = C_GZIP;
    else if (strcmp(n, "deflate") == 0)
        *c = C_DEFLATE;
    else if (strcmp(n, "br") == 0)
        *c = C_BR;
    else
        return KUMO_EINVAL;
    return KUMO_OK;
}

bool kumo__decoder_knows(const char *coding)
{
    kind c;
    return coding_of(coding, &c) == KUMO_OK;
}

/* zlib's and brotli's state go through the tagged heap, counted with the body. */
static void *z_alloc(void *opaque, unsigned items, unsigned size)
{
    (void)opaque;
    return kumo_alloc((size_t)items * size, KUMO_T_BYTES, KUMO_V_BODY);
}

static void z_free(void *opaque, void *p)
{
    (void)opaque;
    kumo_free(p);
}

static void *br_alloc(void *opaque, size_t size)
{
    (void)opaque;
    return kumo_alloc(size, KUMO_T_BYTES, KUMO_V_BODY);
}

static void br_free(void *opaque, void *p)
{
    (void)opaque;
    kumo_free(p);
}

/* gzip: 16 + 15 window bits; deflate: the zlib wrapper first (RFC 9110), raw as a fallback
 * for the servers that send raw deflate (Scrapy and libcurl accept both). */
static void z_start(kumo_decoder *d, int bits)
{
    if (d->zinit)
        inflateEnd(&d->z);
    memset(&d->z, 0, sizeof(d->z));
    d->z.zalloc = z_alloc;
    d->z.zfree = z_free;
    if (inflateInit2(&d->z, bits) != Z_OK)
        kumo_oom(sizeof(d->z));
    d->zinit = true;
}

kumo_decoder *kumo__decoder_new(const char *coding)
{
    kind c;
    if (coding_of(coding, &c) != KUMO_OK)
        return NULL;
    kumo_decoder *d = kumo_calloc(1, sizeof(*d), KUMO_T_BYTES, KUMO_V_BODY);
    d->c = c;
    kumo__buf_init(&d->in, 0, KUMO_T_BYTES, KUMO_V_BODY);
    if (c == C_BR) {
        d->br = BrotliDecoderCreateInstance(br_alloc, br_free, NULL);
        if (!d->br)
            kumo_oom(sizeof(void *));
    } else {
        z_start(d, c == C_GZIP ? 16 + MAX_WBITS : MAX_WBITS);
    }
    return d;
}

void kumo__decoder_free(kumo_decoder *d)
{
    if (!d)
        return;
    if (d->zinit)
        inflateEnd(&d->z);
    if (d->br)
        BrotliDecoderDestroyInstance(d->br);
    kumo__buf_release(&d->in);
    kumo_free(d);
}

void kumo__decoder_feed(kumo_decoder *d, const void *p, size_t n)
{
    if (d->ended || !n)
        return;
    /* drop what was decoded once it is most of the queue: the queue stays one chunk */
    if (d->off && d->off >= d->in.len / 2 && (d->c != C_DEFLATE || d->raw_tried ||
                                               d->z.total_out)) {
        memmove(d->in.s, d->in.s + d->off, d->in.len - d->off);
        d->in.len -= d->off;
        d->off = 0;
    }
    if (kumo__buf_add(&d->in, p, n) != KUMO_OK)
        kumo_oom(n);
}

size_t kumo__decoder_pending(const kumo_decoder *d)
{
    return d->ended ? 0 : d->in.len - d->off + d->more;
}

/* One zlib step into tmp; returns the bytes made, or -1 with why set. */
static long z_step(kumo_decoder *d, unsigned char *tmp, char *why, size_t whylen)
{
    d->z.next_in = (unsigned char *)d->in.s + d->off;
    d->z.avail_in = (uInt)KUMO_MIN(d->in.len - d->off, (size_t)UINT_MAX);
    d->z.next_out = tmp;
    d->z.avail_out = STEP;
    size_t before = d->z.avail_in;
    int rc = inflate(&d->z, Z_NO_FLUSH);
    d->off += before - d->z.avail_in;
    long made = (long)(STEP - d->z.avail_out);
    d->more = d->z.avail_out == 0;
    if (rc == Z_DATA_ERROR && d->c == C_DEFLATE && !d->raw_tried && d->z.total_out == 0) {
        d->raw_tried = true;            /* no zlib header: raw deflate, from the start */
        d->off = 0;
        z_start(d, -MAX_WBITS);
        return 0;
    }
    if (rc == Z_STREAM_END) {
        /* gzip may hold several members (RFC 1952; Python's gzip reads them all) */
        if (d->c == C_GZIP && d->off < d->in.len && (unsigned char)d->in.s[d->off] == 0x1f)
            inflateReset(&d->z);
        else
            d->ended = true;
        return made;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
        snprintf(why, whylen, "%s", d->z.msg ? d->z.msg : "bad data");
        return -1;
    }
    return made;
}

/* One brotli step into tmp; returns the bytes made, or -1 with why set. */
static long br_step(kumo_decoder *d, unsigned char *tmp, char *why, size_t whylen)
{
    const uint8_t *in = (const uint8_t *)d->in.s + d->off;
    size_t avail_in = d->in.len - d->off, avail_out = STEP;
    uint8_t *out = tmp;
    BrotliDecoderResult rc = BrotliDecoderDecompressStream(d->br, &avail_in, &in, &avail_out,
                                                           &out, NULL);
    d->off = d->in.len - avail_in;
    d->more = rc == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT;
    if (rc == BROTLI_DECODER_RESULT_ERROR) {
        snprintf(why, whylen, "%s",
                 BrotliDecoderErrorString(BrotliDecoderGetErrorCode(d->br)));
        return -1;
    }
    if (rc == BROTLI_DECODER_RESULT_SUCCESS)
        d->ended = true;
    return (long)(STEP - avail_out);
}

int kumo__decoder_run(kumo_decoder *d, kumo_buf *out, size_t budget, size_t *added, char *why,
                      size_t whylen)
{
    unsigned char tmp[STEP];
    size_t total = 0;
    int rc = KUMO_OK;
    while (!d->ended && (d->off < d->in.len || d->more) && total < budget) {
        size_t off = d->off;
        long made = d->c == C_BR ? br_step(d, tmp, why, whylen) : z_step(d, tmp, why, whylen);
        if (made < 0) {
            rc = KUMO_EDECODE;
            break;
        }
        if (made > 0 && kumo__buf_add(out, tmp, (size_t)made) != KUMO_OK) {
            rc = KUMO_ETOOBIG;
            break;
        }
        total += (size_t)made;
        if (made == 0 && d->off == off && !d->more && !d->ended &&
            !(d->raw_tried && d->off == 0))
            break;                      /* needs more input */
    }
    if (added)
        *added = total;
    return rc;
}
