/*
 * xalloc: allocation that cannot fail. Out of memory ends the process with a
 * message, as git's xmalloc does; callers never test for NULL.
 */
#ifndef B2B_XALLOC_H
#define B2B_XALLOC_H

#include <stddef.h>
#include <stdlib.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xstrfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void xalloc_die(const char *why);

/* Grows a dynamic array (ptr, nr used, alloc capacity) to hold at least `want`. */
#define ALLOC_GROW(ptr, want, alloc)                                                               \
	do {                                                                                       \
		if ((want) > (alloc)) {                                                            \
			size_t grow_to_ = (alloc) ? 2 * (alloc) : 8;                               \
			if (grow_to_ < (want))                                                     \
				grow_to_ = (want);                                                 \
			(ptr) = xrealloc((ptr), grow_to_ * sizeof(*(ptr)));                        \
			(alloc) = grow_to_;                                                        \
		}                                                                                  \
	} while (0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
