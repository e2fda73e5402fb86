/*
 * memgraph_users: /users (list, get by id or userPrincipalName, create, patch,
 * delete, delta) and /invitations, which creates guests or answers with the
 * one that exists. Every invitation is logged in the state ("_invitations")
 * so tests can tell whether a guest was invited twice.
 */
#include "memgraph_int.h"
#include "../../schema/base/xalloc.h"

#include <string.h>

static void index_set(json_t *index, const json_t *value, const char *id)
{
	char *key;

	if (!json_is_string(value))
		return;
	key = mg_lower(json_string_value(value));
	json_object_set_new(index, key, json_string(id));
	free(key);
}

static void index_del(json_t *index, const json_t *value, const char *id)
{
	char *key;

	if (!json_is_string(value))
		return;
	key = mg_lower(json_string_value(value));
	if (mg_str_ieq(json_string_value(json_object_get(index, key)), id))
		json_object_del(index, key);
	free(key);
}

static void user_index(struct memgraph *g, const char *id, const json_t *user, int add)
{
	void (*fn)(json_t *, const json_t *, const char *) = add ? index_set : index_del;
	const json_t *mail = json_object_get(user, "mail");

	if (!g->users_indexed)
		return;
	if (add && json_is_string(mail)) {
		char *key = mg_lower(json_string_value(mail));
		const char *holder = json_string_value(json_object_get(g->mail_index, key));

		if (holder && strcmp(holder, id))
			g->mail_shared = 1;
		free(key);
	}

	fn(g->upn_index, json_object_get(user, "userPrincipalName"), id);
	fn(g->mail_index, json_object_get(user, "mail"), id);
}

/*
 * Builds upn_index and mail_index when a request first needs them, from the
 * users as they are then; from there on every change keeps them current. A
 * plan that never looks a user up by name or mail (most of them) does not pay
 * for indexing 100,000 guests.
 */
static void ensure_user_indexes(struct memgraph *g)
{
	const char *id;
	json_t *user;

	pthread_mutex_lock(&g->users_index_lock);
	if (!g->users_indexed) {
		g->users_indexed = 1;
		json_object_foreach(g->users, id, user) user_index(g, id, user, 1);
	}
	pthread_mutex_unlock(&g->users_index_lock);
}

/* The visible user with this id or userPrincipalName. */
static json_t *user_find(struct memgraph *g, const char *key, const char **id_out)
{
	json_t *user = mg_lookup(g, g->users, key);
	const char *id = key;

	if (!user) {
		char *lower = mg_lower(key);

		ensure_user_indexes(g);
		id = json_string_value(json_object_get(g->upn_index, lower));
		free(lower);
		user = id ? mg_lookup(g, g->users, id) : NULL;
	}
	if (user && id_out)
		*id_out = json_string_value(json_object_get(user, "id"));
	return user;
}

void mg_user_remove_everywhere(struct memgraph *g, const char *id)
{
	const char *gid;
	json_t *set;

	json_object_foreach(g->members, gid, set)
	{
		if (json_object_get(set, id))
			mg_member_set(g, gid, id, 0);
	}
}

static char *select_context(const char *what, const json_t *select)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	json_t *name;

	strbuf_addstr(&sb, what);
	if (select) {
		strbuf_addch(&sb, '(');
		json_array_foreach(select, i, name)
		    strbuf_addf(&sb, "%s%s", i ? "," : "", json_string_value(name));
		strbuf_addch(&sb, ')');
	}
	return strbuf_detach(&sb, NULL);
}

/*
 * `mail in (...)` through mail_index, as Graph answers it from its index, not a
 * scan of every user: each literal names at most one user while mails are
 * unique, so one page holds every match (in the order of the literals).
 */
static int users_by_mail(struct memgraph *g, struct memgraph_response *res, const struct mg_req *r,
			 const struct mg_query *q, const char *context)
{
	const json_t *mails = flt_in_strings(q->filter, "mail"), *mail;
	json_t *page, *value, *seen;
	size_t i;

	if (!mails)
		return 0;
	ensure_user_indexes(g);
	if (g->mail_shared || q->skiptoken || q->count || json_array_size(mails) > q->top)
		return 0;
	page = json_object();
	value = json_array();
	seen = json_object();
	if (context)
		json_object_set_new(page, "@odata.context", mg_context(g, r, context));
	json_array_foreach(mails, i, mail)
	{
		char *key = mg_lower(json_string_value(mail));
		const char *id = json_string_value(json_object_get(g->mail_index, key));
		json_t *user = id ? json_object_get(g->users, id) : NULL;

		free(key);
		if (!user || json_object_get(seen, id) || !mg_visible(g, id) ||
		    !flt_match(q->filter, user))
			continue;
		json_object_set_new(seen, id, json_true());
		json_array_append_new(value, mg_select(user, q->select));
	}
	json_decref(seen);
	json_object_set_new(page, "value", value);
	res->status = 200;
	res->body = page;
	return 1;
}

static void users_list(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res)
{
	struct mg_query q;
	char *context;

	if (mg_query_parse(g, res, r, &q, 999, 100))
		return;
	context = select_context("users", q.select);
	if (!users_by_mail(g, res, r, &q, context))
		mg_page(g, res, r, &q, g->users, NULL, NULL, context);
	free(context);
	mg_query_release(&q);
}

static void users_create(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res)
{
	const char *upn = json_string_value(json_object_get(r->body, "userPrincipalName"));
	json_t *user;
	char *id, *now, *lower;

	if (!json_is_object(r->body) || !upn ||
	    !json_is_string(json_object_get(r->body, "displayName")))
		return mg_bad_body(g, res, "A user needs displayName and userPrincipalName.");
	lower = mg_lower(upn);
	ensure_user_indexes(g);
	if (json_object_get(g->upn_index, lower)) {
		free(lower);
		return mg_error(g, res, 400, "Request_BadRequest",
				"Another object with the same value for property userPrincipalName "
				"already exists.");
	}
	free(lower);
	id = mg_new_id(g);
	now = mg_now_iso();
	user = json_pack("{s:s, s:s}", "id", id, "createdDateTime", now);
	mg_merge(user, r->body);
	json_object_del(user, "passwordProfile");
	if (!json_object_get(user, "userType"))
		json_object_set_new(user, "userType", json_string("Member"));
	json_object_set_new(g->users, id, user);
	user_index(g, id, user, 1);
	mg_mark_created(g, id);
	mg_mark_changed(g, id);
	res->status = 201;
	res->body = json_copy(user);
	json_object_set_new(res->body, "@odata.context", mg_context(g, r, "users/$entity"));
	free(id);
	free(now);
}

static void user_one(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res)
{
	const char *id = NULL;
	json_t *user = user_find(g, r->seg[1], &id);
	struct mg_query q;

	if (!user)
		return mg_not_found(g, res, r->seg[1]);
	if (!strcmp(r->method, "GET")) {
		if (mg_query_parse(g, res, r, &q, 999, 100))
			return;
		res->status = 200;
		res->body = q.select ? mg_select(user, q.select) : json_copy(user);
		json_object_set_new(res->body, "@odata.context", mg_context(g, r, "users/$entity"));
		mg_query_release(&q);
	} else if (!strcmp(r->method, "PATCH")) {
		char *key = xstrdup(id);

		if (!json_is_object(r->body)) {
			free(key);
			return mg_bad_body(g, res, "The request body must be a JSON object.");
		}
		user_index(g, key, user, 0);
		mg_merge(user, r->body);
		json_object_set_new(user, "id", json_string(key));
		user_index(g, key, user, 1);
		mg_mark_changed(g, key);
		free(key);
		res->status = 204;
	} else if (!strcmp(r->method, "DELETE")) {
		char *key = xstrdup(id);

		user_index(g, key, user, 0);
		mg_user_remove_everywhere(g, key);
		json_object_del(g->users, key);
		mg_mark_removed(g, key, "user");
		free(key);
		res->status = 204;
	} else {
		mg_bad_method(g, res);
	}
}

void mg_users(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res)
{
	if (r->nr_seg == 1) {
		if (!strcmp(r->method, "GET"))
			users_list(g, r, res);
		else if (!strcmp(r->method, "POST"))
			users_create(g, r, res);
		else
			mg_bad_method(g, res);
	} else if (r->nr_seg == 2 && !strcmp(r->seg[1], "delta")) {
		if (strcmp(r->method, "GET"))
			return mg_bad_method(g, res);
		mg_delta(g, r, res, 0);
	} else if (r->nr_seg == 2) {
		user_one(g, r, res);
	} else {
		mg_not_found(g, res, r->path);
	}
}

static char *guest_upn(const char *email, const char *domain)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;

	for (p = email; *p; p++)
		strbuf_addch(&sb, *p == '@' ? '_' : *p);
	strbuf_addf(&sb, "#EXT#@%s", domain);
	return strbuf_detach(&sb, NULL);
}

static json_t *guest_find(struct memgraph *g, const char *email)
{
	char *lower = mg_lower(email), *upn;
	const char *id;
	json_t *user;

	ensure_user_indexes(g);
	id = json_string_value(json_object_get(g->mail_index, lower));
	user = id ? json_object_get(g->users, id) : NULL;

	if (!user) {
		upn = guest_upn(lower, g->default_domain);
		free(lower);
		lower = mg_lower(upn);
		free(upn);
		id = json_string_value(json_object_get(g->upn_index, lower));
		user = id ? json_object_get(g->users, id) : NULL;
	}
	free(lower);
	return user;
}

static json_t *guest_create(struct memgraph *g, const char *email, const json_t *body)
{
	const char *name = json_string_value(json_object_get(body, "invitedUserDisplayName"));
	const char *type = json_string_value(json_object_get(body, "invitedUserType"));
	char *id = mg_new_id(g), *now = mg_now_iso(), *upn = guest_upn(email, g->default_domain);
	char *local = xstrndup(email, strcspn(email, "@"));
	json_t *user;

	user = json_pack("{s:s, s:s, s:s, s:[], s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:[{s:s, s:s, "
			 "s:s}]}",
			 "id", id, "displayName", name ? name : local, "mail", email, "otherMails",
			 "userPrincipalName", upn, "userType",
			 type && !strcmp(type, "Member") ? "Member" : "Guest", "externalUserState",
			 "PendingAcceptance", "externalUserStateChangeDateTime", now,
			 "creationType", "Invitation", "createdDateTime", now, "accountEnabled", 1,
			 "identities", "signInType", "userPrincipalName", "issuer",
			 g->default_domain, "issuerAssignedId", upn);
	json_object_set_new(g->users, id, user);
	user_index(g, id, user, 1);
	mg_mark_created(g, id);
	mg_mark_changed(g, id);
	free(id);
	free(now);
	free(upn);
	free(local);
	return user;
}

void mg_invitations(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res)
{
	const json_t *body = r->body;
	const char *email = json_string_value(json_object_get(body, "invitedUserEmailAddress"));
	const char *redirect = json_string_value(json_object_get(body, "inviteRedirectUrl"));
	const json_t *info = json_object_get(body, "invitedUserMessageInfo");
	const json_t *message = json_object_get(info, "customizedMessageBody");
	int send = json_is_true(json_object_get(body, "sendInvitationMessage"));
	struct strbuf redeem = STRBUF_INIT;
	const json_t *display_name;
	json_t *user;
	const char *user_id;
	char *invitation_id, *now;

	if (r->nr_seg != 1)
		return mg_not_found(g, res, r->path);
	if (strcmp(r->method, "POST"))
		return mg_bad_method(g, res);
	if (!json_is_object(body) || !email || !strchr(email, '@') || !redirect)
		return mg_bad_body(
		    g, res,
		    "invitedUserEmailAddress (an email address) and inviteRedirectUrl "
		    "are required.");
	user = guest_find(g, email);
	if (!user) {
		user = guest_create(g, email, body);
	} else if (!mg_str_ieq(json_string_value(json_object_get(user, "externalUserState")),
			       "Accepted")) {
		/* a new invitation to a guest who has not accepted starts the wait again */
		char *now = mg_now_iso();

		json_object_set_new(user, "externalUserState", json_string("PendingAcceptance"));
		json_object_set_new(user, "externalUserStateChangeDateTime", json_string(now));
		mg_mark_changed(g, json_string_value(json_object_get(user, "id")));
		free(now);
	}
	user_id = json_string_value(json_object_get(user, "id"));
	display_name = json_object_get(body, "invitedUserDisplayName");
	if (!display_name)
		display_name = json_object_get(user, "displayName");
	now = mg_now_iso();
	json_array_append_new(g->invitations, json_pack("{s:s, s:s, s:b}", "email", email, "time",
							now, "sendInvitationMessage", send));
	invitation_id = mg_new_id(g);
	strbuf_addstr(&redeem, "https://login.microsoftonline.com/redeem?rd=");
	{
		struct strbuf inner = STRBUF_INIT;

		strbuf_addf(&inner, "https://invitations.microsoft.com/redeem/?tenant=%s&user=%s",
			    g->tenant_id, user_id);
		strbuf_add_urlencoded(&redeem, inner.buf);
		strbuf_release(&inner);
	}
	res->status = 201;
	res->body = json_pack(
	    "{s:o, s:s, s:s, s:O, s:s, s:s, s:b, s:b, s:s, s:s, s:{s:n, s:O, s:[{s:{s:n, s:n}}]}, "
	    "s:{s:s}}",
	    "@odata.context", mg_context(g, r, "invitations/$entity"), "id", invitation_id,
	    "inviteRedeemUrl", redeem.buf, "invitedUserDisplayName", display_name,
	    "invitedUserType", json_string_value(json_object_get(user, "userType")),
	    "invitedUserEmailAddress", email, "sendInvitationMessage", send, "resetRedemption", 0,
	    "inviteRedirectUrl", redirect, "status",
	    mg_str_ieq(json_string_value(json_object_get(user, "externalUserState")), "Accepted")
		? "Completed"
		: "PendingAcceptance",
	    "invitedUserMessageInfo", "messageLanguage", "customizedMessageBody",
	    message ? (json_t *)message : json_null(), "ccRecipients", "emailAddress", "name",
	    "address", "invitedUser", "id", user_id);
	strbuf_release(&redeem);
	free(invitation_id);
	free(now);
}
