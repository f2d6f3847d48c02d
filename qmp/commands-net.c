/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QMP for the net program: query-net, set_link, NETDEV_LINK_CHANGED.
 *
 * How a front-end learns of the link depends on who keeps the config space.
 * One that reads ours (it negotiated PROTOCOL_F_CONFIG and gave a back-end
 * channel) gets a config-change message and reads the STATUS bit. QEMU's
 * -netdev vhost-user and DPDK's virtio-user keep their own config space and
 * show the link of the connection instead: for them the session is ended and
 * front-ends are refused until the link is up again, which QEMU turns into
 * carrier down and, once it reconnects, carrier up.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/net/virtio-net-proto.h"
#include "devices/net/virtio-net.h"
#include "qmp/commands-int.h"
#include "qmp/qmp-target.h"
#include "util/log.h"

/**
 * qmp_net_pair_stats() - NetQueueStats of one pair
 * @pair:	pair index
 * @s:		its counters
 * @out:	filled here
 */
static void qmp_net_pair_stats(unsigned int pair,
			       const struct virtio_net_pair_stats *s,
			       struct qmp_net_queue_stats *out)
{
	out->pair = pair;
	out->rx_packets = s->rx_frames;
	out->rx_bytes = s->rx_bytes;
	out->rx_dropped_no_buffer = s->rx_dropped_no_buffer;
	out->rx_dropped_too_big = s->rx_dropped_too_big;
	out->rx_dropped = s->rx_dropped_no_buffer + s->rx_dropped_too_big;
	out->tx_packets = s->tx_frames;
	out->tx_bytes = s->tx_bytes;
	out->tx_dropped_backlog = s->tx_dropped_backlog;
	out->tx_dropped_bad = s->tx_dropped_bad;
	out->tx_dropped_too_big = s->tx_dropped_too_big;
	out->tx_dropped_netdev = s->tx_dropped_netdev;
	out->tx_dropped = s->tx_dropped_backlog + s->tx_dropped_bad +
			  s->tx_dropped_too_big + s->tx_dropped_netdev;
}

/**
 * qmp_net_netdev_info() - NetdevInfo: id, type and options of the netdev
 * @nd:		netdev
 * @out:	filled here
 *
 * Return: false if out of memory
 */
static bool qmp_net_netdev_info(const struct netdev *nd,
				struct qmp_netdev_info *out)
{
	unsigned int i, n = netdev_n_options(nd);

	out->id = strdup(netdev_id(nd));
	out->type = strdup(netdev_type_name(nd));
	out->options = calloc(n ? n : 1, sizeof(*out->options));
	if (!out->id || !out->type || !out->options)
		return false;
	for (i = 0; i < n; i++) {
		const char *key, *value;

		if (!netdev_option(nd, i, &key, &value))
			break;
		out->options[i].key = strdup(key);
		out->options[i].value = strdup(value);
		out->n_options = i + 1;
		if (!out->options[i].key || !out->options[i].value)
			return false;
	}
	return true;
}

/**
 * qmp_cmd_query_net() - query-net: the device, its netdev and counters
 * @req:	request
 * @ret:	filled here
 * @errp:	set if out of memory
 *
 * Return: true on success
 */
bool qmp_cmd_query_net(struct qmp_request *req, struct qmp_net_info *ret,
		       struct error **errp)
{
	struct virtio_device *dev = req->target->dev;
	struct virtio_net_info info;
	unsigned int i;

	virtio_net_get_info(dev, &info);
	if (asprintf(&ret->mac, "%02x:%02x:%02x:%02x:%02x:%02x", info.mac[0],
		     info.mac[1], info.mac[2], info.mac[3], info.mac[4],
		     info.mac[5]) < 0) {
		ret->mac = NULL;
		goto oom;
	}
	ret->mtu = info.mtu;
	ret->link_up = virtio_net_link_up(dev);
	ret->queue_pairs = info.queue_pairs;
	if (!qmp_net_netdev_info(info.netdev, &ret->netdev))
		goto oom;
	ret->queues = calloc(info.queue_pairs, sizeof(*ret->queues));
	if (!ret->queues)
		goto oom;
	ret->n_queues = info.queue_pairs;
	for (i = 0; i < info.queue_pairs; i++) {
		struct virtio_net_pair_stats s = { 0 };

		virtio_net_get_stats(dev, i, &s);
		qmp_net_pair_stats(i, &s, &ret->queues[i]);
	}
	return true;
oom:
	error_setg(errp, "out of memory");
	return false;
}

/**
 * qmp_net_link_event() - Send NETDEV_LINK_CHANGED
 * @name:	netdev id
 * @up:		new state
 * @how:	how the front-end was told
 */
static void qmp_net_link_event(const char *name, bool up,
			       enum qmp_link_notification how)
{
	struct qmp_netdev_link_changed_data data = {
		.name = (char *)name,
		.up = up,
		.notification = how,
	};

	qmp_event_send_netdev_link_changed(&data);
}

/**
 * qmp_cmd_set_link() - set_link: the link up or down, and tell the front-end
 * @req:	request
 * @args:	netdev id and state
 * @errp:	DeviceNotFound for another id; set if the front-end could not
 *		be told (the link state changed anyway)
 *
 * Return: true on success
 */
bool qmp_cmd_set_link(struct qmp_request *req,
		      const struct qmp_set_link_args *args, struct error **errp)
{
	struct qmp_target *t = req->target;
	enum qmp_link_notification how = QMP_LINK_NOTIFICATION_NONE;
	struct virtio_net_info info;
	struct vu_server_info si;
	struct vu_server *srv;
	const char *id;
	bool tellable, ok = true;

	virtio_net_get_info(t->dev, &info);
	id = netdev_id(info.netdev);
	if (strcmp(args->name, id)) {
		error_setg(errp, "Device '%s' not found (the netdev is '%s')",
			   args->name, id);
		error_set_code(errp, QMP_ERROR_CLASS_DEVICE_NOT_FOUND);
		return false;
	}
	srv = qmp_target_lock(t, errp);
	if (!srv)
		return false;
	if (!vu_server_query(srv, &si, errp)) {
		qmp_target_unlock(t);
		return false;
	}
	free(si.queues);
	/* Already so (up: and front-ends are let in), as QEMU: no event */
	if (args->up == virtio_net_link_up(t->dev) && !(args->up && si.held)) {
		qmp_target_unlock(t);
		return true;
	}
	/* It reads our config space, and the STATUS bit is in it */
	tellable = si.connected && si.config_protocol && si.backend_channel &&
		   (si.features & (1ULL << VIRTIO_NET_F_STATUS));
	if (args->up && si.held) {
		/* Set the bit first: the next front-end must read "up" */
		ok = virtio_net_set_link(t->dev, true, false, errp);
		vu_server_hold(srv, false);
		how = QMP_LINK_NOTIFICATION_RECONNECT;
	} else if (tellable) {
		ok = virtio_net_set_link(t->dev, args->up, true, errp);
		how = QMP_LINK_NOTIFICATION_CONFIG_CHANGE;
	} else if (!args->up && si.connected) {
		ok = virtio_net_set_link(t->dev, false, false, errp);
		vu_server_hold(srv, true);
		how = QMP_LINK_NOTIFICATION_RECONNECT;
	} else {
		ok = virtio_net_set_link(t->dev, args->up, false, errp);
		/*
		 * Nobody to tell now. Down, keep front-ends out until it is
		 * up: one that keeps its own config space would show a link
		 * that is not there.
		 */
		if (!args->up)
			vu_server_hold(srv, true);
	}
	log_info("set_link %s: link %s (%s)", id, args->up ? "up" : "down",
		 qmp_link_notification_names[how]);
	qmp_target_unlock(t);
	qmp_net_link_event(id, args->up, how);
	return ok;
}
