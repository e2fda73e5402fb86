/*
 * authorization_policy: the external collaboration settings that live in
 * /policies/authorizationPolicy: guest user access (guestUserRoleId), who may
 * invite (allowInvitesFrom) and email-verified self sign-up. Only what the
 * files declare is compared and written; the policy always exists, so it is
 * updated, never created or deleted.
 */
#include "partners_common.h"
#include "../../schema/base/xalloc.h"

#include <string.h>
#include <strings.h>

#define AUTHORIZATION_POLICY_PATH "/v1.0/policies/authorizationPolicy"

extern const struct kind kind_authorization_policy;

static const struct {
	enum guest_user_access access;
	const char *role_id;
} guest_roles[] = {
    {GUEST_ACCESS_MEMBER, "a0b1b346-4d3e-4e8b-98f8-753987be4970"},
    {GUEST_ACCESS_LIMITED, "10dae51f-b6af-4016-8d66-8c2a99b929b3"},
    {GUEST_ACCESS_RESTRICTED, "2af84b1e-32c8-42b7-82bc-daa82404023b"},
};

static const char *guest_role_id(enum guest_user_access access)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(guest_roles); i++)
		if (guest_roles[i].access == access)
			return guest_roles[i].role_id;
	return NULL;
}

/* What people call the role: "limited" for 10dae51f-..., the id itself when unknown. */
static json_t *guest_role_label(const char *role_id)
{
	size_t i;

	if (!role_id || !*role_id)
		return json_null();
	for (i = 0; i < ARRAY_SIZE(guest_roles); i++)
		if (!strcasecmp(guest_roles[i].role_id, role_id))
			return json_string(guest_user_access_name(guest_roles[i].access));
	return json_string(role_id);
}

static int authorization_policy_declared(const struct config *cfg)
{
	const struct cfg_external_collaboration *ec = &cfg->external_collaboration;

	return ec->guest_user_access.set || ec->guest_invite_restrictions.set ||
	       ec->email_verified_users_can_join.set;
}

static int authorization_policy_read(struct reconcile_ctx *ctx)
{
	struct tenant_request req;
	json_t *policy;
	int ret = -1;

	if (!authorization_policy_declared(ctx->cfg))
		return 0;
	tenant_request_init(&req, "GET", NULL, 0, "read the authorization policy",
			    AUTHORIZATION_POLICY_PATH
			    "?$select=id,guestUserRoleId,allowInvitesFrom,"
			    "allowEmailVerifiedUsersToJoinOrganization");
	if (tenant_run(ctx->tenant, &req, 1) < 0)
		goto out;
	if (!tenant_request_ok(&req)) {
		tenant_request_error(&req);
		goto out;
	}
	policy = graph_single_entity(req.response);
	if (!policy) {
		b2b_error_set("read the authorization policy: the answer holds no policy");
		goto out;
	}
	json_object_set(ctx->live, "authorizationPolicy", policy);
	ret = 0;
out:
	tenant_request_release(&req);
	return ret;
}

static void add_change(struct plan *plan, struct plan_action **a, const struct src_pos *pos,
		       const char *path, json_t *before, json_t *after)
{
	if (!*a)
		*a = plan_add_action(plan, &kind_authorization_policy, PLAN_UPDATE, "tenant", pos);
	plan_action_add_change(*a, path, before, after);
}

static int authorization_policy_diff(const struct reconcile_ctx *ctx, struct plan *plan)
{
	const struct cfg_external_collaboration *ec = &ctx->cfg->external_collaboration;
	json_t *live = json_object_get(ctx->live, "authorizationPolicy");
	json_t *body = json_object();
	struct plan_action *a = NULL;

	if (ec->guest_user_access.set) {
		const char *want = guest_role_id(ec->guest_user_access.value);
		const char *have = json_string_value(json_object_get(live, "guestUserRoleId"));

		if (want && (!have || strcasecmp(have, want))) {
			json_object_set_new(body, "guestUserRoleId", json_string(want));
			add_change(plan, &a, &ec->pos, "guestUserRoleId", guest_role_label(have),
				   guest_role_label(want));
		}
	}
	if (ec->guest_invite_restrictions.set) {
		const char *want =
		    guest_invite_restrictions_name(ec->guest_invite_restrictions.value);
		const char *have = json_string_value(json_object_get(live, "allowInvitesFrom"));

		if (want && (!have || strcasecmp(have, want))) {
			json_object_set_new(body, "allowInvitesFrom", json_string(want));
			add_change(plan, &a, &ec->pos, "allowInvitesFrom",
				   have ? json_string(have) : json_null(), json_string(want));
		}
	}
	if (ec->email_verified_users_can_join.set) {
		int want = !!ec->email_verified_users_can_join.value;
		int have =
		    json_truthy(json_object_get(live, "allowEmailVerifiedUsersToJoinOrganization"));

		if (want != have) {
			json_object_set_new(body, "allowEmailVerifiedUsersToJoinOrganization",
					    json_boolean(want));
			add_change(plan, &a, &ec->pos, "allowEmailVerifiedUsersToJoinOrganization",
				   json_boolean(have), json_boolean(want));
		}
	}
	if (!a) {
		json_decref(body);
		return 0;
	}
	a->data = action_request_data("PATCH", body, 1, AUTHORIZATION_POLICY_PATH);
	return 0;
}

const struct kind kind_authorization_policy = {
    .name = "authorization_policy",
    .read = authorization_policy_read,
    .diff = authorization_policy_diff,
    .apply_step = apply_step_single_request,
};
