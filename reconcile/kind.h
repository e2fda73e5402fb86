/*
 * kind: one resource kind behind a small table of functions.
 *
 * Each file in reconcile/kinds/ defines one `const struct kind kind_<name>`
 * and kinds.c lists them in the order they are read and applied. Adding a kind
 * means adding one file and one line in kinds.c, nothing else.
 *
 *   read  - asks the tenant (in bulk, paged, filtered) for the live objects the
 *           configuration manages and stores them in ctx->live, which has the
 *           snapshot format (DESIGN.md §7): both backends feed one parser.
 *   diff  - compares the configuration with ctx->live and adds actions to the
 *           plan. No I/O: ctx->tenant is NULL here.
 *   apply_step - executes one action as a sequence of Graph requests: called
 *           first with prev == NULL, then with each answered request, until it
 *           says done or failed. The executor gathers the next request of every
 *           ready action and sends them together (concurrently, $batch).
 *   join_key, join_build (optional) - let the requests of several actions of
 *           the kind travel as one request (see below).
 */
#ifndef B2B_KIND_H
#define B2B_KIND_H

#include "../schema/config.h"
#include "live.h"
#include "plan.h"
#include "tenant/tenant.h"

#include <jansson.h>
#include <time.h>

struct reconcile_ctx {
	const struct config *cfg;
	struct tenant *tenant; /* NULL during diff */
	json_t *live;          /* snapshot-format object, filled by the kinds' reads */
	/* over live (live.h): the caller's, or built by reconcile_diff; NULL while reading */
	struct live_index *index;
	struct diag_list *diags; /* errors met while reading or diffing, with positions */
	time_t now;              /* "now" for time-based decisions (resendPendingAfter) */
	/* address -> true: read and compare only what decides about these objects
	 * (apply's verify); NULL: everything the configuration manages. Both passes
	 * stop after the last kind it names (kinds.c order); a kind may narrow its
	 * read and diff to them. The plan may still hold actions for other objects:
	 * the caller looks only at these addresses. */
	const json_t *scope;
};

enum apply_step_result {
	APPLY_STEP_MORE,   /* `next` holds the next request to send */
	APPLY_STEP_DONE,   /* the action is complete */
	APPLY_STEP_FAILED, /* the action failed; ctx error says why */
};

struct apply_ctx;

struct kind {
	const char *name; /* as in the plan JSON: "guest" */
	int (*read)(struct reconcile_ctx *ctx);
	int (*diff)(const struct reconcile_ctx *ctx, struct plan *plan);
	/* `state` is a per-action scratch object the executor keeps between steps. */
	enum apply_step_result (*apply_step)(struct apply_ctx *ctx,
					     const struct plan_action *action, json_t *state,
					     const struct tenant_request *prev,
					     struct tenant_request *next);
	/*
	 * Joining: in each round, the requests of this kind's actions with equal
	 * join_key (a string the caller frees; NULL: the request goes alone) are
	 * sent as one request that join_build makes of up to join_max of them.
	 * The joint request must succeed only when every part would have. When it
	 * succeeds, each action gets its own request back with the joint status;
	 * when it fails with no doubt about the outcome, each action's own request
	 * is sent alone in the next round, so one bad part never fails the others;
	 * when its outcome is unknown (no answer, 5xx), each action gets that
	 * answer and decides, as for its own request.
	 */
	size_t join_max;
	char *(*join_key)(const struct tenant_request *req);
	void (*join_build)(const struct tenant_request *const *parts, size_t nr,
			   struct tenant_request *joint);
};

/* The registry, in read and apply order. */
extern const struct kind *const kinds[];
extern const size_t kinds_nr;
const struct kind *kind_find(const char *name);
size_t kind_index(const struct kind *kind);

/* Reads everything the configuration manages: runs every kind's read in order. */
int reconcile_read(struct reconcile_ctx *ctx);
/* Diffs every kind and sorts the plan. Pure: no I/O. */
int reconcile_diff(const struct reconcile_ctx *ctx, struct plan *plan);

#endif
