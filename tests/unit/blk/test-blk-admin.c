/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-blk unit tests of what a management interface uses on a live disk:
 * resizing an image file, the disk's description, request times, the host
 * I/O error listener and the names of feature bits.
 *
 * Host I/O errors are made without special file systems: a read past the end
 * of an image cut short under the device fails with EIO, and a write beyond
 * RLIMIT_FSIZE fails with EFBIG.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <endian.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/blk/blk-test-util.h"

#define MAX_ERRORS 16

/* What the error listener heard, filled on the queue's worker */
struct heard {
	GMutex lock;
	unsigned int n;
	struct virtio_blk_io_error e[MAX_ERRORS];
	struct virtio_device *dev; /* the device it was called for */
};

/**
 * on_error() - The error listener: record the error
 * @dev:	device
 * @e:		the error
 * @opaque:	struct heard
 */
static void on_error(struct virtio_device *dev,
		     const struct virtio_blk_io_error *e, void *opaque)
{
	struct heard *h = opaque;

	g_mutex_lock(&h->lock);
	h->dev = dev;
	if (h->n < MAX_ERRORS)
		h->e[h->n] = *e;
	h->n++;
	g_mutex_unlock(&h->lock);
}

/**
 * heard_count() - How many errors the listener heard
 * @h:		record
 *
 * Return: the count
 */
static unsigned int heard_count(struct heard *h)
{
	unsigned int n;

	g_mutex_lock(&h->lock);
	n = h->n;
	g_mutex_unlock(&h->lock);
	return n;
}

/**
 * file_size() - Size of the backing file, through the test's descriptor
 * @f:		fixture
 *
 * Return: bytes
 */
static uint64_t file_size(const struct blk_fixture *f)
{
	struct stat st;

	g_assert_cmpint(fstat(f->fd, &st), ==, 0);
	return (uint64_t)st.st_size;
}

/**
 * config_capacity() - The capacity in the config space
 * @f:		fixture
 *
 * Return: sectors
 */
static uint64_t config_capacity(const struct blk_fixture *f)
{
	uint64_t cap;

	g_assert_true(
		f->dev->ops->get_config(f->dev, 0, &cap, sizeof(cap), NULL));
	return le64toh(cap);
}

/**
 * stats() - Counters of queue 0
 * @f:		fixture
 *
 * Return: a snapshot
 */
static struct virtio_blk_queue_stats stats(const struct blk_fixture *f)
{
	struct virtio_blk_queue_stats st;

	g_assert_true(virtio_blk_queue_stats(f->dev, 0, &st));
	return st;
}

/**
 * resize_error() - A resize that must be refused, leaving the disk alone
 * @f:		fixture
 * @size:	size asked for
 * @words:	the message must contain this
 */
static void resize_error(struct blk_fixture *f, uint64_t size,
			 const char *words)
{
	uint64_t cap = config_capacity(f), bytes = file_size(f);
	struct error *err = NULL;

	g_assert_false(virtio_blk_resize(f->dev, size, &err));
	g_assert_nonnull(err);
	if (!strstr(error_get_pretty(err), words))
		g_error("'%s' does not say '%s'", error_get_pretty(err), words);
	error_free(err);
	g_assert_cmpuint(config_capacity(f), ==, cap);
	g_assert_cmpuint(file_size(f), ==, bytes);
}

/**
 * test_grow() - A larger file, the new capacity, the new sectors usable
 * @f:		fixture
 * @data:	unused
 */
static void test_grow(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = { .sectors = 2048 };
	uint8_t buf[4096], back[4096];
	struct virtio_blk_info info;
	struct error *err = NULL;

	blk_fixture_start(f, &o);
	g_assert_cmpuint(blk_read(f, 2048, buf, 512), ==, VIRTIO_BLK_S_IOERR);
	g_assert_true(virtio_blk_resize(f->dev, 4096 * 512, &err));
	g_assert_null(err);
	g_assert_cmpuint(file_size(f), ==, 4096 * 512);
	g_assert_cmpuint(config_capacity(f), ==, 4096);
	virtio_blk_get_info(f->dev, &info);
	g_assert_cmpuint(info.size_bytes, ==, 4096 * 512);

	/* The new sectors read as zeroes and take writes */
	g_assert_cmpuint(blk_read(f, 4088, buf, sizeof(buf)), ==,
			 VIRTIO_BLK_S_OK);
	memset(back, 0, sizeof(back));
	g_assert_true(memcmp(buf, back, sizeof(buf)) == 0);
	blk_pattern(buf, sizeof(buf), 4088 * 512, 7);
	g_assert_cmpuint(blk_write(f, 4088, buf, sizeof(buf)), ==,
			 VIRTIO_BLK_S_OK);
	blk_file_read(f, 4088 * 512, back, sizeof(back));
	g_assert_true(memcmp(buf, back, sizeof(buf)) == 0);
	g_assert_cmpuint(blk_read(f, 4096, buf, 512), ==, VIRTIO_BLK_S_IOERR);

	/* The size it has already */
	g_assert_true(virtio_blk_resize(f->dev, 4096 * 512, &err));
	g_assert_cmpuint(file_size(f), ==, 4096 * 512);
}

/**
 * test_shrink() - A smaller file; requests beyond the new end are refused
 * before any I/O (counted as invalid requests of their type, not host I/O
 * errors) and
 * a write there does not extend the file again
 * @f:		fixture
 * @data:	unused
 */
static void test_shrink(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = { .sectors = 2048 };
	struct virtio_blk_queue_stats st;
	struct heard h = { 0 };
	uint8_t buf[1024], want[1024];

	blk_fixture_start(f, &o);
	virtio_blk_set_error_listener(f->dev, on_error, &h);
	g_assert_true(virtio_blk_resize(f->dev, 1024 * 512, NULL));
	g_assert_cmpuint(file_size(f), ==, 1024 * 512);
	g_assert_cmpuint(config_capacity(f), ==, 1024);

	g_assert_cmpuint(blk_read(f, 1024, buf, 512), ==, VIRTIO_BLK_S_IOERR);
	g_assert_cmpuint(blk_read(f, 1023, buf, 1024), ==, VIRTIO_BLK_S_IOERR);
	g_assert_cmpuint(blk_write(f, 2000, buf, 512), ==, VIRTIO_BLK_S_IOERR);
	g_assert_cmpuint(file_size(f), ==, 1024 * 512);
	st = stats(f);
	g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_READ].ops, ==, 2);
	g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_READ].invalid, ==, 2);
	g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_READ].errors, ==, 0);
	g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_WRITE].ops, ==, 1);
	g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_WRITE].invalid, ==, 1);
	g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_WRITE].errors, ==, 0);
	g_assert_cmpuint(heard_count(&h), ==, 0);

	/* What is left is intact */
	g_assert_cmpuint(blk_read(f, 1022, buf, 1024), ==, VIRTIO_BLK_S_OK);
	blk_pattern(want, sizeof(want), 1022 * 512, 0xa5);
	g_assert_true(memcmp(buf, want, sizeof(buf)) == 0);
	virtio_blk_set_error_listener(f->dev, NULL, NULL);
}

/**
 * test_shrink_in_flight() - Writes near the end in flight during a shrink:
 * each either completes before the file is cut or is refused, and none
 * extends the file again. Rounds with growing delays between the kick and
 * the shrink catch the writes at different stages.
 * @f:		fixture
 * @data:	unused
 */
static void test_shrink_in_flight(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = { .sectors = 4096, .queue_size = 64 };
	static uint8_t buf[32][4096];
	struct blk_io io[32];
	unsigned int ok = 0;

	blk_fixture_start(f, &o);
	for (unsigned int round = 0; round < 16; round++) {
		for (unsigned int i = 0; i < G_N_ELEMENTS(io); i++) {
			io[i] = (struct blk_io){
				.type = VIRTIO_BLK_T_OUT,
				.sector = 4096 - 8 * (i + 1),
				.out = buf[i],
				.out_len = sizeof(buf[i]),
			};
			blk_io_submit(f, &io[i]);
		}
		blk_kick(f, 0);
		g_usleep(round * 20);
		g_assert_true(virtio_blk_resize(f->dev, 2048 * 512, NULL));
		for (unsigned int i = 0; i < G_N_ELEMENTS(io); i++) {
			struct blk_io *done = blk_io_wait(f, 0);

			ok += done->status == VIRTIO_BLK_S_OK;
			g_assert_true(done->status == VIRTIO_BLK_S_OK ||
				      done->status == VIRTIO_BLK_S_IOERR);
		}
		g_assert_cmpuint(file_size(f), ==, 2048 * 512);
		g_assert_true(virtio_blk_resize(f->dev, 4096 * 512, NULL));
	}
	g_assert_cmpuint(stats(f).op[VIRTIO_BLK_STAT_WRITE].ops, ==, 16 * 32);
	g_test_message("%u of %u writes completed before the cut", ok, 16 * 32);
}

/**
 * test_refused() - Zero, sizes that are not whole logical blocks
 * @f:		fixture
 * @data:	unused
 */
static void test_refused(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = { .sectors = 2048,
					    .logical_block_size = 4096 };
	struct virtio_blk_info info;

	blk_fixture_start(f, &o);
	resize_error(f, 0, "to 0 bytes");
	resize_error(f, 1000,
		     "not a multiple of the logical block size "
		     "(4096 bytes)");
	resize_error(f, 4096 + 512, "(4096 bytes)");
	resize_error(f, UINT64_MAX - 4095, "larger than a file can be");
	virtio_blk_get_info(f->dev, &info);
	g_assert_cmpuint(info.size_bytes, ==, 2048 * 512);
	g_assert_true(virtio_blk_resize(f->dev, 4096 * 3, NULL));
	g_assert_cmpuint(config_capacity(f), ==, 24);
}

/**
 * test_refused_read_only() - A read-only export is never resized
 * @f:		fixture
 * @data:	unused
 */
static void test_refused_read_only(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = { .sectors = 2048,
					    .read_only = true };

	blk_fixture_start(f, &o);
	resize_error(f, 4096 * 512, "the export is read-only");
	resize_error(f, 1024 * 512, "the export is read-only");
}

/**
 * test_info() - Path, size, read-only, engine, queues, block size
 * @f:		fixture
 * @data:	unused
 */
static void test_info(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = { .sectors = 1000,
					    .extra_bytes = 100,
					    .num_queues = 2,
					    .read_only = true,
					    .keep_files = true,
					    .logical_block_size = 1024 };
	struct virtio_blk_info info;

	blk_fixture_start(f, &o);
	virtio_blk_get_info(f->dev, &info);
	g_assert_cmpstr(info.path, ==, f->path);
	/* What the guest sees: the bytes after the last sector are not */
	g_assert_cmpuint(info.size_bytes, ==, 1000 * 512);
	g_assert_true(info.read_only);
	g_assert_cmpstr(info.io_engine, ==, virtio_blk_io_engine(f->dev));
	g_assert_cmpuint(info.num_queues, ==, 2);
	g_assert_cmpuint(info.logical_block_size, ==, 1024);
}

/**
 * test_total_ns() - Every request's time is added to its own type
 * @f:		fixture
 * @data:	unused
 */
static void test_total_ns(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = { .sectors = 2048 };
	struct virtio_blk_queue_stats st;
	uint8_t buf[65536] = { 0 };
	uint64_t read_ns;

	blk_fixture_start(f, &o);
	st = stats(f);
	for (unsigned int i = 0; i < VIRTIO_BLK_STAT_MAX; i++)
		g_assert_cmpuint(st.op[i].total_ns, ==, 0);

	g_assert_cmpuint(blk_read(f, 0, buf, sizeof(buf)), ==, VIRTIO_BLK_S_OK);
	st = stats(f);
	read_ns = st.op[VIRTIO_BLK_STAT_READ].total_ns;
	g_assert_cmpuint(read_ns, >, 0);
	g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_WRITE].total_ns, ==, 0);

	g_assert_cmpuint(blk_write(f, 0, buf, sizeof(buf)), ==,
			 VIRTIO_BLK_S_OK);
	g_assert_cmpuint(blk_cmd(f, VIRTIO_BLK_T_FLUSH, 0), ==,
			 VIRTIO_BLK_S_OK);
	g_assert_cmpuint(blk_cmd(f, 99, 0), ==, VIRTIO_BLK_S_UNSUPP);
	st = stats(f);
	g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_READ].total_ns, ==, read_ns);
	g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_WRITE].total_ns, >, 0);
	g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_FLUSH].total_ns, >, 0);
	g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_UNSUPPORTED].total_ns, >, 0);
	g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_DISCARD].total_ns, ==, 0);
	g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_GET_ID].total_ns, ==, 0);

	/* A read refused by the range check still takes some time */
	g_assert_cmpuint(blk_read(f, 4096, buf, 512), ==, VIRTIO_BLK_S_IOERR);
	st = stats(f);
	g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_READ].total_ns, >, read_ns);
	g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_READ].ops, ==, 2);
	g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_READ].invalid, ==, 1);
	g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_READ].errors, ==, 0);
}

/**
 * test_error_read() - A read past the end of an image cut short under the
 * device fails with EIO, and the listener hears of it, once
 * @f:		fixture
 * @data:	unused
 */
static void test_error_read(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = { .sectors = 2048, .num_queues = 2 };
	struct virtio_blk_queue_stats st;
	struct heard h = { 0 };
	struct blk_io io = {
		.queue = 1,
		.type = VIRTIO_BLK_T_IN,
		.sector = 2040,
		.in = g_malloc(4096),
		.in_len = 4096,
	};

	blk_fixture_start(f, &o);
	virtio_blk_set_error_listener(f->dev, on_error, &h);
	g_assert_cmpint(ftruncate(f->fd, 1024 * 512), ==, 0);
	blk_io_run(f, &io);
	g_assert_cmpuint(io.status, ==, VIRTIO_BLK_S_IOERR);
	g_assert_cmpuint(heard_count(&h), ==, 1);
	g_assert_true(h.dev == f->dev);
	g_assert_cmpuint(h.e[0].queue, ==, 1);
	g_assert_cmpint(h.e[0].op, ==, VIRTIO_BLK_STAT_READ);
	g_assert_cmpint(h.e[0].error, ==, EIO);
	g_assert_true(virtio_blk_queue_stats(f->dev, 1, &st));
	g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_READ].errors, ==, 1);

	/* Refused by the checks: no host I/O, nothing heard */
	g_assert_cmpuint(blk_read(f, 2048, io.in, 512), ==, VIRTIO_BLK_S_IOERR);
	g_assert_cmpuint(heard_count(&h), ==, 1);

	/* Without a listener errors are only counted */
	virtio_blk_set_error_listener(f->dev, NULL, NULL);
	blk_io_run(f, &io);
	g_assert_cmpuint(io.status, ==, VIRTIO_BLK_S_IOERR);
	g_assert_cmpuint(heard_count(&h), ==, 1);
	g_free(io.in);
}

/**
 * with_file_limit() - Run @fn with writes limited to the first @limit bytes
 * of any file (RLIMIT_FSIZE: writes beyond fail with EFBIG)
 * @f:		started fixture
 * @limit:	bytes
 * @fn:		what to run
 * @data:	its argument
 */
static void with_file_limit(struct blk_fixture *f, rlim_t limit,
			    void (*fn)(struct blk_fixture *f, void *data),
			    void *data)
{
	void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
	struct rlimit old, lim;

	g_assert_cmpint(getrlimit(RLIMIT_FSIZE, &old), ==, 0);
	lim = old;
	lim.rlim_cur = limit;
	g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &lim), ==, 0);
	fn(f, data);
	g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &old), ==, 0);
	signal(SIGXFSZ, old_handler);
}

/**
 * write_beyond() - A write beyond the limit, then one within it
 * @f:		fixture
 * @data:	uint8_t[2]: the status of each
 */
static void write_beyond(struct blk_fixture *f, void *data)
{
	static const uint8_t buf[4096] = { 1 };
	uint8_t *status = data;

	status[0] = blk_write(f, 1536, buf, sizeof(buf));
	status[1] = blk_write(f, 8, buf, sizeof(buf));
}

/**
 * test_error_write() - A write beyond RLIMIT_FSIZE fails with EFBIG
 * @f:		fixture
 * @data:	unused
 */
static void test_error_write(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = { .sectors = 2048 };
	struct heard h = { 0 };
	uint8_t status[2];

	blk_fixture_start(f, &o);
	virtio_blk_set_error_listener(f->dev, on_error, &h);
	with_file_limit(f, 512 * 1024, write_beyond, status);
	g_assert_cmpuint(status[0], ==, VIRTIO_BLK_S_IOERR);
	g_assert_cmpuint(status[1], ==, VIRTIO_BLK_S_OK);
	g_assert_cmpuint(heard_count(&h), ==, 1);
	g_assert_cmpuint(h.e[0].queue, ==, 0);
	g_assert_cmpint(h.e[0].op, ==, VIRTIO_BLK_STAT_WRITE);
	g_assert_cmpint(h.e[0].error, ==, EFBIG);
	g_assert_cmpuint(stats(f).op[VIRTIO_BLK_STAT_WRITE].errors, ==, 1);
	virtio_blk_set_error_listener(f->dev, NULL, NULL);
}

/**
 * zeroes_beyond() - A WRITE_ZEROES beyond the limit
 * @f:		fixture
 * @data:	uint8_t: its status
 */
static void zeroes_beyond(struct blk_fixture *f, void *data)
{
	const struct virtio_blk_discard_write_zeroes seg = {
		.sector = htole64(1600),
		.num_sectors = htole32(8),
	};

	*(uint8_t *)data =
		blk_segments(f, VIRTIO_BLK_T_WRITE_ZEROES, &seg, sizeof(seg));
}

/**
 * test_error_write_zeroes() - On tmpfs, which cannot zero a range in place,
 * WRITE_ZEROES writes zeroes: beyond RLIMIT_FSIZE that fails with EFBIG
 * @f:		fixture
 * @data:	unused
 */
static void test_error_write_zeroes(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = { .sectors = 2048,
					    .dir_base = "/dev/shm" };
	struct heard h = { 0 };
	uint8_t status;

	if (!blk_on_tmpfs("/dev/shm")) {
		g_test_skip("/dev/shm is not tmpfs");
		return;
	}
	blk_fixture_start(f, &o);
	virtio_blk_set_error_listener(f->dev, on_error, &h);
	with_file_limit(f, 512 * 1024, zeroes_beyond, &status);
	g_assert_cmpuint(status, ==, VIRTIO_BLK_S_IOERR);
	g_assert_cmpuint(heard_count(&h), ==, 1);
	g_assert_cmpint(h.e[0].op, ==, VIRTIO_BLK_STAT_WRITE_ZEROES);
	g_assert_cmpint(h.e[0].error, ==, EFBIG);
	g_assert_cmpuint(stats(f).op[VIRTIO_BLK_STAT_WRITE_ZEROES].errors, ==,
			 1);
	virtio_blk_set_error_listener(f->dev, NULL, NULL);
}

/**
 * test_feature_names() - Spec names of the device's bits, none for the
 * transport's
 * @f:		fixture
 * @data:	unused
 */
static void test_feature_names(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = { .no_start = true };
	const char *(*name)(unsigned int bit);
	uint64_t offer;

	blk_fixture_start(f, &o);
	name = f->dev->ops->feature_name;
	g_assert_nonnull(name);
	g_assert_cmpstr(name(VIRTIO_BLK_F_SEG_MAX), ==, "VIRTIO_BLK_F_SEG_MAX");
	g_assert_cmpstr(name(VIRTIO_BLK_F_RO), ==, "VIRTIO_BLK_F_RO");
	g_assert_cmpstr(name(VIRTIO_BLK_F_BARRIER), ==, "VIRTIO_BLK_F_BARRIER");
	g_assert_cmpstr(name(VIRTIO_BLK_F_ZONED), ==, "VIRTIO_BLK_F_ZONED");
	g_assert_null(name(3));
	g_assert_null(name(8));
	g_assert_null(name(18));
	g_assert_null(name(VIRTIO_F_VERSION_1));
	g_assert_null(name(VIRTIO_RING_F_EVENT_IDX));
	g_assert_null(name(63));
	g_assert_null(name(64));
	g_assert_null(name(UINT32_MAX));

	offer = f->dev->ops->get_features(f->dev);
	for (unsigned int bit = 0; bit < 24; bit++) {
		if (!(offer & BLK_BIT(bit)))
			continue;
		g_assert_nonnull(name(bit));
		g_assert_true(g_str_has_prefix(name(bit), "VIRTIO_BLK_F_"));
	}
}

/**
 * main() - Register the tests and run them
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: 0 if every test passed
 */
int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	blk_test_add("admin", "grow", test_grow);
	blk_test_add("admin", "shrink", test_shrink);
	blk_test_add("admin", "shrink-in-flight", test_shrink_in_flight);
	blk_test_add_sync("admin", "refused", test_refused);
	blk_test_add_sync("admin", "refused-read-only", test_refused_read_only);
	blk_test_add_sync("admin", "info", test_info);
	blk_test_add("admin", "total-ns", test_total_ns);
	blk_test_add("admin", "error-read", test_error_read);
	blk_test_add("admin", "error-write", test_error_write);
	blk_test_add_sync("admin", "error-write-zeroes",
			  test_error_write_zeroes);
	blk_test_add_sync("admin", "feature-names", test_feature_names);
	return g_test_run();
}
