#include "memgraph_int.h"
void mg_delta(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res, int groups)
{
	(void)groups;
	mg_not_found(g, res, r->path);
}
void mg_policies(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res)
{
	mg_not_found(g, res, r->path);
}
void mg_tenant_relationships(struct memgraph *g, const struct mg_req *r,
			     struct memgraph_response *res)
{
	mg_not_found(g, res, r->path);
}
void mg_conditional_access(struct memgraph *g, const struct mg_req *r,
			   struct memgraph_response *res)
{
	mg_not_found(g, res, r->path);
}
void mg_entitlement(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res)
{
	mg_not_found(g, res, r->path);
}
void mg_entitlement_load(struct memgraph *g, const json_t *s)
{
	(void)g;
	(void)s;
}
void mg_batch(struct memgraph *g, const struct mg_req *r, struct memgraph_response *res)
{
	mg_not_found(g, res, r->path);
}
