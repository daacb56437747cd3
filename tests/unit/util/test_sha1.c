/* test_sha1.c - SHA-1 against the FIPS 180-4 example vectors. */
#include <criterion/criterion.h>

#include "kumo-int.h"
#include "util/sha1.h"
#include "lib/leakcheck.h"

TestSuite(sha1, KUMO_LEAKCHECK);

static void hex(const unsigned char d[20], char out[41])
{
    for (int i = 0; i < 20; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void digest(const void *p, size_t n, char out[41])
{
    kumo_sha1 s;
    unsigned char d[20];
    kumo__sha1_init(&s);
    kumo__sha1_update(&s, p, n);
    kumo__sha1_final(&s, d);
    hex(d, out);
}

static const struct {
    const char *in, *sha1;
} vectors[] = {
    {"", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
    {"abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
    {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
     "klmnopqrlmnopqrsmnopqrstnopqrstu",
     "a49b2446a02c645bf419f995b67091253a04a259"},
    {"The quick brown fox jumps over the lazy dog",
     "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"},
};

Test(sha1, vectors)
{
    char out[41];
    for (size_t i = 0; i < KUMO_ARRAY_LEN(vectors); i++) {
        digest(vectors[i].in, strlen(vectors[i].in), out);
        cr_expect_str_eq(out, vectors[i].sha1, "sha1('%s')", vectors[i].in);
    }
}

Test(sha1, million_a)
{
    char chunk[1000], out[41];
    unsigned char d[20];
    kumo_sha1 s;
    memset(chunk, 'a', sizeof(chunk));
    kumo__sha1_init(&s);
    for (int i = 0; i < 1000; i++)
        kumo__sha1_update(&s, chunk, sizeof(chunk));
    kumo__sha1_final(&s, d);
    hex(d, out);
    cr_assert_str_eq(out, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

/* Feeding the same bytes in pieces of every size gives the same digest (block edges). */
Test(sha1, split_updates)
{
    char text[300], whole[41], parts[41];
    for (size_t i = 0; i < sizeof(text); i++)
        text[i] = (char)('a' + i % 26);
    for (size_t len = 0; len <= sizeof(text); len += 7) {
        digest(text, len, whole);
        for (size_t step = 1; step <= 70; step += 3) {
            kumo_sha1 s;
            unsigned char d[20];
            kumo__sha1_init(&s);
            for (size_t off = 0; off < len; off += step)
                kumo__sha1_update(&s, text + off, KUMO_MIN(step, len - off));
            kumo__sha1_final(&s, d);
            hex(d, parts);
            cr_assert_str_eq(parts, whole, "len %zu step %zu", len, step);
        }
    }
}
