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
	struct plan_run run;

	nr = parse_options(argc, argv, opts, drift_usage);
	if (nr == -2)
		return 0;
	if (nr < 0 || tenant_args_check(&ta, "drift"))
		return 1;
	format = report_format(format_name, "drift");
	if (format < 0)
		return 1;

	if (plan_run_start(&run, &ta, "drift", argv, nr) ||
	    print_report(&run, &ta, (enum render_format)format, RENDER_DRIFT, NULL, "drift"))
		goto out;
	ret = run.plan->nr ? 2 : 0;
	if (ret == 2 && branch && export_to_branch(run.tenant, branch, nr ? argv[0] : ".")) {
		report_error("drift");
		ret = 1;
	}
out:
	plan_run_finish(&run);
	return ret;
}
