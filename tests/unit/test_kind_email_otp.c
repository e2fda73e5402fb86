/*
 * Unit tests for the email_otp kind: allowExternalIdToUseEmailOtp compared
 * with absent meaning "default", and the PATCH body carrying the @odata.type
 * Graph requires.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "partners_fixture.h"

extern const struct kind kind_email_otp;

static struct plan *diff_otp(const char *value, const char *live_text, struct diag_list *diags)
{
	char *yaml = xstrfmt("tenant:\n"
			     "  id: 11111111-1111-1111-1111-111111111111\n"
			     "externalCollaboration:\n"
			     "  emailOneTimePasscode: %s\n",
			     value);
	struct config *cfg = fixture_config_ok(yaml);
	json_t *live = fixture_json(live_text);
	struct plan *plan = fixture_diff(&kind_email_otp, cfg, live, diags);

	free(yaml);
	json_decref(live);
	config_free(cfg);
	return plan;
}

static void test_update_carries_odata_type(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct plan *plan =
	    diff_otp("enabled",
		     "{\"emailAuthenticationMethodConfiguration\": {\"id\": \"Email\","
		     " \"state\": \"enabled\", \"allowExternalIdToUseEmailOtp\": "
		     "\"default\", \"includeTargets\": []}}",
		     &diags);

	(void)state;
	assert_int_equal(plan->nr, 1);
	assert_string_equal(plan->actions[0].address, "email_otp.tenant");
	assert_int_equal(plan->actions[0].op, PLAN_UPDATE);
	assert_change(&plan->actions[0], "allowExternalIdToUseEmailOtp", "\"default\"",
		      "\"enabled\"");
	assert_json(plan->actions[0].data,
		    "{\"method\": \"PATCH\", \"path\": "
		    "\"/v1.0/policies/authenticationMethodsPolicy/"
		    "authenticationMethodConfigurations/email\", \"batchable\": "
		    "true, \"body\": "
		    "{\"@odata.type\": "
		    "\"#microsoft.graph.emailAuthenticationMethodConfiguration\","
		    " \"allowExternalIdToUseEmailOtp\": \"enabled\"}}");
	plan_free(plan);
	diag_list_release(&diags);
}

static void test_absent_setting_is_default(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct plan *same =
	    diff_otp("default", "{\"emailAuthenticationMethodConfiguration\": {}}", &diags);
	struct plan *differs = diff_otp("disabled",
					"{\"emailAuthenticationMethodConfiguration\":"
					" {\"allowExternalIdToUseEmailOtp\":"
					" \"enabled\"}}",
					&diags);

	(void)state;
	assert_int_equal(same->nr, 0);
	assert_int_equal(differs->nr, 1);
	assert_change(&differs->actions[0], "allowExternalIdToUseEmailOtp", "\"enabled\"",
		      "\"disabled\"");
	plan_free(same);
	plan_free(differs);
	diag_list_release(&diags);
}

static void test_read_stores_configuration(void **state)
{
	static const struct fake_answer answers[] = {
	    {"GET",
	     "/v1.0/policies/authenticationMethodsPolicy/"
	     "authenticationMethodConfigurations/email",
	     200,
	     "{\"@odata.type\": "
	     "\"#microsoft.graph.emailAuthenticationMethodConfiguration\","
	     " \"id\": \"Email\", \"allowExternalIdToUseEmailOtp\": \"disabled\"}"},
	};
	const struct kind *const read_kinds[] = {&kind_email_otp};
	struct config *cfg = fixture_config_ok("tenant:\n"
					       "  id: 11111111-1111-1111-1111-111111111111\n"
					       "externalCollaboration:\n"
					       "  emailOneTimePasscode: disabled\n");
	struct diag_list diags = DIAG_LIST_INIT;
	struct fake_tenant t;
	struct plan *plan;
	json_t *live;

	(void)state;
	fake_tenant_init(&t, answers, ARRAY_SIZE(answers));
	live = fixture_read(read_kinds, 1, cfg, &t.base, &diags);
	assert_int_equal(t.requests, 1);
	plan = fixture_diff(&kind_email_otp, cfg, live, &diags);
	assert_int_equal(plan->nr, 0);
	plan_free(plan);
	fake_tenant_release(&t);
	json_decref(live);
	config_free(cfg);
	diag_list_release(&diags);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_update_carries_odata_type),
	    cmocka_unit_test(test_absent_setting_is_default),
	    cmocka_unit_test(test_read_stores_configuration),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
