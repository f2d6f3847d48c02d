/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The device a vhost-user fuzz target serves, as its program would.
 *
 * One file per device defines fuzz_vu_device; the target is linked with one
 * of them (fuzz-vhost-user-blk, fuzz-vhost-user-net).
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TESTS_FUZZ_PROTOCOL_FUZZ_VU_DEVICE_H
#define QD_TESTS_FUZZ_PROTOCOL_FUZZ_VU_DEVICE_H

#include <stdint.h>

#include "devices/virtio/virtio-device.h"
#include "transport/vhost-user-server.h"

struct fuzz_vu_device {
	const char *name; /* log prefix */
	/* The device, once per process; exits on failure */
	struct virtio_device *(*create)(void);
	/* What the program's vu_server_options would say */
	uint64_t extra_protocol_features;
	const struct vu_device_request *requests;
	unsigned int n_requests;
	uint64_t queue_num;
};

extern const struct fuzz_vu_device fuzz_vu_device;

/*
 * fuzz_vu_real_ops() - the device's own ops: the target wraps its queue hooks,
 * and a device's public calls check that the ops are theirs
 */
const struct virtio_device_ops *fuzz_vu_real_ops(struct virtio_device *dev);

#endif /* QD_TESTS_FUZZ_PROTOCOL_FUZZ_VU_DEVICE_H */
