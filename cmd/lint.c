/*
 * lint: runs the B2B pitfall rules (reconcile/lint.c) alone, on the
 * configuration only, or with the tenant read as well when one is named
 * (--tenant-snapshot, or --read-tenant for Microsoft Graph). Exit 1 when a
 * rule at severity error fires.
 */
#include "builtin.h"
#include "common.h"
#include "../reconcile/lint.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const lint_usage[] = {
    "b2bctl lint [PATH...] [--format text|json|github] [--read-tenant] [--list-rules]",
    "",
    "Checks the configuration under PATH (default: the current folder) against known",
    "B2B pitfalls. Rules that need the tenant run with --tenant-snapshot FILE or",
    "--read-tenant. settings.lint in the configuration sets a rule to off, info,",
    "warning or error. Exit status: 0 no errors, 1 an error-level finding or a problem.",
    NULL,
};

static void list_rules(void)
{
	size_t i;

	for (i = 0; i < lint_rules_nr; i++)
		printf("%-30s %-8s %s%s\n", lint_rules[i].id, lint_level_name(lint_rules[i].level),
		       lint_rules[i].summary,
		       lint_rules[i].needs_tenant ? " (reads the tenant)" : "");
}

static json_t *read_live(const struct tenant_args *ta, const struct config *cfg)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct reconcile_ctx ctx;
	struct tenant *tenant = open_tenant(ta, cfg);

	if (!tenant)
		return NULL;
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = cfg;
	ctx.tenant = tenant;
	ctx.live = json_object();
	ctx.diags = &diags;
	ctx.now = time(NULL);
	if (reconcile_read(&ctx) < 0) {
		json_decref(ctx.live);
		ctx.live = NULL;
	}
	diag_sort(&diags);
	diag_print_text(stderr, &diags);
	diag_list_release(&diags);
	tenant_free(tenant);
	return ctx.live;
}

int cmd_lint(int argc, const char **argv)
{
	struct tenant_args ta = TENANT_ARGS_INIT;
	const char *format = "text";
	int read_tenant = 0, rules = 0, nr, ret = 1;
	struct option opts[] = {
	    OPT_STRING("format", 0, &format, "FORMAT", "text (default), json or github"),
	    OPT_BOOL("read-tenant", 0, &read_tenant,
		     "also run the rules that need the tenant, reading Microsoft Graph"),
	    OPT_BOOL("list-rules", 0, &rules, "list the rules and their default severity"),
	    OPT_TENANT_ARGS(&ta),
	    OPT_END(),
	};
	struct diag_list findings = DIAG_LIST_INIT;
	struct config *cfg;
	json_t *live = NULL;

	nr = parse_options(argc, argv, opts, lint_usage);
	if (nr == -2)
		return 0;
	if (nr < 0 || tenant_args_check(&ta, "lint"))
		return 1;
	if (rules) {
		list_rules();
		return 0;
	}
	if (strcmp(format, "text") && strcmp(format, "json") && strcmp(format, "github")) {
		fprintf(stderr, "b2bctl lint: --format must be text, json or github, not '%s'\n",
			format);
		return 1;
	}
	cfg = load_config(&ta, "lint", argv, nr);
	if (!cfg)
		return 1;
	if (ta.snapshot || read_tenant) {
		live = read_live(&ta, cfg);
		if (!live) {
			report_error("lint");
			goto out;
		}
	}
	lint_run(cfg, live, NULL, time(NULL), &findings);
	diag_sort(&findings);
	if (!strcmp(format, "json"))
		diag_print_json(stdout, &findings);
	else if (!strcmp(format, "github"))
		diag_print_github(stdout, &findings);
	else if (findings.nr)
		diag_print_text(stdout, &findings);
	else
		printf("No findings.\n");
	ret = diag_count(&findings, DIAG_ERROR) ? 1 : 0;
out:
	diag_list_release(&findings);
	json_decref(live);
	config_free(cfg);
	return ret;
}
