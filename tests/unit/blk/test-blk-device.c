/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-blk unit tests: construction, features, config space, several
 * queues in parallel, draining on stop, statistics.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <endian.h>
#include <stddef.h>
#include <string.h>

#include "tests/unit/blk/blk-test-util.h"
#ifdef CONFIG_LINUX_IO_URING
#include "devices/blk/blk-io.h"
#endif

#define QD 32

/**
 * read_config() - Read the whole config space through get_config
 * @f:		fixture
 * @cfg:	filled
 */
static void read_config(struct blk_fixture *f, struct virtio_blk_config *cfg)
{
	g_assert_true(
		f->dev->ops->get_config(f->dev, 0, cfg, sizeof(*cfg), NULL));
}

/**
 * test_features() - What a writable and a read-only disk offer
 * @f:		fixture
 * @data:	unused
 */
static void test_features(struct blk_fixture *f, gconstpointer data)
{
	const uint64_t always =
		BLK_BIT(VIRTIO_BLK_F_SIZE_MAX) | BLK_BIT(VIRTIO_BLK_F_SEG_MAX) |
		BLK_BIT(VIRTIO_BLK_F_BLK_SIZE) | BLK_BIT(VIRTIO_BLK_F_FLUSH) |
		BLK_BIT(VIRTIO_BLK_F_TOPOLOGY) | BLK_BIT(VIRTIO_BLK_F_MQ) |
		BLK_BIT(VIRTIO_BLK_F_CONFIG_WCE) | BLK_BIT(VIRTIO_F_VERSION_1) |
		BLK_BIT(VIRTIO_RING_F_INDIRECT_DESC) |
		BLK_BIT(VIRTIO_RING_F_EVENT_IDX);
	const uint64_t rw = BLK_BIT(VIRTIO_BLK_F_DISCARD) |
			    BLK_BIT(VIRTIO_BLK_F_WRITE_ZEROES);
	const struct blk_fixture_opts o = { .no_start = true };
	uint64_t offer;

	blk_fixture_start(f, &o);
	offer = inproc_offered_features(f->ip);
	g_assert_cmphex(offer & always, ==, always);
	g_assert_cmphex(offer & rw, ==, rw);
	g_assert_false(offer & BLK_BIT(VIRTIO_BLK_F_RO));
	g_assert_false(offer & BLK_BIT(VIRTIO_BLK_F_GEOMETRY));
}

/**
 * test_features_read_only() - RO offered, DISCARD/WRITE_ZEROES not
 * @f:		fixture
 * @data:	unused
 */
static void test_features_read_only(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = { .no_start = true,
					    .read_only = true };
	uint64_t offer;

	blk_fixture_start(f, &o);
	offer = inproc_offered_features(f->ip);
	g_assert_true(offer & BLK_BIT(VIRTIO_BLK_F_RO));
	g_assert_false(offer & BLK_BIT(VIRTIO_BLK_F_DISCARD));
	g_assert_false(offer & BLK_BIT(VIRTIO_BLK_F_WRITE_ZEROES));
	g_assert_true(offer & BLK_BIT(VIRTIO_BLK_F_FLUSH));
}

/**
 * test_config_fields() - Config values for a 3-queue, 4 KiB-block disk
 * @f:		fixture
 * @data:	unused
 */
static void test_config_fields(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = { .sectors = 10000,
					    .extra_bytes = 300,
					    .num_queues = 3,
					    .logical_block_size = 4096,
					    .no_start = true };
	struct virtio_blk_config cfg;

	blk_fixture_start(f, &o);
	read_config(f, &cfg);
	g_assert_cmpuint(le64toh(cfg.capacity), ==, 10000);
	g_assert_cmpuint(le32toh(cfg.seg_max), ==, 126);
	g_assert_cmpuint(le32toh(cfg.size_max), >=, 4096);
	g_assert_cmpuint(le32toh(cfg.blk_size), ==, 4096);
	g_assert_cmpuint(le16toh(cfg.num_queues), ==, 3);
	g_assert_cmpuint(cfg.writeback, ==, 1);
	g_assert_cmpuint(le16toh(cfg.min_io_size), >=, 1);
	g_assert_cmpuint(le32toh(cfg.max_discard_sectors), >, 0);
	g_assert_cmpuint(le32toh(cfg.max_discard_seg), ==, 16);
	g_assert_cmpuint(le32toh(cfg.discard_sector_alignment), ==, 8);
	g_assert_cmpuint(le32toh(cfg.max_write_zeroes_sectors), >, 0);
	g_assert_cmpuint(le32toh(cfg.max_write_zeroes_seg), ==, 16);
	g_assert_cmpuint(cfg.write_zeroes_may_unmap, ==, 1);
	g_assert_cmpuint(cfg.zoned_model, ==, 0);
}

/**
 * test_config_ranges() - Any in-range [offset, len) reads; others fail
 * @f:		fixture
 * @data:	unused
 */
static void test_config_ranges(struct blk_fixture *f, gconstpointer data)
{
	static const uint32_t lens[] = { 36, 48, 57, 60, 96 };
	const struct blk_fixture_opts o = { .no_start = true };
	struct virtio_device *dev;
	struct virtio_blk_config cfg;
	uint8_t buf[128];
	struct error *err = NULL;

	blk_fixture_start(f, &o);
	dev = f->dev;
	read_config(f, &cfg);
	for (size_t i = 0; i < G_N_ELEMENTS(lens); i++) {
		memset(buf, 0xcc, sizeof(buf));
		g_assert_true(dev->ops->get_config(dev, 0, buf, lens[i], NULL));
		g_assert_true(memcmp(buf, &cfg, lens[i]) == 0);
		g_assert_cmpuint(buf[lens[i]], ==, 0xcc);
	}
	for (uint32_t off = 0; off < sizeof(cfg); off += 7) {
		for (uint32_t len = 1; off + len <= sizeof(cfg); len += 5) {
			g_assert_true(
				dev->ops->get_config(dev, off, buf, len, NULL));
			g_assert_true(memcmp(buf, (uint8_t *)&cfg + off, len) ==
				      0);
		}
	}
	g_assert_true(dev->ops->get_config(dev, 96, buf, 0, NULL));
	g_assert_false(dev->ops->get_config(dev, 96, buf, 1, NULL));
	g_assert_false(dev->ops->get_config(dev, 90, buf, 8, NULL));
	g_assert_false(dev->ops->get_config(dev, 0, buf, 97, NULL));
	g_assert_false(dev->ops->get_config(dev, UINT32_MAX, buf, 2, NULL));
	g_assert_false(dev->ops->get_config(dev, 2, buf, UINT32_MAX, &err));
	g_assert_nonnull(err);
	g_assert_nonnull(strstr(error_get_pretty(err), "config"));
	error_free(err);
}

/**
 * set_wb() - Write the writeback byte
 * @f:		fixture
 * @off:	offset
 * @v:		value
 * @len:	bytes
 *
 * Return: whether the device accepted it
 */
static bool set_wb(struct blk_fixture *f, uint32_t off, uint8_t v, uint32_t len)
{
	uint8_t buf[4] = { v, v, v, v };
	struct error *err = NULL;
	bool ok = f->dev->ops->set_config(f->dev, off, buf, len, &err);

	g_assert_true(ok == !err);
	error_free(err);
	return ok;
}

/**
 * wb() - Read the writeback byte
 * @f:		fixture
 *
 * Return: its value
 */
static uint8_t wb(struct blk_fixture *f)
{
	uint8_t v = 0xff;

	g_assert_true(f->dev->ops->get_config(
		f->dev, offsetof(struct virtio_blk_config, writeback), &v, 1,
		NULL));
	return v;
}

/**
 * test_set_config() - Only the writeback byte is writable, with CONFIG_WCE
 * @f:		fixture
 * @data:	unused
 */
static void test_set_config(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = { .sectors = 2048 };
	uint8_t buf[8192];
	struct virtio_blk_config before, after;

	blk_fixture_start(f, &o);
	g_assert_cmpuint(wb(f), ==, 1);
	g_assert_true(set_wb(f, 32, 0, 1));
	g_assert_cmpuint(wb(f), ==, 0);
	/* Writethrough I/O still works */
	memset(buf, 9, sizeof(buf));
	g_assert_cmpuint(blk_write(f, 4, buf, sizeof(buf)), ==,
			 VIRTIO_BLK_S_OK);
	g_assert_true(set_wb(f, 32, 1, 1));
	g_assert_cmpuint(wb(f), ==, 1);

	read_config(f, &before);
	g_assert_false(set_wb(f, 32, 0, 2));
	g_assert_false(set_wb(f, 31, 0, 1));
	g_assert_false(set_wb(f, 0, 0, 1));
	g_assert_false(set_wb(f, 34, 0, 1));
	g_assert_false(set_wb(f, 32, 2, 1));
	g_assert_false(set_wb(f, UINT32_MAX, 0, 1));
	read_config(f, &after);
	g_assert_true(memcmp(&before, &after, sizeof(before)) == 0);

	/* Device reset restores writeback mode */
	g_assert_true(set_wb(f, 32, 0, 1));
	virtio_device_reset(f->dev);
	g_assert_cmpuint(wb(f), ==, 1);
}

/**
 * test_set_config_no_wce() - Without CONFIG_WCE writeback is read-only
 * @f:		fixture
 * @data:	unused
 */
static void test_set_config_no_wce(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = { .drop_features = BLK_BIT(
						    VIRTIO_BLK_F_CONFIG_WCE),
					    .no_start = true };

	blk_fixture_start(f, &o);
	g_assert_false(set_wb(f, 32, 0, 1));
	g_assert_cmpuint(wb(f), ==, 1);
}

/**
 * test_wce_without_flush() - CONFIG_WCE without FLUSH starts writethrough
 * @f:		fixture
 * @data:	unused
 */
static void test_wce_without_flush(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = { .drop_features =
						    BLK_BIT(VIRTIO_BLK_F_FLUSH),
					    .no_start = true };

	blk_fixture_start(f, &o);
	g_assert_cmpuint(wb(f), ==, 0);
}

/**
 * new_fails() - virtio_blk_new() must fail with a message containing @what
 * @opts:	options
 * @what:	expected part of the message
 */
static void new_fails(const struct virtio_blk_options *opts, const char *what)
{
	struct error *err = NULL;

	g_assert_null(virtio_blk_new(opts, &err));
	g_assert_nonnull(err);
	if (!strstr(error_get_pretty(err), what))
		g_error("'%s' does not mention '%s'", error_get_pretty(err),
			what);
	error_free(err);
}

/**
 * test_bad_options() - Refused options name what is wrong
 * @f:		fixture
 * @data:	unused
 */
static void test_bad_options(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts fo = { .no_start = true,
					     .keep_files = true };
	char *missing = g_build_filename(f->dir, "missing.img", NULL);
	struct virtio_blk_options o = {
		.num_queues = 1,
		.queue_size = 128,
		.aio = VIRTIO_BLK_AIO_SYNC,
	};

	blk_fixture_start(f, &fo);
	o.path = missing;
	new_fails(&o, missing);
	o.path = f->dir;
	new_fails(&o, f->dir);
	o.path = f->path;
	o.num_queues = 0;
	new_fails(&o, "num-queues");
	o.num_queues = 1;
	o.queue_size = 100;
	new_fails(&o, "queue-size");
	o.queue_size = 65536;
	new_fails(&o, "queue-size");
	o.queue_size = 128;
	o.logical_block_size = 1000;
	new_fails(&o, "logical-block-size");
	o.logical_block_size = 8192;
	new_fails(&o, "logical-block-size");
	o.logical_block_size = 0;
	o.serial = "123456789012345678901";
	new_fails(&o, "serial");
	o.serial = NULL;
	o.path = NULL;
	new_fails(&o, "path");
	g_free(missing);
}

/**
 * test_two_queues() - Two queues with requests in flight at once
 * @f:		fixture
 * @data:	unused
 */
static void test_two_queues(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = { .sectors = 8192, .num_queues = 2 };
	enum { PER_Q = 16, LEN = 16384 };
	struct blk_io io[2][PER_Q];
	uint8_t *wbuf = g_malloc(2 * PER_Q * LEN);
	uint8_t *rbuf = g_malloc0(2 * PER_Q * LEN);
	struct virtio_blk_queue_stats st;

	blk_fixture_start(f, &o);
	for (unsigned int q = 0; q < 2; q++) {
		for (unsigned int i = 0; i < PER_Q; i++) {
			size_t n = q * PER_Q + i;
			uint64_t sector = n * (LEN / 512);

			blk_pattern(wbuf + n * LEN, LEN, sector * 512, 70);
			io[q][i] = (struct blk_io){
				.queue = q,
				.type = VIRTIO_BLK_T_OUT,
				.sector = sector,
				.out = wbuf + n * LEN,
				.out_len = LEN,
			};
			blk_io_submit(f, &io[q][i]);
		}
	}
	blk_kick(f, 0);
	blk_kick(f, 1);
	for (unsigned int q = 0; q < 2; q++) {
		for (unsigned int i = 0; i < PER_Q; i++) {
			struct blk_io *done = blk_io_wait(f, q);

			g_assert_cmpuint(done->queue, ==, q);
			g_assert_cmpuint(done->status, ==, VIRTIO_BLK_S_OK);
		}
	}
	/* Read everything back, again spread over both queues */
	for (unsigned int q = 0; q < 2; q++) {
		for (unsigned int i = 0; i < PER_Q; i++) {
			size_t n = (1 - q) * PER_Q + i;

			io[q][i] = (struct blk_io){
				.queue = q,
				.type = VIRTIO_BLK_T_IN,
				.sector = n * (LEN / 512),
				.in = rbuf + n * LEN,
				.in_len = LEN,
			};
			blk_io_submit(f, &io[q][i]);
		}
	}
	blk_kick(f, 1);
	blk_kick(f, 0);
	for (unsigned int q = 0; q < 2; q++)
		for (unsigned int i = 0; i < PER_Q; i++)
			g_assert_cmpuint(blk_io_wait(f, q)->status, ==,
					 VIRTIO_BLK_S_OK);
	g_assert_true(memcmp(wbuf, rbuf, 2 * PER_Q * LEN) == 0);

	for (unsigned int q = 0; q < 2; q++) {
		g_assert_true(virtio_blk_queue_stats(f->dev, q, &st));
		g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_WRITE].ops, ==, PER_Q);
		g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_WRITE].bytes, ==,
				 PER_Q * LEN);
		g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_READ].ops, ==, PER_Q);
		g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_READ].errors, ==, 0);
	}
	g_assert_false(virtio_blk_queue_stats(f->dev, 2, &st));
	g_free(wbuf);
	g_free(rbuf);
}

/**
 * test_drain_on_stop() - QD32 in flight, stop: everything taken completes
 * @f:		fixture
 * @data:	unused
 *
 * Stops as soon as the first completion is seen, so most requests are
 * still in flight in the engine. After the stop every chain the device took
 * must be in the used ring; a restart must finish the rest.
 */
static void test_drain_on_stop(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = { .sectors = 16384,
					    .queue_size = 64 };
	enum { LEN = 65536 };
	struct blk_io io[QD];
	uint8_t *wbuf = g_malloc(QD * LEN), *rbuf = g_malloc0(QD * LEN);
	unsigned int completed = 0;
	struct error *err = NULL;
	struct blk_io *done;
	uint32_t len;

	blk_fixture_start(f, &o);
	for (unsigned int i = 0; i < QD; i++) {
		blk_pattern(wbuf + i * LEN, LEN, (uint64_t)i * LEN, 80);
		io[i] = (struct blk_io){
			.type = VIRTIO_BLK_T_OUT,
			.sector = (uint64_t)i * (LEN / 512),
			.out = wbuf + i * LEN,
			.out_len = LEN,
		};
		blk_io_submit(f, &io[i]);
	}
	blk_kick(f, 0);
	blk_io_wait(f, 0);
	completed++;
	inproc_stop_queue(f->ip, 0);

	g_assert_cmpuint(f->dev->vqs[0].inflight, ==, 0);
	while ((done = inproc_get_used(f->ip, 0, &len))) {
		g_assert_false(done->done);
		done->done = true;
		completed++;
	}
	/* Every chain the device popped was completed before the stop */
	g_assert_cmpuint(completed, ==, f->dev->vqs[0].last_avail_idx);

	inproc_start_queue(f->ip, 0, 0, 0, &err);
	g_assert_null(err);
	while (completed < QD) {
		blk_io_wait(f, 0);
		completed++;
	}
	for (unsigned int i = 0; i < QD; i++)
		g_assert_true(io[i].done);
	blk_file_read(f, 0, rbuf, QD * LEN);
	g_assert_true(memcmp(wbuf, rbuf, QD * LEN) == 0);
	g_free(wbuf);
	g_free(rbuf);
}

/**
 * test_capacity_rounding() - A size not a multiple of 512 rounds down
 * @f:		fixture
 * @data:	unused
 */
static void test_capacity_rounding(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = { .sectors = 4, .extra_bytes = 511 };
	struct virtio_blk_config cfg;
	uint8_t buf[1024];

	blk_fixture_start(f, &o);
	read_config(f, &cfg);
	g_assert_cmpuint(le64toh(cfg.capacity), ==, 4);
	g_assert_cmpuint(blk_read(f, 2, buf, 1024), ==, VIRTIO_BLK_S_OK);
	g_assert_cmpuint(blk_read(f, 3, buf, 1024), ==, VIRTIO_BLK_S_IOERR);
}

/**
 * test_no_event_idx() - Flag-based notifications, no indirect descriptors
 * @f:		fixture
 * @data:	unused
 */
static void test_no_event_idx(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = {
		.sectors = 4096,
		.drop_features = BLK_BIT(VIRTIO_RING_F_EVENT_IDX) |
				 BLK_BIT(VIRTIO_RING_F_INDIRECT_DESC),
	};
	enum { N = 16, LEN = 8192 };
	struct blk_io io[N];
	uint8_t *wbuf = g_malloc(N * LEN), *rbuf = g_malloc0(N * LEN);

	blk_fixture_start(f, &o);
	for (unsigned int round = 0; round < 2; round++) {
		bool write = round == 0;

		for (unsigned int i = 0; i < N; i++) {
			if (write)
				blk_pattern(wbuf + i * LEN, LEN,
					    (uint64_t)i * LEN, 90);
			io[i] = (struct blk_io){
				.type = write ? VIRTIO_BLK_T_OUT
					      : VIRTIO_BLK_T_IN,
				.sector = (uint64_t)i * (LEN / 512),
				.out = write ? wbuf + i * LEN : NULL,
				.out_len = write ? LEN : 0,
				.in = write ? NULL : rbuf + i * LEN,
				.in_len = write ? 0 : LEN,
				.layout = { .data_descs = 2 },
			};
			blk_io_submit(f, &io[i]);
			/* Kick every few requests: batches of several sizes */
			if (i % 5 == 4)
				blk_kick(f, 0);
		}
		blk_kick(f, 0);
		for (unsigned int i = 0; i < N; i++)
			g_assert_cmpuint(blk_io_wait(f, 0)->status, ==,
					 VIRTIO_BLK_S_OK);
	}
	g_assert_true(memcmp(wbuf, rbuf, N * LEN) == 0);
	g_free(wbuf);
	g_free(rbuf);
}

/**
 * test_stats() - Per-queue counters of operations, bytes and refusals
 * @f:		fixture
 * @data:	unused
 */
static void test_stats(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = { .sectors = 2048 };
	struct virtio_blk_queue_stats st;
	uint8_t buf[4096] = { 0 };

	blk_fixture_start(f, &o);
	g_assert_cmpuint(blk_write(f, 0, buf, 4096), ==, VIRTIO_BLK_S_OK);
	g_assert_cmpuint(blk_write(f, 0, buf, 1024), ==, VIRTIO_BLK_S_OK);
	g_assert_cmpuint(blk_write(f, 4096, buf, 512), ==, VIRTIO_BLK_S_IOERR);
	g_assert_cmpuint(blk_read(f, 0, buf, 2048), ==, VIRTIO_BLK_S_OK);
	g_assert_cmpuint(blk_cmd(f, VIRTIO_BLK_T_FLUSH, 0), ==,
			 VIRTIO_BLK_S_OK);
	g_assert_true(virtio_blk_queue_stats(f->dev, 0, &st));
	g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_WRITE].ops, ==, 3);
	g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_WRITE].bytes, ==, 5120);
	/* Out of range: refused before any I/O, not a host I/O error */
	g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_WRITE].invalid, ==, 1);
	g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_WRITE].errors, ==, 0);
	g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_READ].ops, ==, 1);
	g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_READ].bytes, ==, 2048);
	g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_FLUSH].ops, ==, 1);
	g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_DISCARD].ops, ==, 0);
	g_assert_cmpstr(virtio_blk_stat_name(VIRTIO_BLK_STAT_WRITE_ZEROES), ==,
			"write-zeroes");
	g_assert_cmpstr(virtio_blk_stat_name(VIRTIO_BLK_STAT_MAX), ==, "?");
}

/**
 * test_aio_auto() - aio=auto picks io_uring where the host allows it
 * @f:		fixture (its backing is reused)
 * @data:	unused
 */
static void test_aio_auto(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts fo = { .no_start = true,
					     .keep_files = true };
	struct virtio_blk_options o = {
		.num_queues = 1,
		.queue_size = 16,
		.aio = VIRTIO_BLK_AIO_AUTO,
	};
	struct error *err = NULL;
	struct virtio_device *dev;
	const char *engine;

	blk_fixture_start(f, &fo);
	o.path = f->path;
	dev = virtio_blk_new(&o, &err);
	g_assert_null(err);
	engine = virtio_blk_io_engine(dev);
#ifdef CONFIG_LINUX_IO_URING
	if (blk_io_uring_probe(NULL))
		g_assert_cmpstr(engine, ==, "io_uring");
	else
		g_assert_cmpstr(engine, ==, "sync");
#else
	g_assert_cmpstr(engine, ==, "sync");
	o.aio = VIRTIO_BLK_AIO_IO_URING;
	new_fails(&o, "io_uring");
#endif
	virtio_device_free(dev);
}

/**
 * main() - Register the tests for both I/O engines and run them
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: 0 if every test passed
 */
int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	blk_test_add_sync("device", "features", test_features);
	blk_test_add_sync("device", "features-read-only",
			  test_features_read_only);
	blk_test_add_sync("device", "config-fields", test_config_fields);
	blk_test_add_sync("device", "config-ranges", test_config_ranges);
	blk_test_add("device", "set-config", test_set_config);
	blk_test_add_sync("device", "set-config-no-wce",
			  test_set_config_no_wce);
	blk_test_add_sync("device", "wce-without-flush",
			  test_wce_without_flush);
	blk_test_add_sync("device", "bad-options", test_bad_options);
	blk_test_add("device", "two-queues", test_two_queues);
	blk_test_add("device", "drain-on-stop", test_drain_on_stop);
	blk_test_add("device", "capacity-rounding", test_capacity_rounding);
	blk_test_add("device", "no-event-idx", test_no_event_idx);
	blk_test_add("device", "stats", test_stats);
	blk_test_add_sync("device", "aio-auto", test_aio_auto);
	return g_test_run();
}
