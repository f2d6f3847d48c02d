/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Driver side of a split virtqueue: ring layout, free list, kicks and calls.
 *
 * The layout follows the legacy vring_size() convention so that any device
 * accepts it: descriptor table at the start of a 4096-aligned block, the avail
 * ring right after it, the used ring on the next 4096 boundary, then (if asked
 * for) one indirect table per head. Descriptors that are free are linked
 * through their "next" field, as the Linux driver does.
 *
 * Memory ordering is that of VIRTIO 1.2 2.7.13: ring entries are written
 * before a release store of avail->idx, used entries are read after an acquire
 * load of used->idx, and a full fence separates publishing an index from
 * reading the other side's event index or flags.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <stdlib.h>
#include <string.h>

#include "tests/frontend/vring-driver.h"

#define VRING_ALIGN 4096ULL

/**
 * align_up() - round @v up to a multiple of @a (a power of two)
 * @v:	value
 * @a:	alignment
 *
 * Return: the rounded value
 */
static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/**
 * used_offset() - offset of the used ring from the start of the block
 * @num:	queue size
 *
 * Return: byte offset, a multiple of 4096
 */
static uint64_t used_offset(unsigned int num)
{
	return align_up(VRING_DESC_TABLE_SIZE(num) + VRING_AVAIL_SIZE(num),
			VRING_ALIGN);
}

/**
 * indirect_offset() - offset of the first indirect table
 * @num:	queue size
 *
 * Return: byte offset, a multiple of 16
 */
static uint64_t indirect_offset(unsigned int num)
{
	return align_up(used_offset(num) + VRING_USED_SIZE(num), 16);
}

/**
 * used_event() - where the driver publishes used_event (EVENT_IDX)
 * @d:	driver
 *
 * Return: pointer to avail->ring[num]
 */
static uint16_t *used_event(struct vring_driver *d)
{
	return &d->avail->ring[d->num];
}

/**
 * avail_event() - where the device publishes avail_event (EVENT_IDX)
 * @d:	driver
 *
 * Return: pointer to the u16 after used->ring[num - 1]
 */
static uint16_t *avail_event(struct vring_driver *d)
{
	return (uint16_t *)&d->used->ring[d->num];
}

/**
 * vring_driver_mem_size() - bytes of guest memory a queue needs
 * @num:		queue size
 * @indirect_max:	descriptors per indirect table, 0 for none
 *
 * Return: size in bytes, a multiple of 4096
 */
size_t vring_driver_mem_size(unsigned int num, unsigned int indirect_max)
{
	uint64_t size = indirect_offset(num);

	size += VRING_DESC_TABLE_SIZE(num) * indirect_max;
	return align_up(size, VRING_ALIGN);
}

/**
 * vring_driver_init() - lay out the rings and build the free list
 * @d:			driver state to fill
 * @host:		host address of the block, 4096-aligned
 * @gpa:		guest address of the block, 4096-aligned
 * @num:		queue size, a power of two in 1..32768
 * @event_idx:		whether VIRTIO_RING_F_EVENT_IDX was negotiated
 * @indirect_max:	descriptors per indirect table (0: no indirect)
 *
 * Return: false if @num, @indirect_max or an alignment is invalid, or on
 * allocation failure
 */
bool vring_driver_init(struct vring_driver *d, void *host, uint64_t gpa,
		       unsigned int num, bool event_idx,
		       unsigned int indirect_max)
{
	uint8_t *base = host;
	unsigned int i;

	memset(d, 0, sizeof(*d));
	if (!num || num > VIRTQUEUE_MAX_SIZE || (num & (num - 1)))
		return false;
	if (indirect_max > VIRTQUEUE_MAX_SIZE)
		return false;
	if ((uintptr_t)host % VRING_ALIGN || gpa % VRING_ALIGN)
		return false;

	d->tokens = calloc(num, sizeof(*d->tokens));
	d->chain_len = calloc(num, sizeof(*d->chain_len));
	if (!d->tokens || !d->chain_len) {
		vring_driver_cleanup(d);
		return false;
	}

	memset(host, 0, vring_driver_mem_size(num, indirect_max));
	d->num = num;
	d->event_idx = event_idx;
	d->desc = host;
	d->desc_gpa = gpa;
	d->avail = (struct vring_avail *)(base + VRING_DESC_TABLE_SIZE(num));
	d->avail_gpa = gpa + VRING_DESC_TABLE_SIZE(num);
	d->used = (struct vring_used *)(base + used_offset(num));
	d->used_gpa = gpa + used_offset(num);
	if (indirect_max) {
		d->indirect = true;
		d->indirect_max = indirect_max;
		d->indirect_tables =
			(struct vring_desc *)(base + indirect_offset(num));
		d->indirect_gpa = gpa + indirect_offset(num);
	}

	for (i = 0; i < num; i++)
		d->desc[i].next = (uint16_t)(i + 1);
	d->free_head = 0;
	d->num_free = num;
	return true;
}

/**
 * vring_driver_cleanup() - free the bookkeeping (the ring memory is the
 * caller's)
 * @d:	driver
 */
void vring_driver_cleanup(struct vring_driver *d)
{
	free(d->tokens);
	free(d->chain_len);
	memset(d, 0, sizeof(*d));
}

/**
 * fill_desc() - write one descriptor of a chain
 * @desc:	descriptor to fill
 * @buf:	buffer it describes
 * @write:	device-writable
 * @last:	last of the chain (no NEXT flag)
 */
static void fill_desc(struct vring_desc *desc, const struct vring_buf *buf,
		      bool write, bool last)
{
	desc->addr = buf->gpa;
	desc->len = buf->len;
	desc->flags = (write ? VRING_DESC_F_WRITE : 0) |
		      (last ? 0 : VRING_DESC_F_NEXT);
}

/**
 * add_indirect() - put a whole chain into the head's indirect table
 * @d:		driver
 * @out:	readable buffers
 * @out_n:	their number
 * @in:		writable buffers
 * @in_n:	their number
 *
 * Return: head index (one descriptor taken from the free list)
 */
static uint16_t add_indirect(struct vring_driver *d,
			     const struct vring_buf *out, unsigned int out_n,
			     const struct vring_buf *in, unsigned int in_n)
{
	unsigned int total = out_n + in_n, i;
	uint16_t head = d->free_head;
	struct vring_desc *table;

	table = d->indirect_tables + (size_t)head * d->indirect_max;
	for (i = 0; i < total; i++) {
		bool write = i >= out_n;

		fill_desc(&table[i], write ? &in[i - out_n] : &out[i], write,
			  i == total - 1);
		table[i].next = (uint16_t)(i + 1);
	}

	d->desc[head].addr =
		d->indirect_gpa + VRING_DESC_TABLE_SIZE(head) * d->indirect_max;
	d->desc[head].len = (uint32_t)VRING_DESC_TABLE_SIZE(total);
	d->desc[head].flags = VRING_DESC_F_INDIRECT;
	/* desc[head].next keeps the free-list link */
	d->free_head = d->desc[head].next;
	d->num_free--;
	d->chain_len[head] = 1;
	return head;
}

/**
 * add_direct() - take descriptors from the free list for a chain
 * @d:		driver
 * @out:	readable buffers
 * @out_n:	their number
 * @in:		writable buffers
 * @in_n:	their number
 *
 * Return: head index
 */
static uint16_t add_direct(struct vring_driver *d, const struct vring_buf *out,
			   unsigned int out_n, const struct vring_buf *in,
			   unsigned int in_n)
{
	unsigned int total = out_n + in_n, i;
	uint16_t head = d->free_head, cur = head;

	for (i = 0; i < total; i++) {
		bool write = i >= out_n;

		/* The last descriptor's next keeps the free-list link */
		fill_desc(&d->desc[cur], write ? &in[i - out_n] : &out[i],
			  write, i == total - 1);
		if (i < total - 1)
			cur = d->desc[cur].next;
	}
	d->free_head = d->desc[cur].next;
	d->num_free -= total;
	d->chain_len[head] = (uint16_t)total;
	return head;
}

/**
 * vring_driver_add() - queue a chain in the avail ring (not yet published)
 * @d:		driver
 * @out:	device-readable buffers
 * @out_n:	their number
 * @in:		device-writable buffers
 * @in_n:	their number
 * @token:	cookie returned by vring_driver_get_used()
 *
 * A chain of more than one buffer goes into an indirect table when
 * d->indirect is set and it fits in one.
 *
 * Return: head index, or -1 if the chain is empty or does not fit
 */
int vring_driver_add(struct vring_driver *d, const struct vring_buf *out,
		     unsigned int out_n, const struct vring_buf *in,
		     unsigned int in_n, void *token)
{
	unsigned int total = out_n + in_n;
	uint16_t head;

	/* out_n > total: the sum wrapped */
	if (!total || total > d->num || out_n > total)
		return -1;

	if (d->indirect && total > 1 && total <= d->indirect_max &&
	    d->num_free >= 1) {
		head = add_indirect(d, out, out_n, in, in_n);
	} else {
		if (d->num_free < total)
			return -1;
		head = add_direct(d, out, out_n, in, in_n);
	}

	d->tokens[head] = token;
	d->avail->ring[d->avail_idx % d->num] = head;
	d->avail_idx++;
	return head;
}

/**
 * vring_driver_publish() - make the added chains visible to the device
 * @d:	driver
 *
 * Return: true if the device asked to be kicked for them
 */
bool vring_driver_publish(struct vring_driver *d)
{
	uint16_t old = d->kicked_avail, new = d->avail_idx;

	/* Descriptors and avail entries before the index (VIRTIO 2.7.13) */
	__atomic_store_n(&d->avail->idx, new, __ATOMIC_RELEASE);
	/* The index before the device's event index or flags (2.7.13.3) */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	d->kicked_avail = new;

	if (d->event_idx)
		return vring_need_event(
			__atomic_load_n(avail_event(d), __ATOMIC_RELAXED), new,
			old);
	if (new == old)
		return false;
	return !(__atomic_load_n(&d->used->flags, __ATOMIC_RELAXED) &
		 VRING_USED_F_NO_NOTIFY);
}

/**
 * free_chain() - return the descriptors of a completed chain to the free list
 * @d:		driver
 * @head:	chain head
 */
static void free_chain(struct vring_driver *d, uint16_t head)
{
	uint16_t n = d->chain_len[head], last = head;
	unsigned int i;

	for (i = 1; i < n; i++)
		last = d->desc[last].next;
	d->desc[last].next = d->free_head;
	d->free_head = head;
	d->num_free += n;
	d->chain_len[head] = 0;
	d->tokens[head] = NULL;
}

/**
 * vring_driver_get_used() - collect the next used chain
 * @d:		driver
 * @len:	set to the bytes the device wrote (may be NULL)
 *
 * A used entry naming a head that is not in flight is not consumed, so the
 * caller sees NULL and can inspect the used ring.
 *
 * Return: the token given to vring_driver_add(), NULL if no chain is used
 */
void *vring_driver_get_used(struct vring_driver *d, uint32_t *len)
{
	uint16_t used_idx = __atomic_load_n(&d->used->idx, __ATOMIC_ACQUIRE);
	struct vring_used_elem *e;
	void *token;
	uint32_t id;

	if (used_idx == d->last_used_idx)
		return NULL;

	e = &d->used->ring[d->last_used_idx % d->num];
	id = e->id;
	if (id >= d->num || !d->chain_len[id])
		return NULL;
	if (len)
		*len = e->len;

	token = d->tokens[id];
	free_chain(d, (uint16_t)id);
	d->last_used_idx++;

	/* Ask for a call on the next completion unless calls are off */
	if (d->event_idx && !d->cb_disabled)
		__atomic_store_n(used_event(d), d->last_used_idx,
				 __ATOMIC_RELAXED);
	return token;
}

/**
 * vring_driver_enable_cb() - ask the device for calls again
 * @d:	driver
 *
 * Return: true if used entries are already pending (collect them: no call
 * may come for them)
 */
bool vring_driver_enable_cb(struct vring_driver *d)
{
	d->cb_disabled = false;
	if (d->event_idx)
		__atomic_store_n(used_event(d), d->last_used_idx,
				 __ATOMIC_RELAXED);
	else
		__atomic_store_n(&d->avail->flags, 0, __ATOMIC_RELAXED);
	/* Our event index or flags before the device's used->idx */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&d->used->idx, __ATOMIC_ACQUIRE) !=
	       d->last_used_idx;
}

/**
 * vring_driver_disable_cb() - ask the device not to send calls
 * @d:	driver
 *
 * Without EVENT_IDX this sets NO_INTERRUPT; with it, used_event is moved half
 * the index space away so no completion crosses it. Either is only a hint.
 */
void vring_driver_disable_cb(struct vring_driver *d)
{
	d->cb_disabled = true;
	if (d->event_idx)
		__atomic_store_n(used_event(d),
				 (uint16_t)(d->last_used_idx + 0x8000),
				 __ATOMIC_RELAXED);
	else
		__atomic_store_n(&d->avail->flags, VRING_AVAIL_F_NO_INTERRUPT,
				 __ATOMIC_RELAXED);
}
