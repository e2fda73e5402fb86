/*
 * Unit tests for the rules of the configuration language: strict types and
 * enums, value syntax in context, references between sections and the
 * combinations that are refused. Each asserts the exact diagnostics.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "schema_test_util.h"

#define GROUPS "groups:\n  - name: finance-readers\n  - name: break-glass\n"
#define CONTOSO                                                                                    \
	"partners:\n  - name: contoso\n    domains: [contoso.com]\n"                               \
	"    connectedOrganization: true\n  - name: fabrikam\n    domains: [fabrikam.com]\n"

static void test_booleans_are_true_or_false(void **state)
{
	(void)state;
	assert_errors("invitations:\n  sendEmail: yes\n",
		      "a.yaml:4:14: 'yes' is not a boolean in b2bctl: write true or false for "
		      "'sendEmail'\n");
	assert_errors("invitations:\n  sendEmail: \"true\"\n",
		      "a.yaml:4:14: 'sendEmail' must be true or false, not 'true'\n");
	assert_errors("invitations:\n  sendEmail: False\n",
		      "a.yaml:4:14: 'False' is not a boolean in b2bctl: write true or false for "
		      "'sendEmail'\n");
	assert_errors("invitations:\n  sendEmail: true\n", "");
}

static void test_enums_suggest(void **state)
{
	(void)state;
	assert_errors("externalCollaboration:\n  guestUserAccess: restriced\n",
		      "a.yaml:4:20: invalid value 'restriced' for 'guestUserAccess' (expected "
		      "member, limited or restricted); did you mean 'restricted'?\n");
	assert_errors("externalCollaboration:\n  emailOneTimePasscode: on\n",
		      "a.yaml:4:25: invalid value 'on' for 'emailOneTimePasscode' (expected "
		      "enabled, disabled or default)\n");
	assert_errors("groups:\n  - name: g\n    membership: Additive\n",
		      "a.yaml:5:17: invalid value 'Additive' for 'membership' (expected "
		      "authoritative or additive); did you mean 'additive'?\n");
}

static void test_numbers(void **state)
{
	(void)state;
	assert_errors("settings:\n  maxDestroy: -1\n",
		      "a.yaml:4:15: 'maxDestroy' must be 0 or more, not -1\n");
	assert_errors("settings:\n  maxDestroy: ten\n",
		      "a.yaml:4:15: 'maxDestroy' must be a whole number, not 'ten'\n");
	assert_errors("settings:\n  maxDestroy: \"10\"\n",
		      "a.yaml:4:15: 'maxDestroy' must be a whole number, not '10'\n");
	assert_errors("settings:\n  maxDestroy: 99999999999999999999\n",
		      "a.yaml:4:15: 'maxDestroy' must be a whole number, not "
		      "'99999999999999999999'\n");
	assert_errors(GROUPS
		      "conditionalAccess:\n  policies:\n    - name: p\n      state: enabled\n"
		      "      signInFrequencyHours: 0\n",
		      "a.yaml:10:29: 'signInFrequencyHours' must be between 1 and 720, not 0\n");
}

static void test_types(void **state)
{
	(void)state;
	assert_errors("partners:\n  - name: contoso\n    domains: contoso.com\n",
		      "a.yaml:5:14: 'domains' must be a list, not 'contoso.com'\n");
	assert_errors("partners:\n  - contoso\n",
		      "a.yaml:4:5: the items of 'partners' must be mappings, not 'contoso'\n");
	assert_errors("invitations: https://example.com\n",
		      "a.yaml:3:14: 'invitations' must be a mapping, not 'https://example.com'\n");
	assert_errors("groups:\n", "a.yaml:3:8: 'groups' must be a list, not empty\n");
	assert_errors("settings: \"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
		      "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\"\n",
		      "a.yaml:3:11: 'settings' must be a mapping, not "
		      "'\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
		      "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9...'\n");
	assert_errors("groups:\n  - name: [a]\n",
		      "a.yaml:4:11: 'name' must be a string, not a list\n");
	assert_errors("groups:\n  - name: \"\"\n", "a.yaml:4:11: 'name' must not be empty\n");
	assert_errors("groups:\n  - name: g\n    members: [a@hostcorp.com, {x: 1}]\n",
		      "a.yaml:5:31: the items of 'members' must be strings, not a mapping\n");
	assert_errors("groups:\n  - name: g\n    members: [a@hostcorp.com, A@hostcorp.com]\n",
		      "a.yaml:5:31: 'A@hostcorp.com' is listed twice in 'members' (first defined "
		      "at a.yaml:5:15)\n");
}

static void test_values_in_context(void **state)
{
	(void)state;
	assert_errors("invitations:\n  redirectUrl: http://myapps.microsoft.com\n",
		      "a.yaml:4:16: invalid redirectUrl 'http://myapps.microsoft.com': it must "
		      "start with https://\n");
	assert_errors("partners:\n  - name: contoso\n    domains: [contoso]\n"
		      "    tenantId: 2222\n",
		      "a.yaml:5:15: invalid domain 'contoso': it needs at least two labels, as in "
		      "contoso.com\n"
		      "a.yaml:6:15: invalid tenantId '2222' (expected a GUID such as "
		      "11111111-2222-3333-4444-555555555555)\n");
	assert_errors("partners:\n  - name: contoso ltd\n    domains: [contoso.com]\n",
		      "a.yaml:4:11: invalid name 'contoso ltd' (use letters, digits, '.', '_' and "
		      "'-')\n");
	assert_errors("partners:\n  - name: c\n    domains: [c.com]\n    guests:\n"
		      "      - email: alice.c.com\n",
		      "a.yaml:7:16: invalid email address 'alice.c.com': it has no '@'\n");
	assert_errors("conditionalAccess:\n  policies:\n    - name: p\n      state: enabled\n"
		      "      require: [mfa]\n      applications: [Office365, not-a-guid]\n",
		      "a.yaml:8:33: invalid application 'not-a-guid' (expected an application id "
		      "(GUID) or Office365)\n");
}

static void test_expiry(void **state)
{
	(void)state;
	assert_errors("invitations:\n  resendPendingAfter: P1H\n",
		      "a.yaml:4:23: invalid ISO-8601 duration 'P1H' for 'resendPendingAfter': "
		      "hours and seconds come after 'T', as in PT12H\n");
	assert_errors("invitations:\n  resendPendingAfter: never\n",
		      "a.yaml:4:23: invalid 'resendPendingAfter' value 'never': expected an "
		      "ISO-8601 duration such as P14D\n");
	assert_errors(CONTOSO
		      "accessPackages:\n  - name: p\n    catalog: c\n    policies:\n"
		      "      - name: a\n        partners: [contoso]\n        expiry: 2027-02-29\n"
		      "      - name: b\n        partners: [contoso]\n        expiry: soon\n"
		      "      - name: c\n        partners: [contoso]\n        expiry: PT\n"
		      "      - name: d\n        partners: [contoso]\n        expiry: never\n",
		      "a.yaml:15:17: invalid date '2027-02-29' for 'expiry': there is no such day "
		      "in that month\n"
		      "a.yaml:18:17: invalid 'expiry' value 'soon': expected an ISO-8601 duration "
		      "(P90D), a date (YYYY-MM-DD) or never\n"
		      "a.yaml:21:17: invalid ISO-8601 duration 'PT' for 'expiry': 'T' must be "
		      "followed by hours, minutes or seconds\n");
}

static void test_references(void **state)
{
	(void)state;
	assert_errors(GROUPS CONTOSO "    guestGroups: [finance-reader]\n    guests:\n"
				     "      - email: ann@fabrikam.com\n"
				     "        groups: [Break-Glass, nobody-at-all]\n",
		      "a.yaml:12:19: unknown group 'finance-reader'; did you mean "
		      "'finance-readers'?\n"
		      "a.yaml:15:18: unknown group 'Break-Glass'; did you mean 'break-glass'?\n"
		      "a.yaml:15:31: unknown group 'nobody-at-all' (not declared under groups)\n");
}

static void test_guest_domain_and_group_refs(void **state)
{
	(void)state;
	assert_errors(GROUPS CONTOSO "    guests:\n      - email: ann@contoso.com\n"
				     "        groups: [Break-Glass, nobody-at-all]\n",
		      "a.yaml:13:16: guest 'ann@contoso.com' is not in a domain of partner "
		      "'fabrikam' (fabrikam.com)\n"
		      "a.yaml:14:18: unknown group 'Break-Glass'; did you mean 'break-glass'?\n"
		      "a.yaml:14:31: unknown group 'nobody-at-all' (not declared under groups)\n");
}

static void test_collaboration_lists(void **state)
{
	(void)state;
	assert_errors(CONTOSO "externalCollaboration:\n  collaborationRestrictions:\n"
			      "    allowDomains: [a.com]\n    blockDomains: [b.com, Contoso.com]\n"
			      "    includePartnerDomains: true\n",
		      "a.yaml:12:19: allowDomains and blockDomains cannot both be set: Entra ID "
		      "keeps either an allow list or a block list\n"
		      "a.yaml:12:27: blockDomains blocks 'Contoso.com', a domain of partner "
		      "'contoso'\n"
		      "a.yaml:13:28: includePartnerDomains applies to allowDomains, not to "
		      "blockDomains\n");
}

static void test_conditional_access_rules(void **state)
{
	(void)state;
	assert_errors(GROUPS CONTOSO
		      "conditionalAccess:\n  policies:\n"
		      "    - name: Block them\n      state: enabled\n      block: true\n"
		      "      require: [mfa]\n      partners: [contoso, fabrikan]\n"
		      "    - name: block them\n      state: disabled\n"
		      "      guestTypes: [all, b2bCollaborationGuest]\n      requireAll: true\n"
		      "      excludeGroups: [break-glass]\n",
		      "a.yaml:17:16: 'require' cannot be combined with block: true (a blocking "
		      "policy grants nothing)\n"
		      "a.yaml:18:27: unknown partner 'fabrikan'; did you mean 'fabrikam'?\n"
		      "a.yaml:19:7: conditional-access policy 'block them' does nothing: set "
		      "'require', block: true or 'signInFrequencyHours'\n"
		      "a.yaml:19:13: duplicate conditional-access policy name 'block them' (first "
		      "defined at a.yaml:14:13)\n"
		      "a.yaml:21:20: guest type 'all' must be the only one in 'guestTypes'\n"
		      "a.yaml:22:19: 'requireAll' needs 'require'\n");
}

static void test_access_package_rules(void **state)
{
	(void)state;
	assert_errors(
	    GROUPS CONTOSO
	    "accessPackages:\n  - name: p\n    catalog: c\n    groups: [finance-readers]\n"
	    "    policies:\n      - name: one\n        partners: [fabrikam, contoso]\n"
	    "        approvers: [finance-owners]\n"
	    "      - name: ONE\n        allPartners: true\n        partners: [contoso]\n"
	    "      - name: three\n"
	    "  - name: P\n    catalog: c\n",
	    "a.yaml:18:20: partner 'fabrikam' is not a connected organisation (set "
	    "connectedOrganization: true on it)\n"
	    "a.yaml:19:21: unknown group 'finance-owners'; did you mean "
	    "'finance-readers'?\n"
	    "a.yaml:20:15: duplicate policy name 'ONE' in access package 'p' (first "
	    "defined at a.yaml:17:15)\n"
	    "a.yaml:21:22: set either allPartners: true or 'partners', not both\n"
	    "a.yaml:23:9: access-package policy 'three' names no requestors: set "
	    "'partners' or allPartners: true\n"
	    "a.yaml:24:11: duplicate access package name 'P' (first defined at "
	    "a.yaml:13:11)\n");
}

static void test_all_partners_needs_a_connected_organisation(void **state)
{
	(void)state;
	assert_errors("partners:\n  - name: f\n    domains: [f.com]\n"
		      "accessPackages:\n  - name: p\n    catalog: c\n    policies:\n"
		      "      - name: any\n        allPartners: true\n",
		      "a.yaml:11:22: allPartners: true, but no partner has connectedOrganization: "
		      "true\n");
}

static void test_tenant_rules(void **state)
{
	struct mem_file no_tenant[] = {{"b.yaml", "groups: []\n", 0}, {"a.yaml", "", 0}};
	struct mem_file bad[] = {{"a.yaml", "tenant:\n  id: not-a-guid\n", 0}};
	struct mem_file none[] = {{"x/a.yaml", TENANT, 0}};
	char *e;

	(void)state;
	e = diagnostics_of(no_tenant, 2, NULL);
	assert_string_equal(e, "a.yaml:1:1: no tenant declared: one file must hold 'tenant:' "
			       "with the host tenant's 'id'\n");
	free(e);
	e = diagnostics_of(bad, 1, NULL);
	assert_string_equal(e, "a.yaml:2:7: invalid id 'not-a-guid' (expected a GUID such as "
			       "11111111-2222-3333-4444-555555555555)\n");
	free(e);
	assert_errors("partners:\n  - name: self\n    domains: [self.com]\n"
		      "    tenantId: 11111111-1111-1111-1111-111111111111\n",
		      "a.yaml:6:15: partner tenantId '11111111-1111-1111-1111-111111111111' is the "
		      "host tenant's own id\n");
	{
		struct mem_files m = {none, 1};
		struct config_source src = {mem_list, mem_read, &m};
		struct diag_list diags = DIAG_LIST_INIT;
		const char *path = "y";
		struct config *cfg = config_load(&path, 1, &src, &diags);

		assert_int_equal(diags.nr, 1);
		assert_null(diags.items[0].file);
		assert_string_equal(diags.items[0].message,
				    "cannot read 'y': No such file or directory");
		config_free(cfg);
		diag_list_release(&diags);
	}
}

static void test_lint_settings(void **state)
{
	struct config *cfg;
	struct mem_file f = {"a.yaml",
			     TENANT "settings:\n  lint:\n    guest-without-group: off\n"
				    "    stale-invitation: error\n",
			     0};
	char *e = diagnostics_of(&f, 1, &cfg);

	(void)state;
	assert_string_equal(e, "");
	free(e);
	assert_int_equal(cfg->settings.lint_nr, 2);
	assert_string_equal(cfg->settings.lint[0].rule, "guest-without-group");
	assert_int_equal(cfg->settings.lint[0].level, LINT_OFF);
	assert_int_equal(cfg->settings.lint[1].level, LINT_ERROR);
	assert_int_equal(cfg->settings.lint[1].pos.line, 6);
	config_free(cfg);
	assert_errors("settings:\n  lint:\n    Guest_Rule: off\n    x: warn\n",
		      "a.yaml:5:5: invalid lint rule id 'Guest_Rule' (lowercase letters, digits "
		      "and '-')\n"
		      "a.yaml:6:8: invalid value 'warn' for 'x' (expected off, info, warning or "
		      "error); did you mean 'warning'?\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_booleans_are_true_or_false),
	    cmocka_unit_test(test_enums_suggest),
	    cmocka_unit_test(test_numbers),
	    cmocka_unit_test(test_types),
	    cmocka_unit_test(test_values_in_context),
	    cmocka_unit_test(test_expiry),
	    cmocka_unit_test(test_references),
	    cmocka_unit_test(test_guest_domain_and_group_refs),
	    cmocka_unit_test(test_collaboration_lists),
	    cmocka_unit_test(test_conditional_access_rules),
	    cmocka_unit_test(test_access_package_rules),
	    cmocka_unit_test(test_all_partners_needs_a_connected_organisation),
	    cmocka_unit_test(test_tenant_rules),
	    cmocka_unit_test(test_lint_settings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
