/*
 * plan: shows what apply would change in the tenant to match the
 * configuration, and optionally saves it as a plan file for apply.
 *
 * load -> validate (errors: exit 1 before the tenant is contacted) -> open the
 * tenant -> read -> diff -> render on stdout. Errors go to stderr.
 */
#include "builtin.h"
#include "common.h"
#include "render.h"
#include "../schema/base/xalloc.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const plan_usage[] = {
    "b2bctl plan [PATH...] [--out PLANFILE] [--format text|markdown|json] "
    "[--detailed-exitcode] [--base REV]",
    "",
    "Reads the tenant, compares it with the configuration under PATH (default: the",
    "current folder) and shows the actions apply would take, in the order it takes them.",
    "Exit status: 0 success; 1 error; with --detailed-exitcode, 0 no changes, 2 changes.",
    "",
    "In a pull request, --base origin/main marks each action as introduced by this",
    "change or already pending on the base (drift, or an earlier change not yet applied).",
    NULL,
};

/*
 * Diffs the base revision's configuration against the live model this plan
 * read, and marks each action as this change's or the base's. A base that
 * cannot be diffed (invalid at that revision, say) leaves every action this
 * change's, with a warning.
 */
static void mark_base(struct plan *plan, const struct tenant_args *ta, const char *base_rev,
		      const char **paths, int paths_nr)
{
	struct tenant_args base_ta = *ta;
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *base_cfg;
	struct plan *base_plan = NULL;
	struct plan none = {0};

	base_ta.rev = base_rev;
	base_cfg = load_config(&base_ta, "plan --base", paths, paths_nr);
	if (base_cfg)
		base_plan = plan_against_live(base_cfg, plan->live, &diags);
	if (!base_plan) {
		diag_print_text(stderr, &diags);
		fprintf(stderr,
			"b2bctl plan: warning: could not plan the base revision %s; every action "
			"is shown as this change's\n",
			base_rev);
	}
	plan_mark_origins(plan, base_plan ? base_plan : &none);
	plan_free(base_plan);
	diag_list_release(&diags);
	config_free(base_cfg);
}

static char *iso_now(void)
{
	char buf[32];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

static int save_plan(struct plan *plan, const char *path)
{
	char *text;
	int ret;

	free(plan->created);
	plan->created = iso_now();
	text = plan_to_json_text(plan, PLAN_JSON_FILE);
	ret = write_file_atomic(path, text, strlen(text), 0600);
	free(text);
	return ret;
}

int cmd_plan(int argc, const char **argv)
{
	struct tenant_args ta = TENANT_ARGS_INIT;
	const char *out = NULL, *format_name = NULL, *base_rev = NULL;
	int detailed = 0, nr, format, ret = 1;
	struct option opts[] = {
	    OPT_STRING("out", 'o', &out, "PLANFILE", "save the plan for b2bctl apply (mode 0600)"),
	    OPT_STRING("format", 0, &format_name, "FORMAT", "text (default), markdown or json"),
	    OPT_BOOL("detailed-exitcode", 0, &detailed, "exit 2 when the plan has changes"),
	    OPT_STRING("base", 0, &base_rev, "REV",
		       "tell this change's actions from those already pending on REV"),
	    OPT_TENANT_ARGS(&ta),
	    OPT_END(),
	};
	struct plan_run run;
	char *trailer = NULL;

	nr = parse_options(argc, argv, opts, plan_usage);
	if (nr == -2)
		return 0;
	if (nr < 0 || tenant_args_check(&ta, "plan"))
		return 1;
	format = report_format(format_name, "plan");
	if (format < 0)
		return 1;

	if (plan_run_start(&run, &ta, "plan", argv, nr))
		goto out;
	if (base_rev)
		mark_base(run.plan, &ta, base_rev, argv, nr);
	if (out && save_plan(run.plan, out)) {
		report_error("plan");
		goto out;
	}
	if (out)
		trailer =
		    xstrfmt("\nSaved the plan to %s. Apply exactly these actions with 'b2bctl "
			    "apply %s',\ngiving it the same PATHs and tenant options as this "
			    "plan.\n",
			    out, out);
	if (print_report(&run, &ta, (enum render_format)format, RENDER_PLAN, trailer, "plan"))
		goto out;
	ret = detailed && run.plan->nr ? 2 : 0;
out:
	free(trailer);
	plan_run_finish(&run);
	return ret;
}
