#!/usr/bin/env bash
# apply_directory: guests, groups and group members converge. On the snapshot
# backend and through graph-emu (also one that throttles, fails and lags), apply
# invites, updates and prunes guests, creates and updates groups, adds and
# removes members, and the next plan is empty; nobody is invited twice, no
# group is created twice, additive groups keep their undeclared members.
source "$(dirname "$0")/lib/apply_common.bash"

DIR=$SRC/tests/e2e/directory
SEED_SNAPSHOT=$DIR/seed.snapshot.json
CONFIG=$DIR/config

# check_state SNAPSHOT: the tenant holds what the configuration declares.
check_state() {
	local snap=$1 id
	jq -e '[.users[] | select((.mail // "" | ascii_downcase) == "old@contoso.com")] | length == 0' \
		"$snap" >/dev/null || fail "old@contoso.com was not pruned"
	jq -e '[.users[] | select(.mail == "gina@fabrikam.com" and .userType == "Member")] | length == 1' \
		"$snap" >/dev/null || fail "gina@fabrikam.com is not one Member"
	jq -e '[.users[] | select(.mail == "alice@contoso.com" and .displayName == "Alice Smith-Jones")]
		| length == 1' "$snap" >/dev/null || fail "alice was not renamed"
	jq -e '[.groups[] | select(.displayName == "project-x" and .securityEnabled == true
		and .mailEnabled == false)] | length == 1' "$snap" >/dev/null ||
		fail "project-x is not one security group"
	id() { jq -r --arg m "$1" '.users[] | select((.mail // "" | ascii_downcase) == $m
		or (.userPrincipalName | ascii_downcase) == $m) | .id' "$snap"; }
	members() { jq -r --arg g "$1" '.groups[] | select(.displayName == $g) | .members | sort | join(" ")' "$snap"; }
	want() { local m; for m in "$@"; do id "$m"; done | sort | paste -sd' ' -; }
	[ "$(members finance-readers)" = "$(want alice@contoso.com carl@hostcorp.com)" ] ||
		fail "finance-readers members: $(members finance-readers)"
	[ "$(members contoso-guests)" = "$(want alice@contoso.com bob@contoso.com)" ] ||
		fail "contoso-guests members: $(members contoso-guests)"
	[ "$(members project-x)" = "$(want bob@contoso.com gina@fabrikam.com)" ] ||
		fail "project-x members: $(members project-x)"
	# additive: zed stays
	[ "$(members apollo)" = "$(want alice@contoso.com gina@fabrikam.com nina@hostcorp.com zed@hostcorp.com)" ] ||
		fail "apollo members: $(members apollo)"
}

cp "$SEED_SNAPSHOT" "$WORK/tenant.json"
snap=(--tenant-snapshot "$WORK/tenant.json")
expect_rc 2 "$B2BCTL" plan "$CONFIG" "${snap[@]}" --detailed-exitcode --format json >"$WORK/plan1.json"
for address in guest.bob@contoso.com guest.gina@fabrikam.com group.project-x \
	group_member.project-x/bob@contoso.com group_member.finance-readers/zed@hostcorp.com; do
	jq -e --arg a "$address" '.actions | map(.address) | index($a)' "$WORK/plan1.json" >/dev/null ||
		fail "the first plan lacks $address"
done
expect_rc 0 "$B2BCTL" apply "$CONFIG" "${snap[@]}" --auto-approve >"$WORK/apply1.txt"
expect_rc 0 "$B2BCTL" plan "$CONFIG" "${snap[@]}" --detailed-exitcode >"$WORK/plan2.txt"
check_state "$WORK/tenant.json"
no_duplicates "$WORK/tenant.json"

start_emu "$SEED_SNAPSHOT" --log "$WORK/emu.log"
expect_rc 0 b2b_emu apply "$CONFIG" --auto-approve >"$WORK/apply-emu.txt"
expect_rc 0 b2b_emu plan "$CONFIG" --detailed-exitcode >"$WORK/plan-emu.txt"
emu_snapshot >"$WORK/emu.json"
stop_emu
check_state "$WORK/emu.json"
no_duplicates "$WORK/emu.json"
no_double_invitations "$WORK/emu.json"
grep -q '"batch":true' "$WORK/emu.log" || fail "no request travelled in a \$batch"

start_emu "$SEED_SNAPSHOT" --throttle-rate 0.3 --fail-rate 0.2 --consistency-delay-ms 1500 --seed 7
apply_until_converged 3 1.7 "$CONFIG"
expect_rc 0 b2b_emu plan "$CONFIG" --detailed-exitcode >"$WORK/faults-plan.txt"
emu_snapshot >"$WORK/faults.json"
check_state "$WORK/faults.json"
no_duplicates "$WORK/faults.json"
no_double_invitations "$WORK/faults.json"
echo "ok: directory converged (faulty Graph: $CONVERGED run(s))"
