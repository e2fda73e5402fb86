/*
 * graph: prints the access map the configuration declares (cmd/access_map.c)
 * as Mermaid or Graphviz dot. Reads only the configuration.
 */
#include "access_map.h"
#include "builtin.h"
#include "common.h"

#include <stdio.h>
#include <string.h>

static const char *const graph_usage[] = {
    "b2bctl graph [PATH...] [--format mermaid|dot]",
    "",
    "Draws who gets what: partners, their guests (counted beyond three), the groups they",
    "join, the access packages that grant those groups and the conditional-access",
    "policies that cover them. Paste Mermaid into markdown; render dot with Graphviz.",
    NULL,
};

int cmd_graph(int argc, const char **argv)
{
	struct tenant_args ta = TENANT_ARGS_INIT;
	const char *format = "mermaid";
	struct option opts[] = {
	    OPT_STRING("format", 0, &format, "FORMAT", "mermaid (default) or dot"),
	    OPT_STRING("rev", 0, &ta.rev, "REV",
		       "read the configuration at a git revision, not the working tree"),
	    OPT_END(),
	};
	struct strbuf out = STRBUF_INIT;
	struct config *cfg;
	int nr;

	nr = parse_options(argc, argv, opts, graph_usage);
	if (nr == -2)
		return 0;
	if (nr < 0)
		return 1;
	if (strcmp(format, "mermaid") && strcmp(format, "dot")) {
		fprintf(stderr, "b2bctl graph: --format must be mermaid or dot, not '%s'\n",
			format);
		return 1;
	}
	cfg = load_config(&ta, "graph", argv, nr);
	if (!cfg)
		return 1;
	access_map_render(&out, cfg, NULL,
			  !strcmp(format, "dot") ? ACCESS_MAP_DOT : ACCESS_MAP_MERMAID, 0);
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
	config_free(cfg);
	return 0;
}
