/* cache_settings.h - the HTTPCACHE_* settings read into an HTTP cache policy. */
#ifndef KUMO_CACHE_SETTINGS_H
#define KUMO_CACHE_SETTINGS_H

#include "kumo-int.h"
#include "http/cache_policy.h"

/*
 * Build p from c's settings.  Returns KUMO_EINVAL with a one-line message in err for an
 * unknown HTTPCACHE_POLICY or an HTTPCACHE_IGNORE_HTTP_CODES entry that is not a number
 * (p is then released and needs no _release).
 */
int kumo__cache_policy_init(kumo_cache_policy *p, kumo_crawler *c, char *err, size_t errlen);

#endif
