/*
 * group_member: membership of declared groups (group_member.<group>/<member>).
 *
 * A declared group's desired members are the guests whose `groups` name it,
 * every guest of a partner whose `guestGroups` name it, and the internal users
 * its `members` list by userPrincipalName. Read pages through the members of
 * every declared group that exists (batched; each page reduced to member ids
 * as it arrives, the ids shared with the live users), looks up the member
 * users the model does not hold by id and, in batched `userPrincipalName in
 * (...)` filters, the internal members it does not hold yet. With a scope
 * (apply's verify) it reads only the groups the scope names and, instead of
 * every unknown member by id, the members of the memberships it names. Diff
 * works on ids through the live index, the groups in two runs on two threads:
 * a member is one action to add or, for authoritative groups only, to remove.
 * Apply adds a member with POST .../members/$ref; the executor joins the adds
 * to one group into PATCHes with members@odata.bind, 20 at a time (kind.h:
 * join_key).
 */
#include "directory_common.h"
#include "../../schema/base/background.h"
#include "../../schema/base/strbuf.h"
#include "../../schema/base/strmap.h"
#include "../../schema/base/xalloc.h"

#include <stdint.h>
#include <string.h>

#define MEMBER_SELECT        "id,userPrincipalName,mail,userType"
#define DIRECTORY_OBJECT_URL "https://graph.microsoft.com/v1.0/directoryObjects/"
#define MEMBERS_REF          "/members/$ref"
/* Graph takes at most this many references in one members@odata.bind. */
#define GROUP_BIND_MAX 20

extern const struct kind kind_group_member, kind_guest;

static int member_is_user(const json_t *member)
{
	const char *type = json_str(member, "@odata.type");

	return !type || !strcmp(type, "#microsoft.graph.user");
}

/* The groups a read's scope (kind.h) names: every "GROUP" of a "group_member.GROUP/MEMBER"
 * address, where GROUP may hold a '/', so every split counts. */
static json_t *scoped_groups(const json_t *scope)
{
	static const char prefix[] = "group_member.";
	json_t *groups = json_object(), *v;
	const char *address;

	json_object_foreach((json_t *)scope, address, v)
	{
		const char *name = address + sizeof(prefix) - 1, *slash;

		if (strncmp(address, prefix, sizeof(prefix) - 1))
			continue;
		for (slash = strchr(name, '/'); slash; slash = strchr(slash + 1, '/')) {
			char *group = xstrndup(name, (size_t)(slash - name));

			json_object_set_new(groups, group, json_true());
			free(group);
		}
	}
	return groups;
}

/*
 * Where one group's member pages go as they arrive. Every membership of a
 * member holds one id string: the model's user's own (seen: id -> user), or
 * the one kept in unknown (member users the model does not hold) or in others
 * (members that are not users: groups).
 */
struct member_sink {
	json_t *ids; /* the group's member ids, in page order */
	const struct strmap *seen;
	json_t *unknown;
	json_t *others;
};

static void member_page(void *page_ctx, json_t *value)
{
	struct member_sink *sink = page_ctx;
	json_t *member;
	size_t i;

	json_array_foreach(value, i, member)
	{
		const char *id = json_str(member, "id");
		json_t *user, *shared;

		if (!id)
			continue;
		user = strmap_get(sink->seen, id);
		shared = user ? json_object_get(user, "id") : json_object_get(sink->unknown, id);
		if (!shared)
			shared = json_object_get(sink->others, id);
		if (!shared) {
			shared = json_object_get(member, "id");
			json_object_set(member_is_user(member) ? sink->unknown : sink->others, id,
					shared);
		}
		json_array_append(sink->ids, shared);
	}
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of an object, sorted, as an array of strings. */
static json_t *sorted_keys(const json_t *object)
{
	size_t n = json_object_size(object), i = 0;
	const char **keys = xcalloc(n ? n : 1, sizeof(*keys));
	json_t *out = json_array(), *value;
	const char *key;

	json_object_foreach((json_t *)object, key, value) keys[i++] = key;
	qsort(keys, n, sizeof(*keys), compare_strings);
	for (i = 0; i < n; i++)
		json_array_append_new(out, json_string(keys[i]));
	free(keys);
	return out;
}

/*
 * Reads the member ids of every declared group that exists, each page
 * consumed as it comes, then the users among them the model does not hold
 * yet (in id order, so the order pages came in does not matter).
 */
static int read_members(struct reconcile_ctx *ctx, json_t *users, struct strmap *seen)
{
	struct request_list reqs = REQUEST_LIST_INIT;
	json_t *counts = live_group_name_counts(ctx->live), *g, *ids = NULL;
	json_t *groups = json_object_get(ctx->live, "groups"), *declared = json_object();
	json_t *unknown = json_object(), *others = json_object();
	json_t *in_scope = ctx->scope ? scoped_groups(ctx->scope) : NULL;
	struct member_sink *sinks = xcalloc(json_array_size(groups) + 1, sizeof(*sinks));
	size_t i, nr = 0;
	int ret = -1;

	for (i = 0; i < ctx->cfg->groups_nr; i++)
		if (ctx->cfg->groups[i].name.value)
			json_object_set_new(declared, ctx->cfg->groups[i].name.value, json_true());
	json_array_foreach(groups, i, g)
	{
		const char *name = json_str(g, "displayName"), *id = json_str(g, "id");
		struct tenant_request *req;
		char *what;

		if (!name || !id || !json_object_get(declared, name) ||
		    json_integer_value(json_object_get(counts, name)) > 1 ||
		    (in_scope && !json_object_get(in_scope, name)))
			continue;
		sinks[nr] = (struct member_sink){json_array(), seen, unknown, others};
		json_object_set(g, "members", sinks[nr].ids);
		what = xstrfmt("list members of %s", name);
		req = request_list_add(&reqs);
		tenant_request_init(req, "GET", NULL, TENANT_PAGED | TENANT_BATCHABLE, what,
				    "/v1.0/groups/%s/members?$select=id&$top=999", id);
		req->on_page = member_page;
		req->page_ctx = &sinks[nr++];
		free(what);
	}
	if (tenant_run(ctx->tenant, reqs.items, reqs.nr) < 0 || request_list_check(&reqs) < 0)
		goto out;
	request_list_release(&reqs);
	if (ctx->scope) { /* read_scoped_members finds the members that matter */
		ret = 0;
		goto out;
	}

	ids = sorted_keys(unknown);
	request_list_add_in_filters(&reqs, "users", "id", ids, MEMBER_SELECT,
				    "find group members by id");
	if (request_list_run_merge(ctx->tenant, &reqs, users, seen, NULL) < 0)
		goto out;
	ret = 0;
out:
	for (i = 0; i < nr; i++)
		json_decref(sinks[i].ids);
	free(sinks);
	request_list_release(&reqs);
	json_decref(ids);
	json_decref(unknown);
	json_decref(others);
	json_decref(counts);
	json_decref(declared);
	json_decref(in_scope);
	return ret;
}

static int read_internal_members(struct reconcile_ctx *ctx, json_t *users, struct strmap *seen)
{
	struct request_list reqs = REQUEST_LIST_INIT;
	/* userPrincipalNames without case, borrowed from the model and the configuration */
	struct strmap known = STRMAP_INIT(1);
	json_t *wanted = json_array(), *u;
	int ret = -1;
	size_t i, j;

	strmap_reserve(&known, json_array_size(users));
	json_array_foreach(users, i, u)
	{
		strmap_put(&known, json_str(u, "userPrincipalName"), u);
	}
	for (i = 0; i < ctx->cfg->groups_nr; i++) {
		const struct cfg_str_list *members = &ctx->cfg->groups[i].members;

		for (j = 0; j < members->nr; j++) {
			const char *member = members->items[j].value;

			if (member && !strmap_put(&known, member, NULL))
				json_array_append_new(wanted, json_string(member));
		}
	}
	request_list_add_in_filters(&reqs, "users", "userPrincipalName", wanted, MEMBER_SELECT,
				    "find group members by userPrincipalName");
	if (request_list_run_merge(ctx->tenant, &reqs, users, seen, NULL) < 0)
		goto out;
	ret = 0;
out:
	request_list_release(&reqs);
	strmap_release(&known);
	json_decref(wanted);
	return ret;
}

static void add_lowercased(json_t *set, const char *s)
{
	char *lower;

	if (!s)
		return;
	lower = lowercase_dup(s);
	json_object_set_new(set, lower, json_true());
	free(lower);
}

/*
 * With a scope, the users of the memberships it names, by mail and by
 * userPrincipalName (the MEMBER of "group_member.GROUP/MEMBER"), unless the
 * model holds them already: the members listing brought their ids only.
 */
static int read_scoped_members(struct reconcile_ctx *ctx, json_t *users, struct strmap *seen)
{
	static const char prefix[] = "group_member.";
	struct request_list reqs = REQUEST_LIST_INIT;
	json_t *known = json_object(), *wanted = json_array(), *u, *v;
	const char *address;
	int ret = -1;
	size_t i;

	json_array_foreach(users, i, u)
	{
		add_lowercased(known, json_str(u, "mail"));
		add_lowercased(known, json_str(u, "userPrincipalName"));
	}
	json_object_foreach((json_t *)ctx->scope, address, v)
	{
		const char *member = strrchr(address, '/');
		char *lower;

		if (strncmp(address, prefix, sizeof(prefix) - 1) || !member || !*++member)
			continue;
		lower = lowercase_dup(member);
		if (!json_object_get(known, lower)) {
			json_object_set_new(known, lower, json_true());
			json_array_append_new(wanted, json_string(member));
		}
		free(lower);
	}
	request_list_add_in_filters(&reqs, "users", "mail", wanted, MEMBER_SELECT,
				    "find written members by mail");
	request_list_add_in_filters(&reqs, "users", "userPrincipalName", wanted, MEMBER_SELECT,
				    "find written members by userPrincipalName");
	if (request_list_run_merge(ctx->tenant, &reqs, users, seen, NULL) < 0)
		goto out;
	ret = 0;
out:
	request_list_release(&reqs);
	json_decref(known);
	json_decref(wanted);
	return ret;
}

static int group_member_read(struct reconcile_ctx *ctx)
{
	json_t *users = live_collection(ctx->live, "users");
	struct strmap seen = STRMAP_INIT(0);
	int ret;

	live_id_set(&seen, users);
	ret = read_members(ctx, users, &seen);
	if (!ret && ctx->scope)
		ret = read_scoped_members(ctx, users, &seen);
	if (!ret)
		ret = read_internal_members(ctx, users, &seen);
	strmap_release(&seen);
	return ret;
}

/* One desired membership. */
struct member_want {
	const char *member; /* guest email or internal UPN, as written */
	size_t group;       /* index into cfg->groups */
	int guest;          /* member is a guest's email (else an internal UPN) */
	const struct src_pos *pos;
};

/* Every desired membership, and for each declared group the wants that name it. */
struct member_wants {
	struct member_want *items;
	size_t nr, alloc;
	size_t *order;          /* indexes into items, grouped by group, in declaration order */
	size_t *first;          /* group g's wants: order[first[g] .. first[g + 1]) */
	struct strmap declared; /* group name -> its index in cfg->groups, plus one */
};

/* The member's part of its address: a guest's email lowercased, a UPN as written. */
static char *want_name(const struct member_want *want)
{
	return want->guest ? lowercase_dup(want->member) : xstrdup(want->member);
}

static void wants_add(struct member_wants *w, const char *group, const char *member, int guest,
		      const struct src_pos *pos)
{
	size_t at = (size_t)(uintptr_t)strmap_get(&w->declared, group);
	struct member_want *want;

	if (!at || !member || !*member)
		return;
	ALLOC_GROW(w->items, w->nr + 1, w->alloc);
	want = &w->items[w->nr++];
	want->member = member;
	want->group = at - 1;
	want->guest = guest;
	want->pos = pos;
}

/* Orders the wants by group, keeping declaration order within each (a counting sort). */
static void wants_group(struct member_wants *w, size_t groups_nr)
{
	size_t *fill = xcalloc(groups_nr + 1, sizeof(*fill));
	size_t i, g;

	w->first = xcalloc(groups_nr + 1, sizeof(*w->first));
	w->order = xcalloc(w->nr ? w->nr : 1, sizeof(*w->order));
	for (i = 0; i < w->nr; i++)
		w->first[w->items[i].group + 1]++;
	for (g = 0; g < groups_nr; g++)
		w->first[g + 1] += w->first[g];
	for (i = 0; i < w->nr; i++) {
		g = w->items[i].group;
		w->order[w->first[g] + fill[g]++] = i;
	}
	free(fill);
}

static void wants_collect(struct member_wants *w, const struct config *cfg)
{
	size_t p, g, i;

	memset(w, 0, sizeof(*w));
	for (g = 0; g < cfg->groups_nr; g++)
		strmap_put(&w->declared, cfg->groups[g].name.value, (void *)(uintptr_t)(g + 1));
	for (p = 0; p < cfg->partners_nr; p++) {
		const struct cfg_partner *partner = &cfg->partners[p];

		for (g = 0; g < partner->guests_nr; g++) {
			const struct cfg_guest *guest = &partner->guests[g];

			for (i = 0; i < guest->groups.nr; i++)
				wants_add(w, guest->groups.items[i].value, guest->email.value, 1,
					  &guest->groups.items[i].pos);
			for (i = 0; i < partner->guest_groups.nr; i++)
				wants_add(w, partner->guest_groups.items[i].value,
					  guest->email.value, 1,
					  &partner->guest_groups.items[i].pos);
		}
	}
	for (g = 0; g < cfg->groups_nr; g++)
		for (i = 0; i < cfg->groups[g].members.nr; i++)
			wants_add(w, cfg->groups[g].name.value,
				  cfg->groups[g].members.items[i].value, 0,
				  &cfg->groups[g].members.items[i].pos);
	wants_group(w, cfg->groups_nr);
}

static void wants_release(struct member_wants *w)
{
	free(w->items);
	free(w->order);
	free(w->first);
	strmap_release(&w->declared);
}

/* address -> true for every action the earlier kinds put in the plan. */
static json_t *planned_addresses(const struct plan *plan)
{
	json_t *set = json_object();
	size_t i;

	for (i = 0; i < plan->nr; i++)
		json_object_set_new(set, plan->actions[i].address, json_true());
	return set;
}

/* The ids of the users the plan deletes: their memberships go with them. */
static void deleted_users(struct strmap *set, const struct plan *plan)
{
	size_t i;

	for (i = 0; i < plan->nr; i++) {
		const struct plan_action *a = &plan->actions[i];

		if (a->kind == &kind_guest && a->op == PLAN_DELETE)
			strmap_put(set, json_str(a->data, "id"), (void *)a);
	}
}

struct group_diff {
	const struct reconcile_ctx *ctx;
	struct plan *plan;
	struct diag_list *diags;
	json_t *planned;
	const struct strmap *deleted; /* ids of the users the plan deletes */
	const struct cfg_group *group;
	const char *group_id; /* NULL when this plan creates the group */
	char *group_address;
	struct strmap claimed; /* live member ids that are declared */
	json_t *named;         /* action names already used for this group */
};

static void plan_member_add(struct group_diff *gd, const struct member_want *w, const char *uid)
{
	char *member = want_name(w);
	char *name = xstrfmt("%s/%s", gd->group->name.value, member);
	char *guest_address = w->guest ? xstrfmt("guest.%s", member) : NULL;
	struct plan_action *a;

	if (json_object_get(gd->named, name))
		goto out;
	json_object_set_new(gd->named, name, json_true());
	a = plan_add_action(gd->plan, &kind_group_member, PLAN_CREATE, name, w->pos);
	plan_action_add_change(a, "member", NULL, json_string(member));
	if (json_object_get(gd->planned, gd->group_address))
		plan_action_depends_on(a, gd->group_address);
	if (guest_address && json_object_get(gd->planned, guest_address))
		plan_action_depends_on(a, guest_address);
	a->data = json_pack("{s:o, s:o}", "group", object_ref(gd->group_id, gd->group_address),
			    "member", object_ref(uid, guest_address));
out:
	free(member);
	free(name);
	free(guest_address);
}

/* With a scope, a membership it names is planned even when its guest was not read: it was
 * written, and the group's members do not show it. */
static int member_in_scope(const struct reconcile_ctx *ctx, const struct cfg_group *group,
			   const struct member_want *want)
{
	char *member, *address;
	int found;

	if (!ctx->scope)
		return 0;
	member = want_name(want);
	address = xstrfmt("group_member.%s/%s", group->name.value, member);
	found = json_object_get(ctx->scope, address) != NULL;
	free(address);
	free(member);
	return found;
}

static void plan_wanted_members(struct group_diff *gd, const struct member_wants *w,
				const struct strmap *live_members)
{
	const struct reconcile_ctx *ctx = gd->ctx;
	size_t g = (size_t)(gd->group - ctx->cfg->groups), k;

	for (k = w->first[g]; k < w->first[g + 1]; k++) {
		const struct member_want *want = &w->items[w->order[k]];
		json_t *user = want->guest ? live_user_by_email(ctx->index, want->member)
					   : live_user_by_upn(ctx->index, want->member);
		const char *uid = json_str(user, "id");

		if (uid && strmap_find(&gd->claimed, uid))
			continue; /* the same user declared twice */
		if (uid && strmap_find(live_members, uid)) {
			strmap_put(&gd->claimed, uid, user);
			continue;
		}
		if (!uid && !want->guest) {
			diag_error(gd->diags, want->pos,
				   "group '%s': member %s is not a user in the tenant",
				   gd->group->name.value, want->member);
			continue;
		}
		if (!uid) {
			char *member = want_name(want);
			char *guest_address = xstrfmt("guest.%s", member);
			int planned = json_object_get(gd->planned, guest_address) != NULL;

			free(guest_address);
			free(member);
			if (!planned && !member_in_scope(ctx, gd->group, want))
				continue;
		} else {
			strmap_put(&gd->claimed, uid, user);
		}
		plan_member_add(gd, want, uid);
	}
}

static void plan_undeclared_removals(struct group_diff *gd, const json_t *live_group)
{
	const struct cfg_group *g = gd->group;
	json_t *id_value;
	size_t i;

	json_array_foreach(json_object_get(live_group, "members"), i, id_value)
	{
		const char *id = json_string_value(id_value);
		json_t *user;
		struct plan_action *a;
		char *member, *name;

		/* most members are declared: the group's own map says so before the model's */
		if (!id || strmap_find(&gd->claimed, id) || strmap_find(gd->deleted, id) ||
		    !(user = live_user_by_id(gd->ctx->index, id)))
			continue;
		if (live_user_is_external(user))
			member = live_user_email(user);
		else
			member = json_str(user, "userPrincipalName")
				     ? xstrdup(json_str(user, "userPrincipalName"))
				     : NULL;
		if (!member)
			member = xstrdup(id);
		name = xstrfmt("%s/%s", g->name.value, member);
		if (!json_object_get(gd->named, name)) {
			json_object_set_new(gd->named, name, json_true());
			a = plan_add_action(gd->plan, &kind_group_member, PLAN_DELETE, name,
					    g->membership.set ? &g->membership.pos : &g->pos);
			plan_action_add_change(a, "member", json_string(member), NULL);
			a->data = json_pack("{s:{s:s}, s:{s:s}}", "group", "id", gd->group_id,
					    "member", "id", id);
		}
		free(member);
		free(name);
	}
}

/* What the diff of every declared group reads; nothing changes it while they run. */
struct member_diff {
	const struct reconcile_ctx *ctx;
	const struct member_wants *wants;
	json_t *counts;  /* displayName -> how many live groups hold it */
	json_t *planned; /* addresses of the earlier kinds' actions */
	json_t *in_scope;
	const struct strmap *deleted;
};

static void diff_group(const struct member_diff *md, const struct cfg_group *g, struct plan *plan,
		       struct diag_list *diags)
{
	const struct reconcile_ctx *ctx = md->ctx;
	struct group_diff gd = {ctx, plan, diags, md->planned,    md->deleted,
				g,   NULL, NULL,  STRMAP_INIT(0), NULL};
	struct strmap live_members = STRMAP_INIT(0);
	json_t *live_group, *id;
	size_t j;

	if (!g->name.value || json_integer_value(json_object_get(md->counts, g->name.value)) > 1 ||
	    (md->in_scope && !json_object_get(md->in_scope, g->name.value)))
		return;
	live_group = live_group_by_name(ctx->index, g->name.value);
	gd.group_address = xstrfmt("group.%s", g->name.value);
	if (!live_group && !json_object_get(md->planned, gd.group_address)) {
		free(gd.group_address);
		return;
	}
	gd.group_id = json_str(live_group, "id");
	gd.named = json_object();
	json_array_foreach(json_object_get(live_group, "members"), j, id)
	{
		strmap_put(&live_members, json_string_value(id), id);
	}
	plan_wanted_members(&gd, md->wants, &live_members);
	if (live_group && gd.group_id &&
	    !(g->membership.set && g->membership.value == MEMBERSHIP_ADDITIVE))
		plan_undeclared_removals(&gd, live_group);
	strmap_release(&live_members);
	strmap_release(&gd.claimed);
	json_decref(gd.named);
	free(gd.group_address);
}

/* The declared groups from..to, into a plan and diagnostics of their own. */
struct group_range {
	const struct member_diff *md;
	size_t from, to;
	struct plan *plan;
	struct diag_list diags;
};

static void *diff_groups(void *arg)
{
	struct group_range *r = arg;
	size_t i;

	for (i = r->from; i < r->to; i++)
		diff_group(r->md, &r->md->ctx->cfg->groups[i], r->plan, &r->diags);
	return NULL;
}

/* Where the declared groups split into two runs with about as many wants each. */
static size_t middle_group(const struct member_wants *w, size_t groups_nr)
{
	size_t g = 0;

	while (g < groups_nr && 2 * w->first[g + 1] < w->nr)
		g++;
	return g < groups_nr ? g + 1 : groups_nr;
}

/*
 * Each group's members are diffed apart from the others', so the groups are
 * diffed in two runs, the second on a thread of its own into a plan of its
 * own; its actions and diagnostics then follow the first run's, as if one
 * run had made them all.
 */
static int group_member_diff(const struct reconcile_ctx *ctx, struct plan *plan)
{
	struct member_wants wants;
	struct strmap deleted = STRMAP_INIT(0);
	struct member_diff md = {ctx,
				 &wants,
				 live_group_name_counts(ctx->live),
				 planned_addresses(plan),
				 ctx->scope ? scoped_groups(ctx->scope) : NULL,
				 &deleted};
	struct group_range first, second;
	struct background bg;
	size_t middle;

	deleted_users(&deleted, plan);
	wants_collect(&wants, ctx->cfg);
	middle = middle_group(&wants, ctx->cfg->groups_nr);
	first = (struct group_range){&md, 0, middle, plan, DIAG_LIST_INIT};
	second = (struct group_range){&md, middle, ctx->cfg->groups_nr, plan_new(), DIAG_LIST_INIT};
	background_start(&bg, diff_groups, &second);
	diff_groups(&first);
	background_wait(&bg);
	diag_list_take(ctx->diags, &first.diags);
	diag_list_take(ctx->diags, &second.diags);
	plan_take_actions(plan, second.plan);
	plan_free(second.plan);

	wants_release(&wants);
	json_decref(md.counts);
	json_decref(md.planned);
	strmap_release(&deleted);
	json_decref(md.in_scope);
	return 0;
}

static enum apply_step_result
group_member_apply_step(struct apply_ctx *ctx, const struct plan_action *action, json_t *state,
			const struct tenant_request *prev, struct tenant_request *next)
{
	const char *gid = apply_ctx_resolve(ctx, action->data, "group");
	const char *uid = apply_ctx_resolve(ctx, action->data, "member");
	int adding = action->op == PLAN_CREATE;

	if (!gid || !uid) {
		apply_ctx_fail(ctx, action, prev, "%s: the %s has no id (was it created?)",
			       action->address, gid ? "member" : "group");
		return APPLY_STEP_FAILED;
	}
	if (prev) {
		if (tenant_request_ok(prev))
			return APPLY_STEP_DONE;
		if (adding && prev->status == 400 && answer_message_contains(prev, "already exist"))
			return APPLY_STEP_DONE;
		if (!adding && prev->status == 404)
			return APPLY_STEP_DONE;
		/* Adding and removing are idempotent: a lost answer is simply sent again. */
		if (!tenant_request_ambiguous(prev) || !state_take_resend(state))
			return apply_fail_request(ctx, action, prev);
	}
	if (adding) {
		char *ref = xstrfmt(DIRECTORY_OBJECT_URL "%s", uid);

		tenant_request_init(next, "POST", json_pack("{s:s}", "@odata.id", ref),
				    TENANT_BATCHABLE | TENANT_RETRY_NOT_FOUND, action->address,
				    "/v1.0/groups/%s" MEMBERS_REF, gid);
		free(ref);
	} else {
		tenant_request_init(next, "DELETE", NULL, TENANT_BATCHABLE, action->address,
				    "/v1.0/groups/%s/members/%s/$ref", gid, uid);
	}
	return APPLY_STEP_MORE;
}

/* Adds to one group join: POST /v1.0/groups/{id}/members/$ref; the key is the group's path. */
static char *group_member_join_key(const struct tenant_request *req)
{
	size_t len = strlen(req->path), suffix = strlen(MEMBERS_REF);

	if (strcmp(req->method, "POST") || len <= suffix ||
	    strcmp(req->path + len - suffix, MEMBERS_REF))
		return NULL;
	return xstrndup(req->path, len - suffix);
}

/* PATCH /v1.0/groups/{id} {"members@odata.bind": [...]}: Graph adds all or none. */
static void group_member_join_build(const struct tenant_request *const *parts, size_t nr,
				    struct tenant_request *joint)
{
	json_t *binds = json_array();
	char *group = group_member_join_key(parts[0]);
	char *what = xstrfmt("%s and %zu more", parts[0]->what, nr - 1);
	size_t i;

	for (i = 0; i < nr; i++)
		json_array_append(binds, json_object_get(parts[i]->body, "@odata.id"));
	tenant_request_init(joint, "PATCH", json_pack("{s:o}", "members@odata.bind", binds),
			    TENANT_BATCHABLE, what, "%s", group);
	free(what);
	free(group);
}

const struct kind kind_group_member = {
    .name = "group_member",
    .read = group_member_read,
    .diff = group_member_diff,
    .apply_step = group_member_apply_step,
    .join_max = GROUP_BIND_MAX,
    .join_key = group_member_join_key,
    .join_build = group_member_join_build,
};
