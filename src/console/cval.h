/* cval.h - the console's value model: refcounted Python-shaped values (None, bool, int,
 * float, str, bytes, list, tuple, dict, functions, native objects), the type table they
 * answer through, and the evaluation context that carries errors and output.  What values
 * do is in object.h (the protocol) and the built-in types' files (num, seq, str, dict,
 * func). */
#ifndef KUMO_CVAL_H
#define KUMO_CVAL_H

#include "kumo-int.h"
#include "util/buf.h"

/* Bounds on what one console line may build. */
#define CV_STR_MAX ((size_t)1 << 20)        /* bytes in a str or bytes built by an operation */
#define CV_LIST_MAX ((size_t)100000)        /* items in a list, tuple or dict */
#define CV_DEPTH_MAX 64                     /* nesting of containers */
#define CV_STEPS_MAX ((uint64_t)5000000)    /* evaluation steps per line */
#define CV_ERRMSG_MAX 512

typedef enum cv_type {
    CV_NONE,
    CV_BOOL,
    CV_INT,
    CV_FLOAT,
    CV_STR,
    CV_BYTES,
    CV_LIST,
    CV_TUPLE,
    CV_DICT,
    CV_SLICE,       /* seq of 3: start, stop, step (each may be None) */
    CV_FUNC,        /* builtin function, or a method bound to self */
    CV_NATIVE,      /* an object with a vtable: kumo objects, classes, heap views... */
} cv_type;

typedef struct cval cval;
typedef struct cv_ctx cv_ctx;

typedef struct cv_kw {
    const char *name;
    cval *v;                        /* borrowed */
} cv_kw;

/* The arguments of a call: all borrowed for the duration of the call. */
typedef struct cv_args {
    cval **v;
    size_t n;
    cv_kw *kw;
    size_t nkw;
} cv_args;

/* A builtin function or method; self is NULL for plain functions.  Returns a new reference,
 * or NULL with an error raised in c. */
typedef cval *(*cv_fn)(cv_ctx *c, cval *self, const cv_args *a);

/* A method of a type: the name dir() lists and the function called with self. */
typedef struct cv_method {
    const char *name;
    cv_fn fn;
} cv_method;

/*
 * A type: what its values can do (CPython's type slots, Lua's metatables).  Every value,
 * built-in (str, list...) or native (a Request view, hpy...), answers through one of these,
 * found by cv_type_of() (console/object.h); the evaluator never asks what a value is.
 * Every hook may be NULL: object.c then gives Python's default or error.  Hooks that return
 * cval * return a new reference, or NULL with an error raised (getattr may return NULL
 * without raising: the caller then looks in methods and raises AttributeError; binop may
 * return NULL without raising: not for these operands).
 */
typedef struct cv_vtable {
    const char *name;               /* type name for errors; see tname */
    const char *(*tname)(cval *self);   /* dynamic type name ("HtmlResponse"), or NULL */
    cval *(*getattr)(cv_ctx *c, cval *self, const char *name);
    cval *(*getitem)(cv_ctx *c, cval *self, cval *key);
    int (*len)(cv_ctx *c, cval *self, size_t *n);           /* KUMO_OK or error raised */
    cval *(*iter)(cv_ctx *c, cval *self);                   /* a new list of the items */
    int (*repr)(cv_ctx *c, cval *self, kumo_buf *out);      /* KUMO_OK or KUMO_ETOOBIG */
    int (*str)(cv_ctx *c, cval *self, kumo_buf *out);       /* str(); NULL: repr */
    cval *(*call)(cv_ctx *c, cval *self, const cv_args *a);
    int (*same)(cval *a, cval *b);  /* identity for `is` and ==: same underlying object */
    void (*free)(void *p);          /* frees a native's p (NULL: p is not owned) */
    const char *const *attrs;       /* attribute names for dir(), NULL-terminated */
    /* truth value: 1, 0, or -1 with an error (NULL: len() != 0 when len, else true) */
    int (*truthy)(cv_ctx *c, cval *self);
    /* a == b with self a: 1, 0, or -1 with an error (NULL: a is b) */
    int (*equal)(cv_ctx *c, cval *a, cval *b);
    /* ordering of a and b into *cmp (-1, 0, 1; 2: unordered): KUMO_OK, KUMO_EDECLINED when
     * a's type cannot order b, or KUMO_EINVAL with an error raised naming opname ("<") */
    int (*compare)(cv_ctx *c, cval *a, cval *b, const char *opname, int *cmp);
    /* item in self: 1, 0, or -1 with an error (NULL: search the items of iter) */
    int (*contains)(cv_ctx *c, cval *self, cval *item);
    /* a op b (op a cp_op, console/parser.h), asked of a's type then b's */
    cval *(*binop)(cv_ctx *c, int op, cval *a, cval *b);
    cval *(*unary)(cv_ctx *c, int op, cval *self);          /* -x, +x, ~x; NULL: not mine */
    /* the tracked object a view shows (borrowed), NULL with ReferenceError raised when it
     * is gone; NULL slot: not a view of a tracked object */
    kumo_ref *(*ref)(cv_ctx *c, cval *self);
    const cv_method *methods;       /* bound on attribute access, listed by dir(); ends
                                     * with {NULL} */
} cv_vtable;

struct cval {
    unsigned refs;                  /* 0: immortal (None, True, False) */
    uint8_t type;                   /* cv_type */
    uint8_t depth;                  /* container nesting, for CV_DEPTH_MAX */
    union {
        int b;
        int64_t i;
        double f;
        struct {
            char *s;                /* NUL-terminated, owned */
            size_t len;
        } s;
        struct {
            cval **v;               /* one reference each */
            size_t len, cap;
        } seq;
        struct {
            cval **k, **v;          /* one reference each */
            size_t len, cap;
        } dict;
        struct {
            const char *name;       /* static */
            cv_fn fn;
            cval *self;             /* one reference, or NULL */
        } fn;
        struct {
            const cv_vtable *vt;
            void *p;                /* freed with vt->free */
            cval *owner;            /* one reference, or NULL: what keeps p alive */
        } nat;
    } u;
};

/* The evaluation context of one console line. */
struct cv_ctx {
    struct kumo_repl *repl;         /* the session (variables, `_`) */
    kumo_crawler *crawler;          /* NULL: no crawl */
    kumo_buf *out;                  /* what the line prints (bounded) */
    bool truncated;                 /* out reached its cap */
    const char *etype;              /* exception raised ("NameError"), NULL when none */
    char emsg[CV_ERRMSG_MAX];
    uint64_t steps;
    int done;                       /* exit() or quit() was called */
};

/* ---- constructors: each returns a new reference ---- */
cval *cv_none(void);
cval *cv_bool(int b);
cval *cv_int(int64_t i);
cval *cv_float(double f);
/* Copies s; no size check (callers building from input check CV_STR_MAX first). */
cval *cv_strn(const char *s, size_t len);
cval *cv_str(const char *s);
cval *cv_bytesn(const char *s, size_t len);
/* Takes ownership of s (kumo_alloc'd, NUL-terminated at len). */
cval *cv_str_take(char *s, size_t len);
cval *cv_list_new(void);
cval *cv_tuple_new(void);
cval *cv_dict_new(void);
cval *cv_slice_new(void);       /* fill with cv_seq_push: start, stop, step */
/* self may be NULL; takes a new reference on self. */
cval *cv_func(const char *name, cv_fn fn, cval *self);
/* Takes ownership of p (freed with vt->free) and of the reference owner (may be NULL). */
cval *cv_native(const cv_vtable *vt, void *p, cval *owner);

cval *cv_ref(cval *v);
void cv_unref(cval *v);

/* Append v to a list/tuple/slice being built; takes ownership of v.  KUMO_OK, or an error
 * raised (MemoryError, RecursionError) and v dropped. */
int cv_seq_push(cv_ctx *c, cval *seq, cval *v);
/* Check that v may go into parent (CV_DEPTH_MAX) and grow parent's depth.  KUMO_OK, or
 * RecursionError raised (v untouched). */
int cv_adopt(cv_ctx *c, cval *parent, cval *v);

/* ---- errors ---- */
/* Raise type ("NameError") with a printf message; returns NULL for `return cv_raise(...)`. */
cval *cv_raise(cv_ctx *c, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same, returning KUMO_EINVAL. */
int cv_raisei(cv_ctx *c, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- output ---- */
/*
 * Append n bytes to b; when b's cap would be passed, append what fits and return
 * KUMO_ETOOBIG (setting c->truncated when b is c->out).
 */
int cv_write(cv_ctx *c, kumo_buf *b, const void *p, size_t n);
int cv_writes(cv_ctx *c, kumo_buf *b, const char *s);
int cv_writef(cv_ctx *c, kumo_buf *b, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Print text to the line's output (prefs(), est()...).  KUMO_OK or KUMO_ETOOBIG. */
int cv_print(cv_ctx *c, const char *s, size_t n);

/* What `is` compares by default: the object a native shows, or the value itself. */
const void *cv_identity(const cval *v);

/* The console's heap tag (type "console"). */
kumo_tag cv_tag(void);

#endif
