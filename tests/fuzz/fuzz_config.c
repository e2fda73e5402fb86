/*
 * fuzz_config: libFuzzer target for the configuration loader. The input is
 * one YAML file; loading it must end in a config and diagnostics, never a
 * crash, a leak or a hang. Seed it with examples/config and tests/invalid.
 *
 *   cmake -S . -B build-fuzz -DB2BCTL_FUZZ=ON -DCMAKE_C_COMPILER=clang
 *   cmake --build build-fuzz --target fuzz_config
 *   build-fuzz/tests/fuzz_config -max_total_time=60 examples/config tests/invalid
 */
#include "schema/config.h"
#include "schema/base/xalloc.h"

#include <stdint.h>
#include <string.h>

struct fuzz_input {
	const uint8_t *data;
	size_t size;
};

static int fuzz_list(void *ctx, const char *path, char ***names, size_t *nr)
{
	(void)ctx;
	(void)path;
	*names = xmalloc(sizeof(**names));
	(*names)[0] = xstrdup("fuzz.yaml");
	*nr = 1;
	return 0;
}

static int fuzz_read(void *ctx, const char *name, char **data, size_t *len)
{
	const struct fuzz_input *in = ctx;

	(void)name;
	*data = xmalloc(in->size + 1);
	if (in->size)
		memcpy(*data, in->data, in->size);
	(*data)[in->size] = '\0';
	*len = in->size;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = {data, size};
	struct config_source source = {fuzz_list, fuzz_read, &in};
	struct diag_list diags = DIAG_LIST_INIT;
	const char *path = ".";
	struct config *cfg = config_load(&path, 1, &source, &diags);

	config_free(cfg);
	diag_list_release(&diags);
	return 0;
}
