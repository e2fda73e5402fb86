/*
 * strbuf: a growable, always NUL-terminated byte string (after git's strbuf).
 *
 * Every string that is built piece by piece in b2bctl is a strbuf: no ad-hoc
 * malloc + snprintf. A strbuf initialised with STRBUF_INIT owns nothing until
 * the first append; strbuf_release() frees it and leaves it reusable.
 * Allocation failure aborts (see xalloc.h): callers never check for it.
 */
#ifndef B2B_STRBUF_H
#define B2B_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
};

extern char strbuf_empty[];
#define STRBUF_INIT {strbuf_empty, 0, 0}

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_release(struct strbuf *sb);
/* Hands the buffer to the caller (never NULL) and leaves sb empty. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_setlen(struct strbuf *sb, size_t len);
void strbuf_reset(struct strbuf *sb);

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);

/* Percent-encodes everything outside RFC 3986's unreserved set. */
void strbuf_add_urlencoded(struct strbuf *sb, const char *s);
/* Appends s as a single-quoted OData string literal (' doubled), URL-encoded. */
void strbuf_add_odata_literal(struct strbuf *sb, const char *s);

/* Reads a whole file; -1 with errno set on failure. */
int strbuf_read_file(struct strbuf *sb, const char *path, size_t max_size);

#endif
