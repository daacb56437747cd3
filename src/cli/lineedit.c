/* lineedit.c - the shell's line editor: key handling, history, redraw, raw terminal mode. */
#include "cli/lineedit.h"
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#define KEY_CTRL(c) ((c) & 0x1f)
#define ESC 0x1b
#define DEL 0x7f

enum { ST_NONE, ST_ESC, ST_CSI, ST_SS3 };

void kumo_lineedit_init(kumo_lineedit *le)
{
    memset(le, 0, sizeof(*le));
}

void kumo_lineedit_release(kumo_lineedit *le)
{
    for (size_t i = 0; i < le->nhist; i++)
        kumo_free(le->hist[i]);
    kumo_free(le->hist);
    kumo_free(le->saved);
    kumo_lineedit_init(le);
}

void kumo_lineedit_reset(kumo_lineedit *le)
{
    le->len = le->pos = 0;
    le->buf[0] = '\0';
    le->hidx = le->nhist;
    kumo_free(le->saved);
    le->saved = NULL;
    le->esc = ST_NONE;
    le->nseq = 0;
}

void kumo_lineedit_history_add(kumo_lineedit *le, const char *line, size_t len)
{
    if (!len || memchr(line, '\0', len))
        return;
    if (le->nhist && strlen(le->hist[le->nhist - 1]) == len &&
        memcmp(le->hist[le->nhist - 1], line, len) == 0) {
        le->hidx = le->nhist;
        return;
    }
    if (le->nhist == KUMO_LINEEDIT_HISTORY) {
        kumo_free(le->hist[0]);
        memmove(le->hist, le->hist + 1, (le->nhist - 1) * sizeof(*le->hist));
        le->nhist--;
    } else {
        le->hist = kumo_realloc(le->hist, (le->nhist + 1) * sizeof(*le->hist), KUMO_T_LIST,
                                KUMO_V_TEXT);
    }
    char *copy = kumo_alloc(len + 1, KUMO_T_STR, KUMO_V_TEXT);
    memcpy(copy, line, len);
    copy[len] = '\0';
    le->hist[le->nhist++] = copy;
    le->hidx = le->nhist;
}

/* ---- editing ---- */

static bool is_cont(unsigned char b)
{
    return (b & 0xc0) == 0x80;
}

/* The start of the character before / after byte offset i. */
static size_t prev_char(const kumo_lineedit *le, size_t i)
{
    while (i > 0 && is_cont((unsigned char)le->buf[--i]))
        ;
    return i;
}

static size_t next_char(const kumo_lineedit *le, size_t i)
{
    if (i >= le->len)
        return le->len;
    while (++i < le->len && is_cont((unsigned char)le->buf[i]))
        ;
    return i;
}

/* Remove buf[from..to) and put the cursor at from. */
static void cut(kumo_lineedit *le, size_t from, size_t to)
{
    if (to <= from)
        return;
    memmove(le->buf + from, le->buf + to, le->len - to + 1);
    le->len -= to - from;
    le->pos = from;
}

static void insert(kumo_lineedit *le, const char *s, size_t n)
{
    if (le->len + n > KUMO_LINEEDIT_MAX)
        return;
    memmove(le->buf + le->pos + n, le->buf + le->pos, le->len - le->pos + 1);
    memcpy(le->buf + le->pos, s, n);
    le->len += n;
    le->pos += n;
}

/* Replace the whole line with s (cursor at the end). */
static void load(kumo_lineedit *le, const char *s)
{
    size_t n = KUMO_MIN(strlen(s), (size_t)KUMO_LINEEDIT_MAX);
    memcpy(le->buf, s, n);
    le->buf[n] = '\0';
    le->len = le->pos = n;
}

static void history_move(kumo_lineedit *le, int dir)
{
    if (dir < 0) {
        if (le->hidx == 0)
            return;
        if (le->hidx == le->nhist) {
            kumo_free(le->saved);
            le->saved = kumo_strdup(le->buf, KUMO_T_STR, KUMO_V_TEXT);
        }
        load(le, le->hist[--le->hidx]);
    } else {
        if (le->hidx >= le->nhist)
            return;
        if (++le->hidx == le->nhist) {
            load(le, le->saved ? le->saved : "");
            kumo_free(le->saved);
            le->saved = NULL;
        } else {
            load(le, le->hist[le->hidx]);
        }
    }
}

static bool is_word(unsigned char b)
{
    return b >= 0x80 || b == '_' || (b >= '0' && b <= '9') || ((b | 0x20) >= 'a' &&
                                                               (b | 0x20) <= 'z');
}

static size_t word_left(const kumo_lineedit *le)
{
    size_t i = le->pos;
    while (i > 0 && !is_word((unsigned char)le->buf[i - 1]))
        i--;
    while (i > 0 && is_word((unsigned char)le->buf[i - 1]))
        i--;
    return i;
}

static size_t word_right(const kumo_lineedit *le)
{
    size_t i = le->pos;
    while (i < le->len && !is_word((unsigned char)le->buf[i]))
        i++;
    while (i < le->len && is_word((unsigned char)le->buf[i]))
        i++;
    return i;
}

/* Ctrl-W: the whitespace-delimited word before the cursor (bash's unix-word-rubout). */
static void rubout_word(kumo_lineedit *le)
{
    size_t i = le->pos;
    while (i > 0 && le->buf[i - 1] == ' ')
        i--;
    while (i > 0 && le->buf[i - 1] != ' ')
        i--;
    cut(le, i, le->pos);
}

/* The end of a CSI (ESC [ params final) or SS3 (ESC O final) sequence. */
static void dispatch(kumo_lineedit *le, unsigned char final)
{
    le->seq[le->nseq] = '\0';
    const char *p = le->seq;
    bool ctrl = strcmp(p, "1;5") == 0 || strcmp(p, "5") == 0 || strcmp(p, "1;3") == 0;
    switch (final) {
    case 'A':
        history_move(le, -1);
        break;
    case 'B':
        history_move(le, 1);
        break;
    case 'C':
        le->pos = ctrl ? word_right(le) : next_char(le, le->pos);
        break;
    case 'D':
        le->pos = ctrl ? word_left(le) : prev_char(le, le->pos);
        break;
    case 'H':
        le->pos = 0;
        break;
    case 'F':
        le->pos = le->len;
        break;
    case '~':
        if (!strcmp(p, "1") || !strcmp(p, "7"))
            le->pos = 0;
        else if (!strcmp(p, "4") || !strcmp(p, "8"))
            le->pos = le->len;
        else if (!strcmp(p, "3"))
            cut(le, le->pos, next_char(le, le->pos));
        break;
    default:
        break;
    }
}

/* One byte of an escape sequence. */
static void feed_escape(kumo_lineedit *le, unsigned char b)
{
    switch (le->esc) {
    case ST_ESC:
        le->nseq = 0;
        le->esc = b == '[' ? ST_CSI : b == 'O' ? ST_SS3 : ST_NONE;
        if (b == 'b')               /* Alt-B, Alt-F: a word left, right */
            le->pos = word_left(le);
        else if (b == 'f')
            le->pos = word_right(le);
        return;
    case ST_CSI:
        if (b >= 0x20 && b <= 0x3f) {           /* parameter and intermediate bytes */
            if (le->nseq + 1 < sizeof(le->seq))
                le->seq[le->nseq++] = (char)b;
            else
                le->nseq = sizeof(le->seq);     /* too long: not a key we know */
            return;
        }
        le->esc = ST_NONE;
        if (b >= 0x40 && b <= 0x7e && le->nseq < sizeof(le->seq))
            dispatch(le, b);
        return;
    case ST_SS3:
        le->esc = ST_NONE;
        dispatch(le, b);
        return;
    default:
        le->esc = ST_NONE;
    }
}

kumo_lineedit_rc kumo_lineedit_feed(kumo_lineedit *le, unsigned char b)
{
    if (le->esc != ST_NONE) {
        feed_escape(le, b);
        return KUMO_LINEEDIT_MORE;
    }
    switch (b) {
    case '\r':
    case '\n':
        return KUMO_LINEEDIT_LINE;
    case ESC:
        le->esc = ST_ESC;
        break;
    case KEY_CTRL('a'):
        le->pos = 0;
        break;
    case KEY_CTRL('e'):
        le->pos = le->len;
        break;
    case KEY_CTRL('b'):
        le->pos = prev_char(le, le->pos);
        break;
    case KEY_CTRL('f'):
        le->pos = next_char(le, le->pos);
        break;
    case KEY_CTRL('h'):
    case DEL:
        cut(le, prev_char(le, le->pos), le->pos);
        break;
    case KEY_CTRL('d'):
        if (le->len == 0)
            return KUMO_LINEEDIT_EOF;
        cut(le, le->pos, next_char(le, le->pos));
        break;
    case KEY_CTRL('k'):
        cut(le, le->pos, le->len);
        break;
    case KEY_CTRL('u'):
        cut(le, 0, le->pos);
        break;
    case KEY_CTRL('w'):
        rubout_word(le);
        break;
    case KEY_CTRL('p'):
        history_move(le, -1);
        break;
    case KEY_CTRL('n'):
        history_move(le, 1);
        break;
    case KEY_CTRL('c'):
        kumo_lineedit_reset(le);
        return KUMO_LINEEDIT_CANCEL;
    case '\t':
        insert(le, "    ", 4);
        break;
    default:
        if (b >= 0x20) {
            char c = (char)b;
            insert(le, &c, 1);
        }
        break;
    }
    return KUMO_LINEEDIT_MORE;
}

kumo_lineedit_rc kumo_lineedit_feeds(kumo_lineedit *le, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        kumo_lineedit_rc rc = kumo_lineedit_feed(le, (unsigned char)s[i]);
        if (rc != KUMO_LINEEDIT_MORE)
            return rc;
    }
    return KUMO_LINEEDIT_MORE;
}

/* ---- drawing ---- */

/* Terminal columns of buf[from..to): one per character (wide characters are not told). */
static size_t width(const kumo_lineedit *le, size_t from, size_t to)
{
    size_t w = 0;
    for (size_t i = from; i < to; i++)
        w += !is_cont((unsigned char)le->buf[i]);
    return w;
}

void kumo_lineedit_render(const kumo_lineedit *le, const char *prompt, size_t cols,
                          kumo_buf *out)
{
    size_t plen = strlen(prompt);
    if (cols < plen + 2)
        cols = plen + 2;
    size_t room = cols - plen - 1;          /* the last column stays free for the cursor */
    size_t start = 0, end = le->len;
    while (width(le, start, le->pos) > room)
        start = next_char(le, start);
    while (width(le, start, end) > room)
        end = prev_char(le, end);
    kumo__buf_addc(out, '\r');
    kumo__buf_adds(out, prompt);
    kumo__buf_add(out, le->buf + start, end - start);
    kumo__buf_adds(out, "\x1b[0K\r");
    size_t col = plen + width(le, start, le->pos);
    if (col)
        kumo__buf_printf(out, "\x1b[%zuC", col);
}

/* ---- the terminal ---- */

static size_t term_cols(int fd)
{
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return KUMO_EIO;
        p += w;
        n -= (size_t)w;
    }
    return KUMO_OK;
}

static void redraw(const kumo_lineedit *le, const char *prompt, int outfd)
{
    kumo_buf b;
    kumo__buf_init(&b, 0, KUMO_T_STR, KUMO_V_TEXT);
    kumo_lineedit_render(le, prompt, term_cols(outfd), &b);
    write_all(outfd, b.s, b.len);
    kumo__buf_release(&b);
}

int kumo_lineedit_read(kumo_lineedit *le, const char *prompt, int infd, int outfd,
                       kumo_buf *line)
{
    struct termios orig, raw;
    if (!isatty(infd) || tcgetattr(infd, &orig) != 0)
        return KUMO_EIO;
    raw = orig;
    raw.c_iflag &= ~(tcflag_t)(BRKINT | ICRNL | INPCK | ISTRIP | IXON);
    raw.c_cflag |= CS8;
    raw.c_lflag &= ~(tcflag_t)(ECHO | ICANON | IEXTEN | ISIG);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    if (tcsetattr(infd, TCSADRAIN, &raw) != 0)
        return KUMO_EIO;

    int rc = KUMO_OK;
    kumo_lineedit_reset(le);
    redraw(le, prompt, outfd);
    for (;;) {
        unsigned char b;
        ssize_t n = read(infd, &b, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = n == 0 && le->len == 0 ? KUMO_EDONE : n == 0 ? KUMO_OK : KUMO_EIO;
            break;
        }
        kumo_lineedit_rc k = kumo_lineedit_feed(le, b);
        if (k == KUMO_LINEEDIT_LINE)
            break;
        if (k == KUMO_LINEEDIT_EOF) {
            rc = KUMO_EDONE;
            break;
        }
        if (k == KUMO_LINEEDIT_CANCEL) {
            write_all(outfd, "^C\n", 3);
            redraw(le, prompt, outfd);
            continue;
        }
        if (le->esc == 0)
            redraw(le, prompt, outfd);
    }
    tcsetattr(infd, TCSADRAIN, &orig);
    write_all(outfd, "\n", 1);
    if (rc == KUMO_OK) {
        kumo__buf_add(line, le->buf, le->len);
        kumo_lineedit_history_add(le, le->buf, le->len);
    }
    le->esc = 0;
    return rc;
}
