/* lineedit.h - a small line editor for `kumo shell` on a terminal: raw mode through termios,
 * cursor and Emacs keys, the session's history.  The key handling is pure, for tests. */
#ifndef KUMO_LINEEDIT_H
#define KUMO_LINEEDIT_H

#include "kumo-int.h"
#include "util/buf.h"

#define KUMO_LINEEDIT_MAX 16384         /* bytes in one line; more keys are ignored */
#define KUMO_LINEEDIT_HISTORY 1000      /* lines the session remembers */

/* What one key did. */
typedef enum kumo_lineedit_rc {
    KUMO_LINEEDIT_MORE,         /* edited (or nothing): keep reading keys */
    KUMO_LINEEDIT_LINE,         /* Enter: the line is ready in buf[0..len) */
    KUMO_LINEEDIT_EOF,          /* Ctrl-D on an empty line */
    KUMO_LINEEDIT_CANCEL,       /* Ctrl-C: the line was cleared */
} kumo_lineedit_rc;

/* The line being edited and the session's history.  Embedded: _init / _release. */
typedef struct kumo_lineedit {
    char buf[KUMO_LINEEDIT_MAX + 1];    /* the line, UTF-8, NUL-terminated */
    size_t len, pos;                    /* bytes in buf, cursor (a byte offset) */
    char **hist;                        /* owned, oldest first */
    size_t nhist;
    size_t hidx;                        /* the entry shown; nhist: the new line */
    char *saved;                        /* owned: the new line while browsing, or NULL */
    int esc;                            /* escape sequence state (0: none) */
    char seq[16];                       /* its parameter bytes */
    size_t nseq;
} kumo_lineedit;

void kumo_lineedit_init(kumo_lineedit *le);
void kumo_lineedit_release(kumo_lineedit *le);

/* Start a new empty line (the history stays). */
void kumo_lineedit_reset(kumo_lineedit *le);

/*
 * Feed one byte typed on the terminal: printable bytes (and UTF-8) insert at the cursor;
 * Left/Right, Home/End (also Ctrl-A/E, Ctrl-B/F), Backspace, Delete, Ctrl-K/U/W, Up/Down
 * (also Ctrl-P/N) through the history, Ctrl-D (delete, or EOF on an empty line), Ctrl-C,
 * Enter.  Escape sequences are fed byte by byte.  Returns what the byte did.
 */
kumo_lineedit_rc kumo_lineedit_feed(kumo_lineedit *le, unsigned char byte);

/* Feed every byte of s until one returns something else than MORE; returns that. */
kumo_lineedit_rc kumo_lineedit_feeds(kumo_lineedit *le, const char *s, size_t n);

/* Remember line (copied) at the end of the history, unless empty or equal to the last. */
void kumo_lineedit_history_add(kumo_lineedit *le, const char *line, size_t len);

/*
 * Append to out the terminal codes that redraw the line on a terminal cols wide: carriage
 * return, prompt (ASCII), the part of the line around the cursor that fits, erase to the
 * end of the row, cursor placement.
 */
void kumo_lineedit_render(const kumo_lineedit *le, const char *prompt, size_t cols,
                          kumo_buf *out);

/*
 * Read one line from the terminal infd (echoed on outfd) with editing, in raw mode for the
 * call only.  Ctrl-C clears the line and goes on.  Returns KUMO_OK with the line (no
 * newline) in line, KUMO_EDONE at Ctrl-D on an empty line or the end of input, KUMO_EIO
 * when infd is not a terminal or a read failed.
 */
int kumo_lineedit_read(kumo_lineedit *le, const char *prompt, int infd, int outfd,
                       kumo_buf *line);

#endif
