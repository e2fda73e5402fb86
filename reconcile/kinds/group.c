/*
 * group: security groups, matched by displayName (group.<name>).
 *
 * Reads every group the configuration names anywhere (declared groups, guest
 * and partner group lists, conditional-access exclusions, access-package
 * resources and approvers) with `displayName in (...)` filters, so that later
 * kinds find them in the live model. Only groups declared under `groups:` are
 * created or updated; groups are never deleted. Two tenant groups with one
 * declared name are an error: b2bctl does not pick one.
 */
#include "create_once.h"
#include "directory_common.h"
#include "../../schema/base/strbuf.h"
#include "../../schema/base/xalloc.h"

#include <string.h>

#define GROUP_SELECT           "id,displayName,description,securityEnabled,mailEnabled,mailNickname"
#define MAIL_NICKNAME_STEM_MAX 40

extern const struct kind kind_group;

static void name_set_add(json_t *names, const char *name)
{
	if (name && *name && !json_object_get(names, name))
		json_object_set_new(names, name, json_true());
}

static void name_set_add_list(json_t *names, const struct cfg_str_list *list)
{
	size_t i;

	for (i = 0; i < list->nr; i++)
		name_set_add(names, list->items[i].value);
}

static json_t *referenced_group_names(const struct config *cfg)
{
	json_t *names = json_object(), *sorted = json_array(), *value;
	const char *name;
	size_t i, j;

	for (i = 0; i < cfg->groups_nr; i++)
		name_set_add(names, cfg->groups[i].name.value);
	for (i = 0; i < cfg->partners_nr; i++) {
		name_set_add_list(names, &cfg->partners[i].guest_groups);
		for (j = 0; j < cfg->partners[i].guests_nr; j++)
			name_set_add_list(names, &cfg->partners[i].guests[j].groups);
	}
	for (i = 0; i < cfg->conditional_access.policies_nr; i++)
		name_set_add_list(names, &cfg->conditional_access.policies[i].exclude_groups);
	for (i = 0; i < cfg->access_packages_nr; i++) {
		name_set_add_list(names, &cfg->access_packages[i].groups);
		for (j = 0; j < cfg->access_packages[i].policies_nr; j++)
			name_set_add_list(names, &cfg->access_packages[i].policies[j].approvers);
	}
	json_object_foreach(names, name, value)
	{
		json_array_append_new(sorted, json_string(name));
	}
	json_decref(names);
	return sorted;
}

static int group_read(struct reconcile_ctx *ctx)
{
	struct request_list reqs = REQUEST_LIST_INIT;
	json_t *names = referenced_group_names(ctx->cfg);
	json_t *groups = live_collection(ctx->live, "groups");
	struct strmap seen = STRMAP_INIT(0);
	json_t *extra = json_pack("{s:[]}", "members");
	int ret;

	live_id_set(&seen, groups);
	request_list_add_in_filters(&reqs, "groups", "displayName", names, GROUP_SELECT,
				    "find groups by name");
	ret = request_list_run_merge(ctx->tenant, &reqs, groups, &seen, extra);
	request_list_release(&reqs);
	json_decref(names);
	strmap_release(&seen);
	json_decref(extra);
	return ret;
}

/* FNV-1a: a stable suffix, so one name always plans the same mailNickname. */
static unsigned long name_hash(const char *s)
{
	unsigned long h = 2166136261UL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h = (h * 16777619UL) & 0xffffffffUL;
	}
	return h;
}

/* mailNickname allows ASCII letters, digits and a few marks, at most 64 characters. */
static char *group_mail_nickname(const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;

	for (p = name; *p && sb.len < MAIL_NICKNAME_STEM_MAX; p++) {
		char c = *p;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.')
			strbuf_addch(&sb, c);
		else if (sb.len && sb.buf[sb.len - 1] != '-')
			strbuf_addch(&sb, '-');
	}
	if (!sb.len)
		strbuf_addstr(&sb, "group");
	strbuf_addf(&sb, "-%08lx", name_hash(name));
	return strbuf_detach(&sb, NULL);
}

static void plan_group_create(struct plan *plan, const struct cfg_group *g)
{
	struct plan_action *a =
	    plan_add_action(plan, &kind_group, PLAN_CREATE, g->name.value, &g->pos);
	char *nickname = group_mail_nickname(g->name.value);
	json_t *body = json_pack("{s:s, s:b, s:s, s:b}", "displayName", g->name.value,
				 "mailEnabled", 0, "mailNickname", nickname, "securityEnabled", 1);

	plan_action_add_change(a, "displayName", NULL, json_string(g->name.value));
	if (g->description.value) {
		json_object_set_new(body, "description", json_string(g->description.value));
		plan_action_add_change(a, "description", NULL, json_string(g->description.value));
	}
	plan_action_add_change(a, "securityEnabled", NULL, json_true());
	a->data = json_pack("{s:o}", "body", body);
	free(nickname);
}

static void plan_group_update(struct plan *plan, const struct cfg_group *g, const json_t *live)
{
	const char *before = json_str(live, "description");
	struct plan_action *a;

	if (!g->description.value || str_equal_loose(before, g->description.value))
		return;
	a = plan_add_action(plan, &kind_group, PLAN_UPDATE, g->name.value, &g->description.pos);
	plan_action_add_change(a, "description", before ? json_string(before) : NULL,
			       json_string(g->description.value));
	a->data = json_pack("{s:s, s:{s:s}}", "id", json_str(live, "id"), "body", "description",
			    g->description.value);
}

/* lowercased displayName -> a live group's displayName as the tenant spells it. */
static json_t *names_without_case(const json_t *counts)
{
	json_t *folded = json_object(), *n;
	const char *name;

	json_object_foreach((json_t *)counts, name, n)
	{
		char *lower = lowercase_dup(name);

		json_object_set_new(folded, lower, json_string(name));
		free(lower);
	}
	return folded;
}

/* Graph's displayName filters ignore case: a group that differs only in case is not created. */
static int differs_only_in_case(const struct reconcile_ctx *ctx, const json_t *folded,
				const struct cfg_group *g)
{
	char *lower = lowercase_dup(g->name.value);
	const char *spelled = json_str(folded, lower);

	free(lower);
	if (!spelled)
		return 0;
	diag_error(ctx->diags, &g->name.pos,
		   "group '%s': the tenant has a group named '%s'; names that differ only in case "
		   "are the same name to Graph, so write it as the tenant does",
		   g->name.value, spelled);
	return 1;
}

static int group_diff(const struct reconcile_ctx *ctx, struct plan *plan)
{
	json_t *counts = live_group_name_counts(ctx->live);
	json_t *folded = names_without_case(counts);
	size_t i;

	for (i = 0; i < ctx->cfg->groups_nr; i++) {
		const struct cfg_group *g = &ctx->cfg->groups[i];
		json_int_t same_name;
		json_t *live;

		if (!g->name.value)
			continue;
		same_name = json_integer_value(json_object_get(counts, g->name.value));
		if (same_name > 1) {
			diag_error(ctx->diags, &g->name.pos,
				   "group '%s': %lld groups in the tenant have this displayName; "
				   "rename or remove all but one (b2bctl does not pick one)",
				   g->name.value, (long long)same_name);
			continue;
		}
		live = live_group_by_name(ctx->index, g->name.value);
		if (!live && !differs_only_in_case(ctx, folded, g))
			plan_group_create(plan, g);
		else if (live)
			plan_group_update(plan, g, live);
	}
	json_decref(folded);
	json_decref(counts);
	return 0;
}

/* The lookup by name finds the group only when exactly one carries the name. */
static int find_only_group(struct apply_ctx *ctx, const struct plan_action *action,
			   const struct tenant_request *lookup, const struct create_once *c,
			   json_t **found)
{
	json_t *groups = json_object_get(lookup->response, "value");

	(void)c;
	if (json_array_size(groups) > 1) {
		apply_ctx_fail(ctx, action, lookup,
			       "%s: the create had no clear answer and %zu groups now have this "
			       "name; remove the extra ones",
			       action->address, json_array_size(groups));
		return -1;
	}
	*found = json_array_get(groups, 0);
	return *found != NULL;
}

/* create: POST; when the answer is lost, look the group up by name first. */
static enum apply_step_result group_apply_create(struct apply_ctx *ctx,
						 const struct plan_action *action, json_t *state,
						 const struct tenant_request *prev,
						 struct tenant_request *next)
{
	struct strbuf lookup = STRBUF_INIT;
	enum apply_step_result res;

	strbuf_addstr(&lookup, "/v1.0/groups?$filter=displayName%20eq%20");
	strbuf_add_odata_literal(&lookup, action->name);
	strbuf_addstr(&lookup, "&$select=id,displayName");
	{
		struct create_once c = {
		    .path = "/v1.0/groups",
		    .body = json_object_get(action->data, "body"),
		    .flags = TENANT_BATCHABLE,
		    .lookup_path = lookup.buf,
		    .lookup_flags = TENANT_PAGED,
		    .find = find_only_group,
		    .max_sends = 1 + RESEND_MAX,
		    .missing_id = "%s: the answer carries no id",
		};

		res = create_once_step(ctx, action, state, prev, next, &c, NULL);
	}
	strbuf_release(&lookup);
	return res;
}

static enum apply_step_result group_apply_step(struct apply_ctx *ctx,
					       const struct plan_action *action, json_t *state,
					       const struct tenant_request *prev,
					       struct tenant_request *next)
{
	const char *id = json_str(action->data, "id");

	switch (action->op) {
	case PLAN_CREATE:
		return group_apply_create(ctx, action, state, prev, next);
	case PLAN_UPDATE:
		if (!id) {
			apply_ctx_fail(ctx, action, prev, "%s: the plan holds no group id",
				       action->address);
			return APPLY_STEP_FAILED;
		}
		if (!prev) {
			tenant_request_init(
			    next, "PATCH", json_deep_copy(json_object_get(action->data, "body")),
			    TENANT_BATCHABLE, action->address, "/v1.0/groups/%s", id);
			return APPLY_STEP_MORE;
		}
		if (!tenant_request_ok(prev))
			return apply_fail_request(ctx, action, prev);
		apply_ctx_set_id(ctx, action->address, id);
		return APPLY_STEP_DONE;
	case PLAN_DELETE:
		break;
	}
	apply_ctx_fail(ctx, action, prev, "%s: groups are never deleted", action->address);
	return APPLY_STEP_FAILED;
}

const struct kind kind_group = {
    .name = "group",
    .read = group_read,
    .diff = group_diff,
    .apply_step = group_apply_step,
};
