/* fpset.c - the memory dupefilter's fingerprint set: sharded open addressing, 20-byte slots. */
#include "core/fpset.h"

#define FIRST_CAP 64            /* slots of a shard at its first fingerprint */

static bool is_zero(const unsigned char *fp)
{
    uint64_t a, b;
    uint32_t c;
    memcpy(&a, fp, 8);
    memcpy(&b, fp + 8, 8);
    memcpy(&c, fp + 16, 4);
    return (a | b | c) == 0;
}

static kumo_fpset_shard *shard_of(const kumo_fpset *s, const unsigned char *fp)
{
    return (kumo_fpset_shard *)&s->shard[fp[19] % KUMO_FPSET_SHARDS];
}

/* The first slot to probe: the fingerprint's first 32 bits scaled to cap (no modulo). */
static uint32_t home(const unsigned char *fp, uint32_t cap)
{
    uint32_t h;
    memcpy(&h, fp, sizeof(h));
    return (uint32_t)(((uint64_t)h * cap) >> 32);
}

/* Returns the slot holding fp, or the empty slot where it would go. */
static unsigned char *find(const kumo_fpset_shard *sh, const unsigned char *fp)
{
    uint32_t i = home(fp, sh->cap);
    for (;;) {
        unsigned char *e = sh->slot[i];
        if (is_zero(e) || memcmp(e, fp, 20) == 0)
            return e;
        if (++i == sh->cap)
            i = 0;
    }
}

static void grow(kumo_fpset_shard *sh)
{
    unsigned char(*old)[20] = sh->slot;
    uint32_t old_cap = sh->cap;
    if (old_cap > UINT32_MAX / 3)
        kumo_oom((size_t)old_cap * 20);
    sh->cap = old_cap ? old_cap + old_cap / 2 : FIRST_CAP;
    sh->slot = kumo_calloc(sh->cap, 20, KUMO_T_FPSET, KUMO_V_SEEN);
    for (uint32_t i = 0; i < old_cap; i++)
        if (!is_zero(old[i]))
            memcpy(find(sh, old[i]), old[i], 20);
    kumo_free(old);
}

void kumo__fpset_init(kumo_fpset *s)
{
    memset(s, 0, sizeof(*s));
}

void kumo__fpset_release(kumo_fpset *s)
{
    for (size_t i = 0; i < KUMO_FPSET_SHARDS; i++)
        kumo_free(s->shard[i].slot);
    memset(s, 0, sizeof(*s));
}

bool kumo__fpset_add(kumo_fpset *s, const unsigned char fp[20])
{
    if (is_zero(fp)) {
        bool seen = s->zero_seen;
        s->zero_seen = true;
        s->len += !seen;
        return seen;
    }
    kumo_fpset_shard *sh = shard_of(s, fp);
    if (sh->cap && !is_zero(find(sh, fp)))
        return true;
    /* at most 80% full after this one */
    if (5 * ((uint64_t)sh->len + 1) > 4 * (uint64_t)sh->cap)
        grow(sh);
    memcpy(find(sh, fp), fp, 20);
    sh->len++;
    s->len++;
    return false;
}

bool kumo__fpset_has(const kumo_fpset *s, const unsigned char fp[20])
{
    if (is_zero(fp))
        return s->zero_seen;
    const kumo_fpset_shard *sh = shard_of(s, fp);
    return sh->cap && !is_zero(find(sh, fp));
}

size_t kumo__fpset_bytes(const kumo_fpset *s)
{
    size_t n = 0;
    for (size_t i = 0; i < KUMO_FPSET_SHARDS; i++)
        n += (size_t)s->shard[i].cap * 20;
    return n;
}
