/* editline.h - libedit, loaded with dlopen() when `kumo shell` reads from a terminal: no other
 * command maps it (nor libtinfo, libbsd and libmd, which it brings).  Its readline emulation
 * is reached through kumo_editline, whose pointers have the types of <editline/readline.h>
 * (the soname is the one that header was built for: gen/sonames.h). */
#ifndef KUMO_CLI_EDITLINE_H
#define KUMO_CLI_EDITLINE_H

#include "kumo-int.h"
#include <editline/readline.h>

/* The environment variable that names another file to load (tests point it at a missing
 * one). */
#define KUMO_EDITLINE_ENV "KUMO_LIBEDIT"

/* Every libedit function and variable the shell uses. */
#define KUMO_EDITLINE_SYMBOLS(X)                                            \
    X(readline)                                                             \
    X(using_history)                                                        \
    X(stifle_history)                                                       \
    X(read_history)                                                         \
    X(write_history)                                                        \
    X(append_history)                                                       \
    X(history_truncate_file)                                                \
    X(history_get)                                                          \
    X(add_history)                                                          \
    X(history_base)                                                         \
    X(history_length)                                                       \
    X(rl_readline_name)                                                     \
    X(rl_line_buffer)                                                       \
    X(rl_basic_word_break_characters)                                       \
    X(rl_attempted_completion_function)                                     \
    X(rl_attempted_completion_over)                                         \
    X(rl_completion_append_character)

/* A function's pointer, or a variable's address: *kumo_editline.history_length. */
typedef struct kumo_editline_api {
#define KUMO_EDITLINE_FIELD(sym) __typeof__(sym) *sym;
    KUMO_EDITLINE_SYMBOLS(KUMO_EDITLINE_FIELD)
#undef KUMO_EDITLINE_FIELD
} kumo_editline_api;

/* The table; valid once kumo_editline_load() returned KUMO_OK. */
extern kumo_editline_api kumo_editline;

/*
 * Load libedit (once; later calls return at once).  Returns KUMO_OK, or KUMO_ELIBRARY with one
 * line in err[0..n): "line editing: cannot load 'libedit.so.2': <why>".
 */
int kumo_editline_load(char *err, size_t n);

#endif
