#!/usr/bin/env bash
# `b2bctl validate` output formats and exit codes, and `b2bctl schema`:
# the example configuration is valid and summarised on stdout; errors come
# as text on stderr, as GitHub workflow annotations or as JSON on stdout.
set -euo pipefail
: "${B2BCTL:?path to the b2bctl binary}" "${SRC:?source tree}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$B2BCTL" validate "$SRC/examples/config" >"$work/out" 2>"$work/err" || fail "examples are not valid: $(cat "$work/err")"
[ ! -s "$work/err" ] || fail "stderr on a valid configuration: $(cat "$work/err")"
grep -qx "valid: 3 partners, 15 guests, 7 groups, 2 conditional-access policies, 2 access packages" "$work/out" ||
	fail "summary: $(cat "$work/out")"

case_dir="$SRC/tests/invalid/unknown-partner-reference"
rc=0
(cd "$case_dir" && "$B2BCTL" validate --format github) >"$work/gh" || rc=$?
[ "$rc" = 1 ] || fail "github format exit $rc"
grep -qxF "::error file=config.yaml,line=13,col=18::unknown partner 'contosso'; did you mean 'contoso'?" "$work/gh" ||
	fail "github annotation: $(cat "$work/gh")"
[ "$(wc -l <"$work/gh")" = 2 ] || fail "github: expected 2 annotations"

rc=0
(cd "$case_dir" && "$B2BCTL" validate --format=json) >"$work/json" || rc=$?
[ "$rc" = 1 ] || fail "json format exit $rc"
python3 - "$work/json" <<'PY' || fail "json output"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["valid"] is False and d["errors"] == 2, d
first = d["diagnostics"][0]
assert (first["file"], first["line"], first["column"], first["severity"]) == ("config.yaml", 13, 18, "error"), first
PY

rc=0
"$B2BCTL" validate --format yaml "$SRC/examples/config" 2>/dev/null || rc=$?
[ "$rc" = 1 ] || fail "unknown --format exit $rc"
"$B2BCTL" validate --help | grep -q "usage: b2bctl validate" || fail "validate --help"

rc=0
"$B2BCTL" validate "$work/does-not-exist" 2>"$work/err" || rc=$?
[ "$rc" = 1 ] || fail "missing path exit $rc"
grep -q "cannot read '$work/does-not-exist': No such file or directory" "$work/err" || fail "missing path: $(cat "$work/err")"

"$B2BCTL" schema >"$work/schema.json"
cmp -s "$work/schema.json" "$SRC/schema/b2bctl.schema.json" || fail "b2bctl schema differs from schema/b2bctl.schema.json"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/schema.json" || fail "schema is not JSON"
echo "validate formats: ok"
