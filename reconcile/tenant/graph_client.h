/*
 * graph_client: internals of the graph backend that tests look at. The
 * backend itself is opened with tenant_graph_open() (tenant.h).
 */
#ifndef B2B_GRAPH_CLIENT_H
#define B2B_GRAPH_CLIENT_H

/* The sign-in and Graph base URLs of a national cloud ("public", "usgov",
 * "usgov-dod", "china"; NULL or "" is public). -1 for an unknown name. */
int graph_cloud_hosts(const char *cloud, const char **authority, const char **graph_url);

#endif
