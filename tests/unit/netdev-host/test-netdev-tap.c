/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the tap netdev, inside a private network namespace.
 *
 * The process enters a network namespace of its own before anything else,
 * so the taps it creates never touch the host's interfaces. Frames cross
 * each tap both ways: what the netdev writes arrives as incoming traffic on
 * an AF_PACKET socket bound to the interface, and what that socket sends
 * is transmitted on the tap and read by the netdev. The tests skip, with
 * the reason, where /dev/net/tun or a network namespace is not available.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <linux/capability.h>
#include <linux/ethtool.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "devices/net/netdev.h"
#include "tests/unit/netdev-host/netdev-host-util.h"
#include "tests/unit/netdev/netdev-test-util.h"

/* Payload of the test frames */
#define FRAME_PAYLOAD 200

/* Why every test skips, or NULL */
static char *skip_reason;

/**
 * need_tap() - Skip the test if taps cannot be used here
 *
 * Return: true if the test may go on
 */
static bool need_tap(void)
{
	if (skip_reason)
		g_test_skip(skip_reason);
	return !skip_reason;
}

/**
 * if_up() - Bring an interface up (SIOCSIFFLAGS)
 * @name:	interface
 */
static void if_up(const char *name)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	char path[128];
	FILE *f;

	g_assert_cmpint(s, >=, 0);
	g_strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
	g_assert_cmpint(ioctl(s, SIOCGIFFLAGS, &ifr), ==, 0);
	ifr.ifr_flags |= IFF_UP;
	g_assert_cmpint(ioctl(s, SIOCSIFFLAGS, &ifr), ==, 0);
	close(s);
	/* Fewer frames of the kernel's own (IPv6 DAD, MLD) on the tap */
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
		 name);
	f = fopen(path, "w");
	if (f) {
		fputs("1", f);
		fclose(f);
	}
}

/**
 * packet_open() - AF_PACKET socket on @name for the test EtherType
 * @name:	interface, brought up here
 *
 * Return: the socket (non-blocking)
 */
static int packet_open(const char *name)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(NH_ETH_P_TEST) };
	int fd;

	if_up(name);
	sll.sll_ifindex = (int)if_nametoindex(name);
	g_assert_cmpint(sll.sll_ifindex, >, 0);
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    htons(NH_ETH_P_TEST));
	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(bind(fd, (struct sockaddr *)&sll, sizeof(sll)), ==, 0);
	return fd;
}

/**
 * packet_recv() - Wait for a frame on an AF_PACKET socket
 * @fd:		socket
 * @buf:	destination, NH_FRAME_MAX bytes
 *
 * Return: its length; fails the test on timeout
 */
static size_t packet_recv(int fd, uint8_t *buf)
{
	ssize_t n;

	g_assert_true(nh_wait_fd(fd, POLLIN, NDT_TIMEOUT_MS));
	n = recv(fd, buf, NH_FRAME_MAX, 0);
	g_assert_cmpint(n, >, 0);
	return (size_t)n;
}

/**
 * test_frame() - A broadcast frame of the test EtherType
 * @buf:	destination, NH_FRAME_MAX bytes
 * @seed:	varies the payload
 *
 * Return: its length
 */
static size_t test_frame(uint8_t *buf, uint8_t seed)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	size_t n = nh_build_eth(buf, bcast, nh_guest_mac, NH_ETH_P_TEST);

	ndt_pattern(buf + n, FRAME_PAYLOAD, seed);
	return n + FRAME_PAYLOAD;
}

/* What is_test_frame() looks for: the frame after @skip header bytes */
struct want_frame {
	const uint8_t *data;
	size_t len;
	size_t skip;
};

/**
 * is_test_frame() - Predicate: @f is want->data after want->skip bytes
 * @f:		received frame
 * @len:	its length
 * @data:	struct want_frame
 *
 * Return: true if it matches
 */
static bool is_test_frame(const uint8_t *f, size_t len, const void *data)
{
	const struct want_frame *w = data;

	return len == w->skip + w->len && !memcmp(f + w->skip, w->data, w->len);
}

/**
 * send_with_hdr() - Send a frame through the netdev, header first
 * @nd:		netdev
 * @q:		queue
 * @hdr_len:	zero bytes of virtio_net_hdr in front (0: none)
 * @f:		frame
 * @len:	its length
 */
static void send_with_hdr(struct netdev *nd, unsigned int q, size_t hdr_len,
			  const uint8_t *f, size_t len)
{
	uint8_t hdr[12] = { 0 };
	struct iovec iov[2] = { { hdr, hdr_len }, { (void *)f, len } };

	g_assert_cmpint(nd->ops->send(nd, q, iov + !hdr_len, 1 + !!hdr_len), ==,
			0);
}

/**
 * exchange() - One frame each way through @nd's queue @q
 * @nd:		attached netdev
 * @p:		its port for queue @q
 * @q:		queue
 * @pkt:	AF_PACKET socket on the interface
 * @hdr_len:	bytes of vnet header the netdev takes and gives (0: none)
 * @seed:	varies the frames
 *
 * The header the kernel gives for a plain frame has no flags and no GSO.
 */
static void exchange(struct netdev *nd, struct ndt_port *p, unsigned int q,
		     int pkt, size_t hdr_len, uint8_t seed)
{
	static const uint8_t zero[12];
	uint8_t f[NH_FRAME_MAX], got[NH_FRAME_MAX];
	size_t len = test_frame(f, seed);
	struct want_frame w = { f, len, hdr_len };
	const uint8_t *r;
	GBytes *b;

	send_with_hdr(nd, q, hdr_len, f, len);
	g_assert_cmpmem(got, packet_recv(pkt, got), f, len);

	len = test_frame(f, (uint8_t)(seed + 1));
	g_assert_cmpint(send(pkt, f, len, 0), ==, (ssize_t)len);
	b = nh_wait_frame(p, is_test_frame, &w, NDT_TIMEOUT_MS);
	g_assert_nonnull(b);
	r = g_bytes_get_data(b, NULL);
	g_assert_cmpmem(r, hdr_len, zero, hdr_len);
	g_assert_cmpuint(p->receive_done, >, 0);
}

/**
 * tap_fds() - The fds of this process attached to tap @name
 * @name:	interface
 * @fds:	filled
 * @max:	room in @fds
 *
 * Return: how many there are
 */
static unsigned int tap_fds(const char *name, int *fds, unsigned int max)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned int n = 0;
	struct dirent *e;

	g_assert_nonnull(d);
	while ((e = readdir(d))) {
		char link[300], target[64];
		struct ifreq ifr = { 0 };
		ssize_t l;
		int fd = atoi(e->d_name);

		snprintf(link, sizeof(link), "/proc/self/fd/%s", e->d_name);
		l = readlink(link, target, sizeof(target) - 1);
		if (l < 0)
			continue;
		target[l] = '\0';
		if (strcmp(target, "/dev/net/tun") ||
		    ioctl(fd, TUNGETIFF, &ifr) < 0 ||
		    strcmp(ifr.ifr_name, name))
			continue;
		if (n < max)
			fds[n] = fd;
		n++;
	}
	closedir(d);
	return n;
}

/**
 * detached_count() - How many of @name's queues are detached
 * @name:	interface
 *
 * Return: fds of this process on @name with IFF_DETACH_QUEUE
 */
static unsigned int detached_count(const char *name)
{
	unsigned int n, detached = 0;
	int fds[8];

	n = tap_fds(name, fds, 8);
	g_assert_cmpuint(n, <=, 8);
	for (unsigned int i = 0; i < n; i++) {
		struct ifreq ifr = { 0 };

		g_assert_cmpint(ioctl(fds[i], TUNGETIFF, &ifr), ==, 0);
		g_assert_true(ifr.ifr_flags & IFF_MULTI_QUEUE);
		detached += !!(ifr.ifr_flags & IFF_DETACH_QUEUE);
	}
	return detached;
}

/**
 * tap_fd() - The one fd of this process attached to tap @name
 * @name:	interface
 *
 * Return: the fd
 */
static int tap_fd(const char *name)
{
	int fd;

	g_assert_cmpuint(tap_fds(name, &fd, 1), ==, 1);
	return fd;
}

/**
 * tap_open_raw() - Open a tap the way a manager would
 * @name:	interface
 * @flags:	IFF_* besides IFF_TAP (IFF_NO_PI, IFF_VNET_HDR, ...)
 *
 * Return: the attached fd (blocking)
 */
static int tap_open_raw(const char *name, short flags)
{
	struct ifreq ifr = { 0 };
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	g_assert_cmpint(fd, >=, 0);
	g_strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
	ifr.ifr_flags = flags;
	g_assert_cmpint(ioctl(fd, TUNSETIFF, &ifr), ==, 0);
	return fd;
}

/**
 * tap_set_persist() - Make a tap persistent, or not
 * @name:	interface
 * @on:		persistent
 */
static void tap_set_persist(const char *name, bool on)
{
	int fd = tap_open_raw(name, IFF_TAP | IFF_NO_PI);

	g_assert_cmpint(ioctl(fd, TUNSETPERSIST, (unsigned long)on), ==, 0);
	close(fd);
}

/**
 * tso_enabled() - Whether the kernel enabled TSO on @name (ETHTOOL_GTSO)
 * @name:	interface
 *
 * Return: true if on
 */
static bool tso_enabled(const char *name)
{
	struct ethtool_value ev = { .cmd = ETHTOOL_GTSO };
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	g_strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
	ifr.ifr_data = (void *)&ev;
	g_assert_cmpint(ioctl(s, SIOCETHTOOL, &ifr), ==, 0);
	close(s);
	return ev.data;
}

/**
 * expect_error() - netdev_new(@spec) fails with a message containing @want
 * @spec:	specification
 * @pairs:	queue pairs of the device
 * @want:	expected part of the message
 */
static void expect_error(const char *spec, unsigned int pairs, const char *want)
{
	char *msg = ndt_new_error(spec, pairs);

	if (!strstr(msg, want))
		g_error("'%s': message '%s' lacks '%s'", spec, msg, want);
	g_assert_true(g_str_has_prefix(msg, "netdev n0: "));
	g_free(msg);
}

/**
 * test_vnet_hdr_off() - Bare frames both ways
 */
static void test_vnet_hdr_off(void)
{
	struct netdev *nd;
	struct ndt_port p;
	int pkt;

	if (!need_tap())
		return;
	nd = ndt_new("tap,id=n0,ifname=qdt0,vnet_hdr=off", 1);
	g_assert_cmpstr(nd->ops->type, ==, "tap");
	g_assert_cmpuint(nd->queues, ==, 1);
	g_assert_false(nd->vnet_hdr);
	g_assert_cmpuint(nd->hdr_len, ==, 0);
	g_assert_cmpuint(nd->offloads, ==, 0);
	ndt_port_init(&p);
	ndt_port_attach(&p, nd, 0);
	pkt = packet_open("qdt0");
	exchange(nd, &p, 0, pkt, 0, 1);
	g_assert_cmpuint(p.rx_nowait, ==, 0);
	close(pkt);
	ndt_port_destroy(&p);
	netdev_free(nd);
	/* Created by us, not persistent: gone with the fd */
	g_assert_cmpuint(if_nametoindex("qdt0"), ==, 0);
}

/**
 * test_vnet_hdr_on() - A 10-byte header in front of every frame, both ways
 */
static void test_vnet_hdr_on(void)
{
	struct netdev *nd;
	struct ndt_port p;
	int pkt, len = 0;

	if (!need_tap())
		return;
	nd = ndt_new("tap,id=n0,ifname=qdt0,vnet_hdr=on", 1);
	g_assert_true(nd->vnet_hdr);
	g_assert_cmpuint(nd->hdr_len, ==, 10);
	g_assert_cmpint(ioctl(tap_fd("qdt0"), TUNGETVNETHDRSZ, &len), ==, 0);
	g_assert_cmpint(len, ==, 10);
	ndt_port_init(&p);
	ndt_port_attach(&p, nd, 0);
	pkt = packet_open("qdt0");
	exchange(nd, &p, 0, pkt, 10, 3);
	close(pkt);
	ndt_port_destroy(&p);
	netdev_free(nd);
}

/**
 * test_vnet_hdr_default() - Without vnet_hdr=, the kernel's support decides
 * (every kernel this runs on has it)
 */
static void test_vnet_hdr_default(void)
{
	struct netdev *nd;
	struct ifreq ifr = { 0 };

	if (!need_tap())
		return;
	nd = ndt_new("tap,id=n0,ifname=qdt0", 1);
	g_assert_true(nd->vnet_hdr);
	g_assert_cmpint(ioctl(tap_fd("qdt0"), TUNGETIFF, &ifr), ==, 0);
	g_assert_true(ifr.ifr_flags & IFF_VNET_HDR);
	g_assert_true(ifr.ifr_flags & IFF_NO_PI);
	g_assert_true(fcntl(tap_fd("qdt0"), F_GETFL) & O_NONBLOCK);
	netdev_free(nd);
}

/**
 * test_offloads() - Probed offloads; set_vnet_hdr() sets the header size
 * and the offloads the kernel may use, and refuses what it cannot do
 */
static void test_offloads(void)
{
	struct error *err = NULL;
	struct netdev *nd, *plain;
	struct ndt_port p;
	int pkt, len = 0;

	if (!need_tap())
		return;
	nd = ndt_new("tap,id=n0,ifname=qdt0,vnet_hdr=on", 1);
	g_test_message("offloads: 0x%x", nd->offloads);
	g_assert_cmpuint(nd->offloads & NETDEV_OFFLOAD_CSUM, !=, 0);
	g_assert_cmpuint(nd->offloads & NETDEV_OFFLOAD_TSO4, !=, 0);
	g_assert_cmpuint(nd->offloads & NETDEV_OFFLOAD_TSO6, !=, 0);
	/* No offload in use until the guest's features are known */
	g_assert_false(tso_enabled("qdt0"));

	g_assert_true(nd->ops->set_vnet_hdr(
		nd, 12,
		NETDEV_OFFLOAD_CSUM | NETDEV_OFFLOAD_TSO4 | NETDEV_OFFLOAD_TSO6,
		&err));
	g_assert_null(err);
	g_assert_cmpuint(nd->hdr_len, ==, 12);
	g_assert_cmpint(ioctl(tap_fd("qdt0"), TUNGETVNETHDRSZ, &len), ==, 0);
	g_assert_cmpint(len, ==, 12);
	g_assert_true(tso_enabled("qdt0"));

	ndt_port_init(&p);
	ndt_port_attach(&p, nd, 0);
	pkt = packet_open("qdt0");
	exchange(nd, &p, 0, pkt, 12, 5);
	close(pkt);
	ndt_port_destroy(&p);

	g_assert_true(nd->ops->set_vnet_hdr(nd, 10, 0, &err));
	g_assert_cmpint(ioctl(tap_fd("qdt0"), TUNGETVNETHDRSZ, &len), ==, 0);
	g_assert_cmpint(len, ==, 10);
	g_assert_false(tso_enabled("qdt0"));

	g_assert_false(nd->ops->set_vnet_hdr(nd, 11, 0, &err));
	g_assert_nonnull(strstr(error_get_pretty(err),
				"unsupported vnet header length 11"));
	g_clear_pointer(&err, error_free);
	g_assert_false(nd->ops->set_vnet_hdr(nd, 10, 0x80, &err));
	g_assert_nonnull(strstr(error_get_pretty(err), "offloads 0x80"));
	g_clear_pointer(&err, error_free);

	plain = ndt_new("tap,id=n1,ifname=qdt1,vnet_hdr=off", 1);
	g_assert_false(plain->ops->set_vnet_hdr(plain, 10, 0, &err));
	g_assert_nonnull(strstr(error_get_pretty(err), "no vnet header"));
	g_clear_pointer(&err, error_free);
	netdev_free(plain);
	netdev_free(nd);
}

/**
 * pump_both() - Run two ports' loops until one holds a matching frame
 * @a:		first port
 * @b:		second port
 * @w:		frame looked for
 *
 * Return: the port that received it
 */
static struct ndt_port *pump_both(struct ndt_port *a, struct ndt_port *b,
				  const struct want_frame *w)
{
	for (int i = 0; i < NDT_TIMEOUT_MS / 20; i++) {
		if (nh_wait_frame(a, is_test_frame, w, 10))
			return a;
		if (nh_wait_frame(b, is_test_frame, w, 10))
			return b;
	}
	g_error("frame not received on either queue");
}

/**
 * kernel_to_port() - Frames sent on the interface reach @want's port
 * @pkt:	AF_PACKET socket on the interface
 * @a:		first port
 * @b:		second port (may be detached)
 * @want:	port that must get them, NULL for either
 * @seed:	varies the frames
 */
static void kernel_to_port(int pkt, struct ndt_port *a, struct ndt_port *b,
			   struct ndt_port *want, uint8_t seed)
{
	uint8_t f[NH_FRAME_MAX];

	for (unsigned int i = 0; i < 4; i++) {
		struct want_frame w = { f, 0, 10 };
		struct ndt_port *got;

		w.len = test_frame(f, (uint8_t)(seed + i));
		g_assert_cmpint(send(pkt, f, w.len, 0), ==, (ssize_t)w.len);
		got = pump_both(a, b, &w);
		if (want)
			g_assert_true(got == want);
	}
}

/**
 * test_multiqueue() - Two pairs: two fds on one IFF_MULTI_QUEUE tap; a
 * queue is attached to the interface (gets the kernel's frames) only while
 * its pair runs, and sends on either queue at any time
 */
static void test_multiqueue(void)
{
	uint8_t f[NH_FRAME_MAX], got[NH_FRAME_MAX];
	struct ndt_port p[2];
	struct netdev *nd;
	int fds[4], pkt;
	unsigned int n;

	if (!need_tap())
		return;
	nd = ndt_new("tap,id=n0,ifname=qdt1,queues=2", 2);
	g_assert_cmpuint(nd->queues, ==, 2);
	g_assert_cmpuint(tap_fds("qdt1", fds, 4), ==, 2);
	/* Queue 1 detached until its pair runs; it can still send */
	g_assert_cmpuint(detached_count("qdt1"), ==, 1);
	pkt = packet_open("qdt1");
	n = test_frame(f, 9);
	send_with_hdr(nd, 1, 10, f, n);
	g_assert_cmpmem(got, packet_recv(pkt, got), f, n);

	ndt_port_init(&p[0]);
	ndt_port_init(&p[1]);
	ndt_port_attach(&p[0], nd, 0);
	kernel_to_port(pkt, &p[0], &p[1], &p[0], 10);

	ndt_port_attach(&p[1], nd, 1);
	g_assert_cmpuint(detached_count("qdt1"), ==, 0);
	for (unsigned int q = 0; q < 2; q++) {
		n = test_frame(f, (uint8_t)(20 + q));
		send_with_hdr(nd, q, 10, f, n);
		g_assert_cmpmem(got, packet_recv(pkt, got), f, n);
	}
	kernel_to_port(pkt, &p[0], &p[1], NULL, 30);

	ndt_port_detach(&p[1]);
	g_assert_cmpuint(detached_count("qdt1"), ==, 1);
	kernel_to_port(pkt, &p[0], &p[1], &p[0], 40);
	close(pkt);
	for (unsigned int i = 0; i < 2; i++)
		ndt_port_destroy(&p[i]);
	netdev_free(nd);
	g_assert_cmpuint(if_nametoindex("qdt1"), ==, 0);
}

/**
 * test_fd_passing() - fd= and fds= from a manager: taken over, set
 * non-blocking, closed with the netdev
 */
static void test_fd_passing(void)
{
	struct ndt_port p;
	struct netdev *nd;
	int fd, fd2, pkt;
	char *spec;

	if (!need_tap())
		return;
	fd = tap_open_raw("qdt2", IFF_TAP | IFF_NO_PI | IFF_VNET_HDR);
	spec = g_strdup_printf("tap,id=n0,fd=%d", fd);
	nd = ndt_new(spec, 1);
	g_free(spec);
	g_assert_true(nd->vnet_hdr);
	g_assert_cmpuint(nd->hdr_len, ==, 10);
	g_assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	ndt_port_init(&p);
	ndt_port_attach(&p, nd, 0);
	pkt = packet_open("qdt2");
	exchange(nd, &p, 0, pkt, 10, 30);
	close(pkt);
	ndt_port_destroy(&p);
	netdev_free(nd);
	g_assert_cmpint(fcntl(fd, F_GETFD), ==, -1);
	g_assert_cmpint(errno, ==, EBADF);

	fd = tap_open_raw("qdt3", IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE);
	fd2 = tap_open_raw("qdt3", IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE);
	spec = g_strdup_printf("tap,id=n0,fds=%d:%d,vnet_hdr=off", fd, fd2);
	nd = ndt_new(spec, 2);
	g_free(spec);
	g_assert_cmpuint(nd->queues, ==, 2);
	g_assert_false(nd->vnet_hdr);
	netdev_free(nd);
	g_assert_cmpint(fcntl(fd, F_GETFD), ==, -1);
	g_assert_cmpint(fcntl(fd2, F_GETFD), ==, -1);
}

/**
 * test_fd_errors() - Bad fd=/fds= are refused; the fds stay the caller's
 */
static void test_fd_errors(void)
{
	int pipefd[2], vh, tun, a, b;
	char *spec;

	if (!need_tap())
		return;
	g_assert_cmpint(pipe(pipefd), ==, 0);
	spec = g_strdup_printf("tap,id=n0,fd=%d", pipefd[0]);
	expect_error(spec, 1, "is not an attached tap fd");
	g_free(spec);
	g_assert_cmpint(fcntl(pipefd[0], F_GETFD), >=, 0);
	close(pipefd[0]);
	close(pipefd[1]);

	vh = tap_open_raw("qdt4", IFF_TAP | IFF_NO_PI | IFF_VNET_HDR);
	spec = g_strdup_printf("tap,id=n0,fd=%d,vnet_hdr=off", vh);
	expect_error(spec, 1, "opened with IFF_VNET_HDR, vnet_hdr=off");
	g_free(spec);
	spec = g_strdup_printf("tap,id=n0,fd=%d", vh);
	expect_error(spec, 2, "1 fd for 2 queue pairs (use fds=N:M:...)");
	g_free(spec);
	spec = g_strdup_printf("tap,id=n0,fds=%d:%d", vh, vh);
	expect_error(spec, 2, "given twice");
	g_free(spec);
	spec = g_strdup_printf("tap,id=n0,fd=%d,ifname=qdt4", vh);
	expect_error(spec, 1, "ifname= and fd= exclude each other");
	g_free(spec);
	g_assert_cmpint(fcntl(vh, F_GETFD), >=, 0);
	close(vh);

	tun = tap_open_raw("qdtun", IFF_TUN | IFF_NO_PI);
	spec = g_strdup_printf("tap,id=n0,fd=%d", tun);
	expect_error(spec, 1, "qdtun is not a tap");
	g_free(spec);
	close(tun);

	a = tap_open_raw("qdt5", IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE);
	b = tap_open_raw("qdt6", IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE);
	spec = g_strdup_printf("tap,id=n0,fds=%d:%d", a, b);
	expect_error(spec, 2, "differs from the first fd's qdt5");
	g_free(spec);
	close(a);
	close(b);
	expect_error("tap,id=n0,fd=12x", 1, "fd=12x: bad fd number '12x'");
	expect_error("tap,id=n0,fds=3::4", 3, "bad fd number ''");
}

/**
 * test_persistent() - Attach to a persistent tap by name: it stays after
 * the netdev is freed; a multiqueue attach to it is refused with a hint
 */
static void test_persistent(void)
{
	struct ndt_port p;
	struct netdev *nd;
	int pkt, fd;

	if (!need_tap())
		return;
	fd = tap_open_raw("qdt7", IFF_TAP | IFF_NO_PI);
	g_assert_cmpint(ioctl(fd, TUNSETPERSIST, 1UL), ==, 0);
	close(fd);
	g_assert_cmpuint(if_nametoindex("qdt7"), !=, 0);

	nd = ndt_new("tap,id=n0,ifname=qdt7,vnet_hdr=off", 1);
	ndt_port_init(&p);
	ndt_port_attach(&p, nd, 0);
	pkt = packet_open("qdt7");
	exchange(nd, &p, 0, pkt, 0, 40);
	close(pkt);
	ndt_port_destroy(&p);
	netdev_free(nd);
	g_assert_cmpuint(if_nametoindex("qdt7"), !=, 0);

	expect_error("tap,id=n0,ifname=qdt7", 2,
		     "cannot create tap qdt7 queue 0: Invalid argument (exists "
		     "but is not a tap, or was created without multiqueue)");

	tap_set_persist("qdt7", false);
	g_assert_cmpuint(if_nametoindex("qdt7"), ==, 0);
}

/**
 * test_rx_hold() - A guest without buffers: the frame is held, the watch
 * paused; rx_resume delivers it and reading goes on
 */
static void test_rx_hold(void)
{
	uint8_t f[NH_FRAME_MAX];
	struct want_frame w = { f, 0, 0 };
	struct ndt_port p;
	struct netdev *nd;
	uint32_t events = 0;
	int pkt, fd;

	if (!need_tap())
		return;
	nd = ndt_new("tap,id=n0,ifname=qdt0,vnet_hdr=off", 1);
	fd = tap_fd("qdt0");
	ndt_port_init(&p);
	ndt_port_attach(&p, nd, 0);
	g_assert_true(ndt_port_watched(&p, fd, &events));
	g_assert_cmpuint(events, ==, EPOLLIN);
	pkt = packet_open("qdt0");
	p.rx_full = true;
	w.len = test_frame(f, 50);
	g_assert_cmpint(send(pkt, f, w.len, 0), ==, (ssize_t)w.len);
	for (int i = 0; i < 100 && !p.rx_refused; i++)
		ndt_port_poll(&p, 50);
	g_assert_cmpuint(p.rx_refused, ==, 1);
	g_assert_true(ndt_port_watched(&p, fd, &events));
	g_assert_cmpuint(events, ==, 0);
	ndt_port_pump(&p, 100);
	g_assert_cmpuint(p.rx_refused, ==, 1);

	p.rx_full = false;
	nd->ops->rx_resume(nd, 0);
	g_assert_nonnull(nh_wait_frame(&p, is_test_frame, &w, 0));
	g_assert_true(ndt_port_watched(&p, fd, &events));
	g_assert_cmpuint(events, ==, EPOLLIN);
	/* Reading goes on */
	w.len = test_frame(f, 51);
	g_assert_cmpint(send(pkt, f, w.len, 0), ==, (ssize_t)w.len);
	g_assert_nonnull(nh_wait_frame(&p, is_test_frame, &w, NDT_TIMEOUT_MS));
	close(pkt);
	ndt_port_destroy(&p);
	netdev_free(nd);
}

/**
 * link_delete() - Delete an interface (RTM_DELLINK), as "ip link del" does
 * @name:	interface
 */
static void link_delete(const char *name)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req = {
		.nh = { .nlmsg_len = sizeof(req),
			.nlmsg_type = RTM_DELLINK,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
			.nlmsg_seq = 1 },
		.ifi = { .ifi_family = AF_UNSPEC,
			 .ifi_index = (int)if_nametoindex(name) },
	};
	struct {
		struct nlmsghdr nh;
		struct nlmsgerr err;
	} ack;
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	g_assert_cmpint(s, >=, 0);
	g_assert_cmpint(req.ifi.ifi_index, >, 0);
	g_assert_cmpint(send(s, &req, sizeof(req), 0), ==,
			(ssize_t)sizeof(req));
	g_assert_true(nh_wait_fd(s, POLLIN, NDT_TIMEOUT_MS));
	g_assert_cmpint(recv(s, &ack, sizeof(ack), 0), >=,
			(ssize_t)sizeof(ack));
	g_assert_cmpint(ack.nh.nlmsg_type, ==, NLMSG_ERROR);
	g_assert_cmpint(ack.err.error, ==, 0);
	close(s);
}

/**
 * test_interface_deleted() - The interface is deleted under an attached
 * netdev: the fd is no longer watched (no busy loop), sends fail cleanly
 */
static void test_interface_deleted(void)
{
	uint8_t f[NH_FRAME_MAX];
	struct ndt_port p;
	struct netdev *nd;
	int fd, r;

	if (!need_tap())
		return;
	nd = ndt_new("tap,id=n0,ifname=qdt9,vnet_hdr=off", 1);
	fd = tap_fd("qdt9");
	ndt_port_init(&p);
	ndt_port_attach(&p, nd, 0);
	link_delete("qdt9");
	for (int i = 0; i < 100 && ndt_port_watched(&p, fd, NULL); i++)
		ndt_port_poll(&p, 50);
	g_assert_false(ndt_port_watched(&p, fd, NULL));
	r = ndt_send(nd, 0, f, test_frame(f, 70));
	g_assert_cmpint(r, <, 0);
	g_assert_cmpint(r, !=, -EAGAIN);
	ndt_port_destroy(&p);
	netdev_free(nd);
}

/**
 * test_send_detached() - send() works without an attached port, and a
 * frame to a tap that is down is refused with an error, not a crash
 */
static void test_send_detached(void)
{
	uint8_t f[NH_FRAME_MAX];
	struct netdev *nd;
	size_t len = test_frame(f, 60);
	int r;

	if (!need_tap())
		return;
	nd = ndt_new("tap,id=n0,ifname=qdt0,vnet_hdr=off", 1);
	/* Down: the kernel drops or refuses it; either way no -EAGAIN */
	r = ndt_send(nd, 0, f, len);
	g_assert_true(r == 0 || (r < 0 && r != -EAGAIN));
	netdev_free(nd);
}

/**
 * test_bad_options() - Option errors name the netdev and the option
 */
static void test_bad_options(void)
{
	if (!need_tap())
		return;
	expect_error("tap,id=n0,ifname=", 1, "ifname=: not a valid interface");
	expect_error("tap,id=n0,ifname=abcdefghijklmnopq", 1,
		     "ifname=abcdefghijklmnopq: not a valid interface");
	expect_error("tap,id=n0,ifname=a/b", 1, "ifname=a/b: not a valid");
	expect_error("tap,id=n0,vnet_hdr=maybe", 1, "vnet_hdr=maybe");
	expect_error("tap,id=n0,script=/etc/qemu-ifup", 1,
		     "script=/etc/qemu-ifup: scripts are not run");
	expect_error("tap,id=n0,vhost=on", 1, "vhost=on: vhost-net");
	expect_error("tap,id=n0,queues=3", 1,
		     "queues=3 differs from the device's 1 queue pairs");
	expect_error("tap,id=n0,fd=3,fds=4", 1, "fd= and fds= exclude");
	expect_error("tap,id=n0,sndbuf=1", 1, "unknown option 'sndbuf'");
	expect_error("tap,id=n0,ifname=lo", 1,
		     "cannot create tap lo: Invalid argument (exists but is "
		     "not a tap");
	/* QEMU command lines often carry these: accepted */
	netdev_free(ndt_new("tap,id=n0,ifname=qdt0,script=no,downscript=no,"
			    "vhost=off",
			    1));
}

/**
 * drop_net_admin() - Clear CAP_NET_ADMIN from the effective set
 *
 * Return: true on success
 */
static bool drop_net_admin(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return false;
	d[CAP_NET_ADMIN / 32].effective &= ~(1U << (CAP_NET_ADMIN % 32));
	return !syscall(SYS_capset, &h, d);
}

/**
 * test_no_permission() - Without CAP_NET_ADMIN the message says so
 *
 * Runs in a child process that drops the capability.
 */
static void test_no_permission(void)
{
	const char *want = "netdev n0: cannot create tap qdt8: Operation not "
			   "permitted (needs CAP_NET_ADMIN";
	int status;
	pid_t pid;

	if (!need_tap())
		return;
	pid = fork();
	g_assert_cmpint(pid, >=, 0);
	if (pid == 0) {
		struct error *err = NULL;
		struct netdev *nd;

		if (!drop_net_admin())
			_exit(2);
		nd = netdev_new("tap,id=n0,ifname=qdt8", 1, &err);
		if (nd || !err ||
		    strncmp(error_get_pretty(err), want, strlen(want))) {
			fprintf(stderr, "got: %s\n",
				err ? error_get_pretty(err) : "success");
			_exit(1);
		}
		error_free(err);
		_exit(0);
	}
	g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
	g_assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 2) {
		g_test_skip("cannot drop CAP_NET_ADMIN");
		return;
	}
	g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

/**
 * write_file() - Write a string to a file
 * @path:	file
 * @text:	contents
 *
 * Return: true on success
 */
static bool write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (!f)
		return false;
	ok = fputs(text, f) >= 0;
	return !fclose(f) && ok;
}

/**
 * enter_userns_netns() - Unprivileged: a user namespace where we are root,
 * and a network namespace it owns
 *
 * Return: 0, or the errno of the failure
 */
static int enter_userns_netns(void)
{
	char map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();

	if (unshare(CLONE_NEWUSER | CLONE_NEWNET))
		return errno;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)uid);
	if (!write_file("/proc/self/uid_map", map))
		return errno;
	write_file("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "0 %u 1", (unsigned int)gid);
	if (!write_file("/proc/self/gid_map", map))
		return errno;
	return 0;
}

/**
 * enter_netns() - Enter a private network namespace, or say why not
 *
 * As root, a network namespace; otherwise inside a new user namespace too.
 * Sets skip_reason when taps cannot be tested here.
 */
static void enter_netns(void)
{
	int fd, err;

	if (access("/dev/net/tun", F_OK)) {
		skip_reason =
			g_strdup_printf("/dev/net/tun: %s", g_strerror(errno));
		return;
	}
	if (unshare(CLONE_NEWNET)) {
		err = enter_userns_netns();
		if (err) {
			skip_reason = g_strdup_printf(
				"no private network namespace: "
				"unshare(CLONE_NEWNET): needs CAP_SYS_ADMIN; "
				"in a user namespace: %s",
				g_strerror(err));
			return;
		}
	}
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		skip_reason =
			g_strdup_printf("/dev/net/tun: %s", g_strerror(errno));
		return;
	}
	close(fd);
}

/**
 * main() - Enter a private network namespace, register the tap tests
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: the GTest result
 */
int main(int argc, char **argv)
{
	int r;

	/* Before any thread exists, so the whole process moves */
	enter_netns();
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/netdev/tap/vnet-hdr-off", test_vnet_hdr_off);
	g_test_add_func("/netdev/tap/vnet-hdr-on", test_vnet_hdr_on);
	g_test_add_func("/netdev/tap/vnet-hdr-default", test_vnet_hdr_default);
	g_test_add_func("/netdev/tap/offloads", test_offloads);
	g_test_add_func("/netdev/tap/multiqueue", test_multiqueue);
	g_test_add_func("/netdev/tap/fd-passing", test_fd_passing);
	g_test_add_func("/netdev/tap/fd-errors", test_fd_errors);
	g_test_add_func("/netdev/tap/persistent", test_persistent);
	g_test_add_func("/netdev/tap/rx-hold", test_rx_hold);
	g_test_add_func("/netdev/tap/interface-deleted",
			test_interface_deleted);
	g_test_add_func("/netdev/tap/send-detached", test_send_detached);
	g_test_add_func("/netdev/tap/bad-options", test_bad_options);
	g_test_add_func("/netdev/tap/no-permission", test_no_permission);
	r = g_test_run();
	g_free(skip_reason);
	return r;
}
