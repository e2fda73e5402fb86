/*
 * strbuf: growable strings. See strbuf.h.
 */
#include "strbuf.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

char strbuf_empty[1];

void strbuf_init(struct strbuf *sb, size_t hint)
{
	sb->buf = strbuf_empty;
	sb->len = 0;
	sb->alloc = 0;
	if (hint)
		strbuf_grow(sb, hint);
}

void strbuf_release(struct strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	strbuf_init(sb, 0);
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
	char *res;

	strbuf_grow(sb, 0);
	res = sb->buf;
	if (len)
		*len = sb->len;
	strbuf_init(sb, 0);
	return res;
}

void strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t need;

	if (sb->len + extra + 1 < sb->len)
		xalloc_die("strbuf overflow");
	need = sb->len + extra + 1;
	if (need <= sb->alloc)
		return;
	if (!sb->alloc)
		sb->buf = NULL;
	if (need < 2 * sb->alloc)
		need = 2 * sb->alloc;
	if (need < 32)
		need = 32;
	sb->buf = xrealloc(sb->buf, need);
	if (!sb->alloc)
		sb->buf[0] = '\0';
	sb->alloc = need;
}

void strbuf_setlen(struct strbuf *sb, size_t len)
{
	if (!sb->alloc && !len)
		return;
	if (len > (sb->alloc ? sb->alloc - 1 : 0))
		xalloc_die("strbuf_setlen beyond buffer");
	sb->len = len;
	sb->buf[len] = '\0';
}

void strbuf_reset(struct strbuf *sb)
{
	strbuf_setlen(sb, 0);
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	if (!len)
		return;
	strbuf_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void strbuf_addstr(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_addch(struct strbuf *sb, int c)
{
	strbuf_grow(sb, 1);
	sb->buf[sb->len++] = (char)c;
	sb->buf[sb->len] = '\0';
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	strbuf_grow(sb, 64);
	va_copy(cp, ap);
	n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		xalloc_die("vsnprintf failed");
	if ((size_t)n >= sb->alloc - sb->len) {
		strbuf_grow(sb, (size_t)n);
		n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
	}
	sb->len += (size_t)n;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

void strbuf_add_urlencoded(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			strbuf_addch(sb, c);
		} else {
			strbuf_addch(sb, '%');
			strbuf_addch(sb, hex[c >> 4]);
			strbuf_addch(sb, hex[c & 15]);
		}
	}
}

void strbuf_add_odata_literal(struct strbuf *sb, const char *s)
{
	struct strbuf lit = STRBUF_INIT;

	strbuf_addch(&lit, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			strbuf_addch(&lit, '\'');
		strbuf_addch(&lit, *s);
	}
	strbuf_addch(&lit, '\'');
	strbuf_add_urlencoded(sb, lit.buf);
	strbuf_release(&lit);
}

int strbuf_read_file(struct strbuf *sb, const char *path, size_t max_size)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (!f)
		return -1;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (max_size && sb->len + n > max_size) {
			fclose(f);
			errno = EFBIG;
			return -1;
		}
		strbuf_add(sb, chunk, n);
	}
	if (ferror(f)) {
		int e = errno;

		fclose(f);
		errno = e ? e : EIO;
		return -1;
	}
	fclose(f);
	return 0;
}
