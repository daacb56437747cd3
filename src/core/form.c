/* form.c - FormRequest, FormRequest.from_response and JsonRequest, built as Scrapy 2.8 does. */
#include "http/request.h"
#include "http/response.h"
#include "select/css.h"
#include "core/response_doc.h"
#include "util/buf.h"
#include "util/json.h"

#include <iconv.h>
#include <libxml/HTMLtree.h>
#include <libxml/xpathInternals.h>

#define LOGGER "kumo.form"
#define JSON_MAX_NEST 512       /* deeper data is refused (Python: RecursionError) */

/* ---------------------------------------------------------------- form fields */

/* The (name, value) pairs a form sends, in order.  groups counts Scrapy's formdata items: a
 * <select multiple> with nothing selected is one item with no pair (it still makes the form
 * data "non-empty": a POST gets its Content-Type, a GET loses its query). */
typedef struct fields {
    char **kv;                  /* kv[2*i] name, kv[2*i+1] value, owned */
    size_t len, cap;            /* pairs */
    size_t groups;
} fields;

static void fields_release(fields *f)
{
    for (size_t i = 0; i < 2 * f->len; i++)
        kumo_free(f->kv[i]);
    kumo_free(f->kv);
    memset(f, 0, sizeof(*f));
}

/* Append (name, value[0..n)); copies both. */
static void fields_addn(fields *f, const char *name, const char *value, size_t n)
{
    if (f->len == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 16;
        f->kv = kumo_realloc(f->kv, 2 * f->cap * sizeof(char *), KUMO_T_LIST, KUMO_V_DICT);
    }
    f->kv[2 * f->len] = kumo_strdup(name, KUMO_T_STR, KUMO_V_DICT);
    f->kv[2 * f->len + 1] = kumo_strndup(value, n, KUMO_T_STR, KUMO_V_DICT);
    f->len++;
}

static void fields_add(fields *f, const char *name, const char *value)
{
    fields_addn(f, name, value, strlen(value));
}

/* True when name is one of the formdata names (NULL-name-terminated pairs). */
static bool in_formdata(const char *const *formdata, const char *name)
{
    for (size_t i = 0; formdata && formdata[i]; i += 2)
        if (strcmp(formdata[i], name) == 0)
            return true;
    return false;
}

/* ---------------------------------------------------------------- urlencoding */

/* urllib's quote_plus() of s[0..n) (bytes), appended to b. */
static void quote_plus(kumo_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '_' || c == '.' || c == '-' || c == '~') {
            kumo__buf_addc(b, (char)c);
        } else if (c == ' ') {
            kumo__buf_addc(b, '+');
        } else {
            char t[3] = {'%', hex[c >> 4], hex[c & 15]};
            kumo__buf_add(b, t, 3);
        }
    }
}

/* An encoder from UTF-8 to the form's encoding, or none (UTF-8 itself). */
typedef struct encoder {
    iconv_t cd;
    const char *name;           /* Python's codec name, for messages */
} encoder;

static bool is_utf8_name(const char *enc)
{
    return !enc || strcasecmp(enc, "utf-8") == 0 || strcasecmp(enc, "utf8") == 0;
}

static void encoder_open(encoder *e, const char *enc)
{
    e->cd = (iconv_t)-1;
    e->name = enc ? enc : "utf-8";
    if (is_utf8_name(enc))
        return;
    e->cd = iconv_open(enc, "UTF-8");
    if (e->cd == (iconv_t)-1) {
        /* Python's "euc_jp", "shift_jis": glibc spells them with '-' or takes both */
        char alt[32];
        snprintf(alt, sizeof(alt), "%s", enc);
        for (char *p = alt; *p; p++)
            if (*p == '_')
                *p = '-';
        e->cd = iconv_open(alt, "UTF-8");
    }
    if (e->cd == (iconv_t)-1) {
        KUMO_DEBUG(LOGGER, "No encoder for '%s': form data sent as UTF-8", enc);
        e->name = "utf-8";
    }
}

static void encoder_close(encoder *e)
{
    if (e->cd != (iconv_t)-1)
        iconv_close(e->cd);
}

/* Append s, encoded, quoted.  Returns KUMO_OK or KUMO_EINVAL when s does not encode. */
static int add_encoded(kumo_buf *b, const encoder *e, const char *s)
{
    size_t n = strlen(s);
    if (e->cd == (iconv_t)-1) {
        quote_plus(b, s, n);
        return KUMO_OK;
    }
    iconv(e->cd, NULL, NULL, NULL, NULL);
    char *in = (char *)s, out[256];
    size_t left = n;
    while (left) {
        char *o = out;
        size_t room = sizeof(out);
        size_t rc = iconv(e->cd, &in, &left, &o, &room);
        quote_plus(b, out, (size_t)(o - out));
        if (rc == (size_t)-1 && errno != E2BIG)
            return KUMO_EINVAL;
    }
    char *o = out;
    size_t room = sizeof(out);
    iconv(e->cd, NULL, NULL, &o, &room);        /* a stateful encoding's closing shift */
    quote_plus(b, out, (size_t)(o - out));
    return KUMO_OK;
}

/* urlencode(pairs, doseq=True) into b.  On an unencodable pair, returns KUMO_EINVAL with
 * *bad its name. */
static int urlencode(kumo_buf *b, const fields *f, const char *enc, const char **bad)
{
    encoder e;
    encoder_open(&e, enc);
    int rc = KUMO_OK;
    for (size_t i = 0; i < f->len && rc == KUMO_OK; i++) {
        if (i)
            kumo__buf_addc(b, '&');
        rc = add_encoded(b, &e, f->kv[2 * i]);
        kumo__buf_addc(b, '=');
        if (rc == KUMO_OK)
            rc = add_encoded(b, &e, f->kv[2 * i + 1]);
        if (rc != KUMO_OK)
            *bad = f->kv[2 * i];
    }
    encoder_close(&e);
    return rc;
}

/* ---------------------------------------------------------------- building the request */

/* urlunsplit(urlsplit(url)._replace(query=q)) as a new string. */
static char *replace_query(const char *url, const char *q)
{
    size_t n = strlen(url);
    const char *hash = strchr(url, '#');
    size_t end = hash ? (size_t)(hash - url) : n;
    const char *qm = memchr(url, '?', end);
    size_t keep = qm ? (size_t)(qm - url) : end;
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_URL);
    kumo__buf_add(&b, url, keep);
    if (*q) {
        kumo__buf_addc(&b, '?');
        kumo__buf_adds(&b, q);
    }
    if (hash)
        kumo__buf_adds(&b, hash);
    return kumo__buf_detach(&b, NULL);
}

/*
 * FormRequest(url, method=method, formdata=f) with the form data encoded in enc.  Returns a
 * new reference or NULL with *err (and, for an unencodable field, *bad naming it).
 */
static kumo_request *form_request(const char *url, const char *method, const fields *f,
                                  const char *enc, kumo_callback_fn cb, int *err,
                                  const char **bad)
{
    bool data = f->groups > 0;
    if (!url) {
        *err = KUMO_EURL;
        return NULL;
    }
    if (!method)
        method = data ? "POST" : "GET";
    bool post = strcasecmp(method, "POST") == 0;
    kumo_buf qs;
    kumo__buf_init(&qs, 0, KUMO_T_BYTES, KUMO_V_BODY);
    char *target = NULL;
    if (data) {
        *err = urlencode(&qs, f, enc, bad);
        if (*err != KUMO_OK) {
            kumo__buf_release(&qs);
            return NULL;
        }
        if (!post)
            target = replace_query(url, kumo__buf_str(&qs));
    }
    kumo_request *req = kumo_request_new(target ? target : url, cb, err);
    kumo_free(target);
    if (req) {
        kumo_request_set_method(req, method);
        if (data && post) {
            kumo_request_set_header(req, "Content-Type", "application/x-www-form-urlencoded");
            kumo_request_set_body(req, qs.s, qs.len);
        }
        kumo__request_set_class(req, &KUMO_CLASS(FormRequest));
    }
    kumo__buf_release(&qs);
    return req;
}

kumo_request *kumo_form_request_new(const char *url, const char *method,
                                    const char *const *formdata, kumo_callback_fn cb, int *err)
{
    fields f = {0};
    for (size_t i = 0; formdata && formdata[i]; i += 2) {
        if (formdata[i + 1]) {
            fields_add(&f, formdata[i], formdata[i + 1]);
            f.groups++;
        }
    }
    int rc;
    const char *bad = NULL;
    kumo_request *req = form_request(url, method, &f, "utf-8", cb, &rc, &bad);
    fields_release(&f);
    if (err)
        *err = rc;
    return req;
}

/* ---------------------------------------------------------------- the document */

static bool is_tag(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && n->name &&
           strcasecmp((const char *)n->name, name) == 0;
}

/* The next node after n in document order, staying inside root (NULL at its end). */
static xmlNodePtr next_node(xmlNodePtr n, xmlNodePtr root)
{
    if (n->children && (n->type == XML_ELEMENT_NODE || n->type == XML_DOCUMENT_NODE ||
                        n->type == XML_HTML_DOCUMENT_NODE))
        return n->children;
    while (n && n != root) {
        if (n->next)
            return n->next;
        n = n->parent;
    }
    return NULL;
}

/* The next element inside root after n, in document order. */
static xmlNodePtr next_element(xmlNodePtr n, xmlNodePtr root)
{
    do
        n = next_node(n, root);
    while (n && n->type != XML_ELEMENT_NODE);
    return n;
}

/* An attribute's value (lxml's el.get(name)): a new string (xmlFree), or NULL when the
 * attribute is missing. */
static char *attr(xmlNodePtr n, const char *name)
{
    xmlAttrPtr a = xmlHasProp(n, BAD_CAST name);
    if (!a)
        return NULL;
    xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
    return v ? (char *)v : (char *)xmlStrdup(BAD_CAST "");
}

static bool has_attr(xmlNodePtr n, const char *name)
{
    return xmlHasProp(n, BAD_CAST name) != NULL;
}

/* EXSLT re:test(@attr, "^(?:word)$", "i") with Python's '$' (it also matches before one
 * final newline). */
static bool attr_is(xmlNodePtr n, const char *name, const char *word)
{
    char *v = attr(n, name);
    bool yes = false;
    if (v) {
        size_t len = strlen(v), w = strlen(word);
        yes = (len == w || (len == w + 1 && v[w] == '\n')) && strncasecmp(v, word, w) == 0;
    }
    xmlFree(v);
    return yes;
}

/* Python's str.isspace() for the code point at s (n bytes left): its length, or 0. */
static size_t space_at(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F))
        return 1;
    if (c == 0xC2 && n >= 2 && (s[1] == 0x85 || s[1] == 0xA0))
        return 2;
    if (n < 3)
        return 0;
    if ((c == 0xE1 && s[1] == 0x9A && s[2] == 0x80) ||
        (c == 0xE2 && s[1] == 0x80 &&
         (s[2] <= 0x8A || s[2] == 0xA8 || s[2] == 0xA9 || s[2] == 0xAF)) ||
        (c == 0xE2 && s[1] == 0x81 && s[2] == 0x9F) || (c == 0xE3 && s[1] == 0x80 && s[2] == 0x80))
        return 3;
    return 0;
}

/* Python's s.strip() on UTF-8 text: *p and *n narrowed. */
static void py_strip(const char **p, size_t *n)
{
    const unsigned char *s = (const unsigned char *)*p;
    size_t len = *n, k;
    while (len && (k = space_at(s, len)) != 0) {
        s += k;
        len -= k;
    }
    while (len) {
        size_t start = len - 1;
        while (start > 0 && len - start < 4 && (s[start] & 0xC0) == 0x80)
            start--;
        if (space_at(s + start, len - start) != len - start)
            break;
        len = start;
    }
    *p = (const char *)s;
    *n = len;
}

/* lxml's el.text: the text nodes before the first other child, appended to b. */
static void add_text(kumo_buf *b, xmlNodePtr n)
{
    for (xmlNodePtr c = n->children; c; c = c->next) {
        if (c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE)
            break;
        if (c->content)
            kumo__buf_adds(b, (const char *)c->content);
    }
}

/* Add an <option>'s value as a field: its value attribute, else its stripped text (lxml);
 * for a multiple select, Scrapy's (value or text or "").strip(). */
static void add_option(fields *f, const char *name, xmlNodePtr opt, bool multiple)
{
    char *v = attr(opt, "value");
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_DICT);
    if (v && (*v || !multiple))
        kumo__buf_adds(&b, v);
    else
        add_text(&b, opt);
    const char *s = kumo__buf_str(&b);
    size_t n = b.len;
    if (!v || multiple)
        py_strip(&s, &n);
    fields_addn(f, name, s, n);
    kumo__buf_release(&b);
    xmlFree(v);
}

/* Scrapy's _select_value() over lxml's SelectElement.value. */
static void select_value(fields *f, const char *name, xmlNodePtr sel)
{
    xmlNodePtr first = NULL, enabled = NULL, selected = NULL;
    bool multiple = has_attr(sel, "multiple");
    if (multiple)
        f->groups++;
    for (xmlNodePtr n = next_element(sel, sel); n; n = next_element(n, sel)) {
        if (!is_tag(n, "option"))
            continue;
        if (multiple) {
            if (has_attr(n, "selected"))
                add_option(f, name, n, true);
            continue;
        }
        if (!first)
            first = n;
        if (!enabled && !has_attr(n, "disabled"))
            enabled = n;
        if (has_attr(n, "selected"))
            selected = n;
    }
    if (multiple)
        return;
    /* the last selected option, else the first enabled one, else the first one at all */
    xmlNodePtr opt = selected ? selected : enabled ? enabled : first;
    if (opt) {
        add_option(f, name, opt, false);
        f->groups++;
    }
}

/* lxml's TextareaElement.value: its text, then each other child serialised as HTML. */
static void textarea_value(fields *f, const char *name, xmlNodePtr ta)
{
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_DICT);
    xmlNodePtr c = ta->children;
    add_text(&b, ta);
    while (c && (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE))
        c = c->next;
    if (c) {
        xmlOutputBufferPtr out = xmlAllocOutputBuffer(NULL);
        for (; out && c; c = c->next)
            htmlNodeDumpFormatOutput(out, ta->doc, c, "UTF-8", 0);
        if (out) {
            xmlOutputBufferFlush(out);
            kumo__buf_add(&b, xmlOutputBufferGetContent(out), xmlOutputBufferGetSize(out));
            xmlOutputBufferClose(out);
        }
    }
    fields_addn(f, name, kumo__buf_str(&b), b.len);
    f->groups++;
    kumo__buf_release(&b);
}

/* Scrapy's input query: input without type, or whose type is not submit/image/reset and
 * that is checked or not a checkbox/radio. */
static bool input_sent(xmlNodePtr n)
{
    if (!has_attr(n, "type"))
        return true;
    if (attr_is(n, "type", "submit") || attr_is(n, "type", "image") ||
        attr_is(n, "type", "reset"))
        return false;
    return has_attr(n, "checked") ||
           !(attr_is(n, "type", "checkbox") || attr_is(n, "type", "radio"));
}

/* Scrapy's _get_inputs() without the clicked element and formdata: every field of form
 * whose name is not in formdata. */
static void collect_inputs(fields *f, xmlNodePtr form, const char *const *formdata)
{
    for (xmlNodePtr n = next_element(form, form); n; n = next_element(n, form)) {
        bool ta = is_tag(n, "textarea"), sel = is_tag(n, "select");
        if (!ta && !sel && !(is_tag(n, "input") && input_sent(n)))
            continue;
        char *name = attr(n, "name");
        if (name && *name && !in_formdata(formdata, name)) {
            if (ta) {
                textarea_value(f, name, n);
            } else if (sel) {
                select_value(f, name, n);
            } else {
                char *v = attr(n, "value");
                bool checkable = attr_is(n, "type", "checkbox") || attr_is(n, "type", "radio");
                fields_add(f, name, checkable && (!v || !*v) ? "on" : v ? v : "");
                f->groups++;
                xmlFree(v);
            }
        }
        xmlFree(name);
    }
}

/* ---------------------------------------------------------------- errors */

typedef struct failure {
    int code;
    char msg[512];
} failure;

static int fail(failure *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(failure *e, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
    e->code = code;
    return code;
}

/* Python's repr() of a str, roughly: single quotes, \\ and \' escaped. */
static void py_repr_str(kumo_buf *b, const char *s)
{
    kumo__buf_addc(b, '\'');
    for (; *s; s++) {
        if (*s == '\\' || *s == '\'')
            kumo__buf_addc(b, '\\');
        kumo__buf_addc(b, *s);
    }
    kumo__buf_addc(b, '\'');
}

/* Parse s as a whole decimal integer (Python's int), into *out. */
static bool parse_int(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno)
        return false;
    *out = v;
    return true;
}

/* clickdata as Python prints the dict: {'name': 'go', 'nr': 1}. */
static void clickdata_repr(kumo_buf *b, const char *const *cd)
{
    long nr;
    kumo__buf_addc(b, '{');
    for (size_t i = 0; cd[i]; i += 2) {
        if (i)
            kumo__buf_adds(b, ", ");
        py_repr_str(b, cd[i]);
        kumo__buf_adds(b, ": ");
        if (!cd[i + 1])
            kumo__buf_adds(b, "None");
        else if (strcmp(cd[i], "nr") == 0 && parse_int(cd[i + 1], &nr))
            kumo__buf_printf(b, "%ld", nr);
        else
            py_repr_str(b, cd[i + 1]);
    }
    kumo__buf_addc(b, '}');
}

/* ---------------------------------------------------------------- finding the form */

/* The first form whose attribute name equals value, or NULL. */
static xmlNodePtr form_with(xmlNodePtr root, const char *name, const char *value)
{
    for (xmlNodePtr n = root; n; n = next_element(n, root)) {
        if (!is_tag(n, "form"))
            continue;
        char *v = attr(n, name);
        bool yes = v && strcmp(v, value) == 0;
        xmlFree(v);
        if (yes)
            return n;
    }
    return NULL;
}

/* The form holding (or being) the first node query selects: Scrapy's formxpath/formcss. */
static int form_by_query(kumo_doc *doc, const char *query, bool css, xmlNodePtr *form,
                         failure *e)
{
    const kumo_query *q = kumo__query_get(query, css);
    if (!q->comp)
        return fail(e, KUMO_ESYNTAX, "Invalid %s '%s': %s", css ? "formcss" : "formxpath",
                    query, q->error ? q->error : "invalid expression");
    char *shown = kumo_strdup(q->xpath ? q->xpath : query, KUMO_T_STR, KUMO_V_NONE);
    xmlXPathObjectPtr obj = kumo__doc_eval(doc, kumo__doc_root(doc), q->comp);
    int rc = KUMO_OK;
    xmlNodePtr n = NULL;
    if (!obj) {
        rc = fail(e, KUMO_ESYNTAX, "Invalid formxpath '%s'", shown);
    } else if (obj->type == XPATH_NODESET && obj->nodesetval && obj->nodesetval->nodeNr) {
        xmlXPathNodeSetSort(obj->nodesetval);
        n = obj->nodesetval->nodeTab[0];
        if (n->type == XML_NAMESPACE_DECL)
            n = NULL;
    }
    while (n && !is_tag(n, "form"))
        n = n->parent;
    if (obj && !n)
        rc = fail(e, KUMO_ENOENT, "No <form> element found with %s", shown);
    *form = n;
    xmlXPathFreeObject(obj);
    kumo_free(shown);
    return rc;
}

/* Scrapy's _get_form(). */
static int find_form(kumo_response *res, kumo_doc *doc, const kumo_form_opts *o,
                     xmlNodePtr *form, failure *e)
{
    xmlNodePtr root = kumo__doc_root(doc);
    size_t nforms = 0;
    for (xmlNodePtr n = root; n; n = next_element(n, root))
        nforms += is_tag(n, "form");
    if (!nforms)
        return fail(e, KUMO_ENOENT, "No <form> element found in <%d %s>", res->status,
                    res->url);
    *form = o->formname ? form_with(root, "name", o->formname) : NULL;
    if (!*form && o->formid)
        *form = form_with(root, "id", o->formid);
    if (*form)
        return KUMO_OK;
    if (o->formxpath || o->formcss)
        return form_by_query(doc, o->formxpath ? o->formxpath : o->formcss, !o->formxpath,
                             form, e);
    long want = o->formnumber < 0 ? (long)nforms + o->formnumber : o->formnumber;
    long i = 0;
    for (xmlNodePtr n = root; n && want >= 0; n = next_element(n, root)) {
        if (is_tag(n, "form") && i++ == want) {
            *form = n;
            return KUMO_OK;
        }
    }
    return fail(e, KUMO_ENOENT, "Form number %d not found in <%d %s>", o->formnumber,
                res->status, res->url);
}

/* ---------------------------------------------------------------- the clicked element */

static bool clickable(xmlNodePtr n)
{
    if (is_tag(n, "input"))
        return attr_is(n, "type", "submit") || attr_is(n, "type", "image");
    return is_tag(n, "button") && (!has_attr(n, "type") || attr_is(n, "type", "submit"));
}

/* True when every clickdata attribute of n has its value (Scrapy: every element [@k="v"]...). */
static bool matches(xmlNodePtr n, const char *const *cd)
{
    for (size_t i = 0; cd[i]; i += 2) {
        char *v = attr(n, cd[i]);
        bool yes = v && cd[i + 1] && strcmp(v, cd[i + 1]) == 0;
        xmlFree(v);
        if (!yes)
            return false;
    }
    return true;
}

/* Scrapy's _get_clickable(): the element to click into *el (NULL: none). */
static int find_clickable(xmlNodePtr form, const char *const *cd, xmlNodePtr *el, failure *e)
{
    *el = NULL;
    if (!cd) {
        for (xmlNodePtr n = next_element(form, form); n && !*el; n = next_element(n, form))
            if (clickable(n))
                *el = n;
        return KUMO_OK;
    }
    bool any = false;
    for (xmlNodePtr n = next_element(form, form); n && !any; n = next_element(n, form))
        any = clickable(n);
    if (!any)
        return KUMO_OK;
    for (size_t i = 0; cd[i]; i += 2) {
        long nr;
        if (strcmp(cd[i], "nr") || !cd[i + 1])
            continue;
        if (!parse_int(cd[i + 1], &nr))
            return fail(e, KUMO_EINVAL, "clickdata nr '%s' is not a number", cd[i + 1]);
        /* form.inputs: every select, input and textarea of the form */
        size_t count = 0;
        for (xmlNodePtr n = next_element(form, form); n; n = next_element(n, form))
            count += is_tag(n, "select") || is_tag(n, "input") || is_tag(n, "textarea");
        long want = nr < 0 ? (long)count + nr : nr, k = 0;
        for (xmlNodePtr n = next_element(form, form); n && want >= 0; n = next_element(n, form)) {
            if ((is_tag(n, "select") || is_tag(n, "input") || is_tag(n, "textarea")) &&
                k++ == want) {
                *el = n;
                return KUMO_OK;
            }
        }
        break;
    }
    size_t found = 0;
    for (xmlNodePtr n = next_element(form, form); n; n = next_element(n, form)) {
        if (matches(n, cd)) {
            if (!found)
                *el = n;
            found++;
        }
    }
    if (found == 1)
        return KUMO_OK;
    *el = NULL;
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    clickdata_repr(&b, cd);
    if (found)
        fail(e, KUMO_EINVAL, "Multiple elements found (%zu) matching the criteria in "
             "clickdata: %s", found, kumo__buf_str(&b));
    else
        fail(e, KUMO_ENOENT, "No clickable element matching clickdata: %s", kumo__buf_str(&b));
    kumo__buf_release(&b);
    return e->code;
}

/* ---------------------------------------------------------------- from_response */

/* w3lib's strip_html5_whitespace(). */
static char *strip_html5(const char *s)
{
    const char *ws = " \t\n\r\f";
    while (*s && strchr(ws, *s))
        s++;
    size_t n = strlen(s);
    while (n && strchr(ws, s[n - 1]))
        n--;
    return kumo_strndup(s, n, KUMO_T_STR, KUMO_V_URL);
}

/* Scrapy's _get_form_url(): a new string, or NULL. */
static char *form_url(kumo_response *res, xmlNodePtr form, const char *url)
{
    if (url)
        return kumo_response_urljoin(res, url);
    char *action = attr(form, "action");
    if (!action)
        return kumo_response_urljoin(res, "");
    char *stripped = strip_html5(action);
    xmlFree(action);
    char *joined = kumo_response_urljoin(res, stripped);
    kumo_free(stripped);
    return joined;
}

/* The form's method, or the override: upper case, GET unless it is GET or POST. */
static const char *form_method(xmlNodePtr form, const char *method)
{
    char *m = method ? NULL : attr(form, "method");
    const char *v = method ? method : m ? m : "GET";
    const char *r = strcasecmp(v, "POST") == 0 ? "POST" : "GET";
    xmlFree(m);
    return r;
}

static int from_response(kumo_response *res, const kumo_form_opts *o,
                         const char *const *formdata, kumo_callback_fn cb,
                         kumo_request **out, failure *e)
{
    static const kumo_form_opts none = {0};
    if (!o)
        o = &none;
    if (!res || !kumo__response_is_text(res))
        return fail(e, KUMO_EINVAL, "FormRequest.from_response needs a text response, "
                    "got <%d %s>", res ? res->status : 0, res ? res->url : "NULL");
    int rc = KUMO_OK;
    kumo_doc *doc = kumo__doc_for(res, &rc);
    if (!doc)
        return fail(e, rc ? rc : KUMO_EINVAL, "cannot parse <%d %s>", res->status, res->url);
    xmlNodePtr form = NULL, click = NULL;
    rc = find_form(res, doc, o, &form, e);
    if (rc == KUMO_OK && !o->dont_click)
        rc = find_clickable(form, o->clickdata, &click, e);
    if (rc != KUMO_OK)
        return rc;

    fields f = {0};
    collect_inputs(&f, form, formdata);
    char *cname = click ? attr(click, "name") : NULL;
    if (cname && !in_formdata(formdata, cname)) {
        char *cvalue = attr(click, "value");
        fields_add(&f, cname, cvalue ? cvalue : "");
        f.groups++;
        xmlFree(cvalue);
    }
    xmlFree(cname);
    for (size_t i = 0; formdata && formdata[i]; i += 2) {
        if (formdata[i + 1]) {
            fields_add(&f, formdata[i], formdata[i + 1]);
            f.groups++;
        }
    }
    char *url = form_url(res, form, o->url);
    const char *bad = NULL;
    *out = form_request(url, form_method(form, o->method), &f, kumo_response_encoding(res), cb,
                        &rc, &bad);
    if (!*out && bad)
        fail(e, rc, "'%s' codec can't encode the value of form field '%s'",
             kumo_response_encoding(res), bad);
    else if (!*out)
        fail(e, rc, "cannot make a request for form url '%s': %s", url ? url : "",
             kumo_strerror(rc));
    kumo_free(url);
    fields_release(&f);
    return rc;
}

kumo_request *kumo_form_request_from_response(kumo_response *res, const kumo_form_opts *opts,
                                              const char *const *formdata,
                                              kumo_callback_fn cb, int *err)
{
    failure e = {KUMO_OK, ""};
    kumo_request *req = NULL;
    int rc = from_response(res, opts, formdata, cb, &req, &e);
    if (err)
        *err = rc;
    if (rc != KUMO_OK) {
        if (opts && opts->errbuf && opts->errlen)
            snprintf(opts->errbuf, opts->errlen, "%s", e.msg);
        else
            KUMO_ERROR(LOGGER, "%s", e.msg);
    }
    return req;
}

/* ---------------------------------------------------------------- JSON */

/* The code point at s[0..n) and its length; invalid bytes read as U+FFFD, one at a time. */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t need = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3
                             : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    *cp = 0xFFFD;
    if (need == 1)
        *cp = c;
    if (need <= 1 || n < need)
        return 1;
    uint32_t v = c & (0x7F >> need);
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 1;
        v = (v << 6) | (s[i] & 0x3F);
    }
    static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < min[need] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 1;
    *cp = v;
    return need;
}

/* json.dumps(s) with ensure_ascii=True. */
static void json_ascii_str(kumo_buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    kumo__buf_addc(b, '"');
    while (n) {
        uint32_t cp;
        size_t k = utf8_next(p, n, &cp);
        p += k;
        n -= k;
        if (cp == '"' || cp == '\\') {
            kumo__buf_addc(b, '\\');
            kumo__buf_addc(b, (char)cp);
        } else if (cp >= 0x20 && cp < 0x7F) {
            kumo__buf_addc(b, (char)cp);
        } else if (cp == '\n' || cp == '\r' || cp == '\t' || cp == '\b' || cp == '\f') {
            kumo__buf_addc(b, '\\');
            kumo__buf_addc(b, cp == '\n' ? 'n' : cp == '\r' ? 'r' : cp == '\t' ? 't'
                                               : cp == '\b' ? 'b' : 'f');
        } else if (cp < 0x10000) {
            kumo__buf_printf(b, "\\u%04x", (unsigned)cp);
        } else {
            cp -= 0x10000;
            kumo__buf_printf(b, "\\u%04x\\u%04x", (unsigned)(0xD800 + (cp >> 10)),
                            (unsigned)(0xDC00 + (cp & 0x3FF)));
        }
    }
    kumo__buf_addc(b, '"');
}

/* json.dumps(v, sort_keys=True): Python's default separators, ASCII output. */
static int json_value(kumo_buf *b, const kumo_value *v, int nest)
{
    if (nest > JSON_MAX_NEST)
        return KUMO_ETOOBIG;
    switch (v->type) {
    case KUMO_VAL_STR:
        json_ascii_str(b, v->u.str.s, v->u.str.len);
        return KUMO_OK;
    case KUMO_VAL_OBJ:
        return KUMO_EINVAL;     /* Python: "Object of type X is not JSON serializable" */
    case KUMO_VAL_LIST:
        kumo__buf_addc(b, '[');
        for (size_t i = 0; i < v->u.list->len; i++) {
            if (i)
                kumo__buf_adds(b, ", ");
            int rc = json_value(b, &v->u.list->v[i], nest + 1);
            if (rc != KUMO_OK)
                return rc;
        }
        kumo__buf_addc(b, ']');
        return KUMO_OK;
    default:
        return kumo__json_value(b, v);
    }
}

static int cmp_entry(const void *a, const void *b)
{
    const kumo_map_entry *x = *(const kumo_map_entry *const *)a;
    const kumo_map_entry *y = *(const kumo_map_entry *const *)b;
    return strcmp(x->key, y->key);      /* bytes: code point order for UTF-8 */
}

static int json_map(kumo_buf *b, const kumo_map *m)
{
    const kumo_map_entry **e = NULL;
    if (m->len) {
        e = kumo_alloc(m->len * sizeof(*e), KUMO_T_LIST, KUMO_V_NONE);
        for (size_t i = 0; i < m->len; i++)
            e[i] = &m->e[i];
        qsort(e, m->len, sizeof(*e), cmp_entry);
    }
    int rc = KUMO_OK;
    kumo__buf_addc(b, '{');
    for (size_t i = 0; i < m->len && rc == KUMO_OK; i++) {
        if (i)
            kumo__buf_adds(b, ", ");
        json_ascii_str(b, e[i]->key, strlen(e[i]->key));
        kumo__buf_adds(b, ": ");
        rc = json_value(b, &e[i]->val, 1);
    }
    kumo__buf_addc(b, '}');
    kumo_free(e);
    return rc;
}

/*
 * JsonRequest(url, data=...) once the body is known (NULL: no data): rc is what encoding it
 * returned, and anything but KUMO_OK gives NULL with *err = rc.  Releases body.
 */
static kumo_request *json_request(const char *url, kumo_buf *body, int rc, kumo_callback_fn cb,
                                  int *err)
{
    kumo_request *req = rc == KUMO_OK ? kumo_request_new(url, cb, &rc) : NULL;
    if (req) {
        if (body) {
            kumo_request_set_method(req, "POST");
            kumo_request_set_body(req, body->s, body->len);
        }
        kumo_request_set_header(req, "Content-Type", "application/json");
        kumo_request_set_header(req, "Accept", "application/json, text/javascript, */*; q=0.01");
        kumo__request_set_class(req, &KUMO_CLASS(JsonRequest));
    }
    if (body)
        kumo__buf_release(body);
    if (err)
        *err = rc;
    return req;
}

kumo_request *kumo_json_request_new(const char *url, const kumo_value *data,
                                    kumo_callback_fn cb, int *err)
{
    if (!data || data->type == KUMO_VAL_NONE)
        return json_request(url, NULL, KUMO_OK, cb, err);
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_BYTES, KUMO_V_BODY);
    int rc = json_value(&b, data, 0);
    return json_request(url, &b, rc, cb, err);
}

kumo_request *kumo_json_request_new_map(const char *url, const kumo_map *data,
                                        kumo_callback_fn cb, int *err)
{
    if (!data)
        return json_request(url, NULL, KUMO_OK, cb, err);
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_BYTES, KUMO_V_BODY);
    int rc = json_map(&b, data);
    return json_request(url, &b, rc, cb, err);
}
