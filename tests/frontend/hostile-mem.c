/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Hostile catalogue, guest memory: memory tables, single regions, and fds
 * that cannot be guest memory.
 *
 * A region is only mapped if its fd maps, its offset and size fit the file
 * and nothing overflows; the table then refuses empty, wrapping and
 * overlapping regions and more than it can hold. Each refusal ends the
 * session (a front-end that describes memory wrongly cannot be trusted with
 * any), except removing a region that is not there, which is only refused.
 * A table that no longer covers a running ring stops it.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "tests/frontend/hostile.h"

#define NR VHOST_USER_NEED_REPLY_MASK

/* A region of a memfd, the front-end address derived from the GPA */
#define REG(g, s)                                                              \
	{                                                                      \
		.gpa = (g), .size = (s), .uva = 0x700000000000ULL + (g)        \
	}
#define KB 1024ULL

/* One region as a case describes it */
struct hx_region {
	uint64_t gpa, size, uva, offset;
	bool odd_fd;	      /* use kind, not a memfd */
	enum hx_fd_kind kind; /* with odd_fd */
	uint64_t file;	      /* file size; 0: offset + size */
};

/* A memory request: SET_MEM_TABLE, ADD_MEM_REG or REM_MEM_REG */
struct hx_mem {
	uint32_t request;
	uint32_t nregions;  /* SET_MEM_TABLE: the count it says */
	uint32_t size;	    /* payload size; 0: what nregions needs */
	unsigned int count; /* regions described (and fds sent) */
	struct hx_region r[8];
	bool table_first;    /* a valid one-region table before */
	unsigned int repeat; /* send it this many times (0: once) */
	bool no_fd;	     /* REM_MEM_REG: send no fd */
};

/* The region a table_first case starts from */
static const struct hx_region first_region = REG(0x100000, 64 * KB);

/**
 * region_fd() - the fd a region is sent with
 * @r:		region
 * @errp:	error on failure
 *
 * Return: the fd, -1 on failure
 */
static int region_fd(const struct hx_region *r, struct error **errp)
{
	uint64_t file = r->file ? r->file : r->offset + r->size;

	if (file > (1ULL << 32))
		file = 64 * KB; /* the back-end refuses before any access */
	return hx_fd_make(r->odd_fd ? r->kind : HX_FD_MEMFD, file, errp);
}

/**
 * put_region() - a region into the wire layout
 * @dst:	wire region
 * @r:		region as described
 */
static void put_region(struct vhost_user_memory_region *dst,
		       const struct hx_region *r)
{
	dst->guest_phys_addr = r->gpa;
	dst->memory_size = r->size;
	dst->userspace_addr = r->uva;
	dst->mmap_offset = r->offset;
}

/**
 * send_mem() - send one memory request and read its ack
 * @x:		case run
 * @fe:		owned session with REPLY_ACK
 * @m:		the request
 * @errp:	error on a harness failure
 *
 * Return: the verdict, HX_UNEXPECTED with *errp set on a harness failure
 */
static enum hx_outcome send_mem(struct hx_ctx *x, struct vu_frontend *fe,
				const struct hx_mem *m, struct error **errp)
{
	union hx_payload p;
	uint32_t size = m->size;
	int fds[8] = { -1, -1, -1, -1, -1, -1, -1, -1 };
	unsigned int nfds = 0, i;
	int r;

	memset(&p, 0, sizeof(p));
	if (m->request == VHOST_USER_SET_MEM_TABLE) {
		p.memory.nregions = m->nregions;
		for (i = 0; i < m->count; i++)
			put_region(&p.memory.regions[i], &m->r[i]);
		if (!size)
			size = 8 + 32 * (m->nregions > 8 ? 8 : m->nregions);
	} else {
		put_region(&p.mem_reg.region, &m->r[0]);
		size = sizeof(p.mem_reg);
	}
	for (i = 0; i < m->count && !m->no_fd; i++) {
		fds[i] = region_fd(&m->r[i], errp);
		if (fds[i] < 0) {
			hx_close_fds(fds, 8);
			return HX_UNEXPECTED;
		}
		nfds++;
	}
	r = hx_send(fe, m->request, VHOST_USER_VERSION | NR, size, &p,
		    size > sizeof(p) ? sizeof(p) : size, fds, nfds, errp);
	hx_close_fds(fds, 8);
	return hx_sent(x, fe, r, m->request, HX_ANS_ACK);
}

/**
 * run_mem() - run a case described by a struct hx_mem
 * @x:		case run
 * @arg:	the struct hx_mem
 *
 * Return: the outcome of the last request sent
 */
static enum hx_outcome run_mem(struct hx_ctx *x, const void *arg)
{
	const struct hx_mem *m = arg;
	const struct hx_mem first = {
		.request = VHOST_USER_SET_MEM_TABLE,
		.nregions = 1,
		.count = 1,
		.r = { first_region },
	};
	enum hx_outcome res = HX_UNEXPECTED;
	struct error *err = NULL;
	struct vu_frontend fe;
	unsigned int i;

	vu_init(&fe);
	if (!hx_session(x, &fe, HX_OWNED, 0, NULL, &err))
		goto out;
	if (m->table_first) {
		res = send_mem(x, &fe, &first, &err);
		if (res != HX_ACCEPTED) {
			hx_note(x, "the first, valid table was refused");
			goto out;
		}
	}
	for (i = 0; i <= m->repeat; i++) {
		res = send_mem(x, &fe, m, &err);
		if (res != HX_ACCEPTED || err)
			break;
	}
	if (m->repeat && i < m->repeat)
		hx_note(x, "refused at attempt %u of %u", i + 1, m->repeat + 1);
out:
	return hx_done(x, &fe, res, err);
}

/**
 * run_fill_table() - add regions one by one until the table is full
 * @x:		case run
 * @arg:	unused
 *
 * Return: the outcome of the first refused ADD_MEM_REG
 */
static enum hx_outcome run_fill_table(struct hx_ctx *x, const void *arg)
{
	enum hx_outcome res = HX_UNEXPECTED;
	struct error *err = NULL;
	struct vu_frontend fe;
	unsigned int i;

	(void)arg;
	vu_init(&fe);
	if (!hx_session(x, &fe, HX_OWNED, 0, NULL, &err))
		goto out;
	for (i = 0; i < 1024; i++) {
		const struct hx_mem m = {
			.request = VHOST_USER_ADD_MEM_REG,
			.count = 1,
			.r = { REG(0x100000 + i * 8 * KB, 4 * KB) },
		};

		res = send_mem(x, &fe, &m, &err);
		if (res != HX_ACCEPTED || err)
			break;
	}
	hx_note(x, "%u regions added before the refusal", i);
out:
	return hx_done(x, &fe, res, err);
}

/**
 * ring_region() - the guest RAM region that holds a ring's descriptors
 * @d:		started device
 * @r:		ring
 *
 * Return: the region index
 */
static unsigned int ring_region(const struct hx_dev *d, const struct hx_ring *r)
{
	const uint8_t *p = (const uint8_t *)r->vr.desc;

	for (unsigned int i = 0; i < GUEST_RAM_REGIONS; i++) {
		const struct guest_ram_region *g = &d->ram.regions[i];

		if (p >= g->host && p < g->host + g->size)
			return i;
	}
	return 0;
}

/**
 * run_memory_under_ring() - take the memory of a running ring away
 * @x:		case run
 * @arg:	non-NULL: remove its region (REM_MEM_REG); NULL: a new table
 *		without it (SET_MEM_TABLE)
 *
 * The ring must stop, and stay stopped: a request posted afterwards is not
 * processed (the back-end no longer has the memory it is in).
 *
 * Return: HX_ACCEPTED if the change was acked and the ring stays idle
 */
static enum hx_outcome run_memory_under_ring(struct hx_ctx *x, const void *arg)
{
	const struct hx_dev_opts o = { .rx_buffers = 4 };
	enum hx_outcome res = HX_UNEXPECTED;
	struct error *err = NULL;
	struct hx_ring *r;
	struct hx_dev d;
	struct hx_mem m;

	if (!hx_dev_start(x, &d, &o, &err))
		goto out;
	r = hx_req_ring(&d);
	memset(&m, 0, sizeof(m));
	m.count = 1;
	if (arg) {
		const struct guest_ram_region *g =
			&d.ram.regions[ring_region(&d, r)];

		m.request = VHOST_USER_REM_MEM_REG;
		m.r[0] = (struct hx_region){ .gpa = g->gpa,
					     .size = g->size,
					     .uva = (uintptr_t)g->host };
		m.no_fd = true;
	} else {
		m.request = VHOST_USER_SET_MEM_TABLE;
		m.nregions = 1;
		m.r[0] = (struct hx_region)REG(0x40000000, 64 * KB);
	}
	res = send_mem(x, &d.fe, &m, &err);
	if (res != HX_ACCEPTED)
		goto out;
	if (!hx_post_good(x, &d, &err))
		goto out;
	if (hx_wait_used(x, r, 1, 300)) {
		hx_note(x, "a request in memory the back-end no longer has "
			   "was processed");
		res = HX_UNEXPECTED;
	} else {
		hx_note(x, "the ring stayed stopped");
	}
out:
	return hx_dev_done(x, &d, res, err);
}

/**
 * run_memory_shrunk() - shrink the memory file under a running device
 * @x:		case run
 * @arg:	unused
 *
 * A request is published, the memfd truncated to nothing, then the ring
 * kicked: the back-end's next access to guest memory faults (SIGBUS). It
 * must survive that and end the session.
 *
 * Return: HX_CLOSED if the back-end ended the session
 */
static enum hx_outcome run_memory_shrunk(struct hx_ctx *x, const void *arg)
{
	const struct hx_dev_opts o = { .rx_buffers = 4 };
	enum hx_outcome res = HX_UNEXPECTED;
	struct error *err = NULL;
	struct hx_ring *r;
	struct hx_dev d;
	uint64_t one = 1;

	(void)arg;
	if (!hx_dev_start(x, &d, &o, &err))
		goto out;
	r = hx_req_ring(&d);
	/* Our own mapping faults too from now on: only fds are touched */
	if (ftruncate(d.ram.fd, 0) < 0 ||
	    write(r->kick, &one, sizeof(one)) != sizeof(one)) {
		error_setg_errno(&err, errno, "truncating guest RAM");
		goto out;
	}
	res = hx_wait_closed(x, &d.fe, x->timeout_ms);
out:
	return hx_dev_done(x, &d, res, err);
}

#define MEM(...) (&(const struct hx_mem){ __VA_ARGS__ })
#define TABLE	 .request = VHOST_USER_SET_MEM_TABLE
#define ADD	 .request = VHOST_USER_ADD_MEM_REG
#define REM	 .request = VHOST_USER_REM_MEM_REG
/* One region of fd kind k */
#define ODD(k)                                                                 \
	.nregions = 1, .count = 1,                                             \
	.r = { { .gpa = 0x100000,                                              \
		 .size = 64 * KB,                                              \
		 .uva = 0x700000100000ULL,                                     \
		 .odd_fd = true,                                               \
		 .kind = (k) } }

const struct hx_case hx_mem_cases[] = {
	/* Memory tables */
	{ "mem-zero-regions", "memory", HX_ANY, HX_CLOSED,
	  "nregions 0 not in 1..8", "SET_MEM_TABLE with no region", run_mem,
	  MEM(TABLE, .nregions = 0) },
	{ "mem-nine-regions", "memory", HX_ANY, HX_CLOSED,
	  "nregions 9 not in 1..8", "SET_MEM_TABLE with 9 regions", run_mem,
	  MEM(TABLE, .nregions = 9, .size = 8 + 9 * 32) },
	{ "mem-max-regions", "memory", HX_ANY, HX_CLOSED,
	  "nregions 4294967295 not in 1..8",
	  "SET_MEM_TABLE claiming 2^32 - 1 regions", run_mem,
	  MEM(TABLE, .nregions = UINT32_MAX, .size = 40) },
	{ "mem-size-0", "memory", HX_ANY, HX_CLOSED,
	  "region 0: memory_size is 0", "a region of 0 bytes", run_mem,
	  MEM(TABLE, .nregions = 1, .count = 1, .r = { REG(0x100000, 0) }) },
	{ "mem-overlap-gpa", "memory", HX_ANY, HX_CLOSED,
	  "overlaps region 0 (gpa", "two regions sharing guest addresses",
	  run_mem,
	  MEM(TABLE, .nregions = 2, .count = 2,
	      .r = { REG(0x100000, 64 * KB),
		     { .gpa = 0x108000,
		       .size = 64 * KB,
		       .uva = 0x700000200000ULL } }) },
	{ "mem-overlap-uva", "memory", HX_ANY, HX_CLOSED,
	  "overlaps region 0 (uva", "two regions sharing front-end addresses",
	  run_mem,
	  MEM(TABLE, .nregions = 2, .count = 2,
	      .r = { REG(0x100000, 64 * KB),
		     { .gpa = 0x200000,
		       .size = 64 * KB,
		       .uva = 0x700000108000ULL } }) },
	{ "mem-overlap-contained", "memory", HX_ANY, HX_CLOSED,
	  "overlaps region 0 (gpa", "a region inside another", run_mem,
	  MEM(TABLE, .nregions = 2, .count = 2,
	      .r = { REG(0x100000, 256 * KB),
		     { .gpa = 0x110000,
		       .size = 4 * KB,
		       .uva = 0x700001000000ULL } }) },
	{ "mem-wrap-gpa", "memory", HX_ANY, HX_CLOSED,
	  "wraps around the address space",
	  "a region whose guest addresses wrap past 2^64", run_mem,
	  MEM(TABLE, .nregions = 1, .count = 1,
	      .r = { { .gpa = 0xffffffffffff0000ULL,
		       .size = 128 * KB,
		       .uva = 0x700000100000ULL } }) },
	{ "mem-wrap-uva", "memory", HX_ANY, HX_CLOSED,
	  "memory region uva 0xffffffffffff8000 + size 0x10000 wraps",
	  "a region whose front-end addresses wrap past 2^64", run_mem,
	  MEM(TABLE, .nregions = 1, .count = 1,
	      .r = { { .gpa = 0x100000,
		       .size = 64 * KB,
		       .uva = 0xffffffffffff8000ULL } }) },
	{ "mem-offset-past-file", "memory", HX_ANY, HX_CLOSED,
	  "mmap_offset + memory_size 0x110000 exceeds the file size 0x10000",
	  "mmap_offset beyond the end of the fd's file", run_mem,
	  MEM(TABLE, .nregions = 1, .count = 1,
	      .r = { { .gpa = 0x100000,
		       .size = 64 * KB,
		       .uva = 0x700000100000ULL,
		       .offset = 1024 * KB,
		       .file = 64 * KB } }) },
	{ "mem-size-past-file", "memory", HX_ANY, HX_CLOSED,
	  "mmap_offset + memory_size 0x20000 exceeds the file size 0x10000",
	  "a region larger than its file", run_mem,
	  MEM(TABLE, .nregions = 1, .count = 1,
	      .r = { { .gpa = 0x100000,
		       .size = 128 * KB,
		       .uva = 0x700000100000ULL,
		       .file = 64 * KB } }) },
	{ "mem-offset-overflow", "memory", HX_ANY, HX_CLOSED,
	  "mmap_offset 0xffffffffffff0000 + memory_size 0x20000 overflows",
	  "mmap_offset + memory_size past 2^64", run_mem,
	  MEM(TABLE, .nregions = 1, .count = 1,
	      .r = { { .gpa = 0x100000,
		       .size = 128 * KB,
		       .uva = 0x700000100000ULL,
		       .offset = 0xffffffffffff0000ULL } }) },
	{ "mem-eight-regions", "memory", HX_ANY, HX_ACCEPTED,
	  "memory table: 8 regions", "SET_MEM_TABLE with 8 regions, the most",
	  run_mem,
	  MEM(TABLE, .nregions = 8, .count = 8,
	      .r = { REG(0x100000, 4 * KB), REG(0x200000, 4 * KB),
		     REG(0x300000, 4 * KB), REG(0x400000, 4 * KB),
		     REG(0x500000, 4 * KB), REG(0x600000, 4 * KB),
		     REG(0x700000, 4 * KB), REG(0x800000, 4 * KB) }) },

	/* Region fds that are no memory */
	{ "mem-fd-eventfd", "memory-fd", HX_ANY, HX_CLOSED,
	  "mmap of 0x10000 bytes: No such device", "an eventfd as guest memory",
	  run_mem, MEM(TABLE, ODD(HX_FD_EVENTFD)) },
	{ "mem-fd-pipe", "memory-fd", HX_ANY, HX_CLOSED,
	  "mmap of 0x10000 bytes: Permission denied", "a pipe as guest memory",
	  run_mem, MEM(TABLE, ODD(HX_FD_PIPE_EOF)) },
	{ "mem-fd-directory", "memory-fd", HX_ANY, HX_CLOSED,
	  "mmap of 0x10000 bytes: Permission denied",
	  "a directory as guest memory", run_mem, MEM(TABLE, ODD(HX_FD_DIR)) },
	{ "mem-fd-socket", "memory-fd", HX_ANY, HX_CLOSED,
	  "mmap of 0x10000 bytes: No such device", "a socket as guest memory",
	  run_mem, MEM(TABLE, ODD(HX_FD_SOCK_EOF)) },
	{ "mem-fd-read-only", "memory-fd", HX_ANY, HX_CLOSED,
	  "mmap of 0x10000 bytes: Permission denied",
	  "a file opened read-only: rings would be read-only", run_mem,
	  MEM(TABLE, ODD(HX_FD_FILE_RO)) },
	{ "mem-fd-sealed", "memory-fd", HX_ANY, HX_CLOSED,
	  "mmap of 0x10000 bytes: Operation not permitted",
	  "a memfd sealed against writes: used ring in read-only memory",
	  run_mem, MEM(TABLE, ODD(HX_FD_SEALED)) },
	{ "mem-fd-o-path", "memory-fd", HX_ANY, HX_CLOSED,
	  "mmap of 0x10000 bytes: Bad file descriptor",
	  "an O_PATH fd as guest memory", run_mem,
	  MEM(TABLE, ODD(HX_FD_OPATH)) },
	{ "mem-fd-dev-null", "memory-fd", HX_ANY, HX_CLOSED,
	  "mmap of 0x10000 bytes: No such device", "/dev/null as guest memory",
	  run_mem, MEM(TABLE, ODD(HX_FD_DEVNULL)) },

	/* One region at a time */
	{ "add-mem-reg-overlap", "memory", HX_ANY, HX_CLOSED,
	  "overlaps region 0 (gpa", "ADD_MEM_REG over a mapped region", run_mem,
	  MEM(ADD, .count = 1, .table_first = true,
	      .r = { { .gpa = 0x108000,
		       .size = 64 * KB,
		       .uva = 0x700010000000ULL } }) },
	{ "add-mem-reg-size-0", "memory", HX_ANY, HX_CLOSED, "memory_size is 0",
	  "ADD_MEM_REG of 0 bytes", run_mem,
	  MEM(ADD, .count = 1, .r = { REG(0x100000, 0) }) },
	{ "add-mem-reg-wrap", "memory", HX_ANY, HX_CLOSED,
	  "wraps around the address space",
	  "ADD_MEM_REG whose guest addresses wrap", run_mem,
	  MEM(ADD, .count = 1,
	      .r = { { .gpa = 0xfffffffffffff000ULL,
		       .size = 64 * KB,
		       .uva = 0x700000100000ULL } }) },
	{ "add-mem-reg-eventfd", "memory-fd", HX_ANY, HX_CLOSED,
	  "mmap of 0x10000 bytes: No such device", "ADD_MEM_REG of an eventfd",
	  run_mem, MEM(ADD, ODD(HX_FD_EVENTFD)) },
	{ "add-mem-reg-until-full", "memory", HX_ANY, HX_CLOSED,
	  "table full (509 regions)",
	  "ADD_MEM_REG until the table is full: a huge region count",
	  run_fill_table, NULL },
	{ "rem-mem-reg-unknown", "memory", HX_ANY, HX_NACK,
	  "REM_MEM_REG: no region with guest_phys_addr 0x900000",
	  "REM_MEM_REG of a region never added: refused, the session goes on",
	  run_mem,
	  MEM(REM, .count = 1, .no_fd = true, .table_first = true,
	      .r = { REG(0x900000, 64 * KB) }) },
	{ "rem-mem-reg-twice", "memory", HX_ANY, HX_NACK,
	  "REM_MEM_REG: no region with guest_phys_addr 0x100000",
	  "REM_MEM_REG of the same region twice", run_mem,
	  MEM(REM, .count = 1, .table_first = true, .repeat = 1,
	      .r = { REG(0x100000, 64 * KB) }) },
	{ "mem-table-drops-ring", "memory", HX_ANY, HX_ACCEPTED,
	  "not started: desc_user_addr",
	  "a new table without a running ring's memory: the ring stops",
	  run_memory_under_ring, NULL },
	{ "rem-mem-reg-under-ring", "memory", HX_ANY, HX_ACCEPTED,
	  "not started: desc_user_addr",
	  "REM_MEM_REG of a running ring's region: the ring stops",
	  run_memory_under_ring, (const void *)1 },
	{ "mem-file-shrunk", "memory", HX_ANY, HX_CLOSED, "lost its backing",
	  "the memory file truncated under a running ring (SIGBUS)",
	  run_memory_shrunk, NULL },
};

const unsigned int hx_mem_count =
	sizeof(hx_mem_cases) / sizeof(hx_mem_cases[0]);
