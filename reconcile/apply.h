/*
 * apply: executes a plan against a tenant, and nothing else.
 *
 * Actions run in plan order as their dependencies complete; the executor asks
 * each ready action's kind for its next request (kind.h: apply_step) and sends
 * every pending request in one tenant_run(), so independent writes travel
 * together, concurrently and in $batch. A failed action does not stop the
 * independent ones; its dependents are skipped. The report says which actions
 * were applied, which failed (with Graph's code, message and request-id) and
 * which were skipped.
 */
#ifndef B2B_APPLY_H
#define B2B_APPLY_H

#include "kind.h"

#include <signal.h>
#include <stdio.h>

enum apply_result {
	APPLY_PENDING,
	APPLY_APPLIED,
	APPLY_FAILED,
	APPLY_SKIPPED,
};

struct apply_outcome {
	enum apply_result result;
	char *error;      /* for failed and skipped: why */
	char *request_id; /* Graph's request-id of the failing request */
};

struct apply_options {
	long long max_destroy;  /* refuse before any write when the plan deletes more */
	const char *log_file;   /* append one JSON line per action; NULL for none */
	const char *git_commit; /* recorded in the log when known */
	int progress;           /* redraw a progress line on stderr (a terminal) */
	FILE *report;           /* where the per-action lines and the summary go; NULL: stdout */
	/* Re-read and re-diff after writing (needs cfg) and warn about what Graph did not take. */
	int verify;
	/* Set (by a signal handler) to stop after the requests in flight; NULL for never. */
	volatile sig_atomic_t *stop;
};

struct apply_ctx {
	const struct config *cfg; /* may be NULL when applying a saved plan */
	struct tenant *tenant;
	const json_t *live; /* what the plan read (from the plan file or a fresh read) */
	/* address -> id of objects that exist now (read, or created by this apply);
	 * kinds resolve their dependencies through it. */
	json_t *ids;
	struct plan *plan;
	struct apply_outcome *outcomes; /* one per plan action */
};

/* The id of the object at `address` ("group.finance-readers"), NULL when unknown. */
const char *apply_ctx_id(const struct apply_ctx *ctx, const char *address);
void apply_ctx_set_id(struct apply_ctx *ctx, const char *address, const char *id);
/*
 * Resolves a reference that a kind stored in action->data under `key`:
 * {"id": "<guid>"} for an object that existed when the plan was made, or
 * {"address": "group.finance-readers"} for one this apply creates first (the
 * action depends on it). NULL when it cannot be resolved.
 */
const char *apply_ctx_resolve(const struct apply_ctx *ctx, const json_t *data, const char *key);
/*
 * Records why the current action failed (kinds call it before APPLY_STEP_FAILED).
 * When req is given and did not succeed, its description (what, HTTP status,
 * Graph's code, message and request-id) follows the message, unless the
 * message already holds it.
 */
void apply_ctx_fail(struct apply_ctx *ctx, const struct plan_action *action,
		    const struct tenant_request *req, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Runs the plan. 0 when every action applied, -1 otherwise (see outcomes). */
int apply_plan(struct apply_ctx *ctx, const struct apply_options *opts);
/*
 * After apply_plan: prints "warning: Graph did not take: ADDRESS FIELDS" on `out`
 * for each applied action that `fresh` (planned again after the writes) still
 * holds; returns how many. apply_plan calls it when opts->verify is set.
 */
size_t apply_warn_not_taken(const struct apply_ctx *ctx, const struct plan *fresh, FILE *out);
/* Frees what apply_plan allocated (ids, outcomes); the rest belongs to the caller. */
void apply_ctx_release(struct apply_ctx *ctx);

/*
 * The checks apply_plan makes before any write, for callers that want them
 * earlier: 0 when the plan deletes at most max_destroy objects (a negative
 * max_destroy means no limit) and, when cfg is known, every delete lies in a
 * prune scope; -1 with b2b_error set otherwise.
 */
int apply_check_deletes(const struct plan *plan, const struct config *cfg, long long max_destroy);

/*
 * For a saved plan: 0 when `fresh` (planned again from the same configuration
 * against the tenant as it is now) holds exactly the saved actions; -1 with
 * b2b_error naming the first object that differs ("group finance-readers
 * changed since the plan was made; run plan again").
 */
int apply_check_current(const struct plan *saved, const struct plan *fresh);

#endif
