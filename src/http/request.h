/* request.h - the Request object (tracked, reference counted). */
#ifndef KUMO_REQUEST_INT_H
#define KUMO_REQUEST_INT_H

#include "kumo-int.h"
#include "http/headers.h"
#include "util/buf.h"

struct kumo_request {
    kumo_ref ref;               /* first: trackref header */
    unsigned refcount;
    char *url;                  /* owned, absolute, fragment kept */
    char *method;               /* owned, upper case */
    kumo_headers *headers;      /* owned */
    char *body;                 /* owned, may be NULL */
    size_t body_len;
    kumo_callback_fn cb;        /* NULL: the spider's first callback */
    int priority;
    bool dont_filter;
    bool fp_done;
    unsigned char fp[20];       /* request fingerprint, computed once */
    kumo_map meta;              /* depth, retry_times, redirect_times, download_timeout... */
    uint64_t seq;               /* scheduler order within a priority */
};

/*
 * Returns a new reference to a request with a copy of everything in req (url, method,
 * headers, body, callback, priority, dont_filter, meta); the fingerprint is recomputed.
 */
kumo_request *kumo_request_copy(const kumo_request *req);

/* Replace the url (copied); resets the fingerprint. */
void kumo_request_set_url(kumo_request *req, const char *url);

/* The request fingerprint (sha1, 20 bytes), computed on first use.  Borrowed. */
const unsigned char *kumo_request_fingerprint(kumo_request *req);

/*
 * Append a compact encoding of req (url, method, headers, body, callback, priority,
 * dont_filter, meta) to out, for a queue that keeps it instead of the object.  Returns
 * KUMO_OK, or KUMO_EINVAL with out unchanged when req cannot be packed: it is not of class
 * Request exactly, or a meta value holds an object.  The encoding is valid in this process
 * only (it holds the callback's address).
 */
int kumo_request_pack(const kumo_request *req, kumo_buf *out);

/* Returns a new reference to the request p[0..len) encodes (kumo_request_pack()), or NULL
 * when p is malformed.  Its fingerprint is recomputed on use; seq is 0. */
kumo_request *kumo_request_unpack(const void *p, size_t len);

/* Returns the size of the request line, headers and body, as Scrapy counts request_bytes. */
size_t kumo_request_bytes(const kumo_request *req);

#endif
