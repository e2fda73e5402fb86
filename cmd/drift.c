/*
 * drift: the nightly check. Computes the same plan as `b2bctl plan`, changes
 * nothing, and says whether the tenant has moved away from the configuration:
 * exit 0 in sync, 2 drifted, 1 error.
 */
#include "builtin.h"
#include "common.h"
#include "export.h"
#include "git.h"
#include "render.h"
#include "../schema/base/xalloc.h"

#include <stdio.h>

static const char *const drift_usage[] = {
    "b2bctl drift [PATH...] [--format text|markdown|json] [--export-branch NAME]",
    "",
    "Compares the tenant with the configuration under PATH (default: the current folder)",
    "without changing anything. Exit status: 0 in sync, 2 drifted, 1 error.",
    "",
    "With --export-branch, a drifted tenant is also written as configuration (as",
    "'b2bctl export' writes it) under PATH in a new commit on branch NAME whose parent",
    "is HEAD; the working tree, the index and HEAD stay as they are. Open a pull",
    "request from NAME to accept the drift instead of reverting it.",
    NULL,
};

/* Commits the live tenant, exported, in place of the configuration folder on `branch`. */
static int export_to_branch(struct tenant *tenant, const char *branch, const char *path)
{
	struct export_files files = {0};
	struct strbuf dir = STRBUF_INIT, message = STRBUF_INIT;
	struct git_file *gf = NULL;
	json_t *live = NULL;
	char commit[41];
	size_t i;
	int ret = -1;

	if (git_repo_path(path, &dir) || !(live = read_whole_tenant(tenant)) ||
	    export_live(live, &files))
		goto out;
	gf = xcalloc(files.nr + 1, sizeof(*gf));
	for (i = 0; i < files.nr; i++) {
		gf[i].path = xstrfmt("%s%s%s", dir.buf, dir.len ? "/" : "", files.items[i].path);
		gf[i].data = files.items[i].data;
		gf[i].len = files.items[i].len;
	}
	strbuf_addf(&message,
		    "b2bctl: accept the drift of tenant %s\n\nThe live tenant exported by 'b2bctl "
		    "drift --export-branch'.\nMerge to make the configuration match the tenant.\n",
		    tenant->tenant_id ? tenant->tenant_id : "");
	if (git_commit_to_branch(branch, dir.buf, gf, files.nr, message.buf, commit))
		goto out;
	fprintf(stderr, "b2bctl drift: committed the live state to %s (%.12s)\n", branch, commit);
	ret = 0;
out:
	for (i = 0; gf && i < files.nr; i++)
		free((char *)gf[i].path);
	free(gf);
	export_files_release(&files);
	json_decref(live);
	strbuf_release(&dir);
	strbuf_release(&message);
	return ret;
}

int cmd_drift(int argc, const char **argv)
{
	struct tenant_args ta = TENANT_ARGS_INIT;
	const char *format_name = NULL, *branch = NULL;
	int nr, format, ret = 1;
	struct option opts[] = {
	    OPT_STRING("format", 0, &format_name, "FORMAT", "text (default), markdown or json"),
	    OPT_STRING("export-branch", 0, &branch, "NAME",
		       "when drifted, commit the live state as configuration to branch NAME"),
	    OPT_TENANT_ARGS(&ta),
	    OPT_END(),
	};
	struct render_options ropts = {.mode = RENDER_DRIFT};
	struct strbuf text = STRBUF_INIT;
	struct config *cfg = NULL;
	struct tenant *tenant = NULL;
	struct plan *plan = NULL;

	nr = parse_options(argc, argv, opts, drift_usage);
	if (nr == -2)
		return 0;
	if (nr < 0 || tenant_args_check(&ta, "drift"))
		return 1;
	format = render_format_from_name(format_name);
	if (format < 0) {
		fprintf(stderr, "b2bctl drift: --format must be text, markdown or json, not '%s'\n",
			format_name);
		return 1;
	}

	cfg = load_config(&ta, "drift", argv, nr);
	if (!cfg)
		return 1;
	tenant = open_tenant(&ta, cfg);
	if (!tenant) {
		report_error("drift");
		goto out;
	}
	plan = compute_plan(cfg, tenant, "drift");
	if (!plan)
		goto out;
	ropts.cfg = cfg;
	report_to_github(plan, &ropts);
	ropts.color = format == RENDER_TEXT && use_color(&ta, stdout);
	render_for_stdout(&text, plan, (enum render_format)format, &ropts);
	fwrite(text.buf, 1, text.len, stdout);
	if (fflush(stdout)) {
		perror("b2bctl drift: writing the report");
		goto out;
	}
	ret = plan->nr ? 2 : 0;
	if (ret == 2 && branch && export_to_branch(tenant, branch, nr ? argv[0] : ".")) {
		report_error("drift");
		ret = 1;
	}
out:
	strbuf_release(&text);
	plan_free(plan);
	tenant_free(tenant);
	config_free(cfg);
	return ret;
}
