/* parsepool.c - HTML and XML parsing in worker threads: the loop thread hands a body over,
 * a worker turns it into a libxml2 document (and, with a work hook, runs the hook on it, one
 * job at a time in submission order: the engine's callbacks), the loop thread gets the
 * results back in the order it handed the bodies over, so callbacks run in the order they
 * would without it.  When no worker is free the loop thread takes a job itself. */
#include "select/parsepool.h"
#include "select/css.h"
#include "select/doc.h"
#include "mem/arena.h"
#include "util/alloc.h"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>
#include <event2/event.h>
#include <libxml/tree.h>

/* A part of a job's result its work hook posted while it ran (kumo__parsepool_post()). */
typedef struct part {
    void *result;
    struct part *next;
} part;

typedef struct job {
    void *owner;                /* keeps src's bytes alive; touched by the loop thread only */
    kumo_parse_src src;
    kumo_xmldoc doc;            /* the worker's result, and the arena holding it */
    kumo_arena *arena;
    void *result;               /* the work hook's, when the pool has one */
    size_t seq;                 /* submission number: the work hook runs in this order */
    bool finished;              /* under lock: doc and arena (or result) are set */
    part *parts, **parts_tail;  /* under lock: posted by its hook, not reported yet */
    struct job *next;           /* in todo, or parked, under lock */
    struct job *order_next;     /* in submission order: loop thread only */
} job;

struct kumo_parsepool {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    job *todo_head, *todo_tail; /* under lock: waiting for a worker */
    bool stopping;
    pthread_t threads[16];
    int nthreads;
    int pipe[2];                /* a worker writes a byte when a job finishes */
    bool wake_pending;          /* under lock: on_wake() is due (a byte in the pipe, or the
                                 * event activated by the loop thread itself) */
    pthread_t loop;             /* the thread of the event loop, which made the pool */
    int idle;                   /* under lock: workers waiting for a job */
    kumo_parse_done_fn report;  /* loop thread: each finished job, in submission order */
    kumo_parse_drop_fn drop;    /* loop thread: each job left when the pool is freed */
    kumo_parse_work_fn work;    /* a worker, after the parse, one job at a time, in order */
    kumo_parse_part_fn part;    /* loop thread: what a hook posts, before its job's report */
    job *working;               /* under lock: the job whose work hook runs */
    job *parked;                /* under lock: parsed by the loop, waiting for their turn */
    void *ctx;
    size_t submitted;           /* loop thread: jobs submitted, numbering them */
    size_t worked;              /* under lock: jobs through the work hook (or skipped) */
    struct event *wake;
    struct event *help;         /* the loop thread takes a job no worker is free for */
    job *first, *last;          /* loop thread: every job not reported, in submission order */
    job *queued;                /* loop thread: the first job not handed to a worker yet */
    size_t pending;             /* loop thread only */
    size_t ahead, max_ahead;    /* loop thread: jobs handed over and not reported, and the cap */
};

/* Whether the loop needs a wake-up (none is pending): then the caller writes it with
 * wake_write() once it has let go of the lock, so that no system call is made under it
 * (the other thread would sleep on the lock meanwhile).  Under lock. */
static bool wake_due(kumo_parsepool *p)
{
    if (p->wake_pending)
        return false;
    p->wake_pending = true;
    return true;
}

/* On the loop thread the wake-up is an activation of the event, not a byte through the pipe
 * to itself: the loop reports one job a turn, and on a crawl of 1,169 pages 996 of the 1,186
 * bytes were its own (a write, a read and an epoll_wait each). */
static void wake_write(kumo_parsepool *p)
{
    if (pthread_equal(pthread_self(), p->loop)) {
        event_active(p->wake, EV_TIMEOUT, 0);  /* EV_TIMEOUT: no byte to read */
        return;
    }
    char b = 1;
    ssize_t w = write(p->pipe[1], &b, 1);
    (void)w;    /* non-blocking: one byte at most is ever in the pipe */
}

/* Take the oldest job waiting for a thread, or NULL.  Under lock. */
static job *todo_pop(kumo_parsepool *p)
{
    job *j = p->todo_head;
    if (j) {
        p->todo_head = j->next;
        if (!p->todo_head)
            p->todo_tail = NULL;
    }
    return j;
}

/* Mark j finished and wake the loop.  Under lock (let go of around the write). */
static void finish(kumo_parsepool *p, job *j)
{
    j->finished = true;
    if (wake_due(p)) {
        pthread_mutex_unlock(&p->lock);
        wake_write(p);
        pthread_mutex_lock(&p->lock);
    }
}

/* Run the work hook on j, whose turn it is, and finish it.  Under lock, let go of while the
 * hook runs. */
static void hook(kumo_parsepool *p, job *j)
{
    kumo_xmldoc d = j->doc;
    kumo_arena *arena = j->arena;
    j->doc = NULL;
    j->arena = NULL;
    p->working = j;
    pthread_mutex_unlock(&p->lock);
    j->result = p->work(p->ctx, j->owner, d, arena);
    pthread_mutex_lock(&p->lock);
    p->working = NULL;
    p->worked++;
    pthread_cond_broadcast(&p->cond);
    finish(p, j);
}

/* The parked job whose turn it is now, taken out of the list, or NULL.  Under lock. */
static job *parked_take(kumo_parsepool *p)
{
    for (job **pj = &p->parked; *pj; pj = &(*pj)->next)
        if ((*pj)->seq == p->worked) {
            job *j = *pj;
            *pj = j->next;
            return j;
        }
    return NULL;
}

/*
 * Parse j, then, with a work hook, wait for the jobs before it and run the hook, then the
 * hooks of the parked jobs whose turn it makes; mark it finished and wake the loop.  The
 * loop thread (lend) does not wait for its turn: a job it parsed before the jobs ahead of it
 * were through the hook is parked, and the thread that runs the hook before it runs its
 * hook too (the loop waited up to 95 ms on a crawl of 1,169 pages, while its downloads, and
 * so the worker, waited for it).  Called without the lock, returns with it held.  False when
 * the pool stopped while j waited for its turn (j is left unfinished, for drop).
 */
static bool run_job(kumo_parsepool *p, job *j, bool lend)
{
    const kumo_parse_src *src = &j->src;
    kumo_arena *arena = NULL;
    kumo_xmldoc d;
    if (src->skip)
        d = NULL;
    else if (src->decoded)
        d = kumo__doc_parse_utf8(src->body, src->len, src->url, src->html, &arena);
    else
        d = kumo__doc_parse_xml(src->body, src->len, src->url,
                            src->charset[0] ? src->charset : NULL, src->html, &arena);
    pthread_mutex_lock(&p->lock);
    j->doc = d;
    j->arena = arena;
    if (!p->work) {
        finish(p, j);
        return true;
    }
    if (lend && p->worked != j->seq && !p->stopping) {
        j->next = p->parked;
        p->parked = j;
        return true;
    }
    /* the jobs before this one first: the hook sees them in submission order */
    while (p->worked != j->seq && !p->stopping)
        pthread_cond_wait(&p->cond, &p->lock);
    if (p->stopping) {
        kumo__doc_discard(j->doc, j->arena);
        j->doc = NULL;
        j->arena = NULL;
        return false;
    }
    hook(p, j);
    for (job *k; !p->stopping && (k = parked_take(p));)
        hook(p, k);
    return true;
}

static void *worker(void *arg)
{
    kumo_parsepool *p = arg;
    /* libxml2 makes its per-thread state on a thread's first parse: make it here, on the
     * heap, not inside the first document's arena. */
    xmlFreeDoc(xmlReadMemory("<a/>", 4, NULL, NULL, XML_PARSE_NONET));
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->todo_head && !p->stopping) {
            p->idle++;
            pthread_cond_wait(&p->cond, &p->lock);
            p->idle--;
        }
        if (p->stopping)
            break;
        job *j = todo_pop(p);
        pthread_mutex_unlock(&p->lock);
        if (!run_job(p, j, false))
            break;
    }
    pthread_mutex_unlock(&p->lock);
    kumo__select_thread_cleanup();      /* the queries its callbacks compiled */
    kumo__alloc_pool_flush();           /* and the small blocks it kept */
    return NULL;
}

/*
 * Hand jobs to the workers while fewer than max_ahead are handed over and not reported.  A
 * document parsed ahead of its callback costs many times its body, and one made long before
 * the loop reads it is cold in every cache: the workers stay a few documents ahead, no more.
 * Loop thread, under lock; returns what the caller does once it has let go of the lock:
 * DISPATCH_KICK, broadcast to the idle workers, DISPATCH_WAKE, wake_write().
 */
enum { DISPATCH_KICK = 1, DISPATCH_WAKE = 2 };

static unsigned dispatch(kumo_parsepool *p)
{
    bool handed = false;
    unsigned after = 0;
    for (; p->queued && p->ahead < p->max_ahead; p->queued = p->queued->order_next) {
        job *j = p->queued;
        p->ahead++;
        if (j->src.skip && !p->work) {  /* nothing to parse: report on a later loop turn */
            j->finished = true;
            if (wake_due(p))
                after |= DISPATCH_WAKE;
            continue;
        }
        if (p->todo_tail)
            p->todo_tail->next = j;
        else
            p->todo_head = j;
        p->todo_tail = j;
        handed = true;
    }
    if (handed && p->idle)
        after |= DISPATCH_KICK;
    if (handed && p->help && p->todo_head)
        event_active(p->help, EV_TIMEOUT, 0);
    return after;
}

/* What dispatch() left to do, the lock let go. */
static void dispatch_after(kumo_parsepool *p, unsigned after)
{
    if (after & DISPATCH_KICK)
        pthread_cond_broadcast(&p->cond);
    if (after & DISPATCH_WAKE)
        wake_write(p);
}

/*
 * The loop thread lends a hand with a job no worker is free for: it parses it and runs the
 * work hook on it when its turn has come; else it parks it for the thread that ends the
 * hook before (run_job()) and goes back to its events.  With callbacks in the hook, one
 * worker was the bound on a machine of two cores, the loop's core mostly idle.  One job a
 * loop turn: the loop's own events come between two.
 */
static void on_help(evutil_socket_t fd, short what, void *arg)
{
    kumo_parsepool *p = arg;
    pthread_mutex_lock(&p->lock);
    job *j = p->idle ? NULL : todo_pop(p);
    if (!j) {
        pthread_mutex_unlock(&p->lock);
        return;
    }
    pthread_mutex_unlock(&p->lock);
    run_job(p, j, true);    /* true: only this thread stops the pool */
    bool more = p->todo_head && !p->idle;
    pthread_mutex_unlock(&p->lock);
    if (more)
        event_active(p->help, EV_TIMEOUT, 0);
}

/* Take the oldest part j's hook posted, or NULL.  Under lock. */
static part *parts_pop(job *j)
{
    part *pt = j->parts;
    if (pt) {
        j->parts = pt->next;
        if (!j->parts)
            j->parts_tail = &j->parts;
    }
    return pt;
}

/* Whether the oldest job has something to report: a part, or its end.  Under lock. */
static bool first_ready(const kumo_parsepool *p)
{
    return p->first && (p->first->parts || p->first->finished);
}

/*
 * Report what the oldest job has, one thing a loop turn: a part its hook posted (the jobs
 * before it are all reported, so the parts come in the order of the jobs too), or, once
 * its parts are out, its end.  What a report makes ready (the engine's tick) runs before
 * the next, as between two downloads.
 */
static void on_wake(evutil_socket_t fd, short what, void *arg)
{
    kumo_parsepool *p = arg;
    if (what & EV_READ) {       /* a worker's byte */
        char buf[64];
        ssize_t r = read(fd, buf, sizeof(buf));
        (void)r;
    }
    pthread_mutex_lock(&p->lock);
    p->wake_pending = false;
    part *pt = p->first ? parts_pop(p->first) : NULL;
    if (pt) {
        void *owner = p->first->owner;
        bool more = first_ready(p) && wake_due(p);
        pthread_mutex_unlock(&p->lock);
        if (more)
            wake_write(p);
        p->part(p->ctx, owner, pt->result, false);
        kumo_free(pt);
        return;
    }
    unsigned after = 0;
    job *j = p->first && p->first->finished ? p->first : NULL;
    if (j) {
        p->first = j->order_next;
        if (!p->first)
            p->last = NULL;
    }
    if (j) {
        p->ahead--;
        after = dispatch(p);
    }
    if (first_ready(p) && wake_due(p))
        after |= DISPATCH_WAKE;     /* read on the next turn, after what this report makes ready */
    pthread_mutex_unlock(&p->lock);
    dispatch_after(p, after);
    if (!j)
        return;
    p->pending--;
    p->report(p->ctx, j->owner, j->doc, j->arena, j->result);
    kumo_free(j);
}

kumo_parsepool *kumo__parsepool_new(struct event_base *base, int nthreads,
                                   kumo_parse_done_fn done, kumo_parse_drop_fn drop,
                                   kumo_parse_work_fn work, void *ctx, int *err)
{
    kumo_parsepool *p = kumo_calloc(1, sizeof(*p), KUMO_T_XMLDOC, KUMO_V_NONE);
    p->nthreads = 0;
    p->report = done;
    p->drop = drop;
    p->work = work;
    p->ctx = ctx;
    nthreads = KUMO_MAX(1, KUMO_MIN(nthreads, (int)KUMO_ARRAY_LEN(p->threads)));
    p->max_ahead = 2 * (size_t)nthreads + (work ? 1 : 0);     /* one for the loop: on_help */
    if (pipe2(p->pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
        *err = KUMO_EIO;
        kumo_free(p);
        return NULL;
    }
    p->loop = pthread_self();
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    p->wake = event_new(base, p->pipe[0], EV_READ | EV_PERSIST, on_wake, p);
    event_add(p->wake, NULL);
    if (work)
        p->help = event_new(base, -1, 0, on_help, p);
    for (int i = 0; i < nthreads; i++) {
        if (pthread_create(&p->threads[i], NULL, worker, p) != 0) {
            kumo__parsepool_free(p);
            *err = KUMO_EIO;
            return NULL;
        }
        p->nthreads++;
    }
    *err = KUMO_OK;
    return p;
}

void kumo__parsepool_on_part(kumo_parsepool *p, kumo_parse_part_fn fn)
{
    p->part = fn;
}

void kumo__parsepool_post(kumo_parsepool *p, void *result)
{
    part *pt = kumo_alloc(sizeof(*pt), KUMO_T_XMLDOC, KUMO_V_NONE);
    pt->result = result;
    pt->next = NULL;
    pthread_mutex_lock(&p->lock);
    job *j = p->working;
    kumo_assert(j && p->part);
    *j->parts_tail = pt;
    j->parts_tail = &pt->next;
    bool wake = j == p->first && wake_due(p);
    pthread_mutex_unlock(&p->lock);
    if (wake)
        wake_write(p);
}

void kumo__parsepool_submit(kumo_parsepool *p, const kumo_parse_src *src, void *owner)
{
    job *j = kumo_calloc(1, sizeof(*j), KUMO_T_XMLDOC, KUMO_V_NONE);
    j->parts_tail = &j->parts;
    j->owner = owner;
    j->src = *src;
    j->seq = p->submitted++;
    p->pending++;
    pthread_mutex_lock(&p->lock);
    if (p->last)
        p->last->order_next = j;
    else
        p->first = j;
    p->last = j;
    if (!p->queued)
        p->queued = j;
    unsigned after = dispatch(p);
    pthread_mutex_unlock(&p->lock);
    dispatch_after(p, after);
}

void kumo__parsepool_walk(const kumo_parsepool *p, void (*fn)(void *ctx, void *owner),
                          void *ctx)
{
    for (const job *j = p ? p->first : NULL; j; j = j->order_next)
        fn(ctx, j->owner);
}

size_t kumo__parsepool_pending(const kumo_parsepool *p)
{
    return p->pending;
}

size_t kumo__parsepool_ahead(kumo_parsepool *p)
{
    pthread_mutex_lock(&p->lock);
    size_t n = p->ahead;
    pthread_mutex_unlock(&p->lock);
    return n;
}

/* Stop the workers: each finishes the job it is on (its parse, and its work hook's turn
 * if it has come), then ends. */
static void join_workers(kumo_parsepool *p)
{
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
    p->nthreads = 0;
}

void kumo__parsepool_stop(kumo_parsepool *p)
{
    if (!p)
        return;
    join_workers(p);
    while (p->first && p->first->finished) {
        job *j = p->first;
        for (part *pt; (pt = parts_pop(j));) {
            p->part(p->ctx, j->owner, pt->result, false);
            kumo_free(pt);
        }
        p->first = j->order_next;
        if (!p->first)
            p->last = NULL;
        p->pending--;
        p->report(p->ctx, j->owner, j->doc, j->arena, j->result);
        kumo_free(j);
    }
}

void kumo__parsepool_free(kumo_parsepool *p)
{
    if (!p)
        return;
    join_workers(p);
    for (job *j = p->first; j;) {   /* every job not reported, parsed or not */
        job *next = j->order_next;
        for (part *pt; (pt = parts_pop(j));) {
            p->part(p->ctx, j->owner, pt->result, true);
            kumo_free(pt);
        }
        kumo__doc_discard(j->doc, j->arena);
        p->drop(j->owner, j->result);
        kumo_free(j);
        j = next;
    }
    event_free(p->wake);
    if (p->help)
        event_free(p->help);
    close(p->pipe[0]);
    close(p->pipe[1]);
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->lock);
    kumo_free(p);
}
