/*
 * snapshot: saves the live tenant as a snapshot file (DESIGN.md §7): every
 * object b2bctl manages or could manage, whatever the configuration says:
 * the collaboration policies, all users (guests, and the internal users a
 * group may declare as members), all groups with their members, cross-tenant
 * partners, conditional-access policies and the entitlement-management objects. The file feeds
 * --tenant-snapshot, graph-emu and test cases. Written 0600, atomically.
 *
 * Two bulk rounds: the collections, then the members of every group, the
 * resources of every catalog and the tenant behind every guest domain and partner tenant id
 * (tenantInformation, which stands in for findTenantInformationByDomainName when offline).
 */
#include "builtin.h"
#include "common.h"
#include "../reconcile/live.h"
#include "../schema/base/json_memory.h"
#include "../schema/base/strbuf.h"
#include "../schema/base/xalloc.h"

#include <stdio.h>
#include <string.h>

static const char *const snapshot_usage[] = {
    "b2bctl snapshot --out FILE",
    "",
    "Reads everything b2bctl manages or could manage from the tenant and writes it to",
    "FILE in the snapshot format, for --tenant-snapshot, graph-emu and tests.",
    NULL,
};

#define USER_SELECT                                                                                \
	"id,displayName,mail,otherMails,userPrincipalName,userType,externalUserState,"             \
	"externalUserStateChangeDateTime,creationType,accountEnabled,createdDateTime,identities"
#define GROUP_SELECT                                                                               \
	"id,displayName,description,securityEnabled,mailEnabled,mailNickname,groupTypes"
#define MEMBER_SELECT "id,displayName,userPrincipalName,mail,userType"

struct collection_read {
	const char *key; /* in the snapshot */
	const char *what;
	const char *path;
	unsigned flags;
	int single; /* one object, not a collection */
};

static const struct collection_read reads[] = {
    {"authorizationPolicy", "read the authorization policy", "/v1.0/policies/authorizationPolicy",
     0, 1},
    {"emailAuthenticationMethodConfiguration", "read the email one-time passcode settings",
     "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/email", 0, 1},
    {"b2bManagementPolicy", "read the invitation allow/deny list",
     "/beta/policies/b2bManagementPolicies", TENANT_PAGED, 1},
    {"crossTenantAccessPolicyPartners", "list cross-tenant partners",
     "/v1.0/policies/crossTenantAccessPolicy/partners", TENANT_PAGED, 0},
    {"users", "list users", "/v1.0/users?$select=" USER_SELECT "&$top=999", TENANT_PAGED, 0},
    {"groups", "list groups", "/v1.0/groups?$select=" GROUP_SELECT "&$top=999", TENANT_PAGED, 0},
    {"conditionalAccessPolicies", "list conditional-access policies",
     "/v1.0/identity/conditionalAccess/policies", TENANT_PAGED, 0},
    {"connectedOrganizations", "list connected organisations",
     "/v1.0/identityGovernance/entitlementManagement/connectedOrganizations?$top=100", TENANT_PAGED,
     0},
    {"accessPackageCatalogs", "list catalogs",
     "/v1.0/identityGovernance/entitlementManagement/catalogs?$top=100", TENANT_PAGED, 0},
    {"accessPackages", "list access packages",
     "/v1.0/identityGovernance/entitlementManagement/"
     "accessPackages?$expand=assignmentPolicies,resourceRoleScopes($expand=role,scope)&$top=100",
     TENANT_PAGED, 0},
};

static json_t *without_odata_context(json_t *obj)
{
	json_t *copy = json_deep_copy(obj);

	json_object_del(copy, "@odata.context");
	return copy;
}

static int run_or_fail(struct tenant *t, struct tenant_request *reqs, size_t nr)
{
	size_t i;

	if (tenant_run(t, reqs, nr) < 0)
		return -1;
	for (i = 0; i < nr; i++) {
		if (!tenant_request_ok(&reqs[i])) {
			char *why = tenant_request_describe_error(&reqs[i]);

			b2b_error_set("%s", why);
			free(why);
			return -1;
		}
	}
	return 0;
}

/* Partner tenants named by cross-tenant partners and connected organisations. */
static json_t *partner_tenant_ids(const json_t *snap)
{
	json_t *ids = json_object(), *item, *src;
	size_t i, j;

	json_array_foreach(json_object_get(snap, "crossTenantAccessPolicyPartners"), i,
			   item) if (json_is_string(json_object_get(item, "tenantId")))
	    json_object_set_new(ids, json_string_value(json_object_get(item, "tenantId")),
				json_true());
	json_array_foreach(json_object_get(snap, "connectedOrganizations"), i, item)
	    json_array_foreach(json_object_get(item, "identitySources"), j,
			       src) if (json_is_string(json_object_get(src, "tenantId")))
		json_object_set_new(ids, json_string_value(json_object_get(src, "tenantId")),
				    json_true());
	return ids;
}

static void add_domain(json_t *domains, const char *domain)
{
	char *lower;

	if (!domain || !*domain)
		return;
	lower = lowercase_dup(domain);
	json_object_set_new(domains, lower, json_true());
	free(lower);
}

static void add_domain_of(json_t *domains, const char *email)
{
	const char *at = email ? strrchr(email, '@') : NULL;

	if (at)
		add_domain(domains, at + 1);
}

/* The domains partners sign in from: guests' email domains and connected organisations'. */
static json_t *partner_domains(const json_t *snap)
{
	json_t *domains = json_object(), *item, *src;
	size_t i, j;

	json_array_foreach(json_object_get(snap, "users"), i, item)
	{
		const char *type = json_string_value(json_object_get(item, "userType"));
		const char *mail = json_string_value(json_object_get(item, "mail"));
		char *from_upn;

		if (!type || strcmp(type, "Guest"))
			continue;
		from_upn = guest_email_from_upn(
		    json_string_value(json_object_get(item, "userPrincipalName")));
		add_domain_of(domains, mail ? mail : from_upn);
		free(from_upn);
	}
	json_array_foreach(json_object_get(snap, "connectedOrganizations"), i, item)
	    json_array_foreach(json_object_get(item, "identitySources"), j,
			       src) if (json_is_string(json_object_get(src, "domainName")))
		add_domain(domains, json_string_value(json_object_get(src, "domainName")));
	return domains;
}

static void add_lookup(struct tenant_request *req, const char *function, const char *key,
		       const char *value)
{
	struct strbuf path = STRBUF_INIT;

	strbuf_addf(&path, "/v1.0/tenantRelationships/%s(%s=", function, key);
	strbuf_add_odata_literal(&path, value);
	strbuf_addch(&path, ')');
	tenant_request_init(req, "GET", NULL, TENANT_BATCHABLE, "find a partner tenant", "%s",
			    path.buf);
	strbuf_release(&path);
}

/* Merges one answer into tenantInformation (one entry per tenant, with every domain asked for). */
static void add_tenant_information(json_t *by_tenant, const json_t *answer, const char *domain)
{
	const char *tid = json_string_value(json_object_get(answer, "tenantId"));
	json_t *entry, *domains;
	size_t i;
	json_t *d;

	if (!tid)
		return;
	entry = json_object_get(by_tenant, tid);
	if (!entry) {
		entry = json_deep_copy(answer);
		json_object_del(entry, "@odata.context");
		json_object_set_new(entry, "domains", json_array());
		json_object_set_new(by_tenant, tid, entry);
	}
	domains = json_object_get(entry, "domains");
	if (!domain)
		return;
	json_array_foreach(domains, i, d) if (!strcmp(json_string_value(d), domain)) return;
	json_array_append_new(domains, json_string(domain));
}

static void warn_lookup(const struct tenant_request *req)
{
	char *why;

	if (req->status == 404)
		return; /* no tenant behind that domain (a consumer provider, say) */
	why = tenant_request_describe_error(req);
	fprintf(stderr, "b2bctl snapshot: warning: %s\n", why);
	free(why);
}

static int read_members_resources_and_partners(struct tenant *t, json_t *snap)
{
	json_t *groups = json_object_get(snap, "groups"), *users = json_object_get(snap, "users");
	json_t *catalogs = json_object_get(snap, "accessPackageCatalogs");
	json_t *tenant_ids = partner_tenant_ids(snap), *domains = partner_domains(snap);
	json_t *known_users = json_object(), *by_tenant = json_object(), *info = json_array(), *v;
	struct tenant_request *reqs;
	size_t groups_nr = json_array_size(groups), catalogs_nr = json_array_size(catalogs);
	size_t domains_start, tids_start, nr = 0, i, j;
	const char *key;
	int ret = -1;

	reqs = xcalloc(groups_nr + catalogs_nr + json_object_size(domains) +
			   json_object_size(tenant_ids) + 1,
		       sizeof(*reqs));
	json_array_foreach(groups, i, v)
	{
		const char *name = json_string_value(json_object_get(v, "displayName"));
		const char *id = json_string_value(json_object_get(v, "id"));
		char *what = xstrfmt("list the members of %s", name ? name : "a group");

		tenant_request_init(&reqs[nr++], "GET", NULL, TENANT_PAGED | TENANT_BATCHABLE, what,
				    "/v1.0/groups/%s/members?$select=" MEMBER_SELECT "&$top=999",
				    id ? id : "");
		free(what);
	}
	json_array_foreach(catalogs, i, v)
	{
		const char *id = json_string_value(json_object_get(v, "id"));

		tenant_request_init(&reqs[nr++], "GET", NULL, TENANT_PAGED | TENANT_BATCHABLE,
				    "list the resources of a catalog",
				    "/v1.0/identityGovernance/entitlementManagement/catalogs/%s/"
				    "resources?$top=100",
				    id ? id : "");
	}
	domains_start = nr;
	json_object_foreach(domains, key, v)
	    add_lookup(&reqs[nr++], "findTenantInformationByDomainName", "domainName", key);
	tids_start = nr;
	json_object_foreach(tenant_ids, key, v)
	    add_lookup(&reqs[nr++], "findTenantInformationByTenantId", "tenantId", key);
	if (tenant_run(t, reqs, nr) < 0)
		goto out;
	for (i = 0; i < groups_nr + catalogs_nr; i++)
		if (!tenant_request_ok(&reqs[i])) {
			char *why = tenant_request_describe_error(&reqs[i]);

			b2b_error_set("%s", why);
			free(why);
			goto out;
		}

	json_array_foreach(users, i, v) json_object_set_new(
	    known_users, json_string_value(json_object_get(v, "id")), json_true());
	json_array_foreach(groups, i, v)
	{
		json_t *ids = json_array(), *m;

		json_array_foreach(json_object_get(reqs[i].response, "value"), j, m)
		{
			const char *id = json_string_value(json_object_get(m, "id"));

			if (!id)
				continue;
			json_array_append_new(ids, json_string(id));
			if (!json_object_get(known_users, id)) {
				json_t *user = json_deep_copy(m);

				json_object_del(user, "@odata.type");
				json_array_append_new(users, user);
				json_object_set_new(known_users, id, json_true());
			}
		}
		json_object_set_new(v, "members", ids);
	}
	i = domains_start;
	json_object_foreach(domains, key, v)
	{
		if (tenant_request_ok(&reqs[i]) && json_is_object(reqs[i].response))
			add_tenant_information(by_tenant, reqs[i].response, key);
		else
			warn_lookup(&reqs[i]);
		i++;
	}
	for (i = tids_start; i < nr; i++) {
		if (tenant_request_ok(&reqs[i]) && json_is_object(reqs[i].response))
			add_tenant_information(by_tenant, reqs[i].response, NULL);
		else
			warn_lookup(&reqs[i]);
	}
	json_object_foreach(by_tenant, key, v) json_array_append(info, v);
	json_object_set(snap, "tenantInformation", info);
	ret = 0;
out:
	for (i = 0; i < nr; i++)
		tenant_request_release(&reqs[i]);
	free(reqs);
	json_decref(info);
	json_decref(by_tenant);
	json_decref(known_users);
	json_decref(domains);
	json_decref(tenant_ids);
	return ret;
}

json_t *read_whole_tenant(struct tenant *t)
{
	struct tenant_request reqs[ARRAY_SIZE(reads)];
	json_t *snap = json_object();
	size_t i;

	json_object_set_new(snap, "format", json_string("b2bctl-snapshot/1"));
	if (t->tenant_id)
		json_object_set_new(snap, "tenantId", json_string(t->tenant_id));
	if (t->default_domain)
		json_object_set_new(snap, "defaultDomain", json_string(t->default_domain));
	for (i = 0; i < ARRAY_SIZE(reads); i++)
		tenant_request_init(&reqs[i], "GET", NULL, reads[i].flags, reads[i].what, "%s",
				    reads[i].path);
	if (run_or_fail(t, reqs, ARRAY_SIZE(reads))) {
		json_decref(snap);
		snap = NULL;
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(reads); i++) {
		json_t *res = reqs[i].response;
		json_t *value = json_object_get(res, "value");

		if (reads[i].single && (reads[i].flags & TENANT_PAGED)) {
			if (json_array_size(value))
				json_object_set_new(
				    snap, reads[i].key,
				    without_odata_context(json_array_get(value, 0)));
		} else if (reads[i].single) {
			json_object_set_new(snap, reads[i].key, without_odata_context(res));
		} else {
			json_object_set_new(snap, reads[i].key,
					    json_is_array(value) ? json_deep_copy(value)
								 : json_array());
		}
	}
	if (read_members_resources_and_partners(t, snap)) {
		json_decref(snap);
		snap = NULL;
	}
out:
	for (i = 0; i < ARRAY_SIZE(reads); i++)
		tenant_request_release(&reqs[i]);
	return snap;
}

int cmd_snapshot(int argc, const char **argv)
{
	struct tenant_args ta = TENANT_ARGS_INIT;
	const char *out = NULL;
	struct option opts[] = {
	    OPT_STRING("out", 'o', &out, "FILE", "the snapshot file to write (mode 0600)"),
	    OPT_TENANT_ARGS(&ta),
	    OPT_END(),
	};
	struct tenant *tenant;
	json_t *snap;
	char *text;
	int nr, ret = 1;

	nr = parse_options(argc, argv, opts, snapshot_usage);
	if (nr == -2)
		return 0;
	if (nr < 0 || tenant_args_check(&ta, "snapshot"))
		return 1;
	if (nr > 0) {
		fprintf(stderr, "b2bctl snapshot: unexpected argument '%s'\n", argv[0]);
		return 1;
	}
	if (!out) {
		fprintf(stderr, "b2bctl snapshot: --out FILE is required\n");
		return 1;
	}
	tenant = open_tenant(&ta, NULL);
	if (!tenant) {
		report_error("snapshot");
		return 1;
	}
	snap = read_whole_tenant(tenant);
	if (!snap) {
		report_error("snapshot");
		tenant_free(tenant);
		return 1;
	}
	text = json_text(snap, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (text) {
		struct strbuf sb = STRBUF_INIT;

		strbuf_addf(&sb, "%s\n", text);
		if (!write_file_atomic(out, sb.buf, sb.len, 0600)) {
			fprintf(stderr, "b2bctl snapshot: wrote %s (%zu users, %zu groups)\n", out,
				json_array_size(json_object_get(snap, "users")),
				json_array_size(json_object_get(snap, "groups")));
			ret = 0;
		} else {
			report_error("snapshot");
		}
		strbuf_release(&sb);
		free(text);
	}
	json_decref(snap);
	tenant_free(tenant);
	return ret;
}
