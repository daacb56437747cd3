/* response.h - the Response object and its subclasses (tracked, reference counted). */
#ifndef KUMO_RESPONSE_INT_H
#define KUMO_RESPONSE_INT_H

#include "kumo-int.h"
#include "http/headers.h"

struct kumo_response {
    kumo_ref ref;               /* first: Response, TextResponse, HtmlResponse, XmlResponse */
    unsigned refcount;
    char *url;                  /* owned: the final url */
    int status;
    kumo_headers *headers;      /* owned */
    char *body;                 /* owned, NUL-terminated (extra byte not counted) */
    size_t body_len;
    kumo_request *request;      /* one reference */
    kumo_doc *doc;              /* opaque here: one reference, set by core (response_doc.c) */
    char *base_url;             /* <base href> resolved, or NULL; computed with doc */
    bool base_done;
    kumo_spider *spider;        /* borrowed: the crawl's spider, or NULL */
    char *ip;                   /* peer address, may be NULL */
    unsigned flags;             /* KUMO_RESPONSE_*: Scrapy's response.flags */
};

/* Response flags, logged after the "Crawled" line as Scrapy's response.flags. */
enum {
    KUMO_RESPONSE_CACHED = 1,   /* answered by the HTTP cache: ['cached'] */
};

/* Scrapy's repr of res->flags for the log: "" or " ['cached']".  Static. */
const char *kumo__response_flags_str(const kumo_response *res);

/*
 * Returns a new reference to a response for req (one more reference taken on req);
 * takes ownership of headers and body (body must have one spare byte for the NUL).
 * The class is chosen from Content-Type and the url: HtmlResponse, XmlResponse,
 * TextResponse, or Response.
 */
kumo_response *kumo__response_new(kumo_request *req, const char *url, int status,
                                 kumo_headers *headers, char *body, size_t body_len);

/* Returns the class chosen for a Content-Type value (may be NULL) and url. */
kumo_class *kumo__response_class_for(const char *content_type, const char *url);

/* The function that drops a response's document (core sets it before it attaches one). */
void kumo__response_set_doc_release(void (*release)(kumo_doc *doc));

/* Returns true for TextResponse and its subclasses (bodies that selectors may parse). */
bool kumo__response_is_text(const kumo_response *res);

#endif
