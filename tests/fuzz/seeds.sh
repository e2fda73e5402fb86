#!/usr/bin/env bash
# Builds the seed corpora for the fuzz targets from files already in the tree,
# one folder per target under OUT (default build-fuzz/seeds), so no corpus is
# committed:  tests/fuzz/seeds.sh [OUT]
#   config      examples/config, tests/invalid, tests/cases configurations
#   plan_file   the expected plans of tests/cases
#   snapshot    examples/tenant.snapshot.json, case and emulator seeds
#   graph_wire  Microsoft's documented responses (../shared/graph-fixtures)
#   graph_token token answers as Entra ID writes them, and some that it does not
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
shared=${SHARED:-$src/../shared}
out=${1:-$src/build-fuzz/seeds}

n=0
# add TARGET FILE: copies FILE into TARGET's folder under a unique name.
add() {
	n=$((n + 1))
	cp "$2" "$out/$1/$n-$(basename "$2")"
}

rm -rf "$out"
mkdir -p "$out"/{config,plan_file,snapshot,graph_wire,graph_token}
while IFS= read -r -d '' f; do add config "$f"; done < <(find "$src/examples/config" \
	"$src/tests/invalid" "$src/tests/cases" -name '*.y*ml' -print0)
while IFS= read -r -d '' f; do add plan_file "$f"; done < <(find "$src/tests/cases" \
	-name 'expected-plan.json' -print0)
while IFS= read -r -d '' f; do add snapshot "$f"; done < <(find "$src/examples" \
	"$src/tests/cases" "$src/tests/e2e" "$src/tests/graph-emulator" -name '*.json' \
	\( -name '*snapshot*' -o -path '*/seeds/*' \) -print0)
if [ -d "$shared/graph-fixtures" ]; then
	while IFS= read -r -d '' f; do add graph_wire "$f"; done < <(find \
		"$shared/graph-fixtures" -name 'response*' -size -64k -print0)
fi
printf '%s' '{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ0eXAi.x.y"}' \
	>"$out/graph_token/ok.json"
printf '%s' '{"token_type":"Bearer","expires_in":"3599","access_token":"t"}' >"$out/graph_token/string.json"
printf '%s' '{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret."}' \
	>"$out/graph_token/error.json"
printf '%s' '{"access_token":"t","expires_in":9223372036854775807}' >"$out/graph_token/huge.json"
echo "seeds in $out: $(find "$out" -type f | wc -l) files"
