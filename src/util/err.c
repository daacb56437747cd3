/* err.c - names and messages of kumo_err (from KUMO_ERR_MAP), and error buffers. */
#include "util/err.h"

static const char *const messages[] = {
#define MSG(name, msg) msg,
    KUMO_ERR_MAP(MSG)
#undef MSG
};

static const char *const names[] = {
#define NAME(name, msg) #name,
    KUMO_ERR_MAP(NAME)
#undef NAME
};

const char *kumo_strerror(int err)
{
    return err >= 0 && err < KUMO_ERR_MAX ? messages[err] : "unknown error";
}

const char *kumo_errname(int err)
{
    return err >= 0 && err < KUMO_ERR_MAX ? names[err] : "EUNKNOWN";
}

void kumo__err_printf(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}
