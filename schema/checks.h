/*
 * checks: what the loader and validation share inside schema/: value syntax
 * (emails, domains, GUIDs, URLs, durations, dates), "did you mean"
 * suggestions, a name index for duplicate and reference checks, and the
 * whole-configuration validation that runs after every file is loaded.
 */
#ifndef B2B_CHECKS_H
#define B2B_CHECKS_H

#include "config.h"
#include "base/strbuf.h"
#include "base/strmap.h"

#include <stddef.h>

/* Each returns 0 when valid; otherwise -1 and a reason in `why` (may be NULL). */
int check_email(const char *s, struct strbuf *why);
int check_domain(const char *s, struct strbuf *why);
int check_guid(const char *s);
int check_https_url(const char *s, struct strbuf *why);
/* ISO-8601 duration; sets *seconds to its approximate length. */
int check_duration(const char *s, long long *seconds, struct strbuf *why);
/* YYYY-MM-DD, a real calendar date. */
int check_date(const char *s, struct strbuf *why);

/* Edit distance (with transpositions), case-insensitive. */
size_t edit_distance(const char *a, const char *b);
/* The candidate closest to `word`, or NULL when none is close enough. */
const char *suggest_closest(const char *word, const char *const *candidates, size_t nr);

/* Names mapped to where they were defined; case-folded when fold_case. */
struct name_index_entry {
	char *key;
	struct src_pos pos;
	const void *item;
};

struct name_index {
	struct strmap map; /* key -> struct name_index_entry */
};

#define NAME_INDEX_INIT(fold)                                                                      \
	{                                                                                          \
		STRMAP_INIT(fold)                                                                  \
	}

/* Adds the name; when it is already there returns the first entry and adds nothing. */
const struct name_index_entry *name_index_add(struct name_index *idx, const char *name,
					      const struct src_pos *pos, const void *item);
const struct name_index_entry *name_index_find(const struct name_index *idx, const char *name);
void name_index_release(struct name_index *idx);

/*
 * Cross-file checks: duplicates, references and rules between sections.
 * `complete` is 0 when a file could not be parsed: what must be declared
 * somewhere (the tenant) may be in it, so its absence is not reported.
 */
void config_validate(struct config *cfg, int complete, struct diag_list *diags);

#endif
