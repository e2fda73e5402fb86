/*
 * Unit tests of memgraph's `mail in (...)` lookup through its mail index: the
 * same users a scan finds (case folded, once each, $select applied), mails
 * changed by PATCH and new guests followed, and a tenant where two users
 * share a mail still answered in full.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "reconcile/tenant/memgraph.h"

#include <stdlib.h>
#include <string.h>

static struct memgraph *tenant_with(const char *users_json)
{
	json_t *users = json_loads(users_json, 0, NULL);
	struct memgraph_options opts = {NULL, 0, 1};
	struct memgraph *g;

	assert_non_null(users);
	g = memgraph_new_adopt(json_pack("{s:s,s:s,s:s,s:o}", "format", "b2bctl-snapshot/1",
					 "tenantId", "11111111-1111-1111-1111-111111111111",
					 "defaultDomain", "host.onmicrosoft.com", "users", users),
			       &opts);
	assert_non_null(g);
	return g;
}

static json_t *request(struct memgraph *g, const char *method, const char *target, const char *body,
		       long want_status)
{
	json_t *parsed = body ? json_loads(body, 0, NULL) : NULL;
	struct memgraph_request req = {method, target, parsed, 0};
	struct memgraph_response res;

	memgraph_handle(g, &req, &res);
	json_decref(parsed);
	assert_int_equal(res.status, want_status);
	return res.body;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The ids a `mail in (...)` listing answers, sorted and joined by ','. */
static char *ids_for(struct memgraph *g, const char *mails)
{
	char target[512];
	json_t *page, *u;
	char *ids[16], *out;
	size_t i, n = 0, len = 1;

	snprintf(target, sizeof(target), "/v1.0/users?$filter=mail%%20in%%20(%s)&$select=id,mail",
		 mails);
	page = request(g, "GET", target, NULL, 200);
	assert_null(json_object_get(page, "@odata.nextLink"));
	json_array_foreach(json_object_get(page, "value"), i, u)
	{
		assert_int_equal(json_object_size(u), 2);
		assert_true(n < 16);
		ids[n] = strdup(json_string_value(json_object_get(u, "id")));
		len += strlen(ids[n++]) + 1;
	}
	json_decref(page);
	qsort(ids, n, sizeof(*ids), compare_strings);
	out = calloc(1, len);
	for (i = 0; i < n; i++) {
		if (i)
			strcat(out, ",");
		strcat(out, ids[i]);
		free(ids[i]);
	}
	return out;
}

static void expect_ids(struct memgraph *g, const char *mails, const char *want)
{
	char *got = ids_for(g, mails);

	assert_string_equal(got, want);
	free(got);
}

static void test_unique_mails(void **state)
{
	struct memgraph *g = tenant_with("[{\"id\": \"u1\", \"mail\": \"Ann@Contoso.com\"},"
					 " {\"id\": \"u2\", \"mail\": \"bob@contoso.com\"},"
					 " {\"id\": \"u3\", \"mail\": \"cy@fabrikam.com\"},"
					 " {\"id\": \"u4\"}]");

	(void)state;
	expect_ids(g, "'ann@contoso.com','CY@FABRIKAM.COM','nobody@contoso.com'", "u1,u3");
	expect_ids(g, "'bob@contoso.com','BOB@contoso.com'", "u2");
	expect_ids(g, "'nobody@contoso.com'", "");
	memgraph_free(g);
}

static void test_mail_changes(void **state)
{
	struct memgraph *g = tenant_with("[{\"id\": \"u1\", \"mail\": \"ann@contoso.com\"}]");
	json_t *body;

	(void)state;
	json_decref(request(g, "PATCH", "/v1.0/users/u1", "{\"mail\": \"ann@fabrikam.com\"}", 204));
	expect_ids(g, "'ann@contoso.com'", "");
	expect_ids(g, "'ann@fabrikam.com'", "u1");
	body = request(g, "POST", "/v1.0/invitations",
		       "{\"invitedUserEmailAddress\": \"new@contoso.com\","
		       " \"inviteRedirectUrl\": \"https://myapps.microsoft.com\"}",
		       201);
	json_decref(body);
	{
		char *got = ids_for(g, "'new@contoso.com'");

		assert_true(strlen(got) > 0);
		free(got);
	}
	json_decref(request(g, "DELETE", "/v1.0/users/u1", NULL, 204));
	expect_ids(g, "'ann@fabrikam.com'", "");
	memgraph_free(g);
}

static void test_shared_mail(void **state)
{
	struct memgraph *g = tenant_with("[{\"id\": \"u1\", \"mail\": \"ann@contoso.com\"},"
					 " {\"id\": \"u2\", \"mail\": \"ANN@contoso.com\"},"
					 " {\"id\": \"u3\", \"mail\": \"bob@contoso.com\"}]");

	(void)state;
	expect_ids(g, "'ann@contoso.com','bob@contoso.com'", "u1,u2,u3");
	memgraph_free(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_unique_mails),
	    cmocka_unit_test(test_mail_changes),
	    cmocka_unit_test(test_shared_mail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
