/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-blk device state shared by the device, request and I/O sources.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_DEVICES_BLK_VIRTIO_BLK_INT_H
#define QD_DEVICES_BLK_VIRTIO_BLK_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/blk/blk-backing.h"
#include "devices/blk/blk-io.h"
#include "devices/blk/virtio-blk-proto.h"
#include "devices/blk/virtio-blk.h"
#include "devices/virtio/virtio-device.h"

#define BIT_ULL(n) (1ULL << (n))

/* Limits offered in the config space */
#define VIRTIO_BLK_SEG_MAX	       126 /* data segments per request */
#define VIRTIO_BLK_SIZE_MAX	       (1U << 20) /* bytes per segment */
#define VIRTIO_BLK_MAX_DISCARD_SECTORS (1U << 16) /* 32 MiB */
#define VIRTIO_BLK_MAX_DISCARD_SEG     16
#define VIRTIO_BLK_MAX_QUEUES	       1024
/* How long a shrink waits for requests taken under the old size */
#define VIRTIO_BLK_RESIZE_DRAIN_MS 5000
/* Hard cap on the data of one request (SEG_MAX * SIZE_MAX fits below) */
#define VIRTIO_BLK_MAX_REQ_BYTES (128U << 20)
/*
 * iovecs per element: header + seg_max + status, each descriptor possibly
 * split in two where it crosses adjacent memory regions.
 */
#define VIRTIO_BLK_VQ_MAX_SEGS (2 * (VIRTIO_BLK_SEG_MAX + 2))

struct virtio_blk {
	struct virtio_device vdev;
	struct blk_backing backing;
	enum virtio_blk_aio aio;
	const struct blk_io_engine *io; /* preferred engine (aio resolved) */
	/*
	 * 512-byte sectors. Atomic: virtio_blk_resize() changes it on another
	 * thread; workers load it (seq_cst, a plain load on x86) for every
	 * range check, and it is also the config space's capacity.
	 */
	uint64_t capacity;
	uint32_t blk_size;
	char serial[VIRTIO_BLK_ID_BYTES]; /* NUL padded, no terminator */
	uint8_t writeback; /* config byte; atomic: written by the transport */
	struct blk_queue *queues;	      /* [num_queues] */
	struct virtio_blk_queue_stats *stats; /* [num_queues], atomics */
	pthread_mutex_t resize_lock;	      /* one resize at a time */
	/* virtio_blk_set_error_listener(): set and called under the lock */
	pthread_mutex_t listener_lock;
	void (*listener)(struct virtio_device *dev,
			 const struct virtio_blk_io_error *e, void *opaque);
	void *listener_opaque;
};

/**
 * to_blk() - The virtio-blk device around its generic part
 * @dev:	generic device, created by virtio_blk_new()
 *
 * Return: the containing struct virtio_blk
 */
static inline struct virtio_blk *to_blk(struct virtio_device *dev)
{
	return (struct virtio_blk *)((char *)dev -
				     offsetof(struct virtio_blk, vdev));
}

bool virtio_blk_is(const struct virtio_device *dev);

/* Request layer: a kick on a started queue */
void blk_queue_process(struct blk_queue *q);

#endif /* QD_DEVICES_BLK_VIRTIO_BLK_INT_H */
