/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The virtio-blk device of the protocol fuzz targets (vhost-user, QMP): a
 * 1 MiB disk in a memfd, two queues, synchronous I/O.
 *
 * Synchronous I/O because each queue start would otherwise set up an
 * io_uring, and the workers never do I/O here (guest memory is zeros);
 * no polling, so an idle worker sleeps instead of spinning.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devices/blk/virtio-blk.h"
#include "tests/fuzz/protocol/fuzz-blk-disk.h"
#include "tests/fuzz/protocol/fuzz-util.h"

/**
 * fuzz_blk_disk() - The disk and the device, once per process
 * @serial:	the device's serial (GET_ID), the target's name
 *
 * The memfd stays open for the life of the process: the device opens it
 * again through /proc, as it would open an image file.
 *
 * Return: the device; a failure is a failed check
 */
struct virtio_device *fuzz_blk_disk(const char *serial)
{
	struct virtio_blk_options opts = {
		.serial = serial,
		.num_queues = 2,
		.queue_size = 256,
		.cache = VIRTIO_BLK_CACHE_WRITEBACK,
		.aio = VIRTIO_BLK_AIO_SYNC,
		.logical_block_size = 512,
	};
	struct virtio_device *dev;
	struct error *err = NULL;
	char path[64];
	int fd;

	fd = memfd_create("fuzz-disk", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, FUZZ_BLK_DISK_SIZE) < 0)
		fuzz_fail("memfd for the disk");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	opts.path = path;
	dev = virtio_blk_new(&opts, &err);
	if (!dev)
		fuzz_fail("%s", error_get_pretty(err));
	return dev;
}
