/*
 * git_fixture: throwaway repositories for tests, built with libgit2: write a
 * file, commit everything as a child of HEAD, make and remove a temporary
 * repository.
 */
#ifndef GIT_FIXTURE_H
#define GIT_FIXTURE_H

#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static inline void fixture_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Stages everything in the repository at `dir` and commits it as a child of HEAD (if any). */
static inline void fixture_commit_all(const char *dir, const char *message, char out[41])
{
	git_repository *repo;
	git_index *index;
	git_oid tree_id, commit_id, parent_id;
	git_tree *tree;
	git_signature *sig;
	git_commit *parent = NULL;

	assert_int_equal(git_repository_open(&repo, dir), 0);
	assert_int_equal(git_repository_index(&index, repo), 0);
	assert_int_equal(git_index_add_all(index, NULL, 0, NULL, NULL), 0);
	assert_int_equal(git_index_write(index), 0);
	assert_int_equal(git_index_write_tree(&tree_id, index), 0);
	assert_int_equal(git_tree_lookup(&tree, repo, &tree_id), 0);
	assert_int_equal(git_signature_now(&sig, "Test", "test@example.com"), 0);
	if (git_reference_name_to_id(&parent_id, repo, "HEAD") == 0)
		assert_int_equal(git_commit_lookup(&parent, repo, &parent_id), 0);
	assert_int_equal(git_commit_create(&commit_id, repo, "HEAD", sig, sig, NULL, message, tree,
					   parent ? 1 : 0, (const git_commit **)&parent),
			 0);
	if (out)
		git_oid_tostr(out, 41, &commit_id);
	git_commit_free(parent);
	git_signature_free(sig);
	git_tree_free(tree);
	git_index_free(index);
	git_repository_free(repo);
}

/* Creates an empty repository in a new temporary folder; `dir` gets its path. */
static inline void fixture_repo_init(char *dir, size_t size)
{
	git_repository *repo;

	git_libgit2_init();
	snprintf(dir, size, "/tmp/b2bctl-git-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(git_repository_init(&repo, dir, 0), 0);
	git_repository_free(repo);
}

static inline void fixture_remove_tree(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

#endif
