/* downloader_config.h - the downloader's configuration, read from a crawl's settings. */
#ifndef KUMO_DOWNLOADER_CONFIG_H
#define KUMO_DOWNLOADER_CONFIG_H

#include "kumo-int.h"
#include "http/downloader.h"

/*
 * Fill cfg from c's settings (CONCURRENT_REQUESTS*, DOWNLOAD_*, RANDOMIZE_DOWNLOAD_DELAY,
 * DNS_RESOLVE, AutoThrottle's start delay as every new slot's first delay), on c's loop,
 * with Scrapy's response_downloaded signal sent through c.  Returns KUMO_OK, or
 * KUMO_EINVAL with one line in err naming a malformed DNS_RESOLVE entry; either way
 * release cfg with kumo__downloader_config_release().
 */
int kumo__downloader_config(kumo_crawler *c, kumo_downloader_config *cfg, char *err,
                            size_t errlen);
void kumo__downloader_config_release(kumo_downloader_config *cfg);

#endif
