/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-net wire definitions (VIRTIO 1.2 section 5.1): feature bits, the
 * configuration space, the per-packet header and control queue commands.
 *
 * Shared by the device model and the test front-end; all fields are
 * little-endian in guest memory.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_DEVICES_NET_VIRTIO_NET_PROTO_H
#define QD_DEVICES_NET_VIRTIO_NET_PROTO_H

#include <stdint.h>

#define VIRTIO_ID_NET 1

#define VIRTIO_NET_F_CSUM		 0
#define VIRTIO_NET_F_GUEST_CSUM		 1
#define VIRTIO_NET_F_CTRL_GUEST_OFFLOADS 2
#define VIRTIO_NET_F_MTU		 3
#define VIRTIO_NET_F_MAC		 5
#define VIRTIO_NET_F_GSO		 6 /* legacy */
#define VIRTIO_NET_F_GUEST_TSO4		 7
#define VIRTIO_NET_F_GUEST_TSO6		 8
#define VIRTIO_NET_F_GUEST_ECN		 9
#define VIRTIO_NET_F_GUEST_UFO		 10
#define VIRTIO_NET_F_HOST_TSO4		 11
#define VIRTIO_NET_F_HOST_TSO6		 12
#define VIRTIO_NET_F_HOST_ECN		 13
#define VIRTIO_NET_F_HOST_UFO		 14
#define VIRTIO_NET_F_MRG_RXBUF		 15
#define VIRTIO_NET_F_STATUS		 16
#define VIRTIO_NET_F_CTRL_VQ		 17
#define VIRTIO_NET_F_CTRL_RX		 18
#define VIRTIO_NET_F_CTRL_VLAN		 19
#define VIRTIO_NET_F_CTRL_RX_EXTRA	 20
#define VIRTIO_NET_F_GUEST_ANNOUNCE	 21
#define VIRTIO_NET_F_MQ			 22
#define VIRTIO_NET_F_CTRL_MAC_ADDR	 23
/* Bits 24..41 are the transport's; the device's resume at 50 (VIRTIO 1.3) */
#define VIRTIO_NET_F_DEVICE_STATS 50
#define VIRTIO_NET_F_HASH_TUNNEL  51
#define VIRTIO_NET_F_VQ_NOTF_COAL 52
#define VIRTIO_NET_F_NOTF_COAL	  53
#define VIRTIO_NET_F_GUEST_USO4	  54
#define VIRTIO_NET_F_GUEST_USO6	  55
#define VIRTIO_NET_F_HOST_USO	  56
#define VIRTIO_NET_F_HASH_REPORT  57
#define VIRTIO_NET_F_GUEST_HDRLEN 59
#define VIRTIO_NET_F_RSS	  60
#define VIRTIO_NET_F_RSC_EXT	  61
#define VIRTIO_NET_F_STANDBY	  62
#define VIRTIO_NET_F_SPEED_DUPLEX 63

/* config.status */
#define VIRTIO_NET_S_LINK_UP  1
#define VIRTIO_NET_S_ANNOUNCE 2

struct virtio_net_config {
	uint8_t mac[6];
	uint16_t status;
	uint16_t max_virtqueue_pairs;
	uint16_t mtu;
} __attribute__((packed));

/* virtio_net_hdr.flags */
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1
#define VIRTIO_NET_HDR_F_DATA_VALID 2
/* virtio_net_hdr.gso_type */
#define VIRTIO_NET_HDR_GSO_NONE	 0
#define VIRTIO_NET_HDR_GSO_TCPV4 1
#define VIRTIO_NET_HDR_GSO_UDP	 3
#define VIRTIO_NET_HDR_GSO_TCPV6 4
#define VIRTIO_NET_HDR_GSO_ECN	 0x80

/* The 10-byte legacy header; 12 bytes with num_buffers (VERSION_1 or
 * MRG_RXBUF) */
struct virtio_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
} __attribute__((packed));

struct virtio_net_hdr_mrg_rxbuf {
	struct virtio_net_hdr hdr;
	uint16_t num_buffers;
} __attribute__((packed));

#define VIRTIO_NET_HDR_LEN_LEGACY sizeof(struct virtio_net_hdr)
#define VIRTIO_NET_HDR_LEN_V1	  sizeof(struct virtio_net_hdr_mrg_rxbuf)

/* Control queue: {u8 class; u8 cmd; data...} then a device-written u8 ack */
#define VIRTIO_NET_OK  0
#define VIRTIO_NET_ERR 1

#define VIRTIO_NET_CTRL_RX		0
#define VIRTIO_NET_CTRL_RX_PROMISC	0
#define VIRTIO_NET_CTRL_RX_ALLMULTI	1
#define VIRTIO_NET_CTRL_MAC		1
#define VIRTIO_NET_CTRL_MAC_TABLE_SET	0
#define VIRTIO_NET_CTRL_MAC_ADDR_SET	1
#define VIRTIO_NET_CTRL_ANNOUNCE	3
#define VIRTIO_NET_CTRL_ANNOUNCE_ACK	0
#define VIRTIO_NET_CTRL_MQ		4
#define VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET 0
#define VIRTIO_NET_CTRL_MQ_VQ_PAIRS_MIN 1
#define VIRTIO_NET_CTRL_MQ_VQ_PAIRS_MAX 0x8000

struct virtio_net_ctrl_hdr {
	uint8_t class;
	uint8_t cmd;
} __attribute__((packed));

#endif /* QD_DEVICES_NET_VIRTIO_NET_PROTO_H */
