/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Driver side of a split virtqueue, for test front-ends and the in-process
 * transport.
 *
 * Lays out descriptor table, avail and used rings in a block of "guest" memory
 * and plays the VIRTIO driver: add chains of GPA buffers, decide whether a kick
 * is needed (EVENT_IDX / NO_NOTIFY), and collect used buffers. It never
 * validates what the device wrote beyond bounds; tests do that.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TESTS_FRONTEND_VRING_DRIVER_H
#define QD_TESTS_FRONTEND_VRING_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/virtio/virtio-ring.h"

/* A buffer in guest memory, by guest physical address */
struct vring_buf {
	uint64_t gpa;
	uint32_t len;
};

struct vring_driver {
	unsigned int num;
	bool event_idx;
	bool indirect; /* use an indirect table for multi-buffer chains */
	struct vring_desc *desc; /* host pointers into guest memory */
	struct vring_avail *avail;
	struct vring_used *used;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	uint16_t free_head;
	unsigned int num_free;
	uint16_t avail_idx;	/* next avail slot the driver fills */
	uint16_t last_used_idx; /* next used entry to collect */
	uint16_t kicked_avail;	/* avail_idx at the last kick decision */
	void **tokens;		/* [num] caller cookie per head */
	uint16_t *chain_len;	/* [num] descriptors per head, to free them */
	/* indirect tables, one per head: host pointer and GPA */
	struct vring_desc *indirect_tables;
	uint64_t indirect_gpa;
	unsigned int indirect_max; /* descriptors per indirect table */
	bool cb_disabled;	   /* vring_driver_disable_cb() called */
};

/*
 * vring_driver_mem_size() - bytes of guest memory vring_driver_init() needs for
 * a queue of @num (rings, plus indirect tables of @indirect_max entries if >0)
 */
size_t vring_driver_mem_size(unsigned int num, unsigned int indirect_max);
/*
 * vring_driver_init() - lay out the rings at @host (guest address @gpa), which
 * must be 4096-aligned and vring_driver_mem_size() bytes. False on bad num.
 */
bool vring_driver_init(struct vring_driver *d, void *host, uint64_t gpa,
		       unsigned int num, bool event_idx,
		       unsigned int indirect_max);
void vring_driver_cleanup(struct vring_driver *d);

/*
 * vring_driver_add() - make a chain of @out_n readable then @in_n writable
 * buffers available (not yet visible: see vring_driver_publish()).
 * Return: head index, or -1 if the ring has not enough free descriptors.
 */
int vring_driver_add(struct vring_driver *d, const struct vring_buf *out,
		     unsigned int out_n, const struct vring_buf *in,
		     unsigned int in_n, void *token);
/* vring_driver_publish() - store avail->idx (release); true if the device wants
 * a kick */
bool vring_driver_publish(struct vring_driver *d);
/* vring_driver_get_used() - next used chain's token and written length; NULL if
 * none */
void *vring_driver_get_used(struct vring_driver *d, uint32_t *len);
/* vring_driver_enable_cb() - ask for calls again (EVENT_IDX or flag); true if
 * used entries are pending */
bool vring_driver_enable_cb(struct vring_driver *d);
/* vring_driver_disable_cb() - ask for no calls (NO_INTERRUPT or used_event) */
void vring_driver_disable_cb(struct vring_driver *d);

#endif /* QD_TESTS_FRONTEND_VRING_DRIVER_H */
