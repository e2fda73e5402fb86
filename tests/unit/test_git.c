/*
 * Unit tests for cmd/git.c against throwaway repositories built with libgit2:
 * reading files at a revision, the dirty check, notes, and branch commits that
 * leave the working tree, index and HEAD alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cmd/git.h"
#include "git_fixture.h"
#include "schema/base/xalloc.h"

#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char repo_dir[256];
static char old_cwd[4096];

static int setup(void **state)
{
	(void)state;
	assert_non_null(getcwd(old_cwd, sizeof(old_cwd)));
	fixture_repo_init(repo_dir, sizeof(repo_dir));
	assert_int_equal(chdir(repo_dir), 0);
	mkdir("config", 0755);
	mkdir("config/partners", 0755);
	fixture_write_file("config/tenant.yaml", "tenant:\n  id: one\n");
	fixture_write_file("config/partners/contoso.yaml", "partners: []\n");
	fixture_write_file("config/README.md", "not yaml\n");
	fixture_write_file("other.yml", "x: 1\n");
	fixture_commit_all(".", "first", NULL);
	fixture_write_file("config/tenant.yaml", "tenant:\n  id: two\n");
	fixture_commit_all(".", "second", NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(chdir(old_cwd), 0);
	fixture_remove_tree(repo_dir);
	return 0;
}

static void test_source_lists_yaml_at_revision(void **state)
{
	struct git_source *src = git_source_open("HEAD~1");
	struct config_source cs;
	char **names = NULL, *data = NULL;
	size_t nr = 0, len = 0, i;

	(void)state;
	assert_non_null(src);
	git_source_config(src, &cs);
	assert_int_equal(cs.list(cs.ctx, "config", &names, &nr), 0);
	assert_int_equal(nr, 2);
	assert_string_equal(names[0], "HEAD~1:config/partners/contoso.yaml");
	assert_string_equal(names[1], "HEAD~1:config/tenant.yaml");
	assert_int_equal(cs.read(cs.ctx, names[1], &data, &len), 0);
	assert_string_equal(data, "tenant:\n  id: one\n");
	assert_int_equal(len, strlen(data));
	free(data);
	for (i = 0; i < nr; i++)
		free(names[i]);
	free(names);

	assert_int_equal(cs.list(cs.ctx, ".", &names, &nr), 0);
	assert_int_equal(nr, 3);
	assert_string_equal(names[2], "HEAD~1:other.yml");
	for (i = 0; i < nr; i++)
		free(names[i]);
	free(names);

	assert_int_equal(cs.list(cs.ctx, "missing", &names, &nr), -1);
	git_source_free(src);
}

static void test_source_from_subdirectory(void **state)
{
	struct git_source *src;
	struct config_source cs;
	char **names = NULL;
	size_t nr = 0, i;

	(void)state;
	assert_int_equal(chdir("config"), 0);
	src = git_source_open("HEAD");
	assert_non_null(src);
	git_source_config(src, &cs);
	assert_int_equal(cs.list(cs.ctx, "partners", &names, &nr), 0);
	assert_int_equal(nr, 1);
	assert_string_equal(names[0], "HEAD:config/partners/contoso.yaml");
	for (i = 0; i < nr; i++)
		free(names[i]);
	free(names);
	git_source_free(src);
	assert_int_equal(chdir(".."), 0);
}

static void test_bad_revision_is_an_error(void **state)
{
	(void)state;
	assert_null(git_source_open("no-such-branch"));
}

static void test_dirty_check(void **state)
{
	struct strbuf which = STRBUF_INIT;
	const char *config[] = {"config"};
	const char *other[] = {"other.yml"};

	(void)state;
	assert_int_equal(git_paths_dirty(config, 1, &which), 0);
	fixture_write_file("config/partners/new.yaml", "partners: []\n");
	assert_int_equal(git_paths_dirty(config, 1, &which), 1);
	assert_non_null(strstr(which.buf, "config/partners/new.yaml"));
	assert_int_equal(git_paths_dirty(other, 1, NULL), 0);
	unlink("config/partners/new.yaml");
	fixture_write_file("config/tenant.yaml", "tenant:\n  id: changed\n");
	assert_int_equal(git_paths_dirty(config, 1, NULL), 1);
	fixture_write_file("config/tenant.yaml", "tenant:\n  id: two\n");
	assert_int_equal(git_paths_dirty(config, 1, NULL), 0);
	strbuf_release(&which);
}

static void test_note_appends(void **state)
{
	char head[41];
	git_repository *repo;
	git_note *note;
	git_oid oid;

	(void)state;
	assert_int_equal(git_head_commit(head), 0);
	assert_int_equal(git_note_append(head, "applied: 3 created"), 0);
	assert_int_equal(git_note_append(head, "applied: 0 changes"), 0);
	assert_int_equal(git_repository_open(&repo, "."), 0);
	git_oid_fromstr(&oid, head);
	assert_int_equal(git_note_read(&note, repo, "refs/notes/b2bctl", &oid), 0);
	assert_non_null(strstr(git_note_message(note), "applied: 3 created"));
	assert_non_null(strstr(git_note_message(note), "applied: 0 changes"));
	git_note_free(note);
	git_repository_free(repo);
}

static void test_commit_to_branch_leaves_worktree_alone(void **state)
{
	const struct git_file files[] = {
	    {"config/tenant.yaml", "tenant:\n  id: live\n", 19},
	    {"config/partners/fabrikam.yaml", "partners: []\n", 13},
	};
	char head_before[41], head_after[41], commit[41];
	struct git_source *src;
	struct config_source cs;
	char **names = NULL, *data = NULL;
	size_t nr = 0, len, i;

	(void)state;
	assert_int_equal(git_head_commit(head_before), 0);
	assert_int_equal(git_commit_to_branch("b2bctl/drift", "config", files, 2, "drift", commit),
			 0);
	assert_int_equal(git_head_commit(head_after), 0);
	assert_string_equal(head_before, head_after);
	assert_int_equal(git_paths_dirty((const char *[]){"."}, 1, NULL), 0);

	src = git_source_open("b2bctl/drift");
	assert_non_null(src);
	git_source_config(src, &cs);
	assert_int_equal(cs.list(cs.ctx, ".", &names, &nr), 0);
	assert_int_equal(nr, 3); /* contoso.yaml is gone, other.yml stays */
	assert_string_equal(names[0], "b2bctl/drift:config/partners/fabrikam.yaml");
	assert_string_equal(names[2], "b2bctl/drift:other.yml");
	assert_int_equal(cs.read(cs.ctx, "b2bctl/drift:config/tenant.yaml", &data, &len), 0);
	assert_string_equal(data, "tenant:\n  id: live\n");
	free(data);
	for (i = 0; i < nr; i++)
		free(names[i]);
	free(names);
	git_source_free(src);

	src = git_source_open("b2bctl/drift~1");
	assert_non_null(src); /* its parent is HEAD */
	git_source_free(src);
	assert_int_equal(git_commit_to_branch("bad..name", "config", files, 2, "x", commit), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_source_lists_yaml_at_revision),
	    cmocka_unit_test(test_source_from_subdirectory),
	    cmocka_unit_test(test_bad_revision_is_an_error),
	    cmocka_unit_test(test_dirty_check),
	    cmocka_unit_test(test_note_appends),
	    cmocka_unit_test(test_commit_to_branch_leaves_worktree_alone),
	};
	int ret = cmocka_run_group_tests(tests, setup, teardown);

	git_libgit2_shutdown();
	return ret;
}
