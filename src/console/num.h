/* num.h - the console's None, bool, int and float types: truth, equality, ordering,
 * arithmetic and Python's repr of a float. */
#ifndef KUMO_CONSOLE_NUM_H
#define KUMO_CONSOLE_NUM_H

#include "console/object.h"

extern const cv_vtable cv_none_type, cv_bool_type, cv_int_type, cv_float_type;

/* Whether v is an int or a bool; its value in *out when it is. */
bool cv_int_like(const cval *v, int64_t *out);

/* The int value of an int or bool, or a TypeError raised ("indices must be integers"). */
int cv_as_index(cv_ctx *c, cval *v, int64_t *out);

/* Python's repr of a float ("0.1", "1e+16", "inf") into dst. */
void cv_float_repr(double f, char *dst, size_t n);

#endif
