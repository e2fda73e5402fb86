/*
 * Unit tests for the authorization_policy kind: only declared fields are
 * compared, role ids are shown by name, the PATCH carries only what changed,
 * and the read accepts both the entity and the {"value": [...]} answer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "partners_fixture.h"

extern const struct kind kind_authorization_policy;

#define LIMITED    "10dae51f-b6af-4016-8d66-8c2a99b929b3"
#define RESTRICTED "2af84b1e-32c8-42b7-82bc-daa82404023b"

static const char *const all_declared = "tenant:\n"
					"  id: 11111111-1111-1111-1111-111111111111\n"
					"externalCollaboration:\n"
					"  guestUserAccess: restricted\n"
					"  guestInviteRestrictions: adminsAndGuestInviters\n"
					"  emailVerifiedUsersCanJoin: false\n";

static void test_update_shows_names_and_patches_changed_fields(void **state)
{
	struct config *cfg = fixture_config_ok(all_declared);
	struct diag_list diags = DIAG_LIST_INIT;
	json_t *live = fixture_json("{\"authorizationPolicy\": {\"id\": \"authorizationPolicy\","
				    " \"guestUserRoleId\": \"" LIMITED "\","
				    " \"allowInvitesFrom\": \"adminsAndGuestInviters\","
				    " \"allowEmailVerifiedUsersToJoinOrganization\": true}}");
	struct plan *plan = fixture_diff(&kind_authorization_policy, cfg, live, &diags);
	struct plan_action *a;

	(void)state;
	assert_int_equal(plan->nr, 1);
	a = &plan->actions[0];
	assert_int_equal(a->op, PLAN_UPDATE);
	assert_string_equal(a->address, "authorization_policy.tenant");
	assert_non_null(a->source_file);
	assert_int_equal(a->changes_nr, 2);
	assert_change(a, "guestUserRoleId", "\"limited\"", "\"restricted\"");
	assert_change(a, "allowEmailVerifiedUsersToJoinOrganization", "true", "false");
	assert_null(find_change(a, "allowInvitesFrom"));
	assert_json(a->data,
		    "{\"method\": \"PATCH\", \"path\": "
		    "\"/v1.0/policies/authorizationPolicy\","
		    " \"batchable\": true, \"body\": {\"guestUserRoleId\": \"" RESTRICTED "\","
		    " \"allowEmailVerifiedUsersToJoinOrganization\": false}}");
	assert_int_equal(a->depends_nr, 0);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
	diag_list_release(&diags);
}

static void test_matching_policy_needs_no_action(void **state)
{
	struct config *cfg = fixture_config_ok(all_declared);
	struct diag_list diags = DIAG_LIST_INIT;
	json_t *live =
	    fixture_json("{\"authorizationPolicy\": {\"guestUserRoleId\": \"" RESTRICTED "\","
			 " \"allowInvitesFrom\": \"adminsAndGuestInviters\","
			 " \"allowEmailVerifiedUsersToJoinOrganization\": null,"
			 " \"blockMsolPowerShell\": null}}");
	struct plan *plan = fixture_diff(&kind_authorization_policy, cfg, live, &diags);

	(void)state;
	assert_int_equal(plan->nr, 0);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
	diag_list_release(&diags);
}

static void test_undeclared_fields_are_left_alone(void **state)
{
	struct config *cfg = fixture_config_ok("tenant:\n"
					       "  id: 11111111-1111-1111-1111-111111111111\n"
					       "externalCollaboration:\n"
					       "  guestInviteRestrictions: none\n");
	struct diag_list diags = DIAG_LIST_INIT;
	json_t *live =
	    fixture_json("{\"authorizationPolicy\": {\"guestUserRoleId\": \"" LIMITED "\","
			 " \"allowInvitesFrom\": \"everyone\","
			 " \"allowEmailVerifiedUsersToJoinOrganization\": true}}");
	struct plan *plan = fixture_diff(&kind_authorization_policy, cfg, live, &diags);

	(void)state;
	assert_int_equal(plan->nr, 1);
	assert_int_equal(plan->actions[0].changes_nr, 1);
	assert_change(&plan->actions[0], "allowInvitesFrom", "\"everyone\"", "\"none\"");
	assert_json(json_object_get(plan->actions[0].data, "body"),
		    "{\"allowInvitesFrom\": \"none\"}");
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
	diag_list_release(&diags);
}

static void test_read_accepts_collection_answer(void **state)
{
	static const struct fake_answer answers[] = {
	    {"GET", "/v1.0/policies/authorizationPolicy", 200,
	     "{\"value\": [{\"id\": \"authorizationPolicy\", \"guestUserRoleId\": "
	     "\"" LIMITED "\"}]}"},
	};
	const struct kind *const read_kinds[] = {&kind_authorization_policy};
	struct config *cfg = fixture_config_ok(all_declared);
	struct diag_list diags = DIAG_LIST_INIT;
	struct fake_tenant t;
	json_t *live;

	(void)state;
	fake_tenant_init(&t, answers, 1);
	live = fixture_read(read_kinds, 1, cfg, &t.base, &diags);
	assert_json(json_object_get(live, "authorizationPolicy"),
		    "{\"id\": \"authorizationPolicy\", \"guestUserRoleId\": \"" LIMITED "\"}");
	assert_int_equal(t.requests, 1);
	assert_non_null(strstr(t.log.buf, "$select="));
	fake_tenant_release(&t);
	json_decref(live);
	config_free(cfg);
	diag_list_release(&diags);
}

static void test_read_skipped_when_nothing_declared(void **state)
{
	const struct kind *const read_kinds[] = {&kind_authorization_policy};
	struct config *cfg = fixture_config_ok("tenant:\n"
					       "  id: 11111111-1111-1111-1111-111111111111\n");
	struct diag_list diags = DIAG_LIST_INIT;
	struct fake_tenant t;
	json_t *live;

	(void)state;
	fake_tenant_init(&t, NULL, 0);
	live = fixture_read(read_kinds, 1, cfg, &t.base, &diags);
	assert_int_equal(t.requests, 0);
	assert_null(json_object_get(live, "authorizationPolicy"));
	fake_tenant_release(&t);
	json_decref(live);
	config_free(cfg);
	diag_list_release(&diags);
}

static void test_apply_sends_patch_and_reports_failure(void **state)
{
	struct config *cfg = fixture_config_ok(all_declared);
	struct diag_list diags = DIAG_LIST_INIT;
	json_t *live = fixture_json("{}");
	struct plan *plan = fixture_diff(&kind_authorization_policy, cfg, live, &diags);
	struct fixture_apply fa;
	struct tenant_request req;
	int round;

	(void)state;
	assert_int_equal(plan->nr, 1);
	for (round = 0; round < 2; round++) {
		fixture_apply_init(&fa, plan);
		assert_int_equal(kind_authorization_policy.apply_step(&fa.ctx, &plan->actions[0],
								      fa.state, NULL, &req),
				 APPLY_STEP_MORE);
		assert_string_equal(req.method, "PATCH");
		assert_string_equal(req.path, "/v1.0/policies/authorizationPolicy");
		assert_true(req.flags & TENANT_BATCHABLE);
		assert_json(json_object_get(req.body, "allowInvitesFrom"),
			    "\"adminsAndGuestInviters\"");
		fixture_answer(&req, round ? 403 : 204, NULL);
		assert_int_equal(kind_authorization_policy.apply_step(&fa.ctx, &plan->actions[0],
								      fa.state, &req, NULL),
				 round ? APPLY_STEP_FAILED : APPLY_STEP_DONE);
		if (round)
			assert_non_null(strstr(fa.ctx.outcomes[0].error, "403"));
		else
			assert_null(fa.ctx.outcomes[0].error);
		tenant_request_release(&req);
		fixture_apply_release(&fa);
	}
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
	diag_list_release(&diags);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_update_shows_names_and_patches_changed_fields),
	    cmocka_unit_test(test_matching_policy_needs_no_action),
	    cmocka_unit_test(test_undeclared_fields_are_left_alone),
	    cmocka_unit_test(test_read_accepts_collection_answer),
	    cmocka_unit_test(test_read_skipped_when_nothing_declared),
	    cmocka_unit_test(test_apply_sends_patch_and_reports_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
