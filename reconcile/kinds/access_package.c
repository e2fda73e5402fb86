/*
 * access_package: the declared entitlement-management access packages
 * (accessPackages[]), matched by displayName.
 *
 * The read expands each package's catalog, assignment policies and resource
 * role scopes, so access_package_resource and access_package_policy diff
 * against the same answer. A package is created in its catalog and its
 * description kept as declared; Graph cannot move a package to another
 * catalog, so a package found elsewhere is an error. Packages are never
 * deleted.
 */
#include "governance_common.h"
#include "../../schema/base/strbuf.h"
#include "../../schema/base/xalloc.h"

#include <string.h>

extern const struct kind kind_access_package;

static int package_read(struct reconcile_ctx *ctx)
{
	const struct config *cfg = ctx->cfg;
	struct tenant_request *reqs;
	size_t i, nr = cfg->access_packages_nr;
	int ret = 0;

	if (!nr)
		return 0;
	reqs = xcalloc(nr, sizeof(*reqs));
	for (i = 0; i < nr; i++) {
		const char *name = cfg->access_packages[i].name.value;
		struct strbuf path = STRBUF_INIT;
		char *what = xstrfmt("find access package '%s'", name);

		strbuf_addstr(&path,
			      ENTITLEMENT_PATH "/accessPackages?$filter=displayName%20eq%20");
		strbuf_add_odata_literal(&path, name);
		strbuf_addstr(&path, "&$expand=catalog,assignmentPolicies,"
				     "resourceRoleScopes($expand=role,scope)");
		tenant_request_init(&reqs[i], "GET", NULL, TENANT_PAGED | TENANT_BATCHABLE, what,
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
			gov_collect(live_collection(ctx->live, "accessPackages"), reqs[i].response);
		tenant_request_release(&reqs[i]);
	}
	free(reqs);
	return ret;
}

static const char *package_catalog_id(const json_t *pkg)
{
	const char *id = json_string_value(json_object_get(json_object_get(pkg, "catalog"), "id"));

	return id ? id : json_string_value(json_object_get(pkg, "catalogId"));
}

/* 0 when the live package sits in the declared catalog (or Graph did not say). */
static int check_catalog(const struct reconcile_ctx *ctx, const struct cfg_access_package *pkg,
			 const json_t *live_pkg, const json_t *live_catalog)
{
	const char *have = package_catalog_id(live_pkg);
	const char *have_name;

	if (!have || gov_id_equal(have, json_string_value(json_object_get(live_catalog, "id"))))
		return 0;
	have_name =
	    json_string_value(json_object_get(json_object_get(live_pkg, "catalog"), "displayName"));
	diag_error(ctx->diags, &pkg->catalog.pos,
		   "access package '%s' is in catalog '%s', not '%s'; Graph cannot move a "
		   "package between catalogs (recreate it, or declare its catalog)",
		   pkg->name.value, have_name ? have_name : have, pkg->catalog.value);
	return -1;
}

static void diff_package(const struct reconcile_ctx *ctx, struct plan *plan,
			 const struct cfg_access_package *pkg, const json_t *packages,
			 const json_t *catalogs)
{
	json_t *live = gov_named(packages, pkg->name.value);
	json_t *catalog = gov_named(catalogs, pkg->catalog.value);
	const char *catalog_id = json_string_value(json_object_get(catalog, "id"));
	const char *description = pkg->description.value;
	struct plan_action *a;
	json_t *want;

	if (gov_check_unique(ctx, packages, pkg->name.value, &pkg->pos, "access packages"))
		return;
	if (!live) {
		char *catalog_address = xstrfmt("catalog.%s", pkg->catalog.value);

		a = plan_add_action(plan, &kind_access_package, PLAN_CREATE, pkg->name.value,
				    &pkg->pos);
		plan_action_add_change(a, "displayName", NULL, json_string(pkg->name.value));
		if (description)
			plan_action_add_change(a, "description", NULL, json_string(description));
		plan_action_add_change(a, "catalog", NULL, json_string(pkg->catalog.value));
		if (!catalog_id)
			plan_action_depends_on(a, catalog_address);
		a->data = json_pack("{s:{s:s},s:o}", "body", "displayName", pkg->name.value,
				    "catalog", gov_ref(catalog_id, catalog_address));
		if (description)
			json_object_set_new(json_object_get(a->data, "body"), "description",
					    json_string(description));
		free(catalog_address);
		return;
	}
	if (check_catalog(ctx, pkg, live, catalog) || !description)
		return;
	want = json_string(description);
	if (!gov_equal(want, json_object_get(live, "description"))) {
		a = plan_add_action(plan, &kind_access_package, PLAN_UPDATE, pkg->name.value,
				    &pkg->pos);
		plan_action_set_last_changed(a, live);
		plan_action_add_change(a, "description",
				       json_deep_copy(json_object_get(live, "description")),
				       json_incref(want));
		a->data = json_pack("{s:O,s:{s:O}}", "id", json_object_get(live, "id"), "body",
				    "description", want);
	}
	json_decref(want);
}

static int package_diff(const struct reconcile_ctx *ctx, struct plan *plan)
{
	json_t *packages = gov_name_index(json_object_get(ctx->live, "accessPackages"));
	json_t *catalogs = gov_name_index(json_object_get(ctx->live, "accessPackageCatalogs"));
	size_t i;

	for (i = 0; i < ctx->cfg->access_packages_nr; i++)
		diff_package(ctx, plan, &ctx->cfg->access_packages[i], packages, catalogs);
	json_decref(packages);
	json_decref(catalogs);
	return 0;
}

static enum apply_step_result package_create_step(struct apply_ctx *ctx,
						  const struct plan_action *action, json_t *state,
						  const struct tenant_request *prev,
						  struct tenant_request *next)
{
	const char *catalog_id = gov_resolve(ctx, json_object_get(action->data, "catalog"));
	struct strbuf lookup = STRBUF_INIT;
	enum apply_step_result r;
	json_t *body;

	if (!catalog_id) {
		apply_ctx_fail(ctx, action, prev, "the id of its catalog is unknown");
		return APPLY_STEP_FAILED;
	}
	body = json_deep_copy(json_object_get(action->data, "body"));
	json_object_set_new(body, "catalog", json_pack("{s:s}", "id", catalog_id));
	strbuf_addstr(&lookup, ENTITLEMENT_PATH "/accessPackages?$filter=displayName%20eq%20");
	strbuf_add_odata_literal(&lookup, action->name);
	{
		struct gov_create c = {
		    .path = ENTITLEMENT_PATH "/accessPackages",
		    .body = body,
		    .flags = TENANT_BATCHABLE | TENANT_RETRY_NOT_FOUND,
		    .lookup_path = lookup.buf,
		    .match_key = "displayName",
		    .match_value = action->name,
		};

		r = gov_create_step(ctx, action, state, prev, next, &c);
	}
	strbuf_release(&lookup);
	json_decref(body);
	return r;
}

static enum apply_step_result package_apply_step(struct apply_ctx *ctx,
						 const struct plan_action *action, json_t *state,
						 const struct tenant_request *prev,
						 struct tenant_request *next)
{
	enum apply_step_result r;
	char *path;

	if (action->op == PLAN_CREATE)
		return package_create_step(ctx, action, state, prev, next);
	if (action->op != PLAN_UPDATE) {
		apply_ctx_fail(ctx, action, prev, "access packages are never deleted");
		return APPLY_STEP_FAILED;
	}
	path = xstrfmt(ENTITLEMENT_PATH "/accessPackages/%s",
		       json_string_value(json_object_get(action->data, "id")));
	r = gov_write_step(ctx, action, prev, next, "PATCH", path,
			   json_object_get(action->data, "body"));
	free(path);
	return r;
}

const struct kind kind_access_package = {
    .name = "access_package",
    .read = package_read,
    .diff = package_diff,
    .apply_step = package_apply_step,
};
