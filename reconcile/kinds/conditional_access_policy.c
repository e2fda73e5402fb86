/*
 * conditional_access_policy: placeholder until the kind lands (no read, no diff, no apply).
 */
#include "../kind.h"

const struct kind kind_conditional_access_policy = {
	.name = "conditional_access_policy",
};
