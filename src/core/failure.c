/* failure.c - the failure an errback receives, and the names Scrapy gives its types. */
#include "core/failure.h"

/* The Twisted / Scrapy exception an errback would see for each kumo error. */
static const struct {
    int err;
    const char *type;
} types[] = {
    {KUMO_ETIMEDOUT, "TimeoutError"},
    {KUMO_EDNS, "DNSLookupError"},
    {KUMO_ECONNREFUSED, "ConnectionRefusedError"},
    {KUMO_ECONN, "ConnectionLost"},
    {KUMO_EPROTO, "ResponseFailed"},
    {KUMO_ETOOBIG, "CancelledError"},
    {KUMO_ECANCELED, "CancelledError"},
    {KUMO_EHTTP, "HttpError"},
    {KUMO_EIGNORED, "IgnoreRequest"},
};

const char *kumo__failure_type_name(int err)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(types); i++)
        if (types[i].err == err)
            return types[i].type;
    return "DownloadError";
}

kumo_request *kumo_failure_request(const kumo_failure *f)
{
    return f->req;
}

int kumo_failure_error(const kumo_failure *f)
{
    return f->err;
}

const char *kumo_failure_type(const kumo_failure *f)
{
    return kumo__failure_type_name(f->err);
}

const char *kumo_failure_message(const kumo_failure *f)
{
    return f->message;
}

kumo_response *kumo_failure_response(const kumo_failure *f)
{
    return f->res;
}
