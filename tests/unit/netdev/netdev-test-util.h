/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A fake device side for netdev unit tests: one struct netdev_port served by
 * an epoll loop on the test thread.
 *
 * A test creates a netdev, attaches a struct ndt_port to queue q (it stands
 * for the worker thread of pair q) and pumps the port's loop with a bounded
 * wait: callbacks the netdev registered with port->watch run there, frames it
 * delivers with port->receive are recorded, and receive_done/tx_ready are
 * counted. Setting rx_full makes receive() answer -EAGAIN to frames offered
 * with can_wait, as a guest without receive buffers does; clear it and call
 * ops->rx_resume to let the netdev offer the held frame again.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TESTS_UNIT_NETDEV_TEST_UTIL_H
#define QD_TESTS_UNIT_NETDEV_TEST_UTIL_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/net/netdev.h"

/* Default bound of every wait in the tests */
#define NDT_TIMEOUT_MS 5000
/* fds one port can watch at once */
#define NDT_MAX_WATCHES 8

struct ndt_watch {
	int fd; /* -1: free slot */
	uint32_t events;
	void (*cb)(void *opaque, uint32_t revents);
	void *opaque;
};

struct ndt_port {
	struct netdev_port port; /* handed to ops->attach */
	int epfd;
	struct ndt_watch watches[NDT_MAX_WATCHES];
	GPtrArray *frames;	   /* GBytes of each frame taken by receive() */
	bool rx_full;		   /* receive(can_wait) answers -EAGAIN */
	unsigned int rx_refused;   /* -EAGAIN answers given */
	unsigned int rx_nowait;	   /* frames offered with !can_wait */
	unsigned int receive_done; /* receive_done() calls */
	unsigned int tx_ready;	   /* tx_ready() calls */
	unsigned int dispatched;   /* watch callbacks run (spin checks) */
	struct netdev *nd;	   /* attached to, or NULL */
	unsigned int q;		   /* queue attached to */
};

/* ndt_port_init() - an empty port with its own epoll instance */
void ndt_port_init(struct ndt_port *p);
/* ndt_port_destroy() - detach if attached, free frames, close epoll */
void ndt_port_destroy(struct ndt_port *p);
/* ndt_port_attach() - ops->attach(@nd, @q, port); asserts success */
void ndt_port_attach(struct ndt_port *p, struct netdev *nd, unsigned int q);
/* ndt_port_detach() - drop every watch, then ops->detach */
void ndt_port_detach(struct ndt_port *p);
/* ndt_port_watched() - whether @fd is watched, and for which events */
bool ndt_port_watched(const struct ndt_port *p, int fd, uint32_t *events);

/*
 * ndt_port_poll() - wait up to @timeout_ms for watched fds, run their
 * callbacks once. Return: callbacks run (0 on timeout)
 */
int ndt_port_poll(struct ndt_port *p, int timeout_ms);
/* ndt_port_pump() - run the loop for about @ms milliseconds */
void ndt_port_pump(struct ndt_port *p, int ms);
/*
 * ndt_port_pump_until() - run the loop until @cond(@p, @data) holds, at most
 * @timeout_ms. Return: whether @cond held
 */
bool ndt_port_pump_until(struct ndt_port *p,
			 bool (*cond)(struct ndt_port *p, void *data),
			 void *data, int timeout_ms);
/* ndt_port_wait_frames() - pump until @n frames were received */
bool ndt_port_wait_frames(struct ndt_port *p, unsigned int n, int timeout_ms);
/* ndt_port_wait_tx_ready() - pump until tx_ready was called @n times */
bool ndt_port_wait_tx_ready(struct ndt_port *p, unsigned int n, int timeout_ms);
/*
 * ndt_ports_wait_frames() - pump two ports in turn (two netdevs talking to
 * each other) until @a has @na frames and @b has @nb
 */
bool ndt_ports_wait_frames(struct ndt_port *a, unsigned int na,
			   struct ndt_port *b, unsigned int nb, int timeout_ms);
/* ndt_port_frame() - received frame @i; asserts it exists */
GBytes *ndt_port_frame(const struct ndt_port *p, unsigned int i);
/* ndt_port_assert_frame() - received frame @i equals @data/@len */
void ndt_port_assert_frame(const struct ndt_port *p, unsigned int i,
			   const void *data, size_t len);
/* ndt_port_clear_frames() - forget the frames received so far */
void ndt_port_clear_frames(struct ndt_port *p);

/* ndt_new() - netdev_new(@spec, @pairs); asserts success */
struct netdev *ndt_new(const char *spec, unsigned int pairs);
/* ndt_new_error() - netdev_new() must fail; Return: its message (g_free) */
char *ndt_new_error(const char *spec, unsigned int pairs);
/* ndt_send() - ops->send of one flat frame on queue @q */
int ndt_send(struct netdev *nd, unsigned int q, const void *data, size_t len);
/* ndt_pattern() - fill @buf with bytes derived from @seed and the offset */
void ndt_pattern(void *buf, size_t len, uint8_t seed);
/* ndt_tmpdir() - a new private directory for sockets (g_free; rmdir it) */
char *ndt_tmpdir(void);

#endif /* QD_TESTS_UNIT_NETDEV_TEST_UTIL_H */
