/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Latency histogram with about 1.6% resolution, for the benchmark.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include "tests/frontend/lat-hist.h"

/**
 * bucket_of() - histogram bucket of a value
 * @ns:	value
 *
 * Return: bucket index
 */
static unsigned int bucket_of(uint64_t ns)
{
	unsigned int e, idx;

	if (ns < LAT_HIST_SUB)
		return (unsigned int)ns;
	e = 63 - (unsigned int)__builtin_clzll(ns); /* >= 6 */
	idx = (e - 5) * LAT_HIST_SUB + (unsigned int)((ns >> (e - 6)) & 63);
	return idx < LAT_HIST_BUCKETS ? idx : LAT_HIST_BUCKETS - 1;
}

/**
 * bucket_value() - a representative value (the middle) of a bucket
 * @idx:	bucket index
 *
 * Return: value in ns
 */
static uint64_t bucket_value(unsigned int idx)
{
	unsigned int e, sub;

	if (idx < LAT_HIST_SUB)
		return idx;
	e = idx / LAT_HIST_SUB + 5;
	sub = idx % LAT_HIST_SUB;
	return ((uint64_t)(LAT_HIST_SUB + sub) << (e - 6)) +
	       ((1ULL << (e - 6)) >> 1);
}

/**
 * lat_hist_add() - record one latency
 * @h:	histogram (zero-initialised before the first use)
 * @ns:	latency in nanoseconds
 */
void lat_hist_add(struct lat_hist *h, uint64_t ns)
{
	h->count++;
	h->sum_ns += ns;
	if (ns > h->max_ns)
		h->max_ns = ns;
	h->bucket[bucket_of(ns)]++;
}

/**
 * lat_hist_percentile() - latency below which @pct percent of samples lie
 * @h:		histogram
 * @pct:	percentile, 0..100
 *
 * Return: value in ns, 0 if the histogram is empty
 */
uint64_t lat_hist_percentile(const struct lat_hist *h, double pct)
{
	uint64_t want, seen = 0;
	unsigned int i;

	if (!h->count)
		return 0;
	want = (uint64_t)(pct / 100.0 * (double)h->count + 0.5);
	if (want < 1)
		want = 1;
	for (i = 0; i < LAT_HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= want)
			return bucket_value(i) < h->max_ns ? bucket_value(i)
							   : h->max_ns;
	}
	return h->max_ns;
}
