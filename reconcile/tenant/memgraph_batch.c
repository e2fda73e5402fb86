/*
 * memgraph_batch: POST /$batch. At most 20 requests with relative urls (with
 * or without a leading slash), answered in dependency order; a request whose
 * dependsOn failed gets 424. The outer answer is 200 whatever the items say.
 */
#include "memgraph_int.h"
#include "../../schema/base/xalloc.h"

#include <string.h>

#define MAX_BATCH 20

enum item_state { ITEM_PENDING, ITEM_RUNNING, ITEM_DONE };

struct batch_item {
	const json_t *req;
	const char *id;
	enum item_state state;
	long status;
	json_t *answer;
};

struct batch {
	struct memgraph *g;
	const struct mg_req *outer;
	struct batch_item *items;
	size_t nr;
};

static struct batch_item *item_by_id(struct batch *b, const char *id)
{
	size_t i;

	for (i = 0; i < b->nr; i++)
		if (b->items[i].id && !strcmp(b->items[i].id, id))
			return &b->items[i];
	return NULL;
}

static json_t *item_answer(const char *id, const struct memgraph_response *res)
{
	json_t *headers = json_object();
	json_t *answer;

	if (res->body)
		json_object_set_new(headers, "Content-Type", json_string("application/json"));
	if (res->status == 429 || res->status == 503)
		json_object_set_new(headers, "Retry-After", json_string("1"));
	answer =
	    json_pack("{s:s, s:i, s:o}", "id", id, "status", (int)res->status, "headers", headers);
	if (res->body)
		json_object_set(answer, "body", res->body);
	return answer;
}

static void item_run(struct batch *b, struct batch_item *it)
{
	struct memgraph_request inner = {0};
	struct memgraph_response res = {0};
	const json_t *deps = json_object_get(it->req, "dependsOn");
	const char *url = json_string_value(json_object_get(it->req, "url"));
	const char *eventual = json_string_value(
	    json_object_get(json_object_get(it->req, "headers"), "ConsistencyLevel"));
	struct strbuf target = STRBUF_INIT;
	size_t i;
	json_t *dep;
	int failed = 0;

	it->state = ITEM_RUNNING;
	json_array_foreach(deps, i, dep)
	{
		struct batch_item *d = item_by_id(b, json_string_value(dep));

		if (d->state == ITEM_PENDING)
			item_run(b, d);
		if (d->state != ITEM_DONE || d->status < 200 || d->status > 299)
			failed = 1;
	}
	strbuf_addf(&target, "/%s%s%s", b->outer->version, url[0] == '/' ? "" : "/", url);
	inner.method = json_string_value(json_object_get(it->req, "method"));
	inner.target = target.buf;
	inner.body = json_object_get(it->req, "body");
	inner.consistency_eventual = eventual && !strcasecmp(eventual, "eventual");
	if (failed) {
		mg_error(b->g, &res, 424, "FailedDependency",
			 "The request depends on a request of this batch that failed.");
	} else {
		if (b->g->batch_hook)
			b->g->batch_hook(b->g->batch_hook_ctx, &inner, &res, 0);
		if (!res.status) {
			if (strstr(url, "$batch"))
				mg_error(b->g, &res, 400, "BadRequest",
					 "A batch cannot contain another batch.");
			else if (!strncmp(url, "http://", 7) || !strncmp(url, "https://", 8))
				mg_error(b->g, &res, 400, "BadRequest",
					 "Batch request urls must be relative.");
			else
				mg_dispatch(b->g, &inner, &res);
		}
	}
	if (b->g->batch_hook)
		b->g->batch_hook(b->g->batch_hook_ctx, &inner, &res, 1);
	it->status = res.status;
	it->answer = item_answer(it->id, &res);
	it->state = ITEM_DONE;
	json_decref(res.body);
	strbuf_release(&target);
}

/* The batch is well formed: ids unique, methods and urls present, dependsOn known. */
static int batch_check(struct batch *b, struct memgraph_response *res)
{
	size_t i, j;

	for (i = 0; i < b->nr; i++) {
		const json_t *req = b->items[i].req;
		const json_t *deps = json_object_get(req, "dependsOn");
		json_t *dep;

		if (!json_is_object(req) || !b->items[i].id ||
		    !json_is_string(json_object_get(req, "method")) ||
		    !json_is_string(json_object_get(req, "url"))) {
			mg_bad_body(b->g, res,
				    "Every batch request needs an id, a method and a url.");
			return -1;
		}
		for (j = 0; j < i; j++) {
			if (!strcmp(b->items[j].id, b->items[i].id)) {
				mg_error(b->g, res, 400, "BadRequest",
					 "Batch request ids must be unique: '%s' appears twice.",
					 b->items[i].id);
				return -1;
			}
		}
		if (deps && !json_is_array(deps)) {
			mg_bad_body(b->g, res, "dependsOn must be an array of request ids.");
			return -1;
		}
		json_array_foreach(deps, j, dep)
		{
			if (!json_is_string(dep) || !item_by_id(b, json_string_value(dep))) {
				mg_error(b->g, res, 400, "BadRequest",
					 "Request '%s' depends on an unknown request id.",
					 b->items[i].id);
				return -1;
			}
		}
	}
	return 0;
}

void mg_batch(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res)
{
	const json_t *requests = json_object_get(r->body, "requests");
	struct batch b = {g, r, NULL, 0};
	json_t *responses;
	size_t i;

	if (r->nr_seg != 1)
		return mg_not_found(g, res, r->path);
	if (strcmp(r->method, "POST"))
		return mg_bad_method(g, res);
	if (!json_is_array(requests) || !json_array_size(requests))
		return mg_bad_body(g, res, "The batch body needs a non-empty \"requests\" array.");
	if (json_array_size(requests) > MAX_BATCH)
		return mg_error(g, res, 400, "BadRequest",
				"The number of batch requests (%zu) exceeds the limit of %d.",
				json_array_size(requests), MAX_BATCH);
	b.nr = json_array_size(requests);
	b.items = xcalloc(b.nr, sizeof(*b.items));
	for (i = 0; i < b.nr; i++) {
		b.items[i].req = json_array_get(requests, i);
		b.items[i].id = json_string_value(json_object_get(b.items[i].req, "id"));
	}
	if (batch_check(&b, res)) {
		free(b.items);
		return;
	}
	for (i = 0; i < b.nr; i++)
		if (b.items[i].state == ITEM_PENDING)
			item_run(&b, &b.items[i]);
	responses = json_array();
	for (i = 0; i < b.nr; i++)
		json_array_append_new(responses, b.items[i].answer);
	free(b.items);
	res->status = 200;
	res->body = json_pack("{s:o}", "responses", responses);
}
