/*
 * git: configuration from a revision, dirty checks, notes and branch commits
 * with libgit2. See git.h.
 */
#include "git.h"
#include "../schema/base/diag.h"
#include "../schema/base/xalloc.h"

#include <git2.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NOTES_REF "refs/notes/b2bctl"

struct git_source {
	git_repository *repo;
	git_tree *tree;
	char *rev;
	char *prefix; /* cwd relative to the work tree, with a trailing '/' or "" */
};

static int git_fail(const char *what)
{
	const git_error *e = git_error_last();

	return b2b_error_set("%s: %s", what, e && e->message ? e->message : "libgit2 error");
}

static int open_repo(git_repository **repo)
{
	git_libgit2_init();
	if (git_repository_open_ext(repo, ".", 0, NULL) < 0)
		return b2b_error_set("not inside a git repository (needed for --rev and notes)");
	return 0;
}

static int repo_prefix(git_repository *repo, struct strbuf *out)
{
	const char *workdir = git_repository_workdir(repo);
	char cwd[PATH_MAX], *real_workdir;
	size_t wlen;

	if (!workdir)
		return b2b_error_set("the repository has no work tree");
	if (!getcwd(cwd, sizeof(cwd)))
		return b2b_error_set("cannot read the current directory");
	real_workdir = realpath(workdir, NULL);
	if (!real_workdir)
		return b2b_error_set("cannot resolve the work tree %s", workdir);
	wlen = strlen(real_workdir);
	if (strncmp(cwd, real_workdir, wlen) || (cwd[wlen] && cwd[wlen] != '/')) {
		free(real_workdir);
		return b2b_error_set("the current directory is outside the work tree");
	}
	strbuf_reset(out);
	if (cwd[wlen]) {
		strbuf_addstr(out, cwd + wlen + 1);
		strbuf_addch(out, '/');
	}
	free(real_workdir);
	return 0;
}

int git_prefix(struct strbuf *out)
{
	git_repository *repo;
	int ret;

	if (open_repo(&repo))
		return -1;
	ret = repo_prefix(repo, out);
	git_repository_free(repo);
	return ret;
}

/* prefix + path, with "." and ".." segments resolved; "" for the top. */
static int repo_path(const char *prefix, const char *path, struct strbuf *out)
{
	struct strbuf in = STRBUF_INIT;
	char *seg, *save = NULL;

	strbuf_addf(&in, "%s%s", path[0] == '/' ? "" : prefix, path);
	strbuf_reset(out);
	for (seg = strtok_r(in.buf, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
		if (!strcmp(seg, "."))
			continue;
		if (!strcmp(seg, "..")) {
			char *slash;

			if (!out->len) {
				strbuf_release(&in);
				return b2b_error_set("%s is outside the repository", path);
			}
			slash = strrchr(out->buf, '/');
			strbuf_setlen(out, slash ? (size_t)(slash - out->buf) : 0);
			continue;
		}
		if (out->len)
			strbuf_addch(out, '/');
		strbuf_addstr(out, seg);
	}
	strbuf_release(&in);
	return 0;
}

int git_repo_path(const char *path, struct strbuf *out)
{
	struct strbuf prefix = STRBUF_INIT;
	int ret = git_prefix(&prefix);

	if (!ret)
		ret = repo_path(prefix.buf, path, out);
	strbuf_release(&prefix);
	return ret;
}

struct git_source *git_source_open(const char *rev)
{
	struct git_source *src;
	struct strbuf prefix = STRBUF_INIT;
	git_repository *repo;
	git_object *obj = NULL;
	git_tree *tree = NULL;

	if (open_repo(&repo))
		return NULL;
	if (git_revparse_single(&obj, repo, rev) < 0 ||
	    git_object_peel((git_object **)&tree, obj, GIT_OBJECT_TREE) < 0) {
		b2b_error_set("--rev %s: not a revision of this repository", rev);
		git_object_free(obj);
		git_repository_free(repo);
		return NULL;
	}
	git_object_free(obj);
	if (repo_prefix(repo, &prefix)) {
		git_tree_free(tree);
		git_repository_free(repo);
		return NULL;
	}
	src = xcalloc(1, sizeof(*src));
	src->repo = repo;
	src->tree = tree;
	src->rev = xstrdup(rev);
	src->prefix = strbuf_detach(&prefix, NULL);
	return src;
}

void git_source_free(struct git_source *src)
{
	if (!src)
		return;
	git_tree_free(src->tree);
	git_repository_free(src->repo);
	free(src->rev);
	free(src->prefix);
	free(src);
}

static int is_yaml_name(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && !strcmp(name + n - 5, ".yaml")) ||
	       (n > 4 && !strcmp(name + n - 4, ".yml"));
}

struct walk_state {
	const char *rev;
	const char *base; /* repository path of the walked tree, "" for the root */
	char **names;
	size_t nr, alloc;
};

static int collect_yaml(const char *root, const git_tree_entry *entry, void *payload)
{
	struct walk_state *w = payload;
	const char *name = git_tree_entry_name(entry);

	if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB || !is_yaml_name(name))
		return 0;
	ALLOC_GROW(w->names, w->nr + 1, w->alloc);
	w->names[w->nr++] =
	    xstrfmt("%s:%s%s%s%s", w->rev, w->base, *w->base ? "/" : "", root, name);
	return 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int source_list(void *ctx, const char *path, char ***names, size_t *nr)
{
	struct git_source *src = ctx;
	struct walk_state w = {src->rev, NULL, NULL, 0, 0};
	struct strbuf rpath = STRBUF_INIT;
	git_tree_entry *entry = NULL;
	git_tree *sub = NULL;

	if (repo_path(src->prefix, path, &rpath))
		return -1;
	w.base = rpath.buf;
	if (!rpath.len) {
		git_tree_walk(src->tree, GIT_TREEWALK_PRE, collect_yaml, &w);
	} else if (git_tree_entry_bypath(&entry, src->tree, rpath.buf) < 0) {
		b2b_error_set("%s: no such file or folder at %s", path, src->rev);
		strbuf_release(&rpath);
		return -1;
	} else if (git_tree_entry_type(entry) == GIT_OBJECT_BLOB) {
		ALLOC_GROW(w.names, 1, w.alloc);
		w.names[w.nr++] = xstrfmt("%s:%s", src->rev, rpath.buf);
	} else if (git_tree_lookup(&sub, src->repo, git_tree_entry_id(entry)) == 0) {
		git_tree_walk(sub, GIT_TREEWALK_PRE, collect_yaml, &w);
		git_tree_free(sub);
	}
	git_tree_entry_free(entry);
	strbuf_release(&rpath);
	if (w.nr)
		qsort(w.names, w.nr, sizeof(*w.names), compare_names);
	*names = w.names;
	*nr = w.nr;
	return 0;
}

static int source_read(void *ctx, const char *name, char **data, size_t *len)
{
	struct git_source *src = ctx;
	size_t rlen = strlen(src->rev);
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	const char *path = name;

	if (!strncmp(name, src->rev, rlen) && name[rlen] == ':')
		path = name + rlen + 1;
	if (git_tree_entry_bypath(&entry, src->tree, path) < 0 ||
	    git_blob_lookup(&blob, src->repo, git_tree_entry_id(entry)) < 0) {
		git_tree_entry_free(entry);
		return b2b_error_set("%s: cannot read", name);
	}
	*len = (size_t)git_blob_rawsize(blob);
	*data = xmalloc(*len + 1);
	memcpy(*data, git_blob_rawcontent(blob), *len);
	(*data)[*len] = '\0';
	git_blob_free(blob);
	git_tree_entry_free(entry);
	return 0;
}

void git_source_config(struct git_source *src, struct config_source *out)
{
	out->list = source_list;
	out->read = source_read;
	out->ctx = src;
}

int git_paths_dirty(const char *const *paths, size_t nr, struct strbuf *which)
{
	git_status_options opts;
	struct strbuf prefix = STRBUF_INIT;
	git_status_list *list = NULL;
	git_repository *repo;
	char **specs;
	size_t i, n;
	int dirty = 0;

	git_libgit2_init();
	if (git_repository_open_ext(&repo, ".", 0, NULL) < 0)
		return -1;
	if (git_repository_is_bare(repo) || repo_prefix(repo, &prefix)) {
		git_repository_free(repo);
		return -1;
	}
	git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
	specs = xcalloc(nr ? nr : 1, sizeof(*specs));
	for (i = 0; i < nr; i++) {
		struct strbuf p = STRBUF_INIT;

		repo_path(prefix.buf, paths[i], &p);
		specs[i] = strbuf_detach(&p, NULL);
	}
	opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
	opts.pathspec.strings = specs;
	opts.pathspec.count = nr;
	for (i = 0; i < nr; i++)
		if (!*specs[i])
			opts.pathspec.count = 0; /* the whole repository */
	if (git_status_list_new(&list, repo, &opts) < 0) {
		dirty = git_fail("git status");
	} else {
		n = git_status_list_entrycount(list);
		for (i = 0; i < n; i++) {
			const git_status_entry *e = git_status_byindex(list, i);
			const git_diff_delta *d =
			    e->index_to_workdir ? e->index_to_workdir : e->head_to_index;

			if (e->status == GIT_STATUS_CURRENT || (e->status & GIT_STATUS_IGNORED))
				continue;
			dirty = 1;
			if (which && d)
				strbuf_addf(which, "%s\n", d->new_file.path);
		}
	}
	git_status_list_free(list);
	for (i = 0; i < nr; i++)
		free(specs[i]);
	free(specs);
	strbuf_release(&prefix);
	git_repository_free(repo);
	return dirty;
}

int git_head_commit(char out[41])
{
	git_repository *repo;
	git_oid oid;
	int ret = -1;

	git_libgit2_init();
	if (git_repository_open_ext(&repo, ".", 0, NULL) < 0)
		return -1;
	if (git_reference_name_to_id(&oid, repo, "HEAD") == 0) {
		git_oid_tostr(out, 41, &oid);
		ret = 0;
	}
	git_repository_free(repo);
	return ret;
}

static int default_signature(git_repository *repo, git_signature **sig)
{
	if (git_signature_default(sig, repo) == 0)
		return 0;
	return git_signature_now(sig, "b2bctl", "b2bctl@localhost");
}

int git_note_append(const char *commit, const char *text)
{
	git_repository *repo;
	git_signature *sig = NULL;
	git_note *old = NULL;
	git_oid target, note_id;
	struct strbuf msg = STRBUF_INIT;
	int ret = 0;

	if (open_repo(&repo))
		return -1;
	if (git_oid_fromstr(&target, commit) < 0) {
		git_repository_free(repo);
		return b2b_error_set("not a commit id: %s", commit);
	}
	if (git_note_read(&old, repo, NOTES_REF, &target) == 0) {
		strbuf_addstr(&msg, git_note_message(old));
		if (msg.len && msg.buf[msg.len - 1] != '\n')
			strbuf_addch(&msg, '\n');
		strbuf_addch(&msg, '\n');
		git_note_free(old);
	}
	strbuf_addstr(&msg, text);
	if (default_signature(repo, &sig) < 0 ||
	    git_note_create(&note_id, repo, NOTES_REF, sig, sig, &target, msg.buf, 1) < 0)
		ret = git_fail("writing the note under " NOTES_REF);
	git_signature_free(sig);
	strbuf_release(&msg);
	git_repository_free(repo);
	return ret;
}

static int under_dir(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !n || (!strncmp(path, dir, n) && path[n] == '/');
}

int git_commit_to_branch(const char *branch, const char *dir, const struct git_file *files,
			 size_t nr, const char *message, char out[41])
{
	git_repository *repo;
	git_commit *head = NULL;
	git_tree *head_tree = NULL, *tree = NULL;
	git_index *index = NULL;
	git_signature *sig = NULL;
	git_reference *ref = NULL;
	git_oid head_id, tree_id, commit_id;
	struct strbuf refname = STRBUF_INIT;
	size_t i;
	int ret = -1;

	if (open_repo(&repo))
		return -1;
	strbuf_addf(&refname, "refs/heads/%s", branch);
	if (!git_reference_is_valid_name(refname.buf)) {
		b2b_error_set("'%s' is not a valid branch name", branch);
		goto out;
	}
	if (git_reference_name_to_id(&head_id, repo, "HEAD") < 0 ||
	    git_commit_lookup(&head, repo, &head_id) < 0 || git_commit_tree(&head_tree, head) < 0) {
		git_fail("reading HEAD");
		goto out;
	}
	if (git_index_new(&index) < 0 || git_index_read_tree(index, head_tree) < 0) {
		git_fail("building the tree");
		goto out;
	}
	for (i = git_index_entrycount(index); i-- > 0;) {
		const git_index_entry *e = git_index_get_byindex(index, i);

		if (under_dir(e->path, dir) && is_yaml_name(e->path))
			git_index_remove(index, e->path, 0);
	}
	for (i = 0; i < nr; i++) {
		git_index_entry entry;

		memset(&entry, 0, sizeof(entry));
		if (git_blob_create_from_buffer(&entry.id, repo, files[i].data, files[i].len) < 0) {
			git_fail("writing a blob");
			goto out;
		}
		entry.mode = GIT_FILEMODE_BLOB;
		entry.path = files[i].path;
		if (git_index_add(index, &entry) < 0) {
			git_fail(files[i].path);
			goto out;
		}
	}
	if (git_index_write_tree_to(&tree_id, index, repo) < 0 ||
	    git_tree_lookup(&tree, repo, &tree_id) < 0 || default_signature(repo, &sig) < 0 ||
	    git_commit_create(&commit_id, repo, NULL, sig, sig, NULL, message, tree, 1,
			      (const git_commit **)&head) < 0 ||
	    git_reference_create(&ref, repo, refname.buf, &commit_id, 1, "b2bctl: commit") < 0) {
		git_fail("writing the commit");
		goto out;
	}
	git_oid_tostr(out, 41, &commit_id);
	ret = 0;
out:
	git_reference_free(ref);
	git_signature_free(sig);
	git_tree_free(tree);
	git_index_free(index);
	git_tree_free(head_tree);
	git_commit_free(head);
	strbuf_release(&refname);
	git_repository_free(repo);
	return ret;
}
