/*
 * common: what the commands that read the tenant share: the tenant options
 * (one table fragment, OPT_TENANT_ARGS), loading the configuration with its
 * diagnostics, opening the tenant, the progress line, the colour decision,
 * computing a plan, and writing files atomically.
 */
#ifndef B2B_COMMON_H
#define B2B_COMMON_H

#include "options.h"
#include "render.h"
#include "../reconcile/kind.h"
#include "../reconcile/plan.h"
#include "../schema/config.h"

#include <stdio.h>
#include <sys/types.h>

struct tenant_args {
	const char *snapshot;       /* --tenant-snapshot FILE */
	const char *graph_url;      /* --graph-url, env B2BCTL_GRAPH_URL */
	const char *authority_host; /* --authority-host, env AZURE_AUTHORITY_HOST */
	const char *cloud;          /* --cloud public|usgov|usgov-dod|china */
	long long parallelism;      /* --parallelism N; 0 for the backend's default */
	int no_color;
	const char *progress; /* auto (default), always, never */
	int debug;            /* -v / --debug */
	const char *rev;      /* --rev REV: the configuration at a git revision */
};

#define TENANT_ARGS_INIT                                                                           \
	{                                                                                          \
		NULL, NULL, NULL, NULL, 0, 0, NULL, 0, NULL                                        \
	}

#define OPT_TENANT_ARGS(ta)                                                                        \
	OPT_GROUP("Tenant"),                                                                       \
	    OPT_STRING("tenant-snapshot", 0, &(ta)->snapshot, "FILE",                              \
		       "use the tenant held in a snapshot file instead of Microsoft Graph"),       \
	    OPT_STRING_ENV("graph-url", &(ta)->graph_url, "URL", "B2BCTL_GRAPH_URL",               \
			   "Microsoft Graph endpoint"),                                            \
	    OPT_STRING_ENV("authority-host", &(ta)->authority_host, "URL", "AZURE_AUTHORITY_HOST", \
			   "sign-in endpoint"),                                                    \
	    OPT_STRING("cloud", 0, &(ta)->cloud, "NAME",                                           \
		       "public (default), usgov, usgov-dod or china"),                             \
	    OPT_INT("parallelism", 0, &(ta)->parallelism, "N",                                     \
		    "concurrent Graph requests (default 8)"),                                      \
	    OPT_STRING("rev", 0, &(ta)->rev, "REV",                                                \
		       "read the configuration at a git revision, not the working tree"),          \
	    OPT_GROUP("Output"), OPT_BOOL("no-color", 0, &(ta)->no_color, "never use colour"),     \
	    OPT_STRING("progress", 0, &(ta)->progress, "WHEN",                                     \
		       "progress on stderr: auto (on a terminal), always, never"),                 \
	    OPT_COUNT("debug", 'v', &(ta)->debug,                                                  \
		      "trace Graph requests on stderr (secrets redacted)")

/* Checks the values of the tenant options; prints the problem and returns -1. */
int tenant_args_check(const struct tenant_args *ta, const char *cmd);

/*
 * Loads and validates the configuration under paths (default "."), at --rev
 * when given. Prints every diagnostic on stderr; returns NULL when the
 * configuration is not usable (the caller exits 1).
 */
struct config *load_config(const struct tenant_args *ta, const char *cmd, const char **paths,
			   int paths_nr);

/*
 * Opens the tenant: the snapshot file, or Microsoft Graph for the tenant in
 * AZURE_TENANT_ID or else the configuration's tenant.id (cfg may be NULL).
 * Refuses a tenant whose id differs from the configuration's. Attaches the
 * progress reporter. NULL and b2b_error on failure.
 */
struct tenant *open_tenant(const struct tenant_args *ta, const struct config *cfg);

/* Whether to colour what goes to `out`: never with NO_COLOR or --no-color or off a terminal. */
int use_color(const struct tenant_args *ta, FILE *out);

/*
 * Reads the tenant and diffs it with the configuration: the plan (with its
 * live model, config hash, tenant id and lint findings), or NULL after
 * printing what went wrong on stderr.
 */
struct plan *compute_plan(const struct config *cfg, struct tenant *tenant, const char *cmd);

/*
 * What plan, drift and apply share: load and validate the configuration,
 * open the tenant, read, diff and lint. plan_run_start() returns 0 with all
 * three set, or -1 after printing why; plan_run_finish() ends the run, freeing
 * what is set in builds that check for leaks (B2BCTL_CHECK_LEAKS); the command
 * must return to exit() after it.
 */
struct plan_run {
	struct config *cfg;
	struct tenant *tenant;
	struct plan *plan;
};

int plan_run_start(struct plan_run *run, const struct tenant_args *ta, const char *cmd,
		   const char **paths, int paths_nr);
void plan_run_finish(struct plan_run *run);

/*
 * Prints a plan or drift report on stdout in `format` (with `trailer` after a
 * text report, when given): annotations and the step summary in GitHub
 * Actions, colour on a terminal. -1 when stdout cannot be written.
 */
int print_report(const struct plan_run *run, const struct tenant_args *ta,
		 enum render_format format, enum render_mode mode, const char *trailer,
		 const char *cmd);

/* --format's value for plan and drift: the format, or -1 after saying what is allowed. */
int report_format(const char *name, const char *cmd);

/*
 * Renders a plan for stdout. Markdown links point at the files on GitHub when
 * run in GitHub Actions (GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_SHA)
 * inside the repository, and are relative otherwise.
 */
void render_for_stdout(struct strbuf *out, const struct plan *plan, enum render_format format,
		       const struct render_options *opts);

/*
 * Diffs a configuration against a live model that is already read (plan --base
 * diffs the base revision's configuration against the current plan's read).
 * Pure: no I/O. NULL when the diff fails; diags says why.
 */
struct plan *plan_against_live(const struct config *cfg, const json_t *live,
			       struct diag_list *diags);

/*
 * In GitHub Actions: the plan's warnings as annotations on their YAML lines
 * (stderr, so stdout stays the report), and the markdown report appended to
 * GITHUB_STEP_SUMMARY when that is set.
 */
void report_to_github(const struct plan *plan, const struct render_options *opts);

/*
 * Reads everything b2bctl manages or could manage in the tenant (cmd/snapshot.c):
 * the snapshot format, NULL and b2b_error on failure. snapshot writes it,
 * export turns it into configuration.
 */
json_t *read_whole_tenant(struct tenant *t);

/* Writes data to path through a temporary file in the same folder and rename(). */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode);

/* Prints "b2bctl CMD: <last error>" on stderr. */
void report_error(const char *cmd);

#endif
