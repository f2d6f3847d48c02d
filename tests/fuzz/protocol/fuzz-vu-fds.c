/* SPDX-License-Identifier: GPL-2.0-or-later */
/* File descriptor recipes of the vhost-user fuzz target (see the header).
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/fuzz/protocol/fuzz-vu-fds.h"

/**
 * fuzz_fds_init() - No fd made yet
 * @f:		the set
 */
void fuzz_fds_init(struct fuzz_fds *f)
{
	f->n_made = 0;
	f->n_peers = 0;
}

/**
 * fuzz_fd_pair() - Keep one end of a pair as a peer, return the other
 * @f:		the set
 * @pair:	the two ends
 * @send:	index of the end to send
 *
 * Return: the end to send
 */
static int fuzz_fd_pair(struct fuzz_fds *f, const int pair[2], int send)
{
	f->peers[f->n_peers++] = pair[!send];
	return pair[send];
}

/**
 * fuzz_fd_cook() - Make the fd of one recipe
 * @f:		the set (for peers and earlier fds)
 * @kind:	recipe kind
 * @in:		input, for the recipe's argument
 *
 * Return: the fd, or -1 if the system refused (the fd is then not sent)
 */
static int fuzz_fd_cook(struct fuzz_fds *f, enum fuzz_fd_kind kind,
			struct fuzz_input *in)
{
	uint32_t pages;
	int pair[2], fd;

	switch (kind) {
	case FUZZ_FD_MEMFD:
		pages = fuzz_u32(in) % (FUZZ_MEMFD_MAX_PAGES + 1);
		fd = memfd_create("fuzz-guest", MFD_CLOEXEC);
		if (fd >= 0 &&
		    ftruncate(fd, (off_t)pages * FUZZ_PAGE_SIZE) < 0) {
			close(fd);
			fd = -1;
		}
		return fd;
	case FUZZ_FD_EVENTFD:
		return eventfd(0, EFD_CLOEXEC);
	case FUZZ_FD_SOCKET:
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair))
			return -1;
		return fuzz_fd_pair(f, pair, 0);
	case FUZZ_FD_PIPE_READ:
	case FUZZ_FD_PIPE_WRITE:
		if (pipe2(pair, O_CLOEXEC))
			return -1;
		return fuzz_fd_pair(f, pair, kind == FUZZ_FD_PIPE_WRITE);
	case FUZZ_FD_DEV_NULL:
		return open("/dev/null", O_RDWR | O_CLOEXEC);
	case FUZZ_FD_PATH:
		return open("/", O_PATH | O_CLOEXEC);
	default:
		return -1;
	}
}

/**
 * fuzz_fd_make() - Read one recipe and make its fd
 * @f:		the set
 * @in:		input
 *
 * The set owns the fd: fuzz_fds_close() closes it. An fd made earlier is
 * the same fd again (the kernel passes one more reference to its file).
 *
 * Return: the fd to send, or -1 if none (the recipe is still consumed)
 */
int fuzz_fd_make(struct fuzz_fds *f, struct fuzz_input *in)
{
	enum fuzz_fd_kind kind = fuzz_u8(in) % FUZZ_FD_KINDS;
	int fd;

	if (kind == FUZZ_FD_EARLIER) {
		uint8_t idx = fuzz_u8(in);

		return f->n_made ? f->made[idx % f->n_made] : -1;
	}
	if (f->n_made == FUZZ_FDS_MAX) {
		/* Out of room: consume the argument, send nothing */
		if (kind == FUZZ_FD_MEMFD)
			fuzz_u32(in);
		return -1;
	}
	fd = fuzz_fd_cook(f, kind, in);
	if (fd >= 0)
		f->made[f->n_made++] = fd;
	return fd;
}

/**
 * fuzz_fds_close() - Close every fd made and every peer
 * @f:		the set
 */
void fuzz_fds_close(struct fuzz_fds *f)
{
	unsigned int i;

	for (i = 0; i < f->n_made; i++)
		close(f->made[i]);
	for (i = 0; i < f->n_peers; i++)
		close(f->peers[i]);
	fuzz_fds_init(f);
}
