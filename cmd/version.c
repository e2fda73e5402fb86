/*
 * version: prints b2bctl's version and the versions of the libraries it runs with.
 */
#include "builtin.h"
#include "options.h"

#include <curl/curl.h>
#include <git2.h>
#include <jansson.h>
#include <yaml.h>

#ifndef B2BCTL_VERSION
#define B2BCTL_VERSION "0.0.0-dev"
#endif

int cmd_version(int argc, const char **argv)
{
	static const char *const usage[] = {"b2bctl version [--verbose]", NULL};
	int verbose = 0;
	struct option opts[] = {
		OPT_BOOL("verbose", 'v', &verbose, "also print the library versions"),
		OPT_END(),
	};
	int n = parse_options(argc, argv, opts, usage);

	if (n == -2)
		return 0;
	if (n < 0)
		return 1;
	printf("b2bctl %s\n", B2BCTL_VERSION);
	if (verbose) {
		int major, minor, rev;

		git_libgit2_version(&major, &minor, &rev);
		printf("libyaml %s\nlibcurl %s\njansson %s\nlibgit2 %d.%d.%d\n",
		       yaml_get_version_string(), curl_version_info(CURLVERSION_NOW)->version,
		       jansson_version_str(), major, minor, rev);
	}
	return 0;
}
