/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-net device state shared by the device, receive, transmit and
 * control queue sources.
 *
 * Each queue pair has a struct net_pair touched only by the pair's worker
 * thread (its RX and TX queues are one worker group), except for the
 * counters (relaxed atomics) and what the transport thread sets while the
 * pair's queues are stopped. Device-wide state the transport thread and the
 * workers share (MAC, status, MTU, active pairs, a pending announcement) is
 * atomic or under a lock.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_DEVICES_NET_VIRTIO_NET_INT_H
#define QD_DEVICES_NET_VIRTIO_NET_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "devices/net/netdev.h"
#include "devices/net/virtio-net-proto.h"
#include "devices/net/virtio-net.h"
#include "devices/virtio/virtio-device.h"

#define BIT_ULL(n) (1ULL << (n))

#define NET_ETH_HLEN	   14
#define NET_VLAN_HLEN	   4
#define NET_MIN_MTU	   68
#define NET_MAX_MTU	   65535
#define NET_RARP_FRAME_LEN 60

/* Chains one TX kick takes before it lets the pair's other work run */
#define NET_TX_BATCH 256
/* Used entries written before the used index is updated (one cache line
 * transfer to the driver per batch rather than per frame) */
#define NET_RX_PUBLISH_BATCH 1
#define NET_TX_PUBLISH_BATCH 32
/* Frames the netdev could not take yet, per pair */
#define NET_TX_BACKLOG_FRAMES 256
#define NET_TX_BACKLOG_BYTES  (4U << 20)
/* Retry period of a backlog no tx_ready will flush (pair not attached) */
#define NET_TX_RETRY_NS 1000000

/* Adaptive polling cap, as for virtio-blk */
#define NET_POLL_MAX_US_LIMIT 1000000

struct net_pair;

/* A netdev fd watched through a pair's port, on its receive queue */
struct net_watch {
	struct net_watch *next;
	int fd;
	void (*cb)(void *opaque, uint32_t revents);
	void *opaque;
};

/* A frame copied when the netdev said -EAGAIN, exactly as it is to be sent */
struct net_backlog_frame {
	void *buf;
	size_t len;	  /* bytes handed to the netdev */
	size_t frame_len; /* Ethernet frame bytes (for the counters) */
};

struct net_pair {
	struct virtio_net *net;
	unsigned int index;    /* pair number */
	unsigned int nd_queue; /* index % nd->queues: where frames go */
	struct netdev_port port;
	struct virtio_net_pair_stats stats; /* relaxed atomics */

	/* Receive side, while the RX queue runs */
	struct virtqueue *rx_vq;   /* NULL while stopped */
	struct vq_elem **rx_elems; /* [rx_vq->num]: chains of one frame */
	bool attached;		   /* ops->attach succeeded */
	bool rx_notify;		   /* used entries not signalled yet */
	unsigned int rx_unflushed; /* used entries filled, not published */
	bool rx_waiting;	   /* receive() said -EAGAIN */
	uint16_t rx_wait_avail;	   /* the avail index it saw then */
	bool rx_resume_any;	   /* resume at the next kick (restart) */
	struct net_watch *watches;

	/* Transmit side */
	struct virtqueue *tx_vq; /* NULL while stopped */
	struct iovec *tx_iov;	 /* [tx_iov_cap]: a chain minus its header */
	unsigned int tx_iov_cap;
	int tx_timer_fd; /* backlog retry without tx_ready, -1 */
	bool tx_timer_armed;
	/* Backlog: a ring of frames, kept across queue restarts */
	struct net_backlog_frame backlog[NET_TX_BACKLOG_FRAMES];
	unsigned int bl_head;
	unsigned int bl_count;
	size_t bl_bytes;
};

struct virtio_net {
	struct virtio_device vdev;
	struct netdev *nd;
	unsigned int pairs;
	unsigned int mtu_offered; /* opts.mtu; 0: F_MTU not offered */
	uint8_t default_mac[6];
	/* Negotiated: set with the features, while no queue runs */
	unsigned int hdr_len;
	/* Shared with the transport thread */
	unsigned int mtu;	   /* atomic: current MTU (NET_SET_MTU) */
	unsigned int active_pairs; /* atomic: MQ_VQ_PAIRS_SET, all at reset */
	bool link_up;		   /* atomic */
	bool announce;		   /* atomic: status ANNOUNCE */
	pthread_mutex_t mac_lock;
	uint8_t mac[6];
	/* A RARP handed to pair 0's worker by virtio_net_announce() */
	pthread_mutex_t rarp_lock;
	bool rarp_pending; /* atomic, set under rarp_lock */
	uint8_t rarp_mac[6];
	struct net_pair *pair; /* [pairs] */
};

/**
 * to_net() - The virtio-net device around its generic part
 * @dev:	generic device, created by virtio_net_new()
 *
 * Return: the containing struct virtio_net
 */
static inline struct virtio_net *to_net(struct virtio_device *dev)
{
	return (struct virtio_net *)((char *)dev -
				     offsetof(struct virtio_net, vdev));
}

/**
 * net_has() - Whether a feature was negotiated
 * @net:	device
 * @bit:	feature bit
 *
 * Return: true if negotiated
 */
static inline bool net_has(const struct virtio_net *net, unsigned int bit)
{
	return net->vdev.features & BIT_ULL(bit);
}

/**
 * net_stat_add() - Add to a pair counter
 * @ctr:	counter in a struct virtio_net_pair_stats
 * @n:		amount
 */
static inline void net_stat_add(uint64_t *ctr, uint64_t n)
{
	__atomic_fetch_add(ctr, n, __ATOMIC_RELAXED);
}

/**
 * net_pair_carries() - Whether a pair may move frames now
 * @pair:	queue pair
 *
 * Return: false while the link is down or the driver told the device to use
 * fewer pairs (MQ_VQ_PAIRS_SET)
 */
static inline bool net_pair_carries(const struct net_pair *pair)
{
	const struct virtio_net *net = pair->net;

	return __atomic_load_n(&net->link_up, __ATOMIC_RELAXED) &&
	       pair->index <
		       __atomic_load_n(&net->active_pairs, __ATOMIC_RELAXED);
}

/**
 * net_vq_enabled() - Whether the driver lets the device use a queue now
 * @vq:		started queue (the transport may flip it while it runs)
 *
 * Return: vq->enabled
 */
static inline bool net_vq_enabled(const struct virtqueue *vq)
{
	return __atomic_load_n(&vq->enabled, __ATOMIC_RELAXED);
}

/* Receive path and the netdev port (virtio-net-rx.c) */
void net_port_init(struct net_pair *pair);
bool net_rx_start(struct net_pair *pair, struct virtqueue *vq,
		  struct error **errp);
void net_rx_stop(struct net_pair *pair);
void net_rx_kick(struct net_pair *pair);
void net_rx_flush_notify(struct net_pair *pair);

/* Transmit path and its backlog (virtio-net-tx.c) */
bool net_tx_start(struct net_pair *pair, struct virtqueue *vq,
		  struct error **errp);
void net_tx_stop(struct net_pair *pair);
void net_tx_kick(struct net_pair *pair);
void net_tx_ready(struct netdev_port *port);
int net_tx_send(struct net_pair *pair, const struct iovec *iov,
		unsigned int cnt, size_t frame_len);
void net_tx_backlog_free(struct net_pair *pair);
void net_tx_timer_arm(struct net_pair *pair);

/* Control queue (virtio-net-ctrl.c) */
void net_ctrl_kick(struct virtio_net *net, struct virtqueue *vq);

/* Announcements (virtio-net.c) */
void net_build_rarp(const uint8_t mac[6], uint8_t frame[NET_RARP_FRAME_LEN]);
void net_announce_flush(struct net_pair *pair);
void net_get_mac(struct virtio_net *net, uint8_t mac[6]);
void net_set_mac(struct virtio_net *net, const uint8_t mac[6]);

#endif /* QD_DEVICES_NET_VIRTIO_NET_INT_H */
