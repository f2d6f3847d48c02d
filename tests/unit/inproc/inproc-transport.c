/* SPDX-License-Identifier: GPL-2.0-or-later */
/* In-process test transport: guest RAM, rings, eventfds and the device
 * interface calls a vhost-user front-end and back-end would make, in one
 * process.
 *
 * The regions are mapped in reverse host order, each followed by a guard
 * page, so a device that assumed host contiguity across the region boundary
 * would fault instead of passing by luck.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "tests/unit/inproc/inproc-transport.h"

#define INPROC_PAGE 4096ULL

/**
 * inproc_map_ram() - Map the regions and describe them in ip->mem
 * @ip:		transport, nregions and region_size set
 * @errp:	error
 *
 * Return: true on success
 */
static bool inproc_map_ram(struct inproc *ip, struct error **errp)
{
	uint64_t size = ip->region_size;
	size_t total = (size_t)((size + INPROC_PAGE) * ip->nregions);
	uint8_t *base;

	base = mmap(NULL, total, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED) {
		error_setg_errno(errp, errno,
				 "cannot map %zu bytes of guest RAM", total);
		return false;
	}
	/* Host order: region n-1, guard page, ..., region 0, guard page */
	for (unsigned int i = 0; i < ip->nregions; i++) {
		uint8_t *host =
			base + (ip->nregions - 1 - i) * (size + INPROC_PAGE);
		struct guest_memory_region r = {
			.gpa = i * size,
			.size = size,
			.uva = (uint64_t)(uintptr_t)host,
			.host = host,
		};

		if (mprotect(host + size, INPROC_PAGE, PROT_NONE)) {
			error_setg_errno(errp, errno, "mprotect");
			munmap(base, total);
			return false;
		}
		if (i == 0) {
			/* The whole reservation is unmapped through region 0 */
			r.mmap_addr = base;
			r.mmap_size = total;
		}
		if (!guest_memory_add(&ip->mem, &r, errp)) {
			munmap(base, total);
			return false;
		}
		ip->next[i] = i * size + (i ? INPROC_BOUNDARY_WINDOW : 0);
	}
	return true;
}

/**
 * inproc_new() - Create the transport and guest RAM for a device
 * @dev:	device, not yet negotiated
 * @region_size: bytes per region, a multiple of 4096 larger than twice
 *		INPROC_BOUNDARY_WINDOW when @nregions is 2
 * @nregions:	1 or 2
 * @errp:	error
 *
 * Return: the transport, NULL on failure
 */
struct inproc *inproc_new(struct virtio_device *dev, uint64_t region_size,
			  unsigned int nregions, struct error **errp)
{
	struct inproc *ip;

	if (nregions < 1 || nregions > INPROC_MAX_REGIONS ||
	    region_size % INPROC_PAGE ||
	    region_size <= 2ULL * INPROC_BOUNDARY_WINDOW) {
		error_setg(errp, "inproc: bad guest RAM layout");
		return NULL;
	}
	ip = calloc(1, sizeof(*ip));
	if (!ip) {
		error_setg(errp, "inproc: out of memory");
		return NULL;
	}
	ip->dev = dev;
	ip->nregions = nregions;
	ip->region_size = region_size;
	ip->queues = calloc(dev->num_queues, sizeof(*ip->queues));
	if (!ip->queues) {
		error_setg(errp, "inproc: out of memory");
		free(ip);
		return NULL;
	}
	for (unsigned int i = 0; i < dev->num_queues; i++)
		ip->queues[i].kick_fd = ip->queues[i].call_fd =
			ip->queues[i].err_fd = -1;
	if (!inproc_map_ram(ip, errp)) {
		free(ip->queues);
		free(ip);
		return NULL;
	}
	return ip;
}

/**
 * inproc_close_fd() - Close an fd if open and mark it closed
 * @fd:		fd or -1
 */
static void inproc_close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/**
 * inproc_free() - Stop every queue and release the transport
 * @ip:		transport, may be NULL
 *
 * The device stays: the caller frees it with virtio_device_free().
 */
void inproc_free(struct inproc *ip)
{
	if (!ip)
		return;
	for (unsigned int i = 0; i < ip->dev->num_queues; i++) {
		struct inproc_queue *q = &ip->queues[i];
		struct virtqueue *vq = &ip->dev->vqs[i];

		virtio_queue_stop(ip->dev, i);
		vq->kick_fd = vq->call_fd = vq->err_fd = -1;
		vq->desc = NULL;
		vq->avail = NULL;
		vq->used = NULL;
		vq->mem = NULL;
		vring_driver_cleanup(&q->drv);
		inproc_close_fd(&q->kick_fd);
		inproc_close_fd(&q->call_fd);
		inproc_close_fd(&q->err_fd);
	}
	if (ip->mem.nregions)
		munmap(ip->mem.regions[0].mmap_addr,
		       ip->mem.regions[0].mmap_size);
	free(ip->queues);
	free(ip);
}

/**
 * inproc_offered_features() - What the device offers
 * @ip:		transport
 *
 * Return: feature bits
 */
uint64_t inproc_offered_features(struct inproc *ip)
{
	return ip->dev->ops->get_features(ip->dev);
}

/**
 * inproc_set_features() - Negotiate features, as FEATURES_OK would
 * @ip:		transport
 * @features:	the driver's choice
 * @errp:	the device's refusal
 *
 * Return: true if accepted
 */
bool inproc_set_features(struct inproc *ip, uint64_t features,
			 struct error **errp)
{
	return virtio_device_set_features(ip->dev, features, errp);
}

/**
 * inproc_new_eventfd() - Create a non-blocking eventfd
 * @fd:		set to the eventfd
 * @errp:	error
 *
 * Return: true on success
 */
static bool inproc_new_eventfd(int *fd, struct error **errp)
{
	*fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (*fd < 0) {
		error_setg_errno(errp, errno, "inproc: eventfd");
		return false;
	}
	return true;
}

/**
 * inproc_setup_rings() - Lay out the rings and eventfds of a queue
 * @ip:		transport
 * @idx:	queue index
 * @num:	queue size
 * @indirect_max: indirect table size if INDIRECT_DESC was negotiated
 * @errp:	error
 *
 * Return: true on success
 */
static bool inproc_setup_rings(struct inproc *ip, unsigned int idx,
			       unsigned int num, unsigned int indirect_max,
			       struct error **errp)
{
	struct inproc_queue *q = &ip->queues[idx];
	uint64_t f = ip->dev->features;
	bool event_idx = f & (1ULL << VIRTIO_RING_F_EVENT_IDX);
	unsigned int imax =
		(f & (1ULL << VIRTIO_RING_F_INDIRECT_DESC)) ? indirect_max : 0;
	size_t size = vring_driver_mem_size(num, imax);
	uint64_t gpa = inproc_alloc(ip, size, INPROC_PAGE);
	void *host = gpa == UINT64_MAX ? NULL : inproc_host(ip, gpa, size);

	if (!host) {
		error_setg(errp, "inproc: no guest RAM for queue %u rings",
			   idx);
		return false;
	}
	if (!vring_driver_init(&q->drv, host, gpa, num, event_idx, imax)) {
		error_setg(errp, "inproc: cannot lay out queue %u (size %u)",
			   idx, num);
		return false;
	}
	if (!inproc_new_eventfd(&q->kick_fd, errp) ||
	    !inproc_new_eventfd(&q->call_fd, errp) ||
	    !inproc_new_eventfd(&q->err_fd, errp))
		return false;
	ip->dev->vqs[idx].last_avail_idx = 0;
	return true;
}

/**
 * inproc_start_queue() - Configure and start a queue
 * @ip:		transport, features negotiated
 * @idx:	queue index
 * @num:	queue size (ignored on a restart)
 * @indirect_max: indirect table size (0: no indirect chains)
 * @errp:	error from the layout or virtio_queue_start()
 *
 * Return: true if the queue runs
 */
bool inproc_start_queue(struct inproc *ip, unsigned int idx, unsigned int num,
			unsigned int indirect_max, struct error **errp)
{
	struct inproc_queue *q;
	struct virtqueue *vq;

	if (idx >= ip->dev->num_queues) {
		error_setg(errp, "inproc: queue %u does not exist", idx);
		return false;
	}
	q = &ip->queues[idx];
	vq = &ip->dev->vqs[idx];
	if (!q->drv.num &&
	    !inproc_setup_rings(ip, idx, num, indirect_max, errp))
		return false;
	vq->num = q->drv.num;
	vq->desc = q->drv.desc;
	vq->avail = q->drv.avail;
	vq->used = q->drv.used;
	vq->mem = &ip->mem;
	vq->kick_fd = q->kick_fd;
	vq->call_fd = q->call_fd;
	vq->err_fd = q->err_fd;
	vq->enabled = true;
	return virtio_queue_start(ip->dev, idx, errp);
}

/**
 * inproc_stop_queue() - Stop a queue; returns once in-flight requests are done
 * @ip:		transport
 * @idx:	queue index
 */
void inproc_stop_queue(struct inproc *ip, unsigned int idx)
{
	virtio_queue_stop(ip->dev, idx);
}

/**
 * inproc_driver() - The driver side of a queue
 * @ip:		transport
 * @idx:	queue index, started once
 *
 * Return: its struct vring_driver
 */
struct vring_driver *inproc_driver(struct inproc *ip, unsigned int idx)
{
	return &ip->queues[idx].drv;
}

/**
 * inproc_alloc() - Allocate guest RAM inside one region
 * @ip:		transport
 * @size:	bytes, > 0
 * @align:	alignment, a power of two
 *
 * Return: GPA of the buffer, UINT64_MAX if no region has room
 */
uint64_t inproc_alloc(struct inproc *ip, uint64_t size, uint64_t align)
{
	for (unsigned int i = 0; i < ip->nregions; i++) {
		uint64_t end = (i + 1) * ip->region_size;
		uint64_t gpa = (ip->next[i] + align - 1) & ~(align - 1);

		if (i == 0 && ip->nregions > 1)
			end -= INPROC_BOUNDARY_WINDOW;
		if (gpa <= end && size <= end - gpa) {
			ip->next[i] = gpa + size;
			return gpa;
		}
	}
	return UINT64_MAX;
}

/**
 * inproc_boundary() - GPA of the first byte of region 1
 * @ip:		transport
 *
 * Return: the GPA, UINT64_MAX with a single region
 */
uint64_t inproc_boundary(const struct inproc *ip)
{
	return ip->nregions > 1 ? ip->region_size : UINT64_MAX;
}

/**
 * inproc_host() - Host address of a range in one region
 * @ip:		transport
 * @gpa:	guest physical address
 * @len:	bytes
 *
 * Return: host pointer, NULL if the range is not inside one region
 */
void *inproc_host(struct inproc *ip, uint64_t gpa, uint64_t len)
{
	return gpa_to_host(&ip->mem, gpa, len);
}

/**
 * inproc_copy() - Copy between a buffer and guest RAM, across regions
 * @ip:		transport
 * @gpa:	guest address
 * @buf:	host buffer
 * @len:	bytes
 * @to_guest:	direction
 *
 * Return: false if part of the range is not guest RAM
 */
static bool inproc_copy(struct inproc *ip, uint64_t gpa, void *buf,
			uint64_t len, bool to_guest)
{
	uint8_t *p = buf;

	while (len) {
		const struct guest_memory_region *r = NULL;
		uint64_t chunk;
		uint8_t *host;

		for (unsigned int i = 0; i < ip->mem.nregions && !r; i++) {
			const struct guest_memory_region *c =
				&ip->mem.regions[i];

			if (gpa >= c->gpa && gpa - c->gpa < c->size)
				r = c;
		}
		if (!r)
			return false;
		chunk = r->gpa + r->size - gpa;
		if (chunk > len)
			chunk = len;
		host = (uint8_t *)r->host + (gpa - r->gpa);
		if (to_guest)
			memcpy(host, p, chunk);
		else
			memcpy(p, host, chunk);
		gpa += chunk;
		p += chunk;
		len -= chunk;
	}
	return true;
}

/**
 * inproc_write() - Copy a buffer into guest RAM
 * @ip:		transport
 * @gpa:	destination
 * @buf:	source
 * @len:	bytes
 *
 * Return: false if the range is not guest RAM
 */
bool inproc_write(struct inproc *ip, uint64_t gpa, const void *buf,
		  uint64_t len)
{
	return inproc_copy(ip, gpa, (void *)buf, len, true);
}

/**
 * inproc_read() - Copy guest RAM into a buffer
 * @ip:		transport
 * @gpa:	source
 * @buf:	destination
 * @len:	bytes
 *
 * Return: false if the range is not guest RAM
 */
bool inproc_read(struct inproc *ip, uint64_t gpa, void *buf, uint64_t len)
{
	return inproc_copy(ip, gpa, buf, len, false);
}

/**
 * inproc_add() - Add a chain to a queue without publishing it
 * @ip:		transport
 * @idx:	queue index
 * @out:	device-readable buffers
 * @out_n:	their number
 * @in:		device-writable buffers
 * @in_n:	their number
 * @token:	returned with the used entry
 *
 * Return: head index, -1 if the ring is full
 */
int inproc_add(struct inproc *ip, unsigned int idx, const struct vring_buf *out,
	       unsigned int out_n, const struct vring_buf *in,
	       unsigned int in_n, void *token)
{
	return vring_driver_add(&ip->queues[idx].drv, out, out_n, in, in_n,
				token);
}

/**
 * inproc_kick() - Publish added chains; kick if the device asked for it
 * @ip:		transport
 * @idx:	queue index
 */
void inproc_kick(struct inproc *ip, unsigned int idx)
{
	struct inproc_queue *q = &ip->queues[idx];

	if (vring_driver_publish(&q->drv))
		(void)eventfd_write(q->kick_fd, 1);
}

/**
 * inproc_get_used() - Collect the next used chain if there is one
 * @ip:		transport
 * @idx:	queue index
 * @len:	set to the used length
 *
 * Return: its token, NULL if none
 */
void *inproc_get_used(struct inproc *ip, unsigned int idx, uint32_t *len)
{
	return vring_driver_get_used(&ip->queues[idx].drv, len);
}

/**
 * inproc_now_ms() - Monotonic time
 *
 * Return: milliseconds
 */
static int64_t inproc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/**
 * inproc_wait_used() - Wait for the device to use a chain
 * @ip:		transport
 * @idx:	queue index
 * @len:	set to the used length
 * @timeout_ms:	longest wait
 *
 * Sleeps on the call eventfd only, so a device that forgets to notify makes
 * the test time out.
 *
 * Return: the token of the used chain, NULL on timeout
 */
void *inproc_wait_used(struct inproc *ip, unsigned int idx, uint32_t *len,
		       int timeout_ms)
{
	struct inproc_queue *q = &ip->queues[idx];
	int64_t deadline = inproc_now_ms() + timeout_ms;
	struct pollfd pfd = { .fd = q->call_fd, .events = POLLIN };
	eventfd_t cnt;

	for (;;) {
		void *token = vring_driver_get_used(&q->drv, len);
		int64_t left = deadline - inproc_now_ms();

		if (token)
			return token;
		if (left <= 0)
			return NULL;
		if (poll(&pfd, 1, (int)left) > 0)
			(void)eventfd_read(q->call_fd, &cnt);
	}
}

/**
 * inproc_wait_broken() - Wait for the device to signal the error eventfd
 * @ip:		transport
 * @idx:	queue index
 * @timeout_ms:	longest wait
 *
 * Return: true if err_fd was written (the count is not consumed)
 */
bool inproc_wait_broken(struct inproc *ip, unsigned int idx, int timeout_ms)
{
	struct pollfd pfd = { .fd = ip->queues[idx].err_fd, .events = POLLIN };

	return pfd.fd >= 0 && poll(&pfd, 1, timeout_ms) > 0;
}
