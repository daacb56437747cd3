/* webpage.h - the web service's one page (src/ext/webpage.html, embedded at build time):
 * live charts of a crawl, and of a finished one in `kumo report`. */
#ifndef KUMO_WEBPAGE_H
#define KUMO_WEBPAGE_H

#include "kumo-int.h"

/*
 * Returns the page's bytes (NUL-terminated; static) and stores their length in *len.  The
 * page polls /api/live, /api/prefs and /api/est with the token of its own url; a page
 * that defines `window.KUMO_REPORT` (a JSON object of /api/live's shape) before its first
 * script draws that once instead, for static reports.
 */
const char *kumo__webpage(size_t *len);

/* Where the page lets a report insert its data: the text of its first "<script>" tag. */
#define KUMO_WEBPAGE_DATA_MARK "<script>"

#endif
