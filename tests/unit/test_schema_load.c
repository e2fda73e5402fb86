/*
 * Unit tests for the configuration loader: the example configuration loads
 * into the model config.h describes, positions are exact, lists concatenate
 * across files, and each rule of the language reports at the right place.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "schema_test_util.h"

#include <stdio.h>
#include <string.h>

static void test_examples_load_clean(void **state)
{
	const char *path = TEST_SOURCE_DIR "/examples/config";
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg;
	const struct cfg_partner *contoso;
	size_t i, guests = 0;

	(void)state;
	cfg = config_load(&path, 1, NULL, &diags);
	for (i = 0; i < diags.nr; i++)
		print_error("%s:%u:%u: %s\n", diags.items[i].file, diags.items[i].line,
			    diags.items[i].col, diags.items[i].message);
	assert_int_equal(diags.nr, 0);
	assert_int_equal(cfg->files_nr, 8);
	assert_string_equal(cfg->tenant_id.value, "11111111-1111-1111-1111-111111111111");
	assert_int_equal(cfg->partners_nr, 3);
	for (i = 0; i < cfg->partners_nr; i++)
		guests += cfg->partners[i].guests_nr;
	assert_int_equal(guests, 15);
	assert_int_equal(cfg->groups_nr, 7);
	assert_int_equal(cfg->conditional_access.policies_nr, 2);
	assert_int_equal(cfg->access_packages_nr, 2);

	contoso = config_find_partner(cfg, "contoso");
	assert_non_null(contoso);
	assert_null(config_find_partner(cfg, "Contoso"));
	assert_string_equal(contoso->name.pos.file,
			    TEST_SOURCE_DIR "/examples/config/partners/contoso.yaml");
	assert_int_equal(contoso->name.pos.line, 4);
	assert_int_equal(contoso->name.pos.col, 11);
	assert_int_equal(contoso->pos.line, 4);
	assert_int_equal(contoso->pos.col, 5);
	assert_int_equal(contoso->domains.nr, 2);
	assert_string_equal(contoso->domains.items[1].value, "contoso.co.uk");
	assert_true(contoso->cross_tenant_access.set);
	assert_true(contoso->cross_tenant_access.trust_mfa.set);
	assert_true(contoso->cross_tenant_access.trust_mfa.value);
	assert_int_equal(contoso->cross_tenant_access.b2b_collaboration_inbound.value,
			 INBOUND_ALLOWED);
	assert_true(contoso->connected_organization.value);
	assert_int_equal(contoso->guests[4].user_type.value, USER_TYPE_MEMBER);
	assert_false(contoso->guests[0].user_type.set);
	/* unset values keep the position of the mapping that would hold them */
	assert_int_equal(contoso->guests[0].user_type.pos.line, 17);
	assert_int_equal(contoso->guests[0].user_type.pos.col, 9);
	assert_string_equal(contoso->guests[0].user_type.pos.file, contoso->pos.file);
	assert_false(config_find_partner(cfg, "fabrikam")->cross_tenant_access.set);
	assert_int_equal(config_find_partner(cfg, "fabrikam")->cross_tenant_access.pos.line, 4);
	assert_int_equal(
	    config_find_partner(cfg, "fabrikam")->cross_tenant_access.trust_mfa.pos.line, 4);
	assert_false(config_find_partner(cfg, "fabrikam")->connected_organization.set);
	assert_int_equal(config_find_partner(cfg, "fabrikam")->connected_organization.pos.col, 5);

	assert_int_equal(cfg->external_collaboration.guest_user_access.value,
			 GUEST_ACCESS_RESTRICTED);
	assert_int_equal(cfg->external_collaboration.guest_invite_restrictions.value,
			 INVITE_ADMINS_AND_GUEST_INVITERS);
	assert_true(
	    cfg->external_collaboration.collaboration_restrictions.include_partner_domains.value);
	assert_int_equal(cfg->invitations.resend_pending_after.kind, EXPIRY_DURATION);
	assert_int_equal(cfg->invitations.resend_pending_after.approx_seconds, 14 * 86400);
	assert_true(cfg->conditional_access.policies[0].partners_all);
	assert_true(cfg->conditional_access.policies[0].applications_all);
	assert_false(cfg->conditional_access.policies[1].partners_all);
	assert_int_equal(cfg->conditional_access.policies[1].state.value, CA_STATE_REPORT_ONLY);
	assert_int_equal(cfg->conditional_access.policies[1].sign_in_frequency_hours.value, 12);
	assert_int_equal(cfg->access_packages[0].policies[0].expiry.kind, EXPIRY_DURATION);
	assert_int_equal(cfg->access_packages[0].policies[0].expiry.approx_seconds, 90 * 86400);
	assert_int_equal(cfg->access_packages[1].policies[0].expiry.kind, EXPIRY_DATE);
	assert_string_equal(cfg->access_packages[1].policies[0].expiry.text, "2027-03-31");
	assert_true(cfg->settings.set);
	assert_int_equal(cfg->settings.max_destroy.value, 10);
	assert_int_equal(config_find_group(cfg, "break-glass")->membership.value,
			 MEMBERSHIP_AUTHORITATIVE);
	assert_int_equal(strlen(cfg->hash), 40);
	config_free(cfg);
	diag_list_release(&diags);
}

static void test_hash_follows_names_and_bytes(void **state)
{
	struct mem_file a[] = {{"a.yaml", TENANT, 0}, {"b.yaml", "groups: []\n", 0}};
	struct mem_file b[] = {{"b.yaml", "groups: []\n", 0}, {"a.yaml", TENANT, 0}};
	struct mem_file c[] = {{"a.yaml", TENANT, 0}, {"b.yaml", "groups: [] \n", 0}};
	struct mem_file d[] = {{"a.yaml", TENANT, 0}, {"c.yaml", "groups: []\n", 0}};
	struct config *ca, *cb, *cc, *cd;
	char *e;

	(void)state;
	free(diagnostics_of(a, 2, &ca));
	free(diagnostics_of(b, 2, &cb));
	free(diagnostics_of(c, 2, &cc));
	e = diagnostics_of(d, 2, &cd);
	assert_string_equal(e, "");
	free(e);
	assert_string_equal(ca->hash, cb->hash);
	assert_string_not_equal(ca->hash, cc->hash);
	assert_string_not_equal(ca->hash, cd->hash);
	config_free(ca);
	config_free(cb);
	config_free(cc);
	config_free(cd);
}

static void test_lists_concatenate_across_files(void **state)
{
	struct mem_file files[] = {
	    {"a.yaml", TENANT "groups:\n  - name: one\n", 0},
	    {"b.yaml", "groups:\n  - name: two\n  - name: three\n", 0},
	    {"c.yaml", "conditionalAccess:\n  namePrefix: \"B2B - \"\n", 0},
	    {"d.yaml",
	     "conditionalAccess:\n  policies:\n    - name: B2B - x\n      state: enabled\n"
	     "      require: [mfa]\n",
	     0},
	};
	struct config *cfg;
	char *e = diagnostics_of(files, 4, &cfg);

	(void)state;
	assert_string_equal(e, "");
	assert_int_equal(cfg->groups_nr, 3);
	assert_string_equal(cfg->groups[2].name.value, "three");
	assert_string_equal(cfg->groups[2].name.pos.file, "b.yaml");
	assert_string_equal(cfg->conditional_access.name_prefix.value, "B2B - ");
	assert_int_equal(cfg->conditional_access.policies_nr, 1);
	free(e);
	config_free(cfg);
}

static void test_single_sections_once(void **state)
{
	struct mem_file files[] = {
	    {"a.yaml", TENANT "settings:\n  maxDestroy: 3\n", 0},
	    {"b.yaml", "settings:\n  maxDestroy: 4\n", 0},
	    {"c.yaml", "conditionalAccess:\n  prune: true\n", 0},
	    {"d.yaml", "conditionalAccess:\n  prune: false\n", 0},
	};
	struct config *cfg;
	char *e = diagnostics_of(files, 4, &cfg);

	(void)state;
	assert_string_equal(e, "b.yaml:1:1: duplicate section 'settings' (first defined at "
			       "a.yaml:4:3)\n"
			       "d.yaml:2:10: duplicate setting 'prune' (first defined at "
			       "c.yaml:2:10)\n");
	assert_int_equal(cfg->settings.max_destroy.value, 3);
	assert_true(cfg->conditional_access.prune.value);
	free(e);
	config_free(cfg);
}

static void test_duplicate_names_cite_both_places(void **state)
{
	struct mem_file files[] = {
	    {"a.yaml",
	     TENANT "partners:\n- name: contoso\n  domains: [contoso.com]\n  guests:\n"
		    "  - email: Alice@contoso.com\n",
	     0},
	    {"b.yaml",
	     "partners:\n- name: contoso\n  domains: [CONTOSO.com]\n"
	     "- name: other\n  domains: [other.com]\n  guests:\n  - email: x@other.com\n"
	     "groups:\n- name: g\n- name: G\n",
	     0},
	    {"c.yaml",
	     "partners:\n- name: third\n  domains: [contoso.com]\n  guests:\n"
	     "  - email: alice@CONTOSO.COM\n",
	     0},
	};
	char *e = diagnostics_of(files, 3, NULL);

	(void)state;
	assert_string_equal(
	    e, "b.yaml:2:9: duplicate partner name 'contoso' (first defined at a.yaml:4:9)\n"
	       "b.yaml:3:13: duplicate partner domain 'CONTOSO.com' (first defined at "
	       "a.yaml:5:13)\n"
	       "b.yaml:10:9: duplicate group name 'G' (first defined at b.yaml:9:9)\n"
	       "c.yaml:3:13: duplicate partner domain 'contoso.com' (first defined at "
	       "a.yaml:5:13)\n"
	       "c.yaml:5:12: duplicate guest email 'alice@CONTOSO.COM' (first defined at "
	       "a.yaml:7:12)\n");
	free(e);
}

static void test_unknown_key_suggests(void **state)
{
	(void)state;
	assert_errors("partners:\n  - name: contoso\n    domain: [contoso.com]\n",
		      "a.yaml:4:5: partner is missing required key 'domains'\n"
		      "a.yaml:5:5: unknown key 'domain' in partner; did you mean 'domains'?\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_examples_load_clean),
	    cmocka_unit_test(test_hash_follows_names_and_bytes),
	    cmocka_unit_test(test_lists_concatenate_across_files),
	    cmocka_unit_test(test_single_sections_once),
	    cmocka_unit_test(test_duplicate_names_cite_both_places),
	    cmocka_unit_test(test_unknown_key_suggests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
