/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-blk unit tests over a real block device: a loop device on a
 * temporary file, attached by the test itself.
 *
 * The loop device is set up with LO_FLAGS_AUTOCLEAR and its backing file is
 * unlinked at once, so a test that aborts half-way leaves nothing behind: the
 * kernel detaches the device when the last descriptor closes. Tests skip
 * when loop devices cannot be used here (not root, no loop driver).
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "tests/unit/blk/blk-test-util.h"

#define BDEV_SECTORS	       4096 /* 2 MiB loop device */
#define BDEV_ATTACH_TRIES      8    /* LOOP_CTL_GET_FREE races with others */
#define BDEV_DETACH_TIMEOUT_MS 5000

struct loopdev {
	int fd; /* open /dev/loopN, -1 when detached */
	char path[32];
	dev_t rdev;
};

/* Variants: the cache mode, and the loop device's logical block size */
struct bdev_variant {
	enum virtio_blk_cache cache;
	uint32_t loop_block_size; /* 0: the loop driver's default */
};

/**
 * seg() - A little-endian discard/write-zeroes segment
 * @sector:	first sector
 * @num:	sectors
 * @flags:	flags
 *
 * Return: the segment
 */
static struct virtio_blk_discard_write_zeroes seg(uint64_t sector, uint32_t num,
						  uint32_t flags)
{
	return (struct virtio_blk_discard_write_zeroes){
		.sector = htole64(sector),
		.num_sectors = htole32(num),
		.flags = htole32(flags),
	};
}

/**
 * loop_backing_file() - An unlinked temporary file holding the test pattern
 * @bytes:	size
 *
 * Return: its descriptor
 */
static int loop_backing_file(uint64_t bytes)
{
	GError *gerr = NULL;
	char *path = NULL;
	char *buf = g_malloc(bytes);
	int fd;

	fd = g_file_open_tmp("qd-blk-loop-XXXXXX", &path, &gerr);
	g_assert_no_error(gerr);
	g_assert_cmpint(unlink(path), ==, 0);
	g_free(path);
	blk_pattern(buf, bytes, 0, 0xa5);
	g_assert_cmpint(pwrite(fd, buf, bytes, 0), ==, (gssize)bytes);
	g_free(buf);
	return fd;
}

/**
 * loop_configure() - Bind @file to the opened loop device, autoclear on
 * @lfd:	open /dev/loopN
 * @file:	backing file
 * @block_size:	logical block size, 0 for the default
 *
 * Uses LOOP_CONFIGURE, or LOOP_SET_FD + LOOP_SET_STATUS64 on kernels without
 * it.
 *
 * Return: 0 or -errno
 */
static int loop_configure(int lfd, int file, uint32_t block_size)
{
	struct loop_config cfg = {
		.fd = (uint32_t)file,
		.block_size = block_size,
		.info.lo_flags = LO_FLAGS_AUTOCLEAR,
	};

	snprintf((char *)cfg.info.lo_file_name, sizeof(cfg.info.lo_file_name),
		 "qemu-dev-test-blk-blockdev");
	if (!ioctl(lfd, LOOP_CONFIGURE, &cfg))
		return 0;
	if (errno != EINVAL && errno != ENOTTY)
		return -errno;
	if (ioctl(lfd, LOOP_SET_FD, file))
		return -errno;
	if (ioctl(lfd, LOOP_SET_STATUS64, &cfg.info) ||
	    (block_size &&
	     ioctl(lfd, LOOP_SET_BLOCK_SIZE, (unsigned long)block_size))) {
		int e = errno;

		ioctl(lfd, LOOP_CLR_FD, 0);
		return -e;
	}
	return 0;
}

/**
 * loop_attach() - Attach a loop device to a new pattern-filled file
 * @l:		filled on success
 * @sectors:	size in 512-byte sectors
 * @block_size:	logical block size of the loop device, 0 for the default
 *
 * Return: NULL, or why loop devices cannot be used here (the test skips)
 */
static const char *loop_attach(struct loopdev *l, uint64_t sectors,
			       uint32_t block_size)
{
	static char why[160];
	int ctl, file, r = -EBUSY;
	struct loop_info64 info;
	struct stat st;

	l->fd = -1;
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		snprintf(why, sizeof(why),
			 "loop devices unusable: /dev/loop-control: %s%s",
			 strerror(errno), geteuid() ? " (not root)" : "");
		return why;
	}
	file = loop_backing_file(sectors * VIRTIO_BLK_SECTOR_SIZE);
	for (int i = 0; i < BDEV_ATTACH_TRIES && r == -EBUSY; i++) {
		int nr = ioctl(ctl, LOOP_CTL_GET_FREE);

		if (nr < 0) {
			r = -errno;
			break;
		}
		snprintf(l->path, sizeof(l->path), "/dev/loop%d", nr);
		l->fd = open(l->path, O_RDWR | O_CLOEXEC);
		if (l->fd < 0) {
			r = -errno;
			break;
		}
		r = loop_configure(l->fd, file, block_size);
		if (r) {
			close(l->fd);
			l->fd = -1;
		}
	}
	close(file);
	close(ctl);
	if (r) {
		snprintf(why, sizeof(why),
			 "loop devices unusable: cannot attach %s: %s%s",
			 l->path, strerror(-r), geteuid() ? " (not root)" : "");
		return why;
	}
	/* From here on an abort must not leak the device */
	g_assert_cmpint(ioctl(l->fd, LOOP_GET_STATUS64, &info), ==, 0);
	g_assert_true(info.lo_flags & LO_FLAGS_AUTOCLEAR);
	g_assert_cmpint(fstat(l->fd, &st), ==, 0);
	g_assert_true(S_ISBLK(st.st_mode));
	l->rdev = st.st_rdev;
	return NULL;
}

/**
 * loop_is_ours() - Whether the loop device still has our backing attached
 * @l:		loop device
 *
 * Return: true if /dev/loopN still exists with our file name
 */
static bool loop_is_ours(const struct loopdev *l)
{
	struct loop_info64 info;
	bool ours;
	int fd = open(l->path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	ours = !ioctl(fd, LOOP_GET_STATUS64, &info) &&
	       !strcmp((const char *)info.lo_file_name,
		       "qemu-dev-test-blk-blockdev");
	close(fd);
	return ours;
}

/**
 * loop_detach() - LOOP_CLR_FD, close, and check the device went away
 * @l:		attached loop device, every other user closed
 */
static void loop_detach(struct loopdev *l)
{
	int waited = 0;

	/* ENXIO: autoclear was faster */
	if (ioctl(l->fd, LOOP_CLR_FD, 0))
		g_assert_cmpint(errno, ==, ENXIO);
	close(l->fd);
	l->fd = -1;
	while (loop_is_ours(l) && waited < BDEV_DETACH_TIMEOUT_MS) {
		g_usleep(10000);
		waited += 10;
	}
	g_assert_false(loop_is_ours(l));
}

/**
 * loop_queue_limit() - A queue limit the kernel reports for the loop device
 * @l:		loop device
 * @name:	file under /sys/dev/block/MAJ:MIN/queue/
 *
 * Return: its value, 0 if it cannot be read
 */
static uint64_t loop_queue_limit(const struct loopdev *l, const char *name)
{
	char *path = g_strdup_printf("/sys/dev/block/%u:%u/queue/%s",
				     major(l->rdev), minor(l->rdev), name);
	char *text = NULL;
	uint64_t v = 0;

	if (g_file_get_contents(path, &text, NULL, NULL))
		v = g_ascii_strtoull(text, NULL, 10);
	g_free(text);
	g_free(path);
	return v;
}

/**
 * bdev_start() - Attach a loop device and start the device over it
 * @f:		fixture from setup
 * @l:		loop device, filled
 * @v:		variant
 * @lbs:	virtio logical block size (0: 512)
 * @read_only:	open the device read-only
 *
 * Return: false if the test was skipped
 */
static bool bdev_start(struct blk_fixture *f, struct loopdev *l,
		       const struct bdev_variant *v, uint32_t lbs,
		       bool read_only)
{
	const char *why = loop_attach(l, BDEV_SECTORS, v->loop_block_size);
	struct blk_fixture_opts o = {
		.cache = v->cache,
		.read_only = read_only,
		.logical_block_size = lbs,
	};

	if (why) {
		g_test_skip(why);
		return false;
	}
	o.backing_path = l->path;
	blk_fixture_start(f, &o);
	return true;
}

/**
 * bdev_finish() - Free the device, detach the loop device, check it is gone
 * @f:		started fixture
 * @l:		its loop device
 */
static void bdev_finish(struct blk_fixture *f, struct loopdev *l)
{
	inproc_free(f->ip);
	f->ip = NULL;
	virtio_device_free(f->dev);
	f->dev = NULL;
	close(f->fd);
	f->fd = -1;
	loop_detach(l);
}

/**
 * bdev_lbs() - The virtio logical block size a variant must use
 * @v:		variant
 *
 * Return: the loop block size with cache=none (O_DIRECT needs it), else 0
 */
static uint32_t bdev_lbs(const struct bdev_variant *v)
{
	return v->cache == VIRTIO_BLK_CACHE_NONE ? v->loop_block_size : 0;
}

/**
 * assert_range() - Device and block device both hold @want in a range
 * @f:		fixture
 * @sector:	first sector
 * @nsect:	sectors
 * @seed:	pattern seed, or -1 for zeroes
 */
static void assert_range(struct blk_fixture *f, uint64_t sector, uint64_t nsect,
			 int seed)
{
	size_t len = nsect * VIRTIO_BLK_SECTOR_SIZE;
	uint64_t off = sector * VIRTIO_BLK_SECTOR_SIZE;
	uint8_t *buf = g_malloc(len), *want = g_malloc0(len);

	if (seed >= 0)
		blk_pattern(want, len, off, (uint8_t)seed);
	g_assert_cmpuint(blk_read(f, sector, buf, len), ==, VIRTIO_BLK_S_OK);
	g_assert_true(memcmp(buf, want, len) == 0);
	blk_file_read(f, off, buf, len);
	g_assert_true(memcmp(buf, want, len) == 0);
	g_free(buf);
	g_free(want);
}

/**
 * test_rw() - Capacity, write and read back, past the end, FLUSH
 * @f:		fixture
 * @v:		variant
 */
static void test_rw(struct blk_fixture *f, const struct bdev_variant *v)
{
	uint32_t lbs = bdev_lbs(v) ? bdev_lbs(v) : 512;
	size_t len = 64 * 1024;
	uint64_t sector = 2 * lbs / 512;
	struct virtio_blk_config cfg;
	uint8_t *buf = g_malloc(len);
	struct loopdev l;

	if (!bdev_start(f, &l, v, bdev_lbs(v), false))
		goto out;
	g_assert_cmpuint(f->sectors, ==, BDEV_SECTORS);
	g_assert_true(
		f->dev->ops->get_config(f->dev, 0, &cfg, sizeof(cfg), NULL));
	g_assert_cmpuint(le64toh(cfg.capacity), ==, BDEV_SECTORS);
	g_assert_cmpuint(le32toh(cfg.blk_size), ==, lbs);

	blk_pattern(buf, len, sector * 512, 0x3c);
	g_assert_cmpuint(blk_write(f, sector, buf, len), ==, VIRTIO_BLK_S_OK);
	g_assert_cmpuint(blk_cmd(f, VIRTIO_BLK_T_FLUSH, 0), ==,
			 VIRTIO_BLK_S_OK);
	assert_range(f, sector, len / 512, 0x3c);
	assert_range(f, 0, sector, 0xa5);
	assert_range(f, sector + len / 512, 8 * lbs / 512, 0xa5);

	/* The last block reads; one more sector does not */
	g_assert_cmpuint(blk_read(f, BDEV_SECTORS - lbs / 512, buf, lbs), ==,
			 VIRTIO_BLK_S_OK);
	g_assert_cmpuint(blk_read(f, BDEV_SECTORS - lbs / 512 + 1, buf, lbs),
			 ==, VIRTIO_BLK_S_IOERR);
	g_assert_cmpuint(blk_read(f, BDEV_SECTORS, buf, lbs), ==,
			 VIRTIO_BLK_S_IOERR);
	g_assert_cmpuint(blk_write(f, BDEV_SECTORS, buf, lbs), ==,
			 VIRTIO_BLK_S_IOERR);
	bdev_finish(f, &l);
out:
	g_free(buf);
}

/**
 * test_discard() - DISCARD succeeds; zeroes where the loop driver discards
 * @f:		fixture
 * @v:		variant
 *
 * The loop driver punches holes in its backing file (ext4, tmpfs, ...) when
 * it reports a discard limit, so the range must read back as zeroes then;
 * without one, discard is a no-op and the data must stay.
 */
static void test_discard(struct blk_fixture *f, const struct bdev_variant *v)
{
	uint32_t bs = v->loop_block_size ? v->loop_block_size : 512;
	uint32_t n = bs / 512;
	struct virtio_blk_discard_write_zeroes s[2] = {
		seg(8 * n, 8 * n, 0),
		seg(100 * n, 300 * n, 0),
	};
	struct loopdev l;
	bool discards;

	if (!bdev_start(f, &l, v, bdev_lbs(v), false))
		return;
	discards = loop_queue_limit(&l, "discard_max_bytes") > 0;
	g_test_message(
		"%s: discard_max_bytes %llu", l.path,
		(unsigned long long)loop_queue_limit(&l, "discard_max_bytes"));
	g_assert_cmpuint(blk_segments(f, VIRTIO_BLK_T_DISCARD, s, sizeof(s)),
			 ==, VIRTIO_BLK_S_OK);
	assert_range(f, 8 * n, 8 * n, discards ? -1 : 0xa5);
	assert_range(f, 100 * n, 300 * n, discards ? -1 : 0xa5);
	assert_range(f, 0, 8 * n, 0xa5);
	assert_range(f, 16 * n, 84 * n, 0xa5);
	assert_range(f, 400 * n, 16 * n, 0xa5);
	if (!bdev_lbs(v) && n > 1) {
		/* 512-byte guest blocks: only whole loop blocks go */
		struct virtio_blk_discard_write_zeroes p = seg(3601, 22, 0);

		g_assert_cmpuint(
			blk_segments(f, VIRTIO_BLK_T_DISCARD, &p, sizeof(p)),
			==, VIRTIO_BLK_S_OK);
		assert_range(f, 3600, 8, 0xa5);
		assert_range(f, 3608, 8, discards ? -1 : 0xa5);
		assert_range(f, 3616, 8, 0xa5);
	}
	bdev_finish(f, &l);
}

/**
 * test_write_zeroes() - WRITE_ZEROES with and without unmap reads zeroes
 * @f:		fixture
 * @v:		variant
 *
 * Always holds: without a native way the device writes zeroes itself. With
 * writeback caching the virtio block size stays 512, so the ranges need not
 * be aligned to the loop device's block size.
 */
static void test_write_zeroes(struct blk_fixture *f,
			      const struct bdev_variant *v)
{
	uint32_t n = bdev_lbs(v) ? bdev_lbs(v) / 512 : 1;
	struct virtio_blk_discard_write_zeroes s[3] = {
		seg(1 * n, 3 * n, 0),
		seg(100 * n, 200 * n, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP),
		seg(BDEV_SECTORS - n, n, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP),
	};
	struct virtio_blk_discard_write_zeroes u[2] = {
		seg(401 * n, 7 * n, 0),
		seg(451 * n, 9 * n, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP),
	};
	struct loopdev l;

	if (!bdev_start(f, &l, v, bdev_lbs(v), false))
		return;
	g_test_message("%s: write_zeroes_max_bytes %llu", l.path,
		       (unsigned long long)loop_queue_limit(
			       &l, "write_zeroes_max_bytes"));
	g_assert_true(blk_features(f) & BLK_BIT(VIRTIO_BLK_F_WRITE_ZEROES));
	g_assert_cmpuint(
		blk_segments(f, VIRTIO_BLK_T_WRITE_ZEROES, s, sizeof(s)), ==,
		VIRTIO_BLK_S_OK);
	assert_range(f, 0, n, 0xa5);
	assert_range(f, n, 3 * n, -1);
	assert_range(f, 4 * n, 96 * n, 0xa5);
	assert_range(f, 100 * n, 200 * n, -1);
	assert_range(f, 300 * n, 8 * n, 0xa5);
	assert_range(f, BDEV_SECTORS - n, n, -1);
	/* Ranges that start and end inside a loop block (writeback only) */
	g_assert_cmpuint(
		blk_segments(f, VIRTIO_BLK_T_WRITE_ZEROES, u, sizeof(u)), ==,
		VIRTIO_BLK_S_OK);
	assert_range(f, 400 * n, n, 0xa5);
	assert_range(f, 401 * n, 7 * n, -1);
	assert_range(f, 408 * n, n, 0xa5);
	assert_range(f, 450 * n, n, 0xa5);
	assert_range(f, 451 * n, 9 * n, -1);
	assert_range(f, 460 * n, n, 0xa5);
	bdev_finish(f, &l);
}

/**
 * test_read_only() - A read-only block device reads and refuses writes
 * @f:		fixture
 * @v:		variant
 */
static void test_read_only(struct blk_fixture *f, const struct bdev_variant *v)
{
	uint32_t lbs = bdev_lbs(v) ? bdev_lbs(v) : 512;
	struct virtio_blk_discard_write_zeroes s = seg(0, 8 * lbs / 512, 0);
	uint8_t *buf = g_malloc(lbs);
	struct loopdev l;
	GBytes *before;

	if (!bdev_start(f, &l, v, bdev_lbs(v), true))
		goto out;
	g_assert_true(blk_features(f) & BLK_BIT(VIRTIO_BLK_F_RO));
	before = blk_file_contents(f);
	g_assert_cmpuint(g_bytes_get_size(before), ==,
			 BDEV_SECTORS * VIRTIO_BLK_SECTOR_SIZE);
	assert_range(f, 0, 8, 0xa5);
	memset(buf, 0x5a, lbs);
	g_assert_cmpuint(blk_write(f, 0, buf, lbs), ==, VIRTIO_BLK_S_IOERR);
	g_assert_cmpuint(
		blk_segments(f, VIRTIO_BLK_T_WRITE_ZEROES, &s, sizeof(s)), ==,
		VIRTIO_BLK_S_IOERR);
	g_assert_cmpuint(blk_segments(f, VIRTIO_BLK_T_DISCARD, &s, sizeof(s)),
			 ==, VIRTIO_BLK_S_IOERR);
	g_assert_cmpuint(blk_cmd(f, VIRTIO_BLK_T_FLUSH, 0), ==,
			 VIRTIO_BLK_S_OK);
	blk_assert_file_unchanged(f, before);
	g_bytes_unref(before);
	bdev_finish(f, &l);
out:
	g_free(buf);
}

/**
 * test_direct_needs_block_size() - cache=none refuses a virtio block size
 *				    below the device's logical block size
 * @f:		fixture
 * @data:	unused
 */
static void test_direct_needs_block_size(struct blk_fixture *f,
					 gconstpointer data)
{
	struct virtio_blk_options bo = {
		.num_queues = 1,
		.queue_size = 128,
		.cache = VIRTIO_BLK_CACHE_NONE,
		.aio = f->aio,
	};
	struct error *err = NULL;
	struct virtio_device *dev;
	struct loopdev l;
	const char *why = loop_attach(&l, BDEV_SECTORS, 4096);

	if (why) {
		g_test_skip(why);
		return;
	}
	bo.path = l.path;
	dev = virtio_blk_new(&bo, &err);
	g_assert_null(dev);
	g_assert_nonnull(err);
	g_assert_nonnull(strstr(error_get_pretty(err), "4096"));
	error_free(err);
	loop_detach(&l);
}

#define BDEV_VARIANT(name, c, bs)                                              \
	static const struct bdev_variant name = { .cache = (c),                \
						  .loop_block_size = (bs) }

BDEV_VARIANT(wb512, VIRTIO_BLK_CACHE_WRITEBACK, 0);
BDEV_VARIANT(none512, VIRTIO_BLK_CACHE_NONE, 0);
BDEV_VARIANT(wb4k, VIRTIO_BLK_CACHE_WRITEBACK, 4096);
BDEV_VARIANT(none4k, VIRTIO_BLK_CACHE_NONE, 4096);

/**
 * loop_set_sectors() - Change the size of the loop device (its size limit)
 * @l:		attached loop device
 * @sectors:	new size in 512-byte sectors, at most the backing file's; 0
 *		for the whole file
 */
static void loop_set_sectors(const struct loopdev *l, uint64_t sectors)
{
	struct loop_info64 info;

	g_assert_cmpint(ioctl(l->fd, LOOP_GET_STATUS64, &info), ==, 0);
	info.lo_sizelimit = sectors * VIRTIO_BLK_SECTOR_SIZE;
	g_assert_cmpint(ioctl(l->fd, LOOP_SET_STATUS64, &info), ==, 0);
}

/**
 * resize_refused() - A resize of the block device that must be refused
 * @f:		fixture
 * @size:	size asked for
 * @cur:	the device's size, which the message must name too
 */
static void resize_refused(struct blk_fixture *f, uint64_t size, uint64_t cur)
{
	char *sizes = g_strdup_printf("to %" G_GUINT64_FORMAT
				      " bytes: it is a block device of "
				      "%" G_GUINT64_FORMAT " bytes",
				      size, cur);
	struct error *err = NULL;

	g_assert_false(virtio_blk_resize(f->dev, size, &err));
	g_assert_nonnull(err);
	if (!strstr(error_get_pretty(err), sizes))
		g_error("'%s' does not say '%s'", error_get_pretty(err), sizes);
	error_free(err);
	g_free(sizes);
}

/**
 * test_resize() - A block device is never resized, but a size it took on
 * is picked up: capacity, config space, requests
 * @f:		fixture
 * @data:	unused
 */
static void test_resize(struct blk_fixture *f, gconstpointer data)
{
	const uint64_t full = BDEV_SECTORS * VIRTIO_BLK_SECTOR_SIZE;
	uint8_t buf[4096];
	struct loopdev l;
	uint64_t cap;

	if (!bdev_start(f, &l, &wb512, 0, false))
		return;
	resize_refused(f, full / 2, full);
	resize_refused(f, full * 2, full);
	g_assert_true(virtio_blk_resize(f->dev, full, NULL));

	/* The device shrinks, then grows back, under the disk */
	loop_set_sectors(&l, BDEV_SECTORS / 2);
	resize_refused(f, full, full / 2);
	g_assert_true(virtio_blk_resize(f->dev, full / 2, NULL));
	g_assert_true(
		f->dev->ops->get_config(f->dev, 0, &cap, sizeof(cap), NULL));
	g_assert_cmpuint(le64toh(cap), ==, BDEV_SECTORS / 2);
	g_assert_cmpuint(blk_read(f, BDEV_SECTORS / 2, buf, 512), ==,
			 VIRTIO_BLK_S_IOERR);

	loop_set_sectors(&l, 0);
	g_assert_true(virtio_blk_resize(f->dev, full, NULL));
	g_assert_true(
		f->dev->ops->get_config(f->dev, 0, &cap, sizeof(cap), NULL));
	g_assert_cmpuint(le64toh(cap), ==, BDEV_SECTORS);
	g_assert_cmpuint(blk_read(f, BDEV_SECTORS - 8, buf, sizeof(buf)), ==,
			 VIRTIO_BLK_S_OK);
	bdev_finish(f, &l);
}

/* GTest bodies: one per test and variant */
#define BDEV_TEST(fn, var)                                                     \
	static void fn##_##var(struct blk_fixture *f, gconstpointer data)      \
	{                                                                      \
		fn(f, &var);                                                   \
	}

#define BDEV_TESTS(var)                                                        \
	BDEV_TEST(test_rw, var)                                                \
	BDEV_TEST(test_discard, var)                                           \
	BDEV_TEST(test_write_zeroes, var)                                      \
	BDEV_TEST(test_read_only, var)

BDEV_TESTS(wb512)
BDEV_TESTS(none512)
BDEV_TESTS(wb4k)
BDEV_TESTS(none4k)

#define BDEV_ADD(group, var)                                                   \
	do {                                                                   \
		blk_test_add(group, "rw", test_rw_##var);                      \
		blk_test_add(group, "discard", test_discard_##var);            \
		blk_test_add(group, "write-zeroes", test_write_zeroes_##var);  \
		blk_test_add(group, "read-only", test_read_only_##var);        \
	} while (0)

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
	BDEV_ADD("blockdev/writeback", wb512);
	BDEV_ADD("blockdev/none", none512);
	BDEV_ADD("blockdev/writeback-4k", wb4k);
	BDEV_ADD("blockdev/none-4k", none4k);
	blk_test_add_sync("blockdev", "none-needs-block-size",
			  test_direct_needs_block_size);
	blk_test_add_sync("blockdev", "resize", test_resize);
	return g_test_run();
}
