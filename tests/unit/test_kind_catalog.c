/*
 * Unit tests for the catalog kind: one batched read per distinct catalog,
 * create visible to external users, make a hidden catalog visible, and the
 * create step that looks before creating again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "governance_fixture.h"
#include "reconcile/kinds/governance_common.h"

extern const struct kind kind_catalog;

static const char *const two_packages_yaml = "tenant:\n  id: 11111111-1111-1111-1111-111111111111\n"
					     "accessPackages:\n"
					     "  - name: A\n    catalog: O'Brien partners\n"
					     "  - name: B\n    catalog: O'Brien partners\n"
					     "  - name: C\n    catalog: Sales\n";

static void test_read_asks_once_per_catalog_in_batch(void **state)
{
	static const struct fake_answer answers[] = {
	    {"GET", ENTITLEMENT_PATH_FOR_TEST "/catalogs?$filter=displayName%20eq%20%27Sales%27",
	     200, "{\"value\": [{\"id\": \"cat-s\", \"displayName\": \"Sales\"}]}"},
	    {"GET", ENTITLEMENT_PATH_FOR_TEST "/catalogs?", 200, "{\"value\": []}"},
	};
	const struct kind *read_kinds[] = {&kind_catalog};
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(two_packages_yaml);
	struct fake_tenant t;
	json_t *live;

	(void)state;
	fake_tenant_init(&t, answers, ARRAY_SIZE(answers));
	live = fixture_read(read_kinds, 1, cfg, &t.base, &diags);
	assert_int_equal(t.runs, 1);
	assert_int_equal(t.requests, 2);
	assert_non_null(strstr(t.log.buf, "displayName%20eq%20%27O%27%27Brien%20partners%27"));
	assert_non_null(strstr(t.log.buf, "batchable"));
	assert_json(json_object_get(live, "accessPackageCatalogs"),
		    "[{\"id\": \"cat-s\", \"displayName\": \"Sales\"}]");
	json_decref(live);
	fake_tenant_release(&t);
	config_free(cfg);
}

static void test_diff_creates_each_missing_catalog_once(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(two_packages_yaml);
	json_t *live = fixture_json(
	    "{\"accessPackageCatalogs\": [{\"id\": \"cat-s\", \"displayName\": \"Sales\","
	    " \"isExternallyVisible\": true}]}");
	struct plan *plan = fixture_diff(&kind_catalog, cfg, live, &diags);
	struct plan_action *a;

	(void)state;
	assert_int_equal(plan->nr, 1);
	a = plan_find(plan, "catalog.O'Brien partners");
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_CREATE);
	assert_int_equal(a->source_line, 5);
	assert_change(a, "isExternallyVisible", "null", "true");
	assert_json(json_object_get(json_object_get(a->data, "body"), "displayName"),
		    "\"O'Brien partners\"");
	assert_json(json_object_get(json_object_get(a->data, "body"), "isExternallyVisible"),
		    "true");
	assert_non_null(json_object_get(json_object_get(a->data, "body"), "description"));
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_diff_no_action_for_visible_catalog_and_update_for_hidden(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(em_yaml);
	json_t *live = fixture_json(em_live);
	struct plan *plan = fixture_diff(&kind_catalog, cfg, live, &diags);
	struct plan_action *a;

	(void)state;
	assert_int_equal(plan->nr, 0);
	plan_free(plan);
	json_object_set_new(json_array_get(json_object_get(live, "accessPackageCatalogs"), 0),
			    "isExternallyVisible", json_false());
	plan = fixture_diff(&kind_catalog, cfg, live, &diags);
	assert_int_equal(plan->nr, 1);
	a = &plan->actions[0];
	assert_int_equal(a->op, PLAN_UPDATE);
	assert_string_equal(a->address, "catalog.Partner collaboration");
	assert_change(a, "isExternallyVisible", "false", "true");
	assert_json(a->data, "{\"id\": \"cat-1\", \"body\": {\"isExternallyVisible\": true}}");
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_apply_create_and_lookup_after_timeout(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(em_yaml);
	json_t *live = fixture_json("{}");
	struct plan *plan = fixture_diff(&kind_catalog, cfg, live, &diags);
	const struct plan_action *a = &plan->actions[0];
	struct tenant_request prev, next;
	struct fixture_apply fa;

	(void)state;
	fixture_apply_init(&fa, plan);
	assert_int_equal(kind_catalog.apply_step(&fa.ctx, a, fa.state, NULL, &next),
			 APPLY_STEP_MORE);
	assert_string_equal(next.method, "POST");
	assert_string_equal(next.path, ENTITLEMENT_PATH_FOR_TEST "/catalogs");
	assert_true(next.flags & TENANT_BATCHABLE);
	prev = next;
	fixture_answer(&prev, 504, NULL);
	assert_int_equal(kind_catalog.apply_step(&fa.ctx, a, fa.state, &prev, &next),
			 APPLY_STEP_MORE);
	tenant_request_release(&prev);
	assert_string_equal(next.method, "GET");
	assert_string_equal(next.path, ENTITLEMENT_PATH_FOR_TEST
			    "/catalogs?$filter=displayName%20eq%20%27Partner%20collaboration%27");
	prev = next;
	fixture_answer(
	    &prev, 200,
	    "{\"value\": [{\"id\": \"cat-9\", \"displayName\": \"Partner collaboration\"}]}");
	assert_int_equal(kind_catalog.apply_step(&fa.ctx, a, fa.state, &prev, &next),
			 APPLY_STEP_DONE);
	tenant_request_release(&prev);
	assert_string_equal(apply_ctx_id(&fa.ctx, "catalog.Partner collaboration"), "cat-9");
	fixture_apply_release(&fa);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_apply_create_fails_on_refusal_without_retry(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(em_yaml);
	json_t *live = fixture_json("{}");
	struct plan *plan = fixture_diff(&kind_catalog, cfg, live, &diags);
	const struct plan_action *a = &plan->actions[0];
	struct tenant_request prev, next;
	struct fixture_apply fa;

	(void)state;
	fixture_apply_init(&fa, plan);
	assert_int_equal(kind_catalog.apply_step(&fa.ctx, a, fa.state, NULL, &next),
			 APPLY_STEP_MORE);
	prev = next;
	fixture_answer(&prev, 403, NULL);
	assert_int_equal(kind_catalog.apply_step(&fa.ctx, a, fa.state, &prev, &next),
			 APPLY_STEP_FAILED);
	tenant_request_release(&prev);
	assert_non_null(strstr(fa.ctx.outcomes[0].error, "403"));
	fixture_apply_release(&fa);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_apply_create_is_sent_at_most_gov_max_sends_times(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(em_yaml);
	json_t *live = fixture_json("{}");
	struct plan *plan = fixture_diff(&kind_catalog, cfg, live, &diags);
	const struct plan_action *a = &plan->actions[0];
	struct tenant_request prev, next;
	struct fixture_apply fa;
	enum apply_step_result r;
	int posts = 0, gets = 0;

	(void)state;
	fixture_apply_init(&fa, plan);
	r = kind_catalog.apply_step(&fa.ctx, a, fa.state, NULL, &next);
	while (r == APPLY_STEP_MORE) {
		prev = next;
		if (!strcmp(prev.method, "POST")) {
			posts++;
			fixture_answer(&prev, 503, NULL);
		} else {
			gets++;
			fixture_answer(&prev, 200, "{\"value\": []}");
		}
		r = kind_catalog.apply_step(&fa.ctx, a, fa.state, &prev, &next);
		tenant_request_release(&prev);
		assert_true(posts + gets < 3 * GOV_MAX_SENDS);
	}
	assert_int_equal(r, APPLY_STEP_FAILED);
	assert_int_equal(posts, GOV_MAX_SENDS);
	assert_int_equal(gets, GOV_MAX_SENDS - 1);
	fixture_apply_release(&fa);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_read_asks_once_per_catalog_in_batch),
	    cmocka_unit_test(test_diff_creates_each_missing_catalog_once),
	    cmocka_unit_test(test_diff_no_action_for_visible_catalog_and_update_for_hidden),
	    cmocka_unit_test(test_apply_create_and_lookup_after_timeout),
	    cmocka_unit_test(test_apply_create_fails_on_refusal_without_retry),
	    cmocka_unit_test(test_apply_create_is_sent_at_most_gov_max_sends_times),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
