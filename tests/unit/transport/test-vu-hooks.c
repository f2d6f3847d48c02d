/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of what the vhost-user server offers a monitor on another thread:
 * queries, session and device events, holding the link down, config changes.
 *
 * The server runs vu_server_run() on a thread of its own, as the control
 * thread; the test thread is the front-end and, like a QMP monitor, queries
 * and holds the server from outside. Every request after the handshake asks
 * for an ack, so the test knows it was handled before looking.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib.h>

#include "tests/frontend/vring-driver.h"
#include "tests/unit/transport/vu-test-util.h"
#include "transport/vhost-user-server.h"
#include "transport/vhost-user-session.h"

#define V     VHOST_USER_VERSION
#define V_ACK (VHOST_USER_VERSION | VHOST_USER_NEED_REPLY_MASK)
#define BIT30 (1ULL << VHOST_USER_F_PROTOCOL_FEATURES)

#define RING_NUM    16
#define RING_GPA(i) (TM_GPA1 + 0x10000ULL * (i))
#define BUF_GPA(i)  (TM_GPA0 + 0x1000ULL * (i))
#define WAIT_MS	    5000
#define MAX_HEARD   32

#define STATUS_FEATURES_OK                                                     \
	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |                \
	 VIRTIO_CONFIG_S_FEATURES_OK)
#define STATUS_READY (STATUS_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK)

/* One thing a listener heard: a session event or a device event */
struct heard {
	bool session;	 /* session_event, else the device listener */
	bool connected;	 /* session_event */
	int ev;		 /* enum virtio_device_event */
	int queue;	 /* device event */
	char *reason;	 /* either */
	bool on_control; /* heard on the server's thread */
};

struct hooks_fx {
	unsigned int fds_before;
	char *dir, *path;
	struct toy_dev *toy;
	struct vu_server *srv;
	int stop_fd;
	pthread_t thread;
	bool running, run_ok;
	int fe; /* the front-end's connection */
	struct test_mem mem;
	struct vring_driver drv[TOY_NUM_QUEUES];
	bool drv_init[TOY_NUM_QUEUES];
	int kick[TOY_NUM_QUEUES], call[TOY_NUM_QUEUES];

	pthread_mutex_t lock; /* the rest */
	pthread_cond_t cond;
	struct heard heard[MAX_HEARD];
	unsigned int n_heard;
};

/**
 * hx_record() - Remember an event, from whichever thread
 * @f:		fixture
 * @h:		what was heard; the reason is copied
 */
static void hx_record(struct hooks_fx *f, struct heard h)
{
	pthread_mutex_lock(&f->lock);
	g_assert_cmpuint(f->n_heard, <, MAX_HEARD);
	h.reason = g_strdup(h.reason);
	h.on_control = f->running && pthread_equal(pthread_self(), f->thread);
	f->heard[f->n_heard++] = h;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
	if (g_test_verbose())
		g_test_message("heard %s %d: %s",
			       h.session ? "session" : "device",
			       h.session ? h.connected : h.ev,
			       h.reason ? h.reason : "-");
}

/**
 * hx_session_event() - vu_server_options.session_event
 * @opaque:	fixture
 * @connected:	attached or ended
 * @reason:	why it ended
 */
static void hx_session_event(void *opaque, bool connected, const char *reason)
{
	hx_record(opaque, (struct heard){ .session = true,
					  .connected = connected,
					  .reason = (char *)reason });
}

/**
 * hx_device_event() - the device listener
 * @dev:	device
 * @ev:		event
 * @queue:	broken queue or -1
 * @reason:	why it broke, or NULL
 * @opaque:	fixture
 */
static void hx_device_event(struct virtio_device *dev,
			    enum virtio_device_event ev, int queue,
			    const char *reason, void *opaque)
{
	hx_record(opaque, (struct heard){ .ev = ev,
					  .queue = queue,
					  .reason = (char *)reason });
}

/**
 * hx_wait_heard() - Wait until @n events were heard in all
 * @f:		fixture
 * @n:		count expected
 *
 * Return: the count heard (n if in time, fewer after WAIT_MS)
 */
static unsigned int hx_wait_heard(struct hooks_fx *f, unsigned int n)
{
	gint64 end = g_get_monotonic_time() + WAIT_MS * 1000LL;
	unsigned int got;

	pthread_mutex_lock(&f->lock);
	while (f->n_heard < n && g_get_monotonic_time() < end) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 10 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&f->cond, &f->lock, &ts);
	}
	got = f->n_heard;
	pthread_mutex_unlock(&f->lock);
	return got;
}

/**
 * hx_heard() - Event @i, after waiting for it
 * @f:		fixture
 * @i:		index in the order heard
 *
 * Return: the event
 */
static const struct heard *hx_heard(struct hooks_fx *f, unsigned int i)
{
	g_assert_cmpuint(hx_wait_heard(f, i + 1), >, i);
	return &f->heard[i];
}

/**
 * hx_expect_session() - Event @i is a session event
 * @f:		fixture
 * @i:		index
 * @connected:	attached (true) or ended
 * @reason:	substring of the reason for an end
 */
static void hx_expect_session(struct hooks_fx *f, unsigned int i,
			      bool connected, const char *reason)
{
	const struct heard *h = hx_heard(f, i);

	g_assert_true(h->session);
	g_assert_true(h->on_control);
	g_assert_cmpint(h->connected, ==, connected);
	if (connected) {
		g_assert_null(h->reason);
	} else {
		g_assert_nonnull(h->reason);
		if (!strstr(h->reason, reason))
			g_error("expected '%s' in '%s'", reason, h->reason);
	}
}

/**
 * hx_expect_device() - Event @i is a device event
 * @f:		fixture
 * @i:		index
 * @ev:		event
 * @queue:	queue (-1 unless BROKEN)
 */
static void hx_expect_device(struct hooks_fx *f, unsigned int i,
			     enum virtio_device_event ev, int queue)
{
	const struct heard *h = hx_heard(f, i);

	g_assert_false(h->session);
	g_assert_cmpint(h->ev, ==, ev);
	g_assert_cmpint(h->queue, ==, queue);
	/* BROKEN comes from the queue's worker, the others from the server */
	g_assert_cmpint(h->on_control, ==, ev != VIRTIO_DEVICE_EVENT_BROKEN);
	if (ev == VIRTIO_DEVICE_EVENT_BROKEN)
		g_assert_nonnull(h->reason);
	else
		g_assert_null(h->reason);
}

/**
 * hx_settle() - Nothing more is heard within a short while
 * @f:		fixture
 * @n:		the count that must not grow
 */
static void hx_settle(struct hooks_fx *f, unsigned int n)
{
	g_usleep(50 * 1000);
	pthread_mutex_lock(&f->lock);
	g_assert_cmpuint(f->n_heard, ==, n);
	pthread_mutex_unlock(&f->lock);
}

/**
 * server_thread() - The control thread: run the server until stopped
 * @opaque:	fixture
 *
 * Return: NULL
 */
static void *server_thread(void *opaque)
{
	struct hooks_fx *f = opaque;
	struct error *err = NULL;

	f->run_ok = vu_server_run(f->srv, f->stop_fd, &err);
	if (err)
		g_test_message("vu_server_run: %s", error_get_pretty(err));
	error_free(err);
	return NULL;
}

/**
 * hx_init() - Toy device with a listener, server on its thread, memory
 * @f:		fixture
 * @opts:	options beyond the socket path and the session event (or NULL)
 */
static void hx_init(struct hooks_fx *f, const struct vu_server_options *opts)
{
	struct vu_server_options o = { .fd = -1 };
	struct virtio_device_listener l = { hx_device_event, f };
	struct error *err = NULL;
	unsigned int i;

	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	f->fds_before = count_open_fds();
	f->dir = g_dir_make_tmp("vu-hooks-XXXXXX", NULL);
	g_assert_nonnull(f->dir);
	f->path = g_build_filename(f->dir, "vu.sock", NULL);
	f->toy = toy_dev_new();
	virtio_device_set_listener(&f->toy->vdev, &l);
	f->stop_fd = new_eventfd();
	f->fe = -1;
	test_mem_init(&f->mem);
	for (i = 0; i < TOY_NUM_QUEUES; i++) {
		f->kick[i] = new_eventfd();
		f->call[i] = new_eventfd();
	}

	if (opts)
		o = *opts;
	o.socket_path = f->path;
	o.session_event = hx_session_event;
	o.event_opaque = f;
	f->srv = vu_server_new(&f->toy->vdev, &o, &err);
	if (!f->srv)
		g_error("vu_server_new: %s", error_get_pretty(err));
	/* f->running before the thread: hx_record() reads both */
	pthread_mutex_lock(&f->lock);
	f->running = true;
	g_assert_cmpint(pthread_create(&f->thread, NULL, server_thread, f), ==,
			0);
	pthread_mutex_unlock(&f->lock);
}

/**
 * hx_stop() - Stop the control thread through the stop fd
 * @f:		fixture
 */
static void hx_stop(struct hooks_fx *f)
{
	static const uint64_t one = 1;

	if (!f->running)
		return;
	g_assert_cmpint(write(f->stop_fd, &one, sizeof(one)), ==, 8);
	g_assert_cmpint(pthread_join(f->thread, NULL), ==, 0);
	f->running = false;
	g_assert_true(f->run_ok);
}

/**
 * hx_cleanup() - Stop and free everything, check no fd leaked
 * @f:		fixture
 */
static void hx_cleanup(struct hooks_fx *f)
{
	unsigned int i;

	hx_stop(f);
	vu_server_free(f->srv);
	toy_dev_free(f->toy);
	if (f->fe >= 0)
		close(f->fe);
	close(f->stop_fd);
	for (i = 0; i < TOY_NUM_QUEUES; i++) {
		if (f->drv_init[i])
			vring_driver_cleanup(&f->drv[i]);
		close(f->kick[i]);
		close(f->call[i]);
	}
	test_mem_cleanup(&f->mem);
	g_assert_cmpint(rmdir(f->dir), ==, 0);
	g_free(f->path);
	g_free(f->dir);
	for (i = 0; i < f->n_heard; i++)
		g_free(f->heard[i].reason);
	pthread_mutex_destroy(&f->lock);
	pthread_cond_destroy(&f->cond);
	g_assert_cmpuint(count_open_fds(), ==, f->fds_before);
}

/**
 * hx_connect() - A new connection to the server
 * @f:		fixture
 *
 * Return: the connected fd
 */
static int hx_connect(struct hooks_fx *f)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	g_assert_cmpint(fd, >=, 0);
	g_strlcpy(addr.sun_path, f->path, sizeof(addr.sun_path));
	g_assert_cmpint(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), ==,
			0);
	return fd;
}

/**
 * hx_ack() - A request with NEED_REPLY that must be acked with 0
 * @f:		fixture
 * @request:	request id
 * @payload:	payload
 * @size:	its size
 * @fds:	fds to attach
 * @nfds:	how many
 */
static void hx_ack(struct hooks_fx *f, uint32_t request, const void *payload,
		   uint32_t size, const int *fds, unsigned int nfds)
{
	fe_send(f->fe, request, V_ACK, payload, size, fds, nfds);
	g_assert_cmpuint(fe_recv_u64(f->fe, request), ==, 0);
}

/**
 * hx_ack_u64() - hx_ack() with a u64 payload
 * @f:		fixture
 * @request:	request id
 * @v:		payload
 */
static void hx_ack_u64(struct hooks_fx *f, uint32_t request, uint64_t v)
{
	hx_ack(f, request, &v, sizeof(v), NULL, 0);
}

/**
 * hx_get_u64() - A request answered with a u64
 * @f:		fixture
 * @request:	request id
 *
 * Return: the answer
 */
static uint64_t hx_get_u64(struct hooks_fx *f, uint32_t request)
{
	fe_send(f->fe, request, V, NULL, 0, NULL, 0);
	return fe_recv_u64(f->fe, request);
}

/**
 * hx_handshake() - Connect and negotiate as QEMU does, with @protocol
 * @f:		fixture; f->fe is the new connection
 * @protocol:	protocol features (REPLY_ACK among them)
 */
static void hx_handshake(struct hooks_fx *f, uint64_t protocol)
{
	f->fe = hx_connect(f);
	g_assert_cmphex(hx_get_u64(f, VHOST_USER_GET_FEATURES), ==,
			TOY_FEATURES | BIT30);
	hx_get_u64(f, VHOST_USER_GET_PROTOCOL_FEATURES);
	fe_send(f->fe, VHOST_USER_SET_PROTOCOL_FEATURES, V, &protocol,
		sizeof(protocol), NULL, 0);
	hx_ack(f, VHOST_USER_SET_OWNER, NULL, 0, NULL, 0);
}

/**
 * hx_mem_table() - SET_MEM_TABLE with the two test regions
 * @f:		fixture
 */
static void hx_mem_table(struct hooks_fx *f)
{
	struct vhost_user_memory table = { .nregions = 2 };
	int fds[2] = { f->mem.fd, f->mem.fd };

	table.regions[0] = f->mem.regions[0];
	table.regions[1] = f->mem.regions[1];
	hx_ack(f, VHOST_USER_SET_MEM_TABLE, &table, 8 + 2 * 32, fds, 2);
}

/**
 * hx_ring() - Lay out ring @i and configure it: NUM, BASE, ADDR, KICK, CALL,
 * ENABLE
 * @f:		fixture
 * @i:		queue
 */
static void hx_ring(struct hooks_fx *f, unsigned int i)
{
	struct vhost_vring_state num = { i, RING_NUM }, base = { i, 0 };
	struct vhost_vring_state enable = { i, 1 };
	uint64_t idx = i;
	struct vhost_vring_addr a;

	g_assert_false(f->drv_init[i]);
	g_assert_true(vring_driver_init(&f->drv[i],
					test_mem_host(&f->mem, RING_GPA(i)),
					RING_GPA(i), RING_NUM, true, 0));
	f->drv_init[i] = true;
	a = (struct vhost_vring_addr){
		.index = i,
		.desc_user_addr = test_mem_uva(&f->mem, f->drv[i].desc_gpa),
		.avail_user_addr = test_mem_uva(&f->mem, f->drv[i].avail_gpa),
		.used_user_addr = test_mem_uva(&f->mem, f->drv[i].used_gpa),
	};
	hx_ack(f, VHOST_USER_SET_VRING_NUM, &num, sizeof(num), NULL, 0);
	hx_ack(f, VHOST_USER_SET_VRING_BASE, &base, sizeof(base), NULL, 0);
	hx_ack(f, VHOST_USER_SET_VRING_ADDR, &a, sizeof(a), NULL, 0);
	hx_ack(f, VHOST_USER_SET_VRING_KICK, &idx, sizeof(idx), &f->kick[i], 1);
	hx_ack(f, VHOST_USER_SET_VRING_CALL, &idx, sizeof(idx), &f->call[i], 1);
	hx_ack(f, VHOST_USER_SET_VRING_ENABLE, &enable, sizeof(enable), NULL,
	       0);
}

/**
 * hx_kick() - Publish what was added to ring @i and kick
 * @f:		fixture
 * @i:		queue
 */
static void hx_kick(struct hooks_fx *f, unsigned int i)
{
	static const uint64_t one = 1;

	vring_driver_publish(&f->drv[i]);
	g_assert_cmpint(write(f->kick[i], &one, sizeof(one)), ==, 8);
}

/**
 * hx_io() - One 64-byte request on queue @i, completed by the toy
 * @f:		fixture
 * @i:		queue
 * @slot:	buffer page
 */
static void hx_io(struct hooks_fx *f, unsigned int i, unsigned int slot)
{
	struct vring_buf in = { BUF_GPA(slot), 64 };
	struct pollfd pfd = { .fd = f->call[i], .events = POLLIN };
	void *token = NULL;
	uint32_t len = 0;
	unsigned int k;

	g_assert_cmpint(vring_driver_add(&f->drv[i], NULL, 0, &in, 1, f), >=,
			0);
	hx_kick(f, i);
	for (k = 0; k < 50 && !token; k++) {
		token = vring_driver_get_used(&f->drv[i], &len);
		if (!token && poll(&pfd, 1, 100) == 1)
			eventfd_read(f->call[i], &(eventfd_t){ 0 });
	}
	g_assert_true(token == f);
	g_assert_cmpuint(len, ==, 64);
}

/**
 * hx_query() - vu_server_query() that must succeed
 * @f:		fixture
 * @info:	filled; free info->queues
 */
static void hx_query(struct hooks_fx *f, struct vu_server_info *info)
{
	struct error *err = NULL;

	g_assert_true(vu_server_query(f->srv, info, &err));
	g_assert_null(err);
	g_assert_cmpuint(info->n_queues, ==, TOY_NUM_QUEUES);
	g_assert_nonnull(info->queues);
}

/**
 * hx_wait_counted() - Wait until queue @i counted at least @kicks kicks and
 * @calls calls
 * @f:		fixture
 * @i:		queue
 * @kicks:	kicks expected
 * @calls:	calls expected
 *
 * The worker may take buffers before it reads the kick that announced them
 * (it looks at the ring before sleeping), and counts a call after the used
 * entry the driver already sees: the counters catch up a little later.
 */
static void hx_wait_counted(struct hooks_fx *f, unsigned int i, uint64_t kicks,
			    uint64_t calls)
{
	gint64 end = g_get_monotonic_time() + WAIT_MS * 1000LL;
	struct vu_server_info info;
	bool done;

	do {
		hx_query(f, &info);
		done = info.queues[i].kicks >= kicks &&
		       info.queues[i].calls >= calls;
		free(info.queues);
		if (!done)
			g_usleep(1000);
	} while (!done && g_get_monotonic_time() < end);
	g_assert_true(done);
}

struct querier {
	struct hooks_fx *f;
	bool stop; /* atomic */
	unsigned long rounds;
};

/**
 * querier_thread() - Query the server in a loop, as a busy monitor would
 * @opaque:	struct querier
 *
 * Return: NULL
 */
static void *querier_thread(void *opaque)
{
	struct querier *q = opaque;

	while (!__atomic_load_n(&q->stop, __ATOMIC_ACQUIRE)) {
		struct vu_server_info info;

		hx_query(q->f, &info);
		g_assert_cmpuint(info.queues[0].size, <=, RING_NUM);
		free(info.queues);
		q->rounds++;
		g_usleep(200);
	}
	return NULL;
}

/**
 * test_query_and_events() - A whole session seen from a monitor's thread:
 * queries, session events, DRIVER_READY, BROKEN with the descriptor at
 * fault, RESET once per reset, while another thread keeps querying
 */
static void test_query_and_events(void)
{
	struct vring_buf bad = { TM_GPA1 + TM_REGION_SIZE + 0x1000, 16 };
	struct querier q = { 0 };
	struct vu_server_info info;
	struct hooks_fx f;
	pthread_t querier;
	int chan[2];

	hx_init(&f, NULL);

	/* Nothing connected yet */
	hx_query(&f, &info);
	g_assert_false(info.connected);
	g_assert_false(info.held);
	g_assert_false(info.backend_channel);
	g_assert_cmphex(info.features, ==, 0);
	g_assert_cmphex(info.protocol_features, ==, 0);
	g_assert_cmpuint(info.status, ==, 0);
	g_assert_cmpuint(info.queues[1].size, ==, 0);
	g_assert_false(info.queues[1].started);
	free(info.queues);

	q.f = &f;
	g_assert_cmpint(pthread_create(&querier, NULL, querier_thread, &q), ==,
			0);

	hx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	hx_expect_session(&f, 0, true, NULL);
	g_assert_cmpint(
		socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, chan), ==,
		0);
	hx_ack(&f, VHOST_USER_SET_BACKEND_REQ_FD, NULL, 0, &chan[1], 1);
	close(chan[1]);
	hx_ack_u64(&f, VHOST_USER_SET_FEATURES, TOY_FEATURES | BIT30);
	hx_ack_u64(&f, VHOST_USER_SET_STATUS, STATUS_FEATURES_OK);
	hx_mem_table(&f);
	hx_ring(&f, 0);
	hx_ring(&f, 1);
	hx_ack_u64(&f, VHOST_USER_SET_STATUS, STATUS_READY);
	hx_expect_device(&f, 1, VIRTIO_DEVICE_EVENT_DRIVER_READY, -1);
	hx_io(&f, 0, 0);
	hx_io(&f, 0, 1);
	hx_io(&f, 1, 2);
	hx_wait_counted(&f, 0, 1, 1);
	hx_wait_counted(&f, 1, 1, 1);

	hx_query(&f, &info);
	g_assert_true(info.connected);
	g_assert_cmphex(info.features, ==, TOY_FEATURES | BIT30);
	g_assert_cmphex(info.protocol_features, ==,
			VU_COMMON_PROTOCOL_FEATURES);
	g_assert_cmphex(info.status, ==, STATUS_READY);
	g_assert_true(info.backend_channel);
	g_assert_true(info.config_protocol);
	g_assert_false(info.held);
	g_assert_true(info.queues[0].enabled);
	g_assert_true(info.queues[0].started);
	g_assert_false(info.queues[0].broken);
	g_assert_cmpuint(info.queues[0].size, ==, RING_NUM);
	g_assert_cmpuint(info.queues[0].last_avail_idx, ==, 2);
	g_assert_cmpuint(info.queues[0].used_idx, ==, 2);
	g_assert_cmpuint(info.queues[0].requests, ==, 2);
	/* Kicks may coalesce; calls follow EVENT_IDX */
	g_assert_cmpuint(info.queues[0].kicks, >=, 1);
	g_assert_cmpuint(info.queues[0].kicks, <=, 2);
	g_assert_cmpuint(info.queues[0].calls, >=, 1);
	g_assert_cmpuint(info.queues[1].last_avail_idx, ==, 1);
	g_assert_cmpuint(info.queues[1].used_idx, ==, 1);
	g_assert_cmpuint(info.queues[1].requests, ==, 1);
	g_assert_cmpuint(info.queues[1].kicks, ==, 1);
	g_assert_cmpuint(info.queues[1].calls, >=, 1);
	free(info.queues);

	/* A chain whose buffer lies outside guest memory breaks queue 1 */
	g_assert_cmpint(vring_driver_add(&f.drv[1], &bad, 1, NULL, 0, &f), >=,
			0);
	hx_kick(&f, 1);
	hx_expect_device(&f, 2, VIRTIO_DEVICE_EVENT_BROKEN, 1);
	g_assert_nonnull(strstr(f.heard[2].reason, "queue 1"));
	g_assert_nonnull(strstr(f.heard[2].reason, ", descriptor "));
	g_assert_nonnull(strstr(f.heard[2].reason, "outside guest memory"));
	hx_query(&f, &info);
	g_assert_true(info.queues[1].broken);
	g_assert_false(info.queues[0].broken);
	g_assert_cmphex(info.status, ==,
			STATUS_READY | VIRTIO_CONFIG_S_NEEDS_RESET);
	free(info.queues);
	g_assert_cmphex(hx_get_u64(&f, VHOST_USER_GET_STATUS), ==,
			STATUS_READY | VIRTIO_CONFIG_S_NEEDS_RESET);
	hx_kick(&f, 1);

	/* The driver resets the device: one RESET, status and features 0 */
	hx_ack_u64(&f, VHOST_USER_SET_STATUS, 0);
	hx_expect_device(&f, 3, VIRTIO_DEVICE_EVENT_RESET, -1);
	hx_ack_u64(&f, VHOST_USER_SET_STATUS, 0);
	hx_settle(&f, 4);
	hx_query(&f, &info);
	g_assert_true(info.connected);
	g_assert_cmphex(info.status, ==, 0);
	g_assert_cmphex(info.features, ==, 0);
	g_assert_false(info.queues[0].started);
	g_assert_false(info.queues[1].broken);
	free(info.queues);

	/* Ready again, then the front-end leaves: RESET, then the end */
	hx_ack_u64(&f, VHOST_USER_SET_FEATURES, TOY_FEATURES | BIT30);
	hx_ack_u64(&f, VHOST_USER_SET_STATUS, STATUS_READY);
	hx_expect_device(&f, 4, VIRTIO_DEVICE_EVENT_DRIVER_READY, -1);
	close(f.fe);
	f.fe = -1;
	hx_expect_device(&f, 5, VIRTIO_DEVICE_EVENT_RESET, -1);
	hx_expect_session(&f, 6, false, "front-end closed the connection");
	g_assert_true(fe_peer_closed(chan[0], 1000));
	close(chan[0]);
	hx_settle(&f, 7);
	hx_query(&f, &info);
	g_assert_false(info.connected);
	g_assert_false(info.backend_channel);
	g_assert_cmphex(info.features, ==, 0);
	g_assert_cmphex(info.protocol_features, ==, 0);
	g_assert_cmphex(info.status, ==, 0);
	free(info.queues);

	__atomic_store_n(&q.stop, true, __ATOMIC_RELEASE);
	g_assert_cmpint(pthread_join(querier, NULL), ==, 0);
	g_assert_cmpuint(q.rounds, >, 0);
	hx_cleanup(&f);
}

/**
 * test_session_reasons() - RESET_DEVICE is a RESET; a violation ends the
 * session with its error; stopping the server with one connected ends it
 * with "server stopping"
 */
static void test_session_reasons(void)
{
	struct hooks_fx f;

	hx_init(&f, NULL);
	hx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	hx_expect_session(&f, 0, true, NULL);
	hx_ack_u64(&f, VHOST_USER_SET_STATUS, STATUS_READY);
	hx_expect_device(&f, 1, VIRTIO_DEVICE_EVENT_DRIVER_READY, -1);
	hx_ack(&f, VHOST_USER_RESET_DEVICE, NULL, 0, NULL, 0);
	hx_expect_device(&f, 2, VIRTIO_DEVICE_EVENT_RESET, -1);

	/* A violation: no RESET (the status is 0), the error as reason */
	fe_send(f.fe, VHOST_USER_SET_VRING_NUM, V,
		&(struct vhost_vring_state){ 7, 16 }, 8, NULL, 0);
	g_assert_true(fe_peer_closed(f.fe, WAIT_MS));
	close(f.fe);
	hx_expect_session(&f, 3, false, "SET_VRING_NUM: queue index 7");
	hx_settle(&f, 4);

	/* Stopping with a session: RESET, then "server stopping" */
	hx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	hx_expect_session(&f, 4, true, NULL);
	hx_ack_u64(&f, VHOST_USER_SET_STATUS, STATUS_READY);
	hx_expect_device(&f, 5, VIRTIO_DEVICE_EVENT_DRIVER_READY, -1);
	hx_stop(&f);
	g_assert_true(fe_peer_closed(f.fe, 0));
	/* The server thread has ended: what it said came from there */
	g_assert_cmpuint(f.n_heard, ==, 8);
	g_assert_false(f.heard[6].session);
	g_assert_cmpint(f.heard[6].ev, ==, VIRTIO_DEVICE_EVENT_RESET);
	g_assert_true(f.heard[7].session);
	g_assert_false(f.heard[7].connected);
	g_assert_cmpstr(f.heard[7].reason, ==, "server stopping");
	hx_cleanup(&f);
}

/**
 * test_hold() - Holding the link down ends the session ("link down"), also
 * in the middle of a message, and refuses front-ends until released
 */
static void test_hold(void)
{
	struct vu_server_info info;
	struct hooks_fx f;
	gint64 t0;
	int other;

	hx_init(&f, NULL);
	hx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	hx_expect_session(&f, 0, true, NULL);

	g_assert_true(vu_server_hold(f.srv, true));
	g_assert_true(fe_peer_closed(f.fe, WAIT_MS));
	close(f.fe);
	f.fe = -1;
	hx_expect_session(&f, 1, false, "link down");
	hx_query(&f, &info);
	g_assert_true(info.held);
	g_assert_false(info.connected);
	free(info.queues);

	/* Held: a front-end is accepted and closed at once */
	other = hx_connect(&f);
	g_assert_true(fe_peer_closed(other, WAIT_MS));
	close(other);
	g_assert_false(vu_server_hold(f.srv, true));
	hx_settle(&f, 2);

	/* Released: served again */
	g_assert_false(vu_server_hold(f.srv, false));
	hx_handshake(&f, VU_COMMON_PROTOCOL_FEATURES);
	hx_expect_session(&f, 2, true, NULL);
	hx_query(&f, &info);
	g_assert_false(info.held);
	g_assert_true(info.connected);
	free(info.queues);

	/* Half a header, then the hold: no waiting for the message timeout */
	g_assert_cmpint(send(f.fe, "\x01\0\0\0\x01\0", 6, MSG_NOSIGNAL), ==, 6);
	g_usleep(50 * 1000);
	t0 = g_get_monotonic_time();
	g_assert_true(vu_server_hold(f.srv, true));
	g_assert_true(fe_peer_closed(f.fe, WAIT_MS));
	g_assert_cmpint(g_get_monotonic_time() - t0, <, G_USEC_PER_SEC);
	hx_expect_session(&f, 3, false, "link down");
	g_assert_cmpstr(f.heard[3].reason, ==, "link down");
	close(f.fe);
	f.fe = -1;
	g_assert_false(vu_server_hold(f.srv, false));
	hx_settle(&f, 4);
	hx_cleanup(&f);
}

struct config_fe {
	struct hooks_fx *f;
	int chan; /* front-end end of the back-end channel */
	bool got_config;
};

/**
 * config_fe_thread() - Front-end that answers a config change as QEMU does:
 * GET_CONFIG on the main socket, and only with its answer the ack
 * @opaque:	struct config_fe
 *
 * Return: NULL
 */
static void *config_fe_thread(void *opaque)
{
	struct config_fe *c = opaque;
	struct vhost_user_config cfg = { .offset = 0, .size = TOY_CONFIG_SIZE };
	struct vhost_user_header hdr;
	uint64_t ack = 0;
	uint32_t n;

	g_assert_true(fe_recv(c->chan, &hdr, &ack, sizeof(ack), WAIT_MS));
	g_assert_cmpuint(hdr.request, ==, VHOST_USER_BACKEND_CONFIG_CHANGE_MSG);
	g_assert_cmphex(hdr.flags, ==, V_ACK);
	fe_send(c->f->fe, VHOST_USER_GET_CONFIG, V, &cfg,
		VHOST_USER_CONFIG_HDR_SIZE + TOY_CONFIG_SIZE, NULL, 0);
	n = fe_recv_reply(c->f->fe, VHOST_USER_GET_CONFIG, &cfg, sizeof(cfg));
	c->got_config = n == VHOST_USER_CONFIG_HDR_SIZE + TOY_CONFIG_SIZE &&
			cfg.region[0] == 0x10;
	ack = 0;
	fe_send(c->chan, VHOST_USER_BACKEND_CONFIG_CHANGE_MSG,
		V | VHOST_USER_REPLY_MASK, &ack, sizeof(ack), NULL, 0);
	return NULL;
}

struct notifier {
	struct virtio_device *dev;
	bool ok;
	char *err;
	gint64 us; /* how long the call took */
};

/**
 * notifier_thread() - A monitor asking for a config change notification
 * @opaque:	struct notifier
 *
 * Return: NULL
 */
static void *notifier_thread(void *opaque)
{
	struct notifier *n = opaque;
	struct error *err = NULL;
	gint64 t0 = g_get_monotonic_time();

	n->ok = virtio_device_config_changed(n->dev, &err);
	n->us = g_get_monotonic_time() - t0;
	if (err)
		n->err = g_strdup(error_get_pretty(err));
	error_free(err);
	return NULL;
}

/**
 * rarp_announce() - A device request whose handler asks for a config change
 * on the control thread, as a net device's announce may
 * @dev:	device
 * @payload:	unused
 * @errp:	the config change's error
 *
 * Return: whether the front-end was told
 */
static bool rarp_announce(struct virtio_device *dev, uint64_t payload,
			  struct error **errp)
{
	return virtio_device_config_changed(dev, errp);
}

static const struct vu_device_request announce_request = {
	.request = VHOST_USER_SEND_RARP,
	.protocol_feature = VHOST_USER_PROTOCOL_F_RARP,
	.handle = rarp_announce,
};

/**
 * test_config_change() - No channel: an error naming it. With REPLY_ACK and
 * a front-end that reads the config space before it acks (QEMU), a config
 * change from a third thread returns within a second: the control thread is
 * not blocked by it. Asked for from a handler on the control thread, the
 * message goes without asking for an ack.
 */
static void test_config_change(void)
{
	struct vu_server_options opts = {
		.fd = -1,
		.device_requests = &announce_request,
		.n_device_requests = 1,
	};
	uint64_t protocol = VU_COMMON_PROTOCOL_FEATURES |
			    (1ULL << VHOST_USER_PROTOCOL_F_RARP);
	struct vhost_user_header hdr;
	struct notifier n = { 0 };
	struct config_fe c = { 0 };
	pthread_t fe_th, n_th;
	struct vu_server_info info;
	struct hooks_fx f;
	uint64_t v = 0;
	int chan[2];

	hx_init(&f, &opts);
	n.dev = &f.toy->vdev;
	hx_handshake(&f, protocol);

	/* No back-end channel yet */
	notifier_thread(&n);
	g_assert_false(n.ok);
	g_assert_nonnull(strstr(n.err, "no back-end channel"));
	g_clear_pointer(&n.err, g_free);

	g_assert_cmpint(
		socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, chan), ==,
		0);
	hx_ack(&f, VHOST_USER_SET_BACKEND_REQ_FD, NULL, 0, &chan[1], 1);
	close(chan[1]);
	c.f = &f;
	c.chan = chan[0];

	/* QEMU's order: GET_CONFIG on the main socket, then the ack */
	watchdog_arm(10, "config change answered with GET_CONFIG");
	g_assert_cmpint(pthread_create(&fe_th, NULL, config_fe_thread, &c), ==,
			0);
	g_assert_cmpint(pthread_create(&n_th, NULL, notifier_thread, &n), ==,
			0);
	g_assert_cmpint(pthread_join(n_th, NULL), ==, 0);
	g_assert_cmpint(pthread_join(fe_th, NULL), ==, 0);
	watchdog_disarm();
	if (n.err)
		g_error("config change: %s", n.err);
	g_assert_true(n.ok);
	g_assert_true(c.got_config);
	g_assert_cmpint(n.us, <, G_USEC_PER_SEC);
	hx_query(&f, &info);
	g_assert_true(info.backend_channel);
	free(info.queues);

	/* From a handler on the control thread: no ack asked, none awaited */
	watchdog_arm(10, "config change from the control thread");
	hx_ack_u64(&f, VHOST_USER_SEND_RARP, 0);
	watchdog_disarm();
	g_assert_true(fe_recv(chan[0], &hdr, &v, sizeof(v), 0));
	g_assert_cmpuint(hdr.request, ==, VHOST_USER_BACKEND_CONFIG_CHANGE_MSG);
	g_assert_cmphex(hdr.flags, ==, V);
	g_assert_cmpuint(hdr.size, ==, 0);

	close(chan[0]);
	hx_cleanup(&f);
}

/**
 * test_feature_names() - The transport names its own bits of the feature
 * word; protocol features have their specification names
 */
static void test_feature_names(void)
{
	struct toy_dev *toy = toy_dev_new();

	g_assert_cmpstr(
		vu_feature_name(&toy->vdev, VHOST_USER_F_PROTOCOL_FEATURES), ==,
		"VHOST_USER_F_PROTOCOL_FEATURES");
	g_assert_cmpstr(vu_feature_name(&toy->vdev, VHOST_F_LOG_ALL), ==,
			"VHOST_F_LOG_ALL");
	g_assert_cmpstr(vu_feature_name(&toy->vdev, VIRTIO_F_VERSION_1), ==,
			"VIRTIO_F_VERSION_1");
	g_assert_null(vu_feature_name(&toy->vdev, 5));
	g_assert_cmpstr(vhost_user_protocol_feature_full_name(
				VHOST_USER_PROTOCOL_F_REPLY_ACK),
			==, "VHOST_USER_PROTOCOL_F_REPLY_ACK");
	g_assert_cmpstr(vhost_user_protocol_feature_name(
				VHOST_USER_PROTOCOL_F_REPLY_ACK),
			==, "REPLY_ACK");
	g_assert_cmpstr(vhost_user_protocol_feature_full_name(
				VHOST_USER_PROTOCOL_F_DEVICE_STATE),
			==, "VHOST_USER_PROTOCOL_F_DEVICE_STATE");
	g_assert_null(vhost_user_protocol_feature_full_name(
		VHOST_USER_PROTOCOL_F_MAX));
	g_assert_null(vhost_user_protocol_feature_name(64));
	toy_dev_free(toy);
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
	g_test_add_func("/vhost-user/hooks/query-and-events",
			test_query_and_events);
	g_test_add_func("/vhost-user/hooks/session-reasons",
			test_session_reasons);
	g_test_add_func("/vhost-user/hooks/hold", test_hold);
	g_test_add_func("/vhost-user/hooks/config-change", test_config_change);
	g_test_add_func("/vhost-user/hooks/feature-names", test_feature_names);
	return g_test_run();
}
