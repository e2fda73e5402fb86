/*
 * partners_common: helpers shared by the tenant-settings and partner kinds.
 * See partners_common.h.
 */
#include "partners_common.h"
#include "../../schema/base/strbuf.h"
#include "../../schema/base/xalloc.h"

#include <stdarg.h>
#include <string.h>
#include <strings.h>

const char *partner_display_name(const struct cfg_partner *p)
{
	return p->display_name.value ? p->display_name.value : p->name.value;
}

const char *odata_type_of(const json_t *obj)
{
	const char *t = json_string_value(json_object_get(obj, "@odata.type"));

	if (!t)
		return "";
	return *t == '#' ? t + 1 : t;
}

int json_truthy(const json_t *v)
{
	if (json_is_true(v))
		return 1;
	if (json_is_string(v))
		return !strcasecmp(json_string_value(v), "true");
	return 0;
}

json_t *graph_single_entity(json_t *response)
{
	json_t *value;

	if (!json_is_object(response))
		return NULL;
	value = json_object_get(response, "value");
	if (json_is_array(value))
		return json_is_object(json_array_get(value, 0)) ? json_array_get(value, 0) : NULL;
	if (json_is_object(value))
		return value;
	return response;
}

static void org_index_put(json_t *index, const char *prefix, const char *key, json_t *org,
			  int fold_case)
{
	char *k, *lower;

	if (!key || !*key)
		return;
	k = xstrfmt("%s:%s", prefix, key);
	lower = fold_case ? lowercase_dup(k) : xstrdup(k);
	if (!json_object_get(index, lower))
		json_object_set(index, lower, org);
	free(lower);
	free(k);
}

static json_t *org_index_get(const json_t *index, const char *prefix, const char *key,
			     int fold_case)
{
	json_t *org;
	char *k, *lower;

	if (!key || !*key)
		return NULL;
	k = xstrfmt("%s:%s", prefix, key);
	lower = fold_case ? lowercase_dup(k) : xstrdup(k);
	org = json_object_get(index, lower);
	free(lower);
	free(k);
	return org;
}

json_t *connected_organization_index_build(const json_t *live)
{
	json_t *index = json_object(), *org, *src;
	size_t i, j;

	json_array_foreach(json_object_get(live, "connectedOrganizations"), i, org)
	{
		json_array_foreach(json_object_get(org, "identitySources"), j, src)
		{
			const char *type = odata_type_of(src);

			if (!strcmp(type, "microsoft.graph.azureActiveDirectoryTenant"))
				org_index_put(index, "tenant",
					      json_string_value(json_object_get(src, "tenantId")),
					      org, 1);
			else if (!strcmp(type, "microsoft.graph.domainIdentitySource"))
				org_index_put(index, "domain",
					      json_string_value(json_object_get(src, "domainName")),
					      org, 1);
		}
		org_index_put(index, "name", json_string_value(json_object_get(org, "displayName")),
			      org, 0);
	}
	return index;
}

json_t *connected_organization_index_find(const json_t *index, const json_t *live,
					  const struct cfg_partner *p)
{
	json_t *org = org_index_get(index, "tenant", live_partner_tenant_id(live, p), 1);
	size_t i;

	for (i = 0; !org && i < p->domains.nr; i++)
		org = org_index_get(index, "domain", p->domains.items[i].value, 1);
	if (!org)
		org = org_index_get(index, "name", partner_display_name(p), 0);
	return org;
}

static int source_names(const json_t *src, const char *type, const char *key, const char *value)
{
	const char *have = json_string_value(json_object_get(src, key));

	return value && have && !strcmp(odata_type_of(src), type) && !strcasecmp(have, value);
}

/* The first org with an identity source of `type` whose `key` is `value` (no case). */
static json_t *org_with_source(const json_t *orgs, const char *type, const char *key,
			       const char *value)
{
	json_t *org, *src;
	size_t i, j;

	json_array_foreach(orgs, i, org)
	    json_array_foreach(json_object_get(org, "identitySources"), j,
			       src) if (source_names(src, type, key, value)) return org;
	return NULL;
}

/* One scan: the same answer as connected_organization_index_find, for a single lookup. */
json_t *live_connected_organization_for(const json_t *live, const struct cfg_partner *p)
{
	const json_t *orgs = json_object_get(live, "connectedOrganizations");
	json_t *org = org_with_source(orgs, "microsoft.graph.azureActiveDirectoryTenant",
				      "tenantId", live_partner_tenant_id(live, p));
	size_t i;

	for (i = 0; !org && i < p->domains.nr; i++)
		org = org_with_source(orgs, "microsoft.graph.domainIdentitySource", "domainName",
				      p->domains.items[i].value);
	if (!org)
		org = live_find_by_display_name(live, "connectedOrganizations",
						partner_display_name(p));
	return org;
}

static int compare_json_strings(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a),
		      json_string_value(*(json_t *const *)b));
}

void domain_set_normalize(json_t *set)
{
	size_t nr = json_array_size(set), i, kept = 0;
	json_t **items = xcalloc(nr ? nr : 1, sizeof(*items));

	for (i = 0; i < nr; i++)
		items[i] = json_incref(json_array_get(set, i));
	qsort(items, nr, sizeof(*items), compare_json_strings);
	json_array_clear(set);
	for (i = 0; i < nr; i++) {
		if (kept && !strcmp(json_string_value(items[i]),
				    json_string_value(json_array_get(set, kept - 1)))) {
			json_decref(items[i]);
			continue;
		}
		json_array_append_new(set, items[i]);
		kept++;
	}
	free(items);
}

json_t *domain_set_from_json(const json_t *list)
{
	json_t *set = json_array(), *item;
	size_t i;

	json_array_foreach(list, i, item)
	{
		char *lower;

		if (!json_is_string(item) || !*json_string_value(item))
			continue;
		lower = lowercase_dup(json_string_value(item));
		json_array_append_new(set, json_string(lower));
		free(lower);
	}
	domain_set_normalize(set);
	return set;
}

void domain_set_add_cfg(json_t *set, const struct cfg_str_list *items)
{
	size_t i;

	for (i = 0; i < items->nr; i++) {
		char *lower;

		if (!items->items[i].value || !*items->items[i].value)
			continue;
		lower = lowercase_dup(items->items[i].value);
		json_array_append_new(set, json_string(lower));
		free(lower);
	}
}

int json_same(const json_t *a, const json_t *b)
{
	if (!a || json_is_null(a))
		return !b || json_is_null(b);
	return b && json_equal((json_t *)a, (json_t *)b);
}

json_t *action_request_data(const char *method, json_t *body, int batchable, const char *path_fmt,
			    ...)
{
	struct strbuf path = STRBUF_INIT;
	va_list ap;
	json_t *data;

	va_start(ap, path_fmt);
	strbuf_vaddf(&path, path_fmt, ap);
	va_end(ap);
	data = json_pack("{s:s, s:s%, s:o, s:b}", "method", method, "path", path.buf, path.len,
			 "body", body ? body : json_null(), "batchable", batchable);
	strbuf_release(&path);
	return data;
}

void tenant_request_from_data(struct tenant_request *next, const json_t *data, const char *what)
{
	json_t *body = json_object_get(data, "body");
	unsigned flags = json_is_true(json_object_get(data, "batchable")) ? TENANT_BATCHABLE : 0;
	const char *method = json_string_value(json_object_get(data, "method"));
	const char *path = json_string_value(json_object_get(data, "path"));

	tenant_request_init(next, method ? method : "GET",
			    json_is_null(body) ? NULL : json_deep_copy(body), flags, what, "%s",
			    path ? path : "");
}

enum apply_step_result apply_step_single_request(struct apply_ctx *ctx,
						 const struct plan_action *action, json_t *state,
						 const struct tenant_request *prev,
						 struct tenant_request *next)
{
	(void)state;
	if (!prev) {
		char *what = xstrfmt("%s %s", plan_op_name(action->op), action->address);

		if (!json_object_get(action->data, "path")) {
			apply_ctx_fail(ctx, action, NULL, "%s: the plan holds no request for it",
				       action->address);
			free(what);
			return APPLY_STEP_FAILED;
		}
		tenant_request_from_data(next, action->data, what);
		free(what);
		return APPLY_STEP_MORE;
	}
	if (tenant_request_ok(prev))
		return APPLY_STEP_DONE;
	apply_ctx_fail(ctx, action, prev, "%s", "");
	return APPLY_STEP_FAILED;
}

int tenant_request_error(const struct tenant_request *req)
{
	char *why = tenant_request_describe_error(req);

	b2b_error_set("%s", why);
	free(why);
	return -1;
}

static int find_single_entity(struct apply_ctx *ctx, const struct plan_action *action,
			      const struct tenant_request *lookup, const struct create_once *c,
			      json_t **found)
{
	(void)ctx;
	(void)action;
	(void)c;
	*found = graph_single_entity(lookup->response);
	return *found != NULL;
}

enum apply_step_result apply_step_create_once(struct apply_ctx *ctx,
					      const struct plan_action *action, json_t *state,
					      const struct tenant_request *prev,
					      struct tenant_request *next, const char *missing_id)
{
	char *what = xstrfmt("create %s", action->address);
	char *lookup_what = xstrfmt("look for %s after an unanswered create", action->address);
	const char *path = json_string_value(json_object_get(action->data, "path"));
	const char *method = json_string_value(json_object_get(action->data, "method"));
	const json_t *body = json_object_get(action->data, "body");
	struct create_once c = {
	    .method = method ? method : "GET",
	    .path = path ? path : "",
	    .body = json_is_null(body) ? NULL : body,
	    .flags =
		json_is_true(json_object_get(action->data, "batchable")) ? TENANT_BATCHABLE : 0,
	    .what = what,
	    .created_in_answer = graph_single_entity,
	    .lookup_path = json_string_value(json_object_get(action->data, "lookup")),
	    .lookup_what = lookup_what,
	    .find = find_single_entity,
	    .lookup_404_is_none = 1,
	    .max_sends = 3,
	    .look_after_last_send = 1,
	    .missing_id = missing_id,
	};
	enum apply_step_result res = create_once_step(ctx, action, state, prev, next, &c, NULL);

	free(lookup_what);
	free(what);
	return res;
}
