/*
 * governance_fixture: the configuration and live models the entitlement kinds'
 * unit tests share: one access package with a group and two policies, and a
 * tenant that holds all of it exactly as Graph answers it (ids, dates, nulls
 * and the properties b2bctl does not write).
 */
#ifndef GOVERNANCE_FIXTURE_H
#define GOVERNANCE_FIXTURE_H

#include "partners_fixture.h"

#define ENTITLEMENT_PATH_FOR_TEST "/v1.0/identityGovernance/entitlementManagement"
#define CONTOSO_TID               "22222222-2222-2222-2222-222222222222"
#define FABRIKAM_TID              "33333333-3333-3333-3333-333333333333"

/* Line numbers below are asserted by the tests. */
static const char *const em_yaml = "tenant:\n"                                    /* 1 */
				   "  id: 11111111-1111-1111-1111-111111111111\n" /* 2 */
				   "partners:\n"                                  /* 3 */
				   "  - name: contoso\n"                          /* 4 */
				   "    domains: [contoso.com]\n"                 /* 5 */
				   "    tenantId: " CONTOSO_TID "\n"              /* 6 */
				   "    connectedOrganization: true\n"            /* 7 */
				   "  - name: fabrikam\n"                         /* 8 */
				   "    domains: [fabrikam.com]\n"                /* 9 */
				   "    tenantId: " FABRIKAM_TID "\n"             /* 10 */
				   "groups:\n"                                    /* 11 */
				   "  - name: finance-readers\n"                  /* 12 */
				   "  - name: finance-owners\n"                   /* 13 */
				   "accessPackages:\n"                            /* 14 */
				   "  - name: Partner finance access\n"           /* 15 */
				   "    catalog: Partner collaboration\n"         /* 16 */
				   "    description: Read access to finance\n"    /* 17 */
				   "    groups: [finance-readers]\n"              /* 18 */
				   "    policies:\n"                              /* 19 */
				   "      - name: Contoso may request\n"          /* 20 */
				   "        partners: [contoso]\n"                /* 21 */
				   "        approvers: [finance-owners]\n"        /* 22 */
				   "        expiry: P90D\n"                       /* 23 */
				   "      - name: Partners until March\n"         /* 24 */
				   "        allPartners: true\n"                  /* 25 */
				   "        expiry: 2027-03-31\n";                /* 26 */

static const char *const em_live =
    "{\"groups\": [{\"id\": \"g-fr\", \"displayName\": \"finance-readers\"},"
    "  {\"id\": \"g-fo\", \"displayName\": \"finance-owners\"}],"
    " \"connectedOrganizations\": [{\"id\": \"co-contoso\", \"displayName\": \"contoso\","
    "  \"state\": \"configured\", \"identitySources\": [{\"@odata.type\": "
    "  \"#microsoft.graph.azureActiveDirectoryTenant\", \"tenantId\": \"" CONTOSO_TID "\","
    "  \"displayName\": \"Contoso\"}]}],"
    " \"accessPackageCatalogs\": [{\"id\": \"cat-1\", \"displayName\": \"Partner collaboration\","
    "  \"description\": \"x\", \"isExternallyVisible\": true,"
    "  \"resources\": [{\"id\": \"res-fr\", \"originId\": \"g-fr\", \"originSystem\": "
    "  \"AadGroup\"}]}],"
    " \"accessPackages\": [{\"@odata.type\": \"#microsoft.graph.accessPackage\","
    "  \"id\": \"ap-1\", \"displayName\": \"Partner finance access\","
    "  \"description\": \"Read access to finance\", \"isHidden\": false,"
    "  \"createdDateTime\": \"2026-01-27T18:19:50.74Z\","
    "  \"catalog\": {\"id\": \"cat-1\", \"displayName\": \"Partner collaboration\"},"
    "  \"resourceRoleScopes\": [{\"id\": \"role-fr_scope-fr\","
    "    \"role\": {\"id\": \"role-fr\", \"displayName\": \"Member\", \"originSystem\": "
    "    \"AadGroup\", \"originId\": \"Member_g-fr\"},"
    "    \"scope\": {\"id\": \"scope-fr\", \"displayName\": \"Root\", \"originId\": \"g-fr\","
    "    \"originSystem\": \"AadGroup\", \"isRootScope\": true}}],"
    "  \"assignmentPolicies\": [{\"id\": \"pol-contoso\","
    "    \"displayName\": \"Contoso may request\", \"description\": \"Contoso may request\","
    "    \"createdDateTime\": \"2026-01-27T18:20:00Z\","
    "    \"allowedTargetScope\": \"specificConnectedOrganizationUsers\","
    "    \"automaticRequestSettings\": null, \"reviewSettings\": null, \"questions\": [],"
    "    \"specificAllowedTargets\": [{\"@odata.type\": "
    "      \"#microsoft.graph.connectedOrganizationMembers\", \"connectedOrganizationId\": "
    "      \"co-contoso\", \"description\": \"contoso\"}],"
    "    \"expiration\": {\"endDateTime\": null, \"duration\": \"P90D\", \"type\": "
    "      \"afterDuration\"},"
    "    \"requestorSettings\": {\"enableTargetsToSelfAddAccess\": true,"
    "      \"enableTargetsToSelfUpdateAccess\": false, \"enableTargetsToSelfRemoveAccess\": true,"
    "      \"allowCustomAssignmentSchedule\": false, \"enableOnBehalfRequestorsToAddAccess\": "
    "      false, \"onBehalfRequestors\": []},"
    "    \"requestApprovalSettings\": {\"isApprovalRequiredForAdd\": true,"
    "      \"isApprovalRequiredForUpdate\": false, \"stages\": [{"
    "        \"durationBeforeAutomaticDenial\": \"P14D\", \"isApproverJustificationRequired\": "
    "        false, \"isEscalationEnabled\": false, \"durationBeforeEscalation\": \"PT0S\","
    "        \"primaryApprovers\": [{\"@odata.type\": \"#microsoft.graph.groupMembers\","
    "          \"groupId\": \"g-fo\", \"description\": \"finance-owners\"}],"
    "        \"fallbackPrimaryApprovers\": [], \"escalationApprovers\": []}]}},"
    "   {\"id\": \"pol-all\", \"displayName\": \"Partners until March\","
    "    \"description\": \"Partners until March\","
    "    \"allowedTargetScope\": \"allConfiguredConnectedOrganizationUsers\","
    "    \"specificAllowedTargets\": [],"
    "    \"expiration\": {\"endDateTime\": \"2027-03-31T23:59:59.000Z\", \"duration\": null,"
    "      \"type\": \"afterDateTime\"},"
    "    \"requestorSettings\": {\"enableTargetsToSelfAddAccess\": true,"
    "      \"enableTargetsToSelfUpdateAccess\": false, \"enableTargetsToSelfRemoveAccess\": true,"
    "      \"allowCustomAssignmentSchedule\": false},"
    "    \"requestApprovalSettings\": {\"isApprovalRequiredForAdd\": false,"
    "      \"isApprovalRequiredForUpdate\": false, \"stages\": []}}]}]}";

/* em_live with the access package (and its catalog when drop_catalog) removed. */
static inline json_t *em_live_without_package(int drop_catalog)
{
	json_t *live = fixture_json(em_live);

	json_object_set_new(live, "accessPackages", json_array());
	if (drop_catalog)
		json_object_set_new(live, "accessPackageCatalogs", json_array());
	return live;
}

static inline json_t *em_live_package(json_t *live)
{
	return json_array_get(json_object_get(live, "accessPackages"), 0);
}

#endif
