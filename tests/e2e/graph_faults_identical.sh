#!/usr/bin/env bash
# Reads through a Graph that throttles and fails: `b2bctl snapshot` against
# graph-emu with --throttle-rate 0.3 --fail-rate 0.1 writes the same snapshot
# as against a well-behaved one, and the emulator's log shows the 429s and
# 503s the client retried.
set -euo pipefail

: "${B2BCTL:?B2BCTL must name the b2bctl binary}"
: "${GRAPH_EMU:?GRAPH_EMU must name the graph-emu binary}"
: "${SRC:?SRC must name the source folder}"

command -v jq >/dev/null || { echo "$0: needs jq (apt-get install jq)" >&2; exit 1; }

SECRET='e2e-faults-secret'
TENANT_ID=11111111-1111-1111-1111-111111111111
WORK=$(mktemp -d)
EMU_PID=

stop_emu() {
	if [ -n "$EMU_PID" ]; then
		kill "$EMU_PID" 2>/dev/null || true
		wait "$EMU_PID" 2>/dev/null || true
		EMU_PID=
	fi
}
trap 'stop_emu; rm -rf "$WORK"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# start_emu NAME [graph-emu options...]: sets URL and EMU_PID; logs to $WORK/NAME.log.
start_emu() {
	local name=$1
	shift
	# created first: the loop below must never read a file the emulator has not opened yet
	: >"$WORK/$name.out"
	"$GRAPH_EMU" --snapshot "$SRC/examples/tenant.snapshot.json" --listen 127.0.0.1:0 \
		--client-id e2e-client --client-secret "$SECRET" --log "$WORK/$name.log" "$@" \
		>"$WORK/$name.out" 2>"$WORK/$name.err" &
	EMU_PID=$!
	URL=
	for _ in $(seq 100); do
		URL=$(sed -n '1s/^listening //p' "$WORK/$name.out")
		[ -n "$URL" ] && return 0
		kill -0 "$EMU_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$WORK/$name.err" >&2
	fail "graph-emu did not start"
}

snapshot() { # OUT
	env -u B2BCTL_ACCESS_TOKEN AZURE_TENANT_ID=$TENANT_ID AZURE_CLIENT_ID=e2e-client \
		AZURE_CLIENT_SECRET="$SECRET" B2BCTL_GRAPH_URL="$URL" AZURE_AUTHORITY_HOST="$URL" \
		"$B2BCTL" snapshot --out "$1" --parallelism 4
}

start_emu clean
snapshot "$WORK/clean.json" 2>"$WORK/clean.stderr" || { cat "$WORK/clean.stderr" >&2; fail "snapshot failed"; }
stop_emu

start_emu faulty --throttle-rate 0.3 --fail-rate 0.1 --seed 11
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
