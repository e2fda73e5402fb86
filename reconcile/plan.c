/*
 * plan: the list of actions and the order apply runs them in. See plan.h.
 *
 * The order (plan_sort) is a stable topological sort over depends_on. Among
 * actions whose dependencies are met, the one that comes first in this base
 * order runs first:
 *   1. creates and updates, in kind registry order (partners before conditional
 *      access, groups and guests before group members, catalogs before packages);
 *   2. then deletes, in reverse registry order, so that what refers to an object
 *      goes before the object (members leave a group before the group or the
 *      guest goes, policies before their access package);
 * and within a kind by address. So a plan is the same whatever order the kinds
 * added their actions in, and the dependencies a kind declares can only move an
 * action later, never reorder unrelated ones.
 */
#include "plan.h"
#include "kind.h"
#include "../schema/base/strbuf.h"
#include "../schema/base/xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char *const op_names[] = {"create", "update", "delete"};

const char *plan_op_name(enum plan_op op)
{
	return (unsigned)op < ARRAY_SIZE(op_names) ? op_names[op] : "unknown";
}

int plan_op_from_name(const char *name)
{
	size_t i;

	for (i = 0; name && i < ARRAY_SIZE(op_names); i++)
		if (!strcmp(op_names[i], name))
			return (int)i;
	return -1;
}

struct plan *plan_new(void)
{
	struct plan *plan = xcalloc(1, sizeof(*plan));

	plan->by_address = json_object();
	return plan;
}

static void action_release(struct plan_action *a)
{
	size_t i;

	free(a->address);
	free(a->name);
	free(a->source_file);
	for (i = 0; i < a->depends_nr; i++)
		free(a->depends_on[i]);
	free(a->depends_on);
	for (i = 0; i < a->changes_nr; i++) {
		free(a->changes[i].path);
		json_decref(a->changes[i].before);
		json_decref(a->changes[i].after);
	}
	free(a->changes);
	json_decref(a->data);
	free(a->last_changed);
}

void plan_free(struct plan *plan)
{
	size_t i;

	if (!plan)
		return;
	for (i = 0; i < plan->nr; i++)
		action_release(&plan->actions[i]);
	free(plan->actions);
	diag_list_release(&plan->warnings);
	free(plan->config_hash);
	free(plan->tenant_id);
	free(plan->created);
	json_decref(plan->fingerprints);
	json_decref(plan->live);
	json_decref(plan->by_address);
	free(plan);
}

struct plan_action *plan_add_action(struct plan *plan, const struct kind *kind, enum plan_op op,
				    const char *name, const struct src_pos *source)
{
	struct plan_action *a;

	ALLOC_GROW(plan->actions, plan->nr + 1, plan->alloc);
	a = &plan->actions[plan->nr];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->op = op;
	a->name = xstrdup(name);
	a->address = xstrfmt("%s.%s", kind ? kind->name : "unknown", name);
	if (source && source->file) {
		a->source_file = xstrdup(source->file);
		a->source_line = source->line;
	}
	if (!json_object_get(plan->by_address, a->address))
		json_object_set_new(plan->by_address, a->address,
				    json_integer((json_int_t)plan->nr));
	plan->nr++;
	return a;
}

void plan_take_actions(struct plan *plan, struct plan *from)
{
	size_t i;

	ALLOC_GROW(plan->actions, plan->nr + from->nr, plan->alloc);
	for (i = 0; i < from->nr; i++) {
		struct plan_action *a = &plan->actions[plan->nr];

		*a = from->actions[i];
		if (!json_object_get(plan->by_address, a->address))
			json_object_set_new(plan->by_address, a->address,
					    json_integer((json_int_t)plan->nr));
		plan->nr++;
	}
	from->nr = 0;
	json_object_clear(from->by_address);
}

void plan_action_add_change(struct plan_action *a, const char *path, json_t *before, json_t *after)
{
	struct plan_change *c;

	ALLOC_GROW(a->changes, a->changes_nr + 1, a->changes_alloc);
	c = &a->changes[a->changes_nr++];
	c->path = xstrdup(path);
	c->before = before;
	c->after = after;
}

void plan_action_depends_on(struct plan_action *a, const char *address)
{
	size_t i;

	if (!address || !strcmp(address, a->address))
		return;
	for (i = 0; i < a->depends_nr; i++)
		if (!strcmp(a->depends_on[i], address))
			return;
	ALLOC_GROW(a->depends_on, a->depends_nr + 1, a->depends_alloc);
	a->depends_on[a->depends_nr++] = xstrdup(address);
}

static long find_index(const struct plan *plan, const char *address)
{
	json_t *v = address ? json_object_get(plan->by_address, address) : NULL;

	return v ? (long)json_integer_value(v) : -1;
}

struct plan_action *plan_find(const struct plan *plan, const char *address)
{
	long i = find_index(plan, address);

	return i < 0 ? NULL : &plan->actions[i];
}

size_t plan_count(const struct plan *plan, enum plan_op op)
{
	size_t i, n = 0;

	for (i = 0; i < plan->nr; i++)
		if (plan->actions[i].op == op)
			n++;
	return n;
}

void plan_drop_dangling_depends(struct plan *plan)
{
	size_t i, j, kept;

	for (i = 0; i < plan->nr; i++) {
		struct plan_action *a = &plan->actions[i];

		for (j = kept = 0; j < a->depends_nr; j++) {
			if (find_index(plan, a->depends_on[j]) < 0 ||
			    !strcmp(a->depends_on[j], a->address)) {
				free(a->depends_on[j]);
				continue;
			}
			a->depends_on[kept++] = a->depends_on[j];
		}
		a->depends_nr = kept;
	}
}

/* The base order of the file comment: phase, kind rank, address, then insertion. */
static int base_order_cmp(const struct plan *plan, size_t x, size_t y)
{
	const struct plan_action *a = &plan->actions[x], *b = &plan->actions[y];
	int phase_a = a->op == PLAN_DELETE, phase_b = b->op == PLAN_DELETE;
	size_t rank_a = kind_index(a->kind), rank_b = kind_index(b->kind);
	int c;

	if (phase_a != phase_b)
		return phase_a - phase_b;
	if (rank_a != rank_b)
		return phase_a ? (rank_a > rank_b ? -1 : 1) : (rank_a < rank_b ? -1 : 1);
	c = strcmp(a->address, b->address);
	if (c)
		return c;
	return x < y ? -1 : x > y;
}

static const struct plan *sorting_plan;

static int base_order_qsort(const void *x, const void *y)
{
	return base_order_cmp(sorting_plan, *(const size_t *)x, *(const size_t *)y);
}

/* A binary min-heap of action indexes keyed by their position in the base order. */
struct ready_heap {
	size_t *items, nr;
	const size_t *key;
};

static void heap_push(struct ready_heap *h, size_t v)
{
	size_t i = h->nr++;

	h->items[i] = v;
	while (i && h->key[h->items[(i - 1) / 2]] > h->key[h->items[i]]) {
		size_t parent = (i - 1) / 2, tmp = h->items[parent];

		h->items[parent] = h->items[i];
		h->items[i] = tmp;
		i = parent;
	}
}

static size_t heap_pop(struct ready_heap *h)
{
	size_t top = h->items[0], i = 0;

	h->items[0] = h->items[--h->nr];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i, tmp;

		if (l < h->nr && h->key[h->items[l]] < h->key[h->items[m]])
			m = l;
		if (r < h->nr && h->key[h->items[r]] < h->key[h->items[m]])
			m = r;
		if (m == i)
			break;
		tmp = h->items[m];
		h->items[m] = h->items[i];
		h->items[i] = tmp;
		i = m;
	}
	return top;
}

static void report_cycle(const struct plan *plan, const size_t *indegree)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, shown = 0;

	for (i = 0; i < plan->nr; i++) {
		if (!indegree[i])
			continue;
		if (shown == 6) {
			strbuf_addstr(&sb, ", ...");
			break;
		}
		strbuf_addf(&sb, "%s%s", shown++ ? ", " : "", plan->actions[i].address);
	}
	b2b_error_set("actions depend on each other in a cycle (or wait for one): %s", sb.buf);
	strbuf_release(&sb);
}

static void rebuild_address_index(struct plan *plan)
{
	size_t i;

	json_object_clear(plan->by_address);
	for (i = 0; i < plan->nr; i++)
		if (!json_object_get(plan->by_address, plan->actions[i].address))
			json_object_set_new(plan->by_address, plan->actions[i].address,
					    json_integer((json_int_t)i));
}

int plan_sort(struct plan *plan)
{
	size_t n = plan->nr, i, j, edges = 0, out_nr = 0;
	size_t *base, *key, *indegree, *first, *fill, *dependents, *order;
	struct ready_heap heap;
	struct plan_action *sorted;
	int ret = 0;

	if (n < 2)
		return 0;
	base = xmalloc(n * sizeof(*base));
	key = xmalloc(n * sizeof(*key));
	for (i = 0; i < n; i++)
		base[i] = i;
	sorting_plan = plan;
	qsort(base, n, sizeof(*base), base_order_qsort);
	sorting_plan = NULL;
	for (i = 0; i < n; i++)
		key[base[i]] = i;

	/* dependents in compressed rows: the actions waiting for action j */
	indegree = xcalloc(n, sizeof(*indegree));
	first = xcalloc(n + 1, sizeof(*first));
	for (i = 0; i < n; i++)
		for (j = 0; j < plan->actions[i].depends_nr; j++) {
			long dep = find_index(plan, plan->actions[i].depends_on[j]);

			if (dep < 0 || (size_t)dep == i)
				continue;
			first[dep + 1]++;
			indegree[i]++;
			edges++;
		}
	for (i = 0; i < n; i++)
		first[i + 1] += first[i];
	fill = xmalloc(n * sizeof(*fill));
	memcpy(fill, first, n * sizeof(*fill));
	dependents = xmalloc((edges ? edges : 1) * sizeof(*dependents));
	for (i = 0; i < n; i++)
		for (j = 0; j < plan->actions[i].depends_nr; j++) {
			long dep = find_index(plan, plan->actions[i].depends_on[j]);

			if (dep < 0 || (size_t)dep == i)
				continue;
			dependents[fill[dep]++] = i;
		}

	heap.items = xmalloc(n * sizeof(*heap.items));
	heap.nr = 0;
	heap.key = key;
	order = xmalloc(n * sizeof(*order));
	for (i = 0; i < n; i++)
		if (!indegree[i])
			heap_push(&heap, i);
	while (heap.nr) {
		size_t next = heap_pop(&heap);

		order[out_nr++] = next;
		for (j = first[next]; j < first[next + 1]; j++)
			if (!--indegree[dependents[j]])
				heap_push(&heap, dependents[j]);
	}

	if (out_nr < n) {
		report_cycle(plan, indegree);
		ret = -1;
	} else {
		sorted = xmalloc(n * sizeof(*sorted));
		for (i = 0; i < n; i++)
			sorted[i] = plan->actions[order[i]];
		free(plan->actions);
		plan->actions = sorted;
		plan->alloc = n;
		rebuild_address_index(plan);
	}
	free(base);
	free(key);
	free(indegree);
	free(first);
	free(fill);
	free(dependents);
	free(heap.items);
	free(order);
	return ret;
}

static int fnv1a_update(const char *buffer, size_t size, void *data)
{
	uint64_t *h = data;
	size_t i;

	for (i = 0; i < size; i++) {
		*h ^= (unsigned char)buffer[i];
		*h *= 1099511628211ULL;
	}
	return 0;
}

/* Hashes each collection as it is serialized, without holding the text. */
json_t *plan_fingerprint_live(const json_t *live)
{
	json_t *prints = json_object();
	const char *key;
	json_t *value;

	json_object_foreach((json_t *)live, key, value)
	{
		uint64_t h = 14695981039346656037ULL;
		char hex[17];

		json_dump_callback(value, fnv1a_update, &h,
				   JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
		snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)h);
		json_object_set_new(prints, key, json_string(hex));
	}
	return prints;
}

json_t *plan_fingerprints(const struct plan *plan)
{
	if (plan->fingerprints)
		return json_incref(plan->fingerprints);
	return plan->live ? plan_fingerprint_live(plan->live) : json_object();
}

void plan_action_set_last_changed(struct plan_action *a, const json_t *live_object)
{
	const char *when = json_string_value(json_object_get(live_object, "modifiedDateTime"));

	if (!when)
		when = json_string_value(json_object_get(live_object, "lastModifiedDateTime"));
	if (!when || !*when)
		return;
	free(a->last_changed);
	a->last_changed = xstrdup(when);
}

static int same_changes(const struct plan_action *a, const struct plan_action *b)
{
	size_t i;

	if (a->op != b->op || a->changes_nr != b->changes_nr)
		return 0;
	for (i = 0; i < a->changes_nr; i++) {
		const struct plan_change *x = &a->changes[i], *y = &b->changes[i];

		if (strcmp(x->path, y->path) ||
		    !json_equal(x->after ? x->after : json_null(), y->after ? y->after : json_null()))
			return 0;
	}
	return 1;
}

void plan_mark_origins(struct plan *plan, const struct plan *base)
{
	size_t i;

	for (i = 0; i < plan->nr; i++) {
		struct plan_action *a = &plan->actions[i];
		const struct plan_action *b = plan_find(base, a->address);

		a->origin = b && same_changes(a, b) ? PLAN_ORIGIN_BASE : PLAN_ORIGIN_CHANGE;
	}
}

const char *plan_origin_name(enum plan_origin origin)
{
	return origin == PLAN_ORIGIN_CHANGE ? "change" : origin == PLAN_ORIGIN_BASE ? "base" : NULL;
}
