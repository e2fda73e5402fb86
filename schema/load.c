/*
 * load: configuration files -> struct config (config.h).
 *
 * Lists the files under each path (sorted), parses each into a yaml_tree and
 * walks it with the key tables of keys.c, which say what every key is and
 * where its value goes; then config_validate() checks what spans files. Every
 * problem becomes a diagnostic at file:line:column and loading goes on, so one
 * run reports them all.
 *
 * A config_source's list() and read() hand over malloc'ed memory (the names,
 * their array, the data) that the loader frees; on failure they return -1 and
 * may say why with b2b_error_set().
 */
#include "config.h"
#include "checks.h"
#include "keys.h"
#include "yaml_tree.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <git2.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CONFIG_MAX_FILE_SIZE (10 * 1024 * 1024)
#define CONFIG_MAX_DIR_DEPTH 32
/* Collections larger than this find duplicates with a name_index. */
#define SMALL_COLLECTION 16

struct loader {
	struct config *cfg;
	struct diag_list *diags;
	const char *file;
	size_t unreadable; /* files that could not be read or parsed */
};

static void node_pos(const struct loader *ld, const struct ynode *n, struct src_pos *pos)
{
	pos->file = ld->file;
	pos->line = n->line;
	pos->col = n->col;
}

__attribute__((format(printf, 3, 4))) static void
error_at(const struct loader *ld, const struct ynode *n, const char *fmt, ...)
{
	struct strbuf msg = STRBUF_INIT;
	struct src_pos pos;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	node_pos(ld, n, &pos);
	diag_error(ld->diags, &pos, "%s", msg.buf);
	strbuf_release(&msg);
}

/* How a node reads in a message: a list, a mapping, empty, or its text. */
static void describe(struct strbuf *sb, const struct ynode *n)
{
	if (n->type == YNODE_SEQUENCE)
		strbuf_addstr(sb, "a list");
	else if (n->type == YNODE_MAPPING)
		strbuf_addstr(sb, "a mapping");
	else if (ynode_is_null(n))
		strbuf_addstr(sb, "empty");
	else if (n->len > 40) {
		int cut = 37;

		while (cut > 0 && ((unsigned char)n->value[cut] & 0xc0) == 0x80)
			cut--; /* not inside a UTF-8 sequence */
		strbuf_addf(sb, "'%.*s...'", cut, n->value);
	} else
		strbuf_addf(sb, "'%s'", n->value);
}

static void type_error(const struct loader *ld, const struct ynode *n, const char *key,
		       const char *expected)
{
	struct strbuf found = STRBUF_INIT;

	describe(&found, n);
	error_at(ld, n, "'%s' must be %s, not %s", key, expected, found.buf);
	strbuf_release(&found);
}

static void item_type_error(const struct loader *ld, const struct ynode *n, const char *key,
			    const char *expected)
{
	struct strbuf found = STRBUF_INIT;

	describe(&found, n);
	error_at(ld, n, "the items of '%s' must be %s, not %s", key, expected, found.buf);
	strbuf_release(&found);
}

static int is_string(const struct ynode *n)
{
	return n->type == YNODE_SCALAR && !ynode_is_null(n);
}

static void first_defined(struct strbuf *sb, const struct src_pos *pos)
{
	strbuf_addf(sb, "first defined at %s:%u:%u", pos->file, pos->line, pos->col);
}

static void duplicate_error(const struct loader *ld, const struct ynode *n, const char *what,
			    const char *name, const struct src_pos *first)
{
	struct strbuf where = STRBUF_INIT;

	first_defined(&where, first);
	error_at(ld, n, "duplicate %s '%s' (%s)", what, name, where.buf);
	strbuf_release(&where);
}

static void unknown_value(const struct loader *ld, const struct ynode *n, const char *key,
			  const struct enum_table *values)
{
	const char *close = suggest_closest(n->value, values->values, values->nr);
	struct strbuf msg = STRBUF_INIT;
	size_t i;

	strbuf_addf(&msg, "invalid value '%s' for '%s' (expected ", n->value, key);
	for (i = 0; i < values->nr; i++)
		strbuf_addf(&msg, "%s%s",
			    i == 0                ? ""
			    : i + 1 == values->nr ? " or "
						  : ", ",
			    values->values[i]);
	strbuf_addch(&msg, ')');
	if (close)
		strbuf_addf(&msg, "; did you mean '%s'?", close);
	error_at(ld, n, "%s", msg.buf);
	strbuf_release(&msg);
}

static void check_value(const struct loader *ld, const struct ynode *n, const char *key,
			enum value_check check)
{
	struct strbuf why = STRBUF_INIT;
	const char *s = n->value, *p;

	switch (check) {
	case CHECK_NONE:
		break;
	case CHECK_NAME:
		for (p = s; *p; p++)
			if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
			    !(*p >= '0' && *p <= '9') && !strchr("._-", *p))
				break;
		if (*p || !*s)
			error_at(ld, n, "invalid %s '%s' (use letters, digits, '.', '_' and '-')",
				 key, s);
		break;
	case CHECK_EMAIL:
		if (check_email(s, &why))
			error_at(ld, n, "invalid email address '%s': %s", s, why.buf);
		break;
	case CHECK_DOMAIN:
		if (check_domain(s, &why))
			error_at(ld, n, "invalid domain '%s': %s", s, why.buf);
		break;
	case CHECK_GUID:
		if (check_guid(s))
			error_at(ld, n,
				 "invalid %s '%s' (expected a GUID such as "
				 "11111111-2222-3333-4444-555555555555)",
				 key, s);
		break;
	case CHECK_HTTPS_URL:
		if (check_https_url(s, &why))
			error_at(ld, n, "invalid %s '%s': %s", key, s, why.buf);
		break;
	case CHECK_APP_ID:
		if (strcmp(s, "Office365") && check_guid(s))
			error_at(ld, n,
				 "invalid application '%s' (expected an application id "
				 "(GUID) or Office365)",
				 s);
		break;
	}
	strbuf_release(&why);
}

static void load_string(const struct loader *ld, const struct schema_key *k, void *field,
			const struct ynode *n)
{
	struct cfg_str *str = field;

	if (!is_string(n)) {
		type_error(ld, n, k->name, "a string");
		return;
	}
	if (str->value) {
		duplicate_error(ld, n, "setting", k->name, &str->pos);
		return;
	}
	str->value = xstrdup(n->value);
	node_pos(ld, n, &str->pos);
	if ((k->flags & KEY_NONEMPTY) && !n->len)
		error_at(ld, n, "'%s' must not be empty", k->name);
	else
		check_value(ld, n, k->name, k->check);
}

static const char *const yaml11_booleans[] = {"yes", "Yes", "YES",  "no",   "No",    "NO",   "on",
					      "On",  "ON",  "off",  "Off",  "OFF",   "y",    "Y",
					      "n",   "N",   "True", "TRUE", "False", "FALSE"};

static void load_bool(const struct loader *ld, const struct schema_key *k, void *field,
		      const struct ynode *n)
{
	struct cfg_bool *b = field;
	int value;
	size_t i;

	if (n->type == YNODE_SCALAR && n->plain && !strcmp(n->value, "true")) {
		value = 1;
	} else if (n->type == YNODE_SCALAR && n->plain && !strcmp(n->value, "false")) {
		value = 0;
	} else {
		if (n->type == YNODE_SCALAR && n->plain)
			for (i = 0; i < ARRAY_SIZE(yaml11_booleans); i++)
				if (!strcmp(n->value, yaml11_booleans[i])) {
					error_at(ld, n,
						 "'%s' is not a boolean in b2bctl: write true or "
						 "false for '%s'",
						 n->value, k->name);
					return;
				}
		type_error(ld, n, k->name, "true or false");
		return;
	}
	if (b->set) {
		duplicate_error(ld, n, "setting", k->name, &b->pos);
		return;
	}
	b->set = 1;
	b->value = value;
	node_pos(ld, n, &b->pos);
}

static void load_int(const struct loader *ld, const struct schema_key *k, void *field,
		     const struct ynode *n)
{
	struct cfg_int *i = field;
	const char *p;
	long long v;
	char *end;

	if (n->type != YNODE_SCALAR || !n->plain || !n->len) {
		type_error(ld, n, k->name, "a whole number");
		return;
	}
	for (p = n->value + (n->value[0] == '-'); *p; p++)
		if (*p < '0' || *p > '9')
			break;
	errno = 0;
	v = strtoll(n->value, &end, 10);
	if (*p || *end || errno || p == n->value) {
		type_error(ld, n, k->name, "a whole number");
		return;
	}
	if (i->set) {
		duplicate_error(ld, n, "setting", k->name, &i->pos);
		return;
	}
	i->set = 1;
	i->value = v;
	node_pos(ld, n, &i->pos);
	if (v < k->min || v > k->max) {
		if (k->max == LLONG_MAX)
			error_at(ld, n, "'%s' must be %lld or more, not %lld", k->name, k->min, v);
		else
			error_at(ld, n, "'%s' must be between %lld and %lld, not %lld", k->name,
				 k->min, k->max, v);
	}
}

static void load_enum(const struct loader *ld, const struct schema_key *k, void *field,
		      const struct ynode *n)
{
	struct cfg_enum *e = field;
	int v;

	if (!is_string(n)) {
		type_error(ld, n, k->name, "a string");
		return;
	}
	v = enum_table_lookup(k->enum_values, n->value);
	if (v < 0) {
		unknown_value(ld, n, k->name, k->enum_values);
		return;
	}
	if (e->set) {
		duplicate_error(ld, n, "setting", k->name, &e->pos);
		return;
	}
	e->set = 1;
	e->value = v;
	node_pos(ld, n, &e->pos);
}

static void load_string_list(const struct loader *ld, const struct schema_key *k, void *field,
			     const struct ynode *n)
{
	struct cfg_str_list *list = field;
	struct name_index seen = NAME_INDEX_INIT(1);
	size_t i, j;

	if (n->type != YNODE_SEQUENCE) {
		type_error(ld, n, k->name, k->type == KEY_ALL_OR_LIST ? "all or a list" : "a list");
		return;
	}
	if (list->set) {
		struct src_pos first = list->pos;

		duplicate_error(ld, n, "setting", k->name, &first);
		return;
	}
	list->set = 1;
	node_pos(ld, n, &list->pos);
	if ((k->flags & KEY_NONEMPTY) && !n->nr)
		error_at(ld, n, "'%s' must not be empty", k->name);
	for (i = 0; i < n->nr; i++) {
		const struct ynode *item = n->items[i];
		const struct src_pos *first;
		struct cfg_str *s;

		if (!is_string(item)) {
			item_type_error(ld, item, k->name, "strings");
			continue;
		}
		if (n->nr > SMALL_COLLECTION) {
			const struct name_index_entry *e;
			struct src_pos pos;

			node_pos(ld, item, &pos);
			e = name_index_add(&seen, item->value, &pos, NULL);
			first = e ? &e->pos : NULL;
		} else {
			for (j = 0; j < list->nr; j++)
				if (!strcasecmp(list->items[j].value, item->value))
					break;
			first = j < list->nr ? &list->items[j].pos : NULL;
		}
		if (first) {
			struct strbuf where = STRBUF_INIT;

			first_defined(&where, first);
			error_at(ld, item, "'%s' is listed twice in '%s' (%s)", item->value,
				 k->name, where.buf);
			strbuf_release(&where);
			continue;
		}
		ALLOC_GROW(list->items, list->nr + 1, list->alloc);
		s = &list->items[list->nr++];
		s->value = xstrdup(item->value);
		node_pos(ld, item, &s->pos);
		if (k->enum_values && enum_table_lookup(k->enum_values, item->value) < 0)
			unknown_value(ld, item, k->name, k->enum_values);
		else
			check_value(ld, item, k->name, k->check);
	}
	name_index_release(&seen);
}

static void load_all_or_list(const struct loader *ld, const struct schema_key *k, void *obj,
			     const struct ynode *n)
{
	int *all = (int *)((char *)obj + k->all_offset);
	struct cfg_str_list *list = (struct cfg_str_list *)((char *)obj + k->offset);

	if (n->type == YNODE_SCALAR && n->plain && !strcmp(n->value, "all")) {
		*all = 1;
		node_pos(ld, n, &list->pos);
		return;
	}
	load_string_list(ld, k, list, n);
}

static void load_expiry(const struct loader *ld, const struct schema_key *k, void *field,
			const struct ynode *n)
{
	struct cfg_expiry *e = field;
	struct strbuf why = STRBUF_INIT;
	int durations_only = k->type == KEY_DURATION;

	if (!is_string(n)) {
		type_error(ld, n, k->name,
			   durations_only ? "an ISO-8601 duration"
					  : "an ISO-8601 duration, a date or never");
		return;
	}
	e->set = 1;
	e->text = xstrdup(n->value);
	e->approx_seconds = 0;
	node_pos(ld, n, &e->pos);
	if (!durations_only && !strcmp(n->value, "never")) {
		e->kind = EXPIRY_NEVER;
	} else if (n->value[0] == 'P') {
		e->kind = EXPIRY_DURATION;
		if (check_duration(n->value, &e->approx_seconds, &why))
			error_at(ld, n, "invalid ISO-8601 duration '%s' for '%s': %s", n->value,
				 k->name, why.buf);
	} else if (!durations_only && n->len >= 5 && strspn(n->value, "0123456789") == 4 &&
		   n->value[4] == '-') {
		e->kind = EXPIRY_DATE;
		if (check_date(n->value, &why))
			error_at(ld, n, "invalid date '%s' for '%s': %s", n->value, k->name,
				 why.buf);
	} else if (durations_only) {
		error_at(ld, n,
			 "invalid '%s' value '%s': expected an ISO-8601 duration such as P14D",
			 k->name, n->value);
	} else {
		error_at(ld, n,
			 "invalid '%s' value '%s': expected an ISO-8601 duration (P90D), a date "
			 "(YYYY-MM-DD) or never",
			 k->name, n->value);
	}
	strbuf_release(&why);
}

static void load_lint_levels(const struct loader *ld, const struct schema_key *k, void *field,
			     const struct ynode *n);
static void load_mapping(const struct loader *ld, const struct key_table *table, void *obj,
			 const struct ynode *n, const char *key);

static void load_list(const struct loader *ld, const struct schema_key *k, void *owner,
		      const struct ynode *n)
{
	size_t i;

	if (n->type != YNODE_SEQUENCE) {
		type_error(ld, n, k->name, "a list");
		return;
	}
	for (i = 0; i < n->nr; i++) {
		const struct ynode *item = n->items[i];

		if (item->type != YNODE_MAPPING) {
			item_type_error(ld, item, k->name, "mappings");
			continue;
		}
		load_mapping(ld, k->child, k->append(owner), item, k->name);
	}
}

static int section_is_set(const struct key_table *table, const void *obj)
{
	const struct src_pos *pos = (const struct src_pos *)((const char *)obj + table->pos_offset);

	return pos->line != 0;
}

static void load_key(const struct loader *ld, const struct schema_key *k, void *obj,
		     const struct ynode *key, const struct ynode *value)
{
	void *field = (char *)obj + k->offset;

	switch (k->type) {
	case KEY_STRING:
		load_string(ld, k, field, value);
		break;
	case KEY_BOOL:
		load_bool(ld, k, field, value);
		break;
	case KEY_INT:
		load_int(ld, k, field, value);
		break;
	case KEY_ENUM:
		load_enum(ld, k, field, value);
		break;
	case KEY_STRING_LIST:
		load_string_list(ld, k, field, value);
		break;
	case KEY_ALL_OR_LIST:
		load_all_or_list(ld, k, obj, value);
		break;
	case KEY_EXPIRY:
	case KEY_DURATION:
		load_expiry(ld, k, field, value);
		break;
	case KEY_MAPPING:
		if (value->type == YNODE_MAPPING && !(k->flags & KEY_REPEATABLE) &&
		    section_is_set(k->child, field)) {
			const struct src_pos *first =
			    (const struct src_pos *)((char *)field + k->child->pos_offset);

			duplicate_error(ld, key, "section", k->name, first);
			break;
		}
		load_mapping(ld, k->child, field, value, k->name);
		break;
	case KEY_LIST:
		load_list(ld, k, obj, value);
		break;
	case KEY_LINT_LEVELS:
		load_lint_levels(ld, k, field, value);
		break;
	}
}

static void unknown_key(const struct loader *ld, const struct key_table *table,
			const struct ynode *key)
{
	const char *names[32], *close;
	size_t i;

	for (i = 0; i < table->nr && i < ARRAY_SIZE(names); i++)
		names[i] = table->keys[i].name;
	close = suggest_closest(key->value, names, i);
	if (!strcmp(key->value, "<<"))
		error_at(ld, key, "YAML merge keys ('<<') are not supported");
	else if (close)
		error_at(ld, key, "unknown key '%s' in %s; did you mean '%s'?", key->value,
			 table->what, close);
	else
		error_at(ld, key, "unknown key '%s' in %s", key->value, table->what);
}

/* The first key spelled as map's i-th key, or NULL (`seen` indexes large mappings). */
static const struct ynode *earlier_key(const struct ynode *map, size_t i, struct name_index *seen)
{
	const struct ynode *key = map->items[2 * i];
	size_t j;

	if (map->nr / 2 > SMALL_COLLECTION) {
		struct src_pos pos = {NULL, key->line, key->col};
		const struct name_index_entry *e = name_index_add(seen, key->value, &pos, key);

		return e ? e->item : NULL;
	}
	for (j = 0; j < i; j++) {
		const struct ynode *other = map->items[2 * j];

		if (is_string(other) && !strcmp(other->value, key->value))
			return other;
	}
	return NULL;
}

static int key_is_present(const struct ynode *map, const char *name)
{
	size_t i;

	for (i = 0; i + 1 < map->nr; i += 2)
		if (map->items[i]->type == YNODE_SCALAR && !strcmp(map->items[i]->value, name))
			return 1;
	return 0;
}

/* Where a key's value keeps its position in the model; NULL for lists of mappings. */
static struct src_pos *field_pos(const struct schema_key *k, void *obj)
{
	char *field = (char *)obj + k->offset;

	switch (k->type) {
	case KEY_STRING:
		return &((struct cfg_str *)field)->pos;
	case KEY_BOOL:
		return &((struct cfg_bool *)field)->pos;
	case KEY_INT:
		return &((struct cfg_int *)field)->pos;
	case KEY_ENUM:
		return &((struct cfg_enum *)field)->pos;
	case KEY_STRING_LIST:
	case KEY_ALL_OR_LIST:
		return &((struct cfg_str_list *)field)->pos;
	case KEY_EXPIRY:
	case KEY_DURATION:
		return &((struct cfg_expiry *)field)->pos;
	case KEY_MAPPING:
		return (struct src_pos *)(field + k->child->pos_offset);
	case KEY_LIST:
	case KEY_LINT_LEVELS:
		break;
	}
	return NULL;
}

/*
 * Values the files do not set keep the position of the mapping that would
 * hold them (config.h), so that a plan or lint about a default can point
 * somewhere. `map` NULL: nothing in this table was written.
 */
static void fill_unset_positions(const struct key_table *table, void *obj,
				 const struct src_pos *where, const struct ynode *map)
{
	size_t i;

	for (i = 0; i < table->nr; i++) {
		const struct schema_key *k = &table->keys[i];
		struct src_pos *pos = field_pos(k, obj);

		if (!pos || pos->line || (map && key_is_present(map, k->name)))
			continue;
		*pos = *where;
		if (k->type == KEY_MAPPING)
			fill_unset_positions(k->child, (char *)obj + k->offset, where, NULL);
	}
}

static void load_mapping(const struct loader *ld, const struct key_table *table, void *obj,
			 const struct ynode *n, const char *key)
{
	struct name_index seen = NAME_INDEX_INIT(0);
	size_t i, pairs;

	if (n->type != YNODE_MAPPING) {
		if (key)
			type_error(ld, n, key, "a mapping");
		else
			error_at(ld, n,
				 "the top level of a configuration file must be a "
				 "mapping (tenant:, partners:, ...), not %s",
				 n->type == YNODE_SEQUENCE ? "a list" : "a single value");
		return;
	}
	if (table->pos_offset != NO_OFFSET) {
		struct src_pos *pos = (struct src_pos *)((char *)obj + table->pos_offset);

		if (!pos->line)
			node_pos(ld, n, pos);
	}
	if (table->set_offset != NO_OFFSET)
		*(int *)((char *)obj + table->set_offset) = 1;
	pairs = n->nr / 2;
	for (i = 0; i < pairs; i++) {
		const struct ynode *k = n->items[2 * i], *v = n->items[2 * i + 1];
		const struct schema_key *sk;
		const struct ynode *first;

		if (!is_string(k)) {
			error_at(ld, k, "a key in %s must be a plain name, not %s", table->what,
				 k->type == YNODE_SCALAR ? "empty" : "a list or mapping");
			continue;
		}
		first = earlier_key(n, i, &seen);
		if (first) {
			struct src_pos fpos;

			node_pos(ld, first, &fpos);
			duplicate_error(ld, k, "key", k->value, &fpos);
			continue;
		}
		sk = key_table_find(table, k->value);
		if (!sk) {
			unknown_key(ld, table, k);
			continue;
		}
		load_key(ld, sk, obj, k, v);
	}
	name_index_release(&seen);
	if (table->pos_offset != NO_OFFSET) {
		struct src_pos where;

		node_pos(ld, n, &where);
		fill_unset_positions(table, obj, &where, n);
	}
	for (i = 0; i < table->nr; i++)
		if ((table->keys[i].flags & KEY_REQUIRED) &&
		    !key_is_present(n, table->keys[i].name))
			error_at(ld, n, "%s is missing required key '%s'", table->what,
				 table->keys[i].name);
}

static void load_lint_levels(const struct loader *ld, const struct schema_key *k, void *field,
			     const struct ynode *n)
{
	struct cfg_settings *settings =
	    (struct cfg_settings *)((char *)field - offsetof(struct cfg_settings, lint));
	struct name_index seen = NAME_INDEX_INIT(0);
	size_t i;

	if (n->type != YNODE_MAPPING) {
		type_error(ld, n, k->name, "a mapping of rule ids to off, info, warning or error");
		return;
	}
	for (i = 0; i < n->nr / 2; i++) {
		const struct ynode *rule = n->items[2 * i], *level = n->items[2 * i + 1];
		struct cfg_lint_override *o;
		const char *p;
		const struct ynode *first;
		int v;

		if (!is_string(rule)) {
			error_at(ld, rule, "a lint rule id must be a plain name");
			continue;
		}
		for (p = rule->value; *p; p++)
			if (!(*p >= 'a' && *p <= 'z') && !(*p >= '0' && *p <= '9') && *p != '-')
				break;
		if (*p) {
			error_at(ld, rule,
				 "invalid lint rule id '%s' (lowercase letters, digits and '-')",
				 rule->value);
			continue;
		}
		first = earlier_key(n, i, &seen);
		if (first) {
			struct src_pos fpos;

			node_pos(ld, first, &fpos);
			duplicate_error(ld, rule, "key", rule->value, &fpos);
			continue;
		}
		if (!is_string(level)) {
			type_error(ld, level, rule->value, "off, info, warning or error");
			continue;
		}
		v = enum_table_lookup(&enum_lint_level, level->value);
		if (v < 0) {
			unknown_value(ld, level, rule->value, &enum_lint_level);
			continue;
		}
		ALLOC_GROW(settings->lint, settings->lint_nr + 1, settings->lint_alloc);
		o = &settings->lint[settings->lint_nr++];
		o->rule = xstrdup(rule->value);
		o->level = (enum lint_level)v;
		node_pos(ld, rule, &o->pos);
	}
	name_index_release(&seen);
}

/* --- files --- */

static int has_yaml_suffix(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && !strcmp(name + n - 5, ".yaml")) ||
	       (n > 4 && !strcmp(name + n - 4, ".yml"));
}

struct name_list {
	char **items;
	size_t nr, alloc;
};

static char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir);

	if (!strcmp(dir, "."))
		return xstrdup(name);
	return xstrfmt("%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
}

static void list_dir(const char *dir, struct name_list *out, int depth)
{
	DIR *d;
	struct dirent *de;

	if (depth > CONFIG_MAX_DIR_DEPTH || !(d = opendir(dir)))
		return;
	while ((de = readdir(d))) {
		struct stat st;
		char *path;

		if (de->d_name[0] == '.')
			continue;
		path = path_join(dir, de->d_name);
		if (lstat(path, &st)) {
			free(path);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			list_dir(path, out, depth + 1);
			free(path);
		} else if (has_yaml_suffix(de->d_name) && !stat(path, &st) && S_ISREG(st.st_mode)) {
			ALLOC_GROW(out->items, out->nr + 1, out->alloc);
			out->items[out->nr++] = path;
		} else {
			free(path);
		}
	}
	closedir(d);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int fs_list(void *ctx, const char *path, char ***names, size_t *nr)
{
	struct name_list list = {NULL, 0, 0};
	struct stat st;

	(void)ctx;
	if (stat(path, &st)) {
		b2b_error_set("%s", strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		list_dir(path, &list, 0);
		if (list.nr)
			qsort(list.items, list.nr, sizeof(*list.items), compare_names);
	} else {
		ALLOC_GROW(list.items, 1, list.alloc);
		list.items[list.nr++] = xstrdup(path);
	}
	*names = list.items;
	*nr = list.nr;
	return 0;
}

static int fs_read(void *ctx, const char *name, char **data, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;

	(void)ctx;
	if (strbuf_read_file(&sb, name, CONFIG_MAX_FILE_SIZE)) {
		if (errno == EFBIG)
			b2b_error_set("the file is larger than 10 MiB");
		else
			b2b_error_set("%s", strerror(errno));
		strbuf_release(&sb);
		return -1;
	}
	*data = strbuf_detach(&sb, len);
	return 0;
}

static const struct config_source filesystem_source = {fs_list, fs_read, NULL};

struct file_bytes {
	const char *name;
	char *data;
	size_t len;
};

static int compare_file_bytes(const void *a, const void *b)
{
	return strcmp(((const struct file_bytes *)a)->name, ((const struct file_bytes *)b)->name);
}

static int libgit2_ready;

/* SHA-1 (as a git blob) over every file's name, length and bytes, in name order. */
static char *config_hash(struct file_bytes *files, size_t nr)
{
	struct strbuf all = STRBUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];
	git_oid oid;
	size_t i, total = 0;

	if (nr)
		qsort(files, nr, sizeof(*files), compare_file_bytes);
	for (i = 0; i < nr; i++) /* one buffer of the final size: 100,000 guests are 12 MB */
		total += strlen(files[i].name) + files[i].len + 24;
	strbuf_grow(&all, total);
	for (i = 0; i < nr; i++) {
		strbuf_addf(&all, "%s%c%zu%c", files[i].name, 0, files[i].len, 0);
		strbuf_add(&all, files[i].data, files[i].len);
	}
	if (!libgit2_ready) {
		/* once per process: libgit2's set-up (TLS certificates) is costly */
		git_libgit2_init();
		libgit2_ready = 1;
	}
	if (git_odb_hash(&oid, all.buf, all.len, GIT_OBJECT_BLOB))
		xalloc_die("cannot hash the configuration");
	git_oid_tostr(hex, sizeof(hex), &oid);
	strbuf_release(&all);
	return xstrdup(hex);
}

static void load_file(struct loader *ld, const char *data, size_t len)
{
	struct yaml_tree tree;

	if (yaml_tree_parse(&tree, ld->file, data, len, ld->diags)) {
		ld->unreadable++;
		return;
	}
	if (tree.root && tree.root->type != YNODE_MAPPING && !ynode_is_null(tree.root))
		ld->unreadable++;
	if (tree.root && !ynode_is_null(tree.root))
		load_mapping(ld, &config_keys, ld->cfg, tree.root, NULL);
	yaml_tree_release(&tree);
}

static int file_is_loaded(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->files_nr; i++)
		if (!strcmp(cfg->files[i], name))
			return 1;
	return 0;
}

struct diag_order {
	const struct diag *diag;
	size_t index;
};

static int compare_diag_order(const void *a, const void *b)
{
	const struct diag_order *x = a, *y = b;
	int c;

	if (!x->diag->file != !y->diag->file)
		return x->diag->file ? 1 : -1;
	if (x->diag->file && (c = strcmp(x->diag->file, y->diag->file)))
		return c;
	if (x->diag->line != y->diag->line)
		return x->diag->line < y->diag->line ? -1 : 1;
	if (x->diag->col != y->diag->col)
		return x->diag->col < y->diag->col ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * diag_sort() is an insertion sort, quadratic on hostile input with many
 * problems; it is linear on a list that is already in its order.
 */
static void diags_presort(struct diag_list *list)
{
	struct diag_order *order;
	struct diag *sorted;
	size_t i;

	if (list->nr < 2)
		return;
	order = xmalloc(list->nr * sizeof(*order));
	sorted = xmalloc(list->nr * sizeof(*sorted));
	for (i = 0; i < list->nr; i++) {
		order[i].diag = &list->items[i];
		order[i].index = i;
	}
	qsort(order, list->nr, sizeof(*order), compare_diag_order);
	for (i = 0; i < list->nr; i++)
		sorted[i] = *order[i].diag;
	memcpy(list->items, sorted, list->nr * sizeof(*sorted));
	free(sorted);
	free(order);
}

struct config *config_load(const char *const *paths, size_t paths_nr,
			   const struct config_source *source, struct diag_list *diags)
{
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	struct loader ld = {cfg, diags, NULL, 0};
	struct file_bytes *bytes = NULL;
	size_t bytes_nr = 0, bytes_alloc = 0, p, i;

	if (!source)
		source = &filesystem_source;
	for (p = 0; p < paths_nr; p++) {
		char **names = NULL;
		size_t names_nr = 0;

		if (source->list(source->ctx, paths[p], &names, &names_nr)) {
			diag_error(diags, NULL, "cannot read '%s': %s", paths[p], b2b_error_last());
			continue;
		}
		if (!names_nr)
			diag_error(diags, NULL, "no configuration files (*.yaml, *.yml) under '%s'",
				   paths[p]);
		for (i = 0; i < names_nr; i++) {
			struct src_pos pos = {NULL, 1, 1};
			char *data = NULL;
			size_t len = 0;

			if (file_is_loaded(cfg, names[i])) {
				free(names[i]);
				continue;
			}
			ALLOC_GROW(cfg->files, cfg->files_nr + 1, cfg->files_alloc);
			cfg->files[cfg->files_nr++] = names[i];
			pos.file = names[i];
			if (source->read(source->ctx, names[i], &data, &len)) {
				diag_error(diags, &pos, "cannot read the file: %s",
					   b2b_error_last());
				ld.unreadable++;
				continue;
			}
			if (len > CONFIG_MAX_FILE_SIZE) {
				diag_error(diags, &pos, "cannot read the file: %s",
					   "the file is larger than 10 MiB");
				ld.unreadable++;
				free(data);
				continue;
			}
			ld.file = names[i];
			load_file(&ld, data, len);
			ALLOC_GROW(bytes, bytes_nr + 1, bytes_alloc);
			bytes[bytes_nr].name = names[i];
			bytes[bytes_nr].data = data;
			bytes[bytes_nr].len = len;
			bytes_nr++;
		}
		free(names);
	}
	cfg->hash = config_hash(bytes, bytes_nr);
	for (i = 0; i < bytes_nr; i++)
		free(bytes[i].data);
	free(bytes);
	config_validate(cfg, ld.unreadable == 0, diags);
	diags_presort(diags);
	diag_sort(diags);
	return cfg;
}

static void str_list_release(struct cfg_str_list *list)
{
	size_t i;

	for (i = 0; i < list->nr; i++)
		free(list->items[i].value);
	free(list->items);
}

static void partner_release(struct cfg_partner *p)
{
	size_t i;

	free(p->name.value);
	free(p->display_name.value);
	str_list_release(&p->domains);
	free(p->tenant_id.value);
	str_list_release(&p->guest_groups);
	for (i = 0; i < p->guests_nr; i++) {
		free(p->guests[i].email.value);
		free(p->guests[i].display_name.value);
		str_list_release(&p->guests[i].groups);
	}
	free(p->guests);
}

static void ca_policy_release(struct cfg_ca_policy *p)
{
	free(p->name.value);
	str_list_release(&p->guest_types);
	str_list_release(&p->partners);
	str_list_release(&p->exclude_groups);
	str_list_release(&p->applications);
	str_list_release(&p->require);
}

static void access_package_release(struct cfg_access_package *ap)
{
	size_t i;

	free(ap->name.value);
	free(ap->catalog.value);
	free(ap->description.value);
	str_list_release(&ap->groups);
	for (i = 0; i < ap->policies_nr; i++) {
		struct cfg_access_package_policy *pol = &ap->policies[i];

		free(pol->name.value);
		str_list_release(&pol->partners);
		str_list_release(&pol->approvers);
		free(pol->expiry.text);
	}
	free(ap->policies);
}

void config_free(struct config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	free(cfg->tenant_id.value);
	str_list_release(&cfg->external_collaboration.collaboration_restrictions.allow_domains);
	str_list_release(&cfg->external_collaboration.collaboration_restrictions.block_domains);
	free(cfg->invitations.redirect_url.value);
	free(cfg->invitations.message.value);
	free(cfg->invitations.resend_pending_after.text);
	for (i = 0; i < cfg->partners_nr; i++)
		partner_release(&cfg->partners[i]);
	free(cfg->partners);
	for (i = 0; i < cfg->groups_nr; i++) {
		free(cfg->groups[i].name.value);
		free(cfg->groups[i].description.value);
		str_list_release(&cfg->groups[i].members);
	}
	free(cfg->groups);
	free(cfg->conditional_access.name_prefix.value);
	for (i = 0; i < cfg->conditional_access.policies_nr; i++)
		ca_policy_release(&cfg->conditional_access.policies[i]);
	free(cfg->conditional_access.policies);
	for (i = 0; i < cfg->access_packages_nr; i++)
		access_package_release(&cfg->access_packages[i]);
	free(cfg->access_packages);
	for (i = 0; i < cfg->settings.lint_nr; i++)
		free(cfg->settings.lint[i].rule);
	free(cfg->settings.lint);
	for (i = 0; i < cfg->files_nr; i++)
		free(cfg->files[i]);
	free(cfg->files);
	free(cfg->hash);
	free(cfg);
}

const struct cfg_partner *config_find_partner(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->partners_nr; i++)
		if (cfg->partners[i].name.value && !strcmp(cfg->partners[i].name.value, name))
			return &cfg->partners[i];
	return NULL;
}

const struct cfg_group *config_find_group(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->groups_nr; i++)
		if (cfg->groups[i].name.value && !strcmp(cfg->groups[i].name.value, name))
			return &cfg->groups[i];
	return NULL;
}
