/*
 * directory_common: what the guest, group and group_member kinds share.
 *
 * Bulk reads of users and groups by a list of values (`prop in (...)` filters
 * of at most 15 values, batched), merging Graph's answers into the live model
 * without duplicates, the declared guests of every partner, the rule for which
 * email a live user answers to, and the Graph answers apply treats alike.
 */
#ifndef B2B_DIRECTORY_COMMON_H
#define B2B_DIRECTORY_COMMON_H

#include "../apply.h"
#include "../kind.h"
#include "../../schema/base/strmap.h"

#include <jansson.h>
#include <stddef.h>

/* Graph accepts at most this many values in one `in (...)` filter. */
#define ODATA_IN_MAX 15

struct request_list {
	struct tenant_request *items;
	size_t nr, alloc;
};

#define REQUEST_LIST_INIT                                                                          \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

/* A new request at the end of the list, for tenant_request_init(). */
struct tenant_request *request_list_add(struct request_list *list);
void request_list_release(struct request_list *list);
/* 0 when every request was answered 2xx; else -1 with the first failure as the last error. */
int request_list_check(const struct request_list *list);

/*
 * Adds GET `collection`?$filter=`property` in (...)&$select=`select`&$top=999
 * requests (paged, batchable), one per ODATA_IN_MAX of the strings in `values`.
 */
void request_list_add_in_filters(struct request_list *list, const char *collection,
				 const char *property, const json_t *values, const char *select,
				 const char *what);

/*
 * Moves every object of a paged answer's "value" into `collection` (shared,
 * not copied) unless `seen` already holds its id, and puts it in `seen`; a
 * copy of `extra` (may be NULL, never with an "id") is merged into each.
 * Returns how many were added.
 */
size_t live_merge_objects(json_t *collection, struct strmap *seen, json_t *answer,
			  const json_t *extra);
/*
 * Runs every request of `list` and merges each answer into `collection` as
 * live_merge_objects does. 0, or -1 when the tenant or a request failed.
 */
int request_list_run_merge(struct tenant *tenant, struct request_list *list, json_t *collection,
			   struct strmap *seen, const json_t *extra);
/*
 * Puts every object of the collection in `seen` under its id: id -> the
 * object, both borrowed from the collection, which must outlive the map.
 */
void live_id_set(struct strmap *seen, const json_t *collection);

/* The string at key, NULL when absent or not a string. */
const char *json_str(const json_t *obj, const char *key);
/* Strings equal, where NULL and "" are the same. */
int str_equal_loose(const char *a, const char *b);

/* The lowercased email a live user answers to: mail, else the #EXT#
 * userPrincipalName form, else the first otherMails; NULL when none. */
char *live_user_email(const json_t *user);
/* A guest (userType Guest) or an invited member (#EXT# UPN, externalUserState, creationType
 * Invitation). */
int live_user_is_external(const json_t *user);

/* displayName -> how many distinct live groups (by id) carry it. */
json_t *live_group_name_counts(const json_t *live);

/* One declared guest, with the partner that lists it. */
struct desired_guest {
	char *email; /* lowercased */
	const struct cfg_guest *guest;
	const struct cfg_partner *partner;
};

struct desired_guests {
	struct desired_guest *items;
	size_t nr, alloc;
	struct strmap by_email; /* email, without case -> index into items, plus one */
};

/* Every partner's guests, in file order; the first of duplicate emails wins. */
void desired_guests_collect(struct desired_guests *out, const struct config *cfg);
const struct desired_guest *desired_guests_find(const struct desired_guests *dg, const char *email);
void desired_guests_release(struct desired_guests *dg);

/* {"id": id} when id is known, else {"address": address}. */
json_t *object_ref(const char *id, const char *address);

/* A write whose answer was lost is sent again at most this many times. */
#define RESEND_MAX 3
/* Takes one resend from the action's scratchpad; 0 when none is left. */
int state_take_resend(json_t *state);
/* Fails the action with the request's error (apply_ctx_fail describes it); returns
 * APPLY_STEP_FAILED. */
enum apply_step_result apply_fail_request(struct apply_ctx *ctx, const struct plan_action *action,
					  const struct tenant_request *req);
/* Graph's error message contains `needle` (case-insensitive). */
int answer_message_contains(const struct tenant_request *req, const char *needle);

#endif
