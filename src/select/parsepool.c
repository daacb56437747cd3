/* parsepool.c - HTML and XML parsing in worker threads: the loop thread hands a body over,
 * a worker turns it into a libxml2 document, the loop thread gets it back and goes on. */
#include "select/parsepool.h"
#include "select/doc.h"
#include "mem/arena.h"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>
#include <event2/event.h>
#include <libxml/tree.h>

typedef struct job {
    void *owner;                /* keeps src's bytes alive; touched by the loop thread only */
    kumo_parse_src src;
    kumo_xmldoc doc;            /* the worker's result, and the arena holding it */
    kumo_arena *arena;
    struct job *next;
} job;

typedef struct queue {
    job *head, *tail;
} queue;

struct kumo_parsepool {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    queue todo, done;           /* under lock */
    bool stopping;
    pthread_t threads[16];
    int nthreads;
    int pipe[2];                /* workers write a byte when done goes from empty to not */
    kumo_parse_done_fn report;  /* loop thread: each finished job */
    kumo_parse_drop_fn drop;    /* loop thread: each job left when the pool is freed */
    void *ctx;
    struct event *wake;
    size_t pending;             /* loop thread only */
};

static void push(queue *q, job *j)
{
    j->next = NULL;
    if (q->tail)
        q->tail->next = j;
    else
        q->head = j;
    q->tail = j;
}

static job *take_all(queue *q)
{
    job *j = q->head;
    q->head = q->tail = NULL;
    return j;
}

static void *worker(void *arg)
{
    kumo_parsepool *p = arg;
    /* libxml2 makes its per-thread state on a thread's first parse: make it here, on the
     * heap, not inside the first document's arena. */
    xmlFreeDoc(xmlReadMemory("<a/>", 4, NULL, NULL, XML_PARSE_NONET));
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->todo.head && !p->stopping)
            pthread_cond_wait(&p->cond, &p->lock);
        if (p->stopping)
            break;
        job *j = p->todo.head;
        p->todo.head = j->next;
        if (!p->todo.head)
            p->todo.tail = NULL;
        pthread_mutex_unlock(&p->lock);
        const kumo_parse_src *src = &j->src;
        j->doc = kumo__doc_parse(src->body, src->len, src->url,
                                 src->charset[0] ? src->charset : NULL, src->html, &j->arena);
        pthread_mutex_lock(&p->lock);
        bool was_empty = !p->done.head;
        push(&p->done, j);
        if (was_empty) {
            char b = 1;
            ssize_t w = write(p->pipe[1], &b, 1);
            (void)w;    /* the pipe is non-blocking: full means a wake-up is pending */
        }
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

static void finish(kumo_parsepool *p, job *j)
{
    p->pending--;
    p->report(p->ctx, j->owner, j->doc, j->arena);
    kumo_free(j);
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
    kumo_parsepool *p = arg;
    char buf[64];
    while (read(fd, buf, sizeof(buf)) > 0)
        ;
    pthread_mutex_lock(&p->lock);
    job *j = take_all(&p->done);
    pthread_mutex_unlock(&p->lock);
    while (j) {
        job *next = j->next;
        finish(p, j);
        j = next;
    }
}

kumo_parsepool *kumo_parsepool_new(struct event_base *base, int nthreads,
                                   kumo_parse_done_fn done, kumo_parse_drop_fn drop, void *ctx,
                                   int *err)
{
    kumo_parsepool *p = kumo_calloc(1, sizeof(*p), KUMO_T_XMLDOC, KUMO_V_NONE);
    p->nthreads = 0;
    p->report = done;
    p->drop = drop;
    p->ctx = ctx;
    if (pipe2(p->pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
        *err = KUMO_EIO;
        kumo_free(p);
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    p->wake = event_new(base, p->pipe[0], EV_READ | EV_PERSIST, on_wake, p);
    event_add(p->wake, NULL);
    nthreads = KUMO_MAX(1, KUMO_MIN(nthreads, (int)KUMO_ARRAY_LEN(p->threads)));
    for (int i = 0; i < nthreads; i++) {
        if (pthread_create(&p->threads[i], NULL, worker, p) != 0) {
            kumo_parsepool_free(p);
            *err = KUMO_EIO;
            return NULL;
        }
        p->nthreads++;
    }
    *err = KUMO_OK;
    return p;
}

void kumo_parsepool_submit(kumo_parsepool *p, const kumo_parse_src *src, void *owner)
{
    job *j = kumo_calloc(1, sizeof(*j), KUMO_T_XMLDOC, KUMO_V_NONE);
    j->owner = owner;
    j->src = *src;
    p->pending++;
    pthread_mutex_lock(&p->lock);
    if (src->skip) {                /* nothing to parse: report on the next loop turn */
        bool was_empty = !p->done.head;
        push(&p->done, j);
        if (was_empty) {
            char b = 1;
            ssize_t w = write(p->pipe[1], &b, 1);
            (void)w;
        }
    } else {
        push(&p->todo, j);
        pthread_cond_signal(&p->cond);
    }
    pthread_mutex_unlock(&p->lock);
}

size_t kumo_parsepool_pending(const kumo_parsepool *p)
{
    return p->pending;
}

static void drop(kumo_parsepool *p, job *j)
{
    while (j) {
        job *next = j->next;
        kumo__doc_discard(j->doc, j->arena);
        p->drop(j->owner);
        kumo_free(j);
        j = next;
    }
}

void kumo_parsepool_free(kumo_parsepool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
    drop(p, take_all(&p->todo));
    drop(p, take_all(&p->done));
    event_free(p->wake);
    close(p->pipe[0]);
    close(p->pipe[1]);
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->lock);
    kumo_free(p);
}
