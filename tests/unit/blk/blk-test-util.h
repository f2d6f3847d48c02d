/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-blk unit test helpers: a device over a temporary backing file,
 * driven through the in-process transport, and requests laid out in guest
 * RAM in the ways drivers may lay them out.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TESTS_UNIT_BLK_TEST_UTIL_H
#define QD_TESTS_UNIT_BLK_TEST_UTIL_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/blk/virtio-blk-proto.h"
#include "devices/blk/virtio-blk.h"
#include "tests/unit/inproc/inproc-transport.h"

#define BLK_TEST_TIMEOUT_MS 10000
#define BLK_BIT(n)	    (1ULL << (n))

struct blk_fixture_opts {
	uint64_t sectors;     /* backing size in sectors; 0: 2048 */
	uint64_t extra_bytes; /* bytes added after the last sector */
	bool read_only;
	const char *serial;
	unsigned int num_queues; /* 0: 1 */
	unsigned int queue_size; /* 0: 128 */
	enum virtio_blk_cache cache;
	uint32_t logical_block_size;
	uint64_t drop_features;	   /* offered bits the driver refuses */
	unsigned int indirect_max; /* 0: 64 */
	bool no_start;		   /* negotiate but do not start queues */
	bool keep_files; /* keep path and dir until teardown (default: unlinked
			    once opened, so a failed test leaves nothing) */
	const char *dir_base;	  /* where the temporary directory goes; NULL:
				     $TMPDIR */
	const char *backing_path; /* an existing file or block device to use
				     as it is (not filled, not removed);
				     sectors come from its size */
};

struct blk_fixture {
	enum virtio_blk_aio aio;
	char *dir;
	char *path;
	int fd; /* the backing, opened by the test for checks */
	uint64_t sectors;
	struct virtio_device *dev;
	struct inproc *ip;
};

/* How a request's chain is cut into descriptors */
struct blk_layout {
	unsigned int hdr_descs;	 /* header pieces; 0: 1 */
	unsigned int data_descs; /* data pieces; 0: 1 */
	bool merge_hdr;		 /* header and data in the same buffer */
	bool merge_status;	 /* data and status in the same buffer */
	bool no_status;		 /* no device-writable byte at all */
	bool straddle;		 /* data buffer crosses the region boundary */
	bool misalign;		 /* data buffer 8 bytes off a 4 KiB boundary */
	unsigned int hdr_len;	 /* readable header bytes; 0: 16 */
};

struct blk_io {
	unsigned int queue;
	uint32_t type;
	uint64_t sector;
	const void *out; /* device-readable payload after the header */
	size_t out_len;
	void *in;      /* receives the device-writable payload (may be NULL) */
	size_t in_len; /* writable bytes before the status */
	struct blk_layout layout;
	/* results */
	uint8_t status;
	uint32_t used_len;
	bool done;
	/* where the chain lives */
	uint64_t in_gpa;     /* first writable byte */
	uint64_t status_gpa; /* UINT64_MAX without status */
};

/* Registers @fn as /blk/GROUP/sync/NAME and /blk/GROUP/io_uring/NAME */
void blk_test_add(const char *group, const char *name,
		  void (*fn)(struct blk_fixture *f, gconstpointer data));
/* Registers @fn once, with aio=sync */
void blk_test_add_sync(const char *group, const char *name,
		       void (*fn)(struct blk_fixture *f, gconstpointer data));

/* Create the backing (pattern-filled), the device and the transport */
void blk_fixture_start(struct blk_fixture *f,
		       const struct blk_fixture_opts *opts);
/* Whether @path is on tmpfs (no ZERO_RANGE, no STATX_DIOALIGN) */
bool blk_on_tmpfs(const char *path);
/* Negotiated features */
uint64_t blk_features(const struct blk_fixture *f);

void blk_pattern(void *buf, size_t len, uint64_t offset, uint8_t seed);
GBytes *blk_file_contents(const struct blk_fixture *f);
void blk_file_read(const struct blk_fixture *f, uint64_t offset, void *buf,
		   size_t len);
void blk_assert_file_unchanged(const struct blk_fixture *f, GBytes *before);

void blk_io_submit(struct blk_fixture *f, struct blk_io *io);
void blk_kick(struct blk_fixture *f, unsigned int queue);
struct blk_io *blk_io_wait(struct blk_fixture *f, unsigned int queue);
void blk_io_run(struct blk_fixture *f, struct blk_io *io);

uint8_t blk_read(struct blk_fixture *f, uint64_t sector, void *buf, size_t len);
uint8_t blk_write(struct blk_fixture *f, uint64_t sector, const void *buf,
		  size_t len);
uint8_t blk_cmd(struct blk_fixture *f, uint32_t type, uint64_t sector);
uint8_t blk_segments(struct blk_fixture *f, uint32_t type,
		     const struct virtio_blk_discard_write_zeroes *segs,
		     size_t nbytes);

#endif /* QD_TESTS_UNIT_BLK_TEST_UTIL_H */
