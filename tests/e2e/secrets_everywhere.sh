#!/usr/bin/env bash
# Every command that can meet a secret (validate, lint, plan, apply, drift,
# snapshot, export), run with --debug, once signed in with a known client
# secret and once with a known ready token, shows neither the secret nor any
# token the emulator issued in stdout, stderr, plan files, snapshots or export
# output; and plan and snapshot files are written mode 0600 even under umask 000.
source "$(dirname "$0")/lib/apply_common.bash"
SECRET='known-Cl1ent~secret.e2e'

start_secret_emu() {
	: >"$WORK/emu.out"
	"$GRAPH_EMU" --snapshot "$SEED_SNAPSHOT" --listen 127.0.0.1:0 --client-id e2e-client \
		--client-secret "$SECRET" --token-lifetime-s 3 --latency-ms 5 --log "$WORK/emu.log" \
		>"$WORK/emu.out" 2>"$WORK/emu.err" &
	EMU_PID=$!
	for _ in $(seq 100); do
		EMU_URL=$(sed -n '1s/^listening //p' "$WORK/emu.out")
		[ -n "$EMU_URL" ] && return 0
		sleep 0.1
	done
	fail "graph-emu did not start"
}

# every_command DIR ENV...: all commands with --debug, their output in DIR.
every_command() {
	local dir=$1 rc
	shift
	mkdir -p "$dir"
	run() { # NAME ARGS...
		local name=$1
		shift
		rc=0
		(umask 000 && env "${ENVS[@]}" "$B2BCTL" "$@" >"$dir/$name.out" 2>"$dir/$name.err") || rc=$?
		echo "$rc" >"$dir/$name.rc"
	}
	ENVS=(AZURE_TENANT_ID=$TENANT_ID B2BCTL_GRAPH_URL=$EMU_URL AZURE_AUTHORITY_HOST=$EMU_URL "$@")
	run validate validate "$CONFIG"
	run lint lint "$CONFIG" --read-tenant --debug
	run plan plan "$CONFIG" --out "$dir/tenant.plan" --debug
	run apply apply "$dir/tenant.plan" "$CONFIG" --auto-approve --debug
	run drift drift "$CONFIG" --format json --debug
	run snapshot snapshot --out "$dir/tenant.snapshot.json" --debug
	run export export --out "$dir/export" --debug
	for name in validate plan apply snapshot; do
		[ "$(cat "$dir/$name.rc")" = 0 ] ||
			fail "$name exited $(cat "$dir/$name.rc"): $(tail -3 "$dir/$name.err")"
	done
	for name in lint drift; do
		case $(cat "$dir/$name.rc") in 0 | 2) ;; *) fail "$name: $(tail -3 "$dir/$name.err")" ;; esac
	done
	[ "$(cat "$dir/export.rc")" = 0 ] || grep -q 'not available' "$dir/export.err" ||
		fail "export: $(tail -3 "$dir/export.err")"
	grep -q '^graph: GET ' "$dir/plan.err" || fail "plan --debug traced no request"
	[ "$(stat -c %a "$dir/tenant.plan")" = 600 ] ||
		fail "the plan file is mode $(stat -c %a "$dir/tenant.plan"), not 600"
	[ "$(stat -c %a "$dir/tenant.snapshot.json")" = 600 ] ||
		fail "the snapshot file is mode $(stat -c %a "$dir/tenant.snapshot.json"), not 600"
}

# hunt DIR WHAT: no secret and no emulator token in any file under DIR.
hunt() {
	local hits
	hits=$(grep -rlF -- "$SECRET" "$1" || true)
	[ -z "$hits" ] || fail "$2: the client secret is in $hits"
	hits=$(grep -rlE 'emu\.[0-9a-f]{16}' "$1" || true)
	[ -z "$hits" ] || fail "$2: an access token is in $hits"
	hits=$(grep -rliE 'bearer +[A-Za-z0-9]' "$1" || true)
	[ -z "$hits" ] || fail "$2: an Authorization header is in $hits"
}

start_secret_emu
every_command "$WORK/secret" AZURE_CLIENT_ID=e2e-client AZURE_CLIENT_SECRET="$SECRET"
hunt "$WORK/secret" "signed in with a client secret"
n=$(jq -r 'select(.path | test("oauth2")) | .path' "$WORK/emu.log" | wc -l)
[ "$n" -ge 2 ] || fail "only $n sign-ins: the secret was hardly used"

stop_emu
start_secret_emu
token=$(curl -sf -d client_id=e2e-client --data-urlencode "client_secret=$SECRET" \
	-d grant_type=client_credentials --data-urlencode "scope=$EMU_URL/.default" \
	"$EMU_URL/$TENANT_ID/oauth2/v2.0/token" | jq -r .access_token)
[[ "$token" =~ ^emu\. ]] || fail "no token from the emulator ($token)"
every_command "$WORK/token" B2BCTL_ACCESS_TOKEN="$token"
hunt "$WORK/token" "with a ready token"
! grep -rqF -- "$token" "$WORK/token" || fail "the ready token is printed"
echo "ok: no secret or token in the output of $(ls "$WORK/secret"/*.rc | wc -l) commands, twice; plan and snapshot files 0600"
