/* test_ref.c - trackref: live lists, oldest first, parents, and the prefs report. */
#include <criterion/criterion.h>
#include <signal.h>
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
