/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The virtio-blk device of the protocol fuzz targets: a disk in a memfd.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TESTS_FUZZ_PROTOCOL_FUZZ_BLK_DISK_H
#define QD_TESTS_FUZZ_PROTOCOL_FUZZ_BLK_DISK_H

#include "devices/virtio/virtio-device.h"

#define FUZZ_BLK_DISK_SIZE (1ULL << 20)

struct virtio_device *fuzz_blk_disk(const char *serial);

#endif /* QD_TESTS_FUZZ_PROTOCOL_FUZZ_BLK_DISK_H */
