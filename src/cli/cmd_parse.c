/* cmd_parse.c - `kumo parse URL`: fetch URL with a spider's settings and middlewares, run
 * one of its callbacks on the response, follow the requests it yields to --depth levels,
 * and print the items and requests per level in `scrapy parse`'s layout. */
#include "cli/cli.h"
#include "core/crawler.h"
#include "core/out.h"
#include "core/plugin.h"
#include "core/settings.h"
#include "core/spider.h"
#include "http/request.h"
#include "http/url.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/vec.h"

const char kumo_parse_usage[] =
    "usage: kumo parse URL [--spider NAME] [-c CALLBACK] [-d DEPTH] [--meta JSON] [options]\n"
    "\n"
    "Fetch URL as SPIDER would (its settings, middlewares and -a arguments), run CALLBACK on\n"
    "the response, and print what it yields as `scrapy parse` does:\n"
    "\n"
    "  >>> STATUS DEPTH LEVEL N <<<\n"
    "  # Scraped Items  ----...   every item, as JSON, of every level\n"
    "  # Requests  ----...        the requests of the last level\n"
    "\n"
    "With -d N the requests of levels 1..N-1 are fetched too, each with its own callback.\n"
    "\n"
    "options:\n"
    "  --spider NAME         the spider (a name from 'kumo list' or a .so path); without\n"
    "                        it, the one spider whose allowed_domains hold URL's host\n"
    "  -c, --callback NAME   the callback for URL (default: the spider's first)\n"
    "  -d, --depth N         levels of requests to follow (default 1: URL only)\n"
    "  -m, --meta JSON       a JSON object merged into the first request's meta\n"
    "  -v, --verbose         print each depth level one by one\n"
    "  --noitems, --nolinks  leave out the items / the requests\n"
    "  -a NAME=VALUE         spider argument (repeatable)\n"
    KUMO_CLI_SET_HELP
    KUMO_CLI_LOG_HELP
    "  -h, --help            this text\n"
    "\n"
    "Exit codes: 0 printed, 1 no spider, no such callback or no response, 2 bad command\n"
    "line.\n";

#define META_DEPTH "_depth"
#define META_CB "_callback"
#define MAX_LEVELS 64

enum { OPT_SPIDER = 1, OPT_CB, OPT_DEPTH, OPT_META, OPT_VERBOSE, OPT_NOITEMS, OPT_NOLINKS };

static const kumo_cli_opt parse_opts[] = {
    {"--spider", NULL, true, OPT_SPIDER},
    {"-c", "--callback", true, OPT_CB},
    {"-d", "--depth", true, OPT_DEPTH},
    {"-m", "--meta", true, OPT_META},
    {"-v", "--verbose", false, OPT_VERBOSE},
    {"--noitems", NULL, false, OPT_NOITEMS},
    {"--nolinks", NULL, false, OPT_NOLINKS},
    {NULL, NULL, false, 0},
};

/* One run of the command: its options and what each level yielded. */
typedef struct parse_run {
    const char *spider, *callback, *meta, *url;     /* borrowed from argv */
    long depth;
    bool verbose, noitems, nolinks;
    const kumo_spider_def *def;                     /* the spider's own, borrowed */
    bool responded, failed;
    kumo_vec items[MAX_LEVELS + 1];                 /* JSON texts, owned */
    kumo_vec reqs[MAX_LEVELS + 1];                  /* reprs, owned */
} parse_run;

/* The run the callback reports to: one per process. */
static parse_run *run;

static int on_opt(void *ctx, int id, const char *value)
{
    parse_run *r = ctx;
    switch (id) {
    case OPT_SPIDER:
        r->spider = value;
        break;
    case OPT_CB:
        r->callback = value;
        break;
    case OPT_DEPTH: {
        char *end;
        errno = 0;
        r->depth = strtol(value, &end, 10);
        if (errno || *end || end == value || r->depth < 1 || r->depth > MAX_LEVELS) {
            kumo_cli_error("--depth must be a number from 1 to %d, not '%s' (see 'kumo parse "
                           "-h')", MAX_LEVELS, value);
            return KUMO_EXIT_USAGE;
        }
        break;
    }
    case OPT_META:
        r->meta = value;
        break;
    case OPT_VERBOSE:
        r->verbose = true;
        break;
    case OPT_NOITEMS:
        r->noitems = true;
        break;
    default:
        r->nolinks = true;
    }
    return KUMO_OK;
}

static char *item_json(kumo_item *item)
{
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    kumo__json_map(&b, kumo_item_fields(item), ", ", ": ");
    return kumo__buf_detach(&b, NULL);
}

static char *req_repr(kumo_request *req)
{
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);
    kumo__buf_add_repr(&b, (const kumo_ref *)req);
    return kumo__buf_detach(&b, NULL);
}

/*
 * Every response of the run comes here (Scrapy's prepared callback): run the callback the
 * request names in its meta (the first: -c, else the spider's first), record its items and
 * requests at the request's level, and pass the requests on below --depth.
 */
static void parse_cb(kumo_response *res, kumo_out *out)
{
    parse_run *r = run;
    kumo_spider *sp = kumo_out_spider(out);
    kumo_map *meta = kumo_response_meta(res);
    r->responded = true;
    int64_t depth = KUMO_MAX(1, KUMO_MIN(kumo_map_get_int(meta, META_DEPTH, 1), MAX_LEVELS));
    const char *name = kumo_map_get_str(meta, META_CB, NULL);
    if (!name)
        name = r->callback ? r->callback : r->def->callbacks[0].name;
    kumo_callback_fn fn = kumo__spider_def_callback(r->def, name);
    if (!fn) {
        KUMO_ERROR("kumo.commands.parse", "Cannot find callback '%s' in spider: %s", name,
                   r->def->name);
        r->failed = true;
        return;
    }
    kumo_out got;
    kumo__out_init(&got, sp);
    fn(res, &got);
    for (size_t i = 0; i < got.len; i++) {
        kumo_output *o = &got.v[i];
        if (o->is_item) {
            kumo__vec_push(&r->items[depth], item_json(o->u.item));
            continue;
        }
        kumo_request *req = o->u.req;
        kumo__vec_push(&r->reqs[depth], req_repr(req));
        if (depth >= r->depth)
            continue;
        const char *cbname = kumo__spider_callback_name(sp, req->cb);
        kumo_map *m = kumo_request_meta(req);
        kumo_map_set(m, META_DEPTH, kumo_val_int(depth + 1));
        kumo_map_set(m, META_CB, cbname ? kumo_val_str(cbname) : kumo_val_none());
        req->cb = parse_cb;
        o->u.req = NULL;
        o->is_item = true;          /* taken: out owns it now */
        kumo_yield_request(out, req);
    }
    kumo__out_release(&got);
}

/* The spider's start request, replaced by URL with parse_cb and --meta. */
static int parse_start(kumo_spider *sp, kumo_out *out)
{
    (void)sp;
    parse_run *r = run;
    int err = KUMO_EURL;
    kumo_request *req = kumo_request_new(r->url, parse_cb, &err);
    if (!req) {
        KUMO_ERROR("kumo.commands.parse", "bad url '%s': %s", r->url, kumo_strerror(err));
        return err;
    }
    kumo_map *m = kumo_request_meta(req);
    if (r->meta) {
        kumo_value v;
        kumo__json_parse(r->meta, strlen(r->meta), &v, NULL, 0);    /* checked before */
        for (size_t i = 0; v.type == KUMO_VAL_LIST && i < v.u.list->len; i++) {
            const kumo_value *pair = &v.u.list->v[i];
            kumo_map_set(m, pair->u.list->v[0].u.str.s, kumo_val_copy(&pair->u.list->v[1]));
        }
        kumo_val_clear(&v);
    }
    kumo_map_set(m, META_DEPTH, kumo_val_int(1));
    kumo_yield_request(out, req);
    return KUMO_OK;
}

/* Python's pprint of a list, one element a line: "[a,\n b]"; "[]" when empty. */
static void print_list(kumo_vec *const *levels, size_t n)
{
    bool first = true;
    fputc('[', stdout);
    for (size_t l = 0; l < n; l++) {
        for (size_t i = 0; i < levels[l]->len; i++) {
            printf("%s%s", first ? "" : ",\n ", (const char *)levels[l]->v[i]);
            first = false;
        }
    }
    fputs("]\n", stdout);
}

static size_t max_level(const parse_run *r)
{
    size_t m = 0;
    for (size_t l = 1; l <= MAX_LEVELS; l++)
        if (r->items[l].len || r->reqs[l].len)
            m = l;
    return m;
}

static void print_level(parse_run *r, size_t lvl, bool all_items)
{
    kumo_vec *levels[MAX_LEVELS + 1];
    if (!r->noitems) {
        printf("# Scraped Items  %s\n", "------------------------------------------------"
               "------------");
        size_t n = 0;
        if (all_items)
            for (size_t l = 1; l <= MAX_LEVELS; l++)
                levels[n++] = &r->items[l];
        else
            levels[n++] = &r->items[lvl];
        print_list(levels, n);
    }
    if (!r->nolinks) {
        printf("# Requests  %s\n", "-------------------------------------------------------"
               "----------");
        levels[0] = &r->reqs[lvl];
        print_list(levels, 1);
    }
}

static void print_results(parse_run *r)
{
    size_t top = max_level(r);
    if (r->verbose) {
        for (size_t l = 1; l <= top; l++) {
            printf("\n>>> DEPTH LEVEL: %zu <<<\n", l);
            print_level(r, l, false);
        }
        return;
    }
    printf("\n>>> STATUS DEPTH LEVEL %zu <<<\n", top);
    print_level(r, top, true);
}

typedef struct find_ctx {
    char host[256];
    char path[PATH_MAX];
    const char *name;
    size_t found;
} find_ctx;

/* Scrapy's spidercls_for_request: the spiders whose allowed_domains hold the url's host. */
static void find_one(void *ctx, const kumo_spider_def *def, const char *path)
{
    find_ctx *f = ctx;
    for (const char *const *d = def->allowed_domains; d && *d; d++) {
        size_t hl = strlen(f->host), dl = strlen(*d);
        if (strcasecmp(f->host, *d) == 0 ||
            (hl > dl && f->host[hl - dl - 1] == '.' && strcasecmp(f->host + hl - dl, *d) == 0)) {
            if (!f->found++) {
                snprintf(f->path, sizeof(f->path), "%s", path);
                f->name = def->name;
            }
            return;
        }
    }
}

/* Load the spider: --spider, else the one that allows URL's host. */
static int load_spider(parse_run *r, kumo_plugin **plugin)
{
    char err[1024];
    const char *spec = r->spider;
    find_ctx f = {0};
    if (!spec) {
        char *host = kumo_url_host(r->url);
        snprintf(f.host, sizeof(f.host), "%s", host ? host : "");
        kumo_free(host);
        kumo__plugin_list(find_one, NULL, &f);
        if (f.found != 1) {
            kumo_cli_error("%s spider for '%s': name one with --spider", f.found ? "more than "
                           "one" : "no", r->url);
            return KUMO_EXIT_FAIL;
        }
        spec = f.path;
    }
    if (kumo__plugin_open(spec, plugin, err, sizeof(err)) != KUMO_OK) {
        kumo_cli_error("%s", err);
        return KUMO_EXIT_FAIL;
    }
    r->def = kumo__plugin_def(*plugin);
    const char *cb = r->callback;
    if (cb && !kumo__spider_def_callback(r->def, cb)) {
        kumo_cli_error("spider '%s' has no callback '%s'", r->def->name, cb);
        return KUMO_EXIT_FAIL;
    }
    return KUMO_EXIT_OK;
}

/* --meta must be a JSON object (parsed: a list of [key, value] pairs). */
static int check_meta(const char *meta)
{
    kumo_value v;
    char err[256];
    if (kumo__json_parse(meta, strlen(meta), &v, err, sizeof(err)) != KUMO_OK) {
        kumo_cli_error("--meta is not JSON: %s", err);
        return KUMO_EXIT_USAGE;
    }
    kumo_val_clear(&v);
    if (meta[strspn(meta, " \t\r\n")] != '{') {
        kumo_cli_error("--meta must be a JSON object, not '%s'", meta);
        return KUMO_EXIT_USAGE;
    }
    return KUMO_EXIT_OK;
}

int kumo_cmd_parse(int argc, char **argv)
{
    kumo_settings *settings = kumo__settings_new();
    kumo_map args;
    kumo_map_init(&args, KUMO_T_DICT, KUMO_V_DICT);
    parse_run r = {.depth = 1};
    for (size_t l = 0; l <= MAX_LEVELS; l++) {
        kumo__vec_init(&r.items[l], KUMO_T_LIST, KUMO_V_NONE);
        kumo__vec_init(&r.reqs[l], KUMO_T_LIST, KUMO_V_NONE);
    }
    kumo_cli_parser p = {
        .cmd = "parse",
        .shared = KUMO_CLI_SET | KUMO_CLI_ARG | KUMO_CLI_LOG,
        .opts = parse_opts,
        .on_opt = on_opt,
        .ctx = &r,
        .settings = settings,
        .args = &args,
        .max_pos = 1,
        .too_many = "parse takes one URL",
        .missing = "parse needs a URL (see 'kumo parse -h')",
    };
    kumo_plugin *plugin = NULL;
    kumo_crawler *c = NULL;
    char err[1024];
    int exit_code = KUMO_EXIT_FAIL;
    if (kumo_cli_load_conf(settings) != KUMO_OK)
        goto out;
    exit_code = kumo_cli_parse(&p, argc, argv);
    if (exit_code != KUMO_EXIT_OK)
        goto out;
    r.url = p.pos[0];
    if (r.meta && (exit_code = check_meta(r.meta)) != KUMO_EXIT_OK)
        goto out;
    if ((exit_code = load_spider(&r, &plugin)) != KUMO_EXIT_OK)
        goto out;
    exit_code = KUMO_EXIT_FAIL;
    kumo_spider_def def = *r.def;       /* the spider, started at URL */
    def.start_requests = parse_start;
    run = &r;
    c = kumo__crawler_new(&def, settings, &args, err, sizeof(err));
    settings = NULL;
    if (!c) {
        kumo_cli_error("%s", err);
        goto out;
    }
    int rc = kumo__crawler_run(c);
    if (rc != KUMO_OK) {
        kumo_cli_error("spider '%s' could not start: %s", def.name, kumo_strerror(rc));
        goto out;
    }
    if (!r.responded) {
        kumo_cli_error("No response downloaded for: %s", r.url);
        goto out;
    }
    print_results(&r);
    exit_code = r.failed ? KUMO_EXIT_FAIL : KUMO_EXIT_OK;
out:
    run = NULL;
    kumo__crawler_free(c);
    kumo__plugin_close(plugin);
    kumo__settings_free(settings);
    kumo_map_release(&args);
    for (size_t l = 0; l <= MAX_LEVELS; l++) {
        for (size_t i = 0; i < r.items[l].len; i++)
            kumo_free(r.items[l].v[i]);
        for (size_t i = 0; i < r.reqs[l].len; i++)
            kumo_free(r.reqs[l].v[i]);
        kumo__vec_release(&r.items[l]);
        kumo__vec_release(&r.reqs[l]);
    }
    kumo__log_set_file(NULL);
    return exit_code;
}
