/*
 * diag: positioned diagnostics and the last error. See diag.h.
 */
#include "diag.h"
#include "json_memory.h"
#include "strbuf.h"
#include "xalloc.h"

#include <jansson.h>
#include <stdarg.h>
#include <string.h>

static void diag_vadd(struct diag_list *list, enum diag_severity severity, const char *rule,
		      const struct src_pos *pos, const char *fmt, va_list ap)
{
	struct strbuf msg = STRBUF_INIT;
	struct diag *d;

	strbuf_vaddf(&msg, fmt, ap);
	ALLOC_GROW(list->items, list->nr + 1, list->alloc);
	d = &list->items[list->nr++];
	d->severity = severity;
	d->rule = rule ? xstrdup(rule) : NULL;
	d->file = pos && pos->file ? xstrdup(pos->file) : NULL;
	d->line = pos ? pos->line : 0;
	d->col = pos ? pos->col : 0;
	d->message = strbuf_detach(&msg, NULL);
}

void diag_add(struct diag_list *list, enum diag_severity severity, const char *rule,
	      const struct src_pos *pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(list, severity, rule, pos, fmt, ap);
	va_end(ap);
}

void diag_error(struct diag_list *list, const struct src_pos *pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(list, DIAG_ERROR, NULL, pos, fmt, ap);
	va_end(ap);
}

size_t diag_count(const struct diag_list *list, enum diag_severity severity)
{
	size_t i, n = 0;

	for (i = 0; i < list->nr; i++)
		if (list->items[i].severity == severity)
			n++;
	return n;
}

static int diag_before(const struct diag *a, const struct diag *b)
{
	int c;

	if (!a->file || !b->file)
		return a->file == NULL && b->file != NULL;
	c = strcmp(a->file, b->file);
	if (c)
		return c < 0;
	if (a->line != b->line)
		return a->line < b->line;
	return a->col < b->col;
}

void diag_sort(struct diag_list *list)
{
	size_t i, j;

	/* insertion sort: stable, and lists are short */
	for (i = 1; i < list->nr; i++) {
		struct diag tmp = list->items[i];

		for (j = i; j > 0 && diag_before(&tmp, &list->items[j - 1]); j--)
			list->items[j] = list->items[j - 1];
		list->items[j] = tmp;
	}
}

void diag_list_take(struct diag_list *to, struct diag_list *from)
{
	if (from->nr) {
		ALLOC_GROW(to->items, to->nr + from->nr, to->alloc);
		memcpy(to->items + to->nr, from->items, from->nr * sizeof(*from->items));
		to->nr += from->nr;
	}
	free(from->items);
	from->items = NULL;
	from->nr = from->alloc = 0;
}

void diag_list_release(struct diag_list *list)
{
	size_t i;

	for (i = 0; i < list->nr; i++) {
		free(list->items[i].rule);
		free(list->items[i].file);
		free(list->items[i].message);
	}
	free(list->items);
	list->items = NULL;
	list->nr = list->alloc = 0;
}

const char *diag_severity_name(enum diag_severity severity)
{
	switch (severity) {
	case DIAG_ERROR:
		return "error";
	case DIAG_WARNING:
		return "warning";
	case DIAG_INFO:
		return "info";
	}
	return "error";
}

void diag_print_text(FILE *out, const struct diag_list *list)
{
	size_t i;

	for (i = 0; i < list->nr; i++) {
		const struct diag *d = &list->items[i];

		if (d->file)
			fprintf(out, "%s:%u:%u: ", d->file, d->line, d->col);
		fprintf(out, "%s: %s", diag_severity_name(d->severity), d->message);
		if (d->rule)
			fprintf(out, " [%s]", d->rule);
		fputc('\n', out);
	}
}

/* Workflow commands: data escapes %, CR, LF; properties also : and , */
static void github_escape(FILE *out, const char *s, int property)
{
	for (; *s; s++) {
		switch (*s) {
		case '%':
			fputs("%25", out);
			break;
		case '\r':
			fputs("%0D", out);
			break;
		case '\n':
			fputs("%0A", out);
			break;
		case ':':
			fputs(property ? "%3A" : ":", out);
			break;
		case ',':
			fputs(property ? "%2C" : ",", out);
			break;
		default:
			fputc(*s, out);
		}
	}
}

void diag_print_github(FILE *out, const struct diag_list *list)
{
	size_t i;

	for (i = 0; i < list->nr; i++) {
		const struct diag *d = &list->items[i];
		const char *level = d->severity == DIAG_ERROR     ? "error"
				    : d->severity == DIAG_WARNING ? "warning"
								  : "notice";

		fprintf(out, "::%s", level);
		if (d->file) {
			fputs(" file=", out);
			github_escape(out, d->file, 1);
			fprintf(out, ",line=%u,col=%u", d->line, d->col);
		}
		if (d->rule) {
			fputs(d->file ? ",title=" : " title=", out);
			github_escape(out, d->rule, 1);
		}
		fputs("::", out);
		github_escape(out, d->message, 0);
		fputc('\n', out);
	}
}

void diag_print_json(FILE *out, const struct diag_list *list)
{
	json_t *root = json_object(), *arr = json_array();
	char *text;
	size_t i;

	for (i = 0; i < list->nr; i++) {
		const struct diag *d = &list->items[i];
		json_t *o = json_object();

		json_object_set_new(o, "severity", json_string(diag_severity_name(d->severity)));
		if (d->rule)
			json_object_set_new(o, "rule", json_string(d->rule));
		json_object_set_new(o, "file", d->file ? json_string(d->file) : json_null());
		json_object_set_new(o, "line", json_integer(d->line));
		json_object_set_new(o, "column", json_integer(d->col));
		json_object_set_new(o, "message", json_string(d->message));
		json_array_append_new(arr, o);
	}
	json_object_set_new(root, "valid", json_boolean(diag_count(list, DIAG_ERROR) == 0));
	json_object_set_new(root, "errors", json_integer((json_int_t)diag_count(list, DIAG_ERROR)));
	json_object_set_new(root, "warnings",
			    json_integer((json_int_t)diag_count(list, DIAG_WARNING)));
	json_object_set_new(root, "diagnostics", arr);
	text = json_text(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fprintf(out, "%s\n", text);
	free(text);
	json_decref(root);
}

static _Thread_local struct strbuf last_error = STRBUF_INIT;

int b2b_error_set(const char *fmt, ...)
{
	struct strbuf msg = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	strbuf_release(&last_error);
	last_error = msg;
	return -1;
}

const char *b2b_error_last(void)
{
	return last_error.len ? last_error.buf : "unknown error";
}

void b2b_error_clear(void)
{
	strbuf_release(&last_error);
}
