/*
 * graph_batch: JSON batching ($batch), the wire format only.
 *
 * Up to 20 requests of one API version travel in one POST {graph}/v1.0/$batch
 * (or /beta/$batch): each with an id (its index in the batch), its method,
 * its url relative to the version ("/users?..."), headers and body. The
 * answer lists the items in any order; graph_batch_parse() puts each back in
 * its request's slot. Scheduling and retries are the client's business.
 */
#ifndef B2B_GRAPH_BATCH_H
#define B2B_GRAPH_BATCH_H

#include "tenant.h"

#include <jansson.h>
#include <stddef.h>

#define GRAPH_BATCH_MAX 20

/* "v1.0" or "beta" for a path "/v1.0/..." or "/beta/..."; NULL for anything else. */
const char *graph_batch_version(const char *path);

/* The $batch body for reqs[0..nr) (nr <= GRAPH_BATCH_MAX, one version). */
json_t *graph_batch_body(struct tenant_request *const *reqs, size_t nr);

struct graph_batch_item {
	long status;       /* 0 when the answer lacks this item */
	json_t *body;      /* a reference, or NULL */
	char *retry_after; /* the item's Retry-After header, or NULL */
	char *request_id;  /* the item's request-id header, or NULL */
};

/* Fills items[0..nr) from the $batch answer; items must be zeroed. -1 with
 * b2b_error_set when the answer has no `responses` array. */
int graph_batch_parse(struct graph_batch_item *items, size_t nr, const json_t *answer);
void graph_batch_items_release(struct graph_batch_item *items, size_t nr);

#endif
