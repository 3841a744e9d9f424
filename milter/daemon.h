/*
 * daemon.h - the process chores of a Unix daemon: detaching from the
 * terminal, the pid file, the socket's owner and mode, and dropping root
 * (after the socket is open and keys are read).
 *
 * Each function returns 0, or -1 after writing a reason into err.
 */
#ifndef AG_DAEMON_H
#define AG_DAEMON_H

#include <stddef.h>
#include <sys/types.h>

typedef struct ag_identity {
	uid_t uid;
	gid_t gid;
	char user[64];
} ag_identity_t;

/* ag_daemon_identity - resolve "user" or "user:group" */
int ag_daemon_identity(const char *spec, ag_identity_t *id, char *err, size_t errsize);

/* ag_daemon_detach - fork into the background, new session, stdio to /dev/null */
int ag_daemon_detach(char *err, size_t errsize);

/* ag_daemon_write_pid - write our pid into path */
int ag_daemon_write_pid(const char *path, char *err, size_t errsize);

/*
 * ag_daemon_socket_access - for a unix:/local: socket spec, give the socket
 * file to the identity's user and group, mode 0660, so the MTA's group can
 * connect; other socket kinds need nothing.
 */
int ag_daemon_socket_access(const char *socket_spec, const ag_identity_t *id,
			    char *err, size_t errsize);

#define AG_DAEMON_MAX_LISTENERS 8

/*
 * ag_daemon_listeners - the listening sockets of the process (libmilter's,
 * which it does not expose); returns how many it wrote into fds.
 */
int ag_daemon_listeners(int *fds, int max);

/*
 * ag_daemon_nodelay_listeners - set TCP_NODELAY on listening TCP sockets,
 * so that accepted connections inherit it: without it, a reply that
 * follows a header change at end-of-message waits for the MTA's delayed
 * ACK (about 40 ms per message on Linux). Returns how many it changed.
 */
int ag_daemon_nodelay_listeners(const int *fds, int count);

/* ag_daemon_drop_privileges - become the identity for good */
int ag_daemon_drop_privileges(const ag_identity_t *id, char *err, size_t errsize);

#endif
