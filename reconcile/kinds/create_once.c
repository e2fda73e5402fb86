/*
 * create_once: the look-before-you-create-again apply step. See create_once.h.
 */
#include "create_once.h"
#include "../../schema/base/xalloc.h"

#include <string.h>

static const char *create_what(const struct plan_action *action, const struct create_once *c)
{
	return c->what ? c->what : action->address;
}

static json_int_t sends_of(const json_t *state)
{
	return json_integer_value(json_object_get(state, "sends"));
}

static enum apply_step_result fail_request(struct apply_ctx *ctx, const struct plan_action *action,
					   const struct tenant_request *req)
{
	apply_ctx_fail(ctx, action, req, "%s", "");
	return APPLY_STEP_FAILED;
}

static enum apply_step_result send_create(struct apply_ctx *ctx, const struct plan_action *action,
					  json_t *state, const struct tenant_request *prev,
					  struct tenant_request *next, const struct create_once *c)
{
	json_int_t sends = sends_of(state);

	if (sends >= c->max_sends) {
		apply_ctx_fail(ctx, action, prev, "%s: no answer after %d attempts",
			       create_what(action, c), c->max_sends);
		return APPLY_STEP_FAILED;
	}
	json_object_set_new(state, "sends", json_integer(sends + 1));
	json_object_set_new(state, "phase", json_string("create"));
	tenant_request_init(next, c->method ? c->method : "POST",
			    c->body ? json_deep_copy(c->body) : NULL, c->flags,
			    create_what(action, c), "%s", c->path);
	return APPLY_STEP_MORE;
}

static enum apply_step_result send_lookup(const struct plan_action *action, json_t *state,
					  struct tenant_request *next, const struct create_once *c)
{
	json_object_set_new(state, "phase", json_string("lookup"));
	tenant_request_init(next, "GET", NULL, c->lookup_flags,
			    c->lookup_what ? c->lookup_what : action->address, "%s",
			    c->lookup_path);
	return APPLY_STEP_MORE;
}

static enum apply_step_result created_done(struct apply_ctx *ctx, const struct plan_action *action,
					   const struct tenant_request *prev,
					   const struct create_once *c, json_t *object,
					   json_t **created)
{
	const char *id = json_string_value(json_object_get(object, "id"));

	if (!id && c->missing_id) {
		apply_ctx_fail(ctx, action, prev, c->missing_id, action->address);
		return APPLY_STEP_FAILED;
	}
	apply_ctx_set_id(ctx, action->address, id);
	if (created)
		*created = object;
	return APPLY_STEP_DONE;
}

static enum apply_step_result lookup_answered(struct apply_ctx *ctx,
					      const struct plan_action *action, json_t *state,
					      const struct tenant_request *prev,
					      struct tenant_request *next,
					      const struct create_once *c, json_t **created)
{
	json_t *found = NULL;
	int res;

	if (tenant_request_ok(prev))
		res = c->find(ctx, action, prev, c, &found);
	else if (prev->status == 404 && c->lookup_404_is_none)
		res = 0;
	else
		return fail_request(ctx, action, prev);
	if (res < 0)
		return APPLY_STEP_FAILED;
	if (res > 0)
		return created_done(ctx, action, prev, c, found, created);
	return send_create(ctx, action, state, prev, next, c);
}

enum apply_step_result create_once_step(struct apply_ctx *ctx, const struct plan_action *action,
					json_t *state, const struct tenant_request *prev,
					struct tenant_request *next, const struct create_once *c,
					json_t **created)
{
	const char *phase = json_string_value(json_object_get(state, "phase"));

	if (created)
		*created = NULL;
	if (!prev)
		return send_create(ctx, action, state, prev, next, c);
	if (phase && !strcmp(phase, "lookup"))
		return lookup_answered(ctx, action, state, prev, next, c, created);
	if (tenant_request_ok(prev)) {
		json_t *object =
		    c->created_in_answer ? c->created_in_answer(prev->response) : prev->response;

		return created_done(ctx, action, prev, c, object, created);
	}
	if (!c->lookup_path || !tenant_request_ambiguous(prev) ||
	    (sends_of(state) >= c->max_sends && !c->look_after_last_send))
		return fail_request(ctx, action, prev);
	return send_lookup(action, state, next, c);
}

int create_once_find_match(struct apply_ctx *ctx, const struct plan_action *action,
			   const struct tenant_request *lookup, const struct create_once *c,
			   json_t **found)
{
	json_t *item;
	size_t i;

	(void)ctx;
	(void)action;
	json_array_foreach(json_object_get(lookup->response, "value"), i, item)
	{
		const char *v = json_string_value(json_object_get(item, c->match_key));

		if (v && c->match_value && !strcmp(v, c->match_value)) {
			*found = item;
			return 1;
		}
	}
	return 0;
}

int create_once_find_first(struct apply_ctx *ctx, const struct plan_action *action,
			   const struct tenant_request *lookup, const struct create_once *c,
			   json_t **found)
{
	(void)ctx;
	(void)action;
	(void)c;
	*found = json_array_get(json_object_get(lookup->response, "value"), 0);
	return *found != NULL;
}
