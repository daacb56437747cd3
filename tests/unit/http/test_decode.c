/* test_decode.c - gzip, deflate (zlib and raw) and br bodies decoded by bounded steps. */
#include <criterion/criterion.h>
#include <brotli/encode.h>
#include <zlib.h>

#include "kumo-int.h"
#include "http/decode.h"
#include "lib/leakcheck.h"

TestSuite(decode, .init = kumo_leakcheck_start, .fini = kumo_leakcheck_end);

/* n bytes of a repeating text, malloc'ed. */
static unsigned char *text(size_t n)
{
    unsigned char *p = malloc(n);
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)"kumo decodes by steps. "[i % 23];
    return p;
}

/* p compressed with zlib's windowbits (31 gzip, 15 zlib, -15 raw), malloc'ed. */
static unsigned char *zpack(const unsigned char *p, size_t n, int bits, size_t *out)
{
    z_stream z = {0};
    cr_assert_eq(deflateInit2(&z, 9, Z_DEFLATED, bits, 9, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&z, n) + 64;
    unsigned char *o = malloc(cap);
    z.next_in = (unsigned char *)p;
    z.avail_in = (uInt)n;
    z.next_out = o;
    z.avail_out = (uInt)cap;
    cr_assert_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
    *out = z.total_out;
    deflateEnd(&z);
    return o;
}

/* Decode enc fed in pieces of feed bytes with budget per run; returns the decoded bytes. */
static int decode_all(const char *coding, const unsigned char *enc, size_t n, size_t feed,
                      size_t budget, kumo_buf *out, size_t *runs)
{
    kumo_decoder *d = kumo__decoder_new(coding);
    cr_assert_not_null(d, "%s", coding);
    char why[128];
    int rc = KUMO_OK;
    *runs = 0;
    for (size_t off = 0; off < n && rc == KUMO_OK; off += feed) {
        kumo__decoder_feed(d, enc + off, KUMO_MIN(feed, n - off));
        do {
            size_t added;
            rc = kumo__decoder_run(d, out, budget, &added, why, sizeof(why));
            cr_assert_leq(added, budget + 64 * 1024);
            (*runs)++;
            cr_assert_lt(*runs, 100000);
        } while (rc == KUMO_OK && kumo__decoder_pending(d));
    }
    kumo__decoder_free(d);
    return rc;
}

Test(decode, codings_by_bounded_steps)
{
    size_t n = 3 * 1000 * 1000;
    unsigned char *plain = text(n);
    static const struct {
        const char *coding;
        int bits;
    } cases[] = {{"gzip", 31}, {"x-gzip", 31}, {" Deflate ", 15}, {"deflate", -15}};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        size_t zn, runs;
        unsigned char *z = zpack(plain, n, cases[i].bits, &zn);
        kumo_buf out;
        kumo__buf_init(&out, 0, KUMO_T_BYTES, KUMO_V_BODY);
        cr_assert_eq(decode_all(cases[i].coding, z, zn, 4096, 100000, &out, &runs), KUMO_OK,
                     "%s", cases[i].coding);
        cr_assert_eq(out.len, n, "%s", cases[i].coding);
        cr_assert(memcmp(out.s, plain, n) == 0, "%s", cases[i].coding);
        cr_assert_geq(runs, n / (100000 + 64 * 1024), "%s: %zu runs", cases[i].coding, runs);
        kumo__buf_release(&out);
        free(z);
    }
    /* br */
    size_t bn = BrotliEncoderMaxCompressedSize(n);
    unsigned char *b = malloc(bn);
    cr_assert(BrotliEncoderCompress(5, 22, BROTLI_MODE_TEXT, n, plain, &bn, b));
    kumo_buf out;
    kumo__buf_init(&out, 0, KUMO_T_BYTES, KUMO_V_BODY);
    size_t runs;
    cr_assert_eq(decode_all("br", b, bn, 1000, 200000, &out, &runs), KUMO_OK);
    cr_assert_eq(out.len, n);
    cr_assert(memcmp(out.s, plain, n) == 0);
    kumo__buf_release(&out);
    free(b);
    free(plain);
}

/* Two gzip members decode as one body (Python's gzip does); what follows the end of a
 * deflate stream is ignored. */
Test(decode, gzip_members_and_trailing_bytes)
{
    size_t an, bn;
    unsigned char *a = zpack((const unsigned char *)"first ", 6, 31, &an);
    unsigned char *b = zpack((const unsigned char *)"second", 6, 31, &bn);
    unsigned char both[512];
    memcpy(both, a, an);
    memcpy(both + an, b, bn);
    kumo_buf out;
    kumo__buf_init(&out, 0, KUMO_T_BYTES, KUMO_V_BODY);
    size_t runs;
    cr_assert_eq(decode_all("gzip", both, an + bn, 7, 1000, &out, &runs), KUMO_OK);
    cr_assert_str_eq(kumo__buf_str(&out), "first second");
    kumo__buf_reset(&out);
    unsigned char *c = zpack((const unsigned char *)"zlib", 4, 15, &an);
    memcpy(both, c, an);
    memcpy(both + an, "garbage after", 13);
    cr_assert_eq(decode_all("deflate", both, an + 13, 512, 1000, &out, &runs), KUMO_OK);
    cr_assert_str_eq(kumo__buf_str(&out), "zlib");
    kumo__buf_release(&out);
    free(a);
    free(b);
    free(c);
}

/* Bad bytes say why; the output cap stops a bomb at the cap. */
Test(decode, errors_and_cap)
{
    kumo_buf out;
    kumo__buf_init(&out, 0, KUMO_T_BYTES, KUMO_V_BODY);
    static const char *const codings[] = {"gzip", "deflate", "br"};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(codings); i++) {
        kumo_decoder *d = kumo__decoder_new(codings[i]);
        char why[128] = "";
        kumo__decoder_feed(d, "\xff\xfe not compressed at all, not at all", 36);
        cr_assert_eq(kumo__decoder_run(d, &out, 1 << 20, NULL, why, sizeof(why)),
                     KUMO_EDECODE, "%s", codings[i]);
        cr_assert(why[0], "%s says why", codings[i]);
        kumo__decoder_free(d);
    }
    cr_assert_null(kumo__decoder_new("compress"));
    cr_assert_null(kumo__decoder_new("gzip, br"));
    cr_assert(!kumo__decoder_knows("identity"));
    cr_assert(kumo__decoder_knows("BR"));

    size_t n = 20 * 1000 * 1000, zn;
    unsigned char *zeros = calloc(1, n);
    unsigned char *z = zpack(zeros, n, 31, &zn);
    cr_assert_lt(zn, n / 500);
    kumo_buf capped;
    kumo__buf_init(&capped, 1000000, KUMO_T_BYTES, KUMO_V_BODY);
    kumo_decoder *d = kumo__decoder_new("gzip");
    kumo__decoder_feed(d, z, zn);
    int rc = KUMO_OK;
    for (int i = 0; i < 1000 && rc == KUMO_OK; i++)
        rc = kumo__decoder_run(d, &capped, 300000, NULL, NULL, 0);
    cr_assert_eq(rc, KUMO_ETOOBIG);
    cr_assert_leq(capped.len, 1000000);
    kumo__decoder_free(d);
    kumo__buf_release(&capped);
    kumo__buf_release(&out);
    free(z);
    free(zeros);
}
