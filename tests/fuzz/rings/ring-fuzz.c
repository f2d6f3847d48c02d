/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Ring fuzzing harness: guest RAM, the queues' layout in it, the input's
 * generic operations and the run of one input.
 *
 * One process runs many inputs: guest RAM is allocated once and cleared for
 * every input; the device is created and freed for every input, so nothing
 * an input does survives into the next one.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>

#include "devices/virtio/virtio-ring.h"
#include "tests/fuzz/rings/ring-fuzz.h"

/* Chain length of one RF_OP_CHAIN */
#define RF_CHAIN_MAX 16
/*
 * RF_OP_CHAIN flags: NEXT comes from the flags byte too, so a chain may run
 * on past its last descriptor (into older ones, round the table: loops)
 */
#define RF_CHAIN_RAW 0x08
/* Bytes of one RF_OP_RACE write */
#define RF_RACE_MAX 64

static const uint64_t rf_region_gpa[RF_NREGIONS] = { 0, RF_REGION_SIZE,
						     RF_TOP_GPA };
static const uint64_t rf_region_size[RF_NREGIONS] = { RF_REGION_SIZE,
						      RF_REGION_SIZE,
						      RF_TOP_SIZE };
/* A driver write waiting for the device's next pops (RF_OP_RACE) */
static struct {
	bool armed;
	unsigned int pops; /* pops to let pass first */
	uint64_t off;
	size_t len;
	uint8_t buf[RF_RACE_MAX];
} rf_race;

static uint8_t *rf_ram[RF_NREGIONS];
static uint8_t *rf_shadow_ram[RF_NREGIONS];
static struct guest_memory rf_mem;
static int rf_efd = -1;

/**
 * rf_init() - Allocate guest RAM and the eventfd the queues signal
 *
 * Each region is a heap block of its own, so ASan's redzones border it.
 */
void rf_init(void)
{
	if (rf_efd >= 0)
		return;
	for (unsigned int i = 0; i < RF_NREGIONS; i++) {
		struct guest_memory_region r = { 0 };
		struct error *err = NULL;

		rf_ram[i] = malloc(rf_region_size[i]);
		rf_shadow_ram[i] = malloc(rf_region_size[i]);
		if (!rf_ram[i] || !rf_shadow_ram[i])
			fuzz_fail("out of memory for guest RAM");
		r.gpa = rf_region_gpa[i];
		r.size = rf_region_size[i];
		r.uva = (uint64_t)(uintptr_t)rf_ram[i];
		r.host = rf_ram[i];
		if (!guest_memory_add(&rf_mem, &r, &err))
			fuzz_fail("guest RAM: %s", error_get_pretty(err));
	}
	rf_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (rf_efd < 0)
		fuzz_fail("eventfd");
}

/**
 * rf_gpa_host() - Host address of a guest range inside one region
 * @gpa:	guest physical address
 * @len:	bytes
 *
 * Return: the host address, NULL if the range is not in one region
 */
void *rf_gpa_host(uint64_t gpa, size_t len)
{
	return gpa_to_host(&rf_mem, gpa, len);
}

/**
 * rf_in_ram() - Whether a host range lies inside one guest RAM region
 * @p:		first byte
 * @len:	bytes
 *
 * Return: true if inside
 */
bool rf_in_ram(const void *p, size_t len)
{
	uintptr_t a = (uintptr_t)p;

	for (unsigned int i = 0; i < RF_NREGIONS; i++) {
		uintptr_t start = (uintptr_t)rf_ram[i];

		if (a >= start && len <= rf_region_size[i] &&
		    a - start <= rf_region_size[i] - len)
			return true;
	}
	return false;
}

/**
 * rf_flat() - Where a flat RAM offset lives
 * @off:	offset, < RF_FLAT_SIZE
 * @region:	set to the region
 *
 * Return: offset in that region
 */
static uint64_t rf_flat(uint64_t off, unsigned int *region)
{
	*region = off < 2 * RF_REGION_SIZE
			  ? (unsigned int)(off / RF_REGION_SIZE)
			  : 2;
	return off -
	       (*region < 2 ? *region * RF_REGION_SIZE : 2 * RF_REGION_SIZE);
}

/**
 * rf_ram_write() - Driver-side write to guest RAM and its shadow
 * @off:	flat offset (region 0 and 1 are GPA 0.., then the top region)
 * @buf:	bytes
 * @len:	length; clipped at the end of the flat space
 */
void rf_ram_write(uint64_t off, const void *buf, size_t len)
{
	const uint8_t *src = buf;

	while (len && off < RF_FLAT_SIZE) {
		unsigned int r;
		uint64_t o = rf_flat(off, &r);
		size_t n = rf_region_size[r] - o;

		if (n > len)
			n = len;
		memcpy(rf_ram[r] + o, src, n);
		memcpy(rf_shadow_ram[r] + o, src, n);
		off += n;
		src += n;
		len -= n;
	}
}

/**
 * rf_ram_write16() - Driver-side write of a 16-bit value at a GPA in
 *		      region 0 or 1
 * @gpa:	guest address
 * @v:		value
 */
static void rf_ram_write16(uint64_t gpa, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	rf_ram_write(gpa, b, sizeof(b));
}

/**
 * rf_ram_read16() - Read a 16-bit value at a GPA of region 0
 * @gpa:	guest address
 *
 * Return: the value as the driver sees it now
 */
static uint16_t rf_ram_read16(uint64_t gpa)
{
	uint16_t v;

	memcpy(&v, rf_ram[0] + gpa, sizeof(v));
	return v;
}

/**
 * rf_shadow_sync() - Take RAM as it is now as the reference of the checks
 */
void rf_shadow_sync(void)
{
	for (unsigned int i = 0; i < RF_NREGIONS; i++)
		memcpy(rf_shadow_ram[i], rf_ram[i], rf_region_size[i]);
}

/**
 * rf_ram_region() - Guest RAM region @i and its shadow, for the checks
 * @i:		region
 * @ram:	set to the region
 * @shadow:	set to its shadow
 *
 * Return: its size
 */
size_t rf_ram_region(unsigned int i, uint8_t **ram, uint8_t **shadow)
{
	*ram = rf_ram[i];
	*shadow = rf_shadow_ram[i];
	return rf_region_size[i];
}

/**
 * rf_race_popped() - The device popped a chain: land a racing driver write
 *
 * Called by the vq_pop() wrapper once the element was checked, so the write
 * hits guest RAM while the device works on what it popped, as a driver on
 * another CPU may.
 */
void rf_race_popped(void)
{
	if (!rf_race.armed)
		return;
	if (rf_race.pops) {
		rf_race.pops--;
		return;
	}
	rf_race.armed = false;
	rf_ram_write(rf_race.off, rf_race.buf, rf_race.len);
}

/**
 * rf_op_race() - RF_OP_RACE: arm a write for one of the next pops
 * @in:		input
 */
static void rf_op_race(struct fuzz_input *in)
{
	size_t got;
	const uint8_t *p;

	rf_race.pops = fuzz_u8(in) % 8;
	rf_race.off = fuzz_u32(in) % RF_FLAT_SIZE;
	rf_race.len = fuzz_u8(in) % (RF_RACE_MAX + 1);
	p = fuzz_take(in, rf_race.len, &got);
	memcpy(rf_race.buf, p, got);
	rf_race.len = got;
	rf_race.armed = true;
}

/**
 * rf_config_op() - A target's CONFIG operation: write, then read config space
 * @s:		session
 * @in:		input: u8 offset, u8 length (modulo @len_mod), that many bytes
 * @len_mod:	lengths the target tries: 0 to @len_mod - 1, at most
 *		RF_CONFIG_MAX
 *
 * Offsets and lengths past the config space are the point: the device must
 * refuse them, and a refusal is no failure.
 */
void rf_config_op(struct rf_session *s, struct fuzz_input *in, uint32_t len_mod)
{
	uint8_t buf[RF_CONFIG_MAX];
	struct error *err = NULL;
	uint32_t off = fuzz_u8(in);
	uint32_t len = fuzz_u8(in) % len_mod;

	for (uint32_t i = 0; i < len; i++)
		buf[i] = fuzz_u8(in);
	if (!s->dev->ops->set_config(s->dev, off, buf, len, &err)) {
		error_free(err);
		err = NULL;
	}
	if (!s->dev->ops->get_config(s->dev, off, buf, len, &err))
		error_free(err);
}

/**
 * rf_lay_rings() - Clear a queue's rings and set its indices to the base
 * @s:		session
 * @q:		queue
 */
static void rf_lay_rings(struct rf_session *s, unsigned int q)
{
	static const uint8_t zero[RF_RING_STRIDE];

	rf_ram_write(RF_DESC_GPA(q), zero, sizeof(zero));
	rf_ram_write16(RF_AVAIL_GPA(q) + 2, s->base);
	rf_ram_write16(RF_USED_GPA(q) + 2, s->base);
}

/**
 * rf_configure_queue() - Fill the transport's fields of a stopped queue
 * @s:		session
 * @q:		queue
 */
static void rf_configure_queue(struct rf_session *s, unsigned int q)
{
	struct virtqueue *vq = &s->dev->vqs[q];

	vq->num = s->num;
	/*
	 * No chain here needs more than two iovecs per descriptor (only
	 * regions 0 and 1 are adjacent) and a chain has at most num
	 * descriptors: a cap of 2 * num changes nothing a device sees but the
	 * size of the iovec pool, which ASan makes costly to allocate.
	 */
	if (!vq->max_segs || vq->max_segs > 2 * s->num)
		vq->max_segs = 2 * s->num;
	vq->desc = rf_gpa_host(RF_DESC_GPA(q), VRING_DESC_TABLE_SIZE(s->num));
	vq->avail = rf_gpa_host(RF_AVAIL_GPA(q), VRING_AVAIL_SIZE(s->num));
	vq->used = rf_gpa_host(RF_USED_GPA(q), VRING_USED_SIZE(s->num));
	vq->mem = &rf_mem;
	vq->kick_fd = -1;
	vq->call_fd = rf_efd;
	vq->err_fd = rf_efd;
	__atomic_store_n(&vq->enabled, true, __ATOMIC_RELAXED);
}

/**
 * rf_start_queue() - Start a configured queue (its first kick runs here)
 * @s:		session
 * @q:		queue
 */
static void rf_start_queue(struct rf_session *s, unsigned int q)
{
	struct error *err = NULL;

	rf_configure_queue(s, q);
	if (!virtio_queue_start(s->dev, q, &err))
		error_free(err);
}

/**
 * rf_negotiate() - Set the driver's features, falling back to the ring bits
 * @s:		session, s->features the wish (VERSION_1 is the target's
 *		choice, the ring bits come from the header)
 *
 * Return: false if the device refused even VERSION_1 and the ring bits
 */
static bool rf_negotiate(struct rf_session *s)
{
	uint64_t offer = s->dev->ops->get_features(s->dev);
	uint64_t ring = s->features & (1ULL << VIRTIO_F_VERSION_1);
	struct error *err = NULL;

	if (s->hdr[0] & RF_RING_EVENT_IDX)
		ring |= 1ULL << VIRTIO_RING_F_EVENT_IDX;
	if (s->hdr[0] & RF_RING_INDIRECT)
		ring |= 1ULL << VIRTIO_RING_F_INDIRECT_DESC;
	s->features = (s->features | ring) & offer;
	if (virtio_device_set_features(s->dev, s->features, &err))
		return true;
	error_free(err);
	err = NULL;
	/* An inconsistent wish (a feature without its dependency) */
	s->features &= ring;
	if (virtio_device_set_features(s->dev, s->features, &err))
		return true;
	error_free(err);
	return false;
}

/**
 * rf_publish() - RF_OP_AVAIL: publish heads as a driver does
 * @s:		session
 * @q:		queue
 * @heads:	heads, read from the input when NULL
 * @n:		their number
 * @in:		input
 */
static void rf_publish(struct rf_session *s, unsigned int q,
		       const uint16_t *heads, unsigned int n,
		       struct fuzz_input *in)
{
	for (unsigned int k = 0; k < n; k++) {
		uint16_t idx = rf_ram_read16(RF_AVAIL_GPA(q) + 2);
		uint16_t head = heads ? heads[k] : fuzz_u16(in);

		rf_ram_write16(RF_AVAIL_GPA(q) + 4 + 2 * (idx % s->num), head);
		rf_ram_write16(RF_AVAIL_GPA(q) + 2, (uint16_t)(idx + 1));
	}
}

/**
 * rf_op_chain() - RF_OP_CHAIN: a chain of linked descriptors, published
 * @s:		session
 * @in:		input
 */
static void rf_op_chain(struct rf_session *s, struct fuzz_input *in)
{
	unsigned int q = fuzz_u8(in) % s->nq;
	uint16_t head = fuzz_u8(in) % s->num;
	unsigned int n = fuzz_u8(in) % RF_CHAIN_MAX + 1;

	for (unsigned int k = 0; k < n; k++) {
		uint8_t f = fuzz_u8(in);
		uint64_t addr = (uint64_t)fuzz_u16(in) * 2;
		uint32_t len = fuzz_u16(in);
		uint16_t i = (uint16_t)((head + k) % s->num);
		struct vring_desc d = {
			.addr = addr,
			.len = len,
			.flags = f &
				 (VRING_DESC_F_WRITE | VRING_DESC_F_INDIRECT),
			.next = (uint16_t)((i + 1) % s->num),
		};

		if (f & RF_CHAIN_RAW)
			d.flags = f & 7;
		else if (k + 1 < n)
			d.flags |= VRING_DESC_F_NEXT;
		rf_ram_write(RF_DESC_GPA(q) + 16 * i, &d, sizeof(d));
	}
	rf_publish(s, q, &head, 1, in);
}

/**
 * rf_reset() - RF_OP_RESET: reset, negotiate again, re-lay and restart
 * @s:		session
 */
static void rf_reset(struct rf_session *s)
{
	virtio_device_reset(s->dev);
	if (!rf_negotiate(s))
		return;
	if (s->t->configure)
		s->t->configure(s);
	for (unsigned int q = 0; q < s->nq; q++) {
		rf_lay_rings(s, q);
		s->dev->vqs[q].last_avail_idx = s->base;
	}
	for (unsigned int q = 0; q < s->nq; q++)
		rf_start_queue(s, q);
}

/**
 * rf_op_restart() - RF_OP_RESTART: stop and start a queue, or toggle it
 * @s:		session
 * @arg:	queue, bit 7: toggle enabled (SET_VRING_ENABLE) instead
 */
static void rf_op_restart(struct rf_session *s, uint8_t arg)
{
	unsigned int q = (arg & 0x7f) % s->nq;
	struct virtqueue *vq = &s->dev->vqs[q];

	if (arg & 0x80) {
		__atomic_store_n(&vq->enabled, !vq->enabled, __ATOMIC_RELAXED);
		return;
	}
	virtio_queue_stop(s->dev, q);
	rf_start_queue(s, q);
}

/**
 * rf_op() - Run one operation
 * @s:		session
 * @op:		opcode
 * @in:		input, at its arguments
 *
 * Return: true if the device may have run (a device-side operation)
 */
static bool rf_op(struct rf_session *s, unsigned int op, struct fuzz_input *in)
{
	uint8_t buf[16];
	size_t got;
	unsigned int q;

	switch (op) {
	case RF_OP_WRITE: {
		uint64_t off = fuzz_u32(in) % RF_FLAT_SIZE;
		uint16_t len = fuzz_u16(in);
		const uint8_t *p = fuzz_take(in, len, &got);

		rf_ram_write(off, p, got);
		return false;
	}
	case RF_OP_DESC:
		q = fuzz_u8(in) % s->nq;
		got = fuzz_u8(in) % s->num;
		memset(buf, 0, sizeof(buf));
		for (unsigned int i = 0; i < sizeof(buf); i++)
			buf[i] = fuzz_u8(in);
		rf_ram_write(RF_DESC_GPA(q) + 16 * got, buf, sizeof(buf));
		return false;
	case RF_OP_AVAIL:
		q = fuzz_u8(in) % s->nq;
		rf_publish(s, q, NULL, fuzz_u8(in), in);
		return false;
	case RF_OP_CHAIN:
		rf_op_chain(s, in);
		return false;
	case RF_OP_KICK: {
		uint8_t arg = fuzz_u8(in);

		fuzz_worker_kick(s->dev, (arg & 0x7f) % s->nq, arg & 0x80);
		return true;
	}
	case RF_OP_NOTIFY:
		q = fuzz_u8(in) % s->nq;
		rf_ram_write16(RF_AVAIL_GPA(q), fuzz_u16(in));
		rf_ram_write16(RF_AVAIL_GPA(q) + 4 + 2 * s->num, fuzz_u16(in));
		return false;
	case RF_OP_RESTART:
		rf_op_restart(s, fuzz_u8(in));
		return true;
	case RF_OP_RESET:
		rf_reset(s);
		return true;
	case RF_OP_EVENTS:
		fuzz_worker_fire_watches(s->dev);
		return true;
	case RF_OP_RACE:
		rf_op_race(in);
		return false;
	default:
		s->t->op(s, op - RF_OP_TARGET, in);
		return true;
	}
}

/**
 * rf_step_checks() - What must hold after every operation
 * @s:		session
 * @device:	the device may have run
 */
static void rf_step_checks(struct rf_session *s, bool device)
{
	if (device) {
		fuzz_worker_run_wakes(s->dev);
		rf_check_end_device(s);
	}
	rf_check_queues(s);
	if (s->t->check)
		s->t->check(s);
}

/**
 * LLVMFuzzerTestOneInput() - Run one fuzz input through the target
 * @data:	input
 * @size:	its length
 *
 * Return: 0 (libFuzzer's convention); a violated check aborts instead
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct rf_target *t = &rf_fuzz_target;
	struct fuzz_input in = { data, size };
	struct rf_session s = { .t = t };
	unsigned int nops = RF_OP_TARGET + t->n_ops;

	rf_init();
	for (unsigned int i = 0; i < RF_HEADER_LEN; i++)
		s.hdr[i] = fuzz_u8(&in);
	s.num = 1U << ((s.hdr[0] >> 4) & 7);
	s.base = (uint16_t)(s.hdr[4] | s.hdr[5] << 8);
	for (unsigned int i = 0; i < RF_NREGIONS; i++)
		memset(rf_ram[i], 0, rf_region_size[i]);
	rf_shadow_sync();
	rf_check_reset();
	rf_race.armed = false;

	if (!t->create(&s))
		return 0;
	if (s.nq < 1 || s.nq > RF_MAX_QUEUES || s.nq > s.dev->num_queues)
		fuzz_fail("target %s: %u queues", t->name, s.nq);
	if (!rf_negotiate(&s)) {
		t->destroy(&s);
		return 0;
	}
	if (t->configure)
		t->configure(&s);

	rf_check_begin_device();
	for (unsigned int q = 0; q < s.nq; q++) {
		rf_lay_rings(&s, q);
		s.dev->vqs[q].last_avail_idx = s.base;
		rf_start_queue(&s, q);
	}
	rf_step_checks(&s, true);

	while (in.left) {
		bool device;

		rf_check_begin_device();
		device = rf_op(&s, fuzz_u8(&in) % nops, &in);
		rf_step_checks(&s, device);
	}

	rf_check_begin_device();
	t->destroy(&s);
	return 0;
}
