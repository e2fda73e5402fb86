/*
 * Unit tests of strmap: exact and case-folded keys, the first value staying,
 * NULL and empty keys, growth past many doublings, and a visit of every entry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "schema/base/strmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_exact_and_folded_keys(void **state)
{
	struct strmap exact = STRMAP_INIT(0), folded = STRMAP_INIT(1);
	int a = 1, b = 2;

	(void)state;
	assert_null(strmap_get(&exact, "Alice"));
	assert_null(strmap_put(&exact, "Alice", &a));
	assert_null(strmap_put(&exact, "alice", &b));
	assert_ptr_equal(strmap_get(&exact, "Alice"), &a);
	assert_ptr_equal(strmap_get(&exact, "alice"), &b);
	assert_null(strmap_get(&exact, "ALICE"));
	assert_int_equal(exact.nr, 2);

	assert_null(strmap_put(&folded, "Alice@Contoso.com", &a));
	assert_ptr_equal(strmap_put(&folded, "alice@contoso.COM", &b)->value, &a);
	assert_ptr_equal(strmap_get(&folded, "ALICE@CONTOSO.COM"), &a);
	assert_int_equal(folded.nr, 1);
	strmap_release(&exact);
	strmap_release(&folded);
	assert_null(strmap_get(&exact, "Alice"));
}

static void test_null_and_empty_keys(void **state)
{
	struct strmap map = STRMAP_INIT(0);
	struct strmap_entry *e;
	size_t visited = 0;
	int a = 1;

	(void)state;
	strmap_for_each(&map, e) visited++;
	assert_int_equal(visited, 0);
	assert_null(strmap_put(&map, NULL, &a));
	assert_int_equal(map.nr, 0);
	assert_null(strmap_get(&map, NULL));
	assert_null(strmap_put(&map, "", &a));
	assert_ptr_equal(strmap_get(&map, ""), &a);
	assert_int_equal(map.nr, 1);
	strmap_release(&map);
}

static void test_growth_and_visit(void **state)
{
	struct strmap map = STRMAP_INIT(1);
	struct strmap_entry *e;
	char **keys = calloc(20000, sizeof(*keys));
	size_t i, seen = 0, sum = 0;

	(void)state;
	for (i = 0; i < 20000; i++) {
		char buf[32];

		snprintf(buf, sizeof(buf), "Key-%zu", i);
		keys[i] = strdup(buf);
		assert_null(strmap_put(&map, keys[i], keys[i]));
	}
	assert_int_equal(map.nr, 20000);
	assert_true(map.cap >= 2 * map.nr);
	strmap_reserve(&map, 100);
	assert_int_equal(map.cap, 65536);
	strmap_reserve(&map, 40000);
	assert_int_equal(map.cap, 131072);
	assert_ptr_equal(strmap_get(&map, "key-19999"), keys[19999]);
	for (i = 0; i < 20000; i += 7) {
		char buf[32];

		snprintf(buf, sizeof(buf), "KEY-%zu", i);
		assert_ptr_equal(strmap_get(&map, buf), keys[i]);
	}
	strmap_for_each(&map, e)
	{
		seen++;
		sum += (size_t)atoi((const char *)e->value + 4);
	}
	assert_int_equal(seen, 20000);
	assert_int_equal(sum, (size_t)20000 * 19999 / 2);
	strmap_release(&map);
	for (i = 0; i < 20000; i++)
		free(keys[i]);
	free(keys);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exact_and_folded_keys),
	    cmocka_unit_test(test_null_and_empty_keys),
	    cmocka_unit_test(test_growth_and_visit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
