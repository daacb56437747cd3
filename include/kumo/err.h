/* kumo/err.h - the one error enum of kumo, its names and messages. */
#ifndef KUMO_ERR_H
#define KUMO_ERR_H

/*
 * The error convention, for kumo and for plugins:
 *
 * - A code is a kumo_err: KUMO_OK is 0, every other code is positive.  The flow codes
 *   (nginx style) come first: KUMO_OK go on, KUMO_EDECLINED not mine, KUMO_EDONE
 *   short-circuit (a response or a new request took the place of the input), KUMO_EAGAIN
 *   call me again; then the errors.  KUMO_EIGNORED is the one word for "dropped", in every
 *   chain: a request, a response, a spider output or an item (kumo/plugin.h).
 * - A function that can fail returns its code as an int holding a kumo_err: never -1, never
 *   a private code.  A lookup that may find nothing returns KUMO_ENOENT, or a value that
 *   says "none" (NULL, SIZE_MAX) documented as not an error.
 * - A function that makes an object returns it, or NULL when it failed; when the caller
 *   needs to know why, the code comes through an optional `int *err` (may be NULL).
 * - A one-line message, when there is one, goes to an optional `(char *err, size_t errlen)`
 *   buffer: it may be NULL / 0 (then only the code tells), it is always NUL-terminated when
 *   errlen > 0, and the message says what failed first and quotes the subject:
 *   "cannot open 'x.so': No such file or directory".
 * - A function that takes a callback and fails never calls it.
 *
 * X(name, message).  Append only: values are part of the plugin ABI.
 */
#define KUMO_ERR_MAP(X)                                                     \
    X(OK, "success")                                                        \
    X(EDECLINED, "declined")                                                \
    X(EDONE, "done")                                                        \
    X(EAGAIN, "try again")                                                  \
    X(ENOMEM, "out of memory")                                              \
    X(EINVAL, "invalid argument")                                           \
    X(ENOENT, "not found")                                                  \
    X(EIO, "input/output error")                                            \
    X(ESYNTAX, "syntax error")                                              \
    X(ETOOBIG, "too big")                                                   \
    X(ETIMEDOUT, "timed out")                                               \
    X(ECONNREFUSED, "connection refused")                                   \
    X(EDNS, "could not resolve host")                                       \
    X(ECONN, "connection error")                                            \
    X(EPROTO, "protocol error")                                             \
    X(EURL, "bad url")                                                      \
    X(ESCHEME, "unsupported url scheme")                                    \
    X(EABI, "plugin ABI mismatch")                                          \
    X(EIGNORED, "ignored")                                                  \
    X(EHTTP, "http error")                                                  \
    X(ECANCELED, "canceled")                                                \
    X(EDECODE, "content decoding failed")                                   \
    X(ELIBRARY, "a library it needs cannot be loaded")

typedef enum kumo_err {
#define KUMO_ERR_ENUM(name, msg) KUMO_##name,
    KUMO_ERR_MAP(KUMO_ERR_ENUM)
#undef KUMO_ERR_ENUM
    KUMO_ERR_MAX
} kumo_err;

/* Returns a static message for err ("timed out"); never NULL. */
const char *kumo_strerror(int err);

/* Returns the static symbolic name of err without prefix ("ETIMEDOUT"); never NULL. */
const char *kumo_errname(int err);

#endif
