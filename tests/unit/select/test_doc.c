/* test_doc.c - documents: decoded text made once, the tree parsed from it or from the bytes,
 * queries over the whole document and the <base href> lookup. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "select/doc.h"
#include "select/css.h"
#include "select/pool.h"
#include "lib/leakcheck.h"
#include "mem/arena.h"
#include <unistd.h>
#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>

static void setup(void)
{
    kumo_leakcheck_start();
    cr_assert_eq(kumo__global_init(), KUMO_OK);
}

static void teardown(void)
{
    kumo__pool_drain(0);
    kumo_leakcheck_end();
}

TestSuite(doc, .init = setup, .fini = teardown);

#define URL "http://doc.example/dir/page.html"

/* The first result of query (css or XPath) on doc, "" when none. */
static const char *first(kumo_doc *doc, const char *query, bool css)
{
    kumo_selector_list *l = kumo__doc_select(doc, query, css);
    cr_assert_not_null(l, "%s", query);
    return kumo_list_get(l, "");
}

Test(doc, text_is_decoded_once_with_the_first_charset)
{
    static const char body[] = "<p>caf\xe9</p>";
    kumo_doc *doc = kumo__doc_new(true);
    const kumo_text *t = kumo__doc_text(doc, body, sizeof(body) - 1, "iso-8859-1");
    cr_assert_str_eq(t->s, "<p>caf\xc3\xa9</p>");
    cr_assert_str_eq(t->encoding, "cp1252");
    /* The second call keeps the first text, whatever it is given now. */
    const kumo_text *t2 = kumo__doc_text(doc, "<p>other</p>", 12, "utf-8");
    cr_assert_eq(t2, t);
    cr_assert_str_eq(t2->s, "<p>caf\xc3\xa9</p>");
    cr_assert_not(kumo__doc_parsed(doc));
    kumo__doc_unref(doc);
}

Test(doc, parse_after_text_reads_the_decoded_text)
{
    static const char body[] = "<html><body><p>caf\xe9</p></body></html>";
    kumo_doc *doc = kumo__doc_new(true);
    kumo__doc_text(doc, body, sizeof(body) - 1, "latin-1");
    /* The charset given to parse is not used: the tree comes from the text. */
    cr_assert_eq(kumo__doc_parse(doc, body, sizeof(body) - 1, URL, "utf-8"), KUMO_OK);
    cr_assert(kumo__doc_parsed(doc));
    cr_assert_str_eq(first(doc, "p::text", true), "caf\xc3\xa9");
    kumo__doc_unref(doc);
}

Test(doc, parse_from_bytes_without_text)
{
    static const char body[] = "<html><body><p>caf\xe9</p><p>two</p></body></html>";
    kumo_doc *doc = kumo__doc_new(true);
    cr_assert(kumo__doc_is_html(doc));
    cr_assert_eq(kumo__doc_parse(doc, body, sizeof(body) - 1, URL, "latin-1"), KUMO_OK);
    cr_assert(kumo__doc_parsed(doc));
    cr_assert_str_eq(first(doc, "p::text", true), "caf\xc3\xa9");
    cr_assert_str_eq(first(doc, "count(//p)", false), "2.0");
    /* A second parse keeps the first tree. */
    cr_assert_eq(kumo__doc_parse(doc, "<p>x</p>", 8, URL, NULL), KUMO_OK);
    cr_assert_str_eq(first(doc, "count(//p)", false), "2.0");
    kumo__doc_unref(doc);
}

Test(doc, xml_parser_keeps_case_and_empty_body_parses)
{
    static const char xml[] = "<?xml version=\"1.0\"?><Feed><Item>a</Item><Item>b</Item></Feed>";
    kumo_doc *doc = kumo__doc_new(false);
    cr_assert_not(kumo__doc_is_html(doc));
    cr_assert_eq(kumo__doc_parse(doc, xml, sizeof(xml) - 1, URL, NULL), KUMO_OK);
    cr_assert_str_eq(first(doc, "count(/Feed/Item)", false), "2.0");
    cr_assert_str_eq(first(doc, "/Feed/Item[2]/text()", false), "b");
    kumo__doc_unref(doc);

    kumo_doc *empty = kumo__doc_new(true);
    cr_assert_eq(kumo__doc_parse(empty, "", 0, URL, NULL), KUMO_OK);
    cr_assert(kumo__doc_parsed(empty));
    cr_assert_str_eq(first(empty, "name(/*)", false), "html");
    kumo__doc_unref(empty);
}

Test(doc, references_keep_the_document)
{
    kumo_doc *doc = kumo__doc_new(true);
    cr_assert_eq(kumo__doc_parse(doc, "<p>kept</p>", 11, URL, NULL), KUMO_OK);
    cr_assert_eq(kumo__doc_ref(doc), doc);
    kumo__doc_unref(doc);
    cr_assert_str_eq(first(doc, "p::text", true), "kept");
    kumo__doc_unref(doc);
    kumo__doc_unref(NULL);
}

Test(doc, invalid_query_is_an_empty_list)
{
    kumo_doc *doc = kumo__doc_new(true);
    cr_assert_eq(kumo__doc_parse(doc, "<p>a</p>", 8, URL, NULL), KUMO_OK);
    kumo_selector_list *l = kumo__doc_select(doc, "//p[", false);
    cr_assert_not_null(l);
    cr_assert_eq(kumo_list_len(l), 0);
    l = kumo__doc_select(doc, "p::nosuch", true);
    cr_assert_eq(kumo_list_len(l), 0);
    kumo__doc_unref(doc);
}

Test(doc, worker_parse_is_adopted_unless_parsed_meanwhile)
{
    struct kumo_arena *arena = NULL;
    kumo_xmldoc d = kumo__doc_parse_xml("<p>worker</p>", 13, URL, NULL, true, &arena);
    cr_assert_not_null(d);
    kumo_doc *doc = kumo__doc_new(true);
    kumo__doc_adopt(doc, d, arena);
    cr_assert(kumo__doc_parsed(doc));
    cr_assert_str_eq(first(doc, "p::text", true), "worker");

    /* A second tree for the same document is discarded: the first stays. */
    arena = NULL;
    d = kumo__doc_parse_xml("<p>late</p>", 11, URL, NULL, true, &arena);
    cr_assert_not_null(d);
    kumo__doc_adopt(doc, d, arena);
    cr_assert_str_eq(first(doc, "p::text", true), "worker");
    kumo__doc_unref(doc);

    arena = NULL;
    d = kumo__doc_parse_xml("<p>never</p>", 12, URL, NULL, true, &arena);
    kumo__doc_discard(d, arena);
}

/* libxml2's own serialisation of d: the whole tree, to compare two parses. */
static char *dump_tree(xmlDocPtr d)
{
    xmlChar *out = NULL;
    int len = 0;
    htmlDocDumpMemory(d, &out, &len);
    cr_assert_not_null(out);
    char *s = strdup((const char *)out);
    xmlFree(out);
    return s;
}

/*
 * A page of every construct the HTML parser looks ahead in (doctype, comments, scripts with
 * "</" inside, entities, long attributes, multi-byte characters, CDATA, processing
 * instructions, unclosed tags), shifted by pad bytes so that they fall across the 4,000-byte
 * reads the parser takes from kumo's text.  Returns a new string (free()).
 */
static char *lookahead_page(size_t pad, size_t *len)
{
    static const char piece[] =
        "<!-- a comment -- with dashes --><p class=\"c\" title='t'>caf\xc3\xa9 &amp; &#x263A; "
        "&nosuch; &lt;</p><script>if (a</b) { x = \"</p>\"; }</script><style>p{}</style>"
        "<![CDATA[ raw ]]><?pi target?><textarea><b>no</b></textarea><pre>\n x</pre>"
        "<table><tr><td>1<td>2</table><ul><li>one<li>two</ul><br/><img src=x alt=\"\">"
        "<a href=\"http://example.com/\xe2\x82\xac?a=1&b=2\">link</a><div   id = d >text\n";
    size_t cap = 200000, n = 0;
    char *s = malloc(cap);
    cr_assert_not_null(s);
    n += (size_t)snprintf(s, cap, "<!DOCTYPE html><html><head><meta charset=\"iso-8859-1\">"
                                  "<title>t</title></head><body>");
    memset(s + n, ' ', pad);
    n += pad;
    s[n++] = 'x';
    for (int i = 0; n + 9000 < cap; i++) {
        memcpy(s + n, piece, sizeof(piece) - 1);
        n += sizeof(piece) - 1;
        if (i % 7 == 0) {       /* an attribute longer than a read */
            n += (size_t)snprintf(s + n, cap - n, "<span data-x=\"");
            memset(s + n, 'v', 5000);
            n += 5000;
            n += (size_t)snprintf(s + n, cap - n, "\">s</span>");
        }
    }
    n += (size_t)snprintf(s + n, cap - n, "</body></html>");
    *len = n;
    return s;
}

Test(doc, html_parse_from_kumo_text_is_htmlreadmemory_tree)
{
    /* The same tree as libxml2's htmlReadMemory() with parsel's options, wherever the
     * reads split the page; the <meta charset> does not switch the encoding midway. */
    for (size_t pad = 0; pad < 4000; pad += 499) {
        size_t n;
        char *page = lookahead_page(pad, &n);
        struct kumo_arena *arena = NULL;
        kumo_xmldoc d = kumo__doc_parse_utf8(page, n, URL, true, &arena);
        cr_assert_not_null(d);
        xmlDocPtr ref = htmlReadMemory(page, (int)n, URL, "UTF-8",
                                       HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                                           HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
                                           HTML_PARSE_COMPACT);
        cr_assert_not_null(ref);
        char *a = dump_tree(d), *b = dump_tree(ref);
        cr_assert(strlen(a) > n / 2, "pad %zu: the tree has the page", pad);
        cr_assert_str_eq(a, b, "pad %zu", pad);
        cr_assert_not_null(strstr(a, "<!-- a comment -- with dashes -->"), "pad %zu", pad);
        free(a);
        free(b);
        xmlFreeDoc(ref);
        kumo__doc_discard(d, arena);
        free(page);
    }
}

/* Resident KiB of this process. */
static long rss_kib(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    cr_assert_not_null(f);
    cr_assert_eq(fscanf(f, "%ld %ld", &pages, &resident), 2);
    fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

Test(doc, a_large_tree_gives_its_pages_back_when_it_dies)
{
    size_t cap = 4500000, n = 0;
    char *page = malloc(cap);
    cr_assert_not_null(page);
    n += (size_t)snprintf(page, cap, "<html><body>");
    for (int i = 0; n + 100 < cap; i++)
        n += (size_t)snprintf(page + n, cap - n, "<p class=\"c%d\">text %d</p>", i % 10, i);
    struct kumo_arena *arena = NULL;
    kumo_xmldoc d = kumo__doc_parse_utf8(page, n, URL, true, &arena);
    cr_assert_not_null(d);
    cr_assert_gt(kumo__arena_bytes(arena), 16u << 20, "a tree of %zu bytes",
                 kumo__arena_bytes(arena));
    /* a block made after the tree: its pages are not the heap's top, which malloc trims
     * by itself */
    void *pin = kumo_alloc(64, KUMO_T_STR, KUMO_V_NONE);
    long before = rss_kib();
    kumo__doc_discard(d, arena);
    long after = rss_kib();
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    (void)before;           /* the sanitizers' allocators keep their pages */
    (void)after;
#else
    cr_assert_lt(after, before - 4096, "RSS %ld KiB -> %ld KiB", before, after);
#endif
    kumo_free(pin);
    free(page);
}
