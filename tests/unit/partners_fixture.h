/*
 * partners_fixture: what the unit tests of the settings and partner kinds
 * share: a configuration loaded from YAML text in a temporary folder, a diff
 * of one kind against a hand-built live model, a fake tenant that answers
 * canned Graph responses and records every request, and a one-action apply
 * context for driving apply_step by hand.
 */
#ifndef PARTNERS_FIXTURE_H
#define PARTNERS_FIXTURE_H

#include "reconcile/apply.h"
#include "schema/base/strbuf.h"
#include "schema/base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline struct config *fixture_config(const char *yaml, struct diag_list *diags)
{
	char dir[] = "/tmp/b2bctl-kind-test-XXXXXX";
	const char *paths[1];
	struct config *cfg;
	char *file;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	file = xstrfmt("%s/b2bctl.yaml", dir);
	f = fopen(file, "w");
	assert_non_null(f);
	fputs(yaml, f);
	fclose(f);
	paths[0] = dir;
	cfg = config_load(paths, 1, NULL, diags);
	unlink(file);
	rmdir(dir);
	free(file);
	return cfg;
}

/* Loads yaml and fails the test on any configuration error. */
static inline struct config *fixture_config_ok(const char *yaml)
{
	struct diag_list diags = DIAG_LIST_INIT;
	struct config *cfg = fixture_config(yaml, &diags);

	if (diag_count(&diags, DIAG_ERROR))
		diag_print_text(stderr, &diags);
	assert_int_equal(diag_count(&diags, DIAG_ERROR), 0);
	diag_list_release(&diags);
	return cfg;
}

static inline json_t *fixture_json(const char *text)
{
	json_error_t err;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &err);

	if (!j)
		fprintf(stderr, "fixture JSON: %s at %d:%d\n", err.text, err.line, err.column);
	assert_non_null(j);
	return j;
}

/* Runs one kind's diff the way reconcile_diff does (no tenant, an index over live). */
static inline struct plan *fixture_diff(const struct kind *kind, const struct config *cfg,
					json_t *live, struct diag_list *diags)
{
	struct reconcile_ctx ctx = {0};
	struct plan *plan = plan_new();

	ctx.cfg = cfg;
	ctx.live = live;
	ctx.diags = diags;
	ctx.index = live_index_build(live);
	assert_int_equal(kind->diff(&ctx, plan), 0);
	live_index_free(ctx.index);
	return plan;
}

/* Asserts that json `actual` equals the JSON text `expected` ("null" matches NULL). */
static inline void assert_json(const json_t *actual, const char *expected)
{
	json_t *want = fixture_json(expected);
	int same = actual ? json_equal((json_t *)actual, want) : json_is_null(want);

	if (!same) {
		char *got =
		    actual ? json_dumps(actual, JSON_COMPACT | JSON_ENCODE_ANY) : xstrdup("NULL");

		fprintf(stderr, "expected %s\n     got %s\n", expected, got);
		free(got);
	}
	json_decref(want);
	assert_true(same);
}

static inline const struct plan_change *find_change(const struct plan_action *a, const char *path)
{
	size_t i;

	for (i = 0; i < a->changes_nr; i++)
		if (!strcmp(a->changes[i].path, path))
			return &a->changes[i];
	return NULL;
}

static inline void assert_change(const struct plan_action *a, const char *path, const char *before,
				 const char *after)
{
	const struct plan_change *c = find_change(a, path);

	if (!c)
		fprintf(stderr, "%s: no change of %s\n", a->address, path);
	assert_non_null(c);
	assert_json(c->before, before);
	assert_json(c->after, after);
}

/* The fake tenant: answers from a table (first entry whose method matches and whose
 * path starts with `path`), 404 otherwise; records "METHOD PATH flags\n" per request. */
struct fake_answer {
	const char *method;
	const char *path;
	long status;
	const char *body; /* JSON text or NULL */
};

struct fake_tenant {
	struct tenant base;
	const struct fake_answer *answers;
	size_t answers_nr;
	size_t runs;
	size_t requests;
	struct strbuf log;
};

static inline int fake_run(struct tenant *t, struct tenant_request *reqs, size_t nr)
{
	struct fake_tenant *f = (struct fake_tenant *)t;
	size_t i, k;

	f->runs++;
	for (i = 0; i < nr; i++) {
		struct tenant_request *r = &reqs[i];

		f->requests++;
		r->attempts = 1;
		strbuf_addf(&f->log, "%s %s%s%s\n", r->method, r->path,
			    r->flags & TENANT_PAGED ? " paged" : "",
			    r->flags & TENANT_BATCHABLE ? " batchable" : "");
		r->status = 404;
		for (k = 0; k < f->answers_nr; k++) {
			const struct fake_answer *ans = &f->answers[k];

			if (strcmp(ans->method, r->method) ||
			    strncmp(ans->path, r->path, strlen(ans->path)))
				continue;
			r->status = ans->status;
			r->response = ans->body ? fixture_json(ans->body) : NULL;
			break;
		}
		if (r->status == 404 && !r->response) {
			r->error.code = xstrdup("Request_ResourceNotFound");
			r->error.message = xstrdup("Resource not found");
		}
	}
	return 0;
}

static inline void fake_free(struct tenant *t)
{
	(void)t;
}

static const struct tenant_ops fake_tenant_ops = {
    .name = "fake",
    .run = fake_run,
    .free = fake_free,
};

static inline void fake_tenant_init(struct fake_tenant *f, const struct fake_answer *answers,
				    size_t nr)
{
	memset(f, 0, sizeof(*f));
	f->base.ops = &fake_tenant_ops;
	f->answers = answers;
	f->answers_nr = nr;
	strbuf_init(&f->log, 0);
}

static inline void fake_tenant_release(struct fake_tenant *f)
{
	strbuf_release(&f->log);
}

/* Runs kinds' reads in order against t into a fresh live model. */
static inline json_t *fixture_read(const struct kind *const *read_kinds, size_t nr,
				   const struct config *cfg, struct tenant *t,
				   struct diag_list *diags)
{
	struct reconcile_ctx ctx = {0};
	size_t i;

	ctx.cfg = cfg;
	ctx.tenant = t;
	ctx.live = json_object();
	ctx.diags = diags;
	for (i = 0; i < nr; i++) {
		int ret = read_kinds[i]->read(&ctx);

		if (ret < 0)
			fprintf(stderr, "read %s: %s\n", read_kinds[i]->name, b2b_error_last());
		assert_int_equal(ret, 0);
	}
	return ctx.live;
}

/* An apply context for the one action `a` of plan. */
struct fixture_apply {
	struct apply_ctx ctx;
	json_t *state;
};

static inline void fixture_apply_init(struct fixture_apply *fa, struct plan *plan)
{
	memset(fa, 0, sizeof(*fa));
	fa->ctx.plan = plan;
	fa->ctx.outcomes = xcalloc(plan->nr ? plan->nr : 1, sizeof(*fa->ctx.outcomes));
	fa->ctx.ids = json_object();
	fa->state = json_object();
}

static inline void fixture_apply_release(struct fixture_apply *fa)
{
	size_t i;

	for (i = 0; i < fa->ctx.plan->nr; i++) {
		free(fa->ctx.outcomes[i].error);
		free(fa->ctx.outcomes[i].request_id);
	}
	free(fa->ctx.outcomes);
	json_decref(fa->ctx.ids);
	json_decref(fa->state);
}

/* Answers `req` as Graph would: status and body (JSON text or NULL). */
static inline void fixture_answer(struct tenant_request *req, long status, const char *body)
{
	req->status = status;
	req->response = body ? fixture_json(body) : NULL;
	if (status >= 400 && status != 404) {
		req->error.code = xstrdup(status >= 500 ? "ServiceUnavailable" : "Forbidden");
		req->error.message = xstrdup("refused by the test");
	}
	if (status == 0 || status >= 500)
		req->error.ambiguous = status == 0;
}

#endif
