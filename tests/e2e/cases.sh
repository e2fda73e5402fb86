#!/usr/bin/env bash
# cases: tests as data (after curl). Every folder in tests/cases/ is one case:
#
#   config/              the configuration (YAML), planned as `b2bctl plan config`
#   seed.snapshot.json   the tenant before the plan
#   expected-plan.json   the exact output of `plan --format json` (omit for error cases)
#   expected-exit        optional: the exit status of `plan --detailed-exitcode`;
#                        without it 0 when expected-plan.json has no actions, else 2
#   expected-stderr      optional: lines that must each appear in stderr
#
# Each case runs twice and both runs must print the same bytes: once on the
# snapshot backend (--tenant-snapshot) and once through Microsoft Graph as
# graph-emu serves it, seeded with the same snapshot and signed in with a client
# secret. While graph-emu is not built, the Graph half is skipped, loudly.
#
#   tests/e2e/cases.sh [CASE...]                  run all cases, or the named ones
#   B2BCTL_UPDATE_EXPECTED=1 tests/e2e/cases.sh   rewrite expected-plan.json from the
#                                                 snapshot run (review the diff before committing)
set -uo pipefail

SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
B2BCTL=${B2BCTL:-$SRC/build/b2bctl}
GRAPH_EMU=${GRAPH_EMU:-$(dirname "$B2BCTL")/graph-emu}
cases_dir=$SRC/tests/cases
# a fixed "now" (2026-11-25) so time-based findings do not change from day to day
export B2BCTL_NOW=${B2BCTL_NOW:-1795564800}

if [ ! -x "$B2BCTL" ]; then
  echo "cases: $B2BCTL is not built" >&2
  exit 1
fi

work=$(mktemp -d)
emu_pid=
stop_emulator() {
  if [ -n "$emu_pid" ]; then
    kill "$emu_pid" 2>/dev/null
    wait "$emu_pid" 2>/dev/null
    emu_pid=
  fi
}
trap 'stop_emulator; rm -rf "$work"' EXIT

graph_half=1
if [ ! -x "$GRAPH_EMU" ]; then
  graph_half=0
  echo "cases: SKIPPING the Graph half of every case: $GRAPH_EMU is not built;" \
    "only the snapshot backend is checked" >&2
fi

# Starts graph-emu on a free loopback port seeded with $1; sets emu_url.
start_emulator() {
  local out=$work/emu.out i
  : >"$out"
  "$GRAPH_EMU" --snapshot "$1" --listen 127.0.0.1:0 >"$out" 2>"$work/emu.err" &
  emu_pid=$!
  for i in $(seq 1 100); do
    if read -r line <"$out" && [ -n "$line" ]; then
      emu_url=${line#listening }
      return 0
    fi
    kill -0 "$emu_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "cases: graph-emu did not start:" >&2
  cat "$work/emu.err" >&2
  stop_emulator
  return 1
}

# The tenant id the configuration declares (tenant.id), else the snapshot's.
tenant_of() {
  local id
  id=$(grep -rhE '^[[:space:]]+id:[[:space:]]*[0-9a-fA-F-]{36}' "$1/config" 2>/dev/null |
    head -n1 | grep -oE '[0-9a-fA-F-]{36}')
  [ -n "$id" ] || id=$(grep -oE '"tenantId":[[:space:]]*"[0-9a-fA-F-]{36}"' "$1/seed.snapshot.json" |
    head -n1 | grep -oE '[0-9a-fA-F-]{36}')
  echo "${id:-11111111-1111-1111-1111-111111111111}"
}

expected_exit_of() {
  if [ -f "$1/expected-exit" ]; then
    tr -d '[:space:]' <"$1/expected-exit"
  elif [ -f "$1/expected-plan.json" ] && grep -q '"actions": \[\]' "$1/expected-plan.json"; then
    echo 0
  else
    echo 2
  fi
}

# check NAME HALF DIR STATUS: compares one run's output with the expectations.
check() {
  local name=$1 half=$2 dir=$3 status=$4 want ok=1 line
  want=$(expected_exit_of "$dir")
  if [ "$status" != "$want" ]; then
    echo "cases: $name ($half): exit $status, expected $want" >&2
    ok=0
  fi
  if [ ! -f "$dir/expected-plan.json" ] && [ "$want" != 1 ]; then
    echo "cases: $name ($half): no expected-plan.json (B2BCTL_UPDATE_EXPECTED=1 writes one)" >&2
    ok=0
  elif [ -f "$dir/expected-plan.json" ] && ! cmp -s "$dir/expected-plan.json" "$work/out.json"; then
    echo "cases: $name ($half): plan differs from expected-plan.json:" >&2
    diff -u "$dir/expected-plan.json" "$work/out.json" | head -n 60 >&2
    ok=0
  fi
  if [ -f "$dir/expected-stderr" ]; then
    while IFS= read -r line; do
      [ -z "$line" ] && continue
      if ! grep -qF -- "$line" "$work/err"; then
        echo "cases: $name ($half): stderr lacks: $line" >&2
        ok=0
      fi
    done <"$dir/expected-stderr"
  fi
  if [ $ok = 0 ]; then
    echo "--- stderr:" >&2
    head -n 40 "$work/err" >&2
  fi
  [ $ok = 1 ]
}

passed=0
failed=0
skipped_graph=0
names=("$@")
if [ ${#names[@]} = 0 ]; then
  for d in "$cases_dir"/*/; do names+=("$(basename "$d")"); done
fi

for name in "${names[@]}"; do
  src_case=$cases_dir/$name
  if [ ! -d "$src_case/config" ] || [ ! -f "$src_case/seed.snapshot.json" ]; then
    echo "cases: $name: needs config/ and seed.snapshot.json" >&2
    failed=$((failed + 1))
    continue
  fi
  case_dir=$work/case/$name
  rm -rf "$case_dir"
  mkdir -p "$case_dir"
  cp -RL "$src_case/." "$case_dir/"
  case_ok=1

  (cd "$case_dir" && "$B2BCTL" plan config --tenant-snapshot seed.snapshot.json --format json \
    --detailed-exitcode --no-color --progress never >"$work/out.json" 2>"$work/err")
  status=$?
  if [ "${B2BCTL_UPDATE_EXPECTED:-}" = 1 ] && [ -f "$src_case/expected-plan.json" -o "$status" != 1 ]; then
    cp "$work/out.json" "$src_case/expected-plan.json"
    cp "$work/out.json" "$case_dir/expected-plan.json"
    echo "cases: $name: wrote expected-plan.json (exit $status)"
  fi
  check "$name" snapshot "$case_dir" "$status" || case_ok=0

  if [ $graph_half = 1 ]; then
    if start_emulator "$case_dir/seed.snapshot.json"; then
      (cd "$case_dir" && env -u B2BCTL_ACCESS_TOKEN -u AZURE_FEDERATED_TOKEN_FILE \
        -u ACTIONS_ID_TOKEN_REQUEST_URL -u ACTIONS_ID_TOKEN_REQUEST_TOKEN -u B2BCTL_GRAPH_URL \
        -u AZURE_AUTHORITY_HOST \
        AZURE_TENANT_ID="$(tenant_of "$case_dir")" AZURE_CLIENT_ID=b2bctl-cases \
        AZURE_CLIENT_SECRET=cases-client-secret \
        "$B2BCTL" plan config --graph-url "$emu_url" --authority-host "$emu_url" \
        --format json --detailed-exitcode --no-color --progress never \
        >"$work/out.json" 2>"$work/err")
      status=$?
      stop_emulator
      check "$name" graph "$case_dir" "$status" || case_ok=0
      if grep -q cases-client-secret "$work/out.json" "$work/err"; then
        echo "cases: $name (graph): the client secret appears in the output" >&2
        case_ok=0
      fi
    else
      case_ok=0
    fi
  else
    skipped_graph=$((skipped_graph + 1))
  fi

  if [ $case_ok = 1 ]; then
    passed=$((passed + 1))
    echo "cases: ok   $name"
  else
    failed=$((failed + 1))
    echo "cases: FAIL $name"
  fi
done

echo "cases: $passed passed, $failed failed" \
  "$([ $skipped_graph -gt 0 ] && echo "(Graph half skipped in $skipped_graph: graph-emu not built)")"
[ $failed = 0 ]
