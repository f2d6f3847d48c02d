/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the netdevs without a host side: null and loopback.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <glib.h>

#include "tests/unit/netdev/netdev-test-util.h"

/**
 * test_null() - Frames vanish, nothing is received, one queue per pair
 */
static void test_null(void)
{
	struct netdev *nd = ndt_new("null,id=n0", 3);
	struct ndt_port p;
	uint8_t frame[60];

	g_assert_cmpstr(nd->ops->type, ==, "null");
	g_assert_cmpstr(nd->id, ==, "n0");
	g_assert_cmpuint(nd->queues, ==, 3);
	g_assert_false(nd->vnet_hdr);
	g_assert_cmpuint(nd->hdr_len, ==, 0);

	/* Sending needs no attached port */
	ndt_pattern(frame, sizeof(frame), 1);
	g_assert_cmpint(ndt_send(nd, 2, frame, sizeof(frame)), ==, 0);

	ndt_port_init(&p);
	ndt_port_attach(&p, nd, 1);
	for (unsigned int i = 0; i < 100; i++)
		g_assert_cmpint(ndt_send(nd, 1, frame, sizeof(frame)), ==, 0);
	nd->ops->rx_resume(nd, 1);
	ndt_port_pump(&p, 50);
	g_assert_cmpuint(p.frames->len, ==, 0);
	g_assert_cmpuint(p.dispatched, ==, 0);
	g_assert_cmpuint(p.receive_done, ==, 0);
	ndt_port_destroy(&p);
	netdev_free(nd);
	netdev_free(NULL);
}

/**
 * test_loopback() - Queue q's frames come back on queue q's port, at once
 */
static void test_loopback(void)
{
	struct netdev *nd = ndt_new("loopback,id=lo", 2);
	struct ndt_port p0, p1;
	uint8_t a[64], b[1514];
	struct iovec iov[3] = {
		{ b, 14 },
		{ b + 14, 0 },
		{ b + 14, sizeof(b) - 14 },
	};

	g_assert_cmpstr(nd->ops->type, ==, "loopback");
	g_assert_cmpuint(nd->queues, ==, 2);
	ndt_pattern(a, sizeof(a), 2);
	ndt_pattern(b, sizeof(b), 3);

	/* Not attached: refused, the device counts it */
	g_assert_cmpint(ndt_send(nd, 0, a, sizeof(a)), ==, -ENOLINK);

	ndt_port_init(&p0);
	ndt_port_init(&p1);
	ndt_port_attach(&p0, nd, 0);
	g_assert_cmpint(ndt_send(nd, 1, a, sizeof(a)), ==, -ENOLINK);
	ndt_port_attach(&p1, nd, 1);

	g_assert_cmpint(ndt_send(nd, 1, a, sizeof(a)), ==, 0);
	g_assert_cmpint(nd->ops->send(nd, 1, iov, 3), ==, 0);
	g_assert_cmpint(ndt_send(nd, 0, a, 1), ==, 0);

	/* Delivered inside send(): nothing to pump, nothing to wait for */
	g_assert_cmpuint(p1.frames->len, ==, 2);
	ndt_port_assert_frame(&p1, 0, a, sizeof(a));
	ndt_port_assert_frame(&p1, 1, b, sizeof(b));
	g_assert_cmpuint(p0.frames->len, ==, 1);
	ndt_port_assert_frame(&p0, 0, a, 1);
	/* Offered without waiting, no receive_done (the device flushes) */
	g_assert_cmpuint(p1.rx_nowait, ==, 2);
	g_assert_cmpuint(p0.rx_nowait, ==, 1);
	g_assert_cmpuint(p0.receive_done + p1.receive_done, ==, 0);
	g_assert_cmpuint(p0.dispatched + p1.dispatched, ==, 0);

	/* A guest without buffers: the frame is dropped, never held */
	p1.rx_full = true;
	g_assert_cmpint(ndt_send(nd, 1, a, sizeof(a)), ==, 0);
	g_assert_cmpuint(p1.rx_refused, ==, 0);
	g_assert_cmpuint(p1.frames->len, ==, 2);

	ndt_port_detach(&p1);
	g_assert_cmpint(ndt_send(nd, 1, a, sizeof(a)), ==, -ENOLINK);
	g_assert_cmpint(ndt_send(nd, 0, a, sizeof(a)), ==, 0);
	g_assert_cmpuint(p0.frames->len, ==, 2);

	ndt_port_destroy(&p0);
	ndt_port_destroy(&p1);
	netdev_free(nd);
}

/**
 * test_loopback_single() - One pair: one queue
 */
static void test_loopback_single(void)
{
	struct netdev *nd = ndt_new("type=loopback,id=lo", 1);

	g_assert_cmpuint(nd->queues, ==, 1);
	netdev_free(nd);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/netdev/null/basic", test_null);
	g_test_add_func("/netdev/loopback/basic", test_loopback);
	g_test_add_func("/netdev/loopback/single", test_loopback_single);
	return g_test_run();
}
