/* test_encoding.c - response.text: Scrapy 2.8's encoding choice and decoding, byte for byte. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "http/headers.h"
#include "http/response.h"
#include "select/css.h"
#include "select/encoding.h"
#include "select/pool.h"
#include "lib/leakcheck.h"

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

TestSuite(encoding, .init = setup, .fini = teardown);

/* Generated with Scrapy 2.8: HtmlResponse(url, body=..., headers=...).encoding and .text. */
static const struct {
    const char *body;
    size_t len;
    const char *ct;
    const char *encoding;
    const char *text;
    size_t text_len;
} enc_cases[] = {
    {"<p>plain ascii</p>",
     18, NULL, "cp1252",
     "<p>plain ascii</p>",
     18},
    {"<p>caf\xc3\xa9 \xe2\x80\x94 \xe6\x9d\xb1</p>",
     20, NULL, "utf-8",
     "<p>caf\xc3\xa9 \xe2\x80\x94 \xe6\x9d\xb1</p>",
     20},
    {"<p>caf\xe9</p>",
     11, NULL, "cp1252",
     "<p>caf\xc3\xa9</p>",
     12},
    {"<p>x\x81y\xe9</p>",
     11, NULL, "ascii",
     "<p>x\xef\xbf\xbdy\xef\xbf\xbd</p>",
     15},
    {"<p>caf\xe9 \x80</p>",
     13, "text/html; charset=iso-8859-1", "cp1252",
     "<p>caf\xc3\xa9 \xe2\x82\xac</p>",
     16},
    {"<p>caf\xc3\xa9</p>",
     12, "text/html; charset=UTF-8", "utf-8",
     "<p>caf\xc3\xa9</p>",
     12},
    {"<p>ok \xff bad \xc3( \xe2\x82 \xed\xa0\x80 \xf0\x80 end</p>",
     32, "text/html; charset=utf-8", "utf-8",
     "<p>ok \xef\xbf\xbd bad \xef\xbf\xbd( \xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd"
     "\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd end</p>",
     47},
    {"<meta charset=\"koi8-r\"><p>\xed\xcf\xd3\xcb\xd7\xc1</p>",
     36, NULL, "koi8-r",
     "<meta charset=\"koi8-r\"><p>\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0"
     "\xb0</p>",
     42},
    {"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=shift_ji"
     "s\"><p>\x93\x8c\x8b\x9e\x81`</p>",
     84, NULL, "cp932",
     "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=shift_ji"
     "s\"><p>\xe6\x9d\xb1\xe4\xba\xac\xef\xbd\x9e</p>",
     87},
    {"\xef\xbb\xbf<meta charset=\"latin1\"><p>\xc3\xa9</p>",
     35, "text/html; charset=latin1", "utf-8",
     "<meta charset=\"latin1\"><p>\xc3\xa9</p>",
     32},
    {"\xff\xfe<\x00p\x00>\x00\xe9\x00qg<\x00/\x00p\x00>\x00",
     20, NULL, "utf-16-le",
     "<p>\xc3\xa9\xe6\x9d\xb1</p>",
     12},
    {"\xfe\xff\x00<\x00p\x00>\x00\xe9\x00<\x00/\x00p\x00>",
     18, NULL, "utf-16-be",
     "<p>\xc3\xa9</p>",
     9},
    {"\x00<\x00p\x00>\x00\xe9\x00<\x00/\x00p\x00>",
     16, "text/html; charset=utf-16", "utf-16",
     "<p>\xc3\xa9</p>",
     9},
    {"<p>\xe9</p>",
     8, "text/html; charset=bogus-charset", "cp1252",
     "<p>\xc3\xa9</p>",
     9},
    {"<meta charset=\"utf-8\"><p>\xe9</p>",
     30, "text/html; charset=windows-1252", "cp1252",
     "<meta charset=\"utf-8\"><p>\xc3\xa9</p>",
     31},
    {"<?xml version=\"1.0\" encoding=\"iso-8859-2\"?><p>\xa3\xf3"
     "d\xbc</p>",
     54, NULL, "iso8859-2",
     "<?xml version=\"1.0\" encoding=\"iso-8859-2\"?><p>\xc5\x81\xc3\xb3"
     "d\xc5\xba</p>",
     57},
    {"<body><meta charset=\"koi8-r\"><p>\xc3\xa9</p>",
     38, NULL, "utf-8",
     "<body><meta charset=\"koi8-r\"><p>\xc3\xa9</p>",
     38},
    {"",
     0, NULL, "cp1252",
     "",
     0},
    {"<p>\xa8\xa6t\xa8\xa6</p>",
     12, "text/html;charset=\"gb2312\"", "cp1252",
     "<p>\xc2\xa8\xc2\xa6t\xc2\xa8\xc2\xa6</p>",
     16},
    {"<p>\xa8\xa6t\xa8\xa6</p>",
     12, "text/html;charset=gb2312", "gb18030",
     "<p>\xc3\xa9t\xc3\xa9</p>",
     12},
    {"<p>\xe9\xe8</p>",
     9, "text/html; charset=ascii", "cp1252",
     "<p>\xc3\xa9\xc3\xa8</p>",
     11},
    {"<p>\xc3\xa9</p>",
     9, "text/html; charset=utf8; foo=bar", "utf-8",
     "<p>\xc3\xa9</p>",
     9},
    {"<p>\xe6</p>",
     8, "text/html; Charset=Windows-1250", "cp1250",
     "<p>\xc4\x87</p>",
     9},
    {"\x00\x00\xfe\xff\x00\x00\x00"
     "A",
     8, NULL, "utf-32-be",
     "A",
     1},
    {"A\x00"
     "B",
     3, NULL, "cp1252",
     "A\x00"
     "B",
     3},
};

static kumo_response *response_with(const char *url, const char *ct, const char *body, size_t len)
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

Test(encoding, text_and_encoding_match_scrapy)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(enc_cases); i++) {
        kumo_response *res = response_with("http://x.example/", enc_cases[i].ct ? enc_cases[i].ct
                                           : "text/html", enc_cases[i].body, enc_cases[i].len);
        if (!enc_cases[i].ct)
            kumo_headers_set(res->headers, "Content-Type", NULL);
        size_t len = 99;
        const char *text = kumo_response_text(res, &len);
        cr_assert_not_null(text, "case %zu", i);
        cr_expect_eq(len, enc_cases[i].text_len, "case %zu: %zu bytes", i, len);
        cr_expect(len == enc_cases[i].text_len && memcmp(text, enc_cases[i].text, len) == 0,
                  "case %zu: text '%.*s', want '%s'", i, (int)len, text, enc_cases[i].text);
        cr_expect_str_eq(kumo_response_encoding(res), enc_cases[i].encoding, "case %zu", i);
        /* Decoded once: the same bytes come back. */
        cr_expect_eq(kumo_response_text(res, NULL), text, "case %zu is cached", i);
        kumo_response_unref(res);
    }
}

/* The head of a text is the start of the whole text, in every encoding kind. */
Test(encoding, head_is_the_start_of_the_text)
{
#define BODY(s) s, sizeof(s) - 1
    static const struct {
        const char *body;       /* a NUL follows len bytes, as in a response */
        size_t len;
        const char *charset;
    } cases[] = {
        {BODY("plain ascii text, long enough to be cut somewhere"), NULL},
        {BODY("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 utf-8, multi-byte all along"), NULL},
        {BODY("caf\xe9 cp1252 \x80 and more bytes after it"), NULL},
        {BODY("\xff\xfe" "a\0b\0c\0d\0e\0f\0"), NULL},
        {BODY("<meta charset=\"shift_jis\">\x82\xa0\x82\xa2\x82\xa4"), NULL},
        {BODY("caf\xe9 latin-1 by its label"), "latin-1"},
        {BODY("caf\xc3\xa9 then a bad byte \xff and text after it"), "utf-8"},
        {BODY("a short body cut \xe2\x82"), "utf-8"},
        {BODY("\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
              "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
              "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"),
         "utf-8"},
    };
#undef BODY
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        kumo_text all, head;
        kumo__text_decode(&all, cases[i].body, cases[i].len, cases[i].charset);
        for (size_t chars = 1; chars < 12; chars++) {
            kumo__text_decode_head(&head, cases[i].body, cases[i].len, cases[i].charset, chars);
            cr_assert_str_eq(head.encoding, all.encoding, "case %zu", i);
            /* the head's first `chars` characters are the text's */
            size_t cut = 0, n = 0;
            while (cut < head.len && n < chars) {
                cut++;
                while (cut < head.len && ((unsigned char)head.s[cut] & 0xC0) == 0x80)
                    cut++;
                n++;
            }
            cr_assert_leq(cut, all.len, "case %zu, %zu chars", i, chars);
            cr_assert_eq(memcmp(head.s, all.s, cut), 0, "case %zu, %zu chars: '%.*s' / '%.*s'",
                         i, chars, (int)cut, head.s, (int)cut, all.s);
            /* as many characters as asked, or the whole text when it is shorter */
            if (n < chars)
                cr_assert_eq(head.len, all.len, "case %zu, %zu chars: %zu", i, chars, n);

            kumo__text_release(&head);
        }
        kumo__text_release(&all);
    }
}

Test(encoding, selectors_read_the_decoded_text)
{
    static const char body[] = "<html><head><meta charset=\"iso-8859-1\"></head>"
                               "<body><p>caf\xe9 \x80</p></body></html>";
    /* Text first, then a query parses the cached text. */
    kumo_response *res = response_with("http://x.example/", "text/html", body, sizeof(body) - 1);
    cr_expect_str_eq(kumo_response_text(res, NULL), "<html><head><meta charset=\"iso-8859-1\">"
                     "</head><body><p>café €</p></body></html>");
    cr_expect_str_eq(kumo_list_get(kumo_css(res, "p::text"), NULL), "café €");
    kumo_response_unref(res);
    /* Query first, then the text. */
    res = response_with("http://x.example/", "text/html", body, sizeof(body) - 1);
    cr_expect_str_eq(kumo_list_get(kumo_css(res, "p::text"), NULL), "café €");
    cr_expect_str_eq(kumo_response_encoding(res), "cp1252");
    kumo_response_unref(res);
    /* The header wins over the <meta>; a UTF-8 body parsed as such keeps its characters. */
    static const char u8[] = "<meta charset=\"koi8-r\"><p>東京 &eacute;&#x263a;&nbsp;x</p>";
    res = response_with("http://x.example/", "text/html; charset=utf-8", u8, sizeof(u8) - 1);
    cr_expect_str_eq(kumo_list_get(kumo_css(res, "p::text"), NULL), "東京 é☺\xc2\xa0x");
    kumo_response_unref(res);
}

Test(encoding, text_nodes_keep_whitespace)
{
    static const char body[] = "\n\n  <html><body><p>  a \n\t b  </p><pre>\n x\n</pre>"
                               "<p>&#32;&amp;&#10;</p></body></html>  \n";
    kumo_response *res = response_with("http://x.example/", "text/html", body, sizeof(body) - 1);
    kumo_selector_list *l = kumo_css(res, "p::text, pre::text");
    cr_assert_eq(kumo_list_len(l), 3);
    cr_expect_str_eq(kumo_sel_get(kumo_list_at(l, 0)), "  a \n\t b  ");
    cr_expect_str_eq(kumo_sel_get(kumo_list_at(l, 1)), "\n x\n");
    cr_expect_str_eq(kumo_sel_get(kumo_list_at(l, 2)), " &\n");
    size_t len;
    kumo_response_text(res, &len);
    cr_expect_eq(len, sizeof(body) - 1, "the text is not stripped, only the parse input");
    kumo_response_unref(res);
}

Test(encoding, non_text_responses_have_no_text)
{
    kumo_response *res = response_with("http://x.example/a.png", "image/png", "\x89PNG", 4);
    size_t len = 7;
    cr_expect_null(kumo_response_text(res, &len));
    cr_expect_eq(len, 0);
    cr_expect_null(kumo_response_encoding(res));
    cr_expect_null(kumo_response_text(NULL, NULL));
    kumo_response_unref(res);
}

Test(encoding, labels_resolve_as_w3lib)
{
    static const struct {
        const char *label, *codec;
    } labels[] = {
        {"utf-8", "utf-8"}, {"UTF8", "utf-8"}, {"ISO-8859-1", "cp1252"}, {"latin1", "cp1252"},
        {"l1", "cp1252"}, {"US-ASCII", "cp1252"}, {"windows-1251", "cp1251"},
        {"x-sjis", "cp932"}, {"Shift_JIS", "cp932"}, {"gb2312", "gb18030"}, {"GBK", "gb18030"},
        {"euc-kr", "cp949"}, {"big5", "big5hkscs"}, {"iso-8859-9", "cp1254"},
        {"koi8-r", "koi8-r"}, {"iso8859-2", "iso8859-2"}, {"macintosh", "mac-roman"},
        {"utf-16", "utf-16"}, {"UTF-16LE", "utf-16-le"}, {"tis-620", "cp874"},
        {"nonsense", NULL}, {"", NULL},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(labels); i++) {
        const char *c = kumo__encoding_resolve(labels[i].label);
        if (labels[i].codec)
            cr_expect(c && strcmp(c, labels[i].codec) == 0, "'%s' -> %s", labels[i].label, c);
        else
            cr_expect_null(c, "'%s' -> %s", labels[i].label, c);
    }
    char buf[16];
    cr_expect_str_eq(kumo__content_type_charset("text/html; charset=UTF-8", buf, sizeof(buf)),
                     "UTF-8");
    cr_expect_str_eq(kumo__content_type_charset("text/html;CHARSET=x-y_z;q", buf, sizeof(buf)),
                     "x-y_z");
    cr_expect_null(kumo__content_type_charset("text/html; charset=\"utf-8\"", buf, sizeof(buf)));
    cr_expect_null(kumo__content_type_charset("text/html", buf, sizeof(buf)));
    cr_expect_null(kumo__content_type_charset("text/html; charset=averyveryverylongname", buf,
                                              sizeof(buf)));
}

/* Random bytes under every kind of label: never a crash, always valid UTF-8 out. */
Test(encoding, random_bytes_decode_to_valid_utf8)
{
    static const char *const labels[] = {NULL, "utf-8", "cp1252", "ascii", "shift_jis",
                                         "utf-16", "utf-32", "euc-jp", "gb18030", "koi8-r",
                                         "big5", "iso-2022-jp", "bogus"};
    uint32_t seed = 12345;
    char body[257];
    for (int round = 0; round < 400; round++) {
        size_t len = 0;
        seed = seed * 1103515245u + 12345u;
        size_t want = (seed >> 16) % 256;
        for (; len < want; len++) {
            seed = seed * 1103515245u + 12345u;
            body[len] = (char)(seed >> 16);
        }
        body[len] = '\0';
        kumo_text t;
        kumo__text_decode(&t, body, len, labels[round % KUMO_ARRAY_LEN(labels)]);
        cr_assert(kumo__utf8_valid(t.s, t.len), "round %d", round);
        cr_assert_eq(t.s[t.len], '\0');
        kumo__text_release(&t);
    }
}
