/*
 * TLS in the graph backend against `openssl s_server` on loopback with a
 * self-signed certificate: the certificate is refused by default (and not
 * retried), and accepted once SSL_CERT_FILE or CURL_CA_BUNDLE names it.
 * Skipped when the openssl command is not installed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "reconcile/tenant/tenant.h"
#include "schema/base/diag.h"
#include "schema/base/strbuf.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

struct tls_server {
	char dir[64];
	char cert[96];
	char url[64];
	pid_t pid;
};

static int free_port(void)
{
	struct sockaddr_in addr = {0};
	socklen_t len = sizeof(addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(fd, (struct sockaddr *)&addr, sizeof(addr));
	getsockname(fd, (struct sockaddr *)&addr, &len);
	close(fd);
	return ntohs(addr.sin_port);
}

static int can_connect(int port)
{
	struct sockaddr_in addr = {0};
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	addr.sin_family = AF_INET;
	addr.sin_port = htons(port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = !connect(fd, (struct sockaddr *)&addr, sizeof(addr));
	close(fd);
	return ok;
}

static int tls_setup(void **state)
{
	struct tls_server *s = calloc(1, sizeof(*s));
	struct strbuf cmd = STRBUF_INIT;
	char key[96], accept[32];
	int port, i;

	if (system("command -v openssl >/dev/null 2>&1")) {
		free(s);
		*state = NULL;
		return 0;
	}
	strcpy(s->dir, "/tmp/b2b-graph-tls-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->cert, sizeof(s->cert), "%s/cert.pem", s->dir);
	snprintf(key, sizeof(key), "%s/key.pem", s->dir);
	strbuf_addf(&cmd,
		    "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
		    "-addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout %s -out %s "
		    ">/dev/null 2>&1",
		    key, s->cert);
	assert_int_equal(system(cmd.buf), 0);
	strbuf_release(&cmd);

	port = free_port();
	snprintf(accept, sizeof(accept), "127.0.0.1:%d", port);
	snprintf(s->url, sizeof(s->url), "https://127.0.0.1:%d", port);
	s->pid = fork();
	if (!s->pid) {
		int null = open("/dev/null", 0);

		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execlp("openssl", "openssl", "s_server", "-quiet", "-accept", accept, "-cert",
		       s->cert, "-key", key, "-www", (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100 && !can_connect(port); i++)
		usleep(50 * 1000);
	*state = s;
	return 0;
}

static int tls_teardown(void **state)
{
	struct tls_server *s = *state;
	struct strbuf cmd = STRBUF_INIT;

	if (!s)
		return 0;
	kill(s->pid, SIGTERM);
	waitpid(s->pid, NULL, 0);
	strbuf_addf(&cmd, "rm -rf '%s'", s->dir);
	if (system(cmd.buf))
		print_message("could not remove %s\n", s->dir);
	strbuf_release(&cmd);
	free(s);
	return 0;
}

static void read_once(const struct tls_server *s, struct tenant_request *req, int *run_ret)
{
	struct graph_options opts = {0};
	struct tenant *t;

	setenv("B2BCTL_ACCESS_TOKEN", "tls-test-token", 1);
	opts.graph_url = s->url;
	t = tenant_graph_open(&opts);
	assert_non_null(t);
	tenant_request_init(req, "GET", NULL, 0, "read over TLS", "/v1.0/organization");
	*run_ret = tenant_run(t, req, 1);
	tenant_free(t);
}

static void test_self_signed_refused(void **state)
{
	struct tls_server *s = *state;
	struct tenant_request req;
	int ret;

	if (!s)
		skip();
	unsetenv("SSL_CERT_FILE");
	unsetenv("CURL_CA_BUNDLE");
	read_once(s, &req, &ret);
	assert_int_equal(ret, -1);
	assert_int_equal(req.status, 0);
	assert_int_equal(req.attempts, 1);
	assert_non_null(strstr(req.error.message, "certificate"));
	tenant_request_release(&req);
}

static void test_ca_from_environment(void **state)
{
	static const char *const vars[] = {"SSL_CERT_FILE", "CURL_CA_BUNDLE"};
	struct tls_server *s = *state;
	size_t i;

	if (!s)
		skip();
	for (i = 0; i < 2; i++) {
		struct tenant_request req;
		int ret;

		unsetenv("SSL_CERT_FILE");
		unsetenv("CURL_CA_BUNDLE");
		setenv(vars[i], s->cert, 1);
		read_once(s, &req, &ret);
		/* the TLS session is up; s_server -www answers with an HTML status page */
		assert_int_equal(ret, 0);
		assert_non_null(req.error.message);
		assert_non_null(strstr(req.error.message, "HTML page"));
		tenant_request_release(&req);
	}
	unsetenv("SSL_CERT_FILE");
	unsetenv("CURL_CA_BUNDLE");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_self_signed_refused),
	    cmocka_unit_test(test_ca_from_environment),
	};

	return cmocka_run_group_tests(tests, tls_setup, tls_teardown);
}
