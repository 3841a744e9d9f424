/*
 * nullmilter.c - the protocol floor for benchmarks: a libmilter milter
 * that does nothing, skips every event it can and replies to none it need
 * not, so that milterload measures the cost of the protocol alone.
 *
 *   nullmilter inet:PORT@127.0.0.1|unix:PATH
 */
#include <libmilter/mfapi.h>
#include <stdio.h>

/* null_negotiate - no events, no replies */
static sfsistat null_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
			       unsigned long f2, unsigned long f3,
			       unsigned long *pf0, unsigned long *pf1,
			       unsigned long *pf2, unsigned long *pf3)
{
	*pf0 = 0;
	*pf1 = f1 & (SMFIP_NOCONNECT | SMFIP_NOHELO | SMFIP_NOMAIL |
		     SMFIP_NORCPT | SMFIP_NOBODY | SMFIP_NOHDRS | SMFIP_NOEOH |
		     SMFIP_NOUNKNOWN | SMFIP_NODATA);
	*pf2 = *pf3 = 0;
	return SMFIS_CONTINUE;
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
	if (argc != 2) {
		fprintf(stderr, "usage: nullmilter socket\n");
		return 2;
	}
	if (smfi_setconn(argv[1]) != MI_SUCCESS ||
	    smfi_register(null_desc) != MI_SUCCESS ||
	    smfi_opensocket(1) != MI_SUCCESS)
		return 1;
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
