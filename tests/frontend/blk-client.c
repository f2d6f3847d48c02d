/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-blk driver of the test front-end: device setup and request queues.
 *
 * The message sequence is the one QEMU 7.2's vhost-user-blk sends: handshake
 * and GET_CONFIG at realize time; SET_FEATURES, SET_MEM_TABLE, per ring
 * SET_VRING_NUM/BASE/ADDR/KICK/CALL and SET_VRING_ENABLE(1) at start;
 * SET_VRING_ENABLE(0) and GET_VRING_BASE per ring at stop.
 *
 * What the back-end writes into guest memory is checked before use: the used
 * ring may only name heads that are in flight, and the used length must be
 * what the request's writable buffers allow.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "tests/frontend/blk-client.h"

/* Virtio-blk feature bits the front-end acknowledges when offered */
#define BLK_FEATURES                                                           \
	((1ULL << VIRTIO_BLK_F_SIZE_MAX) | (1ULL << VIRTIO_BLK_F_SEG_MAX) |    \
	 (1ULL << VIRTIO_BLK_F_RO) | (1ULL << VIRTIO_BLK_F_BLK_SIZE) |         \
	 (1ULL << VIRTIO_BLK_F_FLUSH) | (1ULL << VIRTIO_BLK_F_TOPOLOGY) |      \
	 (1ULL << VIRTIO_BLK_F_MQ))

/* Protocol features the front-end uses */
#define WANTED_PROTOCOL_FEATURES                                               \
	((1ULL << VHOST_USER_PROTOCOL_F_MQ) |                                  \
	 (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK) |                           \
	 (1ULL << VHOST_USER_PROTOCOL_F_CONFIG))

/**
 * blk_now_ns() - monotonic clock in nanoseconds
 *
 * Return: nanoseconds since an arbitrary point
 */
uint64_t blk_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/**
 * config_size() - bytes of config space QEMU reads for the offered features
 * @c:	client after the handshake
 *
 * QEMU sizes GET_CONFIG by the features the device offers: up to num_queues
 * always, plus the discard and write-zeroes fields when offered.
 *
 * Return: size in bytes
 */
static uint32_t config_size(const struct blk_client *c)
{
	uint32_t size = offsetof(struct virtio_blk_config, max_discard_sectors);

	if (blk_offered(c, VIRTIO_BLK_F_DISCARD))
		size = offsetof(struct virtio_blk_config,
				max_write_zeroes_sectors);
	if (blk_offered(c, VIRTIO_BLK_F_WRITE_ZEROES))
		size = offsetof(struct virtio_blk_config, unused1);
	return size;
}

/**
 * blk_client_connect() - connect, negotiate and read the config space
 * @c:		client to initialise
 * @o:		options
 * @errp:	error on failure
 *
 * Return: true on success; on failure the caller still calls
 * blk_client_close()
 */
bool blk_client_connect(struct blk_client *c, const struct blk_client_opts *o,
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
	if (!blk_offered(c, VIRTIO_F_VERSION_1)) {
		error_setg(errp,
			   "back-end does not offer VIRTIO_F_VERSION_1 "
			   "(features 0x%llx)",
			   (unsigned long long)c->fe.features);
		return false;
	}

	if (!(o->protocol_drop & (1ULL << VHOST_USER_PROTOCOL_F_CONFIG))) {
		c->cfg_size = config_size(c);
		if (!vu_get_config(&c->fe, &c->cfg, c->cfg_size, errp))
			return false;
	}

	c->max_queues = 1;
	if (vu_has_protocol(&c->fe, VHOST_USER_PROTOCOL_F_MQ))
		c->max_queues = (unsigned int)c->fe.queue_num;
	else if (blk_offered(c, VIRTIO_BLK_F_MQ))
		c->max_queues = c->cfg.num_queues;
	if (!c->max_queues) {
		error_setg(errp, "back-end reports 0 queues");
		return false;
	}
	return true;
}

/**
 * choose_features() - the virtio features to acknowledge
 * @c:	client after the handshake
 * @o:	options
 *
 * Return: feature word for SET_FEATURES (without bit 30)
 */
static uint64_t choose_features(const struct blk_client *c,
				const struct blk_client_opts *o)
{
	uint64_t want = BLK_FEATURES | (1ULL << VIRTIO_F_VERSION_1);

	if (!o->no_event_idx)
		want |= 1ULL << VIRTIO_RING_F_EVENT_IDX;
	if (!o->no_indirect)
		want |= 1ULL << VIRTIO_RING_F_INDIRECT_DESC;
	if (o->num_queues <= 1)
		want &= ~(1ULL << VIRTIO_BLK_F_MQ);
	return c->fe.features & want;
}

/**
 * setup_queue() - allocate a ring and its eventfds, then describe it to the
 * back-end (SET_VRING_NUM, BASE, ADDR, KICK, CALL)
 * @c:		client
 * @q:		queue to set up
 * @index:	its ring index
 * @errp:	error on failure
 *
 * Return: true on success
 */
static bool setup_queue(struct blk_client *c, struct blk_queue *q,
			unsigned int index, struct error **errp)
{
	unsigned int ind_max = blk_acked(c, VIRTIO_RING_F_INDIRECT_DESC)
				       ? BLK_MAX_SEGS + 2
				       : 0;
	uint64_t size = vring_driver_mem_size(c->queue_size, ind_max);
	uint64_t gpa;
	void *mem;

	q->index = index;
	mem = guest_ram_alloc(&c->ram, size, 4096, &gpa, errp);
	if (!mem)
		return false;
	if (!vring_driver_init(&q->vr, mem, gpa, c->queue_size,
			       blk_acked(c, VIRTIO_RING_F_EVENT_IDX),
			       ind_max)) {
		error_setg(errp, "queue %u: cannot lay out a ring of %u", index,
			   c->queue_size);
		return false;
	}
	q->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	q->call_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (q->kick_fd < 0 || q->call_fd < 0) {
		error_setg_errno(errp, errno, "queue %u: eventfd", index);
		return false;
	}

	return vu_set_vring_num(&c->fe, index, c->queue_size, errp) &&
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
 * blk_client_start() - start the device as QEMU does on DRIVER_OK
 * @c:		client after blk_client_connect()
 * @o:		options (queues, queue size, RAM size, ring features)
 * @errp:	error on failure
 *
 * Return: true on success
 */
bool blk_client_start(struct blk_client *c, const struct blk_client_opts *o,
		      struct error **errp)
{
	unsigned int i;

	if (o->num_queues < 1 || o->num_queues > c->max_queues) {
		error_setg(errp, "%u queues asked for, the back-end has %u",
			   o->num_queues, c->max_queues);
		return false;
	}
	c->num_queues = o->num_queues;
	c->queue_size = o->queue_size;
	c->features = choose_features(c, o);
	if (!vu_set_features(&c->fe, c->features, errp))
		return false;

	if (!guest_ram_init(&c->ram, o->ram_size, errp))
		return false;
	if (!vu_set_mem_table(&c->fe, &c->ram, errp))
		return false;

	c->queues = calloc(c->num_queues, sizeof(*c->queues));
	if (!c->queues) {
		error_setg(errp, "out of memory");
		return false;
	}
	for (i = 0; i < c->num_queues; i++)
		c->queues[i].kick_fd = c->queues[i].call_fd = -1;
	for (i = 0; i < c->num_queues; i++) {
		if (!setup_queue(c, &c->queues[i], i, errp))
			return false;
	}
	for (i = 0; i < c->num_queues; i++) {
		if (!vu_set_vring_enable(&c->fe, i, true, errp))
			return false;
	}
	c->started = true;
	return true;
}

/**
 * blk_client_stop() - disable and stop every ring, check the returned bases
 * @c:		started client with no request in flight
 * @errp:	error on failure
 *
 * With nothing in flight the back-end must have consumed every available
 * chain, so GET_VRING_BASE must return our avail index.
 *
 * Return: true on success
 */
bool blk_client_stop(struct blk_client *c, struct error **errp)
{
	unsigned int i, base;

	if (!c->started)
		return true;
	c->started = false;
	for (i = 0; i < c->num_queues; i++) {
		if (!vu_set_vring_enable(&c->fe, i, false, errp))
			return false;
	}
	for (i = 0; i < c->num_queues; i++) {
		struct blk_queue *q = &c->queues[i];

		if (!vu_get_vring_base(&c->fe, i, &base, errp))
			return false;
		if (!q->in_flight && base != q->vr.avail_idx) {
			error_setg(errp,
				   "GET_VRING_BASE of ring %u returned "
				   "%u, the avail index is %u",
				   i, base, q->vr.avail_idx);
			return false;
		}
	}
	return true;
}

/**
 * blk_client_close() - close the connection and free everything
 * @c:	client (any state after blk_client_connect() was called)
 */
void blk_client_close(struct blk_client *c)
{
	unsigned int i;

	vu_close(&c->fe);
	for (i = 0; c->queues && i < c->num_queues; i++) {
		struct blk_queue *q = &c->queues[i];

		if (q->kick_fd >= 0)
			close(q->kick_fd);
		if (q->call_fd >= 0)
			close(q->call_fd);
		vring_driver_cleanup(&q->vr);
	}
	free(c->queues);
	c->queues = NULL;
	guest_ram_cleanup(&c->ram);
}

/**
 * blk_req_init() - give a request its header and status buffers
 * @c:		started client
 * @r:		request
 * @errp:	error if guest RAM is exhausted
 *
 * Return: true on success
 */
bool blk_req_init(struct blk_client *c, struct blk_req *r, struct error **errp)
{
	memset(r, 0, sizeof(*r));
	r->hdr = guest_ram_alloc(&c->ram, sizeof(*r->hdr), 16, &r->hdr_gpa,
				 errp);
	if (!r->hdr)
		return false;
	r->status = guest_ram_alloc(&c->ram, 1, 1, &r->status_gpa, errp);
	return r->status != NULL;
}

/**
 * data_len() - bytes in the data buffers of a request
 * @r:	request
 *
 * Return: sum of the data buffer lengths
 */
static uint64_t data_len(const struct blk_req *r)
{
	uint64_t len = 0;
	unsigned int i;

	for (i = 0; i < r->nseg; i++)
		len += r->data[i].len;
	return len;
}

/**
 * blk_req_expected_len() - used length a successful request must report
 * @r:	request
 *
 * Return: writable data bytes plus the status byte
 */
uint32_t blk_req_expected_len(const struct blk_req *r)
{
	if (r->type == VIRTIO_BLK_T_IN || r->type == VIRTIO_BLK_T_GET_ID)
		return (uint32_t)data_len(r) + 1;
	return 1;
}

/**
 * blk_submit() - add a request to a queue (published by blk_kick())
 * @c:		started client
 * @q:		queue index
 * @r:		request with type, sector and data filled in
 * @errp:	error if the ring is full or the request malformed
 *
 * Return: true on success
 */
bool blk_submit(struct blk_client *c, unsigned int q, struct blk_req *r,
		struct error **errp)
{
	struct vring_buf out[BLK_MAX_SEGS + 1], in[BLK_MAX_SEGS + 1];
	bool device_writes =
		r->type == VIRTIO_BLK_T_IN || r->type == VIRTIO_BLK_T_GET_ID;
	unsigned int out_n = 0, in_n = 0, i;
	struct blk_queue *bq;
	bool indirect;
	int head;

	if (q >= c->num_queues || r->nseg > BLK_MAX_SEGS || r->in_flight) {
		error_setg(errp, "bad submission to queue %u", q);
		return false;
	}
	bq = &c->queues[q];
	r->hdr->type = r->type;
	r->hdr->ioprio = 0;
	r->hdr->sector = r->sector;
	*r->status = 0xff; /* the device must overwrite it */

	out[out_n++] = (struct vring_buf){ r->hdr_gpa, sizeof(*r->hdr) };
	for (i = 0; i < r->nseg; i++) {
		if (device_writes)
			in[in_n++] = r->data[i];
		else
			out[out_n++] = r->data[i];
	}
	in[in_n++] = (struct vring_buf){ r->status_gpa, 1 };

	indirect = bq->vr.indirect;
	bq->vr.indirect = indirect && !r->direct;
	head = vring_driver_add(&bq->vr, out, out_n, in, in_n, r);
	bq->vr.indirect = indirect;
	if (head < 0) {
		error_setg(errp, "queue %u: ring full (%u in flight)", q,
			   bq->in_flight);
		return false;
	}
	r->queue = q;
	r->in_flight = true;
	r->used_len = 0;
	r->submit_ns = blk_now_ns();
	bq->in_flight++;
	bq->unpublished++;
	return true;
}

/**
 * blk_kick() - publish added requests on every queue, kick where asked
 * @c:		started client
 * @errp:	error if an eventfd write fails
 *
 * Return: true on success
 */
bool blk_kick(struct blk_client *c, struct error **errp)
{
	unsigned int i;

	for (i = 0; i < c->num_queues; i++) {
		struct blk_queue *q = &c->queues[i];
		uint64_t one = 1;

		if (!q->unpublished)
			continue;
		q->unpublished = 0;
		if (!vring_driver_publish(&q->vr))
			continue;
		if (write(q->kick_fd, &one, sizeof(one)) != sizeof(one)) {
			error_setg_errno(errp, errno, "queue %u: kick", i);
			return false;
		}
		q->kicks++;
	}
	return true;
}

/**
 * blk_in_flight() - requests submitted and not yet completed
 * @c:	client
 *
 * Return: count over all queues
 */
unsigned int blk_in_flight(const struct blk_client *c)
{
	unsigned int i, n = 0;

	for (i = 0; i < c->num_queues; i++)
		n += c->queues[i].in_flight;
	return n;
}

/**
 * collect() - take completed requests off the used rings
 * @c:		client
 * @done:	array for completed requests
 * @max:	its size
 * @errp:	error if the back-end wrote something impossible
 *
 * Return: number collected, -1 on error
 */
static int collect(struct blk_client *c, struct blk_req **done,
		   unsigned int max, struct error **errp)
{
	uint64_t now = blk_now_ns();
	unsigned int i, n = 0;

	for (i = 0; i < c->num_queues && n < max; i++) {
		struct blk_queue *q = &c->queues[i];
		uint16_t used_idx =
			__atomic_load_n(&q->vr.used->idx, __ATOMIC_ACQUIRE);
		uint16_t pending = (uint16_t)(used_idx - q->vr.last_used_idx);

		if (pending > q->in_flight) {
			error_setg(errp,
				   "queue %u: used index %u is %u ahead, "
				   "but only %u requests are in flight",
				   i, used_idx, pending, q->in_flight);
			return -1;
		}
		while (n < max && q->vr.last_used_idx != used_idx) {
			uint16_t slot = q->vr.last_used_idx % q->vr.num;
			uint32_t id = q->vr.used->ring[slot].id, len;
			struct blk_req *r = vring_driver_get_used(&q->vr, &len);

			if (!r) {
				error_setg(errp,
					   "queue %u: used entry %u "
					   "names head %u, which is not "
					   "in flight",
					   i, slot, id);
				return -1;
			}
			r->used_len = len;
			r->complete_ns = now;
			r->in_flight = false;
			q->in_flight--;
			done[n++] = r;
		}
	}
	return (int)n;
}

/**
 * drain_calls() - read the call eventfds that poll() reported readable
 * @c:		client
 * @pfd:	poll results, one per queue
 */
static void drain_calls(struct blk_client *c, const struct pollfd *pfd)
{
	unsigned int i;
	uint64_t v;

	for (i = 0; i < c->num_queues; i++) {
		if (!(pfd[i].revents & POLLIN))
			continue;
		if (read(c->queues[i].call_fd, &v, sizeof(v)) == sizeof(v))
			c->queues[i].calls++;
	}
}

/**
 * blk_wait() - wait for at least one completion, bounded by the timeout
 * @c:		client with requests in flight
 * @done:	array for completed requests
 * @max:	its size, > 0
 * @errp:	error on timeout or on a bad used ring
 *
 * Completions are collected as soon as they are visible; the call eventfds
 * are waited on only when the used rings are empty after re-arming them.
 *
 * Return: number of completed requests (> 0), -1 on error
 */
int blk_wait(struct blk_client *c, struct blk_req **done, unsigned int max,
	     struct error **errp)
{
	int64_t deadline = (int64_t)(blk_now_ns() / 1000000) + c->timeout_ms;
	struct pollfd pfd[c->num_queues];
	unsigned int i;
	int n;

	for (i = 0; i < c->num_queues; i++)
		pfd[i] = (struct pollfd){ .fd = c->queues[i].call_fd,
					  .events = POLLIN };
	for (;;) {
		int64_t left;
		bool pending = false;

		n = collect(c, done, max, errp);
		if (n)
			return n;
		if (!blk_in_flight(c)) {
			error_setg(errp, "waiting with nothing in flight");
			return -1;
		}
		for (i = 0; i < c->num_queues; i++)
			pending |= vring_driver_enable_cb(&c->queues[i].vr);
		if (pending)
			continue;

		left = deadline - (int64_t)(blk_now_ns() / 1000000);
		n = poll(pfd, c->num_queues, left > 0 ? (int)left : 0);
		if (n < 0 && errno != EINTR) {
			error_setg_errno(errp, errno, "poll on call eventfds");
			return -1;
		}
		if (n == 0) {
			error_setg(errp,
				   "%u requests did not complete within "
				   "%d ms",
				   blk_in_flight(c), c->timeout_ms);
			return -1;
		}
		if (n > 0)
			drain_calls(c, pfd);
	}
}

/**
 * blk_run_one() - submit one request and wait for it alone
 * @c:		started client with nothing in flight
 * @q:		queue index
 * @r:		request
 * @errp:	error on failure
 *
 * Return: true once @r completed (its status is for the caller to check)
 */
bool blk_run_one(struct blk_client *c, unsigned int q, struct blk_req *r,
		 struct error **errp)
{
	struct blk_req *done;

	if (!blk_submit(c, q, r, errp) || !blk_kick(c, errp))
		return false;
	if (blk_wait(c, &done, 1, errp) < 0)
		return false;
	if (done != r) {
		error_setg(errp, "queue %u completed another request", q);
		return false;
	}
	return true;
}
