/* test_signals.c - handlers run in connection order, per signal, with their ctx and arg. */
#include <criterion/criterion.h>

#include "kumo-int.h"
#include "core/signals.h"
#include "lib/leakcheck.h"

TestSuite(signals, KUMO_LEAKCHECK);

static char calls[1024];

static void record(void *ctx, kumo_crawler *c, void *arg)
{
    size_t n = strlen(calls);
    snprintf(calls + n, sizeof(calls) - n, "%s(%s,%s) ", (const char *)ctx,
             c ? "c" : "-", arg ? (const char *)arg : "-");
}

Test(signals, connection_order_and_arguments)
{
    kumo_signals *s = kumo__signals_new();
    calls[0] = '\0';
    kumo__signal_connect(s, KUMO_SIG_SPIDER_CLOSED, record, "one");
    kumo__signal_connect(s, KUMO_SIG_SPIDER_CLOSED, record, "two");
    kumo__signal_connect(s, KUMO_SIG_SPIDER_OPENED, record, "open");
    kumo__signal_connect(s, KUMO_SIG_SPIDER_CLOSED, record, "three");
    kumo_crawler *fake = (kumo_crawler *)&calls;   /* passed through, never read */
    kumo__signal_send(s, fake, KUMO_SIG_SPIDER_CLOSED, "finished");
    cr_assert_str_eq(calls, "one(c,finished) two(c,finished) three(c,finished) ");
    calls[0] = '\0';
    kumo__signal_send(s, NULL, KUMO_SIG_SPIDER_OPENED, NULL);
    cr_assert_str_eq(calls, "open(-,-) ");
    kumo__signals_free(s);
}

Test(signals, a_signal_nobody_connected_calls_nothing)
{
    kumo_signals *s = kumo__signals_new();
    calls[0] = '\0';
    kumo__signal_connect(s, KUMO_SIG_ITEM_SCRAPED, record, "item");
    kumo__signal_send(s, NULL, KUMO_SIG_ITEM_DROPPED, "x");
    kumo__signal_send(s, NULL, KUMO_SIG_SPIDER_IDLE, NULL);
    cr_assert_str_eq(calls, "");
    kumo__signals_free(s);
    kumo__signals_free(NULL);
}

Test(signals, many_handlers_grow_the_list)
{
    kumo_signals *s = kumo__signals_new();
    static char names[40][4];
    calls[0] = '\0';
    for (int i = 0; i < 40; i++) {
        snprintf(names[i], sizeof(names[i]), "%d", i % 10);
        kumo__signal_connect(s, KUMO_SIG_REQUEST_SCHEDULED, record, names[i]);
    }
    kumo__signal_send(s, NULL, KUMO_SIG_REQUEST_SCHEDULED, NULL);
    cr_assert_eq(strlen(calls), 40 * strlen("0(-,-) "));
    cr_assert_eq(strncmp(calls, "0(-,-) 1(-,-) 2(-,-) ", 21), 0);
    kumo__signals_free(s);
}
