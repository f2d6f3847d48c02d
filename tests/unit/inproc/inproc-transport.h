/* SPDX-License-Identifier: GPL-2.0-or-later */
/* In-process test transport: drives any VIRTIO device model directly, with
 * no socket and no vhost-user, playing both the transport and the driver.
 *
 * It owns "guest RAM" (one or two adjacent regions of 4096-aligned anonymous
 * memory, described by a struct guest_memory), lays out split rings in it
 * with the test front-end's vring driver, creates the kick, call and error
 * eventfds, negotiates features and starts and stops queues through the
 * device interface. Tests allocate buffers in guest RAM by guest
 * physical address, submit chains, wait for calls with a timeout and collect
 * used entries.
 *
 * Not thread-safe: one test thread drives it; the device's queue workers run
 * on their own threads as they do under vhost-user.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TESTS_UNIT_INPROC_TRANSPORT_H
#define QD_TESTS_UNIT_INPROC_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/virtio/guest-memory.h"
#include "devices/virtio/virtio-device.h"
#include "tests/frontend/vring-driver.h"
#include "util/error.h"

#define INPROC_MAX_REGIONS 2
/*
 * With two regions, this many bytes on each side of the boundary are never
 * handed out by inproc_alloc(): tests place buffers that straddle the
 * boundary there themselves (see inproc_boundary()).
 */
#define INPROC_BOUNDARY_WINDOW (1024 * 1024)

struct inproc_queue {
	struct vring_driver drv; /* drv.num == 0: rings not laid out yet */
	int kick_fd;
	int call_fd;
	int err_fd;
};

struct inproc {
	struct virtio_device *dev; /* not owned */
	struct guest_memory mem;
	unsigned int nregions;
	uint64_t region_size;		   /* bytes per region */
	uint64_t next[INPROC_MAX_REGIONS]; /* bump allocator, by GPA */
	struct inproc_queue *queues;	   /* [dev->num_queues] */
};

/*
 * inproc_new() - guest RAM of @nregions (1 or 2) adjacent regions of
 * @region_size bytes each (a multiple of 4096) at GPA 0, for @dev
 */
struct inproc *inproc_new(struct virtio_device *dev, uint64_t region_size,
			  unsigned int nregions, struct error **errp);
/* inproc_free() - stop all queues, unmap guest RAM; @dev is left alone */
void inproc_free(struct inproc *ip);

/* inproc_offered_features() - the device's offer */
uint64_t inproc_offered_features(struct inproc *ip);
/* inproc_set_features() - FEATURES_OK step: virtio_device_set_features() */
bool inproc_set_features(struct inproc *ip, uint64_t features,
			 struct error **errp);

/*
 * inproc_start_queue() - lay out the rings of queue @idx (first start only),
 * configure the virtqueue and start it. EVENT_IDX and INDIRECT_DESC follow
 * the negotiated features; @indirect_max is the indirect table size the
 * driver uses when INDIRECT_DESC was negotiated (0: never indirect).
 * A restart after inproc_stop_queue() keeps the rings and resumes at the
 * device's last_avail_idx.
 */
bool inproc_start_queue(struct inproc *ip, unsigned int idx, unsigned int num,
			unsigned int indirect_max, struct error **errp);
/* inproc_stop_queue() - virtio_queue_stop(): drains in-flight requests */
void inproc_stop_queue(struct inproc *ip, unsigned int idx);
/* inproc_driver() - the driver side of queue @idx (e.g. to toggle indirect) */
struct vring_driver *inproc_driver(struct inproc *ip, unsigned int idx);

/*
 * inproc_alloc() - @size bytes of guest RAM aligned to @align (power of two),
 * within one region. Return: the GPA, or UINT64_MAX when RAM is exhausted.
 */
uint64_t inproc_alloc(struct inproc *ip, uint64_t size, uint64_t align);
/* inproc_boundary() - GPA where region 1 starts (UINT64_MAX with one region)
 */
uint64_t inproc_boundary(const struct inproc *ip);
/* inproc_host() - host pointer to [gpa, gpa+len) if in one region, else NULL
 */
void *inproc_host(struct inproc *ip, uint64_t gpa, uint64_t len);
/* inproc_write()/inproc_read() - copy to/from guest RAM across regions */
bool inproc_write(struct inproc *ip, uint64_t gpa, const void *buf,
		  uint64_t len);
bool inproc_read(struct inproc *ip, uint64_t gpa, void *buf, uint64_t len);

/*
 * inproc_add() - add a chain to queue @idx (not yet visible).
 * Return: head index, or -1 if the ring has no room.
 */
int inproc_add(struct inproc *ip, unsigned int idx, const struct vring_buf *out,
	       unsigned int out_n, const struct vring_buf *in,
	       unsigned int in_n, void *token);
/* inproc_kick() - publish the added chains and kick if the device wants it */
void inproc_kick(struct inproc *ip, unsigned int idx);
/*
 * inproc_wait_used() - wait up to @timeout_ms for a used entry on queue @idx
 * (polls the call eventfd; a call is not required if entries are pending).
 * Return: the token of the next used chain with *len set, NULL on timeout.
 */
void *inproc_wait_used(struct inproc *ip, unsigned int idx, uint32_t *len,
		       int timeout_ms);
/* inproc_get_used() - next used chain now, NULL if none */
void *inproc_get_used(struct inproc *ip, unsigned int idx, uint32_t *len);
/* inproc_wait_broken() - wait up to @timeout_ms for err_fd of queue @idx */
bool inproc_wait_broken(struct inproc *ip, unsigned int idx, int timeout_ms);

#endif /* QD_TESTS_UNIT_INPROC_TRANSPORT_H */
