/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Latency histogram with about 1.6% resolution, for the benchmark.
 *
 * Values below 64 ns have a bucket each; above, every power of two is split
 * into 64 buckets, so percentiles are exact to 1/64 of their magnitude
 * whatever the run length, in fixed memory.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TESTS_FRONTEND_LAT_HIST_H
#define QD_TESTS_FRONTEND_LAT_HIST_H

#include <stdint.h>

#define LAT_HIST_SUB	 64
#define LAT_HIST_BUCKETS (LAT_HIST_SUB * 60)

struct lat_hist {
	uint64_t count;
	uint64_t sum_ns;
	uint64_t max_ns;
	uint64_t bucket[LAT_HIST_BUCKETS];
};

void lat_hist_add(struct lat_hist *h, uint64_t ns);
uint64_t lat_hist_percentile(const struct lat_hist *h, double pct);

#endif /* QD_TESTS_FRONTEND_LAT_HIST_H */
