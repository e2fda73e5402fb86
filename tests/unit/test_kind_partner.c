/*
 * Unit tests for the partner kind: tenant ids resolved in one batched read,
 * a domain without a tenant reported at crossTenantAccess, create and update
 * payloads of the cross-tenant access entry, nothing for entries already as
 * declared or not declared at all, and a create that looks before posting
 * again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "partners_fixture.h"

extern const struct kind kind_partner;

#define CONTOSO  "22222222-2222-2222-2222-222222222222"
#define FABRIKAM "33333333-3333-3333-3333-333333333333"

static const char *const partners_yaml = "tenant:\n"
					 "  id: 11111111-1111-1111-1111-111111111111\n"
					 "partners:\n"
					 "  - name: contoso\n"
					 "    displayName: Contoso Ltd.\n"
					 "    domains: [contoso.com]\n"
					 "    tenantId: " CONTOSO "\n"
					 "    crossTenantAccess:\n"
					 "      trustMfa: true\n"
					 "      b2bCollaborationInbound: allowed\n"
					 "  - name: fabrikam\n"
					 "    domains: [Fabrikam.com]\n"
					 "    crossTenantAccess:\n"
					 "      trustCompliantDevice: true\n"
					 "  - name: nowhere\n"
					 "    domains: [nowhere.example]\n"
					 "    crossTenantAccess:\n" /* line 17 */
					 "      trustMfa: true\n"
					 "  - name: litware\n"
					 "    domains: [litware.com]\n";

static const char *const allowed_inbound =
    "{\"usersAndGroups\": {\"accessType\": \"allowed\", \"targets\": "
    "[{\"target\": "
    "\"AllUsers\", \"targetType\": \"user\"}]}, \"applications\": "
    "{\"accessType\": "
    "\"allowed\", \"targets\": [{\"target\": \"AllApplications\", "
    "\"targetType\": "
    "\"application\"}]}}";

static const char *const fabrikam_info =
    "\"tenantInformation\": [{\"tenantId\": \"" FABRIKAM "\", \"displayName\": \"Fabrikam\","
    " \"defaultDomainName\": \"FABRIKAM.onmicrosoft.com\", \"domains\": "
    "[\"fabrikam.com\"]}]";

static struct plan *diff_text(const char *live_text, json_t **live, struct config **cfg,
			      struct diag_list *diags)
{
	*cfg = fixture_config_ok(partners_yaml);
	*live = fixture_json(live_text);
	return fixture_diff(&kind_partner, *cfg, *live, diags);
}

static void test_create_payloads(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg;
	json_t *live, *body;
	struct strbuf text = STRBUF_INIT;
	struct plan *plan;
	struct plan_action *a;

	(void)state;
	strbuf_addf(&text, "{%s}", fabrikam_info);
	plan = diff_text(text.buf, &live, &cfg, &diags);
	assert_int_equal(plan->nr, 2);

	a = plan_find(plan, "partner.contoso");
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_CREATE);
	assert_change(a, "tenantId", "null", "\"" CONTOSO "\"");
	assert_change(a, "inboundTrust.isMfaAccepted", "null", "true");
	assert_change(a, "b2bCollaborationInbound", "null", "\"allowed\"");
	assert_null(find_change(a, "inboundTrust.isCompliantDeviceAccepted"));
	assert_json(json_object_get(a->data, "method"), "\"POST\"");
	assert_json(json_object_get(a->data, "path"),
		    "\"/v1.0/policies/crossTenantAccessPolicy/partners\"");
	body = json_object_get(a->data, "body");
	assert_json(json_object_get(body, "tenantId"), "\"" CONTOSO "\"");
	assert_json(json_object_get(body, "inboundTrust"),
		    "{\"isMfaAccepted\": true, \"isCompliantDeviceAccepted\": false,"
		    " \"isHybridAzureADJoinedDeviceAccepted\": false}");
	assert_json(json_object_get(body, "b2bCollaborationInbound"), allowed_inbound);

	a = plan_find(plan, "partner.fabrikam");
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_CREATE);
	body = json_object_get(a->data, "body");
	assert_json(json_object_get(body, "tenantId"), "\"" FABRIKAM "\"");
	assert_null(json_object_get(body, "b2bCollaborationInbound"));
	assert_json(json_object_get(body, "inboundTrust"),
		    "{\"isMfaAccepted\": false, \"isCompliantDeviceAccepted\": true,"
		    " \"isHybridAzureADJoinedDeviceAccepted\": false}");

	assert_null(plan_find(plan, "partner.nowhere"));
	assert_null(plan_find(plan, "partner.litware"));
	strbuf_release(&text);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
	diag_list_release(&diags);
}

static void test_update_patches_changed_parts(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg;
	json_t *live;
	struct plan *plan;
	struct plan_action *a;

	(void)state;
	plan = diff_text("{\"crossTenantAccessPolicyPartners\": [{\"tenantId\": \"" CONTOSO "\","
			 " \"inboundTrust\": {\"isMfaAccepted\": false, "
			 "\"isCompliantDeviceAccepted\": "
			 "true, \"isHybridAzureADJoinedDeviceAccepted\": null},"
			 " \"b2bCollaborationInbound\": null}]}",
			 &live, &cfg, &diags);
	a = plan_find(plan, "partner.contoso");
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_UPDATE);
	assert_int_equal(a->changes_nr, 2);
	assert_change(a, "inboundTrust.isMfaAccepted", "false", "true");
	assert_change(a, "b2bCollaborationInbound", "\"inherit\"", "\"allowed\"");
	assert_json(json_object_get(a->data, "method"), "\"PATCH\"");
	assert_json(json_object_get(a->data, "path"),
		    "\"/v1.0/policies/crossTenantAccessPolicy/partners/" CONTOSO "\"");
	assert_json(json_object_get(json_object_get(a->data, "body"), "inboundTrust"),
		    "{\"isMfaAccepted\": true, \"isCompliantDeviceAccepted\": true,"
		    " \"isHybridAzureADJoinedDeviceAccepted\": false}");
	assert_null(json_object_get(json_object_get(a->data, "body"), "tenantId"));
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
	diag_list_release(&diags);
}

static void test_inbound_compared_only_when_declared(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct strbuf live_text = STRBUF_INIT;
	struct config *cfg = fixture_config_ok("tenant:\n"
					       "  id: 11111111-1111-1111-1111-111111111111\n"
					       "partners:\n"
					       "  - name: contoso\n"
					       "    domains: [contoso.com]\n"
					       "    tenantId: " CONTOSO "\n"
					       "    crossTenantAccess:\n"
					       "      b2bCollaborationInbound: inherit\n"
					       "  - name: fabrikam\n"
					       "    domains: [fabrikam.com]\n"
					       "    tenantId: " FABRIKAM "\n"
					       "    crossTenantAccess:\n"
					       "      trustCompliantDevice: true\n");
	struct plan *plan;
	struct plan_action *a;
	json_t *live;

	(void)state;
	strbuf_addf(&live_text,
		    "{\"crossTenantAccessPolicyPartners\": ["
		    "{\"tenantId\": \"" CONTOSO "\", \"b2bCollaborationInbound\": %s},"
		    "{\"tenantId\": \"" FABRIKAM
		    "\", \"inboundTrust\": {\"isCompliantDeviceAccepted\":"
		    " true}, \"b2bCollaborationInbound\": %s}]}",
		    allowed_inbound, allowed_inbound);
	live = fixture_json(live_text.buf);
	plan = fixture_diff(&kind_partner, cfg, live, &diags);
	assert_int_equal(plan->nr, 1);
	a = plan_find(plan, "partner.contoso");
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_UPDATE);
	assert_int_equal(a->changes_nr, 1);
	assert_change(a, "b2bCollaborationInbound", "\"allowed\"", "\"inherit\"");
	assert_json(json_object_get(a->data, "body"), "{\"b2bCollaborationInbound\": null}");
	strbuf_release(&live_text);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
	diag_list_release(&diags);
}

static void test_entries_as_declared_need_nothing(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct strbuf text = STRBUF_INIT;
	struct config *cfg;
	json_t *live;
	struct plan *plan;

	(void)state;
	strbuf_addf(&text,
		    "{%s, \"crossTenantAccessPolicyPartners\": ["
		    "{\"tenantId\": \"" CONTOSO "\", \"inboundTrust\": {\"isMfaAccepted\": true,"
		    " \"isCompliantDeviceAccepted\": true}, \"b2bCollaborationInbound\": %s},"
		    "{\"tenantId\": \"" FABRIKAM
		    "\", \"inboundTrust\": {\"isCompliantDeviceAccepted\":"
		    " true, \"isMfaAccepted\": null}, \"b2bCollaborationInbound\": null},"
		    "{\"tenantId\": \"44444444-4444-4444-4444-444444444444\", "
		    "\"inboundTrust\": null}]}",
		    fabrikam_info, allowed_inbound);
	plan = diff_text(text.buf, &live, &cfg, &diags);
	assert_int_equal(plan->nr, 0);
	strbuf_release(&text);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
	diag_list_release(&diags);
}

static void test_read_resolves_tenants_in_one_batched_round(void **state)
{
	static const struct fake_answer answers[] = {
	    {"GET",
	     "/v1.0/tenantRelationships/"
	     "findTenantInformationByDomainName(domainName=%27Fabrikam.com",
	     200,
	     "{\"tenantId\": \"" FABRIKAM "\", \"federationBrandName\": null, \"displayName\": "
	     "\"Fabrikam\", \"defaultDomainName\": \"FABRIKAM.onmicrosoft.com\"}"},
	    {"GET",
	     "/v1.0/tenantRelationships/"
	     "findTenantInformationByDomainName(domainName=%27litware.com",
	     200,
	     "{\"tenantId\": \"55555555-5555-5555-5555-555555555555\", "
	     "\"displayName\": "
	     "\"Litware\", \"defaultDomainName\": \"litware.onmicrosoft.com\"}"},
	    {"GET", "/v1.0/policies/crossTenantAccessPolicy/partners", 200,
	     "{\"value\": [{\"tenantId\": \"" CONTOSO "\", \"inboundTrust\": null}]}"},
	};
	const struct kind *const read_kinds[] = {&kind_partner};
	struct config *cfg = fixture_config_ok(partners_yaml);
	struct diag_list diags = DIAG_LIST_INIT;
	struct fake_tenant t;
	json_t *live, *info;

	(void)state;
	fake_tenant_init(&t, answers, ARRAY_SIZE(answers));
	live = fixture_read(read_kinds, 1, cfg, &t.base, &diags);
	assert_int_equal(t.runs, 1);
	assert_int_equal(t.requests, 4);
	assert_null(strstr(t.log.buf, "contoso.com"));
	assert_non_null(strstr(t.log.buf, "(domainName=%27Fabrikam.com%27) batchable\n"));
	assert_non_null(strstr(t.log.buf, "(domainName=%27nowhere.example%27) batchable\n"));
	assert_non_null(strstr(t.log.buf, "crossTenantAccessPolicy/partners?$select="));
	assert_non_null(strstr(t.log.buf, " paged\n"));

	info = json_object_get(live, "tenantInformation");
	assert_int_equal(json_array_size(info), 2);
	assert_json(json_object_get(json_array_get(info, 0), "domains"), "[\"Fabrikam.com\"]");
	assert_json(json_object_get(json_array_get(info, 0), "tenantId"), "\"" FABRIKAM "\"");
	assert_int_equal(json_array_size(json_object_get(live, "crossTenantAccessPolicyPartners")),
			 1);

	assert_int_equal(diag_count(&diags, DIAG_ERROR), 1);
	assert_non_null(strstr(diags.items[0].message, "nowhere.example"));
	assert_true(diags.items[0].line >= 17 && diags.items[0].line <= 18);
	fake_tenant_release(&t);
	json_decref(live);
	config_free(cfg);
	diag_list_release(&diags);
}

static void step_answer(struct fixture_apply *fa, struct plan_action *a, struct tenant_request *req,
			long status, const char *body, enum apply_step_result want,
			struct tenant_request *next)
{
	fixture_answer(req, status, body);
	memset(next, 0, sizeof(*next));
	assert_int_equal(kind_partner.apply_step(&fa->ctx, a, fa->state, req, next), want);
	tenant_request_release(req);
}

static void test_create_looks_before_posting_again(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct strbuf text = STRBUF_INIT;
	struct fixture_apply fa;
	struct tenant_request req, next;
	struct config *cfg;
	json_t *live;
	struct plan *plan;
	struct plan_action *a;

	(void)state;
	strbuf_addf(&text, "{%s}", fabrikam_info);
	plan = diff_text(text.buf, &live, &cfg, &diags);
	a = plan_find(plan, "partner.contoso");
	fixture_apply_init(&fa, plan);

	assert_int_equal(kind_partner.apply_step(&fa.ctx, a, fa.state, NULL, &req),
			 APPLY_STEP_MORE);
	assert_string_equal(req.method, "POST");
	/* no answer at all: look it up */
	step_answer(&fa, a, &req, 0, NULL, APPLY_STEP_MORE, &next);
	assert_string_equal(next.method, "GET");
	assert_string_equal(next.path, "/v1.0/policies/crossTenantAccessPolicy/partners/" CONTOSO);
	/* not there: post again, then it lands */
	step_answer(&fa, a, &next, 404, NULL, APPLY_STEP_MORE, &req);
	assert_string_equal(req.method, "POST");
	step_answer(&fa, a, &req, 201, "{\"tenantId\": \"" CONTOSO "\"}", APPLY_STEP_DONE, &next);
	assert_string_equal(apply_ctx_id(&fa.ctx, "partner.contoso"), CONTOSO);
	fixture_apply_release(&fa);

	/* the unanswered POST did land: the lookup finds it and nothing is posted
	 * again */
	fixture_apply_init(&fa, plan);
	assert_int_equal(kind_partner.apply_step(&fa.ctx, a, fa.state, NULL, &req),
			 APPLY_STEP_MORE);
	step_answer(&fa, a, &req, 503, NULL, APPLY_STEP_MORE, &next);
	assert_string_equal(next.method, "GET");
	step_answer(&fa, a, &next, 200, "{\"tenantId\": \"" CONTOSO "\"}", APPLY_STEP_DONE, &req);
	fixture_apply_release(&fa);

	strbuf_release(&text);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
	diag_list_release(&diags);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_create_payloads),
	    cmocka_unit_test(test_update_patches_changed_parts),
	    cmocka_unit_test(test_inbound_compared_only_when_declared),
	    cmocka_unit_test(test_entries_as_declared_need_nothing),
	    cmocka_unit_test(test_read_resolves_tenants_in_one_batched_round),
	    cmocka_unit_test(test_create_looks_before_posting_again),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
