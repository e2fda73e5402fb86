/*
 * schema_memsource: a config_source over files held in memory, for the
 * schema unit tests. A test lists {name, text} pairs; "." lists them all,
 * any other path lists the names under it (or the one file it names).
 */
#ifndef B2B_SCHEMA_MEMSOURCE_H
#define B2B_SCHEMA_MEMSOURCE_H

#include "schema/config.h"
#include "schema/base/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct mem_file {
	const char *name;
	const char *text;
	size_t len; /* 0: strlen(text) */
};

struct mem_files {
	const struct mem_file *files;
	size_t nr;
};

static inline int mem_name_under(const char *name, const char *path)
{
	size_t n = strlen(path);

	if (!strcmp(path, "."))
		return 1;
	return !strcmp(name, path) || (!strncmp(name, path, n) && name[n] == '/');
}

static inline int mem_compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static inline int mem_list(void *ctx, const char *path, char ***names, size_t *nr)
{
	const struct mem_files *m = ctx;
	size_t i;

	*names = xcalloc(m->nr + 1, sizeof(**names));
	*nr = 0;
	for (i = 0; i < m->nr; i++)
		if (mem_name_under(m->files[i].name, path))
			(*names)[(*nr)++] = xstrdup(m->files[i].name);
	if (!*nr) {
		free(*names);
		*names = NULL;
		return b2b_error_set("No such file or directory");
	}
	qsort(*names, *nr, sizeof(**names), mem_compare);
	return 0;
}

static inline int mem_read(void *ctx, const char *name, char **data, size_t *len)
{
	const struct mem_files *m = ctx;
	size_t i;

	for (i = 0; i < m->nr; i++)
		if (!strcmp(m->files[i].name, name)) {
			*len = m->files[i].len ? m->files[i].len : strlen(m->files[i].text);
			*data = xmalloc(*len + 1);
			memcpy(*data, m->files[i].text, *len);
			(*data)[*len] = '\0';
			return 0;
		}
	return b2b_error_set("No such file or directory");
}

#endif
