#!/usr/bin/env bash
# The scale benchmark (tests/bench/run.sh) at N = 200: generator, converging
# apply, drift, plan on the snapshot and through graph-emu (same plan), and an
# apply of new invitations and memberships through graph-emu all work. Speed is
# not checked here.
set -euo pipefail

: "${B2BCTL:?}" "${GRAPH_EMU:?}" "${SRC:?}"
# JSON values in json_memory, as in a release build (a sanitizer build defaults to malloc's)
export B2BCTL_JSON_MEMORY=pool
out=$(bash "$SRC/tests/bench/run.sh" --smoke)
echo "$out"
grep -q '^200 *plan-emu ' <<<"$out" || { echo "bench_smoke: no plan-emu row" >&2; exit 1; }
grep -q '^200 *apply-emu ' <<<"$out" || { echo "bench_smoke: no apply-emu row" >&2; exit 1; }
