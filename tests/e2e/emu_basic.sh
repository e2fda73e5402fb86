#!/usr/bin/env bash
# graph-emu over HTTP: sign-in (secret and assertion, wrong secret), users with
# paging, 401 without a token, the snapshot endpoint, --log lines, 429 with
# --throttle-rate 1 (also inside $batch), 503 with --fail-rate 1, a refused
# non-loopback --listen, and a clean exit on SIGTERM.
set -euo pipefail

: "${GRAPH_EMU:?}" "${SRC:?}"
seed="$SRC/tests/graph-emulator/seeds/basic.json"
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

fail() { echo "emu_basic: $*" >&2; exit 1; }

# start NAME ARGS...: runs graph-emu, waits for its first line, sets $url and $pid
start() {
	local name=$1; shift
	"$GRAPH_EMU" --snapshot "$seed" --listen 127.0.0.1:0 "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
	pid=$!
	pids+=("$pid")
	for _ in $(seq 100); do
		[ -s "$tmp/$name.out" ] && break
		sleep 0.05
	done
	url=$(head -n1 "$tmp/$name.out" | sed -n 's/^listening \(http:\/\/127\.0\.0\.1:[0-9]*\)$/\1/p')
	[ -n "$url" ] || fail "$name: no 'listening' line: $(cat "$tmp/$name.out" "$tmp/$name.err")"
}

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

start main --client-id app --client-secret s3cret --log "$tmp/main.log" --seed 7

# sign-in
code=$(curl -s -o "$tmp/bad.json" -w '%{http_code}' -d grant_type=client_credentials \
	-d client_id=app -d client_secret=wrong "$url/tenant/oauth2/v2.0/token")
[ "$code" = 401 ] || fail "wrong secret answered $code"
grep -q AADSTS7000215 "$tmp/bad.json" || fail "wrong secret: no AADSTS7000215"
[ "$(json 'd["error"]' <"$tmp/bad.json")" = invalid_client ] || fail "wrong secret: error"
token=$(curl -sf -d grant_type=client_credentials -d client_id=app -d client_secret=s3cret \
	-d scope=https://graph.microsoft.com/.default "$url/tenant/oauth2/v2.0/token" |
	json 'd["access_token"] if d["token_type"] == "Bearer" and d["expires_in"] > 0 else ""')
[ -n "$token" ] || fail "no token"
assertion_token=$(curl -sf -d grant_type=client_credentials -d client_id=app \
	-d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \
	-d client_assertion=eyJhbGciOi.x.y "$url/tenant/oauth2/v2.0/token" | json 'd["access_token"]')
[ -n "$assertion_token" ] || fail "no token for a client assertion"
auth=(-H "Authorization: Bearer $token")

# 401 without a token or with a made-up one
code=$(curl -s -o "$tmp/401.json" -w '%{http_code}' "$url/v1.0/users")
[ "$code" = 401 ] || fail "no token answered $code"
[ "$(json 'd["error"]["code"]' <"$tmp/401.json")" = InvalidAuthenticationToken ] || fail "401 code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer made-up" "$url/v1.0/users")
[ "$code" = 401 ] || fail "made-up token answered $code"

# guests with paging: follow @odata.nextLink unchanged
next="$url/v1.0/users?\$filter=userType%20eq%20'Guest'&\$top=2&\$select=id,mail"
total=0 pages=0
while [ -n "$next" ]; do
	curl -sf "${auth[@]}" "$next" >"$tmp/page.json" || fail "page $pages failed"
	n=$(json 'len(d["value"])' <"$tmp/page.json")
	total=$((total + n)) pages=$((pages + 1))
	next=$(json 'd.get("@odata.nextLink", "")' <"$tmp/page.json")
	case "$next" in "" | "$url"/*) ;; *) fail "nextLink not on the emulator: $next" ;; esac
done
[ "$total" = 7 ] && [ "$pages" = 4 ] || fail "paging: $total guests in $pages pages"

# a write, then the snapshot endpoint (no token needed) shows it
curl -sf "${auth[@]}" -H 'Content-Type: application/json' -o /dev/null \
	-d '{"invitedUserEmailAddress": "erin@fabrikam.com", "inviteRedirectUrl": "https://x"}' \
	"$url/v1.0/invitations" || fail "invitation"
curl -sf "$url/_emulator/snapshot" >"$tmp/snap.json" || fail "snapshot endpoint"
[ "$(json 'd["format"]' <"$tmp/snap.json")" = b2bctl-snapshot/1 ] || fail "snapshot format"
[ "$(json '[i["email"] for i in d["_invitations"]]' <"$tmp/snap.json")" = "['erin@fabrikam.com']" ] ||
	fail "snapshot has no invitation"

# strings that need escaping come back as they went in
python3 - "$url" "$token" <<'PY' || fail "a display name did not survive the round trip"
import json, sys, urllib.request
url, token = sys.argv[1], sys.argv[2]
name = 'q"uo\\te\n\t\x01 \u00e9 \u4e2d \u2028 / end'
body = json.dumps({"displayName": name, "mailEnabled": False, "mailNickname": "esc",
                   "securityEnabled": True}).encode()
req = urllib.request.Request(url + "/v1.0/groups", data=body, method="POST",
                             headers={"Authorization": "Bearer " + token,
                                      "Content-Type": "application/json"})
assert json.load(urllib.request.urlopen(req))["displayName"] == name
PY

# HTTP/1.1 keep-alive: two requests on one connection
curl -sf "${auth[@]}" -o /dev/null -o /dev/null "$url/v1.0/users?\$top=1" "$url/v1.0/groups" \
	-w '%{num_connects}\n' >"$tmp/connects"
[ "$(awk "{s+=\$1} END {print s}" "$tmp/connects")" = 1 ] || fail "keep-alive: $(cat "$tmp/connects") connects"

# the log: one JSON line per request, no secret or token in it
lines=$(wc -l <"$tmp/main.log")
[ "$lines" -ge 12 ] || fail "log has $lines lines"
python3 - "$tmp/main.log" <<'EOF' || fail "log lines"
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    assert set(d) >= {"time", "method", "path", "status", "latency_ms"}, d
EOF
! grep -q -e s3cret -e "$token" "$tmp/main.log" || fail "a secret reached the log"
grep -q '"status":401' "$tmp/main.log" || fail "401 not logged"

# SIGTERM ends it cleanly
kill -TERM "$pid"
wait "$pid" || fail "graph-emu exited $? on SIGTERM"

# 429 with Retry-After, in $batch items too, and logged per item
start throttle --throttle-rate 1 --log "$tmp/throttle.log"
token=$(curl -sf -d grant_type=client_credentials -d client_secret=x "$url/t/oauth2/v2.0/token" |
	json 'd["access_token"]')
code=$(curl -s -D "$tmp/h429" -o "$tmp/429.json" -w '%{http_code}' \
	-H "Authorization: Bearer $token" "$url/v1.0/users")
[ "$code" = 429 ] || fail "throttle answered $code"
grep -qi '^retry-after: 1' "$tmp/h429" || fail "429 without Retry-After"
[ "$(json 'd["error"]["code"]' <"$tmp/429.json")" = TooManyRequests ] || fail "429 body"
curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
	-d '{"requests": [{"id": "1", "method": "GET", "url": "/users"}, {"id": "2", "method": "GET", "url": "groups"}]}' \
	"$url/v1.0/\$batch" >"$tmp/batch.json" || fail "batch outer status"
[ "$(json 'sorted(r["status"] for r in d["responses"])' <"$tmp/batch.json")" = "[429, 429]" ] ||
	fail "batch items not throttled: $(cat "$tmp/batch.json")"
[ "$(grep -c '"batch":true' "$tmp/throttle.log")" = 2 ] || fail "batch items not logged"

# 503 with --fail-rate 1
start failing --fail-rate 1
token=$(curl -sf -d grant_type=client_credentials -d client_secret=x "$url/t/oauth2/v2.0/token" |
	json 'd["access_token"]')
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$url/v1.0/users")
[ "$code" = 503 ] || fail "fail-rate answered $code"

# expired tokens are refused
start expiry --token-lifetime-s 0
token=$(curl -sf -d grant_type=client_credentials -d client_secret=x "$url/t/oauth2/v2.0/token" |
	json 'd["access_token"]')
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$url/v1.0/users")
[ "$code" = 401 ] || fail "expired token answered $code"

# only loopback
if "$GRAPH_EMU" --snapshot "$seed" --listen 0.0.0.0:0 >"$tmp/any.out" 2>"$tmp/any.err"; then
	fail "listening on 0.0.0.0 was not refused"
fi
grep -q loopback "$tmp/any.err" || fail "refusal does not say why"
if "$GRAPH_EMU" --snapshot "$tmp/none.json" >/dev/null 2>"$tmp/none.err"; then
	fail "a missing snapshot was accepted"
fi
grep -q "$tmp/none.json" "$tmp/none.err" || fail "missing snapshot error does not name the file"
echo "emu_basic: ok"
