/*
 * strmap: a hash map from C strings to pointers, by open addressing.
 *
 * The map borrows its keys: they must outlive it (or the entry). Keys can be
 * compared without ASCII case (fold_case), so "Alice@Contoso.com" and
 * "alice@contoso.com" are one key without a lowercased copy. Adding never
 * replaces: the first value put under a key stays. A map initialised with
 * STRMAP_INIT owns nothing until the first put; strmap_release() frees it.
 */
#ifndef B2B_STRMAP_H
#define B2B_STRMAP_H

#include <stddef.h>

struct strmap_entry {
	const char *key; /* NULL: an empty slot */
	void *value;
	size_t hash;
};

struct strmap {
	struct strmap_entry *slots;
	size_t nr, cap; /* cap: 0 or a power of two, at least twice nr */
	int fold_case;
};

#define STRMAP_INIT(fold_case)                                                                     \
	{                                                                                          \
		NULL, 0, 0, (fold_case)                                                            \
	}

/* The entry under key, NULL when absent (or key is NULL). */
struct strmap_entry *strmap_find(const struct strmap *map, const char *key);
void *strmap_get(const struct strmap *map, const char *key);
/*
 * Puts value under key and returns NULL; when the key is already there,
 * returns that entry and changes nothing. A NULL key adds nothing.
 */
struct strmap_entry *strmap_put(struct strmap *map, const char *key, void *value);
/* Makes room for n keys in all, so that adding them never grows the table. */
void strmap_reserve(struct strmap *map, size_t n);
/* Frees the table (not the keys or values) and leaves the map empty. */
void strmap_release(struct strmap *map);

/* Visits every entry; none of a map that never had a table (and no arithmetic on NULL). */
#define strmap_for_each(map, e)                                                                    \
	for ((e) = (map)->slots; (e) && (e) < (map)->slots + (map)->cap; (e)++)                    \
		if ((e)->key)

#endif
