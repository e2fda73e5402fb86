/*
 * access_package_policy: the assignment policies of declared access packages
 * (accessPackages[].policies), matched by displayName within their package.
 *
 * A policy lets users of chosen connected organisations (or of all of them)
 * request the package themselves, optionally approved by the members of
 * groups, with an expiry. It is compiled into the whole Graph policy, since
 * Graph updates a policy only by replacing it (PUT); only the compiled fields
 * are compared. A declared package is authoritative over its policies:
 * undeclared ones are deleted. The packages' policies come from the
 * access_package read ($expand=assignmentPolicies).
 */
#include "governance_common.h"
#include "partners_common.h"
#include "../../schema/base/strbuf.h"
#include "../../schema/base/xalloc.h"

#include <string.h>

extern const struct kind kind_access_package_policy;

#define POLICIES_PATH    ENTITLEMENT_PATH "/assignmentPolicies"
#define APPROVAL_TIMEOUT "P14D"

struct policy_refs {
	json_t *targets;   /* one reference per connected organisation */
	json_t *approvers; /* one reference per approving group */
	json_t *deps;
};

static json_t *expiration(const struct cfg_expiry *e)
{
	char *end;
	json_t *out;

	if (!e->set || e->kind == EXPIRY_NEVER)
		return json_pack("{s:s}", "type", "noExpiration");
	if (e->kind == EXPIRY_DURATION)
		return json_pack("{s:s,s:s}", "type", "afterDuration", "duration", e->text);
	end = xstrfmt("%sT23:59:59Z", e->text);
	out = json_pack("{s:s,s:s}", "type", "afterDateTime", "endDateTime", end);
	free(end);
	return out;
}

static json_t *connected_org_ref(const struct reconcile_ctx *ctx,
				 const struct cfg_access_package_policy *pol,
				 const struct cfg_str *name, json_t *deps)
{
	const struct cfg_partner *partner = config_find_partner(ctx->cfg, name->value);
	json_t *org, *ref;
	char *address;

	if (!partner) {
		diag_error(ctx->diags, &name->pos,
			   "access package policy '%s': partner '%s' is not declared",
			   pol->name.value, name->value);
		return NULL;
	}
	org = live_connected_organization_for(ctx->live, partner);
	if (json_is_string(json_object_get(org, "id")))
		return gov_ref(json_string_value(json_object_get(org, "id")), NULL);
	if (!partner->connected_organization.value) {
		diag_error(ctx->diags, &name->pos,
			   "access package policy '%s': partner '%s' has no connected organisation "
			   "in the tenant; set connectedOrganization: true on the partner",
			   pol->name.value, name->value);
		return NULL;
	}
	address = xstrfmt("connected_organization.%s", name->value);
	ref = gov_ref(NULL, address);
	json_array_append_new(deps, json_string(address));
	free(address);
	return ref;
}

static json_t *connected_org_target(const char *id)
{
	return json_pack("{s:s,s:s}", "@odata.type",
			 "#microsoft.graph.connectedOrganizationMembers", "connectedOrganizationId",
			 id);
}

static json_t *group_approver(const char *id)
{
	return json_pack("{s:s,s:s}", "@odata.type", "#microsoft.graph.groupMembers", "groupId",
			 id);
}

static json_t *approval_settings(json_t *approvers)
{
	if (!json_array_size(approvers)) {
		json_decref(approvers);
		return json_pack("{s:b,s:b,s:[]}", "isApprovalRequiredForAdd", 0,
				 "isApprovalRequiredForUpdate", 0, "stages");
	}
	return json_pack("{s:b,s:b,s:[{s:s,s:o}]}", "isApprovalRequiredForAdd", 1,
			 "isApprovalRequiredForUpdate", 0, "stages",
			 "durationBeforeAutomaticDenial", APPROVAL_TIMEOUT, "primaryApprovers",
			 approvers);
}

/* The policy as Graph should hold it; objects this plan creates appear under their address. */
static json_t *policy_compile(const struct reconcile_ctx *ctx,
			      const struct cfg_access_package_policy *pol, struct policy_refs *r,
			      int *bad)
{
	json_t *targets = json_array(), *approvers = json_array();
	int all = pol->all_partners.set && pol->all_partners.value;
	char *used_by = xstrfmt("access package policy '%s'", pol->name.value);
	size_t i;

	for (i = 0; !all && i < pol->partners.nr; i++) {
		json_t *ref = connected_org_ref(ctx, pol, &pol->partners.items[i], r->deps);

		if (!ref) {
			*bad = 1;
			continue;
		}
		json_array_append_new(targets, connected_org_target(gov_ref_label(ref)));
		json_array_append_new(r->targets, ref);
	}
	for (i = 0; i < pol->approvers.nr; i++) {
		json_t *ref = gov_group_ref(ctx, &pol->approvers.items[i], r->deps, used_by);

		if (!ref) {
			*bad = 1;
			continue;
		}
		json_array_append_new(approvers, group_approver(gov_ref_label(ref)));
		json_array_append_new(r->approvers, ref);
	}
	free(used_by);
	return json_pack("{s:s,s:s,s:s,s:o,s:o,s:{s:b,s:b,s:b,s:b},s:o}", "displayName",
			 pol->name.value, "description", pol->name.value, "allowedTargetScope",
			 all ? "allConfiguredConnectedOrganizationUsers"
			     : "specificConnectedOrganizationUsers",
			 "specificAllowedTargets", targets, "expiration", expiration(&pol->expiry),
			 "requestorSettings", "enableTargetsToSelfAddAccess", 1,
			 "enableTargetsToSelfUpdateAccess", 0, "enableTargetsToSelfRemoveAccess", 1,
			 "allowCustomAssignmentSchedule", 0, "requestApprovalSettings",
			 approval_settings(approvers));
}

/* Graph may answer 2027-03-31T23:59:59.000Z for the 2027-03-31T23:59:59Z it was sent. */
static void trim_fraction(json_t *policy)
{
	json_t *exp = json_object_get(policy, "expiration");
	const char *end = json_string_value(json_object_get(exp, "endDateTime"));
	const char *dot = end ? strchr(end, '.') : NULL;
	char *trimmed;

	if (!dot || strspn(dot + 1, "0") != strlen(dot + 1) - 1 || end[strlen(end) - 1] != 'Z')
		return;
	trimmed = xstrfmt("%.*sZ", (int)(dot - end), end);
	json_object_set_new(exp, "endDateTime", json_string(trimmed));
	free(trimmed);
}

static void diff_policy(const struct reconcile_ctx *ctx, struct plan *plan,
			const struct cfg_access_package *pkg,
			const struct cfg_access_package_policy *pol, const json_t *live_pkg,
			const json_t *live_policies)
{
	struct policy_refs r = {json_array(), json_array(), json_array()};
	const char *package_id = json_string_value(json_object_get(live_pkg, "id"));
	json_t *live = gov_named(live_policies, pol->name.value);
	char *package_address = xstrfmt("access_package.%s", pkg->name.value);
	char *name = xstrfmt("%s/%s", pkg->name.value, pol->name.value);
	int bad = 0;
	json_t *desired = policy_compile(ctx, pol, &r, &bad);
	json_t *changed = NULL, *have = NULL;
	struct plan_action *a;

	if (bad || gov_check_unique(ctx, live_policies, pol->name.value, &pol->pos,
				    "assignment policies in the package"))
		goto out;
	if (live) {
		have = json_deep_copy(live);
		trim_fraction(have);
		changed = gov_changed_keys(desired, have);
		if (!json_array_size(changed))
			goto out;
	} else {
		changed = json_pack("[s,s,s,s,s,s,s]", "displayName", "description",
				    "allowedTargetScope", "specificAllowedTargets", "expiration",
				    "requestorSettings", "requestApprovalSettings");
	}
	a = plan_add_action(plan, &kind_access_package_policy, live ? PLAN_UPDATE : PLAN_CREATE,
			    name, &pol->pos);
	plan_action_set_last_changed(a, live);
	gov_add_changes(a, changed, desired, have);
	gov_add_depends(a, r.deps);
	if (!package_id)
		plan_action_depends_on(a, package_address);
	a->data = json_pack("{s:O,s:o,s:O,s:O}", "body", desired, "package",
			    gov_ref(package_id, package_address), "targets", r.targets, "approvers",
			    r.approvers);
	if (live)
		json_object_set(a->data, "id", json_object_get(live, "id"));
out:
	json_decref(changed);
	json_decref(have);
	json_decref(desired);
	json_decref(r.targets);
	json_decref(r.approvers);
	json_decref(r.deps);
	free(package_address);
	free(name);
}

static int policy_declared(const struct cfg_access_package *pkg, const char *name)
{
	size_t i;

	for (i = 0; i < pkg->policies_nr; i++)
		if (!strcmp(pkg->policies[i].name.value, name))
			return 1;
	return 0;
}

static void diff_undeclared(struct plan *plan, const struct cfg_access_package *pkg,
			    const json_t *live_pkg)
{
	json_t *p;
	size_t i;

	json_array_foreach(json_object_get(live_pkg, "assignmentPolicies"), i, p)
	{
		const char *dn = json_string_value(json_object_get(p, "displayName"));
		json_t *id = json_object_get(p, "id");
		struct plan_action *a;
		char *name;

		if (!dn || !json_is_string(id) || policy_declared(pkg, dn))
			continue;
		name = xstrfmt("%s/%s", pkg->name.value, dn);
		a = plan_add_action(plan, &kind_access_package_policy, PLAN_DELETE, name,
				    &pkg->pos);
		plan_action_set_last_changed(a, p);
		plan_action_add_change(a, "displayName", json_string(dn), NULL);
		a->data = json_pack("{s:O}", "id", id);
		free(name);
	}
}

static int policy_diff(const struct reconcile_ctx *ctx, struct plan *plan)
{
	json_t *packages = gov_name_index(json_object_get(ctx->live, "accessPackages"));
	size_t i, j;

	for (i = 0; i < ctx->cfg->access_packages_nr; i++) {
		const struct cfg_access_package *pkg = &ctx->cfg->access_packages[i];
		json_t *live_pkg = gov_named(packages, pkg->name.value);
		json_t *live_policies =
		    gov_name_index(json_object_get(live_pkg, "assignmentPolicies"));

		for (j = 0; j < pkg->policies_nr; j++)
			diff_policy(ctx, plan, pkg, &pkg->policies[j], live_pkg, live_policies);
		if (live_pkg)
			diff_undeclared(plan, pkg, live_pkg);
		json_decref(live_policies);
	}
	json_decref(packages);
	return 0;
}

/* Every reference in `refs` resolved, each wrapped by make(); NULL when one is unknown. */
static json_t *resolve_all(struct apply_ctx *ctx, const struct plan_action *action,
			   const json_t *refs, json_t *(*make)(const char *id))
{
	json_t *out = json_array(), *ref;
	size_t i;

	json_array_foreach(refs, i, ref)
	{
		const char *id = gov_resolve(ctx, ref);

		if (!id) {
			apply_ctx_fail(ctx, action, NULL, "the id of %s is unknown",
				       gov_ref_label(ref));
			json_decref(out);
			return NULL;
		}
		json_array_append_new(out, make(id));
	}
	return out;
}

/* The whole policy with every reference resolved; NULL (action failed) when one is unknown. */
static json_t *resolved_body(struct apply_ctx *ctx, const struct plan_action *action,
			     const char **package_id)
{
	json_t *data = action->data;
	json_t *body = json_deep_copy(json_object_get(data, "body"));
	json_t *targets, *approvers, *stage;

	*package_id = gov_resolve(ctx, json_object_get(data, "package"));
	if (!*package_id) {
		apply_ctx_fail(ctx, action, NULL, "the id of its access package is unknown");
		json_decref(body);
		return NULL;
	}
	json_object_set_new(body, "accessPackage", json_pack("{s:s}", "id", *package_id));
	targets = resolve_all(ctx, action, json_object_get(data, "targets"), connected_org_target);
	approvers = resolve_all(ctx, action, json_object_get(data, "approvers"), group_approver);
	if (!targets || !approvers) {
		json_decref(targets);
		json_decref(approvers);
		json_decref(body);
		return NULL;
	}
	if (json_array_size(targets))
		json_object_set(body, "specificAllowedTargets", targets);
	stage = json_array_get(
	    json_object_get(json_object_get(body, "requestApprovalSettings"), "stages"), 0);
	if (stage)
		json_object_set(stage, "primaryApprovers", approvers);
	json_decref(targets);
	json_decref(approvers);
	return body;
}

static enum apply_step_result policy_apply_step(struct apply_ctx *ctx,
						const struct plan_action *action, json_t *state,
						const struct tenant_request *prev,
						struct tenant_request *next)
{
	const char *id = json_string_value(json_object_get(action->data, "id"));
	const char *package_id;
	enum apply_step_result r;
	struct strbuf lookup = STRBUF_INIT;
	json_t *body;
	char *path;

	if (action->op == PLAN_DELETE) {
		path = xstrfmt(POLICIES_PATH "/%s", id);
		r = gov_delete_step(ctx, action, prev, next, path);
		free(path);
		return r;
	}
	body = resolved_body(ctx, action, &package_id);
	if (!body)
		return APPLY_STEP_FAILED;
	if (action->op == PLAN_UPDATE) {
		json_object_set_new(body, "id", json_string(id));
		path = xstrfmt(POLICIES_PATH "/%s", id);
		r = gov_write_step(ctx, action, prev, next, "PUT", path, body);
		free(path);
		json_decref(body);
		return r;
	}
	strbuf_addstr(&lookup, POLICIES_PATH "?$filter=accessPackage/id%20eq%20");
	strbuf_add_odata_literal(&lookup, package_id);
	{
		struct gov_create c = {
		    .path = POLICIES_PATH,
		    .body = body,
		    .flags = TENANT_BATCHABLE | TENANT_RETRY_NOT_FOUND,
		    .lookup_path = lookup.buf,
		    .match_key = "displayName",
		    .match_value = json_string_value(json_object_get(body, "displayName")),
		};

		r = gov_create_step(ctx, action, state, prev, next, &c);
	}
	strbuf_release(&lookup);
	json_decref(body);
	return r;
}

const struct kind kind_access_package_policy = {
    .name = "access_package_policy",
    .diff = policy_diff,
    .apply_step = policy_apply_step,
};
