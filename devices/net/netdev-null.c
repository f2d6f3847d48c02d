/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The null netdev: every frame sent is discarded, none is ever received.
 *
 * Useful to measure the device's transmit path alone, and in tests.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <stdlib.h>

#include "devices/net/netdev-int.h"

/**
 * null_attach() - Nothing to watch
 * @nd:		netdev
 * @q:		queue
 * @port:	the device's port, unused
 * @errp:	error
 *
 * Return: true
 */
static bool null_attach(struct netdev *nd, unsigned int q,
			struct netdev_port *port, struct error **errp)
{
	return true;
}

/**
 * null_detach() - Nothing to forget
 * @nd:		netdev
 * @q:		queue
 */
static void null_detach(struct netdev *nd, unsigned int q)
{
}

/**
 * null_send() - Discard a frame
 * @nd:		netdev
 * @q:		queue
 * @iov:	frame
 * @cnt:	entries in @iov
 *
 * Return: 0, the frame counts as sent
 */
static int null_send(struct netdev *nd, unsigned int q, const struct iovec *iov,
		     unsigned int cnt)
{
	return 0;
}

/**
 * null_rx_resume() - Nothing is ever held
 * @nd:		netdev
 * @q:		queue
 */
static void null_rx_resume(struct netdev *nd, unsigned int q)
{
}

/**
 * null_free() - Free the netdev
 * @nd:		netdev
 */
static void null_free(struct netdev *nd)
{
	netdev_fini(nd);
	free(nd);
}

static const struct netdev_ops null_ops = {
	.type = "null",
	.attach = null_attach,
	.detach = null_detach,
	.send = null_send,
	.rx_resume = null_rx_resume,
	.free = null_free,
};

/**
 * null_create() - Create a null netdev
 * @args:	arguments (none besides id)
 * @queue_pairs: queue pairs of the device, one queue each
 * @errp:	error
 *
 * Return: the netdev, or NULL
 */
static struct netdev *null_create(struct netdev_args *args,
				  unsigned int queue_pairs, struct error **errp)
{
	struct netdev *nd;

	if (!netdev_args_finish(args, errp))
		return NULL;
	nd = calloc(1, sizeof(*nd));
	if (!nd) {
		error_setg(errp, "out of memory");
		return NULL;
	}
	if (!netdev_init(nd, &null_ops, args, queue_pairs, errp)) {
		free(nd);
		return NULL;
	}
	return nd;
}

const struct netdev_type netdev_type_null = {
	.name = "null",
	.create = null_create,
};
