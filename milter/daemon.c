/*
 * daemon.c - detaching, pid file, socket permissions, dropping root
 * (see daemon.h).
 */
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* ag_daemon_identity - resolve user[:group] */
int ag_daemon_identity(const char *spec, ag_identity_t *id, char *err,
		       size_t errsize)
{
	char user[64];
	const char *colon = strchr(spec, ':');
	size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
	struct passwd *pw;

	if (len == 0 || len >= sizeof(user)) {
		snprintf(err, errsize, "UserID %s: bad user name", spec);
		return -1;
	}
	memcpy(user, spec, len);
	user[len] = '\0';
	if ((pw = getpwnam(user)) == NULL) {
		snprintf(err, errsize, "UserID %s: no such user", user);
		return -1;
	}
	id->uid = pw->pw_uid;
	id->gid = pw->pw_gid;
	strcpy(id->user, user);
	if (colon != NULL) {
		struct group *gr = getgrnam(colon + 1);
		if (gr == NULL) {
			snprintf(err, errsize, "UserID %s: no such group", colon + 1);
			return -1;
		}
		id->gid = gr->gr_gid;
	}
	return 0;
}

/* ag_daemon_detach - run in the background */
int ag_daemon_detach(char *err, size_t errsize)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0) {
		snprintf(err, errsize, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0)
		_exit(0);
	if (setsid() < 0) {
		snprintf(err, errsize, "setsid: %s", strerror(errno));
		return -1;
	}
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	if (chdir("/") != 0) {
		snprintf(err, errsize, "chdir /: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* ag_daemon_write_pid - the pid file */
int ag_daemon_write_pid(const char *path, char *err, size_t errsize)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL) {
		snprintf(err, errsize, "PidFile %s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(fp, "%ld\n", (long)getpid());
	if (fclose(fp) != 0) {
		snprintf(err, errsize, "PidFile %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* ag_daemon_socket_path - the file of a unix socket spec, or NULL */
static const char *ag_daemon_socket_path(const char *spec)
{
	if (strncmp(spec, "unix:", 5) == 0)
		return spec + 5;
	if (strncmp(spec, "local:", 6) == 0)
		return spec + 6;
	if (spec[0] == '/')
		return spec;
	return NULL;
}

/* ag_daemon_socket_access - owner and mode of a unix socket */
int ag_daemon_socket_access(const char *socket_spec, const ag_identity_t *id,
			    char *err, size_t errsize)
{
	const char *path = ag_daemon_socket_path(socket_spec);

	if (path == NULL)
		return 0;
	if (id != NULL && chown(path, id->uid, id->gid) != 0) {
		snprintf(err, errsize, "socket %s: chown: %s", path, strerror(errno));
		return -1;
	}
	if (chmod(path, 0660) != 0) {
		snprintf(err, errsize, "socket %s: chmod: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* ag_daemon_listeners - listening sockets of the process */
int ag_daemon_listeners(int *fds, int max)
{
	struct rlimit limit;
	int found = 0, last = 1024;

	if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < 1024)
		last = (int)limit.rlim_cur;
	for (int fd = 3; fd < last && found < max; fd++) {
		int listening = 0;
		socklen_t optlen = sizeof(listening);

		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening,
			       &optlen) == 0 && listening)
			fds[found++] = fd;
	}
	return found;
}

/* ag_daemon_nodelay_listeners - TCP_NODELAY on listening TCP sockets */
int ag_daemon_nodelay_listeners(const int *fds, int count)
{
	int changed = 0, one = 1;

	for (int i = 0; i < count; i++) {
		struct sockaddr_storage addr;
		socklen_t len = sizeof(addr);

		if (getsockname(fds[i], (struct sockaddr *)&addr, &len) != 0 ||
		    (addr.ss_family != AF_INET && addr.ss_family != AF_INET6))
			continue;
		if (setsockopt(fds[i], IPPROTO_TCP, TCP_NODELAY, &one,
			       sizeof(one)) == 0)
			changed++;
	}
	return changed;
}

/* ag_daemon_drop_privileges - setgid, initgroups, setuid */
int ag_daemon_drop_privileges(const ag_identity_t *id, char *err, size_t errsize)
{
	if (setgid(id->gid) != 0 || initgroups(id->user, id->gid) != 0 ||
	    setuid(id->uid) != 0) {
		snprintf(err, errsize, "cannot become %s: %s", id->user,
			 strerror(errno));
		return -1;
	}
	if (id->uid != 0 && setuid(0) == 0) {
		snprintf(err, errsize, "could regain root after becoming %s", id->user);
		return -1;
	}
	return 0;
}
