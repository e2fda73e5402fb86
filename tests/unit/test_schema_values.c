/*
 * Unit tests for value syntax (emails, domains, GUIDs, URLs, ISO-8601
 * durations and dates), the "did you mean" suggestions and the name index.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "schema/checks.h"

#include <string.h>

static void test_emails(void **state)
{
	struct strbuf why = STRBUF_INIT;

	(void)state;
	assert_int_equal(check_email("alice@contoso.com", NULL), 0);
	assert_int_equal(check_email("first.last+tag@sub.contoso.co.uk", NULL), 0);
	assert_int_equal(check_email("o'brien@contoso.com", NULL), 0);
	assert_int_equal(check_email("alice.contoso.com", &why), -1);
	assert_string_equal(why.buf, "it has no '@'");
	assert_int_equal(check_email("@contoso.com", &why), -1);
	assert_int_equal(check_email("alice@contoso", &why), -1);
	assert_string_equal(why.buf, "its domain is invalid: it needs at least two labels, as in "
				     "contoso.com");
	assert_int_equal(check_email("al ice@contoso.com", &why), -1);
	assert_string_equal(why.buf, "' ' is not allowed before the '@'");
	assert_int_equal(check_email(".alice@contoso.com", NULL), -1);
	assert_int_equal(check_email("al..ice@contoso.com", NULL), -1);
	assert_int_equal(check_email("alice@@contoso.com", NULL), -1);
	assert_int_equal(check_email("alice@contoso..com", NULL), -1);
	strbuf_release(&why);
}

static void test_domains(void **state)
{
	char long_label[80];

	(void)state;
	assert_int_equal(check_domain("contoso.com", NULL), 0);
	assert_int_equal(check_domain("xn--bcher-kva.example", NULL), 0);
	assert_int_equal(check_domain("a-b.c-d.io", NULL), 0);
	assert_int_equal(check_domain("contoso", NULL), -1);
	assert_int_equal(check_domain("-contoso.com", NULL), -1);
	assert_int_equal(check_domain("contoso-.com", NULL), -1);
	assert_int_equal(check_domain("contoso.com.", NULL), -1);
	assert_int_equal(check_domain("cont_oso.com", NULL), -1);
	assert_int_equal(check_domain("10.0.0.1", NULL), -1);
	assert_int_equal(check_domain("", NULL), -1);
	memset(long_label, 'a', 64);
	strcpy(long_label + 64, ".com");
	assert_int_equal(check_domain(long_label, NULL), -1);
	long_label[1] = '.';
	assert_int_equal(check_domain(long_label, NULL), 0);
}

static void test_guids(void **state)
{
	(void)state;
	assert_int_equal(check_guid("11111111-1111-1111-1111-111111111111"), 0);
	assert_int_equal(check_guid("a0b1B346-4d3e-4e8b-98f8-753987be4970"), 0);
	assert_int_equal(check_guid("11111111-1111-1111-1111-11111111111"), -1);
	assert_int_equal(check_guid("11111111-1111-1111-1111-1111111111111"), -1);
	assert_int_equal(check_guid("1111111-11111-1111-1111-111111111111"), -1);
	assert_int_equal(check_guid("g1111111-1111-1111-1111-111111111111"), -1);
	assert_int_equal(check_guid("{11111111-1111-1111-1111-111111111111}"), -1);
}

static void test_urls(void **state)
{
	struct strbuf why = STRBUF_INIT;

	(void)state;
	assert_int_equal(check_https_url("https://myapps.microsoft.com/x?y=1", NULL), 0);
	assert_int_equal(check_https_url("http://myapps.microsoft.com", &why), -1);
	assert_string_equal(why.buf, "it must start with https://");
	assert_int_equal(check_https_url("myapps.microsoft.com", &why), -1);
	assert_int_equal(check_https_url("https://", NULL), -1);
	assert_int_equal(check_https_url("https://exa mple.com", NULL), -1);
	strbuf_release(&why);
}

static void test_durations(void **state)
{
	struct strbuf why = STRBUF_INIT;
	long long s = -1;

	(void)state;
	assert_int_equal(check_duration("P90D", &s, NULL), 0);
	assert_int_equal(s, 90 * 86400LL);
	assert_int_equal(check_duration("PT12H", &s, NULL), 0);
	assert_int_equal(s, 12 * 3600LL);
	assert_int_equal(check_duration("P1Y2M10DT2H30M", &s, NULL), 0);
	assert_int_equal(s, 365 * 86400LL + 60 * 86400LL + 10 * 86400LL + 2 * 3600 + 30 * 60);
	assert_int_equal(check_duration("P2W", &s, NULL), 0);
	assert_int_equal(s, 14 * 86400LL);
	assert_int_equal(check_duration("PT45S", NULL, NULL), 0);
	assert_int_equal(check_duration("P", NULL, &why), -1);
	assert_string_equal(why.buf, "it has no length, as in P90D");
	assert_int_equal(check_duration("PT", NULL, &why), -1);
	assert_string_equal(why.buf, "'T' must be followed by hours, minutes or seconds");
	assert_int_equal(check_duration("P1H", NULL, &why), -1);
	assert_string_equal(why.buf, "hours and seconds come after 'T', as in PT12H");
	assert_int_equal(check_duration("P1D2Y", NULL, NULL), -1);
	assert_int_equal(check_duration("PD", NULL, NULL), -1);
	assert_int_equal(check_duration("P1.5D", NULL, NULL), -1);
	assert_int_equal(check_duration("90D", NULL, NULL), -1);
	assert_int_equal(check_duration("P1DT", NULL, NULL), -1);
	assert_int_equal(check_duration("P1DT1H1D", NULL, NULL), -1);
	assert_int_equal(check_duration("P99999999999999999999D", &s, NULL), 0);
	assert_true(s > 0);
	strbuf_release(&why);
}

static void test_dates(void **state)
{
	(void)state;
	assert_int_equal(check_date("2027-03-31", NULL), 0);
	assert_int_equal(check_date("2028-02-29", NULL), 0);
	assert_int_equal(check_date("2000-02-29", NULL), 0);
	assert_int_equal(check_date("2027-02-29", NULL), -1);
	assert_int_equal(check_date("1900-02-29", NULL), -1);
	assert_int_equal(check_date("2027-04-31", NULL), -1);
	assert_int_equal(check_date("2027-13-01", NULL), -1);
	assert_int_equal(check_date("2027-00-10", NULL), -1);
	assert_int_equal(check_date("2027-1-10", NULL), -1);
	assert_int_equal(check_date("2027-01-100", NULL), -1);
	assert_int_equal(check_date("2027/01/10", NULL), -1);
}

static void test_suggestions(void **state)
{
	const char *keys[] = {"name", "domains", "displayName", "guests", "guestGroups"};
	const char *states[] = {"enabled", "disabled", "reportOnly"};

	(void)state;
	assert_int_equal(edit_distance("domain", "domains"), 1);
	assert_int_equal(edit_distance("gusets", "guests"), 1);
	assert_int_equal(edit_distance("reportonly", "reportOnly"), 0);
	assert_int_equal(edit_distance("", "abc"), 3);
	assert_string_equal(suggest_closest("domain", keys, 5), "domains");
	assert_string_equal(suggest_closest("gusets", keys, 5), "guests");
	assert_string_equal(suggest_closest("displayname", keys, 5), "displayName");
	assert_string_equal(suggest_closest("reportonly", states, 3), "reportOnly");
	assert_null(suggest_closest("tenantId", keys, 5));
	assert_null(suggest_closest("x", keys, 5));
	assert_string_equal(suggest_closest("disp", keys, 5), "displayName");
	assert_null(suggest_closest("gue", keys, 5));
}

static void test_name_index(void **state)
{
	struct name_index idx = NAME_INDEX_INIT(1);
	struct src_pos a = {"a.yaml", 1, 2}, b = {"b.yaml", 3, 4};
	const struct name_index_entry *e;
	char name[32];
	int i;

	(void)state;
	assert_null(name_index_add(&idx, "Contoso.com", &a, NULL));
	e = name_index_add(&idx, "CONTOSO.COM", &b, NULL);
	assert_non_null(e);
	assert_string_equal(e->pos.file, "a.yaml");
	assert_int_equal(e->pos.col, 2);
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		assert_null(name_index_add(&idx, name, &b, NULL));
	}
	assert_non_null(name_index_find(&idx, "N4999"));
	assert_null(name_index_find(&idx, "n5000"));
	assert_int_equal(idx.map.nr, 5001);
	name_index_release(&idx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_emails),      cmocka_unit_test(test_domains),
	    cmocka_unit_test(test_guids),       cmocka_unit_test(test_urls),
	    cmocka_unit_test(test_durations),   cmocka_unit_test(test_dates),
	    cmocka_unit_test(test_suggestions), cmocka_unit_test(test_name_index),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
