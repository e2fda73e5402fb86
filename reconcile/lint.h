/*
 * lint: what experienced Entra admins learned the hard way, checked on every
 * plan and by `b2bctl lint`.
 *
 * Each rule has an id, a default severity, and a message that says why it
 * matters and what to do; findings point at the file:line they concern.
 * settings.lint overrides a rule's severity (off, info, warning, error).
 * Configuration rules need only the desired model; tenant rules also look at
 * the live model and run when one was read.
 */
#ifndef B2B_LINT_H
#define B2B_LINT_H

#include "../schema/config.h"
#include "live.h"

#include <jansson.h>
#include <time.h>

struct lint_rule {
	const char *id;
	enum lint_level level; /* default */
	int needs_tenant;
	const char *summary;
};

extern const struct lint_rule lint_rules[];
extern const size_t lint_rules_nr;

const struct lint_rule *lint_rule_find(const char *id);

/* Consumer email providers (gmail.com, outlook.com, yahoo.*, ...): the one list. */
int is_consumer_email_domain(const char *domain);

/*
 * Runs every rule not set to off and appends findings to `out` with the
 * configured severity. `live` may be NULL: tenant rules are then skipped.
 * `index` is live's index when the caller has one (the plan's), else NULL.
 * Unknown rule ids in settings.lint are errors in `out`.
 */
void lint_run(const struct config *cfg, const json_t *live, const struct live_index *index,
	      time_t now, struct diag_list *out);

#endif
