/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Block I/O engines: how a virtio-blk queue moves request data to and from
 * its backing (io_uring, or synchronous calls on the queue's worker thread).
 *
 * The request layer parses and checks a chain, then hands the engine a
 * struct blk_req with a data operation: read, write (optionally followed by
 * fdatasync for writethrough) or flush. The engine completes it
 * with blk_req_complete(), and calls blk_queue_notify() once per batch of
 * completions so the driver gets one interrupt per batch.
 *
 * Every function here runs on the queue's worker thread.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_DEVICES_BLK_BLK_IO_H
#define QD_DEVICES_BLK_BLK_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "devices/blk/virtio-blk.h"
#include "devices/virtio/virtqueue.h"
#include "util/error.h"

struct virtio_blk;
struct blk_queue;

/* Data segments kept inside struct blk_req; longer lists are allocated */
#define BLK_REQ_INLINE_IOV 8
/* Bounce buffer for O_DIRECT requests with unaligned guest buffers */
#define BLK_BOUNCE_SIZE (1024U * 1024)

enum blk_op {
	BLK_OP_READ,
	BLK_OP_WRITE,
	BLK_OP_FLUSH, /* fdatasync only */
};

struct blk_req {
	struct blk_queue *q;
	struct vq_elem *elem; /* NULL when the slot is free */
	enum virtio_blk_stat stat;
	uint8_t *status;     /* last device-writable byte of the chain */
	uint32_t used_len;   /* bytes reported written (incl. status) */
	uint64_t stat_bytes; /* data bytes, for the statistics */
	enum blk_op op;
	bool sync_after;      /* writethrough: fdatasync before completing */
	bool syncing;	      /* io_uring: the data part is done */
	unsigned int retries; /* resubmissions after -EAGAIN */
	uint64_t start_ns;    /* CLOCK_MONOTONIC when taken from the ring */
	uint64_t offset;      /* backing byte offset of the remaining data */
	size_t len;	      /* remaining data bytes */
	struct iovec *iov;    /* remaining data segments (our own copy) */
	unsigned int iovcnt;
	struct iovec *iov_alloc; /* iov storage if not inline */
	struct iovec inline_iov[BLK_REQ_INLINE_IOV];
};

struct blk_io_engine {
	const char *name;
	/* Set up the queue's engine state (q->io_state); may watch fds */
	bool (*init)(struct blk_queue *q, struct error **errp);
	/* Tear it down; nothing is in flight any more */
	void (*cleanup)(struct blk_queue *q);
	/* Start (or queue) the data operation of @req */
	void (*submit)(struct blk_queue *q, struct blk_req *req);
	/* End of a batch of submit() calls: send what was queued */
	void (*flush)(struct blk_queue *q);
	/* Optional: complete what finished, without waiting; true if any */
	bool (*poll)(struct blk_queue *q);
};

struct blk_queue {
	struct virtio_blk *blk;
	struct virtqueue *vq;
	struct virtio_blk_queue_stats *stats; /* in the device, per queue */
	const struct blk_io_engine *io;
	void *io_state;
	struct blk_req *reqs; /* [vq->num], indexed by chain head */
	bool notify;	      /* pushed since the last vq_notify() */
	void *bounce;	      /* BLK_BOUNCE_SIZE, allocated on first use */
	/*
	 * Requests taken from the ring and given back, for a shrink to wait
	 * for those checked against the old capacity (virtio_blk_resize()).
	 * Written by the worker only; kept across queue restarts.
	 */
	uint64_t taken;	   /* seq_cst increment before the range check */
	uint64_t released; /* release store after the request is done */
};

extern const struct blk_io_engine blk_io_sync;
#ifdef CONFIG_LINUX_IO_URING
extern const struct blk_io_engine blk_io_uring;
bool blk_io_uring_probe(struct error **errp);
struct io_uring;
/* A ring restricted to READV, WRITEV and FSYNC (blk-io-uring.c) */
int blk_io_uring_ring_init(struct io_uring *ring, unsigned int entries, int efd,
			   struct error **errp);
#endif

/* Synchronous execution, also io_uring's path for bounced requests */
bool blk_io_needs_bounce(const struct blk_req *req);
void blk_io_sync_run(struct blk_req *req);

/* Provided by the request layer for the engines */
const struct blk_backing *blk_queue_backing(const struct blk_queue *q);
void blk_req_complete(struct blk_req *req, uint8_t status);
void blk_req_fail(struct blk_req *req, int err);
void blk_queue_notify(struct blk_queue *q);

#endif /* QD_DEVICES_BLK_BLK_IO_H */
