/* builtin.c - the built-in extensions, in the order they open. */
#include "ext/ext.h"
#include "core/registry.h"

const kumo_ext_def *const kumo_ext_builtin[] = {
    &kumo_ext_corestats, &kumo_ext_memusage,   &kumo_ext_logstats,
    &kumo_ext_memdebug,  &kumo_ext_leakwatch,
    &kumo_ext_feedexport, &kumo_ext_closespider, &kumo_ext_telnetconsole,
    &kumo_ext_autothrottle,
};
const size_t kumo_ext_builtin_len = KUMO_ARRAY_LEN(kumo_ext_builtin);

/* The crawler opens what is registered, by rank: this table's order, ten apart. */
KUMO_REGISTER(register_builtins)
{
    for (size_t i = 0; i < kumo_ext_builtin_len; i++)
        kumo__register(KUMO_REG_EXT, kumo_ext_builtin[i], (int)(i + 1) * 10);
}
