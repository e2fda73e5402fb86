/*
 * invitation_domains: placeholder until the kind lands (no read, no diff, no apply).
 */
#include "../kind.h"

const struct kind kind_invitation_domains = {
	.name = "invitation_domains",
};
