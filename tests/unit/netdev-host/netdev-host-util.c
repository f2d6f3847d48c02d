/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Frames for the host netdev tests: build what a guest sends, parse what it
 * receives.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/unit/netdev-host/netdev-host-util.h"

#define NH_IP_HLEN  20
#define NH_UDP_HLEN 8
#define NH_TCP_HLEN 20
/* BOOTP message without options, then the DHCP magic cookie */
#define NH_BOOTP_LEN 236
#define NH_BOOTP_MIN 300

const uint8_t nh_guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t nh_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/**
 * nh_put16() - Store a 16-bit value in network byte order
 * @p:		destination
 * @v:		value
 */
static void nh_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/**
 * nh_get16() - Load a 16-bit value in network byte order
 * @p:		source
 *
 * Return: the value
 */
static uint16_t nh_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/**
 * nh_csum() - Internet checksum
 * @data:	bytes
 * @len:	their number
 * @sum:	partial sum to fold in (a pseudo-header), 0 if none
 *
 * Return: the checksum, ready to store in network byte order
 */
uint16_t nh_csum(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;

	for (; len > 1; len -= 2, p += 2)
		sum += nh_get16(p);
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/**
 * nh_ip4() - Parse a dotted IPv4 address
 * @s:		address
 *
 * Return: the address
 */
struct in_addr nh_ip4(const char *s)
{
	struct in_addr a;

	g_assert_cmpint(inet_pton(AF_INET, s, &a), ==, 1);
	return a;
}

/**
 * nh_build_eth() - Write an Ethernet header
 * @buf:	destination
 * @dst:	destination MAC
 * @src:	source MAC
 * @type:	EtherType
 *
 * Return: NH_ETH_HLEN
 */
size_t nh_build_eth(uint8_t *buf, const uint8_t dst[6], const uint8_t src[6],
		    uint16_t type)
{
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	nh_put16(buf + 12, type);
	return NH_ETH_HLEN;
}

/**
 * nh_build_arp_request() - ARP who-has from the guest
 * @buf:	destination
 * @sip:	sender (guest) address
 * @tip:	address asked for
 *
 * Return: frame length
 */
size_t nh_build_arp_request(uint8_t *buf, struct in_addr sip,
			    struct in_addr tip)
{
	uint8_t *a =
		buf + nh_build_eth(buf, nh_bcast, nh_guest_mac, NH_ETH_P_ARP);

	nh_put16(a, 1);		 /* Ethernet */
	nh_put16(a + 2, 0x0800); /* IPv4 */
	a[4] = 6;
	a[5] = 4;
	nh_put16(a + 6, 1); /* request */
	memcpy(a + 8, nh_guest_mac, 6);
	memcpy(a + 14, &sip, 4);
	memset(a + 18, 0, 6);
	memcpy(a + 24, &tip, 4);
	/* Pad to the Ethernet minimum */
	memset(a + 28, 0, 60 - NH_ETH_HLEN - 28);
	return 60;
}

/**
 * nh_build_ip() - Ethernet and IPv4 headers around an L4 payload
 * @buf:	destination; the L4 part starts at NH_ETH_HLEN + NH_IP_HLEN
 * @dmac:	destination MAC
 * @proto:	IP protocol
 * @src:	source address
 * @dst:	destination address
 * @l4_len:	length of the L4 part already written
 *
 * Return: frame length
 */
static size_t nh_build_ip(uint8_t *buf, const uint8_t dmac[6], uint8_t proto,
			  struct in_addr src, struct in_addr dst, size_t l4_len)
{
	uint8_t *ip = buf + nh_build_eth(buf, dmac, nh_guest_mac, NH_ETH_P_IP);

	ip[0] = 0x45;
	ip[1] = 0;
	nh_put16(ip + 2, (uint16_t)(NH_IP_HLEN + l4_len));
	nh_put16(ip + 4, 0x1234);
	nh_put16(ip + 6, 0x4000); /* DF */
	ip[8] = 64;
	ip[9] = proto;
	nh_put16(ip + 10, 0);
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	nh_put16(ip + 10, nh_csum(ip, NH_IP_HLEN, 0));
	return NH_ETH_HLEN + NH_IP_HLEN + l4_len;
}

/**
 * nh_pseudo_sum() - Partial sum of the IPv4 pseudo-header
 * @src:	source address
 * @dst:	destination address
 * @proto:	IP protocol
 * @len:	L4 length
 *
 * Return: the unfolded sum
 */
static uint32_t nh_pseudo_sum(struct in_addr src, struct in_addr dst,
			      uint8_t proto, size_t len)
{
	uint32_t s = ntohl(src.s_addr), d = ntohl(dst.s_addr);

	return (s >> 16) + (s & 0xffff) + (d >> 16) + (d & 0xffff) + proto +
	       (uint32_t)len;
}

/**
 * nh_build_udp() - A UDP datagram from the guest
 * @buf:	destination, NH_FRAME_MAX bytes
 * @dmac:	destination MAC
 * @src:	source address
 * @sport:	source port
 * @dst:	destination address
 * @dport:	destination port
 * @payload:	data
 * @len:	its length
 *
 * Return: frame length
 */
size_t nh_build_udp(uint8_t *buf, const uint8_t dmac[6], struct in_addr src,
		    uint16_t sport, struct in_addr dst, uint16_t dport,
		    const void *payload, size_t len)
{
	uint8_t *udp = buf + NH_ETH_HLEN + NH_IP_HLEN;
	size_t l4 = NH_UDP_HLEN + len;
	uint16_t sum;

	g_assert_cmpuint(NH_ETH_HLEN + NH_IP_HLEN + l4, <=, NH_FRAME_MAX);
	nh_put16(udp, sport);
	nh_put16(udp + 2, dport);
	nh_put16(udp + 4, (uint16_t)l4);
	nh_put16(udp + 6, 0);
	memcpy(udp + NH_UDP_HLEN, payload, len);
	sum = nh_csum(udp, l4, nh_pseudo_sum(src, dst, 17, l4));
	nh_put16(udp + 6, sum ? sum : 0xffff);
	return nh_build_ip(buf, dmac, 17, src, dst, l4);
}

/**
 * nh_build_tcp_syn() - A TCP SYN from the guest
 * @buf:	destination, NH_FRAME_MAX bytes
 * @dmac:	destination MAC
 * @src:	source address
 * @sport:	source port
 * @dst:	destination address
 * @dport:	destination port
 * @seq:	initial sequence number
 *
 * Return: frame length
 */
size_t nh_build_tcp_syn(uint8_t *buf, const uint8_t dmac[6], struct in_addr src,
			uint16_t sport, struct in_addr dst, uint16_t dport,
			uint32_t seq)
{
	uint8_t *tcp = buf + NH_ETH_HLEN + NH_IP_HLEN;

	memset(tcp, 0, NH_TCP_HLEN);
	nh_put16(tcp, sport);
	nh_put16(tcp + 2, dport);
	nh_put16(tcp + 4, (uint16_t)(seq >> 16));
	nh_put16(tcp + 6, (uint16_t)seq);
	tcp[12] = (NH_TCP_HLEN / 4) << 4;
	tcp[13] = 0x02; /* SYN */
	nh_put16(tcp + 14, 65535);
	nh_put16(tcp + 16, nh_csum(tcp, NH_TCP_HLEN,
				   nh_pseudo_sum(src, dst, 6, NH_TCP_HLEN)));
	return nh_build_ip(buf, dmac, 6, src, dst, NH_TCP_HLEN);
}

/**
 * nh_build_dhcp_discover() - A broadcast DHCPDISCOVER from the guest
 * @buf:	destination, NH_FRAME_MAX bytes
 * @xid:	transaction id
 *
 * Return: frame length
 */
size_t nh_build_dhcp_discover(uint8_t *buf, uint32_t xid)
{
	static const uint8_t opts[] = { 0x63, 0x82, 0x53, 0x63, /* cookie */
					53,   1,    1,		/* DISCOVER */
					255 };
	uint8_t bootp[NH_BOOTP_MIN] = { 0 };

	bootp[0] = 1; /* BOOTREQUEST */
	bootp[1] = 1; /* Ethernet */
	bootp[2] = 6;
	memcpy(bootp + 4, &xid, 4);
	memcpy(bootp + 28, nh_guest_mac, 6);
	memcpy(bootp + NH_BOOTP_LEN, opts, sizeof(opts));
	return nh_build_udp(buf, nh_bcast, nh_ip4("0.0.0.0"), 68,
			    nh_ip4("255.255.255.255"), 67, bootp,
			    sizeof(bootp));
}

/**
 * nh_ethertype() - EtherType of a frame
 * @frame:	Ethernet frame
 * @len:	its length
 *
 * Return: the EtherType, 0 if the frame is too short
 */
uint16_t nh_ethertype(const uint8_t *frame, size_t len)
{
	return len < NH_ETH_HLEN ? 0 : nh_get16(frame + 12);
}

/**
 * nh_parse_ip() - The IPv4 packet in an Ethernet frame
 * @frame:	Ethernet frame
 * @len:	its length
 * @ip:	filled
 *
 * Return: true if the frame holds a well-formed IPv4 packet
 */
bool nh_parse_ip(const uint8_t *frame, size_t len, struct nh_ip *ip)
{
	const uint8_t *h = frame + NH_ETH_HLEN;
	size_t ihl, tot;

	if (nh_ethertype(frame, len) != NH_ETH_P_IP ||
	    len < NH_ETH_HLEN + NH_IP_HLEN || (h[0] >> 4) != 4)
		return false;
	ihl = (size_t)(h[0] & 0xf) * 4;
	tot = nh_get16(h + 2);
	if (ihl < NH_IP_HLEN || tot < ihl || NH_ETH_HLEN + tot > len)
		return false;
	ip->proto = h[9];
	memcpy(&ip->src, h + 12, 4);
	memcpy(&ip->dst, h + 16, 4);
	ip->l4 = h + ihl;
	ip->l4_len = tot - ihl;
	return true;
}

/**
 * nh_listen() - A socket bound to 127.0.0.1:@port, listening if TCP
 * @type:	SOCK_STREAM or SOCK_DGRAM
 * @port:	port, 0 for any
 *
 * Return: the socket (non-blocking)
 */
int nh_listen(int type, uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr = nh_ip4("127.0.0.1") };
	int one = 1;
	int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	g_assert_cmpint(fd, >=, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	g_assert_cmpint(bind(fd, (struct sockaddr *)&a, sizeof(a)), ==, 0);
	if (type == SOCK_STREAM)
		g_assert_cmpint(listen(fd, 4), ==, 0);
	return fd;
}

/**
 * nh_free_port() - A port free on 127.0.0.1 at this moment
 * @type:	SOCK_STREAM or SOCK_DGRAM
 *
 * Return: the port
 */
uint16_t nh_free_port(int type)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int fd = nh_listen(type, 0);

	g_assert_cmpint(getsockname(fd, (struct sockaddr *)&a, &alen), ==, 0);
	close(fd);
	return ntohs(a.sin_port);
}

/**
 * nh_wait_fd() - Wait for events on a descriptor
 * @fd:		descriptor
 * @events:	poll events
 * @timeout_ms:	longest wait
 *
 * Return: true if ready in time
 */
bool nh_wait_fd(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r;

	do {
		r = poll(&p, 1, timeout_ms);
	} while (r < 0 && errno == EINTR);
	return r > 0 && (p.revents & events);
}

/* A frame the test looks for among those received */
struct match {
	bool (*pred)(const uint8_t *f, size_t len, const void *data);
	const void *data;
	int found; /* index of the first matching frame, -1 if none */
};

/**
 * match_cond() - ndt_port_pump_until() condition: a frame matches
 * @p:		port
 * @opaque:	struct match
 *
 * Return: true once a received frame satisfies the predicate
 */
static bool match_cond(struct ndt_port *p, void *opaque)
{
	struct match *m = opaque;

	for (unsigned int i = 0; i < p->frames->len; i++) {
		gsize len;
		const uint8_t *f = g_bytes_get_data(ndt_port_frame(p, i), &len);

		if (m->pred(f, len, m->data)) {
			m->found = (int)i;
			return true;
		}
	}
	return false;
}

/**
 * nh_wait_frame() - Pump the port until a frame satisfies @pred
 * @p:		port
 * @pred:	predicate
 * @data:	its argument
 * @timeout_ms:	longest wait
 *
 * Return: the frame, or NULL on timeout
 */
GBytes *nh_wait_frame(struct ndt_port *p,
		      bool (*pred)(const uint8_t *f, size_t len,
				   const void *data),
		      const void *data, int timeout_ms)
{
	struct match m = { pred, data, -1 };

	if (!ndt_port_pump_until(p, match_cond, &m, timeout_ms))
		return NULL;
	return ndt_port_frame(p, (unsigned int)m.found);
}
