/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-net receive path: frames from the netdev into the guest's receive
 * buffers, and the port through which a netdev works on a pair's worker.
 *
 * Every frame gets the header the driver negotiated (10 or 12 bytes): a
 * vnet_hdr netdev supplies it (passed through, so the host's checksum and
 * segmentation offloads reach the guest), otherwise it is all zeroes (no
 * offload, GSO_NONE). Without MRG_RXBUF a frame takes exactly one chain;
 * with it the frame may spread over several chains, which are filled first
 * and published together, so the driver never sees part of a frame.
 *
 * When the guest has too few buffers the netdev may keep the frame
 * (-EAGAIN): it is offered again through ops->rx_resume once the guest posts
 * more, which it signals with a kick of the receive queue. A chain too small
 * for a frame without MRG_RXBUF is handed back to the avail ring untouched
 * and the frame dropped, as QEMU does: the driver never sees a truncated
 * frame, and the chain serves the next, smaller one. Counters: frames the
 * guest cannot take because of size or a malformed header from the netdev
 * count as rx_dropped_too_big (there is no other bucket); frames that arrive
 * while the link is down, the queue disabled or the pair unused by the
 * driver are dropped without counting, as a disconnected NIC would.
 *
 * Guest notifications are batched: one per receive_done() of the netdev and
 * one after each transmit burst (a loopback netdev receives inside send()).
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/net/virtio-net-int.h"
#include "util/log.h"

/* Position in an iovec array, for copies between two of them */
struct net_iov_cursor {
	const struct iovec *iov;
	unsigned int cnt;
	unsigned int i;
	size_t off;
};

enum net_rx_result {
	NET_RX_DELIVERED,
	NET_RX_NO_BUFFERS, /* the guest has not posted enough buffers */
	NET_RX_DROPPED,	   /* dropped (and counted, if countable) */
};

/**
 * net_cursor_init() - A cursor @skip bytes into an iovec array
 * @c:		cursor
 * @iov:	array
 * @cnt:	entries
 * @skip:	bytes to skip (at most the total)
 */
static void net_cursor_init(struct net_iov_cursor *c, const struct iovec *iov,
			    unsigned int cnt, size_t skip)
{
	c->iov = iov;
	c->cnt = cnt;
	c->i = 0;
	c->off = 0;
	while (c->i < cnt && skip >= iov[c->i].iov_len) {
		skip -= iov[c->i].iov_len;
		c->i++;
	}
	if (c->i < cnt)
		c->off = skip;
}

/**
 * net_cursor_advance() - Move past @n bytes of the current segment
 * @c:		cursor, not at the end
 * @n:		bytes, at most what the segment has left (the next segment
 *		starts when none is left)
 */
static void net_cursor_advance(struct net_iov_cursor *c, size_t n)
{
	c->off += n;
	if (c->off == c->iov[c->i].iov_len) {
		c->i++;
		c->off = 0;
	}
}

/**
 * net_cursor_copy() - Copy up to @len bytes between two cursors
 * @dst:	destination, advanced
 * @src:	source, advanced
 * @len:	bytes wanted
 *
 * Return: bytes copied (less if either side ran out)
 */
static size_t net_cursor_copy(struct net_iov_cursor *dst,
			      struct net_iov_cursor *src, size_t len)
{
	size_t done = 0;

	while (done < len && dst->i < dst->cnt && src->i < src->cnt) {
		size_t dl = dst->iov[dst->i].iov_len - dst->off;
		size_t sl = src->iov[src->i].iov_len - src->off;
		size_t n = dl < sl ? dl : sl;

		if (n > len - done)
			n = len - done;
		/*
		 * memmove(): a loopback netdev hands back a frame that is
		 * still in guest memory, and the guest may have posted a
		 * receive buffer over it
		 */
		if (n)
			memmove((char *)dst->iov[dst->i].iov_base + dst->off,
				(const char *)src->iov[src->i].iov_base +
					src->off,
				n);
		/* Zero-length segments are stepped over, too */
		net_cursor_advance(dst, n);
		net_cursor_advance(src, n);
		done += n;
	}
	return done;
}

/**
 * net_rx_hdr_ok() - Whether the guest can take a header from the netdev
 * @net:	device
 * @hdr:	header as the netdev gave it
 *
 * A netdev only uses the offloads set_vnet_hdr enabled; this catches one
 * that does not, before the guest gets a frame it never agreed to.
 *
 * Return: true if every offload in @hdr was negotiated
 */
static bool net_rx_hdr_ok(const struct virtio_net *net,
			  const struct virtio_net_hdr *hdr)
{
	unsigned int bit;

	if ((hdr->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    !net_has(net, VIRTIO_NET_F_GUEST_CSUM))
		return false;
	if ((hdr->gso_type & VIRTIO_NET_HDR_GSO_ECN) &&
	    !net_has(net, VIRTIO_NET_F_GUEST_ECN))
		return false;
	switch (hdr->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return true;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		bit = VIRTIO_NET_F_GUEST_TSO4;
		break;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		bit = VIRTIO_NET_F_GUEST_TSO6;
		break;
	case VIRTIO_NET_HDR_GSO_UDP:
		bit = VIRTIO_NET_F_GUEST_UFO;
		break;
	default:
		return false;
	}
	return net_has(net, bit);
}

/**
 * net_rx_max_frame() - Largest Ethernet frame the guest takes
 * @net:	device
 * @gso:	the frame is a GSO frame (one the guest segments)
 *
 * Return: MTU plus Ethernet and VLAN headers; 65535 plus them for GSO frames
 * or without F_MTU
 */
static size_t net_rx_max_frame(struct virtio_net *net, bool gso)
{
	unsigned int mtu = NET_MAX_MTU;

	if (!gso && net_has(net, VIRTIO_NET_F_MTU))
		mtu = __atomic_load_n(&net->mtu, __ATOMIC_RELAXED);
	return (size_t)mtu + NET_ETH_HLEN + NET_VLAN_HLEN;
}

/**
 * net_rx_release() - Give back popped chains of a broken queue
 * @vq:		receive queue, broken
 * @elems:	chains popped for the frame
 * @n:		their number
 */
static void net_rx_release(struct virtqueue *vq, struct vq_elem **elems,
			   unsigned int n)
{
	/* On a broken queue vq_push() only releases the element */
	for (unsigned int i = 0; i < n; i++)
		vq_push(vq, elems[i], 0);
}

/**
 * net_rx_pop() - Take the next receive chain
 * @pair:	queue pair
 * @elemp:	set to the chain
 *
 * A chain without a device-writable byte is a driver bug that no frame can
 * ever use: the queue breaks.
 *
 * Return: 1 with *@elemp, 0 if the ring is empty (rx_wait_avail records the
 * index seen), -1 if the queue broke
 */
static int net_rx_pop(struct net_pair *pair, struct vq_elem **elemp)
{
	struct virtqueue *vq = pair->rx_vq;
	struct error *err = NULL;
	int r;

	r = vq_pop(vq, elemp, &err);
	if (r < 0) {
		/* vq_set_broken() has logged the reason already */
		error_free(err);
		return -1;
	}
	if (!r) {
		if (vq->broken)
			return -1;
		pair->rx_wait_avail = vq->last_avail_idx;
		return 0;
	}
	if (!(*elemp)->in_len) {
		vq_set_broken(vq,
			      "virtio-net queue %u head %u: receive chain has "
			      "no device-writable buffer",
			      vq->index, (*elemp)->head);
		vq_push(vq, *elemp, 0);
		return -1;
	}
	return 1;
}

/**
 * net_rx_write_chain() - Copy the next part of header and frame to a chain
 * @elem:	receive chain
 * @hdr:	cursor over the header, advanced
 * @frame:	cursor over the frame, advanced
 * @len:	bytes for this chain
 */
static void net_rx_write_chain(const struct vq_elem *elem,
			       struct net_iov_cursor *hdr,
			       struct net_iov_cursor *frame, size_t len)
{
	struct net_iov_cursor dst;
	size_t done;

	net_cursor_init(&dst, elem->in_sg, elem->in_num, 0);
	done = net_cursor_copy(&dst, hdr, len);
	net_cursor_copy(&dst, frame, len - done);
}

/**
 * net_rx_single() - Deliver a frame into one chain (no MRG_RXBUF)
 * @pair:	queue pair
 * @hdr:	header to write, hdr_len bytes
 * @frame:	cursor at the frame's first byte
 * @len:	header plus frame bytes
 *
 * Return: how it went
 */
static enum net_rx_result net_rx_single(struct net_pair *pair,
					struct virtio_net_hdr_mrg_rxbuf *hdr,
					struct net_iov_cursor *frame,
					size_t len)
{
	struct virtqueue *vq = pair->rx_vq;
	struct iovec hiov = { hdr, pair->net->hdr_len };
	struct net_iov_cursor hc;
	struct vq_elem *elem;
	int r;

	r = net_rx_pop(pair, &elem);
	if (r <= 0)
		return r ? NET_RX_DROPPED : NET_RX_NO_BUFFERS;
	if (elem->in_len < len) {
		log_debug("virtio-net queue %u head %u: %zu-byte frame does "
			  "not fit a %llu-byte buffer",
			  vq->index, elem->head, len,
			  (unsigned long long)elem->in_len);
		vq_unpop(vq, &elem, 1);
		net_stat_add(&pair->stats.rx_dropped_too_big, 1);
		return NET_RX_DROPPED;
	}
	hdr->num_buffers = htole16(1);
	net_cursor_init(&hc, &hiov, 1, 0);
	net_rx_write_chain(elem, &hc, frame, len);
	vq_fill(vq, elem, (uint32_t)len, pair->rx_unflushed++);
	return NET_RX_DELIVERED;
}

/**
 * net_rx_mergeable() - Deliver a frame over as many chains as it needs
 * @pair:	queue pair
 * @hdr:	header to write, hdr_len bytes
 * @frame:	cursor at the frame's first byte
 * @len:	header plus frame bytes
 *
 * The header is the first bytes of the stream written across the chains;
 * num_buffers is known before anything is written. Chains are taken back
 * unused if there are not enough of them.
 *
 * Return: how it went
 */
static enum net_rx_result net_rx_mergeable(struct net_pair *pair,
					   struct virtio_net_hdr_mrg_rxbuf *hdr,
					   struct net_iov_cursor *frame,
					   size_t len)
{
	struct virtqueue *vq = pair->rx_vq;
	struct vq_elem **elems = pair->rx_elems;
	struct iovec hiov = { hdr, pair->net->hdr_len };
	struct net_iov_cursor hc;
	unsigned int n = 0;
	uint64_t room = 0;
	size_t off = 0;
	int r;

	while (room < len) {
		/* At most vq->num chains can be popped at once */
		r = net_rx_pop(pair, &elems[n]);
		if (r < 0) {
			net_rx_release(vq, elems, n);
			return NET_RX_DROPPED;
		}
		if (!r) {
			vq_unpop(vq, elems, n);
			if (n < vq->num)
				return NET_RX_NO_BUFFERS;
			/* The whole ring would not hold it: never wait */
			log_debug("virtio-net queue %u: %zu-byte frame does "
				  "not fit the %u posted buffers",
				  vq->index, len, n);
			net_stat_add(&pair->stats.rx_dropped_too_big, 1);
			return NET_RX_DROPPED;
		}
		room += elems[n++]->in_len;
	}
	hdr->num_buffers = htole16((uint16_t)n);
	net_cursor_init(&hc, &hiov, 1, 0);
	for (unsigned int i = 0; i < n; i++) {
		size_t l = len - off;

		if (l > elems[i]->in_len)
			l = elems[i]->in_len;
		net_rx_write_chain(elems[i], &hc, frame, l);
		vq_fill(vq, elems[i], (uint32_t)l, pair->rx_unflushed + i);
		off += l;
	}
	pair->rx_unflushed += n;
	return NET_RX_DELIVERED;
}

/**
 * net_rx_publish() - Make the used entries filled so far visible at once
 * @pair:	queue pair
 *
 * One used index update per batch instead of one per frame: the index is
 * the cache line the driver polls, and every write to it moves that line.
 */
static void net_rx_publish(struct net_pair *pair)
{
	if (pair->rx_unflushed && pair->rx_vq)
		vq_flush(pair->rx_vq, pair->rx_unflushed);
	pair->rx_unflushed = 0;
}

/**
 * net_rx_taking() - Whether the guest takes frames on a pair right now
 * @pair:	queue pair
 *
 * Return: true if the receive queue runs, is enabled, and the pair carries
 * traffic (link up, among the pairs the driver uses)
 */
static bool net_rx_taking(const struct net_pair *pair)
{
	const struct virtqueue *vq = pair->rx_vq;

	return vq && virtio_queue_accepting(vq) && !vq->broken &&
	       net_vq_enabled(vq) && net_pair_carries(pair);
}

/**
 * net_rx_prepare() - Check a frame and build the header the guest gets
 * @pair:	queue pair
 * @iov:	frame from the netdev, header first with vnet_hdr
 * @cnt:	segments
 * @hdr:	filled: the header for the guest (num_buffers left 0)
 * @frame_len:	set to the Ethernet frame's length
 *
 * Return: bytes of netdev header before the frame, or -1 to drop it
 */
static ssize_t net_rx_prepare(struct net_pair *pair, const struct iovec *iov,
			      unsigned int cnt,
			      struct virtio_net_hdr_mrg_rxbuf *hdr,
			      size_t *frame_len)
{
	struct virtio_net *net = pair->net;
	const struct netdev *nd = net->nd;
	size_t in_hdr = nd->vnet_hdr ? nd->hdr_len : 0;
	size_t total = iov_size(iov, cnt);

	memset(hdr, 0, sizeof(*hdr));
	if (total < in_hdr + NET_ETH_HLEN || total > NETDEV_MAX_FRAME) {
		log_debug("virtio-net pair %u: netdev '%s' gave a %zu-byte "
			  "frame",
			  pair->index, nd->id, total);
		return -1;
	}
	if (in_hdr) {
		iov_to_buf(iov, cnt, 0, &hdr->hdr,
			   in_hdr < sizeof(hdr->hdr) ? in_hdr
						     : sizeof(hdr->hdr));
		if (!net_rx_hdr_ok(net, &hdr->hdr)) {
			log_debug("virtio-net pair %u: netdev '%s' header "
				  "flags 0x%x gso_type 0x%x not negotiated",
				  pair->index, nd->id, hdr->hdr.flags,
				  hdr->hdr.gso_type);
			return -1;
		}
	}
	*frame_len = total - in_hdr;
	if (*frame_len >
	    net_rx_max_frame(net,
			     hdr->hdr.gso_type != VIRTIO_NET_HDR_GSO_NONE)) {
		log_debug("virtio-net pair %u: %zu-byte frame above the MTU",
			  pair->index, *frame_len);
		return -1;
	}
	return (ssize_t)in_hdr;
}

/**
 * net_rx_receive() - port->receive: a frame for the guest
 * @port:	the pair's port
 * @iov:	frame, with nd->hdr_len header bytes first when nd->vnet_hdr
 * @cnt:	segments
 * @can_wait:	the netdev can keep the frame until rx_resume
 *
 * Return: 0 if taken (delivered or dropped), -EAGAIN if the guest has no
 * buffers and @can_wait
 */
static int net_rx_receive(struct netdev_port *port, const struct iovec *iov,
			  unsigned int cnt, bool can_wait)
{
	struct net_pair *pair = port->opaque;
	struct virtio_net_hdr_mrg_rxbuf hdr;
	struct net_iov_cursor frame;
	enum net_rx_result res;
	size_t frame_len;
	ssize_t skip;

	if (!net_rx_taking(pair))
		return 0;
	skip = net_rx_prepare(pair, iov, cnt, &hdr, &frame_len);
	if (skip < 0) {
		net_stat_add(&pair->stats.rx_dropped_too_big, 1);
		return 0;
	}
	net_cursor_init(&frame, iov, cnt, (size_t)skip);
	if (net_has(pair->net, VIRTIO_NET_F_MRG_RXBUF))
		res = net_rx_mergeable(pair, &hdr, &frame,
				       pair->net->hdr_len + frame_len);
	else
		res = net_rx_single(pair, &hdr, &frame,
				    pair->net->hdr_len + frame_len);

	switch (res) {
	case NET_RX_DELIVERED:
		pair->rx_notify = true;
		/* Publish in batches, but do not keep the guest waiting long */
		if (pair->rx_unflushed >= NET_RX_PUBLISH_BATCH)
			net_rx_publish(pair);
		net_stat_add(&pair->stats.rx_frames, 1);
		net_stat_add(&pair->stats.rx_bytes, frame_len);
		return 0;
	case NET_RX_NO_BUFFERS:
		if (can_wait) {
			pair->rx_waiting = true;
			return -EAGAIN;
		}
		net_stat_add(&pair->stats.rx_dropped_no_buffer, 1);
		return 0;
	case NET_RX_DROPPED:
	default:
		return 0;
	}
}

/**
 * net_rx_flush_notify() - Publish the frames delivered, notify the driver
 * once for them
 * @pair:	queue pair
 */
void net_rx_flush_notify(struct net_pair *pair)
{
	net_rx_publish(pair);
	if (!pair->rx_notify || !pair->rx_vq)
		return;
	pair->rx_notify = false;
	vq_notify(pair->rx_vq);
}

/**
 * net_rx_receive_done() - port->receive_done: end of a burst
 * @port:	the pair's port
 */
static void net_rx_receive_done(struct netdev_port *port)
{
	net_rx_flush_notify(port->opaque);
}

/**
 * net_watch_dispatch() - A netdev fd is ready: call the netdev
 * @vq:		receive queue the fd is watched on
 * @revents:	ready events
 * @opaque:	the struct net_watch
 */
static void net_watch_dispatch(struct virtqueue *vq, uint32_t revents,
			       void *opaque)
{
	struct net_watch *w = opaque;

	/* @w may be freed by the callback (it may unwatch its own fd) */
	w->cb(w->opaque, revents);
}

/**
 * net_port_watch() - port->watch: watch a netdev fd on the pair's worker
 * @port:	the pair's port
 * @fd:		file descriptor
 * @events:	epoll events
 * @cb:		called with the ready events
 * @opaque:	for @cb
 * @errp:	error if the receive queue is not running or epoll refused
 *
 * Return: true if watched
 */
static bool net_port_watch(struct netdev_port *port, int fd, uint32_t events,
			   void (*cb)(void *opaque, uint32_t revents),
			   void *opaque, struct error **errp)
{
	struct net_pair *pair = port->opaque;
	struct net_watch *w;

	if (!pair->rx_vq) {
		error_setg(errp,
			   "virtio-net pair %u: watch of fd %d while the "
			   "receive queue is stopped",
			   pair->index, fd);
		return false;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		error_setg(errp, "virtio-net pair %u: out of memory",
			   pair->index);
		return false;
	}
	w->fd = fd;
	w->cb = cb;
	w->opaque = opaque;
	if (!virtio_queue_watch_events(pair->rx_vq, fd, events,
				       net_watch_dispatch, w, errp)) {
		free(w);
		return false;
	}
	w->next = pair->watches;
	pair->watches = w;
	return true;
}

/**
 * net_port_watch_modify() - port->watch_modify: new events for a watched fd
 * @port:	the pair's port
 * @fd:		watched file descriptor
 * @events:	epoll events
 * @errp:	error if not watched
 *
 * Return: true on success
 */
static bool net_port_watch_modify(struct netdev_port *port, int fd,
				  uint32_t events, struct error **errp)
{
	struct net_pair *pair = port->opaque;

	if (!pair->rx_vq) {
		error_setg(errp,
			   "virtio-net pair %u: fd %d is not watched (receive "
			   "queue stopped)",
			   pair->index, fd);
		return false;
	}
	return virtio_queue_watch_modify(pair->rx_vq, fd, events, errp);
}

/**
 * net_port_unwatch() - port->unwatch: end the watch of a netdev fd
 * @port:	the pair's port
 * @fd:		file descriptor
 */
static void net_port_unwatch(struct netdev_port *port, int fd)
{
	struct net_pair *pair = port->opaque;
	struct net_watch **pp = &pair->watches;

	if (pair->rx_vq)
		virtio_queue_unwatch(pair->rx_vq, fd);
	while (*pp && (*pp)->fd != fd)
		pp = &(*pp)->next;
	if (*pp) {
		struct net_watch *w = *pp;

		*pp = w->next;
		free(w);
	}
}

/**
 * net_free_watches() - Forget the netdev's watches (the core ended them)
 * @pair:	queue pair
 */
static void net_free_watches(struct net_pair *pair)
{
	while (pair->watches) {
		struct net_watch *w = pair->watches;

		pair->watches = w->next;
		free(w);
	}
}

/**
 * net_port_init() - Fill a pair's port
 * @pair:	queue pair
 */
void net_port_init(struct net_pair *pair)
{
	struct netdev_port *port = &pair->port;

	port->watch = net_port_watch;
	port->watch_modify = net_port_watch_modify;
	port->unwatch = net_port_unwatch;
	port->receive = net_rx_receive;
	port->receive_done = net_rx_receive_done;
	port->tx_ready = net_tx_ready;
	port->opaque = pair;
}

/**
 * net_rx_start() - The receive queue of a pair starts (its worker)
 * @pair:	queue pair
 * @vq:		receive queue
 * @errp:	error naming the pair
 *
 * Pairs beyond the netdev's queues get no frames: they only transmit. A
 * netdev that held a frame when the queue stopped is asked to offer it again
 * at the first kick.
 *
 * Return: true on success
 */
bool net_rx_start(struct net_pair *pair, struct virtqueue *vq,
		  struct error **errp)
{
	struct netdev *nd = pair->net->nd;

	pair->rx_elems = calloc(vq->num, sizeof(*pair->rx_elems));
	if (!pair->rx_elems) {
		error_setg(errp, "virtio-net queue %u: out of memory",
			   vq->index);
		return false;
	}
	pair->rx_vq = vq;
	pair->rx_notify = false;
	if (pair->index >= nd->queues)
		return true;
	if (!nd->ops->attach(nd, pair->index, &pair->port, errp)) {
		error_prepend(errp,
			      "virtio-net queue %u: netdev '%s': ", vq->index,
			      nd->id);
		/* The core does not call queue_stop after a failed start */
		for (struct net_watch *w = pair->watches; w; w = w->next)
			virtio_queue_unwatch(vq, w->fd);
		net_free_watches(pair);
		pair->rx_vq = NULL;
		free(pair->rx_elems);
		pair->rx_elems = NULL;
		return false;
	}
	pair->attached = true;
	/*
	 * A frame held when the queue stopped: offer it at the first kick
	 * (the queue takes no frames before its start is complete).
	 */
	pair->rx_resume_any = pair->rx_waiting;
	return true;
}

/**
 * net_rx_stop() - The receive queue of a pair stopped (its worker)
 * @pair:	queue pair
 *
 * Its watches are gone already; the netdev forgets the port.
 */
void net_rx_stop(struct net_pair *pair)
{
	struct netdev *nd = pair->net->nd;

	net_rx_flush_notify(pair);
	if (pair->attached)
		nd->ops->detach(nd, pair->index);
	pair->attached = false;
	/* rx_waiting stays: the netdev may still hold a frame at restart */
	net_free_watches(pair);
	/* No tx_ready without the port: the backlog retries on its timer */
	net_tx_timer_arm(pair);
	/* A RARP handed to a queue of pair 0 goes out before it stops */
	net_announce_flush(pair);
	pair->rx_vq = NULL;
	free(pair->rx_elems);
	pair->rx_elems = NULL;
}

/**
 * net_rx_kick() - The guest posted receive buffers (or a wake-up)
 * @pair:	queue pair
 *
 * Offers the netdev's held frame again, but only if the avail index moved
 * since it was refused: a kick for buffers that were already too few must
 * not turn into a loop of offers and refusals.
 */
void net_rx_kick(struct net_pair *pair)
{
	struct virtqueue *vq = pair->rx_vq;
	struct netdev *nd = pair->net->nd;

	net_announce_flush(pair);
	if (pair->rx_waiting && pair->attached && vq && !vq->broken &&
	    (pair->rx_resume_any ||
	     __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE) !=
		     pair->rx_wait_avail)) {
		pair->rx_waiting = false;
		pair->rx_resume_any = false;
		if (nd->ops->rx_resume)
			nd->ops->rx_resume(nd, pair->index);
	}
	net_rx_flush_notify(pair);
}
