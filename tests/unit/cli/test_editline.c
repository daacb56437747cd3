/* test_editline.c - libedit loaded only when `kumo shell` reads a terminal; without it (a
 * missing file, a library without its symbols) one line says so and the shell reads plain
 * lines on the terminal: a prompt, Ctrl-C drops the line, Ctrl-D leaves. */
#include <criterion/criterion.h>
#include <gnu/lib-names.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kumo-int.h"
/* The cli objects are not in the test binary: compile the loader here. */
#include "cli/editline.c"
#include "lib/clirun.h"
#include "lib/dlcheck.h"
#include "lib/pty.h"
#include "sonames.h"

TestSuite(editline, .timeout = 120);

typedef kumo_pty tty;

/* `kumo shell` on a new pty with KUMO_LIBEDIT=file, its history in a place of its own. */
static void tty_start(tty *t, const char *file)
{
    char env[PATH_MAX + 64];
    snprintf(env, sizeof(env), "%s=%s", KUMO_EDITLINE_ENV, file);
    kumo_pty_shell(t, (const char *const[]){env, "XDG_STATE_HOME=/nonexistent/kumo-test-state",
                                            "KUMO_CONF=/dev/null", NULL});
}

/* Type s after the prompt; what was read so far is dropped. */
static void tty_type(tty *t, const char *s)
{
    cr_assert(kumo_pty_wait(t, ">>> "), "no prompt: '%s'", t->buf);
    t->len = 0;
    t->buf[0] = '\0';
    cr_assert_eq(write(t->fd, s, strlen(s)), (ssize_t)strlen(s));
}

/* The shell says why once, then reads lines: one runs, Ctrl-C drops one, Ctrl-D leaves. */
static void plain_lines(const char *file, const char *why)
{
    tty t;
    tty_start(&t, file);
    cr_assert(kumo_pty_wait(&t, why), "no line saying why: '%s'", t.buf);
    cr_expect(kumo_pty_wait(&t, "reading lines without editing, history or completion"),
              "'%s'", t.buf);
    tty_type(&t, "6 * 7\n");
    cr_assert(kumo_pty_wait(&t, "42\r\n>>> "), "'%s'", t.buf);
    tty_type(&t, "1 + \x03");      /* the terminal's Ctrl-C: SIGINT, the line flushed */
    cr_assert(kumo_pty_wait(&t, "KeyboardInterrupt"), "'%s'", t.buf);
    tty_type(&t, "2 * 21\n");
    cr_assert(kumo_pty_wait(&t, "42\r\n>>> "), "the dropped line came back: '%s'", t.buf);
    tty_type(&t, "\x04");
    cr_assert_eq(kumo_pty_end(&t), 0);
}

Test(editline, a_missing_libedit_leaves_plain_lines)
{
    plain_lines("/nonexistent/kumo/libedit.so.2",
                "kumo: shell: line editing: cannot load '/nonexistent/kumo/libedit.so.2' (from "
                KUMO_EDITLINE_ENV "): ");
}

Test(editline, a_library_without_readline_leaves_plain_lines)
{
    char why[256];
    snprintf(why, sizeof(why), "kumo: shell: line editing: '%s' (from %s) has no symbol "
             "'readline'", LIBM_SO, KUMO_EDITLINE_ENV);
    plain_lines(LIBM_SO, why);
}

Test(editline, a_pipe_or_c_never_loads_it)
{
    kumo_clirun r;
    cr_assert_eq(kumo_clirun_run(&r, NULL, KUMO_EDITLINE_ENV "=/nonexistent/libedit.so",
                                 "shell -c '6 * 7'"), 0, "%s", r.err);
    cr_expect_str_eq(r.out, "42\n");
    cr_expect_str_eq(r.err, "", "libedit was looked for: %s", r.err);
    cr_assert_eq(kumo_clirun_run(&r, NULL, KUMO_EDITLINE_ENV "=/nonexistent/libedit.so",
                                 "shell < /dev/null"), 0, "%s", r.err);
    cr_expect_str_eq(r.err, "", "libedit was looked for: %s", r.err);
}

Test(editline, built_for_the_soname_of_its_header)
{
    /* the shell's table, loaded here as the shell does: every symbol, from that soname */
    char err[512] = "";
    unsetenv(KUMO_EDITLINE_ENV);
    cr_assert_eq(kumo_editline_load(err, sizeof(err)), KUMO_OK, "%s", err);
#define NOT_NULL(sym) cr_expect(kumo_editline.sym, #sym " is not in the table");
    KUMO_EDITLINE_SYMBOLS(NOT_NULL)
#undef NOT_NULL
    kumo_expect_from_soname((const void *)kumo_editline.readline, "readline",
                            KUMO_SONAME_EDIT);
}
