/* registry.h - what the floors above core add to it: built-in middlewares, pipelines and
 * extensions, queue backends, the persistent job.  Each upper floor registers its own from
 * a constructor (KUMO_REGISTER), so that core names none of them, as nginx's core reads
 * ngx_modules[] and never names an http module. */
#ifndef KUMO_REGISTRY_H
#define KUMO_REGISTRY_H

#include "kumo-int.h"

typedef enum kumo_reg_kind {
    KUMO_REG_DLMW,              /* const kumo_dlmw_def *: built-in downloader middlewares */
    KUMO_REG_SPMW,              /* const kumo_spmw_def *: built-in spider middlewares */
    KUMO_REG_PIPELINE,          /* const kumo_pipeline_def *: built-in item pipelines */
    KUMO_REG_EXT,               /* const kumo_ext_def *: built-in extensions */
    KUMO_REG_QUEUE,             /* const kumo_queue_backend *: scheduler queue backends */
    KUMO_REG_JOB,               /* const kumo_job_hooks *: the persistent job (one) */
    KUMO_REG_KINDS
} kumo_reg_kind;

/* Run fn once at program start, before main (a registering upper-floor file uses it). */
#define KUMO_REGISTER(fn)                                                   \
    static void fn(void) __attribute__((constructor));                      \
    static void fn(void)

/*
 * Add def (static, borrowed for the life of the program) to kind's list at rank: lists
 * are read in ascending rank, ties in registration order.  Called from constructors only:
 * a full list is a programming error (asserted).
 */
void kumo__register(kumo_reg_kind kind, const void *def, int rank);

/* kind's defs in rank order, NULL-terminated.  Borrowed, static. */
const void *const *kumo__registered(kumo_reg_kind kind);

/* How many defs kind has. */
size_t kumo__registered_len(kumo_reg_kind kind);

/*
 * The crawl's persistence (JOBDIR), registered by jobs/.  Without it, or without JOBDIR,
 * a crawl starts afresh every time.
 */
typedef struct kumo_job_hooks {
    /* With JOBDIR: open the job, restore stats and state; KUMO_OK without JOBDIR. */
    int (*open)(kumo_crawler *c, char *err, size_t errlen);
    /* Commit and close (after the scheduler's last checkpoint); no-op without a job. */
    void (*close)(kumo_crawler *c);
    /* How many start requests an earlier run scheduled already, and record it. */
    size_t (*start_pos)(const kumo_crawler *c);
    void (*set_start_pos)(kumo_crawler *c, size_t pos);
    /* Whether the crawl continues a job an earlier run left. */
    bool (*resumed)(const kumo_crawler *c);
} kumo_job_hooks;

/* The registered job hooks, or NULL. */
const kumo_job_hooks *kumo__job_hooks(void);

#endif
