#!/usr/bin/env bash
# export_round_trip: adopting a tenant. `b2bctl export` of the example tenant,
# on the snapshot backend and through graph-emu, writes configuration that
# validates, and planning it against the same tenant shows no changes. Export
# refuses to overwrite other files, and is the same bytes from both backends.
source "$(dirname "$0")/lib/apply_common.bash"

export B2BCTL_NOW=1795564800

# the snapshot backend
"$B2BCTL" export --tenant-snapshot "$SEED_SNAPSHOT" --out "$WORK/snap" 2>"$WORK/err" ||
	fail "export from the snapshot: $(cat "$WORK/err")"
for f in tenant.yaml collaboration.yaml groups.yaml conditional-access.yaml \
	access-packages.yaml b2bctl.schema.json partners/contoso.yaml; do
	[ -f "$WORK/snap/$f" ] || fail "export wrote no $f"
done
head -1 "$WORK/snap/partners/contoso.yaml" | grep -q '^# yaml-language-server: \$schema=../b2bctl.schema.json$' ||
	fail "partner files do not start with the schema comment"
"$B2BCTL" validate "$WORK/snap" >/dev/null 2>"$WORK/err" || fail "export is not valid: $(cat "$WORK/err")"
"$B2BCTL" plan "$WORK/snap" --tenant-snapshot "$SEED_SNAPSHOT" --detailed-exitcode \
	>"$WORK/plan.out" 2>&1 || fail "plan of the export is not empty: $(tail -20 "$WORK/plan.out")"

# deterministic: again, same bytes; a changed file is not overwritten without --force
"$B2BCTL" export --tenant-snapshot "$SEED_SNAPSHOT" --out "$WORK/snap2" 2>/dev/null
diff -r "$WORK/snap" "$WORK/snap2" >/dev/null || fail "two exports differ"
echo "# mine" >>"$WORK/snap2/groups.yaml"
"$B2BCTL" export --tenant-snapshot "$SEED_SNAPSHOT" --out "$WORK/snap2" 2>"$WORK/err" &&
	fail "export overwrote a changed file"
grep -q "groups.yaml exists with other content" "$WORK/err" || fail "no word of the changed file"
"$B2BCTL" export --tenant-snapshot "$SEED_SNAPSHOT" --out "$WORK/snap2" --force 2>/dev/null ||
	fail "--force did not overwrite"
diff -r "$WORK/snap" "$WORK/snap2" >/dev/null || fail "--force wrote something else"

# through graph-emu: the same files, and an empty plan through Graph
start_emu "$SEED_SNAPSHOT"
b2b_emu export --out "$WORK/emu" 2>"$WORK/err" || fail "export through Graph: $(cat "$WORK/err")"
diff -r "$WORK/snap" "$WORK/emu" >"$WORK/diff" || fail "Graph and snapshot exports differ: $(head -20 "$WORK/diff")"
b2b_emu plan "$WORK/emu" --detailed-exitcode >"$WORK/plan.out" 2>&1 ||
	fail "plan of the export through Graph is not empty: $(tail -20 "$WORK/plan.out")"
echo "ok: export round trip on the snapshot and through graph-emu"
