/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The common part of every VIRTIO device: features, reset, and one worker
 * thread per started queue.
 *
 * A worker sleeps in epoll_wait() on three kinds of fds: the queue's kick
 * eventfd, fds the device watches (completions of its I/O), and a control
 * eventfd through which the transport asks it to stop. Stopping is a drain:
 * the worker stops reading kicks, keeps dispatching the device's fds until no
 * request is in flight, and only then runs ops->queue_stop and exits, so the
 * transport can report a last_avail_idx that matches the used ring.
 *
 * Waking a sleeping thread costs far more than a request on a fast backing
 * (tens of microseconds when the CPU has to leave a halted state), so a worker
 * may poll instead of sleeping, as QEMU's aio_poll() does: after work it
 * busy-waits for a window (yielding its CPU to anything else runnable there),
 * looking at the avail ring with driver notifications off and at the device's
 * completions (ops->queue_poll). The window follows QEMU's adaptation: it is
 * left alone when work came within it, grows (4 us, then doubling up to
 * poll_max) when work came later but within poll_max, and drops to zero when
 * it came later than that. Before it sleeps, the worker turns
 * driver notifications back on and looks at the ring once more, so a buffer
 * published meanwhile is not left waiting for a kick that never comes.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "devices/virtio/virtio-device.h"
#include "util/log.h"

/* epoll tags: the control and kick fds, then watch i at WATCH_TAG + i */
#define CTL_TAG	  0
#define KICK_TAG  1
#define WATCH_TAG 2

/* epoll_wait() timeout when the driver will not kick (kick_fd == -1) */
#define POLL_INTERVAL_MS 1

/* Adaptive polling: first window, and its growth factor (QEMU's defaults) */
#define POLL_START_NS 4000
#define POLL_GROW     2

struct vq_watch {
	int fd;
	void (*cb)(struct virtqueue *vq, void *opaque);
	void *opaque;
};

struct vq_worker {
	pthread_t thread;
	int epfd;
	int ctl_fd;	   /* written by virtio_queue_stop() */
	bool kick_watched; /* kick_fd is in the epoll set */
	bool stopping;
	bool stop_requested;  /* atomic: ends a polling window early */
	uint64_t poll_max_ns; /* from dev->poll_max_us; 0: never poll */
	uint64_t poll_ns;     /* current polling window */
	struct vq_watch *watches;
	unsigned int nwatches;

	/* Result of ops->queue_start, handed to virtio_queue_start() */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool start_done;
	bool start_ok;
	struct error *start_err;
};

/**
 * virtio_device_init() - fill the common part of a device
 * @dev:		device, zeroed or not
 * @ops:		device operations
 * @num_queues:		virtqueues the device has, at least 1
 * @max_queue_size:	largest queue size accepted, 1..32768
 * @errp:		error on bad arguments or allocation failure
 *
 * Return: true on success
 */
bool virtio_device_init(struct virtio_device *dev,
			const struct virtio_device_ops *ops,
			unsigned int num_queues, unsigned int max_queue_size,
			struct error **errp)
{
	unsigned int i;

	if (!num_queues) {
		error_setg(errp, "%s: num_queues must be at least 1",
			   ops->name);
		return false;
	}
	if (!max_queue_size || max_queue_size > VIRTQUEUE_MAX_SIZE) {
		error_setg(errp, "%s: max_queue_size %u not in 1..%u",
			   ops->name, max_queue_size, VIRTQUEUE_MAX_SIZE);
		return false;
	}

	memset(dev, 0, sizeof(*dev));
	dev->vqs = calloc(num_queues, sizeof(*dev->vqs));
	if (!dev->vqs) {
		error_setg(errp, "%s: cannot allocate %u virtqueues", ops->name,
			   num_queues);
		return false;
	}
	dev->ops = ops;
	dev->num_queues = num_queues;
	dev->max_queue_size = max_queue_size;
	for (i = 0; i < num_queues; i++) {
		struct virtqueue *vq = &dev->vqs[i];

		vq->index = i;
		vq->dev = dev;
		vq->kick_fd = vq->call_fd = vq->err_fd = -1;
	}
	return true;
}

/**
 * stop_all_queues() - stop (drain) every running queue of @dev
 * @dev:	device
 */
static void stop_all_queues(struct virtio_device *dev)
{
	unsigned int i;

	for (i = 0; i < dev->num_queues; i++)
		virtio_queue_stop(dev, i);
}

/**
 * virtio_device_free() - stop all queues and release the device
 * @dev:	device; ops->free may free the memory holding it
 */
void virtio_device_free(struct virtio_device *dev)
{
	stop_all_queues(dev);
	free(dev->vqs);
	dev->vqs = NULL;
	dev->num_queues = 0;
	if (dev->ops->free)
		dev->ops->free(dev);
}

/**
 * format_bits() - list the numbers of the bits set in @bits
 * @bits:	bit mask
 * @buf:	output, e.g. "3, 29"
 * @size:	size of @buf (at least 4)
 */
static void format_bits(uint64_t bits, char *buf, size_t size)
{
	size_t n = 0;
	int bit;

	buf[0] = '\0';
	for (bit = 0; bit < 64 && n < size; bit++) {
		int m;

		if (!(bits & (1ULL << bit)))
			continue;
		m = snprintf(buf + n, size - n, "%s%d", n ? ", " : "", bit);
		if (m < 0 || (size_t)m >= size - n) {
			/* Truncated: end in an ellipsis */
			snprintf(buf + size - 4, 4, "...");
			return;
		}
		n += m;
	}
}

/**
 * virtio_device_set_features() - accept the driver's feature choice
 * @dev:	device
 * @features:	driver's choice
 * @errp:	error naming the bits that were not offered, or the device's
 *
 * Return: true if stored; on failure the previous features stay
 */
bool virtio_device_set_features(struct virtio_device *dev, uint64_t features,
				struct error **errp)
{
	uint64_t offered = dev->ops->get_features(dev);
	uint64_t old = dev->features;
	uint64_t extra = features & ~offered;

	if (extra) {
		char bits[256];

		format_bits(extra, bits, sizeof(bits));
		error_setg(errp,
			   "%s: features 0x%" PRIx64 " include bits not offered"
			   " (offer 0x%" PRIx64 "): %s",
			   dev->ops->name, features, offered, bits);
		return false;
	}

	dev->features = features;
	if (dev->ops->set_features &&
	    !dev->ops->set_features(dev, features, errp)) {
		dev->features = old;
		return false;
	}
	return true;
}

/**
 * virtio_device_reset() - bring the device back to its initial state
 * @dev:	device
 *
 * Queues are stopped (drained) and return to stopped + disabled with
 * last_avail_idx 0; their fds and ring addresses are the transport's.
 */
void virtio_device_reset(struct virtio_device *dev)
{
	unsigned int i;

	stop_all_queues(dev);
	for (i = 0; i < dev->num_queues; i++) {
		struct virtqueue *vq = &dev->vqs[i];

		vq->last_avail_idx = 0;
		vq->used_idx = 0;
		vq->enabled = false;
		vq->broken = false;
	}
	dev->features = 0;
	dev->status = 0;
	__atomic_store_n(&dev->needs_reset, false, __ATOMIC_RELAXED);
	if (dev->ops->reset)
		dev->ops->reset(dev);
}

/**
 * epoll_add() - watch @fd for input with @tag as data
 * @epfd:	epoll instance
 * @fd:		file descriptor
 * @tag:	value returned in epoll_event.data.u64
 *
 * Return: 0 on success, -errno on failure
 */
static int epoll_add(int epfd, int fd, uint64_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };

	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	return 0;
}

/**
 * drain_eventfd() - consume the counter of a readable eventfd
 * @fd:	eventfd
 */
static void drain_eventfd(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN && errno != EINTR)
		log_warn("cannot read eventfd %d: %s", fd, strerror(errno));
}

/**
 * worker_report_start() - hand ops->queue_start's result to the starter
 * @w:		worker
 * @ok:		result
 * @err:	error if !@ok (ownership passes)
 */
static void worker_report_start(struct vq_worker *w, bool ok, struct error *err)
{
	pthread_mutex_lock(&w->lock);
	w->start_done = true;
	w->start_ok = ok;
	w->start_err = err;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

/**
 * worker_kick() - let the device look at the ring, unless the queue broke
 * @vq:	virtqueue
 */
static void worker_kick(struct virtqueue *vq)
{
	if (vq->broken)
		return;
	vq->dev->ops->queue_kick(vq->dev, vq);
}

/**
 * worker_unwatch_kick() - stop waking up for the kick fd
 * @vq:	virtqueue
 */
static void worker_unwatch_kick(struct virtqueue *vq)
{
	struct vq_worker *w = vq->worker;

	if (!w->kick_watched)
		return;
	w->kick_watched = false;
	if (epoll_ctl(w->epfd, EPOLL_CTL_DEL, vq->kick_fd, NULL) < 0)
		log_warn("queue %u: cannot stop watching the kick fd: %s",
			 vq->index, strerror(errno));
}

/**
 * worker_stop_requested() - stop taking requests; keep completing them
 * @vq:	virtqueue
 */
static void worker_stop_requested(struct virtqueue *vq)
{
	struct vq_worker *w = vq->worker;

	drain_eventfd(w->ctl_fd);
	w->stopping = true;
	worker_unwatch_kick(vq);
}

/**
 * worker_take_kick() - consume a kick; give up on a kick fd that cannot kick
 * @vq:	virtqueue
 *
 * The front-end chose the kick fd. One that reads end-of-file (a pipe whose
 * writer is gone, a socket) or fails stays readable for ever: left in the
 * epoll set it would wake the worker in a loop. It is dropped and the queue
 * marked broken, so the front-end sees the error and can reset the device.
 *
 * Return: true if the kick was a real notification
 */
static bool worker_take_kick(struct virtqueue *vq)
{
	uint64_t v;
	ssize_t n;
	int err;

	n = read(vq->kick_fd, &v, sizeof(v));
	if (n == sizeof(v) || (n < 0 && (errno == EAGAIN || errno == EINTR)))
		return true;
	err = errno;
	worker_unwatch_kick(vq);
	vq_set_broken(vq, "queue %u: kick fd %d is not a usable eventfd (%s)",
		      vq->index, vq->kick_fd,
		      n < 0    ? strerror(err)
		      : n == 0 ? "end of file"
			       : "short read");
	return false;
}

/**
 * worker_dispatch() - handle one ready fd
 * @vq:		virtqueue
 * @tag:	epoll tag of the fd
 */
static void worker_dispatch(struct virtqueue *vq, uint64_t tag)
{
	struct vq_worker *w = vq->worker;

	if (tag == CTL_TAG) {
		worker_stop_requested(vq);
	} else if (tag == KICK_TAG) {
		if (w->stopping) /* an event fetched before the stop */
			return;
		if (!worker_take_kick(vq))
			return;
		__atomic_fetch_add(&vq->stats.kicks, 1, __ATOMIC_RELAXED);
		worker_kick(vq);
	} else if (tag - WATCH_TAG < w->nwatches) {
		struct vq_watch *watch = &w->watches[tag - WATCH_TAG];

		watch->cb(vq, watch->opaque);
	}
}

/**
 * now_ns() - monotonic time
 *
 * Return: CLOCK_MONOTONIC in nanoseconds
 */
static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/**
 * worker_kick_taken() - let the device look at the ring, see if it took any
 * @vq:	virtqueue
 *
 * A device may leave buffers on the ring (nothing to fill them with yet): that
 * is no progress, and must not keep the worker from sleeping.
 *
 * Return: true if the device popped buffers
 */
static bool worker_kick_taken(struct virtqueue *vq)
{
	uint16_t before = vq->last_avail_idx;

	worker_kick(vq);
	return vq->last_avail_idx != before;
}

/**
 * worker_poll_once() - do whatever work is there, without waiting
 * @vq:	virtqueue
 *
 * Return: true if the device took buffers or completed something
 */
static bool worker_poll_once(struct virtqueue *vq)
{
	struct virtio_device *dev = vq->dev;
	bool progress = false;

	if (vq_available(vq) && worker_kick_taken(vq))
		progress = true;
	if (dev->ops->queue_poll && dev->ops->queue_poll(dev, vq))
		progress = true;
	return progress;
}

/**
 * worker_poll() - busy-wait for work for at most the current window
 * @vq:	virtqueue
 *
 * Driver notifications are turned off first: while we watch the ring
 * ourselves, a kick would only cost the driver a system call and us a wake-up.
 * Between looks the worker yields its CPU: whatever else is runnable there (the
 * driver's vCPU, the kernel's I/O workers completing our requests) runs at
 * once instead of waiting for the window to end, and with nothing else to run
 * sched_yield() returns right away.
 *
 * Return: true if work was found (and done) within the window
 */
static bool worker_poll(struct virtqueue *vq)
{
	struct vq_worker *w = vq->worker;
	uint64_t deadline;

	if (!w->poll_ns || w->stopping || vq->broken)
		return false;
	vq_disable_notification(vq);
	deadline = now_ns() + w->poll_ns;
	do {
		if (worker_poll_once(vq))
			return true;
		sched_yield();
	} while (now_ns() < deadline &&
		 !__atomic_load_n(&w->stop_requested, __ATOMIC_RELAXED));
	return false;
}

/**
 * worker_arm() - before sleeping: ask the driver to kick again
 * @vq:	virtqueue
 *
 * Return: true if buffers were published while notifications were off and
 * the device took them: the worker must look for more instead of sleeping
 */
static bool worker_arm(struct virtqueue *vq)
{
	if (!vq->notify_disabled || vq->worker->stopping)
		return false;
	if (!vq_enable_notification(vq))
		return false;
	return worker_kick_taken(vq);
}

/**
 * worker_adjust_poll() - adapt the polling window to when work came
 * @w:		worker with polling enabled
 * @block_ns:	time from the start of polling until an fd fired
 */
static void worker_adjust_poll(struct vq_worker *w, uint64_t block_ns)
{
	if (block_ns <= w->poll_ns)
		return; /* came within the window: keep it */
	if (block_ns > w->poll_max_ns) {
		/* Polling long enough would cost more than sleeping */
		w->poll_ns = 0;
	} else if (w->poll_ns < w->poll_max_ns) {
		/* A little more polling would have caught it */
		w->poll_ns =
			w->poll_ns ? w->poll_ns * POLL_GROW : POLL_START_NS;
		if (w->poll_ns > w->poll_max_ns)
			w->poll_ns = w->poll_max_ns;
	}
}

/**
 * worker_loop() - serve kicks and device fds until a stop has drained
 * @vq:	virtqueue
 */
static void worker_loop(struct virtqueue *vq)
{
	struct vq_worker *w = vq->worker;
	struct epoll_event events[16];

	for (;;) {
		bool ticking = vq->kick_fd < 0 && !w->stopping;
		int timeout = ticking ? POLL_INTERVAL_MS : -1;
		uint64_t start = 0;
		int n, i;

		if (w->stopping && !vq->inflight)
			return;

		if (w->poll_max_ns)
			start = now_ns();
		/* Work found: only collect fds that are ready anyway */
		if (worker_poll(vq) || worker_arm(vq))
			timeout = 0;
		n = epoll_wait(w->epfd, events, 16, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_err("queue %u: epoll_wait: %s", vq->index,
				strerror(errno));
			return;
		}
		if (w->poll_max_ns && timeout)
			worker_adjust_poll(w, now_ns() - start);
		for (i = 0; i < n; i++)
			worker_dispatch(vq, events[i].data.u64);
		if (ticking && !w->stopping && vq_available(vq))
			worker_kick(vq);
	}
}

/**
 * worker_thread() - body of a queue's worker thread
 * @opaque:	the virtqueue
 *
 * Return: NULL
 */
static void *worker_thread(void *opaque)
{
	struct virtqueue *vq = opaque;
	struct virtio_device *dev = vq->dev;
	struct vq_worker *w = vq->worker;
	struct error *err = NULL;
	char name[16];
	int rc;

	/* Named here, before any device hook runs on it: "vq<N>" in tools */
	snprintf(name, sizeof(name), "vq%u", vq->index);
	pthread_setname_np(pthread_self(), name);

	if (dev->ops->queue_start && !dev->ops->queue_start(dev, vq, &err)) {
		worker_report_start(w, false, err);
		return NULL;
	}
	if (vq->kick_fd >= 0) {
		rc = epoll_add(w->epfd, vq->kick_fd, KICK_TAG);
		w->kick_watched = rc == 0;
		if (rc < 0) {
			error_setg_errno(&err, -rc,
					 "queue %u: cannot watch kick fd %d",
					 vq->index, vq->kick_fd);
			if (dev->ops->queue_stop)
				dev->ops->queue_stop(dev, vq);
			worker_report_start(w, false, err);
			return NULL;
		}
	}
	worker_report_start(w, true, NULL);

	/* The ring may already hold buffers: the driver kicked before */
	worker_kick(vq);
	worker_loop(vq);

	/* Stopped while polling: leave the ring asking for kicks again */
	if (vq->notify_disabled)
		vq_enable_notification(vq);
	if (dev->ops->queue_stop)
		dev->ops->queue_stop(dev, vq);
	return NULL;
}

/**
 * worker_free() - close and free what worker_new() created
 * @w:	worker, may be NULL
 */
static void worker_free(struct vq_worker *w)
{
	if (!w)
		return;
	if (w->epfd >= 0)
		close(w->epfd);
	if (w->ctl_fd >= 0)
		close(w->ctl_fd);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w->watches);
	free(w);
}

/**
 * worker_new() - create the epoll instance and control eventfd of a worker
 * @vq:		virtqueue, for messages
 * @errp:	error on failure
 *
 * Return: the worker, NULL on failure
 */
static struct vq_worker *worker_new(const struct virtqueue *vq,
				    struct error **errp)
{
	struct vq_worker *w = calloc(1, sizeof(*w));
	int rc;

	if (!w) {
		error_setg(errp, "queue %u: cannot allocate a worker",
			   vq->index);
		return NULL;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->ctl_fd = -1;
	w->poll_max_ns = (uint64_t)vq->dev->poll_max_us * 1000;
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (w->epfd < 0) {
		error_setg_errno(errp, errno, "queue %u: epoll_create1",
				 vq->index);
		goto fail;
	}
	w->ctl_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->ctl_fd < 0) {
		error_setg_errno(errp, errno, "queue %u: eventfd", vq->index);
		goto fail;
	}
	rc = epoll_add(w->epfd, w->ctl_fd, CTL_TAG);
	if (rc < 0) {
		error_setg_errno(errp, -rc, "queue %u: epoll_ctl", vq->index);
		goto fail;
	}
	return w;

fail:
	worker_free(w);
	return NULL;
}

/**
 * wait_start() - wait for the worker to report ops->queue_start's result
 * @w:		worker
 * @errp:	the device's error if it failed
 *
 * Return: true if the queue started
 */
static bool wait_start(struct vq_worker *w, struct error **errp)
{
	bool ok;

	pthread_mutex_lock(&w->lock);
	while (!w->start_done)
		pthread_cond_wait(&w->cond, &w->lock);
	ok = w->start_ok;
	pthread_mutex_unlock(&w->lock);
	if (!ok)
		error_propagate(errp, w->start_err);
	w->start_err = NULL;
	return ok;
}

/**
 * virtio_queue_start() - set up a queue and start its worker thread
 * @dev:	device
 * @idx:	queue index
 * @errp:	error from vq_setup(), thread creation or ops->queue_start
 *
 * Return: true if the worker runs
 */
bool virtio_queue_start(struct virtio_device *dev, unsigned int idx,
			struct error **errp)
{
	struct virtqueue *vq;
	int rc;

	if (idx >= dev->num_queues) {
		error_setg(errp, "%s: queue %u does not exist (%u queues)",
			   dev->ops->name, idx, dev->num_queues);
		return false;
	}
	vq = &dev->vqs[idx];
	if (vq->worker) {
		error_setg(errp, "%s: queue %u is already running",
			   dev->ops->name, idx);
		return false;
	}

	vq->dev = dev;
	vq->index = idx;
	vq->event_idx = dev->features & (1ULL << VIRTIO_RING_F_EVENT_IDX);
	vq->indirect = dev->features & (1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	if (!vq_setup(vq, errp))
		return false;

	vq->worker = worker_new(vq, errp);
	if (!vq->worker)
		goto fail;
	rc = pthread_create(&vq->worker->thread, NULL, worker_thread, vq);
	if (rc) {
		error_setg_errno(errp, rc, "%s: queue %u: cannot start thread",
				 dev->ops->name, idx);
		goto fail;
	}
	if (!wait_start(vq->worker, errp)) {
		pthread_join(vq->worker->thread, NULL);
		error_prepend(errp, "%s: queue %u: ", dev->ops->name, idx);
		goto fail;
	}
	return true;

fail:
	worker_free(vq->worker);
	vq->worker = NULL;
	vq_teardown(vq);
	return false;
}

/**
 * virtio_queue_stop() - drain a queue and join its worker
 * @dev:	device
 * @idx:	queue index; a stopped or nonexistent queue is left alone
 *
 * Returns once every request in flight completed; last_avail_idx then tells
 * where to resume.
 */
void virtio_queue_stop(struct virtio_device *dev, unsigned int idx)
{
	static const uint64_t one = 1;
	struct virtqueue *vq;

	if (idx >= dev->num_queues || !dev->vqs[idx].worker)
		return;
	vq = &dev->vqs[idx];

	__atomic_store_n(&vq->worker->stop_requested, true, __ATOMIC_RELAXED);
	if (write(vq->worker->ctl_fd, &one, sizeof(one)) < 0)
		log_err("%s: queue %u: cannot signal the worker: %s",
			dev->ops->name, idx, strerror(errno));
	pthread_join(vq->worker->thread, NULL);
	worker_free(vq->worker);
	vq->worker = NULL;
	vq_teardown(vq);
}

/**
 * virtio_queue_running() - whether the queue has a worker
 * @dev:	device
 * @idx:	queue index
 *
 * Return: true between a successful virtio_queue_start() and the stop
 */
bool virtio_queue_running(const struct virtio_device *dev, unsigned int idx)
{
	return idx < dev->num_queues && dev->vqs[idx].worker;
}

/**
 * virtio_queue_watch() - dispatch @cb on the worker when @fd is readable
 * @vq:		virtqueue, from its ops->queue_start
 * @fd:		file descriptor, owned by the device
 * @cb:		callback, run on the worker thread
 * @opaque:	passed to @cb
 * @errp:	error on failure
 *
 * Return: true if watched (until the worker exits)
 */
bool virtio_queue_watch(struct virtqueue *vq, int fd,
			void (*cb)(struct virtqueue *vq, void *opaque),
			void *opaque, struct error **errp)
{
	struct vq_worker *w = vq->worker;
	struct vq_watch *watches;
	int rc;

	if (!w) {
		error_setg(errp, "queue %u: watch of fd %d on a stopped queue",
			   vq->index, fd);
		return false;
	}
	watches = realloc(w->watches, (w->nwatches + 1) * sizeof(*watches));
	if (!watches) {
		error_setg(errp, "queue %u: cannot allocate a watch",
			   vq->index);
		return false;
	}
	w->watches = watches;
	rc = epoll_add(w->epfd, fd, WATCH_TAG + w->nwatches);
	if (rc < 0) {
		error_setg_errno(errp, -rc, "queue %u: cannot watch fd %d",
				 vq->index, fd);
		return false;
	}
	watches[w->nwatches++] = (struct vq_watch){ fd, cb, opaque };
	return true;
}

/**
 * virtio_device_config_changed() - ask the transport to notify the driver
 * @dev:	device
 */
void virtio_device_config_changed(struct virtio_device *dev)
{
	if (dev->config_notify)
		dev->config_notify(dev, dev->transport_opaque);
}
