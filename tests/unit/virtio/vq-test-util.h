/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test fixtures for the VIRTIO core: fake guest memory and a driven queue.
 *
 * Guest RAM is two regions adjacent in guest physical space but in separate
 * host allocations (so a buffer crossing them needs two iovecs), with nothing
 * mapped below TG_RAM0_GPA or above TG_RAM_END. The rings of a queue sit at
 * TG_RAM0_GPA, laid out by the vring driver; buffers go to TG_DATA_GPA.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TESTS_UNIT_VIRTIO_VQ_TEST_UTIL_H
#define QD_TESTS_UNIT_VIRTIO_VQ_TEST_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/virtio/guest-memory.h"
#include "devices/virtio/virtqueue.h"
#include "tests/frontend/vring-driver.h"

#define TG_RAM0_GPA  0x100000ULL
#define TG_RAM0_SIZE 0x400000ULL
#define TG_RAM0_UVA  0x7f0000000000ULL
#define TG_RAM1_GPA  (TG_RAM0_GPA + TG_RAM0_SIZE)
#define TG_RAM1_SIZE 0x100000ULL
#define TG_RAM1_UVA  0x7f1000000000ULL
#define TG_RAM_END   (TG_RAM1_GPA + TG_RAM1_SIZE)
#define TG_DATA_GPA  (TG_RAM0_GPA + 0x200000ULL)

struct test_guest {
	struct guest_memory mem;
	uint8_t *ram[2];
	uint8_t *snapshot[2]; /* copy taken by test_guest_snapshot() */
};

void test_guest_init(struct test_guest *g);
void test_guest_cleanup(struct test_guest *g);
void *test_guest_ptr(struct test_guest *g, uint64_t gpa, uint64_t len);
void test_guest_read(struct test_guest *g, uint64_t gpa, void *buf,
		     uint64_t len);
void test_guest_write(struct test_guest *g, uint64_t gpa, const void *buf,
		      uint64_t len);
void test_guest_snapshot(struct test_guest *g);
bool test_guest_unchanged(const struct test_guest *g);

/* A queue of the VIRTIO core driven by the vring driver, both in one thread */
struct vq_fixture {
	struct test_guest g;
	struct vring_driver drv;
	struct virtqueue vq;
	int call_fd; /* eventfds, non-blocking */
	int err_fd;
};

void vq_fixture_init(struct vq_fixture *f, unsigned int num, bool event_idx,
		     bool indirect, unsigned int max_segs);
void vq_fixture_cleanup(struct vq_fixture *f);
uint64_t eventfd_take(int fd);

#endif /* QD_TESTS_UNIT_VIRTIO_VQ_TEST_UTIL_H */
