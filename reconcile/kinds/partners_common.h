/*
 * partners_common: what the tenant-wide settings kinds and the partner kinds
 * share (authorization_policy, email_otp, partner, invitation_domains,
 * connected_organization): finding a partner's objects in the live model,
 * reading Graph's loosely typed answers, and the one-request apply step.
 *
 * Action data written by these kinds holds the request apply sends:
 *   {"method": "PATCH", "path": "/v1.0/...", "body": {...}, "batchable": true}
 * plus kind-specific keys for creates that must look before they retry.
 */
#ifndef B2B_PARTNERS_COMMON_H
#define B2B_PARTNERS_COMMON_H

#include "../apply.h"
#include "../kind.h"
#include "create_once.h"

#include <jansson.h>

/*
 * The connected organisation in live "connectedOrganizations" that stands for
 * this partner (borrowed), NULL when there is none. Matched by the
 * azureActiveDirectoryTenant identity source's tenantId when the partner's
 * tenant is known (live_partner_tenant_id), else by a domainIdentitySource
 * naming one of its domains, else by displayName (the partner's displayName,
 * or its name when it has none).
 */
json_t *live_connected_organization_for(const json_t *live, const struct cfg_partner *p);

/* For many lookups: an index of live "connectedOrganizations" (a new reference), and
 * the same match as live_connected_organization_for through it (borrowed from live). */
json_t *connected_organization_index_build(const json_t *live);
json_t *connected_organization_index_find(const json_t *index, const json_t *live,
					  const struct cfg_partner *p);

/* The partner's displayName, or its name when the files give none. */
const char *partner_display_name(const struct cfg_partner *p);

/* "@odata.type" without the leading '#' that Graph sometimes leaves out; "" when absent. */
const char *odata_type_of(const json_t *obj);

/* A Boolean that Graph may send as true/false, "true"/"false", or null (false). */
int json_truthy(const json_t *v);

/* A single entity from an answer that may be the entity itself or {"value": [entity]}
 * or {"value": entity}; NULL when there is none (borrowed). */
json_t *graph_single_entity(json_t *response);

/* Lowercased, sorted, de-duplicated array of the strings in `list` (a new reference). */
json_t *domain_set_from_json(const json_t *list);
/* Adds the lowercased strings of `items` to the array `set` (no sort). */
void domain_set_add_cfg(json_t *set, const struct cfg_str_list *items);
/* Sorts and de-duplicates an array of lowercase strings in place. */
void domain_set_normalize(json_t *set);

/* json_equal that treats NULL like json null. */
int json_same(const json_t *a, const json_t *b);

/*
 * One-request actions: data = {"method", "path", "body", "batchable"}. Sends
 * it, and succeeds on any 2xx answer.
 */
json_t *action_request_data(const char *method, json_t *body, int batchable, const char *path_fmt,
			    ...) __attribute__((format(printf, 4, 5)));
enum apply_step_result apply_step_single_request(struct apply_ctx *ctx,
						 const struct plan_action *action, json_t *state,
						 const struct tenant_request *prev,
						 struct tenant_request *next);
/* Fills `next` from data {"method", "path", "body", "batchable"} (body copied). */
void tenant_request_from_data(struct tenant_request *next, const json_t *data, const char *what);

/*
 * A create that must not happen twice. data = {"method": "POST", "path", "body",
 * "batchable", "lookup": "/v1.0/...?$filter=..."}. Sends the POST; when its
 * answer is ambiguous (no answer, timeout, 5xx), GETs `lookup` first and posts
 * again only when that finds nothing (create_once.h). The created object's
 * id is recorded; when it has none, the action fails with `missing_id` (a
 * format taking the address) unless that is NULL.
 */
enum apply_step_result apply_step_create_once(struct apply_ctx *ctx,
					      const struct plan_action *action, json_t *state,
					      const struct tenant_request *prev,
					      struct tenant_request *next, const char *missing_id);

/* Sets the last error from a request that failed ("what: HTTP 403 ...") and returns -1. */
int tenant_request_error(const struct tenant_request *req);

#endif
