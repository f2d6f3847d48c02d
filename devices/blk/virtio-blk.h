/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-blk device model (VIRTIO 1.2 section 5.2) over a raw file or block
 * device.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_DEVICES_BLK_VIRTIO_BLK_H
#define QD_DEVICES_BLK_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/virtio/virtio-device.h"
#include "util/error.h"

#define VIRTIO_ID_BLOCK	    2
#define VIRTIO_BLK_ID_BYTES 20

enum virtio_blk_cache {
	VIRTIO_BLK_CACHE_WRITEBACK, /* page cache, FLUSH -> fdatasync */
	VIRTIO_BLK_CACHE_NONE,	    /* O_DIRECT, FLUSH -> fdatasync */
};

enum virtio_blk_aio {
	VIRTIO_BLK_AIO_AUTO,	 /* io_uring if it works here, else sync */
	VIRTIO_BLK_AIO_IO_URING, /* io_uring or fail */
	VIRTIO_BLK_AIO_SYNC, /* preadv/pwritev on the queue's worker thread */
};

struct virtio_blk_options {
	const char *path;   /* raw image file or block device */
	bool read_only;	    /* VIRTIO_BLK_F_RO, opened O_RDONLY */
	const char *serial; /* GET_ID answer, at most 20 bytes; NULL: none */
	unsigned int num_queues; /* request queues, >= 1 */
	unsigned int queue_size; /* largest queue size accepted */
	enum virtio_blk_cache cache;
	enum virtio_blk_aio aio;
	uint32_t logical_block_size; /* 512 or a power of two up to 4096 */
};

/* virtio_blk_new() - open the backing and build the device; errors name the
 * path */
struct virtio_device *virtio_blk_new(const struct virtio_blk_options *opts,
				     struct error **errp);

#endif /* QD_DEVICES_BLK_VIRTIO_BLK_H */
