/*
 * Unit tests for the lint rules: for each rule a configuration (and, for the
 * tenant rules, a live model) that triggers it and one that does not, plus
 * severity overrides from settings.lint.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "partners_fixture.h"
#include "reconcile/lint.h"

#define NOW 1795600000 /* 2026-11-25 */

#define TENANT "tenant:\n  id: 11111111-1111-1111-1111-111111111111\n"
#define SAFE_SETTINGS                                                                              \
	"externalCollaboration:\n"                                                                 \
	"  guestUserAccess: restricted\n"                                                          \
	"  guestInviteRestrictions: adminsAndGuestInviters\n"                                      \
	"  emailVerifiedUsersCanJoin: false\n"                                                     \
	"  emailOneTimePasscode: enabled\n"
#define ENFORCED_MFA                                                                               \
	"conditionalAccess:\n"                                                                     \
	"  policies:\n"                                                                            \
	"    - name: B2B - MFA\n"                                                                  \
	"      state: enabled\n"                                                                   \
	"      guestTypes: [b2bCollaborationGuest]\n"                                              \
	"      partners: all\n"                                                                    \
	"      require: [mfa]\n"
#define GROUPS "groups:\n  - name: readers\n"
#define PARTNER(guest_email, extra)                                                                \
	"partners:\n"                                                                              \
	"  - name: contoso\n"                                                                      \
	"    domains: [contoso.com, gmail.com]\n" extra "    guests:\n"                            \
	"      - email: " guest_email "\n"                                                         \
	"        groups: [readers]\n"

/* Runs the rules and returns how many findings carry `rule` (at `severity` when >= 0). */
static size_t count_rule(const char *yaml, const char *live_text, const char *rule, int severity)
{
	struct diag_list out = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(yaml);
	json_t *live = live_text ? fixture_json(live_text) : NULL;
	size_t i, n = 0;

	lint_run(cfg, live, NULL, NOW, &out);
	for (i = 0; i < out.nr; i++)
		if (out.items[i].rule && !strcmp(out.items[i].rule, rule) &&
		    (severity < 0 || (int)out.items[i].severity == severity)) {
			assert_non_null(out.items[i].message);
			n++;
		}
	diag_list_release(&out);
	json_decref(live);
	config_free(cfg);
	return n;
}

static const char clean[] =
    TENANT SAFE_SETTINGS ENFORCED_MFA GROUPS PARTNER("alice@contoso.com", "");

static void test_clean_configuration_has_no_findings(void **state)
{
	struct diag_list out = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(clean);

	(void)state;
	lint_run(cfg, NULL, NULL, NOW, &out);
	if (out.nr)
		diag_print_text(stderr, &out);
	assert_int_equal(out.nr, 0);
	diag_list_release(&out);
	config_free(cfg);
}

static void test_consumer_email_without_otp(void **state)
{
	(void)state;
	assert_int_equal(count_rule(TENANT ENFORCED_MFA GROUPS PARTNER("bob@gmail.com", ""), NULL,
				    "consumer-email-without-otp", DIAG_WARNING),
			 1);
	assert_int_equal(
	    count_rule(TENANT SAFE_SETTINGS ENFORCED_MFA GROUPS PARTNER("bob@gmail.com", ""), NULL,
		       "consumer-email-without-otp", -1),
	    0);
	assert_true(is_consumer_email_domain("yahoo.co.uk"));
	assert_true(is_consumer_email_domain("GMX.de"));
	assert_false(is_consumer_email_domain("contoso.com"));
	assert_false(is_consumer_email_domain("outlook.contoso.com"));
}

static void test_guest_domain_not_allowed(void **state)
{
	(void)state;
	assert_int_equal(count_rule(TENANT SAFE_SETTINGS
				    "  collaborationRestrictions:\n"
				    "    allowDomains: [fabrikam.com]\n" ENFORCED_MFA GROUPS
					PARTNER("alice@contoso.com", ""),
				    NULL, "guest-domain-not-allowed", DIAG_ERROR),
			 1);
	assert_int_equal(count_rule(TENANT SAFE_SETTINGS
				    "  collaborationRestrictions:\n"
				    "    allowDomains: [fabrikam.com]\n"
				    "    includePartnerDomains: true\n" ENFORCED_MFA GROUPS PARTNER(
					"alice@contoso.com", ""),
				    NULL, "guest-domain-not-allowed", -1),
			 0);
}

static void test_tenant_settings_rules(void **state)
{
	static const char risky[] = TENANT
	    "externalCollaboration:\n"
	    "  guestUserAccess: member\n"
	    "  guestInviteRestrictions: everyone\n"
	    "  emailVerifiedUsersCanJoin: true\n"
	    "  emailOneTimePasscode: enabled\n" ENFORCED_MFA GROUPS PARTNER("alice@contoso.com",
									    "");

	(void)state;
	assert_int_equal(count_rule(risky, NULL, "email-verified-users-can-join", DIAG_WARNING), 1);
	assert_int_equal(count_rule(risky, NULL, "guest-access-member", DIAG_WARNING), 1);
	assert_int_equal(count_rule(risky, NULL, "invite-everyone", DIAG_WARNING), 1);
	assert_int_equal(count_rule(clean, NULL, "email-verified-users-can-join", -1), 0);
	assert_int_equal(count_rule(clean, NULL, "guest-access-member", -1), 0);
	assert_int_equal(count_rule(clean, NULL, "invite-everyone", -1), 0);
}

static void test_access_package_long_expiry(void **state)
{
	static const char base[] =
	    TENANT SAFE_SETTINGS ENFORCED_MFA GROUPS "partners:\n"
						     "  - name: contoso\n"
						     "    domains: [contoso.com]\n"
						     "    connectedOrganization: true\n"
						     "accessPackages:\n"
						     "  - name: pkg\n"
						     "    catalog: cat\n"
						     "    groups: [readers]\n"
						     "    policies:\n"
						     "      - name: p\n"
						     "        partners: [contoso]\n"
						     "        expiry: ";
	struct strbuf yaml = STRBUF_INIT;
	static const struct {
		const char *expiry;
		size_t findings;
	} cases[] = {{"never", 1}, {"P2Y", 1}, {"P400D", 1},     {"2030-01-01", 1},
		     {"P90D", 0},  {"P1Y", 0}, {"2027-03-31", 0}};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		strbuf_reset(&yaml);
		strbuf_addf(&yaml, "%s%s\n", base, cases[i].expiry);
		assert_int_equal(count_rule(yaml.buf, NULL, "access-package-long-expiry", -1),
				 cases[i].findings);
	}
	strbuf_release(&yaml);
}

static void test_no_enforced_guest_mfa(void **state)
{
	static const char report_only[] =
	    TENANT SAFE_SETTINGS "conditionalAccess:\n"
				 "  policies:\n"
				 "    - name: B2B - MFA\n"
				 "      state: reportOnly\n"
				 "      guestTypes: [all]\n"
				 "      require: [mfa]\n" GROUPS PARTNER("alice@contoso.com", "");
	static const char mfa_or_device[] = TENANT SAFE_SETTINGS
	    "conditionalAccess:\n"
	    "  policies:\n"
	    "    - name: B2B - MFA\n"
	    "      state: enabled\n"
	    "      guestTypes: [all]\n"
	    "      require: [mfa, compliantDevice]\n" GROUPS PARTNER("alice@contoso.com", "");

	(void)state;
	assert_int_equal(count_rule(report_only, NULL, "no-enforced-guest-mfa", DIAG_WARNING), 1);
	/* MFA OR a compliant device does not require MFA */
	assert_int_equal(count_rule(mfa_or_device, NULL, "no-enforced-guest-mfa", -1), 1);
	assert_int_equal(count_rule(clean, NULL, "no-enforced-guest-mfa", -1), 0);
}

static void test_mfa_trust_unused(void **state)
{
	static const char trust[] = "    crossTenantAccess:\n      trustMfa: true\n";
	static const char block_only[] = TENANT SAFE_SETTINGS "conditionalAccess:\n"
							      "  policies:\n"
							      "    - name: B2B - Block\n"
							      "      state: enabled\n"
							      "      guestTypes: [all]\n"
							      "      block: true\n" GROUPS;
	struct strbuf yaml = STRBUF_INIT;

	(void)state;
	strbuf_addf(&yaml, "%s" PARTNER("alice@contoso.com", "%s"), block_only, trust);
	assert_int_equal(count_rule(yaml.buf, NULL, "mfa-trust-unused", DIAG_WARNING), 1);
	strbuf_reset(&yaml);
	strbuf_addf(&yaml, "%s" PARTNER("alice@contoso.com", "%s"),
		    TENANT SAFE_SETTINGS ENFORCED_MFA GROUPS, trust);
	assert_int_equal(count_rule(yaml.buf, NULL, "mfa-trust-unused", -1), 0);
	strbuf_release(&yaml);
}

static void test_orphan_guest(void **state)
{
	static const char orphan[] =
	    TENANT SAFE_SETTINGS ENFORCED_MFA GROUPS "partners:\n"
						     "  - name: contoso\n"
						     "    domains: [contoso.com]\n"
						     "    guests:\n"
						     "      - email: lonely@contoso.com\n";
	static const char via_guest_groups[] =
	    TENANT SAFE_SETTINGS ENFORCED_MFA GROUPS "partners:\n"
						     "  - name: contoso\n"
						     "    domains: [contoso.com]\n"
						     "    guestGroups: [readers]\n"
						     "    guests:\n"
						     "      - email: lonely@contoso.com\n";

	(void)state;
	assert_int_equal(count_rule(orphan, NULL, "orphan-guest", DIAG_WARNING), 1);
	assert_int_equal(count_rule(via_guest_groups, NULL, "orphan-guest", -1), 0);
}

static const char live_users[] =
    "{\"tenantId\": \"11111111-1111-1111-1111-111111111111\","
    " \"tenantInformation\": [{\"tenantId\": \"22222222-2222-2222-2222-222222222222\","
    "   \"defaultDomainName\": \"contoso.com\"}],"
    " \"users\": ["
    "  {\"id\": \"u1\", \"mail\": \"alice@contoso.com\", \"userType\": \"Guest\","
    "   \"externalUserState\": \"PendingAcceptance\","
    "   \"externalUserStateChangeDateTime\": \"2026-09-01T00:00:00Z\"},"
    "  {\"id\": \"u2\", \"mail\": \"stray@contoso.com\", \"userType\": \"Guest\","
    "   \"externalUserState\": \"Accepted\"}]}";

static void test_tenant_rules(void **state)
{
	static const char fresh[] =
	    "{\"tenantInformation\": [{\"tenantId\": \"2\", \"defaultDomainName\": "
	    "\"contoso.com\"}],"
	    " \"users\": [{\"id\": \"u1\", \"mail\": \"alice@contoso.com\", \"userType\": "
	    "\"Guest\","
	    " \"externalUserState\": \"PendingAcceptance\","
	    " \"externalUserStateChangeDateTime\": \"2026-11-20T00:00:00Z\"}]}";
	static const char one_domain[] =
	    TENANT SAFE_SETTINGS ENFORCED_MFA GROUPS "partners:\n"
						     "  - name: contoso\n"
						     "    domains: [contoso.com, contoso.de]\n"
						     "    guests:\n"
						     "      - email: alice@contoso.com\n"
						     "        groups: [readers]\n";

	(void)state;
	assert_int_equal(count_rule(clean, live_users, "pending-acceptance-stale", DIAG_WARNING),
			 1);
	assert_int_equal(count_rule(clean, fresh, "pending-acceptance-stale", -1), 0);
	assert_int_equal(count_rule(clean, NULL, "pending-acceptance-stale", -1), 0);
	assert_int_equal(count_rule(clean, live_users, "undeclared-partner-guests", DIAG_INFO), 1);
	assert_int_equal(count_rule(clean, fresh, "undeclared-partner-guests", -1), 0);
	/* contoso.de has no tenant; gmail.com is a consumer domain, not a missing tenant */
	assert_int_equal(count_rule(one_domain, live_users, "partner-domain-without-tenant", -1),
			 1);
	assert_int_equal(count_rule(clean, live_users, "partner-domain-without-tenant", -1), 0);
}

static void test_severity_overrides(void **state)
{
	static const char overrides[] =
	    TENANT SAFE_SETTINGS ENFORCED_MFA GROUPS "partners:\n"
						     "  - name: contoso\n"
						     "    domains: [contoso.com]\n"
						     "    guests:\n"
						     "      - email: lonely@contoso.com\n"
						     "settings:\n"
						     "  lint:\n"
						     "    orphan-guest: error\n"
						     "    undeclared-partner-guests: off\n";
	static const char unknown[] = TENANT SAFE_SETTINGS ENFORCED_MFA GROUPS PARTNER(
	    "alice@contoso.com", "") "settings:\n  lint:\n    orphan-guests: off\n";
	struct diag_list out = DIAG_LIST_INIT;
	struct config *cfg;

	(void)state;
	assert_int_equal(count_rule(overrides, NULL, "orphan-guest", DIAG_ERROR), 1);
	assert_int_equal(count_rule(overrides, live_users, "undeclared-partner-guests", -1), 0);
	cfg = fixture_config_ok(unknown);
	lint_run(cfg, NULL, NULL, NOW, &out);
	assert_int_equal(diag_count(&out, DIAG_ERROR), 1);
	assert_non_null(strstr(out.items[0].message, "orphan-guests"));
	diag_list_release(&out);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_clean_configuration_has_no_findings),
	    cmocka_unit_test(test_consumer_email_without_otp),
	    cmocka_unit_test(test_guest_domain_not_allowed),
	    cmocka_unit_test(test_tenant_settings_rules),
	    cmocka_unit_test(test_access_package_long_expiry),
	    cmocka_unit_test(test_no_enforced_guest_mfa),
	    cmocka_unit_test(test_mfa_trust_unused),
	    cmocka_unit_test(test_orphan_guest),
	    cmocka_unit_test(test_tenant_rules),
	    cmocka_unit_test(test_severity_overrides),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
