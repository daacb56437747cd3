/* func.h - the console's built-in functions and bound methods (builtin_function_or_method). */
#ifndef KUMO_CONSOLE_FUNC_H
#define KUMO_CONSOLE_FUNC_H

#include "console/object.h"

extern const cv_vtable cv_func_type;

#endif
