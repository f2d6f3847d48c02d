/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Ring fuzzing checks: the core's queue calls as the device makes them,
 * observed through the linker (-Wl,--wrap=vq_pop and the others), and the
 * guest RAM the device wrote.
 *
 * A device calls vq_pop(), vq_push(), vq_fill(), vq_flush() and vq_unpop()
 * across object files, so the fuzz targets link them with --wrap and every
 * call lands here first. Each popped element must lie in guest RAM, match
 * its avail ring entry and be completed exactly once (pushed, or filled and
 * then flushed, or given back); each used entry written must name that
 * head. After a device-side operation, guest RAM is compared with a shadow
 * the driver side keeps: every changed byte must lie in a writable buffer
 * popped during the operation or in a used ring, so a device that wrote
 * past a buffer into neighbouring guest memory (which ASan cannot see, as it
 * stays inside the allocation) is caught too.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <string.h>

#include "devices/virtio/virtqueue.h"
#include "tests/fuzz/rings/ring-fuzz.h"

/* Writable buffers remembered per operation; beyond it the RAM check rests */
#define RC_MAX_RANGES 8192
#define RC_BLOCK      64

struct rc_range {
	uintptr_t start;
	size_t len;
};

static uint8_t rc_inflight[RF_MAX_QUEUES][RF_MAX_QSIZE];
static unsigned int rc_count[RF_MAX_QUEUES];
static unsigned int rc_filled[RF_MAX_QUEUES]; /* filled, not flushed */
static struct rc_range rc_ranges[RC_MAX_RANGES];
static unsigned int rc_nranges;
static bool rc_overflow;

/* --wrap=SYM: calls of SYM land in __wrap_SYM, __real_SYM is the original */
int __real_vq_pop(struct virtqueue *vq, struct vq_elem **elemp,
		  struct error **errp);
int __wrap_vq_pop(struct virtqueue *vq, struct vq_elem **elemp,
		  struct error **errp);
void __real_vq_push(struct virtqueue *vq, struct vq_elem *elem,
		    uint32_t written);
void __wrap_vq_push(struct virtqueue *vq, struct vq_elem *elem,
		    uint32_t written);
void __real_vq_fill(struct virtqueue *vq, struct vq_elem *elem,
		    uint32_t written, unsigned int pos);
void __wrap_vq_fill(struct virtqueue *vq, struct vq_elem *elem,
		    uint32_t written, unsigned int pos);
void __real_vq_flush(struct virtqueue *vq, unsigned int count);
void __wrap_vq_flush(struct virtqueue *vq, unsigned int count);
void __real_vq_unpop(struct virtqueue *vq, struct vq_elem **elems,
		     unsigned int count);
void __wrap_vq_unpop(struct virtqueue *vq, struct vq_elem **elems,
		     unsigned int count);

/**
 * rf_check_reset() - Forget everything observed (a new input)
 */
void rf_check_reset(void)
{
	memset(rc_inflight, 0, sizeof(rc_inflight));
	memset(rc_count, 0, sizeof(rc_count));
	memset(rc_filled, 0, sizeof(rc_filled));
	rc_nranges = 0;
	rc_overflow = false;
}

/**
 * rc_queue() - The index of a queue the harness runs
 * @vq:		virtqueue a device passed to the core
 *
 * Return: its index, checked against the harness's limits
 */
static unsigned int rc_queue(const struct virtqueue *vq)
{
	if (vq->index >= RF_MAX_QUEUES || vq->num > RF_MAX_QSIZE)
		fuzz_fail("queue %u of size %u: not one the harness set up",
			  vq->index, vq->num);
	return vq->index;
}

/**
 * rc_add_range() - Remember a buffer the device may write
 * @p:		first byte
 * @len:	bytes
 */
static void rc_add_range(const void *p, size_t len)
{
	if (rc_nranges == RC_MAX_RANGES) {
		rc_overflow = true;
		return;
	}
	rc_ranges[rc_nranges].start = (uintptr_t)p;
	rc_ranges[rc_nranges].len = len;
	rc_nranges++;
}

/**
 * rc_check_elem() - Check a freshly popped element
 * @vq:		virtqueue
 * @elem:	element
 * @slot:	avail ring slot it came from
 */
static void rc_check_elem(struct virtqueue *vq, const struct vq_elem *elem,
			  uint16_t slot)
{
	unsigned int q = rc_queue(vq);
	unsigned int n = elem->out_num + elem->in_num;
	uint64_t out = 0, in = 0;
	uint16_t ring_head;

	memcpy(&ring_head, &vq->avail->ring[slot], sizeof(ring_head));
	if (elem->head >= vq->num || ring_head != elem->head)
		fuzz_fail("queue %u: popped head %u, avail slot %u holds %u", q,
			  elem->head, slot, ring_head);
	if (rc_inflight[q][elem->head])
		fuzz_fail("queue %u: head %u popped twice", q, elem->head);
	if (elem->out_sg != elem->iov ||
	    elem->in_sg != elem->iov + elem->out_num || n > vq->max_segs)
		fuzz_fail("queue %u head %u: iovec layout %u+%u of %u", q,
			  elem->head, elem->out_num, elem->in_num,
			  vq->max_segs);
	for (unsigned int i = 0; i < n; i++) {
		const struct iovec *v = &elem->iov[i];

		if (!v->iov_len || !rf_in_ram(v->iov_base, v->iov_len))
			fuzz_fail("queue %u head %u: segment %u (%zu bytes) "
				  "outside guest RAM",
				  q, elem->head, i, v->iov_len);
		if (i < elem->out_num) {
			out += v->iov_len;
		} else {
			in += v->iov_len;
			rc_add_range(v->iov_base, v->iov_len);
		}
	}
	if (out != elem->out_len || in != elem->in_len)
		fuzz_fail("queue %u head %u: lengths %llu/%llu, segments "
			  "%llu/%llu",
			  q, elem->head, (unsigned long long)elem->out_len,
			  (unsigned long long)elem->in_len,
			  (unsigned long long)out, (unsigned long long)in);
	rc_inflight[q][elem->head] = 1;
	rc_count[q]++;
}

/**
 * __wrap_vq_pop() - vq_pop() as a device calls it, checked
 * @vq:		virtqueue
 * @elemp:	set to the element
 * @errp:	why the chain was refused
 *
 * Return: what vq_pop() returned
 */
int __wrap_vq_pop(struct virtqueue *vq, struct vq_elem **elemp,
		  struct error **errp)
{
	uint16_t before = vq->last_avail_idx;
	int r = __real_vq_pop(vq, elemp, errp);

	if (r < 0 && !vq->broken)
		fuzz_fail("queue %u: vq_pop failed, queue not broken",
			  vq->index);
	if (r < 0 && errp && !*errp)
		fuzz_fail("queue %u: vq_pop failed without an error",
			  vq->index);
	if (r <= 0) {
		if (vq->last_avail_idx != before)
			fuzz_fail(
				"queue %u: last_avail_idx moved without a pop",
				vq->index);
		return r;
	}
	if (vq->last_avail_idx != (uint16_t)(before + 1))
		fuzz_fail("queue %u: pop moved last_avail_idx %u -> %u",
			  vq->index, before, vq->last_avail_idx);
	rc_check_elem(vq, *elemp, before % vq->num);
	rf_race_popped();
	return r;
}

/**
 * rc_complete() - Check and record that a popped element is given back
 * @vq:		virtqueue
 * @elem:	element
 * @written:	bytes reported written
 * @what:	"push" or "fill", for the message
 */
static void rc_complete(struct virtqueue *vq, const struct vq_elem *elem,
			uint32_t written, const char *what)
{
	unsigned int q = rc_queue(vq);

	if (elem->head >= RF_MAX_QSIZE || !rc_inflight[q][elem->head])
		fuzz_fail("queue %u: %s of head %u, which is not in flight", q,
			  what, elem->head);
	if (written > elem->in_len)
		fuzz_fail("queue %u head %u: %s of %u bytes written, %llu "
			  "writable",
			  q, elem->head, what, written,
			  (unsigned long long)elem->in_len);
	rc_inflight[q][elem->head] = 0;
	rc_count[q]--;
}

/**
 * rc_check_used() - Check a used entry the core just wrote
 * @vq:		virtqueue, not broken
 * @pos:	entries after the used index
 * @head:	head it must name
 * @written:	length it must carry
 */
static void rc_check_used(const struct virtqueue *vq, unsigned int pos,
			  uint16_t head, uint32_t written)
{
	struct vring_used_elem u;

	memcpy(&u, &vq->used->ring[(uint16_t)(vq->used_idx + pos) % vq->num],
	       sizeof(u));
	if (u.id != head || u.len != written)
		fuzz_fail("queue %u: used entry %u is {%u, %u}, not {%u, %u}",
			  vq->index, pos, u.id, u.len, head, written);
}

/**
 * __wrap_vq_push() - vq_push() as a device calls it, checked
 * @vq:		virtqueue
 * @elem:	element
 * @written:	bytes written
 */
void __wrap_vq_push(struct virtqueue *vq, struct vq_elem *elem,
		    uint32_t written)
{
	uint16_t head = elem->head;
	uint16_t idx;

	rc_complete(vq, elem, written, "push");
	if (rc_filled[vq->index] && !vq->broken)
		fuzz_fail("queue %u: push while %u filled entries are not "
			  "flushed",
			  vq->index, rc_filled[vq->index]);
	__real_vq_push(vq, elem, written);
	if (vq->broken)
		return;
	memcpy(&idx, &vq->used->idx, sizeof(idx));
	if (idx != vq->used_idx)
		fuzz_fail("queue %u: used->idx %u, used_idx %u after a push",
			  vq->index, idx, vq->used_idx);
	/* The entry just published: one before the used index */
	rc_check_used(vq, (unsigned int)-1, head, written);
}

/**
 * __wrap_vq_fill() - vq_fill() as a device calls it, checked
 * @vq:		virtqueue
 * @elem:	element
 * @written:	bytes written
 * @pos:	entries after the used index
 */
void __wrap_vq_fill(struct virtqueue *vq, struct vq_elem *elem,
		    uint32_t written, unsigned int pos)
{
	uint16_t head = elem->head;

	rc_complete(vq, elem, written, "fill");
	if (pos != rc_filled[vq->index] && !vq->broken)
		fuzz_fail("queue %u: fill at position %u, %u filled before",
			  vq->index, pos, rc_filled[vq->index]);
	__real_vq_fill(vq, elem, written, pos);
	rc_filled[vq->index]++;
	if (!vq->broken)
		rc_check_used(vq, pos, head, written);
}

/**
 * __wrap_vq_flush() - vq_flush() as a device calls it, checked
 * @vq:		virtqueue
 * @count:	entries to publish
 */
void __wrap_vq_flush(struct virtqueue *vq, unsigned int count)
{
	unsigned int q = rc_queue(vq);

	if (count != rc_filled[q] && !vq->broken)
		fuzz_fail("queue %u: flush of %u entries, %u filled", q, count,
			  rc_filled[q]);
	__real_vq_flush(vq, count);
	rc_filled[q] = 0;
}

/**
 * __wrap_vq_unpop() - vq_unpop() as a device calls it, checked
 * @vq:		virtqueue
 * @elems:	elements given back
 * @count:	their number
 */
void __wrap_vq_unpop(struct virtqueue *vq, struct vq_elem **elems,
		     unsigned int count)
{
	unsigned int q = rc_queue(vq);

	for (unsigned int i = 0; i < count; i++)
		if (elems[i]->head >= RF_MAX_QSIZE ||
		    !rc_inflight[q][elems[i]->head])
			fuzz_fail("queue %u: unpop of head %u, not in flight",
				  q, elems[i]->head);
	__real_vq_unpop(vq, elems, count);
	for (unsigned int i = 0; i < count; i++) {
		uint16_t head = elems[i]->head;

		if (!vq->head_inflight[head] && rc_inflight[q][head]) {
			rc_inflight[q][head] = 0;
			rc_count[q]--;
		}
	}
}

/**
 * rf_check_begin_device() - A device-side operation starts
 */
void rf_check_begin_device(void)
{
	rc_nranges = 0;
	rc_overflow = false;
}

/**
 * rc_allowed() - Whether the device may have written a host range
 * @s:		session
 * @p:		first byte
 * @len:	bytes
 *
 * Return: true if inside one popped writable buffer or one used ring
 */
static bool rc_allowed(const struct rf_session *s, const uint8_t *p, size_t len)
{
	uintptr_t a = (uintptr_t)p;

	for (unsigned int i = 0; i < rc_nranges; i++)
		if (a >= rc_ranges[i].start && len <= rc_ranges[i].len &&
		    a - rc_ranges[i].start <= rc_ranges[i].len - len)
			return true;
	for (unsigned int q = 0; q < s->nq; q++) {
		/* used ring and avail_event */
		uintptr_t u = (uintptr_t)rf_gpa_host(RF_USED_GPA(q), 1);
		size_t size = VRING_USED_SIZE(s->num) + 2;

		if (a >= u && len <= size && a - u <= size - len)
			return true;
	}
	return false;
}

/**
 * rf_check_end_device() - After a device-side operation: where it wrote
 * @s:		session
 */
void rf_check_end_device(struct rf_session *s)
{
	for (unsigned int r = 0; r < RF_NREGIONS; r++) {
		uint8_t *ram, *shadow;
		size_t size = rf_ram_region(r, &ram, &shadow);

		if (!memcmp(ram, shadow, size))
			continue;
		for (size_t off = 0; off < size; off += RC_BLOCK) {
			if (!memcmp(ram + off, shadow + off, RC_BLOCK))
				continue;
			if (rc_overflow || rc_allowed(s, ram + off, RC_BLOCK)) {
				memcpy(shadow + off, ram + off, RC_BLOCK);
				continue;
			}
			for (size_t i = off; i < off + RC_BLOCK; i++)
				if (ram[i] != shadow[i] &&
				    !rc_allowed(s, ram + i, 1))
					fuzz_fail("the device wrote guest RAM "
						  "region %u offset 0x%zx "
						  "outside the buffers it "
						  "popped",
						  r, i);
			memcpy(shadow + off, ram + off, RC_BLOCK);
		}
	}
}

/**
 * rf_check_queues() - After every operation: nothing left in flight
 * @s:		session
 *
 * The targets' engines complete every chain within the operation that
 * popped it (the synchronous block engine, the network device), so a chain
 * still in flight, or a used entry filled but never published, is one the
 * driver would wait for for ever.
 */
void rf_check_queues(struct rf_session *s)
{
	for (unsigned int q = 0; q < s->nq; q++) {
		const struct virtqueue *vq = &s->dev->vqs[q];

		if (rc_count[q] || (vq->elems && vq->inflight))
			fuzz_fail(
				"queue %u: %u chains popped and not completed "
				"(core: %u)%s",
				q, rc_count[q], vq->inflight,
				vq->broken ? ", queue broken" : "");
		if (rc_filled[q] && !vq->broken)
			fuzz_fail("queue %u: %u used entries filled, never "
				  "flushed",
				  q, rc_filled[q]);
		rc_filled[q] = 0;
	}
}
