/*
 * graph_batch: builds $batch bodies and maps the answers back. See graph_batch.h.
 */
#include "graph_batch.h"
#include "graph_http.h"
#include "../../schema/base/diag.h"
#include "../../schema/base/strbuf.h"
#include "../../schema/base/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *graph_batch_version(const char *path)
{
	if (!strncmp(path, "/v1.0/", 6))
		return "v1.0";
	if (!strncmp(path, "/beta/", 6))
		return "beta";
	return NULL;
}

json_t *graph_batch_body(struct tenant_request *const *reqs, size_t nr)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < nr; i++) {
		const struct tenant_request *req = reqs[i];
		const char *version = graph_batch_version(req->path);
		struct strbuf url = STRBUF_INIT;
		json_t *item = json_object(), *headers = json_object();
		char id[24];

		snprintf(id, sizeof(id), "%zu", i);
		graph_url_add_path(&url, req->path + (version ? strlen(version) + 1 : 0));
		json_object_set_new(item, "id", json_string(id));
		json_object_set_new(item, "method", json_string(req->method));
		json_object_set_new(item, "url", json_string(url.buf));
		if (req->flags & TENANT_EVENTUAL)
			json_object_set_new(headers, "ConsistencyLevel", json_string("eventual"));
		if (req->body) {
			json_object_set_new(headers, "Content-Type",
					    json_string("application/json"));
			json_object_set(item, "body", req->body);
		}
		if (json_object_size(headers))
			json_object_set_new(item, "headers", headers);
		else
			json_decref(headers);
		json_array_append_new(list, item);
		strbuf_release(&url);
	}
	return json_pack("{s:o}", "requests", list);
}

static char *header_copy(const json_t *headers, const char *name)
{
	const char *key;
	json_t *value;

	json_object_foreach((json_t *)headers, key, value)
	{
		if (strcasecmp(key, name))
			continue;
		if (json_is_string(value))
			return xstrdup(json_string_value(value));
		if (json_is_integer(value))
			return xstrfmt("%" JSON_INTEGER_FORMAT, json_integer_value(value));
	}
	return NULL;
}

int graph_batch_parse(struct graph_batch_item *items, size_t nr, const json_t *answer)
{
	const json_t *responses = json_object_get(answer, "responses");
	const json_t *r;
	size_t i;

	if (!json_is_array(responses))
		return b2b_error_set("the $batch answer has no `responses` array");
	json_array_foreach(responses, i, r)
	{
		const json_t *id = json_object_get(r, "id");
		const json_t *status = json_object_get(r, "status");
		const json_t *headers = json_object_get(r, "headers");
		char *end;
		unsigned long idx;

		if (!json_is_string(id))
			continue;
		idx = strtoul(json_string_value(id), &end, 10);
		if (*end || end == json_string_value(id) || idx >= nr || items[idx].status)
			continue;
		if (json_is_integer(status))
			items[idx].status = (long)json_integer_value(status);
		else if (json_is_string(status))
			items[idx].status = strtol(json_string_value(status), NULL, 10);
		if (items[idx].status < 100 || items[idx].status > 599) {
			items[idx].status = 0;
			continue;
		}
		items[idx].body = json_incref(json_object_get(r, "body"));
		if (json_is_object(headers)) {
			items[idx].retry_after = header_copy(headers, "Retry-After");
			items[idx].request_id = header_copy(headers, "request-id");
		}
	}
	return 0;
}

void graph_batch_items_release(struct graph_batch_item *items, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		json_decref(items[i].body);
		free(items[i].retry_after);
		free(items[i].request_id);
		memset(&items[i], 0, sizeof(items[i]));
	}
}
