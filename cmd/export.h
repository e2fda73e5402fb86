/*
 * export: the live tenant written as b2bctl configuration, for adopting an
 * existing tenant (`b2bctl export`) and for accepting drift (`b2bctl drift
 * --export-branch`).
 *
 * One file per section and one per partner; guests go under the partner whose
 * domain they share, or under a partner made from their domain. Output is
 * deterministic (sorted), and planning it against the same tenant is empty.
 */
#ifndef B2B_EXPORT_H
#define B2B_EXPORT_H

#include <jansson.h>
#include <stddef.h>

struct export_file {
	char *path; /* relative: "tenant.yaml", "partners/contoso.yaml" */
	char *data;
	size_t len;
};

struct export_files {
	struct export_file *items;
	size_t nr, alloc;
};

/* Converts a live model (snapshot format) into configuration files. */
int export_live(const json_t *live, struct export_files *out);
void export_files_release(struct export_files *files);

#endif
