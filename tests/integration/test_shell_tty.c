/* test_shell_tty.c - `kumo shell` on a terminal (a pty): libedit's Tab completion of names
 * and attributes, Ctrl-C, the history file kept across sessions and Ctrl-R searching it. */
#include <criterion/criterion.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include "kumo-int.h"

#include "lib/pty.h"

typedef kumo_pty tty;

static char state[64];

static void setup(void)
{
    snprintf(state, sizeof(state), "/tmp/kumo-tty-XXXXXX");
    cr_assert(mkdtemp(state));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", state);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(shell_tty, .init = setup, .fini = teardown, .timeout = 240);

/* Start `kumo shell` on a new pty, its history under XDG_STATE_HOME=state/xdg. */
static void tty_start(tty *t)
{
    char xdg[96];
    snprintf(xdg, sizeof(xdg), "XDG_STATE_HOME=%s/xdg", state);
    kumo_pty_shell(t, (const char *const[]){xdg, NULL});
}

/* Whether libedit reads the terminal now: it switches it out of canonical mode while it
 * reads a line (and back while a line runs).  Waits at most 30 s. */
static bool tty_reading(const tty *t)
{
    for (int i = 0; i < 3000; i++) {
        struct termios tio;
        if (tcgetattr(t->fd, &tio) != 0)
            return false;
        if (!(tio.c_lflag & ICANON))
            return true;
        usleep(10000);
    }
    return false;
}

/* Type s, after the prompt came; what was read so far is dropped.  Wait for the prompt that
 * follows a command's output (e.g. "42\r\n>>> "), not an older one: typed before libedit
 * reads again, a Ctrl-D would meet the terminal in its cooked mode and be lost. */
static void tty_type(tty *t, const char *s)
{
    cr_assert(kumo_pty_wait(t, ">>> "), "no prompt: '%s'", t->buf);
    cr_assert(tty_reading(t), "libedit never switched the terminal to raw mode: '%s'", t->buf);
    t->len = 0;
    t->buf[0] = '\0';
    cr_assert_eq(write(t->fd, s, strlen(s)), (ssize_t)strlen(s));
}

Test(shell_tty, tab_completes_and_ctrl_c_drops_the_line)
{
    tty t;
    tty_start(&t);
    tty_type(&t, "Requ\t");
    cr_assert(kumo_pty_wait(&t, "est"), "Tab did not complete: '%s'", t.buf);
    cr_assert_eq(write(t.fd, "\r", 1), 1);
    cr_assert(kumo_pty_wait(&t, "<class 'scrapy.http.request.Request'>"), "'%s'", t.buf);
    tty_type(&t, "spider.na\t\r");
    cr_assert(kumo_pty_wait(&t, "'default'"), "attribute completion: '%s'", t.buf);
    tty_type(&t, "1 + ");
    usleep(200000);
    kill(t.pid, SIGINT);
    cr_assert(kumo_pty_wait(&t, "KeyboardInterrupt"), "'%s'", t.buf);
    tty_type(&t, "6 * 7\r");
    cr_assert(kumo_pty_wait(&t, "42\r\n>>> "), "'%s'", t.buf);
    tty_type(&t, "\x04");
    cr_assert_eq(kumo_pty_end(&t), 0, "'%s'", (t.buf[t.len] = '\0', t.buf));
}

Test(shell_tty, history_is_kept_and_searched)
{
    tty t;
    tty_start(&t);
    tty_type(&t, "answer = 41 + 1\r");
    tty_type(&t, "exit()\r");
    cr_assert_eq(kumo_pty_end(&t), 0);

    char path[128], text[4096] = "";
    snprintf(path, sizeof(path), "%s/xdg/kumo/history", state);
    FILE *f = fopen(path, "r");
    cr_assert(f, "no history file at %s", path);
    text[fread(text, 1, sizeof(text) - 1, f)] = '\0';
    fclose(f);
    cr_assert(strstr(text, "answer"), "%s", text);

    /* a new session: Ctrl-R finds the line, Enter runs it */
    tty_start(&t);
    tty_type(&t, "\x12");
    cr_assert(kumo_pty_wait(&t, "bck:"), "Ctrl-R did not start a search: '%s'", t.buf);
    cr_assert_eq(write(t.fd, "answer =", 8), 8);
    cr_assert(kumo_pty_wait(&t, "41 + 1"), "the search did not find the line: '%s'", t.buf);
    cr_assert_eq(write(t.fd, "\r", 1), 1);
    tty_type(&t, "answer\r");
    cr_assert(kumo_pty_wait(&t, "42\r\n>>> "), "the searched line did not run: '%s'", t.buf);
    tty_type(&t, "\x04");
    cr_assert_eq(kumo_pty_end(&t), 0, "'%s'", (t.buf[t.len] = '\0', t.buf));
}
