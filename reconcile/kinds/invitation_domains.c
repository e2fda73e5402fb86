/*
 * invitation_domains: the invitation allow list or deny list
 * (collaborationRestrictions), held by the tenant's organisation-default
 * b2bManagementPolicy (beta). The policy's `definition` is an array with one
 * string that is itself a JSON document:
 *   {"B2BManagementPolicy":{"InvitationsAllowedAndBlockedDomainsPolicy":{"AllowedDomains":[...]}}}
 * Domains compare as case-insensitive sets and are written sorted and
 * lowercased; other keys of the document are kept. Without allowDomains or
 * blockDomains in the files, the list is not managed at all.
 */
#include "partners_common.h"
#include "../../schema/base/json_memory.h"
#include "../../schema/base/xalloc.h"

#include <string.h>

#define B2B_POLICIES_PATH  "/beta/policies/b2bManagementPolicies"
#define DOMAINS_POLICY_KEY "InvitationsAllowedAndBlockedDomainsPolicy"

extern const struct kind kind_invitation_domains;

static int invitation_domains_managed(const struct config *cfg)
{
	const struct cfg_collaboration_restrictions *cr =
	    &cfg->external_collaboration.collaboration_restrictions;

	return cr->set && (cr->allow_domains.set || cr->block_domains.set);
}

static json_t *organization_default_policy(const json_t *policies)
{
	json_t *policy;
	size_t i;

	json_array_foreach(policies, i, policy) if (json_truthy(json_object_get(
							policy,
							"isOrganizationDefault"))) return policy;
	return NULL;
}

static int invitation_domains_read(struct reconcile_ctx *ctx)
{
	struct tenant_request req;
	json_t *policy;
	int ret = -1;

	if (!invitation_domains_managed(ctx->cfg))
		return 0;
	tenant_request_init(&req, "GET", NULL, TENANT_PAGED, "list B2B management policies",
			    B2B_POLICIES_PATH
			    "?$select=id,displayName,definition,isOrganizationDefault");
	if (tenant_run(ctx->tenant, &req, 1) < 0)
		goto out;
	if (!tenant_request_ok(&req)) {
		tenant_request_error(&req);
		goto out;
	}
	policy = organization_default_policy(json_object_get(req.response, "value"));
	if (policy)
		json_object_set(ctx->live, "b2bManagementPolicy", policy);
	ret = 0;
out:
	tenant_request_release(&req);
	return ret;
}

/* The policy document inside `definition`; NULL when there is none or it is not JSON. */
static json_t *policy_document(const json_t *policy, int *unreadable)
{
	json_t *definition = json_object_get(policy, "definition");
	json_t *text = json_is_array(definition) ? json_array_get(definition, 0) : definition;
	json_t *doc;

	*unreadable = 0;
	if (!json_is_string(text) || !*json_string_value(text))
		return NULL;
	doc = json_loads(json_string_value(text), JSON_DECODE_ANY, NULL);
	if (!json_is_object(doc)) {
		json_decref(doc);
		*unreadable = 1;
		return NULL;
	}
	return doc;
}

static json_t *desired_domains(const struct config *cfg, int *allow)
{
	const struct cfg_collaboration_restrictions *cr =
	    &cfg->external_collaboration.collaboration_restrictions;
	json_t *set = json_array();
	size_t i;

	*allow = cr->allow_domains.set;
	if (*allow) {
		domain_set_add_cfg(set, &cr->allow_domains);
		if (cr->include_partner_domains.set && cr->include_partner_domains.value)
			for (i = 0; i < cfg->partners_nr; i++)
				domain_set_add_cfg(set, &cfg->partners[i].domains);
	} else {
		domain_set_add_cfg(set, &cr->block_domains);
	}
	domain_set_normalize(set);
	return set;
}

static char *definition_text(json_t *doc, int allow, json_t *domains)
{
	json_t *root = json_is_object(doc) ? json_deep_copy(doc) : json_object();
	json_t *b2b = json_object_get(root, "B2BManagementPolicy");
	char *text;

	if (!json_is_object(b2b)) {
		b2b = json_object();
		json_object_set_new(root, "B2BManagementPolicy", b2b);
	}
	json_object_set_new(
	    b2b, DOMAINS_POLICY_KEY,
	    json_pack("{s:O}", allow ? "AllowedDomains" : "BlockedDomains", domains));
	text = json_text(root, JSON_COMPACT);
	json_decref(root);
	return text;
}

static int invitation_domains_diff(const struct reconcile_ctx *ctx, struct plan *plan)
{
	const struct cfg_collaboration_restrictions *cr =
	    &ctx->cfg->external_collaboration.collaboration_restrictions;
	json_t *policy = json_object_get(ctx->live, "b2bManagementPolicy");
	const char *id = json_string_value(json_object_get(policy, "id"));
	json_t *doc, *lists, *want, *none;
	json_t *have_allowed, *have_blocked, *want_allowed, *want_blocked;
	struct plan_action *a;
	int allow, unreadable;
	char *text;

	if (!invitation_domains_managed(ctx->cfg))
		return 0;
	none = json_array();
	if (!id || !*id)
		policy = NULL;
	doc = policy_document(policy, &unreadable);
	if (unreadable)
		diag_add(ctx->diags, DIAG_WARNING, "invitation-domains-unreadable", &cr->pos,
			 "the tenant's B2B management policy %s holds a definition that is not "
			 "JSON; it is read as holding no domain list and will be replaced",
			 id);
	lists = json_object_get(json_object_get(doc, "B2BManagementPolicy"), DOMAINS_POLICY_KEY);
	have_allowed = domain_set_from_json(json_object_get(lists, "AllowedDomains"));
	have_blocked = domain_set_from_json(json_object_get(lists, "BlockedDomains"));
	want = desired_domains(ctx->cfg, &allow);
	want_allowed = allow ? want : none;
	want_blocked = allow ? none : want;
	if (policy && json_equal(have_allowed, want_allowed) &&
	    json_equal(have_blocked, want_blocked))
		goto out;

	a = plan_add_action(plan, &kind_invitation_domains, policy ? PLAN_UPDATE : PLAN_CREATE,
			    "tenant", &cr->pos);
	if (policy ? !json_equal(have_allowed, want_allowed) : allow)
		plan_action_add_change(a, "AllowedDomains",
				       policy ? json_incref(have_allowed) : NULL,
				       json_incref(want_allowed));
	if (policy ? !json_equal(have_blocked, want_blocked) : !allow)
		plan_action_add_change(a, "BlockedDomains",
				       policy ? json_incref(have_blocked) : NULL,
				       json_incref(want_blocked));
	text = definition_text(doc, allow, want);
	if (policy) {
		a->data = action_request_data("PATCH", json_pack("{s:[s]}", "definition", text), 0,
					      B2B_POLICIES_PATH "/%s", id);
	} else {
		a->data = action_request_data(
		    "POST",
		    json_pack("{s:s, s:b, s:[s]}", "displayName", "B2BManagementPolicy",
			      "isOrganizationDefault", 1, "definition", text),
		    0, B2B_POLICIES_PATH);
		json_object_set_new(a->data, "lookup", json_string(B2B_POLICIES_PATH));
	}
	free(text);
out:
	json_decref(doc);
	json_decref(have_allowed);
	json_decref(have_blocked);
	json_decref(want);
	json_decref(none);
	return 0;
}

static enum apply_step_result invitation_domains_apply_step(struct apply_ctx *ctx,
							    const struct plan_action *action,
							    json_t *state,
							    const struct tenant_request *prev,
							    struct tenant_request *next)
{
	if (action->op != PLAN_CREATE)
		return apply_step_single_request(ctx, action, state, prev, next);
	return apply_step_create_once(ctx, action, state, prev, next, NULL);
}

const struct kind kind_invitation_domains = {
    .name = "invitation_domains",
    .read = invitation_domains_read,
    .diff = invitation_domains_diff,
    .apply_step = invitation_domains_apply_step,
};
