/*
 * Unit tests for the access_package_resource kind: which groups need a role
 * scope (and a catalog entry first), removal of undeclared role scopes, the
 * batched catalog-resource read, and the multi-step apply.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "governance_fixture.h"

extern const struct kind kind_access_package_resource;

#define ADDRESS "access_package_resource.Partner finance access/finance-readers"

static void test_diff_nothing_when_member_role_is_scoped(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(em_yaml);
	json_t *live = fixture_json(em_live);
	struct plan *plan = fixture_diff(&kind_access_package_resource, cfg, live, &diags);

	(void)state;
	assert_int_equal(plan->nr, 0);
	assert_int_equal(diags.nr, 0);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_diff_new_package_and_catalog_depend_on_both(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(em_yaml);
	json_t *live = em_live_without_package(1);
	struct plan *plan = fixture_diff(&kind_access_package_resource, cfg, live, &diags);
	struct plan_action *a = plan_find(plan, ADDRESS);

	(void)state;
	assert_int_equal(plan->nr, 1);
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_CREATE);
	assert_int_equal(a->source_line, 18);
	assert_int_equal(a->depends_nr, 2);
	assert_string_equal(a->depends_on[0], "access_package.Partner finance access");
	assert_string_equal(a->depends_on[1], "catalog.Partner collaboration");
	assert_change(a, "group", "null", "\"finance-readers\"");
	assert_change(a, "catalog", "null", "\"Partner collaboration\"");
	assert_json(a->data, "{\"package\": {\"address\": \"access_package.Partner finance "
			     "access\"}, \"group\": {\"id\": \"g-fr\"}, \"catalog\": {\"address\": "
			     "\"catalog.Partner collaboration\"}}");
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_diff_group_already_in_catalog_keeps_its_resource_id(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(em_yaml);
	json_t *live = fixture_json(em_live);
	struct plan *plan;
	struct plan_action *a;

	(void)state;
	json_array_clear(json_object_get(em_live_package(live), "resourceRoleScopes"));
	plan = fixture_diff(&kind_access_package_resource, cfg, live, &diags);
	assert_int_equal(plan->nr, 1);
	a = &plan->actions[0];
	assert_null(find_change(a, "catalog"));
	assert_int_equal(a->depends_nr, 0);
	assert_json(json_object_get(a->data, "catalogResourceId"), "\"res-fr\"");
	assert_json(json_object_get(a->data, "package"), "{\"id\": \"ap-1\"}");
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_diff_deletes_undeclared_role_scopes(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(em_yaml);
	json_t *live = fixture_json(em_live);
	json_t *scopes = json_object_get(em_live_package(live), "resourceRoleScopes");
	struct plan *plan;
	struct plan_action *a;

	(void)state;
	json_array_append_new(scopes, fixture_json("{\"id\": \"rs-old\", \"role\": {\"originId\": "
						   "\"Member_g-fo\"}, \"scope\": {\"originId\": "
						   "\"g-fo\"}}"));
	plan = fixture_diff(&kind_access_package_resource, cfg, live, &diags);
	assert_int_equal(plan->nr, 1);
	a = plan_find(plan, "access_package_resource.Partner finance access/finance-owners");
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_DELETE);
	assert_change(a, "group", "\"finance-owners\"", "null");
	assert_json(a->data, "{\"package\": {\"id\": \"ap-1\"}, \"id\": \"rs-old\"}");
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_read_asks_catalog_for_each_declared_group(void **state)
{
	static const struct fake_answer answers[] = {
	    {"GET", ENTITLEMENT_PATH_FOR_TEST "/catalogs/cat-1/resources?", 200,
	     "{\"value\": [{\"id\": \"res-fr\", \"originId\": \"g-fr\"}]}"},
	};
	const struct kind *read_kinds[] = {&kind_access_package_resource};
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(em_yaml);
	struct reconcile_ctx ctx = {0};
	struct fake_tenant t;

	(void)state;
	fake_tenant_init(&t, answers, ARRAY_SIZE(answers));
	ctx.cfg = cfg;
	ctx.tenant = &t.base;
	ctx.diags = &diags;
	ctx.live = fixture_json("{\"groups\": [{\"id\": \"g-fr\", \"displayName\": "
				"\"finance-readers\"}], \"accessPackageCatalogs\": [{\"id\": "
				"\"cat-1\", \"displayName\": \"Partner collaboration\"}]}");
	assert_int_equal(read_kinds[0]->read(&ctx), 0);
	assert_int_equal(t.requests, 1);
	assert_non_null(strstr(t.log.buf, "/catalogs/cat-1/resources?$filter=originId%20eq%20"
					  "%27g-fr%27"));
	assert_json(
	    json_object_get(json_array_get(json_object_get(ctx.live, "accessPackageCatalogs"), 0),
			    "resources"),
	    "[{\"id\": \"res-fr\", \"originId\": \"g-fr\"}]");
	json_decref(ctx.live);
	fake_tenant_release(&t);
	config_free(cfg);
}

static void test_apply_adds_to_catalog_finds_resource_then_scopes_role(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(em_yaml);
	json_t *live = em_live_without_package(1);
	struct plan *plan = fixture_diff(&kind_access_package_resource, cfg, live, &diags);
	const struct plan_action *a = &plan->actions[0];
	struct tenant_request prev, next;
	struct fixture_apply fa;

	(void)state;
	fixture_apply_init(&fa, plan);
	apply_ctx_set_id(&fa.ctx, "catalog.Partner collaboration", "cat-new");
	apply_ctx_set_id(&fa.ctx, "access_package.Partner finance access", "ap-new");
	assert_int_equal(kind_access_package_resource.apply_step(&fa.ctx, a, fa.state, NULL, &next),
			 APPLY_STEP_MORE);
	assert_string_equal(next.method, "POST");
	assert_string_equal(next.path, ENTITLEMENT_PATH_FOR_TEST "/resourceRequests");
	assert_json(next.body, "{\"requestType\": \"adminAdd\", \"resource\": {\"originId\": "
			       "\"g-fr\", \"originSystem\": \"AadGroup\"}, \"catalog\": {\"id\": "
			       "\"cat-new\"}}");
	prev = next;
	fixture_answer(&prev, 201, "{\"id\": \"req-1\", \"state\": \"delivered\"}");
	assert_int_equal(
	    kind_access_package_resource.apply_step(&fa.ctx, a, fa.state, &prev, &next),
	    APPLY_STEP_MORE);
	tenant_request_release(&prev);
	assert_string_equal(next.method, "GET");
	assert_non_null(strstr(next.path, "/catalogs/cat-new/resources?$filter=originId"));
	assert_true(next.flags & TENANT_RETRY_NOT_FOUND);
	prev = next;
	fixture_answer(&prev, 200, "{\"value\": []}");
	assert_int_equal(
	    kind_access_package_resource.apply_step(&fa.ctx, a, fa.state, &prev, &next),
	    APPLY_STEP_MORE);
	tenant_request_release(&prev);
	assert_string_equal(next.method, "GET");
	prev = next;
	fixture_answer(&prev, 200, "{\"value\": [{\"id\": \"res-new\", \"originId\": \"g-fr\"}]}");
	assert_int_equal(
	    kind_access_package_resource.apply_step(&fa.ctx, a, fa.state, &prev, &next),
	    APPLY_STEP_MORE);
	tenant_request_release(&prev);
	assert_string_equal(next.method, "POST");
	assert_string_equal(next.path,
			    ENTITLEMENT_PATH_FOR_TEST "/accessPackages/ap-new/resourceRoleScopes");
	assert_json(next.body, "{\"role\": {\"originId\": \"Member_g-fr\", \"originSystem\": "
			       "\"AadGroup\", \"resource\": {\"id\": \"res-new\"}}, \"scope\": "
			       "{\"originId\": \"g-fr\", \"originSystem\": \"AadGroup\"}}");
	prev = next;
	fixture_answer(&prev, 201, "{\"id\": \"role_scope\"}");
	assert_int_equal(
	    kind_access_package_resource.apply_step(&fa.ctx, a, fa.state, &prev, &next),
	    APPLY_STEP_DONE);
	tenant_request_release(&prev);
	fixture_apply_release(&fa);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_apply_ambiguous_scope_is_checked_before_sending_again(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(em_yaml);
	json_t *live = fixture_json(em_live);
	struct plan *plan;
	const struct plan_action *a;
	struct tenant_request prev, next;
	struct fixture_apply fa;

	(void)state;
	json_array_clear(json_object_get(em_live_package(live), "resourceRoleScopes"));
	plan = fixture_diff(&kind_access_package_resource, cfg, live, &diags);
	a = &plan->actions[0];
	fixture_apply_init(&fa, plan);
	assert_int_equal(kind_access_package_resource.apply_step(&fa.ctx, a, fa.state, NULL, &next),
			 APPLY_STEP_MORE);
	assert_string_equal(next.path,
			    ENTITLEMENT_PATH_FOR_TEST "/accessPackages/ap-1/resourceRoleScopes");
	prev = next;
	fixture_answer(&prev, 0, NULL);
	prev.error.ambiguous = 1;
	assert_int_equal(
	    kind_access_package_resource.apply_step(&fa.ctx, a, fa.state, &prev, &next),
	    APPLY_STEP_MORE);
	tenant_request_release(&prev);
	assert_string_equal(next.method, "GET");
	assert_non_null(strstr(next.path, "/accessPackages/ap-1?$expand=resourceRoleScopes"));
	prev = next;
	fixture_answer(&prev, 200,
		       "{\"id\": \"ap-1\", \"resourceRoleScopes\": [{\"id\": \"rs-1\", "
		       "\"role\": {\"originId\": \"Member_g-fr\"}, \"scope\": "
		       "{\"originId\": \"g-fr\"}}]}");
	assert_int_equal(
	    kind_access_package_resource.apply_step(&fa.ctx, a, fa.state, &prev, &next),
	    APPLY_STEP_DONE);
	tenant_request_release(&prev);
	assert_string_equal(apply_ctx_id(&fa.ctx, ADDRESS), "rs-1");
	fixture_apply_release(&fa);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_undeclared_resource_is_named_by_its_catalog_entry(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(em_yaml);
	json_t *live = fixture_json(em_live);
	json_t *scopes = json_object_get(em_live_package(live), "resourceRoleScopes");
	json_t *catalog = json_array_get(json_object_get(live, "accessPackageCatalogs"), 0);
	struct plan *plan;

	(void)state;
	json_array_append_new(scopes, fixture_json("{\"id\": \"rs-x\", \"scope\": {\"originId\": "
						   "\"g-x\", \"displayName\": \"Root\"}}"));
	json_array_append_new(scopes, fixture_json("{\"id\": \"rs-y\", \"scope\": {\"originId\": "
						   "\"g-y\", \"displayName\": \"Root\"}}"));
	json_array_append_new(json_object_get(catalog, "resources"),
			      fixture_json("{\"id\": \"res-x\", \"originId\": \"g-x\", "
					   "\"displayName\": \"old-team\"}"));
	plan = fixture_diff(&kind_access_package_resource, cfg, live, &diags);
	assert_int_equal(plan->nr, 2);
	assert_non_null(plan_find(plan, "access_package_resource.Partner finance access/old-team"));
	assert_non_null(plan_find(plan, "access_package_resource.Partner finance access/g-y"));
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_apply_group_already_in_catalog_goes_on_to_scope(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(em_yaml);
	json_t *live = em_live_without_package(0);
	struct plan *plan;
	const struct plan_action *a;
	struct tenant_request prev, next;
	struct fixture_apply fa;

	(void)state;
	json_array_clear(json_object_get(
	    json_array_get(json_object_get(live, "accessPackageCatalogs"), 0), "resources"));
	plan = fixture_diff(&kind_access_package_resource, cfg, live, &diags);
	a = &plan->actions[0];
	fixture_apply_init(&fa, plan);
	apply_ctx_set_id(&fa.ctx, "access_package.Partner finance access", "ap-new");
	assert_int_equal(kind_access_package_resource.apply_step(&fa.ctx, a, fa.state, NULL, &next),
			 APPLY_STEP_MORE);
	assert_string_equal(next.path, ENTITLEMENT_PATH_FOR_TEST "/resourceRequests");
	prev = next;
	fixture_answer(&prev, 400, NULL);
	free(prev.error.code);
	prev.error.code = xstrdup("ResourceAlreadyOnboarded");
	assert_int_equal(
	    kind_access_package_resource.apply_step(&fa.ctx, a, fa.state, &prev, &next),
	    APPLY_STEP_MORE);
	tenant_request_release(&prev);
	assert_string_equal(next.method, "GET");
	assert_non_null(strstr(next.path, "/catalogs/cat-1/resources?"));
	tenant_request_release(&next);
	fixture_apply_release(&fa);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_apply_refused_resource_request_fails(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(em_yaml);
	json_t *live = em_live_without_package(0);
	struct plan *plan;
	const struct plan_action *a;
	struct tenant_request prev, next;
	struct fixture_apply fa;

	(void)state;
	json_array_clear(json_object_get(
	    json_array_get(json_object_get(live, "accessPackageCatalogs"), 0), "resources"));
	plan = fixture_diff(&kind_access_package_resource, cfg, live, &diags);
	a = &plan->actions[0];
	fixture_apply_init(&fa, plan);
	apply_ctx_set_id(&fa.ctx, "access_package.Partner finance access", "ap-new");
	assert_int_equal(kind_access_package_resource.apply_step(&fa.ctx, a, fa.state, NULL, &next),
			 APPLY_STEP_MORE);
	prev = next;
	fixture_answer(&prev, 403, NULL);
	assert_int_equal(
	    kind_access_package_resource.apply_step(&fa.ctx, a, fa.state, &prev, &next),
	    APPLY_STEP_FAILED);
	tenant_request_release(&prev);
	assert_non_null(strstr(fa.ctx.outcomes[0].error, "403"));
	fixture_apply_release(&fa);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_diff_nothing_when_member_role_is_scoped),
	    cmocka_unit_test(test_diff_new_package_and_catalog_depend_on_both),
	    cmocka_unit_test(test_diff_group_already_in_catalog_keeps_its_resource_id),
	    cmocka_unit_test(test_diff_deletes_undeclared_role_scopes),
	    cmocka_unit_test(test_read_asks_catalog_for_each_declared_group),
	    cmocka_unit_test(test_apply_adds_to_catalog_finds_resource_then_scopes_role),
	    cmocka_unit_test(test_apply_ambiguous_scope_is_checked_before_sending_again),
	    cmocka_unit_test(test_undeclared_resource_is_named_by_its_catalog_entry),
	    cmocka_unit_test(test_apply_group_already_in_catalog_goes_on_to_scope),
	    cmocka_unit_test(test_apply_refused_resource_request_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
