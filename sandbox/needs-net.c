/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a virtio-net device needs from the host once it serves: its netdev's.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <stdio.h>

#include "devices/net/netdev.h"
#include "devices/net/virtio-net.h"
#include "sandbox/sandbox.h"

/**
 * sandbox_device_needs() - The netdev's needs, with its id for the log
 * @dev:	the virtio-net device
 * @needs:	filled; the texts live until the next call
 */
void sandbox_device_needs(struct virtio_device *dev,
			  struct sandbox_needs *needs)
{
	static char network[160], fs[160];
	struct virtio_net_info info;
	const struct netdev *nd;

	*needs = (struct sandbox_needs){ 0 };
	virtio_net_get_info(dev, &info);
	nd = info.netdev;
	if (!nd)
		return;
	if (nd->needs_host_network) {
		snprintf(network, sizeof(network), "netdev %s: %s",
			 netdev_id(nd), nd->needs_host_network);
		needs->host_network = network;
	}
	if (nd->needs_host_fs) {
		snprintf(fs, sizeof(fs), "netdev %s: %s", netdev_id(nd),
			 nd->needs_host_fs);
		needs->host_fs = fs;
	}
}
