/*
 * enums: how the YAML spells every enumerated value. The loader, the JSON
 * Schema test, export and the renderers all take their spellings from here.
 */
#include "config.h"
#include "keys.h"

#include <string.h>

#define ENUM_TABLE(var, key, ...)                                                                  \
	static const char *const var##_values[] = {__VA_ARGS__};                                   \
	const struct enum_table var = {key, var##_values, ARRAY_LEN(var##_values)}

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

ENUM_TABLE(enum_guest_user_access, "guestUserAccess", "member", "limited", "restricted");
ENUM_TABLE(enum_guest_invite_restrictions, "guestInviteRestrictions", "everyone",
	   "adminsGuestInvitersAndAllMembers", "adminsAndGuestInviters", "none");
ENUM_TABLE(enum_email_otp, "emailOneTimePasscode", "enabled", "disabled", "default");
ENUM_TABLE(enum_inbound_access, "b2bCollaborationInbound", "inherit", "allowed", "blocked");
ENUM_TABLE(enum_user_type, "userType", "Guest", "Member");
ENUM_TABLE(enum_group_membership, "membership", "authoritative", "additive");
ENUM_TABLE(enum_ca_state, "state", "enabled", "disabled", "reportOnly");
ENUM_TABLE(enum_lint_level, "lint", "off", "info", "warning", "error");
ENUM_TABLE(enum_guest_types, "guestTypes", "all", "internalGuest", "b2bCollaborationGuest",
	   "b2bCollaborationMember", "b2bDirectConnectUser", "otherExternalUser",
	   "serviceProvider");
ENUM_TABLE(enum_ca_requirements, "require", "mfa", "compliantDevice", "domainJoinedDevice",
	   "approvedApplication", "compliantApplication", "passwordChange");

int enum_table_lookup(const struct enum_table *table, const char *value)
{
	size_t i;

	for (i = 0; i < table->nr; i++)
		if (!strcmp(table->values[i], value))
			return (int)i;
	return -1;
}

static const char *enum_spelling(const struct enum_table *table, int v)
{
	if (v < 0 || (size_t)v >= table->nr)
		return "?";
	return table->values[v];
}

const char *guest_user_access_name(enum guest_user_access v)
{
	return enum_spelling(&enum_guest_user_access, (int)v);
}

const char *guest_invite_restrictions_name(enum guest_invite_restrictions v)
{
	return enum_spelling(&enum_guest_invite_restrictions, (int)v);
}

const char *email_otp_name(enum email_otp v)
{
	return enum_spelling(&enum_email_otp, (int)v);
}

const char *inbound_access_name(enum inbound_access v)
{
	return enum_spelling(&enum_inbound_access, (int)v);
}

const char *user_type_name(enum user_type v)
{
	return enum_spelling(&enum_user_type, (int)v);
}

const char *group_membership_name(enum group_membership v)
{
	return enum_spelling(&enum_group_membership, (int)v);
}

const char *ca_state_name(enum ca_state v)
{
	return enum_spelling(&enum_ca_state, (int)v);
}

const char *lint_level_name(enum lint_level v)
{
	return enum_spelling(&enum_lint_level, (int)v);
}
