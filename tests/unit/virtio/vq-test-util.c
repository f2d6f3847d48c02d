/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test fixtures for the VIRTIO core: fake guest memory and a driven queue.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <glib.h>

#include "tests/unit/virtio/vq-test-util.h"

/**
 * test_guest_init() - allocate the two RAM regions and register them
 * @g:	guest to fill
 */
void test_guest_init(struct test_guest *g)
{
	const uint64_t gpa[2] = { TG_RAM0_GPA, TG_RAM1_GPA };
	const uint64_t size[2] = { TG_RAM0_SIZE, TG_RAM1_SIZE };
	const uint64_t uva[2] = { TG_RAM0_UVA, TG_RAM1_UVA };
	unsigned int i;

	memset(g, 0, sizeof(*g));
	for (i = 0; i < 2; i++) {
		struct guest_memory_region r = { .gpa = gpa[i],
						 .size = size[i],
						 .uva = uva[i] };
		struct error *err = NULL;

		g->ram[i] = aligned_alloc(4096, size[i]);
		g_assert_nonnull(g->ram[i]);
		memset(g->ram[i], 0, size[i]);
		r.host = g->ram[i];
		g_assert_true(guest_memory_add(&g->mem, &r, &err));
		g_assert_null(err);
	}
}

/**
 * test_guest_cleanup() - free the RAM regions and snapshots
 * @g:	guest
 */
void test_guest_cleanup(struct test_guest *g)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		free(g->ram[i]);
		free(g->snapshot[i]);
	}
	memset(g, 0, sizeof(*g));
}

/**
 * test_guest_ptr() - host pointer of a guest range that must be mapped
 * @g:		guest
 * @gpa:	guest physical address
 * @len:	bytes
 *
 * Return: host pointer (the test fails if unmapped)
 */
void *test_guest_ptr(struct test_guest *g, uint64_t gpa, uint64_t len)
{
	void *p = gpa_to_host(&g->mem, gpa, len);

	g_assert_nonnull(p);
	return p;
}

/**
 * test_guest_read() - copy a guest range that may cross regions
 * @g:		guest
 * @gpa:	guest physical address
 * @buf:	destination
 * @len:	bytes (the test fails if any is unmapped)
 */
void test_guest_read(struct test_guest *g, uint64_t gpa, void *buf,
		     uint64_t len)
{
	struct iovec iov[2];
	int n = gpa_to_iov(&g->mem, gpa, len, iov, 2);

	g_assert_cmpint(n, >=, 0);
	g_assert_cmpuint(iov_to_buf(iov, n, 0, buf, len), ==, len);
}

/**
 * test_guest_write() - copy into a guest range that may cross regions
 * @g:		guest
 * @gpa:	guest physical address
 * @buf:	source
 * @len:	bytes (the test fails if any is unmapped)
 */
void test_guest_write(struct test_guest *g, uint64_t gpa, const void *buf,
		      uint64_t len)
{
	struct iovec iov[2];
	int n = gpa_to_iov(&g->mem, gpa, len, iov, 2);

	g_assert_cmpint(n, >=, 0);
	g_assert_cmpuint(iov_from_buf(iov, n, 0, buf, len), ==, len);
}

/**
 * test_guest_snapshot() - remember the whole guest RAM
 * @g:	guest
 */
void test_guest_snapshot(struct test_guest *g)
{
	const size_t size[2] = { TG_RAM0_SIZE, TG_RAM1_SIZE };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		if (!g->snapshot[i])
			g->snapshot[i] = g_malloc(size[i]);
		memcpy(g->snapshot[i], g->ram[i], size[i]);
	}
}

/**
 * test_guest_unchanged() - compare guest RAM with the last snapshot
 * @g:	guest
 *
 * Return: true if not a byte changed
 */
bool test_guest_unchanged(const struct test_guest *g)
{
	return !memcmp(g->snapshot[0], g->ram[0], TG_RAM0_SIZE) &&
	       !memcmp(g->snapshot[1], g->ram[1], TG_RAM1_SIZE);
}

/**
 * vq_fixture_init() - lay out a queue at TG_RAM0_GPA and set it up
 * @f:		fixture to fill
 * @num:	queue size
 * @event_idx:	negotiate VIRTIO_RING_F_EVENT_IDX
 * @indirect:	negotiate VIRTIO_RING_F_INDIRECT_DESC (the driver then uses
 *		indirect tables of @num entries for multi-buffer chains)
 * @max_segs:	iovec capacity per element, 0 for the default
 */
void vq_fixture_init(struct vq_fixture *f, unsigned int num, bool event_idx,
		     bool indirect, unsigned int max_segs)
{
	unsigned int indirect_max = indirect ? num : 0;
	struct error *err = NULL;
	void *rings;

	memset(f, 0, sizeof(*f));
	test_guest_init(&f->g);
	g_assert_cmpuint(vring_driver_mem_size(num, indirect_max), <=,
			 TG_DATA_GPA - TG_RAM0_GPA);
	rings = test_guest_ptr(&f->g, TG_RAM0_GPA,
			       vring_driver_mem_size(num, indirect_max));
	g_assert_true(vring_driver_init(&f->drv, rings, TG_RAM0_GPA, num,
					event_idx, indirect_max));

	f->call_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	f->err_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	g_assert_cmpint(f->call_fd, >=, 0);
	g_assert_cmpint(f->err_fd, >=, 0);

	f->vq.num = num;
	f->vq.desc = f->drv.desc;
	f->vq.avail = f->drv.avail;
	f->vq.used = f->drv.used;
	f->vq.mem = &f->g.mem;
	f->vq.kick_fd = -1;
	f->vq.call_fd = f->call_fd;
	f->vq.err_fd = f->err_fd;
	f->vq.enabled = true;
	f->vq.max_segs = max_segs;
	f->vq.event_idx = event_idx;
	f->vq.indirect = indirect;
	g_assert_true(vq_setup(&f->vq, &err));
	g_assert_null(err);
}

/**
 * vq_fixture_cleanup() - tear down the queue, driver and guest
 * @f:	fixture
 */
void vq_fixture_cleanup(struct vq_fixture *f)
{
	vq_teardown(&f->vq);
	vring_driver_cleanup(&f->drv);
	close(f->call_fd);
	close(f->err_fd);
	test_guest_cleanup(&f->g);
}

/**
 * eventfd_take() - read and reset a non-blocking eventfd
 * @fd:	eventfd
 *
 * Return: its counter, 0 if it was not signalled
 */
uint64_t eventfd_take(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) < 0) {
		g_assert_cmpint(errno, ==, EAGAIN);
		return 0;
	}
	return v;
}
