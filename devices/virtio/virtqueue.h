/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Split virtqueues: popping hostile descriptor chains safely, pushing used
 * buffers.
 *
 * The ring memory belongs to the driver and is treated as hostile: every index
 * is bounded, every address is translated through struct guest_memory with its
 * length, chains are walked with a budget (loops, over-long chains), indirect
 * tables are size-checked and may not nest, and device-readable buffers must
 * come before device-writable ones. The first violation marks the queue broken:
 * it logs what was wrong (queue, head, descriptor), stops taking requests and
 * never touches guest memory again until the transport resets it.
 *
 * Threading: a started queue is owned by its worker thread (virtio-device.c);
 * the transport changes the fields marked "config" only while it is stopped.
 * Monitors on other threads read stats, broken, last_avail_idx and used_idx
 * with relaxed atomic loads, so every write to them is a relaxed atomic store
 * (a plain store on x86); the owner's own reads stay plain. What a monitor
 * gets is a snapshot: the indices may be a request apart.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_DEVICES_VIRTIO_VIRTQUEUE_H
#define QD_DEVICES_VIRTIO_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "devices/virtio/guest-memory.h"
#include "devices/virtio/virtio-ring.h"
#include "util/error.h"

struct virtio_device;
struct vq_worker;

/* Default cap on the iovecs of one element when the device sets none */
#define VQ_DEFAULT_MAX_SEGS 1024

/* One descriptor chain popped from the avail ring, as host iovecs. */
struct vq_elem {
	uint16_t head;	      /* chain head: the id returned in the used ring */
	uint16_t avail_idx;   /* avail index it was taken at (vq_unpop()) */
	unsigned int out_num; /* device-readable segments, at iov[0..out_num) */
	unsigned int in_num;  /* device-writable segments, after them */
	struct iovec *out_sg; /* == iov */
	struct iovec *in_sg;  /* == iov + out_num */
	uint64_t in_len;      /* total bytes of the writable segments */
	uint64_t out_len;     /* total bytes of the readable segments */
	struct iovec *iov;    /* capacity: vq->max_segs */
};

/* Counters read by monitors from other threads (relaxed atomics). */
struct vq_stats {
	uint64_t kicks;	   /* kick notifications received */
	uint64_t calls;	   /* call notifications sent */
	uint64_t requests; /* chains completed (pushed to the used ring) */
};

struct virtqueue {
	/* config: set by the transport while the queue is stopped */
	unsigned int index;	 /* queue index within the device */
	unsigned int num;	 /* queue size (power of two, <= 32768) */
	struct vring_desc *desc; /* host pointers to the rings */
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t last_avail_idx;	/* next avail entry to take */
	const struct guest_memory *mem; /* where buffer addresses (GPAs) live */
	int kick_fd;			/* eventfd the driver kicks, -1: none */
	int call_fd;	       /* eventfd to notify the driver, -1: none */
	int err_fd;	       /* eventfd to signal a broken queue, -1 */
	bool enabled;	       /* driver allows processing */
	unsigned int max_segs; /* iovec capacity per element */

	/* runtime: owned by the worker thread while started */
	uint16_t used_idx;	 /* shadow of used->idx */
	uint16_t signalled_used; /* used_idx at the last call */
	bool signalled_used_valid;
	bool event_idx;		/* VIRTIO_RING_F_EVENT_IDX negotiated */
	bool indirect;		/* VIRTIO_RING_F_INDIRECT_DESC negotiated */
	bool broken;		/* a check failed: no more ring access */
	bool notify_disabled;	/* vq_disable_notification() in effect */
	bool call_failed;	/* a call could not be signalled (logged) */
	unsigned int inflight;	/* popped, not yet pushed */
	struct vq_elem *elems;	/* [num], indexed by head */
	uint8_t *head_inflight; /* [num]: head popped and not pushed */
	struct iovec *iov_pool; /* backing store of elems' iov */

	struct virtio_device *dev;
	struct vq_worker *worker; /* NULL while stopped */
	/* core-private, owned by the worker thread */
	bool active;	   /* the worker serves it (queue_start succeeded) */
	bool stopping;	   /* a stop was requested: no new buffers */
	bool kick_watched; /* kick_fd is in the worker's epoll set */
	bool wake_pending; /* atomic: virtio_queue_wake() asked */
	struct vq_stats stats;
};

/*
 * vq_setup() - validate the config fields and allocate the element table; call
 * while stopped, after num/desc/avail/used/mem are set. False if num is not a
 * power of two in 1..32768 or a ring lies outside guest memory.
 */
bool vq_setup(struct virtqueue *vq, struct error **errp);
/* vq_teardown() - free what vq_setup() allocated; the queue must be idle */
void vq_teardown(struct virtqueue *vq);

/*
 * vq_pop() - take the next available chain.
 * Return: 1 with *elemp set, 0 if the ring is empty (or the queue is broken),
 * -1 if the chain is malformed: the queue is now broken and *errp says why.
 */
int vq_pop(struct virtqueue *vq, struct vq_elem **elemp, struct error **errp);
/*
 * vq_push() - give @elem back through the used ring with @written bytes written
 * to its writable segments. On a broken queue the element is only released.
 */
void vq_push(struct virtqueue *vq, struct vq_elem *elem, uint32_t written);
/*
 * vq_fill() - write @elem's used entry @pos places after the used index
 * without publishing it: a frame spread over several elements (virtio-net's
 * mergeable receive buffers) must appear in the used ring at once.
 * vq_flush() publishes @count filled entries. The element is released here.
 */
void vq_fill(struct virtqueue *vq, struct vq_elem *elem, uint32_t written,
	     unsigned int pos);
void vq_flush(struct virtqueue *vq, unsigned int count);
/*
 * vq_unpop() - give the last @count popped elements back to the avail ring
 * unused (popped in that order, none pushed since): a device that found it
 * cannot use them yet, e.g. too few receive buffers for a frame.
 */
void vq_unpop(struct virtqueue *vq, struct vq_elem **elems, unsigned int count);
/* vq_notify() - signal call_fd if the driver asked for it (EVENT_IDX,
 * NO_INTERRUPT) */
void vq_notify(struct virtqueue *vq);
/* vq_disable_notification() - ask the driver not to kick (NO_NOTIFY /
 * avail_event) */
void vq_disable_notification(struct virtqueue *vq);
/*
 * vq_enable_notification() - ask for kicks again.
 * Return: true if buffers became available meanwhile (process them before
 * sleeping).
 */
bool vq_enable_notification(struct virtqueue *vq);
/* vq_available() - whether the avail ring holds chains not popped yet */
bool vq_available(struct virtqueue *vq);
/* vq_set_broken() - mark the queue broken, log why, signal err_fd */
void vq_set_broken(struct virtqueue *vq, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* iov_size() - total bytes of @cnt iovecs */
size_t iov_size(const struct iovec *iov, unsigned int cnt);
/* iov_to_buf()/iov_from_buf() - copy between iovecs (at @offset) and a
 * buffer; return bytes copied */
size_t iov_to_buf(const struct iovec *iov, unsigned int cnt, size_t offset,
		  void *buf, size_t len);
size_t iov_from_buf(const struct iovec *iov, unsigned int cnt, size_t offset,
		    const void *buf, size_t len);

#endif /* QD_DEVICES_VIRTIO_VIRTQUEUE_H */
