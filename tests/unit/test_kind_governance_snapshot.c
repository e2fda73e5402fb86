/*
 * The conditional access and entitlement kinds' reads against memgraph through
 * the snapshot backend (tests/e2e/governance): what each read stores in the
 * live model, and that the diff of that model plans what the e2e test expects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "partners_fixture.h"

extern const struct kind kind_group, kind_connected_organization, kind_conditional_access_policy,
    kind_catalog, kind_access_package, kind_access_package_resource, kind_access_package_policy;

#define GOVERNANCE_DIR TEST_SOURCE_DIR "/tests/e2e/governance"

static struct tenant *open_seed(char *path)
{
	struct strbuf seed = STRBUF_INIT;
	struct tenant *t;
	int fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	assert_int_equal(strbuf_read_file(&seed, GOVERNANCE_DIR "/seed.snapshot.json", 1 << 20), 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fwrite(seed.buf, 1, seed.len, f);
	fclose(f);
	strbuf_release(&seed);
	t = tenant_snapshot_open(path);
	if (!t)
		fprintf(stderr, "%s\n", b2b_error_last());
	assert_non_null(t);
	return t;
}

static struct config *governance_config(void)
{
	struct diag_list diags = DIAG_LIST_INIT;
	const char *paths[] = {GOVERNANCE_DIR "/config"};
	struct config *cfg = config_load(paths, 1, NULL, &diags);

	assert_int_equal(diag_count(&diags, DIAG_ERROR), 0);
	diag_list_release(&diags);
	return cfg;
}

static json_t *read_all(const struct config *cfg, struct tenant *t)
{
	static const struct kind *const order[] = {
	    &kind_connected_organization,
	    &kind_group,
	    &kind_conditional_access_policy,
	    &kind_catalog,
	    &kind_access_package,
	    &kind_access_package_resource,
	};
	struct diag_list diags = DIAG_LIST_INIT;
	json_t *live = fixture_read(order, ARRAY_SIZE(order), cfg, t, &diags);

	assert_int_equal(diags.nr, 0);
	return live;
}

static json_t *find(json_t *live, const char *collection, const char *name)
{
	json_t *item = live_find_by_display_name(live, collection, name);

	if (!item)
		fprintf(stderr, "no %s named %s\n", collection, name);
	assert_non_null(item);
	return item;
}

static void test_reads_store_what_graph_answers(void **state)
{
	char path[] = "/tmp/b2bctl-governance-XXXXXX";
	struct config *cfg = governance_config();
	struct tenant *t = open_seed(path);
	json_t *live = read_all(cfg, t);
	json_t *pkg, *catalog, *policy;

	(void)state;
	assert_int_equal(json_array_size(json_object_get(live, "conditionalAccessPolicies")), 3);
	policy = find(live, "conditionalAccessPolicies", "B2B - Require MFA for guests");
	assert_json(json_object_get(policy, "state"), "\"disabled\"");
	assert_non_null(json_object_get(json_object_get(policy, "conditions"), "users"));

	catalog = find(live, "accessPackageCatalogs", "Partner collaboration");
	assert_json(json_object_get(catalog, "isExternallyVisible"), "false");
	assert_int_equal(json_array_size(json_object_get(catalog, "resources")), 1);
	assert_json(json_object_get(json_array_get(json_object_get(catalog, "resources"), 0),
				    "displayName"),
		    "\"old-team\"");

	assert_int_equal(json_array_size(json_object_get(live, "accessPackages")), 1);
	pkg = find(live, "accessPackages", "Project Apollo");
	assert_json(json_object_get(json_object_get(pkg, "catalog"), "id"),
		    "\"ca7a0000-0000-4000-8000-000000000022\"");
	assert_int_equal(json_array_size(json_object_get(pkg, "assignmentPolicies")), 1);
	assert_json(json_object_get(
			json_object_get(
			    json_array_get(json_object_get(pkg, "resourceRoleScopes"), 0), "role"),
			"originId"),
		    "\"Member_0b000000-0000-4000-8000-00000000d001\"");
	json_decref(live);
	tenant_free(t);
	unlink(path);
	config_free(cfg);
}

static void test_diff_of_what_was_read(void **state)
{
	static const struct kind *const mine[] = {
	    &kind_conditional_access_policy,
	    &kind_catalog,
	    &kind_access_package,
	    &kind_access_package_resource,
	    &kind_access_package_policy,
	};
	static const char *const expected[] = {
	    "update conditional_access_policy.B2B - Require MFA for guests",
	    "create conditional_access_policy.B2B - Compliant device for Contoso",
	    "delete conditional_access_policy.B2B - Legacy guest block",
	    "update catalog.Partner collaboration",
	    "create access_package.Partner finance access",
	    "create access_package_resource.Partner finance access/finance-readers",
	    "create access_package_resource.Project Apollo/apollo-team",
	    "delete access_package_resource.Project Apollo/old-team",
	    "create access_package_policy.Partner finance access/Contoso may request",
	    "create access_package_policy.Project Apollo/Connected organisations may request",
	    "delete access_package_policy.Project Apollo/Old policy",
	};
	char path[] = "/tmp/b2bctl-governance-XXXXXX";
	struct config *cfg = governance_config();
	struct tenant *t = open_seed(path);
	json_t *live = read_all(cfg, t);
	struct diag_list diags = DIAG_LIST_INIT;
	struct plan *plan = plan_new();
	struct reconcile_ctx ctx = {0};
	size_t i, k;

	(void)state;
	ctx.cfg = cfg;
	ctx.live = live;
	ctx.diags = &diags;
	ctx.index = live_index_build(live);
	for (k = 0; k < ARRAY_SIZE(mine); k++)
		assert_int_equal(mine[k]->diff(&ctx, plan), 0);
	assert_int_equal(diags.nr, 0);
	for (i = 0; plan->nr != ARRAY_SIZE(expected) && i < plan->nr; i++)
		fprintf(stderr, "%s %s\n", plan_op_name(plan->actions[i].op),
			plan->actions[i].address);
	assert_int_equal(plan->nr, ARRAY_SIZE(expected));
	for (k = 0; k < ARRAY_SIZE(expected); k++) {
		const char *space = strchr(expected[k], ' ');
		struct plan_action *a = plan_find(plan, space + 1);

		if (!a)
			fprintf(stderr, "missing: %s\n", expected[k]);
		assert_non_null(a);
		assert_int_equal((size_t)(space - expected[k]), strlen(plan_op_name(a->op)));
		assert_true(
		    !strncmp(expected[k], plan_op_name(a->op), (size_t)(space - expected[k])));
	}
	live_index_free(ctx.index);
	plan_free(plan);
	json_decref(live);
	tenant_free(t);
	unlink(path);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reads_store_what_graph_answers),
	    cmocka_unit_test(test_diff_of_what_was_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
