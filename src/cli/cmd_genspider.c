/* cmd_genspider.c - `kumo genspider NAME DOMAIN`: write spiders/NAME.c from a template that
 * builds as is (a start url, allowed_domains, a parse callback that yields and follows). */
#include "cli/cli.h"
#include <ctype.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

const char kumo_genspider_usage[] =
    "usage: kumo genspider NAME DOMAIN\n"
    "\n"
    "Write spiders/NAME.c: a spider named NAME starting at https://DOMAIN/, kept inside\n"
    "DOMAIN, whose parse callback yields {url, title} for each page and follows its links.\n"
    "NAME must be a C identifier; DOMAIN may also be given as a URL (its host is used).\n"
    "An existing file is never overwritten.  Build it with 'make' (or cc -shared -fPIC), or\n"
    "compile and run it at once with 'kumo runspider spiders/NAME.c'.\n"
    "\n"
    "options:\n"
    "  -h, --help            this text\n"
    "\n"
    "Exit codes: 0 written, 1 the file exists or cannot be written, 2 bad command line.\n";

/* The template: %1$s is the name, %2$s the domain. */
static const char template_text[] =
    "/* %1$s.c - a spider for %2$s: one item per page, {url, title}, following every link\n"
    " * inside the domain.\n"
    " *   kumo crawl %1$s -o %1$s.jsonl */\n"
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
    "    .start_urls = KUMO_LIST(\"https://%2$s/\"),\n"
    "    .allowed_domains = KUMO_LIST(\"%2$s\"),\n"
    "    .callbacks = KUMO_CALLBACKS(parse),\n"
    "};\n";

static bool is_identifier(const char *s)
{
    if (!*s || !(isalpha((unsigned char)*s) || *s == '_'))
        return false;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_'))
            return false;
    return true;
}

/* The host of arg (a domain, or a URL as Scrapy's genspider accepts) into buf; false when
 * it is empty or holds characters no host name has. */
static bool extract_domain(const char *arg, char *buf, size_t len)
{
    const char *p = strstr(arg, "://");
    p = p ? p + 3 : arg;
    size_t n = strcspn(p, "/?#");
    if (n == 0 || n >= len)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (!(isalnum(ch) || ch == '.' || ch == '-' || ch == ':' || ch == '_'))
            return false;
    }
    memcpy(buf, p, n);
    buf[n] = '\0';
    return true;
}

int kumo_cmd_genspider(int argc, char **argv)
{
    kumo_cli_parser p = {
        .cmd = "genspider", .max_pos = 2, .too_many = "genspider takes NAME and DOMAIN only",
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
    char domain[256];
    if (!extract_domain(pos[1], domain, sizeof(domain))) {
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
    fprintf(f, template_text, name, domain);
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0 || bad) {
        kumo_cli_error("cannot write %s: %s", path, strerror(errno));
        unlink(path);
        return KUMO_EXIT_FAIL;
    }
    printf("Created spider '%s' using template 'basic' in:\n  %s\n", name, path);
    return KUMO_EXIT_OK;
}
