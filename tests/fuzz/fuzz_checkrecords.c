/*
 * fuzz_checkrecords.c - alignguard-check's record texts on DNS-derived
 * text: the input is a published SPF record to merge the missing terms
 * into (the merge must be stable: merging again changes nothing), TXT
 * data to split and quote (each string at most 255 octets, decoding back
 * to the input, only printable ASCII on the line), a detail to write as a
 * JSON string (quotes and controls escaped, valid UTF-8) and a line to
 * sanitise (no control characters left).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checkout.h"
#include "checkrecords.h"
#include "domain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ag_fuzz_unquote - one escaped octet of a zone-file string at *p */
static unsigned char ag_fuzz_unquote(const char **p)
{
	const char *s = *p;

	if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
		abort();
	*p = s + 1;
	if (*s != '\\')
		return (unsigned char)*s;
	if (s[1] >= '0' && s[1] <= '9') {
		if (s[2] < '0' || s[2] > '9' || s[3] < '0' || s[3] > '9')
			abort();
		*p = s + 4;
		return (unsigned char)((s[1] - '0') * 100 + (s[2] - '0') * 10 +
		                       (s[3] - '0'));
	}
	if (s[1] != '"' && s[1] != '\\')
		abort();
	*p = s + 2;
	return (unsigned char)s[1];
}

/* ag_fuzz_txt_check - the strings of a TXT line give back the text */
static void ag_fuzz_txt_check(const char *line, const uint8_t *text, size_t len)
{
	const char *p = strstr(line, " IN TXT ");
	size_t total = 0, n;

	for (p = p != NULL ? p + 8 : NULL; p != NULL && *p != '\0'; p++) {
		if (*p == ' ' || *p == '(' || *p == ')')
			continue;
		if (*p++ != '"')
			abort();
		for (n = 0; *p != '"'; n++, total++)
			if (*p == '\0' || total >= len ||
			    ag_fuzz_unquote(&p) != text[total])
				abort();
		if (n > AG_CHECK_TXT_STRING_MAX)
			abort();
	}
	if (p == NULL || total != len)
		abort();
}

/* ag_fuzz_json_check - a JSON string literal, escaped, valid UTF-8 */
static void ag_fuzz_json_check(const char *s, size_t n)
{
	uint32_t cp;
	size_t k;

	if (n < 2 || strlen(s) != n || s[0] != '"' || s[n - 1] != '"')
		abort();
	for (size_t i = 1; i < n - 1; i += k) {
		k = ag_utf8_seq((const unsigned char *)s + i, n - 1 - i, &cp);
		if (k == 0 || cp < 0x20 || cp == 0x7f || cp == '"')
			abort();
		if (cp == '\\' && strchr("\"\\nrtu", s[i + 1]) == NULL)
			abort();
		if (cp == '\\')
			k = s[i + 1] == 'u' ? 6 : 2;
	}
}

/* ag_fuzz_spf_terms - number of terms in a record */
static size_t ag_fuzz_spf_terms(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += (*s != ' ' && *s != '\t') &&
		     (s[1] == ' ' || s[1] == '\t' || s[1] == '\0');
	return n;
}

/* ag_fuzz_spf_check - the merged record, and merging it again */
static void ag_fuzz_spf_check(const char *existing)
{
	static char *inc[] = {"_spf.esp.example", "spf.protection.example"};
	static char *addr[] = {"192.0.2.10", "2001:db8::25"};
	static const ag_strlist_t includes = {inc, 2}, addresses = {addr, 2};
	char out[AG_CHECK_RECORD_MAX], again[AG_CHECK_RECORD_MAX], small[40];

	(void)!ag_check_spf_text(&includes, &addresses, existing, small,
	                         sizeof(small));
	if (strlen(small) >= sizeof(small))
		abort();
	if (ag_check_spf_text(&includes, &addresses, existing, out,
	                      sizeof(out)) != 0)
		return;
	if (strncmp(out, "v=spf1 ", 7) != 0 || ag_fuzz_spf_terms(out) >= 64)
		return;
	if (ag_check_spf_text(&includes, &addresses, out, again,
	                      sizeof(again)) != 0 ||
	    strcmp(out, again) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t big = 5 * size + 64, n;
	char *text = malloc(size + 1), *line = malloc(big);
	char *json = malloc(6 * size + 3), rec[AG_CHECK_RECORD_MAX];

	memcpy(text, data, size);
	text[size] = '\0';
	ag_fuzz_spf_check(text);
	if (ag_check_zone_txt("s1._domainkey.example.com", (const char *)data,
	                      size, line, big) != 0)
		abort();
	ag_fuzz_txt_check(line, data, size);
	if (ag_check_zone_txt("s1._domainkey.example.com", (const char *)data,
	                      size, rec, sizeof(rec)) != 0
	        ? strlen(rec) >= sizeof(rec)
	        : strcmp(rec, line) != 0)
		abort();
	n = ag_check_json_string(text, json, 6 * size + 3);
	ag_fuzz_json_check(json, n);
	if (ag_check_dmarc_text(text, rec, sizeof(rec)) == 0 &&
	    strncmp(rec, "v=DMARC1; p=none; rua=", 22) != 0)
		abort();
	ag_check_sanitise(text);
	for (char *p = text; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
	free(text);
	free(line);
	free(json);
	return 0;
}
