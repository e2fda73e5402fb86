/*
 * Unit tests for the conditional_access_policy kind: the compiled policy, no
 * change for a policy as Graph answers it after a create, updates of only the
 * changed parts, prune by prefix, and the apply steps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "partners_fixture.h"

extern const struct kind kind_conditional_access_policy;

#define CONTOSO_TID "22222222-2222-2222-2222-222222222222"

static const char *const mfa_yaml =
    "tenant:\n  id: 11111111-1111-1111-1111-111111111111\n"
    "partners:\n"
    "  - name: contoso\n"
    "    domains: [contoso.com]\n"
    "    tenantId: " CONTOSO_TID "\n"
    "groups:\n"
    "  - name: break-glass\n"
    "conditionalAccess:\n"
    "  namePrefix: \"B2B - \"\n"
    "  prune: true\n"
    "  policies:\n"
    "    - name: \"B2B - Require MFA\"\n"
    "      state: reportOnly\n"
    "      guestTypes: [b2bCollaborationGuest, b2bCollaborationMember]\n"
    "      partners: [contoso]\n"
    "      excludeGroups: [break-glass]\n"
    "      require: [mfa]\n"
    "      signInFrequencyHours: 12\n";

/* The policy as Graph answers it once b2bctl created it (fixture conditionalaccessroot-post-
 * policies): ids, dates, nulls and empty lists added, the flags in another order. */
static const char *const mfa_live =
    "{\"groups\": [{\"id\": \"bg-1\", \"displayName\": \"break-glass\"}],"
    " \"conditionalAccessPolicies\": [{"
    "  \"id\": \"ca-1\", \"displayName\": \"B2B - Require MFA\","
    "  \"createdDateTime\": \"2026-01-01T10:00:00.050958Z\", \"modifiedDateTime\": null,"
    "  \"state\": \"enabledForReportingButNotEnforced\","
    "  \"sessionControls\": {\"applicationEnforcedRestrictions\": null,"
    "    \"cloudAppSecurity\": null, \"persistentBrowser\": null,"
    "    \"signInFrequency\": {\"value\": 12, \"type\": \"hours\", \"isEnabled\": true,"
    "      \"authenticationType\": null, \"frequencyInterval\": null}},"
    "  \"conditions\": {\"signInRiskLevels\": [], \"clientAppTypes\": [\"all\"],"
    "    \"platforms\": null, \"locations\": null,"
    "    \"applications\": {\"includeApplications\": [\"All\"], \"excludeApplications\": [],"
    "      \"includeUserActions\": []},"
    "    \"users\": {\"includeUsers\": [], \"excludeUsers\": [], \"includeGroups\": [],"
    "      \"excludeGroups\": [\"bg-1\"], \"includeRoles\": [], \"excludeRoles\": [],"
    "      \"includeGuestsOrExternalUsers\": {"
    "        \"guestOrExternalUserTypes\": \"b2bCollaborationMember,b2bCollaborationGuest\","
    "        \"externalTenants\": {\"@odata.type\": "
    "          \"#microsoft.graph.conditionalAccessEnumeratedExternalTenants\","
    "          \"membershipKind\": \"enumerated\", \"members\": [\"" CONTOSO_TID "\"]}},"
    "      \"excludeGuestsOrExternalUsers\": null}},"
    "  \"grantControls\": {\"operator\": \"OR\", \"builtInControls\": [\"mfa\"],"
    "    \"customAuthenticationFactors\": [], \"termsOfUse\": []}},"
    " {\"id\": \"ca-old\", \"displayName\": \"B2B - Old rule\", \"state\": \"enabled\"},"
    " {\"id\": \"ca-other\", \"displayName\": \"Require MFA for admins\", \"state\": \"enabled\"}"
    "]}";

static void test_diff_creates_the_compiled_policy(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(mfa_yaml);
	json_t *live = fixture_json("{}");
	struct plan *plan = fixture_diff(&kind_conditional_access_policy, cfg, live, &diags);
	struct plan_action *a = plan_find(plan, "conditional_access_policy.B2B - Require MFA");

	(void)state;
	assert_int_equal(diags.nr, 0);
	assert_int_equal(plan->nr, 1);
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_CREATE);
	assert_int_equal(a->source_line, 13);
	assert_int_equal(a->depends_nr, 1);
	assert_string_equal(a->depends_on[0], "group.break-glass");
	assert_change(a, "state", "null", "\"enabledForReportingButNotEnforced\"");
	assert_json(
	    json_object_get(a->data, "body"),
	    "{\"displayName\": \"B2B - Require MFA\","
	    " \"state\": \"enabledForReportingButNotEnforced\","
	    " \"conditions\": {\"users\": {\"includeGuestsOrExternalUsers\": {"
	    "   \"guestOrExternalUserTypes\": \"b2bCollaborationGuest,b2bCollaborationMember\","
	    "   \"externalTenants\": {\"@odata.type\": "
	    "     \"#microsoft.graph.conditionalAccessEnumeratedExternalTenants\","
	    "     \"membershipKind\": \"enumerated\", \"members\": [\"" CONTOSO_TID "\"]}},"
	    "  \"excludeGroups\": [\"group.break-glass\"]},"
	    "  \"applications\": {\"includeApplications\": [\"All\"]},"
	    "  \"clientAppTypes\": [\"all\"]},"
	    " \"grantControls\": {\"operator\": \"OR\", \"builtInControls\": [\"mfa\"]},"
	    " \"sessionControls\": {\"signInFrequency\": {\"value\": 12, \"type\": \"hours\","
	    "   \"isEnabled\": true}}}");
	assert_json(json_object_get(a->data, "excludeGroups"),
		    "[{\"address\": \"group.break-glass\"}]");
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_all_guests_all_partners_block(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(
	    "tenant:\n  id: 11111111-1111-1111-1111-111111111111\n"
	    "conditionalAccess:\n  policies:\n"
	    "    - name: Block guests\n      state: enabled\n      guestTypes: [all]\n"
	    "      partners: all\n      block: true\n");
	json_t *live = fixture_json("{}");
	struct plan *plan = fixture_diff(&kind_conditional_access_policy, cfg, live, &diags);
	json_t *body;

	(void)state;
	assert_int_equal(plan->nr, 1);
	body = json_object_get(plan->actions[0].data, "body");
	assert_json(json_object_get(body, "state"), "\"enabled\"");
	assert_json(
	    json_object_get(json_object_get(json_object_get(body, "conditions"), "users"),
			    "includeGuestsOrExternalUsers"),
	    "{\"guestOrExternalUserTypes\": \"internalGuest,b2bCollaborationGuest,"
	    "b2bCollaborationMember,b2bDirectConnectUser,otherExternalUser,serviceProvider\","
	    " \"externalTenants\": {\"@odata.type\": "
	    "\"#microsoft.graph.conditionalAccessAllExternalTenants\","
	    " \"membershipKind\": \"all\"}}");
	assert_json(json_object_get(body, "grantControls"),
		    "{\"operator\": \"OR\", \"builtInControls\": [\"block\"]}");
	assert_json(json_object_get(body, "sessionControls"), "null");
	assert_null(find_change(&plan->actions[0], "sessionControls"));
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_policy_read_back_plans_nothing_and_prune_deletes_by_prefix(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(mfa_yaml);
	json_t *live = fixture_json(mfa_live);
	struct plan *plan = fixture_diff(&kind_conditional_access_policy, cfg, live, &diags);
	struct plan_action *a;

	(void)state;
	assert_int_equal(diags.nr, 0);
	assert_int_equal(plan->nr, 1);
	a = plan_find(plan, "conditional_access_policy.B2B - Old rule");
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_DELETE);
	assert_json(a->data, "{\"id\": \"ca-old\"}");
	assert_null(plan_find(plan, "conditional_access_policy.Require MFA for admins"));
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_no_prune_without_prefix(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg =
	    fixture_config_ok("tenant:\n  id: 11111111-1111-1111-1111-111111111111\n"
			      "conditionalAccess:\n  prune: true\n  policies: []\n");
	json_t *live = fixture_json(mfa_live);
	struct plan *plan = fixture_diff(&kind_conditional_access_policy, cfg, live, &diags);

	(void)state;
	assert_int_equal(plan->nr, 0);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_diff_updates_only_changed_parts(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(mfa_yaml);
	json_t *live = fixture_json(mfa_live);
	json_t *policy = json_array_get(json_object_get(live, "conditionalAccessPolicies"), 0);
	struct plan *plan;
	struct plan_action *a;

	(void)state;
	json_object_set_new(policy, "state", json_string("enabled"));
	json_object_set_new(json_object_get(policy, "grantControls"), "builtInControls",
			    json_pack("[s,s]", "compliantDevice", "mfa"));
	plan = fixture_diff(&kind_conditional_access_policy, cfg, live, &diags);
	a = plan_find(plan, "conditional_access_policy.B2B - Require MFA");
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_UPDATE);
	assert_int_equal(a->changes_nr, 2);
	assert_change(a, "state", "\"enabled\"", "\"enabledForReportingButNotEnforced\"");
	assert_change(a, "grantControls",
		      "{\"operator\": \"OR\", \"builtInControls\": [\"compliantDevice\", \"mfa\"]}",
		      "{\"operator\": \"OR\", \"builtInControls\": [\"mfa\"]}");
	assert_json(a->data, "{\"id\": \"ca-1\", \"body\": {\"state\": "
			     "\"enabledForReportingButNotEnforced\", \"grantControls\": "
			     "{\"operator\": \"OR\", \"builtInControls\": [\"mfa\"]}},"
			     " \"excludeGroups\": [{\"id\": \"bg-1\"}]}");
	assert_int_equal(a->depends_nr, 0);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_unknown_partner_tenant_is_an_error(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg =
	    fixture_config_ok("tenant:\n  id: 11111111-1111-1111-1111-111111111111\n"
			      "partners:\n  - name: fabrikam\n    domains: [fabrikam.com]\n"
			      "conditionalAccess:\n  policies:\n"
			      "    - name: MFA\n      state: enabled\n      partners: [fabrikam]\n"
			      "      require: [mfa]\n");
	json_t *live = fixture_json("{\"tenantInformation\": []}");
	struct plan *plan = fixture_diff(&kind_conditional_access_policy, cfg, live, &diags);

	(void)state;
	assert_int_equal(plan->nr, 0);
	assert_int_equal(diag_count(&diags, DIAG_ERROR), 1);
	assert_non_null(strstr(diags.items[0].message, "fabrikam"));
	assert_int_equal(diags.items[0].line, 10);
	diag_list_release(&diags);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_apply_create_resolves_groups_and_looks_before_retrying(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(mfa_yaml);
	json_t *live = fixture_json("{}");
	struct plan *plan = fixture_diff(&kind_conditional_access_policy, cfg, live, &diags);
	const struct plan_action *a = &plan->actions[0];
	struct tenant_request prev, next;
	struct fixture_apply fa;

	(void)state;
	fixture_apply_init(&fa, plan);
	apply_ctx_set_id(&fa.ctx, "group.break-glass", "bg-new");
	assert_int_equal(
	    kind_conditional_access_policy.apply_step(&fa.ctx, a, fa.state, NULL, &next),
	    APPLY_STEP_MORE);
	assert_string_equal(next.method, "POST");
	assert_string_equal(next.path, "/v1.0/identity/conditionalAccess/policies");
	assert_json(
	    json_object_get(json_object_get(json_object_get(next.body, "conditions"), "users"),
			    "excludeGroups"),
	    "[\"bg-new\"]");
	prev = next;
	fixture_answer(&prev, 0, NULL);
	prev.error.ambiguous = 1;
	assert_int_equal(
	    kind_conditional_access_policy.apply_step(&fa.ctx, a, fa.state, &prev, &next),
	    APPLY_STEP_MORE);
	tenant_request_release(&prev);
	assert_string_equal(next.method, "GET");
	prev = next;
	fixture_answer(&prev, 200,
		       "{\"value\": [{\"id\": \"ca-9\", \"displayName\": \"B2B - Require MFA\"}]}");
	assert_int_equal(
	    kind_conditional_access_policy.apply_step(&fa.ctx, a, fa.state, &prev, &next),
	    APPLY_STEP_DONE);
	tenant_request_release(&prev);
	assert_string_equal(apply_ctx_id(&fa.ctx, a->address), "ca-9");
	fixture_apply_release(&fa);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_apply_update_patches_and_delete_deletes(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(mfa_yaml);
	json_t *live = fixture_json(mfa_live);
	json_t *policy = json_array_get(json_object_get(live, "conditionalAccessPolicies"), 0);
	struct plan *plan;
	struct plan_action *update, *del;
	struct tenant_request prev, next;
	struct fixture_apply fa;

	(void)state;
	json_object_set_new(policy, "state", json_string("disabled"));
	plan = fixture_diff(&kind_conditional_access_policy, cfg, live, &diags);
	update = plan_find(plan, "conditional_access_policy.B2B - Require MFA");
	del = plan_find(plan, "conditional_access_policy.B2B - Old rule");
	assert_non_null(update);
	assert_non_null(del);
	fixture_apply_init(&fa, plan);
	assert_int_equal(
	    kind_conditional_access_policy.apply_step(&fa.ctx, update, fa.state, NULL, &next),
	    APPLY_STEP_MORE);
	assert_string_equal(next.method, "PATCH");
	assert_string_equal(next.path, "/v1.0/identity/conditionalAccess/policies/ca-1");
	assert_json(next.body, "{\"state\": \"enabledForReportingButNotEnforced\"}");
	prev = next;
	fixture_answer(&prev, 204, NULL);
	assert_int_equal(
	    kind_conditional_access_policy.apply_step(&fa.ctx, update, fa.state, &prev, &next),
	    APPLY_STEP_DONE);
	tenant_request_release(&prev);

	json_object_clear(fa.state);
	assert_int_equal(
	    kind_conditional_access_policy.apply_step(&fa.ctx, del, fa.state, NULL, &next),
	    APPLY_STEP_MORE);
	assert_string_equal(next.method, "DELETE");
	assert_string_equal(next.path, "/v1.0/identity/conditionalAccess/policies/ca-old");
	prev = next;
	fixture_answer(&prev, 404, NULL);
	assert_int_equal(
	    kind_conditional_access_policy.apply_step(&fa.ctx, del, fa.state, &prev, &next),
	    APPLY_STEP_DONE);
	tenant_request_release(&prev);
	fixture_apply_release(&fa);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_read_lists_policies_in_pages(void **state)
{
	static const struct fake_answer answers[] = {
	    {"GET", "/v1.0/identity/conditionalAccess/policies", 200,
	     "{\"value\": [{\"id\": \"ca-1\", \"displayName\": \"B2B - Require MFA\"}]}"},
	};
	const struct kind *read_kinds[] = {&kind_conditional_access_policy};
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(mfa_yaml);
	struct fake_tenant t;
	json_t *live;

	(void)state;
	fake_tenant_init(&t, answers, ARRAY_SIZE(answers));
	live = fixture_read(read_kinds, 1, cfg, &t.base, &diags);
	assert_int_equal(t.requests, 1);
	assert_non_null(strstr(t.log.buf, " paged"));
	assert_non_null(strstr(t.log.buf, "$select=id,displayName,state,conditions,"));
	assert_json(json_object_get(live, "conditionalAccessPolicies"),
		    "[{\"id\": \"ca-1\", \"displayName\": \"B2B - Require MFA\"}]");
	json_decref(live);
	fake_tenant_release(&t);
	config_free(cfg);
}

static void test_two_live_policies_with_the_declared_name_are_an_error(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(mfa_yaml);
	json_t *live = fixture_json(mfa_live);
	json_t *policies = json_object_get(live, "conditionalAccessPolicies");
	struct plan *plan;

	(void)state;
	json_array_append_new(policies,
			      fixture_json("{\"id\": \"ca-2\", \"displayName\": "
					   "\"B2B - Require MFA\", \"state\": \"disabled\"}"));
	plan = fixture_diff(&kind_conditional_access_policy, cfg, live, &diags);
	assert_null(plan_find(plan, "conditional_access_policy.B2B - Require MFA"));
	assert_int_equal(diag_count(&diags, DIAG_ERROR), 1);
	assert_int_equal(diags.items[0].line, 13);
	assert_non_null(strstr(diags.items[0].message, "holds 2 conditional access policies"));
	diag_list_release(&diags);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_session_only_policy_grants_nothing(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(
	    "tenant:\n  id: 11111111-1111-1111-1111-111111111111\n"
	    "conditionalAccess:\n  policies:\n"
	    "    - name: Guest sessions\n      state: enabled\n      signInFrequencyHours: 4\n");
	json_t *live = fixture_json("{}");
	struct plan *plan = fixture_diff(&kind_conditional_access_policy, cfg, live, &diags);
	json_t *body;

	(void)state;
	assert_int_equal(plan->nr, 1);
	body = json_object_get(plan->actions[0].data, "body");
	assert_json(json_object_get(body, "grantControls"), "null");
	assert_json(
	    json_object_get(body, "sessionControls"),
	    "{\"signInFrequency\": {\"value\": 4, \"type\": \"hours\", \"isEnabled\": true}}");
	plan_free(plan);
	json_decref(live);
	live = fixture_json(
	    "{\"conditionalAccessPolicies\": [{\"id\": \"ca-s\", \"displayName\": "
	    "\"Guest sessions\", \"state\": \"enabled\", \"grantControls\": null,"
	    " \"sessionControls\": {\"signInFrequency\": {\"value\": 4, \"type\": "
	    "\"hours\", \"isEnabled\": true}}, \"conditions\": {\"clientAppTypes\": "
	    "[\"all\"], \"applications\": {\"includeApplications\": [\"All\"]}, "
	    "\"users\": {\"includeGuestsOrExternalUsers\": {"
	    "\"guestOrExternalUserTypes\": \"internalGuest,b2bCollaborationGuest,"
	    "b2bCollaborationMember,b2bDirectConnectUser,otherExternalUser,"
	    "serviceProvider\", \"externalTenants\": {\"membershipKind\": \"all\"}}}}}]}");
	plan = fixture_diff(&kind_conditional_access_policy, cfg, live, &diags);
	assert_int_equal(plan->nr, 0);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_diff_creates_the_compiled_policy),
	    cmocka_unit_test(test_all_guests_all_partners_block),
	    cmocka_unit_test(test_policy_read_back_plans_nothing_and_prune_deletes_by_prefix),
	    cmocka_unit_test(test_no_prune_without_prefix),
	    cmocka_unit_test(test_diff_updates_only_changed_parts),
	    cmocka_unit_test(test_unknown_partner_tenant_is_an_error),
	    cmocka_unit_test(test_apply_create_resolves_groups_and_looks_before_retrying),
	    cmocka_unit_test(test_apply_update_patches_and_delete_deletes),
	    cmocka_unit_test(test_read_lists_policies_in_pages),
	    cmocka_unit_test(test_two_live_policies_with_the_declared_name_are_an_error),
	    cmocka_unit_test(test_session_only_policy_grants_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
