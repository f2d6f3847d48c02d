/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The device interface: what a VIRTIO device model offers to any transport.
 *
 * As in VIRTIO's own device model, a device sees feature negotiation, its
 * configuration space, status and reset, and its virtqueues. It knows nothing
 * of the transport: vhost-user (transport/) maps its messages onto these calls,
 * and the in-process test transport (tests/unit) drives the same devices
 * directly.
 *
 * Every started queue is served by a worker thread (epoll on the kick eventfd,
 * the device's own fds and a control eventfd). By default each queue has its
 * own; a device may put several queues in one group (ops->queue_group), and
 * the started queues of a group share one worker, as a network device's
 * receive and transmit queues of one pair do: hooks of one group run one at a
 * time on that thread, so the device may touch any started queue of the group
 * from any of them without locking. The transport's thread never does device
 * I/O: it starts and stops queues, and stopping drains the requests in flight
 * first.
 *
 * With poll_max_us set, a worker that just had work busy-waits for a while
 * before it sleeps, as QEMU's IOThreads do (poll-max-ns): it watches the avail
 * ring with driver notifications off, and the device's completions through
 * ops->queue_poll. The window adapts: it grows while work keeps arriving
 * within it and drops to nothing when work comes later than poll_max_us, so
 * an idle queue costs no CPU.
 *
 * Whoever watches the device (a monitor) registers a listener for what
 * happens to its status: the driver setting DRIVER_OK, a reset, a queue that
 * broke. Listeners run on the thread where it happened and must not block;
 * everything they may want to read (virtio_device_get_status(), the queues'
 * struct vq_stats) is readable from any thread without locks.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_DEVICES_VIRTIO_DEVICE_H
#define QD_DEVICES_VIRTIO_DEVICE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/virtio/virtqueue.h"
#include "util/error.h"

struct virtio_device;

/* What a device listener hears about (struct virtio_device_listener) */
enum virtio_device_event {
	VIRTIO_DEVICE_EVENT_DRIVER_READY, /* the driver set DRIVER_OK */
	VIRTIO_DEVICE_EVENT_RESET,	  /* a non-zero status went to 0 */
	VIRTIO_DEVICE_EVENT_BROKEN,	  /* a queue broke: NEEDS_RESET */
};

/*
 * Told what happens to a device's status, e.g. by a monitor that turns it into
 * events. Transport-neutral: the core calls it, whatever drives the device.
 */
struct virtio_device_listener {
	/*
	 * Runs on the thread where it happened: the transport's for
	 * DRIVER_READY and RESET, the broken queue's worker for BROKEN. Must
	 * not block, nor call back into the device except for lock-free
	 * readers such as virtio_device_get_status(). @queue is -1 except for
	 * BROKEN; @reason is NULL except for BROKEN, where it is the error
	 * that broke the queue (naming queue, chain head and descriptor), valid
	 * only during the call.
	 */
	void (*event)(struct virtio_device *dev, enum virtio_device_event ev,
		      int queue, const char *reason, void *opaque);
	void *opaque;
};

struct virtio_device_ops {
	const char *name;   /* e.g. "virtio-blk", used in log records */
	uint16_t device_id; /* VIRTIO device id (2: block, 1: net) */

	/* Features offered, device bits and transport bits (VERSION_1, ...) */
	uint64_t (*get_features)(struct virtio_device *dev);
	/* Driver's choice, a subset of the offer; false refuses it */
	bool (*set_features)(struct virtio_device *dev, uint64_t features,
			     struct error **errp);
	/* Config space access; false if [offset, offset+len) is out of range or
	 * read-only */
	bool (*get_config)(struct virtio_device *dev, uint32_t offset,
			   void *buf, uint32_t len, struct error **errp);
	bool (*set_config)(struct virtio_device *dev, uint32_t offset,
			   const void *buf, uint32_t len, struct error **errp);
	/* Back to the initial state; all queues are already stopped */
	void (*reset)(struct virtio_device *dev);

	/* Worker thread of @vq, before the first kick: per-queue set-up (may
	 * watch fds) */
	bool (*queue_start)(struct virtio_device *dev, struct virtqueue *vq,
			    struct error **errp);
	/*
	 * Worker thread: buffers may be available (kick, poll, or a start with
	 * a non-empty ring). If driver notifications are off on entry
	 * (vq->notify_disabled: the worker is polling), leave them off: the
	 * worker turns them back on, and looks at the ring again, before it
	 * sleeps.
	 */
	void (*queue_kick)(struct virtio_device *dev, struct virtqueue *vq);
	/* Worker thread, after the queue drained (vq->inflight == 0): tear down
	 */
	void (*queue_stop)(struct virtio_device *dev, struct virtqueue *vq);
	/*
	 * Optional. Worker thread, while it polls (see poll_max_us): finish
	 * what completed without waiting for the device's fds, e.g. reap an
	 * io_uring's CQEs. True if anything was done. The device's fds must
	 * still fire for what it leaves, as the worker sleeps on them.
	 */
	bool (*queue_poll)(struct virtio_device *dev, struct virtqueue *vq);

	/*
	 * Optional. The worker group of queue @idx: queues with the same
	 * group share one worker thread while started. Without it every
	 * queue is its own group. Must not change while queues run.
	 */
	unsigned int (*queue_group)(struct virtio_device *dev,
				    unsigned int idx);

	/*
	 * Optional. The name of device-specific feature bit @bit, such as
	 * "VIRTIO_BLK_F_SEG_MAX"; NULL if the device has none for it (the
	 * core names the reserved bits, virtio_feature_name()). Any thread.
	 */
	const char *(*feature_name)(unsigned int bit);

	/* Release the device (after all queues stopped) */
	void (*free)(struct virtio_device *dev);
};

struct virtio_device {
	const struct virtio_device_ops *ops;
	unsigned int num_queues;     /* virtqueues this device has */
	unsigned int max_queue_size; /* largest queue size accepted */
	struct virtqueue *vqs;	     /* [num_queues], owned by the core */
	uint64_t features;	     /* negotiated */
	/*
	 * VIRTIO_CONFIG_S_* as set by the driver: written on the transport's
	 * thread through virtio_device_set_status()/virtio_device_reset(),
	 * read from any thread with virtio_device_get_status()
	 */
	uint8_t status;
	bool needs_reset; /* a queue broke: NEEDS_RESET semantics (atomic) */
	/*
	 * Adaptive polling of started queues, set by the device before they
	 * start: the longest a worker busy-waits for work before sleeping, in
	 * microseconds (0: never poll, always sleep until an fd fires).
	 */
	unsigned int poll_max_us;

	/*
	 * Set by the transport: tell the driver the config space changed.
	 * Any thread (a device's own, a monitor's). It may wait, bounded, for
	 * the driver's side, which reads the config space through the
	 * transport's thread first: a caller that thread may be waiting for
	 * (a queue worker being drained, a lock its callbacks take) stalls
	 * both until the wait times out. False with *errp if the driver could
	 * not be told.
	 */
	bool (*config_notify)(struct virtio_device *dev, void *opaque,
			      struct error **errp);
	void *transport_opaque;

	/* virtio_device_set_listener(); event == NULL: nobody listens */
	struct virtio_device_listener listener;

	/* core-private: worker of each group, and the lock for wake-ups */
	struct vq_worker **workers; /* [num_queues], indexed by group */
	pthread_mutex_t workers_lock;
};

/*
 * virtio_device_init() - fill the common part; allocates @num_queues virtqueues
 * with fds set to -1. Devices call it from their constructor.
 */
bool virtio_device_init(struct virtio_device *dev,
			const struct virtio_device_ops *ops,
			unsigned int num_queues, unsigned int max_queue_size,
			struct error **errp);
/* virtio_device_free() - stop all queues, call ops->free */
void virtio_device_free(struct virtio_device *dev);

/* virtio_device_set_features() - check against the offer, store, call
 * ops->set_features */
bool virtio_device_set_features(struct virtio_device *dev, uint64_t features,
				struct error **errp);
/*
 * virtio_device_reset() - stop (drain) all queues, clear features/status,
 * ops->reset. A RESET event follows if the status was not 0 (with
 * NEEDS_RESET counted, see virtio_device_get_status()).
 */
void virtio_device_reset(struct virtio_device *dev);

/*
 * virtio_device_set_listener() - who hears about status changes; @l is copied,
 * NULL removes it. Call before queues start and while the transport's thread
 * does not touch the status (e.g. before the server runs).
 */
void virtio_device_set_listener(struct virtio_device *dev,
				const struct virtio_device_listener *l);
/*
 * virtio_device_set_status() - the transport's thread stores the status the
 * driver wrote. DRIVER_OK rising is a DRIVER_READY event; 0 is a device reset
 * (virtio_device_reset(), with its RESET event).
 */
void virtio_device_set_status(struct virtio_device *dev, uint8_t status);
/*
 * virtio_device_get_status() - any thread: the driver's status, with
 * VIRTIO_CONFIG_S_NEEDS_RESET while a queue is broken
 */
uint8_t virtio_device_get_status(const struct virtio_device *dev);
/*
 * virtio_feature_name() - the name of feature bit @bit of @dev: the device's
 * (ops->feature_name) first, then VIRTIO's reserved bits ("VIRTIO_F_VERSION_1",
 * ...). NULL if unknown: transport-specific bits are the transport's to name.
 */
const char *virtio_feature_name(const struct virtio_device *dev,
				unsigned int bit);

/*
 * virtio_queue_prepare() - for implementations of virtio_queue_start(): check
 * that queue @idx exists and does not run, take the negotiated ring features
 * and vq_setup() it. Return: the queue, or NULL with @errp set.
 */
struct virtqueue *virtio_queue_prepare(struct virtio_device *dev,
				       unsigned int idx, struct error **errp);
/*
 * virtio_queue_start() - vq_setup() the queue and start its worker thread.
 * The config fields of dev->vqs[idx] must be set.
 */
bool virtio_queue_start(struct virtio_device *dev, unsigned int idx,
			struct error **errp);
/*
 * virtio_queue_stop() - stop taking requests, wait until those in flight
 * completed, join the worker, vq_teardown(). last_avail_idx stays valid.
 * A no-op on a stopped queue.
 */
void virtio_queue_stop(struct virtio_device *dev, unsigned int idx);
/* virtio_queue_running() - whether the queue has a worker */
bool virtio_queue_running(const struct virtio_device *dev, unsigned int idx);
/*
 * virtio_queue_accepting() - on the worker thread of @vq's group: whether the
 * device may take new buffers from @vq (started, not being stopped, not
 * broken). A hook of one queue checks a sibling queue of its group with it.
 */
bool virtio_queue_accepting(const struct virtqueue *vq);

/*
 * virtio_queue_watch() - on the queue's worker thread (ops->queue_start or any
 * later hook or callback): call @cb there whenever @fd is readable (e.g. an
 * io_uring completion eventfd). The watch ends when the queue stops.
 */
bool virtio_queue_watch(struct virtqueue *vq, int fd,
			void (*cb)(struct virtqueue *vq, void *opaque),
			void *opaque, struct error **errp);
/*
 * virtio_queue_watch_events() - like virtio_queue_watch() for any epoll
 * @events (EPOLLIN, EPOLLOUT; 0 keeps the watch but pauses it, though
 * EPOLLHUP/EPOLLERR still fire); @cb gets the ready events. One fd can be
 * watched once per worker group: dup() it to watch it for two queues.
 * Callbacks must tolerate a wake-up with nothing to do.
 */
bool virtio_queue_watch_events(struct virtqueue *vq, int fd, uint32_t events,
			       void (*cb)(struct virtqueue *vq,
					  uint32_t revents, void *opaque),
			       void *opaque, struct error **errp);
/* virtio_queue_watch_modify() - worker thread: new @events for a watched fd */
bool virtio_queue_watch_modify(struct virtqueue *vq, int fd, uint32_t events,
			       struct error **errp);
/* virtio_queue_unwatch() - worker thread: end the watch of @fd (if any) */
void virtio_queue_unwatch(struct virtqueue *vq, int fd);

/*
 * virtio_queue_wake() - any thread: have the worker of queue @idx run
 * ops->queue_kick for it soon, as if the driver kicked (device-side work
 * handed over from another thread). False if the queue is not running.
 */
bool virtio_queue_wake(struct virtio_device *dev, unsigned int idx);

/*
 * virtio_device_config_changed() - ask the transport to tell the driver the
 * config space changed (see config_notify for the threads it may run on).
 * Return: false with *errp if no transport is attached or it could not tell
 * the driver.
 */
bool virtio_device_config_changed(struct virtio_device *dev,
				  struct error **errp);

/*
 * virtio_device_emit() - core-private: run the listener, if any, on this
 * thread (virtqueue.c reports BROKEN through it)
 */
void virtio_device_emit(struct virtio_device *dev, enum virtio_device_event ev,
			int queue, const char *reason);

#endif /* QD_DEVICES_VIRTIO_DEVICE_H */
