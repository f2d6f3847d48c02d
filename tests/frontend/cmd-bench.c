/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qd-frontend bench: random reads or writes at a fixed queue depth.
 *
 * Every queue keeps iodepth requests of bs bytes in flight at random
 * bs-aligned offsets; a completed request is replaced at once, and the
 * replacements of one wake-up are published with one kick decision, as a
 * guest driver does. Completion is waited for on the call eventfds, so the
 * numbers include the notification cost a real guest pays. Latency is from
 * submission to the moment the completion is seen.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/frontend/commands.h"
#include "tests/frontend/lat-hist.h"
#include "tests/frontend/pattern.h"
#include "util/log.h"

struct bench {
	const struct fe_args *a;
	struct blk_client c;
	struct prng rng;
	uint64_t slots_per_disk; /* bs-sized slots in the span */
	struct blk_req *reqs;
	unsigned int nreqs;
	struct lat_hist *hist;
	uint64_t ios;
	uint64_t errors;
};

/**
 * alloc_requests() - iodepth requests per queue with their data buffers
 * @b:		bench state with a started client
 * @errp:	error on failure
 *
 * Return: true on success
 */
static bool alloc_requests(struct bench *b, struct error **errp)
{
	const struct blk_client *c = &b->c;
	uint32_t seg = b->a->bs, size_max = 0;
	unsigned int i, j, nseg;
	uint64_t span = c->cfg.capacity;

	if (b->a->span_sectors && b->a->span_sectors < span)
		span = b->a->span_sectors;
	b->slots_per_disk = span / (b->a->bs / BLK_SECTOR_SIZE);
	if (!b->slots_per_disk) {
		error_setg(errp, "disk of %llu sectors is smaller than --bs",
			   (unsigned long long)c->cfg.capacity);
		return false;
	}
	if (blk_acked(c, VIRTIO_BLK_F_SIZE_MAX) && c->cfg.size_max)
		size_max = c->cfg.size_max & ~(BLK_SECTOR_SIZE - 1);
	if (size_max && seg > size_max)
		seg = size_max;
	nseg = (b->a->bs + seg - 1) / seg;
	if (nseg > BLK_MAX_SEGS) {
		error_setg(errp, "--bs %u needs %u buffers of size_max %u",
			   b->a->bs, nseg, c->cfg.size_max);
		return false;
	}

	b->nreqs = b->a->iodepth * c->num_queues;
	b->reqs = calloc(b->nreqs, sizeof(*b->reqs));
	b->hist = calloc(1, sizeof(*b->hist));
	if (!b->reqs || !b->hist) {
		error_setg(errp, "out of memory");
		return false;
	}
	for (i = 0; i < b->nreqs; i++) {
		struct blk_req *r = &b->reqs[i];
		uint32_t left = b->a->bs;

		if (!blk_req_init(&b->c, r, errp))
			return false;
		r->type = b->a->rw == FE_RW_RANDWRITE ? VIRTIO_BLK_T_OUT
						      : VIRTIO_BLK_T_IN;
		for (j = 0; j < nseg; j++, left -= seg) {
			uint32_t len = left < seg ? left : seg;
			uint8_t *p = guest_ram_alloc(&b->c.ram, len, 4096,
						     &r->data[j].gpa, errp);
			uint32_t k;

			if (!p)
				return false;
			r->data[j].len = len;
			for (k = 0; k + 8 <= len; k += 8) {
				uint64_t v = prng_next(&b->rng);

				memcpy(p + k, &v, 8);
			}
		}
		r->nseg = nseg;
	}
	return true;
}

/**
 * submit() - send a request to a new random offset
 * @b:		bench state
 * @r:		idle request
 * @q:		queue
 * @errp:	error on failure
 *
 * Return: true on success
 */
static bool submit(struct bench *b, struct blk_req *r, unsigned int q,
		   struct error **errp)
{
	r->sector = prng_below(&b->rng, b->slots_per_disk) *
		    (b->a->bs / BLK_SECTOR_SIZE);
	return blk_submit(&b->c, q, r, errp);
}

/**
 * account() - check a completed request and record its latency
 * @b:	bench state
 * @r:	completed request
 */
static void account(struct bench *b, const struct blk_req *r)
{
	if (*r->status != VIRTIO_BLK_S_OK ||
	    r->used_len != blk_req_expected_len(r)) {
		if (!b->errors++)
			log_err("bench: request at sector %llu on queue %u: "
				"status %u, used length %u",
				(unsigned long long)r->sector, r->queue,
				*r->status, r->used_len);
		return;
	}
	b->ios++;
	lat_hist_add(b->hist, r->complete_ns - r->submit_ns);
}

/**
 * run() - keep the queues full for the run time, then drain them
 * @b:		bench state
 * @elapsed_ns:	set to the measured time
 * @errp:	error on a protocol failure
 *
 * Return: true unless the protocol failed
 */
static bool run(struct bench *b, uint64_t *elapsed_ns, struct error **errp)
{
	uint64_t start, deadline, now;
	struct blk_req *done[256];
	unsigned int i;
	int n;

	for (i = 0; i < b->nreqs; i++) {
		if (!submit(b, &b->reqs[i], i / b->a->iodepth, errp))
			return false;
	}
	start = blk_now_ns();
	deadline = start + (uint64_t)(b->a->runtime * 1e9);
	if (!blk_kick(&b->c, errp))
		return false;

	for (now = start; now < deadline;) {
		n = blk_wait(&b->c, done, 256, errp);
		if (n < 0)
			return false;
		now = blk_now_ns();
		for (i = 0; i < (unsigned int)n; i++) {
			account(b, done[i]);
			if (now < deadline &&
			    !submit(b, done[i], done[i]->queue, errp))
				return false;
		}
		if (!blk_kick(&b->c, errp))
			return false;
	}
	*elapsed_ns = now - start;

	while (blk_in_flight(&b->c)) {
		if (blk_wait(&b->c, done, 256, errp) < 0)
			return false;
	}
	return true;
}

/**
 * report() - print the result, human-readable and as one JSON line
 * @b:		bench state
 * @elapsed_ns:	measured time
 */
static void report(const struct bench *b, uint64_t elapsed_ns)
{
	const char *rw = b->a->rw == FE_RW_RANDWRITE ? "randwrite" : "randread";
	double secs = (double)elapsed_ns / 1e9, iops = 0, mibs, mean = 0;
	double p50 = (double)lat_hist_percentile(b->hist, 50) / 1000;
	double p99 = (double)lat_hist_percentile(b->hist, 99) / 1000;
	double max = (double)b->hist->max_ns / 1000;
	uint64_t kicks = 0, calls = 0;
	unsigned int i;

	for (i = 0; i < b->c.num_queues; i++) {
		kicks += b->c.queues[i].kicks;
		calls += b->c.queues[i].calls;
	}
	if (secs > 0)
		iops = (double)b->ios / secs;
	if (b->hist->count)
		mean = (double)b->hist->sum_ns / (double)b->hist->count / 1000;
	mibs = iops * b->a->bs / (1 << 20);

	printf("bench: %s bs=%u iodepth=%u queues=%u: %.0f IOPS, %.1f MiB/s, "
	       "latency us: mean %.1f p50 %.1f p99 %.1f max %.1f\n",
	       rw, b->a->bs, b->a->iodepth, b->c.num_queues, iops, mibs, mean,
	       p50, p99, max);
	printf("{\"rw\": \"%s\", \"bs\": %u, \"iodepth\": %u, \"queues\": %u"
	       ", \"runtime_s\": %.3f, \"ios\": %" PRIu64
	       ", \"iops\": %.0f, \"mib_s\": %.1f, \"lat_us\": {\"mean\": %.2f"
	       ", \"p50\": %.2f, \"p99\": %.2f, \"max\": %.2f}"
	       ", \"kicks\": %" PRIu64 ", \"calls\": %" PRIu64
	       ", \"errors\": %" PRIu64 "}\n",
	       rw, b->a->bs, b->a->iodepth, b->c.num_queues, secs, b->ios, iops,
	       mibs, mean, p50, p99, max, kicks, calls, b->errors);
}

/**
 * cmd_bench() - run the benchmark and print the result
 * @a:	arguments
 *
 * Return: exit status (failure if any request failed)
 */
int cmd_bench(const struct fe_args *a)
{
	struct bench b = { .a = a };
	struct error *err = NULL;
	uint64_t elapsed_ns = 0;
	bool ok = false;

	prng_seed(&b.rng, a->seed);
	if (!blk_client_connect(&b.c, &a->blk, &err) ||
	    !blk_client_start(&b.c, &a->blk, &err))
		goto out;
	if (a->rw == FE_RW_RANDWRITE && blk_acked(&b.c, VIRTIO_BLK_F_RO)) {
		error_setg(&err, "randwrite on a read-only device");
		goto out;
	}
	if (!alloc_requests(&b, &err) || !run(&b, &elapsed_ns, &err) ||
	    !blk_client_stop(&b.c, &err))
		goto out;
	report(&b, elapsed_ns);
	ok = !b.errors;
out:
	if (err) {
		error_prepend(&err, "bench: ");
		error_report_err(err);
	}
	blk_client_close(&b.c);
	free(b.reqs);
	free(b.hist);
	return ok ? FE_EXIT_OK : FE_EXIT_FAIL;
}
