/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-blk unit test helpers: fixture, backing file pattern, and request
 * chains built in guest RAM with a chosen descriptor layout.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <endian.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "tests/unit/blk/blk-test-util.h"
#ifdef CONFIG_LINUX_IO_URING
#include "devices/blk/blk-io.h"
#endif

#define BLK_TEST_REGION_SIZE (64ULL << 20)

/**
 * blk_assert_no_error() - Fail the test with the message of @err, if any
 * @err:	error or NULL
 * @what:	what was attempted
 */
static void blk_assert_no_error(struct error *err, const char *what)
{
	if (err)
		g_error("%s: %s", what, error_get_pretty(err));
}

/**
 * blk_fixture_setup() - GTest setup: aio mode and a temporary directory
 * @f:		fixture
 * @data:	the aio mode, as a pointer-sized integer
 */
static void blk_fixture_setup(struct blk_fixture *f, gconstpointer data)
{
	GError *gerr = NULL;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->aio = (enum virtio_blk_aio)GPOINTER_TO_INT(data);
	f->dir = g_dir_make_tmp("qd-blk-XXXXXX", &gerr);
	g_assert_no_error(gerr);
}

/**
 * blk_fixture_teardown() - GTest teardown: stop, free, remove the files
 * @f:		fixture
 * @data:	unused
 */
static void blk_fixture_teardown(struct blk_fixture *f, gconstpointer data)
{
	inproc_free(f->ip);
	if (f->dev)
		virtio_device_free(f->dev);
	if (f->fd >= 0)
		close(f->fd);
	if (f->path)
		g_unlink(f->path);
	if (f->dir)
		g_rmdir(f->dir);
	g_free(f->path);
	g_free(f->dir);
}

/**
 * blk_skip() - Test body used when io_uring cannot be used here
 * @data:	unused
 */
static void blk_skip(gconstpointer data)
{
	g_test_skip("io_uring is not available on this host");
}

/**
 * blk_io_uring_usable() - Whether the io_uring variants can run
 *
 * Return: true if built with io_uring and the kernel lets us use it
 */
static bool blk_io_uring_usable(void)
{
#ifdef CONFIG_LINUX_IO_URING
	static int usable = -1;

	if (usable < 0)
		usable = blk_io_uring_probe(NULL);
	return usable;
#else
	return false;
#endif
}

/**
 * blk_test_add_one() - Register one test case
 * @group:	path component after /blk/
 * @aio:	aio mode
 * @name:	test name
 * @fn:		test body
 */
static void blk_test_add_one(const char *group, enum virtio_blk_aio aio,
			     const char *name,
			     void (*fn)(struct blk_fixture *f,
					gconstpointer data))
{
	const char *aio_name = aio == VIRTIO_BLK_AIO_SYNC ? "sync" : "io_uring";
	char *path = g_strdup_printf("/blk/%s/%s/%s", group, aio_name, name);

	if (aio == VIRTIO_BLK_AIO_IO_URING && !blk_io_uring_usable())
		g_test_add_data_func(path, NULL, blk_skip);
	else
		g_test_add(path, struct blk_fixture, GINT_TO_POINTER(aio),
			   blk_fixture_setup, fn, blk_fixture_teardown);
	g_free(path);
}

/**
 * blk_test_add() - Register a test for both I/O engines
 * @group:	path component after /blk/
 * @name:	test name
 * @fn:		test body
 */
void blk_test_add(const char *group, const char *name,
		  void (*fn)(struct blk_fixture *f, gconstpointer data))
{
	blk_test_add_one(group, VIRTIO_BLK_AIO_SYNC, name, fn);
	blk_test_add_one(group, VIRTIO_BLK_AIO_IO_URING, name, fn);
}

/**
 * blk_test_add_sync() - Register a test that does not depend on the engine
 * @group:	path component after /blk/
 * @name:	test name
 * @fn:		test body
 */
void blk_test_add_sync(const char *group, const char *name,
		       void (*fn)(struct blk_fixture *f, gconstpointer data))
{
	blk_test_add_one(group, VIRTIO_BLK_AIO_SYNC, name, fn);
}

/**
 * blk_pattern() - Fill @buf with the test pattern of a file range
 * @buf:	buffer
 * @len:	bytes
 * @offset:	file offset of the first byte (the pattern depends on it)
 * @seed:	pattern variant
 */
void blk_pattern(void *buf, size_t len, uint64_t offset, uint8_t seed)
{
	uint8_t *p = buf;

	for (size_t i = 0; i < len; i++) {
		uint64_t o = offset + i;

		p[i] = (uint8_t)(o * 131 + (o >> 9) * 7 + seed);
	}
}

/**
 * blk_fixture_use_path() - Build the device over an existing backing
 * @f:		fixture from setup (its temporary directory is removed)
 * @bo:		device options, without the path
 * @path:	file or block device, left as it is
 */
static void blk_fixture_use_path(struct blk_fixture *f,
				 struct virtio_blk_options *bo,
				 const char *path)
{
	struct error *err = NULL;
	off_t size;

	g_assert_cmpint(g_rmdir(f->dir), ==, 0);
	g_clear_pointer(&f->dir, g_free);
	bo->path = path;
	f->dev = virtio_blk_new(bo, &err);
	blk_assert_no_error(err, "virtio_blk_new");
	g_assert_nonnull(f->dev);
	f->fd = open(path, O_RDWR | O_CLOEXEC);
	g_assert_cmpint(f->fd, >=, 0);
	/* Works for block devices too, where st_size is 0 */
	size = lseek(f->fd, 0, SEEK_END);
	g_assert_cmpint(size, >=, 0);
	f->sectors = (uint64_t)size / VIRTIO_BLK_SECTOR_SIZE;
}

/**
 * blk_fixture_start() - Backing file, device, transport, negotiated queues
 * @f:		fixture from setup
 * @o:		options
 */
void blk_fixture_start(struct blk_fixture *f, const struct blk_fixture_opts *o)
{
	unsigned int nq = o->num_queues ? o->num_queues : 1;
	unsigned int qsize = o->queue_size ? o->queue_size : 128;
	struct virtio_blk_options bo = {
		.read_only = o->read_only,
		.serial = o->serial,
		.num_queues = nq,
		.queue_size = qsize,
		.cache = o->cache,
		.aio = f->aio,
		.logical_block_size = o->logical_block_size,
	};
	struct error *err = NULL;
	GError *gerr = NULL;
	uint64_t features;
	size_t size;
	char *buf;

	if (o->backing_path) {
		blk_fixture_use_path(f, &bo, o->backing_path);
		goto transport;
	}
	if (o->dir_base) {
		g_assert_cmpint(g_rmdir(f->dir), ==, 0);
		g_free(f->dir);
		f->dir = g_build_filename(o->dir_base, "qd-blk-XXXXXX", NULL);
		g_assert_nonnull(g_mkdtemp(f->dir));
	}
	f->sectors = o->sectors ? o->sectors : 2048;
	size = f->sectors * VIRTIO_BLK_SECTOR_SIZE + o->extra_bytes;
	f->path = g_build_filename(f->dir, "disk.img", NULL);
	buf = g_malloc(size ? size : 1);
	blk_pattern(buf, size, 0, 0xa5);
	g_file_set_contents(f->path, buf, (gssize)size, &gerr);
	g_assert_no_error(gerr);
	g_free(buf);

	bo.path = f->path;
	f->dev = virtio_blk_new(&bo, &err);
	blk_assert_no_error(err, "virtio_blk_new");
	g_assert_nonnull(f->dev);
	f->fd = open(f->path, O_RDWR | O_CLOEXEC);
	g_assert_cmpint(f->fd, >=, 0);
	if (!o->keep_files) {
		/* Both ends hold an fd: nothing to clean up if a test aborts */
		g_assert_cmpint(g_unlink(f->path), ==, 0);
		g_assert_cmpint(g_rmdir(f->dir), ==, 0);
		g_clear_pointer(&f->path, g_free);
		g_clear_pointer(&f->dir, g_free);
	}
transport:
	g_assert_cmpstr(virtio_blk_io_engine(f->dev), ==,
			f->aio == VIRTIO_BLK_AIO_SYNC ? "sync" : "io_uring");
	f->ip = inproc_new(f->dev, BLK_TEST_REGION_SIZE, 2, &err);
	blk_assert_no_error(err, "inproc_new");

	features = inproc_offered_features(f->ip) & ~o->drop_features;
	inproc_set_features(f->ip, features, &err);
	blk_assert_no_error(err, "set_features");
	if (o->no_start)
		return;
	for (unsigned int i = 0; i < nq; i++) {
		inproc_start_queue(f->ip, i, qsize,
				   o->indirect_max ? o->indirect_max : 64,
				   &err);
		blk_assert_no_error(err, "inproc_start_queue");
	}
}

/**
 * blk_on_tmpfs() - Whether a path is on tmpfs
 * @path:	existing file or directory
 *
 * Return: true for tmpfs
 */
bool blk_on_tmpfs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == TMPFS_MAGIC;
}

/**
 * blk_features() - The features the fixture negotiated
 * @f:		started fixture
 *
 * Return: feature bits
 */
uint64_t blk_features(const struct blk_fixture *f)
{
	return f->dev->features;
}

/**
 * blk_file_contents() - The whole backing file, read directly
 * @f:		fixture
 *
 * Return: its bytes (g_bytes_unref() them)
 */
GBytes *blk_file_contents(const struct blk_fixture *f)
{
	/* Not fstat(): st_size is 0 for a block device */
	off_t size = lseek(f->fd, 0, SEEK_END);
	void *data;

	g_assert_cmpint(size, >=, 0);
	data = g_malloc(size ? size : 1);
	blk_file_read(f, 0, data, size);
	return g_bytes_new_take(data, size);
}

/**
 * blk_file_read() - Read part of the backing file directly
 * @f:		fixture
 * @offset:	file offset
 * @buf:	destination
 * @len:	bytes, all of which must exist
 */
void blk_file_read(const struct blk_fixture *f, uint64_t offset, void *buf,
		   size_t len)
{
	g_assert_cmpint(pread(f->fd, buf, len, (off_t)offset), ==, (gssize)len);
}

/**
 * blk_assert_file_unchanged() - The backing still holds @before
 * @f:		fixture
 * @before:	contents taken earlier with blk_file_contents()
 */
void blk_assert_file_unchanged(const struct blk_fixture *f, GBytes *before)
{
	GBytes *now = blk_file_contents(f);

	g_assert_true(g_bytes_equal(before, now));
	g_bytes_unref(now);
}

/**
 * blk_guest_alloc() - Guest RAM for one buffer, failing the test if full
 * @f:		fixture
 * @len:	bytes
 * @align:	alignment
 *
 * Return: its GPA
 */
static uint64_t blk_guest_alloc(struct blk_fixture *f, size_t len,
				uint64_t align)
{
	uint64_t gpa = inproc_alloc(f->ip, len ? len : 1, align);

	g_assert_cmphex(gpa, !=, UINT64_MAX);
	return gpa;
}

/**
 * blk_data_gpa() - Place a data buffer as the layout asks
 * @f:		fixture
 * @len:	bytes
 * @l:		layout
 *
 * Return: GPA of the buffer
 */
static uint64_t blk_data_gpa(struct blk_fixture *f, size_t len,
			     const struct blk_layout *l)
{
	if (l->straddle) {
		g_assert_cmpuint(len / 2, <, INPROC_BOUNDARY_WINDOW);
		return inproc_boundary(f->ip) - (len / 2 ? len / 2 : 1);
	}
	return blk_guest_alloc(f, len + 8, 4096) + (l->misalign ? 8 : 0);
}

/**
 * blk_cut() - Describe [gpa, gpa+len) as @pieces uneven buffers
 * @v:		buffer array
 * @n:		in/out: entries used in @v
 * @gpa:	first byte
 * @len:	bytes (nothing is added for 0)
 * @pieces:	number of buffers wanted (at most @len); 0 means 1
 */
static void blk_cut(struct vring_buf *v, unsigned int *n, uint64_t gpa,
		    size_t len, unsigned int pieces)
{
	size_t left = len;

	if (!len)
		return;
	if (!pieces)
		pieces = 1;
	if (pieces > len)
		pieces = (unsigned int)len;
	for (unsigned int k = 0; k < pieces; k++) {
		size_t sz = k == pieces - 1 ? left : len / pieces;

		v[*n].gpa = gpa;
		v[*n].len = (uint32_t)sz;
		(*n)++;
		gpa += sz;
		left -= sz;
	}
}

/**
 * blk_io_submit() - Lay out @io in guest RAM and add it to its queue
 * @f:		started fixture
 * @io:		request; stays referenced until blk_io_wait() returns it
 */
void blk_io_submit(struct blk_fixture *f, struct blk_io *io)
{
	const struct blk_layout *l = &io->layout;
	unsigned int hdr_len = l->hdr_len ? l->hdr_len : 16;
	unsigned int max = (l->hdr_descs ? l->hdr_descs : 1) +
			   2 * (l->data_descs ? l->data_descs : 1) + 2;
	struct vring_buf *out = g_new0(struct vring_buf, max);
	struct vring_buf *in = g_new0(struct vring_buf, max);
	struct virtio_blk_outhdr hdr = {
		.type = htole32(io->type),
		.sector = htole64(io->sector),
	};
	unsigned int out_n = 0, in_n = 0;
	uint8_t poison[4096];
	uint64_t gpa;
	int head;

	g_assert_cmpuint(hdr_len, <=, sizeof(hdr));
	memset(poison, 0xee, sizeof(poison));
	io->done = false;
	io->status = 0xff;
	io->status_gpa = UINT64_MAX;

	/* Device-readable: header, then payload */
	if (l->merge_hdr) {
		gpa = blk_data_gpa(f, hdr_len + io->out_len, l);
		g_assert_true(inproc_write(f->ip, gpa, &hdr, hdr_len));
		g_assert_true(inproc_write(f->ip, gpa + hdr_len, io->out,
					   io->out_len));
		blk_cut(out, &out_n, gpa, hdr_len + io->out_len, l->data_descs);
	} else {
		gpa = blk_guest_alloc(f, hdr_len, 16);
		g_assert_true(inproc_write(f->ip, gpa, &hdr, hdr_len));
		blk_cut(out, &out_n, gpa, hdr_len, l->hdr_descs);
		if (io->out_len) {
			gpa = blk_data_gpa(f, io->out_len, l);
			g_assert_true(
				inproc_write(f->ip, gpa, io->out, io->out_len));
			blk_cut(out, &out_n, gpa, io->out_len, l->data_descs);
		}
	}

	/* Device-writable: payload, then the status byte */
	if (l->merge_status && !l->no_status) {
		gpa = blk_data_gpa(f, io->in_len + 1, l);
		io->in_gpa = gpa;
		io->status_gpa = gpa + io->in_len;
		blk_cut(in, &in_n, gpa, io->in_len + 1, l->data_descs);
	} else {
		if (io->in_len) {
			gpa = blk_data_gpa(f, io->in_len, l);
			io->in_gpa = gpa;
			blk_cut(in, &in_n, gpa, io->in_len, l->data_descs);
		}
		if (!l->no_status) {
			io->status_gpa = blk_guest_alloc(f, 1, 1);
			blk_cut(in, &in_n, io->status_gpa, 1, 1);
		}
	}
	for (size_t off = 0; off < io->in_len; off += sizeof(poison)) {
		size_t n = MIN(sizeof(poison), io->in_len - off);

		g_assert_true(inproc_write(f->ip, io->in_gpa + off, poison, n));
	}
	if (io->status_gpa != UINT64_MAX)
		g_assert_true(inproc_write(f->ip, io->status_gpa, poison, 1));

	head = inproc_add(f->ip, io->queue, out, out_n, in, in_n, io);
	g_assert_cmpint(head, >=, 0);
	g_free(out);
	g_free(in);
}

/**
 * blk_kick() - Publish and kick a queue
 * @f:		fixture
 * @queue:	queue index
 */
void blk_kick(struct blk_fixture *f, unsigned int queue)
{
	inproc_kick(f->ip, queue);
}

/**
 * blk_io_wait() - Wait for the next completion of a queue
 * @f:		fixture
 * @queue:	queue index
 *
 * Fails the test after BLK_TEST_TIMEOUT_MS.
 *
 * Return: the completed request, results filled in
 */
struct blk_io *blk_io_wait(struct blk_fixture *f, unsigned int queue)
{
	struct blk_io *io;
	uint32_t len;

	io = inproc_wait_used(f->ip, queue, &len, BLK_TEST_TIMEOUT_MS);
	g_assert_nonnull(io);
	g_assert_false(io->done);
	io->used_len = len;
	if (io->status_gpa != UINT64_MAX)
		g_assert_true(
			inproc_read(f->ip, io->status_gpa, &io->status, 1));
	if (io->in && io->in_len)
		g_assert_true(
			inproc_read(f->ip, io->in_gpa, io->in, io->in_len));
	io->done = true;
	return io;
}

/**
 * blk_io_run() - Submit one request and wait for it
 * @f:		fixture
 * @io:		request
 */
void blk_io_run(struct blk_fixture *f, struct blk_io *io)
{
	blk_io_submit(f, io);
	blk_kick(f, io->queue);
	g_assert_true(blk_io_wait(f, io->queue) == io);
}

/**
 * blk_read() - Read sectors through the device (one-buffer layout)
 * @f:		fixture
 * @sector:	first sector
 * @buf:	destination
 * @len:	bytes
 *
 * Return: the status byte
 */
uint8_t blk_read(struct blk_fixture *f, uint64_t sector, void *buf, size_t len)
{
	struct blk_io io = {
		.type = VIRTIO_BLK_T_IN,
		.sector = sector,
		.in = buf,
		.in_len = len,
	};

	blk_io_run(f, &io);
	g_assert_cmpuint(io.used_len, ==, len + 1);
	return io.status;
}

/**
 * blk_write() - Write sectors through the device (one-buffer layout)
 * @f:		fixture
 * @sector:	first sector
 * @buf:	data
 * @len:	bytes
 *
 * Return: the status byte
 */
uint8_t blk_write(struct blk_fixture *f, uint64_t sector, const void *buf,
		  size_t len)
{
	struct blk_io io = {
		.type = VIRTIO_BLK_T_OUT,
		.sector = sector,
		.out = buf,
		.out_len = len,
	};

	blk_io_run(f, &io);
	g_assert_cmpuint(io.used_len, ==, 1);
	return io.status;
}

/**
 * blk_cmd() - A request without payload (FLUSH, unknown types)
 * @f:		fixture
 * @type:	request type
 * @sector:	header sector
 *
 * Return: the status byte
 */
uint8_t blk_cmd(struct blk_fixture *f, uint32_t type, uint64_t sector)
{
	struct blk_io io = { .type = type, .sector = sector };

	blk_io_run(f, &io);
	g_assert_cmpuint(io.used_len, ==, 1);
	return io.status;
}

/**
 * blk_segments() - DISCARD or WRITE_ZEROES with raw segment bytes
 * @f:		fixture
 * @type:	VIRTIO_BLK_T_DISCARD or VIRTIO_BLK_T_WRITE_ZEROES
 * @segs:	segments (little-endian)
 * @nbytes:	bytes of @segs to send (need not be whole segments)
 *
 * Return: the status byte
 */
uint8_t blk_segments(struct blk_fixture *f, uint32_t type,
		     const struct virtio_blk_discard_write_zeroes *segs,
		     size_t nbytes)
{
	struct blk_io io = {
		.type = type,
		.out = segs,
		.out_len = nbytes,
	};

	blk_io_run(f, &io);
	g_assert_cmpuint(io.used_len, ==, 1);
	return io.status;
}
