/*
 * fuzz_graph_wire: libFuzzer target for what the graph backend reads off the
 * wire: error bodies, 2xx bodies, $batch answers, Retry-After values and
 * nextLinks. Every input must end in a value or a clear message, never a
 * crash, a leak or a hang. Seed it with ../shared/graph-fixtures.
 *
 *   cmake -S . -B build-fuzz -DB2BCTL_FUZZ=ON -DCMAKE_C_COMPILER=clang
 *   cmake --build build-fuzz --target fuzz_graph_wire
 *   build-fuzz/tests/fuzz_graph_wire -max_total_time=60 ../shared/graph-fixtures
 */
#include "reconcile/tenant/graph_batch.h"
#include "reconcile/tenant/graph_http.h"
#include "schema/base/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct graph_batch_item items[GRAPH_BATCH_MAX];
	struct graph_error err = {0};
	char *text = xstrndup((const char *)data, size);
	json_t *json;

	graph_error_from_body(&err, 400, size && data[0] & 1 ? "text/html" : NULL,
			      (const char *)data, size, "rid");
	if (!err.message && !err.code)
		abort();
	graph_error_clear(&err);

	json = graph_json_from_body(&err, 200, "application/json", (const char *)data, size);
	if (!json && !err.message)
		abort();
	memset(items, 0, sizeof(items));
	if (json && graph_batch_parse(items, GRAPH_BATCH_MAX, json) == 0)
		graph_batch_items_release(items, GRAPH_BATCH_MAX);
	json_decref(json);
	graph_error_clear(&err);

	if (graph_retry_after_ms(text, 1700000000) < -1)
		abort();
	graph_url_same_origin("https://graph.microsoft.com", text);
	free(text);
	return 0;
}
