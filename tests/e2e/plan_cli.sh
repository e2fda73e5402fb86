#!/usr/bin/env bash
# plan_cli: the plan, drift and snapshot commands as a user meets them: exit
# codes, stdout versus stderr, no tenant contact on a bad configuration, the
# plan file (0600, no secrets, apply's extras), the three formats, and a
# snapshot that plans exactly like the tenant it was taken from.
set -uo pipefail

SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
B2BCTL=${B2BCTL:-$SRC/build/b2bctl}
# a fixed "now" (2026-11-25) so time-based findings do not change from day to day
export B2BCTL_NOW=${B2BCTL_NOW:-1795564800}
GRAPH_EMU=${GRAPH_EMU:-$(dirname "$B2BCTL")/graph-emu}
work=$(mktemp -d)
emu_pid=
trap '[ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null; rm -rf "$work"' EXIT
failures=0

fail() {
  echo "plan_cli: FAIL: $*" >&2
  failures=$((failures + 1))
}

# run NAME EXPECTED-STATUS ARGS...: runs b2bctl in $work, output in $work/NAME.out/.err
run() {
  local name=$1 want=$2 status
  shift 2
  (cd "$work" && "$B2BCTL" "$@" >"$work/$name.out" 2>"$work/$name.err")
  status=$?
  if [ "$status" != "$want" ]; then
    fail "$name: exit $status, expected $want"
    sed 's/^/    /' "$work/$name.err" | head -n 20 >&2
  fi
}

contains() { grep -qF -- "$2" "$work/$1" || fail "$1 lacks: $2"; }
lacks() { ! grep -qF -- "$2" "$work/$1" || fail "$1 contains: $2"; }

cp -RL "$SRC/examples/config" "$work/config"
cp "$SRC/examples/tenant.snapshot.json" "$work/tenant.json"
mkdir -p "$work/empty"
cp "$SRC/tests/cases/empty/config/tenant.yaml" "$work/empty/"
cp "$SRC/tests/cases/empty/seed.snapshot.json" "$work/empty.json"

# A bad configuration stops before the tenant is read: its errors come alone,
# whatever is wrong with the snapshot (which is parsed while the configuration loads).
mkdir -p "$work/bad"
printf 'tenant:\n  id: 11111111-1111-1111-1111-111111111111\ngroups:\n  - nam: x\n' \
  >"$work/bad/groups.yaml"
run bad 1 plan bad --tenant-snapshot "$work/no-such-snapshot.json"
contains bad.err "bad/groups.yaml:4"
lacks bad.err "no-such-snapshot"
[ -s "$work/bad.out" ] && fail "bad: wrote to stdout"
printf '{"format": "b2bctl-snapshot/1",\n "users": [{"id": "u1"},]}\n' >"$work/broken.json"
run bad-broken 1 plan bad --tenant-snapshot broken.json
contains bad-broken.err "bad/groups.yaml:4"
lacks bad-broken.err "broken.json"

# A snapshot that is not JSON: where, in the snapshot's own words, and nothing on stdout.
run broken 1 plan empty --tenant-snapshot broken.json
contains broken.err "broken.json:2:"
contains broken.err "not valid JSON"
[ -s "$work/broken.out" ] && fail "broken: wrote to stdout"

# A configuration for another tenant is refused.
sed 's/11111111-1111-1111-1111-111111111111/99999999-9999-9999-9999-999999999999/' \
  "$work/empty.json" >"$work/other.json"
run other 1 plan empty --tenant-snapshot other.json
contains other.err "99999999-9999-9999-9999-999999999999"

run badformat 1 plan config --tenant-snapshot tenant.json --format yaml
contains badformat.err "--format"

# The example: creates, updates and deletes, Terraform's look, no colour off a terminal.
run text 0 plan config --tenant-snapshot tenant.json
run detailed 2 plan config --tenant-snapshot tenant.json --detailed-exitcode
contains text.out "b2bctl will perform the following actions:"
contains text.out "# config/"
contains text.out "Plan: "
grep -qE '^  \+ ' "$work/text.out" || fail "text: no create"
grep -qE '^  ~ ' "$work/text.out" || fail "text: no update"
grep -qE '^  - ' "$work/text.out" || fail "text: no delete"
grep -q $'\033' "$work/text.out" && fail "text: colour although stdout is not a terminal"
cmp -s "$work/text.out" "$work/detailed.out" || fail "--detailed-exitcode changed the output"

run empty 0 plan empty --tenant-snapshot empty.json --detailed-exitcode
contains empty.out "No changes. The tenant matches the configuration."

# JSON: the contract, byte for byte the same each time.
run json1 0 plan config --tenant-snapshot tenant.json --format json
run json2 0 plan config --tenant-snapshot tenant.json --format json
cmp -s "$work/json1.out" "$work/json2.out" || fail "json: two runs differ"
contains json1.out '"format_version": "1"'
lacks json1.out '"live"'
lacks json1.out '"data"'

run md 0 plan config --tenant-snapshot tenant.json --format markdown
head -c 8 "$work/md.out" | grep -qF '**Plan: ' || fail "markdown: summary line not first"
contains md.out "<details><summary>"

# The plan file: 0600, apply's extras, no secret even when one is in the environment.
(cd "$work" && AZURE_CLIENT_SECRET=plan-cli-secret-value "$B2BCTL" plan config \
  --tenant-snapshot tenant.json --out saved.plan >/dev/null 2>"$work/out.err") ||
  fail "plan --out failed: $(cat "$work/out.err")"
[ "$(stat -c %a "$work/saved.plan" 2>/dev/null)" = 600 ] || fail "plan file is not mode 0600"
contains saved.plan '"config_hash"'
contains saved.plan '"tenant_id": "11111111-1111-1111-1111-111111111111"'
contains saved.plan '"live"'
contains saved.plan '"data"'
lacks saved.plan "plan-cli-secret-value"
ls "$work" | grep -q '\.tmp\.' && fail "a temporary file was left behind"

# drift: 2 drifted, 0 in sync, read-only.
cp "$work/tenant.json" "$work/tenant.before"
run drift 2 drift config --tenant-snapshot tenant.json
contains drift.out "Drift: "
cmp -s "$work/tenant.json" "$work/tenant.before" || fail "drift changed the snapshot"
run insync 0 drift empty --tenant-snapshot empty.json --format json
contains insync.out '"actions": []'

# snapshot: 0600, and the saved tenant plans exactly like the original.
run snap 0 snapshot --tenant-snapshot tenant.json --out again.json
[ "$(stat -c %a "$work/again.json" 2>/dev/null)" = 600 ] || fail "snapshot is not mode 0600"
contains again.json '"format": "b2bctl-snapshot/1"'
run json3 0 plan config --tenant-snapshot again.json --format json
cmp -s "$work/json1.out" "$work/json3.out" || {
  fail "the snapshot of the tenant plans differently from the tenant"
  diff -u "$work/json1.out" "$work/json3.out" | head -n 40 >&2
}
run snapnoout 1 snapshot --tenant-snapshot tenant.json

# snapshot through Microsoft Graph (graph-emu): the same tenant, planned the same.
if [ -x "$GRAPH_EMU" ]; then
  "$GRAPH_EMU" --snapshot "$work/tenant.json" --listen 127.0.0.1:0 >"$work/emu.out" 2>"$work/emu.err" &
  emu_pid=$!
  for _ in $(seq 1 100); do
    read -r line <"$work/emu.out" && [ -n "$line" ] && break
    sleep 0.1
  done
  url=${line#listening }
  (cd "$work" && env -u B2BCTL_ACCESS_TOKEN -u AZURE_FEDERATED_TOKEN_FILE \
    -u ACTIONS_ID_TOKEN_REQUEST_URL AZURE_TENANT_ID=11111111-1111-1111-1111-111111111111 \
    AZURE_CLIENT_ID=plan-cli AZURE_CLIENT_SECRET=plan-cli-graph-secret \
    "$B2BCTL" snapshot --graph-url "$url" --authority-host "$url" --out graph.json \
    >"$work/gsnap.out" 2>"$work/gsnap.err") || fail "snapshot over Graph: $(cat "$work/gsnap.err")"
  kill "$emu_pid" 2>/dev/null
  wait "$emu_pid" 2>/dev/null
  emu_pid=
  lacks graph.json "plan-cli-graph-secret"
  run json4 0 plan config --tenant-snapshot graph.json --format json
  cmp -s "$work/json1.out" "$work/json4.out" || {
    fail "the snapshot taken over Graph plans differently from the tenant"
    diff -u "$work/json1.out" "$work/json4.out" | head -n 40 >&2
  }
else
  echo "plan_cli: SKIPPING snapshot over Graph: $GRAPH_EMU is not built" >&2
fi

# --rev: the configuration as committed, not as it is in the working tree.
if command -v git >/dev/null; then
  mkdir -p "$work/repo"
  cp -R "$work/config" "$work/repo/config"
  (cd "$work/repo" && git init -q && git add config &&
    git -c user.name=t -c user.email=t@example.com commit -q -m config) ||
    fail "could not make a git repository"
  sed -i 's/displayName: Alice Smith/displayName: Alice Changed/' \
    "$work/repo/config/partners/contoso.yaml"
  (cd "$work/repo" && "$B2BCTL" plan config --tenant-snapshot ../tenant.json --format json \
    --rev HEAD >"$work/rev.out" 2>"$work/rev.err") || fail "plan --rev HEAD: $(cat "$work/rev.err")"
  contains rev.out "\"format_version\": \"1\""
  lacks rev.out "Alice Changed"
  (cd "$work/repo" && "$B2BCTL" plan config --tenant-snapshot ../tenant.json --format json \
    >"$work/worktree.out" 2>&1)
  contains worktree.out "Alice Changed"
else
  echo "plan_cli: SKIPPING the --rev check: git is not installed" >&2
fi

if [ $failures -gt 0 ]; then
  echo "plan_cli: $failures failure(s)" >&2
  exit 1
fi
echo "plan_cli: ok"
