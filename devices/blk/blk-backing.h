/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The host side of a virtio-blk disk: the open image file or block device and
 * the synchronous operations every I/O engine shares on it.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_DEVICES_BLK_BLK_BACKING_H
#define QD_DEVICES_BLK_BLK_BACKING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "util/error.h"

/* Bytes of the shared zero buffer used to emulate write-zeroes */
#define BLK_BACKING_ZEROES_SIZE (256U * 1024)

struct blk_backing {
	char *path;	    /* as given, for messages */
	int fd;		    /* -1 when closed */
	bool read_only;	    /* opened O_RDONLY */
	bool direct;	    /* opened O_DIRECT (cache=none) */
	bool is_blockdev;   /* S_ISBLK: ioctls instead of fallocate */
	bool in_memory;	    /* tmpfs or ramfs: I/O never waits for a disk */
	uint64_t size;	    /* bytes */
	uint32_t mem_align; /* O_DIRECT buffer alignment; 1 when buffered */
	uint32_t
		off_align; /* O_DIRECT offset/length alignment; 1 if buffered */
	uint32_t phys_block; /* physical block size hint, bytes (>= 512) */
	uint32_t zero_block; /* granularity of the native discard and
				write-zeroes; 1 for regular files */
	void *zeroes;	     /* BLK_BACKING_ZEROES_SIZE bytes, mem-aligned */
};

bool blk_backing_open(struct blk_backing *b, const char *path, bool read_only,
		      bool direct, struct error **errp);
void blk_backing_close(struct blk_backing *b);

bool blk_backing_iov_aligned(const struct blk_backing *b,
			     const struct iovec *iov, unsigned int cnt);
int blk_backing_rw(const struct blk_backing *b, bool write, struct iovec *iov,
		   unsigned int cnt, uint64_t offset, size_t len);
int blk_backing_rw_bounce(const struct blk_backing *b, bool write,
			  const struct iovec *iov, unsigned int cnt,
			  uint64_t offset, size_t len, void *bounce,
			  size_t bounce_size);
int blk_backing_sync(const struct blk_backing *b);
int blk_backing_discard(const struct blk_backing *b, uint64_t offset,
			uint64_t len);
int blk_backing_write_zeroes(const struct blk_backing *b, uint64_t offset,
			     uint64_t len, bool unmap);

void blk_iov_advance(struct iovec **iov, unsigned int *cnt, size_t bytes);

#endif /* QD_DEVICES_BLK_BLK_BACKING_H */
