#!/usr/bin/env bash
# An apply killed with SIGKILL half way loses nothing: the next apply finishes
# the job, the tenant ends as declared, and nothing exists twice (no guest
# invited twice, no group or membership created twice). One stopped with
# SIGTERM finishes the requests in flight and reports before it exits.
source "$(dirname "$0")/lib/apply_common.bash"
directory_config "$WORK/directory"
CONFIG=$WORK/directory

# wait_for_writes N: until the emulator's log holds N writes, or apply has ended.
wait_for_writes() {
	local i
	for i in $(seq 400); do
		[ "$(emu_writes "$WORK/emu.log" | wc -l)" -ge "$1" ] && return 0
		kill -0 "$B2B_PID" 2>/dev/null || return 0
		sleep 0.05
	done
}

# converged NAME: the next apply succeeds, then nothing is left to do, nothing is twice.
converged() {
	expect_rc 0 b2b_emu apply "$CONFIG" --auto-approve >"$WORK/$1-resumed.txt" 2>&1
	expect_rc 0 b2b_emu plan "$CONFIG" --detailed-exitcode >/dev/null
	emu_snapshot >"$WORK/$1-final.json"
	no_duplicates "$WORK/$1-final.json"
	no_double_invitations "$WORK/$1-final.json"
}

start_emu "$SEED_SNAPSHOT" --latency-ms 150 --log "$WORK/emu.log"
b2b_emu_bg "$WORK/killed.txt" apply "$CONFIG" --auto-approve --parallelism 2
wait_for_writes 3
kill -KILL "$B2B_PID" 2>/dev/null || fail "apply ended before it could be killed"
rc=0
wait "$B2B_PID" 2>/dev/null || rc=$?
[ "$rc" = 137 ] || fail "apply ended on its own (exit $rc) before it was killed"
killed_after=$(emu_writes "$WORK/emu.log" | wc -l)
[ "$killed_after" -ge 3 ] || fail "apply was killed before it wrote anything"
grep -q 'Apply complete' "$WORK/killed.txt" && fail "apply finished before it was killed"
converged killed
stop_emu

: >"$WORK/emu.log"
start_emu "$SEED_SNAPSHOT" --latency-ms 150 --log "$WORK/emu.log"
b2b_emu_bg "$WORK/stopped.txt" apply "$CONFIG" --auto-approve --parallelism 2
wait_for_writes 3
kill -TERM "$B2B_PID" 2>/dev/null || fail "apply ended before it could be stopped"
rc=0
wait "$B2B_PID" || rc=$?
[ "$rc" = 1 ] || fail "a stopped apply exited $rc: $(tail -3 "$WORK/stopped.txt")"
grep -q 'Apply complete: .* [1-9][0-9]* skipped\.' "$WORK/stopped.txt" ||
	fail "a stopped apply did not report: $(tail -3 "$WORK/stopped.txt")"
grep -q ': skipped: interrupted' "$WORK/stopped.txt" || fail "nothing was reported as interrupted"
converged stopped
echo "ok: killed after $killed_after writes, stopped with SIGTERM; the next applies converged"
