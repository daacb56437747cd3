/* test_cssmatch.c - the native CSS matcher: what it takes, and the same nodes in the same
 * order as the XPath translation on every selector of a corpus, from many context nodes. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "select/css.h"
#include "select/cssmatch.h"
#include "select/doc.h"
#include "select/pool.h"
#include "util/buf.h"
#include "lib/leakcheck.h"
#include <libxml/xpathInternals.h>

static void setup(void)
{
    kumo_leakcheck_start();
    cr_assert_eq(kumo__global_init(), KUMO_OK);
}

static void teardown(void)
{
    kumo__pool_drain(0);
    kumo__select_cleanup();
    kumo_leakcheck_end();
}

TestSuite(cssmatch, .init = setup, .fini = teardown, .timeout = 120);

#define URL "http://cssmatch.example/dir/page.html"

/* ---------------------------------------------------------------- documents */

/* The bench site's shop page, cut down: nested lists, products, prices. */
static const char shop[] =
    "<!DOCTYPE html><html lang=\"en-gb\"><head><meta charset=\"utf-8\">"
    "<title>Catalogue page 1 | Shop</title><link rel=\"stylesheet\" href=\"/s.css\"></head>"
    "<body id=\"default\" class=\"default\"><header class=\"header\"><div class=\"container\">"
    "<a class=\"brand\" href=\"/index.html\">Shop</a></div><nav class=\"navbar\"><ul>"
    "<li><a href=\"/index.html\">Home</a></li><li><a href=\"/p/0.html\">All</a></li></ul>"
    "</nav></header><div class=\"container page\"><ul class=\"breadcrumb\"><li><a "
    "href=\"../index.html\">Home</a></li><li class=\"active\">Page 1</li></ul><section>"
    "<ol class=\"row\"><li class=\"col\"><article class=\"product\" id=\"prod-0\">"
    "<div class=\"image_container\"><a href=\"0.html#prod-0\"><img src=\"/m/0.jpg\" "
    "alt=\"Desk &amp; Tray\" class=\"thumbnail\"></a></div><p class=\"star-rating Five\">"
    "<i class=\"icon-star\"></i><i class=\"icon-star\"></i></p><h3><a href=\"/p/0.html#prod-0\""
    " title=\"Desk &amp; Tray\">Desk...</a></h3><div class=\"product_price\"><p class=\"price\">"
    "\xc2\xa3" "11.95</p><p class=\"instock availability\"><i class=\"icon-ok\"></i> In stock"
    "</p></div></article></li><li class=\"col\"><article class=\"product featured\" "
    "id=\"prod-1\"><p class=\"star-rating Four\"></p><h3><a href=\"/p/0.html#prod-1\" "
    "title=\"Coaster \xe2\x80\x93 Terracotta\">Coaster</a></h3><div class=\"product_price\">"
    "<p class=\"price\">\xc2\xa3" "2.69</p></div><article class=\"product\" id=\"nested\"><h3>"
    "<a href=\"x.html\">inner <b>bold</b> tail</a></h3></article></article></li></ol>"
    "</section><ul class=\"pager\"><li class=\"next\"><a href=\"1.html\">next</a></li></ul>"
    "</div></body></html>";

/* Classes and attribute values that only an exact reading gets right. */
static const char tricky[] =
    "<html><body class=\"page\"><div class=\"a\tb\nc\rd\fe\" id=\"ws\">ws</div>"
    "<div class=\"\" id=\"empty\">empty class</div><div class=\" \" id=\"space\">space</div>"
    "<div class=\"a\"><div class=\"a b\">text one<p class=\"a\">p1 <span>s</span> p1 tail</p>"
    "text two<p>p2</p></div>after inner</div>"
    "<p lang=\"en\">en</p><p lang=\"en-GB\">en-GB</p><p lang=\"-en\">-en</p><p lang=\"EN\">EN</p>"
    "<p lang=\"en-\">en-</p><p lang=\"english\">english</p><p lang=\"\">none</p>"
    "<a data-x=\"\xc3\xa9-\xc3\xbc\" title=\"a &amp; b\" href=\"a.html\">accents</a>"
    "<a data-x=\"x\xc3\xa9\" href=\"\">e-acute</a><a data-x=\"\xc3\xa9\">only e-acute</a>"
    "<input type=\"checkbox\" checked disabled name=\"c\"><input name=\"q\" value=\"kumo\">"
    "<DIV CLASS=\"Upper\" ID=\"U\">upper<B>b</B></DIV><!-- comment <p>x</p> -->"
    "<script>var s = \"<p class='a'>\";</script><style>p.a { }</style>"
    "<svg><circle r=\"1\"></circle><text x=\"1\">svg text</text><a xlink:href=\"#l\">l</a>"
    "</svg><p xml:lang=\"fr\">fr</p><table><tr><td>1<td>2<tr><td>3</table>"
    "<ul><li>one<li class=\"odd item\">two<li>three</ul><p id=\"x\" id=\"y\">dup id</p>"
    "<section><section class=\"s\"><section><p>deep</p></section></section></section>"
    "</body></html>trailing";

typedef struct fixture {
    const char *name;           /* a file of tests/data/select/, or NULL */
    const char *body;           /* or the body itself */
    size_t len;
} fixture;

static const fixture fixtures[] = {
    {"selectors.html", NULL, 0},
    {"quotes.html", NULL, 0},
    {"messy.html", NULL, 0},
    {"links.html", NULL, 0},
    {"base.html", NULL, 0},
    {"enc-empty.html", NULL, 0},
    {NULL, shop, sizeof(shop) - 1},
    {NULL, tricky, sizeof(tricky) - 1},
};

static kumo_doc *parse(const char *body, size_t len)
{
    kumo_doc *doc = kumo__doc_new(true);
    cr_assert_eq(kumo__doc_parse(doc, body, len, URL, "utf-8"), KUMO_OK);
    return doc;
}

static kumo_doc *load(const fixture *f)
{
    if (!f->name)
        return parse(f->body, f->len);
    char path[256];
    snprintf(path, sizeof(path), "tests/data/select/%s", f->name);
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp, "cannot open '%s' (run from the repository root)", path);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof(buf), fp);
    fclose(fp);
    return parse(buf, n);
}

/* The next element after n in document order (n's subtree first), or NULL. */
static xmlNodePtr next_element(xmlNodePtr n)
{
    xmlNodePtr c = n->children;
    while (c && c->type != XML_ELEMENT_NODE)
        c = c->next;
    if (c)
        return c;
    for (; n; n = n->parent)
        for (xmlNodePtr s = n->next; s; s = s->next)
            if (s->type == XML_ELEMENT_NODE)
                return s;
    return NULL;
}

/* The context nodes of a document: the document node, the root element, and about want
 * more elements, evenly spread in document order.  Returns how many. */
#define MAX_CTX 48

static size_t contexts(kumo_doc *doc, xmlNodePtr *out, size_t want)
{
    size_t n = 0, count = 0;
    out[n++] = (xmlNodePtr)doc->xml;
    xmlNodePtr root = kumo__doc_root(doc);
    if (root == (xmlNodePtr)doc->xml)
        return n;
    for (xmlNodePtr e = root; e; e = next_element(e))
        count++;
    size_t k = want && count > want ? count / want : 1, i = 0;
    for (xmlNodePtr e = root; e && n < MAX_CTX; e = next_element(e), i++)
        if (i % k == 0)
            out[n++] = e;
    return n;
}

/* ---------------------------------------------------------------- comparing */

typedef struct nodes {
    xmlNodePtr *v;
    size_t len, cap;
} nodes;

static void push(void *arg, xmlNodePtr n)
{
    nodes *l = arg;
    if (l->len == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = realloc(l->v, l->cap * sizeof(*l->v));
        cr_assert_not_null(l->v);
    }
    l->v[l->len++] = n;
}

static void by_xpath(kumo_doc *doc, xmlNodePtr ctx, const kumo_query *q, nodes *out)
{
    out->len = 0;
    xmlXPathObjectPtr obj = kumo__doc_eval(doc, ctx, q->comp);
    cr_assert_not_null(obj, "'%s' evaluates", q->key);
    cr_assert_eq(obj->type, XPATH_NODESET, "'%s' gives nodes", q->key);
    if (obj->nodesetval) {
        if (obj->nodesetval->nodeNr > 1)
            xmlXPathNodeSetSort(obj->nodesetval);
        for (int i = 0; i < obj->nodesetval->nodeNr; i++)
            push(out, obj->nodesetval->nodeTab[i]);
    }
    xmlXPathFreeObject(obj);
}

static const char *describe(xmlNodePtr n, char *buf, size_t size)
{
    if (!n)
        return "(none)";
    const char *v = "";
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE)
        v = n->content ? (const char *)n->content : "";
    snprintf(buf, size, "%s %d '%.30s' line %d", n->name ? (const char *)n->name : "?",
             (int)n->type, v, n->type == XML_ELEMENT_NODE ? (int)xmlGetLineNo(n) : 0);
    return buf;
}

/*
 * Document order, the true one: every node of the tree numbered as a walk meets it, an
 * element's attributes right after it.  The XPath's sorted node sets are not always in it
 * (with xmlXPathOrderDocElems(), libxml2 puts a text node that follows an element before
 * that element's descendants); parsel's, which lxml sorts without that shortcut, are.
 */
typedef struct ranked {
    xmlNodePtr node;
    size_t rank;
} ranked;

static ranked *ranks;
static size_t nranks;
static xmlDocPtr ranked_doc;

static void rank_add(xmlNodePtr n)
{
    ranks = realloc(ranks, (nranks + 1) * sizeof(*ranks));
    cr_assert_not_null(ranks);
    ranks[nranks] = (ranked){n, nranks};
    nranks++;
}

static int by_node(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const ranked *)a)->node, y = (uintptr_t)((const ranked *)b)->node;
    return x < y ? -1 : x > y;
}

static void rank_doc(xmlDocPtr d)
{
    if (ranked_doc == d)
        return;
    nranks = 0;
    ranked_doc = d;
    xmlNodePtr n = (xmlNodePtr)d;
    while (n) {
        rank_add(n);
        if (n->type == XML_ELEMENT_NODE)
            for (xmlAttrPtr a = n->properties; a; a = a->next)
                rank_add((xmlNodePtr)a);
        if (n->children && n->type != XML_ENTITY_REF_NODE) {
            n = n->children;
            continue;
        }
        while (n && !n->next)
            n = n->parent;
        n = n ? n->next : NULL;
    }
    qsort(ranks, nranks, sizeof(*ranks), by_node);
}

static void rank_free(void)
{
    free(ranks);
    ranks = NULL;
    nranks = 0;
    ranked_doc = NULL;
}

static size_t rank_of(xmlNodePtr n)
{
    ranked key = {n, 0};
    const ranked *r = bsearch(&key, ranks, nranks, sizeof(*ranks), by_node);
    cr_assert_not_null(r, "a selected node is in the tree");
    return r->rank;
}

static int by_rank(const void *a, const void *b)
{
    size_t x = rank_of(*(xmlNodePtr const *)a), y = rank_of(*(xmlNodePtr const *)b);
    return x < y ? -1 : x > y;
}

static size_t xpath_out_of_order;   /* how often libxml2's order was not document order */

/* Compare both ways for css on doc from ctx; returns true when the matcher ran.  The
 * matcher's nodes must be the XPath's, in document order, each once. */
static bool compare(kumo_doc *doc, xmlNodePtr ctx, const char *css, nodes *x, nodes *m,
                    const char *where)
{
    const kumo_query *q = kumo__query_get(css, true);
    if (!q->comp || !q->match)
        return false;
    rank_doc(doc->xml);
    by_xpath(doc, ctx, q, x);
    for (size_t i = 1; i < x->len; i++) {
        if (rank_of(x->v[i - 1]) > rank_of(x->v[i])) {
            xpath_out_of_order++;
                    qsort(x->v, x->len, sizeof(*x->v), by_rank);
            break;
        }
    }
    m->len = 0;
    size_t n = kumo__cssm_run(q->match, ctx, push, m);
    cr_assert_eq(n, m->len);
    size_t i = 0;
    while (i < x->len && i < m->len && x->v[i] == m->v[i])
        i++;
    if (i < x->len || i < m->len) {
        char b1[128], b2[128], b3[128];
        cr_assert_fail("%s: '%s' from %s: xpath %zu nodes, native %zu; first difference at %zu:"
                       " xpath %s, native %s", where, css, describe(ctx, b3, sizeof(b3)),
                       x->len, m->len, i, describe(i < x->len ? x->v[i] : NULL, b1, sizeof(b1)),
                       describe(i < m->len ? m->v[i] : NULL, b2, sizeof(b2)));
    }
    return true;
}

/* ---------------------------------------------------------------- the corpus */

/* Every selector of test_css.c (translations, fixture matches, invalid ones), every CSS of
 * scripts/parsel-diff.py, and the shapes this matcher must get right. */
static const char *const corpus[] = {
    "a",
    "*",
    "#id",
    ".c",
    "DIV.c#x",
    "[href]",
    "[href=v]",
    "[href=\"v w\"]",
    "[a~='x']",
    "[a^=x]",
    "[a$=x]",
    "[a*=x]",
    "[a|=x]",
    "[a!=x]",
    "div p",
    "div > p",
    "div + p",
    "div ~ p",
    "a, b",
    "a::text",
    "*::text",
    "::text",
    "div ::text",
    "div *::text",
    "a::attr(href)",
    "::attr(href)",
    "div ::attr(href)",
    "div.quote span.text::text",
    "a[HREF]",
    "p:first-child",
    "p:last-child",
    "p:nth-child(2)",
    "p:not(.x)",
    "li:nth-child(2n+1)",
    "p:only-child",
    "p:empty",
    "p:first-of-type",
    "p:last-of-type",
    "[a=\"\"]",
    "[a^='']",
    "[a~='']",
    "#a-b_c",
    ".a\\:b",
    "p:nth-of-type(3)",
    "a:nth-child(odd)",
    "a:nth-child(even)",
    "p:nth-last-child(2)",
    "li:nth-child(-n+3)",
    "li:nth-child(3n-1)",
    "li:nth-child(n+2)",
    "li:nth-last-of-type(2n)",
    "[a=\"it's\"]",
    "[a=\"it's \\\"q\\\"\"]",
    "div>p",
    "div    p",
    "li.next a::attr(href)",
    "[a=\"x\"]::text",
    "p::text, a::attr(href)",
    " a ",
    "a.b.c",
    "*.c",
    "a b > c + d ~ e",
    "a::attr(data-x)",
    "p:not(a)",
    ".é",
    "[a = \"x\" ]",
    "a:first-child::text",
    "a#b.c[d]",
    "p:root",
    "a:contains(\"x y\")",
    ".x::text",
    "div > ::text",
    ".\\31 a",
    "a[data-id]",
    "h1 + *",
    "UL LI",
    "a:link",
    "a:hover",
    "[x\\:y]",
    "p:only-of-type",
    "a /* c */ b",
    "a::attr(\"href\")",
    "p:NTH-CHILD(1)",
    "p:first-child:last-child",
    "a[href$='.pdf']",
    "#\\31 23",
    "li + li",
    "li ~ li",
    "[lang|=en]",
    "[lang^=en]",
    "[lang$=GB]",
    "[lang*=ngl]",
    "[class~=even]",
    "li:nth-child(n+4)",
    "li:nth-last-child(odd)",
    "span:nth-of-type(2)",
    "span:nth-last-of-type(1)",
    "em:nth-of-type(even)",
    "li:empty",
    "td:not(:first-child)",
    "a:not([href])",
    "*:empty",
    "li *::text",
    "*::attr(data-id)",
    "div.box em:only-of-type",
    "html:root > body",
    "[data-id='3']",
    "a[href^=\"http\"]",
    "input[type=checkbox][checked]",
    "li:nth-child(0n+3)",
    "li:nth-child(-2n+5)",
    "li:nth-last-of-type(-n+2)",
    "p:not(.a):not(.b)",
    "*:not(p)",
    "a ~ *",
    "[x='a\\'b']",
    "li:nth-child( 2n + 1 )",
    "#a\\.b",
    ".-x",
    "a[b='']",
    "ol>li",
    "li:nth-child(+5)",
    "li:nth-child(-n)",
    "*:only-child",
    "p *:last-child::text",
    "a::attr(href), img::attr(src)",
    "a:NOT(.x)",
    "[HREF$=X]",
    "li:nth-child(n)",
    "li:nth-child(1n+0)",
    "li:nth-child(10n-1)",
    "li ~ li::attr(data-id)",
    "[lang|=en]::text",
    "[lang^=en]::text",
    "[lang$=GB]::text",
    "[lang*=ngl]::text",
    "[class~=even]::attr(data-id)",
    "li:nth-child(n+4)::attr(data-id)",
    "li:nth-last-child(odd)::attr(data-id)",
    "div.box span:nth-of-type(2)::text",
    "div.box span:nth-last-of-type(1)::text",
    "div.box em:nth-of-type(even)::text",
    "td:not(:first-child)::text",
    "a:not([href])::text",
    "li:first-child::attr(data-id)",
    "li:last-child::attr(data-id)",
    "div.box span:only-child::text",
    "ol li:only-of-type::text",
    "div.box span:first-of-type::text",
    "div.box span:last-of-type::text",
    "li:nth-child(even)::attr(data-id)",
    "li:nth-child(-n+3)::attr(data-id)",
    "li:nth-child(3n-1)::attr(data-id)",
    "ul li:not(.odd) a::attr(href)",
    "h1 + div::attr(id)",
    "h1 ~ div::attr(id)",
    "#main > p.lead > a::text",
    "input[type=checkbox][checked]::attr(name)",
    "option[selected]::attr(value)",
    "p.note::text",
    "table tr:nth-child(n+2) td:first-child::text",
    "textarea::text",
    "a[",
    "",
    "   ",
    "a,",
    "#",
    "a)",
    "[a=\"x",
    ".",
    "a >",
    "\"a\"",
    ":not()",
    "[a=1]",
    "[a ~ x]",
    "p:bogus",
    "p:bogus()",
    "a::text::attr(x)",
    "a::text b",
    "a::text.x",
    "a::foo",
    "a::attr()",
    "a::attr(a,b)",
    "a::foo(x)",
    "p:nth-child(x)",
    "p:nth-child('1')",
    "*:first-of-type",
    "*:nth-of-type(2)",
    "a:",
    "a:not(b c)",
    "a:not(::text)",
    "a:not(:not(b))",
    "svg|a",
    "a\n\"",
    "a,,b",
    "a >> b",
    "p",
    "#main",
    ".item",
    "li.item.odd",
    "h1 + div",
    "h1 ~ div",
    "p, h1",
    "ul li:first-child",
    "ul li:last-child",
    "div.box span:only-child",
    "div.box span:first-of-type",
    "div.box span:last-of-type",
    "ol li:only-of-type",
    "li:nth-child(2)",
    "li:nth-child(odd)",
    "li:nth-child(even)",
    "li:nth-last-child(2)",
    "li:not(.odd)",
    "p:not(#unicode)",
    "[data-id]",
    "[data-id=\"3\"]",
    "[data-id=3]",
    "[rel~=next]",
    "[href^='/']",
    "[href$='.html']",
    "[href*=example]",
    "[class~='']",
    "[href^='']",
    "INPUT[NAME=q]",
    "body.home",
    ".wide",
    "p::text",
    "p ::text",
    "li::attr(data-id)",
    "::attr(lang)",
    "td:nth-child(2)::text",
    "div#main > p.lead > a",
    "title::text",
    "h1::attr(title)",
    "script::text",
    "style::text",
    "img::attr(alt)",
    "input::attr(value)",
    "a[href]:not([href^=\"mailto\"])::attr(href)",
    ":root",
    "li:first-child:last-child",
    "entry title::text",
    "link::attr(href)",
    "entry::attr(id)",
    "#ws::text",
    "[title]",
    "br",
    "hr",
    ".product",
    "article.product",
    "article.product h3 a",
    "h3 a",
    "p.price::text",
    "p.star-rating",
    "article > h3 > a::attr(title)",
    "article *::text",
    "article ::attr(class)",
    "ol > li > article",
    "li article.product > h3 a::text",
    "div div",
    "div > div",
    "div div > p",
    "div > div p::text",
    "div::text",
    ".a::text",
    ".a .a::text",
    ".a > .a p",
    "* *",
    "* > *",
    "*  *::text",
    "section section p",
    "section > section > section > p",
    "section section section section",
    "body > * > *",
    "html body div p span",
    "p, p",
    "p::text, p",
    "p, p::text, p::attr(class)",
    "a, li a, ul li a",
    "a::attr(href), a::attr(title), a::attr(data-x)",
    "[data-x$=\"\xc3\xa9\"]",
    "[data-x^=\"\xc3\xa9\"]",
    "[data-x*=\"-\"]",
    "[data-x|=\"\xc3\xa9\"]",
    "[lang|=\"\"]::text",
    "[lang!=en]::text",
    "[lang=EN]::text",
    "[class~=b]",
    "[class~=e]",
    "[class~=\"d\"]",
    ".e",
    ".d",
    ".a.b",
    "div.a.b::text",
    "[class=\"\"]",
    "[class]::attr(id)",
    "#x::text",
    "#y::text",
    "#U",
    "#u",
    "div#U",
    ".Upper",
    ".upper",
    "DIV.Upper B",
    "[checked]",
    "input[disabled]::attr(name)",
    "[title=\"a & b\"]",
    "svg text::text",
    "svg > *",
    "circle",
    "[xlink\\:href]",
    "a::attr(xlink:href)",
    "[xml\\:lang]",
    "td::text",
    "tr > td",
    "table td",
    "li::text",
    "ul > li::text",
    "body::text",
    "html::text",
    " *::text",
    "::attr(id)",
    "*::attr(id)",
    "* ::attr(id)",
    "body ::attr(class)",
    "a *::text",
    "h3 > *::text",
    "h3 > ::text",
    ".nope, p",
    "nope",
    "[href=\"\"]",
    "[href]::attr(href)",
    "[href^=\"\"]",
    "[href$=\"\"]",
    "[href*=\"\"]",
    "[href~=\"a b\"]",
    ".a\\ b",
    "p.a, p.a span, div.a > div.b > p",
};

static void free_nodes(nodes *l)
{
    free(l->v);
    *l = (nodes){0};
}

Test(cssmatch, corpus_selects_what_the_xpath_selects)
{
    nodes x = {0}, m = {0};
    size_t native = 0, runs = 0;
    for (size_t f = 0; f < KUMO_ARRAY_LEN(fixtures); f++) {
        kumo_doc *doc = load(&fixtures[f]);
        xmlNodePtr ctx[MAX_CTX];
        size_t nctx = contexts(doc, ctx, 24);
        const char *where = fixtures[f].name ? fixtures[f].name : f == 6 ? "shop" : "tricky";
        for (size_t i = 0; i < KUMO_ARRAY_LEN(corpus); i++) {
            bool ran = false;
            for (size_t c = 0; c < nctx; c++) {
                ran = compare(doc, ctx[c], corpus[i], &x, &m, where);
                runs += ran;
            }
            native += ran && f == 0;
        }
        rank_free();    /* the next document may come at the same address */
        kumo__doc_unref(doc);
    }
    free_nodes(&x);
    free_nodes(&m);
    rank_free();
    /* the shapes above are most of the corpus: the comparison really ran */
    cr_expect_geq(native, 200, "%zu of %zu selectors native", native, KUMO_ARRAY_LEN(corpus));
    cr_expect_gt(runs, 20000, "%zu comparisons", runs);
}

/* ---------------------------------------------------------------- generated selectors */

static uint64_t rng_state;

static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 6364136223846793005u + 1442695040888963407u;
    return (unsigned)(rng_state >> 33) % n;
}

#define PICK(a) (a)[rnd(KUMO_ARRAY_LEN(a))]

static const char *const g_elements[] = {
    "*", "", "div", "p", "a", "li", "ul", "ol", "span", "article", "h3", "body", "html", "em",
    "td", "tr", "section", "b", "i", "svg", "text", "DIV", "P", "small", "nav", "header",
};
static const char *const g_classes[] = {
    "product", "price", "star-rating", "Five", "item", "odd", "even", "a", "b", "e", "box",
    "intro", "spaced", "tab", "x", "col", "lead", "first", "quote", "text", "tag", "next",
    "container", "page", "featured", "Upper", "s", "nope",
};
static const char *const g_ids[] = {
    "main", "prod-0", "prod-1", "nested", "list", "top", "footer", "ws", "x", "U", "a", "nope",
};
static const char *const g_attrs[] = {
    "href", "class", "id", "lang", "data-id", "title", "rel", "alt", "type", "src", "checked",
    "data-x", "name", "value", "itemprop", "style",
};
static const char *const g_values[] = {
    "en", "en-GB", "1", "3", "item", "odd", "next", "/one", "a.html", "#frag", "Five", "x",
    "", "e", ".html", "http", "\xc3\xa9", "-", "prod", "a b", "star-rating Five", "text",
    "/author/", "Tray", "0.html#prod-0", "checkbox", "a", "b",
};
static const char *const g_ops[] = {"=", "~=", "|=", "^=", "$=", "*=", "!="};

static void gen_compound(kumo_buf *b)
{
    const char *el = PICK(g_elements);
    kumo__buf_adds(b, el);
    unsigned tests = rnd(3);
    if (!*el && !tests)
        tests = 1;
    for (unsigned t = 0; t < tests; t++) {
        switch (rnd(4)) {
        case 0:
            kumo__buf_printf(b, ".%s", PICK(g_classes));
            break;
        case 1:
            kumo__buf_printf(b, "#%s", PICK(g_ids));
            break;
        case 2:
            kumo__buf_printf(b, "[%s]", PICK(g_attrs));
            break;
        default:
            kumo__buf_printf(b, "[%s%s\"%s\"]", PICK(g_attrs), PICK(g_ops), PICK(g_values));
            break;
        }
    }
}

static void gen_selector(kumo_buf *b)
{
    unsigned steps = 1 + rnd(4), pe = rnd(10);
    for (unsigned s = 0; s < steps; s++) {
        if (s)
            kumo__buf_adds(b, rnd(2) ? " " : rnd(2) ? " > " : ">");
        if (s == steps - 1 && pe < 4 && rnd(3) == 0)
            kumo__buf_adds(b, rnd(2) ? "*" : "");   /* parsel's bare last step */
        else
            gen_compound(b);
    }
    if (pe < 2)
        kumo__buf_adds(b, "::text");
    else if (pe < 4)
        kumo__buf_printf(b, "::attr(%s)", PICK(g_attrs));
}

Test(cssmatch, generated_selectors_select_what_the_xpath_selects)
{
    rng_state = 12;
    kumo_doc *docs[KUMO_ARRAY_LEN(fixtures)];
    xmlNodePtr ctx[KUMO_ARRAY_LEN(fixtures)][MAX_CTX];
    size_t nctx[KUMO_ARRAY_LEN(fixtures)];
    for (size_t f = 0; f < KUMO_ARRAY_LEN(fixtures); f++) {
        docs[f] = load(&fixtures[f]);
        nctx[f] = contexts(docs[f], ctx[f], 6);
    }
    nodes x = {0}, m = {0};
    size_t native = 0, found = 0;
    for (int i = 0; i < 1500; i++) {
        kumo_buf b;
        kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
        unsigned group = rnd(5) == 0 ? 2 + rnd(2) : 1;
        for (unsigned g = 0; g < group; g++) {
            if (g)
                kumo__buf_adds(&b, ", ");
            gen_selector(&b);
        }
        const char *css = kumo__buf_str(&b);
        cr_assert_not_null(kumo__query_get(css, true)->comp, "'%s' is valid", css);
        bool ran = false;
        for (size_t f = 0; f < KUMO_ARRAY_LEN(fixtures); f++) {
            for (size_t c = 0; c < nctx[f]; c++) {
                ran = compare(docs[f], ctx[f][c], css, &x, &m, "generated");
                found += x.len;
            }
        }
        native += ran;
        kumo__buf_release(&b);
    }
    for (size_t f = 0; f < KUMO_ARRAY_LEN(fixtures); f++)
        kumo__doc_unref(docs[f]);
    free_nodes(&x);
    free_nodes(&m);
    rank_free();
    /* every generated selector is one the matcher takes, and they do select things */
    cr_expect_eq(native, 1500);
    cr_expect_gt(found, 5000, "%zu nodes selected", found);
}

/* ---------------------------------------------------------------- what it takes */

Test(cssmatch, takes_the_simple_selectors_and_leaves_the_rest_to_xpath)
{
    static const char *const native[] = {
        "a", "*", "#id", ".c", "DIV.c#x", "[a]", "[a=v]", "[a~=v]", "[a|=v]", "[a^=v]",
        "[a$=v]", "[a*=v]", "[a!=v]", "div p", "div > p", "a::text", "a::attr(href)",
        "::text", "a, b::text, c::attr(x)", ".a\\ b", "[a^='']", "a::attr(\"href\")",
        "[HREF]", "div /* comment */ p",
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(native); i++) {
        const kumo_query *q = kumo__query_get(native[i], true);
        cr_expect_not_null(q->comp, "'%s' compiles", native[i]);
        cr_expect_not_null(q->match, "'%s' is matched natively", native[i]);
    }
    static const char *const xpath[] = {
        "p:first-child", "a + b", "a ~ b", "li:nth-child(2)", "p:not(.x)", "[x\\:y]",
        "a::attr(\"x y\")", "a::attr(xlink:href)", "\\31 a", "a, p:empty", "a:hover",
        "p:contains('x')", "a[", "svg|a",
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(xpath); i++)
        cr_expect_null(kumo__query_get(xpath[i], true)->match, "'%s' goes to XPath", xpath[i]);
    /* XPath queries never are matched natively */
    cr_expect_null(kumo__query_get("a", false)->match);
    /* a group of more selectors than the matcher keeps apart goes to XPath too */
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    for (int i = 0; i <= KUMO_CSSM_MAX_SELECTORS; i++)
        kumo__buf_printf(&b, "%sp.c%d", i ? ", " : "", i);
    cr_expect_null(kumo__query_get(kumo__buf_str(&b), true)->match);
    kumo__buf_release(&b);
}

/* ---------------------------------------------------------------- order and duplicates */

/* The values kumo_css() gives on body, joined with '|'. */
static char *values(const char *body, const char *css)
{
    kumo_doc *doc = parse(body, strlen(body));
    kumo_selector_list *l = kumo__doc_select(doc, css, true);
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    kumo__buf_adds(&b, "");
    for (size_t i = 0; i < kumo_list_len(l); i++)
        kumo__buf_printf(&b, "%s%s", i ? "|" : "", kumo_sel_get(kumo_list_at(l, i)));
    kumo__pool_drain(0);
    kumo__doc_unref(doc);
    return kumo__buf_detach(&b, NULL);
}

Test(cssmatch, results_are_in_document_order_once)
{
    static const char body[] =
        "<html><body>t0<div class=\"a\" id=\"1\">t1<div class=\"a\" id=\"2\">t2</div>t3"
        "</div>t4<p class=\"x\" title=\"T\">p<b>b</b></p></body></html>";
    static const struct {
        const char *css, *want;
    } cases[] = {
        /* nested matches: the outer element's text after the inner one's */
        {"div::text", "t1|t2|t3"},
        {".a::attr(id)", "1|2"},
        {"div, div.a, .a", "<div class=\"a\" id=\"1\">t1<div class=\"a\" id=\"2\">t2</div>t3"
                           "</div>|<div class=\"a\" id=\"2\">t2</div>"},
        /* a group: the element, then its attributes, then its children */
        {"p::text, p::attr(title), p::attr(class), b, p *::text",
         "x|T|p|<b>b</b>|b"},
        {"div div::text", "t2"},
        {"div *::text", "t1|t2|t3"},
        {"div ::attr(id)", "1|2"},
        {"div > div::text, div::text", "t1|t2|t3"},
        /* parsel's order (libxml2's sort with xmlXPathOrderDocElems() puts t4 before #2) */
        {"body::text, div#1, div#2", "t0|<div class=\"a\" id=\"1\">t1<div class=\"a\" "
                                     "id=\"2\">t2</div>t3</div>|<div class=\"a\" id=\"2\">"
                                     "t2</div>|t4"},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        cr_assert_not_null(kumo__query_get(cases[i].css, true)->match, "'%s'", cases[i].css);
        char *got = values(body, cases[i].css);
        cr_expect_str_eq(got, cases[i].want, "'%s': %s", cases[i].css, got);
        kumo_free(got);
    }
}

/* Selectors on a selector: the context node itself can be the first compound's match. */
Test(cssmatch, the_context_node_is_the_first_compounds_and_nothing_above_it)
{
    static const char body[] =
        "<div class=\"o\"><ul class=\"l\"><li><a href=\"1\">one</a></li></ul>"
        "<ul><li class=\"l\"><a href=\"2\">two</a></li></ul></div>";
    kumo_doc *doc = parse(body, strlen(body));
    kumo_selector_list *uls = kumo__doc_select(doc, "ul", true);
    cr_assert_eq(kumo_list_len(uls), 2);
    kumo_selector *ul = kumo_list_at(uls, 0);
    cr_expect_str_eq(kumo_list_get(kumo_sel_css(ul, "ul a::attr(href)"), ""), "1");
    cr_expect_str_eq(kumo_list_get(kumo_sel_css(ul, ".l a::text"), ""), "one");
    cr_expect_eq(kumo_list_len(kumo_sel_css(ul, "div a")), 0, "div is above the context");
    cr_expect_eq(kumo_list_len(kumo_sel_css(ul, ".o ul a")), 0);
    cr_expect_eq(kumo_list_len(kumo_sel_css(ul, "ul > li > a")), 1);
    cr_expect_eq(kumo_list_len(kumo_sel_css(ul, "ul ul a")), 0);
    kumo__pool_drain(0);
    kumo__doc_unref(doc);
}

/* A deep document and a long selector: each element is matched without backtracking. */
Test(cssmatch, deep_documents_and_long_selectors_match_like_the_xpath)
{
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    for (int i = 0; i < 200; i++)
        kumo__buf_printf(&b, "<div class=\"d%d\"><p>%d</p>", i % 3, i);
    for (int i = 0; i < 200; i++)
        kumo__buf_adds(&b, "</div>");
    kumo_doc *doc = parse(kumo__buf_str(&b), b.len);
    kumo__buf_release(&b);
    static const char *const css[] = {
        "div div div div div div div div div div div div div div div div p",
        ".d0 > .d1 .d2 > .d0 > .d1 div > p::text",
        "div > div > div > div > div > div > div > div > div > div div p::text",
        ".d0 .d0 .d0 .d0 .d0 .d0 .d0 .d0 .d0 .d0 .d0 .d0 .d0 .d0 .d0 .d0 .d0 > p",
    };
    nodes x = {0}, m = {0};
    xmlNodePtr ctx[MAX_CTX];
    size_t nctx = contexts(doc, ctx, 8);
    for (size_t i = 0; i < KUMO_ARRAY_LEN(css); i++) {
        size_t found = 0;
        for (size_t c = 0; c < nctx; c++) {
            cr_assert(compare(doc, ctx[c], css[i], &x, &m, "deep"), "'%s' native", css[i]);
            found += x.len;
        }
        cr_expect_gt(found, 0, "'%s' selects", css[i]);
    }
    free_nodes(&x);
    free_nodes(&m);
    rank_free();
    kumo__doc_unref(doc);
}

/* XML documents keep the XPath (its names are case-sensitive and namespaced). */
Test(cssmatch, xml_documents_keep_the_xpath)
{
    static const char body[] = "<r xmlns:x=\"urn:x\"><item>a</item><x:item>b</x:item></r>";
    kumo_doc *doc = kumo__doc_new(false);
    cr_assert_eq(kumo__doc_parse(doc, body, sizeof(body) - 1, URL, "utf-8"), KUMO_OK);
    kumo_selector_list *l = kumo__doc_select(doc, "item::text", true);
    cr_assert_not_null(kumo__query_get("item::text", true)->match);
    cr_expect_eq(kumo_list_len(l), 1);
    cr_expect_str_eq(kumo_list_get(l, ""), "a");
    kumo__pool_drain(0);
    kumo__doc_unref(doc);
}
