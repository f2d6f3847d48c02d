/* SPDX-License-Identifier: GPL-2.0-or-later */
/* UNIX socket files we create, and sockets a manager hands us.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/unix-socket.h"

/* The files recorded and not yet removed (sockets of any thread) */
static struct unix_socket_file *unix_socket_files;
static pthread_mutex_t unix_socket_files_lock = PTHREAD_MUTEX_INITIALIZER;

/**
 * unix_socket_addr() - Fill a sockaddr_un with @path
 * @addr:	address to fill
 * @path:	socket path
 * @errp:	set if @path does not fit
 *
 * Return: true if it fits
 */
static bool unix_socket_addr(struct sockaddr_un *addr, const char *path,
			     struct error **errp)
{
	size_t len = strlen(path);

	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	if (len >= sizeof(addr->sun_path)) {
		error_setg(errp, "socket path %s is longer than %zu bytes",
			   path, sizeof(addr->sun_path) - 1);
		return false;
	}
	memcpy(addr->sun_path, path, len + 1);
	return true;
}

/**
 * unix_socket_clear_stale() - Make a path free to bind, removing a dead socket
 * @path:	socket path
 * @type:	SOCK_STREAM or SOCK_DGRAM: the probe's type
 * @errp:	set if the path is taken or cannot be checked
 *
 * Return: true if @path is free to bind
 */
bool unix_socket_clear_stale(const char *path, int type, struct error **errp)
{
	struct sockaddr_un addr;
	struct stat st;
	int fd, r;

	if (!unix_socket_addr(&addr, path, errp))
		return false;
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return true;
		error_setg_errno(errp, errno, "socket path %s", path);
		return false;
	}
	if (!S_ISSOCK(st.st_mode)) {
		error_setg(errp, "%s exists and is not a socket", path);
		return false;
	}
	/*
	 * Only a socket nobody is bound to is stale: connect() says so with
	 * ECONNREFUSED. Anything else (success, EAGAIN from a server whose
	 * backlog is full, EACCES, ...) leaves the file alone. Non-blocking,
	 * as a blocking connect() waits for room in that backlog.
	 */
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		error_setg_errno(errp, errno, "socket");
		return false;
	}
	r = connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ? errno : 0;
	close(fd);
	if (r == 0 || r == EAGAIN || r == EINPROGRESS) {
		error_setg(errp, "%s: another server is listening on it", path);
		return false;
	}
	if (r != ECONNREFUSED && r != ENOENT) {
		error_setg_errno(errp, r, "%s: probing for a server", path);
		return false;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		error_setg_errno(errp, errno, "removing stale socket %s", path);
		return false;
	}
	return true;
}

/**
 * unix_socket_file_record() - Remember the socket file just bound
 * @file:	where to record it
 * @path:	its path
 * @errp:	set if it cannot be looked at or out of memory
 *
 * Return: true on success
 */
bool unix_socket_file_record(struct unix_socket_file *file, const char *path,
			     struct error **errp)
{
	char *dir_copy = strdup(path), *name_copy = strdup(path);
	struct stat st;
	int dirfd = -1;

	if (!dir_copy || !name_copy) {
		error_setg(errp, "out of memory");
		goto fail;
	}
	dirfd = open(dirname(dir_copy), O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		error_setg_errno(errp, errno, "directory of %s", path);
		goto fail;
	}
	file->name = strdup(basename(name_copy));
	file->path = strdup(path);
	if (!file->name || !file->path) {
		error_setg(errp, "out of memory");
		goto fail;
	}
	if (fstatat(dirfd, file->name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		error_setg_errno(errp, errno, "%s", path);
		goto fail;
	}
	file->dirfd = dirfd;
	file->dev = st.st_dev;
	file->ino = st.st_ino;
	pthread_mutex_lock(&unix_socket_files_lock);
	file->next = unix_socket_files;
	unix_socket_files = file;
	pthread_mutex_unlock(&unix_socket_files_lock);
	free(dir_copy);
	free(name_copy);
	return true;
fail:
	free(file->name);
	free(file->path);
	file->name = file->path = NULL;
	if (dirfd >= 0)
		close(dirfd);
	free(dir_copy);
	free(name_copy);
	return false;
}

/**
 * unix_socket_file_remove() - Remove the file we bound, if it is still ours
 * @file:	what unix_socket_file_record() recorded (may be empty)
 *
 * Through the directory fd, so that it works in the sandbox's empty root.
 */
void unix_socket_file_remove(struct unix_socket_file *file)
{
	struct unix_socket_file **p;
	struct stat st;

	if (!file->path)
		return;
	pthread_mutex_lock(&unix_socket_files_lock);
	for (p = &unix_socket_files; *p && *p != file; p = &(*p)->next)
		;
	if (*p)
		*p = file->next;
	pthread_mutex_unlock(&unix_socket_files_lock);
	if (fstatat(file->dirfd, file->name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISSOCK(st.st_mode) && st.st_dev == file->dev &&
	    st.st_ino == file->ino)
		unlinkat(file->dirfd, file->name, 0);
	close(file->dirfd);
	free(file->name);
	free(file->path);
	file->name = file->path = NULL;
}

/**
 * unix_socket_files_foreach() - Visit the directory fd of every file recorded
 * @fn:		called with a pointer to the fd, which it may replace
 * @opaque:	its argument
 *
 * The same order every time, as long as no file is recorded or removed.
 *
 * Return: false as soon as @fn returns false
 */
bool unix_socket_files_foreach(bool (*fn)(int *dirfd, void *opaque),
			       void *opaque)
{
	struct unix_socket_file *f;
	bool ok = true;

	pthread_mutex_lock(&unix_socket_files_lock);
	for (f = unix_socket_files; f && ok; f = f->next)
		ok = fn(&f->dirfd, opaque);
	pthread_mutex_unlock(&unix_socket_files_lock);
	return ok;
}

/**
 * unix_socket_listen() - Create a listening UNIX stream socket at a path
 * @path:	socket path
 * @backlog:	listen() backlog
 * @file:	records the file created
 * @errp:	set on failure, naming the path
 *
 * Return: the listening fd (non-blocking, close-on-exec), or -1
 */
int unix_socket_listen(const char *path, int backlog,
		       struct unix_socket_file *file, struct error **errp)
{
	struct sockaddr_un addr;
	int fd;

	if (!unix_socket_addr(&addr, path, errp) ||
	    !unix_socket_clear_stale(path, SOCK_STREAM, errp))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		error_setg_errno(errp, errno, "socket");
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		error_setg_errno(errp, errno, "bind %s", path);
		close(fd);
		return -1;
	}
	if (!unix_socket_file_record(file, path, errp)) {
		unlink(path);
		close(fd);
		return -1;
	}
	if (listen(fd, backlog) < 0) {
		error_setg_errno(errp, errno, "listen on %s", path);
		unix_socket_file_remove(file);
		close(fd);
		return -1;
	}
	return fd;
}

/**
 * unix_socket_adopt() - Check and prepare an inherited UNIX stream socket
 * @fd:		the socket
 * @listening:	set to whether it listens
 * @errp:	set if it is not a UNIX stream socket, naming @fd
 *
 * Return: true if @fd can be used
 */
bool unix_socket_adopt(int fd, bool *listening, struct error **errp)
{
	int domain, type, acceptconn, flags;
	socklen_t len = sizeof(int);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0) {
		error_setg_errno(errp, errno, "fd %d is not a socket", fd);
		return false;
	}
	len = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
	    domain != AF_UNIX || type != SOCK_STREAM) {
		error_setg(errp, "fd %d is not a UNIX stream socket", fd);
		return false;
	}
	len = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acceptconn, &len) < 0) {
		error_setg_errno(errp, errno, "fd %d: SO_ACCEPTCONN", fd);
		return false;
	}
	flags = fcntl(fd, F_GETFD);
	if (flags < 0 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0) {
		error_setg_errno(errp, errno, "fd %d: FD_CLOEXEC", fd);
		return false;
	}
	*listening = acceptconn;
	if (!acceptconn)
		return true;
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		error_setg_errno(errp, errno, "fd %d: O_NONBLOCK", fd);
		return false;
	}
	return true;
}
