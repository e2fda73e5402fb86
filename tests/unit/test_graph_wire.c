/*
 * Unit tests for the graph backend's wire handling: Graph error bodies (every
 * variant in ../shared/graph-fixtures), $batch bodies and answers, URL and
 * nextLink checks, Retry-After, backoff bounds and secret redaction.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "reconcile/tenant/graph_batch.h"
#include "reconcile/tenant/graph_client.h"
#include "reconcile/tenant/graph_http.h"
#include "reconcile/tenant/graph_redact.h"
#include "schema/base/diag.h"
#include "schema/base/strbuf.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FIXTURES TEST_SHARED_DIR "/graph-fixtures/"

static void read_fixture(struct strbuf *sb, const char *relative)
{
	struct strbuf path = STRBUF_INIT;

	strbuf_addf(&path, "%s%s", FIXTURES, relative);
	if (strbuf_read_file(sb, path.buf, 0) < 0)
		fail_msg("cannot read %s", path.buf);
	strbuf_release(&path);
}

static void test_error_response_fixture(void **state)
{
	struct strbuf body = STRBUF_INIT;
	struct graph_error err = {0};

	(void)state;
	read_fixture(&body, "error-response/response.json");
	graph_error_from_body(&err, 416, "application/json", body.buf, body.len, "from-header");
	assert_string_equal(err.code, "invalidRange");
	assert_string_equal(err.message, "Uploaded fragment overlaps with existing data.");
	assert_string_equal(err.request_id, "request-id");
	assert_string_equal(err.date, "date-time");
	graph_error_clear(&err);
	strbuf_release(&body);
}

static void test_error_variants(void **state)
{
	static const char lower[] = "{\"error\":{\"code\":\"Request_ResourceNotFound\","
				    "\"message\":\"gone\",\"innererror\":{\"requestId\":\"r-1\","
				    "\"date\":\"2025-02-13T10:17:05\"}}}";
	static const char nested[] = "{\"error\":{\"code\":\"A\",\"message\":\"m\",\"innerError\":"
				     "{\"innerError\":{\"request-id\":\"deep\",\"date\":\"d\"}}}}";
	static const char empty_code[] = "{\"error\":{\"code\":\"\",\"message\":\"no perms\"}}";
	struct graph_error err = {0};

	(void)state;
	graph_error_from_body(&err, 404, "application/json", lower, strlen(lower), NULL);
	assert_string_equal(err.code, "Request_ResourceNotFound");
	assert_string_equal(err.request_id, "r-1");
	assert_string_equal(err.date, "2025-02-13T10:17:05");
	graph_error_clear(&err);

	graph_error_from_body(&err, 400, NULL, nested, strlen(nested), NULL);
	assert_string_equal(err.request_id, "deep");
	assert_string_equal(err.date, "d");
	graph_error_clear(&err);

	graph_error_from_body(&err, 403, NULL, empty_code, strlen(empty_code), "hdr-id");
	assert_string_equal(err.code, "");
	assert_string_equal(err.message, "no perms");
	assert_string_equal(err.request_id, "hdr-id");
	graph_error_clear(&err);
}

static void test_invalid_raw_fixtures_fail_cleanly(void **state)
{
	static const char *const raws[] = {
	    "crosstenantaccesspolicyconfigurationdefault-get/response.raw",
	    "beta-authorizationpolicy-get/response.raw",
	    "conditionalaccesspolicy-update/request.raw",
	    "emailauthenticationmethodconfiguration-update/request.raw",
	    "paging/02-paging-example-fragments-as-published/fragment.raw",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(raws) / sizeof(raws[0]); i++) {
		struct strbuf body = STRBUF_INIT;
		struct graph_error err = {0};
		json_t *json;

		read_fixture(&body, raws[i]);
		json = graph_json_from_body(&err, 200, "application/json", body.buf, body.len);
		assert_null(json);
		assert_string_equal(err.code, "InvalidResponse");
		assert_non_null(strstr(err.message, "HTTP 200: invalid or truncated JSON"));
		graph_error_clear(&err);

		graph_error_from_body(&err, 500, "application/json", body.buf, body.len, "rid");
		assert_null(err.code);
		assert_non_null(strstr(err.message, "HTTP 500: invalid or truncated JSON"));
		assert_string_equal(err.request_id, "rid");
		graph_error_clear(&err);
		strbuf_release(&body);
	}
}

static void test_non_json_bodies(void **state)
{
	static const char html[] = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title>"
				   "</head><body>nginx</body></html>";
	struct strbuf body = STRBUF_INIT;
	struct graph_error err = {0};
	json_t *json;

	(void)state;
	graph_error_from_body(&err, 502, "text/html", html, strlen(html), NULL);
	assert_non_null(strstr(err.message, "HTML page"));
	assert_non_null(strstr(err.message, "502 Bad Gateway"));
	graph_error_clear(&err);

	json = graph_json_from_body(&err, 200, "application/json", "", 0);
	assert_null(json);
	assert_non_null(strstr(err.message, "empty answer where JSON was expected"));
	graph_error_clear(&err);

	read_fixture(&body, "json-batching/01-example-json-batch-request-response/response.json");
	json = graph_json_from_body(&err, 200, "application/json", body.buf, body.len / 2);
	assert_null(json);
	assert_non_null(strstr(err.message, "truncated"));
	graph_error_clear(&err);

	graph_error_from_body(&err, 500, "application/json", "{\"value\":[]}", 12, NULL);
	assert_non_null(strstr(err.message, "without Graph's error object"));
	graph_error_clear(&err);

	json = graph_json_from_body(&err, 200, "text/plain", "893", 3);
	assert_true(json_is_integer(json));
	json_decref(json);
	graph_error_clear(&err);
	strbuf_release(&body);
}

static void test_batch_answer_fixture(void **state)
{
	struct strbuf body = STRBUF_INIT;
	struct graph_batch_item items[5];
	struct graph_error err = {0};
	json_t *answer;

	(void)state;
	memset(items, 0, sizeof(items));
	read_fixture(&body, "json-batching/01-example-json-batch-request-response/response.json");
	answer = json_loadb(body.buf, body.len, 0, NULL);
	assert_non_null(answer);
	/* the fixture numbers its items 1..5; our ids are 0-based, so 5 is outside */
	assert_int_equal(graph_batch_parse(items, 5, answer), 0);
	assert_int_equal(items[0].status, 0);
	assert_int_equal(items[1].status, 200);
	assert_int_equal(items[2].status, 403);
	assert_int_equal(items[3].status, 403);
	assert_int_equal(items[4].status, 405);
	assert_int_equal(graph_error_from_json(&err, items[2].body), 0);
	assert_string_equal(err.code, "");
	assert_string_equal(err.request_id, "93b6f17e-c05d-4f45-ad2a-6665c708d8a0");
	assert_string_equal(err.date, "2025-02-13T10:17:05");
	graph_error_clear(&err);
	assert_int_equal(graph_error_from_json(&err, items[4].body), 0);
	assert_string_equal(err.code, "Request_BadRequest");
	graph_error_clear(&err);
	assert_non_null(json_object_get(items[1].body, "@odata.nextLink"));
	graph_batch_items_release(items, 5);
	json_decref(answer);

	answer = json_loads("{\"responses\":[{\"id\":\"1\",\"status\":429,\"headers\":"
			    "{\"retry-after\":\"7\"}},{\"id\":\"0\",\"status\":\"204\"},"
			    "{\"id\":\"1\",\"status\":200},{\"id\":\"x\",\"status\":200}]}",
			    0, NULL);
	memset(items, 0, sizeof(items));
	assert_int_equal(graph_batch_parse(items, 2, answer), 0);
	assert_int_equal(items[0].status, 204);
	assert_int_equal(items[1].status, 429);
	assert_string_equal(items[1].retry_after, "7");
	graph_batch_items_release(items, 2);
	json_decref(answer);

	answer = json_loads("{\"value\":[]}", 0, NULL);
	assert_int_equal(graph_batch_parse(items, 2, answer), -1);
	assert_non_null(strstr(b2b_error_last(), "responses"));
	json_decref(answer);
	strbuf_release(&body);
}

static void test_batch_body(void **state)
{
	struct tenant_request reqs[3];
	struct tenant_request *list[3] = {&reqs[0], &reqs[1], &reqs[2]};
	json_t *body, *items, *item;

	(void)state;
	tenant_request_init(&reqs[0], "GET", NULL, TENANT_BATCHABLE | TENANT_EVENTUAL, "find",
			    "/v1.0/users?$filter=mail eq 'a#b'&$count=true");
	tenant_request_init(&reqs[1], "POST", json_pack("{s:s}", "@odata.id", "x"),
			    TENANT_BATCHABLE, "add", "/v1.0/groups/g1/members/$ref");
	tenant_request_init(&reqs[2], "GET", NULL, TENANT_BATCHABLE, "policy",
			    "/beta/policies/b2bManagementPolicies");
	assert_string_equal(graph_batch_version(reqs[0].path), "v1.0");
	assert_string_equal(graph_batch_version(reqs[2].path), "beta");
	assert_null(graph_batch_version("/v2/users"));

	body = graph_batch_body(list, 2);
	items = json_object_get(body, "requests");
	assert_int_equal(json_array_size(items), 2);
	item = json_array_get(items, 0);
	assert_string_equal(json_string_value(json_object_get(item, "id")), "0");
	assert_string_equal(json_string_value(json_object_get(item, "url")),
			    "/users?$filter=mail%20eq%20'a%23b'&$count=true");
	assert_string_equal(json_string_value(json_object_get(json_object_get(item, "headers"),
							      "ConsistencyLevel")),
			    "eventual");
	item = json_array_get(items, 1);
	assert_string_equal(json_string_value(json_object_get(item, "method")), "POST");
	assert_string_equal(json_string_value(json_object_get(item, "url")),
			    "/groups/g1/members/$ref");
	assert_true(json_equal(json_object_get(item, "body"), reqs[1].body));
	json_decref(body);

	body = graph_batch_body(&list[2], 1);
	item = json_array_get(json_object_get(body, "requests"), 0);
	assert_string_equal(json_string_value(json_object_get(item, "url")),
			    "/policies/b2bManagementPolicies");
	assert_null(json_object_get(item, "headers"));
	json_decref(body);
	tenant_request_release(&reqs[0]);
	tenant_request_release(&reqs[1]);
	tenant_request_release(&reqs[2]);
}

static void test_next_link_origin(void **state)
{
	const char *base = "https://graph.microsoft.com";

	(void)state;
	assert_true(
	    graph_url_same_origin(base, "https://graph.microsoft.com/v1.0/users?$skiptoken=X"));
	assert_true(graph_url_same_origin(base, "https://GRAPH.microsoft.com:443/v1.0/users"));
	assert_true(graph_url_same_origin("http://127.0.0.1:8080", "http://127.0.0.1:8080/v1.0/x"));
	assert_false(graph_url_same_origin(base, "https://evil.example/v1.0/users"));
	assert_false(graph_url_same_origin(base, "http://graph.microsoft.com/v1.0/users"));
	assert_false(graph_url_same_origin(base, "https://graph.microsoft.com:8443/v1.0/users"));
	assert_false(graph_url_same_origin(base, "https://graph.microsoft.com@evil.example/v1.0"));
	assert_false(graph_url_same_origin(base, "https://graph.microsoft.com.evil.example/"));
	assert_false(
	    graph_url_same_origin("http://127.0.0.1:8080", "http://127.0.0.2:8080/v1.0/x"));
	assert_false(
	    graph_url_same_origin("http://127.0.0.1:8080", "http://127.0.0.1:8081/v1.0/x"));
	assert_false(graph_url_same_origin(base, "/v1.0/users"));
	assert_false(graph_url_same_origin(base, "not a url at all"));
}

static void test_url_check(void **state)
{
	(void)state;
	assert_int_equal(graph_url_check("https://graph.microsoft.com", "--graph-url"), 0);
	assert_int_equal(graph_url_check("http://127.0.0.1:8080", "--graph-url"), 0);
	assert_int_equal(graph_url_check("http://127.4.5.6", "--graph-url"), 0);
	assert_int_equal(graph_url_check("http://[::1]:9000", "--graph-url"), 0);
	assert_int_equal(graph_url_check("http://localhost:9000", "--graph-url"), 0);
	assert_int_equal(graph_url_check("http://graph.example.com", "--graph-url"), -1);
	assert_non_null(strstr(b2b_error_last(), "--graph-url 'http://graph.example.com'"));
	assert_non_null(strstr(b2b_error_last(), "loopback"));
	assert_int_equal(graph_url_check("http://128.0.0.1", "--graph-url"), -1);
	assert_int_equal(graph_url_check("http://127.0.0.1.evil.example", "--graph-url"), -1);
	assert_int_equal(graph_url_check("ftp://127.0.0.1", "--authority-host"), -1);
	assert_non_null(strstr(b2b_error_last(), "--authority-host"));
	assert_int_equal(graph_url_check("::::", "--graph-url"), -1);
}

static void test_url_path_encoding(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	graph_url_add_path(&sb,
			   "/v1.0/users?$filter=userType eq 'Guest'&x=%27a%27#EXT#\"\x01\xc3\xa9");
	assert_string_equal(
	    sb.buf, "/v1.0/users?$filter=userType%20eq%20'Guest'&x=%27a%27%23EXT%23%22%01%C3%A9");
	strbuf_release(&sb);
}

static void test_retry_after(void **state)
{
	time_t now = 1700000000;
	char date[64];
	time_t later = now + 10;
	struct tm tm;

	(void)state;
	assert_int_equal(graph_retry_after_ms("5", now), 5000);
	assert_int_equal(graph_retry_after_ms(" 120 ", now), 120000);
	assert_int_equal(graph_retry_after_ms("0", now), 0);
	assert_int_equal(graph_retry_after_ms("99999999999999999999", now), 24L * 3600 * 1000);
	assert_int_equal(graph_retry_after_ms(NULL, now), -1);
	assert_int_equal(graph_retry_after_ms("", now), -1);
	assert_int_equal(graph_retry_after_ms("soon", now), -1);
	assert_int_equal(graph_retry_after_ms("5s", now), -1);
	gmtime_r(&later, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	assert_int_equal(graph_retry_after_ms(date, now), 10000);
	assert_int_equal(graph_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT", now), 0);
}

static void test_backoff_bounds(void **state)
{
	static const uint64_t randoms[] = {0, 1, 499, 500, 12345, 0xffffffffull, UINT64_MAX};
	unsigned attempt;
	size_t i;

	(void)state;
	for (attempt = 0; attempt < 40; attempt++) {
		long ceiling = attempt < 6 ? 500L << attempt : 30000;
		uint64_t seed = 88172645463325252ull;
		long min = -1, max = -1;

		if (ceiling > 30000)
			ceiling = 30000;
		for (i = 0; i < sizeof(randoms) / sizeof(randoms[0]); i++) {
			long w = graph_backoff_ms(attempt, randoms[i]);

			assert_in_range(w, 0, ceiling);
		}
		assert_int_equal(graph_backoff_ms(attempt, (uint64_t)ceiling), ceiling);
		for (i = 0; i < 200; i++) {
			long w;

			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			w = graph_backoff_ms(attempt, seed);
			assert_in_range(w, 0, ceiling);
			if (min < 0 || w < min)
				min = w;
			if (w > max)
				max = w;
		}
		/* full jitter: waits spread over the range instead of clustering at the cap */
		assert_true(min < ceiling / 4);
		assert_true(max > ceiling / 2);
	}
}

static void test_redaction(void **state)
{
	struct graph_redactor r = GRAPH_REDACTOR_INIT;
	char *out;

	(void)state;
	graph_redact_add(&r, "s3cr3t+/=value");
	graph_redact_add(&r, "eyJ0eXAiOiJKV1Qi.token.part");
	graph_redact_add(&r, "abc"); /* too short to redact safely */
	graph_redact_add(&r, NULL);
	graph_redact_add(&r, "");
	out = graph_redact(&r, "client_secret=s3cr3t%2B%2F%3Dvalue&x=s3cr3t+/=value; "
			       "Authorization: Bearer eyJ0eXAiOiJKV1Qi.token.part abc");
	assert_string_equal(out, "client_secret=[redacted]&x=[redacted]; "
				 "Authorization: Bearer [redacted] abc");
	free(out);
	assert_null(graph_redact(&r, NULL));
	out = graph_redact(&r, "nothing here");
	assert_string_equal(out, "nothing here");
	free(out);
	graph_redact_release(&r);
	out = graph_redact(&r, "s3cr3t+/=value");
	assert_string_equal(out, "s3cr3t+/=value");
	free(out);
}

static void test_cloud_hosts(void **state)
{
	const char *authority, *graph;

	(void)state;
	assert_int_equal(graph_cloud_hosts(NULL, &authority, &graph), 0);
	assert_string_equal(authority, "https://login.microsoftonline.com");
	assert_string_equal(graph, "https://graph.microsoft.com");
	assert_int_equal(graph_cloud_hosts("usgov", &authority, &graph), 0);
	assert_string_equal(authority, "https://login.microsoftonline.us");
	assert_string_equal(graph, "https://graph.microsoft.us");
	assert_int_equal(graph_cloud_hosts("usgov-dod", &authority, &graph), 0);
	assert_string_equal(authority, "https://login.microsoftonline.us");
	assert_string_equal(graph, "https://dod-graph.microsoft.us");
	assert_int_equal(graph_cloud_hosts("china", &authority, &graph), 0);
	assert_string_equal(authority, "https://login.chinacloudapi.cn");
	assert_string_equal(graph, "https://microsoftgraph.chinacloudapi.cn");
	assert_int_equal(graph_cloud_hosts("germany", &authority, &graph), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_error_response_fixture),
	    cmocka_unit_test(test_error_variants),
	    cmocka_unit_test(test_invalid_raw_fixtures_fail_cleanly),
	    cmocka_unit_test(test_non_json_bodies),
	    cmocka_unit_test(test_batch_answer_fixture),
	    cmocka_unit_test(test_batch_body),
	    cmocka_unit_test(test_next_link_origin),
	    cmocka_unit_test(test_url_check),
	    cmocka_unit_test(test_url_path_encoding),
	    cmocka_unit_test(test_retry_after),
	    cmocka_unit_test(test_backoff_bounds),
	    cmocka_unit_test(test_redaction),
	    cmocka_unit_test(test_cloud_hosts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
