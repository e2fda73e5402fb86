/*
 * Unit tests for the pull-request comment: what comes first, links to the
 * configuration, escaping of hostile names, and the summary form that keeps a
 * huge plan under GitHub's comment limit without cutting it off.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cmd/render.h"
#include "reconcile/kind.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char hostile[] = "x</details>| <script>alert(1)</script> [a](b) `c` @team\n# h";

static size_t count(const char *haystack, const char *needle)
{
	size_t n = 0;

	for (; (haystack = strstr(haystack, needle)); haystack++)
		n++;
	return n;
}

static struct plan *sample_plan(void)
{
	struct plan *plan = plan_new();
	struct src_pos pos = {"partners/contoso corp.yaml", 14, 9};
	struct src_pos none = {NULL, 0, 0};
	struct plan_action *a;

	a = plan_add_action(plan, kind_find("group"), PLAN_CREATE, hostile, &pos);
	plan_action_add_change(a, "displayName", NULL, json_string(hostile));
	a = plan_add_action(plan, kind_find("guest"), PLAN_UPDATE, "bob@contoso.com", &pos);
	plan_action_add_change(a, "displayName", json_string("Bob"), json_string(hostile));
	a = plan_add_action(plan, kind_find("guest"), PLAN_DELETE, "eve@contoso.com", &none);
	plan_action_add_change(a, "displayName", json_string("Eve"), NULL);
	assert_int_equal(plan_sort(plan), 0);
	return plan;
}

static void test_layout(void **state)
{
	struct render_options opts = {.mode = RENDER_PLAN, .color = 0};
	struct plan *plan = sample_plan();
	struct strbuf out = STRBUF_INIT;
	const char *deletes, *table, *details;

	(void)state;
	render_markdown(&out, plan, &opts);
	assert_ptr_equal(strstr(out.buf, "**Plan: 1 to create, 1 to update, 1 to delete.**\n"),
			 out.buf);
	deletes = strstr(out.buf, "**This plan deletes 1 object:**");
	table = strstr(out.buf, "| Kind | Create | Update | Delete |");
	details = strstr(out.buf, "<details><summary>group: 1 to create");
	assert_non_null(deletes);
	assert_non_null(table);
	assert_non_null(details);
	assert_true(deletes < table && table < details);
	assert_non_null(strstr(deletes, "eve&#64;contoso.com"));
	assert_non_null(strstr(out.buf, "| guest | 0 | 1 | 1 |\n"));
	assert_non_null(
	    strstr(out.buf, "([partners/contoso corp.yaml:14](partners/contoso%20corp.yaml#L14))"));
	assert_non_null(strstr(out.buf, "(not in the configuration)"));
	strbuf_release(&out);
	plan_free(plan);
}

static void test_hostile_names_are_escaped(void **state)
{
	struct render_options opts = {.mode = RENDER_PLAN, .color = 0};
	struct plan *plan = sample_plan();
	struct strbuf out = STRBUF_INIT;

	(void)state;
	render_markdown(&out, plan, &opts);
	/* only our own two sections open and close */
	assert_int_equal(count(out.buf, "<details>"), 2);
	assert_int_equal(count(out.buf, "</details>"), 2);
	assert_null(strstr(out.buf, "<script"));
	assert_null(strstr(out.buf, "| <"));
	assert_null(strstr(out.buf, "@team"));
	assert_null(strstr(out.buf, "\n# h"));
	assert_null(strstr(out.buf, "[a](b)"));
	assert_non_null(strstr(out.buf, "x&lt;/details&gt;\\| &lt;script&gt;"));
	assert_non_null(strstr(out.buf, "\\[a\\]\\(b\\) \\`c\\` &#64;team"));
	strbuf_release(&out);
	plan_free(plan);
}

static void test_huge_plan_gets_summary_form(void **state)
{
	struct render_options opts = {.mode = RENDER_PLAN, .color = 0};
	struct plan *plan = plan_new();
	struct strbuf out = STRBUF_INIT;
	struct src_pos pos = {"partners/big.yaml", 1, 1};
	char name[64];
	size_t i;

	(void)state;
	for (i = 0; i < 3000; i++) {
		struct plan_action *a;

		snprintf(name, sizeof(name), "user%04zu@big.example", i);
		a = plan_add_action(plan, kind_find("guest"), i % 10 ? PLAN_CREATE : PLAN_DELETE,
				    name, &pos);
		plan_action_add_change(a, "displayName", NULL,
				       json_string("A rather long display name for a guest user"));
	}
	assert_int_equal(plan_sort(plan), 0);
	render_markdown(&out, plan, &opts);
	assert_true(out.len <= RENDER_MARKDOWN_LIMIT);
	assert_ptr_equal(strstr(out.buf, "**Plan: 2700 to create, 0 to update, 300 to delete.**"),
			 out.buf);
	assert_non_null(strstr(out.buf, "**This plan deletes 300 objects:**"));
	assert_non_null(strstr(out.buf, "| guest | 2700 | 0 | 300 |"));
	assert_non_null(strstr(out.buf, "too long for a comment"));
	assert_non_null(strstr(out.buf, "user0001&#64;big.example"));
	/* complete, not cut off */
	assert_non_null(strstr(out.buf, "Run `b2bctl plan` to see every action and change.\n"));

	strbuf_reset(&out);
	opts.markdown_limit = 4000;
	render_markdown(&out, plan, &opts);
	assert_true(out.len <= 4000);
	assert_non_null(strstr(out.buf, "Run `b2bctl plan` to see every action and change.\n"));
	strbuf_release(&out);
	plan_free(plan);
}

static void test_links_to_github(void **state)
{
	struct render_options opts = {.mode = RENDER_PLAN, .color = 0};
	struct plan *plan = plan_new();
	struct src_pos disk = {"./partners/contoso.yaml", 14, 9},
		       rev = {"main:config/groups.yaml", 3, 1};
	struct strbuf out = STRBUF_INIT;

	(void)state;
	plan_add_action(plan, kind_find("guest"), PLAN_CREATE, "alice@contoso.com", &disk);
	plan_add_action(plan, kind_find("group"), PLAN_CREATE, "g", &rev);
	render_markdown_linked(&out, plan, &opts, "https://github.com/o/r/blob/abc/", "config/");
	assert_non_null(
	    strstr(out.buf, "(https://github.com/o/r/blob/abc/config/partners/contoso.yaml#L14)"));
	assert_non_null(strstr(out.buf, "(https://github.com/o/r/blob/abc/config/groups.yaml#L3)"));

	strbuf_reset(&out);
	render_markdown_linked(&out, plan, &opts, "https://x/) [y](z", "config/");
	assert_null(strstr(out.buf, "https://x"));
	assert_non_null(strstr(out.buf, "](./partners/contoso.yaml#L14)"));
	assert_non_null(strstr(out.buf, "](config/groups.yaml#L3)"));
	strbuf_release(&out);
	plan_free(plan);
}

static void test_no_changes(void **state)
{
	struct render_options opts = {.mode = RENDER_DRIFT, .color = 0};
	struct plan *plan = plan_new();
	struct strbuf out = STRBUF_INIT;

	(void)state;
	render_markdown(&out, plan, &opts);
	assert_string_equal(out.buf, "**No drift.** The tenant matches the configuration.\n");
	strbuf_release(&out);
	plan_free(plan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_layout),
	    cmocka_unit_test(test_hostile_names_are_escaped),
	    cmocka_unit_test(test_huge_plan_gets_summary_form),
	    cmocka_unit_test(test_links_to_github),
	    cmocka_unit_test(test_no_changes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
