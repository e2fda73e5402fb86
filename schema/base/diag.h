/*
 * diag: diagnostics that point at a place in the configuration, and the
 * process-wide "last error" (after libgit2's git_error_last).
 *
 * A diagnostic is a severity, an optional rule id, a file:line:column and a
 * message. Loading, validation and lints collect them in a diag_list so that a
 * user sees every problem at once; one set of functions prints them as text,
 * JSON or GitHub annotations.
 *
 * Functions that fail for one reason (a Graph request, a file write) set the
 * last error with b2b_error_set() and return -1; the command prints it once.
 */
#ifndef B2B_DIAG_H
#define B2B_DIAG_H

#include <stdio.h>
#include <stddef.h>

/* A place in a configuration file. `file` is owned by whoever loaded it
 * (a config keeps its file names alive as long as itself); line and column
 * count from 1, 0 means unknown. */
struct src_pos {
	const char *file;
	unsigned line;
	unsigned col;
};

enum diag_severity {
	DIAG_ERROR,
	DIAG_WARNING,
	DIAG_INFO,
};

struct diag {
	enum diag_severity severity;
	char *rule; /* NULL for plain loader/validation errors */
	char *file; /* owned copy, NULL when the diagnostic has no place */
	unsigned line, col;
	char *message;
};

struct diag_list {
	struct diag *items;
	size_t nr, alloc;
};

#define DIAG_LIST_INIT {NULL, 0, 0}

void diag_add(struct diag_list *list, enum diag_severity severity, const char *rule,
	      const struct src_pos *pos, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Shorthand for an error with no rule id. */
void diag_error(struct diag_list *list, const struct src_pos *pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Moves every diagnostic of `from` to the end of `to`, leaving `from` empty. */
void diag_list_take(struct diag_list *to, struct diag_list *from);
size_t diag_count(const struct diag_list *list, enum diag_severity severity);
/* Stable sort by file, line, column (insertion order among equals). */
void diag_sort(struct diag_list *list);
void diag_list_release(struct diag_list *list);

const char *diag_severity_name(enum diag_severity severity);
/* file:line:column: severity: message [rule] */
void diag_print_text(FILE *out, const struct diag_list *list);
/* ::error file=F,line=L,col=C,title=RULE::message, escaped as the workflow commands want. */
void diag_print_github(FILE *out, const struct diag_list *list);
/* {"valid": bool, "errors": n, "warnings": n, "diagnostics": [...]} */
void diag_print_json(FILE *out, const struct diag_list *list);

/* The last error of the calling thread. */
int b2b_error_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *b2b_error_last(void);
void b2b_error_clear(void);

#endif
