/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the device core: features, reset, and the queue workers.
 *
 * A toy device completes requests asynchronously, as a block device with
 * io_uring would: queue_kick pops chains and hands them to a back-end thread,
 * which "does the I/O" (writes a reply into guest memory) and signals a
 * per-queue eventfd the worker watches; the watch callback pushes the used
 * buffers. The back-end can be held, which keeps requests in flight for as
 * long as a test needs, to check that virtio_queue_stop() drains them.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "devices/virtio/virtio-device.h"
#include "tests/unit/virtio/vq-test-util.h"

#define NUM_QUEUES 4
#define QSIZE	   64
#define WAIT_MS	   5000
#define REPLY_XOR  0xdeadbeefU
#define TOY_FEATURES                                                           \
	((1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_RING_F_EVENT_IDX) |    \
	 (1ULL << VIRTIO_RING_F_INDIRECT_DESC))

struct toy_job {
	struct virtqueue *vq;
	struct vq_elem *elem;
};

/* Per-queue state, touched by its worker and the back-end thread */
struct toy_queue {
	int done_fd;		  /* back-end -> worker: jobs done */
	GArray *done;		  /* struct toy_job, under toy->lock */
	unsigned long popped;	  /* worker only */
	unsigned long pushed;	  /* worker only */
	unsigned long kick_calls; /* worker only */
	unsigned int starts;	  /* worker, read after the stop */
	unsigned int stops;	  /* worker, read after the stop */
	bool stop_with_inflight;  /* queue_stop ran with requests in flight */
	char thread_name[16];	  /* name of the worker thread */
	pthread_t thread;	  /* the worker thread */
	bool sibling_accepting;	  /* queue_kick: the next queue accepted */
};

struct toy {
	struct virtio_device vdev;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	GArray *submitted; /* struct toy_job, under lock */
	unsigned long submitted_total;
	bool hold;	       /* back-end must not complete anything */
	unsigned int delay_us; /* back-end "I/O" time per batch */
	bool stopping;	       /* atomic: the test is in virtio_queue_stop() */
	unsigned long drained; /* atomic: completions pushed while stopping */
	bool quit;
	pthread_t backend;
	struct toy_queue q[NUM_QUEUES];
	bool fail_start;	 /* queue_start refuses */
	int out_fd;		 /* >= 0: queue 0 watches it for EPOLLOUT */
	unsigned int out_events; /* atomic: EPOLLOUT callbacks */
	unsigned int resets;
	uint64_t set_features_arg;
};

/**
 * toy_of() - the toy device behind a virtio device
 * @dev:	virtio device
 *
 * Return: containing struct toy
 */
static struct toy *toy_of(struct virtio_device *dev)
{
	return (struct toy *)((char *)dev - offsetof(struct toy, vdev));
}

/**
 * toy_backend() - complete submitted jobs unless held
 * @opaque:	struct toy
 *
 * Return: NULL
 */
static void *toy_backend(void *opaque)
{
	struct toy *toy = opaque;

	pthread_mutex_lock(&toy->lock);
	for (;;) {
		unsigned int i;

		while (!toy->quit && (toy->hold || !toy->submitted->len))
			pthread_cond_wait(&toy->cond, &toy->lock);
		if (toy->quit)
			break;
		if (toy->delay_us) {
			pthread_mutex_unlock(&toy->lock);
			g_usleep(toy->delay_us);
			pthread_mutex_lock(&toy->lock);
		}
		for (i = 0; i < toy->submitted->len; i++) {
			struct toy_job *job = &g_array_index(toy->submitted,
							     struct toy_job, i);
			struct toy_queue *q = &toy->q[job->vq->index];
			static const uint64_t one = 1;
			uint32_t id, reply;

			/* The "I/O": read the request id, write the reply */
			iov_to_buf(job->elem->out_sg, job->elem->out_num, 0,
				   &id, sizeof(id));
			reply = id ^ REPLY_XOR;
			iov_from_buf(job->elem->in_sg, job->elem->in_num, 0,
				     &reply, sizeof(reply));
			g_array_append_val(q->done, *job);
			g_assert_cmpint(write(q->done_fd, &one, sizeof(one)),
					==, sizeof(one));
		}
		g_array_set_size(toy->submitted, 0);
	}
	pthread_mutex_unlock(&toy->lock);
	return NULL;
}

/**
 * toy_done() - watch callback: push what the back-end completed
 * @vq:		virtqueue
 * @opaque:	struct toy
 */
static void toy_done(struct virtqueue *vq, void *opaque)
{
	struct toy *toy = opaque;
	struct toy_queue *q = &toy->q[vq->index];
	GArray *done;
	unsigned int i;

	eventfd_take(q->done_fd);
	pthread_mutex_lock(&toy->lock);
	done = q->done;
	q->done = g_array_new(false, false, sizeof(struct toy_job));
	pthread_mutex_unlock(&toy->lock);

	for (i = 0; i < done->len; i++) {
		vq_push(vq, g_array_index(done, struct toy_job, i).elem,
			sizeof(uint32_t));
		q->pushed++;
		if (__atomic_load_n(&toy->stopping, __ATOMIC_RELAXED))
			__atomic_fetch_add(&toy->drained, 1, __ATOMIC_RELAXED);
	}
	g_array_free(done, true);
	vq_notify(vq);
}

/**
 * toy_get_features() - features the toy offers
 * @dev:	device
 *
 * Return: VERSION_1, EVENT_IDX, INDIRECT_DESC
 */
static uint64_t toy_get_features(struct virtio_device *dev)
{
	return TOY_FEATURES;
}

/**
 * toy_set_features() - remember the driver's choice
 * @dev:	device
 * @features:	accepted features
 * @errp:	unused
 *
 * Return: true
 */
static bool toy_set_features(struct virtio_device *dev, uint64_t features,
			     struct error **errp)
{
	toy_of(dev)->set_features_arg = features;
	return true;
}

/**
 * toy_reset() - count resets
 * @dev:	device
 */
static void toy_reset(struct virtio_device *dev)
{
	toy_of(dev)->resets++;
}

/**
 * toy_out_ready() - EPOLLOUT of toy->out_fd: count, pause after three
 * @vq:		queue 0
 * @revents:	ready events
 * @opaque:	toy
 */
static void toy_out_ready(struct virtqueue *vq, uint32_t revents, void *opaque)
{
	struct toy *toy = opaque;

	g_assert_true(revents & EPOLLOUT);
	if (__atomic_add_fetch(&toy->out_events, 1, __ATOMIC_RELAXED) == 3)
		g_assert_true(
			virtio_queue_watch_modify(vq, toy->out_fd, 0, NULL));
}

/**
 * toy_queue_start() - create and watch the completion eventfd
 * @dev:	device
 * @vq:		virtqueue
 * @errp:	error if asked to fail
 *
 * Return: false if the test asked for a failure
 */
static bool toy_queue_start(struct virtio_device *dev, struct virtqueue *vq,
			    struct error **errp)
{
	struct toy *toy = toy_of(dev);
	struct toy_queue *q = &toy->q[vq->index];

	pthread_getname_np(pthread_self(), q->thread_name,
			   sizeof(q->thread_name));
	q->thread = pthread_self();
	if (toy->fail_start) {
		error_setg(errp, "toy refuses to start");
		return false;
	}
	q->done_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	g_assert_cmpint(q->done_fd, >=, 0);
	q->done = g_array_new(false, false, sizeof(struct toy_job));
	q->starts++;
	if (!virtio_queue_watch(vq, q->done_fd, toy_done, toy, errp)) {
		close(q->done_fd);
		g_array_free(q->done, true);
		return false;
	}
	if (vq->index == 0 && toy->out_fd >= 0)
		g_assert_true(virtio_queue_watch_events(
			vq, toy->out_fd, EPOLLOUT, toy_out_ready, toy, NULL));
	return true;
}

/**
 * toy_queue_group() - every queue in group 0 (the grouped toy)
 * @dev:	device
 * @idx:	queue index
 *
 * Return: 0
 */
static unsigned int toy_queue_group(struct virtio_device *dev, unsigned int idx)
{
	return 0;
}

/**
 * toy_queue_kick() - pop every chain and hand it to the back-end
 * @dev:	device
 * @vq:		virtqueue
 */
static void toy_queue_kick(struct virtio_device *dev, struct virtqueue *vq)
{
	struct toy *toy = toy_of(dev);
	struct toy_queue *q = &toy->q[vq->index];
	struct vq_elem *elem;

	q->kick_calls++;
	if (vq->index + 1 < dev->num_queues)
		q->sibling_accepting =
			virtio_queue_accepting(&dev->vqs[vq->index + 1]);
	do {
		vq_disable_notification(vq);
		while (vq_pop(vq, &elem, NULL) == 1) {
			struct toy_job job = { vq, elem };

			q->popped++;
			pthread_mutex_lock(&toy->lock);
			g_array_append_val(toy->submitted, job);
			toy->submitted_total++;
			pthread_cond_broadcast(&toy->cond);
			pthread_mutex_unlock(&toy->lock);
		}
	} while (vq_enable_notification(vq));
}

/**
 * toy_queue_stop() - check the drain, release the completion eventfd
 * @dev:	device
 * @vq:		virtqueue
 */
static void toy_queue_stop(struct virtio_device *dev, struct virtqueue *vq)
{
	struct toy_queue *q = &toy_of(dev)->q[vq->index];

	if (vq->inflight)
		q->stop_with_inflight = true;
	q->stops++;
	close(q->done_fd);
	q->done_fd = -1;
	g_array_free(q->done, true);
	q->done = NULL;
}

/**
 * toy_free() - stop the back-end and free the toy
 * @dev:	device
 */
static void toy_free(struct virtio_device *dev)
{
	struct toy *toy = toy_of(dev);

	pthread_mutex_lock(&toy->lock);
	toy->quit = true;
	pthread_cond_broadcast(&toy->cond);
	pthread_mutex_unlock(&toy->lock);
	pthread_join(toy->backend, NULL);
	g_array_free(toy->submitted, true);
	pthread_mutex_destroy(&toy->lock);
	pthread_cond_destroy(&toy->cond);
	g_free(toy);
}

/**
 * toy_feature_name() - names of the toy's own feature bits
 * @bit:	feature bit
 *
 * Return: "TOY_F_ZERO" for bit 0, NULL otherwise
 */
static const char *toy_feature_name(unsigned int bit)
{
	return bit == 0 ? "TOY_F_ZERO" : NULL;
}

static const struct virtio_device_ops toy_ops = {
	.name = "toy",
	.device_id = 0x7f,
	.get_features = toy_get_features,
	.set_features = toy_set_features,
	.reset = toy_reset,
	.queue_start = toy_queue_start,
	.queue_kick = toy_queue_kick,
	.queue_stop = toy_queue_stop,
	.feature_name = toy_feature_name,
	.free = toy_free,
};

/* The same toy with all its queues sharing one worker */
static const struct virtio_device_ops toy_group_ops = {
	.name = "toy",
	.device_id = 0x7f,
	.get_features = toy_get_features,
	.set_features = toy_set_features,
	.reset = toy_reset,
	.queue_start = toy_queue_start,
	.queue_kick = toy_queue_kick,
	.queue_stop = toy_queue_stop,
	.queue_group = toy_queue_group,
	.free = toy_free,
};

/**
 * toy_new_ops() - create a toy device with @ops and its back-end thread
 * @ops:	toy_ops or toy_group_ops
 *
 * Return: the toy (freed by virtio_device_free())
 */
static struct toy *toy_new_ops(const struct virtio_device_ops *ops)
{
	struct toy *toy = g_new0(struct toy, 1);
	struct error *err = NULL;

	toy->out_fd = -1;
	g_assert_true(
		virtio_device_init(&toy->vdev, ops, NUM_QUEUES, QSIZE, &err));
	g_assert_null(err);
	pthread_mutex_init(&toy->lock, NULL);
	pthread_cond_init(&toy->cond, NULL);
	toy->submitted = g_array_new(false, false, sizeof(struct toy_job));
	g_assert_cmpint(pthread_create(&toy->backend, NULL, toy_backend, toy),
			==, 0);
	return toy;
}

/**
 * toy_new() - create a toy device, one worker per queue
 *
 * Return: the toy (freed by virtio_device_free())
 */
static struct toy *toy_new(void)
{
	return toy_new_ops(&toy_ops);
}

/**
 * toy_hold() - hold or release the back-end
 * @toy:	toy
 * @hold:	true: complete nothing until released
 */
static void toy_hold(struct toy *toy, bool hold)
{
	pthread_mutex_lock(&toy->lock);
	toy->hold = hold;
	pthread_cond_broadcast(&toy->cond);
	pthread_mutex_unlock(&toy->lock);
}

/**
 * toy_wait_submitted() - wait until the back-end received @n jobs in total
 * @toy:	toy
 * @n:		jobs
 *
 * Return: true if reached within WAIT_MS
 */
static bool toy_wait_submitted(struct toy *toy, unsigned long n)
{
	struct timespec deadline;
	bool ok = true;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += WAIT_MS / 1000;
	pthread_mutex_lock(&toy->lock);
	while (ok && toy->submitted_total < n)
		ok = pthread_cond_timedwait(&toy->cond, &toy->lock,
					    &deadline) != ETIMEDOUT ||
		     toy->submitted_total >= n;
	pthread_mutex_unlock(&toy->lock);
	return ok;
}

/* The driver side of one queue of the toy */
struct toy_driver {
	struct test_guest *g;
	struct vring_driver drv;
	uint64_t gpa;	   /* rings */
	uint64_t data_gpa; /* request i of a slot: 16 bytes each */
	uint32_t next_id;
	unsigned long received;
	int kick_fd, call_fd, err_fd;
};

/**
 * driver_init() - lay out queue @idx of @toy in guest memory and configure it
 * @td:		driver state
 * @g:		guest memory
 * @toy:	device
 * @idx:	queue index
 * @use_kick:	give the queue a kick eventfd (else it polls)
 */
static void driver_init(struct toy_driver *td, struct test_guest *g,
			struct toy *toy, unsigned int idx, bool use_kick)
{
	struct virtqueue *vq = &toy->vdev.vqs[idx];
	size_t size = vring_driver_mem_size(QSIZE, QSIZE);

	memset(td, 0, sizeof(*td));
	td->g = g;
	td->gpa = TG_RAM0_GPA + idx * 0x80000ULL;
	td->data_gpa = TG_DATA_GPA + idx * 0x10000ULL;
	g_assert_cmpuint(size, <=, 0x80000);
	g_assert_true(vring_driver_init(&td->drv,
					test_guest_ptr(g, td->gpa, size),
					td->gpa, QSIZE, true, QSIZE));
	td->kick_fd = use_kick ? eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC) : -1;
	td->call_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	td->err_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	vq->num = QSIZE;
	vq->desc = td->drv.desc;
	vq->avail = td->drv.avail;
	vq->used = td->drv.used;
	vq->mem = &g->mem;
	vq->kick_fd = td->kick_fd;
	vq->call_fd = td->call_fd;
	vq->err_fd = td->err_fd;
	vq->enabled = true;
}

/**
 * driver_cleanup() - close the eventfds and free the driver
 * @td:	driver state
 */
static void driver_cleanup(struct toy_driver *td)
{
	if (td->kick_fd >= 0)
		close(td->kick_fd);
	close(td->call_fd);
	close(td->err_fd);
	vring_driver_cleanup(&td->drv);
}

/**
 * driver_submit() - offer up to @n requests and kick if the device wants
 * @td:		driver state
 * @n:		requests
 *
 * Return: requests offered (fewer if the ring is full)
 */
static unsigned int driver_submit(struct toy_driver *td, unsigned int n)
{
	static const uint64_t one = 1;
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint32_t id = td->next_id;
		struct vring_buf out, in;
		int head;

		/* The slot follows the head, which is free when we get it */
		head = td->drv.free_head;
		if (!td->drv.num_free)
			break;
		out = (struct vring_buf){ td->data_gpa + head * 16ULL, 4 };
		in = (struct vring_buf){ td->data_gpa + head * 16ULL + 8, 4 };
		memcpy(test_guest_ptr(td->g, out.gpa, 4), &id, 4);
		memset(test_guest_ptr(td->g, in.gpa, 4), 0, 4);
		g_assert_cmpint(vring_driver_add(&td->drv, &out, 1, &in, 1,
						 (void *)(uintptr_t)(id + 1)),
				==, head);
		td->next_id++;
	}
	if (vring_driver_publish(&td->drv) && td->kick_fd >= 0)
		g_assert_cmpint(write(td->kick_fd, &one, sizeof(one)), ==,
				sizeof(one));
	return i;
}

/**
 * driver_collect() - take used requests and check their replies
 * @td:	driver state
 *
 * Return: requests collected
 */
static unsigned int driver_collect(struct toy_driver *td)
{
	unsigned int n = 0;
	void *token;
	uint32_t len;

	while ((token = vring_driver_get_used(&td->drv, &len))) {
		uint32_t id = (uint32_t)(uintptr_t)token - 1, reply;
		uint16_t head = td->drv.free_head; /* just freed */

		g_assert_cmpuint(len, ==, sizeof(reply));
		memcpy(&reply,
		       test_guest_ptr(td->g, td->data_gpa + head * 16ULL + 8,
				      4),
		       4);
		g_assert_cmphex(reply, ==, id ^ REPLY_XOR);
		td->received++;
		n++;
	}
	return n;
}

/**
 * driver_wait_all() - collect until every submitted request came back
 * @td:	driver state
 *
 * Return: true if all arrived; false after WAIT_MS without progress
 */
static bool driver_wait_all(struct toy_driver *td)
{
	while (td->received < td->next_id) {
		struct pollfd pfd = { .fd = td->call_fd, .events = POLLIN };

		if (driver_collect(td) || vring_driver_enable_cb(&td->drv))
			continue;
		if (poll(&pfd, 1, WAIT_MS) <= 0)
			return false;
		eventfd_take(td->call_fd);
	}
	return true;
}

/**
 * start_queue() - negotiate the toy's features and start queue @idx
 * @toy:	toy
 * @idx:	queue
 */
static void start_queue(struct toy *toy, unsigned int idx)
{
	struct error *err = NULL;

	if (!toy->vdev.features)
		g_assert_true(virtio_device_set_features(&toy->vdev,
							 TOY_FEATURES, NULL));
	g_assert_true(virtio_queue_start(&toy->vdev, idx, &err));
	g_assert_null(err);
	g_assert_true(virtio_queue_running(&toy->vdev, idx));
}

/**
 * test_worker_basic() - requests on several queues at once, each on its own
 * named worker thread
 */
static void test_worker_basic(void)
{
	struct toy_driver td[NUM_QUEUES];
	struct toy *toy = toy_new();
	struct test_guest g;
	unsigned int i, round;

	test_guest_init(&g);
	for (i = 0; i < NUM_QUEUES; i++) {
		driver_init(&td[i], &g, toy, i, true);
		start_queue(toy, i);
	}
	for (round = 0; round < 50; round++)
		for (i = 0; i < NUM_QUEUES; i++) {
			driver_submit(&td[i], 1 + (round * 7 + i) % QSIZE);
			g_assert_true(driver_wait_all(&td[i]));
		}
	for (i = 0; i < NUM_QUEUES; i++) {
		char name[16];
		struct virtqueue *vq = &toy->vdev.vqs[i];

		virtio_queue_stop(&toy->vdev, i);
		g_assert_false(virtio_queue_running(&toy->vdev, i));
		g_snprintf(name, sizeof(name), "vq%u", i);
		g_assert_cmpstr(toy->q[i].thread_name, ==, name);
		g_assert_cmpuint(vq->last_avail_idx, ==,
				 (uint16_t)td[i].next_id);
		g_assert_cmpuint(td[i].drv.used->idx, ==,
				 (uint16_t)td[i].next_id);
		g_assert_cmpuint(toy->q[i].pushed, ==, td[i].next_id);
		g_assert_cmpuint(vq->stats.requests, ==, td[i].next_id);
		g_assert_cmpuint(vq->stats.kicks, >, 0);
		g_assert_cmpuint(vq->stats.calls, >, 0);
		g_assert_cmpuint(toy->q[i].starts, ==, 1);
		g_assert_cmpuint(toy->q[i].stops, ==, 1);
		g_assert_false(toy->q[i].stop_with_inflight);
		g_assert_null(vq->elems);
	}
	virtio_device_free(&toy->vdev);
	for (i = 0; i < NUM_QUEUES; i++)
		driver_cleanup(&td[i]);
	test_guest_cleanup(&g);
}

struct stopper {
	struct virtio_device *dev;
	unsigned int idx;
	bool returned; /* atomic */
};

/**
 * stopper_thread() - call virtio_queue_stop() from another thread
 * @opaque:	struct stopper
 *
 * Return: NULL
 */
static void *stopper_thread(void *opaque)
{
	struct stopper *s = opaque;

	virtio_queue_stop(s->dev, s->idx);
	__atomic_store_n(&s->returned, true, __ATOMIC_RELEASE);
	return NULL;
}

/**
 * join_within() - join a thread, failing the test after WAIT_MS
 * @thread:	thread
 */
static void join_within(pthread_t thread)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += WAIT_MS / 1000;
	g_assert_cmpint(pthread_timedjoin_np(thread, NULL, &deadline), ==, 0);
}

/**
 * test_stop_drains() - virtio_queue_stop() returns only when the requests in
 * flight completed, ignores kicks meanwhile, and leaves last_avail_idx at the
 * first chain not taken
 */
static void test_stop_drains(void)
{
	struct toy *toy = toy_new();
	struct stopper s = { &toy->vdev, 1, false };
	struct virtqueue *vq = &toy->vdev.vqs[1];
	struct toy_driver td;
	struct test_guest g;
	pthread_t thread;

	test_guest_init(&g);
	driver_init(&td, &g, toy, 1, true);
	start_queue(toy, 1);
	toy_hold(toy, true);
	g_assert_cmpuint(driver_submit(&td, 8), ==, 8);
	g_assert_true(toy_wait_submitted(toy, 8));

	g_assert_cmpint(pthread_create(&thread, NULL, stopper_thread, &s), ==,
			0);
	g_usleep(50 * 1000);
	g_assert_false(__atomic_load_n(&s.returned, __ATOMIC_ACQUIRE));
	/* Offered and kicked while stopping: must stay in the ring */
	g_assert_cmpuint(driver_submit(&td, 4), ==, 4);
	g_assert_cmpint(write(td.kick_fd, &(uint64_t){ 1 }, 8), ==, 8);
	g_usleep(20 * 1000);
	g_assert_false(__atomic_load_n(&s.returned, __ATOMIC_ACQUIRE));
	g_assert_cmpuint(td.drv.used->idx, ==, 0);

	toy_hold(toy, false);
	join_within(thread);
	g_assert_true(s.returned);
	g_assert_false(virtio_queue_running(&toy->vdev, 1));
	g_assert_false(toy->q[1].stop_with_inflight);
	g_assert_cmpuint(toy->q[1].stops, ==, 1);
	g_assert_cmpuint(vq->last_avail_idx, ==, 8);
	g_assert_cmpuint(td.drv.used->idx, ==, 8);
	g_assert_cmpuint(toy->q[1].pushed, ==, 8);
	g_assert_cmpuint(driver_collect(&td), ==, 8);

	/* Restarted, the queue takes the 4 left in the ring without a kick */
	eventfd_take(td.kick_fd);
	start_queue(toy, 1);
	g_assert_true(driver_wait_all(&td));
	virtio_queue_stop(&toy->vdev, 1);
	g_assert_cmpuint(vq->last_avail_idx, ==, 12);
	g_assert_cmpuint(td.received, ==, 12);

	virtio_device_free(&toy->vdev);
	driver_cleanup(&td);
	test_guest_cleanup(&g);
}

/**
 * test_start_stop_repeated() - 100 start/stop cycles with requests in flight
 * at random moments; nothing is lost or duplicated
 */
static void test_start_stop_repeated(void)
{
	struct toy *toy = toy_new();
	struct virtqueue *vq = &toy->vdev.vqs[0];
	GRand *rand = g_rand_new_with_seed(7);
	struct toy_driver td;
	struct test_guest g;
	unsigned int i;

	test_guest_init(&g);
	driver_init(&td, &g, toy, 0, true);
	toy->delay_us = 200;
	for (i = 0; i < 100; i++) {
		driver_submit(&td, g_rand_int_range(rand, 0, 17));
		start_queue(toy, 0);
		if (g_rand_boolean(rand))
			g_usleep(g_rand_int_range(rand, 0, 500));
		driver_submit(&td, g_rand_int_range(rand, 0, 5));
		__atomic_store_n(&toy->stopping, true, __ATOMIC_RELAXED);
		virtio_queue_stop(&toy->vdev, 0);
		__atomic_store_n(&toy->stopping, false, __ATOMIC_RELAXED);

		g_assert_false(toy->q[0].stop_with_inflight);
		/* Everything taken was completed before the stop returned */
		g_assert_cmpuint(td.drv.used->idx, ==, vq->last_avail_idx);
		g_assert_cmpuint(toy->q[0].pushed, ==, toy->q[0].popped);
		driver_collect(&td);
	}
	g_test_message("%lu requests completed during a stop", toy->drained);
	g_assert_cmpuint(toy->q[0].starts, ==, 100);
	g_assert_cmpuint(toy->q[0].stops, ==, 100);
	start_queue(toy, 0);
	g_assert_true(driver_wait_all(&td));
	virtio_queue_stop(&toy->vdev, 0);
	g_assert_cmpuint(td.received, ==, td.next_id);
	g_assert_cmpuint(toy->q[0].pushed, ==, td.next_id);
	g_assert_cmpuint(vq->last_avail_idx, ==, (uint16_t)td.next_id);

	g_rand_free(rand);
	virtio_device_free(&toy->vdev);
	driver_cleanup(&td);
	test_guest_cleanup(&g);
}

/**
 * test_polling_mode() - with kick_fd -1 the worker finds requests by itself
 */
static void test_polling_mode(void)
{
	struct toy *toy = toy_new();
	struct toy_driver td;
	struct test_guest g;
	unsigned int round;

	test_guest_init(&g);
	driver_init(&td, &g, toy, 2, false);
	start_queue(toy, 2);
	for (round = 0; round < 20; round++) {
		driver_submit(&td, 1 + round);
		g_assert_true(driver_wait_all(&td));
	}
	virtio_queue_stop(&toy->vdev, 2);
	g_assert_cmpuint(toy->vdev.vqs[2].last_avail_idx, ==, td.next_id);
	g_assert_cmpuint(toy->vdev.vqs[2].stats.kicks, ==, 0);
	virtio_device_free(&toy->vdev);
	driver_cleanup(&td);
	test_guest_cleanup(&g);
}

/**
 * wait_eventfd() - wait for an eventfd to be signalled
 * @fd:	eventfd
 *
 * Return: true if signalled within WAIT_MS
 */
static bool wait_eventfd(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (poll(&pfd, 1, WAIT_MS) <= 0)
		return false;
	eventfd_take(fd);
	return true;
}

/**
 * test_broken_queue_drains() - a queue broken with requests in flight
 * completes them without ring writes, ignores kicks, and stops cleanly
 */
static void test_broken_queue_drains(void)
{
	struct toy *toy = toy_new();
	struct virtqueue *vq = &toy->vdev.vqs[3];
	unsigned long kick_calls;
	struct toy_driver td;
	struct test_guest g;
	uint16_t slot;

	test_guest_init(&g);
	driver_init(&td, &g, toy, 3, true);
	start_queue(toy, 3);
	toy_hold(toy, true);
	g_assert_cmpuint(driver_submit(&td, 4), ==, 4);
	g_assert_true(toy_wait_submitted(toy, 4));

	/* A head out of range: the queue breaks on the next kick */
	slot = td.drv.avail_idx % QSIZE;
	td.drv.avail->ring[slot] = QSIZE + 1;
	td.drv.avail_idx++;
	vring_driver_publish(&td.drv);
	g_assert_cmpint(write(td.kick_fd, &(uint64_t){ 1 }, 8), ==, 8);
	g_assert_true(wait_eventfd(td.err_fd));
	g_assert_true(
		__atomic_load_n(&toy->vdev.needs_reset, __ATOMIC_RELAXED));

	test_guest_snapshot(&g);
	/* Kicks on a broken queue do not reach the device */
	g_usleep(10 * 1000);
	kick_calls = toy->q[3].kick_calls;
	g_assert_cmpint(write(td.kick_fd, &(uint64_t){ 1 }, 8), ==, 8);
	toy_hold(toy, false);
	virtio_queue_stop(&toy->vdev, 3);

	g_assert_cmpuint(toy->q[3].kick_calls, ==, kick_calls);
	g_assert_cmpuint(toy->q[3].pushed, ==, 4);
	g_assert_false(toy->q[3].stop_with_inflight);
	g_assert_cmpuint(vq->last_avail_idx, ==, 4);
	g_assert_cmpuint(td.drv.used->idx, ==, 0);
	/* The back-end wrote the replies (that is the I/O), nothing else */
	{
		uint8_t *rings = test_guest_ptr(&g, td.gpa, 0x80000);
		uint8_t *snap = g.snapshot[0] + (td.gpa - TG_RAM0_GPA);

		g_assert_cmpint(memcmp(rings, snap, 0x80000), ==, 0);
	}
	virtio_device_reset(&toy->vdev);
	g_assert_false(toy->vdev.needs_reset);
	g_assert_false(vq->broken);

	virtio_device_free(&toy->vdev);
	driver_cleanup(&td);
	test_guest_cleanup(&g);
}

/**
 * test_kick_fd_eof() - a kick fd that reads end-of-file (a pipe whose writer
 * the front-end closed) breaks the queue once instead of waking the worker
 * for ever
 */
static void test_kick_fd_eof(void)
{
	struct toy *toy = toy_new();
	struct virtqueue *vq = &toy->vdev.vqs[1];
	unsigned long kick_calls;
	struct toy_driver td;
	struct test_guest g;
	int pipefd[2];

	test_guest_init(&g);
	driver_init(&td, &g, toy, 1, true);
	g_assert_cmpint(pipe2(pipefd, O_CLOEXEC | O_NONBLOCK), ==, 0);
	close(pipefd[1]); /* always readable, read() returns 0 */
	vq->kick_fd = pipefd[0];
	start_queue(toy, 1);

	g_assert_true(wait_eventfd(td.err_fd));
	g_assert_true(vq->broken);
	kick_calls = toy->q[1].kick_calls;
	g_usleep(50 * 1000);
	/* Without the fix the worker spins: thousands of wake-ups */
	g_assert_cmpuint(toy->q[1].kick_calls, ==, kick_calls);
	g_assert_cmpuint(vq->stats.kicks, <=, 1);
	virtio_queue_stop(&toy->vdev, 1);

	close(pipefd[0]);
	vq->kick_fd = -1;
	virtio_device_free(&toy->vdev);
	driver_cleanup(&td);
	test_guest_cleanup(&g);
}

/**
 * test_queue_start_fails() - ops->queue_start's error reaches the caller
 */
static void test_queue_start_fails(void)
{
	struct toy *toy = toy_new();
	struct error *err = NULL;
	struct toy_driver td;
	struct test_guest g;

	test_guest_init(&g);
	driver_init(&td, &g, toy, 0, true);
	toy->fail_start = true;
	g_assert_false(virtio_queue_start(&toy->vdev, 0, &err));
	g_assert_nonnull(err);
	g_assert_nonnull(strstr(error_get_pretty(err), "toy: queue 0: "));
	g_assert_nonnull(strstr(error_get_pretty(err), "toy refuses to start"));
	error_free(err);
	err = NULL;
	g_assert_false(virtio_queue_running(&toy->vdev, 0));
	g_assert_null(toy->vdev.vqs[0].elems);
	virtio_queue_stop(&toy->vdev, 0);

	g_assert_false(virtio_queue_start(&toy->vdev, NUM_QUEUES, &err));
	g_assert_nonnull(strstr(error_get_pretty(err), "queue 4 does not"));
	error_free(err);
	err = NULL;

	/* A bad queue size is refused by vq_setup() */
	toy->fail_start = false;
	toy->vdev.vqs[0].num = QSIZE * 2;
	g_assert_false(virtio_queue_start(&toy->vdev, 0, &err));
	g_assert_nonnull(strstr(error_get_pretty(err), "exceeds the maximum"));
	error_free(err);
	toy->vdev.vqs[0].num = QSIZE;

	start_queue(toy, 0);
	err = NULL;
	g_assert_false(virtio_queue_start(&toy->vdev, 0, &err));
	g_assert_nonnull(strstr(error_get_pretty(err), "already running"));
	error_free(err);

	virtio_device_free(&toy->vdev);
	driver_cleanup(&td);
	test_guest_cleanup(&g);
}

/**
 * test_set_features() - bits not offered are refused and named
 */
static void test_set_features(void)
{
	struct toy *toy = toy_new();
	struct error *err = NULL;
	uint64_t ok = (1ULL << VIRTIO_F_VERSION_1) |
		      (1ULL << VIRTIO_RING_F_EVENT_IDX);

	g_assert_true(virtio_device_set_features(&toy->vdev, ok, &err));
	g_assert_null(err);
	g_assert_cmphex(toy->vdev.features, ==, ok);
	g_assert_cmphex(toy->set_features_arg, ==, ok);

	g_assert_false(virtio_device_set_features(
		&toy->vdev, ok | (1ULL << 5) | (1ULL << 40), &err));
	g_assert_nonnull(err);
	g_test_message("error: %s", error_get_pretty(err));
	g_assert_nonnull(strstr(error_get_pretty(err), "not offered"));
	g_assert_nonnull(strstr(error_get_pretty(err), ": 5, 40"));
	error_free(err);
	g_assert_cmphex(toy->vdev.features, ==, ok);
	virtio_device_free(&toy->vdev);
}

/**
 * test_reset() - reset stops queues and clears the negotiated state
 */
static void test_reset(void)
{
	struct toy *toy = toy_new();
	struct toy_driver td;
	struct test_guest g;

	test_guest_init(&g);
	driver_init(&td, &g, toy, 0, true);
	start_queue(toy, 0);
	driver_submit(&td, 3);
	g_assert_true(driver_wait_all(&td));
	toy->vdev.status = VIRTIO_CONFIG_S_DRIVER_OK;

	virtio_device_reset(&toy->vdev);
	g_assert_false(virtio_queue_running(&toy->vdev, 0));
	g_assert_cmpuint(toy->q[0].stops, ==, 1);
	g_assert_cmpuint(toy->resets, ==, 1);
	g_assert_cmphex(toy->vdev.features, ==, 0);
	g_assert_cmpuint(toy->vdev.status, ==, 0);
	g_assert_cmpuint(toy->vdev.vqs[0].last_avail_idx, ==, 0);
	g_assert_false(toy->vdev.vqs[0].enabled);
	virtio_device_free(&toy->vdev);
	driver_cleanup(&td);
	test_guest_cleanup(&g);
}

/**
 * config_notify() - record a config change notification
 * @dev:	device
 * @opaque:	counter
 * @errp:	set on the second call, as if the driver could not be told
 *
 * Return: true on the first call
 */
static bool config_notify(struct virtio_device *dev, void *opaque,
			  struct error **errp)
{
	unsigned int *calls = opaque;

	if (++*calls > 1) {
		error_setg(errp, "front-end gone");
		return false;
	}
	return true;
}

/**
 * test_config_changed() - the transport's callback is called, if set, and
 * its answer returned; without a transport the call fails
 */
static void test_config_changed(void)
{
	struct toy *toy = toy_new();
	struct error *err = NULL;
	unsigned int calls = 0;

	g_assert_false(virtio_device_config_changed(&toy->vdev, &err));
	g_assert_nonnull(strstr(error_get_pretty(err), "no transport"));
	error_free(err);
	err = NULL;
	toy->vdev.config_notify = config_notify;
	toy->vdev.transport_opaque = &calls;
	g_assert_true(virtio_device_config_changed(&toy->vdev, &err));
	g_assert_null(err);
	g_assert_cmpuint(calls, ==, 1);
	g_assert_false(virtio_device_config_changed(&toy->vdev, &err));
	g_assert_cmpstr(error_get_pretty(err), ==, "front-end gone");
	error_free(err);
	g_assert_false(virtio_device_config_changed(&toy->vdev, NULL));
	virtio_device_free(&toy->vdev);
}

/* What a listener heard, from whichever thread */
#define MAX_EVENTS 16

struct heard {
	enum virtio_device_event ev;
	int queue;
	char *reason;
	uint8_t status; /* virtio_device_get_status() in the listener */
	bool on_test_thread;
};

struct event_log {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t test_thread;
	struct heard e[MAX_EVENTS];
	unsigned int n;
};

/**
 * log_event() - device listener: record the event
 * @dev:	device
 * @ev:		event
 * @queue:	broken queue or -1
 * @reason:	why it broke or NULL
 * @opaque:	struct event_log
 */
static void log_event(struct virtio_device *dev, enum virtio_device_event ev,
		      int queue, const char *reason, void *opaque)
{
	struct event_log *log = opaque;

	pthread_mutex_lock(&log->lock);
	g_assert_cmpuint(log->n, <, MAX_EVENTS);
	log->e[log->n++] = (struct heard){
		.ev = ev,
		.queue = queue,
		.reason = g_strdup(reason),
		.status = virtio_device_get_status(dev),
		.on_test_thread =
			pthread_equal(pthread_self(), log->test_thread),
	};
	pthread_cond_broadcast(&log->cond);
	pthread_mutex_unlock(&log->lock);
}

/**
 * wait_events() - wait until @n events were heard in all
 * @log:	event log
 * @n:		events expected
 *
 * Return: true if they came within WAIT_MS
 */
static bool wait_events(struct event_log *log, unsigned int n)
{
	gint64 end = g_get_monotonic_time() + WAIT_MS * 1000LL;
	bool ok;

	pthread_mutex_lock(&log->lock);
	while (log->n < n && g_get_monotonic_time() < end) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 10 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&log->cond, &log->lock, &ts);
	}
	ok = log->n >= n;
	pthread_mutex_unlock(&log->lock);
	return ok;
}

/**
 * events_heard() - how many events were heard so far
 * @log:	event log
 *
 * Return: the count
 */
static unsigned int events_heard(struct event_log *log)
{
	unsigned int n;

	pthread_mutex_lock(&log->lock);
	n = log->n;
	pthread_mutex_unlock(&log->lock);
	return n;
}

/**
 * test_events() - DRIVER_OK rising is DRIVER_READY, each non-zero to zero
 * status one RESET, a queue that breaks one BROKEN from its worker with the
 * queue and the descriptor at fault
 */
static void test_events(void)
{
	const uint8_t ready = VIRTIO_CONFIG_S_ACKNOWLEDGE |
			      VIRTIO_CONFIG_S_DRIVER |
			      VIRTIO_CONFIG_S_FEATURES_OK;
	struct event_log log = { .lock = PTHREAD_MUTEX_INITIALIZER,
				 .cond = PTHREAD_COND_INITIALIZER };
	struct virtio_device_listener l = { log_event, &log };
	struct toy *toy = toy_new();
	struct virtio_device *dev = &toy->vdev;
	struct vring_buf out = { TG_RAM_END + 0x1000, 16 };
	struct toy_driver td;
	struct test_guest g;
	unsigned int i;

	log.test_thread = pthread_self();
	virtio_device_set_listener(dev, &l);
	test_guest_init(&g);

	/* Status bits before DRIVER_OK: nothing to tell */
	virtio_device_set_status(dev, ready);
	g_assert_cmpuint(events_heard(&log), ==, 0);
	virtio_device_set_status(dev, ready | VIRTIO_CONFIG_S_DRIVER_OK);
	virtio_device_set_status(dev, ready | VIRTIO_CONFIG_S_DRIVER_OK);
	g_assert_cmpuint(events_heard(&log), ==, 1);
	g_assert_cmpint(log.e[0].ev, ==, VIRTIO_DEVICE_EVENT_DRIVER_READY);
	g_assert_cmpint(log.e[0].queue, ==, -1);
	g_assert_null(log.e[0].reason);
	g_assert_cmphex(log.e[0].status, ==, 0xf);
	g_assert_true(log.e[0].on_test_thread);

	/* A descriptor outside guest memory breaks queue 2, on its worker */
	driver_init(&td, &g, toy, 2, true);
	start_queue(toy, 2);
	g_assert_cmpint(vring_driver_add(&td.drv, &out, 1, NULL, 0, &td), ==,
			0);
	vring_driver_publish(&td.drv);
	g_assert_cmpint(write(td.kick_fd, &(uint64_t){ 1 }, 8), ==, 8);
	g_assert_true(wait_events(&log, 2));
	g_assert_cmpint(log.e[1].ev, ==, VIRTIO_DEVICE_EVENT_BROKEN);
	g_assert_cmpint(log.e[1].queue, ==, 2);
	g_assert_nonnull(strstr(log.e[1].reason, "queue 2"));
	g_assert_nonnull(strstr(log.e[1].reason, "descriptor 0"));
	g_assert_cmphex(log.e[1].status, ==, 0xf | VIRTIO_CONFIG_S_NEEDS_RESET);
	g_assert_false(log.e[1].on_test_thread);
	g_assert_cmphex(virtio_device_get_status(dev), ==,
			0xf | VIRTIO_CONFIG_S_NEEDS_RESET);

	/* Broken once: more kicks, another break attempt, no more events */
	g_assert_cmpint(write(td.kick_fd, &(uint64_t){ 1 }, 8), ==, 8);
	g_usleep(20 * 1000);
	g_assert_cmpuint(events_heard(&log), ==, 2);

	/* Reset: once, after the device is back to its initial state */
	virtio_device_reset(dev);
	virtio_device_reset(dev);
	g_assert_cmpuint(events_heard(&log), ==, 3);
	g_assert_cmpint(log.e[2].ev, ==, VIRTIO_DEVICE_EVENT_RESET);
	g_assert_cmpint(log.e[2].queue, ==, -1);
	g_assert_null(log.e[2].reason);
	g_assert_cmphex(log.e[2].status, ==, 0);
	g_assert_cmpuint(toy->resets, ==, 2);

	/* The driver writes 0: a reset, and an event only the first time */
	virtio_device_set_status(dev, ready | VIRTIO_CONFIG_S_DRIVER_OK);
	virtio_device_set_status(dev, 0);
	virtio_device_set_status(dev, 0);
	g_assert_cmpuint(events_heard(&log), ==, 5);
	g_assert_cmpint(log.e[3].ev, ==, VIRTIO_DEVICE_EVENT_DRIVER_READY);
	g_assert_cmpint(log.e[4].ev, ==, VIRTIO_DEVICE_EVENT_RESET);
	g_assert_cmpuint(toy->resets, ==, 4);
	g_assert_cmphex(dev->features, ==, 0);

	/* Nobody listening */
	virtio_device_set_listener(dev, NULL);
	virtio_device_set_status(dev, VIRTIO_CONFIG_S_DRIVER_OK);
	virtio_device_reset(dev);
	g_assert_cmpuint(events_heard(&log), ==, 5);

	virtio_device_free(dev);
	driver_cleanup(&td);
	test_guest_cleanup(&g);
	for (i = 0; i < log.n; i++)
		g_free(log.e[i].reason);
}

/**
 * test_feature_names() - the device's names first, then VIRTIO's reserved
 * bits; transport bits and unknown ones have none here
 */
static void test_feature_names(void)
{
	struct toy *toy = toy_new();
	struct virtio_device *dev = &toy->vdev;

	g_assert_cmpstr(virtio_feature_name(dev, 0), ==, "TOY_F_ZERO");
	g_assert_null(virtio_feature_name(dev, 1));
	g_assert_cmpstr(virtio_feature_name(dev, VIRTIO_RING_F_EVENT_IDX), ==,
			"VIRTIO_RING_F_EVENT_IDX");
	g_assert_cmpstr(virtio_feature_name(dev, VIRTIO_F_VERSION_1), ==,
			"VIRTIO_F_VERSION_1");
	g_assert_cmpstr(virtio_feature_name(dev, VIRTIO_F_RING_RESET), ==,
			"VIRTIO_F_RING_RESET");
	g_assert_cmpstr(virtio_feature_name(dev, 24), ==,
			"VIRTIO_F_NOTIFY_ON_EMPTY");
	g_assert_null(virtio_feature_name(dev, 30));
	g_assert_null(virtio_feature_name(dev, 63));
	g_assert_null(virtio_feature_name(dev, 64));
	g_assert_null(virtio_feature_name(dev, UINT32_MAX));
	virtio_device_free(dev);
}

/**
 * test_worker_group() - grouped queues share one thread; one stops and comes
 * back while the others keep working; the thread ends with the last one
 */
static void test_worker_group(void)
{
	struct toy_driver td[NUM_QUEUES];
	struct toy *toy = toy_new_ops(&toy_group_ops);
	struct test_guest g;
	unsigned int i, round;

	test_guest_init(&g);
	for (i = 0; i < NUM_QUEUES; i++) {
		driver_init(&td[i], &g, toy, i, true);
		start_queue(toy, i);
	}
	for (round = 0; round < 20; round++)
		for (i = 0; i < NUM_QUEUES; i++) {
			driver_submit(&td[i], 1 + (round * 5 + i) % QSIZE);
			g_assert_true(driver_wait_all(&td[i]));
		}
	for (i = 0; i < NUM_QUEUES; i++) {
		g_assert_true(
			pthread_equal(toy->q[i].thread, toy->q[0].thread));
		g_assert_cmpstr(toy->q[i].thread_name, ==, "vq0");
	}
	g_assert_true(toy->q[0].sibling_accepting);

	/* Queue 1 stops (drained) while 0 and 2 keep going on the thread */
	virtio_queue_stop(&toy->vdev, 1);
	g_assert_false(virtio_queue_running(&toy->vdev, 1));
	g_assert_true(virtio_queue_running(&toy->vdev, 0));
	g_assert_cmpuint(toy->q[1].stops, ==, 1);
	driver_submit(&td[0], 3);
	g_assert_true(driver_wait_all(&td[0]));
	g_assert_false(toy->q[0].sibling_accepting);
	driver_submit(&td[2], 3);
	g_assert_true(driver_wait_all(&td[2]));

	/* ... and comes back on the same thread, where it left off */
	start_queue(toy, 1);
	g_assert_true(pthread_equal(toy->q[1].thread, toy->q[0].thread));
	driver_submit(&td[1], 4);
	g_assert_true(driver_wait_all(&td[1]));
	driver_submit(&td[0], 1);
	g_assert_true(driver_wait_all(&td[0]));
	g_assert_true(toy->q[0].sibling_accepting);

	for (i = 0; i < NUM_QUEUES; i++) {
		virtio_queue_stop(&toy->vdev, i);
		g_assert_cmpuint(td[i].drv.used->idx, ==,
				 (uint16_t)td[i].next_id);
		g_assert_false(toy->q[i].stop_with_inflight);
	}
	g_assert_null(toy->vdev.workers[0]);
	virtio_device_free(&toy->vdev);
	for (i = 0; i < NUM_QUEUES; i++)
		driver_cleanup(&td[i]);
	test_guest_cleanup(&g);
}

/**
 * test_worker_wake_and_watch_events() - another thread wakes a queue; an
 * EPOLLOUT watch fires until paused and ends with its queue
 */
static void test_worker_wake_and_watch_events(void)
{
	struct toy_driver td;
	struct toy *toy = toy_new();
	struct test_guest g;
	unsigned long kicks;
	int pipefd[2];
	int i;

	g_assert_cmpint(pipe2(pipefd, O_NONBLOCK | O_CLOEXEC), ==, 0);
	toy->out_fd = pipefd[1];
	test_guest_init(&g);
	driver_init(&td, &g, toy, 0, true);
	g_assert_false(virtio_queue_wake(&toy->vdev, 0));
	start_queue(toy, 0);

	/* Writable pipe: three callbacks, then paused by the callback */
	for (i = 0;
	     i < 200 && __atomic_load_n(&toy->out_events, __ATOMIC_RELAXED) < 3;
	     i++)
		g_usleep(5000);
	g_usleep(50000);
	g_assert_cmpuint(__atomic_load_n(&toy->out_events, __ATOMIC_RELAXED),
			 ==, 3);

	/* A wake from this thread runs queue_kick on the worker */
	kicks = __atomic_load_n(&toy->q[0].kick_calls, __ATOMIC_RELAXED);
	g_assert_true(virtio_queue_wake(&toy->vdev, 0));
	for (i = 0; i < 200 && __atomic_load_n(&toy->q[0].kick_calls,
					       __ATOMIC_RELAXED) == kicks;
	     i++)
		g_usleep(5000);
	g_assert_cmpuint(
		__atomic_load_n(&toy->q[0].kick_calls, __ATOMIC_RELAXED), ==,
		kicks + 1);

	virtio_queue_stop(&toy->vdev, 0);
	g_assert_false(virtio_queue_wake(&toy->vdev, 0));
	/* The watch ended with the queue: a new start watches it again */
	toy->out_events = 0;
	start_queue(toy, 0);
	for (i = 0;
	     i < 200 && __atomic_load_n(&toy->out_events, __ATOMIC_RELAXED) < 3;
	     i++)
		g_usleep(5000);
	g_assert_cmpuint(__atomic_load_n(&toy->out_events, __ATOMIC_RELAXED),
			 ==, 3);
	virtio_device_free(&toy->vdev);
	driver_cleanup(&td);
	test_guest_cleanup(&g);
	close(pipefd[0]);
	close(pipefd[1]);
}

/**
 * test_init_checks() - bad queue counts and sizes are refused
 */
static void test_init_checks(void)
{
	struct virtio_device dev;
	struct error *err = NULL;

	g_assert_false(virtio_device_init(&dev, &toy_ops, 0, 64, &err));
	g_assert_nonnull(strstr(error_get_pretty(err), "num_queues"));
	error_free(err);
	err = NULL;
	g_assert_false(virtio_device_init(&dev, &toy_ops, 1, 65536, &err));
	g_assert_nonnull(strstr(error_get_pretty(err), "max_queue_size"));
	error_free(err);
}

/**
 * main() - register and run the tests
 * @argc:	argument count (GTest options such as --tap)
 * @argv:	arguments
 *
 * Return: 0 if every test passed
 */
int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/virtio-device/init-checks", test_init_checks);
	g_test_add_func("/virtio-device/set-features", test_set_features);
	g_test_add_func("/virtio-device/config-changed", test_config_changed);
	g_test_add_func("/virtio-device/events", test_events);
	g_test_add_func("/virtio-device/feature-names", test_feature_names);
	g_test_add_func("/virtio-device/worker/basic", test_worker_basic);
	g_test_add_func("/virtio-device/worker/stop-drains", test_stop_drains);
	g_test_add_func("/virtio-device/worker/start-stop-repeated",
			test_start_stop_repeated);
	g_test_add_func("/virtio-device/worker/polling", test_polling_mode);
	g_test_add_func("/virtio-device/worker/kick-fd-eof", test_kick_fd_eof);
	g_test_add_func("/virtio-device/worker/broken-queue-drains",
			test_broken_queue_drains);
	g_test_add_func("/virtio-device/worker/start-fails",
			test_queue_start_fails);
	g_test_add_func("/virtio-device/reset", test_reset);
	g_test_add_func("/virtio-device/worker/group", test_worker_group);
	g_test_add_func("/virtio-device/worker/wake-and-watch-events",
			test_worker_wake_and_watch_events);
	return g_test_run();
}
