/*
 * memgraph_delta: /users/delta and /groups/delta.
 *
 * Every write to a user or group stamps it with a rising change number; a
 * deltaLink's $deltatoken is the number a round started at, so the next
 * round returns what changed since, and the ids removed since as @removed
 * (users: "changed", as a soft delete is; groups: "deleted"). Pages follow
 * the store's order; the $skiptoken is "<round>.<next id>". With
 * $select=members a group carries members@delta: all of them in a first
 * round, afterwards the ones added since and the ones removed (@removed).
 */
#include "memgraph_int.h"
#include "../../schema/base/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define DELTA_PAGE 100

static json_t *member_ref(struct memgraph *g, const char *mid)
{
	return json_pack("{s:s, s:s}", "@odata.type",
			 json_object_get(g->groups, mid) ? "#microsoft.graph.group"
							 : "#microsoft.graph.user",
			 "id", mid);
}

/* Every member in a first round; afterwards what changed since, removals as @removed. */
static json_t *members_delta(struct memgraph *g, const char *gid, json_int_t since)
{
	json_t *list = json_array();
	const char *mid;
	json_t *v;

	if (!since) {
		json_object_foreach(json_object_get(g->members, gid), mid, v)
		    json_array_append_new(list, member_ref(g, mid));
		return list;
	}
	json_object_foreach(json_object_get(g->member_log, gid), mid, v)
	{
		json_t *ref;

		if (json_integer_value(json_object_get(v, "seq")) <= since)
			continue;
		ref = member_ref(g, mid);
		if (json_is_true(json_object_get(v, "removed")))
			json_object_set_new(ref, "@removed",
					    json_pack("{s:s}", "reason", "deleted"));
		json_array_append_new(list, ref);
	}
	return list;
}

static json_t *delta_item(struct memgraph *g, const char *id, json_t *obj, const json_t *select,
			  int groups, json_int_t since)
{
	json_t *out = json_object();
	size_t i;
	json_t *name;
	int want_members = 0;

	if (!select) {
		json_object_update(out, obj);
	} else {
		json_object_set(out, "id", json_object_get(obj, "id"));
		json_array_foreach(select, i, name)
		{
			const char *key = json_string_value(name);
			json_t *v = json_object_get(obj, key);

			if (!strcmp(key, "members")) {
				want_members = 1;
				continue;
			}
			json_object_set(out, key, v ? v : json_null());
		}
	}
	if (groups && want_members)
		json_object_set_new(out, "members@delta", members_delta(g, id, since));
	return out;
}

static void delta_link(struct memgraph *g, const struct mg_req *r, json_t *page, const char *key,
		       const char *select, json_int_t round, json_int_t since, const char *next)
{
	struct strbuf link = STRBUF_INIT;

	strbuf_addf(&link, "%s/%s/%s?", g->base_url, r->version, r->path);
	if (select) {
		strbuf_addstr(&link, "$select=");
		strbuf_add_urlencoded(&link, select);
		strbuf_addch(&link, '&');
	}
	if (next)
		strbuf_addf(&link, "$deltatoken=%lld&$skiptoken=%lld.", (long long)since,
			    (long long)round);
	else
		strbuf_addf(&link, "$deltatoken=%lld", (long long)round);
	if (next)
		strbuf_add_urlencoded(&link, next);
	json_object_set_new(page, key, json_string(link.buf));
	strbuf_release(&link);
}

void mg_delta(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res, int groups)
{
	json_t *coll = groups ? g->groups : g->users;
	const char *select_text = json_string_value(json_object_get(r->params, "$select"));
	const char *token = json_string_value(json_object_get(r->params, "$deltatoken"));
	const char *skip = json_string_value(json_object_get(r->params, "$skiptoken"));
	json_int_t since = token ? strtoll(token, NULL, 10) : 0, round = g->change_seq;
	struct mg_query q;
	json_t *page, *value;
	void *it;
	size_t i;
	json_t *rm;

	if (mg_query_parse(g, res, r, &q, 999, DELTA_PAGE))
		return;
	it = json_object_iter(coll);
	if (skip) {
		char *dot;

		round = strtoll(skip, &dot, 10);
		it = *dot == '.' ? json_object_iter_at(coll, dot + 1) : NULL;
		if (!it) {
			mg_query_release(&q);
			return mg_error(g, res, 400, "Request_BadRequest",
					"The delta page token is not valid.");
		}
	}
	page = json_object();
	value = json_array();
	json_object_set_new(page, "@odata.context", mg_context(g, r, groups ? "groups" : "users"));
	for (; it; it = json_object_iter_next(coll, it)) {
		const char *id = json_object_iter_key(it);
		json_t *seq = json_object_get(g->changed, id);

		if (!mg_visible(g, id) || (since && (!seq || json_integer_value(seq) <= since)))
			continue;
		if (q.filter && !flt_match(q.filter, json_object_iter_value(it)))
			continue;
		if (json_array_size(value) == q.top) {
			delta_link(g, r, page, "@odata.nextLink", select_text, round, since, id);
			break;
		}
		json_array_append_new(
		    value, delta_item(g, id, json_object_iter_value(it), q.select, groups, since));
	}
	if (!it && since) {
		json_array_foreach(g->removed, i, rm)
		{
			const char *kind = json_string_value(json_object_get(rm, "kind"));

			if (strcmp(kind, groups ? "group" : "user") ||
			    json_integer_value(json_object_get(rm, "seq")) <= since)
				continue;
			json_array_append_new(
			    value, json_pack("{s:O, s:{s:s}}", "id", json_object_get(rm, "id"),
					     "@removed", "reason", groups ? "deleted" : "changed"));
		}
	}
	if (!it)
		delta_link(g, r, page, "@odata.deltaLink", select_text, round, since, NULL);
	json_object_set_new(page, "value", value);
	res->status = 200;
	res->body = page;
	mg_query_release(&q);
}
