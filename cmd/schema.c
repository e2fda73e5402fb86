/*
 * schema: `b2bctl schema` prints the JSON Schema (draft 2020-12) of the
 * configuration files, for editors (yaml-language-server) and other tools.
 * The schema is schema/b2bctl.schema.json, compiled into the binary.
 */
#include "builtin.h"
#include "options.h"
#include "schema/keys.h"

#include <stdio.h>

static const char *const schema_usage[] = {
    "b2bctl schema",
    "",
    "Prints the JSON Schema of the configuration files. Point an editor at it, e.g.",
    "with a first line '# yaml-language-server: $schema=PATH/b2bctl.schema.json'.",
    NULL,
};

int cmd_schema(int argc, const char **argv)
{
	const struct option options[] = {
	    OPT_END(),
	};
	int nr = parse_options(argc, argv, options, schema_usage);

	if (nr == -2)
		return 0;
	if (nr < 0)
		return 1;
	if (nr > 0) {
		fprintf(stderr, "b2bctl schema: takes no arguments\n");
		return 1;
	}
	if (fwrite(schema_json, 1, schema_json_len, stdout) != schema_json_len || fflush(stdout)) {
		perror("b2bctl schema: write");
		return 1;
	}
	return 0;
}
