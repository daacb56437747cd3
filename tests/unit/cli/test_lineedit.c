/* test_lineedit.c - the shell's line editor: key sequences in, line and cursor out; history,
 * escape sequences, UTF-8, bounds and the redraw codes. */
#include <criterion/criterion.h>

#include "kumo-int.h"
/* src/cli/ is the binary's, not libkumo's: the editor is compiled into the test here. */
#include "cli/lineedit.c"
#include "lib/leakcheck.h"

static void setup(void)
{
    kumo_leakcheck_start();
}

TestSuite(lineedit, .init = setup, .fini = kumo_leakcheck_end);

#define LEFT "\x1b[D"
#define RIGHT "\x1b[C"
#define UP "\x1b[A"
#define DOWN "\x1b[B"
#define HOME "\x1b[H"
#define END "\x1b[F"
#define DELETE "\x1b[3~"

/* keys typed on a fresh line -> the line, the cursor (a byte offset), the last result */
static const struct {
    const char *keys;
    const char *line;
    size_t pos;
    kumo_lineedit_rc rc;
} cases[] = {
    {"", "", 0, KUMO_LINEEDIT_MORE},
    {"abc", "abc", 3, KUMO_LINEEDIT_MORE},
    {"abc\r", "abc", 3, KUMO_LINEEDIT_LINE},
    {"abc\n", "abc", 3, KUMO_LINEEDIT_LINE},
    {"ac" LEFT "b", "abc", 2, KUMO_LINEEDIT_MORE},
    {"abc" LEFT LEFT LEFT LEFT LEFT, "abc", 0, KUMO_LINEEDIT_MORE},
    {"abc" HOME RIGHT RIGHT RIGHT RIGHT, "abc", 3, KUMO_LINEEDIT_MORE},
    {"abc\x7f", "ab", 2, KUMO_LINEEDIT_MORE},
    {"abc\x08\x08", "a", 1, KUMO_LINEEDIT_MORE},
    {"\x7f\x7f", "", 0, KUMO_LINEEDIT_MORE},
    {"abc" HOME "\x7f", "abc", 0, KUMO_LINEEDIT_MORE},
    {"abc" HOME DELETE, "bc", 0, KUMO_LINEEDIT_MORE},
    {"abc" DELETE, "abc", 3, KUMO_LINEEDIT_MORE},
    {"bc" HOME "a" END "d", "abcd", 4, KUMO_LINEEDIT_MORE},
    {"bc\x01" "a\x05" "d", "abcd", 4, KUMO_LINEEDIT_MORE},                 /* Ctrl-A, Ctrl-E */
    {"bc\x1bOHa\x1bOFd", "abcd", 4, KUMO_LINEEDIT_MORE},                  /* SS3 Home/End */
    {"bc\x1b[1~a\x1b[4~d", "abcd", 4, KUMO_LINEEDIT_MORE},               /* vt Home/End */
    {"bc\x1b[7~a\x1b[8~d", "abcd", 4, KUMO_LINEEDIT_MORE},               /* rxvt */
    {"ac\x02" "b\x06" "d", "abcd", 4, KUMO_LINEEDIT_MORE},                  /* Ctrl-B, Ctrl-F */
    {"hello world" LEFT LEFT LEFT "\x0b", "hello wo", 8, KUMO_LINEEDIT_MORE},   /* Ctrl-K */
    {"hello world" LEFT LEFT LEFT "\x15", "rld", 0, KUMO_LINEEDIT_MORE},        /* Ctrl-U */
    {"a = foo.bar  \x17", "a = ", 4, KUMO_LINEEDIT_MORE},                   /* Ctrl-W */
    {"one two\x17\x17", "", 0, KUMO_LINEEDIT_MORE},
    {"one two" LEFT LEFT LEFT "\x17", "two", 0, KUMO_LINEEDIT_MORE},
    {"abc" HOME "\x04", "bc", 0, KUMO_LINEEDIT_MORE},                       /* Ctrl-D deletes */
    {"abc\x04", "abc", 3, KUMO_LINEEDIT_MORE},
    {"\x04", "", 0, KUMO_LINEEDIT_EOF},                                     /* ...or leaves */
    {"abc\x03", "", 0, KUMO_LINEEDIT_CANCEL},                               /* Ctrl-C clears */
    {"abc\x03xy", "xy", 2, KUMO_LINEEDIT_MORE},
    {"a\tb", "a    b", 6, KUMO_LINEEDIT_MORE},
    {"a\x01\x0e\x10\x07\x1c" "b", "ba", 1, KUMO_LINEEDIT_MORE},  /* unbound controls ignored */
    {"foo.bar baz" "\x1b" "b" "\x1b" "b" "X", "foo.Xbar baz", 5, KUMO_LINEEDIT_MORE}, /* Alt-B */
    {"foo bar" HOME "\x1b" "fX", "fooX bar", 4, KUMO_LINEEDIT_MORE},             /* Alt-F */
    {"foo bar" "\x1b[1;5D" "X", "foo Xbar", 5, KUMO_LINEEDIT_MORE},          /* Ctrl-Left */
    {"foo bar" HOME "\x1b[1;5C" "X", "fooX bar", 4, KUMO_LINEEDIT_MORE},     /* Ctrl-Right */
    {"ab\x1b[99;99;99;99;99;99;99;99Zc", "abc", 3, KUMO_LINEEDIT_MORE},   /* unknown, long */
    {"ab\x1b[15~c", "abc", 3, KUMO_LINEEDIT_MORE},                        /* F5: nothing */
    {"ab\x1bxc", "abc", 3, KUMO_LINEEDIT_MORE},                           /* unknown Alt */
    /* UTF-8: the cursor moves and deletes by character */
    {"h\xc3\xa9" "llo" LEFT LEFT LEFT LEFT "X", "hX\xc3\xa9llo", 2, KUMO_LINEEDIT_MORE},
    {"\xc3\xa9\xe2\x82\xac\x7f", "\xc3\xa9", 2, KUMO_LINEEDIT_MORE},
    {"\xe2\x82\xac" HOME DELETE, "", 0, KUMO_LINEEDIT_MORE},
    {"\xe2\x82\xac\xc3\xa9" LEFT "\x0b", "\xe2\x82\xac", 3, KUMO_LINEEDIT_MORE},
};

Test(lineedit, keys)
{
    kumo_lineedit *le = kumo_alloc(sizeof(*le), KUMO_T_OTHER, KUMO_V_NONE);
    for (size_t i = 0; i < KUMO_ARRAY_LEN(cases); i++) {
        kumo_lineedit_init(le);
        kumo_lineedit_reset(le);
        kumo_lineedit_rc rc = KUMO_LINEEDIT_MORE;
        for (const char *k = cases[i].keys; *k; k++)
            rc = kumo_lineedit_feed(le, (unsigned char)*k);
        cr_expect_str_eq(le->buf, cases[i].line, "case %zu: line", i);
        cr_expect_eq(le->len, strlen(cases[i].line), "case %zu: len", i);
        cr_expect_eq(le->pos, cases[i].pos, "case %zu: cursor %zu, want %zu", i, le->pos,
                     cases[i].pos);
        cr_expect_eq(rc, cases[i].rc, "case %zu: rc %d, want %d", i, rc, cases[i].rc);
        kumo_lineedit_release(le);
    }
    kumo_free(le);
}

/* Type a line and Enter, as the terminal loop does: into the history, then a new line. */
static void enter(kumo_lineedit *le, const char *keys)
{
    kumo_lineedit_reset(le);
    cr_assert_eq(kumo_lineedit_feeds(le, keys, strlen(keys)), KUMO_LINEEDIT_LINE);
    kumo_lineedit_history_add(le, le->buf, le->len);
}

static void type(kumo_lineedit *le, const char *keys)
{
    kumo_lineedit_feeds(le, keys, strlen(keys));
}

Test(lineedit, history)
{
    kumo_lineedit *le = kumo_alloc(sizeof(*le), KUMO_T_OTHER, KUMO_V_NONE);
    kumo_lineedit_init(le);
    enter(le, "first\r");
    enter(le, "second\r");
    enter(le, "second\r");          /* the same again: one entry */
    enter(le, "\r");                /* empty lines are not kept */
    cr_assert_eq(le->nhist, 2);

    kumo_lineedit_reset(le);
    type(le, "draft");
    type(le, UP);
    cr_expect_str_eq(le->buf, "second");
    cr_expect_eq(le->pos, 6);
    type(le, UP);
    cr_expect_str_eq(le->buf, "first");
    type(le, UP);                   /* the oldest stays */
    cr_expect_str_eq(le->buf, "first");
    type(le, DOWN);
    cr_expect_str_eq(le->buf, "second");
    type(le, DOWN);                 /* back to what was being typed */
    cr_expect_str_eq(le->buf, "draft");
    type(le, DOWN);
    cr_expect_str_eq(le->buf, "draft");
    type(le, "\x10\x10" "X");       /* Ctrl-P twice, then edit the recalled line */
    cr_expect_str_eq(le->buf, "firstX");
    cr_expect_eq(kumo_lineedit_feed(le, '\r'), KUMO_LINEEDIT_LINE);
    kumo_lineedit_history_add(le, le->buf, le->len);
    cr_expect_eq(le->nhist, 3);
    cr_expect_str_eq(le->hist[2], "firstX");
    cr_expect_str_eq(le->hist[0], "first");         /* history entries are not edited */

    kumo_lineedit_reset(le);
    type(le, UP "\x0e");            /* Ctrl-N back to an empty new line */
    cr_expect_str_eq(le->buf, "");
    type(le, UP UP "\x03");         /* Ctrl-C while browsing: an empty new line */
    cr_expect_str_eq(le->buf, "");
    type(le, UP);
    cr_expect_str_eq(le->buf, "firstX");
    kumo_lineedit_release(le);
    kumo_free(le);
}

Test(lineedit, bounds)
{
    kumo_lineedit *le = kumo_alloc(sizeof(*le), KUMO_T_OTHER, KUMO_V_NONE);
    kumo_lineedit_init(le);
    kumo_lineedit_reset(le);
    for (size_t i = 0; i < KUMO_LINEEDIT_MAX + 100; i++)
        kumo_lineedit_feed(le, 'x');
    cr_expect_eq(le->len, KUMO_LINEEDIT_MAX);
    cr_expect_eq(strlen(le->buf), KUMO_LINEEDIT_MAX);
    kumo_lineedit_feed(le, '\t');                   /* does not fit either */
    cr_expect_eq(le->len, KUMO_LINEEDIT_MAX);
    /* the history keeps the newest KUMO_LINEEDIT_HISTORY lines */
    char line[32];
    for (int i = 0; i < KUMO_LINEEDIT_HISTORY + 5; i++) {
        snprintf(line, sizeof(line), "line %d", i);
        kumo_lineedit_history_add(le, line, strlen(line));
    }
    cr_expect_eq(le->nhist, KUMO_LINEEDIT_HISTORY);
    cr_expect_str_eq(le->hist[0], "line 5");
    /* every byte value, in any order, never breaks the line */
    kumo_lineedit_reset(le);
    uint32_t x = 12345;
    for (int i = 0; i < 200000; i++) {
        x = x * 1103515245 + 12345;
        kumo_lineedit_feed(le, (unsigned char)(x >> 16));
        cr_assert_leq(le->pos, le->len);
        cr_assert_leq(le->len, KUMO_LINEEDIT_MAX);
        cr_assert_eq(le->buf[le->len], '\0');
    }
    kumo_lineedit_release(le);
    kumo_free(le);
}

Test(lineedit, render)
{
    kumo_lineedit *le = kumo_alloc(sizeof(*le), KUMO_T_OTHER, KUMO_V_NONE);
    kumo_lineedit_init(le);
    kumo_lineedit_reset(le);
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_NONE);

    kumo_lineedit_render(le, ">>> ", 80, &b);
    cr_expect_str_eq(kumo__buf_str(&b), "\r>>> \x1b[0K\r\x1b[4C");

    type(le, "r\xc3\xa9sum\xc3\xa9" LEFT);
    kumo__buf_reset(&b);
    kumo_lineedit_render(le, ">>> ", 80, &b);
    cr_expect_str_eq(kumo__buf_str(&b), "\r>>> r\xc3\xa9sum\xc3\xa9\x1b[0K\r\x1b[9C");

    /* a line wider than the terminal: the part around the cursor is shown */
    kumo_lineedit_reset(le);
    type(le, "0123456789abcdefghij");
    kumo__buf_reset(&b);
    kumo_lineedit_render(le, ">>> ", 15, &b);
    cr_expect_str_eq(kumo__buf_str(&b), "\r>>> abcdefghij\x1b[0K\r\x1b[14C");
    type(le, HOME);
    kumo__buf_reset(&b);
    kumo_lineedit_render(le, ">>> ", 15, &b);
    cr_expect_str_eq(kumo__buf_str(&b), "\r>>> 0123456789\x1b[0K\r\x1b[4C");
    kumo__buf_release(&b);
    kumo_lineedit_release(le);
    kumo_free(le);
}

Test(lineedit, read_refuses_a_pipe)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    kumo_lineedit *le = kumo_alloc(sizeof(*le), KUMO_T_OTHER, KUMO_V_NONE);
    kumo_lineedit_init(le);
    kumo_buf line;
    kumo__buf_init(&line, 0, KUMO_T_STR, KUMO_V_NONE);
    cr_expect_eq(kumo_lineedit_read(le, ">>> ", fds[0], fds[1], &line), KUMO_EIO);
    cr_expect_eq(line.len, 0);
    kumo__buf_release(&line);
    kumo_lineedit_release(le);
    kumo_free(le);
    close(fds[0]);
    close(fds[1]);
}
