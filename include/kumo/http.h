/* kumo/http.h - Request, Response and Headers as a spider sees them. */
#ifndef KUMO_HTTP_H
#define KUMO_HTTP_H

#include <stddef.h>
#include "kumo/ref.h"
#include "kumo/value.h"

typedef struct kumo_request kumo_request;
typedef struct kumo_response kumo_response;
typedef struct kumo_headers kumo_headers;
typedef struct kumo_out kumo_out;

typedef struct kumo_failure kumo_failure;

/* A spider callback: read res, emit requests and items into out.  res is borrowed. */
typedef void (*kumo_callback_fn)(kumo_response *res, kumo_out *out);

/* An errback: the request failed (f borrowed, valid during the call); emit into out. */
typedef void (*kumo_errback_fn)(kumo_failure *f, kumo_out *out);

/* ---- headers: ordered (name, value) pairs, names compared case-insensitively ---- */

/* The readers (kumo_headers_get(), _count(), _at()) take NULL as no headers: a request has
 * none until one is set (kumo_request_headers()). */

/* Returns the first value of name, or NULL.  Borrowed, valid until the headers change. */
const char *kumo_headers_get(const kumo_headers *h, const char *name);

/* Append a (name, value) pair; copies both. */
void kumo_headers_add(kumo_headers *h, const char *name, const char *value);

/* Replace every value of name with value (value NULL: remove them). */
void kumo_headers_set(kumo_headers *h, const char *name, const char *value);

/* Returns the number of pairs; kumo_headers_at() reads pair i (borrowed). */
size_t kumo_headers_count(const kumo_headers *h);
void kumo_headers_at(const kumo_headers *h, size_t i, const char **name, const char **value);

/* ---- requests ---- */

/*
 * Returns a new reference to a GET request for url (absolute http or https), calling cb
 * with the response (NULL: the spider's first callback).  The url is percent-encoded as
 * Scrapy's Request encodes it (w3lib's safe_url_string: UTF-8, upper-case hex, "%XX" kept,
 * IDNA host; kumo_request_url() returns the result); its #fragment is kept.  NULL with
 * *err set when url is not absolute, not http(s), or malformed.
 */
kumo_request *kumo_request_new(const char *url, kumo_callback_fn cb, int *err);

/* Shared-object verbs: _ref returns req; _unref frees at zero. */
kumo_request *kumo_request_ref(kumo_request *req);
void kumo_request_unref(kumo_request *req);

/* Borrowed, valid while req lives. */
const char *kumo_request_url(const kumo_request *req);
const char *kumo_request_method(const kumo_request *req);
kumo_map *kumo_request_meta(kumo_request *req);

/*
 * The request's headers, to change them: a request has none until the first call, which
 * creates them empty (to read one, kumo_request_header() creates nothing).  Borrowed, valid
 * while req lives.
 */
kumo_headers *kumo_request_headers(kumo_request *req);

/* Returns the first value of the header name, or NULL.  Borrowed, valid until the request's
 * headers change. */
const char *kumo_request_header(const kumo_request *req, const char *name);

/* kumo_headers_set() on the request's headers: replace every value of name with value (NULL:
 * remove them; removing from a request without headers creates none). */
void kumo_request_set_header(kumo_request *req, const char *name, const char *value);

/*
 * Set the method ("POST"...; copied, upper-cased) and body (copied).  A method must be an
 * RFC 9110 token (letters, digits and !#$%&'*+-.^_`|~, at least one): anything else leaves
 * req unchanged and returns KUMO_EINVAL; KUMO_OK otherwise.  (The downloader refuses a
 * request whose method is not a token, whatever set it.)
 */
int kumo_request_set_method(kumo_request *req, const char *method);
void kumo_request_set_body(kumo_request *req, const void *body, size_t len);

/* Higher priority is fetched first (default 0). */
void kumo_request_set_priority(kumo_request *req, int priority);
int kumo_request_priority(const kumo_request *req);

/* Skip the duplicate filter for this request. */
void kumo_request_set_dont_filter(kumo_request *req, int on);

/* Change the callback (NULL: the spider's first callback). */
void kumo_request_set_callback(kumo_request *req, kumo_callback_fn cb);

/*
 * Call eb when the request fails: download errors (timeout, DNS, connection refused...)
 * and responses the HttpError middleware filters out (non-2xx).  NULL: no errback.
 * List eb in the spider's .errbacks so a resumed job finds it again.
 */
void kumo_request_set_errback(kumo_request *req, kumo_errback_fn eb);

/*
 * The keyword arguments for the callback (Scrapy's cb_kwargs): a map the spider fills
 * when it builds the request and the callback reads from its response.  Copied with the
 * request (redirects, retries); saved in a job like meta.  A request holds no map until
 * the first call.  Borrowed, valid while req / res lives.
 */
kumo_map *kumo_request_cb_kwargs(kumo_request *req);
kumo_map *kumo_response_cb_kwargs(const kumo_response *res);

/* ---- failures, as an errback sees them ---- */

/* The request that failed.  Borrowed. */
kumo_request *kumo_failure_request(const kumo_failure *f);

/* The error: KUMO_ETIMEDOUT, KUMO_EDNS, KUMO_ECONNREFUSED, KUMO_ECONN, KUMO_EHTTP... */
int kumo_failure_error(const kumo_failure *f);

/* Scrapy's name of the failure's type: "TimeoutError", "DNSLookupError",
 * "ConnectionRefusedError", "HttpError"...  Static. */
const char *kumo_failure_type(const kumo_failure *f);

/*
 * A one-line description, Scrapy's failure.getErrorMessage() and the words of the retry log
 * line ("Ignoring non-200 response", "Connection was refused by other side: 111: Connection
 * refused.", "User timeout caused connection failure: Getting URL took longer than 180.0
 * seconds..").  Borrowed.
 */
const char *kumo_failure_message(const kumo_failure *f);

/* The response of an HttpError (borrowed), or NULL for a download error. */
kumo_response *kumo_failure_response(const kumo_failure *f);

/* ---- responses ---- */

kumo_response *kumo_response_ref(kumo_response *res);
void kumo_response_unref(kumo_response *res);

/*
 * The url that was fetched: the request's url without its #fragment, as Scrapy's download
 * handler fetches urldefrag(request.url) (after a redirect, the last request's).  Borrowed,
 * valid while res lives.
 */
const char *kumo_response_url(const kumo_response *res);
int kumo_response_status(const kumo_response *res);
const kumo_headers *kumo_response_headers(const kumo_response *res);
const char *kumo_response_body(const kumo_response *res, size_t *len);   /* NUL-terminated */
kumo_request *kumo_response_request(const kumo_response *res);
kumo_map *kumo_response_meta(const kumo_response *res);                   /* the request's */

/* The response's class: HtmlResponse, XmlResponse, TextResponse or Response.  Borrowed. */
const kumo_class *kumo_response_class(const kumo_response *res);

/*
 * Returns a value holding res (it takes a new reference), to store in a map:
 * kumo_map_set(kumo_request_meta(req), "referer", kumo_val_response(res)).  The response
 * then lives as long as the map holds it (in request meta: as long as the request).
 */
kumo_value kumo_val_response(kumo_response *res);

/*
 * The body as text (Scrapy's response.text): UTF-8, decoded from the BOM's encoding, else
 * the Content-Type charset, else a <meta charset> / http-equiv / <?xml encoding?>
 * declaration, else UTF-8 when the bytes are valid UTF-8, else windows-1252 (latin-1 and
 * ascii also read as windows-1252, as w3lib does); undecodable bytes become U+FFFD and a BOM
 * is dropped.  *len (may be NULL) gets its length in bytes (the text may hold NUL
 * characters).  Decoded once; borrowed, valid while res lives.  NULL for a response that
 * is not text (Response: images, PDFs...).
 */
const char *kumo_response_text(kumo_response *res, size_t *len);

/*
 * At least the first chars characters of kumo_response_text() (all of it when shorter, or
 * when it was decoded already), decoding only the start of the body: Scrapy's
 * response.text[0:chars] for a look at a page's head (a meta refresh) that must not decode a
 * 100 MB body on the crawl's loop.  *len (may be NULL) gets its length in bytes; a character
 * cut at its end may show as U+FFFD, past the chars asked for.  Borrowed, valid until the
 * next call for res or its end.  NULL for a response that is not text.
 */
const char *kumo_response_text_head(kumo_response *res, size_t chars, size_t *len);

/*
 * Let go of the text kumo_response_text_head() keeps for res (up to 4 bytes a character
 * asked for, kept else until res dies, while res waits for its callback): a pointer it
 * returned is no longer valid.  Nothing when it keeps none or res is NULL.
 */
void kumo_response_text_head_release(kumo_response *res);

/* The encoding kumo_response_text() decodes with, as Python names it ("utf-8", "cp1252"),
 * or NULL for a response that is not text.  Borrowed, valid while res lives. */
const char *kumo_response_encoding(kumo_response *res);

/* Returns the request's meta "depth" (0 for start requests). */
int kumo_response_depth(const kumo_response *res);

/*
 * Resolve href against the response (its <base href> when it has one) into a new string
 * owned by the caller (kumo_free()).  NULL when href cannot be resolved.  The base is
 * Scrapy's: the first <base ... href="..."> (quoted) in the first 4,096 characters of the
 * text, comments left out, found without parsing the page.
 */
char *kumo_response_urljoin(kumo_response *res, const char *href);

/*
 * Build a request for href relative to res, calling cb.  Returns a new reference, or NULL
 * (with a DEBUG line) for links that are not fetchable: mailto:, javascript:, tel:, data:,
 * other schemes, or an empty href.
 */
kumo_request *kumo_response_follow(kumo_response *res, const char *href, kumo_callback_fn cb);

/*
 * What Scrapy's follow(url, **kwargs) and follow_all(**kwargs) pass on to each Request,
 * for kumo_response_follow_with(), kumo_follow_with() and kumo_follow_all_with() and its
 * kin.  All zero (or a NULL pointer to it): as the calls without _with.
 */
typedef struct kumo_follow_opts {
    const kumo_map *meta;       /* entries copied into each request's meta, or NULL */
    const kumo_map *cb_kwargs;  /* entries copied into each request's cb_kwargs, or NULL */
    kumo_errback_fn errback;    /* as kumo_request_set_errback() (list it in .errbacks) */
    int priority;               /* as kumo_request_set_priority() */
    int dont_filter;            /* nonzero: each request skips the duplicate filter */
} kumo_follow_opts;

/*
 * kumo_response_follow() with opts (borrowed; NULL: none): the request gets its own copy of
 * opts->meta and opts->cb_kwargs (values holding objects take one more reference), as
 * Scrapy's Request(meta=meta) copies the dict.  Returns a new reference, or NULL.
 */
kumo_request *kumo_response_follow_with(kumo_response *res, const char *href,
                                        kumo_callback_fn cb, const kumo_follow_opts *opts);

/* ---- forms and JSON requests ---- */

/*
 * Form data is NULL or an array of alternating names and values that ends with a NULL
 * name: (const char *const[]){"user", "alice", "tag", "a", "tag", "b", NULL}.  Pairs are
 * sent in that order and a name may repeat (Scrapy's formdata as a list of tuples).
 */

/*
 * Scrapy's FormRequest(url, method=method, formdata=formdata).  method NULL: POST when
 * formdata has a pair, else GET (the method is upper-cased).  The pairs are urlencoded as
 * urllib's urlencode() does (UTF-8, '+' for a space, everything but letters, digits and
 * "_.-~" as %XX); a pair with a NULL value is left out.  POST: they are the body, with
 * Content-Type application/x-www-form-urlencoded; any other method: they replace the url's
 * query (fragment kept).  Returns a new reference to a request of class FormRequest, or NULL
 * with *err set as kumo_request_new() sets it.
 */
kumo_request *kumo_form_request_new(const char *url, const char *method,
                                    const char *const *formdata, kumo_callback_fn cb, int *err);

/* Options of kumo_form_request_from_response(); all zero: the first form, clicked on its
 * first submit button. */
typedef struct kumo_form_opts {
    const char *formname;       /* the first <form name=formname>, when there is one */
    const char *formid;         /* else the first <form id=formid>, when there is one */
    const char *formxpath;      /* else the form at or above the first node it selects */
    const char *formcss;        /* the same with CSS (used when formxpath is NULL) */
    int formnumber;             /* else form number formnumber (0 the first, -1 the last) */
    /* The element to click, as attribute/value pairs ending with a NULL name, all of which
     * it must have ({"name", "go", NULL}); an "nr" pair ("nr", "2") picks the form's select,
     * input or textarea number nr instead.  NULL: the first submit input or button. */
    const char *const *clickdata;
    int dont_click;             /* nonzero: send no clicked element */
    const char *method;         /* NULL: the form's (GET unless it says POST) */
    const char *url;            /* NULL: the form's action (resolved), or the page's url */
    char *errbuf;               /* on failure the one-line reason goes here (errlen bytes); */
    size_t errlen;              /* NULL: it is logged as an ERROR instead */
} kumo_form_opts;

/*
 * Scrapy's FormRequest.from_response(res, ...): finds the form (opts may be NULL), takes its
 * fields as a browser would send them (inputs but submit/image/reset, checkboxes and radios
 * only when checked with "on" as the default value, the selected options of each select
 * (a single select: the first enabled option when none is selected), textareas), leaves
 * out the fields formdata names, adds the clicked element (unless formdata names it) and
 * then formdata's pairs; a formdata pair with a NULL value removes that field.  The url is
 * the action resolved against the page (its <base href>); the method is the form's; the
 * data is encoded in the page's encoding.  Returns a new reference to a FormRequest, or
 * NULL with *err set: KUMO_ENOENT ("No <form> element found in <200 URL>", "Form number 3
 * not found in <200 URL>", "No <form> element found with XPATH", "No clickable element
 * matching clickdata: {...}"), KUMO_EINVAL (not a text response, several elements match
 * clickdata, a field the page's encoding cannot encode), KUMO_ESYNTAX (bad formxpath or
 * formcss), or kumo_request_new()'s code for an unusable action.
 */
kumo_request *kumo_form_request_from_response(kumo_response *res, const kumo_form_opts *opts,
                                              const char *const *formdata,
                                              kumo_callback_fn cb, int *err);

/*
 * Scrapy's JsonRequest(url, data=data): the body is json.dumps(data, sort_keys=True) (", "
 * and ": " separators, non-ASCII as \uXXXX escapes) and the method POST; with data NULL
 * (or a None value) a GET without body.  Both set Content-Type application/json and Scrapy's
 * Accept (application/json, text/javascript, then any type at q=0.01).  Returns a new
 * reference to a request of class JsonRequest, or NULL with *err set: kumo_request_new()'s
 * code, KUMO_EINVAL when data holds an object, KUMO_ETOOBIG when it nests deeper than 512
 * lists.
 */
kumo_request *kumo_json_request_new(const char *url, const kumo_value *data,
                                    kumo_callback_fn cb, int *err);

/* The same with a JSON object: the map's entries, sorted by key. */
kumo_request *kumo_json_request_new_map(const char *url, const kumo_map *data,
                                        kumo_callback_fn cb, int *err);

/* ---- urls ---- */

/* Returns a new string (kumo_free) with the lower-case host of url, or NULL. */
char *kumo_url_host(const char *url);

#endif
