/*
 * Unit tests for the group_member kind: desired members from guests' groups,
 * partners' guestGroups and internal members; dependencies on groups and
 * guests created by the same plan; removals only from authoritative groups;
 * the batched members read; and the add/remove steps Graph answers oddly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "partners_fixture.h"
#include "reconcile/kinds/directory_common.h"

extern const struct kind kind_group, kind_guest, kind_group_member;

static const char *const members_yaml = "tenant:\n"
					"  id: 11111111-1111-1111-1111-111111111111\n"
					"partners:\n"
					"  - name: contoso\n"
					"    domains: [contoso.com]\n"
					"    guestGroups: [contoso-guests]\n"
					"    guests:\n"
					"      - email: alice@contoso.com\n"
					"        groups: [finance-readers]\n"
					"      - email: Bob@contoso.com\n"
					"groups:\n"
					"  - name: finance-readers\n"
					"    members: [carl@hostcorp.com]\n"
					"  - name: contoso-guests\n"
					"    membership: additive\n"
					"  - name: internal-only\n"
					"    members: [Dana@hostcorp.com]\n";

static const char *const internal_users =
    "{\"id\": \"u-carl\", \"userPrincipalName\": \"carl@hostcorp.com\", \"userType\": "
    "\"Member\"},"
    "{\"id\": \"u-dana\", \"userPrincipalName\": \"dana@hostcorp.com\", \"userType\": "
    "\"Member\"}";

/* Diffs group, guest and group_member in registry order, as reconcile_diff does. */
static struct plan *diff_membership(const struct config *cfg, json_t *live, struct diag_list *diags)
{
	const struct kind *order[] = {&kind_group, &kind_guest, &kind_group_member};
	struct reconcile_ctx ctx = {0};
	struct plan *plan = plan_new();
	size_t i;

	ctx.cfg = cfg;
	ctx.live = live;
	ctx.diags = diags;
	ctx.index = live_index_build(live);
	for (i = 0; i < ARRAY_SIZE(order); i++)
		assert_int_equal(order[i]->diff(&ctx, plan), 0);
	live_index_free(ctx.index);
	return plan;
}

static size_t count_kind(const struct plan *plan, const struct kind *kind)
{
	size_t i, n = 0;

	for (i = 0; i < plan->nr; i++)
		n += plan->actions[i].kind == kind;
	return n;
}

static int depends(const struct plan_action *a, const char *address)
{
	size_t i;

	for (i = 0; i < a->depends_nr; i++)
		if (!strcmp(a->depends_on[i], address))
			return 1;
	return 0;
}

static void test_diff_adds_members_of_new_groups_and_guests_by_address(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(members_yaml);
	char *text = xstrfmt("{\"users\": [%s]}", internal_users);
	json_t *live = fixture_json(text);
	struct plan *plan = diff_membership(cfg, live, &diags);
	struct plan_action *a;

	(void)state;
	assert_int_equal(diags.nr, 0);
	assert_int_equal(count_kind(plan, &kind_group_member), 5);
	a = plan_find(plan, "group_member.finance-readers/alice@contoso.com");
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_CREATE);
	assert_int_equal(a->source_line, 9);
	assert_change(a, "member", "null", "\"alice@contoso.com\"");
	assert_true(depends(a, "group.finance-readers"));
	assert_true(depends(a, "guest.alice@contoso.com"));
	assert_json(a->data, "{\"group\": {\"address\": \"group.finance-readers\"},"
			     " \"member\": {\"address\": \"guest.alice@contoso.com\"}}");
	a = plan_find(plan, "group_member.finance-readers/carl@hostcorp.com");
	assert_non_null(a);
	assert_int_equal(a->depends_nr, 1);
	assert_json(a->data, "{\"group\": {\"address\": \"group.finance-readers\"},"
			     " \"member\": {\"id\": \"u-carl\"}}");
	a = plan_find(plan, "group_member.contoso-guests/bob@contoso.com");
	assert_non_null(a);
	assert_int_equal(a->source_line, 6);
	assert_non_null(plan_find(plan, "group_member.contoso-guests/alice@contoso.com"));
	assert_non_null(plan_find(plan, "group_member.internal-only/Dana@hostcorp.com"));
	plan_free(plan);
	json_decref(live);
	free(text);
	config_free(cfg);
}

static const char *const existing_live =
    "{\"groups\": ["
    "{\"id\": \"g-fin\", \"displayName\": \"finance-readers\","
    " \"members\": [\"u-alice\", \"u-carl\", \"u-zed\", \"u-yan\", \"g-nested\"]},"
    "{\"id\": \"g-cg\", \"displayName\": \"contoso-guests\", \"members\": [\"u-alice\", "
    "\"u-old\"]},"
    "{\"id\": \"g-io\", \"displayName\": \"internal-only\", \"members\": [\"u-dana\"]}],"
    " \"users\": [%s,"
    "{\"id\": \"u-alice\", \"mail\": \"alice@contoso.com\", \"userType\": \"Guest\"},"
    "{\"id\": \"u-bob\", \"mail\": \"bob@contoso.com\", \"userType\": \"Guest\"},"
    "{\"id\": \"u-zed\", \"userPrincipalName\": \"Zed@hostcorp.com\", \"userType\": "
    "\"Member\"},"
    "{\"id\": \"u-yan\", \"mail\": \"Yan@Other.com\", \"userType\": \"Guest\"},"
    "{\"id\": \"u-old\", \"mail\": \"old@contoso.com\", \"userType\": \"Guest\"}]}";

static void test_diff_removes_undeclared_only_from_authoritative_groups(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(members_yaml);
	char *text = xstrfmt(existing_live, internal_users);
	json_t *live = fixture_json(text);
	struct plan *plan = diff_membership(cfg, live, &diags);
	struct plan_action *a;

	(void)state;
	assert_int_equal(diags.nr, 0);
	assert_int_equal(plan->nr, 3);
	a = plan_find(plan, "group_member.finance-readers/Zed@hostcorp.com");
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_DELETE);
	assert_non_null(a->source_file);
	assert_int_equal(a->source_line, 12); /* membership not written: the group itself */
	assert_change(a, "member", "\"Zed@hostcorp.com\"", "null");
	assert_json(a->data, "{\"group\": {\"id\": \"g-fin\"}, \"member\": {\"id\": \"u-zed\"}}");
	a = plan_find(plan, "group_member.finance-readers/yan@other.com");
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_DELETE);
	/* additive: u-old stays; bob is added by id, nothing to wait for */
	a = plan_find(plan, "group_member.contoso-guests/bob@contoso.com");
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_CREATE);
	assert_int_equal(a->depends_nr, 0);
	assert_json(a->data, "{\"group\": {\"id\": \"g-cg\"}, \"member\": {\"id\": \"u-bob\"}}");
	plan_free(plan);
	json_decref(live);
	free(text);
	config_free(cfg);
}

static void test_diff_unknown_internal_member_is_an_error_at_its_place(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(members_yaml);
	json_t *live = fixture_json("{}");
	struct plan *plan = diff_membership(cfg, live, &diags);

	(void)state;
	assert_int_equal(diag_count(&diags, DIAG_ERROR), 2);
	assert_int_equal(diags.items[0].line, 13);
	assert_non_null(strstr(diags.items[0].message, "carl@hostcorp.com"));
	assert_non_null(strstr(diags.items[0].message, "finance-readers"));
	assert_int_equal(diags.items[1].line, 17);
	assert_null(plan_find(plan, "group_member.finance-readers/carl@hostcorp.com"));
	assert_int_equal(count_kind(plan, &kind_group_member), 3);
	diag_list_release(&diags);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_read_pages_members_and_finds_missing_internal_users(void **state)
{
	static const struct fake_answer answers[] = {
	    {"GET", "/v1.0/groups?$filter=displayName%20in%20(", 200,
	     "{\"value\": [{\"id\": \"g-fin\", \"displayName\": \"finance-readers\"},"
	     "{\"id\": \"g-cg\", \"displayName\": \"contoso-guests\"}]}"},
	    {"GET", "/v1.0/users?$filter=userType%20eq%20%27Guest%27", 200,
	     "{\"value\": [{\"id\": \"u-alice\", \"mail\": \"alice@contoso.com\","
	     " \"userType\": \"Guest\"}]}"},
	    {"GET", "/v1.0/users?$filter=mail%20in%20(", 200, "{\"value\": []}"},
	    {"GET", "/v1.0/groups/g-fin/members?", 200,
	     "{\"value\": [{\"@odata.type\": \"#microsoft.graph.user\", \"id\": \"u-carl\","
	     " \"userPrincipalName\": \"carl@hostcorp.com\", \"userType\": \"Member\"},"
	     "{\"@odata.type\": \"#microsoft.graph.group\", \"id\": \"g-nested\"},"
	     "{\"id\": \"u-alice\", \"mail\": \"alice@contoso.com\"}]}"},
	    {"GET", "/v1.0/groups/g-cg/members?", 200, "{\"value\": []}"},
	    {"GET", "/v1.0/users?$filter=userPrincipalName%20in%20(", 200,
	     "{\"value\": [{\"id\": \"u-dana\", \"userPrincipalName\": \"dana@hostcorp.com\"}]}"},
	};
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(members_yaml);
	const struct kind *read_kinds[] = {&kind_group, &kind_guest, &kind_group_member};
	struct fake_tenant t;
	json_t *live, *groups, *users;

	(void)state;
	fake_tenant_init(&t, answers, ARRAY_SIZE(answers));
	live = fixture_read(read_kinds, 3, cfg, &t.base, &diags);
	assert_non_null(strstr(t.log.buf, "GET /v1.0/groups/g-fin/members?$select=id,"
					  "userPrincipalName,mail,userType&$top=999 paged "
					  "batchable\n"));
	assert_non_null(strstr(t.log.buf, "GET /v1.0/groups/g-cg/members?"));
	assert_non_null(strstr(t.log.buf, "GET /v1.0/users?$filter=userPrincipalName%20in%20("
					  "%27Dana%40hostcorp.com%27)&$select="));
	assert_null(strstr(t.log.buf, "%27carl%40hostcorp.com%27"));
	groups = json_object_get(live, "groups");
	assert_json(json_object_get(json_array_get(groups, 0), "members"),
		    "[\"u-carl\", \"g-nested\", \"u-alice\"]");
	assert_json(json_object_get(json_array_get(groups, 1), "members"), "[]");
	users = json_object_get(live, "users");
	assert_int_equal(json_array_size(users), 3); /* alice, carl, dana; not the nested group */
	assert_null(json_object_get(json_array_get(users, 1), "@odata.type"));
	fake_tenant_release(&t);
	json_decref(live);
	config_free(cfg);
}

static struct plan *plan_existing(struct config **cfg, json_t **live)
{
	struct diag_list diags = DIAG_LIST_INIT;
	char *text = xstrfmt(existing_live, internal_users);
	struct plan *plan;

	*cfg = fixture_config_ok(members_yaml);
	*live = fixture_json(text);
	free(text);
	plan = diff_membership(*cfg, *live, &diags);
	assert_int_equal(diags.nr, 0);
	return plan;
}

static void test_apply_add_counts_already_a_member_as_done(void **state)
{
	struct config *cfg;
	json_t *live;
	struct plan *plan = plan_existing(&cfg, &live);
	const struct plan_action *a =
	    plan_find(plan, "group_member.contoso-guests/bob@contoso.com");
	struct tenant_request prev, next;
	struct fixture_apply fa;

	(void)state;
	fixture_apply_init(&fa, plan);
	assert_int_equal(kind_group_member.apply_step(&fa.ctx, a, fa.state, NULL, &next),
			 APPLY_STEP_MORE);
	assert_string_equal(next.method, "POST");
	assert_string_equal(next.path, "/v1.0/groups/g-cg/members/$ref");
	assert_int_equal(next.flags, TENANT_BATCHABLE | TENANT_RETRY_NOT_FOUND);
	assert_json(next.body, "{\"@odata.id\": "
			       "\"https://graph.microsoft.com/v1.0/directoryObjects/u-bob\"}");
	prev = next;
	fixture_answer(&prev, 400, NULL);
	free(prev.error.message);
	prev.error.message = xstrdup("One or more added object references already exist for the "
				     "following modified properties: 'members'.");
	assert_int_equal(kind_group_member.apply_step(&fa.ctx, a, fa.state, &prev, &next),
			 APPLY_STEP_DONE);
	tenant_request_release(&prev);

	assert_int_equal(kind_group_member.apply_step(&fa.ctx, a, fa.state, NULL, &next),
			 APPLY_STEP_MORE);
	prev = next;
	fixture_answer(&prev, 400, NULL);
	assert_int_equal(kind_group_member.apply_step(&fa.ctx, a, fa.state, &prev, &next),
			 APPLY_STEP_FAILED);
	tenant_request_release(&prev);
	fixture_apply_release(&fa);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_apply_add_resolves_objects_created_by_this_apply(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(members_yaml);
	char *text = xstrfmt("{\"users\": [%s]}", internal_users);
	json_t *live = fixture_json(text);
	struct plan *plan = diff_membership(cfg, live, &diags);
	const struct plan_action *a =
	    plan_find(plan, "group_member.finance-readers/alice@contoso.com");
	struct tenant_request next;
	struct fixture_apply fa;

	(void)state;
	fixture_apply_init(&fa, plan);
	apply_ctx_set_id(&fa.ctx, "group.finance-readers", "g-new");
	assert_int_equal(kind_group_member.apply_step(&fa.ctx, a, fa.state, NULL, &next),
			 APPLY_STEP_FAILED);
	apply_ctx_set_id(&fa.ctx, "guest.alice@contoso.com", "u-new");
	assert_int_equal(kind_group_member.apply_step(&fa.ctx, a, fa.state, NULL, &next),
			 APPLY_STEP_MORE);
	assert_string_equal(next.path, "/v1.0/groups/g-new/members/$ref");
	assert_json(next.body, "{\"@odata.id\": "
			       "\"https://graph.microsoft.com/v1.0/directoryObjects/u-new\"}");
	tenant_request_release(&next);
	fixture_apply_release(&fa);
	plan_free(plan);
	json_decref(live);
	free(text);
	config_free(cfg);
}

static void test_apply_remove_counts_not_found_as_done(void **state)
{
	struct config *cfg;
	json_t *live;
	struct plan *plan = plan_existing(&cfg, &live);
	const struct plan_action *a =
	    plan_find(plan, "group_member.finance-readers/Zed@hostcorp.com");
	struct tenant_request prev, next;
	struct fixture_apply fa;

	(void)state;
	fixture_apply_init(&fa, plan);
	assert_int_equal(kind_group_member.apply_step(&fa.ctx, a, fa.state, NULL, &next),
			 APPLY_STEP_MORE);
	assert_string_equal(next.method, "DELETE");
	assert_string_equal(next.path, "/v1.0/groups/g-fin/members/u-zed/$ref");
	assert_true(next.flags & TENANT_BATCHABLE);
	prev = next;
	fixture_answer(&prev, 404, NULL);
	assert_int_equal(kind_group_member.apply_step(&fa.ctx, a, fa.state, &prev, &next),
			 APPLY_STEP_DONE);
	tenant_request_release(&prev);
	fixture_apply_release(&fa);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_diff_one_action_for_a_member_declared_twice(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok("tenant:\n"
					       "  id: 11111111-1111-1111-1111-111111111111\n"
					       "partners:\n"
					       "  - name: contoso\n"
					       "    domains: [contoso.com]\n"
					       "    guestGroups: [contoso-guests]\n"
					       "    guests:\n"
					       "      - email: alice@contoso.com\n"
					       "        groups: [contoso-guests]\n"
					       "groups:\n"
					       "  - name: contoso-guests\n"
					       "    membership: authoritative\n");
	json_t *live = fixture_json("{\"groups\": [{\"id\": \"g-cg\", \"displayName\": "
				    "\"contoso-guests\", \"members\": []}],"
				    " \"users\": [{\"id\": \"u-alice\", \"mail\": "
				    "\"Alice@Contoso.com\", \"userType\": \"Guest\"}]}");
	struct plan *plan = diff_membership(cfg, live, &diags);

	(void)state;
	assert_int_equal(plan->nr, 1);
	assert_string_equal(plan->actions[0].address,
			    "group_member.contoso-guests/alice@contoso.com");
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_apply_lost_answer_is_sent_again_a_bounded_number_of_times(void **state)
{
	struct config *cfg;
	json_t *live;
	struct plan *plan = plan_existing(&cfg, &live);
	const struct plan_action *a =
	    plan_find(plan, "group_member.contoso-guests/bob@contoso.com");
	struct tenant_request prev, next;
	struct fixture_apply fa;
	int resends;

	(void)state;
	fixture_apply_init(&fa, plan);
	assert_int_equal(kind_group_member.apply_step(&fa.ctx, a, fa.state, NULL, &next),
			 APPLY_STEP_MORE);
	for (resends = 0; resends < RESEND_MAX; resends++) {
		prev = next;
		fixture_answer(&prev, 0, NULL);
		prev.error.ambiguous = 1;
		assert_int_equal(kind_group_member.apply_step(&fa.ctx, a, fa.state, &prev, &next),
				 APPLY_STEP_MORE);
		tenant_request_release(&prev);
		assert_string_equal(next.path, "/v1.0/groups/g-cg/members/$ref");
	}
	prev = next;
	fixture_answer(&prev, 503, NULL);
	assert_int_equal(kind_group_member.apply_step(&fa.ctx, a, fa.state, &prev, &next),
			 APPLY_STEP_FAILED);
	tenant_request_release(&prev);
	fixture_apply_release(&fa);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_read_through_the_snapshot_backend(void **state)
{
	static const char snapshot[] =
	    "{\"format\": \"b2bctl-snapshot/1\","
	    " \"tenantId\": \"11111111-1111-1111-1111-111111111111\","
	    " \"defaultDomain\": \"hostcorp.onmicrosoft.com\","
	    " \"users\": ["
	    "{\"id\": \"a0000000-0000-4000-8000-000000000001\", \"mail\": \"alice@contoso.com\","
	    " \"userPrincipalName\": \"alice_contoso.com#EXT#@hostcorp.onmicrosoft.com\","
	    " \"userType\": \"Guest\"},"
	    "{\"id\": \"a0000000-0000-4000-8000-000000000002\", \"mail\": \"bob@contoso.com\","
	    " \"userPrincipalName\": \"bob_contoso.com#EXT#@hostcorp.onmicrosoft.com\","
	    " \"userType\": \"Member\", \"externalUserState\": \"Accepted\"},"
	    "{\"id\": \"b0000000-0000-4000-8000-000000000001\", \"userPrincipalName\": "
	    "\"carl@hostcorp.com\", \"userType\": \"Member\"},"
	    "{\"id\": \"b0000000-0000-4000-8000-000000000002\", \"userPrincipalName\": "
	    "\"dana@hostcorp.com\", \"userType\": \"Member\"},"
	    "{\"id\": \"b0000000-0000-4000-8000-000000000003\", \"userPrincipalName\": "
	    "\"zed@hostcorp.com\", \"userType\": \"Member\"}],"
	    " \"groups\": ["
	    "{\"id\": \"c0000000-0000-4000-8000-000000000001\", \"displayName\": "
	    "\"finance-readers\", \"securityEnabled\": true, \"mailEnabled\": false,"
	    " \"members\": [\"a0000000-0000-4000-8000-000000000001\","
	    " \"b0000000-0000-4000-8000-000000000003\"]},"
	    "{\"id\": \"c0000000-0000-4000-8000-000000000002\", \"displayName\": "
	    "\"unrelated\", \"securityEnabled\": true, \"mailEnabled\": false,"
	    " \"members\": [\"b0000000-0000-4000-8000-000000000002\"]}]}";
	char path[] = "/tmp/b2bctl-directory-read-XXXXXX";
	const struct kind *read_kinds[] = {&kind_group, &kind_guest, &kind_group_member};
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(members_yaml);
	json_t *live, *groups, *users, *u;
	struct tenant *t;
	size_t i;
	int fd, found_bob = 0, found_zed = 0, found_dana = 0;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, snapshot, sizeof(snapshot) - 1),
			 (ssize_t)(sizeof(snapshot) - 1));
	close(fd);
	t = tenant_snapshot_open(path);
	assert_non_null(t);
	live = fixture_read(read_kinds, 3, cfg, t, &diags);
	groups = json_object_get(live, "groups");
	assert_int_equal(json_array_size(groups), 1); /* only the groups the files name */
	assert_json(json_object_get(json_array_get(groups, 0), "displayName"),
		    "\"finance-readers\"");
	assert_json(json_object_get(json_array_get(groups, 0), "members"),
		    "[\"a0000000-0000-4000-8000-000000000001\", "
		    "\"b0000000-0000-4000-8000-000000000003\"]");
	users = json_object_get(live, "users");
	json_array_foreach(users, i, u)
	{
		const char *upn = json_string_value(json_object_get(u, "userPrincipalName"));

		found_bob += !strncmp(upn, "bob_", 4);           /* a Member guest, found by mail */
		found_zed += !strcmp(upn, "zed@hostcorp.com");   /* a member of a declared group */
		found_dana += !strcmp(upn, "dana@hostcorp.com"); /* declared by UPN */
	}
	assert_int_equal(found_bob, 1);
	assert_int_equal(found_zed, 1);
	assert_int_equal(found_dana, 1);
	assert_int_equal(json_array_size(users), 5); /* alice, bob, zed, carl, dana */
	tenant_free(t);
	unlink(path);
	json_decref(live);
	config_free(cfg);
}

static void test_diff_leaves_the_memberships_of_pruned_guests_to_their_deletion(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct strbuf yaml = STRBUF_INIT;
	struct config *cfg;
	char *text = xstrfmt(existing_live, internal_users);
	json_t *live = fixture_json(text);
	const char *groups_at;
	struct plan *plan;

	(void)state;
	groups_at = strstr(members_yaml, "groups:\n");
	strbuf_add(&yaml, members_yaml, (size_t)(groups_at - members_yaml));
	strbuf_addstr(&yaml, "  - name: other\n    domains: [other.com]\n    pruneGuests: true\n");
	strbuf_addstr(&yaml, groups_at);
	cfg = fixture_config_ok(yaml.buf);
	plan = diff_membership(cfg, live, &diags);
	assert_non_null(plan_find(plan, "guest.yan@other.com"));
	assert_int_equal(plan_find(plan, "guest.yan@other.com")->op, PLAN_DELETE);
	assert_null(plan_find(plan, "group_member.finance-readers/yan@other.com"));
	assert_non_null(plan_find(plan, "group_member.finance-readers/Zed@hostcorp.com"));
	plan_free(plan);
	strbuf_release(&yaml);
	json_decref(live);
	free(text);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_diff_adds_members_of_new_groups_and_guests_by_address),
	    cmocka_unit_test(test_diff_removes_undeclared_only_from_authoritative_groups),
	    cmocka_unit_test(test_diff_unknown_internal_member_is_an_error_at_its_place),
	    cmocka_unit_test(test_read_pages_members_and_finds_missing_internal_users),
	    cmocka_unit_test(test_read_through_the_snapshot_backend),
	    cmocka_unit_test(test_apply_add_counts_already_a_member_as_done),
	    cmocka_unit_test(test_apply_add_resolves_objects_created_by_this_apply),
	    cmocka_unit_test(test_apply_remove_counts_not_found_as_done),
	    cmocka_unit_test(test_diff_one_action_for_a_member_declared_twice),
	    cmocka_unit_test(test_diff_leaves_the_memberships_of_pruned_guests_to_their_deletion),
	    cmocka_unit_test(test_apply_lost_answer_is_sent_again_a_bounded_number_of_times),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
