/*
 * bench_plan: how long the plan engine takes on a large plan, without the
 * tenant: adding actions, the dependency sort, the three renderers and the
 * plan file's JSON. Prints one line per step; not a test, nothing to assert.
 *
 *   build/bench_plan [GUESTS]     (default 50000 guests, each with a membership)
 */
#include "cmd/render.h"
#include "reconcile/kind.h"
#include "reconcile/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

#define STEP(label, code)                                                                          \
	do {                                                                                       \
		struct timespec t0;                                                                \
		clock_gettime(CLOCK_MONOTONIC, &t0);                                               \
		code;                                                                              \
		printf("%-28s %8.3f s\n", label, seconds_since(&t0));                              \
	} while (0)

int main(int argc, char **argv)
{
	size_t guests = argc > 1 ? strtoul(argv[1], NULL, 10) : 50000, i;
	struct src_pos pos = {"partners/big.yaml", 12, 7};
	struct render_options opts = {.mode = RENDER_PLAN, .color = 0};
	struct strbuf out = STRBUF_INIT;
	struct plan *plan = plan_new();
	char name[128], dep[160];
	char *text = NULL;

	STEP("add actions", {
		plan_add_action(plan, kind_find("group"), PLAN_CREATE, "partners", &pos);
		for (i = 0; i < guests; i++) {
			struct plan_action *a;

			snprintf(name, sizeof(name), "partners/user%07zu@big.example", i);
			a = plan_add_action(plan, kind_find("group_member"), PLAN_CREATE, name,
					    &pos);
			plan_action_add_change(a, "member", NULL, json_string(name + 9));
			snprintf(dep, sizeof(dep), "guest.user%07zu@big.example", i);
			plan_action_depends_on(a, dep);
			plan_action_depends_on(a, "group.partners");
			a = plan_add_action(plan, kind_find("guest"), PLAN_CREATE, name + 9, &pos);
			plan_action_add_change(a, "displayName", NULL, json_string("A guest user"));
		}
	});
	printf("%-28s %8zu\n", "actions", plan->nr);
	STEP("drop dangling + sort", {
		plan_drop_dangling_depends(plan);
		if (plan_sort(plan))
			return 1;
	});
	STEP("render text", render_text(&out, plan, &opts));
	printf("%-28s %8zu bytes\n", "text", out.len);
	strbuf_reset(&out);
	STEP("render markdown", render_markdown(&out, plan, &opts));
	printf("%-28s %8zu bytes\n", "markdown", out.len);
	strbuf_reset(&out);
	STEP("render json", render_json(&out, plan));
	STEP("plan file json", text = plan_to_json_text(plan, PLAN_JSON_FILE));
	free(text);
	strbuf_release(&out);
	plan_free(plan);
	return 0;
}
