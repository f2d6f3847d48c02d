/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-blk operations a management interface runs on a live disk: its
 * description, resizing, and the listener for host I/O errors.
 *
 * They run on any thread (a monitor's) while the queues' workers serve
 * requests, so they touch nothing a worker owns: the capacity is one atomic
 * word the workers check each request against, and the error listener is
 * called under a lock that only error paths take.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "devices/blk/virtio-blk-int.h"
#include "util/log.h"

/**
 * virtio_blk_get_info() - What the device serves
 * @dev:	device from virtio_blk_new()
 * @info:	filled; zeroed if @dev is not virtio-blk
 *
 * Any thread. The strings live as long as the device.
 */
void virtio_blk_get_info(struct virtio_device *dev,
			 struct virtio_blk_info *info)
{
	const struct virtio_blk *blk;

	memset(info, 0, sizeof(*info));
	if (!virtio_blk_is(dev))
		return;
	blk = to_blk(dev);
	info->path = blk->backing.path;
	info->size_bytes = __atomic_load_n(&blk->capacity, __ATOMIC_RELAXED)
			   << VIRTIO_BLK_SECTOR_SHIFT;
	info->read_only = blk->backing.read_only;
	info->io_engine = blk->io->name;
	info->num_queues = dev->num_queues;
	info->logical_block_size = blk->blk_size;
}

/**
 * blk_resize_check() - Refuse a size the disk cannot take
 * @blk:	device
 * @size:	new size in bytes
 * @errp:	error naming the path and the reason
 *
 * Return: true if @size may be tried
 */
static bool blk_resize_check(const struct virtio_blk *blk, uint64_t size,
			     struct error **errp)
{
	const char *path = blk->backing.path;

	if (blk->backing.read_only) {
		error_setg(errp, "cannot resize '%s': the export is read-only",
			   path);
		return false;
	}
	if (!size) {
		error_setg(errp,
			   "cannot resize '%s' to 0 bytes: the size must be "
			   "a positive multiple of the logical block size "
			   "(%" PRIu32 " bytes)",
			   path, blk->blk_size);
		return false;
	}
	if (size % blk->blk_size) {
		error_setg(errp,
			   "cannot resize '%s' to %" PRIu64 " bytes: not a "
			   "multiple of the logical block size (%" PRIu32
			   " bytes)",
			   path, size, blk->blk_size);
		return false;
	}
	if (size > INT64_MAX) {
		error_setg(errp,
			   "cannot resize '%s' to %" PRIu64 " bytes: larger "
			   "than a file can be",
			   path, size);
		return false;
	}
	return true;
}

/**
 * blk_resize_blockdev() - Pick up the size of a block device
 * @blk:	device over a block device
 * @size:	size asked for, in bytes
 * @errp:	error if the device does not have exactly that size
 *
 * A block device is not resized here (that is the job of whatever provides
 * it, e.g. lvextend); its current size may be taken over, so a grown device
 * reaches the guest.
 *
 * Return: true with the capacity set
 */
static bool blk_resize_blockdev(struct virtio_blk *blk, uint64_t size,
				struct error **errp)
{
	struct blk_backing *b = &blk->backing;
	uint64_t cur;

	if (ioctl(b->fd, BLKGETSIZE64, &cur)) {
		error_setg_errno(errp, errno, "cannot get the size of '%s'",
				 b->path);
		return false;
	}
	if (cur != size) {
		error_setg(errp,
			   "cannot resize '%s' to %" PRIu64 " bytes: it is a "
			   "block device of %" PRIu64 " bytes, which cannot "
			   "be resized here (only its current size can be "
			   "taken over)",
			   b->path, size, cur);
		return false;
	}
	b->size = size;
	__atomic_store_n(&blk->capacity, size >> VIRTIO_BLK_SECTOR_SHIFT,
			 __ATOMIC_SEQ_CST);
	return true;
}

/**
 * blk_clock_ms() - CLOCK_MONOTONIC in milliseconds
 *
 * Return: milliseconds since an arbitrary point
 */
static uint64_t blk_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/**
 * blk_resize_drain() - Wait for requests taken before a new capacity
 * @blk:	device whose capacity was just lowered
 *
 * Every request counted in q->taken before the capacity store may have been
 * checked against the old capacity (the store and each increment are
 * sequentially consistent, see blk_req_start()); those are waited for, later
 * ones see the new capacity. A steady stream of new requests does not hold
 * the wait up: only the count seen here is waited for, queue by queue.
 *
 * Return: false if they did not all complete within
 * VIRTIO_BLK_RESIZE_DRAIN_MS
 */
static bool blk_resize_drain(struct virtio_blk *blk)
{
	uint64_t deadline = blk_clock_ms() + VIRTIO_BLK_RESIZE_DRAIN_MS;
	const struct timespec pause = { .tv_nsec = 200 * 1000 };

	for (unsigned int i = 0; i < blk->vdev.num_queues; i++) {
		const struct blk_queue *q = &blk->queues[i];
		uint64_t taken = __atomic_load_n(&q->taken, __ATOMIC_SEQ_CST);

		while (__atomic_load_n(&q->released, __ATOMIC_ACQUIRE) <
		       taken) {
			if (blk_clock_ms() > deadline)
				return false;
			nanosleep(&pause, NULL);
		}
	}
	return true;
}

/**
 * blk_resize_file() - Truncate or extend an image file
 * @blk:	device over a regular file
 * @size:	new size in bytes, checked
 * @errp:	error naming the path, with the host's reason
 *
 * Growing extends the file before the guest may use the new sectors.
 * Shrinking first lowers the capacity, so new requests beyond the new end
 * are refused, then waits for the requests checked against the old one: a
 * write among them would otherwise extend the file again after the cut.
 * On failure the capacity is what it was.
 *
 * Return: true with file and capacity changed
 */
static bool blk_resize_file(struct virtio_blk *blk, uint64_t size,
			    struct error **errp)
{
	struct blk_backing *b = &blk->backing;
	uint64_t old = __atomic_load_n(&blk->capacity, __ATOMIC_RELAXED);
	uint64_t cap = size >> VIRTIO_BLK_SECTOR_SHIFT;

	if (cap < old) {
		__atomic_store_n(&blk->capacity, cap, __ATOMIC_SEQ_CST);
		if (!blk_resize_drain(blk)) {
			__atomic_store_n(&blk->capacity, old, __ATOMIC_SEQ_CST);
			error_setg(errp,
				   "cannot resize '%s': requests in flight "
				   "did not complete within %u ms",
				   b->path, VIRTIO_BLK_RESIZE_DRAIN_MS);
			return false;
		}
	}
	if (ftruncate(b->fd, (off_t)size)) {
		error_setg_errno(errp, errno,
				 "cannot resize '%s' to %" PRIu64 " bytes",
				 b->path, size);
		__atomic_store_n(&blk->capacity, old, __ATOMIC_SEQ_CST);
		return false;
	}
	b->size = size;
	__atomic_store_n(&blk->capacity, cap, __ATOMIC_SEQ_CST);
	return true;
}

/**
 * virtio_blk_resize() - Change the size of the disk
 * @dev:	device from virtio_blk_new()
 * @size:	new size in bytes
 * @errp:	error naming the path and why the size was refused
 *
 * Any thread; one resize at a time. The driver is not told: the caller calls
 * virtio_device_config_changed() afterwards.
 *
 * Return: true if the disk now has @size bytes
 */
bool virtio_blk_resize(struct virtio_device *dev, uint64_t size,
		       struct error **errp)
{
	struct virtio_blk *blk;
	uint64_t old;
	bool ok;

	if (!virtio_blk_is(dev)) {
		error_setg(errp, "resize: not a virtio-blk device");
		return false;
	}
	blk = to_blk(dev);
	if (!blk_resize_check(blk, size, errp))
		return false;
	pthread_mutex_lock(&blk->resize_lock);
	old = __atomic_load_n(&blk->capacity, __ATOMIC_RELAXED)
	      << VIRTIO_BLK_SECTOR_SHIFT;
	if (blk->backing.is_blockdev)
		ok = blk_resize_blockdev(blk, size, errp);
	else
		ok = blk_resize_file(blk, size, errp);
	pthread_mutex_unlock(&blk->resize_lock);
	if (ok)
		log_info("virtio-blk '%s': resized from %" PRIu64 " to %" PRIu64
			 " bytes",
			 blk->backing.path, old, size);
	return ok;
}

/**
 * virtio_blk_set_error_listener() - Who hears of host I/O errors
 * @dev:	device from virtio_blk_new()
 * @cb:		called on the queue's worker for each error; NULL: nobody
 * @opaque:	passed to @cb
 *
 * Once this returns the previous listener is not running and never runs
 * again: it is called under the same lock.
 */
void virtio_blk_set_error_listener(
	struct virtio_device *dev,
	void (*cb)(struct virtio_device *dev,
		   const struct virtio_blk_io_error *e, void *opaque),
	void *opaque)
{
	struct virtio_blk *blk;

	if (!virtio_blk_is(dev))
		return;
	blk = to_blk(dev);
	pthread_mutex_lock(&blk->listener_lock);
	blk->listener_opaque = opaque;
	/* Checked without the lock first by blk_req_fail() */
	__atomic_store_n(&blk->listener, cb, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&blk->listener_lock);
}
