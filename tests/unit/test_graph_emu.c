/*
 * Tests of the graph backend against graph-emu (B2BCTL_GRAPH_EMU): a 5,000
 * guest listing, identical results under injected 429/503 faults, a token
 * that expires mid-run, wrong credentials, and a $filter injection attempt.
 * Skipped when the emulator binary is not there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "reconcile/tenant/tenant.h"
#include "schema/base/diag.h"
#include "schema/base/strbuf.h"
#include "schema/base/xalloc.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TENANT_ID "11111111-1111-1111-1111-111111111111"
#define CLIENT_ID "emu-client"
#define SECRET    "emu-s3cret-value"
#define NR_GUESTS 5000
#define INJECTION "x' or displayName ne '"

struct emu {
	pid_t pid;
	char url[128];
	char dir[64];
	char log[128];
};

static void write_snapshot(const char *path)
{
	json_t *snap = json_pack("{s:s,s:s,s:s}", "format", "b2bctl-snapshot/1", "tenantId",
				 TENANT_ID, "defaultDomain", "hostcorp.onmicrosoft.com");
	json_t *users = json_array(), *groups = json_array();
	int i;

	for (i = 0; i < NR_GUESTS; i++) {
		char id[40], mail[64], upn[96];

		snprintf(id, sizeof(id), "00000000-0000-4000-8000-%012d", i);
		snprintf(mail, sizeof(mail), "guest%04d@contoso.com", i);
		snprintf(upn, sizeof(upn), "guest%04d_contoso.com#EXT#@hostcorp.onmicrosoft.com",
			 i);
		json_array_append_new(users, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "id", id,
						       "displayName", mail, "mail", mail,
						       "userPrincipalName", upn, "userType",
						       "Guest", "externalUserState", "Accepted"));
	}
	for (i = 0; i < 20; i++) {
		char id[40], upn[64];

		snprintf(id, sizeof(id), "10000000-0000-4000-8000-%012d", i);
		snprintf(upn, sizeof(upn), "member%02d@hostcorp.com", i);
		json_array_append_new(users,
				      json_pack("{s:s,s:s,s:s,s:s}", "id", id, "displayName", upn,
						"userPrincipalName", upn, "userType", "Member"));
	}
	json_array_append_new(groups, json_pack("{s:s,s:s,s:b,s:b,s:[]}", "id",
						"20000000-0000-4000-8000-000000000001",
						"displayName", "finance-readers", "securityEnabled",
						1, "mailEnabled", 0, "members"));
	json_array_append_new(groups, json_pack("{s:s,s:s,s:b,s:b,s:[]}", "id",
						"20000000-0000-4000-8000-000000000002",
						"displayName", INJECTION, "securityEnabled", 1,
						"mailEnabled", 0, "members"));
	json_array_append_new(groups, json_pack("{s:s,s:s,s:b,s:b,s:[]}", "id",
						"20000000-0000-4000-8000-000000000003",
						"displayName", "contoso-guests", "securityEnabled",
						1, "mailEnabled", 0, "members"));
	json_object_set_new(snap, "users", users);
	json_object_set_new(snap, "groups", groups);
	assert_int_equal(json_dump_file(snap, path, JSON_COMPACT), 0);
	json_decref(snap);
}

/* Starts graph-emu with extra arguments (NULL-terminated); skips without it. */
static void emu_start(struct emu *e, ...)
{
	const char *bin = getenv("B2BCTL_GRAPH_EMU");
	const char *argv[32];
	char snapshot[128], line[256];
	int out[2], argc = 0;
	const char *arg;
	va_list ap;
	FILE *f;

	if (!bin || access(bin, X_OK)) {
		print_message("graph-emu not found (B2BCTL_GRAPH_EMU=%s); skipping\n",
			      bin ? bin : "");
		skip();
	}
	strcpy(e->dir, "/tmp/b2b-graph-emu-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(snapshot, sizeof(snapshot), "%s/seed.json", e->dir);
	snprintf(e->log, sizeof(e->log), "%s/requests.log", e->dir);
	write_snapshot(snapshot);
	argv[argc++] = bin;
	argv[argc++] = "--snapshot";
	argv[argc++] = snapshot;
	argv[argc++] = "--listen";
	argv[argc++] = "127.0.0.1:0";
	argv[argc++] = "--client-id";
	argv[argc++] = CLIENT_ID;
	argv[argc++] = "--client-secret";
	argv[argc++] = SECRET;
	argv[argc++] = "--log";
	argv[argc++] = e->log;
	va_start(ap, e);
	while ((arg = va_arg(ap, const char *)) && argc < 30)
		argv[argc++] = arg;
	va_end(ap);
	argv[argc] = NULL;

	assert_int_equal(pipe(out), 0);
	e->pid = fork();
	assert_true(e->pid >= 0);
	if (!e->pid) {
		dup2(out[1], 1);
		close(out[0]);
		close(out[1]);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	f = fdopen(out[0], "r");
	if (!fgets(line, sizeof(line), f) || sscanf(line, "listening %127s", e->url) != 1) {
		kill(e->pid, SIGTERM);
		waitpid(e->pid, NULL, 0);
		fail_msg("graph-emu did not say where it listens: '%s'", line);
	}
	fclose(f);
}

static void emu_stop(struct emu *e)
{
	struct strbuf cmd = STRBUF_INIT;

	kill(e->pid, SIGTERM);
	waitpid(e->pid, NULL, 0);
	strbuf_addf(&cmd, "rm -rf '%s'", e->dir);
	if (system(cmd.buf))
		print_message("could not remove %s\n", e->dir);
	strbuf_release(&cmd);
}

static size_t log_count(const struct emu *e, const char *needle)
{
	struct strbuf log = STRBUF_INIT;
	const char *p;
	size_t n = 0;

	if (strbuf_read_file(&log, e->log, 0) < 0)
		return 0;
	for (p = log.buf; (p = strstr(p, needle)); p++)
		n++;
	strbuf_release(&log);
	return n;
}

static struct tenant *emu_open(const struct emu *e, unsigned max_attempts)
{
	struct graph_options opts = {0};
	struct tenant *t;

	unsetenv("B2BCTL_ACCESS_TOKEN");
	unsetenv("AZURE_FEDERATED_TOKEN_FILE");
	setenv("AZURE_CLIENT_ID", CLIENT_ID, 1);
	setenv("AZURE_CLIENT_SECRET", SECRET, 1);
	opts.graph_url = e->url;
	opts.authority_host = e->url;
	opts.tenant_id = TENANT_ID;
	opts.parallelism = 8;
	opts.max_attempts = max_attempts;
	t = tenant_graph_open(&opts);
	if (!t)
		fail_msg("tenant_graph_open: %s", b2b_error_last());
	return t;
}

#define GUEST_LIST "/v1.0/users?$filter=userType eq 'Guest'&$select=id,mail&$top=999"

static void test_lists_5000_guests(void **state)
{
	struct emu e;
	struct tenant *t;
	struct tenant_request req;
	json_t *value, *seen = json_object(), *user;
	size_t i;

	(void)state;
	emu_start(&e, NULL);
	t = emu_open(&e, 6);
	tenant_request_init(&req, "GET", NULL, TENANT_PAGED, "list guests", "%s", GUEST_LIST);
	assert_int_equal(tenant_run(t, &req, 1), 0);
	assert_int_equal(req.status, 200);
	value = json_object_get(req.response, "value");
	assert_int_equal(json_array_size(value), NR_GUESTS);
	json_array_foreach(value, i, user)
	    json_object_set(seen, json_string_value(json_object_get(user, "id")), json_true());
	assert_int_equal(json_object_size(seen), NR_GUESTS);
	/* 5,000 guests at 999 a page */
	assert_int_equal(log_count(&e, "\"method\":\"GET\""), 6);
	json_decref(seen);
	tenant_request_release(&req);
	tenant_free(t);
	emu_stop(&e);
}

/* The reads a plan makes: the guest list plus 40 single objects through $batch. */
#define NR_READS 42

static void reads_init(struct tenant_request *reqs)
{
	int i;

	tenant_request_init(&reqs[0], "GET", NULL, TENANT_PAGED, "list guests", "%s", GUEST_LIST);
	tenant_request_init(&reqs[1], "GET", NULL, TENANT_PAGED | TENANT_BATCHABLE, "list groups",
			    "/v1.0/groups?$select=id,displayName&$top=2");
	for (i = 2; i < NR_READS; i++)
		tenant_request_init(&reqs[i], "GET", NULL, TENANT_BATCHABLE, "read guest",
				    "/v1.0/users/00000000-0000-4000-8000-%012d?$select=id,mail",
				    i * 97);
}

static json_t *reads_result(struct tenant_request *reqs)
{
	json_t *all = json_array();
	int i;

	for (i = 0; i < NR_READS; i++) {
		if (!tenant_request_ok(&reqs[i])) {
			char *why = tenant_request_describe_error(&reqs[i]);

			print_message("%s\n", why);
			free(why);
		}
		assert_int_equal(reqs[i].status, 200);
		/* the only thing allowed to differ: the emulator's address */
		json_object_del(reqs[i].response, "@odata.context");
		json_array_append(all, reqs[i].response);
		tenant_request_release(&reqs[i]);
	}
	return all;
}

static void test_faults_give_identical_results(void **state)
{
	struct tenant_request reqs[NR_READS];
	struct emu clean, faulty;
	struct tenant *t;
	json_t *expect, *got;

	(void)state;
	emu_start(&clean, NULL);
	t = emu_open(&clean, 6);
	reads_init(reqs);
	assert_int_equal(tenant_run(t, reqs, NR_READS), 0);
	expect = reads_result(reqs);
	tenant_free(t);
	emu_stop(&clean);

	emu_start(&faulty, "--throttle-rate", "0.3", "--fail-rate", "0.1", "--seed", "7", NULL);
	t = emu_open(&faulty, 15);
	reads_init(reqs);
	assert_int_equal(tenant_run(t, reqs, NR_READS), 0);
	got = reads_result(reqs);
	assert_true(json_equal(expect, got));
	assert_true(log_count(&faulty, "\"status\":429") > 0);
	assert_true(log_count(&faulty, "\"status\":503") > 0);
	json_decref(expect);
	json_decref(got);
	tenant_free(t);
	emu_stop(&faulty);
}

static void test_token_expiring_mid_run_is_renewed(void **state)
{
	struct emu e;
	struct tenant *t;
	int round;

	(void)state;
	emu_start(&e, "--token-lifetime-s", "2", "--latency-ms", "50", NULL);
	t = emu_open(&e, 6);
	for (round = 0; round < 4; round++) {
		struct tenant_request req;

		tenant_request_init(&req, "GET", NULL, TENANT_PAGED, "list groups",
				    "/v1.0/groups?$select=id&$top=1");
		assert_int_equal(tenant_run(t, &req, 1), 0);
		assert_int_equal(req.status, 200);
		assert_int_equal(json_array_size(json_object_get(req.response, "value")), 3);
		tenant_request_release(&req);
		usleep(900 * 1000);
	}
	/* ~4.5 s with 2 s tokens: signed in again before expiry, never answered 401 */
	assert_true(log_count(&e, "/oauth2/v2.0/token") >= 3);
	assert_int_equal(log_count(&e, "\"status\":401"), 0);
	tenant_free(t);
	emu_stop(&e);
}

static void test_wrong_credentials(void **state)
{
	struct emu e;
	struct tenant *t;
	struct tenant_request req;

	(void)state;
	emu_start(&e, NULL);
	t = emu_open(&e, 6);
	tenant_free(t);
	setenv("AZURE_CLIENT_SECRET", "not-the-secret", 1);
	{
		struct graph_options opts = {0};

		opts.graph_url = e.url;
		opts.authority_host = e.url;
		opts.tenant_id = TENANT_ID;
		t = tenant_graph_open(&opts);
	}
	assert_non_null(t);
	tenant_request_init(&req, "GET", NULL, 0, "read policy",
			    "/v1.0/policies/authorizationPolicy");
	assert_int_equal(tenant_run(t, &req, 1), -1);
	assert_non_null(strstr(b2b_error_last(),
			       "sign-in with client secret (AZURE_CLIENT_ID=" CLIENT_ID
			       ") failed: AADSTS7000215: Invalid client secret"));
	assert_null(strstr(b2b_error_last(), "not-the-secret"));
	assert_int_equal(log_count(&e, "/v1.0/"), 0);
	tenant_request_release(&req);
	tenant_free(t);
	emu_stop(&e);
}

static void test_filter_injection_finds_one_group(void **state)
{
	struct strbuf path = STRBUF_INIT;
	struct emu e;
	struct tenant *t;
	struct tenant_request req;
	json_t *value;

	(void)state;
	emu_start(&e, NULL);
	t = emu_open(&e, 6);
	strbuf_addstr(&path, "/v1.0/groups?$filter=displayName%20eq%20");
	strbuf_add_odata_literal(&path, INJECTION);
	tenant_request_init(&req, "GET", NULL, TENANT_PAGED, "find group", "%s", path.buf);
	assert_int_equal(tenant_run(t, &req, 1), 0);
	assert_int_equal(req.status, 200);
	value = json_object_get(req.response, "value");
	assert_int_equal(json_array_size(value), 1);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(value, 0), "displayName")), INJECTION);
	tenant_request_release(&req);
	tenant_free(t);
	strbuf_release(&path);
	emu_stop(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lists_5000_guests),
	    cmocka_unit_test(test_faults_give_identical_results),
	    cmocka_unit_test(test_token_expiring_mid_run_is_renewed),
	    cmocka_unit_test(test_wrong_credentials),
	    cmocka_unit_test(test_filter_injection_finds_one_group),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
