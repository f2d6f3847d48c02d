/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Guest memory: the regions a transport mapped, and address translation into
 * them.
 *
 * A transport fills a struct guest_memory with the regions the driver shared
 * (for vhost-user: mmapped fds from SET_MEM_TABLE / ADD_MEM_REG). Devices and
 * the virtqueue code only translate addresses through it; every translation
 * checks that the whole range lies in mapped memory, so a hostile address
 * yields an error instead of an access outside the regions.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_DEVICES_VIRTIO_GUEST_MEMORY_H
#define QD_DEVICES_VIRTIO_GUEST_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "util/error.h"

/* Most regions a table may hold (vhost-user GET_MAX_MEM_SLOTS answers this) */
#define GUEST_MEMORY_MAX_REGIONS 509

struct guest_memory_region {
	uint64_t gpa;	 /* guest physical address of the first byte */
	uint64_t size;	 /* bytes */
	uint64_t uva;	 /* front-end (VMM) virtual address of the first byte */
	void *host;	 /* where the first byte is mapped in this process */
	void *mmap_addr; /* what to munmap(), owned by the transport */
	uint64_t mmap_size;
	unsigned int refs; /* transport: times the front-end added it */
};

struct guest_memory {
	unsigned int nregions;
	struct guest_memory_region regions[GUEST_MEMORY_MAX_REGIONS];
};

/*
 * guest_memory_add() - add a region after checking it: non-zero size, no wrap
 * of gpa+size or uva+size, no overlap with existing regions in GPA or UVA
 * space, room in the table. On failure nothing is added and *errp says which
 * field.
 */
bool guest_memory_add(struct guest_memory *mem,
		      const struct guest_memory_region *r, struct error **errp);
/* guest_memory_remove() - remove the region with this gpa/size/uva; false if
 * none */
bool guest_memory_remove(struct guest_memory *mem, uint64_t gpa, uint64_t size,
			 uint64_t uva, struct guest_memory_region *removed);

/*
 * gpa_to_host() - translate [gpa, gpa+len) to a host pointer; NULL unless the
 * whole range lies in one region (len 0 is treated as 1).
 */
void *gpa_to_host(const struct guest_memory *mem, uint64_t gpa, uint64_t len);
/* uva_to_host() - the same for front-end virtual addresses (vring addresses) */
void *uva_to_host(const struct guest_memory *mem, uint64_t uva, uint64_t len);

/*
 * gpa_to_iov() - map [gpa, gpa+len) to host iovecs, split where it crosses
 * adjacent regions. Appends at most @max entries to @iov.
 * Return: number of entries used, or -1 if part of the range is unmapped
 * (-2 if more than @max entries would be needed).
 */
int gpa_to_iov(const struct guest_memory *mem, uint64_t gpa, uint64_t len,
	       struct iovec *iov, unsigned int max);

#endif /* QD_DEVICES_VIRTIO_GUEST_MEMORY_H */
