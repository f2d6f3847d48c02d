/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-net transmit path: frames from the guest's transmit chains to the
 * netdev, and the backlog of frames the netdev could not take at once.
 *
 * Each chain is one frame behind a 10- or 12-byte header. The header is
 * checked against the negotiated offloads (a driver may only ask for
 * checksum or segmentation offload it negotiated) and the frame against the
 * MTU; a vnet_hdr netdev then gets header and frame as the guest wrote them,
 * straight from guest memory, any other netdev the frame alone.
 *
 * Transmission never waits for the netdev: every chain is completed at once.
 * A frame the netdev refuses with -EAGAIN is copied into a bounded per-pair
 * backlog, which goes out, in order and before any newer frame, when the
 * netdev calls tx_ready (or, for a pair the netdev has no port of, when a
 * short retry timer fires). A full backlog drops frames, and counts them.
 * A kick takes at most NET_TX_BATCH chains before it yields the worker to
 * the pair's receive side and wakes itself again.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <endian.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "devices/net/virtio-net-int.h"
#include "util/log.h"

/**
 * net_tx_timer_arm() - Retry the backlog soon if no tx_ready will come
 * @pair:	queue pair with a backlog
 *
 * The netdev calls tx_ready only on an attached port; other pairs (beyond
 * the netdev's queues, or whose receive queue is stopped) retry on a timer.
 */
void net_tx_timer_arm(struct net_pair *pair)
{
	struct itimerspec its = {
		.it_value = { .tv_nsec = NET_TX_RETRY_NS },
	};

	if (pair->attached || pair->tx_timer_fd < 0 || pair->tx_timer_armed ||
	    !pair->bl_count)
		return;
	if (timerfd_settime(pair->tx_timer_fd, 0, &its, NULL) < 0) {
		log_warn("virtio-net pair %u: cannot arm the backlog timer: "
			 "%s",
			 pair->index, strerror(errno));
		return;
	}
	pair->tx_timer_armed = true;
}

/**
 * net_tx_backlog_pop() - Forget the oldest backlog frame
 * @pair:	queue pair with a backlog
 */
static void net_tx_backlog_pop(struct net_pair *pair)
{
	struct net_backlog_frame *f = &pair->backlog[pair->bl_head];

	pair->bl_bytes -= f->len;
	free(f->buf);
	f->buf = NULL;
	pair->bl_head = (pair->bl_head + 1) % NET_TX_BACKLOG_FRAMES;
	pair->bl_count--;
}

/**
 * net_tx_flush_backlog() - Send what the netdev refused earlier, in order
 * @pair:	queue pair
 *
 * Stops at the first -EAGAIN: the netdev calls tx_ready again (or the timer
 * fires) when it can take more.
 */
static void net_tx_flush_backlog(struct net_pair *pair)
{
	struct netdev *nd = pair->net->nd;

	while (pair->bl_count) {
		struct net_backlog_frame *f = &pair->backlog[pair->bl_head];
		struct iovec iov = { f->buf, f->len };
		int r = nd->ops->send(nd, pair->nd_queue, &iov, 1);

		if (r == -EAGAIN)
			break;
		if (r < 0) {
			net_stat_add(&pair->stats.tx_dropped_netdev, 1);
		} else {
			net_stat_add(&pair->stats.tx_frames, 1);
			net_stat_add(&pair->stats.tx_bytes, f->frame_len);
		}
		net_tx_backlog_pop(pair);
	}
	net_tx_timer_arm(pair);
}

/**
 * net_tx_backlog_add() - Keep a copy of a frame the netdev cannot take yet
 * @pair:	queue pair
 * @iov:	what was to be sent
 * @cnt:	segments
 * @frame_len:	Ethernet frame bytes in it
 *
 * Return: 0 if kept, -ENOBUFS if the backlog is full (dropped, counted)
 */
static int net_tx_backlog_add(struct net_pair *pair, const struct iovec *iov,
			      unsigned int cnt, size_t frame_len)
{
	struct net_backlog_frame *f;
	size_t len = iov_size(iov, cnt);
	void *buf;

	if (pair->bl_count == NET_TX_BACKLOG_FRAMES ||
	    len > NET_TX_BACKLOG_BYTES - pair->bl_bytes ||
	    !(buf = malloc(len ? len : 1))) {
		net_stat_add(&pair->stats.tx_dropped_backlog, 1);
		return -ENOBUFS;
	}
	iov_to_buf(iov, cnt, 0, buf, len);
	f = &pair->backlog[(pair->bl_head + pair->bl_count) %
			   NET_TX_BACKLOG_FRAMES];
	f->buf = buf;
	f->len = len;
	f->frame_len = frame_len;
	pair->bl_count++;
	pair->bl_bytes += len;
	net_tx_timer_arm(pair);
	return 0;
}

/**
 * net_tx_send() - Hand a frame to the netdev, or to the backlog
 * @pair:	queue pair, on its worker
 * @iov:	frame (with the header for a vnet_hdr netdev)
 * @cnt:	segments
 * @frame_len:	Ethernet frame bytes, for the counters
 *
 * While older frames wait in the backlog, a new one waits behind them.
 *
 * Return: 0 if sent or kept, a negative errno if dropped (counted)
 */
int net_tx_send(struct net_pair *pair, const struct iovec *iov,
		unsigned int cnt, size_t frame_len)
{
	struct netdev *nd = pair->net->nd;
	int r;

	if (!pair->bl_count) {
		r = nd->ops->send(nd, pair->nd_queue, iov, cnt);
		if (!r) {
			net_stat_add(&pair->stats.tx_frames, 1);
			net_stat_add(&pair->stats.tx_bytes, frame_len);
			return 0;
		}
		if (r != -EAGAIN) {
			net_stat_add(&pair->stats.tx_dropped_netdev, 1);
			return r < 0 ? r : -EIO;
		}
	}
	return net_tx_backlog_add(pair, iov, cnt, frame_len);
}

/**
 * net_tx_backlog_free() - Drop every backlog frame (reset, free)
 * @pair:	queue pair, no queue of it running
 *
 * The guest sent these frames; the netdev never took them: they are
 * counted as backlog drops, so that every frame sent is accounted for.
 */
void net_tx_backlog_free(struct net_pair *pair)
{
	net_stat_add(&pair->stats.tx_dropped_backlog, pair->bl_count);
	while (pair->bl_count)
		net_tx_backlog_pop(pair);
	pair->bl_head = 0;
}

/**
 * net_tx_ready() - port->tx_ready: the netdev can take frames again
 * @port:	the pair's port
 */
void net_tx_ready(struct netdev_port *port)
{
	struct net_pair *pair = port->opaque;

	net_tx_flush_backlog(pair);
	/* A loopback netdev received what it was sent */
	net_rx_flush_notify(pair);
}

/**
 * net_tx_gso_feature() - The feature a GSO type needs
 * @gso_type:	header gso_type without the ECN bit
 *
 * Return: the HOST_* feature bit, -1 for an unknown type
 */
static int net_tx_gso_feature(uint8_t gso_type)
{
	switch (gso_type) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return VIRTIO_NET_F_HOST_TSO4;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return VIRTIO_NET_F_HOST_TSO6;
	case VIRTIO_NET_HDR_GSO_UDP:
		return VIRTIO_NET_F_HOST_UFO;
	default:
		return -1;
	}
}

/**
 * net_tx_hdr_check() - Check a transmit header against the features
 * @net:	device
 * @hdr:	header from the guest
 * @frame_len:	bytes after the header
 *
 * VIRTIO 1.2 5.1.6.2.1: flags only NEEDS_CSUM, and only with CSUM; a GSO
 * type only with its HOST_* feature (ECN with HOST_ECN) and a segment size.
 *
 * Return: NULL if acceptable, else what is wrong
 */
static const char *net_tx_hdr_check(const struct virtio_net *net,
				    const struct virtio_net_hdr *hdr,
				    uint64_t frame_len)
{
	uint8_t gso = hdr->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	int bit;

	if (hdr->flags & ~VIRTIO_NET_HDR_F_NEEDS_CSUM)
		return "flags other than NEEDS_CSUM";
	if (hdr->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		if (!net_has(net, VIRTIO_NET_F_CSUM))
			return "NEEDS_CSUM without CSUM";
		if ((uint64_t)le16toh(hdr->csum_start) +
			    le16toh(hdr->csum_offset) + 2 >
		    frame_len)
			return "checksum position beyond the frame";
	}
	if (hdr->gso_type == VIRTIO_NET_HDR_GSO_NONE)
		return NULL;
	bit = net_tx_gso_feature(gso);
	if (bit < 0)
		return "unknown gso_type";
	if (!net_has(net, (unsigned int)bit))
		return "gso_type not negotiated";
	if ((hdr->gso_type & VIRTIO_NET_HDR_GSO_ECN) &&
	    !net_has(net, VIRTIO_NET_F_HOST_ECN))
		return "GSO_ECN without HOST_ECN";
	if (!hdr->gso_size)
		return "GSO with gso_size 0";
	return NULL;
}

/**
 * net_tx_max_frame() - Largest Ethernet frame the guest may send
 * @net:	device
 * @gso:	a GSO frame (segmented by the host)
 *
 * Return: negotiated MTU (65535 without F_MTU or for GSO) plus Ethernet and
 * VLAN headers
 */
static uint64_t net_tx_max_frame(struct virtio_net *net, bool gso)
{
	unsigned int mtu = NET_MAX_MTU;

	if (!gso && net_has(net, VIRTIO_NET_F_MTU))
		mtu = __atomic_load_n(&net->mtu, __ATOMIC_RELAXED);
	return (uint64_t)mtu + NET_ETH_HLEN + NET_VLAN_HLEN;
}

/**
 * net_tx_skip_hdr() - The readable part of a chain after its header
 * @pair:	queue pair (its tx_iov receives the segments)
 * @elem:	transmit chain
 * @skip:	header bytes
 *
 * Return: the number of segments in pair->tx_iov
 */
static unsigned int net_tx_skip_hdr(struct net_pair *pair,
				    const struct vq_elem *elem, size_t skip)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < elem->out_num && n < pair->tx_iov_cap;
	     i++) {
		const struct iovec *v = &elem->out_sg[i];

		if (skip >= v->iov_len) {
			skip -= v->iov_len;
			continue;
		}
		pair->tx_iov[n].iov_base = (char *)v->iov_base + skip;
		pair->tx_iov[n].iov_len = v->iov_len - skip;
		skip = 0;
		n++;
	}
	return n;
}

/**
 * net_tx_frame() - Check one transmit chain and send its frame
 * @pair:	queue pair
 * @elem:	chain (its writable part, if any, is ignored)
 */
static void net_tx_frame(struct net_pair *pair, const struct vq_elem *elem)
{
	struct virtio_net *net = pair->net;
	size_t hdr_len = net->hdr_len;
	struct virtio_net_hdr hdr;
	const char *why;
	uint64_t len;

	if (elem->out_len < hdr_len) {
		log_debug("virtio-net queue %u head %u: %llu readable bytes, "
			  "no room for the %zu-byte header",
			  pair->tx_vq->index, elem->head,
			  (unsigned long long)elem->out_len, hdr_len);
		net_stat_add(&pair->stats.tx_dropped_bad, 1);
		return;
	}
	len = elem->out_len - hdr_len;
	iov_to_buf(elem->out_sg, elem->out_num, 0, &hdr, sizeof(hdr));
	why = net_tx_hdr_check(net, &hdr, len);
	if (!why && len < NET_ETH_HLEN)
		why = "frame shorter than an Ethernet header";
	if (why) {
		log_debug("virtio-net queue %u head %u: dropped: %s "
			  "(flags 0x%x gso_type 0x%x)",
			  pair->tx_vq->index, elem->head, why, hdr.flags,
			  hdr.gso_type);
		net_stat_add(&pair->stats.tx_dropped_bad, 1);
		return;
	}
	if (len >
	    net_tx_max_frame(net, hdr.gso_type != VIRTIO_NET_HDR_GSO_NONE)) {
		log_debug("virtio-net queue %u head %u: %llu-byte frame "
			  "above the MTU",
			  pair->tx_vq->index, elem->head,
			  (unsigned long long)len);
		net_stat_add(&pair->stats.tx_dropped_too_big, 1);
		return;
	}
	if (net->nd->vnet_hdr)
		net_tx_send(pair, elem->out_sg, elem->out_num, len);
	else
		net_tx_send(pair, pair->tx_iov,
			    net_tx_skip_hdr(pair, elem, hdr_len), len);
}

/**
 * net_tx_kick() - Transmit what the guest queued, one batch at most
 * @pair:	queue pair, on its worker
 *
 * A disabled queue (vhost-user SET_VRING_ENABLE 0), a down link or a pair
 * the driver does not use has its chains consumed and dropped.
 */
void net_tx_kick(struct net_pair *pair)
{
	struct virtqueue *vq = pair->tx_vq;
	bool toggle = !vq->notify_disabled;
	struct error *err = NULL;
	struct vq_elem *elem;
	unsigned int done = 0, filled = 0;
	int r = 0;

	net_announce_flush(pair);
	net_tx_flush_backlog(pair);
	do {
		if (toggle)
			vq_disable_notification(vq);
		while (done < NET_TX_BATCH &&
		       (r = vq_pop(vq, &elem, &err)) == 1) {
			if (net_vq_enabled(vq) && net_pair_carries(pair))
				net_tx_frame(pair, elem);
			/* Sent or copied: the chain can go back, in a batch */
			vq_fill(vq, elem, 0, filled++);
			if (filled == NET_TX_PUBLISH_BATCH) {
				vq_flush(vq, filled);
				filled = 0;
			}
			done++;
		}
		vq_flush(vq, filled);
		filled = 0;
		if (r < 0) {
			/* vq_set_broken() has logged the reason already */
			error_free(err);
			break;
		}
	} while (done < NET_TX_BATCH && toggle && !vq->broken &&
		 vq_enable_notification(vq));
	if (done >= NET_TX_BATCH && !vq->broken) {
		/* Let the pair's other work run, then come back */
		if (toggle)
			vq_enable_notification(vq);
		virtio_queue_wake(&pair->net->vdev, vq->index);
	}
	if (done)
		vq_notify(vq);
	net_rx_flush_notify(pair);
}

/**
 * net_tx_timer() - The backlog retry timer fired
 * @vq:		transmit queue
 * @revents:	ready events
 * @opaque:	the pair
 */
static void net_tx_timer(struct virtqueue *vq, uint32_t revents, void *opaque)
{
	struct net_pair *pair = opaque;
	uint64_t v;

	if (read(pair->tx_timer_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_warn("virtio-net pair %u: backlog timer: %s", pair->index,
			 strerror(errno));
	pair->tx_timer_armed = false;
	net_tx_flush_backlog(pair);
	net_rx_flush_notify(pair);
}

/**
 * net_tx_start() - The transmit queue of a pair starts (its worker)
 * @pair:	queue pair
 * @vq:		transmit queue
 * @errp:	error naming the queue
 *
 * Return: true on success
 */
bool net_tx_start(struct net_pair *pair, struct virtqueue *vq,
		  struct error **errp)
{
	unsigned int cap = vq->max_segs ? vq->max_segs : VQ_DEFAULT_MAX_SEGS;

	pair->tx_iov = calloc(cap, sizeof(*pair->tx_iov));
	if (!pair->tx_iov) {
		error_setg(errp, "virtio-net queue %u: out of memory",
			   vq->index);
		return false;
	}
	pair->tx_iov_cap = cap;
	pair->tx_timer_armed = false;
	pair->tx_timer_fd =
		timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (pair->tx_timer_fd < 0) {
		error_setg_errno(errp, errno,
				 "virtio-net queue %u: timerfd_create",
				 vq->index);
		goto fail;
	}
	if (!virtio_queue_watch_events(vq, pair->tx_timer_fd, EPOLLIN,
				       net_tx_timer, pair, errp)) {
		error_prepend(errp, "virtio-net queue %u: ", vq->index);
		goto fail;
	}
	pair->tx_vq = vq;
	/* Frames kept while the queue was stopped */
	net_tx_timer_arm(pair);
	return true;

fail:
	/* The core does not call queue_stop after a failed start */
	if (pair->tx_timer_fd >= 0)
		close(pair->tx_timer_fd);
	pair->tx_timer_fd = -1;
	free(pair->tx_iov);
	pair->tx_iov = NULL;
	return false;
}

/**
 * net_tx_stop() - The transmit queue of a pair stopped (its worker)
 * @pair:	queue pair
 *
 * A pending announcement and the backlog get one more try; what the
 * netdev still refuses stays in the backlog for the next start (or a
 * tx_ready meanwhile), and goes at reset.
 */
void net_tx_stop(struct net_pair *pair)
{
	net_announce_flush(pair);
	net_tx_flush_backlog(pair);
	if (pair->tx_timer_fd >= 0) {
		virtio_queue_unwatch(pair->tx_vq, pair->tx_timer_fd);
		close(pair->tx_timer_fd);
	}
	pair->tx_timer_fd = -1;
	pair->tx_timer_armed = false;
	free(pair->tx_iov);
	pair->tx_iov = NULL;
	pair->tx_iov_cap = 0;
	pair->tx_vq = NULL;
}
