/*
 * graph-emu: Microsoft Graph and the Entra token endpoint on loopback, for
 * tests and demos (DESIGN.md §8). memgraph answers the Graph requests; this
 * file adds HTTP (libmicrohttpd, a thread per connection, one lock around
 * memgraph), client-credential sign-in with bearer tokens, injected faults
 * (latency, 429, 503) from a seeded generator, and a JSON-lines request log.
 *
 *   graph-emu --snapshot FILE [--listen 127.0.0.1:0] [--client-id ID --client-secret SECRET]
 *             [--token-lifetime-s N] [--latency-ms N] [--throttle-rate P] [--fail-rate P]
 *             [--consistency-delay-ms N] [--seed N] [--log FILE]
 */
#include "reconcile/tenant/memgraph.h"
#include "reconcile/tenant/snapshot_parse.h"
#include "schema/base/diag.h"
#include "schema/base/json_memory.h"
#include "schema/base/strbuf.h"
#include "schema/base/xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_BODY (16 * 1024 * 1024)

struct emu_options {
	const char *snapshot;
	const char *listen;
	const char *client_id;
	const char *client_secret;
	long token_lifetime_s;
	long latency_ms;
	double throttle_rate;
	double fail_rate;
	long consistency_delay_ms;
	unsigned long seed;
	const char *log;
};

struct emu {
	struct emu_options opt;
	pthread_mutex_t lock; /* memgraph, tokens, rng */
	struct memgraph *graph;
	json_t *tokens; /* access token -> expiry (ms, monotonic) */
	unsigned long long rng;
	pthread_mutex_t log_lock;
	FILE *log;
};

/* One HTTP request while it is read. */
struct emu_call {
	char *uri; /* raw request target, query included */
	struct strbuf body;
	int started;
	int too_large;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double rng_unit(struct emu *e)
{
	e->rng ^= e->rng >> 12;
	e->rng ^= e->rng << 25;
	e->rng ^= e->rng >> 27;
	return (double)((e->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static char *random_token(struct emu *e)
{
	struct strbuf sb = STRBUF_INIT;
	int i;

	strbuf_addstr(&sb, "emu.");
	for (i = 0; i < 4; i++)
		strbuf_addf(&sb, "%016llx",
			    (unsigned long long)(rng_unit(e) * 18446744073709551615.0));
	return strbuf_detach(&sb, NULL);
}

static void iso_now(char *buf, size_t len, int zone)
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03ldZ", ts.tv_nsec / 1000000);
	if (!zone)
		buf[n] = '\0';
}

static void log_line(struct emu *e, const char *method, const char *path, long status,
		     long long latency_ms, int batch)
{
	char when[40];
	json_t *line;
	char *text;

	if (!e->log)
		return;
	iso_now(when, sizeof(when), 1);
	line = json_pack("{s:s, s:s, s:s, s:i, s:I}", "time", when, "method", method, "path", path,
			 "status", (int)status, "latency_ms", (json_int_t)latency_ms);
	if (batch)
		json_object_set_new(line, "batch", json_true());
	text = json_text(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
	pthread_mutex_lock(&e->log_lock);
	fprintf(e->log, "%s\n", text);
	fflush(e->log);
	pthread_mutex_unlock(&e->log_lock);
	free(text);
	json_decref(line);
}

static json_t *graph_error_body(const char *code, const char *message)
{
	char when[40];
	static atomic_ulong counter;
	unsigned long long id = (unsigned long long)now_ms() * 2654435761ULL;
	char rid[40];

	iso_now(when, sizeof(when), 0);
	snprintf(rid, sizeof(rid), "%08llx-%04lx-4000-8000-%012llx", id & 0xffffffff,
		 (unsigned long)(atomic_fetch_add(&counter, 1) & 0xffff),
		 (id >> 16) & 0xffffffffffffULL);
	return json_pack("{s:{s:s, s:s, s:{s:s, s:s, s:s}}}", "error", "code", code, "message",
			 message, "innerError", "date", when, "request-id", rid,
			 "client-request-id", rid);
}

static void write_string(struct strbuf *sb, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	strbuf_addch(sb, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		strbuf_add(sb, s + run, i - run);
		run = i + 1;
		strbuf_addch(sb, '\\');
		switch (c) {
		case '"':
		case '\\':
			strbuf_addch(sb, c);
			break;
		case '\n':
			strbuf_addch(sb, 'n');
			break;
		case '\r':
			strbuf_addch(sb, 'r');
			break;
		case '\t':
			strbuf_addch(sb, 't');
			break;
		default:
			strbuf_addstr(sb, "u00");
			strbuf_addch(sb, hex[c >> 4]);
			strbuf_addch(sb, hex[c & 15]);
		}
	}
	strbuf_add(sb, s + run, len - run);
	strbuf_addch(sb, '"');
}

/*
 * Compact JSON, keys in insertion order: what json_dumps(JSON_COMPACT) writes,
 * several times faster on the 999-user pages that dominate the emulator's work.
 */
static void write_json(struct strbuf *sb, const json_t *v)
{
	const char *key;
	json_t *item;
	size_t i;
	int first = 1;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		strbuf_addch(sb, '{');
		json_object_foreach((json_t *)v, key, item)
		{
			if (!first)
				strbuf_addch(sb, ',');
			first = 0;
			write_string(sb, key, strlen(key));
			strbuf_addch(sb, ':');
			write_json(sb, item);
		}
		strbuf_addch(sb, '}');
		break;
	case JSON_ARRAY:
		strbuf_addch(sb, '[');
		json_array_foreach(v, i, item)
		{
			if (i)
				strbuf_addch(sb, ',');
			write_json(sb, item);
		}
		strbuf_addch(sb, ']');
		break;
	case JSON_STRING:
		write_string(sb, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		strbuf_addf(sb, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL: {
		size_t start = sb->len;

		strbuf_addf(sb, "%.17g", json_real_value(v));
		if (!strpbrk(sb->buf + start, ".eE"))
			strbuf_addstr(sb, ".0");
		break;
	}
	case JSON_TRUE:
		strbuf_addstr(sb, "true");
		break;
	case JSON_FALSE:
		strbuf_addstr(sb, "false");
		break;
	case JSON_NULL:
		strbuf_addstr(sb, "null");
		break;
	}
}

static enum MHD_Result send_json(struct MHD_Connection *con, unsigned status, json_t *body,
				 const char *retry_after, const char *www_authenticate)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	struct strbuf text = STRBUF_INIT;
	size_t len;
	char *buf;

	if (body)
		write_json(&text, body);
	buf = strbuf_detach(&text, &len);
	resp = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
	if (body)
		MHD_add_response_header(resp, "Content-Type", "application/json");
	if (retry_after)
		MHD_add_response_header(resp, "Retry-After", retry_after);
	if (www_authenticate)
		MHD_add_response_header(resp, "WWW-Authenticate", www_authenticate);
	ret = MHD_queue_response(con, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* application/x-www-form-urlencoded into name -> value. */
static json_t *parse_form(const char *s)
{
	json_t *form = json_object();

	while (*s) {
		const char *end = strchr(s, '&'), *eq;
		struct strbuf name = STRBUF_INIT, value = STRBUF_INIT;
		size_t len = end ? (size_t)(end - s) : strlen(s);
		size_t i;

		eq = memchr(s, '=', len);
		for (i = 0; i < len; i++) {
			struct strbuf *out = eq && s + i > eq ? &value : &name;
			char c = s[i];

			if (s + i == eq)
				continue;
			if (c == '+') {
				strbuf_addch(out, ' ');
			} else if (c == '%' && i + 2 < len) {
				char hex[3] = {s[i + 1], s[i + 2], 0};

				strbuf_addch(out, (int)strtol(hex, NULL, 16));
				i += 2;
			} else {
				strbuf_addch(out, c);
			}
		}
		if (name.len)
			json_object_set_new(form, name.buf, json_string(value.buf));
		strbuf_release(&name);
		strbuf_release(&value);
		s += len;
		if (*s)
			s++;
	}
	return form;
}

static json_t *aad_error(const char *error, long code, const char *description)
{
	char when[40];

	iso_now(when, sizeof(when), 1);
	return json_pack("{s:s, s:s, s:[I], s:s, s:s, s:s, s:s}", "error", error,
			 "error_description", description, "error_codes", (json_int_t)code,
			 "timestamp", when, "trace_id", "00000000-0000-0000-0000-000000000000",
			 "correlation_id", "00000000-0000-0000-0000-000000000000", "error_uri",
			 "https://login.microsoftonline.com/error");
}

static const char assertion_type[] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

static unsigned token_endpoint(struct emu *e, const char *form_text, json_t **body)
{
	json_t *form = parse_form(form_text);
	const char *grant = json_string_value(json_object_get(form, "grant_type"));
	const char *client_id = json_string_value(json_object_get(form, "client_id"));
	const char *secret = json_string_value(json_object_get(form, "client_secret"));
	const char *atype = json_string_value(json_object_get(form, "client_assertion_type"));
	const char *assertion = json_string_value(json_object_get(form, "client_assertion"));
	unsigned status = 200;
	char *token;

	if (!grant || strcmp(grant, "client_credentials")) {
		*body = aad_error("unsupported_grant_type", 70003,
				  "AADSTS70003: The app requested an unsupported grant type.");
		status = 400;
	} else if (e->opt.client_id && (!client_id || strcmp(client_id, e->opt.client_id))) {
		*body = aad_error("unauthorized_client", 700016,
				  "AADSTS700016: Application was not found in the directory.");
		status = 400;
	} else if (secret ? e->opt.client_secret && strcmp(secret, e->opt.client_secret)
			  : !(atype && !strcmp(atype, assertion_type) && assertion && *assertion)) {
		*body =
		    aad_error("invalid_client", 7000215,
			      "AADSTS7000215: Invalid client secret provided. Ensure the secret "
			      "being sent in the request is the client secret value, not the "
			      "client secret ID.");
		status = 401;
	} else {
		pthread_mutex_lock(&e->lock);
		token = random_token(e);
		json_object_set_new(e->tokens, token,
				    json_integer(now_ms() + e->opt.token_lifetime_s * 1000));
		pthread_mutex_unlock(&e->lock);
		*body = json_pack("{s:s, s:I, s:I, s:s}", "token_type", "Bearer", "expires_in",
				  (json_int_t)e->opt.token_lifetime_s, "ext_expires_in",
				  (json_int_t)e->opt.token_lifetime_s, "access_token", token);
		free(token);
	}
	json_decref(form);
	return status;
}

/* NULL when the bearer token is good, else why not. */
static const char *check_token(struct emu *e, struct MHD_Connection *con)
{
	const char *auth = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Authorization");
	const char *why = NULL;
	json_t *expiry;

	if (!auth || strncasecmp(auth, "Bearer ", 7) || !auth[7])
		return "Access token is empty.";
	pthread_mutex_lock(&e->lock);
	expiry = json_object_get(e->tokens, auth + 7);
	if (!expiry)
		why = "Access token validation failure. Invalid audience.";
	else if (json_integer_value(expiry) <= now_ms())
		why = "Lifetime validation failed, the token is expired.";
	pthread_mutex_unlock(&e->lock);
	return why;
}

/* An injected fault for one request, or 0. */
static unsigned pick_fault(struct emu *e, json_t **body)
{
	unsigned status = 0;

	if (e->opt.throttle_rate <= 0 && e->opt.fail_rate <= 0)
		return 0;
	pthread_mutex_lock(&e->lock);
	if (e->opt.throttle_rate > 0 && rng_unit(e) < e->opt.throttle_rate)
		status = 429;
	else if (e->opt.fail_rate > 0 && rng_unit(e) < e->opt.fail_rate)
		status = 503;
	pthread_mutex_unlock(&e->lock);
	if (status == 429)
		*body = graph_error_body("TooManyRequests",
					 "Too many requests. Please retry after the time the "
					 "Retry-After header gives.");
	else if (status == 503)
		*body = graph_error_body("ServiceUnavailable",
					 "The service is temporarily unavailable. Please retry.");
	return status;
}

struct batch_ctx {
	struct emu *e;
	long long started;
};

static void batch_hook(void *ctx, const struct memgraph_request *inner,
		       struct memgraph_response *res, int done)
{
	struct batch_ctx *bc = ctx;

	if (!done) {
		json_t *body = NULL;
		unsigned status;

		/* called with the lock held: the fault draw must not take it again */
		if (bc->e->opt.throttle_rate > 0 && rng_unit(bc->e) < bc->e->opt.throttle_rate)
			status = 429;
		else if (bc->e->opt.fail_rate > 0 && rng_unit(bc->e) < bc->e->opt.fail_rate)
			status = 503;
		else
			return;
		body = graph_error_body(status == 429 ? "TooManyRequests" : "ServiceUnavailable",
					status == 429 ? "Too many requests."
						      : "The service is temporarily unavailable.");
		res->status = status;
		res->body = body;
		return;
	}
	log_line(bc->e, inner->method, inner->target, res->status, now_ms() - bc->started, 1);
}

static enum MHD_Result graph_request(struct emu *e, struct MHD_Connection *con, const char *method,
				     struct emu_call *call, long *status_out)
{
	const char *why = check_token(e, con);
	const char *eventual =
	    MHD_lookup_connection_value(con, MHD_HEADER_KIND, "ConsistencyLevel");
	struct memgraph_request req = {0};
	struct memgraph_response res = {0};
	struct batch_ctx bc = {e, now_ms()};
	json_t *body = NULL, *fault = NULL;
	json_error_t jerr;
	enum MHD_Result ret;
	unsigned status;
	int is_batch = strstr(call->uri, "/$batch") != NULL;

	if (why) {
		*status_out = 401;
		body = graph_error_body("InvalidAuthenticationToken", why);
		ret = send_json(con, 401, body, NULL, "Bearer realm=\"\", error=\"invalid_token\"");
		json_decref(body);
		return ret;
	}
	if (!is_batch && (status = pick_fault(e, &fault))) {
		*status_out = status;
		ret = send_json(con, status, fault, status == 429 ? "1" : NULL, NULL);
		json_decref(fault);
		return ret;
	}
	if (call->body.len) {
		body = json_loadb(call->body.buf, call->body.len, 0, &jerr);
		if (!body) {
			char msg[256];

			snprintf(msg, sizeof(msg), "Unable to read JSON request payload: %s",
				 jerr.text);
			*status_out = 400;
			fault = graph_error_body("Request_BadRequest", msg);
			ret = send_json(con, 400, fault, NULL, NULL);
			json_decref(fault);
			return ret;
		}
	}
	req.method = method;
	req.target = call->uri;
	req.body = body;
	req.consistency_eventual = eventual && !strcasecmp(eventual, "eventual");
	pthread_mutex_lock(&e->lock);
	memgraph_set_batch_hook(e->graph, batch_hook, &bc);
	memgraph_handle(e->graph, &req, &res);
	memgraph_set_batch_hook(e->graph, NULL, NULL);
	pthread_mutex_unlock(&e->lock);
	json_decref(body);
	*status_out = res.status;
	ret = send_json(con, (unsigned)res.status, res.body, NULL, NULL);
	json_decref(res.body);
	return ret;
}

static int is_token_path(const char *uri)
{
	const char *slash = strchr(uri + 1, '/');

	return uri[0] == '/' && slash && !strncmp(slash, "/oauth2/v2.0/token", 18) &&
	       (slash[18] == '\0' || slash[18] == '?');
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *con, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	struct emu *e = cls;
	struct emu_call *call = *con_cls;
	long long started = now_ms();
	long status = 0;
	enum MHD_Result ret;
	json_t *body = NULL;

	(void)url;
	(void)version;
	if (!call->started) {
		call->started = 1;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (call->body.len + *upload_data_size > MAX_BODY)
			call->too_large = 1;
		else
			strbuf_add(&call->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (e->opt.latency_ms > 0)
		usleep((useconds_t)e->opt.latency_ms * 1000);
	if (call->too_large) {
		status = 413;
		body = graph_error_body("Request_BadRequest", "The request body is too large.");
		ret = send_json(con, 413, body, NULL, NULL);
	} else if (is_token_path(call->uri)) {
		if (strcmp(method, "POST")) {
			status = 405;
			body = aad_error("invalid_request", 900561,
					 "AADSTS900561: The endpoint only accepts POST requests.");
		} else {
			status = token_endpoint(e, call->body.buf, &body);
		}
		ret = send_json(con, (unsigned)status, body, NULL, NULL);
	} else if (!strncmp(call->uri, "/_emulator/", 11)) {
		if (!strcmp(call->uri, "/_emulator/snapshot") && !strcmp(method, "GET")) {
			pthread_mutex_lock(&e->lock);
			body = memgraph_snapshot(e->graph);
			pthread_mutex_unlock(&e->lock);
			status = 200;
		} else {
			status = 404;
			body = graph_error_body("Request_ResourceNotFound",
						"Unknown emulator endpoint.");
		}
		ret = send_json(con, (unsigned)status, body, NULL, NULL);
	} else if (!strncmp(call->uri, "/v1.0/", 6) || !strncmp(call->uri, "/beta/", 6)) {
		ret = graph_request(e, con, method, call, &status);
	} else {
		status = 404;
		body = graph_error_body("Request_ResourceNotFound", "Resource not found.");
		ret = send_json(con, 404, body, NULL, NULL);
	}
	json_decref(body);
	log_line(e, method, call->uri, status, now_ms() - started, 0);
	return ret;
}

static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *con)
{
	struct emu_call *call = xcalloc(1, sizeof(*call));

	(void)cls;
	(void)con;
	call->uri = xstrdup(uri);
	strbuf_init(&call->body, 0);
	return call;
}

static void completed(void *cls, struct MHD_Connection *con, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct emu_call *call = *con_cls;

	(void)cls;
	(void)con;
	(void)toe;
	if (!call)
		return;
	free(call->uri);
	strbuf_release(&call->body);
	free(call);
	*con_cls = NULL;
}

static void usage(void)
{
	fputs("usage: graph-emu --snapshot FILE [--listen 127.0.0.1:0] [--client-id ID "
	      "--client-secret SECRET]\n"
	      "                 [--token-lifetime-s N] [--latency-ms N] [--throttle-rate P] "
	      "[--fail-rate P]\n"
	      "                 [--consistency-delay-ms N] [--seed N] [--log FILE]\n",
	      stderr);
}

static int parse_long(const char *opt, const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	if (errno || !*s || *end || *out < 0) {
		fprintf(stderr, "graph-emu: %s wants a non-negative integer, not '%s'\n", opt, s);
		return -1;
	}
	return 0;
}

static int parse_rate(const char *opt, const char *s, double *out)
{
	char *end;

	*out = strtod(s, &end);
	if (!*s || *end || *out < 0 || *out > 1) {
		fprintf(stderr, "graph-emu: %s wants a probability between 0 and 1, not '%s'\n",
			opt, s);
		return -1;
	}
	return 0;
}

static int parse_options(struct emu_options *o, int argc, char **argv)
{
	int i;
	long n;

	o->listen = "127.0.0.1:0";
	o->token_lifetime_s = 3599;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage();
			exit(0);
		}
		if (!v || strncmp(a, "--", 2)) {
			fprintf(stderr, "graph-emu: %s: %s\n", a,
				v ? "unknown argument" : "missing value");
			usage();
			return -1;
		}
		i++;
		if (!strcmp(a, "--snapshot"))
			o->snapshot = v;
		else if (!strcmp(a, "--listen"))
			o->listen = v;
		else if (!strcmp(a, "--client-id"))
			o->client_id = v;
		else if (!strcmp(a, "--client-secret"))
			o->client_secret = v;
		else if (!strcmp(a, "--log"))
			o->log = v;
		else if (!strcmp(a, "--throttle-rate")) {
			if (parse_rate(a, v, &o->throttle_rate))
				return -1;
		} else if (!strcmp(a, "--fail-rate")) {
			if (parse_rate(a, v, &o->fail_rate))
				return -1;
		} else if (!strcmp(a, "--token-lifetime-s") || !strcmp(a, "--latency-ms") ||
			   !strcmp(a, "--consistency-delay-ms") || !strcmp(a, "--seed")) {
			if (parse_long(a, v, &n))
				return -1;
			if (!strcmp(a, "--token-lifetime-s"))
				o->token_lifetime_s = n;
			else if (!strcmp(a, "--latency-ms"))
				o->latency_ms = n;
			else if (!strcmp(a, "--consistency-delay-ms"))
				o->consistency_delay_ms = n;
			else
				o->seed = (unsigned long)n;
		} else {
			fprintf(stderr, "graph-emu: unknown option %s\n", a);
			usage();
			return -1;
		}
	}
	if (!o->snapshot) {
		fputs("graph-emu: --snapshot FILE is required\n", stderr);
		usage();
		return -1;
	}
	if (!o->client_id != !o->client_secret) {
		fputs("graph-emu: --client-id and --client-secret go together\n", stderr);
		return -1;
	}
	return 0;
}

/* Only 127.0.0.0/8: the emulator accepts any token it issued and must not face a network. */
static int parse_listen(const char *s, struct sockaddr_in *addr)
{
	const char *colon = strrchr(s, ':');
	char host[64];
	long port;
	char *end;

	memset(addr, 0, sizeof(*addr));
	if (!colon || (size_t)(colon - s) >= sizeof(host)) {
		fprintf(stderr, "graph-emu: --listen wants HOST:PORT, not '%s'\n", s);
		return -1;
	}
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	if (!strcmp(host, "localhost"))
		strcpy(host, "127.0.0.1");
	port = strtol(colon + 1, &end, 10);
	if (!colon[1] || *end || port < 0 || port > 65535) {
		fprintf(stderr, "graph-emu: --listen: bad port in '%s'\n", s);
		return -1;
	}
	if (inet_pton(AF_INET, host, &addr->sin_addr) != 1 ||
	    (ntohl(addr->sin_addr.s_addr) >> 24) != 127) {
		fprintf(stderr, "graph-emu: --listen: refusing '%s': only loopback (127.0.0.0/8)\n",
			s);
		return -1;
	}
	addr->sin_family = AF_INET;
	addr->sin_port = htons((unsigned short)port);
	return 0;
}

static struct memgraph *load_graph(const struct emu_options *o, const char *base_url)
{
	struct memgraph_options mo = {base_url, o->consistency_delay_ms, o->seed};
	json_error_t jerr;
	json_t *snap = snapshot_parse_file(o->snapshot, &jerr);
	struct memgraph *g;

	if (!snap) {
		fprintf(stderr, "graph-emu: %s:%d:%d: %s\n", o->snapshot, jerr.line, jerr.column,
			jerr.text);
		return NULL;
	}
	g = memgraph_new_adopt(snap, &mo);
	if (!g)
		fprintf(stderr, "graph-emu: %s: %s\n", o->snapshot, b2b_error_last());
	return g;
}

int main(int argc, char **argv)
{
	struct emu e;
	struct sockaddr_in addr;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	sigset_t sigs;
	char base[64];
	int sig;

	json_memory_choose();
	memset(&e, 0, sizeof(e));
	if (parse_options(&e.opt, argc, argv) || parse_listen(e.opt.listen, &addr))
		return 1;
	if (e.opt.log && !(e.log = fopen(e.opt.log, "a"))) {
		fprintf(stderr, "graph-emu: --log %s: %s\n", e.opt.log, strerror(errno));
		return 1;
	}
	e.rng = e.opt.seed ? e.opt.seed * 0x9E3779B97F4A7C15ULL
			   : (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 32);
	if (!e.rng)
		e.rng = 1;
	e.tokens = json_object();
	pthread_mutex_init(&e.lock, NULL);
	pthread_mutex_init(&e.log_lock, NULL);

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	d = MHD_start_daemon(
	    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0,
	    NULL, NULL, handle, &e, MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_URI_LOG_CALLBACK,
	    uri_logger, NULL, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "graph-emu: cannot listen on %s: %s\n", e.opt.listen,
			strerror(errno));
		return 1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(base, sizeof(base), "http://127.0.0.1:%u", info ? info->port : 0);
	{
		char ip[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &addr.sin_addr, ip, sizeof(ip));
		snprintf(base, sizeof(base), "http://%s:%u", ip, info ? info->port : 0);
	}
	pthread_mutex_lock(&e.lock);
	e.graph = load_graph(&e.opt, base);
	pthread_mutex_unlock(&e.lock);
	if (!e.graph) {
		MHD_stop_daemon(d);
		return 1;
	}
	printf("listening %s\n", base);
	fflush(stdout);

	while (sigwait(&sigs, &sig) == 0 && sig != SIGTERM && sig != SIGINT)
		;
	MHD_stop_daemon(d);
	memgraph_free(e.graph);
	json_decref(e.tokens);
	if (e.log)
		fclose(e.log);
	pthread_mutex_destroy(&e.lock);
	pthread_mutex_destroy(&e.log_lock);
	return 0;
}
