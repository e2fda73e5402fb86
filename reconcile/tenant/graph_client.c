/*
 * graph_client: the graph tenant backend (tenant_graph_open) and its run():
 * completing an array of tenant requests against Microsoft Graph.
 *
 * run() turns the requests into jobs (one HTTP exchange each: a single
 * request, or up to 20 batchable ones in a $batch) and drives them through
 * one libcurl multi handle, at most `parallelism` in flight, over reused
 * connections. A finished exchange decides what comes next: the request is
 * done, its next page is queued, or it goes back in the queue to wait out
 * Retry-After or a backoff. Nothing that might repeat a write is resent: a
 * POST that may have reached Graph comes back marked ambiguous.
 */
#include "tenant.h"
#include "graph_auth.h"
#include "graph_client.h"
#include "graph_batch.h"
#include "graph_http.h"
#include "graph_redact.h"
#include "../../schema/base/diag.h"
#include "../../schema/base/json_memory.h"
#include "../../schema/base/strbuf.h"
#include "../../schema/base/xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MAX_PAGES           100000
#define NOT_FOUND_BUDGET_MS 30000
/* A 429 is Graph saying when to come back, not a failure: it may take this
 * many times max_attempts (still within the deadline) before giving up. */
#define THROTTLE_ATTEMPTS_FACTOR 4

struct graph_tenant {
	struct tenant base;
	char *graph_url; /* scheme://host[:port], no trailing slash */
	char *authority;
	struct graph_transport_options transport;
	struct graph_auth auth;
	struct graph_redactor redactor;
	unsigned max_attempts;
	long deadline_ms;
	int debug;
	CURLM *multi;
	uint64_t rng;
};

/* The fingerprints of the links a paged request followed, to catch loops. */
struct link_set {
	uint64_t *slots;
	size_t nr, alloc; /* alloc is a power of two; 0 is the empty slot */
};

/* One tenant_request while run() works on it. */
struct pending {
	struct tenant_request *req;
	json_t *values; /* paged: every page's value, gathered (unless req->on_page takes them) */
	json_t *count;  /* paged: the first page's @odata.count */
	char *page_url; /* absolute URL of the next page; NULL for the first */
	char *delta_link;
	struct link_set seen;
	unsigned pages;
	unsigned tries;    /* sends of the current page */
	unsigned failures; /* of those, answered 503/504 or not at all */
	long long page_started_ms;
	int done;
};

/* One HTTP exchange: a single request, or a $batch of up to 20. */
struct job {
	struct pending *one;
	struct pending *items[GRAPH_BATCH_MAX];
	size_t nr_items;
	const char *version; /* of a batch */
	unsigned batch_tries;
	long long not_before_ms;
	int reauthed;
	unsigned generation; /* of the token it was sent with */
	struct graph_transfer *xfer;
};

struct run_state {
	struct graph_tenant *g;
	struct pending *pending;
	size_t nr, done;
	struct job **queue;
	size_t queue_nr, queue_alloc;
	size_t in_flight;
	char *transport_failure; /* the first request that never got an answer */
};

static uint64_t next_random(struct graph_tenant *g)
{
	g->rng ^= g->rng << 13;
	g->rng ^= g->rng >> 7;
	g->rng ^= g->rng << 17;
	return g->rng;
}

static uint64_t link_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h ? h : 1;
}

/* 1 when link was there already; adds it otherwise. */
static int link_set_check_add(struct link_set *set, const char *link)
{
	uint64_t h = link_hash(link);
	size_t i, mask;

	if (2 * (set->nr + 1) > set->alloc) {
		struct link_set bigger = {NULL, 0, set->alloc ? 2 * set->alloc : 16};

		bigger.slots = xcalloc(bigger.alloc, sizeof(uint64_t));
		for (i = 0; i < set->alloc; i++) {
			size_t j;

			if (!set->slots[i])
				continue;
			for (j = set->slots[i] & (bigger.alloc - 1); bigger.slots[j];
			     j = (j + 1) & (bigger.alloc - 1))
				;
			bigger.slots[j] = set->slots[i];
			bigger.nr++;
		}
		free(set->slots);
		*set = bigger;
	}
	mask = set->alloc - 1;
	for (i = h & mask; set->slots[i]; i = (i + 1) & mask)
		if (set->slots[i] == h)
			return 1;
	set->slots[i] = h;
	set->nr++;
	return 0;
}

static int method_is_idempotent(const char *method)
{
	return strcmp(method, "POST") != 0;
}

static void trace(struct graph_tenant *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void trace(struct graph_tenant *g, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT, clean = STRBUF_INIT;
	va_list ap;

	if (!g->debug)
		return;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strbuf_addstr(&clean, "graph: ");
	graph_redact_addstr(&g->redactor, &clean, sb.buf);
	strbuf_addch(&clean, '\n');
	fputs(clean.buf, stderr);
	strbuf_release(&sb);
	strbuf_release(&clean);
}

static void report_progress(struct run_state *rs, struct pending *p)
{
	struct tenant *t = &rs->g->base;

	if (t->progress)
		t->progress(t->progress_ctx, p->req->what, rs->done, rs->nr);
}

static void redact_error(struct graph_tenant *g, struct graph_error *err)
{
	char *clean = graph_redact(&g->redactor, err->message);

	free(err->message);
	err->message = clean;
}

static void pending_finish(struct run_state *rs, struct pending *p)
{
	if (p->done)
		return;
	p->done = 1;
	rs->done++;
	redact_error(rs->g, &p->req->error);
	report_progress(rs, p);
}

/* Ends p without a usable answer; status 0 keeps tenant_request_ok() false. */
static void pending_fail(struct run_state *rs, struct pending *p, long status, const char *code,
			 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void pending_fail(struct run_state *rs, struct pending *p, long status, const char *code,
			 const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	p->req->status = status;
	json_decref(p->req->response);
	p->req->response = NULL;
	graph_error_set(&p->req->error, code, "%s", sb.buf);
	strbuf_release(&sb);
	pending_finish(rs, p);
}

static struct job *job_new(struct pending *one)
{
	struct job *job = xcalloc(1, sizeof(*job));

	job->one = one;
	return job;
}

static void job_free(struct job *job)
{
	if (!job)
		return;
	graph_transfer_free(job->xfer);
	free(job);
}

static void queue_push(struct run_state *rs, struct job *job, long wait_ms)
{
	graph_transfer_free(job->xfer);
	job->xfer = NULL;
	job->not_before_ms = graph_now_ms() + (wait_ms > 0 ? wait_ms : 0);
	ALLOC_GROW(rs->queue, rs->queue_nr + 1, rs->queue_alloc);
	rs->queue[rs->queue_nr++] = job;
}

/*
 * Whether an attempt that got `status` (0: no answer; sent: the request may
 * have left) is tried again: the wait in ms, or -1 to give up. *ambiguous is
 * set when a write may have happened and must not be resent.
 */
static long retry_wait(struct run_state *rs, struct pending *p, long status, int sent,
		       const char *retry_after, const char **reason, int *ambiguous)
{
	struct graph_tenant *g = rs->g;
	const struct tenant_request *req = p->req;
	int idempotent = method_is_idempotent(req->method);
	long long elapsed = graph_now_ms() - p->page_started_ms;
	long wait;

	*ambiguous = 0;
	*reason = NULL;
	if (status == 0) {
		if (sent && !idempotent) {
			*ambiguous = 1;
			return -1;
		}
		*reason = "no answer";
	} else if (status == 429) {
		*reason = "throttled (429)";
	} else if (status == 503 || status == 504) {
		if (!idempotent) {
			*ambiguous = 1;
			return -1;
		}
		*reason = status == 503 ? "service unavailable (503)" : "gateway timeout (504)";
	} else if (status == 404 && (req->flags & TENANT_RETRY_NOT_FOUND)) {
		if (elapsed >= NOT_FOUND_BUDGET_MS)
			return -1;
		*reason = "not found yet (404)";
		wait = graph_backoff_ms(p->tries, next_random(g));
		return elapsed + wait > NOT_FOUND_BUDGET_MS ? NOT_FOUND_BUDGET_MS - elapsed : wait;
	} else {
		if (status >= 500 && !idempotent)
			*ambiguous = 1;
		return -1;
	}
	if (status == 429 ? p->tries >= g->max_attempts * THROTTLE_ATTEMPTS_FACTOR
			  : ++p->failures >= g->max_attempts)
		return -1;
	wait = graph_retry_after_ms(retry_after, time(NULL));
	if (wait < 0)
		wait = graph_backoff_ms(p->tries - 1, next_random(g));
	if (elapsed + wait > g->deadline_ms)
		return -1;
	return wait;
}

static json_t *paged_response(struct pending *p)
{
	json_t *res = json_object();

	if (p->count)
		json_object_set(res, "@odata.count", p->count);
	if (!p->req->on_page)
		json_object_set(res, "value", p->values);
	if (p->delta_link)
		json_object_set_new(res, "@odata.deltaLink", json_string(p->delta_link));
	return res;
}

/* A page of a paged request came back 2xx with body; queue the next or finish. */
static void paged_page(struct run_state *rs, struct pending *p, long status, json_t *body)
{
	struct graph_tenant *g = rs->g;
	json_t *value = json_object_get(body, "value");
	const char *next = json_string_value(json_object_get(body, "@odata.nextLink"));
	const char *delta = json_string_value(json_object_get(body, "@odata.deltaLink"));

	p->pages++;
	if (!json_is_array(value)) {
		pending_fail(rs, p, 0, "InvalidResponse", "page %u: `value` is %s, not an array",
			     p->pages, value ? "present" : "missing");
		return;
	}
	if (p->pages == 1)
		p->count = json_incref(json_object_get(body, "@odata.count"));
	if (p->req->on_page) {
		p->req->on_page(p->req->page_ctx, value);
	} else {
		if (!p->values)
			p->values = json_array();
		json_array_extend(p->values, value);
	}
	if (next) {
		if (!graph_url_same_origin(g->graph_url, next)) {
			pending_fail(rs, p, 0, "UnsafeNextLink",
				     "page %u: refusing to follow @odata.nextLink to another host "
				     "(%s); expected %s",
				     p->pages, next, g->graph_url);
			return;
		}
		if (link_set_check_add(&p->seen, next)) {
			pending_fail(rs, p, 0, "NextLinkLoop",
				     "page %u: @odata.nextLink repeats an earlier link (%s)",
				     p->pages, next);
			return;
		}
		if (p->pages >= MAX_PAGES) {
			pending_fail(rs, p, 0, "TooManyPages", "more than %u pages", MAX_PAGES);
			return;
		}
		free(p->page_url);
		p->page_url = xstrdup(next);
		p->tries = p->failures = 0;
		p->page_started_ms = graph_now_ms();
		report_progress(rs, p);
		queue_push(rs, job_new(p), 0);
		return;
	}
	if (p->req->flags & TENANT_DELTA) {
		if (!delta) {
			pending_fail(rs, p, 0, "InvalidResponse",
				     "page %u: a delta page with neither @odata.nextLink nor "
				     "@odata.deltaLink",
				     p->pages);
			return;
		}
		p->delta_link = xstrdup(delta);
	}
	p->req->status = status;
	json_decref(p->req->response);
	p->req->response = paged_response(p);
	pending_finish(rs, p);
}

/* A 2xx answer. body: parsed JSON or NULL; body_error: why it is NULL. */
static void pending_success(struct run_state *rs, struct pending *p, long status, json_t *body,
			    const struct graph_error *body_error)
{
	struct tenant_request *req = p->req;
	int needs_json =
	    (req->flags & (TENANT_PAGED | TENANT_DELTA)) || !strcmp(req->method, "GET");

	if (!body && needs_json) {
		pending_fail(rs, p, 0, "InvalidResponse", "%s",
			     body_error && body_error->message ? body_error->message
							       : "no JSON in the answer");
		return;
	}
	if (req->flags & (TENANT_PAGED | TENANT_DELTA)) {
		paged_page(rs, p, status, body);
		return;
	}
	req->status = status;
	json_decref(req->response);
	req->response = json_incref(body);
	pending_finish(rs, p);
}

static void pending_http_error(struct run_state *rs, struct pending *p, long status, json_t *body,
			       const char *header_request_id, int ambiguous)
{
	struct tenant_request *req = p->req;

	req->status = status;
	json_decref(req->response);
	req->response = json_incref(body);
	graph_error_clear(&req->error);
	if (!body || graph_error_from_json(&req->error, body))
		graph_error_set(&req->error, NULL, "HTTP %ld without Graph's error object", status);
	if (!req->error.request_id && header_request_id)
		req->error.request_id = xstrdup(header_request_id);
	req->error.ambiguous = ambiguous;
	pending_finish(rs, p);
}

static void note_transport_failure(struct run_state *rs, struct pending *p, const char *why)
{
	if (!rs->transport_failure)
		rs->transport_failure =
		    xstrfmt("%s: %s", *p->req->what ? p->req->what : p->req->path, why);
}

static void single_done(struct run_state *rs, struct job *job)
{
	struct graph_tenant *g = rs->g;
	struct graph_transfer *x = job->xfer;
	struct pending *p = job->one;
	const char *reason = NULL;
	int ambiguous = 0;
	long wait;

	if (x->result != CURLE_OK) {
		char *why = graph_transfer_describe_failure(x);

		if (graph_transfer_permanent(x)) {
			trace(g, "%s %s -> %s (%lld ms)", x->method, x->url, why, x->elapsed_ms);
			pending_fail(rs, p, 0, x->too_large ? "InvalidResponse" : NULL, "%s", why);
			p->req->error.ambiguous =
			    x->too_large && !method_is_idempotent(p->req->method);
			if (!x->too_large)
				note_transport_failure(rs, p, why);
		} else if ((wait = retry_wait(rs, p, 0, !graph_transfer_not_sent(x), NULL, &reason,
					      &ambiguous)) >= 0) {
			trace(g, "%s %s -> %s (%lld ms); retry in %ld ms: %s", x->method, x->url,
			      why, x->elapsed_ms, wait, reason);
			queue_push(rs, job, wait);
			free(why);
			return;
		} else {
			trace(g, "%s %s -> %s (%lld ms)", x->method, x->url, why, x->elapsed_ms);
			pending_fail(rs, p, 0, NULL, "%s (after %u attempt%s)", why, p->tries,
				     p->tries == 1 ? "" : "s");
			p->req->error.ambiguous = ambiguous;
			if (!ambiguous)
				note_transport_failure(rs, p, why);
		}
		free(why);
		job_free(job);
		return;
	}

	if (x->status == 401 && !job->reauthed &&
	    graph_auth_invalidate(&g->auth, job->generation) == 0) {
		trace(g, "%s %s -> 401 (%lld ms, request-id %s); signing in again", x->method,
		      x->url, x->elapsed_ms, x->request_id ? x->request_id : "-");
		job->reauthed = 1;
		p->tries--;
		queue_push(rs, job, 0);
		return;
	}

	if (x->status >= 200 && x->status < 300) {
		struct graph_error body_error = {0};
		json_t *body = graph_json_from_body(&body_error, x->status, x->content_type,
						    x->response.buf, x->response.len);

		trace(g, "%s %s -> %ld (%lld ms, request-id %s)", x->method, x->url, x->status,
		      x->elapsed_ms, x->request_id ? x->request_id : "-");
		pending_success(rs, p, x->status, body, &body_error);
		json_decref(body);
		graph_error_clear(&body_error);
		job_free(job);
		return;
	}

	wait = retry_wait(rs, p, x->status, 1, x->retry_after, &reason, &ambiguous);
	if (wait >= 0) {
		trace(g, "%s %s -> %ld (%lld ms, request-id %s); retry in %ld ms: %s", x->method,
		      x->url, x->status, x->elapsed_ms, x->request_id ? x->request_id : "-", wait,
		      reason);
		queue_push(rs, job, wait);
		return;
	}
	trace(g, "%s %s -> %ld (%lld ms, request-id %s)", x->method, x->url, x->status,
	      x->elapsed_ms, x->request_id ? x->request_id : "-");
	p->req->status = x->status;
	graph_error_clear(&p->req->error);
	graph_error_from_body(&p->req->error, x->status, x->content_type, x->response.buf,
			      x->response.len, x->request_id);
	json_decref(p->req->response);
	p->req->response =
	    x->response.len ? json_loadb(x->response.buf, x->response.len, 0, NULL) : NULL;
	p->req->error.ambiguous = ambiguous;
	pending_finish(rs, p);
	job_free(job);
}

/* Puts the items of a failed batch that may be retried into a new batch. */
static void batch_retry_items(struct run_state *rs, struct job *job, struct pending **retry,
			      size_t nr, long wait)
{
	struct job *again;

	if (!nr)
		return;
	again = xcalloc(1, sizeof(*again));
	again->version = job->version;
	memcpy(again->items, retry, nr * sizeof(*retry));
	again->nr_items = nr;
	queue_push(rs, again, wait);
}

/* The whole $batch failed with status (0: no answer); decide for each item. */
static void batch_failed(struct run_state *rs, struct job *job, long status, int sent,
			 int permanent, const char *retry_after, const struct graph_error *err)
{
	struct pending *retry[GRAPH_BATCH_MAX];
	size_t i, nr_retry = 0;
	long max_wait = 0;

	for (i = 0; i < job->nr_items; i++) {
		struct pending *p = job->items[i];
		const char *reason;
		int ambiguous = sent && !method_is_idempotent(p->req->method);
		long wait = permanent
				? -1
				: retry_wait(rs, p, status, sent, retry_after, &reason, &ambiguous);

		if (wait >= 0) {
			retry[nr_retry++] = p;
			if (wait > max_wait)
				max_wait = wait;
			continue;
		}
		pending_fail(rs, p, status, err->code, "in a $batch: %s", err->message);
		p->req->error.ambiguous = ambiguous;
		if (err->request_id && !p->req->error.request_id)
			p->req->error.request_id = xstrdup(err->request_id);
		if (err->date && !p->req->error.date)
			p->req->error.date = xstrdup(err->date);
		if (!status && !ambiguous)
			note_transport_failure(rs, p, err->message);
	}
	trace(rs->g, "$batch: %zu of %zu requests to retry in %ld ms", nr_retry, job->nr_items,
	      max_wait);
	batch_retry_items(rs, job, retry, nr_retry, max_wait);
}

static void batch_item_done(struct run_state *rs, struct pending *p,
			    const struct graph_batch_item *item, struct pending **retry,
			    size_t *nr_retry, long *max_wait)
{
	const char *reason;
	int ambiguous;
	long wait;

	if (item->status >= 200 && item->status < 300) {
		struct graph_error body_error = {0};

		graph_error_set(&body_error, "InvalidResponse",
				"HTTP %ld: no JSON body in the $batch answer", item->status);
		pending_success(rs, p, item->status, item->body, &body_error);
		graph_error_clear(&body_error);
		return;
	}
	wait = retry_wait(rs, p, item->status, 1, item->retry_after, &reason, &ambiguous);
	if (wait >= 0) {
		trace(rs->g, "  $batch item %s %s -> %ld; retry in %ld ms: %s", p->req->method,
		      p->req->path, item->status, wait, reason);
		retry[(*nr_retry)++] = p;
		if (wait > *max_wait)
			*max_wait = wait;
		return;
	}
	if (!item->status) {
		pending_fail(rs, p, 0, NULL, "the $batch answer did not include this request");
		p->req->error.ambiguous = ambiguous;
		return;
	}
	pending_http_error(rs, p, item->status, item->body, item->request_id, ambiguous);
}

static void batch_done(struct run_state *rs, struct job *job)
{
	struct graph_tenant *g = rs->g;
	struct graph_transfer *x = job->xfer;
	struct graph_batch_item items[GRAPH_BATCH_MAX];
	struct pending *retry[GRAPH_BATCH_MAX];
	size_t i, nr_retry = 0;
	long max_wait = 0;
	json_t *answer = NULL;

	memset(items, 0, sizeof(items));
	if (x->result != CURLE_OK) {
		struct graph_error err = {0};

		err.message = graph_transfer_describe_failure(x);
		trace(g, "POST %s (%zu requests) -> %s (%lld ms)", x->url, job->nr_items,
		      err.message, x->elapsed_ms);
		batch_failed(rs, job, 0, !graph_transfer_not_sent(x) || x->too_large,
			     graph_transfer_permanent(x), NULL, &err);
		graph_error_clear(&err);
		job_free(job);
		return;
	}
	trace(g, "POST %s (%zu requests) -> %ld (%lld ms, request-id %s)", x->url, job->nr_items,
	      x->status, x->elapsed_ms, x->request_id ? x->request_id : "-");
	if (x->status == 401 && !job->reauthed &&
	    graph_auth_invalidate(&g->auth, job->generation) == 0) {
		job->reauthed = 1;
		for (i = 0; i < job->nr_items; i++)
			job->items[i]->tries--;
		queue_push(rs, job, 0);
		return;
	}
	if (x->status != 200) {
		struct graph_error err = {0};

		graph_error_from_body(&err, x->status, x->content_type, x->response.buf,
				      x->response.len, x->request_id);
		batch_failed(rs, job, x->status, 1, 0, x->retry_after, &err);
		graph_error_clear(&err);
		job_free(job);
		return;
	}
	answer = json_loadb(x->response.buf, x->response.len, 0, NULL);
	if (!answer || graph_batch_parse(items, job->nr_items, answer) < 0) {
		struct graph_error err = {0};

		if (answer)
			graph_error_set(&err, "InvalidResponse",
					"the $batch answer has no `responses` array");
		else
			json_decref(graph_json_from_body(&err, x->status, x->content_type,
							 x->response.buf, x->response.len));
		if (x->request_id)
			err.request_id = xstrdup(x->request_id);
		batch_failed(rs, job, 0, 1, 0, NULL, &err);
		graph_error_clear(&err);
		json_decref(answer);
		job_free(job);
		return;
	}
	for (i = 0; i < job->nr_items; i++)
		batch_item_done(rs, job->items[i], &items[i], retry, &nr_retry, &max_wait);
	batch_retry_items(rs, job, retry, nr_retry, max_wait);
	graph_batch_items_release(items, job->nr_items);
	json_decref(answer);
	job_free(job);
}

static void add_auth_headers(struct strbuf *auth_header, const char *token)
{
	strbuf_reset(auth_header);
	strbuf_addf(auth_header, "Authorization: Bearer %s", token);
}

static struct graph_transfer *job_transfer(struct run_state *rs, struct job *job, const char *token)
{
	struct graph_tenant *g = rs->g;
	struct strbuf url = STRBUF_INIT, auth = STRBUF_INIT;
	const char *headers[3];
	size_t nr_headers = 0;
	struct graph_transfer *x;
	char *body = NULL;

	add_auth_headers(&auth, token);
	headers[nr_headers++] = auth.buf;
	headers[nr_headers++] = "Accept: application/json";
	if (job->one) {
		struct tenant_request *req = job->one->req;

		if (job->one->page_url) {
			strbuf_addstr(&url, job->one->page_url);
		} else {
			strbuf_addstr(&url, g->graph_url);
			if (req->path[0] != '/')
				strbuf_addch(&url, '/');
			graph_url_add_path(&url, req->path);
		}
		if (req->flags & TENANT_EVENTUAL)
			headers[nr_headers++] = "ConsistencyLevel: eventual";
		if (req->body && !job->one->page_url)
			body = json_text(req->body, JSON_COMPACT);
		x = graph_transfer_new(&g->transport, req->method, url.buf, body,
				       body ? "application/json" : NULL, headers, nr_headers);
	} else {
		struct tenant_request *reqs[GRAPH_BATCH_MAX];
		json_t *batch;
		size_t i;

		for (i = 0; i < job->nr_items; i++)
			reqs[i] = job->items[i]->req;
		batch = graph_batch_body(reqs, job->nr_items);

		strbuf_addf(&url, "%s/%s/$batch", g->graph_url, job->version);
		body = json_text(batch, JSON_COMPACT);
		json_decref(batch);
		x = graph_transfer_new(&g->transport, "POST", url.buf, body, "application/json",
				       headers, nr_headers);
	}
	free(body);
	strbuf_release(&url);
	strbuf_release(&auth);
	x->owner = job;
	return x;
}

static void job_start(struct run_state *rs, struct job *job)
{
	struct graph_tenant *g = rs->g;
	size_t i;
	long long now = graph_now_ms();

	job->generation = g->auth.generation;
	job->xfer = job_transfer(rs, job, g->auth.token);
	if (job->one) {
		if (!job->one->tries && !job->one->pages)
			job->one->page_started_ms = now;
		job->one->tries++;
		job->one->req->attempts++;
	}
	for (i = 0; i < job->nr_items; i++) {
		if (!job->items[i]->tries)
			job->items[i]->page_started_ms = now;
		job->items[i]->tries++;
		job->items[i]->req->attempts++;
	}
	curl_multi_add_handle(g->multi, job->xfer->easy);
	rs->in_flight++;
}

/* Starts what is due, within the parallelism; -1 when sign-in failed. */
static int start_ready(struct run_state *rs)
{
	long long now = graph_now_ms();
	size_t i, kept = 0;

	for (i = 0; i < rs->queue_nr; i++) {
		struct job *job = rs->queue[i];

		if (rs->in_flight >= rs->g->base.parallelism || job->not_before_ms > now) {
			rs->queue[kept++] = job;
			continue;
		}
		if (!graph_auth_token(&rs->g->auth)) {
			for (; i < rs->queue_nr; i++)
				rs->queue[kept++] = rs->queue[i];
			rs->queue_nr = kept;
			return -1;
		}
		job_start(rs, job);
	}
	rs->queue_nr = kept;
	return 0;
}

/* How long to wait for transfers before the next job is due (at most cap). */
static int queue_wait_ms(const struct run_state *rs, int cap)
{
	long long now = graph_now_ms(), wait = cap;
	size_t i;

	if (rs->in_flight >= rs->g->base.parallelism)
		return cap;
	for (i = 0; i < rs->queue_nr; i++) {
		long long due = rs->queue[i]->not_before_ms - now;

		if (due <= 0)
			return 0;
		if (due < wait)
			wait = due;
	}
	return (int)wait;
}

static void collect_finished(struct run_state *rs)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(rs->g->multi, &left))) {
		struct graph_transfer *x = NULL;
		struct job *job;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		curl_multi_remove_handle(rs->g->multi, msg->easy_handle);
		rs->in_flight--;
		graph_transfer_finish(x, msg->data.result);
		job = x->owner;
		if (job->one)
			single_done(rs, job);
		else
			batch_done(rs, job);
	}
}

/* Sign-in failed: the queued jobs end unsent with that error; what is in flight finishes. */
static void abandon_queued(struct run_state *rs, const char *why)
{
	size_t i, j;

	for (i = 0; i < rs->queue_nr; i++) {
		struct job *job = rs->queue[i];

		if (job->one && !job->one->done)
			pending_fail(rs, job->one, 0, NULL, "not sent: %s", why);
		for (j = 0; j < job->nr_items; j++)
			if (!job->items[j]->done)
				pending_fail(rs, job->items[j], 0, NULL, "not sent: %s", why);
		job_free(job);
	}
	rs->queue_nr = 0;
}

static void enqueue_initial(struct run_state *rs)
{
	struct job *open_batch[2] = {NULL, NULL};
	static const char *const versions[2] = {"v1.0", "beta"};
	size_t i;
	int v;

	for (i = 0; i < rs->nr; i++) {
		struct pending *p = &rs->pending[i];
		const char *version = graph_batch_version(p->req->path);
		struct job *batch;

		if (!(p->req->flags & TENANT_BATCHABLE) || !version) {
			queue_push(rs, job_new(p), 0);
			continue;
		}
		v = !strcmp(version, "beta");
		batch = open_batch[v];
		if (!batch) {
			batch = open_batch[v] = xcalloc(1, sizeof(*batch));
			batch->version = versions[v];
		}
		batch->items[batch->nr_items++] = p;
		if (batch->nr_items == GRAPH_BATCH_MAX) {
			queue_push(rs, batch, 0);
			open_batch[v] = NULL;
		}
	}
	for (v = 0; v < 2; v++) {
		struct job *batch = open_batch[v];

		if (!batch)
			continue;
		if (batch->nr_items == 1) {
			queue_push(rs, job_new(batch->items[0]), 0);
			free(batch);
		} else {
			queue_push(rs, batch, 0);
		}
	}
}

static void pending_release(struct pending *p)
{
	json_decref(p->values);
	json_decref(p->count);
	free(p->page_url);
	free(p->delta_link);
	free(p->seen.slots);
}

static int graph_run(struct tenant *t, struct tenant_request *reqs, size_t nr)
{
	struct graph_tenant *g = (struct graph_tenant *)t;
	struct run_state rs = {0};
	char *signin_error = NULL;
	int ret = 0;
	size_t i;

	rs.g = g;
	rs.nr = nr;
	rs.pending = xcalloc(nr, sizeof(*rs.pending));
	for (i = 0; i < nr; i++) {
		rs.pending[i].req = &reqs[i];
		reqs[i].status = 0;
		reqs[i].attempts = 0;
		json_decref(reqs[i].response);
		reqs[i].response = NULL;
		graph_error_clear(&reqs[i].error);
	}
	enqueue_initial(&rs);

	while (rs.done < rs.nr) {
		int running, timeout;

		if (!signin_error && start_ready(&rs) < 0)
			signin_error = xstrdup(b2b_error_last());
		if (signin_error) {
			abandon_queued(&rs, signin_error);
			if (!rs.in_flight)
				break;
		}
		curl_multi_perform(g->multi, &running);
		collect_finished(&rs);
		if (rs.done >= rs.nr)
			break;
		if (!rs.in_flight && !rs.queue_nr) {
			b2b_error_set("graph client: lost track of %zu requests", rs.nr - rs.done);
			ret = -1;
			break;
		}
		timeout = queue_wait_ms(&rs, 1000);
		if (timeout > 0)
			curl_multi_poll(g->multi, NULL, 0, timeout, NULL);
	}
	if (signin_error) {
		b2b_error_set("%s", signin_error);
		free(signin_error);
		ret = -1;
	}
	if (!ret && rs.transport_failure) {
		char *clean = graph_redact(&g->redactor, rs.transport_failure);

		b2b_error_set("Microsoft Graph did not answer: %s", clean);
		free(clean);
		ret = -1;
	}
	for (i = 0; i < rs.queue_nr; i++)
		job_free(rs.queue[i]);
	free(rs.queue);
	for (i = 0; i < nr; i++)
		pending_release(&rs.pending[i]);
	free(rs.pending);
	free(rs.transport_failure);
	return ret;
}

static void graph_free(struct tenant *t)
{
	struct graph_tenant *g = (struct graph_tenant *)t;

	if (g->multi)
		curl_multi_cleanup(g->multi);
	graph_auth_release(&g->auth);
	graph_redact_release(&g->redactor);
	free(g->graph_url);
	free(g->authority);
	free(g->base.tenant_id);
	free(g->base.default_domain);
	free(g);
	curl_global_cleanup();
}

static const struct tenant_ops graph_ops = {
    .name = "graph",
    .run = graph_run,
    .commit = NULL,
    .free = graph_free,
};

static const struct cloud {
	const char *name;
	const char *authority;
	const char *graph;
} clouds[] = {
    {"public", "https://login.microsoftonline.com", "https://graph.microsoft.com"},
    {"usgov", "https://login.microsoftonline.us", "https://graph.microsoft.us"},
    {"usgov-dod", "https://login.microsoftonline.us", "https://dod-graph.microsoft.us"},
    {"china", "https://login.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn"},
};

int graph_cloud_hosts(const char *cloud, const char **authority, const char **graph_url)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(clouds); i++) {
		if (cloud && *cloud && strcmp(cloud, clouds[i].name))
			continue;
		*authority = clouds[i].authority;
		*graph_url = clouds[i].graph;
		return 0;
	}
	return -1;
}

/* url without trailing slashes, and without a trailing /v1.0 or /beta for the Graph URL. */
static char *base_url(const char *url, int strip_version)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, url);
	while (sb.len && sb.buf[sb.len - 1] == '/')
		strbuf_setlen(&sb, sb.len - 1);
	if (strip_version) {
		if (sb.len > 5 && !strcmp(sb.buf + sb.len - 5, "/v1.0"))
			strbuf_setlen(&sb, sb.len - 5);
		else if (sb.len > 5 && !strcmp(sb.buf + sb.len - 5, "/beta"))
			strbuf_setlen(&sb, sb.len - 5);
	}
	return strbuf_detach(&sb, NULL);
}

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

struct tenant *tenant_graph_open(const struct graph_options *opts)
{
	const char *cloud_authority, *cloud_graph;
	struct graph_tenant *g;

	if (graph_cloud_hosts(opts->cloud, &cloud_authority, &cloud_graph) < 0) {
		b2b_error_set("unknown cloud '%s': use public, usgov, usgov-dod or china",
			      opts->cloud);
		return NULL;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		b2b_error_set("cannot initialise libcurl");
		return NULL;
	}
	g = xcalloc(1, sizeof(*g));
	g->base.ops = &graph_ops;
	g->base.tenant_id = opts->tenant_id ? xstrdup(opts->tenant_id) : NULL;
	g->base.parallelism = opts->parallelism ? opts->parallelism : 8;
	g->graph_url =
	    base_url(opts->graph_url && *opts->graph_url ? opts->graph_url : cloud_graph, 1);
	g->authority = base_url(opts->authority_host && *opts->authority_host ? opts->authority_host
									      : cloud_authority,
				0);
	g->transport.connect_timeout_ms =
	    opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : 10000;
	g->transport.request_timeout_ms =
	    opts->request_timeout_ms > 0 ? opts->request_timeout_ms : 60000;
	g->transport.ca_file = env_nonempty("SSL_CERT_FILE");
	if (!g->transport.ca_file)
		g->transport.ca_file = env_nonempty("CURL_CA_BUNDLE");
	g->transport.ca_dir = env_nonempty("SSL_CERT_DIR");
	g->max_attempts = opts->max_attempts ? opts->max_attempts : 6;
	g->deadline_ms = opts->deadline_ms > 0 ? opts->deadline_ms : 300000;
	g->debug = opts->debug;
	g->rng = ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid() ^ (uint64_t)(uintptr_t)g;
	if (!g->rng)
		g->rng = 88172645463325252ULL;

	if (graph_url_check(g->graph_url, "the Graph URL (--graph-url, B2BCTL_GRAPH_URL)") < 0 ||
	    graph_url_check(g->authority,
			    "the authority host (--authority-host, AZURE_AUTHORITY_HOST)") < 0 ||
	    graph_auth_init(&g->auth, g->authority, opts->tenant_id, g->graph_url, &g->transport,
			    &g->redactor) < 0) {
		graph_free(&g->base);
		return NULL;
	}
	g->auth.debug = g->debug;
	g->multi = curl_multi_init();
	if (!g->multi)
		xalloc_die("curl_multi_init");
	curl_multi_setopt(g->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	curl_multi_setopt(g->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)g->base.parallelism);
	curl_multi_setopt(g->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)g->base.parallelism);
	curl_multi_setopt(g->multi, CURLMOPT_MAXCONNECTS, (long)g->base.parallelism);
	return &g->base;
}
