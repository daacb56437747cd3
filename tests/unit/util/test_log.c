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
