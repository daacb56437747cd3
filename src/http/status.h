/* status.h - HTTP status phrases and exception names, as Scrapy reports them in logs and stats. */
#ifndef KUMO_STATUS_H
#define KUMO_STATUS_H

#include "kumo-int.h"

/* Returns Twisted's reason phrase for status ("Internal Server Error"), or NULL.  Static. */
const char *kumo_http_status_phrase(int status);

/*
 * Write Scrapy's response_status_message(status) into buf: "500 Internal Server Error",
 * "599 Unknown Status".  Returns buf.
 */
char *kumo_http_status_message(int status, char *buf, size_t len);

/*
 * Returns the Twisted-like exception class name Scrapy would report for a download error:
 * KUMO_ETIMEDOUT "twisted.internet.error.TimeoutError", KUMO_EDNS
 * "twisted.internet.error.DNSLookupError"...  Static, never NULL.
 */
const char *kumo_exception_name(int err);

/* Returns the message of that exception ("User timeout caused connection failure.").  Static. */
const char *kumo_exception_message(int err);

#endif
