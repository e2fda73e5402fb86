/*
 * live: hash lookups over the live model. See live.h.
 *
 * The index keeps jansson objects as hash tables: key -> the live object itself
 * (one more reference, so the index stays valid even if the model is freed first).
 */
#include "live.h"
#include "../schema/base/strbuf.h"
#include "../schema/base/xalloc.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

struct live_index {
	json_t *users_by_email;
	json_t *users_by_id;
	json_t *users_by_upn;
	json_t *groups_by_name;
	json_t *groups_by_id;
};

char *lowercase_dup(const char *s)
{
	char *d = xstrdup(s), *p;

	for (p = d; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

static void index_put(json_t *map, const char *key, json_t *value, int fold_case)
{
	char *k;

	if (!key || !*key)
		return;
	k = fold_case ? lowercase_dup(key) : xstrdup(key);
	if (!json_object_get(map, k))
		json_object_set(map, k, value);
	free(k);
}

static json_t *index_get(json_t *map, const char *key, int fold_case)
{
	json_t *v;
	char *k;

	if (!key)
		return NULL;
	k = fold_case ? lowercase_dup(key) : xstrdup(key);
	v = json_object_get(map, k);
	free(k);
	return v;
}

char *guest_email_from_upn(const char *upn)
{
	const char *ext = upn ? strstr(upn, "#EXT#@") : NULL;
	const char *us;
	char *email, *lower;

	if (!ext)
		ext = upn ? strstr(upn, "#ext#@") : NULL;
	if (!ext || ext == upn)
		return NULL;
	/* local_domain#EXT#@...: the last '_' before #EXT# stands for '@' */
	for (us = ext - 1; us > upn && *us != '_'; us--)
		;
	if (*us != '_')
		return NULL;
	email = xstrndup(upn, (size_t)(ext - upn));
	email[us - upn] = '@';
	lower = lowercase_dup(email);
	free(email);
	return lower;
}

char *guest_upn_for_email(const char *email, const char *default_domain)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;

	for (p = email; *p; p++)
		strbuf_addch(&sb, *p == '@' ? '_' : *p);
	strbuf_addf(&sb, "#EXT#@%s", default_domain ? default_domain : "");
	return strbuf_detach(&sb, NULL);
}

struct live_index *live_index_build(const json_t *live)
{
	struct live_index *idx = xcalloc(1, sizeof(*idx));
	json_t *users = json_object_get(live, "users");
	json_t *groups = json_object_get(live, "groups");
	json_t *u, *g;
	size_t i, j;

	idx->users_by_email = json_object();
	idx->users_by_id = json_object();
	idx->users_by_upn = json_object();
	idx->groups_by_name = json_object();
	idx->groups_by_id = json_object();
	json_array_foreach(users, i, u) {
		const char *upn = json_string_value(json_object_get(u, "userPrincipalName"));
		json_t *other;
		char *from_upn;

		if (!json_is_object(u))
			continue;
		index_put(idx->users_by_id, json_string_value(json_object_get(u, "id")), u, 0);
		index_put(idx->users_by_upn, upn, u, 1);
		index_put(idx->users_by_email, json_string_value(json_object_get(u, "mail")), u, 1);
		json_array_foreach(json_object_get(u, "otherMails"), j, other)
			index_put(idx->users_by_email, json_string_value(other), u, 1);
		from_upn = guest_email_from_upn(upn);
		if (from_upn)
			index_put(idx->users_by_email, from_upn, u, 1);
		free(from_upn);
	}
	json_array_foreach(groups, i, g) {
		if (!json_is_object(g))
			continue;
		index_put(idx->groups_by_id, json_string_value(json_object_get(g, "id")), g, 0);
		index_put(idx->groups_by_name, json_string_value(json_object_get(g, "displayName")),
			  g, 0);
	}
	return idx;
}

void live_index_free(struct live_index *idx)
{
	if (!idx)
		return;
	json_decref(idx->users_by_email);
	json_decref(idx->users_by_id);
	json_decref(idx->users_by_upn);
	json_decref(idx->groups_by_name);
	json_decref(idx->groups_by_id);
	free(idx);
}

json_t *live_user_by_email(const struct live_index *idx, const char *email)
{
	return index_get(idx->users_by_email, email, 1);
}

json_t *live_user_by_id(const struct live_index *idx, const char *id)
{
	return index_get(idx->users_by_id, id, 0);
}

json_t *live_user_by_upn(const struct live_index *idx, const char *upn)
{
	return index_get(idx->users_by_upn, upn, 1);
}

json_t *live_group_by_name(const struct live_index *idx, const char *display_name)
{
	return index_get(idx->groups_by_name, display_name, 0);
}

json_t *live_group_by_id(const struct live_index *idx, const char *id)
{
	return index_get(idx->groups_by_id, id, 0);
}

json_t *live_find_by_display_name(const json_t *live, const char *collection, const char *name)
{
	json_t *item;
	size_t i;

	json_array_foreach(json_object_get(live, collection), i, item) {
		const char *dn = json_string_value(json_object_get(item, "displayName"));

		if (dn && name && !strcmp(dn, name))
			return item;
	}
	return NULL;
}

json_t *live_collection(json_t *live, const char *key)
{
	json_t *arr = json_object_get(live, key);

	if (!json_is_array(arr)) {
		arr = json_array();
		json_object_set_new(live, key, arr);
	}
	return arr;
}

const char *live_partner_tenant_id(const json_t *live, const struct cfg_partner *partner)
{
	json_t *info;
	size_t i, d;

	if (partner->tenant_id.value)
		return partner->tenant_id.value;
	json_array_foreach(json_object_get(live, "tenantInformation"), i, info) {
		const char *def = json_string_value(json_object_get(info, "defaultDomainName"));
		json_t *dom;
		size_t k;

		for (d = 0; d < partner->domains.nr; d++) {
			const char *want = partner->domains.items[d].value;

			if (def && want && !strcasecmp(def, want))
				return json_string_value(json_object_get(info, "tenantId"));
			json_array_foreach(json_object_get(info, "domains"), k, dom)
				if (want && json_is_string(dom) &&
				    !strcasecmp(json_string_value(dom), want))
					return json_string_value(json_object_get(info, "tenantId"));
		}
	}
	return NULL;
}
