/*
 * guest: B2B guests, matched by email (guest.<email lowercased>).
 *
 * Reads every guest of the tenant in pages of 999 (a large tenant in
 * partitions by userPrincipalName whose pages come in parallel, checked
 * against a count of all guests), then looks up by mail, in batched
 * `mail in (...)` filters, the declared guests the listing did not answer for
 * (invited as userType Member, or changed to it), so requests stay bounded by
 * the tenant's size and the number of new guests. Listed guests are kept in
 * id order, whatever order the pages came in. With a scope (apply's verify) it
 * only looks up the guests in the scope by mail.
 *
 * A missing guest is invited (POST /invitations); a present one is updated
 * (displayName, userType) and re-invited when it is still PendingAcceptance
 * after invitations.resendPendingAfter. Guests are deleted only under their
 * partner's pruneGuests. An invitation whose answer is lost is looked up by
 * mail before it is sent again, so one email never gets two in one apply.
 */
#include "create_once.h"
#include "directory_common.h"
#include "../../schema/base/background.h"
#include "../../schema/base/strbuf.h"
#include "../../schema/base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* What the guest kind and the lints read of a guest, and nothing more: each
 * property is a key in each of up to 100,000 live objects. */
#define GUEST_SELECT                                                                               \
	"id,displayName,mail,otherMails,userPrincipalName,userType,externalUserState,"             \
	"externalUserStateChangeDateTime,creationType,createdDateTime"
/* The listing's page size, and at most this many partitions of it (list_guests). */
#define GUEST_PAGE           999
#define GUEST_PARTITIONS_MAX 16

extern const struct kind kind_guest;

static void mark_declared(char *found, const struct desired_guests *dg, const char *email)
{
	const struct desired_guest *d = desired_guests_find(dg, email);

	if (d)
		found[d - dg->items] = 1;
}

/* Marks in found (one flag per declared guest) those the user answers for. */
static void mark_user_emails(char *found, const struct desired_guests *dg, const json_t *user)
{
	const char *mail = json_str(user, "mail"), *upn = json_str(user, "userPrincipalName");
	json_t *other;
	size_t i;

	mark_declared(found, dg, mail);
	if (!guest_upn_is_for(upn, mail)) {
		char *from_upn = guest_email_from_upn(upn);

		mark_declared(found, dg, from_upn);
		free(from_upn);
	}
	json_array_foreach(json_object_get(user, "otherMails"), i, other)
	{
		mark_declared(found, dg, json_string_value(other));
	}
}

/* Some of the users, marked into their own flags: the halves of a listing go on two threads. */
struct marking {
	const struct desired_guests *dg;
	const json_t *users;
	size_t from, to;
	char *found;
};

static void *mark_users(void *arg)
{
	struct marking *m = arg;
	size_t i;

	m->found = xcalloc(m->dg->nr + 1, 1);
	for (i = m->from; i < m->to; i++)
		mark_user_emails(m->found, m->dg, json_array_get(m->users, i));
	return NULL;
}

/* Properties with a handful of distinct values: the listing shares one string per value. */
static const char *const few_valued[] = {"userType", "externalUserState", "creationType", NULL};
/* Dates that guests invited together hold alike: a page shares one string per value. */
static const char *const often_equal[] = {"createdDateTime", "externalUserStateChangeDateTime",
					  NULL};

/* Where the guest listing's pages go as they arrive. */
struct guest_sink {
	json_t *listed; /* the guests, in arrival order */
	json_t *shared; /* few_valued value -> the one json string every guest holding it shares */
};

/* Whether sharing v would free it: not when someone else holds it too (the
 * snapshot backend's tenant, say), nor when it is already the shared one. */
static int only_ours(const json_t *v)
{
	/* read as jansson changes it: atomically, other threads may hold v too */
	return json_is_string(v) && __atomic_load_n(&v->refcount, __ATOMIC_RELAXED) == 1;
}

static void share_values(json_t *table, json_t *user, const char *const *keys)
{
	for (; *keys; keys++) {
		json_t *value = json_object_get(user, *keys), *known;

		if (!only_ours(value))
			continue;
		known = json_object_get(table, json_string_value(value));
		if (!known)
			json_object_set(table, json_string_value(value), value);
		else if (known != value)
			json_object_set(user, *keys, known);
	}
}

/* Keeps a page's guests, sharing the strings many of them hold alike. */
static void guest_page(void *page_ctx, json_t *value)
{
	struct guest_sink *sink = page_ctx;
	json_t *page_shared = json_object(), *user, *other_mails, *mail;
	size_t i;

	json_array_foreach(value, i, user)
	{
		if (!json_is_object(user))
			continue;
		share_values(sink->shared, user, few_valued);
		share_values(page_shared, user, often_equal);
		other_mails = json_object_get(user, "otherMails");
		mail = json_object_get(user, "mail");
		if (json_array_size(other_mails) == 1 && json_is_string(mail) &&
		    only_ours(json_array_get(other_mails, 0)) &&
		    json_equal(json_array_get(other_mails, 0), mail))
			json_array_set(other_mails, 0, mail);
		json_array_append(sink->listed, user);
	}
	json_decref(page_shared);
}

struct listed_guest {
	const char *id; /* "" when the guest has none */
	json_t *user;
};

static int compare_ids(const void *a, const void *b)
{
	return strcmp(((const struct listed_guest *)a)->id, ((const struct listed_guest *)b)->id);
}

/* The listed guests in id order, each id once: the order Graph pages them in
 * (or partitions deliver them in) never reaches the plan. */
static void sort_by_id(json_t *listed)
{
	size_t n = json_array_size(listed), i, kept = 0;
	struct listed_guest *items = xcalloc(n ? n : 1, sizeof(*items));

	for (i = 0; i < n; i++) {
		const char *id = json_str(json_array_get(listed, i), "id");

		items[i].id = id ? id : "";
		items[i].user = json_incref(json_array_get(listed, i));
	}
	qsort(items, n, sizeof(*items), compare_ids);
	json_array_clear(listed);
	for (i = 0; i < n; i++) {
		if (kept && *items[i].id && !strcmp(items[i].id, items[kept - 1].id)) {
			json_decref(items[i].user);
			continue;
		}
		items[kept++] = items[i];
		json_array_append_new(listed, items[i].user);
	}
	free(items);
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Bounds that cut the guest listing into about `parts` partitions of equal
 * size, from the declared guests' #EXT# userPrincipalNames (which start with
 * the email's local part). A bound is the leading run of lowercase letters and
 * digits of a local part: it holds no '@', so no userPrincipalName equals one,
 * and with `ge` below and `le` above each bound every userPrincipalName falls
 * in exactly one partition.
 */
static json_t *listing_bounds(const struct desired_guests *dg, size_t parts)
{
	json_t *bounds = json_array();
	char **keys;
	size_t i, nr = 0;

	if (parts < 2 || !dg->nr)
		return bounds;
	keys = xcalloc(dg->nr, sizeof(*keys));
	for (i = 0; i < dg->nr; i++) {
		const char *email = dg->items[i].email;
		size_t len = 0;

		while ((email[len] >= 'a' && email[len] <= 'z') ||
		       (email[len] >= '0' && email[len] <= '9'))
			len++;
		if (len)
			keys[nr++] = xstrndup(email, len);
	}
	qsort(keys, nr, sizeof(*keys), compare_strings);
	for (i = 1; i < parts && nr; i++) {
		const char *bound = keys[i * nr / parts];
		const char *last =
		    json_string_value(json_array_get(bounds, json_array_size(bounds) - 1));

		if (!last || strcmp(last, bound) < 0)
			json_array_append_new(bounds, json_string(bound));
	}
	for (i = 0; i < nr; i++)
		free(keys[i]);
	free(keys);
	return bounds;
}

static void add_listing(struct request_list *reqs, struct guest_sink *sink, const char *lower,
			const char *upper)
{
	struct strbuf filter = STRBUF_INIT;
	struct tenant_request *req;

	strbuf_addstr(&filter, "userType%20eq%20%27Guest%27");
	if (lower) {
		strbuf_addstr(&filter, "%20and%20userPrincipalName%20ge%20");
		strbuf_add_odata_literal(&filter, lower);
	}
	if (upper) {
		strbuf_addstr(&filter, "%20and%20userPrincipalName%20le%20");
		strbuf_add_odata_literal(&filter, upper);
	}
	req = request_list_add(reqs);
	tenant_request_init(req, "GET", NULL, TENANT_PAGED, "list guests",
			    "/v1.0/users?$filter=%s&$select=%s&$top=999", filter.buf, GUEST_SELECT);
	req->on_page = guest_page;
	req->page_ctx = sink;
	strbuf_release(&filter);
}

/*
 * Whether the partitions (reqs[1..]) answered for every guest that the count
 * (reqs[0]) found; sorts and dedupes sink->listed.
 */
static int partitions_complete(const struct request_list *reqs, struct guest_sink *sink)
{
	json_t *count = json_object_get(reqs->items[0].response, "@odata.count");
	size_t i;

	for (i = 0; i < reqs->nr; i++)
		if (!tenant_request_ok(&reqs->items[i]))
			return 0;
	sort_by_id(sink->listed);
	return json_is_integer(count) &&
	       json_integer_value(count) == (json_int_t)json_array_size(sink->listed);
}

/*
 * Lists every guest into sink->listed. A large tenant is read in partitions
 * by userPrincipalName, as many as requests run at once, whose pages come in
 * parallel; one more request counts the guests. Unless every partition
 * answered and together they hold exactly that many distinct guests, the
 * listing is read again whole: partitions only ever make it faster.
 */
static int list_guests(struct reconcile_ctx *ctx, const struct desired_guests *dg,
		       struct guest_sink *sink)
{
	struct request_list reqs = REQUEST_LIST_INIT;
	size_t parts = ctx->tenant->parallelism, i;
	json_t *bounds;
	int ret = -1;

	if (parts > GUEST_PARTITIONS_MAX)
		parts = GUEST_PARTITIONS_MAX;
	if (parts > dg->nr / GUEST_PAGE)
		parts = dg->nr / GUEST_PAGE;
	bounds = listing_bounds(dg, parts);
	if (json_array_size(bounds)) {
		tenant_request_init(
		    request_list_add(&reqs), "GET", NULL, TENANT_EVENTUAL, "count guests",
		    "/v1.0/users?$filter=userType%%20eq%%20%%27Guest%%27&$count=true"
		    "&$top=1&$select=id");
		for (i = 0; i <= json_array_size(bounds); i++)
			add_listing(&reqs, sink,
				    i ? json_string_value(json_array_get(bounds, i - 1)) : NULL,
				    json_string_value(json_array_get(bounds, i)));
		if (tenant_run(ctx->tenant, reqs.items, reqs.nr) < 0)
			goto out;
		if (partitions_complete(&reqs, sink)) {
			ret = 0;
			goto out;
		}
		json_array_clear(sink->listed);
		request_list_release(&reqs);
	}
	add_listing(&reqs, sink, NULL, NULL);
	if (tenant_run(ctx->tenant, reqs.items, reqs.nr) < 0 || request_list_check(&reqs) < 0)
		goto out;
	sort_by_id(sink->listed);
	ret = 0;
out:
	request_list_release(&reqs);
	json_decref(bounds);
	return ret;
}

/* The emails of the guests in a read's scope (kind.h), from their addresses. */
static void scoped_emails(const json_t *scope, json_t *emails)
{
	static const char prefix[] = "guest.";
	const char *address;
	json_t *v;

	json_object_foreach((json_t *)scope, address, v)
	{
		if (!strncmp(address, prefix, sizeof(prefix) - 1))
			json_array_append_new(emails, json_string(address + sizeof(prefix) - 1));
	}
}

/* Lists every guest into users; `missing` gets the declared guests the listing did not
 * answer for. */
static int read_listing(struct reconcile_ctx *ctx, const struct desired_guests *dg, json_t *users,
			struct strmap *seen, json_t *missing)
{
	struct guest_sink sink = {json_array(), json_object()};
	struct marking first = {dg, users, 0, 0, NULL}, second = first;
	struct background bg;
	json_t *answer;
	int ret = -1;
	size_t i;

	if (list_guests(ctx, dg, &sink) < 0)
		goto out;
	answer = json_pack("{s:O}", "value", sink.listed);
	live_merge_objects(users, seen, answer, NULL);
	json_decref(answer);
	json_array_clear(sink.listed);

	first.to = second.from = json_array_size(users) / 2;
	second.to = json_array_size(users);
	background_start(&bg, mark_users, &second);
	mark_users(&first);
	background_wait(&bg);
	for (i = 0; i < dg->nr; i++)
		if (!first.found[i] && !second.found[i])
			json_array_append_new(missing, json_string(dg->items[i].email));
	ret = 0;
out:
	json_decref(sink.listed);
	json_decref(sink.shared);
	free(first.found);
	free(second.found);
	return ret;
}

static int guest_read(struct reconcile_ctx *ctx)
{
	struct request_list reqs = REQUEST_LIST_INIT;
	struct desired_guests dg;
	json_t *users = live_collection(ctx->live, "users");
	json_t *missing = json_array();
	struct strmap seen = STRMAP_INIT(0);
	int ret = -1;

	live_id_set(&seen, users);
	desired_guests_collect(&dg, ctx->cfg);
	if (ctx->scope)
		scoped_emails(ctx->scope, missing);
	else if (read_listing(ctx, &dg, users, &seen, missing) < 0)
		goto out;
	request_list_add_in_filters(&reqs, "users", "mail", missing, GUEST_SELECT,
				    "find declared guests by mail");
	if (request_list_run_merge(ctx->tenant, &reqs, users, &seen, NULL) < 0)
		goto out;
	ret = 0;
out:
	desired_guests_release(&dg);
	request_list_release(&reqs);
	strmap_release(&seen);
	json_decref(missing);
	return ret;
}

static const char *declared_user_type(const struct cfg_guest *guest)
{
	return guest->user_type.set && guest->user_type.value == USER_TYPE_MEMBER ? "Member"
										  : "Guest";
}

static json_t *invitation_body(const struct config *cfg, const struct desired_guest *d)
{
	const struct cfg_invitations *inv = &cfg->invitations;
	json_t *body = json_object();

	json_object_set_new(body, "invitedUserEmailAddress", json_string(d->guest->email.value));
	if (inv->redirect_url.value) {
		json_object_set_new(body, "inviteRedirectUrl",
				    json_string(inv->redirect_url.value));
	} else {
		char *url = xstrfmt("https://myapps.microsoft.com/%s",
				    cfg->tenant_id.value ? cfg->tenant_id.value : "");

		json_object_set_new(body, "inviteRedirectUrl", json_string(url));
		free(url);
	}
	json_object_set_new(body, "sendInvitationMessage",
			    json_boolean(inv->send_email.set ? inv->send_email.value : 1));
	if (d->guest->display_name.value)
		json_object_set_new(body, "invitedUserDisplayName",
				    json_string(d->guest->display_name.value));
	json_object_set_new(body, "invitedUserType", json_string(declared_user_type(d->guest)));
	if (inv->message.value)
		json_object_set_new(
		    body, "invitedUserMessageInfo",
		    json_pack("{s:s}", "customizedMessageBody", inv->message.value));
	return body;
}

static void plan_guest_create(const struct reconcile_ctx *ctx, struct plan *plan,
			      const struct desired_guest *d, int domains_change)
{
	struct plan_action *a =
	    plan_add_action(plan, &kind_guest, PLAN_CREATE, d->email, &d->guest->pos);

	plan_action_add_change(a, "email", NULL, json_string(d->guest->email.value));
	if (d->guest->display_name.value)
		plan_action_add_change(a, "displayName", NULL,
				       json_string(d->guest->display_name.value));
	plan_action_add_change(a, "userType", NULL, json_string(declared_user_type(d->guest)));
	if (domains_change)
		plan_action_depends_on(a, "invitation_domains.tenant");
	a->data =
	    json_pack("{s:s, s:o}", "email", d->email, "invitation", invitation_body(ctx->cfg, d));
}

/* "2024-05-01T10:00:00Z", with or without fraction and zone; -1 when unreadable. */
static time_t parse_graph_time(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (!s || sscanf(s, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
			 &tm.tm_min, &tm.tm_sec) != 6)
		return (time_t)-1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

/* The time the guest's invitation has been pending since, when it is due again. */
static const char *pending_too_long(const struct reconcile_ctx *ctx, const json_t *live)
{
	const struct cfg_expiry *after = &ctx->cfg->invitations.resend_pending_after;
	const char *state = json_str(live, "externalUserState");
	const char *since = json_str(live, "externalUserStateChangeDateTime");
	time_t t;

	if (!after->set || after->kind != EXPIRY_DURATION || !state ||
	    strcmp(state, "PendingAcceptance"))
		return NULL;
	if (!since)
		since = json_str(live, "createdDateTime");
	t = parse_graph_time(since);
	if (t == (time_t)-1 || (long long)(ctx->now - t) < after->approx_seconds)
		return NULL;
	return since;
}

static void plan_guest_update(const struct reconcile_ctx *ctx, struct plan *plan,
			      const struct desired_guest *d, const json_t *live)
{
	const char *live_name = json_str(live, "displayName");
	const char *live_type = json_str(live, "userType");
	const char *want_type = declared_user_type(d->guest);
	const char *pending_since = pending_too_long(ctx, live);
	json_t *body = json_object();
	struct plan_action *a;

	if (d->guest->display_name.value &&
	    !str_equal_loose(live_name, d->guest->display_name.value))
		json_object_set_new(body, "displayName", json_string(d->guest->display_name.value));
	if (!live_type || strcasecmp(live_type, want_type))
		json_object_set_new(body, "userType", json_string(want_type));
	if (!json_object_size(body) && !pending_since) {
		json_decref(body);
		return;
	}
	a = plan_add_action(plan, &kind_guest, PLAN_UPDATE, d->email, &d->guest->pos);
	if (json_object_get(body, "displayName"))
		plan_action_add_change(a, "displayName", live_name ? json_string(live_name) : NULL,
				       json_string(d->guest->display_name.value));
	if (json_object_get(body, "userType"))
		plan_action_add_change(a, "userType", live_type ? json_string(live_type) : NULL,
				       json_string(want_type));
	a->data = json_pack("{s:s, s:s}", "id", json_str(live, "id"), "email", d->email);
	if (json_object_size(body))
		json_object_set(a->data, "body", body);
	if (pending_since) {
		char *before = xstrfmt("PendingAcceptance since %s", pending_since);

		plan_action_add_change(a, "invitation", json_string(before), json_string("resend"));
		json_object_set_new(a->data, "invitation", invitation_body(ctx->cfg, d));
		free(before);
	}
	json_decref(body);
}

/* Domain (lowercased) -> the pruning partner, for every partner with pruneGuests: true. */
static json_t *prune_domains(const struct config *cfg)
{
	json_t *owners = json_object();
	size_t p, i;

	for (p = 0; p < cfg->partners_nr; p++) {
		const struct cfg_partner *partner = &cfg->partners[p];

		if (!partner->prune_guests.set || !partner->prune_guests.value)
			continue;
		for (i = 0; i < partner->domains.nr; i++) {
			char *domain;

			if (!partner->domains.items[i].value)
				continue;
			domain = lowercase_dup(partner->domains.items[i].value);
			if (!json_object_get(owners, domain))
				json_object_set_new(owners, domain, json_integer((json_int_t)p));
			free(domain);
		}
	}
	return owners;
}

static void plan_guest_prunes(const struct reconcile_ctx *ctx, struct plan *plan,
			      const struct desired_guests *dg, const json_t *matched)
{
	json_t *owners = prune_domains(ctx->cfg), *planned = json_object(), *u;
	size_t i;

	if (!json_object_size(owners))
		goto out;
	json_array_foreach(json_object_get(ctx->live, "users"), i, u)
	{
		const char *id = json_str(u, "id"), *at;
		const struct cfg_partner *partner;
		struct plan_action *a;
		json_t *owner;
		char *email;

		if (!id || json_object_get(matched, id) || !live_user_is_external(u))
			continue;
		email = live_user_email(u);
		at = email ? strrchr(email, '@') : NULL;
		owner = at ? json_object_get(owners, at + 1) : NULL;
		if (!owner || desired_guests_find(dg, email) || json_object_get(planned, email)) {
			free(email);
			continue;
		}
		partner = &ctx->cfg->partners[json_integer_value(owner)];
		a = plan_add_action(plan, &kind_guest, PLAN_DELETE, email,
				    &partner->prune_guests.pos);
		plan_action_add_change(a, "email", json_string(email), NULL);
		if (json_str(u, "displayName"))
			plan_action_add_change(a, "displayName",
					       json_string(json_str(u, "displayName")), NULL);
		a->data = json_pack("{s:s, s:s}", "id", id, "email", email);
		json_object_set_new(planned, email, json_true());
		free(email);
	}
out:
	json_decref(owners);
	json_decref(planned);
}

static int any_partner_prunes(const struct config *cfg)
{
	size_t p;

	for (p = 0; p < cfg->partners_nr; p++)
		if (cfg->partners[p].prune_guests.set && cfg->partners[p].prune_guests.value)
			return 1;
	return 0;
}

/* A read with a scope looked up only the guests in it (guest_read); the users it
 * holds besides came with fewer fields (group members), so only those are compared. */
static int in_scope(const json_t *scope, const char *email)
{
	char *address = xstrfmt("guest.%s", email);
	int found = json_object_get(scope, address) != NULL;

	free(address);
	return found;
}

static int guest_diff(const struct reconcile_ctx *ctx, struct plan *plan)
{
	struct desired_guests dg;
	/* the live ids of declared guests, which only pruning asks about */
	json_t *matched = any_partner_prunes(ctx->cfg) ? json_object() : NULL;
	int domains_change = plan_find(plan, "invitation_domains.tenant") != NULL;
	size_t i;

	desired_guests_collect(&dg, ctx->cfg);
	for (i = 0; i < dg.nr; i++) {
		const struct desired_guest *d = &dg.items[i];
		json_t *live;

		if (ctx->scope && !in_scope(ctx->scope, d->email))
			continue;
		live = live_user_by_email(ctx->index, d->email);
		if (!live) {
			plan_guest_create(ctx, plan, d, domains_change);
			continue;
		}
		if (matched && json_str(live, "id"))
			json_object_set_new(matched, json_str(live, "id"), json_true());
		if (!live_user_is_external(live)) {
			diag_error(ctx->diags, &d->guest->email.pos,
				   "guest %s: the tenant user %s has this email and is not an "
				   "external user; b2bctl manages only guests",
				   d->guest->email.value, json_str(live, "userPrincipalName"));
			continue;
		}
		plan_guest_update(ctx, plan, d, live);
	}
	plan_guest_prunes(ctx, plan, &dg, matched);
	json_decref(matched);
	desired_guests_release(&dg);
	return 0;
}

static void request_invite(const struct plan_action *action, struct tenant_request *next)
{
	tenant_request_init(next, "POST",
			    json_deep_copy(json_object_get(action->data, "invitation")),
			    TENANT_BATCHABLE, action->address, "/v1.0/invitations");
}

static json_t *invited_user(json_t *invitation)
{
	return json_object_get(invitation, "invitedUser");
}

/* create: invite; when the answer is lost, look the user up by mail first. */
static enum apply_step_result guest_apply_create(struct apply_ctx *ctx,
						 const struct plan_action *action, json_t *state,
						 const struct tenant_request *prev,
						 struct tenant_request *next)
{
	struct strbuf lookup = STRBUF_INIT;
	enum apply_step_result res;

	strbuf_addstr(&lookup, "/v1.0/users?$filter=mail%20eq%20");
	strbuf_add_odata_literal(&lookup, json_str(action->data, "email"));
	strbuf_addstr(&lookup, "&$select=id,mail,userType");
	{
		struct create_once c = {
		    .path = "/v1.0/invitations",
		    .body = json_object_get(action->data, "invitation"),
		    .flags = TENANT_BATCHABLE,
		    .created_in_answer = invited_user,
		    .lookup_path = lookup.buf,
		    .lookup_flags = TENANT_PAGED,
		    .find = create_once_find_first,
		    .max_sends = 1 + RESEND_MAX,
		    .missing_id = "%s: the invitation answer carries no invitedUser.id",
		};

		res = create_once_step(ctx, action, state, prev, next, &c, NULL);
	}
	strbuf_release(&lookup);
	return res;
}

/* update: PATCH the user when fields differ, then re-invite when due. */
static enum apply_step_result guest_apply_update(struct apply_ctx *ctx,
						 const struct plan_action *action, json_t *state,
						 const struct tenant_request *prev,
						 struct tenant_request *next)
{
	const char *id = json_str(action->data, "id");
	json_t *body = json_object_get(action->data, "body");
	const char *step = json_str(state, "step");

	if (prev && !tenant_request_ok(prev))
		return apply_fail_request(ctx, action, prev);
	if (!prev && json_object_size(body)) {
		json_object_set_new(state, "step", json_string("patch"));
		tenant_request_init(next, "PATCH", json_deep_copy(body), TENANT_BATCHABLE,
				    action->address, "/v1.0/users/%s", id);
		return APPLY_STEP_MORE;
	}
	if ((!prev || (step && !strcmp(step, "patch"))) &&
	    json_object_get(action->data, "invitation")) {
		json_object_set_new(state, "step", json_string("invite"));
		request_invite(action, next);
		return APPLY_STEP_MORE;
	}
	apply_ctx_set_id(ctx, action->address, id);
	return APPLY_STEP_DONE;
}

static enum apply_step_result guest_apply_step(struct apply_ctx *ctx,
					       const struct plan_action *action, json_t *state,
					       const struct tenant_request *prev,
					       struct tenant_request *next)
{
	const char *id = json_str(action->data, "id");

	if (action->op != PLAN_CREATE && !id) {
		apply_ctx_fail(ctx, action, prev, "%s: the plan holds no user id", action->address);
		return APPLY_STEP_FAILED;
	}
	switch (action->op) {
	case PLAN_CREATE:
		return guest_apply_create(ctx, action, state, prev, next);
	case PLAN_UPDATE:
		return guest_apply_update(ctx, action, state, prev, next);
	case PLAN_DELETE:
		if (!prev) {
			tenant_request_init(next, "DELETE", NULL, TENANT_BATCHABLE, action->address,
					    "/v1.0/users/%s", id);
			return APPLY_STEP_MORE;
		}
		if (!tenant_request_ok(prev) && prev->status != 404)
			return apply_fail_request(ctx, action, prev);
		return APPLY_STEP_DONE;
	}
	return APPLY_STEP_FAILED;
}

const struct kind kind_guest = {
    .name = "guest",
    .read = guest_read,
    .diff = guest_diff,
    .apply_step = guest_apply_step,
};
