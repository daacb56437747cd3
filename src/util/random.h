/* random.h - secrets from the kernel: the telnet console's password, the web service's token. */
#ifndef KUMO_RANDOM_H
#define KUMO_RANDOM_H

#include <stddef.h>

/*
 * Fill out with 2 * nbytes lowercase hex digits of nbytes random bytes (getrandom(), else
 * /dev/urandom) and a NUL: out holds 2 * nbytes + 1 bytes.  Returns KUMO_OK, or KUMO_EIO when
 * the kernel gives no randomness (out is then unset).
 */
int kumo__random_hex(char *out, size_t nbytes);

#endif
