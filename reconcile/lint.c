/*
 * lint: the B2B pitfall rules. See lint.h.
 *
 * One function per rule, all sharing one reporting path that applies the
 * severity from settings.lint. Configuration rules look only at the desired
 * model; tenant rules (needs_tenant) also at the live model.
 */
#include "lint.h"
#include "live.h"
#include "kinds/directory_common.h"
#include "../schema/base/strbuf.h"
#include "../schema/base/xalloc.h"

#include <stdarg.h>
#include <string.h>
#include <strings.h>

#define DAY_SECONDS        (24LL * 3600)
#define PENDING_STALE_DAYS 30
#define MAX_EXPIRY_DAYS    365

const struct lint_rule lint_rules[] = {
    {"consumer-email-without-otp", LINT_WARNING, 0,
     "a guest on a consumer email domain while email one-time passcode is not enabled"},
    {"guest-domain-not-allowed", LINT_ERROR, 0,
     "a guest whose domain the invitation allow list does not allow or the block list blocks"},
    {"email-verified-users-can-join", LINT_WARNING, 0,
     "email-verified users may join: invitations can create unmanaged (viral) tenants"},
    {"guest-access-member", LINT_WARNING, 0,
     "guests have member-like access and can enumerate the directory"},
    {"invite-everyone", LINT_WARNING, 0, "anyone, guests included, can invite guests"},
    {"access-package-long-expiry", LINT_WARNING, 0,
     "an access-package policy that never expires or lasts longer than 365 days"},
    {"no-enforced-guest-mfa", LINT_WARNING, 0,
     "no enabled conditional-access policy requires MFA of guests or blocks them"},
    {"mfa-trust-unused", LINT_WARNING, 0,
     "a partner's MFA is trusted while no conditional-access policy requires MFA of its guests"},
    {"orphan-guest", LINT_WARNING, 0, "a guest in no group and no access package"},
    {"pending-acceptance-stale", LINT_WARNING, 1,
     "guests still PendingAcceptance more than 30 days after their invitation"},
    {"undeclared-partner-guests", LINT_INFO, 1,
     "guests of a declared partner's domains that the configuration does not list"},
    {"partner-domain-without-tenant", LINT_WARNING, 1,
     "a partner domain with no Microsoft Entra tenant behind it"},
};

const size_t lint_rules_nr = ARRAY_SIZE(lint_rules);

/* Consumer mail providers; a trailing '.' matches any public suffix (yahoo.co.uk, gmx.de). */
static const char *const consumer_domains[] = {
    "gmail.com",    "googlemail.com", "outlook.",  "hotmail.",       "live.",      "msn.com",
    "passport.com", "yahoo.",         "ymail.com", "rocketmail.com", "aol.com",    "gmx.",
    "web.de",       "icloud.com",     "me.com",    "mac.com",        "proton.me",  "protonmail.",
    "pm.me",        "mail.com",       "zoho.com",  "yandex.",        "mail.ru",    "qq.com",
    "163.com",      "126.com",        "naver.com", "free.fr",        "orange.fr",  "t-online.de",
    "libero.it",    "comcast.net",    "att.net",   "verizon.net",    "fastmail.",  "hey.com",
    "tutanota.com", "seznam.cz",      "wp.pl",     "o2.pl",          "interia.pl", "rediffmail.com",
};

const struct lint_rule *lint_rule_find(const char *id)
{
	size_t i;

	for (i = 0; i < lint_rules_nr; i++)
		if (!strcmp(lint_rules[i].id, id))
			return &lint_rules[i];
	return NULL;
}

/* A public suffix such as "de", "com" or "co.uk": one label, or a short label and a TLD. */
static int looks_like_public_suffix(const char *s)
{
	const char *dot = strchr(s, '.');
	size_t len = strlen(s);

	if (!len || strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.") != len)
		return 0;
	if (!dot)
		return 1;
	return dot - s <= 3 && dot[1] && !strchr(dot + 1, '.');
}

int is_consumer_email_domain(const char *domain)
{
	size_t i, dlen = strlen(domain);

	for (i = 0; i < ARRAY_SIZE(consumer_domains); i++) {
		const char *c = consumer_domains[i];
		size_t clen = strlen(c);

		if (c[clen - 1] == '.') {
			if (dlen > clen && !strncasecmp(domain, c, clen) &&
			    looks_like_public_suffix(domain + clen))
				return 1;
		} else if (!strcasecmp(domain, c)) {
			return 1;
		}
	}
	return 0;
}

struct linter {
	const struct config *cfg;
	const json_t *live;
	time_t now;
	struct diag_list *out;
	const struct desired_guests *declared; /* set while tenant rules run */
	const struct live_index *index;         /* over live, when the tenant was read */
};

static enum lint_level rule_level(const struct linter *l, const struct lint_rule *rule)
{
	size_t i;

	for (i = 0; i < l->cfg->settings.lint_nr; i++)
		if (!strcmp(l->cfg->settings.lint[i].rule, rule->id))
			return l->cfg->settings.lint[i].level;
	return rule->level;
}

static void report(const struct linter *l, const char *rule_id, const struct src_pos *pos,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void report(const struct linter *l, const char *rule_id, const struct src_pos *pos,
		   const char *fmt, ...)
{
	const struct lint_rule *rule = lint_rule_find(rule_id);
	enum lint_level level = rule_level(l, rule);
	enum diag_severity severity;
	struct strbuf msg = STRBUF_INIT;
	va_list ap;

	if (level == LINT_OFF)
		return;
	severity = level == LINT_ERROR     ? DIAG_ERROR
		   : level == LINT_WARNING ? DIAG_WARNING
					   : DIAG_INFO;
	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	diag_add(l->out, severity, rule_id, pos, "%s", msg.buf);
	strbuf_release(&msg);
}

static int rule_enabled(const struct linter *l, const char *rule_id)
{
	return rule_level(l, lint_rule_find(rule_id)) != LINT_OFF;
}

static const char *email_domain(const char *email)
{
	const char *at = email ? strrchr(email, '@') : NULL;

	return at ? at + 1 : "";
}

static int list_has(const struct cfg_str_list *list, const char *value)
{
	size_t i;

	for (i = 0; i < list->nr; i++)
		if (list->items[i].value && !strcasecmp(list->items[i].value, value))
			return 1;
	return 0;
}

static void lint_tenant_settings(const struct linter *l)
{
	const struct cfg_external_collaboration *ec = &l->cfg->external_collaboration;

	if (ec->email_verified_users_can_join.set && ec->email_verified_users_can_join.value)
		report(
		    l, "email-verified-users-can-join", &ec->email_verified_users_can_join.pos,
		    "emailVerifiedUsersCanJoin is true: invitations to partners without Microsoft "
		    "Entra can create unmanaged (viral) tenants that nobody administers; set it to "
		    "false and rely on email one-time passcode instead");
	if (ec->guest_user_access.set && ec->guest_user_access.value == GUEST_ACCESS_MEMBER)
		report(
		    l, "guest-access-member", &ec->guest_user_access.pos,
		    "guestUserAccess is member: guests can enumerate users, groups and apps of the "
		    "whole directory; use limited or restricted");
	if (ec->guest_invite_restrictions.set &&
	    ec->guest_invite_restrictions.value == INVITE_EVERYONE)
		report(l, "invite-everyone", &ec->guest_invite_restrictions.pos,
		       "guestInviteRestrictions is everyone: any user, guests included, can invite "
		       "more guests outside this configuration; use adminsAndGuestInviters");
}

static void lint_guest_domains(const struct linter *l, const struct cfg_partner *p,
			       const struct cfg_guest *g)
{
	const struct cfg_external_collaboration *ec = &l->cfg->external_collaboration;
	const struct cfg_collaboration_restrictions *cr = &ec->collaboration_restrictions;
	const char *domain = email_domain(g->email.value);
	int otp_enabled = ec->email_one_time_passcode.set &&
			  ec->email_one_time_passcode.value == EMAIL_OTP_ENABLED;

	if (is_consumer_email_domain(domain) && !otp_enabled)
		report(
		    l, "consumer-email-without-otp", &g->email.pos,
		    "guest %s uses the consumer email domain %s while emailOneTimePasscode is not "
		    "enabled: Microsoft will create or require a Microsoft account for them; set "
		    "externalCollaboration.emailOneTimePasscode: enabled",
		    g->email.value, domain);
	/* the lists only stop invitations: a guest who is already in the tenant is not invited */
	if (l->index && live_user_by_email(l->index, g->email.value))
		return;
	if (cr->allow_domains.nr) {
		int allowed = list_has(&cr->allow_domains, domain) ||
			      (cr->include_partner_domains.set &&
			       cr->include_partner_domains.value && list_has(&p->domains, domain));

		if (!allowed)
			report(
			    l, "guest-domain-not-allowed", &g->email.pos,
			    "guest %s: the invitation allow list does not allow %s, so Graph will "
			    "refuse the invitation; add it to allowDomains or set "
			    "includePartnerDomains: true",
			    g->email.value, domain);
	} else if (list_has(&cr->block_domains, domain)) {
		report(l, "guest-domain-not-allowed", &g->email.pos,
		       "guest %s: the invitation block list blocks %s, so Graph will refuse the "
		       "invitation; remove it from blockDomains or drop the guest",
		       g->email.value, domain);
	}
}

static int partner_in_access_package(const struct config *cfg, const struct cfg_partner *p)
{
	size_t i, j;

	for (i = 0; i < cfg->access_packages_nr; i++) {
		const struct cfg_access_package *ap = &cfg->access_packages[i];

		for (j = 0; j < ap->policies_nr; j++) {
			const struct cfg_access_package_policy *pol = &ap->policies[j];

			if ((pol->all_partners.set && pol->all_partners.value &&
			     p->connected_organization.value) ||
			    list_has(&pol->partners, p->name.value))
				return 1;
		}
	}
	return 0;
}

static void lint_guests(const struct linter *l)
{
	size_t i, j;

	for (i = 0; i < l->cfg->partners_nr; i++) {
		const struct cfg_partner *p = &l->cfg->partners[i];
		int covered = p->guest_groups.nr > 0 || partner_in_access_package(l->cfg, p);

		for (j = 0; j < p->guests_nr; j++) {
			const struct cfg_guest *g = &p->guests[j];

			if (!g->email.value)
				continue;
			lint_guest_domains(l, p, g);
			if (!covered && !g->groups.nr)
				report(
				    l, "orphan-guest", &g->email.pos,
				    "guest %s is in no group and no access package: nothing grants "
				    "or reviews their access; add groups or guestGroups, or remove "
				    "the guest",
				    g->email.value);
		}
	}
}

static long long expiry_seconds_from_now(const struct cfg_expiry *e, time_t now)
{
	struct tm tm = {0};
	int y, m, d;

	if (e->kind == EXPIRY_DURATION)
		return e->approx_seconds;
	if (e->kind != EXPIRY_DATE || sscanf(e->text, "%d-%d-%d", &y, &m, &d) != 3)
		return 0;
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	return (long long)(timegm(&tm) - now);
}

static void lint_access_packages(const struct linter *l)
{
	size_t i, j;

	for (i = 0; i < l->cfg->access_packages_nr; i++) {
		const struct cfg_access_package *ap = &l->cfg->access_packages[i];

		for (j = 0; j < ap->policies_nr; j++) {
			const struct cfg_access_package_policy *pol = &ap->policies[j];
			const struct cfg_expiry *e = &pol->expiry;

			if (!e->set)
				continue;
			if (e->kind == EXPIRY_NEVER)
				report(
				    l, "access-package-long-expiry", &e->pos,
				    "access package '%s', policy '%s' never expires: guests keep "
				    "access after the work ends; set an expiry of at most P365D",
				    ap->name.value, pol->name.value);
			else if (expiry_seconds_from_now(e, l->now) > MAX_EXPIRY_DAYS * DAY_SECONDS)
				report(
				    l, "access-package-long-expiry", &e->pos,
				    "access package '%s', policy '%s' expires after more than %d "
				    "days (%s): guests keep access long after the work ends; "
				    "shorten it and let them renew",
				    ap->name.value, pol->name.value, MAX_EXPIRY_DAYS, e->text);
		}
	}
}

static int policy_covers_guests(const struct cfg_ca_policy *pol)
{
	if (!pol->guest_types.nr)
		return 1;
	return list_has(&pol->guest_types, "all") ||
	       list_has(&pol->guest_types, "b2bCollaborationGuest") ||
	       list_has(&pol->guest_types, "b2bCollaborationMember");
}

static int policy_requires_mfa(const struct cfg_ca_policy *pol)
{
	/* with OR between several controls, another control can stand in for MFA */
	return list_has(&pol->require, "mfa") &&
	       (pol->require.nr == 1 || (pol->require_all.set && pol->require_all.value));
}

static int policy_covers_partner(const struct cfg_ca_policy *pol, const struct cfg_partner *p)
{
	return pol->partners_all || list_has(&pol->partners, p->name.value);
}

static void lint_conditional_access(const struct linter *l)
{
	const struct cfg_conditional_access *ca = &l->cfg->conditional_access;
	const struct src_pos *where = ca->set ? &ca->pos : &l->cfg->tenant_pos;
	int enforced = 0;
	size_t i, j;

	for (i = 0; i < ca->policies_nr; i++) {
		const struct cfg_ca_policy *pol = &ca->policies[i];
		int blocks = pol->block.set && pol->block.value;

		if (pol->state.set && pol->state.value == CA_STATE_ENABLED &&
		    policy_covers_guests(pol) && (blocks || policy_requires_mfa(pol)))
			enforced = 1;
	}
	if (!enforced && l->cfg->partners_nr)
		report(l, "no-enforced-guest-mfa", where,
		       "no enabled conditional-access policy requires MFA of guests or blocks them "
		       "(report-only policies enforce nothing): add one with state: enabled and "
		       "require: [mfa]");

	for (i = 0; i < l->cfg->partners_nr; i++) {
		const struct cfg_partner *p = &l->cfg->partners[i];
		const struct cfg_cross_tenant_access *cta = &p->cross_tenant_access;
		int required = 0;

		if (!cta->trust_mfa.set || !cta->trust_mfa.value)
			continue;
		for (j = 0; j < ca->policies_nr; j++) {
			const struct cfg_ca_policy *pol = &ca->policies[j];

			if ((!pol->state.set || pol->state.value != CA_STATE_DISABLED) &&
			    policy_covers_guests(pol) && policy_covers_partner(pol, p) &&
			    policy_requires_mfa(pol))
				required = 1;
		}
		if (!required)
			report(
			    l, "mfa-trust-unused", &cta->trust_mfa.pos,
			    "partner %s: MFA from its tenant is trusted, but no conditional-access "
			    "policy requires MFA of its guests, so the trust does nothing; add a "
			    "policy with require: [mfa] for guests",
			    p->name.value);
	}
}

/* The declared guest with this email (without case), NULL when there is none. */
static const struct cfg_guest *declared_guest(const struct desired_guests *d, const char *email)
{
	const struct desired_guest *found = desired_guests_find(d, email);

	return found ? found->guest : NULL;
}

static time_t parse_graph_time(const char *s)
{
	struct tm tm = {0};
	int y, mo, d, h = 0, mi = 0, se = 0;

	if (!s || sscanf(s, "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &se) < 3)
		return 0;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	return timegm(&tm);
}

static char *user_email(const json_t *u)
{
	const char *mail = json_string_value(json_object_get(u, "mail"));
	char *from_upn;

	if (mail)
		return lowercase_dup(mail);
	from_upn = guest_email_from_upn(json_string_value(json_object_get(u, "userPrincipalName")));
	return from_upn;
}

static void lint_pending(const struct linter *l)
{
	json_t *u;
	size_t i;

	json_array_foreach(json_object_get(l->live, "users"), i, u)
	{
		const char *state = json_string_value(json_object_get(u, "externalUserState"));
		const char *since =
		    json_string_value(json_object_get(u, "externalUserStateChangeDateTime"));
		const struct cfg_guest *g;
		time_t t;
		char *email;

		if (!state || strcmp(state, "PendingAcceptance"))
			continue;
		t = parse_graph_time(
		    since ? since : json_string_value(json_object_get(u, "createdDateTime")));
		if (!t || l->now - t <= PENDING_STALE_DAYS * DAY_SECONDS)
			continue;
		email = user_email(u);
		if (!email)
			continue;
		g = declared_guest(l->declared, email);
		report(l, "pending-acceptance-stale", g ? &g->email.pos : NULL,
		       "guest %s has not accepted the invitation for %lld days: re-invite them "
		       "(invitations.resendPendingAfter) or remove them",
		       email, (long long)((l->now - t) / DAY_SECONDS));
		free(email);
	}
}

/* One pass over the tenant's guests, each matched to its partner by domain. */
static void lint_undeclared_guests(const struct linter *l)
{
	size_t nr = l->cfg->partners_nr, i, j;
	size_t *counts = xcalloc(nr + 1, sizeof(*counts));
	struct strbuf *examples = xcalloc(nr + 1, sizeof(*examples));
	json_t *partner_of_domain = json_object(), *u;

	for (i = 0; i < nr; i++) {
		const struct cfg_partner *p = &l->cfg->partners[i];

		strbuf_init(&examples[i], 0);
		if (p->prune_guests.set && p->prune_guests.value)
			continue;
		for (j = 0; j < p->domains.nr; j++) {
			char *d = lowercase_dup(p->domains.items[j].value);

			json_object_set_new(partner_of_domain, d, json_integer((json_int_t)i));
			free(d);
		}
	}
	json_array_foreach(json_object_get(l->live, "users"), j, u)
	{
		const char *type = json_string_value(json_object_get(u, "userType"));
		json_t *owner;
		char *email;

		if (!type || strcmp(type, "Guest") || !(email = user_email(u)))
			continue;
		owner = json_object_get(partner_of_domain, email_domain(email));
		if (owner && !declared_guest(l->declared, email)) {
			i = (size_t)json_integer_value(owner);
			if (counts[i] < 5)
				strbuf_addf(&examples[i], "%s%s", counts[i] ? ", " : "", email);
			counts[i]++;
		}
		free(email);
	}
	for (i = 0; i < nr; i++) {
		const struct cfg_partner *p = &l->cfg->partners[i];

		if (counts[i])
			report(l, "undeclared-partner-guests", &p->name.pos,
			       "partner %s: %zu guest%s of its domains %s not in the configuration "
			       "(%s%s): declare them, or set pruneGuests: true to remove them",
			       p->name.value, counts[i], counts[i] == 1 ? "" : "s",
			       counts[i] == 1 ? "is" : "are", examples[i].buf,
			       counts[i] > 5 ? ", ..." : "");
		strbuf_release(&examples[i]);
	}
	json_decref(partner_of_domain);
	free(examples);
	free(counts);
}

static int domain_has_tenant(const json_t *live, const char *domain)
{
	json_t *info, *d;
	size_t i, j;

	json_array_foreach(json_object_get(live, "tenantInformation"), i, info)
	{
		const char *def = json_string_value(json_object_get(info, "defaultDomainName"));

		if (def && !strcasecmp(def, domain))
			return 1;
		json_array_foreach(json_object_get(info, "domains"), j,
				   d) if (json_is_string(d) &&
					  !strcasecmp(json_string_value(d), domain)) return 1;
	}
	return 0;
}

static void lint_partner_tenants(const struct linter *l)
{
	size_t i, j;

	if (!json_is_array(json_object_get(l->live, "tenantInformation")))
		return;
	for (i = 0; i < l->cfg->partners_nr; i++) {
		const struct cfg_partner *p = &l->cfg->partners[i];

		if (p->tenant_id.value)
			continue;
		for (j = 0; j < p->domains.nr; j++) {
			const struct cfg_str *d = &p->domains.items[j];

			if (!d->value || is_consumer_email_domain(d->value) ||
			    domain_has_tenant(l->live, d->value))
				continue;
			report(
			    l, "partner-domain-without-tenant", &d->pos,
			    "partner %s: %s has no Microsoft Entra tenant: its guests redeem with "
			    "email one-time passcode or land in an unmanaged tenant, and "
			    "cross-tenant trust cannot apply; enable emailOneTimePasscode",
			    p->name.value, d->value);
		}
	}
}

static void check_overrides(const struct linter *l)
{
	size_t i;

	for (i = 0; i < l->cfg->settings.lint_nr; i++) {
		const struct cfg_lint_override *o = &l->cfg->settings.lint[i];

		if (!lint_rule_find(o->rule))
			diag_error(l->out, &o->pos,
				   "unknown lint rule '%s' in settings.lint (see 'b2bctl lint "
				   "--list-rules')",
				   o->rule);
	}
}

void lint_run(const struct config *cfg, const json_t *live, const struct live_index *index,
	      time_t now, struct diag_list *out)
{
	struct linter l = {cfg, live, now, out, NULL, index};
	struct live_index *own_index = NULL;
	struct desired_guests declared;

	if (live && !index)
		l.index = own_index = live_index_build(live);
	check_overrides(&l);
	lint_tenant_settings(&l);
	lint_guests(&l);
	lint_access_packages(&l);
	lint_conditional_access(&l);
	live_index_free(own_index);
	if (!live)
		return;
	desired_guests_collect(&declared, cfg);
	l.declared = &declared;
	if (rule_enabled(&l, "pending-acceptance-stale"))
		lint_pending(&l);
	if (rule_enabled(&l, "undeclared-partner-guests"))
		lint_undeclared_guests(&l);
	lint_partner_tenants(&l);
	desired_guests_release(&declared);
}
