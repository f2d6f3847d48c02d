/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The virtio-net device of the vhost-user fuzz target: two queue pairs and a
 * control queue on the null netdev, an MTU offered, and the program's two
 * device requests (SEND_RARP, NET_SET_MTU).
 *
 * The requests do what the net program's do (cli/vhost-user-net.c): that
 * file holds main(), so they are repeated here, calling the same public
 * functions. Those check that the device's ops are virtio-net's, so the ops
 * the target wrapped are put back around the call. A worker that kicks its
 * queue meanwhile calls the unwrapped hook, and the target does not wait for
 * that kick (the wake-up a RARP asks for, a queue without a kick fd looked
 * at): guest memory is zeros, so it finds the ring as the queue's first look
 * left it, and the session goes the same way.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <inttypes.h>
#include <string.h>

#include "devices/net/netdev.h"
#include "devices/net/virtio-net.h"
#include "tests/fuzz/protocol/fuzz-util.h"
#include "tests/fuzz/protocol/fuzz-vu-device.h"
#include "transport/vhost-user-proto.h"

#define FUZZ_NET_PAIRS 2

/**
 * fuzz_net_swap_ops() - Install other ops on the device
 * @dev:	the device
 * @ops:	ops to install
 *
 * Return: the ops installed before
 */
static const struct virtio_device_ops *fuzz_net_swap_ops(
	struct virtio_device *dev, const struct virtio_device_ops *ops)
{
	return __atomic_exchange_n(&dev->ops, ops, __ATOMIC_ACQ_REL);
}

/**
 * fuzz_net_send_rarp() - SEND_RARP, as the net program handles it
 * @dev:	the device
 * @payload:	u64 whose first six bytes are the guest MAC
 * @errp:	why it failed
 *
 * Return: true if announced
 */
static bool fuzz_net_send_rarp(struct virtio_device *dev, uint64_t payload,
			       struct error **errp)
{
	const struct virtio_device_ops *wrapped;
	uint8_t mac[6];
	bool ok;

	memcpy(mac, &payload, sizeof(mac));
	wrapped = fuzz_net_swap_ops(dev, fuzz_vu_real_ops(dev));
	ok = virtio_net_announce(dev, mac, errp);
	fuzz_net_swap_ops(dev, wrapped);
	return ok;
}

/**
 * fuzz_net_set_mtu() - NET_SET_MTU, as the net program handles it
 * @dev:	the device
 * @payload:	MTU
 * @errp:	why it was refused
 *
 * Return: true if accepted
 */
static bool fuzz_net_set_mtu(struct virtio_device *dev, uint64_t payload,
			     struct error **errp)
{
	const struct virtio_device_ops *wrapped;
	bool ok;

	if (payload > 65535) {
		error_setg(errp, "MTU %" PRIu64 " out of range", payload);
		return false;
	}
	wrapped = fuzz_net_swap_ops(dev, fuzz_vu_real_ops(dev));
	ok = virtio_net_set_mtu(dev, payload, errp);
	fuzz_net_swap_ops(dev, wrapped);
	return ok;
}

static const struct vu_device_request fuzz_net_requests[] = {
	{ VHOST_USER_SEND_RARP, VHOST_USER_PROTOCOL_F_RARP,
	  fuzz_net_send_rarp },
	{ VHOST_USER_NET_SET_MTU, VHOST_USER_PROTOCOL_F_NET_MTU,
	  fuzz_net_set_mtu },
};

/**
 * fuzz_net_create() - The netdev and the device
 *
 * Return: the device
 */
static struct virtio_device *fuzz_net_create(void)
{
	struct virtio_net_options opts = {
		.mac = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 },
		.mtu = 1500,
		.queue_pairs = FUZZ_NET_PAIRS,
		.queue_size = 256,
	};
	struct virtio_device *dev;
	struct error *err = NULL;

	opts.netdev = netdev_new("null,id=fuzz0", FUZZ_NET_PAIRS, &err);
	if (!opts.netdev)
		fuzz_fail("%s", error_get_pretty(err));
	dev = virtio_net_new(&opts, &err);
	if (!dev)
		fuzz_fail("%s", error_get_pretty(err));
	return dev;
}

const struct fuzz_vu_device fuzz_vu_device = {
	.name = "fuzz-vhost-user-net",
	.create = fuzz_net_create,
	.extra_protocol_features = (1ULL << VHOST_USER_PROTOCOL_F_RARP) |
				   (1ULL << VHOST_USER_PROTOCOL_F_NET_MTU),
	.requests = fuzz_net_requests,
	.n_requests = sizeof(fuzz_net_requests) / sizeof(fuzz_net_requests[0]),
	.queue_num = FUZZ_NET_PAIRS,
};
