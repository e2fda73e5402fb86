/*
 * Unit tests for plan construction and the order apply runs actions in:
 * kind order, deletes reversed, dependencies first, cycles refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "reconcile/kind.h"
#include "reconcile/plan.h"
#include "schema/base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct plan_action *add(struct plan *plan, const char *kind, enum plan_op op,
			       const char *name)
{
	struct src_pos pos = {"groups.yaml", 7, 3};

	return plan_add_action(plan, kind_find(kind), op, name, &pos);
}

static void assert_order(const struct plan *plan, const char *const *want, size_t nr)
{
	size_t i;

	assert_int_equal(plan->nr, nr);
	for (i = 0; i < nr; i++)
		assert_string_equal(plan->actions[i].address, want[i]);
}

static void test_construction(void **state)
{
	struct plan *plan = plan_new();
	struct plan_action *a;
	struct src_pos no_file = {NULL, 0, 0};

	(void)state;
	a = add(plan, "group", PLAN_CREATE, "finance-readers");
	assert_string_equal(a->address, "group.finance-readers");
	assert_string_equal(a->name, "finance-readers");
	assert_string_equal(a->source_file, "groups.yaml");
	assert_int_equal(a->source_line, 7);
	plan_action_add_change(a, "displayName", NULL, json_string("finance-readers"));
	plan_action_depends_on(a, "partner.contoso");
	plan_action_depends_on(a, "partner.contoso");
	plan_action_depends_on(a, "group.finance-readers");
	assert_int_equal(a->depends_nr, 1);
	assert_int_equal(a->changes_nr, 1);
	assert_null(a->changes[0].before);

	a = plan_add_action(plan, kind_find("guest"), PLAN_DELETE, "eve@contoso.com", &no_file);
	assert_null(a->source_file);
	assert_ptr_equal(plan_find(plan, "guest.eve@contoso.com"), a);
	assert_null(plan_find(plan, "guest.nobody@contoso.com"));
	assert_int_equal(plan_count(plan, PLAN_CREATE), 1);
	assert_int_equal(plan_count(plan, PLAN_DELETE), 1);
	assert_int_equal(plan_count(plan, PLAN_UPDATE), 0);
	assert_string_equal(plan_op_name(PLAN_UPDATE), "update");
	assert_int_equal(plan_op_from_name("delete"), PLAN_DELETE);
	assert_int_equal(plan_op_from_name("destroy"), -1);
	plan_free(plan);
}

static void test_kind_order_and_reversed_deletes(void **state)
{
	static const char *const want[] = {
	    "authorization_policy.tenant",
	    "group.finance-readers",
	    "guest.alice@contoso.com",
	    "guest.bob@contoso.com",
	    "group_member.finance-readers/alice@contoso.com",
	    "group_member.old/eve@contoso.com",
	    "guest.eve@contoso.com",
	    "group.old",
	};
	struct plan *plan = plan_new();

	(void)state;
	add(plan, "group", PLAN_DELETE, "old");
	add(plan, "guest", PLAN_DELETE, "eve@contoso.com");
	add(plan, "group_member", PLAN_DELETE, "old/eve@contoso.com");
	add(plan, "group_member", PLAN_CREATE, "finance-readers/alice@contoso.com");
	add(plan, "guest", PLAN_UPDATE, "bob@contoso.com");
	add(plan, "guest", PLAN_CREATE, "alice@contoso.com");
	add(plan, "group", PLAN_CREATE, "finance-readers");
	add(plan, "authorization_policy", PLAN_UPDATE, "tenant");
	assert_int_equal(plan_sort(plan), 0);
	assert_order(plan, want, ARRAY_SIZE(want));
	assert_ptr_equal(plan_find(plan, "group.old"), &plan->actions[7]);
	plan_free(plan);
}

static void test_dependencies_come_first(void **state)
{
	static const char *const want[] = {
	    "group.approvers",
	    "partner.contoso",
	    "conditional_access_policy.B2B - MFA",
	    "catalog.Partners",
	};
	struct plan *plan = plan_new();
	struct plan_action *ca, *partner, *catalog;

	(void)state;
	catalog = add(plan, "catalog", PLAN_CREATE, "Partners");
	ca = add(plan, "conditional_access_policy", PLAN_CREATE, "B2B - MFA");
	partner = add(plan, "partner", PLAN_CREATE, "contoso");
	add(plan, "group", PLAN_CREATE, "approvers");
	/* against the kind order: the partner waits for a catalog and the group */
	plan_action_depends_on(partner, "group.approvers");
	plan_action_depends_on(ca, "partner.contoso");
	(void)catalog;
	assert_int_equal(plan_sort(plan), 0);
	assert_order(plan, want, ARRAY_SIZE(want));

	plan_action_depends_on(&plan->actions[0], "catalog.Partners");
	assert_int_equal(plan_sort(plan), 0);
	assert_string_equal(plan->actions[0].address, "catalog.Partners");
	assert_string_equal(plan->actions[1].address, "group.approvers");
	plan_free(plan);
}

static void test_cycle_is_refused(void **state)
{
	struct plan *plan = plan_new();
	struct plan_action *a, *b;

	(void)state;
	a = add(plan, "group", PLAN_CREATE, "a");
	b = add(plan, "group", PLAN_CREATE, "b");
	add(plan, "guest", PLAN_CREATE, "c@x.com");
	plan_action_depends_on(a, "group.b");
	plan_action_depends_on(b, "group.a");
	assert_int_equal(plan_sort(plan), -1);
	assert_non_null(strstr(b2b_error_last(), "cycle"));
	assert_non_null(strstr(b2b_error_last(), "group.a"));
	assert_non_null(strstr(b2b_error_last(), "group.b"));
	assert_null(strstr(b2b_error_last(), "guest.c@x.com"));
	assert_string_equal(plan->actions[0].address, "group.a");
	plan_free(plan);
}

static void test_dangling_dependencies_dropped(void **state)
{
	struct plan *plan = plan_new();
	struct plan_action *a;

	(void)state;
	a = add(plan, "group_member", PLAN_CREATE, "g/alice@contoso.com");
	plan_action_depends_on(a, "group.g");
	plan_action_depends_on(a, "guest.alice@contoso.com");
	add(plan, "guest", PLAN_CREATE, "alice@contoso.com");
	plan_drop_dangling_depends(plan);
	a = plan_find(plan, "group_member.g/alice@contoso.com");
	assert_int_equal(a->depends_nr, 1);
	assert_string_equal(a->depends_on[0], "guest.alice@contoso.com");
	assert_int_equal(plan_sort(plan), 0);
	assert_string_equal(plan->actions[0].address, "guest.alice@contoso.com");
	plan_free(plan);
}

static void test_large_chain_sorts(void **state)
{
	struct plan *plan = plan_new();
	char name[64], prev[64];
	size_t i, n = 20000;

	(void)state;
	/* a chain against the base order: guest i depends on guest i+1 */
	for (i = 0; i < n; i++) {
		struct plan_action *a;

		snprintf(name, sizeof(name), "u%06zu@x.com", i);
		a = add(plan, "guest", PLAN_CREATE, name);
		snprintf(prev, sizeof(prev), "guest.u%06zu@x.com", i + 1);
		if (i + 1 < n)
			plan_action_depends_on(a, prev);
	}
	assert_int_equal(plan_sort(plan), 0);
	snprintf(name, sizeof(name), "guest.u%06zu@x.com", n - 1);
	assert_string_equal(plan->actions[0].address, name);
	assert_string_equal(plan->actions[n - 1].address, "guest.u000000@x.com");
	plan_free(plan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_construction),
	    cmocka_unit_test(test_kind_order_and_reversed_deletes),
	    cmocka_unit_test(test_dependencies_come_first),
	    cmocka_unit_test(test_cycle_is_refused),
	    cmocka_unit_test(test_dangling_dependencies_dropped),
	    cmocka_unit_test(test_large_chain_sorts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
