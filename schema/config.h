/*
 * config: the desired model, what the YAML files declare (DESIGN.md §4).
 *
 * config_load() reads every .yaml and .yml file under the given paths into one
 * struct config; every value keeps the file:line:column it came from so that
 * validation errors, plan actions and lints can point at it. A value that the
 * files do not set has `set == 0` (strings: value == NULL) and keeps the
 * position of the mapping that would hold it.
 *
 * Loading never talks to the tenant. The model is plain data: the reconcile
 * engine reads it and never changes it.
 */
#ifndef B2B_CONFIG_H
#define B2B_CONFIG_H

#include "base/diag.h"

#include <stddef.h>

struct cfg_str {
	char *value; /* NULL when absent */
	struct src_pos pos;
};

struct cfg_bool {
	int set;
	int value;
	struct src_pos pos;
};

struct cfg_int {
	int set;
	long long value;
	struct src_pos pos;
};

struct cfg_str_list {
	int set;
	struct cfg_str *items;
	size_t nr, alloc;
	struct src_pos pos;
};

/* An enum value: `value` is one of the enum's constants, `set` says it was written. */
struct cfg_enum {
	int set;
	int value;
	struct src_pos pos;
};

/* ISO-8601 duration (P90D, PT12H, P1Y2M10DT2H30M) or date (YYYY-MM-DD) or `never`. */
enum expiry_kind {
	EXPIRY_DURATION,
	EXPIRY_DATE,
	EXPIRY_NEVER,
};

struct cfg_expiry {
	int set;
	enum expiry_kind kind;
	char *text;               /* as written: "P90D", "2027-03-31", "never" */
	long long approx_seconds; /* a duration's length (months 30 d, years 365 d); 0 otherwise */
	struct src_pos pos;
};

enum guest_user_access {
	GUEST_ACCESS_MEMBER,
	GUEST_ACCESS_LIMITED,
	GUEST_ACCESS_RESTRICTED,
};

enum guest_invite_restrictions {
	INVITE_EVERYONE,
	INVITE_ADMINS_GUEST_INVITERS_AND_ALL_MEMBERS,
	INVITE_ADMINS_AND_GUEST_INVITERS,
	INVITE_NONE,
};

enum email_otp {
	EMAIL_OTP_ENABLED,
	EMAIL_OTP_DISABLED,
	EMAIL_OTP_DEFAULT,
};

enum inbound_access {
	INBOUND_INHERIT,
	INBOUND_ALLOWED,
	INBOUND_BLOCKED,
};

enum user_type {
	USER_TYPE_GUEST,
	USER_TYPE_MEMBER,
};

enum group_membership {
	MEMBERSHIP_AUTHORITATIVE,
	MEMBERSHIP_ADDITIVE,
};

enum ca_state {
	CA_STATE_ENABLED,
	CA_STATE_DISABLED,
	CA_STATE_REPORT_ONLY,
};

enum lint_level {
	LINT_OFF,
	LINT_INFO,
	LINT_WARNING,
	LINT_ERROR,
};

struct cfg_collaboration_restrictions {
	int set;
	struct cfg_str_list allow_domains;
	struct cfg_str_list block_domains;
	struct cfg_bool include_partner_domains;
	struct src_pos pos;
};

struct cfg_external_collaboration {
	int set;
	struct cfg_enum guest_user_access;         /* enum guest_user_access */
	struct cfg_enum guest_invite_restrictions; /* enum guest_invite_restrictions */
	struct cfg_bool email_verified_users_can_join;
	struct cfg_enum email_one_time_passcode; /* enum email_otp */
	struct cfg_collaboration_restrictions collaboration_restrictions;
	struct src_pos pos;
};

struct cfg_invitations {
	int set;
	struct cfg_str redirect_url;
	struct cfg_bool send_email;
	struct cfg_str message;
	struct cfg_expiry resend_pending_after; /* always EXPIRY_DURATION when set */
	struct src_pos pos;
};

struct cfg_cross_tenant_access {
	int set;
	struct cfg_bool trust_mfa;
	struct cfg_bool trust_compliant_device;
	struct cfg_bool trust_hybrid_joined_device;
	struct cfg_enum b2b_collaboration_inbound; /* enum inbound_access; default inherit */
	struct src_pos pos;
};

struct cfg_guest {
	struct cfg_str email; /* as written; compare case-insensitively */
	struct cfg_str display_name;
	struct cfg_str_list groups;
	struct cfg_enum user_type; /* enum user_type; default Guest */
	struct src_pos pos;        /* the list item */
};

struct cfg_partner {
	struct cfg_str name;
	struct cfg_str display_name;
	struct cfg_str_list domains;
	struct cfg_str tenant_id;
	struct cfg_cross_tenant_access cross_tenant_access;
	struct cfg_bool connected_organization;
	struct cfg_str_list guest_groups;
	struct cfg_guest *guests;
	size_t guests_nr, guests_alloc;
	struct cfg_bool prune_guests;
	struct src_pos pos;
};

struct cfg_group {
	struct cfg_str name;
	struct cfg_str description;
	struct cfg_enum membership; /* enum group_membership; default authoritative */
	struct cfg_str_list members;
	struct src_pos pos;
};

struct cfg_ca_policy {
	struct cfg_str name;
	struct cfg_enum state;           /* enum ca_state */
	struct cfg_str_list guest_types; /* [all] or b2bCollaborationGuest, ... */
	int partners_all;                /* `partners: all` (or absent) */
	struct cfg_str_list partners;    /* partner names when enumerated */
	struct cfg_str_list exclude_groups;
	int applications_all; /* `applications: all` (or absent) */
	struct cfg_str_list applications;
	struct cfg_str_list require; /* mfa, compliantDevice, ... */
	struct cfg_bool require_all;
	struct cfg_bool block;
	struct cfg_int sign_in_frequency_hours;
	struct src_pos pos;
};

struct cfg_conditional_access {
	int set;
	struct cfg_str name_prefix;
	struct cfg_bool prune;
	struct cfg_ca_policy *policies;
	size_t policies_nr, policies_alloc;
	struct src_pos pos;
};

struct cfg_access_package_policy {
	struct cfg_str name;
	struct cfg_str_list partners;
	struct cfg_bool all_partners;
	struct cfg_str_list approvers;
	struct cfg_expiry expiry;
	struct src_pos pos;
};

struct cfg_access_package {
	struct cfg_str name;
	struct cfg_str catalog;
	struct cfg_str description;
	struct cfg_str_list groups;
	struct cfg_access_package_policy *policies;
	size_t policies_nr, policies_alloc;
	struct src_pos pos;
};

struct cfg_lint_override {
	char *rule;
	enum lint_level level;
	struct src_pos pos;
};

struct cfg_settings {
	int set;
	struct cfg_int max_destroy;
	struct cfg_lint_override *lint;
	size_t lint_nr, lint_alloc;
	struct src_pos pos;
};

struct config {
	/* Every file that was read, in load order; src_pos.file points into these. */
	char **files;
	size_t files_nr, files_alloc;
	/* A hash of the files' names and bytes, hex; the plan file keeps it. */
	char *hash;

	struct cfg_str tenant_id;
	struct src_pos tenant_pos;
	struct cfg_external_collaboration external_collaboration;
	struct cfg_invitations invitations;

	struct cfg_partner *partners;
	size_t partners_nr, partners_alloc;
	struct cfg_group *groups;
	size_t groups_nr, groups_alloc;
	struct cfg_conditional_access conditional_access;
	struct cfg_access_package *access_packages;
	size_t access_packages_nr, access_packages_alloc;
	struct cfg_settings settings;
};

/*
 * Where the configuration comes from. Files on disk by default; a git
 * revision (--rev) supplies a reader that lists and reads blobs instead, and
 * names files "REV:path".
 */
struct config_source {
	/* Lists every *.yaml / *.yml under `path`, sorted; returns -1 when path does not exist. */
	int (*list)(void *ctx, const char *path, char ***names, size_t *nr);
	int (*read)(void *ctx, const char *name, char **data, size_t *len);
	void *ctx;
};

/*
 * Loads and validates. Returns a config (never NULL) and appends every problem
 * to `diags`; the configuration is usable only when diags holds no error.
 * `source` NULL means the filesystem.
 */
struct config *config_load(const char *const *paths, size_t paths_nr,
			   const struct config_source *source, struct diag_list *diags);
void config_free(struct config *cfg);

/* Lookups by name (exact, as the files wrote them); NULL when absent. */
const struct cfg_partner *config_find_partner(const struct config *cfg, const char *name);
const struct cfg_group *config_find_group(const struct config *cfg, const char *name);

/* Enum spellings as the YAML writes them, shared by loader, schema and export. */
const char *guest_user_access_name(enum guest_user_access v);
const char *guest_invite_restrictions_name(enum guest_invite_restrictions v);
const char *email_otp_name(enum email_otp v);
const char *inbound_access_name(enum inbound_access v);
const char *user_type_name(enum user_type v);
const char *group_membership_name(enum group_membership v);
const char *ca_state_name(enum ca_state v);
const char *lint_level_name(enum lint_level v);

#endif
