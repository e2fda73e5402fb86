/*
 * schema_test_util: loading YAML text held in memory and collecting the
 * diagnostics as "file:line:column: message" lines, for the schema tests.
 */
#ifndef B2B_SCHEMA_TEST_UTIL_H
#define B2B_SCHEMA_TEST_UTIL_H

#include "schema/config.h"
#include "schema/base/strbuf.h"
#include "schema_memsource.h"

#include <stdio.h>
#include <string.h>

#define TENANT "tenant:\n  id: 11111111-1111-1111-1111-111111111111\n"

/* Loads the files and returns every diagnostic as text lines (caller frees). */
static inline char *diagnostics_of(const struct mem_file *files, size_t nr, struct config **out)
{
	struct mem_files m = {files, nr};
	struct config_source src = {mem_list, mem_read, &m};
	struct diag_list diags = DIAG_LIST_INIT;
	const char *path = ".";
	struct config *cfg = config_load(&path, 1, &src, &diags);
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < diags.nr; i++)
		strbuf_addf(&sb, "%s:%u:%u: %s\n", diags.items[i].file ? diags.items[i].file : "-",
			    diags.items[i].line, diags.items[i].col, diags.items[i].message);
	diag_list_release(&diags);
	if (out)
		*out = cfg;
	else
		config_free(cfg);
	return strbuf_detach(&sb, NULL);
}

/* The diagnostics of one file a.yaml that follows a valid tenant section. */
static inline char *errors_of(const char *yaml)
{
	struct strbuf text = STRBUF_INIT;
	struct mem_file f = {"a.yaml", NULL, 0};
	char *out;

	strbuf_addstr(&text, TENANT);
	strbuf_addstr(&text, yaml);
	f.text = text.buf;
	out = diagnostics_of(&f, 1, NULL);
	strbuf_release(&text);
	return out;
}

#define assert_errors(yaml, expected)                                                              \
	do {                                                                                       \
		char *got_ = errors_of(yaml);                                                      \
		assert_string_equal(got_, expected);                                               \
		free(got_);                                                                        \
	} while (0)

#endif
