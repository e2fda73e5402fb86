#!/usr/bin/env bash
# Conditional access and entitlement management end to end: the plan for
# tests/e2e/governance (creates, updates and deletes of every such kind, with
# their dependencies), apply, then an empty plan; the tenant then holds the ids
# the plan could only name by address (new groups, connected organisation,
# catalog resources). With the snapshot backend, then through graph-emu.
source "$(dirname "$0")/lib/apply_common.bash"

HERE=$SRC/tests/e2e/governance
CONFIG=$HERE/config
SEED_SNAPSHOT=$HERE/seed.snapshot.json

# has_action PLAN_JSON ACTION ADDRESS: the plan holds that action.
has_action() {
	jq -e --arg op "$2" --arg addr "$3" \
		'any(.actions[]; .action == $op and .address == $addr)' "$1" >/dev/null ||
		fail "the plan does not $2 $3"
}

# depends PLAN_JSON ADDRESS ON: the action at ADDRESS depends on ON.
depends() {
	jq -e --arg addr "$2" --arg on "$3" \
		'any(.actions[]; .address == $addr and ((.depends_on // []) | index($on)))' "$1" \
		>/dev/null || fail "$2 does not depend on $3"
}

# no_action PLAN_JSON PREFIX: no action address starts with PREFIX.
no_action() {
	jq -e --arg p "$2" 'all(.actions[]; .address | startswith($p) | not)' "$1" >/dev/null ||
		fail "unexpected action for $2"
}

check_first_plan() {
	local plan=$1
	has_action "$plan" update "conditional_access_policy.B2B - Require MFA for guests"
	has_action "$plan" create "conditional_access_policy.B2B - Compliant device for Contoso"
	depends "$plan" "conditional_access_policy.B2B - Compliant device for Contoso" \
		"group.finance-readers"
	has_action "$plan" delete "conditional_access_policy.B2B - Legacy guest block"
	no_action "$plan" "conditional_access_policy.Admins"
	has_action "$plan" update "catalog.Partner collaboration"
	has_action "$plan" create "access_package.Partner finance access"
	no_action "$plan" "access_package.Project Apollo"
	has_action "$plan" create "access_package_resource.Partner finance access/finance-readers"
	depends "$plan" "access_package_resource.Partner finance access/finance-readers" \
		"access_package.Partner finance access"
	depends "$plan" "access_package_resource.Partner finance access/finance-readers" \
		"group.finance-readers"
	has_action "$plan" create "access_package_resource.Project Apollo/apollo-team"
	has_action "$plan" delete "access_package_resource.Project Apollo/old-team"
	has_action "$plan" create "access_package_policy.Partner finance access/Contoso may request"
	depends "$plan" "access_package_policy.Partner finance access/Contoso may request" \
		"connected_organization.contoso"
	has_action "$plan" create \
		"access_package_policy.Project Apollo/Connected organisations may request"
	has_action "$plan" delete "access_package_policy.Project Apollo/Old policy"
}

# check_tenant SNAPSHOT: the references resolved to the objects apply created.
check_tenant() {
	local snap=$1 fr co
	fr=$(jq -r '.groups[] | select(.displayName == "finance-readers") | .id' "$snap")
	co=$(jq -r '.connectedOrganizations[0].id' "$snap")
	[ -n "$fr" ] && [ "$co" != null ] || fail "group or connected organisation missing"
	jq -e --arg fr "$fr" '.conditionalAccessPolicies[]
		| select(.displayName == "B2B - Compliant device for Contoso")
		| (.conditions.users.excludeGroups | index($fr))
		  and .conditions.users.includeGuestsOrExternalUsers.externalTenants.members
		      == ["22222222-2222-2222-2222-222222222222"]' "$snap" >/dev/null ||
		fail "the new policy does not exclude finance-readers or enumerate contoso"
	jq -e 'all(.conditionalAccessPolicies[]; .displayName != "B2B - Legacy guest block")' \
		"$snap" >/dev/null || fail "the legacy policy was not pruned"
	jq -e 'any(.conditionalAccessPolicies[]; .displayName == "Admins require MFA")' \
		"$snap" >/dev/null || fail "a policy outside the prefix was deleted"
	jq -e --arg fr "$fr" '.accessPackages[] | select(.displayName == "Partner finance access")
		| .resourceRoleScopes | any(.role.originId == "Member_\($fr)")' "$snap" >/dev/null ||
		fail "finance-readers is not a resource role of its package"
	jq -e --arg co "$co" '.accessPackages[] | select(.displayName == "Partner finance access")
		| .assignmentPolicies[0].specificAllowedTargets[0].connectedOrganizationId == $co' \
		"$snap" >/dev/null || fail "the policy does not target the new connected organisation"
	jq -e '.accessPackages[] | select(.displayName == "Project Apollo")
		| (.assignmentPolicies | map(.displayName)) == ["Connected organisations may request"]
		  and (.resourceRoleScopes | length) == 1' "$snap" >/dev/null ||
		fail "Project Apollo kept an undeclared policy or resource"
	jq -e '.accessPackageCatalogs[0].isExternallyVisible == true' "$snap" >/dev/null ||
		fail "the catalog is still hidden from external users"
}

cp "$SEED_SNAPSHOT" "$WORK/tenant.json"
snap=(--tenant-snapshot "$WORK/tenant.json")
expect_rc 2 "$B2BCTL" plan "$CONFIG" "${snap[@]}" --format json --detailed-exitcode \
	>"$WORK/plan1.json"
check_first_plan "$WORK/plan1.json"
# through a plan file: every reference and payload apply needs survives in it
expect_rc 0 "$B2BCTL" plan "$CONFIG" "${snap[@]}" --out "$WORK/plan1.bin" >/dev/null
expect_rc 0 "$B2BCTL" apply "$WORK/plan1.bin" "$CONFIG" "${snap[@]}" --auto-approve \
	>"$WORK/apply1.txt"
grep -q '^Apply complete: 8 created, 2 updated, 3 deleted, 0 failed, 0 skipped\.$' \
	"$WORK/apply1.txt" || fail "unexpected summary: $(tail -1 "$WORK/apply1.txt")"
expect_rc 0 "$B2BCTL" plan "$CONFIG" "${snap[@]}" --detailed-exitcode >"$WORK/plan2.txt"
check_tenant "$WORK/tenant.json"
no_duplicates "$WORK/tenant.json"

# A changed expiry is one update, a package's dropped group one delete.
sed -e 's/expiry: P90D/expiry: P30D/' -e 's/groups: \[apollo-team\]/groups: []/' \
	"$CONFIG/b2bctl.yaml" >"$WORK/changed.yaml"
mkdir "$WORK/changed" && mv "$WORK/changed.yaml" "$WORK/changed/b2bctl.yaml"
expect_rc 2 "$B2BCTL" plan "$WORK/changed" "${snap[@]}" --format json --detailed-exitcode \
	>"$WORK/plan3.json"
[ "$(jq '.actions | length' "$WORK/plan3.json")" = 2 ] || fail "$(cat "$WORK/plan3.json")"
has_action "$WORK/plan3.json" update \
	"access_package_policy.Partner finance access/Contoso may request"
has_action "$WORK/plan3.json" delete "access_package_resource.Project Apollo/apollo-team"
expect_rc 0 "$B2BCTL" apply "$WORK/changed" "${snap[@]}" --auto-approve >/dev/null
expect_rc 0 "$B2BCTL" plan "$WORK/changed" "${snap[@]}" --detailed-exitcode >/dev/null

# The same through the Graph emulator ($batch, paging and filters over HTTP).
start_emu "$SEED_SNAPSHOT"
expect_rc 2 b2b_emu plan "$CONFIG" --format json --detailed-exitcode >"$WORK/plan-emu.json"
check_first_plan "$WORK/plan-emu.json"
expect_rc 0 b2b_emu apply "$CONFIG" --auto-approve >"$WORK/apply-emu.txt"
expect_rc 0 b2b_emu plan "$CONFIG" --detailed-exitcode >"$WORK/plan-emu2.txt"
emu_snapshot >"$WORK/emu.json"
check_tenant "$WORK/emu.json"
no_duplicates "$WORK/emu.json"
stop_emu

# A Graph that throttles, fails after writing and lags: creates look before they
# create again, so applies converge with nothing made twice (seed 7 needs two runs).
start_emu "$SEED_SNAPSHOT" --throttle-rate 0.3 --fail-rate 0.2 --consistency-delay-ms 1500 \
	--seed 7 --log "$WORK/faults.log"
apply_until_converged 3 1.7 "$CONFIG"
expect_rc 0 b2b_emu plan "$CONFIG" --detailed-exitcode >"$WORK/faults-plan.txt"
emu_snapshot >"$WORK/faults.json"
check_tenant "$WORK/faults.json"
no_duplicates "$WORK/faults.json"
grep -q '"status": *503' "$WORK/faults.log" || fail "the emulator never failed a request"
[ "$(jq '[.accessPackages[].assignmentPolicies[]] | length' "$WORK/faults.json")" = 2 ] ||
	fail "assignment policies made twice"
[ "$(jq '[.accessPackages[].resourceRoleScopes[]] | length' "$WORK/faults.json")" = 2 ] ||
	fail "resource role scopes made twice"
stop_emu
echo "ok: conditional access and access packages converge"
