/*
 * access_package_resource: placeholder until the kind lands (no read, no diff, no apply).
 */
#include "../kind.h"

const struct kind kind_access_package_resource = {
	.name = "access_package_resource",
};
