/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Frames for the host netdev tests: build Ethernet/ARP/IPv4/UDP/TCP/DHCP
 * frames as a guest would send them, and take apart the ones it receives.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TESTS_UNIT_NETDEV_HOST_UTIL_H
#define QD_TESTS_UNIT_NETDEV_HOST_UTIL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tests/unit/netdev/netdev-test-util.h"

#define NH_ETH_HLEN  14
#define NH_ETH_P_IP  0x0800
#define NH_ETH_P_ARP 0x0806
/* Local experimental EtherType: frames only the tests send */
#define NH_ETH_P_TEST 0x88b5
/* Large enough for any frame the tests build */
#define NH_FRAME_MAX 1600

/* The guest's MAC address in every test */
extern const uint8_t nh_guest_mac[6];

/* A received IPv4 packet, pointers into the frame */
struct nh_ip {
	uint8_t proto;
	struct in_addr src, dst;
	const uint8_t *l4; /* transport header */
	size_t l4_len;	   /* transport header and payload */
};

/* nh_csum() - Internet checksum of @len bytes, folded with @sum */
uint16_t nh_csum(const void *data, size_t len, uint32_t sum);
/* nh_ip4() - parse dotted IPv4 @s; asserts it is valid */
struct in_addr nh_ip4(const char *s);

/* nh_build_eth() - Ethernet header; Return: NH_ETH_HLEN */
size_t nh_build_eth(uint8_t *buf, const uint8_t dst[6], const uint8_t src[6],
		    uint16_t type);
/* nh_build_arp_request() - who-has @tip tell @sip from nh_guest_mac */
size_t nh_build_arp_request(uint8_t *buf, struct in_addr sip,
			    struct in_addr tip);
/* nh_build_udp() - UDP datagram (checksummed) to @dmac; Return: length */
size_t nh_build_udp(uint8_t *buf, const uint8_t dmac[6], struct in_addr src,
		    uint16_t sport, struct in_addr dst, uint16_t dport,
		    const void *payload, size_t len);
/* nh_build_tcp_syn() - TCP SYN (checksummed) to @dmac; Return: length */
size_t nh_build_tcp_syn(uint8_t *buf, const uint8_t dmac[6], struct in_addr src,
			uint16_t sport, struct in_addr dst, uint16_t dport,
			uint32_t seq);
/* nh_build_dhcp_discover() - broadcast DHCPDISCOVER from nh_guest_mac */
size_t nh_build_dhcp_discover(uint8_t *buf, uint32_t xid);

/* nh_ethertype() - EtherType of @frame, 0 if too short */
uint16_t nh_ethertype(const uint8_t *frame, size_t len);
/* nh_parse_ip() - IPv4 packet of an Ethernet frame; false if not one */
bool nh_parse_ip(const uint8_t *frame, size_t len, struct nh_ip *ip);

/* nh_free_port() - a port now free on 127.0.0.1 for @type (SOCK_*) */
uint16_t nh_free_port(int type);
/* nh_listen() - bound (and for TCP listening) socket on 127.0.0.1:@port */
int nh_listen(int type, uint16_t port);
/* nh_wait_fd() - poll @fd for @events up to @timeout_ms; true if ready */
bool nh_wait_fd(int fd, short events, int timeout_ms);

/*
 * nh_wait_frame() - pump @p until a received frame satisfies @pred(frame,
 * length, @data). Return: that frame (owned by @p), NULL on timeout
 */
GBytes *nh_wait_frame(struct ndt_port *p,
		      bool (*pred)(const uint8_t *f, size_t len,
				   const void *data),
		      const void *data, int timeout_ms);

#endif /* QD_TESTS_UNIT_NETDEV_HOST_UTIL_H */
