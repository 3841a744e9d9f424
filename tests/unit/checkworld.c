/*
 * checkworld.c - the unit tests' world for alignguard-check (see
 * checkworld.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkkinds.h"
#include "checkworld.h"

/* openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 */
const char ag_test_rsa2048_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQCy3DGARvYGZoR+\n"
    "QURn0K2Th30K6/14iWx+g0cqxQ5uH/U1OUzKQbaBbxwVK0djd2CeE9Wt6ZlD9r3E\n"
    "NAki+XHkHPrSCVAYBMWipKuqVMYuOIhj/PiN8ycuqYwSDAC4Wbdael6MW90DGDPm\n"
    "zCinK81p9B6C7XrYc16tO2Je308C0aHurfiZQaonbhq1dzR6BXk/uljBEOu6asaC\n"
    "eiFFdW1XikYnAbbhf8ERqU2TVqAweZLPZDPsl+2m+c1E/r1brLVgzQHyXLwDHR6j\n"
    "cygf/LNwrI7zKZ3ipj6cUgZhSCnwYzYQcctlyWdiRr5et1mdIjTnPQscJPv9mAcO\n"
    "dASTCAWzAgMBAAECggEAJTTa80VPrnsq+pyXH0VwpizcHSaEPsvPju2+Iy6E1vG8\n"
    "74pw5+4NihVT8S9klVNi/N9BZwEeCd5NEYCFmgnr4DkLECAx0h1EA5Zfw3oJE9pc\n"
    "vPgFuHmpX/KTGbn3eGHpW1/zRR1i917UhSFZH5VkELNgmXnPQTGWs1CUIQoxBHO/\n"
    "yRuP23ZGYfxirG+qi1QUetgV86R8qOjaZzkwn4u7jQm+ywjVVaXKmT41PU1XD1NM\n"
    "HDEf+Zt6bz7j17tTmKuWbsTTIpEvmBYLQb/Z0jMKMa4EZ9m1tuQc6/17T0mr17tM\n"
    "cT+Bc0Jk+1dE67yxdG186xW5zeiALXvAiOBoFg4GMQKBgQDtl4Ksv7DkuDI+S8Va\n"
    "qlheZx0C3ij1ALWFokH7IrgeXwyIfGpWxFSI153Fu1Nc6F+yR2ajmPkYtvIbuijU\n"
    "moSQMfGnP6PykMKUDcRLW6Nk+g1JI4QyTxZ40Z7pMIFc3Fr4V7yc5q9KQQj6H2kg\n"
    "13h4+v7gM/IyY5o+XakY0LPBOQKBgQDAt8Z1kvU3rLxr3HDESrKcQ+uH4N6uiRUN\n"
    "f3bQXOgtP++Oq1SmgOVvo85hahz7WXuW5MSbaSGoNrRHt4FTu466MsIBftUQQNfN\n"
    "fpWJ+VfHMTIwnP/0+3adGRcQQcCQeWSbTPXz1qqkrJZ80NePaVBmmpC8hKtgw7LS\n"
    "bK+jItO6SwKBgHqpjSp4sO/0dOQapGJBrevXGnA/mC+dVRoQAjaQ3zO26LaSXSg8\n"
    "plQb1XWfV9OQmM9m84Ok1329/dL40lmpCKWVU2iAf7kcqYhcbypkvj/EpRVMg9Sh\n"
    "Zj2sI3nKtA7oKQMr8NGke30/hE3154WwGJ+FHg9MYk9HgvuNyV5paVRpAoGBAJEQ\n"
    "xP7z5EpIaHz4rpnTcKdYKQ9bIcRXw9UpQZKOnOaS3gySw2GiXRKwR0XkznQVY4au\n"
    "JaCmfoNUylfBtkQFRua6FndxtYhKhydURdRaMMzsJ0+YnsMWFq8il83Q8NbPyf9s\n"
    "6yblTAYxNAY4XkrBh5f0eUauxyJLrWvgDEXMjXwJAoGBAK7VeABNrkLT32mLNLqR\n"
    "cL3iCFI+edplkAi04dyubGhUsRJNJV4nXjdSX2BR56LE3OsYcCjybFvzlO3RX51E\n"
    "4bQMwK2Ha8/viSS9biJ+IVXq0AozyKh4+/kCcQQPLehVD0Nf98QGi9YZXonNyzau\n"
    "0VtF0q72j1LbaqEFQ1frsbCw\n"
    "-----END PRIVATE KEY-----\n";

/* openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 */
const char ag_test_rsa1024_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIICdQIBADANBgkqhkiG9w0BAQEFAASCAl8wggJbAgEAAoGBAKxeko+UuTKAofli\n"
    "0LeNWwmw6W7t642SL5uUoIUAyDrpH5IlPlUQ6Uiz3+5HN5PUgwNLtsdkSkkSi7WB\n"
    "asUPxeJ3QU0LZyAmIOI4d1tbBpLkrnilwR4+jC1Cn6LZmrV5FgooySr2QmW/mZFr\n"
    "npgb2sPHHogtl7ZTMx7QfYoVkH3JAgMBAAECgYA47mud/NNGePIGurqRRaECDGqt\n"
    "duvMMLKEwoxaIa4Atyr0TFTQJ+vFVZPq0Z7rts8m8YUHSnq2s+dtJbesKs+CuEDM\n"
    "ywM7qcNv83SAsujNK+MUdDihON1M92uIO6ZiK/zq9fsW5XQwmUC5+8QkDZLCyK8P\n"
    "9XbMo6VMqG4nD/ZZYQJBAN48y9gsJC4xBDF+4RsYRi8XZgSId1VzknS9YSlsPmrI\n"
    "QzMCqlDngtUcXOHegL6g/oqOsmaSmb8rfz+qKSj38ZUCQQDGjlH9g20pXAOB2CRA\n"
    "z9tavBYRWVLmXqr5fqIDpZXZHkUj0+1ftO8aobAMydCe1JPItaw8ZwkC/P/WhcEe\n"
    "9fZlAkBbrgD54NvcImR0dr8uikkJzEFNxW5VViQo/KdEi18EdjEirgrM7XTPra+z\n"
    "jjLWcVwQlOWL4xaCAtOv0+a+++oxAkB2GxwMJ0wciP4RE0dlQf6htzWNNkvIelFL\n"
    "PRcUAj/jOU05JYuSHWcIuVqmELnGcH5DqkT8XPGQVHu92CvqxbW9AkACgl1P9pbP\n"
    "YGGSIProHTA5fNHkupNy/Bbk0OMwNQXM26oiPB7zTiAEqPiBRu1fFvAy7i5ZWO18\n"
    "W3j31SiPNO5K\n"
    "-----END PRIVATE KEY-----\n";

/* openssl genpkey -algorithm ed25519 */
const char ag_test_ed25519_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEILMDAG534T/hivMN5Wy+Lmw7NPpKNuKnerTaJfHIL2UM\n"
    "-----END PRIVATE KEY-----\n";

/* its p= value */
const char ag_test_rsa2048_p[] =
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAstwxgEb2BmaEfkFEZ9Ct"
    "k4d9Cuv9eIlsfoNHKsUObh/1NTlMykG2gW8cFStHY3dgnhPVremZQ/a9xDQJIvlx"
    "5Bz60glQGATFoqSrqlTGLjiIY/z4jfMnLqmMEgwAuFm3WnpejFvdAxgz5swopyvN"
    "afQegu162HNerTtiXt9PAtGh7q34mUGqJ24atXc0egV5P7pYwRDrumrGgnohRXVt"
    "V4pGJwG24X/BEalNk1agMHmSz2Qz7JftpvnNRP69W6y1YM0B8ly8Ax0eo3MoH/yz"
    "cKyO8ymd4qY+nFIGYUgp8GM2EHHLZclnYka+XrdZnSI05z0LHCT7/ZgHDnQEkwgF"
    "swIDAQAB";

/* its p= value */
const char ag_test_rsa1024_p[] =
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCsXpKPlLkygKH5YtC3jVsJsOlu"
    "7euNki+blKCFAMg66R+SJT5VEOlIs9/uRzeT1IMDS7bHZEpJEou1gWrFD8Xid0FN"
    "C2cgJiDiOHdbWwaS5K54pcEePowtQp+i2Zq1eRYKKMkq9kJlv5mRa56YG9rDxx6I"
    "LZe2UzMe0H2KFZB9yQIDAQAB";

/* its p= value */
const char ag_test_ed25519_p[] = "sZE6tM1hkffSMFVw029/Gc+ioAoS6a6E/E/J+wau6GI=";

/* ag_check_world_begin - a temporary directory and an empty zone */
ag_check_world_t *ag_check_world_begin(void)
{
	ag_check_world_t *world = calloc(1, sizeof(*world));

	assert_non_null(world);
	strcpy(world->dir, "/tmp/ag-check-XXXXXX");
	assert_non_null(mkdtemp(world->dir));
	world->mem = ag_dnsmem_create();
	assert_non_null(world->mem);
	return world;
}

/* ag_check_world_file - write a file into the directory */
const char *ag_check_world_file(ag_check_world_t *world, const char *name,
                                const char *text)
{
	static __thread char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", world->dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
	return path;
}

/* ag_check_world_load - load the rules, start the service */
void ag_check_world_load(ag_check_world_t *world, const char *config,
                         const char *table)
{
	char text[4096], conf[128];
	ag_dstate_options_t options;
	ag_diag_t diag;

	ag_check_world_file(world, "domains", table);
	snprintf(text, sizeof(text), "Domains domains\nDNSTimeout 1s\n%s",
	         config);
	snprintf(conf, sizeof(conf), "%s",
	         ag_check_world_file(world, "alignguard.conf", text));
	ag_diag_init(&diag);
	world->rules = ag_snapshot_load(conf, &diag);
	for (size_t i = 0; i < diag.count; i++)
		print_error("%s\n", diag.messages[i]);
	ag_diag_clear(&diag);
	assert_non_null(world->rules);
	ag_dstate_options_from_config(&options, world->rules->config);
	options.workers = 2;
	world->state =
	    ag_dstate_create(ag_dnsmem_resolver(world->mem), &options, NULL);
	assert_non_null(world->state);
	assert_int_equal(ag_check_kinds_register(world->state), 0);
	world->ctx.rules = world->rules;
	world->ctx.state = world->state;
	world->ctx.resolver = ag_dnsmem_resolver(world->mem);
	world->ctx.wait_ms = 5000;
}

/* ag_check_world_txt - a TXT record */
void ag_check_world_txt(ag_check_world_t *world, const char *name,
                        const char *text)
{
	assert_int_equal(ag_dnsmem_add_text(world->mem, name, AG_DNS_TXT, text),
	                 0);
}

/* ag_check_world_mx - an MX record */
void ag_check_world_mx(ag_check_world_t *world, const char *name,
                       const char *host)
{
	assert_int_equal(ag_dnsmem_add(world->mem, name, AG_DNS_MX, 300, host,
	                               strlen(host), 10),
	                 0);
}

/* ag_check_world_dkim - a key record */
void ag_check_world_dkim(ag_check_world_t *world, const char *selector,
                         const char *domain, const char *p)
{
	char name[300], text[1024];

	snprintf(name, sizeof(name), "%s._domainkey.%s", selector, domain);
	snprintf(text, sizeof(text), "v=DKIM1; k=rsa; p=%s", p);
	ag_check_world_txt(world, name, text);
}

/* ag_check_world_complete - every record of a passing domain */
void ag_check_world_complete(ag_check_world_t *world, const char *domain)
{
	char name[300], text[300];

	ag_check_world_dkim(world, "s1", domain, ag_test_rsa2048_p);
	snprintf(name, sizeof(name), "bounce.%s", domain);
	ag_check_world_mx(world, name, "mx.example.net");
	ag_check_world_txt(world, name, "v=spf1 ip4:192.0.2.10 -all");
	snprintf(name, sizeof(name), "_dmarc.%s", domain);
	snprintf(text, sizeof(text), "v=DMARC1; p=reject; rua=mailto:d@%s",
	         domain);
	ag_check_world_txt(world, name, text);
}

/* ag_check_world_rmdir - remove the directory and its files */
static void ag_check_world_rmdir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	if (d != NULL)
		closedir(d);
	rmdir(dir);
}

/* ag_check_world_end - stop and remove everything */
void ag_check_world_end(ag_check_world_t *world)
{
	if (world == NULL)
		return;
	ag_dstate_destroy(world->state);
	ag_dnsmem_destroy(world->mem);
	ag_snapshot_unref(world->rules);
	ag_check_world_rmdir(world->dir);
	free(world);
}

/* ag_check_world_line - a report's line by name */
const ag_check_line_t *ag_check_world_line(const ag_check_report_t *report,
                                           const char *name)
{
	for (size_t i = 0; i < report->count; i++)
		if (strcmp(report->lines[i].name, name) == 0)
			return &report->lines[i];
	return NULL;
}
