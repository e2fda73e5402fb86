/*
 * Unit tests of the live index: guests found by mail, otherMails and the
 * #EXT# userPrincipalName without case; ids and group names exactly; the
 * first object wins a shared key; a UPN that stands for another email than
 * the mail; which email an #EXT# UPN stands for; and tens of thousands of
 * users.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "reconcile/live.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *sample_live(void)
{
	return json_pack("{s:[{s:s, s:s, s:s, s:[s]}, {s:s, s:s, s:n, s:[]}, {s:s, s:s, s:s}], "
			 "s:[{s:s, s:s}, {s:s, s:s}]}",
			 "users", "id", "u1", "mail", "Alice@Contoso.com", "userPrincipalName",
			 "alice_contoso.com#EXT#@host.onmicrosoft.com", "otherMails",
			 "alice@old.example", "id", "u2", "userPrincipalName",
			 "Bob_Fabrikam.com#EXT#@host.onmicrosoft.com", "mail", "otherMails", "id",
			 "u3", "mail", "alice@contoso.com", "userPrincipalName",
			 "carol@hostcorp.com", "groups", "id", "g1", "displayName",
			 "Finance Readers", "id", "g2", "displayName", "finance readers");
}

static const char *id_of(const json_t *obj)
{
	return json_string_value(json_object_get(obj, "id"));
}

static void test_guests_match_without_case(void **state)
{
	json_t *live = sample_live();
	struct live_index *idx = live_index_build(live);

	(void)state;
	assert_string_equal(id_of(live_user_by_email(idx, "ALICE@contoso.COM")), "u1");
	assert_string_equal(id_of(live_user_by_email(idx, "alice@OLD.example")), "u1");
	/* no mail: the #EXT# userPrincipalName stands for bob@fabrikam.com */
	assert_string_equal(id_of(live_user_by_email(idx, "bob@fabrikam.com")), "u2");
	assert_string_equal(
	    id_of(live_user_by_upn(idx, "BOB_fabrikam.com#ext#@HOST.onmicrosoft.com")), "u2");
	assert_string_equal(id_of(live_user_by_upn(idx, "Carol@HostCorp.com")), "u3");
	assert_null(live_user_by_email(idx, "carol@hostcorp.com"));
	assert_null(live_user_by_email(idx, "nobody@contoso.com"));
	assert_null(live_user_by_email(idx, ""));
	assert_null(live_user_by_email(idx, NULL));
	live_index_free(idx);
	json_decref(live);
}

static void test_ids_and_group_names_are_exact(void **state)
{
	json_t *live = sample_live();
	struct live_index *idx = live_index_build(live);

	(void)state;
	assert_string_equal(id_of(live_user_by_id(idx, "u3")), "u3");
	assert_null(live_user_by_id(idx, "U3"));
	assert_string_equal(id_of(live_group_by_name(idx, "Finance Readers")), "g1");
	assert_string_equal(id_of(live_group_by_name(idx, "finance readers")), "g2");
	assert_null(live_group_by_name(idx, "FINANCE READERS"));
	assert_string_equal(id_of(live_group_by_id(idx, "g2")), "g2");
	live_index_free(idx);
	json_decref(live);
}

static void test_first_object_wins_a_shared_key(void **state)
{
	json_t *live = sample_live();
	struct live_index *idx = live_index_build(live);

	(void)state;
	/* u1 and u3 share alice@contoso.com (u3 without case): u1 came first */
	assert_string_equal(id_of(live_user_by_email(idx, "alice@contoso.com")), "u1");
	live_index_free(idx);
	json_decref(live);
}

static void test_upn_email_besides_mail(void **state)
{
	json_t *live =
	    json_pack("{s:[{s:s, s:s, s:s}]}", "users", "id", "u9", "mail", "dana@new.example",
		      "userPrincipalName", "dana_old.example#EXT#@host.onmicrosoft.com");
	struct live_index *idx = live_index_build(live);

	(void)state;
	assert_string_equal(id_of(live_user_by_email(idx, "dana@new.example")), "u9");
	assert_string_equal(id_of(live_user_by_email(idx, "Dana@Old.example")), "u9");
	live_index_free(idx);
	json_decref(live);
}

static void test_upn_forms(void **state)
{
	static const char upn[] = "Dana_Old_Example.com#EXT#@host.onmicrosoft.com";
	char *email = guest_email_from_upn(upn);

	(void)state;
	assert_string_equal(email, "dana_old@example.com"); /* the last '_' is the '@' */
	free(email);
	assert_true(guest_upn_is_for(upn, "DANA_old@example.COM"));
	assert_true(guest_upn_is_for("x_y.com#ext#@host.onmicrosoft.com", "x@y.com"));
	assert_false(guest_upn_is_for(upn, "dana_old_example.com"));  /* no '@' */
	assert_false(guest_upn_is_for(upn, "dana@old_example.com"));  /* another '_' */
	assert_false(guest_upn_is_for(upn, "dana_old@example.co"));   /* shorter */
	assert_false(guest_upn_is_for(upn, "dana_old@example.comm")); /* longer */
	assert_false(guest_upn_is_for(upn, NULL));
	assert_false(guest_upn_is_for("dana@hostcorp.com", "dana@hostcorp.com")); /* not #EXT# */
	assert_false(guest_upn_is_for("nounderscore#EXT#@host.onmicrosoft.com", "nounderscore"));
	assert_null(guest_email_from_upn("nounderscore#EXT#@host.onmicrosoft.com"));
	assert_null(guest_email_from_upn("#EXT#@host.onmicrosoft.com"));
	assert_null(guest_email_from_upn(NULL));
}

static void test_many_users(void **state)
{
	json_t *live = json_object(), *users = json_array();
	struct live_index *idx;
	char mail[64], id[32];
	int i;

	(void)state;
	for (i = 0; i < 50000; i++) {
		snprintf(mail, sizeof(mail), "Guest%d@Partner%d.example", i, i % 200);
		snprintf(id, sizeof(id), "id-%d", i);
		json_array_append_new(users, json_pack("{s:s, s:s}", "id", id, "mail", mail));
	}
	json_object_set_new(live, "users", users);
	idx = live_index_build(live);
	for (i = 0; i < 50000; i += 997) {
		snprintf(mail, sizeof(mail), "guest%d@partner%d.EXAMPLE", i, i % 200);
		snprintf(id, sizeof(id), "id-%d", i);
		assert_string_equal(id_of(live_user_by_email(idx, mail)), id);
		assert_non_null(live_user_by_id(idx, id));
	}
	assert_null(live_user_by_email(idx, "guest50000@partner0.example"));
	live_index_free(idx);
	json_decref(live);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_guests_match_without_case),
	    cmocka_unit_test(test_ids_and_group_names_are_exact),
	    cmocka_unit_test(test_first_object_wins_a_shared_key),
	    cmocka_unit_test(test_upn_email_besides_mail),
	    cmocka_unit_test(test_upn_forms),
	    cmocka_unit_test(test_many_users),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
