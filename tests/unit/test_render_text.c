/*
 * Unit tests for the terminal renderer: Terraform's shape, colour only when
 * asked, values that cannot reach the terminal as escape sequences.
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
	struct src_pos pos = {"partners/contoso.yaml", 14, 9};
	struct src_pos none = {NULL, 0, 0};
	struct plan_action *a;

	a = plan_add_action(plan, kind_find("guest"), PLAN_CREATE, "alice@contoso.com", &pos);
	plan_action_add_change(a, "displayName", NULL, json_string("Alice Smith"));
	a = plan_add_action(plan, kind_find("guest"), PLAN_UPDATE, "bob@contoso.com", &pos);
	plan_action_add_change(a, "displayName", json_string("Bob"),
			       json_string("Bob \033[31mJones"));
	a = plan_add_action(plan, kind_find("guest"), PLAN_DELETE, "eve\n@contoso.com", &none);
	plan_action_add_change(a, "displayName", json_string("Eve"), NULL);
	a = plan_add_action(plan, kind_find("group"), PLAN_CREATE, "finance-readers", &pos);
	plan_action_add_change(a, "members", NULL, json_pack("[s,s]", "a", "b"));
	assert_int_equal(plan_sort(plan), 0);
	return plan;
}

static void test_plain_text(void **state)
{
	struct render_options opts = {.mode = RENDER_PLAN, .color = 0};
	struct plan *plan = sample_plan();
	struct strbuf out = STRBUF_INIT;
	const char *group, *guest;

	(void)state;
	render_text(&out, plan, &opts);
	assert_null(strchr(out.buf, '\033'));
	assert_ptr_equal(strstr(out.buf, "b2bctl will perform the following actions:\n"), out.buf);
	group = strstr(out.buf, "\ngroup\n");
	guest = strstr(out.buf, "\nguest\n");
	assert_non_null(group);
	assert_non_null(guest);
	assert_true(group < guest);
	assert_non_null(
	    strstr(out.buf, "  + guest.alice@contoso.com  # partners/contoso.yaml:14\n"));
	assert_non_null(strstr(out.buf, "      + displayName = \"Alice Smith\"\n"));
	assert_non_null(
	    strstr(out.buf, "      ~ displayName = \"Bob\" -> \"Bob \\u001B[31mJones\"\n"));
	assert_non_null(
	    strstr(out.buf, "  - guest.eve?@contoso.com   # not in the configuration\n"));
	assert_non_null(strstr(out.buf, "      - displayName = \"Eve\"\n"));
	assert_non_null(strstr(out.buf, "      + members = [\"a\", \"b\"]\n"));
	assert_non_null(strstr(out.buf, "\nPlan: 2 to create, 1 to update, 1 to delete.\n"));
	strbuf_release(&out);
	plan_free(plan);
}

static void test_colour_and_warnings(void **state)
{
	struct render_options opts = {.mode = RENDER_PLAN, .color = 1};
	struct plan *plan = sample_plan();
	struct src_pos pos = {"tenant.yaml", 3, 1};
	struct strbuf out = STRBUF_INIT;
	const char *summary, *warnings;

	(void)state;
	diag_add(&plan->warnings, DIAG_WARNING, "guest-access-member", &pos, "guests see members");
	render_text(&out, plan, &opts);
	assert_non_null(strstr(out.buf, "\033[32m+\033[0m"));
	assert_non_null(strstr(out.buf, "\033[33m~\033[0m"));
	assert_non_null(strstr(out.buf, "\033[31m-\033[0m"));
	summary = strstr(out.buf, "Plan: ");
	warnings = strstr(out.buf, "tenant.yaml:3: ");
	assert_non_null(warnings);
	assert_true(summary < warnings);
	assert_non_null(strstr(warnings, "guests see members [guest-access-member]"));
	strbuf_release(&out);
	plan_free(plan);
}

static void test_no_changes(void **state)
{
	struct render_options plan_opts = {.mode = RENDER_PLAN}, drift_opts = {.mode = RENDER_DRIFT};
	struct plan *plan = plan_new();
	struct strbuf out = STRBUF_INIT;

	(void)state;
	render_text(&out, plan, &plan_opts);
	assert_string_equal(out.buf, "No changes. The tenant matches the configuration.\n");
	strbuf_reset(&out);
	render_text(&out, plan, &drift_opts);
	assert_string_equal(out.buf, "No drift. The tenant matches the configuration.\n");
	strbuf_release(&out);
	plan_free(plan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_text),
	    cmocka_unit_test(test_colour_and_warnings),
	    cmocka_unit_test(test_no_changes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
