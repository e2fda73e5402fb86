/*
 * values: the syntax of the values the configuration holds (emails,
 * domains, GUIDs, https URLs, ISO-8601 durations and dates), and the name
 * index that duplicate and reference checks use. Pure functions, no I/O.
 */
#include "checks.h"
#include "base/xalloc.h"

#include <ctype.h>
#include <curl/curl.h>
#include <limits.h>
#include <string.h>
#include <strings.h>

static void why_set(struct strbuf *why, const char *reason)
{
	if (why) {
		strbuf_reset(why);
		strbuf_addstr(why, reason);
	}
}

int check_domain(const char *s, struct strbuf *why)
{
	size_t len = strlen(s), labels = 0;
	const char *label = s;

	if (!len) {
		why_set(why, "it is empty");
		return -1;
	}
	if (len > 253) {
		why_set(why, "it is longer than 253 characters");
		return -1;
	}
	for (;;) {
		const char *end = strchr(label, '.');
		size_t n = end ? (size_t)(end - label) : strlen(label), i;

		if (!n) {
			why_set(why, "it has an empty label");
			return -1;
		}
		if (n > 63) {
			why_set(why, "a label is longer than 63 characters");
			return -1;
		}
		if (label[0] == '-' || label[n - 1] == '-') {
			why_set(why, "a label starts or ends with '-'");
			return -1;
		}
		for (i = 0; i < n; i++)
			if (!isalnum((unsigned char)label[i]) && label[i] != '-') {
				why_set(why, "only letters, digits, '-' and '.' are allowed");
				return -1;
			}
		labels++;
		if (!end)
			break;
		label = end + 1;
	}
	if (labels < 2) {
		why_set(why, "it needs at least two labels, as in contoso.com");
		return -1;
	}
	for (; *label; label++)
		if (isdigit((unsigned char)*label) == 0)
			return 0;
	why_set(why, "the top-level label is all digits");
	return -1;
}

static int is_atext(int c)
{
	return isalnum(c) || (c && strchr("!#$%&'*+/=?^_`{|}~-", c));
}

int check_email(const char *s, struct strbuf *why)
{
	const char *at = strrchr(s, '@'), *p;
	struct strbuf domain_why = STRBUF_INIT;

	if (!at) {
		why_set(why, "it has no '@'");
		return -1;
	}
	if (at == s) {
		why_set(why, "nothing before the '@'");
		return -1;
	}
	if (at - s > 64) {
		why_set(why, "the part before '@' is longer than 64 characters");
		return -1;
	}
	for (p = s; p < at; p++) {
		if (*p == '.' && (p == s || p + 1 == at || p[1] == '.')) {
			why_set(why, "misplaced '.' before the '@'");
			return -1;
		}
		if (*p != '.' && !is_atext((unsigned char)*p)) {
			if (why) {
				strbuf_reset(why);
				if ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f)
					strbuf_addf(why, "'%c' is not allowed before the '@'", *p);
				else
					strbuf_addstr(why, "only ASCII is allowed before the '@'");
			}
			return -1;
		}
	}
	if (check_domain(at + 1, &domain_why)) {
		if (why) {
			strbuf_reset(why);
			strbuf_addf(why, "its domain is invalid: %s", domain_why.buf);
		}
		strbuf_release(&domain_why);
		return -1;
	}
	strbuf_release(&domain_why);
	return 0;
}

int check_guid(const char *s)
{
	static const unsigned groups[] = {8, 4, 4, 4, 12};
	size_t g, i;

	for (g = 0; g < 5; g++) {
		for (i = 0; i < groups[g]; i++, s++)
			if (!isxdigit((unsigned char)*s))
				return -1;
		if (g < 4 && *s++ != '-')
			return -1;
	}
	return *s ? -1 : 0;
}

int check_https_url(const char *s, struct strbuf *why)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	int ret = -1;

	if (!u)
		xalloc_die("out of memory");
	if (curl_url_set(u, CURLUPART_URL, s, 0) != CURLUE_OK) {
		why_set(why, "it is not a URL");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    strcasecmp(scheme, "https")) {
		why_set(why, "it must start with https://");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !*host) {
		why_set(why, "it has no host");
		goto out;
	}
	ret = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ret;
}

/* Reads digits into *n (capped); returns the count of digits read. */
static size_t read_number(const char **s, long long *n)
{
	size_t digits = 0;

	*n = 0;
	while (isdigit((unsigned char)**s)) {
		if (*n < 1000000000LL)
			*n = *n * 10 + (**s - '0');
		(*s)++;
		digits++;
	}
	return digits;
}

int check_duration(const char *s, long long *seconds, struct strbuf *why)
{
	static const char date_units[] = "YMWD", time_units[] = "HMS";
	static const long long date_secs[] = {365 * 86400LL, 30 * 86400LL, 7 * 86400LL, 86400LL};
	static const long long time_secs[] = {3600, 60, 1};
	const char *p = s;
	const char *units = date_units;
	const long long *secs = date_secs;
	size_t next_unit = 0, parts = 0, time_parts = 0;
	int in_time = 0;
	long long total = 0;

	if (*p++ != 'P') {
		why_set(why, "a duration starts with 'P', as in P90D or PT12H");
		return -1;
	}
	while (*p) {
		long long n;
		const char *u;

		if (*p == 'T') {
			if (in_time) {
				why_set(why, "'T' appears twice");
				return -1;
			}
			in_time = 1;
			units = time_units;
			secs = time_secs;
			next_unit = 0;
			p++;
			continue;
		}
		if (!read_number(&p, &n)) {
			why_set(why, "expected a number before each unit");
			return -1;
		}
		u = *p ? strchr(units + next_unit, *p) : NULL;
		if (!u) {
			if (!in_time && *p && strchr(time_units, *p) && *p != 'M')
				why_set(why, "hours and seconds come after 'T', as in PT12H");
			else
				why_set(
				    why,
				    in_time
					? "expected H, M or S after a number (in this order)"
					: "expected Y, M, W or D after a number (in this order)");
			return -1;
		}
		next_unit = (size_t)(u - units) + 1;
		total += n * secs[u - units];
		if (total > LLONG_MAX / 1024)
			total = LLONG_MAX / 1024;
		parts++;
		if (in_time)
			time_parts++;
		p++;
	}
	if (!parts || (in_time && !time_parts)) {
		why_set(why, in_time ? "'T' must be followed by hours, minutes or seconds"
				     : "it has no length, as in P90D");
		return -1;
	}
	if (seconds)
		*seconds = total;
	return 0;
}

int check_date(const char *s, struct strbuf *why)
{
	static const int days_in[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d, i, max;

	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : !isdigit((unsigned char)s[i])) {
			why_set(why, "expected YYYY-MM-DD");
			return -1;
		}
	if (s[10]) {
		why_set(why, "expected YYYY-MM-DD");
		return -1;
	}
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (m < 1 || m > 12) {
		why_set(why, "there is no such month");
		return -1;
	}
	max = days_in[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		max = 29;
	if (d < 1 || d > max) {
		why_set(why, "there is no such day in that month");
		return -1;
	}
	return 0;
}

const struct name_index_entry *name_index_find(const struct name_index *idx, const char *name)
{
	return strmap_get(&idx->map, name);
}

const struct name_index_entry *name_index_add(struct name_index *idx, const char *name,
					      const struct src_pos *pos, const void *item)
{
	const struct name_index_entry *found = name_index_find(idx, name);
	struct name_index_entry *e;

	if (found)
		return found;
	e = xmalloc(sizeof(*e));
	e->key = xstrdup(name);
	e->pos = *pos;
	e->item = item;
	strmap_put(&idx->map, e->key, e);
	return NULL;
}

void name_index_release(struct name_index *idx)
{
	struct strmap_entry *slot;

	strmap_for_each(&idx->map, slot)
	{
		struct name_index_entry *e = slot->value;

		free(e->key);
		free(e);
	}
	strmap_release(&idx->map);
}
