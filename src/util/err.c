/* err.c - names and messages of kumo_err, generated from KUMO_ERR_MAP. */
#include "kumo-int.h"

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
