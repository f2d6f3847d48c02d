/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vhost-user back-end server: one socket, one front-end at a time, one device.
 *
 * The server owns the listening (or already connected) socket and runs the
 * control loop on the calling thread: it accepts a front-end, reads and checks
 * each message against the request table, and maps it onto the device
 * interface (devices/virtio/virtio-device.h). A second front-end is refused
 * while one is connected. When the front-end leaves, or breaks the protocol,
 * the session ends: the device is reset, mappings and fds are released, and
 * the server waits for the next front-end. The device's I/O never runs here.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TRANSPORT_VHOST_USER_SERVER_H
#define QD_TRANSPORT_VHOST_USER_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/virtio/virtio-device.h"
#include "util/error.h"

/*
 * A request the transport carries but only a device gives meaning to, such as
 * virtio-net's SEND_RARP and NET_SET_MTU: offered with its protocol feature,
 * its u64 payload handed to @handle on the transport's thread. The program
 * supplies these, so the transport itself stays device-neutral.
 */
struct vu_device_request {
	uint32_t request;	       /* VHOST_USER_SEND_RARP, ... */
	unsigned int protocol_feature; /* VHOST_USER_PROTOCOL_F_RARP, ... */
	bool (*handle)(struct virtio_device *dev, uint64_t payload,
		       struct error **errp);
};

struct vu_server_options {
	/* Exactly one of these: a path to listen on, or an inherited fd */
	const char *socket_path;
	int fd; /* -1 if unused; a listening or an already connected socket */
	/* Protocol features this device wants offered beyond the common set */
	uint64_t extra_protocol_features;
	/* Device requests served, each offering its protocol feature */
	const struct vu_device_request *device_requests;
	unsigned int n_device_requests;
	/*
	 * GET_QUEUE_NUM's answer, 0 for the device's number of queues. Its
	 * meaning depends on the device type: QEMU compares it with queue
	 * pairs for net (as DPDK answers), with virtqueues for blk.
	 */
	uint64_t queue_num;
};

struct vu_server;

/*
 * vu_server_new() - create the socket (unlink a stale socket file first) or
 * adopt the fd: a listening socket is accepted on, a connected one is the first
 * session (when it ends the server has nothing left to serve and returns).
 */
struct vu_server *vu_server_new(struct virtio_device *dev,
				const struct vu_server_options *opts,
				struct error **errp);
/*
 * vu_server_run() - serve front-ends until @stop_fd becomes readable (e.g. a
 * signalfd for SIGTERM/SIGINT), or, for an inherited connected socket, until
 * that session ends. Return: true on a clean stop, false on a fatal error.
 */
bool vu_server_run(struct vu_server *srv, int stop_fd, struct error **errp);
/* vu_server_free() - end the session (drain and stop queues), close, unlink the
 * socket */
void vu_server_free(struct vu_server *srv);

#endif /* QD_TRANSPORT_VHOST_USER_SERVER_H */
