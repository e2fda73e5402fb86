/*
 * memgraph core: loading and writing the snapshot, request decoding and
 * routing, OData query options, the pager, ids, clocks and Graph's error body.
 * The areas (users, groups, policies, entitlement, batch, delta) live in the
 * other memgraph_*.c files. See memgraph.h and memgraph_int.h.
 */
#include "memgraph_int.h"
#include "../../schema/base/diag.h"
#include "../../schema/base/xalloc.h"

#include <ctype.h>
#include <stdint.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define SNAPSHOT_FORMAT "b2bctl-snapshot/1"

static long long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long mg_clock(struct memgraph *g)
{
	return g->now_ms();
}

static unsigned long long rng_next(struct memgraph *g)
{
	unsigned long long next;

	/* xorshift64* */
	pthread_mutex_lock(&g->rng_lock);
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	next = g->rng * 2685821657736338717ULL;
	pthread_mutex_unlock(&g->rng_lock);
	return next;
}

char *mg_new_id(struct memgraph *g)
{
	unsigned long long a = rng_next(g), b = rng_next(g);

	return xstrfmt("%08llx-%04llx-4%03llx-%04llx-%012llx", a >> 32, (a >> 16) & 0xffff,
		       a & 0xfff, 0x8000 | ((b >> 48) & 0x3fff), b & 0xffffffffffffULL);
}

char *mg_now_iso(void)
{
	char buf[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

void mg_error(struct memgraph *g, struct memgraph_response *res, long status, const char *code,
	      const char *fmt, ...)
{
	struct strbuf msg = STRBUF_INIT;
	char date[32];
	time_t now = time(NULL);
	struct tm tm;
	char *request_id = mg_new_id(g);
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	json_decref(res->body);
	res->status = status;
	res->body = json_pack("{s:{s:s, s:s, s:{s:s, s:s, s:s}}}", "error", "code", code, "message",
			      msg.buf, "innerError", "date", date, "request-id", request_id,
			      "client-request-id", request_id);
	free(request_id);
	strbuf_release(&msg);
}

void mg_not_found(struct memgraph *g, struct memgraph_response *res, const char *id)
{
	mg_error(g, res, 404, "Request_ResourceNotFound",
		 "Resource '%s' does not exist or one of its queried reference-property objects "
		 "are not present.",
		 id);
}

void mg_bad_method(struct memgraph *g, struct memgraph_response *res)
{
	mg_error(g, res, 405, "Request_BadRequest",
		 "Specified HTTP method is not allowed for the request target.");
}

void mg_bad_body(struct memgraph *g, struct memgraph_response *res, const char *what)
{
	mg_error(g, res, 400, "Request_BadRequest", "%s", what);
}

int mg_str_ieq(const char *a, const char *b)
{
	return a && b && !strcasecmp(a, b);
}

json_t *mg_or_null(json_t *v)
{
	return v ? v : json_null();
}

const char *mg_str(const json_t *v)
{
	const char *s = json_string_value(v);

	return s ? s : "";
}

char *mg_lower(const char *s)
{
	char *p = xstrdup(s), *q;

	for (q = p; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	return p;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void mg_url_decode(struct strbuf *out, const char *s, size_t len, int plus_is_space)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			strbuf_addch(out, hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else if (s[i] == '+' && plus_is_space) {
			strbuf_addch(out, ' ');
		} else {
			strbuf_addch(out, s[i]);
		}
	}
}

void mg_mark_created(struct memgraph *g, const char *id)
{
	json_object_set_new(g->created_ms, id, json_integer(mg_clock(g)));
}

void mg_mark_changed(struct memgraph *g, const char *id)
{
	json_object_set_new(g->changed, id, json_integer(++g->change_seq));
}

void mg_mark_removed(struct memgraph *g, const char *id, const char *kind)
{
	json_object_del(g->changed, id);
	json_object_del(g->created_ms, id);
	json_array_append_new(g->removed, json_pack("{s:s, s:s, s:I}", "id", id, "kind", kind,
						    "seq", (json_int_t)++g->change_seq));
}

void mg_member_set(struct memgraph *g, const char *group_id, const char *member_id, int present)
{
	json_t *set = json_object_get(g->members, group_id);
	json_t *log = json_object_get(g->member_log, group_id);

	if (!set)
		return;
	if (present)
		json_object_set_new(set, member_id, json_true());
	else
		json_object_del(set, member_id);
	mg_mark_changed(g, group_id);
	if (!log) {
		log = json_object();
		json_object_set_new(g->member_log, group_id, log);
	}
	json_object_set_new(
	    log, member_id,
	    json_pack("{s:I, s:b}", "seq", (json_int_t)g->change_seq, "removed", !present));
}

int mg_visible(struct memgraph *g, const char *id)
{
	json_t *created;

	if (g->consistency_delay_ms <= 0)
		return 1;
	created = json_object_get(g->created_ms, id);
	if (!created)
		return 1;
	return mg_clock(g) - json_integer_value(created) >= g->consistency_delay_ms;
}

json_t *mg_lookup(struct memgraph *g, json_t *coll, const char *id)
{
	json_t *obj = json_object_get(coll, id);

	return obj && mg_visible(g, id) ? obj : NULL;
}

json_t *mg_map_from_array(const json_t *arr, const char *id_key)
{
	json_t *map = json_object();
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
	{
		const char *id = json_string_value(json_object_get(v, id_key));

		if (json_is_object(v) && id)
			json_object_set_new(map, id, json_deep_copy(v));
	}
	return map;
}

json_t *mg_array_from_map(const json_t *map)
{
	json_t *arr = json_array();
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)map, key, v) json_array_append_new(arr, json_deep_copy(v));
	return arr;
}

/* Whether obj holds exactly the selected properties (and perhaps @odata.type). */
static int holds_selection(const json_t *obj, const json_t *select)
{
	size_t i, nr = json_object_size(obj);
	json_t *name;

	if (json_object_get(obj, "@odata.type"))
		nr--;
	if (nr != json_array_size(select))
		return 0;
	json_array_foreach(select, i, name)
	{
		if (!json_object_get(obj, json_string_value(name)))
			return 0;
	}
	return 1;
}

json_t *mg_select(const json_t *obj, const json_t *select)
{
	json_t *out;
	size_t i;
	json_t *name;

	/* a view made for this answer alone, already as selected, is the answer */
	if (!select || (obj && __atomic_load_n(&obj->refcount, __ATOMIC_RELAXED) == 1 &&
			holds_selection(obj, select)))
		return json_incref((json_t *)obj);
	out = json_object();
	if (json_object_get(obj, "@odata.type"))
		json_object_set(out, "@odata.type", json_object_get(obj, "@odata.type"));
	json_array_foreach(select, i, name)
	{
		const char *key = json_string_value(name);
		json_t *v = json_object_get(obj, key);

		json_object_set_nocheck(out, key, v ? v : json_null());
	}
	return out;
}

json_t *mg_without(const json_t *obj, const char *const *keys)
{
	json_t *out = json_copy((json_t *)obj);

	for (; *keys; keys++)
		json_object_del(out, *keys);
	return out;
}

const char *mg_ref_id(const char *url)
{
	const char *slash;

	if (!url)
		return NULL;
	slash = strrchr(url, '/');
	return slash ? slash + 1 : url;
}

void mg_merge(json_t *obj, const json_t *body)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)body, key, v)
	{
		if (strstr(key, "@odata.bind"))
			continue;
		json_object_set_new(obj, key, json_deep_copy(v));
	}
}

void mg_fill(json_t *obj, const char *template_json)
{
	json_t *tpl = json_loads(template_json, 0, NULL);
	const char *key;
	json_t *v;

	json_object_foreach(tpl, key, v)
	{
		if (!json_object_get(obj, key))
			json_object_set(obj, key, v);
	}
	json_decref(tpl);
}

json_t *mg_context(struct memgraph *g, const struct mg_req *r, const char *what)
{
	return json_sprintf("%s/%s/$metadata#%s", g->base_url, r->version, what);
}

/* Splits "a,b(c,d),e" at top-level commas. */
static json_t *split_top_level(const char *s)
{
	json_t *arr = json_array();
	struct strbuf item = STRBUF_INIT;
	int depth = 0;

	for (;; s++) {
		if (!*s || (*s == ',' && !depth)) {
			size_t b = 0, e = item.len;

			while (b < e && isspace((unsigned char)item.buf[b]))
				b++;
			while (e > b && isspace((unsigned char)item.buf[e - 1]))
				e--;
			if (e > b)
				json_array_append_new(arr, json_stringn(item.buf + b, e - b));
			strbuf_reset(&item);
			if (!*s)
				break;
			continue;
		}
		if (*s == '(')
			depth++;
		else if (*s == ')' && depth)
			depth--;
		strbuf_addch(&item, *s);
	}
	strbuf_release(&item);
	return arr;
}

void mg_query_release(struct mg_query *q)
{
	flt_free(q->filter);
	json_decref(q->select);
	json_decref(q->expand);
	memset(q, 0, sizeof(*q));
}

int mg_query_parse(struct memgraph *g, struct memgraph_response *res, const struct mg_req *r,
		   struct mg_query *q, size_t max_top, size_t default_top)
{
	const char *filter = json_string_value(json_object_get(r->params, "$filter"));
	const char *select = json_string_value(json_object_get(r->params, "$select"));
	const char *top = json_string_value(json_object_get(r->params, "$top"));
	const char *expand = json_string_value(json_object_get(r->params, "$expand"));
	const char *count = json_string_value(json_object_get(r->params, "$count"));

	memset(q, 0, sizeof(*q));
	q->top = default_top;
	q->skiptoken = json_string_value(json_object_get(r->params, "$skiptoken"));
	if (top) {
		char *end;
		unsigned long n = strtoul(top, &end, 10);

		if (!*top || *end || n < 1 || n > max_top) {
			mg_error(g, res, 400, "Request_BadRequest",
				 "Invalid page size specified: '%s'. Must be between 1 and %zu "
				 "inclusive.",
				 top, max_top);
			return -1;
		}
		q->top = n;
	}
	if (count) {
		if (strcmp(count, "true") && strcmp(count, "false")) {
			mg_error(g, res, 400, "Request_BadRequest", "Invalid $count value '%s'.",
				 count);
			return -1;
		}
		q->count = !strcmp(count, "true");
	}
	if (filter) {
		struct strbuf err = STRBUF_INIT;

		if (flt_parse(&q->filter, filter, &err)) {
			mg_error(g, res, 400, "Request_BadRequest", "Invalid filter clause: %s",
				 err.buf);
			strbuf_release(&err);
			return -1;
		}
		if (flt_needs_advanced(q->filter) && !(r->eventual && q->count)) {
			mg_error(g, res, 400, "Request_UnsupportedQuery",
				 "Unsupported or invalid query filter clause specified for this "
				 "resource. Advanced queries (ne, not, endsWith) need the header "
				 "ConsistencyLevel: eventual and $count=true.");
			mg_query_release(q);
			return -1;
		}
	}
	if (select)
		q->select = split_top_level(select);
	if (expand) {
		json_t *items = split_top_level(expand);
		size_t i;
		json_t *it;

		q->expand = json_object();
		json_array_foreach(items, i, it)
		{
			const char *s = json_string_value(it);
			const char *paren = strchr(s, '(');

			if (paren) {
				char *name = xstrndup(s, (size_t)(paren - s));
				size_t n = strlen(paren + 1);

				json_object_set_new(q->expand, name,
						    json_stringn(paren + 1, n ? n - 1 : 0));
				free(name);
			} else {
				json_object_set_new(q->expand, s, json_string(""));
			}
		}
		json_decref(items);
	}
	return 0;
}

static json_t *present_default(struct memgraph *g, const char *key, json_t *value,
			       const struct mg_query *q, void *ctx)
{
	(void)q;
	(void)ctx;
	return mg_visible(g, key) ? json_incref(value) : NULL;
}

static void add_next_link(struct memgraph *g, json_t *page, const struct mg_req *r,
			  const char *next_key)
{
	struct strbuf link = STRBUF_INIT;
	const char *p = r->raw_query;

	strbuf_addf(&link, "%s/%s/%s?", g->base_url, r->version, r->path);
	while (*p) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);

		if (len && strncmp(p, "$skiptoken=", 11) && strncmp(p, "%24skiptoken=", 13)) {
			strbuf_add(&link, p, len);
			strbuf_addch(&link, '&');
		}
		p += len;
		if (*p)
			p++;
	}
	strbuf_addstr(&link, "$skiptoken=");
	strbuf_add_urlencoded(&link, next_key);
	json_object_set_new(page, "@odata.nextLink", json_string(link.buf));
	strbuf_release(&link);
}

void mg_page(struct memgraph *g, struct memgraph_response *res, const struct mg_req *r,
	     const struct mg_query *q, json_t *coll, mg_present_fn present, void *ctx,
	     const char *context)
{
	json_t *page = json_object(), *value = json_array();
	void *it;

	if (!present)
		present = present_default;
	if (q->skiptoken) {
		it = json_object_iter_at(coll, q->skiptoken);
		if (!it) {
			json_decref(page);
			json_decref(value);
			mg_error(g, res, 400, "Request_BadRequest",
				 "The specified page token value has expired and can no longer be "
				 "included in your request.");
			return;
		}
	} else {
		it = json_object_iter(coll);
	}
	if (context)
		json_object_set_new(page, "@odata.context", mg_context(g, r, context));
	if (q->count && !q->skiptoken) {
		json_int_t n = 0;
		void *c;

		for (c = json_object_iter(coll); c; c = json_object_iter_next(coll, c)) {
			json_t *obj =
			    present(g, json_object_iter_key(c), json_object_iter_value(c), q, ctx);

			if (obj && (!q->filter || flt_match(q->filter, obj)))
				n++;
			json_decref(obj);
		}
		json_object_set_new(page, "@odata.count", json_integer(n));
	}
	for (; it; it = json_object_iter_next(coll, it)) {
		const char *key = json_object_iter_key(it);
		json_t *obj = present(g, key, json_object_iter_value(it), q, ctx);

		if (!obj)
			continue;
		if (q->filter && !flt_match(q->filter, obj)) {
			json_decref(obj);
			continue;
		}
		if (json_array_size(value) == q->top) {
			json_decref(obj);
			add_next_link(g, page, r, key);
			break;
		}
		json_array_append_new(value, mg_select(obj, q->select));
		json_decref(obj);
	}
	json_object_set_new(page, "value", value);
	res->status = 200;
	res->body = page;
}

static const char *const modelled_keys[] = {
    "format",
    "tenantId",
    "defaultDomain",
    "authorizationPolicy",
    "emailAuthenticationMethodConfiguration",
    "b2bManagementPolicy",
    "crossTenantAccessPolicy",
    "crossTenantAccessPolicyDefault",
    "crossTenantAccessPolicyPartners",
    "tenantInformation",
    "users",
    "groups",
    "conditionalAccessPolicies",
    "connectedOrganizations",
    "accessPackageCatalogs",
    "accessPackages",
    "accessPackageAssignments",
    "_invitations",
    NULL,
};

static int is_modelled(const char *key)
{
	const char *const *k;

	for (k = modelled_keys; *k; k++)
		if (!strcmp(*k, key))
			return 1;
	return 0;
}

static int load_array(json_t **out, const json_t *snapshot, const char *key, const char *id_key,
		      struct memgraph *g)
{
	const json_t *arr = json_object_get(snapshot, key);
	size_t i;
	json_t *v;

	*out = json_object();
	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return b2b_error_set("snapshot: \"%s\" must be an array", key);
	json_array_foreach(arr, i, v)
	{
		json_t *copy;
		const char *id;

		if (!json_is_object(v))
			return b2b_error_set("snapshot: %s[%zu] must be an object", key, i);
		copy = json_incref(v);
		id = json_string_value(json_object_get(copy, id_key));
		if (!id) {
			char *new_id = mg_new_id(g);

			json_object_set_new(copy, id_key, json_string(new_id));
			free(new_id);
			id = json_string_value(json_object_get(copy, id_key));
		}
		if (json_object_get(*out, id)) {
			json_decref(copy);
			return b2b_error_set("snapshot: %s[%zu]: duplicate %s \"%s\"", key, i,
					     id_key, id);
		}
		json_object_set_new(*out, id, copy);
	}
	return 0;
}

static json_t *object_or_default(const json_t *snapshot, const char *key, const char *dflt)
{
	const json_t *v = json_object_get(snapshot, key);

	return json_is_object(v) ? json_incref((json_t *)v) : json_loads(dflt, 0, NULL);
}

static const char default_authorization_policy[] =
    "{\"id\": \"authorizationPolicy\", \"allowInvitesFrom\": \"everyone\", "
    "\"allowedToSignUpEmailBasedSubscriptions\": true, \"allowedToUseSSPR\": true, "
    "\"allowEmailVerifiedUsersToJoinOrganization\": true, "
    "\"allowUserConsentForRiskyApps\": false, \"blockMsolPowerShell\": false, "
    "\"description\": \"Used to manage authorization related settings across the "
    "company.\", \"displayName\": \"Authorization Policy\", "
    "\"guestUserRoleId\": \"10dae51f-b6af-4016-8d66-8c2a99b929b3\", "
    "\"defaultUserRolePermissions\": {\"allowedToCreateApps\": true, "
    "\"allowedToCreateSecurityGroups\": true, \"allowedToCreateTenants\": true, "
    "\"allowedToReadBitlockerKeysForOwnedDevice\": true, \"allowedToReadOtherUsers\": true, "
    "\"permissionGrantPoliciesAssigned\": "
    "[\"ManagePermissionGrantsForSelf.microsoft-user-default-legacy\"]}}";

static const char default_email_config[] =
    "{\"id\": \"Email\", \"state\": \"enabled\", \"allowExternalIdToUseEmailOtp\": "
    "\"default\", \"includeTargets\": [], \"excludeTargets\": []}";

static const char default_cross_tenant_policy[] =
    "{\"id\": \"crossTenantAccessPolicy\", \"displayName\": \"CrossTenantAccessPolicy\", "
    "\"definition\": [], \"allowedCloudEndpoints\": []}";

static const char default_cross_tenant_default[] =
    "{\"isServiceDefault\": true, \"inboundTrust\": {\"isMfaAccepted\": false, "
    "\"isCompliantDeviceAccepted\": false, \"isHybridAzureADJoinedDeviceAccepted\": false}, "
    "\"b2bCollaborationOutbound\": {\"usersAndGroups\": {\"accessType\": \"allowed\", "
    "\"targets\": [{\"target\": \"AllUsers\", \"targetType\": \"user\"}]}, \"applications\": "
    "{\"accessType\": \"allowed\", \"targets\": [{\"target\": \"AllApplications\", "
    "\"targetType\": \"application\"}]}}, \"b2bCollaborationInbound\": {\"usersAndGroups\": "
    "{\"accessType\": \"allowed\", \"targets\": [{\"target\": \"AllUsers\", \"targetType\": "
    "\"user\"}]}, \"applications\": {\"accessType\": \"allowed\", \"targets\": [{\"target\": "
    "\"AllApplications\", \"targetType\": \"application\"}]}}, \"b2bDirectConnectOutbound\": "
    "{\"usersAndGroups\": {\"accessType\": \"blocked\", \"targets\": [{\"target\": "
    "\"AllUsers\", \"targetType\": \"user\"}]}, \"applications\": {\"accessType\": "
    "\"blocked\", \"targets\": [{\"target\": \"AllApplications\", \"targetType\": "
    "\"application\"}]}}, \"b2bDirectConnectInbound\": {\"usersAndGroups\": {\"accessType\": "
    "\"blocked\", \"targets\": [{\"target\": \"AllUsers\", \"targetType\": \"user\"}]}, "
    "\"applications\": {\"accessType\": \"blocked\", \"targets\": [{\"target\": "
    "\"AllApplications\", \"targetType\": \"application\"}]}}, "
    "\"automaticUserConsentSettings\": {\"inboundAllowed\": false, \"outboundAllowed\": false}}";

/* Uses the snapshot's objects in place: memgraph owns them from here on. */
static int memgraph_load(struct memgraph *g, json_t *snapshot)
{
	const char *key;
	json_t *v;
	const json_t *b2b;

	if (!json_is_object(snapshot))
		return b2b_error_set("snapshot: not a JSON object");
	v = json_object_get(snapshot, "format");
	if (v && (!json_is_string(v) || strcmp(json_string_value(v), SNAPSHOT_FORMAT)))
		return b2b_error_set("snapshot: format must be \"%s\"", SNAPSHOT_FORMAT);
	json_object_foreach(snapshot, key, v)
	{
		json_array_append_new(g->key_order, json_string(key));
		if (!is_modelled(key))
			json_object_set(g->passthrough, key, v);
	}
	v = json_object_get(snapshot, "tenantId");
	g->tenant_id = xstrdup(json_is_string(v) ? json_string_value(v)
						 : "00000000-0000-0000-0000-000000000000");
	v = json_object_get(snapshot, "defaultDomain");
	g->default_domain =
	    xstrdup(json_is_string(v) ? json_string_value(v) : "tenant.onmicrosoft.com");
	g->authorization_policy =
	    object_or_default(snapshot, "authorizationPolicy", default_authorization_policy);
	g->email_config = object_or_default(snapshot, "emailAuthenticationMethodConfiguration",
					    default_email_config);
	g->cross_tenant_policy =
	    object_or_default(snapshot, "crossTenantAccessPolicy", default_cross_tenant_policy);
	g->cross_tenant_default = object_or_default(snapshot, "crossTenantAccessPolicyDefault",
						    default_cross_tenant_default);
	g->b2b_policies = json_object();
	b2b = json_object_get(snapshot, "b2bManagementPolicy");
	if (json_is_object(b2b)) {
		json_t *copy = json_incref((json_t *)b2b);
		const char *id = json_string_value(json_object_get(copy, "id"));
		char *new_id = id ? xstrdup(id) : mg_new_id(g);

		json_object_set_new(copy, "id", json_string(new_id));
		json_object_set_new(g->b2b_policies, new_id, copy);
		free(new_id);
	}
	v = json_object_get(snapshot, "tenantInformation");
	g->tenant_info = json_is_array(v) ? json_incref(v) : json_array();
	v = json_object_get(snapshot, "_invitations");
	g->invitations = json_is_array(v) ? json_incref(v) : json_array();
	if (load_array(&g->partners, snapshot, "crossTenantAccessPolicyPartners", "tenantId", g) ||
	    load_array(&g->users, snapshot, "users", "id", g) ||
	    load_array(&g->groups, snapshot, "groups", "id", g) ||
	    load_array(&g->ca_policies, snapshot, "conditionalAccessPolicies", "id", g) ||
	    load_array(&g->connected_orgs, snapshot, "connectedOrganizations", "id", g) ||
	    load_array(&g->catalogs, snapshot, "accessPackageCatalogs", "id", g) ||
	    load_array(&g->access_packages, snapshot, "accessPackages", "id", g) ||
	    load_array(&g->assignments, snapshot, "accessPackageAssignments", "id", g))
		return -1;
	mg_groups_load(g);
	mg_entitlement_load(g);
	return 0;
}

struct memgraph *memgraph_new(const json_t *snapshot, const struct memgraph_options *opts)
{
	return memgraph_new_adopt(json_deep_copy(snapshot), opts);
}

struct memgraph *memgraph_new_adopt(json_t *snapshot, const struct memgraph_options *opts)
{
	struct memgraph *g = xcalloc(1, sizeof(*g));
	const char *base = opts && opts->base_url ? opts->base_url : "https://graph.microsoft.com";
	size_t len = strlen(base);

	while (len && base[len - 1] == '/')
		len--;
	g->base_url = xstrndup(base, len);
	g->consistency_delay_ms = opts ? opts->consistency_delay_ms : 0;
	g->rng = opts && opts->seed
		     ? opts->seed
		     : (unsigned long long)time(NULL) ^ (unsigned long long)(uintptr_t)g;
	g->rng = g->rng * 6364136223846793005ULL + 1442695040888963407ULL;
	if (!g->rng)
		g->rng = 88172645463325252ULL;
	pthread_mutex_init(&g->rng_lock, NULL);
	pthread_mutex_init(&g->users_index_lock, NULL);
	g->now_ms = monotonic_ms;
	g->key_order = json_array();
	g->passthrough = json_object();
	g->members = json_object();
	g->upn_index = json_object();
	g->mail_index = json_object();
	g->nickname_index = json_object();
	g->odata_type_user = json_string("#microsoft.graph.user");
	g->odata_type_group = json_string("#microsoft.graph.group");
	g->policy_index = json_object();
	g->created_ms = json_object();
	g->changed = json_object();
	g->removed = json_array();
	g->member_log = json_object();
	g->change_seq = 1;
	if (memgraph_load(g, snapshot)) {
		json_decref(snapshot);
		memgraph_free(g);
		return NULL;
	}
	json_decref(snapshot);
	return g;
}

void memgraph_free(struct memgraph *g)
{
	if (!g)
		return;
	free(g->base_url);
	free(g->tenant_id);
	free(g->default_domain);
	json_decref(g->key_order);
	json_decref(g->passthrough);
	json_decref(g->authorization_policy);
	json_decref(g->email_config);
	json_decref(g->b2b_policies);
	json_decref(g->cross_tenant_policy);
	json_decref(g->cross_tenant_default);
	json_decref(g->partners);
	json_decref(g->tenant_info);
	json_decref(g->users);
	json_decref(g->groups);
	json_decref(g->members);
	json_decref(g->ca_policies);
	json_decref(g->connected_orgs);
	json_decref(g->catalogs);
	json_decref(g->access_packages);
	json_decref(g->assignments);
	json_decref(g->invitations);
	json_decref(g->upn_index);
	json_decref(g->mail_index);
	json_decref(g->nickname_index);
	json_decref(g->odata_type_user);
	json_decref(g->odata_type_group);
	json_decref(g->policy_index);
	json_decref(g->created_ms);
	json_decref(g->changed);
	json_decref(g->removed);
	json_decref(g->member_log);
	pthread_mutex_destroy(&g->rng_lock);
	pthread_mutex_destroy(&g->users_index_lock);
	free(g);
}

void memgraph_set_clock(struct memgraph *g, long long (*now_ms)(void))
{
	g->now_ms = now_ms ? now_ms : monotonic_ms;
}

void memgraph_set_batch_hook(struct memgraph *g, memgraph_batch_hook hook, void *ctx)
{
	g->batch_hook = hook;
	g->batch_hook_ctx = ctx;
}

/* The value of a modelled key, or NULL when it should not be written. */
static json_t *snapshot_value(struct memgraph *g, const char *key, int in_input)
{
	json_t *v = NULL;

	if (!strcmp(key, "format"))
		return json_string(SNAPSHOT_FORMAT);
	if (!strcmp(key, "tenantId"))
		return json_string(g->tenant_id);
	if (!strcmp(key, "defaultDomain"))
		return json_string(g->default_domain);
	if (!strcmp(key, "authorizationPolicy"))
		return json_deep_copy(g->authorization_policy);
	if (!strcmp(key, "emailAuthenticationMethodConfiguration"))
		return json_deep_copy(g->email_config);
	if (!strcmp(key, "crossTenantAccessPolicy"))
		return in_input || g->cross_tenant_changed ? json_deep_copy(g->cross_tenant_policy)
							   : NULL;
	if (!strcmp(key, "crossTenantAccessPolicyDefault"))
		return in_input || g->cross_tenant_changed ? json_deep_copy(g->cross_tenant_default)
							   : NULL;
	if (!strcmp(key, "b2bManagementPolicy")) {
		void *it = json_object_iter(g->b2b_policies);

		return it ? json_deep_copy(json_object_iter_value(it)) : NULL;
	}
	if (!strcmp(key, "tenantInformation"))
		v = json_deep_copy(g->tenant_info);
	else if (!strcmp(key, "crossTenantAccessPolicyPartners"))
		v = mg_array_from_map(g->partners);
	else if (!strcmp(key, "users"))
		v = mg_array_from_map(g->users);
	else if (!strcmp(key, "groups"))
		v = mg_groups_snapshot(g);
	else if (!strcmp(key, "conditionalAccessPolicies"))
		v = mg_array_from_map(g->ca_policies);
	else if (!strcmp(key, "connectedOrganizations"))
		v = mg_array_from_map(g->connected_orgs);
	else if (!strcmp(key, "accessPackageCatalogs"))
		v = mg_array_from_map(g->catalogs);
	else if (!strcmp(key, "accessPackages"))
		v = mg_array_from_map(g->access_packages);
	else if (!strcmp(key, "accessPackageAssignments"))
		v = mg_array_from_map(g->assignments);
	else if (!strcmp(key, "_invitations"))
		v = json_deep_copy(g->invitations);
	if (v && !in_input && !json_array_size(v)) {
		json_decref(v);
		return NULL;
	}
	return v;
}

json_t *memgraph_snapshot(struct memgraph *g)
{
	json_t *out = json_object();
	const char *const *k;
	size_t i;
	json_t *name;

	json_array_foreach(g->key_order, i, name)
	{
		const char *key = json_string_value(name);
		json_t *v = is_modelled(key) ? snapshot_value(g, key, 1)
					     : json_deep_copy(json_object_get(g->passthrough, key));

		if (v)
			json_object_set_new(out, key, v);
	}
	for (k = modelled_keys; *k; k++) {
		json_t *v;

		if (json_object_get(out, *k))
			continue;
		v = snapshot_value(g, *k,
				   !strcmp(*k, "format") || !strcmp(*k, "tenantId") ||
				       !strcmp(*k, "defaultDomain"));
		if (v)
			json_object_set_new(out, *k, v);
	}
	return out;
}

static void req_release(struct mg_req *r)
{
	size_t i;

	for (i = 0; i < r->nr_seg; i++)
		free(r->seg[i]);
	free(r->seg);
	free(r->path);
	free(r->raw_query);
	json_decref(r->params);
}

static void req_split(struct mg_req *r, const char *rest)
{
	const char *q = strchr(rest, '?');
	size_t path_len = q ? (size_t)(q - rest) : strlen(rest);
	const char *p, *end;
	size_t alloc = 0;

	while (path_len && rest[path_len - 1] == '/')
		path_len--;
	r->path = xstrndup(rest, path_len);
	r->raw_query = xstrdup(q ? q + 1 : "");
	r->params = json_object();
	for (p = r->path; *p;) {
		struct strbuf seg = STRBUF_INIT;

		end = strchr(p, '/');
		if (!end)
			end = p + strlen(p);
		mg_url_decode(&seg, p, (size_t)(end - p), 0);
		ALLOC_GROW(r->seg, r->nr_seg + 1, alloc);
		r->seg[r->nr_seg++] = strbuf_detach(&seg, NULL);
		p = *end ? end + 1 : end;
	}
	for (p = r->raw_query; *p;) {
		struct strbuf name = STRBUF_INIT, value = STRBUF_INIT;
		const char *eq;

		end = strchr(p, '&');
		if (!end)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		mg_url_decode(&name, p, (size_t)((eq ? eq : end) - p), 1);
		if (eq)
			mg_url_decode(&value, eq + 1, (size_t)(end - eq - 1), 1);
		if (name.len)
			json_object_set_new(r->params, name.buf, json_string(value.buf));
		strbuf_release(&name);
		strbuf_release(&value);
		p = *end ? end + 1 : end;
	}
}

void mg_directory_objects(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res)
{
	json_t *obj;

	if (r->nr_seg != 2)
		return mg_not_found(g, res, r->path);
	if (strcmp(r->method, "GET"))
		return mg_bad_method(g, res);
	obj = mg_lookup(g, g->users, r->seg[1]);
	if (!obj)
		obj = mg_lookup(g, g->groups, r->seg[1]);
	if (!obj)
		return mg_not_found(g, res, r->seg[1]);
	res->status = 200;
	res->body = json_incref(obj);
}

static const struct {
	const char *segment;
	mg_handler handler;
} routes[] = {
    {"$batch", mg_batch},
    {"users", mg_users},
    {"invitations", mg_invitations},
    {"groups", mg_groups},
    {"directoryObjects", mg_directory_objects},
    {"policies", mg_policies},
    {"tenantRelationships", mg_tenant_relationships},
    {"identity", mg_conditional_access},
    {"identityGovernance", mg_entitlement},
};

void mg_dispatch(struct memgraph *g, const struct memgraph_request *req,
		 struct memgraph_response *res)
{
	struct mg_req r;
	const char *target = req->target;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.method = req->method;
	r.body = req->body;
	r.eventual = req->consistency_eventual;
	if (!strncmp(target, "/v1.0/", 6)) {
		r.version = "v1.0";
		target += 6;
	} else if (!strncmp(target, "/beta/", 6)) {
		r.version = "beta";
		target += 6;
	} else {
		mg_error(g, res, 404, "Request_ResourceNotFound",
			 "Invalid version or path: '%s'. Paths start with /v1.0/ or /beta/.",
			 target);
		return;
	}
	req_split(&r, target);
	for (i = 0; r.nr_seg && i < ARRAY_SIZE(routes); i++) {
		if (!strcmp(r.seg[0], routes[i].segment)) {
			routes[i].handler(g, &r, res);
			req_release(&r);
			return;
		}
	}
	mg_error(g, res, 404, "Request_ResourceNotFound",
		 "Resource not found for the segment '%s'.", r.nr_seg ? r.seg[0] : "");
	req_release(&r);
}

void memgraph_handle(struct memgraph *g, const struct memgraph_request *req,
		     struct memgraph_response *res)
{
	memset(res, 0, sizeof(*res));
	if (!req->method || !req->target || req->target[0] != '/') {
		mg_error(g, res, 400, "Request_BadRequest", "Malformed request.");
		return;
	}
	mg_dispatch(g, req, res);
}
