/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Device-neutral events: the vhost-user session and the VIRTIO status.
 *
 * The callbacks run on the transport's control thread or a queue worker and
 * only queue an event (qmp_event_emit never blocks on a client).
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <string.h>

#include "qmp/commands-int.h"
#include "qmp/qmp-target.h"

/**
 * qmp_session_event() - Server callback: a front-end came or went
 * @opaque:	the target
 * @connected:	true when a front-end was attached
 * @reason:	why the session ended (disconnects only)
 */
static void qmp_session_event(void *opaque, bool connected, const char *reason)
{
	struct qmp_vhost_user_disconnected_data data = {
		.reason = (char *)(reason ? reason : "unknown"),
	};

	if (connected)
		qmp_event_send_vhost_user_connected();
	else
		qmp_event_send_vhost_user_disconnected(&data);
}

/**
 * qmp_device_event() - Device listener: VIRTIO_STATUS_CHANGED
 * @dev:	device
 * @ev:		what happened
 * @queue:	the queue that broke, or -1
 * @reason:	why it broke, or NULL
 * @opaque:	the target
 */
static void qmp_device_event(struct virtio_device *dev,
			     enum virtio_device_event ev, int queue,
			     const char *reason, void *opaque)
{
	enum qmp_virtio_status_bit bits[QMP_VIRTIO_STATUS_BITS];
	struct qmp_virtio_status_changed_data data = { 0 };

	switch (ev) {
	case VIRTIO_DEVICE_EVENT_DRIVER_READY:
		data.change = QMP_VIRTIO_STATUS_CHANGE_DRIVER_READY;
		break;
	case VIRTIO_DEVICE_EVENT_RESET:
		data.change = QMP_VIRTIO_STATUS_CHANGE_RESET;
		break;
	case VIRTIO_DEVICE_EVENT_BROKEN:
		data.change = QMP_VIRTIO_STATUS_CHANGE_BROKEN;
		break;
	default:
		return;
	}
	data.n_status =
		qmp_virtio_status_bits(virtio_device_get_status(dev), bits);
	data.status = bits;
	if (queue >= 0) {
		data.has_queue = true;
		data.queue = queue;
	}
	if (reason) {
		data.has_reason = true;
		data.reason = (char *)reason;
	}
	qmp_event_send_virtio_status_changed(&data);
}

/**
 * qmp_target_init() - Fill the target and hook the device-neutral events
 * @t:		target to fill
 * @program:	program name (query-version's package)
 * @dev:	device served
 * @quit_fd:	eventfd the quit command writes
 * @opts:	server options: the session callback is set here
 */
void qmp_target_init(struct qmp_target *t, const char *program,
		     struct virtio_device *dev, int quit_fd,
		     struct vu_server_options *opts)
{
	const struct virtio_device_listener listener = {
		.event = qmp_device_event,
		.opaque = t,
	};

	memset(t, 0, sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
	t->program = program;
	t->dev = dev;
	t->quit_fd = quit_fd;
	virtio_device_set_listener(dev, &listener);
	opts->session_event = qmp_session_event;
	opts->event_opaque = t;
}

/**
 * qmp_target_fini() - Detach the device-specific part, if any
 * @t:		target
 */
void qmp_target_fini(struct qmp_target *t)
{
	if (t->device_detach)
		t->device_detach(t);
	t->device_detach = NULL;
	pthread_mutex_destroy(&t->lock);
}

/**
 * qmp_target_set_server() - Publish or withdraw the server
 * @t:		target
 * @srv:	the server, or NULL before it is freed
 *
 * Withdrawing waits for a handler that still uses the server.
 */
void qmp_target_set_server(struct qmp_target *t, struct vu_server *srv)
{
	pthread_mutex_lock(&t->lock);
	t->srv = srv;
	pthread_mutex_unlock(&t->lock);
}

/**
 * qmp_target_lock() - Hold the server for a handler
 * @t:		target
 * @errp:	set when there is no server any more
 *
 * Return: the server (release with qmp_target_unlock()), or NULL
 */
struct vu_server *qmp_target_lock(struct qmp_target *t, struct error **errp)
{
	pthread_mutex_lock(&t->lock);
	if (!t->srv) {
		pthread_mutex_unlock(&t->lock);
		error_setg(errp, "the program is shutting down");
		return NULL;
	}
	return t->srv;
}

/**
 * qmp_target_unlock() - Release the server after qmp_target_lock()
 * @t:		target
 */
void qmp_target_unlock(struct qmp_target *t)
{
	pthread_mutex_unlock(&t->lock);
}

/**
 * qmp_target_query() - The server's view of the session, for a handler
 * @t:		target
 * @info:	filled (info->queues allocated, the caller frees it)
 * @errp:	set when shutting down or if the query fails
 *
 * Return: true on success
 */
bool qmp_target_query(struct qmp_target *t, struct vu_server_info *info,
		      struct error **errp)
{
	struct vu_server *srv = qmp_target_lock(t, errp);
	bool ok;

	if (!srv)
		return false;
	ok = vu_server_query(srv, info, errp);
	qmp_target_unlock(t);
	return ok;
}
