/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-blk driver of the test front-end: device start/stop and requests.
 *
 * blk_client_connect() negotiates and reads the config space,
 * blk_client_start() sets up guest RAM and the request queues the way QEMU's
 * vhost-user-blk does when the guest sets DRIVER_OK, blk_client_stop() stops
 * them with GET_VRING_BASE and checks the indices the back-end returns.
 * Requests are submitted in batches and completed by waiting on the call
 * eventfds.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TESTS_FRONTEND_BLK_CLIENT_H
#define QD_TESTS_FRONTEND_BLK_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/virtio_blk.h>

#include "tests/frontend/frontend.h"
#include "tests/frontend/guest-ram.h"
#include "tests/frontend/vring-driver.h"
#include "util/error.h"

#define BLK_SECTOR_SIZE 512
/* Data buffers one request may have */
#define BLK_MAX_SEGS 8

struct blk_client_opts {
	const char *socket;
	unsigned int num_queues;
	unsigned int queue_size;
	uint64_t ram_size; /* bytes per guest RAM region */
	bool no_event_idx; /* do not negotiate EVENT_IDX */
	bool no_indirect;  /* do not negotiate INDIRECT_DESC */
	int timeout_ms;	   /* bound of every wait */
	/*
	 * Protocol features asked for besides MQ, REPLY_ACK and CONFIG (e.g.
	 * BACKEND_REQ, STATUS), and those not asked for: without CONFIG the
	 * config space is not read (cfg stays zero, cfg_size 0).
	 */
	uint64_t protocol_add;
	uint64_t protocol_drop;
};

struct blk_req {
	/* Filled by the caller before blk_submit() */
	uint32_t type;	 /* VIRTIO_BLK_T_* */
	uint64_t sector; /* 512-byte units */
	struct vring_buf data[BLK_MAX_SEGS];
	unsigned int nseg;
	bool direct; /* never use an indirect table for this request */
	void *opaque;
	/* Guest buffers, set up once by blk_req_init() */
	struct virtio_blk_outhdr *hdr;
	uint64_t hdr_gpa;
	uint8_t *status;
	uint64_t status_gpa;
	/* Set on submission and completion */
	unsigned int queue;
	uint32_t used_len;
	uint64_t submit_ns;
	uint64_t complete_ns;
	bool in_flight;
};

struct blk_queue {
	unsigned int index;
	struct vring_driver vr;
	int kick_fd;
	int call_fd;
	unsigned int in_flight;
	unsigned int unpublished; /* added but not yet published */
	uint64_t kicks;
	uint64_t calls;
};

struct blk_client {
	struct vu_frontend fe;
	struct guest_ram ram;
	struct virtio_blk_config cfg;
	uint32_t cfg_size; /* bytes GET_CONFIG read, as QEMU sizes it */
	uint64_t features; /* acknowledged virtio features */
	unsigned int num_queues;
	unsigned int queue_size;
	unsigned int max_queues; /* GET_QUEUE_NUM, else config, else 1 */
	struct blk_queue *queues;
	int timeout_ms;
	bool started;
};

/**
 * blk_offered() - did the back-end offer a virtio feature?
 * @c:		client after blk_client_connect()
 * @bit:	feature bit
 *
 * Return: true if GET_FEATURES had @bit set
 */
static inline bool blk_offered(const struct blk_client *c, unsigned int bit)
{
	return c->fe.features & (1ULL << bit);
}

/**
 * blk_acked() - did we acknowledge a virtio feature?
 * @c:		client after blk_client_start()
 * @bit:	feature bit
 *
 * Return: true if SET_FEATURES had @bit set
 */
static inline bool blk_acked(const struct blk_client *c, unsigned int bit)
{
	return c->features & (1ULL << bit);
}

uint64_t blk_now_ns(void);

bool blk_client_connect(struct blk_client *c, const struct blk_client_opts *o,
			struct error **errp);
bool blk_client_start(struct blk_client *c, const struct blk_client_opts *o,
		      struct error **errp);
bool blk_client_stop(struct blk_client *c, struct error **errp);
void blk_client_close(struct blk_client *c);

bool blk_req_init(struct blk_client *c, struct blk_req *r, struct error **errp);
uint32_t blk_req_expected_len(const struct blk_req *r);
bool blk_submit(struct blk_client *c, unsigned int q, struct blk_req *r,
		struct error **errp);
bool blk_kick(struct blk_client *c, struct error **errp);
int blk_wait(struct blk_client *c, struct blk_req **done, unsigned int max,
	     struct error **errp);
unsigned int blk_in_flight(const struct blk_client *c);
bool blk_run_one(struct blk_client *c, unsigned int q, struct blk_req *r,
		 struct error **errp);

#endif /* QD_TESTS_FRONTEND_BLK_CLIENT_H */
