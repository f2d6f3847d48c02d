/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Guest RAM of the test front-end: memfd regions and a bump allocator.
 *
 * Memory is never freed one allocation at a time: a front-end allocates its
 * rings and request buffers once, then reuses them.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/frontend/guest-ram.h"

static const uint64_t region_gpa[GUEST_RAM_REGIONS] = {
	GUEST_RAM_REGION0_GPA,
	GUEST_RAM_REGION1_GPA,
};

/**
 * guest_ram_init() - create the memfd and map its regions
 * @ram:		RAM to set up
 * @region_size:	bytes per region, a multiple of the page size
 * @errp:		error on failure
 *
 * Return: true on success
 */
bool guest_ram_init(struct guest_ram *ram, uint64_t region_size,
		    struct error **errp)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned int i;

	memset(ram, 0, sizeof(*ram));
	ram->fd = -1;
	if (!region_size || region_size % (uint64_t)page ||
	    region_size > GUEST_RAM_REGION1_GPA - GUEST_RAM_REGION0_GPA) {
		error_setg(errp, "guest RAM: bad region size %llu",
			   (unsigned long long)region_size);
		return false;
	}

	ram->fd = memfd_create("qd-frontend-ram", MFD_CLOEXEC);
	if (ram->fd < 0) {
		error_setg_errno(errp, errno, "guest RAM: memfd_create");
		return false;
	}
	if (ftruncate(ram->fd, (off_t)(region_size * GUEST_RAM_REGIONS))) {
		error_setg_errno(errp, errno, "guest RAM: ftruncate to %llu",
				 (unsigned long long)region_size *
					 GUEST_RAM_REGIONS);
		guest_ram_cleanup(ram);
		return false;
	}

	for (i = 0; i < GUEST_RAM_REGIONS; i++) {
		struct guest_ram_region *r = &ram->regions[i];
		void *p;

		r->gpa = region_gpa[i];
		r->size = region_size;
		r->mmap_offset = region_size * i;
		p = mmap(NULL, region_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 ram->fd, (off_t)r->mmap_offset);
		if (p == MAP_FAILED) {
			error_setg_errno(errp, errno,
					 "guest RAM: mmap of region %u", i);
			guest_ram_cleanup(ram);
			return false;
		}
		r->host = p;
	}
	return true;
}

/**
 * guest_ram_cleanup() - unmap the regions and close the memfd
 * @ram:	RAM set up by guest_ram_init() (or zeroed with fd -1)
 */
void guest_ram_cleanup(struct guest_ram *ram)
{
	unsigned int i;

	for (i = 0; i < GUEST_RAM_REGIONS; i++) {
		if (ram->regions[i].host)
			munmap(ram->regions[i].host, ram->regions[i].size);
		ram->regions[i].host = NULL;
	}
	if (ram->fd >= 0)
		close(ram->fd);
	ram->fd = -1;
}

/**
 * region_alloc() - carve @size bytes aligned to @align out of one region
 * @r:		region
 * @size:	bytes
 * @align:	alignment of the guest address, a power of two
 * @gpa:	set to the guest address
 *
 * Return: host pointer, NULL if the region is full
 */
static void *region_alloc(struct guest_ram_region *r, uint64_t size,
			  uint64_t align, uint64_t *gpa)
{
	uint64_t start = (r->gpa + r->next + align - 1) & ~(align - 1);
	uint64_t off = start - r->gpa;

	if (off > r->size || size > r->size - off)
		return NULL;
	r->next = off + size;
	*gpa = start;
	return r->host + off;
}

/**
 * guest_ram_alloc() - allocate guest memory, alternating between regions
 * @ram:	RAM
 * @size:	bytes, > 0
 * @align:	alignment of the guest address, a power of two
 * @gpa:	set to the guest address of the allocation
 * @errp:	error if no region has room
 *
 * Return: host pointer to the allocation, NULL on failure
 */
void *guest_ram_alloc(struct guest_ram *ram, uint64_t size, uint64_t align,
		      uint64_t *gpa, struct error **errp)
{
	unsigned int i;

	if (!size || !align || (align & (align - 1))) {
		error_setg(errp,
			   "guest RAM: bad allocation of %llu bytes "
			   "aligned to %llu",
			   (unsigned long long)size, (unsigned long long)align);
		return NULL;
	}
	for (i = 0; i < GUEST_RAM_REGIONS; i++) {
		unsigned int n = (ram->next_region + i) % GUEST_RAM_REGIONS;
		void *p = region_alloc(&ram->regions[n], size, align, gpa);

		if (p) {
			ram->next_region = (n + 1) % GUEST_RAM_REGIONS;
			return p;
		}
	}
	error_setg(errp,
		   "guest RAM: no room for %llu bytes (use a larger "
		   "--mem)",
		   (unsigned long long)size);
	return NULL;
}

/**
 * guest_ram_host() - translate a guest range to our mapping
 * @ram:	RAM
 * @gpa:	guest address
 * @len:	length of the range
 *
 * Return: host pointer, NULL unless the whole range is inside one region
 */
void *guest_ram_host(const struct guest_ram *ram, uint64_t gpa, uint64_t len)
{
	unsigned int i;

	for (i = 0; i < GUEST_RAM_REGIONS; i++) {
		const struct guest_ram_region *r = &ram->regions[i];

		if (gpa >= r->gpa && gpa - r->gpa <= r->size &&
		    len <= r->size - (gpa - r->gpa))
			return r->host + (gpa - r->gpa);
	}
	return NULL;
}
