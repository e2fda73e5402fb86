/*
 * live: hash lookups over the live model. See live.h.
 *
 * Each map is an open-addressing table whose keys are the live model's own
 * strings (mail, userPrincipalName, id, displayName), hashed and compared
 * without case where Entra ignores case, so building and looking up allocate
 * nothing per key. The index holds a reference to every key string and value,
 * so it stays valid even if the model is freed first.
 */
#include "live.h"
#include "../schema/base/strbuf.h"
#include "../schema/base/xalloc.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

struct live_slot {
	const char *key; /* NULL: empty */
	json_t *key_ref; /* the string that holds key, or NULL when key is owned */
	json_t *value;
};

struct live_map {
	struct live_slot *slots;
	size_t nr, cap; /* cap: a power of two, at least twice nr */
	int fold_case;
};

struct live_index {
	struct live_map users_by_email;
	struct live_map users_by_id;
	struct live_map users_by_upn;
	struct live_map groups_by_name;
	struct live_map groups_by_id;
};

char *lowercase_dup(const char *s)
{
	char *d = xstrdup(s), *p;

	for (p = d; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

static size_t key_hash(const char *s, int fold_case)
{
	size_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		h ^= fold_case ? (unsigned char)tolower(c) : c;
		h *= 1099511628211ULL;
	}
	return h;
}

static struct live_slot *map_slot(const struct live_map *m, const char *key)
{
	size_t h = key_hash(key, m->fold_case) & (m->cap - 1);

	for (; m->slots[h].key; h = (h + 1) & (m->cap - 1))
		if (m->fold_case ? !strcasecmp(m->slots[h].key, key)
				 : !strcmp(m->slots[h].key, key))
			break;
	return &m->slots[h];
}

static void map_grow(struct live_map *m)
{
	struct live_slot *old = m->slots;
	size_t old_cap = m->cap, i;

	m->cap = old_cap ? 2 * old_cap : 64;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	for (i = 0; i < old_cap; i++)
		if (old[i].key)
			*map_slot(m, old[i].key) = old[i];
	free(old);
}

/* The first value put under a key stays. key_ref is the JSON string holding
 * key; NULL means key is an allocated string the map now owns. */
static void map_put(struct live_map *m, const char *key, json_t *key_ref, json_t *value)
{
	struct live_slot *slot;

	if (!key || !*key || (m->cap && map_slot(m, key)->key)) {
		if (!key_ref)
			free((char *)key);
		return;
	}
	if (2 * (m->nr + 1) > m->cap)
		map_grow(m);
	slot = map_slot(m, key);
	slot->key = key;
	slot->key_ref = json_incref(key_ref);
	slot->value = json_incref(value);
	m->nr++;
}

/* Puts value under the string obj[name]. */
static void map_put_member(struct live_map *m, json_t *obj, const char *name, json_t *value)
{
	json_t *key = json_object_get(obj, name);

	if (json_is_string(key))
		map_put(m, json_string_value(key), key, value);
}

static json_t *map_get(const struct live_map *m, const char *key)
{
	if (!key || !m->cap)
		return NULL;
	return map_slot(m, key)->value;
}

static void map_release(struct live_map *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++) {
		if (!m->slots[i].key)
			continue;
		if (m->slots[i].key_ref)
			json_decref(m->slots[i].key_ref);
		else
			free((char *)m->slots[i].key);
		json_decref(m->slots[i].value);
	}
	free(m->slots);
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
	json_array_foreach(users, i, u) {
		const char *upn;
		json_t *other;

		if (!json_is_object(u))
			continue;
		map_put_member(&idx->users_by_id, u, "id", u);
		map_put_member(&idx->users_by_upn, u, "userPrincipalName", u);
		map_put_member(&idx->users_by_email, u, "mail", u);
		json_array_foreach(json_object_get(u, "otherMails"), j, other)
		{
			if (json_is_string(other))
				map_put(&idx->users_by_email, json_string_value(other), other, u);
		}
		upn = json_string_value(json_object_get(u, "userPrincipalName"));
		map_put(&idx->users_by_email, guest_email_from_upn(upn), NULL, u);
	}
	json_array_foreach(groups, i, g) {
		if (!json_is_object(g))
			continue;
		map_put_member(&idx->groups_by_id, g, "id", g);
		map_put_member(&idx->groups_by_name, g, "displayName", g);
	}
	return idx;
}

void live_index_free(struct live_index *idx)
{
	if (!idx)
		return;
	map_release(&idx->users_by_email);
	map_release(&idx->users_by_id);
	map_release(&idx->users_by_upn);
	map_release(&idx->groups_by_name);
	map_release(&idx->groups_by_id);
	free(idx);
}

json_t *live_user_by_email(const struct live_index *idx, const char *email)
{
	return map_get(&idx->users_by_email, email);
}

json_t *live_user_by_id(const struct live_index *idx, const char *id)
{
	return map_get(&idx->users_by_id, id);
}

json_t *live_user_by_upn(const struct live_index *idx, const char *upn)
{
	return map_get(&idx->users_by_upn, upn);
}

json_t *live_group_by_name(const struct live_index *idx, const char *display_name)
{
	return map_get(&idx->groups_by_name, display_name);
}

json_t *live_group_by_id(const struct live_index *idx, const char *id)
{
	return map_get(&idx->groups_by_id, id);
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
