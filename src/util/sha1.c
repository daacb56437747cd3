/* sha1.c - SHA-1 as FIPS 180-4 specifies it (request fingerprints, not security). */
#include "util/sha1.h"

#include <string.h>

static uint32_t rol(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32 - n));
}

static uint32_t load_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void store_be32(unsigned char *p, uint32_t x)
{
    p[0] = (unsigned char)(x >> 24);
    p[1] = (unsigned char)(x >> 16);
    p[2] = (unsigned char)(x >> 8);
    p[3] = (unsigned char)x;
}

static void compress(uint32_t h[5], const unsigned char block[64])
{
    uint32_t w[80];
    for (int t = 0; t < 16; t++)
        w[t] = load_be32(block + 4 * t);
    for (int t = 16; t < 80; t++)
        w[t] = rol(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);

    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], tmp;
    /* Four loops of 20 rounds, one per function: no branch inside a round. */
#define ROUND(f, k)                                                                           \
    tmp = rol(a, 5) + (f) + e + (k) + w[t];                                                   \
    e = d;                                                                                    \
    d = c;                                                                                    \
    c = rol(b, 30);                                                                           \
    b = a;                                                                                    \
    a = tmp
    int t = 0;
    for (; t < 20; t++) {
        ROUND((b & c) | (~b & d), 0x5a827999);
    }
    for (; t < 40; t++) {
        ROUND(b ^ c ^ d, 0x6ed9eba1);
    }
    for (; t < 60; t++) {
        ROUND((b & c) | (b & d) | (c & d), 0x8f1bbcdc);
    }
    for (; t < 80; t++) {
        ROUND(b ^ c ^ d, 0xca62c1d6);
    }
#undef ROUND
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

void kumo__sha1_init(kumo_sha1 *s)
{
    s->h[0] = 0x67452301;
    s->h[1] = 0xefcdab89;
    s->h[2] = 0x98badcfe;
    s->h[3] = 0x10325476;
    s->h[4] = 0xc3d2e1f0;
    s->len = 0;
    s->fill = 0;
}

void kumo__sha1_update(kumo_sha1 *s, const void *p, size_t n)
{
    const unsigned char *in = p;
    s->len += n;
    if (s->fill) {
        size_t take = n < 64 - s->fill ? n : 64 - s->fill;
        memcpy(s->block + s->fill, in, take);
        s->fill += take;
        in += take;
        n -= take;
        if (s->fill < 64)
            return;
        compress(s->h, s->block);
        s->fill = 0;
    }
    for (; n >= 64; in += 64, n -= 64)
        compress(s->h, in);
    if (n)
        memcpy(s->block, in, n);
    s->fill = n;
}

void kumo__sha1_final(kumo_sha1 *s, unsigned char out[20])
{
    uint64_t bits = s->len * 8;
    s->block[s->fill++] = 0x80;
    if (s->fill > 56) {
        memset(s->block + s->fill, 0, 64 - s->fill);
        compress(s->h, s->block);
        s->fill = 0;
    }
    memset(s->block + s->fill, 0, 56 - s->fill);
    store_be32(s->block + 56, (uint32_t)(bits >> 32));
    store_be32(s->block + 60, (uint32_t)bits);
    compress(s->h, s->block);
    for (int i = 0; i < 5; i++)
        store_be32(out + 4 * i, s->h[i]);
    kumo__sha1_init(s);
}
