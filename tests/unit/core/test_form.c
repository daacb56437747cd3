/* test_form.c - FormRequest, FormRequest.from_response and JsonRequest against Scrapy 2.8. */
#include <criterion/criterion.h>
#include "kumo-int.h"
#include "http/headers.h"
#include "http/request.h"
#include "http/response.h"
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
    kumo_leakcheck_end();
}

TestSuite(form, .init = setup, .fini = teardown);

#define LIST(...) ((const char *const[]){__VA_ARGS__, NULL})
#define LIST0 ((const char *const[]){NULL})

/* A response for url with body and Content-Type ct. */
static kumo_response *response_ct(const char *url, const char *ct, const char *body,
                                  size_t len)
{
    int err;
    kumo_request *req = kumo_request_new(url, NULL, &err);
    cr_assert_not_null(req, "request for %s", url);
    kumo_headers *h = kumo__headers_new();
    kumo_headers_add(h, "Content-Type", ct);
    char *b = kumo_alloc(len + 1, KUMO_T_BYTES, KUMO_V_BODY);
    memcpy(b, body, len);
    kumo_response *res = kumo__response_new(req, url, 200, h, b, len);
    kumo_request_unref(req);
    return res;
}

static kumo_response *html(const char *url, const char *body)
{
    return response_ct(url, "text/html; charset=utf-8", body, strlen(body));
}

/* req's method, url, Content-Type (NULL: none) and body (NULL: none) are these. */
static void expect_request(const char *what, kumo_request *req, const char *method,
                           const char *url, const char *ct, const char *body)
{
    cr_assert_not_null(req, "%s: no request", what);
    cr_expect_str_eq(kumo_request_method(req), method, "%s: method", what);
    cr_expect_str_eq(kumo_request_url(req), url, "%s: url", what);
    const char *got_ct = kumo_headers_get(kumo_request_headers(req), "Content-Type");
    if (ct)
        cr_expect(got_ct && strcmp(got_ct, ct) == 0, "%s: Content-Type %s, want %s", what,
                  got_ct ? got_ct : "none", ct);
    else
        cr_expect_null(got_ct, "%s: Content-Type %s, want none", what, got_ct);
    size_t got_len;
    const char *got = kumo__request_body(req, &got_len);
    if (body) {
        cr_expect(got && got_len == strlen(body) && memcmp(got, body, got_len) == 0,
                  "%s: body <%.*s>, want <%s>", what, (int)got_len, got ? got : "", body);
    } else {
        cr_expect_null(got, "%s: body <%s>, want none", what, got);
    }
}

/* ---------------------------------------------------------------- from_response */

/*
 * FormRequest.from_response(HtmlResponse(url, body=html), **kwargs) in Scrapy 2.8 (recorded
 * with /usr/bin/python3): method, url, Content-Type, body, or the ValueError/IndexError
 * text.  Scrapy's "Multiple elements found" message lists lxml element reprs; kumo gives
 * their count.  formdata given as a dict in Scrapy is the same pairs here.
 */
static const struct fcase {
    const char *name, *url, *html;
    kumo_form_opts opts;
    const char *const *formdata;
    int rc;
    const char *method, *req_url, *ct, *body;
    const char *error;
} fcases[] = {
    {"login", "http://example.com/login/page",
     "<form action=\"/login\" method=\"post\"><input name=\"user\" value=\"x\">"
         "<input type=\"password\" name=\"pass\">"
         "<input type=\"submit\" name=\"go\" value=\"Log in\"></form>",
     {}, LIST("user", "alice", "pass", "s3cret pw/&="),
     KUMO_OK, "POST", "http://example.com/login",
     "application/x-www-form-urlencoded",
     "go=Log+in&user=alice&pass=s3cret+pw%2F%26%3D", NULL},
    {"get_query", "http://example.com/a/b.html",
     "<form action=\"search?old=1#frag\"><input name=\"q\" value=\"a b&amp;c\">"
         "<input type=\"hidden\" name=\"lang\" value=\"日本\"></form>",
     {}, NULL,
     KUMO_OK, "GET", "http://example.com/a/search?q=a+b%26c&lang=%E6%97%A5%E6%9C%AC#frag",
     NULL,
     NULL, NULL},
    {"checks", "http://example.com/",
     "<form method=\"POST\"><input type=\"checkbox\" name=\"c1\" checked>"
         "<input type=\"checkbox\" name=\"c2\" value=\"v2\">"
         "<input TYPE=\"CheckBox\" name=\"c3\" value=\"v3\" checked=\"checked\">"
         "<input type=\"radio\" name=\"r\" value=\"a\">"
         "<input type=\"radio\" name=\"r\" value=\"b\" checked>"
         "<input type=\"checkbox\" name=\"c4\" value=\"\" checked></form>",
     {}, NULL,
     KUMO_OK, "POST", "http://example.com/",
     "application/x-www-form-urlencoded",
     "c1=on&c3=v3&r=b&c4=on", NULL},
    {"selects", "http://example.com/",
     "<form method=\"post\"><select name=\"s1\"><option value=\"a\">A</option>"
         "<option value=\"b\">B</option></select><select name=\"s2\">"
         "<option value=\"a\" selected>A</option><option value=\"b\" selected>"
         "B</option></select><select name=\"s3\"><option disabled value=\"x\">"
         "X</option><option>  Text  </option></select><select name=\"s4\">"
         "<option disabled value=\"x\">X</option></select><select name=\"s5\">"
         "</select><select name=\"m1\" multiple><option value=\"1\" selected>"
         "1</option><option value=\"2\">2</option><option selected>"
         " three </option><option value=\"\" selected>four</option></select>"
         "<select name=\"m2\" multiple><option value=\"1\">1</option></select>"
         "</form>",
     {}, NULL,
     KUMO_OK, "POST", "http://example.com/",
     "application/x-www-form-urlencoded",
     "s1=a&s2=b&s3=Text&s4=x&m1=1&m1=three&m1=four", NULL},
    {"textarea", "http://example.com/",
     "<form method=\"post\"><textarea name=\"t\">"
         "line1\nl&amp;2 &lt;b&gt;</textarea><textarea name=\"empty\"></textarea>"
         "<textarea>noname</textarea></form>",
     {}, NULL,
     KUMO_OK, "POST", "http://example.com/",
     "application/x-www-form-urlencoded",
     "t=line1%0Al%262+%3Cb%3E&empty=", NULL},
    {"kinds", "http://example.com/",
     "<form method=\"post\"><input type=\"button\" name=\"btn\" value=\"B\">"
         "<input type=\"reset\" name=\"rst\" value=\"R\">"
         "<input type=\"image\" name=\"img\" value=\"I\"><input value=\"nameless\">"
         "<input name=\"\"><input name=\"dis\" value=\"d\" disabled>"
         "<input name=\"noval\"><input type=\"\" name=\"emptytype\" value=\"e\">"
         "<input type=\"SUBMIT\" name=\"sub\" value=\"S\">"
         "<button name=\"bt\" value=\"bv\">Go</button></form>",
     {}, NULL,
     KUMO_OK, "POST", "http://example.com/",
     "application/x-www-form-urlencoded",
     "btn=B&dis=d&noval=&emptytype=e&img=I", NULL},
    {"button_first", "http://example.com/",
     "<form method=\"post\"><input name=\"a\" value=\"1\">"
         "<button name=\"b1\" value=\"v1\">1</button>"
         "<input type=\"submit\" name=\"b2\" value=\"Second\">"
         "<button type=\"button\" name=\"b3\">3</button></form>",
     {}, NULL,
     KUMO_OK, "POST", "http://example.com/",
     "application/x-www-form-urlencoded",
     "a=1&b1=v1", NULL},
    {"click_name", "http://example.com/",
     "<form method=\"post\"><input name=\"a\" value=\"1\">"
         "<input type=\"submit\" name=\"b1\" value=\"First\">"
         "<input type=\"submit\" name=\"b2\" value=\"Second\"></form>",
     {.clickdata = LIST("name", "b2")}, NULL,
     KUMO_OK, "POST", "http://example.com/",
     "application/x-www-form-urlencoded",
     "a=1&b2=Second", NULL},
    {"click_value", "http://example.com/",
     "<form method=\"post\"><input name=\"a\" value=\"1\">"
         "<input type=\"submit\" name=\"b1\" value=\"First\">"
         "<input type=\"submit\" name=\"b2\" value=\"Second\"></form>",
     {.clickdata = LIST("value", "Second")}, NULL,
     KUMO_OK, "POST", "http://example.com/",
     "application/x-www-form-urlencoded",
     "a=1&b2=Second", NULL},
    {"click_nr", "http://example.com/",
     "<form method=\"post\"><input name=\"a\" value=\"1\">"
         "<input type=\"submit\" name=\"b1\" value=\"First\">"
         "<input type=\"submit\" name=\"b2\" value=\"Second\"></form>",
     {.clickdata = LIST("nr", "2")}, NULL,
     KUMO_OK, "POST", "http://example.com/",
     "application/x-www-form-urlencoded",
     "a=1&b2=Second", NULL},
    {"click_nr_text", "http://example.com/",
     "<form method=\"post\"><input name=\"a\" value=\"1\">"
         "<input type=\"submit\" name=\"b1\" value=\"First\"></form>",
     {.clickdata = LIST("nr", "0")}, NULL,
     KUMO_OK, "POST", "http://example.com/",
     "application/x-www-form-urlencoded",
     "a=1&a=1", NULL},
    {"dont_click", "http://example.com/",
     "<form method=\"post\"><input name=\"a\" value=\"1\">"
         "<input type=\"submit\" name=\"b1\" value=\"First\"></form>",
     {.dont_click = 1}, NULL,
     KUMO_OK, "POST", "http://example.com/",
     "application/x-www-form-urlencoded",
     "a=1", NULL},
    {"click_noname", "http://example.com/",
     "<form method=\"post\"><input name=\"a\" value=\"1\">"
         "<input type=\"submit\" value=\"First\"></form>",
     {}, NULL,
     KUMO_OK, "POST", "http://example.com/",
     "application/x-www-form-urlencoded",
     "a=1", NULL},
    {"click_novalue", "http://example.com/",
     "<form method=\"post\"><input type=\"submit\" name=\"go\"></form>",
     {}, NULL,
     KUMO_OK, "POST", "http://example.com/",
     "application/x-www-form-urlencoded",
     "go=", NULL},
    {"formdata_override", "http://example.com/",
     "<form method=\"post\"><input name=\"a\" value=\"1\">"
         "<input name=\"b\" value=\"2\"><input name=\"c\" value=\"3\">"
         "<input type=\"submit\" name=\"go\" value=\"Go\"></form>",
     {}, LIST("b", NULL, "c", "new", "go", "x", "d", "4"),
     KUMO_OK, "POST", "http://example.com/",
     "application/x-www-form-urlencoded",
     "a=1&c=new&go=x&d=4", NULL},
    {"formdata_list", "http://example.com/",
     "<form method=\"post\"><input name=\"a\" value=\"1\">"
         "<input name=\"b\" value=\"2\"></form>",
     {}, LIST("a", "x", "a", "y", "z", "ü "),
     KUMO_OK, "POST", "http://example.com/",
     "application/x-www-form-urlencoded",
     "b=2&a=x&a=y&z=%C3%BC+", NULL},
    {"by_name", "http://example.com/",
     "<form name=\"f1\" action=\"/one\"><input name=\"a\" value=\"1\"></form>"
         "<form name=\"f2\" action=\"/two\"><input name=\"b\" value=\"2\"></form>",
     {.formname = "f2"}, NULL,
     KUMO_OK, "GET", "http://example.com/two?b=2",
     NULL,
     NULL, NULL},
    {"by_name_missing", "http://example.com/",
     "<form name=\"f1\" action=\"/one\"><input name=\"a\" value=\"1\"></form>"
         "<form name=\"f2\" action=\"/two\"><input name=\"b\" value=\"2\"></form>",
     {.formname = "nope", .formnumber = 1}, NULL,
     KUMO_OK, "GET", "http://example.com/two?b=2",
     NULL,
     NULL, NULL},
    {"by_id", "http://example.com/",
     "<form id=\"f1\" action=\"/one\"><input name=\"a\" value=\"1\"></form>"
         "<form id=\"f2\" action=\"/two\"><input name=\"b\" value=\"2\"></form>",
     {.formid = "f2"}, NULL,
     KUMO_OK, "GET", "http://example.com/two?b=2",
     NULL,
     NULL, NULL},
    {"by_number", "http://example.com/",
     "<form action=\"/one\"></form><form action=\"/two\">"
         "<input name=\"b\" value=\"2\"></form><form action=\"/three\"></form>",
     {.formnumber = 1}, NULL,
     KUMO_OK, "GET", "http://example.com/two?b=2",
     NULL,
     NULL, NULL},
    {"by_number_neg", "http://example.com/",
     "<form action=\"/one\"></form><form action=\"/two\">"
         "<input name=\"b\" value=\"2\"></form><form action=\"/three\">"
         "<input name=\"c\" value=\"3\"></form>",
     {.formnumber = -1}, NULL,
     KUMO_OK, "GET", "http://example.com/three?c=3",
     NULL,
     NULL, NULL},
    {"by_xpath", "http://example.com/",
     "<form action=\"/one\"><input name=\"a\" value=\"1\"></form>"
         "<form action=\"/two\"><div><input id=\"deep\" name=\"b\" value=\"2\"></div>"
         "</form>",
     {.formxpath = "//input[@id=\"deep\"]"}, NULL,
     KUMO_OK, "GET", "http://example.com/two?b=2",
     NULL,
     NULL, NULL},
    {"by_css", "http://example.com/",
     "<form action=\"/one\" class=\"x\"><input name=\"a\" value=\"1\"></form>"
         "<form action=\"/two\" class=\"y z\"><input name=\"b\" value=\"2\"></form>",
     {.formcss = "form.z"}, NULL,
     KUMO_OK, "GET", "http://example.com/two?b=2",
     NULL,
     NULL, NULL},
    {"base_href", "http://example.com/dir/page",
     "<html><head><base href=\"http://other.example/sub/\"></head><body>"
         "<form action=\"post.php\" method=\"post\"><input name=\"a\" value=\"1\">"
         "</form></body></html>",
     {}, NULL,
     KUMO_OK, "POST", "http://other.example/sub/post.php",
     "application/x-www-form-urlencoded",
     "a=1", NULL},
    {"base_noaction", "http://example.com/dir/page",
     "<html><head><base href=\"/sub/\"></head><body><form method=\"post\">"
         "<input name=\"a\" value=\"1\"></form></body></html>",
     {}, NULL,
     KUMO_OK, "POST", "http://example.com/sub/",
     "application/x-www-form-urlencoded",
     "a=1", NULL},
    {"noaction", "http://example.com/dir/page?x=1#f",
     "<form method=\"post\"><input name=\"a\" value=\"1\"></form>",
     {}, NULL,
     KUMO_OK, "POST", "http://example.com/dir/page?x=1#f",
     "application/x-www-form-urlencoded",
     "a=1", NULL},
    {"emptyaction_get", "http://example.com/dir/page?x=1#f",
     "<form action=\"\"><input name=\"a\" value=\"1\"></form>",
     {}, NULL,
     KUMO_OK, "GET", "http://example.com/dir/page?a=1#f",
     NULL,
     NULL, NULL},
    {"action_ws", "http://example.com/dir/page",
     "<form action=\"  \n next.html \t\"><input name=\"a\" value=\"1\"></form>",
     {}, NULL,
     KUMO_OK, "GET", "http://example.com/dir/next.html?a=1",
     NULL,
     NULL, NULL},
    {"method_put", "http://example.com/",
     "<form action=\"/x\" method=\"put\"><input name=\"a\" value=\"1\"></form>",
     {}, NULL,
     KUMO_OK, "GET", "http://example.com/x?a=1",
     NULL,
     NULL, NULL},
    {"method_override", "http://example.com/",
     "<form action=\"/x\"><input name=\"a\" value=\"1\"></form>",
     {.method = "post"}, NULL,
     KUMO_OK, "POST", "http://example.com/x",
     "application/x-www-form-urlencoded",
     "a=1", NULL},
    {"url_override", "http://example.com/d/",
     "<form action=\"/x\" method=\"post\"><input name=\"a\" value=\"1\"></form>",
     {.url = "other?z=1"}, NULL,
     KUMO_OK, "POST", "http://example.com/d/other?z=1",
     "application/x-www-form-urlencoded",
     "a=1", NULL},
    {"empty_post", "http://example.com/",
     "<form action=\"/x\" method=\"post\"></form>",
     {}, NULL,
     KUMO_OK, "POST", "http://example.com/x",
     NULL,
     NULL, NULL},
    {"empty_get", "http://example.com/p?keep=1",
     "<form action=\"/x?keep=2\"></form>",
     {}, NULL,
     KUMO_OK, "GET", "http://example.com/x?keep=2",
     NULL,
     NULL, NULL},
    {"only_empty_multi_get", "http://example.com/",
     "<form action=\"/x?drop=1\"><select name=\"m\" multiple><option>1</option>"
         "</select></form>",
     {}, NULL,
     KUMO_OK, "GET", "http://example.com/x",
     NULL,
     NULL, NULL},
    {"unclosed", "http://example.com/",
     "<form action=\"/x\" method=\"post\"><input name=\"a\" value=\"1\"><p>"
         "<input name=\"b\" value=\"2\"",
     {}, NULL,
     KUMO_OK, "POST", "http://example.com/x",
     "application/x-www-form-urlencoded",
     "a=1&b=2", NULL},
    {"nested", "http://example.com/",
     "<form action=\"/outer\" method=\"post\"><input name=\"a\" value=\"1\">"
         "<form action=\"/inner\"><input name=\"b\" value=\"2\"></form>"
         "<input name=\"c\" value=\"3\"></form>",
     {}, NULL,
     KUMO_OK, "POST", "http://example.com/outer",
     "application/x-www-form-urlencoded",
     "a=1", NULL},
    {"table", "http://example.com/",
     "<table><form action=\"/t\" method=\"post\"><tr><td>"
         "<input name=\"a\" value=\"1\"></td></tr></form></table>",
     {}, NULL,
     KUMO_OK, "POST", "http://example.com/t",
     "application/x-www-form-urlencoded",
     "a=1", NULL},
    {"textarea_markup", "http://example.com/",
     "<form method=\"post\"><textarea name=\"t\">a<b>bold</b> &amp; tail<!--c-->"
         "<br>x</textarea></form>",
     {}, NULL,
     KUMO_OK, "POST", "http://example.com/",
     "application/x-www-form-urlencoded",
     "t=a%3Cb%3Ebold%3C%2Fb%3E+%26amp%3B+tail%3C%21--c--%3E%3Cbr%3Ex", NULL},
    {"optgroup", "http://example.com/",
     "<form method=\"post\"><select name=\"s\"><optgroup label=\"g\"><option>"
         "x</option><option selected value=\"y\">Y</option></optgroup></select>"
         "</form>",
     {}, NULL,
     KUMO_OK, "POST", "http://example.com/",
     "application/x-www-form-urlencoded",
     "s=y", NULL},
    {"upper_case", "http://example.com/",
     "<FORM ACTION=\"/u\" METHOD=\"POST\"><INPUT NAME=\"A\" VALUE=\"1\">"
         "<INPUT TYPE=\"SUBMIT\" NAME=\"GO\" VALUE=\"Go\"></FORM>",
     {}, NULL,
     KUMO_OK, "POST", "http://example.com/u",
     "application/x-www-form-urlencoded",
     "A=1&GO=Go", NULL},
    {"outside_input", "http://example.com/",
     "<form id=\"a\" method=\"post\"></form><input form=\"a\" name=\"x\" value=\"1\">",
     {}, NULL,
     KUMO_OK, "POST", "http://example.com/",
     NULL,
     NULL, NULL},
    {"click_image", "http://example.com/",
     "<form method=\"post\"><input type=\"image\" name=\"img\" value=\"i\">"
         "<input name=\"a\" value=\"1\"></form>",
     {}, NULL,
     KUMO_OK, "POST", "http://example.com/",
     "application/x-www-form-urlencoded",
     "a=1&img=i", NULL},
    {"attr_entities", "http://example.com/",
     "<form method=\"post\" action=\"/p?a=1&amp;b=2\">"
         "<input name=\"x&amp;y\" value=\"&lt;&quot;&#233;&#x1F600;\"></form>",
     {}, NULL,
     KUMO_OK, "POST", "http://example.com/p?a=1&b=2",
     "application/x-www-form-urlencoded",
     "x%26y=%3C%22%C3%A9%F0%9F%98%80", NULL},
    {"formdata_clicked", "http://example.com/",
     "<form method=\"post\"><input name=\"a\" value=\"1\">"
         "<input type=\"submit\" name=\"go\" value=\"Go\"></form>",
     {}, LIST("go", NULL),
     KUMO_OK, "POST", "http://example.com/",
     "application/x-www-form-urlencoded",
     "a=1", NULL},
    {"err_noform", "http://example.com/x",
     "<p>nothing</p>",
     {}, NULL,
     KUMO_ENOENT, NULL, NULL, NULL, NULL,
     "No <form> element found in <200 http://example.com/x>"},
    {"err_number", "http://example.com/x",
     "<form></form>",
     {.formnumber = 3}, NULL,
     KUMO_ENOENT, NULL, NULL, NULL, NULL,
     "Form number 3 not found in <200 http://example.com/x>"},
    {"err_xpath", "http://example.com/x",
     "<form></form>",
     {.formxpath = "//div"}, NULL,
     KUMO_ENOENT, NULL, NULL, NULL, NULL,
     "No <form> element found with //div"},
    {"err_css", "http://example.com/x",
     "<form></form><div></div>",
     {.formcss = "p.x"}, NULL,
     KUMO_ENOENT, NULL, NULL, NULL, NULL,
     "No <form>"
         " element found with descendant-or-self::p[@class and contains(concat('"
         " ', normalize-space(@class), ' '), ' x ')]"},
    {"err_click_none", "http://example.com/x",
     "<form><input type=\"submit\" name=\"a\"></form>",
     {.clickdata = LIST("name", "b")}, NULL,
     KUMO_ENOENT, NULL, NULL, NULL, NULL,
     "No clickable element matching clickdata: {'name': 'b'}"},
    {"err_click_multi", "http://example.com/x",
     "<form><input type=\"submit\" name=\"a\" value=\"1\">"
         "<input type=\"submit\" name=\"a\" value=\"2\"></form>",
     {.clickdata = LIST("name", "a")}, NULL,
     KUMO_EINVAL, NULL, NULL, NULL, NULL,
     "Multiple elements found (2) matching the criteria in clickdata: {'name"
         "': 'a'}"},
    {"click_any_element", "http://example.com/x",
     "<form method=\"post\"><input name=\"t\" value=\"1\" id=\"i\">"
         "<input type=\"submit\" name=\"s\"></form>",
     {.clickdata = LIST("id", "i")}, NULL,
     KUMO_OK, "POST", "http://example.com/x",
     "application/x-www-form-urlencoded",
     "t=1&t=1", NULL},
    {"click_nr_out", "http://example.com/x",
     "<form method=\"post\"><input name=\"t\" value=\"1\">"
         "<input type=\"submit\" name=\"s\"></form>",
     {.clickdata = LIST("nr", "5")}, NULL,
     KUMO_ENOENT, NULL, NULL, NULL, NULL,
     "No clickable element matching clickdata: {'nr': 5}"},
};

Test(form, from_response_like_scrapy)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(fcases); i++) {
        const struct fcase *c = &fcases[i];
        kumo_response *res = html(c->url, c->html);
        char msg[512] = "";
        kumo_form_opts o = c->opts;
        o.errbuf = msg;
        o.errlen = sizeof(msg);
        int err = -1;
        kumo_request *req = kumo_form_request_from_response(res, &o, c->formdata, NULL, &err);
        cr_expect_eq(err, c->rc, "%s: err %s, want %s (%s)", c->name, kumo_errname(err),
                     kumo_errname(c->rc), msg);
        if (c->rc == KUMO_OK) {
            expect_request(c->name, req, c->method, c->req_url, c->ct, c->body);
            cr_expect_eq(req->ref.cls, &KUMO_CLASS(FormRequest), "%s: class", c->name);
        } else {
            cr_expect_null(req, "%s", c->name);
            cr_expect_str_eq(msg, c->error, "%s: message", c->name);
        }
        kumo_request_unref(req);
        kumo_response_unref(res);
    }
}

/* An unencodable field, a response that is not text, an error without errbuf (logged). */
Test(form, from_response_errors)
{
    int err;
    const char *page = "<form method=\"post\"><input name=\"n\" value=\"\xe9\"></form>";
    kumo_response *res = response_ct("http://example.com/", "text/html; charset=iso-8859-1",
                                     page, strlen(page));
    char msg[256] = "";
    kumo_form_opts o = {.errbuf = msg, .errlen = sizeof(msg)};
    kumo_request *req = kumo_form_request_from_response(res, &o, LIST("x", "\xe6\x97\xa5"),
                                                        NULL, &err);
    cr_expect_null(req);
    cr_expect_eq(err, KUMO_EINVAL);
    cr_expect_str_eq(msg, "'cp1252' codec can't encode the value of form field 'x'");
    kumo_response_unref(res);

    res = response_ct("http://example.com/i.png", "image/png", "<form></form>", 13);
    req = kumo_form_request_from_response(res, NULL, NULL, NULL, &err);
    cr_expect_null(req);
    cr_expect_eq(err, KUMO_EINVAL);
    kumo_response_unref(res);

    res = html("http://example.com/", "<p>no form</p>");
    req = kumo_form_request_from_response(res, NULL, NULL, NULL, &err);     /* ERROR line */
    cr_expect_null(req);
    cr_expect_eq(err, KUMO_ENOENT);
    req = kumo_form_request_from_response(res, &(kumo_form_opts){.formxpath = "//["}, NULL,
                                          NULL, &err);
    cr_expect_null(req);
    cr_expect_eq(err, KUMO_ENOENT, "no form at all comes first, as in Scrapy");
    kumo_response_unref(res);

    res = html("http://example.com/", "<form><input name=a></form>");
    req = kumo_form_request_from_response(res, &(kumo_form_opts){.formxpath = "//[",
                                          .errbuf = msg, .errlen = sizeof(msg)}, NULL, NULL,
                                          &err);
    cr_expect_null(req);
    cr_expect_eq(err, KUMO_ESYNTAX, "%s", msg);
    req = kumo_form_request_from_response(res, &(kumo_form_opts){.formcss = "form[",
                                          .errbuf = msg, .errlen = sizeof(msg)}, NULL, NULL,
                                          &err);
    cr_expect_null(req);
    cr_expect_eq(err, KUMO_ESYNTAX, "%s", msg);
    /* an action kumo cannot fetch */
    kumo_response_unref(res);
    res = html("http://example.com/", "<form action=\"mailto:x@example.com\"></form>");
    req = kumo_form_request_from_response(res, &o, NULL, NULL, &err);
    cr_expect_null(req);
    cr_expect_eq(err, KUMO_ESCHEME, "%s", msg);
    kumo_response_unref(res);
}

/* A windows-1252 page: the data is sent in its encoding, as Scrapy sends it; a character
 * the encoding lacks fails (Scrapy: UnicodeEncodeError). */
Test(form, from_response_page_encoding)
{
    const char *page = "<form method=\"post\"><input name=\"n\" value=\"caf\xe9 \x80\">"
                       "</form>";
    kumo_response *res = response_ct("http://example.com/", "text/html; charset=windows-1252",
                                     page, strlen(page));
    char msg[256] = "";
    kumo_form_opts o = {.errbuf = msg, .errlen = sizeof(msg)};
    int err;
    kumo_request *req = kumo_form_request_from_response(res, &o, NULL, NULL, &err);
    expect_request("cp1252", req, "POST", "http://example.com/",
                   "application/x-www-form-urlencoded", "n=caf%E9+%80");
    kumo_request_unref(req);
    kumo_response_unref(res);

    page = "<form method=\"post\"><input name=\"x\" value=\"&#26085;\"></form>";
    res = response_ct("http://example.com/", "text/html; charset=windows-1252", page,
                      strlen(page));
    req = kumo_form_request_from_response(res, &o, NULL, NULL, &err);
    cr_expect_null(req);
    cr_expect_eq(err, KUMO_EINVAL);
    cr_expect_str_eq(msg, "'cp1252' codec can't encode the value of form field 'x'");
    kumo_response_unref(res);
}

/* ---------------------------------------------------------------- FormRequest() */

/* scrapy.FormRequest(url, method=m, formdata=pairs), Scrapy 2.8. */
static const struct ncase {
    const char *url, *method;
    const char *const *formdata;
    const char *want_method, *want_url, *ct, *body;
} ncases[] = {
    {"http://example.com/post", NULL, LIST("a", "1", "b", "x y", "a", "2"),
     "POST", "http://example.com/post", "application/x-www-form-urlencoded", "a=1&b=x+y&a=2"},
    {"http://example.com/s?old=1#frag", "GET",
     LIST("q", "\xe6\x97\xa5\xe6\x9c\xac \xe8\xaa\x9e", "e", "~-_.*'()!/?&=+,;:@$"),
     "GET", "http://example.com/s?q=%E6%97%A5%E6%9C%AC+%E8%AA%9E"
            "&e=~-_.%2A%27%28%29%21%2F%3F%26%3D%2B%2C%3B%3A%40%24#frag", NULL, NULL},
    {"http://example.com/s?old=1", "get", LIST("q", "1"),
     "GET", "http://example.com/s?q=1", NULL, NULL},
    {"http://example.com/s?old=1", NULL, LIST0, "GET", "http://example.com/s?old=1", NULL, NULL},
    {"http://example.com/s?old=1", NULL, NULL, "GET", "http://example.com/s?old=1", NULL, NULL},
    {"http://example.com/s", "PUT", LIST("q", "1"), "PUT", "http://example.com/s?q=1", NULL,
     NULL},
    {"http://example.com", "GET", LIST("q", "1"), "GET", "http://example.com?q=1", NULL, NULL},
    {"http://example.com/p", NULL, LIST("", ""),
     "POST", "http://example.com/p", "application/x-www-form-urlencoded", "="},
    /* kumo only: a NULL value leaves its pair out */
    {"http://example.com/p", NULL, LIST("a", NULL, "b", "2"),
     "POST", "http://example.com/p", "application/x-www-form-urlencoded", "b=2"},
};

Test(form, form_request_like_scrapy)
{
    for (size_t i = 0; i < KUMO_ARRAY_LEN(ncases); i++) {
        const struct ncase *c = &ncases[i];
        int err = -1;
        kumo_request *req = kumo_form_request_new(c->url, c->method, c->formdata, NULL, &err);
        cr_expect_eq(err, KUMO_OK, "%zu: %s", i, kumo_errname(err));
        char what[32];
        snprintf(what, sizeof(what), "case %zu", i);
        expect_request(what, req, c->want_method, c->want_url, c->ct, c->body);
        cr_expect_eq(req->ref.cls, &KUMO_CLASS(FormRequest));
        kumo_request_unref(req);
    }
    int err;
    cr_expect_null(kumo_form_request_new("/relative", NULL, LIST("a", "1"), NULL, &err));
    cr_expect_eq(err, KUMO_EURL);
    cr_expect_null(kumo_form_request_new(NULL, NULL, NULL, NULL, &err));
    cr_expect_eq(err, KUMO_EURL);
}

/* A FormRequest counts as FormRequest in prefs and goes away with its last reference. */
Test(form, classes)
{
    int err;
    kumo_request *f = kumo_form_request_new("http://example.com/", NULL, NULL, NULL, &err);
    kumo_request *j = kumo_json_request_new("http://example.com/", NULL, NULL, &err);
    cr_expect_eq(kumo_ref_count(&KUMO_CLASS(FormRequest)), 1);
    cr_expect_eq(kumo_ref_count(&KUMO_CLASS(JsonRequest)), 1);
    cr_expect_eq(kumo_ref_count(&KUMO_CLASS(Request)), 0);
    kumo_map m;
    kumo_map_init(&m, KUMO_T_DICT, KUMO_V_META);
    kumo_map_set(&m, "req", kumo_val_obj(&f->ref));     /* Request's retain, inherited */
    kumo_request_unref(f);
    cr_expect_eq(kumo_ref_count(&KUMO_CLASS(FormRequest)), 1);
    kumo_map_release(&m);
    cr_expect_eq(kumo_ref_count(&KUMO_CLASS(FormRequest)), 0);
    /* a copy (redirects, retries) stays a JsonRequest */
    kumo_request *c = kumo__request_copy(j);
    cr_expect_eq(c->ref.cls, &KUMO_CLASS(JsonRequest));
    kumo_request_unref(c);
    kumo_request_unref(j);
}

/* ---------------------------------------------------------------- JsonRequest */

#define JSON_ACCEPT "application/json, text/javascript, */*; q=0.01"

static void expect_json(kumo_request *req, const char *method, const char *body)
{
    cr_assert_not_null(req);
    expect_request("json", req, method, "http://example.com/api", "application/json", body);
    cr_expect_str_eq(kumo_headers_get(kumo_request_headers(req), "Accept"), JSON_ACCEPT);
    cr_expect_eq(req->ref.cls, &KUMO_CLASS(JsonRequest));
    kumo_request_unref(req);
}

/* scrapy.http.JsonRequest(url, data=...), Scrapy 2.8. */
Test(form, json_request_like_scrapy)
{
    const char *url = "http://example.com/api";
    int err;
    expect_json(kumo_json_request_new(url, NULL, NULL, &err), "GET", NULL);
    kumo_value none = kumo_val_none();
    expect_json(kumo_json_request_new(url, &none, NULL, &err), "GET", NULL);

    kumo_map m;
    kumo_map_init(&m, KUMO_T_DICT, KUMO_V_DICT);
    expect_json(kumo_json_request_new_map(url, &m, NULL, &err), "POST", "{}");
    kumo_map_set(&m, "b", kumo_val_int(1));
    kumo_value l = kumo_val_list();
    kumo_val_list_push(&l, kumo_val_int(1));
    kumo_val_list_push(&l, kumo_val_float(2.5));
    kumo_val_list_push(&l, kumo_val_none());
    kumo_val_list_push(&l, kumo_val_bool(1));
    kumo_val_list_push(&l, kumo_val_bool(0));
    kumo_map_set(&m, "a", l);
    kumo_map_set(&m, "c", kumo_val_str("\xc3\xa9\"\\\n\x01\x7f\xf0\x9f\x98\x80"));
    expect_json(kumo_json_request_new_map(url, &m, NULL, &err), "POST",
                "{\"a\": [1, 2.5, null, true, false], \"b\": 1, "
                "\"c\": \"\\u00e9\\\"\\\\\\n\\u0001\\u007f\\ud83d\\ude00\"}");
    kumo_map_release(&m);

    kumo_map_init(&m, KUMO_T_DICT, KUMO_V_DICT);
    kumo_map_set(&m, "z\xc3\xa9", kumo_val_int(1));
    kumo_map_set(&m, "z", kumo_val_int(2));
    kumo_map_set(&m, "Z", kumo_val_int(3));
    kumo_map_set(&m, "a b", kumo_val_int(4));
    expect_json(kumo_json_request_new_map(url, &m, NULL, &err), "POST",
                "{\"Z\": 3, \"a b\": 4, \"z\": 2, \"z\\u00e9\": 1}");
    kumo_map_release(&m);

    l = kumo_val_list();
    expect_json(kumo_json_request_new(url, &l, NULL, &err), "POST", "[]");
    const double nums[] = {1e16, 0.1, -0.0, 3.0, 1e-7};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(nums); i++)
        kumo_val_list_push(&l, kumo_val_float(nums[i]));
    kumo_val_list_push(&l, kumo_val_int(123456789012345678));
    expect_json(kumo_json_request_new(url, &l, NULL, &err), "POST",
                "[1e+16, 0.1, -0.0, 3.0, 1e-07, 123456789012345678]");
    kumo_val_clear(&l);
    kumo_value s = kumo_val_str("x");
    expect_json(kumo_json_request_new(url, &s, NULL, &err), "POST", "\"x\"");
    kumo_val_clear(&s);
    /* invalid UTF-8 reads as U+FFFD, as kumo's other JSON */
    s = kumo_val_str("a\xff");
    expect_json(kumo_json_request_new(url, &s, NULL, &err), "POST", "\"a\\ufffd\"");
    kumo_val_clear(&s);
}

Test(form, json_request_errors)
{
    int err;
    kumo_request *r = kumo_request_new("http://example.com/", NULL, &err);
    kumo_value v = kumo_val_list();
    kumo_val_list_push(&v, kumo_val_obj(&r->ref));
    kumo_request_unref(r);
    cr_expect_null(kumo_json_request_new("http://example.com/api", &v, NULL, &err));
    cr_expect_eq(err, KUMO_EINVAL);
    kumo_val_clear(&v);

    kumo_value deep = kumo_val_list();
    for (int i = 0; i < 600; i++) {
        kumo_value outer = kumo_val_list();
        kumo_val_list_push(&outer, deep);
        deep = outer;
    }
    cr_expect_null(kumo_json_request_new("http://example.com/api", &deep, NULL, &err));
    cr_expect_eq(err, KUMO_ETOOBIG);
    kumo_val_clear(&deep);

    kumo_value one = kumo_val_int(1);
    cr_expect_null(kumo_json_request_new("ftp://example.com/", &one, NULL, &err));
    cr_expect_eq(err, KUMO_ESCHEME);
}

/* ---------------------------------------------------------------- bad input */

static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return rnd_state >> 8;
}

/* Broken pages and every option in turn: a request or an error, never a crash or a leak. */
Test(form, malformed_never_crash)
{
    static const char nul_page[] = "<form>\x00<input name=\"a\x00b\" value=\"x\x00y\"></form>";
    static const char *const pages[] = {
        "", "<form", "<form>", "</form>", "<form action>", "<form action=\"", "<form><select",
        "<form><select name=s multiple><option selected", "<form><textarea name=t>",
        "<form><input name=a value=\"\xff\xfe\"><input type=checkbox name=c checked=>",
        "<form method=\"\"><form><form><input name=x><button>",
        "<html><head><base href=\"::bad::\"></head><form action=\"//\"></form>",
        "<form action=\"http://[::1\"><input name=a></form>",
        "<select name=s><option></option></select><form><option selected>",
        "<table><tr><form><td><input name=a></td></form></tr><input name=b></table>",
        nul_page,
        "<?xml version=\"1.0\"?><!DOCTYPE x><form/>",
    };
    const kumo_form_opts opts[] = {
        {0},
        {.formnumber = 5},
        {.formnumber = -7},
        {.formname = "", .formid = ""},
        {.formxpath = "//input"},
        {.formxpath = "string(//form)"},
        {.formxpath = "//@name"},
        {.formcss = "input::attr(name)"},
        {.clickdata = LIST("nr", "-1")},
        {.clickdata = LIST("nr", "x")},
        {.clickdata = LIST("nr", NULL)},
        {.clickdata = LIST0},
        {.clickdata = LIST("name", "a", "type", NULL)},
        {.dont_click = 1, .method = "delete", .url = ""},
        {.url = "javascript:void(0)"},
    };
    char buf[512];
    for (size_t round = 0; round < 40; round++) {
        for (size_t p = 0; p < KUMO_ARRAY_LEN(pages); p++) {
            size_t n = strlen(pages[p]);
            if (pages[p] == nul_page)
                n = sizeof(nul_page) - 1;       /* the NUL bytes too */
            memcpy(buf, pages[p], n);
            for (size_t k = 0; round && n && k < round % 5; k++)
                buf[rnd() % n] = (char)rnd();       /* damage a few bytes */
            kumo_response *res = response_ct("http://example.com/a/", "text/html", buf, n);
            for (size_t o = 0; o < KUMO_ARRAY_LEN(opts); o++) {
                char msg[256];
                kumo_form_opts opt = opts[o];
                opt.errbuf = msg;
                opt.errlen = sizeof(msg);
                int err = -1;
                kumo_request *req = kumo_form_request_from_response(
                    res, &opt, o % 2 ? LIST("a", NULL, "z", "1") : NULL, NULL, &err);
                cr_expect((req != NULL) == (err == KUMO_OK), "page %zu opts %zu", p, o);
                kumo_request_unref(req);
                kumo__pool_drain(0);
            }
            kumo_response_unref(res);
        }
    }
}
