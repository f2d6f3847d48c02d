/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vhost-user session life cycle and request dispatch.
 *
 * A session is attached to a connected front-end, processes one message at a
 * time and ends on EOF, error or violation. Every request is checked against
 * the table, handled (handlers live in the device, ring and memory files), and
 * answered with its reply or, with REPLY_ACK, an ack. A protocol violation
 * ends the session; the server then waits for the next front-end.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "transport/vhost-user-session.h"
#include "transport/vhost-user-socket.h"
#include "util/log.h"

/**
 * vu_session_config_notify() - Device callback: config space changed
 * @dev:	device
 * @opaque:	the session
 *
 * May run on any thread: only the back-end channel (locked) is used.
 */
static void vu_session_config_notify(struct virtio_device *dev, void *opaque)
{
	struct vu_session *s = opaque;
	struct error *err = NULL;

	if (!vu_backend_chan_config_changed(&s->backend, &err)) {
		log_warn("%s", error_get_pretty(err));
		error_free(err);
	}
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
	if (s)
		s->rings = calloc(dev->num_queues ? dev->num_queues : 1,
				  sizeof(*s->rings));
	if (!s || !s->rings) {
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

	res = d->handle(s, msg, &err);
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
