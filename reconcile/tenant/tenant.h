/*
 * tenant: the one way into a tenant, whatever holds it.
 *
 * A tenant answers Microsoft Graph requests. Two backends implement it:
 *   graph     - Microsoft Graph over HTTPS (libcurl multi + jansson), with
 *               sign-in, paging, $batch, throttling and retries;
 *   snapshot  - a snapshot file (DESIGN.md §7) held in memory by memgraph,
 *               the same engine graph-emu serves over HTTP; apply writes the
 *               file back atomically on tenant_commit().
 * Because both speak Graph, every resource kind is written once: it builds
 * requests and parses Graph's answers, and never knows which backend it has.
 *
 * Requests go in bulk: tenant_run() takes an array and completes all of them,
 * concurrently where the backend can. It returns -1 only when the backend
 * itself failed (sign-in, every retry exhausted on the transport): per-request
 * outcomes are in each request's status and error.
 */
#ifndef B2B_TENANT_H
#define B2B_TENANT_H

#include <jansson.h>
#include <stddef.h>

enum tenant_request_flags {
	/* A collection: follow @odata.nextLink to the end and gather every page's
	 * `value` into response = {"value": [...]}. */
	TENANT_PAGED = 1 << 0,
	/* Send `ConsistencyLevel: eventual` (advanced queries; add $count=true yourself). */
	TENANT_EVENTUAL = 1 << 1,
	/* May travel inside a $batch with other requests of the same tenant_run(). */
	TENANT_BATCHABLE = 1 << 2,
	/* Retry a 404 (Request_ResourceNotFound) for a bounded time: the object was
	 * created moments ago and replication may not have caught up. */
	TENANT_RETRY_NOT_FOUND = 1 << 3,
	/* Graph's delta: follow nextLink to the deltaLink; response also carries
	 * "@odata.deltaLink". */
	TENANT_DELTA = 1 << 4,
};

struct graph_error {
	char *code;       /* Graph's error.code, e.g. Request_ResourceNotFound */
	char *message;    /* Graph's error.message, or a transport error */
	char *request_id; /* innerError.request-id */
	char *date;       /* innerError.date */
	/* A write that may have reached Graph although no answer came back
	 * (timeout, connection lost, 5xx after sending): look before retrying. */
	int ambiguous;
};

struct tenant_request {
	/* in (owned by the request; tenant_request_release frees them) */
	char *method; /* GET, POST, PATCH, PUT, DELETE */
	char *path;   /* "/v1.0/users?$filter=..." or "/beta/..." */
	json_t *body; /* NULL for none */
	unsigned flags;
	char *what; /* for messages: "list guests", "add alice@contoso.com to finance-readers" */
	/* Optional, for TENANT_PAGED: receives each page's `value` array (borrowed)
	 * as it arrives, and response then holds no `value`: a long collection is
	 * consumed page by page instead of being gathered whole. Pages of a request
	 * come in order; a request that fails may have delivered some already. */
	void (*on_page)(void *page_ctx, json_t *value);
	void *page_ctx;

	/* out */
	long status;      /* HTTP status; 0 when no answer came at all */
	json_t *response; /* the body (NULL for none or not JSON) */
	struct graph_error error;
	unsigned attempts; /* how many times it was sent */
};

/* Fills a request; path is printf-like. Takes ownership of body. */
void tenant_request_init(struct tenant_request *req, const char *method, json_t *body,
			 unsigned flags, const char *what, const char *path_fmt, ...)
    __attribute__((format(printf, 6, 7)));
void tenant_request_release(struct tenant_request *req);
/* Status 2xx. */
int tenant_request_ok(const struct tenant_request *req);
/* A write that may have been applied although no clear answer came (no answer,
 * a timeout, a 5xx): look before sending it again. */
int tenant_request_ambiguous(const struct tenant_request *req);
/* "what: HTTP 404 Request_ResourceNotFound: message (request-id R, date D)" */
char *tenant_request_describe_error(const struct tenant_request *req);

struct tenant;

struct tenant_ops {
	const char *name; /* "graph", "snapshot" */
	int (*run)(struct tenant *t, struct tenant_request *reqs, size_t nr);
	/* Persists writes (snapshot: atomic rewrite of the file); graph: no-op. */
	int (*commit)(struct tenant *t);
	void (*free)(struct tenant *t);
};

struct tenant {
	const struct tenant_ops *ops;
	char *tenant_id;      /* the host tenant's GUID */
	char *default_domain; /* initial domain (xyz.onmicrosoft.com), NULL when unknown */
	unsigned parallelism;
	/* Reports progress on stderr when set (the command decides). */
	void (*progress)(void *ctx, const char *what, size_t done, size_t total);
	void *progress_ctx;
};

int tenant_run(struct tenant *t, struct tenant_request *reqs, size_t nr);
/* For backends that gather pages: hands a finished request's `value` to its
 * on_page and drops it from the response (nothing to do when already streamed). */
void tenant_request_deliver_pages(struct tenant_request *req);
int tenant_commit(struct tenant *t);
void tenant_free(struct tenant *t);

/* The snapshot backend (tenant_snapshot.c): reads FILE; commit rewrites it. */
struct tenant *tenant_snapshot_open(const char *path);

/* Options of the graph backend, from the command line and environment. */
struct graph_options {
	const char *graph_url;      /* https://graph.microsoft.com */
	const char *authority_host; /* https://login.microsoftonline.com */
	const char *tenant_id;
	unsigned parallelism;    /* default 8 */
	long connect_timeout_ms; /* default 10000 */
	long request_timeout_ms; /* default 60000 */
	unsigned max_attempts;   /* default 6 */
	long deadline_ms;        /* overall retry budget per request; default 300000 */
	int debug;               /* trace requests on stderr, secrets redacted */
	/* "public" (default), "usgov", "usgov-dod" or "china": the login and Graph
	 * hosts of that cloud; graph_url and authority_host override them. */
	const char *cloud;
};

/* The graph backend (graph_client.c); credentials come from the environment. */
struct tenant *tenant_graph_open(const struct graph_options *opts);

#endif
