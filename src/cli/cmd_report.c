/* cmd_report.c - `kumo report FILE.jsonl`: the web service's charts, drawn after the crawl
 * from LeakWatch's samples (LEAKWATCH_FILE), as one HTML page or one SVG image. */
#include "cli/cli.h"
#include "ext/webpage.h"
#include "util/buf.h"
#include "util/json.h"

const char kumo_report_usage[] =
    "usage: kumo report FILE.jsonl [--stats FILE] [-o OUT.html|OUT.svg]\n"
    "\n"
    "Draw the charts of the web service's page from the samples LeakWatch wrote to\n"
    "LEAKWATCH_FILE (one JSON line each): pages/min and items/min, RSS against kumo's heap\n"
    "and malloc's free bytes, live objects per class.  A crawl that ended, or was killed by\n"
    "MEMUSAGE_LIMIT_MB, can still be looked at.\n"
    "\n"
    "options:\n"
    "  -o, --output OUT      write OUT: .html (the page with its data inside, nothing fetched)\n"
    "                        or .svg (the three charts); default FILE with .html\n"
    "  --stats FILE          add the crawl's stats: a JSON object (what /api/stats answers)\n"
    "                        or a log holding kumo's stats dump\n"
    "  -h, --help            this text\n"
    "\n"
    "Exit codes: 0 written, 1 a file cannot be read or written or a line is not a sample,\n"
    "2 bad command line.\n";

#define MAX_POINTS 2000             /* more samples: every other one is dropped, and so on */
#define MAX_CLASSES 64
#define MAX_LINE (1u << 20)

enum { S_T, S_PAGES, S_ITEMS, S_RSS, S_HEAP, S_FREE, S_KEYS };
static const char *const keys[S_KEYS] = {"t", "pages", "items", "rss", "heap", "free"};

typedef struct report {
    double *v[S_KEYS];              /* MAX_POINTS each */
    char *cls[MAX_CLASSES];         /* owned names */
    double *live[MAX_CLASSES];      /* MAX_POINTS each */
    double oldest[MAX_CLASSES];     /* in the last sample kept */
    size_t ncls, n;
    size_t stride, seen;            /* keep one sample in stride */
    kumo_map stats;
} report;

static double num(const kumo_value *v)
{
    if (!v)
        return 0;
    return v->type == KUMO_VAL_INT ? (double)v->u.i : v->type == KUMO_VAL_FLOAT ? v->u.f : 0;
}

static int class_index(report *r, const char *name)
{
    for (size_t i = 0; i < r->ncls; i++)
        if (!strcmp(r->cls[i], name))
            return (int)i;
    if (r->ncls == MAX_CLASSES)
        return -1;
    r->cls[r->ncls] = kumo_strdup(name, KUMO_T_STR, KUMO_V_NONE);
    r->live[r->ncls] = kumo_calloc(MAX_POINTS, sizeof(double), KUMO_T_LIST, KUMO_V_NONE);
    return (int)r->ncls++;
}

static void add_sample(report *r, const kumo_value *obj)
{
    if (r->seen++ % r->stride)
        return;
    if (r->n == MAX_POINTS) {
        for (size_t k = 0; k < S_KEYS; k++)
            for (size_t i = 0; i < MAX_POINTS / 2; i++)
                r->v[k][i] = r->v[k][2 * i];
        for (size_t c = 0; c < r->ncls; c++)
            for (size_t i = 0; i < MAX_POINTS / 2; i++)
                r->live[c][i] = r->live[c][2 * i];
        r->n = MAX_POINTS / 2;
        r->stride *= 2;
    }
    for (size_t k = 0; k < S_KEYS; k++)
        r->v[k][r->n] = num(kumo__json_get(obj, keys[k]));
    for (size_t c = 0; c < r->ncls; c++) {
        r->live[c][r->n] = 0;
        r->oldest[c] = 0;
    }
    const kumo_value *live = kumo__json_get(obj, "live");
    const kumo_value *oldest = kumo__json_get(obj, "oldest");
    for (size_t i = 0; live && live->type == KUMO_VAL_LIST && i < live->u.list->len; i++) {
        const kumo_value *pair = &live->u.list->v[i];
        if (pair->type != KUMO_VAL_LIST || pair->u.list->len != 2 ||
            pair->u.list->v[0].type != KUMO_VAL_STR)
            continue;
        const char *name = pair->u.list->v[0].u.str.s;
        int c = class_index(r, name);
        if (c < 0)
            continue;
        r->live[c][r->n] = num(&pair->u.list->v[1]);
        r->oldest[c] = oldest ? num(kumo__json_get(oldest, name)) : 0;
    }
    r->n++;
}

/* Read the samples; one line naming the file and line when one is not a sample. */
static int read_samples(report *r, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        kumo_cli_error("cannot open '%s': %s", path, strerror(errno));
        return KUMO_EXIT_FAIL;
    }
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t len;
    int rc = KUMO_EXIT_OK;
    while (rc == KUMO_EXIT_OK && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (len == 0 || (len == 1 && line[0] == '\n'))
            continue;
        kumo_value v;
        char err[128] = "";
        if ((size_t)len > MAX_LINE)
            snprintf(err, sizeof(err), "line longer than %u bytes", MAX_LINE);
        else if (kumo__json_parse(line, (size_t)len, &v, err, sizeof(err)) == KUMO_OK) {
            const kumo_value *t = kumo__json_get(&v, "t");
            if (t && (t->type == KUMO_VAL_INT || t->type == KUMO_VAL_FLOAT) &&
                kumo__json_get(&v, "live"))
                add_sample(r, &v);
            else
                snprintf(err, sizeof(err), "a JSON line without \"t\" and \"live\"");
            kumo_val_clear(&v);
        }
        if (err[0]) {
            kumo_cli_error("%s:%zu: not a LeakWatch sample: %s", path, lineno, err);
            rc = KUMO_EXIT_FAIL;
        }
    }
    free(line);
    fclose(f);
    if (rc == KUMO_EXIT_OK && !r->n) {
        kumo_cli_error("'%s' holds no sample (LEAKWATCH_FILE writes one every "
                       "LEAKWATCH_INTERVAL_SECONDS)", path);
        rc = KUMO_EXIT_FAIL;
    }
    return rc;
}

/* ---- the stats: a JSON object, or the "Dumping kumo stats:" block of a log ---- */

static bool stats_line(report *r, const char *l)
{
    while (*l == ' ' || *l == '{')
        l++;
    if (*l != '\'')
        return false;
    const char *k = ++l, *e = strchr(l, '\'');
    if (!e || e[1] != ':' || e[2] != ' ')
        return false;
    char key[256];
    snprintf(key, sizeof(key), "%.*s", (int)(e - k), k);
    const char *v = e + 3;
    size_t vl = strcspn(v, "\n");
    while (vl && (v[vl - 1] == ',' || v[vl - 1] == '}'))
        vl--;
    if (*v == '\'') {
        kumo_map_set(&r->stats, key, kumo_val_strn(v + 1, vl >= 2 ? vl - 2 : 0));
        return true;
    }
    char *end;
    char num_s[64];
    snprintf(num_s, sizeof(num_s), "%.*s", (int)KUMO_MIN(vl, 63), v);
    long long i = strtoll(num_s, &end, 10);
    if (!*end) {
        kumo_map_set(&r->stats, key, kumo_val_int(i));
        return true;
    }
    double d = strtod(num_s, &end);
    if (!*end && end != num_s)
        kumo_map_set(&r->stats, key, kumo_val_float(d));
    return true;
}

static int read_stats(report *r, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        kumo_cli_error("cannot open '%s': %s", path, strerror(errno));
        return KUMO_EXIT_FAIL;
    }
    kumo_buf b;
    kumo__buf_init(&b, 64u << 20, KUMO_T_STR, KUMO_V_NONE);
    char chunk[65536];
    size_t n;
    int rc = KUMO_OK;
    while (rc == KUMO_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        rc = kumo__buf_add(&b, chunk, n);
    fclose(f);
    const char *text = kumo__buf_str(&b);
    kumo_value v;
    char err[128];
    if (rc == KUMO_OK && text[0] == '{' &&
        kumo__json_parse(text, b.len, &v, err, sizeof(err)) == KUMO_OK) {
        for (size_t i = 0; v.type == KUMO_VAL_LIST && i < v.u.list->len; i++) {
            const kumo_value *p = &v.u.list->v[i];
            if (p->type == KUMO_VAL_LIST && p->u.list->len == 2 &&
                p->u.list->v[0].type == KUMO_VAL_STR)
                kumo_map_set(&r->stats, p->u.list->v[0].u.str.s,
                             kumo_val_copy(&p->u.list->v[1]));
        }
        kumo_val_clear(&v);
    } else if (rc == KUMO_OK) {
        const char *dump = NULL;
        for (const char *p = text; (p = strstr(p, "Dumping kumo stats:\n")); p++)
            dump = p;                       /* the last run's */
        if (dump) {
            const char *l = strchr(dump, '\n') + 1;
            while (*l && stats_line(r, l)) {
                const char *nl = strchr(l, '\n');
                if (!nl)
                    break;
                l = nl + 1;
            }
        }
    }
    kumo__buf_release(&b);
    if (rc != KUMO_OK || !r->stats.len) {
        kumo_cli_error("'%s' holds no stats: expected a JSON object (/api/stats) or a log "
                       "with kumo's stats dump", path);
        return KUMO_EXIT_FAIL;
    }
    return KUMO_EXIT_OK;
}

/* ---- HTML: the web service's page with the data inside ---- */

/* Whether class c had a live object in some sample kept (the others are not drawn). */
static bool class_used(const report *r, size_t c)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->live[c][i] > 0)
            return true;
    return false;
}

static void rates(const report *r, size_t k, double *out)
{
    for (size_t i = 0; i < r->n; i++) {
        double dt = i ? r->v[S_T][i] - r->v[S_T][i - 1] : 0;
        out[i] = i && dt > 0 ? (r->v[k][i] - r->v[k][i - 1]) * 60 / dt : 0;
    }
}

static void json_array(kumo_buf *b, const double *v, size_t n)
{
    kumo__buf_addc(b, '[');
    for (size_t i = 0; i < n; i++)
        kumo__buf_printf(b, "%s%.17g", i ? "," : "", v[i]);
    kumo__buf_addc(b, ']');
}

static const char *stat_str(const report *r, const char *key)
{
    const kumo_value *v = kumo_map_get(&r->stats, key);
    return v && v->type == KUMO_VAL_STR ? v->u.str.s : NULL;
}

static void report_json(const report *r, const char *name, kumo_buf *b)
{
    kumo__buf_adds(b, "{\"spider\": ");
    kumo__json_str(b, name, strlen(name));
    const char *reason = stat_str(r, "finish_reason");
    const char *sus = stat_str(r, "leakwatch/suspects");
    kumo__buf_adds(b, ", \"paused\": false, \"reason\": ");
    if (reason)
        kumo__json_str(b, reason, strlen(reason));
    else
        kumo__buf_adds(b, "\"(no stats)\"");
    kumo__buf_adds(b, ", \"suspects\": ");
    kumo__json_str(b, sus ? sus : "", sus ? strlen(sus) : 0);
    kumo__buf_adds(b, ", \"series\": {");
    for (size_t k = 0; k < S_KEYS; k++) {
        kumo__buf_printf(b, "%s\"%s\": ", k ? ", " : "", keys[k]);
        json_array(b, r->v[k], r->n);
    }
    kumo__buf_adds(b, "}, \"live\": {");
    for (size_t c = 0, k = 0; c < r->ncls; c++) {
        if (!class_used(r, c))
            continue;
        kumo__buf_adds(b, k++ ? ", " : "");
        kumo__json_str(b, r->cls[c], strlen(r->cls[c]));
        kumo__buf_adds(b, ": ");
        json_array(b, r->live[c], r->n);
    }
    kumo__buf_adds(b, "}, \"warnings\": [], \"prefs\": {\"classes\": [");
    bool first = true;
    for (size_t c = 0; c < r->ncls; c++) {
        if (!r->live[c][r->n - 1])
            continue;
        kumo__buf_adds(b, first ? "{\"name\": " : ", {\"name\": ");
        kumo__json_str(b, r->cls[c], strlen(r->cls[c]));
        kumo__buf_printf(b, ", \"live\": %.0f, \"oldest\": %.1f}", r->live[c][r->n - 1],
                         r->oldest[c]);
        first = false;
    }
    kumo__buf_adds(b, "]}, \"stats\": ");
    if (r->stats.len)
        kumo__json_map(b, &r->stats, ", ", ": ");
    else
        kumo__buf_adds(b, "null");
    kumo__buf_adds(b, "}");
}

static void write_html(const report *r, const char *name, kumo_buf *out)
{
    size_t len;
    const char *page = kumo__webpage(&len);
    const char *mark = strstr(page, KUMO_WEBPAGE_DATA_MARK);
    kumo_buf data;
    kumo__buf_init(&data, 0, KUMO_T_STR, KUMO_V_NONE);
    report_json(r, name, &data);
    kumo__buf_add(out, page, (size_t)(mark - page));
    kumo__buf_adds(out, "<script>window.KUMO_REPORT = ");
    for (size_t i = 0; i < data.len; i++) {     /* "</script>" in a name must not end it */
        if (data.s[i] == '<')
            kumo__buf_adds(out, "\\u003c");
        else
            kumo__buf_addc(out, data.s[i]);
    }
    kumo__buf_adds(out, ";</script>\n");
    kumo__buf_add(out, mark, len - (size_t)(mark - page));
    kumo__buf_release(&data);
}

/* ---- SVG: the three charts ---- */

static const char *const colors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                     "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

static void xml_text(kumo_buf *b, const char *s)
{
    for (; *s; s++)
        if (*s == '<')
            kumo__buf_adds(b, "&lt;");
        else if (*s == '>')
            kumo__buf_adds(b, "&gt;");
        else if (*s == '&')
            kumo__buf_adds(b, "&amp;");
        else if (*s == '"')
            kumo__buf_adds(b, "&quot;");
        else if ((unsigned char)*s >= 0x20)
            kumo__buf_addc(b, *s);
}

static void human(double v, bool bytes, char *buf, size_t cap)
{
    static const char *const bu[] = {"B", "KiB", "MiB", "GiB", "TiB"}, *const nu[] = {
        "", "k", "M", "G", "T"};
    double base = bytes ? 1024 : 1000;
    size_t i = 0;
    while (v >= base && i < 4) {
        v /= base;
        i++;
    }
    if (i)
        snprintf(buf, cap, "%.1f%s%s", v, bytes ? " " : "", bytes ? bu[i] : nu[i]);
    else
        snprintf(buf, cap, "%.0f%s%s", v, bytes ? " " : "", bytes ? bu[0] : "");
}

typedef struct line {
    const char *name;
    const double *v;
} line;

static void svg_chart(kumo_buf *b, double y0, const char *title, const report *r,
                      const line *lines, size_t nlines, bool bytes)
{
    const double W = 800, H = 200, L = 60, R = 10, T = 30, B = 40;
    double ymax = 0, xmin = r->v[S_T][0], xmax = r->v[S_T][r->n - 1];
    for (size_t l = 0; l < nlines; l++)
        for (size_t i = 0; i < r->n; i++)
            ymax = KUMO_MAX(ymax, lines[l].v[i]);
    if (ymax <= 0)
        ymax = 1;
    if (xmax <= xmin)
        xmax = xmin + 1;
    kumo__buf_printf(b, "<g transform=\"translate(0,%.0f)\">\n<text x=\"%.0f\" y=\"18\" "
                     "class=\"title\">", y0, L);
    xml_text(b, title);
    kumo__buf_adds(b, "</text>\n");
    char lab[32];
    for (int g = 0; g <= 4; g++) {
        double y = T + (H - T - B) * g / 4;
        human(ymax * (4 - g) / 4, bytes, lab, sizeof(lab));
        kumo__buf_printf(b, "<line class=\"grid\" x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" "
                         "y2=\"%.1f\"/><text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%s"
                         "</text>\n", L, W - R, y, y, L - 4, y + 3, lab);
    }
    kumo__buf_printf(b, "<text x=\"%.0f\" y=\"%.0f\">%.0f s</text><text x=\"%.0f\" y=\"%.0f\" "
                     "text-anchor=\"end\">%.0f s</text>\n", L, H - B + 14, xmin, W - R,
                     H - B + 14, xmax);
    double lx = L;
    for (size_t l = 0; l < nlines; l++) {
        const char *color = colors[l % KUMO_ARRAY_LEN(colors)];
        kumo__buf_printf(b, "<polyline stroke=\"%s\" data-name=\"", color);
        xml_text(b, lines[l].name);
        kumo__buf_printf(b, "\" data-points=\"%zu\" points=\"", r->n);
        for (size_t i = 0; i < r->n; i++)
            kumo__buf_printf(b, "%s%.1f,%.1f", i ? " " : "",
                             L + (W - L - R) * (r->v[S_T][i] - xmin) / (xmax - xmin),
                             H - B - (H - T - B) * lines[l].v[i] / ymax);
        human(lines[l].v[r->n - 1], bytes, lab, sizeof(lab));
        kumo__buf_printf(b, "\"/>\n<rect x=\"%.0f\" y=\"%.0f\" width=\"10\" height=\"10\" "
                         "fill=\"%s\"/><text x=\"%.0f\" y=\"%.0f\">", lx, H - B + 22, color,
                         lx + 14, H - B + 31);
        xml_text(b, lines[l].name);
        kumo__buf_printf(b, " %s</text>\n", lab);
        lx += 24 + 7 * (double)(strlen(lines[l].name) + strlen(lab));
    }
    kumo__buf_adds(b, "</g>\n");
}

static void write_svg(const report *r, const char *name, kumo_buf *b)
{
    double *pr = kumo_calloc(r->n, sizeof(double), KUMO_T_LIST, KUMO_V_NONE);
    double *ir = kumo_calloc(r->n, sizeof(double), KUMO_T_LIST, KUMO_V_NONE);
    rates(r, S_PAGES, pr);
    rates(r, S_ITEMS, ir);
    kumo__buf_adds(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"800\" height=\"660\" "
                   "viewBox=\"0 0 800 660\" font-family=\"sans-serif\" font-size=\"11\">\n"
                   "<style>.grid{stroke:#e5e5e5}polyline{fill:none;stroke-width:1.5}"
                   ".title{font-size:14px;font-weight:bold}</style>\n"
                   "<rect width=\"800\" height=\"660\" fill=\"#fff\"/>\n<title>kumo report: ");
    xml_text(b, name);
    kumo__buf_adds(b, "</title>\n");
    const line rate[] = {{"pages/min", pr}, {"items/min", ir}};
    svg_chart(b, 0, "pages/min and items/min", r, rate, 2, false);
    const line mem[] = {{"RSS", r->v[S_RSS]}, {"kumo heap", r->v[S_HEAP]},
                        {"malloc free", r->v[S_FREE]}};
    svg_chart(b, 220, "memory: RSS, kumo heap, malloc free bytes", r, mem, 3, true);
    line live[10];
    size_t nlive = 0;
    bool used[MAX_CLASSES];
    for (size_t c = 0; c < r->ncls; c++)
        used[c] = !class_used(r, c);
    while (nlive < 10) {                /* the classes with the most live objects at the end */
        int best = -1;
        for (size_t c = 0; c < r->ncls; c++)
            if (!used[c] && (best < 0 || r->live[c][r->n - 1] > r->live[best][r->n - 1]))
                best = (int)c;
        if (best < 0)
            break;
        used[best] = true;
        live[nlive++] = (line){r->cls[best], r->live[best]};
    }
    svg_chart(b, 440, "live objects per class (a leak is a line that keeps rising)", r, live,
              nlive, false);
    kumo__buf_adds(b, "</svg>\n");
    kumo_free(pr);
    kumo_free(ir);
}

/* ---- the command ---- */

enum { OPT_OUT, OPT_STATS };

typedef struct opts {
    const char *out, *stats;
} opts;

static int on_opt(void *ctx, int id, const char *value)
{
    opts *o = ctx;
    if (id == OPT_OUT)
        o->out = value;
    else
        o->stats = value;
    return KUMO_EXIT_OK;
}

static void report_free(report *r)
{
    for (size_t k = 0; k < S_KEYS; k++)
        kumo_free(r->v[k]);
    for (size_t c = 0; c < r->ncls; c++) {
        kumo_free(r->cls[c]);
        kumo_free(r->live[c]);
    }
    kumo_map_release(&r->stats);
}

static bool ends_with(const char *s, const char *end)
{
    size_t n = strlen(s), m = strlen(end);
    return n >= m && !strcasecmp(s + n - m, end);
}

int kumo_cmd_report(int argc, char **argv)
{
    static const kumo_cli_opt own[] = {
        {"-o", "--output", true, OPT_OUT}, {"--stats", NULL, true, OPT_STATS}, {NULL}};
    opts o = {NULL, NULL};
    kumo_cli_parser p = {.cmd = "report", .opts = own, .on_opt = on_opt, .ctx = &o,
                         .max_pos = 1, .too_many = "report takes one samples file",
                         .missing = "report needs a samples file (LEAKWATCH_FILE; "
                                    "see 'kumo report -h')"};
    int rc = kumo_cli_parse(&p, argc, argv);
    if (rc != KUMO_EXIT_OK)
        return rc;
    const char *in = p.pos[0];
    char outbuf[4096];
    if (!o.out) {
        size_t n = strlen(in);
        if (ends_with(in, ".jsonl"))
            n -= 6;
        snprintf(outbuf, sizeof(outbuf), "%.*s.html", (int)KUMO_MIN(n, 4000), in);
        o.out = outbuf;
    }
    bool svg = ends_with(o.out, ".svg");
    if (!svg && !ends_with(o.out, ".html") && !ends_with(o.out, ".htm")) {
        kumo_cli_error("report writes .html or .svg, not '%s'", o.out);
        return KUMO_EXIT_USAGE;
    }
    report r;
    memset(&r, 0, sizeof(r));
    r.stride = 1;
    kumo_map_init(&r.stats, KUMO_T_DICT, KUMO_V_DICT);
    for (size_t k = 0; k < S_KEYS; k++)
        r.v[k] = kumo_calloc(MAX_POINTS, sizeof(double), KUMO_T_LIST, KUMO_V_NONE);
    rc = read_samples(&r, in);
    if (rc == KUMO_EXIT_OK && o.stats)
        rc = read_stats(&r, o.stats);
    if (rc != KUMO_EXIT_OK) {
        report_free(&r);
        return rc;
    }
    const char *base = strrchr(in, '/') ? strrchr(in, '/') + 1 : in;
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    if (svg)
        write_svg(&r, base, &b);
    else
        write_html(&r, base, &b);
    FILE *f = fopen(o.out, "w");
    if (!f || fwrite(b.s, 1, b.len, f) != b.len) {
        kumo_cli_error("cannot write '%s': %s", o.out, strerror(errno));
        rc = KUMO_EXIT_FAIL;
    }
    if (f && fclose(f) != 0 && rc == KUMO_EXIT_OK) {
        kumo_cli_error("cannot write '%s': %s", o.out, strerror(errno));
        rc = KUMO_EXIT_FAIL;
    }
    if (rc == KUMO_EXIT_OK)
        printf("kumo report: %zu of %zu samples, %zu classes -> %s\n", r.n, r.seen, r.ncls,
               o.out);
    kumo__buf_release(&b);
    report_free(&r);
    return rc;
}
