/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-blk unit tests: reads and writes, descriptor layouts, and requests
 * refused before they reach the backing (range, length, read-only).
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>
#ifdef CONFIG_LINUX_IO_URING
#include <liburing.h>
#endif

#include "devices/blk/blk-io.h"
#include "tests/unit/blk/blk-test-util.h"

static const struct blk_fixture_opts default_opts = { .sectors = 8192 };

/**
 * check_write_read() - Write a pattern with @layout, read it back two ways
 * @f:		started fixture
 * @sector:	first sector
 * @len:	bytes
 * @layout:	descriptor layout of both requests
 * @seed:	pattern variant, so every call writes new data
 */
static void check_write_read(struct blk_fixture *f, uint64_t sector, size_t len,
			     const struct blk_layout *layout, uint8_t seed)
{
	uint64_t off = sector * VIRTIO_BLK_SECTOR_SIZE;
	uint8_t *data = g_malloc(len), *back = g_malloc0(len);
	struct blk_io w = {
		.type = VIRTIO_BLK_T_OUT,
		.sector = sector,
		.out = data,
		.out_len = len,
		.layout = *layout,
	};
	struct blk_io r = {
		.type = VIRTIO_BLK_T_IN,
		.sector = sector,
		.in = back,
		.in_len = len,
		.layout = *layout,
	};

	blk_pattern(data, len, off, seed);
	blk_io_run(f, &w);
	g_assert_cmpuint(w.status, ==, VIRTIO_BLK_S_OK);
	g_assert_cmpuint(w.used_len, ==, 1);

	blk_file_read(f, off, back, len);
	g_assert_true(memcmp(data, back, len) == 0);

	memset(back, 0, len);
	blk_io_run(f, &r);
	g_assert_cmpuint(r.status, ==, VIRTIO_BLK_S_OK);
	g_assert_cmpuint(r.used_len, ==, len + 1);
	g_assert_true(memcmp(data, back, len) == 0);
	g_free(data);
	g_free(back);
}

/**
 * test_sizes() - Several sizes and offsets, one buffer each
 * @f:		fixture
 * @data:	unused
 */
static void test_sizes(struct blk_fixture *f, gconstpointer data)
{
	static const size_t sizes[] = { 512, 1024, 4096, 65536, 1 << 20 };
	const struct blk_layout plain = { 0 };
	uint8_t seed = 1;

	blk_fixture_start(f, &default_opts);
	for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
		check_write_read(f, 0, sizes[i], &plain, seed++);
		check_write_read(f, 7, sizes[i], &plain, seed++);
		check_write_read(f, f->sectors - sizes[i] / 512, sizes[i],
				 &plain, seed++);
	}
}

/**
 * test_reads_initial() - Reads return what the file held before
 * @f:		fixture
 * @data:	unused
 */
static void test_reads_initial(struct blk_fixture *f, gconstpointer data)
{
	uint8_t buf[8192], want[8192];

	blk_fixture_start(f, &default_opts);
	g_assert_cmpuint(blk_read(f, 3, buf, sizeof(buf)), ==, VIRTIO_BLK_S_OK);
	blk_pattern(want, sizeof(want), 3 * 512, 0xa5);
	g_assert_true(memcmp(buf, want, sizeof(buf)) == 0);
}

/**
 * test_multi_segment() - Data cut into many uneven descriptors
 * @f:		fixture
 * @data:	unused
 */
static void test_multi_segment(struct blk_fixture *f, gconstpointer data)
{
	static const unsigned int segs[] = { 2, 3, 7, 16, 126 };
	uint8_t seed = 10;

	blk_fixture_start(f, &default_opts);
	/* Direct descriptors: the ring has 128, enough for 126 + 2 */
	inproc_driver(f->ip, 0)->indirect = false;
	for (size_t i = 0; i < G_N_ELEMENTS(segs); i++) {
		struct blk_layout l = { .data_descs = segs[i] };

		check_write_read(f, 16, 65536, &l, seed++);
		check_write_read(f, 1, 126 * 512, &l, seed++);
	}
}

/**
 * test_header_split() - Header across descriptors, merged buffers
 * @f:		fixture
 * @data:	unused
 */
static void test_header_split(struct blk_fixture *f, gconstpointer data)
{
	static const struct blk_layout layouts[] = {
		{ .hdr_descs = 2 },
		{ .hdr_descs = 3 },
		{ .hdr_descs = 16 },
		{ .merge_hdr = true },
		{ .merge_hdr = true, .data_descs = 3 },
		{ .merge_status = true },
		{ .merge_status = true, .data_descs = 5 },
		{ .hdr_descs = 3, .merge_status = true, .data_descs = 2 },
	};
	uint8_t seed = 20;

	blk_fixture_start(f, &default_opts);
	inproc_driver(f->ip, 0)->indirect = false;
	for (size_t i = 0; i < G_N_ELEMENTS(layouts); i++)
		check_write_read(f, 100, 4096, &layouts[i], seed++);
}

/**
 * test_indirect() - Chains in indirect tables
 * @f:		fixture
 * @data:	unused
 */
static void test_indirect(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = { .sectors = 8192,
					    .indirect_max = 128 };
	static const struct blk_layout layouts[] = {
		{ 0 },
		{ .data_descs = 4 },
		{ .hdr_descs = 2, .data_descs = 100 },
		{ .merge_status = true, .data_descs = 3 },
	};
	uint8_t seed = 30;

	blk_fixture_start(f, &o);
	g_assert_true(blk_features(f) & BLK_BIT(VIRTIO_RING_F_INDIRECT_DESC));
	g_assert_true(inproc_driver(f->ip, 0)->indirect);
	for (size_t i = 0; i < G_N_ELEMENTS(layouts); i++)
		check_write_read(f, 200, 100 * 512, &layouts[i], seed++);
}

/**
 * test_straddle() - Data buffers crossing the boundary of two regions
 * @f:		fixture
 * @data:	unused
 */
static void test_straddle(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_layout l = { .straddle = true };
	const struct blk_layout l3 = { .straddle = true, .data_descs = 3 };

	blk_fixture_start(f, &default_opts);
	check_write_read(f, 5, 65536, &l, 40);
	check_write_read(f, 9, 4096, &l3, 41);
}

/**
 * test_cache_none() - O_DIRECT with aligned and unaligned guest buffers
 * @f:		fixture
 * @data:	unused
 */
static void test_cache_none(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = { .sectors = 8192,
					    .cache = VIRTIO_BLK_CACHE_NONE,
					    .logical_block_size = 4096 };
	static const struct blk_layout layouts[] = {
		{ 0 },
		{ .misalign = true },
		{ .data_descs = 3 },
		{ .merge_status = true },
		{ .straddle = true },
	};
	uint8_t seed = 50;

	blk_fixture_start(f, &o);
	inproc_driver(f->ip, 0)->indirect = false;
	for (size_t i = 0; i < G_N_ELEMENTS(layouts); i++) {
		check_write_read(f, 8, 4096, &layouts[i], seed++);
		check_write_read(f, 64, 1 << 20, &layouts[i], seed++);
	}
}

/**
 * test_cache_none_tmpfs() - O_DIRECT where statx gives no alignment
 * @f:		fixture
 * @data:	unused
 *
 * tmpfs accepts O_DIRECT on recent kernels (the device probes the
 * alignment) and refuses it on older ones (the device must say so).
 */
static void test_cache_none_tmpfs(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = { .sectors = 4096,
					    .cache = VIRTIO_BLK_CACHE_NONE,
					    .logical_block_size = 4096,
					    .keep_files = true,
					    .dir_base = "/dev/shm",
					    .no_start = true };
	const struct blk_fixture_opts run = { .sectors = 4096,
					      .cache = VIRTIO_BLK_CACHE_NONE,
					      .logical_block_size = 4096,
					      .dir_base = "/dev/shm" };
	const struct blk_layout plain = { 0 }, odd = { .misalign = true };
	struct virtio_blk_options bo = {
		.num_queues = 1,
		.queue_size = 16,
		.cache = VIRTIO_BLK_CACHE_NONE,
		.aio = VIRTIO_BLK_AIO_SYNC,
	};
	struct virtio_device *dev;
	struct error *err = NULL;

	if (!blk_on_tmpfs("/dev/shm")) {
		g_test_skip("/dev/shm is not tmpfs");
		return;
	}
	/* Probe with a device of our own: the fixture must not fail */
	blk_fixture_start(f, &o);
	bo.path = f->path;
	dev = virtio_blk_new(&bo, &err);
	if (!dev) {
		g_assert_nonnull(strstr(error_get_pretty(err), "O_DIRECT"));
		g_assert_nonnull(strstr(error_get_pretty(err), f->path));
		error_free(err);
		g_test_skip("this kernel has no O_DIRECT on tmpfs");
		return;
	}
	virtio_device_free(dev);
	inproc_free(f->ip);
	virtio_device_free(f->dev);
	f->ip = NULL;
	f->dev = NULL;
	close(f->fd);
	g_unlink(f->path);
	g_clear_pointer(&f->path, g_free);

	blk_fixture_start(f, &run);
	check_write_read(f, 8, 8192, &plain, 70);
	check_write_read(f, 16, 8192, &odd, 71);
}

/**
 * test_zero_length() - A read or write without data succeeds
 * @f:		fixture
 * @data:	unused
 */
static void test_zero_length(struct blk_fixture *f, gconstpointer data)
{
	GBytes *before;

	blk_fixture_start(f, &default_opts);
	before = blk_file_contents(f);
	g_assert_cmpuint(blk_read(f, 0, NULL, 0), ==, VIRTIO_BLK_S_OK);
	g_assert_cmpuint(blk_write(f, 0, NULL, 0), ==, VIRTIO_BLK_S_OK);
	blk_assert_file_unchanged(f, before);
	g_bytes_unref(before);
}

/**
 * test_out_of_range() - Past the end and overflowing sectors: IOERR, no I/O
 * @f:		fixture
 * @data:	unused
 */
static void test_out_of_range(struct blk_fixture *f, gconstpointer data)
{
	const uint64_t bad[] = {
		2048, /* first sector past the end */
		2047, /* one in, one out (2 sectors) */
		4096,
		UINT64_MAX,
		UINT64_MAX - 1,	       /* sector + 2 wraps */
		(UINT64_MAX >> 9) + 1, /* sector * 512 overflows */
		1ULL << 63,
	};
	const struct blk_fixture_opts o = { .sectors = 2048 };
	uint8_t buf[1024];
	GBytes *before;

	blk_fixture_start(f, &o);
	before = blk_file_contents(f);
	memset(buf, 0x5a, sizeof(buf));
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_assert_cmpuint(blk_write(f, bad[i], buf, sizeof(buf)), ==,
				 VIRTIO_BLK_S_IOERR);
		g_assert_cmpuint(blk_read(f, bad[i], buf, sizeof(buf)), ==,
				 VIRTIO_BLK_S_IOERR);
	}
	/* The last two sectors are still fine */
	g_assert_cmpuint(blk_read(f, 2046, buf, sizeof(buf)), ==,
			 VIRTIO_BLK_S_OK);
	blk_assert_file_unchanged(f, before);
	g_bytes_unref(before);
}

/**
 * test_bad_length() - Data not a multiple of 512 bytes: IOERR, no I/O
 * @f:		fixture
 * @data:	unused
 */
static void test_bad_length(struct blk_fixture *f, gconstpointer data)
{
	static const size_t lens[] = { 1, 100, 511, 513, 4095 };
	uint8_t buf[4096];
	GBytes *before;

	blk_fixture_start(f, &default_opts);
	before = blk_file_contents(f);
	memset(buf, 0x77, sizeof(buf));
	for (size_t i = 0; i < G_N_ELEMENTS(lens); i++) {
		g_assert_cmpuint(blk_write(f, 0, buf, lens[i]), ==,
				 VIRTIO_BLK_S_IOERR);
		g_assert_cmpuint(blk_read(f, 0, buf, lens[i]), ==,
				 VIRTIO_BLK_S_IOERR);
	}
	blk_assert_file_unchanged(f, before);
	g_bytes_unref(before);
}

/**
 * test_read_only() - Writes to a read-only disk fail; reads work
 * @f:		fixture
 * @data:	unused
 */
static void test_read_only(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = { .sectors = 2048,
					    .read_only = true };
	uint8_t buf[4096], want[4096];
	GBytes *before;

	blk_fixture_start(f, &o);
	g_assert_true(blk_features(f) & BLK_BIT(VIRTIO_BLK_F_RO));
	before = blk_file_contents(f);
	memset(buf, 0x11, sizeof(buf));
	g_assert_cmpuint(blk_write(f, 0, buf, sizeof(buf)), ==,
			 VIRTIO_BLK_S_IOERR);
	g_assert_cmpuint(blk_read(f, 0, buf, sizeof(buf)), ==, VIRTIO_BLK_S_OK);
	blk_pattern(want, sizeof(want), 0, 0xa5);
	g_assert_true(memcmp(buf, want, sizeof(buf)) == 0);
	blk_assert_file_unchanged(f, before);
	g_bytes_unref(before);
}

/**
 * test_writethrough() - Without FLUSH every write is synced; still correct
 * @f:		fixture
 * @data:	unused
 */
static void test_writethrough(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = {
		.sectors = 2048,
		.drop_features = BLK_BIT(VIRTIO_BLK_F_FLUSH) |
				 BLK_BIT(VIRTIO_BLK_F_CONFIG_WCE),
	};
	const struct blk_layout plain = { 0 };

	blk_fixture_start(f, &o);
	check_write_read(f, 10, 8192, &plain, 60);
}

/**
 * test_backing_shrunk() - Reads past the end of a shrunk file: IOERR
 * @f:		fixture
 * @data:	unused
 *
 * The capacity was fixed at open; the file then lost its second half. A
 * read spanning the new end transfers part of the data, then hits end of
 * file: the device must resume the short read and fail it.
 */
static void test_backing_shrunk(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = { .sectors = 2048 };
	uint8_t buf[8192];

	blk_fixture_start(f, &o);
	g_assert_cmpint(ftruncate(f->fd, 1024 * 512), ==, 0);
	g_assert_cmpuint(blk_read(f, 1020, buf, sizeof(buf)), ==,
			 VIRTIO_BLK_S_IOERR);
	g_assert_cmpuint(blk_read(f, 1500, buf, sizeof(buf)), ==,
			 VIRTIO_BLK_S_IOERR);
	g_assert_cmpuint(blk_read(f, 1008, buf, sizeof(buf)), ==,
			 VIRTIO_BLK_S_OK);
}

#ifdef CONFIG_LINUX_IO_URING
/**
 * uring_run() - Submit one SQE and wait for its completion
 * @ring:	ring
 * @sqe:	prepared by the caller (from @ring)
 *
 * Return: the completion's result
 */
static int uring_run(struct io_uring *ring, struct io_uring_sqe *sqe)
{
	struct io_uring_cqe *cqe;
	int res;

	g_assert_nonnull(sqe);
	g_assert_cmpint(io_uring_submit(ring), ==, 1);
	g_assert_cmpint(io_uring_wait_cqe(ring, &cqe), ==, 0);
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

/**
 * test_uring_restricted() - A queue's ring carries the engine's operations
 * and nothing else: the seccomp filter never sees what a ring does
 */
static void test_uring_restricted(void)
{
	char path[] = "/tmp/qd-uring-XXXXXX";
	struct error *err = NULL;
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	char buf[512], out[512];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	int fd = mkstemp(path);

	g_assert_cmpint(fd, >=, 0);
	unlink(path);
	if (!blk_io_uring_probe(NULL)) {
		close(fd);
		g_test_skip("io_uring is not available here");
		return;
	}
	memset(out, 0x5a, sizeof(out));
	g_assert_cmpint(pwrite(fd, out, sizeof(out), 0), ==, sizeof(out));
	g_assert_cmpint(blk_io_uring_ring_init(&ring, 4, -1, &err), ==, 0);
	g_assert_null(err);

	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_readv(sqe, fd, &iov, 1, 0);
	g_assert_cmpint(uring_run(&ring, sqe), ==, sizeof(buf));
	g_assert_cmpmem(buf, sizeof(buf), out, sizeof(out));
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_fsync(sqe, fd, IORING_FSYNC_DATASYNC);
	g_assert_cmpint(uring_run(&ring, sqe), ==, 0);

	/* Operations the engine never submits are refused */
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, "/etc/passwd", O_RDONLY, 0);
	g_assert_cmpint(uring_run(&ring, sqe), ==, -EACCES);
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_nop(sqe);
	g_assert_cmpint(uring_run(&ring, sqe), ==, -EACCES);
	/* So are SQE flags, and registrations once the ring is enabled */
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_readv(sqe, fd, &iov, 1, 0);
	io_uring_sqe_set_flags(sqe, IOSQE_ASYNC);
	g_assert_cmpint(uring_run(&ring, sqe), ==, -EACCES);
	g_assert_cmpint(io_uring_register_files(&ring, &fd, 1), ==, -EACCES);

	io_uring_queue_exit(&ring);
	close(fd);
}
#endif

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
	blk_test_add("io", "sizes", test_sizes);
	blk_test_add("io", "reads-initial", test_reads_initial);
	blk_test_add("io", "multi-segment", test_multi_segment);
	blk_test_add("io", "header-split", test_header_split);
	blk_test_add("io", "indirect", test_indirect);
	blk_test_add("io", "straddle", test_straddle);
	blk_test_add("io", "cache-none", test_cache_none);
	blk_test_add("io", "cache-none-tmpfs", test_cache_none_tmpfs);
	blk_test_add("io", "zero-length", test_zero_length);
	blk_test_add("io", "out-of-range", test_out_of_range);
	blk_test_add("io", "bad-length", test_bad_length);
	blk_test_add("io", "read-only", test_read_only);
	blk_test_add("io", "writethrough", test_writethrough);
	blk_test_add("io", "backing-shrunk", test_backing_shrunk);
#ifdef CONFIG_LINUX_IO_URING
	g_test_add_func("/blk/io/uring-restricted", test_uring_restricted);
#endif
	return g_test_run();
}
