/* test_forms.c - a real crawl: log in through a form, reach the page behind it, and see
 * form and JSON requests arrive at the test server as Scrapy 2.8 sends them. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "http/request.h"
#include "lib/crawl.h"
#include "core/item.h"

static kumo_testcrawl t;

static void setup(void)
{
    kumo_testcrawl_init(&t);
}

static void teardown(void)
{
    kumo_testcrawl_fini(&t);
}

TestSuite(forms, .init = setup, .fini = teardown, .timeout = 60);

#define SET(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The class of the request res answers (FormRequest, JsonRequest, Request). */
static const char *request_class(kumo_response *res)
{
    return kumo_response_request(res)->ref.cls->name;
}

static void emit_page(kumo_response *res, kumo_out *out, const char *page)
{
    kumo_item *item = kumo_item_new();
    kumo_item_set_str(item, "page", page);
    kumo_item_set_str(item, "title", kumo_list_get(kumo_css(res, "title::text"), ""));
    kumo_item_set_str(item, "class", request_class(res));
    kumo_yield_item(out, item);
}

/* /forms/echo: the method, Content-Type, query and body the server saw. */
static void echo(kumo_response *res, kumo_out *out)
{
    size_t len;
    const char *body = kumo_response_body(res, &len);
    kumo_item *item = kumo_item_new();
    kumo_item_set(item, "echo", kumo_val_strn(body, len));
    kumo_item_set_str(item, "class", request_class(res));
    kumo_yield_item(out, item);
}

static void private_page(kumo_response *res, kumo_out *out)
{
    emit_page(res, out, "private");
}

/* The welcome page after the login: follow its link to the private page. */
static void after_login(kumo_response *res, kumo_out *out)
{
    emit_page(res, out, "welcome");
    kumo_follow_all(out, res, "a", private_page);
}

static void yield_or_fail(kumo_out *out, kumo_request *req, const char *what, const char *msg)
{
    if (req)
        kumo_yield_request(out, req);
    else
        fprintf(stderr, "test_forms: %s failed: %s\n", what, msg);
}

/* /forms/login: submit the login form, the search form, the login form again to the echo
 * route without clicking, and a JsonRequest to the echo route. */
static void login(kumo_response *res, kumo_out *out)
{
    char msg[256] = "";
    int err;
    kumo_form_opts o = {.formid = "login", .errbuf = msg, .errlen = sizeof(msg)};
    const char *const *creds = SET("user", "alice", "pass", "s3cret!");
    yield_or_fail(out, kumo_form_request_from_response(res, &o, creds, after_login, &err),
                  "login", msg);

    kumo_form_opts search = {.errbuf = msg, .errlen = sizeof(msg)};
    yield_or_fail(out, kumo_form_request_from_response(res, &search, SET("q", "new words"),
                                                       echo, &err), "search", msg);

    kumo_form_opts again = {.formid = "login", .url = "/forms/echo", .dont_click = 1,
                            .errbuf = msg, .errlen = sizeof(msg)};
    yield_or_fail(out, kumo_form_request_from_response(res, &again, creds, echo, &err),
                  "echo form", msg);

    char *url = kumo_response_urljoin(res, "/forms/echo?json=1");
    kumo_map data;
    kumo_map_init(&data, KUMO_T_DICT, KUMO_V_DICT);
    kumo_map_set(&data, "user", kumo_val_str("alice"));
    kumo_value n = kumo_val_list();
    kumo_val_list_push(&n, kumo_val_int(1));
    kumo_val_list_push(&n, kumo_val_int(2));
    kumo_map_set(&data, "n", n);
    yield_or_fail(out, kumo_json_request_new_map(url, &data, echo, &err), "json",
                  kumo_strerror(err));
    kumo_map_release(&data);
    kumo_free(url);
}

static int start_requests(kumo_spider *sp, kumo_out *out)
{
    int err;
    kumo_request *req = kumo_request_new(kumo_spider_arg(sp, "start", ""), login, &err);
    if (!req)
        return err;
    kumo_yield_request(out, req);
    return KUMO_OK;
}

static const kumo_spider_def forms_spider = {
    KUMO_SPIDER_HEADER,
    .name = "forms",
    .allowed_domains = KUMO_LIST("127.0.0.1"),
    .callbacks = KUMO_CALLBACKS(login, after_login, private_page, echo),
    .start_requests = start_requests,
};

Test(forms, login_reaches_private_page)
{
    char start[256];
    kumo_testserver_url(t.srv, "/forms/login", start, sizeof(start));
    cr_assert_eq(kumo_testcrawl_run(&t, &forms_spider, SET("LOG_LEVEL", "ERROR"),
                                    SET("start", start)), KUMO_OK, "%s", t.err);
    cr_expect_eq(t.nitems, 5);
    for (size_t i = 0; t.nitems != 5 && i < t.nitems; i++)
        fprintf(stderr, "item: %s\n", t.items[i]);
    /* the POST body was right (else /forms/session answers 403), and its link was followed */
    cr_expect_eq(kumo_testcrawl_items_with(&t, "\"title\": \"Welcome alice\""), 1);
    cr_expect_eq(kumo_testcrawl_items_with(&t, "\"title\": \"Private page\""), 1);
    cr_expect_eq(kumo_testserver_hits(t.srv, "/forms/session"), 1);
    /* Scrapy 2.8's requests for the same page, byte for byte */
    cr_expect_eq(kumo_testcrawl_items_with(&t, "method: GET\\ncontent-type: \\n"
                                               "query: q=new+words\\nbody: \\n"), 1);
    cr_expect_eq(kumo_testcrawl_items_with(&t, "method: POST\\ncontent-type: "
                                               "application/x-www-form-urlencoded\\nquery: "
                                               "\\nbody: csrf=c5rf&remember=on&user=alice"
                                               "&pass=s3cret%21\\n"), 1);
    cr_expect_eq(kumo_testcrawl_items_with(&t, "method: POST\\ncontent-type: "
                                               "application/json\\nquery: json=1\\nbody: "
                                               "{\\\"n\\\": [1, 2], \\\"user\\\": "
                                               "\\\"alice\\\"}\\n"), 1);
    /* the requests kept their class through the crawl */
    cr_expect_eq(kumo_testcrawl_items_with(&t, "\"class\": \"FormRequest\""), 3);
    cr_expect_eq(kumo_testcrawl_items_with(&t, "\"class\": \"JsonRequest\""), 1);
    cr_expect_eq(kumo_testcrawl_stat(&t, "log_count/ERROR", 0), 0);
}
