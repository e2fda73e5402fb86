/*
 * bench_apply: times the apply executor alone, with a tenant that answers at
 * once, so that its own cost (rounds, readiness checks, id bookkeeping, the
 * report) is seen apart from Graph's. The plan is GROUPS group creates and
 * MEMBERS group_member creates, each member depending on its group and
 * resolving the group's id by address, as a large first apply has.
 *
 *   bench_apply [MEMBERS [GROUPS]]          (default 100000 members, 1000 groups)
 */
#include "reconcile/apply.h"
#include "schema/base/strbuf.h"
#include "schema/base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct instant_tenant {
	struct tenant base;
	size_t rounds, requests;
};

static int instant_run(struct tenant *t, struct tenant_request *reqs, size_t nr)
{
	struct instant_tenant *it = (struct instant_tenant *)t;
	size_t i;

	it->rounds++;
	for (i = 0; i < nr; i++) {
		it->requests++;
		reqs[i].status = 201;
		reqs[i].response = json_pack("{s:s}", "id", reqs[i].path + 1);
	}
	return 0;
}

static void instant_free(struct tenant *t)
{
	(void)t;
}

static const struct tenant_ops instant_ops = {"instant", instant_run, NULL, instant_free};

static enum apply_step_result create_step(struct apply_ctx *ctx, const struct plan_action *action,
					  json_t *state, const struct tenant_request *prev,
					  struct tenant_request *next)
{
	const char *group;

	(void)state;
	if (prev) {
		apply_ctx_set_id(ctx, action->address,
				 json_string_value(json_object_get(prev->response, "id")));
		return APPLY_STEP_DONE;
	}
	group = json_object_get(action->data, "group")
		    ? apply_ctx_resolve(ctx, action->data, "group")
		    : "";
	if (!group) {
		apply_ctx_fail(ctx, action, NULL, "no group id");
		return APPLY_STEP_FAILED;
	}
	tenant_request_init(next, "POST", NULL, TENANT_BATCHABLE, NULL, "/%s%s", action->name,
			    group);
	return APPLY_STEP_MORE;
}

static const struct kind bench_group = {.name = "group", .apply_step = create_step};
static const struct kind bench_member = {.name = "group_member", .apply_step = create_step};

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
	long members = argc > 1 ? atol(argv[1]) : 100000, groups = argc > 2 ? atol(argv[2]) : 1000;
	struct instant_tenant tenant = {{&instant_ops, NULL, NULL, 8, NULL, NULL}, 0, 0};
	struct apply_options opts = {.max_destroy = -1};
	struct apply_ctx ctx = {0};
	struct plan *plan = plan_new();
	struct timespec start;
	long i;
	int ret;

	if (members < 0 || groups < 1) {
		fputs("usage: bench_apply [MEMBERS [GROUPS]]\n", stderr);
		return 1;
	}
	for (i = 0; i < groups; i++) {
		char *name = xstrfmt("group-%ld", i);

		plan_add_action(plan, &bench_group, PLAN_CREATE, name, NULL);
		free(name);
	}
	for (i = 0; i < members; i++) {
		char *name = xstrfmt("group-%ld/user%ld@contoso.com", i % groups, i);
		char *group = xstrfmt("group.group-%ld", i % groups);
		struct plan_action *a =
		    plan_add_action(plan, &bench_member, PLAN_CREATE, name, NULL);

		plan_action_depends_on(a, group);
		a->data = json_pack("{s:{s:s}}", "group", "address", group);
		free(name);
		free(group);
	}
	opts.report = fopen("/dev/null", "w");
	ctx.tenant = &tenant.base;
	ctx.plan = plan;

	clock_gettime(CLOCK_MONOTONIC, &start);
	ret = apply_plan(&ctx, &opts);
	printf("apply of %ld actions: %.3f s, %zu rounds, %zu requests%s\n", members + groups,
	       seconds_since(&start), tenant.rounds, tenant.requests, ret ? " (FAILED)" : "");

	fclose(opts.report);
	apply_ctx_release(&ctx);
	plan_free(plan);
	return ret ? 1 : 0;
}
