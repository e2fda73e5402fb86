#!/usr/bin/env bash
# lint_cli: the pitfall rules as a user and a pipeline meet them: `b2bctl lint`
# in text, JSON and GitHub annotation form, exit 1 on an error-level rule, the
# severity overrides of settings.lint, tenant rules with --tenant-snapshot,
# and the same findings in every plan (text, markdown, JSON, annotations in
# GitHub Actions, the step summary).
set -uo pipefail

SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
B2BCTL=${B2BCTL:-$SRC/build/b2bctl}
export B2BCTL_NOW=1795564800 NO_COLOR=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
	echo "lint_cli: FAIL: $*" >&2
	failures=$((failures + 1))
}

# run NAME EXPECTED-STATUS ARGS...: output in $work/NAME.out and .err
run() {
	local name=$1 want=$2 status
	shift 2
	(cd "$work" && "$B2BCTL" "$@" >"$work/$name.out" 2>"$work/$name.err")
	status=$?
	[ "$status" = "$want" ] || {
		fail "$name: exit $status, expected $want"
		sed 's/^/    /' "$work/$name.err" | head -n 10 >&2
	}
}
contains() { grep -qF -- "$2" "$work/$1" || fail "$1 lacks: $2"; }
lacks() { ! grep -qF -- "$2" "$work/$1" || fail "$1 contains: $2"; }

mkdir -p "$work/risky"
cat >"$work/risky/b2b.yaml" <<'YAML'
tenant:
  id: 11111111-1111-1111-1111-111111111111
externalCollaboration:
  guestUserAccess: member
  guestInviteRestrictions: everyone
  emailOneTimePasscode: default
groups:
  - name: readers
partners:
  - name: freelancers
    domains: [gmail.com]
    guests:
      - email: sam@gmail.com
        displayName: Sam
        groups: [readers]
YAML

# Configuration rules: warnings only, so exit 0; every finding names its rule and line.
run text 0 lint risky
contains text.out "risky/b2b.yaml:4:20: warning:"
contains text.out "[guest-access-member]"
contains text.out "[invite-everyone]"
contains text.out "[consumer-email-without-otp]"
contains text.out "[no-enforced-guest-mfa]"

run github 0 lint risky --format github
contains github.out "::warning file=risky/b2b.yaml,line=4,col=20,title=guest-access-member::"
[ "$(grep -c '^::' "$work/github.out")" = "$(wc -l <"$work/github.out")" ] ||
	fail "an annotation spans lines"

run json 0 lint risky --format json
jq -e '.diagnostics | map(.rule) | index("invite-everyone") != null' "$work/json.out" >/dev/null ||
	fail "json lacks invite-everyone"

run rules 0 lint --list-rules
[ "$(wc -l <"$work/rules.out")" -ge 12 ] || fail "fewer than 12 rules listed"

# An error-level rule fails lint, and plan; settings.lint raises and lowers severities.
cat >>"$work/risky/b2b.yaml" <<'YAML'
settings:
  lint:
    invite-everyone: error
    guest-access-member: off
YAML
run raised 1 lint risky
contains raised.out "error: guestInviteRestrictions is everyone"
lacks raised.out "[guest-access-member]"
run plan-error 1 plan risky --tenant-snapshot "$SRC/examples/tenant.snapshot.json"
contains plan-error.err "[invite-everyone]"
contains plan-error.err "lint error"

# Tenant rules need the tenant: the example snapshot has a stale invitation.
run tenant 0 lint "$SRC/examples/config" --tenant-snapshot "$SRC/examples/tenant.snapshot.json"
contains tenant.out "[pending-acceptance-stale]"
contains tenant.out "[undeclared-partner-guests]"
run offline 0 lint "$SRC/examples/config"
lacks offline.out "[pending-acceptance-stale]"

# Every plan shows the findings: text, JSON warnings, markdown, and in GitHub Actions
# annotations on stderr and the report in the step summary.
cp "$SRC/examples/tenant.snapshot.json" "$work/tenant.json"
run plan-text 0 plan "$SRC/examples/config" --tenant-snapshot "$work/tenant.json"
contains plan-text.out "[pending-acceptance-stale]"
run plan-json 0 plan "$SRC/examples/config" --tenant-snapshot "$work/tenant.json" --format json
jq -e '.warnings | map(.rule) | index("pending-acceptance-stale") != null' \
	"$work/plan-json.out" >/dev/null || fail "plan JSON warnings lack the rule"
run plan-md 0 plan "$SRC/examples/config" --tenant-snapshot "$work/tenant.json" --format markdown
contains plan-md.out "**Warnings**"
contains plan-md.out "(pending-acceptance-stale)"
(cd "$work" && GITHUB_ACTIONS=true GITHUB_STEP_SUMMARY="$work/summary.md" \
	"$B2BCTL" plan "$SRC/examples/config" --tenant-snapshot "$work/tenant.json" \
	>"$work/gh.out" 2>"$work/gh.err") || fail "plan in GitHub Actions failed"
contains gh.err "::warning file="
contains gh.err "title=pending-acceptance-stale::"
contains summary.md "**Plan: "
lacks gh.out "::warning"

[ "$failures" = 0 ] || exit 1
echo "ok: lint and plan findings in every format"
