/*
 * render: a plan for people and for programs. Renderers only format what the
 * plan holds; they never compute, read the tenant or decide.
 *
 *   text      the terminal, as Terraform prints a plan (colour optional)
 *   markdown  a pull-request comment that always fits GitHub's limit
 *   json      the plan JSON contract (DESIGN.md §6)
 */
#ifndef B2B_RENDER_H
#define B2B_RENDER_H

#include "../reconcile/plan.h"
#include "../schema/base/strbuf.h"
#include "../schema/config.h"

#include <stddef.h>

enum render_format {
	RENDER_TEXT,
	RENDER_MARKDOWN,
	RENDER_JSON,
};

/* Which command's words to use: a plan proposes changes, drift reports differences. */
enum render_mode {
	RENDER_PLAN,
	RENDER_DRIFT,
};

/* GitHub refuses comments longer than this many characters. */
#define RENDER_MARKDOWN_LIMIT 65536

struct render_options {
	enum render_mode mode;
	/* text: ANSI colours */
	int color;
	/* markdown: the most bytes to produce; 0 for RENDER_MARKDOWN_LIMIT */
	size_t markdown_limit;
	/* markdown: the configuration, to embed the access map of what changes; may be NULL */
	const struct config *cfg;
};

/* The markdown plan embeds the access map of what changes when it has at most this many nodes. */
#define RENDER_MAP_MAX_NODES 50

/* "text", "markdown", "json"; -1 otherwise. */
int render_format_from_name(const char *name);

void render_text(struct strbuf *out, const struct plan *plan, const struct render_options *opts);
void render_markdown(struct strbuf *out, const struct plan *plan,
		     const struct render_options *opts);
/*
 * render_markdown with absolute file links: link_base is a URL prefix such as
 * "https://github.com/o/r/blob/SHA/", link_prefix the current folder within the
 * repository ("" or "dir/") for files on disk; files read from a git revision
 * ("REV:path") are repository paths already. render_markdown links relatively.
 */
void render_markdown_linked(struct strbuf *out, const struct plan *plan,
			    const struct render_options *opts, const char *link_base,
			    const char *link_prefix);
void render_json(struct strbuf *out, const struct plan *plan);
void render_plan(struct strbuf *out, const struct plan *plan, enum render_format format,
		 const struct render_options *opts);

/* "1 to create, 2 to update, 0 to delete" */
void render_add_counts(struct strbuf *out, const struct plan *plan);

#endif
