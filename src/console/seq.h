/* seq.h - the console's list, tuple and slice types. */
#ifndef KUMO_CONSOLE_SEQ_H
#define KUMO_CONSOLE_SEQ_H

#include "console/object.h"

extern const cv_vtable cv_list_type, cv_tuple_type, cv_slice_type;

/* Resolve a slice against a length, Python's slice.indices(). */
int cv_slice_indices(cv_ctx *c, cval *slice, size_t len, int64_t *start, int64_t *stop,
                     int64_t *step, size_t *count);

#endif
