/*
 * directory_common: helpers shared by the guest, group and group_member kinds.
 * See directory_common.h.
 */
#include "directory_common.h"
#include "../../schema/base/strbuf.h"
#include "../../schema/base/xalloc.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

static int contains_nocase(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	for (; *haystack; haystack++)
		if (!strncasecmp(haystack, needle, n))
			return 1;
	return 0;
}

struct tenant_request *request_list_add(struct request_list *list)
{
	ALLOC_GROW(list->items, list->nr + 1, list->alloc);
	memset(&list->items[list->nr], 0, sizeof(list->items[0]));
	return &list->items[list->nr++];
}

void request_list_release(struct request_list *list)
{
	size_t i;

	for (i = 0; i < list->nr; i++)
		tenant_request_release(&list->items[i]);
	free(list->items);
	list->items = NULL;
	list->nr = list->alloc = 0;
}

int request_list_check(const struct request_list *list)
{
	size_t i;

	for (i = 0; i < list->nr; i++) {
		if (!tenant_request_ok(&list->items[i])) {
			char *why = tenant_request_describe_error(&list->items[i]);

			b2b_error_set("%s", why);
			free(why);
			return -1;
		}
	}
	return 0;
}

void request_list_add_in_filters(struct request_list *list, const char *collection,
				 const char *property, const json_t *values, const char *select,
				 const char *what)
{
	size_t total = json_array_size(values), start;

	for (start = 0; start < total; start += ODATA_IN_MAX) {
		struct strbuf filter = STRBUF_INIT;
		size_t i;

		strbuf_addf(&filter, "%s%%20in%%20(", property);
		for (i = start; i < total && i < start + ODATA_IN_MAX; i++) {
			if (i > start)
				strbuf_addch(&filter, ',');
			strbuf_add_odata_literal(&filter,
						 json_string_value(json_array_get(values, i)));
		}
		strbuf_addch(&filter, ')');
		tenant_request_init(
		    request_list_add(list), "GET", NULL, TENANT_PAGED | TENANT_BATCHABLE, what,
		    "/v1.0/%s?$filter=%s&$select=%s&$top=999", collection, filter.buf, select);
		strbuf_release(&filter);
	}
}

size_t live_merge_objects(json_t *collection, struct strmap *seen, json_t *answer,
			  const json_t *extra)
{
	size_t i, added = 0;
	json_t *obj;

	json_array_foreach(json_object_get(answer, "value"), i, obj)
	{
		const char *id = json_str(obj, "id");

		if (!id || strmap_find(seen, id))
			continue;
		if (extra)
			json_object_update_new(obj, json_deep_copy(extra));
		json_array_append(collection, obj);
		strmap_put(seen, id, obj);
		added++;
	}
	return added;
}

int request_list_run_merge(struct tenant *tenant, struct request_list *list, json_t *collection,
			   struct strmap *seen, const json_t *extra)
{
	size_t i;

	if (tenant_run(tenant, list->items, list->nr) < 0 || request_list_check(list) < 0)
		return -1;
	for (i = 0; i < list->nr; i++)
		live_merge_objects(collection, seen, list->items[i].response, extra);
	return 0;
}

void live_id_set(struct strmap *seen, const json_t *collection)
{
	json_t *obj;
	size_t i;

	strmap_reserve(seen, seen->nr + json_array_size(collection));
	json_array_foreach(collection, i, obj)
	{
		strmap_put(seen, json_str(obj, "id"), obj);
	}
}

const char *json_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

int str_equal_loose(const char *a, const char *b)
{
	return !strcmp(a ? a : "", b ? b : "");
}

char *live_user_email(const json_t *user)
{
	const char *mail = json_str(user, "mail");
	const char *other;
	char *from_upn;

	if (mail && *mail)
		return lowercase_dup(mail);
	from_upn = guest_email_from_upn(json_str(user, "userPrincipalName"));
	if (from_upn)
		return from_upn;
	other = json_string_value(json_array_get(json_object_get(user, "otherMails"), 0));
	return other && *other ? lowercase_dup(other) : NULL;
}

int live_user_is_external(const json_t *user)
{
	const char *type = json_str(user, "userType");
	const char *upn = json_str(user, "userPrincipalName");
	const char *state = json_str(user, "externalUserState");
	const char *creation = json_str(user, "creationType");

	if (type && !strcasecmp(type, "Guest"))
		return 1;
	if (upn && contains_nocase(upn, "#EXT#@"))
		return 1;
	if (state && *state)
		return 1;
	return creation && !strcasecmp(creation, "Invitation");
}

json_t *live_group_name_counts(const json_t *live)
{
	json_t *counts = json_object(), *ids = json_object(), *group;
	size_t i;

	json_array_foreach(json_object_get(live, "groups"), i, group)
	{
		const char *name = json_str(group, "displayName");
		const char *id = json_str(group, "id");
		json_int_t n;

		if (!name || (id && json_object_get(ids, id)))
			continue;
		if (id)
			json_object_set_new(ids, id, json_true());
		n = json_integer_value(json_object_get(counts, name));
		json_object_set_new(counts, name, json_integer(n + 1));
	}
	json_decref(ids);
	return counts;
}

/* by_email's keys are the configuration's own strings, compared without case. */
void desired_guests_collect(struct desired_guests *out, const struct config *cfg)
{
	size_t p, g, guests = 0;

	memset(out, 0, sizeof(*out));
	out->by_email.fold_case = 1;
	for (p = 0; p < cfg->partners_nr; p++)
		guests += cfg->partners[p].guests_nr;
	strmap_reserve(&out->by_email, guests);
	for (p = 0; p < cfg->partners_nr; p++) {
		const struct cfg_partner *partner = &cfg->partners[p];

		for (g = 0; g < partner->guests_nr; g++) {
			const struct cfg_guest *guest = &partner->guests[g];
			struct desired_guest *d;

			if (!guest->email.value || !*guest->email.value ||
			    strmap_put(&out->by_email, guest->email.value,
				       (void *)(uintptr_t)(out->nr + 1)))
				continue;
			ALLOC_GROW(out->items, out->nr + 1, out->alloc);
			d = &out->items[out->nr++];
			d->email = lowercase_dup(guest->email.value);
			d->guest = guest;
			d->partner = partner;
		}
	}
}

const struct desired_guest *desired_guests_find(const struct desired_guests *dg, const char *email)
{
	size_t at = (size_t)(uintptr_t)strmap_get(&dg->by_email, email);

	return at ? &dg->items[at - 1] : NULL;
}

void desired_guests_release(struct desired_guests *dg)
{
	size_t i;

	for (i = 0; i < dg->nr; i++)
		free(dg->items[i].email);
	free(dg->items);
	strmap_release(&dg->by_email);
	memset(dg, 0, sizeof(*dg));
}

json_t *object_ref(const char *id, const char *address)
{
	if (id)
		return json_pack("{s:s}", "id", id);
	return json_pack("{s:s}", "address", address);
}

int state_take_resend(json_t *state)
{
	json_int_t used = json_integer_value(json_object_get(state, "resends"));

	if (used >= RESEND_MAX)
		return 0;
	json_object_set_new(state, "resends", json_integer(used + 1));
	return 1;
}

enum apply_step_result apply_fail_request(struct apply_ctx *ctx, const struct plan_action *action,
					  const struct tenant_request *req)
{
	apply_ctx_fail(ctx, action, req, "%s", "");
	return APPLY_STEP_FAILED;
}

int answer_message_contains(const struct tenant_request *req, const char *needle)
{
	const char *message = req->error.message;

	if (!message)
		message = json_str(json_object_get(req->response, "error"), "message");
	return message && contains_nocase(message, needle);
}
