#!/usr/bin/env bash
# Names with quotes, percent signs, ampersands, '#', newlines, markup and
# Unicode (tests/e2e/hostile_names/config.yaml) reach Graph escaped: every
# $filter literal doubles its quotes and stays one literal (no OData
# injection: the group named "x' or displayName eq 'finance-readers" does not
# match finance-readers), apply creates exactly the declared names and the next
# plan has nothing to do. In markdown and GitHub annotations they are escaped:
# no line of output starts a heading, a comment or an annotation of its own.
source "$(dirname "$0")/lib/apply_common.bash"
CONFIG=$WORK/config
mkdir -p "$CONFIG"
cp "$SRC/tests/e2e/hostile_names/config.yaml" "$CONFIG/"

# urldecode TEXT
urldecode() {
	local s=${1//+/ }
	printf '%b' "${s//%/\\x}"
}

# 1. Graph: apply, converge, and the filters as the emulator received them.
start_emu "$SEED_SNAPSHOT" --log "$WORK/emu.log"
expect_rc 0 b2b_emu apply "$CONFIG" --auto-approve >"$WORK/apply.txt" 2>&1
expect_rc 0 b2b_emu plan "$CONFIG" --detailed-exitcode >"$WORK/plan.txt" 2>&1
emu_snapshot >"$WORK/state.json"
no_duplicates "$WORK/state.json"
while IFS= read -r name; do
	n=$(jq --arg n "$name" '[.groups[] | select(.displayName == $n)] | length' "$WORK/state.json")
	[ "$n" = 1 ] || fail "$n groups named '$name' in the tenant, wanted 1"
	n=$(jq --arg n "$name" '[.groups[] | select(.displayName == $n)] | length' "$SEED_SNAPSHOT")
	[ "$n" = 0 ] || fail "the seed already has '$name'"
done < <(printf '%s\n' "O'Brien \"100%\" & co #1" \
	"x' or displayName eq 'finance-readers" "Zürich 日本 ✓ %2527")
jq -e --slurpfile seed "$SEED_SNAPSHOT" '
	[.groups[] | select(.displayName == "finance-readers")] ==
	[$seed[0].groups[] | select(.displayName == "finance-readers")]' "$WORK/state.json" >/dev/null ||
	fail "finance-readers changed: a name leaked into a filter"
jq -e '[.conditionalAccessPolicies[] | select(.displayName == "B2B - it'"'"'s 100% \"safe\"\n<!-- hide -->")]
	| length == 1' "$WORK/state.json" >/dev/null || fail "the policy name did not arrive intact"

filters=0
while IFS= read -r path; do
	filter=$(urldecode "$(printf '%s' "$path" | sed -n 's/.*[?&]$filter=\([^&]*\).*/\1/p')")
	[ -n "$filter" ] || continue
	filters=$((filters + 1))
	bare=${filter//\'\'/}
	quotes=${bare//[^\']/}
	[ $((${#quotes} % 2)) = 0 ] || fail "a \$filter with an unclosed literal: $filter"
	case $filter in *"'O''Brien \"100%\" & co #1'"*) found_obrien=1 ;; esac
	case $filter in *"'x'' or displayName eq ''finance-readers'"*) found_inject=1 ;; esac
done < <(jq -r 'select(.path | contains("$filter=")) | .path' "$WORK/emu.log")
[ "$filters" -gt 0 ] || fail "no \$filter in the emulator log"
[ -n "${found_obrien:-}" ] || fail "O'Brien's group was never looked up with its quote doubled"
[ -n "${found_inject:-}" ] || fail "the injection-shaped name was not sent as one literal"
stop_emu

# 2. Markdown: the plan against the seed, every hostile string escaped.
cp "$SEED_SNAPSHOT" "$WORK/tenant.json"
expect_rc 0 "$B2BCTL" plan "$CONFIG" --tenant-snapshot "$WORK/tenant.json" --format markdown \
	>"$WORK/plan.md"
grep -q 'Injected' "$WORK/plan.md" || fail "the markdown plan does not show the hostile guest"
! grep -nE '^(#|::|<)|<!--|<img|^\| *@' "$WORK/plan.md" | grep -vE '^[0-9]+:</?details>|<summary>' ||
	fail "markdown injection: $(grep -nE '^(#|::)|<!--|<img' "$WORK/plan.md")"

# 3. GitHub annotations: one line per problem; the name's newline, '%' and
#    ':' escaped; a file name with ',' and '::' escaped in the property.
mkdir -p "$WORK/bad"
cat >"$WORK/bad/x,line=9::y.yaml" <<'YAML'
tenant:
  id: 11111111-1111-1111-1111-111111111111
groups:
  - name: "evil\n::error file=pwned.yaml,line=1::pwned 100% %0A"
  - name: "evil\n::error file=pwned.yaml,line=1::pwned 100% %0A"
YAML
expect_rc 1 "$B2BCTL" validate "$WORK/bad" --format github >"$WORK/gh.txt"
[ "$(wc -l <"$WORK/gh.txt")" = "$(grep -c '^::error file=' "$WORK/gh.txt")" ] ||
	fail "an annotation spans lines: $(cat "$WORK/gh.txt")"
! grep -q '^::error file=pwned' "$WORK/gh.txt" || fail "annotation injection: $(cat "$WORK/gh.txt")"
grep -q 'evil%0A::error file=pwned.yaml,line=1::pwned 100%25 %250A' "$WORK/gh.txt" ||
	fail "the message is not escaped as GitHub wants: $(cat "$WORK/gh.txt")"
grep -q '^::error file=[^:]*x%2Cline=9%3A%3Ay.yaml,line=5' "$WORK/gh.txt" ||
	fail "the file property is not escaped: $(cat "$WORK/gh.txt")"
echo "ok: $filters filters escaped, names intact, markdown and annotations escaped"
