#!/usr/bin/env bash
# b2bctl plan and drift against hostile-graph, a Graph that answers with
# truncated JSON, HTML, the wrong JSON types, empty bodies, a `value` that is not
# an array, $batch garbage, nextLinks that loop or leave the host, and a 2 GiB
# body: each ends in exit 1 with an error on stderr that says what came back,
# never a crash, a sanitizer report or a hang, and never the client secret.
set -euo pipefail
: "${B2BCTL:?}" "${GRAPH_EMU:?}" "${SRC:?}"
HOSTILE=$(dirname "$GRAPH_EMU")/hostile-graph
[ -x "$HOSTILE" ] || { echo "FAIL: no $HOSTILE" >&2; exit 1; }
WORK=$(mktemp -d)
PID=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

SECRET=hostile-e2e-secret-5b1e

start() {
	local i
	: >"$WORK/$1.out"
	"$HOSTILE" --mode "$1" >"$WORK/$1.out" 2>"$WORK/$1.err" &
	PID=$!
	for i in $(seq 100); do
		URL=$(sed -n '1s/^listening //p' "$WORK/$1.out")
		[ -n "$URL" ] && return 0
		sleep 0.05
	done
	fail "hostile-graph --mode $1 did not start"
}

stop() {
	kill "$PID" 2>/dev/null || true
	wait "$PID" 2>/dev/null || true
	PID=
}

# check MODE EXPECTED_RCS PATTERN CMD...: CMD against a server in MODE exits with
# one of EXPECTED_RCS, within 120 s, and its stderr matches PATTERN.
check() {
	local mode=$1 rcs=$2 pattern=$3 rc=0 start_s
	shift 3
	start "$mode"
	start_s=$SECONDS
	env AZURE_TENANT_ID=11111111-1111-1111-1111-111111111111 AZURE_CLIENT_ID=app \
		AZURE_CLIENT_SECRET=$SECRET B2BCTL_GRAPH_URL=$URL AZURE_AUTHORITY_HOST=$URL \
		timeout 120 $B2BCTL_PREFIX "$B2BCTL" "$@" "$SRC/examples/config" \
		>"$WORK/out" 2>"$WORK/err" || rc=$?
	stop
	case " $rcs " in *" $rc "*) ;; *) cat "$WORK/err" >&2; fail "$mode: $1 exited $rc, wanted $rcs" ;; esac
	grep -qE 'Sanitizer|runtime error|Segmentation|Assertion' "$WORK/err" &&
		{ cat "$WORK/err" >&2; fail "$mode: $1 crashed"; }
	grep -q "$SECRET" "$WORK/out" "$WORK/err" && fail "$mode: the client secret was printed"
	grep -qiE "$pattern" "$WORK/err" || { cat "$WORK/err" >&2; fail "$mode: no clear error ($pattern)"; }
	echo "ok: $mode $1 -> exit $rc in $((SECONDS - start_s)) s: $(grep -m1 -iE "$pattern" "$WORK/err" | cut -c1-160)"
}

B2BCTL_PREFIX=
check truncated 1 'truncated JSON' plan
check html 1 'HTML page' plan
check html-error 1 '403' plan
check empty 1 'empty answer' drift
check not-json 1 'invalid or truncated JSON' plan
check value-object 1 'not an array|responses. array' plan
check value-string 1 'not an array|responses. array' drift
check wrong-types 1 'b2bctl plan: reading ' plan
check batch-garbage 1 'b2bctl plan: reading ' plan
check nextlink-loop 1 'repeats an earlier link|responses. array' plan
check nextlink-foreign 1 '^b2bctl plan: reading ' plan
check huge 1 'larger than' plan
