/*
 * strmap: open addressing with linear probing over a power-of-two table that
 * doubles when half full; FNV-1a over the (optionally case-folded) key.
 */
#include "strmap.h"
#include "xalloc.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static size_t key_hash(const char *s, int fold_case)
{
	size_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		h ^= fold_case ? (unsigned char)tolower(c) : c;
		h *= 1099511628211ULL;
	}
	return h;
}

/* The slot that holds key, or the empty slot where it would go. */
static struct strmap_entry *slot_for(const struct strmap *map, const char *key)
{
	size_t h = key_hash(key, map->fold_case) & (map->cap - 1);

	for (; map->slots[h].key; h = (h + 1) & (map->cap - 1)) {
		const char *k = map->slots[h].key;

		if (map->fold_case ? !strcasecmp(k, key) : !strcmp(k, key))
			break;
	}
	return &map->slots[h];
}

static void grow(struct strmap *map)
{
	struct strmap_entry *old = map->slots;
	size_t old_cap = map->cap, i;

	map->cap = old_cap ? 2 * old_cap : 64;
	map->slots = xcalloc(map->cap, sizeof(*map->slots));
	for (i = 0; i < old_cap; i++)
		if (old[i].key)
			*slot_for(map, old[i].key) = old[i];
	free(old);
}

struct strmap_entry *strmap_find(const struct strmap *map, const char *key)
{
	struct strmap_entry *e;

	if (!key || !map->cap)
		return NULL;
	e = slot_for(map, key);
	return e->key ? e : NULL;
}

void *strmap_get(const struct strmap *map, const char *key)
{
	struct strmap_entry *e = strmap_find(map, key);

	return e ? e->value : NULL;
}

struct strmap_entry *strmap_put(struct strmap *map, const char *key, void *value)
{
	struct strmap_entry *e;

	if (!key)
		return NULL;
	e = strmap_find(map, key);
	if (e)
		return e;
	if (2 * (map->nr + 1) > map->cap)
		grow(map);
	e = slot_for(map, key);
	e->key = key;
	e->value = value;
	map->nr++;
	return NULL;
}

void strmap_release(struct strmap *map)
{
	free(map->slots);
	map->slots = NULL;
	map->nr = map->cap = 0;
}
