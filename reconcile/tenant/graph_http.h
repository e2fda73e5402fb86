/*
 * graph_http: the HTTP pieces of the graph backend that know nothing of
 * scheduling: checking URLs, reading Graph's error bodies and Retry-After,
 * computing backoff, and one libcurl easy handle per exchange (a transfer)
 * with a capped response body and the response headers the client needs.
 */
#ifndef B2B_GRAPH_HTTP_H
#define B2B_GRAPH_HTTP_H

#include "tenant.h"
#include "../../schema/base/strbuf.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdint.h>
#include <time.h>

/* A page bigger than this is refused, so a hostile answer cannot exhaust memory. */
#define GRAPH_MAX_BODY_BYTES (64u << 20)

/* 0 when url is https://, or http:// to a loopback host (127.0.0.0/8, ::1,
 * localhost); else -1 with b2b_error_set naming `what` (e.g. "--graph-url"). */
int graph_url_check(const char *url, const char *what);
/* 1 when link has the same scheme, host and port as base (default ports
 * filled in), 0 otherwise or when either does not parse. */
int graph_url_same_origin(const char *base, const char *link);
/* Appends path to sb, percent-encoding bytes that cannot stand in a URL
 * (controls, space, '"', '#', non-ASCII); everything else is kept as given. */
void graph_url_add_path(struct strbuf *sb, const char *path);

/* Milliseconds to wait for a Retry-After value (delta-seconds or HTTP date,
 * relative to now); -1 when absent or unreadable. */
long graph_retry_after_ms(const char *value, time_t now);
/* Full-jitter exponential backoff: a wait in [0, min(30 s, 0.5 s * 2^attempt)]
 * chosen by `random`. attempt counts from 0. */
long graph_backoff_ms(unsigned attempt, uint64_t random);

/* Fills err from a parsed Graph error body ({"error": {"code", "message",
 * "innerError"|"innererror": {"request-id"|"requestId", "date"}}}, nested
 * innerError tolerated). 0 when body had that shape, else -1 and err unchanged. */
int graph_error_from_json(struct graph_error *err, const json_t *body);
/* Fills err from a raw answer that was not a success: Graph's error body
 * when it is one, else a message saying what came instead (HTML page,
 * truncated JSON, nothing). header_request_id fills request_id when the body
 * has none. */
void graph_error_from_body(struct graph_error *err, long status, const char *content_type,
			   const char *body, size_t len, const char *header_request_id);
/* Parses a 2xx answer where JSON is expected: the value, or NULL with
 * err->code "InvalidResponse" and a message saying what was wrong. */
json_t *graph_json_from_body(struct graph_error *err, long status, const char *content_type,
			     const char *body, size_t len);
void graph_error_set(struct graph_error *err, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void graph_error_clear(struct graph_error *err);

/* One HTTP exchange on a libcurl easy handle. */
struct graph_transfer {
	CURL *easy;
	struct curl_slist *headers;
	char *url;
	char *method;
	struct strbuf request_body;
	struct strbuf response;
	char *content_type;
	char *request_id;
	char *retry_after;
	char errbuf[CURL_ERROR_SIZE];
	int too_large;
	CURLcode result;
	long status;
	long long started_ms;
	long long elapsed_ms;
	void *owner;
};

struct graph_transport_options {
	long connect_timeout_ms;
	long request_timeout_ms;
	const char *ca_file; /* NULL: the system store */
	const char *ca_dir;
};

/* A transfer ready for curl_multi_add_handle or curl_easy_perform. body may
 * be NULL; content_type applies to it. extra_headers are "Name: value" lines. */
struct graph_transfer *graph_transfer_new(const struct graph_transport_options *opts,
					  const char *method, const char *url, const char *body,
					  const char *content_type,
					  const char *const *extra_headers, size_t nr_headers);
/* Reads status and result after the exchange ended with `result`. */
void graph_transfer_finish(struct graph_transfer *x, CURLcode result);
/* 1 when the failure happened before anything was sent (resolve, connect). */
int graph_transfer_not_sent(const struct graph_transfer *x);
/* 1 when trying again cannot help (certificate rejected, answer too large, ...). */
int graph_transfer_permanent(const struct graph_transfer *x);
/* "connection refused: <curl's detail>", "answer larger than 64 MiB", ... */
char *graph_transfer_describe_failure(const struct graph_transfer *x);
void graph_transfer_free(struct graph_transfer *x);

long long graph_now_ms(void);

#endif
