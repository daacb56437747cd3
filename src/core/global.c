/* global.c - process-wide setup: libxml2 through the tagged heap, libcurl's globals. */
#include "kumo-int.h"
#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/xmlmemory.h>
#include "mem/arena.h"
#include "util/alloc.h"
#include "select/css.h"

static bool done;

/* While a document is parsed, its nodes come from the document's arena (doc.c). */
static void *xml_malloc(size_t n)
{
    void *p = kumo__arena_current_alloc(n);
    return p ? p : kumo_alloc(n, KUMO_T_XMLDOC, KUMO_V_DOC);
}

static void *xml_realloc(void *p, size_t n)
{
    return kumo_realloc(p, n, KUMO_T_XMLDOC, KUMO_V_DOC);
}

static char *xml_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = xml_malloc(n);
    memcpy(p, s, n);
    return p;
}

int kumo__global_init(void)
{
    if (done)
        return KUMO_OK;
    if (xmlMemSetup(kumo_free, xml_malloc, xml_realloc, xml_strdup) != 0)
        return KUMO_EINVAL;
    xmlInitParser();
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return KUMO_EIO;
    done = true;
    return KUMO_OK;
}

void kumo__global_cleanup(void)
{
    if (!done)
        return;
    kumo__select_cleanup();
    kumo_class_cleanup();
    curl_global_cleanup();
    xmlCleanupParser();
    kumo__alloc_pool_flush();
    done = false;
}
