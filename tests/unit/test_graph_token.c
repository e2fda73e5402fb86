/*
 * Unit tests for the OAuth2 token answer (graph_token_parse), including the
 * inputs fuzz_graph_token found: a lifetime so large that the refresh time
 * overflowed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "reconcile/tenant/graph_auth.h"

#include <stdlib.h>
#include <string.h>

static int parse(const char *body, char **token, long long *life)
{
	*token = NULL;
	*life = -1;
	return graph_token_parse(token, life, body, strlen(body));
}

static void test_entra_answer(void **state)
{
	char *token;
	long long life;

	(void)state;
	assert_int_equal(parse("{\"token_type\":\"Bearer\",\"expires_in\":3599,"
			       "\"ext_expires_in\":3599,\"access_token\":\"eyJ0.a.b\"}",
			       &token, &life),
			 0);
	assert_string_equal(token, "eyJ0.a.b");
	assert_int_equal(life, 3599);
	free(token);
}

static void test_lifetime_as_string_or_absent(void **state)
{
	char *token;
	long long life;

	(void)state;
	assert_int_equal(parse("{\"access_token\":\"t\",\"expires_in\":\"120\"}", &token, &life),
			 0);
	assert_int_equal(life, 120);
	free(token);
	assert_int_equal(parse("{\"access_token\":\"t\"}", &token, &life), 0);
	assert_int_equal(life, 3600);
	free(token);
	assert_int_equal(parse("{\"access_token\":\"t\",\"expires_in\":-5}", &token, &life), 0);
	assert_int_equal(life, 60);
	free(token);
}

static void test_huge_lifetime_is_capped(void **state)
{
	static const char *const bodies[] = {
	    "{\"access_token\":\"t\",\"expires_in\":9223372036854775807}",
	    "{\"access_token\":\"t\",\"expires_in\":\"99999999999999999999999\"}",
	    "{\"access_token\":\"t\",\"expires_in\":9223372036854775}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		char *token;
		long long life;

		assert_int_equal(parse(bodies[i], &token, &life), 0);
		assert_true(life > 0 && life <= GRAPH_TOKEN_MAX_LIFE_S);
		/* what the refresh arithmetic does with it must not overflow */
		assert_true(life * 1000 / 1000 == life);
		free(token);
	}
}

static void test_no_token(void **state)
{
	static const char *const bodies[] = {
	    "",
	    "<html><body>Service unavailable</body></html>",
	    "{\"access_token\":",
	    "{\"access_token\":\"\"}",
	    "{\"access_token\":42}",
	    "[\"access_token\"]",
	    "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215\"}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		char *token;
		long long life;

		assert_int_equal(parse(bodies[i], &token, &life), -1);
		assert_null(token);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_entra_answer),
	    cmocka_unit_test(test_lifetime_as_string_or_absent),
	    cmocka_unit_test(test_huge_lifetime_is_capped),
	    cmocka_unit_test(test_no_token),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
