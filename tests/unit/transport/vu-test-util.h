/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test fixtures for the vhost-user transport: a toy device, guest memory in a
 * memfd, and a minimal front-end speaking raw messages.
 *
 * The front-end helpers send exactly the bytes and fds a test asks for (also
 * malformed ones) and read replies with a bounded wait, so every test can fail
 * instead of hanging.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TESTS_UNIT_TRANSPORT_VU_TEST_UTIL_H
#define QD_TESTS_UNIT_TRANSPORT_VU_TEST_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/virtio/virtio-device.h"
#include "transport/vhost-user-proto.h"

/* Toy device: 2 queues, a few features, 8 bytes of config (4..7 writable) */
#define TOY_NUM_QUEUES	  2
#define TOY_MAX_QUEUE	  256
#define TOY_CONFIG_SIZE	  8
#define TOY_CONFIG_RW_OFF 4
#define TOY_FEATURES                                                           \
	((1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_RING_F_EVENT_IDX) |    \
	 (1ULL << 0) | (1ULL << 5))

struct toy_dev {
	struct virtio_device vdev;
	uint8_t config[TOY_CONFIG_SIZE];
	unsigned int starts, stops, resets; /* atomics */
	unsigned int requests;		    /* chains completed, atomic */
};

struct toy_dev *toy_dev_new(void);
void toy_dev_free(struct toy_dev *toy);

/* Guest memory: one memfd, two regions far apart in GPA and UVA space */
#define TM_REGION_SIZE 0x100000ULL
#define TM_GPA0	       0x100000ULL
#define TM_GPA1	       0x40000000ULL
#define TM_UVA0	       0x7f0000000000ULL
#define TM_UVA1	       0x7f0100000000ULL

struct test_mem {
	int fd;
	uint8_t *host; /* whole memfd: region 0, then region 1 */
	struct vhost_user_memory_region regions[2];
};

void test_mem_init(struct test_mem *m);
void test_mem_cleanup(struct test_mem *m);
void *test_mem_host(const struct test_mem *m, uint64_t gpa);
uint64_t test_mem_uva(const struct test_mem *m, uint64_t gpa);

/* Raw front-end */
void fe_send(int fd, uint32_t request, uint32_t flags, const void *payload,
	     uint32_t size, const int *fds, unsigned int nfds);
/* fe_recv() - read one message within @timeout_ms; false on EOF/timeout */
bool fe_recv(int fd, struct vhost_user_header *hdr, void *payload, uint32_t max,
	     int timeout_ms);
/* fe_recv_reply() - read the reply to @request; asserts flags 0x5 */
uint32_t fe_recv_reply(int fd, uint32_t request, void *payload, uint32_t max);
uint64_t fe_recv_u64(int fd, uint32_t request);
/* fe_peer_closed() - true if @fd reads EOF within @timeout_ms */
bool fe_peer_closed(int fd, int timeout_ms);

/* Misc */
unsigned int count_open_fds(void);
int new_eventfd(void);

/*
 * watchdog_arm() - fail the test with "@what blocked" unless
 * watchdog_disarm() is called within @seconds: turns a hang into a failure
 */
void watchdog_arm(unsigned int seconds, const char *what);
void watchdog_disarm(void);

#endif /* QD_TESTS_UNIT_TRANSPORT_VU_TEST_UTIL_H */
