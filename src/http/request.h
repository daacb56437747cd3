/* request.h - the Request object (tracked, reference counted). */
#ifndef KUMO_REQUEST_INT_H
#define KUMO_REQUEST_INT_H

#include "kumo-int.h"
#include "http/headers.h"
#include "util/buf.h"

/* What few requests hold, kept out of the request so that one without them costs less:
 * allocated by the first kumo_request_cb_kwargs(), non-NULL errback or body. */
typedef struct kumo_request_ext {
    kumo_map cb_kwargs;         /* the callback's keyword arguments */
    kumo_errback_fn errback;    /* NULL: none */
    char *body;                 /* owned, NUL-terminated, or NULL: none */
    size_t body_len;
} kumo_request_ext;

/* Fields ordered by size so that nothing pads (144 bytes on LP64; a unit test checks). */
struct kumo_request {
    kumo_ref ref;               /* first: trackref header */
    char *url;                  /* owned, absolute, fragment kept */
    const char *method;         /* upper case: a static string for a standard method, else
                                 * owned (method_owned) */
    kumo_headers *headers;      /* owned; NULL (no headers) until kumo_request_headers() */
    kumo_callback_fn cb;        /* NULL: the spider's first callback */
    kumo_request_ext *ext;      /* owned; NULL: no cb_kwargs, errback or body */
    uint64_t seq;               /* scheduler order within a priority */
    kumo_map meta;              /* depth, retry_times, redirect_times, download_timeout... */
    uint32_t refcount;
    int32_t priority;
    unsigned char fp[20];       /* request fingerprint, computed once */
    bool dont_filter : 1;
    bool fp_done : 1;
    bool method_owned : 1;      /* method is a kumo_alloc() copy, freed with the request */
};

/* The request's errback, NULL when it has none. */
static inline kumo_errback_fn kumo__request_errback(const kumo_request *req)
{
    return req->ext ? req->ext->errback : NULL;
}

/* The request's body (NUL-terminated) and its length in *len, or NULL and 0 when it has
 * none.  Borrowed, valid until the body changes. */
static inline const char *kumo__request_body(const kumo_request *req, size_t *len)
{
    *len = req->ext ? req->ext->body_len : 0;
    return req->ext ? req->ext->body : NULL;
}

/* The request's cb_kwargs to read: an empty map when it has none.  Borrowed, valid until
 * the request changes. */
const kumo_map *kumo__request_cb_kwargs(const kumo_request *req);

/*
 * Returns a new reference to a request with a copy of everything in req (class, url,
 * method, headers, body, callback, errback, priority, dont_filter, meta, cb_kwargs); the
 * fingerprint is recomputed.
 */
kumo_request *kumo__request_copy(const kumo_request *req);

/* Returns true when m is an RFC 9110 method token (tchar+): never CR, LF, blank or "". */
bool kumo__method_is_token(const char *m);

/* m quoted into out[0..n) for a log line: printable ASCII as is, other bytes (and '\\') as
 * \xHH, cut to fit. */
void kumo__method_quote(const char *m, char *out, size_t n);

/* Replace the url (copied through kumo__url_safe(), as is when that fails); resets the
 * fingerprint. */
void kumo__request_set_url(kumo_request *req, const char *url);

/* The request fingerprint (sha1, 20 bytes), computed on first use.  Borrowed. */
const unsigned char *kumo__request_fingerprint(kumo_request *req);

/*
 * Append a compact encoding of req (class, url, method, headers, body, callback, errback,
 * priority, dont_filter, meta, cb_kwargs) to out, for a queue that keeps it instead of the
 * object.  Returns KUMO_OK, or KUMO_EINVAL with out unchanged when req cannot be packed: it
 * is of a class other than Request, FormRequest and JsonRequest, or a meta or cb_kwargs
 * value holds an object.  The encoding is valid in this process only (it holds the
 * callback's address).
 */
int kumo__request_pack(const kumo_request *req, kumo_buf *out);

/* Returns a new reference to the request p[0..len) encodes (kumo__request_pack()), or NULL
 * when p is malformed.  Its fingerprint is recomputed on use; seq is 0. */
kumo_request *kumo__request_unpack(const void *p, size_t len);

/* The request classes kumo__request_pack() keeps, by index; NULL-terminated. */
extern kumo_class *const kumo__request_classes[];

/* Give req another request class (FormRequest, JsonRequest...): it is tracked there. */
void kumo__request_set_class(kumo_request *req, kumo_class *cls);

/* Returns the size of the request line, headers and body, as Scrapy counts request_bytes. */
size_t kumo__request_bytes(const kumo_request *req);

#endif
