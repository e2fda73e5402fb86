#!/usr/bin/env bash
# An apply killed with SIGKILL half way loses nothing: the next apply finishes
# the job, the tenant ends as declared, and nothing exists twice (no guest
# invited twice, no group or membership created twice).
source "$(dirname "$0")/lib/apply_common.bash"
directory_config "$WORK/directory"
CONFIG=$WORK/directory

start_emu "$SEED_SNAPSHOT" --latency-ms 150 --log "$WORK/emu.log"
b2b_emu apply "$CONFIG" --auto-approve --parallelism 2 >"$WORK/killed.txt" 2>&1 &
apply_pid=$!
for i in $(seq 300); do
	[ "$(emu_writes "$WORK/emu.log" | wc -l)" -ge 3 ] && break
	kill -0 "$apply_pid" 2>/dev/null || break
	sleep 0.05
done
kill -KILL "$apply_pid" 2>/dev/null || fail "apply finished before it could be killed"
wait "$apply_pid" 2>/dev/null || true
done_before=$(emu_writes "$WORK/emu.log" | wc -l)
[ "$done_before" -ge 3 ] || fail "apply was killed before it wrote anything"
grep -q '^Apply complete' "$WORK/killed.txt" && fail "apply finished before it was killed"

expect_rc 0 b2b_emu apply "$CONFIG" --auto-approve >"$WORK/resumed.txt" 2>&1
expect_rc 0 b2b_emu plan "$CONFIG" --detailed-exitcode >/dev/null
emu_snapshot >"$WORK/final.json"
no_duplicates "$WORK/final.json"
no_double_invitations "$WORK/final.json"
echo "ok: killed after $done_before writes; the next apply converged"
