/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Ring fuzz corpus recorder: a vhost-user-blk or -net back-end that writes
 * the descriptor chains a real front-end posts as inputs of the ring fuzz
 * targets (fuzz-virtio-blk, fuzz-virtio-net).
 *
 * It serves the real device over the real transport, with one hook: before
 * the device handles a kick, the chains pending on the ring (descriptors,
 * indirect tables, the device-readable bytes) are copied out and re-laid in
 * the fuzz targets' small guest RAM, with the features the front-end
 * negotiated in the input's header. For net, the frames come back through a
 * loopback netdev that remembers the last one, and an input for a transmit
 * kick carries a few of the receive buffers the driver had posted then.
 *
 *   fuzz-ring-record blk|net --socket PATH --out DIR [--max N] [--every K]
 *                    [--queues N] [--disk FILE] [--tag NAME]
 *
 * Then run a front-end against PATH (tests/frontend qd-frontend verify,
 * net-xfer, or QEMU) and stop the recorder with SIGTERM.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "devices/blk/virtio-blk-proto.h"
#include "devices/blk/virtio-blk.h"
#include "devices/net/netdev.h"
#include "devices/net/virtio-net-proto.h"
#include "devices/net/virtio-net.h"
#include "tests/fuzz/rings/ring-fuzz.h"
#include "tests/fuzz/rings/ring-targets.h"
#include "transport/vhost-user-server.h"
#include "util/log.h"

#define REC_MAX_SEED	 16384
#define REC_CONTENT_MAX	 64 /* device-readable bytes kept per buffer */
#define REC_MAX_CHAINS	 8  /* chains per queue per input */
#define REC_MAX_HASHES	 1024
#define REC_BUF_START	 (RF_MAX_QUEUES * RF_RING_STRIDE)
#define REC_BUF_END	 (2 * RF_REGION_SIZE)
#define REC_DISK_SECTORS 8192
#define REC_FRAME_MAX	 256

/* One input being written */
struct rec_seed {
	uint8_t b[REC_MAX_SEED];
	size_t len;
	bool full;
	uint64_t next_gpa;  /* bump allocator in the fuzz RAM */
	unsigned int qsize; /* queue size in the input */
};

/*
 * Descriptor indices of one queue in the input: the recorded ones if the
 * queue is no larger than the input's, else renumbered in order of use
 * (QEMU's receive queues have 256 entries or more)
 */
struct rec_map {
	bool identity;
	unsigned int n;
	uint16_t orig[RF_MAX_QSIZE];
};

struct rec_state {
	bool net;
	const char *out;
	const char *tag; /* file name prefix */
	unsigned int max, every;
	unsigned int written, kicks;
	struct virtio_device *dev;
	const struct virtio_device_ops *real_ops;
	struct virtio_device_ops ops;
	pthread_mutex_t lock;
	uint64_t hashes[REC_MAX_HASHES];
	unsigned int nhashes;
	/* net: the last frame the loopback netdev carried */
	uint8_t frame[REC_FRAME_MAX];
	size_t frame_len;
};

static struct rec_state rec = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* The loopback netdev with a memory of the last frame */
struct rec_netdev {
	struct netdev nd;
	struct netdev_port *ports[2];
};

void netdev_free(struct netdev *nd);

/**
 * netdev_free() - Free a netdev (the recorder links no netdev library)
 * @nd:		netdev or NULL
 */
void netdev_free(struct netdev *nd)
{
	if (nd)
		nd->ops->free(nd);
}

/**
 * rec_put() - Append bytes to an input
 * @sd:		input
 * @p:		bytes
 * @len:	length
 */
static void rec_put(struct rec_seed *sd, const void *p, size_t len)
{
	if (sd->full || len > sizeof(sd->b) - sd->len) {
		sd->full = true;
		return;
	}
	memcpy(sd->b + sd->len, p, len);
	sd->len += len;
}

/**
 * rec_u8() - Append a byte
 * @sd:		input
 * @v:		value
 */
static void rec_u8(struct rec_seed *sd, uint8_t v)
{
	rec_put(sd, &v, 1);
}

/**
 * rec_u16() - Append a little-endian 16-bit value
 * @sd:		input
 * @v:		value
 */
static void rec_u16(struct rec_seed *sd, uint16_t v)
{
	rec_u8(sd, (uint8_t)v);
	rec_u8(sd, (uint8_t)(v >> 8));
}

/**
 * rec_u32() - Append a little-endian 32-bit value
 * @sd:		input
 * @v:		value
 */
static void rec_u32(struct rec_seed *sd, uint32_t v)
{
	rec_u16(sd, (uint16_t)v);
	rec_u16(sd, (uint16_t)(v >> 16));
}

/**
 * rec_alloc() - Room for a buffer in the fuzz RAM
 * @sd:		input
 * @len:	bytes
 * @align:	alignment, a power of two
 *
 * Return: its GPA, or UINT64_MAX (and the input is abandoned) if none
 */
static uint64_t rec_alloc(struct rec_seed *sd, uint64_t len, uint64_t align)
{
	uint64_t gpa = (sd->next_gpa + align - 1) & ~(align - 1);

	if (!len || gpa > REC_BUF_END || len > REC_BUF_END - gpa) {
		sd->full = true;
		return UINT64_MAX;
	}
	sd->next_gpa = gpa + len;
	return gpa;
}

/**
 * rec_op_write() - RF_OP_WRITE of bytes at a GPA of region 0 or 1
 * @sd:		input
 * @gpa:	where
 * @p:		bytes
 * @len:	length (at most 65535)
 */
static void rec_op_write(struct rec_seed *sd, uint64_t gpa, const void *p,
			 size_t len)
{
	rec_u8(sd, RF_OP_WRITE);
	rec_u32(sd, (uint32_t)gpa);
	rec_u16(sd, (uint16_t)len);
	rec_put(sd, p, len);
}

/**
 * rec_op_desc() - RF_OP_DESC
 * @sd:		input
 * @q:		fuzz queue
 * @i:		descriptor index
 * @d:		descriptor, relocated
 */
static void rec_op_desc(struct rec_seed *sd, unsigned int q, uint16_t i,
			const struct vring_desc *d)
{
	rec_u8(sd, RF_OP_DESC);
	rec_u8(sd, (uint8_t)q);
	rec_u8(sd, (uint8_t)i);
	rec_put(sd, d, sizeof(*d));
}

/**
 * rec_guest_read() - Copy up to @len guest bytes, across regions
 * @vq:		virtqueue (its guest memory)
 * @gpa:	address
 * @buf:	destination
 * @len:	bytes wanted
 *
 * Return: false if the range is not guest memory
 */
static bool rec_guest_read(const struct virtqueue *vq, uint64_t gpa, void *buf,
			   size_t len)
{
	struct iovec iov[4];
	int n = gpa_to_iov(vq->mem, gpa, len, iov, 4);

	if (n < 0)
		return false;
	iov_to_buf(iov, (unsigned int)n, 0, buf, len);
	return true;
}

/**
 * rec_buffer() - Relocate one buffer descriptor into the fuzz RAM
 * @sd:		input
 * @vq:		virtqueue it came from
 * @d:		descriptor; its address is replaced
 *
 * The first REC_CONTENT_MAX bytes of a device-readable buffer go along
 * (request headers, frame headers, discard segments); the rest is zeroes.
 *
 * Return: false if it does not fit or is not in guest memory
 */
static bool rec_buffer(struct rec_seed *sd, const struct virtqueue *vq,
		       struct vring_desc *d)
{
	uint8_t content[REC_CONTENT_MAX];
	size_t n = d->len < sizeof(content) ? d->len : sizeof(content);
	uint64_t gpa = rec_alloc(sd, d->len, 8);

	if (gpa == UINT64_MAX)
		return false;
	if (!(d->flags & VRING_DESC_F_WRITE)) {
		if (!rec_guest_read(vq, d->addr, content, n))
			return false;
		rec_op_write(sd, gpa, content, n);
	}
	d->addr = gpa;
	return true;
}

/**
 * rec_indirect() - Relocate an indirect table and every buffer it names
 * @sd:		input
 * @vq:		virtqueue
 * @d:		INDIRECT descriptor; its address is replaced
 *
 * Return: false if malformed or too big
 */
static bool rec_indirect(struct rec_seed *sd, const struct virtqueue *vq,
			 struct vring_desc *d)
{
	struct vring_desc tab[RF_MAX_QSIZE];
	unsigned int n = d->len / sizeof(tab[0]);
	uint64_t gpa;

	if (!n || d->len % sizeof(tab[0]) || n > RF_MAX_QSIZE ||
	    !rec_guest_read(vq, d->addr, tab, d->len))
		return false;
	gpa = rec_alloc(sd, d->len, 16);
	if (gpa == UINT64_MAX)
		return false;
	for (unsigned int k = 0; k < n; k++)
		if (!rec_buffer(sd, vq, &tab[k]))
			return false;
	rec_op_write(sd, gpa, tab, d->len);
	d->addr = gpa;
	return true;
}

/**
 * rec_map_index() - The input's index of a recorded descriptor
 * @m:		the queue's map
 * @sd:		input (its queue size)
 * @i:		recorded index
 *
 * Return: the index in the input, UINT16_MAX if there is no room
 */
static uint16_t rec_map_index(struct rec_map *m, const struct rec_seed *sd,
			      uint16_t i)
{
	if (m->identity)
		return i;
	for (unsigned int k = 0; k < m->n; k++)
		if (m->orig[k] == i)
			return (uint16_t)k;
	if (m->n >= sd->qsize)
		return UINT16_MAX;
	m->orig[m->n] = i;
	return (uint16_t)m->n++;
}

/**
 * rec_chain() - Copy one chain, relocated, into the input
 * @sd:		input
 * @vq:		virtqueue
 * @m:		its descriptor map
 * @fq:		its queue in the fuzz target
 * @head:	chain head, replaced by the input's
 *
 * Return: false if the chain is malformed or does not fit
 */
static bool rec_chain(struct rec_seed *sd, const struct virtqueue *vq,
		      struct rec_map *m, unsigned int fq, uint16_t *head)
{
	uint16_t i = *head, ni = rec_map_index(m, sd, i);

	*head = ni;
	for (unsigned int steps = 0; steps < vq->num && ni != UINT16_MAX;
	     steps++) {
		struct vring_desc d;

		memcpy(&d, &vq->desc[i], sizeof(d));
		if (d.flags & VRING_DESC_F_INDIRECT) {
			if (!rec_indirect(sd, vq, &d))
				return false;
			rec_op_desc(sd, fq, ni, &d);
			return true;
		}
		if (!rec_buffer(sd, vq, &d))
			return false;
		if (!(d.flags & VRING_DESC_F_NEXT)) {
			rec_op_desc(sd, fq, ni, &d);
			return true;
		}
		if (d.next >= vq->num)
			return false;
		i = d.next;
		d.next = rec_map_index(m, sd, i);
		rec_op_desc(sd, fq, ni, &d);
		ni = d.next;
	}
	return false;
}

/**
 * rec_queue() - Copy the chains pending on a queue and publish them
 * @sd:		input
 * @vq:		virtqueue (its worker's thread, or a sibling in its group)
 * @fq:		its queue in the fuzz target
 *
 * Return: the number of chains, 0 if none could be copied
 */
static unsigned int rec_queue(struct rec_seed *sd, const struct virtqueue *vq,
			      unsigned int fq)
{
	uint16_t avail = __atomic_load_n(&vq->avail->idx, __ATOMIC_ACQUIRE);
	uint16_t pending = avail - vq->last_avail_idx;
	uint16_t heads[REC_MAX_CHAINS], used_event;
	struct rec_map m = { .identity = vq->num <= sd->qsize };
	unsigned int n = 0;

	if (pending > vq->num)
		return 0;
	for (uint16_t k = 0; k < pending && n < REC_MAX_CHAINS; k++) {
		uint16_t head =
			vq->avail->ring[(uint16_t)(vq->last_avail_idx + k) %
					vq->num];
		size_t len = sd->len;
		uint64_t next_gpa = sd->next_gpa;

		if (head >= vq->num || !rec_chain(sd, vq, &m, fq, &head)) {
			/* Keep the chains before it: take this one back */
			sd->len = len;
			sd->next_gpa = next_gpa;
			sd->full = false;
			break;
		}
		heads[n++] = head;
	}
	if (!n)
		return 0;
	rec_u8(sd, RF_OP_AVAIL);
	rec_u8(sd, (uint8_t)fq);
	rec_u8(sd, (uint8_t)n);
	for (unsigned int k = 0; k < n; k++)
		rec_u16(sd, heads[k]);
	memcpy(&used_event, &vq->avail->ring[vq->num], sizeof(used_event));
	rec_u8(sd, RF_OP_NOTIFY);
	rec_u8(sd, (uint8_t)fq);
	rec_u16(sd, vq->avail->flags);
	rec_u16(sd, used_event);
	return n;
}

/**
 * rec_header() - The input's header for the device as negotiated
 * @sd:		input, empty
 * @vq:		the queue kicked
 * @fq:		its queue in the fuzz target
 */
static void rec_header(struct rec_seed *sd, const struct virtqueue *vq,
		       unsigned int fq)
{
	struct virtio_device *dev = rec.dev;
	uint64_t f = dev->features;
	uint8_t h[RF_HEADER_LEN] = { 0 };
	unsigned int qsize = vq->num < RF_MAX_QSIZE ? vq->num : RF_MAX_QSIZE;
	unsigned int log2 = (unsigned int)__builtin_ctz(qsize);

	h[0] = (uint8_t)(log2 << 4);
	if (f & (1ULL << VIRTIO_RING_F_EVENT_IDX))
		h[0] |= RF_RING_EVENT_IDX;
	if (f & (1ULL << VIRTIO_RING_F_INDIRECT_DESC))
		h[0] |= RF_RING_INDIRECT;
	h[4] = (uint8_t)vq->last_avail_idx;
	h[5] = (uint8_t)(vq->last_avail_idx >> 8);
	if (!rec.net) {
		uint64_t cap = 0;

		h[1] = ((f >> VIRTIO_BLK_F_FLUSH) & 1 ? FB_F_FLUSH : 0) |
		       ((f >> VIRTIO_BLK_F_CONFIG_WCE) & 1 ? FB_F_CONFIG_WCE
							   : 0) |
		       ((f >> VIRTIO_BLK_F_DISCARD) & 1 ? FB_F_DISCARD : 0) |
		       ((f >> VIRTIO_BLK_F_WRITE_ZEROES) & 1 ? FB_F_WRITE_ZEROES
							     : 0);
		h[2] = FB_O_WRITEBACK | (fq ? FB_O_TWO_QUEUES : 0);
		dev->ops->get_config(dev, 0, &cap, sizeof(cap), NULL);
		if (cap > REC_DISK_SECTORS)
			cap = REC_DISK_SECTORS;
		h[6] = (uint8_t)cap;
		h[7] = (uint8_t)(cap >> 8);
	} else {
		h[1] = ((f >> VIRTIO_NET_F_MRG_RXBUF) & 1 ? FN_F_MRG_RXBUF
							  : 0) |
		       ((f >> VIRTIO_F_VERSION_1) & 1 ? 0 : FN_F_NO_VERSION_1) |
		       ((f >> VIRTIO_NET_F_CSUM) & 1 ? FN_F_HOST_OFFLOAD : 0) |
		       ((f >> VIRTIO_NET_F_GUEST_CSUM) & 1 ? FN_F_GUEST_OFFLOAD
							   : 0) |
		       ((f >> VIRTIO_NET_F_CTRL_VQ) & 1 ? FN_F_CTRL : 0) |
		       ((f >> VIRTIO_NET_F_STATUS) & 1 ? FN_F_STATUS : 0);
		h[2] = FN_O_LOOPBACK | (fq >= 2 ? FN_O_TWO_PAIRS : 0);
		h[3] = FN_SEND_OK;
	}
	rec_put(sd, h, sizeof(h));
	sd->next_gpa = REC_BUF_START;
	sd->qsize = qsize;
}

/**
 * rec_save() - Write a finished input, unless it was written before
 * @sd:		input
 * @kind:	file name prefix
 */
static void rec_save(const struct rec_seed *sd, const char *kind)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	char path[4096];
	FILE *f;

	for (size_t i = 0; i < sd->len; i++)
		h = (h ^ sd->b[i]) * 0x100000001b3ULL;
	for (unsigned int i = 0; i < rec.nhashes; i++)
		if (rec.hashes[i] == h)
			return;
	if (rec.nhashes < REC_MAX_HASHES)
		rec.hashes[rec.nhashes++] = h;
	snprintf(path, sizeof(path), "%s/%s-%s-%016llx", rec.out, rec.tag, kind,
		 (unsigned long long)h);
	f = fopen(path, "wb");
	if (!f || fwrite(sd->b, 1, sd->len, f) != sd->len) {
		log_err("cannot write %s: %s", path, strerror(errno));
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
	rec.written++;
	log_info("recorded %s (%zu bytes)", path, sd->len);
}

/**
 * rec_blk() - An input for a kick of a virtio-blk queue
 * @sd:		input, empty
 * @vq:		the queue
 *
 * Return: the file name prefix, NULL if nothing to record
 */
static const char *rec_blk(struct rec_seed *sd, struct virtqueue *vq)
{
	unsigned int fq = vq->index;

	if (fq > 1)
		return NULL;
	rec_header(sd, vq, fq);
	if (!rec_queue(sd, vq, fq))
		return NULL;
	rec_u8(sd, RF_OP_KICK);
	rec_u8(sd, (uint8_t)fq);
	return "blk";
}

/**
 * rec_net() - An input for a kick of a virtio-net receive or transmit queue
 * @sd:		input, empty
 * @vq:		the queue (its pair's worker: the sibling is safe to read)
 *
 * A transmit input carries a few of the receive buffers posted then, and
 * the frames come back into them (loopback); a receive input offers the
 * last frame the netdev carried.
 *
 * Return: the file name prefix, NULL if nothing to record
 */
static const char *rec_net(struct rec_seed *sd, struct virtqueue *vq)
{
	struct virtio_device *dev = rec.dev;
	unsigned int fq = vq->index;
	bool tx = fq % 2;

	if (fq >= 4 || fq == dev->num_queues - 1)
		return NULL;
	rec_header(sd, vq, fq);
	if (tx) {
		struct virtqueue *rx = &dev->vqs[fq - 1];

		if (rx->elems)
			rec_queue(sd, rx, fq - 1);
	}
	if (!rec_queue(sd, vq, fq))
		return NULL;
	if (!tx && rec.frame_len) {
		rec_u8(sd, RF_OP_TARGET + FN_OP_RX);
		rec_u8(sd, (uint8_t)((fq / 2 ? FN_RX_PAIR1 : 0) |
				     FN_RX_PIECES_SET(2)));
		rec_u16(sd, (uint16_t)rec.frame_len);
		rec_put(sd, rec.frame, rec.frame_len);
	}
	rec_u8(sd, RF_OP_KICK);
	rec_u8(sd, (uint8_t)fq);
	return tx ? "net-tx" : "net-rx";
}

/**
 * rec_kick() - ops->queue_kick: record the pending chains, then handle them
 * @dev:	device
 * @vq:		queue
 */
static void rec_kick(struct virtio_device *dev, struct virtqueue *vq)
{
	static struct rec_seed sd;
	const char *kind = NULL;

	pthread_mutex_lock(&rec.lock);
	if (rec.written < rec.max && !vq->broken && vq_available(vq) &&
	    rec.kicks++ % rec.every == 0) {
		memset(&sd, 0, sizeof(sd));
		kind = rec.net ? rec_net(&sd, vq) : rec_blk(&sd, vq);
		if (kind && !sd.full)
			rec_save(&sd, kind);
	}
	pthread_mutex_unlock(&rec.lock);
	rec.real_ops->queue_kick(dev, vq);
}

/**
 * rec_nd_attach() - ops->attach
 * @nd:		netdev
 * @q:		queue
 * @port:	the pair's port
 * @errp:	error for a queue it does not have
 *
 * Return: true if attached
 */
static bool rec_nd_attach(struct netdev *nd, unsigned int q,
			  struct netdev_port *port, struct error **errp)
{
	if (q >= nd->queues) {
		error_setg(errp, "no queue %u", q);
		return false;
	}
	((struct rec_netdev *)nd)->ports[q] = port;
	return true;
}

/**
 * rec_nd_detach() - ops->detach
 * @nd:		netdev
 * @q:		queue
 */
static void rec_nd_detach(struct netdev *nd, unsigned int q)
{
	if (q < nd->queues)
		((struct rec_netdev *)nd)->ports[q] = NULL;
}

/**
 * rec_nd_send() - ops->send: remember the frame, hand it back
 * @nd:		netdev
 * @q:		queue
 * @iov:	frame
 * @cnt:	segments
 *
 * Return: the receive side's answer, -ENOLINK without a port
 */
static int rec_nd_send(struct netdev *nd, unsigned int q,
		       const struct iovec *iov, unsigned int cnt)
{
	struct netdev_port *port = ((struct rec_netdev *)nd)->ports[q];

	pthread_mutex_lock(&rec.lock);
	rec.frame_len = iov_to_buf(iov, cnt, 0, rec.frame, sizeof(rec.frame));
	pthread_mutex_unlock(&rec.lock);
	if (!port)
		return -ENOLINK;
	return port->receive(port, iov, cnt, false);
}

/**
 * rec_nd_rx_resume() - ops->rx_resume: nothing is ever held
 * @nd:		netdev
 * @q:		queue
 */
static void rec_nd_rx_resume(struct netdev *nd, unsigned int q)
{
}

/**
 * rec_nd_free() - ops->free
 * @nd:		netdev
 */
static void rec_nd_free(struct netdev *nd)
{
	free(nd);
}

static const struct netdev_ops rec_nd_ops = {
	.type = "loopback",
	.attach = rec_nd_attach,
	.detach = rec_nd_detach,
	.send = rec_nd_send,
	.rx_resume = rec_nd_rx_resume,
	.free = rec_nd_free,
};

/**
 * rec_new_net() - The virtio-net device over the recording loopback
 * @pairs:	queue pairs, 1 or 2
 * @errp:	error
 *
 * Return: the device, NULL on failure
 */
static struct virtio_device *rec_new_net(unsigned int pairs,
					 struct error **errp)
{
	struct rec_netdev *nd = calloc(1, sizeof(*nd));
	struct virtio_net_options o = {
		.mac = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 },
		.queue_pairs = pairs,
		.queue_size = 1024,
	};

	if (!nd) {
		error_setg(errp, "out of memory");
		return NULL;
	}
	nd->nd.ops = &rec_nd_ops;
	nd->nd.id = "rec0";
	nd->nd.queues = pairs;
	o.netdev = &nd->nd;
	return virtio_net_new(&o, errp);
}

/**
 * rec_new_blk() - The virtio-blk device over a disk of REC_DISK_SECTORS
 * @disk:	path of the image, created if missing
 * @queues:	request queues, 1 or 2
 * @errp:	error
 *
 * Return: the device, NULL on failure
 */
static struct virtio_device *rec_new_blk(const char *disk, unsigned int queues,
					 struct error **errp)
{
	struct virtio_blk_options o = {
		.path = disk,
		.serial = "fuzz",
		.num_queues = queues,
		.queue_size = 1024,
		.aio = VIRTIO_BLK_AIO_SYNC,
		.logical_block_size = 512,
	};
	int fd = open(disk, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0 ||
	    ftruncate(fd, (off_t)REC_DISK_SECTORS * VIRTIO_BLK_SECTOR_SIZE)) {
		error_setg_errno(errp, errno, "cannot create '%s'", disk);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	close(fd);
	return virtio_blk_new(&o, errp);
}

/**
 * rec_usage() - Print how to call the recorder and exit
 * @code:	exit status
 */
static void __attribute__((noreturn)) rec_usage(int code)
{
	fputs("Usage: fuzz-ring-record blk|net --socket PATH --out DIR "
	      "[--max N] [--every K]\n"
	      "                        [--queues N] [--disk FILE] [--tag "
	      "NAME]\n"
	      "Serve virtio-blk (over FILE, 4 MiB) or virtio-net (over a "
	      "loopback netdev)\n"
	      "and write the chains of every K-th kick, at most N (default "
	      "8), as inputs\n"
	      "of fuzz-virtio-blk / fuzz-virtio-net, named "
	      "NAME-KIND-HASH. Stop it with SIGTERM.\n",
	      code ? stderr : stdout);
	exit(code);
}

/**
 * rec_stop_fd() - A signalfd for SIGTERM and SIGINT
 *
 * Return: the fd, -1 on failure
 */
static int rec_stop_fd(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/**
 * main() - Serve the device and record until SIGTERM
 * @argc:	argument count
 * @argv:	arguments
 *
 * Return: 0 on a clean stop
 */
int main(int argc, char **argv)
{
	const char *sock = NULL, *disk = "/tmp/fuzz-ring-record.img";
	struct vu_server_options vo = { .fd = -1 };
	unsigned int queues = 1;
	struct error *err = NULL;
	struct vu_server *srv;
	int stop_fd;
	bool ok;

	if (argc < 2)
		rec_usage(2);
	if (!strcmp(argv[1], "--help"))
		rec_usage(0);
	rec.net = !strcmp(argv[1], "net");
	if (!rec.net && strcmp(argv[1], "blk"))
		rec_usage(2);
	rec.max = 8;
	rec.every = 1;
	rec.tag = "rec";
	for (int i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--socket"))
			sock = argv[i + 1];
		else if (!strcmp(argv[i], "--out"))
			rec.out = argv[i + 1];
		else if (!strcmp(argv[i], "--max"))
			rec.max = (unsigned int)strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--every"))
			rec.every = (unsigned int)strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--queues"))
			queues = (unsigned int)strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--disk"))
			disk = argv[i + 1];
		else if (!strcmp(argv[i], "--tag"))
			rec.tag = argv[i + 1];
		else
			rec_usage(2);
	}
	if (!sock || !rec.out || !rec.every || queues < 1 || queues > 2)
		rec_usage(2);
	log_init("fuzz-ring-record", LOG_LEVEL_INFO);

	stop_fd = rec_stop_fd();
	rec.dev = rec.net ? rec_new_net(queues, &err)
			  : rec_new_blk(disk, queues, &err);
	if (stop_fd < 0 || !rec.dev) {
		error_report_err(err);
		return 1;
	}
	/* The device's own table, with the kick hook in front */
	rec.real_ops = rec.dev->ops;
	rec.ops = *rec.dev->ops;
	rec.ops.queue_kick = rec_kick;
	rec.dev->ops = &rec.ops;

	vo.socket_path = sock;
	vo.queue_num = rec.net ? queues : 0;
	srv = vu_server_new(rec.dev, &vo, &err);
	ok = srv && vu_server_run(srv, stop_fd, &err);
	if (srv)
		vu_server_free(srv);
	rec.dev->ops = rec.real_ops;
	virtio_device_free(rec.dev);
	close(stop_fd);
	if (!ok)
		error_report_err(err);
	log_info("%u inputs written to %s", rec.written, rec.out);
	return ok ? 0 : 1;
}
