/*
 * apply: makes the tenant match the configuration, or executes a saved plan.
 *
 *   b2bctl apply [PATH...]          plan as `b2bctl plan` does, show it, ask for
 *                                   'yes' (or --auto-approve), then apply it;
 *   b2bctl apply PLANFILE [PATH...] apply exactly the plan `plan --out` saved,
 *                                   after proving that nothing moved since: the
 *                                   file is as plan wrote it, the configuration
 *                                   hashes the same, the tenant is the same one,
 *                                   and planning again gives the same actions.
 *
 * A plan file is recognised by its content, not its name. Both forms refuse
 * before the first write when the plan deletes more than maxDestroy objects
 * (--max-destroy, else settings.maxDestroy, else 10) or deletes outside a
 * prune scope. The executor (reconcile/apply.c) does the rest.
 */
#include "builtin.h"
#include "common.h"
#include "git.h"
#include "render.h"
#include "../reconcile/apply.h"
#include "../schema/base/strbuf.h"
#include "../schema/base/xalloc.h"

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Without settings.maxDestroy or --max-destroy: DESIGN.md's example value. */
#define DEFAULT_MAX_DESTROY   10
#define MAX_DESTROY_UNSET     LLONG_MIN
#define PLAN_FILE_SNIFF_BYTES (1024u * 1024u * 1024u)

static const char *const apply_usage[] = {
    "b2bctl apply [PLANFILE | PATH...] [--auto-approve] [--max-destroy N] [--log-file FILE]",
    "             [--allow-dirty] [--git-note]",
    "",
    "Makes the tenant match the configuration under PATH (default: the current folder):",
    "plans, shows the plan and asks for 'yes' before it changes anything.",
    "With PLANFILE (from 'b2bctl plan --out'), applies exactly that plan, and refuses it",
    "when the configuration, the tenant or any object it read changed since; the",
    "configuration is read from the PATHs after PLANFILE (default: the current folder).",
    "Refuses a plan that deletes more than maxDestroy objects (default 10).",
    "Inside a git repository, refuses configuration files with uncommitted changes",
    "(unless --allow-dirty), logs the commit applied, and with --git-note adds the",
    "result to that commit's note under refs/notes/b2bctl.",
    "Exit status: 0 every action applied, or nothing to do; 1 otherwise.",
    NULL,
};

struct apply_args {
	struct tenant_args ta;
	int auto_approve;
	long long max_destroy; /* MAX_DESTROY_UNSET when not given */
	const char *log_file;
	int allow_dirty;
	int git_note;
};

/* A plan file: a JSON object with format_version and config_hash, whatever its name. */
static int is_plan_file(const char *path, struct strbuf *content)
{
	struct stat st;
	json_t *json;
	int yes;

	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return 0;
	if (strbuf_read_file(content, path, PLAN_FILE_SNIFF_BYTES) < 0)
		return 0;
	json = json_loadb(content->buf, content->len, 0, NULL);
	yes = json_is_object(json) && json_object_get(json, "format_version") &&
	      json_object_get(json, "config_hash");
	json_decref(json);
	return yes;
}

static long long max_destroy_for(const struct apply_args *args, const struct config *cfg)
{
	if (args->max_destroy != MAX_DESTROY_UNSET)
		return args->max_destroy;
	if (cfg->settings.max_destroy.set)
		return cfg->settings.max_destroy.value;
	return DEFAULT_MAX_DESTROY;
}

static int confirmed(void)
{
	char answer[64];

	fputs("\nDo you want to apply these changes? Only 'yes' is accepted: ", stderr);
	fflush(stderr);
	if (!fgets(answer, sizeof(answer), stdin))
		return 0;
	answer[strcspn(answer, "\r\n")] = '\0';
	return !strcmp(answer, "yes");
}

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	static const char msg[] = "\nb2bctl apply: stopping after the requests in flight "
				  "(again to stop at once)\n";
	ssize_t ignored = write(STDERR_FILENO, msg, sizeof(msg) - 1);

	(void)ignored;
	(void)sig;
	stop_requested = 1;
}

/* The first SIGINT or SIGTERM stops between rounds, so the snapshot backend still saves. */
static void catch_stop_signals(struct sigaction *old_int, struct sigaction *old_term)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, old_int);
	sigaction(SIGTERM, &sa, old_term);
}

/*
 * The commit the configuration comes from, for the log: HEAD when the files
 * under paths are committed as they are; NULL outside a repository, with
 * uncommitted changes, or with --rev (the files are not HEAD's).
 */
static const char *config_commit(const struct apply_args *args, const char **paths, int paths_nr,
				 char out[41])
{
	static const char *const current_folder[] = {"."};
	struct strbuf dirty = STRBUF_INIT;
	int state;

	if (args->ta.rev || git_head_commit(out))
		return NULL;
	state = paths_nr > 0 ? git_paths_dirty(paths, (size_t)paths_nr, &dirty)
			     : git_paths_dirty(current_folder, 1, &dirty);
	strbuf_release(&dirty);
	return state == 0 ? out : NULL;
}

/* Refuses configuration files with uncommitted changes inside a repository. */
static int refuse_dirty(const struct apply_args *args, const char **paths, int paths_nr)
{
	static const char *const current_folder[] = {"."};
	struct strbuf dirty = STRBUF_INIT;
	int state;

	if (args->allow_dirty || args->ta.rev)
		return 0;
	state = paths_nr > 0 ? git_paths_dirty(paths, (size_t)paths_nr, &dirty)
			     : git_paths_dirty(current_folder, 1, &dirty);
	if (state == 1)
		fprintf(stderr,
			"b2bctl apply: the configuration has uncommitted changes:\n%s"
			"Commit them so that what is applied is what the repository holds, or "
			"pass --allow-dirty.\n",
			dirty.buf);
	strbuf_release(&dirty);
	return state == 1 ? -1 : 0;
}

/* The result of an apply, added to the applied commit's note under refs/notes/b2bctl. */
static void note_result(const struct apply_ctx *ctx, const char *commit)
{
	static const char *const words[] = {"created", "updated", "deleted"};
	size_t counts[3] = {0, 0, 0}, failed = 0, skipped = 0, i;
	struct strbuf note = STRBUF_INIT;
	char when[32];
	time_t now = time(NULL);
	struct tm tm;

	if (!commit) {
		fputs("b2bctl apply: warning: --git-note: no commit to note (not in a repository, "
		      "uncommitted files, or --rev)\n",
		      stderr);
		return;
	}
	for (i = 0; i < ctx->plan->nr; i++) {
		enum apply_result r = ctx->outcomes ? ctx->outcomes[i].result : APPLY_PENDING;

		if (r == APPLY_APPLIED)
			counts[ctx->plan->actions[i].op]++;
		else if (r == APPLY_FAILED)
			failed++;
		else
			skipped++;
	}
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	strbuf_addf(&note, "b2bctl apply %s to tenant %s: ", when,
		    ctx->tenant->tenant_id ? ctx->tenant->tenant_id : "(unknown)");
	for (i = 0; i < 3; i++)
		strbuf_addf(&note, "%zu %s, ", counts[i], words[i]);
	strbuf_addf(&note, "%zu failed, %zu not applied\n", failed, skipped);
	for (i = 0; i < ctx->plan->nr; i++)
		if (ctx->outcomes && ctx->outcomes[i].result == APPLY_FAILED)
			strbuf_addf(&note, "failed: %s\n", ctx->plan->actions[i].address);
	if (git_note_append(commit, note.buf))
		fprintf(stderr, "b2bctl apply: warning: --git-note: %s\n", b2b_error_last());
	strbuf_release(&note);
}

static int run_apply(const struct apply_args *args, const char **paths, int paths_nr,
		     const struct config *cfg, struct tenant *tenant, struct plan *plan,
		     const json_t *live)
{
	struct apply_options opts;
	struct apply_ctx ctx;
	struct sigaction old_int, old_term;
	const char *when = args->ta.progress ? args->ta.progress : "auto";
	char commit[41];
	int ret;

	memset(&opts, 0, sizeof(opts));
	memset(&ctx, 0, sizeof(ctx));
	opts.max_destroy = max_destroy_for(args, cfg);
	opts.log_file = args->log_file;
	opts.git_commit = config_commit(args, paths, paths_nr, commit);
	/* Off a terminal the per-action lines are the progress: no line to redraw. */
	opts.progress = strcmp(when, "never") && isatty(STDERR_FILENO);
	opts.verify = 1;
	ctx.cfg = cfg;
	ctx.tenant = tenant;
	ctx.live = live;
	ctx.plan = plan;

	/* The executor draws its own progress line; the reader's would interleave with it. */
	tenant->progress = NULL;
	opts.stop = &stop_requested;
	catch_stop_signals(&old_int, &old_term);
	ret = apply_plan(&ctx, &opts);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (ret)
		report_error("apply");
	if (args->git_note)
		note_result(&ctx, opts.git_commit);
	apply_ctx_release(&ctx);
	return ret ? 1 : 0;
}

static int apply_paths(const struct apply_args *args, const char **paths, int nr)
{
	struct render_options ropts = {.mode = RENDER_PLAN};
	struct strbuf text = STRBUF_INIT;
	struct plan_run run;
	int ret = 1;

	if (plan_run_start(&run, &args->ta, "apply", paths, nr))
		goto out;
	if (!run.plan->nr) {
		puts("No changes. The tenant matches the configuration.");
		ret = 0;
		goto out;
	}

	ropts.color = use_color(&args->ta, stdout);
	render_plan(&text, run.plan, RENDER_TEXT, &ropts);
	fwrite(text.buf, 1, text.len, stdout);
	fflush(stdout);
	if (apply_check_deletes(run.plan, run.cfg, max_destroy_for(args, run.cfg))) {
		report_error("apply");
		goto out;
	}
	if (!args->auto_approve) {
		if (!isatty(STDIN_FILENO)) {
			fputs("b2bctl apply: not asking for approval without a terminal on stdin; "
			      "pass --auto-approve to apply without asking\n",
			      stderr);
			goto out;
		}
		if (!confirmed()) {
			fputs("Apply cancelled; nothing was changed.\n", stderr);
			goto out;
		}
	}
	putchar('\n');
	ret = run_apply(args, paths, nr, run.cfg, run.tenant, run.plan, run.plan->live);
out:
	strbuf_release(&text);
	plan_run_finish(&run);
	return ret;
}

static int plan_file_edited(const char *path)
{
	return b2b_error_set("%s: the plan file was changed after b2bctl plan wrote it; make a "
			     "new one with b2bctl plan --out",
			     path);
}

/*
 * The file is byte for byte what `plan --out` writes for the plan it holds,
 * and the live model it carries still has the fingerprints it was saved with.
 */
static int plan_file_untouched(const char *path, const struct strbuf *content,
			       const struct plan *saved)
{
	char *canonical = plan_to_json_text(saved, PLAN_JSON_FILE);
	int same =
	    strlen(canonical) == content->len && !memcmp(canonical, content->buf, content->len);
	json_t *prints;

	free(canonical);
	if (!same)
		return plan_file_edited(path);
	if (!saved->live)
		return 0;
	prints = plan_fingerprint_live(saved->live);
	same = json_equal(prints, saved->fingerprints);
	json_decref(prints);
	return same ? 0 : plan_file_edited(path);
}

/*
 * Planning again must give the saved actions. When it does not although the
 * tenant reads exactly as it did then, the actions were edited, not the tenant.
 */
static int plan_file_current(const char *path, const struct plan *saved, const struct plan *fresh)
{
	json_t *fresh_prints;
	int tenant_same;

	if (!apply_check_current(saved, fresh))
		return 0;
	fresh_prints = plan_fingerprints(fresh);
	tenant_same = saved->fingerprints && json_equal(saved->fingerprints, fresh_prints);
	json_decref(fresh_prints);
	return tenant_same ? plan_file_edited(path) : -1;
}

/* The deepest folder that holds every file the plan's actions cite; 0 when none. */
static int sources_folder(struct strbuf *dir, const struct plan *plan)
{
	size_t i, len = 0;
	int found = 0;

	for (i = 0; i < plan->nr; i++) {
		const char *file = plan->actions[i].source_file;
		const char *slash = file ? strrchr(file, '/') : NULL;

		if (!file)
			continue;
		if (!found) {
			strbuf_add(dir, file, slash ? (size_t)(slash - file) : 0);
			len = dir->len;
			found = 1;
			continue;
		}
		while (len && (strncmp(file, dir->buf, len) || file[len] != '/')) {
			/* up one folder */
			while (len && dir->buf[len - 1] != '/')
				len--;
			if (len)
				len--;
		}
	}
	strbuf_setlen(dir, len);
	return found && len;
}

static int apply_plan_file(const struct apply_args *args, const char *path,
			   const struct strbuf *content, const char **paths, int nr)
{
	struct config *cfg = NULL;
	struct tenant *tenant = NULL;
	struct plan *saved, *fresh = NULL;
	int ret = 1;

	saved = plan_read_file(path);
	if (!saved || plan_file_untouched(path, content, saved)) {
		report_error("apply");
		goto out;
	}
	cfg = load_config(&args->ta, "apply", paths, nr);
	if (!cfg)
		goto out;
	if (!saved->config_hash || !cfg->hash || strcmp(saved->config_hash, cfg->hash)) {
		struct strbuf dir = STRBUF_INIT;

		fprintf(stderr,
			"b2bctl apply: the configuration under %s is not the one %s was made "
			"from; run plan again (or give apply the same PATHs as plan)\n",
			nr ? paths[0] : ".", path);
		if (sources_folder(&dir, saved) && (nr != 1 || strcmp(dir.buf, paths[0])))
			fprintf(stderr,
				"hint: its actions come from files under %s: b2bctl apply %s %s\n",
				dir.buf, path, dir.buf);
		strbuf_release(&dir);
		goto out;
	}
	tenant = open_tenant(&args->ta, cfg);
	if (!tenant) {
		report_error("apply");
		goto out;
	}
	if (saved->tenant_id && tenant->tenant_id &&
	    strcasecmp(saved->tenant_id, tenant->tenant_id)) {
		fprintf(stderr, "b2bctl apply: %s was made for tenant %s, not %s\n", path,
			saved->tenant_id, tenant->tenant_id);
		goto out;
	}
	fresh = compute_plan(cfg, tenant, "apply");
	if (!fresh)
		goto out;
	if (plan_file_current(path, saved, fresh)) {
		report_error("apply");
		goto out;
	}
	if (!saved->nr) {
		puts("No changes. The tenant matches the configuration.");
		ret = 0;
		goto out;
	}
	ret = run_apply(args, paths, nr, cfg, tenant, saved, fresh->live);
out:
	plan_free(fresh);
	plan_free(saved);
	tenant_free(tenant);
	config_free(cfg);
	return ret;
}

int cmd_apply(int argc, const char **argv)
{
	struct apply_args args = {TENANT_ARGS_INIT, 0, MAX_DESTROY_UNSET, NULL, 0, 0};
	struct option opts[] = {
	    OPT_BOOL("auto-approve", 0, &args.auto_approve, "apply without asking for 'yes'"),
	    OPT_INT("max-destroy", 0, &args.max_destroy, "N",
		    "refuse a plan that deletes more than N objects (default: settings.maxDestroy, "
		    "else 10)"),
	    OPT_STRING("log-file", 0, &args.log_file, "FILE",
		       "append one JSON line per action to FILE"),
	    OPT_BOOL("allow-dirty", 0, &args.allow_dirty,
		     "apply configuration files that have uncommitted changes"),
	    OPT_BOOL("git-note", 0, &args.git_note,
		     "add the result to the applied commit's note under refs/notes/b2bctl"),
	    OPT_TENANT_ARGS(&args.ta),
	    OPT_END(),
	};
	struct strbuf content = STRBUF_INIT;
	int nr, ret;

	nr = parse_options(argc, argv, opts, apply_usage);
	if (nr == -2)
		return 0;
	if (nr < 0 || tenant_args_check(&args.ta, "apply"))
		return 1;
	if (args.max_destroy != MAX_DESTROY_UNSET && args.max_destroy < 0) {
		fprintf(stderr, "b2bctl apply: --max-destroy must be 0 or more, not %lld\n",
			args.max_destroy);
		return 1;
	}
	if (nr > 0 && is_plan_file(argv[0], &content))
		ret = refuse_dirty(&args, argv + 1, nr - 1)
			  ? 1
			  : apply_plan_file(&args, argv[0], &content, argv + 1, nr - 1);
	else
		ret = refuse_dirty(&args, argv, nr) ? 1 : apply_paths(&args, argv, nr);
	strbuf_release(&content);
	return ret;
}
