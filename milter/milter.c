/*
 * milter.c - libmilter callbacks (see milter.h).
 *
 * One connection = one ag_conn_t (smfi_setpriv), holding the current
 * message. The events a verdict needs are negotiated and nothing else:
 * no HELO, RCPT, DATA or unknown events, no body unless signatures are
 * verified, and no reply to connect, MAIL FROM, header and (without a
 * body) end-of-header events, so the MTA does not wait for us there. The
 * verdict is reached at end-of-headers when no DNS fact can change it;
 * otherwise the DNS checks are started there and read at end-of-message.
 * The SMTP client hears the verdict only after its whole DATA either way,
 * so a refusal is answered at end-of-headers only when that spares sending
 * us the body (signature verification); otherwise at end-of-message, which
 * spares the MTA a round trip per message.
 *
 * Diagnostics: one log line per message (report.c); a failure of a
 * libmilter modification call is logged and the message is temp-failed
 * rather than passed unmarked.
 */
#include "milter.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "dkimverify.h"
#include "log.h"
#include "message.h"
#include "report.h"

typedef struct ag_conn {
	char client[INET6_ADDRSTRLEN + 8];
	unsigned long steps;		/* protocol steps agreed with the MTA */
	ag_snapshot_t *rules;		/* held for the current message */
	ag_message_t message;
	ag_message_facts_t facts;
	ag_verdict_t verdict;
	int decided;
	long started_ms;
	long dns_ms;
	char queue_id[64];
	char dmarc[32];			/* predicted receiver result */
	ag_dkimverify_msg_t *dkim;	/* signatures being verified */
	int internal_error;		/* defer at end-of-message */
	int dkim_needs_body;
} ag_conn_t;

static ag_milter_world_t *ag_world;
static int ag_active_connections;
static unsigned long ag_count_actions[AG_ACT_REJECT + 1];
static unsigned long ag_count_reasons[AG_R_COUNT];
static unsigned long ag_count_pass, ag_count_skip;

/* ag_milter_now_ms - monotonic milliseconds */
long ag_milter_now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* ag_milter_init - remember the world */
void ag_milter_init(ag_milter_world_t *world)
{
	ag_world = world;
}

/* ag_milter_active - open connections */
int ag_milter_active(void)
{
	return __atomic_load_n(&ag_active_connections, __ATOMIC_RELAXED);
}

/* ag_conn_get - the connection's state, created on first use */
static ag_conn_t *ag_conn_get(SMFICTX *ctx)
{
	ag_conn_t *conn = smfi_getpriv(ctx);

	if (conn == NULL && (conn = calloc(1, sizeof(*conn))) != NULL) {
		strcpy(conn->client, "unknown");
		smfi_setpriv(ctx, conn);
		__atomic_add_fetch(&ag_active_connections, 1, __ATOMIC_RELAXED);
	}
	return conn;
}

/* ag_conn_end_message - forget the message, release its rules */
static void ag_conn_end_message(ag_conn_t *conn)
{
	ag_message_reset(&conn->message);
	conn->dkim = ag_dkimverify_free(conn->dkim);
	conn->dkim_needs_body = 0;
	conn->internal_error = 0;
	conn->rules = ag_snapshot_unref(conn->rules);
	conn->decided = 0;
	conn->dns_ms = 0;
	conn->queue_id[0] = '\0';
}

/* ag_conn_noreply - status for an event the MTA expects no reply to */
static sfsistat ag_conn_noreply(const ag_conn_t *conn, unsigned long step)
{
	return (conn != NULL && (conn->steps & step)) ? SMFIS_NOREPLY
						      : SMFIS_CONTINUE;
}

/* ag_milter_negotiate - ask for the fewest events and no replies */
static sfsistat ag_milter_negotiate(SMFICTX *ctx, unsigned long f0,
				    unsigned long f1, unsigned long f2,
				    unsigned long f3, unsigned long *pf0,
				    unsigned long *pf1, unsigned long *pf2,
				    unsigned long *pf3)
{
	ag_conn_t *conn = ag_conn_get(ctx);
	ag_snapshot_t *rules = ag_snapshot_acquire(ag_world->rules);
	unsigned long wanted = SMFIP_NR_CONN | SMFIP_NOHELO | SMFIP_NR_MAIL |
			       SMFIP_NORCPT | SMFIP_NR_HDR | SMFIP_NOUNKNOWN |
			       SMFIP_NODATA | SMFIP_NOBODY | SMFIP_NR_EOH;

	if (rules != NULL && rules->config->verify_signatures) {
		wanted &= ~(unsigned long)(SMFIP_NOBODY | SMFIP_NR_EOH);
		wanted |= SMFIP_SKIP;
	}
	ag_snapshot_unref(rules);
	*pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE);
	*pf1 = f1 & wanted;
	*pf2 = 0;
	*pf3 = 0;
	if (conn != NULL)
		conn->steps = *pf1;
	return SMFIS_CONTINUE;
}

/* ag_milter_connect - remember the client address */
static sfsistat ag_milter_connect(SMFICTX *ctx, char *hostname,
				  _SOCK_ADDR *addr)
{
	ag_conn_t *conn = ag_conn_get(ctx);

	if (conn == NULL)
		return SMFIS_TEMPFAIL;
	if (addr != NULL && addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)addr)->sin_addr,
			  conn->client, sizeof(conn->client));
	else if (addr != NULL && addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)addr)->sin6_addr,
			  conn->client, sizeof(conn->client));
	else
		strcpy(conn->client, "local");
	return ag_conn_noreply(conn, SMFIP_NR_CONN);
}

/* ag_milter_envfrom - a new transaction: take the current rules */
static sfsistat ag_milter_envfrom(SMFICTX *ctx, char **argv)
{
	ag_conn_t *conn = ag_conn_get(ctx);

	if (conn == NULL)
		return SMFIS_TEMPFAIL;
	ag_conn_end_message(conn);
	conn->started_ms = ag_milter_now_ms();
	/* a refusal here would be dropped (no reply is due): a message
	 * without rules is deferred at end-of-message instead */
	if ((conn->rules = ag_snapshot_acquire(ag_world->rules)) == NULL)
		return ag_conn_noreply(conn, SMFIP_NR_MAIL);
	ag_message_set_envfrom(&conn->message, argv != NULL ? argv[0] : NULL,
			       smfi_getsymval(ctx, "{auth_authen}"));
	if (conn->rules->config->verify_signatures && ag_world->dkimverify != NULL)
		conn->dkim = ag_dkimverify_begin(ag_world->dkimverify,
						 smfi_getsymval(ctx, "i"));
	return ag_conn_noreply(conn, SMFIP_NR_MAIL);
}

/* ag_milter_header - collect one header field */
static sfsistat ag_milter_header(SMFICTX *ctx, char *name, char *value)
{
	ag_conn_t *conn = smfi_getpriv(ctx);

	if (conn == NULL || conn->rules == NULL)
		return SMFIS_TEMPFAIL;
	if (ag_message_add_header(&conn->message, conn->rules->config->tag_header,
				  name, value != NULL ? value : "") < 0) {
		ag_log(LOG_ERR, "out of memory collecting headers");
		conn->internal_error = 1;
	}
	if (conn->dkim != NULL)
		ag_dkimverify_header(conn->dkim, name, value != NULL ? value : "");
	return ag_conn_noreply(conn, SMFIP_NR_HDR);
}

/* ag_conn_policy_input - the policy's view of the connection */
static ag_policy_input_t ag_conn_policy_input(ag_conn_t *conn,
					      const ag_dns_facts_t *dns)
{
	ag_policy_input_t input = {
		.config = conn->rules->config,
		.domains = conn->rules->domains,
		.psl = conn->rules->psl,
		.message = &conn->facts,
		.dns = dns,
	};
	return input;
}

/* ag_conn_subject - what the report functions describe */
static ag_report_subject_t ag_conn_subject(ag_conn_t *conn)
{
	ag_predict_format(&conn->verdict.dmarc, conn->dmarc, sizeof(conn->dmarc));
	ag_report_subject_t subject = {
		.verdict = &conn->verdict,
		.from_domain = conn->facts.from_domain,
		.mailfrom_domain = conn->facts.envfrom == AG_ENVFROM_NULL ? "<>" :
				   conn->facts.mailfrom_domain,
		.queue_id = conn->queue_id,
		.client = conn->client,
		.login = conn->facts.login,
		.dmarc = conn->dmarc[0] ? conn->dmarc : NULL,
		.dns_ms = conn->dns_ms,
		.total_ms = ag_milter_now_ms() - conn->started_ms,
	};
	return subject;
}

/* ag_milter_count - count one verdict */
static void ag_milter_count(const ag_verdict_t *verdict)
{
	if (!verdict->checked)
		__atomic_add_fetch(&ag_count_skip, 1, __ATOMIC_RELAXED);
	else if (verdict->reasons == 0)
		__atomic_add_fetch(&ag_count_pass, 1, __ATOMIC_RELAXED);
	else
		__atomic_add_fetch(&ag_count_actions[verdict->action], 1,
				   __ATOMIC_RELAXED);
	for (int r = 0; r < AG_R_COUNT; r++)
		if (verdict->reasons & AG_REASON_BIT(r))
			__atomic_add_fetch(&ag_count_reasons[r], 1,
					   __ATOMIC_RELAXED);
}

/* ag_milter_stats_format - the counters as key=value pairs */
size_t ag_milter_stats_format(char *buf, size_t size)
{
	size_t len = 0;
	int n;

	n = snprintf(buf, size, "pass=%lu skip=%lu",
		     __atomic_load_n(&ag_count_pass, __ATOMIC_RELAXED),
		     __atomic_load_n(&ag_count_skip, __ATOMIC_RELAXED));
	len = n > 0 ? (size_t)n : 0;
	for (int a = AG_ACT_ACCEPT; a <= AG_ACT_REJECT && len < size; a++) {
		n = snprintf(buf + len, size - len, " %s=%lu", ag_action_name(a),
			     __atomic_load_n(&ag_count_actions[a], __ATOMIC_RELAXED));
		len += n > 0 ? (size_t)n : 0;
	}
	for (int r = 0; r < AG_R_COUNT && len < size; r++) {
		unsigned long count = __atomic_load_n(&ag_count_reasons[r],
						      __ATOMIC_RELAXED);
		if (count == 0)
			continue;
		n = snprintf(buf + len, size - len, " %s=%lu", ag_reason_name(r),
			     count);
		len += n > 0 ? (size_t)n : 0;
	}
	return len;
}

/* ag_conn_log - the one log line of the message */
static void ag_conn_log(ag_conn_t *conn)
{
	ag_report_subject_t subject = ag_conn_subject(conn);
	char line[1536];

	ag_report_log_line(&subject, conn->rules->config->log_format, line,
			   sizeof(line));
	ag_milter_count(&conn->verdict);
	ag_log(conn->verdict.reasons ? LOG_NOTICE : LOG_INFO, "%s", line);
}

/* ag_conn_queue_id - remember the queue id when the MTA tells it */
static void ag_conn_queue_id(SMFICTX *ctx, ag_conn_t *conn)
{
	const char *qid = smfi_getsymval(ctx, "i");

	if (qid == NULL)
		qid = smfi_getsymval(ctx, "{i}");
	if (qid != NULL)
		ag_report_sanitise(qid, conn->queue_id, sizeof(conn->queue_id));
}

/* ag_conn_refuse - reject or temp-fail with the contract's reply */
static sfsistat ag_conn_refuse(SMFICTX *ctx, ag_conn_t *conn)
{
	ag_report_subject_t subject = ag_conn_subject(conn);
	ag_smtp_reply_t reply;

	ag_report_reply(&subject, &reply);
	if (smfi_setreply(ctx, reply.code, reply.xcode, reply.text) != MI_SUCCESS)
		ag_log(LOG_WARNING, "queue_id=%s cannot set reply text",
		       conn->queue_id[0] ? conn->queue_id : "-");
	ag_conn_log(conn);
	ag_conn_end_message(conn);
	return reply.code[0] == '5' ? SMFIS_REJECT : SMFIS_TEMPFAIL;
}

/* ag_milter_eoh - decide now if DNS cannot change the verdict */
static sfsistat ag_milter_eoh(SMFICTX *ctx)
{
	ag_conn_t *conn = smfi_getpriv(ctx);
	ag_from_options_t options = {0};
	ag_policy_input_t input;

	if (conn == NULL || conn->rules == NULL)
		return SMFIS_TEMPFAIL;
	if (conn->internal_error)	/* deferred at end-of-message */
		return ag_conn_noreply(conn, SMFIP_NR_EOH);
	ag_conn_queue_id(ctx, conn);
	if (conn->dkim != NULL)
		conn->dkim_needs_body = ag_dkimverify_eoh(conn->dkim) == 1;
	options.allow_foreign_display_address =
		conn->rules->config->allow_display_address;
	ag_message_facts(&conn->message, &options, &conn->facts);
	input = ag_conn_policy_input(conn, NULL);
	conn->verdict = ag_policy_decide(&input);
	if (conn->verdict.needs_dns && ag_world->dns.collect != NULL) {
		/* read at end-of-message, with the DNS facts */
		if (ag_world->dns.prefetch != NULL)
			ag_world->dns.prefetch(ag_world->dns.state, conn->rules,
					       conn->verdict.entry);
		return ag_conn_noreply(conn, SMFIP_NR_EOH);
	}
	conn->decided = 1;
	if (conn->verdict.action >= AG_ACT_TEMPFAIL &&
	    !(conn->steps & SMFIP_NR_EOH))
		return ag_conn_refuse(ctx, conn);
	return ag_conn_noreply(conn, SMFIP_NR_EOH);
}

/* ag_milter_body - a body chunk, for signature verification only */
static sfsistat ag_milter_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	ag_conn_t *conn = smfi_getpriv(ctx);

	if (conn == NULL || conn->dkim == NULL || !conn->dkim_needs_body ||
	    conn->decided)
		return (conn != NULL && (conn->steps & SMFIP_SKIP)) ? SMFIS_SKIP
								     : SMFIS_CONTINUE;
	if (ag_dkimverify_body(conn->dkim, chunk, len) < 0)
		conn->dkim_needs_body = 0;
	return SMFIS_CONTINUE;
}

/* ag_conn_signature_fact - the verdict on the message's own signatures */
static void ag_conn_signature_fact(ag_conn_t *conn,
				   const ag_domain_entry_t *entry,
				   ag_dns_facts_t *dns)
{
	const ag_config_t *config = conn->rules->config;
	ag_dkimverify_policy_t policy = {
		.from_domain = conn->facts.from_domain,
		.psl = conn->rules->psl,
		.alignment = entry != NULL && entry->has_alignment ?
				     entry->alignment : config->alignment,
		.keys = {.min_key_bits = config->min_key_bits,
			 .allow_testing = config->allow_testing_keys},
	};

	if (dns->count >= AG_MAX_CHECKS)
		dns->count = AG_MAX_CHECKS - 1;
	if (conn->dkim == NULL) {
		/* verification could not start: never pass unverified */
		ag_check_fact_t *fact = &dns->checks[dns->count++];
		memset(fact, 0, sizeof(*fact));
		fact->kind = AG_CHECK_DKIM_SIGNATURE;
		fact->state = AG_CHECK_TEMPERROR;
		fact->reason = AG_R_DNS_TEMPERROR;
		snprintf(fact->name, sizeof(fact->name), "%s", AG_DKIMVERIFY_FACT_NAME);
		snprintf(fact->detail, sizeof(fact->detail),
			 "signature verification could not start");
		return;
	}
	ag_dkimverify_end(conn->dkim, &policy, &dns->checks[dns->count++]);
}

/* ag_conn_decide_with_dns - read the DNS facts, then decide */
static void ag_conn_decide_with_dns(ag_conn_t *conn)
{
	ag_policy_input_t input = ag_conn_policy_input(conn, NULL);
	const ag_domain_entry_t *entry = conn->verdict.entry;
	long begun = ag_milter_now_ms();
	ag_dns_facts_t dns;

	memset(&dns, 0, sizeof(dns));
	ag_world->dns.collect(ag_world->dns.state, conn->rules, entry,
			      begun + (long)conn->rules->config->dns_timeout_ms,
			      &dns);
	if (conn->rules->config->verify_signatures && ag_world->dkimverify != NULL)
		ag_conn_signature_fact(conn, entry, &dns);
	conn->dns_ms = ag_milter_now_ms() - begun;
	input.dns = &dns;
	conn->verdict = ag_policy_decide(&input);
	conn->decided = 1;
}

/* ag_conn_mark - remove incoming tag headers, quarantine, add our tag */
static int ag_conn_mark(SMFICTX *ctx, ag_conn_t *conn)
{
	const ag_verdict_t *verdict = &conn->verdict;
	const ag_config_t *config = conn->rules->config;
	ag_report_subject_t subject = ag_conn_subject(conn);
	char value[1024], codes[512];
	int failed = 0;

	for (unsigned i = conn->message.tag_fields; i >= 1; i--)
		failed |= smfi_chgheader(ctx, config->tag_header, (int)i, NULL) !=
			  MI_SUCCESS;
	if (verdict->action == AG_ACT_QUARANTINE) {
		ag_reasons_format(verdict->reasons, ',', codes, sizeof(codes));
		snprintf(value, sizeof(value), "alignguard: %s", codes);
		failed |= smfi_quarantine(ctx, value) != MI_SUCCESS;
	}
	if (!verdict->checked)
		return failed ? -1 : 0;
	if ((verdict->reasons != 0 && verdict->action >= AG_ACT_TAG) ||
	    (verdict->reasons == 0 && config->tag_pass)) {
		ag_report_tag(&subject, value, sizeof(value));
		failed |= smfi_insheader(ctx, 0, config->tag_header, value) !=
			  MI_SUCCESS;
	}
	return failed ? -1 : 0;
}

/* ag_milter_eom - decide if not done yet, apply, log */
static sfsistat ag_milter_eom(SMFICTX *ctx)
{
	ag_conn_t *conn = smfi_getpriv(ctx);

	if (conn == NULL || conn->rules == NULL)
		return SMFIS_TEMPFAIL;
	ag_conn_queue_id(ctx, conn);
	if (conn->internal_error) {
		ag_log(LOG_ERR, "queue_id=%s deferred: the message could not be "
		       "checked (out of memory)",
		       conn->queue_id[0] ? conn->queue_id : "-");
		ag_conn_end_message(conn);
		return SMFIS_TEMPFAIL;
	}
	if (!conn->decided)
		ag_conn_decide_with_dns(conn);
	if (conn->verdict.action >= AG_ACT_TEMPFAIL)
		return ag_conn_refuse(ctx, conn);
	if (ag_conn_mark(ctx, conn) < 0) {
		ag_log(LOG_ERR, "queue_id=%s the MTA refused a header change or "
		       "quarantine; deferring the message",
		       conn->queue_id[0] ? conn->queue_id : "-");
		return SMFIS_TEMPFAIL;
	}
	ag_conn_log(conn);
	ag_conn_end_message(conn);
	return SMFIS_CONTINUE;
}

/* ag_milter_abort - the transaction ended early */
static sfsistat ag_milter_abort(SMFICTX *ctx)
{
	ag_conn_t *conn = smfi_getpriv(ctx);

	if (conn != NULL)
		ag_conn_end_message(conn);
	return SMFIS_CONTINUE;
}

/* ag_milter_close - the connection ended */
static sfsistat ag_milter_close(SMFICTX *ctx)
{
	ag_conn_t *conn = smfi_getpriv(ctx);

	if (conn != NULL) {
		ag_conn_end_message(conn);
		free(conn);
		smfi_setpriv(ctx, NULL);
		__atomic_sub_fetch(&ag_active_connections, 1, __ATOMIC_RELAXED);
	}
	return SMFIS_CONTINUE;
}

static struct smfiDesc ag_milter_desc = {
	.xxfi_name = "alignguard",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE,
	.xxfi_connect = ag_milter_connect,
	.xxfi_envfrom = ag_milter_envfrom,
	.xxfi_header = ag_milter_header,
	.xxfi_eoh = ag_milter_eoh,
	.xxfi_body = ag_milter_body,
	.xxfi_eom = ag_milter_eom,
	.xxfi_abort = ag_milter_abort,
	.xxfi_close = ag_milter_close,
	.xxfi_negotiate = ag_milter_negotiate,
};

/* ag_milter_description - for smfi_register */
struct smfiDesc *ag_milter_description(void)
{
	return &ag_milter_desc;
}
