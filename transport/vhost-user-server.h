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
 * A monitor on its own thread may query the session (vu_server_query()), hear
 * about front-ends coming and going (session_event) and hold the link down
 * (vu_server_hold()). None of these waits for the front-end or for a queue
 * worker: the control thread publishes what a query reads under a short lock
 * after each message, and is woken through an eventfd for a hold.
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
	/*
	 * Optional. On the control thread: after a front-end was attached
	 * (@connected true, @reason NULL), and after its session ended
	 * (@connected false; @reason "front-end closed the connection", the
	 * error that ended it, "server stopping" or "link down"). Must not
	 * block (nor take a lock that a thread holds while it waits in
	 * virtio_device_config_changed(): the front-end's answer needs this
	 * thread), nor call vu_server_*() other than vu_server_query() and
	 * vu_server_hold().
	 */
	void (*session_event)(void *opaque, bool connected, const char *reason);
	void *event_opaque;
};

/* One virtqueue, as vu_server_query() saw it */
struct vu_server_queue_info {
	bool enabled;	   /* the front-end enabled the ring */
	bool started;	   /* a worker serves it */
	bool broken;	   /* a check on the ring failed (NEEDS_RESET) */
	unsigned int size; /* ring size, 0 if not set */
	/* Read while the worker may change them: a snapshot */
	uint16_t last_avail_idx, used_idx;
	uint64_t kicks, calls, requests; /* struct vq_stats */
};

/* The session, as vu_server_query() saw it */
struct vu_server_info {
	bool connected;
	uint64_t features;	    /* negotiated virtio features (0 if none) */
	uint64_t protocol_features; /* negotiated */
	uint8_t status;		    /* virtio_device_get_status() */
	bool backend_channel; /* SET_BACKEND_REQ_FD given, channel still open */
	bool config_protocol; /* VHOST_USER_PROTOCOL_F_CONFIG negotiated */
	bool held;	      /* vu_server_hold() in effect */
	unsigned int n_queues;
	struct vu_server_queue_info *queues; /* [n_queues], caller free()s */
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
 * signalfd for SIGTERM/SIGINT, or an epoll fd watching several), then end the
 * session ("server stopping"); or, for an inherited connected socket, until
 * that session ends. Return: true on a clean stop, false on a fatal error.
 */
bool vu_server_run(struct vu_server *srv, int stop_fd, struct error **errp);
/*
 * vu_server_free() - end the session (drain and stop queues), close, unlink the
 * socket. Nothing else may use @srv by then (e.g. a monitor's queries).
 */
void vu_server_free(struct vu_server *srv);

/*
 * vu_server_query() - any thread: the session and its queues. Session fields
 * come from the last message handled (never a half-applied one), status and
 * queue counters as they are now. Never waits for the front-end or a worker.
 * Return: false with *errp only if memory ran out.
 */
bool vu_server_query(struct vu_server *srv, struct vu_server_info *info,
		     struct error **errp);
/*
 * vu_server_hold() - any thread: @hold true ends the session, if any, soon on
 * the control thread (reason "link down") and refuses new front-ends until
 * called with @hold false. Never waits for the control thread.
 * Return: whether a front-end was connected when called.
 */
bool vu_server_hold(struct vu_server *srv, bool hold);
/*
 * vu_feature_name() - name of bit @bit of a vhost-user virtio feature word:
 * the device's and VIRTIO's (virtio_feature_name()) and the vhost ones,
 * "VHOST_USER_F_PROTOCOL_FEATURES" and "VHOST_F_LOG_ALL"; NULL if unknown.
 * Protocol feature names: vhost_user_protocol_feature_full_name().
 */
const char *vu_feature_name(const struct virtio_device *dev, unsigned int bit);

#endif /* QD_TRANSPORT_VHOST_USER_SERVER_H */
