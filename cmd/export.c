/*
 * export: placeholder until the command lands; it says so and fails.
 */
#include "builtin.h"

#include <stdio.h>

int cmd_export(int argc, const char **argv)
{
	(void)argc;
	(void)argv;
	fputs("b2bctl export: not available in this build yet\n", stderr);
	return 1;
}
