/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The loopback netdev: every frame the guest sends comes back to it.
 *
 * Queue q's frames go back through the port attached for q, at once and from
 * inside send(): the device runs a pair's receive and transmit queues on one
 * worker thread, so receive() is called on the thread that owns the port, and
 * the device notifies the guest after its transmit burst (no receive_done
 * here). Nothing is copied or held: a frame the guest has no buffer for is
 * dropped and counted by the device (receive with can_wait false).
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <stdlib.h>

#include "devices/net/netdev-int.h"

struct loopback {
	struct netdev nd;
	struct netdev_port **ports; /* per queue, NULL while detached */
};

/**
 * loopback_of() - The loopback netdev around @nd
 * @nd:		netdev
 *
 * Return: the containing struct loopback
 */
static struct loopback *loopback_of(struct netdev *nd)
{
	return (struct loopback *)nd;
}

/**
 * loopback_attach() - Remember the port of queue @q
 * @nd:		netdev
 * @q:		queue
 * @port:	the device's port for it
 * @errp:	error
 *
 * Return: true; nothing to watch
 */
static bool loopback_attach(struct netdev *nd, unsigned int q,
			    struct netdev_port *port, struct error **errp)
{
	struct loopback *lo = loopback_of(nd);

	if (q >= nd->queues) {
		error_setg(errp, "netdev %s: no queue %u", nd->id, q);
		return false;
	}
	lo->ports[q] = port;
	return true;
}

/**
 * loopback_detach() - Forget the port of queue @q
 * @nd:		netdev
 * @q:		queue
 */
static void loopback_detach(struct netdev *nd, unsigned int q)
{
	if (q < nd->queues)
		loopback_of(nd)->ports[q] = NULL;
}

/**
 * loopback_send() - Hand a frame back to the guest through queue @q's port
 * @nd:		netdev
 * @q:		queue
 * @iov:	frame
 * @cnt:	entries in @iov
 *
 * Return: 0 when handed over, -ENOLINK if queue @q has no port
 */
static int loopback_send(struct netdev *nd, unsigned int q,
			 const struct iovec *iov, unsigned int cnt)
{
	struct netdev_port *port;

	if (q >= nd->queues)
		return -EINVAL;
	port = loopback_of(nd)->ports[q];
	if (!port)
		return -ENOLINK;
	return port->receive(port, iov, cnt, false);
}

/**
 * loopback_rx_resume() - Nothing is ever held
 * @nd:		netdev
 * @q:		queue
 */
static void loopback_rx_resume(struct netdev *nd, unsigned int q)
{
}

/**
 * loopback_free() - Free the netdev
 * @nd:		netdev
 */
static void loopback_free(struct netdev *nd)
{
	struct loopback *lo = loopback_of(nd);

	free(lo->ports);
	netdev_fini(nd);
	free(lo);
}

static const struct netdev_ops loopback_ops = {
	.type = "loopback",
	.attach = loopback_attach,
	.detach = loopback_detach,
	.send = loopback_send,
	.rx_resume = loopback_rx_resume,
	.free = loopback_free,
};

/**
 * loopback_create() - Create a loopback netdev
 * @args:	arguments (none besides id)
 * @queue_pairs: queue pairs of the device, one queue each
 * @errp:	error
 *
 * Return: the netdev, or NULL
 */
static struct netdev *loopback_create(struct netdev_args *args,
				      unsigned int queue_pairs,
				      struct error **errp)
{
	struct loopback *lo;

	if (!netdev_args_finish(args, errp))
		return NULL;
	lo = calloc(1, sizeof(*lo));
	if (!lo) {
		error_setg(errp, "out of memory");
		return NULL;
	}
	lo->ports = calloc(queue_pairs, sizeof(*lo->ports));
	if (!lo->ports ||
	    !netdev_init(&lo->nd, &loopback_ops, args, queue_pairs, errp)) {
		if (!lo->ports)
			error_setg(errp, "out of memory");
		free(lo->ports);
		free(lo);
		return NULL;
	}
	return &lo->nd;
}

const struct netdev_type netdev_type_loopback = {
	.name = "loopback",
	.create = loopback_create,
};
