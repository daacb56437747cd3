/* kumo/err.h - the one error enum of kumo, its names and messages. */
#ifndef KUMO_ERR_H
#define KUMO_ERR_H

/*
 * X(name, message).  Append only: values are part of the plugin ABI.
 * Flow codes (nginx style) come first: KUMO_OK go on, KUMO_EDECLINED not mine,
 * KUMO_EDONE short-circuit, KUMO_EAGAIN call me again.
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
    X(ECANCELED, "canceled")

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
