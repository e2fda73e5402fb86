/*
 * fuzz_plan_file: libFuzzer target for the plan file reader, the one input
 * apply trusts. Any bytes must end in a plan or a clear error, never a crash,
 * a leak or a hang; a plan that is accepted must write back to a document that
 * reads back to the same bytes.
 *
 *   cmake -S . -B build-fuzz -DB2BCTL_FUZZ=ON -DCMAKE_C_COMPILER=clang
 *   cmake --build build-fuzz --target fuzz_plan_file
 *   build-fuzz/tests/fuzz_plan_file -max_total_time=60 tests/cases/example
 */
#include "reconcile/plan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *json = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	struct plan *plan, *again;
	char *first, *second;
	json_t *reparsed;

	if (!json)
		return 0;
	plan = plan_from_json(json, "fuzz.plan");
	json_decref(json);
	if (!plan)
		return 0;
	first = plan_to_json_text(plan, PLAN_JSON_FILE);
	reparsed = json_loads(first, 0, NULL);
	again = reparsed ? plan_from_json(reparsed, "fuzz.plan") : NULL;
	if (!again)
		abort(); /* what plan writes, plan must read */
	second = plan_to_json_text(again, PLAN_JSON_FILE);
	if (strcmp(first, second))
		abort();
	free(first);
	free(second);
	json_decref(reparsed);
	plan_free(again);
	plan_free(plan);
	return 0;
}
