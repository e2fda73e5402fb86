/*
 * Unit tests for the graph client against hostile-graph (tests/hostile/), a
 * server that answers with truncated JSON, HTML pages, the wrong JSON types,
 * empty bodies, a `value` that is not an array, $batch envelopes of garbage,
 * nextLinks that loop, leave the host or never end, a page that never ends and a 2 GiB
 * body. Each must end in a clear error (or, for well-formed JSON of the wrong
 * shape, an answer the kinds can refuse), within bounded time and memory.
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

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct hostile {
	pid_t pid;
	char base[64];
	char err_path[64];
};

static char *server_path(void)
{
	const char *emu = getenv("B2BCTL_GRAPH_EMU");
	const char *slash = emu ? strrchr(emu, '/') : NULL;

	if (!slash)
		fail_msg("B2BCTL_GRAPH_EMU must name graph-emu in the build folder");
	return xstrfmt("%.*s/hostile-graph", (int)(slash - emu), emu);
}

static void hostile_start(struct hostile *h, const char *mode)
{
	char *path = server_path();
	int out[2], err_fd;
	ssize_t n;
	size_t len = 0;
	char line[128];

	snprintf(h->err_path, sizeof(h->err_path), "/tmp/hostile-graph.%ld.err", (long)getpid());
	err_fd = open(h->err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (err_fd < 0 || pipe(out))
		fail_msg("cannot start hostile-graph: %s", strerror(errno));
	h->pid = fork();
	if (h->pid == 0) {
		dup2(out[1], 1);
		dup2(err_fd, 2);
		close(out[0]);
		execl(path, path, "--mode", mode, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	close(err_fd);
	free(path);
	while (len < sizeof(line) - 1 && (n = read(out[0], line + len, 1)) == 1 &&
	       line[len] != '\n')
		len++;
	line[len] = '\0';
	close(out[0]);
	if (sscanf(line, "listening %63s", h->base) != 1)
		fail_msg("hostile-graph --mode %s did not start (%s)", mode, line);
}

/* Stops the server; the body bytes it sent in all. */
static unsigned long long hostile_stop(struct hostile *h)
{
	unsigned long long sent = 0;
	FILE *f;
	int status;

	kill(h->pid, SIGTERM);
	waitpid(h->pid, &status, 0);
	f = fopen(h->err_path, "r");
	if (!f || fscanf(f, "sent %llu bytes", &sent) != 1)
		fail_msg("hostile-graph did not say how much it sent");
	fclose(f);
	unlink(h->err_path);
	return sent;
}

static struct tenant *open_against(const struct hostile *h)
{
	struct graph_options opts = {0};
	struct tenant *t;

	unsetenv("B2BCTL_ACCESS_TOKEN");
	setenv("AZURE_CLIENT_ID", "app-123", 1);
	setenv("AZURE_CLIENT_SECRET", "hostile-secret", 1);
	opts.graph_url = h->base;
	opts.authority_host = h->base;
	opts.tenant_id = "11111111-1111-1111-1111-111111111111";
	opts.parallelism = 2;
	opts.request_timeout_ms = 2000;
	opts.max_attempts = 2;
	opts.deadline_ms = 8000;
	t = tenant_graph_open(&opts);
	if (!t)
		fail_msg("tenant_graph_open: %s", b2b_error_last());
	return t;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct outcome {
	int failed;           /* no usable answer */
	char *message;        /* what the client said, for the failure */
	long long elapsed_ms; /* for the whole run */
	unsigned long long sent;
};

/*
 * Runs nr (1: a paged list; 2: two batchable reads, so one $batch) requests
 * against a server in `mode`. A request that "succeeds" must hold an object.
 */
static void run_mode(struct outcome *o, const char *mode, size_t nr)
{
	struct tenant_request reqs[2];
	struct hostile h;
	struct tenant *t;
	long long start;
	size_t i;
	int rc;

	memset(o, 0, sizeof(*o));
	hostile_start(&h, mode);
	t = open_against(&h);
	if (nr == 1) {
		tenant_request_init(&reqs[0], "GET", NULL, TENANT_PAGED, "list guests",
				    "/v1.0/users?$select=id,mail");
	} else {
		for (i = 0; i < nr; i++)
			tenant_request_init(&reqs[i], "GET", NULL, TENANT_BATCHABLE, "read group",
					    "/v1.0/groups/g%zu", i);
	}
	start = now_ms();
	rc = tenant_run(t, reqs, nr);
	o->elapsed_ms = now_ms() - start;
	if (rc < 0) {
		o->failed = 1;
		o->message = xstrdup(b2b_error_last());
	}
	for (i = 0; i < nr; i++) {
		if (!o->failed && !tenant_request_ok(&reqs[i])) {
			o->failed = 1;
			o->message = tenant_request_describe_error(&reqs[i]);
		} else if (!o->failed && !json_is_object(reqs[i].response)) {
			fail_msg("%s: a 2xx without a JSON object was taken as an answer", mode);
		}
		tenant_request_release(&reqs[i]);
	}
	tenant_free(t);
	o->sent = hostile_stop(&h);
}

static void expect_failure(const char *mode, size_t nr, const char *needle)
{
	struct outcome o;

	run_mode(&o, mode, nr);
	if (!o.failed)
		fail_msg("%s (%zu requests): taken as a good answer", mode, nr);
	if (!o.message || !*o.message)
		fail_msg("%s: failed without saying why", mode);
	if (needle && !strstr(o.message, needle))
		fail_msg("%s: the error does not say '%s': %s", mode, needle, o.message);
	print_message("%-14s %zu request(s), %lld ms: %s\n", mode, nr, o.elapsed_ms, o.message);
	free(o.message);
}

static void test_truncated_json(void **state)
{
	(void)state;
	expect_failure("truncated", 1, NULL);
	expect_failure("truncated", 2, NULL);
}

static void test_html_pages(void **state)
{
	(void)state;
	expect_failure("html", 1, NULL);
	expect_failure("html", 2, NULL);
	expect_failure("html-error", 1, "403");
	expect_failure("html-error", 2, NULL);
}

static void test_empty_and_not_json(void **state)
{
	(void)state;
	expect_failure("empty", 1, NULL);
	expect_failure("empty", 2, NULL);
	expect_failure("not-json", 1, NULL);
}

static void test_value_not_an_array(void **state)
{
	(void)state;
	expect_failure("value-object", 1, "not an array");
	expect_failure("value-string", 1, "not an array");
}

static void test_wrong_types(void **state)
{
	struct outcome o;

	(void)state;
	/* well-formed JSON: a list may be taken (the kinds check each item), a
	 * $batch envelope whose `responses` is a number may not */
	run_mode(&o, "wrong-types", 1);
	free(o.message);
	expect_failure("wrong-types", 2, NULL);
	expect_failure("batch-garbage", 2, NULL);
}

static void test_next_links(void **state)
{
	(void)state;
	expect_failure("nextlink-loop", 1, "repeats an earlier link");
	expect_failure("nextlink-foreign", 1, "another host");
}

static void test_pages_that_never_end(void **state)
{
	(void)state;
	/* a new nextLink every time: the client stops at its page limit */
	expect_failure("endless", 1, "TooManyPages");
}

static void test_page_that_never_ends(void **state)
{
	struct outcome o;

	(void)state;
	run_mode(&o, "drip", 1);
	assert_true(o.failed);
	print_message("drip: %lld ms: %s\n", o.elapsed_ms, o.message);
	/* two attempts of 2 s and a backoff, not for ever */
	assert_true(o.elapsed_ms < 15000);
	free(o.message);
}

static void test_two_gib_body_is_cut_short(void **state)
{
	struct rusage before, after;
	struct outcome o;

	(void)state;
	getrusage(RUSAGE_SELF, &before);
	run_mode(&o, "huge", 1);
	getrusage(RUSAGE_SELF, &after);
	assert_true(o.failed);
	print_message("huge: %lld ms, %llu MiB sent, max RSS %ld MiB: %s\n", o.elapsed_ms,
		      o.sent >> 20, after.ru_maxrss >> 10, o.message);
	assert_non_null(strstr(o.message, "larger than"));
	/* the client hung up near its 64 MiB cap (the retry reads as much again) */
	assert_true(o.sent < (512ULL << 20));
	assert_true(o.elapsed_ms < 60000);
	assert_true(after.ru_maxrss < 2L * 1024 * 1024); /* KiB: under 2 GiB even with ASan */
	free(o.message);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_truncated_json),
	    cmocka_unit_test(test_html_pages),
	    cmocka_unit_test(test_empty_and_not_json),
	    cmocka_unit_test(test_value_not_an_array),
	    cmocka_unit_test(test_wrong_types),
	    cmocka_unit_test(test_next_links),
	    cmocka_unit_test(test_pages_that_never_end),
	    cmocka_unit_test(test_page_that_never_ends),
	    cmocka_unit_test(test_two_gib_body_is_cut_short),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
