/*
 * live: lookups over the live model.
 *
 * The live model is a json object in the snapshot format (DESIGN.md §7) that
 * the kinds' reads fill. A live_index is built from it once per diff so that
 * matching is by hash, never by scanning: guests by email (mail, otherMails
 * and the #EXT# userPrincipalName form, without case), users by id and
 * userPrincipalName, groups by displayName.
 */
#ifndef B2B_LIVE_H
#define B2B_LIVE_H

#include "../schema/config.h"

#include <jansson.h>

struct live_index;

/* Borrows from live: free the index before the model, and change neither meanwhile. */
struct live_index *live_index_build(const json_t *live);
void live_index_free(struct live_index *idx);

/* Borrowed references into the live model; NULL when absent. */
json_t *live_user_by_email(const struct live_index *idx, const char *email);
json_t *live_user_by_id(const struct live_index *idx, const char *id);
json_t *live_user_by_upn(const struct live_index *idx, const char *upn);
json_t *live_group_by_name(const struct live_index *idx, const char *display_name);
json_t *live_group_by_id(const struct live_index *idx, const char *id);

/* The first element of live[collection] whose displayName equals name (exact). */
json_t *live_find_by_display_name(const json_t *live, const char *collection, const char *name);
/* The collection live[key] as an array, created empty when missing. */
json_t *live_collection(json_t *live, const char *key);

/* The partner's tenant id: tenantId from the configuration, else the one
 * tenantInformation holds for any of its domains (case-insensitive); NULL when unknown. */
const char *live_partner_tenant_id(const json_t *live, const struct cfg_partner *partner);

/* The #EXT# userPrincipalName a guest with this email gets in a tenant whose
 * initial domain is default_domain: alice@contoso.com -> alice_contoso.com#EXT#@host.onmicrosoft.com */
char *guest_upn_for_email(const char *email, const char *default_domain);
/* The email an #EXT# userPrincipalName stands for (lowercased), NULL when not that form. */
char *guest_email_from_upn(const char *upn);
/* Whether upn is the #EXT# userPrincipalName of this email (without case). */
int guest_upn_is_for(const char *upn, const char *email);
/* Lowercased copy (ASCII). */
char *lowercase_dup(const char *s);

#endif
