/*
 * Unit tests for the plan as JSON: the contract's keys and nothing more, the
 * plan file's round trip (write, read, write: the same bytes), and the strict
 * reader's errors naming where a plan file is wrong.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "reconcile/kind.h"
#include "reconcile/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct plan *sample_plan(void)
{
	struct plan *plan = plan_new();
	struct src_pos pos = {"partners/contoso.yaml", 14, 9};
	struct src_pos none = {NULL, 0, 0};
	struct plan_action *a;

	a = plan_add_action(plan, kind_find("group"), PLAN_CREATE, "finance-readers", &pos);
	plan_action_add_change(a, "displayName", NULL, json_string("finance-readers"));
	a->data = json_pack("{s:{s:s, s:b}}", "body", "displayName", "finance-readers",
			    "securityEnabled", 1);
	a = plan_add_action(plan, kind_find("guest"), PLAN_UPDATE, "bob@contoso.com", &pos);
	plan_action_add_change(a, "displayName", json_string("Bob"), json_string("Bob Jones"));
	a->data = json_pack("{s:s}", "id", "0b1c");
	a = plan_add_action(plan, kind_find("group_member"), PLAN_CREATE,
			    "finance-readers/bob@contoso.com", &pos);
	plan_action_depends_on(a, "group.finance-readers");
	a->data = json_pack("{s:{s:s}}", "group", "address", "group.finance-readers");
	a = plan_add_action(plan, kind_find("guest"), PLAN_DELETE, "eve@contoso.com", &none);
	plan_action_add_change(a, "displayName", json_string("Eve"), NULL);
	assert_int_equal(plan_sort(plan), 0);
	diag_add(&plan->warnings, DIAG_WARNING, "guest-consumer-domain", &pos, "gmail.com guest");
	plan->config_hash = strdup("c0ffee");
	plan->tenant_id = strdup("11111111-1111-1111-1111-111111111111");
	plan->created = strdup("2026-11-25T10:00:00Z");
	plan->live =
	    json_pack("{s:s, s:[{s:s, s:s}]}", "tenantId", "11111111-1111-1111-1111-111111111111",
		      "users", "id", "0b1c", "displayName", "Bob");
	plan->fingerprints = plan_fingerprint_live(plan->live);
	return plan;
}

static void assert_keys(const json_t *obj, const char *const *keys)
{
	size_t n = 0;

	for (; *keys; keys++, n++)
		assert_non_null(json_object_get(obj, *keys));
	assert_int_equal(json_object_size(obj), n);
}

static void test_contract_keys(void **state)
{
	static const char *const top[] = {"format_version", "summary", "actions", "warnings", NULL};
	static const char *const action[] = {"kind",       "action",  "address", "source",
					     "depends_on", "changes", NULL};
	static const char *const warning[] = {"rule", "message", "source", NULL};
	struct plan *plan = sample_plan();
	json_t *j = plan_to_json(plan, PLAN_JSON_CONTRACT), *a;
	size_t i;

	(void)state;
	assert_keys(j, top);
	assert_string_equal(json_string_value(json_object_get(j, "format_version")), "1");
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(j, "summary"), "create")), 2);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(j, "summary"), "delete")), 1);
	json_array_foreach(json_object_get(j, "actions"), i, a) assert_keys(a, action);
	a = json_array_get(json_object_get(j, "actions"), 0);
	assert_string_equal(json_string_value(json_object_get(a, "address")),
			    "group.finance-readers");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(a, "source"), "line")),
			 14);
	assert_true(json_is_null(
	    json_object_get(json_array_get(json_object_get(a, "changes"), 0), "before")));
	a = json_array_get(json_object_get(j, "actions"), 3);
	assert_string_equal(json_string_value(json_object_get(a, "action")), "delete");
	assert_true(json_is_null(json_object_get(a, "source")));
	assert_keys(json_array_get(json_object_get(j, "warnings"), 0), warning);
	json_decref(j);
	plan_free(plan);
}

static void test_file_round_trip(void **state)
{
	struct plan *plan = sample_plan(), *back;
	char *first = plan_to_json_text(plan, PLAN_JSON_FILE), *second;
	json_t *j;

	(void)state;
	assert_non_null(strstr(first, "\"live\""));
	assert_non_null(strstr(first, "\"data\""));
	assert_non_null(strstr(first, "\"config_hash\": \"c0ffee\""));
	assert_non_null(strstr(first, "\"severity\": \"warning\""));
	j = json_loads(first, 0, NULL);
	back = plan_from_json(j, "test.plan");
	json_decref(j);
	assert_non_null(back);
	assert_string_equal(back->actions[2].address,
			    "group_member.finance-readers/bob@contoso.com");
	second = plan_to_json_text(back, PLAN_JSON_FILE);
	assert_string_equal(first, second);
	free(first);
	free(second);
	plan_free(back);
	plan_free(plan);
}

static void test_read_file(void **state)
{
	char path[] = "/tmp/test_plan_json.XXXXXX";
	struct plan *plan = sample_plan(), *back;
	char *text = plan_to_json_text(plan, PLAN_JSON_FILE);
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	(void)state;
	fputs(text, f);
	fclose(f);
	back = plan_read_file(path);
	assert_non_null(back);
	assert_int_equal(back->nr, 4);
	assert_string_equal(back->tenant_id, "11111111-1111-1111-1111-111111111111");
	plan_free(back);

	f = fopen(path, "w");
	fputs("{\"format_version\": \"1\",\n  \"actions\": [", f);
	fclose(f);
	assert_null(plan_read_file(path));
	assert_non_null(strstr(b2b_error_last(), path));
	assert_non_null(strstr(b2b_error_last(), ":2:"));
	unlink(path);
	assert_null(plan_read_file(path));
	free(text);
	plan_free(plan);
}

/* Edits the sample plan file with `edit`, reads it back and expects an error containing `want`. */
static void expect_refused(void (*edit)(json_t *root), const char *want)
{
	struct plan *plan = sample_plan(), *back;
	json_t *j = plan_to_json(plan, PLAN_JSON_FILE);

	edit(j);
	back = plan_from_json(j, "edited.plan");
	if (back)
		fail_msg("accepted a plan that should fail with '%s'", want);
	if (!strstr(b2b_error_last(), want))
		fail_msg("error '%s' does not mention '%s'", b2b_error_last(), want);
	assert_non_null(strstr(b2b_error_last(), "edited.plan"));
	json_decref(j);
	plan_free(plan);
}

static json_t *action_at(json_t *root, size_t i)
{
	return json_array_get(json_object_get(root, "actions"), i);
}

static void unknown_kind(json_t *r)
{
	json_object_set_new(action_at(r, 1), "kind", json_string("printer"));
}
static void bad_op(json_t *r)
{
	json_object_set_new(action_at(r, 0), "action", json_string("replace"));
}
static void wrong_address(json_t *r)
{
	json_object_set_new(action_at(r, 0), "address", json_string("guest.x@y.com"));
}
static void summary_mismatch(json_t *r)
{
	json_object_set_new(json_object_get(r, "summary"), "delete", json_integer(0));
}
static void unknown_top_key(json_t *r)
{
	json_object_set_new(r, "token", json_string("secret"));
}
static void future_version(json_t *r)
{
	json_object_set_new(r, "format_version", json_string("2"));
}
static void missing_dependency(json_t *r)
{
	json_array_append_new(json_object_get(action_at(r, 2), "depends_on"),
			      json_string("group.nope"));
}
static void dependency_after(json_t *r)
{
	json_array_append_new(json_object_get(action_at(r, 0), "depends_on"),
			      json_string("guest.bob@contoso.com"));
}
static void bad_change(json_t *r)
{
	json_object_del(json_array_get(json_object_get(action_at(r, 0), "changes"), 0), "after");
}
static void bad_source_line(json_t *r)
{
	json_object_set_new(json_object_get(action_at(r, 0), "source"), "line", json_string("14"));
}

static void test_strict_reader(void **state)
{
	(void)state;
	expect_refused(unknown_kind, "actions[1].kind: unknown kind 'printer'");
	expect_refused(bad_op, "actions[0].action");
	expect_refused(wrong_address, "actions[0].address");
	expect_refused(summary_mismatch, "summary.delete");
	expect_refused(unknown_top_key, "unknown key 'token'");
	expect_refused(future_version, "format_version");
	expect_refused(missing_dependency, "'group.nope' is not in the plan");
	expect_refused(dependency_after, "actions[0]: comes before");
	expect_refused(bad_change, "actions[0].changes[0]");
	expect_refused(bad_source_line, "actions[0].source.line");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_contract_keys),
	    cmocka_unit_test(test_file_round_trip),
	    cmocka_unit_test(test_read_file),
	    cmocka_unit_test(test_strict_reader),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
