/*
 * graph_redact: keeps secrets out of everything the graph backend prints.
 *
 * The client registers every secret value it handles (client secret, access
 * tokens, federated assertions, the GitHub request token) with a redactor;
 * any string bound for stderr or an error message passes through
 * graph_redact() first, which replaces each known value, and its URL-encoded
 * form, with "[redacted]". Matching known values instead of guessing at
 * patterns means a secret is caught wherever it was echoed.
 */
#ifndef B2B_GRAPH_REDACT_H
#define B2B_GRAPH_REDACT_H

#include "../../schema/base/strbuf.h"

#include <stddef.h>

struct graph_redactor {
	char **secrets;
	size_t nr, alloc;
};

#define GRAPH_REDACTOR_INIT                                                                        \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

/* Remembers a secret (copied); NULL, empty and already known values are ignored. */
void graph_redact_add(struct graph_redactor *r, const char *secret);
/* A new string: text with every known secret replaced. NULL gives NULL. */
char *graph_redact(const struct graph_redactor *r, const char *text);
/* Appends text to sb with every known secret replaced. */
void graph_redact_addstr(const struct graph_redactor *r, struct strbuf *sb, const char *text);
void graph_redact_release(struct graph_redactor *r);

#endif
