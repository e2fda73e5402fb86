/*
 * Unit tests for the access_package_policy kind: the compiled policy, no
 * change for policies as Graph answers them, a whole-policy PUT on change,
 * removal of undeclared policies, and references resolved at apply time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "governance_fixture.h"

extern const struct kind kind_access_package_policy;

#define CONTOSO_POLICY "access_package_policy.Partner finance access/Contoso may request"
#define ALL_POLICY     "access_package_policy.Partner finance access/Partners until March"

static void test_policies_as_graph_answers_them_plan_nothing(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(em_yaml);
	json_t *live = fixture_json(em_live);
	struct plan *plan = fixture_diff(&kind_access_package_policy, cfg, live, &diags);

	(void)state;
	if (plan->nr)
		fprintf(stderr, "unexpected %s\n", plan->actions[0].address);
	assert_int_equal(plan->nr, 0);
	assert_int_equal(diags.nr, 0);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_diff_creates_compiled_policies_for_new_package(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(em_yaml);
	json_t *live = em_live_without_package(0);
	struct plan *plan = fixture_diff(&kind_access_package_policy, cfg, live, &diags);
	struct plan_action *a;

	(void)state;
	assert_int_equal(plan->nr, 2);
	a = plan_find(plan, CONTOSO_POLICY);
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_CREATE);
	assert_int_equal(a->source_line, 20);
	assert_int_equal(a->depends_nr, 1);
	assert_string_equal(a->depends_on[0], "access_package.Partner finance access");
	assert_change(a, "expiration", "null",
		      "{\"type\": \"afterDuration\", \"duration\": \"P90D\"}");
	assert_json(
	    json_object_get(a->data, "body"),
	    "{\"displayName\": \"Contoso may request\", \"description\": \"Contoso may "
	    "request\", \"allowedTargetScope\": \"specificConnectedOrganizationUsers\","
	    " \"specificAllowedTargets\": [{\"@odata.type\": "
	    "\"#microsoft.graph.connectedOrganizationMembers\", \"connectedOrganizationId\": "
	    "\"co-contoso\"}],"
	    " \"expiration\": {\"type\": \"afterDuration\", \"duration\": \"P90D\"},"
	    " \"requestorSettings\": {\"enableTargetsToSelfAddAccess\": true,"
	    " \"enableTargetsToSelfUpdateAccess\": false, \"enableTargetsToSelfRemoveAccess\": "
	    "true, \"allowCustomAssignmentSchedule\": false},"
	    " \"requestApprovalSettings\": {\"isApprovalRequiredForAdd\": true,"
	    " \"isApprovalRequiredForUpdate\": false, \"stages\": [{"
	    "\"durationBeforeAutomaticDenial\": \"P14D\", \"primaryApprovers\": [{"
	    "\"@odata.type\": \"#microsoft.graph.groupMembers\", \"groupId\": \"g-fo\"}]}]}}");
	assert_json(json_object_get(a->data, "package"),
		    "{\"address\": \"access_package.Partner finance access\"}");
	assert_json(json_object_get(a->data, "targets"), "[{\"id\": \"co-contoso\"}]");
	assert_json(json_object_get(a->data, "approvers"), "[{\"id\": \"g-fo\"}]");

	a = plan_find(plan, ALL_POLICY);
	assert_non_null(a);
	assert_json(json_object_get(json_object_get(a->data, "body"), "allowedTargetScope"),
		    "\"allConfiguredConnectedOrganizationUsers\"");
	assert_json(json_object_get(json_object_get(a->data, "body"), "expiration"),
		    "{\"type\": \"afterDateTime\", \"endDateTime\": \"2027-03-31T23:59:59Z\"}");
	assert_json(json_object_get(json_object_get(a->data, "body"), "requestApprovalSettings"),
		    "{\"isApprovalRequiredForAdd\": false, \"isApprovalRequiredForUpdate\": false,"
		    " \"stages\": []}");
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_connected_org_the_plan_creates_is_a_dependency(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(em_yaml);
	json_t *live = fixture_json(em_live);
	struct plan *plan;
	struct plan_action *a;

	(void)state;
	json_object_set_new(live, "connectedOrganizations", json_array());
	plan = fixture_diff(&kind_access_package_policy, cfg, live, &diags);
	assert_int_equal(plan->nr, 1);
	a = plan_find(plan, CONTOSO_POLICY);
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_UPDATE);
	assert_int_equal(a->depends_nr, 1);
	assert_string_equal(a->depends_on[0], "connected_organization.contoso");
	assert_json(json_object_get(a->data, "targets"),
		    "[{\"address\": \"connected_organization.contoso\"}]");
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

/* Validation refuses this configuration; the diff must not rely on it. */
static void test_partner_without_connected_org_is_an_error(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(em_yaml);
	json_t *live = fixture_json(em_live);
	struct plan *plan;

	(void)state;
	cfg->partners[0].connected_organization.value = 0;
	json_object_set_new(live, "connectedOrganizations", json_array());
	plan = fixture_diff(&kind_access_package_policy, cfg, live, &diags);
	assert_null(plan_find(plan, CONTOSO_POLICY));
	assert_int_equal(diag_count(&diags, DIAG_ERROR), 1);
	assert_int_equal(diags.items[0].line, 21);
	assert_non_null(strstr(diags.items[0].message, "contoso"));
	assert_non_null(strstr(diags.items[0].message, "connectedOrganization"));
	diag_list_release(&diags);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_changed_expiry_puts_the_whole_policy(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(em_yaml);
	json_t *live = fixture_json(em_live);
	json_t *policy =
	    json_array_get(json_object_get(em_live_package(live), "assignmentPolicies"), 0);
	struct plan *plan;
	struct plan_action *a;
	struct tenant_request prev, next;
	struct fixture_apply fa;

	(void)state;
	json_object_set_new(policy, "expiration",
			    json_pack("{s:s,s:s}", "type", "afterDuration", "duration", "P30D"));
	plan = fixture_diff(&kind_access_package_policy, cfg, live, &diags);
	assert_int_equal(plan->nr, 1);
	a = plan_find(plan, CONTOSO_POLICY);
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_UPDATE);
	assert_int_equal(a->changes_nr, 1);
	assert_change(a, "expiration", "{\"type\": \"afterDuration\", \"duration\": \"P30D\"}",
		      "{\"type\": \"afterDuration\", \"duration\": \"P90D\"}");

	fixture_apply_init(&fa, plan);
	assert_int_equal(kind_access_package_policy.apply_step(&fa.ctx, a, fa.state, NULL, &next),
			 APPLY_STEP_MORE);
	assert_string_equal(next.method, "PUT");
	assert_string_equal(next.path, ENTITLEMENT_PATH_FOR_TEST "/assignmentPolicies/pol-contoso");
	assert_json(json_object_get(next.body, "id"), "\"pol-contoso\"");
	assert_json(json_object_get(next.body, "accessPackage"), "{\"id\": \"ap-1\"}");
	assert_json(json_object_get(next.body, "requestorSettings"),
		    "{\"enableTargetsToSelfAddAccess\": true, \"enableTargetsToSelfUpdateAccess\": "
		    "false, \"enableTargetsToSelfRemoveAccess\": true, "
		    "\"allowCustomAssignmentSchedule\": false}");
	prev = next;
	fixture_answer(&prev, 200, "{\"id\": \"pol-contoso\"}");
	assert_int_equal(kind_access_package_policy.apply_step(&fa.ctx, a, fa.state, &prev, &next),
			 APPLY_STEP_DONE);
	tenant_request_release(&prev);
	fixture_apply_release(&fa);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_undeclared_policy_of_declared_package_is_deleted(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(em_yaml);
	json_t *live = fixture_json(em_live);
	struct plan *plan;
	struct plan_action *a;
	struct tenant_request prev, next;
	struct fixture_apply fa;

	(void)state;
	json_array_append_new(json_object_get(em_live_package(live), "assignmentPolicies"),
			      fixture_json("{\"id\": \"pol-x\", \"displayName\": \"Old way\"}"));
	plan = fixture_diff(&kind_access_package_policy, cfg, live, &diags);
	assert_int_equal(plan->nr, 1);
	a = plan_find(plan, "access_package_policy.Partner finance access/Old way");
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_DELETE);
	fixture_apply_init(&fa, plan);
	assert_int_equal(kind_access_package_policy.apply_step(&fa.ctx, a, fa.state, NULL, &next),
			 APPLY_STEP_MORE);
	assert_string_equal(next.method, "DELETE");
	assert_string_equal(next.path, ENTITLEMENT_PATH_FOR_TEST "/assignmentPolicies/pol-x");
	prev = next;
	fixture_answer(&prev, 204, NULL);
	assert_int_equal(kind_access_package_policy.apply_step(&fa.ctx, a, fa.state, &prev, &next),
			 APPLY_STEP_DONE);
	tenant_request_release(&prev);
	fixture_apply_release(&fa);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_apply_create_resolves_package_and_connected_org(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(em_yaml);
	json_t *live = em_live_without_package(0);
	struct plan *plan;
	const struct plan_action *a;
	struct tenant_request prev, next;
	struct fixture_apply fa;

	(void)state;
	json_object_set_new(live, "connectedOrganizations", json_array());
	plan = fixture_diff(&kind_access_package_policy, cfg, live, &diags);
	a = plan_find(plan, CONTOSO_POLICY);
	assert_non_null(a);
	fixture_apply_init(&fa, plan);
	apply_ctx_set_id(&fa.ctx, "access_package.Partner finance access", "ap-new");
	apply_ctx_set_id(&fa.ctx, "connected_organization.contoso", "co-new");
	assert_int_equal(kind_access_package_policy.apply_step(&fa.ctx, a, fa.state, NULL, &next),
			 APPLY_STEP_MORE);
	assert_string_equal(next.method, "POST");
	assert_string_equal(next.path, ENTITLEMENT_PATH_FOR_TEST "/assignmentPolicies");
	assert_json(json_object_get(next.body, "accessPackage"), "{\"id\": \"ap-new\"}");
	assert_json(json_object_get(next.body, "specificAllowedTargets"),
		    "[{\"@odata.type\": \"#microsoft.graph.connectedOrganizationMembers\", "
		    "\"connectedOrganizationId\": \"co-new\"}]");
	prev = next;
	fixture_answer(&prev, 503, NULL);
	assert_int_equal(kind_access_package_policy.apply_step(&fa.ctx, a, fa.state, &prev, &next),
			 APPLY_STEP_MORE);
	tenant_request_release(&prev);
	assert_string_equal(next.method, "GET");
	assert_string_equal(next.path, ENTITLEMENT_PATH_FOR_TEST
			    "/assignmentPolicies?$filter=accessPackage/id%20eq%20%27ap-new%27");
	prev = next;
	fixture_answer(&prev, 200,
		       "{\"value\": [{\"id\": \"pol-new\", \"displayName\": "
		       "\"Contoso may request\"}]}");
	assert_int_equal(kind_access_package_policy.apply_step(&fa.ctx, a, fa.state, &prev, &next),
			 APPLY_STEP_DONE);
	tenant_request_release(&prev);
	assert_string_equal(apply_ctx_id(&fa.ctx, CONTOSO_POLICY), "pol-new");
	fixture_apply_release(&fa);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_policies_as_graph_answers_them_plan_nothing),
	    cmocka_unit_test(test_diff_creates_compiled_policies_for_new_package),
	    cmocka_unit_test(test_connected_org_the_plan_creates_is_a_dependency),
	    cmocka_unit_test(test_partner_without_connected_org_is_an_error),
	    cmocka_unit_test(test_changed_expiry_puts_the_whole_policy),
	    cmocka_unit_test(test_undeclared_policy_of_declared_package_is_deleted),
	    cmocka_unit_test(test_apply_create_resolves_package_and_connected_org),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
