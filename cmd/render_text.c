/*
 * render_text: a plan on the terminal, as Terraform prints one.
 *
 * Actions are grouped by kind in registry order; each shows its operation
 * (+ create, ~ update, - delete), its address and the file:line that asks for
 * it, then one line per changed field. Values are printed as JSON, so a
 * display name from the tenant cannot carry escape sequences to the terminal;
 * addresses and file names are printed with control characters replaced.
 */
#include "render.h"
#include "../reconcile/kind.h"
#include "../schema/base/json_memory.h"
#include "../schema/base/xalloc.h"

#include <string.h>

#define COLOR_RESET  "\033[0m"
#define COLOR_BOLD   "\033[1m"
#define COLOR_GREEN  "\033[32m"
#define COLOR_YELLOW "\033[33m"
#define COLOR_RED    "\033[31m"

#define ADDRESS_COLUMN_MAX 60
#define VALUE_INLINE_MAX   72

static const char *op_symbol(enum plan_op op)
{
	return op == PLAN_CREATE ? "+" : op == PLAN_UPDATE ? "~" : "-";
}

static const char *op_color(enum plan_op op)
{
	return op == PLAN_CREATE ? COLOR_GREEN : op == PLAN_UPDATE ? COLOR_YELLOW : COLOR_RED;
}

static void add_colored(struct strbuf *out, int color, const char *code, const char *s)
{
	if (color)
		strbuf_addf(out, "%s%s%s", code, s, COLOR_RESET);
	else
		strbuf_addstr(out, s);
}

/* Printable text: control characters (and DEL) become '?'. */
static void add_printable(struct strbuf *out, const char *s)
{
	for (; *s; s++)
		strbuf_addch(out, ((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s);
}

/*
 * A value as JSON: on one line when short, else (objects and lists) indented
 * under the field, as Terraform prints nested blocks.
 */
static void add_value(struct strbuf *out, const json_t *v)
{
	char *text;
	const char *p;

	if (!v) {
		strbuf_addstr(out, "null");
		return;
	}
	text = json_text(v, JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
	if (text && strlen(text) > VALUE_INLINE_MAX && (json_is_object(v) || json_is_array(v))) {
		free(text);
		text = json_text(v, JSON_ENCODE_ANY | JSON_PRESERVE_ORDER | JSON_INDENT(4));
		for (p = text; p && *p; p++) {
			strbuf_addch(out, *p);
			if (*p == '\n')
				strbuf_addstr(out, "        ");
		}
	} else {
		strbuf_addstr(out, text ? text : "?");
	}
	free(text);
}

static void add_change(struct strbuf *out, const struct plan_action *a, const struct plan_change *c,
		       int color)
{
	enum plan_op op = a->op;

	if (op == PLAN_UPDATE && !c->before)
		op = PLAN_CREATE;
	else if (op == PLAN_UPDATE && !c->after)
		op = PLAN_DELETE;
	strbuf_addstr(out, "      ");
	add_colored(out, color, op_color(op), op_symbol(op));
	strbuf_addch(out, ' ');
	add_printable(out, c->path);
	strbuf_addstr(out, " = ");
	switch (op) {
	case PLAN_CREATE:
		add_value(out, c->after);
		break;
	case PLAN_DELETE:
		add_value(out, c->before);
		if (a->op == PLAN_UPDATE)
			strbuf_addstr(out, " -> null");
		break;
	case PLAN_UPDATE:
		add_value(out, c->before);
		strbuf_addstr(out, " -> ");
		add_value(out, c->after);
		break;
	}
	strbuf_addch(out, '\n');
}

static void add_action(struct strbuf *out, const struct plan_action *a, size_t column, int color)
{
	size_t start, i;

	strbuf_addstr(out, "  ");
	add_colored(out, color, op_color(a->op), op_symbol(a->op));
	strbuf_addch(out, ' ');
	if (color)
		strbuf_addstr(out, COLOR_BOLD);
	start = out->len;
	add_printable(out, a->address);
	while (out->len - start < column)
		strbuf_addch(out, ' ');
	if (color)
		strbuf_addstr(out, COLOR_RESET);
	strbuf_addstr(out, "  # ");
	if (a->source_file) {
		add_printable(out, a->source_file);
		strbuf_addf(out, ":%u", a->source_line);
	} else {
		strbuf_addstr(out, "not in the configuration");
	}
	if (a->origin == PLAN_ORIGIN_BASE)
		strbuf_addstr(out, " (already pending on the base)");
	if (a->last_changed) {
		strbuf_addstr(out, " (last changed ");
		add_printable(out, a->last_changed);
		strbuf_addch(out, ')');
	}
	strbuf_addch(out, '\n');
	for (i = 0; i < a->changes_nr; i++)
		add_change(out, a, &a->changes[i], color);
}

static void add_kind(struct strbuf *out, const struct plan *plan, const struct kind *kind,
		     int color)
{
	size_t i, column = 0;
	int any = 0;

	for (i = 0; i < plan->nr; i++) {
		size_t len;

		if (plan->actions[i].kind != kind)
			continue;
		any = 1;
		len = strlen(plan->actions[i].address);
		if (len > column)
			column = len;
	}
	if (!any)
		return;
	if (column > ADDRESS_COLUMN_MAX)
		column = ADDRESS_COLUMN_MAX;
	strbuf_addch(out, '\n');
	add_colored(out, color, COLOR_BOLD, kind ? kind->name : "unknown");
	strbuf_addch(out, '\n');
	for (i = 0; i < plan->nr; i++)
		if (plan->actions[i].kind == kind)
			add_action(out, &plan->actions[i], column, color);
}

static void add_warnings(struct strbuf *out, const struct plan *plan, int color)
{
	size_t i;

	if (!plan->warnings.nr)
		return;
	strbuf_addch(out, '\n');
	add_colored(out, color, COLOR_BOLD, "Warnings:");
	strbuf_addch(out, '\n');
	for (i = 0; i < plan->warnings.nr; i++) {
		const struct diag *d = &plan->warnings.items[i];

		strbuf_addstr(out, "  ");
		if (d->file) {
			add_printable(out, d->file);
			strbuf_addf(out, ":%u: ", d->line);
		}
		add_colored(out, color, d->severity == DIAG_ERROR ? COLOR_RED : COLOR_YELLOW,
			    diag_severity_name(d->severity));
		strbuf_addstr(out, ": ");
		add_printable(out, d->message ? d->message : "");
		if (d->rule) {
			strbuf_addstr(out, " [");
			add_printable(out, d->rule);
			strbuf_addch(out, ']');
		}
		strbuf_addch(out, '\n');
	}
}

/* Kinds that are not in the registry (a plan file from another version) come last. */
static int has_unregistered_kind(const struct plan *plan)
{
	size_t i;

	for (i = 0; i < plan->nr; i++)
		if (kind_index(plan->actions[i].kind) == kinds_nr)
			return 1;
	return 0;
}

void render_text(struct strbuf *out, const struct plan *plan, const struct render_options *opts)
{
	int color = opts && opts->color;
	int drift = opts && opts->mode == RENDER_DRIFT;
	size_t k;

	if (!plan->nr) {
		strbuf_addstr(out, drift ? "No drift. The tenant matches the configuration.\n"
					 : "No changes. The tenant matches the configuration.\n");
		add_warnings(out, plan, color);
		return;
	}
	strbuf_addstr(out, drift ? "The tenant differs from the configuration; b2bctl apply would "
				   "perform these actions:\n"
				 : "b2bctl will perform the following actions:\n");
	for (k = 0; k < kinds_nr; k++)
		add_kind(out, plan, kinds[k], color);
	if (has_unregistered_kind(plan))
		add_kind(out, plan, NULL, color);
	strbuf_addch(out, '\n');
	if (color)
		strbuf_addstr(out, COLOR_BOLD);
	strbuf_addstr(out, drift ? "Drift: " : "Plan: ");
	render_add_counts(out, plan);
	strbuf_addch(out, '.');
	if (color)
		strbuf_addstr(out, COLOR_RESET);
	strbuf_addch(out, '\n');
	add_warnings(out, plan, color);
}
