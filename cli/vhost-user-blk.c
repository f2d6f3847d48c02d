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
};

static const char *const cache_choices[] = { "writeback", "none", NULL };
static const char *const aio_choices[] = { "auto", "io_uring", "sync", NULL };

int main(int argc, char **argv)
{
	struct virtio_blk_options blk = {
		.num_queues = 1,
		.queue_size = 1024,
		.logical_block_size = 512,
	};
	struct program_common common = { 0 };
	int cache = VIRTIO_BLK_CACHE_WRITEBACK;
	int aio = VIRTIO_BLK_AIO_AUTO;
	const struct cli_option opts[] = {
		{ "blk-file", 'b', CLI_ARG_STRING, "PATH",
		  "raw image file or block device to export", &blk.path },
		{ "read-only", 'r', CLI_ARG_NONE, NULL,
		  "export read-only (VIRTIO_BLK_F_RO)", &blk.read_only },
		{ "serial", 0, CLI_ARG_STRING, "STR",
		  "serial number the guest reads (GET_ID), up to 20 bytes",
		  &blk.serial },
		{ "num-queues", 'q', CLI_ARG_UINT, "N",
		  "number of request virtqueues (1..64, default 1)",
		  &blk.num_queues, 1, 64 },
		{ "queue-size", 0, CLI_ARG_UINT, "N",
		  "largest virtqueue size accepted (power of two, default "
		  "1024)",
		  &blk.queue_size, 1, 32768, NULL, true },
		{ "logical-block-size", 0, CLI_ARG_UINT, "BYTES",
		  "logical block size (512..4096, power of two, default 512)",
		  &blk.logical_block_size, 512, 4096, NULL, true },
		{ "cache", 0, CLI_ARG_CHOICE, "writeback|none",
		  "host page cache (writeback) or O_DIRECT (none)", &cache, 0,
		  0, cache_choices },
		{ "aio", 0, CLI_ARG_CHOICE, "auto|io_uring|sync",
		  "I/O engine (auto: io_uring where it works)", &aio, 0, 0,
		  aio_choices },
		{ NULL },
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
	ok = program_serve(&blk_program, dev, &common, 0, &err);
	virtio_device_free(dev);
	if (!ok) {
		error_report_err(err);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
