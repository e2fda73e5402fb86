/*
 * live: hash lookups over the live model. See live.h.
 *
 * Each map is a strmap whose keys are the live model's own strings (mail,
 * userPrincipalName, id, displayName), compared without case where Entra
 * ignores case, so building and looking up copy no key. The index holds a
 * reference to every key string and object it maps, so it stays valid even if
 * the model is freed first.
 */
#include "live.h"
#include "../schema/base/strbuf.h"
#include "../schema/base/strmap.h"
#include "../schema/base/xalloc.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

struct live_index {
	struct strmap users_by_email;
	struct strmap users_by_id;
	struct strmap users_by_upn;
	struct strmap groups_by_name;
	struct strmap groups_by_id;
	json_t *held;      /* the key strings and objects the maps point into */
	char **owned_keys; /* keys made here: the emails #EXT# UPNs stand for */
	size_t owned_nr, owned_alloc;
};

char *lowercase_dup(const char *s)
{
	char *d = xstrdup(s), *p;

	for (p = d; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

/* Maps key (held by key_ref, or owned by the index when key_ref is NULL) to value. */
static void index_put(struct live_index *idx, struct strmap *map, const char *key, json_t *key_ref,
		      json_t *value)
{
	if (!key || !*key || strmap_put(map, key, value)) {
		if (!key_ref)
			free((char *)key);
		return;
	}
	if (key_ref) {
		json_array_append(idx->held, key_ref);
	} else {
		ALLOC_GROW(idx->owned_keys, idx->owned_nr + 1, idx->owned_alloc);
		idx->owned_keys[idx->owned_nr++] = (char *)key;
	}
	json_array_append(idx->held, value);
}

/* Maps the string obj[name] to value. */
static void index_put_member(struct live_index *idx, struct strmap *map, json_t *obj,
			     const char *name, json_t *value)
{
	json_t *key = json_object_get(obj, name);

	if (json_is_string(key))
		index_put(idx, map, json_string_value(key), key, value);
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

	idx->users_by_email.fold_case = 1;
	idx->users_by_upn.fold_case = 1;
	idx->held = json_array();
	json_array_foreach(users, i, u) {
		const char *upn;
		json_t *other;

		if (!json_is_object(u))
			continue;
		index_put_member(idx, &idx->users_by_id, u, "id", u);
		index_put_member(idx, &idx->users_by_upn, u, "userPrincipalName", u);
		index_put_member(idx, &idx->users_by_email, u, "mail", u);
		json_array_foreach(json_object_get(u, "otherMails"), j, other)
		{
			if (json_is_string(other))
				index_put(idx, &idx->users_by_email, json_string_value(other),
					  other, u);
		}
		upn = json_string_value(json_object_get(u, "userPrincipalName"));
		index_put(idx, &idx->users_by_email, guest_email_from_upn(upn), NULL, u);
	}
	json_array_foreach(groups, i, g) {
		if (!json_is_object(g))
			continue;
		index_put_member(idx, &idx->groups_by_id, g, "id", g);
		index_put_member(idx, &idx->groups_by_name, g, "displayName", g);
	}
	return idx;
}

void live_index_free(struct live_index *idx)
{
	size_t i;

	if (!idx)
		return;
	strmap_release(&idx->users_by_email);
	strmap_release(&idx->users_by_id);
	strmap_release(&idx->users_by_upn);
	strmap_release(&idx->groups_by_name);
	strmap_release(&idx->groups_by_id);
	json_decref(idx->held);
	for (i = 0; i < idx->owned_nr; i++)
		free(idx->owned_keys[i]);
	free(idx->owned_keys);
	free(idx);
}

json_t *live_user_by_email(const struct live_index *idx, const char *email)
{
	return strmap_get(&idx->users_by_email, email);
}

json_t *live_user_by_id(const struct live_index *idx, const char *id)
{
	return strmap_get(&idx->users_by_id, id);
}

json_t *live_user_by_upn(const struct live_index *idx, const char *upn)
{
	return strmap_get(&idx->users_by_upn, upn);
}

json_t *live_group_by_name(const struct live_index *idx, const char *display_name)
{
	return strmap_get(&idx->groups_by_name, display_name);
}

json_t *live_group_by_id(const struct live_index *idx, const char *id)
{
	return strmap_get(&idx->groups_by_id, id);
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
