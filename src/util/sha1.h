/* sha1.h - SHA-1 (FIPS 180-4), for request fingerprints: OpenSSL's (libcrypto), which libcurl
 * already loads and which uses the CPU's SHA instructions. */
#ifndef KUMO_SHA1_H
#define KUMO_SHA1_H

#include <stddef.h>
#include <stdint.h>

/*
 * A message being hashed.  A short one (a fingerprint's JSON) is gathered in small[] and
 * hashed in one call at kumo__sha1_final(); a longer one streams through an OpenSSL SHA-1
 * context made when it outgrows small[] and freed by kumo__sha1_final().
 */
typedef struct kumo_sha1 {
    void *ctx;                      /* SHA_CTX, or NULL while the message fits small[] */
    size_t len;                     /* bytes in small[] */
    unsigned char small[512];
} kumo_sha1;

void kumo__sha1_init(kumo_sha1 *s);
void kumo__sha1_update(kumo_sha1 *s, const void *p, size_t n);
/* Write the digest and release what s holds (init again to reuse it). */
void kumo__sha1_final(kumo_sha1 *s, unsigned char out[20]);

#endif
