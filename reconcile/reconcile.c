/*
 * reconcile: the two passes over every kind. reconcile_read fills the live
 * model by running each kind's read in registry order (a later kind may use
 * what an earlier one read); reconcile_diff compares, tidies the dependencies
 * and sorts the plan. With a scope, both stop after the last kind it names.
 * Reading talks to the tenant; diffing never does.
 */
#include "kind.h"
#include "../schema/base/strbuf.h"
#include "../schema/base/xalloc.h"

#include <string.h>

static void report_progress(struct tenant *t, const char *what, size_t done, size_t total)
{
	if (t && t->progress)
		t->progress(t->progress_ctx, what, done, total);
}

/*
 * How many kinds, from the first, a pass runs: all of them, or with a scope
 * (kind.h) up to the last kind it names, since a kind needs only what the
 * kinds before it read (kinds.c).
 */
static size_t kinds_in_scope(const json_t *scope)
{
	size_t nr = 0;
	const char *address;
	json_t *v;

	if (!scope)
		return kinds_nr;
	json_object_foreach((json_t *)scope, address, v)
	{
		char *name = xstrndup(address, strcspn(address, "."));
		const struct kind *kind = kind_find(name);
		size_t at = kind ? kind_index(kind) : kinds_nr - 1;

		if (at + 1 > nr)
			nr = at + 1;
		free(name);
		if (nr == kinds_nr)
			break;
	}
	return nr;
}

int reconcile_read(struct reconcile_ctx *ctx)
{
	size_t i, nr = kinds_in_scope(ctx->scope);

	if (!json_object_get(ctx->live, "format"))
		json_object_set_new(ctx->live, "format", json_string("b2bctl-snapshot/1"));
	if (ctx->tenant && ctx->tenant->tenant_id && !json_object_get(ctx->live, "tenantId"))
		json_object_set_new(ctx->live, "tenantId", json_string(ctx->tenant->tenant_id));
	if (ctx->tenant && ctx->tenant->default_domain &&
	    !json_object_get(ctx->live, "defaultDomain"))
		json_object_set_new(ctx->live, "defaultDomain",
				    json_string(ctx->tenant->default_domain));

	for (i = 0; i < nr; i++) {
		const struct kind *k = kinds[i];
		char *what;
		int ret;

		if (!k->read)
			continue;
		what = xstrfmt("reading %s", k->name);
		report_progress(ctx->tenant, what, i, kinds_nr);
		free(what);
		b2b_error_clear();
		ret = k->read(ctx);
		if (ret < 0) {
			b2b_error_set("reading %s: %s", k->name, b2b_error_last());
			report_progress(ctx->tenant, NULL, kinds_nr, kinds_nr);
			return -1;
		}
	}
	report_progress(ctx->tenant, NULL, kinds_nr, kinds_nr);
	return 0;
}

int reconcile_diff(const struct reconcile_ctx *ctx, struct plan *plan)
{
	struct reconcile_ctx diff_ctx = *ctx;
	size_t i, nr = kinds_in_scope(ctx->scope);
	int ret = 0;

	diff_ctx.tenant = NULL;
	if (!ctx->index)
		diff_ctx.index = live_index_build(ctx->live);
	for (i = 0; i < nr; i++) {
		if (!kinds[i]->diff)
			continue;
		b2b_error_clear();
		if (kinds[i]->diff(&diff_ctx, plan) < 0) {
			b2b_error_set("comparing %s: %s", kinds[i]->name, b2b_error_last());
			ret = -1;
			break;
		}
	}
	if (!ctx->index)
		live_index_free(diff_ctx.index);
	if (ret)
		return ret;
	plan_drop_dangling_depends(plan);
	return plan_sort(plan);
}
