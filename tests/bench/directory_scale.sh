#!/usr/bin/env bash
# Directory at scale, through the Graph emulator: plan over a tenant of GUESTS
# guests (target: well under 5 s, at most ~250 HTTP requests), then apply
# NEW_GUESTS invitations with two memberships each (target: at most ~1,600 HTTP
# requests, $batch of 20). Prints the measurements; exits 1 when a target is missed.
#
#   tests/bench/directory_scale.sh BUILD_DIR [GUESTS [NEW_GUESTS]]
set -euo pipefail

build=${1:?usage: $0 BUILD_DIR [GUESTS [NEW_GUESTS]]}
guests=${2:-100000}
new_guests=${3:-10000}
here=$(cd "$(dirname "$0")" && pwd)
b2bctl=$build/b2bctl
emu=$build/graph-emu
tenant=11111111-1111-1111-1111-111111111111
work=$(mktemp -d)
emu_pid=

cleanup() {
	if [ -n "$emu_pid" ]; then
		kill "$emu_pid" 2>/dev/null || true
		wait "$emu_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

start_emu() {
	"$emu" --snapshot "$1" --listen 127.0.0.1:0 --client-id bench --client-secret bench \
		--log "$2" >"$work/emu.out" 2>"$work/emu.err" &
	emu_pid=$!
	for _ in $(seq 300); do
		url=$(sed -n '1s/^listening //p' "$work/emu.out")
		[ -n "$url" ] && return 0
		sleep 0.1
	done
	cat "$work/emu.err" >&2
	exit 1
}

stop_emu() {
	kill "$emu_pid" 2>/dev/null || true
	wait "$emu_pid" 2>/dev/null || true
	emu_pid=
}

b2b() {
	env AZURE_TENANT_ID=$tenant AZURE_CLIENT_ID=bench AZURE_CLIENT_SECRET=bench \
		B2BCTL_GRAPH_URL=$url AZURE_AUTHORITY_HOST=$url "$b2bctl" "$@"
}

# HTTP requests in an emulator log: not the token endpoint, not the requests inside a $batch.
http_requests() {
	grep -v '"batch":true' "$1" | grep -vc 'oauth2' || true
}

status=0
python3 "$here/directory_scale_gen.py" "$work/plan" "$guests" 0 20
start_emu "$work/plan/seed.snapshot.json" "$work/plan.log"
start=$(date +%s.%N)
rc=0
b2b plan "$work/plan/config" --detailed-exitcode >"$work/plan.out" 2>"$work/plan.err" || rc=$?
end=$(date +%s.%N)
stop_emu
seconds=$(echo "$end - $start" | bc)
requests=$(http_requests "$work/plan.log")
echo "plan: $guests guests, exit $rc, ${seconds}s, $requests HTTP requests"
[ "$rc" = 0 ] || { echo "  expected no changes:"; head -20 "$work/plan.out" "$work/plan.err"; status=1; }
[ "$(echo "$seconds < 5" | bc)" = 1 ] || { echo "  slower than 5 s"; status=1; }
[ "$requests" -le 250 ] || { echo "  more than 250 requests"; status=1; }

python3 "$here/directory_scale_gen.py" "$work/apply" 1000 "$new_guests" 20
start_emu "$work/apply/seed.snapshot.json" "$work/apply.log"
start=$(date +%s.%N)
rc=0
b2b apply "$work/apply/config" --auto-approve >"$work/apply.out" 2>"$work/apply.err" || rc=$?
end=$(date +%s.%N)
seconds=$(echo "$end - $start" | bc)
requests=$(http_requests "$work/apply.log")
writes=$(grep '"batch":true' "$work/apply.log" | grep -vc '"method":"GET"' || true)
echo "apply: $new_guests invitations + $((2 * new_guests)) memberships, exit $rc, ${seconds}s," \
	"$requests HTTP requests, $writes writes inside \$batch"
[ "$rc" = 0 ] || { tail -5 "$work/apply.out" "$work/apply.err"; status=1; }
[ "$requests" -le 1600 ] || { echo "  more than 1,600 requests"; status=1; }
rc=0
b2b plan "$work/apply/config" --detailed-exitcode >"$work/replan.out" 2>&1 || rc=$?
stop_emu
echo "plan after apply: exit $rc"
[ "$rc" = 0 ] || { head -20 "$work/replan.out"; status=1; }
exit $status
