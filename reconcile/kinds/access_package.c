/*
 * access_package: placeholder until the kind lands (no read, no diff, no apply).
 */
#include "../kind.h"

const struct kind kind_access_package = {
	.name = "access_package",
};
