/*
 * Unit tests for `plan --format json`: the contract document, the same bytes
 * every time, and nothing that only the plan file may hold.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cmd/render.h"
#include "reconcile/kind.h"

#include <stdlib.h>
#include <string.h>

static struct plan *sample_plan(void)
{
	struct plan *plan = plan_new();
	struct src_pos pos = {"groups.yaml", 3, 5};
	struct plan_action *a;

	a = plan_add_action(plan, kind_find("group_member"), PLAN_DELETE, "g/eve@contoso.com",
			    &pos);
	a->data = json_pack("{s:s}", "memberId", "abc");
	a = plan_add_action(plan, kind_find("group"), PLAN_UPDATE, "g", &pos);
	plan_action_add_change(a, "description", json_string("old"), json_string("new"));
	plan->live = json_pack("{s:s}", "tenantId", "t");
	plan->config_hash = strdup("hash");
	assert_int_equal(plan_sort(plan), 0);
	return plan;
}

static void test_contract_document(void **state)
{
	struct plan *plan = sample_plan();
	struct strbuf out = STRBUF_INIT, again = STRBUF_INIT;
	json_t *j, *a;

	(void)state;
	render_json(&out, plan);
	assert_true(out.len && out.buf[out.len - 1] == '\n');
	j = json_loads(out.buf, 0, NULL);
	assert_non_null(j);
	assert_int_equal(json_object_size(j), 4);
	assert_string_equal(json_string_value(json_object_get(j, "format_version")), "1");
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(j, "summary"), "update")), 1);
	a = json_array_get(json_object_get(j, "actions"), 0);
	assert_string_equal(json_string_value(json_object_get(a, "kind")), "group");
	assert_string_equal(json_string_value(json_object_get(a, "action")), "update");
	assert_string_equal(json_string_value(json_object_get(a, "address")), "group.g");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(a, "source"), "file")),
	    "groups.yaml");
	assert_null(strstr(out.buf, "memberId"));
	assert_null(strstr(out.buf, "\"live\""));
	assert_null(strstr(out.buf, "config_hash"));
	assert_true(strstr(out.buf, "\"format_version\"") < strstr(out.buf, "\"summary\""));
	assert_true(strstr(out.buf, "\"summary\"") < strstr(out.buf, "\"actions\""));
	render_json(&again, plan);
	assert_string_equal(out.buf, again.buf);
	json_decref(j);
	strbuf_release(&out);
	strbuf_release(&again);
	plan_free(plan);
}

static void test_format_names(void **state)
{
	(void)state;
	assert_int_equal(render_format_from_name(NULL), RENDER_TEXT);
	assert_int_equal(render_format_from_name("markdown"), RENDER_MARKDOWN);
	assert_int_equal(render_format_from_name("json"), RENDER_JSON);
	assert_int_equal(render_format_from_name("yaml"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_contract_document),
	    cmocka_unit_test(test_format_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
