/*
 * bench_memgraph: CPU time of memgraph itself on a large snapshot: parsing the
 * file, building the memgraph, and listing every guest at $top=999 with the
 * $select b2bctl uses, serializing each page as graph-emu would.
 *
 *   bench_memgraph SNAPSHOT.json     (tests/bench/bench_emu.sh writes one)
 */
#include "reconcile/tenant/memgraph.h"
#include "schema/base/json_memory.h"
#include "schema/base/diag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static const char base[] = "https://graph.microsoft.com";
	struct memgraph_options opts = {base, 0, 1};
	char *target = strdup("/v1.0/users?$filter=userType%20eq%20'Guest'&$select=id,displayName,"
			      "mail,otherMails,userPrincipalName,userType,externalUserState,"
			      "externalUserStateChangeDateTime,creationType,accountEnabled,"
			      "createdDateTime,identities&$top=999");
	double t0, t1, t2, t3;
	size_t pages = 0, guests = 0, bytes = 0;
	json_error_t err;
	struct memgraph *g;
	json_t *snap;

	if (argc != 2) {
		fprintf(stderr, "usage: bench_memgraph SNAPSHOT.json\n");
		return 1;
	}
	t0 = cpu_now();
	snap = json_load_file(argv[1], 0, &err);
	if (!snap) {
		fprintf(stderr, "bench_memgraph: %s:%d: %s\n", argv[1], err.line, err.text);
		return 1;
	}
	t1 = cpu_now();
	g = memgraph_new_adopt(snap, &opts);
	if (!g) {
		fprintf(stderr, "bench_memgraph: %s\n", b2b_error_last());
		return 1;
	}
	t2 = cpu_now();
	while (target) {
		struct memgraph_request req = {"GET", target, NULL, 0};
		struct memgraph_response res;
		const char *next;
		char *text;

		memgraph_handle(g, &req, &res);
		if (res.status != 200) {
			fprintf(stderr, "bench_memgraph: HTTP %ld\n", res.status);
			return 1;
		}
		text = json_text(res.body, JSON_COMPACT);
		bytes += strlen(text);
		free(text);
		pages++;
		guests += json_array_size(json_object_get(res.body, "value"));
		next = json_string_value(json_object_get(res.body, "@odata.nextLink"));
		free(target);
		target = next ? strdup(next + strlen(base)) : NULL;
		json_decref(res.body);
	}
	t3 = cpu_now();
	printf(
	    "bench_memgraph: parse %.2fs, memgraph_new_adopt %.2fs, list %zu guests in %zu pages "
	    "(%zu bytes) %.2fs\n",
	    t1 - t0, t2 - t1, guests, pages, bytes, t3 - t2);
	memgraph_free(g);
	return 0;
}
