/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ring fuzz targets' own header bits and operations, shared by the
 * targets and the corpus recorder that writes inputs for them.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TESTS_FUZZ_RINGS_RING_TARGETS_H
#define QD_TESTS_FUZZ_RINGS_RING_TARGETS_H

/* fuzz-virtio-blk, header byte 1: features the driver wants */
#define FB_F_FLUSH	  0x01
#define FB_F_CONFIG_WCE	  0x02
#define FB_F_DISCARD	  0x04
#define FB_F_WRITE_ZEROES 0x08
/* header byte 2: the export */
#define FB_O_READ_ONLY	0x01
#define FB_O_LBS_4096	0x02
#define FB_O_LONG_ID	0x04
#define FB_O_WRITEBACK	0x08
#define FB_O_TWO_QUEUES 0x10
/* header byte 3: bytes past the last sector; bytes 6..7: sectors */

enum fb_op {
	FB_OP_RESIZE, /* u16 sectors (0 is refused): virtio_blk_resize() */
	FB_OP_CONFIG, /* u8 offset, u8 len, len bytes: set, then get config */
	FB_N_OPS,
};

/* fuzz-virtio-net, header byte 1: features the driver wants */
#define FN_F_MRG_RXBUF	   0x01
#define FN_F_NO_VERSION_1  0x02
#define FN_F_HOST_OFFLOAD  0x04 /* CSUM, HOST_TSO4/6, HOST_ECN, HOST_UFO */
#define FN_F_GUEST_OFFLOAD 0x08 /* GUEST_CSUM, GUEST_TSO4/6, _ECN, _UFO */
#define FN_F_CTRL	   0x10 /* CTRL_VQ, MQ, GUEST_ANNOUNCE, MAC_ADDR */
#define FN_F_MTU	   0x20 /* MTU, with the value in bytes 6..7 */
#define FN_F_STATUS	   0x40
/* header byte 2: the netdev */
#define FN_O_VNET_HDR	  0x01
#define FN_O_OFFLOADS(o)  (((o) >> 1) & 3) /* guest offloads it has */
#define FN_O_LOOPBACK	  0x08
#define FN_O_CAN_WAIT	  0x10
#define FN_O_TWO_PAIRS	  0x20
#define FN_O_ONE_ND_QUEUE 0x40
#define FN_O_LINK_DOWN	  0x80
/* header byte 3: how send() answers at first (enum fn_send) */

enum fn_op {
	FN_OP_RX,	 /* u8 flags, u16 len, bytes: a frame from the host */
	FN_OP_TX_READY,	 /* u8 pair: port->tx_ready */
	FN_OP_SEND_MODE, /* u8: enum fn_send */
	FN_OP_LINK,	 /* u8: bit 0 up, bit 1 tell the driver */
	FN_OP_ANNOUNCE,	 /* u8: MAC seed; SEND_RARP */
	FN_OP_SET_MTU,	 /* u16: NET_SET_MTU */
	FN_OP_CONFIG,	 /* u8 offset, u8 len, bytes: set and get config */
	FN_N_OPS,
};

/* FN_OP_RX flags */
#define FN_RX_PAIR1	    0x01
#define FN_RX_CAN_WAIT	    0x02
#define FN_RX_PIECES(f)	    ((((f) >> 2) & 7) + 1)
#define FN_RX_PIECES_SET(n) ((uint8_t)(((n)-1) << 2))

/* How the netdev's send() answers */
enum fn_send {
	FN_SEND_OK,
	FN_SEND_EAGAIN,
	FN_SEND_ERROR,
	FN_SEND_ALTERNATE, /* -EAGAIN every other frame */
	FN_N_SEND,
};

#endif /* QD_TESTS_FUZZ_RINGS_RING_TARGETS_H */
