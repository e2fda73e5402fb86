#!/usr/bin/env bash
# apply_member_join: member adds to one group travel 20 at a time in one PATCH
# with members@odata.bind. 45 new guests of one group become 3 PATCHes (no
# one-by-one $ref adds), a group this apply creates gets its members the same
# way, the read back after the writes does not list every guest again, and the
# tenant ends as declared. Through a graph-emu that throttles,
# fails and replicates slowly, refused PATCHes fall back to one-by-one adds and
# one or two applies converge without a duplicate membership or invitation.
source "$(dirname "$0")/lib/apply_common.bash"

SEED_SNAPSHOT=$WORK/seed.json
CONFIG=$WORK/config
mkdir -p "$CONFIG"
cat >"$SEED_SNAPSHOT" <<'JSON'
{"format": "b2bctl-snapshot/1", "tenantId": "11111111-1111-1111-1111-111111111111",
 "defaultDomain": "hostcorp.onmicrosoft.com",
 "tenantInformation": [{"tenantId": "22222222-2222-2222-2222-222222222222",
   "displayName": "Contoso", "defaultDomainName": "contoso.com", "domains": ["contoso.com"]}],
 "groups": [{"id": "c0000000-0000-4000-8000-000000000001", "displayName": "big",
   "securityEnabled": true, "mailEnabled": false, "mailNickname": "big", "members": []}]}
JSON
{
	printf 'tenant:\n  id: %s\ninvitations:\n  sendEmail: false\n' "$TENANT_ID"
	printf 'partners:\n  - name: contoso\n    domains: [contoso.com]\n    guestGroups: [big]\n'
	printf '    guests:\n'
	for i in $(seq -w 1 45); do
		printf '      - email: guest%s@contoso.com\n' "$i"
		[ "$i" -le 2 ] && printf '        groups: [fresh]\n'
	done
	printf 'groups:\n  - name: big\n  - name: fresh\n    description: created by the apply\n'
} >"$CONFIG/b2bctl.yaml"

# members GROUP SNAPSHOT: how many members the group has
members() { jq --arg g "$1" '.groups[] | select(.displayName == $g) | .members | length' "$2"; }

start_emu "$SEED_SNAPSHOT" --log "$WORK/emu.log"
expect_rc 0 b2b_emu apply "$CONFIG" --auto-approve >"$WORK/apply.txt" 2>&1
grep -q '^Apply complete: 93 created, 0 updated, 0 deleted, 0 failed, 0 skipped\.$' \
	"$WORK/apply.txt" || fail "unexpected summary: $(tail -1 "$WORK/apply.txt")"
[ "$(grep -c '^+ group_member\.big/' "$WORK/apply.txt")" = 45 ] ||
	fail "not one report line per membership: $(grep -c '^+ group_member' "$WORK/apply.txt")"
emu_writes "$WORK/emu.log" >"$WORK/writes.txt"
big=c0000000-0000-4000-8000-000000000001
[ "$(grep -c "^PATCH /v1.0/groups/$big$" "$WORK/writes.txt")" = 3 ] ||
	fail "45 adds to big are not 3 PATCHes: $(grep -c "^PATCH /v1.0/groups/$big$" "$WORK/writes.txt")"
grep -q 'members/\$ref' "$WORK/writes.txt" && fail "members added one by one: $(grep -c 'members/\$ref' "$WORK/writes.txt")"
[ "$(grep -c '^PATCH /v1.0/groups/' "$WORK/writes.txt")" = 4 ] ||
	fail "wanted 4 PATCHes (3 to big, 1 to fresh): $(grep '^PATCH' "$WORK/writes.txt")"
# the read back after the writes looks up the new guests by mail, not the guest listing again
[ "$(grep -c "userType%20eq%20%27Guest%27" "$WORK/emu.log")" = 1 ] ||
	fail "the guest listing was read $(grep -c "userType%20eq%20%27Guest%27" "$WORK/emu.log") times"
grep -q 'Graph did not take' "$WORK/apply.txt" && fail "verify warned: $(grep 'did not take' "$WORK/apply.txt")"
expect_rc 0 b2b_emu plan "$CONFIG" --detailed-exitcode >"$WORK/plan.txt"
emu_snapshot >"$WORK/emu.json"
stop_emu
[ "$(members big "$WORK/emu.json")" = 45 ] || fail "big has $(members big "$WORK/emu.json") members"
[ "$(members fresh "$WORK/emu.json")" = 2 ] || fail "fresh has $(members fresh "$WORK/emu.json") members"
no_duplicates "$WORK/emu.json"

# Fresh objects answer 404 for a while and requests fail at random: refused
# PATCHes fall back to one-by-one adds with their retries.
start_emu "$SEED_SNAPSHOT" --throttle-rate 0.2 --fail-rate 0.1 --consistency-delay-ms 1500 \
	--seed 7 --log "$WORK/faults.log"
apply_until_converged 2 1.7 "$CONFIG"
expect_rc 0 b2b_emu plan "$CONFIG" --detailed-exitcode >"$WORK/faults-plan.txt"
emu_snapshot >"$WORK/faults.json"
stop_emu
[ "$(members big "$WORK/faults.json")" = 45 ] || fail "big has $(members big "$WORK/faults.json") members"
no_duplicates "$WORK/faults.json"
no_double_invitations "$WORK/faults.json"
grep -q '"method":"PATCH","path":"/v1.0/groups/[^"]*","status":40[04]' "$WORK/faults.log" ||
	fail "no PATCH was refused: the fallback was not exercised"
echo "ok: 45 adds in 3 PATCHes; faulty Graph converged in $CONVERGED run(s)"
