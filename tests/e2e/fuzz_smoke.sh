#!/usr/bin/env bash
# Smoke run of every fuzz target: when B2BCTL_FUZZ_BUILD names a build made with
# -DB2BCTL_FUZZ=ON (tests/run.sh makes build-fuzz/), each fuzz_* binary in it runs
# for FUZZ_SECONDS (default 5) from the seeds tests/fuzz/seeds.sh builds, and
# must end without a crash, a leak or a timeout. Builds nothing itself; without
# B2BCTL_FUZZ_BUILD it says so and passes.
set -euo pipefail
: "${SRC:?SRC must name the source folder}"
if [ -z "${B2BCTL_FUZZ_BUILD:-}" ]; then
	echo "skipped: B2BCTL_FUZZ_BUILD does not name a fuzz build"
	exit 0
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
SHARED=${SHARED:-$SRC/../shared} bash "$SRC/tests/fuzz/seeds.sh" "$WORK/seeds" >/dev/null

found=0
while IFS= read -r bin; do
	name=$(basename "$bin")
	seeds=$WORK/seeds/${name#fuzz_}
	mkdir -p "$WORK/corpus/$name" "$WORK/crash/$name"
	args=(-max_total_time="${FUZZ_SECONDS:-5}" -timeout=20 -rss_limit_mb=2560 -max_len=65536
		-print_final_stats=1 -artifact_prefix="$WORK/crash/$name/" "$WORK/corpus/$name")
	[ -d "$seeds" ] && args+=("$seeds")
	if ! "$bin" "${args[@]}" >"$WORK/$name.log" 2>&1; then
		tail -40 "$WORK/$name.log" >&2
		echo "FAIL: $name found a problem; the input, in base64:" >&2
		for f in "$WORK/crash/$name/"*; do [ -f "$f" ] && head -c 4096 "$f" | base64 >&2; done
		exit 1
	fi
	found=$((found + 1))
	echo "ok: $name $(grep -m1 'stat::number_of_executed_units' "$WORK/$name.log" | awk '{print $2}') runs"
done < <(find "$B2BCTL_FUZZ_BUILD" -maxdepth 2 -type f -name 'fuzz_*' -perm -u+x | sort)
[ "$found" -gt 0 ] || { echo "FAIL: no fuzz_* binary under $B2BCTL_FUZZ_BUILD" >&2; exit 1; }
