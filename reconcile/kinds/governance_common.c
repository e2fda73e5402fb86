/*
 * governance_common: normalised comparison, references and the create, write
 * and delete steps of the conditional access and entitlement kinds. See
 * governance_common.h.
 */
#include "governance_common.h"
#include "create_once.h"
#include "../../schema/base/json_memory.h"
#include "../../schema/base/xalloc.h"

#include <math.h>
#include <string.h>
#include <strings.h>

struct sort_item {
	char *key;
	json_t *value;
};

static int sort_item_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sort_item *)a)->key, ((const struct sort_item *)b)->key);
}

static void array_sort(json_t *arr)
{
	size_t i, n = json_array_size(arr);
	struct sort_item *items;

	if (n < 2)
		return;
	items = xcalloc(n, sizeof(*items));
	for (i = 0; i < n; i++) {
		items[i].value = json_incref(json_array_get(arr, i));
		items[i].key =
		    json_text(items[i].value, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
		if (!items[i].key)
			xalloc_die("json_text");
	}
	qsort(items, n, sizeof(*items), sort_item_cmp);
	json_array_clear(arr);
	for (i = 0; i < n; i++) {
		json_array_append_new(arr, items[i].value);
		free(items[i].key);
	}
	free(items);
}

static json_t *normalised(const json_t *v, int in_array)
{
	json_t *out, *item;
	const char *key;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_NULL:
		return NULL;
	case JSON_STRING:
		if (!json_string_length(v))
			return NULL;
		if (in_array) {
			char *lower = lowercase_dup(json_string_value(v));

			out = json_string(lower);
			free(lower);
			return out;
		}
		return json_copy((json_t *)v);
	case JSON_REAL: {
		double d = json_real_value(v);

		if (d == floor(d) && fabs(d) < 9e15)
			return json_integer((json_int_t)d);
		return json_copy((json_t *)v);
	}
	case JSON_OBJECT:
		out = json_object();
		json_object_foreach((json_t *)v, key, item)
		{
			json_t *n;

			if (!strncmp(key, "@odata.", 7))
				continue;
			n = normalised(item, 0);
			if (n)
				json_object_set_new(out, key, n);
		}
		break;
	case JSON_ARRAY:
		out = json_array();
		json_array_foreach(v, i, item)
		{
			json_t *n = normalised(item, 1);

			if (n)
				json_array_append_new(out, n);
		}
		array_sort(out);
		break;
	default:
		return json_copy((json_t *)v);
	}
	if (json_is_object(out) ? !json_object_size(out) : !json_array_size(out)) {
		json_decref(out);
		return NULL;
	}
	return out;
}

json_t *gov_normalised(const json_t *v)
{
	return v ? normalised(v, 0) : NULL;
}

static const char *odata_type_bare(const json_t *obj)
{
	const char *t = json_string_value(json_object_get(obj, "@odata.type"));

	if (!t)
		return "";
	return *t == '#' ? t + 1 : t;
}

/* The element of shape (an array of objects) with the same @odata.type as item. */
static const json_t *shape_for_item(const json_t *shape, const json_t *item)
{
	const char *want = odata_type_bare(item);
	const json_t *s;
	size_t i;

	json_array_foreach(shape, i, s) if (json_is_object(s) &&
					    !strcasecmp(odata_type_bare(s), want)) return s;
	return NULL;
}

json_t *gov_project(const json_t *shape, const json_t *live)
{
	const char *key;
	json_t *value, *out;
	size_t i;

	if (!live || json_is_null(live))
		return NULL;
	if (json_is_object(shape) && json_is_object(live)) {
		out = json_object();
		json_object_foreach((json_t *)shape, key, value)
		{
			json_t *p = gov_project(value, json_object_get(live, key));

			if (p)
				json_object_set_new(out, key, p);
		}
		return out;
	}
	if (json_is_array(shape) && json_is_object(json_array_get(shape, 0)) &&
	    json_is_array(live)) {
		out = json_array();
		json_array_foreach(live, i, value)
		{
			const json_t *s = shape_for_item(shape, value);

			json_array_append_new(out,
					      s ? gov_project(s, value) : json_deep_copy(value));
		}
		return out;
	}
	return json_deep_copy(live);
}

int gov_equal(const json_t *desired, const json_t *live)
{
	json_t *a = gov_normalised(desired);
	json_t *b = gov_normalised(live);
	int same = (!a && !b) || (a && b && json_equal(a, b));

	json_decref(a);
	json_decref(b);
	return same;
}

json_t *gov_changed_keys(const json_t *desired, const json_t *live)
{
	json_t *keys = json_array(), *value;
	const char *key;

	json_object_foreach((json_t *)desired, key, value)
	{
		json_t *before = gov_project(value, json_object_get(live, key));

		if (!gov_equal(value, before))
			json_array_append_new(keys, json_string(key));
		json_decref(before);
	}
	return keys;
}

void gov_add_changes(struct plan_action *a, const json_t *keys, const json_t *desired,
		     const json_t *live)
{
	json_t *k;
	size_t i;

	json_array_foreach(keys, i, k)
	{
		const char *key = json_string_value(k);
		json_t *after = json_object_get(desired, key);
		json_t *before = live ? gov_project(after, json_object_get(live, key)) : NULL;

		plan_action_add_change(a, key, before, after ? json_deep_copy(after) : NULL);
	}
}

json_t *gov_ref(const char *id, const char *address)
{
	return id ? json_pack("{s:s}", "id", id) : json_pack("{s:s}", "address", address);
}

const char *gov_ref_label(const json_t *ref)
{
	const char *id = json_string_value(json_object_get(ref, "id"));

	return id ? id : json_string_value(json_object_get(ref, "address"));
}

const char *gov_resolve(const struct apply_ctx *ctx, const json_t *ref)
{
	json_t *holder = json_pack("{s:O}", "ref", ref);
	const char *id = apply_ctx_resolve(ctx, holder, "ref");

	/* an id stored in the reference itself outlives the holder: ref keeps it */
	json_decref(holder);
	return id;
}

json_t *gov_group_ref(const struct reconcile_ctx *ctx, const struct cfg_str *name, json_t *deps,
		      const char *used_by)
{
	json_t *group = live_group_by_name(ctx->index, name->value);
	const char *id = json_string_value(json_object_get(group, "id"));
	char *address;
	json_t *ref;

	if (id)
		return gov_ref(id, NULL);
	if (!config_find_group(ctx->cfg, name->value)) {
		diag_error(ctx->diags, &name->pos,
			   "%s: group '%s' is neither declared under groups nor in the tenant",
			   used_by, name->value);
		return NULL;
	}
	address = xstrfmt("group.%s", name->value);
	ref = gov_ref(NULL, address);
	json_array_append_new(deps, json_string(address));
	free(address);
	return ref;
}

void gov_add_depends(struct plan_action *a, const json_t *deps)
{
	json_t *d;
	size_t i;

	json_array_foreach(deps, i, d) plan_action_depends_on(a, json_string_value(d));
}

json_t *gov_name_index(const json_t *items)
{
	json_t *index = json_object(), *item;
	size_t i;

	json_array_foreach(items, i, item)
	{
		const char *name = json_string_value(json_object_get(item, "displayName"));
		json_t *same;

		if (!name)
			continue;
		same = json_object_get(index, name);
		if (!same) {
			same = json_array();
			json_object_set_new(index, name, same);
		}
		json_array_append(same, item);
	}
	return index;
}

json_t *gov_named(const json_t *index, const char *name)
{
	return name ? json_array_get(json_object_get(index, name), 0) : NULL;
}

int gov_check_unique(const struct reconcile_ctx *ctx, const json_t *index, const char *name,
		     const struct src_pos *pos, const char *what)
{
	size_t count = name ? json_array_size(json_object_get(index, name)) : 0;

	if (count < 2)
		return 0;
	diag_error(ctx->diags, pos,
		   "the tenant holds %zu %s named '%s' and b2bctl cannot tell which one is "
		   "declared: rename or delete all but one",
		   count, what, name);
	return -1;
}

int gov_first_time(json_t *seen, const char *name)
{
	if (json_object_get(seen, name))
		return 0;
	json_object_set_new(seen, name, json_true());
	return 1;
}

int gov_id_equal(const char *a, const char *b)
{
	return a && b && !strcasecmp(a, b);
}

enum apply_step_result gov_fail(struct apply_ctx *ctx, const struct plan_action *action,
				const struct tenant_request *req)
{
	char *why = tenant_request_describe_error(req);

	apply_ctx_fail(ctx, action, req, "%s", why);
	free(why);
	return APPLY_STEP_FAILED;
}

int gov_read_failed(const struct tenant_request *req)
{
	char *why = tenant_request_describe_error(req);

	b2b_error_set("%s", why);
	free(why);
	return -1;
}

void gov_collect(json_t *collection, const json_t *answer)
{
	json_t *item, *have;
	size_t i, j;

	json_array_foreach(json_object_get(answer, "value"), i, item)
	{
		const char *id = json_string_value(json_object_get(item, "id"));
		int known = 0;

		if (!json_is_object(item))
			continue;
		json_array_foreach(
		    collection, j,
		    have) if (id &&
			      gov_id_equal(id, json_string_value(json_object_get(have, "id"))))
		    known = 1;
		if (!known)
			json_array_append(collection, item);
	}
}

int gov_may_send(json_t *state, const char *key)
{
	json_int_t sent = json_integer_value(json_object_get(state, key));

	if (sent >= GOV_MAX_SENDS)
		return 0;
	json_object_set_new(state, key, json_integer(sent + 1));
	return 1;
}

enum apply_step_result gov_create_step(struct apply_ctx *ctx, const struct plan_action *action,
				       json_t *state, const struct tenant_request *prev,
				       struct tenant_request *next, const struct gov_create *c)
{
	char *what = xstrfmt("create %s", action->address);
	char *lookup_what = xstrfmt("look for %s before creating it again", action->address);
	struct create_once once = {
	    .path = c->path,
	    .body = c->body,
	    .flags = c->flags,
	    .what = what,
	    .lookup_path = c->lookup_path,
	    .lookup_flags = TENANT_PAGED,
	    .lookup_what = lookup_what,
	    .find = create_once_find_match,
	    .match_key = c->match_key,
	    .match_value = c->match_value,
	    .max_sends = GOV_MAX_SENDS,
	};
	enum apply_step_result res = create_once_step(ctx, action, state, prev, next, &once, NULL);

	free(lookup_what);
	free(what);
	return res;
}

enum apply_step_result gov_write_step(struct apply_ctx *ctx, const struct plan_action *action,
				      const struct tenant_request *prev,
				      struct tenant_request *next, const char *method,
				      const char *path, const json_t *body)
{
	char *what;

	if (prev)
		return tenant_request_ok(prev) ? APPLY_STEP_DONE : gov_fail(ctx, action, prev);
	what = xstrfmt("update %s", action->address);
	tenant_request_init(next, method, json_deep_copy(body),
			    TENANT_BATCHABLE | TENANT_RETRY_NOT_FOUND, what, "%s", path);
	free(what);
	return APPLY_STEP_MORE;
}

enum apply_step_result gov_delete_step(struct apply_ctx *ctx, const struct plan_action *action,
				       const struct tenant_request *prev,
				       struct tenant_request *next, const char *path)
{
	char *what;

	if (prev) {
		if (tenant_request_ok(prev) || prev->status == 404)
			return APPLY_STEP_DONE;
		return gov_fail(ctx, action, prev);
	}
	what = xstrfmt("delete %s", action->address);
	tenant_request_init(next, "DELETE", NULL, TENANT_BATCHABLE, what, "%s", path);
	free(what);
	return APPLY_STEP_MORE;
}
