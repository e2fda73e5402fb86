/*
 * strmap: open addressing with linear probing over a power-of-two table that
 * doubles when half full; FNV-1a over the (optionally ASCII case-folded) key,
 * mixed.
 */
#include "strmap.h"
#include "xalloc.h"

#include <string.h>
#include <strings.h>

static size_t key_hash(const char *s, int fold_case)
{
	size_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (fold_case && c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		h ^= c;
		h *= 1099511628211ULL;
	}
	/* FNV's low bits barely differ between keys that differ only at the end
	 * (GUIDs, user17@ and user18@): mix the high bits down (murmur3's
	 * finalizer) before the table masks them off. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

/* The slot that holds key, or the empty slot where it would go. The stored
 * hash is compared first, so a probe reads a key only when it likely matches. */
static struct strmap_entry *slot_for(const struct strmap *map, const char *key, size_t hash)
{
	size_t i = hash & (map->cap - 1);

	for (; map->slots[i].key; i = (i + 1) & (map->cap - 1)) {
		const struct strmap_entry *e = &map->slots[i];

		if (e->hash == hash &&
		    (map->fold_case ? !strcasecmp(e->key, key) : !strcmp(e->key, key)))
			break;
	}
	return &map->slots[i];
}

static void resize(struct strmap *map, size_t cap)
{
	struct strmap_entry *old = map->slots;
	size_t old_cap = map->cap, i;

	map->cap = cap;
	map->slots = xcalloc(map->cap, sizeof(*map->slots));
	for (i = 0; i < old_cap; i++) {
		size_t j = old[i].hash & (map->cap - 1);

		if (!old[i].key)
			continue;
		while (map->slots[j].key)
			j = (j + 1) & (map->cap - 1);
		map->slots[j] = old[i];
	}
	free(old);
}

struct strmap_entry *strmap_find(const struct strmap *map, const char *key)
{
	struct strmap_entry *e;

	if (!key || !map->cap)
		return NULL;
	e = slot_for(map, key, key_hash(key, map->fold_case));
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
	size_t hash;

	if (!key)
		return NULL;
	if (2 * (map->nr + 1) > map->cap)
		resize(map, map->cap ? 2 * map->cap : 64);
	hash = key_hash(key, map->fold_case);
	e = slot_for(map, key, hash);
	if (e->key)
		return e;
	e->key = key;
	e->value = value;
	e->hash = hash;
	map->nr++;
	return NULL;
}

void strmap_reserve(struct strmap *map, size_t n)
{
	size_t cap = map->cap ? map->cap : 64;

	while (cap < 2 * n)
		cap *= 2;
	if (cap > map->cap)
		resize(map, cap);
}

void strmap_release(struct strmap *map)
{
	free(map->slots);
	map->slots = NULL;
	map->nr = map->cap = 0;
}
