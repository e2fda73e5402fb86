/*
 * kinds: the registry of resource kinds, in the order they are read and applied.
 * A kind that a later kind needs (partners before conditional access, groups
 * before members) comes first.
 */
#include "kind.h"

#include <string.h>

extern const struct kind kind_authorization_policy, kind_email_otp, kind_partner,
	kind_invitation_domains, kind_connected_organization, kind_group, kind_guest,
	kind_group_member, kind_conditional_access_policy, kind_catalog, kind_access_package,
	kind_access_package_resource, kind_access_package_policy;

const struct kind *const kinds[] = {
	&kind_authorization_policy,
	&kind_email_otp,
	&kind_partner,
	&kind_invitation_domains,
	&kind_connected_organization,
	&kind_group,
	&kind_guest,
	&kind_group_member,
	&kind_conditional_access_policy,
	&kind_catalog,
	&kind_access_package,
	&kind_access_package_resource,
	&kind_access_package_policy,
};

const size_t kinds_nr = sizeof(kinds) / sizeof(kinds[0]);

const struct kind *kind_find(const char *name)
{
	size_t i;

	for (i = 0; i < kinds_nr; i++)
		if (!strcmp(kinds[i]->name, name))
			return kinds[i];
	return NULL;
}

size_t kind_index(const struct kind *kind)
{
	size_t i;

	for (i = 0; i < kinds_nr; i++)
		if (kinds[i] == kind)
			return i;
	return kinds_nr;
}
