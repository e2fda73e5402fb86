/*
 * yaml_tree: libyaml events -> a tree with marks. See yaml_tree.h.
 *
 * Nodes and scalar text live in an arena freed at once; aliases point at
 * the anchored node, so a node may have several parents.
 */
#include "yaml_tree.h"
#include "checks.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <yaml.h>

#define ARENA_BLOCK_SIZE (64 * 1024)

struct arena_block {
	struct arena_block *next;
	size_t used, size;
	max_align_t data[];
};

static void *arena_alloc(struct yaml_tree *tree, size_t n)
{
	struct arena_block *b = tree->blocks;
	size_t align = sizeof(max_align_t);
	void *p;

	n = (n + align - 1) / align * align;
	if (!b || b->size - b->used < n) {
		size_t size = n > ARENA_BLOCK_SIZE ? n : ARENA_BLOCK_SIZE;

		b = xmalloc(sizeof(*b) + size);
		b->size = size;
		b->used = 0;
		b->next = tree->blocks;
		tree->blocks = b;
	}
	p = (char *)b->data + b->used;
	b->used += n;
	return p;
}

void yaml_tree_release(struct yaml_tree *tree)
{
	while (tree->blocks) {
		struct arena_block *next = tree->blocks->next;

		free(tree->blocks);
		tree->blocks = next;
	}
	tree->root = NULL;
}

int ynode_is_null(const struct ynode *n)
{
	return n->type == YNODE_SCALAR && n->plain &&
	       (!n->len || !strcmp(n->value, "~") || !strcmp(n->value, "null") ||
		!strcmp(n->value, "Null") || !strcmp(n->value, "NULL"));
}

struct frame {
	struct ynode *node;
	size_t first_child;
	char *anchor;
};

struct builder {
	struct yaml_tree *tree;
	const char *file;
	struct diag_list *diags;
	struct frame *frames;
	size_t frames_nr, frames_alloc;
	struct ynode **children;
	size_t children_nr, children_alloc;
	struct name_index anchors;
	size_t alias_nodes;
	int documents;
};

__attribute__((format(printf, 3, 4))) static int fail_at(struct builder *b, const yaml_mark_t *mark,
							 const char *fmt, ...)
{
	struct src_pos pos = {b->file, (unsigned)mark->line + 1, (unsigned)mark->column + 1};
	struct strbuf msg = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	diag_error(b->diags, &pos, "%s", msg.buf);
	strbuf_release(&msg);
	return -1;
}

static size_t weight_add(size_t a, size_t b)
{
	return a > SIZE_MAX / 2 || b > SIZE_MAX / 2 ? SIZE_MAX / 2 : a + b;
}

static struct ynode *node_new(struct builder *b, enum ynode_type type, const yaml_mark_t *mark)
{
	struct ynode *n = arena_alloc(b->tree, sizeof(*n));

	memset(n, 0, sizeof(*n));
	n->type = type;
	n->line = (unsigned)mark->line + 1;
	n->col = (unsigned)mark->column + 1;
	n->weight = 1;
	return n;
}

static void add_child(struct builder *b, struct ynode *n)
{
	if (!b->frames_nr) {
		b->tree->root = n;
		return;
	}
	ALLOC_GROW(b->children, b->children_nr + 1, b->children_alloc);
	b->children[b->children_nr++] = n;
}

static int register_anchor(struct builder *b, const char *anchor, struct ynode *n,
			   const yaml_mark_t *mark)
{
	struct src_pos pos = {b->file, n->line, n->col};

	if (!anchor)
		return 0;
	if (name_index_add(&b->anchors, anchor, &pos, n))
		return fail_at(b, mark, "anchor '&%s' is defined twice", anchor);
	return 0;
}

static int reject_tag(struct builder *b, const yaml_event_t *ev, const yaml_char_t *tag,
		      int implicit)
{
	if (!tag || implicit)
		return 0;
	return fail_at(b, &ev->start_mark, "YAML tags such as '%s' are not supported",
		       (const char *)tag);
}

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
	struct ynode *n;
	char *text;
	size_t len = ev->data.scalar.length;

	if (reject_tag(b, ev, ev->data.scalar.tag,
		       ev->data.scalar.plain_implicit || ev->data.scalar.quoted_implicit))
		return -1;
	if (memchr(ev->data.scalar.value, '\0', len))
		return fail_at(b, &ev->start_mark, "a string holds a NUL character");
	n = node_new(b, YNODE_SCALAR, &ev->start_mark);
	text = arena_alloc(b->tree, len + 1);
	memcpy(text, ev->data.scalar.value, len);
	text[len] = '\0';
	n->value = text;
	n->len = len;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	if (register_anchor(b, (const char *)ev->data.scalar.anchor, n, &ev->start_mark))
		return -1;
	add_child(b, n);
	return 0;
}

static int on_collection_start(struct builder *b, const yaml_event_t *ev, enum ynode_type type)
{
	const yaml_char_t *tag, *anchor;
	int implicit;
	struct frame *f;

	if (type == YNODE_SEQUENCE) {
		tag = ev->data.sequence_start.tag;
		anchor = ev->data.sequence_start.anchor;
		implicit = ev->data.sequence_start.implicit;
	} else {
		tag = ev->data.mapping_start.tag;
		anchor = ev->data.mapping_start.anchor;
		implicit = ev->data.mapping_start.implicit;
	}
	if (reject_tag(b, ev, tag, implicit))
		return -1;
	if (b->frames_nr >= YAML_TREE_MAX_DEPTH)
		return fail_at(b, &ev->start_mark, "lists and mappings nest deeper than %d levels",
			       YAML_TREE_MAX_DEPTH);
	ALLOC_GROW(b->frames, b->frames_nr + 1, b->frames_alloc);
	f = &b->frames[b->frames_nr++];
	f->node = node_new(b, type, &ev->start_mark);
	f->first_child = b->children_nr;
	f->anchor = anchor ? xstrdup((const char *)anchor) : NULL;
	return 0;
}

static int on_collection_end(struct builder *b, const yaml_event_t *ev)
{
	struct frame f = b->frames[--b->frames_nr];
	struct ynode *n = f.node;
	size_t i;
	int ret;

	n->nr = b->children_nr - f.first_child;
	n->items = arena_alloc(b->tree, (n->nr ? n->nr : 1) * sizeof(*n->items));
	for (i = 0; i < n->nr; i++) {
		n->items[i] = b->children[f.first_child + i];
		n->weight = weight_add(n->weight, n->items[i]->weight);
	}
	b->children_nr = f.first_child;
	ret = register_anchor(b, f.anchor, n, &ev->start_mark);
	free(f.anchor);
	if (ret)
		return -1;
	add_child(b, n);
	return 0;
}

static int on_alias(struct builder *b, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	const struct name_index_entry *e = name_index_find(&b->anchors, name);
	struct ynode *n;

	if (!e)
		return fail_at(b, &ev->start_mark, "alias '*%s' names no anchor defined before it",
			       name);
	n = (struct ynode *)e->item;
	b->alias_nodes = weight_add(b->alias_nodes, n->weight);
	if (b->alias_nodes > YAML_TREE_MAX_ALIAS_NODES)
		return fail_at(b, &ev->start_mark,
			       "aliases expand to more than %d nodes; refusing to expand '*%s'",
			       YAML_TREE_MAX_ALIAS_NODES, name);
	add_child(b, n);
	return 0;
}

static int on_event(struct builder *b, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++b->documents > 1)
			return fail_at(b, &ev->start_mark,
				       "a file holds one YAML document; this is a second one "
				       "(split it into two files)");
		return 0;
	case YAML_SCALAR_EVENT:
		return on_scalar(b, ev);
	case YAML_SEQUENCE_START_EVENT:
		return on_collection_start(b, ev, YNODE_SEQUENCE);
	case YAML_MAPPING_START_EVENT:
		return on_collection_start(b, ev, YNODE_MAPPING);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return on_collection_end(b, ev);
	case YAML_ALIAS_EVENT:
		return on_alias(b, ev);
	default:
		return 0;
	}
}

static void syntax_error(struct builder *b, const yaml_parser_t *parser)
{
	struct src_pos pos = {b->file, (unsigned)parser->problem_mark.line + 1,
			      (unsigned)parser->problem_mark.column + 1};
	const char *problem = parser->problem ? parser->problem : "unknown problem";

	if (parser->context)
		diag_error(b->diags, &pos, "invalid YAML: %s %s (line %u)", problem,
			   parser->context, (unsigned)parser->context_mark.line + 1);
	else
		diag_error(b->diags, &pos, "invalid YAML: %s", problem);
}

/* Line and column of byte offset `at`, 1-based, columns in characters. */
static void locate_byte(const char *data, size_t at, unsigned *line, unsigned *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < at; i++) {
		if (data[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)data[i] & 0xc0) != 0x80) {
			(*col)++;
		}
	}
}

static int check_bytes(struct builder *b, const char *data, size_t len)
{
	const char *nul = memchr(data, '\0', len);
	struct src_pos pos = {b->file, 0, 0};

	if (nul) {
		locate_byte(data, (size_t)(nul - data), &pos.line, &pos.col);
		diag_error(b->diags, &pos, "the file holds a NUL byte; is it a YAML text file?");
		return -1;
	}
	return 0;
}

/* libyaml's reader errors carry a byte offset; turn it into line:column. */
static void reader_error(struct builder *b, const yaml_parser_t *parser, const char *data,
			 size_t len)
{
	struct src_pos pos = {b->file, 0, 0};
	size_t at = parser->problem_offset < len ? parser->problem_offset : len;

	locate_byte(data, at, &pos.line, &pos.col);
	diag_error(b->diags, &pos, "invalid YAML: %s (byte offset %zu)",
		   parser->problem ? parser->problem : "unreadable input", parser->problem_offset);
}

int yaml_tree_parse(struct yaml_tree *tree, const char *file, const char *data, size_t len,
		    struct diag_list *diags)
{
	struct builder b = {0};
	yaml_parser_t parser;
	int ret = 0, done = 0;

	tree->root = NULL;
	tree->blocks = NULL;
	b.tree = tree;
	b.file = file;
	b.diags = diags;
	b.anchors.map.fold_case = 0;
	if (check_bytes(&b, data, len))
		return -1;
	if (!yaml_parser_initialize(&parser))
		xalloc_die("out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	while (!done && !ret) {
		yaml_event_t ev;

		if (!yaml_parser_parse(&parser, &ev)) {
			if (parser.error == YAML_READER_ERROR)
				reader_error(&b, &parser, data, len);
			else if (parser.error == YAML_MEMORY_ERROR)
				xalloc_die("out of memory");
			else
				syntax_error(&b, &parser);
			ret = -1;
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		ret = on_event(&b, &ev);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	while (b.frames_nr)
		free(b.frames[--b.frames_nr].anchor);
	free(b.frames);
	free(b.children);
	name_index_release(&b.anchors);
	if (ret)
		yaml_tree_release(tree);
	return ret;
}
