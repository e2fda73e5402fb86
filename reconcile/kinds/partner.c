/*
 * partner: a partner organisation's entry in the cross-tenant access policy
 * (inbound trust of MFA and device claims, B2B collaboration inbound), keyed
 * by the partner's tenant id. Only what the files declare is compared: a trust
 * flag that is not written is left as it is (absent or null counts as false),
 * and so is B2B collaboration inbound unless it is written (`inherit` writes
 * null, which makes the entry follow the default policy).
 *
 * Its read also resolves the tenant of every declared partner that names no
 * tenantId (findTenantInformationByDomainName on its first domain, batched)
 * into live "tenantInformation", for connected organisations and conditional
 * access too. Entries are created and updated, never deleted: there is no
 * prune scope for partners, so an entry of an undeclared tenant, or of a
 * partner whose crossTenantAccess was removed from the files, stays as it is.
 */
#include "partners_common.h"
#include "../../schema/base/strbuf.h"
#include "../../schema/base/xalloc.h"

#include <string.h>
#include <strings.h>

#define PARTNERS_PATH "/v1.0/policies/crossTenantAccessPolicy/partners"

extern const struct kind kind_partner;

static const struct trust_flag {
	const char *graph_name;
	size_t offset; /* of the struct cfg_bool in struct cfg_cross_tenant_access */
} trust_flags[] = {
    {"isMfaAccepted", offsetof(struct cfg_cross_tenant_access, trust_mfa)},
    {"isCompliantDeviceAccepted", offsetof(struct cfg_cross_tenant_access, trust_compliant_device)},
    {"isHybridAzureADJoinedDeviceAccepted",
     offsetof(struct cfg_cross_tenant_access, trust_hybrid_joined_device)},
};

static const struct cfg_bool *trust_flag_of(const struct cfg_cross_tenant_access *cta,
					    const struct trust_flag *flag)
{
	return (const struct cfg_bool *)((const char *)cta + flag->offset);
}

static int partners_need_tenant(const struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->partners_nr; i++)
		if (!cfg->partners[i].tenant_id.value && cfg->partners[i].domains.nr)
			return 1;
	return 0;
}

static int partners_have_cross_tenant_access(const struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->partners_nr; i++)
		if (cfg->partners[i].cross_tenant_access.set)
			return 1;
	return 0;
}

static void remember_tenant(json_t *live, const char *domain, const json_t *answer)
{
	json_t *info = json_object();
	const char *keys[] = {"tenantId", "displayName", "defaultDomainName"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		json_t *v = json_object_get(answer, keys[i]);

		json_object_set_new(info, keys[i], json_is_string(v) ? json_copy(v) : json_null());
	}
	json_object_set_new(info, "domains", json_pack("[s]", domain));
	json_array_append_new(live_collection(live, "tenantInformation"), info);
}

static void store_partner_entries(json_t *live, const json_t *answer)
{
	json_t *value = json_object_get(answer, "value");

	json_object_set_new(live, "crossTenantAccessPolicyPartners",
			    json_is_array(value) ? json_incref(value) : json_array());
}

static int partner_read(struct reconcile_ctx *ctx)
{
	const struct config *cfg = ctx->cfg;
	struct tenant_request *reqs;
	const struct cfg_partner **asked;
	size_t nr = 0, i;
	int ret = -1;

	if (!partners_need_tenant(cfg) && !partners_have_cross_tenant_access(cfg))
		return 0;
	reqs = xcalloc(cfg->partners_nr + 1, sizeof(*reqs));
	asked = xcalloc(cfg->partners_nr + 1, sizeof(*asked));
	for (i = 0; i < cfg->partners_nr; i++) {
		const struct cfg_partner *p = &cfg->partners[i];
		struct strbuf path = STRBUF_INIT;
		char *what;

		if (p->tenant_id.value || live_partner_tenant_id(ctx->live, p))
			continue;
		if (!p->domains.nr || !p->domains.items[0].value) {
			if (p->cross_tenant_access.set)
				diag_error(
				    ctx->diags, &p->cross_tenant_access.pos,
				    "partner %s: crossTenantAccess needs the partner's tenant: "
				    "set tenantId or list its domains",
				    p->name.value);
			continue;
		}
		strbuf_addstr(&path, "/v1.0/tenantRelationships/findTenantInformationByDomainName("
				     "domainName=");
		strbuf_add_odata_literal(&path, p->domains.items[0].value);
		strbuf_addch(&path, ')');
		what = xstrfmt("find the tenant of %s", p->domains.items[0].value);
		tenant_request_init(&reqs[nr], "GET", NULL, TENANT_BATCHABLE, what, "%s", path.buf);
		asked[nr++] = p;
		free(what);
		strbuf_release(&path);
	}
	if (partners_have_cross_tenant_access(cfg))
		tenant_request_init(
		    &reqs[nr++], "GET", NULL, TENANT_PAGED, "list cross-tenant access partners",
		    PARTNERS_PATH "?$select=tenantId,inboundTrust,b2bCollaborationInbound");
	if (tenant_run(ctx->tenant, reqs, nr) < 0)
		goto out;
	for (i = 0; i < nr; i++) {
		const struct cfg_partner *p = asked[i];

		if (tenant_request_ok(&reqs[i])) {
			if (p)
				remember_tenant(ctx->live, p->domains.items[0].value,
						reqs[i].response);
			else
				store_partner_entries(ctx->live, reqs[i].response);
		} else if (p && reqs[i].status == 404) {
			if (p->cross_tenant_access.set)
				diag_error(
				    ctx->diags, &p->cross_tenant_access.pos,
				    "partner %s: no Microsoft Entra tenant has the domain %s; "
				    "set tenantId or correct the domain",
				    p->name.value, p->domains.items[0].value);
		} else {
			tenant_request_error(&reqs[i]);
			goto out;
		}
	}
	ret = 0;
out:
	for (i = 0; i < nr; i++)
		tenant_request_release(&reqs[i]);
	free(reqs);
	free(asked);
	return ret;
}

/* live "crossTenantAccessPolicyPartners" by lowercased tenantId (a new reference). */
static json_t *partner_entries_by_tenant(const json_t *live)
{
	json_t *by_tenant = json_object(), *entry;
	size_t i;

	json_array_foreach(json_object_get(live, "crossTenantAccessPolicyPartners"), i, entry)
	{
		const char *tid = json_string_value(json_object_get(entry, "tenantId"));
		char *key;

		if (!tid)
			continue;
		key = lowercase_dup(tid);
		if (!json_object_get(by_tenant, key))
			json_object_set(by_tenant, key, entry);
		free(key);
	}
	return by_tenant;
}

/* "allowed" / "blocked" for the all-users, all-applications form, "inherit" for null,
 * "custom" for anything else (specific users, groups or applications). */
static const char *inbound_access_of(const json_t *setting)
{
	static const char *const parts[][2] = {
	    {"usersAndGroups", "AllUsers"},
	    {"applications", "AllApplications"},
	};
	const char *access = NULL;
	size_t i;

	if (!setting || json_is_null(setting))
		return "inherit";
	for (i = 0; i < ARRAY_SIZE(parts); i++) {
		json_t *part = json_object_get(setting, parts[i][0]);
		json_t *targets = json_object_get(part, "targets");
		const char *type = json_string_value(json_object_get(part, "accessType"));
		const char *target =
		    json_string_value(json_object_get(json_array_get(targets, 0), "target"));

		if (!type || json_array_size(targets) != 1 || !target ||
		    strcasecmp(target, parts[i][1]) || (access && strcasecmp(access, type)))
			return "custom";
		access = type;
	}
	if (!strcasecmp(access, "allowed"))
		return "allowed";
	if (!strcasecmp(access, "blocked"))
		return "blocked";
	return "custom";
}

static json_t *inbound_access_body(enum inbound_access access)
{
	const char *type = access == INBOUND_ALLOWED ? "allowed" : "blocked";

	if (access == INBOUND_INHERIT)
		return json_null();
	return json_pack("{s:{s:s, s:[{s:s, s:s}]}, s:{s:s, s:[{s:s, s:s}]}}", "usersAndGroups",
			 "accessType", type, "targets", "target", "AllUsers", "targetType", "user",
			 "applications", "accessType", type, "targets", "target", "AllApplications",
			 "targetType", "application");
}

static void partner_diff_one(struct plan *plan, const json_t *entries, const struct cfg_partner *p,
			     const char *tenant_id)
{
	const struct cfg_cross_tenant_access *cta = &p->cross_tenant_access;
	char *key = lowercase_dup(tenant_id);
	json_t *entry = json_object_get(entries, key);
	json_t *have_trust = json_object_get(entry, "inboundTrust");
	enum inbound_access want_inbound = cta->b2b_collaboration_inbound.set
					       ? cta->b2b_collaboration_inbound.value
					       : INBOUND_INHERIT;
	const char *want_inbound_name = inbound_access_name(want_inbound);
	const char *have_inbound =
	    inbound_access_of(json_object_get(entry, "b2bCollaborationInbound"));
	json_t *trust = json_object(), *body = json_object(), *changes = json_array();
	int trust_changed = 0;
	struct plan_action *a;
	json_t *change;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(trust_flags); i++) {
		const struct cfg_bool *flag = trust_flag_of(cta, &trust_flags[i]);
		int have = json_truthy(json_object_get(have_trust, trust_flags[i].graph_name));
		int want = flag->set ? !!flag->value : have;

		json_object_set_new(trust, trust_flags[i].graph_name, json_boolean(want));
		if (!flag->set || (entry && want == have))
			continue;
		trust_changed = 1;
		json_array_append_new(
		    changes, json_pack("{s:s+, s:o, s:b}", "path", "inboundTrust.",
				       trust_flags[i].graph_name, "before",
				       entry ? json_boolean(have) : json_null(), "after", want));
	}
	if (trust_changed)
		json_object_set(body, "inboundTrust", trust);
	if (cta->b2b_collaboration_inbound.set &&
	    (!entry ? want_inbound != INBOUND_INHERIT : strcmp(have_inbound, want_inbound_name))) {
		json_object_set_new(body, "b2bCollaborationInbound",
				    inbound_access_body(want_inbound));
		json_array_append_new(
		    changes, json_pack("{s:s, s:o, s:s}", "path", "b2bCollaborationInbound",
				       "before", entry ? json_string(have_inbound) : json_null(),
				       "after", want_inbound_name));
	}
	json_decref(trust);
	free(key);
	if (entry && !json_array_size(changes)) {
		json_decref(body);
		json_decref(changes);
		return;
	}
	a = plan_add_action(plan, &kind_partner, entry ? PLAN_UPDATE : PLAN_CREATE, p->name.value,
			    &cta->pos);
	if (!entry)
		plan_action_add_change(a, "tenantId", NULL, json_string(tenant_id));
	json_array_foreach(changes, i, change)
	    plan_action_add_change(a, json_string_value(json_object_get(change, "path")),
				   json_incref(json_object_get(change, "before")),
				   json_incref(json_object_get(change, "after")));
	json_decref(changes);
	if (entry) {
		a->data = action_request_data("PATCH", body, 1, PARTNERS_PATH "/%s", tenant_id);
	} else {
		json_object_set_new(body, "tenantId", json_string(tenant_id));
		a->data = action_request_data("POST", body, 1, PARTNERS_PATH);
		json_object_set_new(a->data, "lookup",
				    json_sprintf(PARTNERS_PATH "/%s", tenant_id));
	}
	json_object_set_new(a->data, "tenantId", json_string(tenant_id));
}

static int partner_diff(const struct reconcile_ctx *ctx, struct plan *plan)
{
	json_t *entries = partner_entries_by_tenant(ctx->live);
	size_t i;

	for (i = 0; i < ctx->cfg->partners_nr; i++) {
		const struct cfg_partner *p = &ctx->cfg->partners[i];
		const char *tenant_id;

		if (!p->cross_tenant_access.set)
			continue;
		tenant_id = live_partner_tenant_id(ctx->live, p);
		if (tenant_id)
			partner_diff_one(plan, entries, p, tenant_id);
	}
	json_decref(entries);
	return 0;
}

static enum apply_step_result partner_apply_step(struct apply_ctx *ctx,
						 const struct plan_action *action, json_t *state,
						 const struct tenant_request *prev,
						 struct tenant_request *next)
{
	enum apply_step_result res;

	if (action->op != PLAN_CREATE)
		return apply_step_single_request(ctx, action, state, prev, next);
	res = apply_step_create_once(ctx, action, state, prev, next, NULL);
	if (res == APPLY_STEP_DONE)
		apply_ctx_set_id(ctx, action->address,
				 json_string_value(json_object_get(action->data, "tenantId")));
	return res;
}

const struct kind kind_partner = {
    .name = "partner",
    .read = partner_read,
    .diff = partner_diff,
    .apply_step = partner_apply_step,
};
