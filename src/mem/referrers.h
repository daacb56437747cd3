/* referrers.h - who holds a tracked object: every reference kumo can account for, walked on
 * demand from the engine's structures (roots) and the live objects' refs hooks, for the
 * console's holders(), paths() and hpy.heap().byrcs and for LeakWatch's warning.  Nothing is
 * recorded while the crawl runs: each question walks what is alive now, bounded. */
#ifndef KUMO_REFERRERS_H
#define KUMO_REFERRERS_H

#include "kumo-int.h"
#include "mem/heapview.h"

/* References walked per question at most: past it the answer says it stopped short. */
#define KUMO_REFSCAN_MAX ((size_t)4000000)

/*
 * Roots: structures of a floor above mem that hold tracked objects (the scheduler's queue,
 * the downloader's slots, the scraper's queue, the spider, item pipelines).  A root walker
 * reports each reference through visit: holder is the structure as holders() names it
 * ("scheduler queue (priority 0)"), kind its kind for byrcs and LeakWatch ("scheduler
 * queue"), path its console spelling for paths() ("engine.slot.scheduler.mqs[3]"), place
 * where inside it ("" or ".kept[3]"); all borrowed for the call.
 */
typedef void (*kumo__root_visit_fn)(void *vctx, const char *holder, const char *kind,
                                    const char *path, const char *place, kumo_ref *obj);
typedef void (*kumo__roots_fn)(void *rctx, kumo__root_visit_fn visit, void *vctx);

/* Add (fn, rctx) to the roots walked (core adds the crawl's at start), and remove it.  At most
 * 8 at once (asserted). */
void kumo__ref_roots_add(kumo__roots_fn fn, void *rctx);
void kumo__ref_roots_remove(kumo__roots_fn fn, void *rctx);

/* One reference: from a root (holder NULL) or from a live object (holder set). */
typedef struct kumo_ref_edge {
    kumo_ref *holder;           /* the holding object, or NULL: a root */
    const char *root;           /* a root's holder text ("scheduler queue (priority 0)") */
    const char *kind;           /* a root's kind ("scheduler queue") */
    const char *path;           /* a root's console path ("engine.slot.scheduler.mqs[3]") */
    const char *place;          /* where inside the holder: ".meta['referer']", "" */
    kumo_ref *target;           /* the object held */
} kumo_ref_edge;

typedef void (*kumo__edge_fn)(void *ctx, const kumo_ref_edge *e);

/*
 * Call fn for every reference the roots and the live objects report, roots first, each
 * object's references together (all strings borrowed for the call).  Returns how many were
 * walked; *cut (may be NULL) says it stopped at KUMO_REFSCAN_MAX.
 */
size_t kumo__refs_scan(kumo__edge_fn fn, void *ctx, bool *cut);

/* Returns obj's reference count through its class's refcount hook, or 0 with *known false
 * for a class that does not count. */
unsigned kumo__ref_refcount(const kumo_ref *obj, bool *known);

/*
 * The kind of a holder for byrcs: a root's kind, or the holder's class name with the
 * attribute the place starts with ("Request.meta", "Item", "LeakySpider.state").  Written
 * to out[0..cap), NUL-terminated.
 */
void kumo__ref_edge_kind(const kumo_ref_edge *e, char *out, size_t cap);

/*
 * paths(): the shortest chains of references from the roots to obj, breadth first, as the
 * console spells them ("engine.slot.scheduler.mqs[3].meta['referer']").  Calls fn with each
 * (borrowed for the call), at most max of them, shortest first.  Returns how many were
 * given; *cut (may be NULL) says the walk stopped at KUMO_REFSCAN_MAX.
 */
size_t kumo__ref_paths(kumo_ref *obj, size_t max, void (*fn)(void *ctx, const char *path),
                       void *ctx, bool *cut);

/*
 * hpy.heap().byrcs: the live tracked objects whose class want() accepts (want NULL: all),
 * partitioned by the kinds of what refers to them ("Request.meta", "scheduler queue",
 * "Request.meta, scheduler queue", "<no referrer>"), in Guppy's layout (heapview.h,
 * KUMO_PART_BYRCS).  Returns a new partition; *cut as above.
 */
kumo_partition *kumo__byrcs_partition(bool (*want)(const kumo_class *cls, void *ctx), void *ctx,
                                      bool *cut);

/* The heap type an object of cls is allocated as (Request: KUMO_T_REQUEST...), KUMO_T_OTHER
 * for a plugin's own classes: which tracked objects a heap set's byrcs looks at. */
kumo_tag kumo__ref_class_type(const kumo_class *cls);

/* What holds the live objects of a class, grouped: LeakWatch's "held by". */
typedef struct kumo_held_by {
    char label[160];            /* "Request.meta['referer']", "scheduler queue" */
    size_t holders;             /* distinct holders (requests), or root references */
    size_t refs;                /* references to objects of the class */
    char unit[32];              /* what holders counts: "requests", "references" */
} kumo_held_by;

/*
 * Fill out[0..max) with what holds the live objects of exactly cls, most references first
 * (list indices in places read "[*]"), and return how many groups there are.
 */
size_t kumo__held_by(const kumo_class *cls, kumo_held_by *out, size_t max);

#endif
