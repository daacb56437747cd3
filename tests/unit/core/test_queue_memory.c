/* test_queue_memory.c - the memory queue keeps plain requests packed: nothing is lost. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "core/crawler.h"
#include "core/scheduler.h"
#include "core/settings.h"
#include "core/stats.h"
#include "http/request.h"
#include "lib/leakcheck.h"

static kumo_crawler *c;
static void *q;

static void setup(void)
{
    kumo_leakcheck_start();
    c = kumo__crawler_new_bare(kumo__settings_new(), NULL);
    int err;
    q = kumo__queue_memory.open(c, &err);
    cr_assert(q);
}

static void teardown(void)
{
    kumo__queue_memory.close(q);
    kumo__crawler_free(c);
    kumo_leakcheck_end();
}

TestSuite(queue_memory, .init = setup, .fini = teardown);

static void cb_a(kumo_response *res, kumo_out *out)
{
    (void)res;
    (void)out;
}

static void eb_a(kumo_failure *f, kumo_out *out)
{
    (void)f;
    (void)out;
}

static kumo_request *req(const char *url, int prio)
{
    kumo_request *r = kumo_request_new(url, NULL, NULL);
    cr_assert(r, "%s", url);
    kumo_request_set_priority(r, prio);
    return r;
}

/* A request with one of everything the packing writes. */
static kumo_request *full_request(void)
{
    kumo_request *r = req("http://a.test/p?q=1#frag", -7);
    kumo_request_set_method(r, "post");
    kumo_request_set_body(r, "a\0b", 3);
    kumo_request_set_callback(r, cb_a);
    kumo_request_set_dont_filter(r, 1);
    kumo_headers_add(kumo_request_headers(r), "X-One", "1");
    kumo_headers_add(kumo_request_headers(r), "X-One", "d\xc3\xa9j\xc3\xa0");
    kumo_map *m = kumo_request_meta(r);
    kumo_map_set(m, "depth", kumo_val_int(3));
    kumo_map_set(m, "my_key", kumo_val_strn("x\0y", 3));
    kumo_map_set(m, "download_timeout", kumo_val_float(2.5));
    kumo_map_set(m, "dont_redirect", kumo_val_bool(1));
    kumo_map_set(m, "nothing", kumo_val_none());
    kumo_map_set(m, "neg", kumo_val_int(INT64_MIN));
    kumo_value l = kumo_val_list();
    kumo_val_list_push(&l, kumo_val_str("http://a.test/old"));
    kumo_value inner = kumo_val_list();
    kumo_val_list_push(&inner, kumo_val_int(-1));
    kumo_val_list_push(&l, inner);
    kumo_map_set(m, "redirect_urls", l);
    return r;
}

/* A FormRequest with an errback and keyword arguments for its callback. */
static kumo_request *form_request(void)
{
    kumo_request *r = full_request();
    kumo__request_set_class(r, &KUMO_CLASS(FormRequest));
    kumo_request_set_errback(r, eb_a);
    kumo_map *kw = kumo_request_cb_kwargs(r);
    kumo_map_set(kw, "page", kumo_val_int(2));
    kumo_map_set(kw, "label", kumo_val_str("caf\xc3\xa9"));
    return r;
}

static void assert_same_value(const kumo_value *a, const kumo_value *b)
{
    cr_assert_eq(a->type, b->type);
    switch (a->type) {
    case KUMO_VAL_BOOL:
        cr_assert_eq(a->u.b, b->u.b);
        break;
    case KUMO_VAL_INT:
        cr_assert_eq(a->u.i, b->u.i);
        break;
    case KUMO_VAL_FLOAT:
        cr_assert_eq(a->u.f, b->u.f);
        break;
    case KUMO_VAL_STR:
        cr_assert_eq(a->u.str.len, b->u.str.len);
        cr_assert_eq(memcmp(a->u.str.s, b->u.str.s, a->u.str.len), 0);
        break;
    case KUMO_VAL_LIST:
        cr_assert_eq(a->u.list->len, b->u.list->len);
        for (size_t i = 0; i < a->u.list->len; i++)
            assert_same_value(&a->u.list->v[i], &b->u.list->v[i]);
        break;
    default:
        break;
    }
}

static void assert_same_request(kumo_request *a, kumo_request *b)
{
    cr_assert_str_eq(a->url, b->url);
    cr_assert_str_eq(a->method, b->method);
    size_t alen, blen;
    const char *abody = kumo__request_body(a, &alen), *bbody = kumo__request_body(b, &blen);
    cr_assert_eq(alen, blen);
    if (abody)
        cr_assert_eq(memcmp(abody, bbody, alen), 0);
    else
        cr_assert_null(bbody);
    cr_assert_eq(a->cb, b->cb);
    cr_assert_eq(kumo__request_errback(a), kumo__request_errback(b));
    cr_assert_eq(a->ref.cls, b->ref.cls);
    const kumo_map *akw = kumo__request_cb_kwargs(a), *bkw = kumo__request_cb_kwargs(b);
    cr_assert_eq(akw->len, bkw->len);
    for (size_t i = 0; i < akw->len; i++) {
        cr_assert_str_eq(akw->e[i].key, bkw->e[i].key);
        assert_same_value(&akw->e[i].val, &bkw->e[i].val);
    }
    cr_assert_eq(a->priority, b->priority);
    cr_assert_eq(a->dont_filter, b->dont_filter);
    cr_assert_eq(kumo_headers_count(a->headers), kumo_headers_count(b->headers));
    for (size_t i = 0; i < kumo_headers_count(a->headers); i++) {
        const char *an, *av, *bn, *bv;
        kumo_headers_at(a->headers, i, &an, &av);
        kumo_headers_at(b->headers, i, &bn, &bv);
        cr_assert_str_eq(an, bn);
        cr_assert_str_eq(av, bv);
    }
    cr_assert_eq(a->meta.len, b->meta.len);
    for (size_t i = 0; i < a->meta.len; i++) {
        cr_assert_str_eq(a->meta.e[i].key, b->meta.e[i].key);
        assert_same_value(&a->meta.e[i].val, &b->meta.e[i].val);
    }
    cr_assert_eq(memcmp(kumo__request_fingerprint(a), kumo__request_fingerprint(b), 20), 0);
}

Test(queue_memory, pack_round_trip)
{
    kumo_request *plain = req("http://a.test/", 0), *full = full_request();
    kumo_request *form = form_request();
    kumo_request *const cases[] = {plain, full, form};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        kumo_buf b;
        kumo__buf_init(&b, 0, KUMO_T_QUEUE, KUMO_V_QUEUE);
        cr_assert_eq(kumo__request_pack(cases[i], &b), KUMO_OK);
        kumo_request *back = kumo__request_unpack(b.s, b.len);
        cr_assert(back);
        assert_same_request(cases[i], back);
        /* every truncation is refused, never read past */
        for (size_t n = 0; n < b.len; n++)
            cr_assert_null(kumo__request_unpack(b.s, n), "case %zu, %zu bytes", i, n);
        kumo_request_unref(back);
        kumo__buf_release(&b);
        kumo_request_unref(cases[i]);
    }
}

Test(queue_memory, objects_in_meta_are_not_packed)
{
    kumo_request *r = req("http://a.test/", 0), *other = req("http://b.test/", 0);
    kumo_map_set(kumo_request_meta(r), "referer", kumo_val_obj(&other->ref));
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_QUEUE, KUMO_V_QUEUE);
    cr_assert_eq(kumo__request_pack(r, &b), KUMO_EINVAL);
    cr_assert_eq(b.len, 0);
    kumo__buf_release(&b);
    kumo_request_unref(other);
    /* queued as the object itself: the response it holds stays alive and visible */
    kumo__queue_memory.push(q, r);
    cr_assert_eq(KUMO_CLASS(Request).live, 2);
    cr_assert_eq(kumo__queue_memory.pop(q), r);
    kumo_request_unref(r);
}

/* A copy keeps the class, the errback and the keyword arguments (redirects, retries). */
Test(queue_memory, copy_keeps_class_errback_and_cb_kwargs)
{
    kumo_request *r = form_request(), *copy = kumo__request_copy(r);
    assert_same_request(r, copy);
    cr_assert_eq(KUMO_CLASS(FormRequest).live, 2);
    kumo_request_unref(r);
    kumo_request_unref(copy);
}

Test(queue_memory, packed_once_the_pusher_lets_go)
{
    kumo_request *r = req("http://a.test/", 0);
    kumo_request_ref(r);            /* as the engine does around kumo__scheduler_enqueue() */
    kumo__queue_memory.push(q, r);
    kumo_request_unref(r);
    kumo__queue_memory.push(q, req("http://a.test/2", 0));
    cr_assert_eq(kumo__queue_memory.len(q), 2);
    cr_assert_eq(KUMO_CLASS(Request).live, 1, "the first one is packed");
    kumo_request *a = kumo__queue_memory.pop(q), *b = kumo__queue_memory.pop(q);
    cr_assert_str_eq(kumo_request_url(a), "http://a.test/2");
    cr_assert_str_eq(kumo_request_url(b), "http://a.test/");
    cr_assert_null(kumo__queue_memory.pop(q));
    kumo_request_unref(a);
    kumo_request_unref(b);
}

Test(queue_memory, shared_requests_keep_their_identity)
{
    kumo_request *r = req("http://a.test/", 0);
    kumo_request_ref(r);
    kumo__queue_memory.push(q, r);
    kumo_request *back = kumo__queue_memory.pop(q);
    cr_assert_eq(back, r);
    kumo_request_unref(back);
    kumo_request_unref(r);
}

Test(queue_memory, mixed_slots_keep_priority_then_lifo_order)
{
    char url[64];
    kumo_request *keep[64];
    size_t nkeep = 0;
    for (int i = 0; i < 300; i++) {
        snprintf(url, sizeof(url), "http://a.test/%d", i);
        kumo_request *r = req(url, i % 5);
        kumo_map_set(kumo_request_meta(r), "depth", kumo_val_int(i));
        if (i % 7 == 0) {       /* every 7th is shared: stays an object */
            keep[nkeep++] = kumo_request_ref(r);
        }
        kumo__queue_memory.push(q, r);
    }
    cr_assert_eq(kumo__queue_memory.len(q), 300);
    /* the shared ones, and the newest: it is packed at the next operation */
    cr_assert_eq(KUMO_CLASS(Request).live, nkeep + 1);
    int last_prio = 1 << 30;
    int64_t last_depth = INT64_MAX;
    for (kumo_request *r; (r = kumo__queue_memory.pop(q));) {
        int64_t d = kumo_map_get_int(kumo_request_meta(r), "depth", -1);
        snprintf(url, sizeof(url), "http://a.test/%lld", (long long)d);
        cr_assert_str_eq(kumo_request_url(r), url);
        cr_assert_eq(kumo_request_priority(r), (int)(d % 5));
        if (r->priority == last_prio)
            cr_assert_lt(d, last_depth, "LIFO within a priority");
        else
            cr_assert_lt(r->priority, last_prio);
        last_prio = r->priority;
        last_depth = d;
        kumo_request_unref(r);
    }
    for (size_t i = 0; i < nkeep; i++)
        kumo_request_unref(keep[i]);
}

Test(queue_memory, unpack_refuses_bad_bytes)
{
    static const struct {
        const char *bytes;
        size_t len;
    } bad[] = {
        {"", 0},
        {"\x00\x00http://a.test/", 16},                 /* url without its NUL */
        {"\x20\x00http://a.test/\0\x01\x01\x05", 20},   /* meta value of type OBJ */
        {"\x20\x00http://a.test/\0\x01\xff\x02\x00", 21},   /* unknown key index */
        {"\x00\x00http://a.test/\0junk", 21},           /* trailing bytes */
        {"\x10\x00http://a.test/\0\xff\xff\xff\xff\x0f", 22},   /* body longer than input */
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(bad); i++)
        cr_assert_null(kumo__request_unpack(bad[i].bytes, bad[i].len), "case %zu", i);
    kumo_request *ok = kumo__request_unpack("\x00\x00http://a.test/", 17);
    cr_assert(ok);
    cr_assert_str_eq(ok->method, "GET");
    kumo_request_unref(ok);
}

/* Packed requests still count as live Requests for prefs (with their age), not as objects. */
Test(queue_memory, packed_requests_count_in_prefs)
{
    char url[64];
    for (int i = 0; i < 50; i++) {
        snprintf(url, sizeof(url), "http://a.test/%d", i);
        kumo_request *r = kumo_request_new(url, NULL, NULL);
        r->ref.born -= 30;                      /* queued half a minute ago */
        kumo__queue_memory.push(q, r);
    }
    kumo_request *one = kumo__queue_memory.pop(q);   /* settles the last push too */
    cr_assert_eq(kumo_ref_count(&KUMO_CLASS(Request)), 50);
    static char buf[1024];
    FILE *f = fmemopen(buf, sizeof(buf), "w");
    kumo_prefs(f, NULL, 0);
    fclose(f);
    cr_assert(strstr(buf, "Request                            50   oldest: 30s ago"), "%s", buf);
    kumo_request_unref(one);
}

static void walked(void *ctx, int priority, size_t index, kumo_request *r)
{
    kumo_buf *b = ctx;
    kumo__buf_printf(b, "%d %zu %s\n", priority, index, kumo_request_url(r));
}

/* holders() and paths() see the requests kept as objects, with their priority and place;
 * packed ones hold no object and are not walked. */
Test(queue_memory, walk_reports_the_request_objects)
{
    kumo_request *held = req("http://a.test/held", 3), *other = req("http://b.test/", 0);
    kumo_map_set(kumo_request_meta(held), "referer", kumo_val_obj(&other->ref));
    kumo_request_unref(other);
    kumo__queue_memory.push(q, held);
    kumo__queue_memory.push(q, req("http://a.test/plain", 0));     /* packed: settles held */
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    kumo__queue_memory.walk(q, walked, &b);
    cr_assert_str_eq(kumo__buf_str(&b), "3 0 http://a.test/held\n0 1 http://a.test/plain\n",
                     "the newest is not settled yet: an object, after the heap");
    kumo__queue_memory.push(q, req("http://a.test/plain2", 0));
    kumo__buf_reset(&b);
    kumo__queue_memory.walk(q, walked, &b);
    cr_assert_str_eq(kumo__buf_str(&b), "3 0 http://a.test/held\n0 2 http://a.test/plain2\n",
                     "plain was packed once pushed past");
    kumo__buf_release(&b);
}

/* Live blocks and bytes of the queue's own storage (the heap, anchors, diffs). */
static void queue_heap(uint64_t *count, uint64_t *bytes)
{
    kumo_heap_counter v[256];
    size_t n = kumo_heap_snapshot(v, KUMO_ARRAY_LEN(v));
    *count = *bytes = 0;
    for (size_t i = 0; i < n && i < KUMO_ARRAY_LEN(v); i++)
        if (v[i].type == KUMO_T_QUEUE && v[i].via == KUMO_V_QUEUE) {
            *count += v[i].count;
            *bytes += v[i].bytes;
        }
}

/* The links of a page as a crawl queues them: one Referer, one depth, similar urls.
 * page P links to P*F+1 .. P*F+F; every 9th link also has a long query string (a diff too
 * long for the heap entry), every 50th has a method and a body. */
static kumo_request *link_request(int page, int i)
{
    char url[160], ref[64];
    snprintf(url, sizeof(url), "http://shop.test/catalog/page-%d.html%s", page * 100 + i,
             i % 9 == 0 ? "?sort=price&order=descending&session=abcdefghijklmnop" : "");
    snprintf(ref, sizeof(ref), "http://shop.test/catalog/page-%d.html", page);
    kumo_request *r = req(url, -(page % 3));
    kumo_request_set_callback(r, cb_a);
    kumo_headers_add(kumo_request_headers(r), "Referer", ref);
    kumo_map_set(kumo_request_meta(r), "depth", kumo_val_int(page % 3 + 1));
    kumo_map_set(kumo_request_meta(r), "page", kumo_val_int(page));
    kumo_map_set(kumo_request_meta(r), "link", kumo_val_int(i));
    if (i % 50 == 0) {
        kumo_request_set_method(r, "POST");
        kumo_request_set_body(r, url, strlen(url));
    }
    return r;
}

/* Requests kept as differences to shared anchors come back byte for byte, in priority then
 * LIFO order, and the anchors go with the last request that needs them (leakcheck). */
Test(queue_memory, similar_requests_share_anchors)
{
    enum { PAGES = 30, LINKS = 100 };
    for (int p = 0; p < PAGES; p++)
        for (int i = 1; i <= LINKS; i++)
            kumo__queue_memory.push(q, link_request(p, i));
    kumo_request *probe = kumo_request_ref(link_request(0, 0));    /* shared: stays an object */
    kumo__queue_memory.push(q, probe);      /* settles the last link */
    kumo_request *back = kumo__queue_memory.pop(q);
    cr_assert_eq(back, probe, "the newest first (priority 0, LIFO)");
    kumo_request_unref(back);
    kumo_request_unref(probe);
    cr_assert_eq(KUMO_CLASS(Request).live, 0, "every queued link is packed");
    cr_assert_eq(kumo_ref_count(&KUMO_CLASS(Request)), PAGES * LINKS);
    uint64_t blocks, bytes;
    queue_heap(&blocks, &bytes);
    /* the heap array (32 bytes an entry), a few anchors a page (the Referer changes), and
     * the diffs too long for an entry: far fewer blocks and bytes than one packed request
     * each (about 120 bytes) */
    cr_assert_leq(blocks, PAGES * LINKS / 3, "%llu blocks", (unsigned long long)blocks);
    cr_assert_lt(bytes, 4096 * 32 + (uint64_t)PAGES * LINKS * 48, "%llu bytes",
                 (unsigned long long)bytes);
    int last_prio = 1 << 30;
    uint64_t last_seq = UINT64_MAX;
    size_t got = 0;
    for (kumo_request *r; (r = kumo__queue_memory.pop(q)); got++) {
        kumo_request *want = link_request((int)kumo_map_get_int(kumo_request_meta(r), "page", -1),
                                          (int)kumo_map_get_int(kumo_request_meta(r), "link", -1));
        assert_same_request(want, r);
        kumo_request_unref(want);
        if (r->priority == last_prio)
            cr_assert_lt(r->seq, last_seq, "LIFO within a priority");
        else
            cr_assert_lt(r->priority, last_prio);
        last_prio = r->priority;
        last_seq = r->seq;
        kumo_request_unref(r);
    }
    cr_assert_eq(got, PAGES * LINKS);
    cr_assert_eq(kumo_ref_count(&KUMO_CLASS(Request)), 0);
    queue_heap(&blocks, &bytes);
    cr_assert_eq(blocks, 4, "%llu: the heap array, the current anchor, the two buffers",
                 (unsigned long long)blocks);
}

/* Request k of the edit test: a url and a header edited from one base at places chosen by a
 * fixed generator (changed, inserted and removed bytes, near and far apart), and every 97th
 * with a body too big to compare (a request of its own). */
static kumo_request *edited_request(unsigned k)
{
    char url[256] = "http://edit.test/a/long/common/path/segment/0123456789/x.html?q=abcdef";
    char hdr[128] = "token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    uint32_t x = k * 2654435761u + 12345;
    for (int e = 0; e < 1 + (int)(k % 4); e++) {
        x = x * 1103515245u + 12345;
        char *s = (x >> 8) % 3 ? url : hdr;
        size_t n = strlen(s), at = 7 + (x >> 12) % (n - 7);
        switch ((x >> 20) % 3) {
        case 0:
            s[at] = (char)('a' + (x >> 24) % 26);
            break;
        case 1:     /* insert up to 20 bytes */
            if (n + 20 < 120) {
                size_t m = 1 + (x >> 24) % 20;
                memmove(s + at + m, s + at, n - at + 1);
                memset(s + at, 'A' + (int)(k % 26), m);
            }
            break;
        default:    /* remove up to 5 */
            memmove(s + at, s + at + (n - at > 5 ? 5 : 1), n - at - (n - at > 5 ? 5 : 1) + 1);
            break;
        }
    }
    kumo_request *r = req(url, (int)(k % 3));
    kumo_headers_add(kumo_request_headers(r), "X-Token", hdr);
    kumo_map_set(kumo_request_meta(r), "k", kumo_val_int(k));
    if (k % 97 == 0) {
        static char big[70000];
        memset(big, 'b', sizeof(big));
        kumo_request_set_body(r, big, sizeof(big));
    }
    return r;
}

/* Whatever the edits, a request comes back as it went in. */
Test(queue_memory, edited_requests_come_back_whole)
{
    enum { N = 3000 };
    for (unsigned k = 0; k < N; k++)
        kumo__queue_memory.push(q, edited_request(k));
    uint64_t blocks, bytes;
    queue_heap(&blocks, &bytes);
    (void)blocks;
    /* the 31 big bodies, the heap array, and less than 80 bytes a request (packed whole, one
     * is about 140) */
    cr_assert_lt(bytes, (N / 97 + 1) * 70100 + 4096 * 32 + N * 80, "%llu bytes",
                 (unsigned long long)bytes);
    size_t got = 0;
    for (kumo_request *r; (r = kumo__queue_memory.pop(q)); got++) {
        kumo_request *want =
            edited_request((unsigned)kumo_map_get_int(kumo_request_meta(r), "k", -1));
        assert_same_request(want, r);
        kumo_request_unref(want);
        kumo_request_unref(r);
    }
    cr_assert_eq(got, N);
}

/* A run that skips 15 bytes of its anchor and inserts 15 packs as the byte 0xff, the long
 * form's mark, and must take the long form (the PostgreSQL docs' urls hit this): requests
 * that differ from each other in one run of 15 letters, so each is a diff to the first. */
static void edit_url(char *buf, size_t n, unsigned k)
{
    char run[16];
    memset(run, 'A' + (int)(k % 26), 15);
    run[15] = '\0';
    snprintf(buf, n, "http://edit.test/a/long/common/path/for/a/diff/to/fit/in/a/quarter/of/"
             "the/request/%s/and/a/common/tail.html", run);
}

Test(queue_memory, fifteen_for_fifteen_edits_come_back)
{
    char url[192];
    for (unsigned k = 0; k < 26; k++) {
        edit_url(url, sizeof(url), k);
        kumo__queue_memory.push(q, req(url, 0));
    }
    for (unsigned k = 26; k-- > 0;) {      /* last in, first out */
        kumo_request *r = kumo__queue_memory.pop(q);
        cr_assert_not_null(r);
        edit_url(url, sizeof(url), k);
        cr_assert_str_eq(kumo_request_url(r), url);
        kumo_request_unref(r);
    }
}
