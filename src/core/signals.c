/* signals.c - a table of handler lists, one per signal. */
#include "core/signals.h"

typedef struct handler {
    kumo_signal_fn fn;
    void *ctx;
} handler;

struct kumo_signals {
    handler *h[KUMO_SIG_MAX];
    size_t len[KUMO_SIG_MAX], cap[KUMO_SIG_MAX];
};

kumo_signals *kumo__signals_new(void)
{
    return kumo_calloc(1, sizeof(kumo_signals), KUMO_T_OTHER, KUMO_V_NONE);
}

void kumo__signals_free(kumo_signals *s)
{
    if (!s)
        return;
    for (int i = 0; i < KUMO_SIG_MAX; i++)
        kumo_free(s->h[i]);
    kumo_free(s);
}

void kumo__signal_connect(kumo_signals *s, kumo_signal sig, kumo_signal_fn fn, void *ctx)
{
    if (s->len[sig] == s->cap[sig]) {
        s->cap[sig] = s->cap[sig] ? 2 * s->cap[sig] : 4;
        s->h[sig] = kumo_realloc(s->h[sig], s->cap[sig] * sizeof(handler), KUMO_T_OTHER,
                                 KUMO_V_NONE);
    }
    s->h[sig][s->len[sig]++] = (handler){fn, ctx};
}

void kumo__signal_send(kumo_signals *s, kumo_crawler *c, kumo_signal sig, void *arg)
{
    for (size_t i = 0; i < s->len[sig]; i++)
        s->h[sig][i].fn(s->h[sig][i].ctx, c, arg);
}
