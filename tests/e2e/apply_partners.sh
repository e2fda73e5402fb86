#!/usr/bin/env bash
# Tenant settings and partners converge: authorization policy, email one-time
# passcode, the invitation allow list (starting from Microsoft's single-quoted
# sample definition), cross-tenant access partners (one tenant resolved from its
# domain) and connected organisations are planned, applied, and planned again as
# nothing, on the snapshot backend and through graph-emu. The undeclared partner
# entry is never touched, and a faulty Graph creates nothing twice.
source "$(dirname "$0")/lib/apply_common.bash"

CONFIG=$WORK/config
SEED_SNAPSHOT=$WORK/seed.json
mkdir -p "$CONFIG"
cat >"$CONFIG/b2bctl.yaml" <<'YAML'
tenant:
  id: 11111111-1111-1111-1111-111111111111
externalCollaboration:
  guestUserAccess: restricted
  guestInviteRestrictions: adminsAndGuestInviters
  emailVerifiedUsersCanJoin: false
  emailOneTimePasscode: enabled
  collaborationRestrictions:
    allowDomains: [Partners.Example]
    includePartnerDomains: true
partners:
  - name: contoso
    displayName: Contoso Ltd.
    domains: [contoso.com, contoso.co.uk]
    tenantId: 22222222-2222-2222-2222-222222222222
    crossTenantAccess:
      trustMfa: true
      b2bCollaborationInbound: allowed
    connectedOrganization: true
  - name: fabrikam
    displayName: Fabrikam
    domains: [fabrikam.com]
    crossTenantAccess:
      trustCompliantDevice: true
    connectedOrganization: true
  - name: tailspin
    domains: [tailspin.example]
    connectedOrganization: true
YAML
cat >"$SEED_SNAPSHOT" <<'JSON'
{
  "format": "b2bctl-snapshot/1",
  "tenantId": "11111111-1111-1111-1111-111111111111",
  "defaultDomain": "hostcorp.onmicrosoft.com",
  "authorizationPolicy": {"id": "authorizationPolicy", "allowInvitesFrom": "everyone",
    "allowEmailVerifiedUsersToJoinOrganization": true,
    "guestUserRoleId": "10dae51f-b6af-4016-8d66-8c2a99b929b3"},
  "emailAuthenticationMethodConfiguration": {"id": "Email", "state": "enabled",
    "allowExternalIdToUseEmailOtp": "default"},
  "b2bManagementPolicy": {"id": "f596ef0d-42f9-0359-1aaa-12d02b38802a",
    "displayName": "Policy1", "definition": ["{'B2BManagementPolicy':{'Version':1}}"],
    "isOrganizationDefault": "true"},
  "crossTenantAccessPolicyPartners": [
    {"tenantId": "99999999-9999-9999-9999-999999999999", "inboundTrust": null,
     "b2bCollaborationInbound": null}
  ],
  "tenantInformation": [
    {"tenantId": "33333333-3333-3333-3333-333333333333", "displayName": "Fabrikam",
     "defaultDomainName": "fabrikam.onmicrosoft.com", "domains": ["fabrikam.com"]}
  ],
  "users": [], "groups": [], "connectedOrganizations": []
}
JSON

want_addresses='["authorization_policy.tenant","connected_organization.contoso",
  "connected_organization.fabrikam","connected_organization.tailspin","email_otp.tenant",
  "invitation_domains.tenant","partner.contoso","partner.fabrikam"]'

# check_plan PLAN_JSON: exactly the expected actions of these kinds.
check_plan() {
	jq -e --argjson want "$want_addresses" '[.actions[].address] | sort == $want' "$1" >/dev/null ||
		fail "unexpected plan: $(jq -c '[.actions[] | "\(.action) \(.address)"]' "$1")"
}

# check_tenant SNAPSHOT_FILE: what the apply left in the tenant.
check_tenant() {
	local snap=$1
	jq -e '.authorizationPolicy.guestUserRoleId == "2af84b1e-32c8-42b7-82bc-daa82404023b"
		and .authorizationPolicy.allowInvitesFrom == "adminsAndGuestInviters"
		and .emailAuthenticationMethodConfiguration.allowExternalIdToUseEmailOtp == "enabled"' \
		"$snap" >/dev/null || fail "tenant settings not applied"
	jq -e '.b2bManagementPolicy.definition[0] | fromjson
		| .B2BManagementPolicy.InvitationsAllowedAndBlockedDomainsPolicy.AllowedDomains
		== ["contoso.co.uk","contoso.com","fabrikam.com","partners.example","tailspin.example"]' \
		"$snap" >/dev/null || fail "allow list not applied: $(jq -c .b2bManagementPolicy "$snap")"
	jq -e '[.crossTenantAccessPolicyPartners[].tenantId] | sort == ["22222222-2222-2222-2222-222222222222",
		"33333333-3333-3333-3333-333333333333","99999999-9999-9999-9999-999999999999"]' \
		"$snap" >/dev/null || fail "partners: $(jq -c .crossTenantAccessPolicyPartners "$snap")"
	jq -e '[.connectedOrganizations[].displayName] | sort == ["Contoso Ltd.","Fabrikam","tailspin"]' \
		"$snap" >/dev/null || fail "connected organisations: $(jq -c .connectedOrganizations "$snap")"
	no_duplicates "$snap"
}

# The snapshot backend.
cp "$SEED_SNAPSHOT" "$WORK/tenant.json"
snap=(--tenant-snapshot "$WORK/tenant.json")
expect_rc 2 "$B2BCTL" plan "$CONFIG" "${snap[@]}" --format json --detailed-exitcode >"$WORK/plan1.json"
check_plan "$WORK/plan1.json"
expect_rc 0 "$B2BCTL" apply "$CONFIG" "${snap[@]}" --auto-approve >"$WORK/apply1.txt"
check_tenant "$WORK/tenant.json"
expect_rc 0 "$B2BCTL" plan "$CONFIG" "${snap[@]}" --detailed-exitcode >"$WORK/plan2.txt"

# Through the Graph emulator.
start_emu "$SEED_SNAPSHOT"
expect_rc 2 b2b_emu plan "$CONFIG" --format json --detailed-exitcode >"$WORK/plan-emu.json"
check_plan "$WORK/plan-emu.json"
expect_rc 0 b2b_emu apply "$CONFIG" --auto-approve >"$WORK/apply-emu.txt"
expect_rc 0 b2b_emu plan "$CONFIG" --detailed-exitcode >/dev/null
emu_snapshot >"$WORK/emu.json"
check_tenant "$WORK/emu.json"
stop_emu

# A Graph that fails and lags: converges within two applies, nothing created twice.
start_emu "$SEED_SNAPSHOT" --fail-rate 0.3 --throttle-rate 0.2 --consistency-delay-ms 500 --seed 7 \
	--log "$WORK/faults.log"
apply_until_converged 3 0.6 "$CONFIG"
expect_rc 0 b2b_emu plan "$CONFIG" --detailed-exitcode >/dev/null
emu_snapshot >"$WORK/faults.json"
check_tenant "$WORK/faults.json"
grep -Eq '"status": *(429|503)' "$WORK/faults.log" || fail "the emulator injected no fault"
echo "ok: settings and partners converge (faulty Graph: $CONVERGED run(s))"
