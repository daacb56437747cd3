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
extern const kumo_dlmw_def kumo_dlmw_useragent, kumo_dlmw_defaultheaders,
    kumo_dlmw_downloadtimeout, kumo_dlmw_retry, kumo_dlmw_redirect, kumo_dlmw_httpcompression,
    kumo_dlmw_stats;
extern const kumo_dlmw_def kumo_dlmw_httpcache;     /* httpcache.c */
extern const kumo_dlmw_def kumo_dlmw_robotstxt;     /* robotstxt.c */
extern const kumo_dlmw_def kumo_dlmw_httpauth, kumo_dlmw_httpproxy; /* own files */
extern const kumo_dlmw_def kumo_dlmw_cookies, kumo_dlmw_metarefresh; /* own files */
/* redirect.c: Scrapy's _build_redirect_request + _redirect, for Redirect and MetaRefresh.
 * Follow req to the absolute url (GET without a body when to_get) for reason (a status or
 * "meta refresh"; takes ownership): KUMO_EDONE with a new reference in *next, or
 * KUMO_EIGNORED (scheme not allowed, max redirections reached; logged). */
int kumo__redirect_follow(kumo_crawler *c, kumo_request *req, const char *url, bool to_get,
                          kumo_value reason, kumo_request **next);
/* referer.c: Scrapy's RefererMiddleware.request_scheduled: re-check the Referer header of
 * the redirected request req against its referrer policy (drop or change it). */
void kumo__referer_redirected(kumo_crawler *c, kumo_request *req);
extern const kumo_spmw_def kumo_spmw_httperror, kumo_spmw_offsite, kumo_spmw_referer,
    kumo_spmw_urllength, kumo_spmw_depth;

/* The built-in tables (builtin.c), in listing order, NULL-terminated. */
extern const kumo_dlmw_def *const kumo_builtin_dlmws[];
extern const kumo_spmw_def *const kumo_builtin_spmws[];
extern const kumo_pipeline_def *const kumo_builtin_pipelines[];

#endif
