/*
 * governance_common: what the conditional access and entitlement management
 * kinds share (conditional_access_policy, catalog, access_package,
 * access_package_resource, access_package_policy).
 *
 * The idea: a kind compiles its intent into the Graph object it would write
 * ("desired"), projects the live object onto the keys of desired (Graph adds
 * ids, dates, nulls and empty lists), and compares both after normalising:
 * null, absent and empty are alike, @odata annotations are ignored, lists are
 * sets. References to objects that the same plan creates are kept as
 * {"address": ...} and resolved at apply time.
 */
#ifndef B2B_GOVERNANCE_COMMON_H
#define B2B_GOVERNANCE_COMMON_H

#include "../apply.h"
#include "../kind.h"

#include <jansson.h>

#define ENTITLEMENT_PATH "/v1.0/identityGovernance/entitlementManagement"
#define CA_POLICIES_PATH "/v1.0/identity/conditionalAccess/policies"

/* The normal form used for comparing (a new reference), NULL when v is null or empty. */
json_t *gov_normalised(const json_t *v);
/* The part of `live` that `shape` describes (a new reference, NULL when absent). */
json_t *gov_project(const json_t *shape, const json_t *live);
/* Whether desired and live (NULL for absent) are alike once normalised. */
int gov_equal(const json_t *desired, const json_t *live);

/*
 * The top-level keys of `desired` whose values differ from live's projection
 * (a new array of strings; empty when the object is as declared).
 */
json_t *gov_changed_keys(const json_t *desired, const json_t *live);
/* One change per key: before = live's projection (NULL on create), after = desired. */
void gov_add_changes(struct plan_action *a, const json_t *keys, const json_t *desired,
		     const json_t *live);

/* {"id": id} when id is non-NULL, else {"address": address}. */
json_t *gov_ref(const char *id, const char *address);
/* The id or the address a reference holds, for comparisons and for people. */
const char *gov_ref_label(const json_t *ref);
/* The id a reference stands for at apply time, NULL when unknown. */
const char *gov_resolve(const struct apply_ctx *ctx, const json_t *ref);

/*
 * A reference to the group `name` (a new reference): its live id, or
 * {"address": "group.NAME"} when the configuration declares it and the plan
 * creates it (the address is appended to deps). NULL with an error in
 * ctx->diags at the name's position when neither.
 */
json_t *gov_group_ref(const struct reconcile_ctx *ctx, const struct cfg_str *name, json_t *deps,
		      const char *used_by);
/* plan_action_depends_on for every string in deps. */
void gov_add_depends(struct plan_action *a, const json_t *deps);

/*
 * Lookups by displayName, built once per read or diff: name -> the array of
 * the objects in `items` that carry it (a new reference).
 */
json_t *gov_name_index(const json_t *items);
/* The object named `name` in index (borrowed; the first when several), NULL when none. */
json_t *gov_named(const json_t *index, const char *name);
/*
 * 0 when index holds at most one object named `name`; otherwise an error at
 * pos in ctx->diags (b2bctl cannot tell which one the files mean) and -1.
 */
int gov_check_unique(const struct reconcile_ctx *ctx, const json_t *index, const char *name,
		     const struct src_pos *pos, const char *what);

/* 1 the first time `name` is asked about with this `seen` object, 0 after. */
int gov_first_time(json_t *seen, const char *name);

/* Graph ids compared without case; NULLs never match. */
int gov_id_equal(const char *a, const char *b);

/* How often one write whose answers stay ambiguous is sent, each time after
 * looking whether the previous one took effect: the look makes a resend safe,
 * so the bound only stops a Graph that never answers (at a 20% failure rate,
 * six sends all fail once in 10,000 writes). */
#define GOV_MAX_SENDS 6

/* Counts one more send of the write `key` in state; 0 when it was sent GOV_MAX_SENDS times. */
int gov_may_send(json_t *state, const char *key);

/*
 * Creates that must not run twice (create_once.h): POSTs `body` (copied) to
 * `path`; after an ambiguous answer GETs `lookup_path` (a collection) and takes
 * the item whose `match_key` equals `match_value`, posting again only when there
 * is none (GOV_MAX_SENDS in all). The created id is recorded.
 */
struct gov_create {
	const char *path;
	json_t *body; /* borrowed */
	unsigned flags;
	const char *lookup_path;
	const char *match_key;
	const char *match_value;
};
enum apply_step_result gov_create_step(struct apply_ctx *ctx, const struct plan_action *action,
				       json_t *state, const struct tenant_request *prev,
				       struct tenant_request *next, const struct gov_create *c);

/* One write (PATCH, PUT) with `body` (copied), which may refer to objects created moments
 * ago; done on 2xx. */
enum apply_step_result gov_write_step(struct apply_ctx *ctx, const struct plan_action *action,
				      const struct tenant_request *prev,
				      struct tenant_request *next, const char *method,
				      const char *path, const json_t *body);
/* DELETE `path`; done on 2xx and on 404 (already gone). */
enum apply_step_result gov_delete_step(struct apply_ctx *ctx, const struct plan_action *action,
				       const struct tenant_request *prev,
				       struct tenant_request *next, const char *path);

/* Fails the action with the answer's error text. */
enum apply_step_result gov_fail(struct apply_ctx *ctx, const struct plan_action *action,
				const struct tenant_request *req);

/* Sets b2b_error from a failed read and returns -1. */
int gov_read_failed(const struct tenant_request *req);

/* Appends every item of answer["value"] to `collection` unless an item with the same id is
 * there. */
void gov_collect(json_t *collection, const json_t *answer);

#endif
