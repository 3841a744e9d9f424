/*
 * main.c - the alignguard daemon: command line, start-up, signals.
 *
 *   alignguard [-c FILE] [-f] [-t] [-V]
 *
 * Start-up reads the configuration, the verified-domain table and the
 * Public Suffix List (all problems are reported, each as file:line), opens
 * the milter socket as root, gives it to UserID, drops root and serves.
 * SIGHUP reloads everything atomically; a bad reload keeps the running
 * rules and logs why. SIGTERM and SIGINT stop accepting connections and
 * wait (up to 30 s) for messages in flight.
 *
 * libmilter runs its own signal thread that stops the milter on SIGHUP;
 * so the main thread keeps these signals unblocked with handlers
 * (SA_NODEFER), while every other thread blocks them: the kernel then
 * hands process signals to the main thread, which acts on them outside
 * the handler through a pipe.
 */
#ifdef HAVE_CONFIG_H
#include "build-config.h"
#endif

#include <errno.h>
#include <libmilter/mfapi.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "log.h"
#include "milter.h"
#include "service.h"
#include "snapshot.h"

#define AG_SHUTDOWN_WAIT_MS 30000

static int ag_signal_pipe[2] = {-1, -1};
static int ag_listeners[AG_DAEMON_MAX_LISTENERS];
static int ag_listener_count;
static ag_snapshot_slot_t ag_rules = AG_SNAPSHOT_SLOT_INIT;

/* ag_main_usage - print the command line */
static void ag_main_usage(FILE *fp)
{
	fprintf(fp, "usage: alignguard [-c config] [-f] [-t] [-V]\n"
		    "  -c FILE  configuration file (default %s)\n"
		    "  -f       stay in the foreground, log to standard error\n"
		    "  -t       check the configuration and domain table, then exit\n"
		    "  -V       print the version and exit\n",
		AG_DEFAULT_CONFIG_FILE);
}

/* ag_main_print_diag - every problem, one per line */
static void ag_main_print_diag(const ag_diag_t *diag, int to_log)
{
	for (size_t i = 0; i < diag->count; i++) {
		if (to_log)
			ag_log(LOG_ERR, "%s", diag->messages[i]);
		else
			fprintf(stderr, "%s\n", diag->messages[i]);
	}
}

/* ag_main_on_signal - hand the signal to the main loop */
static void ag_main_on_signal(int sig)
{
	unsigned char byte = (unsigned char)sig;
	int saved = errno;

	if (write(ag_signal_pipe[1], &byte, 1) < 0) {
		/* the pipe is full: a signal is already waiting */
	}
	errno = saved;
}

/* ag_main_signal_set - the signals the main thread acts on */
static void ag_main_signal_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGUSR1);
}

/* ag_main_install_handlers - handlers in the main thread only */
static int ag_main_install_handlers(void)
{
	struct sigaction action;
	sigset_t set;

	memset(&action, 0, sizeof(action));
	action.sa_handler = ag_main_on_signal;
	action.sa_flags = SA_NODEFER | SA_RESTART;
	sigemptyset(&action.sa_mask);
	ag_main_signal_set(&set);
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(&set, sig) == 1 && sigaction(sig, &action, NULL) != 0)
			return -1;
	signal(SIGPIPE, SIG_IGN);
	return pthread_sigmask(SIG_UNBLOCK, &set, NULL) == 0 ? 0 : -1;
}

/* ag_main_reload - SIGHUP: load anew, publish or keep the old rules */
static void ag_main_reload(const char *path, ag_service_t *service)
{
	ag_diag_t diag;
	ag_snapshot_t *snapshot;

	ag_diag_init(&diag);
	snapshot = ag_snapshot_load(path, &diag);
	if (snapshot == NULL) {
		ag_main_print_diag(&diag, 1);
		ag_log(LOG_ERR, "event=reload-failed config=%s: keeping the "
		       "running configuration", path);
	} else {
		ag_service_reload(service, snapshot);
		ag_snapshot_publish(&ag_rules, snapshot);
		ag_log(LOG_INFO, "event=reload config=%s domains=%zu generation=%u",
		       path, ag_domains_count(snapshot->domains),
		       snapshot->generation);
	}
	ag_diag_clear(&diag);
}

/* ag_main_milter_thread - libmilter's accept loop */
static void *ag_main_milter_thread(void *arg)
{
	int *status = arg;
	unsigned char byte = 0;

	*status = smfi_main();
	if (write(ag_signal_pipe[1], &byte, 1) < 0) {
		/* the main loop is already stopping */
	}
	return NULL;
}

/* ag_main_wait_in_flight - let open connections finish, bounded */
static void ag_main_wait_in_flight(void)
{
	long until = ag_milter_now_ms() + AG_SHUTDOWN_WAIT_MS;

	while (ag_milter_active() > 0 && ag_milter_now_ms() < until)
		usleep(50 * 1000);
	if (ag_milter_active() > 0)
		ag_log(LOG_WARNING, "stopping with %d connections still open",
		       ag_milter_active());
}

/* ag_main_serve - run the milter, act on signals until told to stop */
static int ag_main_serve(const char *path, ag_service_t *service)
{
	pthread_t thread;
	int status = MI_SUCCESS, asked_to_stop = 0;
	sigset_t set;
	unsigned char sig;

	ag_main_signal_set(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (pthread_create(&thread, NULL, ag_main_milter_thread, &status) != 0) {
		ag_log(LOG_ERR, "cannot start the milter thread");
		return 1;
	}
	if (ag_main_install_handlers() != 0) {
		ag_log(LOG_ERR, "cannot install signal handlers: %s", strerror(errno));
		smfi_stop();
	}
	for (;;) {
		ssize_t n = read(ag_signal_pipe[0], &sig, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || sig == 0)
			break;
		if (sig == SIGTERM || sig == SIGINT) {
			asked_to_stop = 1;
			break;
		}
		if (sig == SIGHUP)
			ag_main_reload(path, service);
		else if (sig == SIGUSR1)
			ag_service_log_stats(service);
	}
	ag_log(LOG_INFO, "event=stop: finishing messages in flight");
	/* wake libmilter's accept loop now rather than at its next poll timeout */
	for (int i = 0; i < ag_listener_count; i++)
		shutdown(ag_listeners[i], SHUT_RDWR);
	smfi_stop();
	ag_main_wait_in_flight();
	pthread_join(thread, NULL);
	/* a stop we asked for ends libmilter's accept loop with an error */
	return asked_to_stop || status == MI_SUCCESS ? 0 : 1;
}

/* ag_main_open_socket - register, open the socket, set its access */
static int ag_main_open_socket(const ag_config_t *config,
			       const ag_identity_t *id)
{
	char err[512];

	if (smfi_setconn(config->socket) != MI_SUCCESS ||
	    smfi_register(*ag_milter_description()) != MI_SUCCESS) {
		ag_log(LOG_ERR, "cannot register with libmilter (Socket %s)",
		       config->socket);
		return -1;
	}
	smfi_settimeout(60);
	if (smfi_opensocket(1) != MI_SUCCESS) {
		ag_log(LOG_ERR, "cannot open Socket %s", config->socket);
		return -1;
	}
	if (ag_daemon_socket_access(config->socket, id, err, sizeof(err)) != 0) {
		ag_log(LOG_ERR, "%s", err);
		return -1;
	}
	ag_listener_count = ag_daemon_listeners(ag_listeners,
						AG_DAEMON_MAX_LISTENERS);
	ag_daemon_nodelay_listeners(ag_listeners, ag_listener_count);
	return 0;
}

/* ag_main_start - become a daemon with the loaded rules and serve */
static int ag_main_start(const char *path, ag_snapshot_t *snapshot,
			 int foreground)
{
	const ag_config_t *config = snapshot->config;
	char *pid_file = NULL;
	ag_identity_t id, *identity = NULL;
	ag_service_t *service;
	char err[512];
	int status;

	if (config->user_id != NULL) {
		if (ag_daemon_identity(config->user_id, &id, err, sizeof(err)) != 0)
			goto fail;
		identity = &id;
	}
	if (ag_main_open_socket(config, identity) != 0)
		return 1;
	if (!foreground && ag_daemon_detach(err, sizeof(err)) != 0)
		goto fail;
	if (config->pid_file != NULL) {
		if ((pid_file = strdup(config->pid_file)) == NULL) {
			snprintf(err, sizeof(err), "out of memory");
			goto fail;
		}
		if (ag_daemon_write_pid(pid_file, err, sizeof(err)) != 0)
			goto fail;
	}
	if ((service = ag_service_create(snapshot, err, sizeof(err))) == NULL)
		goto fail;
	if (identity != NULL &&
	    ag_daemon_drop_privileges(identity, err, sizeof(err)) != 0)
		goto fail;
	ag_snapshot_publish(&ag_rules, snapshot);
	ag_milter_init(ag_service_world(service, &ag_rules));
	ag_log(LOG_INFO, "event=start version=%s socket=%s domains=%zu mode=%s",
	       PACKAGE_VERSION, config->socket,
	       ag_domains_count(snapshot->domains), ag_mode_name(config->mode));
	/* after serving, `config` may be gone: a reload freed its snapshot */
	status = ag_main_serve(path, service);
	if (pid_file != NULL)
		unlink(pid_file);
	free(pid_file);
	ag_service_destroy(service);
	ag_log(LOG_INFO, "event=exit status=%d", status);
	return status;
fail:
	ag_log(LOG_ERR, "%s", err);
	free(pid_file);
	return 1;
}

int main(int argc, char **argv)
{
	const char *path = AG_DEFAULT_CONFIG_FILE;
	int foreground = 0, test_only = 0, opt;
	ag_snapshot_t *snapshot;
	ag_diag_t diag;

	while ((opt = getopt(argc, argv, "c:ftVh")) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 'f':
			foreground = 1;
			break;
		case 't':
			test_only = 1;
			break;
		case 'V':
			printf("alignguard %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			ag_main_usage(stdout);
			return 0;
		default:
			ag_main_usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		ag_main_usage(stderr);
		return 2;
	}
	ag_diag_init(&diag);
	snapshot = ag_snapshot_load(path, &diag);
	if (snapshot == NULL || test_only) {
		ag_main_print_diag(&diag, 0);
		if (snapshot != NULL)
			printf("%s: OK (%zu verified domains)\n", path,
			       ag_domains_count(snapshot->domains));
		ag_diag_clear(&diag);
		ag_snapshot_unref(snapshot);
		return snapshot != NULL ? 0 : 1;
	}
	ag_diag_clear(&diag);
	if (pipe(ag_signal_pipe) != 0 ||
	    ag_log_open("alignguard", foreground,
			snapshot->config->syslog_facility) != 0) {
		fprintf(stderr, "alignguard: cannot start logging\n");
		return 1;
	}
	return ag_main_start(path, snapshot, foreground);
}
