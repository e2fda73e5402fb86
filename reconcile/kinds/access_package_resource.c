/*
 * access_package_resource: the groups an access package grants membership of
 * (accessPackages[].groups), one action per package and group.
 *
 * A group is granted through two Graph objects: the group as a resource of the
 * package's catalog, and the package's resource role scope for its Member
 * role. The read learns which groups each catalog already holds; apply adds
 * the group to the catalog when needed, learns its catalog resource id, then
 * scopes the Member role to the package. A declared package is authoritative
 * over its resources: role scopes of undeclared resources are deleted.
 */
#include "governance_common.h"
#include "../../schema/base/strbuf.h"
#include "../../schema/base/xalloc.h"

#include <string.h>

extern const struct kind kind_access_package_resource;

#define LOOKUP_TRIES 5

static void resources_request(struct tenant_request *req, const char *catalog_id,
			      const char *group_id, unsigned flags, const char *what)
{
	struct strbuf path = STRBUF_INIT;

	strbuf_addf(&path, ENTITLEMENT_PATH "/catalogs/%s/resources?$filter=originId%%20eq%%20",
		    catalog_id);
	strbuf_add_odata_literal(&path, group_id);
	strbuf_addstr(&path, "&$select=id,displayName,originId,originSystem");
	tenant_request_init(req, "GET", NULL, flags, what, "%s", path.buf);
	strbuf_release(&path);
}

static const char *scope_origin(const json_t *role_scope)
{
	return json_string_value(json_object_get(json_object_get(role_scope, "scope"), "originId"));
}

/* The catalog lookups of one read, one per (catalog, group), sent together. */
struct resource_lookups {
	struct tenant_request *reqs;
	json_t **catalogs;
	size_t nr, alloc, catalogs_alloc;
	json_t *seen; /* "catalogId/groupId" already asked for */
};

static void lookup_add(struct resource_lookups *l, json_t *catalog, const char *group_id,
		       const char *what)
{
	const char *catalog_id = json_string_value(json_object_get(catalog, "id"));
	char *key = xstrfmt("%s/%s", catalog_id, group_id);

	if (!json_object_get(l->seen, key)) {
		json_object_set_new(l->seen, key, json_true());
		ALLOC_GROW(l->reqs, l->nr + 1, l->alloc);
		ALLOC_GROW(l->catalogs, l->nr + 1, l->catalogs_alloc);
		resources_request(&l->reqs[l->nr], catalog_id, group_id,
				  TENANT_PAGED | TENANT_BATCHABLE, what);
		l->catalogs[l->nr++] = catalog;
	}
	free(key);
}

/*
 * Asks each declared package's catalog about its declared groups (is the group
 * a resource yet, under which id) and about the groups of its current role
 * scopes (their names, for the plan).
 */
static int resource_read(struct reconcile_ctx *ctx)
{
	const struct config *cfg = ctx->cfg;
	json_t *catalogs = gov_name_index(json_object_get(ctx->live, "accessPackageCatalogs"));
	json_t *packages = gov_name_index(json_object_get(ctx->live, "accessPackages"));
	json_t *groups = gov_name_index(json_object_get(ctx->live, "groups"));
	struct resource_lookups l = {0};
	size_t i, j;
	int ret = 0;

	l.seen = json_object();
	for (i = 0; i < cfg->access_packages_nr; i++) {
		const struct cfg_access_package *pkg = &cfg->access_packages[i];
		json_t *catalog = gov_named(catalogs, pkg->catalog.value);
		json_t *live_pkg = gov_named(packages, pkg->name.value);
		json_t *rs;

		if (!json_is_string(json_object_get(catalog, "id")))
			continue;
		for (j = 0; j < pkg->groups.nr; j++) {
			const char *name = pkg->groups.items[j].value;
			json_t *group = gov_named(groups, name);
			const char *group_id = json_string_value(json_object_get(group, "id"));
			char *what;

			if (!group_id)
				continue;
			what = xstrfmt("find group '%s' in catalog '%s'", name, pkg->catalog.value);
			lookup_add(&l, catalog, group_id, what);
			free(what);
		}
		json_array_foreach(json_object_get(live_pkg, "resourceRoleScopes"), j, rs)
		{
			const char *origin = scope_origin(rs);
			char *what;

			if (!origin)
				continue;
			what =
			    xstrfmt("find resource %s in catalog '%s'", origin, pkg->catalog.value);
			lookup_add(&l, catalog, origin, what);
			free(what);
		}
	}
	if (tenant_run(ctx->tenant, l.reqs, l.nr) < 0)
		ret = -1;
	for (i = 0; i < l.nr; i++) {
		if (!ret && !tenant_request_ok(&l.reqs[i]))
			ret = gov_read_failed(&l.reqs[i]);
		if (!ret)
			gov_collect(live_collection(l.catalogs[i], "resources"),
				    l.reqs[i].response);
		tenant_request_release(&l.reqs[i]);
	}
	free(l.reqs);
	free(l.catalogs);
	json_decref(l.seen);
	json_decref(catalogs);
	json_decref(packages);
	json_decref(groups);
	return ret;
}

/* The package's role scope granting Member of the group, NULL when there is none. */
static json_t *member_scope(const json_t *pkg, const char *group_id)
{
	char *member_role = xstrfmt("Member_%s", group_id);
	json_t *rs, *found = NULL;
	size_t i;

	json_array_foreach(json_object_get(pkg, "resourceRoleScopes"), i, rs)
	{
		const char *role =
		    json_string_value(json_object_get(json_object_get(rs, "role"), "originId"));

		if (gov_id_equal(scope_origin(rs), group_id) &&
		    (!role || gov_id_equal(role, member_role))) {
			found = rs;
			break;
		}
	}
	free(member_role);
	return found;
}

static char *resource_key(const json_t *catalog, const char *origin_id)
{
	char *key = xstrfmt("%s/%s", json_string_value(json_object_get(catalog, "id")), origin_id);
	char *lower = lowercase_dup(key);

	free(key);
	return lower;
}

/* "catalogId/originId" (lowercased) -> the catalog resource, over every live catalog. */
static json_t *resource_index(const json_t *live)
{
	json_t *index = json_object(), *catalog, *res;
	size_t i, j;

	json_array_foreach(json_object_get(live, "accessPackageCatalogs"), i, catalog)
	    json_array_foreach(json_object_get(catalog, "resources"), j, res)
	{
		const char *origin = json_string_value(json_object_get(res, "originId"));
		char *key;

		if (!origin || !json_is_string(json_object_get(catalog, "id")))
			continue;
		key = resource_key(catalog, origin);
		json_object_set(index, key, res);
		free(key);
	}
	return index;
}

static json_t *catalog_resource(const json_t *resources, const json_t *catalog,
				const char *origin_id)
{
	char *key;
	json_t *res;

	if (!origin_id || !json_is_string(json_object_get(catalog, "id")))
		return NULL;
	key = resource_key(catalog, origin_id);
	res = json_object_get(resources, key);
	free(key);
	return res;
}

static void diff_group(const struct reconcile_ctx *ctx, struct plan *plan,
		       const struct cfg_access_package *pkg, const struct cfg_str *group,
		       const json_t *live_pkg, const json_t *catalog, const json_t *resources)
{
	char *used_by = xstrfmt("access package '%s'", pkg->name.value);
	json_t *deps = json_array();
	json_t *group_ref = gov_group_ref(ctx, group, deps, used_by);
	const char *group_id = json_string_value(json_object_get(group_ref, "id"));
	const char *package_id = json_string_value(json_object_get(live_pkg, "id"));
	const char *catalog_id = json_string_value(json_object_get(catalog, "id"));
	const char *resource_id = json_string_value(
	    json_object_get(catalog_resource(resources, catalog, group_id), "id"));
	char *name, *package_address, *catalog_address;
	struct plan_action *a;

	free(used_by);
	if (!group_ref || (group_id && live_pkg && member_scope(live_pkg, group_id))) {
		json_decref(group_ref);
		json_decref(deps);
		return;
	}
	name = xstrfmt("%s/%s", pkg->name.value, group->value);
	package_address = xstrfmt("access_package.%s", pkg->name.value);
	catalog_address = xstrfmt("catalog.%s", pkg->catalog.value);
	a = plan_add_action(plan, &kind_access_package_resource, PLAN_CREATE, name, &group->pos);
	plan_action_add_change(a, "group", NULL, json_string(group->value));
	plan_action_add_change(a, "role", NULL, json_string("Member"));
	if (!resource_id)
		plan_action_add_change(a, "catalog", NULL, json_string(pkg->catalog.value));
	gov_add_depends(a, deps);
	if (!package_id)
		plan_action_depends_on(a, package_address);
	if (!catalog_id)
		plan_action_depends_on(a, catalog_address);
	a->data = json_pack("{s:o,s:o,s:o}", "package", gov_ref(package_id, package_address),
			    "group", group_ref, "catalog", gov_ref(catalog_id, catalog_address));
	if (resource_id)
		json_object_set_new(a->data, "catalogResourceId", json_string(resource_id));
	free(name);
	free(package_address);
	free(catalog_address);
	json_decref(deps);
}

static int group_declared(const struct reconcile_ctx *ctx, const struct cfg_access_package *pkg,
			  const char *group_id)
{
	size_t i;

	for (i = 0; i < pkg->groups.nr; i++) {
		json_t *g = live_group_by_name(ctx->index, pkg->groups.items[i].value);

		if (gov_id_equal(json_string_value(json_object_get(g, "id")), group_id))
			return 1;
	}
	return 0;
}

/* What people know an undeclared resource by: its group's name when known, else its id. */
static const char *resource_label(const struct reconcile_ctx *ctx, const json_t *role_scope,
				  const json_t *catalog, const json_t *resources)
{
	const char *origin = scope_origin(role_scope);
	json_t *group = live_group_by_id(ctx->index, origin);
	json_t *role_resource = json_object_get(json_object_get(role_scope, "role"), "resource");
	const char *label = json_string_value(json_object_get(group, "displayName"));

	if (!label)
		label = json_string_value(json_object_get(role_resource, "displayName"));
	if (!label)
		label = json_string_value(
		    json_object_get(catalog_resource(resources, catalog, origin), "displayName"));
	return label ? label : origin;
}

static void diff_undeclared(const struct reconcile_ctx *ctx, struct plan *plan,
			    const struct cfg_access_package *pkg, const json_t *live_pkg,
			    const json_t *catalog, const json_t *resources)
{
	json_t *rs;
	size_t i;

	json_array_foreach(json_object_get(live_pkg, "resourceRoleScopes"), i, rs)
	{
		const char *origin = scope_origin(rs);
		json_t *id = json_object_get(rs, "id");
		struct plan_action *a;
		const char *label;
		char *name;

		if (!origin || !json_is_string(id) || group_declared(ctx, pkg, origin))
			continue;
		label = resource_label(ctx, rs, catalog, resources);
		name = xstrfmt("%s/%s", pkg->name.value, label);
		a = plan_add_action(plan, &kind_access_package_resource, PLAN_DELETE, name,
				    &pkg->pos);
		plan_action_add_change(a, "group", json_string(label), NULL);
		a->data = json_pack("{s:{s:O},s:O}", "package", "id",
				    json_object_get(live_pkg, "id"), "id", id);
		free(name);
	}
}

static int resource_diff(const struct reconcile_ctx *ctx, struct plan *plan)
{
	json_t *packages = gov_name_index(json_object_get(ctx->live, "accessPackages"));
	json_t *catalogs = gov_name_index(json_object_get(ctx->live, "accessPackageCatalogs"));
	json_t *resources = resource_index(ctx->live);
	size_t i, j;

	for (i = 0; i < ctx->cfg->access_packages_nr; i++) {
		const struct cfg_access_package *pkg = &ctx->cfg->access_packages[i];
		json_t *live_pkg = gov_named(packages, pkg->name.value);
		json_t *catalog = gov_named(catalogs, pkg->catalog.value);

		for (j = 0; j < pkg->groups.nr; j++)
			diff_group(ctx, plan, pkg, &pkg->groups.items[j], live_pkg, catalog,
				   resources);
		if (live_pkg)
			diff_undeclared(ctx, plan, pkg, live_pkg, catalog, resources);
	}
	json_decref(packages);
	json_decref(catalogs);
	json_decref(resources);
	return 0;
}

/* Apply: resource request -> catalog resource lookup -> role scope (-> verify). */

static const char *state_str(const json_t *state, const char *key)
{
	return json_string_value(json_object_get(state, key));
}

static void send_resource_request(struct tenant_request *next, const struct plan_action *action,
				  json_t *state)
{
	json_t *body = json_pack("{s:s,s:{s:s,s:s},s:{s:s}}", "requestType", "adminAdd", "resource",
				 "originId", state_str(state, "group"), "originSystem", "AadGroup",
				 "catalog", "id", state_str(state, "catalog"));
	char *what = xstrfmt("add the group of %s to its catalog", action->address);

	json_object_set_new(state, "phase", json_string("request"));
	gov_may_send(state, "request_sends");
	tenant_request_init(next, "POST", body, TENANT_BATCHABLE | TENANT_RETRY_NOT_FOUND, what,
			    ENTITLEMENT_PATH "/resourceRequests");
	free(what);
}

static void send_lookup(struct tenant_request *next, const struct plan_action *action,
			json_t *state)
{
	char *what = xstrfmt("find the catalog resource of %s", action->address);

	json_object_set_new(state, "phase", json_string("lookup"));
	json_object_set_new(state, "tries",
			    json_integer(json_integer_value(json_object_get(state, "tries")) + 1));
	resources_request(next, state_str(state, "catalog"), state_str(state, "group"),
			  TENANT_PAGED | TENANT_RETRY_NOT_FOUND, what);
	free(what);
}

static void send_scope(struct tenant_request *next, const struct plan_action *action, json_t *state)
{
	const char *group_id = state_str(state, "group");
	char *member_role = xstrfmt("Member_%s", group_id);
	json_t *body =
	    json_pack("{s:{s:s,s:s,s:{s:s}},s:{s:s,s:s}}", "role", "originId", member_role,
		      "originSystem", "AadGroup", "resource", "id", state_str(state, "resource"),
		      "scope", "originId", group_id, "originSystem", "AadGroup");
	char *what = xstrfmt("grant %s", action->address);

	json_object_set_new(state, "phase", json_string("scope"));
	gov_may_send(state, "scope_sends");
	tenant_request_init(next, "POST", body, TENANT_BATCHABLE | TENANT_RETRY_NOT_FOUND, what,
			    ENTITLEMENT_PATH "/accessPackages/%s/resourceRoleScopes",
			    state_str(state, "package"));
	free(member_role);
	free(what);
}

static void send_verify(struct tenant_request *next, const struct plan_action *action,
			json_t *state)
{
	char *what = xstrfmt("check whether %s was granted", action->address);

	json_object_set_new(state, "phase", json_string("verify"));
	tenant_request_init(next, "GET", NULL, TENANT_RETRY_NOT_FOUND, what,
			    ENTITLEMENT_PATH "/accessPackages/%s?$expand=resourceRoleScopes("
					     "$expand=role,scope)",
			    state_str(state, "package"));
	free(what);
}

/* The group joined the catalog since the plan was made (Graph: ResourceAlreadyOnboarded). */
static int already_in_catalog(const struct tenant_request *req)
{
	return (req->status == 400 || req->status == 409) && req->error.code &&
	       strstr(req->error.code, "AlreadyOnboarded");
}

static enum apply_step_result resource_start(struct apply_ctx *ctx,
					     const struct plan_action *action, json_t *state,
					     struct tenant_request *next)
{
	static const char *const refs[] = {"package", "group", "catalog"};
	const char *resource =
	    json_string_value(json_object_get(action->data, "catalogResourceId"));
	size_t i;

	for (i = 0; i < ARRAY_SIZE(refs); i++) {
		json_t *ref = json_object_get(action->data, refs[i]);
		const char *id = gov_resolve(ctx, ref);

		if (!id) {
			apply_ctx_fail(ctx, action, NULL, "the id of %s is unknown",
				       gov_ref_label(ref));
			return APPLY_STEP_FAILED;
		}
		json_object_set_new(state, refs[i], json_string(id));
	}
	if (resource) {
		json_object_set_new(state, "resource", json_string(resource));
		send_scope(next, action, state);
	} else {
		send_resource_request(next, action, state);
	}
	return APPLY_STEP_MORE;
}

static enum apply_step_result resource_create_step(struct apply_ctx *ctx,
						   const struct plan_action *action, json_t *state,
						   const struct tenant_request *prev,
						   struct tenant_request *next)
{
	const char *phase = state_str(state, "phase");
	json_t *found;

	if (!prev)
		return resource_start(ctx, action, state, next);
	if (!strcmp(phase, "request")) {
		if (!tenant_request_ok(prev) && !tenant_request_ambiguous(prev) &&
		    !already_in_catalog(prev))
			return gov_fail(ctx, action, prev);
		if (!tenant_request_ok(prev))
			json_object_set_new(state, "unconfirmed", json_true());
		send_lookup(next, action, state);
		return APPLY_STEP_MORE;
	}
	if (!strcmp(phase, "lookup")) {
		const char *id;

		if (!tenant_request_ok(prev))
			return gov_fail(ctx, action, prev);
		found = json_array_get(json_object_get(prev->response, "value"), 0);
		id = json_string_value(json_object_get(found, "id"));
		if (id) {
			json_object_set_new(state, "resource", json_string(id));
			send_scope(next, action, state);
		} else if (json_object_get(state, "unconfirmed") &&
			   json_integer_value(json_object_get(state, "request_sends")) <
			       GOV_MAX_SENDS) {
			json_object_del(state, "unconfirmed");
			send_resource_request(next, action, state);
		} else if (json_integer_value(json_object_get(state, "tries")) < LOOKUP_TRIES) {
			send_lookup(next, action, state);
		} else {
			apply_ctx_fail(ctx, action, prev,
				       "the group is not in the catalog after it was added");
			return APPLY_STEP_FAILED;
		}
		return APPLY_STEP_MORE;
	}
	if (!strcmp(phase, "scope")) {
		if (tenant_request_ok(prev)) {
			const char *id = json_string_value(json_object_get(prev->response, "id"));

			if (id)
				apply_ctx_set_id(ctx, action->address, id);
			return APPLY_STEP_DONE;
		}
		if (!tenant_request_ambiguous(prev) ||
		    json_integer_value(json_object_get(state, "scope_sends")) >= GOV_MAX_SENDS)
			return gov_fail(ctx, action, prev);
		send_verify(next, action, state);
		return APPLY_STEP_MORE;
	}
	/* verify */
	if (!tenant_request_ok(prev))
		return gov_fail(ctx, action, prev);
	found = member_scope(prev->response, state_str(state, "group"));
	if (!found) {
		send_scope(next, action, state);
		return APPLY_STEP_MORE;
	}
	if (json_is_string(json_object_get(found, "id")))
		apply_ctx_set_id(ctx, action->address,
				 json_string_value(json_object_get(found, "id")));
	return APPLY_STEP_DONE;
}

static enum apply_step_result resource_apply_step(struct apply_ctx *ctx,
						  const struct plan_action *action, json_t *state,
						  const struct tenant_request *prev,
						  struct tenant_request *next)
{
	enum apply_step_result r;
	char *path;

	if (action->op == PLAN_CREATE)
		return resource_create_step(ctx, action, state, prev, next);
	path = xstrfmt(ENTITLEMENT_PATH "/accessPackages/%s/resourceRoleScopes/%s",
		       gov_resolve(ctx, json_object_get(action->data, "package")),
		       json_string_value(json_object_get(action->data, "id")));
	r = gov_delete_step(ctx, action, prev, next, path);
	free(path);
	return r;
}

const struct kind kind_access_package_resource = {
    .name = "access_package_resource",
    .read = resource_read,
    .diff = resource_diff,
    .apply_step = resource_apply_step,
};
