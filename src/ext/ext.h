/* ext.h - extensions: objects that live for one crawl and act on its signals. */
#ifndef KUMO_EXT_H
#define KUMO_EXT_H

#include "kumo-int.h"

typedef struct kumo_ext_def {
    const char *name;
    /* Connect to signals, set *self; KUMO_EDECLINED: disabled by its settings. */
    int (*open)(kumo_crawler *c, void **self, char *err, size_t errlen);
    void (*close)(void *self, kumo_crawler *c);
} kumo_ext_def;

extern const kumo_ext_def kumo_ext_corestats, kumo_ext_logstats, kumo_ext_closespider,
    kumo_ext_memusage, kumo_ext_feedexport;

/* Memory: MemoryDebugger (MEMDEBUG_*) and LeakWatch (LEAKWATCH_*, leak suspects). */
extern const kumo_ext_def kumo_ext_memdebug, kumo_ext_leakwatch;

/* TelnetConsole (TELNETCONSOLE_*): the console of src/console/ on the crawl's loop. */
extern const kumo_ext_def kumo_ext_telnetconsole;

/* The built-in extensions in the order they open. */
extern const kumo_ext_def *const kumo_ext_builtin[];
extern const size_t kumo_ext_builtin_len;

#endif
