/* test_parsepool.c - the parse pool: bodies parsed in workers, reported on the loop thread,
 * skipped jobs reported unparsed, pending jobs dropped when the pool is freed. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "select/parsepool.h"
#include "select/doc.h"
#include "select/pool.h"
#include "lib/leakcheck.h"
#include <pthread.h>
#include <unistd.h>
#include <event2/event.h>

static struct event_base *base;

/* What the pool reported: owners in report order, and each one's document. */
typedef struct seen {
    int done[16];
    kumo_doc *docs[16];
    size_t ndone;
    int dropped[16];
    size_t ndropped;
} seen;

static seen got;
static int owners[16];

static void setup(void)
{
    kumo_leakcheck_start();
    cr_assert_eq(kumo__global_init(), KUMO_OK);
    base = event_base_new();
    cr_assert_not_null(base);
    memset(&got, 0, sizeof(got));
    for (int i = 0; i < 16; i++)
        owners[i] = i;
}

static void teardown(void)
{
    for (size_t i = 0; i < got.ndone; i++)
        kumo__doc_unref(got.docs[i]);
    kumo__pool_drain(0);
    event_base_free(base);
    kumo_leakcheck_end();
}

TestSuite(parsepool, .init = setup, .fini = teardown, .timeout = 60);

/* done: adopt the worker's tree into a document (NULL tree: no document). */
static void on_done(void *ctx, void *owner, kumo_xmldoc d, struct kumo_arena *arena,
                    void *result)
{
    cr_assert_null(result);
    seen *s = ctx;
    cr_assert_lt(s->ndone, 16);
    kumo_doc *doc = NULL;
    if (d) {
        doc = kumo__doc_new(true);
        kumo__doc_adopt(doc, d, arena);
    } else {
        kumo__doc_discard(NULL, arena);
    }
    s->docs[s->ndone] = doc;
    s->done[s->ndone++] = *(int *)owner;
}

static void on_drop(void *owner, void *result)
{
    cr_assert_null(result);
    cr_assert_lt(got.ndropped, 16);
    got.dropped[got.ndropped++] = *(int *)owner;
}

static kumo_parse_src html_src(const char *body)
{
    kumo_parse_src src = {.body = body, .len = strlen(body), .url = "http://pp.example/",
                          .html = true};
    return src;
}

/* Run the loop until nothing is pending (the workers' wake-ups arrive as events). */
static void run_until_idle(kumo_parsepool *p)
{
    while (kumo__parsepool_pending(p) > 0)
        event_base_loop(base, EVLOOP_ONCE);
}

static const char *text_of(kumo_doc *doc)
{
    return kumo_list_get(kumo__doc_select(doc, "p::text", true), "");
}

Test(parsepool, parses_in_a_worker_and_reports_on_the_loop)
{
    int err = -1;
    kumo_parsepool *p = kumo__parsepool_new(base, 2, on_done, on_drop, NULL, &got, &err);
    cr_assert_not_null(p);
    cr_assert_eq(err, KUMO_OK);
    kumo_parse_src a = html_src("<p>alpha</p>");
    kumo_parse_src b = html_src("<p>beta</p>");
    kumo__parsepool_submit(p, &a, &owners[1]);
    kumo__parsepool_submit(p, &b, &owners[2]);
    cr_assert_eq(kumo__parsepool_pending(p), 2);
    cr_assert_eq(got.ndone, 0, "never reported from inside submit");
    run_until_idle(p);
    cr_assert_eq(got.ndone, 2);
    cr_assert_eq(got.ndropped, 0);
    for (size_t i = 0; i < 2; i++) {
        cr_assert_not_null(got.docs[i]);
        cr_assert_str_eq(text_of(got.docs[i]), got.done[i] == 1 ? "alpha" : "beta");
    }
    cr_assert_neq(got.done[0], got.done[1]);
    kumo__parsepool_free(p);
    cr_assert_eq(got.ndropped, 0);
}

Test(parsepool, one_worker_reports_in_submission_order)
{
    int err;
    kumo_parsepool *p = kumo__parsepool_new(base, 1, on_done, on_drop, NULL, &got, &err);
    cr_assert_not_null(p);
    char bodies[8][32];
    kumo_parse_src src[8];
    for (int i = 0; i < 8; i++) {
        snprintf(bodies[i], sizeof(bodies[i]), "<p>job %d</p>", i);
        src[i] = html_src(bodies[i]);
        kumo__parsepool_submit(p, &src[i], &owners[i]);
    }
    run_until_idle(p);
    cr_assert_eq(got.ndone, 8);
    for (int i = 0; i < 8; i++) {
        char want[16];
        snprintf(want, sizeof(want), "job %d", i);
        cr_assert_eq(got.done[i], i);
        cr_assert_str_eq(text_of(got.docs[i]), want);
    }
    kumo__parsepool_free(p);
}

/* With no loop turn to report them, one worker parses two documents ahead and waits: the
 * rest of the bodies stay unparsed until the loop takes the documents. */
Test(parsepool, workers_stay_a_few_documents_ahead)
{
    int err;
    kumo_parsepool *p = kumo__parsepool_new(base, 1, on_done, on_drop, NULL, &got, &err);
    cr_assert_not_null(p);
    char bodies[10][32];
    kumo_parse_src src[10];
    for (int i = 0; i < 10; i++) {
        snprintf(bodies[i], sizeof(bodies[i]), "<p>ahead %d</p>", i);
        src[i] = html_src(bodies[i]);
        kumo__parsepool_submit(p, &src[i], &owners[i]);
        cr_assert_leq(kumo__parsepool_ahead(p), 2);
    }
    cr_assert_eq(kumo__parsepool_pending(p), 10);
    cr_assert_eq(kumo__parsepool_ahead(p), 2);
    for (int turn = 0; turn < 10000 && got.ndone < 10; turn++) {
        event_base_loop(base, EVLOOP_ONCE);
        cr_assert_leq(kumo__parsepool_ahead(p), 2);
    }
    cr_assert_eq(got.ndone, 10);
    for (int i = 0; i < 10; i++)
        cr_assert_eq(got.done[i], i);
    cr_assert_eq(kumo__parsepool_ahead(p), 0);
    kumo__parsepool_free(p);
}

Test(parsepool, skip_reports_without_a_document)
{
    int err;
    kumo_parsepool *p = kumo__parsepool_new(base, 1, on_done, on_drop, NULL, &got, &err);
    cr_assert_not_null(p);
    kumo_parse_src s = html_src("<p>not parsed</p>");
    s.skip = true;
    kumo__parsepool_submit(p, &s, &owners[5]);
    cr_assert_eq(kumo__parsepool_pending(p), 1);
    cr_assert_eq(got.ndone, 0);
    run_until_idle(p);
    cr_assert_eq(got.ndone, 1);
    cr_assert_eq(got.done[0], 5);
    cr_assert_null(got.docs[0]);
    kumo__parsepool_free(p);
}

Test(parsepool, free_drops_what_is_pending)
{
    int err;
    kumo_parsepool *p = kumo__parsepool_new(base, 2, on_done, on_drop, NULL, &got, &err);
    cr_assert_not_null(p);
    kumo_parse_src a = html_src("<p>a</p>");
    kumo_parse_src s = html_src("<p>s</p>");
    s.skip = true;
    kumo__parsepool_submit(p, &a, &owners[3]);
    kumo__parsepool_submit(p, &s, &owners[4]);
    kumo__parsepool_submit(p, &a, &owners[6]);
    /* No loop turn: whether parsed or not, all three are still pending. */
    cr_assert_eq(kumo__parsepool_pending(p), 3);
    kumo__parsepool_free(p);
    cr_assert_eq(got.ndone, 0);
    cr_assert_eq(got.ndropped, 3);
    int sum = 0;
    for (size_t i = 0; i < got.ndropped; i++)
        sum += 1 << got.dropped[i];
    cr_assert_eq(sum, (1 << 3) | (1 << 4) | (1 << 6), "each owner dropped once");
}

Test(parsepool, xml_jobs_use_the_xml_parser)
{
    int err;
    kumo_parsepool *p = kumo__parsepool_new(base, 1, on_done, on_drop, NULL, &got, &err);
    cr_assert_not_null(p);
    kumo_parse_src x = html_src("<Feed><Item>x</Item></Feed>");
    x.html = false;
    kumo__parsepool_submit(p, &x, &owners[7]);
    run_until_idle(p);
    cr_assert_eq(got.ndone, 1);
    cr_assert_not_null(got.docs[0]);
    /* The HTML parser would lower-case the names and add html/body. */
    cr_assert_str_eq(kumo_list_get(kumo__doc_select(got.docs[0], "name(/*)", false), ""),
                     "Feed");
    kumo__parsepool_free(p);
}

static void walk_owner(void *ctx, void *owner)
{
    int *sum = ctx;
    *sum = *sum * 10 + (int)((int *)owner - owners);
}

/* holders() sees the responses waiting for their parse, in submission order. */
Test(parsepool, walk_lists_the_pending_owners)
{
    int err;
    kumo_parsepool *p = kumo__parsepool_new(base, 1, on_done, on_drop, NULL, &got, &err);
    cr_assert_not_null(p);
    kumo_parse_src a = html_src("<p>a</p>");
    kumo__parsepool_submit(p, &a, &owners[2]);
    kumo__parsepool_submit(p, &a, &owners[5]);
    int seq = 0;
    kumo__parsepool_walk(p, walk_owner, &seq);
    cr_assert_eq(seq, 25);
    seq = 0;
    kumo__parsepool_walk(NULL, walk_owner, &seq);
    cr_assert_eq(seq, 0, "no pool: nothing");
    kumo__parsepool_free(p);
}

/* The work hook: on a worker, in submission order, one at a time; its result reaches done. */
typedef struct worked {
    int order[16];
    int n;                      /* hooks run, written by the hook only */
    int inside;                 /* hooks running now: never more than one */
    int overlaps;
    char *results[16];
    int nresults;
} worked;

static worked wk;

static pthread_t test_thread;
static int hooks_off_test_thread;

static void *work_hook(void *ctx, void *owner, kumo_xmldoc d, struct kumo_arena *arena)
{
    worked *w = ctx;
    if (!pthread_equal(pthread_self(), test_thread))
        hooks_off_test_thread++;
    if (__atomic_add_fetch(&w->inside, 1, __ATOMIC_SEQ_CST) != 1)
        __atomic_add_fetch(&w->overlaps, 1, __ATOMIC_SEQ_CST);
    w->order[w->n++] = *(int *)owner;
    char *text = NULL;
    if (d) {
        kumo_doc *doc = kumo__doc_new(true);
        kumo__doc_adopt(doc, d, arena);
        size_t mark = kumo__pool_mark();
        text = kumo_strdup(text_of(doc), KUMO_T_STR, KUMO_V_NONE);
        kumo__pool_drain(mark);
        kumo__doc_unref(doc);
    }
    __atomic_sub_fetch(&w->inside, 1, __ATOMIC_SEQ_CST);
    return text;
}

static void on_worked(void *ctx, void *owner, kumo_xmldoc d, struct kumo_arena *arena,
                      void *result)
{
    worked *w = ctx;
    cr_assert_null(d, "the hook took the document");
    cr_assert_null(arena);
    cr_assert_lt(w->nresults, 16);
    got.done[got.ndone++] = *(int *)owner;
    w->results[w->nresults++] = result;
}

static void on_worked_drop(void *owner, void *result)
{
    got.dropped[got.ndropped++] = *(int *)owner;
    kumo_free(result);
}

Test(parsepool, work_hook_runs_in_submission_order_one_at_a_time)
{
    memset(&wk, 0, sizeof(wk));
    int err;
    kumo_parsepool *p =
        kumo__parsepool_new(base, 3, on_worked, on_worked_drop, work_hook, &wk, &err);
    cr_assert_not_null(p);
    /* bodies of very different sizes: the parses end out of order */
    static char bodies[12][40000];
    kumo_parse_src src[12];
    for (int i = 0; i < 12; i++) {
        size_t pad = i % 3 == 0 ? 30000 : 10;
        int n = snprintf(bodies[i], sizeof(bodies[i]), "<p>job %d</p>", i);
        for (size_t k = 0; k < pad; k += 8)
            n += snprintf(bodies[i] + n, sizeof(bodies[i]) - (size_t)n, "<b>x</b>");
        src[i] = html_src(bodies[i]);
        src[i].skip = i == 5;   /* nothing to parse: the hook runs with no document */
        kumo__parsepool_submit(p, &src[i], &owners[i]);
    }
    run_until_idle(p);
    kumo__parsepool_free(p);
    cr_assert_eq(wk.overlaps, 0);
    cr_assert_eq(wk.n, 12);
    cr_assert_eq(got.ndone, 12);
    for (int i = 0; i < 12; i++) {
        char want[16];
        snprintf(want, sizeof(want), "job %d", i);
        cr_assert_eq(wk.order[i], i);
        cr_assert_eq(got.done[i], i);
        if (i == 5)
            cr_assert_null(wk.results[i]);
        else
            cr_assert_str_eq(wk.results[i], want);
        kumo_free(wk.results[i]);
    }
}

/* An immediate stop: what the work hook made before it is reported, in order, not dropped. */
Test(parsepool, stop_reports_what_the_hook_made)
{
    memset(&wk, 0, sizeof(wk));
    test_thread = pthread_self();
    hooks_off_test_thread = 0;
    int err;
    kumo_parsepool *p =
        kumo__parsepool_new(base, 1, on_worked, on_worked_drop, work_hook, &wk, &err);
    cr_assert_not_null(p);
    kumo_parse_src src[3] = {html_src("<p>job 0</p>"), html_src("<p>job 1</p>"),
                             html_src("<p>job 2</p>")};
    for (int i = 0; i < 3; i++)
        kumo__parsepool_submit(p, &src[i], &owners[i]);
    for (int i = 0; i < 10000 && __atomic_load_n(&wk.n, __ATOMIC_SEQ_CST) == 0; i++)
        usleep(1000);   /* the loop never runs: the hook's results wait */
    cr_assert_geq(__atomic_load_n(&wk.n, __ATOMIC_SEQ_CST), 1);
    kumo__parsepool_stop(p);
    cr_assert_geq(got.ndone, 1, "job 0 was through the hook");
    cr_assert_eq(hooks_off_test_thread, wk.n, "no loop turn: a worker ran every hook");
    cr_assert_eq(kumo__parsepool_pending(p), 3 - got.ndone);
    for (size_t i = 0; i < got.ndone; i++) {
        cr_assert_eq(got.done[i], (int)i);
        kumo_free(wk.results[i]);
    }
    kumo__parsepool_free(p);
    cr_assert_eq(got.ndone + got.ndropped, 3);
}

/*
 * Parts: a hook posts parts of its result while it runs.  The loop reports them in the order
 * posted, after every job before theirs is done and before their own job's done: one log of
 * events, "owner.part" for a part and "owner" for a done, must read 0.0 0.1 0.2 0 1.0 ...
 */
static char events[256][8];
static int nevents;
static kumo_parsepool *parts_pool;
static int hooks_done;

static void *posting_hook(void *ctx, void *owner, kumo_xmldoc d, struct kumo_arena *arena)
{
    kumo__doc_discard(d, arena);
    int id = *(int *)owner;
    for (int k = 0; k < 3; k++) {
        char *part = kumo_alloc(8, KUMO_T_STR, KUMO_V_NONE);
        snprintf(part, 8, "%d.%d", id, k);
        kumo__parsepool_post(parts_pool, part);
        if (id % 2)
            usleep(2000);       /* the loop may report a part while the hook still runs */
    }
    __atomic_add_fetch(&hooks_done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void on_part_event(void *ctx, void *owner, void *part, bool dropped)
{
    if (dropped) {
        got.dropped[got.ndropped++] = *(int *)owner;
    } else {
        cr_assert_lt(nevents, 256);
        snprintf(events[nevents++], 8, "%s", (char *)part);
    }
    kumo_free(part);
}

static void on_done_event(void *ctx, void *owner, kumo_xmldoc d, struct kumo_arena *arena,
                          void *result)
{
    cr_assert_lt(nevents, 256);
    snprintf(events[nevents++], 8, "%d", *(int *)owner);
}

static void on_drop_event(void *owner, void *result)
{
    got.dropped[got.ndropped++] = *(int *)owner;
}

Test(parsepool, parts_come_in_order_before_their_job)
{
    nevents = 0;
    int err;
    parts_pool = kumo__parsepool_new(base, 2, on_done_event, on_drop_event, posting_hook,
                                     NULL, &err);
    cr_assert_not_null(parts_pool);
    kumo__parsepool_on_part(parts_pool, on_part_event);
    kumo_parse_src src = html_src("<p>x</p>");
    for (int i = 0; i < 8; i++)
        kumo__parsepool_submit(parts_pool, &src, &owners[i]);
    run_until_idle(parts_pool);
    kumo__parsepool_free(parts_pool);
    cr_assert_eq(nevents, 8 * 4);
    for (int i = 0; i < 8; i++) {
        char want[8];
        for (int k = 0; k < 3; k++) {
            snprintf(want, sizeof(want), "%d.%d", i, k);
            cr_assert_str_eq(events[4 * i + k], want);
        }
        snprintf(want, sizeof(want), "%d", i);
        cr_assert_str_eq(events[4 * i + 3], want);
    }
}

/* Freed before the loop ran: the parts go to the part callback as dropped (to be freed),
 * then each job to drop; stopped first, they are reported, as the results are. */
Test(parsepool, parts_are_dropped_or_reported_at_the_end)
{
    nevents = 0;
    int err;
    parts_pool = kumo__parsepool_new(base, 1, on_done_event, on_drop_event, posting_hook,
                                     NULL, &err);
    kumo__parsepool_on_part(parts_pool, on_part_event);
    kumo_parse_src src = html_src("<p>x</p>");
    for (int i = 0; i < 2; i++)
        kumo__parsepool_submit(parts_pool, &src, &owners[i]);
    kumo__parsepool_free(parts_pool);       /* the worker ends the job it is on */
    cr_assert_eq(nevents, 0, "nothing reported");
    cr_assert_geq(got.ndropped, 2, "each job dropped, with its parts if its hook ran");
    cr_assert_eq((got.ndropped - 2) % 3, 0);

    got.ndropped = 0;
    hooks_done = 0;
    parts_pool = kumo__parsepool_new(base, 1, on_done_event, on_drop_event, posting_hook,
                                     NULL, &err);
    kumo__parsepool_on_part(parts_pool, on_part_event);
    kumo__parsepool_submit(parts_pool, &src, &owners[3]);
    kumo__parsepool_submit(parts_pool, &src, &owners[4]);
    for (int i = 0; i < 10000 && __atomic_load_n(&hooks_done, __ATOMIC_SEQ_CST) < 2; i++)
        usleep(1000);   /* the loop never runs: both jobs' parts and results wait */
    cr_assert_eq(__atomic_load_n(&hooks_done, __ATOMIC_SEQ_CST), 2);
    kumo__parsepool_stop(parts_pool);
    cr_assert_eq(nevents, 8, "job 3's parts, job 3, job 4's parts, job 4");
    const char *want[] = {"3.0", "3.1", "3.2", "3", "4.0", "4.1", "4.2", "4"};
    for (int i = 0; i < 8; i++)
        cr_assert_str_eq(events[i], want[i]);
    kumo__parsepool_free(parts_pool);
    cr_assert_eq(got.ndropped, 0);
}

/*
 * The loop thread lends a hand without waiting for its turn: while the worker's hook of job 0
 * is held, the loop parses job 1 and returns (job 1 is parked, not waited for); once job 0's
 * hook ends, the worker runs job 1's hook too, in order.  The old loop waited for job 0 and
 * returned only when the hook gave up being held.
 */
static int held_inside, held_release;
static int hook_order[4], nhooks;
static bool hook1_on_test_thread;

static void *held_hook(void *ctx, void *owner, kumo_xmldoc d, struct kumo_arena *arena)
{
    kumo__doc_discard(d, arena);
    int id = *(int *)owner;
    if (id == 0) {
        __atomic_store_n(&held_inside, 1, __ATOMIC_SEQ_CST);
        for (int i = 0; i < 10000 && !__atomic_load_n(&held_release, __ATOMIC_SEQ_CST); i++)
            usleep(1000);
        __atomic_store_n(&held_inside, 0, __ATOMIC_SEQ_CST);
    }
    if (id == 1)
        hook1_on_test_thread = pthread_equal(pthread_self(), test_thread);
    hook_order[nhooks++] = id;
    return NULL;
}

static void on_held_done(void *ctx, void *owner, kumo_xmldoc d, struct kumo_arena *arena,
                         void *result)
{
    got.done[got.ndone++] = *(int *)owner;
}

Test(parsepool, the_loop_lends_a_hand_without_waiting_for_its_turn)
{
    test_thread = pthread_self();
    held_inside = held_release = nhooks = 0;
    int err;
    kumo_parsepool *p =
        kumo__parsepool_new(base, 1, on_held_done, on_drop_event, held_hook, NULL, &err);
    cr_assert_not_null(p);
    kumo_parse_src src = html_src("<p>x</p>");
    kumo__parsepool_submit(p, &src, &owners[0]);
    for (int i = 0; i < 10000 && !__atomic_load_n(&held_inside, __ATOMIC_SEQ_CST); i++)
        usleep(1000);
    cr_assert(__atomic_load_n(&held_inside, __ATOMIC_SEQ_CST), "the worker holds job 0");
    kumo__parsepool_submit(p, &src, &owners[1]);    /* no worker free: the loop helps */
    event_base_loop(base, EVLOOP_ONCE);
    cr_assert(__atomic_load_n(&held_inside, __ATOMIC_SEQ_CST),
              "the loop came back while job 0's hook still ran");
    cr_assert_eq(nhooks, 0);
    __atomic_store_n(&held_release, 1, __ATOMIC_SEQ_CST);
    run_until_idle(p);
    kumo__parsepool_free(p);
    cr_assert_eq(nhooks, 2);
    cr_assert_eq(hook_order[0], 0);
    cr_assert_eq(hook_order[1], 1);
    cr_assert(!hook1_on_test_thread, "the worker ran the parked job's hook");
    cr_assert_eq(got.ndone, 2);
    cr_assert_eq(got.done[0], 0);
    cr_assert_eq(got.done[1], 1);
}
