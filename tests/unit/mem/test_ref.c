/* test_ref.c - trackref: live lists, oldest first, parents, the prefs report, and the
 * snapshot of the live lists the loop takes while another thread makes and frees objects. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kumo-int.h"
#include "lib/leakcheck.h"

typedef struct thing {
    kumo_ref ref;
    int n;
} thing;

static void no_live_refs(void)
{
    kumo_class_cleanup();
    kumo_leakcheck_end();
}

TestSuite(ref, .init = kumo_leakcheck_start, .fini = no_live_refs);

Test(ref, live_list_oldest_first)
{
    thing a, b, c;
    kumo_ref_init(&a.ref, &KUMO_CLASS(Request));
    kumo_ref_init(&b.ref, &KUMO_CLASS(Request));
    kumo_ref_init(&c.ref, &KUMO_CLASS(Request));
    cr_assert_eq(kumo_ref_count(&KUMO_CLASS(Request)), 3);
    cr_assert_eq(kumo_ref_oldest(&KUMO_CLASS(Request)), &a.ref);
    kumo_ref_fini(&a.ref);
    cr_assert_eq(kumo_ref_oldest(&KUMO_CLASS(Request)), &b.ref);
    size_t n = 0;
    for (kumo_ref *r = kumo_ref_first(&KUMO_CLASS(Request)); r; r = r->next)
        n++;
    cr_assert_eq(n, 2);
    kumo_ref_fini(&c.ref);
    kumo_ref_fini(&b.ref);
    cr_assert_null(kumo_ref_oldest(&KUMO_CLASS(Request)));
}

Test(ref, class_parents)
{
    cr_assert(kumo_class_is(&KUMO_CLASS(HtmlResponse), &KUMO_CLASS(Response)));
    cr_assert(kumo_class_is(&KUMO_CLASS(HtmlResponse), &KUMO_CLASS(TextResponse)));
    cr_assert_not(kumo_class_is(&KUMO_CLASS(Response), &KUMO_CLASS(HtmlResponse)));
    cr_assert(kumo_class_is(&KUMO_CLASS(FormRequest), &KUMO_CLASS(Request)));
    kumo_class *mine = kumo_class_intern("QuotesSpider", &KUMO_CLASS(Spider));
    cr_assert_eq(kumo_class_intern("QuotesSpider", &KUMO_CLASS(Spider)), mine);
    cr_assert(kumo_class_is(mine, &KUMO_CLASS(Spider)));
    cr_assert_eq(kumo_class_find("QuotesSpider"), mine);
    cr_assert_eq(kumo_class_find("HtmlResponse"), &KUMO_CLASS(HtmlResponse));
    cr_assert_null(kumo_class_find("Nope"));
}

static char *prefs_text(kumo_class *const *ignore, size_t n)
{
    static char buf[4096];
    FILE *f = fmemopen(buf, sizeof(buf), "w");
    kumo_prefs(f, ignore, n);
    fclose(f);
    return buf;
}

Test(ref, prefs_is_scrapys_format)
{
    thing s, r1, r2, h;
    kumo_class *spider = kumo_class_intern("SomenastySpider", &KUMO_CLASS(Spider));
    kumo_ref_init(&s.ref, spider);
    kumo_ref_init(&h.ref, &KUMO_CLASS(HtmlResponse));
    kumo_ref_init(&r1.ref, &KUMO_CLASS(Request));
    kumo_ref_init(&r2.ref, &KUMO_CLASS(Request));
    s.ref.born -= 15.2;         /* 15 seconds old */
    h.ref.born -= 265.9;
    cr_assert_str_eq(prefs_text(NULL, 0),
                     "Live References\n\n"
                     "HtmlResponse                        1   oldest: 265s ago\n"
                     "Request                             2   oldest: 0s ago\n"
                     "SomenastySpider                     1   oldest: 15s ago\n"
                     "\n");
    kumo_class *ign[] = {&KUMO_CLASS(Spider), &KUMO_CLASS(Response)};
    cr_assert_str_eq(prefs_text(ign, 2), "Live References\n\n"
                                         "Request                             2   oldest: 0s ago\n"
                                         "\n");
    kumo_ref_fini(&s.ref);
    kumo_ref_fini(&h.ref);
    kumo_ref_fini(&r1.ref);
    kumo_ref_fini(&r2.ref);
    cr_assert_str_eq(prefs_text(NULL, 0), "Live References\n\n\n");
}

/* A failed assert prints where, then (installed by trackref) the live references. */
Test(ref, failed_assert_prints_the_live_refs)
{
    int fd[2];
    cr_assert_eq(pipe(fd), 0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        dup2(fd[1], 2);
        thing t;
        kumo_ref_init(&t.ref, &KUMO_CLASS(Item));
        kumo_assert(t.ref.cls == NULL);
        _exit(0);
    }
    close(fd[1]);
    char out[1024];
    size_t n = 0;
    while (n < sizeof(out) - 1) {
        ssize_t k = read(fd[0], out + n, sizeof(out) - 1 - n);
        if (k <= 0)
            break;
        n += (size_t)k;
    }
    out[n] = '\0';
    close(fd[0]);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    cr_assert(strstr(out, "kumo: assertion failed at tests/unit/mem/test_ref.c:") == out, "%s",
              out);
    cr_assert(strstr(out, ": t.ref.cls == NULL\nLive References\n\nItem "), "%s", out);
    cr_assert(strstr(out, "      1   oldest: "), "%s", out);
}

static const kumo_refs_row *row_of(const kumo_refs_row *rows, size_t n, const kumo_class *cls)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i].cls == cls)
            return &rows[i];
    return NULL;
}

/* kumo_class.dormant for Item: three packed objects, the oldest born at *ctx. */
static size_t three_dormant(void *ctx, double *oldest_born)
{
    *oldest_born = *(double *)ctx;
    return 3;
}

Test(ref, snapshot_counts_oldest_and_dormant)
{
    kumo_class *mine = kumo_class_intern("SnapSpider", &KUMO_CLASS(Spider));
    thing r1, r2, h;
    kumo_ref_init(&r1.ref, &KUMO_CLASS(Request));
    kumo_ref_init(&r2.ref, &KUMO_CLASS(Request));
    kumo_ref_init(&h.ref, &KUMO_CLASS(HtmlResponse));
    /* ages a millisecond past whole seconds: the report shows the same for almost 1 s */
    double now = kumo_now();
    r1.ref.born = now - 10.001;
    r2.ref.born = now - 50.001;     /* not the oldest: the list's head is */
    h.ref.born = now - 20.001;
    double packed_born = now - 300.001;
    KUMO_CLASS(Item).dormant = three_dormant;
    KUMO_CLASS(Item).dormant_ctx = &packed_born;
    size_t n;
    kumo_refs_row *rows = kumo__refs_snapshot(&n);
    KUMO_CLASS(Item).dormant = NULL;
    KUMO_CLASS(Item).dormant_ctx = NULL;
    /* every registered class, in registration order: the built-ins first, then the spider's */
    size_t i = 0;
    for (kumo_class *c = kumo_class_first(); c; c = c->next_class, i++) {
        cr_assert_lt(i, n);
        cr_assert_eq(rows[i].cls, c, "row %zu", i);
    }
    cr_assert_eq(i, n);
    cr_assert_eq(rows[0].cls, &KUMO_CLASS(Request));
    cr_assert_eq(rows[n - 1].cls, mine);
    const kumo_refs_row *r = row_of(rows, n, &KUMO_CLASS(Request));
    cr_assert_eq(r->live, 2);
    cr_assert_float_eq(r->oldest_born, now - 10.001, 1e-9);
    cr_assert_float_eq(r->dormant_born, 0, 1e-9);
    r = row_of(rows, n, &KUMO_CLASS(HtmlResponse));
    cr_assert_eq(r->live, 1);
    cr_assert_float_eq(r->oldest_born, h.ref.born, 1e-9);
    r = row_of(rows, n, &KUMO_CLASS(Response));
    cr_assert_eq(r->live, 0, "counts are per concrete class");
    cr_assert_float_eq(r->oldest_born, 0, 1e-9);
    r = row_of(rows, n, &KUMO_CLASS(Item));
    cr_assert_eq(r->live, 3, "dormant objects count");
    cr_assert_float_eq(r->oldest_born, 0, 1e-9, "but have no live head");
    cr_assert_float_eq(r->dormant_born, now - 300.001, 1e-9);
    cr_assert_eq(row_of(rows, n, mine)->live, 0);
    /* the prefs report of those rows, as kumo_prefs() writes it */
    char buf[1024];
    FILE *f = fmemopen(buf, sizeof(buf), "w");
    kumo__prefs_rows(f, rows, n, (kumo_class *const[]){&KUMO_CLASS(Spider)}, 1);
    fclose(f);
    cr_assert_str_eq(buf, "Live References\n\n"
                          "HtmlResponse                        1   oldest: 20s ago\n"
                          "Item                                3   oldest: 300s ago\n"
                          "Request                             2   oldest: 10s ago\n"
                          "\n");
    kumo_free(rows);
    kumo_ref_fini(&r1.ref);
    kumo_ref_fini(&r2.ref);
    kumo_ref_fini(&h.ref);
    rows = kumo__refs_snapshot(&n);
    cr_assert_eq(row_of(rows, n, &KUMO_CLASS(Request))->live, 0);
    cr_assert_float_eq(row_of(rows, n, &KUMO_CLASS(Request))->oldest_born, 0, 1e-9);
    kumo_free(rows);
}

#define CHURN_MAX 5000000       /* the thread's rounds at most (it stops when told) */
#define CHURN_MIN 2000          /* the loop takes snapshots until the thread did as many, */
#define SNAPSHOTS_MIN 2000      /* and at least as many snapshots, */
#define SNAPSHOTS_MAX 200000    /* but no more than these, */
#define SECONDS_MAX 10.0        /* nor for longer */
#define LATE_ROUND 100          /* the round in which the thread makes a class of its own */

typedef struct churn {
    kumo_class *x, *y;          /* y's object lives only inside x's: never y without x */
    atomic_bool stop;
    atomic_int rounds;
} churn;

/* Another thread (a parse thread's callback): make and free tracked objects, x around y. */
static void *churn_main(void *arg)
{
    churn *ch = arg;
    thing a, b, late;
    bool has_late = false;
    for (int i = 0; i < CHURN_MAX && !atomic_load(&ch->stop); i++) {
        kumo_ref_init(&a.ref, ch->x);
        kumo_ref_init(&b.ref, ch->y);
        kumo_ref_fini(&b.ref);
        kumo_ref_fini(&a.ref);
        if (i == LATE_ROUND) {
            kumo_ref_init(&late.ref, kumo_class_intern("SnapLate", &KUMO_CLASS(Item)));
            has_late = true;
        }
        atomic_store(&ch->rounds, i + 1);
    }
    if (has_late)
        kumo_ref_fini(&late.ref);
    return NULL;
}

Test(ref, snapshot_while_another_thread_makes_and_frees)
{
    churn ch = {.x = kumo_class_intern("SnapOuter", NULL),
                .y = kumo_class_intern("SnapInner", NULL)};
    atomic_init(&ch.stop, false);
    atomic_init(&ch.rounds, 0);
    size_t prev;                    /* the previous snapshot's rows */
    kumo_refs_row *before = kumo__refs_snapshot(&prev);
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, churn_main, &ch), 0);
    double end = kumo_now() + SECONDS_MAX;
    while (!atomic_load(&ch.rounds) && kumo_now() < end)
        sched_yield();
    size_t with_x = 0;
    int k;
    for (k = 0; k < SNAPSHOTS_MAX && kumo_now() < end &&
                (k < SNAPSHOTS_MIN || atomic_load(&ch.rounds) < CHURN_MIN);
         k++) {
        size_t n;
        kumo_refs_row *rows = kumo__refs_snapshot(&n);
        cr_assert_geq(n, prev, "classes are only added");
        for (size_t i = 0; i < prev; i++)
            cr_assert_eq(rows[i].cls, before[i].cls, "row %zu stays in place", i);
        const kumo_refs_row *x = row_of(rows, n, ch.x), *y = row_of(rows, n, ch.y);
        cr_assert(x && y);
        cr_assert_leq(x->live, 1);
        cr_assert_leq(y->live, x->live, "snapshot %d: SnapInner without SnapOuter", k);
        cr_assert_eq(x->oldest_born != 0, x->live == 1);
        cr_assert_leq(x->oldest_born, kumo_now());
        for (size_t i = 0; i < n; i++)      /* the thread's own class: its one object */
            if (!strcmp(rows[i].cls->name, "SnapLate"))
                cr_assert_leq(rows[i].live, 1);
        with_x += x->live;
        kumo_free(before);
        before = rows;
        prev = n;
    }
    atomic_store(&ch.stop, true);
    cr_assert_eq(pthread_join(th, NULL), 0);
    kumo_free(before);
    size_t n;
    kumo_refs_row *rows = kumo__refs_snapshot(&n);
    cr_assert_eq(row_of(rows, n, ch.x)->live, 0);
    cr_assert_eq(row_of(rows, n, ch.y)->live, 0);
    kumo_free(rows);
    cr_log_info("%d rounds on the thread, %zu of %d snapshots inside one",
                atomic_load(&ch.rounds), with_x, k);
}
