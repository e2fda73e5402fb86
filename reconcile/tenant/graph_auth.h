/*
 * graph_auth: who the graph backend signs in as, and the access token.
 *
 * Credentials come from the environment, first match wins:
 *   B2BCTL_ACCESS_TOKEN                       a ready token (never refreshed);
 *   AZURE_CLIENT_ID + AZURE_CLIENT_SECRET     client credentials;
 *   AZURE_CLIENT_ID + AZURE_FEDERATED_TOKEN_FILE
 *                                             a client assertion, the file re-read
 *                                             at each sign-in (it rotates);
 *   AZURE_CLIENT_ID + ACTIONS_ID_TOKEN_REQUEST_URL + ACTIONS_ID_TOKEN_REQUEST_TOKEN
 *                                             GitHub Actions OIDC as the assertion.
 * The token is kept in memory and fetched again before it expires (2 minutes
 * early, or at half its life when it lives less than 4 minutes) or when Graph
 * answered 401 to it. Every secret seen is registered with the redactor.
 */
#ifndef B2B_GRAPH_AUTH_H
#define B2B_GRAPH_AUTH_H

#include "graph_http.h"
#include "graph_redact.h"

enum graph_auth_method {
	GRAPH_AUTH_TOKEN,
	GRAPH_AUTH_SECRET,
	GRAPH_AUTH_FEDERATED_FILE,
	GRAPH_AUTH_GITHUB_OIDC,
};

struct graph_auth {
	enum graph_auth_method method;
	char *client_id;
	char *client_secret;
	char *token_file;
	char *oidc_url;
	char *oidc_request_token;
	char *token_url; /* {authority}/{tenant}/oauth2/v2.0/token */
	char *scope;     /* {graph host}/.default */

	char *token;
	long long refresh_at_ms; /* 0: never (a ready token) */
	unsigned generation;     /* bumped at each new token */
	const struct graph_transport_options *transport;
	struct graph_redactor *redactor;
	int debug; /* trace sign-in requests on stderr */
};

/* A token answer lives at most this long, so a hostile expires_in cannot overflow. */
#define GRAPH_TOKEN_MAX_LIFE_S (24LL * 3600)

/* Reads an OAuth2 token answer: a copy of access_token in *token and its
 * lifetime in seconds (expires_in as a number or a string; 3600 when absent,
 * 60 when not positive, capped at GRAPH_TOKEN_MAX_LIFE_S). -1 when the body is
 * not JSON or has no non-empty access_token. */
int graph_token_parse(char **token, long long *expires_in_s, const char *body, size_t len);

/* Reads the environment. -1 with b2b_error_set when no credentials are set
 * or a sign-in method lacks its tenant. */
int graph_auth_init(struct graph_auth *auth, const char *authority, const char *tenant_id,
		    const char *graph_url, const struct graph_transport_options *transport,
		    struct graph_redactor *redactor);
/* The current token, signing in when there is none or it is due for refresh;
 * NULL with b2b_error_set when sign-in failed. */
const char *graph_auth_token(struct graph_auth *auth);
/* Graph refused the token of `generation`: drop it so the next call signs in
 * again. 0 when a new token can be had, -1 for a ready token (nothing to renew). */
int graph_auth_invalidate(struct graph_auth *auth, unsigned generation);
/* "client secret (AZURE_CLIENT_ID=...)", for messages. */
char *graph_auth_describe(const struct graph_auth *auth);
void graph_auth_release(struct graph_auth *auth);

#endif
