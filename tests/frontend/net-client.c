/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-net driver of the test front-end: device setup, RX and TX rings.
 *
 * The message sequence is the one QEMU's vhost-user netdev sends: handshake
 * and GET_QUEUE_NUM at connect; SET_FEATURES, SET_MEM_TABLE, per ring
 * SET_VRING_NUM/BASE/ADDR/KICK/CALL, then SET_VRING_ENABLE(1) for both rings
 * of every pair in use at start; SET_VRING_ENABLE(0) and GET_VRING_BASE per
 * ring at stop.
 *
 * Every buffer slot of a ring has its own guest buffer: an RX slot one
 * device-writable buffer of rx_buf_size bytes, a TX slot room for the header
 * and the largest frame. Nothing the back-end writes is trusted: a used entry
 * must name a chain in flight, an RX used length must fit its buffer and
 * start with a whole header, a TX used length must be 0, and the header must
 * announce no offload we did not negotiate.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "tests/frontend/net-client.h"

/* Protocol features the front-end uses */
#define WANTED_PROTOCOL_FEATURES                                               \
	((1ULL << VHOST_USER_PROTOCOL_F_MQ) |                                  \
	 (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK))

/**
 * net_now_ns() - monotonic clock in nanoseconds
 *
 * Return: nanoseconds since an arbitrary point
 */
uint64_t net_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/**
 * net_client_connect() - connect, negotiate, learn the number of pairs
 * @c:		client to initialise
 * @o:		options
 * @errp:	error on failure
 *
 * Return: true on success; on failure the caller still calls
 * net_client_close()
 */
bool net_client_connect(struct net_client *c, const struct net_client_opts *o,
			struct error **errp)
{
	memset(c, 0, sizeof(*c));
	c->ram.fd = -1;
	vu_init(&c->fe);
	c->timeout_ms = o->timeout_ms;

	if (!vu_connect(&c->fe, o->socket, o->timeout_ms, errp))
		return false;
	if (!vu_handshake(&c->fe,
			  (WANTED_PROTOCOL_FEATURES | o->protocol_add) &
				  ~o->protocol_drop,
			  errp))
		return false;
	if (!o->legacy && !net_offered(c, VIRTIO_F_VERSION_1)) {
		error_setg(errp,
			   "back-end does not offer VIRTIO_F_VERSION_1 "
			   "(features 0x%llx)",
			   (unsigned long long)c->fe.features);
		return false;
	}

	/* For net, GET_QUEUE_NUM counts queue pairs */
	c->max_pairs = 1;
	if (vu_has_protocol(&c->fe, VHOST_USER_PROTOCOL_F_MQ))
		c->max_pairs = (unsigned int)c->fe.queue_num;
	if (!c->max_pairs || c->fe.queue_num > 0x8000) {
		error_setg(errp, "back-end reports %llu queue pairs",
			   (unsigned long long)c->fe.queue_num);
		return false;
	}
	return true;
}

/**
 * choose_features() - the virtio features to acknowledge
 * @c:		client after the handshake
 * @o:		options
 * @errp:	error if a feature we need is not offered
 *
 * Only what a front-end that emulates the rest itself (as QEMU does) takes
 * from a vhost-user-net back-end: no offloads, so every header we see or
 * write has flags 0 and GSO_NONE. MQ goes without CTRL_VQ, as from QEMU and
 * DPDK's virtio-user, which keep the control queue to themselves.
 * @o->extra_features adds what a test wants on top, e.g. GUEST_ANNOUNCE.
 *
 * Return: true if the features in c->features can be used
 */
static bool choose_features(struct net_client *c,
			    const struct net_client_opts *o,
			    struct error **errp)
{
	uint64_t f = 0;

	if (!o->legacy)
		f |= 1ULL << VIRTIO_F_VERSION_1;
	else if (net_offered(c, VIRTIO_F_ANY_LAYOUT))
		f |= 1ULL << VIRTIO_F_ANY_LAYOUT;
	else {
		error_setg(errp, "a legacy header needs VIRTIO_F_ANY_LAYOUT, "
				 "which the back-end does not offer");
		return false;
	}
	if (o->mrg_rxbuf) {
		if (!net_offered(c, VIRTIO_NET_F_MRG_RXBUF)) {
			error_setg(errp, "back-end does not offer "
					 "VIRTIO_NET_F_MRG_RXBUF");
			return false;
		}
		f |= 1ULL << VIRTIO_NET_F_MRG_RXBUF;
	}
	if (!o->no_event_idx)
		f |= c->fe.features & (1ULL << VIRTIO_RING_F_EVENT_IDX);
	if (!o->no_indirect)
		f |= c->fe.features & (1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	if (o->pairs > 1)
		f |= c->fe.features & (1ULL << VIRTIO_NET_F_MQ);
	c->features = f | o->extra_features;
	return true;
}

/**
 * slots_init() - give every slot of a ring its guest buffer
 * @c:		client
 * @q:		queue
 * @buf_size:	bytes per buffer
 * @errp:	error if guest RAM is exhausted
 *
 * Return: true on success
 */
static bool slots_init(struct net_client *c, struct net_queue *q,
		       uint32_t buf_size, struct error **errp)
{
	unsigned int n = q->vr.num, i;

	q->buf_size = buf_size;
	q->bufs = guest_ram_alloc(&c->ram, (uint64_t)buf_size * n, 64,
				  &q->bufs_gpa, errp);
	if (!q->bufs)
		return false;
	q->free_slots = calloc(n, sizeof(*q->free_slots));
	if (!q->free_slots) {
		error_setg(errp, "out of memory");
		return false;
	}
	/* Popped from the end: slot 0 goes out first */
	for (i = 0; i < n; i++)
		q->free_slots[i] = (uint16_t)(n - 1 - i);
	q->nfree = n;
	return true;
}

/**
 * setup_queue() - lay out a ring, its buffers and eventfds, then describe it
 * to the back-end (SET_VRING_NUM, BASE, ADDR, KICK, CALL)
 * @c:		client
 * @q:		queue to set up
 * @index:	its ring index
 * @buf_size:	bytes per buffer slot
 * @ind_max:	descriptors per indirect table, 0 for none
 * @queue_size:	ring size
 * @errp:	error on failure
 *
 * Return: true on success
 */
static bool setup_queue(struct net_client *c, struct net_queue *q,
			unsigned int index, uint32_t buf_size,
			unsigned int ind_max, unsigned int queue_size,
			struct error **errp)
{
	uint64_t size = vring_driver_mem_size(queue_size, ind_max);
	uint64_t gpa;
	void *mem;

	q->index = index;
	mem = guest_ram_alloc(&c->ram, size, 4096, &gpa, errp);
	if (!mem)
		return false;
	if (!vring_driver_init(&q->vr, mem, gpa, queue_size,
			       net_acked(c, VIRTIO_RING_F_EVENT_IDX),
			       ind_max)) {
		error_setg(errp, "ring %u: cannot lay out a ring of %u", index,
			   queue_size);
		return false;
	}
	if (!slots_init(c, q, buf_size, errp))
		return false;
	q->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	q->call_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->kick_fd < 0 || q->call_fd < 0) {
		error_setg_errno(errp, errno, "ring %u: eventfd", index);
		return false;
	}

	return vu_set_vring_num(&c->fe, index, queue_size, errp) &&
	       vu_set_vring_base(&c->fe, index, 0, errp) &&
	       vu_set_vring_addr(&c->fe, index, (uintptr_t)q->vr.desc,
				 (uintptr_t)q->vr.avail, (uintptr_t)q->vr.used,
				 errp) &&
	       vu_set_vring_fd(&c->fe, VHOST_USER_SET_VRING_KICK, index,
			       q->kick_fd, errp) &&
	       vu_set_vring_fd(&c->fe, VHOST_USER_SET_VRING_CALL, index,
			       q->call_fd, errp);
}

/**
 * rx_fill() - post every free RX buffer of a pair (published by net_kick())
 * @q:	RX queue
 */
static void rx_fill(struct net_queue *q)
{
	while (q->nfree && q->vr.num_free) {
		uint16_t slot = q->free_slots[q->nfree - 1];
		struct vring_buf in = {
			q->bufs_gpa + (uint64_t)slot * q->buf_size,
			q->buf_size,
		};

		if (vring_driver_add(&q->vr, NULL, 0, &in, 1,
				     (void *)(uintptr_t)(slot + 1)) < 0)
			break;
		q->nfree--;
		q->in_flight++;
		q->unpublished++;
	}
}

/**
 * net_client_start() - start the device as QEMU does on DRIVER_OK
 * @c:		client after net_client_connect()
 * @o:		options
 * @errp:	error on failure
 *
 * The RX rings are filled before they are enabled, as a guest driver fills
 * them before it sets DRIVER_OK.
 *
 * Return: true on success
 */
bool net_client_start(struct net_client *c, const struct net_client_opts *o,
		      struct error **errp)
{
	unsigned int i, tx_ind;

	if (o->pairs < 1 || o->pairs > c->max_pairs) {
		error_setg(errp,
			   "%u queue pairs asked for, the back-end has %u",
			   o->pairs, c->max_pairs);
		return false;
	}
	if (o->max_frame < 1 || o->max_frame > NET_MAX_FRAME) {
		error_setg(errp, "bad largest frame size %u", o->max_frame);
		return false;
	}
	if (o->tx_segs < 1 || o->tx_segs > NET_TX_MAX_SEGS) {
		error_setg(errp, "bad number of TX buffers per frame %u",
			   o->tx_segs);
		return false;
	}
	c->tx_segs = o->tx_segs;
	c->lax_num_buffers = o->lax_num_buffers;
	if (!choose_features(c, o, errp))
		return false;
	c->hdr_len = net_acked(c, VIRTIO_F_VERSION_1) ||
				     net_acked(c, VIRTIO_NET_F_MRG_RXBUF)
			     ? VIRTIO_NET_HDR_LEN_V1
			     : VIRTIO_NET_HDR_LEN_LEGACY;
	if (o->rx_buf_size < c->hdr_len + 1) {
		error_setg(errp, "RX buffers of %u bytes cannot hold a header",
			   o->rx_buf_size);
		return false;
	}
	c->frame = malloc(NET_MAX_FRAME);
	if (!c->frame) {
		error_setg(errp, "out of memory");
		return false;
	}
	if (!vu_set_features(&c->fe, c->features, errp))
		return false;
	if (!guest_ram_init(&c->ram, o->ram_size, errp))
		return false;
	if (!vu_set_mem_table(&c->fe, &c->ram, errp))
		return false;

	c->pairs = calloc(o->pairs, sizeof(*c->pairs));
	if (!c->pairs) {
		error_setg(errp, "out of memory");
		return false;
	}
	c->npairs = o->pairs;
	for (i = 0; i < c->npairs; i++) {
		c->pairs[i].rx.kick_fd = c->pairs[i].rx.call_fd = -1;
		c->pairs[i].tx.kick_fd = c->pairs[i].tx.call_fd = -1;
	}
	tx_ind =
		net_acked(c, VIRTIO_RING_F_INDIRECT_DESC) ? NET_TX_MAX_SEGS : 0;
	for (i = 0; i < c->npairs; i++) {
		struct net_pair *p = &c->pairs[i];

		if (!setup_queue(c, &p->rx, 2 * i, o->rx_buf_size, 0,
				 o->queue_size, errp) ||
		    !setup_queue(c, &p->tx, 2 * i + 1,
				 c->hdr_len + o->max_frame, tx_ind,
				 o->queue_size, errp))
			return false;
		rx_fill(&p->rx);
	}
	if (!net_kick(c, errp))
		return false;
	for (i = 0; i < 2 * c->npairs; i++) {
		if (!vu_set_vring_enable(&c->fe, i, true, errp))
			return false;
	}
	c->started = true;
	return true;
}

/**
 * check_stopped_ring() - check what GET_VRING_BASE returned for a ring
 * @q:		queue
 * @base:	returned next avail index
 * @errp:	error if the back-end lost or held buffers
 *
 * A stopped ring must have nothing popped and not used: its base equals the
 * used index it published. A TX ring must also have consumed every frame.
 *
 * Return: true if consistent
 */
static bool check_stopped_ring(struct net_queue *q, unsigned int base,
			       struct error **errp)
{
	uint16_t used = __atomic_load_n(&q->vr.used->idx, __ATOMIC_ACQUIRE);
	bool tx = q->index & 1;

	if (tx && base != q->vr.avail_idx) {
		error_setg(errp,
			   "GET_VRING_BASE of TX ring %u returned %u, the "
			   "avail index is %u",
			   q->index, base, q->vr.avail_idx);
		return false;
	}
	if (base != used) {
		error_setg(errp,
			   "ring %u stopped with base %u but used index "
			   "%u: the back-end kept %u buffers without using "
			   "them",
			   q->index, base, used, (uint16_t)(base - used));
		return false;
	}
	return true;
}

/**
 * net_client_stop() - disable and stop every ring, check the returned bases
 * @c:		started client
 * @errp:	error on failure
 *
 * Return: true on success
 */
bool net_client_stop(struct net_client *c, struct error **errp)
{
	unsigned int i, base;

	if (!c->started)
		return true;
	c->started = false;
	for (i = 0; i < 2 * c->npairs; i++) {
		if (!vu_set_vring_enable(&c->fe, i, false, errp))
			return false;
	}
	for (i = 0; i < 2 * c->npairs; i++) {
		struct net_pair *p = &c->pairs[i / 2];
		struct net_queue *q = i & 1 ? &p->tx : &p->rx;

		if (!vu_get_vring_base(&c->fe, i, &base, errp))
			return false;
		if (!check_stopped_ring(q, base, errp))
			return false;
	}
	return true;
}

/**
 * close_queue() - close a queue's eventfds and free its bookkeeping
 * @q:	queue (ring memory belongs to guest RAM)
 */
static void close_queue(struct net_queue *q)
{
	if (q->kick_fd >= 0)
		close(q->kick_fd);
	if (q->call_fd >= 0)
		close(q->call_fd);
	free(q->free_slots);
	vring_driver_cleanup(&q->vr);
}

/**
 * net_client_close() - close the connection and free everything
 * @c:	client (any state after net_client_connect() was called)
 */
void net_client_close(struct net_client *c)
{
	unsigned int i;

	vu_close(&c->fe);
	for (i = 0; c->pairs && i < c->npairs; i++) {
		close_queue(&c->pairs[i].rx);
		close_queue(&c->pairs[i].tx);
	}
	free(c->pairs);
	c->pairs = NULL;
	free(c->frame);
	c->frame = NULL;
	guest_ram_cleanup(&c->ram);
}

/**
 * net_rx_buffers_per_frame() - RX buffers a frame takes
 * @c:		started client
 * @frame_len:	frame bytes without header
 *
 * Return: 1 without MRG_RXBUF, else how many buffers header and frame fill
 */
unsigned int net_rx_buffers_per_frame(const struct net_client *c,
				      uint32_t frame_len)
{
	uint32_t size = c->pairs[0].rx.buf_size;

	if (!net_acked(c, VIRTIO_NET_F_MRG_RXBUF))
		return 1;
	return (c->hdr_len + frame_len + size - 1) / size;
}

/**
 * tx_descs() - descriptors a TX chain takes from the ring
 * @q:	TX queue
 * @n:	buffers in the chain
 *
 * Return: 1 if it goes into an indirect table, else @n
 */
static unsigned int tx_descs(const struct net_queue *q, unsigned int n)
{
	return q->vr.indirect && n > 1 ? 1 : n;
}

/**
 * net_tx_room() - can a frame be sent on a pair now?
 * @c:		started client
 * @pair:	pair index
 *
 * Return: true if a buffer slot and the descriptors are free
 */
bool net_tx_room(const struct net_client *c, unsigned int pair)
{
	const struct net_queue *q = &c->pairs[pair].tx;

	return q->nfree && q->vr.num_free >= tx_descs(q, c->tx_segs);
}

/**
 * split_chain() - cut header and frame into the buffers of a TX chain
 * @c:		client
 * @gpa:	guest address of the slot buffer (header, then frame)
 * @len:	frame bytes
 * @seed:	picks the cut points
 * @out:	filled with the buffers
 *
 * One buffer: header and frame together. Two: the header, then the frame.
 * More: cut anywhere, inside the header too (VERSION_1 and ANY_LAYOUT allow
 * any layout), so a back-end must gather the header across buffers.
 *
 * Return: number of buffers
 */
static unsigned int split_chain(const struct net_client *c, uint64_t gpa,
				uint32_t len, uint32_t seed,
				struct vring_buf *out)
{
	uint32_t total = c->hdr_len + len, at = 0;
	unsigned int n = c->tx_segs, i;

	if (n == 1 || total < n) {
		out[0] = (struct vring_buf){ gpa, total };
		return 1;
	}
	if (n == 2) {
		out[0] = (struct vring_buf){ gpa, c->hdr_len };
		out[1] = (struct vring_buf){ gpa + c->hdr_len, len };
		return 2;
	}
	for (i = 0; i < n - 1; i++) {
		/* Leave at least one byte for each following buffer */
		uint32_t room = total - at - (n - 1 - i);
		uint32_t piece;

		seed = seed * 1103515245u + 12345u;
		piece = 1 + (seed >> 8) % room;
		out[i] = (struct vring_buf){ gpa + at, piece };
		at += piece;
	}
	out[n - 1] = (struct vring_buf){ gpa + at, total - at };
	return n;
}

/**
 * net_send() - queue one frame on a pair's TX ring (published by net_kick())
 * @c:		started client
 * @pair:	pair index
 * @frame:	Ethernet frame without virtio_net_hdr
 * @len:	its length, at most the max_frame given at start
 * @split_seed:	picks where the chain is cut (with tx_segs > 2)
 * @errp:	error if the ring is full or the frame too large
 *
 * Return: true on success
 */
bool net_send(struct net_client *c, unsigned int pair, const uint8_t *frame,
	      uint32_t len, uint32_t split_seed, struct error **errp)
{
	struct vring_buf out[NET_TX_MAX_SEGS];
	struct net_queue *q;
	unsigned int n;
	uint16_t slot;
	uint8_t *buf;

	if (pair >= c->npairs) {
		error_setg(errp, "no pair %u", pair);
		return false;
	}
	q = &c->pairs[pair].tx;
	if (c->hdr_len + len > q->buf_size) {
		error_setg(errp, "frame of %u bytes is larger than %u", len,
			   q->buf_size - c->hdr_len);
		return false;
	}
	if (!net_tx_room(c, pair)) {
		error_setg(errp, "TX ring %u is full", q->index);
		return false;
	}
	slot = q->free_slots[q->nfree - 1];
	buf = q->bufs + (size_t)slot * q->buf_size;
	/* flags 0, GSO_NONE, num_buffers 0: nothing to offload */
	memset(buf, 0, c->hdr_len);
	memcpy(buf + c->hdr_len, frame, len);
	n = split_chain(c, q->bufs_gpa + (uint64_t)slot * q->buf_size, len,
			split_seed, out);
	if (vring_driver_add(&q->vr, out, n, NULL, 0,
			     (void *)(uintptr_t)(slot + 1)) < 0) {
		error_setg(errp, "TX ring %u: no room for %u descriptors",
			   q->index, n);
		return false;
	}
	q->nfree--;
	q->in_flight++;
	q->unpublished++;
	c->pairs[pair].tx_frames++;
	return true;
}

/**
 * kick_queue() - publish a queue's new chains, kick if the device asks
 * @q:		queue
 * @errp:	error if the eventfd write fails
 *
 * Return: true on success
 */
static bool kick_queue(struct net_queue *q, struct error **errp)
{
	uint64_t one = 1;

	if (!q->unpublished)
		return true;
	q->unpublished = 0;
	if (!vring_driver_publish(&q->vr))
		return true;
	if (write(q->kick_fd, &one, sizeof(one)) != sizeof(one)) {
		error_setg_errno(errp, errno, "ring %u: kick", q->index);
		return false;
	}
	q->kicks++;
	return true;
}

/**
 * net_kick() - publish added chains on every ring, kick where asked
 * @c:		started client
 * @errp:	error if an eventfd write fails
 *
 * Return: true on success
 */
bool net_kick(struct net_client *c, struct error **errp)
{
	unsigned int i;

	for (i = 0; i < c->npairs; i++) {
		if (!kick_queue(&c->pairs[i].rx, errp) ||
		    !kick_queue(&c->pairs[i].tx, errp))
			return false;
	}
	return true;
}

/**
 * net_tx_in_flight() - frames sent and not yet completed
 * @c:	started client
 *
 * Return: count over all pairs
 */
unsigned int net_tx_in_flight(const struct net_client *c)
{
	unsigned int i, n = 0;

	for (i = 0; i < c->npairs; i++)
		n += c->pairs[i].tx.in_flight;
	return n;
}

/**
 * pending_used() - used entries published and not collected, checked
 * @q:		queue
 * @errp:	error if the device claims more than is in flight
 *
 * Return: number of entries, -1 on error
 */
static int pending_used(struct net_queue *q, struct error **errp)
{
	uint16_t used = __atomic_load_n(&q->vr.used->idx, __ATOMIC_ACQUIRE);
	uint16_t pending = (uint16_t)(used - q->vr.last_used_idx);

	if (pending > q->in_flight) {
		error_setg(errp,
			   "ring %u: used index %u is %u ahead, but only %u "
			   "buffers are in flight",
			   q->index, used, pending, q->in_flight);
		return -1;
	}
	return pending;
}

/**
 * take_used() - collect the next used entry of a queue
 * @q:		queue with a pending entry
 * @len:	set to the used length
 * @errp:	error if the entry names a chain that is not in flight
 *
 * Return: buffer slot, -1 on error
 */
static int take_used(struct net_queue *q, uint32_t *len, struct error **errp)
{
	uint16_t at = q->vr.last_used_idx % q->vr.num;
	uint32_t id = q->vr.used->ring[at].id;
	void *token = vring_driver_get_used(&q->vr, len);

	if (!token) {
		error_setg(errp,
			   "ring %u: used entry %u names head %u, which is "
			   "not in flight",
			   q->index, at, id);
		return -1;
	}
	q->in_flight--;
	return (int)((uintptr_t)token - 1);
}

/**
 * release_slot() - put a buffer slot back on the free stack
 * @q:		queue
 * @slot:	slot collected from the used ring
 */
static void release_slot(struct net_queue *q, int slot)
{
	q->free_slots[q->nfree++] = (uint16_t)slot;
}

/**
 * collect_tx() - take completed frames off a TX ring
 * @q:		TX queue
 * @errp:	error if the device wrote something impossible
 *
 * Return: number collected, -1 on error
 */
static int collect_tx(struct net_queue *q, struct error **errp)
{
	int pending = pending_used(q, errp), i;

	for (i = 0; i < pending; i++) {
		uint32_t len;
		int slot = take_used(q, &len, errp);

		if (slot < 0)
			return -1;
		release_slot(q, slot);
		/* A TX chain has no device-writable buffer */
		if (len) {
			error_setg(errp,
				   "TX ring %u: used length %u for a chain "
				   "without writable buffers",
				   q->index, len);
			return -1;
		}
	}
	return pending;
}

/**
 * check_rx_header() - check the virtio_net_hdr of a received frame
 * @c:		client
 * @q:		RX queue
 * @hdr:	the header in the first buffer
 * @nbufs:	set to the buffers the frame spans (num_buffers)
 * @errp:	error naming the field
 *
 * We negotiated no receive offload, so flags must be 0 and gso_type NONE;
 * num_buffers is 1 without MRG_RXBUF (VIRTIO 1.2 5.1.6.4.1; DPDK 22.11's
 * vhost library leaves it 0, which c->lax_num_buffers tolerates) and at
 * least 1 with it.
 *
 * Return: true if valid
 */
static bool check_rx_header(const struct net_client *c,
			    const struct net_queue *q, const uint8_t *hdr,
			    unsigned int *nbufs, struct error **errp)
{
	struct virtio_net_hdr_mrg_rxbuf h = { 0 };

	memcpy(&h, hdr, c->hdr_len);
	if (h.hdr.flags || h.hdr.gso_type != VIRTIO_NET_HDR_GSO_NONE) {
		error_setg(errp,
			   "RX ring %u: header has flags 0x%x gso_type 0x%x, "
			   "but no offload was negotiated",
			   q->index, h.hdr.flags, h.hdr.gso_type);
		return false;
	}
	*nbufs = 1;
	if (c->hdr_len < VIRTIO_NET_HDR_LEN_V1)
		return true;
	if (!net_acked(c, VIRTIO_NET_F_MRG_RXBUF) && h.num_buffers != 1 &&
	    !(c->lax_num_buffers && !h.num_buffers)) {
		error_setg(errp,
			   "RX ring %u: num_buffers %u without MRG_RXBUF "
			   "(must be 1)",
			   q->index, h.num_buffers);
		return false;
	}
	if (!net_acked(c, VIRTIO_NET_F_MRG_RXBUF))
		return true;
	if (!h.num_buffers) {
		error_setg(errp, "RX ring %u: num_buffers 0", q->index);
		return false;
	}
	*nbufs = h.num_buffers;
	return true;
}

/**
 * rx_frame() - collect one received frame, which may span several buffers
 * @c:		client
 * @pair:	pair index
 * @pending:	used entries available, at least 1; decremented
 * @fn:		called with the frame
 * @opaque:	for @fn
 * @errp:	error on a bad used entry or header, or from @fn
 *
 * A frame spread over buffers is copied into c->frame; a frame in one
 * buffer is handed over in place.
 *
 * Return: true on success
 */
static bool rx_frame(struct net_client *c, unsigned int pair, int *pending,
		     net_rx_fn fn, void *opaque, struct error **errp)
{
	struct net_pair *p = &c->pairs[pair];
	struct net_queue *q = &p->rx;
	unsigned int nbufs, i;
	const uint8_t *buf;
	uint32_t len, total;
	int slot;
	bool ok;

	slot = take_used(q, &len, errp);
	if (slot < 0)
		return false;
	(*pending)--;
	buf = q->bufs + (size_t)slot * q->buf_size;
	if (len < c->hdr_len || len > q->buf_size) {
		error_setg(errp,
			   "RX ring %u: used length %u, the buffer has %u "
			   "bytes and the header %u",
			   q->index, len, q->buf_size, c->hdr_len);
		release_slot(q, slot);
		return false;
	}
	if (!check_rx_header(c, q, buf, &nbufs, errp)) {
		release_slot(q, slot);
		return false;
	}
	p->rx_frames++;
	p->rx_buffers += nbufs;
	if (nbufs == 1) {
		ok = fn(opaque, pair, buf + c->hdr_len, len - c->hdr_len, errp);
		release_slot(q, slot);
		return ok;
	}

	p->rx_merged++;
	if ((unsigned int)*pending < nbufs - 1) {
		error_setg(errp,
			   "RX ring %u: header says %u buffers, only %d more "
			   "are used",
			   q->index, nbufs, *pending);
		release_slot(q, slot);
		return false;
	}
	total = len - c->hdr_len;
	memcpy(c->frame, buf + c->hdr_len, total);
	release_slot(q, slot);
	for (i = 1; i < nbufs; i++) {
		slot = take_used(q, &len, errp);
		if (slot < 0)
			return false;
		(*pending)--;
		buf = q->bufs + (size_t)slot * q->buf_size;
		if (!len || len > q->buf_size || len > NET_MAX_FRAME - total) {
			error_setg(errp,
				   "RX ring %u: buffer %u of %u of a frame "
				   "has used length %u (buffer %u bytes, %u "
				   "so far)",
				   q->index, i + 1, nbufs, len, q->buf_size,
				   total);
			release_slot(q, slot);
			return false;
		}
		memcpy(c->frame + total, buf, len);
		total += len;
		release_slot(q, slot);
	}
	return fn(opaque, pair, c->frame, total, errp);
}

/**
 * collect_rx() - take received frames off a pair's RX ring and refill it
 * @c:		client
 * @pair:	pair index
 * @fn:		called for every frame
 * @opaque:	for @fn
 * @errp:	error on failure
 *
 * Return: number of frames, -1 on error
 */
static int collect_rx(struct net_client *c, unsigned int pair, net_rx_fn fn,
		      void *opaque, struct error **errp)
{
	struct net_queue *q = &c->pairs[pair].rx;
	int pending = pending_used(q, errp), n = 0;

	if (pending < 0)
		return -1;
	while (pending > 0) {
		if (!rx_frame(c, pair, &pending, fn, opaque, errp))
			return -1;
		n++;
	}
	rx_fill(q);
	return n;
}

/**
 * net_poll() - collect TX completions and received frames on every pair
 * @c:		started client
 * @fn:		called for every received frame
 * @opaque:	for @fn
 * @errp:	error on failure
 *
 * Freed RX buffers are posted again and published before returning.
 *
 * Return: completions plus frames collected (0 if none), -1 on error
 */
int net_poll(struct net_client *c, net_rx_fn fn, void *opaque,
	     struct error **errp)
{
	unsigned int i;
	int n = 0, got;

	for (i = 0; i < c->npairs; i++) {
		got = collect_tx(&c->pairs[i].tx, errp);
		if (got < 0)
			return -1;
		n += got;
		got = collect_rx(c, i, fn, opaque, errp);
		if (got < 0)
			return -1;
		n += got;
	}
	if (!net_kick(c, errp))
		return -1;
	return n;
}

/**
 * net_wait() - sleep until a ring has used entries, bounded
 * @c:		started client
 * @timeout_ms:	longest wait
 * @errp:	error if poll() fails
 *
 * Calls are re-armed first; if used entries are already pending, there is
 * no wait at all.
 *
 * Return: true (also on timeout: the caller tracks progress)
 */
bool net_wait(struct net_client *c, int timeout_ms, struct error **errp)
{
	unsigned int n = 2 * c->npairs, i;
	struct pollfd pfd[n];
	bool pending = false;
	uint64_t v;
	int rc;

	for (i = 0; i < c->npairs; i++) {
		struct net_pair *p = &c->pairs[i];

		pending |= vring_driver_enable_cb(&p->rx.vr);
		pending |= vring_driver_enable_cb(&p->tx.vr);
		pfd[2 * i] = (struct pollfd){ p->rx.call_fd, POLLIN, 0 };
		pfd[2 * i + 1] = (struct pollfd){ p->tx.call_fd, POLLIN, 0 };
	}
	if (pending)
		return true;
	rc = poll(pfd, n, timeout_ms);
	if (rc < 0 && errno != EINTR) {
		error_setg_errno(errp, errno, "poll on call eventfds");
		return false;
	}
	for (i = 0; rc > 0 && i < n; i++) {
		struct net_pair *p = &c->pairs[i / 2];
		struct net_queue *q = i & 1 ? &p->tx : &p->rx;

		if ((pfd[i].revents & POLLIN) &&
		    read(q->call_fd, &v, sizeof(v)) == sizeof(v))
			q->calls++;
	}
	return true;
}
