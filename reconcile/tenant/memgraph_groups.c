/*
 * memgraph_groups: /groups (list, create, get, patch with members@odata.bind,
 * delete, delta) and their members (/members, /members/$ref). Members are kept
 * per group as a set keyed by member id, outside the group object, so adding
 * and checking a member is a hash lookup; the snapshot writes them back as the
 * group's "members" array.
 */
#include "memgraph_int.h"
#include "../../schema/base/xalloc.h"

#include <string.h>

#define MAX_BIND 20

static const char already_member[] = "One or more added object references already exist for the "
				     "following modified properties: 'members'.";

static void nickname_index(struct memgraph *g, const char *id, const json_t *group, int add)
{
	const char *nick = json_string_value(json_object_get(group, "mailNickname"));
	char *lower;

	if (!nick)
		return;
	lower = mg_lower(nick);
	if (add)
		json_object_set_new(g->nickname_index, lower, json_string(id));
	else if (mg_str_ieq(json_string_value(json_object_get(g->nickname_index, lower)), id))
		json_object_del(g->nickname_index, lower);
	free(lower);
}

void mg_groups_load(struct memgraph *g)
{
	const char *id;
	json_t *group;

	json_object_foreach(g->groups, id, group)
	{
		json_t *set = json_object(), *members = json_object_get(group, "members");
		size_t i;
		json_t *m;

		json_array_foreach(members, i, m)
		{
			const char *mid = json_is_string(m)
					      ? json_string_value(m)
					      : json_string_value(json_object_get(m, "id"));

			if (mid)
				json_object_set_new(set, mid, json_true());
		}
		json_object_del(group, "members");
		json_object_set_new(g->members, id, set);
		nickname_index(g, id, group, 1);
	}
}

json_t *mg_groups_snapshot(struct memgraph *g)
{
	json_t *arr = json_array();
	const char *id;
	json_t *group;

	json_object_foreach(g->groups, id, group)
	{
		json_t *copy = json_deep_copy(group), *members = json_array();
		const char *mid;
		json_t *v;

		json_object_foreach(json_object_get(g->members, id), mid, v)
		    json_array_append_new(members, json_string(mid));
		json_object_set_new(copy, "members", members);
		json_array_append_new(arr, copy);
	}
	return arr;
}

/* The visible user or group with this id; *type (when asked) its @odata.type. */
static json_t *directory_object(struct memgraph *g, const char *id, json_t **type)
{
	json_t *obj = mg_lookup(g, g->users, id);

	if (obj && type)
		*type = g->odata_type_user;
	if (!obj) {
		obj = mg_lookup(g, g->groups, id);
		if (type)
			*type = g->odata_type_group;
	}
	return obj;
}

static void groups_list(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res)
{
	struct mg_query q;

	if (mg_query_parse(g, res, r, &q, 999, 100))
		return;
	mg_page(g, res, r, &q, g->groups, NULL, NULL, "groups");
	mg_query_release(&q);
}

/* Checks a members@odata.bind list: at most 20 objects that exist and are not members yet. */
static int check_binds(struct memgraph *g, struct memgraph_response *res, const json_t *binds,
		       const json_t *set)
{
	size_t i;
	json_t *v;

	if (!binds)
		return 0;
	if (!json_is_array(binds)) {
		mg_bad_body(g, res, "members@odata.bind must be an array of URLs.");
		return -1;
	}
	if (json_array_size(binds) > MAX_BIND) {
		mg_error(g, res, 400, "Request_BadRequest",
			 "The request has %zu references in members@odata.bind; at most %d can be "
			 "added in a single request.",
			 json_array_size(binds), MAX_BIND);
		return -1;
	}
	json_array_foreach(binds, i, v)
	{
		const char *id = mg_ref_id(json_string_value(v));

		if (!id || !*id) {
			mg_bad_body(g, res, "members@odata.bind holds a value that is not a URL.");
			return -1;
		}
		if (!directory_object(g, id, NULL)) {
			mg_not_found(g, res, id);
			return -1;
		}
		if (set && json_object_get(set, id)) {
			mg_error(g, res, 400, "Request_BadRequest", already_member);
			return -1;
		}
	}
	return 0;
}

static void apply_binds(struct memgraph *g, const char *group_id, const json_t *binds)
{
	size_t i;
	json_t *v;

	json_array_foreach(binds, i, v)
	    mg_member_set(g, group_id, mg_ref_id(json_string_value(v)), 1);
}

static const char group_defaults[] =
    "{\"deletedDateTime\": null, \"classification\": null, \"description\": null, "
    "\"expirationDateTime\": null, \"groupTypes\": [], \"isAssignableToRole\": null, "
    "\"mail\": null, \"membershipRule\": null, \"membershipRuleProcessingState\": null, "
    "\"onPremisesDomainName\": null, \"onPremisesLastSyncDateTime\": null, "
    "\"onPremisesNetBiosName\": null, \"onPremisesSamAccountName\": null, "
    "\"onPremisesSecurityIdentifier\": null, \"onPremisesSyncEnabled\": null, "
    "\"preferredDataLocation\": null, \"preferredLanguage\": null, \"proxyAddresses\": [], "
    "\"resourceBehaviorOptions\": [], \"resourceProvisioningOptions\": [], \"theme\": null, "
    "\"visibility\": null, \"onPremisesProvisioningErrors\": []}";

/* A Microsoft 365 group: it gets a mail address and a visibility. */
static int is_unified(const json_t *group)
{
	size_t i;
	json_t *t;

	json_array_foreach(json_object_get(group, "groupTypes"), i,
			   t) if (mg_str_ieq(json_string_value(t), "Unified")) return 1;
	return 0;
}

static void groups_create(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res)
{
	const json_t *body = r->body;
	const char *nick = json_string_value(json_object_get(body, "mailNickname"));
	const json_t *binds = json_object_get(body, "members@odata.bind");
	json_t *group, *answer;
	char *id, *now, *lower;

	if (!json_is_object(body) || !json_is_string(json_object_get(body, "displayName")) ||
	    !nick || !json_is_boolean(json_object_get(body, "mailEnabled")) ||
	    !json_is_boolean(json_object_get(body, "securityEnabled")))
		return mg_bad_body(g, res,
				   "A group needs displayName, mailEnabled, mailNickname and "
				   "securityEnabled.");
	lower = mg_lower(nick);
	if (json_object_get(g->nickname_index, lower)) {
		free(lower);
		return mg_error(g, res, 400, "Request_BadRequest",
				"Another object with the same value for property mailNickname "
				"already exists.");
	}
	free(lower);
	if (check_binds(g, res, binds, NULL))
		return;
	id = mg_new_id(g);
	now = mg_now_iso();
	group = json_pack("{s:s, s:s}", "id", id, "createdDateTime", now);
	mg_merge(group, body);
	mg_fill(group, group_defaults);
	if (is_unified(group)) {
		if (json_is_true(json_object_get(group, "mailEnabled"))) {
			json_object_set_new(group, "mail",
					    json_sprintf("%s@%s", nick, g->default_domain));
			json_object_set_new(
			    group, "proxyAddresses",
			    json_pack("[s+]",
				      "SMTP:", json_string_value(json_object_get(group, "mail"))));
		}
		if (json_is_null(json_object_get(group, "visibility")))
			json_object_set_new(group, "visibility", json_string("Public"));
	}
	json_object_set_new(group, "renewedDateTime", json_string(now));
	json_object_set_new(group, "securityIdentifier",
			    json_sprintf("S-1-12-1-%u-%u", (unsigned)(g->rng & 0xffffffff),
					 (unsigned)(g->rng >> 32)));
	json_object_set_new(g->groups, id, group);
	json_object_set_new(g->members, id, json_object());
	nickname_index(g, id, group, 1);
	apply_binds(g, id, binds);
	mg_mark_created(g, id);
	mg_mark_changed(g, id);
	answer = json_object();
	json_object_set_new(answer, "@odata.context", mg_context(g, r, "groups/$entity"));
	json_object_set_new(
	    answer, "@odata.id",
	    json_sprintf("%s/v2/%s/directoryObjects/%s/Microsoft.DirectoryServices.Group",
			 g->base_url, g->tenant_id, id));
	json_object_update(answer, group);
	res->status = 201;
	res->body = answer;
	free(id);
	free(now);
}

static void group_remove(struct memgraph *g, const char *id)
{
	json_t *group = json_object_get(g->groups, id);

	nickname_index(g, id, group, 0);
	json_object_del(g->members, id);
	json_object_del(g->member_log, id);
	mg_user_remove_everywhere(g, id);
	json_object_del(g->groups, id);
	mg_mark_removed(g, id, "group");
}

static void group_one(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res,
		      json_t *group)
{
	const char *id = r->seg[1];

	if (!strcmp(r->method, "GET")) {
		struct mg_query q;

		if (mg_query_parse(g, res, r, &q, 999, 100))
			return;
		res->status = 200;
		res->body = q.select ? mg_select(group, q.select) : json_copy(group);
		json_object_set_new(res->body, "@odata.context",
				    mg_context(g, r, "groups/$entity"));
		mg_query_release(&q);
	} else if (!strcmp(r->method, "PATCH")) {
		const json_t *binds = json_object_get(r->body, "members@odata.bind");
		const char *nick = json_string_value(json_object_get(r->body, "mailNickname"));

		if (!json_is_object(r->body))
			return mg_bad_body(g, res, "The request body must be a JSON object.");
		if (check_binds(g, res, binds, json_object_get(g->members, id)))
			return;
		if (nick) {
			char *lower = mg_lower(nick);
			const char *owner =
			    json_string_value(json_object_get(g->nickname_index, lower));

			free(lower);
			if (owner && strcmp(owner, id))
				return mg_error(g, res, 400, "Request_BadRequest",
						"Another object with the same value for property "
						"mailNickname already exists.");
		}
		nickname_index(g, id, group, 0);
		mg_merge(group, r->body);
		json_object_set_new(group, "id", json_string(id));
		nickname_index(g, id, group, 1);
		apply_binds(g, id, binds);
		mg_mark_changed(g, id);
		res->status = 204;
	} else if (!strcmp(r->method, "DELETE")) {
		group_remove(g, id);
		res->status = 204;
	} else {
		mg_bad_method(g, res);
	}
}

static json_t *present_member(struct memgraph *g, const char *key, json_t *value,
			      const struct mg_query *q, void *ctx)
{
	json_t *type, *obj = directory_object(g, key, &type), *out;

	(void)value;
	(void)ctx;
	if (!obj)
		return NULL;
	out = json_object();
	json_object_set(out, "@odata.type", type);
	if (q->select && !q->filter) {
		/* what mg_page's $select keeps, without copying the rest first */
		json_t *name;
		size_t i;

		json_array_foreach(q->select, i, name)
		{
			json_t *v = json_object_get(obj, json_string_value(name));

			json_object_set(out, json_string_value(name), v ? v : json_null());
		}
		return out;
	}
	json_object_update(out, obj);
	return out;
}

static void members(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res)
{
	const char *gid = r->seg[1];
	json_t *set = json_object_get(g->members, gid);

	if (r->nr_seg == 3) {
		struct mg_query q;

		if (strcmp(r->method, "GET"))
			return mg_bad_method(g, res);
		if (mg_query_parse(g, res, r, &q, 999, 100))
			return;
		mg_page(g, res, r, &q, set, present_member, NULL, "directoryObjects");
		mg_query_release(&q);
	} else if (r->nr_seg == 4 && !strcmp(r->seg[3], "$ref")) {
		const char *mid =
		    mg_ref_id(json_string_value(json_object_get(r->body, "@odata.id")));

		if (strcmp(r->method, "POST"))
			return mg_bad_method(g, res);
		if (!mid || !*mid)
			return mg_bad_body(g, res, "The body must be {\"@odata.id\": \"<url>\"}.");
		if (!directory_object(g, mid, NULL))
			return mg_not_found(g, res, mid);
		if (json_object_get(set, mid))
			return mg_error(g, res, 400, "Request_BadRequest", already_member);
		mg_member_set(g, gid, mid, 1);
		res->status = 204;
	} else if (r->nr_seg == 5 && !strcmp(r->seg[4], "$ref")) {
		const char *mid = r->seg[3];

		if (strcmp(r->method, "DELETE"))
			return mg_bad_method(g, res);
		if (!json_object_get(set, mid))
			return mg_not_found(g, res, mid);
		mg_member_set(g, gid, mid, 0);
		res->status = 204;
	} else {
		mg_not_found(g, res, r->path);
	}
}

void mg_groups(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res)
{
	json_t *group;

	if (r->nr_seg == 1) {
		if (!strcmp(r->method, "GET"))
			groups_list(g, r, res);
		else if (!strcmp(r->method, "POST"))
			groups_create(g, r, res);
		else
			mg_bad_method(g, res);
		return;
	}
	if (r->nr_seg == 2 && !strcmp(r->seg[1], "delta")) {
		if (strcmp(r->method, "GET"))
			return mg_bad_method(g, res);
		return mg_delta(g, r, res, 1);
	}
	group = mg_lookup(g, g->groups, r->seg[1]);
	if (!group)
		return mg_not_found(g, res, r->seg[1]);
	if (r->nr_seg == 2)
		group_one(g, r, res, group);
	else if (!strcmp(r->seg[2], "members"))
		members(g, r, res);
	else
		mg_not_found(g, res, r->path);
}
