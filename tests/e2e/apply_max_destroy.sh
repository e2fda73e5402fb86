#!/usr/bin/env bash
# maxDestroy: a plan that deletes more objects than allowed is refused before
# any write (the snapshot file is untouched; the emulator's log holds no write),
# settings.maxDestroy sets the limit and --max-destroy overrides it.
source "$(dirname "$0")/lib/apply_common.bash"
directory_config "$WORK/directory"
CONFIG=$WORK/directory

# A converged tenant, then three undeclared members in the authoritative group
# break-glass: the plan removes them (three group_member deletes).
cp "$SEED_SNAPSHOT" "$WORK/tenant.json"
expect_rc 0 "$B2BCTL" apply "$CONFIG" --tenant-snapshot "$WORK/tenant.json" --auto-approve >/dev/null
jq '([.users[] | select(.userType == "Guest") | .id][0:3]) as $extra
	| (.groups[] | select(.displayName == "break-glass") | .members) += $extra' \
	"$WORK/tenant.json" >"$WORK/three-extra.json"
cp "$WORK/three-extra.json" "$WORK/tenant.json"
"$B2BCTL" plan "$CONFIG" --tenant-snapshot "$WORK/tenant.json" --format json >"$WORK/plan.json"
[ "$(jq '.summary.delete' "$WORK/plan.json")" = 3 ] ||
	fail "expected 3 deletes, the plan has: $(jq -c .summary "$WORK/plan.json")"

expect_rc 1 "$B2BCTL" apply "$CONFIG" --tenant-snapshot "$WORK/tenant.json" --auto-approve \
	--max-destroy 2 >"$WORK/out.txt" 2>"$WORK/err.txt"
grep -q 'the plan deletes 3 objects; maxDestroy is 2 (settings.maxDestroy or --max-destroy): refusing to apply' \
	"$WORK/err.txt" || fail "no maxDestroy refusal: $(cat "$WORK/err.txt")"
cmp -s "$WORK/three-extra.json" "$WORK/tenant.json" || fail "a refused apply changed the snapshot"
grep -q '^Apply complete' "$WORK/out.txt" && fail "a refused apply reported applying"

# settings.maxDestroy from the configuration; the flag wins over it.
cp -r "$CONFIG" "$WORK/config"
sed -i 's/^\(  maxDestroy:\) 10$/\1 1/' "$WORK/config/tenant.yaml"
grep -q 'maxDestroy: 1$' "$WORK/config/tenant.yaml" || fail "could not lower settings.maxDestroy"
expect_rc 1 "$B2BCTL" apply "$WORK/config" --tenant-snapshot "$WORK/tenant.json" --auto-approve \
	>/dev/null 2>"$WORK/err.txt"
grep -q 'maxDestroy is 1 ' "$WORK/err.txt" || fail "settings.maxDestroy ignored: $(cat "$WORK/err.txt")"
expect_rc 0 "$B2BCTL" apply "$WORK/config" --tenant-snapshot "$WORK/tenant.json" --auto-approve \
	--max-destroy 3 >"$WORK/out.txt"
grep -q '^Apply complete: 0 created, 0 updated, 3 deleted, 0 failed, 0 skipped\.$' "$WORK/out.txt" ||
	fail "unexpected: $(tail -1 "$WORK/out.txt")"
expect_rc 0 "$B2BCTL" plan "$WORK/config" --tenant-snapshot "$WORK/tenant.json" --detailed-exitcode \
	>/dev/null

# Through the emulator: not one write reaches Graph.
start_emu "$WORK/three-extra.json" --log "$WORK/emu.log"
expect_rc 1 b2b_emu apply "$CONFIG" --auto-approve --max-destroy 2 >/dev/null 2>"$WORK/err.txt"
grep -q 'refusing to apply' "$WORK/err.txt" || fail "no refusal through graph-emu: $(cat "$WORK/err.txt")"
grep -q '"method":"GET"' "$WORK/emu.log" || fail "the emulator log shows no read at all"
writes=$(emu_writes "$WORK/emu.log")
[ -z "$writes" ] || fail "a refused apply wrote to Graph: $writes"
echo "ok: maxDestroy refuses before any write"
