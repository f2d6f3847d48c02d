/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qemu-dev-vhost-user-blk: a virtio-blk device served as a vhost-user back-end.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <stdlib.h>
#include <string.h>

#include "cli/program.h"
#include "devices/blk/virtio-blk.h"
#include "util/log.h"

static const char *const blk_features[] = { "read-only", "blk-file", NULL };

static const struct program_info blk_program = {
	.name = QD_PROGRAM_NAME,
	.summary = "Serve a raw image file or block device as a virtio-blk "
		   "device to a vhost-user front-end (e.g. QEMU's "
		   "vhost-user-blk-pci).",
	.backend_type = "block",
	.features = blk_features,
	.qmp_attach = qmp_blk_attach,
};

static const char *const cache_choices[] = { "writeback", "none", NULL };
static const char *const aio_choices[] = { "auto", "io_uring", "sync", NULL };

int main(int argc, char **argv)
{
	struct virtio_blk_options blk = {
		.num_queues = 1,
		.queue_size = 1024,
		.logical_block_size = 512,
		.poll_max_us = VIRTIO_BLK_POLL_MAX_US_DEFAULT,
	};
	struct program_common common = { 0 };
	int cache = VIRTIO_BLK_CACHE_WRITEBACK;
	int aio = VIRTIO_BLK_AIO_AUTO;
	const struct cli_option opts[] = {
		{ .name = "blk-file",
		  .short_name = 'b',
		  .arg = CLI_ARG_STRING,
		  .metavar = "PATH",
		  .help = "raw image file or block device to export",
		  .dest = &blk.path },
		{ .name = "read-only",
		  .short_name = 'r',
		  .help = "export read-only (VIRTIO_BLK_F_RO)",
		  .dest = &blk.read_only },
		{ .name = "serial",
		  .arg = CLI_ARG_STRING,
		  .metavar = "STR",
		  .help = "serial number the guest reads (GET_ID), up to 20 "
			  "bytes",
		  .dest = &blk.serial },
		{ .name = "num-queues",
		  .short_name = 'q',
		  .arg = CLI_ARG_UINT,
		  .metavar = "N",
		  .help = "number of request virtqueues (1..64, default 1)",
		  .dest = &blk.num_queues,
		  .min = 1,
		  .max = 64 },
		{ .name = "queue-size",
		  .arg = CLI_ARG_UINT,
		  .metavar = "N",
		  .help = "largest virtqueue size accepted (power of two, "
			  "default 1024)",
		  .dest = &blk.queue_size,
		  .min = 1,
		  .max = 32768,
		  .power_of_two = true },
		{ .name = "logical-block-size",
		  .arg = CLI_ARG_UINT,
		  .metavar = "BYTES",
		  .help = "logical block size (512..4096, power of two, "
			  "default 512)",
		  .dest = &blk.logical_block_size,
		  .min = 512,
		  .max = 4096,
		  .power_of_two = true },
		{ .name = "cache",
		  .arg = CLI_ARG_CHOICE,
		  .metavar = "writeback|none",
		  .help = "host page cache (writeback) or O_DIRECT (none)",
		  .dest = &cache,
		  .choices = cache_choices },
		{ .name = "aio",
		  .arg = CLI_ARG_CHOICE,
		  .metavar = "auto|io_uring|sync",
		  .help = "I/O engine (auto: io_uring, or sync for tmpfs/ramfs "
			  "images)",
		  .dest = &aio,
		  .choices = aio_choices },
		{ .name = "poll-max-us",
		  .arg = CLI_ARG_UINT,
		  .metavar = "N",
		  .help = "busy-wait up to N microseconds for the next request "
			  "before sleeping (0: never, default 100)",
		  .dest = &blk.poll_max_us,
		  .max = VIRTIO_BLK_POLL_MAX_US_LIMIT },
		{ .name = NULL },
	};
	struct virtio_device *dev;
	struct error *err = NULL;
	bool ok;

	log_init(blk_program.name, LOG_LEVEL_INFO);
	program_parse(&blk_program, argc, argv, opts, &common);
	if (!blk.path)
		program_usage_error(&blk_program, "--blk-file is required");
	if (blk.serial && strlen(blk.serial) > VIRTIO_BLK_ID_BYTES)
		program_usage_error(&blk_program,
				    "--serial: '%s' is longer than %d bytes",
				    blk.serial, VIRTIO_BLK_ID_BYTES);
	blk.cache = cache;
	blk.aio = aio;

	dev = virtio_blk_new(&blk, &err);
	if (!dev) {
		error_report_err(err);
		return EXIT_FAILURE;
	}
	ok = program_serve(&blk_program, dev, &common, NULL, &err);
	virtio_device_free(dev);
	if (!ok) {
		error_report_err(err);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
