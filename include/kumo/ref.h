/* kumo/ref.h - trackref: every long-lived object knows its class and its birth time. */
#ifndef KUMO_REF_H
#define KUMO_REF_H

#include <stddef.h>
#include <stdio.h>

typedef struct kumo_ref kumo_ref;
typedef struct kumo_class kumo_class;

/*
 * Who holds what (holders(), paths(), hpy.heap().byrcs, LeakWatch): a holder reports each
 * reference it keeps to a tracked object by calling visit(ctx, place, obj) once per
 * reference, place saying where inside the holder it hangs, as the console spells it:
 * ".meta['referer']", "['page']", ".kept[3]" (borrowed for the call; obj borrowed).
 */
typedef void (*kumo_ref_visit_fn)(void *ctx, const char *place, kumo_ref *obj);

/* The header every tracked object starts with (its first member). */
struct kumo_ref {
    const kumo_class *cls;      /* concrete class: HtmlResponse, Request, QuotesSpider... */
    double born;                /* kumo_now() at creation */
    kumo_ref *prev, *next;      /* the live objects of cls, oldest first */
};

/* A tracked class: a name, a parent and its live list.  Statically allocated or interned. */
struct kumo_class {
    const char *name;
    kumo_class *parent;         /* NULL for a root class */
    /* Shared objects: take and drop one reference given the header (NULL if not shared). */
    void (*retain)(kumo_ref *obj);
    void (*release)(kumo_ref *obj);
    /*
     * Optional: write obj's repr ("<GET https://a.test/>") to out[0..cap), NUL-terminated
     * and cut short if need be, and return its full length, as snprintf() does.  A class
     * without one uses its parent's; read it through kumo_ref_repr().
     */
    size_t (*repr)(const kumo_ref *obj, char *out, size_t cap);
    /* Internal: the live list and its length.  Read through the functions below. */
    kumo_ref *head, *tail;
    size_t live;
    kumo_class *next_class;     /* registry of every class seen, in registration order */
    int registered;
    /*
     * Objects of this class kept in a compact form rather than as objects (a memory queue's
     * packed requests): their keeper reports how many and the birth time of the oldest
     * (0 when none).  They count in kumo_ref_count() and prefs, not in iteration.
     */
    size_t (*dormant)(void *ctx, double *oldest_born);
    void *dormant_ctx;
    /*
     * Optional: report every reference obj holds to a tracked object (its meta, fields,
     * state...) through visit, as kumo_map_refs() does.  Computed only when asked (the
     * console's holders(), paths(), LeakWatch's warning): never on the crawl's hot path.
     * A class without one uses its parent's.
     */
    void (*refs)(const kumo_ref *obj, kumo_ref_visit_fn visit, void *ctx);
    /* Optional (shared classes): how many references obj has now.  A class without one
     * uses its parent's; none at all: not counted. */
    unsigned (*refcount)(const kumo_ref *obj);
};

/* Declare or name a built-in class object (Request, HtmlResponse, Item, Selector, Spider...). */
#define KUMO_CLASS(name) kumo_class_##name
#define KUMO_CLASS_DECLARE(name) extern kumo_class KUMO_CLASS(name)

KUMO_CLASS_DECLARE(Request);
KUMO_CLASS_DECLARE(FormRequest);
KUMO_CLASS_DECLARE(JsonRequest);
KUMO_CLASS_DECLARE(Response);
KUMO_CLASS_DECLARE(TextResponse);
KUMO_CLASS_DECLARE(HtmlResponse);
KUMO_CLASS_DECLARE(XmlResponse);
KUMO_CLASS_DECLARE(Item);
KUMO_CLASS_DECLARE(Selector);
KUMO_CLASS_DECLARE(SelectorList);
KUMO_CLASS_DECLARE(Spider);

/* Seconds on the monotonic clock. */
double kumo_now(void);

/* Link obj into cls's live list as its newest member and stamp its birth time. */
void kumo_ref_init(kumo_ref *obj, kumo_class *cls);

/* Unlink obj from its class's live list (the last unref of a tracked object calls this). */
void kumo_ref_fini(kumo_ref *obj);

/*
 * Write obj's repr to out[0..cap) as snprintf() does and return its full length: the repr
 * hook of obj's class or of its nearest ancestor with one, else "<ClassName>" (JSON feeds,
 * the console).  Call again with a bigger out when the result is >= cap.
 */
size_t kumo_ref_repr(const kumo_ref *obj, char *out, size_t cap);

/* Returns 1 when cls is sub or one of sub's ancestors. */
int kumo_class_is(const kumo_class *sub, const kumo_class *cls);

/*
 * Returns the class named name, or NULL.  Every built-in class is known; others once an
 * object of theirs has been created or they were passed to kumo_class_register().
 */
kumo_class *kumo_class_find(const char *name);

/* Make cls known to kumo_class_find() and prefs (kumo_ref_init() does it too). */
void kumo_class_register(kumo_class *cls);

/*
 * Returns a class named name with parent, creating it on first use (a spider plugin's own
 * class, "QuotesSpider" under Spider).  Borrowed, valid until kumo_class_cleanup().
 */
kumo_class *kumo_class_intern(const char *name, kumo_class *parent);

/* Free interned classes that have no live objects (process exit, tests). */
void kumo_class_cleanup(void);

/* Returns the live count of exactly cls (not its subclasses), dormant objects included. */
size_t kumo_ref_count(const kumo_class *cls);

/* Returns the oldest live object of exactly cls, or NULL.  Borrowed. */
kumo_ref *kumo_ref_oldest(const kumo_class *cls);

/* Iterate the live objects of cls, oldest first: for (r = first(c); r; r = r->next). */
kumo_ref *kumo_ref_first(const kumo_class *cls);

/* Iterate the registered classes: for (c = kumo_class_first(); c; c = c->next_class). */
kumo_class *kumo_class_first(void);

/* Returns the live objects of every class, summed (tests assert it is 0 at the end). */
size_t kumo_ref_total(void);

/*
 * Write Scrapy's print_live_refs() report to f: "Live References", a blank line, then one
 * "%-30s %6zu   oldest: %ds ago" row per class with live objects, sorted by name, then a
 * blank line.  Classes in ignore[0..nignore) and their subclasses are left out.
 */
void kumo_prefs(FILE *f, kumo_class *const *ignore, size_t nignore);

#endif
