/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-net unit tests: what a management interface uses on a live device,
 * link control with and without telling the driver, the device description
 * and the names of feature bits.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <endian.h>
#include <string.h>

#include "tests/unit/net/net-test-util.h"

/* A driver that does not read the link state */
#define F_NO_STATUS (NBIT(VIRTIO_F_VERSION_1) | NBIT(VIRTIO_NET_F_MAC))
/* The same with STATUS, and GUEST_ANNOUNCE for announcements */
#define F_STATUS                                                               \
	(F_NO_STATUS | NBIT(VIRTIO_NET_F_STATUS) |                             \
	 NBIT(VIRTIO_NET_F_GUEST_ANNOUNCE))

/**
 * config_status() - The status field of the config space
 * @f:		fixture
 *
 * Return: status, host order
 */
static uint16_t config_status(struct net_fixture *f)
{
	struct virtio_net_config cfg;

	net_read_config(f, &cfg);
	return le16toh(cfg.status);
}

/**
 * test_link_notify() - With @notify a change is a config change, the same
 * state is no change, without @notify nobody is told
 * @f:		fixture
 * @data:	unused
 */
static void test_link_notify(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .features = F_STATUS,
					    .no_start = true };
	struct error *err = NULL;

	net_fixture_start(f, &o);
	g_assert_true(virtio_net_link_up(f->dev));
	g_assert_cmpuint(config_status(f), ==, VIRTIO_NET_S_LINK_UP);

	g_assert_true(virtio_net_set_link(f->dev, false, false, &err));
	g_assert_null(err);
	g_assert_false(virtio_net_link_up(f->dev));
	g_assert_cmpuint(config_status(f), ==, 0);
	g_assert_cmpuint(f->config_changes, ==, 0);

	/* Unchanged: nothing to tell */
	g_assert_true(virtio_net_set_link(f->dev, false, true, &err));
	g_assert_null(err);
	g_assert_cmpuint(f->config_changes, ==, 0);

	g_assert_true(virtio_net_set_link(f->dev, true, true, &err));
	g_assert_null(err);
	g_assert_true(virtio_net_link_up(f->dev));
	g_assert_cmpuint(config_status(f), ==, VIRTIO_NET_S_LINK_UP);
	g_assert_cmpuint(f->config_changes, ==, 1);

	g_assert_true(virtio_net_set_link(f->dev, false, true, &err));
	g_assert_cmpuint(f->config_changes, ==, 2);
}

/**
 * test_link_notify_fails() - A transport that cannot tell the driver: the
 * error comes back, and the link changed all the same
 * @f:		fixture
 * @data:	unused
 */
static void test_link_notify_fails(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .features = F_STATUS,
					    .no_start = true };
	struct error *err = NULL;

	net_fixture_start(f, &o);
	f->config_notify_fails = true;
	g_assert_false(virtio_net_set_link(f->dev, false, true, &err));
	g_assert_nonnull(err);
	g_assert_nonnull(strstr(error_get_pretty(err), "no back-end channel"));
	g_assert_nonnull(strstr(error_get_pretty(err), "link down"));
	error_free(err);
	err = NULL;
	g_assert_cmpuint(f->config_changes, ==, 1);
	g_assert_false(virtio_net_link_up(f->dev));
	g_assert_cmpuint(config_status(f), ==, 0);

	/* Without notify the transport is not asked */
	g_assert_true(virtio_net_set_link(f->dev, true, false, &err));
	g_assert_null(err);
	g_assert_cmpuint(f->config_changes, ==, 1);
	g_assert_true(virtio_net_link_up(f->dev));
}

/**
 * test_link_no_status() - A driver without STATUS cannot be told, so the
 * transport is not asked; the frames stop all the same
 * @f:		fixture
 * @data:	unused
 */
static void test_link_no_status(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .features = F_NO_STATUS };
	uint8_t frame[60];
	struct error *err = NULL;

	net_fixture_start(f, &o);
	g_assert_false(virtio_net_set_link(f->dev, false, true, &err));
	g_assert_nonnull(err);
	g_assert_nonnull(strstr(error_get_pretty(err), "VIRTIO_NET_F_STATUS"));
	error_free(err);
	g_assert_cmpuint(f->config_changes, ==, 0);
	g_assert_false(virtio_net_link_up(f->dev));

	net_frame(frame, sizeof(frame), 1);
	net_tx_plain(f, 0, frame, sizeof(frame));
	g_assert_cmpuint(fake_sent_count(f->fake), ==, 0);
	g_assert_true(virtio_net_set_link(f->dev, true, false, NULL));
	net_tx_plain(f, 0, frame, sizeof(frame));
	g_assert_true(fake_wait_sent(f->fake, 1));
}

/**
 * test_announce_notify_fails() - GUEST_ANNOUNCE with a transport that cannot
 * tell the driver: the status says ANNOUNCE, the failure is only logged
 * @f:		fixture
 * @data:	unused
 */
static void test_announce_notify_fails(struct net_fixture *f,
				       gconstpointer data)
{
	const struct net_fixture_opts o = { .features = F_STATUS,
					    .no_start = true };
	const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	struct error *err = NULL;

	net_fixture_start(f, &o);
	f->config_notify_fails = true;
	g_assert_true(virtio_net_announce(f->dev, mac, &err));
	g_assert_null(err);
	g_assert_cmpuint(f->config_changes, ==, 1);
	g_assert_true(config_status(f) & VIRTIO_NET_S_ANNOUNCE);
}

/**
 * test_info() - MAC (as the driver set it), MTU offered, pairs, netdev
 * @f:		fixture
 * @data:	unused
 */
static void test_info(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .pairs = 2,
					    .mtu = 9000,
					    .no_start = true };
	const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	const uint8_t mac2[6] = { 0x02, 0, 0, 0, 0, 0x42 };
	struct virtio_net_info info;

	net_fixture_start(f, &o);
	virtio_net_get_info(f->dev, &info);
	g_assert_cmpmem(info.mac, 6, mac, 6);
	g_assert_cmpuint(info.mtu, ==, 9000);
	g_assert_cmpuint(info.queue_pairs, ==, 2);
	g_assert_true(info.netdev == &f->fake->nd);

	g_assert_true(f->dev->ops->set_config(f->dev, 0, mac2, 6, NULL));
	g_assert_true(virtio_net_set_mtu(f->dev, 1500, NULL));
	virtio_net_get_info(f->dev, &info);
	g_assert_cmpmem(info.mac, 6, mac2, 6);
	g_assert_cmpuint(info.mtu, ==, 9000);
}

/**
 * test_other_device() - The entry points refuse a device that is not ours
 * @f:		fixture
 * @data:	unused
 */
static void test_other_device(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .no_start = true };
	struct virtio_device_ops ops;
	struct virtio_device other;
	struct virtio_net_info info;
	struct error *err = NULL;

	net_fixture_start(f, &o);
	ops = *f->dev->ops;
	other = *f->dev;
	other.ops = &ops;
	g_assert_false(virtio_net_set_link(&other, false, false, &err));
	g_assert_nonnull(err);
	error_free(err);
	g_assert_false(virtio_net_set_link(NULL, false, false, NULL));
	g_assert_false(virtio_net_link_up(&other));
	memset(&info, 0xff, sizeof(info));
	virtio_net_get_info(&other, &info);
	g_assert_cmpuint(info.queue_pairs, ==, 0);
	g_assert_null(info.netdev);
	/* Ours is untouched */
	g_assert_true(virtio_net_link_up(f->dev));
}

/**
 * test_feature_names() - Spec names of every bit the device offers or the
 * specification defines for it, none for the transport's
 * @f:		fixture
 * @data:	unused
 */
static void test_feature_names(struct net_fixture *f, gconstpointer data)
{
	const struct net_fixture_opts o = { .pairs = 2,
					    .mtu = 9000,
					    .vnet_hdr = true,
					    .offloads = 0x1f,
					    .no_start = true };
	const char *(*name)(unsigned int bit);
	uint64_t offer;

	net_fixture_start(f, &o);
	name = f->dev->ops->feature_name;
	g_assert_nonnull(name);
	g_assert_cmpstr(name(VIRTIO_NET_F_MRG_RXBUF), ==,
			"VIRTIO_NET_F_MRG_RXBUF");
	g_assert_cmpstr(name(VIRTIO_NET_F_CSUM), ==, "VIRTIO_NET_F_CSUM");
	g_assert_cmpstr(name(VIRTIO_NET_F_CTRL_MAC_ADDR), ==,
			"VIRTIO_NET_F_CTRL_MAC_ADDR");
	g_assert_cmpstr(name(VIRTIO_NET_F_GSO), ==, "VIRTIO_NET_F_GSO");
	g_assert_cmpstr(name(VIRTIO_NET_F_HOST_USO), ==,
			"VIRTIO_NET_F_HOST_USO");
	g_assert_cmpstr(name(VIRTIO_NET_F_SPEED_DUPLEX), ==,
			"VIRTIO_NET_F_SPEED_DUPLEX");
	g_assert_null(name(4));
	g_assert_null(name(58));
	g_assert_null(name(64));
	g_assert_null(name(1000));
	/* The transport's bits are the core's to name */
	for (unsigned int bit = 24; bit <= 41; bit++)
		g_assert_null(name(bit));

	offer = f->dev->ops->get_features(f->dev);
	for (unsigned int bit = 0; bit < 64; bit++) {
		if (!(offer & NBIT(bit)) || (bit >= 24 && bit <= 41))
			continue;
		g_assert_nonnull(name(bit));
		g_assert_true(g_str_has_prefix(name(bit), "VIRTIO_NET_F_"));
	}
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
	net_test_add("/net/admin/link-notify", test_link_notify);
	net_test_add("/net/admin/link-notify-fails", test_link_notify_fails);
	net_test_add("/net/admin/link-no-status", test_link_no_status);
	net_test_add("/net/admin/announce-notify-fails",
		     test_announce_notify_fails);
	net_test_add("/net/admin/info", test_info);
	net_test_add("/net/admin/other-device", test_other_device);
	net_test_add("/net/admin/feature-names", test_feature_names);
	return g_test_run();
}
