#!/usr/bin/env bash
# The main job on the bundled example, against the embedded tenant snapshot:
# builds b2bctl, then validates the example configuration.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake pkg-config libyaml-dev libcurl4-openssl-dev libjansson-dev
          libgit2-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "demo: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "demo: missing packages; install them with:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

cmake -S . -B build -DB2BCTL_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" --target b2bctl >/dev/null

run() { echo; echo "\$ $*"; "$@"; }
run build/b2bctl validate examples/config
