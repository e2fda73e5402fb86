/*
 * memgraph: Microsoft Graph in memory.
 *
 * Holds a tenant in the snapshot format (DESIGN.md §7) and answers the Graph
 * requests b2bctl makes exactly as Graph does: collections with $filter,
 * $select, $top and @odata.nextLink, $expand where Graph has it, creates with
 * new GUIDs and Graph's object shapes, Graph's error bodies and codes, $batch.
 * The snapshot backend answers b2bctl's requests with it in-process; graph-emu
 * (tests/graph-emulator) serves it over HTTP and adds sign-in, faults and logs.
 *
 * It has no notion of time except through memgraph_set_clock(), so the
 * emulator can hide objects younger than its consistency delay.
 */
#ifndef B2B_MEMGRAPH_H
#define B2B_MEMGRAPH_H

#include <jansson.h>

struct memgraph;

struct memgraph_options {
	/* Absolute prefix of @odata.nextLink and @odata.id, e.g. "http://127.0.0.1:8080";
	 * NULL gives "https://graph.microsoft.com". */
	const char *base_url;
	/* Objects created less than this many ms ago are invisible to reads,
	 * filters and member adds (404), as replication lag makes them in Graph. */
	long consistency_delay_ms;
	/* Seed for generated ids (reproducible runs); 0 picks one from the clock. */
	unsigned long seed;
};

/* Takes a reference on snapshot's contents (deep-copied); NULL and b2b_error on bad input. */
struct memgraph *memgraph_new(const json_t *snapshot, const struct memgraph_options *opts);
/* As memgraph_new, but takes the caller's reference on snapshot and keeps its
 * objects without copying them (fast for large tenants); the caller must not
 * use snapshot afterwards. */
struct memgraph *memgraph_new_adopt(json_t *snapshot, const struct memgraph_options *opts);
void memgraph_free(struct memgraph *g);

struct memgraph_request {
	const char *method;
	const char *target; /* path and query as sent: "/v1.0/users?$filter=..." (URL-encoded) */
	const json_t *body; /* parsed body, NULL for none */
	int consistency_eventual; /* ConsistencyLevel: eventual was sent */
};

struct memgraph_response {
	long status;
	json_t *body;         /* owned by the caller; NULL for no content */
	const char *location; /* static or owned by g; may be NULL */
};

/*
 * The body may share objects with the store (pages are built by reference, not
 * copied): read it, serialize it, or json_deep_copy() it before changing it.
 */

/* Answers one request; $batch (POST /v1.0/$batch) answers each inner request. */
void memgraph_handle(struct memgraph *g, const struct memgraph_request *req,
		     struct memgraph_response *res);

/* The current state in the snapshot format (a new reference). */
json_t *memgraph_snapshot(struct memgraph *g);

/*
 * Called for each request inside a $batch, once before memgraph answers it
 * (done == 0: setting res->status answers it instead, e.g. an injected 429)
 * and once after (done == 1: for logging). graph-emu uses it for faults and logs.
 */
typedef void (*memgraph_batch_hook)(void *ctx, const struct memgraph_request *inner,
				    struct memgraph_response *res, int done);
void memgraph_set_batch_hook(struct memgraph *g, memgraph_batch_hook hook, void *ctx);

/* Milliseconds on the clock the consistency delay is measured with (tests may set it). */
void memgraph_set_clock(struct memgraph *g, long long (*now_ms)(void));

#endif
