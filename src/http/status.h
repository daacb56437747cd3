/* status.h - HTTP status phrases and exception names, as Scrapy reports them in logs and stats. */
#ifndef KUMO_STATUS_H
#define KUMO_STATUS_H

#include "kumo-int.h"

/* Returns Twisted's reason phrase for status ("Internal Server Error"), or NULL.  Static. */
const char *kumo__http_status_phrase(int status);

/*
 * Write Scrapy's response_status_message(status) into buf: "500 Internal Server Error",
 * "599 Unknown Status".  Returns buf.
 */
char *kumo__http_status_message(int status, char *buf, size_t len);

/*
 * Returns the Twisted-like exception class name Scrapy would report for a download error:
 * KUMO_ETIMEDOUT "twisted.internet.error.TimeoutError", KUMO_EDNS
 * "twisted.internet.error.DNSLookupError"...  Static, never NULL.
 */
const char *kumo__exception_name(int err);

/* Returns the message of that exception ("User timeout caused connection failure.").  Static. */
const char *kumo__exception_message(int err);

/*
 * Write Scrapy's str() of the exception err raised for req into buf: the words of the retry
 * log line, of the errback's kumo_failure_message() and of "Error downloading".  A timeout
 * names the url and its download_timeout ("User timeout caused connection failure: Getting
 * URL took longer than 180.0 seconds.."), a failed lookup the host ("DNS lookup failed: no
 * results for hostname lookup: HOST.").  detail (NULL or "" when none) is the downloader's
 * own message, kept where Scrapy's text is the downloader's too (a response over
 * DOWNLOAD_MAXSIZE) or kumo knows no exception for err.  req may be NULL.  Returns buf.
 */
char *kumo__exception_str(int err, const kumo_request *req, const char *detail, char *buf,
                         size_t len);

#endif
