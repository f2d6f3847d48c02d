/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of adaptive polling in the queue workers (poll_max_us).
 *
 * A toy device completes each request either at once in queue_kick or later
 * on a back-end thread; the worker then finds the completion through
 * queue_poll while it polls, or through the device's eventfd. The driver side
 * runs in the test thread and does what a guest does: it kicks only when
 * vring_driver_publish() says the device asked for it. So a request that
 * completes without a kick was found by polling, and a request published
 * while the worker goes to sleep must still complete: the worker turns
 * notifications back on and looks at the ring once more first.
 *
 * The window starts at zero and grows only when work keeps coming a little
 * after it, so tests that need a wide window first grow it with requests
 * spaced further and further apart.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "devices/virtio/virtio-device.h"
#include "tests/unit/virtio/vq-test-util.h"

#define QSIZE	  64
#define WAIT_MS	  5000
#define REPLY_XOR 0x5a5a1234U
/* poll_max_us wide enough that a grown window outlasts most hiccups */
#define WIDE_POLL_US 1000000
/*
 * Requests published back to back while the worker polls, and how many of
 * them may still find it asleep: on a loaded machine (sanitizers, parallel
 * tests) the worker, which yields its CPU while polling, can go without one
 * for longer than its window.
 */
#define N_REQS	   200
#define MAX_MISSED 10

struct ptoy {
	struct virtio_device vdev;

	/* driver side, test thread */
	struct test_guest g;
	struct vring_driver drv;
	int kick_fd, call_fd, err_fd;
	uint32_t next_id;
	unsigned long received;
	unsigned long kicks_asked; /* publishes that asked for a kick */

	/* device side */
	bool async;  /* complete on the back-end thread */
	int done_fd; /* back-end -> worker */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	GPtrArray *submitted;  /* struct vq_elem *, under lock */
	GPtrArray *done;       /* struct vq_elem *, under lock */
	unsigned int delay_us; /* back-end "I/O" time */
	bool quit;
	pthread_t backend;
	/* counters, atomics */
	unsigned long polled;	   /* completions found by queue_poll */
	unsigned long by_fd;	   /* completions found through done_fd */
	unsigned long kick_calls;  /* queue_kick calls */
	unsigned long kicks_quiet; /* ... entered with notifications off */
};

/**
 * ptoy_of() - the toy around its virtio device
 * @dev:	virtio device
 *
 * Return: containing struct ptoy
 */
static struct ptoy *ptoy_of(struct virtio_device *dev)
{
	return (struct ptoy *)((char *)dev - offsetof(struct ptoy, vdev));
}

/**
 * ptoy_reply() - do a request's "I/O": reply with its id, xored
 * @elem:	popped element (4 readable bytes, then 4 writable ones)
 */
static void ptoy_reply(struct vq_elem *elem)
{
	uint32_t id, reply;

	iov_to_buf(elem->out_sg, elem->out_num, 0, &id, sizeof(id));
	reply = id ^ REPLY_XOR;
	iov_from_buf(elem->in_sg, elem->in_num, 0, &reply, sizeof(reply));
}

/**
 * ptoy_backend() - complete submitted requests, then signal done_fd
 * @opaque:	struct ptoy
 *
 * Return: NULL
 */
static void *ptoy_backend(void *opaque)
{
	struct ptoy *t = opaque;

	pthread_mutex_lock(&t->lock);
	for (;;) {
		static const uint64_t one = 1;

		while (!t->quit && !t->submitted->len)
			pthread_cond_wait(&t->cond, &t->lock);
		if (t->quit)
			break;
		if (t->delay_us) {
			pthread_mutex_unlock(&t->lock);
			g_usleep(t->delay_us);
			pthread_mutex_lock(&t->lock);
		}
		for (unsigned int i = 0; i < t->submitted->len; i++) {
			struct vq_elem *elem = t->submitted->pdata[i];

			ptoy_reply(elem);
			g_ptr_array_add(t->done, elem);
		}
		g_ptr_array_set_size(t->submitted, 0);
		g_assert_cmpint(write(t->done_fd, &one, sizeof(one)), ==,
				sizeof(one));
	}
	pthread_mutex_unlock(&t->lock);
	return NULL;
}

/**
 * ptoy_push_done() - push what the back-end completed
 * @t:		toy
 * @vq:		virtqueue
 *
 * Return: number of elements pushed
 */
static unsigned int ptoy_push_done(struct ptoy *t, struct virtqueue *vq)
{
	GPtrArray *done;
	unsigned int n;

	pthread_mutex_lock(&t->lock);
	done = t->done;
	t->done = g_ptr_array_new();
	pthread_mutex_unlock(&t->lock);
	n = done->len;
	for (unsigned int i = 0; i < n; i++)
		vq_push(vq, done->pdata[i], sizeof(uint32_t));
	g_ptr_array_free(done, true);
	if (n)
		vq_notify(vq);
	return n;
}

/**
 * ptoy_done() - watch callback: the back-end signalled done_fd
 * @vq:		virtqueue
 * @opaque:	struct ptoy
 */
static void ptoy_done(struct virtqueue *vq, void *opaque)
{
	struct ptoy *t = opaque;

	eventfd_take(t->done_fd);
	__atomic_fetch_add(&t->by_fd, ptoy_push_done(t, vq), __ATOMIC_RELAXED);
}

/**
 * ptoy_get_features() - features the toy offers
 * @dev:	device
 *
 * Return: VERSION_1 and EVENT_IDX
 */
static uint64_t ptoy_get_features(struct virtio_device *dev)
{
	return (1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_RING_F_EVENT_IDX);
}

/**
 * ptoy_queue_start() - create and watch done_fd
 * @dev:	device
 * @vq:		virtqueue
 * @errp:	error
 *
 * Return: true if watched
 */
static bool ptoy_queue_start(struct virtio_device *dev, struct virtqueue *vq,
			     struct error **errp)
{
	struct ptoy *t = ptoy_of(dev);

	return virtio_queue_watch(vq, t->done_fd, ptoy_done, t, errp);
}

/**
 * ptoy_queue_kick() - pop every chain; complete it or hand it on
 * @dev:	device
 * @vq:		virtqueue
 *
 * Like virtio-blk: notifications are toggled here only if the worker is not
 * polling (they are on at entry).
 */
static void ptoy_queue_kick(struct virtio_device *dev, struct virtqueue *vq)
{
	struct ptoy *t = ptoy_of(dev);
	bool toggle = !vq->notify_disabled;
	struct vq_elem *elem;
	bool pushed = false;

	__atomic_fetch_add(&t->kick_calls, 1, __ATOMIC_RELAXED);
	if (!toggle)
		__atomic_fetch_add(&t->kicks_quiet, 1, __ATOMIC_RELAXED);
	do {
		if (toggle)
			vq_disable_notification(vq);
		while (vq_pop(vq, &elem, NULL) == 1) {
			if (!t->async) {
				ptoy_reply(elem);
				vq_push(vq, elem, sizeof(uint32_t));
				pushed = true;
				continue;
			}
			pthread_mutex_lock(&t->lock);
			g_ptr_array_add(t->submitted, elem);
			pthread_cond_broadcast(&t->cond);
			pthread_mutex_unlock(&t->lock);
		}
	} while (toggle && vq_enable_notification(vq));
	if (pushed)
		vq_notify(vq);
}

/**
 * ptoy_queue_poll() - the worker polls: push what the back-end completed
 * @dev:	device
 * @vq:		virtqueue
 *
 * Return: true if anything was pushed
 */
static bool ptoy_queue_poll(struct virtio_device *dev, struct virtqueue *vq)
{
	struct ptoy *t = ptoy_of(dev);
	unsigned int n = ptoy_push_done(t, vq);

	__atomic_fetch_add(&t->polled, n, __ATOMIC_RELAXED);
	return n;
}

/**
 * ptoy_free() - stop the back-end and free the toy's device state
 * @dev:	device
 */
static void ptoy_free(struct virtio_device *dev)
{
	struct ptoy *t = ptoy_of(dev);

	pthread_mutex_lock(&t->lock);
	t->quit = true;
	pthread_cond_broadcast(&t->cond);
	pthread_mutex_unlock(&t->lock);
	pthread_join(t->backend, NULL);
	g_ptr_array_free(t->submitted, true);
	g_ptr_array_free(t->done, true);
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->cond);
	close(t->done_fd);
}

static const struct virtio_device_ops ptoy_ops = {
	.name = "poll-toy",
	.device_id = 0x7e,
	.get_features = ptoy_get_features,
	.queue_start = ptoy_queue_start,
	.queue_kick = ptoy_queue_kick,
	.queue_poll = ptoy_queue_poll,
	.free = ptoy_free,
};

/**
 * ptoy_new() - a toy with one running queue and its driver
 * @async:		complete on the back-end thread
 * @poll_max_us:	the device's poll_max_us
 * @event_idx:		negotiate VIRTIO_RING_F_EVENT_IDX
 *
 * Return: the toy, to be freed with ptoy_destroy()
 */
static struct ptoy *ptoy_new(bool async, unsigned int poll_max_us,
			     bool event_idx)
{
	struct ptoy *t = g_new0(struct ptoy, 1);
	size_t size = vring_driver_mem_size(QSIZE, 0);
	struct virtqueue *vq;
	struct error *err = NULL;
	uint64_t features = 1ULL << VIRTIO_F_VERSION_1;

	g_assert_true(virtio_device_init(&t->vdev, &ptoy_ops, 1, QSIZE, &err));
	g_assert_null(err);
	t->vdev.poll_max_us = poll_max_us;
	t->async = async;
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->cond, NULL);
	t->submitted = g_ptr_array_new();
	t->done = g_ptr_array_new();
	t->done_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	g_assert_cmpint(t->done_fd, >=, 0);
	g_assert_cmpint(pthread_create(&t->backend, NULL, ptoy_backend, t), ==,
			0);

	test_guest_init(&t->g);
	g_assert_true(vring_driver_init(
		&t->drv, test_guest_ptr(&t->g, TG_RAM0_GPA, size), TG_RAM0_GPA,
		QSIZE, event_idx, 0));
	t->kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	t->call_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	t->err_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	vq = &t->vdev.vqs[0];
	vq->num = QSIZE;
	vq->desc = t->drv.desc;
	vq->avail = t->drv.avail;
	vq->used = t->drv.used;
	vq->mem = &t->g.mem;
	vq->kick_fd = t->kick_fd;
	vq->call_fd = t->call_fd;
	vq->err_fd = t->err_fd;
	vq->enabled = true;

	if (event_idx)
		features |= 1ULL << VIRTIO_RING_F_EVENT_IDX;
	g_assert_true(virtio_device_set_features(&t->vdev, features, NULL));
	g_assert_true(virtio_queue_start(&t->vdev, 0, &err));
	g_assert_null(err);
	return t;
}

/**
 * ptoy_destroy() - stop the queue, free the device and the driver
 * @t:	toy
 */
static void ptoy_destroy(struct ptoy *t)
{
	virtio_device_free(&t->vdev);
	close(t->kick_fd);
	close(t->call_fd);
	close(t->err_fd);
	vring_driver_cleanup(&t->drv);
	test_guest_cleanup(&t->g);
	g_free(t);
}

/**
 * ptoy_submit() - offer one request; kick only if the device asks for it
 * @t:	toy
 *
 * Return: true if the device asked for a kick (and got it)
 */
static bool ptoy_submit(struct ptoy *t)
{
	static const uint64_t one = 1;
	uint16_t head = t->drv.free_head;
	uint64_t gpa = TG_DATA_GPA + head * 16ULL;
	struct vring_buf out = { gpa, 4 }, in = { gpa + 8, 4 };
	uint32_t id = t->next_id;

	g_assert_cmpuint(t->drv.num_free, >, 0);
	memcpy(test_guest_ptr(&t->g, out.gpa, 4), &id, 4);
	memset(test_guest_ptr(&t->g, in.gpa, 4), 0, 4);
	g_assert_cmpint(vring_driver_add(&t->drv, &out, 1, &in, 1,
					 (void *)(uintptr_t)(id + 1)),
			==, head);
	t->next_id++;
	if (!vring_driver_publish(&t->drv))
		return false;
	t->kicks_asked++;
	g_assert_cmpint(write(t->kick_fd, &one, sizeof(one)), ==, sizeof(one));
	return true;
}

/**
 * ptoy_collect() - take used requests and check their replies
 * @t:	toy
 *
 * Return: requests collected
 */
static unsigned int ptoy_collect(struct ptoy *t)
{
	unsigned int n = 0;
	void *token;
	uint32_t len;

	while ((token = vring_driver_get_used(&t->drv, &len))) {
		uint32_t id = (uint32_t)(uintptr_t)token - 1, reply;
		uint16_t head = t->drv.free_head; /* just freed */

		g_assert_cmpuint(len, ==, sizeof(reply));
		memcpy(&reply,
		       test_guest_ptr(&t->g, TG_DATA_GPA + head * 16ULL + 8, 4),
		       4);
		g_assert_cmphex(reply, ==, id ^ REPLY_XOR);
		t->received++;
		n++;
	}
	return n;
}

/**
 * ptoy_wait_all() - collect until every request came back
 * @t:	toy
 *
 * Return: true if all arrived; false after WAIT_MS without a call
 */
static bool ptoy_wait_all(struct ptoy *t)
{
	while (t->received < t->next_id) {
		struct pollfd pfd = { .fd = t->call_fd, .events = POLLIN };

		if (ptoy_collect(t) || vring_driver_enable_cb(&t->drv))
			continue;
		if (poll(&pfd, 1, WAIT_MS) <= 0)
			return false;
		eventfd_take(t->call_fd);
	}
	return true;
}

/**
 * ptoy_widen() - grow the polling window to about 100 ms
 * @t:	toy with poll_max_us >= WIDE_POLL_US
 *
 * The window grows (4 us, doubling) each time work comes after it ended but
 * within poll_max: requests 1 ms apart take it to about 1 ms, then requests
 * 80 ms apart take it past 80 ms.
 */
static void ptoy_widen(struct ptoy *t)
{
	unsigned int i;

	for (i = 0; i < 12; i++) {
		ptoy_submit(t);
		g_assert_true(ptoy_wait_all(t));
		g_usleep(1000);
	}
	for (i = 0; i < 8; i++) {
		ptoy_submit(t);
		g_assert_true(ptoy_wait_all(t));
		g_usleep(80 * 1000);
	}
}

/**
 * process_cpu_ns() - CPU time of the whole process
 *
 * Return: CLOCK_PROCESS_CPUTIME_ID in nanoseconds
 */
static uint64_t process_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/**
 * test_no_kicks() - while the worker polls, the driver is not asked to kick
 * and every request completes
 * @data:	non-NULL: negotiate EVENT_IDX (avail_event), else NO_NOTIFY
 */
static void test_no_kicks(gconstpointer data)
{
	struct ptoy *t = ptoy_new(false, WIDE_POLL_US, data != NULL);
	struct virtqueue *vq = &t->vdev.vqs[0];
	unsigned long asked, quiet, extra;
	unsigned int i;

	ptoy_widen(t);
	asked = t->kicks_asked;
	quiet = __atomic_load_n(&t->kicks_quiet, __ATOMIC_RELAXED);
	for (i = 0; i < N_REQS; i++) {
		/* One at a time, each published right after the last came */
		ptoy_submit(t);
		g_assert_true(ptoy_wait_all(t));
	}
	extra = t->kicks_asked - asked;
	g_test_message("%lu of %u requests asked for a kick", extra, N_REQS);
	g_assert_cmpuint(extra, <=, MAX_MISSED);
	/*
	 * The worker never counts a kick the driver did not send. (Equality
	 * with kicks + extra would race: a kick of the warm-up may be read
	 * after the baseline, its request having been found by polling.)
	 */
	g_assert_cmpuint(__atomic_load_n(&vq->stats.kicks, __ATOMIC_RELAXED),
			 <=, t->kicks_asked);
	/* Found by polling, with notifications left off by the device */
	g_assert_cmpuint(__atomic_load_n(&t->kicks_quiet, __ATOMIC_RELAXED) -
				 quiet,
			 >=, N_REQS - MAX_MISSED);
	ptoy_destroy(t);
}

/**
 * test_poll_completions() - while the worker polls, it finds the device's
 * completions through queue_poll, before the device's eventfd fires
 */
static void test_poll_completions(void)
{
	struct ptoy *t = ptoy_new(true, WIDE_POLL_US, true);
	unsigned long asked, polled;
	unsigned int i;

	ptoy_widen(t);
	asked = t->kicks_asked;
	polled = __atomic_load_n(&t->polled, __ATOMIC_RELAXED);
	for (i = 0; i < N_REQS; i++) {
		ptoy_submit(t);
		g_assert_true(ptoy_wait_all(t));
	}
	g_assert_cmpuint(t->kicks_asked - asked, <=, MAX_MISSED);
	/* The eventfd may win a race now and then, polling most of the time */
	g_assert_cmpuint(__atomic_load_n(&t->polled, __ATOMIC_RELAXED) - polled,
			 >=, N_REQS / 2);
	ptoy_destroy(t);
}

/**
 * test_rearm_before_sleep() - once the window is over, the worker sleeps
 * with notifications on: the next request asks for a kick
 * @data:	non-NULL: negotiate EVENT_IDX
 */
static void test_rearm_before_sleep(gconstpointer data)
{
	struct ptoy *t = ptoy_new(false, 50, data != NULL);
	unsigned int i;

	for (i = 0; i < 20; i++) {
		/* 20 ms is far beyond the 50 us window: the worker sleeps */
		g_usleep(20 * 1000);
		g_assert_true(ptoy_submit(t));
		g_assert_true(ptoy_wait_all(t));
	}
	ptoy_destroy(t);
}

/**
 * test_window_edge() - requests published around the moment the worker
 * stops polling are never left behind
 * @data:	non-NULL: the toy completes on its back-end thread
 *
 * Random gaps of 0 to 300 us against a window of at most 100 us land before,
 * during and after the worker turns notifications back on.
 */
static void test_window_edge(gconstpointer data)
{
	struct ptoy *t = ptoy_new(data != NULL, 100, true);
	GRand *rand = g_rand_new_with_seed(11);
	unsigned int i;

	for (i = 0; i < 3000; i++) {
		unsigned int n = g_rand_int_range(rand, 1, 4);

		while (n--)
			ptoy_submit(t);
		g_assert_true(ptoy_wait_all(t));
		g_usleep(g_rand_int_range(rand, 0, 300));
	}
	g_test_message("%lu of %u publishes asked for a kick", t->kicks_asked,
		       t->next_id);
	g_assert_cmpuint(t->received, ==, t->next_id);
	g_rand_free(rand);
	ptoy_destroy(t);
}

/**
 * test_idle_sleeps() - an idle queue costs no CPU, even with a wide window
 * @data:	the device's poll_max_us, as a pointer-sized integer
 */
static void test_idle_sleeps(gconstpointer data)
{
	unsigned int poll_max_us = GPOINTER_TO_UINT(data);
	struct ptoy *t = ptoy_new(true, poll_max_us, true);
	uint64_t cpu;
	unsigned int i;

	if (poll_max_us >= WIDE_POLL_US)
		ptoy_widen(t);
	for (i = 0; i < 100; i++) {
		ptoy_submit(t);
		g_assert_true(ptoy_wait_all(t));
	}
	/* Past the widest window the worker may still spend polling */
	g_usleep(300 * 1000);
	cpu = process_cpu_ns();
	g_usleep(500 * 1000);
	cpu = process_cpu_ns() - cpu;
	g_test_message("CPU while idle for 500 ms: %" G_GUINT64_FORMAT " us",
		       cpu / 1000);
	g_assert_cmpuint(cpu, <, 25 * 1000 * 1000);
	ptoy_destroy(t);
}

/**
 * test_stop_while_polling() - a stop ends a wide polling window at once and
 * still drains the requests in flight
 */
static void test_stop_while_polling(void)
{
	struct ptoy *t = ptoy_new(true, WIDE_POLL_US, true);
	struct virtqueue *vq = &t->vdev.vqs[0];
	uint16_t avail_event;
	uint64_t start;
	unsigned int i;

	ptoy_widen(t);
	t->delay_us = 20 * 1000;
	for (i = 0; i < 8; i++)
		ptoy_submit(t);
	start = g_get_monotonic_time();
	virtio_queue_stop(&t->vdev, 0);
	/* Not a whole window (up to 1 s): the drain, 20 ms, and some slack */
	g_assert_cmpint(g_get_monotonic_time() - start, <, 500 * 1000);
	g_assert_false(virtio_queue_running(&t->vdev, 0));
	g_assert_cmpuint(vq->last_avail_idx, ==, (uint16_t)t->next_id);
	g_assert_cmpuint(t->drv.used->idx, ==, (uint16_t)t->next_id);
	/* Stopped while polling: the ring asks for kicks again */
	memcpy(&avail_event, &t->drv.used->ring[QSIZE], sizeof(avail_event));
	g_assert_cmpuint(avail_event, ==, (uint16_t)t->next_id);
	ptoy_destroy(t);
}

/**
 * test_broken_while_polling() - a hostile avail index breaks the queue; the
 * worker stops polling it and sleeps
 */
static void test_broken_while_polling(void)
{
	struct ptoy *t = ptoy_new(false, WIDE_POLL_US, true);
	struct pollfd pfd;
	uint64_t cpu;

	ptoy_widen(t);
	/* Far more entries than the ring holds */
	__atomic_store_n(&t->drv.avail->idx, t->drv.avail_idx + 2 * QSIZE,
			 __ATOMIC_RELEASE);
	pfd = (struct pollfd){ .fd = t->err_fd, .events = POLLIN };
	g_assert_cmpint(poll(&pfd, 1, WAIT_MS), ==, 1);
	g_assert_true(t->vdev.vqs[0].broken);

	g_usleep(100 * 1000);
	cpu = process_cpu_ns();
	g_usleep(300 * 1000);
	cpu = process_cpu_ns() - cpu;
	g_assert_cmpuint(cpu, <, 20 * 1000 * 1000);
	ptoy_destroy(t);
}

/**
 * main() - register and run the tests
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: GTest's exit status
 */
int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_data_func("/virtio/queue-poll/no-kicks/event-idx", "",
			     test_no_kicks);
	g_test_add_data_func("/virtio/queue-poll/no-kicks/no-notify", NULL,
			     test_no_kicks);
	g_test_add_func("/virtio/queue-poll/completions",
			test_poll_completions);
	g_test_add_data_func("/virtio/queue-poll/rearm/event-idx", "",
			     test_rearm_before_sleep);
	g_test_add_data_func("/virtio/queue-poll/rearm/no-notify", NULL,
			     test_rearm_before_sleep);
	g_test_add_data_func("/virtio/queue-poll/window-edge/inline", NULL,
			     test_window_edge);
	g_test_add_data_func("/virtio/queue-poll/window-edge/async", "",
			     test_window_edge);
	g_test_add_data_func("/virtio/queue-poll/idle/50us",
			     GUINT_TO_POINTER(50), test_idle_sleeps);
	g_test_add_data_func("/virtio/queue-poll/idle/wide",
			     GUINT_TO_POINTER(WIDE_POLL_US), test_idle_sleeps);
	g_test_add_func("/virtio/queue-poll/stop", test_stop_while_polling);
	g_test_add_func("/virtio/queue-poll/broken", test_broken_while_polling);
	return g_test_run();
}
