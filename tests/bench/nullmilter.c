/*
 * nullmilter.c - the protocol floor for benchmarks: a libmilter milter
 * that does nothing, skips every event it can and replies to none it need
 * not, so that milterload measures the cost of the protocol alone.
 *
 *   nullmilter [-e] inet:PORT@127.0.0.1|unix:PATH
 *
 * With -e it asks for the events alignguard needs (MAIL FROM, headers and
 * end-of-headers without replies, end-of-message) and still does nothing:
 * the floor for a milter that must read the headers.
 */
#include <libmilter/mfapi.h>
#include <stdio.h>
#include <string.h>

static int null_same_events;

/* null_negotiate - no events, no replies */
static sfsistat null_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
			       unsigned long f2, unsigned long f3,
			       unsigned long *pf0, unsigned long *pf1,
			       unsigned long *pf2, unsigned long *pf3)
{
	*pf0 = 0;
	if (null_same_events)
		*pf1 = f1 & (SMFIP_NR_CONN | SMFIP_NOHELO | SMFIP_NR_MAIL |
			     SMFIP_NORCPT | SMFIP_NR_HDR | SMFIP_NOUNKNOWN |
			     SMFIP_NODATA | SMFIP_NOBODY | SMFIP_NR_EOH);
	else
		*pf1 = f1 & (SMFIP_NOCONNECT | SMFIP_NOHELO | SMFIP_NOMAIL |
			     SMFIP_NORCPT | SMFIP_NOBODY | SMFIP_NOHDRS |
			     SMFIP_NOEOH | SMFIP_NOUNKNOWN | SMFIP_NODATA);
	*pf2 = *pf3 = 0;
	return SMFIS_CONTINUE;
}

/* null_event - an event asked for with -e, answered with nothing */
static sfsistat null_event(SMFICTX *ctx)
{
	return SMFIS_NOREPLY;
}

/* null_header - a header asked for with -e */
static sfsistat null_header(SMFICTX *ctx, char *name, char *value)
{
	return SMFIS_NOREPLY;
}

/* null_envfrom - MAIL FROM asked for with -e */
static sfsistat null_envfrom(SMFICTX *ctx, char **argv)
{
	return SMFIS_NOREPLY;
}

/* null_connect - connect asked for with -e */
static sfsistat null_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *addr)
{
	return SMFIS_NOREPLY;
}

/* null_eom - the only reply the protocol cannot skip */
static sfsistat null_eom(SMFICTX *ctx)
{
	return SMFIS_CONTINUE;
}

static struct smfiDesc null_desc = {
	.xxfi_name = "nullmilter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_eom = null_eom,
	.xxfi_negotiate = null_negotiate,
};

int main(int argc, char **argv)
{
	const char *socket;

	if (argc == 3 && strcmp(argv[1], "-e") == 0) {
		null_same_events = 1;
		null_desc.xxfi_connect = null_connect;
		null_desc.xxfi_envfrom = null_envfrom;
		null_desc.xxfi_header = null_header;
		null_desc.xxfi_eoh = null_event;
	} else if (argc != 2) {
		fprintf(stderr, "usage: nullmilter [-e] socket\n");
		return 2;
	}
	socket = argv[argc - 1];
	if (smfi_setconn((char *)socket) != MI_SUCCESS ||
	    smfi_register(null_desc) != MI_SUCCESS ||
	    smfi_opensocket(1) != MI_SUCCESS)
		return 1;
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
