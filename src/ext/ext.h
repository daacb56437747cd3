/* ext.h - extensions: objects that live for one crawl and act on its signals. */
#ifndef KUMO_EXT_H
#define KUMO_EXT_H

#include "kumo-int.h"
#include "kumo/plugin.h"

/* kumo_ext_def is in kumo/plugin.h. */

extern const kumo_ext_def kumo__ext_corestats, kumo__ext_logstats, kumo__ext_closespider,
    kumo__ext_memusage, kumo__ext_feedexport;

/* Memory: MemoryDebugger (MEMDEBUG_*) and LeakWatch (LEAKWATCH_*, leak suspects). */
extern const kumo_ext_def kumo__ext_memdebug, kumo__ext_leakwatch;

/* AutoThrottle (AUTOTHROTTLE_*), and its formula: the new delay of a slot whose delay was
 * old after a response with status that took latency seconds (old when unchanged). */
extern const kumo_ext_def kumo__ext_autothrottle;
double kumo__autothrottle_delay(double old, double latency, int status, double target,
                               double mindelay, double maxdelay);

/* Progress (PROGRESS): the status line under the log when stderr is a terminal. */
extern const kumo_ext_def kumo__ext_progress;

/* WebService (WEBSERVICE_*): charts, /metrics and /api/... over HTTP (webservice.h). */
extern const kumo_ext_def kumo__ext_webservice;

/* builtin.c registers these with core (core/registry.h) in the order they open. */

#endif
