/*
 * Unit tests for the graph backend's run() against a scripted HTTP server on
 * loopback: sign-in and refresh, paging through the documented delta pages,
 * refused nextLinks, retries and Retry-After, ambiguous writes, $batch
 * mapping, error bodies, and a --debug trace without secrets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "reconcile/tenant/tenant.h"
#include "schema/base/diag.h"
#include "schema/base/json_memory.h"
#include "schema/base/strbuf.h"
#include "schema/base/xalloc.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SECRET       "client-s3cret-value"
#define TOKEN_PREFIX "tok-abcdef-"
#define FIXTURES     TEST_SHARED_DIR "/graph-fixtures/"

struct fake_request {
	char method[16];
	char target[8192];
	char headers[16384];
	struct strbuf body;
};

struct fake_response {
	long status;
	struct strbuf headers; /* extra "Name: value\r\n" lines */
	struct strbuf body;
};

struct fake_server;
typedef void (*fake_handler)(struct fake_server *s, const struct fake_request *req,
			     struct fake_response *res);

struct fake_server {
	int fd;
	int port;
	char base[64];
	pthread_t thread;
	volatile int stop;
	fake_handler handler;
	pthread_mutex_t lock;
	/* what the handlers count and remember (under lock) */
	int hits, token_hits, graph_hits, batch_hits;
	int fail_next; /* handler-specific countdown */
	char last_auth[600];
	char last_consistency[512];
	struct strbuf log; /* "METHOD target\n" per request */
	const char *extra; /* handler-specific */
};

static const char *header_get(const struct fake_request *req, const char *name, char *out,
			      size_t size)
{
	const char *p = req->headers;
	size_t nlen = strlen(name);

	while (*p) {
		const char *eol = strstr(p, "\r\n");

		if (!eol)
			break;
		if ((size_t)(eol - p) > nlen && p[nlen] == ':' && !strncasecmp(p, name, nlen)) {
			const char *v = p + nlen + 1;
			size_t len;

			while (*v == ' ')
				v++;
			len = eol - v < (long)size - 1 ? (size_t)(eol - v) : size - 1;
			memcpy(out, v, len);
			out[len] = '\0';
			return out;
		}
		p = eol + 2;
	}
	return NULL;
}

static int read_request(int fd, struct fake_request *req)
{
	struct strbuf in = STRBUF_INIT;
	char buf[8192], *end, len_value[32];
	size_t header_len, content_length = 0;
	ssize_t n;

	while (!(end = strstr(in.buf, "\r\n\r\n"))) {
		n = read(fd, buf, sizeof(buf));
		if (n <= 0) {
			strbuf_release(&in);
			return -1;
		}
		strbuf_add(&in, buf, n);
	}
	header_len = end - in.buf + 4;
	if (sscanf(in.buf, "%15s %8191s", req->method, req->target) != 2) {
		strbuf_release(&in);
		return -1;
	}
	end = strstr(in.buf, "\r\n");
	snprintf(req->headers, sizeof(req->headers), "%.*s", (int)(header_len - (end + 2 - in.buf)),
		 end + 2);
	if (header_get(req, "Content-Length", len_value, sizeof(len_value)))
		content_length = strtoul(len_value, NULL, 10);
	while (in.len < header_len + content_length) {
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		strbuf_add(&in, buf, n);
	}
	strbuf_init(&req->body, 0);
	strbuf_add(&req->body, in.buf + header_len, in.len - header_len);
	strbuf_release(&in);
	return 0;
}

static void write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n <= 0)
			return;
		p += n;
		len -= n;
	}
}

static void *fake_serve(void *arg)
{
	struct fake_server *s = arg;

	while (!s->stop) {
		struct pollfd pfd = {s->fd, POLLIN, 0};
		struct fake_request req;
		struct fake_response res = {200, STRBUF_INIT, STRBUF_INIT};
		struct strbuf out = STRBUF_INIT;
		int conn;

		if (poll(&pfd, 1, 50) <= 0)
			continue;
		conn = accept(s->fd, NULL, NULL);
		if (conn < 0)
			continue;
		memset(&req, 0, sizeof(req));
		if (read_request(conn, &req) < 0) {
			close(conn);
			continue;
		}
		pthread_mutex_lock(&s->lock);
		s->hits++;
		strbuf_addf(&s->log, "%s %s\n", req.method, req.target);
		s->handler(s, &req, &res);
		pthread_mutex_unlock(&s->lock);
		strbuf_addf(&out,
			    "HTTP/1.1 %ld X\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n",
			    res.status, res.body.len, res.headers.buf);
		strbuf_add(&out, res.body.buf, res.body.len);
		write_all(conn, out.buf, out.len);
		shutdown(conn, SHUT_WR);
		close(conn);
		strbuf_release(&out);
		strbuf_release(&res.headers);
		strbuf_release(&res.body);
		strbuf_release(&req.body);
	}
	return NULL;
}

static struct fake_server *fake_start(fake_handler handler)
{
	struct fake_server *s = xcalloc(1, sizeof(*s));
	struct sockaddr_in addr = {0};
	socklen_t len = sizeof(addr);

	s->handler = handler;
	strbuf_init(&s->log, 0);
	pthread_mutex_init(&s->lock, NULL);
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(listen(s->fd, 64), 0);
	getsockname(s->fd, (struct sockaddr *)&addr, &len);
	s->port = ntohs(addr.sin_port);
	snprintf(s->base, sizeof(s->base), "http://127.0.0.1:%d", s->port);
	pthread_create(&s->thread, NULL, fake_serve, s);
	return s;
}

static void fake_stop(struct fake_server *s)
{
	s->stop = 1;
	pthread_join(s->thread, NULL);
	close(s->fd);
	pthread_mutex_destroy(&s->lock);
	strbuf_release(&s->log);
	free(s);
}

/* Answers the token endpoint: a new token each time unless extra says "deny". */
static int serve_token(struct fake_server *s, const struct fake_request *req,
		       struct fake_response *res)
{
	if (!strstr(req->target, "/oauth2/v2.0/token"))
		return 0;
	s->token_hits++;
	if (!strstr(req->body.buf, "client_secret=" SECRET) ||
	    !strstr(req->body.buf, "grant_type=client_credentials") ||
	    !strstr(req->body.buf, "scope=http%3A%2F%2F127.0.0.1%3A")) {
		res->status = 401;
		strbuf_addstr(
		    &res->body,
		    "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215: "
		    "Invalid client secret provided. Ensure the secret being sent in the "
		    "request is the client secret value.\\r\\nTrace ID: t-1\\r\\n"
		    "Correlation ID: c-1\",\"error_codes\":[7000215]}");
		return 1;
	}
	strbuf_addf(
	    &res->body,
	    "{\"token_type\":\"Bearer\",\"expires_in\":3599,\"access_token\":\"" TOKEN_PREFIX
	    "%d\"}",
	    s->token_hits);
	return 1;
}

static void note_graph(struct fake_server *s, const struct fake_request *req)
{
	char value[512];

	s->graph_hits++;
	snprintf(s->last_auth, sizeof(s->last_auth), "%s",
		 header_get(req, "Authorization", value, sizeof(value)) ? value : "");
	snprintf(s->last_consistency, sizeof(s->last_consistency), "%s",
		 header_get(req, "ConsistencyLevel", value, sizeof(value)) ? value : "");
}

static void set_env_secret(void)
{
	unsetenv("B2BCTL_ACCESS_TOKEN");
	unsetenv("AZURE_FEDERATED_TOKEN_FILE");
	unsetenv("ACTIONS_ID_TOKEN_REQUEST_URL");
	unsetenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
	setenv("AZURE_CLIENT_ID", "app-123", 1);
	setenv("AZURE_CLIENT_SECRET", SECRET, 1);
}

static struct tenant *open_against(struct fake_server *s, int debug)
{
	struct graph_options opts = {0};
	struct tenant *t;

	opts.graph_url = s->base;
	opts.authority_host = s->base;
	opts.tenant_id = "11111111-1111-1111-1111-111111111111";
	opts.parallelism = 4;
	opts.request_timeout_ms = 10000;
	opts.debug = debug;
	t = tenant_graph_open(&opts);
	if (!t)
		fail_msg("tenant_graph_open: %s", b2b_error_last());
	return t;
}

/* Replaces every "https://graph.microsoft.com" in text by base. */
static void rebase(struct strbuf *out, const char *text, const char *base)
{
	const char *from = "https://graph.microsoft.com", *p;

	while ((p = strstr(text, from))) {
		strbuf_add(out, text, p - text);
		strbuf_addstr(out, base);
		text = p + strlen(from);
	}
	strbuf_addstr(out, text);
}

static void add_fixture(struct strbuf *out, const char *relative, const char *base)
{
	struct strbuf raw = STRBUF_INIT, path = STRBUF_INIT;

	strbuf_addf(&path, "%s%s", FIXTURES, relative);
	if (strbuf_read_file(&raw, path.buf, 0) < 0)
		fail_msg("cannot read %s", path.buf);
	rebase(out, raw.buf, base);
	strbuf_release(&raw);
	strbuf_release(&path);
}

/* The documented users delta sequence: three pages, the last with a deltaLink. */
static void delta_handler(struct fake_server *s, const struct fake_request *req,
			  struct fake_response *res)
{
	if (serve_token(s, req, res))
		return;
	note_graph(s, req);
	if (!strncmp(req->target, "/v1.0/users/delta?$select=", 26))
		add_fixture(&res->body, "users-delta/01-initial-request/response.json", s->base);
	else if (s->graph_hits == 2)
		add_fixture(&res->body, "users-delta/02-nextlink-request/response.json", s->base);
	else if (s->graph_hits == 3)
		add_fixture(&res->body, "users-delta/03-final-nextlink-request/response.json",
			    s->base);
	else
		res->status = 500;
}

static void test_delta_pages_gathered(void **state)
{
	struct fake_server *s = fake_start(delta_handler);
	struct tenant *t;
	struct tenant_request req;
	const char *delta;

	(void)state;
	set_env_secret();
	t = open_against(s, 0);
	tenant_request_init(&req, "GET", NULL, TENANT_DELTA, "users delta",
			    "/v1.0/users/delta?$select=displayName,givenName,surname");
	assert_int_equal(tenant_run(t, &req, 1), 0);
	assert_int_equal(req.status, 200);
	assert_int_equal(s->graph_hits, 3);
	assert_int_equal(s->token_hits, 1);
	assert_string_equal(s->last_auth, "Bearer " TOKEN_PREFIX "1");
	/* 4 + 2 + 2 users across the three documented pages */
	assert_int_equal(json_array_size(json_object_get(req.response, "value")), 8);
	delta = json_string_value(json_object_get(req.response, "@odata.deltaLink"));
	assert_non_null(delta);
	assert_true(!strncmp(delta, s->base, strlen(s->base)));
	assert_non_null(strstr(delta, "$deltatoken=oEcOySpF"));
	tenant_request_release(&req);
	tenant_free(t);
	fake_stop(s);
}

/* Pages whose nextLink is chosen by s->extra: "other" (another server), "loop", "object". */
static void poisoned_handler(struct fake_server *s, const struct fake_request *req,
			     struct fake_response *res)
{
	if (serve_token(s, req, res))
		return;
	note_graph(s, req);
	if (!strcmp(s->extra, "object")) {
		strbuf_addstr(&res->body, "{\"value\":{\"id\":\"1\"}}");
	} else if (!strcmp(s->extra, "loop")) {
		strbuf_addf(&res->body,
			    "{\"value\":[{\"id\":\"%d\"}],\"@odata.nextLink\":\"%s/v1.0/users?"
			    "$skiptoken=%d\"}",
			    s->graph_hits, s->base, s->graph_hits % 2);
	} else {
		strbuf_addf(&res->body,
			    "{\"value\":[{\"id\":\"1\"}],\"@odata.nextLink\":\"%s/v1.0/users?"
			    "$skiptoken=steal\"}",
			    s->extra);
	}
}

static void record_handler(struct fake_server *s, const struct fake_request *req,
			   struct fake_response *res)
{
	note_graph(s, req);
	strbuf_addstr(&res->body, "{\"value\":[]}");
}

static void test_next_link_to_other_host_refused(void **state)
{
	struct fake_server *s = fake_start(poisoned_handler);
	struct fake_server *thief = fake_start(record_handler);
	struct tenant *t;
	struct tenant_request req;
	char *text;

	(void)state;
	set_env_secret();
	s->extra = thief->base;
	t = open_against(s, 0);
	tenant_request_init(&req, "GET", NULL, TENANT_PAGED, "list users", "/v1.0/users");
	tenant_run(t, &req, 1);
	assert_false(tenant_request_ok(&req));
	assert_null(req.response);
	assert_string_equal(req.error.code, "UnsafeNextLink");
	text = tenant_request_describe_error(&req);
	assert_non_null(strstr(text, "list users"));
	assert_non_null(strstr(text, thief->base));
	free(text);
	assert_int_equal(thief->hits, 0);
	tenant_request_release(&req);

	s->extra = "loop";
	tenant_request_init(&req, "GET", NULL, TENANT_PAGED, "list users", "/v1.0/users");
	tenant_run(t, &req, 1);
	assert_false(tenant_request_ok(&req));
	assert_string_equal(req.error.code, "NextLinkLoop");
	tenant_request_release(&req);

	s->extra = "object";
	tenant_request_init(&req, "GET", NULL, TENANT_PAGED, "list users", "/v1.0/users");
	tenant_run(t, &req, 1);
	assert_false(tenant_request_ok(&req));
	assert_non_null(strstr(req.error.message, "not an array"));
	tenant_request_release(&req);
	tenant_free(t);
	fake_stop(thief);
	fake_stop(s);
}

/*
 * Faults by path: /throttled answers 429 (Retry-After 1) once, /flaky 503
 * twice, /expired 401 once per token, /html a 502 HTML page, /post-503 503
 * always; anything else 200 with the path echoed.
 */
static void faults_handler(struct fake_server *s, const struct fake_request *req,
			   struct fake_response *res)
{
	if (serve_token(s, req, res))
		return;
	note_graph(s, req);
	if (strstr(req->target, "/throttled") && s->fail_next-- > 0) {
		res->status = 429;
		strbuf_addstr(&res->headers, "Retry-After: 1\r\n");
		strbuf_addstr(&res->body,
			      "{\"error\":{\"code\":\"TooManyRequests\",\"message\":\"slow\"}}");
	} else if (strstr(req->target, "/busy") && s->fail_next-- > 0) {
		res->status = 429;
		strbuf_addstr(&res->headers, "Retry-After: 0\r\n");
		strbuf_addstr(&res->body,
			      "{\"error\":{\"code\":\"TooManyRequests\",\"message\":\"busy\"}}");
	} else if (strstr(req->target, "/flaky") && s->fail_next-- > 0) {
		res->status = 503;
		strbuf_addstr(&res->body,
			      "{\"error\":{\"code\":\"serviceNotAvailable\",\"message\":\"x\"}}");
	} else if (strstr(req->target, "/expired") && !strstr(s->last_auth, TOKEN_PREFIX "2")) {
		res->status = 401;
		strbuf_addstr(&res->headers, "request-id: rid-401\r\n");
		strbuf_addstr(&res->body, "{\"error\":{\"code\":\"InvalidAuthenticationToken\","
					  "\"message\":\"Lifetime validation failed, the token is "
					  "expired.\"}}");
	} else if (strstr(req->target, "/html")) {
		res->status = 502;
		strbuf_addstr(&res->headers, "Content-Type: text/html\r\nrequest-id: rid-html\r\n");
		strbuf_addstr(&res->body, "<html><head><title>Bad Gateway</title></head></html>");
	} else if (strstr(req->target, "/post-503")) {
		res->status = 503;
		strbuf_addstr(&res->body,
			      "{\"error\":{\"code\":\"serviceNotAvailable\",\"message\":\"x\"}}");
	} else if (strstr(req->target, "/lagging") && s->fail_next-- > 0) {
		res->status = 404;
		strbuf_addstr(&res->body, "{\"error\":{\"code\":\"Request_ResourceNotFound\","
					  "\"message\":\"not yet\"}}");
	} else if (strstr(req->target, "/huge")) {
		/* one byte over the 64 MiB a page may have */
		strbuf_addch(&res->body, '[');
		while (res->body.len < (64u << 20))
			strbuf_addstr(&res->body, "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxx\",");
		strbuf_addstr(&res->body, "1]");
	} else if (strstr(req->target, "/empty")) {
		res->status = 200;
	} else {
		strbuf_addf(&res->body, "{\"path\":\"%s\",\"body\":%s}", req->target,
			    req->body.len ? req->body.buf : "null");
	}
}

static void test_throttle_honours_retry_after(void **state)
{
	struct fake_server *s = fake_start(faults_handler);
	struct tenant *t;
	struct tenant_request req;
	struct timespec a, b;
	long elapsed_ms;

	(void)state;
	set_env_secret();
	s->fail_next = 1;
	t = open_against(s, 0);
	tenant_request_init(&req, "GET", NULL, TENANT_EVENTUAL, "throttled", "/v1.0/throttled");
	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(tenant_run(t, &req, 1), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	elapsed_ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	assert_int_equal(req.status, 200);
	assert_int_equal(req.attempts, 2);
	assert_true(elapsed_ms >= 950);
	assert_string_equal(s->last_consistency, "eventual");
	tenant_request_release(&req);
	tenant_free(t);
	fake_stop(s);
}

static void test_throttling_counts_less_than_failures(void **state)
{
	struct fake_server *s = fake_start(faults_handler);
	struct graph_options opts = {0};
	struct tenant *t;
	struct tenant_request req;

	(void)state;
	set_env_secret();
	opts.graph_url = opts.authority_host = s->base;
	opts.tenant_id = "11111111-1111-1111-1111-111111111111";
	opts.max_attempts = 2;
	t = tenant_graph_open(&opts);
	assert_non_null(t);

	/* five 429s with Retry-After: 0 are waited out although max_attempts is 2 */
	s->fail_next = 5;
	tenant_request_init(&req, "GET", NULL, 0, "busy", "/v1.0/busy");
	assert_int_equal(tenant_run(t, &req, 1), 0);
	assert_int_equal(req.status, 200);
	assert_int_equal(req.attempts, 6);
	tenant_request_release(&req);

	/* but not forever */
	s->fail_next = 100;
	tenant_request_init(&req, "GET", NULL, 0, "busy", "/v1.0/busy");
	assert_int_equal(tenant_run(t, &req, 1), 0);
	assert_int_equal(req.status, 429);
	assert_int_equal(req.attempts, 8);
	assert_string_equal(req.error.code, "TooManyRequests");
	tenant_request_release(&req);

	/* 503s count against max_attempts */
	s->fail_next = 5;
	tenant_request_init(&req, "GET", NULL, 0, "flaky", "/v1.0/flaky");
	assert_int_equal(tenant_run(t, &req, 1), 0);
	assert_int_equal(req.status, 503);
	assert_int_equal(req.attempts, 2);
	assert_false(req.error.ambiguous);
	tenant_request_release(&req);
	tenant_free(t);
	fake_stop(s);
}

static void test_idempotent_retried_post_ambiguous(void **state)
{
	struct fake_server *s = fake_start(faults_handler);
	struct tenant *t;
	struct tenant_request reqs[2];
	char *text;

	(void)state;
	set_env_secret();
	s->fail_next = 2;
	t = open_against(s, 0);
	tenant_request_init(&reqs[0], "PATCH", json_pack("{s:s}", "displayName", "x"), 0,
			    "update flaky", "/v1.0/flaky");
	tenant_request_init(&reqs[1], "POST", json_pack("{s:s}", "a", "b"), 0, "invite alice",
			    "/v1.0/post-503");
	assert_int_equal(tenant_run(t, reqs, 2), 0);
	assert_int_equal(reqs[0].status, 200);
	assert_int_equal(reqs[0].attempts, 3);
	assert_string_equal(json_string_value(json_object_get(
				json_object_get(reqs[0].response, "body"), "displayName")),
			    "x");
	assert_int_equal(reqs[1].status, 503);
	assert_int_equal(reqs[1].attempts, 1);
	assert_true(reqs[1].error.ambiguous);
	text = tenant_request_describe_error(&reqs[1]);
	assert_non_null(strstr(text, "invite alice: HTTP 503 serviceNotAvailable"));
	assert_non_null(strstr(text, "may have reached Graph"));
	free(text);
	tenant_request_release(&reqs[0]);
	tenant_request_release(&reqs[1]);
	tenant_free(t);
	fake_stop(s);
}

static void test_401_signs_in_again_once(void **state)
{
	struct fake_server *s = fake_start(faults_handler);
	struct tenant *t;
	struct tenant_request req;

	(void)state;
	set_env_secret();
	t = open_against(s, 0);
	tenant_request_init(&req, "GET", NULL, 0, "expired", "/v1.0/expired");
	assert_int_equal(tenant_run(t, &req, 1), 0);
	assert_int_equal(req.status, 200);
	assert_int_equal(s->token_hits, 2);
	assert_string_equal(s->last_auth, "Bearer " TOKEN_PREFIX "2");
	tenant_request_release(&req);
	tenant_free(t);
	fake_stop(s);
}

static void test_ready_token_401_is_reported(void **state)
{
	struct fake_server *s = fake_start(faults_handler);
	struct tenant *t;
	struct tenant_request req;

	(void)state;
	set_env_secret();
	setenv("B2BCTL_ACCESS_TOKEN", "ready-token-value-1", 1);
	t = open_against(s, 0);
	tenant_request_init(&req, "GET", NULL, 0, "expired", "/v1.0/expired");
	assert_int_equal(tenant_run(t, &req, 1), 0);
	assert_int_equal(req.status, 401);
	assert_int_equal(s->token_hits, 0);
	assert_string_equal(req.error.code, "InvalidAuthenticationToken");
	assert_string_equal(req.error.request_id, "rid-401");
	assert_string_equal(s->last_auth, "Bearer ready-token-value-1");
	tenant_request_release(&req);
	tenant_free(t);
	unsetenv("B2BCTL_ACCESS_TOKEN");
	fake_stop(s);
}

static void test_wrong_secret_names_method_and_code(void **state)
{
	struct fake_server *s = fake_start(faults_handler);
	struct tenant *t;
	struct tenant_request req;
	const char *msg;

	(void)state;
	set_env_secret();
	setenv("AZURE_CLIENT_SECRET", "wrong-secret-value", 1);
	t = open_against(s, 0);
	tenant_request_init(&req, "GET", NULL, 0, "anything", "/v1.0/users");
	assert_int_equal(tenant_run(t, &req, 1), -1);
	msg = b2b_error_last();
	assert_non_null(strstr(msg, "sign-in with client secret (AZURE_CLIENT_ID=app-123) failed: "
				    "AADSTS7000215: Invalid client secret provided."));
	assert_null(strstr(msg, "wrong-secret-value"));
	assert_null(strchr(msg, '\n'));
	assert_int_equal(s->graph_hits, 0);
	assert_int_equal(req.status, 0);
	assert_non_null(strstr(req.error.message, "AADSTS7000215"));
	tenant_request_release(&req);
	tenant_free(t);
	fake_stop(s);
}

static void test_no_credentials(void **state)
{
	struct graph_options opts = {0};

	(void)state;
	unsetenv("B2BCTL_ACCESS_TOKEN");
	unsetenv("AZURE_CLIENT_ID");
	unsetenv("AZURE_CLIENT_SECRET");
	unsetenv("AZURE_FEDERATED_TOKEN_FILE");
	unsetenv("ACTIONS_ID_TOKEN_REQUEST_URL");
	unsetenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
	opts.tenant_id = "11111111-1111-1111-1111-111111111111";
	assert_null(tenant_graph_open(&opts));
	assert_non_null(strstr(b2b_error_last(), "AZURE_CLIENT_SECRET"));
	assert_non_null(strstr(b2b_error_last(), "AZURE_FEDERATED_TOKEN_FILE"));
	assert_non_null(strstr(b2b_error_last(), "B2BCTL_ACCESS_TOKEN"));

	set_env_secret();
	opts.graph_url = "http://graph.example.com";
	assert_null(tenant_graph_open(&opts));
	assert_non_null(strstr(b2b_error_last(), "loopback"));
	opts.graph_url = NULL;
	opts.cloud = "mars";
	assert_null(tenant_graph_open(&opts));
	assert_non_null(strstr(b2b_error_last(), "unknown cloud 'mars'"));
}

static void test_non_json_answers(void **state)
{
	struct fake_server *s = fake_start(faults_handler);
	struct tenant *t;
	struct tenant_request reqs[3];

	(void)state;
	set_env_secret();
	t = open_against(s, 0);
	tenant_request_init(&reqs[0], "GET", NULL, 0, "html", "/v1.0/html");
	tenant_request_init(&reqs[1], "GET", NULL, 0, "empty", "/v1.0/empty");
	tenant_request_init(&reqs[2], "DELETE", NULL, 0, "delete", "/v1.0/empty/x");
	assert_int_equal(tenant_run(t, reqs, 3), 0);
	assert_int_equal(reqs[0].status, 502);
	assert_non_null(strstr(reqs[0].error.message, "HTML page"));
	assert_string_equal(reqs[0].error.request_id, "rid-html");
	assert_false(tenant_request_ok(&reqs[1]));
	assert_non_null(strstr(reqs[1].error.message, "empty answer"));
	assert_int_equal(reqs[2].status, 200);
	assert_null(reqs[2].response);
	tenant_request_release(&reqs[0]);
	tenant_request_release(&reqs[1]);
	tenant_request_release(&reqs[2]);
	tenant_free(t);
	fake_stop(s);
}

/* $batch: answers items in reverse order; the item for /v1.0/throttled is 429 the first time. */
static void batch_handler(struct fake_server *s, const struct fake_request *req,
			  struct fake_response *res)
{
	json_t *in, *out, *item;
	size_t i;

	if (serve_token(s, req, res))
		return;
	note_graph(s, req);
	if (!strcmp(req->target, "/v1.0/users?$top=2&$skiptoken=next")) {
		strbuf_addstr(&res->body, "{\"value\":[{\"id\":\"p3\"}]}");
		return;
	}
	if (strcmp(req->target, "/v1.0/$batch") && strcmp(req->target, "/beta/$batch")) {
		strbuf_addf(&res->body, "{\"single\":\"%s\"}", req->target);
		return;
	}
	s->batch_hits++;
	if (s->extra && !strcmp(s->extra, "outer-503") && s->fail_next-- > 0) {
		res->status = 503;
		strbuf_addstr(&res->body, "{\"error\":{\"code\":\"serviceNotAvailable\","
					  "\"message\":\"try later\",\"innerError\":{"
					  "\"request-id\":\"rid-503\"}}}");
		return;
	}
	in = json_loads(req->body.buf, 0, NULL);
	out = json_array();
	for (i = json_array_size(json_object_get(in, "requests")); i-- > 0;) {
		json_t *r = json_array_get(json_object_get(in, "requests"), i);
		const char *url = json_string_value(json_object_get(r, "url"));

		if (!strcmp(url, "/throttled") && s->fail_next-- > 0)
			item = json_pack("{s:O,s:i,s:{s:s},s:{s:{s:s,s:s}}}", "id",
					 json_object_get(r, "id"), "status", 429, "headers",
					 "Retry-After", "0", "body", "error", "code", "TooMany",
					 "message", "slow");
		else if (!strcmp(url, "/users?$top=2"))
			item = json_pack("{s:O,s:i,s:{s:[{s:s},{s:s}],s:s+}}", "id",
					 json_object_get(r, "id"), "status", 200, "body", "value",
					 "id", "p1", "id", "p2", "@odata.nextLink", s->base,
					 "/v1.0/users?$top=2&$skiptoken=next");
		else if (!strcmp(url, "/missing"))
			item = json_pack("{s:O,s:i,s:{s:s},s:{s:{s:s,s:s,s:{s:s}}}}", "id",
					 json_object_get(r, "id"), "status", 404, "headers",
					 "request-id", "hdr-404", "body", "error", "code",
					 "Request_ResourceNotFound", "message", "nope",
					 "innerError", "date", "2025-01-01");
		else
			item =
			    json_pack("{s:O,s:i,s:{s:s,s:O,s:s}}", "id", json_object_get(r, "id"),
				      "status", 200, "body", "url", url, "method",
				      json_object_get(r, "method"), "batch", req->target);
		json_array_append_new(out, item);
	}
	json_decref(in);
	item = json_pack("{s:o}", "responses", out);
	res->body.len = 0;
	{
		char *dump = json_text(item, 0);

		strbuf_addstr(&res->body, dump);
		free(dump);
	}
	json_decref(item);
}

static void test_batch_groups_maps_and_retries(void **state)
{
	struct fake_server *s = fake_start(batch_handler);
	struct tenant *t;
	struct tenant_request reqs[25];
	size_t i;

	(void)state;
	set_env_secret();
	s->fail_next = 1;
	t = open_against(s, 0);
	for (i = 0; i < 21; i++)
		tenant_request_init(&reqs[i], "GET", NULL, TENANT_BATCHABLE, "item",
				    "/v1.0/users/u%zu", i);
	tenant_request_init(&reqs[21], "GET", NULL, TENANT_BATCHABLE | TENANT_PAGED, "paged",
			    "/v1.0/users?$top=2");
	tenant_request_init(&reqs[22], "GET", NULL, TENANT_BATCHABLE, "throttled",
			    "/v1.0/throttled");
	tenant_request_init(&reqs[23], "GET", NULL, TENANT_BATCHABLE, "missing", "/v1.0/missing");
	tenant_request_init(&reqs[24], "GET", NULL, TENANT_BATCHABLE, "beta", "/beta/policies/x");
	assert_int_equal(tenant_run(t, reqs, 25), 0);
	/* the first page came in the $batch, the second by its nextLink */
	assert_int_equal(reqs[21].status, 200);
	assert_int_equal(json_array_size(json_object_get(reqs[21].response, "value")), 3);
	assert_string_equal(
	    json_string_value(json_object_get(
		json_array_get(json_object_get(reqs[21].response, "value"), 2), "id")),
	    "p3");
	assert_non_null(strstr(s->log.buf, "GET /v1.0/users?$top=2&$skiptoken=next\n"));
	for (i = 0; i < 21; i++) {
		char expect[32];

		snprintf(expect, sizeof(expect), "/users/u%zu", i);
		assert_int_equal(reqs[i].status, 200);
		assert_string_equal(json_string_value(json_object_get(reqs[i].response, "url")),
				    expect);
	}
	assert_int_equal(reqs[22].status, 200);
	assert_int_equal(reqs[22].attempts, 2);
	assert_int_equal(reqs[23].status, 404);
	assert_string_equal(reqs[23].error.code, "Request_ResourceNotFound");
	assert_string_equal(reqs[23].error.request_id, "hdr-404");
	assert_string_equal(reqs[23].error.date, "2025-01-01");
	/* a lone beta request is not worth a $batch */
	assert_string_equal(json_string_value(json_object_get(reqs[24].response, "single")),
			    "/beta/policies/x");
	/* 24 v1.0 requests: two batches, then one more for the throttled item */
	assert_int_equal(s->batch_hits, 3);
	for (i = 0; i < 25; i++)
		tenant_request_release(&reqs[i]);
	tenant_free(t);
	fake_stop(s);
}

static void keep_page(void *page_ctx, json_t *value)
{
	json_array_append(page_ctx, value);
}

/* With on_page, each page goes to the caller as it comes and the answer keeps none. */
static void test_paged_pages_handed_over_as_they_come(void **state)
{
	struct fake_server *s = fake_start(batch_handler);
	struct tenant *t;
	struct tenant_request reqs[2];
	json_t *pages[2], *expected = json_loads("[[{\"id\":\"p1\"},{\"id\":\"p2\"}],"
						 "[{\"id\":\"p3\"}]]",
						 0, NULL);
	size_t i;

	(void)state;
	set_env_secret();
	t = open_against(s, 0);
	for (i = 0; i < 2; i++) {
		pages[i] = json_array();
		tenant_request_init(&reqs[i], "GET", NULL, TENANT_BATCHABLE | TENANT_PAGED, "paged",
				    "/v1.0/users?$top=2");
		reqs[i].on_page = keep_page;
		reqs[i].page_ctx = pages[i];
	}
	assert_int_equal(tenant_run(t, reqs, 2), 0);
	for (i = 0; i < 2; i++) {
		/* the first page came in the $batch, the second by its nextLink */
		assert_int_equal(reqs[i].status, 200);
		assert_non_null(reqs[i].response);
		assert_null(json_object_get(reqs[i].response, "value"));
		assert_true(json_equal(pages[i], expected));
		json_decref(pages[i]);
		tenant_request_release(&reqs[i]);
	}
	assert_int_equal(s->batch_hits, 1);
	json_decref(expected);
	tenant_free(t);
	fake_stop(s);
}

static void test_failed_batch_resends_only_reads(void **state)
{
	struct fake_server *s = fake_start(batch_handler);
	struct tenant *t;
	struct tenant_request reqs[2];

	(void)state;
	set_env_secret();
	s->extra = "outer-503";
	s->fail_next = 1;
	t = open_against(s, 0);
	tenant_request_init(&reqs[0], "GET", NULL, TENANT_BATCHABLE, "read", "/v1.0/users/a");
	tenant_request_init(&reqs[1], "POST", json_object(), TENANT_BATCHABLE, "invite",
			    "/v1.0/invitations");
	assert_int_equal(tenant_run(t, reqs, 2), 0);
	assert_int_equal(reqs[0].status, 200);
	assert_int_equal(reqs[0].attempts, 2);
	assert_int_equal(reqs[1].status, 503);
	assert_int_equal(reqs[1].attempts, 1);
	assert_true(reqs[1].error.ambiguous);
	assert_string_equal(reqs[1].error.code, "serviceNotAvailable");
	assert_string_equal(reqs[1].error.request_id, "rid-503");
	assert_int_equal(s->batch_hits, 2);
	tenant_request_release(&reqs[0]);
	tenant_request_release(&reqs[1]);
	tenant_free(t);
	fake_stop(s);
}

static void test_debug_trace_hides_secrets(void **state)
{
	struct fake_server *s = fake_start(faults_handler);
	char path[] = "/tmp/b2b-graph-trace-XXXXXX";
	struct strbuf trace = STRBUF_INIT;
	struct tenant *t;
	struct tenant_request reqs[2];
	int fd = mkstemp(path), saved = dup(2);

	(void)state;
	set_env_secret();
	assert_true(fd >= 0);
	fflush(stderr);
	dup2(fd, 2);
	t = open_against(s, 1);
	tenant_request_init(&reqs[0], "GET", NULL, 0, "expired", "/v1.0/expired?$filter=a eq 'b'");
	tenant_request_init(&reqs[1], "POST", json_pack("{s:s}", "secret", SECRET), 0, "echo",
			    "/v1.0/echo");
	assert_int_equal(tenant_run(t, reqs, 2), 0);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	assert_int_equal(strbuf_read_file(&trace, path, 0), 0);
	unlink(path);
	assert_non_null(strstr(trace.buf, "GET http://127.0.0.1:"));
	assert_non_null(strstr(trace.buf, "/v1.0/expired?$filter=a%20eq%20'b' -> 401"));
	assert_non_null(strstr(trace.buf, "request-id rid-401"));
	assert_non_null(strstr(trace.buf, "-> 200"));
	assert_non_null(strstr(trace.buf, "/oauth2/v2.0/token -> 200"));
	assert_non_null(strstr(trace.buf, "signing in again"));
	assert_null(strstr(trace.buf, SECRET));
	assert_null(strstr(trace.buf, TOKEN_PREFIX));
	tenant_request_release(&reqs[0]);
	tenant_request_release(&reqs[1]);
	tenant_free(t);
	strbuf_release(&trace);
	fake_stop(s);
}

static void test_connection_refused(void **state)
{
	struct graph_options opts = {0};
	struct tenant *t;
	struct tenant_request reqs[2];
	struct sockaddr_in addr = {0};
	socklen_t len = sizeof(addr);
	char url[64];
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	/* a port nobody listens on */
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&addr, sizeof(addr));
	getsockname(fd, (struct sockaddr *)&addr, &len);
	close(fd);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", ntohs(addr.sin_port));
	set_env_secret();
	setenv("B2BCTL_ACCESS_TOKEN", "ready-token-value-2", 1);
	opts.graph_url = url;
	opts.max_attempts = 2;
	t = tenant_graph_open(&opts);
	assert_non_null(t);
	tenant_request_init(&reqs[0], "GET", NULL, 0, "read", "/v1.0/users");
	tenant_request_init(&reqs[1], "POST", NULL, 0, "write", "/v1.0/invitations");
	assert_int_equal(tenant_run(t, reqs, 2), -1);
	assert_non_null(strstr(b2b_error_last(), "did not answer"));
	assert_int_equal(reqs[0].status, 0);
	assert_int_equal(reqs[0].attempts, 2);
	/* nothing was sent, so even a POST may be tried again and is not ambiguous */
	assert_int_equal(reqs[1].attempts, 2);
	assert_false(reqs[1].error.ambiguous);
	assert_non_null(strstr(reqs[0].error.message, "after 2 attempts"));
	tenant_request_release(&reqs[0]);
	tenant_request_release(&reqs[1]);
	tenant_free(t);
	unsetenv("B2BCTL_ACCESS_TOKEN");
}

static void test_huge_answer_refused(void **state)
{
	struct fake_server *s = fake_start(faults_handler);
	struct tenant *t;
	struct tenant_request req;

	(void)state;
	set_env_secret();
	t = open_against(s, 0);
	tenant_request_init(&req, "GET", NULL, TENANT_PAGED, "huge", "/v1.0/huge");
	tenant_run(t, &req, 1);
	assert_false(tenant_request_ok(&req));
	assert_null(req.response);
	assert_non_null(strstr(req.error.message, "larger than 64 MiB"));
	assert_int_equal(req.attempts, 1);
	tenant_request_release(&req);
	tenant_free(t);
	fake_stop(s);
}

/* Tokens live 1 s and the second sign-in is refused; the first page takes 0.6 s. */
static void expiring_handler(struct fake_server *s, const struct fake_request *req,
			     struct fake_response *res)
{
	if (strstr(req->target, "/oauth2/v2.0/token")) {
		if (++s->token_hits > 1) {
			res->status = 400;
			strbuf_addstr(&res->body,
				      "{\"error\":\"invalid_client\",\"error_description\":"
				      "\"AADSTS7000222: The provided client secret keys "
				      "are expired.\"}");
			return;
		}
		strbuf_addstr(&res->body,
			      "{\"expires_in\":1,\"access_token\":\"short-lived-tok\"}");
		return;
	}
	note_graph(s, req);
	usleep(600 * 1000);
	strbuf_addf(&res->body, "{\"value\":[{\"id\":\"a\"}],\"@odata.nextLink\":\"%s/v1.0/next\"}",
		    s->base);
}

static void test_refresh_failing_mid_run(void **state)
{
	struct fake_server *s = fake_start(expiring_handler);
	struct tenant *t;
	struct tenant_request req;

	(void)state;
	set_env_secret();
	t = open_against(s, 0);
	tenant_request_init(&req, "GET", NULL, TENANT_PAGED, "list users", "/v1.0/users");
	assert_int_equal(tenant_run(t, &req, 1), -1);
	assert_non_null(strstr(b2b_error_last(), "sign-in with client secret"));
	assert_non_null(strstr(b2b_error_last(), "AADSTS7000222"));
	assert_int_equal(s->graph_hits, 1);
	assert_int_equal(s->token_hits, 2);
	assert_int_equal(req.status, 0);
	assert_null(req.response);
	assert_non_null(strstr(req.error.message, "not sent: sign-in"));
	tenant_request_release(&req);
	tenant_free(t);
	fake_stop(s);
}

static size_t progress_calls, progress_last_done, progress_last_total;

static void count_progress(void *ctx, const char *what, size_t done, size_t total)
{
	(void)ctx;
	assert_non_null(what);
	progress_calls++;
	progress_last_done = done;
	progress_last_total = total;
}

static void test_not_found_retried_for_new_objects(void **state)
{
	struct fake_server *s = fake_start(faults_handler);
	struct tenant *t;
	struct tenant_request reqs[2];

	(void)state;
	set_env_secret();
	t = open_against(s, 0);
	t->progress = count_progress;
	progress_calls = 0;
	s->fail_next = 2;
	tenant_request_init(&reqs[0], "POST", json_object(), TENANT_RETRY_NOT_FOUND, "add member",
			    "/v1.0/lagging/members/$ref");
	assert_int_equal(tenant_run(t, reqs, 1), 0);
	assert_int_equal(reqs[0].status, 200);
	assert_int_equal(reqs[0].attempts, 3);
	assert_int_equal(progress_calls, 1);
	assert_int_equal(progress_last_done, 1);
	assert_int_equal(progress_last_total, 1);
	tenant_request_release(&reqs[0]);

	/* without the flag a 404 is an answer */
	s->fail_next = 1;
	tenant_request_init(&reqs[0], "GET", NULL, 0, "read", "/v1.0/lagging/x");
	tenant_request_init(&reqs[1], "GET", NULL, 0, "read", "/v1.0/other");
	assert_int_equal(tenant_run(t, reqs, 2), 0);
	assert_int_equal(reqs[0].status, 404);
	assert_int_equal(reqs[0].attempts, 1);
	assert_string_equal(reqs[0].error.code, "Request_ResourceNotFound");
	assert_int_equal(progress_last_done, 2);
	assert_int_equal(progress_last_total, 2);
	tenant_request_release(&reqs[0]);
	tenant_request_release(&reqs[1]);
	tenant_free(t);
	fake_stop(s);
}

/* Token endpoint for assertions: the token names the assertion it was given. */
static void assertion_handler(struct fake_server *s, const struct fake_request *req,
			      struct fake_response *res)
{
	char value[512];
	const char *assertion;

	if (strstr(req->target, "/oidc?")) {
		s->token_hits++;
		if (!header_get(req, "Authorization", value, sizeof(value)) ||
		    strcmp(value, "bearer gh-request-token-1") ||
		    !strstr(req->target, "&audience=api%3A%2F%2FAzureADTokenExchange")) {
			res->status = 403;
			return;
		}
		strbuf_addstr(&res->body, "{\"count\":1,\"value\":\"gh-assertion-jwt\"}");
		return;
	}
	if (strstr(req->target, "/oauth2/v2.0/token")) {
		if (!strstr(req->body.buf, "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3A"
					   "client-assertion-type%3Ajwt-bearer") ||
		    strstr(req->body.buf, "client_secret") ||
		    !(assertion = strstr(req->body.buf, "client_assertion="))) {
			res->status = 400;
			strbuf_addstr(&res->body,
				      "{\"error\":\"invalid_request\",\"error_description\":"
				      "\"AADSTS900144: missing client_assertion\"}");
			return;
		}
		assertion += strlen("client_assertion=");
		strbuf_addf(&res->body, "{\"expires_in\":3600,\"access_token\":\"at-for-%.*s\"}",
			    (int)strcspn(assertion, "&"), assertion);
		return;
	}
	note_graph(s, req);
	if (strstr(req->target, "/expired") && s->fail_next-- > 0) {
		res->status = 401;
		return;
	}
	strbuf_addstr(&res->body, "{}");
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_federated_token_file_reread(void **state)
{
	struct fake_server *s = fake_start(assertion_handler);
	char path[] = "/tmp/b2b-federated-XXXXXX";
	struct tenant *t;
	struct tenant_request req;
	int fd = mkstemp(path);

	(void)state;
	close(fd);
	write_file(path, "federated-jwt-one\n");
	set_env_secret();
	unsetenv("AZURE_CLIENT_SECRET");
	setenv("AZURE_FEDERATED_TOKEN_FILE", path, 1);
	t = open_against(s, 0);
	tenant_request_init(&req, "GET", NULL, 0, "read", "/v1.0/me");
	assert_int_equal(tenant_run(t, &req, 1), 0);
	assert_int_equal(req.status, 200);
	assert_string_equal(s->last_auth, "Bearer at-for-federated-jwt-one");
	tenant_request_release(&req);

	/* the file rotates; a 401 makes the client sign in again with the new one */
	write_file(path, "federated-jwt-two");
	s->fail_next = 1;
	tenant_request_init(&req, "GET", NULL, 0, "read", "/v1.0/expired");
	assert_int_equal(tenant_run(t, &req, 1), 0);
	assert_int_equal(req.status, 200);
	assert_string_equal(s->last_auth, "Bearer at-for-federated-jwt-two");
	tenant_request_release(&req);
	tenant_free(t);

	unlink(path);
	t = open_against(s, 0);
	tenant_request_init(&req, "GET", NULL, 0, "read", "/v1.0/me");
	assert_int_equal(tenant_run(t, &req, 1), -1);
	assert_non_null(strstr(b2b_error_last(), "sign-in with federated token (AZURE_CLIENT_ID="
						 "app-123, AZURE_FEDERATED_TOKEN_FILE="));
	assert_non_null(strstr(b2b_error_last(), "cannot read"));
	tenant_request_release(&req);
	tenant_free(t);
	unsetenv("AZURE_FEDERATED_TOKEN_FILE");
	fake_stop(s);
}

static void test_github_oidc(void **state)
{
	struct fake_server *s = fake_start(assertion_handler);
	struct strbuf url = STRBUF_INIT;
	struct tenant *t;
	struct tenant_request req;

	(void)state;
	set_env_secret();
	unsetenv("AZURE_CLIENT_SECRET");
	strbuf_addf(&url, "%s/oidc?api-version=2.0", s->base);
	setenv("ACTIONS_ID_TOKEN_REQUEST_URL", url.buf, 1);
	setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "gh-request-token-1", 1);
	t = open_against(s, 0);
	tenant_request_init(&req, "GET", NULL, 0, "read", "/v1.0/me");
	assert_int_equal(tenant_run(t, &req, 1), 0);
	assert_int_equal(req.status, 200);
	assert_int_equal(s->token_hits, 1);
	assert_string_equal(s->last_auth, "Bearer at-for-gh-assertion-jwt");
	tenant_request_release(&req);
	tenant_free(t);

	setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "gh-request-token-bad", 1);
	t = open_against(s, 0);
	tenant_request_init(&req, "GET", NULL, 0, "read", "/v1.0/me");
	assert_int_equal(tenant_run(t, &req, 1), -1);
	assert_non_null(strstr(b2b_error_last(), "sign-in with GitHub Actions OIDC"));
	assert_non_null(strstr(b2b_error_last(), "HTTP 403"));
	assert_null(strstr(b2b_error_last(), "gh-request-token-bad"));
	tenant_request_release(&req);
	tenant_free(t);
	unsetenv("ACTIONS_ID_TOKEN_REQUEST_URL");
	unsetenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
	strbuf_release(&url);
	fake_stop(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_delta_pages_gathered),
	    cmocka_unit_test(test_next_link_to_other_host_refused),
	    cmocka_unit_test(test_throttle_honours_retry_after),
	    cmocka_unit_test(test_throttling_counts_less_than_failures),
	    cmocka_unit_test(test_idempotent_retried_post_ambiguous),
	    cmocka_unit_test(test_401_signs_in_again_once),
	    cmocka_unit_test(test_ready_token_401_is_reported),
	    cmocka_unit_test(test_wrong_secret_names_method_and_code),
	    cmocka_unit_test(test_no_credentials),
	    cmocka_unit_test(test_non_json_answers),
	    cmocka_unit_test(test_batch_groups_maps_and_retries),
	    cmocka_unit_test(test_paged_pages_handed_over_as_they_come),
	    cmocka_unit_test(test_failed_batch_resends_only_reads),
	    cmocka_unit_test(test_debug_trace_hides_secrets),
	    cmocka_unit_test(test_connection_refused),
	    cmocka_unit_test(test_not_found_retried_for_new_objects),
	    cmocka_unit_test(test_federated_token_file_reread),
	    cmocka_unit_test(test_github_oidc),
	    cmocka_unit_test(test_huge_answer_refused),
	    cmocka_unit_test(test_refresh_failing_mid_run),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
