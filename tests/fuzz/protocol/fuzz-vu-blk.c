/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The virtio-blk device of the vhost-user fuzz target: the protocol targets'
 * disk (fuzz-blk-disk.c), no device requests of its own.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include "tests/fuzz/protocol/fuzz-blk-disk.h"
#include "tests/fuzz/protocol/fuzz-vu-device.h"

/**
 * fuzz_blk_create() - The disk and the device
 *
 * Return: the device
 */
static struct virtio_device *fuzz_blk_create(void)
{
	return fuzz_blk_disk("fuzz-vhost-user");
}

const struct fuzz_vu_device fuzz_vu_device = {
	.name = "fuzz-vhost-user-blk",
	.create = fuzz_blk_create,
};
