/*
 * validate: `b2bctl validate [PATH...]` loads the configuration and reports
 * every problem it has, as text, JSON or GitHub annotations. It never talks
 * to the tenant. Exit 0 when valid, 1 when not.
 */
#include "builtin.h"
#include "git.h"
#include "options.h"
#include "schema/config.h"

#include <stdio.h>
#include <string.h>

static const char *const validate_usage[] = {
    "b2bctl validate [PATH...] [--format text|json|github] [--rev REV]",
    "",
    "Checks the configuration files (every *.yaml and *.yml under each PATH, default",
    "the current folder) and reports every error at file:line:column. Nothing is",
    "read from or written to the tenant. With --rev, the files are read from that git",
    "revision (no checkout) and errors cite REV:path:line:column.",
    "",
    "Exit codes: 0 valid, 1 invalid (or bad arguments).",
    NULL,
};

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void print_summary(FILE *out, const struct config *cfg)
{
	size_t guests = 0, i;

	for (i = 0; i < cfg->partners_nr; i++)
		guests += cfg->partners[i].guests_nr;
	fprintf(out, "valid: %zu %s, %zu %s, %zu %s, %zu %s, %zu %s\n", cfg->partners_nr,
		plural(cfg->partners_nr, "partner", "partners"), guests,
		plural(guests, "guest", "guests"), cfg->groups_nr,
		plural(cfg->groups_nr, "group", "groups"), cfg->conditional_access.policies_nr,
		plural(cfg->conditional_access.policies_nr, "conditional-access policy",
		       "conditional-access policies"),
		cfg->access_packages_nr,
		plural(cfg->access_packages_nr, "access package", "access packages"));
}

int cmd_validate(int argc, const char **argv)
{
	const char *format = "text", *rev = NULL;
	const struct option options[] = {
	    OPT_STRING("format", 0, &format, "FORMAT", "output: text (default), json or github"),
	    OPT_STRING("rev", 0, &rev, "REV", "read the files at a git revision"),
	    OPT_END(),
	};
	struct config_source source, *from = NULL;
	struct git_source *git = NULL;
	const char *default_paths[] = {"."};
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg;
	int nr, ret;

	nr = parse_options(argc, argv, options, validate_usage);
	if (nr == -2)
		return 0;
	if (nr < 0)
		return 1;
	if (strcmp(format, "text") && strcmp(format, "json") && strcmp(format, "github")) {
		fprintf(stderr, "b2bctl validate: unknown --format '%s' (text, json or github)\n",
			format);
		return 1;
	}
	if (rev) {
		git = git_source_open(rev);
		if (!git) {
			fprintf(stderr, "b2bctl validate: %s\n", b2b_error_last());
			return 1;
		}
		git_source_config(git, &source);
		from = &source;
	}
	cfg = nr ? config_load(argv, (size_t)nr, from, &diags)
		 : config_load(default_paths, 1, from, &diags);
	git_source_free(git);
	ret = diag_count(&diags, DIAG_ERROR) ? 1 : 0;
	if (!strcmp(format, "json")) {
		diag_print_json(stdout, &diags);
	} else if (!strcmp(format, "github")) {
		diag_print_github(stdout, &diags);
	} else {
		diag_print_text(stderr, &diags);
		if (!ret)
			print_summary(stdout, cfg);
	}
	config_free(cfg);
	diag_list_release(&diags);
	return ret;
}
