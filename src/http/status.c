/* status.c - HTTP status phrases (Twisted's http.RESPONSES) and download exception names. */
#include "http/status.h"
#include "http/request.h"
#include "util/json.h"

static const struct {
    int status;
    const char *phrase;
} phrases[] = {
    {100, "Continue"},
    {101, "Switching Protocols"},
    {200, "OK"},
    {201, "Created"},
    {202, "Accepted"},
    {203, "Non-Authoritative Information"},
    {204, "No Content"},
    {205, "Reset Content."},
    {206, "Partial Content"},
    {207, "Multi-Status"},
    {300, "Multiple Choices"},
    {301, "Moved Permanently"},
    {302, "Found"},
    {303, "See Other"},
    {304, "Not Modified"},
    {305, "Use Proxy"},
    {307, "Temporary Redirect"},
    {308, "Permanent Redirect"},
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {402, "Payment Required"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {406, "Not Acceptable"},
    {407, "Proxy Authentication Required"},
    {408, "Request Time-out"},
    {409, "Conflict"},
    {410, "Gone"},
    {411, "Length Required"},
    {412, "Precondition Failed"},
    {413, "Request Entity Too Large"},
    {414, "Request-URI Too Long"},
    {415, "Unsupported Media Type"},
    {416, "Requested Range not satisfiable"},
    {417, "Expectation Failed"},
    {500, "Internal Server Error"},
    {501, "Not Implemented"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Gateway Time-out"},
    {505, "HTTP Version not supported"},
    {507, "Insufficient Storage Space"},
    {510, "Not Extended"},
};

const char *kumo__http_status_phrase(int status)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(phrases); i++)
        if (phrases[i].status == status)
            return phrases[i].phrase;
    return NULL;
}

char *kumo__http_status_message(int status, char *buf, size_t len)
{
    const char *p = kumo__http_status_phrase(status);
    snprintf(buf, len, "%d %s", status, p ? p : "Unknown Status");
    return buf;
}

/* What Scrapy's downloader raises for each failure, with Twisted's str() of it. */
static const struct {
    int err;
    const char *name;
    const char *message;
} exceptions[] = {
    {KUMO_ETIMEDOUT, "twisted.internet.error.TimeoutError",
     "User timeout caused connection failure."},
    {KUMO_ECONNREFUSED, "twisted.internet.error.ConnectionRefusedError",
     "Connection was refused by other side: 111: Connection refused."},
    {KUMO_EDNS, "twisted.internet.error.DNSLookupError",
     "DNS lookup failed: no results for hostname lookup."},
    {KUMO_ECONN, "twisted.internet.error.ConnectionLost",
     "Connection to the other side was lost in a non-clean fashion."},
    {KUMO_EPROTO, "twisted.web._newclient.ResponseFailed",
     "Response failed: the response could not be parsed."},
    {KUMO_ETOOBIG, "twisted.internet.defer.CancelledError",
     "Response larger than the download max size."},
    {KUMO_ECANCELED, "twisted.internet.defer.CancelledError", "The download was cancelled."},
    {KUMO_ESCHEME, "scrapy.exceptions.NotSupported", "Unsupported URL scheme."},
    {KUMO_EURL, "builtins.ValueError", "Malformed URL."},
    {KUMO_EIGNORED, "scrapy.exceptions.IgnoreRequest", "Request ignored."},
    {KUMO_EIO, "builtins.OSError", "Input/output error."},
    {KUMO_ENOMEM, "builtins.MemoryError", "Out of memory."},
};

const char *kumo__exception_name(int err)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(exceptions); i++)
        if (exceptions[i].err == err)
            return exceptions[i].name;
    return "builtins.Exception";
}

const char *kumo__exception_message(int err)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(exceptions); i++)
        if (exceptions[i].err == err)
            return exceptions[i].message;
    return kumo_strerror(err);
}

char *kumo__exception_str(int err, const kumo_request *req, const char *detail, char *buf,
                         size_t len)
{
    const char *fixed = kumo__exception_message(err);
    bool known = strcmp(kumo__exception_name(err), "builtins.Exception") != 0;
    const kumo_value *t = req ? kumo_map_get(&req->meta, "download_timeout") : NULL;
    char *host = err == KUMO_EDNS && req ? kumo_url_host(req->url) : NULL;
    if (err == KUMO_ETIMEDOUT && t && (t->type == KUMO_VAL_INT || t->type == KUMO_VAL_FLOAT)) {
        /* Twisted's "User timeout caused connection failure: " + Scrapy's text + "." */
        kumo_buf secs;
        kumo__buf_init(&secs, 64, KUMO_T_STR, KUMO_V_NONE);
        kumo__json_value(&secs, t);
        const char *hash = strchr(req->url, '#');  /* Scrapy downloads urldefrag(url) */
        int n = hash ? (int)(hash - req->url) : (int)strlen(req->url);
        snprintf(buf, len, "User timeout caused connection failure: Getting %.*s took longer "
                 "than %s seconds..", n, req->url, kumo__buf_str(&secs));
        kumo__buf_release(&secs);
    } else if (host) {
        snprintf(buf, len, "DNS lookup failed: no results for hostname lookup: %s.", host);
    } else if (detail && *detail && (err == KUMO_ETOOBIG || !known)) {
        snprintf(buf, len, "%s", detail);
    } else {
        snprintf(buf, len, "%s", fixed);
    }
    kumo_free(host);
    return buf;
}
