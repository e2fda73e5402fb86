/*
 * memgraph_filter: the OData $filter subset Graph's directory answers, parsed
 * into a tree and evaluated against JSON objects.
 *
 *   expr    := and ("or" and)*
 *   and     := unary ("and" unary)*
 *   unary   := "not" unary | "(" expr ")" | func "(" prop "," literal ")"
 *            | prop "/any(" var ":" var "eq" literal ")"
 *            | prop ("eq"|"ne"|"gt"|"ge"|"lt"|"le") literal | prop "in" "(" literal, ... ")"
 *   literal := 'string' ('' for a quote) | true | false | null | number
 *
 * Properties may be paths ("accessPackage/id"). String comparisons ignore
 * case, as the directory's do. The text arrives already URL-decoded.
 */
#include "memgraph_int.h"
#include "../../schema/base/xalloc.h"

#include <ctype.h>
#include <math.h>
#include <string.h>
#include <strings.h>

enum flt_op {
	FLT_OR,
	FLT_AND,
	FLT_NOT,
	FLT_EQ,
	FLT_NE,
	FLT_GT,
	FLT_GE,
	FLT_LT,
	FLT_LE,
	FLT_IN,
	FLT_STARTSWITH,
	FLT_ENDSWITH,
	FLT_ANY_EQ,
};

struct flt_node {
	enum flt_op op;
	struct flt_node *left, *right;
	char *prop;
	json_t *values; /* literals */
};

enum tok_kind {
	TOK_END,
	TOK_IDENT,
	TOK_STRING,
	TOK_NUMBER,
	TOK_LPAREN,
	TOK_RPAREN,
	TOK_COMMA,
	TOK_COLON,
};

struct lexer {
	const char *s;
	enum tok_kind kind;
	struct strbuf text;
	struct strbuf *err;
};

static int lex_next(struct lexer *lx)
{
	const char *s = lx->s;

	strbuf_reset(&lx->text);
	while (isspace((unsigned char)*s))
		s++;
	if (!*s) {
		lx->kind = TOK_END;
	} else if (*s == '(' || *s == ')' || *s == ',' || *s == ':') {
		lx->kind = *s == '('   ? TOK_LPAREN
			   : *s == ')' ? TOK_RPAREN
			   : *s == ',' ? TOK_COMMA
				       : TOK_COLON;
		s++;
	} else if (*s == '\'') {
		lx->kind = TOK_STRING;
		for (s++;; s++) {
			if (!*s) {
				strbuf_addstr(lx->err, "unterminated string literal");
				return -1;
			}
			if (*s == '\'') {
				if (s[1] != '\'')
					break;
				s++;
			}
			strbuf_addch(&lx->text, *s);
		}
		s++;
	} else if (isdigit((unsigned char)*s) || (*s == '-' && isdigit((unsigned char)s[1]))) {
		lx->kind = TOK_NUMBER;
		do
			strbuf_addch(&lx->text, *s++);
		while (isalnum((unsigned char)*s) || *s == '.' || *s == '-');
	} else if (isalpha((unsigned char)*s) || *s == '_' || *s == '@' || *s == '$') {
		lx->kind = TOK_IDENT;
		while (isalnum((unsigned char)*s) || (*s && strchr("_@$./", *s)))
			strbuf_addch(&lx->text, *s++);
	} else {
		strbuf_addf(lx->err, "unexpected character '%c'", *s);
		return -1;
	}
	lx->s = s;
	return 0;
}

static struct flt_node *node_new(enum flt_op op)
{
	struct flt_node *n = xcalloc(1, sizeof(*n));

	n->op = op;
	return n;
}

void flt_free(struct flt_node *n)
{
	if (!n)
		return;
	flt_free(n->left);
	flt_free(n->right);
	free(n->prop);
	json_decref(n->values);
	free(n);
}

static int is_word(const struct lexer *lx, const char *word)
{
	return lx->kind == TOK_IDENT && !strcasecmp(lx->text.buf, word);
}

static json_t *parse_literal(struct lexer *lx)
{
	json_t *v = NULL;

	if (lx->kind == TOK_STRING) {
		v = json_stringn(lx->text.buf, lx->text.len);
	} else if (lx->kind == TOK_NUMBER) {
		char *end;
		double d = strtod(lx->text.buf, &end);

		if (*end) {
			v = json_string(lx->text.buf); /* a GUID written bare */
		} else if (!isfinite(d)) {
			strbuf_addf(lx->err, "number out of range: %s", lx->text.buf);
			return NULL;
		} else if (d >= -9e15 && d <= 9e15 && d == (double)(json_int_t)d) {
			v = json_integer((json_int_t)d);
		} else {
			v = json_real(d);
		}
	} else if (is_word(lx, "true") || is_word(lx, "false")) {
		v = json_boolean(is_word(lx, "true"));
	} else if (is_word(lx, "null")) {
		v = json_null();
	} else {
		strbuf_addstr(lx->err, "a literal was expected");
		return NULL;
	}
	if (!v)
		strbuf_addstr(lx->err, "string literal is not valid UTF-8");
	else if (lex_next(lx)) {
		json_decref(v);
		return NULL;
	}
	return v;
}

static int expect(struct lexer *lx, enum tok_kind kind, const char *what)
{
	if (lx->kind != kind) {
		strbuf_addf(lx->err, "%s was expected", what);
		return -1;
	}
	return lex_next(lx);
}

static struct flt_node *parse_or(struct lexer *lx);

static struct flt_node *parse_function(struct lexer *lx, enum flt_op op)
{
	struct flt_node *n = node_new(op);
	json_t *lit;

	if (lex_next(lx) || expect(lx, TOK_LPAREN, "'('"))
		goto fail;
	if (lx->kind != TOK_IDENT) {
		strbuf_addstr(lx->err, "a property name was expected");
		goto fail;
	}
	n->prop = xstrdup(lx->text.buf);
	if (lex_next(lx) || expect(lx, TOK_COMMA, "','"))
		goto fail;
	lit = parse_literal(lx);
	if (!lit)
		goto fail;
	n->values = json_array();
	json_array_append_new(n->values, lit);
	if (!json_is_string(lit)) {
		strbuf_addstr(lx->err, "startswith/endswith take a string");
		goto fail;
	}
	if (expect(lx, TOK_RPAREN, "')'"))
		goto fail;
	return n;
fail:
	flt_free(n);
	return NULL;
}

/* prop/any(x:x eq 'v') */
static struct flt_node *parse_any(struct lexer *lx, const char *prop)
{
	struct flt_node *n = node_new(FLT_ANY_EQ);
	json_t *lit;
	char *var = NULL;

	n->prop = xstrndup(prop, strlen(prop) - 4);
	if (expect(lx, TOK_LPAREN, "'('"))
		goto fail;
	if (lx->kind != TOK_IDENT) {
		strbuf_addstr(lx->err, "a lambda variable was expected");
		goto fail;
	}
	var = xstrdup(lx->text.buf);
	if (lex_next(lx) || expect(lx, TOK_COLON, "':'"))
		goto fail;
	if (lx->kind != TOK_IDENT || strcmp(lx->text.buf, var)) {
		strbuf_addstr(lx->err, "the lambda variable was expected");
		goto fail;
	}
	if (lex_next(lx))
		goto fail;
	if (!is_word(lx, "eq")) {
		strbuf_addstr(lx->err, "only 'eq' is supported inside any()");
		goto fail;
	}
	if (lex_next(lx))
		goto fail;
	lit = parse_literal(lx);
	if (!lit)
		goto fail;
	n->values = json_array();
	json_array_append_new(n->values, lit);
	if (expect(lx, TOK_RPAREN, "')'"))
		goto fail;
	free(var);
	return n;
fail:
	free(var);
	flt_free(n);
	return NULL;
}

static const struct {
	const char *word;
	enum flt_op op;
} comparisons[] = {
    {"eq", FLT_EQ}, {"ne", FLT_NE}, {"gt", FLT_GT}, {"ge", FLT_GE}, {"lt", FLT_LT}, {"le", FLT_LE},
};

static struct flt_node *parse_comparison(struct lexer *lx)
{
	struct flt_node *n;
	char *prop = xstrdup(lx->text.buf);
	size_t len = strlen(prop), i;

	if (lex_next(lx))
		goto fail_prop;
	if (len > 4 && !strcasecmp(prop + len - 4, "/any")) {
		n = parse_any(lx, prop);
		free(prop);
		return n;
	}
	if (is_word(lx, "in")) {
		n = node_new(FLT_IN);
		n->prop = prop;
		n->values = json_array();
		if (lex_next(lx) || expect(lx, TOK_LPAREN, "'(' after in"))
			goto fail;
		for (;;) {
			json_t *lit = parse_literal(lx);

			if (!lit)
				goto fail;
			json_array_append_new(n->values, lit);
			if (lx->kind == TOK_RPAREN)
				break;
			if (expect(lx, TOK_COMMA, "',' or ')'"))
				goto fail;
		}
		if (lex_next(lx))
			goto fail;
		return n;
	}
	for (i = 0; i < ARRAY_SIZE(comparisons); i++) {
		if (is_word(lx, comparisons[i].word)) {
			json_t *lit;

			n = node_new(comparisons[i].op);
			n->prop = prop;
			if (lex_next(lx))
				goto fail;
			lit = parse_literal(lx);
			if (!lit)
				goto fail;
			n->values = json_array();
			json_array_append_new(n->values, lit);
			return n;
		}
	}
	strbuf_addf(lx->err, "an operator was expected after '%s'", prop);
fail_prop:
	free(prop);
	return NULL;
fail:
	flt_free(n);
	return NULL;
}

static struct flt_node *parse_unary(struct lexer *lx)
{
	struct flt_node *n;

	if (is_word(lx, "not")) {
		n = node_new(FLT_NOT);
		if (lex_next(lx) || !(n->left = parse_unary(lx))) {
			flt_free(n);
			return NULL;
		}
		return n;
	}
	if (lx->kind == TOK_LPAREN) {
		if (lex_next(lx))
			return NULL;
		n = parse_or(lx);
		if (!n)
			return NULL;
		if (expect(lx, TOK_RPAREN, "')'")) {
			flt_free(n);
			return NULL;
		}
		return n;
	}
	if (is_word(lx, "startswith"))
		return parse_function(lx, FLT_STARTSWITH);
	if (is_word(lx, "endswith"))
		return parse_function(lx, FLT_ENDSWITH);
	if (lx->kind == TOK_IDENT)
		return parse_comparison(lx);
	strbuf_addstr(lx->err, "a property, '(' or 'not' was expected");
	return NULL;
}

static struct flt_node *parse_binary(struct lexer *lx, int want_or)
{
	struct flt_node *left = want_or ? parse_binary(lx, 0) : parse_unary(lx);

	while (left && is_word(lx, want_or ? "or" : "and")) {
		struct flt_node *n = node_new(want_or ? FLT_OR : FLT_AND);

		n->left = left;
		if (lex_next(lx) || !(n->right = want_or ? parse_binary(lx, 0) : parse_unary(lx))) {
			flt_free(n);
			return NULL;
		}
		left = n;
	}
	return left;
}

static struct flt_node *parse_or(struct lexer *lx)
{
	return parse_binary(lx, 1);
}

int flt_parse(struct flt_node **out, const char *text, struct strbuf *err)
{
	struct lexer lx = {text, TOK_END, STRBUF_INIT, err};
	struct flt_node *n = NULL;

	*out = NULL;
	if (!lex_next(&lx))
		n = parse_or(&lx);
	if (n && lx.kind != TOK_END) {
		strbuf_addf(err, "unexpected '%s' after the expression",
			    lx.text.len ? lx.text.buf : "token");
		flt_free(n);
		n = NULL;
	}
	strbuf_release(&lx.text);
	if (!n) {
		if (!err->len)
			strbuf_addstr(err, "syntax error");
		return -1;
	}
	*out = n;
	return 0;
}

static const json_t *lookup_path(const json_t *obj, const char *path)
{
	const char *slash;

	while ((slash = strchr(path, '/'))) {
		char *head = xstrndup(path, (size_t)(slash - path));

		obj = json_object_get(obj, head);
		free(head);
		path = slash + 1;
	}
	return json_object_get(obj, path);
}

static int compare_values(const json_t *a, const json_t *b, int *cmp)
{
	if (json_is_string(a) && json_is_string(b)) {
		*cmp = strcasecmp(json_string_value(a), json_string_value(b));
		return 0;
	}
	if (json_is_number(a) && json_is_number(b)) {
		double x = json_number_value(a), y = json_number_value(b);

		*cmp = x < y ? -1 : x > y;
		return 0;
	}
	if ((!a || json_is_null(a)) && json_is_null(b)) {
		*cmp = 0;
		return 0;
	}
	if (a && json_is_boolean(a) && json_is_boolean(b)) {
		*cmp = json_is_true(a) - json_is_true(b);
		return 0;
	}
	return -1;
}

static int values_equal(const json_t *a, const json_t *b)
{
	int cmp;

	return !compare_values(a, b, &cmp) && !cmp;
}

static int affix_match(const json_t *v, const char *affix, int at_end)
{
	const char *s = json_string_value(v);
	size_t n, m;

	if (!s)
		return 0;
	n = strlen(s);
	m = strlen(affix);
	if (m > n)
		return 0;
	return !strncasecmp(at_end ? s + n - m : s, affix, m);
}

int flt_match(const struct flt_node *n, const json_t *obj)
{
	const json_t *v, *lit;
	size_t i;
	int cmp;

	switch (n->op) {
	case FLT_OR:
		return flt_match(n->left, obj) || flt_match(n->right, obj);
	case FLT_AND:
		return flt_match(n->left, obj) && flt_match(n->right, obj);
	case FLT_NOT:
		return !flt_match(n->left, obj);
	default:
		break;
	}
	v = lookup_path(obj, n->prop);
	lit = json_array_get(n->values, 0);
	switch (n->op) {
	case FLT_EQ:
		return values_equal(v, lit);
	case FLT_NE:
		return !values_equal(v, lit);
	case FLT_GT:
	case FLT_GE:
	case FLT_LT:
	case FLT_LE:
		if (compare_values(v, lit, &cmp))
			return 0;
		return n->op == FLT_GT   ? cmp > 0
		       : n->op == FLT_GE ? cmp >= 0
		       : n->op == FLT_LT ? cmp < 0
					 : cmp <= 0;
	case FLT_IN:
		json_array_foreach(n->values, i, lit)
		{
			if (values_equal(v, lit))
				return 1;
		}
		return 0;
	case FLT_STARTSWITH:
		return affix_match(v, json_string_value(lit), 0);
	case FLT_ENDSWITH:
		return affix_match(v, json_string_value(lit), 1);
	case FLT_ANY_EQ: {
		const json_t *item;

		json_array_foreach(v, i, item)
		{
			if (values_equal(item, lit))
				return 1;
		}
		return 0;
	}
	default:
		return 0;
	}
}

const json_t *flt_in_strings(const struct flt_node *n, const char *prop)
{
	const json_t *lit;
	size_t i;

	if (!n || n->op != FLT_IN || strcmp(n->prop, prop))
		return NULL;
	json_array_foreach(n->values, i, lit)
	{
		if (!json_is_string(lit))
			return NULL;
	}
	return n->values;
}

int flt_reads_any(const struct flt_node *n, const char *const *props)
{
	const char *const *p;

	if (!n)
		return 0;
	for (p = props; n->prop && *p; p++) {
		size_t len = strlen(*p);

		if (!strncmp(n->prop, *p, len) && (!n->prop[len] || n->prop[len] == '/'))
			return 1;
	}
	return flt_reads_any(n->left, props) || flt_reads_any(n->right, props);
}

int flt_needs_advanced(const struct flt_node *n)
{
	if (!n)
		return 0;
	if (n->op == FLT_NE || n->op == FLT_NOT || n->op == FLT_ENDSWITH)
		return 1;
	return flt_needs_advanced(n->left) || flt_needs_advanced(n->right);
}
