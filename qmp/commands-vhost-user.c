/* SPDX-License-Identifier: GPL-2.0-or-later */
/* query-vhost-user: the session, its negotiated features and its queues.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/virtio-ring.h"
#include "qmp/commands-int.h"
#include "qmp/qmp-target.h"
#include "transport/vhost-user-proto.h"

static const struct {
	uint8_t bit;
	enum qmp_virtio_status_bit name;
} qmp_status_names[QMP_VIRTIO_STATUS_BITS] = {
	{ VIRTIO_CONFIG_S_ACKNOWLEDGE, QMP_VIRTIO_STATUS_BIT_ACKNOWLEDGE },
	{ VIRTIO_CONFIG_S_DRIVER, QMP_VIRTIO_STATUS_BIT_DRIVER },
	{ VIRTIO_CONFIG_S_DRIVER_OK, QMP_VIRTIO_STATUS_BIT_DRIVER_OK },
	{ VIRTIO_CONFIG_S_FEATURES_OK, QMP_VIRTIO_STATUS_BIT_FEATURES_OK },
	{ VIRTIO_CONFIG_S_NEEDS_RESET, QMP_VIRTIO_STATUS_BIT_NEEDS_RESET },
	{ VIRTIO_CONFIG_S_FAILED, QMP_VIRTIO_STATUS_BIT_FAILED },
};

/**
 * qmp_virtio_status_bits() - Status bits as VirtioStatusBit values
 * @status:	device status byte
 * @out:	QMP_VIRTIO_STATUS_BITS entries
 *
 * Return: how many were set
 */
unsigned int qmp_virtio_status_bits(uint8_t status,
				    enum qmp_virtio_status_bit *out)
{
	unsigned int i, n = 0;

	for (i = 0; i < QMP_VIRTIO_STATUS_BITS; i++)
		if (status & qmp_status_names[i].bit)
			out[n++] = qmp_status_names[i].name;
	return n;
}

/**
 * qmp_feature_list() - Names of the bits set in a feature word
 * @word:	features
 * @name:	name of a bit, or NULL if it has none
 * @opaque:	for @name
 * @out:	array of names, allocated here
 * @n_out:	its length
 * @errp:	set if out of memory
 *
 * Bits without a name are listed as "bit-N", so nothing negotiated is hidden.
 *
 * Return: true on success
 */
static bool qmp_feature_list(
	uint64_t word, const char *(*name)(unsigned int bit, void *opaque),
	void *opaque, char ***out, size_t *n_out, struct error **errp)
{
	unsigned int bit;
	size_t n = 0;

	*out = calloc(64, sizeof(**out));
	if (!*out)
		goto oom;
	for (bit = 0; bit < 64; bit++) {
		const char *s;

		if (!(word & (1ULL << bit)))
			continue;
		s = name(bit, opaque);
		if (s)
			(*out)[n] = strdup(s);
		else if (asprintf(&(*out)[n], "bit-%u", bit) < 0)
			(*out)[n] = NULL;
		if (!(*out)[n])
			goto oom;
		n++;
	}
	*n_out = n;
	return true;
oom:
	*n_out = n;
	error_setg(errp, "out of memory");
	return false;
}

/**
 * qmp_virtio_feature_name() - Name of a bit of the vhost-user feature word
 * @bit:	bit number
 * @opaque:	the device
 *
 * Return: the name, or NULL
 */
static const char *qmp_virtio_feature_name(unsigned int bit, void *opaque)
{
	return vu_feature_name(opaque, bit);
}

/**
 * qmp_protocol_feature_name() - Name of a vhost-user protocol feature bit
 * @bit:	bit number
 * @opaque:	unused
 *
 * Return: the name, or NULL
 */
static const char *qmp_protocol_feature_name(unsigned int bit, void *opaque)
{
	return vhost_user_protocol_feature_full_name(bit);
}

/**
 * qmp_cmd_query_vhost_user() - query-vhost-user: the session and its queues
 * @req:	request
 * @ret:	filled here
 * @errp:	set if the server cannot be asked or out of memory
 *
 * Return: true on success
 */
bool qmp_cmd_query_vhost_user(struct qmp_request *req,
			      struct qmp_vhost_user_info *ret,
			      struct error **errp)
{
	struct virtio_device *dev = req->target->dev;
	struct vu_server_info info;
	unsigned int i;
	bool ok = false;

	if (!qmp_target_query(req->target, &info, errp))
		return false;
	ret->connected = info.connected;
	ret->backend_channel = info.backend_channel;
	if (!qmp_feature_list(info.features, qmp_virtio_feature_name, dev,
			      &ret->features, &ret->n_features, errp) ||
	    !qmp_feature_list(info.protocol_features, qmp_protocol_feature_name,
			      NULL, &ret->protocol_features,
			      &ret->n_protocol_features, errp))
		goto out;
	ret->status = calloc(QMP_VIRTIO_STATUS_BITS, sizeof(*ret->status));
	ret->queues =
		calloc(info.n_queues ? info.n_queues : 1, sizeof(*ret->queues));
	if (!ret->status || !ret->queues) {
		error_setg(errp, "out of memory");
		goto out;
	}
	ret->n_status = qmp_virtio_status_bits(info.status, ret->status);
	ret->n_queues = info.n_queues;
	for (i = 0; i < info.n_queues; i++) {
		const struct vu_server_queue_info *q = &info.queues[i];
		struct qmp_vhost_user_queue_info *o = &ret->queues[i];

		o->index = i;
		o->enabled = q->enabled;
		o->started = q->started;
		o->broken = q->broken;
		o->size = q->size;
		o->last_avail_idx = q->last_avail_idx;
		o->used_idx = q->used_idx;
		o->kicks = q->kicks;
		o->calls = q->calls;
		o->processed = q->requests;
	}
	ok = true;
out:
	free(info.queues);
	return ok;
}
