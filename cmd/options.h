/*
 * options: one table-driven command-line parser for every subcommand (after
 * git's parse-options). A command declares its options as a table; the same
 * table parses argv and prints `b2bctl COMMAND --help`.
 */
#ifndef B2B_OPTIONS_H
#define B2B_OPTIONS_H

#include <stdio.h>

enum option_type {
	OPTION_END,
	OPTION_GROUP,  /* a heading in the help text */
	OPTION_BOOL,   /* int *: set to 1 */
	OPTION_STRING, /* const char **: the argument as given */
	OPTION_INT,    /* long long *: a decimal number */
	OPTION_COUNT,  /* int *: incremented each time (-v -v) */
};

struct option {
	enum option_type type;
	const char *long_name;
	int short_name; /* 0 for none */
	void *value;
	const char *argh; /* placeholder for the argument, e.g. "FILE" */
	const char *help;
	const char *env; /* environment variable that supplies a default, or NULL */
};

#define OPT_END() {OPTION_END, NULL, 0, NULL, NULL, NULL, NULL}
#define OPT_GROUP(h) {OPTION_GROUP, NULL, 0, NULL, NULL, (h), NULL}
#define OPT_BOOL(l, s, v, h) {OPTION_BOOL, (l), (s), (v), NULL, (h), NULL}
#define OPT_STRING(l, s, v, a, h) {OPTION_STRING, (l), (s), (v), (a), (h), NULL}
#define OPT_STRING_ENV(l, v, a, e, h) {OPTION_STRING, (l), 0, (v), (a), (h), (e)}
#define OPT_INT(l, s, v, a, h) {OPTION_INT, (l), (s), (v), (a), (h), NULL}
#define OPT_COUNT(l, s, v, h) {OPTION_COUNT, (l), (s), (v), NULL, (h), NULL}

/*
 * Parses argv[1..] (argv[0] is the command name). Options and operands may be
 * mixed; "--" ends options. Operands are moved to the front of argv and their
 * number returned. -1 after printing an error and the usage on stderr; for
 * --help / -h prints the usage on stdout and returns -2 (the caller exits 0).
 * Environment defaults are applied first for options that name one.
 */
int parse_options(int argc, const char **argv, const struct option *opts,
		  const char *const *usage);
void usage_with_options(FILE *out, const char *const *usage, const struct option *opts);

#endif
