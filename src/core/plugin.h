/* plugin.h - spider plugins: find, dlopen, check the ABI. */
#ifndef KUMO_PLUGIN_H
#define KUMO_PLUGIN_H

#include "kumo-int.h"

typedef struct kumo_plugin kumo_plugin;

/*
 * Load a spider by name (searched in $KUMO_SPIDER_DIR, ./spiders and the installed spider
 * directory) or by path (anything with a '/' or ending in .so).  Returns KUMO_ENOENT,
 * KUMO_EABI or KUMO_EINVAL with a one-line message in err.
 */
int kumo_plugin_open(const char *spec, kumo_plugin **out, char *err, size_t errlen);

/* The definition and the file it came from; borrowed, valid until kumo_plugin_close(). */
const kumo_spider_def *kumo_plugin_def(const kumo_plugin *p);
const char *kumo_plugin_path(const kumo_plugin *p);

void kumo_plugin_close(kumo_plugin *p);

/*
 * Call fn for every loadable spider found in the search path, by name order of files;
 * err_fn (may be NULL) for every .so that fails to load, with the message.
 */
void kumo_plugin_list(void (*fn)(void *ctx, const kumo_spider_def *def, const char *path),
                      void (*err_fn)(void *ctx, const char *msg), void *ctx);

#endif
