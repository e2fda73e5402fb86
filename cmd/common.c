/*
 * common: the pieces every tenant-reading command shares. See common.h.
 */
#include "common.h"
#include "git.h"
#include "../reconcile/lint.h"
#include "../schema/base/background.h"
#include "../schema/base/strbuf.h"
#include "../schema/base/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const clouds[] = {"public", "usgov", "usgov-dod", "china", NULL};

int tenant_args_check(const struct tenant_args *ta, const char *cmd)
{
	const char *const *c;

	if (ta->progress && strcmp(ta->progress, "auto") && strcmp(ta->progress, "always") &&
	    strcmp(ta->progress, "never")) {
		fprintf(stderr, "b2bctl %s: --progress must be auto, always or never, not '%s'\n",
			cmd, ta->progress);
		return -1;
	}
	if (ta->parallelism < 0 || ta->parallelism > 256) {
		fprintf(stderr, "b2bctl %s: --parallelism must be between 1 and 256, not %lld\n",
			cmd, ta->parallelism);
		return -1;
	}
	if (ta->cloud) {
		for (c = clouds; *c && strcmp(*c, ta->cloud); c++)
			;
		if (!*c) {
			fprintf(stderr,
				"b2bctl %s: --cloud must be public, usgov, usgov-dod or china, not "
				"'%s'\n",
				cmd, ta->cloud);
			return -1;
		}
	}
	return 0;
}

void report_error(const char *cmd)
{
	fprintf(stderr, "b2bctl %s: %s\n", cmd, b2b_error_last());
}

struct config *load_config(const struct tenant_args *ta, const char *cmd, const char **paths,
			   int paths_nr)
{
	static const char *const current_folder[] = {"."};
	struct diag_list diags = DIAG_LIST_INIT;
	struct git_source *git = NULL;
	struct config_source source;
	struct config *cfg;
	size_t errors;

	if (ta && ta->rev) {
		git = git_source_open(ta->rev);
		if (!git) {
			report_error(cmd);
			return NULL;
		}
		git_source_config(git, &source);
	}
	cfg = config_load(paths_nr > 0 ? paths : (const char **)current_folder,
			  paths_nr > 0 ? (size_t)paths_nr : 1, git ? &source : NULL, &diags);
	git_source_free(git);
	errors = diag_count(&diags, DIAG_ERROR);
	diag_print_text(stderr, &diags);
	diag_list_release(&diags);
	if (errors) {
		fprintf(stderr, "b2bctl %s: the configuration has %zu error%s; nothing was read\n",
			cmd, errors, errors == 1 ? "" : "s");
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

int use_color(const struct tenant_args *ta, FILE *out)
{
	const char *no_color = getenv("NO_COLOR");

	if ((ta && ta->no_color) || (no_color && *no_color))
		return 0;
	return isatty(fileno(out));
}

/* The progress line on stderr: rewritten in place on a terminal, one line per step otherwise. */
struct progress {
	int tty;
	int shown;
};

static void progress_report(void *ctx, const char *what, size_t done, size_t total)
{
	struct progress *p = ctx;

	if (!what) {
		if (p->tty && p->shown)
			fputs("\r\033[K", stderr);
		p->shown = 0;
		return;
	}
	if (p->tty)
		fprintf(stderr, "\r\033[K%s (%zu/%zu)", what, done, total);
	else
		fprintf(stderr, "%s (%zu/%zu)\n", what, done, total);
	p->shown = 1;
	fflush(stderr);
}

static void attach_progress(struct tenant *t, const struct tenant_args *ta)
{
	static struct progress state;
	const char *when = ta->progress ? ta->progress : "auto";

	state.tty = isatty(fileno(stderr));
	if (!strcmp(when, "never") || (!strcmp(when, "auto") && !state.tty))
		return;
	t->progress = progress_report;
	t->progress_ctx = &state;
}

static struct tenant *open_graph(const struct tenant_args *ta, const char *want)
{
	struct graph_options opts;
	const char *env_tenant = getenv("AZURE_TENANT_ID");

	memset(&opts, 0, sizeof(opts));
	opts.graph_url = ta->graph_url;
	opts.authority_host = ta->authority_host;
	opts.cloud = ta->cloud;
	opts.tenant_id = env_tenant && *env_tenant ? env_tenant : want;
	opts.parallelism = (unsigned)ta->parallelism;
	opts.debug = ta->debug;
	if (!opts.tenant_id) {
		b2b_error_set("no tenant to read: set AZURE_TENANT_ID or tenant.id in the "
			      "configuration, or use --tenant-snapshot FILE");
		return NULL;
	}
	return tenant_graph_open(&opts);
}

/* Takes t (NULL: its opening failed) and checks that it is the configuration's tenant. */
static struct tenant *check_tenant(const struct tenant_args *ta, const struct config *cfg,
				   struct tenant *t)
{
	const char *want = cfg ? cfg->tenant_id.value : NULL;

	if (!t)
		return NULL;
	if (want && t->tenant_id && strcasecmp(want, t->tenant_id)) {
		b2b_error_set("%s:%u: the configuration is for tenant %s, but %s holds tenant %s",
			      cfg->tenant_id.pos.file ? cfg->tenant_id.pos.file : "configuration",
			      cfg->tenant_id.pos.line, want,
			      ta->snapshot ? ta->snapshot : "AZURE_TENANT_ID", t->tenant_id);
		tenant_free(t);
		return NULL;
	}
	attach_progress(t, ta);
	return t;
}

struct tenant *open_tenant(const struct tenant_args *ta, const struct config *cfg)
{
	return check_tenant(ta, cfg,
			    ta->snapshot ? tenant_snapshot_open(ta->snapshot)
					 : open_graph(ta, cfg ? cfg->tenant_id.value : NULL));
}

/*
 * A snapshot tenant opened on a thread of its own while the configuration
 * loads: neither needs the other until the tenant ids are compared, and a
 * large snapshot takes as long to parse as a large configuration to load.
 */
struct snapshot_opening {
	const char *path;
	struct tenant *tenant;
	char *error; /* b2b_error_last() of the thread that failed to open it */
	struct background bg;
};

static void *snapshot_opening_run(void *arg)
{
	struct snapshot_opening *so = arg;

	so->tenant = tenant_snapshot_open(so->path);
	if (!so->tenant) {
		so->error = xstrdup(b2b_error_last());
		b2b_error_clear();
	}
	return NULL;
}

static void snapshot_opening_start(struct snapshot_opening *so, const char *path)
{
	memset(so, 0, sizeof(*so));
	so->path = path;
	background_start(&so->bg, snapshot_opening_run, so);
}

/* The tenant, or NULL with b2b_error set. */
static struct tenant *snapshot_opening_finish(struct snapshot_opening *so)
{
	background_wait(&so->bg);
	if (so->error) {
		b2b_error_set("%s", so->error);
		free(so->error);
	}
	return so->tenant;
}

static time_t plan_now(void)
{
	const char *fixed = getenv("B2BCTL_NOW");
	char *end;
	long long v;

	if (fixed && *fixed) {
		v = strtoll(fixed, &end, 10);
		if (!*end && v > 0)
			return (time_t)v;
	}
	return time(NULL);
}

/* Copies from's diagnostics but the errors to `to`. */
static void copy_notices(struct diag_list *to, const struct diag_list *from)
{
	size_t i;

	for (i = 0; i < from->nr; i++) {
		const struct diag *d = &from->items[i];
		struct src_pos pos = {d->file, d->line, d->col};

		if (d->severity != DIAG_ERROR)
			diag_add(to, d->severity, d->rule, &pos, "%s", d->message);
	}
}

/*
 * The lints, on a thread of their own beside the diff: both only read the
 * configuration, the live model and its index, which nothing changes once the
 * reads are done, and each writes its own findings.
 */
struct lint_beside {
	const struct config *cfg;
	const json_t *live;
	const struct live_index *index;
	time_t now;
	struct diag_list found;
	struct background bg;
};

static void *lint_beside_run(void *arg)
{
	struct lint_beside *lb = arg;

	lint_run(lb->cfg, lb->live, lb->index, lb->now, &lb->found);
	return NULL;
}

static void lint_beside_start(struct lint_beside *lb, const struct reconcile_ctx *ctx)
{
	memset(lb, 0, sizeof(*lb));
	lb->cfg = ctx->cfg;
	lb->live = ctx->live;
	lb->index = ctx->index;
	lb->now = ctx->now;
	background_start(&lb->bg, lint_beside_run, lb);
}

/* Waits for the lints; their findings go to `to` (NULL: they are dropped). */
static void lint_beside_finish(struct lint_beside *lb, struct diag_list *to)
{
	background_wait(&lb->bg);
	if (to)
		diag_list_take(to, &lb->found);
	diag_list_release(&lb->found);
}

struct plan *plan_against_live(const struct config *cfg, const json_t *live,
			       struct diag_list *diags)
{
	struct reconcile_ctx ctx;
	struct plan *plan = plan_new();

	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = cfg;
	ctx.live = (json_t *)live;
	ctx.diags = diags;
	ctx.now = plan_now();
	if (reconcile_diff(&ctx, plan) < 0 || diag_count(diags, DIAG_ERROR)) {
		plan_free(plan);
		return NULL;
	}
	return plan;
}

struct plan *compute_plan(const struct config *cfg, struct tenant *tenant, const char *cmd)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct reconcile_ctx ctx;
	struct lint_beside lints;
	struct plan *plan = plan_new();
	size_t errors;
	int diffed;

	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = cfg;
	ctx.tenant = tenant;
	ctx.live = json_object();
	ctx.diags = &diags;
	ctx.now = plan_now();

	if (reconcile_read(&ctx) < 0)
		goto fail_error;
	if (diag_count(&diags, DIAG_ERROR))
		goto fail_diags;
	ctx.tenant = NULL;
	ctx.index = live_index_build(ctx.live);
	lint_beside_start(&lints, &ctx);
	diffed = reconcile_diff(&ctx, plan);
	if (diffed < 0 || diag_count(&diags, DIAG_ERROR)) {
		lint_beside_finish(&lints, NULL);
		if (diffed < 0)
			goto fail_error;
		goto fail_diags;
	}

	copy_notices(&plan->warnings, &diags);
	lint_beside_finish(&lints, &plan->warnings);
	diag_sort(&plan->warnings);
	errors = diag_count(&plan->warnings, DIAG_ERROR);
	if (errors) {
		diag_print_text(stderr, &plan->warnings);
		fprintf(stderr, "b2bctl %s: %zu lint error%s (settings.lint can lower a rule)\n",
			cmd, errors, errors == 1 ? "" : "s");
		goto fail;
	}
	diag_list_release(&diags);
	live_index_free(ctx.index);
	plan->live = ctx.live;
	plan->config_hash = cfg->hash ? xstrdup(cfg->hash) : NULL;
	plan->tenant_id = tenant->tenant_id ? xstrdup(tenant->tenant_id) : NULL;
	return plan;

fail_error:
	diag_print_text(stderr, &diags);
	report_error(cmd);
	goto fail;
fail_diags:
	diag_sort(&diags);
	diag_print_text(stderr, &diags);
	fprintf(stderr,
		"b2bctl %s: the tenant and the configuration do not fit together (%zu "
		"error%s above)\n",
		cmd, diag_count(&diags, DIAG_ERROR),
		diag_count(&diags, DIAG_ERROR) == 1 ? "" : "s");
fail:
	diag_list_release(&diags);
	live_index_free(ctx.index);
	json_decref(ctx.live);
	plan_free(plan);
	return NULL;
}

static char *github_blob_url(void)
{
	const char *server = getenv("GITHUB_SERVER_URL"), *repo = getenv("GITHUB_REPOSITORY");
	const char *sha = getenv("GITHUB_SHA");

	if (!server || !*server || !repo || !*repo || !sha || !*sha)
		return NULL;
	return xstrfmt("%s/%s/blob/%s/", server, repo, sha);
}

void render_for_stdout(struct strbuf *out, const struct plan *plan, enum render_format format,
		       const struct render_options *opts)
{
	struct strbuf prefix = STRBUF_INIT;
	char *base;

	if (format != RENDER_MARKDOWN) {
		render_plan(out, plan, format, opts);
		return;
	}
	base = github_blob_url();
	if (base && git_prefix(&prefix) < 0) {
		free(base);
		base = NULL;
	}
	render_markdown_linked(out, plan, opts, base, prefix.buf);
	free(base);
	strbuf_release(&prefix);
}

int plan_run_start(struct plan_run *run, const struct tenant_args *ta, const char *cmd,
		   const char **paths, int paths_nr)
{
	struct snapshot_opening snapshot;

	memset(run, 0, sizeof(*run));
	if (ta->snapshot)
		snapshot_opening_start(&snapshot, ta->snapshot);
	run->cfg = load_config(ta, cmd, paths, paths_nr);
	if (ta->snapshot)
		run->tenant = snapshot_opening_finish(&snapshot);
	if (!run->cfg) { /* its errors come alone; the snapshot is never read */
		tenant_free(run->tenant);
		run->tenant = NULL;
		return -1;
	}
	run->tenant =
	    ta->snapshot ? check_tenant(ta, run->cfg, run->tenant) : open_tenant(ta, run->cfg);
	if (!run->tenant) {
		report_error(cmd);
		return -1;
	}
	run->plan = compute_plan(run->cfg, run->tenant, cmd);
	return run->plan ? 0 : -1;
}

void plan_run_finish(struct plan_run *run)
{
#ifndef B2BCTL_CHECK_LEAKS
	/*
	 * The command returns to exit() after this. A release build leaves the
	 * plan, the live model, the tenant and the configuration to the kernel,
	 * which takes them back at once: freeing a 100,000-guest tenant's
	 * millions of JSON values one by one took a tenth of its plan. The
	 * leak-checking builds (sanitizers, valgrind) free everything.
	 */
	memset(run, 0, sizeof(*run));
	return;
#endif
	plan_free(run->plan);
	tenant_free(run->tenant);
	config_free(run->cfg);
	memset(run, 0, sizeof(*run));
}

int report_format(const char *name, const char *cmd)
{
	int format = render_format_from_name(name);

	if (format < 0)
		fprintf(stderr, "b2bctl %s: --format must be text, markdown or json, not '%s'\n",
			cmd, name);
	return format;
}

int print_report(const struct plan_run *run, const struct tenant_args *ta,
		 enum render_format format, enum render_mode mode, const char *trailer,
		 const char *cmd)
{
	struct render_options ropts = {.mode = mode, .cfg = run->cfg};
	struct strbuf text = STRBUF_INIT;
	int ret = 0;

	report_to_github(run->plan, &ropts);
	ropts.color = format == RENDER_TEXT && use_color(ta, stdout);
	render_for_stdout(&text, run->plan, format, &ropts);
	if (trailer && format == RENDER_TEXT)
		strbuf_addstr(&text, trailer);
	fwrite(text.buf, 1, text.len, stdout);
	if (fflush(stdout)) {
		fprintf(stderr, "b2bctl %s: writing the report: %s\n", cmd, strerror(errno));
		ret = -1;
	}
	strbuf_release(&text);
	return ret;
}

void report_to_github(const struct plan *plan, const struct render_options *opts)
{
	const char *summary = getenv("GITHUB_STEP_SUMMARY");
	const char *actions = getenv("GITHUB_ACTIONS");

	if (actions && !strcmp(actions, "true"))
		diag_print_github(stderr, &plan->warnings);
	if (summary && *summary) {
		struct strbuf text = STRBUF_INIT;
		FILE *f = fopen(summary, "a");

		if (!f) {
			fprintf(stderr,
				"b2bctl: warning: cannot append to GITHUB_STEP_SUMMARY %s\n",
				summary);
			return;
		}
		render_for_stdout(&text, plan, RENDER_MARKDOWN, opts);
		fwrite(text.buf, 1, text.len, f);
		fputc('\n', f);
		fclose(f);
		strbuf_release(&text);
	}
}

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	struct strbuf tmp = STRBUF_INIT;
	const char *p = data;
	int fd;

	strbuf_addf(&tmp, "%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp.buf);
	if (fd < 0) {
		b2b_error_set("%s: cannot create a temporary file: %s", path, strerror(errno));
		strbuf_release(&tmp);
		return -1;
	}
	if (fchmod(fd, mode) < 0)
		goto fail;
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp.buf, path) < 0)
		goto fail;
	strbuf_release(&tmp);
	return 0;
fail:
	b2b_error_set("%s: cannot write: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp.buf);
	strbuf_release(&tmp);
	return -1;
}
