/*
 * memgraph_int: what the memgraph files share and nobody else sees: the
 * store, the parsed request, the OData query options, the pager and the
 * helpers that build Graph's error bodies. See memgraph.h for the contract.
 *
 * The store keeps each collection as a json object keyed by id, so lookups
 * are hashed and iteration follows insertion order; a page's $skiptoken is the
 * key of the next object to look at, so paging never rescans what it served.
 */
#ifndef B2B_MEMGRAPH_INT_H
#define B2B_MEMGRAPH_INT_H

#include "memgraph.h"
#include "../../schema/base/strbuf.h"

#include <pthread.h>
#include <stddef.h>

struct flt_node;

/*
 * Requests that only read (GET) may be handled on several threads at once:
 * they change nothing here but the id generator and the users' indexes on
 * first use, each behind its lock. Writes need the caller's lock on everything.
 */
struct memgraph {
	char *base_url;
	long consistency_delay_ms;
	unsigned long long rng;
	pthread_mutex_t rng_lock;
	long long (*now_ms)(void);
	memgraph_batch_hook batch_hook;
	void *batch_hook_ctx;

	json_t *key_order;   /* the input snapshot's top-level keys, in order */
	json_t *passthrough; /* top-level keys memgraph does not model */
	char *tenant_id;
	char *default_domain;

	json_t *authorization_policy;
	json_t *email_config;
	json_t *b2b_policies;        /* id -> b2bManagementPolicy */
	json_t *cross_tenant_policy; /* the crossTenantAccessPolicy entity */
	json_t *cross_tenant_default;
	int cross_tenant_changed; /* written back even when the input had neither */
	json_t *partners;         /* tenantId -> partner configuration */
	json_t *tenant_info;      /* array, as in the snapshot */
	json_t *users;            /* id -> user */
	json_t *groups;           /* id -> group (without members) */
	json_t *members;          /* group id -> (member id -> true) */
	json_t *ca_policies;
	json_t *connected_orgs;
	json_t *catalogs;        /* id -> catalog; "resources" kept inside */
	json_t *access_packages; /* id -> package with assignmentPolicies, resourceRoleScopes */
	json_t *assignments;     /* id -> accessPackageAssignment */
	json_t *invitations;     /* log: [{email, time, sendInvitationMessage}] */

	int users_indexed;                /* upn_index and mail_index are built (on first use) */
	pthread_mutex_t users_index_lock; /* held while they are built */
	json_t *upn_index;                /* lowercased userPrincipalName -> id */
	json_t *mail_index;               /* lowercased mail -> id */
	int mail_shared;          /* some mail belonged to two users: mail_index misses some */
	json_t *nickname_index;   /* lowercased group mailNickname -> id */
	json_t *odata_type_user;  /* "#microsoft.graph.user", shared by every answer */
	json_t *odata_type_group; /* "#microsoft.graph.group" */
	json_t *policy_index;     /* assignment policy id -> access package id */

	json_t *created_ms; /* id -> creation time on the memgraph clock */
	json_int_t change_seq;
	json_t *changed;    /* id -> change_seq of its last change (users and groups) */
	json_t *removed;    /* [{"id", "kind": "user"|"group", "seq"}] */
	json_t *member_log; /* group id -> (member id -> {"seq", "removed"}): the last change */
};

/* One request, split and decoded. */
struct mg_req {
	const char *method;
	const char *version; /* "v1.0" or "beta" */
	char *path;          /* raw path after the version, without query: "users/abc" */
	char **seg;          /* decoded segments */
	size_t nr_seg;
	char *raw_query; /* as sent, without '?' ("" for none) */
	json_t *params;  /* decoded query options: name -> string */
	const json_t *body;
	int eventual;
};

/* The OData options of a collection read. */
struct mg_query {
	struct flt_node *filter;
	json_t *select; /* array of property names, NULL for all */
	json_t *expand; /* name -> nested option text ("" for none) */
	size_t top;
	const char *skiptoken;
	int count;
};

/* Per-object presentation for a page: returns a new reference to add, or NULL to skip. */
typedef json_t *(*mg_present_fn)(struct memgraph *g, const char *key, json_t *value,
				 const struct mg_query *q, void *ctx);

/* memgraph.c */
void mg_error(struct memgraph *g, struct memgraph_response *res, long status, const char *code,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void mg_not_found(struct memgraph *g, struct memgraph_response *res, const char *id);
void mg_bad_method(struct memgraph *g, struct memgraph_response *res);
void mg_bad_body(struct memgraph *g, struct memgraph_response *res, const char *what);
char *mg_new_id(struct memgraph *g);
char *mg_now_iso(void);
long long mg_clock(struct memgraph *g);
void mg_mark_created(struct memgraph *g, const char *id);
void mg_mark_changed(struct memgraph *g, const char *id);
void mg_mark_removed(struct memgraph *g, const char *id, const char *kind);
/* Adds (present) or removes a member of a group, for delta as well. */
void mg_member_set(struct memgraph *g, const char *group_id, const char *member_id, int present);
int mg_visible(struct memgraph *g, const char *id);
/* The visible object with this id in coll, or NULL. */
json_t *mg_lookup(struct memgraph *g, json_t *coll, const char *id);
/* Parses $filter, $select, $top, $expand, $count, $skiptoken; -1 after answering 400. */
int mg_query_parse(struct memgraph *g, struct memgraph_response *res, const struct mg_req *r,
		   struct mg_query *q, size_t max_top, size_t default_top);
void mg_query_release(struct mg_query *q);
/* The context URL "https://graph.microsoft.com/v1.0/$metadata#<what>". */
json_t *mg_context(struct memgraph *g, const struct mg_req *r, const char *what);
/* Answers a page of coll (key -> value) through present (NULL: filter + select on value). */
void mg_page(struct memgraph *g, struct memgraph_response *res, const struct mg_req *r,
	     const struct mg_query *q, json_t *coll, mg_present_fn present, void *ctx,
	     const char *context);
/* The object reduced to $select (a new object). A new reference to obj itself
 * when there is no $select, or when obj is a view no one else holds that has
 * exactly the selected properties. */
json_t *mg_select(const json_t *obj, const json_t *select);
/* Copies obj (shallow) without the listed keys (NULL-terminated). */
json_t *mg_without(const json_t *obj, const char *const *keys);
/* The id at the end of ".../directoryObjects/{id}" or ".../users/{id}". */
const char *mg_ref_id(const char *url);
/* Merges body's members into obj (PATCH semantics: null clears to null). */
void mg_merge(json_t *obj, const json_t *body);
/* Fills every key of template missing in obj with a copy of its value. */
void mg_fill(json_t *obj, const char *template_json);
int mg_str_ieq(const char *a, const char *b);
/* v, or JSON null when v is NULL (borrowed either way: jansson's null is static). */
json_t *mg_or_null(json_t *v);
/* The string value of v, or "". */
const char *mg_str(const json_t *v);
char *mg_lower(const char *s);
void mg_url_decode(struct strbuf *out, const char *s, size_t len, int plus_is_space);

/* memgraph_filter.c */
int flt_parse(struct flt_node **out, const char *text, struct strbuf *err);
int flt_match(const struct flt_node *n, const json_t *obj);
/* ne, not, endswith: Graph answers them only as advanced queries. */
int flt_needs_advanced(const struct flt_node *n);
/* The literals when the whole filter is `prop in (...)` over strings only, else NULL. */
const json_t *flt_in_strings(const struct flt_node *n, const char *prop);
/* Whether the filter reads any of the properties (NULL-terminated), or a path into one. */
int flt_reads_any(const struct flt_node *n, const char *const *props);
void flt_free(struct flt_node *n);

/* One handler per area; each answers every method on its paths. */
typedef void (*mg_handler)(struct memgraph *g, const struct mg_req *r,
			   struct memgraph_response *res);

/* memgraph_users.c */
void mg_users(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res);
void mg_invitations(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res);
void mg_user_remove_everywhere(struct memgraph *g, const char *id);

/* memgraph_groups.c */
void mg_groups(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res);
void mg_groups_load(struct memgraph *g);
json_t *mg_groups_snapshot(struct memgraph *g);
void mg_directory_objects(struct memgraph *g, const struct mg_req *r,
			  struct memgraph_response *res);

/* memgraph_delta.c */
void mg_delta(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res,
	      int groups);

/* memgraph_policies.c */
void mg_policies(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res);
void mg_tenant_relationships(struct memgraph *g, const struct mg_req *r,
			     struct memgraph_response *res);
void mg_conditional_access(struct memgraph *g, const struct mg_req *r,
			   struct memgraph_response *res);

/* memgraph_entitlement.c */
void mg_entitlement(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res);
void mg_entitlement_load(struct memgraph *g);

/* memgraph_batch.c */
void mg_batch(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res);

/* Answers one request with a decoded target (memgraph.c). */
void mg_dispatch(struct memgraph *g, const struct memgraph_request *req,
		 struct memgraph_response *res);

/* A collection (array) from a snapshot keyed by id_key into a new map. */
json_t *mg_map_from_array(const json_t *arr, const char *id_key);
json_t *mg_array_from_map(const json_t *map);

#endif
