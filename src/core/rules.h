/* rules.h - Scrapy's CrawlSpider: a spider's .rules turned into requests and callbacks. */
#ifndef KUMO_RULES_H
#define KUMO_RULES_H

#include "kumo-int.h"

/* The callback of a request without one in a spider with rules (CrawlSpider.parse), the
 * callback and errback of every rule's request (CrawlSpider._callback / _errback), under
 * these names in a job. */
void kumo__rules_parse(kumo_response *res, kumo_out *out);
void kumo__rules_callback(kumo_response *res, kumo_out *out);
void kumo__rules_errback(kumo_failure *f, kumo_out *out);
#define KUMO_RULES_PARSE_NAME "_parse"
#define KUMO_RULES_CALLBACK_NAME "_callback"
#define KUMO_RULES_ERRBACK_NAME "_errback"

/* Number of rules of def (0 without). */
size_t kumo__rules_count(const kumo_spider_def *def);

/*
 * Check def's rules: reserved slots NULL, link extractors that check
 * (kumo_link_extractor_check()).  Returns KUMO_OK, or the error with one line in err
 * ("spider 'x' in 'x.so': rule 1: LinkExtractor allow: bad pattern 'a(': ...").
 */
int kumo__rules_check(const kumo_spider_def *def, const char *where, char *err, size_t errlen);

#endif
