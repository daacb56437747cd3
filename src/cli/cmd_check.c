/* cmd_check.c - `kumo check [SPIDER...]`: run the spider contracts (.contracts: a url per
 * callback and what it must yield) and report as `scrapy check` does. */
#include "cli/cli.h"
#include "core/crawler.h"
#include "core/out.h"
#include "core/plugin.h"
#include "core/settings.h"
#include "core/spider.h"
#include "http/request.h"
#include "util/buf.h"
#include "util/vec.h"

const char kumo_check_usage[] =
    "usage: kumo check [SPIDER...] [options]\n"
    "\n"
    "Run the contracts of each SPIDER (default: every spider 'kumo list' finds that has\n"
    "some).  A spider declares them in its .contracts, one per callback:\n"
    "\n"
    "  .contracts = KUMO_CONTRACTS({.callback = \"parse\", .url = \"http://...\",\n"
    "                               KUMO_RETURNS_ITEMS(1, 10), KUMO_RETURNS_REQUESTS(0, -1),\n"
    "                               KUMO_SCRAPES(\"name\", \"price\")}),\n"
    "\n"
    "Each url is fetched with the spider's settings and middlewares and its callback run on\n"
    "the response; every expectation is one contract (Scrapy's @returns and @scrapes).  The\n"
    "report goes to stderr: one '.' (passed), 'F' (failed) or 'E' (no response) per\n"
    "contract, each failure, 'Ran N contracts in T s', then OK or FAILED (failures=N).\n"
    "\n"
    "options:\n"
    "  -l, --list            list the contracts' callbacks per spider, without running them\n"
    "  -v, --verbose         one line per contract instead of one character\n"
    KUMO_CLI_SET_HELP
    KUMO_CLI_LOG_HELP
    "                        (logging is off unless -L or --logfile is given)\n"
    "  -h, --help            this text\n"
    "\n"
    "Exit codes: 0 every contract passed, 1 one failed (or a spider could not run), 2 bad\n"
    "command line.\n";

#define META_CONTRACT "_contract"

enum { OPT_LIST = 1, OPT_VERBOSE };

static const kumo_cli_opt check_opts[] = {
    {"-l", "--list", false, OPT_LIST},
    {"-v", "--verbose", false, OPT_VERBOSE},
    {NULL, NULL, false, 0},
};

typedef struct check_opts_t {
    bool list, verbose;
} check_opts_t;

/* What one contract entry of the spider under check gave. */
typedef struct outcome {
    bool ran;
    size_t items, requests;
    char missing[512];          /* "Missing fields: a, b" of the first item lacking some */
} outcome;

/* The spider under check and the results: one at a time in the process. */
static struct {
    const kumo_spider_def *def;
    outcome *out;
    size_t n;
} cur;

static int on_opt(void *ctx, int id, const char *value)
{
    (void)value;
    check_opts_t *o = ctx;
    if (id == OPT_LIST)
        o->list = true;
    else
        o->verbose = true;
    return KUMO_EXIT_OK;
}

/* A contract's response: run its callback, count what it yields; the output is dropped. */
static void check_cb(kumo_response *res, kumo_out *out)
{
    int64_t i = kumo_map_get_int(kumo_response_meta(res), META_CONTRACT, -1);
    if (i < 0 || (size_t)i >= cur.n)
        return;
    const kumo_contract *k = &cur.def->contracts[i];
    outcome *o = &cur.out[i];
    kumo_callback_fn fn = kumo__spider_def_callback(cur.def, k->callback);
    o->ran = true;
    kumo_out got;
    kumo__out_init(&got, kumo_out_spider(out));
    fn(res, &got);
    for (size_t j = 0; j < got.len; j++) {
        if (!got.v[j].is_item) {
            o->requests++;
            continue;
        }
        o->items++;
        kumo_map *fields = kumo_item_fields(got.v[j].u.item);
        kumo_buf b;
        kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
        for (const char *const *f = k->scrapes; f && *f; f++)
            if (!kumo_map_get(fields, *f))
                kumo__buf_printf(&b, "%s%s", b.len ? ", " : "", *f);
        if (b.len && !o->missing[0])
            snprintf(o->missing, sizeof(o->missing), "Missing fields: %s", kumo__buf_str(&b));
        kumo__buf_release(&b);
    }
    kumo__out_release(&got);
}

/* start_requests: every contract's url, with check_cb. */
static int check_start(kumo_spider *sp, kumo_out *out)
{
    (void)sp;
    for (size_t i = 0; i < cur.n; i++) {
        int err = KUMO_EURL;
        kumo_request *req = kumo_request_new(cur.def->contracts[i].url, check_cb, &err);
        if (!req) {
            KUMO_ERROR("kumo.commands.check", "bad contract url '%s': %s",
                       cur.def->contracts[i].url, kumo_strerror(err));
            continue;
        }
        kumo_request_set_dont_filter(req, true);
        kumo_map_set(kumo_request_meta(req), META_CONTRACT, kumo_val_int((int64_t)i));
        kumo_yield_request(out, req);
    }
    return KUMO_OK;
}

/* The report so far: progress characters, failures, counts. */
typedef struct report {
    kumo_buf failures;
    size_t run, failed, errors;
    bool verbose;
} report;

static void result(report *r, const char *spider, const char *cb, const char *what,
                   const char *fail, bool error)
{
    r->run++;
    if (r->verbose)
        fprintf(stderr, "[%s] %s (%s) ... %s\n", spider, cb, what,
                error ? "ERROR" : fail ? "FAIL" : "ok");
    else
        fputc(error ? 'E' : fail ? 'F' : '.', stderr);
    if (!fail)
        return;
    error ? r->errors++ : r->failed++;
    kumo__buf_printf(&r->failures, "======================================================"
                     "================\n%s: [%s] %s (%s)\n----------------------------------"
                     "------------------------------------\n%s: %s\n\n",
                     error ? "ERROR" : "FAIL", spider, cb, what,
                     error ? "NoResponse" : "ContractFail", fail);
}

static void bounds(report *r, const char *spider, const kumo_contract *k, const char *obj,
                   size_t got, int lo, int hi, const outcome *o)
{
    char fail[256] = "";
    if (!o->ran) {
        snprintf(fail, sizeof(fail), "no response for <GET %s>", k->url);
        result(r, spider, k->callback, "@returns post-hook", fail, true);
        return;
    }
    if ((int64_t)got < lo || (hi >= 0 && (int64_t)got > hi)) {
        if (lo == hi)
            snprintf(fail, sizeof(fail), "Returned %zu %s, expected %d", got, obj, lo);
        else if (hi < 0)
            snprintf(fail, sizeof(fail), "Returned %zu %s, expected %d..inf", got, obj, lo);
        else
            snprintf(fail, sizeof(fail), "Returned %zu %s, expected %d..%d", got, obj, lo, hi);
    }
    result(r, spider, k->callback, "@returns post-hook", fail[0] ? fail : NULL, false);
}

/* Run def's contracts with settings (takes ownership) into r. */
static int check_spider(const kumo_spider_def *sd, kumo_settings *settings, report *r)
{
    size_t n = 0;
    while (sd->contracts && sd->contracts[n].callback)
        n++;
    if (!n) {
        kumo__settings_free(settings);
        return KUMO_EXIT_OK;
    }
    cur.def = sd;
    cur.n = n;
    cur.out = kumo_calloc(n, sizeof(outcome), KUMO_T_LIST, KUMO_V_NONE);
    kumo_spider_def def = *sd;
    def.start_requests = check_start;
    char err[1024];
    int exit_code = KUMO_EXIT_OK;
    kumo_crawler *c = kumo__crawler_new(&def, settings, NULL, err, sizeof(err));
    if (!c) {
        kumo_cli_error("%s", err);
        exit_code = KUMO_EXIT_FAIL;
    } else if (kumo__crawler_run(c) != KUMO_OK) {
        kumo_cli_error("spider '%s' could not start", sd->name);
        exit_code = KUMO_EXIT_FAIL;
    }
    for (size_t i = 0; exit_code == KUMO_EXIT_OK && i < n; i++) {
        const kumo_contract *k = &sd->contracts[i];
        const outcome *o = &cur.out[i];
        if (k->check_items)
            bounds(r, sd->name, k, "items", o->items, k->items_min, k->items_max, o);
        if (k->check_requests)
            bounds(r, sd->name, k, "requests", o->requests, k->requests_min, k->requests_max,
                   o);
        if (k->scrapes) {
            if (!o->ran)
                result(r, sd->name, k->callback, "@scrapes post-hook", "no response", true);
            else
                result(r, sd->name, k->callback, "@scrapes post-hook",
                       o->missing[0] ? o->missing : NULL, false);
        }
    }
    kumo__crawler_free(c);
    kumo_free(cur.out);
    cur.out = NULL;
    cur.n = 0;
    return exit_code;
}

static void collect(void *ctx, const kumo_spider_def *def, const char *path)
{
    if (def->contracts && def->contracts[0].callback)
        kumo__vec_push(ctx, kumo_strdup(path, KUMO_T_STR, KUMO_V_NONE));
}

/* A fresh copy of the command line's settings for one spider's crawl. */
static kumo_settings *settings_for(int argc, char **argv, check_opts_t *o, int *exit_code)
{
    kumo_settings *s = kumo__settings_new();
    kumo__settings_set(s, "LOG_ENABLED", "0", KUMO_PRIO_SPIDER, NULL, 0);
    kumo__settings_set(s, "TELNETCONSOLE_ENABLED", "0", KUMO_PRIO_SPIDER, NULL, 0);
    kumo_cli_parser p = {
        .cmd = "check", .shared = KUMO_CLI_SET | KUMO_CLI_LOG, .opts = check_opts,
        .on_opt = on_opt, .ctx = o, .settings = s, .max_pos = 4,
    };
    *exit_code = KUMO_EXIT_FAIL;
    if (kumo_cli_load_conf(s) == KUMO_OK)
        *exit_code = kumo_cli_parse(&p, argc, argv);
    if (*exit_code != KUMO_EXIT_OK) {
        kumo__settings_free(s);
        return NULL;
    }
    return s;
}

int kumo_cmd_check(int argc, char **argv)
{
    check_opts_t o = {0};
    int exit_code;
    kumo_settings *s = settings_for(argc, argv, &o, &exit_code);
    if (!s)
        return exit_code;
    kumo_cli_parser p = {
        .cmd = "check", .shared = KUMO_CLI_SET | KUMO_CLI_LOG, .opts = check_opts,
        .on_opt = on_opt, .ctx = &o, .settings = s, .max_pos = 4,
    };
    kumo_cli_parse(&p, argc, argv);         /* the positionals (parsed fine above) */
    kumo__settings_free(s);
    kumo_vec specs;
    kumo__vec_init(&specs, KUMO_T_LIST, KUMO_V_NONE);
    for (size_t i = 0; i < p.npos; i++)
        kumo__vec_push(&specs, kumo_strdup(p.pos[i], KUMO_T_STR, KUMO_V_NONE));
    if (!p.npos)
        kumo__plugin_list(collect, NULL, &specs);
    report r = {.verbose = o.verbose};
    kumo__buf_init(&r.failures, 0, KUMO_T_STR, KUMO_V_NONE);
    exit_code = KUMO_EXIT_OK;
    double start = kumo_now();
    for (size_t i = 0; i < specs.len && exit_code == KUMO_EXIT_OK; i++) {
        kumo_plugin *plugin = NULL;
        char err[1024];
        if (kumo__plugin_open(specs.v[i], &plugin, err, sizeof(err)) != KUMO_OK) {
            kumo_cli_error("%s", err);
            exit_code = KUMO_EXIT_FAIL;
            break;
        }
        const kumo_spider_def *def = kumo__plugin_def(plugin);
        if (o.list) {
            printf("%s\n", def->name);
            for (const kumo_contract *k = def->contracts; k && k->callback; k++)
                printf("  * %s\n", k->callback);
        } else {
            int rc;
            kumo_settings *one = settings_for(argc, argv, &o, &rc);
            exit_code = one ? check_spider(def, one, &r) : rc;
        }
        kumo__plugin_close(plugin);
    }
    if (!o.list && exit_code == KUMO_EXIT_OK) {
        fprintf(stderr, "\n%s", kumo__buf_str(&r.failures));
        fprintf(stderr, "----------------------------------------------------------------------\n"
                "Ran %zu contract%s in %.3fs\n\n", r.run, r.run == 1 ? "" : "s",
                kumo_now() - start);
        if (r.failed || r.errors) {
            fprintf(stderr, "FAILED (");
            if (r.failed)
                fprintf(stderr, "failures=%zu%s", r.failed, r.errors ? ", " : "");
            if (r.errors)
                fprintf(stderr, "errors=%zu", r.errors);
            fprintf(stderr, ")\n");
            exit_code = KUMO_EXIT_FAIL;
        } else {
            fprintf(stderr, "OK\n");
        }
    }
    for (size_t i = 0; i < specs.len; i++)
        kumo_free(specs.v[i]);
    kumo__vec_release(&specs);
    kumo__buf_release(&r.failures);
    kumo__log_set_file(NULL);
    return exit_code;
}
