/* test_json.c - JSON writer (Python's json.dumps output) and the strict parser. */
#include <criterion/criterion.h>
#include <math.h>

#include "kumo-int.h"
#include "util/buf.h"
#include "util/json.h"
#include "http/request.h"
#include "http/response.h"
#include "lib/leakcheck.h"

TestSuite(json, KUMO_LEAKCHECK);

/* Returns a new string: v written with Python's default separators. */
static char *dump(const kumo_value *v)
{
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    cr_assert_eq(kumo__json_value(&b, v), KUMO_OK);
    return kumo__buf_detach(&b, NULL);
}

static void expect_dump(kumo_value v, const char *want)
{
    char *got = dump(&v);
    cr_expect_str_eq(got, want);
    kumo_free(got);
    kumo_val_clear(&v);
}

/* Expected values are Python 3.11's json.dumps(x). */
Test(json, floats_as_python_repr)
{
    static const struct {
        double x;
        const char *want;
    } cases[] = {
        {12.34, "12.34"},
        {3.0, "3.0"},
        {1e16, "1e+16"},
        {1e15, "1000000000000000.0"},
        {0.1, "0.1"},
        {0.0001, "0.0001"},
        {0.00001, "1e-05"},
        {1.5e-7, "1.5e-07"},
        {-2.5, "-2.5"},
        {123456789012345678.0, "1.2345678901234568e+17"},
        {5e-324, "5e-324"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {0.1 + 0.2, "0.30000000000000004"},
        {1.0 / 3, "0.3333333333333333"},
        {9007199254740992.0, "9007199254740992.0"},
        {-0.0, "-0.0"},
        {0.0, "0.0"},
        {100.0, "100.0"},
        {1e22, "1e+22"},
        {2.5e-5, "2.5e-05"},
        {123.456e10, "1234560000000.0"},
        /* whole hundredths and such (no snprintf), and their neighbours that need it */
        {999999999999999.0, "999999999999999.0"},
        {-0.05, "-0.05"},
        {12.345678, "12.345678"},
        {0.123456789, "0.123456789"},
        {1.1e-8, "1.1e-08"},
        {4.35, "4.35"},
        {99999.99, "99999.99"},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++)
        expect_dump(kumo_val_float(cases[i].x), cases[i].want);
    expect_dump(kumo_val_float(NAN), "NaN");
    expect_dump(kumo_val_float(INFINITY), "Infinity");
    expect_dump(kumo_val_float(-INFINITY), "-Infinity");
}

Test(json, scalars)
{
    expect_dump(kumo_val_none(), "null");
    expect_dump(kumo_val_bool(1), "true");
    expect_dump(kumo_val_bool(0), "false");
    expect_dump(kumo_val_int(0), "0");
    expect_dump(kumo_val_int(-42), "-42");
    expect_dump(kumo_val_int(INT64_MAX), "9223372036854775807");
    expect_dump(kumo_val_int(INT64_MIN), "-9223372036854775808");
    expect_dump(kumo_val_str("caf\303\251 \346\227\245"), "\"caf\303\251 \346\227\245\"");
}

/* Plain runs are copied eight bytes at a time: each special byte at every offset of a word,
 * with plain text on both sides, is escaped as alone. */
Test(json, special_bytes_at_every_offset)
{
    static const struct {
        const char *in, *out;
    } sp[] = {{"\"", "\\\""}, {"\\", "\\\\"}, {"\n", "\\n"}, {"\037", "\\u001f"},
              {"\001", "\\u0001"}, {"\377", "\357\277\275"}, {"\303\251", "\303\251"},
              {"\177", "\177"}, {" ", " "}, {"~", "~"}};
    kumo_buf b, want;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    kumo__buf_init(&want, 0, KUMO_T_STR, KUMO_V_NONE);
    for (size_t k = 0; k < KUMO_ARRAY_LEN(sp); k++)
        for (size_t before = 0; before < 17; before++) {
            char in[64];
            snprintf(in, sizeof(in), "%.*s%s%s", (int)before, "abcdefghijklmnopq", sp[k].in,
                     "0123456789");
            kumo__buf_reset(&b);
            kumo__buf_reset(&want);
            kumo__buf_printf(&want, "\"%.*s%s%s\"", (int)before, "abcdefghijklmnopq",
                             sp[k].out, "0123456789");
            cr_assert_eq(kumo__json_str(&b, in, strlen(in)), KUMO_OK);
            cr_assert_str_eq(kumo__buf_str(&b), kumo__buf_str(&want), "special %zu at %zu", k,
                             before);
        }
    kumo__buf_release(&b);
    kumo__buf_release(&want);
}

/* json.dumps(raw.decode("utf-8", "replace"), ensure_ascii=False). */
Test(json, string_escapes_and_bad_utf8)
{
    static const char raw[] = "a\"b\\c\n\t\r\b\f\001\037\177 \303\251 \346\227\245 \360\237\230\200"
                              " \377 \303 \346\227 \355\240\200 \300\257 \364\220\200\200 end";
    static const char want[] =
        "\"a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0001\\u001f\177 \303\251 \346\227\245 \360\237\230\200"
        " \357\277\275 \357\277\275 \357\277\275 \357\277\275\357\277\275\357\277\275"
        " \357\277\275\357\277\275 \357\277\275\357\277\275\357\277\275\357\277\275 end\"";
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    cr_assert_eq(kumo__json_str(&b, raw, sizeof(raw) - 1), KUMO_OK);
    cr_expect_str_eq(kumo__buf_str(&b), want);
    kumo__buf_reset(&b);
    /* NUL bytes inside and a truncated sequence at the very end */
    cr_assert_eq(kumo__json_str(&b, "a\0b\342\202", 5), KUMO_OK);
    cr_expect_str_eq(kumo__buf_str(&b), "\"a\\u0000b\357\277\275\"");
    kumo__buf_reset(&b);
    cr_assert_eq(kumo__json_str(&b, "", 0), KUMO_OK);
    cr_expect_str_eq(kumo__buf_str(&b), "\"\"");
    kumo__buf_release(&b);
}

Test(json, lists_and_maps)
{
    kumo_value inner = kumo_val_list();
    kumo_val_list_push(&inner, kumo_val_int(1));
    kumo_val_list_push(&inner, kumo_val_str("two"));
    kumo_val_list_push(&inner, kumo_val_list());
    kumo_map m;
    kumo_map_init(&m, KUMO_T_DICT, KUMO_V_NONE);
    kumo_map_set(&m, "title", kumo_val_str("Hello \"world\""));
    kumo_map_set(&m, "price", kumo_val_float(12.5));
    kumo_map_set(&m, "tags", inner);
    kumo_map_set(&m, "none", kumo_val_none());
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    cr_assert_eq(kumo__json_map(&b, &m, ", ", ": "), KUMO_OK);
    cr_expect_str_eq(kumo__buf_str(&b), "{\"title\": \"Hello \\\"world\\\"\", \"price\": 12.5, "
                                       "\"tags\": [1, \"two\", []], \"none\": null}");
    kumo__buf_reset(&b);
    cr_assert_eq(kumo__json_map(&b, &m, ",", ":"), KUMO_OK);
    cr_expect_str_eq(kumo__buf_str(&b), "{\"title\":\"Hello \\\"world\\\"\",\"price\":12.5,"
                                       "\"tags\":[1,\"two\",[]],\"none\":null}");
    kumo__buf_reset(&b);
    kumo_map empty;
    kumo_map_init(&empty, KUMO_T_DICT, KUMO_V_NONE);
    cr_assert_eq(kumo__json_map(&b, &empty, ", ", ": "), KUMO_OK);
    cr_expect_str_eq(kumo__buf_str(&b), "{}");
    kumo_map_release(&empty);
    kumo_map_release(&m);
    kumo__buf_release(&b);
}

Test(json, tracked_object_as_repr)
{
    int err = 0;
    kumo_request *req = kumo_request_new("http://example.com/x", NULL, &err);
    cr_assert_not_null(req);
    kumo_value v = kumo_val_obj(&req->ref);
    kumo_request_unref(req);
    expect_dump(v, "\"<GET http://example.com/x>\"");
}

/* A plugin's own shared class: it describes itself through its class's repr hook. */
typedef struct book {
    kumo_ref ref;
    int refcount;
    char title[300];
} book;

static void book_retain(kumo_ref *r)
{
    ((book *)r)->refcount++;
}

static void book_release(kumo_ref *r)
{
    book *b = (book *)r;
    if (--b->refcount == 0)
        kumo_ref_fini(&b->ref);
}

static size_t book_repr(const kumo_ref *r, char *out, size_t cap)
{
    int n = snprintf(out, cap, "<%s %s>", r->cls->name, ((const book *)r)->title);
    return n < 0 ? 0 : (size_t)n;
}

static kumo_class book_class = {
    .name = "Book", .retain = book_retain, .release = book_release, .repr = book_repr,
};
static kumo_class novel_class = {.name = "Novel", .parent = &book_class};
static kumo_class plain_class = {.name = "Plain", .retain = book_retain, .release = book_release};

Test(json, class_repr_hook)
{
    book b[4] = {{.title = "dune"}, {.title = "emma"}, {.title = ""}, {.title = ""}};
    memset(b[3].title, 'x', sizeof(b[3].title) - 1);    /* longer than any stack buffer */
    kumo_class *cls[4] = {&book_class, &novel_class, &plain_class, &book_class};
    kumo_value l = kumo_val_list();
    for (size_t i = 0; i < 4; i++) {
        kumo_ref_init(&b[i].ref, cls[i]);
        b[i].refcount = 1;
        kumo_val_list_push(&l, kumo_val_obj(&b[i].ref));
        book_release(&b[i].ref);                        /* the list holds the last one */
    }
    char want[512];
    snprintf(want, sizeof(want), "[\"<Book dune>\", \"<Novel emma>\", \"<Plain>\", \"<Book %s>\"]",
             b[3].title);
    char small[8];
    cr_assert_eq(kumo_ref_repr(&b[0].ref, small, sizeof(small)), 11, "snprintf's length");
    cr_assert_str_eq(small, "<Book d");
    cr_assert_eq(kumo_ref_repr(&b[2].ref, small, sizeof(small)), 7);
    cr_assert_str_eq(small, "<Plain>");
    expect_dump(l, want);
    cr_assert_eq(kumo_ref_count(&book_class) + kumo_ref_count(&novel_class), 0);
}

/* Request and Response register their repr; their subclasses inherit it. */
Test(json, http_subclasses_use_their_root_repr)
{
    kumo_request *req = kumo_request_new("http://example.com/f", NULL, NULL);
    kumo__request_set_class(req, &KUMO_CLASS(FormRequest));
    kumo_headers *h = kumo__headers_new();
    kumo_headers_add(h, "Content-Type", "text/html");
    char *body = kumo_strdup("", KUMO_T_BYTES, KUMO_V_BODY);
    kumo_response *res = kumo__response_new(req, "http://example.com/r", 404, h, body, 0);
    cr_assert_eq(res->ref.cls, &KUMO_CLASS(HtmlResponse));
    kumo_value l = kumo_val_list();
    kumo_val_list_push(&l, kumo_val_obj(&req->ref));
    kumo_val_list_push(&l, kumo_val_obj(&res->ref));
    kumo_response_unref(res);
    kumo_request_unref(req);
    expect_dump(l, "[\"<GET http://example.com/f>\", \"<404 http://example.com/r>\"]");
}

Test(json, writer_respects_the_cap)
{
    kumo_buf b;
    kumo__buf_init(&b, 8, KUMO_T_STR, KUMO_V_NONE);
    cr_expect_eq(kumo__json_str(&b, "0123456789", 10), KUMO_ETOOBIG);
    kumo__buf_release(&b);
}

/* ---- parser ---- */

static kumo_value parse_ok(const char *text)
{
    kumo_value v;
    char err[128];
    int rc = kumo__json_parse(text, strlen(text), &v, err, sizeof(err));
    cr_assert_eq(rc, KUMO_OK, "parse('%s'): %s", text, err);
    return v;
}

/* Parse text, write it back compact, compare. */
static void roundtrip(const char *text, const char *want)
{
    kumo_value v = parse_ok(text);
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    cr_assert_eq(kumo__json_value_sep(&b, &v, ","), KUMO_OK);
    cr_expect_str_eq(kumo__buf_str(&b), want, "parse('%s')", text);
    kumo__buf_release(&b);
    kumo_val_clear(&v);
}

Test(json, parse_values)
{
    roundtrip("null", "null");
    roundtrip(" true ", "true");
    roundtrip("\t\r\nfalse\n", "false");
    roundtrip("0", "0");
    roundtrip("-0", "0");
    roundtrip("-12", "-12");
    roundtrip("9223372036854775807", "9223372036854775807");
    roundtrip("-9223372036854775808", "-9223372036854775808");
    roundtrip("9223372036854775808", "9.223372036854776e+18");
    roundtrip("12.34", "12.34");
    roundtrip("1E3", "1000.0");
    roundtrip("-1.5e-7", "-1.5e-07");
    roundtrip("1e400", "Infinity");
    roundtrip("NaN", "NaN");
    roundtrip("-Infinity", "-Infinity");
    roundtrip("[]", "[]");
    roundtrip("[ 1 , [2,[3]] ,\"x\" ]", "[1,[2,[3]],\"x\"]");
    roundtrip("{}", "[]");
    roundtrip("{\"Retry\": null, \"UserAgent\": 400}", "[[\"Retry\",null],[\"UserAgent\",400]]");
    roundtrip("{\"a\":1,\"a\":2}", "[[\"a\",1],[\"a\",2]]");
    roundtrip("{\"o\":{\"p\":[true]}}", "[[\"o\",[[\"p\",[true]]]]]");
}

Test(json, parse_strings)
{
    roundtrip("\"\"", "\"\"");
    roundtrip("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\\"\\\\/\\b\\f\\n\\r\\t\"");
    roundtrip("\"caf\\u00e9 \\u65E5 \\ud83d\\ude00\"",
              "\"caf\303\251 \346\227\245 \360\237\230\200\"");
    roundtrip("\"caf\303\251\"", "\"caf\303\251\"");
    /* lone surrogates become U+FFFD */
    roundtrip("\"\\ud83d x \\ude00 \\ud83d\"", "\"\357\277\275 x \357\277\275 \357\277\275\"");

    kumo_value v = parse_ok("\"a\\u0000b\"");
    cr_assert_eq(v.type, KUMO_VAL_STR);
    cr_assert_eq(v.u.str.len, 3);
    cr_assert_eq(memcmp(v.u.str.s, "a\0b", 4), 0);
    kumo_val_clear(&v);
}

Test(json, parse_types)
{
    kumo_value v = parse_ok("[1, 1.0, \"s\", null, true, {\"k\": \"v\"}]");
    cr_assert_eq(v.type, KUMO_VAL_LIST);
    cr_assert_eq(v.u.list->len, 6);
    kumo_value *x = v.u.list->v;
    cr_expect_eq(x[0].type, KUMO_VAL_INT);
    cr_expect_eq(x[1].type, KUMO_VAL_FLOAT);
    cr_expect_eq(x[2].type, KUMO_VAL_STR);
    cr_expect_eq(x[3].type, KUMO_VAL_NONE);
    cr_expect_eq(x[4].type, KUMO_VAL_BOOL);
    cr_assert_eq(x[5].type, KUMO_VAL_LIST);
    cr_assert_eq(x[5].u.list->len, 1);
    kumo_value *pair = &x[5].u.list->v[0];
    cr_assert_eq(pair->type, KUMO_VAL_LIST);
    cr_assert_eq(pair->u.list->len, 2);
    cr_expect_str_eq(pair->u.list->v[0].u.str.s, "k");
    cr_expect_str_eq(pair->u.list->v[1].u.str.s, "v");
    kumo_val_clear(&v);
}

Test(json, parse_errors_name_the_byte)
{
    static const struct {
        const char *text;
        int rc;
        const char *msg;
    } cases[] = {
        {"", KUMO_ESYNTAX, "unexpected end of input at byte 0"},
        {"   ", KUMO_ESYNTAX, "unexpected end of input at byte 3"},
        {"nul", KUMO_ESYNTAX, "unexpected 'n' at byte 0"},
        {"[1,]", KUMO_ESYNTAX, "unexpected ']' at byte 3"},
        {"[1 2]", KUMO_ESYNTAX, "unexpected '2' at byte 3"},
        {"[1", KUMO_ESYNTAX, "unexpected end of input at byte 2"},
        {"{\"a\" 1}", KUMO_ESYNTAX, "expected ':' at byte 5"},
        {"{\"a\":1,}", KUMO_ESYNTAX, "expected a key at byte 7"},
        {"{1:2}", KUMO_ESYNTAX, "expected a key at byte 1"},
        {"{'a':1}", KUMO_ESYNTAX, "expected a key at byte 1"},
        {"1 2", KUMO_ESYNTAX, "extra data at byte 2"},
        {"01", KUMO_ESYNTAX, "extra data at byte 1"},
        {"-", KUMO_ESYNTAX, "unexpected end of input at byte 1"},
        {"-x", KUMO_ESYNTAX, "unexpected 'x' at byte 1"},
        {"1.", KUMO_ESYNTAX, "unexpected end of input at byte 2"},
        {"1.e5", KUMO_ESYNTAX, "unexpected 'e' at byte 2"},
        {".5", KUMO_ESYNTAX, "unexpected '.' at byte 0"},
        {"1e+", KUMO_ESYNTAX, "unexpected end of input at byte 3"},
        {"+1", KUMO_ESYNTAX, "unexpected '+' at byte 0"},
        {"\"abc", KUMO_ESYNTAX, "unterminated string at byte 0"},
        {"[\"a\\\"]", KUMO_ESYNTAX, "unterminated string at byte 1"},
        {"\"a\\x\"", KUMO_ESYNTAX, "invalid escape in string at byte 2"},
        {"\"\\u12g4\"", KUMO_ESYNTAX, "invalid escape in string at byte 1"},
        {"\"\\u12\"", KUMO_ESYNTAX, "invalid escape in string at byte 1"},
        {"\"a\nb\"", KUMO_ESYNTAX, "control character in string at byte 2"},
        {"\"\377\"", KUMO_ESYNTAX, "invalid UTF-8 at byte 1"},
        {"\"\355\240\200\"", KUMO_ESYNTAX, "invalid UTF-8 at byte 1"},
        {"\001", KUMO_ESYNTAX, "unexpected byte 0x01 at byte 0"},
        {"Infinit", KUMO_ESYNTAX, "unexpected 'I' at byte 0"},
        {"truex", KUMO_ESYNTAX, "extra data at byte 4"},
    };
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        kumo_value v = kumo_val_int(7);
        char err[128];
        int rc = kumo__json_parse(cases[i].text, strlen(cases[i].text), &v, err, sizeof(err));
        cr_expect_eq(rc, cases[i].rc, "parse('%s') = %s", cases[i].text, kumo_errname(rc));
        cr_expect_str_eq(err, cases[i].msg, "parse('%s')", cases[i].text);
        cr_expect_eq(v.type, KUMO_VAL_NONE);
    }
    /* err may be NULL; len bounds the text even without a NUL */
    kumo_value v;
    cr_expect_eq(kumo__json_parse("[1]", 2, &v, NULL, 0), KUMO_ESYNTAX);
    cr_expect_eq(kumo__json_parse("123", 2, &v, NULL, 0), KUMO_OK);
    cr_expect_eq(v.u.i, 12);
}

Test(json, parse_depth_limit)
{
    char text[2 * (KUMO_JSON_MAX_DEPTH + 1) + 1];
    kumo_value v;
    char err[128];
    for (int depth = KUMO_JSON_MAX_DEPTH; depth <= KUMO_JSON_MAX_DEPTH + 1; depth++) {
        memset(text, '[', (size_t)depth);
        memset(text + depth, ']', (size_t)depth);
        int rc = kumo__json_parse(text, 2 * (size_t)depth, &v, err, sizeof(err));
        if (depth <= KUMO_JSON_MAX_DEPTH) {
            cr_expect_eq(rc, KUMO_OK, "depth %d: %s", depth, err);
            kumo_val_clear(&v);
        } else {
            cr_expect_eq(rc, KUMO_ETOOBIG, "depth %d", depth);
            cr_expect_str_eq(err, "nesting too deep at byte 64");
        }
    }
}

/* A hostile document: a million '[' or '{"a":' must fail fast without blowing the stack. */
Test(json, parse_hostile)
{
    size_t n = 1000000;
    char *text = kumo_alloc(n * 5, KUMO_T_STR, KUMO_V_NONE);
    kumo_value v;
    char err[128];
    memset(text, '[', n);
    cr_expect_eq(kumo__json_parse(text, n, &v, err, sizeof(err)), KUMO_ETOOBIG);
    for (size_t i = 0; i < n; i++)
        memcpy(text + 5 * i, "{\"a\":", 5);
    cr_expect_eq(kumo__json_parse(text, n * 5, &v, err, sizeof(err)), KUMO_ETOOBIG);
    /* a huge number literal */
    text[0] = '1';
    memset(text + 1, '0', n - 1);
    text[n / 2] = '.';
    cr_expect_eq(kumo__json_parse(text, n, &v, err, sizeof(err)), KUMO_OK);
    cr_expect_eq(v.type, KUMO_VAL_FLOAT);
    kumo_free(text);
}

/* What the writer emits, the parser reads back to the same value. */
Test(json, float_roundtrip)
{
    static const double xs[] = {12.34, 3.0, 1e16, 1e-5, 0.1 + 0.2, 5e-324, -1.7976931348623157e308,
                                2.2250738585072014e-308, 123456.789, 1.0 / 7};
    for (size_t i = 0; i < KUMO_ARRAY_LEN(xs); i++) {
        kumo_value f = kumo_val_float(xs[i]);
        char *s = dump(&f);
        kumo_value back;
        cr_assert_eq(kumo__json_parse(s, strlen(s), &back, NULL, 0), KUMO_OK, "%s", s);
        cr_expect_eq(back.type, KUMO_VAL_FLOAT, "%s", s);
        cr_expect_eq(back.u.f, xs[i], "%s", s);
        kumo_free(s);
    }
}

/* The digits of the shortest "%.*e" that reads back as x, tried length by length (the
 * definition of Python's repr), into out. */
static void shortest_digits(double x, char *out, size_t n)
{
    char tmp[40];
    for (int prec = 0; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec, x);
        if (strtod(tmp, NULL) == x)
            break;
    }
    size_t k = 0;
    for (const char *t = tmp; *t && *t != 'e' && k + 1 < n; t++)
        if (*t >= '0' && *t <= '9')
            out[k++] = *t;
    while (k > 1 && out[k - 1] == '0')
        k--;
    out[k] = '\0';
}

/* The one-try path for short reprs gives the digits of the length-by-length search, over
 * prices, round figures, random bit patterns and subnormals. */
Test(json, floats_are_the_shortest_repr)
{
    uint64_t seed = 12345;
    for (int i = 0; i < 20000; i++) {
        double x;
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        if (i % 4 == 0) {
            x = (double)(seed >> 40 & 0xfffff) / 100;            /* prices: 12.34 */
        } else if (i % 4 == 1) {
            x = (double)(seed >> 20) * 1e-9;
        } else {
            uint64_t bits = seed & ~(0x7ffull << 52 & (i % 4 == 3 ? ~0ull : 0));
            memcpy(&x, &bits, sizeof(x));                      /* subnormals on i % 4 == 3 */
            if (!isfinite(x) || x == 0)
                continue;
        }
        kumo_value f = kumo_val_float(x);
        char *s = dump(&f);
        char want[24], got[24];
        shortest_digits(x, want, sizeof(want));
        size_t k = 0;
        for (const char *t = s; *t && *t != 'e' && k + 1 < sizeof(got); t++)
            if (*t >= '0' && *t <= '9')
                got[k++] = *t;
        got[k] = '\0';
        /* "12.34" -> 1234, "100.0" -> 1000: compare without leading and trailing zeros */
        char *g = got, *w = want;
        while (*g == '0' && g[1])
            g++;
        while (k > 1 && got[k - 1] == '0')
            got[--k] = '\0';
        cr_assert_str_eq(g, w, "%.17g: %s", x, s);
        kumo_free(s);
    }
}
