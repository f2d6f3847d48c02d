/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Host network back-ends ("netdevs") behind the virtio-net device model.
 *
 * A netdev moves Ethernet frames between the device and the host: a tap
 * interface, user-mode networking (libslirp), a stream or datagram socket
 * (wire-compatible with QEMU's -netdev stream/dgram), or the test netdevs null
 * and loopback. It knows nothing of virtqueues or of vhost-user: the device
 * hands it frames to send and gives it a port, per queue pair, to deliver the
 * frames it receives and to watch its fds on that pair's worker thread.
 *
 * Frames carry a virtio_net_hdr of nd->hdr_len bytes in front when the netdev
 * takes one (nd->vnet_hdr, a tap opened with IFF_VNET_HDR); otherwise they are
 * bare Ethernet frames.
 *
 * Threads: netdev_new()/netdev_free() and ops->set_vnet_hdr run on the main or
 * transport thread while no queue runs. ops->attach, ops->detach,
 * ops->rx_resume and the port's callbacks run on the worker thread of the
 * queue pair they name. ops->send for queue q runs on the worker of every pair
 * the device maps onto q (pair % nd->queues): a netdev with fewer queues than
 * the device has pairs must make send() safe against itself.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_DEVICES_NET_NETDEV_H
#define QD_DEVICES_NET_NETDEV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "util/error.h"

/* Offloads a netdev can take in frames from the guest (TUN_F_* values) */
#define NETDEV_OFFLOAD_CSUM 0x01
#define NETDEV_OFFLOAD_TSO4 0x02
#define NETDEV_OFFLOAD_TSO6 0x04
#define NETDEV_OFFLOAD_ECN  0x08
#define NETDEV_OFFLOAD_UFO  0x10

/* Largest frame a netdev hands to receive(), header included */
#define NETDEV_MAX_FRAME (65536 + 14 + 4 + 12)

/* What the device gives a netdev for one queue pair (see ops->attach) */
struct netdev_port {
	/* Watch @fd on the pair's worker: @cb(@opaque, ready events) */
	bool (*watch)(struct netdev_port *port, int fd, uint32_t events,
		      void (*cb)(void *opaque, uint32_t revents), void *opaque,
		      struct error **errp);
	bool (*watch_modify)(struct netdev_port *port, int fd, uint32_t events,
			     struct error **errp);
	void (*unwatch)(struct netdev_port *port, int fd);
	/*
	 * A frame for the guest (hdr_len bytes of header first when
	 * nd->vnet_hdr). Return: 0 if taken (delivered, or dropped and
	 * counted by the device: malformed, too large, or no receive buffers
	 * and !@can_wait); -EAGAIN if the guest has no buffers now and
	 * @can_wait: the netdev keeps the frame, stops reading, and offers it
	 * again after ops->rx_resume.
	 */
	int (*receive)(struct netdev_port *port, const struct iovec *iov,
		       unsigned int cnt, bool can_wait);
	/*
	 * After a burst of receive() calls: notify the guest once. A netdev
	 * that calls receive() from inside send() (loopback) need not: the
	 * device flushes after each transmit burst.
	 */
	void (*receive_done)(struct netdev_port *port);
	/* send() returned -EAGAIN earlier and the netdev can take more now */
	void (*tx_ready)(struct netdev_port *port);
	void *opaque; /* the device's */
};

struct netdev;

struct netdev_ops {
	const char *type; /* "tap", "user", "stream", "dgram", ... */
	/*
	 * Optional. Frames from now on carry a header of @hdr_len bytes (10
	 * or 12) and may use @offloads (NETDEV_OFFLOAD_*, a subset of
	 * nd->offloads): e.g. TUNSETVNETHDRSZ and TUNSETOFFLOAD. Called with
	 * the negotiated features, all queues stopped.
	 */
	bool (*set_vnet_hdr)(struct netdev *nd, unsigned int hdr_len,
			     unsigned int offloads, struct error **errp);
	/* Queue @q's receive side starts on this worker: watch fds via @port */
	bool (*attach)(struct netdev *nd, unsigned int q,
		       struct netdev_port *port, struct error **errp);
	/* ... and stops: watches are already gone; forget @port */
	void (*detach)(struct netdev *nd, unsigned int q);
	/*
	 * Send one frame. Return: 0 if sent (or taken whole, to be finished
	 * later), -EAGAIN if nothing was taken and the netdev will call
	 * port->tx_ready when it can take more (only while attached;
	 * otherwise the device retries on its own), another -errno if the
	 * frame was dropped (logged by the netdev, counted by the device).
	 */
	int (*send)(struct netdev *nd, unsigned int q, const struct iovec *iov,
		    unsigned int cnt);
	/* The guest posted receive buffers: offer a held frame, read again */
	void (*rx_resume)(struct netdev *nd, unsigned int q);
	/* Close everything and free @nd */
	void (*free)(struct netdev *nd);
};

/* One key=value of a netdev's specification, as given */
struct netdev_opt {
	char *key;
	char *value;
};

struct netdev {
	const struct netdev_ops *ops;
	char *id;	     /* id=, for messages */
	unsigned int queues; /* queue pairs it serves, >= 1 */
	bool vnet_hdr;	     /* frames carry a virtio_net_hdr */
	/*
	 * NETDEV_OFFLOAD_* it can enable for frames towards the guest (what
	 * TUNSETOFFLOAD accepts); a vnet_hdr netdev takes any header (GSO,
	 * partial checksums) in frames from the guest.
	 */
	unsigned int offloads;
	unsigned int hdr_len; /* current header length, 0 if !vnet_hdr */
	/* The options but the type and id=, in order (netdev_option()) */
	struct netdev_opt *opts;
	unsigned int n_opts;
	/*
	 * What it still needs from the host once the program serves, for the
	 * sandbox (NULL: nothing; set by create()): why it opens inet sockets
	 * later (no network namespace of its own then), why it looks up paths
	 * later (no empty root then).
	 */
	const char *needs_host_network;
	const char *needs_host_fs;
};

/*
 * netdev_new() - create the netdev described by @spec, QEMU -netdev syntax:
 * "TYPE,id=ID,key=value,..." (",," is a literal comma), for a device with
 * @queue_pairs pairs. Types are those compiled in (netdev_types()).
 */
struct netdev *netdev_new(const char *spec, unsigned int queue_pairs,
			  struct error **errp);
/* netdev_free() - ops->free; NULL is ignored */
void netdev_free(struct netdev *nd);
/* netdev_types() - NULL-terminated names of the types compiled in */
const char *const *netdev_types(void);

/* netdev_id() - its id= (any thread, as the three below: for reports) */
const char *netdev_id(const struct netdev *nd);
/* netdev_type_name() - its type: "tap", "user", ... */
const char *netdev_type_name(const struct netdev *nd);
/* netdev_n_options() - how many options it had besides type and id= */
unsigned int netdev_n_options(const struct netdev *nd);
/*
 * netdev_option() - option @i of those, in the order given, the value as
 * parsed (",," read as ","). Return: false if @i is out of range.
 */
bool netdev_option(const struct netdev *nd, unsigned int i, const char **key,
		   const char **value);

#endif /* QD_DEVICES_NET_NETDEV_H */
