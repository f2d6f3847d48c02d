/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qemu-dev-vhost-user-net: a virtio-net device served as a vhost-user back-end.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/program.h"
#include "devices/net/netdev.h"
#include "devices/net/virtio-net.h"
#include "transport/vhost-user-proto.h"
#include "util/log.h"

/* What --print-capabilities lists: device features, then the netdev types */
static const char *const net_features[] = {
	"mq",
	"mtu",
	"mac",
#ifdef CONFIG_NETDEV_TAP
	"netdev-tap",
#endif
#ifdef CONFIG_NETDEV_USER
	"netdev-user",
#endif
#ifdef CONFIG_NETDEV_STREAM
	"netdev-stream",
#endif
#ifdef CONFIG_NETDEV_DGRAM
	"netdev-dgram",
#endif
#ifdef CONFIG_NETDEV_NULL
	"netdev-null",
#endif
#ifdef CONFIG_NETDEV_LOOPBACK
	"netdev-loopback",
#endif
	NULL,
};

static const struct program_info net_program = {
	.name = QD_PROGRAM_NAME,
	.summary = "Serve a virtio-net device to a vhost-user front-end (e.g. "
		   "QEMU's -netdev vhost-user with virtio-net-pci, or DPDK's "
		   "virtio-user), its frames carried by one host netdev given "
		   "in QEMU -netdev syntax: tap,id=ID,ifname=NAME|fd=N; "
		   "user,id=ID[,net=...][,hostfwd=...]; stream,id=ID,"
		   "server=on|off,addr.type=unix|inet,...; dgram,id=ID,"
		   "local.*,remote.*; null,id=ID; loopback,id=ID.",
	.backend_type = "net",
	.features = net_features,
};

/* QEMU's default MAC for the first NIC */
static const uint8_t default_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

/**
 * parse_mac() - "xx:xx:xx:xx:xx:xx" into six bytes
 * @s:		text
 * @mac:	result
 *
 * Return: true if @s is a unicast MAC address
 */
static bool parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char end;
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &end) != 6 ||
	    strlen(s) != 17)
		return false;
	for (i = 0; i < 6; i++)
		mac[i] = b[i];
	return !(mac[0] & 1); /* multicast addresses cannot be a NIC's */
}

/**
 * net_send_rarp() - SEND_RARP: announce the guest after a migration
 * @dev:	the virtio-net device
 * @payload:	u64 whose first six bytes are the guest MAC
 * @errp:	error if it could not be sent
 *
 * Return: true on success
 */
static bool net_send_rarp(struct virtio_device *dev, uint64_t payload,
			  struct error **errp)
{
	uint8_t mac[6];

	memcpy(mac, &payload, sizeof(mac));
	return virtio_net_announce(dev, mac, errp);
}

/**
 * net_set_mtu() - NET_SET_MTU: the MTU the front-end gives the guest
 * @dev:	the virtio-net device
 * @payload:	MTU
 * @errp:	why it was refused
 *
 * Return: true if accepted
 */
static bool net_set_mtu(struct virtio_device *dev, uint64_t payload,
			struct error **errp)
{
	if (payload > 65535) {
		error_setg(errp, "MTU %" PRIu64 " out of range", payload);
		return false;
	}
	return virtio_net_set_mtu(dev, payload, errp);
}

static const struct vu_device_request net_requests[] = {
	{ VHOST_USER_SEND_RARP, VHOST_USER_PROTOCOL_F_RARP, net_send_rarp },
	{ VHOST_USER_NET_SET_MTU, VHOST_USER_PROTOCOL_F_NET_MTU, net_set_mtu },
};

/**
 * log_stats() - one line of counters per queue pair, on the way out
 * @dev:	the virtio-net device
 * @pairs:	queue pairs
 */
static void log_stats(struct virtio_device *dev, unsigned int pairs)
{
	struct virtio_net_pair_stats st;
	unsigned int i;

	for (i = 0; i < pairs && virtio_net_get_stats(dev, i, &st); i++)
		log_info("pair %u: rx_frames=%" PRIu64 " rx_bytes=%" PRIu64
			 " rx_dropped_no_buffer=%" PRIu64
			 " rx_dropped_too_big=%" PRIu64 " tx_frames=%" PRIu64
			 " tx_bytes=%" PRIu64 " tx_dropped_backlog=%" PRIu64
			 " tx_dropped_bad=%" PRIu64
			 " tx_dropped_too_big=%" PRIu64
			 " tx_dropped_netdev=%" PRIu64,
			 i, st.rx_frames, st.rx_bytes, st.rx_dropped_no_buffer,
			 st.rx_dropped_too_big, st.tx_frames, st.tx_bytes,
			 st.tx_dropped_backlog, st.tx_dropped_bad,
			 st.tx_dropped_too_big, st.tx_dropped_netdev);
}

int main(int argc, char **argv)
{
	struct virtio_net_options net = {
		.queue_pairs = 1,
		.queue_size = 1024,
		.poll_max_us = 0,
	};
	struct program_common common = { 0 };
	const char *netdev_spec = NULL;
	const char *mac = NULL;
	const struct cli_option opts[] = {
		{ .name = "netdev",
		  .short_name = 'n',
		  .arg = CLI_ARG_STRING,
		  .metavar = "TYPE,id=ID,...",
		  .help = "host network back-end, QEMU -netdev syntax",
		  .dest = &netdev_spec },
		{ .name = "mac",
		  .short_name = 'm',
		  .arg = CLI_ARG_STRING,
		  .metavar = "MAC",
		  .help = "guest MAC address (default 52:54:00:12:34:56)",
		  .dest = &mac },
		{ .name = "mtu",
		  .arg = CLI_ARG_UINT,
		  .metavar = "N",
		  .help = "MTU offered to the guest (68..65535; default: none "
			  "offered, frames up to 65535 bytes)",
		  .dest = &net.mtu,
		  .min = 68,
		  .max = 65535 },
		{ .name = "queues",
		  .short_name = 'q',
		  .arg = CLI_ARG_UINT,
		  .metavar = "N",
		  .help = "queue pairs (1..64, default 1; > 1 offers MQ)",
		  .dest = &net.queue_pairs,
		  .min = 1,
		  .max = VIRTIO_NET_MAX_PAIRS },
		{ .name = "queue-size",
		  .arg = CLI_ARG_UINT,
		  .metavar = "N",
		  .help = "largest virtqueue size accepted (power of two, "
			  "default 1024)",
		  .dest = &net.queue_size,
		  .min = 1,
		  .max = 32768,
		  .power_of_two = true },
		{ .name = "poll-max-us",
		  .arg = CLI_ARG_UINT,
		  .metavar = "N",
		  .help = "busy-wait up to N microseconds for the next frame "
			  "before sleeping (0: never, the default)",
		  .dest = &net.poll_max_us,
		  .max = 1000000 },
		{ .name = NULL },
	};
	struct vu_server_options vu_opts = {
		.device_requests = net_requests,
		.n_device_requests =
			sizeof(net_requests) / sizeof(net_requests[0]),
	};
	struct virtio_device *dev;
	struct error *err = NULL;
	bool ok;

	log_init(net_program.name, LOG_LEVEL_INFO);
	program_parse(&net_program, argc, argv, opts, &common);
	if (!netdev_spec)
		program_usage_error(&net_program,
				    "--netdev is required, e.g. --netdev "
				    "user,id=net0");
	memcpy(net.mac, default_mac, sizeof(net.mac));
	if (mac && !parse_mac(mac, net.mac))
		program_usage_error(&net_program,
				    "--mac: '%s' is not a unicast MAC address "
				    "like 52:54:00:12:34:56",
				    mac);

	net.netdev = netdev_new(netdev_spec, net.queue_pairs, &err);
	if (!net.netdev) {
		error_prepend(&err, "--netdev: ");
		error_report_err(err);
		return EXIT_FAILURE;
	}
	dev = virtio_net_new(&net, &err);
	if (!dev) {
		error_report_err(err);
		return EXIT_FAILURE;
	}
	vu_opts.queue_num = net.queue_pairs; /* QEMU compares pairs */
	ok = program_serve(&net_program, dev, &common, &vu_opts, &err);
	log_stats(dev, net.queue_pairs);
	virtio_device_free(dev);
	if (!ok) {
		error_report_err(err);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
