/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The virtio-net device model (VIRTIO device id 1) on top of a netdev.
 *
 * Queues: receiveq/transmitq pairs (RX 2i, TX 2i+1), then the control queue
 * at 2N. A front-end that keeps the control queue itself (QEMU and DPDK's
 * virtio-user do, over vhost-user) never starts it and steers multiqueue by
 * enabling pairs instead. Both queues of a pair share one worker thread
 * (ops->queue_group), so a frame moves from a netdev to the guest and back on
 * one thread without locks.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_DEVICES_NET_VIRTIO_NET_H
#define QD_DEVICES_NET_VIRTIO_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/net/netdev.h"
#include "devices/virtio/virtio-device.h"
#include "util/error.h"

#define VIRTIO_NET_MAX_PAIRS 64

struct virtio_net_options {
	uint8_t mac[6];		  /* guest MAC (VIRTIO_NET_F_MAC) */
	unsigned int mtu;	  /* 0: F_MTU not offered; else 68..65535 */
	unsigned int queue_pairs; /* 1..VIRTIO_NET_MAX_PAIRS; > 1 offers MQ */
	unsigned int queue_size;  /* largest ring accepted (power of 2) */
	unsigned int poll_max_us; /* adaptive polling window, 0: event only */
	struct netdev *netdev;	  /* owned by the device from then on */
};

/* Per pair counters, read from any thread (relaxed atomics) */
struct virtio_net_pair_stats {
	uint64_t rx_frames, rx_bytes;
	uint64_t rx_dropped_no_buffer; /* the guest posted no buffers */
	uint64_t rx_dropped_too_big;   /* did not fit the buffers/MTU */
	uint64_t tx_frames, tx_bytes;
	uint64_t tx_dropped_backlog; /* the netdev was slow, backlog full */
	uint64_t tx_dropped_bad;     /* malformed header or frame */
	uint64_t tx_dropped_too_big; /* larger than MTU plus header */
	uint64_t tx_dropped_netdev;  /* the netdev refused it */
};

/* What the device is, for reports (virtio_net_get_info()) */
struct virtio_net_info {
	uint8_t mac[6];		     /* the guest's MAC address now */
	unsigned int mtu;	     /* MTU offered (F_MTU), 0: none */
	unsigned int queue_pairs;    /* pairs the device has */
	const struct netdev *netdev; /* the host netdev (netdev_id(), ...) */
};

/* virtio_net_new() - a device around @opts->netdev (freed on failure too) */
struct virtio_device *virtio_net_new(const struct virtio_net_options *opts,
				     struct error **errp);
/* virtio_net_get_stats() - counters of pair @pair; false if none */
bool virtio_net_get_stats(struct virtio_device *dev, unsigned int pair,
			  struct virtio_net_pair_stats *out);
/*
 * virtio_net_set_link() - link up or down; any thread. A down link drops TX
 * and delivers no RX; the config space's status has LINK_UP accordingly.
 * With @notify the driver is told through a config change, which needs
 * VIRTIO_NET_F_STATUS negotiated and a transport that can tell it: false
 * with *@errp if it could not be told, but the link state has changed all
 * the same. Setting the state the link already has is a success that tells
 * nobody.
 */
bool virtio_net_set_link(struct virtio_device *dev, bool up, bool notify,
			 struct error **errp);
/* virtio_net_link_up() - whether the link is up; any thread */
bool virtio_net_link_up(struct virtio_device *dev);
/* virtio_net_get_info() - what the device is; any thread (zeroed if @dev is
 * not virtio-net) */
void virtio_net_get_info(struct virtio_device *dev,
			 struct virtio_net_info *info);
/*
 * virtio_net_announce() - after a move (vhost-user SEND_RARP): with
 * GUEST_ANNOUNCE negotiated, ask the guest to announce itself (status
 * ANNOUNCE + config change); otherwise send a RARP broadcast with source
 * @mac through the netdev on the guest's behalf.
 */
bool virtio_net_announce(struct virtio_device *dev, const uint8_t mac[6],
			 struct error **errp);
/* virtio_net_set_mtu() - the front-end's MTU (vhost-user NET_SET_MTU):
 * refused outside 68..65535 or above the MTU offered */
bool virtio_net_set_mtu(struct virtio_device *dev, unsigned int mtu,
			struct error **errp);

#endif /* QD_DEVICES_NET_VIRTIO_NET_H */
