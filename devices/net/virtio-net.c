/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-net device: construction, features, configuration space, the queue
 * hooks, link state and announcements.
 *
 * Frames themselves move in the receive and transmit sources; the control
 * queue has its own. Offloads are offered only over a netdev that takes
 * virtio_net_hdr (a tap with vnet_hdr=on): the device never checksums or
 * segments a frame itself, it passes the header through.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "devices/net/virtio-net-int.h"
#include "util/log.h"

static const struct virtio_device_ops virtio_net_ops;

/**
 * virtio_net_feature_name() - Name of a virtio-net feature bit
 * @bit:	feature bit
 *
 * Return: the name in the VIRTIO specification, NULL for bits it does not
 * define for network devices (reserved bits are the core's to name)
 */
static const char *virtio_net_feature_name(unsigned int bit)
{
	static const char *const names[] = {
		[VIRTIO_NET_F_CSUM] = "VIRTIO_NET_F_CSUM",
		[VIRTIO_NET_F_GUEST_CSUM] = "VIRTIO_NET_F_GUEST_CSUM",
		[VIRTIO_NET_F_CTRL_GUEST_OFFLOADS] =
			"VIRTIO_NET_F_CTRL_GUEST_OFFLOADS",
		[VIRTIO_NET_F_MTU] = "VIRTIO_NET_F_MTU",
		[VIRTIO_NET_F_MAC] = "VIRTIO_NET_F_MAC",
		[VIRTIO_NET_F_GSO] = "VIRTIO_NET_F_GSO",
		[VIRTIO_NET_F_GUEST_TSO4] = "VIRTIO_NET_F_GUEST_TSO4",
		[VIRTIO_NET_F_GUEST_TSO6] = "VIRTIO_NET_F_GUEST_TSO6",
		[VIRTIO_NET_F_GUEST_ECN] = "VIRTIO_NET_F_GUEST_ECN",
		[VIRTIO_NET_F_GUEST_UFO] = "VIRTIO_NET_F_GUEST_UFO",
		[VIRTIO_NET_F_HOST_TSO4] = "VIRTIO_NET_F_HOST_TSO4",
		[VIRTIO_NET_F_HOST_TSO6] = "VIRTIO_NET_F_HOST_TSO6",
		[VIRTIO_NET_F_HOST_ECN] = "VIRTIO_NET_F_HOST_ECN",
		[VIRTIO_NET_F_HOST_UFO] = "VIRTIO_NET_F_HOST_UFO",
		[VIRTIO_NET_F_MRG_RXBUF] = "VIRTIO_NET_F_MRG_RXBUF",
		[VIRTIO_NET_F_STATUS] = "VIRTIO_NET_F_STATUS",
		[VIRTIO_NET_F_CTRL_VQ] = "VIRTIO_NET_F_CTRL_VQ",
		[VIRTIO_NET_F_CTRL_RX] = "VIRTIO_NET_F_CTRL_RX",
		[VIRTIO_NET_F_CTRL_VLAN] = "VIRTIO_NET_F_CTRL_VLAN",
		[VIRTIO_NET_F_CTRL_RX_EXTRA] = "VIRTIO_NET_F_CTRL_RX_EXTRA",
		[VIRTIO_NET_F_GUEST_ANNOUNCE] = "VIRTIO_NET_F_GUEST_ANNOUNCE",
		[VIRTIO_NET_F_MQ] = "VIRTIO_NET_F_MQ",
		[VIRTIO_NET_F_CTRL_MAC_ADDR] = "VIRTIO_NET_F_CTRL_MAC_ADDR",
		[VIRTIO_NET_F_DEVICE_STATS] = "VIRTIO_NET_F_DEVICE_STATS",
		[VIRTIO_NET_F_HASH_TUNNEL] = "VIRTIO_NET_F_HASH_TUNNEL",
		[VIRTIO_NET_F_VQ_NOTF_COAL] = "VIRTIO_NET_F_VQ_NOTF_COAL",
		[VIRTIO_NET_F_NOTF_COAL] = "VIRTIO_NET_F_NOTF_COAL",
		[VIRTIO_NET_F_GUEST_USO4] = "VIRTIO_NET_F_GUEST_USO4",
		[VIRTIO_NET_F_GUEST_USO6] = "VIRTIO_NET_F_GUEST_USO6",
		[VIRTIO_NET_F_HOST_USO] = "VIRTIO_NET_F_HOST_USO",
		[VIRTIO_NET_F_HASH_REPORT] = "VIRTIO_NET_F_HASH_REPORT",
		[VIRTIO_NET_F_GUEST_HDRLEN] = "VIRTIO_NET_F_GUEST_HDRLEN",
		[VIRTIO_NET_F_RSS] = "VIRTIO_NET_F_RSS",
		[VIRTIO_NET_F_RSC_EXT] = "VIRTIO_NET_F_RSC_EXT",
		[VIRTIO_NET_F_STANDBY] = "VIRTIO_NET_F_STANDBY",
		[VIRTIO_NET_F_SPEED_DUPLEX] = "VIRTIO_NET_F_SPEED_DUPLEX",
	};

	return bit < sizeof(names) / sizeof(names[0]) ? names[bit] : NULL;
}

/* Driver-side offloads and the netdev offload each needs */
static const struct {
	unsigned int bit;
	unsigned int offload;
} net_guest_offloads[] = {
	{ VIRTIO_NET_F_GUEST_CSUM, NETDEV_OFFLOAD_CSUM },
	{ VIRTIO_NET_F_GUEST_TSO4, NETDEV_OFFLOAD_TSO4 },
	{ VIRTIO_NET_F_GUEST_TSO6, NETDEV_OFFLOAD_TSO6 },
	{ VIRTIO_NET_F_GUEST_ECN, NETDEV_OFFLOAD_ECN },
	{ VIRTIO_NET_F_GUEST_UFO, NETDEV_OFFLOAD_UFO },
};

/*
 * Feature dependencies (VIRTIO 1.2 5.1.3.1): @bit needs one of @needs. The
 * device offers consistent sets; a driver may still pick badly.
 */
static const struct {
	unsigned int bit;
	uint64_t needs;
	const char *why;
} net_feature_deps[] = {
	{ VIRTIO_NET_F_GUEST_TSO4, BIT_ULL(VIRTIO_NET_F_GUEST_CSUM),
	  "GUEST_TSO4 needs GUEST_CSUM" },
	{ VIRTIO_NET_F_GUEST_TSO6, BIT_ULL(VIRTIO_NET_F_GUEST_CSUM),
	  "GUEST_TSO6 needs GUEST_CSUM" },
	{ VIRTIO_NET_F_GUEST_UFO, BIT_ULL(VIRTIO_NET_F_GUEST_CSUM),
	  "GUEST_UFO needs GUEST_CSUM" },
	{ VIRTIO_NET_F_GUEST_ECN,
	  BIT_ULL(VIRTIO_NET_F_GUEST_TSO4) | BIT_ULL(VIRTIO_NET_F_GUEST_TSO6),
	  "GUEST_ECN needs GUEST_TSO4 or GUEST_TSO6" },
	{ VIRTIO_NET_F_HOST_TSO4, BIT_ULL(VIRTIO_NET_F_CSUM),
	  "HOST_TSO4 needs CSUM" },
	{ VIRTIO_NET_F_HOST_TSO6, BIT_ULL(VIRTIO_NET_F_CSUM),
	  "HOST_TSO6 needs CSUM" },
	{ VIRTIO_NET_F_HOST_UFO, BIT_ULL(VIRTIO_NET_F_CSUM),
	  "HOST_UFO needs CSUM" },
	{ VIRTIO_NET_F_HOST_ECN,
	  BIT_ULL(VIRTIO_NET_F_HOST_TSO4) | BIT_ULL(VIRTIO_NET_F_HOST_TSO6),
	  "HOST_ECN needs HOST_TSO4 or HOST_TSO6" },
	/*
	 * Not checked: MQ, GUEST_ANNOUNCE and the CTRL_* bits need CTRL_VQ
	 * between driver and device, but a front-end that keeps the control
	 * queue itself (QEMU's and DPDK's vhost-user) never passes CTRL_VQ on
	 * while it does pass MQ and GUEST_ANNOUNCE.
	 */
};

/**
 * net_offload_features() - Offload bits the netdev can back
 * @nd:		netdev
 *
 * A vnet_hdr netdev takes any header from the guest, so checksum and
 * segmentation offload towards the host are always possible; towards the
 * guest only what the netdev can turn on (TUNSETOFFLOAD), with each bit's
 * dependencies.
 *
 * Return: feature bits, 0 without vnet_hdr
 */
static uint64_t net_offload_features(const struct netdev *nd)
{
	uint64_t f;

	if (!nd->vnet_hdr)
		return 0;
	f = BIT_ULL(VIRTIO_NET_F_CSUM) | BIT_ULL(VIRTIO_NET_F_HOST_TSO4) |
	    BIT_ULL(VIRTIO_NET_F_HOST_TSO6) | BIT_ULL(VIRTIO_NET_F_HOST_ECN) |
	    BIT_ULL(VIRTIO_NET_F_HOST_UFO);
	for (unsigned int i = 0;
	     i < sizeof(net_guest_offloads) / sizeof(net_guest_offloads[0]);
	     i++)
		if (nd->offloads & net_guest_offloads[i].offload)
			f |= BIT_ULL(net_guest_offloads[i].bit);
	/* Drop what lost its dependency, in table order (TSO before ECN) */
	for (unsigned int i = 0;
	     i < sizeof(net_feature_deps) / sizeof(net_feature_deps[0]); i++)
		if ((f & BIT_ULL(net_feature_deps[i].bit)) &&
		    !(f & net_feature_deps[i].needs))
			f &= ~BIT_ULL(net_feature_deps[i].bit);
	return f;
}

/**
 * virtio_net_get_features() - Features offered to the driver
 * @dev:	device
 *
 * Return: device and transport feature bits
 */
static uint64_t virtio_net_get_features(struct virtio_device *dev)
{
	const struct virtio_net *net = to_net(dev);
	uint64_t f = BIT_ULL(VIRTIO_F_VERSION_1) |
		     BIT_ULL(VIRTIO_RING_F_EVENT_IDX) |
		     BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC) |
		     BIT_ULL(VIRTIO_NET_F_MAC) | BIT_ULL(VIRTIO_NET_F_STATUS) |
		     BIT_ULL(VIRTIO_NET_F_MRG_RXBUF) |
		     BIT_ULL(VIRTIO_NET_F_CTRL_VQ) |
		     BIT_ULL(VIRTIO_NET_F_GUEST_ANNOUNCE) |
		     BIT_ULL(VIRTIO_NET_F_CTRL_MAC_ADDR);

	if (net->mtu_offered)
		f |= BIT_ULL(VIRTIO_NET_F_MTU);
	if (net->pairs > 1)
		f |= BIT_ULL(VIRTIO_NET_F_MQ);
	return f | net_offload_features(net->nd);
}

/**
 * net_check_features() - Refuse a feature set that breaks a dependency
 * @features:	the driver's choice
 * @errp:	error naming the broken dependency
 *
 * Return: true if consistent
 */
static bool net_check_features(uint64_t features, struct error **errp)
{
	for (unsigned int i = 0;
	     i < sizeof(net_feature_deps) / sizeof(net_feature_deps[0]); i++) {
		if ((features & BIT_ULL(net_feature_deps[i].bit)) &&
		    !(features & net_feature_deps[i].needs)) {
			error_setg(errp,
				   "virtio-net: inconsistent features 0x%llx: "
				   "%s",
				   (unsigned long long)features,
				   net_feature_deps[i].why);
			return false;
		}
	}
	return true;
}

/**
 * net_configure_netdev() - Tell a vnet_hdr netdev the header and offloads
 * @net:	device
 * @hdr_len:	header bytes from now on
 * @features:	negotiated features
 * @errp:	error from the netdev
 *
 * Return: true if the netdev's frames now carry @hdr_len bytes of header
 */
static bool net_configure_netdev(struct virtio_net *net, unsigned int hdr_len,
				 uint64_t features, struct error **errp)
{
	struct netdev *nd = net->nd;
	unsigned int offloads = 0;

	if (!nd->vnet_hdr)
		return true;
	for (unsigned int i = 0;
	     i < sizeof(net_guest_offloads) / sizeof(net_guest_offloads[0]);
	     i++)
		if (features & BIT_ULL(net_guest_offloads[i].bit))
			offloads |= net_guest_offloads[i].offload;
	if (nd->ops->set_vnet_hdr) {
		if (!nd->ops->set_vnet_hdr(nd, hdr_len, offloads, errp)) {
			error_prepend(errp,
				      "virtio-net: netdev '%s': ", nd->id);
			return false;
		}
		return true;
	}
	if (nd->hdr_len != hdr_len) {
		error_setg(errp,
			   "virtio-net: netdev '%s' has a fixed %u-byte "
			   "header, the features need %u bytes",
			   nd->id, nd->hdr_len, hdr_len);
		return false;
	}
	return true;
}

/**
 * virtio_net_set_features() - Accept the driver's features
 * @dev:	device, no queue running
 * @features:	negotiated features, a subset of the offer
 * @errp:	error naming the inconsistency or the netdev's refusal
 *
 * The header is 12 bytes with VERSION_1 or MRG_RXBUF, 10 otherwise (VIRTIO
 * 1.2 5.1.6); a vnet_hdr netdev is switched to it along with the offloads
 * towards the guest.
 *
 * Return: true if accepted
 */
static bool virtio_net_set_features(struct virtio_device *dev,
				    uint64_t features, struct error **errp)
{
	struct virtio_net *net = to_net(dev);
	unsigned int hdr_len = VIRTIO_NET_HDR_LEN_LEGACY;

	if (!net_check_features(features, errp))
		return false;
	if (features &
	    (BIT_ULL(VIRTIO_F_VERSION_1) | BIT_ULL(VIRTIO_NET_F_MRG_RXBUF)))
		hdr_len = VIRTIO_NET_HDR_LEN_V1;
	if (!net_configure_netdev(net, hdr_len, features, errp))
		return false;
	net->hdr_len = hdr_len;
	log_debug("virtio-net: features 0x%llx, %u-byte header",
		  (unsigned long long)features, hdr_len);
	return true;
}

/**
 * virtio_net_fill_config() - Build the current configuration space
 * @net:	device
 * @cfg:	filled, little-endian
 */
static void virtio_net_fill_config(struct virtio_net *net,
				   struct virtio_net_config *cfg)
{
	uint16_t status = 0;

	memset(cfg, 0, sizeof(*cfg));
	net_get_mac(net, cfg->mac);
	if (__atomic_load_n(&net->link_up, __ATOMIC_RELAXED))
		status |= VIRTIO_NET_S_LINK_UP;
	if (__atomic_load_n(&net->announce, __ATOMIC_RELAXED))
		status |= VIRTIO_NET_S_ANNOUNCE;
	cfg->status = htole16(status);
	cfg->max_virtqueue_pairs = htole16((uint16_t)net->pairs);
	if (net->mtu_offered)
		cfg->mtu = htole16(
			(uint16_t)__atomic_load_n(&net->mtu, __ATOMIC_RELAXED));
}

/**
 * virtio_net_get_config() - Read part of the configuration space
 * @dev:	device
 * @offset:	first byte
 * @buf:	filled with @len bytes
 * @len:	bytes
 * @errp:	error if the range is outside the config space
 *
 * Return: true on success
 */
static bool virtio_net_get_config(struct virtio_device *dev, uint32_t offset,
				  void *buf, uint32_t len, struct error **errp)
{
	struct virtio_net_config cfg;

	if (offset > sizeof(cfg) || len > sizeof(cfg) - offset) {
		error_setg(errp,
			   "virtio-net config read of %u bytes at offset %u is "
			   "outside the %zu-byte config space",
			   len, offset, sizeof(cfg));
		return false;
	}
	virtio_net_fill_config(to_net(dev), &cfg);
	memcpy(buf, (const char *)&cfg + offset, len);
	return true;
}

/**
 * virtio_net_set_config() - Write (part of) the MAC address
 * @dev:	device
 * @offset:	first byte, inside mac
 * @buf:	new bytes
 * @len:	bytes, ending inside mac
 * @errp:	error naming what was refused
 *
 * Only mac is writable (legacy drivers set it so); status, pairs and MTU are
 * the device's.
 *
 * Return: true if stored
 */
static bool virtio_net_set_config(struct virtio_device *dev, uint32_t offset,
				  const void *buf, uint32_t len,
				  struct error **errp)
{
	struct virtio_net *net = to_net(dev);
	uint8_t mac[6];

	if (offset >= sizeof(mac) || len > sizeof(mac) - offset) {
		error_setg(errp,
			   "virtio-net config write of %u bytes at offset %u: "
			   "only mac (6 bytes at offset 0) is writable",
			   len, offset);
		return false;
	}
	pthread_mutex_lock(&net->mac_lock);
	memcpy(net->mac + offset, buf, len);
	memcpy(mac, net->mac, sizeof(mac));
	pthread_mutex_unlock(&net->mac_lock);
	log_debug("virtio-net: driver set MAC %02x:%02x:%02x:%02x:%02x:%02x",
		  mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return true;
}

/**
 * virtio_net_reset() - Back to the initial state (queues already stopped)
 * @dev:	device
 *
 * The link state and the front-end's MTU are the host's and stay; what the
 * driver set (MAC, pairs, announce) goes, and so do frames still waiting
 * for the netdev.
 */
static void virtio_net_reset(struct virtio_device *dev)
{
	struct virtio_net *net = to_net(dev);

	net_set_mac(net, net->default_mac);
	__atomic_store_n(&net->active_pairs, net->pairs, __ATOMIC_RELAXED);
	__atomic_store_n(&net->announce, false, __ATOMIC_RELAXED);
	pthread_mutex_lock(&net->rarp_lock);
	__atomic_store_n(&net->rarp_pending, false, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&net->rarp_lock);
	for (unsigned int i = 0; i < net->pairs; i++)
		net_tx_backlog_free(&net->pair[i]);
	net->hdr_len = VIRTIO_NET_HDR_LEN_LEGACY;
}

/**
 * virtio_net_is_ctrl() - Whether a queue is the control queue
 * @net:	device
 * @idx:	queue index
 *
 * Return: true for queue 2 * pairs
 */
static bool virtio_net_is_ctrl(const struct virtio_net *net, unsigned int idx)
{
	return idx == 2 * net->pairs;
}

/**
 * virtio_net_queue_group() - Worker group of a queue
 * @dev:	device
 * @idx:	queue index
 *
 * Return: the pair number for RX 2i and TX 2i+1, pairs for the control queue
 */
static unsigned int virtio_net_queue_group(struct virtio_device *dev,
					   unsigned int idx)
{
	const struct virtio_net *net = to_net(dev);

	return virtio_net_is_ctrl(net, idx) ? net->pairs : idx / 2;
}

/**
 * virtio_net_queue_start() - Per-queue set-up on the queue's worker thread
 * @dev:	device
 * @vq:		queue being started
 * @errp:	error naming the queue
 *
 * Return: true on success
 */
static bool virtio_net_queue_start(struct virtio_device *dev,
				   struct virtqueue *vq, struct error **errp)
{
	struct virtio_net *net = to_net(dev);
	unsigned int idx = vq->index;

	if (virtio_net_is_ctrl(net, idx))
		return true;
	if (idx % 2)
		return net_tx_start(&net->pair[idx / 2], vq, errp);
	return net_rx_start(&net->pair[idx / 2], vq, errp);
}

/**
 * virtio_net_queue_kick() - Buffers may be available
 * @dev:	device
 * @vq:		started queue
 */
static void virtio_net_queue_kick(struct virtio_device *dev,
				  struct virtqueue *vq)
{
	struct virtio_net *net = to_net(dev);
	unsigned int idx = vq->index;

	if (virtio_net_is_ctrl(net, idx))
		net_ctrl_kick(net, vq);
	else if (idx % 2)
		net_tx_kick(&net->pair[idx / 2]);
	else
		net_rx_kick(&net->pair[idx / 2]);
}

/**
 * virtio_net_queue_stop() - Tear down a drained queue
 * @dev:	device
 * @vq:		queue, nothing in flight
 */
static void virtio_net_queue_stop(struct virtio_device *dev,
				  struct virtqueue *vq)
{
	struct virtio_net *net = to_net(dev);
	unsigned int idx = vq->index;

	if (virtio_net_is_ctrl(net, idx))
		return;
	if (idx % 2)
		net_tx_stop(&net->pair[idx / 2]);
	else
		net_rx_stop(&net->pair[idx / 2]);
}

/**
 * virtio_net_free() - Release the device; all queues are stopped
 * @dev:	device
 */
static void virtio_net_free(struct virtio_device *dev)
{
	struct virtio_net *net = to_net(dev);

	for (unsigned int i = 0; i < net->pairs; i++)
		net_tx_backlog_free(&net->pair[i]);
	netdev_free(net->nd);
	pthread_mutex_destroy(&net->mac_lock);
	pthread_mutex_destroy(&net->rarp_lock);
	free(net->pair);
	free(net);
}

static const struct virtio_device_ops virtio_net_ops = {
	.name = "virtio-net",
	.device_id = VIRTIO_ID_NET,
	.get_features = virtio_net_get_features,
	.set_features = virtio_net_set_features,
	.get_config = virtio_net_get_config,
	.set_config = virtio_net_set_config,
	.reset = virtio_net_reset,
	.queue_start = virtio_net_queue_start,
	.queue_kick = virtio_net_queue_kick,
	.queue_stop = virtio_net_queue_stop,
	.queue_group = virtio_net_queue_group,
	.feature_name = virtio_net_feature_name,
	.free = virtio_net_free,
};

/**
 * virtio_net_check_options() - Validate options before building anything
 * @opts:	options
 * @errp:	error naming the option
 *
 * Return: true if usable
 */
static bool virtio_net_check_options(const struct virtio_net_options *opts,
				     struct error **errp)
{
	static const uint8_t zero[6];
	const uint8_t *m = opts->mac;

	if (!opts->netdev) {
		error_setg(errp, "virtio-net: no netdev given");
		return false;
	}
	if (!opts->netdev->queues) {
		error_setg(errp, "virtio-net: netdev '%s' serves no queue",
			   opts->netdev->id);
		return false;
	}
	if (opts->queue_pairs < 1 || opts->queue_pairs > VIRTIO_NET_MAX_PAIRS) {
		error_setg(errp, "virtio-net: queues %u not in 1..%u",
			   opts->queue_pairs, VIRTIO_NET_MAX_PAIRS);
		return false;
	}
	if (opts->queue_size < 1 || opts->queue_size > VIRTQUEUE_MAX_SIZE ||
	    (opts->queue_size & (opts->queue_size - 1))) {
		error_setg(errp,
			   "virtio-net: queue-size %u is not a power of two "
			   "in 1..%u",
			   opts->queue_size, VIRTQUEUE_MAX_SIZE);
		return false;
	}
	if (opts->mtu && (opts->mtu < NET_MIN_MTU || opts->mtu > NET_MAX_MTU)) {
		error_setg(errp, "virtio-net: mtu %u not in %u..%u", opts->mtu,
			   NET_MIN_MTU, NET_MAX_MTU);
		return false;
	}
	if (opts->poll_max_us > NET_POLL_MAX_US_LIMIT) {
		error_setg(errp, "virtio-net: poll-max-us %u is above %u",
			   opts->poll_max_us, NET_POLL_MAX_US_LIMIT);
		return false;
	}
	if ((m[0] & 1) || !memcmp(m, zero, sizeof(zero))) {
		error_setg(errp,
			   "virtio-net: mac %02x:%02x:%02x:%02x:%02x:%02x is "
			   "not a unicast address",
			   m[0], m[1], m[2], m[3], m[4], m[5]);
		return false;
	}
	return true;
}

/**
 * virtio_net_init_pairs() - Allocate and initialise the queue pairs
 * @net:	device, pairs and nd set
 *
 * Return: false if out of memory
 */
static bool virtio_net_init_pairs(struct virtio_net *net)
{
	net->pair = calloc(net->pairs, sizeof(*net->pair));
	if (!net->pair)
		return false;
	for (unsigned int i = 0; i < net->pairs; i++) {
		struct net_pair *p = &net->pair[i];

		p->net = net;
		p->index = i;
		p->nd_queue = i % net->nd->queues;
		p->tx_timer_fd = -1;
		net_port_init(p);
	}
	return true;
}

/**
 * virtio_net_new() - Build a virtio-net device around a netdev
 * @opts:	options; opts->netdev is owned by the device from now on, and
 *		freed here on failure
 * @errp:	error naming the option at fault
 *
 * Return: the generic device, to be freed with virtio_device_free(), or NULL
 */
struct virtio_device *virtio_net_new(const struct virtio_net_options *opts,
				     struct error **errp)
{
	struct virtio_net *net;

	if (!virtio_net_check_options(opts, errp))
		goto fail_nd;
	net = calloc(1, sizeof(*net));
	if (!net) {
		error_setg(errp, "virtio-net: out of memory");
		goto fail_nd;
	}
	net->nd = opts->netdev;
	net->pairs = opts->queue_pairs;
	net->mtu_offered = opts->mtu;
	net->mtu = opts->mtu;
	net->active_pairs = opts->queue_pairs;
	net->link_up = true;
	net->hdr_len = VIRTIO_NET_HDR_LEN_LEGACY;
	memcpy(net->default_mac, opts->mac, sizeof(net->default_mac));
	memcpy(net->mac, opts->mac, sizeof(net->mac));
	pthread_mutex_init(&net->mac_lock, NULL);
	pthread_mutex_init(&net->rarp_lock, NULL);
	if (!virtio_net_init_pairs(net)) {
		error_setg(errp, "virtio-net: out of memory");
		goto fail;
	}
	if (!virtio_device_init(&net->vdev, &virtio_net_ops,
				2 * opts->queue_pairs + 1, opts->queue_size,
				errp))
		goto fail;
	net->vdev.poll_max_us = opts->poll_max_us;
	if (net->nd->queues > net->pairs)
		log_warn("virtio-net: netdev '%s' has %u queues, only %u are "
			 "used",
			 net->nd->id, net->nd->queues, net->pairs);
	log_debug("virtio-net: netdev '%s' (%s), %u pairs over %u netdev "
		  "queues%s, mtu %u",
		  net->nd->id, net->nd->ops->type, net->pairs, net->nd->queues,
		  net->nd->vnet_hdr ? ", vnet_hdr" : "", net->mtu);
	return &net->vdev;

fail:
	pthread_mutex_destroy(&net->mac_lock);
	pthread_mutex_destroy(&net->rarp_lock);
	free(net->pair);
	free(net);
fail_nd:
	netdev_free(opts->netdev);
	return NULL;
}

/**
 * virtio_net_get_stats() - Snapshot of a pair's counters
 * @dev:	device from virtio_net_new()
 * @pair:	pair number
 * @out:	filled
 *
 * Safe from any thread; counters of a running pair may move meanwhile.
 *
 * Return: false if @dev is not virtio-net or @pair is out of range
 */
bool virtio_net_get_stats(struct virtio_device *dev, unsigned int pair,
			  struct virtio_net_pair_stats *out)
{
	const uint64_t *src;
	uint64_t *dst = (uint64_t *)out;

	if (!dev || dev->ops != &virtio_net_ops || pair >= to_net(dev)->pairs)
		return false;
	src = (const uint64_t *)&to_net(dev)->pair[pair].stats;
	/* The struct is nothing but uint64_t counters */
	for (size_t i = 0; i < sizeof(*out) / sizeof(uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
	return true;
}

/**
 * virtio_net_set_link() - Link up or down
 * @dev:	device from virtio_net_new()
 * @up:		new state
 * @notify:	tell the driver through a configuration change
 * @errp:	error if @dev is not virtio-net, or @notify and the driver
 *		could not be told
 *
 * Any thread. A down link drops transmitted frames and delivers none, and
 * LINK_UP leaves the config space's status. The state changes even when the
 * driver cannot be told: without VIRTIO_NET_F_STATUS negotiated it does not
 * read the status at all, and the transport may have no way to reach it.
 *
 * Return: true if the link has the state asked for and, with @notify and a
 * change, the driver was told
 */
bool virtio_net_set_link(struct virtio_device *dev, bool up, bool notify,
			 struct error **errp)
{
	struct virtio_net *net;

	if (!dev || dev->ops != &virtio_net_ops) {
		error_setg(errp, "virtio-net: set link on another device");
		return false;
	}
	net = to_net(dev);
	if (__atomic_exchange_n(&net->link_up, up, __ATOMIC_RELAXED) == up)
		return true;
	log_info("virtio-net: netdev '%s': link %s", net->nd->id,
		 up ? "up" : "down");
	if (!notify)
		return true;
	if (!net_has(net, VIRTIO_NET_F_STATUS)) {
		error_setg(errp,
			   "virtio-net: the driver did not negotiate "
			   "VIRTIO_NET_F_STATUS: it cannot see the link state");
		return false;
	}
	if (!virtio_device_config_changed(dev, errp)) {
		error_prepend(errp,
			      "virtio-net: link %s: ", up ? "up" : "down");
		return false;
	}
	return true;
}

/**
 * virtio_net_link_up() - Whether the link is up
 * @dev:	device from virtio_net_new()
 *
 * Return: the link state; false if @dev is not virtio-net
 */
bool virtio_net_link_up(struct virtio_device *dev)
{
	if (!dev || dev->ops != &virtio_net_ops)
		return false;
	return __atomic_load_n(&to_net(dev)->link_up, __ATOMIC_RELAXED);
}

/**
 * virtio_net_get_info() - What the device is
 * @dev:	device from virtio_net_new()
 * @info:	filled; zeroed if @dev is not virtio-net
 *
 * Any thread: the MAC is read under its lock, the rest does not change.
 */
void virtio_net_get_info(struct virtio_device *dev,
			 struct virtio_net_info *info)
{
	struct virtio_net *net;

	memset(info, 0, sizeof(*info));
	if (!dev || dev->ops != &virtio_net_ops)
		return;
	net = to_net(dev);
	net_get_mac(net, info->mac);
	info->mtu = net->mtu_offered;
	info->queue_pairs = net->pairs;
	info->netdev = net->nd;
}

/**
 * net_build_rarp() - The frame QEMU's announce_self sends after a move
 * @mac:	the guest's MAC (source and target hardware address)
 * @frame:	filled: a RARP request broadcast, padded to 60 bytes
 */
void net_build_rarp(const uint8_t mac[6], uint8_t frame[NET_RARP_FRAME_LEN])
{
	static const uint8_t head[] = {
		0x80, 0x35, /* ethertype RARP */
		0x00, 0x01, /* hardware type: Ethernet */
		0x08, 0x00, /* protocol type: IPv4 */
		6,	    /* hardware address length */
		4,	    /* protocol address length */
		0x00, 0x03, /* operation: reverse request */
	};

	memset(frame, 0, NET_RARP_FRAME_LEN);
	memset(frame, 0xff, 6);
	memcpy(frame + 6, mac, 6);
	memcpy(frame + 12, head, sizeof(head));
	memcpy(frame + 22, mac, 6); /* sender hardware address */
	/* sender protocol address 28..31: 0 */
	memcpy(frame + 32, mac, 6); /* target hardware address */
	/* target protocol address 38..41 and padding: 0 */
}

/**
 * net_rarp_iov() - The RARP frame as a netdev takes it
 * @net:	device
 * @mac:	source MAC
 * @buf:	room for a header and the frame
 * @iov:	set to the frame, after a zeroed header with vnet_hdr
 */
static void net_rarp_iov(
	const struct virtio_net *net, const uint8_t mac[6],
	uint8_t buf[VIRTIO_NET_HDR_LEN_V1 + NET_RARP_FRAME_LEN],
	struct iovec *iov)
{
	size_t hdr = net->nd->vnet_hdr ? net->nd->hdr_len : 0;

	memset(buf, 0, hdr);
	net_build_rarp(mac, buf + hdr);
	iov->iov_base = buf;
	iov->iov_len = hdr + NET_RARP_FRAME_LEN;
}

/**
 * net_announce_flush() - On pair 0's worker: send a RARP handed over to it
 * @pair:	queue pair (only pair 0 ever has one)
 */
void net_announce_flush(struct net_pair *pair)
{
	uint8_t buf[VIRTIO_NET_HDR_LEN_V1 + NET_RARP_FRAME_LEN];
	struct virtio_net *net = pair->net;
	uint8_t mac[6];
	struct iovec iov;

	if (pair->index ||
	    !__atomic_load_n(&net->rarp_pending, __ATOMIC_ACQUIRE))
		return;
	pthread_mutex_lock(&net->rarp_lock);
	memcpy(mac, net->rarp_mac, sizeof(mac));
	__atomic_store_n(&net->rarp_pending, false, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&net->rarp_lock);
	net_rarp_iov(net, mac, buf, &iov);
	if (net_tx_send(pair, &iov, 1, NET_RARP_FRAME_LEN) < 0)
		log_warn("virtio-net: netdev '%s': RARP announcement dropped",
			 net->nd->id);
}

/**
 * net_announce_direct() - Send a RARP on the calling thread
 * @net:	device, neither queue of pair 0 running
 * @mac:	source MAC
 * @errp:	error if the netdev refused it
 *
 * Return: true if sent
 */
static bool net_announce_direct(struct virtio_net *net, const uint8_t mac[6],
				struct error **errp)
{
	uint8_t buf[VIRTIO_NET_HDR_LEN_V1 + NET_RARP_FRAME_LEN];
	struct iovec iov;
	int r;

	net_rarp_iov(net, mac, buf, &iov);
	r = net->nd->ops->send(net->nd, 0, &iov, 1);
	if (r < 0) {
		error_setg_errno(errp, -r,
				 "virtio-net: netdev '%s': cannot send the "
				 "RARP announcement",
				 net->nd->id);
		return false;
	}
	return true;
}

/**
 * virtio_net_announce() - Announce the guest after a move (SEND_RARP)
 * @dev:	device from virtio_net_new()
 * @mac:	the guest's MAC
 * @errp:	error if the announcement could not be made
 *
 * With GUEST_ANNOUNCE the guest announces itself (gratuitous ARP, IPv6 NA)
 * when it sees status ANNOUNCE. Otherwise the device broadcasts a RARP as
 * QEMU does, on netdev queue 0: through pair 0's worker when one of its
 * queues runs (a send must not race with that pair's own), directly
 * otherwise.
 *
 * Return: true if announced or handed to the worker
 */
bool virtio_net_announce(struct virtio_device *dev, const uint8_t mac[6],
			 struct error **errp)
{
	struct virtio_net *net;

	if (!dev || dev->ops != &virtio_net_ops) {
		error_setg(errp, "virtio-net: announce on another device");
		return false;
	}
	net = to_net(dev);
	if (net_has(net, VIRTIO_NET_F_GUEST_ANNOUNCE)) {
		struct error *err = NULL;

		/* The driver sees ANNOUNCE whenever it reads the status */
		__atomic_store_n(&net->announce, true, __ATOMIC_RELAXED);
		if (!virtio_device_config_changed(dev, &err)) {
			log_warn("virtio-net: announce: %s",
				 error_get_pretty(err));
			error_free(err);
		}
		return true;
	}
	pthread_mutex_lock(&net->rarp_lock);
	memcpy(net->rarp_mac, mac, sizeof(net->rarp_mac));
	__atomic_store_n(&net->rarp_pending, true, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&net->rarp_lock);
	if (virtio_queue_wake(dev, 1) || virtio_queue_wake(dev, 0))
		return true;
	pthread_mutex_lock(&net->rarp_lock);
	__atomic_store_n(&net->rarp_pending, false, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&net->rarp_lock);
	return net_announce_direct(net, mac, errp);
}

/**
 * virtio_net_set_mtu() - The front-end's MTU (vhost-user NET_SET_MTU)
 * @dev:	device from virtio_net_new()
 * @mtu:	new MTU
 * @errp:	error if refused
 *
 * Return: true if accepted: at most the MTU offered (F_MTU)
 */
bool virtio_net_set_mtu(struct virtio_device *dev, unsigned int mtu,
			struct error **errp)
{
	struct virtio_net *net;

	if (!dev || dev->ops != &virtio_net_ops) {
		error_setg(errp, "virtio-net: set MTU on another device");
		return false;
	}
	net = to_net(dev);
	if (!net->mtu_offered) {
		error_setg(errp,
			   "virtio-net: MTU %u refused: no MTU offered (start "
			   "with --mtu)",
			   mtu);
		return false;
	}
	if (mtu < NET_MIN_MTU || mtu > net->mtu_offered) {
		error_setg(errp, "virtio-net: MTU %u not in %u..%u", mtu,
			   NET_MIN_MTU, net->mtu_offered);
		return false;
	}
	__atomic_store_n(&net->mtu, mtu, __ATOMIC_RELAXED);
	log_debug("virtio-net: MTU %u", mtu);
	return true;
}

/**
 * net_get_mac() - The current MAC address
 * @net:	device
 * @mac:	filled
 */
void net_get_mac(struct virtio_net *net, uint8_t mac[6])
{
	pthread_mutex_lock(&net->mac_lock);
	memcpy(mac, net->mac, 6);
	pthread_mutex_unlock(&net->mac_lock);
}

/**
 * net_set_mac() - Replace the MAC address
 * @net:	device
 * @mac:	new address
 */
void net_set_mac(struct virtio_net *net, const uint8_t mac[6])
{
	pthread_mutex_lock(&net->mac_lock);
	memcpy(net->mac, mac, 6);
	pthread_mutex_unlock(&net->mac_lock);
}
