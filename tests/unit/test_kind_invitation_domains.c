/*
 * Unit tests for the invitation_domains kind: the allow/deny list inside the
 * b2bManagementPolicy definition (JSON in a string) compared as a
 * case-insensitive set, written sorted and lowercased with the document's
 * other keys kept; the single-quoted sample read as no list, with a warning.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "partners_fixture.h"

extern const struct kind kind_invitation_domains;

static const char *const allow_yaml = "tenant:\n"
				      "  id: 11111111-1111-1111-1111-111111111111\n"
				      "externalCollaboration:\n"
				      "  collaborationRestrictions:\n"
				      "    allowDomains: [Contoso.com, woodgrove.com]\n"
				      "    includePartnerDomains: true\n"
				      "partners:\n"
				      "  - name: fabrikam\n"
				      "    domains: [fabrikam.com, FABRIKAM.co.uk]\n";

static const char *const block_yaml = "tenant:\n"
				      "  id: 11111111-1111-1111-1111-111111111111\n"
				      "externalCollaboration:\n"
				      "  collaborationRestrictions:\n"
				      "    blockDomains: [Live.com, gmail.com]\n";

#define WANT_ALLOWED "[\"contoso.com\", \"fabrikam.co.uk\", \"fabrikam.com\", \"woodgrove.com\"]"

static json_t *definition_of(const struct plan_action *a)
{
	json_t *def = json_object_get(json_object_get(a->data, "body"), "definition");

	assert_int_equal(json_array_size(def), 1);
	assert_true(json_is_string(json_array_get(def, 0)));
	return fixture_json(json_string_value(json_array_get(def, 0)));
}

static struct plan *diff_yaml(const char *yaml, const char *live_text, struct diag_list *diags)
{
	struct config *cfg = fixture_config_ok(yaml);
	json_t *live = fixture_json(live_text);
	struct plan *plan = fixture_diff(&kind_invitation_domains, cfg, live, diags);

	json_decref(live);
	config_free(cfg);
	return plan;
}

static void test_create_when_no_policy(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct plan *plan = diff_yaml(allow_yaml, "{}", &diags);
	struct plan_action *a;
	json_t *doc;

	(void)state;
	assert_int_equal(plan->nr, 1);
	a = &plan->actions[0];
	assert_int_equal(a->op, PLAN_CREATE);
	assert_string_equal(a->address, "invitation_domains.tenant");
	assert_change(a, "AllowedDomains", "null", WANT_ALLOWED);
	assert_null(find_change(a, "BlockedDomains"));
	assert_json(json_object_get(a->data, "method"), "\"POST\"");
	assert_json(json_object_get(a->data, "path"), "\"/beta/policies/b2bManagementPolicies\"");
	assert_json(json_object_get(a->data, "batchable"), "false");
	assert_json(json_object_get(json_object_get(a->data, "body"), "isOrganizationDefault"),
		    "true");
	assert_json(json_object_get(json_object_get(a->data, "body"), "displayName"),
		    "\"B2BManagementPolicy\"");
	doc = definition_of(a);
	assert_json(doc, "{\"B2BManagementPolicy\": "
			 "{\"InvitationsAllowedAndBlockedDomainsPolicy\":"
			 " {\"AllowedDomains\": " WANT_ALLOWED "}}}");
	json_decref(doc);
	plan_free(plan);
	diag_list_release(&diags);
}

static void test_update_keeps_other_keys(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct plan *plan =
	    diff_yaml(allow_yaml,
		      "{\"b2bManagementPolicy\": {\"id\": \"p1\", \"isOrganizationDefault\": "
		      "\"true\","
		      " \"definition\": [\"{\\\"B2BManagementPolicy\\\":{\\\"Version\\\":1,"
		      "\\\"InvitationsAllowedAndBlockedDomainsPolicy\\\":{"
		      "\\\"AllowedDomains\\\":[],"
		      "\\\"BlockedDomains\\\":[\\\"live.com\\\"]}}}\"]}}",
		      &diags);
	struct plan_action *a;
	json_t *doc;

	(void)state;
	assert_int_equal(plan->nr, 1);
	a = &plan->actions[0];
	assert_int_equal(a->op, PLAN_UPDATE);
	assert_change(a, "AllowedDomains", "[]", WANT_ALLOWED);
	assert_change(a, "BlockedDomains", "[\"live.com\"]", "[]");
	assert_json(json_object_get(a->data, "method"), "\"PATCH\"");
	assert_json(json_object_get(a->data, "path"),
		    "\"/beta/policies/b2bManagementPolicies/p1\"");
	doc = definition_of(a);
	assert_json(doc, "{\"B2BManagementPolicy\": {\"Version\": 1,"
			 " \"InvitationsAllowedAndBlockedDomainsPolicy\": "
			 "{\"AllowedDomains\": " WANT_ALLOWED "}}}");
	json_decref(doc);
	plan_free(plan);
	diag_list_release(&diags);
}

static void test_same_set_in_other_case_and_order_is_no_change(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct plan *plan = diff_yaml(allow_yaml,
				      "{\"b2bManagementPolicy\": {\"id\": \"p1\", \"definition\": "
				      "[\"{\\\"B2BManagementPolicy\\\":"
				      "{\\\"InvitationsAllowedAndBlockedDomainsPolicy\\\":{"
				      "\\\"AllowedDomains\\\":"
				      "[\\\"WOODGROVE.com\\\",\\\"contoso.com\\\",\\\"fabrikam."
				      "com\\\",\\\"Fabrikam.CO.UK\\\","
				      "\\\"contoso.com\\\"],\\\"BlockedDomains\\\":[]}}}\"]}}",
				      &diags);

	(void)state;
	assert_int_equal(plan->nr, 0);
	assert_int_equal(diags.nr, 0);
	plan_free(plan);
	diag_list_release(&diags);
}

static void test_block_list_replaces_allow_list(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct plan *plan = diff_yaml(block_yaml,
				      "{\"b2bManagementPolicy\": {\"id\": \"p1\", \"definition\": "
				      "[\"{\\\"B2BManagementPolicy\\\":"
				      "{\\\"InvitationsAllowedAndBlockedDomainsPolicy\\\":{"
				      "\\\"AllowedDomains\\\":"
				      "[\\\"contoso.com\\\"]}}}\"]}}",
				      &diags);
	json_t *doc;

	(void)state;
	assert_int_equal(plan->nr, 1);
	assert_change(&plan->actions[0], "AllowedDomains", "[\"contoso.com\"]", "[]");
	assert_change(&plan->actions[0], "BlockedDomains", "[]", "[\"gmail.com\", \"live.com\"]");
	doc = definition_of(&plan->actions[0]);
	assert_json(doc, "{\"B2BManagementPolicy\": "
			 "{\"InvitationsAllowedAndBlockedDomainsPolicy\":"
			 " {\"BlockedDomains\": [\"gmail.com\", \"live.com\"]}}}");
	json_decref(doc);
	plan_free(plan);
	diag_list_release(&diags);
}

static void test_single_quoted_sample_warns_and_is_replaced(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct plan *plan = diff_yaml(block_yaml,
				      "{\"b2bManagementPolicy\": {\"id\": \"f596\", \"definition\":"
				      " [\"{'B2BManagementPolicy':{'Version':1}}\"],"
				      " \"isOrganizationDefault\": \"true\"}}",
				      &diags);

	(void)state;
	assert_int_equal(diag_count(&diags, DIAG_WARNING), 1);
	assert_int_equal(diag_count(&diags, DIAG_ERROR), 0);
	assert_non_null(strstr(diags.items[0].message, "not JSON"));
	assert_int_equal(plan->nr, 1);
	assert_int_equal(plan->actions[0].op, PLAN_UPDATE);
	assert_change(&plan->actions[0], "BlockedDomains", "[]", "[\"gmail.com\", \"live.com\"]");
	plan_free(plan);
	diag_list_release(&diags);
}

static void test_unmanaged_without_domain_lists(void **state)
{
	static const struct fake_answer answers[] = {
	    {"GET", "/beta/policies/b2bManagementPolicies", 200, "{\"value\": []}"},
	};
	const struct kind *const read_kinds[] = {&kind_invitation_domains};
	const char *yaml = "tenant:\n"
			   "  id: 11111111-1111-1111-1111-111111111111\n"
			   "externalCollaboration:\n"
			   "  guestUserAccess: limited\n";
	struct config *cfg = fixture_config_ok(yaml);
	struct diag_list diags = DIAG_LIST_INIT;
	struct fake_tenant t;
	struct plan *plan;
	json_t *live;

	(void)state;
	fake_tenant_init(&t, answers, ARRAY_SIZE(answers));
	live = fixture_read(read_kinds, 1, cfg, &t.base, &diags);
	assert_int_equal(t.requests, 0);
	plan = fixture_diff(&kind_invitation_domains, cfg, live, &diags);
	assert_int_equal(plan->nr, 0);
	plan_free(plan);
	fake_tenant_release(&t);
	json_decref(live);
	config_free(cfg);
	diag_list_release(&diags);
}

static void test_read_keeps_the_organization_default(void **state)
{
	static const struct fake_answer answers[] = {
	    {"GET", "/beta/policies/b2bManagementPolicies", 200,
	     "{\"value\": [{\"id\": \"other\", \"isOrganizationDefault\": false},"
	     " {\"id\": \"f596\", \"isOrganizationDefault\": \"true\","
	     " \"definition\": [\"{'B2BManagementPolicy':{'Version':1}}\"]}]}"},
	};
	const struct kind *const read_kinds[] = {&kind_invitation_domains};
	struct config *cfg = fixture_config_ok(block_yaml);
	struct diag_list diags = DIAG_LIST_INIT;
	struct fake_tenant t;
	json_t *live;

	(void)state;
	fake_tenant_init(&t, answers, ARRAY_SIZE(answers));
	live = fixture_read(read_kinds, 1, cfg, &t.base, &diags);
	assert_int_equal(t.requests, 1);
	assert_non_null(strstr(t.log.buf, " paged\n"));
	assert_null(strstr(t.log.buf, "batchable"));
	assert_json(json_object_get(json_object_get(live, "b2bManagementPolicy"), "id"),
		    "\"f596\"");
	fake_tenant_release(&t);
	json_decref(live);
	config_free(cfg);
	diag_list_release(&diags);
}

static void test_apply_create_records_id(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct plan *plan = diff_yaml(block_yaml, "{}", &diags);
	struct fixture_apply fa;
	struct tenant_request req;

	(void)state;
	fixture_apply_init(&fa, plan);
	assert_int_equal(
	    kind_invitation_domains.apply_step(&fa.ctx, &plan->actions[0], fa.state, NULL, &req),
	    APPLY_STEP_MORE);
	assert_string_equal(req.method, "POST");
	assert_false(req.flags & TENANT_BATCHABLE);
	fixture_answer(&req, 201, "{\"id\": \"new-policy\", \"isOrganizationDefault\": true}");
	assert_int_equal(
	    kind_invitation_domains.apply_step(&fa.ctx, &plan->actions[0], fa.state, &req, NULL),
	    APPLY_STEP_DONE);
	assert_string_equal(apply_ctx_id(&fa.ctx, "invitation_domains.tenant"), "new-policy");
	tenant_request_release(&req);
	fixture_apply_release(&fa);
	plan_free(plan);
	diag_list_release(&diags);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_create_when_no_policy),
	    cmocka_unit_test(test_update_keeps_other_keys),
	    cmocka_unit_test(test_same_set_in_other_case_and_order_is_no_change),
	    cmocka_unit_test(test_block_list_replaces_allow_list),
	    cmocka_unit_test(test_single_quoted_sample_warns_and_is_replaced),
	    cmocka_unit_test(test_unmanaged_without_domain_lists),
	    cmocka_unit_test(test_read_keeps_the_organization_default),
	    cmocka_unit_test(test_apply_create_records_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
