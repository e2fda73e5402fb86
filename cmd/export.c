/*
 * export: the live tenant as b2bctl configuration. See export.h.
 *
 * The live model is first turned into the configuration's shape as JSON
 * (partners with their guests, groups, conditional-access intents, access
 * packages), then each file is emitted as YAML with libyaml. Objects that the
 * configuration language cannot express are listed as comments in the file
 * they would belong to, never dropped silently.
 */
#include "builtin.h"
#include "export.h"
#include "common.h"
#include "options.h"
#include "../reconcile/live.h"
#include "../schema/keys.h"
#include "../schema/base/strbuf.h"
#include "../schema/base/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

#define ROLE_MEMBER     "a0b1b346-4d3e-4e8b-98f8-753987be4970"
#define ROLE_LIMITED    "10dae51f-b6af-4016-8d66-8c2a99b929b3"
#define ROLE_RESTRICTED "2af84b1e-32c8-42b7-82bc-daa82404023b"
#define ALL_GUEST_TYPES                                                                            \
	"internalGuest,b2bCollaborationGuest,b2bCollaborationMember,b2bDirectConnectUser,"         \
	"otherExternalUser,serviceProvider"

struct exporter {
	const json_t *live;
	json_t *partners;       /* array of partner objects in configuration shape */
	json_t *group_names;    /* group id -> displayName, for groups that are exported */
	json_t *notes_partners; /* strings: what could not be exported, per file */
	json_t *notes_ca;
	json_t *notes_packages;
};

/* ---- YAML emission ---- */

static int write_to_strbuf(void *data, unsigned char *buffer, size_t size)
{
	strbuf_add(data, buffer, size);
	return 1;
}

static int looks_typed(const char *s)
{
	static const char *const words[] = {"true", "false", "yes", "no", "on",
					    "off",  "null",  "~",   "y",  "n"};
	size_t i;
	char *end;

	if (!*s)
		return 1;
	for (i = 0; i < ARRAY_SIZE(words); i++)
		if (!strcasecmp(s, words[i]))
			return 1;
	strtod(s, &end);
	return *end == '\0';
}

static void emit_scalar(yaml_emitter_t *em, const char *s, int quote)
{
	yaml_event_t ev;

	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1,
				     quote ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
					   : YAML_ANY_SCALAR_STYLE);
	yaml_emitter_emit(em, &ev);
}

static int all_scalars(const json_t *arr)
{
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v) if (json_is_object(v) || json_is_array(v)) return 0;
	return 1;
}

static void emit_node(yaml_emitter_t *em, const json_t *node)
{
	yaml_event_t ev;
	char num[64];

	if (json_is_object(node)) {
		const char *key;
		json_t *value;

		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
		yaml_emitter_emit(em, &ev);
		json_object_foreach((json_t *)node, key, value)
		{
			emit_scalar(em, key, 0);
			emit_node(em, value);
		}
		yaml_mapping_end_event_initialize(&ev);
		yaml_emitter_emit(em, &ev);
	} else if (json_is_array(node)) {
		size_t i;
		json_t *v;

		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
						     all_scalars(node) ? YAML_FLOW_SEQUENCE_STYLE
								       : YAML_BLOCK_SEQUENCE_STYLE);
		yaml_emitter_emit(em, &ev);
		json_array_foreach(node, i, v) emit_node(em, v);
		yaml_sequence_end_event_initialize(&ev);
		yaml_emitter_emit(em, &ev);
	} else if (json_is_string(node)) {
		const char *s = json_string_value(node);

		emit_scalar(em, s, looks_typed(s));
	} else if (json_is_true(node) || json_is_false(node)) {
		emit_scalar(em, json_is_true(node) ? "true" : "false", 0);
	} else if (json_is_integer(node)) {
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(node));
		emit_scalar(em, num, 0);
	} else {
		emit_scalar(em, "null", 0);
	}
}

static void add_file(struct export_files *out, const char *path, const char *comment,
		     const json_t *notes, const json_t *doc)
{
	struct strbuf sb = STRBUF_INIT;
	const char *schema = strchr(path, '/') ? "../b2bctl.schema.json" : "b2bctl.schema.json";
	yaml_emitter_t em;
	yaml_event_t ev;
	struct export_file *f;
	json_t *note;
	size_t i;

	strbuf_addf(&sb, "# yaml-language-server: $schema=%s\n# %s\n", schema, comment);
	json_array_foreach(notes, i, note)
	    strbuf_addf(&sb, "# not exported: %s\n", json_string_value(note));
	yaml_emitter_initialize(&em);
	yaml_emitter_set_output(&em, write_to_strbuf, &sb);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_width(&em, 100);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	yaml_emitter_emit(&em, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	yaml_emitter_emit(&em, &ev);
	emit_node(&em, doc);
	yaml_document_end_event_initialize(&ev, 1);
	yaml_emitter_emit(&em, &ev);
	yaml_stream_end_event_initialize(&ev);
	yaml_emitter_emit(&em, &ev);
	yaml_emitter_delete(&em);

	ALLOC_GROW(out->items, out->nr + 1, out->alloc);
	f = &out->items[out->nr++];
	f->path = xstrdup(path);
	f->len = sb.len;
	f->data = strbuf_detach(&sb, NULL);
}

void export_files_release(struct export_files *files)
{
	size_t i;

	for (i = 0; i < files->nr; i++) {
		free(files->items[i].path);
		free(files->items[i].data);
	}
	free(files->items);
	memset(files, 0, sizeof(*files));
}

/* ---- helpers over the live model ---- */

static const char *str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

static int truthy(const json_t *v)
{
	return json_is_true(v) || (json_is_string(v) && !strcasecmp(json_string_value(v), "true"));
}

/* The entity of an answer that may be the entity or {"value": [entity]}. */
static const json_t *single(const json_t *v)
{
	const json_t *inner = json_object_get(v, "value");

	if (json_is_array(inner))
		return json_array_get(inner, 0);
	if (json_is_object(inner))
		return inner;
	return v;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a),
		      json_string_value(*(json_t *const *)b));
}

/* Sorts an array of strings in place and drops duplicates. */
static void sort_unique(json_t *arr)
{
	size_t n = json_array_size(arr), i;
	json_t **items = xcalloc(n ? n : 1, sizeof(*items));

	for (i = 0; i < n; i++)
		items[i] = json_incref(json_array_get(arr, i));
	qsort(items, n, sizeof(*items), compare_strings);
	json_array_clear(arr);
	for (i = 0; i < n; i++) {
		if (!i || strcmp(json_string_value(items[i]), json_string_value(items[i - 1])))
			json_array_append(arr, items[i]);
		json_decref(items[i]);
	}
	free(items);
}

static int array_has_ci(const json_t *arr, const char *s)
{
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v) if (json_is_string(v) &&
					  !strcasecmp(json_string_value(v), s)) return 1;
	return 0;
}

static char *user_email(const json_t *u)
{
	const char *mail = str(u, "mail");

	return mail ? lowercase_dup(mail) : guest_email_from_upn(str(u, "userPrincipalName"));
}

static int is_guest(const json_t *u)
{
	const char *type = str(u, "userType");
	const char *upn = str(u, "userPrincipalName");

	return (type && !strcmp(type, "Guest")) || (upn && strstr(upn, "#EXT#")) ||
	       (str(u, "creationType") && !strcmp(str(u, "creationType"), "Invitation"));
}

/* ---- partners ---- */

static json_t *partner_by_tenant(struct exporter *x, const char *tid)
{
	json_t *p;
	size_t i;

	json_array_foreach(x->partners, i, p) if (tid && str(p, "tenantId") &&
						  !strcasecmp(str(p, "tenantId"), tid)) return p;
	return NULL;
}

static json_t *partner_by_domain(struct exporter *x, const char *domain)
{
	json_t *p;
	size_t i;

	json_array_foreach(x->partners, i,
			   p) if (array_has_ci(json_object_get(p, "domains"), domain)) return p;
	return NULL;
}

static char *partner_name_for(struct exporter *x, const char *domain)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;
	json_t *existing;
	size_t i, n = 1;
	char *base;

	for (p = domain; *p && *p != '.'; p++)
		strbuf_addch(&sb, isalnum((unsigned char)*p) ? tolower((unsigned char)*p) : '-');
	if (!sb.len)
		strbuf_addstr(&sb, "partner");
	base = strbuf_detach(&sb, NULL);
	strbuf_addstr(&sb, base);
	for (;;) {
		int taken = 0;

		json_array_foreach(x->partners, i,
				   existing) if (!strcmp(str(existing, "name"), sb.buf)) taken = 1;
		if (!taken)
			break;
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s-%zu", base, ++n);
	}
	free(base);
	return strbuf_detach(&sb, NULL);
}

static json_t *new_partner(struct exporter *x, json_t *domains, const char *display_name)
{
	json_t *p = json_object();
	char *name = partner_name_for(x, json_string_value(json_array_get(domains, 0)));

	json_object_set_new(p, "name", json_string(name));
	if (display_name)
		json_object_set_new(p, "displayName", json_string(display_name));
	json_object_set_new(p, "domains", domains);
	json_array_append_new(x->partners, p);
	free(name);
	return p;
}

static json_t *tenant_domains(const json_t *live, const char *tid, const char **display_name)
{
	json_t *domains = json_array(), *info, *d;
	size_t i, j;

	json_array_foreach(json_object_get(live, "tenantInformation"), i, info)
	{
		if (!str(info, "tenantId") || strcasecmp(str(info, "tenantId"), tid))
			continue;
		if (display_name && !*display_name)
			*display_name = str(info, "displayName");
		if (str(info, "defaultDomainName"))
			json_array_append_new(domains,
					      json_string_nocheck(str(info, "defaultDomainName")));
		json_array_foreach(json_object_get(info, "domains"), j, d) if (json_is_string(d))
		    json_array_append(domains, d);
	}
	for (i = 0; i < json_array_size(domains); i++) {
		char *lower = lowercase_dup(json_string_value(json_array_get(domains, i)));

		json_array_set_new(domains, i, json_string(lower));
		free(lower);
	}
	sort_unique(domains);
	return domains;
}

static void set_tenant_partner(struct exporter *x, const char *tid, const char *display_name,
			       const char *what)
{
	json_t *p = partner_by_tenant(x, tid), *domains;
	const char *info_name = NULL;

	if (p)
		return;
	domains = tenant_domains(x->live, tid, &info_name);
	if (!json_array_size(domains)) {
		json_array_append_new(
		    x->notes_partners,
		    json_sprintf("%s for tenant %s: none of its domains is known", what, tid));
		json_decref(domains);
		return;
	}
	p = partner_by_domain(x, json_string_value(json_array_get(domains, 0)));
	if (!p)
		p = new_partner(x, domains, display_name ? display_name : info_name);
	else
		json_decref(domains);
	json_object_set_new(p, "tenantId", json_string(tid));
}

static const char *inbound_access(const json_t *inbound)
{
	const char *type = str(json_object_get(inbound, "usersAndGroups"), "accessType");

	if (!json_is_object(inbound) || !type)
		return "inherit";
	return !strcasecmp(type, "blocked") ? "blocked" : "allowed";
}

static void collect_cross_tenant_partners(struct exporter *x)
{
	json_t *entry;
	size_t i;

	json_array_foreach(json_object_get(x->live, "crossTenantAccessPolicyPartners"), i, entry)
	{
		const char *tid = str(entry, "tenantId");
		json_t *trust = json_object_get(entry, "inboundTrust"), *p, *cta;

		if (!tid)
			continue;
		set_tenant_partner(x, tid, NULL, "the cross-tenant access partner entry");
		p = partner_by_tenant(x, tid);
		if (!p)
			continue;
		cta = json_object();
		json_object_set_new(cta, "trustMfa",
				    json_boolean(truthy(json_object_get(trust, "isMfaAccepted"))));
		json_object_set_new(
		    cta, "trustCompliantDevice",
		    json_boolean(truthy(json_object_get(trust, "isCompliantDeviceAccepted"))));
		json_object_set_new(cta, "trustHybridJoinedDevice",
				    json_boolean(truthy(json_object_get(
					trust, "isHybridAzureADJoinedDeviceAccepted"))));
		json_object_set_new(
		    cta, "b2bCollaborationInbound",
		    json_string(inbound_access(json_object_get(entry, "b2bCollaborationInbound"))));
		json_object_set_new(p, "crossTenantAccess", cta);
	}
}

static void collect_connected_organizations(struct exporter *x)
{
	json_t *org, *src;
	size_t i, j;

	json_array_foreach(json_object_get(x->live, "connectedOrganizations"), i, org)
	{
		const char *name = str(org, "displayName");
		json_t *p = NULL, *domains = json_array();

		json_array_foreach(json_object_get(org, "identitySources"), j, src)
		{
			const char *tid = str(src, "tenantId");
			const char *domain = str(src, "domainName");

			if (tid) {
				set_tenant_partner(x, tid, name, "the connected organisation");
				p = partner_by_tenant(x, tid);
			} else if (domain) {
				char *lower = lowercase_dup(domain);

				json_array_append_new(domains, json_string(lower));
				free(lower);
			}
		}
		if (!p && json_array_size(domains)) {
			sort_unique(domains);
			p = partner_by_domain(x, json_string_value(json_array_get(domains, 0)));
			if (!p)
				p = new_partner(x, json_incref(domains), name);
		}
		json_decref(domains);
		if (p) {
			json_object_set_new(p, "connectedOrganization", json_true());
			json_object_set_new(p, "_connectedOrganizationId",
					    json_string(str(org, "id") ? str(org, "id") : ""));
			if (name)
				json_object_set_new(p, "displayName", json_string(name));
		} else {
			json_array_append_new(
			    x->notes_partners,
			    json_sprintf("connected organisation '%s': no identity source b2bctl "
					 "can express",
					 name ? name : "?"));
		}
	}
}

/* ---- groups ---- */

static void want_group(struct exporter *x, const char *id)
{
	const json_t *g;
	size_t i;

	if (!id || json_object_get(x->group_names, id))
		return;
	json_array_foreach(json_object_get(x->live, "groups"), i,
			   g) if (str(g, "id") && !strcmp(str(g, "id"), id) &&
				  str(g, "displayName"))
	    json_object_set_new(x->group_names, id, json_string(str(g, "displayName")));
}

static const char *group_name(struct exporter *x, const char *id)
{
	want_group(x, id);
	return id ? json_string_value(json_object_get(x->group_names, id)) : NULL;
}

/* user id -> array of group ids, over every live group. */
static json_t *memberships(const json_t *live)
{
	json_t *by_user = json_object(), *g, *m;
	size_t i, j;

	json_array_foreach(json_object_get(live, "groups"), i, g)
	{
		const char *gid = str(g, "id");

		if (!gid)
			continue;
		json_array_foreach(json_object_get(g, "members"), j, m)
		{
			const char *uid = json_is_string(m) ? json_string_value(m) : str(m, "id");
			json_t *list;

			if (!uid)
				continue;
			list = json_object_get(by_user, uid);
			if (!list) {
				list = json_array();
				json_object_set_new(by_user, uid, list);
			}
			json_array_append_new(list, json_string(gid));
		}
	}
	return by_user;
}

static void collect_guests(struct exporter *x)
{
	json_t *by_user = memberships(x->live), *u;
	size_t i;

	json_array_foreach(json_object_get(x->live, "users"), i, u)
	{
		char *email, *domain;
		json_t *p, *guests, *guest, *groups, *gid;
		size_t k;

		if (!is_guest(u) || !(email = user_email(u)))
			continue;
		domain = strchr(email, '@') ? strchr(email, '@') + 1 : email;
		p = partner_by_domain(x, domain);
		if (!p) {
			json_t *domains = json_array();

			json_array_append_new(domains, json_string(domain));
			p = new_partner(x, domains, NULL);
		}
		guests = json_object_get(p, "guests");
		if (!guests) {
			guests = json_array();
			json_object_set_new(p, "guests", guests);
		}
		guest = json_object();
		json_object_set_new(guest, "email", json_string(email));
		if (str(u, "displayName"))
			json_object_set_new(guest, "displayName",
					    json_string(str(u, "displayName")));
		groups = json_array();
		json_array_foreach(json_object_get(by_user, str(u, "id") ? str(u, "id") : ""), k,
				   gid)
		{
			const char *name = group_name(x, json_string_value(gid));

			if (name)
				json_array_append_new(groups, json_string(name));
		}
		sort_unique(groups);
		if (json_array_size(groups))
			json_object_set_new(guest, "groups", groups);
		else
			json_decref(groups);
		if (str(u, "userType") && !strcmp(str(u, "userType"), "Member"))
			json_object_set_new(guest, "userType", json_string("Member"));
		json_array_append_new(guests, guest);
		free(email);
	}
	json_decref(by_user);
}

static int compare_by_key(const void *a, const void *b, const char *key)
{
	const char *x = json_string_value(json_object_get(*(json_t *const *)a, key));
	const char *y = json_string_value(json_object_get(*(json_t *const *)b, key));

	return strcmp(x ? x : "", y ? y : "");
}

static int compare_by_email(const void *a, const void *b)
{
	return compare_by_key(a, b, "email");
}

static int compare_by_name(const void *a, const void *b)
{
	return compare_by_key(a, b, "name");
}

static void sort_objects(json_t *arr, int (*cmp)(const void *, const void *))
{
	size_t n = json_array_size(arr), i;
	json_t **items = xcalloc(n ? n : 1, sizeof(*items));

	for (i = 0; i < n; i++)
		items[i] = json_incref(json_array_get(arr, i));
	qsort(items, n, sizeof(*items), cmp);
	json_array_clear(arr);
	for (i = 0; i < n; i++)
		json_array_append_new(arr, items[i]);
	free(items);
}

/* Partner objects in the order and key order the configuration uses. */
static json_t *partner_document(const json_t *p)
{
	static const char *const keys[] = {"name",     "displayName",       "domains",
					   "tenantId", "crossTenantAccess", "connectedOrganization",
					   "guests"};
	json_t *out = json_object(), *list = json_array();
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		json_t *v = json_object_get(p, keys[i]);

		if (v)
			json_object_set(out, keys[i], v);
	}
	if (json_object_get(out, "guests"))
		sort_objects(json_object_get(out, "guests"), compare_by_email);
	json_array_append_new(list, out);
	return json_pack("{s:o}", "partners", list);
}

static json_t *groups_document(struct exporter *x)
{
	json_t *list = json_array(), *g;
	const json_t *users = json_object_get(x->live, "users");
	size_t i;

	json_array_foreach(json_object_get(x->live, "groups"), i, g)
	{
		const char *id = str(g, "id");
		json_t *out, *members, *m;
		size_t j;

		if (!id || !json_object_get(x->group_names, id))
			continue;
		out = json_object();
		json_object_set_new(out, "name", json_string(str(g, "displayName")));
		if (str(g, "description") && *str(g, "description"))
			json_object_set_new(out, "description", json_string(str(g, "description")));
		json_object_set_new(out, "membership", json_string("authoritative"));
		members = json_array();
		json_array_foreach(json_object_get(g, "members"), j, m)
		{
			const char *uid = json_is_string(m) ? json_string_value(m) : str(m, "id");
			json_t *u;
			size_t k;

			json_array_foreach(
			    users, k, u) if (uid && str(u, "id") && !strcmp(str(u, "id"), uid) &&
					     !is_guest(u) && str(u, "userPrincipalName"))
			    json_array_append_new(members,
						  json_string(str(u, "userPrincipalName")));
		}
		sort_unique(members);
		if (json_array_size(members))
			json_object_set_new(out, "members", members);
		else
			json_decref(members);
		json_array_append_new(list, out);
	}
	sort_objects(list, compare_by_name);
	return json_pack("{s:o}", "groups", list);
}

/* ---- conditional access ---- */

static const char *partner_name_by_tenant(struct exporter *x, const char *tid)
{
	json_t *p = partner_by_tenant(x, tid);

	if (!p) {
		set_tenant_partner(x, tid, NULL, "a tenant named by a conditional-access policy");
		p = partner_by_tenant(x, tid);
	}
	return p ? str(p, "name") : NULL;
}

static json_t *ca_intent(struct exporter *x, const json_t *pol)
{
	const json_t *users = json_object_get(json_object_get(pol, "conditions"), "users");
	const json_t *guests = json_object_get(users, "includeGuestsOrExternalUsers");
	const json_t *tenants = json_object_get(guests, "externalTenants");
	const json_t *apps =
	    json_object_get(json_object_get(json_object_get(pol, "conditions"), "applications"),
			    "includeApplications");
	const json_t *grant = json_object_get(pol, "grantControls");
	const json_t *freq =
	    json_object_get(json_object_get(pol, "sessionControls"), "signInFrequency");
	const char *state = str(pol, "state"), *types = str(guests, "guestOrExternalUserTypes");
	json_t *out = json_object(), *list, *v;
	int blocks = 0;
	size_t i;

	json_object_set_new(out, "name", json_string(str(pol, "displayName")));
	json_object_set_new(out, "state",
			    json_string(state && !strcmp(state, "enabledForReportingButNotEnforced")
					    ? "reportOnly"
					: state ? state
						: "disabled"));
	list = json_array();
	if (types && !strcmp(types, ALL_GUEST_TYPES)) {
		json_array_append_new(list, json_string("all"));
	} else if (types) {
		char *copy = xstrdup(types), *tok, *save = NULL;

		for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			json_array_append_new(list, json_string(tok));
		free(copy);
	}
	json_object_set_new(out, "guestTypes", list);
	if (str(tenants, "membershipKind") &&
	    !strcmp(str(tenants, "membershipKind"), "enumerated")) {
		list = json_array();
		json_array_foreach(json_object_get(tenants, "members"), i, v)
		{
			const char *name = partner_name_by_tenant(x, json_string_value(v));

			if (!name) {
				json_decref(list);
				json_decref(out);
				return NULL;
			}
			json_array_append_new(list, json_string(name));
		}
		sort_unique(list);
		json_object_set_new(out, "partners", list);
	} else {
		json_object_set_new(out, "partners", json_string("all"));
	}
	list = json_array();
	json_array_foreach(json_object_get(users, "excludeGroups"), i, v)
	{
		const char *name = group_name(x, json_string_value(v));

		if (name)
			json_array_append_new(list, json_string(name));
	}
	sort_unique(list);
	if (json_array_size(list))
		json_object_set_new(out, "excludeGroups", list);
	else
		json_decref(list);
	if (json_array_size(apps) == 1 && json_string_value(json_array_get(apps, 0)) &&
	    !strcasecmp(json_string_value(json_array_get(apps, 0)), "All")) {
		json_object_set_new(out, "applications", json_string("all"));
	} else {
		list = json_deep_copy(apps ? apps : json_array());
		sort_unique(list);
		json_object_set_new(out, "applications", list);
	}
	list = json_array();
	json_array_foreach(json_object_get(grant, "builtInControls"), i, v)
	{
		if (json_is_string(v) && !strcmp(json_string_value(v), "block"))
			blocks = 1;
		else if (json_is_string(v))
			json_array_append(list, v);
	}
	sort_unique(list);
	if (blocks) {
		json_decref(list);
		json_object_set_new(out, "block", json_true());
	} else {
		if (json_array_size(list) > 1 && str(grant, "operator") &&
		    !strcmp(str(grant, "operator"), "AND"))
			json_object_set_new(out, "requireAll", json_true());
		json_object_set_new(out, "require", list);
	}
	if (json_is_object(freq) && truthy(json_object_get(freq, "isEnabled")) &&
	    json_is_integer(json_object_get(freq, "value"))) {
		json_int_t hours = json_integer_value(json_object_get(freq, "value"));

		if (str(freq, "type") && !strcmp(str(freq, "type"), "days"))
			hours *= 24;
		json_object_set_new(out, "signInFrequencyHours", json_integer(hours));
	}
	return out;
}

static json_t *ca_document(struct exporter *x)
{
	json_t *list = json_array(), *pol;
	size_t i;

	json_array_foreach(json_object_get(x->live, "conditionalAccessPolicies"), i, pol)
	{
		const json_t *users = json_object_get(json_object_get(pol, "conditions"), "users");
		json_t *intent;

		if (!json_is_object(json_object_get(users, "includeGuestsOrExternalUsers")))
			continue;
		intent = ca_intent(x, pol);
		if (intent)
			json_array_append_new(list, intent);
		else
			json_array_append_new(
			    x->notes_ca,
			    json_sprintf("policy '%s': it names a tenant with no known domain",
					 str(pol, "displayName") ? str(pol, "displayName") : "?"));
	}
	sort_objects(list, compare_by_name);
	return json_pack("{s:{s:o}}", "conditionalAccess", "policies", list);
}

/* ---- access packages ---- */

static const char *partner_name_by_connected_org(struct exporter *x, const char *org_id)
{
	json_t *p;
	size_t i;

	json_array_foreach(x->partners, i, p) if (org_id && str(p, "_connectedOrganizationId") &&
						  !strcmp(str(p, "_connectedOrganizationId"),
							  org_id)) return str(p, "name");
	return NULL;
}

static json_t *package_policy(struct exporter *x, const json_t *pkg, const json_t *pol)
{
	const char *scope = str(pol, "allowedTargetScope");
	const json_t *exp = json_object_get(pol, "expiration");
	const char *exp_type = str(exp, "type");
	json_t *out = json_object(), *list, *v, *stage;
	size_t i, j;

	json_object_set_new(out, "name", json_string(str(pol, "displayName")));
	if (scope && !strcmp(scope, "allConfiguredConnectedOrganizationUsers")) {
		json_object_set_new(out, "allPartners", json_true());
	} else if (scope && !strcmp(scope, "specificConnectedOrganizationUsers")) {
		list = json_array();
		json_array_foreach(json_object_get(pol, "specificAllowedTargets"), i, v)
		{
			const char *name =
			    partner_name_by_connected_org(x, str(v, "connectedOrganizationId"));

			if (name)
				json_array_append_new(list, json_string(name));
		}
		sort_unique(list);
		json_object_set_new(out, "partners", list);
	} else {
		json_array_append_new(x->notes_packages,
				      json_sprintf("policy '%s' of '%s': allowedTargetScope %s",
						   str(pol, "displayName"), str(pkg, "displayName"),
						   scope ? scope : "(none)"));
		json_decref(out);
		return NULL;
	}
	list = json_array();
	json_array_foreach(
	    json_object_get(json_object_get(pol, "requestApprovalSettings"), "stages"), i, stage)
	{
		json_array_foreach(json_object_get(stage, "primaryApprovers"), j, v)
		{
			const char *name = group_name(x, str(v, "groupId"));

			if (name)
				json_array_append_new(list, json_string(name));
		}
	}
	sort_unique(list);
	if (json_array_size(list))
		json_object_set_new(out, "approvers", list);
	else
		json_decref(list);
	if (exp_type && !strcmp(exp_type, "afterDuration") && str(exp, "duration"))
		json_object_set_new(out, "expiry", json_string(str(exp, "duration")));
	else if (exp_type && !strcmp(exp_type, "afterDateTime") && str(exp, "endDateTime"))
		json_object_set_new(
		    out, "expiry",
		    json_stringn(str(exp, "endDateTime"), strnlen(str(exp, "endDateTime"), 10)));
	else
		json_object_set_new(out, "expiry", json_string("never"));
	return out;
}

static json_t *packages_document(struct exporter *x)
{
	json_t *list = json_array(), *pkg;
	size_t i;

	json_array_foreach(json_object_get(x->live, "accessPackages"), i, pkg)
	{
		const char *cat_id = str(json_object_get(pkg, "catalog"), "id");
		const json_t *cat = NULL, *c;
		json_t *out = json_object(), *groups = json_array(), *policies = json_array(), *v;
		size_t j;

		json_array_foreach(json_object_get(x->live, "accessPackageCatalogs"), j,
				   c) if (cat_id && str(c, "id") && !strcmp(str(c, "id"), cat_id))
		    cat = c;
		json_object_set_new(out, "name", json_string(str(pkg, "displayName")));
		json_object_set_new(
		    out, "catalog",
		    json_string(cat && str(cat, "displayName") ? str(cat, "displayName") : "?"));
		if (str(pkg, "description") && *str(pkg, "description"))
			json_object_set_new(out, "description",
					    json_string(str(pkg, "description")));
		json_array_foreach(json_object_get(pkg, "resourceRoleScopes"), j, v)
		{
			const json_t *scope = json_object_get(v, "scope");
			const char *name = group_name(x, str(scope, "originId"));

			if (name && str(scope, "originSystem") &&
			    !strcmp(str(scope, "originSystem"), "AadGroup"))
				json_array_append_new(groups, json_string(name));
		}
		sort_unique(groups);
		json_object_set_new(out, "groups", groups);
		json_array_foreach(json_object_get(pkg, "assignmentPolicies"), j, v)
		{
			json_t *pol = package_policy(x, pkg, v);

			if (pol)
				json_array_append_new(policies, pol);
		}
		sort_objects(policies, compare_by_name);
		json_object_set_new(out, "policies", policies);
		json_array_append_new(list, out);
	}
	sort_objects(list, compare_by_name);
	return json_pack("{s:o}", "accessPackages", list);
}

/* ---- settings ---- */

static json_t *collaboration_document(const json_t *live)
{
	const json_t *auth = single(json_object_get(live, "authorizationPolicy"));
	const json_t *otp = json_object_get(live, "emailAuthenticationMethodConfiguration");
	const json_t *b2b = single(json_object_get(live, "b2bManagementPolicy"));
	const char *role = str(auth, "guestUserRoleId");
	json_t *ec = json_object(), *def = NULL, *inner;
	const json_t *domains_policy;

	if (role && !strcmp(role, ROLE_MEMBER))
		json_object_set_new(ec, "guestUserAccess", json_string("member"));
	else if (role && !strcmp(role, ROLE_LIMITED))
		json_object_set_new(ec, "guestUserAccess", json_string("limited"));
	else if (role && !strcmp(role, ROLE_RESTRICTED))
		json_object_set_new(ec, "guestUserAccess", json_string("restricted"));
	if (str(auth, "allowInvitesFrom"))
		json_object_set_new(ec, "guestInviteRestrictions",
				    json_string(str(auth, "allowInvitesFrom")));
	if (json_object_get(auth, "allowEmailVerifiedUsersToJoinOrganization"))
		json_object_set_new(ec, "emailVerifiedUsersCanJoin",
				    json_boolean(truthy(json_object_get(
					auth, "allowEmailVerifiedUsersToJoinOrganization"))));
	if (str(otp, "allowExternalIdToUseEmailOtp"))
		json_object_set_new(ec, "emailOneTimePasscode",
				    json_string(str(otp, "allowExternalIdToUseEmailOtp")));
	if (json_is_string(json_array_get(json_object_get(b2b, "definition"), 0)))
		def = json_loads(
		    json_string_value(json_array_get(json_object_get(b2b, "definition"), 0)), 0,
		    NULL);
	domains_policy = json_object_get(json_object_get(def, "B2BManagementPolicy"),
					 "InvitationsAllowedAndBlockedDomainsPolicy");
	inner = json_object_get(domains_policy, "AllowedDomains");
	if (json_is_array(inner) && json_array_size(inner)) {
		json_t *list = json_deep_copy(inner);

		sort_unique(list);
		json_object_set_new(
		    ec, "collaborationRestrictions",
		    json_pack("{s:o, s:b}", "allowDomains", list, "includePartnerDomains", 0));
	} else if (json_is_array(json_object_get(domains_policy, "BlockedDomains")) &&
		   json_array_size(json_object_get(domains_policy, "BlockedDomains"))) {
		json_t *list = json_deep_copy(json_object_get(domains_policy, "BlockedDomains"));

		sort_unique(list);
		json_object_set_new(ec, "collaborationRestrictions",
				    json_pack("{s:o}", "blockDomains", list));
	}
	json_decref(def);
	return json_pack("{s:o}", "externalCollaboration", ec);
}

int export_live(const json_t *live, struct export_files *out)
{
	struct exporter x = {live,         json_array(), json_object(),
			     json_array(), json_array(), json_array()};
	json_t *ca, *packages, *groups, *doc, *p;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!str(live, "tenantId")) {
		json_decref(x.partners);
		json_decref(x.group_names);
		json_decref(x.notes_partners);
		json_decref(x.notes_ca);
		json_decref(x.notes_packages);
		return b2b_error_set("the live tenant has no tenantId");
	}
	collect_cross_tenant_partners(&x);
	collect_connected_organizations(&x);
	/* references first, so their groups and partners exist before guests land */
	ca = ca_document(&x);
	packages = packages_document(&x);
	collect_guests(&x);
	groups = groups_document(&x);

	doc = json_pack("{s:{s:s}}", "tenant", "id", str(live, "tenantId"));
	add_file(out, "tenant.yaml", "The host tenant, exported by b2bctl export.",
		 x.notes_partners, doc);
	json_decref(doc);
	doc = collaboration_document(live);
	add_file(out, "collaboration.yaml", "External collaboration settings.", NULL, doc);
	json_decref(doc);
	add_file(out, "groups.yaml",
		 "Groups that guests, conditional access or access packages use.", NULL, groups);
	add_file(out, "conditional-access.yaml", "Conditional-access policies that target guests.",
		 x.notes_ca, ca);
	add_file(out, "access-packages.yaml", "Access packages and who may request them.",
		 x.notes_packages, packages);
	sort_objects(x.partners, compare_by_name);
	json_array_foreach(x.partners, i, p)
	{
		struct strbuf path = STRBUF_INIT;

		json_object_del(p, "_connectedOrganizationId");
		strbuf_addf(&path, "partners/%s.yaml", str(p, "name"));
		doc = partner_document(p);
		add_file(out, path.buf, "A partner organisation and its guests.", NULL, doc);
		json_decref(doc);
		strbuf_release(&path);
	}
	ALLOC_GROW(out->items, out->nr + 1, out->alloc);
	out->items[out->nr].path = xstrdup("b2bctl.schema.json");
	out->items[out->nr].data = xstrndup(schema_json, schema_json_len);
	out->items[out->nr++].len = schema_json_len;
	json_decref(groups);
	json_decref(ca);
	json_decref(packages);
	json_decref(x.partners);
	json_decref(x.group_names);
	json_decref(x.notes_partners);
	json_decref(x.notes_ca);
	json_decref(x.notes_packages);
	return 0;
}

static const char *const export_usage[] = {
    "b2bctl export [--out DIR] [--force]",
    "",
    "Reads the tenant and writes it as b2bctl configuration under DIR (default: the",
    "current folder): tenant.yaml, collaboration.yaml, groups.yaml,",
    "conditional-access.yaml, access-packages.yaml and partners/NAME.yaml, with",
    "b2bctl.schema.json beside them. Guests go under the partner whose domain they",
    "share. Planning the result against the same tenant shows no changes. Existing",
    "files with other content are not overwritten unless --force.",
    NULL,
};

static int make_parent_dirs(const char *path)
{
	char *copy = xstrdup(path), *p;

	for (p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) && errno != EEXIST) {
			b2b_error_set("cannot create %s: %s", copy, strerror(errno));
			free(copy);
			return -1;
		}
		*p = '/';
	}
	free(copy);
	return 0;
}

/* 1 when path exists with other content than data. */
static int would_overwrite(const char *path, const char *data, size_t len)
{
	struct strbuf old = STRBUF_INIT;
	int differs;

	if (strbuf_read_file(&old, path, 0))
		return 0;
	differs = old.len != len || memcmp(old.buf, data, len);
	strbuf_release(&old);
	return differs;
}

int cmd_export(int argc, const char **argv)
{
	struct tenant_args ta = TENANT_ARGS_INIT;
	const char *dir = ".";
	int force = 0, nr, ret = 1;
	struct option opts[] = {
	    OPT_STRING("out", 'o', &dir, "DIR", "folder to write the configuration to"),
	    OPT_BOOL("force", 'f', &force, "overwrite files that differ"),
	    OPT_TENANT_ARGS(&ta),
	    OPT_END(),
	};
	struct export_files files = {0};
	struct tenant *tenant = NULL;
	json_t *live = NULL;
	size_t i, blocked = 0;

	nr = parse_options(argc, argv, opts, export_usage);
	if (nr == -2)
		return 0;
	if (nr < 0 || tenant_args_check(&ta, "export"))
		return 1;
	if (nr > 0) {
		fprintf(stderr, "b2bctl export: unexpected argument '%s' (use --out DIR)\n",
			argv[0]);
		return 1;
	}
	tenant = open_tenant(&ta, NULL);
	if (!tenant || !(live = read_whole_tenant(tenant)) || export_live(live, &files)) {
		report_error("export");
		goto out;
	}
	for (i = 0; i < files.nr && !force; i++) {
		char *path = xstrfmt("%s/%s", dir, files.items[i].path);

		if (would_overwrite(path, files.items[i].data, files.items[i].len)) {
			fprintf(stderr, "b2bctl export: %s exists with other content\n", path);
			blocked++;
		}
		free(path);
	}
	if (blocked) {
		fprintf(stderr, "b2bctl export: nothing written; use --force to overwrite, or "
				"--out an empty folder\n");
		goto out;
	}
	for (i = 0; i < files.nr; i++) {
		char *path = xstrfmt("%s/%s", dir, files.items[i].path);
		int failed = make_parent_dirs(path) ||
			     write_file_atomic(path, files.items[i].data, files.items[i].len, 0644);

		free(path);
		if (failed) {
			report_error("export");
			goto out;
		}
	}
	fprintf(stderr, "b2bctl export: wrote %zu files under %s\n", files.nr, dir);
	ret = 0;
out:
	export_files_release(&files);
	json_decref(live);
	tenant_free(tenant);
	return ret;
}
