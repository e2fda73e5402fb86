/*
 * suggest: "did you mean" for unknown keys, enum values and names. The
 * distance is Damerau-Levenshtein (adjacent transpositions count once),
 * ignoring ASCII case, so 'reportonly' finds 'reportOnly'.
 */
#include "checks.h"
#include "base/xalloc.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define MAX_COMPARED 64

size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t *rows, *prev2, *prev, *cur, d;

	if (la > MAX_COMPARED || lb > MAX_COMPARED)
		return la > lb ? la : lb;
	rows = xcalloc(3 * (lb + 1), sizeof(*rows));
	prev2 = rows;
	prev = rows + lb + 1;
	cur = rows + 2 * (lb + 1);
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		size_t *t;

		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]),
			    cb = tolower((unsigned char)b[j - 1]);
			size_t cost = ca != cb;

			d = prev[j - 1] + cost;
			if (prev[j] + 1 < d)
				d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb && prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			cur[j] = d;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	d = prev[lb];
	free(rows);
	return d;
}

/* 'warn' for 'warning': the one candidate that starts with word, if any. */
static const char *unique_prefix_match(const char *word, const char *const *candidates, size_t nr)
{
	size_t i, len = strlen(word);
	const char *found = NULL;

	if (len < 3)
		return NULL;
	for (i = 0; i < nr; i++)
		if (!strncasecmp(candidates[i], word, len)) {
			if (found)
				return NULL;
			found = candidates[i];
		}
	return found;
}

const char *suggest_closest(const char *word, const char *const *candidates, size_t nr)
{
	size_t i, best_d = (size_t)-1, limit = strlen(word) / 3;
	const char *best = NULL;

	if (limit < 2)
		limit = 2;
	for (i = 0; i < nr; i++) {
		size_t d = edit_distance(word, candidates[i]);

		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	if (best && best_d <= limit && best_d < strlen(best))
		return best;
	return unique_prefix_match(word, candidates, nr);
}
