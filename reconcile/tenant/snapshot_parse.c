/*
 * snapshot_parse: reads a tenant snapshot file with its largest array parsed
 * in two halves, the second on a thread of its own. See snapshot_parse.h.
 *
 * A 100,000-guest snapshot is 53 MB, 47 of them users, and jansson parses
 * about 60 MB a second on one core. A scan that follows only strings and
 * brackets finds the top-level array with the most bytes and the element
 * boundary that leaves each thread half the bytes. jansson then parses the
 * document without the array's second part on this thread, and "[" + that
 * part on another (both read from the file's bytes in place through
 * json_load_callback), and the two are joined: the same value json_loadb()
 * makes of the whole file.
 * Whenever the scan or either half finds anything amiss, the whole file is
 * parsed once more on one thread, which is where every error's line and
 * column come from.
 */
#include "snapshot_parse.h"
#include "../../schema/base/background.h"
#include "../../schema/base/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* An array smaller than this is parsed with the rest: a thread would not pay. */
#define SPLIT_MIN_BYTES (4u << 20)

struct span {
	const char *p;
	size_t len;
};

/* json_load_callback's reader over a few spans of text, one after the other. */
struct spans_reader {
	struct span spans[3];
	size_t nr, at, off;
};

static size_t read_spans(void *buffer, size_t buflen, void *data)
{
	struct spans_reader *r = data;
	size_t n = 0;

	while (n < buflen && r->at < r->nr) {
		const struct span *s = &r->spans[r->at];
		size_t take = s->len - r->off;

		if (take > buflen - n)
			take = buflen - n;
		memcpy((char *)buffer + n, s->p + r->off, take);
		n += take;
		r->off += take;
		if (r->off == s->len) {
			r->at++;
			r->off = 0;
		}
	}
	return n;
}

static const char *skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/*
 * Past the string whose opening quote is at p; NULL when it does not end. A
 * quote ends it unless an odd run of backslashes comes before.
 */
static const char *skip_string(const char *p, const char *end)
{
	const char *q = p + 1, *b;

	while (q < end && (q = memchr(q, '"', (size_t)(end - q)))) {
		for (b = q; b[-1] == '\\'; b--)
			;
		if ((q - b) % 2 == 0)
			return q + 1;
		q++;
	}
	return NULL;
}

/*
 * Past the value that starts at p, following only strings and brackets (the
 * parse checks the rest); NULL when it does not end.
 */
static const char *skip_value(const char *p, const char *end)
{
	size_t depth = 0;

	if (p >= end)
		return NULL;
	if (*p == '"')
		return skip_string(p, end);
	if (*p != '{' && *p != '[') {
		while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' &&
		       *p != '\n' && *p != '\r')
			p++;
		return p;
	}
	while (p < end) {
		if (*p == '"') {
			p = skip_string(p, end);
			if (!p)
				return NULL;
			continue;
		}
		if (*p == '{' || *p == '[')
			depth++;
		else if ((*p == '}' || *p == ']') && --depth == 0)
			return p + 1;
		p++;
	}
	return NULL;
}

/* Where the document is cut: the array [array, array_end) of the top-level
 * member `key`, whose elements from `second` on go to the other thread;
 * `first_end` ends the element before them. */
struct cut {
	struct span key;
	const char *array, *array_end;
	const char *first_end, *second;
};

/* The top-level member whose value is the array with the most bytes, if the
 * document is an object whose keys are plain (no escapes) and given once. */
static int find_largest_array(const char *buf, const char *end, struct cut *cut)
{
	struct span *keys = NULL;
	size_t nr = 0, alloc = 0, i, same = 0;
	const char *p = skip_space(buf, end);
	int ok = 0;

	memset(cut, 0, sizeof(*cut));
	if (p >= end || *p++ != '{')
		return 0;
	for (;;) {
		const char *key, *value, *value_end;

		p = skip_space(p, end);
		if (p >= end || *p != '"')
			break;
		key = p;
		p = skip_string(p, end);
		if (!p || memchr(key, '\\', (size_t)(p - key)))
			break;
		ALLOC_GROW(keys, nr + 1, alloc);
		keys[nr].p = key + 1;
		keys[nr++].len = (size_t)(p - key) - 2;
		p = skip_space(p, end);
		if (p >= end || *p++ != ':')
			break;
		value = skip_space(p, end);
		value_end = skip_value(value, end);
		if (!value_end)
			break;
		if (*value == '[' && value_end - value > cut->array_end - cut->array) {
			cut->key = keys[nr - 1];
			cut->array = value;
			cut->array_end = value_end;
		}
		p = skip_space(value_end, end);
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		ok = p < end && *p == '}' && skip_space(p + 1, end) == end;
		break;
	}
	for (i = 0; ok && i < nr; i++)
		same += keys[i].len == cut->key.len && !memcmp(keys[i].p, cut->key.p, cut->key.len);
	free(keys);
	return ok && cut->array && same == 1;
}

/*
 * The element boundary that leaves both threads about as many bytes to parse,
 * the first with the document's `outside` bytes around the array too; 0 when
 * there is none.
 */
static int find_middle(struct cut *cut, size_t outside)
{
	const char *end = cut->array_end - 1; /* the closing bracket */
	size_t array_len = (size_t)(cut->array_end - cut->array);
	const char *middle = cut->array + (array_len > outside ? (array_len - outside) / 2 : 0);
	const char *p = skip_space(cut->array + 1, end);

	while (p < end) {
		const char *element_end = skip_value(p, end), *next;

		if (!element_end)
			return 0;
		next = skip_space(element_end, end);
		if (next >= end || *next != ',')
			return 0;
		next = skip_space(next + 1, end);
		if (element_end >= middle) {
			cut->first_end = element_end;
			cut->second = next;
			return next < end;
		}
		p = next;
	}
	return 0;
}

struct half {
	struct spans_reader reader;
	json_t *value;
	json_error_t err;
};

static void *parse_half(void *arg)
{
	struct half *h = arg;

	h->value = json_load_callback(read_spans, &h->reader, 0, &h->err);
	return NULL;
}

static void reader_add(struct spans_reader *r, const char *p, size_t len)
{
	r->spans[r->nr].p = p;
	r->spans[r->nr++].len = len;
}

static json_t *parse_split(const char *buf, size_t len, const struct cut *cut)
{
	struct half first, second;
	char *key = xstrndup(cut->key.p, cut->key.len);
	struct background bg;
	json_t *array;

	memset(&first, 0, sizeof(first));
	memset(&second, 0, sizeof(second));
	reader_add(&first.reader, buf, (size_t)(cut->first_end - buf));
	reader_add(&first.reader, "]", 1);
	reader_add(&first.reader, cut->array_end, (size_t)(buf + len - cut->array_end));
	reader_add(&second.reader, "[", 1);
	reader_add(&second.reader, cut->second, (size_t)(cut->array_end - cut->second));

	background_start(&bg, parse_half, &second);
	parse_half(&first);
	background_wait(&bg);
	array = json_object_get(first.value, key);
	free(key);
	if (!json_is_array(array) || !json_is_array(second.value) ||
	    json_array_extend(array, second.value)) {
		json_decref(first.value);
		first.value = NULL;
	}
	json_decref(second.value);
	return first.value;
}

static int find_cut(const char *buf, size_t len, struct cut *cut)
{
	return len >= SPLIT_MIN_BYTES && find_largest_array(buf, buf + len, cut) &&
	       cut->array_end - cut->array >= (ptrdiff_t)SPLIT_MIN_BYTES &&
	       find_middle(cut, len - (size_t)(cut->array_end - cut->array));
}

int snapshot_parse_cut(const char *buf, size_t len, size_t *first_end, size_t *second)
{
	struct cut cut;

	if (!find_cut(buf, len, &cut))
		return 0;
	*first_end = (size_t)(cut.first_end - buf);
	*second = (size_t)(cut.second - buf);
	return 1;
}

json_t *snapshot_parse_buffer(const char *buf, size_t len, json_error_t *err)
{
	struct cut cut;
	json_t *value = NULL;

	if (find_cut(buf, len, &cut))
		value = parse_split(buf, len, &cut);
	return value ? value : json_loadb(buf, len, 0, err);
}

static json_t *file_error(json_error_t *err, const char *path, const char *what)
{
	memset(err, 0, sizeof(*err));
	err->line = -1;
	err->column = -1;
	snprintf(err->text, sizeof(err->text), "unable to %s %s: %s", what, path, strerror(errno));
	snprintf(err->source, sizeof(err->source), "%s", path);
	return NULL;
}

json_t *snapshot_parse_file(const char *path, json_error_t *err)
{
	struct stat st;
	json_t *value;
	void *map;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return file_error(err, path, "open");
	if (fstat(fd, &st)) {
		close(fd);
		return file_error(err, path, "read");
	}
	if (!S_ISREG(st.st_mode) || !st.st_size) {
		/* a pipe, say, or nothing at all: jansson reads it as it comes */
		FILE *f = fdopen(fd, "rb");

		if (!f) {
			close(fd);
			return file_error(err, path, "read");
		}
		value = json_loadf(f, 0, err);
		fclose(f);
		return value;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return file_error(err, path, "read");
	value = snapshot_parse_buffer(map, (size_t)st.st_size, err);
	munmap(map, (size_t)st.st_size);
	return value;
}
