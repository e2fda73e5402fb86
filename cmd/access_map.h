/*
 * access_map: who gets what, drawn from the configuration: partners, their
 * guests (counted beyond a few), the groups they join, the access packages
 * that grant those groups and the conditional-access policies that cover them.
 * `b2bctl graph` prints it whole; the markdown plan embeds the part that
 * changes, so a reviewer sees that a new partner reaches the finance group.
 */
#ifndef B2B_ACCESS_MAP_H
#define B2B_ACCESS_MAP_H

#include "../reconcile/plan.h"
#include "../schema/base/strbuf.h"
#include "../schema/config.h"

enum access_map_format {
	ACCESS_MAP_MERMAID,
	ACCESS_MAP_DOT,
};

/*
 * Appends the map to out. With a plan, only the objects its actions touch and
 * their neighbours are drawn (changed ones highlighted). Returns the number of
 * nodes drawn; when that would exceed max_nodes (0: no limit) nothing is
 * appended and -1 is returned.
 */
int access_map_render(struct strbuf *out, const struct config *cfg, const struct plan *plan,
		      enum access_map_format format, size_t max_nodes);

#endif
