/*
 * create_once: the apply step of a create that must not happen twice, which
 * every kind that creates objects shares.
 *
 * It sends the create; when the answer is ambiguous (tenant_request_ambiguous:
 * no answer, timeout, 5xx) it looks the object up first and sends the create
 * again only when the lookup finds nothing, at most max_sends times in all.
 * The created object's "id", when it has one, is recorded with
 * apply_ctx_set_id().
 */
#ifndef B2B_CREATE_ONCE_H
#define B2B_CREATE_ONCE_H

#include "../apply.h"
#include "../kind.h"

#include <jansson.h>

struct create_once;

/*
 * Finds the created object in the lookup's answer: 1 with *found set
 * (borrowed from the answer), 0 when it is not there, -1 when the action
 * must fail (the finder has called apply_ctx_fail).
 */
typedef int (*create_once_find_fn)(struct apply_ctx *ctx, const struct plan_action *action,
				   const struct tenant_request *lookup, const struct create_once *c,
				   json_t **found);

struct create_once {
	const char *method; /* NULL: POST */
	const char *path;
	const json_t *body; /* copied into each send */
	unsigned flags;
	const char *what; /* names the create in errors; NULL: the action's address */
	/* The created object in the create's answer (borrowed); NULL: the answer itself. */
	json_t *(*created_in_answer)(json_t *answer);

	/* NULL: an ambiguous answer fails the action. */
	const char *lookup_path;
	unsigned lookup_flags;
	const char *lookup_what; /* NULL: the action's address */
	create_once_find_fn find;
	const char *match_key, *match_value; /* for create_once_find_match */
	int lookup_404_is_none;              /* a 404 lookup answer means "not there" */

	int max_sends;
	/*
	 * Look up after the last send's ambiguous answer too; when that finds
	 * nothing the action fails with "WHAT: no answer after N attempts".
	 */
	int look_after_last_send;
	/* printf format taking the address: fail with it when the created object has no id. */
	const char *missing_id;
};

/*
 * One step of the create (kind.h: apply_step). On APPLY_STEP_DONE, *created
 * (when created is not NULL) is the created or found object, borrowed from
 * prev.
 */
enum apply_step_result create_once_step(struct apply_ctx *ctx, const struct plan_action *action,
					json_t *state, const struct tenant_request *prev,
					struct tenant_request *next, const struct create_once *c,
					json_t **created);

/* Finders: the item of answer["value"] whose match_key is match_value; the first item. */
int create_once_find_match(struct apply_ctx *ctx, const struct plan_action *action,
			   const struct tenant_request *lookup, const struct create_once *c,
			   json_t **found);
int create_once_find_first(struct apply_ctx *ctx, const struct plan_action *action,
			   const struct tenant_request *lookup, const struct create_once *c,
			   json_t **found);

#endif
