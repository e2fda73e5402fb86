/*
 * The settings and partner kinds read through the snapshot backend (memgraph)
 * from a tenant seeded with Microsoft's own sample answers (graph-fixtures):
 * the reads go in bulk, the samples' quirks (no '#' in @odata.type, the
 * single-quoted policy definition, "true" as a string) parse, and the plan
 * holds exactly the expected actions; after applying them through the same
 * backend the next plan is empty.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "partners_fixture.h"

extern const struct kind kind_authorization_policy, kind_email_otp, kind_partner,
    kind_invitation_domains, kind_connected_organization;

static const struct kind *const my_kinds[] = {
    &kind_authorization_policy,   &kind_email_otp, &kind_partner, &kind_invitation_domains,
    &kind_connected_organization,
};

static const char *const config_yaml = "tenant:\n"
				       "  id: 11111111-1111-1111-1111-111111111111\n"
				       "externalCollaboration:\n"
				       "  guestUserAccess: restricted\n"
				       "  guestInviteRestrictions: everyone\n"
				       "  emailOneTimePasscode: enabled\n"
				       "  collaborationRestrictions:\n"
				       "    blockDomains: [live.com]\n"
				       "partners:\n"
				       "  - name: wingtip\n"
				       "    displayName: Wingtip Toys\n"
				       "    domains: [wingtiptoys.com]\n"
				       "    connectedOrganization: true\n"
				       "  - name: contoso\n"
				       "    displayName: Contoso, Ltd\n"
				       "    domains: [contoso.com]\n"
				       "    crossTenantAccess:\n"
				       "      trustMfa: true\n";

static json_t *fixture_file(const char *rel)
{
	char *path = xstrfmt("%s/graph-fixtures/%s", TEST_SHARED_DIR, rel);
	json_error_t err;
	json_t *j = json_load_file(path, 0, &err);

	if (!j)
		fprintf(stderr, "%s: %s\n", path, err.text);
	assert_non_null(j);
	free(path);
	return j;
}

/* A snapshot made of the fixtures' sample answers. */
static char *write_seed(void)
{
	json_t *snap = json_pack("{s:s, s:s, s:s}", "format", "b2bctl-snapshot/1", "tenantId",
				 "11111111-1111-1111-1111-111111111111", "defaultDomain",
				 "hostcorp.onmicrosoft.com");
	json_t *orgs =
	    fixture_file("entitlementmanagement-list-connectedorganizations/response.json");
	json_t *info =
	    fixture_file("tenantrelationship-findtenantinformationbydomainname/response.json");
	json_t *auth = fixture_file("authorizationpolicy-get/response.json");
	json_t *email = fixture_file("emailauthenticationmethodconfiguration-get/response.json");
	json_t *b2b = fixture_file("beta-b2bmanagementpolicy-get/response.json");
	char path[] = "/tmp/b2bctl-kind-snapshot-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	json_object_del(info, "@odata.context");
	json_object_set_new(info, "domains", json_pack("[s]", "contoso.com"));
	json_object_set_new(snap, "tenantInformation", json_pack("[o]", info));
	json_object_set(snap, "connectedOrganizations", json_object_get(orgs, "value"));
	json_object_del(auth, "@odata.context");
	json_object_set_new(snap, "authorizationPolicy", auth);
	json_object_del(email, "@odata.context");
	json_object_set_new(snap, "emailAuthenticationMethodConfiguration", email);
	json_object_set_new(snap, "b2bManagementPolicy", b2b);
	assert_int_equal(json_dump_file(snap, path, JSON_INDENT(2)), 0);
	json_decref(orgs);
	json_decref(snap);
	return xstrdup(path);
}

static struct plan *plan_from(const struct config *cfg, struct tenant *t, struct diag_list *diags,
			      json_t **live)
{
	struct plan *plan = plan_new();
	struct reconcile_ctx ctx = {0};
	size_t i;

	*live = fixture_read(my_kinds, ARRAY_SIZE(my_kinds), cfg, t, diags);
	ctx.cfg = cfg;
	ctx.live = *live;
	ctx.diags = diags;
	ctx.index = live_index_build(*live);
	for (i = 0; i < ARRAY_SIZE(my_kinds); i++)
		assert_int_equal(my_kinds[i]->diff(&ctx, plan), 0);
	live_index_free(ctx.index);
	return plan;
}

static void apply_all(struct plan *plan, struct tenant *t, const json_t *live)
{
	struct fixture_apply fa;
	size_t i;

	fixture_apply_init(&fa, plan);
	fa.ctx.tenant = t;
	fa.ctx.live = live;
	for (i = 0; i < plan->nr; i++) {
		struct plan_action *a = &plan->actions[i];
		struct tenant_request req, *prev = NULL;
		enum apply_step_result r;
		json_t *state = json_object();

		for (;;) {
			struct tenant_request next;

			memset(&next, 0, sizeof(next));
			r = a->kind->apply_step(&fa.ctx, a, state, prev, &next);
			if (prev)
				tenant_request_release(prev);
			if (r != APPLY_STEP_MORE)
				break;
			req = next;
			assert_int_equal(tenant_run(t, &req, 1), 0);
			prev = &req;
		}
		if (r != APPLY_STEP_DONE)
			fprintf(stderr, "%s: %s\n", a->address, fa.ctx.outcomes[i].error);
		assert_int_equal(r, APPLY_STEP_DONE);
		json_decref(state);
	}
	fixture_apply_release(&fa);
}

static void test_samples_read_plan_apply_converge(void **state)
{
	struct config *cfg = fixture_config_ok(config_yaml);
	struct diag_list diags = DIAG_LIST_INIT;
	char *seed = write_seed();
	struct tenant *t = tenant_snapshot_open(seed);
	struct plan *plan;
	json_t *live;
	struct plan_action *a;

	(void)state;
	assert_non_null(t);
	plan = plan_from(cfg, t, &diags, &live);
	assert_int_equal(diag_count(&diags, DIAG_ERROR), 0);
	/* the sample's single-quoted definition */
	assert_int_equal(diag_count(&diags, DIAG_WARNING), 1);

	a = plan_find(plan, "authorization_policy.tenant");
	assert_non_null(a);
	assert_int_equal(a->changes_nr, 1);
	assert_change(a, "guestUserRoleId", "null", "\"restricted\"");
	a = plan_find(plan, "email_otp.tenant");
	assert_non_null(a);
	assert_change(a, "allowExternalIdToUseEmailOtp", "\"default\"", "\"enabled\"");
	a = plan_find(plan, "invitation_domains.tenant");
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_UPDATE);
	a = plan_find(plan, "partner.contoso");
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_CREATE);
	assert_change(a, "tenantId", "null", "\"6babcaad-604b-40ac-a9d7-9fd97c0b779f\"");
	/* the sample's org (no '#' in @odata.type, no tenantId) is found by name and as declared */
	assert_null(plan_find(plan, "connected_organization.wingtip"));
	assert_int_equal(plan->nr, 4);

	apply_all(plan, t, live);
	plan_free(plan);
	json_decref(live);
	diag_list_release(&diags);

	plan = plan_from(cfg, t, &diags, &live);
	if (plan->nr)
		fprintf(stderr, "left: %s\n", plan->actions[0].address);
	assert_int_equal(plan->nr, 0);
	assert_int_equal(diags.nr, 0);
	plan_free(plan);
	json_decref(live);
	diag_list_release(&diags);
	tenant_free(t);
	unlink(seed);
	free(seed);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_samples_read_plan_apply_converge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
