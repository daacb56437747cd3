/* complete.h - completion of the word before the cursor: what Tab offers in `kumo shell`
 * and on the telnet console. */
#ifndef KUMO_CONSOLE_COMPLETE_H
#define KUMO_CONSOLE_COMPLETE_H

#include "kumo-int.h"

#define KUMO_COMPLETE_MAX 256       /* candidates one completion returns at most */

struct kumo_repl;

/*
 * The completions of the word that ends line[0..len) (the text before the cursor), as
 * Python's rlcompleter offers them: a name of the session, the namespace or the language
 * ("resp" -> "response"), or an attribute of a dotted chain of names ("response.c" ->
 * "response.cb_kwargs", "response.css"), through the object protocol every value answers
 * (dir()).  Names starting with '_' only when the word does.  Nothing is evaluated but the
 * names and attribute reads of the chain: no call, no index.  Sets *start to the offset
 * where the word begins and returns how many candidates it stored in *out: whole words,
 * sorted, without duplicates, at most KUMO_COMPLETE_MAX; *out is a new array of new
 * strings (kumo__complete_free()), NULL when there are none.
 */
size_t kumo__complete(struct kumo_repl *r, const char *line, size_t len, size_t *start,
                      char ***out);

/* Free what kumo__complete() returned. */
void kumo__complete_free(char **v, size_t n);

#endif
