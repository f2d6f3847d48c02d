/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vhost-user requests that map onto the device interface: features,
 * ownership, queue count, config space, status, reset, back-end channel.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <inttypes.h>
#include <sys/stat.h>

#include "devices/virtio/virtio-ring.h"
#include "transport/vhost-user-session.h"
#include "util/log.h"

#define PROTOCOL_FEATURES_BIT (1ULL << VHOST_USER_F_PROTOCOL_FEATURES)

/**
 * vu_feature_name() - Name of a bit of a vhost-user virtio feature word
 * @dev:	device (names its own bits)
 * @bit:	bit number
 *
 * Return: the device's or VIRTIO's name, the vhost bits' names, or NULL
 */
const char *vu_feature_name(const struct virtio_device *dev, unsigned int bit)
{
	const char *name = virtio_feature_name(dev, bit);

	if (name)
		return name;
	if (bit == VHOST_USER_F_PROTOCOL_FEATURES)
		return "VHOST_USER_F_PROTOCOL_FEATURES";
	if (bit == VHOST_F_LOG_ALL)
		return "VHOST_F_LOG_ALL";
	return NULL;
}

/**
 * vu_reply_u64() - Put a u64 reply into the request's payload
 * @msg:	request being answered
 * @value:	reply value
 *
 * Return: VU_OK
 */
static enum vu_result vu_reply_u64(struct vhost_user_msg *msg, uint64_t value)
{
	msg->payload.u64 = value;
	msg->hdr.size = sizeof(msg->payload.u64);
	return VU_OK;
}

/**
 * vu_features_offer() - Virtio features we offer: the device's and bit 30
 * @s:		session
 *
 * Return: the feature word for GET_FEATURES
 */
static uint64_t vu_features_offer(const struct vu_session *s)
{
	return s->dev->ops->get_features(s->dev) | PROTOCOL_FEATURES_BIT;
}

/**
 * vu_handle_get_features() - GET_FEATURES: the virtio features offered
 * @s:		session
 * @msg:	request; the u64 reply is put here
 * @errp:	unused
 *
 * Return: VU_OK
 */
enum vu_result vu_handle_get_features(struct vu_session *s,
				      struct vhost_user_msg *msg,
				      struct error **errp)
{
	return vu_reply_u64(msg, vu_features_offer(s));
}

/**
 * vu_handle_set_features() - SET_FEATURES: the driver's choice
 * @s:		session
 * @msg:	request (u64 features)
 * @errp:	set if a bit was not offered or the device refuses the set
 *
 * Without bit 30 the rings are enabled at once (vhost-user.rst: "Ring
 * states"); with it they wait for SET_VRING_ENABLE.
 *
 * Return: VU_OK, VU_FAILED or VU_VIOLATION
 */
enum vu_result vu_handle_set_features(struct vu_session *s,
				      struct vhost_user_msg *msg,
				      struct error **errp)
{
	uint64_t features = msg->payload.u64;
	uint64_t offer = vu_features_offer(s);
	unsigned int i;

	if (features & ~offer) {
		error_setg(errp,
			   "features 0x%" PRIx64 ": bits 0x%" PRIx64
			   " were not offered",
			   features, features & ~offer);
		return VU_VIOLATION;
	}
	/* Queues pick up ring features (EVENT_IDX, ...) when they start */
	vu_rings_stop_all(s);
	if (!virtio_device_set_features(
		    s->dev, features & ~PROTOCOL_FEATURES_BIT, errp)) {
		error_prepend(errp, "features 0x%" PRIx64 ": ", features);
		return VU_VIOLATION;
	}
	s->features = features;
	if (!(features & PROTOCOL_FEATURES_BIT)) {
		for (i = 0; i < s->dev->num_queues; i++)
			s->rings[i].enabled = true;
	}
	return vu_rings_update_all(s, errp) ? VU_OK : VU_FAILED;
}

/**
 * vu_handle_get_protocol_features() - GET_PROTOCOL_FEATURES: what we offer
 * @s:		session
 * @msg:	request; the u64 reply is put here
 * @errp:	unused
 *
 * Return: VU_OK
 */
enum vu_result vu_handle_get_protocol_features(struct vu_session *s,
					       struct vhost_user_msg *msg,
					       struct error **errp)
{
	return vu_reply_u64(msg, s->protocol_offer);
}

/**
 * vu_handle_set_protocol_features() - SET_PROTOCOL_FEATURES: the front-end's
 * choice
 * @s:		session
 * @msg:	request (u64 protocol features)
 * @errp:	set if a bit was not offered
 *
 * Return: VU_OK or VU_VIOLATION
 */
enum vu_result vu_handle_set_protocol_features(struct vu_session *s,
					       struct vhost_user_msg *msg,
					       struct error **errp)
{
	uint64_t features = msg->payload.u64;
	uint64_t extra = features & ~s->protocol_offer;

	if (extra) {
		unsigned int bit = __builtin_ctzll(extra);
		const char *name = vhost_user_protocol_feature_name(bit);

		error_setg(errp,
			   "protocol features 0x%" PRIx64 ": %s (bit %u) was "
			   "not offered",
			   features, name ? name : "unknown", bit);
		return VU_VIOLATION;
	}
	s->protocol_features = features;
	vu_backend_chan_set_reply_ack(
		&s->backend,
		features & (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK));
	return VU_OK;
}

/**
 * vu_handle_get_queue_num() - GET_QUEUE_NUM: the device's number of queues,
 * or the number the program chose (queue pairs for net)
 * @s:		session
 * @msg:	request; the u64 reply is put here
 * @errp:	unused
 *
 * Return: VU_OK
 */
enum vu_result vu_handle_get_queue_num(struct vu_session *s,
				       struct vhost_user_msg *msg,
				       struct error **errp)
{
	return vu_reply_u64(msg,
			    s->queue_num ? s->queue_num : s->dev->num_queues);
}

/**
 * vu_handle_device_request() - a request the device gives meaning to
 * @s:		session
 * @msg:	request with a u64 payload (checked by the table)
 * @errp:	the device's refusal
 *
 * Return: VU_OK or VU_FAILED
 */
enum vu_result vu_handle_device_request(struct vu_session *s,
					struct vhost_user_msg *msg,
					struct error **errp)
{
	unsigned int i;

	for (i = 0; i < s->n_device_requests; i++) {
		const struct vu_device_request *r = &s->device_requests[i];

		if (r->request == msg->hdr.request)
			return r->handle(s->dev, msg->payload.u64, errp)
				       ? VU_OK
				       : VU_FAILED;
	}
	error_setg(errp, "not supported by %s", s->dev->ops->name);
	return VU_FAILED;
}

/**
 * vu_handle_set_owner() - SET_OWNER: the front-end takes the session
 * @s:		session
 * @msg:	request
 * @errp:	set if the session already has an owner
 *
 * Return: VU_OK or VU_VIOLATION
 */
enum vu_result vu_handle_set_owner(struct vu_session *s,
				   struct vhost_user_msg *msg,
				   struct error **errp)
{
	if (s->owner) {
		error_setg(errp, "the session already has an owner");
		return VU_VIOLATION;
	}
	s->owner = true;
	return VU_OK;
}

/**
 * vu_handle_reset_owner() - RESET_OWNER (deprecated): disable every ring
 * @s:		session
 * @msg:	request
 * @errp:	unused
 *
 * Everything else stays: the front-end does not set up the session again.
 *
 * Return: VU_OK
 */
enum vu_result vu_handle_reset_owner(struct vu_session *s,
				     struct vhost_user_msg *msg,
				     struct error **errp)
{
	unsigned int i;

	for (i = 0; i < s->dev->num_queues; i++)
		s->rings[i].enabled = false;
	vu_rings_update_all(s, NULL);
	return VU_OK;
}

/**
 * vu_handle_set_backend_req_fd() - SET_BACKEND_REQ_FD: our channel to the
 * front-end
 * @s:		session
 * @msg:	request (one socket fd, taken if it is a socket)
 * @errp:	set if the fd is not a socket
 *
 * The channel carries messages both ways, with a send timeout: a pipe could
 * never carry the front-end's acks, and sending on a file would write into
 * it. Such an fd is refused (the previous channel, if any, stays).
 *
 * Return: VU_OK, or VU_FAILED for an fd that is no socket
 */
enum vu_result vu_handle_set_backend_req_fd(struct vu_session *s,
					    struct vhost_user_msg *msg,
					    struct error **errp)
{
	struct stat st;

	if (fstat(msg->fds[0], &st) < 0) {
		error_setg_errno(errp, errno, "fstat of fd %d", msg->fds[0]);
		return VU_FAILED;
	}
	if (!S_ISSOCK(st.st_mode)) {
		error_setg(errp, "fd %d is not a socket (mode 0%o)",
			   msg->fds[0], (unsigned int)st.st_mode);
		return VU_FAILED;
	}
	vu_backend_chan_set(&s->backend, msg->fds[0]);
	msg->fds[0] = -1;
	return VU_OK;
}

/**
 * vu_handle_get_config() - GET_CONFIG: read the device's config space
 * @s:		session
 * @msg:	request (config: offset, size); the reply is put here
 * @errp:	unused: a refused read is answered with a zero-size payload
 *
 * Return: VU_OK
 */
enum vu_result vu_handle_get_config(struct vu_session *s,
				    struct vhost_user_msg *msg,
				    struct error **errp)
{
	struct vhost_user_config *c = &msg->payload.config;
	const struct virtio_device_ops *ops = s->dev->ops;
	struct error *err = NULL;

	if (!ops->get_config) {
		error_setg(&err, "the device has no config space");
	} else if (ops->get_config(s->dev, c->offset, c->region, c->size,
				   &err)) {
		return VU_OK; /* same size back, hdr.size is unchanged */
	}
	log_warn("GET_CONFIG: offset %u size %u: %s", c->offset, c->size,
		 error_get_pretty(err));
	error_free(err);
	msg->hdr.size = 0;
	return VU_OK;
}

/**
 * vu_handle_set_config() - SET_CONFIG: write the device's config space
 * @s:		session
 * @msg:	request (config: offset, size, flags, data)
 * @errp:	set if the flags are unknown or the device refuses the write
 *
 * Return: VU_OK, VU_FAILED or VU_VIOLATION
 */
enum vu_result vu_handle_set_config(struct vu_session *s,
				    struct vhost_user_msg *msg,
				    struct error **errp)
{
	const struct vhost_user_config *c = &msg->payload.config;
	const struct virtio_device_ops *ops = s->dev->ops;

	if (c->flags != VHOST_SET_CONFIG_TYPE_FRONTEND &&
	    c->flags != VHOST_SET_CONFIG_TYPE_MIGRATION) {
		error_setg(errp, "flags %u: expected 0 or 1", c->flags);
		return VU_VIOLATION;
	}
	if (!ops->set_config) {
		error_setg(errp, "the device has no writable config space");
		return VU_FAILED;
	}
	if (!ops->set_config(s->dev, c->offset, c->region, c->size, errp)) {
		error_prepend(errp, "offset %u size %u: ", c->offset, c->size);
		return VU_FAILED;
	}
	return VU_OK;
}

/**
 * vu_handle_reset_device() - RESET_DEVICE: device and rings back to initial
 * @s:		session
 * @msg:	request
 * @errp:	unused
 *
 * The session (owner, protocol features, memory) stays.
 *
 * Return: VU_OK
 */
enum vu_result vu_handle_reset_device(struct vu_session *s,
				      struct vhost_user_msg *msg,
				      struct error **errp)
{
	unsigned int i;

	vu_rings_stop_all(s);
	virtio_device_reset(s->dev);
	s->features = 0;
	for (i = 0; i < s->dev->num_queues; i++)
		vu_ring_forget(s, i);
	return VU_OK;
}

/**
 * vu_handle_set_status() - SET_STATUS: the driver's device status
 * @s:		session
 * @msg:	request (u64 status, 0..0xff)
 * @errp:	set if the value does not fit a status byte
 *
 * Status 0 is a device reset: queues stop and wait for a new kick, but their
 * bases stay, because QEMU asks for them (GET_VRING_BASE) after this.
 *
 * Return: VU_OK or VU_VIOLATION
 */
enum vu_result vu_handle_set_status(struct vu_session *s,
				    struct vhost_user_msg *msg,
				    struct error **errp)
{
	uint64_t status = msg->payload.u64;
	unsigned int i;

	if (status > UINT8_MAX) {
		error_setg(errp, "status 0x%" PRIx64 " does not fit in 8 bits",
			   status);
		return VU_VIOLATION;
	}
	if (status) {
		virtio_device_set_status(s->dev, status);
		return VU_OK;
	}
	/* Stopped here first, so each ring's base is kept */
	vu_rings_stop_all(s);
	virtio_device_set_status(s->dev, 0);
	s->features = 0;
	for (i = 0; i < s->dev->num_queues; i++)
		s->rings[i].started = false;
	return VU_OK;
}

/**
 * vu_handle_get_status() - GET_STATUS: the device status
 * @s:		session
 * @msg:	request; the u64 reply is put here
 * @errp:	unused
 *
 * Return: VU_OK
 */
enum vu_result vu_handle_get_status(struct vu_session *s,
				    struct vhost_user_msg *msg,
				    struct error **errp)
{
	return vu_reply_u64(msg, virtio_device_get_status(s->dev));
}
