/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The common part of every VIRTIO device: features, configuration of the
 * queues, status, reset and release. The queue worker threads are in
 * virtio-worker.c.
 *
 * The status is written only on the transport's thread and read anywhere
 * (relaxed atomics: a monitor wants a value, not an ordering), so listeners
 * and monitors never take a lock the transport or a worker might hold.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/virtio-device.h"
#include "devices/virtio/virtio-ring.h"
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
 * virtio_queue_prepare() - Check that a queue may start, and set it up
 * @dev:	device, features negotiated
 * @idx:	queue index
 * @errp:	set if the queue does not exist, runs already, or vq_setup()
 *		refused its config
 *
 * The part of starting a queue every implementation of virtio_queue_start()
 * shares, whatever serves the queue afterwards.
 *
 * Return: the queue, set up and served by nothing yet, or NULL
 */
struct virtqueue *virtio_queue_prepare(struct virtio_device *dev,
				       unsigned int idx, struct error **errp)
{
	struct virtqueue *vq;

	if (idx >= dev->num_queues) {
		error_setg(errp, "%s: queue %u does not exist (%u queues)",
			   dev->ops->name, idx, dev->num_queues);
		return NULL;
	}
	vq = &dev->vqs[idx];
	if (vq->worker) {
		error_setg(errp, "%s: queue %u is already running",
			   dev->ops->name, idx);
		return NULL;
	}
	vq->dev = dev;
	vq->index = idx;
	vq->event_idx = dev->features & (1ULL << VIRTIO_RING_F_EVENT_IDX);
	vq->indirect = dev->features & (1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	return vq_setup(vq, errp) ? vq : NULL;
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
	uint8_t old;

	stop_all_queues(dev);
	/* After the drain: a queue may have broken meanwhile */
	old = virtio_device_get_status(dev);
	for (i = 0; i < dev->num_queues; i++) {
		struct virtqueue *vq = &dev->vqs[i];

		/* Read by monitors: atomic, though the queue is stopped */
		__atomic_store_n(&vq->last_avail_idx, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&vq->used_idx, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&vq->broken, false, __ATOMIC_RELAXED);
		vq->enabled = false;
	}
	dev->features = 0;
	__atomic_store_n(&dev->status, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&dev->needs_reset, false, __ATOMIC_RELAXED);
	if (dev->ops->reset)
		dev->ops->reset(dev);
	/* Once the device is back to its initial state, and once per reset */
	if (old)
		virtio_device_emit(dev, VIRTIO_DEVICE_EVENT_RESET, -1, NULL);
}

/**
 * virtio_device_set_listener() - who hears about status changes
 * @dev:	device
 * @l:		listener, copied; NULL to remove it
 *
 * Not synchronised with the threads that emit events: set it before queues
 * start and before the transport runs.
 */
void virtio_device_set_listener(struct virtio_device *dev,
				const struct virtio_device_listener *l)
{
	if (l)
		dev->listener = *l;
	else
		memset(&dev->listener, 0, sizeof(dev->listener));
}

/**
 * virtio_device_emit() - tell the listener, if any, what happened
 * @dev:	device
 * @ev:		event
 * @queue:	broken queue for VIRTIO_DEVICE_EVENT_BROKEN, else -1
 * @reason:	why it broke for VIRTIO_DEVICE_EVENT_BROKEN, else NULL
 *
 * Core-private (virtqueue.c emits BROKEN): runs the listener on this thread.
 */
void virtio_device_emit(struct virtio_device *dev, enum virtio_device_event ev,
			int queue, const char *reason)
{
	if (dev->listener.event)
		dev->listener.event(dev, ev, queue, reason,
				    dev->listener.opaque);
}

/**
 * virtio_device_set_status() - store the status the driver wrote
 * @dev:	device
 * @status:	VIRTIO_CONFIG_S_* bits; 0 resets the device
 *
 * On the transport's thread, the only one that writes the status.
 */
void virtio_device_set_status(struct virtio_device *dev, uint8_t status)
{
	uint8_t old = __atomic_load_n(&dev->status, __ATOMIC_RELAXED);

	if (!status) {
		virtio_device_reset(dev);
		return;
	}
	__atomic_store_n(&dev->status, status, __ATOMIC_RELAXED);
	if ((status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	    !(old & VIRTIO_CONFIG_S_DRIVER_OK))
		virtio_device_emit(dev, VIRTIO_DEVICE_EVENT_DRIVER_READY, -1,
				   NULL);
}

/**
 * virtio_device_get_status() - the device status as the driver would read it
 * @dev:	device
 *
 * Any thread: relaxed loads, a snapshot.
 *
 * Return: the driver's status, with VIRTIO_CONFIG_S_NEEDS_RESET while a queue
 * is broken
 */
uint8_t virtio_device_get_status(const struct virtio_device *dev)
{
	uint8_t status = __atomic_load_n(&dev->status, __ATOMIC_RELAXED);

	if (__atomic_load_n(&dev->needs_reset, __ATOMIC_RELAXED))
		status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	return status;
}

/* Names of VIRTIO's reserved feature bits (VIRTIO 1.2, section 6) */
static const char *const reserved_feature_names[] = {
	[VIRTIO_F_NOTIFY_ON_EMPTY] = "VIRTIO_F_NOTIFY_ON_EMPTY",
	[VIRTIO_F_ANY_LAYOUT] = "VIRTIO_F_ANY_LAYOUT",
	[VIRTIO_RING_F_INDIRECT_DESC] = "VIRTIO_RING_F_INDIRECT_DESC",
	[VIRTIO_RING_F_EVENT_IDX] = "VIRTIO_RING_F_EVENT_IDX",
	[VIRTIO_F_VERSION_1] = "VIRTIO_F_VERSION_1",
	[VIRTIO_F_ACCESS_PLATFORM] = "VIRTIO_F_ACCESS_PLATFORM",
	[VIRTIO_F_RING_PACKED] = "VIRTIO_F_RING_PACKED",
	[VIRTIO_F_IN_ORDER] = "VIRTIO_F_IN_ORDER",
	[VIRTIO_F_ORDER_PLATFORM] = "VIRTIO_F_ORDER_PLATFORM",
	[VIRTIO_F_SR_IOV] = "VIRTIO_F_SR_IOV",
	[VIRTIO_F_NOTIFICATION_DATA] = "VIRTIO_F_NOTIFICATION_DATA",
	[VIRTIO_F_NOTIF_CONFIG_DATA] = "VIRTIO_F_NOTIF_CONFIG_DATA",
	[VIRTIO_F_RING_RESET] = "VIRTIO_F_RING_RESET",
	[VIRTIO_F_ADMIN_VQ] = "VIRTIO_F_ADMIN_VQ",
};

/**
 * virtio_feature_name() - the name of a feature bit
 * @dev:	device (its ops->feature_name names its own bits)
 * @bit:	bit number
 *
 * Return: a static string, or NULL if neither the device nor VIRTIO names
 * @bit
 */
const char *virtio_feature_name(const struct virtio_device *dev,
				unsigned int bit)
{
	const char *name = NULL;

	if (dev && dev->ops && dev->ops->feature_name)
		name = dev->ops->feature_name(bit);
	if (!name && bit < sizeof(reserved_feature_names) /
				     sizeof(reserved_feature_names[0]))
		name = reserved_feature_names[bit];
	return name;
}

/**
 * virtio_device_config_changed() - ask the transport to notify the driver
 * @dev:	device
 * @errp:	set if no transport is attached or the driver was not told
 *
 * Return: true if the transport told the driver
 */
bool virtio_device_config_changed(struct virtio_device *dev,
				  struct error **errp)
{
	if (!dev->config_notify) {
		error_setg(errp, "%s: config change: no transport attached",
			   dev->ops->name);
		return false;
	}
	return dev->config_notify(dev, dev->transport_opaque, errp);
}
