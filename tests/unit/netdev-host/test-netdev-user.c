/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the user netdev (libslirp): DHCP, ARP, port forwarding,
 * traffic to the host with and without restrict=, flow control and options.
 *
 * The fake port of tests/unit/netdev stands for the device: frames the test
 * sends are what the guest transmits, frames the port records are what the
 * guest would receive. Only loopback sockets are used.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "devices/net/netdev.h"
#include "tests/unit/netdev-host/netdev-host-util.h"
#include "tests/unit/netdev/netdev-test-util.h"

/* slirp's own MAC address for its host and DNS addresses */
static const uint8_t slirp_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };

/**
 * is_dhcp_offer() - Predicate: a DHCPOFFER for transaction *@data
 * @f:		frame
 * @len:	its length
 * @data:	uint32_t xid as sent
 *
 * Return: true if it is one
 */
static bool is_dhcp_offer(const uint8_t *f, size_t len, const void *data)
{
	const uint8_t *bootp, *o, *end;
	struct nh_ip ip;

	if (!nh_parse_ip(f, len, &ip) || ip.proto != 17 || ip.l4_len < 8 + 240)
		return false;
	if (ip.l4[0] != 0 || ip.l4[1] != 67 || ip.l4[2] != 0 || ip.l4[3] != 68)
		return false;
	bootp = ip.l4 + 8;
	if (bootp[0] != 2 || memcmp(bootp + 4, data, 4))
		return false;
	end = ip.l4 + ip.l4_len;
	for (o = bootp + 240; o + 2 <= end && *o != 255; o += 2 + o[1]) {
		if (*o == 0) {
			o -= 1; /* pad: one byte */
			continue;
		}
		if (*o == 53 && o[1] == 1 && o + 3 <= end)
			return o[2] == 2;
	}
	return false;
}

/**
 * is_arp_reply() - Predicate: slirp's ARP reply for address *@data
 * @f:		frame
 * @len:	its length
 * @data:	struct in_addr asked for
 *
 * Return: true if it is one, to the guest
 */
static bool is_arp_reply(const uint8_t *f, size_t len, const void *data)
{
	const uint8_t *a = f + NH_ETH_HLEN;

	return nh_ethertype(f, len) == NH_ETH_P_ARP &&
	       len >= NH_ETH_HLEN + 28 && a[6] == 0 && a[7] == 2 &&
	       !memcmp(a + 14, data, 4) && !memcmp(a + 18, nh_guest_mac, 6) &&
	       !memcmp(f, nh_guest_mac, 6);
}

/**
 * is_syn_to() - Predicate: a TCP SYN (no ACK) to *@data
 * @f:		frame
 * @len:	its length
 * @data:	struct sockaddr_in: guest address and port
 *
 * Return: true if it is one
 */
static bool is_syn_to(const uint8_t *f, size_t len, const void *data)
{
	const struct sockaddr_in *to = data;
	struct nh_ip ip;

	return nh_parse_ip(f, len, &ip) && ip.proto == 6 && ip.l4_len >= 20 &&
	       ip.dst.s_addr == to->sin_addr.s_addr &&
	       !memcmp(ip.l4 + 2, &to->sin_port, 2) &&
	       (ip.l4[13] & 0x12) == 0x02;
}

/**
 * new_attached() - Create a user netdev and attach a port to queue 0
 * @spec:	specification
 * @p:		port, initialised here
 *
 * Return: the netdev
 */
static struct netdev *new_attached(const char *spec, struct ndt_port *p)
{
	struct netdev *nd = ndt_new(spec, 1);

	g_assert_cmpstr(nd->ops->type, ==, "user");
	g_assert_cmpuint(nd->queues, ==, 1);
	g_assert_false(nd->vnet_hdr);
	ndt_port_init(p);
	ndt_port_attach(p, nd, 0);
	return nd;
}

/**
 * finish() - Detach, free the port and the netdev
 * @nd:		netdev
 * @p:		its port
 */
static void finish(struct netdev *nd, struct ndt_port *p)
{
	ndt_port_destroy(p);
	netdev_free(nd);
}

/**
 * send_frame() - Send a frame as the guest; must be taken
 * @nd:		netdev
 * @f:		frame
 * @len:	its length
 */
static void send_frame(struct netdev *nd, const uint8_t *f, size_t len)
{
	g_assert_cmpint(ndt_send(nd, 0, f, len), ==, 0);
}

/**
 * arp_for_host() - ARP 10.0.2.2 from 10.0.2.15 (slirp learns our MAC)
 * @nd:		netdev
 * @p:		its port
 */
static void arp_for_host(struct netdev *nd, struct ndt_port *p)
{
	uint8_t f[NH_FRAME_MAX];
	struct in_addr host = nh_ip4("10.0.2.2");

	send_frame(nd, f, nh_build_arp_request(f, nh_ip4("10.0.2.15"), host));
	g_assert_nonnull(nh_wait_frame(p, is_arp_reply, &host, NDT_TIMEOUT_MS));
}

/**
 * dhcp_offer() - DISCOVER on @spec's network, expect an OFFER of @addr
 * @spec:	netdev specification
 * @addr:	address expected in yiaddr
 */
static void dhcp_offer(const char *spec, const char *addr)
{
	struct in_addr want = nh_ip4(addr);
	uint8_t f[NH_FRAME_MAX];
	uint32_t xid = 0x5eed1234;
	struct ndt_port p;
	struct nh_ip ip;
	struct netdev *nd = new_attached(spec, &p);
	GBytes *b;
	gsize len;
	const uint8_t *o;

	send_frame(nd, f, nh_build_dhcp_discover(f, xid));
	b = nh_wait_frame(&p, is_dhcp_offer, &xid, NDT_TIMEOUT_MS);
	g_assert_nonnull(b);
	o = g_bytes_get_data(b, &len);
	g_assert_true(nh_parse_ip(o, len, &ip));
	g_assert_cmpmem(ip.l4 + 8 + 16, 4, &want, 4);	     /* yiaddr */
	g_assert_cmpmem(ip.l4 + 8 + 28, 6, nh_guest_mac, 6); /* chaddr */
	g_assert_cmpuint(p.receive_done, >, 0);
	finish(nd, &p);
}

/**
 * test_dhcp() - DHCPDISCOVER gets an OFFER of 10.0.2.15
 */
static void test_dhcp(void)
{
	dhcp_offer("user,id=n0", "10.0.2.15");
}

/**
 * test_dhcp_custom_net() - net= and dhcpstart= move the offered address
 */
static void test_dhcp_custom_net(void)
{
	dhcp_offer("user,id=n0,net=192.168.76.0/24,host=192.168.76.1,"
		   "dns=192.168.76.3,dhcpstart=192.168.76.50,ipv6=off,"
		   "hostname=guest,domainname=example.test,dnssearch=a.test,"
		   "dnssearch=b.test",
		   "192.168.76.50");
}

/**
 * test_arp() - ARP request for the host address gets slirp's reply
 */
static void test_arp(void)
{
	struct in_addr host = nh_ip4("10.0.2.2");
	uint8_t f[NH_FRAME_MAX];
	struct ndt_port p;
	struct netdev *nd = new_attached("user,id=n0", &p);
	const uint8_t *r;
	GBytes *b;

	send_frame(nd, f, nh_build_arp_request(f, nh_ip4("10.0.2.15"), host));
	b = nh_wait_frame(&p, is_arp_reply, &host, NDT_TIMEOUT_MS);
	g_assert_nonnull(b);
	r = g_bytes_get_data(b, NULL);
	g_assert_cmpmem(r + NH_ETH_HLEN + 8, 6, slirp_mac, 6); /* sender MAC */
	finish(nd, &p);
}

/**
 * test_hostfwd_tcp() - A host connection to the forwarded port makes slirp
 * send a SYN to the guest's address and port
 */
static void test_hostfwd_tcp(void)
{
	uint16_t port = nh_free_port(SOCK_STREAM);
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons(22),
				  .sin_addr = nh_ip4("10.0.2.15") };
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr = nh_ip4("127.0.0.1") };
	char *spec = g_strdup_printf("user,id=n0,hostfwd=tcp:127.0.0.1:%u-:22",
				     port);
	struct ndt_port p;
	struct netdev *nd = new_attached(spec, &p);
	int fd;

	arp_for_host(nd, &p);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	g_assert_cmpint(fd, >=, 0);
	g_assert_true(!connect(fd, (struct sockaddr *)&a, sizeof(a)) ||
		      errno == EINPROGRESS);
	g_assert_nonnull(nh_wait_frame(&p, is_syn_to, &to, NDT_TIMEOUT_MS));
	close(fd);
	finish(nd, &p);
	g_free(spec);
}

/**
 * guest_udp_to_host() - A UDP datagram from the guest to 10.0.2.2:PORT
 * @spec:	netdev specification
 * @expect:	whether the socket on 127.0.0.1:PORT must get it
 */
static void guest_udp_to_host(const char *spec, bool expect)
{
	static const char msg[] = "hello from the guest";
	uint8_t f[NH_FRAME_MAX];
	char got[64];
	struct ndt_port p;
	struct netdev *nd = new_attached(spec, &p);
	int fd = nh_listen(SOCK_DGRAM, 0);
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	ssize_t n;

	g_assert_cmpint(getsockname(fd, (struct sockaddr *)&a, &alen), ==, 0);
	send_frame(nd, f,
		   nh_build_udp(f, slirp_mac, nh_ip4("10.0.2.15"), 40000,
				nh_ip4("10.0.2.2"), ntohs(a.sin_port), msg,
				sizeof(msg)));
	if (expect) {
		g_assert_true(nh_wait_fd(fd, POLLIN, NDT_TIMEOUT_MS));
		n = recv(fd, got, sizeof(got), 0);
		g_assert_cmpmem(got, n, msg, sizeof(msg));
	} else {
		ndt_port_pump(&p, 300);
		g_assert_false(nh_wait_fd(fd, POLLIN, 200));
	}
	close(fd);
	finish(nd, &p);
}

/**
 * guest_tcp_to_host() - A TCP SYN from the guest to 10.0.2.2:PORT
 * @spec:	netdev specification
 * @expect:	whether the listener on 127.0.0.1:PORT must see a connection
 */
static void guest_tcp_to_host(const char *spec, bool expect)
{
	uint8_t f[NH_FRAME_MAX];
	struct ndt_port p;
	struct netdev *nd = new_attached(spec, &p);
	int fd = nh_listen(SOCK_STREAM, 0), c;
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);

	g_assert_cmpint(getsockname(fd, (struct sockaddr *)&a, &alen), ==, 0);
	send_frame(nd, f,
		   nh_build_tcp_syn(f, slirp_mac, nh_ip4("10.0.2.15"), 40001,
				    nh_ip4("10.0.2.2"), ntohs(a.sin_port),
				    1000));
	if (expect) {
		g_assert_true(nh_wait_fd(fd, POLLIN, NDT_TIMEOUT_MS));
		c = accept(fd, NULL, NULL);
		g_assert_cmpint(c, >=, 0);
		close(c);
	} else {
		ndt_port_pump(&p, 300);
		g_assert_false(nh_wait_fd(fd, POLLIN, 200));
	}
	close(fd);
	finish(nd, &p);
}

/**
 * test_udp_to_host() - restrict=off: the guest reaches the host by UDP
 */
static void test_udp_to_host(void)
{
	guest_udp_to_host("user,id=n0", true);
}

/**
 * test_tcp_to_host() - restrict=off: the guest connects to the host
 */
static void test_tcp_to_host(void)
{
	guest_tcp_to_host("user,id=n0,restrict=off", true);
}

/**
 * test_restrict_udp() - restrict=on: the datagram never reaches the host
 */
static void test_restrict_udp(void)
{
	guest_udp_to_host("user,id=n0,restrict=on", false);
}

/**
 * test_restrict_tcp() - restrict=on: no connection reaches the host
 */
static void test_restrict_tcp(void)
{
	guest_tcp_to_host("user,id=n0,restrict=on", false);
}

/**
 * paused_watches() - Count the watches of a port that wait for nothing
 * @p:		port
 *
 * Return: watches with events 0
 */
static unsigned int paused_watches(const struct ndt_port *p)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < NDT_MAX_WATCHES; i++)
		if (p->watches[i].fd >= 0 && !p->watches[i].events)
			n++;
	return n;
}

/**
 * test_rx_hold() - A guest without buffers: the frame is held, reading
 * pauses, and rx_resume delivers it
 */
static void test_rx_hold(void)
{
	struct in_addr host = nh_ip4("10.0.2.2");
	uint8_t f[NH_FRAME_MAX];
	struct ndt_port p;
	struct netdev *nd = new_attached("user,id=n0,ipv6=off", &p);

	p.rx_full = true;
	send_frame(nd, f, nh_build_arp_request(f, nh_ip4("10.0.2.15"), host));
	for (int i = 0; i < 100 && !p.rx_refused; i++)
		ndt_port_poll(&p, 50);
	g_assert_cmpuint(p.rx_refused, ==, 1);
	g_assert_cmpuint(paused_watches(&p), ==, 1);
	/* Paused: no more offers while the guest has no buffers */
	ndt_port_pump(&p, 100);
	g_assert_cmpuint(p.rx_refused, ==, 1);
	p.rx_full = false;
	nd->ops->rx_resume(nd, 0);
	g_assert_nonnull(
		nh_wait_frame(&p, is_arp_reply, &host, NDT_TIMEOUT_MS));
	g_assert_cmpuint(paused_watches(&p), ==, 0);
	g_assert_cmpuint(p.rx_nowait, ==, 0);
	finish(nd, &p);
}

/**
 * test_tx_eagain() - A full frame pair: send() says -EAGAIN, then
 * tx_ready comes once slirp has drained it
 *
 * Every ARP request makes slirp answer. While the port is not pumped the
 * answers fill the way to the guest, slirp then waits for room on each
 * one, and the requests fill the way to slirp.
 */
static void test_tx_eagain(void)
{
	uint8_t f[NH_FRAME_MAX];
	struct ndt_port p;
	struct netdev *nd = new_attached("user,id=n0,ipv6=off", &p);
	size_t len = nh_build_arp_request(f, nh_ip4("10.0.2.15"),
					  nh_ip4("10.0.2.2"));
	int r = 0, i;

	for (i = 0; i < 1000000 && r != -EAGAIN; i++) {
		r = ndt_send(nd, 0, f, len);
		g_assert_true(r == 0 || r == -EAGAIN);
	}
	g_test_message("-EAGAIN after %d frames", i);
	g_assert_cmpint(r, ==, -EAGAIN);
	g_assert_cmpuint(p.tx_ready, ==, 0);
	g_assert_true(ndt_port_wait_tx_ready(&p, 1, NDT_TIMEOUT_MS));
	g_assert_cmpint(ndt_send(nd, 0, f, len), ==, 0);
	finish(nd, &p);
}

/**
 * test_one_queue() - Several device pairs: one netdev queue, attach of
 * another queue refused
 */
static void test_one_queue(void)
{
	struct netdev *nd = ndt_new("user,id=n0", 4);
	struct error *err = NULL;
	struct ndt_port p;

	g_assert_cmpuint(nd->queues, ==, 1);
	ndt_port_init(&p);
	g_assert_false(nd->ops->attach(nd, 1, &p.port, &err));
	g_assert_nonnull(strstr(error_get_pretty(err), "one queue"));
	error_free(err);
	ndt_port_destroy(&p);
	netdev_free(nd);
}

/**
 * expect_error() - netdev_new(@spec) fails with a message containing @want
 * @spec:	specification
 * @want:	expected part of the message
 */
static void expect_error(const char *spec, const char *want)
{
	char *msg = ndt_new_error(spec, 1);

	if (!strstr(msg, want))
		g_error("'%s': message '%s' lacks '%s'", spec, msg, want);
	g_assert_true(g_str_has_prefix(msg, "netdev n0: "));
	g_free(msg);
}

/**
 * test_bad_options() - Bad net=, addresses and hostfwd= rules are refused
 * with a message naming the option
 */
static void test_bad_options(void)
{
	uint16_t port;
	char *spec, *want;
	int fd;

	expect_error("user,id=n0,net=10.0.2.1/24",
		     "net=10.0.2.1/24: the "
		     "address has bits outside the mask");
	expect_error("user,id=n0,net=10.0.2.0/33", "net=10.0.2.0/33: expected");
	expect_error("user,id=n0,net=nowhere", "net=nowhere: expected");
	expect_error("user,id=n0,net=10.0.2.0/255.0.255.0", "expected");
	expect_error("user,id=n0,net=10.0.2.0/31", "too small");
	expect_error("user,id=n0,host=192.168.0.1",
		     "host=192.168.0.1: not a host address of the network "
		     "10.0.2.0/24");
	expect_error("user,id=n0,dns=10.0.2.255", "dns=10.0.2.255");
	expect_error("user,id=n0,net=10.0.2.0/28", "dhcpstart=10.0.2.15");
	expect_error("user,id=n0,dhcpstart=x", "dhcpstart=x: not an IPv4");
	expect_error("user,id=n0,restrict=maybe", "restrict=maybe");
	expect_error("user,id=n0,ipv4=off,ipv6=off", "no network");
	expect_error("user,id=n0,ipv6-net=fec0::", "ipv6-net=fec0::: expected");
	expect_error("user,id=n0,ipv6-host=fec1::2", "outside ipv6-net");
	expect_error("user,id=n0,hostname=a-very-long-host-name-for-slirp-x",
		     "longer than");
	expect_error("user,id=n0,smb=/tmp", "unknown option 'smb'");
	expect_error("user,id=n0,hostfwd=tcp::abc-:22",
		     "hostfwd=tcp::abc-:22: bad host port");
	expect_error("user,id=n0,hostfwd=sctp::2222-:22",
		     "hostfwd=sctp::2222-:22: the protocol must be tcp or udp");
	expect_error("user,id=n0,hostfwd=tcp::2222-:0", "bad guest port");
	expect_error("user,id=n0,hostfwd=tcp::2222",
		     "hostfwd=tcp::2222: "
		     "expected [tcp|udp]:[HOSTADDR]:HOSTPORT-");
	expect_error("user,id=n0,hostfwd=tcp:1.2.3:2222-:22",
		     "bad host address");
	expect_error("user,id=n0,hostfwd=tcp::2222-192.168.1.1:22",
		     "outside net=");
	expect_error("user,id=n0,hostfwd=udp::70000-:22", "bad host port");

	/* A host port in use: the second rule fails, named */
	fd = nh_listen(SOCK_STREAM, 0);
	{
		struct sockaddr_in a;
		socklen_t alen = sizeof(a);

		g_assert_cmpint(getsockname(fd, (struct sockaddr *)&a, &alen),
				==, 0);
		port = ntohs(a.sin_port);
	}
	spec = g_strdup_printf("user,id=n0,hostfwd=udp:127.0.0.1:%u-:53,"
			       "hostfwd=tcp:127.0.0.1:%u-:22",
			       nh_free_port(SOCK_DGRAM), port);
	want = g_strdup_printf("hostfwd=tcp:127.0.0.1:%u-:22: cannot listen "
			       "on TCP 127.0.0.1:%u: Address already in use",
			       port, port);
	expect_error(spec, want);
	g_free(spec);
	g_free(want);
	close(fd);
}

/**
 * main() - Register the user netdev tests
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: the GTest result
 */
int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/netdev/user/dhcp", test_dhcp);
	g_test_add_func("/netdev/user/dhcp-custom-net", test_dhcp_custom_net);
	g_test_add_func("/netdev/user/arp", test_arp);
	g_test_add_func("/netdev/user/hostfwd-tcp", test_hostfwd_tcp);
	g_test_add_func("/netdev/user/udp-to-host", test_udp_to_host);
	g_test_add_func("/netdev/user/tcp-to-host", test_tcp_to_host);
	g_test_add_func("/netdev/user/restrict-udp", test_restrict_udp);
	g_test_add_func("/netdev/user/restrict-tcp", test_restrict_tcp);
	g_test_add_func("/netdev/user/rx-hold", test_rx_hold);
	g_test_add_func("/netdev/user/tx-eagain", test_tx_eagain);
	g_test_add_func("/netdev/user/one-queue", test_one_queue);
	g_test_add_func("/netdev/user/bad-options", test_bad_options);
	return g_test_run();
}
