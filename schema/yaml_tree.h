/*
 * yaml_tree: one YAML file as a tree of scalars, lists and mappings with
 * 1-based line:column marks, built from libyaml's events.
 *
 * Building the tree ourselves (rather than with yaml_parser_load) is what
 * makes hostile input safe: nesting is capped before libyaml grows its
 * stacks, an alias is a shared node whose expanded size is counted and
 * capped (no billion laughs), and a file holds one document at most.
 */
#ifndef B2B_YAML_TREE_H
#define B2B_YAML_TREE_H

#include "base/diag.h"

#include <stddef.h>

#define YAML_TREE_MAX_DEPTH       64
#define YAML_TREE_MAX_ALIAS_NODES 100000

enum ynode_type {
	YNODE_SCALAR,
	YNODE_SEQUENCE,
	YNODE_MAPPING,
};

struct ynode {
	enum ynode_type type;
	unsigned line, col;
	int plain;         /* a scalar written without quotes */
	const char *value; /* scalars: NUL-terminated */
	size_t len;
	struct ynode **items; /* sequences: items; mappings: key, value, key, value, ... */
	size_t nr;
	size_t weight; /* nodes in this subtree, aliases expanded */
};

struct arena_block;

struct yaml_tree {
	struct ynode *root; /* NULL for a file that declares nothing */
	struct arena_block *blocks;
};

/*
 * Parses one file. On a syntax or safety error adds one diagnostic (at the
 * problem's place in `file`) and returns -1 with an empty tree.
 */
int yaml_tree_parse(struct yaml_tree *tree, const char *file, const char *data, size_t len,
		    struct diag_list *diags);
void yaml_tree_release(struct yaml_tree *tree);

/* A plain empty, ~ or null scalar. */
int ynode_is_null(const struct ynode *n);

#endif
