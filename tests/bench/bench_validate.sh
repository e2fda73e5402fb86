#!/usr/bin/env bash
# Times `b2bctl validate` on a generated configuration of 100,000 guests in
# 200 partner files (tests/bench/bench_config_gen.c), with a Release build in
# build-bench/. Target: under 2 s. Prints the best of three runs; exits 1
# when it misses the target.
#   tests/bench/bench_validate.sh [GUESTS [PARTNERS]]
set -euo pipefail
cd "$(dirname "$0")/../.."

guests=${1:-100000}
partners=${2:-200}
build=${B2BCTL_BENCH_BUILD:-build-bench}
target_ms=2000

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target b2bctl bench_config_gen >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/tests/bench_config_gen" "$work/config" "$guests" "$partners"
echo "configuration: $guests guests, $partners partners, $(du -sh "$work/config" | cut -f1)"

best=
for run in 1 2 3; do
	start=$(date +%s%N)
	"$build/b2bctl" validate "$work/config" >"$work/out"
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	echo "run $run: ${ms} ms ($(cat "$work/out"))"
	if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
done
echo "b2bctl validate: best ${best} ms for $guests guests (target < ${target_ms} ms)"
[ "$best" -lt "$target_ms" ]
