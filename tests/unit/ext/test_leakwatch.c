/* test_leakwatch.c - LeakWatch's suspect test on synthetic samples, its warning text, its
 * JSON lines, and sampling real objects. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "ext/leakwatch.h"
#include "http/request.h"
#include "lib/leakcheck.h"

TestSuite(leakwatch, KUMO_LEAKCHECK);

#define REQ (&KUMO_CLASS(Request))
#define HTML (&KUMO_CLASS(HtmlResponse))
#define ITEM (&KUMO_CLASS(Item))
#define SEL (&KUMO_CLASS(Selector))
#define NSAMP 4

/* One class across NSAMP samples: its counts and its oldest object's born time in each. */
typedef struct track {
    const kumo_class *cls;
    size_t live[NSAMP];
    double born[NSAMP];
} track;

/* Build NSAMP samples 10s apart (t = 0, 10, 20, 30; now = 100 + t) from the tracks. */
static void build(kumo_lw_sample *s, const track *tr, size_t ntr, const size_t *queued)
{
    for (size_t i = 0; i < NSAMP; i++) {
        memset(&s[i], 0, sizeof(s[i]));
        s[i].t = 10.0 * (double)i;
        s[i].now = 100.0 + s[i].t;
        s[i].queued = queued ? queued[i] : 0;
        for (size_t k = 0; k < ntr; k++)
            s[i].c[s[i].n++] = (kumo_lw_count){tr[k].cls, tr[k].live[i], tr[k].born[i]};
    }
}

static size_t run(const track *tr, size_t ntr, const size_t *queued, size_t min_count,
                  kumo_lw_suspect *out)
{
    kumo_lw_sample s[NSAMP];
    build(s, tr, ntr, queued);
    const kumo_lw_sample *win[NSAMP] = {&s[0], &s[1], &s[2], &s[3]};
    return kumo__lw_suspects(win, NSAMP, min_count, out, 8);
}

#define OLD {95, 95, 95, 95}

/* The seed's picture: HtmlResponse ~ Request, both old and growing. */
Test(leakwatch, responses_held_by_requests)
{
    const track tr[] = {
        {SEL, {2, 3, 1, 2}, {99, 109, 119, 129}},
        {REQ, {200, 300, 400, 500}, OLD},
        {HTML, {198, 297, 399, 498}, OLD},
        {ITEM, {0, 0, 0, 0}, {0, 0, 0, 0}},
    };
    kumo_lw_suspect sus[8];
    cr_assert_eq(run(tr, KUMO_ARRAY_LEN(tr), NULL, 100, sus), 2);
    cr_assert_eq(sus[0].cls, REQ);
    cr_assert_eq(sus[0].peer, HTML);
    cr_assert_eq(sus[1].cls, HTML);
    cr_assert_eq(sus[1].live, 498);
    cr_assert_float_eq(sus[1].age, 35.0, 1e-9);     /* now 130, born 95 */
    cr_assert_eq(sus[1].peer, REQ);
    cr_assert_eq(sus[1].peer_live, 500);
    cr_assert_float_eq(sus[1].peer_age, 35.0, 1e-9);
}

/* What does not make a suspect. */
Test(leakwatch, not_suspects)
{
    static const struct {
        const char *why;
        track tr;
        size_t min_count;
    } cases[] = {
        {"the oldest changed (objects die, others are born)",
         {HTML, {200, 300, 400, 500}, {95, 95, 96, 96}}, 100},
        {"a plateau between two samples", {HTML, {200, 300, 300, 500}, OLD}, 100},
        {"a drop", {HTML, {200, 300, 250, 500}, OLD}, 100},
        {"fewer than LEAKWATCH_MIN_COUNT", {HTML, {20, 30, 40, 50}, OLD}, 100},
        {"nothing alive at the start", {HTML, {0, 300, 400, 500}, {0, 95, 95, 95}}, 100},
    };
    kumo_lw_suspect sus[8];
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++)
        cr_assert_eq(run(&cases[i].tr, 1, NULL, cases[i].min_count, sus), 0, "%s",
                     cases[i].why);
    /* the same growth with min_count reached is a suspect */
    track grow = {HTML, {20, 30, 40, 50}, OLD};
    cr_assert_eq(run(&grow, 1, NULL, 50, sus), 1);
    cr_assert_null(sus[0].peer);
}

/* A long queue is not a leak: requests waiting in the scheduler are expected. */
Test(leakwatch, queued_requests_are_not_suspects)
{
    const track tr[] = {{REQ, {200, 300, 400, 500}, OLD}};
    const size_t queued[NSAMP] = {199, 299, 398, 497};
    kumo_lw_suspect sus[8];
    cr_assert_eq(run(tr, 1, queued, 100, sus), 0);
    /* requests beyond the queue still count */
    const size_t few[NSAMP] = {10, 10, 10, 10};
    cr_assert_eq(run(tr, 1, few, 100, sus), 1);
}

/* The peer is the other class that grew over the window with the closest count. */
Test(leakwatch, peer_is_closest_growing_class)
{
    const track tr[] = {
        {HTML, {200, 300, 400, 500}, OLD},
        {SEL, {510, 510, 510, 510}, OLD},           /* closest, but flat */
        {ITEM, {100, 200, 300, 900}, OLD},          /* grows, far */
        {REQ, {50, 60, 70, 440}, {99, 99, 99, 99}}, /* grows, closest */
    };
    kumo_lw_suspect sus[8];
    size_t n = run(tr, KUMO_ARRAY_LEN(tr), NULL, 100, sus);
    cr_assert_geq(n, 1);
    cr_assert_eq(sus[0].cls, HTML);
    cr_assert_eq(sus[0].peer, REQ);
    cr_assert_eq(sus[0].peer_live, 440);
    cr_assert_float_eq(sus[0].peer_age, 31.0, 1e-9);
}

Test(leakwatch, window_too_short)
{
    kumo_lw_sample s;
    memset(&s, 0, sizeof(s));
    const kumo_lw_sample *win[1] = {&s};
    kumo_lw_suspect sus[1];
    cr_assert_eq(kumo__lw_suspects(win, 1, 0, sus, 1), 0);
    cr_assert_eq(kumo__lw_suspects(win, 0, 0, sus, 1), 0);
}

Test(leakwatch, more_suspects_than_room)
{
    const track tr[] = {{HTML, {200, 300, 400, 500}, OLD}, {REQ, {200, 300, 400, 500}, OLD}};
    kumo_lw_sample s[NSAMP];
    build(s, tr, 2, NULL);
    const kumo_lw_sample *win[NSAMP] = {&s[0], &s[1], &s[2], &s[3]};
    kumo_lw_suspect one[1];
    cr_assert_eq(kumo__lw_suspects(win, NSAMP, 100, one, 1), 2);
    cr_assert_eq(one[0].cls, HTML);
}

Test(leakwatch, warning_text)
{
    static const struct {
        kumo_lw_suspect s;
        const char *want;
    } cases[] = {
        {{.cls = HTML, .live = 3890, .age = 265.4, .peer = REQ, .peer_live = 3878,
          .peer_age = 250.9},
         "Possible memory leak: 3890 HtmlResponse objects alive, more at each of the last 5 "
         "samples, the oldest 265s old; Request grows alongside (3878 alive, the oldest 250s "
         "old): responses are probably held by requests (a response in a request's meta or "
         "cb_kwargs?)"},
        {{.cls = ITEM, .live = 500, .age = 40, .peer = SEL, .peer_live = 480, .peer_age = 39},
         "Possible memory leak: 500 Item objects alive, more at each of the last 5 samples, "
         "the oldest 40s old; Selector grows alongside (480 alive, the oldest 39s old): one "
         "probably holds the other"},
        {{.cls = ITEM, .live = 500, .age = 40},
         "Possible memory leak: 500 Item objects alive, more at each of the last 5 samples, "
         "the oldest 40s old; nothing grows alongside: see what holds it with "
         "get_oldest('Item') in the telnet console"},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        kumo_buf b;
        kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
        kumo__lw_suspect_format(&cases[i].s, 5, &b);
        cr_assert_str_eq(kumo__buf_str(&b), cases[i].want);
        kumo__buf_release(&b);
    }
}

/* With what holds them, the warning names it instead of guessing from a peer. */
Test(leakwatch, warning_names_the_holders)
{
    kumo_lw_suspect s = {.cls = HTML, .live = 6, .age = 7.2, .peer = REQ, .peer_live = 677,
                         .nheld = 2};
    s.held[0] = (kumo_held_by){"Request.meta['referer']", 677, 6, "requests"};
    s.held[1] = (kumo_held_by){"scheduler queue", 1, 1, "references"};
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    kumo__lw_suspect_format(&s, 3, &b);
    cr_assert_str_eq(kumo__buf_str(&b),
                     "Possible memory leak: 6 HtmlResponse objects alive, more at each of the "
                     "last 3 samples, the oldest 7s old; held by Request.meta['referer'] (677 "
                     "requests), scheduler queue (1 reference)");
    kumo__buf_reset(&b);
    cr_assert_eq(kumo__lw_suspects_json(&s, 1, &b), KUMO_OK);
    cr_assert_str_eq(kumo__buf_str(&b),
                     "\"suspects\": [{\"class\": \"HtmlResponse\", \"live\": 6, \"oldest\": 7.2, "
                     "\"held_by\": [{\"by\": \"Request.meta['referer']\", \"holders\": 677, "
                     "\"unit\": \"requests\", \"references\": 6}, {\"by\": \"scheduler queue\", "
                     "\"holders\": 1, \"unit\": \"references\", \"references\": 1}]}]");
    kumo__buf_release(&b);
}

Test(leakwatch, json_line)
{
    kumo_lw_sample s;
    memset(&s, 0, sizeof(s));
    s.t = 12.5;
    s.now = 110;
    s.rss = 123456789;
    s.heap = 4567;
    s.mfree = 89;
    s.pages = 4000;
    s.items = 3990;
    s.c[s.n++] = (kumo_lw_count){REQ, 3878, 100};
    s.c[s.n++] = (kumo_lw_count){HTML, 3890, 95.5};
    s.c[s.n++] = (kumo_lw_count){ITEM, 0, 0};
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    cr_assert_eq(kumo__lw_sample_json(&s, &b), KUMO_OK);
    cr_assert_str_eq(kumo__buf_str(&b),
                     "{\"t\": 12.500, \"rss\": 123456789, \"heap\": 4567, \"free\": 89, "
                     "\"pages\": 4000, \"items\": 3990, \"live\": {\"Request\": 3878, "
                     "\"HtmlResponse\": 3890, \"Item\": 0}, \"oldest\": {\"Request\": 10.0, "
                     "\"HtmlResponse\": 14.5}}\n");
    /* a capped buffer reports it rather than writing half a line silently */
    kumo_buf small;
    kumo__buf_init(&small, 20, KUMO_T_STR, KUMO_V_NONE);
    cr_assert_eq(kumo__lw_sample_json(&s, &small), KUMO_ETOOBIG);
    kumo__buf_release(&small);
    kumo__buf_release(&b);
}

/* Sampling reads the real live lists: counts per concrete class and the oldest's birth. */
Test(leakwatch, sample_take_reads_live_objects)
{
    int err;
    kumo_request *a = kumo_request_new("http://127.0.0.1/a", NULL, &err);
    kumo_request *b = kumo_request_new("http://127.0.0.1/b", NULL, &err);
    cr_assert(a && b);
    kumo_lw_sample s;
    kumo__lw_sample_take(&s, 1.5, 4096, 7);
    cr_assert_float_eq(s.t, 1.5, 1e-9);
    cr_assert_eq(s.rss, 4096);
    cr_assert_eq(s.queued, 7);
    bool seen = false;
    for (size_t i = 0; i < s.n; i++) {
        if (s.c[i].cls != REQ)
            continue;
        seen = true;
        cr_assert_eq(s.c[i].live, 2);
        cr_assert_float_eq(s.c[i].oldest_born, ((kumo_ref *)a)->born, 1e-12);
    }
    cr_assert(seen);
    kumo_request_unref(a);
    kumo_request_unref(b);
    kumo__lw_sample_take(&s, 2, 0, 0);
    for (size_t i = 0; i < s.n; i++)
        if (s.c[i].cls == REQ)
            cr_assert_eq(s.c[i].live, 0);
}
