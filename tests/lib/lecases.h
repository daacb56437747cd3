/* lecases.h - LinkExtractor option sets written as JSON (scripts/linkextractor-diff.py's
 * table), for kumo-seltool --links and tests/unit/core/test_linkextractor.c. */
#ifndef KUMO_TESTS_LECASES_H
#define KUMO_TESTS_LECASES_H

#include "kumo-int.h"
#include "util/buf.h"

/* Options read from a JSON object; the lists point into the parsed value. */
typedef struct lecase_opts {
    kumo_link_extractor le;
    const char **lists[16];      /* owned arrays (their strings borrowed from the value) */
    size_t nlists;
} lecase_opts;

/* Fill o from obj (a parsed JSON object: {"allow": ["x"], "unique": false,
 * "process_value": "js"...}); obj must outlive o.  Returns KUMO_OK, or KUMO_EINVAL with
 * why in err for an unknown key or hook. */
int lecase_opts_from_json(const kumo_value *obj, lecase_opts *o, char *err, size_t errlen);
void lecase_opts_release(lecase_opts *o);

/* One link as the script prints it: [url, text, fragment, nofollow] in JSON, into b. */
void lecase_link_json(kumo_buf *b, const kumo_link *l);

#endif
