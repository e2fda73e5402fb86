/*
 * validate: the rules that span sections and files, run once every file is
 * loaded: duplicate names (citing both places), references between sections
 * (groups, partners), and combinations that Graph would refuse or that would
 * surprise (allow and block lists together, a blocked partner domain, block
 * with grant controls).
 */
#include "checks.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

#include <string.h>
#include <strings.h>

struct validator {
	struct config *cfg;
	struct diag_list *diags;
	struct name_index partners; /* exact names */
	struct name_index groups;   /* case-folded names */
	struct name_index domains;  /* partner domains */
	const char **partner_names;
	const char **group_names;
	/* "did you mean" scans every name: only for the first few unknown references */
	size_t suggestions_left;
	int any_connected_organization;
};

static void duplicate(struct validator *v, const struct src_pos *pos, const char *what,
		      const char *name, const struct src_pos *first)
{
	diag_error(v->diags, pos, "duplicate %s '%s' (first defined at %s:%u:%u)", what, name,
		   first->file, first->line, first->col);
}

/* Adds a name to idx and reports it when it is there already. */
static void index_unique(struct validator *v, struct name_index *idx, const struct cfg_str *name,
			 const void *item, const char *what)
{
	const struct name_index_entry *e;

	if (!name->value)
		return;
	e = name_index_add(idx, name->value, &name->pos, item);
	if (e)
		duplicate(v, &name->pos, what, name->value, &e->pos);
}

static const char *suggest_name(struct validator *v, const char *word, const char *const *names,
				size_t nr)
{
	if (!v->suggestions_left)
		return NULL;
	v->suggestions_left--;
	return suggest_closest(word, names, nr);
}

static void check_group_ref(struct validator *v, const struct cfg_str *ref)
{
	const struct name_index_entry *e = name_index_find(&v->groups, ref->value);
	const char *close;

	if (e && !strcmp(e->key, ref->value))
		return;
	close = e ? e->key : suggest_name(v, ref->value, v->group_names, v->cfg->groups_nr);
	if (close)
		diag_error(v->diags, &ref->pos, "unknown group '%s'; did you mean '%s'?",
			   ref->value, close);
	else
		diag_error(v->diags, &ref->pos, "unknown group '%s' (not declared under groups)",
			   ref->value);
}

static void check_group_refs(struct validator *v, const struct cfg_str_list *list)
{
	size_t i;

	for (i = 0; i < list->nr; i++)
		check_group_ref(v, &list->items[i]);
}

static const struct cfg_partner *check_partner_ref(struct validator *v, const struct cfg_str *ref)
{
	const struct name_index_entry *e = name_index_find(&v->partners, ref->value);
	const char *close;

	if (e)
		return e->item;
	close = suggest_name(v, ref->value, v->partner_names, v->cfg->partners_nr);
	if (close)
		diag_error(v->diags, &ref->pos, "unknown partner '%s'; did you mean '%s'?",
			   ref->value, close);
	else
		diag_error(v->diags, &ref->pos,
			   "unknown partner '%s' (not declared under partners)", ref->value);
	return NULL;
}

static int partner_has_domain(const struct cfg_partner *p, const char *domain)
{
	size_t i;

	for (i = 0; i < p->domains.nr; i++)
		if (!strcasecmp(p->domains.items[i].value, domain))
			return 1;
	return 0;
}

static void check_partners(struct validator *v)
{
	struct config *cfg = v->cfg;
	struct name_index emails = NAME_INDEX_INIT(1), tenant_ids = NAME_INDEX_INIT(1);
	size_t i, j;

	for (i = 0; i < cfg->partners_nr; i++) {
		struct cfg_partner *p = &cfg->partners[i];

		for (j = 0; j < p->domains.nr; j++)
			index_unique(v, &v->domains, &p->domains.items[j], p, "partner domain");
		index_unique(v, &tenant_ids, &p->tenant_id, p, "partner tenantId");
		if (p->tenant_id.value && cfg->tenant_id.value &&
		    !strcasecmp(p->tenant_id.value, cfg->tenant_id.value))
			diag_error(v->diags, &p->tenant_id.pos,
				   "partner tenantId '%s' is the host tenant's own id",
				   p->tenant_id.value);
		check_group_refs(v, &p->guest_groups);
		for (j = 0; j < p->guests_nr; j++) {
			const struct cfg_guest *g = &p->guests[j];
			const char *at;

			index_unique(v, &emails, &g->email, g, "guest email");
			check_group_refs(v, &g->groups);
			if (!g->email.value || !(at = strrchr(g->email.value, '@')) ||
			    !p->domains.nr || partner_has_domain(p, at + 1))
				continue;
			{
				struct strbuf list = STRBUF_INIT;
				size_t d;

				for (d = 0; d < p->domains.nr; d++)
					strbuf_addf(&list, "%s%s", d ? ", " : "",
						    p->domains.items[d].value);
				diag_error(v->diags, &g->email.pos,
					   "guest '%s' is not in a domain of partner '%s' (%s)",
					   g->email.value, p->name.value ? p->name.value : "?",
					   list.buf);
				strbuf_release(&list);
			}
		}
	}
	name_index_release(&emails);
	name_index_release(&tenant_ids);
}

static void check_collaboration(struct validator *v)
{
	const struct cfg_collaboration_restrictions *r =
	    &v->cfg->external_collaboration.collaboration_restrictions;
	size_t i;

	if (r->allow_domains.set && r->block_domains.set)
		diag_error(v->diags, &r->block_domains.pos,
			   "allowDomains and blockDomains cannot both be set: Entra ID keeps "
			   "either an allow list or a block list");
	if (r->block_domains.set && r->include_partner_domains.set &&
	    r->include_partner_domains.value)
		diag_error(v->diags, &r->include_partner_domains.pos,
			   "includePartnerDomains applies to allowDomains, not to blockDomains");
	for (i = 0; i < r->block_domains.nr; i++) {
		const struct cfg_str *d = &r->block_domains.items[i];
		const struct name_index_entry *e = name_index_find(&v->domains, d->value);

		if (e) {
			const struct cfg_partner *p = e->item;

			diag_error(v->diags, &d->pos,
				   "blockDomains blocks '%s', a domain of partner '%s'", d->value,
				   p->name.value ? p->name.value : "?");
		}
	}
}

static void check_conditional_access(struct validator *v)
{
	struct cfg_conditional_access *ca = &v->cfg->conditional_access;
	struct name_index names = NAME_INDEX_INIT(1);
	size_t i, j;

	for (i = 0; i < ca->policies_nr; i++) {
		struct cfg_ca_policy *p = &ca->policies[i];
		int blocks = p->block.set && p->block.value;

		index_unique(v, &names, &p->name, p, "conditional-access policy name");
		if (!p->partners.set)
			p->partners_all = 1;
		if (!p->applications.set)
			p->applications_all = 1;
		for (j = 0; j < p->partners.nr; j++)
			check_partner_ref(v, &p->partners.items[j]);
		check_group_refs(v, &p->exclude_groups);
		if (p->guest_types.nr > 1)
			for (j = 0; j < p->guest_types.nr; j++)
				if (!strcmp(p->guest_types.items[j].value, "all"))
					diag_error(v->diags, &p->guest_types.items[j].pos,
						   "guest type 'all' must be the only one in "
						   "'guestTypes'");
		if (blocks && p->require.set)
			diag_error(v->diags, &p->require.pos,
				   "'require' cannot be combined with block: true (a blocking "
				   "policy grants nothing)");
		if (!blocks && !p->require.set && !p->sign_in_frequency_hours.set)
			diag_error(v->diags, &p->pos,
				   "conditional-access policy '%s' does nothing: set 'require', "
				   "block: true or 'signInFrequencyHours'",
				   p->name.value ? p->name.value : "?");
		if (p->require_all.set && !p->require.set)
			diag_error(v->diags, &p->require_all.pos, "'requireAll' needs 'require'");
	}
	name_index_release(&names);
}

static int any_connected_organization(const struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->partners_nr; i++)
		if (cfg->partners[i].connected_organization.value)
			return 1;
	return 0;
}

static void check_package_policy(struct validator *v, const struct cfg_access_package_policy *pol)
{
	int all = pol->all_partners.set && pol->all_partners.value;
	size_t i;

	if (all && pol->partners.set)
		diag_error(v->diags, &pol->all_partners.pos,
			   "set either allPartners: true or 'partners', not both");
	else if (!all && !pol->partners.set)
		diag_error(v->diags, &pol->pos,
			   "access-package policy '%s' names no requestors: set 'partners' or "
			   "allPartners: true",
			   pol->name.value ? pol->name.value : "?");
	if (all && !v->any_connected_organization)
		diag_error(v->diags, &pol->all_partners.pos,
			   "allPartners: true, but no partner has connectedOrganization: true");
	for (i = 0; i < pol->partners.nr; i++) {
		const struct cfg_partner *p = check_partner_ref(v, &pol->partners.items[i]);

		if (p && !p->connected_organization.value)
			diag_error(v->diags, &pol->partners.items[i].pos,
				   "partner '%s' is not a connected organisation (set "
				   "connectedOrganization: true on it)",
				   pol->partners.items[i].value);
	}
	check_group_refs(v, &pol->approvers);
}

static void check_access_packages(struct validator *v)
{
	struct config *cfg = v->cfg;
	struct name_index names = NAME_INDEX_INIT(1);
	size_t i, j;

	for (i = 0; i < cfg->access_packages_nr; i++) {
		const struct cfg_access_package *ap = &cfg->access_packages[i];
		struct name_index policies = NAME_INDEX_INIT(1);

		index_unique(v, &names, &ap->name, ap, "access package name");
		check_group_refs(v, &ap->groups);
		for (j = 0; j < ap->policies_nr; j++) {
			const struct cfg_access_package_policy *pol = &ap->policies[j];
			const struct name_index_entry *e;

			if (pol->name.value &&
			    (e = name_index_add(&policies, pol->name.value, &pol->name.pos, pol)))
				diag_error(
				    v->diags, &pol->name.pos,
				    "duplicate policy name '%s' in access package '%s' (first "
				    "defined at %s:%u:%u)",
				    pol->name.value, ap->name.value ? ap->name.value : "?",
				    e->pos.file, e->pos.line, e->pos.col);
			check_package_policy(v, pol);
		}
		name_index_release(&policies);
	}
	name_index_release(&names);
}

static void check_tenant(struct validator *v)
{
	struct config *cfg = v->cfg;
	struct src_pos pos;

	if (!cfg->files_nr || cfg->tenant_pos.line)
		return;
	pos.file = cfg->files[0];
	pos.line = 1;
	pos.col = 1;
	diag_error(v->diags, &pos,
		   "no tenant declared: one file must hold 'tenant:' with the host tenant's 'id'");
}

void config_validate(struct config *cfg, int complete, struct diag_list *diags)
{
	struct validator v = {.cfg = cfg,
			      .diags = diags,
			      .partners = NAME_INDEX_INIT(0),
			      .groups = NAME_INDEX_INIT(1),
			      .domains = NAME_INDEX_INIT(1),
			      .suggestions_left = 100};
	size_t i;

	v.partner_names = xcalloc(cfg->partners_nr + 1, sizeof(*v.partner_names));
	v.group_names = xcalloc(cfg->groups_nr + 1, sizeof(*v.group_names));
	for (i = 0; i < cfg->partners_nr; i++) {
		v.partner_names[i] = cfg->partners[i].name.value ? cfg->partners[i].name.value : "";
		index_unique(&v, &v.partners, &cfg->partners[i].name, &cfg->partners[i],
			     "partner name");
	}
	for (i = 0; i < cfg->groups_nr; i++) {
		v.group_names[i] = cfg->groups[i].name.value ? cfg->groups[i].name.value : "";
		index_unique(&v, &v.groups, &cfg->groups[i].name, &cfg->groups[i], "group name");
	}
	v.any_connected_organization = any_connected_organization(cfg);
	if (complete)
		check_tenant(&v);
	check_partners(&v);
	check_collaboration(&v);
	check_conditional_access(&v);
	check_access_packages(&v);
	free(v.partner_names);
	free(v.group_names);
	name_index_release(&v.partners);
	name_index_release(&v.groups);
	name_index_release(&v.domains);
}
