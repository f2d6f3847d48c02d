/* SPDX-License-Identifier: GPL-2.0-or-later */
/* File descriptors a fuzzed vhost-user front-end sends, made from recipes.
 *
 * A recipe is one kind byte, and for some kinds an argument:
 *
 *   kind % 8   fd sent                              argument
 *   0          memfd of N pages (guest memory)      u32 N, capped
 *   1          eventfd, counter 0
 *   2          one end of a socketpair (a channel)
 *   3          read end of a pipe
 *   4          write end of a pipe
 *   5          /dev/null
 *   6          an fd made earlier in this input     u8 index (modulo)
 *   7          an O_PATH fd of "/"
 *
 * The peers (other socket and pipe ends) stay open until the input is done,
 * so no fd the back-end holds becomes readable or fails on its own: what a
 * queue worker sees of them does not depend on timing.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TESTS_FUZZ_PROTOCOL_FUZZ_VU_FDS_H
#define QD_TESTS_FUZZ_PROTOCOL_FUZZ_VU_FDS_H

#include "tests/fuzz/protocol/fuzz-util.h"

enum fuzz_fd_kind {
	FUZZ_FD_MEMFD,
	FUZZ_FD_EVENTFD,
	FUZZ_FD_SOCKET,
	FUZZ_FD_PIPE_READ,
	FUZZ_FD_PIPE_WRITE,
	FUZZ_FD_DEV_NULL,
	FUZZ_FD_EARLIER,
	FUZZ_FD_PATH,
	FUZZ_FD_KINDS
};

/* Fds one input may make; a recipe beyond them is read, nothing is sent */
#define FUZZ_FDS_MAX 64
/* Largest memfd: 1 GiB, sparse (a QEMU guest's RAM in the recordings) */
#define FUZZ_MEMFD_MAX_PAGES (1u << 18)
#define FUZZ_PAGE_SIZE	     4096u

struct fuzz_fds {
	int made[FUZZ_FDS_MAX]; /* what recipes produced, in order */
	unsigned int n_made;
	int peers[FUZZ_FDS_MAX]; /* the other ends, kept open */
	unsigned int n_peers;
};

void fuzz_fds_init(struct fuzz_fds *f);
int fuzz_fd_make(struct fuzz_fds *f, struct fuzz_input *in);
void fuzz_fds_close(struct fuzz_fds *f);

#endif /* QD_TESTS_FUZZ_PROTOCOL_FUZZ_VU_FDS_H */
