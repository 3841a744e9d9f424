/*
 * test_spf_conformance.c - runs the openspf RFC 7208 test suite
 * (tests/conformance/spf/rfc7208-tests.yml) against ag_spf_check().
 *
 * Each YAML document is a scenario: its zonedata is loaded into an
 * in-memory zone (dnsmem), then every test in it is run and reported as
 * one TAP line "ok N - scenario/test". Loading follows the suite's own
 * conventions: TXT and SPF values are lists of character-strings, joined;
 * SPF-type records are never queried (RFC 7208 3.1) but, as the suite asks
 * of its drivers, they are served as TXT at a name that has no TXT entry
 * ("TXT: NONE" is such an entry and adds nothing); "TIMEOUT" makes every
 * type without a record listed before it answer TEMPFAIL. The explanation
 * "DEFAULT" is the default explanation, which the runner sets to that word.
 *
 * Usage: test_spf_conformance [suite.yml]; with no argument, the suite in
 * the source tree. Exit status 0 unless the suite cannot be read; failures
 * are "not ok" lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "dnsmem.h"
#include "spf.h"

#ifndef AG_SPF_SUITE
#define AG_SPF_SUITE "tests/conformance/spf/rfc7208-tests.yml"
#endif

/* Tests whose expectation this implementation does not meet on purpose
 * (reported "# TODO", so an unexpected pass shows up as XPASS). */
static const struct {
	const char *test;
	const char *why;
} deviations[] = {
    {"v-macro-ip6",
     "%{i} of IPv6 gives lower-case nibbles, as RFC 7208 7.4 shows; "
     "the suite expects upper case"},
    {NULL, NULL},
};

typedef struct suite {
	yaml_document_t *doc;
	const char *scenario;
	ag_dnsmem_t *zone;
	unsigned n; /* tests run so far */
	unsigned passed;
	unsigned failed; /* not counting known deviations */
} suite_t;

/* node_get - the value of key in a mapping node, or NULL */
static yaml_node_t *node_get(yaml_document_t *doc, yaml_node_t *map,
                             const char *key)
{
	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		if (k->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, key) == 0)
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

/* node_str - a scalar's text, or NULL */
static const char *node_str(yaml_node_t *node)
{
	if (node == NULL || node->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)node->data.scalar.value;
}

/* node_item - item i of a sequence node, or NULL */
static yaml_node_t *node_item(yaml_document_t *doc, yaml_node_t *seq, size_t i)
{
	if (seq == NULL || seq->type != YAML_SEQUENCE_NODE ||
	    seq->data.sequence.items.start + i >= seq->data.sequence.items.top)
		return NULL;
	return yaml_document_get_node(doc, seq->data.sequence.items.start[i]);
}

/* dns_type - zonedata type name to number; 0 for SPF, -1 unknown */
static int dns_type(const char *name)
{
	static const struct {
		const char *name;
		int type;
	} types[] = {{"A", AG_DNS_A},     {"AAAA", AG_DNS_AAAA},
	             {"MX", AG_DNS_MX},   {"PTR", AG_DNS_PTR},
	             {"TXT", AG_DNS_TXT}, {"CNAME", AG_DNS_CNAME},
	             {"SPF", 0}};

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(name, types[i].name) == 0)
			return types[i].type;
	return -1;
}

/* add_text - add a TXT record from a scalar or a list of strings */
static int add_text(suite_t *s, const char *name, yaml_node_t *v)
{
	char buf[8192];
	size_t len = 0;

	if (v->type == YAML_SCALAR_NODE) {
		if (strcmp(node_str(v), "NONE") == 0)
			return 0;
		return ag_dnsmem_add(s->zone, name, AG_DNS_TXT, 3600,
		                     v->data.scalar.value,
		                     v->data.scalar.length, 0);
	}
	for (size_t i = 0; node_item(s->doc, v, i) != NULL; i++) {
		yaml_node_t *part = node_item(s->doc, v, i);
		if (part->type != YAML_SCALAR_NODE ||
		    len + part->data.scalar.length > sizeof(buf))
			return -1;
		memcpy(buf + len, part->data.scalar.value,
		       part->data.scalar.length);
		len += part->data.scalar.length;
	}
	return ag_dnsmem_add(s->zone, name, AG_DNS_TXT, 3600, buf, len, 0);
}

/* add_record - one "TYPE: value" entry */
static int add_record(suite_t *s, const char *name, int type, yaml_node_t *v)
{
	const char *text = node_str(v);

	switch (type) {
	case AG_DNS_TXT:
		return add_text(s, name, v);
	case AG_DNS_MX: {
		const char *pref = node_str(node_item(s->doc, v, 0));
		const char *host = node_str(node_item(s->doc, v, 1));
		if (pref == NULL || host == NULL)
			return -1;
		return ag_dnsmem_add(s->zone, name, AG_DNS_MX, 3600, host,
		                     strlen(host), (uint16_t)atoi(pref));
	}
	default:
		return text ? ag_dnsmem_add_text(s->zone, name, type, text)
		            : -1;
	}
}

/* entry_type - the type of one zonedata entry; *value its value */
static int entry_type(suite_t *s, yaml_node_t *entry, yaml_node_t **value)
{
	yaml_node_pair_t *p;

	if (entry->type != YAML_MAPPING_NODE ||
	    entry->data.mapping.pairs.top - entry->data.mapping.pairs.start !=
	        1)
		return -1;
	p = entry->data.mapping.pairs.start;
	*value = yaml_document_get_node(s->doc, p->value);
	return dns_type(node_str(yaml_document_get_node(s->doc, p->key)));
}

/* has_txt - whether a name's entries include a TXT one */
static int has_txt(suite_t *s, yaml_node_t *entries)
{
	yaml_node_t *e, *v;

	for (size_t i = 0; (e = node_item(s->doc, entries, i)) != NULL; i++)
		if (entry_type(s, e, &v) == AG_DNS_TXT)
			return 1;
	return 0;
}

/* load_name - every entry of one name */
static int load_name(suite_t *s, const char *name, yaml_node_t *entries)
{
	static const int timeout_types[] = {AG_DNS_A,   AG_DNS_AAAA,
	                                    AG_DNS_MX,  AG_DNS_PTR,
	                                    AG_DNS_TXT, AG_DNS_CNAME};
	int seen[256] = {0}, spf_as_txt = !has_txt(s, entries);
	yaml_node_t *e, *v;

	for (size_t i = 0; (e = node_item(s->doc, entries, i)) != NULL; i++) {
		const char *word = node_str(e);
		int type;
		if (word != NULL && strcmp(word, "TIMEOUT") == 0) {
			for (size_t t = 0; t < 6; t++)
				if (!seen[timeout_types[t]] &&
				    ag_dnsmem_set_status(s->zone, name,
				                         timeout_types[t],
				                         AG_DNS_TEMPFAIL) < 0)
					return -1;
			continue;
		}
		if ((type = entry_type(s, e, &v)) < 0)
			return -1;
		if (type == 0 && !spf_as_txt)
			continue; /* SPF RR, not used (RFC 7208 3.1) */
		type = type == 0 ? AG_DNS_TXT : type;
		word = node_str(v);
		seen[type] |= word == NULL || strcmp(word, "NONE") != 0;
		if (add_record(s, name, type, v) < 0)
			return -1;
	}
	return 0;
}

/* load_zone - the zonedata of a scenario */
static int load_zone(suite_t *s, yaml_node_t *zonedata)
{
	if (zonedata == NULL || zonedata->type != YAML_MAPPING_NODE)
		return -1;
	for (yaml_node_pair_t *p = zonedata->data.mapping.pairs.start;
	     p < zonedata->data.mapping.pairs.top; p++) {
		const char *name =
		    node_str(yaml_document_get_node(s->doc, p->key));
		if (name == NULL ||
		    load_name(s, name,
		              yaml_document_get_node(s->doc, p->value)) < 0) {
			fprintf(stderr, "bad zonedata at %s\n",
			        name ? name : "?");
			return -1;
		}
	}
	return 0;
}

/* result_ok - whether got is among the expected result(s) */
static int result_ok(suite_t *s, yaml_node_t *expect, ag_spf_result_t got)
{
	const char *one = node_str(expect);
	yaml_node_t *item;

	if (one != NULL)
		return strcmp(one, ag_spf_result_name(got)) == 0;
	for (size_t i = 0; (item = node_item(s->doc, expect, i)) != NULL; i++)
		if (node_str(item) &&
		    strcmp(node_str(item), ag_spf_result_name(got)) == 0)
			return 1;
	return 0;
}

/* deviation - why a test is a known deviation, or NULL */
static const char *deviation(const char *test)
{
	for (size_t i = 0; deviations[i].test != NULL; i++)
		if (strcmp(deviations[i].test, test) == 0)
			return deviations[i].why;
	return NULL;
}

/* report - the diagnostic lines under a test's TAP line */
static void report(suite_t *s, yaml_node_t *expect, const char *exp,
                   const ag_spf_outcome_t *out, int ok)
{
	yaml_node_t *first = node_item(s->doc, expect, 0);

	if (!ok)
		printf("# got %s (%s), explanation '%s'; expected explanation "
		       "'%s'\n",
		       ag_spf_result_name(out->result), out->problem,
		       out->explanation ? out->explanation : "",
		       exp ? exp : "(any)");
	else if (first != NULL && !result_ok(s, first, out->result))
		printf("# %s is accepted; the suite prefers %s\n",
		       ag_spf_result_name(out->result), node_str(first));
}

/* run_test - one test case, one TAP line */
static void run_test(suite_t *s, const char *name, yaml_node_t *t)
{
	ag_spf_request_t req = {
	    .ip = node_str(node_get(s->doc, t, "host")),
	    .sender = node_str(node_get(s->doc, t, "mailfrom")),
	    .helo = node_str(node_get(s->doc, t, "helo")),
	    .receiver = "receiver.example",
	    .now = 1400000000,
	    .default_explanation = "DEFAULT",
	};
	yaml_node_t *expect = node_get(s->doc, t, "result");
	const char *exp = node_str(node_get(s->doc, t, "explanation"));
	const char *why = deviation(name);
	ag_spf_outcome_t out;
	int ok;

	ag_spf_check(ag_dnsmem_resolver(s->zone), &req, &out);
	ok = result_ok(s, expect, out.result) &&
	     (exp == NULL ||
	      (out.explanation && strcmp(out.explanation, exp) == 0));
	s->n++;
	s->passed += ok;
	s->failed += !ok && !why;
	printf("%s %u - %s/%s%s%s\n", ok ? "ok" : "not ok", s->n, s->scenario,
	       name, why ? " # TODO " : "", why ? why : "");
	report(s, expect, exp, &out, ok);
	ag_spf_outcome_clear(&out);
}

/* run_scenario - load one document's zone and run its tests */
static int run_scenario(suite_t *s)
{
	yaml_node_t *root = yaml_document_get_root_node(s->doc);
	yaml_node_t *tests = node_get(s->doc, root, "tests");

	s->scenario = node_str(node_get(s->doc, root, "description"));
	if (s->scenario == NULL || tests == NULL ||
	    tests->type != YAML_MAPPING_NODE)
		return -1;
	if ((s->zone = ag_dnsmem_create()) == NULL ||
	    load_zone(s, node_get(s->doc, root, "zonedata")) < 0) {
		s->zone = ag_dnsmem_destroy(s->zone);
		return -1;
	}
	for (yaml_node_pair_t *p = tests->data.mapping.pairs.start;
	     p < tests->data.mapping.pairs.top; p++)
		run_test(s, node_str(yaml_document_get_node(s->doc, p->key)),
		         yaml_document_get_node(s->doc, p->value));
	s->zone = ag_dnsmem_destroy(s->zone);
	return 0;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : AG_SPF_SUITE;
	FILE *fp = fopen(path, "rb");
	yaml_parser_t parser;
	yaml_document_t doc;
	suite_t s = {.doc = &doc};
	int rc = 0;

	if (fp == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		return 1;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, fp);
	while (rc == 0) {
		if (!yaml_parser_load(&parser, &doc)) {
			fprintf(stderr, "%s: YAML error: %s (line %zu)\n", path,
			        parser.problem ? parser.problem : "?",
			        parser.problem_mark.line + 1);
			rc = 1;
			break;
		}
		if (yaml_document_get_root_node(&doc) == NULL) {
			yaml_document_delete(&doc);
			break;
		}
		if (run_scenario(&s) < 0) {
			fprintf(stderr, "%s: malformed scenario\n", path);
			rc = 1;
		}
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	fclose(fp);
	printf("1..%u\n# %u of %u passed, %u failed\n", s.n, s.passed, s.n,
	       s.failed);
	return rc;
}
