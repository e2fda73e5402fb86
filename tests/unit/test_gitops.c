/*
 * The GitOps jobs end to end: throwaway repositories built with libgit2, the
 * real b2bctl binary (env B2BCTL) against a snapshot tenant kept outside the
 * repository. Covers --rev, plan --base (a change that adds a guest while the
 * base already has drift), apply's dirty-tree refusal and --git-note, drift's
 * exit codes and --export-branch, and the export round trip.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cmd/git.h"
#include "git_fixture.h"
#include "schema/base/strbuf.h"
#include "schema/base/xalloc.h"

#include <jansson.h>
#include <sys/wait.h>

#define TENANT_ID "11111111-1111-1111-1111-111111111111"

static char repo[256], work[256], snapshot[300], base_commit[41];

static const char tenant_yaml[] = "tenant:\n  id: " TENANT_ID "\n"
				  "groups:\n"
				  "  - name: readers\n"
				  "    membership: additive\n";

static const char partner_base[] = "partners:\n"
				   "  - name: contoso\n"
				   "    domains: [contoso.com]\n"
				   "    guests:\n"
				   "      - email: alice@contoso.com\n"
				   "        displayName: Alice Smith\n"
				   "        groups: [readers]\n";

static const char partner_change[] = "      - email: bob@contoso.com\n"
				     "        displayName: Bob Jones\n"
				     "        groups: [readers]\n";

/* Alice is in the tenant under another name: drift the base already has pending. */
static const char seed[] =
    "{\"format\": \"b2bctl-snapshot/1\", \"tenantId\": \"" TENANT_ID "\","
    " \"defaultDomain\": \"hostcorp.onmicrosoft.com\","
    " \"users\": [{\"id\": \"a0000000-0000-4000-8000-000000000001\","
    "   \"displayName\": \"Alice Old\", \"mail\": \"alice@contoso.com\","
    "   \"userPrincipalName\": \"alice_contoso.com#EXT#@hostcorp.onmicrosoft.com\","
    "   \"userType\": \"Guest\", \"externalUserState\": \"Accepted\","
    "   \"creationType\": \"Invitation\", \"accountEnabled\": true}],"
    " \"groups\": [{\"id\": \"b0000000-0000-4000-8000-000000000001\","
    "   \"displayName\": \"readers\", \"securityEnabled\": true, \"mailEnabled\": false,"
    "   \"mailNickname\": \"readers\","
    "   \"members\": [\"a0000000-0000-4000-8000-000000000001\"]}]}";

/* Runs b2bctl in the repository; stdout (and stderr too when `both`) into out. */
static int run(struct strbuf *out, int both, const char *fmt, ...)
{
	struct strbuf cmd = STRBUF_INIT;
	const char *bin = getenv("B2BCTL");
	char chunk[4096];
	va_list ap;
	FILE *p;
	size_t n;
	int status;

	assert_non_null(bin);
	strbuf_addf(&cmd, "cd '%s' && B2BCTL_NOW=1795600000 NO_COLOR=1 '%s' ", repo, bin);
	va_start(ap, fmt);
	strbuf_vaddf(&cmd, fmt, ap);
	va_end(ap);
	strbuf_addstr(&cmd, both ? " 2>&1" : " 2>/dev/null");
	p = popen(cmd.buf, "r");
	assert_non_null(p);
	strbuf_reset(out);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		strbuf_add(out, chunk, n);
	status = pclose(p);
	strbuf_release(&cmd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void write_partner(int with_change)
{
	struct strbuf text = STRBUF_INIT;
	char *path = xstrfmt("%s/config/partners.yaml", repo);

	strbuf_addf(&text, "%s%s", partner_base, with_change ? partner_change : "");
	fixture_write_file(path, text.buf);
	strbuf_release(&text);
	free(path);
}

static int setup(void **state)
{
	char *path;

	(void)state;
	fixture_repo_init(repo, sizeof(repo));
	snprintf(work, sizeof(work), "/tmp/b2bctl-gitops-XXXXXX");
	assert_non_null(mkdtemp(work));
	snprintf(snapshot, sizeof(snapshot), "%s/tenant.json", work);
	fixture_write_file(snapshot, seed);
	path = xstrfmt("%s/config", repo);
	assert_int_equal(mkdir(path, 0755), 0);
	free(path);
	path = xstrfmt("%s/config/tenant.yaml", repo);
	fixture_write_file(path, tenant_yaml);
	free(path);
	write_partner(0);
	fixture_commit_all(repo, "base: alice", base_commit);
	write_partner(1);
	fixture_commit_all(repo, "change: bob joins", NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fixture_remove_tree(repo);
	fixture_remove_tree(work);
	return 0;
}

static const char *origin_of(json_t *plan, const char *address)
{
	json_t *a;
	size_t i;

	json_array_foreach(
	    json_object_get(plan, "actions"), i,
	    a) if (!strcmp(json_string_value(json_object_get(a, "address")),
			   address)) return json_string_value(json_object_get(a, "origin"));
	return "(absent)";
}

static void test_rev_reads_the_revision(void **state)
{
	struct strbuf out = STRBUF_INIT;
	json_t *plan;

	(void)state;
	assert_int_equal(run(&out, 0, "plan config --rev %s --tenant-snapshot '%s' --format json",
			     base_commit, snapshot),
			 0);
	plan = json_loads(out.buf, 0, NULL);
	assert_non_null(plan);
	/* the base has only alice: one update, no bob */
	assert_int_equal(json_array_size(json_object_get(plan, "actions")), 1);
	assert_string_equal(origin_of(plan, "guest.bob@contoso.com"), "(absent)");
	json_decref(plan);

	/* an error at a revision cites REV:path:line:column */
	assert_int_equal(run(&out, 1, "validate config --rev %s", base_commit), 0);
	assert_int_equal(run(&out, 1, "validate no-such-folder --rev HEAD"), 1);
	strbuf_release(&out);
}

static void test_rev_errors_cite_the_revision(void **state)
{
	struct strbuf out = STRBUF_INIT;
	char *path = xstrfmt("%s/config/extra.yaml", repo);

	(void)state;
	fixture_write_file(path, "settings:\n  maxDestroyy: 3\n");
	fixture_commit_all(repo, "typo", NULL);
	assert_int_equal(run(&out, 1, "validate config --rev HEAD"), 1);
	assert_non_null(strstr(out.buf, "HEAD:config/extra.yaml:2:3:"));
	assert_non_null(strstr(out.buf, "maxDestroy"));
	assert_int_equal(run(&out, 1, "plan config --rev HEAD --tenant-snapshot '%s'", snapshot),
			 1);
	assert_non_null(strstr(out.buf, "HEAD:config/extra.yaml:2:3:"));
	unlink(path);
	fixture_commit_all(repo, "fix the typo", NULL);
	free(path);
	strbuf_release(&out);
}

static void test_base_tells_change_from_drift(void **state)
{
	struct strbuf out = STRBUF_INIT;
	json_t *plan;

	(void)state;
	assert_int_equal(run(&out, 0,
			     "plan config --base %s --tenant-snapshot '%s' --format json "
			     "--detailed-exitcode",
			     base_commit, snapshot),
			 2);
	plan = json_loads(out.buf, 0, NULL);
	assert_non_null(plan);
	assert_string_equal(origin_of(plan, "guest.alice@contoso.com"), "base");
	assert_string_equal(origin_of(plan, "guest.bob@contoso.com"), "change");
	assert_string_equal(origin_of(plan, "group_member.readers/bob@contoso.com"), "change");
	json_decref(plan);

	assert_int_equal(run(&out, 0,
			     "plan config --base %s --tenant-snapshot '%s' --format markdown",
			     base_commit, snapshot),
			 0);
	assert_non_null(strstr(out.buf, "#### Introduced by this change (2)"));
	assert_non_null(strstr(out.buf, "#### Already pending on the base: drift, or earlier "
					"changes not yet applied (1)"));
	/* markdown writes @ as &#64; so that no address mentions anyone */
	assert_non_null(strstr(out.buf, "guest.bob&#64;contoso.com"));
	assert_true(strstr(out.buf, "guest.bob&#64;contoso.com") <
		    strstr(out.buf, "#### Already pending"));
	assert_true(strstr(out.buf, "guest.alice&#64;contoso.com") >
		    strstr(out.buf, "#### Already pending"));
	/* the access map of what changes comes with it */
	assert_non_null(strstr(out.buf, "```mermaid\nflowchart LR\n"));
	strbuf_release(&out);
}

static void test_apply_refuses_a_dirty_tree_and_notes_the_commit(void **state)
{
	struct strbuf out = STRBUF_INIT;
	char head[41], *path = xstrfmt("%s/config/partners.yaml", repo);
	git_repository *r;
	git_note *note;
	git_oid oid;

	(void)state;
	fixture_write_file(path, partner_base); /* uncommitted: bob removed */
	assert_int_equal(
	    run(&out, 1, "apply config --tenant-snapshot '%s' --auto-approve", snapshot), 1);
	assert_non_null(strstr(out.buf, "config/partners.yaml"));
	assert_non_null(strstr(out.buf, "--allow-dirty"));
	write_partner(1);

	assert_int_equal(
	    run(&out, 1, "apply config --tenant-snapshot '%s' --auto-approve --git-note", snapshot),
	    0);
	assert_int_equal(git_repository_open(&r, repo), 0);
	assert_int_equal(git_reference_name_to_id(&oid, r, "HEAD"), 0);
	git_oid_tostr(head, sizeof(head), &oid);
	assert_int_equal(git_note_read(&note, r, "refs/notes/b2bctl", &oid), 0);
	assert_non_null(strstr(git_note_message(note), "b2bctl apply"));
	assert_non_null(strstr(git_note_message(note), TENANT_ID));
	git_note_free(note);
	git_repository_free(r);
	free(path);
	strbuf_release(&out);
}

static void test_drift_exit_codes_and_branch(void **state)
{
	struct strbuf out = STRBUF_INIT, snap = STRBUF_INIT;
	char head_before[41], head_after[41];
	struct git_source *src;
	struct config_source cs;
	char **names = NULL, *old_cwd = getcwd(NULL, 0);
	size_t nr = 0, i;
	int has_partner_file = 0;
	char *drifted;

	(void)state;
	assert_int_equal(run(&out, 0, "drift config --tenant-snapshot '%s'", snapshot), 0);
	assert_int_equal(strbuf_read_file(&snap, snapshot, 0), 0);
	drifted = strstr(snap.buf, "Bob Jones");
	assert_non_null(drifted);
	memcpy(drifted, "Bob Jonas", 9);
	fixture_write_file(snapshot, snap.buf);
	assert_int_equal(
	    run(&out, 0, "drift config --tenant-snapshot '%s' --format json", snapshot), 2);
	assert_non_null(strstr(out.buf, "\"Bob Jonas\""));

	assert_int_equal(chdir(repo), 0);
	assert_int_equal(git_head_commit(head_before), 0);
	assert_int_equal(run(&out, 1,
			     "drift config --tenant-snapshot '%s' --export-branch b2bctl/drift",
			     snapshot),
			 2);
	assert_int_equal(git_head_commit(head_after), 0);
	assert_string_equal(head_before, head_after);
	assert_int_equal(git_paths_dirty((const char *[]){"."}, 1, NULL), 0);
	src = git_source_open("b2bctl/drift");
	assert_non_null(src);
	git_source_config(src, &cs);
	assert_int_equal(cs.list(cs.ctx, "config", &names, &nr), 0);
	for (i = 0; i < nr; i++) {
		if (!strcmp(names[i], "b2bctl/drift:config/partners/contoso.yaml"))
			has_partner_file = 1;
		free(names[i]);
	}
	free(names);
	git_source_free(src);
	assert_true(has_partner_file);
	/* the branch holds the live state: planning it against the tenant is empty */
	assert_int_equal(run(&out, 1,
			     "plan config --rev b2bctl/drift --tenant-snapshot '%s' "
			     "--detailed-exitcode",
			     snapshot),
			 0);
	assert_int_equal(chdir(old_cwd), 0);
	free(old_cwd);
	strbuf_release(&snap);
	strbuf_release(&out);
}

static void test_export_round_trip(void **state)
{
	struct strbuf out = STRBUF_INIT;

	(void)state;
	assert_int_equal(
	    run(&out, 1, "export --tenant-snapshot '%s' --out '%s/exported'", snapshot, work), 0);
	assert_int_equal(run(&out, 1, "validate '%s/exported'", work), 0);
	assert_int_equal(run(&out, 1,
			     "plan '%s/exported' --tenant-snapshot '%s' --detailed-exitcode", work,
			     snapshot),
			 0);
	/* a second export over the first is the same bytes: nothing to refuse */
	assert_int_equal(
	    run(&out, 1, "export --tenant-snapshot '%s' --out '%s/exported'", snapshot, work), 0);
	strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rev_reads_the_revision),
	    cmocka_unit_test(test_rev_errors_cite_the_revision),
	    cmocka_unit_test(test_base_tells_change_from_drift),
	    cmocka_unit_test(test_apply_refuses_a_dirty_tree_and_notes_the_commit),
	    cmocka_unit_test(test_drift_exit_codes_and_branch),
	    cmocka_unit_test(test_export_round_trip),
	};
	int ret = cmocka_run_group_tests(tests, setup, teardown);

	git_libgit2_shutdown();
	return ret;
}
