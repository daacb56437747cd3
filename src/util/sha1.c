/* sha1.c - SHA-1 through OpenSSL's EVP interface (request fingerprints, not security). */
#include "util/sha1.h"
#include "kumo-int.h"

#include <pthread.h>
#include <openssl/evp.h>

static EVP_MD *sha1_md;
static pthread_once_t sha1_once = PTHREAD_ONCE_INIT;

/* Fetch the algorithm once: an implicit fetch per digest costs more than the digest. */
static void fetch_md(void)
{
    sha1_md = EVP_MD_fetch(NULL, "SHA1", NULL);
}

static const EVP_MD *md(void)
{
    pthread_once(&sha1_once, fetch_md);
    if (!sha1_md)
        kumo_oom(sizeof(void *));       /* libcrypto without SHA-1: nothing else to do */
    return sha1_md;
}

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
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        if (!ctx || !EVP_DigestInit_ex2(ctx, md(), NULL) ||
            !EVP_DigestUpdate(ctx, s->small, s->len))
            kumo_oom(sizeof(s->small));
        s->ctx = ctx;
    }
    if (!EVP_DigestUpdate(s->ctx, p, n))
        kumo_oom(n);
}

void kumo__sha1_final(kumo_sha1 *s, unsigned char out[20])
{
    unsigned int n = 20;
    int ok;
    if (s->ctx) {
        ok = EVP_DigestFinal_ex(s->ctx, out, &n);
        EVP_MD_CTX_free(s->ctx);
        s->ctx = NULL;
    } else {
        ok = EVP_Digest(s->small, s->len, out, &n, md(), NULL);
    }
    kumo_assert(ok && n == 20);
    s->len = 0;
}
