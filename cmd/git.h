/*
 * git: b2bctl's use of the configuration repository, through libgit2 (never
 * the git program): reading the configuration at a revision with no checkout
 * (--rev), refusing to apply uncommitted files, naming the commit an apply
 * ran from, notes under refs/notes/b2bctl, and commits that other commands
 * write to a branch without touching the working tree (drift --export-branch).
 *
 * Every function finds the repository from the current directory.
 */
#ifndef B2B_GIT_H
#define B2B_GIT_H

#include "../schema/base/strbuf.h"
#include "../schema/config.h"

struct git_source;

/* Resolves REV (anything git understands) to a tree; NULL and b2b_error otherwise. */
struct git_source *git_source_open(const char *rev);
/* A config_source reading that tree; file names are "REV:path/in/repo.yaml". */
void git_source_config(struct git_source *src, struct config_source *out);
void git_source_free(struct git_source *src);

/*
 * Whether files under `paths` (relative to the current directory) have
 * uncommitted changes, untracked files included: 1 dirty (their repository
 * paths listed in `which`, one per line), 0 clean, -1 not in a repository.
 */
int git_paths_dirty(const char *const *paths, size_t nr, struct strbuf *which);

/* The full id of HEAD's commit; -1 when not in a repository or HEAD is unborn. */
int git_head_commit(char out[41]);

/* Adds `text` to the note of `commit` under refs/notes/b2bctl (appends to an existing note). */
int git_note_append(const char *commit, const char *text);

struct git_file {
	const char *path; /* in the repository, e.g. "config/partners/contoso.yaml" */
	const char *data;
	size_t len;
};

/*
 * Commits HEAD's tree with the configuration under `dir` (repository path; ""
 * for the root) replaced by `files`: every .yaml/.yml file under dir goes, other
 * files stay unless `files` replaces them. The commit is a child of HEAD, to refs/heads/BRANCH (created or
 * moved). The working tree, the index and HEAD are untouched. The new commit's
 * id goes to out.
 */
int git_commit_to_branch(const char *branch, const char *dir, const struct git_file *files,
			 size_t nr, const char *message, char out[41]);

/* The current directory's path relative to the repository's work tree ("" at the top). */
int git_prefix(struct strbuf *out);

/* `path` (relative to the current directory) as a repository path ("" for the top). */
int git_repo_path(const char *path, struct strbuf *out);

#endif
