/* builtin.c - the tables of built-in downloader middlewares, spider middlewares, pipelines. */
#include "middleware/mw.h"
#include "core/registry.h"

/* Scrapy's DOWNLOADER_MIDDLEWARES_BASE order, for the ones kumo has. */
const kumo_dlmw_def *const kumo__builtin_dlmws[] = {
    &kumo__dlmw_robotstxt,           /* 100 */
    &kumo__dlmw_httpauth,            /* 300 */
    &kumo__dlmw_downloadtimeout,     /* 350 */
    &kumo__dlmw_defaultheaders,      /* 400 */
    &kumo__dlmw_useragent,           /* 500 */
    &kumo__dlmw_retry,               /* 550 */
    &kumo__dlmw_metarefresh,         /* 580 */
    &kumo__dlmw_httpcompression,     /* 590 */
    &kumo__dlmw_redirect,            /* 600 */
    &kumo__dlmw_cookies,             /* 700 */
    &kumo__dlmw_httpproxy,           /* 750 */
    &kumo__dlmw_stats,               /* 850 */
    &kumo__dlmw_httpcache,           /* 900 */
    NULL,
};

/* Scrapy's SPIDER_MIDDLEWARES_BASE. */
const kumo_spmw_def *const kumo__builtin_spmws[] = {
    &kumo__spmw_httperror,           /* 50 */
    &kumo__spmw_offsite,             /* 500 */
    &kumo__spmw_referer,             /* 700 */
    &kumo__spmw_urllength,           /* 800 */
    &kumo__spmw_depth,               /* 900 */
    NULL,
};

/* No built-in item pipeline yet (Scrapy has none enabled by default either). */
const kumo_pipeline_def *const kumo__builtin_pipelines[] = {
    NULL,
};

/* Core builds its chains from what is registered: these tables, in their order. */
KUMO_REGISTER(register_builtins)
{
    for (int i = 0; kumo__builtin_dlmws[i]; i++)
        kumo__register(KUMO_REG_DLMW, kumo__builtin_dlmws[i], i);
    for (int i = 0; kumo__builtin_spmws[i]; i++)
        kumo__register(KUMO_REG_SPMW, kumo__builtin_spmws[i], i);
    for (int i = 0; kumo__builtin_pipelines[i]; i++)
        kumo__register(KUMO_REG_PIPELINE, kumo__builtin_pipelines[i], i);
}
