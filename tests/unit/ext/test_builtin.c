/* test_builtin.c - the built-in extensions table: all registered, in their opening order. */
#include <criterion/criterion.h>

#include "kumo-int.h"
#include "core/registry.h"
#include "ext/ext.h"
#include "lib/leakcheck.h"

TestSuite(ext_builtin, KUMO_LEAKCHECK);

static int position(const kumo_ext_def *def)
{
    const void *const *v = kumo__registered(KUMO_REG_EXT);
    for (int i = 0; v[i]; i++)
        if (v[i] == def)
            return i;
    return -1;
}

Test(ext_builtin, every_builtin_is_registered_once_in_rank_order)
{
    const kumo_ext_def *order[] = {
        &kumo__ext_corestats, &kumo__ext_memusage,  &kumo__ext_logstats,   &kumo__ext_memdebug,
        &kumo__ext_leakwatch, &kumo__ext_feedexport, &kumo__ext_closespider,
        &kumo__ext_autothrottle,
    };
    int last = -1;
    for (size_t i = 0; i < KUMO_ARRAY_LEN(order); i++) {
        int p = position(order[i]);
        cr_assert_gt(p, last, "%s is out of order", order[i]->name);
        last = p;
    }
    /* names are unique and every extension can open */
    const void *const *v = kumo__registered(KUMO_REG_EXT);
    for (size_t i = 0; v[i]; i++) {
        const kumo_ext_def *d = v[i];
        cr_assert_not_null(d->name);
        cr_assert_not_null(d->open, "%s", d->name);
        for (size_t j = 0; j < i; j++)
            cr_assert_str_neq(((const kumo_ext_def *)v[j])->name, d->name);
    }
}
