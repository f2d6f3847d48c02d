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

/*
 * Queue polling (poll_max_us): the program's default and the largest value.
 * The window only grows when work comes back within poll_max of the last, and
 * without polling one request costs two thread wake-ups (25-30 us each where
 * the CPU has to leave a halted state, as in a VM): 100 us lets a back-to-back
 * stream of requests switch polling on, where QEMU's 32 us may not.
 */
#define VIRTIO_BLK_POLL_MAX_US_DEFAULT 100
#define VIRTIO_BLK_POLL_MAX_US_LIMIT   1000000

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
	unsigned int num_queues; /* request queues, 1..1024 */
	unsigned int queue_size; /* largest queue size accepted (power of 2) */
	enum virtio_blk_cache cache;
	enum virtio_blk_aio aio;
	uint32_t logical_block_size; /* 512 or a power of two up to 4096;
					0 means 512 */
	unsigned int poll_max_us;    /* queue workers poll up to this long
					before sleeping; 0: never poll */
};

/* Request kinds counted per queue (virtio_blk_queue_stats()) */
enum virtio_blk_stat {
	VIRTIO_BLK_STAT_READ,
	VIRTIO_BLK_STAT_WRITE,
	VIRTIO_BLK_STAT_FLUSH,
	VIRTIO_BLK_STAT_DISCARD,
	VIRTIO_BLK_STAT_WRITE_ZEROES,
	VIRTIO_BLK_STAT_GET_ID,
	VIRTIO_BLK_STAT_UNSUPPORTED, /* unknown request types */
	VIRTIO_BLK_STAT_MAX
};

struct virtio_blk_op_stats {
	uint64_t ops;	  /* requests completed, including those refused */
	uint64_t bytes;	  /* data bytes (sectors * 512 for discard/zeroes) */
	uint64_t errors;  /* the host's I/O failed (status IOERR) */
	uint64_t invalid; /* refused before any I/O: out of range, malformed,
			     read-only, not negotiated, unknown type */
	/*
	 * Sum of each request's time from the moment it was taken from the
	 * ring to its completion, in nanoseconds (CLOCK_MONOTONIC)
	 */
	uint64_t total_ns;
};

struct virtio_blk_queue_stats {
	struct virtio_blk_op_stats op[VIRTIO_BLK_STAT_MAX];
};

/* What the device serves, for reports (virtio_blk_get_info()) */
struct virtio_blk_info {
	const char *path;      /* backing file or block device, as given */
	uint64_t size_bytes;   /* the disk's size as the guest sees it */
	bool read_only;	       /* exported read-only (VIRTIO_BLK_F_RO) */
	const char *io_engine; /* "io_uring" or "sync" */
	unsigned int num_queues;
	uint32_t logical_block_size;
};

/* A host I/O error, as reported to an error listener */
struct virtio_blk_io_error {
	unsigned int queue;	 /* request queue */
	enum virtio_blk_stat op; /* request type */
	int error;		 /* positive errno */
};

/* virtio_blk_new() - open the backing and build the device; errors name the
 * path */
struct virtio_device *virtio_blk_new(const struct virtio_blk_options *opts,
				     struct error **errp);

/* virtio_blk_queue_stats() - snapshot of a queue's counters, from any thread */
bool virtio_blk_queue_stats(struct virtio_device *dev, unsigned int queue,
			    struct virtio_blk_queue_stats *stats);
/* virtio_blk_stat_name() - "read", "write", ... for reports */
const char *virtio_blk_stat_name(enum virtio_blk_stat stat);
/* virtio_blk_io_engine() - "io_uring" or "sync": what aio resolved to */
const char *virtio_blk_io_engine(struct virtio_device *dev);

/*
 * virtio_blk_get_info() - what the device serves; any thread. The strings
 * live as long as the device.
 */
void virtio_blk_get_info(struct virtio_device *dev,
			 struct virtio_blk_info *info);

/*
 * virtio_blk_resize() - change the disk's size to @size bytes; any thread.
 * Refused for a read-only export, a size of 0 or not a multiple of the
 * logical block size, and for a block device whose size is not @size (a
 * block device is never resized here: the call only picks up a device that
 * grew or shrank, e.g. an extended LV). A file is truncated or extended.
 * The capacity the queues check requests against and the one in the config
 * space change together. Shrinking waits (bounded) for requests taken under
 * the old size to complete before the file is cut, so none of them can
 * extend it again. The driver is not told: the caller then calls
 * virtio_device_config_changed().
 */
bool virtio_blk_resize(struct virtio_device *dev, uint64_t size,
		       struct error **errp);

/*
 * virtio_blk_set_error_listener() - call @cb for every host I/O error (not
 * for requests refused by the checks: range, read-only, malformed); NULL
 * removes it. @cb runs on the queue's worker thread, under a lock this call
 * also takes, so it must not block and must not call this function; once
 * this returns, the previous listener is not running and never runs again.
 */
void virtio_blk_set_error_listener(
	struct virtio_device *dev,
	void (*cb)(struct virtio_device *dev,
		   const struct virtio_blk_io_error *e, void *opaque),
	void *opaque);

#endif /* QD_DEVICES_BLK_VIRTIO_BLK_H */
