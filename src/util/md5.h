/* md5.h - MD5 (RFC 1321), for the checksums of downloaded files (Scrapy's FilesPipeline). */
#ifndef KUMO_MD5_H
#define KUMO_MD5_H

#include <stddef.h>
#include <stdint.h>

typedef struct kumo_md5 {
    uint32_t h[4];
    uint64_t len;
    unsigned char block[64];
    size_t fill;
} kumo_md5;

void kumo__md5_init(kumo_md5 *m);
void kumo__md5_update(kumo_md5 *m, const void *p, size_t n);
/* The digest as 32 lower-case hex digits and a NUL into hex. */
void kumo__md5_final_hex(kumo_md5 *m, char hex[33]);

#endif
