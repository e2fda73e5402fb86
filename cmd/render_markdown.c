/*
 * render_markdown: a plan as a pull-request comment.
 *
 * The summary line comes first, then deletions called out, a table of counts
 * per kind and one collapsed <details> section per kind with every action
 * linked to the file:line that asks for it. With plan --base, the actions this
 * change brings and those already pending on the base come in two groups; with
 * the configuration at hand, a Mermaid access map of what changes is embedded.
 *
 * Everything that comes from the configuration or the tenant (addresses,
 * values, file names) is escaped so that it reads as plain text: it cannot
 * start markup, close the <details>, break the table, insert HTML or mention
 * anyone. When the whole comment would pass GitHub's limit, a summary form is
 * produced instead (counts, deletions, the first actions) that fits; the
 * comment is never cut off in the middle.
 */
#include "access_map.h"
#include "render.h"
#include "../reconcile/kind.h"
#include "../schema/base/json_memory.h"
#include "../schema/base/xalloc.h"

#include <string.h>

/* Text that GitHub's Markdown shows as written. */
static void md_escape(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '<':
			strbuf_addstr(out, "&lt;");
			break;
		case '>':
			strbuf_addstr(out, "&gt;");
			break;
		case '&':
			strbuf_addstr(out, "&amp;");
			break;
		case '@':
			strbuf_addstr(out, "&#64;");
			break;
		case '\n':
			strbuf_addstr(out, "\\\\n");
			break;
		case '\r':
			strbuf_addstr(out, "\\\\r");
			break;
		case '|':
		case '`':
		case '*':
		case '_':
		case '[':
		case ']':
		case '\\':
		case '#':
		case '~':
		case '!':
		case '(':
		case ')':
			strbuf_addch(out, '\\');
			strbuf_addch(out, (char)c);
			break;
		default:
			strbuf_addch(out, (c < 0x20 || c == 0x7f) ? '?' : (char)c);
			break;
		}
	}
}

/* Where file links point (render_markdown_linked); both NULL for relative links. */
struct links {
	const char *base;
	const char *prefix;
};

static void add_encoded_path(struct strbuf *out, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	for (p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/.-_~", *p)) {
			strbuf_addch(out, (char)*p);
		} else {
			strbuf_addch(out, '%');
			strbuf_addch(out, hex[*p >> 4]);
			strbuf_addch(out, hex[*p & 15]);
		}
	}
}

/* A URL prefix fit to go inside (...) as it is. */
static int usable_link_base(const char *base)
{
	const char *p;

	if (!base || (strncmp(base, "https://", 8) && strncmp(base, "http://", 7)))
		return 0;
	for (p = base; *p; p++)
		if ((unsigned char)*p <= ' ' || strchr("()<>\"'`", *p))
			return 0;
	return 1;
}

/*
 * The link target of file:line: relative (`file#Lline`) by default; under
 * link_base when given, for files inside the repository.
 */
static void add_link_target(struct strbuf *out, const char *file, unsigned line,
			    const struct links *links)
{
	const char *colon = strchr(file, ':'), *slash = strchr(file, '/');
	int from_rev = colon && (!slash || colon < slash);
	const char *path = from_rev ? colon + 1 : file;

	if (usable_link_base(links->base) && path[0] != '/') {
		while (!strncmp(path, "./", 2))
			path += 2;
		strbuf_addstr(out, links->base);
		if (!from_rev && links->prefix)
			add_encoded_path(out, links->prefix);
	}
	add_encoded_path(out, path);
	strbuf_addf(out, "#L%u", line);
}

static void add_source_link(struct strbuf *out, const struct plan_action *a,
			    const struct links *links)
{
	if (!a->source_file) {
		strbuf_addstr(out, "(not in the configuration)");
		return;
	}
	strbuf_addstr(out, "([");
	md_escape(out, a->source_file);
	strbuf_addf(out, ":%u](", a->source_line);
	add_link_target(out, a->source_file, a->source_line, links);
	strbuf_addstr(out, "))");
}

static void add_value(struct strbuf *out, const json_t *v)
{
	char *text;

	if (!v) {
		strbuf_addstr(out, "null");
		return;
	}
	text = json_text(v, JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
	md_escape(out, text ? text : "?");
	free(text);
}

static const char *op_word(enum plan_op op)
{
	return op == PLAN_CREATE ? "create" : op == PLAN_UPDATE ? "update" : "delete";
}

static void add_action_line(struct strbuf *out, const struct plan_action *a,
			    const struct links *links)
{
	strbuf_addf(out, "- **%s** ", op_word(a->op));
	md_escape(out, a->address);
	strbuf_addch(out, ' ');
	add_source_link(out, a, links);
	if (a->last_changed) {
		strbuf_addstr(out, " — last changed ");
		md_escape(out, a->last_changed);
	}
	strbuf_addch(out, '\n');
}

static void add_action(struct strbuf *out, const struct plan_action *a, const struct links *links)
{
	size_t i;

	add_action_line(out, a, links);
	for (i = 0; i < a->changes_nr; i++) {
		const struct plan_change *c = &a->changes[i];

		strbuf_addstr(out, "  - ");
		md_escape(out, c->path);
		strbuf_addstr(out, ": ");
		if (a->op == PLAN_CREATE) {
			add_value(out, c->after);
		} else if (a->op == PLAN_DELETE) {
			add_value(out, c->before);
		} else {
			add_value(out, c->before);
			strbuf_addstr(out, " → ");
			add_value(out, c->after);
		}
		strbuf_addch(out, '\n');
	}
}

static void add_summary_line(struct strbuf *out, const struct plan *plan, int drift)
{
	if (!plan->nr) {
		strbuf_addstr(out, drift
				       ? "**No drift.** The tenant matches the configuration.\n"
				       : "**No changes.** The tenant matches the configuration.\n");
		return;
	}
	strbuf_addstr(out, drift ? "**Drift: " : "**Plan: ");
	render_add_counts(out, plan);
	strbuf_addstr(out, ".**\n");
}

/* The deletions, at most `max` of them by name. */
static void add_deletions(struct strbuf *out, const struct plan *plan, int drift, size_t max)
{
	size_t deletes = plan_count(plan, PLAN_DELETE), i, shown = 0;

	if (!deletes)
		return;
	strbuf_addf(out, "\n> [!CAUTION]\n> **%s %zu object%s:**\n",
		    drift ? "Applying the configuration would delete" : "This plan deletes",
		    deletes, deletes == 1 ? "" : "s");
	for (i = 0; i < plan->nr && shown < max; i++) {
		if (plan->actions[i].op != PLAN_DELETE)
			continue;
		strbuf_addstr(out, "> - ");
		md_escape(out, plan->actions[i].address);
		strbuf_addch(out, '\n');
		shown++;
	}
	if (shown < deletes)
		strbuf_addf(out, "> - and %zu more\n", deletes - shown);
}

/* origin PLAN_ORIGIN_UNKNOWN matches every action. */
static int in_group(const struct plan_action *a, const struct kind *kind, enum plan_origin origin)
{
	return a->kind == kind && (origin == PLAN_ORIGIN_UNKNOWN || a->origin == origin);
}

static void count_kind(const struct plan *plan, const struct kind *kind, enum plan_origin origin,
		       size_t counts[3])
{
	size_t i;

	counts[0] = counts[1] = counts[2] = 0;
	for (i = 0; i < plan->nr; i++)
		if (in_group(&plan->actions[i], kind, origin))
			counts[plan->actions[i].op]++;
}

static void add_count_table(struct strbuf *out, const struct plan *plan)
{
	size_t k, counts[3];

	strbuf_addstr(out, "\n| Kind | Create | Update | Delete |\n| --- | ---: | ---: | ---: |\n");
	for (k = 0; k < kinds_nr; k++) {
		count_kind(plan, kinds[k], PLAN_ORIGIN_UNKNOWN, counts);
		if (counts[0] + counts[1] + counts[2])
			strbuf_addf(out, "| %s | %zu | %zu | %zu |\n", kinds[k]->name, counts[0],
				    counts[1], counts[2]);
	}
}

static void add_kind_details(struct strbuf *out, const struct plan *plan, const struct kind *kind,
			     enum plan_origin origin, const struct links *links)
{
	size_t i, counts[3];

	count_kind(plan, kind, origin, counts);
	if (!(counts[0] + counts[1] + counts[2]))
		return;
	strbuf_addf(out,
		    "\n<details><summary>%s: %zu to create, %zu to update, %zu to "
		    "delete</summary>\n\n",
		    kind->name, counts[0], counts[1], counts[2]);
	for (i = 0; i < plan->nr; i++)
		if (in_group(&plan->actions[i], kind, origin))
			add_action(out, &plan->actions[i], links);
	strbuf_addstr(out, "\n</details>\n");
}

static void add_warnings(struct strbuf *out, const struct plan *plan, size_t max)
{
	size_t i;

	if (!plan->warnings.nr)
		return;
	strbuf_addstr(out, "\n**Warnings**\n\n");
	for (i = 0; i < plan->warnings.nr && i < max; i++) {
		const struct diag *d = &plan->warnings.items[i];

		strbuf_addstr(out, "- ");
		if (d->file) {
			md_escape(out, d->file);
			strbuf_addf(out, ":%u: ", d->line);
		}
		md_escape(out, d->message ? d->message : "");
		if (d->rule) {
			strbuf_addstr(out, " (");
			md_escape(out, d->rule);
			strbuf_addch(out, ')');
		}
		strbuf_addch(out, '\n');
	}
	if (i < plan->warnings.nr)
		strbuf_addf(out, "- and %zu more\n", plan->warnings.nr - i);
}

static size_t count_origin(const struct plan *plan, enum plan_origin origin)
{
	size_t i, n = 0;

	for (i = 0; i < plan->nr; i++)
		n += plan->actions[i].origin == origin;
	return n;
}

static void add_origin_group(struct strbuf *out, const struct plan *plan, enum plan_origin origin,
			     const char *heading, const struct links *links)
{
	size_t k, n = count_origin(plan, origin);

	strbuf_addf(out, "\n#### %s (%zu)\n", heading, n);
	if (!n)
		strbuf_addstr(out, "\nNone.\n");
	for (k = 0; k < kinds_nr; k++)
		add_kind_details(out, plan, kinds[k], origin, links);
}

/* The access map of what changes, when the configuration is at hand and the map is small. */
static void add_access_map(struct strbuf *out, const struct plan *plan,
			   const struct render_options *opts)
{
	struct strbuf map = STRBUF_INIT;

	if (!opts || !opts->cfg || !plan->nr)
		return;
	if (access_map_render(&map, opts->cfg, plan, ACCESS_MAP_MERMAID, RENDER_MAP_MAX_NODES) > 0)
		strbuf_addf(out, "\n<details><summary>Access map of what changes</summary>\n\n"
				 "```mermaid\n%s```\n\n</details>\n",
			    map.buf);
	strbuf_release(&map);
}

static void render_full(struct strbuf *out, const struct plan *plan, int drift,
			const struct links *links, const struct render_options *opts)
{
	size_t k;

	add_summary_line(out, plan, drift);
	if (plan->nr) {
		add_deletions(out, plan, drift, plan->nr);
		add_count_table(out, plan);
		add_access_map(out, plan, opts);
		if (count_origin(plan, PLAN_ORIGIN_UNKNOWN) == plan->nr) {
			for (k = 0; k < kinds_nr; k++)
				add_kind_details(out, plan, kinds[k], PLAN_ORIGIN_UNKNOWN, links);
		} else {
			add_origin_group(out, plan, PLAN_ORIGIN_CHANGE, "Introduced by this change",
					 links);
			add_origin_group(out, plan, PLAN_ORIGIN_BASE,
					 "Already pending on the base: drift, or earlier changes "
					 "not yet applied",
					 links);
		}
	}
	add_warnings(out, plan, plan->warnings.nr);
}

/* The form that fits: counts, deletions and the first `max` actions as one line each. */
static void render_summary(struct strbuf *out, const struct plan *plan, int drift, size_t max,
			   const struct links *links)
{
	size_t i;

	add_summary_line(out, plan, drift);
	add_deletions(out, plan, drift, max);
	add_count_table(out, plan);
	strbuf_addf(out,
		    "\nThe full plan is too long for a comment; the first %zu of %zu "
		    "actions:\n\n",
		    max < plan->nr ? max : plan->nr, plan->nr);
	for (i = 0; i < plan->nr && i < max; i++)
		add_action_line(out, &plan->actions[i], links);
	if (i < plan->nr)
		strbuf_addf(out, "- and %zu more\n", plan->nr - i);
	strbuf_addstr(out, "\nRun `b2bctl plan` to see every action and change.\n");
	add_warnings(out, plan, max < 20 ? max : 20);
}

void render_markdown_linked(struct strbuf *out, const struct plan *plan,
			    const struct render_options *opts, const char *link_base,
			    const char *link_prefix)
{
	size_t limit = opts && opts->markdown_limit ? opts->markdown_limit : RENDER_MARKDOWN_LIMIT;
	int drift = opts && opts->mode == RENDER_DRIFT;
	struct links links = {link_base, link_prefix};
	struct strbuf text = STRBUF_INIT;
	size_t max;

	render_full(&text, plan, drift, &links, opts);
	for (max = plan->nr > 500 ? 500 : plan->nr; text.len > limit; max /= 2) {
		strbuf_reset(&text);
		render_summary(&text, plan, drift, max, &links);
		if (!max)
			break;
	}
	strbuf_add(out, text.buf, text.len);
	strbuf_release(&text);
}

void render_markdown(struct strbuf *out, const struct plan *plan, const struct render_options *opts)
{
	render_markdown_linked(out, plan, opts, NULL, NULL);
}
