/* cmd_genspider.c - `kumo genspider NAME DOMAIN|HOST:PORT|URL`: write spiders/NAME.c from a
 * template that builds as is (a start url, allowed_domains, a parse callback that yields and
 * follows). */
#include "cli/cli.h"
#include <ctype.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

const char kumo_genspider_usage[] =
    "usage: kumo genspider [-t TEMPLATE] NAME DOMAIN\n"
    "\n"
    "Write spiders/NAME.c: a spider named NAME that starts at DOMAIN, stays on its host and\n"
    "whose parse callback yields {url, title} for each page and follows its links.  NAME\n"
    "must be a C identifier.  DOMAIN is a host (example.com: https://example.com/), a host\n"
    "and port or an IP address (127.0.0.1:8080, localhost: http://, as local sites serve\n"
    "it), or a url (http://127.0.0.1:8080/docs/: started at as given, scheme and path\n"
    "kept); allowed_domains gets the host without its port.  An existing file is never\n"
    "overwritten.  Run it with 'kumo runspider spiders/NAME.c' (compiles and crawls, from\n"
    "anywhere), or in kumo's source tree build it with 'make' and run 'kumo crawl NAME'.\n"
    "Outside kumo's source tree, spiders/Makefile is written too (unless there is one):\n"
    "'make -C spiders' builds every spider there with 'pkg-config --cflags kumo'.\n"
    "\n"
    "options:\n"
    "  -t, --template T      basic (the default: the above) or crawl: a spider with rules\n"
    "                        (Scrapy's CrawlSpider) whose one rule parses the pages whose\n"
    "                        url has Items/ and follows their links, or sitemap: a\n"
    "                        SitemapSpider that reads DOMAIN's /sitemap.xml and yields\n"
    "                        {url, title} per page listed\n"
    "  -h, --help            this text\n"
    "\n"
    "Exit codes: 0 written, 1 the file exists or cannot be written, 2 bad command line.\n";

/* The template: %1$s is the name, %2$s the host (no port), %3$s the start url. */
static const char template_text[] =
    "/* %1$s.c - a spider for %2$s: one item per page, {url, title}, following every link\n"
    " * on %2$s.  Run it from anywhere (it is compiled, then crawled):\n"
    " *   kumo runspider spiders/%1$s.c -o %1$s.jsonl\n"
    " * or, in kumo's source tree, where make builds spiders/%1$s.so beside the others:\n"
    " *   make && ./kumo crawl %1$s -o %1$s.jsonl */\n"
    "#include <kumo/kumo.h>\n"
    "\n"
    "static void parse(kumo_response *res, kumo_out *out)\n"
    "{\n"
    "    if (!kumo_class_is(kumo_response_class(res), &KUMO_CLASS(HtmlResponse)))\n"
    "        return;\n"
    "    kumo_item *item = kumo_item_new();\n"
    "    kumo_item_set_str(item, \"url\", kumo_response_url(res));\n"
    "    kumo_item_set_str(item, \"title\", kumo_list_get(kumo_css(res, \"title::text\"), "
    "NULL));\n"
    "    kumo_yield_item(out, item);\n"
    "    kumo_selector_list *hrefs = kumo_css(res, \"a::attr(href)\");\n"
    "    for (size_t i = 0; i < kumo_list_len(hrefs); i++)\n"
    "        kumo_follow(out, res, kumo_sel_get(kumo_list_at(hrefs, i)), parse);\n"
    "}\n"
    "\n"
    "KUMO_SPIDER = {\n"
    "    KUMO_SPIDER_HEADER,\n"
    "    .name = \"%1$s\",\n"
    "    .start_urls = KUMO_LIST(\"%3$s\"),\n"
    "    .allowed_domains = KUMO_LIST(\"%2$s\"),\n"
    "    .callbacks = KUMO_CALLBACKS(parse),\n"
    "};\n";

/* The crawl template (Scrapy's): the same arguments. */
static const char crawl_template_text[] =
    "/* %1$s.c - a spider with rules for %2$s (Scrapy's CrawlSpider): the links whose url\n"
    " * has Items/ are requested, parsed by parse_item and followed, on %2$s only; other\n"
    " * links are not (add a rule without a callback to go through them).  Change the rule's\n"
    " * link extractor to your site's urls.  Run it from anywhere:\n"
    " *   kumo runspider spiders/%1$s.c -o %1$s.jsonl\n"
    " * or, in kumo's source tree, where make builds spiders/%1$s.so beside the others:\n"
    " *   make && ./kumo crawl %1$s -o %1$s.jsonl */\n"
    "#include <kumo/kumo.h>\n"
    "\n"
    "static void parse_item(kumo_response *res, kumo_out *out)\n"
    "{\n"
    "    kumo_item *item = kumo_item_new();\n"
    "    kumo_item_set_str(item, \"url\", kumo_response_url(res));\n"
    "    kumo_item_set_str(item, \"title\", kumo_list_get(kumo_css(res, \"title::text\"), "
    "NULL));\n"
    "    /* kumo_item_set_str(item, \"name\", kumo_list_get(kumo_css(res, \"#name::text\"), "
    "NULL)); */\n"
    "    kumo_yield_item(out, item);\n"
    "}\n"
    "\n"
    "KUMO_SPIDER = {\n"
    "    KUMO_SPIDER_HEADER,\n"
    "    .name = \"%1$s\",\n"
    "    .start_urls = KUMO_LIST(\"%3$s\"),\n"
    "    .allowed_domains = KUMO_LIST(\"%2$s\"),\n"
    "    .rules = KUMO_RULES(\n"
    "        KUMO_RULE(.link_extractor = {.allow = KUMO_LIST(\"Items/\")}, "
    ".callback = parse_item,\n"
    "                  .follow = KUMO_YES)),\n"
    "};\n";

/* The sitemap template (%4$s is the origin, scheme://host[:port]). */
static const char template_sitemap[] =
    "/* %1$s.c - a SitemapSpider for %2$s: reads its sitemap (an index, gzipped or not, is\n"
    " * followed), yields {url, title, lastmod} per page listed.  Run it from anywhere:\n"
    " *   kumo runspider spiders/%1$s.c -o %1$s.jsonl\n"
    " * or, in kumo's source tree:  make && ./kumo crawl %1$s -o %1$s.jsonl\n"
    " * A robots.txt url in .urls is read for its Sitemap: lines instead. */\n"
    "#include <kumo/kumo.h>\n"
    "\n"
    "static void parse(kumo_response *res, kumo_out *out)\n"
    "{\n"
    "    kumo_item *item = kumo_item_new();\n"
    "    kumo_item_set_str(item, \"url\", kumo_response_url(res));\n"
    "    kumo_item_set_str(item, \"title\", kumo_list_get(kumo_css(res, \"title::text\"), "
    "NULL));\n"
    "    kumo_yield_item(out, item);\n"
    "}\n"
    "\n"
    "/* sitemap_filter: return KUMO_EIGNORED to skip an entry (entry holds loc, lastmod...). */\n"
    "static int keep(kumo_spider *sp, const char *type, kumo_map *entry)\n"
    "{\n"
    "    (void)sp, (void)type, (void)entry;\n"
    "    return KUMO_OK;\n"
    "}\n"
    "\n"
    "KUMO_SPIDER = {\n"
    "    KUMO_SPIDER_HEADER,\n"
    "    .name = \"%1$s\",\n"
    "    .allowed_domains = KUMO_LIST(\"%2$s\"),\n"
    "    .callbacks = KUMO_CALLBACKS(parse),\n"
    "    .sitemap = &(const kumo_sitemap_def){\n"
    "        .urls = KUMO_LIST(\"%4$s/sitemap.xml\"),\n"
    "        .rules = KUMO_SITEMAP_RULES({\"\", \"parse\"}),   /* pattern -> callback */\n"
    "        .filter = keep,\n"
    "    },\n"
    "};\n";

/* spiders/Makefile out of kumo's source tree: every NAME.c to NAME.so against the installed
 * headers (kumo.pc). */
static const char spiders_makefile[] =
    "CFLAGS += $(shell pkg-config --cflags kumo)\n"
    "all: $(patsubst %.c,%.so,$(wildcard *.c))\n"
    "%.so: %.c ; $(CC) $(CFLAGS) $(LDFLAGS) -shared -o $@ $<\n";

/* Write spiders/Makefile when the current directory is not kumo's source tree (whose own
 * Makefile builds spiders/) and there is none yet.  Returns true when it wrote one. */
static bool write_makefile(void)
{
    if (access("include/kumo/kumo.h", F_OK) == 0 && access("Makefile", F_OK) == 0)
        return false;
    int fd = open("spiders/Makefile", O_WRONLY | O_CREAT | O_EXCL, 0666);
    if (fd < 0)
        return false;                       /* there is one: it is the user's */
    size_t n = sizeof(spiders_makefile) - 1;
    bool ok = write(fd, spiders_makefile, n) == (ssize_t)n;
    if (close(fd) != 0 || !ok) {
        kumo_cli_error("cannot write spiders/Makefile: %s", strerror(errno));
        unlink("spiders/Makefile");
        return false;
    }
    return true;
}

/* The templates -t picks, the first the default. */
static const struct {
    const char *name;
    const char *text;
} templates[] = {
    {"basic", template_text},
    {"crawl", crawl_template_text},
    {"sitemap", template_sitemap},
};

enum { OPT_TEMPLATE = 1 };

static const kumo_cli_opt genspider_opts[] = {
    {"-t", "--template", true, OPT_TEMPLATE},
    {NULL, NULL, false, 0},
};

static int on_opt(void *ctx, int id, const char *value)
{
    size_t *which = ctx;
    for (size_t i = 0; i < KUMO_ARRAY_LEN(templates); i++) {
        if (strcmp(templates[i].name, value) == 0) {
            *which = i;
            return KUMO_EXIT_OK;
        }
    }
    kumo_cli_error("genspider has no template '%s' (basic, crawl, sitemap)", value);
    return KUMO_EXIT_USAGE;
}

static bool is_identifier(const char *s)
{
    if (!*s || !(isalpha((unsigned char)*s) || *s == '_'))
        return false;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_'))
            return false;
    return true;
}

/* What the spider is written for. */
typedef struct target {
    char host[256];             /* without the port: allowed_domains */
    char start[1024];           /* the start url */
    char origin[1024];          /* scheme://host[:port] of the start url */
} target;

/* A dotted-quad IPv4 address ("127.0.0.1"). */
static bool is_ipv4(const char *h)
{
    int parts = 0;
    while (*h) {
        size_t n = strspn(h, "0123456789");
        if (n == 0 || n > 3 || atoi(h) > 255)
            return false;
        parts++;
        h += n;
        if (*h == '.' && h[1])
            h++;
        else if (*h)
            return false;
    }
    return parts == 4;
}

/*
 * Read arg (a host, host:port, or an http(s) url, as Scrapy's genspider accepts) into t.
 * The scheme is the url's; without one http for a port, an IP address or localhost (local
 * sites), else https.  A url's path and query are kept, its fragment dropped.  False when
 * arg is not one of these, or holds characters that have no place in a C string literal.
 */
static bool parse_target(const char *arg, target *t)
{
    const char *scheme = NULL;
    size_t slen = 0;
    const char *p = strstr(arg, "://");
    if (p) {
        scheme = arg;
        slen = (size_t)(p - arg);
        if (!((slen == 4 && strncasecmp(arg, "http", 4) == 0) ||
              (slen == 5 && strncasecmp(arg, "https", 5) == 0)))
            return false;
        p += 3;
    } else {
        p = arg;
    }
    size_t n = strcspn(p, "/?#");
    if (n == 0 || n >= sizeof(t->host))
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (!(isalnum(ch) || ch == '.' || ch == '-' || ch == ':' || ch == '_'))
            return false;
    }
    const char *colon = memchr(p, ':', n);
    size_t hlen = colon ? (size_t)(colon - p) : n;
    if (hlen == 0)
        return false;
    if (colon) {
        size_t plen = n - hlen - 1;
        if (plen == 0 || plen > 5 || strspn(colon + 1, "0123456789") != plen ||
            atol(colon + 1) > 65535)
            return false;
    }
    /* Lower case: Scrapy compares allowed_domains with the url's lower-cased host. */
    for (size_t i = 0; i < hlen; i++)
        t->host[i] = (char)tolower((unsigned char)p[i]);
    t->host[hlen] = '\0';
    const char *path = p + n;
    size_t pathlen = strcspn(path, "#");
    for (size_t i = 0; i < pathlen; i++) {
        unsigned char ch = (unsigned char)path[i];
        if (ch <= ' ' || ch == 0x7f || ch == '"' || ch == '\\')
            return false;
    }
    char sch[6] = "https";
    if (scheme) {
        for (size_t i = 0; i < slen; i++)
            sch[i] = (char)tolower((unsigned char)scheme[i]);
        sch[slen] = '\0';
    } else if (colon || is_ipv4(t->host) || strcasecmp(t->host, "localhost") == 0) {
        strcpy(sch, "http");
    }
    snprintf(t->origin, sizeof(t->origin), "%s://%.*s", sch, (int)n, p);
    int w = snprintf(t->start, sizeof(t->start), "%s://%.*s%s%.*s", sch, (int)n, p,
                     pathlen && *path == '/' ? "" : "/", (int)pathlen, path);
    return w > 0 && (size_t)w < sizeof(t->start);
}

int kumo_cmd_genspider(int argc, char **argv)
{
    size_t tpl = 0;
    kumo_cli_parser p = {
        .cmd = "genspider", .max_pos = 2, .too_many = "genspider takes NAME and DOMAIN only",
        .opts = genspider_opts, .on_opt = on_opt, .ctx = &tpl,
    };
    int rc = kumo_cli_parse(&p, argc, argv);
    if (rc != KUMO_EXIT_OK)
        return rc;
    if (p.npos < 2) {
        kumo_cli_error("genspider needs NAME and DOMAIN (see 'kumo genspider -h')");
        return KUMO_EXIT_USAGE;
    }
    const char *const *pos = p.pos;
    const char *name = pos[0];
    if (!is_identifier(name) || strlen(name) > 200) {
        kumo_cli_error("spider name '%s' is not a C identifier (letters, digits, '_')", name);
        return KUMO_EXIT_USAGE;
    }
    target t;
    if (!parse_target(pos[1], &t)) {
        kumo_cli_error("'%s' is not a domain", pos[1]);
        return KUMO_EXIT_USAGE;
    }
    if (mkdir("spiders", 0777) != 0 && errno != EEXIST) {
        kumo_cli_error("cannot create spiders/: %s", strerror(errno));
        return KUMO_EXIT_FAIL;
    }
    char path[256];
    snprintf(path, sizeof(path), "spiders/%s.c", name);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
    if (fd < 0) {
        if (errno == EEXIST)
            kumo_cli_error("%s already exists: not overwritten", path);
        else
            kumo_cli_error("cannot create %s: %s", path, strerror(errno));
        return KUMO_EXIT_FAIL;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        kumo_cli_error("cannot write %s: %s", path, strerror(errno));
        close(fd);
        unlink(path);
        return KUMO_EXIT_FAIL;
    }
    fprintf(f, templates[tpl].text, name, t.host, t.start, t.origin);
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) {
        kumo_cli_error("cannot write %s: %s", path, strerror(errno));
        unlink(path);
        return KUMO_EXIT_FAIL;
    }
    printf("Created spider '%s' using template '%s' in:\n  %s\n", name, templates[tpl].name,
           path);
    if (write_makefile())
        printf("Created spiders/Makefile: 'make -C spiders' builds %s.so with pkg-config's "
               "kumo\n", name);
    return KUMO_EXIT_OK;
}
