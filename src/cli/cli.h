/* cli.h - the kumo commands: one file each, listed in main.c's table. */
#ifndef KUMO_CLI_H
#define KUMO_CLI_H

#include "kumo-int.h"

/* Exit codes, documented in doc/command-line.md, doc/kumo.1 and every command's usage. */
enum {
    KUMO_EXIT_OK = 0,
    KUMO_EXIT_FAIL = 1,     /* the crawl could not start or failed */
    KUMO_EXIT_USAGE = 2,    /* bad command line */
};

typedef struct kumo_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
    const char *usage;
} kumo_command;

int kumo_cmd_bench(int argc, char **argv);
int kumo_cmd_check(int argc, char **argv);
int kumo_cmd_crawl(int argc, char **argv);
int kumo_cmd_fetch(int argc, char **argv);
int kumo_cmd_genspider(int argc, char **argv);
int kumo_cmd_help(int argc, char **argv);
int kumo_cmd_job(int argc, char **argv);
int kumo_cmd_list(int argc, char **argv);
int kumo_cmd_parse(int argc, char **argv);
int kumo_cmd_report(int argc, char **argv);
int kumo_cmd_runspider(int argc, char **argv);
int kumo_cmd_settings(int argc, char **argv);
int kumo_cmd_shell(int argc, char **argv);
int kumo_cmd_version(int argc, char **argv);
int kumo_cmd_view(int argc, char **argv);

extern const char kumo_bench_usage[];
extern const char kumo_check_usage[];
extern const char kumo_crawl_usage[];
extern const char kumo_fetch_usage[];
extern const char kumo_genspider_usage[];
extern const char kumo_help_usage[];
extern const char kumo_job_usage[];
extern const char kumo_list_usage[];
extern const char kumo_parse_usage[];
extern const char kumo_report_usage[];
extern const char kumo_runspider_usage[];
extern const char kumo_settings_usage[];
extern const char kumo_shell_usage[];
extern const char kumo_version_usage[];
extern const char kumo_view_usage[];

/* The command table (main.c): n entries, in the order 'kumo -h' lists them. */
const kumo_command *kumo_cli_commands(size_t *n);

/* The options several commands share; a command takes the groups it names (a bit set). */
enum {
    KUMO_CLI_SET = 1 << 0,      /* -s/--set NAME=VALUE: a setting at the command line's prio */
    KUMO_CLI_ARG = 1 << 1,      /* -a NAME=VALUE: a spider argument */
    KUMO_CLI_LOG = 1 << 2,      /* -L/--loglevel LEVEL, --nolog, --logfile FILE */
    KUMO_CLI_FEED = 1 << 3,     /* -o/--output FILE, -O/--overwrite-output FILE: FEEDS */
    KUMO_CLI_JOBDIR = 1 << 4,   /* --jobdir DIR: JOBDIR */
};

/* Where a usage text lists the feed extensions: kumo_cli_put_usage() writes the feed code's
 * own list there (kumo__feed_format_choices()), so help cannot forget a format. */
#define KUMO_CLI_FEED_EXTS "@FEED_EXTS@"

/* Print a command's usage text to f, with KUMO_CLI_FEED_EXTS filled in. */
void kumo_cli_put_usage(const char *text, FILE *f);

/* The usage lines of the shared options, for the commands' usage texts. */
#define KUMO_CLI_SET_HELP                                                                   \
    "  -s, --set NAME=VALUE  setting, over the settings file and the spider's (repeatable)\n"
#define KUMO_CLI_LOG_HELP                                                                   \
    "  -L, --loglevel LEVEL  LOG_LEVEL: DEBUG, INFO, WARNING, ERROR or CRITICAL\n"           \
    "  --logfile FILE        LOG_FILE: write the log to FILE instead of stderr\n"            \
    "  --nolog               LOG_ENABLED=0\n"
#define KUMO_CLI_CRAWL_OPTIONS                                                              \
    "  -a NAME=VALUE         spider argument (repeatable)\n"                                 \
    KUMO_CLI_SET_HELP                                                                       \
    "  -o, --output FILE     append scraped items to FILE, in the format its extension names:\n" \
    "                        " KUMO_CLI_FEED_EXTS "\n"                                       \
    "                        (or give it as FILE:FORMAT)\n"                                  \
    "  -O, --overwrite-output FILE  write scraped items to FILE, overwriting it\n"           \
    "  --jobdir DIR          JOBDIR: keep the crawl in DIR/kumo.sqlite; run again to resume\n"\
    KUMO_CLI_LOG_HELP

/* One of a command's own options. */
typedef struct kumo_cli_opt {
    const char *name;           /* "-c", "--headers"; {NULL} ends a table */
    const char *alias;          /* another spelling, or NULL */
    bool value;                 /* takes a value (the next argument, or --name=value) */
    int id;                     /* what on_opt receives */
} kumo_cli_opt;

/* A command's command line: what it takes, where the shared options go, what was left. */
typedef struct kumo_cli_parser {
    const char *cmd;            /* "crawl": errors say "(see 'kumo crawl -h')" */
    unsigned shared;            /* KUMO_CLI_* groups taken */
    const kumo_cli_opt *opts;   /* the command's own options, or NULL */
    /* Called for each own option (value NULL when it takes none); returns KUMO_EXIT_OK, or
     * an exit code after printing its one line. */
    int (*on_opt)(void *ctx, int id, const char *value);
    void *ctx;
    kumo_settings *settings;    /* -s, -L, --nolog, --logfile, -o, -O, --jobdir go here */
    kumo_map *args;             /* -a goes here (needed with KUMO_CLI_ARG) */
    size_t max_pos;             /* positional arguments accepted (at most 4) */
    const char *too_many;       /* the error for one more, or NULL: "unexpected argument" */
    const char *missing;        /* the error when there is no positional, or NULL: none needed */
    const char *pos[4];         /* out: the positional arguments, borrowed from argv */
    size_t npos;
} kumo_cli_parser;

/*
 * Parse argv[1..argc) (argv[0] is the command) into p: options anywhere, "--" ends them,
 * "-" is a positional.  Unknown option, missing value, bad NAME=VALUE, bad setting value,
 * one positional too many, none when p->missing is set: one "kumo: " line on stderr and
 * KUMO_EXIT_USAGE.  Returns KUMO_EXIT_OK or an exit code.
 */
int kumo_cli_parse(kumo_cli_parser *p, int argc, char **argv);

/*
 * Run a crawl as `kumo crawl` does with argv (the command's name first): settings file,
 * the shared options, then the one positional.  resolve (NULL for crawl) turns that
 * positional into what kumo__plugin_open() loads, writing it to buf; it returns
 * KUMO_EXIT_OK or an exit code after printing its error.  Returns a KUMO_EXIT_* code.
 */
int kumo_cli_crawl(int argc, char **argv, const char *cmd, const char *missing,
                   int (*resolve)(const char *arg, char *buf, size_t len));

/* The site `kumo bench` crawls (benchsite.c). */
typedef struct kumo_benchsite kumo_benchsite;

/*
 * Start the bench site on 127.0.0.1, a free port, in its own thread: "/" and
 * "/follow?n=N" (N in 1..pages) each hold links links to other pages, the same every run.
 * Returns it (stop it with kumo_benchsite_stop()), or NULL with a one-line message in err.
 */
kumo_benchsite *kumo_benchsite_start(unsigned pages, unsigned links, char *err, size_t errlen);
int kumo_benchsite_port(const kumo_benchsite *s);
/* Stop the thread, close the socket and free s (NULL is ignored). */
void kumo_benchsite_stop(kumo_benchsite *s);

/*
 * Read the settings file at KUMO_PRIO_CONF: $KUMO_CONF (must exist), else ./conf/kumo.conf,
 * else PREFIX/etc/kumo/kumo.conf beside the binary (both optional).  Returns KUMO_OK, or
 * an error after printing its one line.
 */
struct kumo_settings;
int kumo_cli_load_conf(struct kumo_settings *s);

/* Print "kumo: " + message to stderr. */
void kumo_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Returns true when argv has -h or --help. */
bool kumo_cli_wants_help(int argc, char **argv);

#endif
