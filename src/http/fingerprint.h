/* fingerprint.h - Scrapy 2.7+ request fingerprints. */
#ifndef KUMO_FINGERPRINT_H
#define KUMO_FINGERPRINT_H

#include "kumo-int.h"

/*
 * out = sha1 of the JSON {"body": hex(body), "headers": {}, "method": method,
 * "url": canonicalize_url(url)} with sorted keys and Python's json.dumps separators,
 * exactly as scrapy.utils.request.fingerprint().  Returns KUMO_EURL for a malformed url.
 */
int kumo__fingerprint(const char *method, const char *url, const void *body, size_t body_len,
                     unsigned char out[20]);

/* Write the 40 lower-case hex digits of a fingerprint and a NUL into hex. */
void kumo__fingerprint_hex(const unsigned char fp[20], char hex[41]);

#endif
