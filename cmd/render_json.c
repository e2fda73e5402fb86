/*
 * render_json: the plan JSON contract (DESIGN.md §6), and the dispatch
 * between the three renderers.
 */
#include "render.h"
#include "../schema/base/xalloc.h"

#include <string.h>

int render_format_from_name(const char *name)
{
	if (!name || !strcmp(name, "text"))
		return RENDER_TEXT;
	if (!strcmp(name, "markdown"))
		return RENDER_MARKDOWN;
	if (!strcmp(name, "json"))
		return RENDER_JSON;
	return -1;
}

void render_add_counts(struct strbuf *out, const struct plan *plan)
{
	strbuf_addf(out, "%zu to create, %zu to update, %zu to delete",
		    plan_count(plan, PLAN_CREATE), plan_count(plan, PLAN_UPDATE),
		    plan_count(plan, PLAN_DELETE));
}

void render_json(struct strbuf *out, const struct plan *plan)
{
	char *text = plan_to_json_text(plan, PLAN_JSON_CONTRACT);

	strbuf_addstr(out, text);
	free(text);
}

void render_plan(struct strbuf *out, const struct plan *plan, enum render_format format,
		 const struct render_options *opts)
{
	switch (format) {
	case RENDER_MARKDOWN:
		render_markdown(out, plan, opts);
		break;
	case RENDER_JSON:
		render_json(out, plan);
		break;
	case RENDER_TEXT:
	default:
		render_text(out, plan, opts);
		break;
	}
}
