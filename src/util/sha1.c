/* sha1.c - SHA-1 through OpenSSL's SHA1_* functions (request fingerprints, not security). */
#define OPENSSL_SUPPRESS_DEPRECATED     /* SHA1_Init() and co.: deprecated, not going away in 3.x */
#include "util/sha1.h"
#include "kumo-int.h"

#include <openssl/sha.h>

/*
 * libcrypto's SHA1_Init/Update/Final run its SHA-1 code (the CPU's SHA instructions when
 * it has them) without EVP: EVP_MD_fetch() first loads OpenSSL's default provider, whose
 * tables and code are pages of libcrypto that an http-only crawl touches for nothing
 * (192 KiB of libcrypto less in a 1-page crawl), and a 200-byte digest takes 0.20 us, not
 * 0.25.
 */

void kumo__sha1_init(kumo_sha1 *s)
{
    s->ctx = NULL;
    s->len = 0;
}

void kumo__sha1_update(kumo_sha1 *s, const void *p, size_t n)
{
    if (!s->ctx && n <= sizeof(s->small) - s->len) {
        if (n)
            memcpy(s->small + s->len, p, n);
        s->len += n;
        return;
    }
    if (!s->ctx) {
        SHA_CTX *ctx = kumo_alloc(sizeof(SHA_CTX), KUMO_T_BYTES, KUMO_V_NONE);
        if (!SHA1_Init(ctx) || !SHA1_Update(ctx, s->small, s->len))
            kumo_oom(sizeof(s->small));
        s->ctx = ctx;
    }
    if (!SHA1_Update(s->ctx, p, n))
        kumo_oom(n);
}

void kumo__sha1_final(kumo_sha1 *s, unsigned char out[20])
{
    if (s->ctx) {
        int ok = SHA1_Final(out, s->ctx);
        kumo_free(s->ctx);
        s->ctx = NULL;
        kumo_assert(ok);
    } else {
        /* not SHA1(): in OpenSSL 3 it is EVP_Q_digest(), a fetch */
        SHA_CTX ctx;
        kumo_assert(SHA1_Init(&ctx) && SHA1_Update(&ctx, s->small, s->len) &&
                    SHA1_Final(out, &ctx));
    }
    s->len = 0;
}
