/* plugin.h - spider plugins: find, dlopen, check the ABI; order their components. */
#ifndef KUMO_CORE_PLUGIN_H
#define KUMO_CORE_PLUGIN_H

#include "kumo-int.h"

typedef struct kumo_plugin kumo_plugin;

/*
 * Load a spider by name (searched in $KUMO_SPIDER_DIR, ./spiders and the installed spider
 * directory) or by path (anything with a '/' or ending in .so).  Returns KUMO_ENOENT,
 * KUMO_EABI or KUMO_EINVAL with a one-line message in err.
 */
int kumo__plugin_open(const char *spec, kumo_plugin **out, char *err, size_t errlen);

/*
 * kumo__plugin_open() for a plugin made from another file (runspider's cached object of
 * FILE.c): its messages name shown instead of the .so (NULL: the .so).
 */
int kumo__plugin_open_as(const char *spec, const char *shown, kumo_plugin **out, char *err,
                        size_t errlen);

/* The definition and the file it came from; borrowed, valid until kumo__plugin_close(). */
const kumo_spider_def *kumo__plugin_def(const kumo_plugin *p);
const char *kumo__plugin_path(const kumo_plugin *p);

void kumo__plugin_close(kumo_plugin *p);

/*
 * One candidate of a component list (a middleware, a pipeline or an extension): its name,
 * its default order and its definition (a kumo_dlmw_def *, ... as the caller knows).
 * index is the listing position, set by kumo__components_build(): it keeps ties stable.
 */
typedef struct kumo_component {
    const char *name;
    int order;
    const void *def;
    size_t index;
} kumo_component;

/*
 * Scrapy's build_component_list(): apply the dict setting (a JSON object {"Name": order});
 * null or -1 disables an entry, a key may also be Scrapy's class path
 * ("scrapy.downloadermiddlewares.retry.RetryMiddleware" finds "Retry"), then sort by order,
 * ties in listing order.  cands[0..*n) are the built-ins then the spider's own components,
 * in listing order; on success *n is how many stay enabled, sorted in cands[0..*n).
 * what names the kind in messages ("downloader middleware").  Returns KUMO_EINVAL with a
 * one-line message in err for a bad setting, an unknown or repeated key, or two candidates
 * with the same name.
 */
int kumo__components_build(const kumo_settings *s, const char *setting, const char *what,
                          kumo_component *cands, size_t *n, char *err, size_t errlen);

/*
 * Call fn for every loadable spider found in the search path, by name order of files;
 * err_fn (may be NULL) for every .so that fails to load, with the message.
 */
void kumo__plugin_list(void (*fn)(void *ctx, const kumo_spider_def *def, const char *path),
                      void (*err_fn)(void *ctx, const char *msg), void *ctx);

#endif
