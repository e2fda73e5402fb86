/*
 * graph_redact: replaces known secret values with "[redacted]". See graph_redact.h.
 */
#include "graph_redact.h"
#include "../../schema/base/xalloc.h"

#include <string.h>

#define REDACTED "[redacted]"

/* Shorter values would match ordinary text; no real secret or token is this short. */
#define MIN_SECRET_LEN 6

static int redactor_knows(const struct graph_redactor *r, const char *s)
{
	size_t i;

	for (i = 0; i < r->nr; i++)
		if (!strcmp(r->secrets[i], s))
			return 1;
	return 0;
}

static void redactor_push(struct graph_redactor *r, const char *s)
{
	if (strlen(s) < MIN_SECRET_LEN || redactor_knows(r, s))
		return;
	ALLOC_GROW(r->secrets, r->nr + 1, r->alloc);
	r->secrets[r->nr++] = xstrdup(s);
}

void graph_redact_add(struct graph_redactor *r, const char *secret)
{
	struct strbuf encoded = STRBUF_INIT;

	if (!secret || !*secret)
		return;
	redactor_push(r, secret);
	strbuf_add_urlencoded(&encoded, secret);
	redactor_push(r, encoded.buf);
	strbuf_release(&encoded);
}

/* The longest known secret starting at s, or 0. */
static size_t secret_at(const struct graph_redactor *r, const char *s)
{
	size_t i, best = 0;

	for (i = 0; i < r->nr; i++) {
		size_t len = strlen(r->secrets[i]);

		if (len > best && !strncmp(s, r->secrets[i], len))
			best = len;
	}
	return best;
}

void graph_redact_addstr(const struct graph_redactor *r, struct strbuf *sb, const char *text)
{
	const char *p = text;

	if (!text)
		return;
	while (*p) {
		size_t len = r->nr ? secret_at(r, p) : 0;

		if (len) {
			strbuf_addstr(sb, REDACTED);
			p += len;
		} else {
			strbuf_addch(sb, *p++);
		}
	}
}

char *graph_redact(const struct graph_redactor *r, const char *text)
{
	struct strbuf sb = STRBUF_INIT;

	if (!text)
		return NULL;
	graph_redact_addstr(r, &sb, text);
	return strbuf_detach(&sb, NULL);
}

void graph_redact_release(struct graph_redactor *r)
{
	size_t i;

	for (i = 0; i < r->nr; i++)
		free(r->secrets[i]);
	free(r->secrets);
	r->secrets = NULL;
	r->nr = r->alloc = 0;
}
