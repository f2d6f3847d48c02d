/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-net unit tests: construction, features and offloads, the config
 * space, the control queue, announcements, MTU and link state.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "tests/unit/net/net-test-util.h"

#define F_ALWAYS                                                               \
	(NBIT(VIRTIO_F_VERSION_1) | NBIT(VIRTIO_RING_F_EVENT_IDX) |            \
	 NBIT(VIRTIO_RING_F_INDIRECT_DESC) | NBIT(VIRTIO_NET_F_MAC) |          \
	 NBIT(VIRTIO_NET_F_STATUS) | NBIT(VIRTIO_NET_F_MRG_RXBUF) |            \
	 NBIT(VIRTIO_NET_F_CTRL_VQ) | NBIT(VIRTIO_NET_F_GUEST_ANNOUNCE) |      \
	 NBIT(VIRTIO_NET_F_CTRL_MAC_ADDR))
#define F_HOST_OFFLOADS                                                        \
	(NBIT(VIRTIO_NET_F_CSUM) | NBIT(VIRTIO_NET_F_HOST_TSO4) |              \
	 NBIT(VIRTIO_NET_F_HOST_TSO6) | NBIT(VIRTIO_NET_F_HOST_ECN) |          \
	 NBIT(VIRTIO_NET_F_HOST_UFO))
#define F_GUEST_OFFLOADS                                                       \
	(NBIT(VIRTIO_NET_F_GUEST_CSUM) | NBIT(VIRTIO_NET_F_GUEST_TSO4) |       \
	 NBIT(VIRTIO_NET_F_GUEST_TSO6) | NBIT(VIRTIO_NET_F_GUEST_ECN) |        \
	 NBIT(VIRTIO_NET_F_GUEST_UFO))
/* Without GUEST_ANNOUNCE: the device sends RARPs itself */
#define F_NO_ANNOUNCE                                                          \
	(NBIT(VIRTIO_F_VERSION_1) | NBIT(VIRTIO_NET_F_MAC) |                   \
	 NBIT(VIRTIO_NET_F_STATUS) | NBIT(VIRTIO_NET_F_MRG_RXBUF) |            \
	 NBIT(VIRTIO_NET_F_CTRL_VQ))

static const uint8_t test_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

/**
 * offer_of() - What a device over a fake netdev offers
 * @pairs:	queue pairs
 * @mtu:	MTU option
 * @vnet_hdr:	the netdev takes headers
 * @offloads:	its offloads
 *
 * Return: the offered features
 */
static uint64_t offer_of(unsigned int pairs, unsigned int mtu, bool vnet_hdr,
			 unsigned int offloads)
{
	struct fake_netdev *fake = fake_netdev_new(pairs, vnet_hdr, offloads);
	struct virtio_net_options o = {
		.mac = { 0x52, 0x54, 0, 1, 2, 3 },
		.mtu = mtu,
		.queue_pairs = pairs,
		.queue_size = 256,
		.netdev = &fake->nd,
	};
	struct error *err = NULL;
	struct virtio_device *dev = virtio_net_new(&o, &err);
	uint64_t f;

	g_assert_nonnull(dev);
	g_assert_cmpuint(dev->ops->device_id, ==, VIRTIO_ID_NET);
	g_assert_cmpuint(dev->num_queues, ==, 2 * pairs + 1);
	f = dev->ops->get_features(dev);
	virtio_device_free(dev);
	return f;
}

/**
 * test_offer() - Features offered by netdev kind, MTU and pairs
 * @data:	unused
 */
static void test_offer(gconstpointer data)
{
	uint64_t f;

	f = offer_of(1, 0, false, 0);
	g_assert_cmphex(f & F_ALWAYS, ==, F_ALWAYS);
	g_assert_cmphex(f & (F_HOST_OFFLOADS | F_GUEST_OFFLOADS), ==, 0);
	g_assert_false(f & NBIT(VIRTIO_NET_F_MTU));
	g_assert_false(f & NBIT(VIRTIO_NET_F_MQ));
	g_assert_false(f & NBIT(VIRTIO_NET_F_CTRL_RX));

	f = offer_of(2, 9000, false, 0);
	g_assert_true(f & NBIT(VIRTIO_NET_F_MTU));
	g_assert_true(f & NBIT(VIRTIO_NET_F_MQ));

	/* vnet_hdr: host offloads always, guest ones as the netdev can */
	f = offer_of(1, 0, true, 0);
	g_assert_cmphex(f & F_HOST_OFFLOADS, ==, F_HOST_OFFLOADS);
	g_assert_cmphex(f & F_GUEST_OFFLOADS, ==, 0);

	f = offer_of(1, 0, true, NETDEV_OFFLOAD_CSUM | NETDEV_OFFLOAD_TSO4);
	g_assert_cmphex(f & F_GUEST_OFFLOADS, ==,
			NBIT(VIRTIO_NET_F_GUEST_CSUM) |
				NBIT(VIRTIO_NET_F_GUEST_TSO4));

	f = offer_of(1, 0, true,
		     NETDEV_OFFLOAD_CSUM | NETDEV_OFFLOAD_TSO4 |
			     NETDEV_OFFLOAD_TSO6 | NETDEV_OFFLOAD_ECN |
			     NETDEV_OFFLOAD_UFO);
	g_assert_cmphex(f & F_GUEST_OFFLOADS, ==, F_GUEST_OFFLOADS);

	/* Dependencies: no TSO without CSUM, no ECN without TSO */
	f = offer_of(1, 0, true, NETDEV_OFFLOAD_TSO4 | NETDEV_OFFLOAD_UFO);
	g_assert_cmphex(f & F_GUEST_OFFLOADS, ==, 0);
	f = offer_of(1, 0, true, NETDEV_OFFLOAD_CSUM | NETDEV_OFFLOAD_ECN);
	g_assert_cmphex(f & F_GUEST_OFFLOADS, ==,
			NBIT(VIRTIO_NET_F_GUEST_CSUM));
}

/**
 * test_bad_options() - Construction refuses bad options (and frees the
 * netdev, as ASan's leak check shows)
 * @data:	unused
 */
static void test_bad_options(gconstpointer data)
{
	static const struct {
		unsigned int pairs, size, mtu, poll;
		uint8_t mac0;
	} cases[] = {
		{ 0, 256, 0, 0, 0x52 },	      { 65, 256, 0, 0, 0x52 },
		{ 1, 100, 0, 0, 0x52 },	      { 1, 65536, 0, 0, 0x52 },
		{ 1, 256, 67, 0, 0x52 },      { 1, 256, 65536, 0, 0x52 },
		{ 1, 256, 0, 2000000, 0x52 }, { 1, 256, 0, 0, 0x53 },
	};
	struct virtio_net_options o = { .mac = { 0x52, 0x54, 0, 1, 2, 3 } };
	struct error *err = NULL;

	for (unsigned int i = 0; i < G_N_ELEMENTS(cases); i++) {
		o.netdev = &fake_netdev_new(1, false, 0)->nd;
		o.queue_pairs = cases[i].pairs;
		o.queue_size = cases[i].size;
		o.mtu = cases[i].mtu;
		o.poll_max_us = cases[i].poll;
		o.mac[0] = cases[i].mac0;
		g_assert_null(virtio_net_new(&o, &err));
		g_assert_nonnull(err);
		g_test_message("case %u: %s", i, error_get_pretty(err));
		error_free(err);
		err = NULL;
	}
	o = (struct virtio_net_options){
		.queue_pairs = 1,
		.queue_size = 256,
		.netdev = &fake_netdev_new(1, false, 0)->nd
	};
	g_assert_null(virtio_net_new(&o, &err)); /* MAC 00:00:00:00:00:00 */
	error_free(err);
}

/**
 * test_set_features() - Inconsistent sets are refused; a vnet_hdr netdev
 * gets the header length and the guest offloads negotiated
 * @f:		fixture
 * @data:	unused
 */
static void test_set_features(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = {
		.vnet_hdr = true,
		.offloads = NETDEV_OFFLOAD_CSUM | NETDEV_OFFLOAD_TSO4 |
			    NETDEV_OFFLOAD_TSO6 | NETDEV_OFFLOAD_ECN |
			    NETDEV_OFFLOAD_UFO,
		.no_start = true,
	};
	static const uint64_t bad[] = {
		NBIT(VIRTIO_NET_F_HOST_TSO4),
		NBIT(VIRTIO_NET_F_CSUM) | NBIT(VIRTIO_NET_F_HOST_ECN),
		NBIT(VIRTIO_NET_F_GUEST_TSO6),
		NBIT(VIRTIO_NET_F_GUEST_CSUM) | NBIT(VIRTIO_NET_F_GUEST_ECN),
	};
	struct error *err = NULL;

	net_fixture_start(f, &o);
	g_assert_cmpuint(f->fake->set_hdr_calls, ==, 1);
	g_assert_cmpuint(f->fake->set_hdr_len, ==, 12);
	g_assert_cmphex(f->fake->set_offloads, ==, o.offloads);

	for (unsigned int i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_assert_false(inproc_set_features(
			f->ip, NBIT(VIRTIO_F_VERSION_1) | bad[i], &err));
		g_assert_nonnull(err);
		g_test_message("%s", error_get_pretty(err));
		error_free(err);
		err = NULL;
	}
	g_assert_cmpuint(f->fake->set_hdr_calls, ==, 1);

	/*
	 * What QEMU's vhost-user-net passes on: GUEST_ANNOUNCE (and MQ, see
	 * the multiqueue tests) without CTRL_VQ, which it keeps for itself
	 */
	g_assert_true(inproc_set_features(
		f->ip,
		NBIT(VIRTIO_F_VERSION_1) | NBIT(VIRTIO_NET_F_GUEST_ANNOUNCE) |
			NBIT(VIRTIO_NET_F_CTRL_MAC_ADDR) |
			NBIT(VIRTIO_NET_F_MRG_RXBUF),
		&err));
	g_assert_null(err);
	g_assert_cmpuint(f->fake->set_hdr_calls, ==, 2);

	g_assert_true(inproc_set_features(
		f->ip,
		NBIT(VIRTIO_F_VERSION_1) | NBIT(VIRTIO_NET_F_GUEST_CSUM) |
			NBIT(VIRTIO_NET_F_GUEST_TSO6),
		&err));
	g_assert_cmpuint(f->fake->set_hdr_len, ==, 12);
	g_assert_cmphex(f->fake->set_offloads, ==,
			NETDEV_OFFLOAD_CSUM | NETDEV_OFFLOAD_TSO6);

	/* Legacy without mergeable buffers: 10 bytes, no offloads */
	g_assert_true(inproc_set_features(f->ip, NBIT(VIRTIO_NET_F_MAC), &err));
	g_assert_cmpuint(f->fake->set_hdr_len, ==, 10);
	g_assert_cmphex(f->fake->set_offloads, ==, 0);
	/* Legacy with them: 12 */
	g_assert_true(
		inproc_set_features(f->ip, NBIT(VIRTIO_NET_F_MRG_RXBUF), &err));
	g_assert_cmpuint(f->fake->set_hdr_len, ==, 12);
	g_assert_cmpuint(f->fake->set_hdr_calls, ==, 5);
}

/**
 * test_set_features_plain() - A netdev without vnet_hdr is not configured
 * @f:		fixture
 * @data:	unused
 */
static void test_set_features_plain(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .no_start = true };

	net_fixture_start(f, &o);
	g_assert_cmpuint(f->fake->set_hdr_calls, ==, 0);
}

/**
 * test_fixed_header() - A vnet_hdr netdev that cannot change its header
 * length refuses features that need another one
 * @f:		fixture
 * @data:	unused
 */
static void test_fixed_header(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .vnet_hdr = true,
					    .no_set_vnet_hdr = true,
					    .fixed_hdr = 12,
					    .no_start = true };
	struct error *err = NULL;

	net_fixture_start(f, &o);
	g_assert_false(
		inproc_set_features(f->ip, NBIT(VIRTIO_NET_F_MAC), &err));
	g_assert_nonnull(err);
	error_free(err);
}

/**
 * test_config() - Config space contents, range checks, writable MAC
 * @f:		fixture
 * @data:	unused
 */
static void test_config(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .pairs = 3,
					    .mtu = 9000,
					    .no_start = true };
	struct virtio_net_config cfg;
	const uint8_t mac2[6] = { 0x02, 0, 0, 0, 0, 0x42 };
	uint16_t v = 0;
	uint8_t b;

	net_fixture_start(f, &o);
	g_assert_cmpuint(sizeof(cfg), ==, 12);
	net_read_config(f, &cfg);
	g_assert_cmpmem(cfg.mac, 6, test_mac, 6);
	g_assert_cmpuint(le16toh(cfg.status), ==, VIRTIO_NET_S_LINK_UP);
	g_assert_cmpuint(le16toh(cfg.max_virtqueue_pairs), ==, 3);
	g_assert_cmpuint(le16toh(cfg.mtu), ==, 9000);

	/* Partial reads, and none beyond the end */
	g_assert_true(f->dev->ops->get_config(f->dev, 8, &v, 2, NULL));
	g_assert_cmpuint(le16toh(v), ==, 3);
	g_assert_true(f->dev->ops->get_config(f->dev, 12, &b, 0, NULL));
	g_assert_false(f->dev->ops->get_config(f->dev, 11, &v, 2, NULL));
	g_assert_false(f->dev->ops->get_config(f->dev, 13, &b, 0, NULL));
	g_assert_false(
		f->dev->ops->get_config(f->dev, 0xffffffff, &b, 1, NULL));

	/* Only the MAC is writable */
	g_assert_true(f->dev->ops->set_config(f->dev, 0, mac2, 6, NULL));
	g_assert_true(f->dev->ops->set_config(f->dev, 5, "\x43", 1, NULL));
	g_assert_false(f->dev->ops->set_config(f->dev, 6, &v, 2, NULL));
	g_assert_false(f->dev->ops->set_config(f->dev, 4, &v, 4, NULL));
	net_read_config(f, &cfg);
	g_assert_cmpuint(cfg.mac[0], ==, 0x02);
	g_assert_cmpuint(cfg.mac[5], ==, 0x43);

	/* Reset restores the MAC */
	virtio_device_reset(f->dev);
	net_read_config(f, &cfg);
	g_assert_cmpmem(cfg.mac, 6, test_mac, 6);
}

/**
 * test_link() - Link state in the config status and a config change
 * @f:		fixture
 * @data:	unused
 */
static void test_link(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .no_start = true };
	struct virtio_net_config cfg;

	net_fixture_start(f, &o);
	g_assert_true(virtio_net_set_link(f->dev, false, true, NULL));
	net_read_config(f, &cfg);
	g_assert_cmpuint(le16toh(cfg.status), ==, 0);
	g_assert_cmpuint(f->config_changes, ==, 1);
	g_assert_true(virtio_net_set_link(f->dev, false, true, NULL));
	g_assert_cmpuint(f->config_changes, ==, 1);
	g_assert_true(virtio_net_set_link(f->dev, true, true, NULL));
	net_read_config(f, &cfg);
	g_assert_cmpuint(le16toh(cfg.status), ==, VIRTIO_NET_S_LINK_UP);
	g_assert_cmpuint(f->config_changes, ==, 2);
}

/**
 * test_mtu() - NET_SET_MTU within the offer
 * @f:		fixture
 * @data:	unused
 */
static void test_mtu(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .mtu = 4000, .no_start = true };
	struct virtio_net_config cfg;
	struct error *err = NULL;

	net_fixture_start(f, &o);
	g_assert_false(virtio_net_set_mtu(f->dev, 4001, &err));
	error_free(err);
	err = NULL;
	g_assert_false(virtio_net_set_mtu(f->dev, 67, &err));
	error_free(err);
	err = NULL;
	g_assert_true(virtio_net_set_mtu(f->dev, 1500, &err));
	net_read_config(f, &cfg);
	g_assert_cmpuint(le16toh(cfg.mtu), ==, 1500);
}

/**
 * test_mtu_not_offered() - NET_SET_MTU without --mtu is refused
 * @f:		fixture
 * @data:	unused
 */
static void test_mtu_not_offered(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .no_start = true };
	struct error *err = NULL;

	net_fixture_start(f, &o);
	g_assert_false(virtio_net_set_mtu(f->dev, 1500, &err));
	g_assert_nonnull(err);
	error_free(err);
}

/**
 * test_ctrl() - Control queue commands and their acks
 * @f:		fixture
 * @data:	unused
 */
static void test_ctrl(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .pairs = 2, .start_ctrl = true };
	const uint8_t mac2[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	struct virtio_net_config cfg;
	uint16_t n;
	uint8_t on = 1, frame[60];
	GBytes *got;

	net_fixture_start(f, &o);
	/* Without the control queue's word, every pair carries frames */
	net_frame(frame, sizeof(frame), 1);
	net_post_rx(f, 1, 2048, 2);
	fake_inject(f->fake, 1, frame, sizeof(frame));
	got = net_recv(f, 1, NULL);
	g_assert_nonnull(got);
	g_bytes_unref(got);

	n = htole16(1);
	g_assert_cmpint(net_ctrl(f, VIRTIO_NET_CTRL_MQ,
				 VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &n, 2),
			==, VIRTIO_NET_OK);
	fake_inject(f->fake, 1, frame, sizeof(frame));
	g_assert_true(fake_wait_q(f->fake, 1, FAKE_Q(taken), 2));
	g_assert_true(net_rx_quiet(f, 1));
	net_tx_plain(f, 1, frame, sizeof(frame));
	g_assert_cmpuint(fake_sent_count(f->fake), ==, 0);

	n = htole16(3);
	g_assert_cmpint(net_ctrl(f, VIRTIO_NET_CTRL_MQ,
				 VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &n, 2),
			==, VIRTIO_NET_ERR);
	n = 0;
	g_assert_cmpint(net_ctrl(f, VIRTIO_NET_CTRL_MQ,
				 VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &n, 2),
			==, VIRTIO_NET_ERR);
	n = htole16(2);
	g_assert_cmpint(net_ctrl(f, VIRTIO_NET_CTRL_MQ,
				 VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &n, 1),
			==, VIRTIO_NET_ERR);
	g_assert_cmpint(net_ctrl(f, VIRTIO_NET_CTRL_MQ,
				 VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &n, 2),
			==, VIRTIO_NET_OK);
	fake_inject(f->fake, 1, frame, sizeof(frame));
	got = net_recv(f, 1, NULL);
	g_assert_nonnull(got);
	g_bytes_unref(got);

	g_assert_cmpint(net_ctrl(f, VIRTIO_NET_CTRL_MAC,
				 VIRTIO_NET_CTRL_MAC_ADDR_SET, mac2, 6),
			==, VIRTIO_NET_OK);
	net_read_config(f, &cfg);
	g_assert_cmpmem(cfg.mac, 6, mac2, 6);
	g_assert_cmpint(net_ctrl(f, VIRTIO_NET_CTRL_MAC,
				 VIRTIO_NET_CTRL_MAC_ADDR_SET, mac2, 5),
			==, VIRTIO_NET_ERR);
	g_assert_cmpint(net_ctrl(f, VIRTIO_NET_CTRL_MAC,
				 VIRTIO_NET_CTRL_MAC_TABLE_SET, mac2, 6),
			==, VIRTIO_NET_ERR);

	g_assert_cmpint(net_ctrl(f, VIRTIO_NET_CTRL_RX,
				 VIRTIO_NET_CTRL_RX_PROMISC, &on, 1),
			==, VIRTIO_NET_OK);
	g_assert_cmpint(net_ctrl(f, VIRTIO_NET_CTRL_RX,
				 VIRTIO_NET_CTRL_RX_ALLMULTI, &on, 1),
			==, VIRTIO_NET_OK);
	g_assert_cmpint(net_ctrl(f, VIRTIO_NET_CTRL_RX, 2, &on, 1), ==,
			VIRTIO_NET_ERR);
	g_assert_cmpint(net_ctrl(f, VIRTIO_NET_CTRL_RX,
				 VIRTIO_NET_CTRL_RX_PROMISC, NULL, 0),
			==, VIRTIO_NET_ERR);
	g_assert_cmpint(net_ctrl(f, 2, 0, &n, 2), ==, VIRTIO_NET_ERR);
	g_assert_cmpint(net_ctrl(f, 0xff, 0xff, NULL, 0), ==, VIRTIO_NET_ERR);

	/* ANNOUNCE_ACK clears the status bit the announcement set */
	g_assert_true(virtio_net_announce(f->dev, test_mac, NULL));
	net_read_config(f, &cfg);
	g_assert_cmpuint(le16toh(cfg.status), ==,
			 VIRTIO_NET_S_LINK_UP | VIRTIO_NET_S_ANNOUNCE);
	g_assert_cmpint(net_ctrl(f, VIRTIO_NET_CTRL_ANNOUNCE,
				 VIRTIO_NET_CTRL_ANNOUNCE_ACK, NULL, 0),
			==, VIRTIO_NET_OK);
	net_read_config(f, &cfg);
	g_assert_cmpuint(le16toh(cfg.status), ==, VIRTIO_NET_S_LINK_UP);
}

/**
 * test_ctrl_no_mq() - VQ_PAIRS_SET without MQ negotiated is refused
 * @f:		fixture
 * @data:	unused
 */
static void test_ctrl_no_mq(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .pairs = 2,
					    .start_ctrl = true,
					    .drop_features =
						    NBIT(VIRTIO_NET_F_MQ) };
	uint16_t n = htole16(1);

	net_fixture_start(f, &o);
	g_assert_cmpint(net_ctrl(f, VIRTIO_NET_CTRL_MQ,
				 VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET, &n, 2),
			==, VIRTIO_NET_ERR);
}

/**
 * test_ctrl_malformed() - A command with no room for its ack breaks the
 * control queue, and nothing else
 * @f:		fixture
 * @data:	unused
 */
static void test_ctrl_malformed(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .start_ctrl = true };
	static int token;
	struct vring_buf out;
	uint8_t head[2] = { VIRTIO_NET_CTRL_RX, VIRTIO_NET_CTRL_RX_PROMISC };
	uint8_t frame[60];
	uint64_t gpa;

	net_fixture_start(f, &o);
	gpa = inproc_alloc(f->ip, 2, 16);
	g_assert_true(inproc_write(f->ip, gpa, head, 2));
	out = (struct vring_buf){ gpa, 2 };
	g_assert_cmpint(inproc_add(f->ip, 2, &out, 1, NULL, 0, &token), >=, 0);
	inproc_kick(f->ip, 2);
	g_assert_true(inproc_wait_broken(f->ip, 2, NET_TEST_TIMEOUT_MS));

	/* The data queues go on */
	net_frame(frame, sizeof(frame), 2);
	net_tx_plain(f, 0, frame, sizeof(frame));
	g_assert_cmpuint(fake_sent_count(f->fake), ==, 1);
}

/**
 * test_ctrl_short_header() - One readable byte: no command header
 * @f:		fixture
 * @data:	unused
 */
static void test_ctrl_short_header(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .start_ctrl = true };
	static int token;
	struct vring_buf out, in;
	uint64_t gpa;

	net_fixture_start(f, &o);
	gpa = inproc_alloc(f->ip, 2, 16);
	out = (struct vring_buf){ gpa, 1 };
	in = (struct vring_buf){ gpa + 1, 1 };
	g_assert_cmpint(inproc_add(f->ip, 2, &out, 1, &in, 1, &token), >=, 0);
	inproc_kick(f->ip, 2);
	g_assert_true(inproc_wait_broken(f->ip, 2, NET_TEST_TIMEOUT_MS));
}

/**
 * check_rarp() - A sent frame is QEMU's RARP announcement for @mac
 * @f:		fixture
 * @i:		index of the sent frame
 * @hdr_len:	zeroed header bytes expected in front
 * @mac:	the MAC announced
 */
static void check_rarp(struct net_fixture *f, unsigned int i, size_t hdr_len,
		       const uint8_t mac[6])
{
	uint8_t want[12 + 60] = { 0 };
	uint8_t *r = want + hdr_len;
	unsigned int q;
	GBytes *b = fake_sent(f->fake, i, &q);
	gsize n;
	const void *p = g_bytes_get_data(b, &n);

	memset(r, 0xff, 6);
	memcpy(r + 6, mac, 6);
	r[12] = 0x80; /* ETH_P_RARP */
	r[13] = 0x35;
	r[15] = 1;    /* Ethernet */
	r[16] = 0x08; /* IPv4 */
	r[18] = 6;
	r[19] = 4;
	r[21] = 3; /* reverse request */
	memcpy(r + 22, mac, 6);
	memcpy(r + 32, mac, 6);
	g_assert_cmpmem(p, n, want, hdr_len + 60);
	g_assert_cmpuint(q, ==, 0);
	g_bytes_unref(b);
}

/**
 * test_announce_rarp() - Without GUEST_ANNOUNCE the device sends a RARP,
 * through pair 0's worker while it runs, directly otherwise
 * @f:		fixture
 * @data:	unused
 */
static void test_announce_rarp(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .features = F_NO_ANNOUNCE };
	const uint8_t mac2[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };
	struct error *err = NULL;

	net_fixture_start(f, &o);
	g_assert_true(virtio_net_announce(f->dev, test_mac, &err));
	g_assert_true(fake_wait_sent(f->fake, 1));
	check_rarp(f, 0, 0, test_mac);
	g_assert_cmpuint(f->config_changes, ==, 0);

	inproc_stop_queue(f->ip, 0);
	inproc_stop_queue(f->ip, 1);
	g_assert_true(virtio_net_announce(f->dev, mac2, &err));
	g_assert_cmpuint(fake_sent_count(f->fake), ==, 2);
	check_rarp(f, 1, 0, mac2);
}

/**
 * test_announce_rarp_vnet() - The RARP to a vnet_hdr netdev has a header,
 * and waits in the backlog like any frame if the netdev is busy
 * @f:		fixture
 * @data:	unused
 */
static void test_announce_rarp_vnet(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .vnet_hdr = true,
					    .features = F_NO_ANNOUNCE };

	net_fixture_start(f, &o);
	fake_set_send_error(f->fake, -EAGAIN);
	g_assert_true(virtio_net_announce(f->dev, test_mac, NULL));
	g_usleep(NET_TEST_QUIET_MS * 1000);
	g_assert_cmpuint(fake_sent_count(f->fake), ==, 0);
	fake_set_send_error(f->fake, 0);
	fake_tx_ready(f->fake, 0);
	g_assert_true(fake_wait_sent(f->fake, 1));
	check_rarp(f, 0, 12, test_mac);
}

/**
 * test_announce_guest() - With GUEST_ANNOUNCE the guest is asked to
 * announce itself: status ANNOUNCE and a config change, no RARP
 * @f:		fixture
 * @data:	unused
 */
static void test_announce_guest(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { 0 };
	struct virtio_net_config cfg;

	net_fixture_start(f, &o);
	g_assert_true(virtio_net_announce(f->dev, test_mac, NULL));
	net_read_config(f, &cfg);
	g_assert_true(le16toh(cfg.status) & VIRTIO_NET_S_ANNOUNCE);
	g_assert_cmpuint(f->config_changes, ==, 1);
	g_usleep(NET_TEST_QUIET_MS * 1000);
	g_assert_cmpuint(fake_sent_count(f->fake), ==, 0);
}

/**
 * test_stats_bounds() - Stats of a pair that does not exist
 * @f:		fixture
 * @data:	unused
 */
static void test_stats_bounds(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .pairs = 2, .no_start = true };
	struct virtio_net_pair_stats s;

	net_fixture_start(f, &o);
	g_assert_true(virtio_net_get_stats(f->dev, 1, &s));
	g_assert_false(virtio_net_get_stats(f->dev, 2, &s));
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
	g_test_add_data_func("/net/device/offer", NULL, test_offer);
	g_test_add_data_func("/net/device/bad-options", NULL, test_bad_options);
	net_test_add("/net/device/set-features", test_set_features);
	net_test_add("/net/device/set-features-plain", test_set_features_plain);
	net_test_add("/net/device/fixed-header", test_fixed_header);
	net_test_add("/net/device/config", test_config);
	net_test_add("/net/device/link", test_link);
	net_test_add("/net/device/mtu", test_mtu);
	net_test_add("/net/device/mtu-not-offered", test_mtu_not_offered);
	net_test_add("/net/device/stats-bounds", test_stats_bounds);
	net_test_add("/net/ctrl/commands", test_ctrl);
	net_test_add("/net/ctrl/no-mq", test_ctrl_no_mq);
	net_test_add("/net/ctrl/malformed", test_ctrl_malformed);
	net_test_add("/net/ctrl/short-header", test_ctrl_short_header);
	net_test_add("/net/announce/rarp", test_announce_rarp);
	net_test_add("/net/announce/rarp-vnet", test_announce_rarp_vnet);
	net_test_add("/net/announce/guest", test_announce_guest);
	return g_test_run();
}
