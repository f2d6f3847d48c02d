/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The stream netdev: frames over a TCP or Unix stream socket, as QEMU's
 * -netdev stream carries them.
 *
 * Wire format (QEMU's): each frame is preceded by its length, 4 bytes in
 * network byte order; no virtio-net header. A length of 0 or above
 * NETDEV_MAX_FRAME is a protocol error and ends the connection.
 *
 * One socket serves every queue pair (nd->queues is 1): receiving happens on
 * the worker of queue 0 (the "owner"), while send() may run on the worker of
 * any pair at once, hence the lock around the socket's write side. A frame
 * the socket takes only in part is finished later from a buffer, and further
 * sends answer -EAGAIN until it is out; the owner then calls tx_ready. What
 * another thread needs from the owner (watch for EPOLLOUT, drop a connection
 * whose write failed) goes through an eventfd the owner watches, since the
 * port may only be used on its own worker.
 *
 * server=on listens at creation, so a peer may connect before a guest exists,
 * and serves one client at a time (as QEMU): the next waits in the backlog
 * until the current one goes away. The owner accepts when it is attached and
 * whenever the listening socket is readable; a send() without a connection
 * tries too, so the guest's first frames are not lost to the race between
 * its transmit queue and the owner. server=off connects at creation; with
 * reconnect=SECONDS it tries again that long after a failure or a hang-up.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "devices/net/netdev-int.h"
#include "devices/net/netdev-sockaddr.h"
#include "util/log.h"

/* Longest wait for the connection made at creation */
#define STREAM_CONNECT_TIMEOUT_MS 5000
/* Length prefix of each frame on the wire */
#define STREAM_HDR 4
/* Receive buffer: a largest frame with its prefix, plus room to batch */
#define STREAM_RX_BUF (2 * (STREAM_HDR + NETDEV_MAX_FRAME))
/* Reads per wake-up, so one busy peer does not hold the worker forever */
#define STREAM_RX_BUDGET 64
/* Entries of a frame sent without first copying it */
#define STREAM_TX_IOV 64
/* Largest reconnect= value (one day) */
#define STREAM_RECONNECT_MAX 86400

struct stream {
	struct netdev nd;
	bool server;
	struct netdev_sockaddr addr;
	unsigned int reconnect;		   /* seconds, 0: never */
	struct unix_socket_file unix_file; /* path we bound as server */
	int listen_fd;			   /* server: listening socket */
	int timer_fd; /* client with reconnect: next attempt */
	int wake_fd;  /* eventfd: other threads need the owner */

	/* Under @lock: the connection as the senders see it */
	pthread_mutex_t lock;
	int fd;		 /* connection, -1 if none */
	bool connecting; /* client: connect() in progress on @fd */
	bool tx_dead;	 /* a write failed: the owner drops @fd */
	bool tx_blocked; /* a send got -EAGAIN: call tx_ready */
	uint8_t *tx_buf; /* rest of a frame taken in part (or a copy) */
	size_t tx_off, tx_len;
	struct netdev_port *port; /* queue 0's, NULL while detached */
	pthread_t owner;	  /* its worker thread */

	/* Owner only */
	bool conn_watched, listen_watched, timer_watched, wake_watched;
	uint32_t conn_events;
	uint8_t *rx_buf;
	size_t rx_start, rx_end;
	bool rx_held; /* the frame at rx_start waits for rx_resume */
	bool connect_warned;

	/* Warnings given once; later ones go to the debug log */
	bool warned_size, warned_write;
};

static void stream_disconnect(struct stream *s, const char *why);
static void stream_rx(struct stream *s);

/**
 * stream_of() - The stream netdev around @nd
 * @nd:		netdev
 *
 * Return: the containing struct stream
 */
static struct stream *stream_of(struct netdev *nd)
{
	return (struct stream *)nd;
}

/**
 * stream_close() - Close a file descriptor if open
 * @fd:		descriptor, set to -1
 */
static void stream_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/**
 * stream_on_owner() - Whether the caller runs on the attached owner's thread
 * @s:		stream, lock held
 *
 * Return: true if the port may be used from here
 */
static bool stream_on_owner(const struct stream *s)
{
	return s->port && pthread_equal(pthread_self(), s->owner);
}

/**
 * stream_wake_owner() - Have the owner re-examine the connection
 * @s:		stream, lock held
 */
static void stream_wake_owner(struct stream *s)
{
	uint64_t one = 1;

	if (s->port && write(s->wake_fd, &one, sizeof(one)) < 0 &&
	    errno != EAGAIN)
		log_warn("netdev %s: cannot wake the receive thread: %s",
			 s->nd.id, strerror(errno));
}

/**
 * stream_conn_events() - What the owner must watch the connection for
 * @s:		stream, lock held
 *
 * Return: epoll events
 */
static uint32_t stream_conn_events(const struct stream *s)
{
	uint32_t ev = 0;

	if (s->connecting)
		return EPOLLOUT;
	if (!s->rx_held)
		ev |= EPOLLIN;
	if (s->tx_len || s->tx_blocked)
		ev |= EPOLLOUT;
	return ev;
}

static void stream_conn_event(void *opaque, uint32_t revents);

/**
 * stream_conn_update() - Watch the connection for what is needed now
 * @s:		stream, lock held, on the owner
 *
 * Return: false if the watch failed (the connection must go)
 */
static bool stream_conn_update(struct stream *s)
{
	uint32_t ev = stream_conn_events(s);
	struct error *err = NULL;

	if (s->fd < 0)
		return true;
	if (!s->conn_watched) {
		if (!s->port->watch(s->port, s->fd, ev, stream_conn_event, s,
				    &err))
			goto fail;
		s->conn_watched = true;
	} else if (ev != s->conn_events &&
		   !s->port->watch_modify(s->port, s->fd, ev, &err)) {
		goto fail;
	}
	s->conn_events = ev;
	return true;
fail:
	error_prepend(&err, "netdev %s: ", s->nd.id);
	error_report_err(err);
	return false;
}

/**
 * stream_tx_wanted() - Make sure the owner watches for EPOLLOUT
 * @s:		stream, lock held
 */
static void stream_tx_wanted(struct stream *s)
{
	if (!s->port)
		return; /* flushed by the next send, or at attach */
	if (!stream_on_owner(s) || !stream_conn_update(s))
		stream_wake_owner(s);
}

/**
 * stream_tx_failed() - A write failed: the connection is done for
 * @s:		stream, lock held
 * @err:	errno
 */
static void stream_tx_failed(struct stream *s, int err)
{
	if (!s->warned_write) {
		s->warned_write = true;
		log_warn("netdev %s: cannot send to %s: %s", s->nd.id,
			 s->addr.text, strerror(err));
	} else {
		log_debug("netdev %s: cannot send: %s", s->nd.id,
			  strerror(err));
	}
	s->tx_dead = true;
	s->tx_len = 0;
	stream_wake_owner(s);
}

/**
 * stream_tx_flush() - Write out the rest of a frame taken in part
 * @s:		stream, lock held, connected
 *
 * Return: true if nothing is left (or the connection failed)
 */
static bool stream_tx_flush(struct stream *s)
{
	ssize_t n;

	while (s->tx_len && !s->tx_dead) {
		n = send(s->fd, s->tx_buf + s->tx_off, s->tx_len,
			 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return false;
		if (n <= 0) {
			stream_tx_failed(s, n < 0 ? errno : EPIPE);
			break;
		}
		s->tx_off += (size_t)n;
		s->tx_len -= (size_t)n;
	}
	return true;
}

/**
 * stream_iov_size() - Total length of a frame
 * @iov:	frame
 * @cnt:	entries in @iov
 *
 * Return: its length in bytes
 */
static size_t stream_iov_size(const struct iovec *iov, unsigned int cnt)
{
	size_t len = 0;

	for (unsigned int i = 0; i < cnt; i++)
		len += iov[i].iov_len;
	return len;
}

/**
 * stream_tx_keep() - Keep the part of a frame the socket did not take
 * @s:		stream, lock held, tx_buf unused
 * @iov:	the frame with its prefix
 * @cnt:	entries in @iov
 * @skip:	bytes already written
 */
static void stream_tx_keep(struct stream *s, const struct iovec *iov,
			   unsigned int cnt, size_t skip)
{
	size_t len = 0;

	for (unsigned int i = 0; i < cnt; i++) {
		size_t l = iov[i].iov_len;
		const uint8_t *b = iov[i].iov_base;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		memcpy(s->tx_buf + len, b + skip, l - skip);
		len += l - skip;
		skip = 0;
	}
	s->tx_off = 0;
	s->tx_len = len;
}

/**
 * stream_tx_keep_more() - Append a whole frame to what tx_buf holds
 * @s:		stream, lock held
 * @iov:	the frame
 * @cnt:	entries in @iov
 */
static void stream_tx_keep_more(struct stream *s, const struct iovec *iov,
				unsigned int cnt)
{
	for (unsigned int i = 0; i < cnt; i++) {
		memcpy(s->tx_buf + s->tx_len, iov[i].iov_base, iov[i].iov_len);
		s->tx_len += iov[i].iov_len;
	}
}

/**
 * stream_tx_frame() - Write one frame with its length prefix
 * @s:		stream, lock held, connected, nothing pending
 * @iov:	the frame
 * @cnt:	entries in @iov
 * @size:	its length
 *
 * Return: 0 if written or kept, -EAGAIN if nothing was taken, or -errno
 */
static int stream_tx_frame(struct stream *s, const struct iovec *iov,
			   unsigned int cnt, size_t size)
{
	struct iovec v[STREAM_TX_IOV + 1];
	uint32_t hdr = htonl((uint32_t)size);
	struct msghdr msg = { .msg_iov = v };
	ssize_t n;

	v[0] = (struct iovec){ &hdr, STREAM_HDR };
	if (cnt <= STREAM_TX_IOV) {
		memcpy(v + 1, iov, cnt * sizeof(*iov));
		msg.msg_iovlen = cnt + 1;
	} else {
		/* Too scattered: one copy, tx_buf is free (nothing pends) */
		stream_tx_keep(s, v, 1, 0);
		stream_tx_keep_more(s, iov, cnt);
		v[0] = (struct iovec){ s->tx_buf, s->tx_len };
		msg.msg_iovlen = 1;
		s->tx_len = 0;
	}
	do {
		n = sendmsg(s->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		s->tx_blocked = true;
		stream_tx_wanted(s);
		return -EAGAIN;
	}
	if (n < 0) {
		int err = errno;

		stream_tx_failed(s, err);
		return -err;
	}
	if ((size_t)n < STREAM_HDR + size) {
		/* The peer has the start: the rest must follow, in order */
		if (msg.msg_iovlen == 1 && v[0].iov_base == s->tx_buf) {
			s->tx_off = (size_t)n;
			s->tx_len = STREAM_HDR + size - (size_t)n;
		} else {
			stream_tx_keep(s, v, (unsigned int)msg.msg_iovlen,
				       (size_t)n);
		}
		stream_tx_wanted(s);
	}
	return 0;
}

/**
 * stream_connected() - A connection is up: configure it
 * @s:		stream
 * @fd:		the connected socket
 */
static void stream_connected(struct stream *s, int fd)
{
	int one = 1;

	/* Frames are written whole: do not hold small ones back */
	if (s->addr.type == NETDEV_SOCKADDR_INET)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	s->rx_start = s->rx_end = 0;
	s->rx_held = false;
	s->connect_warned = false;
	s->warned_write = false;
}

/**
 * stream_accept() - Server: take the client waiting in the backlog, if any
 * @s:		stream, lock held, not connected
 *
 * Any thread may do it: a frame the guest sends before the receive side
 * is attached (or before the owner ran) then reaches the peer.
 *
 * Return: true if connected now
 */
static bool stream_accept(struct stream *s)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	char text[128];
	int fd;

	fd = accept4(s->listen_fd, (struct sockaddr *)&peer, &len,
		     SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("netdev %s: cannot accept on %s: %s", s->nd.id,
				 s->addr.text, strerror(errno));
		return false;
	}
	netdev_sockaddr_format((struct sockaddr *)&peer, len, text,
			       sizeof(text));
	if (peer.ss_family == AF_UNIX)
		log_info("netdev %s: client connected on %s", s->nd.id,
			 s->addr.text);
	else
		log_info("netdev %s: client %s connected", s->nd.id, text);
	stream_connected(s, fd);
	s->fd = fd;
	return true;
}

/**
 * stream_send() - ops->send: write one frame, from any pair's worker
 * @nd:		netdev
 * @q:		queue (0)
 * @iov:	frame
 * @cnt:	entries in @iov
 *
 * Return: 0 if sent or taken, -EAGAIN while the socket is full, -ENOTCONN
 * without a connection, -EMSGSIZE for a frame the peer would refuse, or the
 * -errno of a failed write
 */
static int stream_send(struct netdev *nd, unsigned int q,
		       const struct iovec *iov, unsigned int cnt)
{
	struct stream *s = stream_of(nd);
	size_t size = stream_iov_size(iov, cnt);
	int rc;

	pthread_mutex_lock(&s->lock);
	if (s->fd < 0 && s->server && stream_accept(s))
		stream_wake_owner(s); /* to watch the new connection */
	if (!size || size > NETDEV_MAX_FRAME) {
		if (!s->warned_size)
			log_warn("netdev %s: dropping a frame of %zu bytes "
				 "(1 to %u)",
				 nd->id, size, NETDEV_MAX_FRAME);
		s->warned_size = true;
		rc = -EMSGSIZE;
	} else if (s->fd < 0 || s->connecting) {
		rc = -ENOTCONN;
	} else if (s->tx_dead) {
		rc = -EPIPE;
	} else if (s->tx_len && (s->port || !stream_tx_flush(s))) {
		/* Attached: the owner flushes and calls tx_ready */
		s->tx_blocked = s->port != NULL;
		rc = -EAGAIN;
	} else if (s->tx_dead) {
		rc = -EPIPE;
	} else {
		rc = stream_tx_frame(s, iov, cnt, size);
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

/**
 * stream_tx_event() - The connection is writable: finish the pending frame
 * @s:		stream, on the owner
 */
static void stream_tx_event(struct stream *s)
{
	bool ready = false;

	pthread_mutex_lock(&s->lock);
	if (stream_tx_flush(s) && s->tx_blocked && !s->tx_dead) {
		s->tx_blocked = false;
		ready = true;
	}
	if (!s->tx_dead)
		stream_conn_update(s);
	pthread_mutex_unlock(&s->lock);
	if (ready)
		s->port->tx_ready(s->port);
}

/**
 * stream_rx_deliver() - Hand the complete frames buffered to the device
 * @s:		stream, on the owner
 * @delivered:	incremented per frame taken
 *
 * Return: 0 when only a partial frame is left, -EAGAIN if the device
 * refused one (held now), -EPROTO on a bad length
 */
static int stream_rx_deliver(struct stream *s, unsigned int *delivered)
{
	while (s->rx_end - s->rx_start >= STREAM_HDR) {
		uint8_t *p = s->rx_buf + s->rx_start;
		uint32_t len = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
			       (uint32_t)p[2] << 8 | p[3];
		struct iovec iov = { p + STREAM_HDR, len };

		if (!len || len > NETDEV_MAX_FRAME) {
			log_err("netdev %s: the peer announced a frame of %u "
				"bytes (1 to %u): dropping the connection",
				s->nd.id, len, NETDEV_MAX_FRAME);
			return -EPROTO;
		}
		if (s->rx_end - s->rx_start - STREAM_HDR < len)
			break;
		if (s->port->receive(s->port, &iov, 1, true) == -EAGAIN) {
			s->rx_held = true;
			return -EAGAIN;
		}
		s->rx_start += STREAM_HDR + len;
		(*delivered)++;
	}
	/* Keep the partial frame at the start: room to read the rest */
	if (s->rx_start) {
		memmove(s->rx_buf, s->rx_buf + s->rx_start,
			s->rx_end - s->rx_start);
		s->rx_end -= s->rx_start;
		s->rx_start = 0;
	}
	return 0;
}

/**
 * stream_rx() - Deliver buffered frames and read more, up to a budget
 * @s:		stream, connected, on the owner
 *
 * Stops when the socket is empty, when the device has no buffers (the frame
 * is held and reading pauses until rx_resume) or when the connection ends.
 */
static void stream_rx(struct stream *s)
{
	unsigned int delivered = 0, reads = 0;
	const char *gone = NULL;
	ssize_t n;
	int rc;

	for (;;) {
		rc = stream_rx_deliver(s, &delivered);
		if (rc == -EPROTO) {
			gone = "protocol error";
			break;
		}
		if (rc == -EAGAIN) {
			pthread_mutex_lock(&s->lock);
			stream_conn_update(s);
			pthread_mutex_unlock(&s->lock);
			break;
		}
		if (reads++ == STREAM_RX_BUDGET)
			break;
		n = recv(s->fd, s->rx_buf + s->rx_end,
			 STREAM_RX_BUF - s->rx_end, MSG_DONTWAIT);
		if (n > 0) {
			s->rx_end += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		gone = n ? strerror(errno) : "closed by the peer";
		break;
	}
	if (delivered)
		s->port->receive_done(s->port);
	if (gone)
		stream_disconnect(s, gone);
}

/**
 * stream_timer_arm() - Schedule the next connection attempt
 * @s:		client with reconnect
 */
static void stream_timer_arm(struct stream *s)
{
	struct itimerspec its = { .it_value.tv_sec = s->reconnect };

	if (timerfd_settime(s->timer_fd, 0, &its, NULL))
		log_err("netdev %s: cannot arm the reconnect timer: %s",
			s->nd.id, strerror(errno));
}

/**
 * stream_listen_event() - The listening socket is readable: take a client
 * @opaque:	stream
 * @revents:	ready events
 */
static void stream_listen_event(void *opaque, uint32_t revents)
{
	struct stream *s = opaque;
	bool ok;

	pthread_mutex_lock(&s->lock);
	/* A sender may have taken the client already */
	if (s->fd < 0 && !stream_accept(s)) {
		pthread_mutex_unlock(&s->lock);
		return;
	}
	s->port->unwatch(s->port, s->listen_fd);
	s->listen_watched = false;
	ok = stream_conn_update(s);
	pthread_mutex_unlock(&s->lock);
	if (!ok)
		stream_disconnect(s, "cannot watch it");
}

/**
 * stream_watch_listen() - Wait for the next client
 * @s:		server, attached, on the owner
 *
 * Return: true if the listening socket is watched
 */
static bool stream_watch_listen(struct stream *s)
{
	struct error *err = NULL;

	if (s->listen_watched)
		return true;
	if (!s->port->watch(s->port, s->listen_fd, EPOLLIN, stream_listen_event,
			    s, &err)) {
		error_prepend(&err, "netdev %s: ", s->nd.id);
		error_report_err(err);
		return false;
	}
	s->listen_watched = true;
	return true;
}

/**
 * stream_disconnect() - Drop the connection; listen or reconnect
 * @s:		stream, on the owner (or detached)
 * @why:	for the log
 */
static void stream_disconnect(struct stream *s, const char *why)
{
	bool ready;

	if (s->fd < 0)
		return;
	log_info("netdev %s: connection %s %s ended: %s", s->nd.id,
		 s->server ? "on" : "to", s->addr.text, why);
	pthread_mutex_lock(&s->lock);
	if (s->conn_watched)
		s->port->unwatch(s->port, s->fd);
	s->conn_watched = false;
	stream_close(&s->fd);
	s->connecting = false;
	s->tx_dead = false;
	s->tx_len = 0;
	ready = s->tx_blocked && s->port;
	s->tx_blocked = false;
	pthread_mutex_unlock(&s->lock);
	s->rx_start = s->rx_end = 0;
	s->rx_held = false;
	if (s->server && s->port)
		stream_watch_listen(s);
	else if (s->reconnect)
		stream_timer_arm(s);
	/* Blocked senders learn that there is no connection any more */
	if (ready)
		s->port->tx_ready(s->port);
}

/**
 * stream_connect_start() - Begin a non-blocking connection to addr
 * @s:		client, not connected
 * @errp:	error, names the address
 *
 * Return: the socket (connected or connecting: *@in_progress), or -1
 */
static int stream_connect_start(struct stream *s, bool *in_progress,
				struct error **errp)
{
	int fd = netdev_socket_new(&s->addr, SOCK_STREAM, errp);

	*in_progress = false;
	if (fd < 0)
		return -1;
	if (!connect(fd, (struct sockaddr *)&s->addr.ss, s->addr.len))
		return fd;
	if (errno == EINPROGRESS) {
		*in_progress = true;
		return fd;
	}
	error_setg_errno(errp, errno, "cannot connect to %s", s->addr.text);
	close(fd);
	return -1;
}

/**
 * stream_connect_result() - Outcome of a connection in progress
 * @s:		client
 * @fd:		the socket, writable or failed
 * @errp:	error, names the address
 *
 * Return: true if connected
 */
static bool stream_connect_result(struct stream *s, int fd, struct error **errp)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		err = errno;
	if (err) {
		error_setg_errno(errp, err, "cannot connect to %s",
				 s->addr.text);
		return false;
	}
	return true;
}

/**
 * stream_connect_failed() - Log a failed attempt and schedule the next
 * @s:		client with reconnect
 * @err:	why it failed
 */
static void stream_connect_failed(struct stream *s, struct error *err)
{
	if (!s->connect_warned)
		log_warn("netdev %s: %s; retrying every %u s", s->nd.id,
			 error_get_pretty(err), s->reconnect);
	else
		log_debug("netdev %s: %s", s->nd.id, error_get_pretty(err));
	s->connect_warned = true;
	error_free(err);
	stream_timer_arm(s);
}

/**
 * stream_connect_done() - A connection in progress finished (owner)
 * @s:		client, connecting
 */
static void stream_connect_done(struct stream *s)
{
	struct error *err = NULL;
	bool ok = stream_connect_result(s, s->fd, &err);

	pthread_mutex_lock(&s->lock);
	if (!ok) {
		if (s->conn_watched)
			s->port->unwatch(s->port, s->fd);
		s->conn_watched = false;
		stream_close(&s->fd);
		s->connecting = false;
		pthread_mutex_unlock(&s->lock);
		stream_connect_failed(s, err);
		return;
	}
	log_info("netdev %s: connected to %s", s->nd.id, s->addr.text);
	stream_connected(s, s->fd);
	s->connecting = false;
	stream_conn_update(s);
	pthread_mutex_unlock(&s->lock);
}

/**
 * stream_timer_event() - Time for another connection attempt
 * @opaque:	stream
 * @revents:	ready events
 */
static void stream_timer_event(void *opaque, uint32_t revents)
{
	struct stream *s = opaque;
	struct error *err = NULL;
	bool in_progress;
	uint64_t ticks;
	int fd;

	if (read(s->timer_fd, &ticks, sizeof(ticks)) != sizeof(ticks) ||
	    s->fd >= 0)
		return;
	fd = stream_connect_start(s, &in_progress, &err);
	if (fd < 0) {
		stream_connect_failed(s, err);
		return;
	}
	pthread_mutex_lock(&s->lock);
	s->fd = fd;
	s->connecting = in_progress;
	if (!in_progress) {
		log_info("netdev %s: connected to %s", s->nd.id, s->addr.text);
		stream_connected(s, fd);
	}
	if (!stream_conn_update(s)) {
		pthread_mutex_unlock(&s->lock);
		stream_disconnect(s, "cannot watch it");
		return;
	}
	pthread_mutex_unlock(&s->lock);
}

/**
 * stream_conn_event() - The connection is ready
 * @opaque:	stream
 * @revents:	ready events
 */
static void stream_conn_event(void *opaque, uint32_t revents)
{
	struct stream *s = opaque;

	if (s->fd < 0)
		return;
	if (s->connecting) {
		stream_connect_done(s);
		return;
	}
	if (revents & (EPOLLOUT | EPOLLERR | EPOLLHUP))
		stream_tx_event(s);
	if (s->tx_dead) {
		stream_disconnect(s, "write failed");
		return;
	}
	if (!s->rx_held) {
		if (revents & (EPOLLIN | EPOLLERR | EPOLLHUP))
			stream_rx(s);
		return;
	}
	if (revents & (EPOLLERR | EPOLLHUP)) {
		/*
		 * Paused, but a hang-up still fires: stop watching until
		 * rx_resume, which then reads the rest and sees the end.
		 */
		pthread_mutex_lock(&s->lock);
		s->port->unwatch(s->port, s->fd);
		s->conn_watched = false;
		pthread_mutex_unlock(&s->lock);
	}
}

/**
 * stream_wake_event() - Another thread needs the owner
 * @opaque:	stream
 * @revents:	ready events
 */
static void stream_wake_event(void *opaque, uint32_t revents)
{
	struct stream *s = opaque;
	uint64_t v;
	bool dead;

	if (read(s->wake_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_warn("netdev %s: cannot read the wake-up: %s", s->nd.id,
			 strerror(errno));
	pthread_mutex_lock(&s->lock);
	dead = s->tx_dead;
	if (s->fd >= 0 && s->listen_watched) {
		/* A sender accepted the client */
		s->port->unwatch(s->port, s->listen_fd);
		s->listen_watched = false;
	}
	if (!dead && s->fd >= 0)
		stream_conn_update(s);
	pthread_mutex_unlock(&s->lock);
	if (dead)
		stream_disconnect(s, "write failed");
	else if (s->fd >= 0 && !s->connecting && !s->rx_held)
		stream_rx(s); /* frames buffered before an attach */
}

/**
 * stream_attach() - Queue 0 starts: watch what the state needs
 * @nd:		netdev
 * @q:		queue, 0
 * @port:	the device's port for it
 * @errp:	error
 *
 * Return: true on success
 */
static bool stream_attach(struct netdev *nd, unsigned int q,
			  struct netdev_port *port, struct error **errp)
{
	struct stream *s = stream_of(nd);
	uint64_t one = 1;

	if (q) {
		error_setg(errp, "netdev %s: no queue %u (single socket)",
			   nd->id, q);
		return false;
	}
	pthread_mutex_lock(&s->lock);
	s->port = port;
	s->owner = pthread_self();
	s->conn_watched = s->listen_watched = false;
	s->timer_watched = s->wake_watched = false;
	pthread_mutex_unlock(&s->lock);
	if (!port->watch(port, s->wake_fd, EPOLLIN, stream_wake_event, s, errp))
		goto fail;
	s->wake_watched = true;
	if (s->timer_fd >= 0) {
		if (!port->watch(port, s->timer_fd, EPOLLIN, stream_timer_event,
				 s, errp))
			goto fail;
		s->timer_watched = true;
	}
	if (s->server) {
		pthread_mutex_lock(&s->lock);
		if (s->fd < 0)
			stream_accept(s);
		pthread_mutex_unlock(&s->lock);
	}
	if (s->server && s->fd < 0 && !stream_watch_listen(s)) {
		error_setg(errp, "netdev %s: cannot watch %s", nd->id,
			   s->addr.text);
		goto fail;
	}
	/* Held frames, a pending tail or a dead connection: owner's work */
	s->rx_held = false;
	if (s->fd >= 0 && write(s->wake_fd, &one, sizeof(one)) < 0)
		log_warn("netdev %s: cannot wake the receive thread: %s",
			 nd->id, strerror(errno));
	return true;
fail:
	if (s->wake_watched)
		port->unwatch(port, s->wake_fd);
	if (s->timer_watched)
		port->unwatch(port, s->timer_fd);
	if (s->listen_watched)
		port->unwatch(port, s->listen_fd);
	pthread_mutex_lock(&s->lock);
	s->port = NULL;
	pthread_mutex_unlock(&s->lock);
	return false;
}

/**
 * stream_detach() - Queue 0 stops: its watches are gone already
 * @nd:		netdev
 * @q:		queue, 0
 */
static void stream_detach(struct netdev *nd, unsigned int q)
{
	struct stream *s = stream_of(nd);

	pthread_mutex_lock(&s->lock);
	s->port = NULL;
	s->tx_blocked = false;
	s->conn_watched = s->listen_watched = false;
	s->timer_watched = s->wake_watched = false;
	pthread_mutex_unlock(&s->lock);
}

/**
 * stream_rx_resume() - The guest has buffers: offer the held frame again
 * @nd:		netdev
 * @q:		queue, 0
 */
static void stream_rx_resume(struct netdev *nd, unsigned int q)
{
	struct stream *s = stream_of(nd);

	if (!s->rx_held || !s->port)
		return;
	s->rx_held = false;
	pthread_mutex_lock(&s->lock);
	stream_conn_update(s);
	pthread_mutex_unlock(&s->lock);
	if (s->fd >= 0)
		stream_rx(s);
}

/**
 * stream_free() - Close everything and free the netdev
 * @nd:		netdev
 */
static void stream_free(struct netdev *nd)
{
	struct stream *s = stream_of(nd);

	stream_close(&s->fd);
	stream_close(&s->listen_fd);
	stream_close(&s->timer_fd);
	stream_close(&s->wake_fd);
	unix_socket_file_remove(&s->unix_file);
	pthread_mutex_destroy(&s->lock);
	free(s->tx_buf);
	free(s->rx_buf);
	netdev_fini(nd);
	free(s);
}

static const struct netdev_ops stream_ops = {
	.type = "stream",
	.attach = stream_attach,
	.detach = stream_detach,
	.send = stream_send,
	.rx_resume = stream_rx_resume,
	.free = stream_free,
};

/**
 * stream_listen() - server=on: listen on addr (or adopt a listening fd)
 * @s:		stream
 * @errp:	error, names the address
 *
 * Return: true on success
 */
static bool stream_listen(struct stream *s, struct error **errp)
{
	socklen_t len = sizeof(int);
	int acc = 0;

	if (s->addr.type == NETDEV_SOCKADDR_FD) {
		if (!netdev_fd_adopt(&s->addr, SOCK_STREAM, errp))
			return false;
		if (getsockopt(s->addr.fd, SOL_SOCKET, SO_ACCEPTCONN, &acc,
			       &len) ||
		    !acc) {
			error_setg(errp,
				   "addr.str: %s is not a listening socket "
				   "(server=on)",
				   s->addr.text);
			return false;
		}
		s->listen_fd = s->addr.fd;
		return true;
	}
	s->listen_fd = netdev_socket_new(&s->addr, SOCK_STREAM, errp);
	if (s->listen_fd < 0 ||
	    !netdev_socket_bind(s->listen_fd, &s->addr, &s->unix_file, errp))
		return false;
	if (listen(s->listen_fd, 1)) {
		error_setg_errno(errp, errno, "cannot listen on %s",
				 s->addr.text);
		return false;
	}
	log_debug("netdev %s: listening on %s", s->nd.id, s->addr.text);
	return true;
}

/**
 * stream_connect_wait() - Connect now, waiting a bounded time
 * @s:		client
 * @errp:	error, names the address
 *
 * Return: the connected socket, or -1
 */
static int stream_connect_wait(struct stream *s, struct error **errp)
{
	bool in_progress;
	struct pollfd pfd;
	int rc, fd = stream_connect_start(s, &in_progress, errp);

	if (fd < 0 || !in_progress)
		return fd;
	pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
	do {
		rc = poll(&pfd, 1, STREAM_CONNECT_TIMEOUT_MS);
	} while (rc < 0 && errno == EINTR);
	if (rc <= 0) {
		error_setg_errno(errp, rc ? errno : ETIMEDOUT,
				 "cannot connect to %s", s->addr.text);
		close(fd);
		return -1;
	}
	if (!stream_connect_result(s, fd, errp)) {
		close(fd);
		return -1;
	}
	return fd;
}

/**
 * stream_connect_initial() - server=off: the connection made at creation
 * @s:		stream
 * @errp:	error, names the address
 *
 * With reconnect, a failure is logged and retried later instead.
 *
 * Return: true on success
 */
static bool stream_connect_initial(struct stream *s, struct error **errp)
{
	struct error *err = NULL;
	socklen_t len = sizeof(int);
	int acc = 0, fd;

	if (s->addr.type == NETDEV_SOCKADDR_FD) {
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);

		if (!netdev_fd_adopt(&s->addr, SOCK_STREAM, errp))
			return false;
		if (!getsockopt(s->addr.fd, SOL_SOCKET, SO_ACCEPTCONN, &acc,
				&len) &&
		    acc) {
			error_setg(errp,
				   "addr.str: %s is a listening socket: use "
				   "server=on",
				   s->addr.text);
			return false;
		}
		if (getpeername(s->addr.fd, (struct sockaddr *)&peer, &plen)) {
			error_setg_errno(errp, errno, "addr.str: %s",
					 s->addr.text);
			return false;
		}
		s->fd = s->addr.fd;
		stream_connected(s, s->fd);
		return true;
	}
	fd = stream_connect_wait(s, &err);
	if (fd >= 0) {
		s->fd = fd;
		stream_connected(s, fd);
		return true;
	}
	if (!s->reconnect) {
		error_propagate(errp, err);
		return false;
	}
	stream_connect_failed(s, err);
	return true;
}

/**
 * stream_parse() - Take the stream options
 * @s:		stream
 * @args:	arguments
 * @errp:	error, names the option
 *
 * Return: true if they are complete and consistent
 */
static bool stream_parse(struct stream *s, struct netdev_args *args,
			 struct error **errp)
{
	uint64_t reconnect;
	bool present;

	if (!netdev_arg_bool(args, "server", false, &s->server, errp) ||
	    !netdev_arg_uint(args, "reconnect", 0, STREAM_RECONNECT_MAX, 0,
			     &reconnect, errp) ||
	    !netdev_sockaddr_get(args, "addr", s->server, &s->addr, &present,
				 errp))
		return false;
	if (!present) {
		error_setg(errp, "addr.type is missing (inet, unix or fd)");
		return false;
	}
	s->reconnect = (unsigned int)reconnect;
	if (s->reconnect && s->server) {
		error_setg(errp, "reconnect applies to server=off only");
		return false;
	}
	if (s->reconnect && s->addr.type == NETDEV_SOCKADDR_FD) {
		error_setg(errp, "reconnect cannot reopen addr.type=fd");
		return false;
	}
	return netdev_args_finish(args, errp);
}

/**
 * stream_alloc() - A stream netdev with nothing open yet
 * @args:	arguments (for the id)
 * @errp:	error
 *
 * Return: the netdev, or NULL
 */
static struct stream *stream_alloc(struct netdev_args *args,
				   struct error **errp)
{
	struct stream *s = calloc(1, sizeof(*s));

	if (!s) {
		error_setg(errp, "out of memory");
		return NULL;
	}
	s->fd = s->listen_fd = s->timer_fd = s->wake_fd = -1;
	s->addr.fd = -1;
	pthread_mutex_init(&s->lock, NULL);
	if (!netdev_init(&s->nd, &stream_ops, args, 1, errp)) {
		pthread_mutex_destroy(&s->lock);
		free(s);
		return NULL;
	}
	s->tx_buf = malloc(STREAM_HDR + NETDEV_MAX_FRAME);
	s->rx_buf = malloc(STREAM_RX_BUF);
	s->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!s->tx_buf || !s->rx_buf || s->wake_fd < 0) {
		error_setg(errp, "out of memory or file descriptors");
		stream_free(&s->nd);
		return NULL;
	}
	return s;
}

/**
 * stream_create() - Create a stream netdev
 * @args:	arguments
 * @queue_pairs: queue pairs of the device (all share the one socket)
 * @errp:	error
 *
 * Return: the netdev, or NULL
 */
static struct netdev *stream_create(struct netdev_args *args,
				    unsigned int queue_pairs,
				    struct error **errp)
{
	struct stream *s = stream_alloc(args, errp);

	if (!s)
		return NULL;
	if (!stream_parse(s, args, errp))
		goto fail;
	if (s->reconnect && s->addr.type == NETDEV_SOCKADDR_INET)
		s->nd.needs_host_network = "reconnects to an inet address";
	else if (s->reconnect)
		s->nd.needs_host_fs = "reconnects to a socket path";
	if (s->reconnect) {
		s->timer_fd = timerfd_create(CLOCK_MONOTONIC,
					     TFD_NONBLOCK | TFD_CLOEXEC);
		if (s->timer_fd < 0) {
			error_setg_errno(errp, errno,
					 "cannot create the reconnect timer");
			goto fail;
		}
	}
	if (s->server ? !stream_listen(s, errp)
		      : !stream_connect_initial(s, errp))
		goto fail;
	return &s->nd;
fail:
	stream_free(&s->nd);
	return NULL;
}

const struct netdev_type netdev_type_stream = {
	.name = "stream",
	.create = stream_create,
};
