/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-net unit tests: the transmit path (headers, checks, the backlog)
 * and what moves across several queue pairs.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "tests/unit/net/net-test-util.h"

#define F_BASE                                                                 \
	(NBIT(VIRTIO_F_VERSION_1) | NBIT(VIRTIO_RING_F_EVENT_IDX) |            \
	 NBIT(VIRTIO_NET_F_MAC) | NBIT(VIRTIO_NET_F_STATUS) |                  \
	 NBIT(VIRTIO_NET_F_MRG_RXBUF) | NBIT(VIRTIO_NET_F_CTRL_VQ))

/**
 * check_sent() - Frame @i the netdev got is @want, on queue @q
 * @f:		fixture
 * @i:		index in send order
 * @want:	expected bytes
 * @len:	their length
 * @q:		expected netdev queue
 */
static void check_sent(struct net_fixture *f, unsigned int i, const void *want,
		       size_t len, unsigned int q)
{
	unsigned int got_q;
	GBytes *b = fake_sent(f->fake, i, &got_q);
	gsize n;
	const void *p = g_bytes_get_data(b, &n);

	g_assert_cmpmem(p, n, want, len);
	g_assert_cmpuint(got_q, ==, q);
	g_bytes_unref(b);
}

/**
 * test_tx_strip_header() - A bare netdev gets the frame without the header,
 * whatever the descriptor layout
 * @f:		fixture
 * @data:	unused
 */
static void test_tx_strip_header(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .features = F_BASE };
	struct virtio_net_pair_stats s;
	uint8_t hdr[12] = { 0 };
	uint8_t frame[60];

	net_fixture_start(f, &o);
	net_frame(frame, sizeof(frame), 1);
	for (unsigned int pieces = 1; pieces <= 4; pieces++)
		g_assert_cmpuint(
			net_tx(f, 0, hdr, 12, frame, sizeof(frame), pieces), ==,
			0);
	g_assert_cmpuint(fake_sent_count(f->fake), ==, 4);
	for (unsigned int i = 0; i < 4; i++)
		check_sent(f, i, frame, sizeof(frame), 0);
	s = net_stats(f, 0);
	g_assert_cmpuint(s.tx_frames, ==, 4);
	g_assert_cmpuint(s.tx_bytes, ==, 4 * sizeof(frame));
}

/**
 * test_tx_legacy_header() - A 10-byte header is stripped as well
 * @f:		fixture
 * @data:	unused
 */
static void test_tx_legacy_header(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = {
		.features = NBIT(VIRTIO_NET_F_MAC) | NBIT(VIRTIO_NET_F_CTRL_VQ),
	};
	uint8_t frame[70];

	net_fixture_start(f, &o);
	g_assert_cmpuint(f->hdr_len, ==, 10);
	net_frame(frame, sizeof(frame), 2);
	net_tx_plain(f, 0, frame, sizeof(frame));
	g_assert_cmpuint(fake_sent_count(f->fake), ==, 1);
	check_sent(f, 0, frame, sizeof(frame), 0);
}

/**
 * test_tx_vnet_passthrough() - A vnet_hdr netdev gets header and frame as
 * the guest wrote them, offloads included
 * @f:		fixture
 * @data:	unused
 */
static void test_tx_vnet_passthrough(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = {
		.vnet_hdr = true,
		.features = F_BASE | NBIT(VIRTIO_NET_F_CSUM) |
			    NBIT(VIRTIO_NET_F_HOST_TSO4),
	};
	struct virtio_net_hdr_mrg_rxbuf hdr = {
		.hdr = {
			.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
			.gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
			.hdr_len = htole16(54),
			.gso_size = htole16(1448),
			.csum_start = htole16(34),
			.csum_offset = htole16(16),
		},
	};
	static uint8_t buf[12 + 20000];

	net_fixture_start(f, &o);
	memcpy(buf, &hdr, 12);
	net_frame(buf + 12, 20000, 3);
	net_tx(f, 0, buf, 12, buf + 12, 20000, 3);
	g_assert_cmpuint(fake_sent_count(f->fake), ==, 1);
	check_sent(f, 0, buf, sizeof(buf), 0);
	g_assert_cmpuint(net_stats(f, 0).tx_bytes, ==, 20000);
}

/**
 * test_tx_bad() - Malformed frames and headers are dropped and counted
 * @f:		fixture
 * @data:	unused
 */
static void test_tx_bad(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = {
		.features = F_BASE | NBIT(VIRTIO_NET_F_MTU),
		.mtu = 1500,
	};
	struct virtio_net_hdr_mrg_rxbuf hdr = { 0 };
	struct virtio_net_pair_stats s;
	static uint8_t frame[1600];

	net_fixture_start(f, &o);
	net_frame(frame, sizeof(frame), 4);

	/* GSO without HOST_TSO4 */
	hdr.hdr.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	hdr.hdr.gso_size = htole16(1448);
	net_tx(f, 0, &hdr, 12, frame, 100, 2);
	/* NEEDS_CSUM without CSUM */
	memset(&hdr, 0, sizeof(hdr));
	hdr.hdr.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	net_tx(f, 0, &hdr, 12, frame, 100, 2);
	/* DATA_VALID is the device's flag */
	hdr.hdr.flags = VIRTIO_NET_HDR_F_DATA_VALID;
	net_tx(f, 0, &hdr, 12, frame, 100, 1);
	/* Header cut short */
	memset(&hdr, 0, sizeof(hdr));
	net_tx(f, 0, &hdr, 8, NULL, 0, 1);
	/* Header but a runt frame */
	net_tx(f, 0, &hdr, 12, frame, 10, 2);
	s = net_stats(f, 0);
	g_assert_cmpuint(s.tx_dropped_bad, ==, 5);

	/* Above MTU + Ethernet + VLAN */
	net_tx(f, 0, &hdr, 12, frame, 1519, 2);
	s = net_stats(f, 0);
	g_assert_cmpuint(s.tx_dropped_too_big, ==, 1);
	g_assert_cmpuint(fake_sent_count(f->fake), ==, 0);

	/* At the limit it goes out */
	net_tx(f, 0, &hdr, 12, frame, 1518, 2);
	g_assert_cmpuint(fake_sent_count(f->fake), ==, 1);
	s = net_stats(f, 0);
	g_assert_cmpuint(s.tx_frames, ==, 1);
	g_assert_cmpuint(s.tx_dropped_bad, ==, 5);
}

/**
 * test_tx_bad_offload() - With some offloads negotiated, the others and
 * bad offload fields are still refused
 * @f:		fixture
 * @data:	unused
 */
static void test_tx_bad_offload(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = {
		.vnet_hdr = true,
		.features = F_BASE | NBIT(VIRTIO_NET_F_CSUM) |
			    NBIT(VIRTIO_NET_F_HOST_TSO4),
	};
	struct virtio_net_hdr_mrg_rxbuf hdr = { 0 };
	uint8_t frame[200];

	net_fixture_start(f, &o);
	net_frame(frame, sizeof(frame), 5);
	hdr.hdr.gso_size = htole16(1448);
	hdr.hdr.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	net_tx(f, 0, &hdr, 12, frame, sizeof(frame), 2);
	hdr.hdr.gso_type = VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN;
	net_tx(f, 0, &hdr, 12, frame, sizeof(frame), 2);
	hdr.hdr.gso_type = 0x42;
	net_tx(f, 0, &hdr, 12, frame, sizeof(frame), 2);
	hdr.hdr.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	hdr.hdr.gso_size = 0;
	net_tx(f, 0, &hdr, 12, frame, sizeof(frame), 2);
	memset(&hdr, 0, sizeof(hdr));
	hdr.hdr.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	hdr.hdr.csum_start = htole16(190);
	hdr.hdr.csum_offset = htole16(16);
	net_tx(f, 0, &hdr, 12, frame, sizeof(frame), 2);
	g_assert_cmpuint(net_stats(f, 0).tx_dropped_bad, ==, 5);
	g_assert_cmpuint(fake_sent_count(f->fake), ==, 0);
}

/**
 * test_tx_backlog() - -EAGAIN: chains complete at once, the frames go out
 * in order on tx_ready
 * @f:		fixture
 * @data:	unused
 */
static void test_tx_backlog(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .features = F_BASE };
	uint8_t frames[3][80];

	net_fixture_start(f, &o);
	fake_set_send_error(f->fake, -EAGAIN);
	for (unsigned int i = 0; i < 3; i++) {
		net_frame(frames[i], sizeof(frames[i]), (uint8_t)(10 + i));
		net_tx_plain(f, 0, frames[i], sizeof(frames[i]));
	}
	g_assert_cmpuint(fake_sent_count(f->fake), ==, 0);
	g_assert_cmpuint(net_stats(f, 0).tx_frames, ==, 0);

	fake_set_send_error(f->fake, 0);
	fake_tx_ready(f->fake, 0);
	g_assert_true(fake_wait_sent(f->fake, 3));
	for (unsigned int i = 0; i < 3; i++)
		check_sent(f, i, frames[i], sizeof(frames[i]), 0);
	g_assert_true(net_wait_stat(f, 0, NET_STAT(tx_frames), 3));
	g_assert_cmpuint(net_stats(f, 0).tx_bytes, ==, 3 * 80);
	g_assert_cmpuint(net_stats(f, 0).tx_dropped_backlog, ==, 0);
}

/**
 * test_tx_backlog_order() - A frame sent while older ones wait in the
 * backlog waits behind them, even if the netdev would take it
 * @f:		fixture
 * @data:	unused
 */
static void test_tx_backlog_order(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .features = F_BASE };
	uint8_t a[60], b[61];

	net_fixture_start(f, &o);
	net_frame(a, sizeof(a), 20);
	net_frame(b, sizeof(b), 21);
	/* The netdev takes b but not a: b must still wait behind a */
	fake_refuse_len(f->fake, sizeof(a));
	net_tx_plain(f, 0, a, sizeof(a));
	net_tx_plain(f, 0, b, sizeof(b));
	g_assert_cmpuint(fake_sent_count(f->fake), ==, 0);
	fake_refuse_len(f->fake, 0);
	fake_tx_ready(f->fake, 0);
	g_assert_true(fake_wait_sent(f->fake, 2));
	check_sent(f, 0, a, sizeof(a), 0);
	check_sent(f, 1, b, sizeof(b), 0);
}

/**
 * test_tx_backlog_overflow() - A full backlog drops and counts
 * @f:		fixture
 * @data:	unused
 */
static void test_tx_backlog_overflow(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .features = F_BASE };
	uint8_t frame[60];

	net_fixture_start(f, &o);
	fake_set_send_error(f->fake, -EAGAIN);
	for (unsigned int i = 0; i < 260; i++) {
		net_frame(frame, sizeof(frame), (uint8_t)i);
		net_tx_plain(f, 0, frame, sizeof(frame));
	}
	g_assert_cmpuint(net_stats(f, 0).tx_dropped_backlog, ==, 4);
	fake_set_send_error(f->fake, 0);
	fake_tx_ready(f->fake, 0);
	g_assert_true(fake_wait_sent(f->fake, 256));
	/* The oldest were kept, the newest dropped */
	net_frame(frame, sizeof(frame), 0);
	check_sent(f, 0, frame, sizeof(frame), 0);
	net_frame(frame, sizeof(frame), 255);
	check_sent(f, 255, frame, sizeof(frame), 0);
	g_assert_true(net_wait_stat(f, 0, NET_STAT(tx_frames), 256));
}

/**
 * test_tx_backlog_reset() - Frames still in the backlog when the device
 * resets (the front-end left) are counted as dropped, not lost silently
 * @f:		fixture
 * @data:	unused
 */
static void test_tx_backlog_reset(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .features = F_BASE };
	struct virtio_net_pair_stats st;
	uint8_t frame[60];

	net_fixture_start(f, &o);
	fake_set_send_error(f->fake, -EAGAIN);
	for (unsigned int i = 0; i < 10; i++) {
		net_frame(frame, sizeof(frame), (uint8_t)i);
		net_tx_plain(f, 0, frame, sizeof(frame));
	}
	virtio_device_reset(f->dev);
	st = net_stats(f, 0);
	g_assert_cmpuint(st.tx_frames, ==, 0);
	g_assert_cmpuint(st.tx_dropped_backlog, ==, 10);
}

/**
 * test_tx_netdev_error() - A frame the netdev refuses for good is counted
 * @f:		fixture
 * @data:	unused
 */
static void test_tx_netdev_error(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .features = F_BASE };
	uint8_t frame[60];

	net_fixture_start(f, &o);
	net_frame(frame, sizeof(frame), 30);
	fake_set_send_error(f->fake, -EIO);
	net_tx_plain(f, 0, frame, sizeof(frame));
	g_assert_cmpuint(net_stats(f, 0).tx_dropped_netdev, ==, 1);
	fake_set_send_error(f->fake, 0);
	net_tx_plain(f, 0, frame, sizeof(frame));
	g_assert_cmpuint(fake_sent_count(f->fake), ==, 1);
}

/**
 * test_tx_disabled() - A started but disabled transmit queue is drained and
 * its frames dropped
 * @f:		fixture
 * @data:	unused
 */
static void test_tx_disabled(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .features = F_BASE };
	uint8_t frame[60];

	net_fixture_start(f, &o);
	net_frame(frame, sizeof(frame), 31);
	__atomic_store_n(&f->dev->vqs[1].enabled, false, __ATOMIC_RELAXED);
	net_tx_plain(f, 0, frame, sizeof(frame));
	g_assert_cmpuint(fake_sent_count(f->fake), ==, 0);
	__atomic_store_n(&f->dev->vqs[1].enabled, true, __ATOMIC_RELAXED);
	net_tx_plain(f, 0, frame, sizeof(frame));
	g_assert_cmpuint(fake_sent_count(f->fake), ==, 1);
}

/**
 * test_tx_batch() - More chains than one batch, posted at once, all go out
 * in order
 * @f:		fixture
 * @data:	unused
 */
static void test_tx_batch(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .features = F_BASE,
					    .queue_size = 512 };
	enum { N = 300 };
	static int tokens[N];
	uint8_t frame[64];

	net_fixture_start(f, &o);
	for (unsigned int i = 0; i < N; i++) {
		struct vring_buf vb;
		uint64_t gpa = inproc_alloc(f->ip, 12 + sizeof(frame), 16);

		g_assert_cmphex(gpa, !=, UINT64_MAX);
		memset(frame, 0, 12);
		g_assert_true(inproc_write(f->ip, gpa, frame, 12));
		net_frame(frame, sizeof(frame), (uint8_t)i);
		g_assert_true(
			inproc_write(f->ip, gpa + 12, frame, sizeof(frame)));
		vb = (struct vring_buf){ gpa, 12 + sizeof(frame) };
		g_assert_cmpint(
			inproc_add(f->ip, 1, &vb, 1, NULL, 0, &tokens[i]), >=,
			0);
	}
	inproc_kick(f->ip, 1);
	for (unsigned int i = 0; i < N; i++) {
		uint32_t len;

		g_assert_true(
			inproc_wait_used(f->ip, 1, &len, NET_TEST_TIMEOUT_MS) ==
			&tokens[i]);
	}
	g_assert_true(fake_wait_sent(f->fake, N));
	net_frame(frame, sizeof(frame), (uint8_t)(N - 1));
	check_sent(f, N - 1, frame, sizeof(frame), 0);
}

/**
 * test_two_pairs() - Each pair is attached to its netdev queue, receives
 * its frames and sends on it
 * @f:		fixture
 * @data:	unused
 */
static void test_two_pairs(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .pairs = 2 };
	uint8_t frame[90];
	GBytes *got;

	net_fixture_start(f, &o);
	g_assert_true(net_features(f) & NBIT(VIRTIO_NET_F_MQ));
	g_assert_cmpuint(f->fake->attach_calls, ==, 2);
	net_frame(frame, sizeof(frame), 40);
	net_post_rx(f, 0, 2048, 1);
	net_post_rx(f, 1, 2048, 1);
	fake_inject(f->fake, 1, frame, sizeof(frame));
	got = net_recv(f, 1, NULL);
	g_assert_nonnull(got);
	g_assert_cmpmem((const uint8_t *)g_bytes_get_data(got, NULL) + 12,
			g_bytes_get_size(got) - 12, frame, sizeof(frame));
	g_bytes_unref(got);
	g_assert_true(net_rx_quiet(f, 0));
	g_assert_cmpuint(net_stats(f, 1).rx_frames, ==, 1);
	g_assert_cmpuint(net_stats(f, 0).rx_frames, ==, 0);

	net_tx_plain(f, 1, frame, sizeof(frame));
	net_tx_plain(f, 0, frame, sizeof(frame));
	check_sent(f, 0, frame, sizeof(frame), 1);
	check_sent(f, 1, frame, sizeof(frame), 0);
}

/**
 * test_pairs_share_netdev_queue() - Two pairs over a one-queue netdev: only
 * pair 0 receives, both send on queue 0, and pair 1's backlog, which no
 * tx_ready will flush, drains on its own
 * @f:		fixture
 * @data:	unused
 */
static void test_pairs_share_netdev_queue(struct net_fixture *f,
					  gconstpointer data)
{
	const struct net_fixture_opts o = { .pairs = 2, .nd_queues = 1 };
	uint8_t frame[60];

	net_fixture_start(f, &o);
	g_assert_cmpuint(f->fake->attach_calls, ==, 1);
	net_frame(frame, sizeof(frame), 50);
	net_tx_plain(f, 1, frame, sizeof(frame));
	check_sent(f, 0, frame, sizeof(frame), 0);

	fake_set_send_error(f->fake, -EAGAIN);
	net_tx_plain(f, 1, frame, sizeof(frame));
	g_assert_cmpuint(fake_sent_count(f->fake), ==, 1);
	fake_set_send_error(f->fake, 0);
	g_assert_true(fake_wait_sent(f->fake, 2));
	g_assert_true(net_wait_stat(f, 1, NET_STAT(tx_frames), 2));
}

/**
 * test_link_down() - A down link sends and delivers nothing
 * @f:		fixture
 * @data:	unused
 */
static void test_link_down(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .features = F_BASE };
	uint8_t frame[60];
	GBytes *got;

	net_fixture_start(f, &o);
	net_frame(frame, sizeof(frame), 60);
	net_post_rx(f, 0, 2048, 1);
	g_assert_true(virtio_net_set_link(f->dev, false, false, NULL));
	net_tx_plain(f, 0, frame, sizeof(frame));
	g_assert_cmpuint(fake_sent_count(f->fake), ==, 0);
	fake_inject(f->fake, 0, frame, sizeof(frame));
	g_assert_true(fake_wait_q(f->fake, 0, FAKE_Q(taken), 1));
	g_assert_true(net_rx_quiet(f, 0));

	g_assert_true(virtio_net_set_link(f->dev, true, false, NULL));
	net_tx_plain(f, 0, frame, sizeof(frame));
	g_assert_cmpuint(fake_sent_count(f->fake), ==, 1);
	fake_inject(f->fake, 0, frame, sizeof(frame));
	got = net_recv(f, 0, NULL);
	g_assert_nonnull(got);
	g_bytes_unref(got);
}

/**
 * test_tx_loopback_overlap() - A frame handed back into a receive buffer
 * that overlaps it (a loopback netdev: the guest chose both) is copied
 * without undefined behaviour (found by fuzz-virtio-net: memcpy() of
 * overlapping ranges, which ASan reports)
 * @f:		fixture
 * @data:	unused
 */
static void test_tx_loopback_overlap(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .features = F_BASE };
	uint8_t hdr[12] = { 0 }, frame[1000];
	struct vring_buf rx, tx;
	uint64_t gpa;
	uint32_t len;

	net_fixture_start(f, &o);
	f->fake->loopback = true;
	gpa = inproc_alloc(f->ip, 4096, 64);
	g_assert_cmphex(gpa, !=, UINT64_MAX);
	/* Receive buffer [gpa, +2048), the frame to send at gpa + 100 */
	rx = (struct vring_buf){ gpa, 2048 };
	g_assert_cmpint(inproc_add(f->ip, 0, NULL, 0, &rx, 1, &rx), >=, 0);
	inproc_kick(f->ip, 0);
	net_frame(frame, sizeof(frame), 7);
	g_assert_true(inproc_write(f->ip, gpa + 100, hdr, sizeof(hdr)));
	g_assert_true(inproc_write(f->ip, gpa + 100 + sizeof(hdr), frame,
				   sizeof(frame)));
	tx = (struct vring_buf){ gpa + 100, sizeof(hdr) + sizeof(frame) };
	g_assert_cmpint(inproc_add(f->ip, 1, &tx, 1, NULL, 0, &tx), >=, 0);
	inproc_kick(f->ip, 1);

	g_assert_true(inproc_wait_used(f->ip, 1, &len, NET_TEST_TIMEOUT_MS) ==
		      &tx);
	g_assert_true(inproc_wait_used(f->ip, 0, &len, NET_TEST_TIMEOUT_MS) ==
		      &rx);
	g_assert_cmpuint(len, ==, sizeof(hdr) + sizeof(frame));
	g_assert_cmpuint(net_stats(f, 0).rx_frames, ==, 1);
}

/**
 * main() - Register and run the tests
 * @argc:	argument count
 * @argv:	arguments (GTest options such as --tap)
 *
 * Return: 0 if every test passed
 */
int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	net_test_add("/net/tx/strip-header", test_tx_strip_header);
	net_test_add("/net/tx/legacy-header", test_tx_legacy_header);
	net_test_add("/net/tx/vnet-passthrough", test_tx_vnet_passthrough);
	net_test_add("/net/tx/bad", test_tx_bad);
	net_test_add("/net/tx/bad-offload", test_tx_bad_offload);
	net_test_add("/net/tx/backlog", test_tx_backlog);
	net_test_add("/net/tx/backlog-order", test_tx_backlog_order);
	net_test_add("/net/tx/backlog-overflow", test_tx_backlog_overflow);
	net_test_add("/net/tx/backlog-reset", test_tx_backlog_reset);
	net_test_add("/net/tx/netdev-error", test_tx_netdev_error);
	net_test_add("/net/tx/disabled", test_tx_disabled);
	net_test_add("/net/tx/batch", test_tx_batch);
	net_test_add("/net/tx/loopback-overlap", test_tx_loopback_overlap);
	net_test_add("/net/pairs/two", test_two_pairs);
	net_test_add("/net/pairs/shared-netdev-queue",
		     test_pairs_share_netdev_queue);
	net_test_add("/net/link/down", test_link_down);
	return g_test_run();
}
