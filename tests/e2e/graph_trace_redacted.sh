#!/usr/bin/env bash
# The Graph client through b2bctl against graph-emu: a --debug trace that shows
# every request but never the client secret or a token (also with throttling
# and tokens that expire mid-run), sign-in errors that name the method and
# Entra's AADSTS code, and plain http:// refused for anything but loopback.
EMU_SECRET='e2e-Sup3r~secret.value'
source "$(dirname "$0")/lib/apply_common.bash"
SECRET=$EMU_SECRET

b2b() {
	env -u B2BCTL_ACCESS_TOKEN -u AZURE_FEDERATED_TOKEN_FILE -u ACTIONS_ID_TOKEN_REQUEST_URL \
		-u ACTIONS_ID_TOKEN_REQUEST_TOKEN AZURE_TENANT_ID=$TENANT_ID \
		B2BCTL_GRAPH_URL="$EMU_URL" AZURE_AUTHORITY_HOST="$EMU_URL" "$B2BCTL" "$@"
}

no_secrets() { # FILE WHAT
	! grep -qF -- "$SECRET" "$1" || fail "$2 shows the client secret"
	! grep -qE 'emu\.[0-9a-f]{16}' "$1" || fail "$2 shows an access token"
	! grep -qiE 'bearer [^[]' "$1" || fail "$2 shows an Authorization header"
}

# 1. A traced read: every request on stderr, nothing secret anywhere, also while
#    the emulator throttles and its tokens expire mid-run.
start_emu "$SEED_SNAPSHOT" --log "$WORK/emu.log" --token-lifetime-s 2 --latency-ms 20 --throttle-rate 0.2 --seed 3
rc=0
AZURE_CLIENT_ID=e2e-client AZURE_CLIENT_SECRET=$SECRET \
	b2b snapshot --out "$WORK/snap.json" --debug 2>"$WORK/trace.err" || rc=$?
[ "$rc" = 0 ] || { cat "$WORK/trace.err" >&2; fail "snapshot --debug exited $rc"; }
grep -qE "^graph: GET $EMU_URL/v1\.0/[^ ]+ -> 200 \([0-9]+ ms, request-id [^)]+\)$" "$WORK/trace.err" ||
	fail "no trace line for a GET: $(head -3 "$WORK/trace.err")"
no_secrets "$WORK/trace.err" "the --debug trace"
no_secrets "$WORK/snap.json" "the snapshot file"
if grep -q '"status":429' "$WORK/emu.log"; then
	grep -q 'retry in [0-9]* ms: throttled (429)' "$WORK/trace.err" ||
		fail "the emulator throttled but the trace shows no retry"
fi

# 2. A ready token is used as given and never printed.
start_emu "$SEED_SNAPSHOT" --log "$WORK/emu.log"
token=$(curl -sf -d "client_id=e2e-client&grant_type=client_credentials" \
	--data-urlencode "client_secret=$SECRET" --data-urlencode "scope=$EMU_URL/.default" \
	"$EMU_URL/$TENANT_ID/oauth2/v2.0/token" | sed -n 's/.*"access_token": *"\([^"]*\)".*/\1/p')
[ -n "$token" ] || fail "could not get a token from the emulator"
rc=0
env AZURE_TENANT_ID=$TENANT_ID B2BCTL_GRAPH_URL="$EMU_URL" AZURE_AUTHORITY_HOST="$EMU_URL" \
	B2BCTL_ACCESS_TOKEN="$token" "$B2BCTL" snapshot --out "$WORK/snap2.json" --debug \
	2>"$WORK/ready.err" || rc=$?
[ "$rc" = 0 ] || { cat "$WORK/ready.err" >&2; fail "snapshot with B2BCTL_ACCESS_TOKEN exited $rc"; }
! grep -qF -- "$token" "$WORK/ready.err" || fail "the trace shows the ready token"

# 3. A wrong secret: the method, the client id and Entra's code; not the secret tried.
rc=0
AZURE_CLIENT_ID=e2e-client AZURE_CLIENT_SECRET=wrong-secret-1234 \
	b2b snapshot --out "$WORK/x.json" 2>"$WORK/wrong.err" || rc=$?
[ "$rc" = 1 ] || fail "a wrong secret exited $rc, not 1"
grep -qF 'sign-in with client secret (AZURE_CLIENT_ID=e2e-client) failed: AADSTS7000215' \
	"$WORK/wrong.err" || fail "unclear sign-in error: $(cat "$WORK/wrong.err")"
! grep -qF 'wrong-secret-1234' "$WORK/wrong.err" || fail "the sign-in error shows the secret"
[ ! -e "$WORK/x.json" ] || fail "a failed sign-in still wrote a snapshot"

# 4. No credentials at all: say which variables to set.
rc=0
env -u AZURE_CLIENT_ID -u AZURE_CLIENT_SECRET -u B2BCTL_ACCESS_TOKEN -u AZURE_FEDERATED_TOKEN_FILE \
	-u ACTIONS_ID_TOKEN_REQUEST_URL -u ACTIONS_ID_TOKEN_REQUEST_TOKEN AZURE_TENANT_ID=$TENANT_ID \
	B2BCTL_GRAPH_URL="$EMU_URL" "$B2BCTL" snapshot --out "$WORK/x.json" 2>"$WORK/none.err" || rc=$?
[ "$rc" = 1 ] || fail "no credentials exited $rc, not 1"
for v in AZURE_CLIENT_ID AZURE_CLIENT_SECRET AZURE_FEDERATED_TOKEN_FILE B2BCTL_ACCESS_TOKEN; do
	grep -qF "$v" "$WORK/none.err" || fail "the no-credentials error does not name $v"
done

# 5. Plain http:// to anything but loopback is refused before any request.
rc=0
AZURE_CLIENT_ID=e2e-client AZURE_CLIENT_SECRET=$SECRET \
	b2b snapshot --out "$WORK/x.json" --graph-url http://graph.example.com \
	2>"$WORK/http.err" || rc=$?
[ "$rc" = 1 ] || fail "http:// to a remote host exited $rc, not 1"
grep -q 'loopback' "$WORK/http.err" || fail "unclear http:// refusal: $(cat "$WORK/http.err")"

echo "ok: graph trace redacted, sign-in errors clear, http:// refused"
