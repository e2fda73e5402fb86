/*
 * Unit tests for hostile and odd input: every case ends in a clear
 * diagnostic at the right place (or loads fine), never a crash or a hang.
 * Also how files are found on disk: recursive, sorted, hidden entries
 * skipped, names as the user typed the path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "schema_test_util.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char *errors_of_bytes(const char *data, size_t len)
{
	struct mem_file f = {"a.yaml", data, len};

	return diagnostics_of(&f, 1, NULL);
}

#define assert_bytes_errors(data, len, expected)                                                   \
	do {                                                                                       \
		char *got_ = errors_of_bytes(data, len);                                           \
		assert_string_equal(got_, expected);                                               \
		free(got_);                                                                        \
	} while (0)

static void test_invalid_utf8_and_nul(void **state)
{
	static const char bad_utf8[] = TENANT "groups:\n  - name: caf\xc3(\n";
	static const char nul[] = TENANT "groups:\n  - name: a\0b\n";
	static const char escaped_nul[] = TENANT "groups:\n  - name: \"a\\0b\"\n";

	(void)state;
	assert_bytes_errors(bad_utf8, sizeof(bad_utf8) - 1,
			    "a.yaml:4:15: invalid YAML: invalid trailing UTF-8 octet (byte offset "
			    "73)\n");
	assert_bytes_errors(nul, sizeof(nul) - 1,
			    "a.yaml:4:12: the file holds a NUL byte; is it a YAML text file?\n");
	assert_errors("groups:\n  - name: \"a\\0b\"\n",
		      "a.yaml:4:11: a string holds a NUL character\n");
	(void)escaped_nul;
}

static void test_alias_bomb_is_refused(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	int i, j;

	(void)state;
	strbuf_addstr(&sb, TENANT "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (i = 1; i < 30; i++) {
		strbuf_addf(&sb, "a%d: &a%d [", i, i);
		for (j = 0; j < 10; j++)
			strbuf_addf(&sb, "%s*a%d", j ? ", " : "", i - 1);
		strbuf_addstr(&sb, "]\n");
	}
	assert_bytes_errors(sb.buf, sb.len,
			    "a.yaml:7:45: aliases expand to more than 100000 nodes; refusing to "
			    "expand '*a3'\n");
	strbuf_release(&sb);
}

static void test_aliases_that_are_fine(void **state)
{
	struct config *cfg;
	struct mem_file f = {"a.yaml",
			     TENANT
			     "groups:\n  - name: g\n  - name: h\npartners:\n"
			     "  - name: a\n    domains: [a.com]\n    guestGroups: &both [g, h]\n"
			     "  - name: b\n    domains: [b.com]\n    guestGroups: *both\n",
			     0};
	char *e = diagnostics_of(&f, 1, &cfg);

	(void)state;
	assert_string_equal(e, "");
	assert_int_equal(cfg->partners[1].guest_groups.nr, 2);
	assert_string_equal(cfg->partners[1].guest_groups.items[1].value, "h");
	free(e);
	config_free(cfg);
	assert_errors("x: &a [*a]\n", "a.yaml:3:8: alias '*a' names no anchor defined before it\n");
	assert_errors("x: &a 1\ny: &a 2\n", "a.yaml:4:4: anchor '&a' is defined twice\n");
	assert_errors("base: &b {sendEmail: true}\ninvitations:\n  <<: *b\n",
		      "a.yaml:3:1: unknown key 'base' in the configuration\n"
		      "a.yaml:5:3: YAML merge keys ('<<') are not supported\n");
}

static void test_deep_nesting_is_refused(void **state)
{
	size_t depth = 1000000, len = 2 * depth + 9;
	char *data = malloc(len + 1);

	(void)state;
	memcpy(data, "groups: ", 8);
	memset(data + 8, '[', depth);
	memset(data + 8 + depth, ']', depth);
	data[len - 1] = '\n';
	data[len] = '\0';
	assert_bytes_errors(data, len,
			    "a.yaml:1:72: lists and mappings nest deeper than 64 levels\n");
	free(data);
}

static void test_oversized_file_is_refused(void **state)
{
	size_t len = 10 * 1024 * 1024 + 1;
	char *data = malloc(len);

	(void)state;
	memset(data, '#', len);
	assert_bytes_errors(data, len,
			    "a.yaml:1:1: cannot read the file: the file is larger than 10 MiB\n");
	free(data);
}

static void test_documents(void **state)
{
	struct mem_file empty[] = {{"a.yaml", TENANT, 0},
				   {"b.yaml", "", 0},
				   {"c.yaml", "# only a comment\n", 0},
				   {"d.yaml", "---\n...\n", 0},
				   {"e.yaml", "~\n", 0}};
	char *e = diagnostics_of(empty, 5, NULL);

	(void)state;
	assert_string_equal(e, "");
	free(e);
	assert_errors("---\ngroups: []\n",
		      "a.yaml:3:1: a file holds one YAML document; this is a second one (split "
		      "it into two files)\n");
	assert_bytes_errors("[tenant]\n", 9,
			    "a.yaml:1:1: the top level of a configuration file must be a mapping "
			    "(tenant:, partners:, ...), not a list\n");
	assert_bytes_errors("just text\n", 10,
			    "a.yaml:1:1: the top level of a configuration file must be a mapping "
			    "(tenant:, partners:, ...), not a single value\n");
	assert_errors("groups: !!seq []\n",
		      "a.yaml:3:9: YAML tags such as 'tag:yaml.org,2002:seq' are not supported\n");
	assert_errors("? [a, b]\n: c\n",
		      "a.yaml:3:3: a key in the configuration must be a plain name, not a list "
		      "or mapping\n");
	assert_errors("groups:\n  - name: a\n   oops: b\n",
		      "a.yaml:5:4: invalid YAML: did not find expected '-' indicator while "
		      "parsing a block collection (line 4)\n");
}

static void test_many_problems_stay_fast(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct config *cfg;
	struct mem_file f = {"a.yaml", NULL, 0};
	char *e, *line;
	size_t lines = 0;
	int i;

	(void)state;
	strbuf_addstr(&sb, TENANT "settings:\n  lint:\n");
	for (i = 0; i < 40; i++)
		strbuf_addf(&sb, "    rule-%d: off\n", i % 39);
	strbuf_addstr(&sb, "groups:\n  - name: g\n    members: [");
	for (i = 0; i < 20000; i++)
		strbuf_addf(&sb, "%su%d@hostcorp.com", i ? ", " : "", i % 19999);
	strbuf_addstr(&sb, "]\npartners:\n  - name: p\n    domains: [p.com]\n    guests:\n");
	for (i = 0; i < 20000; i++)
		strbuf_addf(&sb, "      - email: u%d@p.com\n        groups: [nope-%d]\n", i, i);
	for (i = 0; i < 30000; i++)
		strbuf_addf(&sb, "unknown%d: x\n", i % 29999);
	f.text = sb.buf;
	e = diagnostics_of(&f, 1, &cfg);
	for (line = e; (line = strchr(line, '\n')); line++)
		lines++;
	/* 1 duplicate lint rule, 1 duplicate member, 20000 unknown groups, 29999 unknown keys
	 * and 1 duplicate key */
	assert_int_equal(lines, 1 + 1 + 20000 + 30000);
	assert_non_null(strstr(e, "a.yaml:44:5: duplicate key 'rule-0' (first defined at "
				  "a.yaml:5:5)\n"));
	assert_non_null(strstr(e, "duplicate key 'unknown0' (first defined at a.yaml:40052:1)"));
	assert_non_null(strstr(e, "'u0@hostcorp.com' is listed twice in 'members' (first "
				  "defined at a.yaml:47:15)"));
	assert_int_equal(cfg->settings.lint_nr, 39);
	assert_int_equal(cfg->groups[0].members.nr, 19999);
	assert_int_equal(cfg->partners[0].guests_nr, 20000);
	free(e);
	config_free(cfg);
	strbuf_release(&sb);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_files_on_disk(void **state)
{
	char dir[] = "/tmp/b2bctl-schema-XXXXXX", cwd[4096];
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg;
	struct strbuf path = STRBUF_INIT;
	const char *paths[3];

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(mkdir("conf", 0755), 0);
	assert_int_equal(mkdir("conf/sub", 0755), 0);
	assert_int_equal(mkdir("conf/sub/deeper", 0755), 0);
	assert_int_equal(mkdir("conf/.git", 0755), 0);
	write_file("conf/tenant.yaml", TENANT);
	write_file("conf/sub.yaml", "groups:\n  - name: one\n");
	write_file("conf/sub/b.yml", "groups:\n  - name: two\n");
	write_file("conf/sub/deeper/a.yaml", "groups:\n  - name: three\n");
	write_file("conf/sub/.hidden.yaml", "this: is not loaded\n");
	write_file("conf/.git/x.yaml", "nor: this\n");
	write_file("conf/notes.txt", "nor: this\n");
	write_file("extra.conf", "groups:\n  - name: four\n");

	paths[0] = "conf/";
	paths[1] = "extra.conf";
	paths[2] = "conf/sub.yaml";
	cfg = config_load(paths, 3, NULL, &diags);
	assert_int_equal(diags.nr, 0);
	assert_int_equal(cfg->files_nr, 5);
	assert_string_equal(cfg->files[0], "conf/sub.yaml");
	assert_string_equal(cfg->files[1], "conf/sub/b.yml");
	assert_string_equal(cfg->files[2], "conf/sub/deeper/a.yaml");
	assert_string_equal(cfg->files[3], "conf/tenant.yaml");
	assert_string_equal(cfg->files[4], "extra.conf");
	assert_int_equal(cfg->groups_nr, 4);
	assert_string_equal(cfg->groups[2].name.value, "three");
	assert_string_equal(cfg->groups[2].name.pos.file, "conf/sub/deeper/a.yaml");
	config_free(cfg);

	assert_int_equal(chdir("conf/sub"), 0);
	paths[0] = ".";
	cfg = config_load(paths, 1, NULL, &diags);
	assert_int_equal(cfg->files_nr, 2);
	assert_string_equal(cfg->files[0], "b.yml");
	assert_string_equal(cfg->files[1], "deeper/a.yaml");
	assert_int_equal(diags.nr, 1);
	assert_string_equal(diags.items[0].file, "b.yml");
	assert_string_equal(diags.items[0].message,
			    "no tenant declared: one file must hold 'tenant:' with the host "
			    "tenant's 'id'");
	config_free(cfg);
	diag_list_release(&diags);

	assert_int_equal(chdir(cwd), 0);
	strbuf_addf(&path, "rm -rf '%s'", dir);
	assert_int_equal(system(path.buf), 0);
	strbuf_release(&path);
}

static void test_empty_folder(void **state)
{
	char dir[] = "/tmp/b2bctl-schema-XXXXXX";
	struct diag_list diags = DIAG_LIST_INIT;
	const char *path = dir;
	struct config *cfg;

	(void)state;
	assert_non_null(mkdtemp(dir));
	cfg = config_load(&path, 1, NULL, &diags);
	assert_int_equal(diags.nr, 1);
	assert_true(strstr(diags.items[0].message, "no configuration files (*.yaml, *.yml) under"));
	config_free(cfg);
	diag_list_release(&diags);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_invalid_utf8_and_nul),
	    cmocka_unit_test(test_alias_bomb_is_refused),
	    cmocka_unit_test(test_aliases_that_are_fine),
	    cmocka_unit_test(test_deep_nesting_is_refused),
	    cmocka_unit_test(test_oversized_file_is_refused),
	    cmocka_unit_test(test_documents),
	    cmocka_unit_test(test_many_problems_stay_fast),
	    cmocka_unit_test(test_files_on_disk),
	    cmocka_unit_test(test_empty_folder),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
