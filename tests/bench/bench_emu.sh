#!/usr/bin/env bash
# Speed of graph-emu on a large tenant: generates a snapshot of N users (default
# 100,000; nine in ten are guests), starts graph-emu on it, lists every guest
# with $filter=userType eq 'Guest'&$top=999 following @odata.nextLink, and prints
# the emulator's CPU time (user + system, from /proc) for loading and for the
# listing. Target: under 1 s of CPU for the listing.
#
#   tests/bench/bench_emu.sh [N]        GRAPH_EMU=path/to/graph-emu (default build/graph-emu)
set -euo pipefail

n=${1:-100000}
here=$(cd "$(dirname "$0")/../.." && pwd)
emu=${GRAPH_EMU:-$here/build/graph-emu}
[ -x "$emu" ] || { echo "bench_emu: no graph-emu at $emu (set GRAPH_EMU)" >&2; exit 1; }
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

python3 - "$n" "$tmp/snapshot.json" <<'EOF'
import json, sys
n, out = int(sys.argv[1]), sys.argv[2]
users = []
for i in range(n):
    guest = i % 10 != 0
    mail = "user%d@partner%d.example" % (i, i % 97) if guest else "member%d@hostcorp.com" % i
    upn = mail.replace("@", "_") + "#EXT#@hostcorp.onmicrosoft.com" if guest else mail
    users.append({"id": "%08x-0000-4000-8000-%012x" % (i, i), "displayName": "User %d" % i,
                  "mail": mail, "otherMails": [], "userPrincipalName": upn,
                  "userType": "Guest" if guest else "Member",
                  "externalUserState": "Accepted" if guest else None,
                  "externalUserStateChangeDateTime": "2026-01-01T00:00:00Z" if guest else None,
                  "creationType": "Invitation" if guest else None, "accountEnabled": True,
                  "createdDateTime": "2025-01-01T00:00:00Z",
                  "identities": [{"signInType": "userPrincipalName",
                                  "issuer": "hostcorp.onmicrosoft.com", "issuerAssignedId": upn}]})
json.dump({"format": "b2bctl-snapshot/1", "tenantId": "11111111-1111-1111-1111-111111111111",
           "defaultDomain": "hostcorp.onmicrosoft.com", "users": users}, open(out, "w"))
EOF

cpu_s() { awk '{ printf "%.2f", ($14 + $15) / '"$(getconf CLK_TCK)"' }' "/proc/$1/stat"; }

"$emu" --snapshot "$tmp/snapshot.json" >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 600); do [ -s "$tmp/out" ] && break; sleep 0.1; done
url=$(sed -n 's/^listening //p' "$tmp/out")
[ -n "$url" ] || { echo "bench_emu: graph-emu did not start: $(cat "$tmp/err")" >&2; exit 1; }
load_cpu=$(cpu_s "$pid")
token=$(curl -sf -d grant_type=client_credentials -d client_secret=x "$url/t/oauth2/v2.0/token" |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')

select='id,displayName,mail,otherMails,userPrincipalName,userType,externalUserState,externalUserStateChangeDateTime,creationType,accountEnabled,createdDateTime,identities'
next="$url/v1.0/users?\$filter=userType%20eq%20'Guest'&\$select=$select&\$top=999"
pages=0 guests=0
start=$(date +%s.%N)
while [ -n "$next" ]; do
	curl -sf -H "Authorization: Bearer $token" "$next" >"$tmp/page.json"
	read -r count next < <(python3 -c 'import json, sys
d = json.load(open(sys.argv[1])); print(len(d["value"]), d.get("@odata.nextLink", ""))' "$tmp/page.json")
	pages=$((pages + 1)) guests=$((guests + count))
done
end=$(date +%s.%N)
total_cpu=$(cpu_s "$pid")
list_cpu=$(awk -v a="$total_cpu" -v b="$load_cpu" 'BEGIN { printf "%.2f", a - b }')
wall=$(awk -v a="$end" -v b="$start" 'BEGIN { printf "%.2f", a - b }')
echo "bench_emu: $n users, $guests guests in $pages pages"
echo "bench_emu: graph-emu CPU: load ${load_cpu}s, listing ${list_cpu}s (wall ${wall}s, client included)"
awk -v c="$list_cpu" 'BEGIN { exit !(c < 1.0) }' || echo "bench_emu: listing CPU is over the 1 s target"
