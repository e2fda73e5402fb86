/*
 * snapshot_parse: a tenant snapshot file into one JSON value, on two cores.
 */
#ifndef B2B_SNAPSHOT_PARSE_H
#define B2B_SNAPSHOT_PARSE_H

#include <jansson.h>

/*
 * The JSON value in the file at path, exactly as json_load_file(path, 0, err)
 * gives it, or NULL with err's text, line and column saying what is wrong.
 * The largest array of the top-level object (a large tenant's users) is
 * parsed in two halves, the second on a thread of its own.
 */
json_t *snapshot_parse_file(const char *path, json_error_t *err);

/* The same over the bytes of a file already in memory. */
json_t *snapshot_parse_buffer(const char *buf, size_t len, json_error_t *err);

/*
 * Where snapshot_parse_buffer cuts buf: 1 with the offset just past the last
 * element of the first half and the offset of the second half's first
 * element; 0 when it parses buf whole on one thread.
 */
int snapshot_parse_cut(const char *buf, size_t len, size_t *first_end, size_t *second);

#endif
