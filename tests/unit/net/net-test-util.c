/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-net unit test helpers: the fake netdev, the fixture, and receive,
 * transmit and control chains built in guest RAM.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "tests/unit/net/net-test-util.h"

#define NET_TEST_REGION_SIZE (16ULL << 20)
#define NET_TEST_INDIRECT    16

static const int tx_token;

/**
 * netdev_free() - Free a netdev: the tests link no netdev library
 * @nd:		netdev or NULL
 */
void netdev_free(struct netdev *nd)
{
	if (nd)
		nd->ops->free(nd);
}

/**
 * fake_deliver() - Offer the injected frames of a queue to the device
 * @fq:		fake queue, on the pair's worker
 *
 * Stops at the first -EAGAIN and keeps that frame, as a netdev does, until
 * rx_resume.
 */
static void fake_deliver(struct fake_queue *fq)
{
	struct fake_netdev *fake = fq->fake;
	bool any = false;

	while (fq->port && !fq->held) {
		struct iovec iov[3];
		const uint8_t *p;
		GBytes *b;
		gsize len;
		int r;

		g_mutex_lock(&fake->lock);
		b = g_queue_peek_head(&fq->inject);
		g_mutex_unlock(&fake->lock);
		if (!b)
			break;
		/* In three pieces, cut inside the header and the frame */
		p = g_bytes_get_data(b, &len);
		iov[0] = (struct iovec){ (void *)p, len < 5 ? len : 5 };
		iov[1] = (struct iovec){ (void *)(p + iov[0].iov_len),
					 len / 2 - iov[0].iov_len / 2 };
		iov[2] = (struct iovec){
			(void *)(p + iov[0].iov_len + iov[1].iov_len),
			len - iov[0].iov_len - iov[1].iov_len
		};
		r = fq->port->receive(fq->port, iov, 3, fake->can_wait);
		any = true;
		g_mutex_lock(&fake->lock);
		if (r == -EAGAIN) {
			fq->eagains++;
			fq->held = true;
		} else {
			g_assert_cmpint(r, ==, 0);
			g_queue_pop_head(&fq->inject);
			g_bytes_unref(b);
			fq->taken++;
		}
		g_mutex_unlock(&fake->lock);
	}
	if (any)
		fq->port->receive_done(fq->port);
}

/**
 * fake_efd_ready() - The test signalled a queue: tx_ready and frames
 * @opaque:	fake queue
 * @revents:	ready events
 */
static void fake_efd_ready(void *opaque, uint32_t revents)
{
	struct fake_queue *fq = opaque;
	struct fake_netdev *fake = fq->fake;
	bool tx_ready;
	uint64_t v;

	if (read(fq->efd, &v, sizeof(v)) < 0)
		g_assert_cmpint(errno, ==, EAGAIN);
	g_mutex_lock(&fake->lock);
	tx_ready = fq->tx_ready_pending;
	fq->tx_ready_pending = false;
	g_mutex_unlock(&fake->lock);
	if (tx_ready && fq->port)
		fq->port->tx_ready(fq->port);
	fake_deliver(fq);
}

/**
 * fake_set_vnet_hdr() - Record the header length and offloads asked for
 * @nd:		fake
 * @hdr_len:	10 or 12
 * @offloads:	NETDEV_OFFLOAD_*
 * @errp:	error if more offloads than the netdev has were asked for
 *
 * Return: true if accepted
 */
static bool fake_set_vnet_hdr(struct netdev *nd, unsigned int hdr_len,
			      unsigned int offloads, struct error **errp)
{
	struct fake_netdev *fake = (struct fake_netdev *)nd;

	if ((offloads & ~nd->offloads) || (hdr_len != 10 && hdr_len != 12)) {
		error_setg(errp, "fake: bad set_vnet_hdr(%u, 0x%x)", hdr_len,
			   offloads);
		return false;
	}
	g_mutex_lock(&fake->lock);
	fake->set_hdr_calls++;
	fake->set_hdr_len = hdr_len;
	fake->set_offloads = offloads;
	nd->hdr_len = hdr_len;
	g_mutex_unlock(&fake->lock);
	return true;
}

/**
 * fake_attach() - Watch the queue's eventfd through the port
 * @nd:		fake
 * @q:		queue
 * @port:	the pair's port
 * @errp:	error from the port
 *
 * Return: true if watched
 */
static bool fake_attach(struct netdev *nd, unsigned int q,
			struct netdev_port *port, struct error **errp)
{
	struct fake_netdev *fake = (struct fake_netdev *)nd;
	struct fake_queue *fq = &fake->qs[q];

	g_assert_cmpuint(q, <, nd->queues);
	g_assert_null(fq->port);
	if (!port->watch(port, fq->efd, EPOLLIN, fake_efd_ready, fq, errp))
		return false;
	fq->port = port;
	fq->held = false;
	g_mutex_lock(&fake->lock);
	fq->attached = true;
	fake->attach_calls++;
	g_mutex_unlock(&fake->lock);
	return true;
}

/**
 * fake_detach() - Forget the port
 * @nd:		fake
 * @q:		queue
 */
static void fake_detach(struct netdev *nd, unsigned int q)
{
	struct fake_netdev *fake = (struct fake_netdev *)nd;
	struct fake_queue *fq = &fake->qs[q];

	g_assert_nonnull(fq->port);
	fq->port = NULL;
	g_mutex_lock(&fake->lock);
	fq->attached = false;
	fake->detach_calls++;
	g_mutex_unlock(&fake->lock);
}

/**
 * fake_send() - Record a frame, or refuse it as the test asked; with
 *		 loopback, hand it back to the guest
 * @nd:		fake
 * @q:		netdev queue
 * @iov:	frame
 * @cnt:	segments
 *
 * Return: 0 or the configured error
 */
static int fake_send(struct netdev *nd, unsigned int q, const struct iovec *iov,
		     unsigned int cnt)
{
	struct fake_netdev *fake = (struct fake_netdev *)nd;
	GByteArray *a;
	int r;

	g_assert_cmpuint(q, <, nd->queues);
	g_mutex_lock(&fake->lock);
	r = fake->send_error;
	if (!r && fake->refuse_len) {
		size_t len = 0;

		for (unsigned int i = 0; i < cnt; i++)
			len += iov[i].iov_len;
		if (len == fake->refuse_len)
			r = -EAGAIN;
	}
	if (!r) {
		a = g_byte_array_new();
		for (unsigned int i = 0; i < cnt; i++)
			g_byte_array_append(a, iov[i].iov_base,
					    (guint)iov[i].iov_len);
		g_ptr_array_add(fake->sent, g_byte_array_free_to_bytes(a));
		g_array_append_val(fake->sent_q, q);
	}
	g_mutex_unlock(&fake->lock);
	/* The worker owns the port: the same thread as this send() */
	if (!r && fake->loopback && fake->qs[q].port)
		r = fake->qs[q].port->receive(fake->qs[q].port, iov, cnt,
					      false);
	return r;
}

/**
 * fake_rx_resume() - The guest posted buffers: offer the held frame
 * @nd:		fake
 * @q:		queue
 */
static void fake_rx_resume(struct netdev *nd, unsigned int q)
{
	struct fake_netdev *fake = (struct fake_netdev *)nd;
	struct fake_queue *fq = &fake->qs[q];

	g_mutex_lock(&fake->lock);
	fq->rx_resumes++;
	g_mutex_unlock(&fake->lock);
	fq->held = false;
	fake_deliver(fq);
}

/**
 * fake_free() - Free the fake
 * @nd:		fake
 */
static void fake_free(struct netdev *nd)
{
	struct fake_netdev *fake = (struct fake_netdev *)nd;

	for (unsigned int i = 0; i < FAKE_MAX_QUEUES; i++) {
		GBytes *b;

		close(fake->qs[i].efd);
		while ((b = g_queue_pop_head(&fake->qs[i].inject)))
			g_bytes_unref(b);
	}
	g_ptr_array_unref(fake->sent);
	g_array_unref(fake->sent_q);
	g_mutex_clear(&fake->lock);
	g_free(fake->nd.id);
	g_free(fake);
}

/**
 * fake_netdev_new() - A fake netdev
 * @queues:	queues it serves, 1..FAKE_MAX_QUEUES
 * @vnet_hdr:	frames carry a virtio_net_hdr
 * @offloads:	NETDEV_OFFLOAD_* it can enable towards the guest
 *
 * Return: the fake; the device frees it
 */
struct fake_netdev *fake_netdev_new(unsigned int queues, bool vnet_hdr,
				    unsigned int offloads)
{
	struct fake_netdev *fake = g_new0(struct fake_netdev, 1);

	g_assert_cmpuint(queues, >=, 1);
	g_assert_cmpuint(queues, <=, FAKE_MAX_QUEUES);
	fake->ops = (struct netdev_ops){
		.type = "fake",
		.set_vnet_hdr = fake_set_vnet_hdr,
		.attach = fake_attach,
		.detach = fake_detach,
		.send = fake_send,
		.rx_resume = fake_rx_resume,
		.free = fake_free,
	};
	fake->nd.ops = &fake->ops;
	fake->nd.id = g_strdup("n0");
	fake->nd.queues = queues;
	fake->nd.vnet_hdr = vnet_hdr;
	fake->nd.offloads = vnet_hdr ? offloads : 0;
	fake->nd.hdr_len = 0;
	g_mutex_init(&fake->lock);
	fake->sent =
		g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	fake->sent_q = g_array_new(false, false, sizeof(unsigned int));
	for (unsigned int i = 0; i < FAKE_MAX_QUEUES; i++) {
		fake->qs[i].fake = fake;
		fake->qs[i].q = i;
		fake->qs[i].efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		g_assert_cmpint(fake->qs[i].efd, >=, 0);
		g_queue_init(&fake->qs[i].inject);
	}
	return fake;
}

/**
 * fake_signal() - Wake a queue's worker through the fake's eventfd
 * @fake:	fake
 * @q:		queue
 */
static void fake_signal(struct fake_netdev *fake, unsigned int q)
{
	uint64_t one = 1;

	g_assert_cmpint(write(fake->qs[q].efd, &one, sizeof(one)), ==,
			sizeof(one));
}

/**
 * fake_inject() - A frame from the host for the guest, on queue @q
 * @fake:	fake
 * @q:		queue
 * @frame:	bytes (with the header for a vnet_hdr fake)
 * @len:	length
 */
void fake_inject(struct fake_netdev *fake, unsigned int q, const void *frame,
		 size_t len)
{
	g_mutex_lock(&fake->lock);
	g_queue_push_tail(&fake->qs[q].inject, g_bytes_new(frame, len));
	g_mutex_unlock(&fake->lock);
	fake_signal(fake, q);
}

/**
 * fake_tx_ready() - Have the fake call port->tx_ready on queue @q
 * @fake:	fake
 * @q:		queue
 */
void fake_tx_ready(struct fake_netdev *fake, unsigned int q)
{
	g_mutex_lock(&fake->lock);
	fake->qs[q].tx_ready_pending = true;
	g_mutex_unlock(&fake->lock);
	fake_signal(fake, q);
}

/**
 * fake_set_send_error() - Make send() fail (0: succeed again)
 * @fake:	fake
 * @err:	negative errno or 0
 */
void fake_set_send_error(struct fake_netdev *fake, int err)
{
	g_mutex_lock(&fake->lock);
	fake->send_error = err;
	g_mutex_unlock(&fake->lock);
}

/**
 * fake_refuse_len() - Make send() refuse frames of one length
 * @fake:	fake
 * @len:	length refused with -EAGAIN, 0 to take every frame again
 */
void fake_refuse_len(struct fake_netdev *fake, size_t len)
{
	g_mutex_lock(&fake->lock);
	fake->refuse_len = len;
	g_mutex_unlock(&fake->lock);
}

/**
 * fake_sent_count() - Frames sent so far
 * @fake:	fake
 *
 * Return: their number
 */
unsigned int fake_sent_count(struct fake_netdev *fake)
{
	unsigned int n;

	g_mutex_lock(&fake->lock);
	n = fake->sent->len;
	g_mutex_unlock(&fake->lock);
	return n;
}

/**
 * fake_sent() - One sent frame
 * @fake:	fake
 * @i:		index, in send order
 * @q:		set to its netdev queue (may be NULL)
 *
 * Return: a new reference to its bytes
 */
GBytes *fake_sent(struct fake_netdev *fake, unsigned int i, unsigned int *q)
{
	GBytes *b;

	g_mutex_lock(&fake->lock);
	g_assert_cmpuint(i, <, fake->sent->len);
	b = g_bytes_ref(g_ptr_array_index(fake->sent, i));
	if (q)
		*q = g_array_index(fake->sent_q, unsigned int, i);
	g_mutex_unlock(&fake->lock);
	return b;
}

/**
 * wait_until() - Poll a condition until it holds or the timeout passes
 * @cond:	condition
 * @opaque:	for @cond
 *
 * Return: whether it held
 */
static bool wait_until(bool (*cond)(void *opaque), void *opaque)
{
	gint64 deadline = g_get_monotonic_time() + NET_TEST_TIMEOUT_MS * 1000;

	while (!cond(opaque)) {
		if (g_get_monotonic_time() > deadline)
			return false;
		g_usleep(500);
	}
	return true;
}

struct count_wait {
	struct fake_netdev *fake;
	unsigned int q;
	size_t offset;
	unsigned int n;
};

/**
 * sent_reached() - wait_until() condition: enough frames sent
 * @opaque:	struct count_wait
 *
 * Return: true when reached
 */
static bool sent_reached(void *opaque)
{
	struct count_wait *w = opaque;

	return fake_sent_count(w->fake) >= w->n;
}

/**
 * fake_wait_sent() - Wait for @n frames sent in total
 * @fake:	fake
 * @n:		frames
 *
 * Return: false on timeout
 */
bool fake_wait_sent(struct fake_netdev *fake, unsigned int n)
{
	struct count_wait w = { .fake = fake, .n = n };

	return wait_until(sent_reached, &w);
}

/**
 * fake_q_get() - Read a counter of a fake queue
 * @fake:	fake
 * @q:		queue
 * @offset:	FAKE_Q(field) of an unsigned int field
 *
 * Return: its value
 */
unsigned int fake_q_get(struct fake_netdev *fake, unsigned int q, size_t offset)
{
	unsigned int v;

	g_mutex_lock(&fake->lock);
	v = *(unsigned int *)((char *)&fake->qs[q] + offset);
	g_mutex_unlock(&fake->lock);
	return v;
}

/**
 * q_reached() - wait_until() condition: a queue counter reached its value
 * @opaque:	struct count_wait
 *
 * Return: true when reached
 */
static bool q_reached(void *opaque)
{
	struct count_wait *w = opaque;

	return fake_q_get(w->fake, w->q, w->offset) >= w->n;
}

/**
 * fake_wait_q() - Wait for a fake queue counter
 * @fake:	fake
 * @q:		queue
 * @offset:	FAKE_Q(field)
 * @n:		value to reach
 *
 * Return: false on timeout
 */
bool fake_wait_q(struct fake_netdev *fake, unsigned int q, size_t offset,
		 unsigned int n)
{
	struct count_wait w = {
		.fake = fake, .q = q, .offset = offset, .n = n
	};

	return wait_until(q_reached, &w);
}

/**
 * net_config_notify() - The device's config change callback
 * @dev:	device
 * @opaque:	fixture
 * @errp:	set when the fixture plays a transport that cannot tell the
 *		driver (f->config_notify_fails)
 *
 * Return: false with *@errp while f->config_notify_fails, else true
 */
static bool net_config_notify(struct virtio_device *dev, void *opaque,
			      struct error **errp)
{
	struct net_fixture *f = opaque;

	__atomic_fetch_add(&f->config_changes, 1, __ATOMIC_RELAXED);
	if (__atomic_load_n(&f->config_notify_fails, __ATOMIC_RELAXED)) {
		error_setg(errp, "test transport: no back-end channel");
		return false;
	}
	return true;
}

/**
 * net_fixture_setup() - GTest setup
 * @f:		fixture
 * @data:	unused
 */
void net_fixture_setup(struct net_fixture *f, gconstpointer data)
{
	memset(f, 0, sizeof(*f));
	f->tokens = g_ptr_array_new_with_free_func(g_free);
}

/**
 * net_fixture_teardown() - GTest teardown: stop, free
 * @f:		fixture
 * @data:	unused
 */
void net_fixture_teardown(struct net_fixture *f, gconstpointer data)
{
	inproc_free(f->ip);
	if (f->dev)
		virtio_device_free(f->dev);
	g_ptr_array_unref(f->tokens);
}

/**
 * net_test_add() - Register a test with the fixture
 * @name:	test path
 * @fn:		test body
 */
void net_test_add(const char *name,
		  void (*fn)(struct net_fixture *f, gconstpointer data))
{
	g_test_add(name, struct net_fixture, NULL, net_fixture_setup, fn,
		   net_fixture_teardown);
}

/**
 * net_start_queue() - Start one queue of the fixture's device
 * @f:		fixture, features negotiated
 * @idx:	queue index
 */
void net_start_queue(struct net_fixture *f, unsigned int idx)
{
	struct error *err = NULL;

	if (!inproc_start_queue(f->ip, idx, f->qsize, NET_TEST_INDIRECT, &err))
		g_error("start queue %u: %s", idx, error_get_pretty(err));
}

/**
 * net_fixture_start() - Fake netdev, device, transport, started queues
 * @f:		fixture from setup
 * @o:		options
 */
void net_fixture_start(struct net_fixture *f, const struct net_fixture_opts *o)
{
	struct virtio_net_options vo = {
		.mac = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 },
		.mtu = o->mtu,
	};
	struct error *err = NULL;
	unsigned int ndq;
	uint64_t features;

	f->pairs = o->pairs ? o->pairs : 1;
	f->qsize = o->queue_size ? o->queue_size : 64;
	ndq = o->nd_queues ? o->nd_queues : f->pairs;
	f->fake = fake_netdev_new(ndq, o->vnet_hdr, o->offloads);
	f->fake->can_wait = o->can_wait;
	if (o->no_set_vnet_hdr) {
		f->fake->ops.set_vnet_hdr = NULL;
		f->fake->nd.hdr_len = o->fixed_hdr;
	}
	vo.queue_pairs = f->pairs;
	vo.queue_size = f->qsize;
	vo.netdev = &f->fake->nd;
	f->dev = virtio_net_new(&vo, &err);
	if (!f->dev)
		g_error("virtio_net_new: %s", error_get_pretty(err));
	f->dev->config_notify = net_config_notify;
	f->dev->transport_opaque = f;
	f->ip = inproc_new(f->dev, NET_TEST_REGION_SIZE, 1, &err);
	if (!f->ip)
		g_error("inproc_new: %s", error_get_pretty(err));

	features = o->features ? o->features : inproc_offered_features(f->ip);
	features &= ~o->drop_features;
	if (!inproc_set_features(f->ip, features, &err))
		g_error("set_features: %s", error_get_pretty(err));
	f->hdr_len = features & (NBIT(VIRTIO_F_VERSION_1) |
				 NBIT(VIRTIO_NET_F_MRG_RXBUF))
			     ? 12
			     : 10;
	if (o->no_start)
		return;
	for (unsigned int i = 0; i < 2 * f->pairs; i++)
		net_start_queue(f, i);
	if (o->start_ctrl)
		net_start_queue(f, 2 * f->pairs);
}

/**
 * net_features() - The negotiated features
 * @f:		fixture
 *
 * Return: feature bits
 */
uint64_t net_features(const struct net_fixture *f)
{
	return f->dev->features;
}

/**
 * net_post_rx() - Post receive buffers and kick
 * @f:		fixture
 * @pair:	queue pair
 * @size:	bytes per buffer
 * @n:		buffers, one chain each
 */
void net_post_rx(struct net_fixture *f, unsigned int pair, uint32_t size,
		 unsigned int n)
{
	uint8_t *poison = g_malloc(size);

	/* What the device did not write shows */
	memset(poison, 0xee, size);
	for (unsigned int i = 0; i < n; i++) {
		struct rx_buf *b = g_new0(struct rx_buf, 1);
		struct vring_buf vb;

		b->size = size;
		b->gpa = inproc_alloc(f->ip, size, 64);
		g_assert_cmphex(b->gpa, !=, UINT64_MAX);
		g_assert_true(inproc_write(f->ip, b->gpa, poison, size));
		vb = (struct vring_buf){ b->gpa, size };
		g_assert_cmpint(inproc_add(f->ip, 2 * pair, NULL, 0, &vb, 1, b),
				>=, 0);
		g_ptr_array_add(f->tokens, b);
	}
	g_free(poison);
	inproc_kick(f->ip, 2 * pair);
}

/**
 * net_recv_append() - Append a used receive buffer's written bytes
 * @f:		fixture
 * @b:		buffer
 * @len:	bytes written
 * @out:	destination
 */
static void net_recv_append(struct net_fixture *f, const struct rx_buf *b,
			    uint32_t len, GByteArray *out)
{
	guint old = out->len;

	g_assert_cmpuint(len, <=, b->size);
	g_byte_array_set_size(out, old + len);
	g_assert_true(inproc_read(f->ip, b->gpa, out->data + old, len));
}

/**
 * net_recv() - Collect the next frame delivered to a pair
 * @f:		fixture
 * @pair:	queue pair
 * @nbufs:	set to the chains it used
 *
 * Return: header and frame bytes, NULL on timeout
 */
GBytes *net_recv(struct net_fixture *f, unsigned int pair, unsigned int *nbufs)
{
	GByteArray *out = g_byte_array_new();
	unsigned int n = 1;
	struct rx_buf *b;
	uint32_t len;

	b = inproc_wait_used(f->ip, 2 * pair, &len, NET_TEST_TIMEOUT_MS);
	if (!b) {
		g_byte_array_unref(out);
		return NULL;
	}
	net_recv_append(f, b, len, out);
	if (net_features(f) & NBIT(VIRTIO_NET_F_MRG_RXBUF)) {
		uint16_t nb;

		g_assert_cmpuint(out->len, >=, 12);
		memcpy(&nb, out->data + 10, sizeof(nb));
		n = le16toh(nb);
		g_assert_cmpuint(n, >=, 1);
		for (unsigned int i = 1; i < n; i++) {
			/* The whole frame is published at once */
			b = inproc_get_used(f->ip, 2 * pair, &len);
			g_assert_nonnull(b);
			net_recv_append(f, b, len, out);
		}
	}
	if (nbufs)
		*nbufs = n;
	return g_byte_array_free_to_bytes(out);
}

/**
 * net_rx_quiet() - Whether a pair's receive queue stays unused for a while
 * @f:		fixture
 * @pair:	queue pair
 *
 * Return: true if no chain was used within NET_TEST_QUIET_MS
 */
bool net_rx_quiet(struct net_fixture *f, unsigned int pair)
{
	uint32_t len;

	return !inproc_wait_used(f->ip, 2 * pair, &len, NET_TEST_QUIET_MS);
}

/**
 * net_tx() - Transmit one chain and wait until the device used it
 * @f:		fixture
 * @pair:	queue pair
 * @hdr:	header bytes
 * @hdr_len:	their length (may differ from the negotiated one)
 * @frame:	frame bytes
 * @len:	their length
 * @pieces:	descriptors: 1 (all in one), or the header alone and the
 *		frame cut into @pieces - 1
 *
 * Return: the used length the device reported
 */
uint32_t net_tx(struct net_fixture *f, unsigned int pair, const void *hdr,
		size_t hdr_len, const void *frame, size_t len,
		unsigned int pieces)
{
	struct vring_buf bufs[8];
	size_t total = hdr_len + len;
	unsigned int n = 0;
	uint64_t gpa;
	const void *token;
	uint32_t used;

	g_assert_cmpuint(pieces, >=, 1);
	g_assert_cmpuint(pieces, <=, G_N_ELEMENTS(bufs));
	gpa = inproc_alloc(f->ip, total ? total : 1, 64);
	g_assert_cmphex(gpa, !=, UINT64_MAX);
	g_assert_true(inproc_write(f->ip, gpa, hdr, hdr_len));
	g_assert_true(inproc_write(f->ip, gpa + hdr_len, frame, len));
	if (pieces == 1 || !hdr_len) {
		bufs[n++] = (struct vring_buf){ gpa, (uint32_t)total };
	} else {
		size_t off = hdr_len, step;

		bufs[n++] = (struct vring_buf){ gpa, (uint32_t)hdr_len };
		step = (len + pieces - 2) / (pieces - 1);
		while (off < total) {
			size_t l = total - off < step ? total - off : step;

			bufs[n++] =
				(struct vring_buf){ gpa + off, (uint32_t)l };
			off += l;
		}
	}
	g_assert_cmpint(inproc_add(f->ip, 2 * pair + 1, bufs, n, NULL, 0,
				   (void *)&tx_token),
			>=, 0);
	inproc_kick(f->ip, 2 * pair + 1);
	token = inproc_wait_used(f->ip, 2 * pair + 1, &used,
				 NET_TEST_TIMEOUT_MS);
	g_assert_true(token == &tx_token);
	return used;
}

/**
 * net_tx_plain() - Transmit a frame behind a zeroed header
 * @f:		fixture
 * @pair:	queue pair
 * @frame:	frame bytes
 * @len:	their length
 *
 * Return: the used length
 */
uint32_t net_tx_plain(struct net_fixture *f, unsigned int pair,
		      const void *frame, size_t len)
{
	uint8_t hdr[12] = { 0 };

	return net_tx(f, pair, hdr, f->hdr_len, frame, len, 2);
}

/**
 * net_ctrl() - Send one control command and wait for its ack
 * @f:		fixture, control queue started
 * @class:	command class
 * @cmd:	command
 * @data:	command data
 * @len:	its length
 *
 * Return: the ack byte, -1 if the chain was not used in time
 */
int net_ctrl(struct net_fixture *f, uint8_t class, uint8_t cmd,
	     const void *data, size_t len)
{
	unsigned int q = 2 * f->pairs;
	struct vring_buf out, in;
	uint8_t head[2] = { class, cmd };
	uint8_t ack = 0xee;
	uint64_t gpa;
	uint32_t used;
	void *token;

	gpa = inproc_alloc(f->ip, 2 + len + 1, 16);
	g_assert_cmphex(gpa, !=, UINT64_MAX);
	g_assert_true(inproc_write(f->ip, gpa, head, 2));
	g_assert_true(inproc_write(f->ip, gpa + 2, data, len));
	g_assert_true(inproc_write(f->ip, gpa + 2 + len, &ack, 1));
	out = (struct vring_buf){ gpa, (uint32_t)(2 + len) };
	in = (struct vring_buf){ gpa + 2 + len, 1 };
	g_assert_cmpint(
		inproc_add(f->ip, q, &out, 1, &in, 1, (void *)&tx_token), >=,
		0);
	inproc_kick(f->ip, q);
	token = inproc_wait_used(f->ip, q, &used, NET_TEST_TIMEOUT_MS);
	if (!token)
		return -1;
	g_assert_cmpuint(used, ==, 1);
	g_assert_true(inproc_read(f->ip, gpa + 2 + len, &ack, 1));
	return ack;
}

/**
 * net_stats() - A pair's counters
 * @f:		fixture
 * @pair:	queue pair
 *
 * Return: a snapshot
 */
struct virtio_net_pair_stats net_stats(struct net_fixture *f, unsigned int pair)
{
	struct virtio_net_pair_stats s;

	g_assert_true(virtio_net_get_stats(f->dev, pair, &s));
	return s;
}

struct stat_wait {
	struct net_fixture *f;
	unsigned int pair;
	size_t offset;
	uint64_t n;
};

/**
 * stat_reached() - wait_until() condition: a counter reached its value
 * @opaque:	struct stat_wait
 *
 * Return: true when reached
 */
static bool stat_reached(void *opaque)
{
	struct stat_wait *w = opaque;
	struct virtio_net_pair_stats s = net_stats(w->f, w->pair);
	uint64_t v;

	memcpy(&v, (char *)&s + w->offset, sizeof(v));
	return v >= w->n;
}

/**
 * net_wait_stat() - Wait for a pair counter to reach a value
 * @f:		fixture
 * @pair:	queue pair
 * @offset:	NET_STAT(field)
 * @n:		value
 *
 * Return: false on timeout
 */
bool net_wait_stat(struct net_fixture *f, unsigned int pair, size_t offset,
		   uint64_t n)
{
	struct stat_wait w = { f, pair, offset, n };

	return wait_until(stat_reached, &w);
}

/**
 * net_read_config() - The whole configuration space
 * @f:		fixture
 * @cfg:	filled
 */
void net_read_config(struct net_fixture *f, struct virtio_net_config *cfg)
{
	g_assert_true(
		f->dev->ops->get_config(f->dev, 0, cfg, sizeof(*cfg), NULL));
}

/**
 * net_frame() - A recognisable Ethernet frame
 * @buf:	filled
 * @len:	bytes, at least 14
 * @seed:	varies the contents
 */
void net_frame(uint8_t *buf, size_t len, uint8_t seed)
{
	static const uint8_t dst[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

	g_assert_cmpuint(len, >=, 14);
	memcpy(buf, dst, 6);
	for (size_t i = 6; i < len; i++)
		buf[i] = (uint8_t)(i * 7 + seed);
	buf[12] = 0x08;
	buf[13] = 0x00;
}
