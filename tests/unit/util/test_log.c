/* test_log.c - Scrapy's log line format, levels, the file, the counting hook. */
#include <criterion/criterion.h>
#include <regex.h>
#include <unistd.h>
#include "kumo-int.h"

static int counted[60];

static void hook(void *ctx, kumo_loglevel level)
{
    counted[level]++;
}

Test(log, format_levels_and_file)
{
    char path[] = "/tmp/kumo-log-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    cr_assert_eq(kumo__log_set_file(path), KUMO_OK);
    kumo__log_set_level(KUMO_LOG_INFO);
    kumo__log_set_hook(hook, NULL);
    KUMO_DEBUG("kumo.test", "hidden %d", 1);
    KUMO_INFO("kumo.engine", "Spider opened");
    KUMO_ERROR("quotes", "bad %s", "thing");
    kumo__log_set_hook(NULL, NULL);
    kumo__log_set_file(NULL);
    kumo__log_set_level(KUMO_LOG_DEBUG);
    cr_assert_eq(counted[KUMO_LOG_DEBUG], 0);
    cr_assert_eq(counted[KUMO_LOG_INFO], 1);
    cr_assert_eq(counted[KUMO_LOG_ERROR], 1);
    char text[1024];
    FILE *f = fopen(path, "r");
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    fclose(f);
    unlink(path);
    regex_t re;
    cr_assert_eq(regcomp(&re,
                         "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} "
                         "\\[kumo\\.engine\\] INFO: Spider opened\n"
                         "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} "
                         "\\[quotes\\] ERROR: bad thing\n$",
                         REG_EXTENDED),
                 0);
    cr_assert_eq(regexec(&re, text, 0, NULL, 0), 0, "%s", text);
    regfree(&re);
    kumo_loglevel lv;
    cr_assert_eq(kumo__log_level_parse("warning", &lv), KUMO_OK);
    cr_assert_eq(lv, KUMO_LOG_WARNING);
    cr_assert_eq(kumo__log_level_parse("LOUD", &lv), KUMO_EINVAL);
}

/* The status line's hook wraps every line: erase before, draw after, under the file. */
static void term(void *ctx, FILE *f, bool after)
{
    fputs(after ? "<draw>" : "<erase>", f);
}

static char tapped[256];
static kumo_loglevel tapped_level;

static void tap(void *ctx, const char *logger, kumo_loglevel level, const char *msg)
{
    snprintf(tapped, sizeof(tapped), "%s|%s", logger, msg);
    tapped_level = level;
}

Test(log, term_hook_wraps_each_line_and_tap_sees_it)
{
    char path[] = "/tmp/kumo-log-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    cr_assert_eq(kumo__log_set_file(path), KUMO_OK);
    kumo__log_set_level(KUMO_LOG_INFO);
    kumo__log_set_term(term, NULL);
    kumo__log_set_tap(tap, NULL);
    KUMO_DEBUG("kumo.test", "hidden");
    cr_assert_str_empty(tapped);
    KUMO_WARN("kumo.extensions.leakwatch", "Possible memory leak: %d", 3);
    kumo__log_set_term(NULL, NULL);
    kumo__log_set_tap(NULL, NULL);
    KUMO_INFO("kumo.engine", "plain");
    kumo__log_set_file(NULL);
    kumo__log_set_level(KUMO_LOG_DEBUG);
    cr_assert_str_eq(tapped, "kumo.extensions.leakwatch|Possible memory leak: 3");
    cr_assert_eq(tapped_level, KUMO_LOG_WARNING);
    char text[1024];
    FILE *f = fopen(path, "r");
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    fclose(f);
    unlink(path);
    regex_t re;
    cr_assert_eq(regcomp(&re,
                         "^<erase>[-0-9]{10} [:0-9]{8} \\[kumo\\.extensions\\.leakwatch\\] "
                         "WARNING: Possible memory leak: 3\n<draw>"
                         "[-0-9]{10} [:0-9]{8} \\[kumo\\.engine\\] INFO: plain\n$",
                         REG_EXTENDED),
                 0);
    cr_assert_eq(regexec(&re, text, 0, NULL, 0), 0, "%s", text);
    regfree(&re);
}
