/* mw.h - downloader middlewares, spider middlewares and item pipelines: ordered chains. */
#ifndef KUMO_MW_H
#define KUMO_MW_H

#include "kumo-int.h"
#include "core/chain.h"
#include "kumo/plugin.h"

/* The component definitions (kumo_dlmw_def, kumo_spmw_def, kumo_pipeline_def) and the
 * meaning of their return codes are in kumo/plugin.h. */

/* The built-ins, one file each in src/middleware/, listed in builtin.c, which registers
 * them with core (core/registry.h). */
extern const kumo_dlmw_def kumo__dlmw_useragent, kumo__dlmw_defaultheaders,
    kumo__dlmw_downloadtimeout, kumo__dlmw_retry, kumo__dlmw_redirect, kumo__dlmw_httpcompression,
    kumo__dlmw_stats;
extern const kumo_dlmw_def kumo__dlmw_httpcache;     /* httpcache.c */
extern const kumo_dlmw_def kumo__dlmw_robotstxt;     /* robotstxt.c */
extern const kumo_dlmw_def kumo__dlmw_httpauth, kumo__dlmw_httpproxy; /* own files */
extern const kumo_dlmw_def kumo__dlmw_cookies, kumo__dlmw_metarefresh; /* own files */
/* redirect.c: Scrapy's _build_redirect_request + _redirect, for Redirect and MetaRefresh.
 * Follow req to the absolute url (GET without a body when to_get) for reason (a status or
 * "meta refresh"; takes ownership): KUMO_EDONE with a new reference in *next, or
 * KUMO_EIGNORED (scheme not allowed, max redirections reached; logged). */
int kumo__redirect_follow(kumo_crawler *c, kumo_request *req, const char *url, bool to_get,
                          kumo_value reason, kumo_request **next);
/* referer.c: Scrapy's RefererMiddleware.request_scheduled: re-check the Referer header of
 * the redirected request req against its referrer policy (drop or change it). */
void kumo__referer_redirected(kumo_crawler *c, kumo_request *req);
extern const kumo_spmw_def kumo__spmw_httperror, kumo__spmw_offsite, kumo__spmw_referer,
    kumo__spmw_urllength, kumo__spmw_depth;

/* The built-in tables (builtin.c), in listing order, NULL-terminated. */
extern const kumo_dlmw_def *const kumo__builtin_dlmws[];
extern const kumo_spmw_def *const kumo__builtin_spmws[];
extern const kumo_pipeline_def *const kumo__builtin_pipelines[];

#endif
