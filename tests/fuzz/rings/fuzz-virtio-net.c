/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: virtio-net transmit, receive and control queues with
 * fuzzed headers and chains.
 *
 * The device runs over a netdev defined here that records what the device
 * sends and answers as the input tells it (taken, -EAGAIN, an error), can
 * hand every frame straight back as the loopback netdev does, and offers
 * the input's frames (any bytes, any length, cut into pieces) to the
 * receive side, keeping a refused one until rx_resume as a netdev reading a
 * file descriptor does. The header picks the features: MRG_RXBUF, the 10-
 * or 12-byte header, offloads, the control queue, the MTU.
 *
 * Header bytes of this target (ring-targets.h): [1] the features the
 * driver wants (FN_F_*), [2] the netdev (FN_O_*), [3] how send() answers
 * at first (enum fn_send), [6..7] the MTU offered with FN_F_MTU. Its
 * operations follow the generic ones: enum fn_op.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/net/netdev.h"
#include "devices/net/virtio-net-proto.h"
#include "devices/net/virtio-net.h"
#include "tests/fuzz/rings/ring-fuzz.h"
#include "tests/fuzz/rings/ring-targets.h"
#include "util/log.h"

#define FN_MAX_PAIRS  2
#define FN_MAX_PIECES 8
/* Largest frame an RX operation offers: a bit past what the device takes */
#define FN_MAX_FRAME (NETDEV_MAX_FRAME + 64)
/* Ethernet frame limits the device promises for what it sends */
#define FN_ETH_HLEN	14
#define FN_MAX_TX_FRAME (65535 + 14 + 4)
/* CONFIG lengths: 0..31, past the config space */
#define FN_CONFIG_LEN_MOD 32

/* A frame the device refused with -EAGAIN, offered again at rx_resume */
struct fn_held {
	uint8_t *buf;
	size_t len;
	unsigned int pieces;
};

struct fn_netdev {
	struct netdev nd;
	struct netdev_port *ports[FN_MAX_PAIRS];
	struct fn_held held[FN_MAX_PAIRS];
	enum fn_send send_mode;
	unsigned int sends;
	bool loopback;
	bool can_wait;
	uint64_t sent_frames, sent_bytes;
};

static const uint8_t fn_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
/* What send() copies a frame into, as a netdev writing it out would */
static uint8_t fn_scratch[FN_MAX_TX_FRAME + 64];

void netdev_free(struct netdev *nd);

/**
 * fn_of() - The fuzz netdev around a netdev
 * @nd:		netdev made by fn_create()
 *
 * Return: the struct fn_netdev
 */
static struct fn_netdev *fn_of(struct netdev *nd)
{
	return (struct fn_netdev *)nd;
}

/**
 * netdev_free() - Free a netdev (the target links no netdev library)
 * @nd:		netdev or NULL
 */
void netdev_free(struct netdev *nd)
{
	if (nd)
		nd->ops->free(nd);
}

/**
 * fn_split() - Cut a frame into pieces, as a netdev's buffers may be
 * @buf:	frame
 * @len:	bytes
 * @pieces:	1..FN_MAX_PIECES; with several, the first one is empty
 * @iov:	filled
 *
 * Return: the number of segments
 */
static unsigned int fn_split(uint8_t *buf, size_t len, unsigned int pieces,
			     struct iovec *iov)
{
	size_t off = 0;

	for (unsigned int i = 0; i < pieces; i++) {
		size_t n = i == pieces - 1 ? len - off : len / pieces;

		if (i == 0 && pieces > 1)
			n = 0;
		iov[i].iov_base = buf + off;
		iov[i].iov_len = n;
		off += n;
	}
	return pieces;
}

/**
 * fn_offer() - Offer a frame to a pair's receive side
 * @fn:		netdev
 * @q:		queue
 * @buf:	frame
 * @len:	bytes
 * @pieces:	segments to cut it into
 * @can_wait:	the netdev keeps it on -EAGAIN
 *
 * Return: the port's answer (0 or -EAGAIN; anything else fails the run)
 */
static int fn_offer(struct fn_netdev *fn, unsigned int q, uint8_t *buf,
		    size_t len, unsigned int pieces, bool can_wait)
{
	struct netdev_port *port = fn->ports[q];
	struct iovec iov[FN_MAX_PIECES];
	unsigned int cnt = fn_split(buf, len, pieces, iov);
	int r = port->receive(port, iov, cnt, can_wait);

	if (r && (r != -EAGAIN || !can_wait))
		fuzz_fail("port receive() returned %d (can_wait %d)", r,
			  can_wait);
	return r;
}

/**
 * fn_set_vnet_hdr() - ops->set_vnet_hdr
 * @nd:		netdev
 * @hdr_len:	10 or 12
 * @offloads:	NETDEV_OFFLOAD_*, a subset of nd->offloads
 * @errp:	error otherwise
 *
 * Return: true if accepted
 */
static bool fn_set_vnet_hdr(struct netdev *nd, unsigned int hdr_len,
			    unsigned int offloads, struct error **errp)
{
	if ((hdr_len != 10 && hdr_len != 12) || (offloads & ~nd->offloads))
		fuzz_fail("set_vnet_hdr(%u, 0x%x) with offloads 0x%x", hdr_len,
			  offloads, nd->offloads);
	nd->hdr_len = hdr_len;
	return true;
}

/**
 * fn_attach() - ops->attach: remember the port
 * @nd:		netdev
 * @q:		queue
 * @port:	the pair's port
 * @errp:	unused
 *
 * Return: true
 */
static bool fn_attach(struct netdev *nd, unsigned int q,
		      struct netdev_port *port, struct error **errp)
{
	if (q >= nd->queues || fn_of(nd)->ports[q])
		fuzz_fail("attach of queue %u", q);
	fn_of(nd)->ports[q] = port;
	return true;
}

/**
 * fn_detach() - ops->detach: forget the port
 * @nd:		netdev
 * @q:		queue
 */
static void fn_detach(struct netdev *nd, unsigned int q)
{
	if (q >= nd->queues || !fn_of(nd)->ports[q])
		fuzz_fail("detach of queue %u", q);
	fn_of(nd)->ports[q] = NULL;
}

/**
 * fn_send() - ops->send: check and record a frame, or refuse it
 * @nd:		netdev
 * @q:		queue
 * @iov:	frame (header first with vnet_hdr)
 * @cnt:	segments
 *
 * Return: 0, -EAGAIN or -EIO as the input says
 */
static int fn_send(struct netdev *nd, unsigned int q, const struct iovec *iov,
		   unsigned int cnt)
{
	struct fn_netdev *fn = fn_of(nd);
	size_t hdr = nd->vnet_hdr ? nd->hdr_len : 0;
	size_t len = iov_size(iov, cnt);
	unsigned int n = fn->sends++;

	if (q >= nd->queues || len < hdr + FN_ETH_HLEN ||
	    len > hdr + FN_MAX_TX_FRAME)
		fuzz_fail("send of %zu bytes (header %zu) on queue %u", len,
			  hdr, q);
	switch (fn->send_mode) {
	case FN_SEND_EAGAIN:
		return -EAGAIN;
	case FN_SEND_ERROR:
		return -EIO;
	case FN_SEND_ALTERNATE:
		if (n % 2)
			return -EAGAIN;
		break;
	default:
		break;
	}
	/* Every byte is read, as a netdev writing the frame out would */
	if (iov_to_buf(iov, cnt, 0, fn_scratch, len) != len)
		fuzz_fail("send: iovecs shorter than their size");
	fn->sent_frames++;
	fn->sent_bytes += len;
	if (fn->loopback && fn->ports[q])
		return fn->ports[q]->receive(fn->ports[q], iov, cnt, false);
	return 0;
}

/**
 * fn_rx_resume() - ops->rx_resume: offer the held frame again
 * @nd:		netdev
 * @q:		queue
 */
static void fn_rx_resume(struct netdev *nd, unsigned int q)
{
	struct fn_netdev *fn = fn_of(nd);
	struct fn_held *h = &fn->held[q];

	if (!h->buf || !fn->ports[q])
		return;
	if (fn_offer(fn, q, h->buf, h->len, h->pieces, true) == 0) {
		free(h->buf);
		h->buf = NULL;
	}
	fn->ports[q]->receive_done(fn->ports[q]);
}

/**
 * fn_free() - ops->free
 * @nd:		netdev
 */
static void fn_free(struct netdev *nd)
{
	struct fn_netdev *fn = fn_of(nd);

	for (unsigned int i = 0; i < FN_MAX_PAIRS; i++) {
		if (fn->ports[i])
			fuzz_fail("netdev freed with queue %u attached", i);
		free(fn->held[i].buf);
	}
	free(fn);
}

static const struct netdev_ops fn_ops = {
	.type = "fuzz",
	.set_vnet_hdr = fn_set_vnet_hdr,
	.attach = fn_attach,
	.detach = fn_detach,
	.send = fn_send,
	.rx_resume = fn_rx_resume,
	.free = fn_free,
};

/**
 * fn_features() - The driver's feature wish from header byte 1
 * @f:		header byte 1
 *
 * Return: feature bits
 */
static uint64_t fn_features(uint8_t f)
{
	static const struct {
		uint8_t flag;
		uint64_t bits;
	} groups[] = {
		{ FN_F_MRG_RXBUF, 1ULL << VIRTIO_NET_F_MRG_RXBUF },
		{ FN_F_HOST_OFFLOAD, (1ULL << VIRTIO_NET_F_CSUM) |
					     (1ULL << VIRTIO_NET_F_HOST_TSO4) |
					     (1ULL << VIRTIO_NET_F_HOST_TSO6) |
					     (1ULL << VIRTIO_NET_F_HOST_ECN) |
					     (1ULL << VIRTIO_NET_F_HOST_UFO) },
		{ FN_F_GUEST_OFFLOAD,
		  (1ULL << VIRTIO_NET_F_GUEST_CSUM) |
			  (1ULL << VIRTIO_NET_F_GUEST_TSO4) |
			  (1ULL << VIRTIO_NET_F_GUEST_TSO6) |
			  (1ULL << VIRTIO_NET_F_GUEST_ECN) |
			  (1ULL << VIRTIO_NET_F_GUEST_UFO) },
		{ FN_F_CTRL, (1ULL << VIRTIO_NET_F_CTRL_VQ) |
				     (1ULL << VIRTIO_NET_F_MQ) |
				     (1ULL << VIRTIO_NET_F_GUEST_ANNOUNCE) |
				     (1ULL << VIRTIO_NET_F_CTRL_MAC_ADDR) },
		{ FN_F_MTU, 1ULL << VIRTIO_NET_F_MTU },
		{ FN_F_STATUS, 1ULL << VIRTIO_NET_F_STATUS },
	};
	uint64_t bits = 1ULL << VIRTIO_NET_F_MAC;

	if (!(f & FN_F_NO_VERSION_1))
		bits |= 1ULL << VIRTIO_F_VERSION_1;
	for (unsigned int i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (f & groups[i].flag)
			bits |= groups[i].bits;
	return bits;
}

/**
 * fn_create() - The netdev and the device the header describes
 * @s:		session
 *
 * Return: true
 */
static bool fn_create(struct rf_session *s)
{
	static const unsigned int offloads[] = {
		0,
		NETDEV_OFFLOAD_CSUM,
		NETDEV_OFFLOAD_CSUM | NETDEV_OFFLOAD_TSO4 | NETDEV_OFFLOAD_TSO6,
		NETDEV_OFFLOAD_CSUM | NETDEV_OFFLOAD_TSO4 |
			NETDEV_OFFLOAD_TSO6 | NETDEV_OFFLOAD_ECN |
			NETDEV_OFFLOAD_UFO,
	};
	uint8_t opt = s->hdr[2];
	unsigned int pairs = (opt & FN_O_TWO_PAIRS) ? 2 : 1;
	unsigned int mtu = s->hdr[6] | s->hdr[7] << 8;
	struct fn_netdev *fn = calloc(1, sizeof(*fn));
	struct virtio_net_options o = {
		.queue_pairs = pairs,
		.queue_size = RF_MAX_QSIZE,
	};
	struct error *err = NULL;

	if (!fn)
		fuzz_fail("out of memory");
	fn->nd.ops = &fn_ops;
	fn->nd.id = "fuzz0";
	fn->nd.queues = (opt & FN_O_ONE_ND_QUEUE) ? 1 : pairs;
	fn->nd.vnet_hdr = opt & FN_O_VNET_HDR;
	fn->nd.offloads = fn->nd.vnet_hdr ? offloads[FN_O_OFFLOADS(opt)] : 0;
	fn->loopback = opt & FN_O_LOOPBACK;
	fn->can_wait = opt & FN_O_CAN_WAIT;
	fn->send_mode = s->hdr[3] % FN_N_SEND;
	memcpy(o.mac, fn_mac, sizeof(o.mac));
	if (s->hdr[1] & FN_F_MTU)
		o.mtu = mtu < 68 ? 68 : mtu;
	o.netdev = &fn->nd;
	s->dev = virtio_net_new(&o, &err);
	if (!s->dev)
		fuzz_fail("virtio_net_new: %s", error_get_pretty(err));
	s->priv = fn;
	s->nq = 2 * pairs + 1;
	s->features = fn_features(s->hdr[1]);
	if ((opt & FN_O_LINK_DOWN) &&
	    !virtio_net_set_link(s->dev, false, false, &err))
		fuzz_fail("link down: %s", error_get_pretty(err));
	return true;
}

/**
 * fn_op_rx() - FN_OP_RX: a frame from the host for a pair
 * @s:		session
 * @fn:		netdev
 * @in:		input
 *
 * A queue that holds a refused frame reads nothing more, as a netdev that
 * stopped reading its fd; one without a port (not attached) reads nothing.
 */
static void fn_op_rx(struct rf_session *s, struct fn_netdev *fn,
		     struct fuzz_input *in)
{
	uint8_t flags = fuzz_u8(in);
	unsigned int q = (flags & FN_RX_PAIR1) % fn->nd.queues;
	bool can_wait = fn->can_wait || (flags & FN_RX_CAN_WAIT);
	unsigned int pieces = FN_RX_PIECES(flags);
	size_t len = fuzz_u16(in) % FN_MAX_FRAME, got;
	const uint8_t *p = fuzz_take(in, len, &got);
	uint8_t *buf;

	if (!fn->ports[q] || fn->held[q].buf)
		return;
	/* A copy of its own: ASan sees every read past the frame */
	buf = malloc(got ? got : 1);
	if (!buf)
		fuzz_fail("out of memory");
	memcpy(buf, p, got);
	if (fn_offer(fn, q, buf, got, pieces, can_wait) == -EAGAIN) {
		fn->held[q] = (struct fn_held){ buf, got, pieces };
		buf = NULL;
	}
	free(buf);
	fn->ports[q]->receive_done(fn->ports[q]);
}

/**
 * fn_op() - The target's operations
 * @s:		session
 * @op:		enum fn_op
 * @in:		input
 */
static void fn_op(struct rf_session *s, unsigned int op, struct fuzz_input *in)
{
	struct fn_netdev *fn = s->priv;
	struct error *err = NULL;
	uint8_t mac[6], arg;

	switch (op) {
	case FN_OP_RX:
		fn_op_rx(s, fn, in);
		return;
	case FN_OP_TX_READY:
		arg = fuzz_u8(in) % fn->nd.queues;
		if (fn->ports[arg])
			fn->ports[arg]->tx_ready(fn->ports[arg]);
		return;
	case FN_OP_SEND_MODE:
		fn->send_mode = fuzz_u8(in) % FN_N_SEND;
		return;
	case FN_OP_LINK:
		arg = fuzz_u8(in);
		if (!virtio_net_set_link(s->dev, arg & 1, arg & 2, &err))
			error_free(err);
		return;
	case FN_OP_ANNOUNCE:
		memcpy(mac, fn_mac, sizeof(mac));
		mac[5] = fuzz_u8(in);
		if (!virtio_net_announce(s->dev, mac, &err))
			error_free(err);
		return;
	case FN_OP_SET_MTU:
		if (!virtio_net_set_mtu(s->dev, fuzz_u16(in), &err))
			error_free(err);
		return;
	case FN_OP_CONFIG:
		rf_config_op(s, in, FN_CONFIG_LEN_MOD);
		return;
	}
}

/**
 * fn_destroy() - Free the device, which frees the netdev
 * @s:		session
 */
static void fn_destroy(struct rf_session *s)
{
	struct fn_netdev *fn = s->priv;

	for (unsigned int p = 0; p < s->nq / 2; p++) {
		struct virtio_net_pair_stats st;

		if (!virtio_net_get_stats(s->dev, p, &st))
			continue;
		/* Printed with QD_FUZZ_DEBUG set: what an input reached */
		log_info("pair %u: rx %llu (dropped %llu no buffer, %llu too "
			 "big), tx %llu (dropped %llu bad, %llu too big, %llu "
			 "backlog, %llu netdev)",
			 p, (unsigned long long)st.rx_frames,
			 (unsigned long long)st.rx_dropped_no_buffer,
			 (unsigned long long)st.rx_dropped_too_big,
			 (unsigned long long)st.tx_frames,
			 (unsigned long long)st.tx_dropped_bad,
			 (unsigned long long)st.tx_dropped_too_big,
			 (unsigned long long)st.tx_dropped_backlog,
			 (unsigned long long)st.tx_dropped_netdev);
	}
	log_info("netdev: %llu frames sent, %llu bytes",
		 (unsigned long long)fn->sent_frames,
		 (unsigned long long)fn->sent_bytes);
	virtio_device_free(s->dev);
	s->dev = NULL;
	s->priv = NULL;
}

const struct rf_target rf_fuzz_target = {
	.name = "virtio-net",
	.n_ops = FN_N_OPS,
	.create = fn_create,
	.op = fn_op,
	.destroy = fn_destroy,
};
