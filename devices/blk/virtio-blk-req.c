/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-blk requests: parse a descriptor chain, check it, dispatch it to the
 * I/O engine (or answer it directly), and complete it.
 *
 * Chains come from the driver and are hostile. The header is copied out with
 * iov_to_buf() whatever the descriptor boundaries are; the status byte is the
 * last device-writable byte. A chain without a 16-byte header or without a
 * writable byte cannot be answered at all: that is a driver bug and breaks the
 * queue. Everything else wrong with a request (bad length, sector range,
 * write to a read-only disk, bad segments) is answered with a status code and
 * never reaches the backing.
 *
 * Each request is timed from the moment it is taken from the ring to its
 * completion, with one clock read at either end; host I/O errors go to the
 * error listener, if any.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <endian.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devices/blk/virtio-blk-int.h"
#include "util/log.h"

/**
 * blk_queue_backing() - The backing a queue's requests go to
 * @q:		queue
 *
 * Return: the device's backing
 */
const struct blk_backing *blk_queue_backing(const struct blk_queue *q)
{
	return &q->blk->backing;
}

/**
 * blk_writethrough() - Whether a write must be durable before it completes
 * @blk:	device
 *
 * Writethrough applies when the driver cannot flush (FLUSH not negotiated) or
 * turned the write cache off (CONFIG_WCE negotiated, writeback byte 0).
 *
 * Return: true to fdatasync before completing writes
 */
static bool blk_writethrough(const struct virtio_blk *blk)
{
	uint64_t f = blk->vdev.features;

	if (!(f & BIT_ULL(VIRTIO_BLK_F_FLUSH)))
		return true;
	return (f & BIT_ULL(VIRTIO_BLK_F_CONFIG_WCE)) &&
	       !__atomic_load_n(&blk->writeback, __ATOMIC_RELAXED);
}

/**
 * blk_clock_ns() - CLOCK_MONOTONIC in nanoseconds (a vDSO call, no syscall)
 *
 * Return: nanoseconds since an arbitrary point
 */
static uint64_t blk_clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/**
 * blk_range_ok() - Whether [sector, sector + nsect) lies on the disk
 * @blk:	device
 * @sector:	first 512-byte sector
 * @nsect:	number of sectors
 *
 * The capacity may change under us (virtio_blk_resize()): it is loaded once,
 * sequentially consistent with the increment of q->taken before it, so that
 * a shrink either waits for this request or this request sees the new size.
 *
 * Return: true if in range (written so that nothing can overflow)
 */
static bool blk_range_ok(const struct virtio_blk *blk, uint64_t sector,
			 uint64_t nsect)
{
	uint64_t cap = __atomic_load_n(&blk->capacity, __ATOMIC_SEQ_CST);

	return sector <= cap && nsect <= cap - sector;
}

/**
 * blk_queue_notify() - Notify the driver once for the completions so far
 * @q:		queue
 */
void blk_queue_notify(struct blk_queue *q)
{
	if (!q->notify)
		return;
	q->notify = false;
	vq_notify(q->vq);
}

/**
 * blk_req_release() - Give the element back and free the request slot
 * @req:	request
 * @len:	bytes reported written to the writable buffers
 */
static void blk_req_release(struct blk_req *req, uint32_t len)
{
	struct blk_queue *q = req->q;
	struct vq_elem *elem = req->elem;

	free(req->iov_alloc);
	req->iov_alloc = NULL;
	req->elem = NULL;
	vq_push(q->vq, elem, len);
	q->notify = true;
	/* Only this thread writes it: a plain read, a release store */
	__atomic_store_n(&q->released, q->released + 1, __ATOMIC_RELEASE);
}

/**
 * blk_stat_add() - Add to a counter of this queue
 * @ctr:	counter in the queue's struct virtio_blk_queue_stats
 * @n:		amount
 *
 * Only the queue's worker writes its counters (a restarted queue's new
 * worker comes after the old one was joined): a plain read and a relaxed
 * atomic store, no locked instruction. Readers on other threads load them
 * atomically.
 */
static void blk_stat_add(uint64_t *ctr, uint64_t n)
{
	__atomic_store_n(ctr, *ctr + n, __ATOMIC_RELAXED);
}

/**
 * blk_req_finish() - Write the status byte, count, and push the element
 * @req:	request
 * @status:	VIRTIO_BLK_S_*
 * @io_failed:	the host's I/O failed (else a status other than OK means the
 *		request was refused before any I/O)
 */
static void blk_req_finish(struct blk_req *req, uint8_t status, bool io_failed)
{
	struct virtio_blk_op_stats *st = &req->q->stats->op[req->stat];

	/* A broken queue must not touch guest memory any more */
	if (!req->q->vq->broken)
		*req->status = status;
	blk_stat_add(&st->total_ns, blk_clock_ns() - req->start_ns);
	blk_stat_add(&st->ops, 1);
	if (status == VIRTIO_BLK_S_OK)
		blk_stat_add(&st->bytes, req->stat_bytes);
	else if (io_failed)
		blk_stat_add(&st->errors, 1);
	else
		blk_stat_add(&st->invalid, 1);
	blk_req_release(req, req->used_len);
}

/**
 * blk_req_complete() - Complete a request done, or refused before any I/O
 * @req:	request
 * @status:	VIRTIO_BLK_S_*
 */
void blk_req_complete(struct blk_req *req, uint8_t status)
{
	blk_req_finish(req, status, false);
}

/**
 * blk_req_fail() - Complete with IOERR after a host I/O error
 * @req:	request whose read, write, flush, discard or write-zeroes failed
 * @err:	the error, -errno (or errno)
 *
 * The error listener hears of it first, on this worker thread.
 */
void blk_req_fail(struct blk_req *req, int err)
{
	struct virtio_blk *blk = req->q->blk;
	struct virtio_blk_io_error e = {
		.queue = req->q->vq->index,
		.op = req->stat,
		.error = err < 0 ? -err : err,
	};

	if (__atomic_load_n(&blk->listener, __ATOMIC_RELAXED)) {
		pthread_mutex_lock(&blk->listener_lock);
		if (blk->listener)
			blk->listener(&blk->vdev, &e, blk->listener_opaque);
		pthread_mutex_unlock(&blk->listener_lock);
	}
	blk_req_finish(req, VIRTIO_BLK_S_IOERR, true);
}

/**
 * blk_req_set_data() - Copy the data part of the chain into req->iov
 * @req:	request
 * @src:	readable or writable segments of the element
 * @cnt:	number of segments
 * @skip:	bytes before the data (the header, for writes)
 * @len:	data bytes
 *
 * Return: false if out of memory or the data needs more than IOV_MAX segments
 */
static bool blk_req_set_data(struct blk_req *req, const struct iovec *src,
			     unsigned int cnt, size_t skip, size_t len)
{
	struct iovec *dst = req->inline_iov;
	unsigned int n = 0;

	if (cnt > BLK_REQ_INLINE_IOV) {
		dst = calloc(cnt, sizeof(*dst));
		if (!dst)
			return false;
		req->iov_alloc = dst;
	}
	for (unsigned int i = 0; i < cnt && len; i++) {
		size_t l = src[i].iov_len;
		char *base = src[i].iov_base;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		base += skip;
		l -= skip;
		skip = 0;
		if (l > len)
			l = len;
		dst[n].iov_base = base;
		dst[n].iov_len = l;
		n++;
		len -= l;
	}
	req->iov = dst;
	req->iovcnt = n;
	return !len && n <= IOV_MAX;
}

/**
 * blk_req_rw() - Check and dispatch a read (IN) or write (OUT)
 * @req:	request, header parsed
 * @sector:	first sector
 * @write:	OUT instead of IN
 */
static void blk_req_rw(struct blk_req *req, uint64_t sector, bool write)
{
	struct blk_queue *q = req->q;
	const struct virtio_blk *blk = q->blk;
	const struct blk_backing *b = &blk->backing;
	struct vq_elem *elem = req->elem;
	uint64_t len;
	bool ok;

	req->stat = write ? VIRTIO_BLK_STAT_WRITE : VIRTIO_BLK_STAT_READ;
	/* Data follows the header (write) or precedes the status (read) */
	len = write ? elem->out_len - sizeof(struct virtio_blk_outhdr)
		    : elem->in_len - 1;
	if (write && b->read_only) {
		log_debug("virtio-blk queue %u head %u: write to a read-only "
			  "disk",
			  q->vq->index, elem->head);
		blk_req_complete(req, VIRTIO_BLK_S_IOERR);
		return;
	}
	if (len % VIRTIO_BLK_SECTOR_SIZE || len > VIRTIO_BLK_MAX_REQ_BYTES ||
	    !blk_range_ok(blk, sector, len >> VIRTIO_BLK_SECTOR_SHIFT) ||
	    ((sector << VIRTIO_BLK_SECTOR_SHIFT) | len) % b->off_align) {
		log_debug("virtio-blk queue %u head %u: bad %s of %llu bytes "
			  "at sector %llu (capacity %llu)",
			  q->vq->index, elem->head, write ? "write" : "read",
			  (unsigned long long)len, (unsigned long long)sector,
			  (unsigned long long)__atomic_load_n(
				  &blk->capacity, __ATOMIC_RELAXED));
		blk_req_complete(req, VIRTIO_BLK_S_IOERR);
		return;
	}
	if (!len) {
		blk_req_complete(req, VIRTIO_BLK_S_OK);
		return;
	}
	if (write)
		ok = blk_req_set_data(req, elem->out_sg, elem->out_num,
				      sizeof(struct virtio_blk_outhdr), len);
	else
		ok = blk_req_set_data(req, elem->in_sg, elem->in_num, 0, len);
	if (!ok) {
		log_warn("virtio-blk queue %u head %u: cannot map %u data "
			 "segments",
			 q->vq->index, elem->head,
			 write ? elem->out_num : elem->in_num);
		blk_req_complete(req, VIRTIO_BLK_S_IOERR);
		return;
	}
	req->op = write ? BLK_OP_WRITE : BLK_OP_READ;
	req->offset = sector << VIRTIO_BLK_SECTOR_SHIFT;
	req->len = len;
	req->stat_bytes = len;
	req->sync_after = write && blk_writethrough(blk);
	q->io->submit(q, req);
}

/**
 * blk_req_get_id() - Answer GET_ID with the serial, NUL padded
 * @req:	request
 */
static void blk_req_get_id(struct blk_req *req)
{
	const struct virtio_blk *blk = req->q->blk;
	struct vq_elem *elem = req->elem;
	size_t len = elem->in_len - 1;

	req->stat = VIRTIO_BLK_STAT_GET_ID;
	if (len > VIRTIO_BLK_ID_BYTES)
		len = VIRTIO_BLK_ID_BYTES;
	/* Stops before the status byte: len <= in_len - 1 */
	req->stat_bytes =
		iov_from_buf(elem->in_sg, elem->in_num, 0, blk->serial, len);
	blk_req_complete(req, VIRTIO_BLK_S_OK);
}

/**
 * blk_req_check_segment() - Check one DISCARD/WRITE_ZEROES segment
 * @req:	request
 * @seg:	segment, as read from the chain
 * @wz:		WRITE_ZEROES instead of DISCARD
 *
 * Return: VIRTIO_BLK_S_OK, or the status that refuses the request
 */
static uint8_t blk_req_check_segment(
	const struct blk_req *req,
	const struct virtio_blk_discard_write_zeroes *seg, bool wz)
{
	uint32_t flags = le32toh(seg->flags);

	if (flags & ~VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP)
		return VIRTIO_BLK_S_UNSUPP;
	if (!wz && (flags & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP))
		return VIRTIO_BLK_S_UNSUPP;
	if (le32toh(seg->num_sectors) > VIRTIO_BLK_MAX_DISCARD_SECTORS ||
	    !blk_range_ok(req->q->blk, le64toh(seg->sector),
			  le32toh(seg->num_sectors)))
		return VIRTIO_BLK_S_IOERR;
	return VIRTIO_BLK_S_OK;
}

/**
 * blk_req_run_segments() - Execute checked DISCARD/WRITE_ZEROES segments
 * @req:	request
 * @segs:	segments
 * @nseg:	number of segments
 * @wz:		WRITE_ZEROES instead of DISCARD
 *
 * Return: 0, or the -errno of the first host operation that failed
 */
static int blk_req_run_segments(
	struct blk_req *req, const struct virtio_blk_discard_write_zeroes *segs,
	unsigned int nseg, bool wz)
{
	const struct virtio_blk *blk = req->q->blk;
	const struct blk_backing *b = &blk->backing;
	int r = 0;

	for (unsigned int i = 0; i < nseg && !r; i++) {
		uint64_t off = le64toh(segs[i].sector)
			       << VIRTIO_BLK_SECTOR_SHIFT;
		uint64_t len = (uint64_t)le32toh(segs[i].num_sectors)
			       << VIRTIO_BLK_SECTOR_SHIFT;
		bool unmap = le32toh(segs[i].flags) &
			     VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP;

		if (!len)
			continue;
		r = wz ? blk_backing_write_zeroes(b, off, len, unmap)
		       : blk_backing_discard(b, off, len);
		if (r)
			log_warn(
				"virtio-blk '%s' queue %u: %s of %llu bytes at "
				"offset %llu failed: %s",
				b->path, req->q->vq->index,
				wz ? "write-zeroes" : "discard",
				(unsigned long long)len,
				(unsigned long long)off, strerror(-r));
		else
			req->stat_bytes += len;
	}
	if (!r && blk_writethrough(blk))
		r = blk_backing_sync(b);
	return r;
}

/**
 * blk_req_discard_wz() - Check and run DISCARD or WRITE_ZEROES
 * @req:	request, header parsed
 * @wz:		WRITE_ZEROES instead of DISCARD
 *
 * Runs synchronously on the worker thread for every engine: both are rare and
 * cheap on hosts with fallocate or the block ioctls.
 */
static void blk_req_discard_wz(struct blk_req *req, bool wz)
{
	struct virtio_blk_discard_write_zeroes segs[VIRTIO_BLK_MAX_DISCARD_SEG];
	const struct virtio_blk *blk = req->q->blk;
	struct vq_elem *elem = req->elem;
	uint64_t bytes = elem->out_len - sizeof(struct virtio_blk_outhdr);
	unsigned int feature =
		wz ? VIRTIO_BLK_F_WRITE_ZEROES : VIRTIO_BLK_F_DISCARD;
	const char *name = wz ? "write-zeroes" : "discard";
	unsigned int nseg;
	uint8_t status;
	int r;

	req->stat = wz ? VIRTIO_BLK_STAT_WRITE_ZEROES : VIRTIO_BLK_STAT_DISCARD;
	if (blk->backing.read_only) {
		log_debug("virtio-blk queue %u head %u: %s: read-only disk",
			  req->q->vq->index, elem->head, name);
		blk_req_complete(req, VIRTIO_BLK_S_IOERR);
		return;
	}
	if (!(blk->vdev.features & BIT_ULL(feature))) {
		log_debug("virtio-blk queue %u head %u: %s: %s not negotiated",
			  req->q->vq->index, elem->head, name,
			  wz ? "VIRTIO_BLK_F_WRITE_ZEROES"
			     : "VIRTIO_BLK_F_DISCARD");
		blk_req_complete(req, VIRTIO_BLK_S_UNSUPP);
		return;
	}
	if (!bytes || bytes % sizeof(segs[0]) || bytes > sizeof(segs)) {
		log_debug("virtio-blk queue %u head %u: %s: %llu bytes of "
			  "segments, not 1 to %u segments of %zu bytes",
			  req->q->vq->index, elem->head, name,
			  (unsigned long long)bytes, VIRTIO_BLK_MAX_DISCARD_SEG,
			  sizeof(segs[0]));
		blk_req_complete(req, bytes > sizeof(segs) &&
						      !(bytes % sizeof(segs[0]))
					      ? VIRTIO_BLK_S_UNSUPP
					      : VIRTIO_BLK_S_IOERR);
		return;
	}
	nseg = bytes / sizeof(segs[0]);
	iov_to_buf(elem->out_sg, elem->out_num,
		   sizeof(struct virtio_blk_outhdr), segs, bytes);
	/* Refuse the whole request before touching the backing */
	for (unsigned int i = 0; i < nseg; i++) {
		status = blk_req_check_segment(req, &segs[i], wz);
		if (status != VIRTIO_BLK_S_OK) {
			log_debug("virtio-blk queue %u head %u: %s segment %u "
				  "refused (status %u)",
				  req->q->vq->index, elem->head,
				  wz ? "write-zeroes" : "discard", i, status);
			blk_req_complete(req, status);
			return;
		}
	}
	r = blk_req_run_segments(req, segs, nseg, wz);
	if (r)
		blk_req_fail(req, r);
	else
		blk_req_complete(req, VIRTIO_BLK_S_OK);
}

/**
 * blk_req_find_status() - Locate the status byte: the last writable byte
 * @req:	request with its element
 *
 * Return: false if the chain has no device-writable byte
 */
static bool blk_req_find_status(struct blk_req *req)
{
	const struct vq_elem *elem = req->elem;

	for (unsigned int i = elem->in_num; i-- > 0;) {
		const struct iovec *v = &elem->in_sg[i];

		if (v->iov_len) {
			req->status = (uint8_t *)v->iov_base + v->iov_len - 1;
			return true;
		}
	}
	return false;
}

/**
 * blk_req_start() - Parse a popped chain and start or answer the request
 * @q:		queue
 * @elem:	element just popped
 */
static void blk_req_start(struct blk_queue *q, struct vq_elem *elem)
{
	struct virtqueue *vq = q->vq;
	struct virtio_blk_outhdr hdr;
	struct blk_req *req;

	if (elem->head >= vq->num || q->reqs[elem->head].elem) {
		/* The core hands out each head once: this is our bug */
		vq_set_broken(vq, "virtio-blk queue %u: head %u already in use",
			      vq->index, elem->head);
		vq_push(vq, elem, 0);
		return;
	}
	req = &q->reqs[elem->head];
	memset(req, 0, offsetof(struct blk_req, inline_iov));
	req->start_ns = blk_clock_ns();
	/*
	 * Counted before any range check, and a full barrier: a shrink that
	 * did not see this request has published its capacity before the
	 * check below loads it (see virtio_blk_resize()).
	 */
	__atomic_fetch_add(&q->taken, 1, __ATOMIC_SEQ_CST);
	req->q = q;
	req->elem = elem;
	req->stat = VIRTIO_BLK_STAT_UNSUPPORTED;
	req->used_len =
		elem->in_len > UINT32_MAX ? UINT32_MAX : (uint32_t)elem->in_len;
	if (!blk_req_find_status(req)) {
		vq_set_broken(vq,
			      "virtio-blk queue %u head %u: no device-writable "
			      "status byte",
			      vq->index, elem->head);
		blk_req_release(req, 0);
		return;
	}
	if (elem->out_len < sizeof(hdr)) {
		vq_set_broken(vq,
			      "virtio-blk queue %u head %u: request header is "
			      "%llu bytes, %zu needed",
			      vq->index, elem->head,
			      (unsigned long long)elem->out_len, sizeof(hdr));
		blk_req_release(req, 0);
		return;
	}
	iov_to_buf(elem->out_sg, elem->out_num, 0, &hdr, sizeof(hdr));

	switch (le32toh(hdr.type)) {
	case VIRTIO_BLK_T_IN:
		blk_req_rw(req, le64toh(hdr.sector), false);
		break;
	case VIRTIO_BLK_T_OUT:
		blk_req_rw(req, le64toh(hdr.sector), true);
		break;
	case VIRTIO_BLK_T_FLUSH:
		req->stat = VIRTIO_BLK_STAT_FLUSH;
		req->op = BLK_OP_FLUSH;
		q->io->submit(q, req);
		break;
	case VIRTIO_BLK_T_GET_ID:
		blk_req_get_id(req);
		break;
	case VIRTIO_BLK_T_DISCARD:
		blk_req_discard_wz(req, false);
		break;
	case VIRTIO_BLK_T_WRITE_ZEROES:
		blk_req_discard_wz(req, true);
		break;
	default:
		log_debug("virtio-blk queue %u head %u: unsupported request "
			  "type %u",
			  vq->index, elem->head, le32toh(hdr.type));
		blk_req_complete(req, VIRTIO_BLK_S_UNSUPP);
		break;
	}
}

/**
 * blk_queue_process() - Take every available request of a kicked queue
 * @q:		started queue
 *
 * Pops until the ring is empty with driver notifications off, then turns them
 * back on and looks again, so no kick is lost. If they were off already, the
 * worker is polling the ring and turns them on itself before it sleeps. The
 * engine gets the whole batch at once, and the driver at most one interrupt
 * for what completed.
 */
void blk_queue_process(struct blk_queue *q)
{
	struct virtqueue *vq = q->vq;
	bool toggle = !vq->notify_disabled;
	struct error *err = NULL;
	struct vq_elem *elem;
	int r;

	do {
		if (toggle)
			vq_disable_notification(vq);
		while ((r = vq_pop(vq, &elem, &err)) == 1)
			blk_req_start(q, elem);
		if (r < 0) {
			/* vq_set_broken() has logged the reason already */
			error_free(err);
			break;
		}
	} while (toggle && !vq->broken && vq_enable_notification(vq));
	q->io->flush(q);
	blk_queue_notify(q);
}
