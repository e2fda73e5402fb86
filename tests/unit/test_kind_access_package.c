/*
 * Unit tests for the access_package kind: the batched read with its expands,
 * create in a catalog that exists or that the plan creates, description
 * updates, the error for a package in another catalog, and the create step.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "governance_fixture.h"

extern const struct kind kind_access_package;

static void test_read_expands_catalog_policies_and_role_scopes(void **state)
{
	static const struct fake_answer answers[] = {
	    {"GET", ENTITLEMENT_PATH_FOR_TEST "/accessPackages?", 200,
	     "{\"value\": [{\"id\": \"ap-1\", \"displayName\": \"Partner finance access\"}]}"},
	};
	const struct kind *read_kinds[] = {&kind_access_package};
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(em_yaml);
	struct fake_tenant t;
	json_t *live;

	(void)state;
	fake_tenant_init(&t, answers, ARRAY_SIZE(answers));
	live = fixture_read(read_kinds, 1, cfg, &t.base, &diags);
	assert_int_equal(t.requests, 1);
	assert_non_null(strstr(t.log.buf, "$filter=displayName%20eq%20%27Partner%20finance%20"
					  "access%27&$expand=catalog,assignmentPolicies,"
					  "resourceRoleScopes($expand=role,scope)"));
	assert_non_null(strstr(t.log.buf, "batchable"));
	assert_json(json_object_get(live, "accessPackages"),
		    "[{\"id\": \"ap-1\", \"displayName\": \"Partner finance access\"}]");
	json_decref(live);
	fake_tenant_release(&t);
	config_free(cfg);
}

static void test_diff_creates_package_in_catalog_the_plan_creates(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(em_yaml);
	json_t *live = em_live_without_package(1);
	struct plan *plan = fixture_diff(&kind_access_package, cfg, live, &diags);
	struct plan_action *a = plan_find(plan, "access_package.Partner finance access");

	(void)state;
	assert_int_equal(plan->nr, 1);
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_CREATE);
	assert_int_equal(a->source_line, 15);
	assert_int_equal(a->depends_nr, 1);
	assert_string_equal(a->depends_on[0], "catalog.Partner collaboration");
	assert_change(a, "description", "null", "\"Read access to finance\"");
	assert_change(a, "catalog", "null", "\"Partner collaboration\"");
	assert_json(a->data, "{\"body\": {\"displayName\": \"Partner finance access\","
			     " \"description\": \"Read access to finance\"},"
			     " \"catalog\": {\"address\": \"catalog.Partner collaboration\"}}");
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_diff_create_refers_to_existing_catalog_by_id(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(em_yaml);
	json_t *live = em_live_without_package(0);
	struct plan *plan = fixture_diff(&kind_access_package, cfg, live, &diags);

	(void)state;
	assert_int_equal(plan->nr, 1);
	assert_int_equal(plan->actions[0].depends_nr, 0);
	assert_json(json_object_get(plan->actions[0].data, "catalog"), "{\"id\": \"cat-1\"}");
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_diff_no_action_then_description_update(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(em_yaml);
	json_t *live = fixture_json(em_live);
	struct plan *plan = fixture_diff(&kind_access_package, cfg, live, &diags);
	struct plan_action *a;

	(void)state;
	assert_int_equal(plan->nr, 0);
	assert_int_equal(diags.nr, 0);
	plan_free(plan);
	json_object_set_new(em_live_package(live), "description", json_string("old text"));
	plan = fixture_diff(&kind_access_package, cfg, live, &diags);
	assert_int_equal(plan->nr, 1);
	a = &plan->actions[0];
	assert_int_equal(a->op, PLAN_UPDATE);
	assert_change(a, "description", "\"old text\"", "\"Read access to finance\"");
	assert_json(a->data, "{\"id\": \"ap-1\", \"body\": {\"description\": "
			     "\"Read access to finance\"}}");
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_package_in_another_catalog_is_an_error(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(em_yaml);
	json_t *live = fixture_json(em_live);
	struct plan *plan;

	(void)state;
	json_object_set_new(em_live_package(live), "catalog",
			    json_pack("{s:s,s:s}", "id", "cat-x", "displayName", "General"));
	plan = fixture_diff(&kind_access_package, cfg, live, &diags);
	assert_int_equal(plan->nr, 0);
	assert_int_equal(diag_count(&diags, DIAG_ERROR), 1);
	assert_int_equal(diags.items[0].line, 16);
	assert_non_null(strstr(diags.items[0].message, "'General'"));
	assert_non_null(strstr(diags.items[0].message, "cannot move"));
	diag_list_release(&diags);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_apply_create_sends_resolved_catalog(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(em_yaml);
	json_t *live = em_live_without_package(1);
	struct plan *plan = fixture_diff(&kind_access_package, cfg, live, &diags);
	const struct plan_action *a = &plan->actions[0];
	struct tenant_request prev, next;
	struct fixture_apply fa;

	(void)state;
	fixture_apply_init(&fa, plan);
	assert_int_equal(kind_access_package.apply_step(&fa.ctx, a, fa.state, NULL, &next),
			 APPLY_STEP_FAILED);
	apply_ctx_set_id(&fa.ctx, "catalog.Partner collaboration", "cat-new");
	json_object_clear(fa.state);
	assert_int_equal(kind_access_package.apply_step(&fa.ctx, a, fa.state, NULL, &next),
			 APPLY_STEP_MORE);
	assert_string_equal(next.method, "POST");
	assert_string_equal(next.path, ENTITLEMENT_PATH_FOR_TEST "/accessPackages");
	assert_json(next.body, "{\"displayName\": \"Partner finance access\", \"description\": "
			       "\"Read access to finance\", \"catalog\": {\"id\": \"cat-new\"}}");
	prev = next;
	fixture_answer(&prev, 201,
		       "{\"id\": \"ap-new\", \"displayName\": \"Partner finance access\"}");
	assert_int_equal(kind_access_package.apply_step(&fa.ctx, a, fa.state, &prev, &next),
			 APPLY_STEP_DONE);
	tenant_request_release(&prev);
	assert_string_equal(apply_ctx_id(&fa.ctx, a->address), "ap-new");
	fixture_apply_release(&fa);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_undeclared_description_is_left_alone(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg =
	    fixture_config_ok("tenant:\n  id: 11111111-1111-1111-1111-111111111111\n"
			      "accessPackages:\n  - name: Partner finance access\n"
			      "    catalog: Partner collaboration\n");
	json_t *live = fixture_json(em_live);
	struct plan *plan = fixture_diff(&kind_access_package, cfg, live, &diags);

	(void)state;
	assert_int_equal(plan->nr, 0);
	plan_free(plan);
	json_object_set_new(live, "accessPackages", json_array());
	plan = fixture_diff(&kind_access_package, cfg, live, &diags);
	assert_int_equal(plan->nr, 1);
	assert_null(find_change(&plan->actions[0], "description"));
	assert_null(json_object_get(json_object_get(plan->actions[0].data, "body"), "description"));
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_two_live_packages_with_the_declared_name_are_an_error(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(em_yaml);
	json_t *live = fixture_json(em_live);
	struct plan *plan;

	(void)state;
	json_array_append_new(json_object_get(live, "accessPackages"),
			      fixture_json("{\"id\": \"ap-2\", \"displayName\": "
					   "\"Partner finance access\"}"));
	plan = fixture_diff(&kind_access_package, cfg, live, &diags);
	assert_int_equal(plan->nr, 0);
	assert_int_equal(diag_count(&diags, DIAG_ERROR), 1);
	assert_int_equal(diags.items[0].line, 15);
	diag_list_release(&diags);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_read_expands_catalog_policies_and_role_scopes),
	    cmocka_unit_test(test_diff_creates_package_in_catalog_the_plan_creates),
	    cmocka_unit_test(test_diff_create_refers_to_existing_catalog_by_id),
	    cmocka_unit_test(test_diff_no_action_then_description_update),
	    cmocka_unit_test(test_package_in_another_catalog_is_an_error),
	    cmocka_unit_test(test_apply_create_sends_resolved_catalog),
	    cmocka_unit_test(test_undeclared_description_is_left_alone),
	    cmocka_unit_test(test_two_live_packages_with_the_declared_name_are_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
