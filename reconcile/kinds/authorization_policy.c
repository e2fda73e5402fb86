/*
 * authorization_policy: placeholder until the kind lands (no read, no diff, no apply).
 */
#include "../kind.h"

const struct kind kind_authorization_policy = {
	.name = "authorization_policy",
};
