/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Guest memory regions and checked translation of guest and front-end
 * addresses.
 *
 * Every range is checked whole and with overflow-safe arithmetic: a range
 * [addr, addr+len) is inside a region iff addr >= start and
 * addr - start <= size - len, which never computes a sum that could wrap.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <inttypes.h>
#include <string.h>

#include "devices/virtio/guest-memory.h"

/**
 * range_wraps() - whether [start, start+size) runs past the end of the space
 * @start:	first byte
 * @size:	bytes, non-zero
 *
 * Return: true if start + size - 1 overflows 64 bits
 */
static bool range_wraps(uint64_t start, uint64_t size)
{
	return start > UINT64_MAX - (size - 1);
}

/**
 * ranges_overlap() - whether two non-empty, non-wrapping ranges intersect
 * @a:		first byte of the first range
 * @a_size:	its size
 * @b:		first byte of the second range
 * @b_size:	its size
 *
 * Return: true if they share at least one byte
 */
static bool ranges_overlap(uint64_t a, uint64_t a_size, uint64_t b,
			   uint64_t b_size)
{
	/* Compare last bytes: a + size cannot be formed for a range that
	 * ends at UINT64_MAX */
	return a <= b + (b_size - 1) && b <= a + (a_size - 1);
}

/**
 * range_in() - whether [addr, addr+len) lies inside [start, start+size)
 * @start:	first byte of the region
 * @size:	region size, non-zero
 * @addr:	first byte of the range
 * @len:	range size, non-zero
 *
 * Return: true if the whole range is inside
 */
static bool range_in(uint64_t start, uint64_t size, uint64_t addr, uint64_t len)
{
	return addr >= start && len <= size && addr - start <= size - len;
}

/**
 * guest_memory_add() - add a region after checking it
 * @mem:	region table
 * @r:		region to add (copied)
 * @errp:	error on failure, naming the offending field
 *
 * Return: true if added; on failure the table is unchanged
 */
bool guest_memory_add(struct guest_memory *mem,
		      const struct guest_memory_region *r, struct error **errp)
{
	unsigned int i;

	if (!r->size) {
		error_setg(errp, "memory region gpa 0x%" PRIx64 ": size is 0",
			   r->gpa);
		return false;
	}
	if (range_wraps(r->gpa, r->size)) {
		error_setg(errp,
			   "memory region gpa 0x%" PRIx64 " + size 0x%" PRIx64
			   " wraps around the address space",
			   r->gpa, r->size);
		return false;
	}
	if (range_wraps(r->uva, r->size)) {
		error_setg(errp,
			   "memory region uva 0x%" PRIx64 " + size 0x%" PRIx64
			   " wraps around the address space",
			   r->uva, r->size);
		return false;
	}

	for (i = 0; i < mem->nregions; i++) {
		const struct guest_memory_region *o = &mem->regions[i];

		if (ranges_overlap(r->gpa, r->size, o->gpa, o->size)) {
			error_setg(errp,
				   "memory region gpa 0x%" PRIx64
				   " size 0x%" PRIx64
				   " overlaps region %u (gpa 0x%" PRIx64
				   " size 0x%" PRIx64 ")",
				   r->gpa, r->size, i, o->gpa, o->size);
			return false;
		}
		if (ranges_overlap(r->uva, r->size, o->uva, o->size)) {
			error_setg(errp,
				   "memory region uva 0x%" PRIx64
				   " size 0x%" PRIx64
				   " overlaps region %u (uva 0x%" PRIx64
				   " size 0x%" PRIx64 ")",
				   r->uva, r->size, i, o->uva, o->size);
			return false;
		}
	}

	if (mem->nregions >= GUEST_MEMORY_MAX_REGIONS) {
		error_setg(errp,
			   "memory region gpa 0x%" PRIx64
			   ": table full (%u regions)",
			   r->gpa, GUEST_MEMORY_MAX_REGIONS);
		return false;
	}

	mem->regions[mem->nregions++] = *r;
	return true;
}

/**
 * guest_memory_remove() - remove the region matching gpa, size and uva
 * @mem:	region table
 * @gpa:	guest physical address of the region
 * @size:	its size
 * @uva:	its front-end virtual address
 * @removed:	if not NULL, set to the removed region (to unmap it)
 *
 * Return: true if a region matched and was removed
 */
bool guest_memory_remove(struct guest_memory *mem, uint64_t gpa, uint64_t size,
			 uint64_t uva, struct guest_memory_region *removed)
{
	unsigned int i;

	for (i = 0; i < mem->nregions; i++) {
		struct guest_memory_region *r = &mem->regions[i];

		if (r->gpa != gpa || r->size != size || r->uva != uva)
			continue;
		if (removed)
			*removed = *r;
		memmove(r, r + 1, (mem->nregions - i - 1) * sizeof(*r));
		mem->nregions--;
		return true;
	}
	return false;
}

/**
 * translate() - find the region holding a whole range, in either address space
 * @mem:	region table
 * @addr:	first byte
 * @len:	bytes, 0 is treated as 1
 * @by_uva:	@addr is a front-end virtual address, not a guest physical one
 *
 * Return: host pointer to @addr, NULL unless the whole range is in one region
 */
static void *translate(const struct guest_memory *mem, uint64_t addr,
		       uint64_t len, bool by_uva)
{
	unsigned int i;

	if (!len)
		len = 1;
	for (i = 0; i < mem->nregions; i++) {
		const struct guest_memory_region *r = &mem->regions[i];
		uint64_t base = by_uva ? r->uva : r->gpa;

		if (range_in(base, r->size, addr, len))
			return (uint8_t *)r->host + (addr - base);
	}
	return NULL;
}

/**
 * gpa_to_host() - translate a guest physical range to a host pointer
 * @mem:	region table
 * @gpa:	first byte
 * @len:	bytes, 0 is treated as 1
 *
 * Return: host pointer to @gpa, NULL unless the whole range is in one region
 */
void *gpa_to_host(const struct guest_memory *mem, uint64_t gpa, uint64_t len)
{
	return translate(mem, gpa, len, false);
}

/**
 * uva_to_host() - translate a front-end virtual range to a host pointer
 * @mem:	region table
 * @uva:	first byte
 * @len:	bytes, 0 is treated as 1
 *
 * Return: host pointer to @uva, NULL unless the whole range is in one region
 */
void *uva_to_host(const struct guest_memory *mem, uint64_t uva, uint64_t len)
{
	return translate(mem, uva, len, true);
}

/**
 * gpa_region() - find the region holding one guest physical byte
 * @mem:	region table
 * @gpa:	the byte
 *
 * Return: the region, NULL if unmapped
 */
static const struct guest_memory_region *gpa_region(
	const struct guest_memory *mem, uint64_t gpa)
{
	unsigned int i;

	for (i = 0; i < mem->nregions; i++) {
		const struct guest_memory_region *r = &mem->regions[i];

		if (range_in(r->gpa, r->size, gpa, 1))
			return r;
	}
	return NULL;
}

/**
 * gpa_to_iov() - map a guest physical range to host iovecs
 * @mem:	region table
 * @gpa:	first byte
 * @len:	bytes; 0 yields no entries
 * @iov:	where to append entries
 * @max:	room in @iov
 *
 * Return: entries used, -1 if part of the range is unmapped (or it wraps),
 * -2 if more than @max entries would be needed
 */
int gpa_to_iov(const struct guest_memory *mem, uint64_t gpa, uint64_t len,
	       struct iovec *iov, unsigned int max)
{
	unsigned int n = 0;

	if (len && range_wraps(gpa, len))
		return -1;

	while (len) {
		const struct guest_memory_region *r = gpa_region(mem, gpa);
		uint64_t chunk;

		if (!r)
			return -1;
		if (n == max)
			return -2;

		chunk = r->size - (gpa - r->gpa);
		if (chunk > len)
			chunk = len;
		iov[n].iov_base = (uint8_t *)r->host + (gpa - r->gpa);
		iov[n].iov_len = chunk;
		n++;
		gpa += chunk;
		len -= chunk;
	}
	return (int)n;
}
