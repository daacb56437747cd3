/* heap.h - binary heaps on arrays, generated per element type so the comparison inlines
 * (the scheduler's memory queue and the job queue's side queue share them). */
#ifndef KUMO_HEAP_H
#define KUMO_HEAP_H

#include <stddef.h>

/*
 * KUMO_HEAP_DEFINE(name, type, before) defines, for arrays of type ordered so that the
 * element x with before(x, y) for every other y is on top (before is a function or macro
 * taking two type values):
 *
 *   void name_push(type *h, size_t *len, type e)
 *       add e to h[0..*len); the caller has made room for one more element.
 *   type name_pop(type *h, size_t *len)
 *       remove and return the top of h[0..*len); *len must not be 0.
 */
#define KUMO_HEAP_DEFINE(name, type, before)                                \
    static inline void name##_push(type *h, size_t *len, type e)            \
    {                                                                       \
        size_t i = (*len)++;                                                \
        while (i && before(e, h[(i - 1) / 2])) {                            \
            h[i] = h[(i - 1) / 2];                                          \
            i = (i - 1) / 2;                                                \
        }                                                                   \
        h[i] = e;                                                           \
    }                                                                       \
                                                                            \
    static inline type name##_pop(type *h, size_t *len)                     \
    {                                                                       \
        type top = h[0];                                                    \
        type last = h[--(*len)];                                            \
        size_t n = *len, i = 0;                                             \
        for (;;) {                                                          \
            size_t l = 2 * i + 1, r = l + 1, m = i;                         \
            type best = last;                                               \
            if (l < n && before(h[l], best))                                \
                m = l, best = h[l];                                         \
            if (r < n && before(h[r], best))                                \
                m = r;                                                      \
            if (m == i)                                                     \
                break;                                                      \
            h[i] = h[m];                                                    \
            i = m;                                                          \
        }                                                                   \
        if (n)                                                              \
            h[i] = last;                                                    \
        return top;                                                         \
    }

#endif
