/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-net unit tests: the receive path (headers, mergeable buffers,
 * waiting for buffers, drops and their counters).
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <endian.h>
#include <string.h>

#include "tests/unit/net/net-test-util.h"

/* Features of a modern driver without offloads, with or without MRG_RXBUF */
#define F_BASE                                                                 \
	(NBIT(VIRTIO_F_VERSION_1) | NBIT(VIRTIO_RING_F_EVENT_IDX) |            \
	 NBIT(VIRTIO_NET_F_MAC) | NBIT(VIRTIO_NET_F_STATUS) |                  \
	 NBIT(VIRTIO_NET_F_CTRL_VQ))
#define F_MRG (F_BASE | NBIT(VIRTIO_NET_F_MRG_RXBUF))

/**
 * check_received() - A received stream is @hdr then @frame
 * @got:	header and frame as the guest sees them
 * @hdr:	expected header
 * @hdr_len:	its length
 * @frame:	expected frame
 * @len:	its length
 */
static void check_received(GBytes *got, const void *hdr, size_t hdr_len,
			   const uint8_t *frame, size_t len)
{
	gsize n;
	const uint8_t *p = g_bytes_get_data(got, &n);

	g_assert_cmpuint(n, ==, hdr_len + len);
	g_assert_cmpmem(p, hdr_len, hdr, hdr_len);
	g_assert_cmpmem(p + hdr_len, len, frame, len);
}

/**
 * test_rx_v1_header() - VERSION_1 without MRG_RXBUF: 12-byte zero header
 * with num_buffers 1 in front of a bare frame
 * @f:		fixture
 * @data:	unused
 */
static void test_rx_v1_header(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .features = F_BASE };
	struct virtio_net_hdr_mrg_rxbuf hdr = { .num_buffers = htole16(1) };
	struct virtio_net_pair_stats s;
	uint8_t frame[100];
	unsigned int nbufs;
	GBytes *got;

	net_fixture_start(f, &o);
	g_assert_cmpuint(f->hdr_len, ==, 12);
	net_frame(frame, sizeof(frame), 1);
	net_post_rx(f, 0, 2048, 1);
	fake_inject(f->fake, 0, frame, sizeof(frame));
	got = net_recv(f, 0, &nbufs);
	g_assert_nonnull(got);
	g_assert_cmpuint(nbufs, ==, 1);
	check_received(got, &hdr, 12, frame, sizeof(frame));
	g_bytes_unref(got);
	s = net_stats(f, 0);
	g_assert_cmpuint(s.rx_frames, ==, 1);
	g_assert_cmpuint(s.rx_bytes, ==, sizeof(frame));
}

/**
 * test_rx_legacy_header() - Neither VERSION_1 nor MRG_RXBUF: 10 bytes
 * @f:		fixture
 * @data:	unused
 */
static void test_rx_legacy_header(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = {
		.features = NBIT(VIRTIO_NET_F_MAC) | NBIT(VIRTIO_NET_F_CTRL_VQ),
	};
	struct virtio_net_hdr hdr = { 0 };
	uint8_t frame[60];
	GBytes *got;

	net_fixture_start(f, &o);
	g_assert_cmpuint(f->hdr_len, ==, 10);
	net_frame(frame, sizeof(frame), 2);
	net_post_rx(f, 0, 1024, 1);
	fake_inject(f->fake, 0, frame, sizeof(frame));
	got = net_recv(f, 0, NULL);
	g_assert_nonnull(got);
	check_received(got, &hdr, 10, frame, sizeof(frame));
	g_bytes_unref(got);
}

/**
 * test_rx_vnet_passthrough() - A vnet_hdr netdev's header reaches the
 * guest as it was, with num_buffers set by the device
 * @f:		fixture
 * @data:	unused
 */
static void test_rx_vnet_passthrough(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = {
		.vnet_hdr = true,
		.offloads = NETDEV_OFFLOAD_CSUM | NETDEV_OFFLOAD_TSO4,
		.features = F_MRG | NBIT(VIRTIO_NET_F_GUEST_CSUM) |
			    NBIT(VIRTIO_NET_F_GUEST_TSO4),
	};
	struct virtio_net_hdr_mrg_rxbuf in = {
		.hdr = {
			.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
			.gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
			.hdr_len = htole16(54),
			.gso_size = htole16(1448),
			.csum_start = htole16(34),
			.csum_offset = htole16(16),
		},
		.num_buffers = htole16(0x7777), /* the device's to set */
	};
	struct virtio_net_hdr_mrg_rxbuf want = in;
	uint8_t buf[12 + 3000];
	GBytes *got;

	net_fixture_start(f, &o);
	memcpy(buf, &in, 12);
	net_frame(buf + 12, 3000, 3);
	net_post_rx(f, 0, 4096, 2);
	fake_inject(f->fake, 0, buf, sizeof(buf));
	got = net_recv(f, 0, NULL);
	g_assert_nonnull(got);
	want.num_buffers = htole16(1);
	check_received(got, &want, 12, buf + 12, 3000);
	g_bytes_unref(got);

	/* GSO the driver did not negotiate never reaches it */
	in.hdr.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	memcpy(buf, &in, 12);
	fake_inject(f->fake, 0, buf, sizeof(buf));
	g_assert_true(net_wait_stat(f, 0, NET_STAT(rx_dropped_too_big), 1));
	g_assert_true(net_rx_quiet(f, 0));
}

/**
 * test_rx_mrg_merge() - A frame over three small chains: num_buffers 3,
 * every byte in place, published together
 * @f:		fixture
 * @data:	unused
 */
static void test_rx_mrg_merge(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .features = F_MRG };
	struct virtio_net_hdr_mrg_rxbuf hdr = { .num_buffers = htole16(3) };
	uint8_t frame[1200];
	unsigned int nbufs;
	GBytes *got;

	net_fixture_start(f, &o);
	net_frame(frame, sizeof(frame), 4);
	net_post_rx(f, 0, 512, 3);
	fake_inject(f->fake, 0, frame, sizeof(frame));
	got = net_recv(f, 0, &nbufs);
	g_assert_nonnull(got);
	g_assert_cmpuint(nbufs, ==, 3);
	check_received(got, &hdr, 12, frame, sizeof(frame));
	g_bytes_unref(got);

	/* A small frame takes one buffer */
	net_post_rx(f, 0, 512, 1);
	fake_inject(f->fake, 0, frame, 100);
	got = net_recv(f, 0, &nbufs);
	g_assert_nonnull(got);
	g_assert_cmpuint(nbufs, ==, 1);
	hdr.num_buffers = htole16(1);
	check_received(got, &hdr, 12, frame, 100);
	g_bytes_unref(got);
}

/**
 * test_rx_mrg_wait() - Too few chains: the netdev keeps the frame, and gets
 * rx_resume when the guest posts more; nothing partial is published
 * @f:		fixture
 * @data:	unused
 */
static void test_rx_mrg_wait(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .features = F_MRG,
					    .can_wait = true };
	struct virtio_net_hdr_mrg_rxbuf hdr = { .num_buffers = htole16(3) };
	uint8_t frame[1200];
	unsigned int nbufs;
	GBytes *got;

	net_fixture_start(f, &o);
	net_frame(frame, sizeof(frame), 5);
	net_post_rx(f, 0, 512, 2);
	fake_inject(f->fake, 0, frame, sizeof(frame));
	g_assert_true(fake_wait_q(f->fake, 0, FAKE_Q(eagains), 1));
	g_assert_true(net_rx_quiet(f, 0));
	g_assert_cmpuint(fake_q_get(f->fake, 0, FAKE_Q(rx_resumes)), ==, 0);

	net_post_rx(f, 0, 512, 1);
	got = net_recv(f, 0, &nbufs);
	g_assert_nonnull(got);
	g_assert_cmpuint(nbufs, ==, 3);
	check_received(got, &hdr, 12, frame, sizeof(frame));
	g_bytes_unref(got);
	g_assert_cmpuint(fake_q_get(f->fake, 0, FAKE_Q(rx_resumes)), >=, 1);
	g_assert_cmpuint(net_stats(f, 0).rx_dropped_no_buffer, ==, 0);
}

/**
 * test_rx_wait_restart() - A frame held while the receive queue stops is
 * offered again after it restarts
 * @f:		fixture
 * @data:	unused
 */
static void test_rx_wait_restart(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .features = F_MRG,
					    .can_wait = true };
	uint8_t frame[1200];
	unsigned int nbufs;
	GBytes *got;

	net_fixture_start(f, &o);
	net_frame(frame, sizeof(frame), 12);
	net_post_rx(f, 0, 512, 2);
	fake_inject(f->fake, 0, frame, sizeof(frame));
	g_assert_true(fake_wait_q(f->fake, 0, FAKE_Q(eagains), 1));
	inproc_stop_queue(f->ip, 0);
	net_start_queue(f, 0);
	g_assert_true(fake_wait_q(f->fake, 0, FAKE_Q(eagains), 2));
	net_post_rx(f, 0, 512, 1);
	got = net_recv(f, 0, &nbufs);
	g_assert_nonnull(got);
	g_assert_cmpuint(nbufs, ==, 3);
	g_assert_cmpuint(g_bytes_get_size(got), ==, 12 + sizeof(frame));
	g_bytes_unref(got);
}

/**
 * test_rx_mrg_never_fits() - A frame larger than the whole ring is dropped
 * instead of waiting for ever
 * @f:		fixture
 * @data:	unused
 */
static void test_rx_mrg_never_fits(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .features = F_MRG,
					    .can_wait = true,
					    .queue_size = 4 };
	uint8_t frame[1500];
	GBytes *got;

	net_fixture_start(f, &o);
	net_frame(frame, sizeof(frame), 6);
	net_post_rx(f, 0, 128, 4);
	fake_inject(f->fake, 0, frame, sizeof(frame));
	g_assert_true(net_wait_stat(f, 0, NET_STAT(rx_dropped_too_big), 1));
	/* The chains were handed back: the next frame uses them */
	fake_inject(f->fake, 0, frame, 100);
	got = net_recv(f, 0, NULL);
	g_assert_nonnull(got);
	g_assert_cmpuint(g_bytes_get_size(got), ==, 112);
	g_bytes_unref(got);
}

/**
 * test_rx_no_buffer_drop() - A netdev that cannot wait: dropped, counted
 * @f:		fixture
 * @data:	unused
 */
static void test_rx_no_buffer_drop(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .features = F_MRG };
	uint8_t frame[64];
	GBytes *got;

	net_fixture_start(f, &o);
	net_frame(frame, sizeof(frame), 7);
	fake_inject(f->fake, 0, frame, sizeof(frame));
	g_assert_true(net_wait_stat(f, 0, NET_STAT(rx_dropped_no_buffer), 1));
	g_assert_cmpuint(fake_q_get(f->fake, 0, FAKE_Q(taken)), ==, 1);

	net_post_rx(f, 0, 256, 1);
	g_assert_true(net_rx_quiet(f, 0));
	fake_inject(f->fake, 0, frame, sizeof(frame));
	got = net_recv(f, 0, NULL);
	g_assert_nonnull(got);
	g_bytes_unref(got);
	g_assert_cmpuint(net_stats(f, 0).rx_frames, ==, 1);
}

/**
 * test_rx_small_chain() - Without MRG_RXBUF a chain too small for the frame
 * is handed back unused and the frame dropped
 * @f:		fixture
 * @data:	unused
 */
static void test_rx_small_chain(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .features = F_BASE };
	uint8_t frame[1000];
	struct rx_buf *b;
	uint32_t len;

	net_fixture_start(f, &o);
	net_frame(frame, sizeof(frame), 8);
	net_post_rx(f, 0, 64, 1);
	fake_inject(f->fake, 0, frame, sizeof(frame));
	g_assert_true(net_wait_stat(f, 0, NET_STAT(rx_dropped_too_big), 1));
	g_assert_true(net_rx_quiet(f, 0));

	/* 12 + 40 bytes fit the same chain */
	fake_inject(f->fake, 0, frame, 40);
	b = inproc_wait_used(f->ip, 0, &len, NET_TEST_TIMEOUT_MS);
	g_assert_nonnull(b);
	g_assert_cmpuint(b->size, ==, 64);
	g_assert_cmpuint(len, ==, 52);
	g_assert_cmpuint(net_stats(f, 0).rx_dropped_too_big, ==, 1);
}

/**
 * test_rx_mtu() - Frames above MTU + 18 are dropped, at it delivered
 * @f:		fixture
 * @data:	unused
 */
static void test_rx_mtu(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = {
		.features = F_MRG | NBIT(VIRTIO_NET_F_MTU),
		.mtu = 1500,
	};
	uint8_t frame[1519];
	GBytes *got;

	net_fixture_start(f, &o);
	net_frame(frame, sizeof(frame), 9);
	net_post_rx(f, 0, 2048, 2);
	fake_inject(f->fake, 0, frame, 1519);
	g_assert_true(net_wait_stat(f, 0, NET_STAT(rx_dropped_too_big), 1));
	fake_inject(f->fake, 0, frame, 1518);
	got = net_recv(f, 0, NULL);
	g_assert_nonnull(got);
	g_assert_cmpuint(g_bytes_get_size(got), ==, 12 + 1518);
	g_bytes_unref(got);

	/* A runt is not a frame */
	fake_inject(f->fake, 0, frame, 13);
	g_assert_true(net_wait_stat(f, 0, NET_STAT(rx_dropped_too_big), 2));
	g_assert_true(net_rx_quiet(f, 0));
}

/**
 * test_rx_disabled() - A started but disabled receive queue gets nothing
 * @f:		fixture
 * @data:	unused
 */
static void test_rx_disabled(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .features = F_MRG };
	uint8_t frame[64];
	GBytes *got;

	net_fixture_start(f, &o);
	net_frame(frame, sizeof(frame), 10);
	net_post_rx(f, 0, 256, 1);
	__atomic_store_n(&f->dev->vqs[0].enabled, false, __ATOMIC_RELAXED);
	fake_inject(f->fake, 0, frame, sizeof(frame));
	g_assert_true(fake_wait_q(f->fake, 0, FAKE_Q(taken), 1));
	g_assert_true(net_rx_quiet(f, 0));
	__atomic_store_n(&f->dev->vqs[0].enabled, true, __ATOMIC_RELAXED);
	fake_inject(f->fake, 0, frame, sizeof(frame));
	got = net_recv(f, 0, NULL);
	g_assert_nonnull(got);
	g_bytes_unref(got);
}

/**
 * test_rx_restart() - Stopping the receive queue detaches the netdev,
 * starting it attaches it again
 * @f:		fixture
 * @data:	unused
 */
static void test_rx_restart(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .features = F_MRG };
	uint8_t frame[64];
	GBytes *got;

	net_fixture_start(f, &o);
	g_assert_cmpuint(f->fake->attach_calls, ==, 1);
	inproc_stop_queue(f->ip, 0);
	g_assert_cmpuint(f->fake->detach_calls, ==, 1);
	g_assert_false(f->fake->qs[0].attached);
	net_start_queue(f, 0);
	g_assert_cmpuint(f->fake->attach_calls, ==, 2);
	net_frame(frame, sizeof(frame), 11);
	net_post_rx(f, 0, 256, 1);
	fake_inject(f->fake, 0, frame, sizeof(frame));
	got = net_recv(f, 0, NULL);
	g_assert_nonnull(got);
	g_bytes_unref(got);
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
	net_test_add("/net/rx/v1-header", test_rx_v1_header);
	net_test_add("/net/rx/legacy-header", test_rx_legacy_header);
	net_test_add("/net/rx/vnet-passthrough", test_rx_vnet_passthrough);
	net_test_add("/net/rx/mrg-merge", test_rx_mrg_merge);
	net_test_add("/net/rx/mrg-wait", test_rx_mrg_wait);
	net_test_add("/net/rx/wait-restart", test_rx_wait_restart);
	net_test_add("/net/rx/mrg-never-fits", test_rx_mrg_never_fits);
	net_test_add("/net/rx/no-buffer-drop", test_rx_no_buffer_drop);
	net_test_add("/net/rx/small-chain", test_rx_small_chain);
	net_test_add("/net/rx/mtu", test_rx_mtu);
	net_test_add("/net/rx/disabled", test_rx_disabled);
	net_test_add("/net/rx/restart", test_rx_restart);
	return g_test_run();
}
