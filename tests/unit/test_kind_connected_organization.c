/*
 * Unit tests for the connected_organization kind and the lookup helper other
 * kinds use: matching by tenant, domain or name, create and update payloads,
 * identity sources that cannot be changed reported as a warning, and the id
 * a create leaves for access-package policies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "partners_fixture.h"
#include "reconcile/kinds/partners_common.h"

extern const struct kind kind_connected_organization;

#define CONTOSO "22222222-2222-2222-2222-222222222222"

static const char *const orgs_yaml = "tenant:\n"
				     "  id: 11111111-1111-1111-1111-111111111111\n"
				     "partners:\n"
				     "  - name: contoso\n"
				     "    displayName: Contoso Ltd.\n"
				     "    domains: [contoso.com]\n"
				     "    tenantId: " CONTOSO "\n"
				     "    connectedOrganization: true\n"
				     "  - name: tailspin\n"
				     "    domains: [tailspin.example, Tailspin.co.uk]\n"
				     "    connectedOrganization: true\n"
				     "  - name: woodgrove\n"
				     "    domains: [woodgrove.com]\n";

static const char *const matching_orgs =
    "{\"connectedOrganizations\": ["
    "{\"id\": \"co1\", \"displayName\": \"Contoso (old)\", \"description\": "
    "\"Contoso Ltd.\","
    " \"state\": \"proposed\", \"identitySources\": [{\"@odata.type\":"
    " \"microsoft.graph.azureActiveDirectoryTenant\", \"tenantId\": \"" CONTOSO "\","
    " \"displayName\": \"Contoso\"}]},"
    "{\"id\": \"co2\", \"displayName\": \"tailspin\", \"description\": "
    "\"tailspin\","
    " \"state\": \"configured\", \"identitySources\": ["
    "{\"@odata.type\": \"#microsoft.graph.domainIdentitySource\", "
    "\"domainName\": "
    "\"TAILSPIN.example\", \"displayName\": \"tailspin.example\"},"
    "{\"@odata.type\": \"#microsoft.graph.domainIdentitySource\", "
    "\"domainName\": "
    "\"tailspin.co.uk\", \"displayName\": \"tailspin.co.uk\"}]},"
    "{\"id\": \"co3\", \"displayName\": \"woodgrove\", \"identitySources\": "
    "[]}]}";

static void test_create_payloads(void **state)
{
	struct config *cfg = fixture_config_ok(orgs_yaml);
	struct diag_list diags = DIAG_LIST_INIT;
	json_t *live = fixture_json("{}");
	struct plan *plan = fixture_diff(&kind_connected_organization, cfg, live, &diags);
	struct plan_action *a;
	const char *lookup;

	(void)state;
	assert_int_equal(plan->nr, 2);
	a = plan_find(plan, "connected_organization.contoso");
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_CREATE);
	assert_change(a, "displayName", "null", "\"Contoso Ltd.\"");
	assert_json(json_object_get(a->data, "body"),
		    "{\"displayName\": \"Contoso Ltd.\", \"description\": \"Contoso Ltd.\","
		    " \"state\": \"configured\", \"identitySources\": [{\"@odata.type\":"
		    " \"#microsoft.graph.azureActiveDirectoryTenant\", \"tenantId\": "
		    "\"" CONTOSO "\","
		    " \"displayName\": \"Contoso Ltd.\"}]}");
	assert_json(json_object_get(a->data, "method"), "\"POST\"");
	lookup = json_string_value(json_object_get(a->data, "lookup"));
	assert_non_null(lookup);
	assert_non_null(strstr(lookup, "$filter=displayName%20eq%20%27Contoso%20Ltd.%27"));

	a = plan_find(plan, "connected_organization.tailspin");
	assert_non_null(a);
	assert_json(json_object_get(json_object_get(a->data, "body"), "identitySources"),
		    "[{\"@odata.type\": \"#microsoft.graph.domainIdentitySource\", "
		    "\"domainName\":"
		    " \"tailspin.example\", \"displayName\": \"tailspin.example\"},"
		    " {\"@odata.type\": \"#microsoft.graph.domainIdentitySource\", "
		    "\"domainName\":"
		    " \"tailspin.co.uk\", \"displayName\": \"tailspin.co.uk\"}]");
	assert_null(plan_find(plan, "connected_organization.woodgrove"));
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
	diag_list_release(&diags);
}

static void test_update_of_matched_organizations(void **state)
{
	struct config *cfg = fixture_config_ok(orgs_yaml);
	struct diag_list diags = DIAG_LIST_INIT;
	json_t *live = fixture_json(matching_orgs);
	struct plan *plan = fixture_diff(&kind_connected_organization, cfg, live, &diags);
	struct plan_action *a;

	(void)state;
	assert_int_equal(diags.nr, 0);
	assert_int_equal(plan->nr, 1);
	a = plan_find(plan, "connected_organization.contoso");
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_UPDATE);
	assert_int_equal(a->changes_nr, 2);
	assert_change(a, "displayName", "\"Contoso (old)\"", "\"Contoso Ltd.\"");
	assert_change(a, "state", "\"proposed\"", "\"configured\"");
	assert_json(a->data,
		    "{\"method\": \"PATCH\", \"path\": "
		    "\"/v1.0/identityGovernance/entitlementManagement/connectedOrganizations/"
		    "co1\", \"batchable\": true, \"id\": \"co1\", \"body\": {\"displayName\":"
		    " \"Contoso Ltd.\", \"state\": \"configured\"}}");
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
	diag_list_release(&diags);
}

static void test_lookup_helper_matches_tenant_domain_then_name(void **state)
{
	struct config *cfg = fixture_config_ok(orgs_yaml);
	json_t *live = fixture_json(matching_orgs);
	json_t *by_name = fixture_json("{\"connectedOrganizations\": [{\"id\": \"n1\","
				       " \"displayName\": \"Contoso Ltd.\"}]}");
	json_t *empty = fixture_json("{}");
	size_t i;

	(void)state;
	assert_json(json_object_get(live_connected_organization_for(live, &cfg->partners[0]), "id"),
		    "\"co1\"");
	assert_json(json_object_get(live_connected_organization_for(live, &cfg->partners[1]), "id"),
		    "\"co2\"");
	assert_json(json_object_get(live_connected_organization_for(live, &cfg->partners[2]), "id"),
		    "\"co3\"");
	assert_json(
	    json_object_get(live_connected_organization_for(by_name, &cfg->partners[0]), "id"),
	    "\"n1\"");
	assert_null(live_connected_organization_for(empty, &cfg->partners[0]));
	for (i = 0; i < cfg->partners_nr; i++) {
		json_t *index = connected_organization_index_build(live);

		assert_ptr_equal(connected_organization_index_find(index, live, &cfg->partners[i]),
				 live_connected_organization_for(live, &cfg->partners[i]));
		json_decref(index);
	}
	json_decref(live);
	json_decref(by_name);
	json_decref(empty);
	config_free(cfg);
}

static void test_changed_identity_sources_warn_without_action(void **state)
{
	struct config *cfg = fixture_config_ok(orgs_yaml);
	struct diag_list diags = DIAG_LIST_INIT;
	json_t *live = fixture_json("{\"connectedOrganizations\": [{\"id\": \"co9\", "
				    "\"displayName\": \"Contoso Ltd.\","
				    " \"description\": \"Contoso Ltd.\", \"state\": "
				    "\"configured\", \"identitySources\":"
				    " [{\"@odata.type\": "
				    "\"#microsoft.graph.domainIdentitySource\", \"domainName\":"
				    " \"contoso.com\"}]}]}");
	struct plan *plan = fixture_diff(&kind_connected_organization, cfg, live, &diags);

	(void)state;
	assert_null(plan_find(plan, "connected_organization.contoso"));
	assert_int_equal(diag_count(&diags, DIAG_WARNING), 1);
	assert_string_equal(diags.items[0].rule, "connected-organization-identity-sources");
	assert_non_null(strstr(diags.items[0].message, "co9"));
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
	diag_list_release(&diags);
}

static void test_read_lists_in_pages_only_when_needed(void **state)
{
	static const struct fake_answer answers[] = {
	    {"GET", "/v1.0/identityGovernance/entitlementManagement/connectedOrganizations", 200,
	     "{\"value\": [{\"id\": \"co1\", \"displayName\": \"x\"}]}"},
	};
	const struct kind *const read_kinds[] = {&kind_connected_organization};
	struct config *cfg = fixture_config_ok(orgs_yaml);
	struct config *none = fixture_config_ok("tenant:\n"
						"  id: 11111111-1111-1111-1111-111111111111\n"
						"partners:\n"
						"  - name: woodgrove\n"
						"    domains: [woodgrove.com]\n");
	struct diag_list diags = DIAG_LIST_INIT;
	struct fake_tenant t;
	json_t *live;

	(void)state;
	fake_tenant_init(&t, answers, ARRAY_SIZE(answers));
	live = fixture_read(read_kinds, 1, cfg, &t.base, &diags);
	assert_int_equal(t.requests, 1);
	assert_non_null(strstr(t.log.buf, "$top="));
	assert_non_null(strstr(t.log.buf, " paged\n"));
	assert_int_equal(json_array_size(json_object_get(live, "connectedOrganizations")), 1);
	json_decref(live);
	live = fixture_read(read_kinds, 1, none, &t.base, &diags);
	assert_int_equal(t.requests, 1);
	json_decref(live);
	fake_tenant_release(&t);
	config_free(cfg);
	config_free(none);
	diag_list_release(&diags);
}

static void test_apply_sets_ids(void **state)
{
	struct config *cfg = fixture_config_ok(orgs_yaml);
	struct diag_list diags = DIAG_LIST_INIT;
	json_t *live = fixture_json(matching_orgs);
	json_t *nothing = fixture_json("{}");
	struct plan *update = fixture_diff(&kind_connected_organization, cfg, live, &diags);
	struct plan *create = fixture_diff(&kind_connected_organization, cfg, nothing, &diags);
	struct plan_action *a = plan_find(create, "connected_organization.contoso");
	struct fixture_apply fa;
	struct tenant_request req;

	(void)state;
	fixture_apply_init(&fa, create);
	assert_int_equal(kind_connected_organization.apply_step(&fa.ctx, a, fa.state, NULL, &req),
			 APPLY_STEP_MORE);
	assert_string_equal(req.method, "POST");
	fixture_answer(&req, 201, "{\"id\": \"new-co\", \"identitySources\": []}");
	assert_int_equal(kind_connected_organization.apply_step(&fa.ctx, a, fa.state, &req, NULL),
			 APPLY_STEP_DONE);
	assert_string_equal(apply_ctx_id(&fa.ctx, "connected_organization.contoso"), "new-co");
	tenant_request_release(&req);
	fixture_apply_release(&fa);

	a = plan_find(update, "connected_organization.contoso");
	fixture_apply_init(&fa, update);
	assert_int_equal(kind_connected_organization.apply_step(&fa.ctx, a, fa.state, NULL, &req),
			 APPLY_STEP_MORE);
	assert_string_equal(req.method, "PATCH");
	fixture_answer(&req, 204, NULL);
	assert_int_equal(kind_connected_organization.apply_step(&fa.ctx, a, fa.state, &req, NULL),
			 APPLY_STEP_DONE);
	assert_string_equal(apply_ctx_id(&fa.ctx, "connected_organization.contoso"), "co1");
	tenant_request_release(&req);
	fixture_apply_release(&fa);

	plan_free(update);
	plan_free(create);
	json_decref(live);
	json_decref(nothing);
	config_free(cfg);
	diag_list_release(&diags);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_create_payloads),
	    cmocka_unit_test(test_update_of_matched_organizations),
	    cmocka_unit_test(test_lookup_helper_matches_tenant_domain_then_name),
	    cmocka_unit_test(test_changed_identity_sources_warn_without_action),
	    cmocka_unit_test(test_read_lists_in_pages_only_when_needed),
	    cmocka_unit_test(test_apply_sets_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
