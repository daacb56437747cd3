/* fuzz_console_eval.c - console lines evaluated in a session that holds live objects: a
 * request, an HTML response (selectors on it) and the trackref builtins that find them.
 * Input: lines (\n between them), run in one session with a 4 KiB output cap each. */
#include "fuzz.h"
#include "console/repl.h"
#include "http/headers.h"
#include "http/request.h"
#include "http/response.h"
#include "util/buf.h"

#define URL "http://example.com/product.php?pid=5"
#define PAGE "<html><head><title>Product</title></head><body>" \
             "<a href=\"/p?x=1\" class=\"big\">next</a><p>caf\xc3\xa9 it's</p></body></html>"

static kumo_response *page_new(kumo_request *req)
{
    kumo_headers *h = kumo__headers_new();
    kumo_headers_add(h, "Content-Type", "text/html; charset=utf-8");
    kumo_headers_add(h, "Set-Cookie", "a=1");
    size_t len = strlen(PAGE);
    char *b = kumo_alloc(len + 1, KUMO_T_BYTES, KUMO_V_BODY);
    memcpy(b, PAGE, len + 1);
    return kumo__response_new(req, URL, 200, h, b, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int err;
    kumo_request *req = kumo_request_new(URL, NULL, &err);
    kumo_response *res = page_new(req);
    kumo_repl *r = kumo__repl_new(NULL);
    kumo__repl_bind_ref(r, "request", &req->ref);
    kumo__repl_bind_ref(r, "response", &res->ref);
    kumo_buf out;
    kumo__buf_init(&out, 4096, KUMO_T_STR, KUMO_V_NONE);
    const char *p = (const char *)data, *end = p + size;
    while (p <= end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        kumo__buf_reset(&out);
        if (kumo__repl_eval(r, p, n, &out) == KUMO_EDONE)
            break;
        kumo_assert(out.len <= 4096);
        p += n + 1;
    }
    kumo__buf_release(&out);
    kumo__repl_free(r);
    kumo_response_unref(res);
    kumo_request_unref(req);
    return 0;
}
