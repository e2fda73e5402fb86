#!/usr/bin/env bash
# Reads through a Graph that throttles and fails: `b2bctl snapshot` against
# graph-emu with --throttle-rate 0.3 --fail-rate 0.1 writes the same snapshot
# as against a well-behaved one, and the emulator's log shows the 429s and
# 503s the client retried.
EMU_SECRET='e2e-faults-secret'
source "$(dirname "$0")/lib/apply_common.bash"

snapshot() { # OUT
	b2b_emu snapshot --out "$1" --parallelism 4
}

start_emu "$SEED_SNAPSHOT" --log "$WORK/clean.log"
snapshot "$WORK/clean.json" 2>"$WORK/clean.stderr" || { cat "$WORK/clean.stderr" >&2; fail "snapshot failed"; }
stop_emu

start_emu "$SEED_SNAPSHOT" --log "$WORK/faulty.log" --throttle-rate 0.3 --fail-rate 0.1 \
	--seed 11
snapshot "$WORK/faulty.json" 2>"$WORK/faulty.stderr" ||
	{ cat "$WORK/faulty.stderr" >&2; fail "snapshot through faults failed"; }
stop_emu

# the emulator's address is the one thing allowed to differ
jq -S 'walk(if type == "string" then sub("^http://127\\.0\\.0\\.1:[0-9]+"; "EMU") else . end)' \
	"$WORK/clean.json" >"$WORK/clean.norm"
jq -S 'walk(if type == "string" then sub("^http://127\\.0\\.0\\.1:[0-9]+"; "EMU") else . end)' \
	"$WORK/faulty.json" >"$WORK/faulty.norm"
diff -u "$WORK/clean.norm" "$WORK/faulty.norm" >&2 || fail "the snapshot read through faults differs"
[ "$(jq '.users | length' "$WORK/clean.norm")" -gt 0 ] || fail "the snapshot has no users"
grep -q '"status":429' "$WORK/faulty.log" || fail "the emulator never throttled"
grep -q '"status":503' "$WORK/faulty.log" || fail "the emulator never failed"
echo "ok: reads through 429s and 503s give the same snapshot"
