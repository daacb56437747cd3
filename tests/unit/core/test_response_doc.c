/* test_response_doc.c - a response's text, encoding and document, queries over it, and the
 * parse pool's hand-over of a worker's document. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "http/headers.h"
#include "http/response.h"
#include "core/response_doc.h"
#include "select/pool.h"
#include "lib/leakcheck.h"
#include <unistd.h>

static char logpath[] = "/tmp/kumo-rdoc-XXXXXX";

static void setup(void)
{
    kumo_leakcheck_start();
    cr_assert_eq(kumo__global_init(), KUMO_OK);
    int fd = mkstemp(logpath);
    cr_assert_geq(fd, 0);
    close(fd);
    cr_assert_eq(kumo__log_set_file(logpath), KUMO_OK);
}

static void teardown(void)
{
    kumo__log_set_file(NULL);
    unlink(logpath);
    kumo__pool_drain(0);
    kumo_leakcheck_end();
}

TestSuite(response_doc, .init = setup, .fini = teardown);

/* A response for url with body and Content-Type ct (NULL: none); returns a new reference. */
static kumo_response *response_with(const char *url, const char *ct, const char *body,
                                    size_t len)
{
    int err;
    kumo_request *req = kumo_request_new(url, NULL, &err);
    cr_assert_not_null(req, "request for %s", url);
    kumo_headers *h = kumo__headers_new();
    if (ct)
        kumo_headers_add(h, "Content-Type", ct);
    char *b = kumo_alloc(len + 1, KUMO_T_BYTES, KUMO_V_BODY);
    memcpy(b, body, len);
    b[len] = '\0';
    kumo_response *res = kumo__response_new(req, url, 200, h, b, len);
    kumo_request_unref(req);
    return res;
}

/* The log written so far (static buffer). */
static const char *log_text(void)
{
    static char buf[4096];
    FILE *f = fopen(logpath, "r");
    cr_assert_not_null(f);
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

Test(response_doc, text_and_encoding_come_from_the_content_type)
{
    static const char body[] = "<p>caf\xe9</p>";
    kumo_response *res = response_with("http://r.example/", "text/html; charset=latin-1", body,
                                       sizeof(body) - 1);
    size_t len = 0;
    const char *t = kumo_response_text(res, &len);
    cr_assert_str_eq(t, "<p>caf\xc3\xa9</p>");
    cr_assert_eq(len, strlen(t));
    cr_assert_str_eq(kumo_response_encoding(res), "cp1252");
    /* Decoded once: the same text comes back, and the document parses from it. */
    cr_assert_eq(kumo_response_text(res, NULL), t);
    cr_assert_not(kumo__response_parsed(res));
    cr_assert_str_eq(kumo_list_get(kumo_css(res, "p::text"), ""), "caf\xc3\xa9");
    cr_assert(kumo__response_parsed(res));
    kumo_response_unref(res);
}

/* The head of a large body decodes only its start; once the whole text exists, it is that. */
Test(response_doc, text_head_decodes_only_the_start)
{
    size_t n = 8u << 20;
    char *body = kumo_alloc(n, KUMO_T_BYTES, KUMO_V_BODY);
    memset(body, 'a', n);
    memcpy(body, "<meta charset=latin-1>caf\xe9", 26);
    kumo_response *res = response_with("http://r.example/", "text/html", body, n);
    kumo_free(body);
    size_t len = 0;
    const char *head = kumo_response_text_head(res, 100, &len);
    cr_assert_leq(len, 404 * 2, "decoded %zu bytes for 100 characters", len);
    cr_assert_geq(len, 100);
    static const char start[] = "<meta charset=latin-1>caf\xc3\xa9" "aaa";
    cr_assert_eq(strncmp(head, start, sizeof(start) - 1), 0, "%.40s", head);
    cr_assert_str_eq(kumo_response_encoding(res), "cp1252");      /* the whole text now */
    const char *all = kumo_response_text(res, &len);
    cr_assert_eq(len, n + 1);
    cr_assert_eq(kumo_response_text_head(res, 100, NULL), all, "the whole text, once made");
    kumo_response_unref(res);

    static const char short_body[] = "<p>\xc3\xa9t\xc3\xa9</p>";
    res = response_with("http://r.example/", "text/html", short_body, sizeof(short_body) - 1);
    cr_assert_str_eq(kumo_response_text_head(res, 4096, &len), "<p>\xc3\xa9t\xc3\xa9</p>");
    /* let go of, then made again on the next call */
    uint64_t kept, freed;
    kumo_heap_totals(NULL, &kept);
    kumo_response_text_head_release(res);
    kumo_heap_totals(NULL, &freed);
    cr_assert_lt(freed, kept, "the head's copy is freed");
    cr_assert_str_eq(kumo_response_text_head(res, 4096, &len), "<p>\xc3\xa9t\xc3\xa9</p>");
    kumo_response_text_head_release(res);
    kumo_response_text_head_release(res);
    kumo_response_text_head_release(NULL);
    kumo_response_unref(res);
}

Test(response_doc, doc_for_parses_once_and_picks_the_parser)
{
    kumo_response *html = response_with("http://r.example/", "text/html", "<P>x</P>", 8);
    int err = KUMO_OK;
    kumo_doc *d = kumo__doc_for(html, &err);
    cr_assert_not_null(d);
    cr_assert(kumo__doc_is_html(d));
    cr_assert_eq(kumo__doc_for(html, &err), d);
    cr_assert_str_eq(kumo_list_get(kumo_xpath(html, "name(//p)"), ""), "p");
    kumo_response_unref(html);

    static const char xml[] = "<?xml version=\"1.0\"?><Root><P>y</P></Root>";
    kumo_response *x = response_with("http://r.example/f.xml", "application/xml", xml,
                                     sizeof(xml) - 1);
    d = kumo__doc_for(x, &err);
    cr_assert_not_null(d);
    cr_assert_not(kumo__doc_is_html(d));
    cr_assert_str_eq(kumo_list_get(kumo_xpath(x, "/Root/P/text()"), ""), "y");
    kumo_response_unref(x);
}

Test(response_doc, css_on_a_non_text_response_is_an_error_line_and_an_empty_list)
{
    static const char png[] = "\x89PNG\r\n\x1a\n\0\0";
    kumo_response *res = response_with("http://r.example/img.png", "image/png", png,
                                       sizeof(png) - 1);
    cr_assert_not(kumo__response_is_text(res));
    int err = KUMO_OK;
    cr_assert_null(kumo__doc_for(res, &err));
    cr_assert_eq(err, KUMO_EINVAL);
    cr_assert_null(kumo_response_text(res, NULL));
    cr_assert_null(kumo_response_encoding(res));

    kumo_selector_list *l = kumo_css(res, "p");
    cr_assert_not_null(l);
    cr_assert_eq(kumo_list_len(l), 0);
    const char *log = log_text();
    cr_assert_not_null(strstr(log, "Cannot query 'p': response http://r.example/img.png has no "
                                   "text body"), "%s", log);
    kumo_response_unref(res);
}

Test(response_doc, parse_src_describes_the_body)
{
    kumo_response *res = response_with("http://r.example/a", "text/html; charset=koi8-r",
                                       "<p>z</p>", 8);
    kumo_parse_src src;
    kumo__response_parse_src(res, &src);
    cr_assert_eq(src.len, 8);
    cr_assert_eq(memcmp(src.body, "<p>z</p>", 8), 0);
    cr_assert_str_eq(src.url, "http://r.example/a");
    cr_assert_str_eq(src.charset, "koi8-r");
    cr_assert(src.html);
    cr_assert_not(src.skip);
    /* Parsed already: the pool only has to report. */
    cr_assert_not_null(kumo__doc_for(res, NULL));
    kumo__response_parse_src(res, &src);
    cr_assert(src.skip);
    kumo_response_unref(res);
}

Test(response_doc, adopting_a_workers_document)
{
    kumo_response *res = response_with("http://r.example/", "text/html", "<p>loop</p>", 11);
    kumo_parse_src src;
    kumo__response_parse_src(res, &src);
    /* What a worker does with src: parse other bytes to tell the trees apart. */
    struct kumo_arena *arena = NULL;
    kumo_xmldoc d = kumo__doc_parse_xml("<p>worker</p>", 13, src.url, NULL, src.html, &arena);
    cr_assert_not_null(d);
    kumo__response_adopt_doc(res, d, arena);
    cr_assert(kumo__response_parsed(res));
    cr_assert_str_eq(kumo_list_get(kumo_css(res, "p::text"), ""), "worker");

    /* A later hand-over keeps the first document. */
    arena = NULL;
    d = kumo__doc_parse_xml("<p>late</p>", 11, src.url, NULL, true, &arena);
    kumo__response_adopt_doc(res, d, arena);
    cr_assert_str_eq(kumo_list_get(kumo_css(res, "p::text"), ""), "worker");
    kumo_response_unref(res);
}

Test(response_doc, a_failed_worker_leaves_parsing_to_the_loop)
{
    kumo_response *res = response_with("http://r.example/", "text/html", "<p>loop</p>", 11);
    kumo__response_adopt_doc(res, NULL, NULL);
    cr_assert_not(kumo__response_parsed(res));
    cr_assert_str_eq(kumo_list_get(kumo_css(res, "p::text"), ""), "loop");
    kumo_response_unref(res);
}
