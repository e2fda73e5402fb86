/*
 * Unit tests for the guest kind: matching by email in every form Graph keeps
 * it, invitations, updates, re-invitations after resendPendingAfter, pruning
 * only under pruneGuests, the bounded read, and an invitation that is never
 * sent twice when its answer is lost.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "partners_fixture.h"
#include "reconcile/kinds/directory_common.h"
#include "reconcile/tenant/tenant.h"

extern const struct kind kind_guest;

static const char *const guests_yaml = "tenant:\n"
				       "  id: 11111111-1111-1111-1111-111111111111\n"
				       "invitations:\n"
				       "  sendEmail: false\n"
				       "  message: Welcome to Host Corp\n"
				       "  resendPendingAfter: P14D\n"
				       "partners:\n"
				       "  - name: contoso\n"
				       "    domains: [contoso.com]\n"
				       "    pruneGuests: true\n"
				       "    guests:\n"
				       "      - email: Alice@Contoso.com\n"
				       "        displayName: Alice Smith\n"
				       "      - email: bob@contoso.com\n"
				       "        userType: Member\n"
				       "  - name: fabrikam\n"
				       "    domains: [fabrikam.com]\n"
				       "    guests:\n"
				       "      - email: carol@fabrikam.com\n";

/* 2026-02-01T00:00:00Z */
#define NOW ((time_t)1769904000)

static struct plan *diff_guests(const struct config *cfg, json_t *live, struct diag_list *diags,
				struct plan *plan)
{
	struct reconcile_ctx ctx = {0};

	if (!plan)
		plan = plan_new();
	ctx.cfg = cfg;
	ctx.live = live;
	ctx.diags = diags;
	ctx.now = NOW;
	ctx.index = live_index_build(live);
	assert_int_equal(kind_guest.diff(&ctx, plan), 0);
	live_index_free(ctx.index);
	return plan;
}

static const char *const all_present =
    "{\"users\": ["
    "{\"id\": \"u-alice\", \"mail\": \"ALICE@contoso.com\", \"displayName\": \"Alice Smith\","
    " \"userType\": \"Guest\", \"externalUserState\": \"Accepted\"},"
    "{\"id\": \"u-bob\", \"mail\": null, \"userType\": \"Member\","
    " \"userPrincipalName\": \"bob_contoso.com#EXT#@host.onmicrosoft.com\","
    " \"externalUserState\": \"Accepted\"},"
    "{\"id\": \"u-carol\", \"otherMails\": [\"Carol@Fabrikam.com\"], \"userType\": \"Guest\","
    " \"userPrincipalName\": \"carol.x_fabrikam.com#EXT#@host.onmicrosoft.com\"}]}";

static void test_diff_invites_missing_guests(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(guests_yaml);
	json_t *live = fixture_json("{\"users\": []}");
	struct plan *plan = plan_new();
	struct plan_action *a;

	(void)state;
	plan_add_action(plan, kind_find("invitation_domains"), PLAN_UPDATE, "tenant", NULL);
	diff_guests(cfg, live, &diags, plan);
	assert_int_equal(plan->nr, 4);
	a = plan_find(plan, "guest.alice@contoso.com");
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_CREATE);
	assert_int_equal(a->source_line, 12);
	assert_change(a, "email", "null", "\"Alice@Contoso.com\"");
	assert_change(a, "displayName", "null", "\"Alice Smith\"");
	assert_change(a, "userType", "null", "\"Guest\"");
	assert_int_equal(a->depends_nr, 1);
	assert_string_equal(a->depends_on[0], "invitation_domains.tenant");
	assert_json(
	    a->data,
	    "{\"email\": \"alice@contoso.com\", \"invitation\": {"
	    "\"invitedUserEmailAddress\": \"Alice@Contoso.com\","
	    "\"inviteRedirectUrl\": "
	    "\"https://myapps.microsoft.com/11111111-1111-1111-1111-111111111111\","
	    "\"sendInvitationMessage\": false,"
	    "\"invitedUserDisplayName\": \"Alice Smith\","
	    "\"invitedUserType\": \"Guest\","
	    "\"invitedUserMessageInfo\": {\"customizedMessageBody\": \"Welcome to Host Corp\"}}}");
	a = plan_find(plan, "guest.bob@contoso.com");
	assert_non_null(a);
	assert_json(json_object_get(json_object_get(a->data, "invitation"), "invitedUserType"),
		    "\"Member\"");
	assert_null(
	    json_object_get(json_object_get(a->data, "invitation"), "invitedUserDisplayName"));
	assert_non_null(plan_find(plan, "guest.carol@fabrikam.com"));
	assert_int_equal(diags.nr, 0);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_diff_without_invitations_section_uses_defaults_and_no_dependency(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg =
	    fixture_config_ok("tenant:\n  id: 11111111-1111-1111-1111-111111111111\n"
			      "partners:\n  - name: contoso\n"
			      "    domains: [contoso.com]\n"
			      "    guests:\n      - email: alice@contoso.com\n");
	json_t *live = fixture_json("{}");
	struct plan *plan = diff_guests(cfg, live, &diags, NULL);

	(void)state;
	assert_int_equal(plan->nr, 1);
	assert_int_equal(plan->actions[0].depends_nr, 0);
	assert_json(json_object_get(plan->actions[0].data, "invitation"),
		    "{\"invitedUserEmailAddress\": \"alice@contoso.com\","
		    "\"inviteRedirectUrl\": "
		    "\"https://myapps.microsoft.com/11111111-1111-1111-1111-111111111111\","
		    "\"sendInvitationMessage\": true, \"invitedUserType\": \"Guest\"}");
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_diff_matches_mail_other_mails_and_ext_upn_without_case(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(guests_yaml);
	json_t *live = fixture_json(all_present);
	struct plan *plan = diff_guests(cfg, live, &diags, NULL);

	(void)state;
	assert_int_equal(plan->nr, 0);
	assert_int_equal(diags.nr, 0);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_diff_updates_display_name_and_user_type(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(guests_yaml);
	json_t *live = fixture_json(all_present);
	struct plan *plan;
	struct plan_action *a;

	(void)state;
	json_object_set_new(json_array_get(json_object_get(live, "users"), 0), "displayName",
			    json_string("A. Smith"));
	json_object_set_new(json_array_get(json_object_get(live, "users"), 1), "userType",
			    json_string("Guest"));
	plan = diff_guests(cfg, live, &diags, NULL);
	assert_int_equal(plan->nr, 2);
	a = plan_find(plan, "guest.alice@contoso.com");
	assert_int_equal(a->op, PLAN_UPDATE);
	assert_change(a, "displayName", "\"A. Smith\"", "\"Alice Smith\"");
	assert_null(find_change(a, "userType"));
	assert_json(a->data, "{\"id\": \"u-alice\", \"email\": \"alice@contoso.com\","
			     " \"body\": {\"displayName\": \"Alice Smith\"}}");
	a = plan_find(plan, "guest.bob@contoso.com");
	assert_int_equal(a->op, PLAN_UPDATE);
	assert_change(a, "userType", "\"Guest\"", "\"Member\"");
	assert_json(json_object_get(a->data, "body"), "{\"userType\": \"Member\"}");
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_diff_reinvites_guests_pending_longer_than_resend_after(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(guests_yaml);
	json_t *live = fixture_json(all_present);
	json_t *users = json_object_get(live, "users");
	struct plan *plan;
	struct plan_action *a;

	(void)state;
	json_object_set_new(json_array_get(users, 0), "externalUserState",
			    json_string("PendingAcceptance"));
	json_object_set_new(json_array_get(users, 0), "externalUserStateChangeDateTime",
			    json_string("2026-01-10T08:00:00.1234567Z"));
	/* 7 days: not yet */
	json_object_set_new(json_array_get(users, 2), "externalUserState",
			    json_string("PendingAcceptance"));
	json_object_set_new(json_array_get(users, 2), "createdDateTime",
			    json_string("2026-01-25T00:00:00Z"));
	plan = diff_guests(cfg, live, &diags, NULL);
	assert_int_equal(plan->nr, 1);
	a = plan_find(plan, "guest.alice@contoso.com");
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_UPDATE);
	assert_change(a, "invitation", "\"PendingAcceptance since 2026-01-10T08:00:00.1234567Z\"",
		      "\"resend\"");
	assert_null(json_object_get(a->data, "body"));
	assert_json(
	    json_object_get(json_object_get(a->data, "invitation"), "invitedUserEmailAddress"),
	    "\"Alice@Contoso.com\"");
	plan_free(plan);

	/* carol, pending since her creation long ago, is due as well */
	json_object_set_new(json_array_get(users, 2), "createdDateTime",
			    json_string("2025-12-01T00:00:00Z"));
	plan = diff_guests(cfg, live, &diags, NULL);
	assert_int_equal(plan->nr, 2);
	assert_non_null(plan_find(plan, "guest.carol@fabrikam.com"));
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_diff_prunes_only_undeclared_guests_of_pruning_partners(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(guests_yaml);
	json_t *live = fixture_json(all_present);
	json_t *users = json_object_get(live, "users");
	struct plan *plan;
	struct plan_action *a;

	(void)state;
	json_array_append_new(users, fixture_json("{\"id\": \"u-dave\", \"mail\": "
						  "\"Dave@CONTOSO.com\", \"userType\": \"Guest\", "
						  "\"displayName\": \"Dave\"}"));
	json_array_append_new(users,
			      fixture_json("{\"id\": \"u-eve\", \"mail\": "
					   "\"eve@fabrikam.com\", \"userType\": \"Guest\"}"));
	json_array_append_new(users,
			      fixture_json("{\"id\": \"u-frank\", \"mail\": "
					   "\"frank@contoso.com\", \"userType\": \"Member\", "
					   "\"userPrincipalName\": \"frank@contoso.com\"}"));
	json_array_append_new(users,
			      fixture_json("{\"id\": \"u-gina\", \"userType\": \"Guest\", "
					   "\"userPrincipalName\": "
					   "\"gina_contoso.com#EXT#@host.onmicrosoft.com\"}"));
	plan = diff_guests(cfg, live, &diags, NULL);
	assert_int_equal(plan->nr, 2);
	a = plan_find(plan, "guest.dave@contoso.com");
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_DELETE);
	assert_int_equal(a->source_line, 10);
	assert_change(a, "email", "\"dave@contoso.com\"", "null");
	assert_json(a->data, "{\"id\": \"u-dave\", \"email\": \"dave@contoso.com\"}");
	a = plan_find(plan, "guest.gina@contoso.com");
	assert_non_null(a);
	assert_int_equal(a->op, PLAN_DELETE);
	assert_null(plan_find(plan, "guest.eve@fabrikam.com"));
	assert_null(plan_find(plan, "guest.frank@contoso.com"));
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_diff_refuses_an_internal_user_with_a_guest_email(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(guests_yaml);
	json_t *live = fixture_json(all_present);
	struct plan *plan;

	(void)state;
	json_array_append_new(json_object_get(live, "users"),
			      fixture_json("{\"id\": \"u-c2\", \"mail\": \"carol@fabrikam.com\","
					   " \"userType\": \"Member\","
					   " \"userPrincipalName\": \"carol@host.com\"}"));
	json_array_remove(json_object_get(live, "users"), 2);
	plan = diff_guests(cfg, live, &diags, NULL);
	assert_int_equal(plan->nr, 0);
	assert_int_equal(diag_count(&diags, DIAG_ERROR), 1);
	assert_int_equal(diags.items[0].line, 19);
	assert_non_null(strstr(diags.items[0].message, "carol@host.com"));
	diag_list_release(&diags);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_read_lists_guests_then_finds_the_rest_by_mail(void **state)
{
	static const struct fake_answer answers[] = {
	    {"GET", "/v1.0/users?$filter=userType%20eq%20%27Guest%27", 200,
	     "{\"value\": [{\"id\": \"u-alice\", \"mail\": \"alice@contoso.com\","
	     " \"userType\": \"Guest\"}]}"},
	    {"GET", "/v1.0/users?$filter=mail%20in%20(", 200,
	     "{\"value\": [{\"id\": \"u-bob\", \"mail\": \"bob@contoso.com\","
	     " \"userType\": \"Member\"}]}"},
	};
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(guests_yaml);
	const struct kind *read_kinds[] = {&kind_guest};
	struct fake_tenant t;
	json_t *live;
	char *second;

	(void)state;
	fake_tenant_init(&t, answers, ARRAY_SIZE(answers));
	live = fixture_read(read_kinds, 1, cfg, &t.base, &diags);
	assert_int_equal(t.requests, 2);
	assert_true(
	    !strncmp(t.log.buf,
		     "GET /v1.0/users?$filter=userType%20eq%20%27Guest%27&$select=id,"
		     "displayName,mail,otherMails,userPrincipalName,userType,"
		     "externalUserState,externalUserStateChangeDateTime,creationType,"
		     "createdDateTime&$top=999 paged\n",
		     strlen("GET /v1.0/users?$filter=userType%20eq%20%27Guest%27&$select=id,"
			    "displayName,mail,otherMails,userPrincipalName,userType,"
			    "externalUserState,externalUserStateChangeDateTime,creationType,"
			    "createdDateTime&$top=999 paged\n")));
	second = strchr(t.log.buf, '\n') + 1;
	assert_true(second == strstr(t.log.buf, "GET /v1.0/users?$filter=mail%20in%20("
						"%27bob%40contoso.com%27,"
						"%27carol%40fabrikam.com%27)&$select=id,"));
	assert_non_null(strstr(second, "paged batchable\n"));
	assert_int_equal(json_array_size(json_object_get(live, "users")), 2);
	fake_tenant_release(&t);
	json_decref(live);
	config_free(cfg);
}

static void test_read_asks_nothing_more_when_the_listing_answers_for_everyone(void **state)
{
	static const struct fake_answer answers[] = {
	    {"GET", "/v1.0/users?$filter=userType%20eq%20%27Guest%27", 200,
	     "{\"value\": [{\"id\": \"u-alice\", \"otherMails\": [\"ALICE@contoso.com\"]},"
	     "{\"id\": \"u-bob\", \"userPrincipalName\": "
	     "\"bob_contoso.com#EXT#@host.onmicrosoft.com\"},"
	     "{\"id\": \"u-carol\", \"mail\": \"carol@fabrikam.com\"}]}"},
	};
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(guests_yaml);
	const struct kind *read_kinds[] = {&kind_guest};
	struct fake_tenant t;
	json_t *live;

	(void)state;
	fake_tenant_init(&t, answers, ARRAY_SIZE(answers));
	live = fixture_read(read_kinds, 1, cfg, &t.base, &diags);
	assert_int_equal(t.requests, 1);
	assert_int_equal(json_array_size(json_object_get(live, "users")), 3);
	fake_tenant_release(&t);
	json_decref(live);
	config_free(cfg);
}

/* Guests of one listing share the strings they hold alike; the values stay as Graph sent them. */
static void test_read_shares_equal_values_of_a_page(void **state)
{
	static const struct fake_answer answers[] = {
	    {"GET", "/v1.0/users?$filter=userType%20eq%20%27Guest%27", 200,
	     "{\"value\": ["
	     "{\"id\": \"u-b\", \"mail\": \"bob@contoso.com\", \"otherMails\": "
	     "[\"bob@contoso.com\"],"
	     " \"userType\": \"Guest\", \"externalUserState\": \"Accepted\","
	     " \"creationType\": \"Invitation\", \"createdDateTime\": \"2026-01-01T00:00:00Z\"},"
	     "{\"id\": \"u-a\", \"mail\": \"alice@contoso.com\", \"otherMails\": "
	     "[\"x@contoso.com\"],"
	     " \"userType\": \"Guest\", \"externalUserState\": \"Accepted\","
	     " \"creationType\": \"Invitation\", \"createdDateTime\": \"2026-01-01T00:00:00Z\"},"
	     "{\"id\": \"u-c\", \"mail\": \"carol@fabrikam.com\", \"userType\": \"Guest\","
	     " \"externalUserState\": \"PendingAcceptance\","
	     " \"createdDateTime\": \"2026-01-02T00:00:00Z\"}]}"},
	};
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(guests_yaml);
	const struct kind *read_kinds[] = {&kind_guest};
	struct fake_tenant t;
	json_t *live, *users, *a, *b, *c;
	const char *const *key;
	static const char *const alike[] = {"userType", "externalUserState", "creationType",
					    "createdDateTime", NULL};

	(void)state;
	fake_tenant_init(&t, answers, ARRAY_SIZE(answers));
	live = fixture_read(read_kinds, 1, cfg, &t.base, &diags);
	users = json_object_get(live, "users");
	/* in id order, whatever order the page had */
	a = json_array_get(users, 0);
	b = json_array_get(users, 1);
	c = json_array_get(users, 2);
	assert_string_equal(json_str(a, "id"), "u-a");
	assert_string_equal(json_str(b, "id"), "u-b");
	assert_string_equal(json_str(c, "id"), "u-c");
	for (key = alike; *key; key++)
		assert_ptr_equal(json_object_get(a, *key), json_object_get(b, *key));
	assert_ptr_equal(json_object_get(a, "userType"), json_object_get(c, "userType"));
	assert_string_equal(json_str(c, "externalUserState"), "PendingAcceptance");
	assert_string_equal(json_str(c, "createdDateTime"), "2026-01-02T00:00:00Z");
	assert_ptr_equal(json_array_get(json_object_get(b, "otherMails"), 0),
			 json_object_get(b, "mail"));
	assert_json(json_object_get(a, "otherMails"), "[\"x@contoso.com\"]");
	fake_tenant_release(&t);
	json_decref(live);
	config_free(cfg);
}

/* A snapshot tenant whose requests are also written to a log. */
struct logged_tenant {
	struct tenant base;
	struct tenant *inner;
	struct strbuf log;
};

static int logged_run(struct tenant *t, struct tenant_request *reqs, size_t nr)
{
	struct logged_tenant *l = (struct logged_tenant *)t;
	size_t i;

	for (i = 0; i < nr; i++)
		strbuf_addf(&l->log, "%s %s\n", reqs[i].method, reqs[i].path);
	return l->inner->ops->run(l->inner, reqs, nr);
}

static void logged_free(struct tenant *t)
{
	(void)t;
}

static const struct tenant_ops logged_ops = {
    .name = "logged",
    .run = logged_run,
    .free = logged_free,
};

#define MANY_GUESTS 3000

/* MANY_GUESTS declared contoso guests, in a tenant that holds them (ids not in
 * listing order) and the odd guests of `extra_users` (JSON array text). */
static void many_guests(struct config **cfg, struct logged_tenant *t, char *path,
			const char *extra_users)
{
	struct strbuf yaml = STRBUF_INIT;
	json_t *snap = json_pack("{s:s, s:s, s:[]}", "format", "b2bctl-snapshot/1", "tenantId",
				 "11111111-1111-1111-1111-111111111111", "users");
	json_t *users = json_object_get(snap, "users"), *extra;
	int fd, i;

	strbuf_addstr(&yaml, "tenant:\n  id: 11111111-1111-1111-1111-111111111111\n"
			     "partners:\n  - name: contoso\n    domains: [contoso.com]\n"
			     "    guests:\n");
	for (i = 0; i < MANY_GUESTS; i++) {
		char id[64], mail[64], upn[96];

		strbuf_addf(&yaml, "      - email: g%d@contoso.com\n", i);
		snprintf(id, sizeof(id), "%08x-0000-4000-8000-000000000000",
			 (unsigned)((i * 7919) % MANY_GUESTS));
		snprintf(mail, sizeof(mail), "g%d@contoso.com", i);
		snprintf(upn, sizeof(upn), "g%d_contoso.com#EXT#@host.onmicrosoft.com", i);
		json_array_append_new(users,
				      json_pack("{s:s, s:s, s:s, s:s}", "id", id, "mail", mail,
						"userPrincipalName", upn, "userType", "Guest"));
	}
	extra = fixture_json(extra_users);
	json_array_extend(users, json_object_get(extra, "value"));
	json_decref(extra);
	*cfg = fixture_config_ok(yaml.buf);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(json_dump_file(snap, path, 0), 0);
	memset(t, 0, sizeof(*t));
	t->inner = tenant_snapshot_open(path);
	assert_non_null(t->inner);
	t->base.ops = &logged_ops;
	strbuf_init(&t->log, 0);
	json_decref(snap);
	strbuf_release(&yaml);
}

static void logged_release(struct logged_tenant *t, char *path)
{
	tenant_free(t->inner);
	strbuf_release(&t->log);
	unlink(path);
}

static size_t count_lines_with(const char *log, const char *needle)
{
	size_t n = 0;
	const char *line;

	for (line = log; *line; line = strchr(line, '\n') + 1) {
		const char *end = strchr(line, '\n');
		char *text = xstrndup(line, (size_t)(end - line));

		n += strstr(text, needle) != NULL;
		free(text);
	}
	return n;
}

static void assert_sorted_unique_ids(const json_t *users)
{
	size_t i;

	for (i = 1; i < json_array_size(users); i++)
		assert_true(strcmp(json_str(json_array_get(users, i - 1), "id"),
				   json_str(json_array_get(users, i), "id")) < 0);
}

/*
 * The odd guests a partition by userPrincipalName must not lose: no mail, a
 * domain no partner has, userPrincipalNames that start with a capital, a digit
 * or punctuation, and one that sorts after every bound. A member is no guest.
 */
static const char *const odd_guests =
    "{\"value\": ["
    "{\"id\": \"f0000000-0000-4000-8000-000000000001\", \"mail\": null, \"userType\": \"Guest\","
    " \"userPrincipalName\": \"nomail_contoso.com#EXT#@host.onmicrosoft.com\"},"
    "{\"id\": \"f0000000-0000-4000-8000-000000000002\", \"mail\": \"zed@elsewhere.org\","
    " \"userType\": \"Guest\", \"userPrincipalName\": "
    "\"zed_elsewhere.org#EXT#@host.onmicrosoft.com\"},"
    "{\"id\": \"f0000000-0000-4000-8000-000000000003\", \"mail\": \"G1500x@contoso.com\","
    " \"userType\": \"Guest\", \"userPrincipalName\": "
    "\"G1500x_contoso.com#EXT#@host.onmicrosoft.com\"},"
    "{\"id\": \"f0000000-0000-4000-8000-000000000004\", \"mail\": \"_x@contoso.com\","
    " \"userType\": \"Guest\", \"userPrincipalName\": "
    "\"_x_contoso.com#EXT#@host.onmicrosoft.com\"},"
    "{\"id\": \"f0000000-0000-4000-8000-000000000005\", \"mail\": \"0@contoso.com\","
    " \"userType\": \"Guest\", \"userPrincipalName\": \"0_contoso.com#EXT#@host.onmicrosoft.com\"},"
    "{\"id\": \"f0000000-0000-4000-8000-000000000006\", \"mail\": \"~@contoso.com\","
    " \"userType\": \"Guest\", \"userPrincipalName\": \"~_contoso.com#EXT#@host.onmicrosoft.com\"},"
    "{\"id\": \"f0000000-0000-4000-8000-000000000007\", \"mail\": \"m@contoso.com\","
    " \"userType\": \"Member\", \"userPrincipalName\": \"m@host.onmicrosoft.com\"}]}";

static void test_read_partitions_list_every_guest_once(void **state)
{
	char path[] = "/tmp/b2bctl-guest-partitions-XXXXXX";
	const struct kind *read_kinds[] = {&kind_guest};
	struct diag_list diags = DIAG_LIST_INIT;
	struct logged_tenant t;
	struct config *cfg;
	json_t *partitioned, *whole, *users;

	(void)state;
	many_guests(&cfg, &t, path, odd_guests);
	t.base.parallelism = 8;
	partitioned = fixture_read(read_kinds, 1, cfg, &t.base, &diags);
	/* MANY_GUESTS / 999 = 3 partitions (two bounds), and a count of the whole */
	assert_int_equal(count_lines_with(t.log.buf, "userPrincipalName%20ge%20"), 2);
	assert_int_equal(count_lines_with(t.log.buf, "userPrincipalName%20le%20"), 2);
	assert_int_equal(count_lines_with(t.log.buf, "$count=true"), 1);
	assert_int_equal(count_lines_with(t.log.buf, "/v1.0/users?"), 4);
	/* about 1,000 guests each: pages of 999 and their nextLinks inside a partition */
	users = json_object_get(partitioned, "users");
	assert_int_equal(json_array_size(users), MANY_GUESTS + 6);
	assert_sorted_unique_ids(users);

	strbuf_reset(&t.log);
	t.base.parallelism = 1;
	whole = fixture_read(read_kinds, 1, cfg, &t.base, &diags);
	assert_int_equal(count_lines_with(t.log.buf, "/v1.0/users?"), 1);
	assert_true(json_equal(partitioned, whole));
	json_decref(partitioned);
	json_decref(whole);
	logged_release(&t, path);
	config_free(cfg);
}

/* A guest no partition holds (here: no userPrincipalName) makes the count differ:
 * the listing is read again whole rather than lose it. */
static void test_read_lists_whole_when_partitions_miss_a_guest(void **state)
{
	char path[] = "/tmp/b2bctl-guest-partitions-XXXXXX";
	const struct kind *read_kinds[] = {&kind_guest};
	struct diag_list diags = DIAG_LIST_INIT;
	struct logged_tenant t;
	struct config *cfg;
	json_t *live, *users;

	(void)state;
	many_guests(&cfg, &t, path,
		    "{\"value\": [{\"id\": \"f0000000-0000-4000-8000-000000000009\","
		    " \"mail\": \"noupn@elsewhere.org\", \"userType\": \"Guest\"}]}");
	t.base.parallelism = 4;
	live = fixture_read(read_kinds, 1, cfg, &t.base, &diags);
	assert_int_equal(count_lines_with(t.log.buf, "userPrincipalName%20ge%20"), 2);
	assert_int_equal(
	    count_lines_with(t.log.buf, "/v1.0/users?$filter=userType%20eq%20%27Guest%27&$select="),
	    1);
	users = json_object_get(live, "users");
	assert_int_equal(json_array_size(users), MANY_GUESTS + 1);
	assert_string_equal(json_str(json_array_get(users, MANY_GUESTS), "mail"),
			    "noupn@elsewhere.org");
	assert_sorted_unique_ids(users);
	json_decref(live);
	logged_release(&t, path);
	config_free(cfg);
}

/* A Graph that refuses the partition filters still gets the whole listing asked for. */
static void test_read_lists_whole_when_a_partition_is_refused(void **state)
{
	static const struct fake_answer answers[] = {
	    {"GET", "/v1.0/users?$filter=userType%20eq%20%27Guest%27%20and", 400,
	     "{\"error\": {\"code\": \"Request_UnsupportedQuery\", \"message\": \"Unsupported or "
	     "invalid query filter clause specified for property 'userPrincipalName'\"}}"},
	    {"GET", "/v1.0/users?$filter=userType%20eq%20%27Guest%27&$count=true", 200,
	     "{\"@odata.count\": 2, \"value\": [{\"id\": \"u-1\"}]}"},
	    {"GET", "/v1.0/users?$filter=userType%20eq%20%27Guest%27&$select=", 200,
	     "{\"value\": [{\"id\": \"u-2\", \"mail\": \"g1@contoso.com\", \"userType\": "
	     "\"Guest\"},"
	     "{\"id\": \"u-1\", \"mail\": \"g0@contoso.com\", \"userType\": \"Guest\"}]}"},
	    {"GET", "/v1.0/users?$filter=mail%20in%20(", 200, "{\"value\": []}"},
	};
	struct strbuf yaml = STRBUF_INIT;
	struct diag_list diags = DIAG_LIST_INIT;
	const struct kind *read_kinds[] = {&kind_guest};
	struct fake_tenant t;
	struct config *cfg;
	json_t *live, *users;
	int i;

	(void)state;
	strbuf_addstr(&yaml, "tenant:\n  id: 11111111-1111-1111-1111-111111111111\n"
			     "partners:\n  - name: contoso\n    domains: [contoso.com]\n"
			     "    guests:\n");
	for (i = 0; i < 2000; i++)
		strbuf_addf(&yaml, "      - email: g%d@contoso.com\n", i);
	cfg = fixture_config_ok(yaml.buf);
	fake_tenant_init(&t, answers, ARRAY_SIZE(answers));
	t.base.parallelism = 8;
	live = fixture_read(read_kinds, 1, cfg, &t.base, &diags);
	/* two partitions and the count, then the whole listing */
	assert_int_equal(count_lines_with(t.log.buf, "%20and%20userPrincipalName%20"), 2);
	assert_int_equal(count_lines_with(t.log.buf, "userType%20eq%20%27Guest%27&$select="), 1);
	users = json_object_get(live, "users");
	assert_int_equal(json_array_size(users), 2);
	assert_string_equal(json_str(json_array_get(users, 0), "id"), "u-1");
	assert_string_equal(json_str(json_array_get(users, 1), "id"), "u-2");
	fake_tenant_release(&t);
	json_decref(live);
	strbuf_release(&yaml);
	config_free(cfg);
}

static struct plan *plan_alice_invite(struct config **cfg, json_t **live)
{
	struct diag_list diags = DIAG_LIST_INIT;

	*cfg = fixture_config_ok(guests_yaml);
	*live = fixture_json(all_present);
	json_array_remove(json_object_get(*live, "users"), 0);
	return diff_guests(*cfg, *live, &diags, NULL);
}

static void test_apply_invite_sets_the_new_id(void **state)
{
	struct config *cfg;
	json_t *live;
	struct plan *plan = plan_alice_invite(&cfg, &live);
	struct tenant_request prev, next;
	struct fixture_apply fa;

	(void)state;
	assert_int_equal(plan->nr, 1);
	fixture_apply_init(&fa, plan);
	assert_int_equal(kind_guest.apply_step(&fa.ctx, &plan->actions[0], fa.state, NULL, &next),
			 APPLY_STEP_MORE);
	assert_string_equal(next.method, "POST");
	assert_string_equal(next.path, "/v1.0/invitations");
	assert_true(next.flags & TENANT_BATCHABLE);
	assert_json(json_object_get(next.body, "invitedUserEmailAddress"), "\"Alice@Contoso.com\"");
	prev = next;
	fixture_answer(&prev, 201,
		       "{\"id\": \"inv-1\", \"status\": \"PendingAcceptance\","
		       " \"invitedUser\": {\"id\": \"u-new\"}}");
	assert_int_equal(kind_guest.apply_step(&fa.ctx, &plan->actions[0], fa.state, &prev, &next),
			 APPLY_STEP_DONE);
	tenant_request_release(&prev);
	assert_string_equal(apply_ctx_id(&fa.ctx, "guest.alice@contoso.com"), "u-new");
	fixture_apply_release(&fa);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_apply_lost_invite_answer_is_looked_up_not_resent(void **state)
{
	struct config *cfg;
	json_t *live;
	struct plan *plan = plan_alice_invite(&cfg, &live);
	const struct plan_action *a = &plan->actions[0];
	struct tenant_request prev, next;
	struct fixture_apply fa;

	(void)state;
	fixture_apply_init(&fa, plan);
	assert_int_equal(kind_guest.apply_step(&fa.ctx, a, fa.state, NULL, &next), APPLY_STEP_MORE);
	prev = next;
	fixture_answer(&prev, 0, NULL);
	prev.error.ambiguous = 1;
	assert_int_equal(kind_guest.apply_step(&fa.ctx, a, fa.state, &prev, &next),
			 APPLY_STEP_MORE);
	tenant_request_release(&prev);
	assert_string_equal(next.method, "GET");
	assert_string_equal(next.path, "/v1.0/users?$filter=mail%20eq%20%27alice%40contoso.com%27"
				       "&$select=id,mail,userType");
	prev = next;
	fixture_answer(&prev, 200, "{\"value\": [{\"id\": \"u-found\"}]}");
	assert_int_equal(kind_guest.apply_step(&fa.ctx, a, fa.state, &prev, &next),
			 APPLY_STEP_DONE);
	tenant_request_release(&prev);
	assert_string_equal(apply_ctx_id(&fa.ctx, "guest.alice@contoso.com"), "u-found");
	fixture_apply_release(&fa);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_apply_invites_again_only_after_empty_lookups_and_not_forever(void **state)
{
	struct config *cfg;
	json_t *live;
	struct plan *plan = plan_alice_invite(&cfg, &live);
	const struct plan_action *a = &plan->actions[0];
	struct tenant_request prev, next;
	struct fixture_apply fa;
	int resends;

	(void)state;
	fixture_apply_init(&fa, plan);
	assert_int_equal(kind_guest.apply_step(&fa.ctx, a, fa.state, NULL, &next), APPLY_STEP_MORE);
	for (resends = 0; resends < RESEND_MAX; resends++) {
		prev = next;
		fixture_answer(&prev, 504, NULL);
		assert_int_equal(kind_guest.apply_step(&fa.ctx, a, fa.state, &prev, &next),
				 APPLY_STEP_MORE);
		tenant_request_release(&prev);
		assert_string_equal(next.method, "GET");
		prev = next;
		fixture_answer(&prev, 200, "{\"value\": []}");
		assert_int_equal(kind_guest.apply_step(&fa.ctx, a, fa.state, &prev, &next),
				 APPLY_STEP_MORE);
		tenant_request_release(&prev);
		assert_string_equal(next.path, "/v1.0/invitations");
	}
	prev = next;
	fixture_answer(&prev, 504, NULL);
	assert_int_equal(kind_guest.apply_step(&fa.ctx, a, fa.state, &prev, &next),
			 APPLY_STEP_FAILED);
	tenant_request_release(&prev);
	assert_non_null(fa.ctx.outcomes[0].error);
	fixture_apply_release(&fa);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_apply_update_patches_then_reinvites(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(guests_yaml);
	json_t *live = fixture_json(all_present);
	json_t *alice = json_array_get(json_object_get(live, "users"), 0);
	struct tenant_request prev, next;
	struct fixture_apply fa;
	struct plan *plan;

	(void)state;
	json_object_set_new(alice, "displayName", json_string("A. Smith"));
	json_object_set_new(alice, "externalUserState", json_string("PendingAcceptance"));
	json_object_set_new(alice, "createdDateTime", json_string("2025-01-01T00:00:00Z"));
	plan = diff_guests(cfg, live, &diags, NULL);
	assert_int_equal(plan->nr, 1);
	fixture_apply_init(&fa, plan);
	assert_int_equal(kind_guest.apply_step(&fa.ctx, &plan->actions[0], fa.state, NULL, &next),
			 APPLY_STEP_MORE);
	assert_string_equal(next.method, "PATCH");
	assert_string_equal(next.path, "/v1.0/users/u-alice");
	assert_json(next.body, "{\"displayName\": \"Alice Smith\"}");
	prev = next;
	fixture_answer(&prev, 204, NULL);
	assert_int_equal(kind_guest.apply_step(&fa.ctx, &plan->actions[0], fa.state, &prev, &next),
			 APPLY_STEP_MORE);
	tenant_request_release(&prev);
	assert_string_equal(next.method, "POST");
	assert_string_equal(next.path, "/v1.0/invitations");
	prev = next;
	fixture_answer(&prev, 201, "{\"invitedUser\": {\"id\": \"u-alice\"}}");
	assert_int_equal(kind_guest.apply_step(&fa.ctx, &plan->actions[0], fa.state, &prev, &next),
			 APPLY_STEP_DONE);
	tenant_request_release(&prev);
	fixture_apply_release(&fa);
	plan_free(plan);
	json_decref(live);
	config_free(cfg);
}

static void test_apply_delete_counts_not_found_as_done(void **state)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config_ok(guests_yaml);
	json_t *live = fixture_json(all_present);
	struct tenant_request prev, next;
	struct fixture_apply fa;
	struct plan *plan;

	(void)state;
	json_array_append_new(json_object_get(live, "users"),
			      fixture_json("{\"id\": \"u-dave\", \"mail\": \"dave@contoso.com\","
					   " \"userType\": \"Guest\"}"));
	plan = diff_guests(cfg, live, &diags, NULL);
	assert_int_equal(plan->nr, 1);
	fixture_apply_init(&fa, plan);
	assert_int_equal(kind_guest.apply_step(&fa.ctx, &plan->actions[0], fa.state, NULL, &next),
			 APPLY_STEP_MORE);
	assert_string_equal(next.method, "DELETE");
	assert_string_equal(next.path, "/v1.0/users/u-dave");
	prev = next;
	fixture_answer(&prev, 404, NULL);
	assert_int_equal(kind_guest.apply_step(&fa.ctx, &plan->actions[0], fa.state, &prev, &next),
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
	    cmocka_unit_test(test_diff_invites_missing_guests),
	    cmocka_unit_test(test_diff_without_invitations_section_uses_defaults_and_no_dependency),
	    cmocka_unit_test(test_diff_matches_mail_other_mails_and_ext_upn_without_case),
	    cmocka_unit_test(test_diff_updates_display_name_and_user_type),
	    cmocka_unit_test(test_diff_reinvites_guests_pending_longer_than_resend_after),
	    cmocka_unit_test(test_diff_prunes_only_undeclared_guests_of_pruning_partners),
	    cmocka_unit_test(test_diff_refuses_an_internal_user_with_a_guest_email),
	    cmocka_unit_test(test_read_lists_guests_then_finds_the_rest_by_mail),
	    cmocka_unit_test(test_read_asks_nothing_more_when_the_listing_answers_for_everyone),
	    cmocka_unit_test(test_read_shares_equal_values_of_a_page),
	    cmocka_unit_test(test_read_partitions_list_every_guest_once),
	    cmocka_unit_test(test_read_lists_whole_when_partitions_miss_a_guest),
	    cmocka_unit_test(test_read_lists_whole_when_a_partition_is_refused),
	    cmocka_unit_test(test_apply_invite_sets_the_new_id),
	    cmocka_unit_test(test_apply_lost_invite_answer_is_looked_up_not_resent),
	    cmocka_unit_test(test_apply_invites_again_only_after_empty_lookups_and_not_forever),
	    cmocka_unit_test(test_apply_update_patches_then_reinvites),
	    cmocka_unit_test(test_apply_delete_counts_not_found_as_done),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
