/*
 * plan_json: the plan as JSON, both ways.
 *
 * Writing gives the contract of DESIGN.md §6 (`plan --format json`), or the
 * plan file, which is the same document with what apply needs added:
 * config_hash, tenant_id, created, fingerprints, each action's data, and the
 * live model the plan was computed from. Keys come in a fixed order, so the
 * same plan always gives the same bytes.
 *
 * Reading accepts only what writing produces: a plan file that was edited by
 * hand or truncated is refused with the JSON path of the first problem, since
 * apply executes whatever it holds.
 */
#include "plan.h"
#include "kind.h"
#include "../schema/base/json_memory.h"
#include "../schema/base/strbuf.h"
#include "../schema/base/xalloc.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#define PLAN_FILE_MAX_BYTES (1024u * 1024u * 1024u)

static json_t *source_to_json(const char *file, unsigned line)
{
	if (!file)
		return json_null();
	return json_pack("{s:s, s:I}", "file", file, "line", (json_int_t)line);
}

static json_t *or_null(json_t *v)
{
	return v ? json_incref(v) : json_null();
}

static json_t *action_to_json(const struct plan_action *a, enum plan_json_form form)
{
	json_t *obj = json_object(), *deps = json_array(), *changes = json_array();
	size_t i;

	json_object_set_new(obj, "kind", json_string(a->kind ? a->kind->name : "unknown"));
	json_object_set_new(obj, "action", json_string(plan_op_name(a->op)));
	json_object_set_new(obj, "address", json_string(a->address));
	json_object_set_new(obj, "source", source_to_json(a->source_file, a->source_line));
	for (i = 0; i < a->depends_nr; i++)
		json_array_append_new(deps, json_string(a->depends_on[i]));
	json_object_set_new(obj, "depends_on", deps);
	for (i = 0; i < a->changes_nr; i++) {
		json_t *c = json_object();

		json_object_set_new(c, "path", json_string(a->changes[i].path));
		json_object_set_new(c, "before", or_null(a->changes[i].before));
		json_object_set_new(c, "after", or_null(a->changes[i].after));
		json_array_append_new(changes, c);
	}
	json_object_set_new(obj, "changes", changes);
	if (a->last_changed)
		json_object_set_new(obj, "last_changed", json_string(a->last_changed));
	if (a->origin)
		json_object_set_new(obj, "origin", json_string(plan_origin_name(a->origin)));
	if (form == PLAN_JSON_FILE)
		json_object_set_new(obj, "data", or_null(a->data));
	return obj;
}

/* The contract has rule, message and source; the plan file also keeps the severity. */
static json_t *warning_to_json(const struct diag *d, enum plan_json_form form)
{
	json_t *obj = json_object();

	json_object_set_new(obj, "rule", d->rule ? json_string(d->rule) : json_null());
	if (form == PLAN_JSON_FILE)
		json_object_set_new(obj, "severity", json_string(diag_severity_name(d->severity)));
	json_object_set_new(obj, "message", json_string(d->message ? d->message : ""));
	json_object_set_new(obj, "source", source_to_json(d->file, d->line));
	return obj;
}

static void set_optional_string(json_t *obj, const char *key, const char *value)
{
	json_object_set_new(obj, key, value ? json_string(value) : json_null());
}

json_t *plan_to_json(const struct plan *plan, enum plan_json_form form)
{
	json_t *root = json_object(), *actions = json_array(), *warnings = json_array();
	size_t i;

	json_object_set_new(root, "format_version", json_string("1"));
	if (form == PLAN_JSON_FILE) {
		set_optional_string(root, "config_hash", plan->config_hash);
		set_optional_string(root, "tenant_id", plan->tenant_id);
		set_optional_string(root, "created", plan->created);
	}
	json_object_set_new(root, "summary",
			    json_pack("{s:I, s:I, s:I}", "create",
				      (json_int_t)plan_count(plan, PLAN_CREATE), "update",
				      (json_int_t)plan_count(plan, PLAN_UPDATE), "delete",
				      (json_int_t)plan_count(plan, PLAN_DELETE)));
	for (i = 0; i < plan->nr; i++)
		json_array_append_new(actions, action_to_json(&plan->actions[i], form));
	json_object_set_new(root, "actions", actions);
	for (i = 0; i < plan->warnings.nr; i++)
		json_array_append_new(warnings, warning_to_json(&plan->warnings.items[i], form));
	json_object_set_new(root, "warnings", warnings);
	if (form == PLAN_JSON_FILE) {
		json_object_set_new(root, "fingerprints", plan_fingerprints(plan));
		json_object_set_new(root, "live", or_null(plan->live));
	}
	return root;
}

char *plan_to_json_text(const struct plan *plan, enum plan_json_form form)
{
	json_t *root = plan_to_json(plan, form);
	char *text = json_text(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	char *with_newline;

	json_decref(root);
	if (!text)
		xalloc_die("serialising the plan");
	with_newline = xstrfmt("%s\n", text);
	free(text);
	return with_newline;
}

/* Reading: every check names where in the document it failed. */
struct reader {
	const char *origin;
	struct strbuf where;
	int failed;
};

static int fail(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct reader *r, const char *fmt, ...)
{
	struct strbuf msg = STRBUF_INIT;
	va_list ap;

	if (r->failed)
		return -1;
	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	b2b_error_set("%s: not a valid b2bctl plan: %s%s%s", r->origin, r->where.buf,
		      r->where.len ? ": " : "", msg.buf);
	strbuf_release(&msg);
	r->failed = 1;
	return -1;
}

static int fail_at(struct reader *r, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fails at `field` of the current place: "actions[3].kind: ..." */
static int fail_at(struct reader *r, const char *field, const char *fmt, ...)
{
	struct strbuf msg = STRBUF_INIT;
	size_t saved = r->where.len;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	strbuf_addf(&r->where, "%s%s", r->where.len ? "." : "", field);
	fail(r, "%s", msg.buf);
	strbuf_setlen(&r->where, saved);
	strbuf_release(&msg);
	return -1;
}

static void enter(struct reader *r, size_t *saved, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void enter(struct reader *r, size_t *saved, const char *fmt, ...)
{
	va_list ap;

	*saved = r->where.len;
	va_start(ap, fmt);
	strbuf_vaddf(&r->where, fmt, ap);
	va_end(ap);
}

static void leave(struct reader *r, size_t saved)
{
	strbuf_setlen(&r->where, saved);
}

static int only_keys(struct reader *r, const json_t *obj, const char *const *allowed)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v)
	{
		const char *const *a;

		for (a = allowed; *a; a++)
			if (!strcmp(*a, key))
				break;
		if (!*a)
			return fail(r, "unknown key '%s'", key);
	}
	return 0;
}

static const char *want_string(struct reader *r, const json_t *obj, const char *key, int nullable)
{
	json_t *v = json_object_get(obj, key);
	size_t saved;

	if ((!v || json_is_null(v)) && nullable)
		return NULL;
	if (json_is_string(v))
		return json_string_value(v);
	enter(r, &saved, "%s%s", r->where.len ? "." : "", key);
	fail(r, v ? "expected a string" : "missing");
	leave(r, saved);
	return NULL;
}

static int read_source(struct reader *r, const json_t *v, char **file, unsigned *line)
{
	static const char *const keys[] = {"file", "line", NULL};
	json_t *l;
	size_t saved;
	int ret = 0;

	*file = NULL;
	*line = 0;
	if (json_is_null(v))
		return 0;
	enter(r, &saved, ".source");
	if (!json_is_object(v)) {
		ret = fail(r, "expected an object or null");
		goto out;
	}
	if (only_keys(r, v, keys)) {
		ret = -1;
		goto out;
	}
	l = json_object_get(v, "line");
	if (!json_is_string(json_object_get(v, "file")))
		ret = fail_at(r, "file", "expected a string");
	else if (!json_is_integer(l) || json_integer_value(l) < 0 ||
		 json_integer_value(l) > (json_int_t)0xffffffffu)
		ret = fail_at(r, "line", "expected a line number");
	else {
		*file = xstrdup(json_string_value(json_object_get(v, "file")));
		*line = (unsigned)json_integer_value(l);
	}
out:
	leave(r, saved);
	return ret;
}

static int read_action(struct reader *r, struct plan *plan, const json_t *v)
{
	static const char *const keys[] = {"kind",       "action",  "address", "source",
					   "depends_on", "changes", "data",    "last_changed",
					   "origin",	 NULL};
	const char *kind_name, *op_name, *address;
	const struct kind *kind;
	struct plan_action *a;
	struct src_pos pos = {NULL, 0, 0};
	char *file = NULL;
	size_t klen, i, saved;
	json_t *deps, *changes, *item, *data;
	int op;

	if (!json_is_object(v))
		return fail(r, "expected an object");
	if (only_keys(r, v, keys))
		return -1;
	kind_name = want_string(r, v, "kind", 0);
	op_name = want_string(r, v, "action", 0);
	address = want_string(r, v, "address", 0);
	if (r->failed)
		return -1;
	kind = kind_find(kind_name);
	if (!kind)
		return fail_at(r, "kind", "unknown kind '%s'", kind_name);
	op = plan_op_from_name(op_name);
	if (op < 0)
		return fail_at(r, "action", "'%s' is not create, update or delete", op_name);
	klen = strlen(kind_name);
	if (strncmp(address, kind_name, klen) || address[klen] != '.' || !address[klen + 1])
		return fail_at(r, "address", "'%s' is not %s.NAME", address, kind_name);
	if (plan_find(plan, address))
		return fail_at(r, "address", "'%s' appears twice", address);
	if (read_source(r, json_object_get(v, "source"), &file, &pos.line))
		return -1;
	deps = json_object_get(v, "depends_on");
	changes = json_object_get(v, "changes");
	if (!json_is_array(deps)) {
		free(file);
		return fail_at(r, "depends_on", "expected an array");
	}
	if (!json_is_array(changes)) {
		free(file);
		return fail_at(r, "changes", "expected an array");
	}
	data = json_object_get(v, "data");
	if (data && !json_is_null(data) && !json_is_object(data)) {
		free(file);
		return fail_at(r, "data", "expected an object or null");
	}

	pos.file = file;
	a = plan_add_action(plan, kind, (enum plan_op)op, address + klen + 1, &pos);
	free(file);
	if (data && json_is_object(data))
		a->data = json_deep_copy(data);
	if (json_is_string(json_object_get(v, "last_changed")))
		a->last_changed = xstrdup(json_string_value(json_object_get(v, "last_changed")));
	json_array_foreach(deps, i, item)
	{
		if (!json_is_string(item)) {
			enter(r, &saved, ".depends_on[%zu]", i);
			fail(r, "expected an address");
			leave(r, saved);
			return -1;
		}
		plan_action_depends_on(a, json_string_value(item));
	}
	json_array_foreach(changes, i, item)
	{
		static const char *const change_keys[] = {"path", "before", "after", NULL};
		json_t *before, *after;
		const char *path;

		enter(r, &saved, ".changes[%zu]", i);
		if (!json_is_object(item) || only_keys(r, item, change_keys)) {
			fail(r, "expected {path, before, after}");
			leave(r, saved);
			return -1;
		}
		path = want_string(r, item, "path", 0);
		before = json_object_get(item, "before");
		after = json_object_get(item, "after");
		if (!path || !before || !after) {
			fail(r, "expected {path, before, after}");
			leave(r, saved);
			return -1;
		}
		leave(r, saved);
		plan_action_add_change(a, path,
				       json_is_null(before) ? NULL : json_deep_copy(before),
				       json_is_null(after) ? NULL : json_deep_copy(after));
	}
	return 0;
}

static int read_warning(struct reader *r, struct plan *plan, const json_t *v)
{
	static const char *const keys[] = {"rule", "severity", "message", "source", NULL};
	const char *rule, *severity, *message;
	struct src_pos pos = {NULL, 0, 0};
	enum diag_severity sev = DIAG_WARNING;
	char *file = NULL;

	if (!json_is_object(v))
		return fail(r, "expected an object");
	if (only_keys(r, v, keys))
		return -1;
	rule = want_string(r, v, "rule", 1);
	severity = want_string(r, v, "severity", 1);
	message = want_string(r, v, "message", 0);
	if (r->failed)
		return -1;
	if (severity) {
		if (!strcmp(severity, "error"))
			sev = DIAG_ERROR;
		else if (!strcmp(severity, "info"))
			sev = DIAG_INFO;
		else if (strcmp(severity, "warning"))
			return fail_at(r, "severity", "'%s' is not error, warning or info",
				       severity);
	}
	if (read_source(r, json_object_get(v, "source"), &file, &pos.line))
		return -1;
	pos.file = file;
	diag_add(&plan->warnings, sev, rule, &pos, "%s", message);
	free(file);
	return 0;
}

static int check_summary(struct reader *r, const struct plan *plan, const json_t *summary)
{
	static const char *const keys[] = {"create", "update", "delete", NULL};
	size_t i;

	if (!json_is_object(summary))
		return fail_at(r, "summary", "expected an object");
	if (only_keys(r, summary, keys))
		return -1;
	for (i = 0; keys[i]; i++) {
		json_t *n = json_object_get(summary, keys[i]);

		if (!json_is_integer(n))
			return fail(r, "summary.%s: expected a number", keys[i]);
		if ((size_t)json_integer_value(n) != plan_count(plan, (enum plan_op)i))
			return fail(r, "summary.%s: says %lld but the plan holds %zu", keys[i],
				    (long long)json_integer_value(n),
				    plan_count(plan, (enum plan_op)i));
	}
	return 0;
}

static int check_dependencies(struct reader *r, const struct plan *plan)
{
	size_t i, j;

	for (i = 0; i < plan->nr; i++) {
		const struct plan_action *a = &plan->actions[i];

		for (j = 0; j < a->depends_nr; j++) {
			const struct plan_action *dep = plan_find(plan, a->depends_on[j]);

			if (!dep)
				return fail(r, "actions[%zu].depends_on: '%s' is not in the plan",
					    i, a->depends_on[j]);
			if (dep > a)
				return fail(r,
					    "actions[%zu]: comes before '%s', which it depends on",
					    i, a->depends_on[j]);
		}
	}
	return 0;
}

struct plan *plan_from_json(const json_t *json, const char *origin)
{
	static const char *const keys[] = {
	    "format_version", "config_hash", "tenant_id",    "created", "summary",
	    "actions",        "warnings",    "fingerprints", "live",    NULL};
	struct reader r = {origin ? origin : "plan", STRBUF_INIT, 0};
	struct plan *plan = plan_new();
	const char *version, *s;
	json_t *actions, *warnings, *v;
	size_t i, saved;

	if (!json_is_object(json)) {
		fail(&r, "expected a JSON object");
		goto out;
	}
	if (only_keys(&r, json, keys))
		goto out;
	version = want_string(&r, json, "format_version", 0);
	if (r.failed)
		goto out;
	if (strcmp(version, "1")) {
		fail_at(&r, "format_version", "'%s' is not supported (this b2bctl reads \"1\")",
			version);
		goto out;
	}
	if ((s = want_string(&r, json, "config_hash", 1)))
		plan->config_hash = xstrdup(s);
	if ((s = want_string(&r, json, "tenant_id", 1)))
		plan->tenant_id = xstrdup(s);
	if ((s = want_string(&r, json, "created", 1)))
		plan->created = xstrdup(s);
	if (r.failed)
		goto out;

	actions = json_object_get(json, "actions");
	if (!json_is_array(actions)) {
		fail_at(&r, "actions", "expected an array");
		goto out;
	}
	json_array_foreach(actions, i, v)
	{
		enter(&r, &saved, "actions[%zu]", i);
		if (read_action(&r, plan, v))
			goto out;
		leave(&r, saved);
	}
	warnings = json_object_get(json, "warnings");
	if (warnings && !json_is_array(warnings)) {
		fail_at(&r, "warnings", "expected an array");
		goto out;
	}
	json_array_foreach(warnings, i, v)
	{
		enter(&r, &saved, "warnings[%zu]", i);
		if (read_warning(&r, plan, v))
			goto out;
		leave(&r, saved);
	}
	if (check_summary(&r, plan, json_object_get(json, "summary")) ||
	    check_dependencies(&r, plan))
		goto out;

	v = json_object_get(json, "fingerprints");
	if (v && !json_is_null(v) && !json_is_object(v)) {
		fail_at(&r, "fingerprints", "expected an object");
		goto out;
	}
	if (json_is_object(v))
		plan->fingerprints = json_deep_copy(v);
	v = json_object_get(json, "live");
	if (v && !json_is_null(v) && !json_is_object(v)) {
		fail_at(&r, "live", "expected an object in the snapshot format");
		goto out;
	}
	if (json_is_object(v))
		plan->live = json_deep_copy(v);
out:
	strbuf_release(&r.where);
	if (r.failed) {
		plan_free(plan);
		return NULL;
	}
	return plan;
}

struct plan *plan_read_file(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	json_error_t jerr;
	json_t *json;
	struct plan *plan;

	if (strbuf_read_file(&sb, path, PLAN_FILE_MAX_BYTES) < 0) {
		b2b_error_set("%s: cannot read the plan file: %s", path, strerror(errno));
		strbuf_release(&sb);
		return NULL;
	}
	json = json_loadb(sb.buf, sb.len, JSON_REJECT_DUPLICATES, &jerr);
	strbuf_release(&sb);
	if (!json) {
		b2b_error_set("%s:%d:%d: not a valid b2bctl plan: %s", path, jerr.line, jerr.column,
			      jerr.text);
		return NULL;
	}
	plan = plan_from_json(json, path);
	json_decref(json);
	return plan;
}
