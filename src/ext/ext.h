/* ext.h - extensions: objects that live for one crawl and act on its signals. */
#ifndef KUMO_EXT_H
#define KUMO_EXT_H

#include "kumo-int.h"
#include "kumo/plugin.h"

/* kumo_ext_def is in kumo/plugin.h. */

extern const kumo_ext_def kumo_ext_corestats, kumo_ext_logstats, kumo_ext_closespider,
    kumo_ext_memusage, kumo_ext_feedexport;

/* Memory: MemoryDebugger (MEMDEBUG_*) and LeakWatch (LEAKWATCH_*, leak suspects). */
extern const kumo_ext_def kumo_ext_memdebug, kumo_ext_leakwatch;

/* AutoThrottle (AUTOTHROTTLE_*), and its formula: the new delay of a slot whose delay was
 * old after a response with status that took latency seconds (old when unchanged). */
extern const kumo_ext_def kumo_ext_autothrottle;
double kumo_autothrottle_delay(double old, double latency, int status, double target,
                               double mindelay, double maxdelay);

/* builtin.c registers these with core (core/registry.h) in the order they open. */

#endif
