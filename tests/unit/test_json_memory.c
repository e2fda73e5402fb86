/*
 * Unit tests of json_memory: once in use, jansson's blocks of every size come
 * back aligned, apart and intact; a freed block serves the next request of its
 * size; larger requests go to malloc; threads allocate at once and free each
 * other's blocks, which go back to the thread that made them; a thread that
 * ends leaves its blocks to the next one;
 * json_text() gives text that free() takes, exactly json_dumps()'s.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "schema/base/json_memory.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCKS_PER_SIZE 3000
#define LARGEST_BLOCK   512

static json_malloc_t block_alloc;
static json_free_t block_free;

static int use_json_memory(void **state)
{
	(void)state;
	if (json_memory_use())
		return -1;
	json_get_alloc_funcs(&block_alloc, &block_free);
	return 0;
}

static void test_in_use_once(void **state)
{
	json_malloc_t again_alloc;
	json_free_t again_free;

	(void)state;
	assert_true(json_memory_in_use());
	assert_int_equal(json_memory_use(), 0);
	json_get_alloc_funcs(&again_alloc, &again_free);
	assert_ptr_equal(again_alloc, block_alloc);
	assert_ptr_equal(again_free, block_free);
	assert_ptr_not_equal(block_alloc, malloc);
}

/* Every size up to past the largest block: aligned, apart, and holding what was written. */
static void test_blocks_apart_and_intact(void **state)
{
	size_t size;

	(void)state;
	for (size = 1; size <= LARGEST_BLOCK + 64; size += 7) {
		unsigned char **blocks = calloc(BLOCKS_PER_SIZE, sizeof(*blocks));
		size_t i;

		assert_non_null(blocks);
		for (i = 0; i < BLOCKS_PER_SIZE; i++) {
			blocks[i] = block_alloc(size);
			assert_non_null(blocks[i]);
			assert_int_equal((uintptr_t)blocks[i] % 8, 0);
			memset(blocks[i], (int)(i & 0xff), size);
		}
		for (i = 0; i < BLOCKS_PER_SIZE; i++) {
			size_t j;

			for (j = 0; j < size; j++)
				if (blocks[i][j] != (unsigned char)(i & 0xff))
					fail_msg("size %zu: block %zu byte %zu was overwritten",
						 size, i, j);
			block_free(blocks[i]);
		}
		free(blocks);
	}
}

static void test_freed_block_serves_next(void **state)
{
	void *first, *again, *large;

	(void)state;
	first = block_alloc(40);
	block_free(first);
	again = block_alloc(33); /* the same block size */
	assert_ptr_equal(again, first);
	block_free(again);
	block_free(NULL);
	large = block_alloc(64 * 1024); /* malloc's: freed by free() inside block_free */
	assert_non_null(large);
	memset(large, 1, 64 * 1024);
	block_free(large);
}

/* jansson's own values through it: objects with keys and strings of every block size. */
static void test_values_round_trip(void **state)
{
	json_t *obj = json_object(), *copy;
	char key[700], value[700];
	size_t len;

	(void)state;
	for (len = 1; len < sizeof(key) - 1; len++) {
		memset(key, 'a' + (int)(len % 26), len);
		snprintf(key + len - 1, sizeof(key) - len + 1, "%zu", len % 10);
		memset(value, 'A' + (int)(len % 26), len);
		value[len] = '\0';
		json_object_set_new(obj, key, json_string(value));
	}
	copy = json_deep_copy(obj);
	assert_true(json_equal(obj, copy));
	json_decref(obj);
	assert_int_equal(json_object_size(copy), sizeof(key) - 2);
	len = 0;
	{
		const char *k;
		json_t *v;

		json_object_foreach(copy, k, v) len += strlen(json_string_value(v));
	}
	assert_int_equal(len, (sizeof(key) - 2) * (sizeof(key) - 1) / 2);
	json_decref(copy);
}

struct worker {
	json_t *made; /* built here, freed by the main thread */
	void *left;   /* a block freed here just before the thread ended */
	int index;
};

static void *build_values(void *arg)
{
	struct worker *w = arg;
	size_t i;

	w->made = json_array();
	for (i = 0; i < 20000; i++) {
		json_t *item = json_object();
		char *text;

		json_object_set_new(item, "id", json_sprintf("w%d-%zu", w->index, i));
		json_object_set_new(item, "n", json_integer((json_int_t)i));
		text = json_text(item, JSON_COMPACT);
		json_object_set_new(item, "text", json_string(text));
		free(text);
		json_array_append_new(w->made, item);
		if (i % 3 == 0)
			json_array_remove(w->made, json_array_size(w->made) - 1);
	}
	return NULL;
}

static void test_threads_at_once_and_across(void **state)
{
	struct worker workers[4];
	pthread_t threads[4];
	int t;

	(void)state;
	for (t = 0; t < 4; t++) {
		workers[t] = (struct worker){NULL, NULL, t};
		assert_int_equal(pthread_create(&threads[t], NULL, build_values, &workers[t]), 0);
	}
	for (t = 0; t < 4; t++) {
		json_t *item;
		size_t i;
		char want[64];

		pthread_join(threads[t], NULL);
		assert_int_equal(json_array_size(workers[t].made), 13333);
		json_array_foreach(workers[t].made, i, item)
		{
			size_t n = (size_t)json_integer_value(json_object_get(item, "n"));

			snprintf(want, sizeof(want), "w%d-%zu", t, n);
			assert_string_equal(json_string_value(json_object_get(item, "id")), want);
			assert_int_not_equal(n % 3, 0);
		}
		json_decref(workers[t].made); /* blocks made on another thread */
	}
}

static void *free_one(void *arg)
{
	struct worker *w = arg;

	w->left = block_alloc(200);
	block_free(w->left);
	return NULL;
}

static void *take_one(void *arg)
{
	struct worker *w = arg;

	w->left = block_alloc(200);
	return NULL;
}

static void test_ended_thread_leaves_blocks(void **state)
{
	struct worker first = {NULL, NULL, 0}, next = {NULL, NULL, 1};
	pthread_t thread;

	(void)state;
	assert_int_equal(pthread_create(&thread, NULL, free_one, &first), 0);
	pthread_join(thread, NULL);
	assert_int_equal(pthread_create(&thread, NULL, take_one, &next), 0);
	pthread_join(thread, NULL);
	assert_ptr_equal(next.left, first.left);
	block_free(next.left);
}

#define HANDED_OVER 1000
#define HANDED_SIZE 488 /* a block size no thread of the other tests uses */

struct handover {
	void *blocks[HANDED_OVER];
	int again; /* how many of them the thread got back when it asked again */
};

static void *alloc_blocks(void *arg)
{
	struct handover *h = arg;
	size_t i;

	for (i = 0; i < HANDED_OVER; i++)
		h->blocks[i] = block_alloc(HANDED_SIZE);
	return NULL;
}

static void *alloc_again(void *arg)
{
	struct handover *h = arg;
	void *got[HANDED_OVER];
	size_t i, j;

	for (i = 0; i < HANDED_OVER; i++)
		got[i] = block_alloc(HANDED_SIZE);
	for (i = 0; i < HANDED_OVER; i++)
		for (j = 0; j < HANDED_OVER; j++)
			if (got[i] == h->blocks[j]) {
				h->again++;
				break;
			}
	for (i = 0; i < HANDED_OVER; i++)
		block_free(got[i]);
	return NULL;
}

/* Blocks a thread made and another freed go back to the arena of the first. */
static void test_blocks_freed_elsewhere_return_to_their_arena(void **state)
{
	struct handover h = {{NULL}, 0};
	pthread_t thread;
	size_t i;

	(void)state;
	assert_int_equal(pthread_create(&thread, NULL, alloc_blocks, &h), 0);
	pthread_join(thread, NULL);
	for (i = 0; i < HANDED_OVER; i++)
		block_free(h.blocks[i]); /* here, not on the thread whose arena holds them */
	assert_int_equal(pthread_create(&thread, NULL, alloc_again, &h), 0);
	pthread_join(thread, NULL);
	assert_int_equal(h.again, HANDED_OVER);
}

static void test_text_is_dumps(void **state)
{
	json_t *v = json_pack("{s:s, s:[i, b, n], s:{s:f}}", "name", "Contoso \"Ltd\"", "list", 1,
			      1, "nested", "x", 1.5);
	json_t *plain = json_string("plain");
	char *text = json_text(v, JSON_COMPACT | JSON_PRESERVE_ORDER);

	(void)state;
	assert_string_equal(text, "{\"name\":\"Contoso \\\"Ltd\\\"\",\"list\":[1,true,null],"
				  "\"nested\":{\"x\":1.5}}");
	free(text);
	text = json_text(plain, JSON_ENCODE_ANY);
	assert_string_equal(text, "\"plain\"");
	free(text);
	assert_null(json_text(NULL, 0));
	assert_null(json_text(plain, 0)); /* a bare string only with JSON_ENCODE_ANY */
	json_decref(plain);
	json_decref(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_in_use_once),
	    cmocka_unit_test(test_blocks_apart_and_intact),
	    cmocka_unit_test(test_freed_block_serves_next),
	    cmocka_unit_test(test_values_round_trip),
	    cmocka_unit_test(test_threads_at_once_and_across),
	    cmocka_unit_test(test_ended_thread_leaves_blocks),
	    cmocka_unit_test(test_blocks_freed_elsewhere_return_to_their_arena),
	    cmocka_unit_test(test_text_is_dumps),
	};

	return cmocka_run_group_tests(tests, use_json_memory, NULL);
}
