/* builtin.c - the built-in extensions of this floor, registered with core in the order
 * they open (the telnet console registers itself from src/console/ at rank 80). */
#include "ext/ext.h"
#include "core/registry.h"

static const struct {
    const kumo_ext_def *def;
    int rank;
} builtins[] = {
    {&kumo__ext_corestats, 10},   {&kumo__ext_memusage, 20},    {&kumo__ext_logstats, 30},
    {&kumo__ext_progress, 35},    {&kumo__ext_memdebug, 40},    {&kumo__ext_leakwatch, 50},
    {&kumo__ext_feedexport, 60},  {&kumo__ext_closespider, 70}, {&kumo__ext_autothrottle, 90},
    {&kumo__ext_webservice, 95},
};

KUMO_REGISTER(register_builtins)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(builtins); i++)
        kumo__register(KUMO_REG_EXT, builtins[i].def, builtins[i].rank);
}
