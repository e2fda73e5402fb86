/*
 * options: the table-driven parser shared by every subcommand. See options.h.
 */
#include "options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int set_value(const struct option *o, const char *arg, const char *cmd)
{
	char *end;
	long long n;

	switch (o->type) {
	case OPTION_BOOL:
		*(int *)o->value = 1;
		return 0;
	case OPTION_COUNT:
		(*(int *)o->value)++;
		return 0;
	case OPTION_STRING:
		*(const char **)o->value = arg;
		return 0;
	case OPTION_INT:
		errno = 0;
		n = strtoll(arg, &end, 10);
		if (errno || end == arg || *end) {
			fprintf(stderr, "b2bctl %s: --%s expects a whole number, not '%s'\n", cmd,
				o->long_name, arg);
			return -1;
		}
		*(long long *)o->value = n;
		return 0;
	default:
		return -1;
	}
}

static int takes_arg(const struct option *o)
{
	return o->type == OPTION_STRING || o->type == OPTION_INT;
}

static void apply_env_defaults(const struct option *opts, const char *cmd)
{
	const struct option *o;

	for (o = opts; o->type != OPTION_END; o++) {
		const char *v;

		if (!o->env || !(v = getenv(o->env)) || !*v)
			continue;
		if (set_value(o, v, cmd))
			fprintf(stderr, "b2bctl %s: ignoring %s\n", cmd, o->env);
	}
}

int parse_options(int argc, const char **argv, const struct option *opts,
		  const char *const *usage)
{
	const char *cmd = argv[0];
	int i, nr = 0, only_operands = 0;

	apply_env_defaults(opts, cmd);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct option *o = NULL, *it;
		const char *inline_arg = NULL;

		if (only_operands || a[0] != '-' || !a[1]) {
			argv[nr++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			only_operands = 1;
			continue;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage_with_options(stdout, usage, opts);
			return -2;
		}
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);

			for (it = opts; it->type != OPTION_END; it++)
				if (it->long_name && strlen(it->long_name) == len &&
				    !strncmp(it->long_name, name, len))
					o = it;
			if (eq)
				inline_arg = eq + 1;
		} else {
			for (it = opts; it->type != OPTION_END; it++)
				if (it->short_name && it->short_name == a[1])
					o = it;
			if (o && a[2])
				inline_arg = a + 2;
		}
		if (!o || o->type == OPTION_GROUP) {
			fprintf(stderr, "b2bctl %s: unknown option '%s'\n\n", cmd, a);
			usage_with_options(stderr, usage, opts);
			return -1;
		}
		if (takes_arg(o)) {
			if (!inline_arg) {
				if (i + 1 >= argc) {
					fprintf(stderr, "b2bctl %s: option '%s' needs a value (%s)\n",
						cmd, a, o->argh ? o->argh : "VALUE");
					return -1;
				}
				inline_arg = argv[++i];
			}
		} else if (inline_arg) {
			fprintf(stderr, "b2bctl %s: option '%s' takes no value\n", cmd, a);
			return -1;
		}
		if (set_value(o, inline_arg, cmd))
			return -1;
	}
	return nr;
}

void usage_with_options(FILE *out, const char *const *usage, const struct option *opts)
{
	const struct option *o;

	fprintf(out, "usage: %s\n", usage[0]);
	for (usage++; *usage; usage++)
		fprintf(out, "%s%s\n", **usage ? "   " : "", *usage);
	fputc('\n', out);
	for (o = opts; o->type != OPTION_END; o++) {
		char left[64];
		int n;

		if (o->type == OPTION_GROUP) {
			fprintf(out, "\n%s\n", o->help);
			continue;
		}
		if (o->short_name)
			n = snprintf(left, sizeof(left), "-%c, --%s", o->short_name, o->long_name);
		else
			n = snprintf(left, sizeof(left), "    --%s", o->long_name);
		if (takes_arg(o) && n > 0 && (size_t)n < sizeof(left))
			snprintf(left + n, sizeof(left) - (size_t)n, " %s", o->argh ? o->argh : "VALUE");
		fprintf(out, "    %-30s %s", left, o->help ? o->help : "");
		if (o->env)
			fprintf(out, " (env %s)", o->env);
		fputc('\n', out);
	}
}
