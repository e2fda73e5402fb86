/*
 * validate: placeholder until the command lands; it says so and fails.
 */
#include "builtin.h"

#include <stdio.h>

int cmd_validate(int argc, const char **argv)
{
	(void)argc;
	(void)argv;
	fputs("b2bctl validate: not available in this build yet\n", stderr);
	return 1;
}
