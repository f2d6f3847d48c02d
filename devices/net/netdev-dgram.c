/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The dgram netdev: one frame per UDP or Unix datagram, as QEMU's
 * -netdev dgram carries them (no header of any kind).
 *
 * The socket is bound to local.* and sends to remote.*; with local.type=fd
 * it is an inherited datagram socket, connected to its peer, and no remote
 * is given. Datagrams are received from anyone who can reach the local
 * address, as with QEMU: keep it private (loopback, a private directory).
 *
 * Multicast remotes (QEMU's hub-less LAN emulation) are refused: they need a
 * multicast route and group membership on the host, which a back-end that
 * serves one guest has no business configuring.
 *
 * One socket serves every queue pair (nd->queues is 1). sendmsg() takes or
 * refuses a datagram whole, so concurrent send() calls need no lock. A
 * datagram the socket cannot take now is dropped, as a congested network
 * would: an unconnected Unix datagram socket gives no wake-up when its peer
 * drains, so waiting for one could stall forever. Receiving happens on the
 * worker of queue 0.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "devices/net/netdev-int.h"
#include "devices/net/netdev-sockaddr.h"
#include "util/log.h"

/* Datagrams read per wake-up, so one busy peer does not hold the worker */
#define DGRAM_RX_BUDGET 64

struct dgram {
	struct netdev nd;
	struct netdev_sockaddr local, remote;
	bool has_remote;
	struct unix_socket_file unix_file; /* local path we bound */
	int fd;

	/* Owner (queue 0's worker) only */
	struct netdev_port *port;
	bool watched;
	uint8_t *rx_buf;
	size_t rx_len;	/* length of the held datagram */
	bool rx_held;	/* rx_buf waits for rx_resume */
	bool warned_rx; /* a bad datagram was logged */

	/* Set from any sender: warn once, then debug (races only repeat) */
	int warned_tx;
};

/**
 * dgram_of() - The dgram netdev around @nd
 * @nd:		netdev
 *
 * Return: the containing struct dgram
 */
static struct dgram *dgram_of(struct netdev *nd)
{
	return (struct dgram *)nd;
}

/**
 * dgram_tx_warn() - Log a dropped frame: the first at warning level
 * @d:		dgram
 * @what:	why it was dropped
 */
static void dgram_tx_warn(struct dgram *d, const char *what)
{
	if (!__atomic_exchange_n(&d->warned_tx, 1, __ATOMIC_RELAXED))
		log_warn("netdev %s: dropping frames for %s: %s", d->nd.id,
			 d->has_remote ? d->remote.text : d->local.text, what);
	else
		log_debug("netdev %s: dropped a frame: %s", d->nd.id, what);
}

/**
 * dgram_send() - ops->send: one frame, one datagram, from any pair's worker
 * @nd:		netdev
 * @q:		queue (0)
 * @iov:	frame
 * @cnt:	entries in @iov
 *
 * Return: 0 if sent, or -errno if dropped (-ENOBUFS when the socket is full)
 */
static int dgram_send(struct netdev *nd, unsigned int q,
		      const struct iovec *iov, unsigned int cnt)
{
	struct dgram *d = dgram_of(nd);
	struct msghdr msg = {
		.msg_iov = (struct iovec *)iov,
		.msg_iovlen = cnt,
	};
	ssize_t n;

	if (d->has_remote) {
		msg.msg_name = &d->remote.ss;
		msg.msg_namelen = d->remote.len;
	}
	do {
		n = sendmsg(d->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n >= 0)
		return 0;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
		log_debug("netdev %s: socket full, frame dropped", nd->id);
		return -ENOBUFS;
	}
	n = errno;
	dgram_tx_warn(d, strerror((int)n));
	return -(int)n;
}

/**
 * dgram_watch_update() - Watch the socket for reading unless a frame is held
 * @d:		dgram, attached, on the owner
 */
static void dgram_watch_update(struct dgram *d)
{
	struct error *err = NULL;

	if (d->port->watch_modify(d->port, d->fd, d->rx_held ? 0 : EPOLLIN,
				  &err))
		return;
	error_prepend(&err, "netdev %s: ", d->nd.id);
	error_report_err(err);
}

/**
 * dgram_rx_bad() - Log a datagram that cannot be a frame
 * @d:		dgram
 * @len:	its length
 */
static void dgram_rx_bad(struct dgram *d, size_t len)
{
	if (!d->warned_rx)
		log_warn("netdev %s: dropping datagrams of %zu bytes (1 to %u)",
			 d->nd.id, len, NETDEV_MAX_FRAME);
	else
		log_debug("netdev %s: dropped a datagram of %zu bytes",
			  d->nd.id, len);
	d->warned_rx = true;
}

/**
 * dgram_rx_offer() - Hand the datagram in rx_buf to the device
 * @d:		dgram, on the owner
 *
 * Return: false if the device has no buffers (the datagram is held)
 */
static bool dgram_rx_offer(struct dgram *d)
{
	struct iovec iov = { d->rx_buf, d->rx_len };

	if (d->port->receive(d->port, &iov, 1, true) == -EAGAIN) {
		d->rx_held = true;
		dgram_watch_update(d);
		return false;
	}
	return true;
}

/**
 * dgram_rx() - Receive datagrams up to a budget
 * @d:		dgram, on the owner, nothing held
 */
static void dgram_rx(struct dgram *d)
{
	unsigned int delivered = 0;

	for (unsigned int i = 0; i < DGRAM_RX_BUDGET; i++) {
		ssize_t n = recv(d->fd, d->rx_buf, NETDEV_MAX_FRAME,
				 MSG_DONTWAIT | MSG_TRUNC);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_debug("netdev %s: receive error: %s",
					  d->nd.id, strerror(errno));
			break;
		}
		if (!n || n > NETDEV_MAX_FRAME) {
			dgram_rx_bad(d, (size_t)n);
			continue;
		}
		d->rx_len = (size_t)n;
		if (!dgram_rx_offer(d))
			break;
		delivered++;
	}
	if (delivered)
		d->port->receive_done(d->port);
}

/**
 * dgram_event() - The socket is readable (or has an error)
 * @opaque:	dgram
 * @revents:	ready events
 */
static void dgram_event(void *opaque, uint32_t revents)
{
	struct dgram *d = opaque;

	if (revents & EPOLLERR) {
		socklen_t len = sizeof(int);
		int err = 0;

		/* Reading SO_ERROR clears it: no endless wake-ups */
		getsockopt(d->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err)
			log_debug("netdev %s: socket error: %s", d->nd.id,
				  strerror(err));
	}
	if (!d->rx_held && (revents & EPOLLIN))
		dgram_rx(d);
}

/**
 * dgram_attach() - Queue 0 starts: watch the socket
 * @nd:		netdev
 * @q:		queue, 0
 * @port:	the device's port for it
 * @errp:	error
 *
 * Return: true on success
 */
static bool dgram_attach(struct netdev *nd, unsigned int q,
			 struct netdev_port *port, struct error **errp)
{
	struct dgram *d = dgram_of(nd);

	if (q) {
		error_setg(errp, "netdev %s: no queue %u (single socket)",
			   nd->id, q);
		return false;
	}
	if (!port->watch(port, d->fd, EPOLLIN, dgram_event, d, errp))
		return false;
	d->port = port;
	d->watched = true;
	/* A datagram held across a stop is dropped, as a network may */
	d->rx_held = false;
	return true;
}

/**
 * dgram_detach() - Queue 0 stops: its watches are gone already
 * @nd:		netdev
 * @q:		queue, 0
 */
static void dgram_detach(struct netdev *nd, unsigned int q)
{
	struct dgram *d = dgram_of(nd);

	d->port = NULL;
	d->watched = false;
}

/**
 * dgram_rx_resume() - The guest has buffers: offer the held datagram again
 * @nd:		netdev
 * @q:		queue, 0
 */
static void dgram_rx_resume(struct netdev *nd, unsigned int q)
{
	struct dgram *d = dgram_of(nd);

	if (!d->rx_held || !d->port)
		return;
	d->rx_held = false;
	if (!dgram_rx_offer(d))
		return;
	d->port->receive_done(d->port);
	dgram_watch_update(d);
	dgram_rx(d);
}

/**
 * dgram_free() - Close everything and free the netdev
 * @nd:		netdev
 */
static void dgram_free(struct netdev *nd)
{
	struct dgram *d = dgram_of(nd);

	if (d->fd >= 0)
		close(d->fd);
	unix_socket_file_remove(&d->unix_file);
	free(d->rx_buf);
	netdev_fini(nd);
	free(d);
}

static const struct netdev_ops dgram_ops = {
	.type = "dgram",
	.attach = dgram_attach,
	.detach = dgram_detach,
	.send = dgram_send,
	.rx_resume = dgram_rx_resume,
	.free = dgram_free,
};

/**
 * dgram_check_remote() - The remote must suit the local address
 * @d:		dgram, addresses parsed
 * @errp:	error, names the options
 *
 * Return: true if the pair is usable
 */
static bool dgram_check_remote(struct dgram *d, struct error **errp)
{
	if (d->local.type == NETDEV_SOCKADDR_FD) {
		if (d->has_remote) {
			error_setg(errp, "remote.* does not apply to "
					 "local.type=fd (the socket is "
					 "connected already)");
			return false;
		}
		return true;
	}
	if (!d->has_remote) {
		error_setg(errp, "remote.type is missing (inet or unix, as "
				 "local.type)");
		return false;
	}
	if (d->remote.type == NETDEV_SOCKADDR_FD) {
		error_setg(errp, "remote.type=fd is not supported (use "
				 "local.type=fd with a connected socket)");
		return false;
	}
	if (d->remote.type != d->local.type ||
	    d->remote.ss.ss_family != d->local.ss.ss_family) {
		error_setg(errp,
			   "remote %s and local %s are not of the same "
			   "address family",
			   d->remote.text, d->local.text);
		return false;
	}
	if (netdev_sockaddr_is_multicast(&d->remote)) {
		error_setg(errp,
			   "remote %s is a multicast group: not "
			   "supported, use a unicast peer",
			   d->remote.text);
		return false;
	}
	return true;
}

/**
 * dgram_parse() - Take the dgram options
 * @d:		dgram
 * @args:	arguments
 * @errp:	error, names the option
 *
 * Return: true if they are complete and consistent
 */
static bool dgram_parse(struct dgram *d, struct netdev_args *args,
			struct error **errp)
{
	bool present;

	if (!netdev_sockaddr_get(args, "local", true, &d->local, &present,
				 errp))
		return false;
	if (!present) {
		error_setg(errp, "local.type is missing (inet, unix or fd)");
		return false;
	}
	if (!netdev_sockaddr_get(args, "remote", false, &d->remote,
				 &d->has_remote, errp))
		return false;
	return dgram_check_remote(d, errp) && netdev_args_finish(args, errp);
}

/**
 * dgram_open() - Bind the local socket (or adopt the inherited one)
 * @d:		dgram, options parsed
 * @errp:	error, names the address
 *
 * Return: true on success
 */
static bool dgram_open(struct dgram *d, struct error **errp)
{
	if (d->local.type == NETDEV_SOCKADDR_FD) {
		if (!netdev_fd_adopt(&d->local, SOCK_DGRAM, errp))
			return false;
		d->fd = d->local.fd;
		return true;
	}
	d->fd = netdev_socket_new(&d->local, SOCK_DGRAM, errp);
	return d->fd >= 0 &&
	       netdev_socket_bind(d->fd, &d->local, &d->unix_file, errp);
}

/**
 * dgram_create() - Create a dgram netdev
 * @args:	arguments
 * @queue_pairs: queue pairs of the device (all share the one socket)
 * @errp:	error
 *
 * Return: the netdev, or NULL
 */
static struct netdev *dgram_create(struct netdev_args *args,
				   unsigned int queue_pairs,
				   struct error **errp)
{
	struct dgram *d = calloc(1, sizeof(*d));

	if (!d) {
		error_setg(errp, "out of memory");
		return NULL;
	}
	d->fd = -1;
	if (!netdev_init(&d->nd, &dgram_ops, args, 1, errp)) {
		free(d);
		return NULL;
	}
	d->rx_buf = malloc(NETDEV_MAX_FRAME);
	if (!d->rx_buf) {
		error_setg(errp, "out of memory");
		goto fail;
	}
	if (!dgram_parse(d, args, errp) || !dgram_open(d, errp))
		goto fail;
	if (d->has_remote && d->remote.type == NETDEV_SOCKADDR_UNIX)
		d->nd.needs_host_fs = "sends every frame to a socket path";
	log_debug("netdev %s: bound to %s", d->nd.id, d->local.text);
	return &d->nd;
fail:
	dgram_free(&d->nd);
	return NULL;
}

const struct netdev_type netdev_type_dgram = {
	.name = "dgram",
	.create = dgram_create,
};
