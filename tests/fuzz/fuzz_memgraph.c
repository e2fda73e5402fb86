/*
 * fuzz_memgraph: libFuzzer target for memgraph. The first byte picks a kind
 * of request; the rest is either the query text of a collection read
 * ($filter, $select, ...) or the JSON body of a write ($batch, invitation,
 * group, conditional-access policy). Every answer must be a status and a
 * body, never a crash, a leak or undefined behaviour.
 *
 *   cmake -S . -B build-fuzz -DB2BCTL_FUZZ=ON -DCMAKE_C_COMPILER=clang
 *   cmake --build build-fuzz --target fuzz_memgraph
 *   build-fuzz/tests/fuzz_memgraph -max_total_time=60 -max_len=400
 */
#include "reconcile/tenant/memgraph.h"
#include "schema/base/strbuf.h"

#include <stdint.h>
#include <string.h>

static const char seed[] =
    "{\"format\": \"b2bctl-snapshot/1\", \"tenantId\": \"t\", \"defaultDomain\": "
    "\"host.onmicrosoft.com\", \"users\": [{\"id\": \"u1\", \"displayName\": \"O'Brien\", "
    "\"mail\": \"a@contoso.com\", \"userType\": \"Guest\", \"otherMails\": [\"b@x.com\"], "
    "\"accountEnabled\": true}, {\"id\": \"u2\", \"displayName\": \"Bob\", \"userType\": "
    "\"Member\"}], \"groups\": [{\"id\": \"g1\", \"displayName\": \"g\", \"mailNickname\": "
    "\"g\", \"members\": [\"u1\"]}]}";

static const char *const reads[] = {
    "/v1.0/users?",
    "/v1.0/groups/g1/members?",
    "/v1.0/users/delta?",
    "/beta/",
};

static const char *const writes[] = {
    "/v1.0/$batch",
    "/v1.0/invitations",
    "/v1.0/groups",
    "/v1.0/identity/conditionalAccess/policies",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct memgraph *g;
	static unsigned runs;
	struct strbuf target = STRBUF_INIT;
	struct memgraph_request req = {0};
	struct memgraph_response res;
	unsigned pick;
	json_t *body;

	/* writes pile up in the state: start again from the seed now and then */
	if (g && ++runs % 10000 == 0) {
		memgraph_free(g);
		g = NULL;
	}
	if (!g) {
		struct memgraph_options opts = {NULL, 0, 1};

		g = memgraph_new_adopt(json_loads(seed, 0, NULL), &opts);
	}
	if (!size)
		return 0;
	pick = data[0] % 4;
	data++;
	size--;

	strbuf_addstr(&target, reads[pick]);
	strbuf_add(&target, data, strnlen((const char *)data, size));
	req.method = "GET";
	req.target = target.buf;
	req.consistency_eventual = 1;
	memgraph_handle(g, &req, &res);
	json_decref(res.body);
	strbuf_release(&target);

	body = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	req.method = "POST";
	req.target = writes[pick];
	req.body = body;
	memgraph_handle(g, &req, &res);
	json_decref(res.body);
	json_decref(body);
	return 0;
}
