/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vhost-user session life cycle and request dispatch.
 *
 * A session is attached to a connected front-end, processes one message at a
 * time and ends on EOF, error or violation. Every request is checked against
 * the table, handled (handlers live in the device, ring and memory files), and
 * answered with its reply or, with REPLY_ACK, an ack. A protocol violation
 * ends the session; the server then waits for the next front-end.
 *
 * After attaching, after each message and after ending, the control thread
 * publishes what queries from other threads read (vu_session_query()); see
 * the locking rules in vhost-user-session.h.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "transport/vhost-user-session.h"
#include "transport/vhost-user-socket.h"
#include "util/log.h"

/*
 * The session whose request this thread is handling, if any: a config change
 * asked for from inside a handler (a device request, say) runs on the thread
 * that must answer the front-end's GET_CONFIG before the front-end acks.
 */
static __thread const struct vu_session *vu_handling;

/**
 * vu_session_config_notify() - Device callback: config space changed
 * @dev:	device
 * @opaque:	the session
 * @errp:	why the front-end was not told
 *
 * Any thread; takes only the back-end channel's lock, never info_lock, and
 * the control thread keeps serving GET_CONFIG while this waits for the ack.
 * On the control thread itself, inside a handler, the ack is not asked for:
 * waiting for it there would stall until the ack timeout.
 *
 * Return: true if the front-end was told (and acked, if asked to)
 */
static bool vu_session_config_notify(struct virtio_device *dev, void *opaque,
				     struct error **errp)
{
	struct vu_session *s = opaque;
	struct error *err = NULL;

	if (!vu_backend_chan_config_changed(&s->backend, vu_handling != s,
					    &err)) {
		log_debug("%s", error_get_pretty(err));
		error_propagate(errp, err);
		return false;
	}
	return true;
}

/**
 * vu_session_publish() - Copy the session's state for queries
 * @s:		session, on the control thread between messages
 */
static void vu_session_publish(struct vu_session *s)
{
	unsigned int i;

	pthread_mutex_lock(&s->info_lock);
	s->pub.connected = s->fd >= 0;
	s->pub.features = s->features;
	s->pub.protocol_features = s->protocol_features;
	for (i = 0; i < s->dev->num_queues; i++) {
		s->pub.rings[i] = (struct vu_ring_snapshot){
			.enabled = s->rings[i].enabled,
			.started = virtio_queue_running(s->dev, i),
			.size = s->rings[i].num,
		};
	}
	pthread_mutex_unlock(&s->info_lock);
}

/**
 * vu_session_new() - Session state for a device, not yet connected
 * @dev:	device served
 * @extra_protocol_features:	protocol features offered beyond the common
 *				set; each must be implemented here
 * @errp:	set on an unsupported feature or out of memory
 *
 * Return: the session, or NULL
 */
struct vu_session *vu_session_new(struct virtio_device *dev,
				  uint64_t extra_protocol_features,
				  struct error **errp)
{
	uint64_t unsupported =
		extra_protocol_features & ~VU_SUPPORTED_PROTOCOL_FEATURES;
	struct vu_session *s;
	unsigned int i;

	if (unsupported) {
		unsigned int bit = __builtin_ctzll(unsupported);
		const char *name = vhost_user_protocol_feature_name(bit);

		error_setg(errp,
			   "protocol feature %s (bit %u) is not implemented "
			   "by the vhost-user transport",
			   name ? name : "unknown", bit);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s) {
		s->rings = calloc(dev->num_queues ? dev->num_queues : 1,
				  sizeof(*s->rings));
		s->pub.rings = calloc(dev->num_queues ? dev->num_queues : 1,
				      sizeof(*s->pub.rings));
	}
	if (!s || !s->rings || !s->pub.rings) {
		if (s) {
			free(s->rings);
			free(s->pub.rings);
		}
		free(s);
		error_setg(errp, "out of memory for the vhost-user session");
		return NULL;
	}
	s->dev = dev;
	s->fd = -1;
	s->abort_fd = -1;
	s->protocol_offer =
		VU_COMMON_PROTOCOL_FEATURES | extra_protocol_features;
	for (i = 0; i < dev->num_queues; i++)
		vu_ring_init(&s->rings[i]);
	vu_backend_chan_init(&s->backend);
	pthread_mutex_init(&s->info_lock, NULL);
	vu_session_publish(s);
	dev->transport_opaque = s;
	dev->config_notify = vu_session_config_notify;
	return s;
}

/**
 * vu_session_free() - End the session if one is active, release everything
 * @s:		session, may be NULL
 */
void vu_session_free(struct vu_session *s)
{
	if (!s)
		return;
	vu_session_end(s);
	s->dev->config_notify = NULL;
	s->dev->transport_opaque = NULL;
	vu_backend_chan_destroy(&s->backend);
	pthread_mutex_destroy(&s->info_lock);
	free(s->pub.rings);
	free(s->rings);
	free(s);
}

/**
 * vu_session_attach() - Start a session on a connected front-end socket
 * @s:		session, not active
 * @fd:		connected UNIX stream socket; owned by the session from now on
 *		(closed here on failure)
 * @errp:	set if the socket cannot be configured
 *
 * Return: true if the session is active
 */
bool vu_session_attach(struct vu_session *s, int fd, struct error **errp)
{
	struct timeval tv = {
		.tv_sec = VU_SOCKET_TIMEOUT_MS / 1000,
		.tv_usec = (VU_SOCKET_TIMEOUT_MS % 1000) * 1000,
	};
	int flags = fcntl(fd, F_GETFL);

	/* Blocking I/O with timeouts: a message is read whole once it starts */
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0) {
		error_setg_errno(errp, errno,
				 "configuring the front-end socket");
		close(fd);
		return false;
	}
	s->fd = fd;
	s->owner = false;
	s->protocol_features = 0;
	s->features = 0;
	vu_session_publish(s);
	return true;
}

/**
 * vu_session_active() - Whether a front-end is connected
 * @s:		session
 *
 * Return: true between vu_session_attach() and vu_session_end()
 */
bool vu_session_active(const struct vu_session *s)
{
	return s->fd >= 0;
}

/**
 * vu_session_end() - Forget the front-end: reset the device, stop queues,
 * unmap memory, close every fd
 * @s:		session; nothing happens if it is not active
 */
void vu_session_end(struct vu_session *s)
{
	unsigned int i;

	if (!vu_session_active(s))
		return;
	vu_rings_stop_all(s);
	virtio_device_reset(s->dev);
	for (i = 0; i < s->dev->num_queues; i++) {
		vu_ring_forget(s, i);
		s->dev->vqs[i].mem = NULL;
	}
	vu_mem_free(s->mem);
	s->mem = NULL;
	vu_backend_chan_close(&s->backend);
	close(s->fd);
	s->fd = -1;
	s->owner = false;
	s->protocol_features = 0;
	s->features = 0;
	vu_session_publish(s);
}

/**
 * vu_session_connected() - Whether a front-end is connected, from any thread
 * @s:		session
 *
 * Return: the published state: true between attaching and ending
 */
bool vu_session_connected(struct vu_session *s)
{
	bool connected;

	pthread_mutex_lock(&s->info_lock);
	connected = s->pub.connected;
	pthread_mutex_unlock(&s->info_lock);
	return connected;
}

/**
 * vu_session_query() - The session and its queues, from any thread
 * @s:		session
 * @info:	filled; info->queues is allocated (the caller frees it)
 * @errp:	set if memory ran out
 *
 * Session fields come from the last publication (between messages); the
 * status and everything a queue worker changes are read now, with relaxed
 * atomics: the indices may be mid-update, a snapshot. Only info_lock is
 * taken, for a copy: never a queue drain, never a front-end.
 *
 * Return: true on success
 */
bool vu_session_query(struct vu_session *s, struct vu_server_info *info,
		      struct error **errp)
{
	const struct virtio_device *dev = s->dev;
	unsigned int i, n = dev->num_queues;
	struct vu_server_queue_info *q;

	memset(info, 0, sizeof(*info));
	q = calloc(n ? n : 1, sizeof(*q));
	if (!q) {
		error_setg(errp,
			   "vhost-user query: out of memory for %u queues", n);
		return false;
	}
	pthread_mutex_lock(&s->info_lock);
	info->connected = s->pub.connected;
	info->features = s->pub.features;
	info->protocol_features = s->pub.protocol_features;
	for (i = 0; i < n; i++) {
		q[i].enabled = s->pub.rings[i].enabled;
		q[i].started = s->pub.rings[i].started;
		q[i].size = s->pub.rings[i].size;
	}
	pthread_mutex_unlock(&s->info_lock);

	info->status = virtio_device_get_status(dev);
	info->backend_channel = vu_backend_chan_open(&s->backend);
	info->config_protocol = info->protocol_features &
				(1ULL << VHOST_USER_PROTOCOL_F_CONFIG);
	for (i = 0; i < n; i++) {
		const struct virtqueue *vq = &dev->vqs[i];

		q[i].broken = __atomic_load_n(&vq->broken, __ATOMIC_RELAXED);
		q[i].last_avail_idx =
			__atomic_load_n(&vq->last_avail_idx, __ATOMIC_RELAXED);
		q[i].used_idx =
			__atomic_load_n(&vq->used_idx, __ATOMIC_RELAXED);
		q[i].kicks =
			__atomic_load_n(&vq->stats.kicks, __ATOMIC_RELAXED);
		q[i].calls =
			__atomic_load_n(&vq->stats.calls, __ATOMIC_RELAXED);
		q[i].requests =
			__atomic_load_n(&vq->stats.requests, __ATOMIC_RELAXED);
	}
	info->n_queues = n;
	info->queues = q;
	return true;
}

/**
 * vu_session_dispatch() - Check, handle and answer one request
 * @s:		session
 * @msg:	request as received
 * @errp:	set on a violation or when the answer cannot be sent
 *
 * Return: false if the session must end
 */
static bool vu_session_dispatch(struct vu_session *s,
				struct vhost_user_msg *msg, struct error **errp)
{
	const struct vu_check_ctx ctx = {
		.owner = s->owner,
		.protocol_features = s->protocol_features,
		.num_queues = s->dev->num_queues,
	};
	uint32_t request = msg->hdr.request;
	const char *name = vhost_user_request_name(request);
	bool need_reply = msg->hdr.flags & VHOST_USER_NEED_REPLY_MASK;
	const struct vu_request_desc *d;
	struct error *err = NULL;
	enum vu_result res;
	uint64_t ack;

	d = vu_msg_check(&ctx, msg, errp);
	if (!d)
		return false;
	log_debug("%s (size %u, %u fds)", name, msg->hdr.size, msg->fd_num);

	vu_handling = s;
	res = d->handle(s, msg, &err);
	vu_handling = NULL;
	/* Before the answer: the front-end may act on it, and query us */
	vu_session_publish(s);
	if (res == VU_VIOLATION) {
		error_prepend(&err, "%s: ", name);
		error_propagate(errp, err);
		return false;
	}
	if (res == VU_FAILED) {
		error_prepend(&err, "%s: ", name);
		log_warn("%s", err ? error_get_pretty(err) : "failed");
		error_free(err);
	}

	if (d->reply)
		return vu_socket_send_reply(s->fd, request, &msg->payload,
					    msg->hdr.size, errp);
	if (need_reply) {
		ack = res == VU_OK ? 0 : 1;
		return vu_socket_send_reply(s->fd, request, &ack, sizeof(ack),
					    errp);
	}
	return true;
}

/**
 * vu_session_process() - Read and handle one request from the front-end
 * @s:		active session, its socket readable
 * @errp:	set on a violation or socket error; unset on a clean EOF
 *
 * Return: true if the session goes on, false if it must end (call
 * vu_session_end())
 */
bool vu_session_process(struct vu_session *s, struct error **errp)
{
	struct vhost_user_msg *msg = &s->msg;
	bool ok;
	int r;

	r = vu_socket_recv_msg(s->fd, s->abort_fd, msg, errp);
	if (r <= 0)
		return false;
	ok = vu_session_dispatch(s, msg, errp);
	vu_msg_close_fds(msg);
	return ok;
}
