/*
 * Unit tests for the access map: who reaches what, guests counted beyond
 * three, labels that cannot break out of Mermaid or dot, the part a plan
 * changes, and the node limit the markdown plan uses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cmd/access_map.h"
#include "partners_fixture.h"

static const char config_yaml[] = "tenant:\n  id: 11111111-1111-1111-1111-111111111111\n"
				  "groups:\n"
				  "  - name: finance-readers\n"
				  "  - name: break-glass\n"
				  "  - name: unused\n"
				  "partners:\n"
				  "  - name: contoso\n"
				  "    displayName: 'Contoso \"Ltd\" <b>'\n"
				  "    domains: [contoso.com]\n"
				  "    connectedOrganization: true\n"
				  "    guests:\n"
				  "      - {email: a@contoso.com, groups: [finance-readers]}\n"
				  "      - {email: b@contoso.com}\n"
				  "      - {email: c@contoso.com}\n"
				  "      - {email: d@contoso.com}\n"
				  "  - name: fabrikam\n"
				  "    domains: [fabrikam.com]\n"
				  "    guests:\n"
				  "      - {email: Gina@fabrikam.com, groups: [finance-readers]}\n"
				  "conditionalAccess:\n"
				  "  policies:\n"
				  "    - name: B2B - MFA\n"
				  "      state: enabled\n"
				  "      guestTypes: [all]\n"
				  "      partners: [fabrikam]\n"
				  "      excludeGroups: [break-glass]\n"
				  "      require: [mfa]\n"
				  "accessPackages:\n"
				  "  - name: Finance\n"
				  "    catalog: c\n"
				  "    groups: [finance-readers]\n"
				  "    policies:\n"
				  "      - {name: p, allPartners: true, expiry: P30D}\n";

static void test_mermaid_whole_map(void **state)
{
	struct config *cfg = fixture_config_ok(config_yaml);
	struct strbuf out = STRBUF_INIT;
	int nodes;

	(void)state;
	nodes = access_map_render(&out, cfg, NULL, ACCESS_MAP_MERMAID, 0);
	/* 3 groups, 2 partners, 1 counted guest node + 1 listed guest, 1 package, 1 policy */
	assert_int_equal(nodes, 9);
	assert_non_null(strstr(out.buf, "flowchart LR\n"));
	assert_non_null(strstr(out.buf, "([\"4 guests\"])"));
	assert_non_null(strstr(out.buf, "([\"gina@fabrikam.com\"])"));
	/* quotes and markup in a name are entities, never syntax */
	assert_non_null(strstr(out.buf, "Contoso #quot;Ltd#quot; #lt;b#gt;"));
	assert_null(strstr(out.buf, "<b>"));
	assert_non_null(strstr(out.buf, "|\"grants\"|"));
	assert_non_null(strstr(out.buf, "|\"excludes\"|"));
	assert_non_null(strstr(out.buf, "|\"may request\"|"));
	assert_null(strstr(out.buf, ":::changed"));
	strbuf_release(&out);
	config_free(cfg);
}

static void test_dot_escapes(void **state)
{
	struct config *cfg = fixture_config_ok(config_yaml);
	struct strbuf out = STRBUF_INIT;

	(void)state;
	assert_true(access_map_render(&out, cfg, NULL, ACCESS_MAP_DOT, 0) > 0);
	assert_true(!strncmp(out.buf, "digraph access {", 16));
	assert_non_null(strstr(out.buf, "label=\"Contoso \\\"Ltd\\\" <b>\""));
	assert_true(out.buf[out.len - 2] == '}');
	strbuf_release(&out);
	config_free(cfg);
}

static void test_only_what_a_plan_changes(void **state)
{
	struct config *cfg = fixture_config_ok(config_yaml);
	struct plan *plan = plan_new();
	struct strbuf out = STRBUF_INIT;
	struct src_pos pos = {NULL, 0, 0};
	int nodes;

	(void)state;
	plan_add_action(plan, kind_find("group_member"), PLAN_CREATE,
			"finance-readers/gina@fabrikam.com", &pos);
	nodes = access_map_render(&out, cfg, plan, ACCESS_MAP_MERMAID, 50);
	assert_true(nodes > 0 && nodes < 9);
	assert_non_null(strstr(out.buf, "[\"finance-readers\"]:::changed"));
	assert_null(strstr(out.buf, "\"unused\""));
	assert_non_null(strstr(out.buf, "classDef changed"));
	/* over the limit: nothing drawn */
	strbuf_reset(&out);
	assert_int_equal(access_map_render(&out, cfg, plan, ACCESS_MAP_MERMAID, 2), -1);
	assert_int_equal(out.len, 0);
	strbuf_release(&out);
	plan_free(plan);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mermaid_whole_map),
	    cmocka_unit_test(test_dot_escapes),
	    cmocka_unit_test(test_only_what_a_plan_changes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
