/*
 * keys: the tables that define the configuration language (see keys.h).
 * One table per YAML mapping; a key's offset says where in config.h's model
 * its value goes. Adding a key to the language means one line here, the
 * field in config.h, and the property in b2bctl.schema.json.
 */
#include "config.h"
#include "keys.h"
#include "base/xalloc.h"

#include <limits.h>
#include <stddef.h>
#include <string.h>

/* Designated initializers: a key names only what it uses. */
#define K(key, kind, st, field, key_flags)                                                         \
	{                                                                                          \
		.name = key, .type = kind, .offset = offsetof(st, field), .flags = key_flags,      \
		.all_offset = NO_OFFSET                                                            \
	}
#define K_CHECK(key, kind, st, field, key_flags, value_check)                                      \
	{                                                                                          \
		.name = key, .type = kind, .offset = offsetof(st, field), .flags = key_flags,      \
		.check = value_check, .all_offset = NO_OFFSET                                      \
	}
#define K_ENUM(key, kind, st, field, key_flags, values)                                            \
	{                                                                                          \
		.name = key, .type = kind, .offset = offsetof(st, field), .flags = key_flags,      \
		.enum_values = &(values), .all_offset = NO_OFFSET                                  \
	}
#define K_INT(key, st, field, lo, hi)                                                              \
	{                                                                                          \
		.name = key, .type = KEY_INT, .offset = offsetof(st, field),                       \
		.all_offset = NO_OFFSET, .min = lo, .max = hi                                      \
	}
#define K_MAP(key, st, field, key_flags, table)                                                    \
	{                                                                                          \
		.name = key, .type = KEY_MAPPING, .offset = offsetof(st, field),                   \
		.flags = key_flags, .child = &(table), .all_offset = NO_OFFSET                     \
	}
#define K_LIST(key, append_fn, table)                                                              \
	{                                                                                          \
		.name = key, .type = KEY_LIST, .child = &(table), .append = append_fn,             \
		.all_offset = NO_OFFSET                                                            \
	}
#define K_ALL_OR_LIST(key, st, list, all, value_check)                                             \
	{                                                                                          \
		.name = key, .type = KEY_ALL_OR_LIST, .offset = offsetof(st, list),                \
		.check = value_check, .all_offset = offsetof(st, all)                              \
	}

#define TABLE(var, name, what, keys, st, pos, set)                                                 \
	const struct key_table var = {                                                             \
	    name, what, keys, sizeof(keys) / sizeof((keys)[0]), offsetof(st, pos), set}

#define APPEND_FN(fn, owner_type, array, nr, alloc)                                                \
	static void *fn(void *owner)                                                               \
	{                                                                                          \
		owner_type *o = owner;                                                             \
		ALLOC_GROW(o->array, o->nr + 1, o->alloc);                                         \
		memset(&o->array[o->nr], 0, sizeof(o->array[0]));                                  \
		return &o->array[o->nr++];                                                         \
	}

APPEND_FN(append_partner, struct config, partners, partners_nr, partners_alloc)
APPEND_FN(append_guest, struct cfg_partner, guests, guests_nr, guests_alloc)
APPEND_FN(append_group, struct config, groups, groups_nr, groups_alloc)
APPEND_FN(append_ca_policy, struct cfg_conditional_access, policies, policies_nr, policies_alloc)
APPEND_FN(append_access_package, struct config, access_packages, access_packages_nr,
	  access_packages_alloc)
APPEND_FN(append_package_policy, struct cfg_access_package, policies, policies_nr, policies_alloc)

static const struct schema_key tenant_keys[] = {
    K_CHECK("id", KEY_STRING, struct config, tenant_id, KEY_REQUIRED, CHECK_GUID),
};
static TABLE(tenant_table, "tenant", "tenant", tenant_keys, struct config, tenant_pos, NO_OFFSET);

static const struct schema_key restrictions_keys[] = {
    K_CHECK("allowDomains", KEY_STRING_LIST, struct cfg_collaboration_restrictions, allow_domains,
	    0, CHECK_DOMAIN),
    K_CHECK("blockDomains", KEY_STRING_LIST, struct cfg_collaboration_restrictions, block_domains,
	    0, CHECK_DOMAIN),
    K("includePartnerDomains", KEY_BOOL, struct cfg_collaboration_restrictions,
      include_partner_domains, 0),
};
static TABLE(restrictions_table, "collaborationRestrictions", "collaborationRestrictions",
	     restrictions_keys, struct cfg_collaboration_restrictions, pos,
	     offsetof(struct cfg_collaboration_restrictions, set));

static const struct schema_key collaboration_keys[] = {
    K_ENUM("guestUserAccess", KEY_ENUM, struct cfg_external_collaboration, guest_user_access, 0,
	   enum_guest_user_access),
    K_ENUM("guestInviteRestrictions", KEY_ENUM, struct cfg_external_collaboration,
	   guest_invite_restrictions, 0, enum_guest_invite_restrictions),
    K("emailVerifiedUsersCanJoin", KEY_BOOL, struct cfg_external_collaboration,
      email_verified_users_can_join, 0),
    K_ENUM("emailOneTimePasscode", KEY_ENUM, struct cfg_external_collaboration,
	   email_one_time_passcode, 0, enum_email_otp),
    K_MAP("collaborationRestrictions", struct cfg_external_collaboration,
	  collaboration_restrictions, 0, restrictions_table),
};
static TABLE(collaboration_table, "externalCollaboration", "externalCollaboration",
	     collaboration_keys, struct cfg_external_collaboration, pos,
	     offsetof(struct cfg_external_collaboration, set));

static const struct schema_key invitations_keys[] = {
    K_CHECK("redirectUrl", KEY_STRING, struct cfg_invitations, redirect_url, 0, CHECK_HTTPS_URL),
    K("sendEmail", KEY_BOOL, struct cfg_invitations, send_email, 0),
    K("message", KEY_STRING, struct cfg_invitations, message, 0),
    K("resendPendingAfter", KEY_DURATION, struct cfg_invitations, resend_pending_after, 0),
};
static TABLE(invitations_table, "invitations", "invitations", invitations_keys,
	     struct cfg_invitations, pos, offsetof(struct cfg_invitations, set));

static const struct schema_key cross_tenant_keys[] = {
    K("trustMfa", KEY_BOOL, struct cfg_cross_tenant_access, trust_mfa, 0),
    K("trustCompliantDevice", KEY_BOOL, struct cfg_cross_tenant_access, trust_compliant_device, 0),
    K("trustHybridJoinedDevice", KEY_BOOL, struct cfg_cross_tenant_access,
      trust_hybrid_joined_device, 0),
    K_ENUM("b2bCollaborationInbound", KEY_ENUM, struct cfg_cross_tenant_access,
	   b2b_collaboration_inbound, 0, enum_inbound_access),
};
static TABLE(cross_tenant_table, "crossTenantAccess", "crossTenantAccess", cross_tenant_keys,
	     struct cfg_cross_tenant_access, pos, offsetof(struct cfg_cross_tenant_access, set));

static const struct schema_key guest_keys[] = {
    K_CHECK("email", KEY_STRING, struct cfg_guest, email, KEY_REQUIRED, CHECK_EMAIL),
    K("displayName", KEY_STRING, struct cfg_guest, display_name, 0),
    K("groups", KEY_STRING_LIST, struct cfg_guest, groups, 0),
    K_ENUM("userType", KEY_ENUM, struct cfg_guest, user_type, 0, enum_user_type),
};
static TABLE(guest_table, "guest", "guest", guest_keys, struct cfg_guest, pos, NO_OFFSET);

static const struct schema_key partner_keys[] = {
    K_CHECK("name", KEY_STRING, struct cfg_partner, name, KEY_REQUIRED, CHECK_NAME),
    K("displayName", KEY_STRING, struct cfg_partner, display_name, 0),
    K_CHECK("domains", KEY_STRING_LIST, struct cfg_partner, domains, KEY_REQUIRED | KEY_NONEMPTY,
	    CHECK_DOMAIN),
    K_CHECK("tenantId", KEY_STRING, struct cfg_partner, tenant_id, 0, CHECK_GUID),
    K_MAP("crossTenantAccess", struct cfg_partner, cross_tenant_access, 0, cross_tenant_table),
    K("connectedOrganization", KEY_BOOL, struct cfg_partner, connected_organization, 0),
    K("guestGroups", KEY_STRING_LIST, struct cfg_partner, guest_groups, 0),
    K_LIST("guests", append_guest, guest_table),
    K("pruneGuests", KEY_BOOL, struct cfg_partner, prune_guests, 0),
};
static TABLE(partner_table, "partner", "partner", partner_keys, struct cfg_partner, pos, NO_OFFSET);

static const struct schema_key group_keys[] = {
    K("name", KEY_STRING, struct cfg_group, name, KEY_REQUIRED | KEY_NONEMPTY),
    K("description", KEY_STRING, struct cfg_group, description, 0),
    K_ENUM("membership", KEY_ENUM, struct cfg_group, membership, 0, enum_group_membership),
    K_CHECK("members", KEY_STRING_LIST, struct cfg_group, members, 0, CHECK_EMAIL),
};
static TABLE(group_table, "group", "group", group_keys, struct cfg_group, pos, NO_OFFSET);

static const struct schema_key ca_policy_keys[] = {
    K("name", KEY_STRING, struct cfg_ca_policy, name, KEY_REQUIRED | KEY_NONEMPTY),
    K_ENUM("state", KEY_ENUM, struct cfg_ca_policy, state, KEY_REQUIRED, enum_ca_state),
    K_ENUM("guestTypes", KEY_STRING_LIST, struct cfg_ca_policy, guest_types, KEY_NONEMPTY,
	   enum_guest_types),
    K_ALL_OR_LIST("partners", struct cfg_ca_policy, partners, partners_all, CHECK_NONE),
    K("excludeGroups", KEY_STRING_LIST, struct cfg_ca_policy, exclude_groups, 0),
    K_ALL_OR_LIST("applications", struct cfg_ca_policy, applications, applications_all,
		  CHECK_APP_ID),
    K_ENUM("require", KEY_STRING_LIST, struct cfg_ca_policy, require, KEY_NONEMPTY,
	   enum_ca_requirements),
    K("requireAll", KEY_BOOL, struct cfg_ca_policy, require_all, 0),
    K("block", KEY_BOOL, struct cfg_ca_policy, block, 0),
    K_INT("signInFrequencyHours", struct cfg_ca_policy, sign_in_frequency_hours, 1, 720),
};
static TABLE(ca_policy_table, "conditionalAccessPolicy", "conditional-access policy",
	     ca_policy_keys, struct cfg_ca_policy, pos, NO_OFFSET);

static const struct schema_key ca_keys[] = {
    K("namePrefix", KEY_STRING, struct cfg_conditional_access, name_prefix, KEY_NONEMPTY),
    K("prune", KEY_BOOL, struct cfg_conditional_access, prune, 0),
    K_LIST("policies", append_ca_policy, ca_policy_table),
};
static TABLE(ca_table, "conditionalAccess", "conditionalAccess", ca_keys,
	     struct cfg_conditional_access, pos, offsetof(struct cfg_conditional_access, set));

static const struct schema_key package_policy_keys[] = {
    K("name", KEY_STRING, struct cfg_access_package_policy, name, KEY_REQUIRED | KEY_NONEMPTY),
    K_CHECK("partners", KEY_STRING_LIST, struct cfg_access_package_policy, partners, KEY_NONEMPTY,
	    CHECK_NONE),
    K("allPartners", KEY_BOOL, struct cfg_access_package_policy, all_partners, 0),
    K("approvers", KEY_STRING_LIST, struct cfg_access_package_policy, approvers, 0),
    K("expiry", KEY_EXPIRY, struct cfg_access_package_policy, expiry, 0),
};
static TABLE(package_policy_table, "accessPackagePolicy", "access-package policy",
	     package_policy_keys, struct cfg_access_package_policy, pos, NO_OFFSET);

static const struct schema_key package_keys[] = {
    K("name", KEY_STRING, struct cfg_access_package, name, KEY_REQUIRED | KEY_NONEMPTY),
    K("catalog", KEY_STRING, struct cfg_access_package, catalog, KEY_REQUIRED | KEY_NONEMPTY),
    K("description", KEY_STRING, struct cfg_access_package, description, 0),
    K("groups", KEY_STRING_LIST, struct cfg_access_package, groups, 0),
    K_LIST("policies", append_package_policy, package_policy_table),
};
static TABLE(package_table, "accessPackage", "access package", package_keys,
	     struct cfg_access_package, pos, NO_OFFSET);

static const struct schema_key settings_keys[] = {
    K_INT("maxDestroy", struct cfg_settings, max_destroy, 0, LLONG_MAX),
    K("lint", KEY_LINT_LEVELS, struct cfg_settings, lint, 0),
};
static TABLE(settings_table, "settings", "settings", settings_keys, struct cfg_settings, pos,
	     offsetof(struct cfg_settings, set));

static const struct schema_key config_top_keys[] = {
    /* the tenant's fields live in struct config itself */
    {.name = "tenant", .type = KEY_MAPPING, .child = &tenant_table, .all_offset = NO_OFFSET},
    K_MAP("externalCollaboration", struct config, external_collaboration, 0, collaboration_table),
    K_MAP("invitations", struct config, invitations, 0, invitations_table),
    K_LIST("partners", append_partner, partner_table),
    K_LIST("groups", append_group, group_table),
    K_MAP("conditionalAccess", struct config, conditional_access, KEY_REPEATABLE, ca_table),
    K_LIST("accessPackages", append_access_package, package_table),
    K_MAP("settings", struct config, settings, 0, settings_table),
};
const struct key_table config_keys = {"",
				      "the configuration",
				      config_top_keys,
				      sizeof(config_top_keys) / sizeof(config_top_keys[0]),
				      NO_OFFSET,
				      NO_OFFSET};

const struct schema_key *key_table_find(const struct key_table *table, const char *name)
{
	size_t i;

	for (i = 0; i < table->nr; i++)
		if (!strcmp(table->keys[i].name, name))
			return &table->keys[i];
	return NULL;
}
