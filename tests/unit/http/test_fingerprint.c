/* test_fingerprint.c - request fingerprints against Scrapy 2.8's fingerprint(). */
#include <criterion/criterion.h>

#include "kumo-int.h"
#include "http/fingerprint.h"
#include "util/buf.h"
#include "lib/leakcheck.h"

TestSuite(fingerprint, KUMO_LEAKCHECK);

static const char *fp_hex(const char *method, const char *url, const void *body, size_t len,
                          char hex[41])
{
    unsigned char fp[20];
    int rc = kumo__fingerprint(method, url, body, len, fp);
    cr_assert_eq(rc, KUMO_OK, "fingerprint(%s %s) = %s", method, url, kumo_errname(rc));
    kumo__fingerprint_hex(fp, hex);
    return hex;
}

/*
 * scrapy.utils.request.fingerprint(scrapy.Request(url, method=m, body=b)).hex(), Scrapy 2.8.
 * Methods are given upper case, as Request stores them.
 */
static const struct {
    const char *method, *url, *body;
    const char *hex;
} cases[] = {
    {"GET", "http://example.com/x", "", "b8da2f61718729596189dd8b852e4687ceefc52b"},
    {"GET", "http://example.com/query?id=111&cat=222", "",
     "129fb645fec157a8ec97b7f19af3a7888902e1d8"},
    {"GET", "http://example.com/query?cat=222&id=111#frag", "",
     "129fb645fec157a8ec97b7f19af3a7888902e1d8"},
    {"POST", "http://example.com/x", "a=1", "e24307d5aff83dc24e85eab08d9bd0e2eb3ee268"},
    {"GET", "http://www.example.com/a%20b/?q=%E6%97%A5", "",
     "1bd751c30b5ef50be7701c86998749565e698a5a"},
    {"GET", "HTTP://WWW.Example.com:8080/r\303\251sum\303\251?b=2&a=%7e", "",
     "c2b7531e305452d61e3a1b41cc803ef2ca256c1c"},
    {"PUT", "https://example.com/api/items/1", "{\"name\": \"caf\303\251\"}",
     "979f23926d3a7ef26feef989134942f1107ee74b"},
    {"DELETE", "http://example.com/?", "", "851f3db271aac0bb4aaaf8c43c8352c1c9c51e13"},
    {"GET", "http://example.com/a b?c d=e f", "", "0c4b28b92984bb32c3670187b0554b36510d62ac"},
    {"GET", "http://example.com/\360\237\230\200", "", "48e313efdae7922a6358e89be8b6625182cc0b16"},
    {"GET", "http://example.com/a\"b\\c", "", "2d6b30b6905cc1e7074bbf3f9c60745d6bf6ea9b"},
    {"PATCH", "http://example.com/x", "caf\303\251 \346\227\245",
     "04572e41af6c060c4f5e904b081fd5ee135063d3"},
    /* the method goes through json.dumps(ensure_ascii=True) */
    {"A\"B\\C", "http://example.com/x", "", "00597c43402316e6dced65e48e68cf7474d8b65b"},
    {"M\303\211\360\237\230\200", "http://example.com/x", "",
     "087f4d4a48c10b619f6fed1c7391537398fe7047"},
    {"X\tY\001\177", "http://example.com/x", "", "f16c434cc6e24384fb3ee4361595ddb2e30efb82"},
};

Test(fingerprint, matches_scrapy)
{
    char hex[41];
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        fp_hex(cases[i].method, cases[i].url, cases[i].body, strlen(cases[i].body), hex);
        cr_expect_str_eq(hex, cases[i].hex, "fingerprint(%s %s)", cases[i].method,
                         cases[i].url);
    }
}

Test(fingerprint, binary_body)
{
    unsigned char body[256];
    char hex[41];
    for (int i = 0; i < 256; i++)
        body[i] = (unsigned char)i;
    fp_hex("POST", "http://example.com/bin", body, sizeof(body), hex);
    cr_assert_str_eq(hex, "443a296fb65a2c42a675fbc174c25bf8a84c08f1");
}

Test(fingerprint, big_body)
{
    static char body[5000];
    char hex[41];
    memset(body, 'x', sizeof(body));
    fp_hex("POST", "http://example.com/big", body, sizeof(body), hex);
    cr_assert_str_eq(hex, "8e35ac63f6af2c61ffd3911c4956752892d11c97");
}

/* A canonical url past the stack buffer. */
Test(fingerprint, long_url)
{
    kumo_buf u;
    char hex[41];
    kumo__buf_init(&u, 0, KUMO_T_STR, KUMO_V_NONE);
    kumo__buf_adds(&u, "http://example.com/");
    for (int i = 0; i < 1500; i++)
        kumo__buf_addc(&u, 'p');
    kumo__buf_addc(&u, '?');
    for (int i = 0; i < 100; i++)
        kumo__buf_printf(&u, "%sk%03d=v", i ? "&" : "", 99 - i);
    fp_hex("GET", kumo__buf_str(&u), NULL, 0, hex);
    cr_assert_str_eq(hex, "644f573b91c468d5254fa19a35e46736224c7b37");
    kumo__buf_release(&u);
}

Test(fingerprint, malformed_url)
{
    unsigned char fp[20];
    cr_expect_eq(kumo__fingerprint("GET", "/relative", NULL, 0, fp), KUMO_EURL);
    cr_expect_eq(kumo__fingerprint("GET", "http://[::1/", NULL, 0, fp), KUMO_EURL);
    cr_expect_eq(kumo__fingerprint("GET", NULL, NULL, 0, fp), KUMO_EURL);
}

Test(fingerprint, hex)
{
    unsigned char fp[20];
    char hex[41];
    for (int i = 0; i < 20; i++)
        fp[i] = (unsigned char)(i * 13 + 7);
    kumo__fingerprint_hex(fp, hex);
    cr_assert_str_eq(hex, "0714212e3b4855626f7c8996a3b0bdcad7e4f1fe");
}
