/*
 * Unit tests for the apply executor (reconcile/apply.c) with a fake tenant that
 * records every request and every tenant_run() round, and fake kinds whose
 * apply_step functions send one or two requests per action.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "reconcile/apply.h"
#include "schema/base/strbuf.h"
#include "schema/base/xalloc.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The fake tenant: no answer to paths holding "lost", 400 to paths holding "fail", 201 with a
 * fresh id to POSTs, 204 else. */
struct fake_tenant {
	struct tenant base;
	size_t runs;
	size_t requests;
	size_t largest_round;
	size_t commits;
	int commit_fails;
	volatile sig_atomic_t *stop_after_first_round;
	struct strbuf log; /* "round N: METHOD PATH\n" per request */
};

static int fake_run(struct tenant *t, struct tenant_request *reqs, size_t nr)
{
	struct fake_tenant *f = (struct fake_tenant *)t;
	size_t i;

	f->runs++;
	if (f->stop_after_first_round)
		*f->stop_after_first_round = 1;
	if (nr > f->largest_round)
		f->largest_round = nr;
	for (i = 0; i < nr; i++) {
		struct tenant_request *r = &reqs[i];

		f->requests++;
		r->attempts = 1;
		strbuf_addf(&f->log, "round %zu: %s %s\n", f->runs, r->method, r->path);
		if (strstr(r->path, "lost")) {
			r->error.message = xstrdup("connection lost");
			r->error.ambiguous = 1;
		} else if (strstr(r->path, "fail")) {
			r->status = 400;
			r->error.code = xstrdup("Request_BadRequest");
			r->error.message = xstrdup("Invalid value for displayName");
			r->error.request_id = xstrdup("rid-0042");
		} else if (!strcmp(r->method, "POST")) {
			r->status = 201;
			r->response = json_pack("{s:s+}", "id", "id-", r->path + 6);
		} else {
			r->status = 204;
		}
	}
	return 0;
}

static int fake_commit(struct tenant *t)
{
	struct fake_tenant *f = (struct fake_tenant *)t;

	f->commits++;
	return f->commit_fails ? b2b_error_set("tenant.json: cannot write: No space left") : 0;
}

static void fake_free(struct tenant *t)
{
	(void)t;
}

static const struct tenant_ops fake_ops = {"fake", fake_run, fake_commit, fake_free};

static void fake_tenant_init(struct fake_tenant *f)
{
	memset(f, 0, sizeof(*f));
	f->base.ops = &fake_ops;
	strbuf_init(&f->log, 0);
}

/*
 * One request per action: POST/PATCH/DELETE /fake/<address>. When the action's
 * data holds "ref", the resolved id is appended (?ref=ID); an unresolvable ref fails.
 */
static enum apply_step_result one_step(struct apply_ctx *ctx, const struct plan_action *action,
				       json_t *state, const struct tenant_request *prev,
				       struct tenant_request *next)
{
	static const char *const methods[] = {"POST", "PATCH", "DELETE"};
	const char *ref = NULL;

	(void)state;
	if (prev) {
		if (!tenant_request_ok(prev)) {
			apply_ctx_fail(ctx, action, prev, "write %s", action->name);
			return APPLY_STEP_FAILED;
		}
		if (action->op == PLAN_CREATE)
			apply_ctx_set_id(ctx, action->address,
					 json_string_value(json_object_get(prev->response, "id")));
		return APPLY_STEP_DONE;
	}
	if (json_object_get(action->data, "ref")) {
		ref = apply_ctx_resolve(ctx, action->data, "ref");
		if (!ref) {
			apply_ctx_fail(ctx, action, NULL, "reference does not resolve");
			return APPLY_STEP_FAILED;
		}
	}
	tenant_request_init(next, methods[action->op], NULL, TENANT_BATCHABLE, action->address,
			    "/fake/%s%s%s", action->address, ref ? "?ref=" : "", ref ? ref : "");
	return APPLY_STEP_MORE;
}

/* Two requests: a GET that looks, then the write; `state` counts the steps. */
static enum apply_step_result two_steps(struct apply_ctx *ctx, const struct plan_action *action,
					json_t *state, const struct tenant_request *prev,
					struct tenant_request *next)
{
	json_int_t seen = json_integer_value(json_object_get(state, "seen"));

	json_object_set_new(state, "seen", json_integer(seen + 1));
	if (seen == 0) {
		tenant_request_init(next, "GET", NULL, 0, "look", "/fake/look/%s", action->name);
		return APPLY_STEP_MORE;
	}
	if (seen == 1) {
		assert_non_null(prev);
		assert_string_equal(prev->method, "GET");
		return one_step(ctx, action, state, NULL, next);
	}
	return one_step(ctx, action, state, prev, next);
}

static const struct kind fake_group = {.name = "group", .apply_step = one_step};
static const struct kind fake_member = {.name = "group_member", .apply_step = one_step};
static const struct kind fake_guest = {.name = "guest", .apply_step = two_steps};
static const struct kind fake_ca = {.name = "conditional_access_policy", .apply_step = one_step};
static const struct kind fake_partner = {.name = "partner", .apply_step = one_step};
static const struct kind fake_policy = {.name = "access_package_policy", .apply_step = one_step};
static const struct kind no_apply = {.name = "catalog"};

/* Creates in one group ("/fake/group_member.GROUP/...") join, 3 at most. */
static char *fake_join_key(const struct tenant_request *req)
{
	const char *group = req->path + strlen("/fake/group_member.");

	if (strcmp(req->method, "POST"))
		return NULL;
	return xstrndup(group, strcspn(group, "/"));
}

/* PATCH /fake/joint/GROUP?ADDRESS,ADDRESS,... */
static void fake_join_build(const struct tenant_request *const *parts, size_t nr,
			    struct tenant_request *joint)
{
	struct strbuf path = STRBUF_INIT;
	char *group = fake_join_key(parts[0]);
	size_t i;

	strbuf_addf(&path, "/fake/joint/%s?", group);
	for (i = 0; i < nr; i++)
		strbuf_addf(&path, "%s%s", i ? "," : "", parts[i]->what);
	tenant_request_init(joint, "PATCH", NULL, TENANT_BATCHABLE, "joint", "%s", path.buf);
	strbuf_release(&path);
	free(group);
}

static const struct kind fake_joining_member = {.name = "group_member",
						.apply_step = one_step,
						.join_max = 3,
						.join_key = fake_join_key,
						.join_build = fake_join_build};

struct fixture {
	struct fake_tenant tenant;
	struct plan *plan;
	struct apply_ctx ctx;
	struct apply_options opts;
	char *report;
	size_t report_len;
};

static int setup(void **state)
{
	struct fixture *fx = xcalloc(1, sizeof(*fx));

	fake_tenant_init(&fx->tenant);
	fx->plan = plan_new();
	fx->ctx.tenant = &fx->tenant.base;
	fx->ctx.plan = fx->plan;
	fx->opts.max_destroy = 10;
	fx->opts.report = open_memstream(&fx->report, &fx->report_len);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	fclose(fx->opts.report);
	free(fx->report);
	apply_ctx_release(&fx->ctx);
	plan_free(fx->plan);
	strbuf_release(&fx->tenant.log);
	free(fx);
	return 0;
}

static const char *report_text(struct fixture *fx)
{
	fflush(fx->opts.report);
	return fx->report ? fx->report : "";
}

static struct plan_action *add(struct fixture *fx, const struct kind *kind, enum plan_op op,
			       const char *name)
{
	return plan_add_action(fx->plan, kind, op, name, NULL);
}

static enum apply_result result_of(struct fixture *fx, const char *address)
{
	struct plan_action *a = plan_find(fx->plan, address);

	assert_non_null(a);
	return fx->ctx.outcomes[a - fx->plan->actions].result;
}

static void test_dependency_waits_and_resolves_id_by_address(void **state)
{
	struct fixture *fx = *state;
	struct plan_action *member;

	member = add(fx, &fake_member, PLAN_CREATE, "finance/alice@contoso.com");
	plan_action_depends_on(member, "group.finance");
	member->data = json_pack("{s:{s:s}}", "ref", "address", "group.finance");
	add(fx, &fake_group, PLAN_CREATE, "finance");

	assert_int_equal(apply_plan(&fx->ctx, &fx->opts), 0);
	assert_string_equal(fx->tenant.log.buf,
			    "round 1: POST /fake/group.finance\n"
			    "round 2: POST /fake/group_member.finance/alice@contoso.com"
			    "?ref=id-group.finance\n");
	assert_string_equal(apply_ctx_id(&fx->ctx, "group.finance"), "id-group.finance");
	assert_non_null(strstr(report_text(fx), "+ group.finance: created\n"));
	assert_non_null(strstr(report_text(fx), "Apply complete: 2 created, 0 updated, 0 deleted, "
						"0 failed, 0 skipped.\n"));
	assert_int_equal(fx->tenant.commits, 1);
}

static void test_independent_actions_share_one_round(void **state)
{
	struct fixture *fx = *state;

	add(fx, &fake_group, PLAN_CREATE, "a");
	add(fx, &fake_group, PLAN_UPDATE, "b");
	add(fx, &fake_member, PLAN_CREATE, "a/x@contoso.com");
	add(fx, &fake_guest, PLAN_CREATE, "x@contoso.com");

	assert_int_equal(apply_plan(&fx->ctx, &fx->opts), 0);
	/* Round 1: three writes and the guest's look-up; round 2: the guest's write. */
	assert_int_equal(fx->tenant.runs, 2);
	assert_int_equal(fx->tenant.largest_round, 4);
	assert_int_equal(fx->tenant.requests, 5);
	assert_non_null(strstr(fx->tenant.log.buf, "round 2: POST /fake/guest.x@contoso.com\n"));
	assert_non_null(strstr(report_text(fx), "~ group.b: updated\n"));
}

static void test_failure_skips_dependents_only(void **state)
{
	struct fixture *fx = *state;
	struct plan_action *a;

	add(fx, &fake_group, PLAN_CREATE, "fail");
	a = add(fx, &fake_member, PLAN_CREATE, "fail/bob@contoso.com");
	plan_action_depends_on(a, "group.fail");
	a = add(fx, &fake_member, PLAN_CREATE, "fail/carol@contoso.com");
	plan_action_depends_on(a, "group_member.fail/bob@contoso.com");
	add(fx, &fake_group, PLAN_CREATE, "fine");

	assert_int_equal(apply_plan(&fx->ctx, &fx->opts), -1);
	assert_int_equal(result_of(fx, "group.fail"), APPLY_FAILED);
	assert_int_equal(result_of(fx, "group_member.fail/bob@contoso.com"), APPLY_SKIPPED);
	assert_int_equal(result_of(fx, "group_member.fail/carol@contoso.com"), APPLY_SKIPPED);
	assert_int_equal(result_of(fx, "group.fine"), APPLY_APPLIED);
	assert_int_equal(fx->tenant.requests, 2);
	assert_non_null(strstr(report_text(fx),
			       "! group.fail: failed: write fail: group.fail: HTTP 400 "
			       "Request_BadRequest: Invalid value for displayName (request-id "
			       "rid-0042)\n"));
	assert_non_null(strstr(report_text(fx), "- group_member.fail/bob@contoso.com: skipped: "
						"depends on group.fail, which failed\n"));
	assert_non_null(strstr(report_text(fx),
			       "- group_member.fail/carol@contoso.com: skipped: depends on "
			       "group_member.fail/bob@contoso.com, which was skipped\n"));
	assert_non_null(strstr(report_text(fx), "Apply complete: 1 created, 0 updated, 0 deleted, "
						"1 failed, 2 skipped.\n"));
	assert_string_equal(fx->ctx.outcomes[0].request_id, "rid-0042");
	/* What was applied is kept even though the apply failed. */
	assert_int_equal(fx->tenant.commits, 1);
}

static void test_max_destroy_refuses_before_any_request(void **state)
{
	struct fixture *fx = *state;

	add(fx, &fake_member, PLAN_DELETE, "g/a@contoso.com");
	add(fx, &fake_member, PLAN_DELETE, "g/b@contoso.com");
	add(fx, &fake_member, PLAN_DELETE, "g/c@contoso.com");
	add(fx, &fake_group, PLAN_CREATE, "g2");
	fx->opts.max_destroy = 2;

	assert_int_equal(apply_plan(&fx->ctx, &fx->opts), -1);
	assert_string_equal(b2b_error_last(),
			    "the plan deletes 3 objects; maxDestroy is 2 (settings.maxDestroy or "
			    "--max-destroy): refusing to apply");
	assert_int_equal(fx->tenant.requests, 0);
	assert_int_equal(fx->tenant.commits, 0);

	fx->opts.max_destroy = 3;
	assert_int_equal(apply_plan(&fx->ctx, &fx->opts), 0);
	assert_int_equal(fx->tenant.requests, 4);
	assert_non_null(strstr(report_text(fx), "- group_member.g/a@contoso.com: deleted\n"));
}

/* A configuration in memory: partner contoso (pruneGuests as given), groups and CA. */
struct test_config {
	struct config cfg;
	struct cfg_partner partner;
	struct cfg_str domain;
	struct cfg_group groups[2];
	struct cfg_access_package package;
};

static void test_config_init(struct test_config *tc, int prune_guests)
{
	memset(tc, 0, sizeof(*tc));
	tc->domain.value = "Contoso.com";
	tc->partner.name.value = "contoso";
	tc->partner.domains.items = &tc->domain;
	tc->partner.domains.nr = 1;
	tc->partner.prune_guests.set = 1;
	tc->partner.prune_guests.value = prune_guests;
	tc->cfg.partners = &tc->partner;
	tc->cfg.partners_nr = 1;
	tc->groups[0].name.value = "team/finance";
	tc->groups[1].name.value = "open";
	tc->groups[1].membership.set = 1;
	tc->groups[1].membership.value = MEMBERSHIP_ADDITIVE;
	tc->cfg.groups = tc->groups;
	tc->cfg.groups_nr = 2;
	tc->package.name.value = "Partner finance access";
	tc->cfg.access_packages = &tc->package;
	tc->cfg.access_packages_nr = 1;
}

static void assert_refused(struct fixture *fx, const char *needle)
{
	assert_int_equal(apply_plan(&fx->ctx, &fx->opts), -1);
	assert_non_null(strstr(b2b_error_last(), needle));
	assert_int_equal(fx->tenant.requests, 0);
}

static void test_guest_delete_needs_prune_guests(void **state)
{
	struct fixture *fx = *state;
	struct test_config tc;

	test_config_init(&tc, 0);
	fx->ctx.cfg = &tc.cfg;
	add(fx, &fake_group, PLAN_CREATE, "ok");
	add(fx, &fake_guest, PLAN_DELETE, "old@contoso.com");
	assert_refused(fx, "deletes guest.old@contoso.com outside any prune scope (partner "
			   "contoso does not set pruneGuests)");

	tc.partner.prune_guests.value = 1;
	assert_int_equal(apply_check_deletes(fx->plan, &tc.cfg, 10), 0);
	add(fx, &fake_guest, PLAN_DELETE, "x@fabrikam.com");
	assert_int_equal(apply_check_deletes(fx->plan, &tc.cfg, 10), -1);
	assert_non_null(strstr(b2b_error_last(), "no partner declares the domain fabrikam.com"));
}

static void test_member_delete_needs_authoritative_group(void **state)
{
	struct fixture *fx = *state;
	struct test_config tc;

	test_config_init(&tc, 0);
	fx->ctx.cfg = &tc.cfg;
	add(fx, &fake_member, PLAN_DELETE, "team/finance/bob@hostcorp.com");
	assert_int_equal(apply_check_deletes(fx->plan, &tc.cfg, 10), 0);
	add(fx, &fake_member, PLAN_DELETE, "open/bob@hostcorp.com");
	assert_refused(fx, "group_member.open/bob@hostcorp.com outside any prune scope");
	plan_free(fx->plan);
	fx->plan = fx->ctx.plan = plan_new();
	add(fx, &fake_member, PLAN_DELETE, "undeclared/bob@hostcorp.com");
	assert_refused(fx, "its group is not declared with membership: authoritative");
}

static void test_ca_delete_needs_prune_and_prefix(void **state)
{
	struct fixture *fx = *state;
	struct test_config tc;

	test_config_init(&tc, 0);
	fx->ctx.cfg = &tc.cfg;
	add(fx, &fake_ca, PLAN_DELETE, "B2B - old");
	assert_refused(fx, "conditionalAccess.prune is not true");
	tc.cfg.conditional_access.prune.set = 1;
	tc.cfg.conditional_access.prune.value = 1;
	assert_refused(fx, "conditionalAccess.namePrefix is not set");
	tc.cfg.conditional_access.name_prefix.value = "B2B - ";
	assert_int_equal(apply_check_deletes(fx->plan, &tc.cfg, 10), 0);
	tc.cfg.conditional_access.name_prefix.value = "Partners - ";
	assert_refused(fx, "does not start with the namePrefix \"Partners - \"");
}

static void test_other_deletes_are_refused(void **state)
{
	struct fixture *fx = *state;
	struct test_config tc;

	test_config_init(&tc, 1);
	fx->ctx.cfg = &tc.cfg;
	add(fx, &fake_policy, PLAN_DELETE, "Partner finance access/Old policy");
	assert_int_equal(apply_check_deletes(fx->plan, &tc.cfg, 10), 0);
	add(fx, &fake_policy, PLAN_DELETE, "Other package/Old policy");
	assert_refused(fx, "its access package is not declared");
	plan_free(fx->plan);
	fx->plan = fx->ctx.plan = plan_new();
	add(fx, &fake_partner, PLAN_DELETE, "contoso");
	assert_refused(fx, "partner objects are never deleted");
	/* Without a configuration (nothing to check against) only maxDestroy applies. */
	assert_int_equal(apply_check_deletes(fx->plan, NULL, 1), 0);
	assert_int_equal(apply_check_deletes(fx->plan, NULL, 0), -1);
}

static void test_kind_without_apply_fails_clearly(void **state)
{
	struct fixture *fx = *state;

	add(fx, &no_apply, PLAN_CREATE, "Partner collaboration");
	add(fx, &fake_group, PLAN_CREATE, "g");
	assert_int_equal(apply_plan(&fx->ctx, &fx->opts), -1);
	assert_non_null(strstr(report_text(fx), "! catalog.Partner collaboration: failed: b2bctl "
						"cannot apply catalog changes yet\n"));
	assert_int_equal(result_of(fx, "group.g"), APPLY_APPLIED);
}

static void test_ids_start_from_live_and_action_data(void **state)
{
	struct fixture *fx = *state;
	struct plan_action *a;
	json_t *live =
	    json_pack("{s:[{s:s, s:s}], s:[{s:s, s:s, s:s}]}", "groups", "id", "g-1", "displayName",
		      "existing", "users", "id", "u-1", "userPrincipalName",
		      "alice_contoso.com#EXT#@host.onmicrosoft.com", "userType", "Guest");

	fx->ctx.live = live;
	a = add(fx, &fake_member, PLAN_CREATE, "existing/alice@contoso.com");
	a->data = json_pack("{s:{s:s}}", "ref", "address", "group.existing");
	a = add(fx, &fake_group, PLAN_UPDATE, "renamed");
	a->data = json_pack("{s:s}", "id", "g-2");
	a = add(fx, &fake_member, PLAN_CREATE, "renamed/alice@contoso.com");
	a->data = json_pack("{s:{s:s}}", "ref", "id", "g-2");
	a = add(fx, &fake_member, PLAN_CREATE, "nowhere/alice@contoso.com");
	a->data = json_pack("{s:{s:s}}", "ref", "address", "group.nowhere");

	assert_int_equal(apply_plan(&fx->ctx, &fx->opts), -1);
	assert_string_equal(apply_ctx_id(&fx->ctx, "guest.alice@contoso.com"), "u-1");
	assert_string_equal(apply_ctx_id(&fx->ctx, "group.renamed"), "g-2");
	assert_non_null(strstr(fx->tenant.log.buf,
			       "POST /fake/group_member.existing/alice@contoso.com?ref=g-1\n"));
	assert_non_null(strstr(fx->tenant.log.buf,
			       "POST /fake/group_member.renamed/alice@contoso.com?ref=g-2\n"));
	assert_non_null(strstr(report_text(fx), "! group_member.nowhere/alice@contoso.com: failed: "
						"reference does not resolve\n"));
	json_decref(live);
}

static void test_log_file_has_one_json_line_per_action(void **state)
{
	struct fixture *fx = *state;
	char path[] = "/tmp/b2bctl-apply-log-XXXXXX";
	int fd = mkstemp(path);
	json_t *line;
	json_error_t err;
	FILE *in;
	char buf[1024];
	size_t lines = 0;

	assert_true(fd >= 0);
	close(fd);
	add(fx, &fake_group, PLAN_CREATE, "fail");
	add(fx, &fake_group, PLAN_CREATE, "ok");
	fx->opts.log_file = path;
	fx->opts.git_commit = "0123abc";
	assert_int_equal(apply_plan(&fx->ctx, &fx->opts), -1);

	in = fopen(path, "r");
	assert_non_null(in);
	while (fgets(buf, sizeof(buf), in)) {
		line = json_loads(buf, 0, &err);
		assert_non_null(line);
		assert_non_null(json_object_get(line, "time"));
		assert_string_equal(json_string_value(json_object_get(line, "action")), "create");
		assert_string_equal(json_string_value(json_object_get(line, "commit")), "0123abc");
		if (!strcmp(json_string_value(json_object_get(line, "address")), "group.fail")) {
			assert_string_equal(json_string_value(json_object_get(line, "result")),
					    "failed");
			assert_string_equal(json_string_value(json_object_get(line, "request_id")),
					    "rid-0042");
			assert_non_null(
			    strstr(json_string_value(json_object_get(line, "error")), "HTTP 400"));
		} else {
			assert_string_equal(json_string_value(json_object_get(line, "result")),
					    "applied");
			assert_true(json_is_null(json_object_get(line, "error")));
		}
		json_decref(line);
		lines++;
	}
	fclose(in);
	unlink(path);
	assert_int_equal(lines, 2);
}

static void test_dependency_cycle_is_skipped_not_hung(void **state)
{
	struct fixture *fx = *state;
	struct plan_action *a;

	a = add(fx, &fake_group, PLAN_CREATE, "a");
	plan_action_depends_on(a, "group.b");
	a = add(fx, &fake_group, PLAN_CREATE, "b");
	plan_action_depends_on(a, "group.a");
	assert_int_equal(apply_plan(&fx->ctx, &fx->opts), -1);
	assert_int_equal(fx->tenant.requests, 0);
	assert_int_equal(result_of(fx, "group.a"), APPLY_SKIPPED);
	assert_non_null(strstr(report_text(fx), "dependency cycle"));
}

static void test_commit_failure_fails_the_apply(void **state)
{
	struct fixture *fx = *state;

	add(fx, &fake_group, PLAN_CREATE, "g");
	fx->tenant.commit_fails = 1;
	assert_int_equal(apply_plan(&fx->ctx, &fx->opts), -1);
	assert_int_equal(fx->tenant.commits, 1);
	assert_string_equal(b2b_error_last(), "could not save the tenant, so the changes above are "
					      "lost: tenant.json: cannot write: No space left");
}

static void test_stop_between_rounds_keeps_what_applied(void **state)
{
	struct fixture *fx = *state;
	volatile sig_atomic_t stop = 0;
	struct plan_action *a;

	add(fx, &fake_group, PLAN_CREATE, "g");
	add(fx, &fake_guest, PLAN_CREATE, "x@contoso.com");
	a = add(fx, &fake_member, PLAN_CREATE, "g/x@contoso.com");
	plan_action_depends_on(a, "group.g");
	fx->opts.stop = &stop;
	fx->tenant.stop_after_first_round = &stop;

	assert_int_equal(apply_plan(&fx->ctx, &fx->opts), -1);
	assert_int_equal(fx->tenant.runs, 1);
	assert_int_equal(result_of(fx, "group.g"), APPLY_APPLIED);
	assert_int_equal(result_of(fx, "guest.x@contoso.com"), APPLY_FAILED);
	assert_int_equal(result_of(fx, "group_member.g/x@contoso.com"), APPLY_SKIPPED);
	assert_non_null(strstr(report_text(fx), "! guest.x@contoso.com: failed: interrupted before "
						"it completed\n"));
	assert_non_null(strstr(report_text(fx), "- group_member.g/x@contoso.com: skipped: "
						"interrupted\n"));
	assert_int_equal(fx->tenant.commits, 1);
}

static void test_what_graph_did_not_take_is_named(void **state)
{
	struct fixture *fx = *state;
	struct plan *fresh = plan_new();
	struct plan_action *a;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	add(fx, &fake_group, PLAN_UPDATE, "taken");
	add(fx, &fake_group, PLAN_UPDATE, "not-taken");
	add(fx, &fake_group, PLAN_CREATE, "lagging");
	add(fx, &fake_member, PLAN_DELETE, "g/gone@contoso.com");
	add(fx, &fake_group, PLAN_UPDATE, "fail");
	assert_int_equal(apply_plan(&fx->ctx, &fx->opts), -1);

	a = plan_add_action(fresh, &fake_group, PLAN_UPDATE, "not-taken", NULL);
	plan_action_add_change(a, "description", json_string("a"), json_string("b"));
	plan_action_add_change(a, "mailNickname", json_string("a"), json_string("b"));
	plan_add_action(fresh, &fake_group, PLAN_CREATE, "lagging", NULL);
	plan_add_action(fresh, &fake_member, PLAN_DELETE, "g/gone@contoso.com", NULL);
	plan_add_action(fresh, &fake_group, PLAN_UPDATE, "fail", NULL);
	assert_int_equal(apply_warn_not_taken(&fx->ctx, fresh, out), 3);
	fclose(out);
	assert_string_equal(
	    text, "warning: Graph did not take: group.not-taken description, mailNickname\n"
		  "warning: Graph did not take: group.lagging (not found when read back; "
		  "Graph may still be replicating it)\n"
		  "warning: Graph did not take: group_member.g/gone@contoso.com (still "
		  "exists)\n");
	free(text);
	plan_free(fresh);
}

static void test_fail_adds_graphs_description_once(void **state)
{
	struct fixture *fx = *state;
	struct tenant_request req;
	struct plan_action *a = add(fx, &fake_group, PLAN_CREATE, "g");
	char *why;

	fx->ctx.outcomes = xcalloc(1, sizeof(*fx->ctx.outcomes));
	tenant_request_init(&req, "POST", NULL, 0, "create g", "/fake/g");
	req.status = 503;
	req.error.request_id = xstrdup("rid-7");
	why = tenant_request_describe_error(&req);

	apply_ctx_fail(&fx->ctx, a, &req, "giving up");
	assert_string_equal(fx->ctx.outcomes[0].error,
			    "giving up: create g: HTTP 503 (request-id rid-7)");
	assert_string_equal(fx->ctx.outcomes[0].request_id, "rid-7");
	/* A kind that words the failure with Graph's description gets it once. */
	apply_ctx_fail(&fx->ctx, a, &req, "%s", why);
	assert_string_equal(fx->ctx.outcomes[0].error, why);
	apply_ctx_fail(&fx->ctx, a, NULL, "no id");
	assert_string_equal(fx->ctx.outcomes[0].error, "no id");
	assert_null(fx->ctx.outcomes[0].request_id);
	free(why);
	tenant_request_release(&req);
}

static struct plan *two_action_plan(const char *description)
{
	struct plan *plan = plan_new();
	struct plan_action *a;

	a = plan_add_action(plan, &fake_group, PLAN_UPDATE, "finance-readers", NULL);
	plan_action_add_change(a, "description", json_string("old"), json_string(description));
	a->data = json_pack("{s:s, s:{s:s}}", "id", "g-1", "body", "description", description);
	plan_add_action(plan, &fake_member, PLAN_CREATE, "finance-readers/a@contoso.com", NULL);
	return plan;
}

static void test_saved_plan_must_match_a_fresh_plan(void **state)
{
	struct plan *saved = two_action_plan("Finance"), *fresh = two_action_plan("Finance");
	struct plan_action *a;

	(void)state;
	assert_int_equal(apply_check_current(saved, fresh), 0);

	json_object_set_new(json_object_get(fresh->actions[0].data, "body"), "description",
			    json_string("Finance!"));
	assert_int_equal(apply_check_current(saved, fresh), -1);
	assert_string_equal(b2b_error_last(), "group finance-readers changed since the plan was "
					      "made; run plan again");
	fresh->actions[0].last_changed = xstrdup("2026-11-25T10:00:00Z");
	assert_int_equal(apply_check_current(saved, fresh), -1);
	assert_string_equal(b2b_error_last(), "group finance-readers changed since the plan was "
					      "made; run plan again (Graph changed it at "
					      "2026-11-25T10:00:00Z)");
	plan_free(fresh);

	fresh = two_action_plan("Finance");
	a = plan_add_action(fresh, &fake_member, PLAN_DELETE, "finance-readers/b@contoso.com",
			    NULL);
	assert_int_equal(apply_check_current(saved, fresh), -1);
	assert_string_equal(b2b_error_last(), "group_member finance-readers/b@contoso.com changed "
					      "since the plan was made; run plan again");
	assert_int_equal(apply_check_current(fresh, saved), -1);
	(void)a;
	plan_free(fresh);

	/* Already applied by someone else: the fresh plan has nothing for it. */
	fresh = plan_new();
	plan_add_action(fresh, &fake_group, PLAN_UPDATE, "finance-readers", NULL);
	assert_int_equal(apply_check_current(saved, fresh), -1);
	assert_non_null(strstr(b2b_error_last(), "group finance-readers changed"));
	plan_free(fresh);
	plan_free(saved);
}

static void test_joined_requests_split_at_join_max_and_report_each_action(void **state)
{
	struct fixture *fx = *state;
	char name[32];
	int m;

	for (m = 1; m <= 7; m++) {
		snprintf(name, sizeof(name), "g/m%d", m);
		add(fx, &fake_joining_member, PLAN_CREATE, name);
	}
	add(fx, &fake_joining_member, PLAN_CREATE, "h/m1");
	add(fx, &fake_joining_member, PLAN_DELETE, "g/old");

	assert_int_equal(apply_plan(&fx->ctx, &fx->opts), 0);
	assert_string_equal(fx->tenant.log.buf,
			    "round 1: PATCH "
			    "/fake/joint/g?group_member.g/m1,group_member.g/m2,group_member.g/m3\n"
			    "round 1: PATCH "
			    "/fake/joint/g?group_member.g/m4,group_member.g/m5,group_member.g/m6\n"
			    "round 1: POST /fake/group_member.g/m7\n"
			    "round 1: POST /fake/group_member.h/m1\n"
			    "round 1: DELETE /fake/group_member.g/old\n");
	for (m = 0; m < 9; m++)
		assert_int_equal(fx->ctx.outcomes[m].result, APPLY_APPLIED);
	assert_non_null(strstr(report_text(fx), "+ group_member.g/m1: created\n"));
	assert_non_null(strstr(report_text(fx), "+ group_member.g/m6: created\n"));
	assert_non_null(strstr(report_text(fx), "Apply complete: 8 created, 0 updated, 1 deleted, "
						"0 failed, 0 skipped.\n"));
}

static void test_refused_joint_request_sends_each_part_alone(void **state)
{
	struct fixture *fx = *state;

	add(fx, &fake_joining_member, PLAN_CREATE, "g/m1");
	add(fx, &fake_joining_member, PLAN_CREATE, "g/fail2");
	add(fx, &fake_joining_member, PLAN_CREATE, "g/m3");

	assert_int_equal(apply_plan(&fx->ctx, &fx->opts), -1);
	assert_string_equal(
	    fx->tenant.log.buf,
	    "round 1: PATCH "
	    "/fake/joint/g?group_member.g/m1,group_member.g/fail2,group_member.g/m3\n"
	    "round 2: POST /fake/group_member.g/m1\n"
	    "round 2: POST /fake/group_member.g/fail2\n"
	    "round 2: POST /fake/group_member.g/m3\n");
	assert_int_equal(result_of(fx, "group_member.g/m1"), APPLY_APPLIED);
	assert_int_equal(result_of(fx, "group_member.g/fail2"), APPLY_FAILED);
	assert_int_equal(result_of(fx, "group_member.g/m3"), APPLY_APPLIED);
	assert_non_null(strstr(report_text(fx), "! group_member.g/fail2: failed: write g/fail2: "
						"group_member.g/fail2: HTTP 400"));
}

static void test_joint_request_without_answer_answers_every_part(void **state)
{
	struct fixture *fx = *state;

	add(fx, &fake_joining_member, PLAN_CREATE, "g/m1");
	add(fx, &fake_joining_member, PLAN_CREATE, "g/lost2");

	assert_int_equal(apply_plan(&fx->ctx, &fx->opts), -1);
	/* It may have been applied: each action decides, none is sent again blindly. */
	assert_int_equal(fx->tenant.requests, 1);
	assert_int_equal(result_of(fx, "group_member.g/m1"), APPLY_FAILED);
	assert_int_equal(result_of(fx, "group_member.g/lost2"), APPLY_FAILED);
	assert_non_null(strstr(report_text(fx), "! group_member.g/m1: failed: write g/m1: "
						"group_member.g/m1: no answer: connection lost"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_dependency_waits_and_resolves_id_by_address, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_independent_actions_share_one_round, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_failure_skips_dependents_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_max_destroy_refuses_before_any_request, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_guest_delete_needs_prune_guests, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_member_delete_needs_authoritative_group, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_ca_delete_needs_prune_and_prefix, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_other_deletes_are_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_kind_without_apply_fails_clearly, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ids_start_from_live_and_action_data, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_log_file_has_one_json_line_per_action, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_dependency_cycle_is_skipped_not_hung, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_commit_failure_fails_the_apply, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stop_between_rounds_keeps_what_applied, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_what_graph_did_not_take_is_named, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fail_adds_graphs_description_once, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(
		test_joined_requests_split_at_join_max_and_report_each_action, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refused_joint_request_sends_each_part_alone, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_joint_request_without_answer_answers_every_part,
					    setup, teardown),
	    cmocka_unit_test(test_saved_plan_must_match_a_fresh_plan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
