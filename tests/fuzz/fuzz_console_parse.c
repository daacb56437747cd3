/* fuzz_console_parse.c - the console's lexer and parser on one line of any bytes. */
#include "fuzz.h"
#include "console/lexer.h"
#include "console/parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cl_toks t;
    if (cl_lex((const char *)data, size, &t) == KUMO_OK) {
        cp_node *n = NULL;
        const char *etype = NULL;
        char err[256];
        if (cp_parse(&t, &n, &etype, err, sizeof(err)) == KUMO_OK)
            cp_free(n);
    }
    cl_release(&t);
    return 0;
}
