#!/usr/bin/env bash
# The test command: installs missing Debian packages (as root), configures a
# sanitizer build in build-test/, builds everything and runs the whole suite with ctest.
# Without arguments it also builds the fuzz targets with clang in build-fuzz/ (the
# e2e test fuzz_smoke runs each for a few seconds) and, in build-valgrind/ without
# sanitizers, runs the ctest label "valgrind": a subset of the e2e tests with
# b2bctl under valgrind memcheck.
#   tests/run.sh                 all tests
#   tests/run.sh -L unit         only the unit tests (any ctest arguments pass through)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake pkg-config clang libyaml-dev libcurl4-openssl-dev libjansson-dev
          libgit2-dev libcmocka-dev libmicrohttpd-dev valgrind jq curl git openssl python3)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "tests/run.sh: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "tests/run.sh: missing packages; install them with:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

full=$([ $# -eq 0 ] && echo 1 || echo 0)
build=${B2BCTL_TEST_BUILD:-build-test}
cmake -S . -B "$build" -DB2BCTL_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build" -j"$(nproc)"

if [ "$full" = 1 ]; then
  fuzz_build=${B2BCTL_FUZZ_BUILD:-build-fuzz}
  fuzz_targets=$(for f in tests/fuzz/fuzz_*.c; do basename "$f" .c; done)
  cmake -S . -B "$fuzz_build" -DB2BCTL_FUZZ=ON -DCMAKE_C_COMPILER=clang \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  # shellcheck disable=SC2086 # one --target per fuzz target
  cmake --build "$fuzz_build" -j"$(nproc)" $(printf -- '--target %s ' $fuzz_targets)
  B2BCTL_FUZZ_BUILD=$(cd "$fuzz_build" && pwd)
  export B2BCTL_FUZZ_BUILD

  valgrind_build=${B2BCTL_VALGRIND_BUILD:-build-valgrind}
  cmake -S . -B "$valgrind_build" -DCMAKE_BUILD_TYPE=Debug -DB2BCTL_VALGRIND=ON >/dev/null
  cmake --build "$valgrind_build" -j"$(nproc)" --target b2bctl graph-emu hostile-graph
fi

# LeakSanitizer on, whatever else the caller asked of ASan.
case ":${ASAN_OPTIONS:-}:" in
*:detect_leaks=*) ;;
*) ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1 ;;
esac
case ":$ASAN_OPTIONS:" in
*:abort_on_error=*) ;;
*) ASAN_OPTIONS=$ASAN_OPTIONS:abort_on_error=1 ;;
esac
export ASAN_OPTIONS
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
(cd "$build" && ctest --output-on-failure -j"$(nproc)" "$@") || status=$?
if [ "$full" = 1 ]; then
  (cd "$valgrind_build" && ctest --output-on-failure -j"$(nproc)" -L valgrind) || status=$?
fi
exit "$status"
