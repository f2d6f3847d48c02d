/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Synchronous block I/O: preadv/pwritev/fdatasync on the queue's worker
 * thread.
 *
 * The fallback where io_uring is not available (aio=sync, seccomp, old or
 * locked-down kernels), and the path io_uring itself takes for O_DIRECT
 * requests whose guest buffers are not aligned enough: those go through a
 * per-queue bounce buffer.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/blk/virtio-blk-int.h"
#include "util/log.h"

/**
 * blk_io_needs_bounce() - Whether O_DIRECT cannot use the guest buffers
 * @req:	read or write request
 *
 * Return: true if the data must go through the bounce buffer
 */
bool blk_io_needs_bounce(const struct blk_req *req)
{
	return req->op != BLK_OP_FLUSH &&
	       !blk_backing_iov_aligned(blk_queue_backing(req->q), req->iov,
					req->iovcnt);
}

/**
 * blk_io_sync_data() - Transfer the data of a read or write
 * @req:	request
 *
 * Return: 0 or -errno
 */
static int blk_io_sync_data(struct blk_req *req)
{
	const struct blk_backing *b = blk_queue_backing(req->q);
	bool write = req->op == BLK_OP_WRITE;
	struct blk_queue *q = req->q;

	if (!blk_io_needs_bounce(req))
		return blk_backing_rw(b, write, req->iov, req->iovcnt,
				      req->offset, req->len);
	if (!q->bounce &&
	    posix_memalign(&q->bounce,
			   b->mem_align > 4096 ? b->mem_align : 4096,
			   BLK_BOUNCE_SIZE)) {
		q->bounce = NULL;
		return -ENOMEM;
	}
	return blk_backing_rw_bounce(b, write, req->iov, req->iovcnt,
				     req->offset, req->len, q->bounce,
				     BLK_BOUNCE_SIZE);
}

/**
 * blk_io_sync_run() - Run a request's data operation now and complete it
 * @req:	request
 */
void blk_io_sync_run(struct blk_req *req)
{
	const struct blk_backing *b = blk_queue_backing(req->q);
	static const char *const names[] = {
		[BLK_OP_READ] = "read",
		[BLK_OP_WRITE] = "write",
		[BLK_OP_FLUSH] = "flush",
	};
	size_t len = req->len;
	int r = 0;

	if (req->op != BLK_OP_FLUSH)
		r = blk_io_sync_data(req);
	if (!r && (req->op == BLK_OP_FLUSH || req->sync_after))
		r = blk_backing_sync(b);
	if (r)
		log_warn("virtio-blk '%s' queue %u: %s of %zu bytes at offset "
			 "%llu failed: %s",
			 b->path, req->q->vq->index, names[req->op], len,
			 (unsigned long long)req->offset, strerror(-r));
	if (r)
		blk_req_fail(req, r);
	else
		blk_req_complete(req, VIRTIO_BLK_S_OK);
}

/**
 * blk_io_sync_init() - Nothing to set up for synchronous I/O
 * @q:		queue
 * @errp:	unused
 *
 * Return: true
 */
static bool blk_io_sync_init(struct blk_queue *q, struct error **errp)
{
	return true;
}

/**
 * blk_io_sync_cleanup() - Nothing to tear down for synchronous I/O
 * @q:		queue
 */
static void blk_io_sync_cleanup(struct blk_queue *q)
{
}

/**
 * blk_io_sync_submit() - Run the request to completion
 * @q:		queue
 * @req:	request
 */
static void blk_io_sync_submit(struct blk_queue *q, struct blk_req *req)
{
	blk_io_sync_run(req);
}

/**
 * blk_io_sync_flush() - Nothing is ever queued
 * @q:		queue
 */
static void blk_io_sync_flush(struct blk_queue *q)
{
}

const struct blk_io_engine blk_io_sync = {
	.name = "sync",
	.init = blk_io_sync_init,
	.cleanup = blk_io_sync_cleanup,
	.submit = blk_io_sync_submit,
	.flush = blk_io_sync_flush,
};
