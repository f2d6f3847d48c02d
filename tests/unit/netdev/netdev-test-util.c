/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A fake device side for netdev unit tests: a netdev_port on an epoll loop.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "tests/unit/netdev/netdev-test-util.h"

/**
 * ndt_of() - The test port around a netdev_port
 * @port:	port handed to the netdev
 *
 * Return: the containing ndt_port
 */
static struct ndt_port *ndt_of(struct netdev_port *port)
{
	return port->opaque;
}

/**
 * ndt_find() - Slot watching @fd
 * @p:		port
 * @fd:		file descriptor
 *
 * Return: the slot, or NULL
 */
static struct ndt_watch *ndt_find(struct ndt_port *p, int fd)
{
	for (unsigned int i = 0; i < NDT_MAX_WATCHES; i++)
		if (p->watches[i].fd == fd)
			return &p->watches[i];
	return NULL;
}

/**
 * ndt_watch() - port->watch: add @fd to the epoll loop
 * @port:	port
 * @fd:		file descriptor
 * @events:	epoll events
 * @cb:		callback
 * @opaque:	its argument
 * @errp:	error
 *
 * Return: true on success; an fd already watched is refused
 */
static bool ndt_watch(struct netdev_port *port, int fd, uint32_t events,
		      void (*cb)(void *opaque, uint32_t revents), void *opaque,
		      struct error **errp)
{
	struct ndt_port *p = ndt_of(port);
	struct epoll_event ev = { .events = events, .data.fd = fd };
	struct ndt_watch *w;

	if (ndt_find(p, fd)) {
		error_setg(errp, "test port: fd %d is already watched", fd);
		return false;
	}
	w = ndt_find(p, -1);
	if (!w) {
		error_setg(errp, "test port: too many watches");
		return false;
	}
	if (epoll_ctl(p->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		error_setg_errno(errp, errno, "test port: cannot watch fd %d",
				 fd);
		return false;
	}
	*w = (struct ndt_watch){ fd, events, cb, opaque };
	return true;
}

/**
 * ndt_watch_modify() - port->watch_modify: new events for a watched fd
 * @port:	port
 * @fd:		watched file descriptor
 * @events:	epoll events (0 pauses the watch)
 * @errp:	error
 *
 * Return: true on success
 */
static bool ndt_watch_modify(struct netdev_port *port, int fd, uint32_t events,
			     struct error **errp)
{
	struct ndt_port *p = ndt_of(port);
	struct epoll_event ev = { .events = events, .data.fd = fd };
	struct ndt_watch *w = ndt_find(p, fd);

	if (!w) {
		error_setg(errp, "test port: fd %d is not watched", fd);
		return false;
	}
	if (epoll_ctl(p->epfd, EPOLL_CTL_MOD, fd, &ev)) {
		error_setg_errno(errp, errno, "test port: cannot modify fd %d",
				 fd);
		return false;
	}
	w->events = events;
	return true;
}

/**
 * ndt_unwatch() - port->unwatch: drop the watch of @fd, if any
 * @port:	port
 * @fd:		file descriptor
 */
static void ndt_unwatch(struct netdev_port *port, int fd)
{
	struct ndt_port *p = ndt_of(port);
	struct ndt_watch *w = ndt_find(p, fd);

	if (!w || fd < 0)
		return;
	epoll_ctl(p->epfd, EPOLL_CTL_DEL, fd, NULL);
	w->fd = -1;
}

/**
 * ndt_receive() - port->receive: record the frame, or refuse it when full
 * @port:	port
 * @iov:	frame
 * @cnt:	entries in @iov
 * @can_wait:	the netdev can hold the frame
 *
 * Return: 0 if recorded, -EAGAIN if rx_full and @can_wait
 */
static int ndt_receive(struct netdev_port *port, const struct iovec *iov,
		       unsigned int cnt, bool can_wait)
{
	struct ndt_port *p = ndt_of(port);
	GByteArray *b;

	if (!can_wait)
		p->rx_nowait++;
	if (p->rx_full) {
		if (can_wait) {
			p->rx_refused++;
			return -EAGAIN;
		}
		return 0; /* dropped, as the device does */
	}
	b = g_byte_array_new();
	for (unsigned int i = 0; i < cnt; i++)
		g_byte_array_append(b, iov[i].iov_base, iov[i].iov_len);
	g_ptr_array_add(p->frames, g_byte_array_free_to_bytes(b));
	return 0;
}

/**
 * ndt_receive_done() - port->receive_done: count it
 * @port:	port
 */
static void ndt_receive_done(struct netdev_port *port)
{
	ndt_of(port)->receive_done++;
}

/**
 * ndt_tx_ready() - port->tx_ready: count it
 * @port:	port
 */
static void ndt_tx_ready(struct netdev_port *port)
{
	ndt_of(port)->tx_ready++;
}

/**
 * ndt_port_init() - Initialise a port with its own epoll instance
 * @p:		port
 */
void ndt_port_init(struct ndt_port *p)
{
	memset(p, 0, sizeof(*p));
	p->port.watch = ndt_watch;
	p->port.watch_modify = ndt_watch_modify;
	p->port.unwatch = ndt_unwatch;
	p->port.receive = ndt_receive;
	p->port.receive_done = ndt_receive_done;
	p->port.tx_ready = ndt_tx_ready;
	p->port.opaque = p;
	for (unsigned int i = 0; i < NDT_MAX_WATCHES; i++)
		p->watches[i].fd = -1;
	p->epfd = epoll_create1(EPOLL_CLOEXEC);
	g_assert_cmpint(p->epfd, >=, 0);
	p->frames =
		g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
}

/**
 * ndt_port_destroy() - Detach if attached and release the port
 * @p:		port
 */
void ndt_port_destroy(struct ndt_port *p)
{
	if (p->nd)
		ndt_port_detach(p);
	g_ptr_array_free(p->frames, TRUE);
	p->frames = NULL;
	close(p->epfd);
	p->epfd = -1;
}

/**
 * ndt_port_attach() - Attach the port to queue @q of @nd
 * @p:		port
 * @nd:		netdev
 * @q:		its queue
 */
void ndt_port_attach(struct ndt_port *p, struct netdev *nd, unsigned int q)
{
	struct error *err = NULL;

	g_assert_null(p->nd);
	if (!nd->ops->attach(nd, q, &p->port, &err))
		g_error("attach of queue %u failed: %s", q,
			error_get_pretty(err));
	p->nd = nd;
	p->q = q;
}

/**
 * ndt_port_detach() - Drop every watch, then detach from the netdev
 * @p:		port, attached
 */
void ndt_port_detach(struct ndt_port *p)
{
	g_assert_nonnull(p->nd);
	for (unsigned int i = 0; i < NDT_MAX_WATCHES; i++)
		if (p->watches[i].fd >= 0)
			ndt_unwatch(&p->port, p->watches[i].fd);
	p->nd->ops->detach(p->nd, p->q);
	p->nd = NULL;
}

/**
 * ndt_port_watched() - Whether @fd is watched
 * @p:		port
 * @fd:		file descriptor
 * @events:	set to the events watched if not NULL
 *
 * Return: true if watched
 */
bool ndt_port_watched(const struct ndt_port *p, int fd, uint32_t *events)
{
	for (unsigned int i = 0; i < NDT_MAX_WATCHES; i++) {
		if (p->watches[i].fd == fd && fd >= 0) {
			if (events)
				*events = p->watches[i].events;
			return true;
		}
	}
	return false;
}

/**
 * ndt_port_poll() - Run the callbacks of ready fds once
 * @p:		port
 * @timeout_ms:	longest wait
 *
 * A callback may unwatch other fds: each event is looked up again first.
 *
 * Return: callbacks run
 */
int ndt_port_poll(struct ndt_port *p, int timeout_ms)
{
	struct epoll_event ev[NDT_MAX_WATCHES];
	int n, run = 0;

	do {
		n = epoll_wait(p->epfd, ev, NDT_MAX_WATCHES, timeout_ms);
	} while (n < 0 && errno == EINTR);
	g_assert_cmpint(n, >=, 0);
	for (int i = 0; i < n; i++) {
		struct ndt_watch *w = ndt_find(p, ev[i].data.fd);

		if (!w)
			continue;
		w->cb(w->opaque, ev[i].events);
		p->dispatched++;
		run++;
	}
	return run;
}

/**
 * ndt_now_ms() - Monotonic time
 *
 * Return: milliseconds
 */
static int64_t ndt_now_ms(void)
{
	return g_get_monotonic_time() / 1000;
}

/**
 * ndt_port_pump() - Run the loop for about @ms milliseconds
 * @p:		port
 * @ms:		duration
 */
void ndt_port_pump(struct ndt_port *p, int ms)
{
	int64_t end = ndt_now_ms() + ms;
	int64_t left;

	while ((left = end - ndt_now_ms()) > 0)
		ndt_port_poll(p, (int)left);
}

/**
 * ndt_port_pump_until() - Run the loop until a condition holds
 * @p:		port
 * @cond:	condition, checked before each wait
 * @data:	its argument
 * @timeout_ms:	longest total wait
 *
 * Return: whether @cond held in time
 */
bool ndt_port_pump_until(struct ndt_port *p,
			 bool (*cond)(struct ndt_port *p, void *data),
			 void *data, int timeout_ms)
{
	int64_t end = ndt_now_ms() + timeout_ms;
	int64_t left;

	while (!cond(p, data)) {
		left = end - ndt_now_ms();
		if (left <= 0)
			return false;
		/* Short slices: a condition may change without any fd event */
		ndt_port_poll(p, left < 50 ? (int)left : 50);
	}
	return true;
}

/**
 * ndt_has_frames() - Condition: at least *@data frames received
 * @p:		port
 * @data:	unsigned int count
 *
 * Return: whether enough frames arrived
 */
static bool ndt_has_frames(struct ndt_port *p, void *data)
{
	return p->frames->len >= *(unsigned int *)data;
}

/**
 * ndt_port_wait_frames() - Pump until @n frames were received
 * @p:		port
 * @n:		frames expected in total
 * @timeout_ms:	longest wait
 *
 * Return: whether they arrived
 */
bool ndt_port_wait_frames(struct ndt_port *p, unsigned int n, int timeout_ms)
{
	return ndt_port_pump_until(p, ndt_has_frames, &n, timeout_ms);
}

/**
 * ndt_had_tx_ready() - Condition: tx_ready called at least *@data times
 * @p:		port
 * @data:	unsigned int count
 *
 * Return: whether it was
 */
static bool ndt_had_tx_ready(struct ndt_port *p, void *data)
{
	return p->tx_ready >= *(unsigned int *)data;
}

/**
 * ndt_port_wait_tx_ready() - Pump until tx_ready was called @n times
 * @p:		port
 * @n:		calls expected in total
 * @timeout_ms:	longest wait
 *
 * Return: whether they happened
 */
bool ndt_port_wait_tx_ready(struct ndt_port *p, unsigned int n, int timeout_ms)
{
	return ndt_port_pump_until(p, ndt_had_tx_ready, &n, timeout_ms);
}

/**
 * ndt_ports_wait_frames() - Pump two ports until both have enough frames
 * @a:		first port
 * @na:		frames expected on @a in total
 * @b:		second port
 * @nb:		frames expected on @b in total
 * @timeout_ms:	longest wait
 *
 * Return: whether both got them
 */
bool ndt_ports_wait_frames(struct ndt_port *a, unsigned int na,
			   struct ndt_port *b, unsigned int nb, int timeout_ms)
{
	int64_t end = ndt_now_ms() + timeout_ms;

	while (a->frames->len < na || b->frames->len < nb) {
		if (ndt_now_ms() >= end)
			return false;
		/* Short slices on each: either may be the one with work */
		ndt_port_poll(a, 5);
		ndt_port_poll(b, 5);
	}
	return true;
}

/**
 * ndt_port_frame() - A received frame
 * @p:		port
 * @i:		its index
 *
 * Return: the frame, owned by @p
 */
GBytes *ndt_port_frame(const struct ndt_port *p, unsigned int i)
{
	g_assert_cmpuint(i, <, p->frames->len);
	return g_ptr_array_index(p->frames, i);
}

/**
 * ndt_port_assert_frame() - Check the contents of a received frame
 * @p:		port
 * @i:		its index
 * @data:	expected bytes
 * @len:	expected length
 */
void ndt_port_assert_frame(const struct ndt_port *p, unsigned int i,
			   const void *data, size_t len)
{
	gsize got_len;
	const void *got = g_bytes_get_data(ndt_port_frame(p, i), &got_len);

	g_assert_cmpmem(got, got_len, data, len);
}

/**
 * ndt_port_clear_frames() - Forget the frames received so far
 * @p:		port
 */
void ndt_port_clear_frames(struct ndt_port *p)
{
	g_ptr_array_set_size(p->frames, 0);
}

/**
 * ndt_new() - Create a netdev that must succeed
 * @spec:	-netdev specification
 * @pairs:	queue pairs of the device
 *
 * Return: the netdev
 */
struct netdev *ndt_new(const char *spec, unsigned int pairs)
{
	struct error *err = NULL;
	struct netdev *nd = netdev_new(spec, pairs, &err);

	if (!nd)
		g_error("netdev_new(\"%s\") failed: %s", spec,
			error_get_pretty(err));
	return nd;
}

/**
 * ndt_new_error() - Create a netdev that must fail
 * @spec:	-netdev specification
 * @pairs:	queue pairs of the device
 *
 * Return: the error message, to g_free()
 */
char *ndt_new_error(const char *spec, unsigned int pairs)
{
	struct error *err = NULL;
	struct netdev *nd = netdev_new(spec, pairs, &err);
	char *msg;

	if (nd)
		g_error("netdev_new(\"%s\") succeeded, expected an error",
			spec);
	g_assert_nonnull(err);
	msg = g_strdup(error_get_pretty(err));
	error_free(err);
	return msg;
}

/**
 * ndt_send() - Send one flat frame
 * @nd:		netdev
 * @q:		queue
 * @data:	frame
 * @len:	its length
 *
 * Return: what ops->send returned
 */
int ndt_send(struct netdev *nd, unsigned int q, const void *data, size_t len)
{
	struct iovec iov = { (void *)data, len };

	return nd->ops->send(nd, q, &iov, 1);
}

/**
 * ndt_pattern() - Fill a buffer with a recognisable pattern
 * @buf:	buffer
 * @len:	its length
 * @seed:	varies the pattern
 */
void ndt_pattern(void *buf, size_t len, uint8_t seed)
{
	uint8_t *b = buf;

	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)(i * 7 + seed + (i >> 8));
}

/**
 * ndt_tmpdir() - A new private directory for socket paths
 *
 * Return: its path, to g_free() after rmdir()
 */
char *ndt_tmpdir(void)
{
	GError *gerr = NULL;
	char *dir = g_dir_make_tmp("qd-netdev-XXXXXX", &gerr);

	g_assert_no_error(gerr);
	return dir;
}
