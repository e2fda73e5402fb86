/*
 * tenant: what every backend shares: request bookkeeping, error text, and
 * dispatch through the ops table. See tenant.h.
 */
#include "tenant.h"
#include "../../schema/base/strbuf.h"
#include "../../schema/base/xalloc.h"

#include <stdarg.h>
#include <string.h>

void tenant_request_init(struct tenant_request *req, const char *method, json_t *body,
			 unsigned flags, const char *what, const char *path_fmt, ...)
{
	struct strbuf path = STRBUF_INIT;
	va_list ap;

	memset(req, 0, sizeof(*req));
	va_start(ap, path_fmt);
	strbuf_vaddf(&path, path_fmt, ap);
	va_end(ap);
	req->method = xstrdup(method);
	req->path = strbuf_detach(&path, NULL);
	req->body = body;
	req->flags = flags;
	req->what = xstrdup(what ? what : "");
}

static void graph_error_release(struct graph_error *e)
{
	free(e->code);
	free(e->message);
	free(e->request_id);
	free(e->date);
	memset(e, 0, sizeof(*e));
}

void tenant_request_release(struct tenant_request *req)
{
	free(req->method);
	free(req->path);
	free(req->what);
	json_decref(req->body);
	json_decref(req->response);
	graph_error_release(&req->error);
	memset(req, 0, sizeof(*req));
}

int tenant_request_ok(const struct tenant_request *req)
{
	return req->status >= 200 && req->status < 300;
}

int tenant_request_ambiguous(const struct tenant_request *req)
{
	return req->error.ambiguous || req->status == 0 || req->status >= 500;
}

char *tenant_request_describe_error(const struct tenant_request *req)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, req->what && *req->what ? req->what : req->path);
	if (req->status)
		strbuf_addf(&sb, ": HTTP %ld", req->status);
	else
		strbuf_addstr(&sb, ": no answer");
	if (req->error.code && *req->error.code)
		strbuf_addf(&sb, " %s", req->error.code);
	if (req->error.message && *req->error.message)
		strbuf_addf(&sb, ": %s", req->error.message);
	if (req->error.request_id || req->error.date) {
		strbuf_addstr(&sb, " (");
		if (req->error.request_id)
			strbuf_addf(&sb, "request-id %s", req->error.request_id);
		if (req->error.request_id && req->error.date)
			strbuf_addstr(&sb, ", ");
		if (req->error.date)
			strbuf_addf(&sb, "date %s", req->error.date);
		strbuf_addch(&sb, ')');
	}
	if (req->error.ambiguous)
		strbuf_addstr(&sb, "; the request may have reached Graph");
	return strbuf_detach(&sb, NULL);
}

void tenant_request_deliver_pages(struct tenant_request *req)
{
	json_t *value = json_object_get(req->response, "value");

	if (!req->on_page || !(req->flags & TENANT_PAGED) || !tenant_request_ok(req) ||
	    !json_is_array(value))
		return;
	json_incref(value);
	json_object_del(req->response, "value");
	req->on_page(req->page_ctx, value);
	json_decref(value);
}

int tenant_run(struct tenant *t, struct tenant_request *reqs, size_t nr)
{
	int ret;
	size_t i;

	if (!nr)
		return 0;
	ret = t->ops->run(t, reqs, nr);
	for (i = 0; i < nr; i++)
		tenant_request_deliver_pages(&reqs[i]);
	return ret;
}

int tenant_commit(struct tenant *t)
{
	return t->ops->commit ? t->ops->commit(t) : 0;
}

void tenant_free(struct tenant *t)
{
	if (t)
		t->ops->free(t);
}
