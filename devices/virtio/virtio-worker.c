/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Queue worker threads: where every device hook runs.
 *
 * A worker serves the started queues of one group (by default a group is one
 * queue; a device may group queues, e.g. a network pair's receive and
 * transmit queues). It sleeps in epoll_wait() on the queues' kick eventfds,
 * fds the device watches (completions of its I/O, a host socket) and a
 * control eventfd through which the transport starts and stops queues and
 * other threads wake queues. Stopping a queue is a drain: the worker stops
 * reading its kicks, keeps dispatching the device's fds until none of its
 * requests is in flight, and only then runs ops->queue_stop and lets it go,
 * so the transport can report a last_avail_idx that matches the used ring.
 * The thread ends with the last queue of its group.
 *
 * Waking a sleeping thread costs far more than a request on a fast backing
 * (tens of microseconds when the CPU has to leave a halted state), so a worker
 * may poll instead of sleeping, as QEMU's aio_poll() does: after work it
 * busy-waits for a window (yielding its CPU to anything else runnable there),
 * looking at the avail rings with driver notifications off and at the
 * device's completions (ops->queue_poll). The window follows QEMU's
 * adaptation: it is left alone when work came within it, grows (4 us, then
 * doubling up to poll_max) when work came later but within poll_max, and
 * drops to zero when it came later than that. Before it sleeps, the worker
 * turns driver notifications back on and looks at the rings once more, so a
 * buffer published meanwhile is not left waiting for a kick that never comes.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
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

/* epoll tags: the control fd, kick fd of queue i, watch slot i */
#define CTL_TAG	   0
#define KICK_TAG   (1ULL << 32)
#define WATCH_TAG  (2ULL << 32)
#define TAG_KIND   (~0ULL << 32)
#define TAG_NUMBER (~TAG_KIND)

/* epoll_wait() timeout when the driver will not kick (kick_fd == -1) */
#define POLL_INTERVAL_MS 1

/* Adaptive polling: first window, and its growth factor (QEMU's defaults) */
#define POLL_START_NS 4000
#define POLL_GROW     2
/*
 * Empty rounds between sched_yield() calls: often enough that a thread
 * sharing the CPU (a vCPU, an I/O worker) runs within microseconds, rarely
 * enough that the system call does not delay noticing new work.
 */
#define POLL_ROUNDS_PER_YIELD 16

#define MAX_EVENTS 32

struct vq_watch {
	int fd;		      /* -1: free slot */
	struct virtqueue *vq; /* owner: the watch ends when it stops */
	void (*cb)(struct virtqueue *vq, void *opaque);
	void (*cb_events)(struct virtqueue *vq, uint32_t revents, void *opaque);
	void *opaque;
};

enum worker_cmd {
	CMD_NONE,
	CMD_START, /* run ops->queue_start for cmd_vq, then serve it */
	CMD_STOP,  /* drain cmd_vq, run ops->queue_stop, let it go */
	CMD_EXIT,  /* no queue left: end the thread */
};

struct vq_worker {
	pthread_t thread;
	struct virtio_device *dev;
	unsigned int group;
	int epfd;
	int ctl_fd;
	struct virtqueue **queues; /* served, [0..nqueues) */
	unsigned int nqueues;
	struct vq_watch *watches;
	unsigned int nwatches; /* slots, some may be free */
	uint64_t poll_max_ns;  /* from dev->poll_max_us; 0: never poll */
	uint64_t poll_ns;      /* current polling window */
	bool exit;

	/*
	 * One command at a time, from the thread that starts and stops
	 * queues; stop_requested (atomic) ends a polling window early.
	 */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum worker_cmd cmd;
	struct virtqueue *cmd_vq;
	bool cmd_taken;
	bool cmd_done;
	bool cmd_ok;
	struct error *cmd_err;
	bool stop_requested;
};

/**
 * epoll_set() - add or modify @fd in an epoll set
 * @epfd:	epoll instance
 * @op:		EPOLL_CTL_ADD or EPOLL_CTL_MOD
 * @fd:		file descriptor
 * @events:	epoll events
 * @tag:	value returned in epoll_event.data.u64
 *
 * Return: 0 on success, -errno on failure
 */
static int epoll_set(int epfd, int op, int fd, uint32_t events, uint64_t tag)
{
	struct epoll_event ev = { .events = events, .data.u64 = tag };

	if (epoll_ctl(epfd, op, fd, &ev) < 0)
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
 * signal_eventfd() - add one to an eventfd's counter
 * @fd:		eventfd
 * @what:	for the message
 */
static void signal_eventfd(int fd, const char *what)
{
	static const uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) < 0)
		log_err("cannot signal %s: %s", what, strerror(errno));
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
 * worker_kick() - let the device look at the ring, unless it cannot take more
 * @vq:	virtqueue served by this thread
 */
static void worker_kick(struct virtqueue *vq)
{
	if (vq->broken || vq->stopping || !vq->active)
		return;
	vq->dev->ops->queue_kick(vq->dev, vq);
}

/**
 * worker_unwatch_kick() - stop waking up for a queue's kick fd
 * @w:	worker
 * @vq:	virtqueue
 */
static void worker_unwatch_kick(struct vq_worker *w, struct virtqueue *vq)
{
	if (!vq->kick_watched)
		return;
	vq->kick_watched = false;
	if (epoll_ctl(w->epfd, EPOLL_CTL_DEL, vq->kick_fd, NULL) < 0)
		log_warn("queue %u: cannot stop watching the kick fd: %s",
			 vq->index, strerror(errno));
}

/**
 * worker_drop_watches() - end every watch @vq owns
 * @w:	worker
 * @vq:	virtqueue
 */
static void worker_drop_watches(struct vq_worker *w, struct virtqueue *vq)
{
	unsigned int i;

	for (i = 0; i < w->nwatches; i++) {
		if (w->watches[i].fd < 0 || w->watches[i].vq != vq)
			continue;
		if (epoll_ctl(w->epfd, EPOLL_CTL_DEL, w->watches[i].fd, NULL) <
			    0 &&
		    errno != EBADF)
			log_warn("queue %u: cannot stop watching fd %d: %s",
				 vq->index, w->watches[i].fd, strerror(errno));
		w->watches[i].fd = -1;
	}
}

/**
 * worker_remove() - forget a queue that no longer runs here
 * @w:	worker
 * @vq:	virtqueue in w->queues
 */
static void worker_remove(struct vq_worker *w, struct virtqueue *vq)
{
	unsigned int i;

	worker_unwatch_kick(w, vq);
	worker_drop_watches(w, vq);
	vq->active = false;
	for (i = 0; i < w->nqueues; i++) {
		if (w->queues[i] == vq) {
			w->queues[i] = w->queues[--w->nqueues];
			break;
		}
	}
}

/**
 * worker_command_done() - hand a command's result to the thread waiting
 * @w:		worker
 * @ok:		result
 * @err:	error if !@ok (ownership passes)
 */
static void worker_command_done(struct vq_worker *w, bool ok, struct error *err)
{
	pthread_mutex_lock(&w->lock);
	w->cmd_done = true;
	w->cmd_ok = ok;
	w->cmd_err = err;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

/**
 * worker_start_queue() - CMD_START: set up a queue and serve it
 * @w:	worker
 * @vq:	virtqueue, vq_setup() done
 */
static void worker_start_queue(struct vq_worker *w, struct virtqueue *vq)
{
	struct virtio_device *dev = w->dev;
	struct error *err = NULL;
	int rc;

	vq->stopping = false;
	vq->kick_watched = false;
	__atomic_store_n(&vq->wake_pending, false, __ATOMIC_RELAXED);
	w->queues[w->nqueues++] = vq;
	if (dev->ops->queue_start && !dev->ops->queue_start(dev, vq, &err))
		goto fail;
	if (vq->kick_fd >= 0) {
		rc = epoll_set(w->epfd, EPOLL_CTL_ADD, vq->kick_fd, EPOLLIN,
			       KICK_TAG | vq->index);
		if (rc < 0) {
			error_setg_errno(&err, -rc,
					 "queue %u: cannot watch kick fd %d",
					 vq->index, vq->kick_fd);
			if (dev->ops->queue_stop)
				dev->ops->queue_stop(dev, vq);
			goto fail;
		}
		vq->kick_watched = true;
	}
	vq->active = true;
	worker_command_done(w, true, NULL);
	/* The ring may already hold buffers: the driver kicked before */
	worker_kick(vq);
	return;

fail:
	worker_remove(w, vq);
	worker_command_done(w, false, err);
}

/**
 * worker_take_command() - run what the control eventfd announced
 * @w:	worker
 */
static void worker_take_command(struct vq_worker *w)
{
	enum worker_cmd cmd = CMD_NONE;
	struct virtqueue *vq = NULL;

	drain_eventfd(w->ctl_fd);
	pthread_mutex_lock(&w->lock);
	if (w->cmd != CMD_NONE && !w->cmd_taken) {
		w->cmd_taken = true;
		cmd = w->cmd;
		vq = w->cmd_vq;
	}
	pthread_mutex_unlock(&w->lock);

	switch (cmd) {
	case CMD_START:
		worker_start_queue(w, vq);
		break;
	case CMD_STOP:
		/* Completed when drained: worker_finish_stopped() */
		vq->stopping = true;
		worker_unwatch_kick(w, vq);
		break;
	case CMD_EXIT:
		w->exit = true;
		worker_command_done(w, true, NULL);
		break;
	case CMD_NONE:
		break;
	}
}

/**
 * worker_finish_stopped() - let go of stopping queues with nothing in flight
 * @w:	worker
 */
static void worker_finish_stopped(struct vq_worker *w)
{
	unsigned int i;

	for (i = 0; i < w->nqueues; i++) {
		struct virtqueue *vq = w->queues[i];

		if (!vq->stopping || vq->inflight)
			continue;
		/* Stopped while polling: leave it asking for kicks again */
		if (vq->notify_disabled)
			vq_enable_notification(vq);
		if (vq->dev->ops->queue_stop)
			vq->dev->ops->queue_stop(vq->dev, vq);
		worker_remove(w, vq);
		__atomic_store_n(&w->stop_requested, false, __ATOMIC_RELAXED);
		worker_command_done(w, true, NULL);
		return; /* one command at a time */
	}
}

/**
 * worker_take_kick() - consume a kick; give up on a kick fd that cannot kick
 * @w:	worker
 * @vq:	virtqueue
 *
 * The front-end chose the kick fd. One that reads end-of-file (a pipe whose
 * writer is gone, a socket) or fails stays readable for ever: left in the
 * epoll set it would wake the worker in a loop. It is dropped and the queue
 * marked broken, so the front-end sees the error and can reset the device.
 *
 * Return: true if the kick was a real notification
 */
static bool worker_take_kick(struct vq_worker *w, struct virtqueue *vq)
{
	uint64_t v;
	ssize_t n;
	int err;

	n = read(vq->kick_fd, &v, sizeof(v));
	if (n == sizeof(v) || (n < 0 && (errno == EAGAIN || errno == EINTR)))
		return true;
	err = errno;
	worker_unwatch_kick(w, vq);
	vq_set_broken(vq, "queue %u: kick fd %d is not a usable eventfd (%s)",
		      vq->index, vq->kick_fd,
		      n < 0    ? strerror(err)
		      : n == 0 ? "end of file"
			       : "short read");
	return false;
}

/**
 * worker_dispatch() - handle one ready fd
 * @w:		worker
 * @ev:		the epoll event
 */
static void worker_dispatch(struct vq_worker *w, const struct epoll_event *ev)
{
	uint64_t tag = ev->data.u64;
	uint64_t n = tag & TAG_NUMBER;

	if (tag == CTL_TAG) {
		worker_take_command(w);
	} else if ((tag & TAG_KIND) == KICK_TAG) {
		struct virtqueue *vq;

		if (n >= w->dev->num_queues)
			return;
		vq = &w->dev->vqs[n];
		/* An event fetched before the stop, or for a queue gone */
		if (!vq->active || vq->stopping || !vq->kick_watched)
			return;
		if (!worker_take_kick(w, vq))
			return;
		__atomic_fetch_add(&vq->stats.kicks, 1, __ATOMIC_RELAXED);
		worker_kick(vq);
	} else if ((tag & TAG_KIND) == WATCH_TAG && n < w->nwatches) {
		struct vq_watch *watch = &w->watches[n];

		if (watch->fd < 0)
			return; /* ended earlier in this batch */
		if (watch->cb_events)
			watch->cb_events(watch->vq, ev->events, watch->opaque);
		else
			watch->cb(watch->vq, watch->opaque);
	}
}

/**
 * worker_run_wakes() - kick queues other threads asked to wake
 * @w:	worker
 */
static void worker_run_wakes(struct vq_worker *w)
{
	unsigned int i;

	for (i = 0; i < w->nqueues; i++) {
		struct virtqueue *vq = w->queues[i];

		if (__atomic_exchange_n(&vq->wake_pending, false,
					__ATOMIC_ACQ_REL))
			worker_kick(vq);
	}
}

/**
 * worker_kick_taken() - let the device look at a ring, see if it took any
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
 * serving() - whether a queue takes new buffers
 * @vq:	virtqueue on this worker
 *
 * Return: true if started, not stopping and not broken
 */
static bool serving(const struct virtqueue *vq)
{
	return vq->active && !vq->stopping && !vq->broken;
}

/**
 * worker_poll_once() - do whatever work is there, without waiting
 * @w:	worker
 *
 * Return: true if the device took buffers or completed something
 */
static bool worker_poll_once(struct vq_worker *w)
{
	struct virtio_device *dev = w->dev;
	bool progress = false;
	unsigned int i;

	for (i = 0; i < w->nqueues; i++) {
		struct virtqueue *vq = w->queues[i];

		if (serving(vq) && vq_available(vq) && worker_kick_taken(vq))
			progress = true;
		if (dev->ops->queue_poll && dev->ops->queue_poll(dev, vq))
			progress = true;
	}
	return progress;
}

/**
 * worker_serving_any() - whether any queue of the worker takes buffers
 * @w:	worker
 *
 * Return: true if polling can find work on some ring
 */
static bool worker_serving_any(const struct vq_worker *w)
{
	unsigned int i;

	for (i = 0; i < w->nqueues; i++)
		if (serving(w->queues[i]))
			return true;
	return false;
}

/**
 * worker_poll() - busy-wait for work for at most the current window
 * @w:	worker
 *
 * Driver notifications are turned off first: while we watch the rings
 * ourselves, a kick would only cost the driver a system call and us a wake-up.
 * Every few empty looks the worker yields its CPU: whatever else is runnable
 * there (the driver's vCPU, the kernel's I/O workers completing our requests)
 * runs at once instead of waiting for the window to end, and with nothing else
 * to run sched_yield() returns right away.
 *
 * Return: true if work was found (and done) within the window
 */
static bool worker_poll(struct vq_worker *w)
{
	unsigned int i, empty = 0;
	uint64_t deadline;

	if (!w->poll_ns || !worker_serving_any(w) ||
	    __atomic_load_n(&w->stop_requested, __ATOMIC_RELAXED))
		return false;
	for (i = 0; i < w->nqueues; i++)
		if (serving(w->queues[i]))
			vq_disable_notification(w->queues[i]);
	deadline = now_ns() + w->poll_ns;
	do {
		if (worker_poll_once(w))
			return true;
		if (++empty % POLL_ROUNDS_PER_YIELD == 0) {
			/* A queue that broke meanwhile is not worth a window */
			if (!worker_serving_any(w))
				return false;
			sched_yield();
		}
	} while (now_ns() < deadline &&
		 !__atomic_load_n(&w->stop_requested, __ATOMIC_RELAXED));
	return false;
}

/**
 * worker_arm() - before sleeping: ask the drivers to kick again
 * @w:	worker
 *
 * Return: true if buffers were published while notifications were off and
 * the device took them: the worker must look for more instead of sleeping
 */
static bool worker_arm(struct vq_worker *w)
{
	bool progress = false;
	unsigned int i;

	for (i = 0; i < w->nqueues; i++) {
		struct virtqueue *vq = w->queues[i];

		if (!vq->notify_disabled || !serving(vq))
			continue;
		if (vq_enable_notification(vq) && worker_kick_taken(vq))
			progress = true;
	}
	return progress;
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
 * worker_ticking() - whether a served queue has no kick fd to wait on
 * @w:	worker
 *
 * Return: true if the worker must look at some ring every POLL_INTERVAL_MS
 */
static bool worker_ticking(struct vq_worker *w)
{
	unsigned int i;

	for (i = 0; i < w->nqueues; i++)
		if (w->queues[i]->kick_fd < 0 && serving(w->queues[i]))
			return true;
	return false;
}

/**
 * worker_tick() - look at the rings of queues without a kick fd
 * @w:	worker
 */
static void worker_tick(struct vq_worker *w)
{
	unsigned int i;

	for (i = 0; i < w->nqueues; i++) {
		struct virtqueue *vq = w->queues[i];

		if (vq->kick_fd < 0 && serving(vq) && vq_available(vq))
			worker_kick(vq);
	}
}

/**
 * worker_loop() - serve kicks, device fds and commands until told to exit
 * @w:	worker
 */
static void worker_loop(struct vq_worker *w)
{
	struct epoll_event events[MAX_EVENTS];

	for (;;) {
		bool ticking;
		int timeout;
		uint64_t start = 0;
		int n, i;

		worker_finish_stopped(w);
		if (w->exit)
			return;

		ticking = worker_ticking(w);
		timeout = ticking ? POLL_INTERVAL_MS : -1;
		if (w->poll_max_ns)
			start = now_ns();
		/* Work found: only collect fds that are ready anyway */
		if (worker_poll(w) || worker_arm(w))
			timeout = 0;
		n = epoll_wait(w->epfd, events, MAX_EVENTS, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_err("worker of queue group %u: epoll_wait: %s",
				w->group, strerror(errno));
			return;
		}
		if (w->poll_max_ns && timeout)
			worker_adjust_poll(w, now_ns() - start);
		for (i = 0; i < n; i++)
			worker_dispatch(w, &events[i]);
		worker_run_wakes(w);
		if (ticking)
			worker_tick(w);
	}
}

/**
 * worker_thread() - body of a worker thread
 * @opaque:	the worker
 *
 * Return: NULL
 */
static void *worker_thread(void *opaque)
{
	struct vq_worker *w = opaque;
	char name[16];

	/* Named before any device hook runs on it: "vq<N>" in tools */
	snprintf(name, sizeof(name), "vq%u", w->group);
	pthread_setname_np(pthread_self(), name);
	worker_loop(w);
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
	free(w->queues);
	free(w);
}

/**
 * worker_new() - create a worker and its thread for queue group @group
 * @dev:	device
 * @group:	queue group
 * @errp:	error on failure
 *
 * Return: the worker, NULL on failure
 */
static struct vq_worker *worker_new(struct virtio_device *dev,
				    unsigned int group, struct error **errp)
{
	struct vq_worker *w = calloc(1, sizeof(*w));
	int rc;

	if (!w) {
		error_setg(errp, "queue group %u: cannot allocate a worker",
			   group);
		return NULL;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->dev = dev;
	w->group = group;
	w->ctl_fd = -1;
	w->poll_max_ns = (uint64_t)dev->poll_max_us * 1000;
	w->queues = calloc(dev->num_queues, sizeof(*w->queues));
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (!w->queues || w->epfd < 0) {
		error_setg_errno(errp, errno, "queue group %u: epoll_create1",
				 group);
		goto fail;
	}
	w->ctl_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->ctl_fd < 0) {
		error_setg_errno(errp, errno, "queue group %u: eventfd", group);
		goto fail;
	}
	rc = epoll_set(w->epfd, EPOLL_CTL_ADD, w->ctl_fd, EPOLLIN, CTL_TAG);
	if (rc < 0) {
		error_setg_errno(errp, -rc, "queue group %u: epoll_ctl", group);
		goto fail;
	}
	rc = pthread_create(&w->thread, NULL, worker_thread, w);
	if (rc) {
		error_setg_errno(errp, rc,
				 "queue group %u: cannot start thread", group);
		goto fail;
	}
	return w;

fail:
	worker_free(w);
	return NULL;
}

/**
 * worker_command() - have the worker run a command and wait for its result
 * @w:		worker
 * @cmd:	command
 * @vq:		queue it is about
 * @errp:	the command's error
 *
 * Return: the command's result
 */
static bool worker_command(struct vq_worker *w, enum worker_cmd cmd,
			   struct virtqueue *vq, struct error **errp)
{
	bool ok;

	pthread_mutex_lock(&w->lock);
	w->cmd = cmd;
	w->cmd_vq = vq;
	w->cmd_taken = false;
	w->cmd_done = false;
	w->cmd_err = NULL;
	if (cmd == CMD_STOP)
		__atomic_store_n(&w->stop_requested, true, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&w->lock);
	signal_eventfd(w->ctl_fd, "a queue worker");

	pthread_mutex_lock(&w->lock);
	while (!w->cmd_done)
		pthread_cond_wait(&w->cond, &w->lock);
	ok = w->cmd_ok;
	w->cmd = CMD_NONE;
	pthread_mutex_unlock(&w->lock);
	if (!ok)
		error_propagate(errp, w->cmd_err);
	w->cmd_err = NULL;
	return ok;
}

/**
 * worker_end() - end a worker that serves no queue any more, and free it
 * @dev:	device
 * @w:		worker, detached from every queue
 */
static void worker_end(struct virtio_device *dev, struct vq_worker *w)
{
	worker_command(w, CMD_EXIT, NULL, NULL);
	pthread_join(w->thread, NULL);
	pthread_mutex_lock(&dev->workers_lock);
	dev->workers[w->group] = NULL;
	pthread_mutex_unlock(&dev->workers_lock);
	worker_free(w);
}

/**
 * queue_group() - the worker group of a queue
 * @dev:	device
 * @idx:	queue index
 *
 * Return: the group, or dev->num_queues if the device named an invalid one
 */
static unsigned int queue_group(struct virtio_device *dev, unsigned int idx)
{
	unsigned int group =
		dev->ops->queue_group ? dev->ops->queue_group(dev, idx) : idx;

	return group < dev->num_queues ? group : dev->num_queues;
}

/**
 * virtio_queue_start() - set up a queue and have a worker serve it
 * @dev:	device
 * @idx:	queue index
 * @errp:	error from vq_setup(), thread creation or ops->queue_start
 *
 * Return: true if a worker serves the queue
 */
bool virtio_queue_start(struct virtio_device *dev, unsigned int idx,
			struct error **errp)
{
	struct vq_worker *w;
	struct virtqueue *vq;
	unsigned int group;
	bool created = false;

	vq = virtio_queue_prepare(dev, idx, errp);
	if (!vq)
		return false;
	group = queue_group(dev, idx);
	if (group >= dev->num_queues) {
		error_setg(errp, "%s: queue %u: invalid worker group",
			   dev->ops->name, idx);
		goto fail;
	}

	w = dev->workers[group];
	if (!w) {
		w = worker_new(dev, group, errp);
		if (!w)
			goto fail;
		pthread_mutex_lock(&dev->workers_lock);
		dev->workers[group] = w;
		pthread_mutex_unlock(&dev->workers_lock);
		created = true;
	}
	pthread_mutex_lock(&dev->workers_lock);
	vq->worker = w;
	pthread_mutex_unlock(&dev->workers_lock);
	if (!worker_command(w, CMD_START, vq, errp)) {
		error_prepend(errp, "%s: queue %u: ", dev->ops->name, idx);
		pthread_mutex_lock(&dev->workers_lock);
		vq->worker = NULL;
		pthread_mutex_unlock(&dev->workers_lock);
		if (created || !w->nqueues)
			worker_end(dev, w);
		goto fail;
	}
	return true;

fail:
	vq_teardown(vq);
	return false;
}

/**
 * virtio_queue_stop() - drain a queue and let its worker go
 * @dev:	device
 * @idx:	queue index; a stopped or nonexistent queue is left alone
 *
 * Returns once every request in flight completed; last_avail_idx then tells
 * where to resume. The worker thread ends with the last queue of its group.
 */
void virtio_queue_stop(struct virtio_device *dev, unsigned int idx)
{
	struct vq_worker *w;
	struct virtqueue *vq;

	if (idx >= dev->num_queues || !dev->vqs[idx].worker)
		return;
	vq = &dev->vqs[idx];
	w = vq->worker;

	worker_command(w, CMD_STOP, vq, NULL);
	pthread_mutex_lock(&dev->workers_lock);
	vq->worker = NULL;
	pthread_mutex_unlock(&dev->workers_lock);
	/* nqueues is the worker's, but it is idle between commands */
	if (!w->nqueues)
		worker_end(dev, w);
	vq_teardown(vq);
}

/**
 * virtio_queue_running() - whether a worker serves the queue
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
 * virtio_queue_accepting() - whether a queue of this group takes buffers
 * @vq:	virtqueue of the calling worker's group
 *
 * Return: true if it is started, not being stopped and not broken
 */
bool virtio_queue_accepting(const struct virtqueue *vq)
{
	return serving(vq);
}

/**
 * virtio_queue_wake() - have a queue's worker run ops->queue_kick for it
 * @dev:	device
 * @idx:	queue index
 *
 * Return: false if the queue is not running
 */
bool virtio_queue_wake(struct virtio_device *dev, unsigned int idx)
{
	struct vq_worker *w;

	if (idx >= dev->num_queues)
		return false;
	pthread_mutex_lock(&dev->workers_lock);
	w = dev->vqs[idx].worker;
	if (w) {
		__atomic_store_n(&dev->vqs[idx].wake_pending, true,
				 __ATOMIC_RELEASE);
		signal_eventfd(w->ctl_fd, "a queue worker");
	}
	pthread_mutex_unlock(&dev->workers_lock);
	return w != NULL;
}

/**
 * find_watch() - the watch slot of @fd on @w
 * @w:	worker
 * @fd:	file descriptor
 *
 * Return: the slot, NULL if @fd is not watched
 */
static struct vq_watch *find_watch(struct vq_worker *w, int fd)
{
	unsigned int i;

	for (i = 0; i < w->nwatches; i++)
		if (w->watches[i].fd == fd)
			return &w->watches[i];
	return NULL;
}

/**
 * add_watch() - watch @fd for @events on @vq's worker
 * @vq:		virtqueue, on its worker thread
 * @fd:		file descriptor, owned by the device
 * @events:	epoll events
 * @watch:	callbacks and opaque (fd and vq are filled in)
 * @errp:	error on failure
 *
 * Return: true if watched (until @vq stops or virtio_queue_unwatch())
 */
static bool add_watch(struct virtqueue *vq, int fd, uint32_t events,
		      struct vq_watch watch, struct error **errp)
{
	struct vq_worker *w = vq->worker;
	struct vq_watch *slot = NULL;
	unsigned int i;
	int rc;

	if (!w) {
		error_setg(errp, "queue %u: watch of fd %d on a stopped queue",
			   vq->index, fd);
		return false;
	}
	for (i = 0; i < w->nwatches && !slot; i++)
		if (w->watches[i].fd < 0)
			slot = &w->watches[i];
	if (!slot) {
		struct vq_watch *watches = realloc(
			w->watches, (w->nwatches + 1) * sizeof(*watches));

		if (!watches) {
			error_setg(errp, "queue %u: cannot allocate a watch",
				   vq->index);
			return false;
		}
		w->watches = watches;
		slot = &w->watches[w->nwatches++];
		slot->fd = -1;
	}
	rc = epoll_set(w->epfd, EPOLL_CTL_ADD, fd, events,
		       WATCH_TAG | (uint64_t)(slot - w->watches));
	if (rc < 0) {
		error_setg_errno(errp, -rc, "queue %u: cannot watch fd %d",
				 vq->index, fd);
		return false;
	}
	watch.fd = fd;
	watch.vq = vq;
	*slot = watch;
	return true;
}

/**
 * virtio_queue_watch() - dispatch @cb on the worker when @fd is readable
 * @vq:		virtqueue, on its worker thread
 * @fd:		file descriptor, owned by the device
 * @cb:		callback, run on the worker thread
 * @opaque:	passed to @cb
 * @errp:	error on failure
 *
 * Return: true if watched (until the queue stops)
 */
bool virtio_queue_watch(struct virtqueue *vq, int fd,
			void (*cb)(struct virtqueue *vq, void *opaque),
			void *opaque, struct error **errp)
{
	return add_watch(vq, fd, EPOLLIN,
			 (struct vq_watch){ .cb = cb, .opaque = opaque }, errp);
}

/**
 * virtio_queue_watch_events() - dispatch @cb on the worker for @events
 * @vq:		virtqueue, on its worker thread
 * @fd:		file descriptor, owned by the device
 * @events:	epoll events
 * @cb:		callback, run on the worker thread with the ready events
 * @opaque:	passed to @cb
 * @errp:	error on failure
 *
 * Return: true if watched (until the queue stops or virtio_queue_unwatch())
 */
bool virtio_queue_watch_events(struct virtqueue *vq, int fd, uint32_t events,
			       void (*cb)(struct virtqueue *vq,
					  uint32_t revents, void *opaque),
			       void *opaque, struct error **errp)
{
	return add_watch(vq, fd, events,
			 (struct vq_watch){ .cb_events = cb, .opaque = opaque },
			 errp);
}

/**
 * virtio_queue_watch_modify() - change the events of a watched fd
 * @vq:		virtqueue, on its worker thread
 * @fd:		watched file descriptor
 * @events:	epoll events (0 pauses)
 * @errp:	error on failure
 *
 * Return: true on success
 */
bool virtio_queue_watch_modify(struct virtqueue *vq, int fd, uint32_t events,
			       struct error **errp)
{
	struct vq_worker *w = vq->worker;
	struct vq_watch *watch = w ? find_watch(w, fd) : NULL;
	int rc;

	if (!watch) {
		error_setg(errp, "queue %u: fd %d is not watched", vq->index,
			   fd);
		return false;
	}
	rc = epoll_set(w->epfd, EPOLL_CTL_MOD, fd, events,
		       WATCH_TAG | (uint64_t)(watch - w->watches));
	if (rc < 0) {
		error_setg_errno(errp, -rc,
				 "queue %u: cannot modify watch of fd %d",
				 vq->index, fd);
		return false;
	}
	return true;
}

/**
 * virtio_queue_unwatch() - end the watch of @fd, if any
 * @vq:	virtqueue, on its worker thread
 * @fd:	file descriptor
 */
void virtio_queue_unwatch(struct virtqueue *vq, int fd)
{
	struct vq_worker *w = vq->worker;
	struct vq_watch *watch = w ? find_watch(w, fd) : NULL;

	if (!watch)
		return;
	if (epoll_ctl(w->epfd, EPOLL_CTL_DEL, fd, NULL) < 0 && errno != EBADF)
		log_warn("queue %u: cannot stop watching fd %d: %s", vq->index,
			 fd, strerror(errno));
	watch->fd = -1;
}
