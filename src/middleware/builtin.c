/* builtin.c - the tables of built-in downloader middlewares, spider middlewares, pipelines. */
#include "middleware/mw.h"
#include "core/registry.h"

/* Scrapy's DOWNLOADER_MIDDLEWARES_BASE order, for the ones kumo has. */
const kumo_dlmw_def *const kumo_builtin_dlmws[] = {
    &kumo_dlmw_robotstxt,           /* 100 */
    &kumo_dlmw_httpauth,            /* 300 */
    &kumo_dlmw_downloadtimeout,     /* 350 */
    &kumo_dlmw_defaultheaders,      /* 400 */
    &kumo_dlmw_useragent,           /* 500 */
    &kumo_dlmw_retry,               /* 550 */
    &kumo_dlmw_metarefresh,         /* 580 */
    &kumo_dlmw_httpcompression,     /* 590 */
    &kumo_dlmw_redirect,            /* 600 */
    &kumo_dlmw_cookies,             /* 700 */
    &kumo_dlmw_httpproxy,           /* 750 */
    &kumo_dlmw_stats,               /* 850 */
    &kumo_dlmw_httpcache,           /* 900 */
    NULL,
};

/* Scrapy's SPIDER_MIDDLEWARES_BASE. */
const kumo_spmw_def *const kumo_builtin_spmws[] = {
    &kumo_spmw_httperror,           /* 50 */
    &kumo_spmw_offsite,             /* 500 */
    &kumo_spmw_referer,             /* 700 */
    &kumo_spmw_urllength,           /* 800 */
    &kumo_spmw_depth,               /* 900 */
    NULL,
};

/* No built-in item pipeline yet (Scrapy has none enabled by default either). */
const kumo_pipeline_def *const kumo_builtin_pipelines[] = {
    NULL,
};

/* Core builds its chains from what is registered: these tables, in their order. */
KUMO_REGISTER(register_builtins)
{
    for (int i = 0; kumo_builtin_dlmws[i]; i++)
        kumo__register(KUMO_REG_DLMW, kumo_builtin_dlmws[i], i);
    for (int i = 0; kumo_builtin_spmws[i]; i++)
        kumo__register(KUMO_REG_SPMW, kumo_builtin_spmws[i], i);
    for (int i = 0; kumo_builtin_pipelines[i]; i++)
        kumo__register(KUMO_REG_PIPELINE, kumo_builtin_pipelines[i], i);
}
