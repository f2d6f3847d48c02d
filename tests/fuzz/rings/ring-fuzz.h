/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Ring fuzzing harness: a device's virtqueues over guest RAM that the fuzz
 * input writes, driven on the calling thread, with checks after every step.
 *
 * Guest RAM is three heap allocations of their own (ASan puts redzones around
 * each): two adjacent regions at GPA 0 and RF_REGION_SIZE, so buffers can
 * straddle them, and a small one ending at the top of the 64-bit GPA space.
 * Queue q has its rings at a fixed place in region 0 (RF_RING_GPA()). The
 * input is a header and a list of operations: driver-side ones write RAM,
 * descriptors and the avail ring; device-side ones kick a queue, restart or
 * reset, or are the target's own (a frame from the netdev, a resize).
 *
 * A driver runs beside the device, so guest RAM may change under a device
 * at any time: RF_OP_RACE makes a write land right after one of the
 * device's next pops, in the middle of its work on the ring.
 *
 * Input layout (all integers little-endian; a truncated input reads zeroes):
 *
 *   header, RF_HEADER_LEN bytes:
 *     [0]    bit 0 EVENT_IDX, bit 1 INDIRECT_DESC, bits 4-6 log2 queue size
 *     [1..3] the target's
 *     [4..5] ring base: last_avail_idx, avail->idx and used->idx at start
 *     [6..7] the target's
 *   then operations, each an opcode byte (modulo the number of operations)
 *   and its arguments (enum rf_op).
 *
 * The device's worker threads are replaced by a synchronous stand-in
 * (fuzz-worker.c) and the core's queue calls are observed through the
 * linker (ring-check.c), so that every step is deterministic and checked:
 * each chain popped lies in guest RAM and was on the avail ring, each one
 * is completed exactly once, and the device writes guest RAM only through
 * writable buffers it popped and through the used rings.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TESTS_FUZZ_RINGS_RING_FUZZ_H
#define QD_TESTS_FUZZ_RINGS_RING_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "devices/virtio/virtio-device.h"
#include "tests/fuzz/fuzz-common.h"

#define RF_HEADER_LEN 8
/* Two adjacent regions at GPA 0, then a small one at the very top */
#define RF_REGION_SIZE 0x10000ULL
#define RF_TOP_SIZE    0x1000ULL
#define RF_TOP_GPA     (0ULL - RF_TOP_SIZE)
#define RF_NREGIONS    3
/* Bytes of the flat RAM space WRITE addresses: region 0, 1, then the top */
#define RF_FLAT_SIZE (2 * RF_REGION_SIZE + RF_TOP_SIZE)

/* Ring layout of queue q in region 0: descriptors, avail, used */
#define RF_MAX_QUEUES	8
#define RF_MAX_QSIZE	128
#define RF_RING_STRIDE	0x1000ULL
#define RF_DESC_GPA(q)	((uint64_t)(q)*RF_RING_STRIDE)
#define RF_AVAIL_GPA(q) (RF_DESC_GPA(q) + 0x800)
#define RF_USED_GPA(q)	(RF_DESC_GPA(q) + 0xa00)

/* Header byte 0 */
#define RF_RING_EVENT_IDX 0x01
#define RF_RING_INDIRECT  0x02

/* Generic operations; a target's own follow from RF_OP_TARGET */
enum rf_op {
	RF_OP_WRITE,   /* u32 flat offset, u16 len, bytes: RAM */
	RF_OP_DESC,    /* u8 queue, u8 index, 16-byte descriptor */
	RF_OP_AVAIL,   /* u8 queue, u8 n, n x u16 head: publish heads */
	RF_OP_CHAIN,   /* u8 queue, u8 head, u8 n, n x {u8 flags, u16 addr/2,
			  u16 len}: a linked chain at head.., published */
	RF_OP_KICK,    /* u8: queue, bit 7 with driver notifications off */
	RF_OP_NOTIFY,  /* u8 queue, u16 avail->flags, u16 used_event */
	RF_OP_RESTART, /* u8: queue; bit 7 toggles enabled instead */
	RF_OP_RESET,   /* device reset, renegotiation, rings re-laid */
	RF_OP_EVENTS,  /* run every fd watch the device set (timers) */
	RF_OP_RACE,    /* u8 n, u32 flat offset, u8 len, bytes: a driver write
			  right after the device's n-th next vq_pop() */
	RF_OP_TARGET,
};

struct rf_session;

/* What a fuzz target supplies to the harness */
struct rf_target {
	const char *name;
	unsigned int n_ops; /* its own operations, from RF_OP_TARGET */
	/*
	 * Build the device from the header: set s->dev, s->nq (queues to
	 * start, at most RF_MAX_QUEUES) and s->features (the driver's choice;
	 * the harness keeps only the bits offered). False: nothing to run.
	 */
	bool (*create)(struct rf_session *s);
	/* After features were set, before queues start (e.g. config space) */
	void (*configure)(struct rf_session *s);
	/* Operation RF_OP_TARGET + @op */
	void (*op)(struct rf_session *s, unsigned int op,
		   struct fuzz_input *in);
	/* After every operation: the target's own checks */
	void (*check)(struct rf_session *s);
	/* Release what create() made, the device included */
	void (*destroy)(struct rf_session *s);
};

struct rf_session {
	const struct rf_target *t;
	uint8_t hdr[RF_HEADER_LEN];
	unsigned int num;  /* queue size */
	uint16_t base;	   /* ring base */
	uint64_t features; /* negotiated */
	struct virtio_device *dev;
	unsigned int nq; /* queues started */
	void *priv;	 /* the target's */
};

/* The target: one file per target defines it, the harness runs it */
extern const struct rf_target rf_fuzz_target;
/* rf_init() - once per process: guest RAM, quiet logs */
void rf_init(void);

/* rf_config_op() - set, then get config: u8 offset, u8 len % @len_mod, bytes */
void rf_config_op(struct rf_session *s, struct fuzz_input *in,
		  uint32_t len_mod);
/* Longest config write of rf_config_op(), plus one */
#define RF_CONFIG_MAX 128

/* rf_gpa_host() - host address of [gpa, gpa+len) in one region, or NULL */
void *rf_gpa_host(uint64_t gpa, size_t len);
/* rf_in_ram() - whether [p, p+len) lies inside one guest RAM region */
bool rf_in_ram(const void *p, size_t len);
/* rf_ram_write() - driver-side write at a flat RAM offset (shadowed) */
void rf_ram_write(uint64_t off, const void *buf, size_t len);
/* rf_ram_region() - region @i and its shadow (for the checks); its size */
size_t rf_ram_region(unsigned int i, uint8_t **ram, uint8_t **shadow);
/* rf_race_popped() - the device popped a chain: a pending RF_OP_RACE? */
void rf_race_popped(void);

/* Checks of the core's queue calls (ring-check.c) */
void rf_check_reset(void);
void rf_check_begin_device(void);
void rf_check_end_device(struct rf_session *s);
void rf_check_queues(struct rf_session *s);
void rf_shadow_sync(void);

/* The synchronous stand-in for the queue workers (fuzz-worker.c) */
void fuzz_worker_kick(struct virtio_device *dev, unsigned int idx, bool polled);
void fuzz_worker_run_wakes(struct virtio_device *dev);
void fuzz_worker_fire_watches(struct virtio_device *dev);

#endif /* QD_TESTS_FUZZ_RINGS_RING_FUZZ_H */
