/* slots.c - the download slots a Redis frontier shares: slot keys from the local
 * downloader, the politeness settings leases carry, slot delays reported to Redis. */
#include "redis/slots.h"
#include "core/crawler.h"
#include "core/downloader_config.h"
#include "core/engine.h"
#include "http/downloader.h"
#include "http/request.h"

void kumo__redis_slots_init(kumo_redis_slots *s, kumo_crawler *c)
{
    memset(s, 0, sizeof(*s));
    s->c = c;
    kumo_downloader_config cfg;
    char err[256];
    kumo__downloader_config(c, &cfg, err, sizeof(err));    /* DNS_RESOLVE: not ours */
    s->conc = (long long)cfg.slot_concurrency;
    s->delay_ms = (long long)(cfg.delay * 1000 + 0.5);
    s->randomize = cfg.randomize;
    kumo__downloader_config_release(&cfg);
    kumo__buf_init(&s->reports, 0, KUMO_T_QUEUE, KUMO_V_SLOT);
}

void kumo__redis_slots_release(kumo_redis_slots *s)
{
    kumo__buf_release(&s->reports);
}

static kumo_downloader *downloader(kumo_redis_slots *s)
{
    kumo_engine *e = kumo__crawler_engine(s->c);
    return e ? kumo__engine_downloader(e) : NULL;
}

void kumo__redis_slot_of(kumo_redis_slots *s, kumo_request *req, char *out, size_t n)
{
    kumo_downloader *dl = downloader(s);
    if (dl)
        kumo__downloader_slot_key(dl, req, out, n);
    else if (n)
        out[0] = '\0';
}

static uint64_t hash_key(const char *k)
{
    uint64_t h = 1469598103934665603ull;        /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)k; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    return h ? h : 1;
}

void kumo__redis_slots_note(kumo_redis_slots *s, kumo_request *req)
{
    const char *slot = kumo_map_get_str(&req->meta, "download_slot", NULL);
    if (!slot || strlen(slot) >= KUMO_REDIS_SLOT_MAX)
        return;
    double d = kumo_crawler_slot_delay(s->c, slot);
    if (d < 0)
        return;                                 /* the slot is gone: nothing to say */
    long long ms = (long long)(d * 1000 + 0.5);
    uint64_t h = hash_key(slot);
    size_t i = h % KUMO_REDIS_SLOTS_SENT;
    long long told = s->sent[i].h == h ? s->sent[i].ms : s->delay_ms;
    if (ms == told || s->nreports >= KUMO_REDIS_SLOTS_REPORTS)
        return;
    s->sent[i].h = h;
    s->sent[i].ms = ms;
    char num[32];
    int w = snprintf(num, sizeof(num), "%lld", ms);
    kumo__buf_add(&s->reports, slot, strlen(slot) + 1);
    kumo__buf_add(&s->reports, num, (size_t)w + 1);
    s->nreports++;
}

size_t kumo__redis_slots_take(kumo_redis_slots *s,
                              void (*add)(void *ctx, const char *slot, long long ms),
                              void *ctx)
{
    const char *p = s->reports.s;
    for (size_t i = 0; i < s->nreports; i++) {
        const char *ms = p + strlen(p) + 1;
        add(ctx, p, strtoll(ms, NULL, 10));
        p = ms + strlen(ms) + 1;
    }
    size_t n = s->nreports;
    kumo__buf_reset(&s->reports);
    s->nreports = 0;
    return n;
}
