/* test_fpset.c - the memory dupefilter's fingerprint set: exact membership, bounded size. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "core/fpset.h"
#include "util/sha1.h"
#include "lib/leakcheck.h"

TestSuite(fpset, KUMO_LEAKCHECK);

/* The fingerprint of "n" (a real SHA-1, as the dupefilter sees). */
static void fp_of(uint64_t n, unsigned char out[20])
{
    char s[32];
    int len = snprintf(s, sizeof(s), "%llu", (unsigned long long)n);
    kumo_sha1 h;
    kumo__sha1_init(&h);
    kumo__sha1_update(&h, s, (size_t)len);
    kumo__sha1_final(&h, out);
}

Test(fpset, adds_once_and_finds_every_one)
{
    kumo_fpset s;
    kumo__fpset_init(&s);
    unsigned char fp[20];
    enum { N = 200000 };
    for (uint64_t i = 0; i < N; i++) {
        fp_of(i, fp);
        cr_assert_not(kumo__fpset_add(&s, fp), "%llu is new", (unsigned long long)i);
    }
    cr_assert_eq(s.len, N);
    for (uint64_t i = 0; i < N; i++) {
        fp_of(i, fp);
        cr_assert(kumo__fpset_has(&s, fp));
        cr_assert(kumo__fpset_add(&s, fp), "%llu is seen", (unsigned long long)i);
    }
    cr_assert_eq(s.len, N, "adding a known one changes nothing");
    for (uint64_t i = N; i < N + 1000; i++) {
        fp_of(i, fp);
        cr_assert_not(kumo__fpset_has(&s, fp));
    }
    /* at most 80% full per shard, at most 1.5 x 1/0.8 slots after growing */
    size_t bytes = kumo__fpset_bytes(&s);
    cr_assert_geq(bytes, (size_t)N * 20 * 5 / 4, "%zu", bytes);
    cr_assert_leq(bytes, (size_t)N * 20 * 2, "%zu bytes for %d", bytes, N);
    for (size_t i = 0; i < KUMO_FPSET_SHARDS; i++)
        cr_assert_leq(5 * (uint64_t)s.shard[i].len, 4 * (uint64_t)s.shard[i].cap);
    kumo__fpset_release(&s);
}

/* Fingerprints that share a shard, their first 32 bits (their home slot) or all but one byte
 * stay distinct: every byte is compared. */
Test(fpset, every_byte_counts)
{
    kumo_fpset s;
    kumo__fpset_init(&s);
    unsigned char fp[20];
    memset(fp, 0xab, sizeof(fp));
    cr_assert_not(kumo__fpset_add(&s, fp));
    for (int i = 0; i < 20; i++) {
        for (int bit = 0; bit < 8; bit++) {
            unsigned char other[20];
            memcpy(other, fp, 20);
            other[i] ^= (unsigned char)(1u << bit);
            cr_assert_not(kumo__fpset_has(&s, other), "byte %d bit %d", i, bit);
            cr_assert_not(kumo__fpset_add(&s, other), "byte %d bit %d", i, bit);
            cr_assert(kumo__fpset_add(&s, other));
        }
    }
    cr_assert_eq(s.len, 1 + 20 * 8);
    cr_assert(kumo__fpset_add(&s, fp));
    kumo__fpset_release(&s);
}

/* The all-zero fingerprint is the empty slot's pattern: kept aside, and still a member. */
Test(fpset, zero_fingerprint_is_a_member_too)
{
    kumo_fpset s;
    kumo__fpset_init(&s);
    unsigned char zero[20] = {0}, one[20] = {0};
    one[19] = 1;
    cr_assert_not(kumo__fpset_has(&s, zero));
    cr_assert_not(kumo__fpset_add(&s, zero));
    cr_assert(kumo__fpset_add(&s, zero));
    cr_assert(kumo__fpset_has(&s, zero));
    cr_assert_not(kumo__fpset_has(&s, one));
    cr_assert_not(kumo__fpset_add(&s, one));
    cr_assert_eq(s.len, 2);
    cr_assert_eq(kumo__fpset_bytes(&s), 64 * 20, "one shard holds a table");
    kumo__fpset_release(&s);
    cr_assert_eq(kumo__fpset_bytes(&s), 0);
}

/* Keys crowded into one shard and one end of it: probing wraps past the last slot. */
Test(fpset, crowded_shard_wraps)
{
    kumo_fpset s;
    kumo__fpset_init(&s);
    unsigned char fp[20];
    for (unsigned i = 0; i < 5000; i++) {
        memset(fp, 0xff, sizeof(fp));       /* home: the last slot of the shard */
        fp[4] = (unsigned char)i;
        fp[5] = (unsigned char)(i >> 8);
        fp[19] = 7;                         /* one shard */
        cr_assert_not(kumo__fpset_add(&s, fp), "%u", i);
    }
    for (unsigned i = 0; i < 5000; i++) {
        memset(fp, 0xff, sizeof(fp));
        fp[4] = (unsigned char)i;
        fp[5] = (unsigned char)(i >> 8);
        fp[19] = 7;
        cr_assert(kumo__fpset_has(&s, fp), "%u", i);
    }
    cr_assert_eq(s.shard[7].len, 5000);
    cr_assert_eq(s.shard[6].cap, 0);
    kumo__fpset_release(&s);
}
