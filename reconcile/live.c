/*
 * live: hash lookups over the live model. See live.h.
 *
 * Each map is a strmap whose keys are the live model's own strings (mail,
 * userPrincipalName, id, displayName), compared without case where Entra
 * ignores case, so building and looking up copy no key. The index borrows
 * them: it is built from a model that no one changes any more, and freed
 * before it (at 100,000 guests, holding references cost 8 MB of a plan).
 */
#include "live.h"
#include "../schema/base/background.h"
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
	const json_t *users; /* the model's */
	char **owned_keys;   /* keys made here: the emails #EXT# UPNs stand for */
	size_t owned_nr, owned_alloc;
};

char *lowercase_dup(const char *s)
{
	char *d = xstrdup(s), *p;

	for (p = d; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

/* Maps a key of the model's to value. */
static void index_put(struct strmap *map, const char *key, json_t *value)
{
	if (key && *key)
		strmap_put(map, key, value);
}

/* Maps a key made here to value; the index owns it from now on. */
static void index_put_owned(struct live_index *idx, struct strmap *map, char *key, json_t *value)
{
	if (!key || !*key || strmap_put(map, key, value)) {
		free(key);
		return;
	}
	ALLOC_GROW(idx->owned_keys, idx->owned_nr + 1, idx->owned_alloc);
	idx->owned_keys[idx->owned_nr++] = key;
}

/*
 * In an #EXT# userPrincipalName (local_domain#EXT#@host), how long the part
 * that stands for an email is, and where in it the '_' that stands for its
 * '@' is: the last one. 0 when upn is not of that form.
 */
static int ext_upn_email(const char *upn, size_t *len, size_t *at)
{
	const char *ext = upn ? strstr(upn, "#EXT#@") : NULL;
	const char *us;

	if (!ext)
		ext = upn ? strstr(upn, "#ext#@") : NULL;
	if (!ext || ext == upn)
		return 0;
	for (us = ext - 1; us > upn && *us != '_'; us--)
		;
	if (*us != '_')
		return 0;
	*len = (size_t)(ext - upn);
	*at = (size_t)(us - upn);
	return 1;
}

char *guest_email_from_upn(const char *upn)
{
	size_t len, at, i;
	char *email;

	if (!ext_upn_email(upn, &len, &at))
		return NULL;
	email = xstrndup(upn, len);
	for (i = 0; i < len; i++)
		email[i] = (char)tolower((unsigned char)email[i]);
	email[at] = '@';
	return email;
}

int guest_upn_is_for(const char *upn, const char *email)
{
	size_t len, at;

	if (!email || !ext_upn_email(upn, &len, &at) || strlen(email) != len || email[at] != '@')
		return 0;
	return !strncasecmp(upn, email, at) &&
	       !strncasecmp(upn + at + 1, email + at + 1, len - at - 1);
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

/* users_by_email: mail, otherMails and the email an #EXT# UPN stands for. */
static void *index_emails(void *arg)
{
	struct live_index *idx = arg;
	json_t *u, *other;
	size_t i, j;

	strmap_reserve(&idx->users_by_email, json_array_size(idx->users));
	json_array_foreach(idx->users, i, u) {
		const char *upn, *mail;

		if (!json_is_object(u))
			continue;
		upn = json_string_value(json_object_get(u, "userPrincipalName"));
		mail = json_string_value(json_object_get(u, "mail"));
		index_put(&idx->users_by_email, mail, u);
		json_array_foreach(json_object_get(u, "otherMails"), j, other)
		{
			index_put(&idx->users_by_email, json_string_value(other), u);
		}
		/* a guest's #EXT# UPN stands for its mail, most of the time: no second key then */
		if (!guest_upn_is_for(upn, mail))
			index_put_owned(idx, &idx->users_by_email, guest_email_from_upn(upn), u);
	}
	return NULL;
}

/* The maps by email are built on a thread of their own beside the others. */
struct live_index *live_index_build(const json_t *live)
{
	struct live_index *idx = xcalloc(1, sizeof(*idx));
	json_t *groups = json_object_get(live, "groups");
	struct background emails;
	json_t *u, *g;
	size_t i;

	idx->users = json_object_get(live, "users");
	idx->users_by_email.fold_case = 1;
	idx->users_by_upn.fold_case = 1;
	background_start(&emails, index_emails, idx);
	strmap_reserve(&idx->users_by_id, json_array_size(idx->users));
	strmap_reserve(&idx->users_by_upn, json_array_size(idx->users));
	json_array_foreach(idx->users, i, u) {
		if (!json_is_object(u))
			continue;
		index_put(&idx->users_by_id, json_string_value(json_object_get(u, "id")), u);
		index_put(&idx->users_by_upn,
			  json_string_value(json_object_get(u, "userPrincipalName")), u);
	}
	json_array_foreach(groups, i, g) {
		if (!json_is_object(g))
			continue;
		index_put(&idx->groups_by_id, json_string_value(json_object_get(g, "id")), g);
		index_put(&idx->groups_by_name,
			  json_string_value(json_object_get(g, "displayName")), g);
	}
	background_wait(&emails);
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
