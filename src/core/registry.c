/* registry.c - the lists upper floors fill at start: static arrays, kept in rank order. */
#include "core/registry.h"

#define REG_MAX 64

typedef struct reg_list {
    const void *defs[REG_MAX + 1];  /* NULL-terminated */
    int ranks[REG_MAX];
    size_t len;
} reg_list;

static reg_list lists[KUMO_REG_KINDS];

void kumo__register(kumo_reg_kind kind, const void *def, int rank)
{
    kumo_assert(kind < KUMO_REG_KINDS && def);
    reg_list *l = &lists[kind];
    kumo_assert(l->len < REG_MAX);
    size_t i = l->len;
    while (i > 0 && l->ranks[i - 1] > rank) {     /* stable: ties stay in arrival order */
        l->defs[i] = l->defs[i - 1];
        l->ranks[i] = l->ranks[i - 1];
        i--;
    }
    l->defs[i] = def;
    l->ranks[i] = rank;
    l->len++;
    l->defs[l->len] = NULL;
}

const void *const *kumo__registered(kumo_reg_kind kind)
{
    kumo_assert(kind < KUMO_REG_KINDS);
    return lists[kind].defs;
}

size_t kumo__registered_len(kumo_reg_kind kind)
{
    kumo_assert(kind < KUMO_REG_KINDS);
    return lists[kind].len;
}

const kumo_job_hooks *kumo__job_hooks(void)
{
    return lists[KUMO_REG_JOB].defs[0];
}
