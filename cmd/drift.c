/*
 * drift: the nightly check. Computes the same plan as `b2bctl plan`, changes
 * nothing, and says whether the tenant has moved away from the configuration:
 * exit 0 in sync, 2 drifted, 1 error.
 */
#include "builtin.h"
#include "common.h"
#include "render.h"

#include <stdio.h>

static const char *const drift_usage[] = {
    "b2bctl drift [PATH...] [--format text|markdown|json]",
    "",
    "Compares the tenant with the configuration under PATH (default: the current folder)",
    "without changing anything. Exit status: 0 in sync, 2 drifted, 1 error.",
    NULL,
};

int cmd_drift(int argc, const char **argv)
{
	struct tenant_args ta = TENANT_ARGS_INIT;
	const char *format_name = NULL;
	int nr, format, ret = 1;
	struct option opts[] = {
	    OPT_STRING("format", 0, &format_name, "FORMAT", "text (default), markdown or json"),
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
	ropts.color = format == RENDER_TEXT && use_color(&ta, stdout);
	render_for_stdout(&text, plan, (enum render_format)format, &ropts);
	fwrite(text.buf, 1, text.len, stdout);
	if (fflush(stdout)) {
		perror("b2bctl drift: writing the report");
		goto out;
	}
	ret = plan->nr ? 2 : 0;
out:
	strbuf_release(&text);
	plan_free(plan);
	tenant_free(tenant);
	config_free(cfg);
	return ret;
}
