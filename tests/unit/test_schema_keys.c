/*
 * Unit tests that keep the loader's key tables and b2bctl.schema.json in
 * step: every key the loader accepts is a property of the schema's
 * matching definition and the other way round, with the same type, enum
 * values and required keys; and `b2bctl schema` prints the file as it is.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "schema/keys.h"
#include "schema/base/strbuf.h"

#include <jansson.h>
#include <string.h>

static json_t *load_schema(void)
{
	json_error_t err;
	json_t *root = json_loadb(schema_json, schema_json_len, 0, &err);

	if (!root)
		fail_msg("b2bctl.schema.json: %d:%d: %s", err.line, err.column, err.text);
	return root;
}

/* Follows "$ref": "#/$defs/NAME" once. */
static json_t *resolve(json_t *root, json_t *node)
{
	const char *ref = json_string_value(json_object_get(node, "$ref"));

	if (!ref)
		return node;
	assert_true(!strncmp(ref, "#/$defs/", 8));
	node = json_object_get(json_object_get(root, "$defs"), ref + 8);
	assert_non_null(node);
	return node;
}

static void assert_enum_matches(json_t *values, const struct enum_table *table, const char *where)
{
	size_t i;

	if (!json_is_array(values) || json_array_size(values) != table->nr)
		fail_msg("%s: enum differs from the loader's %s", where, table->name);
	for (i = 0; i < table->nr; i++)
		if (strcmp(json_string_value(json_array_get(values, i)), table->values[i]))
			fail_msg("%s: enum value %zu is '%s', the loader has '%s'", where, i,
				 json_string_value(json_array_get(values, i)), table->values[i]);
}

static const char *schema_type_of(json_t *prop)
{
	return json_string_value(json_object_get(prop, "type"));
}

static void check_table(json_t *root, const struct key_table *table, json_t *def, int *tables)
{
	json_t *props = json_object_get(def, "properties"), *required, *prop;
	const char *name;
	size_t i;

	(*tables)++;
	if (!json_is_object(props))
		fail_msg("schema definition '%s' has no properties", table->name);
	if (json_object_get(def, "additionalProperties") != json_false())
		fail_msg("schema definition '%s' must set additionalProperties: false",
			 table->name);
	json_object_foreach(props, name, prop)
	{
		if (!key_table_find(table, name))
			fail_msg("schema property '%s' in '%s' is not a key the loader accepts",
				 name, table->name);
	}
	required = json_object_get(def, "required");
	for (i = 0; i < table->nr; i++) {
		const struct schema_key *k = &table->keys[i];
		json_t *p = json_object_get(props, k->name), *target;
		int in_required = 0;
		size_t r;

		if (!p)
			fail_msg("loader key '%s' in '%s' is missing from the schema", k->name,
				 table->name);
		for (r = 0; r < json_array_size(required); r++)
			if (!strcmp(json_string_value(json_array_get(required, r)), k->name))
				in_required = 1;
		if (in_required != !!(k->flags & KEY_REQUIRED))
			fail_msg("'%s' in '%s': required differs between schema and loader",
				 k->name, table->name);
		target = resolve(root, p);
		switch (k->type) {
		case KEY_BOOL:
			assert_string_equal(schema_type_of(target), "boolean");
			break;
		case KEY_INT:
			assert_string_equal(schema_type_of(target), "integer");
			assert_int_equal(json_integer_value(json_object_get(target, "minimum")),
					 k->min);
			break;
		case KEY_STRING:
			assert_string_equal(schema_type_of(target), "string");
			break;
		case KEY_ENUM:
			assert_enum_matches(json_object_get(target, "enum"), k->enum_values,
					    k->name);
			break;
		case KEY_STRING_LIST:
			assert_string_equal(schema_type_of(target), "array");
			if (k->enum_values)
				assert_enum_matches(
				    json_object_get(json_object_get(target, "items"), "enum"),
				    k->enum_values, k->name);
			break;
		case KEY_ALL_OR_LIST:
			assert_string_equal(
			    json_string_value(json_object_get(
				json_array_get(json_object_get(target, "oneOf"), 0), "const")),
			    "all");
			break;
		case KEY_EXPIRY:
			assert_non_null(json_object_get(target, "anyOf"));
			break;
		case KEY_DURATION:
			assert_non_null(json_object_get(target, "pattern"));
			break;
		case KEY_MAPPING:
			assert_string_equal(schema_type_of(target), "object");
			assert_ptr_equal(target, json_object_get(json_object_get(root, "$defs"),
								 k->child->name));
			check_table(root, k->child, target, tables);
			break;
		case KEY_LIST:
			assert_string_equal(schema_type_of(target), "array");
			target = resolve(root, json_object_get(target, "items"));
			assert_ptr_equal(target, json_object_get(json_object_get(root, "$defs"),
								 k->child->name));
			check_table(root, k->child, target, tables);
			break;
		case KEY_LINT_LEVELS:
			assert_enum_matches(
			    json_object_get(json_object_get(target, "additionalProperties"),
					    "enum"),
			    &enum_lint_level, k->name);
			break;
		}
	}
}

static void test_schema_and_loader_agree(void **state)
{
	json_t *root = load_schema();
	int tables = 0;

	(void)state;
	assert_string_equal(json_string_value(json_object_get(root, "$schema")),
			    "https://json-schema.org/draft/2020-12/schema");
	check_table(root, &config_keys, root, &tables);
	assert_int_equal(tables, 14);
	json_decref(root);
}

static void test_compiled_schema_is_the_file(void **state)
{
	struct strbuf file = STRBUF_INIT;

	(void)state;
	assert_int_equal(strbuf_read_file(&file, TEST_SOURCE_DIR "/schema/b2bctl.schema.json", 0),
			 0);
	assert_int_equal(file.len, schema_json_len);
	assert_memory_equal(file.buf, schema_json, file.len);
	strbuf_release(&file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_schema_and_loader_agree),
	    cmocka_unit_test(test_compiled_schema_is_the_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
