/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qd-frontend verify: data written through the back-end must come back.
 *
 * Random writes and reads of random length at random offsets, many in flight
 * on every queue, with data split over several buffers in both guest RAM
 * regions. Requests in flight never overlap, so the expected content of every
 * sector is known at all times: the id of the last write to it (the pattern
 * is a function of seed, write id and sector). Then FLUSH, a read-back of
 * everything written, GET_ID and requests that must fail.
 *
 * With --expect-ro the device must offer VIRTIO_BLK_F_RO and fail every
 * write with IOERR. --map writes the extents written and the CRC-32 of their
 * content, so a test can check the host image; --span-crc reads the whole
 * span and prints its CRC-32.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/frontend/commands.h"
#include "tests/frontend/pattern.h"
#include "util/log.h"

/* Failures described in detail; the rest are only counted */
#define VERIFY_MAX_REPORTS 10
#define VERIFY_RECENT	   64
/* Default span limit: the tags of 8 GiB take 64 MiB */
#define VERIFY_MAX_SPAN (8ULL << 21)

enum op_kind {
	OP_READ,
	OP_WRITE,
};

struct slot {
	struct blk_req req;
	uint8_t *buf[BLK_MAX_SEGS]; /* data chunks, max_bytes each */
	uint64_t gpa[BLK_MAX_SEGS];
	enum op_kind kind;
	uint64_t sector;
	uint32_t nsect;
	uint32_t write_id;
};

struct range {
	uint64_t sector;
	uint32_t nsect;
};

struct verify {
	const struct fe_args *a;
	struct blk_client c;
	struct prng rng;
	uint64_t span;	/* sectors under test */
	uint32_t *tags; /* per sector: last write id, 0 = unknown */
	uint32_t last_write_id;
	struct slot *slots;
	unsigned int nslots;
	unsigned int *free_slots;
	unsigned int nfree;
	uint8_t *scratch; /* contiguous copy of one request's data */
	unsigned int max_sectors;
	unsigned int max_segs;
	unsigned int next_queue;
	unsigned int depth;		    /* requests in flight per queue */
	unsigned int max_in_flight;	    /* in all queues together */
	struct range recent[VERIFY_RECENT]; /* last writes, to read back */
	unsigned int nrecent;
	uint64_t cursor;   /* read-back position */
	uint32_t span_crc; /* CRC-32 of the span read sequentially */
	bool readback;	   /* generator: sequential read-back, not random */
	bool span_read;	   /* generator: read every sector of the span */
	/* results */
	uint64_t writes, reads, bytes_written, bytes_read, rejected;
	uint64_t mismatches, failures;
};

/**
 * fail() - count a failure and describe the first few
 * @v:		verify state
 * @fmt:	description
 */
static void __attribute__((format(printf, 2, 3)))
fail(struct verify *v, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (v->failures++ >= VERIFY_MAX_REPORTS)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_err("verify: %s", buf);
}

/**
 * limits() - largest request and buffer count the device accepts
 * @v:		verify state with a started client
 * @errp:	error if the options cannot be honoured
 *
 * Return: true on success
 */
static bool limits(struct verify *v, struct error **errp)
{
	const struct blk_client *c = &v->c;
	uint64_t max_bytes;

	v->max_sectors = v->a->max_sectors;
	v->max_segs = v->a->max_segs;
	if (blk_acked(c, VIRTIO_BLK_F_SEG_MAX) && c->cfg.seg_max &&
	    v->max_segs > c->cfg.seg_max)
		v->max_segs = c->cfg.seg_max;
	if (blk_acked(c, VIRTIO_BLK_F_SIZE_MAX) && c->cfg.size_max) {
		max_bytes = (uint64_t)c->cfg.size_max * v->max_segs;
		if ((uint64_t)v->max_sectors * BLK_SECTOR_SIZE > max_bytes)
			v->max_sectors =
				(unsigned int)(max_bytes / BLK_SECTOR_SIZE);
	}
	v->span = c->cfg.capacity;
	if (v->a->span_sectors && v->a->span_sectors < v->span)
		v->span = v->a->span_sectors;
	else if (!v->a->span_sectors && v->span > VERIFY_MAX_SPAN)
		v->span = VERIFY_MAX_SPAN;
	if (v->max_sectors > v->span)
		v->max_sectors = (unsigned int)v->span;
	if (!v->max_sectors) {
		error_setg(errp, "disk of %llu sectors is too small",
			   (unsigned long long)c->cfg.capacity);
		return false;
	}
	return true;
}

/**
 * alloc_state() - tags, slots and their guest buffers
 * @v:		verify state with a started client
 * @errp:	error on failure
 *
 * Return: true on success
 */
static bool alloc_state(struct verify *v, struct error **errp)
{
	uint64_t max_bytes = (uint64_t)v->max_sectors * BLK_SECTOR_SIZE;
	unsigned int i, j;

	/* special_requests() needs two sectors */
	if (max_bytes < 2 * BLK_SECTOR_SIZE)
		max_bytes = 2 * BLK_SECTOR_SIZE;

	v->nslots = v->a->iodepth * v->c.num_queues;
	v->tags = calloc(v->span, sizeof(*v->tags));
	v->slots = calloc(v->nslots, sizeof(*v->slots));
	v->free_slots = calloc(v->nslots, sizeof(*v->free_slots));
	v->scratch = malloc(max_bytes);
	if (!v->tags || !v->slots || !v->free_slots || !v->scratch) {
		error_setg(errp, "out of memory for %llu sectors",
			   (unsigned long long)v->span);
		return false;
	}
	for (i = 0; i < v->nslots; i++) {
		struct slot *s = &v->slots[i];

		if (!blk_req_init(&v->c, &s->req, errp))
			return false;
		s->req.opaque = s;
		for (j = 0; j < v->max_segs; j++) {
			s->buf[j] = guest_ram_alloc(&v->c.ram, max_bytes, 512,
						    &s->gpa[j], errp);
			if (!s->buf[j])
				return false;
		}
		v->free_slots[v->nfree++] = i;
	}
	return true;
}

/**
 * split() - spread a request's data over buffers of the slot
 * @v:	verify state
 * @s:	slot with sector and nsect set
 *
 * Buffers are cut at sector boundaries, or anywhere with --byte-split, and
 * each one stays within size_max when the device has one.
 */
static void split(struct verify *v, struct slot *s)
{
	uint64_t unit = v->a->byte_split ? 1 : BLK_SECTOR_SIZE;
	uint64_t bytes = (uint64_t)s->nsect * BLK_SECTOR_SIZE;
	uint64_t units = bytes / unit, size_max = 0;
	unsigned int k = 1 + (unsigned int)prng_below(&v->rng, v->max_segs);
	unsigned int i;

	if (blk_acked(&v->c, VIRTIO_BLK_F_SIZE_MAX))
		size_max = v->c.cfg.size_max;
	if (k > units)
		k = (unsigned int)units;
	for (i = 0; i < k; i++) {
		uint64_t left = units, len;

		if (i == k - 1)
			len = left;
		else
			len = 1 + prng_below(&v->rng, left - (k - 1 - i));
		units -= len;
		s->req.data[i] =
			(struct vring_buf){ s->gpa[i], (uint32_t)(len * unit) };
	}
	s->req.nseg = k;
	for (i = 0; size_max && i < k; i++) {
		if (s->req.data[i].len > size_max)
			break;
	}
	if (size_max && i < k) {
		/* Even split in sectors; limits() made sure it fits */
		uint64_t per = (s->nsect + v->max_segs - 1) / v->max_segs;

		for (k = 0, units = s->nsect; units; k++) {
			uint64_t n = units < per ? units : per;

			s->req.data[k] = (struct vring_buf){
				s->gpa[k], (uint32_t)(n * BLK_SECTOR_SIZE)
			};
			units -= n;
		}
		s->req.nseg = k;
	}
}

/**
 * scatter() - copy the contiguous scratch data into the request buffers
 * @s:		slot
 * @src:	data
 */
static void scatter(struct slot *s, const uint8_t *src)
{
	unsigned int i;

	for (i = 0; i < s->req.nseg; i++) {
		memcpy(s->buf[i], src, s->req.data[i].len);
		src += s->req.data[i].len;
	}
}

/**
 * gather() - copy the request buffers into contiguous scratch memory
 * @s:		slot
 * @dst:	destination
 */
static void gather(const struct slot *s, uint8_t *dst)
{
	unsigned int i;

	for (i = 0; i < s->req.nseg; i++) {
		memcpy(dst, s->buf[i], s->req.data[i].len);
		dst += s->req.data[i].len;
	}
}

/**
 * overlaps_in_flight() - does a range overlap a request in flight?
 * @v:		verify state
 * @sector:	first sector
 * @nsect:	sectors
 *
 * Return: true if it does (its outcome would be undefined)
 */
static bool overlaps_in_flight(const struct verify *v, uint64_t sector,
			       uint32_t nsect)
{
	unsigned int i;

	for (i = 0; i < v->nslots; i++) {
		const struct slot *s = &v->slots[i];

		if (s->req.in_flight && sector < s->sector + s->nsect &&
		    s->sector < sector + nsect)
			return true;
	}
	return false;
}

/**
 * random_range() - a random range, biased toward edges and common sizes
 * @v:		verify state
 * @r:		result
 */
static void random_range(struct verify *v, struct range *r)
{
	uint64_t pick = prng_below(&v->rng, 100), last;
	uint32_t n;

	if (pick < 15)
		n = 1;
	else if (pick < 55)
		n = 8;
	else if (pick < 70)
		n = v->max_sectors;
	else
		n = 1 + (uint32_t)prng_below(&v->rng, v->max_sectors);
	if (n > v->max_sectors)
		n = v->max_sectors;
	last = v->span - n;

	pick = prng_below(&v->rng, 100);
	if (pick < 5)
		r->sector = 0;
	else if (pick < 10)
		r->sector = last;
	else
		r->sector = prng_below(&v->rng, last + 1);
	if (pick >= 10 && pick < 50)
		r->sector &= ~7ULL; /* 4 KiB aligned, as guests mostly do */
	r->nsect = n;
}

/**
 * next_random() - choose the next random operation
 * @v:	verify state
 * @s:	slot to fill
 *
 * Return: false if no non-overlapping range was found (wait, then retry)
 */
static bool next_random(struct verify *v, struct slot *s)
{
	unsigned int tries;
	struct range r;

	s->kind = prng_below(&v->rng, 100) < 60 ? OP_WRITE : OP_READ;
	for (tries = 0; tries < 8; tries++) {
		if (s->kind == OP_READ && v->nrecent && prng_below(&v->rng, 2))
			r = v->recent[prng_below(&v->rng, v->nrecent)];
		else
			random_range(v, &r);
		if (!overlaps_in_flight(v, r.sector, r.nsect))
			break;
	}
	if (tries == 8)
		return false;
	s->sector = r.sector;
	s->nsect = r.nsect;
	return true;
}

/**
 * next_sequential() - next chunk of the read-back or of the span read
 * @v:	verify state
 * @s:	slot to fill
 *
 * The read-back covers only sectors with a known content; the span read
 * covers everything.
 *
 * Return: false when done
 */
static bool next_sequential(struct verify *v, struct slot *s)
{
	uint64_t end;

	if (v->readback) {
		while (v->cursor < v->span && !v->tags[v->cursor])
			v->cursor++;
	}
	if (v->cursor >= v->span)
		return false;
	end = v->cursor;
	while (end < v->span && end - v->cursor < v->max_sectors &&
	       (!v->readback || v->tags[end]))
		end++;
	s->kind = OP_READ;
	s->sector = v->cursor;
	s->nsect = (uint32_t)(end - v->cursor);
	v->cursor = end;
	return true;
}

/**
 * prepare() - set up the request of a slot for its operation
 * @v:	verify state
 * @s:	slot with kind, sector and nsect
 */
static void prepare(struct verify *v, struct slot *s)
{
	uint32_t i;

	split(v, s);
	s->req.sector = s->sector;
	s->req.direct = prng_below(&v->rng, 4) == 0;
	if (s->kind == OP_WRITE) {
		s->req.type = VIRTIO_BLK_T_OUT;
		s->write_id = ++v->last_write_id;
		for (i = 0; i < s->nsect; i++)
			pattern_fill(v->scratch + (size_t)i * BLK_SECTOR_SIZE,
				     v->a->seed, s->write_id, s->sector + i);
		scatter(s, v->scratch);
	} else {
		s->req.type = VIRTIO_BLK_T_IN;
		for (i = 0; i < s->req.nseg; i++)
			memset(s->buf[i], 0xa5, s->req.data[i].len);
	}
}

/**
 * check_read() - compare read data with what the sectors must hold
 * @v:	verify state
 * @s:	completed read
 */
static void check_read(struct verify *v, struct slot *s)
{
	uint32_t i;

	gather(s, v->scratch);
	if (v->span_read)
		v->span_crc = crc32_update(v->span_crc, v->scratch,
					   (size_t)s->nsect * BLK_SECTOR_SIZE);
	for (i = 0; i < s->nsect; i++) {
		uint64_t sector = s->sector + i;
		const uint8_t *p = v->scratch + (size_t)i * BLK_SECTOR_SIZE;
		char found[96];

		if (!v->tags[sector] ||
		    pattern_check(p, v->a->seed, v->tags[sector], sector))
			continue;
		v->mismatches++;
		pattern_describe(p, found, sizeof(found));
		fail(v,
		     "sector %llu (read of %u at %llu on queue %u): "
		     "expected write %u, found %s",
		     (unsigned long long)sector, s->nsect,
		     (unsigned long long)s->sector, s->req.queue,
		     v->tags[sector], found);
	}
}

/**
 * complete() - check a finished request and account for it
 * @v:	verify state
 * @s:	completed slot
 */
static void complete(struct verify *v, struct slot *s)
{
	const char *what = s->kind == OP_WRITE ? "write" : "read";
	uint8_t want = VIRTIO_BLK_S_OK, status = *s->req.status;
	uint32_t expect_len = blk_req_expected_len(&s->req), i;

	if (s->kind == OP_WRITE && v->a->expect_ro)
		want = VIRTIO_BLK_S_IOERR;
	if (status != want) {
		fail(v,
		     "%s of %u sectors at %llu on queue %u: status %u, "
		     "expected %u",
		     what, s->nsect, (unsigned long long)s->sector,
		     s->req.queue, status, want);
		return;
	}
	if (status == VIRTIO_BLK_S_OK
		    ? s->req.used_len != expect_len
		    : !s->req.used_len || s->req.used_len > expect_len) {
		fail(v,
		     "%s of %u sectors at %llu on queue %u: used length "
		     "%u, expected %u",
		     what, s->nsect, (unsigned long long)s->sector,
		     s->req.queue, s->req.used_len, expect_len);
		return;
	}

	if (s->kind == OP_READ) {
		v->reads++;
		v->bytes_read += (uint64_t)s->nsect * BLK_SECTOR_SIZE;
		check_read(v, s);
	} else if (status != VIRTIO_BLK_S_OK) {
		v->rejected++;
	} else {
		v->writes++;
		v->bytes_written += (uint64_t)s->nsect * BLK_SECTOR_SIZE;
		for (i = 0; i < s->nsect; i++)
			v->tags[s->sector + i] = s->write_id;
		v->recent[v->nrecent < VERIFY_RECENT
				  ? v->nrecent++
				  : prng_below(&v->rng, VERIFY_RECENT)] =
			(struct range){ s->sector, s->nsect };
	}
}

/**
 * pick_queue() - a queue with room for one more request, round robin
 * @v:		verify state
 * @nseg:	data buffers of the request
 *
 * Return: queue index, -1 if all are at their depth or full, or the limit of
 * requests in flight is reached
 */
static int pick_queue(struct verify *v, unsigned int nseg)
{
	unsigned int i;

	if (blk_in_flight(&v->c) >= v->max_in_flight)
		return -1;
	for (i = 0; i < v->c.num_queues; i++) {
		unsigned int q = (v->next_queue + i) % v->c.num_queues;
		struct blk_queue *bq = &v->c.queues[q];

		if (bq->in_flight < v->depth && bq->vr.num_free >= nseg + 2) {
			v->next_queue = (q + 1) % v->c.num_queues;
			return (int)q;
		}
	}
	return -1;
}

/**
 * run() - keep up to iodepth requests per queue in flight until done
 * @v:		verify state
 * @nops:	operations to run (UINT64_MAX: until the generator ends)
 * @errp:	error on a protocol failure
 *
 * Return: true unless the protocol failed (data errors are only counted)
 */
static bool run(struct verify *v, uint64_t nops, struct error **errp)
{
	bool sequential = v->readback || v->span_read, more = true;
	struct blk_req *done[64];
	uint64_t issued = 0;
	int i, n;

	for (;;) {
		while (more && issued < nops && v->nfree) {
			struct slot *s = &v->slots[v->free_slots[v->nfree - 1]];
			int q;

			if (!(sequential ? next_sequential(v, s)
					 : next_random(v, s))) {
				more = !sequential;
				break;
			}
			prepare(v, s);
			q = pick_queue(v, s->req.nseg);
			if (q < 0 && !blk_in_flight(&v->c)) {
				error_setg(errp,
					   "a ring of %u cannot take a "
					   "request of %u buffers",
					   v->c.queue_size, s->req.nseg + 2);
				return false;
			}
			if (q < 0) {
				v->last_write_id -= s->kind == OP_WRITE;
				if (sequential)
					v->cursor = s->sector;
				break;
			}
			if (!blk_submit(&v->c, (unsigned int)q, &s->req, errp))
				return false;
			v->nfree--;
			issued++;
		}
		if (!blk_kick(&v->c, errp))
			return false;
		if (!blk_in_flight(&v->c)) {
			if (!more || issued >= nops)
				return true;
			continue;
		}
		n = blk_wait(&v->c, done, 64, errp);
		if (n < 0)
			return false;
		for (i = 0; i < n; i++) {
			struct slot *s = done[i]->opaque;

			complete(v, s);
			v->free_slots[v->nfree++] =
				(unsigned int)(s - v->slots);
		}
	}
}

/**
 * single() - run one request to completion and check its status
 * @v:		verify state
 * @type:	VIRTIO_BLK_T_*
 * @sector:	sector
 * @len:	bytes of data (device-readable or writable by type), 0 for none
 * @want:	expected status
 * @what:	description for messages
 * @errp:	error on a protocol failure
 *
 * Return: false on a protocol failure (a wrong status is only counted)
 */
static bool single(struct verify *v, uint32_t type, uint64_t sector,
		   uint32_t len, uint8_t want, const char *what,
		   struct error **errp)
{
	struct slot *s = &v->slots[0];
	uint32_t expect_len;

	s->req.type = type;
	s->req.sector = sector;
	s->req.nseg = len ? 1 : 0;
	s->req.data[0] = (struct vring_buf){ s->gpa[0], len };
	s->req.direct = false;
	if (len)
		memset(s->buf[0], 0, len);
	if (!blk_run_one(&v->c, 0, &s->req, errp))
		return false;
	expect_len = blk_req_expected_len(&s->req);
	if (*s->req.status != want)
		fail(v, "%s: status %u, expected %u", what, *s->req.status,
		     want);
	else if (want == VIRTIO_BLK_S_OK && s->req.used_len != expect_len)
		fail(v, "%s: used length %u, expected %u", what,
		     s->req.used_len, expect_len);
	else if (want != VIRTIO_BLK_S_OK &&
		 (!s->req.used_len || s->req.used_len > expect_len))
		fail(v, "%s: used length %u, expected 1..%u", what,
		     s->req.used_len, expect_len);
	return true;
}

/**
 * special_requests() - FLUSH, GET_ID and requests that must fail
 * @v:		verify state, nothing in flight
 * @id:		set to the GET_ID answer, NUL-terminated
 * @errp:	error on a protocol failure
 *
 * Return: false on a protocol failure
 */
static bool special_requests(struct verify *v, char id[21], struct error **errp)
{
	uint64_t cap = v->c.cfg.capacity;

	if (blk_acked(&v->c, VIRTIO_BLK_F_FLUSH) &&
	    !single(v, VIRTIO_BLK_T_FLUSH, 0, 0, VIRTIO_BLK_S_OK, "FLUSH",
		    errp))
		return false;

	memset(id, 0, 21);
	if (!single(v, VIRTIO_BLK_T_GET_ID, 0, VIRTIO_BLK_ID_BYTES,
		    VIRTIO_BLK_S_OK, "GET_ID", errp))
		return false;
	memcpy(id, v->slots[0].buf[0], VIRTIO_BLK_ID_BYTES);
	if (v->a->expect_id && strcmp(id, v->a->expect_id))
		fail(v, "GET_ID returned '%s', expected '%s'", id,
		     v->a->expect_id);

	return single(v, VIRTIO_BLK_T_IN, cap, BLK_SECTOR_SIZE,
		      VIRTIO_BLK_S_IOERR, "read past the end", errp) &&
	       single(v, VIRTIO_BLK_T_IN, cap - 1, 2 * BLK_SECTOR_SIZE,
		      VIRTIO_BLK_S_IOERR, "read across the end", errp) &&
	       single(v, VIRTIO_BLK_T_OUT, cap, BLK_SECTOR_SIZE,
		      VIRTIO_BLK_S_IOERR, "write past the end", errp) &&
	       single(v, 0xff, 0, 0, VIRTIO_BLK_S_UNSUPP, "unknown type 255",
		      errp);
}

/**
 * write_map() - write the extents with known content and their CRC-32
 * @v:		verify state after the run
 * @path:	output file
 * @errp:	error on failure
 *
 * Format: {"sector_size": 512, "crc32": N, "extents": [[sector, count]...]}
 * where the CRC covers the expected content of the extents in order.
 *
 * Return: true on success
 */
static bool write_map(struct verify *v, const char *path, struct error **errp)
{
	uint8_t sector_buf[BLK_SECTOR_SIZE];
	uint32_t crc = 0;
	uint64_t s, start;
	bool first = true;
	FILE *f;

	f = fopen(path, "w");
	if (!f) {
		error_setg_errno(errp, errno, "cannot create %s", path);
		return false;
	}
	fprintf(f, "{\"sector_size\": %u, \"extents\": [", BLK_SECTOR_SIZE);
	for (s = 0; s < v->span;) {
		if (!v->tags[s]) {
			s++;
			continue;
		}
		for (start = s; s < v->span && v->tags[s]; s++) {
			pattern_fill(sector_buf, v->a->seed, v->tags[s], s);
			crc = crc32_update(crc, sector_buf, sizeof(sector_buf));
		}
		fprintf(f, "%s[%llu, %llu]", first ? "" : ", ",
			(unsigned long long)start,
			(unsigned long long)(s - start));
		first = false;
	}
	fprintf(f, "], \"crc32\": %u}\n", crc);
	if (fclose(f)) {
		error_setg_errno(errp, errno, "writing %s", path);
		return false;
	}
	return true;
}

/**
 * phases() - all the checks, in order
 * @v:		verify state with a started client
 * @id:		set to the GET_ID answer
 * @errp:	error on a protocol failure
 *
 * Return: false on a protocol failure
 */
static bool phases(struct verify *v, char id[21], struct error **errp)
{
	if (v->a->expect_ro && !blk_acked(&v->c, VIRTIO_BLK_F_RO))
		fail(v, "--expect-ro, but the device does not offer "
			"VIRTIO_BLK_F_RO");
	if (!v->a->expect_ro && blk_acked(&v->c, VIRTIO_BLK_F_RO))
		fail(v, "the device is read-only (use --expect-ro)");

	v->depth = v->a->iodepth;
	v->max_in_flight = v->nslots;
	if (!run(v, v->a->ops, errp))
		return false;
	if (!special_requests(v, id, errp))
		return false;

	v->readback = true;
	v->cursor = 0;
	if (!run(v, UINT64_MAX, errp))
		return false;
	v->readback = false;

	if (v->a->span_crc) {
		/* One at a time: the CRC needs the data in order */
		v->span_read = true;
		v->max_in_flight = 1;
		v->cursor = 0;
		if (!run(v, UINT64_MAX, errp))
			return false;
		v->span_read = false;
	}
	return true;
}

/**
 * report() - print the summary, human-readable and as one JSON line
 * @v:	verify state
 * @id:	GET_ID answer
 * @ok:	overall result
 */
static void report(const struct verify *v, const char *id, bool ok)
{
	printf("verify: %s: %" PRIu64 " writes (%" PRIu64 " bytes), %" PRIu64
	       " reads (%" PRIu64 " bytes), %" PRIu64 " writes rejected, "
	       "%" PRIu64 " mismatched sectors, %" PRIu64 " failures\n",
	       ok ? "ok" : "FAILED", v->writes, v->bytes_written, v->reads,
	       v->bytes_read, v->rejected, v->mismatches, v->failures);
	printf("{\"result\": \"%s\", \"seed\": %" PRIu64 ", \"queues\": %u"
	       ", \"iodepth\": %u, \"writes\": %" PRIu64
	       ", \"bytes_written\": %" PRIu64 ", \"reads\": %" PRIu64
	       ", \"bytes_read\": %" PRIu64 ", \"rejected\": %" PRIu64
	       ", \"mismatches\": %" PRIu64 ", \"failures\": %" PRIu64
	       ", \"id\": \"",
	       ok ? "ok" : "failed", v->a->seed, v->c.num_queues, v->a->iodepth,
	       v->writes, v->bytes_written, v->reads, v->bytes_read,
	       v->rejected, v->mismatches, v->failures);
	for (; *id; id++)
		printf(*id >= 0x20 && *id < 0x7f && *id != '"' && *id != '\\'
			       ? "%c"
			       : "\\u%04x",
		       (unsigned char)*id);
	printf("\"");
	if (v->a->span_crc)
		printf(", \"span_sectors\": %" PRIu64 ", \"span_crc32\": %u",
		       v->span, v->span_crc);
	printf("}\n");
}

/**
 * cmd_verify() - write, read back and compare; check special requests
 * @a:	arguments
 *
 * Return: exit status
 */
int cmd_verify(const struct fe_args *a)
{
	struct verify v = { .a = a };
	struct error *err = NULL;
	char id[21] = "";
	bool ok = false;

	prng_seed(&v.rng, a->seed);
	if (!blk_client_connect(&v.c, &a->blk, &err) ||
	    !blk_client_start(&v.c, &a->blk, &err) || !limits(&v, &err) ||
	    !alloc_state(&v, &err) || !phases(&v, id, &err) ||
	    !blk_client_stop(&v.c, &err))
		goto out;
	if (a->map_path && !write_map(&v, a->map_path, &err))
		goto out;
	ok = !v.failures && (a->expect_ro || v.writes);
	if (!a->expect_ro && !v.writes)
		log_err("verify: no write succeeded");
out:
	if (err) {
		error_prepend(&err, "verify: ");
		error_report_err(err);
		ok = false;
	}
	report(&v, id, ok);
	blk_client_close(&v.c);
	free(v.tags);
	free(v.slots);
	free(v.free_slots);
	free(v.scratch);
	return ok ? FE_EXIT_OK : FE_EXIT_FAIL;
}
