/* SPDX-License-Identifier: GPL-2.0-or-later */
/* io_uring block I/O: one ring per queue, completions through an eventfd the
 * queue's worker thread watches.
 *
 * A kick prepares one SQE per request and submits the batch with a single
 * io_uring_enter(). The ring has as many entries as the virtqueue, and each
 * request has at most one operation in flight, so the submission ring cannot
 * overflow and the completion ring (twice as large) neither. A completion may
 * be short (resubmit the rest), -EAGAIN (resubmit, bounded), a write in
 * writethrough mode is followed by IORING_FSYNC_DATASYNC before completing.
 * Requests whose buffers O_DIRECT cannot use go to the synchronous bounce
 * path instead.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "devices/blk/virtio-blk-int.h"
#include "util/log.h"

/* Resubmissions of an operation answered with -EAGAIN or -EINTR */
#define BLK_URING_EAGAIN_RETRIES 16
/* 1 ms waits for an io_uring_enter() refusing work with nothing in flight */
#define BLK_URING_SUBMIT_RETRIES 1000

struct blk_uring {
	struct io_uring ring;
	int efd; /* completion eventfd, registered with the ring */
	unsigned int inflight; /* SQEs queued or submitted, CQE not yet seen */
};

/*
 * What a queue's ring may carry. The requests of a ring are not syscalls and
 * the seccomp filter never sees them, so the ring is restricted itself: the
 * three operations the engine submits, no SQE flags, and no registration
 * once it is enabled. The completion eventfd is registered before.
 */
static const struct io_uring_restriction blk_uring_allowed[] = {
	{ .opcode = IORING_RESTRICTION_SQE_OP, .sqe_op = IORING_OP_READV },
	{ .opcode = IORING_RESTRICTION_SQE_OP, .sqe_op = IORING_OP_WRITEV },
	{ .opcode = IORING_RESTRICTION_SQE_OP, .sqe_op = IORING_OP_FSYNC },
	{ .opcode = IORING_RESTRICTION_SQE_FLAGS_ALLOWED, .sqe_flags = 0 },
};

/**
 * blk_uring_register() - io_uring_register(2) on a ring
 * @ring:	ring
 * @op:		IORING_REGISTER_*
 * @arg:	its argument
 * @n:		its count
 *
 * Debian 12's liburing 2.3 declares io_uring_register_restrictions() and
 * io_uring_enable_rings() but its shared library does not export them.
 *
 * Return: >= 0 on success, else -errno
 */
static int blk_uring_register(struct io_uring *ring, unsigned int op,
			      const void *arg, unsigned int n)
{
	long r = syscall(__NR_io_uring_register, ring->ring_fd, op, arg, n);

	return r < 0 ? -errno : (int)r;
}

/**
 * blk_io_uring_ring_init() - Create a ring restricted to the engine's needs
 * @ring:	ring to initialize
 * @entries:	submission entries
 * @efd:	eventfd to register for completions, or -1
 * @errp:	error naming the step that failed
 *
 * The ring is created disabled, gets its eventfd and its restrictions, and
 * only then is enabled (kernel 5.10 or later).
 *
 * Return: 0 on success, else -errno
 */
int blk_io_uring_ring_init(struct io_uring *ring, unsigned int entries, int efd,
			   struct error **errp)
{
	const char *what = "io_uring_register_eventfd";
	int r;

	r = io_uring_queue_init(entries, ring, IORING_SETUP_R_DISABLED);
	if (r < 0) {
		error_setg_errno(errp, -r, "io_uring_queue_init(%u entries)",
				 entries);
		return r;
	}
	r = efd >= 0 ? io_uring_register_eventfd(ring, efd) : 0;
	if (r >= 0) {
		what = "io_uring_register_restrictions";
		r = blk_uring_register(ring, IORING_REGISTER_RESTRICTIONS,
				       blk_uring_allowed,
				       sizeof(blk_uring_allowed) /
					       sizeof(blk_uring_allowed[0]));
	}
	if (r >= 0) {
		what = "io_uring_enable_rings";
		r = blk_uring_register(ring, IORING_REGISTER_ENABLE_RINGS, NULL,
				       0);
	}
	if (r < 0) {
		error_setg_errno(errp, -r, "%s", what);
		io_uring_queue_exit(ring);
		return r;
	}
	return 0;
}

/**
 * blk_io_uring_probe() - Check that this process may use io_uring
 * @errp:	error with the reason (seccomp, io_uring_disabled, old kernel)
 *
 * Return: true if a restricted ring could be created
 */
bool blk_io_uring_probe(struct error **errp)
{
	struct io_uring ring;

	if (blk_io_uring_ring_init(&ring, 1, -1, errp) < 0) {
		error_prepend(errp, "io_uring is not available: ");
		return false;
	}
	io_uring_queue_exit(&ring);
	return true;
}

/**
 * blk_uring_submit() - Hand every prepared SQE to the kernel
 * @q:		queue
 *
 * If the kernel is short of resources and nothing is in flight that would
 * call us again, waits a little and retries; if it keeps refusing, the SQEs
 * stay queued for the next kick.
 */
static void blk_uring_submit(struct blk_queue *q)
{
	struct blk_uring *u = q->io_state;
	unsigned int tries = 0;
	int r;

	while (io_uring_sq_ready(&u->ring)) {
		r = io_uring_submit(&u->ring);
		if (r > 0 || r == -EINTR)
			continue;
		if (r != 0 && r != -EAGAIN && r != -EBUSY) {
			log_err("virtio-blk queue %u: io_uring submission "
				"failed: %s",
				q->vq->index, strerror(-r));
			return;
		}
		/* Completions of what is in the kernel will call us again */
		if (u->inflight > io_uring_sq_ready(&u->ring))
			return;
		if (++tries >= BLK_URING_SUBMIT_RETRIES) {
			log_err("virtio-blk queue %u: io_uring keeps refusing "
				"submissions: %s",
				q->vq->index, strerror(r ? -r : EAGAIN));
			return;
		}
		usleep(1000);
	}
}

/**
 * blk_uring_queue_op() - Prepare the next operation of a request
 * @q:		queue
 * @req:	request: data transfer of what remains, or its fdatasync
 *
 * Completes the request with IOERR if no SQE can be had.
 */
static void blk_uring_queue_op(struct blk_queue *q, struct blk_req *req)
{
	int fd = blk_queue_backing(q)->fd;
	struct blk_uring *u = q->io_state;
	struct io_uring_sqe *sqe;

	sqe = io_uring_get_sqe(&u->ring);
	if (!sqe) {
		blk_uring_submit(q);
		sqe = io_uring_get_sqe(&u->ring);
	}
	if (!sqe) {
		log_err("virtio-blk queue %u head %u: io_uring submission "
			"ring full",
			q->vq->index, req->elem->head);
		blk_req_fail(req, -EBUSY);
		return;
	}
	if (req->op == BLK_OP_FLUSH || req->syncing)
		io_uring_prep_fsync(sqe, fd, IORING_FSYNC_DATASYNC);
	else if (req->op == BLK_OP_WRITE)
		io_uring_prep_writev(sqe, fd, req->iov, req->iovcnt,
				     req->offset);
	else
		io_uring_prep_readv(sqe, fd, req->iov, req->iovcnt,
				    req->offset);
	io_uring_sqe_set_data(sqe, req);
	u->inflight++;
}

/**
 * blk_uring_complete_op() - Handle the completion of one operation
 * @q:		queue
 * @req:	request the operation belongs to
 * @res:	cqe->res: bytes transferred, 0 for fsync, or -errno
 */
static void blk_uring_complete_op(struct blk_queue *q, struct blk_req *req,
				  int res)
{
	bool data = req->op != BLK_OP_FLUSH && !req->syncing;

	if ((res == -EAGAIN || res == -EINTR) &&
	    req->retries++ < BLK_URING_EAGAIN_RETRIES) {
		blk_uring_queue_op(q, req);
		return;
	}
	if (res < 0 || (data && (!res || (size_t)res > req->len))) {
		log_warn("virtio-blk '%s' queue %u: %s at offset %llu failed: "
			 "%s",
			 blk_queue_backing(q)->path, q->vq->index,
			 data ? (req->op == BLK_OP_WRITE ? "write" : "read")
			      : "fdatasync",
			 (unsigned long long)req->offset,
			 res < 0 ? strerror(-res) : "end of file");
		/* As blk_backing_rw(): a backing that ends early is -EIO */
		blk_req_fail(req, res < 0 ? res : -EIO);
		return;
	}
	if (data) {
		blk_iov_advance(&req->iov, &req->iovcnt, (size_t)res);
		req->offset += (uint64_t)res;
		req->len -= (size_t)res;
		if (req->len || req->sync_after) {
			/* Short transfer: the rest; else writethrough */
			req->syncing = !req->len;
			blk_uring_queue_op(q, req);
			return;
		}
	}
	blk_req_complete(req, VIRTIO_BLK_S_OK);
}

/**
 * blk_uring_reap() - Handle every completion the ring holds, without waiting
 * @q:		queue
 *
 * Follow-up operations (the rest of a short transfer, a writethrough
 * fdatasync) are submitted before returning. The driver is not notified.
 *
 * Return: number of completions handled
 */
static unsigned int blk_uring_reap(struct blk_queue *q)
{
	struct blk_uring *u = q->io_state;
	struct io_uring_cqe *cqe;
	unsigned int n = 0;

	if (!u->inflight)
		return 0;
	while (!io_uring_peek_cqe(&u->ring, &cqe)) {
		struct blk_req *req = io_uring_cqe_get_data(cqe);
		int res = cqe->res;

		io_uring_cqe_seen(&u->ring, cqe);
		u->inflight--;
		n++;
		blk_uring_complete_op(q, req, res);
	}
	if (n)
		blk_uring_submit(q);
	return n;
}

/**
 * blk_uring_completions() - Worker callback: the completion eventfd fired
 * @vq:		queue's virtqueue
 * @opaque:	struct blk_queue
 */
static void blk_uring_completions(struct virtqueue *vq, void *opaque)
{
	struct blk_queue *q = opaque;
	struct blk_uring *u = q->io_state;
	eventfd_t cnt;

	/* Reset the counter first: later completions fire it again */
	(void)eventfd_read(u->efd, &cnt);
	blk_uring_reap(q);
	blk_queue_notify(q);
}

/**
 * blk_uring_poll() - Worker polls: handle completions without the eventfd
 * @q:		queue
 *
 * The eventfd may still be readable for completions handled here; the next
 * wake-up on it then finds nothing, which is harmless.
 *
 * Return: true if anything completed
 */
static bool blk_uring_poll(struct blk_queue *q)
{
	if (!blk_uring_reap(q))
		return false;
	blk_queue_notify(q);
	return true;
}

/**
 * blk_uring_init() - Create the queue's ring and watch its eventfd
 * @q:		queue, on its worker thread
 * @errp:	error
 *
 * Return: true on success
 */
static bool blk_uring_init(struct blk_queue *q, struct error **errp)
{
	struct blk_uring *u = calloc(1, sizeof(*u));

	if (!u) {
		error_setg(errp, "out of memory");
		return false;
	}
	u->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (u->efd < 0) {
		error_setg_errno(errp, errno, "eventfd");
		free(u);
		return false;
	}
	if (blk_io_uring_ring_init(&u->ring, q->vq->num, u->efd, errp) < 0)
		goto fail_efd;
	q->io_state = u;
	if (!virtio_queue_watch(q->vq, u->efd, blk_uring_completions, q, errp))
		goto fail_ring;
	return true;

fail_ring:
	io_uring_queue_exit(&u->ring);
fail_efd:
	close(u->efd);
	free(u);
	q->io_state = NULL;
	return false;
}

/**
 * blk_uring_cleanup() - Destroy the ring; nothing is in flight any more
 * @q:		queue
 */
static void blk_uring_cleanup(struct blk_queue *q)
{
	struct blk_uring *u = q->io_state;

	if (!u)
		return;
	if (u->inflight)
		log_err("virtio-blk queue %u: %u io_uring operations still "
			"in flight at stop",
			q->vq->index, u->inflight);
	io_uring_queue_exit(&u->ring);
	close(u->efd);
	free(u);
	q->io_state = NULL;
}

/**
 * blk_uring_submit_req() - Queue a request's first operation
 * @q:		queue
 * @req:	request
 *
 * Sent to the kernel at the end of the batch (blk_uring_flush()).
 */
static void blk_uring_submit_req(struct blk_queue *q, struct blk_req *req)
{
	if (blk_io_needs_bounce(req))
		blk_io_sync_run(req);
	else
		blk_uring_queue_op(q, req);
}

/**
 * blk_uring_flush() - End of a batch: submit it, take what completed inline
 * @q:		queue
 *
 * Reads from the page cache (on file systems that support IOCB_NOWAIT)
 * complete within io_uring_enter(): their completions are handled now, and
 * the caller's notification covers them, instead of after a round trip
 * through the eventfd and epoll.
 */
static void blk_uring_flush(struct blk_queue *q)
{
	blk_uring_submit(q);
	blk_uring_reap(q);
}

const struct blk_io_engine blk_io_uring = {
	.name = "io_uring",
	.init = blk_uring_init,
	.cleanup = blk_uring_cleanup,
	.submit = blk_uring_submit_req,
	.flush = blk_uring_flush,
	.poll = blk_uring_poll,
};
