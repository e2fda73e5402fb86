/*
 * access_package_policy: placeholder until the kind lands (no read, no diff, no apply).
 */
#include "../kind.h"

const struct kind kind_access_package_policy = {
	.name = "access_package_policy",
};
