/*
 * keys: the configuration language as tables. Each YAML mapping the files may
 * write has one key_table that names its keys, their types and where the
 * loader stores them in the desired model (config.h). The loader reads only
 * these tables, and a test checks them against b2bctl.schema.json, so the two
 * cannot drift apart.
 */
#ifndef B2B_KEYS_H
#define B2B_KEYS_H

#include <stddef.h>

enum key_type {
	KEY_STRING,      /* struct cfg_str */
	KEY_BOOL,        /* struct cfg_bool */
	KEY_INT,         /* struct cfg_int, within [min, max] */
	KEY_ENUM,        /* struct cfg_enum, one of enum_values */
	KEY_STRING_LIST, /* struct cfg_str_list; items checked by `check` or enum_values */
	KEY_ALL_OR_LIST, /* `all` (int at all_offset) or a struct cfg_str_list */
	KEY_EXPIRY,      /* struct cfg_expiry: duration, date or never */
	KEY_DURATION,    /* struct cfg_expiry: durations only */
	KEY_MAPPING,     /* a nested mapping described by `child` */
	KEY_LIST,        /* a list of mappings described by `child`, items made by `append` */
	KEY_LINT_LEVELS, /* settings.lint: rule id -> off | info | warning | error */
};

enum value_check {
	CHECK_NONE,
	CHECK_NAME,   /* a partner name: letters, digits, '.', '_', '-' */
	CHECK_EMAIL,  /* local@domain */
	CHECK_DOMAIN, /* a DNS domain with at least two labels */
	CHECK_GUID,
	CHECK_HTTPS_URL,
	CHECK_APP_ID, /* an application id (GUID) or Office365 */
};

#define KEY_REQUIRED   0x1
#define KEY_NONEMPTY   0x2 /* strings and lists: not empty */
#define KEY_REPEATABLE 0x4 /* a section that may appear in several files */

struct enum_table {
	const char *name;
	const char *const *values; /* values[i] spells the enum constant i */
	size_t nr;
};

struct key_table;

struct schema_key {
	const char *name;
	enum key_type type;
	size_t offset; /* of the model field within the table's struct */
	unsigned flags;
	enum value_check check;
	const struct enum_table *enum_values;
	const struct key_table *child;
	/* KEY_LIST: appends a zeroed item to the list at `offset` and returns it */
	void *(*append)(void *owner);
	size_t all_offset;  /* KEY_ALL_OR_LIST */
	long long min, max; /* KEY_INT */
};

#define NO_OFFSET ((size_t)-1)

struct key_table {
	const char *name; /* as b2bctl.schema.json's $defs names it; "" for the top level */
	const char *what; /* in messages */
	const struct schema_key *keys;
	size_t nr;
	size_t pos_offset; /* struct src_pos of the mapping */
	size_t set_offset; /* int set, or NO_OFFSET */
};

/* The top level of a configuration file. */
extern const struct key_table config_keys;
const struct schema_key *key_table_find(const struct key_table *table, const char *name);

extern const struct enum_table enum_guest_user_access;
extern const struct enum_table enum_guest_invite_restrictions;
extern const struct enum_table enum_email_otp;
extern const struct enum_table enum_inbound_access;
extern const struct enum_table enum_user_type;
extern const struct enum_table enum_group_membership;
extern const struct enum_table enum_ca_state;
extern const struct enum_table enum_lint_level;
extern const struct enum_table enum_guest_types;
extern const struct enum_table enum_ca_requirements;

/* The index of `value` in the table, or -1. */
int enum_table_lookup(const struct enum_table *table, const char *value);

/* The JSON Schema (b2bctl.schema.json) compiled into the binary, NUL-terminated. */
extern const char schema_json[];
extern const size_t schema_json_len;

#endif
