/*
 * connected_organization: the entitlement-management connected organisation
 * of each partner with `connectedOrganization: true`, so that access-package
 * policies can let that partner's users request access.
 *
 * Desired: displayName (and description) the partner's displayName, state
 * configured, and one identity source: the partner's Entra tenant when it is
 * known, else one domainIdentitySource per domain. Graph cannot change the
 * identity sources of an existing organisation, and partners have no prune
 * scope to allow replacing one, so a difference there is a warning, not an
 * action. Organisations are created and updated, never deleted.
 */
#include "partners_common.h"
#include "../../schema/base/json_memory.h"
#include "../../schema/base/strbuf.h"
#include "../../schema/base/xalloc.h"

#include <string.h>
#include <strings.h>

#define CONNECTED_ORGS_PATH "/v1.0/identityGovernance/entitlementManagement/connectedOrganizations"

extern const struct kind kind_connected_organization;

static int connected_organizations_needed(const struct config *cfg)
{
	size_t i;

	if (cfg->access_packages_nr)
		return 1;
	for (i = 0; i < cfg->partners_nr; i++)
		if (cfg->partners[i].connected_organization.value)
			return 1;
	return 0;
}

static int connected_organization_read(struct reconcile_ctx *ctx)
{
	struct tenant_request req;
	json_t *value;
	int ret = -1;

	if (!connected_organizations_needed(ctx->cfg))
		return 0;
	tenant_request_init(&req, "GET", NULL, TENANT_PAGED, "list connected organisations",
			    CONNECTED_ORGS_PATH
			    "?$select=id,displayName,description,identitySources,"
			    "state&$top=100");
	if (tenant_run(ctx->tenant, &req, 1) < 0)
		goto out;
	if (!tenant_request_ok(&req)) {
		tenant_request_error(&req);
		goto out;
	}
	value = json_object_get(req.response, "value");
	json_object_set_new(ctx->live, "connectedOrganizations",
			    json_is_array(value) ? json_incref(value) : json_array());
	ret = 0;
out:
	tenant_request_release(&req);
	return ret;
}

static json_t *desired_identity_sources(const struct cfg_partner *p, const char *tenant_id)
{
	json_t *sources = json_array();
	size_t i;

	if (tenant_id) {
		json_array_append_new(
		    sources, json_pack("{s:s, s:s, s:s}", "@odata.type",
				       "#microsoft.graph.azureActiveDirectoryTenant", "tenantId",
				       tenant_id, "displayName", partner_display_name(p)));
		return sources;
	}
	for (i = 0; i < p->domains.nr; i++) {
		char *domain = lowercase_dup(p->domains.items[i].value);

		json_array_append_new(sources,
				      json_pack("{s:s, s:s, s:s}", "@odata.type",
						"#microsoft.graph.domainIdentitySource",
						"domainName", domain, "displayName", domain));
		free(domain);
	}
	return sources;
}

/* Identity sources as comparable keys: "tenant:<id>" or "domain:<name>", sorted; sources
 * that name neither (Graph answers sometimes leave the tenantId out) are skipped. */
static json_t *identity_source_keys(const json_t *sources)
{
	json_t *keys = json_array(), *src;
	size_t i;

	json_array_foreach(sources, i, src)
	{
		const char *type = odata_type_of(src);
		const char *tenant_id = json_string_value(json_object_get(src, "tenantId"));
		const char *domain = json_string_value(json_object_get(src, "domainName"));
		char *key = NULL, *lower;

		if (!strcmp(type, "microsoft.graph.azureActiveDirectoryTenant") && tenant_id)
			key = xstrfmt("tenant:%s", tenant_id);
		else if (!strcmp(type, "microsoft.graph.domainIdentitySource") && domain)
			key = xstrfmt("domain:%s", domain);
		if (!key)
			continue;
		lower = lowercase_dup(key);
		json_array_append_new(keys, json_string(lower));
		free(lower);
		free(key);
	}
	domain_set_normalize(keys);
	return keys;
}

static void warn_identity_sources(const struct reconcile_ctx *ctx, const struct cfg_partner *p,
				  const json_t *org, const json_t *want_sources)
{
	json_t *have = identity_source_keys(json_object_get(org, "identitySources"));
	json_t *want = identity_source_keys(want_sources);
	char *have_text, *want_text;

	if (!json_array_size(have) || json_equal(have, want))
		goto out;
	have_text = json_text(have, JSON_COMPACT);
	want_text = json_text(want, JSON_COMPACT);
	diag_add(ctx->diags, DIAG_WARNING, "connected-organization-identity-sources",
		 &p->connected_organization.pos,
		 "partner %s: connected organisation %s has identity sources %s, the files want "
		 "%s; Graph cannot change them: delete the organisation to have it created again",
		 p->name.value, json_string_value(json_object_get(org, "id")), have_text,
		 want_text);
	free(have_text);
	free(want_text);
out:
	json_decref(have);
	json_decref(want);
}

static void compare_string(json_t *body, json_t *changes, const char *field, const json_t *org,
			   const char *want)
{
	const char *have = json_string_value(json_object_get(org, field));

	if (have && !strcmp(have, want))
		return;
	json_object_set_new(body, field, json_string(want));
	json_array_append_new(changes,
			      json_pack("{s:s, s:o, s:s}", "path", field, "before",
					have ? json_string(have) : json_null(), "after", want));
}

static void connected_organization_diff_one(const struct reconcile_ctx *ctx, struct plan *plan,
					    const json_t *index, const struct cfg_partner *p)
{
	const char *tenant_id = live_partner_tenant_id(ctx->live, p);
	const char *display_name = partner_display_name(p);
	json_t *org = connected_organization_index_find(index, ctx->live, p);
	json_t *sources = desired_identity_sources(p, tenant_id);
	json_t *body = json_object(), *changes = json_array(), *change;
	struct plan_action *a = NULL;
	struct strbuf lookup = STRBUF_INIT;
	size_t i;

	if (org && !json_string_value(json_object_get(org, "id")))
		goto out;
	if (org) {
		warn_identity_sources(ctx, p, org, sources);
		compare_string(body, changes, "displayName", org, display_name);
		compare_string(body, changes, "description", org, display_name);
		compare_string(body, changes, "state", org, "configured");
		if (!json_array_size(changes))
			goto out;
		a = plan_add_action(plan, &kind_connected_organization, PLAN_UPDATE, p->name.value,
				    &p->connected_organization.pos);
		plan_action_set_last_changed(a, org);
		json_array_foreach(changes, i, change)
		    plan_action_add_change(a, json_string_value(json_object_get(change, "path")),
					   json_incref(json_object_get(change, "before")),
					   json_incref(json_object_get(change, "after")));
		a->data =
		    action_request_data("PATCH", json_incref(body), 1, CONNECTED_ORGS_PATH "/%s",
					json_string_value(json_object_get(org, "id")));
		json_object_set(a->data, "id", json_object_get(org, "id"));
		goto out;
	}

	a = plan_add_action(plan, &kind_connected_organization, PLAN_CREATE, p->name.value,
			    &p->connected_organization.pos);
	plan_action_add_change(a, "displayName", NULL, json_string(display_name));
	plan_action_add_change(a, "description", NULL, json_string(display_name));
	plan_action_add_change(a, "identitySources", NULL, json_incref(sources));
	plan_action_add_change(a, "state", NULL, json_string("configured"));
	a->data = action_request_data("POST",
				      json_pack("{s:s, s:s, s:O, s:s}", "displayName", display_name,
						"description", display_name, "identitySources",
						sources, "state", "configured"),
				      1, CONNECTED_ORGS_PATH);
	strbuf_addstr(&lookup, CONNECTED_ORGS_PATH "?$filter=displayName%20eq%20");
	strbuf_add_odata_literal(&lookup, display_name);
	json_object_set_new(a->data, "lookup", json_string(lookup.buf));
out:
	strbuf_release(&lookup);
	json_decref(sources);
	json_decref(body);
	json_decref(changes);
}

static int connected_organization_diff(const struct reconcile_ctx *ctx, struct plan *plan)
{
	json_t *index = connected_organization_index_build(ctx->live);
	size_t i;

	for (i = 0; i < ctx->cfg->partners_nr; i++)
		if (ctx->cfg->partners[i].connected_organization.value)
			connected_organization_diff_one(ctx, plan, index, &ctx->cfg->partners[i]);
	json_decref(index);
	return 0;
}

static enum apply_step_result connected_organization_apply_step(struct apply_ctx *ctx,
								const struct plan_action *action,
								json_t *state,
								const struct tenant_request *prev,
								struct tenant_request *next)
{
	enum apply_step_result res;

	if (action->op != PLAN_CREATE) {
		res = apply_step_single_request(ctx, action, state, prev, next);
		if (res == APPLY_STEP_DONE)
			apply_ctx_set_id(ctx, action->address,
					 json_string_value(json_object_get(action->data, "id")));
		return res;
	}
	return apply_step_create_once(ctx, action, state, prev, next,
				      "create %s: Graph's answer holds no id");
}

const struct kind kind_connected_organization = {
    .name = "connected_organization",
    .read = connected_organization_read,
    .diff = connected_organization_diff,
    .apply_step = connected_organization_apply_step,
};
