/*
 * memgraph_entitlement: /identityGovernance/entitlementManagement: connected
 * organisations, catalogs and their resources (resourceRequests adminAdd /
 * adminRemove), access packages with $expand of assignmentPolicies and
 * resourceRoleScopes, resource role scopes, assignment policies (PUT replaces
 * the whole policy), assignments and assignment requests.
 *
 * As in the snapshot, a package holds its assignmentPolicies and
 * resourceRoleScopes and a catalog its "resources"; answers leave them out
 * unless $expand asks, and policy_index maps a policy id to its package.
 */
#include "memgraph_int.h"
#include "../../schema/base/xalloc.h"

#include <string.h>

static const char *const package_hidden[] = {"assignmentPolicies", "resourceRoleScopes", "catalog",
					     NULL};
static const char *const catalog_hidden[] = {"resources", NULL};
static const char *const assignment_hidden[] = {"target", NULL};

void mg_entitlement_load(struct memgraph *g)
{
	const char *pid, *cid;
	json_t *pkg, *cat;

	/* a catalog from a snapshot may come without its resources: it has none yet */
	json_object_foreach(g->catalogs, cid,
			    cat) if (!json_is_array(json_object_get(cat, "resources")))
	    json_object_set_new(cat, "resources", json_array());

	json_object_foreach(g->access_packages, pid, pkg)
	{
		size_t i;
		json_t *policy;

		if (!json_is_array(json_object_get(pkg, "assignmentPolicies")))
			json_object_set_new(pkg, "assignmentPolicies", json_array());
		if (!json_is_array(json_object_get(pkg, "resourceRoleScopes")))
			json_object_set_new(pkg, "resourceRoleScopes", json_array());
		json_array_foreach(json_object_get(pkg, "assignmentPolicies"), i, policy)
		{
			const char *id = json_string_value(json_object_get(policy, "id"));

			if (id)
				json_object_set_new(g->policy_index, id, json_string(pid));
		}
	}
}

static json_t *stamped(struct memgraph *g, const json_t *body, const char *const *drop)
{
	char *id = mg_new_id(g), *now = mg_now_iso();
	json_t *obj = json_pack("{s:s}", "id", id);

	mg_merge(obj, body);
	for (; drop && *drop; drop++)
		json_object_del(obj, *drop);
	json_object_set_new(obj, "id", json_string(id));
	json_object_set_new(obj, "createdDateTime", json_string(now));
	json_object_set_new(obj, "modifiedDateTime", json_string(now));
	mg_mark_created(g, id);
	free(id);
	free(now);
	return obj;
}

static void touch(json_t *obj)
{
	char *now = mg_now_iso();

	json_object_set_new(obj, "modifiedDateTime", json_string(now));
	free(now);
}

static void answer(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res,
		   long status, json_t *obj, const char *context)
{
	json_t *out = json_object();

	if (context)
		json_object_set_new(out, "@odata.context", mg_context(g, r, context));
	json_object_update(out, obj);
	json_decref(obj);
	res->status = status;
	res->body = out;
}

struct simple_coll {
	const char *name;
	const char *const *hidden;
	const char *const *required;
};

static json_t *present_hidden(struct memgraph *g, const char *key, json_t *value,
			      const struct mg_query *q, void *ctx)
{
	const char *const *hidden = ctx;

	(void)q;
	if (!mg_visible(g, key))
		return NULL;
	return hidden ? mg_without(value, hidden) : json_incref(value);
}

static int has_required(struct memgraph *g, struct memgraph_response *res, const json_t *body,
			const char *const *required)
{
	if (!json_is_object(body)) {
		mg_bad_body(g, res, "The request body must be a JSON object.");
		return 0;
	}
	for (; required && *required; required++) {
		if (!json_object_get(body, *required)) {
			mg_error(g, res, 400, "Request_BadRequest",
				 "The property '%s' is required.", *required);
			return 0;
		}
	}
	return 1;
}

/* list / create / get / patch / delete over one id-keyed collection. */
static void simple_collection(struct memgraph *g, const struct mg_req *r,
			      struct memgraph_response *res, json_t *coll,
			      const struct simple_coll *c,
			      json_t *(*create)(struct memgraph *g, const json_t *body))
{
	json_t *obj;

	if (r->nr_seg == 3) {
		if (!strcmp(r->method, "GET")) {
			struct mg_query q;

			if (mg_query_parse(g, res, r, &q, 100, 100))
				return;
			mg_page(g, res, r, &q, coll, present_hidden, (void *)c->hidden, c->name);
			mg_query_release(&q);
			return;
		}
		if (strcmp(r->method, "POST"))
			return mg_bad_method(g, res);
		if (!has_required(g, res, r->body, c->required))
			return;
		obj = create(g, r->body);
		json_object_set_new(coll, json_string_value(json_object_get(obj, "id")), obj);
		return answer(g, r, res, 201,
			      c->hidden ? mg_without(obj, c->hidden) : json_copy(obj), NULL);
	}
	if (r->nr_seg != 4)
		return mg_not_found(g, res, r->path);
	obj = mg_lookup(g, coll, r->seg[3]);
	if (!obj)
		return mg_not_found(g, res, r->seg[3]);
	if (!strcmp(r->method, "GET"))
		return answer(g, r, res, 200,
			      c->hidden ? mg_without(obj, c->hidden) : json_copy(obj), NULL);
	if (!strcmp(r->method, "DELETE")) {
		json_object_del(coll, r->seg[3]);
		res->status = 204;
		return;
	}
	if (strcmp(r->method, "PATCH"))
		return mg_bad_method(g, res);
	if (!json_is_object(r->body))
		return mg_bad_body(g, res, "The request body must be a JSON object.");
	mg_merge(obj, r->body);
	json_object_set_new(obj, "id", json_string(r->seg[3]));
	touch(obj);
	res->status = 204;
}

static json_t *connected_org_create(struct memgraph *g, const json_t *body)
{
	json_t *org = stamped(g, body, NULL);

	if (!json_object_get(org, "state"))
		json_object_set_new(org, "state", json_string("configured"));
	if (!json_object_get(org, "identitySources"))
		json_object_set_new(org, "identitySources", json_array());
	return org;
}

static json_t *catalog_create(struct memgraph *g, const json_t *body)
{
	json_t *cat = stamped(g, body, catalog_hidden);

	mg_fill(cat, "{\"description\": null, \"catalogType\": \"userManaged\", \"state\": "
		     "\"published\", \"isExternallyVisible\": false}");
	json_object_set_new(cat, "resources", json_array());
	return cat;
}

static json_t *package_create(struct memgraph *g, const json_t *body)
{
	json_t *pkg = stamped(g, body, package_hidden);

	mg_fill(pkg, "{\"description\": null, \"isHidden\": false}");
	json_object_set_new(
	    pkg, "catalog",
	    json_pack("{s:O}", "id", json_object_get(json_object_get(body, "catalog"), "id")));
	json_object_set_new(pkg, "assignmentPolicies", json_array());
	json_object_set_new(pkg, "resourceRoleScopes", json_array());
	return pkg;
}

static void catalog_resources(struct memgraph *g, const struct mg_req *r,
			      struct memgraph_response *res)
{
	json_t *cat = mg_lookup(g, g->catalogs, r->seg[3]);
	json_t *map;
	struct mg_query q;

	if (!cat)
		return mg_not_found(g, res, r->seg[3]);
	if (r->nr_seg != 5)
		return mg_not_found(g, res, r->path);
	if (strcmp(r->method, "GET"))
		return mg_bad_method(g, res);
	if (mg_query_parse(g, res, r, &q, 100, 100))
		return;
	map = mg_map_from_array(json_object_get(cat, "resources"), "id");
	mg_page(g, res, r, &q, map, NULL, NULL, "accessPackageResources");
	json_decref(map);
	mg_query_release(&q);
}

static json_t *resource_by_origin(json_t *cat, const char *origin_id, size_t *index)
{
	size_t i;
	json_t *rsc;

	json_array_foreach(json_object_get(cat, "resources"), i, rsc)
	{
		if (mg_str_ieq(json_string_value(json_object_get(rsc, "originId")), origin_id)) {
			if (index)
				*index = i;
			return rsc;
		}
	}
	return NULL;
}

static void resource_requests(struct memgraph *g, const struct mg_req *r,
			      struct memgraph_response *res)
{
	const json_t *body = r->body;
	const char *type = json_string_value(json_object_get(body, "requestType"));
	const json_t *resource = json_object_get(body, "resource");
	const char *origin = json_string_value(json_object_get(resource, "originId"));
	const char *system = json_string_value(json_object_get(resource, "originSystem"));
	const char *cat_id =
	    json_string_value(json_object_get(json_object_get(body, "catalog"), "id"));
	json_t *cat, *group, *rsc, *req;
	size_t index;
	char *id, *now;

	if (r->nr_seg != 3)
		return mg_not_found(g, res, r->path);
	if (strcmp(r->method, "POST"))
		return mg_bad_method(g, res);
	if (!type || !origin || !system || !cat_id ||
	    (strcasecmp(type, "adminAdd") && strcasecmp(type, "adminRemove")))
		return mg_bad_body(
		    g, res,
		    "A resource request needs requestType (adminAdd or adminRemove), "
		    "resource.originId, resource.originSystem and catalog.id.");
	cat = mg_lookup(g, g->catalogs, cat_id);
	if (!cat)
		return mg_not_found(g, res, cat_id);
	rsc = resource_by_origin(cat, origin, &index);
	if (!strcasecmp(type, "adminRemove")) {
		if (!rsc)
			return mg_not_found(g, res, origin);
		json_array_remove(json_object_get(cat, "resources"), index);
	} else {
		if (rsc)
			return mg_error(g, res, 400, "ResourceAlreadyOnboarded",
					"The resource '%s' is already in the catalog.", origin);
		group = strcmp(system, "AadGroup") ? NULL : mg_lookup(g, g->groups, origin);
		if (!strcmp(system, "AadGroup") && !group)
			return mg_not_found(g, res, origin);
		id = mg_new_id(g);
		now = mg_now_iso();
		rsc =
		    json_pack("{s:s, s:O, s:O, s:s, s:s, s:s, s:[]}", "id", id, "displayName",
			      mg_or_null(json_object_get(group ? group : resource, "displayName")),
			      "description",
			      mg_or_null(json_object_get(group ? group : resource, "description")),
			      "originId", origin, "originSystem", system, "createdDateTime", now,
			      "attributes");
		json_array_append_new(json_object_get(cat, "resources"), rsc);
		free(id);
		free(now);
	}
	touch(cat);
	id = mg_new_id(g);
	now = mg_now_iso();
	req = json_pack("{s:s, s:s, s:s, s:s}", "id", id, "requestType", type, "state", "delivered",
			"createdDateTime", now);
	free(id);
	free(now);
	answer(g, r, res, 201, req, NULL);
}

/* The package as answered: hidden parts out, $expand'ed ones back in. */
static json_t *package_view(struct memgraph *g, const json_t *pkg, const json_t *expand)
{
	json_t *out = mg_without(pkg, package_hidden);
	const char *rrs_opts = json_string_value(json_object_get(expand, "resourceRoleScopes"));

	if (json_object_get(expand, "assignmentPolicies")) {
		json_t *list = json_array();
		size_t i;
		json_t *p;

		json_array_foreach(json_object_get(pkg, "assignmentPolicies"), i, p)
		{
			json_t *copy = json_copy(p);

			json_object_del(copy, "accessPackage");
			json_array_append_new(list, copy);
		}
		json_object_set_new(out, "assignmentPolicies", list);
	}
	if (rrs_opts) {
		json_t *list = json_array();
		int with_role = strstr(rrs_opts, "role") != NULL;
		int with_scope = strstr(rrs_opts, "scope") != NULL;
		size_t i;
		json_t *s;

		json_array_foreach(json_object_get(pkg, "resourceRoleScopes"), i, s)
		{
			json_t *copy = json_copy(s);

			if (!with_role)
				json_object_del(copy, "role");
			if (!with_scope)
				json_object_del(copy, "scope");
			json_array_append_new(list, copy);
		}
		json_object_set_new(out, "resourceRoleScopes", list);
	}
	if (json_object_get(expand, "catalog")) {
		json_t *cat = json_object_get(
		    g->catalogs,
		    json_string_value(json_object_get(json_object_get(pkg, "catalog"), "id")));

		json_object_set_new(out, "catalog",
				    cat ? mg_without(cat, catalog_hidden) : json_null());
	}
	return out;
}

static json_t *present_package(struct memgraph *g, const char *key, json_t *value,
			       const struct mg_query *q, void *ctx)
{
	json_t *view;

	(void)ctx;
	if (!mg_visible(g, key))
		return NULL;
	/* a view differs from the stored package only in package_hidden: a filter
	 * that reads none of them rules a package out before any copy is made */
	if (q->filter && !flt_reads_any(q->filter, package_hidden) && !flt_match(q->filter, value))
		return NULL;
	view = package_view(g, value, q->expand);
	/* $filter=catalog/id eq '...' must see the catalog even when not expanded */
	if (!json_object_get(view, "catalog") && q->filter) {
		json_t *probe = json_copy(view);
		int hit;

		json_object_set(probe, "catalog", json_object_get(value, "catalog"));
		hit = flt_match(q->filter, probe);
		json_decref(probe);
		if (!hit) {
			json_decref(view);
			return NULL;
		}
		return view;
	}
	return view;
}

static void resource_role_scopes(struct memgraph *g, const struct mg_req *r,
				 struct memgraph_response *res, json_t *pkg)
{
	json_t *scopes = json_object_get(pkg, "resourceRoleScopes");
	json_t *cat = json_object_get(
	    g->catalogs, json_string_value(json_object_get(json_object_get(pkg, "catalog"), "id")));
	size_t i;
	json_t *s;

	if (r->nr_seg == 5) {
		const json_t *role = json_object_get(r->body, "role");
		const json_t *scope = json_object_get(r->body, "scope");
		const json_t *rsc_ref = json_object_get(role, "resource");
		const char *rsc_id = json_string_value(json_object_get(rsc_ref, "id"));
		const char *scope_origin = json_string_value(json_object_get(scope, "originId"));
		json_t *rsc = NULL, *entry, *rsc_item;
		char *role_id, *scope_id, *now;

		if (strcmp(r->method, "POST"))
			return mg_bad_method(g, res);
		if (!json_is_object(role) || !json_is_object(scope) || !scope_origin ||
		    !json_is_string(json_object_get(role, "originId")))
			return mg_bad_body(g, res,
					   "A resource role scope needs role (originId, "
					   "originSystem, resource) and scope (originId, "
					   "originSystem).");
		json_array_foreach(json_object_get(cat, "resources"), i, rsc_item)
		{
			if ((rsc_id &&
			     mg_str_ieq(json_string_value(json_object_get(rsc_item, "id")),
					rsc_id)) ||
			    (!rsc_id &&
			     mg_str_ieq(json_string_value(json_object_get(rsc_item, "originId")),
					scope_origin)))
				rsc = rsc_item;
		}
		if (!rsc)
			return mg_error(g, res, 400, "ResourceNotFoundInCatalog",
					"The resource is not in the access package's catalog; add "
					"it with a resourceRequest first.");
		json_array_foreach(scopes, i, s)
		{
			if (mg_str_ieq(json_string_value(json_object_get(
					   json_object_get(s, "scope"), "originId")),
				       scope_origin) &&
			    mg_str_ieq(json_string_value(
					   json_object_get(json_object_get(s, "role"), "originId")),
				       json_string_value(json_object_get(role, "originId"))))
				return mg_error(g, res, 409, "Conflict",
						"The access package already has this resource "
						"role.");
		}
		role_id = json_is_string(json_object_get(role, "id"))
			      ? xstrdup(json_string_value(json_object_get(role, "id")))
			      : mg_new_id(g);
		scope_id = json_is_string(json_object_get(scope, "id"))
			       ? xstrdup(json_string_value(json_object_get(scope, "id")))
			       : mg_new_id(g);
		now = mg_now_iso();
		{
			char *composite = xstrfmt("%s_%s", role_id, scope_id);

			entry = json_pack(
			    "{s:s, s:s, s:{s:s, s:s, s:n, s:O, s:O}, s:{s:s, s:s, s:s, s:O, s:O, "
			    "s:b}}",
			    "id", composite, "createdDateTime", now, "role", "id", role_id,
			    "displayName", "Member", "description", "originId",
			    json_object_get(role, "originId"), "originSystem",
			    mg_or_null(json_object_get(role, "originSystem")), "scope", "id",
			    scope_id, "displayName", "Root", "description", "Root Scope",
			    "originId", json_object_get(scope, "originId"), "originSystem",
			    mg_or_null(json_object_get(scope, "originSystem")), "isRootScope", 1);
			free(composite);
		}
		json_array_append(scopes, entry);
		touch(pkg);
		res->status = 201;
		res->body = json_pack("{s:O, s:O}", "id", json_object_get(entry, "id"),
				      "createdDateTime", json_object_get(entry, "createdDateTime"));
		json_decref(entry);
		free(role_id);
		free(scope_id);
		free(now);
		return;
	}
	if (r->nr_seg != 6)
		return mg_not_found(g, res, r->path);
	json_array_foreach(scopes, i, s)
	{
		if (strcmp(mg_str(json_object_get(s, "id")), r->seg[5]))
			continue;
		if (!strcmp(r->method, "GET")) {
			res->status = 200;
			res->body = json_copy(s);
			return;
		}
		if (strcmp(r->method, "DELETE"))
			return mg_bad_method(g, res);
		json_array_remove(scopes, i);
		touch(pkg);
		res->status = 204;
		return;
	}
	mg_not_found(g, res, r->seg[5]);
}

static void access_packages(struct memgraph *g, const struct mg_req *r,
			    struct memgraph_response *res)
{
	struct mg_query q;
	json_t *pkg;

	if (r->nr_seg == 3 && !strcmp(r->method, "GET")) {
		if (mg_query_parse(g, res, r, &q, 100, 100))
			return;
		mg_page(g, res, r, &q, g->access_packages, present_package, NULL, "accessPackages");
		mg_query_release(&q);
		return;
	}
	if (r->nr_seg == 3) {
		const char *cat_id =
		    json_string_value(json_object_get(json_object_get(r->body, "catalog"), "id"));

		if (strcmp(r->method, "POST"))
			return mg_bad_method(g, res);
		if (!json_is_object(r->body) ||
		    !json_is_string(json_object_get(r->body, "displayName")) || !cat_id)
			return mg_bad_body(g, res,
					   "An access package needs displayName and catalog.id.");
		if (!mg_lookup(g, g->catalogs, cat_id))
			return mg_not_found(g, res, cat_id);
		pkg = package_create(g, r->body);
		json_object_set_new(g->access_packages,
				    json_string_value(json_object_get(pkg, "id")), pkg);
		return answer(g, r, res, 201, mg_without(pkg, package_hidden), NULL);
	}
	pkg = mg_lookup(g, g->access_packages, r->seg[3]);
	if (!pkg)
		return mg_not_found(g, res, r->seg[3]);
	if (r->nr_seg >= 5 && !strcmp(r->seg[4], "resourceRoleScopes"))
		return resource_role_scopes(g, r, res, pkg);
	if (r->nr_seg != 4)
		return mg_not_found(g, res, r->path);
	if (!strcmp(r->method, "GET")) {
		if (mg_query_parse(g, res, r, &q, 100, 100))
			return;
		answer(g, r, res, 200, package_view(g, pkg, q.expand), NULL);
		mg_query_release(&q);
		return;
	}
	if (!strcmp(r->method, "DELETE")) {
		size_t i;
		json_t *p;

		json_array_foreach(json_object_get(pkg, "assignmentPolicies"), i, p)
		    json_object_del(g->policy_index, json_string_value(json_object_get(p, "id")));
		json_object_del(g->access_packages, r->seg[3]);
		res->status = 204;
		return;
	}
	if (!strcmp(r->method, "PATCH")) {
		json_t *body;

		if (!json_is_object(r->body))
			return mg_bad_body(g, res, "The request body must be a JSON object.");
		body = mg_without(r->body, package_hidden);
		mg_merge(pkg, body);
		json_decref(body);
		json_object_set_new(pkg, "id", json_string(r->seg[3]));
		touch(pkg);
		res->status = 204;
		return;
	}
	mg_bad_method(g, res);
}

static const char *const policy_hidden[] = {"accessPackage", NULL};

/* A policy as answered: with its package, which the store keeps implicit. */
static json_t *policy_view(const json_t *policy, const char *pkg_id)
{
	json_t *out = json_copy((json_t *)policy);

	json_object_set_new(out, "accessPackage", json_pack("{s:s}", "id", pkg_id));
	return out;
}

static json_t *policy_find(struct memgraph *g, const char *id, json_t **pkg_out, size_t *index)
{
	const char *pid = json_string_value(json_object_get(g->policy_index, id));
	json_t *pkg = pid ? mg_lookup(g, g->access_packages, pid) : NULL;
	size_t i;
	json_t *p;

	if (!pkg || !mg_visible(g, id))
		return NULL;
	json_array_foreach(json_object_get(pkg, "assignmentPolicies"), i, p)
	{
		if (!strcmp(mg_str(json_object_get(p, "id")), id)) {
			*pkg_out = pkg;
			*index = i;
			return p;
		}
	}
	return NULL;
}

static const char policy_defaults[] =
    "{\"description\": null, \"allowedTargetScope\": \"notSpecified\", "
    "\"specificAllowedTargets\": [], \"expiration\": {\"endDateTime\": null, \"duration\": "
    "null, \"type\": \"noExpiration\"}, \"requestorSettings\": {\"enableTargetsToSelfAddAccess\": "
    "false, \"enableTargetsToSelfUpdateAccess\": false, \"enableTargetsToSelfRemoveAccess\": "
    "false, \"allowCustomAssignmentSchedule\": false, \"enableOnBehalfRequestorsToAddAccess\": "
    "false, \"enableOnBehalfRequestorsToUpdateAccess\": false, "
    "\"enableOnBehalfRequestorsToRemoveAccess\": false, \"onBehalfRequestors\": []}, "
    "\"requestApprovalSettings\": {\"isApprovalRequiredForAdd\": false, "
    "\"isApprovalRequiredForUpdate\": false, \"stages\": []}, \"automaticRequestSettings\": null}";

static void assignment_policies(struct memgraph *g, const struct mg_req *r,
				struct memgraph_response *res)
{
	json_t *pkg, *policy;
	size_t index;

	if (r->nr_seg == 3) {
		const char *pkg_id = json_string_value(
		    json_object_get(json_object_get(r->body, "accessPackage"), "id"));

		if (!strcmp(r->method, "GET")) {
			json_t *all = json_object();
			const char *pid;
			struct mg_query q;

			if (mg_query_parse(g, res, r, &q, 100, 100)) {
				json_decref(all);
				return;
			}
			json_object_foreach(g->access_packages, pid, pkg)
			{
				size_t i;
				json_t *p;

				if (!mg_visible(g, pid))
					continue;
				json_array_foreach(json_object_get(pkg, "assignmentPolicies"), i, p)
				{
					json_t *copy = policy_view(p, pid);

					json_object_set_new(all, mg_str(json_object_get(p, "id")),
							    copy);
				}
			}
			mg_page(g, res, r, &q, all, NULL, NULL, "assignmentPolicies");
			json_decref(all);
			mg_query_release(&q);
			return;
		}
		if (strcmp(r->method, "POST"))
			return mg_bad_method(g, res);
		if (!json_is_object(r->body) ||
		    !json_is_string(json_object_get(r->body, "displayName")) || !pkg_id)
			return mg_bad_body(
			    g, res, "An assignment policy needs displayName and accessPackage.id.");
		pkg = mg_lookup(g, g->access_packages, pkg_id);
		if (!pkg)
			return mg_not_found(g, res, pkg_id);
		policy = stamped(g, r->body, policy_hidden);
		mg_fill(policy, policy_defaults);
		json_array_append_new(json_object_get(pkg, "assignmentPolicies"), policy);
		json_object_set_new(g->policy_index,
				    json_string_value(json_object_get(policy, "id")),
				    json_string(pkg_id));
		return answer(g, r, res, 201, policy_view(policy, pkg_id), NULL);
	}
	if (r->nr_seg != 4)
		return mg_not_found(g, res, r->path);
	policy = policy_find(g, r->seg[3], &pkg, &index);
	if (!policy)
		return mg_not_found(g, res, r->seg[3]);
	if (!strcmp(r->method, "GET"))
		return answer(g, r, res, 200,
			      policy_view(policy, json_string_value(json_object_get(pkg, "id"))),
			      NULL);
	if (!strcmp(r->method, "DELETE")) {
		json_array_remove(json_object_get(pkg, "assignmentPolicies"), index);
		json_object_del(g->policy_index, r->seg[3]);
		res->status = 204;
		return;
	}
	if (strcmp(r->method, "PUT"))
		return mg_bad_method(g, res);
	if (!json_is_object(r->body) || !json_is_string(json_object_get(r->body, "displayName")))
		return mg_bad_body(g, res, "PUT takes the whole policy, displayName included.");
	{
		const char *pkg_id = json_string_value(json_object_get(pkg, "id"));
		json_t *fresh = json_pack("{s:s, s:O}", "id", r->seg[3], "createdDateTime",
					  mg_or_null(json_object_get(policy, "createdDateTime")));

		mg_merge(fresh, r->body);
		json_object_del(fresh, "accessPackage");
		json_object_set_new(fresh, "id", json_string(r->seg[3]));
		mg_fill(fresh, policy_defaults);
		touch(fresh);
		json_array_set_new(json_object_get(pkg, "assignmentPolicies"), index, fresh);
		answer(g, r, res, 200, policy_view(fresh, pkg_id), NULL);
	}
}

static json_t *present_assignment(struct memgraph *g, const char *key, json_t *value,
				  const struct mg_query *q, void *ctx)
{
	(void)ctx;
	if (!mg_visible(g, key))
		return NULL;
	if (json_object_get(q->expand, "target"))
		return json_incref(value);
	return mg_without(value, assignment_hidden);
}

static void assignments(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res)
{
	struct mg_query q;
	json_t *a;

	if (r->nr_seg == 3) {
		if (strcmp(r->method, "GET"))
			return mg_bad_method(g, res);
		if (mg_query_parse(g, res, r, &q, 100, 100))
			return;
		mg_page(g, res, r, &q, g->assignments, present_assignment, NULL, "assignments");
		mg_query_release(&q);
		return;
	}
	if (r->nr_seg != 4)
		return mg_not_found(g, res, r->path);
	a = mg_lookup(g, g->assignments, r->seg[3]);
	if (!a)
		return mg_not_found(g, res, r->seg[3]);
	if (strcmp(r->method, "GET"))
		return mg_bad_method(g, res);
	if (mg_query_parse(g, res, r, &q, 100, 100))
		return;
	answer(g, r, res, 200, present_assignment(g, r->seg[3], a, &q, NULL), NULL);
	mg_query_release(&q);
}

static void assignment_requests(struct memgraph *g, const struct mg_req *r,
				struct memgraph_response *res)
{
	const char *type = json_string_value(json_object_get(r->body, "requestType"));
	const json_t *assignment = json_object_get(r->body, "assignment");
	char *id, *now;
	json_t *req;

	if (r->nr_seg != 3)
		return mg_not_found(g, res, r->path);
	if (strcmp(r->method, "POST"))
		return mg_bad_method(g, res);
	if (!type || !json_is_object(assignment))
		return mg_bad_body(g, res,
				   "An assignment request needs requestType and assignment.");
	if (!strcasecmp(type, "adminRemove")) {
		const char *aid = json_string_value(json_object_get(assignment, "id"));

		if (!aid || !mg_lookup(g, g->assignments, aid))
			return mg_not_found(g, res, aid ? aid : "(no assignment id)");
		json_object_del(g->assignments, aid);
	} else if (!strcasecmp(type, "adminAdd")) {
		const char *target = json_string_value(json_object_get(assignment, "targetId"));
		const char *policy =
		    json_string_value(json_object_get(assignment, "assignmentPolicyId"));
		const char *pkg = json_string_value(json_object_get(assignment, "accessPackageId"));
		json_t *user = target ? mg_lookup(g, g->users, target) : NULL;
		json_t *a;

		if (!target || !policy || !pkg)
			return mg_bad_body(g, res,
					   "adminAdd needs assignment.targetId, assignmentPolicyId "
					   "and accessPackageId.");
		if (!mg_lookup(g, g->access_packages, pkg))
			return mg_not_found(g, res, pkg);
		if (!user)
			return mg_not_found(g, res, target);
		id = mg_new_id(g);
		now = mg_now_iso();
		a = json_pack("{s:s, s:s, s:s, s:s, s:n, s:{s:s}, s:{s:s}, s:{s:s, s:O, s:O, s:O}}",
			      "id", id, "state", "delivered", "status", "Delivered",
			      "assignedDateTime", now, "expiredDateTime", "accessPackage", "id",
			      pkg, "assignmentPolicy", "id", policy, "target", "objectId", target,
			      "displayName", mg_or_null(json_object_get(user, "displayName")),
			      "email", mg_or_null(json_object_get(user, "mail")), "principalName",
			      mg_or_null(json_object_get(user, "userPrincipalName")));
		json_object_set_new(g->assignments, id, a);
		free(id);
		free(now);
	} else {
		return mg_bad_body(g, res, "requestType must be adminAdd or adminRemove.");
	}
	id = mg_new_id(g);
	now = mg_now_iso();
	req = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:n}", "id", id, "requestType", type,
			"state", "submitted", "status", "Accepted", "requestState", "Submitted",
			"requestStatus", "Accepted", "createdDateTime", now, "completedDateTime");
	free(id);
	free(now);
	answer(g, r, res, 201, req, "accessPackageAssignmentRequests/$entity");
}

void mg_entitlement(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res)
{
	static const char *const org_required[] = {"displayName", NULL};
	static const char *const cat_required[] = {"displayName", NULL};
	static const struct simple_coll orgs = {"connectedOrganizations", NULL, org_required};
	static const struct simple_coll cats = {"catalogs", catalog_hidden, cat_required};
	const char *area = r->nr_seg >= 3 ? r->seg[2] : "";

	if (r->nr_seg < 3 || strcmp(r->seg[1], "entitlementManagement"))
		return mg_not_found(g, res, r->path);
	if (!strcmp(area, "connectedOrganizations")) {
		if (r->nr_seg == 3 && !strcmp(r->method, "POST") &&
		    has_required(g, res, r->body, org_required)) {
			/* Graph's 201 shows identitySources empty although they were stored */
			json_t *org = connected_org_create(g, r->body), *shown;

			json_object_set(g->connected_orgs,
					json_string_value(json_object_get(org, "id")), org);
			shown = json_copy(org);
			json_object_set_new(shown, "identitySources", json_array());
			json_decref(org);
			return answer(g, r, res, 201, shown, NULL);
		}
		if (res->status)
			return;
		return simple_collection(g, r, res, g->connected_orgs, &orgs, connected_org_create);
	}
	if (!strcmp(area, "catalogs")) {
		if (r->nr_seg >= 5 && !strcmp(r->seg[4], "resources"))
			return catalog_resources(g, r, res);
		return simple_collection(g, r, res, g->catalogs, &cats, catalog_create);
	}
	if (!strcmp(area, "resourceRequests"))
		return resource_requests(g, r, res);
	if (!strcmp(area, "accessPackages"))
		return access_packages(g, r, res);
	if (!strcmp(area, "assignmentPolicies"))
		return assignment_policies(g, r, res);
	if (!strcmp(area, "assignments"))
		return assignments(g, r, res);
	if (!strcmp(area, "assignmentRequests"))
		return assignment_requests(g, r, res);
	mg_not_found(g, res, r->path);
}
