/*
 * Unit tests for partners_common: Graph's loosely typed answers (Booleans as
 * strings, @odata.type without '#', an entity or a value wrapper), domain sets,
 * and the one-request apply step refusing an action without a request.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "partners_fixture.h"
#include "reconcile/kinds/partners_common.h"

extern const struct kind kind_email_otp;

static void test_truthy_accepts_string_booleans(void **state)
{
	json_t *v = fixture_json("[true, \"true\", \"TRUE\", false, \"false\", null, 1, \"\"]");

	(void)state;
	assert_true(json_truthy(json_array_get(v, 0)));
	assert_true(json_truthy(json_array_get(v, 1)));
	assert_true(json_truthy(json_array_get(v, 2)));
	assert_false(json_truthy(json_array_get(v, 3)));
	assert_false(json_truthy(json_array_get(v, 4)));
	assert_false(json_truthy(json_array_get(v, 5)));
	assert_false(json_truthy(json_array_get(v, 6)));
	assert_false(json_truthy(json_array_get(v, 7)));
	assert_false(json_truthy(NULL));
	json_decref(v);
}

static void test_single_entity_shapes(void **state)
{
	json_t *entity = fixture_json("{\"id\": \"a\"}");
	json_t *listed = fixture_json("{\"value\": [{\"id\": \"b\"}, {\"id\": \"c\"}]}");
	json_t *wrapped = fixture_json("{\"value\": {\"id\": \"d\"}}");
	json_t *empty = fixture_json("{\"value\": []}");

	(void)state;
	assert_ptr_equal(graph_single_entity(entity), entity);
	assert_json(json_object_get(graph_single_entity(listed), "id"), "\"b\"");
	assert_json(json_object_get(graph_single_entity(wrapped), "id"), "\"d\"");
	assert_null(graph_single_entity(empty));
	assert_null(graph_single_entity(NULL));
	json_decref(entity);
	json_decref(listed);
	json_decref(wrapped);
	json_decref(empty);
}

static void test_odata_type_without_hash(void **state)
{
	json_t *v = fixture_json("[{\"@odata.type\": \"#microsoft.graph.x\"},"
				 " {\"@odata.type\": \"microsoft.graph.x\"}, {}]");

	(void)state;
	assert_string_equal(odata_type_of(json_array_get(v, 0)), "microsoft.graph.x");
	assert_string_equal(odata_type_of(json_array_get(v, 1)), "microsoft.graph.x");
	assert_string_equal(odata_type_of(json_array_get(v, 2)), "");
	json_decref(v);
}

static void test_domain_set_lowercases_sorts_and_dedups(void **state)
{
	json_t *list =
	    fixture_json("[\"b.com\", \"A.com\", \"a.COM\", 7, \"\", \"c.com\", \"B.com\"]");
	json_t *set = domain_set_from_json(list);

	(void)state;
	assert_json(set, "[\"a.com\", \"b.com\", \"c.com\"]");
	json_decref(set);
	set = domain_set_from_json(NULL);
	assert_json(set, "[]");
	json_decref(set);
	json_decref(list);
}

static void test_single_request_without_path_fails(void **state)
{
	struct plan *plan = plan_new();
	struct plan_action *a = plan_add_action(plan, &kind_email_otp, PLAN_UPDATE, "tenant", NULL);
	struct fixture_apply fa;
	struct tenant_request req;

	(void)state;
	a->data = json_object();
	fixture_apply_init(&fa, plan);
	memset(&req, 0, sizeof(req));
	assert_int_equal(apply_step_single_request(&fa.ctx, a, fa.state, NULL, &req),
			 APPLY_STEP_FAILED);
	assert_null(req.method);
	assert_non_null(strstr(fa.ctx.outcomes[0].error, "email_otp.tenant"));
	fixture_apply_release(&fa);
	plan_free(plan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_truthy_accepts_string_booleans),
	    cmocka_unit_test(test_single_entity_shapes),
	    cmocka_unit_test(test_odata_type_without_hash),
	    cmocka_unit_test(test_domain_set_lowercases_sorts_and_dedups),
	    cmocka_unit_test(test_single_request_without_path_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
