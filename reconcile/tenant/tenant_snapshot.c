/*
 * tenant_snapshot: the tenant backend over a snapshot file. The file is
 * loaded into memgraph, which answers every request in-process exactly as
 * graph-emu would over HTTP; commit() writes the state back atomically
 * (temporary file in the same folder, fsync, rename, mode 0600). A run of
 * requests that only read is answered on two threads (memgraph takes
 * concurrent GETs), and its answers are delivered in order on the caller's
 * as they come.
 */
#include "tenant.h"
#include "memgraph.h"
#include "snapshot_parse.h"
#include "../../schema/base/background.h"
#include "../../schema/base/diag.h"
#include "../../schema/base/json_memory.h"
#include "../../schema/base/strbuf.h"
#include "../../schema/base/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SNAPSHOT_FORMAT "b2bctl-snapshot/1"
#define GRAPH_BASE      "https://graph.microsoft.com"
#define MAX_PAGES       100000
/* Threads that answer a run of reads; the guest listing is cut in as many partitions. */
#define READ_THREADS 2

struct snapshot_tenant {
	struct tenant base;
	char *path;
	struct memgraph *graph;
};

static char *dup_string(const json_t *v)
{
	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

static void set_error(struct tenant_request *req, const json_t *body)
{
	const json_t *err = json_object_get(body, "error");
	const json_t *inner = json_object_get(err, "innerError");

	free(req->error.code);
	free(req->error.message);
	free(req->error.request_id);
	free(req->error.date);
	req->error.code = dup_string(json_object_get(err, "code"));
	req->error.message = dup_string(json_object_get(err, "message"));
	req->error.request_id = dup_string(json_object_get(inner, "request-id"));
	req->error.date = dup_string(json_object_get(inner, "date"));
}

/* The path of an absolute nextLink/deltaLink, NULL when it is not ours. */
static const char *link_path(const char *link)
{
	if (!link || strncmp(link, GRAPH_BASE, strlen(GRAPH_BASE)))
		return NULL;
	return link + strlen(GRAPH_BASE);
}

/*
 * An answer the caller may change freely without reaching into memgraph's
 * state. Objects and arrays that memgraph still holds are copied; those made
 * for this answer (a $select view, a page) are kept and only their shared
 * descendants copied. Scalars are shared: nothing in b2bctl changes a JSON
 * scalar in place. A deep copy of every answer cost a fifth of a plan's read.
 */
static int is_container(const json_t *v)
{
	return json_is_object(v) || json_is_array(v);
}

/* Whether someone besides the caller holds v: the other reading thread may be
 * changing the count of a value memgraph holds, never of one made for an answer. */
static int is_shared(const json_t *v)
{
	return __atomic_load_n(&v->refcount, __ATOMIC_RELAXED) > 1;
}

static void unshare_children(json_t *v);

/* A copy of v whose containers are all new and whose scalars are all shared. */
static json_t *containers_copy(json_t *v)
{
	json_t *copy = json_copy(v);

	unshare_children(copy);
	return copy;
}

static void unshare_children(json_t *v)
{
	const char *key;
	json_t *child;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, key, child)
		{
			if (!is_container(child))
				continue;
			if (is_shared(child))
				json_object_set_new(v, key, containers_copy(child));
			else
				unshare_children(child);
		}
	} else {
		json_array_foreach(v, i, child)
		{
			if (!is_container(child))
				continue;
			if (is_shared(child))
				json_array_set_new(v, i, containers_copy(child));
			else
				unshare_children(child);
		}
	}
}

/* Takes the reference to v and returns one to an unshared equivalent. */
static json_t *unshared(json_t *v)
{
	json_t *copy;

	if (!is_container(v) || !is_shared(v)) {
		unshare_children(v);
		return v;
	}
	copy = containers_copy(v);
	json_decref(v);
	return copy;
}

static void run_one(struct snapshot_tenant *st, struct tenant_request *req)
{
	struct memgraph_request mreq = {req->method, req->path, req->body,
					!!(req->flags & TENANT_EVENTUAL)};
	struct memgraph_response res;
	int paged = !!(req->flags & (TENANT_PAGED | TENANT_DELTA));
	json_t *values = NULL;
	char *next = NULL;
	size_t pages = 0;

	json_decref(req->response);
	req->response = NULL;
	req->attempts = 1;
	for (;;) {
		const char *link;

		memgraph_handle(st->graph, &mreq, &res);
		free(next);
		next = NULL;
		req->status = res.status;
		if (res.status < 200 || res.status > 299 || !paged || !res.body) {
			if (res.status >= 400)
				set_error(req, res.body);
			json_decref(values);
			values = NULL;
			req->response = res.body ? unshared(res.body) : NULL;
			break;
		}
		if (!values)
			values = json_array();
		json_array_extend(values, json_object_get(res.body, "value"));
		link = link_path(json_string_value(json_object_get(res.body, "@odata.nextLink")));
		if (!link || ++pages >= MAX_PAGES) {
			const char *const carried[] = {"@odata.deltaLink", "@odata.count", NULL};
			const char *const *key;

			req->response = json_object();
			for (key = carried; *key; key++)
				if (json_object_get(res.body, *key))
					json_object_set(req->response, *key,
							json_object_get(res.body, *key));
			json_decref(res.body);
			json_object_set_new(req->response, "value", unshared(values));
			values = NULL;
			break;
		}
		next = xstrdup(link);
		json_decref(res.body);
		mreq.method = "GET";
		mreq.target = next;
		mreq.body = NULL;
	}
	free(next);
}

/*
 * A run of reads that threads take one request at a time from, in order. The
 * caller's thread delivers each answer as soon as it and those before it are
 * there, and answers requests itself while it waits.
 */
struct read_run {
	struct snapshot_tenant *st;
	struct tenant_request *reqs;
	size_t nr;
	atomic_size_t next;
	pthread_mutex_t lock;
	pthread_cond_t answer;
	unsigned char *answered; /* per request, under lock */
};

/* Answers the first request no thread has taken; 0 when there is none left. */
static int answer_next(struct read_run *run)
{
	size_t i = atomic_fetch_add(&run->next, 1);

	if (i >= run->nr)
		return 0;
	run_one(run->st, &run->reqs[i]);
	pthread_mutex_lock(&run->lock);
	run->answered[i] = 1;
	pthread_cond_broadcast(&run->answer);
	pthread_mutex_unlock(&run->lock);
	return 1;
}

static void *answer_reads(void *arg)
{
	while (answer_next(arg))
		;
	return NULL;
}

static int is_answered(struct read_run *run, size_t i)
{
	int answered;

	pthread_mutex_lock(&run->lock);
	answered = run->answered[i];
	pthread_mutex_unlock(&run->lock);
	return answered;
}

/* Returns once reqs[i] is answered, answering others meanwhile. */
static void await_answer(struct read_run *run, size_t i)
{
	while (!is_answered(run, i))
		if (!answer_next(run)) {
			pthread_mutex_lock(&run->lock);
			while (!run->answered[i])
				pthread_cond_wait(&run->answer, &run->lock);
			pthread_mutex_unlock(&run->lock);
		}
}

static int only_reads(const struct tenant_request *reqs, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (strcmp(reqs[i].method, "GET"))
			return 0;
	return 1;
}

static void deliver(struct tenant *t, struct tenant_request *reqs, size_t i, size_t nr)
{
	tenant_request_deliver_pages(&reqs[i]);
	if (t->progress)
		t->progress(t->progress_ctx, reqs[i].what, i + 1, nr);
}

/* Answers a run of reads on READ_THREADS threads, delivering in order as they come. */
static void run_reads(struct snapshot_tenant *st, struct tenant_request *reqs, size_t nr)
{
	struct read_run run = {
	    st, reqs, nr, 0, PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, xcalloc(nr, 1)};
	struct background helpers[READ_THREADS - 1];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(helpers); i++)
		background_start(&helpers[i], answer_reads, &run);
	for (i = 0; i < nr; i++) {
		await_answer(&run, i);
		deliver(&st->base, reqs, i, nr);
	}
	for (i = 0; i < ARRAY_SIZE(helpers); i++)
		background_wait(&helpers[i]);
	pthread_cond_destroy(&run.answer);
	pthread_mutex_destroy(&run.lock);
	free(run.answered);
}

static int snapshot_run(struct tenant *t, struct tenant_request *reqs, size_t nr)
{
	struct snapshot_tenant *st = (struct snapshot_tenant *)t;
	size_t i;

	if (nr > 1 && only_reads(reqs, nr)) {
		run_reads(st, reqs, nr);
		return 0;
	}
	for (i = 0; i < nr; i++) {
		run_one(st, &reqs[i]);
		deliver(t, reqs, i, nr);
	}
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int snapshot_commit(struct tenant *t)
{
	struct snapshot_tenant *st = (struct snapshot_tenant *)t;
	json_t *snap = memgraph_snapshot(st->graph);
	char *text = json_text(snap, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	char *tmp = xstrfmt("%s.tmp.XXXXXX", st->path);
	char *dir_copy = xstrdup(st->path);
	int fd, dir_fd, ret = -1;

	json_decref(snap);
	fd = mkstemp(tmp);
	if (fd < 0) {
		b2b_error_set("%s: cannot create a temporary file beside it: %s", st->path,
			      strerror(errno));
		goto out;
	}
	if (fchmod(fd, 0600) || write_all(fd, text, strlen(text)) || write_all(fd, "\n", 1) ||
	    fsync(fd)) {
		b2b_error_set("%s: cannot write %s: %s", st->path, tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd) || rename(tmp, st->path)) {
		b2b_error_set("%s: cannot replace it with %s: %s", st->path, tmp, strerror(errno));
		unlink(tmp);
		goto out;
	}
	dir_fd = open(dirname(dir_copy), O_RDONLY | O_DIRECTORY);
	if (dir_fd >= 0) {
		fsync(dir_fd);
		close(dir_fd);
	}
	ret = 0;
out:
	free(text);
	free(tmp);
	free(dir_copy);
	return ret;
}

static void snapshot_free(struct tenant *t)
{
	struct snapshot_tenant *st = (struct snapshot_tenant *)t;

	memgraph_free(st->graph);
	free(st->path);
	free(t->tenant_id);
	free(t->default_domain);
	free(st);
}

static const struct tenant_ops snapshot_ops = {
    "snapshot",
    snapshot_run,
    snapshot_commit,
    snapshot_free,
};

struct tenant *tenant_snapshot_open(const char *path)
{
	struct memgraph_options opts = {GRAPH_BASE, 0, 0};
	struct snapshot_tenant *st;
	json_error_t jerr;
	const char *format;
	json_t *snap;

	if (access(path, R_OK)) {
		b2b_error_set("%s: cannot read the tenant snapshot: %s", path, strerror(errno));
		return NULL;
	}
	snap = snapshot_parse_file(path, &jerr);
	if (!snap) {
		b2b_error_set("%s:%d:%d: the tenant snapshot is not valid JSON: %s", path,
			      jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	format = json_string_value(json_object_get(snap, "format"));
	if (!json_is_object(snap) || !format || strcmp(format, SNAPSHOT_FORMAT)) {
		b2b_error_set("%s: not a tenant snapshot: \"format\" must be \"%s\"%s%s%s", path,
			      SNAPSHOT_FORMAT, format ? " (it is \"" : "", format ? format : "",
			      format ? "\")" : "");
		json_decref(snap);
		return NULL;
	}
	st = xcalloc(1, sizeof(*st));
	st->base.tenant_id = dup_string(json_object_get(snap, "tenantId"));
	st->base.default_domain = dup_string(json_object_get(snap, "defaultDomain"));
	st->graph = memgraph_new_adopt(snap, &opts);
	if (!st->graph) {
		b2b_error_set("%s: %s", path, b2b_error_last());
		free(st->base.tenant_id);
		free(st->base.default_domain);
		free(st);
		return NULL;
	}
	st->path = xstrdup(path);
	st->base.ops = &snapshot_ops;
	st->base.parallelism = READ_THREADS;
	return &st->base;
}
