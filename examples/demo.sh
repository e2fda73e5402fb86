#!/usr/bin/env bash
# The main job on the bundled example, against the embedded tenant snapshot:
# builds b2bctl, validates the example configuration, plans it against a copy
# of examples/tenant.snapshot.json, applies the plan to the copy (never to the
# bundled file) and plans again.
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
# like run, for commands whose exit status 2 means "changes present"
run_changes() { echo; echo "\$ $*"; "$@" || [ $? = 2 ]; }

tenant_dir=$(mktemp -d)
trap 'rm -rf "$tenant_dir"' EXIT
tenant=$tenant_dir/tenant.snapshot.json
cp examples/tenant.snapshot.json "$tenant"

run build/b2bctl validate examples/config
# creates, updates and deletes: the bundled tenant is only partly configured
plan_file=$tenant_dir/demo.plan
run_changes build/b2bctl plan examples/config --tenant-snapshot "$tenant" --out "$plan_file" \
  --detailed-exitcode

# apply executes exactly the saved plan (the plan file is the approval), after checking that
# neither the configuration nor the tenant changed since; then planning again finds nothing to do.
# (--allow-dirty: in a pipeline apply refuses uncommitted files; here you may have edited the example.)
run build/b2bctl apply "$plan_file" examples/config --tenant-snapshot "$tenant" --allow-dirty
run build/b2bctl plan examples/config --tenant-snapshot "$tenant" --detailed-exitcode

# After apply, drift on the same tenant reports what is still different.
run_changes build/b2bctl drift examples/config --tenant-snapshot "$tenant"
