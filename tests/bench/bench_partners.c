/*
 * bench_partners: times the partner and connected_organization diffs (and
 * the lookup other kinds make per policy, live_connected_organization_for)
 * over PARTNERS declared partners whose cross-tenant entries and connected
 * organisations all exist, half of them with a change to plan.
 *
 *   bench_partners [PARTNERS]          (default 2000)
 */
#include "reconcile/kind.h"
#include "reconcile/kinds/partners_common.h"
#include "schema/base/strbuf.h"
#include "schema/base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

extern const struct kind kind_partner, kind_connected_organization;

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static char *tenant_guid(size_t i)
{
	return xstrfmt("%08zx-0000-4000-8000-%012zx", i + 1, i + 1);
}

int main(int argc, char **argv)
{
	size_t partners = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000, i;
	char dir[] = "/tmp/b2bctl-bench-partners-XXXXXX";
	struct strbuf yaml = STRBUF_INIT, path = STRBUF_INIT;
	struct diag_list diags = DIAG_LIST_INIT;
	json_t *live = json_object(), *entries = json_array(), *orgs = json_array();
	struct reconcile_ctx ctx = {0};
	const char *paths[1] = {dir};
	struct timespec t0;
	struct config *cfg;
	struct plan *plan;
	size_t found = 0;
	FILE *f;

	if (!mkdtemp(dir))
		return 1;
	strbuf_addstr(&yaml, "tenant:\n  id: 11111111-1111-1111-1111-111111111111\npartners:\n");
	for (i = 0; i < partners; i++) {
		char *tid = tenant_guid(i), *name;

		strbuf_addf(
		    &yaml,
		    "  - name: p%zu\n    displayName: Partner %zu\n    domains: [p%zu.example]\n"
		    "    tenantId: %s\n    crossTenantAccess:\n      trustMfa: true\n"
		    "    connectedOrganization: true\n",
		    i, i, i, tid);
		json_array_append_new(entries, json_pack("{s:s, s:{s:b}}", "tenantId", tid,
							 "inboundTrust", "isMfaAccepted", i % 2));
		name = xstrfmt("Partner %zu", i);
		json_array_append_new(
		    orgs,
		    json_pack("{s:s+, s:s, s:s, s:s, s:[{s:s, s:s}]}", "id", "org-", tid,
			      "displayName", name, "description", name, "state",
			      i % 2 ? "configured" : "proposed", "identitySources", "@odata.type",
			      "#microsoft.graph.azureActiveDirectoryTenant", "tenantId", tid));
		free(name);
		free(tid);
	}
	strbuf_addf(&path, "%s/partners.yaml", dir);
	f = fopen(path.buf, "w");
	if (!f)
		return 1;
	fwrite(yaml.buf, 1, yaml.len, f);
	fclose(f);
	cfg = config_load(paths, 1, NULL, &diags);
	unlink(path.buf);
	rmdir(dir);
	if (diag_count(&diags, DIAG_ERROR)) {
		diag_print_text(stderr, &diags);
		return 1;
	}
	json_object_set_new(live, "crossTenantAccessPolicyPartners", entries);
	json_object_set_new(live, "connectedOrganizations", orgs);

	ctx.cfg = cfg;
	ctx.live = live;
	ctx.diags = &diags;
	ctx.index = live_index_build(live);
	plan = plan_new();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	kind_partner.diff(&ctx, plan);
	printf("partner diff: %zu partners, %zu actions in %.3f s\n", partners, plan->nr,
	       seconds_since(&t0));
	plan_free(plan);
	plan = plan_new();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	kind_connected_organization.diff(&ctx, plan);
	printf("connected_organization diff: %zu partners, %zu actions in %.3f s\n", partners,
	       plan->nr, seconds_since(&t0));
	plan_free(plan);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < cfg->partners_nr; i++)
		found += live_connected_organization_for(live, &cfg->partners[i]) != NULL;
	printf("live_connected_organization_for: %zu lookups (%zu found) in %.3f s\n",
	       cfg->partners_nr, found, seconds_since(&t0));
	live_index_free(ctx.index);
	json_decref(live);
	config_free(cfg);
	diag_list_release(&diags);
	strbuf_release(&yaml);
	strbuf_release(&path);
	return 0;
}
