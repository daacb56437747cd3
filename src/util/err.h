/* err.h - writing a message into a caller's error buffer (char *err, size_t errlen). */
#ifndef KUMO_UTIL_ERR_H
#define KUMO_UTIL_ERR_H

#include "kumo-int.h"

/*
 * snprintf() fmt into err[0..errlen), cut short to fit; does nothing when err is NULL or
 * errlen is 0 (the caller does not want the message).
 */
void kumo__err_printf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
