/*
 * plan: what must change, as data (after Terraform's plan).
 *
 * A plan is an ordered list of actions, one per object, in the order apply
 * runs them. An action has a kind, an operation, an address (KIND.NAME), the
 * source position that demands it, the addresses it depends on, field-level
 * changes (before -> after) for people, and `data`: the kind's own
 * instructions for apply (ids, payloads), kept in the plan file.
 *
 * Computing (diff), rendering (plan_render.c), saving/loading (plan_file.c)
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
};

struct plan {
	struct plan_action *actions;
	size_t nr, alloc;
	struct diag_list warnings; /* lints and read-time notices */
	char *config_hash;
	char *tenant_id;
	/* address or live-object key -> fingerprint of what the plan read, for apply's
	 * staleness check */
	json_t *fingerprints;
};

struct plan *plan_new(void);
void plan_free(struct plan *plan);

/* Appends an action (owned by the plan); `name` is the address without "KIND.". */
struct plan_action *plan_add_action(struct plan *plan, const struct kind *kind, enum plan_op op,
				    const char *name, const struct src_pos *source);
/* Steals before and after. */
void plan_action_add_change(struct plan_action *a, const char *path, json_t *before, json_t *after);
void plan_action_depends_on(struct plan_action *a, const char *address);
struct plan_action *plan_find(const struct plan *plan, const char *address);

/* Puts the actions in the order apply will run them: dependencies first,
 * otherwise kind registry order, then address. -1 on a cycle. */
int plan_sort(struct plan *plan);

size_t plan_count(const struct plan *plan, enum plan_op op);
const char *plan_op_name(enum plan_op op);

#endif
