/*
 * Unit tests for strbuf and the OData literal escaping every $filter relies on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "schema/base/strbuf.h"

#include <stdlib.h>
#include <string.h>

static void test_addf_grows(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	int i;

	(void)state;
	for (i = 0; i < 1000; i++)
		strbuf_addf(&sb, "%d,", i);
	assert_int_equal(sb.len, strlen(sb.buf));
	assert_true(!strncmp(sb.buf, "0,1,2,", 6));
	assert_true(!strcmp(sb.buf + sb.len - 4, "999,"));
	strbuf_release(&sb);
	assert_int_equal(sb.len, 0);
	assert_string_equal(sb.buf, "");
}

static void test_odata_literal_escapes_quotes_and_encodes(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	strbuf_add_odata_literal(&sb, "x' or displayName ne '");
	assert_string_equal(sb.buf, "%27x%27%27%20or%20displayName%20ne%20%27%27%27");
	strbuf_reset(&sb);
	strbuf_add_odata_literal(&sb, "a_b#EXT#@h.onmicrosoft.com");
	assert_string_equal(sb.buf, "%27a_b%23EXT%23%40h.onmicrosoft.com%27");
	strbuf_release(&sb);
}

static void test_detach_hands_over(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char *s;
	size_t len;

	(void)state;
	s = strbuf_detach(&sb, &len);
	assert_string_equal(s, "");
	assert_int_equal(len, 0);
	free(s);
	strbuf_addstr(&sb, "hello");
	s = strbuf_detach(&sb, &len);
	assert_string_equal(s, "hello");
	assert_int_equal(len, 5);
	assert_int_equal(sb.len, 0);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_addf_grows),
	    cmocka_unit_test(test_odata_literal_escapes_quotes_and_encodes),
	    cmocka_unit_test(test_detach_hands_over),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
