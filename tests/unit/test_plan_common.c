/*
 * Unit tests for what the plan, drift and snapshot commands share: atomic
 * 0600 writes, the colour decision, and the checks on the tenant options.
 */
#define _XOPEN_SOURCE 600 /* posix_openpt */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cmd/common.h"
#include "schema/base/strbuf.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t entries_in(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	if (d)
		closedir(d);
	return n;
}

static void test_write_file_atomic(void **state)
{
	char dir[] = "/tmp/test_plan_common.XXXXXX";
	struct strbuf path = STRBUF_INIT, content = STRBUF_INIT;
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	strbuf_addf(&path, "%s/saved.plan", dir);

	assert_int_equal(write_file_atomic(path.buf, "first", 5, 0600), 0);
	assert_int_equal(stat(path.buf, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(write_file_atomic(path.buf, "second", 6, 0600), 0);
	assert_int_equal(strbuf_read_file(&content, path.buf, 100), 0);
	assert_string_equal(content.buf, "second");
	assert_int_equal(entries_in(dir), 1);

	strbuf_reset(&path);
	strbuf_addf(&path, "%s/missing/saved.plan", dir);
	assert_int_equal(write_file_atomic(path.buf, "x", 1, 0600), -1);
	assert_non_null(strstr(b2b_error_last(), "missing/saved.plan"));
	assert_int_equal(entries_in(dir), 1);

	strbuf_reset(&path);
	strbuf_addf(&path, "%s/saved.plan", dir);
	unlink(path.buf);
	rmdir(dir);
	strbuf_release(&path);
	strbuf_release(&content);
}

/* A terminal to write to: the replica side of a new pseudo-terminal; NULL when there is none. */
static FILE *open_terminal(int *primary)
{
	const char *name;
	int fd;

	*primary = posix_openpt(O_RDWR | O_NOCTTY);
	if (*primary < 0 || grantpt(*primary) || unlockpt(*primary) || !(name = ptsname(*primary)))
		return NULL;
	fd = open(name, O_RDWR | O_NOCTTY);
	return fd < 0 ? NULL : fdopen(fd, "w");
}

static void test_use_color(void **state)
{
	struct tenant_args ta = TENANT_ARGS_INIT;
	FILE *file = tmpfile(), *tty;
	int primary = -1;

	(void)state;
	unsetenv("NO_COLOR");
	assert_int_equal(use_color(&ta, file), 0);
	fclose(file);
	tty = open_terminal(&primary);
	if (!tty) {
		if (primary >= 0)
			close(primary);
		skip();
	}
	assert_int_equal(use_color(&ta, tty), 1);
	setenv("NO_COLOR", "1", 1);
	assert_int_equal(use_color(&ta, tty), 0);
	setenv("NO_COLOR", "", 1); /* empty means unset, as no-color.org says */
	assert_int_equal(use_color(&ta, tty), 1);
	unsetenv("NO_COLOR");
	ta.no_color = 1;
	assert_int_equal(use_color(&ta, tty), 0);
	fclose(tty);
	close(primary);
}

static void test_tenant_args_check(void **state)
{
	struct tenant_args ta = TENANT_ARGS_INIT;

	(void)state;
	assert_int_equal(tenant_args_check(&ta, "plan"), 0);
	ta.progress = "always";
	ta.cloud = "usgov-dod";
	ta.parallelism = 16;
	assert_int_equal(tenant_args_check(&ta, "plan"), 0);
	ta.progress = "sometimes";
	assert_int_equal(tenant_args_check(&ta, "plan"), -1);
	ta.progress = NULL;
	ta.cloud = "mars";
	assert_int_equal(tenant_args_check(&ta, "plan"), -1);
	ta.cloud = NULL;
	ta.parallelism = 1000;
	assert_int_equal(tenant_args_check(&ta, "plan"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_write_file_atomic),
	    cmocka_unit_test(test_use_color),
	    cmocka_unit_test(test_tenant_args_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
