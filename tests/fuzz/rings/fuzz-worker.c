/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A synchronous stand-in for the queue workers, for the ring fuzz targets:
 * the device's hooks run on the calling thread, when the harness says.
 *
 * The fuzz targets link this instead of devices/virtio/virtio-worker.c. It
 * implements the same calls (virtio-device.h) with the same order of hook
 * calls: a start runs ops->queue_start and then one kick, as the worker does
 * for buffers published before the start; a stop runs ops->queue_stop once
 * nothing is in flight. What a worker thread does on its own (epoll on kick
 * and device fds, wake-ups from other threads, polling) the harness does
 * explicitly and deterministically instead: fuzz_worker_kick() for a kick,
 * fuzz_worker_run_wakes() after every step, fuzz_worker_fire_watches() for
 * the fds a device watches (e.g. virtio-net's backlog timer). Nothing here
 * is meant to be fast or general: one device at a time, one thread.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <sys/epoll.h>

#include "devices/virtio/virtio-device.h"
#include "tests/fuzz/rings/ring-fuzz.h"

/* Watches one device may hold (virtio-net: a backlog timer per pair) */
#define FW_MAX_WATCHES 32
/* Wake-up rounds per step: a device that always wakes itself again (a
 * transmit queue with more than a batch) cannot loop for ever */
#define FW_MAX_WAKE_ROUNDS 8

struct vq_worker {
	int unused;
};

struct fw_watch {
	int fd; /* -1: free */
	uint32_t events;
	struct virtqueue *vq;
	void (*cb)(struct virtqueue *vq, void *opaque);
	void (*cb_events)(struct virtqueue *vq, uint32_t revents, void *opaque);
	void *opaque;
};

/* The one "worker" every started queue points at */
static struct vq_worker fw_worker;
static struct fw_watch fw_watches[FW_MAX_WATCHES] = {
	[0 ... FW_MAX_WATCHES - 1] = { .fd = -1 },
};

/**
 * fw_kick() - Let the device look at a ring, as the worker does
 * @vq:		virtqueue
 */
static void fw_kick(struct virtqueue *vq)
{
	if (vq->broken || vq->stopping || !vq->active)
		return;
	vq->dev->ops->queue_kick(vq->dev, vq);
}

/**
 * fw_drop_watches() - End every watch of a queue
 * @vq:		virtqueue
 */
static void fw_drop_watches(struct virtqueue *vq)
{
	for (unsigned int i = 0; i < FW_MAX_WATCHES; i++)
		if (fw_watches[i].vq == vq)
			fw_watches[i].fd = -1;
}

/**
 * virtio_queue_start() - Set a queue up and run its start hook and a kick
 * @dev:	device
 * @idx:	queue index
 * @errp:	error from vq_setup() or ops->queue_start
 *
 * Return: true if the queue runs
 */
bool virtio_queue_start(struct virtio_device *dev, unsigned int idx,
			struct error **errp)
{
	struct virtqueue *vq = virtio_queue_prepare(dev, idx, errp);

	if (!vq)
		return false;
	vq->worker = &fw_worker;
	vq->stopping = false;
	vq->kick_watched = false;
	vq->wake_pending = false;
	if (dev->ops->queue_start && !dev->ops->queue_start(dev, vq, errp)) {
		fw_drop_watches(vq);
		vq->worker = NULL;
		vq_teardown(vq);
		return false;
	}
	vq->active = true;
	fw_kick(vq);
	return true;
}

/**
 * virtio_queue_stop() - Stop a queue: its stop hook, then let it go
 * @dev:	device
 * @idx:	queue index; a stopped queue is left alone
 *
 * A worker waits for the requests in flight; here every engine completes
 * them within the hook that took them, so one still in flight is a chain
 * the device lost, which would hang the real transport for ever.
 */
void virtio_queue_stop(struct virtio_device *dev, unsigned int idx)
{
	struct virtqueue *vq;

	if (idx >= dev->num_queues || !dev->vqs[idx].worker)
		return;
	vq = &dev->vqs[idx];
	vq->stopping = true;
	if (vq->inflight)
		fuzz_fail("queue %u stops with %u chains in flight", idx,
			  vq->inflight);
	if (vq->active) {
		if (vq->notify_disabled)
			vq_enable_notification(vq);
		if (dev->ops->queue_stop)
			dev->ops->queue_stop(dev, vq);
	}
	fw_drop_watches(vq);
	vq->active = false;
	vq->worker = NULL;
	vq_teardown(vq);
}

/**
 * virtio_queue_running() - Whether a queue was started
 * @dev:	device
 * @idx:	queue index
 *
 * Return: true between start and stop
 */
bool virtio_queue_running(const struct virtio_device *dev, unsigned int idx)
{
	return idx < dev->num_queues && dev->vqs[idx].worker;
}

/**
 * virtio_queue_accepting() - Whether a queue takes buffers
 * @vq:		virtqueue
 *
 * Return: true if started, not stopping and not broken
 */
bool virtio_queue_accepting(const struct virtqueue *vq)
{
	return vq->active && !vq->stopping && !vq->broken;
}

/**
 * virtio_queue_wake() - Have the queue kicked at the end of this step
 * @dev:	device
 * @idx:	queue index
 *
 * Return: false if the queue is not running
 */
bool virtio_queue_wake(struct virtio_device *dev, unsigned int idx)
{
	if (!virtio_queue_running(dev, idx))
		return false;
	dev->vqs[idx].wake_pending = true;
	return true;
}

/**
 * fw_add_watch() - Remember a watched fd
 * @vq:		virtqueue, started
 * @fd:		file descriptor
 * @events:	epoll events
 * @w:		callbacks and opaque
 * @errp:	error if the queue is stopped or the table full
 *
 * Return: true if watched
 */
static bool fw_add_watch(struct virtqueue *vq, int fd, uint32_t events,
			 struct fw_watch w, struct error **errp)
{
	if (!vq->worker) {
		error_setg(errp, "queue %u: watch of fd %d on a stopped queue",
			   vq->index, fd);
		return false;
	}
	for (unsigned int i = 0; i < FW_MAX_WATCHES; i++) {
		if (fw_watches[i].fd == fd) {
			error_setg(errp, "queue %u: fd %d is watched already",
				   vq->index, fd);
			return false;
		}
	}
	for (unsigned int i = 0; i < FW_MAX_WATCHES; i++) {
		if (fw_watches[i].fd >= 0)
			continue;
		w.fd = fd;
		w.events = events;
		w.vq = vq;
		fw_watches[i] = w;
		return true;
	}
	error_setg(errp, "queue %u: no room to watch fd %d", vq->index, fd);
	return false;
}

/**
 * virtio_queue_watch() - Call @cb when the harness fires the watches
 * @vq:		virtqueue
 * @fd:		file descriptor
 * @cb:		callback
 * @opaque:	for @cb
 * @errp:	error
 *
 * Return: true if watched
 */
bool virtio_queue_watch(struct virtqueue *vq, int fd,
			void (*cb)(struct virtqueue *vq, void *opaque),
			void *opaque, struct error **errp)
{
	return fw_add_watch(vq, fd, EPOLLIN,
			    (struct fw_watch){ .cb = cb, .opaque = opaque },
			    errp);
}

/**
 * virtio_queue_watch_events() - virtio_queue_watch() with events
 * @vq:		virtqueue
 * @fd:		file descriptor
 * @events:	epoll events
 * @cb:		callback, given the events
 * @opaque:	for @cb
 * @errp:	error
 *
 * Return: true if watched
 */
bool virtio_queue_watch_events(struct virtqueue *vq, int fd, uint32_t events,
			       void (*cb)(struct virtqueue *vq,
					  uint32_t revents, void *opaque),
			       void *opaque, struct error **errp)
{
	return fw_add_watch(
		vq, fd, events,
		(struct fw_watch){ .cb_events = cb, .opaque = opaque }, errp);
}

/**
 * virtio_queue_watch_modify() - New events for a watched fd
 * @vq:		virtqueue
 * @fd:		watched fd
 * @events:	epoll events
 * @errp:	error if not watched
 *
 * Return: true on success
 */
bool virtio_queue_watch_modify(struct virtqueue *vq, int fd, uint32_t events,
			       struct error **errp)
{
	for (unsigned int i = 0; i < FW_MAX_WATCHES; i++) {
		if (fw_watches[i].fd == fd && fw_watches[i].vq) {
			fw_watches[i].events = events;
			return true;
		}
	}
	error_setg(errp, "queue %u: fd %d is not watched", vq->index, fd);
	return false;
}

/**
 * virtio_queue_unwatch() - End the watch of an fd
 * @vq:		virtqueue
 * @fd:		file descriptor
 */
void virtio_queue_unwatch(struct virtqueue *vq, int fd)
{
	for (unsigned int i = 0; i < FW_MAX_WATCHES; i++)
		if (fw_watches[i].fd == fd)
			fw_watches[i].fd = -1;
}

/**
 * fuzz_worker_kick() - A kick of a queue, as the worker handles it
 * @dev:	device
 * @idx:	queue index
 * @polled:	as while polling: driver notifications off during the hook,
 *		then on again and the ring looked at once more
 */
void fuzz_worker_kick(struct virtio_device *dev, unsigned int idx, bool polled)
{
	struct virtqueue *vq;

	if (!virtio_queue_running(dev, idx))
		return;
	vq = &dev->vqs[idx];
	if (!polled) {
		fw_kick(vq);
		return;
	}
	if (!vq->broken && vq->active)
		vq_disable_notification(vq);
	fw_kick(vq);
	if (vq->notify_disabled && !vq->broken && vq_enable_notification(vq))
		fw_kick(vq);
}

/**
 * fuzz_worker_run_wakes() - Kick the queues woken during this step
 * @dev:	device
 */
void fuzz_worker_run_wakes(struct virtio_device *dev)
{
	for (unsigned int round = 0; round < FW_MAX_WAKE_ROUNDS; round++) {
		bool any = false;

		for (unsigned int i = 0; i < dev->num_queues; i++) {
			struct virtqueue *vq = &dev->vqs[i];

			if (!vq->worker || !vq->wake_pending)
				continue;
			vq->wake_pending = false;
			any = true;
			fw_kick(vq);
		}
		if (!any)
			return;
	}
}

/**
 * fuzz_worker_fire_watches() - Run the callback of every watched fd, as if
 *				it were ready
 * @dev:	device
 *
 * Callbacks must tolerate a wake-up with nothing to do (virtio-device.h).
 */
void fuzz_worker_fire_watches(struct virtio_device *dev)
{
	for (unsigned int i = 0; i < FW_MAX_WATCHES; i++) {
		struct fw_watch w = fw_watches[i];

		if (w.fd < 0 || !w.vq || w.vq->dev != dev || !w.events)
			continue;
		if (w.cb_events)
			w.cb_events(w.vq, w.events & (EPOLLIN | EPOLLOUT),
				    w.opaque);
		else
			w.cb(w.vq, w.opaque);
	}
}
