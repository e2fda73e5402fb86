/*
 * Unit tests of snapshot_parse: a large snapshot is cut at the element
 * boundary of its largest array that gives two threads as many bytes, and
 * parsed into exactly what jansson makes of the whole text, strings that hold
 * brackets, quotes and escapes included; invalid text gets jansson's own
 * error, line and column; documents it cannot cut safely (a key given twice,
 * an escaped key, a small array) are parsed whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "reconcile/tenant/snapshot_parse.h"
#include "schema/base/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Enough users for the users array to pass the 4 MB below which nothing is cut. */
#define USERS 32000

/*
 * A snapshot whose users hold strings with brackets, braces, commas, escaped
 * quotes and backslashes, between `before` and `after` (top-level members,
 * each with its leading or trailing comma).
 */
static void snapshot_text(struct strbuf *sb, const char *before, const char *after)
{
	size_t i;

	strbuf_addstr(sb, "{\"format\": \"b2bctl-snapshot/1\"");
	strbuf_addstr(sb, before);
	strbuf_addstr(sb, ",\n  \"users\": [\n");
	for (i = 0; i < USERS; i++)
		strbuf_addf(sb,
			    "%s    {\"id\": \"u-%06zu\", \"displayName\": \"User ]}, {\\\"%zu\\\" "
			    "\\\\\", \"otherMails\": [\"a%zu@x.example\", \"[{\\u0041}]\"], "
			    "\"accountEnabled\": %s, \"age\": %zu, \"note\": null}",
			    i ? ",\n" : "", i, i, i, i % 2 ? "true" : "false", i);
	strbuf_addstr(sb, "\n  ]");
	strbuf_addstr(sb, after);
	strbuf_addstr(sb, "}\n");
}

static void assert_parses_as_jansson(const struct strbuf *sb)
{
	json_error_t err;
	json_t *whole = json_loadb(sb->buf, sb->len, 0, &err), *split;

	assert_non_null(whole);
	split = snapshot_parse_buffer(sb->buf, sb->len, &err);
	assert_non_null(split);
	assert_true(json_equal(whole, split));
	json_decref(whole);
	json_decref(split);
}

static void test_cut_near_the_middle_parses_as_whole(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	size_t first_end, second;
	json_t *value;
	json_error_t err;

	(void)state;
	snapshot_text(&sb, ", \"groups\": [{\"id\": \"g\", \"members\": [\"u-000001\"]}]",
		      ", \"tenantId\": \"t\"");
	assert_true(snapshot_parse_cut(sb.buf, sb.len, &first_end, &second));
	/* the first half ends one user, the second starts the next */
	assert_int_equal(sb.buf[first_end - 1], '}');
	assert_memory_equal(sb.buf + second, "{\"id\": \"u-", 10);
	assert_true(first_end > sb.len / 3 && second < 2 * sb.len / 3);
	assert_parses_as_jansson(&sb);

	value = snapshot_parse_buffer(sb.buf, sb.len, &err);
	assert_int_equal(json_array_size(json_object_get(value, "users")), USERS);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(value, "users"), USERS - 1), "id")),
			    "u-031999");
	json_decref(value);
	strbuf_release(&sb);
}

/* What lies outside the array goes with the first half: both halves get about as many bytes. */
static void test_halves_are_even(void **state)
{
	struct strbuf sb = STRBUF_INIT, padding = STRBUF_INIT;
	size_t first_end, second, first_bytes, second_bytes, users_end;

	(void)state;
	strbuf_addstr(&padding, ", \"padding\": \"");
	while (padding.len < (2u << 20))
		strbuf_addstr(&padding, "0123456789abcdef");
	strbuf_addch(&padding, '"');
	snapshot_text(&sb, padding.buf, "");
	assert_true(snapshot_parse_cut(sb.buf, sb.len, &first_end, &second));
	users_end = (size_t)(strstr(sb.buf, "\n  ]") - sb.buf) + 4;
	first_bytes = first_end + (sb.len - users_end);
	second_bytes = users_end - second;
	assert_true(first_bytes < second_bytes + sb.len / 50);
	assert_true(second_bytes < first_bytes + sb.len / 50);
	assert_parses_as_jansson(&sb);
	strbuf_release(&padding);
	strbuf_release(&sb);
}

/* Invalid text on either side of the cut: jansson's error for the whole text. */
static void test_errors_name_the_place_in_the_whole_text(void **state)
{
	const char *const breaks[] = {"\"age\": 100,", "\"age\": 20000,", NULL};
	const char *const *b;

	(void)state;
	for (b = breaks; *b; b++) {
		struct strbuf sb = STRBUF_INIT;
		json_error_t want, got;
		size_t first_end, second;
		char *at;

		snapshot_text(&sb, "", "");
		at = strstr(sb.buf, *b);
		assert_non_null(at);
		at[7] = 'x'; /* "age": x00 is not JSON */
		assert_true(snapshot_parse_cut(sb.buf, sb.len, &first_end, &second));
		assert_null(json_loadb(sb.buf, sb.len, 0, &want));
		assert_null(snapshot_parse_buffer(sb.buf, sb.len, &got));
		assert_string_equal(got.text, want.text);
		assert_int_equal(got.line, want.line);
		assert_int_equal(got.column, want.column);
		assert_int_equal(got.position, want.position);
		strbuf_release(&sb);
	}
}

static void test_trailing_text_is_an_error(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	json_error_t err;
	size_t first_end, second;

	(void)state;
	snapshot_text(&sb, "", "");
	strbuf_addstr(&sb, "{}");
	assert_false(snapshot_parse_cut(sb.buf, sb.len, &first_end, &second));
	assert_null(snapshot_parse_buffer(sb.buf, sb.len, &err));
	assert_non_null(strstr(err.text, "end of file expected"));
	strbuf_release(&sb);
}

/* jansson keeps the last of a key given twice: such a text is parsed whole. */
static void test_a_key_given_twice_is_not_cut(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	size_t first_end, second;
	json_error_t err;
	json_t *value;

	(void)state;
	snapshot_text(&sb, "", ", \"users\": [{\"id\": \"last\"}]");
	assert_false(snapshot_parse_cut(sb.buf, sb.len, &first_end, &second));
	value = snapshot_parse_buffer(sb.buf, sb.len, &err);
	assert_non_null(value);
	assert_int_equal(json_array_size(json_object_get(value, "users")), 1);
	json_decref(value);
	strbuf_release(&sb);
}

static void test_escaped_keys_and_small_arrays_are_not_cut(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	size_t first_end, second;

	(void)state;
	snapshot_text(&sb, ", \"\\u0075sers\": []", "");
	assert_false(snapshot_parse_cut(sb.buf, sb.len, &first_end, &second));
	assert_parses_as_jansson(&sb);
	strbuf_reset(&sb);

	strbuf_addstr(&sb, "{\"users\": [{\"id\": \"a\"}, {\"id\": \"b\"}]}");
	assert_false(snapshot_parse_cut(sb.buf, sb.len, &first_end, &second));
	assert_parses_as_jansson(&sb);
	strbuf_release(&sb);
}

static void test_file(void **state)
{
	char path[] = "/tmp/b2bctl-snapshot-parse-XXXXXX";
	struct strbuf sb = STRBUF_INIT;
	json_error_t err;
	json_t *value, *whole;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_null(snapshot_parse_file(path, &err)); /* empty */
	assert_non_null(strstr(err.text, "'[' or '{' expected"));

	snapshot_text(&sb, "", "");
	assert_int_equal(write(fd, sb.buf, sb.len), (ssize_t)sb.len);
	close(fd);
	value = snapshot_parse_file(path, &err);
	whole = json_loadb(sb.buf, sb.len, 0, &err);
	assert_non_null(value);
	assert_true(json_equal(value, whole));
	json_decref(value);
	json_decref(whole);

	unlink(path);
	assert_null(snapshot_parse_file(path, &err));
	assert_non_null(strstr(err.text, "unable to open"));
	assert_non_null(strstr(err.text, path));
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cut_near_the_middle_parses_as_whole),
	    cmocka_unit_test(test_halves_are_even),
	    cmocka_unit_test(test_errors_name_the_place_in_the_whole_text),
	    cmocka_unit_test(test_trailing_text_is_an_error),
	    cmocka_unit_test(test_a_key_given_twice_is_not_cut),
	    cmocka_unit_test(test_escaped_keys_and_small_arrays_are_not_cut),
	    cmocka_unit_test(test_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
