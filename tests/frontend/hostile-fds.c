/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The fds the hostile catalogue passes: eventfds, memfds, and every kind of
 * fd that is not what the back-end expects (pipes, files, directories,
 * sockets, O_PATH fds, /dev/null, sealed memfds).
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/frontend/hostile.h"

/**
 * hx_fd_kind_name() - printable name of a kind of fd
 * @kind:	the kind
 *
 * Return: e.g. "pipe (writer gone)"
 */
const char *hx_fd_kind_name(enum hx_fd_kind kind)
{
	static const char *const names[] = {
		[HX_FD_EVENTFD] = "eventfd",
		[HX_FD_MEMFD] = "memfd",
		[HX_FD_PIPE_EOF] = "pipe (writer gone)",
		[HX_FD_PIPE_W] = "pipe write end (reader gone)",
		[HX_FD_FILE] = "regular file",
		[HX_FD_FILE_RO] = "read-only regular file",
		[HX_FD_DIR] = "directory",
		[HX_FD_SOCK_EOF] = "stream socket (peer gone)",
		[HX_FD_SOCK_SHORT] = "stream socket (3 bytes pending)",
		[HX_FD_OPATH] = "O_PATH fd",
		[HX_FD_DEVNULL] = "/dev/null",
		[HX_FD_SEALED] = "memfd sealed against writes",
	};

	return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}

/**
 * sized_memfd() - a memfd of @size bytes
 * @size:	bytes
 * @flags:	memfd_create() flags besides MFD_CLOEXEC
 *
 * Return: the fd, -1 with errno set on failure
 */
static int sized_memfd(uint64_t size, unsigned int flags)
{
	int fd = memfd_create("qd-hostile", MFD_CLOEXEC | flags);

	if (fd >= 0 && ftruncate(fd, (off_t)size)) {
		close(fd);
		return -1;
	}
	return fd;
}

/**
 * read_only_file() - a regular file of @size bytes, opened read-only
 * @size:	bytes
 *
 * Return: the fd, -1 with errno set on failure
 */
static int read_only_file(uint64_t size)
{
	char path[64];
	int rw = sized_memfd(size, 0), fd;

	if (rw < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", rw);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	close(rw);
	return fd;
}

/**
 * pipe_end() - one end of a pipe whose other end is closed
 * @keep:	0 for the read end, 1 for the write end
 *
 * Return: the fd, -1 with errno set on failure
 */
static int pipe_end(int keep)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC))
		return -1;
	close(p[!keep]);
	return p[keep];
}

/**
 * socket_end() - one end of a stream socket pair
 * @pending:	bytes the other end writes before it closes
 * @len:	their number
 *
 * Return: the fd, -1 with errno set on failure
 */
static int socket_end(const void *pending, size_t len)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -1;
	if (len && write(sv[1], pending, len) != (ssize_t)len) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	close(sv[1]);
	return sv[0];
}

/**
 * sealed_memfd() - a memfd nobody may write to any more
 * @size:	bytes
 *
 * Return: the fd, -1 with errno set on failure
 */
static int sealed_memfd(uint64_t size)
{
	int fd = sized_memfd(size, MFD_ALLOW_SEALING);

	if (fd >= 0 &&
	    fcntl(fd, F_ADD_SEALS,
		  F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)) {
		close(fd);
		return -1;
	}
	return fd;
}

/**
 * hx_fd_make() - an fd of a given kind, to pass to the back-end
 * @kind:	what it is
 * @size:	size of a memfd or file (ignored for the others)
 * @errp:	error on failure
 *
 * Return: the fd, -1 on failure
 */
int hx_fd_make(enum hx_fd_kind kind, uint64_t size, struct error **errp)
{
	int fd = -1, tmp;

	switch (kind) {
	case HX_FD_EVENTFD:
		fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		break;
	case HX_FD_MEMFD:
		fd = sized_memfd(size, 0);
		break;
	case HX_FD_PIPE_EOF:
		fd = pipe_end(0);
		break;
	case HX_FD_PIPE_W:
		fd = pipe_end(1);
		break;
	case HX_FD_FILE:
		fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
		if (fd >= 0 && ftruncate(fd, (off_t)size)) {
			tmp = errno;
			close(fd);
			fd = -1;
			errno = tmp;
		}
		break;
	case HX_FD_FILE_RO:
		fd = read_only_file(size);
		break;
	case HX_FD_DIR:
		fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		break;
	case HX_FD_SOCK_EOF:
		fd = socket_end(NULL, 0);
		break;
	case HX_FD_SOCK_SHORT:
		fd = socket_end("abc", 3);
		break;
	case HX_FD_OPATH:
		fd = open("/", O_PATH | O_CLOEXEC);
		break;
	case HX_FD_DEVNULL:
		fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		break;
	case HX_FD_SEALED:
		fd = sealed_memfd(size);
		break;
	}
	if (fd < 0)
		error_setg_errno(errp, errno, "making a %s",
				 hx_fd_kind_name(kind));
	return fd;
}

/**
 * hx_close_fds() - close an array of fds, skipping -1
 * @fds:	the fds, set to -1
 * @n:		their number
 */
void hx_close_fds(int *fds, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}
