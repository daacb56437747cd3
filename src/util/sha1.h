/* sha1.h - SHA-1 (FIPS 180-4), for request fingerprints. */
#ifndef KUMO_SHA1_H
#define KUMO_SHA1_H

#include <stddef.h>
#include <stdint.h>

typedef struct kumo_sha1 {
    uint32_t h[5];
    uint64_t len;
    unsigned char block[64];
    size_t fill;
} kumo_sha1;

void kumo__sha1_init(kumo_sha1 *s);
void kumo__sha1_update(kumo_sha1 *s, const void *p, size_t n);
void kumo__sha1_final(kumo_sha1 *s, unsigned char out[20]);

#endif
