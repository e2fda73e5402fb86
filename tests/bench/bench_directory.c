/*
 * bench_directory: times the group, guest and group_member kinds alone (read
 * on the snapshot backend, then diff) over a configuration and a snapshot, so
 * their cost is seen apart from the rest of a plan.
 *
 *   bench_directory CONFIG_DIR SNAPSHOT_FILE
 *
 * tests/bench/directory_scale_gen.py writes a large pair.
 */
#include "reconcile/kind.h"
#include "schema/base/xalloc.h"

#include <stdio.h>
#include <time.h>

extern const struct kind kind_group, kind_guest, kind_group_member;

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
	const struct kind *directory[] = {&kind_group, &kind_guest, &kind_group_member};
	struct diag_list diags = DIAG_LIST_INIT;
	struct reconcile_ctx ctx = {0};
	const char *paths[1];
	struct timespec start;
	struct plan *plan;
	struct config *cfg;
	struct tenant *t;
	size_t i;
	int ret = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: %s CONFIG_DIR SNAPSHOT_FILE\n", argv[0]);
		return 1;
	}
	paths[0] = argv[1];
	clock_gettime(CLOCK_MONOTONIC, &start);
	cfg = config_load(paths, 1, NULL, &diags);
	printf("load configuration: %.3f s\n", seconds_since(&start));
	if (diag_count(&diags, DIAG_ERROR)) {
		diag_print_text(stderr, &diags);
		goto out_cfg;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	t = tenant_snapshot_open(argv[2]);
	printf("open snapshot: %.3f s\n", seconds_since(&start));
	if (!t) {
		fprintf(stderr, "%s\n", b2b_error_last());
		goto out_cfg;
	}
	ctx.cfg = cfg;
	ctx.tenant = t;
	ctx.live = json_object();
	ctx.diags = &diags;
	ctx.now = time(NULL);
	for (i = 0; i < ARRAY_SIZE(directory); i++) {
		clock_gettime(CLOCK_MONOTONIC, &start);
		if (directory[i]->read(&ctx) < 0) {
			fprintf(stderr, "read %s: %s\n", directory[i]->name, b2b_error_last());
			goto out;
		}
		printf("read %s: %.3f s\n", directory[i]->name, seconds_since(&start));
	}
	ctx.tenant = NULL;
	clock_gettime(CLOCK_MONOTONIC, &start);
	ctx.index = live_index_build(ctx.live);
	printf("index: %.3f s\n", seconds_since(&start));
	plan = plan_new();
	for (i = 0; i < ARRAY_SIZE(directory); i++) {
		clock_gettime(CLOCK_MONOTONIC, &start);
		directory[i]->diff(&ctx, plan);
		printf("diff %s: %.3f s\n", directory[i]->name, seconds_since(&start));
	}
	printf("actions: %zu create, %zu update, %zu delete; %zu diagnostics\n",
	       plan_count(plan, PLAN_CREATE), plan_count(plan, PLAN_UPDATE),
	       plan_count(plan, PLAN_DELETE), diags.nr);
	plan_free(plan);
	live_index_free(ctx.index);
	ret = 0;
out:
	json_decref(ctx.live);
	tenant_free(t);
out_cfg:
	diag_list_release(&diags);
	config_free(cfg);
	return ret;
}
