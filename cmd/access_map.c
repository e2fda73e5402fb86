/*
 * access_map: the access map as Mermaid or Graphviz. See access_map.h.
 *
 * The map is built once as nodes and edges with opaque ids (n0, n1, ...), so
 * no name from the configuration ever becomes syntax; labels are escaped for
 * the output language.
 */
#include "access_map.h"
#include "../reconcile/live.h"
#include "../schema/base/xalloc.h"

#include <string.h>
#include <strings.h>

#define MAX_LISTED_GUESTS 3

enum node_shape {
	SHAPE_PARTNER,
	SHAPE_GUESTS,
	SHAPE_GROUP,
	SHAPE_PACKAGE,
	SHAPE_POLICY,
};

struct map_node {
	char *label;
	enum node_shape shape;
	char **addresses; /* plan addresses that mean this node changes */
	size_t addresses_nr, addresses_alloc;
	int changed, keep;
};

struct map_edge {
	size_t from, to;
	char *label;
	int dashed;
};

struct access_map {
	struct map_node *nodes;
	size_t nodes_nr, nodes_alloc;
	struct map_edge *edges;
	size_t edges_nr, edges_alloc;
};

static size_t add_node(struct access_map *m, enum node_shape shape, const char *label)
{
	struct map_node *n;

	ALLOC_GROW(m->nodes, m->nodes_nr + 1, m->nodes_alloc);
	n = &m->nodes[m->nodes_nr];
	memset(n, 0, sizeof(*n));
	n->shape = shape;
	n->label = xstrdup(label);
	return m->nodes_nr++;
}

static void node_address(struct access_map *m, size_t node, const char *fmt, const char *name)
{
	struct map_node *n = &m->nodes[node];

	ALLOC_GROW(n->addresses, n->addresses_nr + 1, n->addresses_alloc);
	n->addresses[n->addresses_nr++] = xstrfmt(fmt, name);
}

static void add_edge(struct access_map *m, size_t from, size_t to, const char *label, int dashed)
{
	struct map_edge *e;
	size_t i;

	for (i = 0; i < m->edges_nr; i++)
		if (m->edges[i].from == from && m->edges[i].to == to)
			return;
	ALLOC_GROW(m->edges, m->edges_nr + 1, m->edges_alloc);
	e = &m->edges[m->edges_nr++];
	e->from = from;
	e->to = to;
	e->label = label ? xstrdup(label) : NULL;
	e->dashed = dashed;
}

static void access_map_release(struct access_map *m)
{
	size_t i, j;

	for (i = 0; i < m->nodes_nr; i++) {
		free(m->nodes[i].label);
		for (j = 0; j < m->nodes[i].addresses_nr; j++)
			free(m->nodes[i].addresses[j]);
		free(m->nodes[i].addresses);
	}
	for (i = 0; i < m->edges_nr; i++)
		free(m->edges[i].label);
	free(m->nodes);
	free(m->edges);
}

/* Node index of each group, in cfg->groups order. */
static size_t group_node(const struct config *cfg, const size_t *group_nodes, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->groups_nr; i++)
		if (cfg->groups[i].name.value && !strcmp(cfg->groups[i].name.value, name))
			return group_nodes[i];
	return (size_t)-1;
}

static void add_guest_edges(struct access_map *m, const struct config *cfg,
			    const size_t *group_nodes, size_t from, const struct cfg_partner *p,
			    const struct cfg_guest *g)
{
	size_t k, to;

	for (k = 0; k < p->guest_groups.nr; k++)
		if ((to = group_node(cfg, group_nodes, p->guest_groups.items[k].value)) !=
		    (size_t)-1)
			add_edge(m, from, to, "member of", 0);
	for (k = 0; g && k < g->groups.nr; k++)
		if ((to = group_node(cfg, group_nodes, g->groups.items[k].value)) != (size_t)-1)
			add_edge(m, from, to, "member of", 0);
}

static void build_partners(struct access_map *m, const struct config *cfg,
			   const size_t *group_nodes, size_t *partner_nodes)
{
	size_t i, j;

	for (i = 0; i < cfg->partners_nr; i++) {
		const struct cfg_partner *p = &cfg->partners[i];
		size_t pn = add_node(m, SHAPE_PARTNER,
				     p->display_name.value ? p->display_name.value : p->name.value);

		partner_nodes[i] = pn;
		node_address(m, pn, "partner.%s", p->name.value);
		node_address(m, pn, "connected_organization.%s", p->name.value);
		if (!p->guests_nr)
			continue;
		if (p->guests_nr > MAX_LISTED_GUESTS) {
			char *label = xstrfmt("%zu guests", p->guests_nr);
			size_t gn = add_node(m, SHAPE_GUESTS, label);

			free(label);
			add_edge(m, pn, gn, NULL, 0);
			add_guest_edges(m, cfg, group_nodes, gn, p, NULL);
			for (j = 0; j < p->guests_nr; j++) {
				char *email = lowercase_dup(p->guests[j].email.value);

				node_address(m, gn, "guest.%s", email);
				add_guest_edges(m, cfg, group_nodes, gn, p, &p->guests[j]);
				free(email);
			}
			continue;
		}
		for (j = 0; j < p->guests_nr; j++) {
			char *email = lowercase_dup(p->guests[j].email.value);
			size_t gn = add_node(m, SHAPE_GUESTS, email);

			node_address(m, gn, "guest.%s", email);
			add_edge(m, pn, gn, NULL, 0);
			add_guest_edges(m, cfg, group_nodes, gn, p, &p->guests[j]);
			free(email);
		}
	}
}

static void build_packages(struct access_map *m, const struct config *cfg,
			   const size_t *group_nodes, const size_t *partner_nodes)
{
	size_t i, j, k, to;

	for (i = 0; i < cfg->access_packages_nr; i++) {
		const struct cfg_access_package *ap = &cfg->access_packages[i];
		size_t an = add_node(m, SHAPE_PACKAGE, ap->name.value);

		node_address(m, an, "access_package.%s", ap->name.value);
		node_address(m, an, "access_package_resource.%s/", ap->name.value);
		node_address(m, an, "access_package_policy.%s/", ap->name.value);
		for (j = 0; j < ap->groups.nr; j++)
			if ((to = group_node(cfg, group_nodes, ap->groups.items[j].value)) !=
			    (size_t)-1)
				add_edge(m, an, to, "grants", 0);
		for (j = 0; j < ap->policies_nr; j++) {
			const struct cfg_access_package_policy *pol = &ap->policies[j];
			int all = pol->all_partners.set && pol->all_partners.value;

			for (k = 0; k < cfg->partners_nr; k++) {
				const struct cfg_partner *p = &cfg->partners[k];
				int named = 0;
				size_t n;

				for (n = 0; n < pol->partners.nr; n++)
					if (!strcmp(pol->partners.items[n].value, p->name.value))
						named = 1;
				if (named || (all && p->connected_organization.value))
					add_edge(m, partner_nodes[k], an, "may request", 1);
			}
		}
	}
}

static void build_policies(struct access_map *m, const struct config *cfg,
			   const size_t *group_nodes, const size_t *partner_nodes)
{
	const struct cfg_conditional_access *ca = &cfg->conditional_access;
	size_t i, j, k, to;

	for (i = 0; i < ca->policies_nr; i++) {
		const struct cfg_ca_policy *pol = &ca->policies[i];
		size_t cn = add_node(m, SHAPE_POLICY, pol->name.value);

		node_address(m, cn, "conditional_access_policy.%s", pol->name.value);
		for (k = 0; k < cfg->partners_nr; k++) {
			int covered = pol->partners_all;

			for (j = 0; j < pol->partners.nr; j++)
				if (!strcmp(pol->partners.items[j].value,
					    cfg->partners[k].name.value))
					covered = 1;
			if (covered)
				add_edge(m, cn, partner_nodes[k], "applies to", 1);
		}
		for (j = 0; j < pol->exclude_groups.nr; j++)
			if ((to = group_node(cfg, group_nodes,
					     pol->exclude_groups.items[j].value)) != (size_t)-1)
				add_edge(m, cn, to, "excludes", 1);
	}
}

static int address_matches(const char *node_address, const char *action_address)
{
	size_t n = strlen(node_address);

	if (n && node_address[n - 1] == '/')
		return !strncmp(action_address, node_address, n);
	return !strcmp(action_address, node_address);
}

static void mark_changes(struct access_map *m, const struct plan *plan)
{
	size_t i, j, a;

	for (i = 0; i < m->nodes_nr; i++) {
		struct map_node *n = &m->nodes[i];

		for (a = 0; a < plan->nr && !n->changed; a++)
			for (j = 0; j < n->addresses_nr; j++)
				if (address_matches(n->addresses[j], plan->actions[a].address))
					n->changed = 1;
	}
	/* group_member.GROUP/... changes the group */
	for (a = 0; a < plan->nr; a++) {
		const char *addr = plan->actions[a].address;

		if (strncmp(addr, "group_member.", 13))
			continue;
		for (i = 0; i < m->nodes_nr; i++) {
			size_t len = strlen(m->nodes[i].label);

			if (m->nodes[i].shape == SHAPE_GROUP &&
			    !strncmp(addr + 13, m->nodes[i].label, len) && addr[13 + len] == '/')
				m->nodes[i].changed = 1;
		}
	}
	for (i = 0; i < m->nodes_nr; i++)
		m->nodes[i].keep = m->nodes[i].changed;
	for (i = 0; i < m->edges_nr; i++) {
		struct map_edge *e = &m->edges[i];

		if (m->nodes[e->from].changed)
			m->nodes[e->to].keep = 1;
		if (m->nodes[e->to].changed)
			m->nodes[e->from].keep = 1;
	}
}

/* Mermaid labels go inside "...": entities for what could end the label or form markup. */
static void add_mermaid_label(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '"':
			strbuf_addstr(out, "#quot;");
			break;
		case '<':
			strbuf_addstr(out, "#lt;");
			break;
		case '>':
			strbuf_addstr(out, "#gt;");
			break;
		case '#':
			strbuf_addstr(out, "#35;");
			break;
		case '\n':
		case '\r':
		case '`':
			strbuf_addch(out, ' ');
			break;
		default:
			strbuf_addch(out, *s);
		}
	}
}

static void add_dot_label(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_addch(out, '\\');
		if (*s == '\n' || *s == '\r')
			strbuf_addch(out, ' ');
		else
			strbuf_addch(out, *s);
	}
}

static void render_mermaid(struct strbuf *out, const struct access_map *m, int only_kept)
{
	static const char *const open[] = {"[[\"", "([\"", "[\"", "{{\"", "[/\""};
	static const char *const close[] = {"\"]]", "\"])", "\"]", "\"}}", "\"/]"};
	int any_changed = 0;
	size_t i;

	strbuf_addstr(out, "flowchart LR\n");
	for (i = 0; i < m->nodes_nr; i++) {
		const struct map_node *n = &m->nodes[i];

		if (only_kept && !n->keep)
			continue;
		strbuf_addf(out, "  n%zu%s", i, open[n->shape]);
		add_mermaid_label(out, n->label);
		strbuf_addf(out, "%s%s\n", close[n->shape], n->changed ? ":::changed" : "");
		any_changed |= n->changed;
	}
	for (i = 0; i < m->edges_nr; i++) {
		const struct map_edge *e = &m->edges[i];

		if (only_kept && (!m->nodes[e->from].keep || !m->nodes[e->to].keep))
			continue;
		strbuf_addf(out, "  n%zu %s", e->from, e->dashed ? "-.->" : "-->");
		if (e->label) {
			strbuf_addstr(out, "|\"");
			add_mermaid_label(out, e->label);
			strbuf_addstr(out, "\"|");
		}
		strbuf_addf(out, " n%zu\n", e->to);
	}
	if (any_changed)
		strbuf_addstr(out, "  classDef changed fill:#fff3b0,stroke:#b58900\n");
}

static void render_dot(struct strbuf *out, const struct access_map *m, int only_kept)
{
	static const char *const shape[] = {"box3d", "ellipse", "box", "hexagon", "parallelogram"};
	size_t i;

	strbuf_addstr(out, "digraph access {\n  rankdir=LR;\n");
	for (i = 0; i < m->nodes_nr; i++) {
		const struct map_node *n = &m->nodes[i];

		if (only_kept && !n->keep)
			continue;
		strbuf_addf(out, "  n%zu [shape=%s, label=\"", i, shape[n->shape]);
		add_dot_label(out, n->label);
		strbuf_addf(out, "\"%s];\n",
			    n->changed ? ", style=filled, fillcolor=\"#fff3b0\"" : "");
	}
	for (i = 0; i < m->edges_nr; i++) {
		const struct map_edge *e = &m->edges[i];

		if (only_kept && (!m->nodes[e->from].keep || !m->nodes[e->to].keep))
			continue;
		strbuf_addf(out, "  n%zu -> n%zu [", e->from, e->to);
		if (e->label) {
			strbuf_addstr(out, "label=\"");
			add_dot_label(out, e->label);
			strbuf_addstr(out, "\"");
		}
		strbuf_addf(out, "%sstyle=%s];\n", e->label ? ", " : "",
			    e->dashed ? "dashed" : "solid");
	}
	strbuf_addstr(out, "}\n");
}

int access_map_render(struct strbuf *out, const struct config *cfg, const struct plan *plan,
		      enum access_map_format format, size_t max_nodes)
{
	struct access_map m = {0};
	size_t *group_nodes = xcalloc(cfg->groups_nr + 1, sizeof(*group_nodes));
	size_t *partner_nodes = xcalloc(cfg->partners_nr + 1, sizeof(*partner_nodes));
	size_t i, drawn = 0;

	for (i = 0; i < cfg->groups_nr; i++) {
		group_nodes[i] = add_node(&m, SHAPE_GROUP, cfg->groups[i].name.value);
		node_address(&m, group_nodes[i], "group.%s", cfg->groups[i].name.value);
	}
	build_partners(&m, cfg, group_nodes, partner_nodes);
	build_packages(&m, cfg, group_nodes, partner_nodes);
	build_policies(&m, cfg, group_nodes, partner_nodes);
	if (plan)
		mark_changes(&m, plan);
	for (i = 0; i < m.nodes_nr; i++)
		if (!plan || m.nodes[i].keep)
			drawn++;
	if (!max_nodes || drawn <= max_nodes) {
		if (format == ACCESS_MAP_DOT)
			render_dot(out, &m, plan != NULL);
		else
			render_mermaid(out, &m, plan != NULL);
	}
	free(group_nodes);
	free(partner_nodes);
	access_map_release(&m);
	return max_nodes && drawn > max_nodes ? -1 : (int)drawn;
}
