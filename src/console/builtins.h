/* builtins.h - Python's builtins in the console: len(), print(), repr(), int(), sorted(),
 * dir(), type(), isinstance(), help(), exit()... */
#ifndef KUMO_CONSOLE_BUILTINS_H
#define KUMO_CONSOLE_BUILTINS_H

#include "console/namespace.h"

/* Register Python's builtins into the namespace (after cn_init()).  Idempotent. */
void cb_init(void);

#endif
