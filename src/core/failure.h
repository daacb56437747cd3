/* failure.h - what an errback receives: the failed request, the error, and for an
 * HttpError the response. */
#ifndef KUMO_FAILURE_H
#define KUMO_FAILURE_H

#include "kumo-int.h"

struct kumo_failure {
    kumo_request *req;          /* borrowed */
    int err;                    /* KUMO_ETIMEDOUT, KUMO_EHTTP, KUMO_EIGNORED... */
    const char *message;        /* borrowed */
    kumo_response *res;         /* borrowed; NULL unless err is KUMO_EHTTP */
};

/* Scrapy's name for the exception type of err ("TimeoutError"...).  Static. */
const char *kumo__failure_type_name(int err);

#endif
