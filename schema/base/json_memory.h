/*
 * json_memory: where jansson's values live, and text made from them.
 *
 * A tenant of 100,000 guests is millions of small JSON values: strings, object
 * entries, hash buckets. json_memory_use() gives jansson its own allocator for
 * them: blocks of 16 to 512 bytes in pages of one block size each, carved from
 * one reserved address range that the kernel is asked to back with huge pages,
 * each thread with its own free lists. Larger requests go to malloc. Memory
 * freed is kept for the next value, never returned to the system: b2bctl's
 * runs are short, and graph-emu reuses what its requests free.
 *
 * Once it is in use, memory that jansson hands out must go back to jansson:
 * json_text() is json_dumps() with a result that free() takes.
 */
#ifndef B2B_JSON_MEMORY_H
#define B2B_JSON_MEMORY_H

#include <jansson.h>
#include <stddef.h>

/*
 * Makes jansson allocate through json_memory. Call it once, before the first
 * JSON value is made, and never in builds that look for leaks. Returns 0, or
 * -1 when the address range cannot be reserved (jansson keeps malloc then).
 */
int json_memory_use(void);

/*
 * What b2bctl and graph-emu call first: json_memory_use(), unless the
 * environment says B2BCTL_JSON_MEMORY=malloc. Builds that look for leaks
 * (B2BCTL_CHECK_LEAKS) use it only when it says B2BCTL_JSON_MEMORY=pool.
 */
void json_memory_choose(void);

/* Whether jansson allocates through json_memory. */
int json_memory_in_use(void);

/* json_dumps(json, flags) as text to free(); NULL where json_dumps gives NULL. */
char *json_text(const json_t *json, size_t flags);

#endif
