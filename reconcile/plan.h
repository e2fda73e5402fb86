/*
 * plan: what must change, as data (after Terraform's plan).
 *
 * A plan is an ordered list of actions, one per object, in the order apply
 * runs them. An action has a kind, an operation, an address (KIND.NAME), the
 * source position that demands it, the addresses it depends on, field-level
 * changes (before -> after) for people, and `data`: the kind's own
 * instructions for apply (ids, payloads), kept in the plan file.
 *
 * Computing (diff), rendering (cmd/render_*.c), saving/loading (plan_json.c)
 * and applying (apply.c) are separate steps over this one structure:
 * renderers never compute, apply never re-decides.
 */
#ifndef B2B_PLAN_H
#define B2B_PLAN_H

#include "../schema/base/diag.h"

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

struct kind;

enum plan_op {
	PLAN_CREATE,
	PLAN_UPDATE,
	PLAN_DELETE,
};

struct plan_change {
	char *path;	/* "displayName", "members", "invitation" */
	json_t *before; /* NULL renders as null */
	json_t *after;
};

/* With plan --base: whether the change under review brings an action, or the
 * base revision's configuration already had it pending (drift, or an earlier
 * change not yet applied). */
enum plan_origin {
	PLAN_ORIGIN_UNKNOWN,
	PLAN_ORIGIN_CHANGE,
	PLAN_ORIGIN_BASE,
};

struct plan_action {
	const struct kind *kind;
	enum plan_op op;
	char *address;	   /* "guest.alice@contoso.com" */
	char *name;	   /* the part after "KIND." */
	char *source_file; /* NULL when no file demands it (e.g. a pruned object) */
	unsigned source_line;
	char **depends_on; /* addresses */
	size_t depends_nr, depends_alloc;
	struct plan_change *changes;
	size_t changes_nr, changes_alloc;
	json_t *data; /* the kind's instructions for apply; may be NULL */
	char *last_changed; /* when Graph last changed the live object, where it says; or NULL */
	enum plan_origin origin;
};

struct plan {
	struct plan_action *actions;
	size_t nr, alloc;
	struct diag_list warnings; /* lints and read-time notices */
	char *config_hash;
	char *tenant_id;
	/* live-object key -> fingerprint of what the plan read, for apply's staleness
	 * check: set when a plan file is read, NULL for a plan just made (see
	 * plan_fingerprints). */
	json_t *fingerprints;
	/* The live model the plan was computed from (snapshot format); NULL when unknown. */
	json_t *live;
	/* When the plan was made, ISO-8601 UTC; set by whoever saves it. */
	char *created;
	/* address -> index into actions (plan_find); maintained by plan.c. */
	json_t *by_address;
};

struct plan *plan_new(void);
void plan_free(struct plan *plan);

/* Appends an action (owned by the plan); `name` is the address without "KIND.". */
struct plan_action *plan_add_action(struct plan *plan, const struct kind *kind, enum plan_op op,
				    const char *name, const struct src_pos *source);
/* Moves every action of `from` to the end of plan, leaving `from` with none. */
void plan_take_actions(struct plan *plan, struct plan *from);
/* Steals before and after. */
void plan_action_add_change(struct plan_action *a, const char *path, json_t *before, json_t *after);
void plan_action_depends_on(struct plan_action *a, const char *address);
struct plan_action *plan_find(const struct plan *plan, const char *address);
/* Records the live object's modifiedDateTime (or lastModifiedDateTime) when it has one. */
void plan_action_set_last_changed(struct plan_action *a, const json_t *live_object);
/* Marks each action PLAN_ORIGIN_BASE when `base` holds the same action (address,
 * operation and changes), else PLAN_ORIGIN_CHANGE. */
void plan_mark_origins(struct plan *plan, const struct plan *base);
const char *plan_origin_name(enum plan_origin origin);

/* Puts the actions in the order apply will run them: dependencies first,
 * otherwise kind registry order, then address. -1 on a cycle. */
int plan_sort(struct plan *plan);

size_t plan_count(const struct plan *plan, enum plan_op op);
const char *plan_op_name(enum plan_op op);
/* PLAN_CREATE etc. for "create", "update", "delete"; -1 otherwise. */
int plan_op_from_name(const char *name);

/* Drops depends_on entries that name no action of the plan (and self references). */
void plan_drop_dangling_depends(struct plan *plan);
/* Fingerprints of every top-level collection of `live` (fnv1a-64 of its canonical JSON). */
json_t *plan_fingerprint_live(const json_t *live);
/*
 * The plan's fingerprints, a new reference: those it was read with, or those
 * of its live model (hashing 100,000 guests costs a third of a second, so a
 * plan that is only shown never pays for them).
 */
json_t *plan_fingerprints(const struct plan *plan);

/*
 * plan_json.c: the plan as JSON. PLAN_JSON_CONTRACT gives exactly the contract
 * of DESIGN.md §6 (what `plan --format json` prints); PLAN_JSON_FILE adds what
 * apply needs: config_hash, tenant_id, created, fingerprints, each action's data
 * and the live model.
 */
enum plan_json_form {
	PLAN_JSON_CONTRACT,
	PLAN_JSON_FILE,
};
json_t *plan_to_json(const struct plan *plan, enum plan_json_form form);
/* The text form: two-space indentation, keys in contract order, final newline. */
char *plan_to_json_text(const struct plan *plan, enum plan_json_form form);
/* Validates strictly; NULL and b2b_error ("ORIGIN: actions[3].kind: ...") on any problem. */
struct plan *plan_from_json(const json_t *json, const char *origin);
struct plan *plan_read_file(const char *path);

#endif
