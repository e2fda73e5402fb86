/*
 * json_memory: jansson's allocator. See json_memory.h.
 *
 * The range is reserved once (MAP_NORESERVE: address space, not memory) and
 * handed out a page at a time with one atomic add. A page's first bytes say
 * which block size it holds and which arena owns it, so a block needs no
 * header of its own: a five-byte string takes 16 bytes where malloc takes 32.
 * Each thread has an arena: a free list and a partly used page per size. A
 * block freed on the thread that owns it goes on that free list; one freed on
 * another thread (a page of answers made by a reading thread, freed by the
 * caller's) goes back to its owner through a lock-free list the owner takes
 * whole when its own runs dry. A thread that ends leaves its arena to the
 * next one that starts.
 */
#include "json_memory.h"
#include "strbuf.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define RESERVED      ((size_t)16 << 30)
#define HUGE_PAGE     ((size_t)2 << 20)
#define POOL_PAGE     ((size_t)64 << 10)
#define BLOCK_ALIGN   16
#define SIZES         32 /* block sizes 16, 32, ..., 512 */
#define LARGEST_BLOCK (SIZES * BLOCK_ALIGN)

/* One thread's blocks: a free list and the rest of a page for each size. */
struct arena {
	struct arena *next_idle;
	void *free[SIZES + 1];
	char *next[SIZES + 1], *end[SIZES + 1];
	_Atomic(void *) freed_elsewhere[SIZES + 1]; /* by other threads */
};

/* At the start of each page; its blocks follow. */
struct page_header {
	struct arena *owner;
	size_t size_class;
};

/* Where a page's blocks start: after its header, aligned as a block. */
#define PAGE_HEADER ((sizeof(struct page_header) + BLOCK_ALIGN - 1) / BLOCK_ALIGN * BLOCK_ALIGN)

static char *region;
static atomic_size_t region_used;
static pthread_mutex_t idle_lock = PTHREAD_MUTEX_INITIALIZER;
static struct arena *idle; /* left by threads that ended */
static pthread_key_t arena_key;
static _Thread_local struct arena *mine;

static int in_region(const void *p)
{
	return region && (const char *)p >= region && (const char *)p < region + RESERVED;
}

static void arena_leave(void *arg)
{
	struct arena *a = arg;

	mine = NULL; /* what this thread frees from now on goes back as from any other */
	pthread_mutex_lock(&idle_lock);
	a->next_idle = idle;
	idle = a;
	pthread_mutex_unlock(&idle_lock);
}

static struct arena *arena_take(void)
{
	struct arena *a;

	pthread_mutex_lock(&idle_lock);
	a = idle;
	if (a)
		idle = a->next_idle;
	pthread_mutex_unlock(&idle_lock);
	if (!a && (a = calloc(1, sizeof(*a)))) {
		size_t i;

		for (i = 0; i <= SIZES; i++)
			atomic_init(&a->freed_elsewhere[i], NULL);
	}
	if (a) {
		pthread_setspecific(arena_key, a);
		mine = a;
	}
	return a;
}

/* A new page of blocks of this size class in a, or 0 when the range is used up. */
static int arena_new_page(struct arena *a, size_t size_class)
{
	size_t at = atomic_fetch_add_explicit(&region_used, POOL_PAGE, memory_order_relaxed);
	char *page;

	if (at > RESERVED - POOL_PAGE)
		return 0;
	page = region + at;
	((struct page_header *)page)->owner = a;
	((struct page_header *)page)->size_class = size_class;
	a->next[size_class] = page + PAGE_HEADER;
	a->end[size_class] = page + POOL_PAGE;
	return 1;
}

static void *block_alloc(size_t size)
{
	size_t size_class = (size + BLOCK_ALIGN - 1) / BLOCK_ALIGN;
	size_t block = size_class * BLOCK_ALIGN;
	struct arena *a = mine;
	void *p;

	if (!size_class || size > LARGEST_BLOCK || (!a && !(a = arena_take())))
		return malloc(size);
	p = a->free[size_class];
	if (!p)
		p = atomic_exchange_explicit(&a->freed_elsewhere[size_class], NULL,
					     memory_order_acquire);
	if (p) {
		a->free[size_class] = *(void **)p;
		return p;
	}
	if ((size_t)(a->end[size_class] - a->next[size_class]) < block &&
	    !arena_new_page(a, size_class))
		return malloc(size);
	p = a->next[size_class];
	a->next[size_class] += block;
	return p;
}

static void block_free(void *p)
{
	const struct page_header *page;
	struct arena *owner;
	size_t size_class;
	void *head;

	if (!in_region(p)) {
		free(p);
		return;
	}
	page = (const struct page_header *)((uintptr_t)p & ~(uintptr_t)(POOL_PAGE - 1));
	owner = page->owner;
	size_class = page->size_class;
	if (owner == mine) {
		*(void **)p = owner->free[size_class];
		owner->free[size_class] = p;
		return;
	}
	head = atomic_load_explicit(&owner->freed_elsewhere[size_class], memory_order_relaxed);
	do
		*(void **)p = head;
	while (!atomic_compare_exchange_weak_explicit(&owner->freed_elsewhere[size_class], &head, p,
						      memory_order_release, memory_order_relaxed));
}

int json_memory_use(void)
{
	char *base;
	size_t skip;

	if (region)
		return 0;
	if (pthread_key_create(&arena_key, arena_leave))
		return -1;
	base = mmap(NULL, RESERVED + HUGE_PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED) {
		pthread_key_delete(arena_key);
		return -1;
	}
	/* aligned to a huge page, so every huge page of the range can be one */
	skip = (HUGE_PAGE - (uintptr_t)base % HUGE_PAGE) % HUGE_PAGE;
	if (skip)
		munmap(base, skip);
	munmap(base + skip + RESERVED, HUGE_PAGE - skip);
	region = base + skip;
	madvise(region, RESERVED, MADV_HUGEPAGE);
	json_set_alloc_funcs(block_alloc, block_free);
	return 0;
}

void json_memory_choose(void)
{
	const char *how = getenv("B2BCTL_JSON_MEMORY");

#ifdef B2BCTL_CHECK_LEAKS
	if (how && !strcmp(how, "pool"))
		json_memory_use();
#else
	if (!how || strcmp(how, "malloc"))
		json_memory_use();
#endif
}

int json_memory_in_use(void)
{
	return region != NULL;
}

static int add_text(const char *buffer, size_t size, void *data)
{
	strbuf_add(data, buffer, size);
	return 0;
}

char *json_text(const json_t *json, size_t flags)
{
	struct strbuf sb = STRBUF_INIT;

	if (!json || json_dump_callback(json, add_text, &sb, flags)) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}
