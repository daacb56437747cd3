/* ref.c - trackref: per-class intrusive live lists, oldest first, and the prefs report. */
#include "kumo-int.h"
#include "util/lock.h"
#include <pthread.h>
#include <time.h>

#define CLASS(nm, par) kumo_class KUMO_CLASS(nm) = {.name = #nm, .parent = par}

CLASS(Request, NULL);
CLASS(FormRequest, &KUMO_CLASS(Request));
CLASS(JsonRequest, &KUMO_CLASS(Request));
CLASS(Response, NULL);
CLASS(TextResponse, &KUMO_CLASS(Response));
CLASS(HtmlResponse, &KUMO_CLASS(TextResponse));
CLASS(XmlResponse, &KUMO_CLASS(TextResponse));
CLASS(Item, NULL);
CLASS(Selector, NULL);
CLASS(SelectorList, NULL);
CLASS(Spider, NULL);

static kumo_class *builtin[] = {
    &KUMO_CLASS(Request),     &KUMO_CLASS(FormRequest),  &KUMO_CLASS(JsonRequest),
    &KUMO_CLASS(Response),    &KUMO_CLASS(TextResponse), &KUMO_CLASS(HtmlResponse),
    &KUMO_CLASS(XmlResponse), &KUMO_CLASS(Item),         &KUMO_CLASS(Selector),
    &KUMO_CLASS(SelectorList), &KUMO_CLASS(Spider),
};

static kumo_class *first_class, *last_class;
static bool builtins_done;

/*
 * The live lists and the class registry change on the loop thread and on parse threads
 * (a callback's items, requests and selectors): under this lock, private to this file.  A
 * reader elsewhere copies what it needs with kumo__refs_snapshot(), or walks the lists while
 * no callback can run (the console holds the spider's lock).  Recursive: a failed assert
 * inside it prints the live references (assert_report() takes a snapshot).
 */
static pthread_mutex_t refs_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

/* Interned classes (spider plugins' own), owned here. */
typedef struct interned {
    kumo_class cls;
    struct interned *next;
    char name[];
} interned;
static interned *interned_list;

double kumo_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A failed assert's report (util/log.c): Scrapy's print_live_refs(). */
static void assert_report(FILE *f)
{
    kumo_prefs(f, NULL, 0);
}

static void class_register(kumo_class *cls);

/* The first class registered (the first object made) also installs the assert's report.
 * Under refs_lock. */
static void register_builtins(void)
{
    if (builtins_done)
        return;
    builtins_done = true;
    kumo__assert_set_report(assert_report);
    for (size_t i = 0; i < KUMO_ARRAY_LEN(builtin); i++)
        class_register(builtin[i]);
}

/* Under refs_lock. */
static void class_register(kumo_class *cls)
{
    if (cls->registered)
        return;
    register_builtins();
    if (cls->registered)        /* it was one of the built-ins */
        return;
    for (kumo_class *p = cls->parent; p; p = p->parent)
        class_register(p);
    cls->registered = 1;
    cls->next_class = NULL;
    if (last_class)
        last_class->next_class = cls;
    else
        first_class = cls;
    last_class = cls;
}

void kumo_class_register(kumo_class *cls)
{
    pthread_mutex_lock(&refs_lock);
    class_register(cls);
    pthread_mutex_unlock(&refs_lock);
}

kumo_class *kumo_class_first(void)
{
    pthread_mutex_lock(&refs_lock);
    register_builtins();
    pthread_mutex_unlock(&refs_lock);
    return first_class;
}

kumo_class *kumo_class_find(const char *name)
{
    for (kumo_class *c = kumo_class_first(); c; c = c->next_class)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

kumo_class *kumo_class_intern(const char *name, kumo_class *parent)
{
    pthread_mutex_lock(&refs_lock);
    register_builtins();
    for (kumo_class *c = first_class; c; c = c->next_class)
        if (strcmp(c->name, name) == 0) {
            pthread_mutex_unlock(&refs_lock);
            return c;
        }
    size_t n = strlen(name) + 1;
    interned *in = kumo_calloc(1, sizeof(*in) + n, KUMO_T_SPIDER, KUMO_V_DICT);
    memcpy(in->name, name, n);
    in->cls.name = in->name;
    in->cls.parent = parent;
    in->next = interned_list;
    interned_list = in;
    class_register(&in->cls);
    pthread_mutex_unlock(&refs_lock);
    return &in->cls;
}

void kumo_class_cleanup(void)
{
    interned **pp = &interned_list;
    while (*pp) {
        interned *in = *pp;
        if (in->cls.live) {
            pp = &in->next;
            continue;
        }
        /* unlink from the registry */
        kumo_class *prev = NULL;
        for (kumo_class *c = first_class; c; prev = c, c = c->next_class) {
            if (c != &in->cls)
                continue;
            if (prev)
                prev->next_class = c->next_class;
            else
                first_class = c->next_class;
            if (last_class == c)
                last_class = prev;
            break;
        }
        *pp = in->next;
        kumo_free(in);
    }
}

void kumo_ref_init(kumo_ref *obj, kumo_class *cls)
{
    double born = kumo_now();
    kumo__lock_spin(&refs_lock);
    class_register(cls);
    obj->cls = cls;
    obj->born = born;
    obj->next = NULL;
    obj->prev = cls->tail;
    if (cls->tail)
        cls->tail->next = obj;
    else
        cls->head = obj;
    cls->tail = obj;
    cls->live++;
    pthread_mutex_unlock(&refs_lock);
}

void kumo_ref_fini(kumo_ref *obj)
{
    kumo_class *cls = (kumo_class *)obj->cls;
    kumo__lock_spin(&refs_lock);
    kumo_assert(cls && cls->live > 0);
    if (obj->prev)
        obj->prev->next = obj->next;
    else
        cls->head = obj->next;
    if (obj->next)
        obj->next->prev = obj->prev;
    else
        cls->tail = obj->prev;
    cls->live--;
    obj->prev = obj->next = NULL;
    obj->cls = NULL;
    pthread_mutex_unlock(&refs_lock);
}

int kumo_class_is(const kumo_class *sub, const kumo_class *cls)
{
    for (; sub; sub = sub->parent)
        if (sub == cls)
            return 1;
    return 0;
}

/* Dormant objects of cls (see kumo_class.dormant), and the birth of the oldest into *born. */
static size_t dormant(const kumo_class *cls, double *born)
{
    *born = 0;
    return cls->dormant ? cls->dormant(cls->dormant_ctx, born) : 0;
}

size_t kumo_ref_count(const kumo_class *cls)
{
    double born;
    return cls->live + dormant(cls, &born);
}

kumo_ref *kumo_ref_oldest(const kumo_class *cls)
{
    return cls->head;
}

kumo_ref *kumo_ref_first(const kumo_class *cls)
{
    return cls->head;
}

size_t kumo_ref_total(void)
{
    size_t n = 0;
    pthread_mutex_lock(&refs_lock);
    for (kumo_class *c = kumo_class_first(); c; c = c->next_class)
        n += kumo_ref_count(c);
    pthread_mutex_unlock(&refs_lock);
    return n;
}

kumo_refs_row *kumo__refs_snapshot(size_t *n)
{
    pthread_mutex_lock(&refs_lock);
    register_builtins();
    size_t k = 0;
    for (kumo_class *c = first_class; c; c = c->next_class)
        k++;
    kumo_refs_row *v = kumo_alloc((k ? k : 1) * sizeof(*v), KUMO_T_LIST, KUMO_V_NONE);
    k = 0;
    for (kumo_class *c = first_class; c; c = c->next_class) {
        double born;
        size_t live = c->live + dormant(c, &born);
        v[k++] = (kumo_refs_row){c, live, c->head ? c->head->born : 0, born};
    }
    pthread_mutex_unlock(&refs_lock);
    *n = k;
    return v;
}

static int by_name(const void *a, const void *b)
{
    const kumo_refs_row *x = *(const kumo_refs_row *const *)a;
    const kumo_refs_row *y = *(const kumo_refs_row *const *)b;
    return strcmp(x->cls->name, y->cls->name);
}

void kumo__prefs_rows(FILE *f, const kumo_refs_row *rows, size_t nrows,
                      kumo_class *const *ignore, size_t nignore)
{
    const kumo_refs_row **v = kumo_alloc((nrows ? nrows : 1) * sizeof(*v), KUMO_T_LIST,
                                         KUMO_V_NONE);
    size_t n = 0;
    for (size_t k = 0; k < nrows; k++) {
        bool skip = !rows[k].live;
        for (size_t i = 0; i < nignore && !skip; i++)
            skip = kumo_class_is(rows[k].cls, ignore[i]);
        if (!skip)
            v[n++] = &rows[k];
    }
    qsort(v, n, sizeof(*v), by_name);
    double now = kumo_now();
    fputs("Live References\n\n", f);
    for (size_t i = 0; i < n; i++) {
        double born = v[i]->dormant_born, oldest = v[i]->oldest_born ? v[i]->oldest_born : now;
        if (born > 0 && born < oldest)
            oldest = born;
        fprintf(f, "%-30s %6zu   oldest: %ds ago\n", v[i]->cls->name, v[i]->live,
                (int)(now - oldest));
    }
    fputc('\n', f);
    kumo_free(v);
}

void kumo_prefs(FILE *f, kumo_class *const *ignore, size_t nignore)
{
    size_t n;
    kumo_refs_row *rows = kumo__refs_snapshot(&n);
    kumo__prefs_rows(f, rows, n, ignore, nignore);
    kumo_free(rows);
}
