#!/usr/bin/env bash
# apply asks before it writes: without a terminal it needs --auto-approve, on a
# terminal only 'yes' applies; a tenant that already matches is not asked about;
# --log-file records one JSON line per action, with the commit when the files are committed.
source "$(dirname "$0")/lib/apply_common.bash"
directory_config "$WORK/directory"
CONFIG=$WORK/directory

cp "$SEED_SNAPSHOT" "$WORK/tenant.json"
snap=(--tenant-snapshot "$WORK/tenant.json")

expect_rc 1 "$B2BCTL" apply "$CONFIG" "${snap[@]}" </dev/null >"$WORK/out.txt" 2>"$WORK/err.txt"
grep -q 'pass --auto-approve' "$WORK/err.txt" || fail "no --auto-approve hint: $(cat "$WORK/err.txt")"
grep -q '^Plan: ' "$WORK/out.txt" || fail "the plan was not shown before refusing"
cmp -s "$SEED_SNAPSHOT" "$WORK/tenant.json" || fail "apply without approval changed the tenant"

# On a terminal (script(1) gives apply one): anything but 'yes' cancels.
if command -v script >/dev/null; then
	quoted=$(printf '%q ' "$B2BCTL" apply "$CONFIG" "${snap[@]}" --no-color)
	rc=0
	echo y | script -qec "$quoted" /dev/null >"$WORK/tty-no.txt" 2>&1 || rc=$?
	[ "$rc" = 1 ] || fail "answering 'y' exited $rc"
	grep -q "Only 'yes' is accepted" "$WORK/tty-no.txt" || fail "no question on a terminal"
	grep -q 'cancelled' "$WORK/tty-no.txt" || fail "'y' did not cancel: $(tail -3 "$WORK/tty-no.txt")"
	cmp -s "$SEED_SNAPSHOT" "$WORK/tenant.json" || fail "a cancelled apply changed the tenant"
	echo yes | script -qec "$quoted" /dev/null >"$WORK/tty-yes.txt" 2>&1 ||
		fail "answering 'yes' failed: $(tail -3 "$WORK/tty-yes.txt")"
	grep -q "Apply complete: " "$WORK/tty-yes.txt" || fail "'yes' did not apply: $(tail -3 "$WORK/tty-yes.txt")"
	cp "$SEED_SNAPSHOT" "$WORK/tenant.json"
fi

# --log-file; inside a git repository whose files are committed, the log names the commit.
commit=
if command -v git >/dev/null; then
	git -C "$CONFIG" init -q
	git -C "$CONFIG" add .
	git -C "$CONFIG" -c user.name=e2e -c user.email=e2e@example.com commit -qm config
	commit=$(git -C "$CONFIG" rev-parse HEAD)
fi
(cd "$CONFIG" && "$B2BCTL" apply . --tenant-snapshot "$WORK/tenant.json" --auto-approve \
	--log-file "$WORK/apply.log") >"$WORK/out.txt" || fail "apply failed: $(tail -3 "$WORK/out.txt")"
actions=$(grep -c '^[-+~] ' "$WORK/out.txt")
[ "$(wc -l <"$WORK/apply.log")" = "$actions" ] || fail "the log does not hold one line per action"
jq -se 'all(.result == "applied" and .error == null and (.address | test("^[a-z_]+\\.")))' \
	"$WORK/apply.log" >/dev/null || fail "unexpected log lines: $(cat "$WORK/apply.log")"
first=$(grep -m1 '^+ ' "$WORK/out.txt" | sed 's/^+ \(.*\): created$/\1/')
jq -se --arg a "$first" 'any(.address == $a and .action == "create" and (.time | test("Z$")))' \
	"$WORK/apply.log" >/dev/null || fail "$first is not logged as created"
if [ -n "$commit" ]; then
	jq -se --arg c "$commit" 'all(.commit == $c)' "$WORK/apply.log" >/dev/null ||
		fail "the log does not name commit $commit: $(head -1 "$WORK/apply.log")"
	# Uncommitted changes are refused unless --allow-dirty; then the files are not
	# that commit, and no commit is named.
	echo "# local edit" >>"$CONFIG/groups.yaml"
	cp "$SEED_SNAPSHOT" "$WORK/tenant.json"
	(cd "$CONFIG" && "$B2BCTL" apply . --tenant-snapshot "$WORK/tenant.json" --auto-approve) \
		>/dev/null 2>"$WORK/err.txt" && fail "apply of uncommitted files was not refused"
	grep -q 'groups.yaml' "$WORK/err.txt" || fail "the refusal does not name the file"
	cmp -s "$SEED_SNAPSHOT" "$WORK/tenant.json" || fail "the refused apply wrote to the tenant"
	(cd "$CONFIG" && "$B2BCTL" apply . --tenant-snapshot "$WORK/tenant.json" --auto-approve \
		--allow-dirty --log-file "$WORK/dirty.log") >/dev/null || fail "apply of edited files failed"
	jq -se 'all(.commit == null)' "$WORK/dirty.log" >/dev/null ||
		fail "uncommitted files logged as a commit: $(head -1 "$WORK/dirty.log")"
fi

# Nothing to do: said, not asked.
expect_rc 0 "$B2BCTL" apply "$CONFIG" "${snap[@]}" </dev/null >"$WORK/out.txt"
grep -q '^No changes' "$WORK/out.txt" || fail "no 'No changes': $(cat "$WORK/out.txt")"
echo "ok: approval, no-change and log file"
