/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The common part of every VIRTIO device: features, configuration of the
 * queues, reset and release. The queue worker threads are in virtio-worker.c.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/virtio-device.h"
#include "util/log.h"

/**
 * virtio_device_init() - fill the common part of a device
 * @dev:		device, zeroed or not
 * @ops:		device operations
 * @num_queues:		virtqueues the device has, at least 1
 * @max_queue_size:	largest queue size accepted, 1..32768
 * @errp:		error on bad arguments or allocation failure
 *
 * Return: true on success
 */
bool virtio_device_init(struct virtio_device *dev,
			const struct virtio_device_ops *ops,
			unsigned int num_queues, unsigned int max_queue_size,
			struct error **errp)
{
	unsigned int i;

	if (!num_queues) {
		error_setg(errp, "%s: num_queues must be at least 1",
			   ops->name);
		return false;
	}
	if (!max_queue_size || max_queue_size > VIRTQUEUE_MAX_SIZE) {
		error_setg(errp, "%s: max_queue_size %u not in 1..%u",
			   ops->name, max_queue_size, VIRTQUEUE_MAX_SIZE);
		return false;
	}

	memset(dev, 0, sizeof(*dev));
	dev->vqs = calloc(num_queues, sizeof(*dev->vqs));
	dev->workers = calloc(num_queues, sizeof(*dev->workers));
	if (!dev->vqs || !dev->workers) {
		error_setg(errp, "%s: cannot allocate %u virtqueues", ops->name,
			   num_queues);
		free(dev->vqs);
		free(dev->workers);
		dev->vqs = NULL;
		dev->workers = NULL;
		return false;
	}
	pthread_mutex_init(&dev->workers_lock, NULL);
	dev->ops = ops;
	dev->num_queues = num_queues;
	dev->max_queue_size = max_queue_size;
	for (i = 0; i < num_queues; i++) {
		struct virtqueue *vq = &dev->vqs[i];

		vq->index = i;
		vq->dev = dev;
		vq->kick_fd = vq->call_fd = vq->err_fd = -1;
	}
	return true;
}

/**
 * stop_all_queues() - stop (drain) every running queue of @dev
 * @dev:	device
 */
static void stop_all_queues(struct virtio_device *dev)
{
	unsigned int i;

	for (i = 0; i < dev->num_queues; i++)
		virtio_queue_stop(dev, i);
}

/**
 * virtio_device_free() - stop all queues and release the device
 * @dev:	device; ops->free may free the memory holding it
 */
void virtio_device_free(struct virtio_device *dev)
{
	stop_all_queues(dev);
	free(dev->vqs);
	free(dev->workers);
	dev->vqs = NULL;
	dev->workers = NULL;
	dev->num_queues = 0;
	pthread_mutex_destroy(&dev->workers_lock);
	if (dev->ops->free)
		dev->ops->free(dev);
}

/**
 * format_bits() - list the numbers of the bits set in @bits
 * @bits:	bit mask
 * @buf:	output, e.g. "3, 29"
 * @size:	size of @buf (at least 4)
 */
static void format_bits(uint64_t bits, char *buf, size_t size)
{
	size_t n = 0;
	int bit;

	buf[0] = '\0';
	for (bit = 0; bit < 64 && n < size; bit++) {
		int m;

		if (!(bits & (1ULL << bit)))
			continue;
		m = snprintf(buf + n, size - n, "%s%d", n ? ", " : "", bit);
		if (m < 0 || (size_t)m >= size - n) {
			/* Truncated: end in an ellipsis */
			snprintf(buf + size - 4, 4, "...");
			return;
		}
		n += m;
	}
}

/**
 * virtio_device_set_features() - accept the driver's feature choice
 * @dev:	device
 * @features:	driver's choice
 * @errp:	error naming the bits that were not offered, or the device's
 *
 * Return: true if stored; on failure the previous features stay
 */
bool virtio_device_set_features(struct virtio_device *dev, uint64_t features,
				struct error **errp)
{
	uint64_t offered = dev->ops->get_features(dev);
	uint64_t old = dev->features;
	uint64_t extra = features & ~offered;

	if (extra) {
		char bits[256];

		format_bits(extra, bits, sizeof(bits));
		error_setg(errp,
			   "%s: features 0x%" PRIx64 " include bits not offered"
			   " (offer 0x%" PRIx64 "): %s",
			   dev->ops->name, features, offered, bits);
		return false;
	}

	dev->features = features;
	if (dev->ops->set_features &&
	    !dev->ops->set_features(dev, features, errp)) {
		dev->features = old;
		return false;
	}
	return true;
}

/**
 * virtio_device_reset() - bring the device back to its initial state
 * @dev:	device
 *
 * Queues are stopped (drained) and return to stopped + disabled with
 * last_avail_idx 0; their fds and ring addresses are the transport's.
 */
void virtio_device_reset(struct virtio_device *dev)
{
	unsigned int i;

	stop_all_queues(dev);
	for (i = 0; i < dev->num_queues; i++) {
		struct virtqueue *vq = &dev->vqs[i];

		vq->last_avail_idx = 0;
		vq->used_idx = 0;
		vq->enabled = false;
		vq->broken = false;
	}
	dev->features = 0;
	dev->status = 0;
	__atomic_store_n(&dev->needs_reset, false, __ATOMIC_RELAXED);
	if (dev->ops->reset)
		dev->ops->reset(dev);
}

/**
 * virtio_device_config_changed() - ask the transport to notify the driver
 * @dev:	device
 */
void virtio_device_config_changed(struct virtio_device *dev)
{
	if (dev->config_notify)
		dev->config_notify(dev, dev->transport_opaque);
}
