/*
 * catalog: the entitlement-management catalogs that declared access packages
 * live in (accessPackages[].catalog), matched by displayName.
 *
 * A missing catalog is created visible to external users, since partners
 * request its packages; one that exists but is hidden from them is made
 * visible. Catalogs are never deleted.
 */
#include "governance_common.h"
#include "../../schema/base/strbuf.h"
#include "../../schema/base/xalloc.h"

#include <string.h>

extern const struct kind kind_catalog;

#define CATALOG_DESCRIPTION "Access packages for partner organisations, managed by b2bctl"

static int catalog_read(struct reconcile_ctx *ctx)
{
	const struct config *cfg = ctx->cfg;
	struct tenant_request *reqs;
	json_t *seen;
	size_t i, nr = 0;
	int ret = 0;

	if (!cfg->access_packages_nr)
		return 0;
	reqs = xcalloc(cfg->access_packages_nr, sizeof(*reqs));
	seen = json_object();
	for (i = 0; i < cfg->access_packages_nr; i++) {
		const char *name = cfg->access_packages[i].catalog.value;
		struct strbuf path = STRBUF_INIT;
		char *what;

		if (!name || !gov_first_time(seen, name))
			continue;
		strbuf_addstr(&path, ENTITLEMENT_PATH "/catalogs?$filter=displayName%20eq%20");
		strbuf_add_odata_literal(&path, name);
		strbuf_addstr(&path, "&$select=id,displayName,description,isExternallyVisible");
		what = xstrfmt("find catalog '%s'", name);
		tenant_request_init(&reqs[nr++], "GET", NULL, TENANT_PAGED | TENANT_BATCHABLE, what,
				    "%s", path.buf);
		free(what);
		strbuf_release(&path);
	}
	if (tenant_run(ctx->tenant, reqs, nr) < 0)
		ret = -1;
	for (i = 0; i < nr; i++) {
		if (!ret && !tenant_request_ok(&reqs[i]))
			ret = gov_read_failed(&reqs[i]);
		if (!ret)
			gov_collect(live_collection(ctx->live, "accessPackageCatalogs"),
				    reqs[i].response);
		tenant_request_release(&reqs[i]);
	}
	free(reqs);
	json_decref(seen);
	return ret;
}

static int catalog_diff(const struct reconcile_ctx *ctx, struct plan *plan)
{
	const struct config *cfg = ctx->cfg;
	json_t *by_name = gov_name_index(json_object_get(ctx->live, "accessPackageCatalogs"));
	json_t *seen = json_object();
	size_t i;

	for (i = 0; i < cfg->access_packages_nr; i++) {
		const struct cfg_access_package *pkg = &cfg->access_packages[i];
		const char *name = pkg->catalog.value;
		struct plan_action *a;
		json_t *live;

		if (!name || !gov_first_time(seen, name) ||
		    gov_check_unique(ctx, by_name, name, &pkg->catalog.pos, "catalogs"))
			continue;
		live = gov_named(by_name, name);
		if (!live) {
			a = plan_add_action(plan, &kind_catalog, PLAN_CREATE, name,
					    &pkg->catalog.pos);
			plan_action_add_change(a, "displayName", NULL, json_string(name));
			plan_action_add_change(a, "description", NULL,
					       json_string(CATALOG_DESCRIPTION));
			plan_action_add_change(a, "isExternallyVisible", NULL, json_true());
			a->data =
			    json_pack("{s:{s:s,s:s,s:b}}", "body", "displayName", name,
				      "description", CATALOG_DESCRIPTION, "isExternallyVisible", 1);
		} else if (json_is_false(json_object_get(live, "isExternallyVisible"))) {
			a = plan_add_action(plan, &kind_catalog, PLAN_UPDATE, name,
					    &pkg->catalog.pos);
			plan_action_set_last_changed(a, live);
			plan_action_add_change(a, "isExternallyVisible", json_false(), json_true());
			a->data = json_pack("{s:O,s:{s:b}}", "id", json_object_get(live, "id"),
					    "body", "isExternallyVisible", 1);
		}
	}
	json_decref(by_name);
	json_decref(seen);
	return 0;
}

static enum apply_step_result catalog_apply_step(struct apply_ctx *ctx,
						 const struct plan_action *action, json_t *state,
						 const struct tenant_request *prev,
						 struct tenant_request *next)
{
	json_t *body = json_object_get(action->data, "body");
	enum apply_step_result r;
	struct strbuf lookup = STRBUF_INIT;
	char *path;

	if (action->op == PLAN_UPDATE) {
		path = xstrfmt(ENTITLEMENT_PATH "/catalogs/%s",
			       json_string_value(json_object_get(action->data, "id")));
		r = gov_write_step(ctx, action, prev, next, "PATCH", path, body);
		free(path);
		return r;
	}
	strbuf_addstr(&lookup, ENTITLEMENT_PATH "/catalogs?$filter=displayName%20eq%20");
	strbuf_add_odata_literal(&lookup, action->name);
	{
		struct gov_create c = {
		    .path = ENTITLEMENT_PATH "/catalogs",
		    .body = body,
		    .flags = TENANT_BATCHABLE,
		    .lookup_path = lookup.buf,
		    .match_key = "displayName",
		    .match_value = action->name,
		};

		r = gov_create_step(ctx, action, state, prev, next, &c);
	}
	strbuf_release(&lookup);
	return r;
}

const struct kind kind_catalog = {
    .name = "catalog",
    .read = catalog_read,
    .diff = catalog_diff,
    .apply_step = catalog_apply_step,
};
