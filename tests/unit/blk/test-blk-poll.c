/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-blk unit tests of queue polling (poll_max_us) with each I/O engine,
 * and of the engine aio=auto picks for an image in memory.
 *
 * The in-process driver kicks only when the device asks for it, so the
 * worker's kick counter tells whether requests were found by polling.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "devices/blk/blk-io.h"
#include "tests/unit/blk/blk-test-util.h"

/* Wide enough that a grown window outlasts most hiccups */
#define WIDE_POLL_US 1000000
/* Requests that may find the worker asleep on a loaded machine, per 100 */
#define MAX_MISSED 5
#define QSIZE	   128
#define SECTORS	   8192

/**
 * start_polling() - Start the fixture's device with polling configured
 * @f:			fixture
 * @poll_max_us:	the device's poll_max_us
 */
static void start_polling(struct blk_fixture *f, unsigned int poll_max_us)
{
	const struct blk_fixture_opts o = { .sectors = SECTORS,
					    .no_start = true };
	struct error *err = NULL;

	blk_fixture_start(f, &o);
	/* Read by the worker when the queue starts */
	f->dev->poll_max_us = poll_max_us;
	g_assert_true(inproc_start_queue(f->ip, 0, QSIZE, 64, &err));
	g_assert_null(err);
}

/**
 * kicks() - Kicks the queue's worker received so far
 * @f:		started fixture
 *
 * Return: the counter
 */
static uint64_t kicks(const struct blk_fixture *f)
{
	return __atomic_load_n(&f->dev->vqs[0].stats.kicks, __ATOMIC_RELAXED);
}

/**
 * widen() - Grow the polling window to about 100 ms
 * @f:		fixture started with WIDE_POLL_US
 *
 * Reads 1 ms apart take the window to about 1 ms, reads 80 ms apart past
 * 80 ms (it doubles each time work comes after it but within poll_max).
 */
static void widen(struct blk_fixture *f)
{
	uint8_t buf[512];
	unsigned int i;

	for (i = 0; i < 20; i++) {
		g_assert_cmpuint(blk_read(f, i, buf, sizeof(buf)), ==,
				 VIRTIO_BLK_S_OK);
		g_usleep(i < 12 ? 1000 : 80 * 1000);
	}
}

/**
 * test_poll_rw() - Writes and reads found by polling: no kicks, right data
 * @f:		fixture
 * @data:	unused
 */
static void test_poll_rw(struct blk_fixture *f, gconstpointer data)
{
	uint8_t *out = g_malloc(4096), *in = g_malloc(4096), *file;
	GRand *rand = g_rand_new_with_seed(3);
	uint64_t before;

	start_polling(f, WIDE_POLL_US);
	widen(f);
	before = kicks(f);
	file = g_malloc(4096);
	for (unsigned int i = 0; i < 100; i++) {
		uint64_t sector = g_rand_int_range(rand, 0, SECTORS / 8) * 8;

		blk_pattern(out, 4096, sector * 512, (uint8_t)i);
		g_assert_cmpuint(blk_write(f, sector, out, 4096), ==,
				 VIRTIO_BLK_S_OK);
		blk_file_read(f, sector * 512, file, 4096);
		g_assert_true(memcmp(out, file, 4096) == 0);
		memset(in, 0, 4096);
		g_assert_cmpuint(blk_read(f, sector, in, 4096), ==,
				 VIRTIO_BLK_S_OK);
		g_assert_true(memcmp(out, in, 4096) == 0);
	}
	g_assert_cmpuint(kicks(f) - before, <=, 2 * MAX_MISSED);
	g_free(file);
	g_free(out);
	g_free(in);
	g_rand_free(rand);
}

/**
 * test_poll_batches() - Batches of requests published at once, all found
 * by polling
 * @f:		fixture
 * @data:	unused
 */
static void test_poll_batches(struct blk_fixture *f, gconstpointer data)
{
	struct blk_io io[32];
	uint8_t bufs[32][1024];
	uint64_t before;

	start_polling(f, WIDE_POLL_US);
	widen(f);
	before = kicks(f);
	for (unsigned int round = 0; round < 20; round++) {
		unsigned int n = 1 + round % 32;

		for (unsigned int i = 0; i < n; i++) {
			io[i] = (struct blk_io){
				.type = VIRTIO_BLK_T_IN,
				.sector = (round * 37 + i * 2) % SECTORS,
				.in = bufs[i],
				.in_len = sizeof(bufs[i]),
			};
			blk_io_submit(f, &io[i]);
		}
		blk_kick(f, 0);
		for (unsigned int i = 0; i < n; i++) {
			struct blk_io *done = blk_io_wait(f, 0);
			uint8_t expect[1024];

			g_assert_cmpuint(done->status, ==, VIRTIO_BLK_S_OK);
			blk_file_read(f, done->sector * 512, expect,
				      sizeof(expect));
			g_assert_true(
				memcmp(expect, done->in, sizeof(expect)) == 0);
		}
	}
	g_assert_cmpuint(kicks(f) - before, <=, MAX_MISSED);
}

/**
 * test_poll_stop_inflight() - A stop while polling drains every request
 * @f:		fixture
 * @data:	unused
 */
static void test_poll_stop_inflight(struct blk_fixture *f, gconstpointer data)
{
	struct vring_driver *drv;
	struct blk_io io[32];
	uint8_t data_out[4096];
	uint16_t first, taken;

	start_polling(f, WIDE_POLL_US);
	widen(f);
	drv = inproc_driver(f->ip, 0);
	first = drv->last_used_idx;
	blk_pattern(data_out, sizeof(data_out), 0, 9);
	for (unsigned int i = 0; i < 32; i++) {
		io[i] = (struct blk_io){
			.type = VIRTIO_BLK_T_OUT,
			.sector = i * 8,
			.out = data_out,
			.out_len = sizeof(data_out),
		};
		blk_io_submit(f, &io[i]);
	}
	blk_kick(f, 0);
	/* Taken by polling (or not yet): what was taken completed */
	inproc_stop_queue(f->ip, 0);
	taken = f->dev->vqs[0].last_avail_idx - first;
	g_assert_cmpuint(drv->used->idx, ==, f->dev->vqs[0].last_avail_idx);
	g_test_message("%u of 32 requests taken before the stop", taken);
	for (unsigned int i = 0; i < taken; i++)
		g_assert_cmpuint(blk_io_wait(f, 0)->status, ==,
				 VIRTIO_BLK_S_OK);
}

/**
 * test_poll_off() - poll_max_us 0: the worker sleeps, and every request
 * needs a kick
 * @f:		fixture
 * @data:	unused
 */
static void test_poll_off(struct blk_fixture *f, gconstpointer data)
{
	uint8_t buf[512];
	uint64_t before;

	start_polling(f, 0);
	before = kicks(f);
	for (unsigned int i = 0; i < 50; i++) {
		/* The worker is asleep by now: it asked for a kick */
		g_usleep(1000);
		g_assert_cmpuint(blk_read(f, i, buf, sizeof(buf)), ==,
				 VIRTIO_BLK_S_OK);
	}
	g_assert_cmpuint(kicks(f), ==, before + 50);
}

/**
 * auto_engine() - The engine aio=auto picks for an image in @dir
 * @dir:	existing directory
 *
 * Return: "sync" or "io_uring" (g_free() it)
 */
static char *auto_engine(const char *dir)
{
	struct virtio_blk_options o = {
		.num_queues = 1,
		.queue_size = 16,
		.aio = VIRTIO_BLK_AIO_AUTO,
	};
	char *path = g_build_filename(dir, "qd-blk-auto-XXXXXX", NULL);
	struct virtio_device *dev;
	struct error *err = NULL;
	char *engine;
	int fd = g_mkstemp(path);

	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(ftruncate(fd, 1 << 20), ==, 0);
	close(fd);
	o.path = path;
	dev = virtio_blk_new(&o, &err);
	g_assert_null(err);
	g_assert_nonnull(dev);
	engine = g_strdup(virtio_blk_io_engine(dev));
	virtio_device_free(dev);
	g_unlink(path);
	g_free(path);
	return engine;
}

/**
 * test_auto_in_memory() - aio=auto: synchronous I/O on tmpfs, io_uring (if
 * this host has it) elsewhere
 */
static void test_auto_in_memory(void)
{
	const char *tmp = g_get_tmp_dir();
	char *engine;

	if (!blk_on_tmpfs("/dev/shm")) {
		g_test_skip("/dev/shm is not tmpfs here");
		return;
	}
	engine = auto_engine("/dev/shm");
	g_assert_cmpstr(engine, ==, "sync");
	g_free(engine);

	if (blk_on_tmpfs(tmp))
		return;
	engine = auto_engine(tmp);
#ifdef CONFIG_LINUX_IO_URING
	if (blk_io_uring_probe(NULL))
		g_assert_cmpstr(engine, ==, "io_uring");
	else
		g_assert_cmpstr(engine, ==, "sync");
#else
	g_assert_cmpstr(engine, ==, "sync");
#endif
	g_free(engine);
}

/**
 * main() - Register and run the tests
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: GTest's exit status
 */
int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	blk_test_add("poll", "rw", test_poll_rw);
	blk_test_add("poll", "batches", test_poll_batches);
	blk_test_add("poll", "stop-inflight", test_poll_stop_inflight);
	blk_test_add("poll", "off", test_poll_off);
	g_test_add_func("/blk/poll/auto-in-memory", test_auto_in_memory);
	return g_test_run();
}
