/*
 * graph_http: URL checks, Graph error bodies, Retry-After, backoff, and the
 * libcurl easy handle of one exchange. See graph_http.h.
 */
#include "graph_http.h"
#include "../../schema/base/diag.h"
#include "../../schema/base/xalloc.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>

long long graph_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *url_part(CURLU *u, CURLUPart part, unsigned flags)
{
	char *value = NULL;

	if (curl_url_get(u, part, &value, flags) != CURLUE_OK)
		return NULL;
	return value;
}

static int host_is_loopback(const char *host)
{
	struct in_addr v4;
	struct in6_addr v6;
	char bare[64];
	size_t len = strlen(host);

	if (!strcasecmp(host, "localhost"))
		return 1;
	if (inet_pton(AF_INET, host, &v4) == 1)
		return (ntohl(v4.s_addr) >> 24) == 127;
	if (len > 2 && len < sizeof(bare) && host[0] == '[' && host[len - 1] == ']') {
		memcpy(bare, host + 1, len - 2);
		bare[len - 2] = '\0';
		if (inet_pton(AF_INET6, bare, &v6) == 1)
			return IN6_IS_ADDR_LOOPBACK(&v6);
	}
	return 0;
}

int graph_url_check(const char *url, const char *what)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	int ret = -1;

	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
		b2b_error_set("%s '%s' is not a URL", what, url);
		goto out;
	}
	scheme = url_part(u, CURLUPART_SCHEME, 0);
	host = url_part(u, CURLUPART_HOST, 0);
	if (!scheme || !host) {
		b2b_error_set("%s '%s' is not a URL", what, url);
	} else if (!strcasecmp(scheme, "https")) {
		ret = 0;
	} else if (!strcasecmp(scheme, "http")) {
		if (host_is_loopback(host))
			ret = 0;
		else
			b2b_error_set(
			    "%s '%s': plain http:// is refused except to a loopback address "
			    "(127.0.0.0/8, ::1, localhost); use https://",
			    what, url);
	} else {
		b2b_error_set("%s '%s': only https:// URLs are supported", what, url);
	}
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ret;
}

int graph_url_same_origin(const char *base, const char *link)
{
	CURLU *a = curl_url(), *b = curl_url();
	char *part_a[3] = {NULL}, *part_b[3] = {NULL};
	static const CURLUPart parts[3] = {CURLUPART_SCHEME, CURLUPART_HOST, CURLUPART_PORT};
	int same = 0, i;

	if (curl_url_set(a, CURLUPART_URL, base, 0) != CURLUE_OK ||
	    curl_url_set(b, CURLUPART_URL, link, 0) != CURLUE_OK)
		goto out;
	same = 1;
	for (i = 0; i < 3; i++) {
		part_a[i] = url_part(a, parts[i], CURLU_DEFAULT_PORT);
		part_b[i] = url_part(b, parts[i], CURLU_DEFAULT_PORT);
		if (!part_a[i] || !part_b[i] || strcasecmp(part_a[i], part_b[i]))
			same = 0;
	}
out:
	for (i = 0; i < 3; i++) {
		curl_free(part_a[i]);
		curl_free(part_b[i]);
	}
	curl_url_cleanup(a);
	curl_url_cleanup(b);
	return same;
}

void graph_url_add_path(struct strbuf *sb, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *path; path++) {
		unsigned char c = (unsigned char)*path;

		if (c <= ' ' || c >= 0x7f || c == '"' || c == '#') {
			strbuf_addch(sb, '%');
			strbuf_addch(sb, hex[c >> 4]);
			strbuf_addch(sb, hex[c & 15]);
		} else {
			strbuf_addch(sb, c);
		}
	}
}

long graph_retry_after_ms(const char *value, time_t now)
{
	const long max_s = 24L * 3600;
	long long seconds = 0;
	const char *p;
	time_t when;

	if (!value)
		return -1;
	while (isspace((unsigned char)*value))
		value++;
	if (!*value)
		return -1;
	for (p = value; isdigit((unsigned char)*p); p++)
		if (seconds <= max_s)
			seconds = seconds * 10 + (*p - '0');
	while (isspace((unsigned char)*p))
		p++;
	if (p == value || *p) {
		when = curl_getdate(value, NULL);
		if (when == (time_t)-1)
			return -1;
		seconds = when > now ? (long long)(when - now) : 0;
	}
	return (seconds < max_s ? seconds : max_s) * 1000;
}

long graph_backoff_ms(unsigned attempt, uint64_t random)
{
	const long base_ms = 500, cap_ms = 30000;
	long ceiling = cap_ms;

	if (attempt < 6)
		ceiling = base_ms << attempt;
	if (ceiling > cap_ms)
		ceiling = cap_ms;
	return (long)(random % (uint64_t)(ceiling + 1));
}

void graph_error_clear(struct graph_error *err)
{
	free(err->code);
	free(err->message);
	free(err->request_id);
	free(err->date);
	memset(err, 0, sizeof(*err));
}

static void replace_str(char **slot, const char *value)
{
	free(*slot);
	*slot = value ? xstrdup(value) : NULL;
}

void graph_error_set(struct graph_error *err, const char *code, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	replace_str(&err->code, code);
	free(err->message);
	err->message = strbuf_detach(&sb, NULL);
}

static const json_t *object_get_nocase(const json_t *obj, const char *key)
{
	const char *k;
	json_t *v;

	if (!json_is_object(obj))
		return NULL;
	json_object_foreach((json_t *)obj, k, v) if (!strcasecmp(k, key)) return v;
	return NULL;
}

static const char *string_member(const json_t *obj, const char *key)
{
	const json_t *v = object_get_nocase(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

int graph_error_from_json(struct graph_error *err, const json_t *body)
{
	const json_t *error = object_get_nocase(body, "error");
	const json_t *inner;
	const char *code, *message;
	int depth;

	if (!json_is_object(error))
		return -1;
	code = string_member(error, "code");
	message = string_member(error, "message");
	if (!code && !message)
		return -1;
	replace_str(&err->code, code);
	replace_str(&err->message, message);
	inner = object_get_nocase(error, "innerError");
	for (depth = 0; json_is_object(inner) && depth < 8; depth++) {
		const char *rid = string_member(inner, "request-id");
		const char *date = string_member(inner, "date");

		if (!rid)
			rid = string_member(inner, "requestId");
		if (rid && !err->request_id)
			err->request_id = xstrdup(rid);
		if (date && !err->date)
			err->date = xstrdup(date);
		inner = object_get_nocase(inner, "innerError");
	}
	return 0;
}

/* Up to 160 printable characters of text, for a message. */
static void add_excerpt(struct strbuf *sb, const char *text, size_t len)
{
	size_t i, n = len < 160 ? len : 160;
	int space = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c < ' ' || c == 0x7f) {
			space = 1;
			continue;
		}
		if (space && sb->len)
			strbuf_addch(sb, ' ');
		space = 0;
		strbuf_addch(sb, c);
	}
	if (n < len)
		strbuf_addstr(sb, "...");
}

static const char *find_bytes(const char *hay, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= len; i++)
		if (!strncasecmp(hay + i, needle, n))
			return hay + i;
	return NULL;
}

static int looks_like_html(const char *content_type, const char *body, size_t len)
{
	size_t i = 0;

	if (content_type && strstr(content_type, "html"))
		return 1;
	while (i < len && isspace((unsigned char)body[i]))
		i++;
	return i < len && body[i] == '<';
}

static void describe_unusable(struct strbuf *sb, long status, const char *content_type,
			      const char *body, size_t len, const json_error_t *jerr)
{
	strbuf_addf(sb, "HTTP %ld: ", status);
	if (!len) {
		strbuf_addstr(sb, "empty answer where JSON was expected");
	} else if (looks_like_html(content_type, body, len)) {
		const char *title = find_bytes(body, len, "<title>");
		const char *end =
		    title ? find_bytes(title, len - (title - body), "</title>") : NULL;

		strbuf_addstr(sb, "an HTML page instead of JSON");
		if (title && end) {
			strbuf_addstr(sb, " (");
			add_excerpt(sb, title + 7, end - title - 7);
			strbuf_addch(sb, ')');
		}
	} else if (jerr) {
		strbuf_addf(sb, "invalid or truncated JSON at byte %d: %s", jerr->position,
			    jerr->text);
	} else {
		strbuf_addf(sb,
			    "unexpected answer (%s): ", content_type ? content_type : "no type");
		add_excerpt(sb, body, len);
	}
}

void graph_error_from_body(struct graph_error *err, long status, const char *content_type,
			   const char *body, size_t len, const char *header_request_id)
{
	json_error_t jerr;
	json_t *json = len ? json_loadb(body, len, 0, &jerr) : NULL;

	if (!json || graph_error_from_json(err, json)) {
		struct strbuf sb = STRBUF_INIT;

		if (json) {
			strbuf_addf(&sb, "HTTP %ld: JSON without Graph's error object: ", status);
			add_excerpt(&sb, body, len);
		} else {
			describe_unusable(&sb, status, content_type, body, len,
					  len && !looks_like_html(content_type, body, len) ? &jerr
											   : NULL);
		}
		free(err->message);
		err->message = strbuf_detach(&sb, NULL);
	}
	if (!err->request_id && header_request_id && *header_request_id)
		err->request_id = xstrdup(header_request_id);
	json_decref(json);
}

json_t *graph_json_from_body(struct graph_error *err, long status, const char *content_type,
			     const char *body, size_t len)
{
	json_error_t jerr;
	json_t *json = len ? json_loadb(body, len, JSON_DECODE_ANY, &jerr) : NULL;
	struct strbuf sb = STRBUF_INIT;

	if (json)
		return json;
	describe_unusable(&sb, status, content_type, body, len,
			  len && !looks_like_html(content_type, body, len) ? &jerr : NULL);
	replace_str(&err->code, "InvalidResponse");
	free(err->message);
	err->message = strbuf_detach(&sb, NULL);
	return NULL;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct graph_transfer *x = ctx;
	size_t n = size * nmemb;

	if (x->response.len + n > GRAPH_MAX_BODY_BYTES) {
		x->too_large = 1;
		return 0;
	}
	strbuf_add(&x->response, data, n);
	return n;
}

static char *header_value(const char *line, size_t len, const char *name)
{
	size_t nlen = strlen(name), end;
	const char *v;

	if (len <= nlen || line[nlen] != ':' || strncasecmp(line, name, nlen))
		return NULL;
	v = line + nlen + 1;
	end = len - nlen - 1;
	while (end && (*v == ' ' || *v == '\t')) {
		v++;
		end--;
	}
	while (end && isspace((unsigned char)v[end - 1]))
		end--;
	return xstrndup(v, end);
}

static void capture_header(char **slot, const char *line, size_t len, const char *name)
{
	char *value = header_value(line, len, name);

	if (value) {
		free(*slot);
		*slot = value;
	}
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *ctx)
{
	struct graph_transfer *x = ctx;
	size_t n = size * nmemb;

	if (n >= 5 && !strncmp(line, "HTTP/", 5)) {
		free(x->content_type);
		free(x->request_id);
		free(x->retry_after);
		x->content_type = x->request_id = x->retry_after = NULL;
		return n;
	}
	capture_header(&x->content_type, line, n, "content-type");
	capture_header(&x->request_id, line, n, "request-id");
	capture_header(&x->retry_after, line, n, "retry-after");
	return n;
}

struct graph_transfer *graph_transfer_new(const struct graph_transport_options *opts,
					  const char *method, const char *url, const char *body,
					  const char *content_type,
					  const char *const *extra_headers, size_t nr_headers)
{
	struct graph_transfer *x = xcalloc(1, sizeof(*x));
	size_t i;

	strbuf_init(&x->request_body, 0);
	strbuf_init(&x->response, 0);
	x->url = xstrdup(url);
	x->method = xstrdup(method);
	x->easy = curl_easy_init();
	if (!x->easy)
		xalloc_die("curl_easy_init");
	if (body)
		strbuf_addstr(&x->request_body, body);
	for (i = 0; i < nr_headers; i++)
		x->headers = curl_slist_append(x->headers, extra_headers[i]);
	if (body && content_type) {
		char *h = xstrfmt("Content-Type: %s", content_type);

		x->headers = curl_slist_append(x->headers, h);
		free(h);
	}
	x->headers = curl_slist_append(x->headers, "Expect:");

	curl_easy_setopt(x->easy, CURLOPT_URL, x->url);
	curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(x->easy, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(x->easy, CURLOPT_USERAGENT, "b2bctl/" B2BCTL_VERSION);
	curl_easy_setopt(x->easy, CURLOPT_CONNECTTIMEOUT_MS, opts->connect_timeout_ms);
	curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, opts->request_timeout_ms);
	if (opts->ca_file)
		curl_easy_setopt(x->easy, CURLOPT_CAINFO, opts->ca_file);
	if (opts->ca_dir)
		curl_easy_setopt(x->easy, CURLOPT_CAPATH, opts->ca_dir);
	curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(x->easy, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
	if (!strcmp(method, "GET")) {
		curl_easy_setopt(x->easy, CURLOPT_HTTPGET, 1L);
	} else {
		if (strcmp(method, "POST"))
			curl_easy_setopt(x->easy, CURLOPT_CUSTOMREQUEST, x->method);
		if (body || !strcmp(method, "POST")) {
			curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE_LARGE,
					 (curl_off_t)x->request_body.len);
			curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, x->request_body.buf);
		}
	}
	x->started_ms = graph_now_ms();
	return x;
}

void graph_transfer_finish(struct graph_transfer *x, CURLcode result)
{
	x->result = result;
	x->elapsed_ms = graph_now_ms() - x->started_ms;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->status);
	if (result != CURLE_OK)
		x->status = 0;
}

int graph_transfer_not_sent(const struct graph_transfer *x)
{
	long request_size = 0;

	switch (x->result) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
		return 1;
	default:
		break;
	}
	curl_easy_getinfo(x->easy, CURLINFO_REQUEST_SIZE, &request_size);
	return request_size == 0;
}

int graph_transfer_permanent(const struct graph_transfer *x)
{
	switch (x->result) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return 1;
	default:
		return x->too_large;
	}
}

char *graph_transfer_describe_failure(const struct graph_transfer *x)
{
	if (x->too_large)
		return xstrfmt("answer larger than %u MiB refused", GRAPH_MAX_BODY_BYTES >> 20);
	if (x->errbuf[0])
		return xstrfmt("%s: %s", curl_easy_strerror(x->result), x->errbuf);
	return xstrdup(curl_easy_strerror(x->result));
}

void graph_transfer_free(struct graph_transfer *x)
{
	if (!x)
		return;
	curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	free(x->url);
	free(x->method);
	strbuf_release(&x->request_body);
	strbuf_release(&x->response);
	free(x->content_type);
	free(x->request_id);
	free(x->retry_after);
	free(x);
}
