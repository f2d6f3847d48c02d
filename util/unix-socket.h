/* SPDX-License-Identifier: GPL-2.0-or-later */
/* UNIX socket files we create, and sockets a manager hands us.
 *
 * A program that binds a socket path must replace the file a crashed
 * predecessor left, but never a server that still listens there, nor a file
 * that is not a socket; and at exit it must remove only the file it created,
 * not one that a successor put in its place. The vhost-user server, the QMP
 * monitor and the socket netdevs all follow these rules through here.
 *
 * A socket file is removed through a directory fd kept from the time it was
 * bound: by exit, the sandbox may have left the program an empty root in
 * which the path leads nowhere. The sandbox moves these fds into its root
 * (unix_socket_files_foreach()), so that they lead to the sockets'
 * directories and nowhere else.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_UTIL_UNIX_SOCKET_H
#define QD_UTIL_UNIX_SOCKET_H

#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"

/* A socket file we bound: its path and identity (path NULL: none) */
struct unix_socket_file {
	char *path;
	int dirfd;  /* O_PATH fd of its directory (valid if path) */
	char *name; /* its name in that directory */
	dev_t dev;
	ino_t ino;
	struct unix_socket_file *next; /* the files recorded, while recorded */
};

/*
 * unix_socket_clear_stale() - make @path free to bind a socket of @type
 * (SOCK_STREAM, SOCK_DGRAM): nothing there, or a socket file nobody is bound
 * to (connect() is refused), which is removed. A file that is not a socket,
 * a live server (connect() succeeds, or its backlog is full) and a path too
 * long for sun_path are refused; errors name the path.
 */
bool unix_socket_clear_stale(const char *path, int type, struct error **errp);
/*
 * unix_socket_file_record() - remember the socket file just bound at @path,
 * so unix_socket_file_remove() removes it and nothing else
 */
bool unix_socket_file_record(struct unix_socket_file *file, const char *path,
			     struct error **errp);
/* unix_socket_file_remove() - unlink the file if it is still ours; forget it */
void unix_socket_file_remove(struct unix_socket_file *file);
/*
 * unix_socket_files_foreach() - call @fn with the directory fd of every file
 * recorded and not removed, in the same order each time (while none is
 * recorded or removed); @fn may replace the fd with one of the same
 * directory. Stops at the first false @fn returns. Return: false if @fn did.
 */
bool unix_socket_files_foreach(bool (*fn)(int *dirfd, void *opaque),
			       void *opaque);
/*
 * unix_socket_listen() - a listening UNIX stream socket at @path,
 * non-blocking and close-on-exec, after unix_socket_clear_stale(); @file
 * records what was created. Return: the fd, or -1.
 */
int unix_socket_listen(const char *path, int backlog,
		       struct unix_socket_file *file, struct error **errp);
/*
 * unix_socket_adopt() - check an inherited fd: a UNIX stream socket, made
 * close-on-exec; *@listening says whether it listens, and a listening one is
 * made non-blocking. Errors name the fd ("fd 5 is not a socket").
 */
bool unix_socket_adopt(int fd, bool *listening, struct error **errp);

#endif /* QD_UTIL_UNIX_SOCKET_H */
