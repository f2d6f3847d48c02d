/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Guest RAM of the test front-end: memfd-backed regions and a GPA allocator.
 *
 * The RAM is one memfd mapped as two regions at guest physical addresses that
 * are far apart, the second one at a non-zero offset into the fd, so that a
 * back-end must translate through its memory table (GPA -> region -> offset)
 * and honour mmap_offset. Allocations alternate between the regions, so a
 * request with several buffers usually spans both.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TESTS_FRONTEND_GUEST_RAM_H
#define QD_TESTS_FRONTEND_GUEST_RAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define GUEST_RAM_REGIONS 2

/* Guest addresses of the regions: a hole between them, none at 0 */
#define GUEST_RAM_REGION0_GPA 0x100000ULL
#define GUEST_RAM_REGION1_GPA 0x100000000ULL

struct guest_ram_region {
	uint64_t gpa;	      /* guest physical address of the first byte */
	uint64_t size;	      /* bytes */
	uint64_t mmap_offset; /* offset of the region in the memfd */
	uint8_t *host;	      /* our mapping (the "userspace address") */
	uint64_t next;	      /* allocation cursor, offset into the region */
};

struct guest_ram {
	int fd; /* memfd shared with the back-end */
	struct guest_ram_region regions[GUEST_RAM_REGIONS];
	unsigned int next_region; /* where the next allocation is tried first */
};

bool guest_ram_init(struct guest_ram *ram, uint64_t region_size,
		    struct error **errp);
void guest_ram_cleanup(struct guest_ram *ram);
void *guest_ram_alloc(struct guest_ram *ram, uint64_t size, uint64_t align,
		      uint64_t *gpa, struct error **errp);
void *guest_ram_host(const struct guest_ram *ram, uint64_t gpa, uint64_t len);

#endif /* QD_TESTS_FRONTEND_GUEST_RAM_H */
