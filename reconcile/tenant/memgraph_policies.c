/*
 * memgraph_policies: the tenant-wide settings b2bctl manages: the
 * authorization policy, the email one-time passcode method, the beta
 * b2bManagementPolicies (invitation allow/deny list), cross-tenant access
 * (policy, default, partners), findTenantInformationByDomainName, and the
 * conditional-access policies under /identity/conditionalAccess.
 */
#include "memgraph_int.h"
#include "../../schema/base/xalloc.h"

#include <string.h>

static int seg_is(const struct mg_req *r, size_t i, const char *s)
{
	return i < r->nr_seg && !strcmp(r->seg[i], s);
}

/* Answers an entity: a shallow copy with @odata.context first. */
static void answer_entity(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res,
			  long status, const json_t *obj, const char *context)
{
	json_t *out = json_object();

	if (context)
		json_object_set_new(out, "@odata.context", mg_context(g, r, context));
	json_object_update(out, (json_t *)obj);
	res->status = status;
	res->body = out;
}

static void authorization_policy(struct memgraph *g, const struct mg_req *r,
				 struct memgraph_response *res)
{
	if (!strcmp(r->method, "GET"))
		return answer_entity(g, r, res, 200, g->authorization_policy,
				     "policies/authorizationPolicy/$entity");
	if (strcmp(r->method, "PATCH"))
		return mg_bad_method(g, res);
	if (!json_is_object(r->body))
		return mg_bad_body(g, res, "The request body must be a JSON object.");
	mg_merge(g->authorization_policy, r->body);
	json_object_set_new(g->authorization_policy, "id", json_string("authorizationPolicy"));
	res->status = 204;
}

static void email_method(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res)
{
	static const char type[] = "#microsoft.graph.emailAuthenticationMethodConfiguration";
	const char *otp;

	if (!strcmp(r->method, "GET")) {
		json_t *out =
		    json_pack("{s:o, s:s}", "@odata.context",
			      mg_context(g, r, "authenticationMethodConfigurations/$entity"),
			      "@odata.type", type);

		json_object_update(out, g->email_config);
		res->status = 200;
		res->body = out;
		return;
	}
	if (strcmp(r->method, "PATCH"))
		return mg_bad_method(g, res);
	if (!json_is_object(r->body))
		return mg_bad_body(g, res, "The request body must be a JSON object.");
	if (!json_is_string(json_object_get(r->body, "@odata.type")) ||
	    strcmp(json_string_value(json_object_get(r->body, "@odata.type")), type))
		return mg_bad_body(g, res,
				   "The request body must carry \"@odata.type\": "
				   "\"#microsoft.graph.emailAuthenticationMethodConfiguration\".");
	otp = json_string_value(json_object_get(r->body, "allowExternalIdToUseEmailOtp"));
	if (json_object_get(r->body, "allowExternalIdToUseEmailOtp") &&
	    (!otp || (strcmp(otp, "default") && strcmp(otp, "enabled") && strcmp(otp, "disabled"))))
		return mg_bad_body(g, res,
				   "allowExternalIdToUseEmailOtp must be default, enabled or "
				   "disabled.");
	mg_merge(g->email_config, r->body);
	json_object_del(g->email_config, "@odata.type");
	json_object_set_new(g->email_config, "id", json_string("Email"));
	res->status = 204;
}

/*
 * definition: an array holding one string, the policy document. Graph's own
 * samples send documents in single quotes, so the string is not parsed here.
 */
static int b2b_definition_ok(const json_t *def)
{
	return json_is_array(def) && json_array_size(def) == 1 &&
	       json_is_string(json_array_get(def, 0));
}

static void b2b_policies(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res)
{
	static const char type[] = "#microsoft.graph.b2bManagementPolicy";
	json_t *policy;

	if (strcmp(r->version, "beta"))
		return mg_error(g, res, 404, "Request_ResourceNotFound",
				"Resource not found for the segment 'b2bManagementPolicies' (it "
				"exists on /beta only).");
	if (r->nr_seg == 2) {
		if (!strcmp(r->method, "GET")) {
			struct mg_query q;

			if (mg_query_parse(g, res, r, &q, 100, 100))
				return;
			mg_page(g, res, r, &q, g->b2b_policies, NULL, NULL,
				"policies/b2bManagementPolicies");
			mg_query_release(&q);
			return;
		}
		if (strcmp(r->method, "POST"))
			return mg_bad_method(g, res);
		if (!json_is_object(r->body) ||
		    !b2b_definition_ok(json_object_get(r->body, "definition")))
			return mg_bad_body(g, res,
					   "definition must be an array holding one string.");
		{
			char *id = mg_new_id(g);

			policy = json_pack("{s:s, s:s, s:n, s:s, s:s}", "@odata.type", type, "id",
					   id, "deletedDateTime", "description", "", "displayName",
					   "B2BManagementPolicy");
			mg_merge(policy, r->body);
			json_object_set_new(policy, "id", json_string(id));
			if (!json_object_get(policy, "isOrganizationDefault"))
				json_object_set_new(policy, "isOrganizationDefault", json_true());
			json_object_set_new(g->b2b_policies, id, policy);
			free(id);
		}
		return answer_entity(g, r, res, 201, policy, NULL);
	}
	if (r->nr_seg != 3)
		return mg_not_found(g, res, r->path);
	policy = json_object_get(g->b2b_policies, r->seg[2]);
	if (!policy)
		return mg_not_found(g, res, r->seg[2]);
	if (!strcmp(r->method, "GET"))
		return answer_entity(g, r, res, 200, policy, NULL);
	if (!strcmp(r->method, "DELETE")) {
		json_object_del(g->b2b_policies, r->seg[2]);
		res->status = 204;
		return;
	}
	if (strcmp(r->method, "PATCH"))
		return mg_bad_method(g, res);
	if (!json_is_object(r->body) ||
	    (json_object_get(r->body, "definition") &&
	     !b2b_definition_ok(json_object_get(r->body, "definition"))))
		return mg_bad_body(g, res, "definition must be an array holding one string.");
	mg_merge(policy, r->body);
	json_object_set_new(policy, "id", json_string(r->seg[2]));
	answer_entity(g, r, res, 200, policy, NULL);
}

static const char partner_defaults[] =
    "{\"isServiceProvider\": null, \"isInMultiTenantOrganization\": false, "
    "\"inboundTrust\": null, \"b2bCollaborationInbound\": null, "
    "\"b2bCollaborationOutbound\": null, \"b2bDirectConnectInbound\": null, "
    "\"b2bDirectConnectOutbound\": null, \"tenantRestrictions\": null, "
    "\"automaticUserConsentSettings\": {\"inboundAllowed\": null, \"outboundAllowed\": null}}";

static void partners(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res)
{
	json_t *partner;

	if (r->nr_seg == 3) {
		const char *tid = json_string_value(json_object_get(r->body, "tenantId"));

		if (!strcmp(r->method, "GET")) {
			struct mg_query q;

			if (mg_query_parse(g, res, r, &q, 100, 100))
				return;
			mg_page(g, res, r, &q, g->partners, NULL, NULL,
				"policies/crossTenantAccessPolicy/partners");
			mg_query_release(&q);
			return;
		}
		if (strcmp(r->method, "POST"))
			return mg_bad_method(g, res);
		if (!json_is_object(r->body) || !tid)
			return mg_bad_body(g, res, "tenantId is required.");
		if (json_object_get(g->partners, tid))
			return mg_error(g, res, 409, "Request_MultipleObjectsWithSameKeyValue",
					"A partner configuration for tenant '%s' already exists.",
					tid);
		partner = json_object();
		json_object_set_new(partner, "tenantId", json_string(tid));
		mg_merge(partner, r->body);
		mg_fill(partner, partner_defaults);
		json_object_set_new(g->partners, tid, partner);
		mg_mark_created(g, tid);
		return answer_entity(g, r, res, 201, partner,
				     "policies/crossTenantAccessPolicy/partners/$entity");
	}
	if (r->nr_seg != 4)
		return mg_not_found(g, res, r->path);
	partner = mg_lookup(g, g->partners, r->seg[3]);
	if (!partner)
		return mg_not_found(g, res, r->seg[3]);
	if (!strcmp(r->method, "GET"))
		return answer_entity(g, r, res, 200, partner,
				     "policies/crossTenantAccessPolicy/partners/$entity");
	if (!strcmp(r->method, "DELETE")) {
		json_object_del(g->partners, r->seg[3]);
		res->status = 204;
		return;
	}
	if (strcmp(r->method, "PATCH"))
		return mg_bad_method(g, res);
	if (!json_is_object(r->body))
		return mg_bad_body(g, res, "The request body must be a JSON object.");
	mg_merge(partner, r->body);
	json_object_set_new(partner, "tenantId", json_string(r->seg[3]));
	res->status = 204;
}

static void cross_tenant(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res)
{
	json_t *target;

	if (seg_is(r, 2, "partners"))
		return partners(g, r, res);
	if (r->nr_seg == 2)
		target = g->cross_tenant_policy;
	else if (r->nr_seg == 3 && seg_is(r, 2, "default"))
		target = g->cross_tenant_default;
	else
		return mg_not_found(g, res, r->path);
	if (!strcmp(r->method, "GET"))
		return answer_entity(g, r, res, 200, target,
				     r->nr_seg == 2
					 ? "policies/crossTenantAccessPolicy/$entity"
					 : "policies/crossTenantAccessPolicy/default/$entity");
	if (strcmp(r->method, "PATCH"))
		return mg_bad_method(g, res);
	if (!json_is_object(r->body))
		return mg_bad_body(g, res, "The request body must be a JSON object.");
	mg_merge(target, r->body);
	g->cross_tenant_changed = 1;
	if (r->nr_seg == 3)
		json_object_set_new(target, "isServiceDefault", json_false());
	res->status = 204;
}

void mg_policies(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res)
{
	if (seg_is(r, 1, "authorizationPolicy") &&
	    (r->nr_seg == 2 || (r->nr_seg == 3 && seg_is(r, 2, "authorizationPolicy"))))
		return authorization_policy(g, r, res);
	if (r->nr_seg == 4 && seg_is(r, 1, "authenticationMethodsPolicy") &&
	    seg_is(r, 2, "authenticationMethodConfigurations") && !strcasecmp(r->seg[3], "email"))
		return email_method(g, r, res);
	if (seg_is(r, 1, "b2bManagementPolicies"))
		return b2b_policies(g, r, res);
	if (seg_is(r, 1, "crossTenantAccessPolicy"))
		return cross_tenant(g, r, res);
	mg_not_found(g, res, r->path);
}

/* findTenantInformationByDomainName(domainName='contoso.com') -> contoso.com */
static char *domain_argument(const char *seg)
{
	static const char prefix[] = "findTenantInformationByDomainName(domainName='";
	struct strbuf sb = STRBUF_INIT;
	const char *p;

	if (strncmp(seg, prefix, sizeof(prefix) - 1))
		return NULL;
	for (p = seg + sizeof(prefix) - 1; *p; p++) {
		if (*p == '\'') {
			if (p[1] != '\'')
				break;
			p++;
		}
		strbuf_addch(&sb, *p);
	}
	if (*p != '\'' || strcmp(p, "')")) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

void mg_tenant_relationships(struct memgraph *g, const struct mg_req *r,
			     struct memgraph_response *res)
{
	char *domain;
	size_t i, j;
	json_t *info, *d;

	if (r->nr_seg != 2 || !(domain = domain_argument(r->seg[1])))
		return mg_not_found(g, res, r->path);
	if (strcmp(r->method, "GET")) {
		free(domain);
		return mg_bad_method(g, res);
	}
	json_array_foreach(g->tenant_info, i, info)
	{
		int hit = mg_str_ieq(json_string_value(json_object_get(info, "defaultDomainName")),
				     domain);

		json_array_foreach(json_object_get(info, "domains"), j, d) hit |=
		    mg_str_ieq(json_string_value(d), domain);
		if (!hit)
			continue;
		free(domain);
		res->status = 200;
		res->body = json_pack(
		    "{s:o, s:O, s:O, s:O, s:O}", "@odata.context",
		    mg_context(g, r, "microsoft.graph.tenantInformation"), "tenantId",
		    mg_or_null(json_object_get(info, "tenantId")), "federationBrandName",
		    mg_or_null(json_object_get(info, "federationBrandName")), "displayName",
		    mg_or_null(json_object_get(info, "displayName")), "defaultDomainName",
		    mg_or_null(json_object_get(info, "defaultDomainName")));
		return;
	}
	mg_error(g, res, 404, "Request_ResourceNotFound",
		 "No tenant was found for the domain '%s'.", domain);
	free(domain);
}

static const char ca_defaults[] =
    "{\"templateId\": null, \"sessionControls\": null, \"grantControls\": null}";
static const char ca_grant_defaults[] =
    "{\"operator\": \"OR\", \"builtInControls\": [], \"customAuthenticationFactors\": [], "
    "\"termsOfUse\": [], \"authenticationStrength\": null}";
static const char ca_location_defaults[] = "{\"includeLocations\": [], \"excludeLocations\": []}";
static const char ca_condition_defaults[] =
    "{\"userRiskLevels\": [], \"signInRiskLevels\": [], \"clientAppTypes\": [\"all\"], "
    "\"servicePrincipalRiskLevels\": [], \"insiderRiskLevels\": null, \"platforms\": null, "
    "\"locations\": null, \"devices\": null, \"clientApplications\": null, "
    "\"authenticationFlows\": null, \"times\": null, \"deviceStates\": null}";
static const char ca_application_defaults[] =
    "{\"includeApplications\": [], \"excludeApplications\": [], \"includeUserActions\": [], "
    "\"includeAuthenticationContextClassReferences\": [], \"includeProtectionLevels\": [], "
    "\"applicationFilter\": null}";
static const char ca_user_defaults[] =
    "{\"includeUsers\": [], \"excludeUsers\": [], \"includeGroups\": [], \"excludeGroups\": "
    "[], \"includeRoles\": [], \"excludeRoles\": [], \"includeGuestsOrExternalUsers\": null, "
    "\"excludeGuestsOrExternalUsers\": null}";

static void ca_fill(json_t *policy)
{
	json_t *conditions = json_object_get(policy, "conditions");

	mg_fill(policy, ca_defaults);
	if (json_is_object(json_object_get(policy, "grantControls")))
		mg_fill(json_object_get(policy, "grantControls"), ca_grant_defaults);
	if (!json_is_object(conditions))
		return;
	if (json_is_object(json_object_get(conditions, "locations")))
		mg_fill(json_object_get(conditions, "locations"), ca_location_defaults);
	mg_fill(conditions, ca_condition_defaults);
	if (json_is_object(json_object_get(conditions, "applications")))
		mg_fill(json_object_get(conditions, "applications"), ca_application_defaults);
	if (json_is_object(json_object_get(conditions, "users")))
		mg_fill(json_object_get(conditions, "users"), ca_user_defaults);
}

static int ca_check(struct memgraph *g, struct memgraph_response *res, const json_t *body,
		    int create)
{
	const json_t *state = json_object_get(body, "state");
	const char *s = json_string_value(state);

	if (!json_is_object(body)) {
		mg_bad_body(g, res, "The request body must be a JSON object.");
		return -1;
	}
	if (create && (!json_is_string(json_object_get(body, "displayName")) ||
		       !json_is_object(json_object_get(body, "conditions")))) {
		mg_bad_body(g, res,
			    "A conditional access policy needs displayName and conditions.");
		return -1;
	}
	if ((create || state) && (!s || (strcmp(s, "enabled") && strcmp(s, "disabled") &&
					 strcmp(s, "enabledForReportingButNotEnforced")))) {
		mg_bad_body(
		    g, res,
		    "state must be enabled, disabled or enabledForReportingButNotEnforced.");
		return -1;
	}
	return 0;
}

void mg_conditional_access(struct memgraph *g, const struct mg_req *r,
			   struct memgraph_response *res)
{
	json_t *policy;
	char *now;

	if (r->nr_seg < 3 || !seg_is(r, 1, "conditionalAccess") || !seg_is(r, 2, "policies") ||
	    r->nr_seg > 4)
		return mg_not_found(g, res, r->path);
	if (r->nr_seg == 3) {
		if (!strcmp(r->method, "GET")) {
			struct mg_query q;

			if (mg_query_parse(g, res, r, &q, 999, 999))
				return;
			mg_page(g, res, r, &q, g->ca_policies, NULL, NULL,
				"identity/conditionalAccess/policies");
			mg_query_release(&q);
			return;
		}
		if (strcmp(r->method, "POST"))
			return mg_bad_method(g, res);
		if (ca_check(g, res, r->body, 1))
			return;
		{
			char *id = mg_new_id(g);

			now = mg_now_iso();
			policy = json_pack("{s:s, s:s, s:s, s:n}", "id", id, "displayName", "",
					   "createdDateTime", now, "modifiedDateTime");
			mg_merge(policy, r->body);
			json_object_set_new(policy, "id", json_string(id));
			ca_fill(policy);
			json_object_set_new(g->ca_policies, id, policy);
			mg_mark_created(g, id);
			free(id);
			free(now);
		}
		return answer_entity(g, r, res, 201, policy,
				     "identity/conditionalAccess/policies/$entity");
	}
	policy = mg_lookup(g, g->ca_policies, r->seg[3]);
	if (!policy)
		return mg_not_found(g, res, r->seg[3]);
	if (!strcmp(r->method, "GET"))
		return answer_entity(g, r, res, 200, policy,
				     "identity/conditionalAccess/policies/$entity");
	if (!strcmp(r->method, "DELETE")) {
		json_object_del(g->ca_policies, r->seg[3]);
		res->status = 204;
		return;
	}
	if (strcmp(r->method, "PATCH"))
		return mg_bad_method(g, res);
	if (ca_check(g, res, r->body, 0))
		return;
	mg_merge(policy, r->body);
	json_object_set_new(policy, "id", json_string(r->seg[3]));
	now = mg_now_iso();
	json_object_set_new(policy, "modifiedDateTime", json_string(now));
	free(now);
	ca_fill(policy);
	res->status = 204;
}
