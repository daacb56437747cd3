/* cli.h - the kumo commands: one file each, listed in main.c's table. */
#ifndef KUMO_CLI_H
#define KUMO_CLI_H

#include "kumo-int.h"

/* Exit codes, documented in README.md and `kumo --help`. */
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

int kumo_cmd_crawl(int argc, char **argv);
int kumo_cmd_fetch(int argc, char **argv);
int kumo_cmd_genspider(int argc, char **argv);
int kumo_cmd_job(int argc, char **argv);
int kumo_cmd_list(int argc, char **argv);
int kumo_cmd_settings(int argc, char **argv);
int kumo_cmd_shell(int argc, char **argv);
int kumo_cmd_version(int argc, char **argv);

extern const char kumo_crawl_usage[];
extern const char kumo_fetch_usage[];
extern const char kumo_genspider_usage[];
extern const char kumo_job_usage[];
extern const char kumo_settings_usage[];
extern const char kumo_shell_usage[];

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
