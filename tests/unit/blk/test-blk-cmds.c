/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-blk unit tests: FLUSH, GET_ID, DISCARD, WRITE_ZEROES, unknown
 * request types, and chains that break the queue.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <endian.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/unit/blk/blk-test-util.h"
#include "util/log.h"

static const struct blk_fixture_opts default_opts = { .sectors = 4096 };

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
 * assert_pattern() - The file range still holds the initial pattern
 * @f:		fixture
 * @sector:	first sector
 * @nsect:	sectors
 */
static void assert_pattern(struct blk_fixture *f, uint64_t sector,
			   uint64_t nsect)
{
	size_t len = nsect * 512;
	uint8_t *buf = g_malloc(len), *want = g_malloc(len);

	blk_file_read(f, sector * 512, buf, len);
	blk_pattern(want, len, sector * 512, 0xa5);
	g_assert_true(memcmp(buf, want, len) == 0);
	g_free(buf);
	g_free(want);
}

/**
 * assert_zeroes() - Device and file both read zeroes in a range
 * @f:		fixture
 * @sector:	first sector
 * @nsect:	sectors
 */
static void assert_zeroes(struct blk_fixture *f, uint64_t sector,
			  uint64_t nsect)
{
	size_t len = nsect * 512;
	uint8_t *buf = g_malloc(len), *zero = g_malloc0(len);

	g_assert_cmpuint(blk_read(f, sector, buf, len), ==, VIRTIO_BLK_S_OK);
	g_assert_true(memcmp(buf, zero, len) == 0);
	blk_file_read(f, sector * 512, buf, len);
	g_assert_true(memcmp(buf, zero, len) == 0);
	g_free(buf);
	g_free(zero);
}

/**
 * test_flush() - FLUSH succeeds, also on a read-only disk
 * @f:		fixture
 * @data:	unused
 */
static void test_flush(struct blk_fixture *f, gconstpointer data)
{
	uint8_t buf[4096];

	blk_fixture_start(f, &default_opts);
	memset(buf, 3, sizeof(buf));
	g_assert_cmpuint(blk_write(f, 0, buf, sizeof(buf)), ==,
			 VIRTIO_BLK_S_OK);
	g_assert_cmpuint(blk_cmd(f, VIRTIO_BLK_T_FLUSH, 0), ==,
			 VIRTIO_BLK_S_OK);
}

/**
 * test_flush_read_only() - FLUSH on a read-only disk is harmless
 * @f:		fixture
 * @data:	unused
 */
static void test_flush_read_only(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = { .read_only = true };

	blk_fixture_start(f, &o);
	g_assert_cmpuint(blk_cmd(f, VIRTIO_BLK_T_FLUSH, 0), ==,
			 VIRTIO_BLK_S_OK);
}

/**
 * get_id() - Send GET_ID with an @len-byte buffer
 * @f:		fixture
 * @buf:	receives the answer
 * @len:	bytes
 *
 * Return: the status byte
 */
static uint8_t get_id(struct blk_fixture *f, uint8_t *buf, size_t len)
{
	struct blk_io io = {
		.type = VIRTIO_BLK_T_GET_ID,
		.in = buf,
		.in_len = len,
	};

	blk_io_run(f, &io);
	g_assert_cmpuint(io.used_len, ==, len + 1);
	return io.status;
}

/**
 * test_get_id_full() - A 20-character serial comes back without NUL
 * @f:		fixture
 * @data:	unused
 */
static void test_get_id_full(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = { .serial = "ABCDEFGHIJ0123456789" };
	uint8_t id[VIRTIO_BLK_ID_BYTES];

	blk_fixture_start(f, &o);
	g_assert_cmpuint(get_id(f, id, sizeof(id)), ==, VIRTIO_BLK_S_OK);
	g_assert_true(memcmp(id, "ABCDEFGHIJ0123456789", 20) == 0);
}

/**
 * test_get_id_short() - A short serial is NUL padded; a short buffer cut
 * @f:		fixture
 * @data:	unused
 */
static void test_get_id_short(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = { .serial = "disk-7" };
	uint8_t id[VIRTIO_BLK_ID_BYTES], want[VIRTIO_BLK_ID_BYTES] = "disk-7";
	uint8_t big[64];

	blk_fixture_start(f, &o);
	g_assert_cmpuint(get_id(f, id, sizeof(id)), ==, VIRTIO_BLK_S_OK);
	g_assert_true(memcmp(id, want, sizeof(id)) == 0);

	/* Larger buffer: 20 bytes written, the rest untouched */
	g_assert_cmpuint(get_id(f, big, sizeof(big)), ==, VIRTIO_BLK_S_OK);
	g_assert_true(memcmp(big, want, sizeof(want)) == 0);
	g_assert_cmpuint(big[20], ==, 0xee);

	/* Smaller buffer: what fits */
	g_assert_cmpuint(get_id(f, id, 4), ==, VIRTIO_BLK_S_OK);
	g_assert_true(memcmp(id, "disk", 4) == 0);
}

/**
 * test_get_id_none() - Without a serial the answer is all NUL
 * @f:		fixture
 * @data:	unused
 */
static void test_get_id_none(struct blk_fixture *f, gconstpointer data)
{
	uint8_t id[VIRTIO_BLK_ID_BYTES], zero[VIRTIO_BLK_ID_BYTES] = { 0 };

	blk_fixture_start(f, &default_opts);
	g_assert_cmpuint(get_id(f, id, sizeof(id)), ==, VIRTIO_BLK_S_OK);
	g_assert_true(memcmp(id, zero, sizeof(id)) == 0);
}

/**
 * test_discard() - DISCARD succeeds and leaves other sectors alone
 * @f:		fixture
 * @data:	unused
 */
static void test_discard(struct blk_fixture *f, gconstpointer data)
{
	struct virtio_blk_discard_write_zeroes s[3] = { seg(8, 8, 0),
							seg(64, 128, 0),
							seg(1000, 0, 0) };

	blk_fixture_start(f, &default_opts);
	g_assert_true(blk_features(f) & BLK_BIT(VIRTIO_BLK_F_DISCARD));
	g_assert_cmpuint(blk_segments(f, VIRTIO_BLK_T_DISCARD, s, sizeof(s)),
			 ==, VIRTIO_BLK_S_OK);
	assert_pattern(f, 0, 8);
	assert_pattern(f, 16, 48);
	assert_pattern(f, 192, 4096 - 192);
}

/**
 * test_write_zeroes() - WRITE_ZEROES with and without unmap reads zeroes
 * @f:		fixture
 * @data:	unused
 */
static void test_write_zeroes(struct blk_fixture *f, gconstpointer data)
{
	struct virtio_blk_discard_write_zeroes s[3] = {
		seg(1, 3, 0),
		seg(100, 200, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP),
		seg(4095, 1, 0),
	};

	blk_fixture_start(f, &default_opts);
	g_assert_true(blk_features(f) & BLK_BIT(VIRTIO_BLK_F_WRITE_ZEROES));
	g_assert_cmpuint(
		blk_segments(f, VIRTIO_BLK_T_WRITE_ZEROES, s, sizeof(s)), ==,
		VIRTIO_BLK_S_OK);
	assert_zeroes(f, 1, 3);
	assert_zeroes(f, 100, 200);
	assert_zeroes(f, 4095, 1);
	assert_pattern(f, 0, 1);
	assert_pattern(f, 4, 96);
	assert_pattern(f, 300, 4095 - 300);
}

/**
 * test_write_zeroes_fallback() - Without ZERO_RANGE, zeroes are written
 * @f:		fixture
 * @data:	unused
 *
 * tmpfs can punch holes but not zero ranges: WRITE_ZEROES without unmap
 * takes the path that writes a buffer of zeroes.
 */
static void test_write_zeroes_fallback(struct blk_fixture *f,
				       gconstpointer data)
{
	const struct blk_fixture_opts o = { .sectors = 4096,
					    .dir_base = "/dev/shm" };
	struct virtio_blk_discard_write_zeroes s[2] = {
		seg(10, 1000, 0),
		seg(2000, 30, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP),
	};

	if (!blk_on_tmpfs("/dev/shm")) {
		g_test_skip("/dev/shm is not tmpfs");
		return;
	}
	blk_fixture_start(f, &o);
	g_assert_cmpuint(
		blk_segments(f, VIRTIO_BLK_T_WRITE_ZEROES, s, sizeof(s)), ==,
		VIRTIO_BLK_S_OK);
	assert_zeroes(f, 10, 1000);
	assert_zeroes(f, 2000, 30);
	assert_pattern(f, 0, 10);
	assert_pattern(f, 1010, 990);
	assert_pattern(f, 2030, 4096 - 2030);
}

/**
 * test_segments_refused() - Bad segment lists: UNSUPP or IOERR, no change
 * @f:		fixture
 * @data:	unused
 */
static void test_segments_refused(struct blk_fixture *f, gconstpointer data)
{
	struct virtio_blk_discard_write_zeroes many[17];
	struct virtio_blk_discard_write_zeroes s;
	const uint32_t types[] = { VIRTIO_BLK_T_DISCARD,
				   VIRTIO_BLK_T_WRITE_ZEROES };
	GBytes *before;

	blk_fixture_start(f, &default_opts);
	before = blk_file_contents(f);
	for (size_t i = 0; i < G_N_ELEMENTS(many); i++)
		many[i] = seg(i * 8, 8, 0);
	for (size_t t = 0; t < G_N_ELEMENTS(types); t++) {
		uint32_t type = types[t];

		/* More segments than max_*_seg (16) */
		g_assert_cmpuint(blk_segments(f, type, many, sizeof(many)), ==,
				 VIRTIO_BLK_S_UNSUPP);
		/* No segment, half a segment */
		g_assert_cmpuint(blk_segments(f, type, many, 0), ==,
				 VIRTIO_BLK_S_IOERR);
		g_assert_cmpuint(blk_segments(f, type, many, 8), ==,
				 VIRTIO_BLK_S_IOERR);
		g_assert_cmpuint(blk_segments(f, type, many, 24), ==,
				 VIRTIO_BLK_S_IOERR);
		/* Reserved flag bits */
		s = seg(0, 8, 2);
		g_assert_cmpuint(blk_segments(f, type, &s, sizeof(s)), ==,
				 VIRTIO_BLK_S_UNSUPP);
		s = seg(0, 8, 0x80000001);
		g_assert_cmpuint(blk_segments(f, type, &s, sizeof(s)), ==,
				 VIRTIO_BLK_S_UNSUPP);
		/* Out of range, wrapping, too many sectors */
		s = seg(4096, 1, 0);
		g_assert_cmpuint(blk_segments(f, type, &s, sizeof(s)), ==,
				 VIRTIO_BLK_S_IOERR);
		s = seg(4090, 7, 0);
		g_assert_cmpuint(blk_segments(f, type, &s, sizeof(s)), ==,
				 VIRTIO_BLK_S_IOERR);
		s = seg(UINT64_MAX, 2, 0);
		g_assert_cmpuint(blk_segments(f, type, &s, sizeof(s)), ==,
				 VIRTIO_BLK_S_IOERR);
		s = seg(0, UINT32_MAX, 0);
		g_assert_cmpuint(blk_segments(f, type, &s, sizeof(s)), ==,
				 VIRTIO_BLK_S_IOERR);
		/* A bad segment after a good one refuses the whole request */
		many[1] = seg(4096, 8, 0);
		g_assert_cmpuint(blk_segments(f, type, many, 2 * sizeof(s)), ==,
				 VIRTIO_BLK_S_IOERR);
		many[1] = seg(8, 8, 0);
	}
	/* DISCARD with unmap set is refused */
	s = seg(0, 8, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	g_assert_cmpuint(blk_segments(f, VIRTIO_BLK_T_DISCARD, &s, sizeof(s)),
			 ==, VIRTIO_BLK_S_UNSUPP);
	blk_assert_file_unchanged(f, before);
	g_bytes_unref(before);
}

/**
 * test_segments_read_only() - DISCARD/WRITE_ZEROES on read-only: IOERR
 * @f:		fixture
 * @data:	unused
 */
static void test_segments_read_only(struct blk_fixture *f, gconstpointer data)
{
	const struct blk_fixture_opts o = { .read_only = true };
	struct virtio_blk_discard_write_zeroes s = seg(0, 8, 0);
	GBytes *before;

	blk_fixture_start(f, &o);
	g_assert_false(blk_features(f) & BLK_BIT(VIRTIO_BLK_F_DISCARD));
	g_assert_false(blk_features(f) & BLK_BIT(VIRTIO_BLK_F_WRITE_ZEROES));
	before = blk_file_contents(f);
	g_assert_cmpuint(blk_segments(f, VIRTIO_BLK_T_DISCARD, &s, sizeof(s)),
			 ==, VIRTIO_BLK_S_IOERR);
	g_assert_cmpuint(
		blk_segments(f, VIRTIO_BLK_T_WRITE_ZEROES, &s, sizeof(s)), ==,
		VIRTIO_BLK_S_IOERR);
	blk_assert_file_unchanged(f, before);
	g_bytes_unref(before);
}

/**
 * test_segments_not_negotiated() - Without the feature: UNSUPP
 * @f:		fixture
 * @data:	unused
 */
static void test_segments_not_negotiated(struct blk_fixture *f,
					 gconstpointer data)
{
	const struct blk_fixture_opts o = {
		.drop_features = BLK_BIT(VIRTIO_BLK_F_DISCARD) |
				 BLK_BIT(VIRTIO_BLK_F_WRITE_ZEROES),
	};
	struct virtio_blk_discard_write_zeroes s = seg(0, 8, 0);
	GBytes *before;

	int log_fd = memfd_create("log", 0), saved = dup(STDERR_FILENO);
	char log[4096];
	ssize_t n;

	blk_fixture_start(f, &o);
	before = blk_file_contents(f);
	/* The refusals are logged (at debug level: the guest is at fault) */
	g_assert_cmpint(log_fd, >=, 0);
	log_init("test", LOG_LEVEL_DEBUG);
	g_assert_cmpint(dup2(log_fd, STDERR_FILENO), ==, STDERR_FILENO);
	g_assert_cmpuint(blk_segments(f, VIRTIO_BLK_T_DISCARD, &s, sizeof(s)),
			 ==, VIRTIO_BLK_S_UNSUPP);
	g_assert_cmpuint(
		blk_segments(f, VIRTIO_BLK_T_WRITE_ZEROES, &s, sizeof(s)), ==,
		VIRTIO_BLK_S_UNSUPP);
	g_assert_cmpint(dup2(saved, STDERR_FILENO), ==, STDERR_FILENO);
	log_init("test", LOG_LEVEL_INFO);
	n = pread(log_fd, log, sizeof(log) - 1, 0);
	g_assert_cmpint(n, >=, 0);
	log[n] = '\0';
	g_assert_nonnull(
		strstr(log, "discard: VIRTIO_BLK_F_DISCARD not negotiated"));
	g_assert_nonnull(strstr(
		log, "write-zeroes: VIRTIO_BLK_F_WRITE_ZEROES not negotiated"));
	close(saved);
	close(log_fd);
	blk_assert_file_unchanged(f, before);
	g_bytes_unref(before);
}

/**
 * test_unknown_type() - Unknown and legacy request types: UNSUPP
 * @f:		fixture
 * @data:	unused
 */
static void test_unknown_type(struct blk_fixture *f, gconstpointer data)
{
	static const uint32_t types[] = { 2,  3,  5,  10,	  14,
					  15, 16, 99, 0x80000001, UINT32_MAX };
	struct virtio_blk_queue_stats st;
	GBytes *before;

	blk_fixture_start(f, &default_opts);
	before = blk_file_contents(f);
	for (size_t i = 0; i < G_N_ELEMENTS(types); i++)
		g_assert_cmpuint(blk_cmd(f, types[i], 0), ==,
				 VIRTIO_BLK_S_UNSUPP);
	blk_assert_file_unchanged(f, before);
	g_bytes_unref(before);
	g_assert_true(virtio_blk_queue_stats(f->dev, 0, &st));
	g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_UNSUPPORTED].ops, ==,
			 G_N_ELEMENTS(types));
	g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_UNSUPPORTED].invalid, ==,
			 G_N_ELEMENTS(types));
	g_assert_cmpuint(st.op[VIRTIO_BLK_STAT_UNSUPPORTED].errors, ==, 0);
}

/**
 * check_breaks_queue() - A malformed chain breaks the queue; nothing used
 * @f:		fixture
 * @io:		the malformed request
 */
static void check_breaks_queue(struct blk_fixture *f, struct blk_io *io)
{
	uint32_t len;

	blk_io_submit(f, io);
	blk_kick(f, 0);
	g_assert_true(inproc_wait_broken(f->ip, 0, BLK_TEST_TIMEOUT_MS));
	g_assert_true(f->dev->vqs[0].broken);
	g_assert_null(inproc_get_used(f->ip, 0, &len));
}

/**
 * test_no_status() - A chain without a writable byte breaks the queue
 * @f:		fixture
 * @data:	unused
 */
static void test_no_status(struct blk_fixture *f, gconstpointer data)
{
	uint8_t buf[512] = { 0 };
	struct blk_io io = {
		.type = VIRTIO_BLK_T_OUT,
		.out = buf,
		.out_len = sizeof(buf),
		.layout = { .no_status = true },
	};
	GBytes *before;

	blk_fixture_start(f, &default_opts);
	before = blk_file_contents(f);
	check_breaks_queue(f, &io);
	blk_assert_file_unchanged(f, before);
	g_bytes_unref(before);
}

/**
 * test_short_header() - A header under 16 bytes breaks the queue
 * @f:		fixture
 * @data:	unused
 */
static void test_short_header(struct blk_fixture *f, gconstpointer data)
{
	struct blk_io io = {
		.type = VIRTIO_BLK_T_FLUSH,
		.layout = { .hdr_len = 8 },
	};

	blk_fixture_start(f, &default_opts);
	check_breaks_queue(f, &io);
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
	blk_test_add("cmds", "flush", test_flush);
	blk_test_add("cmds", "flush-read-only", test_flush_read_only);
	blk_test_add_sync("cmds", "get-id-full", test_get_id_full);
	blk_test_add_sync("cmds", "get-id-short", test_get_id_short);
	blk_test_add_sync("cmds", "get-id-none", test_get_id_none);
	blk_test_add("cmds", "discard", test_discard);
	blk_test_add("cmds", "write-zeroes", test_write_zeroes);
	blk_test_add("cmds", "write-zeroes-fallback",
		     test_write_zeroes_fallback);
	blk_test_add("cmds", "segments-refused", test_segments_refused);
	blk_test_add("cmds", "segments-read-only", test_segments_read_only);
	blk_test_add("cmds", "segments-not-negotiated",
		     test_segments_not_negotiated);
	blk_test_add_sync("cmds", "unknown-type", test_unknown_type);
	blk_test_add("cmds", "no-status", test_no_status);
	blk_test_add("cmds", "short-header", test_short_header);
	return g_test_run();
}
