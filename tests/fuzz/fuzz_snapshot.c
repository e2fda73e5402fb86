/*
 * fuzz_snapshot: libFuzzer target for the tenant snapshot reader and the
 * kinds' reads behind it. The input is a snapshot file; opening it, reading
 * every kind of examples/config from it and diffing must end in a plan or a
 * clear error, never a crash, a leak or a hang. Seed it with
 * examples/tenant.snapshot.json and tests/cases/ (tests/fuzz/seeds.sh).
 *
 *   cmake -S . -B build-fuzz -DB2BCTL_FUZZ=ON -DCMAKE_C_COMPILER=clang
 *   cmake --build build-fuzz --target fuzz_snapshot
 *   build-fuzz/tests/fuzz_snapshot -max_total_time=60 build-fuzz/seeds/snapshot
 */
#include "reconcile/kind.h"
#include "reconcile/plan.h"
#include "reconcile/tenant/tenant.h"
#include "schema/config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct config *example_config(void)
{
	static struct config *cfg;
	struct diag_list diags = DIAG_LIST_INIT;
	const char *path = FUZZ_SOURCE_DIR "/examples/config";

	if (!cfg) {
		cfg = config_load(&path, 1, NULL, &diags);
		if (diags.nr)
			abort(); /* the example must load cleanly */
		diag_list_release(&diags);
	}
	return cfg;
}

static int write_input(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");
	int ret;

	if (!f)
		return -1;
	ret = fwrite(data, 1, size, f) == size ? 0 : -1;
	if (fclose(f))
		ret = -1;
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct diag_list diags = DIAG_LIST_INIT;
	struct reconcile_ctx ctx = {0};
	struct plan *plan;
	struct tenant *t;

	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz_snapshot.%ld.json", (long)getpid());
	if (write_input(path, data, size))
		abort();
	t = tenant_snapshot_open(path);
	if (!t)
		return 0;
	ctx.cfg = example_config();
	ctx.tenant = t;
	ctx.live = json_object();
	ctx.diags = &diags;
	ctx.now = 1700000000;
	if (reconcile_read(&ctx) == 0) {
		plan = plan_new();
		reconcile_diff(&ctx, plan);
		plan_free(plan);
	}
	json_decref(ctx.live);
	diag_list_release(&diags);
	tenant_free(t);
	return 0;
}
