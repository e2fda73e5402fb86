/*
 * graph_auth: credentials from the environment and the OAuth2 client
 * credentials flow against the Microsoft identity platform. See graph_auth.h.
 */
#include "graph_auth.h"
#include "../../schema/base/diag.h"
#include "../../schema/base/xalloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ASSERTION_BYTES (64u << 10)

static char *env_dup(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? xstrdup(v) : NULL;
}

/* scheme://host[:port] of url, for the scope. */
static char *url_origin(const char *url)
{
	CURLU *u = curl_url();
	char *origin = NULL, *scheme = NULL, *host = NULL, *port = NULL;

	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK)
			origin = xstrfmt("%s://%s:%s", scheme, host, port);
		else
			origin = xstrfmt("%s://%s", scheme, host);
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return origin ? origin : xstrdup(url);
}

static void strip_trailing_slashes(char *s)
{
	size_t len = strlen(s);

	while (len && s[len - 1] == '/')
		s[--len] = '\0';
}

int graph_auth_init(struct graph_auth *auth, const char *authority, const char *tenant_id,
		    const char *graph_url, const struct graph_transport_options *transport,
		    struct graph_redactor *redactor)
{
	char *ready = env_dup("B2BCTL_ACCESS_TOKEN");
	char *origin, *base;

	memset(auth, 0, sizeof(*auth));
	auth->transport = transport;
	auth->redactor = redactor;
	if (ready) {
		auth->method = GRAPH_AUTH_TOKEN;
		auth->token = ready;
		auth->generation = 1;
		graph_redact_add(redactor, ready);
		return 0;
	}
	auth->client_id = env_dup("AZURE_CLIENT_ID");
	auth->client_secret = env_dup("AZURE_CLIENT_SECRET");
	auth->token_file = env_dup("AZURE_FEDERATED_TOKEN_FILE");
	auth->oidc_url = env_dup("ACTIONS_ID_TOKEN_REQUEST_URL");
	auth->oidc_request_token = env_dup("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
	graph_redact_add(redactor, auth->client_secret);
	graph_redact_add(redactor, auth->oidc_request_token);

	if (auth->client_id && auth->client_secret)
		auth->method = GRAPH_AUTH_SECRET;
	else if (auth->client_id && auth->token_file)
		auth->method = GRAPH_AUTH_FEDERATED_FILE;
	else if (auth->client_id && auth->oidc_url && auth->oidc_request_token)
		auth->method = GRAPH_AUTH_GITHUB_OIDC;
	else {
		b2b_error_set(
		    "no credentials for Microsoft Graph%s: set AZURE_CLIENT_ID with "
		    "AZURE_CLIENT_SECRET, or AZURE_CLIENT_ID with "
		    "AZURE_FEDERATED_TOKEN_FILE, or AZURE_CLIENT_ID in a GitHub Actions "
		    "job with `permissions: id-token: write` (ACTIONS_ID_TOKEN_REQUEST_URL "
		    "and ACTIONS_ID_TOKEN_REQUEST_TOKEN), or a ready token in "
		    "B2BCTL_ACCESS_TOKEN",
		    auth->client_id ? " (AZURE_CLIENT_ID is set, but nothing to sign in with)"
				    : "");
		graph_auth_release(auth);
		return -1;
	}
	if (!tenant_id || !*tenant_id) {
		b2b_error_set("signing in to Microsoft Graph needs the tenant: set AZURE_TENANT_ID "
			      "or tenant.id in the configuration");
		graph_auth_release(auth);
		return -1;
	}
	base = xstrdup(authority);
	strip_trailing_slashes(base);
	auth->token_url = xstrfmt("%s/%s/oauth2/v2.0/token", base, tenant_id);
	free(base);
	origin = url_origin(graph_url);
	auth->scope = xstrfmt("%s/.default", origin);
	free(origin);
	return 0;
}

char *graph_auth_describe(const struct graph_auth *auth)
{
	switch (auth->method) {
	case GRAPH_AUTH_TOKEN:
		return xstrdup("a ready token (B2BCTL_ACCESS_TOKEN)");
	case GRAPH_AUTH_SECRET:
		return xstrfmt("client secret (AZURE_CLIENT_ID=%s)", auth->client_id);
	case GRAPH_AUTH_FEDERATED_FILE:
		return xstrfmt(
		    "federated token (AZURE_CLIENT_ID=%s, AZURE_FEDERATED_TOKEN_FILE=%s)",
		    auth->client_id, auth->token_file);
	case GRAPH_AUTH_GITHUB_OIDC:
		return xstrfmt("GitHub Actions OIDC (AZURE_CLIENT_ID=%s)", auth->client_id);
	}
	return xstrdup("unknown method");
}

/* Sets b2b_error "sign-in with METHOD failed: DETAIL", secrets redacted. */
static void sign_in_failed(const struct graph_auth *auth, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void sign_in_failed(const struct graph_auth *auth, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	char *method = graph_auth_describe(auth), *clean;
	va_list ap;

	strbuf_addf(&sb, "sign-in with %s failed: ", method);
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	clean = graph_redact(auth->redactor, sb.buf);
	b2b_error_set("%s", clean);
	free(clean);
	free(method);
	strbuf_release(&sb);
}

static struct graph_transfer *perform(const struct graph_auth *auth, const char *method,
				      const char *url, const char *body, const char *header)
{
	const char *headers[1] = {header};
	struct graph_transfer *x = graph_transfer_new(
	    auth->transport, method, url, body, body ? "application/x-www-form-urlencoded" : NULL,
	    headers, header ? 1 : 0);

	curl_easy_setopt(x->easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_NONE);
	graph_transfer_finish(x, curl_easy_perform(x->easy));
	if (auth->debug) {
		char *outcome = x->result == CURLE_OK ? xstrfmt("%ld", x->status)
						      : graph_transfer_describe_failure(x);
		char *line = xstrfmt("graph: %s %s -> %s (%lld ms, sign-in)\n", method, url,
				     outcome, x->elapsed_ms);
		char *clean = graph_redact(auth->redactor, line);

		fputs(clean, stderr);
		free(clean);
		free(line);
		free(outcome);
	}
	return x;
}

/* Collapses Entra's multi-line error_description to one line. */
static void add_one_line(struct strbuf *sb, const char *text)
{
	int space = 0;

	for (; *text; text++) {
		if (*text == '\r' || *text == '\n') {
			space = 1;
			continue;
		}
		if (space)
			strbuf_addch(sb, ' ');
		space = 0;
		strbuf_addch(sb, *text);
	}
}

static char *github_assertion(const struct graph_auth *auth)
{
	struct strbuf url = STRBUF_INIT;
	char *header = xstrfmt("Authorization: bearer %s", auth->oidc_request_token);
	struct graph_transfer *x;
	json_t *json = NULL, *value;
	char *assertion = NULL;

	strbuf_addstr(&url, auth->oidc_url);
	strbuf_addstr(&url, strchr(auth->oidc_url, '?') ? "&" : "?");
	strbuf_addstr(&url, "audience=api%3A%2F%2FAzureADTokenExchange");
	x = perform(auth, "GET", url.buf, NULL, header);
	if (x->result != CURLE_OK) {
		char *why = graph_transfer_describe_failure(x);

		sign_in_failed(auth, "requesting the GitHub ID token: %s", why);
		free(why);
	} else if (x->status != 200) {
		sign_in_failed(auth, "requesting the GitHub ID token: HTTP %ld", x->status);
	} else if (!(json = json_loadb(x->response.buf, x->response.len, 0, NULL)) ||
		   !json_is_string(value = json_object_get(json, "value"))) {
		sign_in_failed(auth, "the GitHub ID token answer has no string `value`");
	} else {
		assertion = xstrdup(json_string_value(value));
	}
	json_decref(json);
	graph_transfer_free(x);
	free(header);
	strbuf_release(&url);
	return assertion;
}

static char *file_assertion(const struct graph_auth *auth)
{
	struct strbuf sb = STRBUF_INIT;

	if (strbuf_read_file(&sb, auth->token_file, MAX_ASSERTION_BYTES) < 0) {
		sign_in_failed(auth, "cannot read %s: %s", auth->token_file, strerror(errno));
		strbuf_release(&sb);
		return NULL;
	}
	while (sb.len && (sb.buf[sb.len - 1] == '\n' || sb.buf[sb.len - 1] == '\r' ||
			  sb.buf[sb.len - 1] == ' '))
		strbuf_setlen(&sb, sb.len - 1);
	if (!sb.len) {
		sign_in_failed(auth, "%s is empty", auth->token_file);
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

static void add_form(struct strbuf *form, const char *key, const char *value)
{
	if (form->len)
		strbuf_addch(form, '&');
	strbuf_addstr(form, key);
	strbuf_addch(form, '=');
	strbuf_add_urlencoded(form, value);
}

static void describe_token_error(struct strbuf *sb, const struct graph_transfer *x)
{
	json_t *json = json_loadb(x->response.buf, x->response.len, 0, NULL);
	const char *error = json_string_value(json_object_get(json, "error"));
	const char *description = json_string_value(json_object_get(json, "error_description"));

	if (description) {
		add_one_line(sb, description);
	} else if (error) {
		strbuf_addf(sb, "HTTP %ld %s", x->status, error);
	} else {
		struct graph_error err = {0};

		graph_error_from_body(&err, x->status, x->content_type, x->response.buf,
				      x->response.len, x->request_id);
		strbuf_addstr(sb, err.message ? err.message : "no answer");
		graph_error_clear(&err);
	}
	json_decref(json);
}

int graph_token_parse(char **token, long long *expires_in_s, const char *body, size_t len)
{
	json_t *json = json_loadb(body, len, 0, NULL);
	const char *value = json_string_value(json_object_get(json, "access_token"));
	json_t *expires = json_object_get(json, "expires_in");
	long long life = 3600;

	*token = NULL;
	if (!value || !*value) {
		json_decref(json);
		return -1;
	}
	if (json_is_integer(expires))
		life = json_integer_value(expires);
	else if (json_is_string(expires))
		life = strtoll(json_string_value(expires), NULL, 10);
	if (life <= 0)
		life = 60;
	if (life > GRAPH_TOKEN_MAX_LIFE_S)
		life = GRAPH_TOKEN_MAX_LIFE_S;
	*token = xstrdup(value);
	*expires_in_s = life;
	json_decref(json);
	return 0;
}

static int sign_in(struct graph_auth *auth)
{
	struct strbuf form = STRBUF_INIT, why = STRBUF_INIT;
	struct graph_transfer *x = NULL;
	char *token;
	long long expires_in, now, life_ms;
	char *assertion = NULL;
	int ret = -1;

	add_form(&form, "client_id", auth->client_id);
	add_form(&form, "scope", auth->scope);
	add_form(&form, "grant_type", "client_credentials");
	if (auth->method == GRAPH_AUTH_SECRET) {
		add_form(&form, "client_secret", auth->client_secret);
	} else {
		assertion = auth->method == GRAPH_AUTH_FEDERATED_FILE ? file_assertion(auth)
								      : github_assertion(auth);
		if (!assertion)
			goto out;
		graph_redact_add(auth->redactor, assertion);
		add_form(&form, "client_assertion_type",
			 "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
		add_form(&form, "client_assertion", assertion);
	}

	x = perform(auth, "POST", auth->token_url, form.buf, NULL);
	if (x->result != CURLE_OK) {
		char *detail = graph_transfer_describe_failure(x);

		sign_in_failed(auth, "%s: %s", auth->token_url, detail);
		free(detail);
		goto out;
	}
	if (x->status != 200) {
		describe_token_error(&why, x);
		sign_in_failed(auth, "%s", why.buf);
		goto out;
	}
	if (graph_token_parse(&token, &expires_in, x->response.buf, x->response.len)) {
		sign_in_failed(auth, "%s answered without an access_token", auth->token_url);
		goto out;
	}
	graph_redact_add(auth->redactor, token);
	free(auth->token);
	auth->token = token;
	auth->generation++;
	now = graph_now_ms();
	life_ms = (long long)expires_in * 1000;
	auth->refresh_at_ms = now + (life_ms >= 240000 ? life_ms - 120000 : life_ms / 2);
	ret = 0;
out:
	graph_transfer_free(x);
	free(assertion);
	strbuf_release(&form);
	strbuf_release(&why);
	return ret;
}

const char *graph_auth_token(struct graph_auth *auth)
{
	if (auth->method == GRAPH_AUTH_TOKEN)
		return auth->token;
	if (auth->token && graph_now_ms() < auth->refresh_at_ms)
		return auth->token;
	if (sign_in(auth) < 0)
		return NULL;
	return auth->token;
}

int graph_auth_invalidate(struct graph_auth *auth, unsigned generation)
{
	if (auth->method == GRAPH_AUTH_TOKEN)
		return -1;
	if (generation == auth->generation)
		auth->refresh_at_ms = 0;
	return 0;
}

void graph_auth_release(struct graph_auth *auth)
{
	free(auth->client_id);
	free(auth->client_secret);
	free(auth->token_file);
	free(auth->oidc_url);
	free(auth->oidc_request_token);
	free(auth->token_url);
	free(auth->scope);
	free(auth->token);
	memset(auth, 0, sizeof(*auth));
}
