/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Split virtqueues, device side: pop hostile descriptor chains, push used
 * buffers, and decide about notifications.
 *
 * Everything the driver wrote is read exactly once into a local copy (relaxed
 * atomic loads, so the compiler cannot fetch it twice), then checked. The
 * walk of a chain is bounded by the queue size, which catches loops as well
 * as over-long chains. A failed check breaks the queue: from then on the code
 * neither reads nor writes the rings, and elements still in flight are only
 * released when the device completes them.
 *
 * Ordering (VIRTIO 1.2 2.7.13): acquire load of avail->idx before reading ring
 * entries and descriptors; used entries before a release store of used->idx;
 * a full fence between publishing an index or event and reading the driver's
 * event index, flags or avail->idx.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/virtio/virtio-device.h"
#include "devices/virtio/virtqueue.h"
#include "util/log.h"

/* State of one chain walk, for bounds and error context */
struct chain_walk {
	struct virtqueue *vq;
	struct vq_elem *elem;
	unsigned int nbufs; /* buffer descriptors so far, at most vq->num */
	struct error **errp;
};

/**
 * host_in_memory() - whether a host range lies inside one mapped region
 * @mem:	guest memory
 * @p:		first byte
 * @len:	bytes, non-zero
 *
 * Return: true if [p, p+len) is inside one region's mapping
 */
static bool host_in_memory(const struct guest_memory *mem, const void *p,
			   uint64_t len)
{
	uintptr_t a = (uintptr_t)p;
	unsigned int i;

	for (i = 0; i < mem->nregions; i++) {
		uintptr_t start = (uintptr_t)mem->regions[i].host;
		uint64_t size = mem->regions[i].size;

		if (a >= start && len <= size && a - start <= size - len)
			return true;
	}
	return false;
}

/**
 * check_ring() - check that one ring is aligned and inside guest memory
 * @vq:		virtqueue
 * @name:	ring name for the message
 * @p:		host address of the ring
 * @size:	ring size in bytes
 * @align:	required alignment
 * @errp:	error naming the ring
 *
 * Return: true if usable
 */
static bool check_ring(const struct virtqueue *vq, const char *name,
		       const void *p, uint64_t size, uintptr_t align,
		       struct error **errp)
{
	if (!p) {
		error_setg(errp, "queue %u: %s ring address not set", vq->index,
			   name);
		return false;
	}
	if ((uintptr_t)p % align) {
		error_setg(errp, "queue %u: %s ring %p not aligned to %zu",
			   vq->index, name, p, (size_t)align);
		return false;
	}
	if (!host_in_memory(vq->mem, p, size)) {
		error_setg(errp,
			   "queue %u: %s ring (0x%" PRIx64
			   " bytes) outside guest memory",
			   vq->index, name, size);
		return false;
	}
	return true;
}

/**
 * alloc_elems() - allocate the element table and the iovecs behind it
 * @vq:		virtqueue with num and max_segs set
 * @errp:	error on allocation failure
 *
 * Return: true on success
 */
static bool alloc_elems(struct virtqueue *vq, struct error **errp)
{
	unsigned int i;

	vq->elems = calloc(vq->num, sizeof(*vq->elems));
	vq->head_inflight = calloc(vq->num, sizeof(*vq->head_inflight));
	/* calloc: pages of unused iovecs are never touched, so never backed */
	vq->iov_pool =
		calloc((size_t)vq->num * vq->max_segs, sizeof(*vq->iov_pool));
	if (!vq->elems || !vq->head_inflight || !vq->iov_pool) {
		vq_teardown(vq);
		error_setg(errp,
			   "queue %u: cannot allocate %u elements of %u iovecs",
			   vq->index, vq->num, vq->max_segs);
		return false;
	}
	for (i = 0; i < vq->num; i++)
		vq->elems[i].iov = vq->iov_pool + (size_t)i * vq->max_segs;
	return true;
}

/**
 * vq_setup() - validate the configuration and allocate the element table
 * @vq:		stopped virtqueue with num, desc, avail, used and mem set
 * @errp:	error naming the bad field
 *
 * Also loads the used index shadow from the ring and clears runtime state;
 * event_idx and indirect are left as the caller set them.
 *
 * Return: true if the queue can be started
 */
bool vq_setup(struct virtqueue *vq, struct error **errp)
{
	unsigned int num = vq->num;

	if (!num || num > VIRTQUEUE_MAX_SIZE || (num & (num - 1))) {
		error_setg(errp,
			   "queue %u: size %u is not a power of two in 1..%u",
			   vq->index, num, VIRTQUEUE_MAX_SIZE);
		return false;
	}
	if (vq->dev && num > vq->dev->max_queue_size) {
		error_setg(errp, "queue %u: size %u exceeds the maximum %u",
			   vq->index, num, vq->dev->max_queue_size);
		return false;
	}
	if (!vq->mem) {
		error_setg(errp, "queue %u: no guest memory", vq->index);
		return false;
	}
	if (!check_ring(vq, "descriptor", vq->desc, VRING_DESC_TABLE_SIZE(num),
			16, errp) ||
	    !check_ring(vq, "avail", vq->avail, VRING_AVAIL_SIZE(num), 2,
			errp) ||
	    !check_ring(vq, "used", vq->used, VRING_USED_SIZE(num), 4, errp))
		return false;

	if (!vq->max_segs)
		vq->max_segs = VQ_DEFAULT_MAX_SEGS;
	vq_teardown(vq);
	if (!alloc_elems(vq, errp))
		return false;

	/* Monitors read it from other threads */
	__atomic_store_n(&vq->used_idx,
			 __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE),
			 __ATOMIC_RELAXED);
	vq->signalled_used = 0;
	vq->signalled_used_valid = false;
	vq->notify_disabled = false;
	vq->call_failed = false;
	__atomic_store_n(&vq->broken, false, __ATOMIC_RELAXED);
	vq->inflight = 0;
	return true;
}

/**
 * vq_teardown() - free what vq_setup() allocated
 * @vq:	idle virtqueue (nothing in flight)
 */
void vq_teardown(struct virtqueue *vq)
{
	free(vq->elems);
	free(vq->head_inflight);
	free(vq->iov_pool);
	vq->elems = NULL;
	vq->head_inflight = NULL;
	vq->iov_pool = NULL;
	vq->inflight = 0;
}

/**
 * vq_set_broken() - stop all ring access on @vq and report why
 * @vq:		virtqueue
 * @fmt:	printf format of the reason
 *
 * Logs the reason, marks the device as needing a reset, signals err_fd and,
 * the first time only, tells the device's listener (BROKEN, on this thread).
 */
void vq_set_broken(struct virtqueue *vq, const char *fmt, ...)
{
	static const uint64_t one = 1;
	bool first = !vq->broken;
	const char *reason;
	char *msg;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&msg, fmt, ap);
	va_end(ap);
	reason = rc < 0 ? fmt : msg;

	if (first)
		log_err("%s: virtqueue broken: %s",
			vq->dev && vq->dev->ops ? vq->dev->ops->name : "virtio",
			reason);

	/* Read by the transport's thread and by monitors */
	__atomic_store_n(&vq->broken, true, __ATOMIC_RELAXED);
	if (vq->dev)
		__atomic_store_n(&vq->dev->needs_reset, true, __ATOMIC_RELAXED);
	if (vq->err_fd >= 0 && write(vq->err_fd, &one, sizeof(one)) < 0 &&
	    errno != EAGAIN)
		log_warn("queue %u: cannot signal the error eventfd: %s",
			 vq->index, strerror(errno));
	/* After NEEDS_RESET is visible: the listener may read the status */
	if (first && vq->dev)
		virtio_device_emit(vq->dev, VIRTIO_DEVICE_EVENT_BROKEN,
				   (int)vq->index, reason);
	if (rc >= 0)
		free(msg);
}

/**
 * pop_fail() - break the queue for a malformed chain and set *errp
 * @vq:		virtqueue
 * @errp:	error to set
 * @fmt:	printf format of the reason, without the queue prefix
 *
 * Return: -1, for vq_pop() to return
 */
static int __attribute__((format(printf, 3, 4)))
pop_fail(struct virtqueue *vq, struct error **errp, const char *fmt, ...)
{
	char *msg;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (rc < 0) {
		error_setg(errp, "queue %u: malformed chain", vq->index);
		vq_set_broken(vq, "queue %u: malformed chain", vq->index);
		return -1;
	}
	error_setg(errp, "queue %u: %s", vq->index, msg);
	vq_set_broken(vq, "queue %u: %s", vq->index, msg);
	free(msg);
	return -1;
}

/**
 * desc_fail() - pop_fail() naming the chain head and the descriptor
 * @w:		chain walk
 * @ind:	index of the INDIRECT descriptor, -1 in the direct table
 * @i:		descriptor index (in the indirect table if @ind >= 0)
 * @fmt:	printf format of the reason
 *
 * Return: -1
 */
static int __attribute__((format(printf, 4, 5)))
desc_fail(struct chain_walk *w, int ind, unsigned int i, const char *fmt, ...)
{
	char *msg;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return pop_fail(w->vq, w->errp, "chain head %u: malformed",
				w->elem->head);
	if (ind >= 0)
		pop_fail(w->vq, w->errp,
			 "chain head %u, descriptor %d, indirect entry %u: %s",
			 w->elem->head, ind, i, msg);
	else
		pop_fail(w->vq, w->errp, "chain head %u, descriptor %u: %s",
			 w->elem->head, i, msg);
	free(msg);
	return -1;
}

/**
 * read_desc() - copy a descriptor from driver memory, each field read once
 * @src:	descriptor in guest memory
 * @d:		local copy
 */
static void read_desc(const struct vring_desc *src, struct vring_desc *d)
{
	d->addr = __atomic_load_n(&src->addr, __ATOMIC_RELAXED);
	d->len = __atomic_load_n(&src->len, __ATOMIC_RELAXED);
	d->flags = __atomic_load_n(&src->flags, __ATOMIC_RELAXED);
	d->next = __atomic_load_n(&src->next, __ATOMIC_RELAXED);
}

/**
 * map_buffer() - append the iovecs of one buffer descriptor to the element
 * @w:		chain walk
 * @d:		local copy of the descriptor
 * @ind:	index of the INDIRECT descriptor, -1 in the direct table
 * @i:		descriptor index, for messages
 *
 * Return: 0 on success, -1 (queue broken) if the buffer is invalid
 */
static int map_buffer(struct chain_walk *w, const struct vring_desc *d, int ind,
		      unsigned int i)
{
	struct vq_elem *elem = w->elem;
	unsigned int used = elem->out_num + elem->in_num;
	bool write = d->flags & VRING_DESC_F_WRITE;
	int n;

	if (!d->len)
		return desc_fail(w, ind, i, "zero-length buffer at 0x%" PRIx64,
				 d->addr);
	if (!write && elem->in_num)
		return desc_fail(w, ind, i,
				 "device-readable buffer after a "
				 "device-writable one");

	n = gpa_to_iov(w->vq->mem, d->addr, d->len, elem->iov + used,
		       w->vq->max_segs - used);
	if (n == -2)
		return desc_fail(w, ind, i,
				 "buffer 0x%" PRIx64 "+0x%" PRIx32
				 " needs more than max_segs %u iovecs",
				 d->addr, d->len, w->vq->max_segs);
	if (n < 0)
		return desc_fail(w, ind, i,
				 "buffer 0x%" PRIx64 "+0x%" PRIx32
				 " outside guest memory",
				 d->addr, d->len);

	if (write) {
		elem->in_num += n;
		elem->in_len += d->len;
	} else {
		elem->out_num += n;
		elem->out_len += d->len;
	}
	return 0;
}

static int walk_table(struct chain_walk *w, const struct vring_desc *table,
		      unsigned int size, unsigned int first, int ind);

/**
 * map_indirect() - check an INDIRECT descriptor and walk its table
 * @w:		chain walk
 * @d:		local copy of the INDIRECT descriptor
 * @i:		its index in the descriptor table
 *
 * Return: 0 on success, -1 (queue broken) on any violation
 */
static int map_indirect(struct chain_walk *w, const struct vring_desc *d,
			unsigned int i)
{
	struct virtqueue *vq = w->vq;
	const struct vring_desc *table;
	unsigned int count;

	if (!vq->indirect)
		return desc_fail(w, -1, i,
				 "INDIRECT flag but "
				 "VIRTIO_RING_F_INDIRECT_DESC not negotiated");
	if (d->flags & VRING_DESC_F_NEXT)
		return desc_fail(w, -1, i, "INDIRECT flag together with NEXT");
	if (!d->len || d->len % sizeof(struct vring_desc))
		return desc_fail(w, -1, i,
				 "indirect table len 0x%" PRIx32
				 " is not a non-zero multiple of 16",
				 d->len);
	count = d->len / sizeof(struct vring_desc);
	if (count > vq->num || count > VIRTQUEUE_MAX_SIZE)
		return desc_fail(w, -1, i,
				 "indirect table len 0x%" PRIx32
				 " holds %u entries, more than queue size %u",
				 d->len, count, vq->num);

	table = gpa_to_host(vq->mem, d->addr, d->len);
	if (!table)
		return desc_fail(w, -1, i,
				 "indirect table 0x%" PRIx64 "+0x%" PRIx32
				 " outside guest memory",
				 d->addr, d->len);
	if ((uintptr_t)table % _Alignof(struct vring_desc))
		return desc_fail(w, -1, i,
				 "indirect table addr 0x%" PRIx64
				 " is not aligned",
				 d->addr);

	return walk_table(w, table, count, 0, (int)i);
}

/**
 * walk_table() - follow a chain through one descriptor table
 * @w:		chain walk
 * @table:	descriptor table (the ring's, or an indirect one)
 * @size:	entries in @table
 * @first:	index to start from, < @size
 * @ind:	index of the INDIRECT descriptor for an indirect table, else -1
 *
 * Return: 0 when the chain ended, -1 (queue broken) on any violation
 */
static int walk_table(struct chain_walk *w, const struct vring_desc *table,
		      unsigned int size, unsigned int first, int ind)
{
	unsigned int i = first;

	for (;;) {
		struct vring_desc d;

		read_desc(&table[i], &d);
		if (d.flags & VRING_DESC_F_INDIRECT) {
			if (ind >= 0)
				return desc_fail(w, ind, i,
						 "INDIRECT descriptor inside "
						 "an indirect table");
			return map_indirect(w, &d, i);
		}

		/* Every step maps a buffer, so this also ends loops */
		if (++w->nbufs > w->vq->num)
			return desc_fail(w, ind, i,
					 "chain longer than queue size %u "
					 "(descriptor loop?)",
					 w->vq->num);
		if (map_buffer(w, &d, ind, i) < 0)
			return -1;

		if (!(d.flags & VRING_DESC_F_NEXT))
			return 0;
		if (d.next >= size)
			return desc_fail(
				w, ind, i, "next %u >= %s size %u", d.next,
				ind >= 0 ? "indirect table" : "queue", size);
		i = d.next;
	}
}

/**
 * set_avail_event() - tell the driver which avail index should kick us
 * @vq:		virtqueue with EVENT_IDX
 * @val:	avail index
 */
static void set_avail_event(struct virtqueue *vq, uint16_t val)
{
	uint16_t *avail_event = (uint16_t *)&vq->used->ring[vq->num];

	__atomic_store_n(avail_event, val, __ATOMIC_RELAXED);
}

/**
 * vq_pop() - take the next available chain
 * @vq:		virtqueue (set up, on its worker thread)
 * @elemp:	set to the element on success
 * @errp:	why the chain was refused, if -1
 *
 * Return: 1 with *@elemp set, 0 if the ring is empty or the queue broken, -1
 * if the chain is malformed (the queue is now broken)
 */
int vq_pop(struct virtqueue *vq, struct vq_elem **elemp, struct error **errp)
{
	struct chain_walk w = { .vq = vq, .errp = errp };
	uint16_t avail_idx, pending, slot, head;

	if (vq->broken || !vq->elems)
		return 0;

	avail_idx = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);
	pending = avail_idx - vq->last_avail_idx;
	if (!pending)
		return 0;
	if (pending > vq->num)
		return pop_fail(vq, errp,
				"avail idx %u is %u entries ahead of "
				"last_avail_idx %u, more than queue size %u",
				avail_idx, pending, vq->last_avail_idx,
				vq->num);

	slot = vq->last_avail_idx % vq->num;
	head = __atomic_load_n(&vq->avail->ring[slot], __ATOMIC_RELAXED);
	if (head >= vq->num)
		return pop_fail(vq, errp,
				"avail ring entry %u: head %u >= queue size %u",
				slot, head, vq->num);
	if (vq->head_inflight[head])
		return pop_fail(vq, errp,
				"avail ring entry %u: chain head %u is already "
				"in flight",
				slot, head);

	w.elem = &vq->elems[head];
	w.elem->head = head;
	w.elem->avail_idx = vq->last_avail_idx;
	w.elem->out_num = w.elem->in_num = 0;
	w.elem->out_len = w.elem->in_len = 0;
	if (walk_table(&w, vq->desc, vq->num, head, -1) < 0)
		return -1;
	w.elem->out_sg = w.elem->iov;
	w.elem->in_sg = w.elem->iov + w.elem->out_num;

	/* Atomic for monitors' snapshots; the same plain store on x86 */
	__atomic_store_n(&vq->last_avail_idx, vq->last_avail_idx + 1,
			 __ATOMIC_RELAXED);
	vq->head_inflight[head] = 1;
	vq->inflight++;
	if (vq->event_idx && !vq->notify_disabled)
		set_avail_event(vq, vq->last_avail_idx);
	*elemp = w.elem;
	return 1;
}

/**
 * release_elem() - mark a pushed or filled element no longer in flight
 * @vq:		virtqueue
 * @elem:	element from vq_pop() on this queue
 * @what:	"push" or "fill", for the message
 *
 * Return: false (logged) if @elem is not in flight on @vq
 */
static bool release_elem(struct virtqueue *vq, struct vq_elem *elem,
			 const char *what)
{
	uint16_t head = elem->head;

	if (!vq->elems || elem != &vq->elems[head % vq->num] ||
	    !vq->head_inflight[head]) {
		log_err("queue %u: %s of element %u that is not in flight",
			vq->index, what, head);
		return false;
	}
	vq->head_inflight[head] = 0;
	vq->inflight--;
	return true;
}

/**
 * write_used() - write a used ring entry, not yet published
 * @vq:		virtqueue
 * @head:	chain head
 * @written:	bytes written to the chain
 * @pos:	entries after the current used index
 */
static void write_used(struct virtqueue *vq, uint16_t head, uint32_t written,
		       unsigned int pos)
{
	struct vring_used_elem *u =
		&vq->used->ring[(uint16_t)(vq->used_idx + pos) % vq->num];

	__atomic_store_n(&u->id, head, __ATOMIC_RELAXED);
	__atomic_store_n(&u->len, written, __ATOMIC_RELAXED);
}

/**
 * vq_fill() - write a used entry without publishing it
 * @vq:		virtqueue
 * @elem:	element from vq_pop() on this queue
 * @written:	bytes written to the element's device-writable buffers
 * @pos:	entries after the current used index (0 for the first)
 *
 * vq_flush() then publishes the filled entries at once.
 */
void vq_fill(struct virtqueue *vq, struct vq_elem *elem, uint32_t written,
	     unsigned int pos)
{
	if (!release_elem(vq, elem, "fill") || vq->broken)
		return;
	write_used(vq, elem->head, written, pos);
}

/**
 * vq_flush() - publish @count entries written by vq_fill()
 * @vq:		virtqueue
 * @count:	entries filled, at positions 0..@count-1
 */
void vq_flush(struct virtqueue *vq, unsigned int count)
{
	if (vq->broken || !vq->elems || !count)
		return;
	__atomic_store_n(&vq->used_idx, vq->used_idx + count, __ATOMIC_RELAXED);
	/* The elements before the index that publishes them */
	__atomic_store_n(&vq->used->idx, vq->used_idx, __ATOMIC_RELEASE);
	__atomic_fetch_add(&vq->stats.requests, count, __ATOMIC_RELAXED);
}

/**
 * vq_unpop() - return the last popped elements to the avail ring unused
 * @vq:		virtqueue
 * @elems:	the elements, in the order vq_pop() returned them
 * @count:	how many; they must be the last ones popped
 *
 * With EVENT_IDX the avail event vq_pop() moved past these entries is set
 * back to the current avail index: entries already published cannot kick
 * again, so the next new one must.
 */
void vq_unpop(struct virtqueue *vq, struct vq_elem **elems, unsigned int count)
{
	unsigned int i;

	if (!vq->elems)
		return;
	for (i = count; i-- > 0;) {
		/*
		 * Our own record, not the avail ring: the driver may have
		 * rewritten the entry meanwhile, and an element refused for
		 * that would stay in flight for ever (a stop waits for it).
		 */
		if (elems[i]->avail_idx != (uint16_t)(vq->last_avail_idx - 1) ||
		    !release_elem(vq, elems[i], "unpop")) {
			log_err("queue %u: unpop of element %u that was not "
				"the last popped",
				vq->index, elems[i]->head);
			return;
		}
		__atomic_store_n(&vq->last_avail_idx, vq->last_avail_idx - 1,
				 __ATOMIC_RELAXED);
	}
	if (vq->event_idx && !vq->notify_disabled && !vq->broken) {
		set_avail_event(
			vq, __atomic_load_n(&vq->avail->idx, __ATOMIC_RELAXED));
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	}
}

/**
 * vq_push() - return a completed element through the used ring
 * @vq:		virtqueue
 * @elem:	element from vq_pop() on this queue
 * @written:	bytes written to the element's device-writable buffers
 *
 * On a broken queue the element is only released.
 */
void vq_push(struct virtqueue *vq, struct vq_elem *elem, uint32_t written)
{
	if (!release_elem(vq, elem, "push") || vq->broken)
		return;
	write_used(vq, elem->head, written, 0);
	vq_flush(vq, 1);
}

/**
 * notify_on_empty() - whether NOTIFY_ON_EMPTY forces a call now
 * @vq:	virtqueue
 *
 * Return: true if the feature was negotiated and the queue ran dry
 */
static bool notify_on_empty(struct virtqueue *vq)
{
	if (!vq->dev ||
	    !(vq->dev->features & (1ULL << VIRTIO_F_NOTIFY_ON_EMPTY)))
		return false;
	return !vq->inflight &&
	       __atomic_load_n(&vq->avail->idx, __ATOMIC_RELAXED) ==
		       vq->last_avail_idx;
}

/**
 * vq_should_notify() - whether the driver asked to be told about used buffers
 * @vq:	virtqueue
 *
 * Return: true if call_fd should be signalled
 */
static bool vq_should_notify(struct virtqueue *vq)
{
	uint16_t old, new, used_event;
	bool valid, need;

	/* used->idx before used_event or flags (VIRTIO 1.2 2.7.10) */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	if (!vq->event_idx) {
		need = !(__atomic_load_n(&vq->avail->flags, __ATOMIC_RELAXED) &
			 VRING_AVAIL_F_NO_INTERRUPT);
		return need || notify_on_empty(vq);
	}

	old = vq->signalled_used;
	valid = vq->signalled_used_valid;
	new = vq->used_idx;
	vq->signalled_used = new;
	vq->signalled_used_valid = true;
	used_event =
		__atomic_load_n(&vq->avail->ring[vq->num], __ATOMIC_RELAXED);
	need = !valid || vring_need_event(used_event, new, old);
	return need || notify_on_empty(vq);
}

/**
 * vq_notify() - signal call_fd if the driver wants to know about used buffers
 * @vq:	virtqueue
 *
 * The front-end chose the call fd: one that cannot be written (a pipe whose
 * reader is gone, say) fails at every completion, so it is reported once per
 * start of the queue, not once per request.
 */
void vq_notify(struct virtqueue *vq)
{
	static const uint64_t one = 1;

	if (vq->broken || !vq->elems || vq->call_fd < 0)
		return;
	if (!vq_should_notify(vq))
		return;
	if (write(vq->call_fd, &one, sizeof(one)) < 0 && errno != EAGAIN) {
		if (!vq->call_failed)
			log_warn("queue %u: cannot signal the call eventfd: "
				 "%s (not reported again until it restarts)",
				 vq->index, strerror(errno));
		vq->call_failed = true;
		return;
	}
	__atomic_fetch_add(&vq->stats.calls, 1, __ATOMIC_RELAXED);
}

/**
 * vq_disable_notification() - ask the driver not to kick
 * @vq:	virtqueue
 *
 * With EVENT_IDX, avail_event simply stops following last_avail_idx; without
 * it, NO_NOTIFY is set. Both are hints: kicks may still arrive.
 */
void vq_disable_notification(struct virtqueue *vq)
{
	/*
	 * Already off: leave the flags alone. They share a cache line with
	 * used->idx, which a polling driver reads all the time.
	 */
	if (vq->broken || !vq->elems || vq->notify_disabled)
		return;
	vq->notify_disabled = true;
	if (!vq->event_idx)
		__atomic_store_n(&vq->used->flags, VRING_USED_F_NO_NOTIFY,
				 __ATOMIC_RELAXED);
}

/**
 * vq_enable_notification() - ask the driver to kick again
 * @vq:	virtqueue
 *
 * Return: true if chains became available meanwhile: the driver may not kick
 * for them, so process them before sleeping
 */
bool vq_enable_notification(struct virtqueue *vq)
{
	uint16_t avail_idx;

	if (vq->broken || !vq->elems)
		return false;
	vq->notify_disabled = false;
	if (vq->event_idx)
		set_avail_event(
			vq, __atomic_load_n(&vq->avail->idx, __ATOMIC_RELAXED));
	else
		__atomic_store_n(&vq->used->flags, 0, __ATOMIC_RELAXED);

	/* Our event or flags before re-reading avail->idx (2.7.10) */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	avail_idx = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);
	return avail_idx != vq->last_avail_idx;
}

/**
 * vq_available() - whether the avail ring holds chains not popped yet
 * @vq:	virtqueue
 *
 * Return: true if vq_pop() would not return 0 for an empty ring
 */
bool vq_available(struct virtqueue *vq)
{
	if (vq->broken || !vq->elems)
		return false;
	return __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE) !=
	       vq->last_avail_idx;
}

/**
 * iov_copy() - copy between iovecs and a buffer, starting @offset bytes in
 * @iov:	iovecs
 * @cnt:	their number
 * @offset:	bytes of @iov to skip
 * @buf:	the buffer
 * @len:	bytes to copy at most
 * @to_iov:	copy from @buf into @iov (else from @iov into @buf)
 *
 * Return: bytes copied, less than @len if the iovecs are shorter
 */
static size_t iov_copy(const struct iovec *iov, unsigned int cnt, size_t offset,
		       uint8_t *buf, size_t len, bool to_iov)
{
	size_t done = 0;
	unsigned int i;

	for (i = 0; i < cnt && done < len; i++) {
		uint8_t *seg;
		size_t n;

		if (offset >= iov[i].iov_len) {
			offset -= iov[i].iov_len;
			continue;
		}
		seg = (uint8_t *)iov[i].iov_base + offset;
		n = iov[i].iov_len - offset;
		if (n > len - done)
			n = len - done;
		if (to_iov)
			memcpy(seg, buf + done, n);
		else
			memcpy(buf + done, seg, n);
		done += n;
		offset = 0;
	}
	return done;
}

/**
 * iov_size() - total length of an iovec array
 * @iov:	iovecs
 * @cnt:	their number
 *
 * Return: the sum of their lengths
 */
size_t iov_size(const struct iovec *iov, unsigned int cnt)
{
	size_t n = 0;

	for (unsigned int i = 0; i < cnt; i++)
		n += iov[i].iov_len;
	return n;
}

/**
 * iov_to_buf() - copy from iovecs into a buffer, starting @offset bytes in
 * @iov:	source iovecs
 * @cnt:	their number
 * @offset:	bytes of @iov to skip
 * @buf:	destination
 * @len:	bytes to copy at most
 *
 * Return: bytes copied, less than @len if the iovecs are shorter
 */
size_t iov_to_buf(const struct iovec *iov, unsigned int cnt, size_t offset,
		  void *buf, size_t len)
{
	return iov_copy(iov, cnt, offset, buf, len, false);
}

/**
 * iov_from_buf() - copy a buffer into iovecs, starting @offset bytes in
 * @iov:	destination iovecs
 * @cnt:	their number
 * @offset:	bytes of @iov to skip
 * @buf:	source
 * @len:	bytes to copy at most
 *
 * Return: bytes copied, less than @len if the iovecs are shorter
 */
size_t iov_from_buf(const struct iovec *iov, unsigned int cnt, size_t offset,
		    const void *buf, size_t len)
{
	/* iov_copy() only reads @buf in this direction */
	return iov_copy(iov, cnt, offset, (uint8_t *)buf, len, true);
}
