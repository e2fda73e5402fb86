#!/usr/bin/env bash
# The invalid-configuration corpus: each tests/invalid/<case>/ holds config
# files and expected.txt, the exact diagnostics `b2bctl validate` must print
# (run from inside the case folder, so paths are relative to it). Every case
# must exit 1, print nothing on stdout and exactly the expected lines on stderr.
set -euo pipefail
: "${B2BCTL:?path to the b2bctl binary}" "${SRC:?source tree}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cases=0
failed=0
for dir in "$SRC"/tests/invalid/*/; do
	name=$(basename "$dir")
	cases=$((cases + 1))
	rc=0
	(cd "$dir" && "$B2BCTL" validate >"$work/out" 2>"$work/err") || rc=$?
	if [ "$rc" != 1 ]; then
		echo "FAIL $name: exit $rc, expected 1"
		failed=$((failed + 1))
		continue
	fi
	if [ -s "$work/out" ]; then
		echo "FAIL $name: unexpected stdout:"
		cat "$work/out"
		failed=$((failed + 1))
		continue
	fi
	if [ ! -s "$dir/expected.txt" ]; then
		echo "FAIL $name: expected.txt is missing or empty"
		failed=$((failed + 1))
		continue
	fi
	if ! diff -u "$dir/expected.txt" "$work/err" >"$work/diff"; then
		echo "FAIL $name: diagnostics differ (- expected, + got):"
		cat "$work/diff"
		failed=$((failed + 1))
	fi
done

if [ "$cases" -lt 25 ]; then
	echo "FAIL: only $cases corpus cases"
	exit 1
fi
echo "$((cases - failed))/$cases corpus cases pass"
[ "$failed" = 0 ]
