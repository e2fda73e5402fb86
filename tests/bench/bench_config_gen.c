/*
 * bench_config_gen: writes a large, valid configuration and, on request, the
 * tenant snapshot that matches it, for the benchmarks (tests/bench/run.sh,
 * bench_validate.sh). N guests spread evenly over P partners (one file each,
 * two domains each), G groups holding M guest memberships (each guest in M/N
 * groups), C conditional-access policies and A access packages (in A/20
 * catalogs) that refer to partners and groups.
 *
 * The snapshot holds the guests, the groups and their members exactly as the
 * configuration declares them; the rest (partners, policies, packages) is
 * left for a first apply to create, so that its shapes are b2bctl's own.
 * --new-guests K declares K more guests (same share of groups) that the
 * snapshot does not hold: an apply then sends K invitations.
 *
 * --drift PERCENT changes that share of the objects of a snapshot (guest
 * names, group members and descriptions, partner trust, policies, packages,
 * connected organisations), so that a plan against it is not empty.
 *
 *   bench_config_gen [--groups G] [--memberships M] [--policies C] [--packages A]
 *                    [--new-guests K] [--snapshot FILE] OUTDIR [GUESTS [PARTNERS]]
 *                    (defaults: 100000 guests, 200 partners, G 1000, M 2 * GUESTS, C 50, A 200)
 *   bench_config_gen --drift PERCENT SNAPSHOT_IN SNAPSHOT_OUT
 */
#include "schema/base/strbuf.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TENANT_ID        "11111111-1111-1111-1111-111111111111"
#define DEFAULT_DOMAIN   "hostcorp.onmicrosoft.com"
#define PACKAGES_PER_CAT 20

struct shape {
	long guests, partners, groups, memberships, policies, packages, new_guests;
	const char *snapshot;
};

static int write_file(const char *dir, const char *name, const struct strbuf *text)
{
	struct strbuf path = STRBUF_INIT;
	FILE *f;
	int ret = 0;

	strbuf_addf(&path, "%s/%s", dir, name);
	f = fopen(path.buf, "w");
	if (!f || fwrite(text->buf, 1, text->len, f) != text->len) {
		fprintf(stderr, "bench_config_gen: %s: %s\n", path.buf, strerror(errno));
		ret = -1;
	}
	if (f && fclose(f))
		ret = -1;
	strbuf_release(&path);
	return ret;
}

static void id_of(char *out, size_t size, unsigned kind, long n)
{
	snprintf(out, size, "%08x-0000-4000-8000-%012lx", kind,
		 (unsigned long)n & 0xffffffffffffUL);
}

/* Guest n (0-based over declared and new guests alike) is in this many groups. */
static long groups_of_guest(const struct shape *s, long n)
{
	long per = s->guests ? s->memberships / s->guests : 0;
	long extra = s->guests ? s->memberships % s->guests : 0;

	if (n >= s->guests)
		return per + (extra > 0);
	return per + (n < extra);
}

static long group_of_guest(const struct shape *s, long n, long k)
{
	long most = groups_of_guest(s, 0);
	long stride = most ? s->groups / most : 1;

	return (n + k * (stride ? stride : 1)) % s->groups;
}

static void guest_email(struct strbuf *sb, long n, long partner, long nth_in_partner)
{
	strbuf_addf(sb, "%s%ld@partner%ld.example.%s", n < 0 ? "new" : "user", n < 0 ? -n - 1 : n,
		    partner, nth_in_partner % 2 ? "net" : "com");
}

static int write_config(const char *dir, const struct shape *s)
{
	struct strbuf sb = STRBUF_INIT, path = STRBUF_INIT;
	long p, g, next = 0, next_new = 0;

	strbuf_addf(&path, "%s/partners", dir);
	if ((mkdir(dir, 0755) && errno != EEXIST) || (mkdir(path.buf, 0755) && errno != EEXIST)) {
		fprintf(stderr, "bench_config_gen: %s: %s\n", path.buf, strerror(errno));
		return -1;
	}
	strbuf_release(&path);

	strbuf_addstr(&sb,
		      "tenant:\n  id: " TENANT_ID "\n"
		      "settings:\n  maxDestroy: 100\n"
		      "externalCollaboration:\n  guestUserAccess: restricted\n"
		      "  collaborationRestrictions:\n    allowDomains: [hostcorp-partners.com]\n"
		      "    includePartnerDomains: true\n"
		      "invitations:\n  redirectUrl: https://myapps.microsoft.com\n"
		      "  sendEmail: false\n  resendPendingAfter: P14D\n");
	if (write_file(dir, "tenant.yaml", &sb))
		goto fail;

	strbuf_reset(&sb);
	strbuf_addstr(&sb, "groups:\n");
	for (g = 0; g < s->groups; g++)
		strbuf_addf(&sb, "  - name: group-%04ld\n    description: Bench group %ld\n", g, g);
	if (write_file(dir, "groups.yaml", &sb))
		goto fail;

	strbuf_reset(&sb);
	strbuf_addstr(&sb, "conditionalAccess:\n  namePrefix: \"B2B - \"\n  policies:\n");
	for (p = 0; p < s->policies; p++) {
		strbuf_addf(&sb, "    - name: B2B - MFA %ld\n      state: %s\n", p,
			    p ? "reportOnly" : "enabled");
		if (p)
			strbuf_addf(&sb, "      partners: [partner-%03ld]\n", p % s->partners);
		else
			strbuf_addstr(&sb, "      partners: all\n");
		strbuf_addstr(&sb, "      excludeGroups: [group-0000]\n      require: [mfa]\n");
	}
	strbuf_addstr(&sb, "accessPackages:\n");
	for (p = 0; p < s->packages; p++)
		strbuf_addf(
		    &sb,
		    "  - name: Package %ld\n    catalog: Catalog %ld\n"
		    "    description: Bench package\n    groups: [group-%04ld]\n"
		    "    policies:\n      - name: Partner %ld\n        partners: "
		    "[partner-%03ld]\n        approvers: [group-%04ld]\n        expiry: P90D\n",
		    p, p / PACKAGES_PER_CAT, p % s->groups, p % s->partners, p % s->partners,
		    (p + 1) % s->groups);
	if (write_file(dir, "governance.yaml", &sb))
		goto fail;

	for (p = 0; p < s->partners; p++) {
		long share = s->guests / s->partners + (p < s->guests % s->partners);
		long new_share = s->new_guests / s->partners + (p < s->new_guests % s->partners);
		char name[64], tid[64];
		long k, nth;

		id_of(tid, sizeof(tid), 9, p);
		strbuf_reset(&sb);
		strbuf_addf(
		    &sb,
		    "partners:\n  - name: partner-%03ld\n    displayName: Partner %ld Ltd.\n"
		    "    domains: [partner%ld.example.com, partner%ld.example.net]\n"
		    "    tenantId: %s\n    connectedOrganization: true\n"
		    "    crossTenantAccess:\n      trustMfa: true\n    guests:\n",
		    p, p, p, p, tid);
		for (nth = 0; nth < share + new_share; nth++) {
			int is_new = nth >= share;
			long n = is_new ? s->guests + next_new : next;

			strbuf_addstr(&sb, "      - email: ");
			guest_email(&sb, is_new ? -next_new - 1 : next, p, nth);
			strbuf_addf(&sb, "\n        displayName: %s %ld\n", is_new ? "New" : "User",
				    is_new ? next_new : next);
			if (groups_of_guest(s, n)) {
				strbuf_addstr(&sb, "        groups: [");
				for (k = 0; k < groups_of_guest(s, n); k++)
					strbuf_addf(&sb, "%sgroup-%04ld", k ? ", " : "",
						    group_of_guest(s, n, k));
				strbuf_addstr(&sb, "]\n");
			}
			if (is_new)
				next_new++;
			else
				next++;
		}
		snprintf(name, sizeof(name), "partners/partner-%03ld.yaml", p);
		if (write_file(dir, name, &sb))
			goto fail;
	}
	strbuf_release(&sb);
	return 0;
fail:
	strbuf_release(&sb);
	return -1;
}

static json_t *guest_user(long n, long partner, long nth)
{
	struct strbuf mail = STRBUF_INIT, upn = STRBUF_INIT, name = STRBUF_INIT;
	char id[64];
	size_t i;
	json_t *u;

	guest_email(&mail, n, partner, nth);
	for (i = 0; i < mail.len; i++)
		strbuf_addch(&upn, mail.buf[i] == '@' ? '_' : mail.buf[i]);
	strbuf_addstr(&upn, "#EXT#@" DEFAULT_DOMAIN);
	strbuf_addf(&name, "User %ld", n);
	id_of(id, sizeof(id), 1, n);
	u = json_pack("{s:s,s:s,s:s,s:[s],s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "id", id, "displayName",
		      name.buf, "mail", mail.buf, "otherMails", mail.buf, "userPrincipalName",
		      upn.buf, "userType", "Guest", "externalUserState", "Accepted",
		      "externalUserStateChangeDateTime", "2026-01-01T00:00:00Z", "creationType",
		      "Invitation", "createdDateTime", "2026-01-01T00:00:00Z", "accountEnabled", 1);
	strbuf_release(&mail);
	strbuf_release(&upn);
	strbuf_release(&name);
	return u;
}

static int write_snapshot(const char *file, const struct shape *s)
{
	json_t *users = json_array(), *groups = json_array(), *snap;
	long p, g, n = 0, k;
	int ret;

	for (g = 0; g < s->groups; g++) {
		char id[64], name[32], desc[48];

		id_of(id, sizeof(id), 2, g);
		snprintf(name, sizeof(name), "group-%04ld", g);
		snprintf(desc, sizeof(desc), "Bench group %ld", g);
		json_array_append_new(groups, json_pack("{s:s,s:s,s:s,s:b,s:b,s:s,s:[]}", "id", id,
							"displayName", name, "description", desc,
							"securityEnabled", 1, "mailEnabled", 0,
							"mailNickname", name, "members"));
	}
	for (p = 0; p < s->partners; p++) {
		long share = s->guests / s->partners + (p < s->guests % s->partners), nth;

		for (nth = 0; nth < share; nth++, n++) {
			json_t *u = guest_user(n, p, nth);

			for (k = 0; k < groups_of_guest(s, n); k++)
				json_array_append(
				    json_object_get(json_array_get(groups, group_of_guest(s, n, k)),
						    "members"),
				    json_object_get(u, "id"));
			json_array_append_new(users, u);
		}
	}
	snap =
	    json_pack("{s:s,s:s,s:s,s:o,s:o}", "format", "b2bctl-snapshot/1", "tenantId", TENANT_ID,
		      "defaultDomain", DEFAULT_DOMAIN, "users", users, "groups", groups);
	ret = json_dump_file(snap, file, JSON_COMPACT);
	if (ret)
		fprintf(stderr, "bench_config_gen: %s: cannot write\n", file);
	json_decref(snap);
	return ret;
}

/* Every object i of n for which this is true: ceil(n * percent / 100) of them, evenly spread. */
static int drifts(size_t i, double percent)
{
	double rate = percent / 100;
	return (long)((double)(i + 1) * rate + 0.999999) > (long)((double)i * rate + 0.999999);
}

static void set_suffixed(json_t *obj, const char *key, const char *suffix)
{
	const char *was = json_string_value(json_object_get(obj, key));
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s%s", was ? was : "", suffix);
	json_object_set_new(obj, key, json_string(sb.buf));
	strbuf_release(&sb);
}

static size_t drift_collection(json_t *snap, const char *key, double percent,
			       void (*change)(json_t *obj))
{
	json_t *obj;
	size_t i, changed = 0;

	json_array_foreach(json_object_get(snap, key), i, obj) if (drifts(i, percent))
	{
		change(obj);
		changed++;
	}
	return changed;
}

static void drift_user(json_t *u)
{
	set_suffixed(u, "displayName", " (renamed)");
}

static void drift_group(json_t *g)
{
	set_suffixed(g, "description", " (edited)");
}

static void drift_partner(json_t *partner)
{
	json_t *trust = json_object_get(partner, "inboundTrust");
	json_t *mfa = json_object_get(trust, "isMfaAccepted");

	if (json_is_object(trust))
		json_object_set_new(trust, "isMfaAccepted", json_boolean(!json_is_true(mfa)));
}

static void drift_policy(json_t *pol)
{
	const char *state = json_string_value(json_object_get(pol, "state"));

	json_object_set_new(
	    pol, "state",
	    json_string(state && !strcmp(state, "disabled") ? "enabled" : "disabled"));
}

static void drift_named(json_t *obj)
{
	set_suffixed(obj, "description", " (edited)");
}

/* Removes a share of the members of every group: each is one membership to add back. */
static size_t drift_members(json_t *snap, double percent)
{
	json_t *g;
	size_t i, changed = 0, seen = 0;

	json_array_foreach(json_object_get(snap, "groups"), i, g)
	{
		json_t *members = json_object_get(g, "members");
		size_t j = 0;

		while (j < json_array_size(members))
			if (drifts(seen++, percent)) {
				json_array_remove(members, j);
				changed++;
			} else {
				j++;
			}
	}
	return changed;
}

static int drift_snapshot(const char *percent_arg, const char *in, const char *out)
{
	double percent = strtod(percent_arg, NULL);
	json_error_t err;
	json_t *snap;
	size_t users, groups, members, others;
	int ret;

	if (percent <= 0 || percent > 100) {
		fprintf(stderr, "bench_config_gen: --drift needs a PERCENT in (0, 100]\n");
		return 1;
	}
	snap = json_load_file(in, 0, &err);
	if (!snap) {
		fprintf(stderr, "bench_config_gen: %s:%d: %s\n", in, err.line, err.text);
		return 1;
	}
	users = drift_collection(snap, "users", percent, drift_user);
	groups = drift_collection(snap, "groups", percent, drift_group);
	members = drift_members(snap, percent);
	others = drift_collection(snap, "crossTenantAccessPolicyPartners", percent, drift_partner) +
		 drift_collection(snap, "conditionalAccessPolicies", percent, drift_policy) +
		 drift_collection(snap, "connectedOrganizations", percent, drift_named) +
		 drift_collection(snap, "accessPackages", percent, drift_named);
	ret = json_dump_file(snap, out, JSON_COMPACT);
	json_decref(snap);
	if (ret) {
		fprintf(stderr, "bench_config_gen: %s: cannot write\n", out);
		return 1;
	}
	printf("drift %g%%: %zu users renamed, %zu groups edited, %zu members removed, "
	       "%zu partners, policies, organisations and packages changed\n",
	       percent, users, groups, members, others);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: bench_config_gen [--groups G] [--memberships M] [--policies C] "
			"[--packages A]\n"
			"                        [--new-guests K] [--snapshot FILE] OUTDIR "
			"[GUESTS [PARTNERS]]\n"
			"       bench_config_gen --drift PERCENT SNAPSHOT_IN SNAPSHOT_OUT\n");
	return 1;
}

int main(int argc, char **argv)
{
	struct shape s = {100000, 200, 1000, -1, 50, 200, 0, NULL};
	const char *dir;
	int i;

	if (argc == 5 && !strcmp(argv[1], "--drift"))
		return drift_snapshot(argv[2], argv[3], argv[4]);
	for (i = 1; i + 1 < argc && argv[i][0] == '-' && argv[i][1] == '-'; i += 2) {
		long *opt = !strcmp(argv[i], "--groups")        ? &s.groups
			    : !strcmp(argv[i], "--memberships") ? &s.memberships
			    : !strcmp(argv[i], "--policies")    ? &s.policies
			    : !strcmp(argv[i], "--packages")    ? &s.packages
			    : !strcmp(argv[i], "--new-guests")  ? &s.new_guests
								: NULL;

		if (!strcmp(argv[i], "--snapshot"))
			s.snapshot = argv[i + 1];
		else if (opt)
			*opt = strtol(argv[i + 1], NULL, 10);
		else
			return usage();
	}
	if (i >= argc || argc - i > 3)
		return usage();
	dir = argv[i];
	if (argc - i > 1)
		s.guests = strtol(argv[i + 1], NULL, 10);
	if (argc - i > 2)
		s.partners = strtol(argv[i + 2], NULL, 10);
	if (s.memberships < 0)
		s.memberships = 2 * s.guests;
	if (s.guests < 0 || s.partners < 1 || s.groups < 2 || s.policies < 0 || s.packages < 0 ||
	    s.new_guests < 0 || s.memberships > s.guests * s.groups) {
		fprintf(stderr, "bench_config_gen: need GUESTS >= 0, PARTNERS >= 1, G >= 2, "
				"C, A, K >= 0 and M <= GUESTS * G\n");
		return 1;
	}
	if (write_config(dir, &s))
		return 1;
	if (s.snapshot && write_snapshot(s.snapshot, &s))
		return 1;
	return 0;
}
