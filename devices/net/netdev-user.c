/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The user netdev: user-mode networking with libslirp, as QEMU's -netdev user.
 *
 * libslirp is not thread-safe, so one Slirp instance lives on a thread of its
 * own: a poll loop over slirp's sockets and timers. Frames cross between that
 * thread and the device over a SOCK_SEQPACKET socket pair, one message per
 * frame, so no lock is ever held across a slirp call:
 *
 *   send() (any pair's worker)  --> device end ==> slirp end --> slirp_input()
 *   queue 0's worker <-- receive() <-- device end <== slirp end <-- send_packet
 *
 * The device end is non-blocking: a full pair makes send() return -EAGAIN
 * and the worker of queue 0 watches for EPOLLOUT, then calls tx_ready. The
 * slirp thread waits a little for room before it drops a frame for the
 * guest (TCP retransmits, as with a full link). There is one queue: a device
 * with several pairs sends through it from every pair's worker.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <slirp/libslirp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "devices/net/netdev-int.h"
#include "util/log.h"
#include "util/thread.h"

/* Frames offered to the guest, or to slirp, before doing other work */
#define USER_BURST 64
/* How long the slirp thread waits for the guest to make room for a frame */
#define USER_SEND_WAIT_MS 10
/* Socket buffer of each end of the frame pair (capped by wmem_max) */
#define USER_SOCKBUF (1 << 20)
/* Messages per second about dropped frames or guest errors */
#define USER_LOG_PER_SEC 5
/* Longest hostname= slirp keeps (its client_hostname buffer) */
#define USER_HOSTNAME_MAX 32
/* Timer expiries handled in one pass (a handler may re-arm its timer) */
#define USER_TIMER_PASSES 16

/* A timer slirp created (timer_new_opaque), run by the slirp thread */
struct user_timer {
	struct user_timer *next;
	SlirpTimerId id;
	void *cb_opaque;
	int64_t expire_ms; /* on clock_get_ns() / 1000000; -1: not armed */
};

/* A rate limit shared by threads: approximate, never blocks */
struct user_ratelimit {
	_Atomic long sec;
	atomic_uint count;
};

struct user {
	struct netdev nd;
	Slirp *slirp;
	int dev_fd;    /* device end of the frame socket pair */
	int slirp_fd;  /* slirp end */
	int stop_fd;   /* eventfd: the slirp thread returns */
	int txwait_fd; /* eventfd: a send() saw EAGAIN, watch EPOLLOUT */
	pthread_t thread;
	bool thread_started;

	/* Slirp thread (and creation/free, while it does not run) */
	struct pollfd *pfd;
	unsigned int npfd, pfd_size;
	struct user_timer *timers;
	uint8_t *in_buf; /* a frame on its way to slirp_input() */
	struct user_ratelimit slirp_log;

	/* Queue 0's worker */
	struct netdev_port *port; /* while attached */
	atomic_bool attached;	  /* read by send() on any pair's worker */
	uint32_t events;	  /* what the watch of dev_fd asks for */
	bool rx_held;		  /* receive() said -EAGAIN: rx_buf holds it */
	bool tx_blocked;	  /* waiting for EPOLLOUT on dev_fd */
	size_t held_len;
	uint8_t *rx_buf;
	struct user_ratelimit dev_log; /* any pair's worker */
};

/* Options, as parsed; strings point into the netdev's arguments */
struct user_opts {
	struct in_addr net, mask, host, dhcp, dns;
	bool ipv4, ipv6, restricted;
	struct in6_addr net6, host6, dns6;
	uint8_t net6_len;
	const char *hostname, *domainname, *tftp, *bootfile, *tftp_server;
	const char **dnssearch; /* NULL-terminated, or NULL */
};

/**
 * user_log_ok() - Rate limit of messages, safe from any thread
 * @rl:		limit
 *
 * Return: true if a message may be logged now
 */
static bool user_log_ok(struct user_ratelimit *rl)
{
	struct timespec ts;
	long sec;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	sec = (long)ts.tv_sec;
	if (atomic_exchange_explicit(&rl->sec, sec, memory_order_relaxed) !=
	    sec)
		atomic_store_explicit(&rl->count, 0, memory_order_relaxed);
	return atomic_fetch_add_explicit(&rl->count, 1, memory_order_relaxed) <
	       USER_LOG_PER_SEC;
}

/* ---- The slirp thread: callbacks, timers and the poll loop ---- */

/**
 * user_clock_ns() - SlirpCb.clock_get_ns: the monotonic clock
 * @opaque:	user netdev
 *
 * Return: nanoseconds
 */
static int64_t user_clock_ns(void *opaque)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/**
 * user_send_packet() - SlirpCb.send_packet: a frame for the guest
 * @buf:	Ethernet frame
 * @len:	its length
 * @opaque:	user netdev
 *
 * Waits up to USER_SEND_WAIT_MS for room, then drops the frame: a guest
 * that posts no receive buffers must not stall slirp for long. A negative
 * return would only make libslirp log a critical message.
 *
 * Return: @len
 */
static ssize_t user_send_packet(const void *buf, size_t len, void *opaque)
{
	struct user *u = opaque;
	struct pollfd pfd[2] = {
		{ .fd = u->slirp_fd, .events = POLLOUT },
		{ .fd = u->stop_fd, .events = POLLIN },
	};

	for (int tries = 0; tries < 2; tries++) {
		if (send(u->slirp_fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) >=
		    0)
			return (ssize_t)len;
		if (errno != EAGAIN && errno != EINTR)
			break;
		if (errno == EAGAIN && poll(pfd, 2, USER_SEND_WAIT_MS) >= 0 &&
		    pfd[1].revents)
			break;
	}
	if (user_log_ok(&u->slirp_log))
		log_debug("netdev %s: frame of %zu bytes for the guest "
			  "dropped: %s",
			  u->nd.id, len, strerror(errno));
	return (ssize_t)len;
}

/**
 * user_guest_error() - SlirpCb.guest_error: the guest sent something bad
 * @msg:	libslirp's description
 * @opaque:	user netdev
 */
static void user_guest_error(const char *msg, void *opaque)
{
	struct user *u = opaque;

	if (user_log_ok(&u->slirp_log))
		log_warn("netdev %s: guest error: %s", u->nd.id, msg);
}

/**
 * user_timer_new() - SlirpCb.timer_new_opaque: a new, unarmed timer
 * @id:		which slirp timer
 * @cb_opaque:	passed back to slirp_handle_timer()
 * @opaque:	user netdev
 *
 * Return: the timer, or NULL if out of memory
 */
static void *user_timer_new(SlirpTimerId id, void *cb_opaque, void *opaque)
{
	struct user *u = opaque;
	struct user_timer *t = calloc(1, sizeof(*t));

	if (!t) {
		log_err("netdev %s: out of memory for a slirp timer", u->nd.id);
		return NULL;
	}
	t->id = id;
	t->cb_opaque = cb_opaque;
	t->expire_ms = -1;
	t->next = u->timers;
	u->timers = t;
	return t;
}

/**
 * user_timer_free() - SlirpCb.timer_free
 * @timer:	timer from user_timer_new(), or NULL
 * @opaque:	user netdev
 */
static void user_timer_free(void *timer, void *opaque)
{
	struct user *u = opaque;

	for (struct user_timer **p = &u->timers; *p; p = &(*p)->next) {
		if (*p == timer) {
			*p = (*p)->next;
			free(timer);
			return;
		}
	}
}

/**
 * user_timer_mod() - SlirpCb.timer_mod: arm a timer
 * @timer:	timer, or NULL
 * @expire_time: when, in milliseconds of user_clock_ns()
 * @opaque:	user netdev
 */
static void user_timer_mod(void *timer, int64_t expire_time, void *opaque)
{
	struct user_timer *t = timer;

	if (t)
		t->expire_ms = expire_time < 0 ? 0 : expire_time;
}

/**
 * user_poll_fd_noop() - SlirpCb.register_poll_fd/unregister_poll_fd
 * @fd:		socket
 * @opaque:	user netdev
 *
 * slirp_pollfds_fill() hands us every socket on each pass: nothing to keep.
 */
static void user_poll_fd_noop(int fd, void *opaque)
{
}

/**
 * user_notify() - SlirpCb.notify: slirp has new work
 * @opaque:	user netdev
 *
 * Only called from inside slirp calls on the slirp thread, which fills its
 * poll set again right after them.
 */
static void user_notify(void *opaque)
{
}

static const SlirpCb user_slirp_cb = {
	.send_packet = user_send_packet,
	.guest_error = user_guest_error,
	.clock_get_ns = user_clock_ns,
	.timer_free = user_timer_free,
	.timer_mod = user_timer_mod,
	.register_poll_fd = user_poll_fd_noop,
	.unregister_poll_fd = user_poll_fd_noop,
	.notify = user_notify,
	.timer_new_opaque = user_timer_new,
};

/**
 * user_pfd_add() - Add a descriptor to the slirp thread's poll set
 * @u:		user netdev
 * @fd:		descriptor
 * @events:	poll events
 *
 * Return: its index, or -1 if out of memory (slirp then skips it)
 */
static int user_pfd_add(struct user *u, int fd, short events)
{
	if (u->npfd == u->pfd_size) {
		unsigned int size = u->pfd_size ? u->pfd_size * 2 : 16;
		struct pollfd *p = realloc(u->pfd, size * sizeof(*p));

		if (!p)
			return -1;
		u->pfd = p;
		u->pfd_size = size;
	}
	u->pfd[u->npfd] = (struct pollfd){ .fd = fd, .events = events };
	return (int)u->npfd++;
}

/**
 * user_add_poll() - SlirpAddPollCb: slirp wants @fd polled
 * @fd:		socket
 * @events:	SLIRP_POLL_*
 * @opaque:	user netdev
 *
 * Return: index for user_get_revents(), or -1
 */
static int user_add_poll(int fd, int events, void *opaque)
{
	short ev = 0;

	if (events & SLIRP_POLL_IN)
		ev |= POLLIN;
	if (events & SLIRP_POLL_OUT)
		ev |= POLLOUT;
	if (events & SLIRP_POLL_PRI)
		ev |= POLLPRI;
	return user_pfd_add(opaque, fd, ev);
}

/**
 * user_get_revents() - SlirpGetREventsCb: what poll() found for an index
 * @idx:	index from user_add_poll()
 * @opaque:	user netdev
 *
 * Return: SLIRP_POLL_* events
 */
static int user_get_revents(int idx, void *opaque)
{
	struct user *u = opaque;
	short re;
	int ev = 0;

	if (idx < 0 || (unsigned int)idx >= u->npfd)
		return 0;
	re = u->pfd[idx].revents;
	if (re & POLLIN)
		ev |= SLIRP_POLL_IN;
	if (re & POLLOUT)
		ev |= SLIRP_POLL_OUT;
	if (re & POLLPRI)
		ev |= SLIRP_POLL_PRI;
	if (re & (POLLERR | POLLNVAL))
		ev |= SLIRP_POLL_ERR;
	if (re & POLLHUP)
		ev |= SLIRP_POLL_HUP;
	return ev;
}

/**
 * user_timeout_ms() - How long the slirp thread may sleep
 * @u:		user netdev
 * @slirp_ms:	what slirp_pollfds_fill() left (UINT32_MAX: no limit)
 *
 * Return: poll() timeout: until the next timer or slirp's limit, -1 if none
 */
static int user_timeout_ms(struct user *u, uint32_t slirp_ms)
{
	int64_t now = user_clock_ns(u) / 1000000;
	int64_t ms = slirp_ms == UINT32_MAX ? -1 : (int64_t)slirp_ms;

	for (struct user_timer *t = u->timers; t; t = t->next) {
		int64_t left;

		if (t->expire_ms < 0)
			continue;
		left = t->expire_ms > now ? t->expire_ms - now : 0;
		if (ms < 0 || left < ms)
			ms = left;
	}
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

/**
 * user_run_timers() - Fire the timers that expired
 * @u:		user netdev
 *
 * A handler may arm, create or free timers: the list is walked again after
 * each one, a bounded number of times.
 */
static void user_run_timers(struct user *u)
{
	int64_t now = user_clock_ns(u) / 1000000;

	for (unsigned int pass = 0; pass < USER_TIMER_PASSES; pass++) {
		struct user_timer *t = u->timers;

		while (t && (t->expire_ms < 0 || t->expire_ms > now))
			t = t->next;
		if (!t)
			return;
		t->expire_ms = -1;
		slirp_handle_timer(u->slirp, t->id, t->cb_opaque);
	}
}

/**
 * user_input() - Hand frames from the device to slirp
 * @u:		user netdev
 */
static void user_input(struct user *u)
{
	for (unsigned int n = 0; n < USER_BURST; n++) {
		ssize_t len = recv(u->slirp_fd, u->in_buf, NETDEV_MAX_FRAME,
				   MSG_DONTWAIT | MSG_TRUNC);

		if (len < 0 && errno == EINTR)
			continue;
		if (len <= 0)
			return;
		if (len > NETDEV_MAX_FRAME || len > INT_MAX)
			continue; /* cannot happen: send() has the same bound */
		slirp_input(u->slirp, u->in_buf, (int)len);
	}
}

/**
 * user_thread() - The slirp thread: poll slirp's sockets, the frames from
 * the device and the stop eventfd; run slirp's timers
 * @opaque:	user netdev
 *
 * Return: NULL
 */
static void *user_thread(void *opaque)
{
	struct user *u = opaque;

	pthread_setname_np(pthread_self(), "qd-slirp");
	for (;;) {
		uint32_t slirp_ms = UINT32_MAX;
		int r;

		u->npfd = 0;
		if (user_pfd_add(u, u->stop_fd, POLLIN) != 0 ||
		    user_pfd_add(u, u->slirp_fd, POLLIN) != 1) {
			log_err("netdev %s: out of memory, slirp stops",
				u->nd.id);
			return NULL;
		}
		slirp_pollfds_fill(u->slirp, &slirp_ms, user_add_poll, u);
		r = poll(u->pfd, u->npfd, user_timeout_ms(u, slirp_ms));
		if (r < 0 && errno != EINTR) {
			log_err("netdev %s: poll: %s, slirp stops", u->nd.id,
				strerror(errno));
			return NULL;
		}
		if (r > 0 && u->pfd[0].revents)
			return NULL;
		if (r > 0 && u->pfd[1].revents)
			user_input(u);
		slirp_pollfds_poll(u->slirp, r < 0, user_get_revents, u);
		user_run_timers(u);
	}
}

/* ---- The device side, on the workers ---- */

/**
 * user_update_watch() - Ask queue 0's worker for the events needed now
 * @u:		user netdev, attached
 *
 * EPOLLIN unless a frame is held, EPOLLOUT while a send waits for room.
 */
static void user_update_watch(struct user *u)
{
	uint32_t events = 0;
	struct error *err = NULL;

	if (!u->port)
		return;
	if (!u->rx_held)
		events |= EPOLLIN;
	if (u->tx_blocked)
		events |= EPOLLOUT;
	if (events == u->events)
		return;
	if (!u->port->watch_modify(u->port, u->dev_fd, events, &err)) {
		error_prepend(&err, "netdev %s: ", u->nd.id);
		error_report_err(err);
		return;
	}
	u->events = events;
}

/**
 * user_rx_burst() - Offer frames from slirp to the guest, a burst at most
 * @u:		user netdev, attached
 *
 * A held frame goes first; when the guest has no buffers it stays held and
 * reading pauses until rx_resume. The guest is notified once.
 */
static void user_rx_burst(struct user *u)
{
	unsigned int n, taken = 0;
	struct iovec iov;
	ssize_t len;
	int r;

	for (n = 0; n < USER_BURST; n++) {
		if (!u->rx_held) {
			len = recv(u->dev_fd, u->rx_buf, NETDEV_MAX_FRAME,
				   MSG_DONTWAIT);
			if (len < 0 && errno == EINTR)
				continue;
			if (len <= 0)
				break;
			u->held_len = (size_t)len;
		}
		iov.iov_base = u->rx_buf;
		iov.iov_len = u->held_len;
		r = u->port->receive(u->port, &iov, 1, true);
		if (r == -EAGAIN) {
			u->rx_held = true;
			break;
		}
		u->rx_held = false;
		taken++;
	}
	user_update_watch(u);
	if (taken)
		u->port->receive_done(u->port);
}

/**
 * user_dev_event() - The worker saw events on the device end
 * @opaque:	user netdev
 * @revents:	ready epoll events
 */
static void user_dev_event(void *opaque, uint32_t revents)
{
	struct user *u = opaque;

	if (!u->port)
		return;
	if ((revents & (EPOLLOUT | EPOLLERR | EPOLLHUP)) && u->tx_blocked) {
		u->tx_blocked = false;
		user_update_watch(u);
		u->port->tx_ready(u->port);
	}
	if ((revents & (EPOLLIN | EPOLLHUP)) && !u->rx_held && u->port)
		user_rx_burst(u);
}

/**
 * user_txwait_event() - A send() saw a full pair: watch for room
 * @opaque:	user netdev
 * @revents:	ready epoll events
 *
 * The send() may have run on another pair's worker, which must not touch
 * queue 0's watch: it signals this eventfd instead. EPOLLOUT is level
 * triggered, so room made in between is not missed.
 */
static void user_txwait_event(void *opaque, uint32_t revents)
{
	struct user *u = opaque;
	uint64_t v;

	if (read(u->txwait_fd, &v, sizeof(v)) < 0 || !u->port)
		return;
	u->tx_blocked = true;
	user_update_watch(u);
}

/**
 * user_start_thread() - Start the slirp thread, with no asynchronous signal
 * @u:		user netdev, slirp created
 * @errp:	error
 *
 * Called at the first attach, not at creation: by then the sandbox is on,
 * so the thread starts without the capabilities of set-up (they are per
 * thread). Host connections to a hostfwd port wait in its backlog until
 * then.
 *
 * Return: true if running
 */
static bool user_start_thread(struct user *u, struct error **errp)
{
	int r;

	r = thread_create_quiet(&u->thread, user_thread, u);
	if (r) {
		error_setg_errno(errp, r, "cannot start the slirp thread");
		return false;
	}
	u->thread_started = true;
	return true;
}

/**
 * user_attach() - Queue 0's receive side starts: watch the device end
 * @nd:		user netdev
 * @q:		queue, 0
 * @port:	the device's port for pair 0
 * @errp:	error
 *
 * Return: true if watched
 */
static bool user_attach(struct netdev *nd, unsigned int q,
			struct netdev_port *port, struct error **errp)
{
	struct user *u = (struct user *)nd;

	if (q != 0) {
		error_setg(errp, "netdev %s: user has one queue, not %u",
			   nd->id, q);
		return false;
	}
	if (!u->thread_started && !user_start_thread(u, errp))
		goto fail;
	if (!port->watch(port, u->dev_fd, EPOLLIN, user_dev_event, u, errp))
		goto fail;
	if (!port->watch(port, u->txwait_fd, EPOLLIN, user_txwait_event, u,
			 errp)) {
		port->unwatch(port, u->dev_fd);
		goto fail;
	}
	u->port = port;
	u->events = EPOLLIN;
	atomic_store(&u->attached, true);
	return true;

fail:
	error_prepend(errp, "netdev %s: ", nd->id);
	return false;
}

/**
 * user_detach() - Queue 0's receive side stopped: forget its port
 * @nd:		user netdev
 * @q:		queue, 0
 *
 * A held frame is dropped, as a link may drop frames.
 */
static void user_detach(struct netdev *nd, unsigned int q)
{
	struct user *u = (struct user *)nd;

	atomic_store(&u->attached, false);
	u->port = NULL;
	u->events = 0;
	u->rx_held = false;
	u->tx_blocked = false;
}

/**
 * user_rx_resume() - The guest posted buffers: offer the held frame, read on
 * @nd:		user netdev
 * @q:		queue, 0
 */
static void user_rx_resume(struct netdev *nd, unsigned int q)
{
	struct user *u = (struct user *)nd;

	if (u->port && u->rx_held)
		user_rx_burst(u);
}

/**
 * user_send() - Pass one frame to the slirp thread
 * @nd:		user netdev
 * @q:		queue, 0 (from any pair's worker)
 * @iov:	Ethernet frame
 * @cnt:	number of elements in @iov
 *
 * Return: 0 if queued, -EAGAIN if the pair is full (tx_ready follows while
 * attached), another -errno if dropped
 */
static int user_send(struct netdev *nd, unsigned int q, const struct iovec *iov,
		     unsigned int cnt)
{
	struct user *u = (struct user *)nd;
	struct msghdr msg = {
		.msg_iov = (struct iovec *)iov,
		.msg_iovlen = cnt,
	};
	uint64_t one = 1;
	ssize_t r;

	do {
		r = sendmsg(u->dev_fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
	} while (r < 0 && errno == EINTR);
	if (r >= 0)
		return 0;
	if (errno == EAGAIN) {
		if (atomic_load(&u->attached) &&
		    write(u->txwait_fd, &one, sizeof(one)) < 0)
			log_err("netdev %s: eventfd: %s", nd->id,
				strerror(errno));
		return -EAGAIN;
	}
	r = -errno;
	if (user_log_ok(&u->dev_log))
		log_warn("netdev %s: frame to slirp dropped: %s", nd->id,
			 strerror(errno));
	return (int)r;
}

/* ---- Creation and teardown ---- */

/**
 * user_free() - Stop the slirp thread, clean slirp up, free the netdev
 * @nd:		user netdev
 */
static void user_free(struct netdev *nd)
{
	struct user *u = (struct user *)nd;
	int fds[] = { u->dev_fd, u->slirp_fd, u->stop_fd, u->txwait_fd };
	uint64_t one = 1;

	if (u->thread_started) {
		if (write(u->stop_fd, &one, sizeof(one)) < 0)
			log_err("netdev %s: cannot stop the slirp thread: %s",
				nd->id, strerror(errno));
		pthread_join(u->thread, NULL);
	}
	if (u->slirp)
		slirp_cleanup(u->slirp);
	while (u->timers)
		user_timer_free(u->timers, u);
	for (unsigned int i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(u->pfd);
	free(u->in_buf);
	free(u->rx_buf);
	netdev_fini(nd);
	free(u);
}

static const struct netdev_ops user_ops = {
	.type = "user",
	.attach = user_attach,
	.detach = user_detach,
	.send = user_send,
	.rx_resume = user_rx_resume,
	.free = user_free,
};

/**
 * user_mask() - Netmask of a prefix length
 * @len:	0..32
 *
 * Return: the mask, network byte order
 */
static struct in_addr user_mask(unsigned int len)
{
	struct in_addr m = { .s_addr = len ? htonl(~0U << (32 - len)) : 0 };

	return m;
}

/**
 * user_parse_net() - net=ADDR[/LEN|/MASK]
 * @s:		value
 * @o:		net and mask set
 * @errp:	error
 *
 * Without a mask, the class of the address gives it, as in QEMU.
 *
 * Return: true if well-formed, with at least 4 addresses and no host bits
 */
static bool user_parse_net(const char *s, struct user_opts *o,
			   struct error **errp)
{
	const char *slash = strchr(s, '/');
	char addr[INET_ADDRSTRLEN];
	unsigned long len;
	char *end;

	if ((slash ? (size_t)(slash - s) : strlen(s)) >= sizeof(addr))
		goto bad;
	memcpy(addr, s, slash ? (size_t)(slash - s) : strlen(s) + 1);
	if (slash)
		addr[slash - s] = '\0';
	if (inet_pton(AF_INET, addr, &o->net) != 1)
		goto bad;
	if (!slash) {
		uint32_t a = ntohl(o->net.s_addr);

		o->mask = user_mask(a < 0x80000000   ? 8
				    : a < 0xc0000000 ? 16
						     : 24);
	} else if (strchr(slash + 1, '.')) {
		uint32_t m;

		if (inet_pton(AF_INET, slash + 1, &o->mask) != 1)
			goto bad;
		m = ntohl(o->mask.s_addr);
		if (m & (~m >> 1))
			goto bad; /* not contiguous */
	} else {
		errno = 0;
		len = strtoul(slash + 1, &end, 10);
		if (!slash[1] || *end || errno || len > 32)
			goto bad;
		o->mask = user_mask((unsigned int)len);
	}
	if (o->net.s_addr & ~o->mask.s_addr) {
		error_setg(errp,
			   "net=%s: the address has bits outside the "
			   "mask",
			   s);
		return false;
	}
	if (ntohl(~o->mask.s_addr) < 3) {
		error_setg(errp,
			   "net=%s: the network is too small (at most "
			   "/30)",
			   s);
		return false;
	}
	return true;

bad:
	error_setg(errp,
		   "net=%s: expected ADDRESS[/PREFIXLEN] (e.g. "
		   "10.0.2.0/24)",
		   s);
	return false;
}

/**
 * user_parse_in_net() - An IPv4 option that must lie inside net=
 * @args:	options
 * @key:	option name
 * @host:	default: this host number inside the network
 * @o:		net and mask set
 * @out:	the address
 * @errp:	error
 *
 * Return: true if well-formed (or absent), inside the network, neither its
 * network nor its broadcast address
 */
static bool user_parse_in_net(struct netdev_args *args, const char *key,
			      uint32_t host, const struct user_opts *o,
			      struct in_addr *out, struct error **errp)
{
	const char *s = netdev_arg_get(args, key);
	uint32_t hostpart;
	char a[INET_ADDRSTRLEN], net[INET_ADDRSTRLEN];

	if (!s)
		out->s_addr = o->net.s_addr | htonl(host);
	else if (inet_pton(AF_INET, s, out) != 1) {
		error_setg(errp, "%s=%s: not an IPv4 address", key, s);
		return false;
	}
	hostpart = ntohl(out->s_addr & ~o->mask.s_addr);
	if ((out->s_addr & o->mask.s_addr) == o->net.s_addr && hostpart &&
	    hostpart != ntohl(~o->mask.s_addr))
		return true;
	inet_ntop(AF_INET, out, a, sizeof(a));
	inet_ntop(AF_INET, &o->net, net, sizeof(net));
	error_setg(errp, "%s=%s: not a host address of the network %s/%d%s",
		   key, a, net, __builtin_popcount(o->mask.s_addr),
		   s ? "" : " (the default: give one)");
	return false;
}

/**
 * user_parse_ipv4() - net=, host=, dhcpstart=, dns=
 * @args:	options
 * @o:		filled
 * @errp:	error
 *
 * Defaults as QEMU: 10.0.2.0/24, host .2, DNS .3, DHCP from .15.
 *
 * Return: true if consistent
 */
static bool user_parse_ipv4(struct netdev_args *args, struct user_opts *o,
			    struct error **errp)
{
	const char *net = netdev_arg_get(args, "net");

	return user_parse_net(net ? net : "10.0.2.0/24", o, errp) &&
	       user_parse_in_net(args, "host", 2, o, &o->host, errp) &&
	       user_parse_in_net(args, "dns", 3, o, &o->dns, errp) &&
	       user_parse_in_net(args, "dhcpstart", 15, o, &o->dhcp, errp);
}

/**
 * user_in6_net() - Whether @a lies in the prefix @net/@len
 * @a:		address
 * @net:	prefix
 * @len:	prefix length
 *
 * Return: true if the first @len bits match
 */
static bool user_in6_net(const struct in6_addr *a, const struct in6_addr *net,
			 unsigned int len)
{
	unsigned int bytes = len / 8, bits = len % 8;
	uint8_t m = (uint8_t)(0xff00 >> bits);

	return !memcmp(a->s6_addr, net->s6_addr, bytes) &&
	       (!bits || !((a->s6_addr[bytes] ^ net->s6_addr[bytes]) & m));
}

/**
 * user_parse_ipv6() - ipv6-net=PREFIX/LEN, ipv6-host=, ipv6-dns=
 * @args:	options
 * @o:		filled
 * @errp:	error
 *
 * Defaults as QEMU: fec0::/64, host ::2, DNS ::3 in the prefix.
 *
 * Return: true if consistent
 */
static bool user_parse_ipv6(struct netdev_args *args, struct user_opts *o,
			    struct error **errp)
{
	const char *net = netdev_arg_get(args, "ipv6-net");
	const char *keys[2] = { "ipv6-host", "ipv6-dns" };
	struct in6_addr *outs[2] = { &o->host6, &o->dns6 };
	char addr[INET6_ADDRSTRLEN];
	const char *slash;
	unsigned long len = 64;
	char *end;

	if (!net)
		net = "fec0::/64";
	slash = strchr(net, '/');
	if (!slash || (size_t)(slash - net) >= sizeof(addr))
		goto bad;
	memcpy(addr, net, (size_t)(slash - net));
	addr[slash - net] = '\0';
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (inet_pton(AF_INET6, addr, &o->net6) != 1 || !slash[1] || *end ||
	    errno || len > 126)
		goto bad;
	o->net6_len = (uint8_t)len;
	for (unsigned int i = 0; i < 2; i++) {
		const char *s = netdev_arg_get(args, keys[i]);

		if (!s) {
			*outs[i] = o->net6;
			outs[i]->s6_addr[15] |= (uint8_t)(i + 2);
		} else if (inet_pton(AF_INET6, s, outs[i]) != 1) {
			error_setg(errp, "%s=%s: not an IPv6 address", keys[i],
				   s);
			return false;
		} else if (!user_in6_net(outs[i], &o->net6, o->net6_len)) {
			error_setg(errp, "%s=%s: outside ipv6-net=%s", keys[i],
				   s, net);
			return false;
		}
	}
	return true;

bad:
	error_setg(errp, "ipv6-net=%s: expected PREFIX/LEN (e.g. fec0::/64)",
		   net);
	return false;
}

/**
 * user_parse_dnssearch() - Collect the repeatable dnssearch= option
 * @args:	options
 * @o:		dnssearch set (free() it), or NULL if none
 * @errp:	error
 *
 * Return: true unless out of memory
 */
static bool user_parse_dnssearch(struct netdev_args *args, struct user_opts *o,
				 struct error **errp)
{
	unsigned int pos = 0, n = 0;
	const char *v;

	while (netdev_arg_next(args, "dnssearch", &pos))
		n++;
	if (!n)
		return true;
	o->dnssearch = calloc(n + 1, sizeof(*o->dnssearch));
	if (!o->dnssearch) {
		error_setg(errp, "out of memory");
		return false;
	}
	pos = 0;
	for (n = 0; (v = netdev_arg_next(args, "dnssearch", &pos)); n++)
		o->dnssearch[n] = v;
	return true;
}

/**
 * user_parse() - Take the options that configure slirp (not hostfwd=)
 * @args:	options
 * @o:		filled; free o->dnssearch
 * @errp:	error
 *
 * Return: true if consistent
 */
static bool user_parse(struct netdev_args *args, struct user_opts *o,
		       struct error **errp)
{
	memset(o, 0, sizeof(*o));
	if (!netdev_arg_bool(args, "ipv4", true, &o->ipv4, errp) ||
	    !netdev_arg_bool(args, "ipv6", true, &o->ipv6, errp) ||
	    !netdev_arg_bool(args, "restrict", false, &o->restricted, errp))
		return false;
	if (!o->ipv4 && !o->ipv6) {
		error_setg(errp, "ipv4=off and ipv6=off leave no network");
		return false;
	}
	/* The IPv4 settings are checked even with ipv4=off, as QEMU does */
	if (!user_parse_ipv4(args, o, errp) || !user_parse_ipv6(args, o, errp))
		return false;
	o->hostname = netdev_arg_get(args, "hostname");
	o->domainname = netdev_arg_get(args, "domainname");
	o->tftp = netdev_arg_get(args, "tftp");
	o->bootfile = netdev_arg_get(args, "bootfile");
	o->tftp_server = netdev_arg_get(args, "tftp-server-name");
	if (o->hostname && strlen(o->hostname) > USER_HOSTNAME_MAX) {
		error_setg(errp, "hostname=%s: longer than %d characters",
			   o->hostname, USER_HOSTNAME_MAX);
		return false;
	}
	return user_parse_dnssearch(args, o, errp);
}

/**
 * user_parse_port() - A port number of a hostfwd rule
 * @s:		text
 * @len:	its length
 * @min:	smallest accepted (0 lets the host pick its port)
 * @out:	the port
 *
 * Return: true if @s is a decimal number in [@min, 65535]
 */
static bool user_parse_port(const char *s, size_t len, int min, int *out)
{
	int v = 0;

	if (!len || len > 5)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (v < min || v > 65535)
		return false;
	*out = v;
	return true;
}

/**
 * user_parse_addr() - An optional IPv4 address of a hostfwd rule
 * @s:		text
 * @len:	its length; 0 gives INADDR_ANY
 * @out:	the address
 *
 * Return: true if empty or an IPv4 address
 */
static bool user_parse_addr(const char *s, size_t len, struct in_addr *out)
{
	char buf[INET_ADDRSTRLEN];

	out->s_addr = INADDR_ANY;
	if (!len)
		return true;
	if (len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return inet_pton(AF_INET, buf, out) == 1;
}

/**
 * user_add_hostfwd() - Set up one hostfwd=[tcp|udp]:[HADDR]:HPORT-[GADDR]:GPORT
 * @u:		user netdev with slirp created
 * @o:		options (the guest network)
 * @rule:	the rule
 * @errp:	error naming the rule
 *
 * An empty guest address is the first DHCP address, as in QEMU.
 *
 * Return: true if slirp listens on the host port
 */
static bool user_add_hostfwd(struct user *u, const struct user_opts *o,
			     const char *rule, struct error **errp)
{
	const char *p = rule, *c1, *c2, *dash, *c3;
	struct in_addr haddr, gaddr;
	int hport, gport, udp;
	const char *why;

	c1 = strchr(p, ':');
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	dash = c2 ? strchr(c2 + 1, '-') : NULL;
	c3 = dash ? strchr(dash + 1, ':') : NULL;
	if (!c3 || strchr(c3 + 1, ':')) {
		why = "expected [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:"
		      "GUESTPORT";
		goto bad;
	}
	if (c1 == p || (c1 - p == 3 && !strncmp(p, "tcp", 3))) {
		udp = 0;
	} else if (c1 - p == 3 && !strncmp(p, "udp", 3)) {
		udp = 1;
	} else {
		why = "the protocol must be tcp or udp";
		goto bad;
	}
	if (!user_parse_addr(c1 + 1, (size_t)(c2 - c1 - 1), &haddr)) {
		why = "bad host address (IPv4 expected)";
		goto bad;
	}
	if (!user_parse_port(c2 + 1, (size_t)(dash - c2 - 1), 0, &hport)) {
		why = "bad host port";
		goto bad;
	}
	if (!user_parse_addr(dash + 1, (size_t)(c3 - dash - 1), &gaddr)) {
		why = "bad guest address (IPv4 expected)";
		goto bad;
	}
	if (gaddr.s_addr && (gaddr.s_addr & o->mask.s_addr) != o->net.s_addr) {
		why = "the guest address is outside net=";
		goto bad;
	}
	if (!user_parse_port(c3 + 1, strlen(c3 + 1), 1, &gport)) {
		why = "bad guest port";
		goto bad;
	}
	errno = 0;
	if (slirp_add_hostfwd(u->slirp, udp, haddr, hport, gaddr, gport) < 0) {
		char a[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &haddr, a, sizeof(a));
		if (errno)
			error_setg_errno(errp, errno,
					 "hostfwd=%s: cannot "
					 "listen on %s %s:%d",
					 rule, udp ? "UDP" : "TCP", a, hport);
		else
			error_setg(errp,
				   "hostfwd=%s: cannot listen on %s "
				   "%s:%d",
				   rule, udp ? "UDP" : "TCP", a, hport);
		return false;
	}
	return true;

bad:
	error_setg(errp, "hostfwd=%s: %s", rule, why);
	return false;
}

/**
 * user_start_slirp() - Create the Slirp instance and its port forwards
 * @u:		user netdev
 * @o:		options
 * @args:	options, for the hostfwd= rules
 * @errp:	error
 *
 * Return: true if slirp is ready (its thread not started yet)
 */
static bool user_start_slirp(struct user *u, const struct user_opts *o,
			     struct netdev_args *args, struct error **errp)
{
	SlirpConfig cfg = {
		.version = 4,
		.restricted = o->restricted,
		.in_enabled = o->ipv4,
		.vnetwork = o->net,
		.vnetmask = o->mask,
		.vhost = o->host,
		.in6_enabled = o->ipv6,
		.vprefix_addr6 = o->net6,
		.vprefix_len = o->net6_len,
		.vhost6 = o->host6,
		.vhostname = o->hostname,
		.tftp_server_name = o->tftp_server,
		.tftp_path = o->tftp,
		.bootfile = o->bootfile,
		.vdhcp_start = o->dhcp,
		.vnameserver = o->dns,
		.vnameserver6 = o->dns6,
		.vdnssearch = o->dnssearch,
		.vdomainname = o->domainname,
	};
	unsigned int pos = 0;
	const char *rule;

	u->slirp = slirp_new(&cfg, &user_slirp_cb, u);
	if (!u->slirp) {
		error_setg(errp, "libslirp refused the configuration");
		return false;
	}
	while ((rule = netdev_arg_next(args, "hostfwd", &pos)))
		if (!user_add_hostfwd(u, o, rule, errp))
			return false;
	return true;
}

/**
 * user_open_fds() - The frame socket pair and the eventfds
 * @u:		user netdev
 * @errp:	error
 *
 * Return: true if all are open
 */
static bool user_open_fds(struct user *u, struct error **errp)
{
	int sv[2], size = USER_SOCKBUF;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0, sv) < 0) {
		error_setg_errno(errp, errno, "socketpair");
		return false;
	}
	u->dev_fd = sv[0];
	u->slirp_fd = sv[1];
	/* Best effort: more frames in flight before either side waits */
	for (int i = 0; i < 2; i++)
		setsockopt(sv[i], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	u->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	u->txwait_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (u->stop_fd < 0 || u->txwait_fd < 0) {
		error_setg_errno(errp, errno, "eventfd");
		return false;
	}
	return true;
}

/**
 * user_create() - Create the user netdev from its options
 * @args:	options (type and id taken)
 * @pairs:	the device's queue pairs (the netdev has one queue)
 * @errp:	error naming the netdev and the option
 *
 * Return: the netdev, or NULL
 */
static struct netdev *user_create(struct netdev_args *args, unsigned int pairs,
				  struct error **errp)
{
	struct user_opts o;
	struct user *u;
	unsigned int pos = 0;

	if (!user_parse(args, &o, errp))
		goto fail_opts;
	/* hostfwd= is taken once slirp exists: mark it used for the check */
	while (netdev_arg_next(args, "hostfwd", &pos))
		;
	if (!netdev_args_finish(args, errp))
		goto fail_opts;
	u = calloc(1, sizeof(*u));
	if (!u) {
		error_setg(errp, "out of memory");
		goto fail_opts;
	}
	u->dev_fd = u->slirp_fd = u->stop_fd = u->txwait_fd = -1;
	if (!netdev_init(&u->nd, &user_ops, args, 1, errp)) {
		free(u);
		goto fail_opts;
	}
	u->in_buf = malloc(NETDEV_MAX_FRAME);
	u->rx_buf = malloc(NETDEV_MAX_FRAME);
	if (!u->in_buf || !u->rx_buf) {
		error_setg(errp, "out of memory");
		goto fail;
	}
	if (!user_open_fds(u, errp) || !user_start_slirp(u, &o, args, errp))
		goto fail;
	u->nd.needs_host_network = "libslirp opens the guest's connections";
	u->nd.needs_host_fs = "libslirp reads the host's resolv.conf";
	free(o.dnssearch);
	log_info("netdev %s: user networking (libslirp %s)%s", u->nd.id,
		 slirp_version_string(), o.restricted ? ", restricted" : "");
	return &u->nd;

fail:
	user_free(&u->nd);
fail_opts:
	free(o.dnssearch);
	error_prepend(errp, "netdev %s: ", args->id ? args->id : "?");
	return NULL;
}

const struct netdev_type netdev_type_user = {
	.name = "user",
	.create = user_create,
};
