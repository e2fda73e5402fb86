#!/usr/bin/env bash
# apply PLANFILE executes exactly a saved plan, and refuses before any write
# when the plan file was edited, is not a plan, was made from another
# configuration, or when an object it read changed since (snapshot and graph-emu).
source "$(dirname "$0")/lib/apply_common.bash"
directory_config "$WORK/directory"
CONFIG=$WORK/directory

cp "$SEED_SNAPSHOT" "$WORK/tenant.json"
snap=(--tenant-snapshot "$WORK/tenant.json")
expect_rc 0 "$B2BCTL" apply "$CONFIG" "${snap[@]}" --auto-approve >/dev/null

set_description() { # SNAPSHOT GROUP TEXT
	jq --arg g "$2" --arg d "$3" '(.groups[] | select(.displayName == $g) | .description) = $d' \
		"$1" >"$1.new" && mv "$1.new" "$1"
}

# A saved plan applies when nothing moved, and only once nothing moved.
set_description "$WORK/tenant.json" finance-readers "changed out of band"
expect_rc 0 "$B2BCTL" plan "$CONFIG" "${snap[@]}" --out "$WORK/fix.plan" >/dev/null
jq -e '.actions | map(.address) == ["group.finance-readers"]' "$WORK/fix.plan" >/dev/null ||
	fail "expected one action on group.finance-readers: $(jq -c '[.actions[].address]' "$WORK/fix.plan")"

# Edited by hand: refused, whatever the edit.
sed 's/Partner read access/Partner write access/' "$WORK/fix.plan" >"$WORK/edited.plan"
cmp -s "$WORK/fix.plan" "$WORK/edited.plan" && fail "the edit did not change the plan file"
cp "$WORK/tenant.json" "$WORK/before.json"
expect_rc 1 "$B2BCTL" apply "$WORK/edited.plan" "$CONFIG" "${snap[@]}" 2>"$WORK/err.txt" >/dev/null
grep -q 'changed after b2bctl plan wrote it' "$WORK/err.txt" || fail "edited plan: $(cat "$WORK/err.txt")"
echo '{"format_version": "1", "config_hash": "0"}' >"$WORK/bogus.plan"
expect_rc 1 "$B2BCTL" apply "$WORK/bogus.plan" "$CONFIG" "${snap[@]}" 2>"$WORK/err.txt" >/dev/null
grep -q 'not a valid b2bctl plan' "$WORK/err.txt" || fail "bogus plan: $(cat "$WORK/err.txt")"

# Another configuration: refused.
cp -r "$CONFIG" "$WORK/config"
sed -i 's/Every guest from Contoso/All Contoso guests/' "$WORK/config/groups.yaml"
expect_rc 1 "$B2BCTL" apply "$WORK/fix.plan" "$WORK/config" "${snap[@]}" 2>"$WORK/err.txt" >/dev/null
grep -q 'is not the one' "$WORK/err.txt" || fail "other configuration: $(cat "$WORK/err.txt")"
grep -qF "hint: its actions come from files under $CONFIG: b2bctl apply $WORK/fix.plan $CONFIG" \
	"$WORK/err.txt" || fail "no hint at the plan's folder: $(cat "$WORK/err.txt")"

# The group changed again since the plan: refused, naming it.
set_description "$WORK/tenant.json" finance-readers "changed again"
cp "$WORK/tenant.json" "$WORK/before.json"
expect_rc 1 "$B2BCTL" apply "$WORK/fix.plan" "$CONFIG" "${snap[@]}" 2>"$WORK/err.txt" >/dev/null
grep -q 'group finance-readers changed since the plan was made; run plan again' "$WORK/err.txt" ||
	fail "stale plan: $(cat "$WORK/err.txt")"
cmp -s "$WORK/before.json" "$WORK/tenant.json" || fail "a refused apply changed the snapshot"

# Unchanged since: applies exactly the plan.
expect_rc 0 "$B2BCTL" plan "$CONFIG" "${snap[@]}" --out "$WORK/fix2.plan" >/dev/null
expect_rc 0 "$B2BCTL" apply "$WORK/fix2.plan" "$CONFIG" "${snap[@]}" >"$WORK/out.txt"
grep -q '^~ group.finance-readers: updated$' "$WORK/out.txt" || fail "saved plan: $(cat "$WORK/out.txt")"
expect_rc 0 "$B2BCTL" plan "$CONFIG" "${snap[@]}" --detailed-exitcode >/dev/null
# ... and a plan already applied is stale too.
expect_rc 1 "$B2BCTL" apply "$WORK/fix2.plan" "$CONFIG" "${snap[@]}" 2>"$WORK/err.txt" >/dev/null
grep -q 'group finance-readers changed since' "$WORK/err.txt" || fail "replayed plan: $(cat "$WORK/err.txt")"

# Through the emulator, the tenant changed by another client between plan and apply.
set_description "$WORK/tenant.json" finance-readers "changed out of band"
start_emu "$WORK/tenant.json" --log "$WORK/emu.log"
expect_rc 0 b2b_emu plan "$CONFIG" --out "$WORK/emu.plan" >/dev/null
token=$(emu_token)
gid=$(curl -sf -H "Authorization: Bearer $token" \
	"$EMU_URL/v1.0/groups?\$filter=displayName%20eq%20%27finance-readers%27&\$select=id" |
	jq -r '.value[0].id')
[ -n "$gid" ] && [ "$gid" != null ] || fail "could not find finance-readers in the emulator"
curl -sf -X PATCH -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
	-d '{"description": "changed by someone else"}' "$EMU_URL/v1.0/groups/$gid" >/dev/null
: >"$WORK/emu.log"
expect_rc 1 b2b_emu apply "$WORK/emu.plan" "$CONFIG" 2>"$WORK/err.txt" >/dev/null
grep -q 'group finance-readers changed since the plan was made; run plan again' "$WORK/err.txt" ||
	fail "stale plan through graph-emu: $(cat "$WORK/err.txt")"
writes=$(emu_writes "$WORK/emu.log")
[ -z "$writes" ] || fail "a refused apply wrote to Graph: $writes"
echo "ok: saved plans apply only while current"
