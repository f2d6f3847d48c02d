/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A device that needs nothing from the host once it serves (virtio-blk: its
 * backing file is open, block-resize works on that fd).
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include "sandbox/sandbox.h"

/**
 * sandbox_device_needs() - Nothing
 * @dev:	the device
 * @needs:	cleared
 */
void sandbox_device_needs(struct virtio_device *dev,
			  struct sandbox_needs *needs)
{
	(void)dev;
	*needs = (struct sandbox_needs){ 0 };
}
