/*
 * conditional_access_policy: the conditional-access intent for guests, compiled
 * into full Graph policies (conditionalAccess.policies in the files).
 *
 * A declared policy becomes one Graph object targeting guests and external
 * users by type and home tenant; it is matched by displayName. Only the parts
 * b2bctl writes are compared, so the nulls, ids and empty lists Graph adds to
 * a policy never show as changes. Undeclared policies are deleted only with
 * conditionalAccess.prune and a namePrefix they start with.
 */
#include "governance_common.h"
#include "../../schema/base/strbuf.h"
#include "../../schema/base/xalloc.h"

#include <string.h>

extern const struct kind kind_conditional_access_policy;

#define ALL_GUEST_TYPES                                                                            \
	"internalGuest,b2bCollaborationGuest,b2bCollaborationMember,b2bDirectConnectUser,"         \
	"otherExternalUser,serviceProvider"

static const char *const policy_parts[] = {"state", "conditions", "grantControls",
					   "sessionControls"};

static int ca_managed(const struct config *cfg)
{
	const struct cfg_conditional_access *ca = &cfg->conditional_access;

	return ca->policies_nr || (ca->prune.value && ca->name_prefix.value);
}

static int ca_read(struct reconcile_ctx *ctx)
{
	struct tenant_request req;
	json_t *policies;
	int ret = 0;

	if (!ca_managed(ctx->cfg))
		return 0;
	tenant_request_init(&req, "GET", NULL, TENANT_PAGED, "list conditional access policies",
			    "%s?$select=id,displayName,state,conditions,grantControls,"
			    "sessionControls",
			    CA_POLICIES_PATH);
	if (tenant_run(ctx->tenant, &req, 1) < 0) {
		ret = -1;
	} else if (!tenant_request_ok(&req)) {
		ret = gov_read_failed(&req);
	} else {
		policies = live_collection(ctx->live, "conditionalAccessPolicies");
		json_array_clear(policies);
		gov_collect(policies, req.response);
	}
	tenant_request_release(&req);
	return ret;
}

static const char *state_value(const struct cfg_ca_policy *p)
{
	switch (p->state.set ? p->state.value : CA_STATE_ENABLED) {
	case CA_STATE_DISABLED:
		return "disabled";
	case CA_STATE_REPORT_ONLY:
		return "enabledForReportingButNotEnforced";
	default:
		return "enabled";
	}
}

static char *guest_types_flags(const struct cfg_ca_policy *p)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < p->guest_types.nr; i++) {
		const char *t = p->guest_types.items[i].value;

		if (!strcmp(t, "all")) {
			strbuf_release(&sb);
			return xstrdup(ALL_GUEST_TYPES);
		}
		if (sb.len)
			strbuf_addch(&sb, ',');
		strbuf_addstr(&sb, t);
	}
	if (!sb.len)
		strbuf_addstr(&sb, ALL_GUEST_TYPES);
	return strbuf_detach(&sb, NULL);
}

static json_t *external_tenants(const struct reconcile_ctx *ctx, const struct cfg_ca_policy *p,
				int *bad)
{
	json_t *members;
	size_t i;

	if (p->partners_all || !p->partners.nr)
		return json_pack("{s:s,s:s}", "@odata.type",
				 "#microsoft.graph.conditionalAccessAllExternalTenants",
				 "membershipKind", "all");
	members = json_array();
	for (i = 0; i < p->partners.nr; i++) {
		const struct cfg_str *name = &p->partners.items[i];
		const struct cfg_partner *partner = config_find_partner(ctx->cfg, name->value);
		const char *tenant_id = partner ? live_partner_tenant_id(ctx->live, partner) : NULL;

		if (!partner) {
			diag_error(ctx->diags, &name->pos,
				   "conditional access policy '%s': partner '%s' is not declared",
				   p->name.value, name->value);
			*bad = 1;
		} else if (!tenant_id) {
			diag_error(ctx->diags, &name->pos,
				   "conditional access policy '%s': the tenant of partner '%s' is "
				   "unknown (set partners[].tenantId or check its domains)",
				   p->name.value, name->value);
			*bad = 1;
		} else {
			json_array_append_new(members, json_string(tenant_id));
		}
	}
	return json_pack("{s:s,s:s,s:o}", "@odata.type",
			 "#microsoft.graph.conditionalAccessEnumeratedExternalTenants",
			 "membershipKind", "enumerated", "members", members);
}

/* null for a policy that only sets session controls. */
static json_t *grant_controls(const struct cfg_ca_policy *p)
{
	json_t *controls;
	size_t i;

	if (!p->require.nr && !(p->block.set && p->block.value))
		return json_null();
	controls = json_array();
	if (p->block.set && p->block.value) {
		json_array_append_new(controls, json_string("block"));
		return json_pack("{s:s,s:o}", "operator", "OR", "builtInControls", controls);
	}
	for (i = 0; i < p->require.nr; i++)
		json_array_append_new(controls, json_string(p->require.items[i].value));
	return json_pack("{s:s,s:o}", "operator",
			 p->require_all.set && p->require_all.value ? "AND" : "OR",
			 "builtInControls", controls);
}

static json_t *session_controls(const struct cfg_ca_policy *p)
{
	if (!p->sign_in_frequency_hours.set)
		return json_null();
	return json_pack("{s:{s:I,s:s,s:b}}", "signInFrequency", "value",
			 (json_int_t)p->sign_in_frequency_hours.value, "type", "hours", "isEnabled",
			 1);
}

/*
 * The policy as Graph should hold it. Groups that this plan creates appear
 * under their address; `group_refs` gets one reference per excluded group.
 */
static json_t *ca_compile(const struct reconcile_ctx *ctx, const struct cfg_ca_policy *p,
			  json_t *group_refs, json_t *deps, int *bad)
{
	json_t *exclude = json_array(), *apps = json_array();
	char *flags = guest_types_flags(p);
	char *used_by = xstrfmt("conditional access policy '%s'", p->name.value);
	json_t *policy;
	size_t i;

	for (i = 0; i < p->exclude_groups.nr; i++) {
		json_t *ref = gov_group_ref(ctx, &p->exclude_groups.items[i], deps, used_by);

		if (!ref) {
			*bad = 1;
			continue;
		}
		json_array_append_new(exclude, json_string(gov_ref_label(ref)));
		json_array_append_new(group_refs, ref);
	}
	if (p->applications_all || !p->applications.nr)
		json_array_append_new(apps, json_string("All"));
	else
		for (i = 0; i < p->applications.nr; i++)
			json_array_append_new(apps, json_string(p->applications.items[i].value));

	policy = json_pack(
	    "{s:s,s:s,s:{s:{s:{s:s,s:o},s:o},s:{s:o},s:[s]},s:o,s:o}", "displayName", p->name.value,
	    "state", state_value(p), "conditions", "users", "includeGuestsOrExternalUsers",
	    "guestOrExternalUserTypes", flags, "externalTenants", external_tenants(ctx, p, bad),
	    "excludeGroups", exclude, "applications", "includeApplications", apps, "clientAppTypes",
	    "all", "grantControls", grant_controls(p), "sessionControls", session_controls(p));
	free(flags);
	free(used_by);
	return policy;
}

/* The flags string as a list, so that its order does not matter when comparing. */
static void flags_as_list(json_t *policy)
{
	json_t *guests =
	    json_object_get(json_object_get(json_object_get(policy, "conditions"), "users"),
			    "includeGuestsOrExternalUsers");
	const char *flags = json_string_value(json_object_get(guests, "guestOrExternalUserTypes"));
	json_t *list;
	char *copy, *tok, *save = NULL;

	if (!flags)
		return;
	list = json_array();
	copy = xstrdup(flags);
	for (tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
		json_array_append_new(list, json_string(tok));
	free(copy);
	json_object_set_new(guests, "guestOrExternalUserTypes", list);
}

/* The parts of policy that differ from live (both as Graph writes them). */
static json_t *ca_changed_parts(const json_t *desired, const json_t *live)
{
	json_t *want = json_deep_copy(desired), *have = gov_project(desired, live);
	json_t *changed = json_array();
	size_t i;

	flags_as_list(want);
	flags_as_list(have);
	for (i = 0; i < ARRAY_SIZE(policy_parts); i++) {
		const char *part = policy_parts[i];

		if (!gov_equal(json_object_get(want, part), json_object_get(have, part)))
			json_array_append_new(changed, json_string(part));
	}
	json_decref(want);
	json_decref(have);
	return changed;
}

static void diff_policy(const struct reconcile_ctx *ctx, struct plan *plan,
			const struct cfg_ca_policy *p, const json_t *by_name)
{
	json_t *group_refs = json_array(), *deps = json_array();
	json_t *live = gov_named(by_name, p->name.value);
	int bad = 0;
	json_t *desired = ca_compile(ctx, p, group_refs, deps, &bad);
	struct plan_action *a;
	json_t *changed, *body;
	size_t i;

	if (bad ||
	    gov_check_unique(ctx, by_name, p->name.value, &p->pos, "conditional access policies"))
		goto out;
	if (!live) {
		changed = json_pack("[s,s,s,s,s]", "displayName", "state", "conditions",
				    "grantControls", "sessionControls");
		if (json_is_null(json_object_get(desired, "sessionControls")))
			json_array_remove(changed, 4);
		a = plan_add_action(plan, &kind_conditional_access_policy, PLAN_CREATE,
				    p->name.value, &p->pos);
		gov_add_changes(a, changed, desired, NULL);
		a->data = json_pack("{s:O,s:O}", "body", desired, "excludeGroups", group_refs);
	} else {
		changed = ca_changed_parts(desired, live);
		if (!json_array_size(changed)) {
			json_decref(changed);
			goto out;
		}
		a = plan_add_action(plan, &kind_conditional_access_policy, PLAN_UPDATE,
				    p->name.value, &p->pos);
		plan_action_set_last_changed(a, live);
		gov_add_changes(a, changed, desired, live);
		body = json_object();
		for (i = 0; i < json_array_size(changed); i++) {
			const char *part = json_string_value(json_array_get(changed, i));

			json_object_set(body, part, json_object_get(desired, part));
		}
		a->data = json_pack("{s:O,s:o,s:O}", "id", json_object_get(live, "id"), "body",
				    body, "excludeGroups", group_refs);
	}
	gov_add_depends(a, deps);
	json_decref(changed);
out:
	json_decref(desired);
	json_decref(group_refs);
	json_decref(deps);
}

static int declared(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->conditional_access.policies_nr; i++)
		if (!strcmp(cfg->conditional_access.policies[i].name.value, name))
			return 1;
	return 0;
}

static void diff_prune(const struct reconcile_ctx *ctx, struct plan *plan)
{
	const struct cfg_conditional_access *ca = &ctx->cfg->conditional_access;
	const char *prefix = ca->name_prefix.value;
	json_t *live;
	size_t i;

	if (!ca->prune.value || !prefix || !*prefix)
		return;
	json_array_foreach(json_object_get(ctx->live, "conditionalAccessPolicies"), i, live)
	{
		const char *name = json_string_value(json_object_get(live, "displayName"));
		json_t *id = json_object_get(live, "id");
		struct plan_action *a;

		if (!name || !json_is_string(id) || strncmp(name, prefix, strlen(prefix)) ||
		    declared(ctx->cfg, name))
			continue;
		a = plan_add_action(plan, &kind_conditional_access_policy, PLAN_DELETE, name, NULL);
		plan_action_set_last_changed(a, live);
		plan_action_add_change(a, "displayName", json_string(name), NULL);
		plan_action_add_change(a, "state", json_incref(json_object_get(live, "state")),
				       NULL);
		a->data = json_pack("{s:O}", "id", id);
	}
}

static int ca_diff(const struct reconcile_ctx *ctx, struct plan *plan)
{
	const struct cfg_conditional_access *ca = &ctx->cfg->conditional_access;
	json_t *by_name = gov_name_index(json_object_get(ctx->live, "conditionalAccessPolicies"));
	size_t i;

	for (i = 0; i < ca->policies_nr; i++)
		diff_policy(ctx, plan, &ca->policies[i], by_name);
	json_decref(by_name);
	diff_prune(ctx, plan);
	return 0;
}

/* The request body with the excluded groups' ids filled in; NULL when one is unknown. */
static json_t *resolved_body(struct apply_ctx *ctx, const struct plan_action *action)
{
	json_t *body = json_deep_copy(json_object_get(action->data, "body"));
	json_t *users = json_object_get(json_object_get(body, "conditions"), "users");
	json_t *exclude, *ref;
	size_t i;

	if (!users)
		return body;
	exclude = json_array();
	json_array_foreach(json_object_get(action->data, "excludeGroups"), i, ref)
	{
		const char *id = gov_resolve(ctx, ref);

		if (!id) {
			apply_ctx_fail(ctx, action, NULL, "the id of %s is unknown",
				       gov_ref_label(ref));
			json_decref(exclude);
			json_decref(body);
			return NULL;
		}
		json_array_append_new(exclude, json_string(id));
	}
	json_object_set_new(users, "excludeGroups", exclude);
	return body;
}

static enum apply_step_result ca_apply_step(struct apply_ctx *ctx, const struct plan_action *action,
					    json_t *state, const struct tenant_request *prev,
					    struct tenant_request *next)
{
	const char *id = json_string_value(json_object_get(action->data, "id"));
	enum apply_step_result r;
	char *path;
	json_t *body;

	if (action->op == PLAN_DELETE) {
		path = xstrfmt("%s/%s", CA_POLICIES_PATH, id);
		r = gov_delete_step(ctx, action, prev, next, path);
		free(path);
		return r;
	}
	body = resolved_body(ctx, action);
	if (!body)
		return APPLY_STEP_FAILED;
	if (action->op == PLAN_CREATE) {
		struct gov_create c = {
		    .path = CA_POLICIES_PATH,
		    .body = body,
		    .flags = TENANT_BATCHABLE | TENANT_RETRY_NOT_FOUND,
		    .lookup_path = CA_POLICIES_PATH "?$select=id,displayName",
		    .match_key = "displayName",
		    .match_value = action->name,
		};

		r = gov_create_step(ctx, action, state, prev, next, &c);
	} else {
		path = xstrfmt("%s/%s", CA_POLICIES_PATH, id);
		r = gov_write_step(ctx, action, prev, next, "PATCH", path, body);
		free(path);
	}
	json_decref(body);
	return r;
}

const struct kind kind_conditional_access_policy = {
    .name = "conditional_access_policy",
    .read = ca_read,
    .diff = ca_diff,
    .apply_step = ca_apply_step,
};
