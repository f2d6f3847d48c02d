/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vhost-user guest memory: mapping the front-end's regions, replacing tables.
 *
 * Each region arrives as an fd with an offset; we map it whole from offset 0
 * (keeps the mapping page/hugepage aligned, as libvhost-user does) and use
 * base + mmap_offset. Every mapping is guarded (vhost-user-guard.h): a file
 * the front-end shrinks later costs it the session, not us the process. A new
 * table is built and checked aside, then swapped in while the queues are
 * stopped: running queues read the table without locks, so it never changes
 * under them.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "transport/vhost-user-guard.h"
#include "transport/vhost-user-session.h"
#include "util/log.h"

/**
 * vu_mem_unmap_region() - Unmap one region
 * @r:		region as mapped by vu_mem_map_region()
 */
static void vu_mem_unmap_region(const struct guest_memory_region *r)
{
	if (!r->mmap_addr)
		return;
	vu_guard_remove(r->mmap_addr);
	munmap(r->mmap_addr, r->mmap_size);
}

/**
 * vu_mem_free() - Unmap every region of a table and free it
 * @mem:	table, may be NULL
 */
void vu_mem_free(struct guest_memory *mem)
{
	unsigned int i;

	if (!mem)
		return;
	for (i = 0; i < mem->nregions; i++)
		vu_mem_unmap_region(&mem->regions[i]);
	free(mem);
}

/**
 * vu_mem_map_region() - Map one region the front-end described
 * @m:		region as sent (GPA, size, UVA, offset into @fd)
 * @fd:		fd to map; the caller closes it
 * @r:		filled with the mapping on success
 * @errp:	set if the region is empty, overflows, is larger than the file
 *		or cannot be mapped
 *
 * Return: true if mapped
 */
static bool vu_mem_map_region(const struct vhost_user_memory_region *m, int fd,
			      struct guest_memory_region *r,
			      struct error **errp)
{
	uint64_t len;
	struct stat st;
	void *base;

	if (!m->memory_size) {
		error_setg(errp, "memory_size is 0");
		return false;
	}
	if (m->mmap_offset > UINT64_MAX - m->memory_size ||
	    m->mmap_offset + m->memory_size > SIZE_MAX) {
		error_setg(errp,
			   "mmap_offset 0x%" PRIx64 " + memory_size 0x%" PRIx64
			   " overflows",
			   m->mmap_offset, m->memory_size);
		return false;
	}
	len = m->mmap_offset + m->memory_size;
	if (fstat(fd, &st) < 0) {
		error_setg_errno(errp, errno, "fstat of the region's fd");
		return false;
	}
	/* Pages past the end of a file fault with SIGBUS: refuse them now */
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size < len) {
		error_setg(errp,
			   "mmap_offset + memory_size 0x%" PRIx64
			   " exceeds the file size 0x%" PRIx64,
			   len, (uint64_t)st.st_size);
		return false;
	}
	base = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_NORESERVE, fd, 0);
	if (base == MAP_FAILED) {
		error_setg_errno(errp, errno, "mmap of 0x%" PRIx64 " bytes",
				 len);
		return false;
	}
	/* The front-end may still shrink the file: see vhost-user-guard.h */
	if (!vu_guard_add(base, len)) {
		error_setg(errp, "too many regions mapped");
		munmap(base, len);
		return false;
	}
	*r = (struct guest_memory_region){
		.gpa = m->guest_phys_addr,
		.size = m->memory_size,
		.uva = m->userspace_addr,
		.host = (char *)base + m->mmap_offset,
		.mmap_addr = base,
		.mmap_size = len,
		.refs = 1,
	};
	return true;
}

/**
 * vu_mem_add_region() - Map a region and add it to a table being built
 * @mem:	table
 * @m:		region as sent
 * @fd:		fd to map; the caller closes it
 * @errp:	set if mapping fails or the table refuses the region
 *		(overlap, wrap, no room)
 *
 * Return: true if the region is in @mem; on failure nothing stays mapped
 */
static bool vu_mem_add_region(struct guest_memory *mem,
			      const struct vhost_user_memory_region *m, int fd,
			      struct error **errp)
{
	struct guest_memory_region r;

	if (!vu_mem_map_region(m, fd, &r, errp))
		return false;
	if (!guest_memory_add(mem, &r, errp)) {
		vu_mem_unmap_region(&r);
		return false;
	}
	return true;
}

/**
 * vu_mem_swap() - Install a new table while every queue is stopped
 * @s:		session
 * @next:	the new table; the session owns it from now on
 * @old:	the previous table (may be NULL), now the caller's: it frees it
 *		and unmaps what @next no longer holds
 * @errp:	set if a queue could not be restarted
 *
 * Return: VU_OK or VU_FAILED
 */
static enum vu_result vu_mem_swap(struct vu_session *s,
				  struct guest_memory *next,
				  struct guest_memory **old,
				  struct error **errp)
{
	vu_rings_stop_all(s);
	*old = s->mem;
	s->mem = next;
	return vu_rings_update_all(s, errp) ? VU_OK : VU_FAILED;
}

/**
 * vu_mem_copy() - A copy of the session's table to change aside
 * @s:		session
 * @errp:	set if out of memory
 *
 * Return: the copy (empty if there is no table yet), or NULL
 */
static struct guest_memory *vu_mem_copy(const struct vu_session *s,
					struct error **errp)
{
	struct guest_memory *copy = calloc(1, sizeof(*copy));

	if (!copy) {
		error_setg(errp, "out of memory for the memory table");
		return NULL;
	}
	if (s->mem)
		memcpy(copy, s->mem, sizeof(*copy));
	return copy;
}

/**
 * vu_handle_set_mem_table() - SET_MEM_TABLE: replace the whole memory table
 * @s:		session
 * @msg:	request (memory table, one fd per region)
 * @errp:	set if a region cannot be mapped or regions overlap
 *
 * Return: VU_OK, VU_FAILED or VU_VIOLATION
 */
enum vu_result vu_handle_set_mem_table(struct vu_session *s,
				       struct vhost_user_msg *msg,
				       struct error **errp)
{
	const struct vhost_user_memory *table = &msg->payload.memory;
	struct guest_memory *next, *old;
	enum vu_result res;
	unsigned int i;

	next = calloc(1, sizeof(*next));
	if (!next) {
		error_setg(errp, "out of memory for the memory table");
		return VU_VIOLATION;
	}
	for (i = 0; i < table->nregions; i++) {
		if (!vu_mem_add_region(next, &table->regions[i], msg->fds[i],
				       errp)) {
			error_prepend(errp, "region %u: ", i);
			vu_mem_free(next);
			return VU_VIOLATION;
		}
	}
	/* The old mappings go once no queue can use them any more */
	res = vu_mem_swap(s, next, &old, errp);
	vu_mem_free(old);
	log_debug("memory table: %u regions", table->nregions);
	return res;
}

/**
 * vu_handle_get_max_mem_slots() - GET_MAX_MEM_SLOTS: regions we can hold
 * @s:		session
 * @msg:	request; the u64 reply is put here
 * @errp:	unused
 *
 * Return: VU_OK
 */
enum vu_result vu_handle_get_max_mem_slots(struct vu_session *s,
					   struct vhost_user_msg *msg,
					   struct error **errp)
{
	msg->payload.u64 = GUEST_MEMORY_MAX_REGIONS;
	msg->hdr.size = sizeof(msg->payload.u64);
	return VU_OK;
}

/**
 * vu_mem_find() - The session's region with exactly this GPA, size and UVA
 * @s:	session
 * @m:	region as sent
 *
 * Return: the region, or NULL
 */
static struct guest_memory_region *vu_mem_find(
	struct vu_session *s, const struct vhost_user_memory_region *m)
{
	unsigned int i;

	for (i = 0; s->mem && i < s->mem->nregions; i++) {
		struct guest_memory_region *r = &s->mem->regions[i];

		if (r->gpa == m->guest_phys_addr && r->size == m->memory_size &&
		    r->uva == m->userspace_addr)
			return r;
	}
	return NULL;
}

/**
 * vu_handle_add_mem_reg() - ADD_MEM_REG: map one more region
 * @s:		session
 * @msg:	request (single region, exactly one fd)
 * @errp:	set if the region cannot be mapped or does not fit the table
 *
 * Return: VU_OK, VU_FAILED or VU_VIOLATION
 */
enum vu_result vu_handle_add_mem_reg(struct vu_session *s,
				     struct vhost_user_msg *msg,
				     struct error **errp)
{
	const struct vhost_user_memory_region *m = &msg->payload.mem_reg.region;
	struct guest_memory_region *same = vu_mem_find(s, m);
	struct guest_memory *next, *old;
	enum vu_result res;

	/*
	 * A front-end with one vhost device per queue pair on one socket
	 * (QEMU before 8.1 for net) adds every region once per device, and
	 * removes it as often: count, map once.
	 */
	if (same) {
		same->refs++;
		log_debug("ADD_MEM_REG: region gpa 0x%" PRIx64 " added again "
			  "(%u times)",
			  same->gpa, same->refs);
		return VU_OK;
	}
	next = vu_mem_copy(s, errp);
	if (!next)
		return VU_VIOLATION;
	if (!vu_mem_add_region(next, m, msg->fds[0], errp)) {
		free(next);
		return VU_VIOLATION;
	}
	/* The regions of the old table stay mapped: they moved to the new one
	 */
	res = vu_mem_swap(s, next, &old, errp);
	free(old);
	return res;
}

/**
 * vu_handle_rem_mem_reg() - REM_MEM_REG: unmap the region with this GPA,
 * size and UVA
 * @s:		session
 * @msg:	request (single region; an fd may come along and is closed)
 * @errp:	set if no such region is mapped
 *
 * Return: VU_OK, or VU_FAILED if there is no such region
 */
enum vu_result vu_handle_rem_mem_reg(struct vu_session *s,
				     struct vhost_user_msg *msg,
				     struct error **errp)
{
	const struct vhost_user_memory_region *m = &msg->payload.mem_reg.region;
	struct guest_memory_region *same = vu_mem_find(s, m);
	struct guest_memory_region removed;
	struct guest_memory *next, *old;
	enum vu_result res;

	/* Added more than once (see vu_handle_add_mem_reg()): keep it */
	if (same && same->refs > 1) {
		same->refs--;
		return VU_OK;
	}
	next = vu_mem_copy(s, errp);
	if (!next)
		return VU_VIOLATION;
	if (!guest_memory_remove(next, m->guest_phys_addr, m->memory_size,
				 m->userspace_addr, &removed)) {
		error_setg(
			errp,
			"no region with guest_phys_addr 0x%" PRIx64
			" memory_size 0x%" PRIx64 " userspace_addr 0x%" PRIx64,
			m->guest_phys_addr, m->memory_size, m->userspace_addr);
		free(next);
		return VU_FAILED;
	}
	res = vu_mem_swap(s, next, &old, errp);
	free(old);
	vu_mem_unmap_region(&removed);
	return res;
}
