/*
 * bench_governance_diff: times the diff of the conditional access and
 * entitlement kinds on a tenant that already matches the configuration (the
 * nightly drift run's case): PACKAGES access packages with two groups and two
 * policies each, and POLICIES conditional access policies, all read back as
 * Graph answers them. Prints the time and the number of actions (0 expected).
 *
 *   bench_governance_diff [PACKAGES [POLICIES]]      (default 2000 packages, 200 policies)
 */
#include "reconcile/kind.h"
#include "schema/base/strbuf.h"
#include "schema/base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

extern const struct kind kind_conditional_access_policy, kind_catalog, kind_access_package,
    kind_access_package_resource, kind_access_package_policy;

#define PARTNER_TID "22222222-2222-2222-2222-222222222222"

static void write_config(const char *dir, long packages, long policies)
{
	struct strbuf sb = STRBUF_INIT;
	char *path = xstrfmt("%s/b2bctl.yaml", dir);
	FILE *f;
	long i;

	strbuf_addstr(&sb, "tenant:\n  id: 11111111-1111-1111-1111-111111111111\n"
			   "partners:\n  - name: contoso\n    domains: [contoso.com]\n"
			   "    tenantId: " PARTNER_TID "\n    connectedOrganization: true\n"
			   "groups:\n  - name: approvers\n    membership: additive\n");
	for (i = 0; i < packages; i++)
		strbuf_addf(&sb,
			    "  - name: g%ld-a\n    membership: additive\n"
			    "  - name: g%ld-b\n    membership: additive\n",
			    i, i);
	strbuf_addstr(&sb, "conditionalAccess:\n  policies:\n");
	for (i = 0; i < policies; i++)
		strbuf_addf(&sb,
			    "    - name: \"B2B - policy %ld\"\n      state: enabled\n"
			    "      partners: [contoso]\n      excludeGroups: [approvers]\n"
			    "      require: [mfa]\n",
			    i);
	strbuf_addstr(&sb, "accessPackages:\n");
	for (i = 0; i < packages; i++)
		strbuf_addf(&sb,
			    "  - name: package %ld\n    catalog: catalog %ld\n"
			    "    groups: [g%ld-a, g%ld-b]\n    policies:\n"
			    "      - name: contoso\n        partners: [contoso]\n"
			    "        approvers: [approvers]\n        expiry: P90D\n"
			    "      - name: everyone\n        allPartners: true\n"
			    "        expiry: never\n",
			    i, i % 10, i, i);
	f = fopen(path, "w");
	if (!f || fwrite(sb.buf, 1, sb.len, f) != sb.len || fclose(f))
		xalloc_die("writing the configuration");
	strbuf_release(&sb);
	free(path);
}

static json_t *policy(long pkg, const char *name, int all)
{
	json_t *p = json_pack(
	    "{s:s,s:s,s:s,s:s,s:[],s:{s:s,s:s},s:{s:b,s:b,s:b,s:b},s:{s:b,s:b,s:[]}}", "id", name,
	    "displayName", name, "description", name, "allowedTargetScope",
	    all ? "allConfiguredConnectedOrganizationUsers" : "specificConnectedOrganizationUsers",
	    "specificAllowedTargets", "expiration", "type", all ? "noExpiration" : "afterDuration",
	    "duration", all ? "" : "P90D", "requestorSettings", "enableTargetsToSelfAddAccess", 1,
	    "enableTargetsToSelfUpdateAccess", 0, "enableTargetsToSelfRemoveAccess", 1,
	    "allowCustomAssignmentSchedule", 0, "requestApprovalSettings",
	    "isApprovalRequiredForAdd", !all, "isApprovalRequiredForUpdate", 0, "stages");

	(void)pkg;
	if (!all) {
		json_array_append_new(json_object_get(p, "specificAllowedTargets"),
				      json_pack("{s:s}", "connectedOrganizationId", "co-1"));
		json_array_append_new(
		    json_object_get(json_object_get(p, "requestApprovalSettings"), "stages"),
		    json_pack("{s:s,s:[{s:s}]}", "durationBeforeAutomaticDenial", "P14D",
			      "primaryApprovers", "groupId", "g-approvers"));
	}
	return p;
}

static json_t *build_live(long packages, long policies)
{
	json_t *live = json_pack(
	    "{s:[],s:[],s:[],s:[],s:[{s:s,s:s,s:[{s:s,s:s}]}]}", "groups",
	    "conditionalAccessPolicies", "accessPackageCatalogs", "accessPackages",
	    "connectedOrganizations", "id", "co-1", "displayName", "contoso", "identitySources",
	    "tenantId", PARTNER_TID, "@odata.type", "#microsoft.graph.azureActiveDirectoryTenant");
	json_t *groups = json_object_get(live, "groups");
	long i;

	json_array_append_new(
	    groups, json_pack("{s:s,s:s}", "id", "g-approvers", "displayName", "approvers"));
	for (i = 0; i < 10; i++) {
		char *name = xstrfmt("catalog %ld", i), *id = xstrfmt("cat-%ld", i);

		json_array_append_new(json_object_get(live, "accessPackageCatalogs"),
				      json_pack("{s:s,s:s,s:b,s:[]}", "id", id, "displayName", name,
						"isExternallyVisible", 1, "resources"));
		free(name);
		free(id);
	}
	for (i = 0; i < policies; i++) {
		char *name = xstrfmt("B2B - policy %ld", i);

		json_array_append_new(
		    json_object_get(live, "conditionalAccessPolicies"),
		    json_pack(
			"{s:s,s:s,s:s,s:n,s:{s:[s],s:{s:[s]},s:{s:[s],s:{s:s,s:{s:s,s:[s]}}}},"
			"s:{s:s,s:[s]}}",
			"id", name, "displayName", name, "state", "enabled", "sessionControls",
			"conditions", "clientAppTypes", "all", "applications",
			"includeApplications", "All", "users", "excludeGroups", "g-approvers",
			"includeGuestsOrExternalUsers", "guestOrExternalUserTypes",
			"internalGuest,b2bCollaborationGuest,b2bCollaborationMember,"
			"b2bDirectConnectUser,otherExternalUser,serviceProvider",
			"externalTenants", "membershipKind", "enumerated", "members", PARTNER_TID,
			"grantControls", "operator", "OR", "builtInControls", "mfa"));
		free(name);
	}
	for (i = 0; i < packages; i++) {
		char *name = xstrfmt("package %ld", i), *id = xstrfmt("ap-%ld", i);
		char *ga = xstrfmt("g%ld-a", i), *gb = xstrfmt("g%ld-b", i);
		char *ra = xstrfmt("Member_%s", ga), *rb = xstrfmt("Member_%s", gb);
		char *cat = xstrfmt("cat-%ld", i % 10);

		json_array_append_new(groups, json_pack("{s:s,s:s}", "id", ga, "displayName", ga));
		json_array_append_new(groups, json_pack("{s:s,s:s}", "id", gb, "displayName", gb));
		json_array_append_new(json_object_get(live, "accessPackages"),
				      json_pack("{s:s,s:s,s:{s:s},s:[o,o],s:[{s:s,s:{s:s},s:{s:s}},"
						"{s:s,s:{s:s},s:{s:s}}]}",
						"id", id, "displayName", name, "catalog", "id", cat,
						"assignmentPolicies", policy(i, "contoso", 0),
						policy(i, "everyone", 1), "resourceRoleScopes",
						"id", ra, "role", "originId", ra, "scope",
						"originId", ga, "id", rb, "role", "originId", rb,
						"scope", "originId", gb));
		free(name);
		free(id);
		free(ga);
		free(gb);
		free(ra);
		free(rb);
		free(cat);
	}
	return live;
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (now.tv_nsec - start->tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
	static const struct kind *const mine[] = {
	    &kind_conditional_access_policy,
	    &kind_catalog,
	    &kind_access_package,
	    &kind_access_package_resource,
	    &kind_access_package_policy,
	};
	long packages = argc > 1 ? atol(argv[1]) : 2000;
	long policies = argc > 2 ? atol(argv[2]) : 200;
	char dir[] = "/tmp/b2bctl-bench-XXXXXX";
	const char *paths[1] = {dir};
	struct diag_list diags = DIAG_LIST_INIT;
	struct reconcile_ctx ctx = {0};
	struct plan *plan = plan_new();
	struct config *cfg;
	struct timespec start;
	char *file;
	size_t k;

	if (!mkdtemp(dir))
		xalloc_die("mkdtemp");
	write_config(dir, packages, policies);
	cfg = config_load(paths, 1, NULL, &diags);
	file = xstrfmt("%s/b2bctl.yaml", dir);
	unlink(file);
	rmdir(dir);
	free(file);
	if (diag_count(&diags, DIAG_ERROR)) {
		diag_print_text(stderr, &diags);
		return 1;
	}
	ctx.cfg = cfg;
	ctx.live = build_live(packages, policies);
	ctx.diags = &diags;
	clock_gettime(CLOCK_MONOTONIC, &start);
	ctx.index = live_index_build(ctx.live);
	for (k = 0; k < ARRAY_SIZE(mine); k++)
		mine[k]->diff(&ctx, plan);
	printf("diff of %ld packages (%ld policies, %ld groups) and %ld conditional access "
	       "policies: %.3f s, %zu actions, %zu diagnostics\n",
	       packages, 2 * packages, 2 * packages, policies, seconds_since(&start), plan->nr,
	       diags.nr);
	live_index_free(ctx.index);
	json_decref(ctx.live);
	plan_free(plan);
	diag_list_release(&diags);
	config_free(cfg);
	return 0;
}
