/*
 * Unit tests of memgraph: $filter (quotes, injection, advanced queries),
 * paging, users by UPN, invitations, groups and members, $batch, delta,
 * policies, conditional access, entitlement management, the snapshot out,
 * and the consistency delay. Each test starts from tests/graph-emulator/seeds/basic.json.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "reconcile/tenant/memgraph.h"
#include "schema/base/json_memory.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEED    TEST_SOURCE_DIR "/tests/graph-emulator/seeds/basic.json"
#define BASE    "https://graph.microsoft.com"
#define FINANCE "cccccccc-0000-4000-8000-000000000001"
#define GUEST1  "aaaaaaaa-0000-4000-8000-000000000001"
#define GUEST3  "aaaaaaaa-0000-4000-8000-000000000003"
#define CATALOG "ffffffff-0000-4000-8000-000000000001"
#define EM      "/v1.0/identityGovernance/entitlementManagement"

static struct memgraph *g;
static long last_status;

static struct memgraph *load(long delay_ms)
{
	json_error_t err;
	json_t *snap = json_load_file(SEED, 0, &err);
	struct memgraph_options opts = {NULL, delay_ms, 42};
	struct memgraph *m;

	assert_non_null(snap);
	m = memgraph_new(snap, &opts);
	json_decref(snap);
	assert_non_null(m);
	return m;
}

static int setup(void **state)
{
	(void)state;
	g = load(0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	memgraph_free(g);
	g = NULL;
	return 0;
}

/* Sends one request; returns the body (caller frees), sets last_status. */
static json_t *call(const char *method, const char *target, const char *body, int eventual)
{
	json_t *parsed = body ? json_loads(body, 0, NULL) : NULL;
	struct memgraph_request req = {method, target, parsed, eventual};
	struct memgraph_response res;

	if (body)
		assert_non_null(parsed);
	memgraph_handle(g, &req, &res);
	json_decref(parsed);
	last_status = res.status;
	return res.body;
}

static void expect_status(json_t *body, long status)
{
	if (last_status != status) {
		char *text = body ? json_text(body, 0) : NULL;

		fprintf(stderr, "status %ld, wanted %ld: %s\n", last_status, status,
			text ? text : "");
		free(text);
	}
	assert_int_equal(last_status, status);
}

static void expect_error(json_t *body, long status, const char *code)
{
	json_t *err = json_object_get(body, "error");

	expect_status(body, status);
	assert_string_equal(json_string_value(json_object_get(err, "code")), code);
	assert_true(json_is_string(json_object_get(err, "message")));
	assert_true(
	    json_is_string(json_object_get(json_object_get(err, "innerError"), "request-id")));
	assert_true(json_is_string(json_object_get(json_object_get(err, "innerError"), "date")));
}

static size_t count_get(const char *target, int eventual)
{
	json_t *body = call("GET", target, NULL, eventual);
	size_t n;

	expect_status(body, 200);
	n = json_array_size(json_object_get(body, "value"));
	json_decref(body);
	return n;
}

static void test_filter_operators(void **state)
{
	(void)state;
	assert_int_equal(count_get("/v1.0/users?$filter=userType%20eq%20'Guest'", 0), 7);
	assert_int_equal(count_get("/v1.0/users?$filter=userType+eq+'Guest'+and+(mail+eq+'guest1@"
				   "contoso.com'+or+mail+eq+'GUEST2@CONTOSO.COM')",
				   0),
			 2);
	assert_int_equal(count_get("/v1.0/users?$filter=mail%20in%20('guest1@contoso.com',%20'bob@"
				   "hostcorp.com')",
				   0),
			 2);
	assert_int_equal(count_get("/v1.0/users?$filter=startswith(displayName,'guest')", 0), 7);
	assert_int_equal(count_get("/v1.0/users?$filter=id%20eq%20'" GUEST1 "'", 0), 1);
	assert_int_equal(
	    count_get("/v1.0/users?$filter=userPrincipalName%20eq%20'guest3_contoso.com%23EXT%23%"
		      "40hostcorp.onmicrosoft.com'",
		      0),
	    1);
}

static void test_filter_quotes_and_injection(void **state)
{
	json_t *body;

	(void)state;
	assert_int_equal(count_get("/v1.0/users?$filter=displayName%20eq%20'O''brien'", 0), 1);
	/* a literal that tries to close the quote and widen the filter matches nothing */
	assert_int_equal(count_get("/v1.0/users?$filter=displayName%20eq%20'x''%20or%20displayName%"
				   "20ne%20'''",
				   0),
			 0);
	body =
	    call("GET", "/v1.0/users?$filter=displayName%20eq%20'x'%20or%20displayName%20ne%20''",
		 NULL, 0);
	expect_error(body, 400, "Request_UnsupportedQuery");
	json_decref(body);
	body = call("GET", "/v1.0/users?$filter=mail%20eq%20'unterminated", NULL, 0);
	expect_error(body, 400, "Request_BadRequest");
	json_decref(body);
	body = call("GET", "/v1.0/users?$filter=mail%20eq", NULL, 0);
	expect_error(body, 400, "Request_BadRequest");
	json_decref(body);
	body = call("GET", "/v1.0/users?$filter=(mail%20eq%20'a'", NULL, 0);
	expect_error(body, 400, "Request_BadRequest");
	json_decref(body);
	body = call("GET", "/v1.0/users?$filter=accountEnabled%20eq%201e999", NULL, 0);
	expect_error(body, 400, "Request_BadRequest");
	json_decref(body);
	assert_int_equal(count_get("/v1.0/users?$filter=accountEnabled%20eq%20true%20and%20"
				   "otherMails/any(m:m%20eq%20'nobody@x.com')",
				   0),
			 0);
}

static void test_endswith_needs_advanced_query(void **state)
{
	const char *target = "/v1.0/users?$filter=endswith(mail,'@contoso.com')&$count=true";
	json_t *body;

	(void)state;
	body = call("GET", target, NULL, 0);
	expect_error(body, 400, "Request_UnsupportedQuery");
	json_decref(body);
	body = call("GET", "/v1.0/users?$filter=endswith(mail,'@contoso.com')", NULL, 1);
	expect_error(body, 400, "Request_UnsupportedQuery");
	json_decref(body);
	body = call("GET", target, NULL, 1);
	expect_status(body, 200);
	assert_int_equal(json_integer_value(json_object_get(body, "@odata.count")), 7);
	assert_int_equal(json_array_size(json_object_get(body, "value")), 7);
	json_decref(body);
}

static void test_paging_select_top(void **state)
{
	char *target = strdup("/v1.0/users?$filter=userType%20eq%20'Guest'&$top=3&$select=id,mail");
	size_t pages = 0, total = 0;
	json_t *body;

	(void)state;
	while (target) {
		const char *next;
		json_t *first;

		body = call("GET", target, NULL, 0);
		expect_status(body, 200);
		pages++;
		total += json_array_size(json_object_get(body, "value"));
		first = json_array_get(json_object_get(body, "value"), 0);
		assert_int_equal(json_object_size(first), 2);
		assert_non_null(json_object_get(first, "mail"));
		free(target);
		target = NULL;
		next = json_string_value(json_object_get(body, "@odata.nextLink"));
		if (next) {
			assert_true(!strncmp(next, BASE "/v1.0/users?", strlen(BASE) + 12));
			target = strdup(next + strlen(BASE));
		}
		json_decref(body);
	}
	assert_int_equal(pages, 3);
	assert_int_equal(total, 7);
	body = call("GET", "/v1.0/users?$top=1000", NULL, 0);
	expect_error(body, 400, "Request_BadRequest");
	json_decref(body);
	assert_int_equal(count_get("/v1.0/users?$top=999", 0), 10);
}

static void test_user_by_upn_patch_delete(void **state)
{
	json_t *body;

	(void)state;
	body = call("GET", "/v1.0/users/guest1_contoso.com%23EXT%23%40hostcorp.onmicrosoft.com",
		    NULL, 0);
	expect_status(body, 200);
	assert_string_equal(json_string_value(json_object_get(body, "id")), GUEST1);
	json_decref(body);
	body = call("PATCH", "/v1.0/users/" GUEST1, "{\"displayName\": \"Alice\"}", 0);
	expect_status(body, 204);
	assert_null(body);
	body = call("GET", "/v1.0/users/" GUEST1 "?$select=displayName", NULL, 0);
	assert_string_equal(json_string_value(json_object_get(body, "displayName")), "Alice");
	json_decref(body);
	body = call("DELETE", "/v1.0/users/" GUEST1, NULL, 0);
	expect_status(body, 204);
	body = call("GET", "/v1.0/users/" GUEST1, NULL, 0);
	expect_error(body, 404, "Request_ResourceNotFound");
	json_decref(body);
	/* the deleted user left the groups it was in */
	assert_int_equal(count_get("/v1.0/groups/" FINANCE "/members", 0), 2);
}

static size_t invitations_for(const char *email)
{
	json_t *snap = memgraph_snapshot(g);
	size_t i, n = 0;
	json_t *inv;

	json_array_foreach(json_object_get(snap, "_invitations"), i, inv) n +=
	    !strcasecmp(json_string_value(json_object_get(inv, "email")), email);
	json_decref(snap);
	return n;
}

static void test_invitation_creates_guest_once(void **state)
{
	const char *invite =
	    "{\"invitedUserEmailAddress\": \"new@fabrikam.com\", "
	    "\"inviteRedirectUrl\": \"https://myapps.microsoft.com\", "
	    "\"sendInvitationMessage\": true, \"invitedUserDisplayName\": \"New\"}";
	json_t *body, *user;
	char *id;

	(void)state;
	body = call("POST", "/v1.0/invitations", invite, 0);
	expect_status(body, 201);
	assert_string_equal(json_string_value(json_object_get(body, "status")),
			    "PendingAcceptance");
	assert_true(json_is_string(json_object_get(body, "inviteRedeemUrl")));
	id = strdup(json_string_value(json_object_get(json_object_get(body, "invitedUser"), "id")));
	json_decref(body);

	body = call("GET", "/v1.0/users/new_fabrikam.com%23EXT%23%40hostcorp.onmicrosoft.com", NULL,
		    0);
	expect_status(body, 200);
	assert_string_equal(json_string_value(json_object_get(body, "id")), id);
	assert_string_equal(json_string_value(json_object_get(body, "userType")), "Guest");
	assert_string_equal(json_string_value(json_object_get(body, "externalUserState")),
			    "PendingAcceptance");
	assert_string_equal(json_string_value(json_object_get(body, "creationType")), "Invitation");
	assert_string_equal(json_string_value(json_object_get(body, "mail")), "new@fabrikam.com");
	json_decref(body);
	assert_int_equal(invitations_for("new@fabrikam.com"), 1);

	/* inviting again (any case) answers with the same user and logs a second invitation */
	body = call("POST", "/v1.0/invitations",
		    "{\"invitedUserEmailAddress\": \"NEW@fabrikam.com\", \"inviteRedirectUrl\": "
		    "\"https://x\"}",
		    0);
	expect_status(body, 201);
	user = json_object_get(body, "invitedUser");
	assert_string_equal(json_string_value(json_object_get(user, "id")), id);
	json_decref(body);
	assert_int_equal(invitations_for("new@fabrikam.com"), 2);
	assert_int_equal(count_get("/v1.0/users?$filter=userType%20eq%20'Guest'", 0), 8);

	body = call("POST", "/v1.0/invitations", "{\"invitedUserEmailAddress\": \"nobody\"}", 0);
	expect_error(body, 400, "Request_BadRequest");
	json_decref(body);
	free(id);
}

static void test_reinvitation_restarts_pending_wait(void **state)
{
	json_t *body;

	(void)state;
	/* guest2 is PendingAcceptance since 2026-01-02, guest1 has accepted */
	body = call("POST", "/v1.0/invitations",
		    "{\"invitedUserEmailAddress\": \"guest2@contoso.com\", \"inviteRedirectUrl\": "
		    "\"https://x\", \"sendInvitationMessage\": true}",
		    0);
	expect_status(body, 201);
	assert_string_equal(json_string_value(json_object_get(body, "status")),
			    "PendingAcceptance");
	json_decref(body);
	body = call("GET", "/v1.0/users/aaaaaaaa-0000-4000-8000-000000000002", NULL, 0);
	assert_string_not_equal(
	    json_string_value(json_object_get(body, "externalUserStateChangeDateTime")),
	    "2026-01-02T10:00:00Z");
	json_decref(body);

	body = call("POST", "/v1.0/invitations",
		    "{\"invitedUserEmailAddress\": \"guest1@contoso.com\", \"inviteRedirectUrl\": "
		    "\"https://x\"}",
		    0);
	expect_status(body, 201);
	assert_string_equal(json_string_value(json_object_get(body, "status")), "Completed");
	json_decref(body);
	body = call("GET", "/v1.0/users/" GUEST1, NULL, 0);
	assert_string_equal(json_string_value(json_object_get(body, "externalUserState")),
			    "Accepted");
	assert_string_equal(
	    json_string_value(json_object_get(body, "externalUserStateChangeDateTime")),
	    "2026-01-01T10:00:00Z");
	json_decref(body);
}

static void test_groups_create_and_members(void **state)
{
	const char *group = "{\"displayName\": \"g1\", \"mailEnabled\": false, \"mailNickname\": "
			    "\"g1\", \"securityEnabled\": true}";
	char binds[4096];
	json_t *body;
	char *id;
	int i, n;

	(void)state;
	body = call("POST", "/v1.0/groups", group, 0);
	expect_status(body, 201);
	assert_true(json_is_null(json_object_get(body, "mail")));
	assert_true(json_is_array(json_object_get(body, "groupTypes")));
	id = strdup(json_string_value(json_object_get(body, "id")));
	json_decref(body);
	body = call("POST", "/v1.0/groups", group, 0);
	expect_error(body, 400, "Request_BadRequest");
	json_decref(body);
	body = call("POST", "/v1.0/groups", "{\"displayName\": \"g2\"}", 0);
	expect_error(body, 400, "Request_BadRequest");
	json_decref(body);
	assert_int_equal(count_get("/v1.0/groups?$filter=displayName%20eq%20'G1'", 0), 1);
	assert_int_equal(
	    count_get("/v1.0/groups?$filter=displayName%20in%20('g1','break-glass')", 0), 2);
	free(id);

	/* members of finance-readers: guest1, guest2, bob */
	body = call("POST", "/v1.0/groups/" FINANCE "/members/$ref",
		    "{\"@odata.id\": \"" BASE "/v1.0/directoryObjects/" GUEST1 "\"}", 0);
	expect_error(body, 400, "Request_BadRequest");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(body, "error"), "message")),
	    "One or more added object references already exist for the following "
	    "modified properties: 'members'.");
	json_decref(body);
	body = call("POST", "/v1.0/groups/" FINANCE "/members/$ref",
		    "{\"@odata.id\": \"" BASE "/v1.0/directoryObjects/" GUEST3 "\"}", 0);
	expect_status(body, 204);
	body = call("POST", "/v1.0/groups/" FINANCE "/members/$ref",
		    "{\"@odata.id\": \"" BASE "/v1.0/directoryObjects/nope\"}", 0);
	expect_error(body, 404, "Request_ResourceNotFound");
	json_decref(body);
	assert_int_equal(count_get("/v1.0/groups/" FINANCE "/members?$select=id,mail", 0), 4);
	body = call("DELETE", "/v1.0/groups/" FINANCE "/members/" GUEST3 "/$ref", NULL, 0);
	expect_status(body, 204);
	body = call("DELETE", "/v1.0/groups/" FINANCE "/members/" GUEST3 "/$ref", NULL, 0);
	expect_error(body, 404, "Request_ResourceNotFound");
	json_decref(body);

	n = snprintf(binds, sizeof(binds), "{\"members@odata.bind\": [");
	for (i = 0; i < 21; i++)
		n += snprintf(binds + n, sizeof(binds) - (size_t)n, "%s\"%s/v1.0/users/%d\"",
			      i ? "," : "", BASE, i);
	snprintf(binds + n, sizeof(binds) - (size_t)n, "]}");
	body = call("PATCH", "/v1.0/groups/" FINANCE, binds, 0);
	expect_error(body, 400, "Request_BadRequest");
	json_decref(body);
	body = call("PATCH", "/v1.0/groups/" FINANCE,
		    "{\"members@odata.bind\": [\"" BASE "/v1.0/directoryObjects/" GUEST3
		    "\", \"" BASE "/v1.0/directoryObjects/aaaaaaaa-0000-4000-8000-000000000004\"]}",
		    0);
	expect_status(body, 204);
	assert_int_equal(count_get("/v1.0/groups/" FINANCE "/members", 0), 5);
	body = call("PUT", "/v1.0/groups/" FINANCE, "{}", 0);
	expect_status(body, 405);
	json_decref(body);
}

static json_t *batch_item(json_t *answer, const char *id)
{
	size_t i;
	json_t *it;

	json_array_foreach(
	    json_object_get(answer, "responses"), i,
	    it) if (!strcmp(json_string_value(json_object_get(it, "id")), id)) return it;
	fail_msg("no batch answer with id %s", id);
	return NULL;
}

static void test_batch(void **state)
{
	json_t *body, *reqs;
	char *text;
	int i, n;

	(void)state;
	body = call("POST", "/v1.0/$batch",
		    "{\"requests\": ["
		    "{\"id\": \"1\", \"method\": \"POST\", \"url\": \"/groups\", \"headers\": "
		    "{\"Content-Type\": \"application/json\"}, \"body\": {\"displayName\": \"b\", "
		    "\"mailEnabled\": false, \"mailNickname\": \"b\", \"securityEnabled\": true}},"
		    "{\"id\": \"2\", \"method\": \"GET\", \"url\": \"users/nope\"},"
		    "{\"id\": \"3\", \"method\": \"GET\", \"url\": \"/users\", \"dependsOn\": "
		    "[\"2\"]},"
		    "{\"id\": \"4\", \"method\": \"GET\", \"url\": "
		    "\"groups?$filter=displayName%20eq%20'b'\", \"dependsOn\": [\"1\"]}]}",
		    0);
	expect_status(body, 200);
	assert_int_equal(json_array_size(json_object_get(body, "responses")), 4);
	assert_int_equal(json_integer_value(json_object_get(batch_item(body, "1"), "status")), 201);
	assert_int_equal(json_integer_value(json_object_get(batch_item(body, "2"), "status")), 404);
	assert_int_equal(json_integer_value(json_object_get(batch_item(body, "3"), "status")), 424);
	assert_int_equal(json_integer_value(json_object_get(batch_item(body, "4"), "status")), 200);
	assert_int_equal(json_array_size(json_object_get(
			     json_object_get(batch_item(body, "4"), "body"), "value")),
			 1);
	json_decref(body);

	/* a dependsOn naming a request that has no id is refused, not followed */
	body = call("POST", "/v1.0/$batch",
		    "{\"requests\": [{\"id\": \"1\", \"method\": \"GET\", \"url\": \"/users\", "
		    "\"dependsOn\": [\"2\"]}, {\"method\": \"GET\", \"url\": \"/groups\"}]}",
		    0);
	expect_error(body, 400, "BadRequest");
	json_decref(body);

	for (n = 20; n <= 21; n++) {
		reqs = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(reqs, json_pack("{s:o, s:s, s:s}", "id",
							      json_sprintf("%d", i), "method",
							      "GET", "url", "users?$top=1"));
		body = json_pack("{s:o}", "requests", reqs);
		text = json_text(body, 0);
		json_decref(body);
		body = call("POST", "/beta/$batch", text, 0);
		expect_status(body, n == 20 ? 200 : 400);
		if (n == 20)
			assert_int_equal(json_array_size(json_object_get(body, "responses")), 20);
		json_decref(body);
		free(text);
	}
}

static json_t *follow(const char *link)
{
	assert_non_null(link);
	assert_true(!strncmp(link, BASE, strlen(BASE)));
	return call("GET", link + strlen(BASE), NULL, 0);
}

static void test_delta(void **state)
{
	json_t *body, *next;
	char *delta_link = NULL;
	size_t seen = 0, i;
	json_t *v;
	int removed = 0, changed = 0;

	(void)state;
	body = call("GET", "/v1.0/users/delta?$select=displayName,mail&$top=4", NULL, 0);
	for (;;) {
		expect_status(body, 200);
		seen += json_array_size(json_object_get(body, "value"));
		if (json_object_get(body, "@odata.deltaLink")) {
			delta_link =
			    strdup(json_string_value(json_object_get(body, "@odata.deltaLink")));
			json_decref(body);
			break;
		}
		next = follow(json_string_value(json_object_get(body, "@odata.nextLink")));
		json_decref(body);
		body = next;
	}
	assert_int_equal(seen, 10);
	json_decref(call("PATCH", "/v1.0/users/" GUEST3, "{\"displayName\": \"Changed\"}", 0));
	json_decref(call("DELETE", "/v1.0/users/" GUEST1, NULL, 0));
	body = follow(delta_link);
	expect_status(body, 200);
	json_array_foreach(json_object_get(body, "value"), i, v)
	{
		if (json_object_get(v, "@removed"))
			removed += !strcmp(json_string_value(json_object_get(v, "id")), GUEST1);
		else
			changed += !strcmp(json_string_value(json_object_get(v, "displayName")),
					   "Changed");
	}
	assert_int_equal(removed, 1);
	assert_int_equal(changed, 1);
	assert_non_null(json_object_get(body, "@odata.deltaLink"));
	json_decref(body);
	free(delta_link);

	body = call("GET", "/v1.0/groups/delta?$select=displayName,members", NULL, 0);
	expect_status(body, 200);
	json_array_foreach(json_object_get(body, "value"), i, v)
	{
		if (!strcmp(json_string_value(json_object_get(v, "id")), FINANCE))
			assert_int_equal(json_array_size(json_object_get(v, "members@delta")), 2);
	}
	delta_link = strdup(json_string_value(json_object_get(body, "@odata.deltaLink")));
	json_decref(body);
	/* guest3 joins, bob leaves: the next round names both, bob as @removed */
	json_decref(call("POST", "/v1.0/groups/" FINANCE "/members/$ref",
			 "{\"@odata.id\": \"" BASE "/v1.0/directoryObjects/" GUEST3 "\"}", 0));
	json_decref(call(
	    "DELETE", "/v1.0/groups/" FINANCE "/members/bbbbbbbb-0000-4000-8000-000000000007/$ref",
	    NULL, 0));
	body = follow(delta_link);
	expect_status(body, 200);
	assert_int_equal(json_array_size(json_object_get(body, "value")), 1);
	v = json_array_get(json_object_get(body, "value"), 0);
	assert_string_equal(json_string_value(json_object_get(v, "id")), FINANCE);
	removed = changed = 0;
	json_array_foreach(json_object_get(v, "members@delta"), i, next)
	{
		if (json_object_get(next, "@removed"))
			removed += !strcmp(json_string_value(json_object_get(next, "id")),
					   "bbbbbbbb-0000-4000-8000-000000000007");
		else
			changed += !strcmp(json_string_value(json_object_get(next, "id")), GUEST3);
	}
	assert_int_equal(removed, 1);
	assert_int_equal(changed, 1);
	json_decref(body);
	free(delta_link);
}

static void test_conditional_access(void **state)
{
	json_t *body;
	char *target;

	(void)state;
	body = call(
	    "POST", "/v1.0/identity/conditionalAccess/policies",
	    "{\"displayName\": \"B2B - block\", \"state\": \"enabledForReportingButNotEnforced\", "
	    "\"conditions\": {\"users\": {\"includeUsers\": [\"GuestsOrExternalUsers\"]}, "
	    "\"applications\": {\"includeApplications\": [\"All\"]}}, \"grantControls\": "
	    "{\"operator\": \"OR\", \"builtInControls\": [\"block\"]}}",
	    0);
	expect_status(body, 201);
	assert_true(json_is_string(json_object_get(body, "createdDateTime")));
	assert_true(json_is_null(json_object_get(body, "modifiedDateTime")));
	assert_true(json_is_null(json_object_get(body, "sessionControls")));
	assert_true(json_is_array(json_object_get(
	    json_object_get(json_object_get(body, "conditions"), "users"), "excludeGroups")));
	target = malloc(200);
	snprintf(target, 200, "/v1.0/identity/conditionalAccess/policies/%s",
		 json_string_value(json_object_get(body, "id")));
	json_decref(body);
	body = call("PATCH", target, "{\"state\": \"enabled\"}", 0);
	expect_status(body, 204);
	body = call("PATCH", target, "{\"state\": \"on\"}", 0);
	expect_error(body, 400, "Request_BadRequest");
	json_decref(body);
	body = call("GET", target, NULL, 0);
	assert_string_equal(json_string_value(json_object_get(body, "state")), "enabled");
	assert_true(json_is_string(json_object_get(body, "modifiedDateTime")));
	json_decref(body);
	assert_int_equal(count_get("/v1.0/identity/conditionalAccess/policies", 0), 2);
	body = call("DELETE", target, NULL, 0);
	expect_status(body, 204);
	body = call("GET", target, NULL, 0);
	expect_error(body, 404, "Request_ResourceNotFound");
	json_decref(body);
	free(target);
}

static void test_policies_and_partners(void **state)
{
	json_t *body;

	(void)state;
	body = call("PATCH", "/v1.0/policies/authorizationPolicy",
		    "{\"allowInvitesFrom\": \"adminsAndGuestInviters\"}", 0);
	expect_status(body, 204);
	body = call("GET", "/v1.0/policies/authorizationPolicy", NULL, 0);
	assert_string_equal(json_string_value(json_object_get(body, "allowInvitesFrom")),
			    "adminsAndGuestInviters");
	assert_string_equal(json_string_value(json_object_get(body, "id")), "authorizationPolicy");
	json_decref(body);
	body = call(
	    "PATCH",
	    "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/email",
	    "{\"allowExternalIdToUseEmailOtp\": \"enabled\"}", 0);
	expect_error(body, 400, "Request_BadRequest");
	json_decref(body);
	body = call(
	    "PATCH",
	    "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/email",
	    "{\"@odata.type\": \"#microsoft.graph.emailAuthenticationMethodConfiguration\", "
	    "\"allowExternalIdToUseEmailOtp\": \"enabled\"}",
	    0);
	expect_status(body, 204);

	body = call("GET", "/v1.0/policies/b2bManagementPolicies", NULL, 0);
	expect_error(body, 404, "Request_ResourceNotFound");
	json_decref(body);
	body = call("PATCH",
		    "/beta/policies/b2bManagementPolicies/b2bpolicy-0000-4000-8000-000000000001",
		    "{\"definition\": \"not an array\"}", 0);
	expect_error(body, 400, "Request_BadRequest");
	json_decref(body);
	body = call(
	    "PATCH", "/beta/policies/b2bManagementPolicies/b2bpolicy-0000-4000-8000-000000000001",
	    "{\"definition\": "
	    "[\"{\\\"B2BManagementPolicy\\\":{\\\"InvitationsAllowedAndBlockedDomainsPolicy\\\":{"
	    "\\\"AllowedDomains\\\":[\\\"contoso.com\\\"]}}}\"]}",
	    0);
	expect_status(body, 200);
	assert_int_equal(json_array_size(json_object_get(body, "definition")), 1);
	json_decref(body);

	body = call("POST", "/v1.0/policies/crossTenantAccessPolicy/partners",
		    "{\"tenantId\": \"33333333-3333-3333-3333-333333333333\", \"inboundTrust\": "
		    "{\"isMfaAccepted\": true}}",
		    0);
	expect_status(body, 201);
	assert_true(json_is_null(json_object_get(body, "b2bCollaborationInbound")));
	json_decref(body);
	body = call("POST", "/v1.0/policies/crossTenantAccessPolicy/partners",
		    "{\"tenantId\": \"33333333-3333-3333-3333-333333333333\"}", 0);
	expect_status(body, 409);
	json_decref(body);
	assert_int_equal(count_get("/v1.0/policies/crossTenantAccessPolicy/partners", 0), 2);
	body = call(
	    "DELETE",
	    "/v1.0/policies/crossTenantAccessPolicy/partners/33333333-3333-3333-3333-333333333333",
	    NULL, 0);
	expect_status(body, 204);

	/* a changed default is written back although the seed did not hold it */
	body = call("PATCH", "/v1.0/policies/crossTenantAccessPolicy/default",
		    "{\"inboundTrust\": {\"isMfaAccepted\": true}}", 0);
	expect_status(body, 204);
	body = memgraph_snapshot(g);
	assert_true(json_is_true(
	    json_object_get(json_object_get(json_object_get(body, "crossTenantAccessPolicyDefault"),
					    "inboundTrust"),
			    "isMfaAccepted")));
	json_decref(body);

	body = call("GET",
		    "/v1.0/tenantRelationships/"
		    "findTenantInformationByDomainName(domainName='CONTOSO.co.uk')",
		    NULL, 0);
	expect_status(body, 200);
	assert_string_equal(json_string_value(json_object_get(body, "tenantId")),
			    "22222222-2222-2222-2222-222222222222");
	json_decref(body);
	body = call("GET",
		    "/v1.0/tenantRelationships/"
		    "findTenantInformationByDomainName(domainName='nowhere.example')",
		    NULL, 0);
	expect_error(body, 404, "Request_ResourceNotFound");
	json_decref(body);
}

static char *created_id(json_t *body)
{
	char *id;

	expect_status(body, 201);
	id = strdup(json_string_value(json_object_get(body, "id")));
	json_decref(body);
	return id;
}

static void test_entitlement_flow(void **state)
{
	char target[512], payload[1024];
	char *cat, *pkg, *policy, *rrs;
	json_t *body, *item;

	(void)state;
	cat = created_id(call("POST", EM "/catalogs", "{\"displayName\": \"c2\"}", 0));
	snprintf(payload, sizeof(payload),
		 "{\"requestType\": \"adminAdd\", \"resource\": {\"originId\": \"" FINANCE
		 "\", \"originSystem\": \"AadGroup\"}, \"catalog\": {\"id\": \"%s\"}}",
		 cat);
	body = call("POST", EM "/resourceRequests", payload, 0);
	expect_status(body, 201);
	json_decref(body);
	body = call("POST", EM "/resourceRequests", payload, 0);
	expect_status(body, 400);
	json_decref(body);
	snprintf(target, sizeof(target),
		 EM "/catalogs/%s/resources?$filter=originId%%20eq%%20'" FINANCE "'", cat);
	body = call("GET", target, NULL, 0);
	expect_status(body, 200);
	item = json_array_get(json_object_get(body, "value"), 0);
	assert_string_equal(json_string_value(json_object_get(item, "displayName")),
			    "finance-readers");
	json_decref(body);

	snprintf(payload, sizeof(payload),
		 "{\"displayName\": \"p2\", \"catalog\": {\"id\": \"%s\"}}", cat);
	pkg = created_id(call("POST", EM "/accessPackages", payload, 0));
	snprintf(target, sizeof(target), EM "/accessPackages/%s/resourceRoleScopes", pkg);
	body = call("POST", target,
		    "{\"role\": {\"originId\": \"Member_" FINANCE
		    "\", \"originSystem\": \"AadGroup\"}, "
		    "\"scope\": {\"originId\": \"" FINANCE "\", \"originSystem\": \"AadGroup\"}}",
		    0);
	rrs = created_id(body);
	assert_non_null(strchr(rrs, '_'));
	snprintf(payload, sizeof(payload),
		 "{\"displayName\": \"pol\", \"accessPackage\": {\"id\": \"%s\"}, "
		 "\"allowedTargetScope\": \"allConfiguredConnectedOrganizationUsers\", "
		 "\"expiration\": {\"type\": \"afterDuration\", \"duration\": \"P90D\"}}",
		 pkg);
	policy = created_id(call("POST", EM "/assignmentPolicies", payload, 0));

	body = call("GET",
		    EM "/accessPackages?$filter=displayName%20eq%20'p2'&$expand=assignmentPolicies,"
		       "resourceRoleScopes($expand=role,scope)",
		    NULL, 0);
	expect_status(body, 200);
	item = json_array_get(json_object_get(body, "value"), 0);
	assert_int_equal(json_array_size(json_object_get(body, "value")), 1);
	assert_int_equal(json_array_size(json_object_get(item, "assignmentPolicies")), 1);
	assert_string_equal(
	    json_string_value(json_object_get(
		json_object_get(json_array_get(json_object_get(item, "resourceRoleScopes"), 0),
				"role"),
		"originId")),
	    "Member_" FINANCE);
	json_decref(body);
	body = call("GET", EM "/accessPackages?$filter=displayName%20eq%20'p2'", NULL, 0);
	assert_null(json_object_get(json_array_get(json_object_get(body, "value"), 0),
				    "assignmentPolicies"));
	json_decref(body);

	snprintf(target, sizeof(target), EM "/assignmentPolicies/%s", policy);
	snprintf(payload, sizeof(payload),
		 "{\"displayName\": \"pol2\", \"accessPackage\": {\"id\": \"%s\"}}", pkg);
	body = call("PUT", target, payload, 0);
	expect_status(body, 200);
	assert_string_equal(json_string_value(json_object_get(body, "displayName")), "pol2");
	json_decref(body);
	body = call("PATCH", target, payload, 0);
	expect_status(body, 405);
	json_decref(body);
	snprintf(target, sizeof(target),
		 EM "/assignmentPolicies?$filter=accessPackage/id%%20eq%%20'%s'", pkg);
	assert_int_equal(count_get(target, 0), 1);

	snprintf(target, sizeof(target), EM "/accessPackages/%s/resourceRoleScopes/%s", pkg, rrs);
	body = call("DELETE", target, NULL, 0);
	expect_status(body, 204);
	body = call("DELETE", target, NULL, 0);
	expect_error(body, 404, "Request_ResourceNotFound");
	json_decref(body);
	snprintf(payload, sizeof(payload),
		 "{\"requestType\": \"adminRemove\", \"resource\": {\"originId\": \"" FINANCE
		 "\", \"originSystem\": \"AadGroup\"}, \"catalog\": {\"id\": \"%s\"}}",
		 cat);
	body = call("POST", EM "/resourceRequests", payload, 0);
	expect_status(body, 201);
	json_decref(body);
	assert_int_equal(
	    count_get(EM "/catalogs?$filter=displayName%20eq%20'Partner%20collaboration'", 0), 1);
	free(cat);
	free(pkg);
	free(policy);
	free(rrs);
}

static void test_snapshot_keeps_keys_and_members(void **state)
{
	json_error_t err;
	json_t *in = json_load_file(SEED, 0, &err), *out;
	const char *key;
	json_t *v;
	void *it_out;
	size_t i;

	(void)state;
	json_decref(call("POST", "/v1.0/groups/" FINANCE "/members/$ref",
			 "{\"@odata.id\": \"" BASE "/v1.0/directoryObjects/" GUEST3 "\"}", 0));
	out = memgraph_snapshot(g);
	it_out = json_object_iter(out);
	json_object_foreach(in, key, v)
	{
		assert_non_null(it_out);
		assert_string_equal(json_object_iter_key(it_out), key);
		it_out = json_object_iter_next(out, it_out);
	}
	json_array_foreach(json_object_get(out, "groups"), i, v)
	{
		if (!strcmp(json_string_value(json_object_get(v, "id")), FINANCE))
			assert_int_equal(json_array_size(json_object_get(v, "members")), 4);
	}
	assert_true(json_equal(json_object_get(in, "users"), json_object_get(out, "users")));
	json_decref(in);
	json_decref(out);
}

static long long fake_now;

static long long fake_clock(void)
{
	return fake_now;
}

static void test_consistency_delay(void **state)
{
	json_t *body;
	char target[128], member[256];
	char *id;

	(void)state;
	memgraph_free(g);
	g = load(5000);
	fake_now = 1000;
	memgraph_set_clock(g, fake_clock);
	id =
	    created_id(call("POST", "/v1.0/groups",
			    "{\"displayName\": \"late\", \"mailEnabled\": false, \"mailNickname\": "
			    "\"late\", \"securityEnabled\": true}",
			    0));
	snprintf(target, sizeof(target), "/v1.0/groups/%s", id);
	body = call("GET", target, NULL, 0);
	expect_error(body, 404, "Request_ResourceNotFound");
	json_decref(body);
	assert_int_equal(count_get("/v1.0/groups?$filter=displayName%20eq%20'late'", 0), 0);
	/* a guest invited now cannot join a group yet either */
	body = call("POST", "/v1.0/invitations",
		    "{\"invitedUserEmailAddress\": \"late@fabrikam.com\", \"inviteRedirectUrl\": "
		    "\"https://x\"}",
		    0);
	snprintf(member, sizeof(member), "{\"@odata.id\": \"" BASE "/v1.0/directoryObjects/%s\"}",
		 json_string_value(json_object_get(json_object_get(body, "invitedUser"), "id")));
	json_decref(body);
	body = call("POST", "/v1.0/groups/" FINANCE "/members/$ref", member, 0);
	expect_error(body, 404, "Request_ResourceNotFound");
	json_decref(body);
	fake_now += 5000;
	body = call("POST", "/v1.0/groups/" FINANCE "/members/$ref", member, 0);
	expect_status(body, 204);
	body = call("GET", target, NULL, 0);
	expect_status(body, 200);
	json_decref(body);
	free(id);
}

static void test_unknown_paths_and_methods(void **state)
{
	json_t *body;

	(void)state;
	body = call("GET", "/v1.0/nothing", NULL, 0);
	expect_error(body, 404, "Request_ResourceNotFound");
	json_decref(body);
	body = call("GET", "/v2.0/users", NULL, 0);
	expect_error(body, 404, "Request_ResourceNotFound");
	json_decref(body);
	body = call("PUT", "/v1.0/users", "{}", 0);
	expect_error(body, 405, "Request_BadRequest");
	json_decref(body);
	body = call("POST", "/v1.0/invitations", "[1]", 0);
	expect_error(body, 400, "Request_BadRequest");
	json_decref(body);
}

/* A catalog from a snapshot without "resources" still takes a group in. */
static void test_catalog_without_resources_takes_groups(void **state)
{
	static const char snap_text[] =
	    "{\"format\": \"b2bctl-snapshot/1\","
	    " \"groups\": [{\"id\": \"" FINANCE "\", \"displayName\": \"finance-readers\"}],"
	    " \"accessPackageCatalogs\": [{\"id\": \"" CATALOG "\", \"displayName\": \"c\"}]}";
	struct memgraph_options opts = {NULL, 0, 42};
	json_t *snap = json_loads(snap_text, 0, NULL), *body;
	struct memgraph *saved = g;

	(void)state;
	assert_non_null(snap);
	g = memgraph_new(snap, &opts);
	json_decref(snap);
	assert_non_null(g);
	body = call("POST", EM "/resourceRequests",
		    "{\"requestType\": \"adminAdd\", \"resource\": {\"originId\": \"" FINANCE
		    "\", \"originSystem\": \"AadGroup\"}, \"catalog\": {\"id\": \"" CATALOG "\"}}",
		    0);
	expect_status(body, 201);
	json_decref(body);
	body = call("GET", EM "/catalogs/" CATALOG "/resources", NULL, 0);
	expect_status(body, 200);
	assert_int_equal(json_array_size(json_object_get(body, "value")), 1);
	json_decref(body);
	memgraph_free(g);
	g = saved;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_filter_operators, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_filter_quotes_and_injection, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_endswith_needs_advanced_query, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_paging_select_top, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_user_by_upn_patch_delete, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_invitation_creates_guest_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reinvitation_restarts_pending_wait, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_groups_create_and_members, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_batch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_delta, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_conditional_access, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_policies_and_partners, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_entitlement_flow, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_snapshot_keeps_keys_and_members, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_consistency_delay, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_paths_and_methods, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_catalog_without_resources_takes_groups, setup,
					    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
