/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QMP for the block program: query-blockstats, block-resize, BLOCK_IO_ERROR.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devices/blk/virtio-blk.h"
#include "qmp/commands-int.h"
#include "qmp/qmp-target.h"
#include "util/log.h"

/* BLOCK_IO_ERROR: at most one event per queue and interval */
#define QMP_BLK_ERROR_INTERVAL_NS 1000000000ULL

/* Per queue, touched only by that queue's worker (the listener's thread) */
struct qmp_blk_queue_errors {
	uint64_t last_ns;    /* when the last event went out, 0: never */
	uint64_t suppressed; /* errors since then without an event */
};

struct qmp_blk_state {
	char *file;
	unsigned int num_queues;
	struct qmp_blk_queue_errors *queues; /* [num_queues] */
};

/**
 * qmp_blk_op_stats() - Add one op type's counters into BlockDeviceStats
 * @op:		which request type
 * @s:		its counters
 * @out:	stats to add to
 */
static void qmp_blk_op_stats(enum virtio_blk_stat op,
			     const struct virtio_blk_op_stats *s,
			     struct qmp_block_device_stats *out)
{
	out->invalid_operations += s->invalid;
	switch (op) {
	case VIRTIO_BLK_STAT_READ:
		out->rd_operations += s->ops;
		out->rd_bytes += s->bytes;
		out->rd_total_time_ns += s->total_ns;
		out->failed_rd_operations += s->errors;
		out->invalid_rd_operations += s->invalid;
		break;
	case VIRTIO_BLK_STAT_WRITE:
		out->wr_operations += s->ops;
		out->wr_bytes += s->bytes;
		out->wr_total_time_ns += s->total_ns;
		out->failed_wr_operations += s->errors;
		out->invalid_wr_operations += s->invalid;
		break;
	case VIRTIO_BLK_STAT_FLUSH:
		out->flush_operations += s->ops;
		out->flush_total_time_ns += s->total_ns;
		out->failed_flush_operations += s->errors;
		out->invalid_flush_operations += s->invalid;
		break;
	case VIRTIO_BLK_STAT_DISCARD:
		out->unmap_operations += s->ops;
		out->unmap_bytes += s->bytes;
		out->unmap_total_time_ns += s->total_ns;
		out->failed_unmap_operations += s->errors;
		out->invalid_unmap_operations += s->invalid;
		break;
	case VIRTIO_BLK_STAT_WRITE_ZEROES:
		out->write_zeroes_operations += s->ops;
		out->write_zeroes_bytes += s->bytes;
		out->write_zeroes_total_time_ns += s->total_ns;
		out->failed_write_zeroes_operations += s->errors;
		out->invalid_write_zeroes_operations += s->invalid;
		break;
	case VIRTIO_BLK_STAT_GET_ID:
		break; /* not I/O: QEMU does not count it either */
	case VIRTIO_BLK_STAT_UNSUPPORTED:
		break;
	case VIRTIO_BLK_STAT_MAX:
		break;
	}
}

/**
 * qmp_cmd_query_blockstats() - query-blockstats: the disk and its counters
 * @req:	request
 * @ret:	one entry, allocated here
 * @n_ret:	1
 * @errp:	set if out of memory
 *
 * Return: true on success
 */
bool qmp_cmd_query_blockstats(struct qmp_request *req,
			      struct qmp_block_stats **ret, size_t *n_ret,
			      struct error **errp)
{
	struct virtio_device *dev = req->target->dev;
	struct virtio_blk_info info;
	struct qmp_block_stats *b;
	unsigned int q, op;

	virtio_blk_get_info(dev, &info);
	b = calloc(1, sizeof(*b));
	if (!b)
		goto oom;
	*ret = b;
	*n_ret = 1;
	b->file = strdup(info.path);
	b->io_engine = strdup(info.io_engine);
	b->queues = calloc(info.num_queues, sizeof(*b->queues));
	if (!b->file || !b->io_engine || !b->queues)
		goto oom;
	b->n_queues = info.num_queues;
	b->size = info.size_bytes;
	b->read_only = info.read_only;
	for (q = 0; q < info.num_queues; q++) {
		struct virtio_blk_queue_stats qs;

		if (!virtio_blk_queue_stats(dev, q, &qs))
			continue;
		for (op = 0; op < VIRTIO_BLK_STAT_MAX; op++) {
			qmp_blk_op_stats(op, &qs.op[op], &b->queues[q]);
			qmp_blk_op_stats(op, &qs.op[op], &b->stats);
		}
	}
	return true;
oom:
	error_setg(errp, "out of memory");
	return false;
}

/**
 * qmp_cmd_block_resize() - block-resize: new size, new capacity, tell the
 * driver
 * @req:	request
 * @args:	the new size
 * @errp:	set if the size is refused or the front-end cannot be told
 *
 * A connected front-end that gave no back-end channel cannot learn of the
 * new capacity: refuse before anything changes, rather than leave a guest
 * with a disk of the wrong size.
 *
 * Return: true on success
 */
bool qmp_cmd_block_resize(struct qmp_request *req,
			  const struct qmp_block_resize_args *args,
			  struct error **errp)
{
	struct qmp_target *t = req->target;
	struct vu_server_info info;
	struct vu_server *srv;
	bool tell, ok = false;

	/* Held throughout, so the session cannot be torn down meanwhile */
	srv = qmp_target_lock(t, errp);
	if (!srv)
		return false;
	if (!vu_server_query(srv, &info, errp))
		goto out;
	free(info.queues);
	tell = info.connected;
	if (tell && !info.backend_channel) {
		error_setg(errp,
			   "the front-end did not negotiate "
			   "VHOST_USER_PROTOCOL_F_BACKEND_REQ (no back-end "
			   "channel): it could not be told of the new size, "
			   "so the disk was not resized");
		goto out;
	}
	if (!virtio_blk_resize(t->dev, args->size, errp))
		goto out;
	if (tell && !virtio_device_config_changed(t->dev, errp)) {
		error_prepend(errp,
			      "resized to %" PRIu64 " bytes, but the "
			      "front-end was not told: ",
			      args->size);
		goto out;
	}
	ok = true;
out:
	qmp_target_unlock(t);
	return ok;
}

/**
 * qmp_blk_now_ns() - Monotonic time in nanoseconds
 *
 * Return: the time
 */
static uint64_t qmp_blk_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/**
 * qmp_blk_operation() - IoOperationType of a request kind
 * @op:		request kind
 * @out:	the operation
 *
 * Return: false for kinds that do no host I/O
 */
static bool qmp_blk_operation(enum virtio_blk_stat op,
			      enum qmp_io_operation_type *out)
{
	switch (op) {
	case VIRTIO_BLK_STAT_READ:
		*out = QMP_IO_OPERATION_TYPE_READ;
		return true;
	case VIRTIO_BLK_STAT_WRITE:
		*out = QMP_IO_OPERATION_TYPE_WRITE;
		return true;
	case VIRTIO_BLK_STAT_FLUSH:
		*out = QMP_IO_OPERATION_TYPE_FLUSH;
		return true;
	case VIRTIO_BLK_STAT_DISCARD:
		*out = QMP_IO_OPERATION_TYPE_DISCARD;
		return true;
	case VIRTIO_BLK_STAT_WRITE_ZEROES:
		*out = QMP_IO_OPERATION_TYPE_WRITE_ZEROES;
		return true;
	default:
		return false;
	}
}

/**
 * qmp_blk_io_error() - Device listener: BLOCK_IO_ERROR, rate-limited per queue
 * @dev:	device
 * @e:		the failed request
 * @opaque:	the block state
 *
 * Runs on the queue's worker: a guest hammering a failing disk must not turn
 * every request into an event, so at most one per second and queue goes
 * out, carrying how many were left out before it.
 */
static void qmp_blk_io_error(struct virtio_device *dev,
			     const struct virtio_blk_io_error *e, void *opaque)
{
	struct qmp_blk_state *st = opaque;
	struct qmp_block_io_error_data data = { 0 };
	struct qmp_blk_queue_errors *qe;
	uint64_t now = qmp_blk_now_ns();

	if (e->queue >= st->num_queues ||
	    !qmp_blk_operation(e->op, &data.operation))
		return;
	qe = &st->queues[e->queue];
	if (qe->last_ns && now - qe->last_ns < QMP_BLK_ERROR_INTERVAL_NS) {
		qe->suppressed++;
		return;
	}
	data.file = st->file;
	data.queue = e->queue;
	data.action = QMP_BLOCK_ERROR_ACTION_REPORT;
	data.nospace = e->error == ENOSPC;
	data.reason = strerror(e->error);
	data.suppressed = qe->suppressed;
	qe->last_ns = now;
	qe->suppressed = 0;
	qmp_event_send_block_io_error(&data);
}

/**
 * qmp_blk_detach() - Stop listening and free the block state
 * @t:		target
 */
static void qmp_blk_detach(struct qmp_target *t)
{
	struct qmp_blk_state *st = t->device_state;

	virtio_blk_set_error_listener(t->dev, NULL, NULL);
	free(st->queues);
	free(st->file);
	free(st);
	t->device_state = NULL;
}

/**
 * qmp_blk_attach() - Listen for I/O errors of the block device
 * @t:		target, before its queues start
 * @errp:	set if out of memory
 *
 * Return: true on success
 */
bool qmp_blk_attach(struct qmp_target *t, struct error **errp)
{
	struct virtio_blk_info info;
	struct qmp_blk_state *st;

	virtio_blk_get_info(t->dev, &info);
	st = calloc(1, sizeof(*st));
	if (st) {
		st->file = strdup(info.path);
		st->queues = calloc(info.num_queues, sizeof(*st->queues));
	}
	if (!st || !st->file || !st->queues) {
		if (st) {
			free(st->file);
			free(st->queues);
		}
		free(st);
		error_setg(errp, "out of memory");
		return false;
	}
	st->num_queues = info.num_queues;
	t->device_state = st;
	t->device_detach = qmp_blk_detach;
	virtio_blk_set_error_listener(t->dev, qmp_blk_io_error, st);
	return true;
}
