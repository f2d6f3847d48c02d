/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Hostile catalogue, the rings: descriptor chains and the requests in them,
 * as a hostile guest driver writes them.
 *
 * A chain is described as a small table of descriptors whose addresses
 * point at the device's buffers (header, data, status, indirect tables, RX
 * buffers) or at any guest address. Loops, chains longer than the queue,
 * bad indirect tables, buffers outside memory or wrapping, and bad avail
 * entries break the queue (both devices share that code); a request that is
 * well-formed as a chain but wrong as a request is answered: virtio-blk
 * completes it with an error status, virtio-net drops the frame and
 * completes the chain, its control queue answers VIRTIO_NET_ERR.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <string.h>
#include <linux/virtio_blk.h>

#include "devices/net/virtio-net-proto.h"
#include "tests/frontend/hostile.h"

#define N  VRING_DESC_F_NEXT
#define W  VRING_DESC_F_WRITE
#define IN VRING_DESC_F_INDIRECT

/* A descriptor's length that is the whole buffer it points at */
#define FULL UINT32_MAX

/* What a descriptor points at */
enum hx_ref {
	R_GPA,	  /* the address itself */
	R_HDR,	  /* request header (blk 16, net 12 bytes) */
	R_DATA,	  /* data (blk 512 bytes, net the frame) */
	R_STATUS, /* device-writable: blk status byte, 64 bytes for net */
	R_IND,	  /* the first indirect table */
	R_IND2,	  /* the second indirect table */
	R_RX,	  /* net: the first RX buffer */
	R_RING,	  /* the ring's own descriptor table */
	R_COUNT
};

struct hx_d {
	uint8_t ref;
	uint64_t off; /* R_GPA: the address; else an offset into the buffer */
	uint32_t len; /* FULL: the length of the buffer (or table) */
	uint16_t flags;
	uint16_t next;
};

/* Which ring a chain goes to */
enum hx_on {
	ON_REQ,	 /* blk queue 0, net TX */
	ON_RX,	 /* net RX; a good frame is then sent on TX */
	ON_CTRL, /* net control queue */
};

struct hx_chain {
	enum hx_on on;
	unsigned int num; /* ring size, 0: 16 */
	bool no_indirect; /* do not negotiate INDIRECT_DESC */
	struct hx_d d[8]; /* the ring's descriptors from 0 */
	unsigned int nd;
	struct hx_d ind[4]; /* the first indirect table */
	unsigned int nind;
	unsigned int ind_fill; /* or: this many chained 1-byte buffers */
	struct hx_d ind2[2];   /* the second indirect table */
	unsigned int nind2;
	uint16_t head;	      /* the avail entry */
	uint16_t avail_extra; /* the avail index moves 1 + this */
	bool avail_back;      /* the avail index moves back by one */
	/* blk: the request */
	uint32_t type;
	uint64_t sector;
	bool from_end;	   /* sector counts back from the capacity */
	uint32_t data_len; /* 0: 512 */
	/* net: the header and the frame */
	uint8_t net_flags, gso_type;
	uint32_t frame_len; /* 0: 60 */
	bool mtu;	    /* negotiate VIRTIO_NET_F_MTU */
	/* net control: class, command, data bytes */
	uint8_t ctrl_class, ctrl_cmd;
	uint8_t ctrl_data[8];
	uint8_t ctrl_len;
};

/**
 * buffer_of() - guest address and natural length of what a descriptor
 * points at
 * @x:		case run
 * @d:		started device
 * @c:		chain
 * @r:		the ring the chain goes to
 * @s:		descriptor as described
 * @len:	set to the natural length
 *
 * Return: the guest address
 */
static uint64_t buffer_of(struct hx_ctx *x, const struct hx_dev *d,
			  const struct hx_chain *c, const struct hx_ring *r,
			  const struct hx_d *s, uint32_t *len)
{
	bool blk = x->device == HX_BLK;
	uint32_t frame = c->frame_len ? c->frame_len : 60;
	const uint64_t base[] = {
		[R_GPA] = 0,
		[R_HDR] = d->hdr_gpa,
		[R_DATA] = d->data_gpa,
		[R_STATUS] = d->status_gpa,
		[R_IND] = d->ind_gpa,
		[R_IND2] = d->ind2_gpa,
		[R_RX] = d->rxbufs_gpa,
		[R_RING] = r->vr.desc_gpa,
	};
	const uint32_t natural[] = {
		[R_GPA] = 16,
		[R_HDR] = c->on == ON_CTRL ? 2u + c->ctrl_len
			  : blk		   ? 16
					   : d->hdr_len,
		[R_DATA] = blk ? (c->data_len ? c->data_len : 512) : frame,
		[R_STATUS] = blk || c->on == ON_CTRL ? 1 : 64,
		[R_IND] = (c->ind_fill ? c->ind_fill : c->nind) *
			  (uint32_t)sizeof(struct vring_desc),
		[R_IND2] = c->nind2 * (uint32_t)sizeof(struct vring_desc),
		[R_RX] = 2048,
		[R_RING] = r->vr.num * (uint32_t)sizeof(struct vring_desc),
	};
	unsigned int ref = s->ref < R_COUNT ? s->ref : R_GPA;

	*len = natural[ref];
	return base[ref] + s->off;
}

/**
 * write_table() - write described descriptors into a table
 * @x:		case run
 * @d:		started device
 * @c:		chain
 * @r:		the ring the chain goes to
 * @table:	descriptor table
 * @s:		descriptors as described
 * @n:		their number
 */
static void write_table(struct hx_ctx *x, const struct hx_dev *d,
			const struct hx_chain *c, const struct hx_ring *r,
			struct vring_desc *table, const struct hx_d *s,
			unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		uint32_t len;
		uint64_t addr = buffer_of(x, d, c, r, &s[i], &len);

		hx_desc(table, i, addr, s[i].len == FULL ? len : s[i].len,
			s[i].flags, s[i].next);
	}
}

/**
 * fill_buffers() - the request header, data and status the chain carries
 * @x:		case run
 * @d:		started device
 * @c:		chain
 */
static void fill_buffers(struct hx_ctx *x, struct hx_dev *d,
			 const struct hx_chain *c)
{
	struct virtio_blk_outhdr *bh = (struct virtio_blk_outhdr *)d->hdr;
	struct virtio_net_hdr *nh = (struct virtio_net_hdr *)d->hdr;

	memset(d->hdr, 0, HX_BUF_HDR_SIZE);
	memset(d->status, 0xff, HX_BUF_HDR_SIZE);
	if (c->on == ON_CTRL) {
		d->hdr[0] = c->ctrl_class;
		d->hdr[1] = c->ctrl_cmd;
		memcpy(d->hdr + 2, c->ctrl_data, c->ctrl_len);
	} else if (x->device == HX_BLK) {
		bh->type = c->type;
		bh->sector = c->from_end ? d->capacity - c->sector : c->sector;
		memset(d->data, 0xa5, 4096);
	} else {
		nh->flags = c->net_flags;
		nh->gso_type = c->gso_type;
		hx_net_frame(d->data, c->frame_len ? c->frame_len : 60);
	}
}

/**
 * write_chain() - write the chain, its indirect tables and avail entry
 * @x:		case run
 * @d:		started device
 * @c:		chain
 * @r:		ring it goes to
 */
static void write_chain(struct hx_ctx *x, struct hx_dev *d,
			const struct hx_chain *c, struct hx_ring *r)
{
	unsigned int i;

	fill_buffers(x, d, c);
	write_table(x, d, c, r, r->vr.desc, c->d, c->nd);
	write_table(x, d, c, r, d->ind, c->ind, c->nind);
	write_table(x, d, c, r, d->ind2, c->ind2, c->nind2);
	for (i = 0; i < c->ind_fill && i < HX_IND_ENTRIES; i++)
		hx_desc(d->ind, i, d->data_gpa + i, 1,
			i + 1 < c->ind_fill ? N : 0, (uint16_t)(i + 1));
	hx_avail(r, c->head);
	r->vr.avail_idx += c->avail_extra;
	if (c->avail_back)
		r->vr.avail_idx -= 2;
}

/**
 * completed() - what a completed request says
 * @x:		case run
 * @d:		started device
 * @c:		chain
 * @rx_before:	net: the RX used index before
 *
 * Return: blk: by status byte; net TX: whether the frame came back; net
 * control: by ack byte
 */
static enum hx_outcome completed(struct hx_ctx *x, struct hx_dev *d,
				 const struct hx_chain *c, uint16_t rx_before)
{
	uint8_t status = d->status[0];

	if (x->device == HX_NET && c->on == ON_REQ)
		return hx_net_delivered(x, d, rx_before, true);
	hx_note(x, "completed with %s %u", c->on == ON_CTRL ? "ack" : "status",
		status);
	if (c->on == ON_CTRL)
		return status == VIRTIO_NET_OK	  ? HX_ACCEPTED
		       : status == VIRTIO_NET_ERR ? HX_CTRL_ERR
						  : HX_UNEXPECTED;
	switch (status) {
	case VIRTIO_BLK_S_OK:
		return HX_ACCEPTED;
	case VIRTIO_BLK_S_IOERR:
		return HX_IOERR;
	case VIRTIO_BLK_S_UNSUPP:
		return HX_UNSUPP;
	default:
		return HX_UNEXPECTED;
	}
}

/**
 * observe() - wait until the chain is used or the queue broke
 * @x:		case run
 * @d:		started device
 * @c:		chain
 * @r:		the ring it went to
 * @rx_before:	net: the RX used index before
 *
 * Return: the outcome
 */
static enum hx_outcome observe(struct hx_ctx *x, struct hx_dev *d,
			       const struct hx_chain *c, struct hx_ring *r,
			       uint16_t rx_before)
{
	uint64_t deadline = hx_now_ms() + (uint64_t)x->timeout_ms;
	struct error *err = NULL;
	uint8_t status;

	for (;;) {
		if (hx_wait_used(x, r, 1, 20))
			return completed(x, d, c, rx_before);
		if (!hx_status(x, d, &status, &err))
			return hx_probe(x, &d->fe) == HX_CLOSED
				       ? HX_CLOSED
				       : hx_fail(x, err);
		if (status & VIRTIO_CONFIG_S_NEEDS_RESET)
			return hx_wait_broken(x, d, r);
		if (hx_now_ms() >= deadline) {
			hx_note(x, "neither used nor broken within %d ms",
				x->timeout_ms);
			return HX_UNEXPECTED;
		}
	}
}

/**
 * observe_rx() - a good frame was sent: where did it go?
 * @x:		case run
 * @d:		started net device, a crafted RX chain posted
 *
 * Return: HX_ACCEPTED if it landed in the RX chain, HX_BROKEN if the RX
 * ring broke, HX_DROPPED if the frame was dropped (the ring still working)
 */
static enum hx_outcome observe_rx(struct hx_ctx *x, struct hx_dev *d)
{
	struct hx_ring *tx = &d->ring[HX_TX], *rx = &d->ring[HX_RX];
	struct error *err = NULL;

	if (!hx_net_send(d, 0, 60, &err))
		return hx_fail(x, err);
	if (!hx_wait_used(x, tx, 1, x->timeout_ms)) {
		hx_note(x, "the frame was not transmitted");
		return HX_UNEXPECTED;
	}
	if (hx_wait_used(x, rx, 1, 300)) {
		hx_note(x, "the frame was received, %u bytes",
			rx->vr.used->ring[0].len);
		return HX_ACCEPTED;
	}
	return hx_net_delivered(x, d, 0, false);
}

/**
 * run_chain() - post a described chain on a started device
 * @x:		case run
 * @arg:	struct hx_chain
 *
 * Return: the outcome
 */
static enum hx_outcome run_chain(struct hx_ctx *x, const void *arg)
{
	const struct hx_chain *c = arg;
	struct hx_dev_opts o = {
		.num = c->num,
		.no_indirect = c->no_indirect,
		.ctrl = c->on == ON_CTRL,
		.rx_buffers = c->on == ON_RX ? 0 : 4,
	};
	enum hx_outcome res = HX_UNEXPECTED;
	struct error *err = NULL;
	struct hx_ring *r;
	struct hx_dev d;

	if (c->mtu)
		o.extra_features = 1ULL << VIRTIO_NET_F_MTU;
	if (!hx_dev_start(x, &d, &o, &err))
		goto out;
	r = c->on == ON_RX     ? &d.ring[HX_RX]
	    : c->on == ON_CTRL ? &d.ring[HX_CTRL]
			       : hx_req_ring(&d);
	write_chain(x, &d, c, r);
	if (!hx_publish(r, &err))
		goto out;
	res = c->on == ON_RX ? observe_rx(x, &d) : observe(x, &d, c, r, 0);
out:
	return hx_dev_done(x, &d, res, err);
}

#define CHAIN(...) (&(const struct hx_chain){ __VA_ARGS__ })
/* A descriptor */
#define D(ref, off, len, flags, next)                                          \
	{                                                                      \
		(ref), (off), (len), (flags), (next)                           \
	}
/* A chain of the whole header */
#define HDR_ONLY .nd = 1, .d = { D(R_HDR, 0, FULL, 0, 0) }
/* A read of sector s into len bytes */
#define READ(s, len)                                                           \
	.type = VIRTIO_BLK_T_IN, .sector = (s), .data_len = (len), .nd = 3,    \
	.d = { D(R_HDR, 0, FULL, N, 1), D(R_DATA, 0, FULL, W | N, 2),          \
	       D(R_STATUS, 0, FULL, W, 0) }
/* A write of len bytes at sector s */
#define WRITE(s, len)                                                          \
	.type = VIRTIO_BLK_T_OUT, .sector = (s), .data_len = (len), .nd = 3,   \
	.d = { D(R_HDR, 0, FULL, N, 1), D(R_DATA, 0, FULL, N, 2),              \
	       D(R_STATUS, 0, FULL, W, 0) }
/* A request of type t with len readable data bytes */
#define TYPED(t, len)                                                          \
	.type = (t), .data_len = (len), .nd = 3,                               \
	.d = { D(R_HDR, 0, FULL, N, 1), D(R_DATA, 0, FULL, N, 2),              \
	       D(R_STATUS, 0, FULL, W, 0) }
/* A net frame of len bytes after the header */
#define FRAME(len)                                                             \
	.frame_len = (len), .nd = 2,                                           \
	.d = { D(R_HDR, 0, FULL, N, 1), D(R_DATA, 0, FULL, 0, 0) }
/* A control command with its ack byte */
#define CTRL(cls, cmd)                                                         \
	.on = ON_CTRL, .ctrl_class = (cls), .ctrl_cmd = (cmd), .nd = 2,        \
	.d = { D(R_HDR, 0, FULL, N, 1), D(R_STATUS, 0, FULL, W, 0) }
/* The ring's descriptor 0 is an indirect table of n entries */
#define INDIRECT(n) .nd = 1, .d = { D(R_IND, 0, FULL, IN, 0) }, .nind = (n)

/* Region 0 of guest RAM ends here (see guest-ram.h) */
#define RAM0_END (GUEST_RAM_REGION0_GPA + HX_RAM_SIZE)

const struct hx_case hx_ring_cases[] = {
	/* Descriptor chains, either device */
	{ "chain-loop-self", "chain", HX_ANY, HX_BROKEN,
	  "descriptor 0: chain longer than queue size 16 (descriptor loop?)",
	  "a descriptor whose next is itself", run_chain,
	  CHAIN(.nd = 1, .d = { D(R_HDR, 0, FULL, N, 0) }) },
	{ "chain-loop-two", "chain", HX_ANY, HX_BROKEN,
	  "chain longer than queue size 16 (descriptor loop?)",
	  "two descriptors pointing at each other", run_chain,
	  CHAIN(.nd = 2,
		.d = { D(R_HDR, 0, FULL, N, 1), D(R_DATA, 0, FULL, N, 0) }) },
	{ "chain-loop-tail", "chain", HX_ANY, HX_BROKEN,
	  "chain longer than queue size 16 (descriptor loop?)",
	  "a chain that loops back to its second descriptor", run_chain,
	  CHAIN(.nd = 4,
		.d = { D(R_HDR, 0, FULL, N, 1), D(R_DATA, 0, 8, N, 2),
		       D(R_DATA, 8, 8, N, 3), D(R_DATA, 16, 8, N, 1) }) },
	{ "chain-next-past-queue", "chain", HX_ANY, HX_BROKEN,
	  "descriptor 0: next 16 >= queue size 16",
	  "next pointing one past the table", run_chain,
	  CHAIN(.nd = 1, .d = { D(R_HDR, 0, FULL, N, 16) }) },
	{ "chain-next-max", "chain", HX_ANY, HX_BROKEN,
	  "next 65535 >= queue size 16", "next 0xffff", run_chain,
	  CHAIN(.nd = 1, .d = { D(R_HDR, 0, FULL, N, 0xffff) }) },
	{ "chain-longer-than-queue", "chain", HX_ANY, HX_BROKEN,
	  "chain longer than queue size 16",
	  "a direct descriptor, then an indirect table of 16: 17 buffers",
	  run_chain,
	  CHAIN(.nd = 2,
		.d = { D(R_HDR, 0, FULL, N, 1), D(R_IND, 0, FULL, IN, 0) },
		.ind_fill = 16) },
	{ "chain-zero-length", "chain", HX_ANY, HX_BROKEN,
	  "descriptor 0: zero-length buffer", "a buffer of 0 bytes", run_chain,
	  CHAIN(.nd = 1, .d = { D(R_HDR, 0, 0, 0, 0) }) },
	{ "chain-buffer-in-hole", "chain", HX_ANY, HX_BROKEN,
	  "buffer 0x10000000+0x10 outside guest memory",
	  "a buffer between the two regions", run_chain,
	  CHAIN(.nd = 1, .d = { D(R_GPA, HX_HOLE_GPA, 16, 0, 0) }) },
	{ "chain-buffer-gpa-0", "chain", HX_ANY, HX_BROKEN,
	  "buffer 0x0+0x10 outside guest memory",
	  "a buffer at guest address 0, below every region", run_chain,
	  CHAIN(.nd = 1, .d = { D(R_GPA, 0, 16, 0, 0) }) },
	{ "chain-buffer-wraps", "chain", HX_ANY, HX_BROKEN,
	  "buffer 0xfffffffffffffff0+0x20 outside guest memory",
	  "a buffer whose addr + len wraps past 2^64", run_chain,
	  CHAIN(.nd = 1, .d = { D(R_GPA, 0xfffffffffffffff0ULL, 32, 0, 0) }) },
	{ "chain-buffer-across-end", "chain", HX_ANY, HX_BROKEN,
	  "buffer 0x4ffff8+0x10 outside guest memory",
	  "a buffer running past the end of its region", run_chain,
	  CHAIN(.nd = 1, .d = { D(R_GPA, RAM0_END - 8, 16, 0, 0) }) },
	{ "chain-buffer-4g", "chain", HX_ANY, HX_BROKEN,
	  "+0xfffffff0 outside guest memory", "a buffer of almost 4 GiB",
	  run_chain, CHAIN(.nd = 1, .d = { D(R_DATA, 0, 0xfffffff0u, 0, 0) }) },
	{ "chain-read-after-write", "chain", HX_ANY, HX_BROKEN,
	  "descriptor 1: device-readable buffer after a device-writable one",
	  "a readable buffer after a writable one", run_chain,
	  CHAIN(.nd = 2, .d = { D(R_STATUS, 0, 1, W | N, 1),
				D(R_HDR, 0, FULL, 0, 0) }) },

	/* Indirect tables */
	{ "ind-loop", "indirect", HX_ANY, HX_BROKEN,
	  "chain longer than queue size 16 (descriptor loop?)",
	  "a loop inside an indirect table", run_chain,
	  CHAIN(INDIRECT(2),
		.ind = { D(R_HDR, 0, FULL, N, 1), D(R_DATA, 0, FULL, N, 0) }) },
	{ "ind-in-ind", "indirect", HX_ANY, HX_BROKEN,
	  "INDIRECT descriptor inside an indirect table",
	  "an indirect table inside an indirect table", run_chain,
	  CHAIN(INDIRECT(1), .ind = { D(R_IND2, 0, FULL, IN, 0) }, .nind2 = 1,
		.ind2 = { D(R_HDR, 0, FULL, 0, 0) }) },
	{ "ind-with-next", "indirect", HX_ANY, HX_BROKEN,
	  "INDIRECT flag together with NEXT",
	  "an INDIRECT descriptor that also has NEXT", run_chain,
	  CHAIN(.nd = 2,
		.d = { D(R_IND, 0, FULL, IN | N, 1), D(R_HDR, 0, FULL, 0, 0) },
		.nind = 1, .ind = { D(R_HDR, 0, FULL, 0, 0) }) },
	{ "ind-len-0", "indirect", HX_ANY, HX_BROKEN,
	  "indirect table len 0x0 is not a non-zero multiple of 16",
	  "an indirect table of 0 bytes", run_chain,
	  CHAIN(.nd = 1, .d = { D(R_IND, 0, 0, IN, 0) }) },
	{ "ind-len-24", "indirect", HX_ANY, HX_BROKEN,
	  "indirect table len 0x18 is not a non-zero multiple of 16",
	  "an indirect table of one and a half descriptors", run_chain,
	  CHAIN(.nd = 1, .d = { D(R_IND, 0, 24, IN, 0) }, .nind = 1,
		.ind = { D(R_HDR, 0, FULL, 0, 0) }) },
	{ "ind-larger-than-queue", "indirect", HX_ANY, HX_BROKEN,
	  "holds 17 entries, more than queue size 16",
	  "an indirect table of 17 descriptors in a ring of 16", run_chain,
	  CHAIN(.nd = 1, .d = { D(R_IND, 0, 17 * 16, IN, 0) },
		.ind_fill = 17) },
	{ "ind-in-hole", "indirect", HX_ANY, HX_BROKEN,
	  "indirect table 0x10000000+0x20 outside guest memory",
	  "an indirect table between the regions", run_chain,
	  CHAIN(.nd = 1, .d = { D(R_GPA, HX_HOLE_GPA, 32, IN, 0) }) },
	{ "ind-wraps", "indirect", HX_ANY, HX_BROKEN,
	  "indirect table 0xfffffffffffffff0+0x20 outside guest memory",
	  "an indirect table wrapping past 2^64", run_chain,
	  CHAIN(.nd = 1, .d = { D(R_GPA, 0xfffffffffffffff0ULL, 32, IN, 0) }) },
	{ "ind-misaligned", "indirect", HX_ANY, HX_BROKEN, "is not aligned",
	  "an indirect table at an address 4 bytes off", run_chain,
	  CHAIN(.nd = 1, .d = { D(R_IND, 4, 32, IN, 0) }, .nind = 2,
		.ind = { D(R_HDR, 0, FULL, 0, 0), D(R_HDR, 0, FULL, 0, 0) }) },
	{ "ind-next-past-table", "indirect", HX_ANY, HX_BROKEN,
	  "indirect entry 0: next 5 >= indirect table size 2",
	  "an indirect entry whose next is past its table", run_chain,
	  CHAIN(INDIRECT(2),
		.ind = { D(R_HDR, 0, FULL, N, 5), D(R_DATA, 0, FULL, 0, 0) }) },
	{ "ind-zero-length", "indirect", HX_ANY, HX_BROKEN,
	  "indirect entry 0: zero-length buffer",
	  "a buffer of 0 bytes in an indirect table", run_chain,
	  CHAIN(INDIRECT(1), .ind = { D(R_HDR, 0, 0, 0, 0) }) },
	{ "ind-read-after-write", "indirect", HX_ANY, HX_BROKEN,
	  "indirect entry 1: device-readable buffer after a device-writable",
	  "a readable buffer after a writable one in an indirect table",
	  run_chain,
	  CHAIN(INDIRECT(2), .ind = { D(R_STATUS, 0, 1, W | N, 1),
				      D(R_HDR, 0, FULL, 0, 0) }) },
	{ "ind-is-ring-table", "indirect", HX_ANY, HX_BROKEN,
	  "descriptor 0, indirect entry 0: INDIRECT descriptor inside an "
	  "indirect table",
	  "an indirect table that is the ring's own descriptor table",
	  run_chain, CHAIN(.nd = 1, .d = { D(R_RING, 0, FULL, IN, 0) }) },
	{ "ind-not-negotiated", "indirect", HX_ANY, HX_BROKEN,
	  "INDIRECT flag but VIRTIO_RING_F_INDIRECT_DESC not negotiated",
	  "an indirect table without INDIRECT_DESC", run_chain,
	  CHAIN(INDIRECT(1), .no_indirect = true,
		.ind = { D(R_HDR, 0, FULL, 0, 0) }) },

	/* The avail ring */
	{ "avail-jump", "avail", HX_ANY, HX_BROKEN,
	  "avail idx 17 is 17 entries ahead of last_avail_idx 0, more than "
	  "queue size 16",
	  "the avail index moved by more than the queue size", run_chain,
	  CHAIN(HDR_ONLY, .avail_extra = 16) },
	{ "avail-backwards", "avail", HX_ANY, HX_BROKEN,
	  "avail idx 65535 is 65535 entries ahead",
	  "the avail index moved back", run_chain,
	  CHAIN(HDR_ONLY, .avail_back = true) },
	{ "avail-head-past-queue", "avail", HX_ANY, HX_BROKEN,
	  "avail ring entry 0: head 16 >= queue size 16",
	  "an avail entry naming head 16 of 16", run_chain,
	  CHAIN(HDR_ONLY, .head = 16) },
	{ "avail-head-max", "avail", HX_ANY, HX_BROKEN,
	  "avail ring entry 0: head 65535 >= queue size 16",
	  "an avail entry naming head 0xffff", run_chain,
	  CHAIN(HDR_ONLY, .head = 0xffff) },

	/* virtio-blk requests */
	{ "blk-no-status", "blk-request", HX_BLK, HX_BROKEN,
	  "no device-writable status byte",
	  "a request without a writable byte for its status", run_chain,
	  CHAIN(.type = VIRTIO_BLK_T_IN, .nd = 2,
		.d = { D(R_HDR, 0, FULL, N, 1), D(R_DATA, 0, FULL, 0, 0) }) },
	{ "blk-short-header", "blk-request", HX_BLK, HX_BROKEN,
	  "request header is 8 bytes, 16 needed", "a header of 8 bytes",
	  run_chain,
	  CHAIN(.nd = 2,
		.d = { D(R_HDR, 0, 8, N, 1), D(R_STATUS, 0, FULL, W, 0) }) },
	{ "blk-header-in-pieces", "blk-request", HX_BLK, HX_ACCEPTED, NULL,
	  "a header cut into four descriptors: served", run_chain,
	  CHAIN(.type = VIRTIO_BLK_T_IN, .nd = 6,
		.d = { D(R_HDR, 0, 4, N, 1), D(R_HDR, 4, 4, N, 2),
		       D(R_HDR, 8, 4, N, 3), D(R_HDR, 12, 4, N, 4),
		       D(R_DATA, 0, 512, W | N, 5),
		       D(R_STATUS, 0, 1, W, 0) }) },
	{ "blk-sector-past-end", "blk-request", HX_BLK, HX_IOERR,
	  "bad read of 512 bytes at sector",
	  "a read of the sector after the last", run_chain,
	  CHAIN(READ(0, 512), .from_end = true) },
	{ "blk-sector-across-end", "blk-request", HX_BLK, HX_IOERR,
	  "bad read of 1024 bytes at sector",
	  "a read of the last sector and the one after", run_chain,
	  CHAIN(READ(1, 1024), .from_end = true) },
	{ "blk-sector-max", "blk-request", HX_BLK, HX_IOERR,
	  "bad write of 512 bytes at sector 18446744073709551615",
	  "a write at sector 2^64 - 1", run_chain,
	  CHAIN(WRITE(UINT64_MAX, 512)) },
	{ "blk-sector-shift-overflow", "blk-request", HX_BLK, HX_IOERR,
	  "bad read of 512 bytes at sector 36028797018963968",
	  "a read at sector 2^55, whose byte offset overflows", run_chain,
	  CHAIN(READ(1ULL << 55, 512)) },
	{ "blk-read-odd-length", "blk-request", HX_BLK, HX_IOERR,
	  "bad read of 100 bytes", "a read of 100 bytes", run_chain,
	  CHAIN(READ(0, 100)) },
	{ "blk-write-odd-length", "blk-request", HX_BLK, HX_IOERR,
	  "bad write of 100 bytes", "a write of 100 bytes", run_chain,
	  CHAIN(WRITE(0, 100)) },
	{ "blk-unknown-type", "blk-request", HX_BLK, HX_UNSUPP,
	  "unsupported request type 119", "request type 119", run_chain,
	  CHAIN(TYPED(119, 512)) },
	{ "blk-discard-unnegotiated", "blk-request", HX_BLK, HX_UNSUPP,
	  "discard: VIRTIO_BLK_F_DISCARD not negotiated",
	  "DISCARD without VIRTIO_BLK_F_DISCARD", run_chain,
	  CHAIN(TYPED(VIRTIO_BLK_T_DISCARD, 16)) },
	{ "blk-write-zeroes-unnegotiated", "blk-request", HX_BLK, HX_UNSUPP,
	  "write-zeroes: VIRTIO_BLK_F_WRITE_ZEROES not negotiated",
	  "WRITE_ZEROES without VIRTIO_BLK_F_WRITE_ZEROES", run_chain,
	  CHAIN(TYPED(VIRTIO_BLK_T_WRITE_ZEROES, 16)) },
	{ "blk-too-many-segments", "blk-request", HX_BLK, HX_BROKEN,
	  "needs more than max_segs 256 iovecs",
	  "300 one-byte buffers in one chain", run_chain,
	  CHAIN(.num = 512, INDIRECT(0), .ind_fill = 300) },

	/* virtio-net transmit */
	{ "net-tx-bad-flags", "net-tx", HX_NET, HX_DROPPED,
	  "dropped: flags other than NEEDS_CSUM", "a header with flag 0x80",
	  run_chain, CHAIN(FRAME(60), .net_flags = 0x80) },
	{ "net-tx-needs-csum", "net-tx", HX_NET, HX_DROPPED,
	  "dropped: NEEDS_CSUM without CSUM",
	  "checksum offload without VIRTIO_NET_F_CSUM", run_chain,
	  CHAIN(FRAME(60), .net_flags = VIRTIO_NET_HDR_F_NEEDS_CSUM) },
	{ "net-tx-gso-unknown", "net-tx", HX_NET, HX_DROPPED,
	  "dropped: unknown gso_type", "gso_type 5", run_chain,
	  CHAIN(FRAME(60), .gso_type = 5) },
	{ "net-tx-gso-tcpv4", "net-tx", HX_NET, HX_DROPPED,
	  "dropped: gso_type not negotiated", "TSO without HOST_TSO4",
	  run_chain, CHAIN(FRAME(60), .gso_type = VIRTIO_NET_HDR_GSO_TCPV4) },
	{ "net-tx-gso-ecn-alone", "net-tx", HX_NET, HX_DROPPED,
	  "gso_type 0x80)", "the ECN bit without a GSO type", run_chain,
	  CHAIN(FRAME(60), .gso_type = VIRTIO_NET_HDR_GSO_ECN) },
	{ "net-tx-short-header", "net-tx", HX_NET, HX_DROPPED,
	  "5 readable bytes, no room for the 12-byte header",
	  "a chain of 5 bytes", run_chain,
	  CHAIN(.nd = 1, .d = { D(R_HDR, 0, 5, 0, 0) }) },
	{ "net-tx-writable-only", "net-tx", HX_NET, HX_DROPPED,
	  "0 readable bytes, no room for the 12-byte header",
	  "a transmit chain of writable buffers only", run_chain,
	  CHAIN(.nd = 1, .d = { D(R_STATUS, 0, FULL, W, 0) }) },
	{ "net-tx-runt", "net-tx", HX_NET, HX_DROPPED,
	  "dropped: frame shorter than an Ethernet header",
	  "a frame of 10 bytes", run_chain, CHAIN(FRAME(10)) },
	{ "net-tx-header-only", "net-tx", HX_NET, HX_DROPPED,
	  "dropped: frame shorter than an Ethernet header",
	  "a header and no frame", run_chain, CHAIN(HDR_ONLY) },
	{ "net-tx-64k", "net-tx", HX_NET, HX_DROPPED,
	  "65554-byte frame above the MTU",
	  "a frame above 65535 + Ethernet + VLAN headers", run_chain,
	  CHAIN(FRAME(65554)) },
	{ "net-tx-above-mtu", "net-tx", HX_NET, HX_DROPPED,
	  "1519-byte frame above the MTU",
	  "a frame above the negotiated MTU (1500)", run_chain,
	  CHAIN(FRAME(1519), .mtu = true) },

	/* virtio-net receive */
	{ "net-rx-readable", "net-rx", HX_NET, HX_BROKEN,
	  "receive chain has no device-writable buffer",
	  "a receive buffer the device may only read", run_chain,
	  CHAIN(.on = ON_RX, .nd = 1, .d = { D(R_RX, 0, FULL, 0, 0) }) },
	{ "net-rx-too-small", "net-rx", HX_NET, HX_DROPPED,
	  "72-byte frame does not fit a 16-byte buffer",
	  "a receive buffer of 16 bytes", run_chain,
	  CHAIN(.on = ON_RX, .nd = 1, .d = { D(R_RX, 0, 16, W, 0) }) },
	{ "net-rx-zero-length", "net-rx", HX_NET, HX_BROKEN,
	  "zero-length buffer", "a receive buffer of 0 bytes", run_chain,
	  CHAIN(.on = ON_RX, .nd = 1, .d = { D(R_RX, 0, 0, W, 0) }) },
	{ "net-rx-loop", "net-rx", HX_NET, HX_BROKEN,
	  "chain longer than queue size 16 (descriptor loop?)",
	  "a receive chain that loops", run_chain,
	  CHAIN(.on = ON_RX, .nd = 1, .d = { D(R_RX, 0, 64, W | N, 0) }) },
	{ "net-rx-in-hole", "net-rx", HX_NET, HX_BROKEN,
	  "buffer 0x10000000+0x800 outside guest memory",
	  "a receive buffer between the regions", run_chain,
	  CHAIN(.on = ON_RX, .nd = 1,
		.d = { D(R_GPA, HX_HOLE_GPA, 2048, W, 0) }) },

	/* virtio-net control queue */
	{ "net-ctrl-short", "net-ctrl", HX_NET, HX_BROKEN,
	  "1 readable and 1 writable bytes, need 2 and 1",
	  "a control command of 1 byte", run_chain,
	  CHAIN(.on = ON_CTRL, .nd = 2,
		.d = { D(R_HDR, 0, 1, N, 1), D(R_STATUS, 0, FULL, W, 0) }) },
	{ "net-ctrl-no-ack", "net-ctrl", HX_NET, HX_BROKEN,
	  "2 readable and 0 writable bytes, need 2 and 1",
	  "a control command without room for its ack", run_chain,
	  CHAIN(.on = ON_CTRL, .nd = 1, .d = { D(R_HDR, 0, 2, 0, 0) }) },
	{ "net-ctrl-unknown-class", "net-ctrl", HX_NET, HX_CTRL_ERR,
	  "class 119 command 0 with 0 data bytes refused",
	  "a control command of class 119", run_chain, CHAIN(CTRL(119, 0)) },
	{ "net-ctrl-mq-pairs", "net-ctrl", HX_NET, HX_CTRL_ERR,
	  "class 4 command 0 with 2 data bytes refused",
	  "VQ_PAIRS_SET 100 on a one-pair device", run_chain,
	  CHAIN(CTRL(VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET),
		.ctrl_data = { 100, 0 }, .ctrl_len = 2) },
	{ "net-ctrl-mac-short", "net-ctrl", HX_NET, HX_CTRL_ERR,
	  "class 1 command 1 with 3 data bytes refused",
	  "MAC_ADDR_SET with 3 bytes of address", run_chain,
	  CHAIN(CTRL(VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET),
		.ctrl_data = { 1, 2, 3 }, .ctrl_len = 3) },
};

const unsigned int hx_ring_count =
	sizeof(hx_ring_cases) / sizeof(hx_ring_cases[0]);
