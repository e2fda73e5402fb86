/*
 * apply: the executor. It runs a plan's actions in rounds: each round asks
 * every ready action for its next request (kind->apply_step), sends them all
 * in one tenant_run() and feeds the answers back. An action is ready when
 * every plan action it depends on has applied; when one of those failed or was
 * skipped, it is skipped. Nothing here decides what to change: the plan did.
 *
 * Before the first write it refuses a plan that deletes more than maxDestroy
 * objects or deletes anything outside a prune scope. After the last write it
 * commits the tenant (the snapshot backend keeps what was applied, even after
 * a partial failure) and, when asked, re-reads what it applied (kind.h:
 * scope) and re-diffs to report what Graph did not take.
 */
#include "apply.h"
#include "../schema/base/json_memory.h"
#include "../schema/base/strbuf.h"
#include "../schema/base/xalloc.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* A step function that never finishes is a bug; stop it rather than loop forever. */
#define APPLY_MAX_STEPS 1000

struct action_run {
	json_t *state;
	int started;
	struct tenant_request prev; /* the answered request, handed to the next step */
	int has_prev;
	struct tenant_request next; /* what the step asked to send in the next round */
	int has_next;
	int send_alone; /* next goes by itself: the joint request it was part of failed */
	unsigned steps;
	/* This round's joint request (kind.h: join_key): the lead, the first part in
	 * plan order, counts the parts; every part points to the next one. */
	size_t join_next;
	size_t join_tail;
	size_t join_nr;
	int joined; /* a part that another action leads */
};

#define NO_PART ((size_t)-1)

struct apply_report {
	FILE *out;
	FILE *log;
	const struct apply_options *opts;
	size_t finished, total;
	size_t created, updated, deleted, failed, skipped;
};

static size_t action_index(const struct apply_ctx *ctx, const struct plan_action *action)
{
	return (size_t)(action - ctx->plan->actions);
}

const char *apply_ctx_id(const struct apply_ctx *ctx, const char *address)
{
	if (!ctx->ids || !address)
		return NULL;
	return json_string_value(json_object_get(ctx->ids, address));
}

void apply_ctx_set_id(struct apply_ctx *ctx, const char *address, const char *id)
{
	if (!address || !id || !*id)
		return;
	if (!ctx->ids)
		ctx->ids = json_object();
	json_object_set_new(ctx->ids, address, json_string(id));
}

const char *apply_ctx_resolve(const struct apply_ctx *ctx, const json_t *data, const char *key)
{
	const json_t *ref = json_object_get(data, key);
	const char *id;

	if (json_is_string(ref))
		return json_string_value(ref);
	id = json_string_value(json_object_get(ref, "id"));
	if (id && *id)
		return id;
	return apply_ctx_id(ctx, json_string_value(json_object_get(ref, "address")));
}

static void outcome_set_error(struct apply_outcome *o, char *error, const char *request_id)
{
	free(o->error);
	free(o->request_id);
	o->error = error;
	o->request_id = request_id ? xstrdup(request_id) : NULL;
}

void apply_ctx_fail(struct apply_ctx *ctx, const struct plan_action *action,
		    const struct tenant_request *req, const char *fmt, ...)
{
	struct strbuf msg = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (req && !tenant_request_ok(req)) {
		char *why = tenant_request_describe_error(req);

		if (!strstr(msg.buf, why))
			strbuf_addf(&msg, "%s%s", msg.len ? ": " : "", why);
		free(why);
	}
	outcome_set_error(&ctx->outcomes[action_index(ctx, action)], strbuf_detach(&msg, NULL),
			  req ? req->error.request_id : NULL);
}

/* Prune scopes (DESIGN.md §4): the configuration must allow every delete. */

static int domain_is_partners(const struct cfg_partner *p, const char *domain)
{
	size_t i;

	for (i = 0; i < p->domains.nr; i++)
		if (p->domains.items[i].value && !strcasecmp(p->domains.items[i].value, domain))
			return 1;
	return 0;
}

static int guest_delete_allowed(const struct config *cfg, const char *email, struct strbuf *why)
{
	const char *at = strrchr(email, '@');
	size_t i;

	if (!at) {
		strbuf_addstr(why, "it is not an email address");
		return 0;
	}
	for (i = 0; i < cfg->partners_nr; i++) {
		const struct cfg_partner *p = &cfg->partners[i];

		if (!domain_is_partners(p, at + 1))
			continue;
		if (p->prune_guests.set && p->prune_guests.value)
			return 1;
		strbuf_addf(why, "partner %s does not set pruneGuests", p->name.value);
		return 0;
	}
	strbuf_addf(why, "no partner declares the domain %s with pruneGuests", at + 1);
	return 0;
}

/* Names "OWNER/ITEM" where OWNER may itself hold a '/': tries every split. */
typedef int (*owner_match_fn)(const struct config *cfg, const char *owner);

static int owner_declared(const struct config *cfg, const char *name, owner_match_fn match)
{
	const char *slash;
	int found = 0;

	for (slash = strchr(name, '/'); slash && !found; slash = strchr(slash + 1, '/')) {
		char *owner = xstrndup(name, (size_t)(slash - name));

		found = match(cfg, owner);
		free(owner);
	}
	return found;
}

static int group_is_authoritative(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->groups_nr; i++) {
		const struct cfg_group *g = &cfg->groups[i];

		if (g->name.value && !strcmp(g->name.value, name))
			return !g->membership.set ||
			       g->membership.value == MEMBERSHIP_AUTHORITATIVE;
	}
	return 0;
}

static int package_is_declared(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->access_packages_nr; i++)
		if (cfg->access_packages[i].name.value &&
		    !strcmp(cfg->access_packages[i].name.value, name))
			return 1;
	return 0;
}

static int ca_delete_allowed(const struct config *cfg, const char *name, struct strbuf *why)
{
	const struct cfg_conditional_access *ca = &cfg->conditional_access;
	const char *prefix = ca->name_prefix.value;

	if (!ca->prune.set || !ca->prune.value) {
		strbuf_addstr(why, "conditionalAccess.prune is not true");
		return 0;
	}
	if (!prefix || !*prefix) {
		strbuf_addstr(why, "conditionalAccess.namePrefix is not set");
		return 0;
	}
	if (strncmp(name, prefix, strlen(prefix))) {
		strbuf_addf(why, "its name does not start with the namePrefix \"%s\"", prefix);
		return 0;
	}
	return 1;
}

static int delete_in_scope(const struct config *cfg, const struct plan_action *a,
			   struct strbuf *why)
{
	const char *kind = a->kind ? a->kind->name : "";

	if (!strcmp(kind, "guest"))
		return guest_delete_allowed(cfg, a->name, why);
	if (!strcmp(kind, "group_member")) {
		if (owner_declared(cfg, a->name, group_is_authoritative))
			return 1;
		strbuf_addstr(why, "its group is not declared with membership: authoritative");
		return 0;
	}
	if (!strcmp(kind, "conditional_access_policy"))
		return ca_delete_allowed(cfg, a->name, why);
	if (!strcmp(kind, "access_package_policy") || !strcmp(kind, "access_package_resource")) {
		if (owner_declared(cfg, a->name, package_is_declared))
			return 1;
		strbuf_addstr(why, "its access package is not declared");
		return 0;
	}
	strbuf_addf(why, "%s objects are never deleted", kind);
	return 0;
}

int apply_check_deletes(const struct plan *plan, const struct config *cfg, long long max_destroy)
{
	size_t i, deletes = plan_count(plan, PLAN_DELETE);

	if (max_destroy >= 0 && deletes > (unsigned long long)max_destroy)
		return b2b_error_set("the plan deletes %zu objects; maxDestroy is %lld "
				     "(settings.maxDestroy or --max-destroy): refusing to apply",
				     deletes, max_destroy);
	if (!cfg)
		return 0;
	for (i = 0; i < plan->nr; i++) {
		const struct plan_action *a = &plan->actions[i];
		struct strbuf why = STRBUF_INIT;

		if (a->op != PLAN_DELETE || delete_in_scope(cfg, a, &why)) {
			strbuf_release(&why);
			continue;
		}
		b2b_error_set("the plan deletes %s outside any prune scope (%s): refusing to apply",
			      a->address, why.buf);
		strbuf_release(&why);
		return -1;
	}
	return 0;
}

/* A saved plan is applied only while the tenant still asks for exactly it. */

static int json_same(const json_t *a, const json_t *b)
{
	if (!a || json_is_null(a))
		return !b || json_is_null(b);
	return b && json_equal((json_t *)a, (json_t *)b);
}

static int action_same(const struct plan_action *a, const struct plan_action *b)
{
	size_t i;

	if (a->op != b->op || a->changes_nr != b->changes_nr || !json_same(a->data, b->data))
		return 0;
	for (i = 0; i < a->changes_nr; i++) {
		const struct plan_change *x = &a->changes[i], *y = &b->changes[i];

		if (strcmp(x->path, y->path) || !json_same(x->before, y->before) ||
		    !json_same(x->after, y->after))
			return 0;
	}
	return 1;
}

/* `now` is the fresh plan's action for the same object, NULL when it has none. */
static int changed_since(const struct plan_action *a, const struct plan_action *now)
{
	const char *when = now ? now->last_changed : NULL;

	if (when && a->last_changed && !strcmp(when, a->last_changed))
		when = NULL;
	return b2b_error_set("%s %s changed since the plan was made; run plan again%s%s%s",
			     a->kind ? a->kind->name : "object", a->name,
			     when ? " (Graph changed it at " : "", when ? when : "",
			     when ? ")" : "");
}

int apply_check_current(const struct plan *saved, const struct plan *fresh)
{
	size_t i;

	for (i = 0; i < saved->nr; i++) {
		const struct plan_action *a = &saved->actions[i];
		const struct plan_action *now = plan_find(fresh, a->address);

		if (!now || !action_same(a, now))
			return changed_since(a, now);
	}
	for (i = 0; i < fresh->nr; i++)
		if (!plan_find(saved, fresh->actions[i].address))
			return changed_since(&fresh->actions[i], &fresh->actions[i]);
	return 0;
}

/* ids: what exists now, by address. */

static void ids_add_by_name(json_t *ids, const json_t *live, const char *collection,
			    const char *kind)
{
	const json_t *obj;
	size_t i;

	json_array_foreach(json_object_get(live, collection), i, obj)
	{
		const char *name = json_string_value(json_object_get(obj, "displayName"));
		const char *id = json_string_value(json_object_get(obj, "id"));
		char *address;

		if (!name || !id)
			continue;
		address = xstrfmt("%s.%s", kind, name);
		if (!json_object_get(ids, address))
			json_object_set_new(ids, address, json_string(id));
		free(address);
	}
}

static void ids_add_guests(json_t *ids, const json_t *live)
{
	const json_t *user;
	size_t i;

	json_array_foreach(json_object_get(live, "users"), i, user)
	{
		const char *id = json_string_value(json_object_get(user, "id"));
		const char *mail = json_string_value(json_object_get(user, "mail"));
		char *email, *address;

		if (!id)
			continue;
		email = mail && *mail ? lowercase_dup(mail)
				      : guest_email_from_upn(json_string_value(
					    json_object_get(user, "userPrincipalName")));
		if (!email)
			continue;
		address = xstrfmt("guest.%s", email);
		if (!json_object_get(ids, address))
			json_object_set_new(ids, address, json_string(id));
		free(address);
		free(email);
	}
}

static void ids_init(struct apply_ctx *ctx)
{
	size_t i;

	if (!ctx->ids)
		ctx->ids = json_object();
	if (ctx->live) {
		ids_add_by_name(ctx->ids, ctx->live, "groups", "group");
		ids_add_by_name(ctx->ids, ctx->live, "conditionalAccessPolicies",
				"conditional_access_policy");
		ids_add_by_name(ctx->ids, ctx->live, "accessPackageCatalogs", "catalog");
		ids_add_by_name(ctx->ids, ctx->live, "accessPackages", "access_package");
		ids_add_guests(ctx->ids, ctx->live);
	}
	for (i = 0; i < ctx->plan->nr; i++) {
		const struct plan_action *a = &ctx->plan->actions[i];
		const char *id = json_string_value(json_object_get(a->data, "id"));

		if (id && *id)
			json_object_set_new(ctx->ids, a->address, json_string(id));
	}
}

/* The report: a line per finished action, the log file, the progress line. */

static const char *op_done_word(enum plan_op op)
{
	switch (op) {
	case PLAN_CREATE:
		return "created";
	case PLAN_UPDATE:
		return "updated";
	default:
		return "deleted";
	}
}

static const char *op_symbol(enum plan_op op)
{
	switch (op) {
	case PLAN_CREATE:
		return "+";
	case PLAN_UPDATE:
		return "~";
	default:
		return "-";
	}
}

static const char *result_name(enum apply_result r)
{
	switch (r) {
	case APPLY_APPLIED:
		return "applied";
	case APPLY_FAILED:
		return "failed";
	case APPLY_SKIPPED:
		return "skipped";
	default:
		return "pending";
	}
}

static void progress_clear(const struct apply_report *rep)
{
	if (rep->opts->progress)
		fputs("\r\033[K", stderr);
}

static void progress_draw(const struct apply_report *rep, const char *address)
{
	if (!rep->opts->progress)
		return;
	fprintf(stderr, "Applying: %zu/%zu done, last %s", rep->finished, rep->total, address);
	fflush(stderr);
}

static void log_action(const struct apply_report *rep, const struct plan_action *a,
		       const struct apply_outcome *o)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	json_t *line;
	char *text;

	if (!rep->log)
		return;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	line = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?}", "time", stamp, "address",
			 a->address, "action", plan_op_name(a->op), "result",
			 result_name(o->result), "error", o->error, "request_id", o->request_id,
			 "commit", rep->opts->git_commit);
	text = json_text(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
	fprintf(rep->log, "%s\n", text);
	fflush(rep->log);
	free(text);
	json_decref(line);
}

static void report_finished(struct apply_report *rep, const struct plan_action *a,
			    const struct apply_outcome *o)
{
	progress_clear(rep);
	switch (o->result) {
	case APPLY_APPLIED:
		fprintf(rep->out, "%s %s: %s\n", op_symbol(a->op), a->address, op_done_word(a->op));
		if (a->op == PLAN_CREATE)
			rep->created++;
		else if (a->op == PLAN_UPDATE)
			rep->updated++;
		else
			rep->deleted++;
		break;
	case APPLY_FAILED:
		fprintf(rep->out, "! %s: failed: %s\n", a->address, o->error ? o->error : "");
		rep->failed++;
		break;
	default:
		fprintf(rep->out, "- %s: skipped: %s\n", a->address, o->error ? o->error : "");
		rep->skipped++;
		break;
	}
	fflush(rep->out);
	rep->finished++;
	log_action(rep, a, o);
	progress_draw(rep, a->address);
}

/* The executor. */

static void finish(struct apply_ctx *ctx, struct apply_report *rep, size_t i,
		   enum apply_result result)
{
	struct apply_outcome *o = &ctx->outcomes[i];

	o->result = result;
	if (result == APPLY_FAILED && !o->error)
		o->error = xstrdup("failed without saying why");
	report_finished(rep, &ctx->plan->actions[i], o);
}

/*
 * APPLY_APPLIED when every dependency in the plan applied, APPLY_PENDING while
 * one still runs, APPLY_SKIPPED (with *blocker set) when one failed or was skipped.
 */
static enum apply_result dependencies_state(const struct apply_ctx *ctx, size_t i,
					    const char **blocker)
{
	const struct plan_action *a = &ctx->plan->actions[i];
	enum apply_result state = APPLY_APPLIED;
	size_t d;

	for (d = 0; d < a->depends_nr; d++) {
		const struct plan_action *dep = plan_find(ctx->plan, a->depends_on[d]);
		enum apply_result r;

		if (!dep || dep == a)
			continue;
		r = ctx->outcomes[action_index(ctx, dep)].result;
		if (r == APPLY_FAILED || r == APPLY_SKIPPED) {
			*blocker = a->depends_on[d];
			return APPLY_SKIPPED;
		}
		if (r == APPLY_PENDING)
			state = APPLY_PENDING;
	}
	return state;
}

static void skip_for(struct apply_ctx *ctx, struct apply_report *rep, size_t i, const char *blocker)
{
	const struct plan_action *dep = plan_find(ctx->plan, blocker);

	outcome_set_error(&ctx->outcomes[i],
			  xstrfmt("depends on %s, which %s", blocker,
				  ctx->outcomes[action_index(ctx, dep)].result == APPLY_FAILED
				      ? "failed"
				      : "was skipped"),
			  NULL);
	finish(ctx, rep, i, APPLY_SKIPPED);
}

/* Runs the action's next step: it finishes, or leaves a request in run->next. */
static void step(struct apply_ctx *ctx, struct apply_report *rep, struct action_run *run, size_t i)
{
	const struct plan_action *a = &ctx->plan->actions[i];
	const struct tenant_request *prev = run->has_prev ? &run->prev : NULL;
	struct tenant_request *next = &run->next;
	enum apply_step_result r;

	memset(next, 0, sizeof(*next));
	if (!a->kind || !a->kind->apply_step) {
		outcome_set_error(&ctx->outcomes[i],
				  xstrfmt("b2bctl cannot apply %s changes yet",
					  a->kind ? a->kind->name : "unknown"),
				  NULL);
		r = APPLY_STEP_FAILED;
	} else if (++run->steps > APPLY_MAX_STEPS) {
		outcome_set_error(&ctx->outcomes[i],
				  xstrfmt("gave up after %d requests", APPLY_MAX_STEPS), NULL);
		r = APPLY_STEP_FAILED;
	} else {
		r = a->kind->apply_step(ctx, a, run->state, prev, next);
	}

	if (r == APPLY_STEP_FAILED && !ctx->outcomes[i].error && prev && !tenant_request_ok(prev))
		apply_ctx_fail(ctx, a, prev, "%s", "");
	if (run->has_prev) {
		tenant_request_release(&run->prev);
		run->has_prev = 0;
	}
	if (r == APPLY_STEP_MORE && !next->method) {
		outcome_set_error(
		    &ctx->outcomes[i],
		    xstrfmt("%s asked for a request without giving one", a->kind->name), NULL);
		r = APPLY_STEP_FAILED;
	}
	if (r == APPLY_STEP_MORE) {
		run->has_next = 1;
		return;
	}
	tenant_request_release(next);
	finish(ctx, rep, i, r == APPLY_STEP_DONE ? APPLY_APPLIED : APPLY_FAILED);
}

/* The backend itself failed (sign-in, transport): every unanswered request gets its error. */
static void round_backend_failed(struct tenant_request *reqs, size_t nr)
{
	const char *why = b2b_error_last() ? b2b_error_last() : "the tenant backend failed";
	size_t k;

	for (k = 0; k < nr; k++) {
		if (reqs[k].status || reqs[k].error.message)
			continue;
		reqs[k].error.message = xstrdup(why);
		reqs[k].error.ambiguous = strcmp(reqs[k].method, "GET") != 0;
	}
}

/* Starts every action whose dependencies applied; skips those whose dependencies did not. */
static void start_ready(struct apply_ctx *ctx, struct apply_report *rep, struct action_run *runs)
{
	size_t i;

	for (i = 0; i < ctx->plan->nr; i++) {
		const char *blocker = NULL;
		enum apply_result deps;

		if (ctx->outcomes[i].result != APPLY_PENDING || runs[i].started)
			continue;
		deps = dependencies_state(ctx, i, &blocker);
		if (deps == APPLY_PENDING)
			continue;
		if (deps == APPLY_SKIPPED) {
			skip_for(ctx, rep, i, blocker);
			continue;
		}
		runs[i].started = 1;
		runs[i].state = json_object();
		step(ctx, rep, &runs[i], i);
	}
}

static int stop_requested(const struct apply_report *rep)
{
	return rep->opts->stop && *rep->opts->stop;
}

/* Between rounds, on request: what started fails (it may be half done), the rest is skipped. */
static void stop_all(struct apply_ctx *ctx, struct apply_report *rep, struct action_run *runs)
{
	size_t i;

	for (i = 0; i < ctx->plan->nr; i++) {
		if (ctx->outcomes[i].result != APPLY_PENDING)
			continue;
		if (runs[i].has_next) {
			tenant_request_release(&runs[i].next);
			runs[i].has_next = 0;
		}
		outcome_set_error(
		    &ctx->outcomes[i],
		    xstrdup(runs[i].started ? "interrupted before it completed" : "interrupted"),
		    NULL);
		finish(ctx, rep, i, runs[i].started ? APPLY_FAILED : APPLY_SKIPPED);
	}
}

/* Links the requests of this round that may travel as one (kind.h: join_key). */
static void join_round(const struct apply_ctx *ctx, struct action_run *runs)
{
	json_t *open = json_object(); /* kind and key -> lead of the group still filling */
	size_t i;

	for (i = 0; i < ctx->plan->nr; i++) {
		const struct kind *kind = ctx->plan->actions[i].kind;
		struct action_run *run = &runs[i], *lead;
		char *key, *slot;
		json_t *at;

		run->join_next = NO_PART;
		run->join_tail = i;
		run->join_nr = 1;
		run->joined = 0;
		if (!run->has_next || run->send_alone || !kind || !kind->join_key ||
		    !kind->join_build || kind->join_max < 2 || !(key = kind->join_key(&run->next)))
			continue;
		slot = xstrfmt("%s %s", kind->name, key);
		free(key);
		at = json_object_get(open, slot);
		if (!at) {
			json_object_set_new(open, slot, json_integer((json_int_t)i));
			free(slot);
			continue;
		}
		lead = &runs[json_integer_value(at)];
		runs[lead->join_tail].join_next = i;
		lead->join_tail = i;
		run->joined = 1;
		if (++lead->join_nr >= kind->join_max)
			json_object_del(open, slot);
		free(slot);
	}
	json_decref(open);
}

static void join_build(const struct apply_ctx *ctx, const struct action_run *runs, size_t lead,
		       struct tenant_request *joint)
{
	const struct tenant_request **parts = xcalloc(runs[lead].join_nr, sizeof(*parts));
	size_t nr = 0, p;

	for (p = lead; p != NO_PART; p = runs[p].join_next)
		parts[nr++] = &runs[p].next;
	memset(joint, 0, sizeof(*joint));
	ctx->plan->actions[lead].kind->join_build(parts, nr, joint);
	free(parts);
}

static char *strdup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* Gives a part of a joint request the joint answer (not its body: it belongs to the joint). */
static void answer_part(struct tenant_request *part, const struct tenant_request *joint)
{
	part->status = joint->status;
	part->attempts = joint->attempts;
	part->error.code = strdup_or_null(joint->error.code);
	part->error.message = strdup_or_null(joint->error.message);
	part->error.request_id = strdup_or_null(joint->error.request_id);
	part->error.date = strdup_or_null(joint->error.date);
	part->error.ambiguous = joint->error.ambiguous;
}

static void step_answered(struct apply_ctx *ctx, struct apply_report *rep, struct action_run *runs,
			  size_t i, struct tenant_request *answered)
{
	runs[i].prev = *answered;
	runs[i].has_prev = 1;
	runs[i].has_next = 0;
	step(ctx, rep, &runs[i], i);
}

/* Hands a joint answer to its parts, or sends them alone next round (kind.h: join_key). */
static void joint_answered(struct apply_ctx *ctx, struct apply_report *rep, struct action_run *runs,
			   size_t lead, const struct tenant_request *joint)
{
	int shared = tenant_request_ok(joint) || tenant_request_ambiguous(joint);
	size_t p = lead, next;

	while (p != NO_PART) {
		next = runs[p].join_next;
		if (shared) {
			answer_part(&runs[p].next, joint);
			step_answered(ctx, rep, runs, p, &runs[p].next);
		} else {
			runs[p].send_alone = 1;
		}
		p = next;
	}
}

static void execute(struct apply_ctx *ctx, struct apply_report *rep)
{
	size_t n = ctx->plan->nr, i, k, nr;
	struct action_run *runs = xcalloc(n ? n : 1, sizeof(*runs));
	struct tenant_request *round = xcalloc(n ? n : 1, sizeof(*round));
	size_t *owner = xcalloc(n ? n : 1, sizeof(*owner));

	for (;;) {
		if (stop_requested(rep)) {
			stop_all(ctx, rep, runs);
			break;
		}
		start_ready(ctx, rep, runs);
		join_round(ctx, runs);
		nr = 0;
		for (i = 0; i < n; i++) {
			if (!runs[i].has_next || runs[i].joined)
				continue;
			if (runs[i].join_nr > 1) {
				join_build(ctx, runs, i, &round[nr]);
			} else {
				round[nr] = runs[i].next;
				runs[i].has_next = 0;
				runs[i].send_alone = 0;
			}
			owner[nr++] = i;
		}
		if (!nr)
			break;
		if (tenant_run(ctx->tenant, round, nr))
			round_backend_failed(round, nr);
		for (k = 0; k < nr; k++) {
			if (runs[owner[k]].join_nr > 1) {
				joint_answered(ctx, rep, runs, owner[k], &round[k]);
				tenant_request_release(&round[k]);
			} else {
				step_answered(ctx, rep, runs, owner[k], &round[k]);
			}
		}
	}

	/* Nothing left to send, yet some wait: they wait on each other. */
	for (i = 0; i < n; i++) {
		if (ctx->outcomes[i].result != APPLY_PENDING)
			continue;
		outcome_set_error(&ctx->outcomes[i],
				  xstrdup("its dependencies never completed (a dependency cycle)"),
				  NULL);
		finish(ctx, rep, i, APPLY_SKIPPED);
	}
	for (i = 0; i < n; i++)
		json_decref(runs[i].state);
	free(runs);
	free(round);
	free(owner);
}

/* After writing: read the tenant again and name what still differs. */

static void warn_not_taken(FILE *out, const struct plan_action *done,
			   const struct plan_action *again)
{
	struct strbuf what = STRBUF_INIT;
	size_t c;

	if (again->op == PLAN_CREATE && done->op == PLAN_CREATE) {
		strbuf_addstr(&what,
			      " (not found when read back; Graph may still be replicating it)");
	} else if (again->op == PLAN_DELETE) {
		strbuf_addstr(&what, " (still exists)");
	} else {
		for (c = 0; c < again->changes_nr; c++)
			strbuf_addf(&what, "%s%s", c ? ", " : " ", again->changes[c].path);
	}
	fprintf(out, "warning: Graph did not take: %s%s\n", again->address, what.buf);
	strbuf_release(&what);
}

size_t apply_warn_not_taken(const struct apply_ctx *ctx, const struct plan *fresh, FILE *out)
{
	size_t i, warned = 0;

	for (i = 0; i < ctx->plan->nr; i++) {
		const struct plan_action *done = &ctx->plan->actions[i];
		const struct plan_action *again;

		if (ctx->outcomes[i].result != APPLY_APPLIED)
			continue;
		again = plan_find(fresh, done->address);
		if (!again)
			continue;
		warn_not_taken(out, done, again);
		warned++;
	}
	return warned;
}

static const char *first_error(const struct diag_list *diags)
{
	size_t i;

	for (i = 0; i < diags->nr; i++)
		if (diags->items[i].severity == DIAG_ERROR)
			return diags->items[i].message;
	return b2b_error_last() ? b2b_error_last() : "unknown error";
}

/* The addresses of the applied actions: what verify reads back (kind.h: scope). */
static json_t *applied_addresses(const struct apply_ctx *ctx)
{
	json_t *set = json_object();
	size_t i;

	for (i = 0; i < ctx->plan->nr; i++)
		if (ctx->outcomes[i].result == APPLY_APPLIED)
			json_object_set_new(set, ctx->plan->actions[i].address, json_true());
	return set;
}

static void verify_applied(struct apply_ctx *ctx)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct reconcile_ctx rctx = {0};
	struct plan *fresh = plan_new();
	json_t *scope = applied_addresses(ctx);

	rctx.cfg = ctx->cfg;
	rctx.tenant = ctx->tenant;
	rctx.live = json_object();
	rctx.diags = &diags;
	rctx.now = time(NULL);
	rctx.scope = scope;
	if (reconcile_read(&rctx) < 0) {
		fprintf(stderr, "warning: could not read the tenant back to verify the apply: %s\n",
			b2b_error_last() ? b2b_error_last() : "unknown error");
		goto out;
	}
	if (diag_count(&diags, DIAG_ERROR)) {
		fprintf(stderr, "warning: could not read the tenant back to verify the apply: %s\n",
			first_error(&diags));
		goto out;
	}
	rctx.tenant = NULL;
	if (reconcile_diff(&rctx, fresh) < 0 || diag_count(&diags, DIAG_ERROR)) {
		fprintf(stderr,
			"warning: could not compare the tenant again to verify the apply: %s\n",
			first_error(&diags));
		goto out;
	}
	apply_warn_not_taken(ctx, fresh, stderr);
out:
	plan_free(fresh);
	json_decref(rctx.live);
	json_decref(scope);
	diag_list_release(&diags);
}

int apply_plan(struct apply_ctx *ctx, const struct apply_options *opts)
{
	struct apply_report rep = {0};
	char *commit_error = NULL;

	if (apply_check_deletes(ctx->plan, ctx->cfg, opts->max_destroy))
		return -1;
	rep.opts = opts;
	rep.out = opts->report ? opts->report : stdout;
	rep.total = ctx->plan->nr;
	if (opts->log_file && !(rep.log = fopen(opts->log_file, "a")))
		return b2b_error_set("cannot open the log file %s: %s", opts->log_file,
				     strerror(errno));
	if (!ctx->outcomes)
		ctx->outcomes = xcalloc(ctx->plan->nr ? ctx->plan->nr : 1, sizeof(*ctx->outcomes));
	ids_init(ctx);
	execute(ctx, &rep);
	progress_clear(&rep);
	if (ctx->tenant && tenant_commit(ctx->tenant))
		commit_error = xstrdup(b2b_error_last() ? b2b_error_last() : "unknown error");
	if (!commit_error && opts->verify && ctx->cfg && rep.created + rep.updated + rep.deleted)
		verify_applied(ctx);

	fprintf(rep.out,
		"Apply complete: %zu created, %zu updated, %zu deleted, %zu failed, %zu "
		"skipped.\n",
		rep.created, rep.updated, rep.deleted, rep.failed, rep.skipped);
	fflush(rep.out);
	if (rep.log)
		fclose(rep.log);
	if (commit_error) {
		b2b_error_set("could not save the tenant, so the changes above are lost: %s",
			      commit_error);
		free(commit_error);
		return -1;
	}
	if (rep.failed || rep.skipped)
		return b2b_error_set("%zu of %zu actions did not apply; apply again to retry them",
				     rep.failed + rep.skipped, ctx->plan->nr);
	return 0;
}

void apply_ctx_release(struct apply_ctx *ctx)
{
	size_t i;

	if (ctx->outcomes && ctx->plan)
		for (i = 0; i < ctx->plan->nr; i++)
			outcome_set_error(&ctx->outcomes[i], NULL, NULL);
	free(ctx->outcomes);
	ctx->outcomes = NULL;
	json_decref(ctx->ids);
	ctx->ids = NULL;
}
