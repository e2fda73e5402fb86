/*
 * Unit tests of the snapshot tenant backend: clear errors on bad files, paged
 * reads gathered into one answer, Graph errors parsed into the request,
 * answers the caller may change without changing the tenant, runs of reads
 * answered on two threads as they are one at a time, and an atomic
 * commit (mode 0600, no temporary left behind, state kept).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "reconcile/tenant/tenant.h"
#include "schema/base/diag.h"
#include "schema/base/xalloc.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SEED TEST_SOURCE_DIR "/tests/graph-emulator/seeds/basic.json"

static char dir[64];
static char path[128];

static void write_file(const char *p, const char *text)
{
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	json_t *seed = json_load_file(SEED, 0, NULL);

	(void)state;
	strcpy(dir, "/tmp/b2bctl-snapshot-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/tenant.json", dir);
	assert_non_null(seed);
	assert_int_equal(json_dump_file(seed, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER), 0);
	json_decref(seed);
	return 0;
}

static int teardown(void **state)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[512];

	(void)state;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
	return 0;
}

static void test_open_errors_name_the_file(void **state)
{
	char bad[160];

	(void)state;
	snprintf(bad, sizeof(bad), "%s/missing.json", dir);
	assert_null(tenant_snapshot_open(bad));
	assert_non_null(strstr(b2b_error_last(), bad));

	snprintf(bad, sizeof(bad), "%s/broken.json", dir);
	write_file(bad, "{\n  \"format\": \"b2bctl-snapshot/1\",\n  \"users\": [\n}\n");
	assert_null(tenant_snapshot_open(bad));
	assert_non_null(strstr(b2b_error_last(), bad));
	assert_non_null(strstr(b2b_error_last(), "not valid JSON"));

	write_file(bad, "{\"format\": \"something-else/2\"}");
	assert_null(tenant_snapshot_open(bad));
	assert_non_null(strstr(b2b_error_last(), "something-else/2"));

	write_file(bad, "{\"format\": \"b2bctl-snapshot/1\", \"users\": {}}");
	assert_null(tenant_snapshot_open(bad));
	assert_non_null(strstr(b2b_error_last(), "users"));
}

static void test_run_pages_and_errors(void **state)
{
	struct tenant *t = tenant_snapshot_open(path);
	struct tenant_request reqs[3];

	(void)state;
	assert_non_null(t);
	assert_string_equal(t->tenant_id, "11111111-1111-1111-1111-111111111111");
	assert_string_equal(t->default_domain, "hostcorp.onmicrosoft.com");
	tenant_request_init(&reqs[0], "GET", NULL, TENANT_PAGED, "list users",
			    "/v1.0/users?$top=%d", 3);
	tenant_request_init(&reqs[1], "GET", NULL, 0, "get a user", "/v1.0/users/%s", "nobody");
	tenant_request_init(&reqs[2], "GET", NULL, TENANT_DELTA, "delta", "/v1.0/groups/delta");
	assert_int_equal(tenant_run(t, reqs, 3), 0);

	assert_int_equal(reqs[0].status, 200);
	assert_int_equal(json_array_size(json_object_get(reqs[0].response, "value")), 10);
	assert_null(json_object_get(reqs[0].response, "@odata.nextLink"));

	assert_int_equal(reqs[1].status, 404);
	assert_string_equal(reqs[1].error.code, "Request_ResourceNotFound");
	assert_non_null(reqs[1].error.request_id);
	assert_non_null(reqs[1].error.message);

	assert_int_equal(reqs[2].status, 200);
	assert_non_null(json_object_get(reqs[2].response, "@odata.deltaLink"));
	assert_int_equal(json_array_size(json_object_get(reqs[2].response, "value")), 2);

	tenant_request_release(&reqs[0]);
	tenant_request_release(&reqs[1]);
	tenant_request_release(&reqs[2]);
	tenant_free(t);
}

/* Scribbles over every object and array of an answer, at every depth. */
static void scribble(json_t *v)
{
	const char *key;
	json_t *child;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, key, child) scribble(child);
		json_object_set_new(v, "displayName", json_string("scribbled"));
		json_object_del(v, "mail");
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, child) scribble(child);
		json_array_append_new(v, json_string("scribbled"));
	}
}

static void test_answers_are_the_callers_own(void **state)
{
	static const char *const paths[] = {
	    "/v1.0/users?$select=id,displayName,mail,otherMails,identities&$top=2",
	    "/v1.0/users?$top=2",
	    "/v1.0/users/aaaaaaaa-0000-4000-8000-000000000001",
	    ("/v1.0/identityGovernance/entitlementManagement/accessPackages"
	     "?$expand=assignmentPolicies,resourceRoleScopes($expand=role,scope)"),
	};
	struct tenant *t = tenant_snapshot_open(path);
	struct tenant_request first[4], again[4];
	size_t i;

	(void)state;
	assert_non_null(t);
	for (i = 0; i < 4; i++)
		tenant_request_init(&first[i], "GET", NULL, i == 2 ? 0 : TENANT_PAGED, "read", "%s",
				    paths[i]);
	assert_int_equal(tenant_run(t, first, 4), 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(first[i].status, 200);
		tenant_request_init(&again[i], "GET", NULL, i == 2 ? 0 : TENANT_PAGED, "read", "%s",
				    paths[i]);
	}
	assert_int_equal(tenant_run(t, again, 4), 0);
	for (i = 0; i < 4; i++) {
		json_t *pristine = json_deep_copy(again[i].response);

		scribble(first[i].response);
		assert_true(json_equal(pristine, again[i].response));
		tenant_request_release(&first[i]);
		tenant_request_init(&first[i], "GET", NULL, i == 2 ? 0 : TENANT_PAGED, "read", "%s",
				    paths[i]);
		assert_int_equal(tenant_run(t, &first[i], 1), 0);
		assert_true(json_equal(pristine, first[i].response));
		json_decref(pristine);
		tenant_request_release(&first[i]);
		tenant_request_release(&again[i]);
	}
	tenant_free(t);
}

/* Where on_page records which request each page came from. */
struct page_order {
	size_t seen[64];
	size_t nr;
};

struct page_source {
	struct page_order *order;
	size_t index;
};

static void record_page(void *ctx, json_t *value)
{
	struct page_source *src = ctx;

	assert_int_equal(json_array_size(value), 10);
	src->order->seen[src->order->nr++] = src->index;
}

/*
 * A run of reads is answered on two threads: every answer is what the same
 * request gets alone, and pages reach on_page in the order of the requests,
 * the users' indexes built on first use by whichever thread needs them.
 */
static void test_reads_on_two_threads_answer_as_one_at_a_time(void **state)
{
	static const char *const paths[] = {
	    "/v1.0/users?$select=id,mail&$top=2",
	    "/v1.0/users/aaaaaaaa-0000-4000-8000-000000000001",
	    "/v1.0/users/nobody",
	    "/v1.0/users/carol@hostcorp.com?$select=id",
	    "/v1.0/users?$filter=mail%20in%20('guest1@contoso.com','bob@hostcorp.com')&$select=id",
	    "/v1.0/groups/cccccccc-0000-4000-8000-000000000001/members?$select=id&$top=1",
	    "/v1.0/groups?$filter=displayName%20eq%20'finance-readers'",
	    ("/v1.0/identityGovernance/entitlementManagement/accessPackages"
	     "?$filter=displayName%20eq%20'nothing'"),
	};
	enum { ROUNDS = 6, NR = ROUNDS * ARRAY_SIZE(paths) };
	struct tenant *t = tenant_snapshot_open(path);
	struct tenant_request together[NR], alone;
	struct page_source sources[NR];
	struct page_order order = {{0}, 0};
	size_t i;

	(void)state;
	assert_non_null(t);
	assert_int_equal(t->parallelism, 2);
	for (i = 0; i < NR; i++) {
		const char *p = paths[i % ARRAY_SIZE(paths)];

		tenant_request_init(&together[i], "GET", NULL, strchr(p, '?') ? TENANT_PAGED : 0,
				    "read", "%s", p);
		sources[i].order = &order;
		sources[i].index = i;
		if (i % ARRAY_SIZE(paths) == 0) {
			together[i].on_page = record_page;
			together[i].page_ctx = &sources[i];
		}
	}
	assert_int_equal(tenant_run(t, together, NR), 0);
	assert_int_equal(order.nr, ROUNDS); /* the listing's pages, gathered, in request order */
	for (i = 1; i < order.nr; i++)
		assert_true(order.seen[i - 1] <= order.seen[i]);
	for (i = 0; i < NR; i++) {
		if (together[i].on_page)
			continue;
		tenant_request_init(&alone, "GET", NULL, together[i].flags, "read", "%s",
				    together[i].path);
		assert_int_equal(tenant_run(t, &alone, 1), 0);
		assert_int_equal(together[i].status, alone.status);
		assert_true(
		    json_equal(together[i].response, alone.response) ||
		    (alone.status == 404 && !strcmp(together[i].error.code, alone.error.code)));
		tenant_request_release(&alone);
	}
	for (i = 0; i < NR; i++)
		tenant_request_release(&together[i]);
	tenant_free(t);
}

static void test_commit_is_atomic_and_private(void **state)
{
	struct tenant *t = tenant_snapshot_open(path);
	struct tenant_request req;
	struct stat st;
	json_t *after;
	DIR *d;
	struct dirent *e;
	int files = 0;

	(void)state;
	assert_non_null(t);
	tenant_request_init(&req, "POST",
			    json_pack("{s:s, s:s, s:b}", "invitedUserEmailAddress",
				      "dana@fabrikam.com", "inviteRedirectUrl", "https://x",
				      "sendInvitationMessage", 1),
			    0, "invite dana", "/v1.0/invitations");
	assert_int_equal(tenant_run(t, &req, 1), 0);
	assert_int_equal(req.status, 201);
	tenant_request_release(&req);
	/* nothing is written before commit */
	after = json_load_file(path, 0, NULL);
	assert_null(json_object_get(after, "_invitations"));
	json_decref(after);

	assert_int_equal(tenant_commit(t), 0);
	tenant_free(t);

	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	d = opendir(dir);
	while ((e = readdir(d)))
		files += e->d_name[0] != '.';
	closedir(d);
	assert_int_equal(files, 1);

	after = json_load_file(path, 0, NULL);
	assert_non_null(after);
	assert_string_equal(json_string_value(json_object_get(after, "format")),
			    "b2bctl-snapshot/1");
	assert_int_equal(json_array_size(json_object_get(after, "users")), 11);
	assert_int_equal(json_array_size(json_object_get(after, "_invitations")), 1);
	json_decref(after);

	/* the written file opens again */
	t = tenant_snapshot_open(path);
	assert_non_null(t);
	tenant_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_open_errors_name_the_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_run_pages_and_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_answers_are_the_callers_own, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reads_on_two_threads_answer_as_one_at_a_time,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_commit_is_atomic_and_private, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
