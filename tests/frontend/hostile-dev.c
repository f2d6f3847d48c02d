/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A started device for the hostile catalogue, with rings written by hand.
 *
 * The device is started as QEMU starts it (status, features, memory table,
 * then per ring NUM, BASE, ADDR, KICK, CALL, ERR and ENABLE, then DRIVER_OK)
 * with the front-end library, but the rings are left empty: a case writes
 * descriptors, avail entries and indices itself, right or wrong, and reads
 * the used ring and the device status to see what the back-end made of them.
 * Every ring has an error eventfd, so a broken queue is seen twice: as
 * NEEDS_RESET in GET_STATUS and as a signal on that eventfd.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <linux/virtio_blk.h>

#include "devices/net/virtio-net-proto.h"
#include "tests/frontend/hostile.h"

/* Bytes of each RX buffer hx_net_post_rx() posts, and how many there are */
#define HX_RX_BUF_SIZE 2048
#define HX_RX_BUFS     16

/**
 * hx_ring_addr() - SET_VRING_ADDR with a ring's own addresses
 * @d:		device
 * @r:		ring laid out in guest RAM
 * @errp:	error on failure
 *
 * Return: true if the back-end took them
 */
bool hx_ring_addr(struct hx_dev *d, struct hx_ring *r, struct error **errp)
{
	return vu_set_vring_addr(&d->fe, r->index, (uintptr_t)r->vr.desc,
				 (uintptr_t)r->vr.avail, (uintptr_t)r->vr.used,
				 errp);
}

/**
 * setup_ring() - lay out a ring and describe it to the back-end
 * @d:		device
 * @r:		ring
 * @index:	its index
 * @num:	its size
 * @addr_last:	leave SET_VRING_ADDR out (the case sends it later)
 * @errp:	error on failure
 *
 * Return: true on success
 */
static bool setup_ring(struct hx_dev *d, struct hx_ring *r, unsigned int index,
		       unsigned int num, bool addr_last, struct error **errp)
{
	uint64_t gpa;
	void *mem;

	r->index = index;
	mem = guest_ram_alloc(&d->ram, vring_driver_mem_size(num, 0), 4096,
			      &gpa, errp);
	if (!mem)
		return false;
	if (!vring_driver_init(&r->vr, mem, gpa, num, false, 0)) {
		error_setg(errp, "ring %u: cannot lay out a ring of %u", index,
			   num);
		return false;
	}
	r->kick = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	r->call = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	r->err = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (r->kick < 0 || r->call < 0 || r->err < 0) {
		error_setg_errno(errp, errno, "ring %u: eventfd", index);
		return false;
	}
	return vu_set_vring_num(&d->fe, index, num, errp) &&
	       vu_set_vring_base(&d->fe, index, 0, errp) &&
	       (addr_last || hx_ring_addr(d, r, errp)) &&
	       vu_set_vring_fd(&d->fe, VHOST_USER_SET_VRING_KICK, index,
			       r->kick, errp) &&
	       vu_set_vring_fd(&d->fe, VHOST_USER_SET_VRING_CALL, index,
			       r->call, errp) &&
	       vu_set_vring_fd(&d->fe, VHOST_USER_SET_VRING_ERR, index, r->err,
			       errp);
}

/**
 * alloc_buffers() - the guest buffers cases build their chains from
 * @d:		device with guest RAM
 * @errp:	error if RAM is short
 *
 * Return: true on success
 */
static bool alloc_buffers(struct hx_dev *d, struct error **errp)
{
	uint64_t ind_size = HX_IND_ENTRIES * sizeof(struct vring_desc);

	d->hdr = guest_ram_alloc(&d->ram, HX_BUF_HDR_SIZE, 64, &d->hdr_gpa,
				 errp);
	d->data = d->hdr ? guest_ram_alloc(&d->ram, HX_BUF_DATA, 4096,
					   &d->data_gpa, errp)
			 : NULL;
	d->status = d->data ? guest_ram_alloc(&d->ram, HX_BUF_HDR_SIZE, 64,
					      &d->status_gpa, errp)
			    : NULL;
	d->ind = d->status ? guest_ram_alloc(&d->ram, ind_size, 16, &d->ind_gpa,
					     errp)
			   : NULL;
	d->ind2 = d->ind ? guest_ram_alloc(&d->ram, ind_size, 16, &d->ind2_gpa,
					   errp)
			 : NULL;
	d->rxbufs =
		d->ind2 ? guest_ram_alloc(&d->ram, HX_RX_BUF_SIZE * HX_RX_BUFS,
					  64, &d->rxbufs_gpa, errp)
			: NULL;
	return d->rxbufs != NULL;
}

/**
 * choose_features() - the virtio features the device is started with
 * @x:		case run (the device type)
 * @d:		device after the handshake
 * @o:		options
 * @errp:	error if a feature asked for is not offered
 *
 * Return: true with d->features set
 */
static bool choose_features(struct hx_ctx *x, struct hx_dev *d,
			    const struct hx_dev_opts *o, struct error **errp)
{
	uint64_t want = (1ULL << VIRTIO_F_VERSION_1) | o->extra_features;

	if (!o->no_indirect)
		want |= 1ULL << VIRTIO_RING_F_INDIRECT_DESC;
	if (x->device == HX_NET && o->ctrl)
		want |= 1ULL << VIRTIO_NET_F_CTRL_VQ;
	if (want & ~d->fe.features) {
		error_setg(errp, "features 0x%llx are not offered",
			   (unsigned long long)(want & ~d->fe.features));
		return false;
	}
	d->features = want;
	return true;
}

/**
 * hx_dev_start() - start a device with empty rings
 * @x:		case run
 * @d:		device to fill
 * @o:		options
 * @errp:	error on failure
 *
 * Return: true on success; the caller calls hx_dev_end() either way
 */
bool hx_dev_start(struct hx_ctx *x, struct hx_dev *d,
		  const struct hx_dev_opts *o, struct error **errp)
{
	const uint8_t s0 = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;
	unsigned int num = o->num ? o->num : 16, i;
	struct virtio_blk_config cfg;

	memset(d, 0, sizeof(*d));
	vu_init(&d->fe);
	d->ram.fd = -1;
	for (i = 0; i < HX_MAX_RINGS; i++)
		d->ring[i].kick = d->ring[i].call = d->ring[i].err = -1;
	if (!hx_connect(x, &d->fe, errp) ||
	    !vu_handshake(&d->fe, HX_PROTOCOL, errp))
		return false;
	if (x->device == HX_BLK) {
		if (!vu_get_config(&d->fe, &cfg, sizeof(cfg.capacity), errp))
			return false;
		d->capacity = cfg.capacity;
	}
	if (!choose_features(x, d, o, errp) ||
	    !vu_set_status(&d->fe, s0, errp) ||
	    !vu_set_features(&d->fe, d->features, errp) ||
	    !vu_set_status(&d->fe, s0 | VIRTIO_CONFIG_S_FEATURES_OK, errp))
		return false;
	d->hdr_len = VIRTIO_NET_HDR_LEN_V1;
	if (!guest_ram_init(&d->ram, HX_RAM_SIZE, errp) ||
	    !vu_set_mem_table(&d->fe, &d->ram, errp))
		return false;
	d->nrings = x->device == HX_BLK ? 1 : o->ctrl ? 3 : 2;
	for (i = 0; i < d->nrings; i++) {
		if (!setup_ring(d, &d->ring[i], i, num, o->addr_last, errp))
			return false;
	}
	if (!alloc_buffers(d, errp))
		return false;
	for (i = 0; i < d->nrings && !o->no_enable; i++) {
		if (!vu_set_vring_enable(&d->fe, i, true, errp))
			return false;
	}
	if (!vu_set_status(&d->fe,
			   s0 | VIRTIO_CONFIG_S_FEATURES_OK |
				   VIRTIO_CONFIG_S_DRIVER_OK,
			   errp))
		return false;
	if (x->device == HX_NET)
		hx_net_post_rx(d, o->rx_buffers);
	return true;
}

/**
 * hx_dev_end() - end the session and free the device
 * @x:		case run
 * @d:		device (any state after hx_dev_start() was called)
 */
void hx_dev_end(struct hx_ctx *x, struct hx_dev *d)
{
	hx_end(x, &d->fe);
	for (unsigned int i = 0; i < HX_MAX_RINGS; i++) {
		struct hx_ring *r = &d->ring[i];
		int fds[3] = { r->kick, r->call, r->err };

		hx_close_fds(fds, 3);
		r->kick = r->call = r->err = -1;
		vring_driver_cleanup(&r->vr);
	}
	guest_ram_cleanup(&d->ram);
}

/**
 * hx_dev_done() - finish a case on a started device: note a harness error,
 * end the session, free the device
 * @x:		case run
 * @d:		device (any state after hx_dev_start() was called)
 * @res:	the outcome seen
 * @err:	harness error or NULL; it wins over @res, and is freed
 *
 * Return: @res, or HX_UNEXPECTED if @err was set
 */
enum hx_outcome hx_dev_done(struct hx_ctx *x, struct hx_dev *d,
			    enum hx_outcome res, struct error *err)
{
	if (err)
		res = hx_fail(x, err);
	hx_dev_end(x, d);
	return res;
}

/**
 * hx_req_ring() - the ring requests go to
 * @d:		started device
 *
 * Return: blk: queue 0; net: the transmit ring of pair 0
 */
struct hx_ring *hx_req_ring(struct hx_dev *d)
{
	return d->nrings == 1 ? &d->ring[0] : &d->ring[HX_TX];
}

/**
 * hx_desc() - write a descriptor, whatever it says
 * @table:	descriptor table (a ring's or an indirect one)
 * @i:		index in it
 * @addr:	guest address
 * @len:	length
 * @flags:	VRING_DESC_F_*
 * @next:	next index
 */
void hx_desc(struct vring_desc *table, unsigned int i, uint64_t addr,
	     uint32_t len, uint16_t flags, uint16_t next)
{
	table[i].addr = addr;
	table[i].len = len;
	table[i].flags = flags;
	table[i].next = next;
}

/**
 * hx_avail() - put a head in the next avail slot (not yet published)
 * @r:		ring
 * @head:	head index, any value
 */
void hx_avail(struct hx_ring *r, uint16_t head)
{
	r->vr.avail->ring[r->vr.avail_idx % r->vr.num] = head;
	r->vr.avail_idx++;
}

/**
 * hx_publish() - store the avail index and kick
 * @r:		ring
 * @errp:	error if the kick cannot be written
 *
 * Return: true on success
 */
bool hx_publish(struct hx_ring *r, struct error **errp)
{
	uint64_t one = 1;

	__atomic_store_n(&r->vr.avail->idx, r->vr.avail_idx, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (write(r->kick, &one, sizeof(one)) != sizeof(one)) {
		error_setg_errno(errp, errno, "ring %u: kick", r->index);
		return false;
	}
	return true;
}

/**
 * hx_used_idx() - the used index the back-end published
 * @r:		ring
 *
 * Return: used->idx
 */
uint16_t hx_used_idx(const struct hx_ring *r)
{
	return __atomic_load_n(&r->vr.used->idx, __ATOMIC_ACQUIRE);
}

/**
 * hx_wait_used() - wait until the used index reaches @idx
 * @x:		case run
 * @r:		ring
 * @idx:	used index to reach
 * @timeout_ms:	longest wait
 *
 * Return: true if reached in time
 */
bool hx_wait_used(struct hx_ctx *x, const struct hx_ring *r, uint16_t idx,
		  int timeout_ms)
{
	uint64_t deadline = hx_now_ms() + (uint64_t)timeout_ms;

	(void)x;
	while (hx_used_idx(r) != idx) {
		if (hx_now_ms() >= deadline)
			return false;
		hx_sleep_ms(1);
	}
	return true;
}

/**
 * hx_status() - GET_STATUS
 * @x:		case run
 * @d:		started device
 * @status:	the device status
 * @errp:	error on failure
 *
 * Return: true on success
 */
bool hx_status(struct hx_ctx *x, struct hx_dev *d, uint8_t *status,
	       struct error **errp)
{
	uint64_t u64;

	if (!hx_ask(x, &d->fe, VHOST_USER_GET_STATUS, NULL, 0, &u64,
		    sizeof(u64), errp))
		return false;
	*status = (uint8_t)u64;
	return true;
}

/**
 * hx_wait_broken() - wait until the device needs a reset, bounded
 * @x:		case run
 * @d:		started device
 * @r:		the ring that should break: its error eventfd must fire;
 *		NULL if the case replaced it
 *
 * Return: HX_BROKEN if GET_STATUS shows NEEDS_RESET and the ring's error
 * eventfd was signalled, HX_CLOSED if the session ended, else HX_UNEXPECTED
 */
enum hx_outcome hx_wait_broken(struct hx_ctx *x, struct hx_dev *d,
			       struct hx_ring *r)
{
	uint64_t deadline = hx_now_ms() + (uint64_t)x->timeout_ms;
	struct pollfd pfd = { .fd = r ? r->err : -1, .events = POLLIN };
	struct error *err = NULL;
	uint8_t status = 0;
	uint64_t v;

	for (;;) {
		if (!hx_status(x, d, &status, &err)) {
			if (hx_probe(x, &d->fe) == HX_CLOSED) {
				error_free(err);
				return HX_CLOSED;
			}
			return hx_fail(x, err);
		}
		if (status & VIRTIO_CONFIG_S_NEEDS_RESET)
			break;
		if (hx_now_ms() >= deadline) {
			hx_note(x, "status 0x%x: no NEEDS_RESET within %d ms",
				status, x->timeout_ms);
			return HX_UNEXPECTED;
		}
		hx_sleep_ms(5);
	}
	if (!r) {
		hx_note(x, "status 0x%x", status);
		return HX_BROKEN;
	}
	if (poll(&pfd, 1, 0) != 1 || read(r->err, &v, sizeof(v)) != 8) {
		hx_note(x,
			"status 0x%x, but ring %u's error eventfd was not "
			"signalled",
			status, r->index);
		return HX_UNEXPECTED;
	}
	hx_note(x, "status 0x%x, ring %u's error eventfd signalled", status,
		r->index);
	return HX_BROKEN;
}

/**
 * hx_net_frame() - a valid Ethernet frame of @len bytes
 * @frame:	buffer of at least @len bytes
 * @len:	bytes, 14 or more for a real header
 */
void hx_net_frame(uint8_t *frame, uint32_t len)
{
	static const uint8_t head[14] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* broadcast */
		0x02, 0x71, 0x64, 0x00, 0x00, 0x09, /* local, ours */
		0x88, 0xb5,			    /* local experimental */
	};

	for (uint32_t i = 0; i < len; i++)
		frame[i] = i < sizeof(head) ? head[i] : (uint8_t)i;
}

/**
 * hx_net_send() - send a good frame on the TX ring (header, then frame)
 * @d:		started net device
 * @desc:	first of the two descriptors to use
 * @frame_len:	frame bytes
 * @errp:	error if the kick fails
 *
 * Return: true if published and kicked
 */
bool hx_net_send(struct hx_dev *d, uint16_t desc, uint32_t frame_len,
		 struct error **errp)
{
	struct hx_ring *tx = &d->ring[HX_TX];

	memset(d->hdr, 0, d->hdr_len);
	hx_net_frame(d->data, frame_len);
	hx_desc(tx->vr.desc, desc, d->hdr_gpa, d->hdr_len, VRING_DESC_F_NEXT,
		(uint16_t)(desc + 1));
	hx_desc(tx->vr.desc, desc + 1, d->data_gpa, frame_len, 0, 0);
	hx_avail(tx, desc);
	return hx_publish(tx, errp);
}

/**
 * hx_net_post_rx() - post RX buffers at descriptors 0..@count-1
 * @d:		started net device
 * @count:	buffers, at most HX_RX_BUFS and the ring size
 */
void hx_net_post_rx(struct hx_dev *d, unsigned int count)
{
	struct hx_ring *rx = &d->ring[HX_RX];
	struct error *err = NULL;

	if (count > HX_RX_BUFS)
		count = HX_RX_BUFS;
	if (count > rx->vr.num)
		count = rx->vr.num;
	for (unsigned int i = 0; i < count; i++) {
		hx_desc(rx->vr.desc, i, d->rxbufs_gpa + i * HX_RX_BUF_SIZE,
			HX_RX_BUF_SIZE, VRING_DESC_F_WRITE, 0);
		hx_avail(rx, (uint16_t)i);
	}
	if (count && !hx_publish(rx, &err))
		error_free(err); /* the next kick will do */
}

/**
 * hx_net_delivered() - did the frame just sent come back (loopback)?
 * @x:		case run
 * @d:		started net device, its TX chain completed
 * @rx_before:	RX used index before the frame was sent
 * @probe:	if it did not, send a good frame that must come back
 *
 * Return: HX_ACCEPTED if it came back, HX_DROPPED if not (and the good frame
 * did), HX_BROKEN/HX_CLOSED if the device broke or the session ended,
 * HX_UNEXPECTED otherwise
 */
enum hx_outcome hx_net_delivered(struct hx_ctx *x, struct hx_dev *d,
				 uint16_t rx_before, bool probe)
{
	struct hx_ring *rx = &d->ring[HX_RX], *tx = &d->ring[HX_TX];
	uint16_t tx_before = tx->vr.avail_idx;
	struct error *err = NULL;
	uint8_t status;

	/* Loopback answers on the same worker, before the next kick */
	if (hx_wait_used(x, rx, (uint16_t)(rx_before + 1), 300)) {
		hx_note(x, "the frame came back");
		return HX_ACCEPTED;
	}
	if (!hx_status(x, d, &status, &err))
		return hx_probe(x, &d->fe) == HX_CLOSED ? HX_CLOSED
							: hx_fail(x, err);
	if (status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return hx_wait_broken(x, d, rx);
	hx_note(x, "the frame did not come back");
	if (!probe)
		return HX_DROPPED;
	if (!hx_net_send(d, (uint16_t)(tx->vr.num - 2), 60, &err))
		return hx_fail(x, err);
	if (!hx_wait_used(x, tx, (uint16_t)(tx_before + 1), x->timeout_ms) ||
	    !hx_wait_used(x, rx, (uint16_t)(rx_before + 1), x->timeout_ms)) {
		hx_note(x, "a good frame sent next did not come back either");
		return HX_UNEXPECTED;
	}
	hx_note(x, "a good frame sent next came back");
	return HX_DROPPED;
}

/**
 * hx_post_good() - post a chain the device accepts on the request ring
 * @x:		case run
 * @d:		started device
 * @errp:	error if the kick fails
 *
 * blk: a read of sector 0 into 512 bytes (descriptors 0-2); net: a 60-byte
 * frame (descriptors 0-1).
 *
 * Return: true if posted
 */
bool hx_post_good(struct hx_ctx *x, struct hx_dev *d, struct error **errp)
{
	struct hx_ring *r = hx_req_ring(d);

	if (x->device == HX_NET)
		return hx_net_send(d, 0, 60, errp);
	memset(d->hdr, 0, 16); /* VIRTIO_BLK_T_IN, sector 0 */
	d->status[0] = 0xff;
	hx_desc(r->vr.desc, 0, d->hdr_gpa, 16, VRING_DESC_F_NEXT, 1);
	hx_desc(r->vr.desc, 1, d->data_gpa, 512,
		VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 2);
	hx_desc(r->vr.desc, 2, d->status_gpa, 1, VRING_DESC_F_WRITE, 0);
	hx_avail(r, 0);
	return hx_publish(r, errp);
}
