# Helpers for the e2e tests that drive graph-emu (apply_*.sh and others): a
# temporary work folder, a Graph emulator on loopback that is always stopped,
# b2bctl pointed at it, and the duplicate checks over the emulator's state.
# Sourced; not a test of its own.
set -euo pipefail

: "${B2BCTL:?B2BCTL must name the b2bctl binary}"
: "${GRAPH_EMU:?GRAPH_EMU must name the graph-emu binary}"
: "${SRC:?SRC must name the source folder}"

command -v jq >/dev/null || { echo "$0: needs jq (apt-get install jq)" >&2; exit 1; }

CONFIG=$SRC/examples/config
SEED_SNAPSHOT=$SRC/examples/tenant.snapshot.json
TENANT_ID=11111111-1111-1111-1111-111111111111
# the emulator's client secret; a test that looks for it in output sets its own first
EMU_SECRET=${EMU_SECRET:-e2e-secret}
WORK=$(mktemp -d)
EMU_PID=
EMU_URL=

cleanup() {
	if [ -n "$EMU_PID" ]; then
		kill "$EMU_PID" 2>/dev/null || true
		wait "$EMU_PID" 2>/dev/null || true
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# start_emu SNAPSHOT [graph-emu options...]: serves SNAPSHOT (stopping an emulator
# still running); sets EMU_URL and EMU_PID.
start_emu() {
	local snapshot=$1 i
	shift
	[ -z "$EMU_PID" ] || stop_emu
	# emptied first: the address of an emulator started earlier must not be read
	: >"$WORK/emu.out"
	"$GRAPH_EMU" --snapshot "$snapshot" --listen 127.0.0.1:0 --client-id e2e-client \
		--client-secret "$EMU_SECRET" "$@" >"$WORK/emu.out" 2>"$WORK/emu.err" &
	EMU_PID=$!
	for i in $(seq 100); do
		EMU_URL=$(sed -n '1s/^listening //p' "$WORK/emu.out")
		[ -n "$EMU_URL" ] && return 0
		kill -0 "$EMU_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$WORK/emu.err" >&2
	fail "graph-emu did not start"
}

stop_emu() {
	kill "$EMU_PID" 2>/dev/null || true
	wait "$EMU_PID" 2>/dev/null || true
	EMU_PID=
}

# b2b_emu ARGS...: b2bctl against the running emulator, signed in as a client (never with
# a ready token from the environment).
b2b_emu() {
	env -u B2BCTL_ACCESS_TOKEN AZURE_TENANT_ID=$TENANT_ID AZURE_CLIENT_ID=e2e-client \
		AZURE_CLIENT_SECRET="$EMU_SECRET" B2BCTL_GRAPH_URL=$EMU_URL AZURE_AUTHORITY_HOST=$EMU_URL \
		"$B2BCTL" "$@"
}

# b2b_emu_bg OUTFILE ARGS...: the same in the background; B2B_PID is b2bctl's own
# pid (the subshell execs it), so a signal sent to it reaches b2bctl itself.
b2b_emu_bg() {
	local out=$1
	shift
	(exec env -u B2BCTL_ACCESS_TOKEN AZURE_TENANT_ID=$TENANT_ID AZURE_CLIENT_ID=e2e-client \
		AZURE_CLIENT_SECRET="$EMU_SECRET" B2BCTL_GRAPH_URL=$EMU_URL AZURE_AUTHORITY_HOST=$EMU_URL \
		"$B2BCTL" "$@" >"$out" 2>&1) &
	B2B_PID=$!
}

# apply_until_converged RUNS PAUSE_S CONFIG: applies CONFIG through the emulator until a
# run exits 0, at most RUNS times, pausing PAUSE_S (the emulator's replication delay)
# after each run; sets CONVERGED to the run that did, or fails with every run's output.
apply_until_converged() {
	local runs=$1 pause=$2 config=$3 run
	CONVERGED=
	for run in $(seq "$runs"); do
		if b2b_emu apply "$config" --auto-approve >"$WORK/faults-apply$run.txt" 2>&1; then
			CONVERGED=$run
			sleep "$pause"
			return 0
		fi
		sleep "$pause"
	done
	cat "$WORK"/faults-apply*.txt >&2
	fail "apply did not converge in $runs runs"
}

# emu_token: an access token from the emulator, for changing the tenant behind b2bctl's back.
emu_token() {
	curl -sf -d client_id=e2e-client --data-urlencode client_secret="$EMU_SECRET" \
		-d grant_type=client_credentials -d scope=https://graph.microsoft.com/.default \
		"$EMU_URL/$TENANT_ID/oauth2/v2.0/token" | jq -r .access_token
}

# emu_writes LOG: the write requests an emulator log holds (not sign-in, not the
# $batch envelope, whose inner requests are logged one by one).
emu_writes() {
	jq -r 'select(.method != "GET" and (.path | test("oauth2|^/v1.0/\\$batch|^/beta/\\$batch") | not))
		| "\(.method) \(.path)"' "$1"
}

# expect_rc WANT CMD...: runs CMD and fails the test unless it exits with WANT.
expect_rc() {
	local want=$1 rc=0
	shift
	"$@" || rc=$?
	[ "$rc" = "$want" ] || fail "exit $rc (wanted $want): $*"
}

emu_snapshot() {
	curl -sf "$EMU_URL/_emulator/snapshot"
}

# no_duplicates SNAPSHOT_FILE: one user per email, one group per name, one
# membership per (group, user), one policy/package/catalog per name.
no_duplicates() {
	local snap=$1 dup
	dup=$(jq -r '[.users[]? | (.mail // .userPrincipalName // "" | ascii_downcase)]
		| map(select(. != "")) | group_by(.) | map(select(length > 1) | .[0]) | .[]' "$snap")
	[ -z "$dup" ] || fail "users with the same email: $dup"
	dup=$(jq -r '[.groups[]?.displayName] | group_by(.) | map(select(length > 1) | .[0]) | .[]' \
		"$snap")
	[ -z "$dup" ] || fail "groups with the same name: $dup"
	dup=$(jq -r '.groups[]? | . as $g | (.members // []) | group_by(.)
		| map(select(length > 1) | "\($g.displayName)/\(.[0])") | .[]' "$snap")
	[ -z "$dup" ] || fail "duplicate memberships: $dup"
	local c
	for c in conditionalAccessPolicies accessPackageCatalogs accessPackages connectedOrganizations; do
		dup=$(jq -r --arg c "$c" '[.[$c][]?.displayName] | group_by(.)
			| map(select(length > 1) | .[0]) | .[]' "$snap")
		[ -z "$dup" ] || fail "$c with the same name: $dup"
	done
	dup=$(jq -r '[.crossTenantAccessPolicyPartners[]?.tenantId] | group_by(.)
		| map(select(length > 1) | .[0]) | .[]' "$snap")
	[ -z "$dup" ] || fail "cross-tenant partners twice: $dup"
}

# no_double_invitations SNAPSHOT_FILE: the emulator keeps every invitation it
# accepted in "_invitations"; no email that was not already a guest in the seed
# (those may be re-invited on purpose: resendPendingAfter) is invited twice.
no_double_invitations() {
	local snap=$1 dup
	dup=$(jq -r --slurpfile seed "$SEED_SNAPSHOT" '
		[$seed[0].users[]? | (.mail // "" | ascii_downcase)] as $known
		| [._invitations[]?.email | ascii_downcase | select(. as $e | $known | index($e) | not)]
		| group_by(.) | map(select(length > 1) | "\(.[0]) (\(length) times)") | .[]' "$snap")
	[ -z "$dup" ] || fail "invited more than once: $dup"
}

# directory_config DIR: the example configuration without its access packages and
# without re-invitations (resendPendingAfter): partners, guests, groups, members
# and conditional access, for tests about how apply runs rather than what the
# kinds write.
directory_config() {
	cp -r "$CONFIG" "$1"
	rm "$1/access-packages.yaml"
	sed -i '/resendPendingAfter/d' "$1/collaboration.yaml"
}
