/*
 * bench_config_gen: writes a large, valid configuration for timing
 * `b2bctl validate` (tests/bench/bench_validate.sh): one file per partner,
 * guests spread evenly, each guest in one or two of the groups, plus
 * conditional access and access packages that refer to partners and groups.
 *
 *   bench_config_gen OUTDIR [GUESTS [PARTNERS]]     (default 100000 guests, 200 partners)
 */
#include "schema/base/strbuf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define GROUPS 50

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

int main(int argc, char **argv)
{
	struct strbuf sb = STRBUF_INIT, path = STRBUF_INIT;
	long guests = 100000, partners = 200, p, g, next = 0;
	const char *dir;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: bench_config_gen OUTDIR [GUESTS [PARTNERS]]\n");
		return 1;
	}
	dir = argv[1];
	if (argc > 2)
		guests = strtol(argv[2], NULL, 10);
	if (argc > 3)
		partners = strtol(argv[3], NULL, 10);
	if (guests < 0 || partners < 1) {
		fprintf(stderr, "bench_config_gen: need GUESTS >= 0 and PARTNERS >= 1\n");
		return 1;
	}
	strbuf_addf(&path, "%s/partners", dir);
	if ((mkdir(dir, 0755) && errno != EEXIST) || (mkdir(path.buf, 0755) && errno != EEXIST)) {
		fprintf(stderr, "bench_config_gen: %s: %s\n", path.buf, strerror(errno));
		return 1;
	}

	strbuf_addstr(&sb,
		      "tenant:\n  id: 11111111-1111-1111-1111-111111111111\n"
		      "settings:\n  maxDestroy: 100\n"
		      "externalCollaboration:\n  guestUserAccess: restricted\n"
		      "  collaborationRestrictions:\n    allowDomains: [hostcorp-partners.com]\n"
		      "    includePartnerDomains: true\n"
		      "invitations:\n  redirectUrl: https://myapps.microsoft.com\n"
		      "  sendEmail: false\n  resendPendingAfter: P14D\n");
	if (write_file(dir, "tenant.yaml", &sb))
		return 1;

	strbuf_reset(&sb);
	strbuf_addstr(&sb, "groups:\n");
	for (g = 0; g < GROUPS; g++)
		strbuf_addf(&sb, "  - name: group-%03ld\n    description: Bench group %ld\n", g, g);
	if (write_file(dir, "groups.yaml", &sb))
		return 1;

	strbuf_reset(&sb);
	strbuf_addstr(&sb, "conditionalAccess:\n  namePrefix: \"B2B - \"\n  policies:\n");
	for (p = 0; p < 10 && p < partners; p++)
		strbuf_addf(&sb,
			    "    - name: B2B - MFA %ld\n      state: reportOnly\n"
			    "      partners: [partner-%03ld]\n      excludeGroups: [group-000]\n"
			    "      require: [mfa]\n",
			    p, p);
	strbuf_addstr(&sb, "accessPackages:\n");
	for (p = 0; p < 10 && p < partners; p++)
		strbuf_addf(
		    &sb,
		    "  - name: Package %ld\n    catalog: Bench\n    groups: [group-%03ld]\n"
		    "    policies:\n      - name: Partner %ld\n        partners: [partner-%03ld]\n"
		    "        approvers: [group-001]\n        expiry: P90D\n",
		    p, p % GROUPS, p, p);
	if (write_file(dir, "governance.yaml", &sb))
		return 1;

	for (p = 0; p < partners; p++) {
		long share = guests / partners + (p < guests % partners);
		char name[64];

		strbuf_reset(&sb);
		strbuf_addf(
		    &sb,
		    "partners:\n  - name: partner-%03ld\n    displayName: Partner %ld Ltd.\n"
		    "    domains: [partner%ld.example.com, partner%ld.example.net]\n"
		    "    connectedOrganization: true\n"
		    "    crossTenantAccess:\n      trustMfa: true\n"
		    "    guestGroups: [group-%03ld]\n    guests:\n",
		    p, p, p, p, p % GROUPS);
		for (g = 0; g < share; g++, next++)
			strbuf_addf(&sb,
				    "      - email: user%ld@partner%ld.example.%s\n"
				    "        displayName: User %ld\n"
				    "        groups: [group-%03ld, group-%03ld]\n",
				    next, p, g % 2 ? "net" : "com", next, next % GROUPS,
				    (next + 7) % GROUPS);
		snprintf(name, sizeof(name), "partners/partner-%03ld.yaml", p);
		if (write_file(dir, name, &sb))
			return 1;
	}
	strbuf_release(&sb);
	strbuf_release(&path);
	return 0;
}
