/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: virtio-blk requests over fuzzed guest memory.
 *
 * The input (ring-fuzz.h) fills a small guest RAM with descriptor tables,
 * avail rings, request headers, data and indirect tables, and kicks the
 * device's queues. The disk is a memfd of a few MiB, emptied before every
 * input, served with the synchronous I/O engine: every request completes
 * within the kick that took it, in order, so a run depends on nothing but
 * its input (io_uring would complete on the kernel's schedule).
 *
 * Header bytes of this target (ring-targets.h): [1] the features the
 * driver wants (FB_F_*), [2] the export (FB_O_*), [3] bytes past the last
 * full sector, [6..7] sectors of the disk (0: 2048). Its operations follow
 * the generic ones: enum fb_op.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "devices/blk/virtio-blk-proto.h"
#include "devices/blk/virtio-blk.h"
#include "tests/fuzz/rings/ring-fuzz.h"
#include "tests/fuzz/rings/ring-targets.h"
#include "util/log.h"

#define FB_DEFAULT_SECTORS 2048
#define FB_MAX_SECTORS	   8192
/* CONFIG lengths: 0..127, past the config space */
#define FB_CONFIG_LEN_MOD 128

static int fb_memfd = -1;
static char fb_path[64];

/**
 * fb_backing() - Empty the disk and give it the size the header asks for
 * @s:		session
 *
 * Return: false if the memfd cannot be had
 */
static bool fb_backing(const struct rf_session *s)
{
	unsigned int sectors = s->hdr[6] | s->hdr[7] << 8;
	off_t size;

	if (fb_memfd < 0) {
		fb_memfd = memfd_create("fuzz-virtio-blk", MFD_CLOEXEC);
		if (fb_memfd < 0)
			fuzz_fail("memfd_create");
		snprintf(fb_path, sizeof(fb_path), "/proc/self/fd/%d",
			 fb_memfd);
	}
	if (!sectors)
		sectors = FB_DEFAULT_SECTORS;
	if (sectors > FB_MAX_SECTORS)
		sectors = FB_MAX_SECTORS;
	size = (off_t)sectors * VIRTIO_BLK_SECTOR_SIZE + s->hdr[3];
	/* Truncating to 0 drops the last input's data */
	return !ftruncate(fb_memfd, 0) && !ftruncate(fb_memfd, size);
}

/**
 * fb_create() - The device the header describes
 * @s:		session
 *
 * Return: false if it could not be made (nothing to run)
 */
static bool fb_create(struct rf_session *s)
{
	uint8_t opt = s->hdr[2];
	struct virtio_blk_options o = {
		.path = fb_path,
		.read_only = opt & FB_O_READ_ONLY,
		.serial =
			(opt & FB_O_LONG_ID) ? "01234567890123456789" : "fuzz",
		.num_queues = (opt & FB_O_TWO_QUEUES) ? 2 : 1,
		.queue_size = RF_MAX_QSIZE,
		.cache = VIRTIO_BLK_CACHE_WRITEBACK,
		.aio = VIRTIO_BLK_AIO_SYNC,
		.logical_block_size = (opt & FB_O_LBS_4096) ? 4096 : 512,
	};
	static const struct {
		uint8_t flag;
		unsigned int bit;
	} bits[] = {
		{ FB_F_FLUSH, VIRTIO_BLK_F_FLUSH },
		{ FB_F_CONFIG_WCE, VIRTIO_BLK_F_CONFIG_WCE },
		{ FB_F_DISCARD, VIRTIO_BLK_F_DISCARD },
		{ FB_F_WRITE_ZEROES, VIRTIO_BLK_F_WRITE_ZEROES },
	};
	struct error *err = NULL;

	if (!fb_backing(s))
		fuzz_fail("cannot size the backing memfd");
	s->dev = virtio_blk_new(&o, &err);
	if (!s->dev)
		fuzz_fail("virtio_blk_new: %s", error_get_pretty(err));
	s->nq = o.num_queues;
	s->features =
		(1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_BLK_F_SEG_MAX) |
		(1ULL << VIRTIO_BLK_F_BLK_SIZE) | (1ULL << VIRTIO_BLK_F_MQ);
	for (unsigned int i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (s->hdr[1] & bits[i].flag)
			s->features |= 1ULL << bits[i].bit;
	return true;
}

/**
 * fb_configure() - The driver's writeback choice, with CONFIG_WCE
 * @s:		session
 */
static void fb_configure(struct rf_session *s)
{
	uint8_t wb = !!(s->hdr[2] & FB_O_WRITEBACK);
	struct error *err = NULL;

	if (!(s->features & (1ULL << VIRTIO_BLK_F_CONFIG_WCE)))
		return;
	if (!s->dev->ops->set_config(s->dev, 32, &wb, 1, &err))
		fuzz_fail("writeback refused: %s", error_get_pretty(err));
}

/**
 * fb_op() - The target's operations
 * @s:		session
 * @op:		enum fb_op
 * @in:		input
 */
static void fb_op(struct rf_session *s, unsigned int op, struct fuzz_input *in)
{
	struct error *err = NULL;

	switch (op) {
	case FB_OP_RESIZE: {
		uint64_t size = (uint64_t)fuzz_u16(in) * VIRTIO_BLK_SECTOR_SIZE;

		if (!virtio_blk_resize(s->dev, size, &err))
			error_free(err);
		break;
	}
	case FB_OP_CONFIG:
		rf_config_op(s, in, FB_CONFIG_LEN_MOD);
		break;
	}
}

/**
 * fb_destroy() - Free the device (its queues stop first)
 * @s:		session
 */
static void fb_destroy(struct rf_session *s)
{
	for (unsigned int q = 0; q < s->nq; q++) {
		struct virtio_blk_queue_stats st;

		if (!virtio_blk_queue_stats(s->dev, q, &st))
			continue;
		/* Printed with QD_FUZZ_DEBUG set: what an input reached */
		for (unsigned int i = 0; i < VIRTIO_BLK_STAT_MAX; i++)
			if (st.op[i].ops)
				log_info("queue %u: %s: %llu done, %llu "
					 "refused, %llu failed",
					 q, virtio_blk_stat_name(i),
					 (unsigned long long)st.op[i].ops,
					 (unsigned long long)st.op[i].invalid,
					 (unsigned long long)st.op[i].errors);
	}
	virtio_device_free(s->dev);
	s->dev = NULL;
}

const struct rf_target rf_fuzz_target = {
	.name = "virtio-blk",
	.n_ops = FB_N_OPS,
	.create = fb_create,
	.configure = fb_configure,
	.op = fb_op,
	.destroy = fb_destroy,
};
