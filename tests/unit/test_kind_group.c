/*
 * Unit tests for the group kind: diff against hand-built live models, the
 * batched `displayName in (...)` read, and the create step that looks before
 * creating again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "partners_fixture.h"
#include "reconcile/kinds/directory_common.h"

extern const struct kind kind_group;

#define TENANT "tenant:\n  id: 11111111-1111-1111-1111-111111111111\n"

static const char *const finance_yaml = TENANT "groups:\n"
					       "  - name: finance-readers\n"
					       "    description: Partner finance read access\n"
					       "  - name: sales\n";

static void test_diff_creates_missing_security_groups(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(finance_yaml);
	json_t *live = fixture_json("{\"groups\": []}");
	struct plan *plan = fixture_diff(&kind_group, cfg, live, &diags);
	struct plan_action *a = plan_find(plan, "group.finance-readers");
	const char *nickname;

	(void)state;
	assert_int_equal(plan->nr, 2);
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_CREATE);
	assert_non_null(strstr(a->source_file, "/b2bctl.yaml"));
	assert_int_equal(a->source_line, 4);
	assert_change(a, "displayName", "null", "\"finance-readers\"");
	assert_change(a, "description", "null", "\"Partner finance read access\"");
	assert_json(json_object_get(json_object_get(a->data, "body"), "securityEnabled"), "true");
	assert_json(json_object_get(json_object_get(a->data, "body"), "mailEnabled"), "false");
	assert_json(json_object_get(json_object_get(a->data, "body"), "description"),
		    "\"Partner finance read access\"");
	nickname =
	    json_string_value(json_object_get(json_object_get(a->data, "body"), "mailNickname"));
	assert_non_null(nickname);
	assert_true(!strncmp(nickname, "finance-readers-", 16));
	assert_true(strlen(nickname) <= 64);
	a = plan_find(plan, "group.sales");
	assert_non_null(a);
	assert_null(json_object_get(json_object_get(a->data, "body"), "description"));
	assert_null(find_change(a, "description"));
	assert_int_equal(diags.nr, 0);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_mail_nickname_is_sanitised_and_stable(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg =
	    fixture_config_ok(TENANT "groups:\n  - name: \"B2B: Finance (EU) ö\"\n");
	json_t *live = fixture_json("{}");
	struct plan *one = fixture_diff(&kind_group, cfg, live, &diags);
	struct plan *two = fixture_diff(&kind_group, cfg, live, &diags);
	const char *nick = json_string_value(
	    json_object_get(json_object_get(one->actions[0].data, "body"), "mailNickname"));
	const char *p;

	(void)state;
	assert_non_null(nick);
	for (p = nick; *p; p++)
		assert_non_null(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "0123456789-_.",
				       *p));
	assert_true(!strncmp(nick, "B2B-Finance-EU-", 15));
	assert_string_equal(json_string_value(json_object_get(
				json_object_get(two->actions[0].data, "body"), "mailNickname")),
			    nick);
	plan_free(one);
	plan_free(two);
	json_decref(live);
	config_free(cfg);
}

static void test_diff_updates_description_only_when_declared_and_different(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(finance_yaml);
	json_t *live = fixture_json(
	    "{\"groups\": ["
	    "{\"id\": \"g1\", \"displayName\": \"finance-readers\", \"description\": \"old\","
	    " \"securityEnabled\": true, \"mailEnabled\": false, \"members\": []},"
	    "{\"id\": \"g2\", \"displayName\": \"sales\", \"description\": \"whatever\","
	    " \"securityEnabled\": true, \"mailEnabled\": false, \"members\": []}]}");
	struct plan *plan = fixture_diff(&kind_group, cfg, live, &diags);
	struct plan_action *a;

	(void)state;
	assert_int_equal(plan->nr, 1);
	a = plan_find(plan, "group.finance-readers");
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_UPDATE);
	assert_int_equal(a->source_line, 5);
	assert_change(a, "description", "\"old\"", "\"Partner finance read access\"");
	assert_json(a->data, "{\"id\": \"g1\", \"body\": {\"description\": "
			     "\"Partner finance read access\"}}");
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_diff_no_action_when_group_is_as_declared(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(finance_yaml);
	json_t *live =
	    fixture_json("{\"groups\": ["
			 "{\"id\": \"g1\", \"displayName\": \"finance-readers\","
			 " \"description\": \"Partner finance read access\", \"members\": []},"
			 "{\"id\": \"g2\", \"displayName\": \"sales\", \"description\": null}]}");
	struct plan *plan = fixture_diff(&kind_group, cfg, live, &diags);

	(void)state;
	assert_int_equal(plan->nr, 0);
	assert_int_equal(diags.nr, 0);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_diff_refuses_to_pick_among_duplicate_names(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(finance_yaml);
	json_t *live = fixture_json(
	    "{\"groups\": ["
	    "{\"id\": \"g1\", \"displayName\": \"finance-readers\", \"description\": \"a\"},"
	    "{\"id\": \"g3\", \"displayName\": \"finance-readers\", \"description\": \"b\"},"
	    "{\"id\": \"g2\", \"displayName\": \"sales\"}]}");
	struct plan *plan = fixture_diff(&kind_group, cfg, live, &diags);

	(void)state;
	assert_int_equal(plan->nr, 0);
	assert_int_equal(diag_count(&diags, DIAG_ERROR), 1);
	assert_int_equal(diags.items[0].line, 4);
	assert_non_null(strstr(diags.items[0].message, "finance-readers"));
	assert_non_null(strstr(diags.items[0].message, "2 groups"));
	diag_list_release(&diags);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_diff_refuses_a_name_that_differs_only_in_case(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(finance_yaml);
	json_t *live = fixture_json("{\"groups\": ["
				    "{\"id\": \"g1\", \"displayName\": \"Finance-Readers\"},"
				    "{\"id\": \"g2\", \"displayName\": \"sales\"}]}");
	struct plan *plan = fixture_diff(&kind_group, cfg, live, &diags);

	(void)state;
	assert_int_equal(plan->nr, 0);
	assert_int_equal(diag_count(&diags, DIAG_ERROR), 1);
	assert_non_null(strstr(diags.items[0].message, "'Finance-Readers'"));
	diag_list_release(&diags);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_read_asks_for_declared_names_in_chunks_of_15(void **state)
{
	static const struct fake_answer answers[] = {
	    {"GET", "/v1.0/groups?$filter=displayName%20in%20(", 200,
	     "{\"value\": [{\"id\": \"g1\", \"displayName\": \"group-01\"},"
	     "{\"id\": \"g7\", \"displayName\": \"break-glass\"}]}"},
	};
	struct diag_list diags = DIAG_LIST_INIT;
	struct strbuf yaml = STRBUF_INIT;
	const struct kind *read_kinds[] = {&kind_group};
	struct fake_tenant t;
	struct config *cfg;
	json_t *live, *groups;
	const char *line;
	int i, requests = 0;

	(void)state;
	strbuf_addstr(&yaml, TENANT "groups:\n");
	for (i = 1; i <= 20; i++)
		strbuf_addf(&yaml, "  - name: group-%02d\n", i);
	strbuf_addstr(&yaml, "  - name: break-glass\n");
	strbuf_addstr(&yaml, "conditionalAccess:\n  policies:\n"
			     "    - name: B2B - MFA\n      state: enabled\n"
			     "      guestTypes: [all]\n      require: [mfa]\n"
			     "      excludeGroups: [break-glass]\n");
	cfg = fixture_config_ok(yaml.buf);
	fake_tenant_init(&t, answers, ARRAY_SIZE(answers));
	live = fixture_read(read_kinds, 1, cfg, &t.base, &diags);

	for (line = t.log.buf; (line = strstr(line, "GET /v1.0/groups?$filter=")); line++) {
		requests++;
		assert_non_null(strstr(line,
				       "&$select=id,displayName,description,securityEnabled,"
				       "mailEnabled,mailNickname&$top=999 paged batchable\n"));
	}
	assert_int_equal(requests, 2); /* 21 names */
	assert_non_null(strstr(t.log.buf, "%27break-glass%27"));
	assert_non_null(strstr(t.log.buf, "%27group-15%27"));
	groups = json_object_get(live, "groups");
	assert_int_equal(json_array_size(groups), 2); /* the same answer twice, merged by id */
	assert_json(json_object_get(json_array_get(groups, 0), "members"), "[]");
	fake_tenant_release(&t);
	strbuf_release(&yaml);
	json_decref(live);
	config_free(cfg);
}

static void test_read_fails_with_graph_error(void **state)
{
	static const struct fake_answer answers[] = {
	    {"GET", "/v1.0/groups", 403,
	     "{\"error\": {\"code\": \"Authorization_RequestDenied\"}}"},
	};
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(finance_yaml);
	struct reconcile_ctx ctx = {0};
	struct fake_tenant t;

	(void)state;
	fake_tenant_init(&t, answers, ARRAY_SIZE(answers));
	ctx.cfg = cfg;
	ctx.tenant = &t.base;
	ctx.live = json_object();
	ctx.diags = &diags;
	assert_int_equal(kind_group.read(&ctx), -1);
	assert_non_null(strstr(b2b_error_last(), "HTTP 403"));
	fake_tenant_release(&t);
	json_decref(ctx.live);
	config_free(cfg);
}

static void test_apply_create_looks_up_after_a_lost_answer(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(TENANT "groups:\n  - name: o'brien\n");
	json_t *live = fixture_json("{}");
	struct plan *plan = fixture_diff(&kind_group, cfg, live, &diags);
	struct tenant_request prev, next;
	struct fixture_apply fa;
	const struct plan_action *a = &plan->actions[0];

	(void)state;
	fixture_apply_init(&fa, plan);
	assert_int_equal(kind_group.apply_step(&fa.ctx, a, fa.state, NULL, &next), APPLY_STEP_MORE);
	assert_string_equal(next.method, "POST");
	assert_string_equal(next.path, "/v1.0/groups");
	assert_true(next.flags & TENANT_BATCHABLE);
	assert_json(json_object_get(next.body, "displayName"), "\"o'brien\"");

	prev = next;
	fixture_answer(&prev, 0, NULL);
	prev.error.ambiguous = 1;
	assert_int_equal(kind_group.apply_step(&fa.ctx, a, fa.state, &prev, &next),
			 APPLY_STEP_MORE);
	tenant_request_release(&prev);
	assert_string_equal(next.method, "GET");
	assert_string_equal(next.path, "/v1.0/groups?$filter=displayName%20eq%20%27o%27%27brien%27"
				       "&$select=id,displayName");

	prev = next;
	fixture_answer(&prev, 200,
		       "{\"value\": [{\"id\": \"g-new\", \"displayName\": \"o'brien\"}]}");
	assert_int_equal(kind_group.apply_step(&fa.ctx, a, fa.state, &prev, &next),
			 APPLY_STEP_DONE);
	tenant_request_release(&prev);
	assert_string_equal(apply_ctx_id(&fa.ctx, "group.o'brien"), "g-new");
	fixture_apply_release(&fa);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_apply_create_again_only_after_empty_lookups_and_not_forever(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(TENANT "groups:\n  - name: sales\n");
	json_t *live = fixture_json("{}");
	struct plan *plan = fixture_diff(&kind_group, cfg, live, &diags);
	const struct plan_action *a = &plan->actions[0];
	struct tenant_request prev, next;
	struct fixture_apply fa;
	int creates;

	(void)state;
	fixture_apply_init(&fa, plan);
	assert_int_equal(kind_group.apply_step(&fa.ctx, a, fa.state, NULL, &next), APPLY_STEP_MORE);
	for (creates = 1; creates <= RESEND_MAX; creates++) {
		prev = next;
		fixture_answer(&prev, 503, NULL);
		assert_int_equal(kind_group.apply_step(&fa.ctx, a, fa.state, &prev, &next),
				 APPLY_STEP_MORE);
		tenant_request_release(&prev);
		assert_string_equal(next.method, "GET");
		prev = next;
		fixture_answer(&prev, 200, "{\"value\": []}");
		assert_int_equal(kind_group.apply_step(&fa.ctx, a, fa.state, &prev, &next),
				 APPLY_STEP_MORE);
		tenant_request_release(&prev);
		assert_string_equal(next.method, "POST");
	}
	prev = next;
	fixture_answer(&prev, 503, NULL);
	assert_int_equal(kind_group.apply_step(&fa.ctx, a, fa.state, &prev, &next),
			 APPLY_STEP_FAILED);
	tenant_request_release(&prev);
	assert_non_null(fa.ctx.outcomes[0].error);
	assert_non_null(strstr(fa.ctx.outcomes[0].error, "503"));
	fixture_apply_release(&fa);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_apply_update_patches_by_id(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(finance_yaml);
	json_t *live = fixture_json("{\"groups\": [{\"id\": \"g1\", \"displayName\": "
				    "\"finance-readers\"}, {\"id\": \"g2\", \"displayName\": "
				    "\"sales\"}]}");
	struct plan *plan = fixture_diff(&kind_group, cfg, live, &diags);
	const struct plan_action *a = &plan->actions[0];
	struct tenant_request prev, next;
	struct fixture_apply fa;

	(void)state;
	assert_int_equal(plan->nr, 1);
	fixture_apply_init(&fa, plan);
	assert_int_equal(kind_group.apply_step(&fa.ctx, a, fa.state, NULL, &next), APPLY_STEP_MORE);
	assert_string_equal(next.method, "PATCH");
	assert_string_equal(next.path, "/v1.0/groups/g1");
	assert_json(next.body, "{\"description\": \"Partner finance read access\"}");
	prev = next;
	fixture_answer(&prev, 204, NULL);
	assert_int_equal(kind_group.apply_step(&fa.ctx, a, fa.state, &prev, &next),
			 APPLY_STEP_DONE);
	tenant_request_release(&prev);
	fixture_apply_release(&fa);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_diff_creates_missing_security_groups),
	    cmocka_unit_test(test_mail_nickname_is_sanitised_and_stable),
	    cmocka_unit_test(test_diff_updates_description_only_when_declared_and_different),
	    cmocka_unit_test(test_diff_no_action_when_group_is_as_declared),
	    cmocka_unit_test(test_diff_refuses_to_pick_among_duplicate_names),
	    cmocka_unit_test(test_diff_refuses_a_name_that_differs_only_in_case),
	    cmocka_unit_test(test_read_asks_for_declared_names_in_chunks_of_15),
	    cmocka_unit_test(test_read_fails_with_graph_error),
	    cmocka_unit_test(test_apply_create_looks_up_after_a_lost_answer),
	    cmocka_unit_test(test_apply_create_again_only_after_empty_lookups_and_not_forever),
	    cmocka_unit_test(test_apply_update_patches_by_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
