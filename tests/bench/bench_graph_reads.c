/*
 * bench_graph_reads: how fast the graph backend reads through graph-emu with
 * 20 ms of latency per request: a 5,000-guest listing, and 1,000 single
 * reads one at a time, 8 in flight, and in $batch.
 *
 *   build/bench_graph_reads [path/to/graph-emu]     (default: B2BCTL_GRAPH_EMU, ./graph-emu)
 */
#include "reconcile/tenant/tenant.h"
#include "schema/base/diag.h"
#include "schema/base/strbuf.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TENANT_ID "11111111-1111-1111-1111-111111111111"
#define NR_GUESTS 5000
#define NR_READS  1000

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int write_snapshot(const char *path)
{
	json_t *users = json_array();
	json_t *snap;
	int i, ret;

	for (i = 0; i < NR_GUESTS; i++) {
		char id[40], mail[64];

		snprintf(id, sizeof(id), "00000000-0000-4000-8000-%012d", i);
		snprintf(mail, sizeof(mail), "guest%04d@contoso.com", i);
		json_array_append_new(users, json_pack("{s:s,s:s,s:s,s:s}", "id", id, "mail", mail,
						       "displayName", mail, "userType", "Guest"));
	}
	snap = json_pack("{s:s,s:s,s:o}", "format", "b2bctl-snapshot/1", "tenantId", TENANT_ID,
			 "users", users);
	ret = json_dump_file(snap, path, JSON_COMPACT);
	json_decref(snap);
	return ret;
}

static pid_t emu_start(const char *bin, const char *snapshot, char *url, size_t url_size)
{
	int out[2];
	char line[256], fmt[32];
	pid_t pid;
	FILE *f;

	if (pipe(out))
		return -1;
	pid = fork();
	if (!pid) {
		dup2(out[1], 1);
		close(out[0]);
		close(out[1]);
		execl(bin, bin, "--snapshot", snapshot, "--listen", "127.0.0.1:0", "--latency-ms",
		      "20", (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	f = fdopen(out[0], "r");
	snprintf(fmt, sizeof(fmt), "listening %%%zus", url_size - 1);
	if (!fgets(line, sizeof(line), f) || sscanf(line, fmt, url) != 1) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	fclose(f);
	return pid;
}

static int timed_reads(const char *url, unsigned parallelism, unsigned flags, const char *label)
{
	struct graph_options opts = {0};
	struct tenant_request *reqs = calloc(NR_READS, sizeof(*reqs));
	struct tenant *t;
	long long start;
	int i, ok = 0;

	opts.graph_url = url;
	opts.authority_host = url;
	opts.tenant_id = TENANT_ID;
	opts.parallelism = parallelism;
	t = tenant_graph_open(&opts);
	if (!t || !reqs) {
		fprintf(stderr, "bench_graph_reads: %s\n", b2b_error_last());
		free(reqs);
		return -1;
	}
	for (i = 0; i < NR_READS; i++)
		tenant_request_init(&reqs[i], "GET", NULL, flags, "read",
				    "/v1.0/users/"
				    "00000000-0000-4000-8000-%012d?$select=id,mail",
				    i * 5);
	start = now_ms();
	tenant_run(t, reqs, NR_READS);
	for (i = 0; i < NR_READS; i++) {
		ok += tenant_request_ok(&reqs[i]);
		tenant_request_release(&reqs[i]);
	}
	printf("%-44s %6lld ms  (%d/%d ok)\n", label, now_ms() - start, ok, NR_READS);
	tenant_free(t);
	free(reqs);
	return ok == NR_READS ? 0 : -1;
}

static int timed_listing(const char *url)
{
	struct graph_options opts = {0};
	struct tenant_request req;
	struct tenant *t;
	long long start;
	size_t n;

	opts.graph_url = url;
	opts.authority_host = url;
	opts.tenant_id = TENANT_ID;
	t = tenant_graph_open(&opts);
	if (!t) {
		fprintf(stderr, "bench_graph_reads: %s\n", b2b_error_last());
		return -1;
	}
	tenant_request_init(&req, "GET", NULL, TENANT_PAGED, "list guests",
			    "/v1.0/users?$filter=userType eq 'Guest'&$select=id,mail&$top=999");
	start = now_ms();
	tenant_run(t, &req, 1);
	n = json_array_size(json_object_get(req.response, "value"));
	printf("%-44s %6lld ms  (%zu guests)\n", "list 5,000 guests (6 pages)", now_ms() - start,
	       n);
	tenant_request_release(&req);
	tenant_free(t);
	return n == NR_GUESTS ? 0 : -1;
}

int main(int argc, char **argv)
{
	const char *bin = argc > 1 ? argv[1] : getenv("B2BCTL_GRAPH_EMU");
	char dir[] = "/tmp/b2b-bench-XXXXXX", snapshot[64], url[128];
	int ret = 0;
	pid_t pid;

	if (!bin)
		bin = "./graph-emu";
	if (!mkdtemp(dir))
		return 1;
	snprintf(snapshot, sizeof(snapshot), "%s/seed.json", dir);
	if (write_snapshot(snapshot) || (pid = emu_start(bin, snapshot, url, sizeof(url))) < 0) {
		fprintf(stderr, "bench_graph_reads: cannot start %s\n", bin);
		return 1;
	}
	/* the emulator runs without --client-id: it signs in any client */
	unsetenv("B2BCTL_ACCESS_TOKEN");
	setenv("AZURE_CLIENT_ID", "bench", 1);
	setenv("AZURE_CLIENT_SECRET", "bench-secret", 1);
	ret |= timed_listing(url);
	ret |= timed_reads(url, 1, 0, "1,000 reads, 1 in flight");
	ret |= timed_reads(url, 8, 0, "1,000 reads, 8 in flight");
	ret |=
	    timed_reads(url, 8, TENANT_BATCHABLE, "1,000 reads in $batch (20 each), 8 in flight");
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	unlink(snapshot);
	rmdir(dir);
	return ret ? 1 : 0;
}
