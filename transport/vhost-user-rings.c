/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vhost-user ring set-up: the SET/GET_VRING_* requests and when a queue runs.
 *
 * The front-end configures a ring piece by piece (size, addresses, base, kick,
 * call, enable), in an order that differs between front-ends and across
 * reconnects. We keep what it said in struct vu_ring and derive one decision
 * from it: a queue runs iff guest memory is mapped, size and addresses are set
 * and translate into that memory, a kick was received (fd or NOFD), the ring is
 * enabled and the device does not need a reset. Any change to a running ring
 * stops it first (which drains its requests), then the decision is made again.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <unistd.h>

#include "devices/virtio/virtio-ring.h"
#include "transport/vhost-user-session.h"
#include "util/log.h"

/* Host addresses of one ring's three parts */
struct vu_ring_map {
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
};

/**
 * vu_close_fd() - Close an fd slot and mark it empty
 * @fd:		the slot; nothing happens if it is -1
 */
static void vu_close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/**
 * vu_ring_init() - Initial state of a ring: nothing set, stopped, disabled
 * @ring:	the ring
 */
void vu_ring_init(struct vu_ring *ring)
{
	*ring = (struct vu_ring){
		.kick_fd = -1,
		.call_fd = -1,
		.err_fd = -1,
	};
}

/**
 * vu_translate_part() - Translate one part of a ring and check its alignment
 * @mem:	guest memory
 * @what:	field name for the error ("desc_user_addr", ...)
 * @uva:	front-end virtual address of the part
 * @len:	its size for the ring size in use
 * @align:	alignment VIRTIO requires for it
 * @errp:	set if the part is not mapped in full or misaligned
 *
 * Return: host address, or NULL
 */
static void *vu_translate_part(const struct guest_memory *mem, const char *what,
			       uint64_t uva, uint64_t len, uint64_t align,
			       struct error **errp)
{
	void *host = uva_to_host(mem, uva, len);

	if (!host) {
		error_setg(errp,
			   "%s 0x%" PRIx64 ": %" PRIu64
			   " bytes not in mapped memory",
			   what, uva, len);
		return NULL;
	}
	if ((uintptr_t)host % align || uva % align) {
		error_setg(errp,
			   "%s 0x%" PRIx64 ": not %" PRIu64 "-byte aligned",
			   what, uva, align);
		return NULL;
	}
	return host;
}

/**
 * vu_ring_translate() - Translate a ring's addresses for a given size
 * @s:		session (its guest memory)
 * @ring:	ring whose UVAs are used
 * @num:	queue size the parts must hold
 * @map:	host addresses, filled on success
 * @errp:	set if memory is not mapped or a part does not fit in it
 *
 * Return: true if all three parts lie in mapped memory, properly aligned
 */
static bool vu_ring_translate(const struct vu_session *s,
			      const struct vu_ring *ring, unsigned int num,
			      struct vu_ring_map *map, struct error **errp)
{
	if (!s->mem || !s->mem->nregions) {
		error_setg(errp, "no guest memory mapped");
		return false;
	}
	map->desc = vu_translate_part(s->mem, "desc_user_addr", ring->desc_uva,
				      VRING_DESC_TABLE_SIZE(num), 16, errp);
	if (!map->desc)
		return false;
	map->avail =
		vu_translate_part(s->mem, "avail_user_addr", ring->avail_uva,
				  VRING_AVAIL_SIZE(num), 2, errp);
	if (!map->avail)
		return false;
	map->used = vu_translate_part(s->mem, "used_user_addr", ring->used_uva,
				      VRING_USED_SIZE(num), 4, errp);
	return map->used != NULL;
}

/**
 * vu_ring_stop() - Stop a running queue, draining it, and keep its base
 * @s:		session
 * @idx:	queue index
 */
static void vu_ring_stop(struct vu_session *s, unsigned int idx)
{
	struct virtio_device *dev = s->dev;

	if (!virtio_queue_running(dev, idx))
		return;
	virtio_queue_stop(dev, idx);
	s->rings[idx].base = dev->vqs[idx].last_avail_idx;
	log_debug("queue %u: stopped at avail index %u", idx,
		  s->rings[idx].base);
}

/**
 * vu_ring_start() - Hand a ring's configuration to its virtqueue and start it
 * @s:		session
 * @idx:	queue index
 * @map:	translated ring addresses
 * @errp:	set if the core refuses to start the queue
 *
 * Return: true if the queue runs
 */
static bool vu_ring_start(struct vu_session *s, unsigned int idx,
			  const struct vu_ring_map *map, struct error **errp)
{
	struct vu_ring *ring = &s->rings[idx];
	struct virtqueue *vq = &s->dev->vqs[idx];

	vq->index = idx;
	vq->num = ring->num;
	vq->desc = map->desc;
	vq->avail = map->avail;
	vq->used = map->used;
	/* Read by queries on other threads */
	__atomic_store_n(&vq->last_avail_idx, ring->base, __ATOMIC_RELAXED);
	vq->mem = s->mem;
	vq->kick_fd = ring->kick_fd;
	vq->call_fd = ring->call_fd;
	vq->err_fd = ring->err_fd;
	vq->enabled = ring->enabled;
	if (!virtio_queue_start(s->dev, idx, errp)) {
		error_prepend(errp, "queue %u: not started: ", idx);
		return false;
	}
	log_debug("queue %u: started at avail index %u, size %u", idx,
		  ring->base, ring->num);
	return true;
}

/**
 * vu_ring_update() - Start or stop a queue as its ring state now says
 * @s:		session
 * @idx:	queue index
 * @errp:	set if the queue should run but could not be started
 *
 * A running queue is left alone if it should keep running: callers that
 * change its configuration stop it first.
 *
 * Return: false only if starting the queue failed
 */
bool vu_ring_update(struct vu_session *s, unsigned int idx, struct error **errp)
{
	struct vu_ring *ring = &s->rings[idx];
	struct error *err = NULL;
	struct vu_ring_map map;
	bool run;

	run = ring->num && ring->addr_set && ring->started && ring->enabled &&
	      !__atomic_load_n(&s->dev->needs_reset, __ATOMIC_ACQUIRE);
	if (run && !vu_ring_translate(s, ring, ring->num, &map, &err)) {
		/* Memory changed under the ring: wait for new addresses */
		log_warn("queue %u: not started: %s", idx,
			 error_get_pretty(err));
		error_free(err);
		run = false;
	}
	if (virtio_queue_running(s->dev, idx)) {
		if (!run)
			vu_ring_stop(s, idx);
		return true;
	}
	return run ? vu_ring_start(s, idx, &map, errp) : true;
}

/**
 * vu_rings_stop_all() - Stop every running queue (memory or features change)
 * @s:		session
 */
void vu_rings_stop_all(struct vu_session *s)
{
	unsigned int i;

	for (i = 0; i < s->dev->num_queues; i++)
		vu_ring_stop(s, i);
}

/**
 * vu_rings_update_all() - Start or stop every queue as its state says
 * @s:		session
 * @errp:	set (first failure) if a queue could not be started
 *
 * Return: true if every queue that should run does
 */
bool vu_rings_update_all(struct vu_session *s, struct error **errp)
{
	bool ok = true;
	unsigned int i;

	for (i = 0; i < s->dev->num_queues; i++)
		ok &= vu_ring_update(s, i, errp);
	return ok;
}

/**
 * vu_ring_forget() - Stop a queue and drop everything the front-end set up
 * @s:		session
 * @idx:	queue index
 */
void vu_ring_forget(struct vu_session *s, unsigned int idx)
{
	struct vu_ring *ring = &s->rings[idx];
	struct virtqueue *vq = &s->dev->vqs[idx];

	vu_ring_stop(s, idx);
	vu_close_fd(&ring->kick_fd);
	vu_close_fd(&ring->call_fd);
	vu_close_fd(&ring->err_fd);
	vu_ring_init(ring);
	vq->kick_fd = vq->call_fd = vq->err_fd = -1;
}

/**
 * vu_result_of_update() - Turn the outcome of a queue update into a result
 * @ok:		what vu_ring_update() returned
 *
 * A queue that cannot start is refused (REPLY_ACK reports it); the session
 * goes on.
 *
 * Return: VU_OK or VU_FAILED
 */
static enum vu_result vu_result_of_update(bool ok)
{
	return ok ? VU_OK : VU_FAILED;
}

/**
 * vu_handle_set_vring_num() - SET_VRING_NUM: queue size
 * @s:		session
 * @msg:	request (state: index, size)
 * @errp:	set if the size is not a power of two up to the device's
 *		maximum, or the queue could not be restarted
 *
 * The size is not checked against the ring addresses we hold: front-ends
 * (QEMU) send it before SET_VRING_ADDR when a ring starts, so those addresses
 * may still be the previous driver's, laid out for another size. A ring whose
 * parts do not fit simply does not run (vu_ring_update()) until new
 * addresses come.
 *
 * Return: VU_OK, VU_FAILED or VU_VIOLATION
 */
enum vu_result vu_handle_set_vring_num(struct vu_session *s,
				       struct vhost_user_msg *msg,
				       struct error **errp)
{
	unsigned int idx = msg->payload.state.index;
	uint32_t num = msg->payload.state.num;
	struct vu_ring *ring = &s->rings[idx];
	unsigned int max = s->dev->max_queue_size;

	if (max > VIRTQUEUE_MAX_SIZE)
		max = VIRTQUEUE_MAX_SIZE;
	if (!num || (num & (num - 1))) {
		error_setg(errp, "queue %u: size %u is not a power of two", idx,
			   num);
		return VU_VIOLATION;
	}
	if (num > max) {
		error_setg(errp, "queue %u: size %u exceeds the maximum %u",
			   idx, num, max);
		return VU_VIOLATION;
	}
	vu_ring_stop(s, idx);
	ring->num = num;
	return vu_result_of_update(vu_ring_update(s, idx, errp));
}

/**
 * vu_handle_set_vring_addr() - SET_VRING_ADDR: where the ring parts are
 * @s:		session
 * @msg:	request (vring address, UVAs)
 * @errp:	set if flags are not 0, the size is unknown yet, or a part does
 *		not lie in mapped memory with the full ring size
 *
 * Return: VU_OK, VU_FAILED or VU_VIOLATION
 */
enum vu_result vu_handle_set_vring_addr(struct vu_session *s,
					struct vhost_user_msg *msg,
					struct error **errp)
{
	const struct vhost_vring_addr *a = &msg->payload.addr;
	unsigned int idx = a->index;
	struct vu_ring *ring = &s->rings[idx];
	struct vu_ring next = *ring;
	struct vu_ring_map map;

	if (a->flags & (1u << VHOST_VRING_F_LOG)) {
		error_setg(errp,
			   "queue %u: flags 0x%x: VHOST_VRING_F_LOG set, but "
			   "LOG_ALL is never offered",
			   idx, a->flags);
		return VU_VIOLATION;
	}
	if (a->flags) {
		error_setg(errp, "queue %u: flags 0x%x: unknown bits", idx,
			   a->flags);
		return VU_VIOLATION;
	}
	if (!ring->num) {
		error_setg(errp, "queue %u: size not set (SET_VRING_NUM first)",
			   idx);
		return VU_VIOLATION;
	}
	next.desc_uva = a->desc_user_addr;
	next.avail_uva = a->avail_user_addr;
	next.used_uva = a->used_user_addr;
	next.addr_set = true;
	if (!vu_ring_translate(s, &next, next.num, &map, errp)) {
		error_prepend(errp, "queue %u: ", idx);
		return VU_VIOLATION;
	}
	vu_ring_stop(s, idx);
	next.base = ring->base;
	*ring = next;
	return vu_result_of_update(vu_ring_update(s, idx, errp));
}

/**
 * vu_handle_set_vring_base() - SET_VRING_BASE: next avail index to process
 * @s:		session
 * @msg:	request (state: index, base)
 * @errp:	set if the reserved bits 16-31 of a split ring base are used
 *
 * Return: VU_OK, VU_FAILED or VU_VIOLATION
 */
enum vu_result vu_handle_set_vring_base(struct vu_session *s,
					struct vhost_user_msg *msg,
					struct error **errp)
{
	unsigned int idx = msg->payload.state.index;
	uint32_t num = msg->payload.state.num;

	if (num > UINT16_MAX) {
		error_setg(errp,
			   "queue %u: num 0x%x: bits 16-31 must be 0 for a "
			   "split ring",
			   idx, num);
		return VU_VIOLATION;
	}
	vu_ring_stop(s, idx);
	s->rings[idx].base = num;
	return vu_result_of_update(vu_ring_update(s, idx, errp));
}

/**
 * vu_handle_get_vring_base() - GET_VRING_BASE: stop the ring, report its base
 * @s:		session
 * @msg:	request (state: index); the reply {index, base} is put here
 * @errp:	unused, the request cannot fail once checked
 *
 * The queue drains before the reply, so the front-end sees no more used
 * entries afterwards. Its kick fd is closed: QEMU sends a new one to restart.
 *
 * Return: VU_OK
 */
enum vu_result vu_handle_get_vring_base(struct vu_session *s,
					struct vhost_user_msg *msg,
					struct error **errp)
{
	unsigned int idx = msg->payload.state.index;
	struct vu_ring *ring = &s->rings[idx];

	vu_ring_stop(s, idx);
	vu_close_fd(&ring->kick_fd);
	s->dev->vqs[idx].kick_fd = -1;
	ring->started = false;
	msg->payload.state.num = ring->base;
	msg->hdr.size = sizeof(msg->payload.state);
	return VU_OK;
}

/* Which eventfd of a ring a request sets */
enum vu_ring_fd {
	VU_RING_KICK,
	VU_RING_CALL,
	VU_RING_ERR,
};

/**
 * vu_set_nonblock() - Make a ring eventfd from the front-end non-blocking
 * @fd:		the eventfd (or pipe)
 * @errp:	set if its flags cannot be changed
 *
 * The worker reads kicks and writes calls and errors on its own thread, and
 * stopping a queue waits for that thread. In blocking mode a front-end could
 * park it for good: by reading a kick away before we do (or sharing one fd
 * between rings), or by filling the counter of the call eventfd. The flag is
 * on the open file, which the front-end shares: QEMU's notifiers are
 * non-blocking anyway.
 *
 * Return: true if @fd is non-blocking now
 */
static bool vu_set_nonblock(int fd, struct error **errp)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		error_setg_errno(errp, errno, "fd %d: cannot set O_NONBLOCK",
				 fd);
		return false;
	}
	return true;
}

/**
 * vu_check_fd_direction() - Refuse a ring fd open the wrong way round
 * @fd:		the fd (or pipe end) from the front-end
 * @which:	what it is for
 * @errp:	set if a kick fd is not readable or a call or error fd not
 *		writable
 *
 * Such an fd could never notify: the worker would wait on a write-only kick
 * fd in vain (or be woken by its errors for ever), and every call would fail.
 *
 * Return: true if the fd is open in the direction it is used
 */
static bool vu_check_fd_direction(int fd, enum vu_ring_fd which,
				  struct error **errp)
{
	static const char *const names[] = {
		[VU_RING_KICK] = "kick",
		[VU_RING_CALL] = "call",
		[VU_RING_ERR] = "error",
	};
	int flags = fcntl(fd, F_GETFL);
	int mode = flags & O_ACCMODE;

	if (flags < 0) {
		error_setg_errno(errp, errno, "%s fd %d", names[which], fd);
		return false;
	}
	if (which == VU_RING_KICK && mode == O_WRONLY) {
		error_setg(errp, "kick fd %d is not open for reading", fd);
		return false;
	}
	if (which != VU_RING_KICK && mode == O_RDONLY) {
		error_setg(errp, "%s fd %d is not open for writing",
			   names[which], fd);
		return false;
	}
	return true;
}

/**
 * vu_set_vring_fd() - Replace one of a ring's eventfds
 * @s:		session
 * @msg:	SET_VRING_KICK/CALL/ERR request (u64: index, NOFD bit; fd)
 * @which:	the eventfd the request sets
 * @errp:	set if the fd is unusable or the queue could not be restarted
 *
 * A running queue is stopped (drained) for the swap, so the worker never
 * uses a closed fd, then restarted.
 *
 * Return: VU_OK, VU_FAILED, or VU_VIOLATION for an fd that cannot be made
 * non-blocking or is open in the wrong direction
 */
static enum vu_result vu_set_vring_fd(struct vu_session *s,
				      struct vhost_user_msg *msg,
				      enum vu_ring_fd which,
				      struct error **errp)
{
	unsigned int idx = msg->payload.u64 & VHOST_USER_VRING_IDX_MASK;
	bool nofd = msg->payload.u64 & VHOST_USER_VRING_NOFD_MASK;
	struct vu_ring *ring = &s->rings[idx];
	int *fdp;

	if (!nofd && (!vu_set_nonblock(msg->fds[0], errp) ||
		      !vu_check_fd_direction(msg->fds[0], which, errp))) {
		error_prepend(errp, "queue %u: ", idx);
		return VU_VIOLATION;
	}

	switch (which) {
	case VU_RING_KICK:
		fdp = &ring->kick_fd;
		break;
	case VU_RING_CALL:
		fdp = &ring->call_fd;
		break;
	default:
		fdp = &ring->err_fd;
		break;
	}
	vu_ring_stop(s, idx);
	vu_close_fd(fdp);
	if (!nofd) {
		*fdp = msg->fds[0];
		msg->fds[0] = -1;
	}
	if (which == VU_RING_KICK)
		ring->started = true;
	return vu_result_of_update(vu_ring_update(s, idx, errp));
}

/**
 * vu_handle_set_vring_kick() - SET_VRING_KICK: kick eventfd; starts the ring
 * @s:		session
 * @msg:	request (u64: index, NOFD bit; 0 or 1 fd)
 * @errp:	set if the queue could not be started
 *
 * Return: VU_OK or VU_FAILED
 */
enum vu_result vu_handle_set_vring_kick(struct vu_session *s,
					struct vhost_user_msg *msg,
					struct error **errp)
{
	return vu_set_vring_fd(s, msg, VU_RING_KICK, errp);
}

/**
 * vu_handle_set_vring_call() - SET_VRING_CALL: eventfd to notify the driver
 * @s:		session
 * @msg:	request (u64: index, NOFD bit; 0 or 1 fd)
 * @errp:	set if the queue could not be restarted
 *
 * Return: VU_OK or VU_FAILED
 */
enum vu_result vu_handle_set_vring_call(struct vu_session *s,
					struct vhost_user_msg *msg,
					struct error **errp)
{
	return vu_set_vring_fd(s, msg, VU_RING_CALL, errp);
}

/**
 * vu_handle_set_vring_err() - SET_VRING_ERR: eventfd to signal a broken ring
 * @s:		session
 * @msg:	request (u64: index, NOFD bit; 0 or 1 fd)
 * @errp:	set if the queue could not be restarted
 *
 * Return: VU_OK or VU_FAILED
 */
enum vu_result vu_handle_set_vring_err(struct vu_session *s,
				       struct vhost_user_msg *msg,
				       struct error **errp)
{
	return vu_set_vring_fd(s, msg, VU_RING_ERR, errp);
}

/**
 * vu_handle_set_vring_enable() - SET_VRING_ENABLE: allow or stop processing
 * @s:		session
 * @msg:	request (state: index, 0 or 1)
 * @errp:	set if num is not 0 or 1, or the queue could not be started
 *
 * Return: VU_OK, VU_FAILED or VU_VIOLATION
 */
enum vu_result vu_handle_set_vring_enable(struct vu_session *s,
					  struct vhost_user_msg *msg,
					  struct error **errp)
{
	unsigned int idx = msg->payload.state.index;
	uint32_t num = msg->payload.state.num;

	if (num > 1) {
		error_setg(errp, "queue %u: num %u must be 0 or 1", idx, num);
		return VU_VIOLATION;
	}
	s->rings[idx].enabled = num;
	return vu_result_of_update(vu_ring_update(s, idx, errp));
}
