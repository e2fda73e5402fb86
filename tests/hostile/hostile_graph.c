/*
 * hostile-graph: a Microsoft Graph that lies, for tests of the graph client.
 *
 *   hostile-graph --mode MODE [--listen 127.0.0.1:0]
 *
 * Prints "listening http://127.0.0.1:PORT" on stdout, then serves until
 * SIGTERM. The token endpoint (any path ending in /oauth2/v2.0/token) signs
 * anyone in; every other request, $batch included, gets the answer MODE names
 * (see `modes` below). When the server stops it prints on stderr how many
 * body bytes it sent in all ("sent N bytes"), so a test can tell that a
 * client hung up early on an endless answer.
 */
#include <microhttpd.h>

#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HUGE_BODY_BYTES (2ULL << 30)

static const char *mode;
static char base[64];
static atomic_ullong bytes_sent;
static atomic_uint pages;

struct canned {
	const char *name;
	unsigned status;
	const char *content_type;
	const char *body;
};

static const struct canned modes[] = {
    {"truncated", 200, "application/json", "{\"value\": [{\"id\": \"1\", \"displayName\": \"a"},
    {"html", 200, "text/html",
     "<!DOCTYPE html><html><head><title>Service Unavailable</title></head>"
     "<body><h1>The service is temporarily unavailable</h1></body></html>"},
    {"html-error", 403, "text/html",
     "<html><body><h1>403 Forbidden</h1><p>Request blocked by the gateway</p></body></html>"},
    {"wrong-types", 200, "application/json",
     "{\"value\": [{\"id\": 7, \"displayName\": [\"x\"], \"mail\": {\"a\": 1}, \"userType\": true,"
     " \"otherMails\": \"a@b.c\", \"members\": 3, \"identitySources\": {}}, 3, null, \"s\", []],"
     " \"@odata.nextLink\": 42, \"allowInvitesFrom\": [], \"state\": 1, \"responses\": 5}"},
    {"empty", 200, "application/json", ""},
    {"value-object", 200, "application/json", "{\"value\": {\"id\": \"x\"}}"},
    {"value-string", 200, "application/json", "{\"value\": \"none\"}"},
    {"not-json", 200, "application/json", "value=1&id=2"},
    {"batch-garbage", 200, "application/json",
     "{\"responses\": [{\"id\": 0, \"status\": \"200\", \"body\": \"x\"}, {\"id\": \"1\", "
     "\"status\": -1, \"headers\": [1]}, {\"id\": \"99999999999999999999\", \"status\": 200}, "
     "{\"id\": \"-1\"}, 7, null], \"value\": []}"},
};

static enum MHD_Result answer_canned(struct MHD_Connection *conn, const struct canned *c)
{
	struct MHD_Response *res = MHD_create_response_from_buffer(strlen(c->body), (void *)c->body,
								   MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	MHD_add_response_header(res, "Content-Type", c->content_type);
	ret = MHD_queue_response(conn, c->status, res);
	MHD_destroy_response(res);
	atomic_fetch_add(&bytes_sent, strlen(c->body));
	return ret;
}

static enum MHD_Result answer_text(struct MHD_Connection *conn, unsigned status, const char *text)
{
	struct MHD_Response *res =
	    MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	MHD_add_response_header(res, "Content-Type", "application/json");
	ret = MHD_queue_response(conn, status, res);
	MHD_destroy_response(res);
	return ret;
}

/* A 2 GiB `value` array, as fast as the client reads it. */
static ssize_t huge_chunk(void *cls, uint64_t pos, char *buf, size_t max)
{
	static const char item[] = "{\"id\":\"00000000-0000-0000-0000-000000000000\"},";
	size_t n = 0;

	(void)cls;
	if (pos >= HUGE_BODY_BYTES)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (pos == 0) {
		memcpy(buf, "{\"value\":[", 10);
		n = 10;
	}
	while (n + sizeof(item) - 1 <= max && pos + n + sizeof(item) - 1 <= HUGE_BODY_BYTES) {
		memcpy(buf + n, item, sizeof(item) - 1);
		n += sizeof(item) - 1;
	}
	if (!n) {
		memset(buf, ' ', max);
		n = max;
	}
	atomic_fetch_add(&bytes_sent, n);
	return (ssize_t)n;
}

/* A page that never ends: an item every 50 ms, for ever. */
static ssize_t drip_chunk(void *cls, uint64_t pos, char *buf, size_t max)
{
	static const char item[] = "{\"id\":\"x\"},";
	struct timespec wait = {0, 50 * 1000 * 1000};

	(void)cls;
	if (max < sizeof(item))
		return 0;
	if (pos == 0) {
		memcpy(buf, "{\"value\":[", 10);
		atomic_fetch_add(&bytes_sent, 10);
		return 10;
	}
	nanosleep(&wait, NULL);
	memcpy(buf, item, sizeof(item) - 1);
	atomic_fetch_add(&bytes_sent, sizeof(item) - 1);
	return (ssize_t)(sizeof(item) - 1);
}

static enum MHD_Result answer_stream(struct MHD_Connection *conn, uint64_t size,
				     MHD_ContentReaderCallback reader)
{
	struct MHD_Response *res =
	    MHD_create_response_from_callback(size, 64 * 1024, reader, NULL, NULL);
	enum MHD_Result ret;

	MHD_add_response_header(res, "Content-Type", "application/json");
	ret = MHD_queue_response(conn, 200, res);
	MHD_destroy_response(res);
	return ret;
}

/* Pages whose nextLink goes back and forth between two links ("loop"), or
 * on to a new one each time ("endless"), or off to another host ("foreign"). */
static enum MHD_Result answer_paging(struct MHD_Connection *conn)
{
	char body[256];
	unsigned n = atomic_fetch_add(&pages, 1) + 1;

	if (!strcmp(mode, "nextlink-loop"))
		snprintf(body, sizeof(body),
			 "{\"value\": [{\"id\": \"p%u\"}], \"@odata.nextLink\": "
			 "\"%s/v1.0/users?$skiptoken=%u\"}",
			 n, base, n % 2);
	else if (!strcmp(mode, "nextlink-foreign"))
		snprintf(body, sizeof(body),
			 "{\"value\": [], \"@odata.nextLink\": "
			 "\"https://graph.evil.example/v1.0/users?$skiptoken=1\"}");
	else
		snprintf(body, sizeof(body),
			 "{\"value\": [{\"id\": \"p%u\"}], \"@odata.nextLink\": "
			 "\"%s/v1.0/users?$skiptoken=%u\"}",
			 n, base, n);
	atomic_fetch_add(&bytes_sent, strlen(body));
	return answer_text(conn, 200, body);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	static int first_call;
	size_t i;

	(void)cls;
	(void)method;
	(void)version;
	(void)upload_data;
	if (!*con_cls) {
		*con_cls = &first_call;
		return MHD_YES;
	}
	if (*upload_data_size) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (strstr(url, "/oauth2/v2.0/token"))
		return answer_text(conn, 200,
				   "{\"token_type\":\"Bearer\",\"expires_in\":3599,"
				   "\"access_token\":\"hostile-token\"}");
	if (!strcmp(mode, "huge"))
		return answer_stream(conn, HUGE_BODY_BYTES, huge_chunk);
	if (!strcmp(mode, "drip"))
		return answer_stream(conn, MHD_SIZE_UNKNOWN, drip_chunk);
	if (!strncmp(mode, "nextlink-", 9) || !strcmp(mode, "endless"))
		return answer_paging(conn);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(mode, modes[i].name))
			return answer_canned(conn, &modes[i]);
	return answer_text(conn, 500,
			   "{\"error\": {\"code\": \"UnknownMode\", \"message\": \"?\"}}");
}

static int known_mode(const char *name)
{
	static const char *const streamed[] = {"huge", "drip", "nextlink-loop", "nextlink-foreign",
					       "endless"};
	size_t i;

	for (i = 0; i < sizeof(streamed) / sizeof(streamed[0]); i++)
		if (!strcmp(name, streamed[i]))
			return 1;
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(name, modes[i].name))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in addr = {0};
	const char *listen_at = "127.0.0.1:0";
	const union MHD_DaemonInfo *info;
	struct MHD_Daemon *daemon;
	char host[32];
	unsigned port = 0;
	sigset_t stop;
	int i, sig;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--mode"))
			mode = argv[i + 1];
		else if (!strcmp(argv[i], "--listen"))
			listen_at = argv[i + 1];
	}
	if (!mode || !known_mode(mode) || i != argc ||
	    sscanf(listen_at, "%31[^:]:%u", host, &port) != 2 ||
	    inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
		fprintf(stderr, "usage: hostile-graph --mode MODE [--listen 127.0.0.1:0]\n");
		return 2;
	}
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);

	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	daemon = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD,
				  0, NULL, NULL, handle, NULL, MHD_OPTION_SOCK_ADDR, &addr,
				  MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
	if (!daemon) {
		fprintf(stderr, "hostile-graph: cannot listen on %s\n", listen_at);
		return 1;
	}
	info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
	snprintf(base, sizeof(base), "http://127.0.0.1:%u", (unsigned)info->port);
	printf("listening %s\n", base);
	fflush(stdout);

	sigwait(&stop, &sig);
	MHD_stop_daemon(daemon);
	fprintf(stderr, "sent %llu bytes\n", (unsigned long long)atomic_load(&bytes_sent));
	return 0;
}
