/*
 * fuzz_graph_token: libFuzzer target for the OAuth2 token answer
 * (graph_token_parse). Any bytes must end in a token with a lifetime that
 * cannot overflow the refresh arithmetic, or -1; never a crash or a leak.
 *
 *   cmake -S . -B build-fuzz -DB2BCTL_FUZZ=ON -DCMAKE_C_COMPILER=clang
 *   cmake --build build-fuzz --target fuzz_graph_token
 *   build-fuzz/tests/fuzz_graph_token -max_total_time=60 build-fuzz/seeds/token
 */
#include "reconcile/tenant/graph_auth.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long long life = -1;
	char *token;

	if (graph_token_parse(&token, &life, (const char *)data, size))
		return 0;
	if (!token || !*token || life <= 0 || life > GRAPH_TOKEN_MAX_LIFE_S)
		abort();
	free(token);
	return 0;
}
