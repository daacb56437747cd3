/* num.c - the console's None, bool, int and float: truth, equality, ordering, arithmetic
 * (64-bit ints that raise OverflowError), and Python's repr of a float. */
#include "console/num.h"
#include <math.h>

static bool is_num(const cval *v)
{
    return v->type == CV_BOOL || v->type == CV_INT || v->type == CV_FLOAT;
}

static bool is_int(const cval *v)
{
    return v->type == CV_BOOL || v->type == CV_INT;
}

static int64_t ival(const cval *v)
{
    return v->type == CV_INT ? v->u.i : v->u.b;
}

static double fval(const cval *v)
{
    return v->type == CV_FLOAT ? v->u.f : (double)ival(v);
}

bool cv_int_like(const cval *v, int64_t *out)
{
    if (!is_int(v))
        return false;
    *out = ival(v);
    return true;
}

int cv_as_index(cv_ctx *c, cval *v, int64_t *out)
{
    if (cv_int_like(v, out))
        return KUMO_OK;
    return cv_raisei(c, "TypeError", "indices must be integers or slices, not %s",
                     cv_type_name(v));
}

/* ---------------------------------------------------------------- truth, equality, order */

static int none_truthy(cv_ctx *c, cval *self)
{
    return 0;
}

static int num_truthy(cv_ctx *c, cval *self)
{
    return self->type == CV_FLOAT ? self->u.f != 0.0 : ival(self) != 0;
}

static int cmp_num(const cval *a, const cval *b)
{
    if (a->type != CV_FLOAT && b->type != CV_FLOAT) {
        int64_t x = ival(a), y = ival(b);
        return x < y ? -1 : x > y;
    }
    double x = fval(a), y = fval(b);
    return x < y ? -1 : x > y ? 1 : x == y ? 0 : 2;     /* 2: unordered (nan) */
}

static int num_equal(cv_ctx *c, cval *a, cval *b)
{
    return is_num(b) && cmp_num(a, b) == 0;
}

static int num_compare(cv_ctx *c, cval *a, cval *b, const char *opname, int *cmp)
{
    if (!is_num(b))
        return KUMO_EDECLINED;
    *cmp = cmp_num(a, b);
    return KUMO_OK;
}

/* CPython caches the small ints: `1 is 1`. */
static int int_same(cval *a, cval *b)
{
    return a->u.i == b->u.i && a->u.i >= -5 && a->u.i <= 256;
}

/* ---------------------------------------------------------------- arithmetic */

static cval *overflow(cv_ctx *c)
{
    return cv_raise(c, "OverflowError", "integer result too large for the console (64 bits)");
}

static cval *int_op(cv_ctx *c, cp_op op, int64_t x, int64_t y)
{
    int64_t r;
    switch (op) {
    case CP_OP_ADD:
        return __builtin_add_overflow(x, y, &r) ? overflow(c) : cv_int(r);
    case CP_OP_SUB:
        return __builtin_sub_overflow(x, y, &r) ? overflow(c) : cv_int(r);
    case CP_OP_MUL:
        return __builtin_mul_overflow(x, y, &r) ? overflow(c) : cv_int(r);
    case CP_OP_DIV:
        if (y == 0)
            return cv_raise(c, "ZeroDivisionError", "division by zero");
        return cv_float((double)x / (double)y);
    case CP_OP_FLOORDIV:
    case CP_OP_MOD: {
        if (y == 0)
            return cv_raise(c, "ZeroDivisionError", op == CP_OP_MOD ? "integer modulo by zero"
                                                                    : "integer division or "
                                                                      "modulo by zero");
        if (x == INT64_MIN && y == -1)
            return op == CP_OP_MOD ? cv_int(0) : overflow(c);
        int64_t q = x / y, m = x % y;
        if (m != 0 && ((m < 0) != (y < 0))) {
            q--;
            m += y;
        }
        return cv_int(op == CP_OP_MOD ? m : q);
    }
    case CP_OP_POW: {
        if (y < 0) {
            if (x == 0)
                return cv_raise(c, "ZeroDivisionError",
                                "0.0 cannot be raised to a negative power");
            return cv_float(pow((double)x, (double)y));
        }
        int64_t acc = 1, base = x;
        while (y) {
            if ((y & 1) && __builtin_mul_overflow(acc, base, &acc))
                return overflow(c);
            y >>= 1;
            if (y && __builtin_mul_overflow(base, base, &base))
                return overflow(c);
        }
        return cv_int(acc);
    }
    default:
        return NULL;
    }
}

static cval *float_op(cv_ctx *c, cp_op op, double x, double y)
{
    switch (op) {
    case CP_OP_ADD:
        return cv_float(x + y);
    case CP_OP_SUB:
        return cv_float(x - y);
    case CP_OP_MUL:
        return cv_float(x * y);
    case CP_OP_DIV:
        if (y == 0)
            return cv_raise(c, "ZeroDivisionError", "float division by zero");
        return cv_float(x / y);
    case CP_OP_FLOORDIV:
        if (y == 0)
            return cv_raise(c, "ZeroDivisionError", "float floor division by zero");
        return cv_float(floor(x / y));
    case CP_OP_MOD: {
        if (y == 0)
            return cv_raise(c, "ZeroDivisionError", "float modulo");
        double m = fmod(x, y);
        if (m != 0 && ((m < 0) != (y < 0)))
            m += y;
        return cv_float(m);
    }
    case CP_OP_POW:
        if (x == 0 && y < 0)
            return cv_raise(c, "ZeroDivisionError", "0.0 cannot be raised to a negative power");
        return cv_float(pow(x, y));
    default:
        return NULL;
    }
}

static cval *num_binop(cv_ctx *c, int op, cval *a, cval *b)
{
    if (!is_num(a) || !is_num(b))
        return NULL;
    if (is_int(a) && is_int(b))
        return int_op(c, op, ival(a), ival(b));
    return float_op(c, op, fval(a), fval(b));
}

static cval *num_unary(cv_ctx *c, int op, cval *v)
{
    if (op == CP_OP_NEG && is_int(v)) {
        if (ival(v) == INT64_MIN)
            return overflow(c);
        return cv_int(-ival(v));
    }
    if (op == CP_OP_NEG && v->type == CV_FLOAT)
        return cv_float(-v->u.f);
    if (op == CP_OP_POS && is_int(v))
        return cv_int(ival(v));
    if (op == CP_OP_POS && v->type == CV_FLOAT)
        return cv_float(v->u.f);
    if (op == CP_OP_INV && is_int(v))
        return cv_int(~ival(v));
    return NULL;
}

/* ---------------------------------------------------------------- repr */

void cv_float_repr(double f, char *dst, size_t n)
{
    if (isnan(f)) {
        snprintf(dst, n, "nan");
        return;
    }
    if (isinf(f)) {
        snprintf(dst, n, f < 0 ? "-inf" : "inf");
        return;
    }
    /* The shortest digits that read back as f, laid out as Python's repr does. */
    char e[40];
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(e, sizeof(e), "%.*e", prec - 1, f);
        if (strtod(e, NULL) == f)
            break;
    }
    char digits[24];
    size_t nd = 0;
    const char *p = e;
    bool neg = *p == '-';
    if (neg)
        p++;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            digits[nd++] = *p;
    int exp = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    digits[nd] = '\0';
    char out[64];
    size_t o = 0;
    if (neg)
        out[o++] = '-';
    if (exp < -4 || exp >= 16) {
        out[o++] = digits[0];
        if (nd > 1) {
            out[o++] = '.';
            memcpy(out + o, digits + 1, nd - 1);
            o += nd - 1;
        }
        snprintf(out + o, sizeof(out) - o, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
    } else if (exp < 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (int i = -1; i > exp; i--)
            out[o++] = '0';
        memcpy(out + o, digits, nd);
        o += nd;
        out[o] = '\0';
    } else {
        for (int i = 0; i <= exp; i++)
            out[o++] = (size_t)i < nd ? digits[i] : '0';
        out[o++] = '.';
        if ((size_t)exp + 1 < nd) {
            memcpy(out + o, digits + exp + 1, nd - (size_t)exp - 1);
            o += nd - (size_t)exp - 1;
        } else {
            out[o++] = '0';
        }
        out[o] = '\0';
    }
    snprintf(dst, n, "%s", out);
}

static int none_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    return cv_write(c, b, "None", 4);
}

static int bool_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    return cv_writes(c, b, self->u.b ? "True" : "False");
}

static int int_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    char num[64];
    snprintf(num, sizeof(num), "%lld", (long long)self->u.i);
    return cv_writes(c, b, num);
}

static int float_repr(cv_ctx *c, cval *self, kumo_buf *b)
{
    char num[64];
    cv_float_repr(self->u.f, num, sizeof(num));
    return cv_writes(c, b, num);
}

/* ---------------------------------------------------------------- the types */

const cv_vtable cv_none_type = {
    .name = "NoneType", .repr = none_repr, .truthy = none_truthy,
};

#define NUM_SLOTS \
    .truthy = num_truthy, .equal = num_equal, .compare = num_compare, .binop = num_binop, \
    .unary = num_unary

const cv_vtable cv_bool_type = {.name = "bool", .repr = bool_repr, NUM_SLOTS};
const cv_vtable cv_int_type = {.name = "int", .repr = int_repr, .same = int_same, NUM_SLOTS};
const cv_vtable cv_float_type = {.name = "float", .repr = float_repr, NUM_SLOTS};
