/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The vhost-user back-end channel: messages from us to the front-end.
 *
 * The front-end hands us a socket with SET_BACKEND_REQ_FD. We use it for
 * BACKEND_CONFIG_CHANGE_MSG, which the device may trigger from any thread
 * (e.g. a resize requested over QMP), so the channel has its own lock. With
 * REPLY_ACK we wait a bounded time for the front-end's ack; a channel that
 * fails once is closed, so a late ack can never be taken for the next one.
 *
 * While we wait for that ack, QEMU asks for the new config space with
 * GET_CONFIG on the main socket and acks only after our answer: the control
 * thread must keep serving meanwhile, so it never waits for this lock while it
 * handles a message that a config change can be waiting on. Queries read
 * whether the channel is open without the lock (vu_backend_chan_open()).
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <inttypes.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "transport/vhost-user-session.h"
#include "transport/vhost-user-socket.h"
#include "util/log.h"

/**
 * vu_backend_chan_init() - An empty channel
 * @c:		channel
 */
void vu_backend_chan_init(struct vu_backend_chan *c)
{
	pthread_mutex_init(&c->lock, NULL);
	__atomic_store_n(&c->fd, -1, __ATOMIC_RELAXED);
	c->reply_ack = false;
}

/**
 * vu_backend_chan_destroy() - Close the channel and release its lock
 * @c:		channel
 */
void vu_backend_chan_destroy(struct vu_backend_chan *c)
{
	vu_backend_chan_close(c);
	pthread_mutex_destroy(&c->lock);
}

/**
 * vu_backend_chan_set() - Use a new socket for the channel
 * @c:		channel
 * @fd:		socket from SET_BACKEND_REQ_FD, owned by the channel now
 */
void vu_backend_chan_set(struct vu_backend_chan *c, int fd)
{
	struct timeval tv = {
		.tv_sec = VU_SOCKET_TIMEOUT_MS / 1000,
		.tv_usec = (VU_SOCKET_TIMEOUT_MS % 1000) * 1000,
	};
	int old;

	/* A front-end that stops reading must not block the sender forever */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		log_warn("back-end channel: cannot set a send timeout");
	pthread_mutex_lock(&c->lock);
	old = c->fd;
	__atomic_store_n(&c->fd, fd, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&c->lock);
	if (old >= 0)
		close(old);
}

/**
 * vu_backend_chan_set_reply_ack() - Whether the front-end acks our messages
 * @c:		channel
 * @reply_ack:	REPLY_ACK negotiated
 */
void vu_backend_chan_set_reply_ack(struct vu_backend_chan *c, bool reply_ack)
{
	pthread_mutex_lock(&c->lock);
	c->reply_ack = reply_ack;
	pthread_mutex_unlock(&c->lock);
}

/**
 * vu_backend_chan_close() - Close the channel's socket, if any
 * @c:		channel
 */
void vu_backend_chan_close(struct vu_backend_chan *c)
{
	int fd;

	pthread_mutex_lock(&c->lock);
	fd = c->fd;
	__atomic_store_n(&c->fd, -1, __ATOMIC_RELAXED);
	c->reply_ack = false;
	pthread_mutex_unlock(&c->lock);
	if (fd >= 0)
		close(fd);
}

/**
 * vu_backend_chan_open() - Whether the channel has a socket, from any thread
 * @c:		channel
 *
 * Return: true if SET_BACKEND_REQ_FD gave one and it has not failed
 */
bool vu_backend_chan_open(const struct vu_backend_chan *c)
{
	return __atomic_load_n(&c->fd, __ATOMIC_RELAXED) >= 0;
}

/**
 * vu_backend_chan_config_changed() - Send BACKEND_CONFIG_CHANGE_MSG
 * @c:		channel
 * @wait_ack:	ask for the front-end's ack if REPLY_ACK was negotiated; false
 *		when the caller is the thread that would serve the front-end's
 *		GET_CONFIG before that ack comes
 * @errp:	set if there is no channel, sending fails, or the front-end
 *		does not ack (then the channel is closed)
 *
 * Return: true if the front-end was told (and acked, if asked to)
 */
bool vu_backend_chan_config_changed(struct vu_backend_chan *c, bool wait_ack,
				    struct error **errp)
{
	struct vhost_user_header hdr = {
		.request = VHOST_USER_BACKEND_CONFIG_CHANGE_MSG,
		.flags = VHOST_USER_VERSION,
		.size = 0,
	};
	uint64_t ack = 0;
	bool ok;

	pthread_mutex_lock(&c->lock);
	if (c->fd < 0) {
		pthread_mutex_unlock(&c->lock);
		error_setg(errp, "config change: no back-end channel");
		return false;
	}
	wait_ack = wait_ack && c->reply_ack;
	if (wait_ack)
		hdr.flags |= VHOST_USER_NEED_REPLY_MASK;
	ok = vu_socket_send(c->fd, &hdr, NULL, errp);
	if (ok && wait_ack)
		ok = vu_socket_recv_ack(c->fd, hdr.request,
					VU_BACKEND_ACK_TIMEOUT_MS, &ack, errp);
	if (!ok) {
		close(c->fd);
		__atomic_store_n(&c->fd, -1, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&c->lock);
	if (!ok) {
		error_prepend(errp, "config change: ");
		return false;
	}
	if (ack) {
		error_setg(errp, "config change: front-end replied %" PRIu64,
			   ack);
		return false;
	}
	return true;
}
