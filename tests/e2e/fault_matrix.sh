#!/usr/bin/env bash
# The fault matrix: plan and apply of examples/config against graph-emu seeded
# with examples/tenant.snapshot.json, under throttling, failures, latency,
# eventual consistency, short-lived tokens, an emulator that dies mid-apply and
# an apply killed with SIGKILL. Every row ends converged (the final plan
# --detailed-exitcode exits 0) or with exit 1 and a clear error, and the
# emulator's final state holds nothing twice: no guest, invitation, group,
# membership, policy, catalog, package or assignment policy. Seeded (--seed),
# so a row behaves the same on every run.
#   FAULT_ROWS="throttle token" bash tests/e2e/fault_matrix.sh   runs some rows
source "$(dirname "$0")/lib/apply_common.bash"
ROWS=${FAULT_ROWS:-throttle fail latency consistency token emu-killed b2bctl-killed}

# no_duplicate_policies SNAPSHOT: one assignment policy per name in each package.
no_duplicate_policies() {
	local dup
	dup=$(jq -r '.accessPackages[]? | . as $p | [(.assignmentPolicies // [])[].displayName]
		| group_by(.) | map(select(length > 1) | "\($p.displayName)/\(.[0])") | .[]' "$1")
	[ -z "$dup" ] || fail "assignment policies twice: $dup"
}

# converged ROW: the final plan has nothing to do and the state nothing twice.
converged() {
	local rc=0
	b2b_emu plan "$CONFIG" --detailed-exitcode >"$WORK/$1-final-plan.txt" 2>&1 || rc=$?
	[ "$rc" = 0 ] || fail "$1: the final plan exits $rc: $(tail -5 "$WORK/$1-final-plan.txt")"
	state_clean "$1"
}

state_clean() {
	emu_snapshot >"$WORK/$1-state.json" || fail "$1: no state from the emulator"
	no_duplicates "$WORK/$1-state.json"
	no_double_invitations "$WORK/$1-state.json"
	no_duplicate_policies "$WORK/$1-state.json"
}

# apply_row ROW EMU_OPTIONS...: plan, then apply, on a fresh emulator with faults.
apply_row() {
	local row=$1 rc=0 start_s=$SECONDS
	shift
	: >"$WORK/emu.log"
	start_emu "$SEED_SNAPSHOT" --seed 7 --log "$WORK/emu.log" "$@"
	b2b_emu plan "$CONFIG" --detailed-exitcode >"$WORK/$row-plan.txt" 2>&1 || rc=$?
	case $rc in
	2) ;;
	1) grep -q '^b2bctl plan: ' "$WORK/$row-plan.txt" ||
		fail "$row: plan failed without a clear error: $(tail -3 "$WORK/$row-plan.txt")" ;;
	*) fail "$row: plan exited $rc: $(tail -5 "$WORK/$row-plan.txt")" ;;
	esac
	rc=0
	b2b_emu apply "$CONFIG" --auto-approve >"$WORK/$row-apply.txt" 2>&1 || rc=$?
	case $rc in
	0) converged "$row"; OUTCOME="apply 0, converged" ;;
	1) grep -q '^b2bctl apply: \|: failed: ' "$WORK/$row-apply.txt" ||
		fail "$row: apply failed without a clear error: $(tail -3 "$WORK/$row-apply.txt")"
	   state_clean "$row"
	   OUTCOME="apply 1: $(grep -m1 '^b2bctl apply: \|: failed: ' "$WORK/$row-apply.txt" | cut -c1-100)" ;;
	*) fail "$row: apply exited $rc: $(tail -5 "$WORK/$row-apply.txt")" ;;
	esac
	stop_emu
	report "$row" "$OUTCOME" $((SECONDS - start_s))
}

report() {
	printf 'ok: %-14s %-70s %3d s\n' "$1" "$2" "$3"
}

# wait_for_writes N: until the emulator's log holds N writes, or apply has ended.
wait_for_writes() {
	local i
	for i in $(seq 600); do
		[ "$(emu_writes "$WORK/emu.log" | wc -l)" -ge "$1" ] && return 0
		kill -0 "$B2B_PID" 2>/dev/null || return 0
		sleep 0.05
	done
}

row_emu_killed() {
	local rc=0 start_s=$SECONDS port
	: >"$WORK/emu.log"
	start_emu "$SEED_SNAPSHOT" --seed 7 --latency-ms 150 --log "$WORK/emu.log"
	b2b_emu_bg "$WORK/emu-killed-apply.txt" apply "$CONFIG" --auto-approve --parallelism 2
	wait_for_writes 4
	emu_snapshot >"$WORK/last.snapshot.json" || fail "emu-killed: no snapshot before the kill"
	kill -KILL "$EMU_PID"
	wait "$EMU_PID" 2>/dev/null || true
	EMU_PID=
	wait "$B2B_PID" || rc=$?
	[ "$rc" = 1 ] || fail "emu-killed: apply exited $rc: $(tail -5 "$WORK/emu-killed-apply.txt")"
	grep -qi 'connect\|refused' "$WORK/emu-killed-apply.txt" ||
		fail "emu-killed: no clear error: $(tail -5 "$WORK/emu-killed-apply.txt")"
	start_emu "$WORK/last.snapshot.json" --seed 7 --log "$WORK/emu.log"
	expect_rc 0 b2b_emu apply "$CONFIG" --auto-approve >"$WORK/emu-killed-again.txt" 2>&1
	converged emu-killed
	stop_emu
	report emu-killed "apply 1 ($(grep -oi 'connection refused\|couldn.t connect to server' \
		"$WORK/emu-killed-apply.txt" | head -1)), restarted: converged" $((SECONDS - start_s))
}

row_b2bctl_killed() {
	local rc=0 start_s=$SECONDS
	: >"$WORK/emu.log"
	start_emu "$SEED_SNAPSHOT" --seed 7 --latency-ms 150 --log "$WORK/emu.log"
	b2b_emu_bg "$WORK/killed-apply.txt" apply "$CONFIG" --auto-approve --parallelism 2
	wait_for_writes 4
	kill -KILL "$B2B_PID" 2>/dev/null || fail "b2bctl-killed: apply ended before the kill"
	wait "$B2B_PID" 2>/dev/null || rc=$?
	[ "$rc" = 137 ] || fail "b2bctl-killed: apply ended on its own (exit $rc)"
	expect_rc 0 b2b_emu apply "$CONFIG" --auto-approve >"$WORK/killed-again.txt" 2>&1
	converged b2bctl-killed
	stop_emu
	report b2bctl-killed "apply killed (137), run again: converged" $((SECONDS - start_s))
}

for row in $ROWS; do
	case $row in
	throttle) apply_row throttle --throttle-rate 0.5 ;;
	fail) apply_row fail --fail-rate 0.3 ;;
	latency) apply_row latency --latency-ms 300 ;;
	consistency) apply_row consistency --consistency-delay-ms 5000 ;;
	token)
		apply_row token --token-lifetime-s 5 --latency-ms 300
		n=$(jq -r 'select(.path | test("oauth2")) | .path' "$WORK/emu.log" | wc -l)
		[ "$n" -ge 2 ] || fail "token: the run needed only $n token(s); it must span several"
		echo "    token: $n sign-ins" ;;
	emu-killed) row_emu_killed ;;
	b2bctl-killed) row_b2bctl_killed ;;
	*) fail "unknown row $row" ;;
	esac
done
