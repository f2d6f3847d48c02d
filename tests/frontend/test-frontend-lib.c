/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the test front-end's helpers: guest RAM, patterns, CRC-32,
 * latency histogram.
 *
 * The front-end judges back-ends, so its own arithmetic is checked here
 * without any back-end.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <glib.h>
#include <string.h>
#include <unistd.h>

#include "tests/frontend/blk-client.h"
#include "tests/frontend/guest-ram.h"
#include "tests/frontend/lat-hist.h"
#include "tests/frontend/pattern.h"

/**
 * test_guest_ram_alloc() - allocations alternate regions and translate back
 */
static void test_guest_ram_alloc(void)
{
	struct error *err = NULL;
	struct guest_ram ram;
	uint64_t gpa0, gpa1, gpa2;
	uint8_t *p0, *p1, *p2;

	g_assert_true(guest_ram_init(&ram, 1 << 20, &err));
	p0 = guest_ram_alloc(&ram, 4096, 4096, &gpa0, &err);
	p1 = guest_ram_alloc(&ram, 100, 16, &gpa1, &err);
	p2 = guest_ram_alloc(&ram, 100, 16, &gpa2, &err);
	g_assert_nonnull(p0);
	g_assert_nonnull(p1);
	g_assert_nonnull(p2);
	g_assert_cmpuint(gpa0, ==, GUEST_RAM_REGION0_GPA);
	g_assert_cmpuint(gpa1, ==, GUEST_RAM_REGION1_GPA);
	g_assert_cmpuint(gpa2, ==, GUEST_RAM_REGION0_GPA + 4096);
	g_assert_true(guest_ram_host(&ram, gpa1, 100) == p1);
	g_assert_true(guest_ram_host(&ram, gpa2 + 10, 1) == p2 + 10);

	/* Outside or across region ends */
	g_assert_null(guest_ram_host(&ram, 0, 1));
	g_assert_null(
		guest_ram_host(&ram, GUEST_RAM_REGION0_GPA + (1 << 20), 1));
	g_assert_null(
		guest_ram_host(&ram, GUEST_RAM_REGION1_GPA + (1 << 20) - 1, 2));

	/* Both regions share one memfd, the second at an offset */
	p0[0] = 0x5a;
	g_assert_cmpuint(ram.regions[1].mmap_offset, ==, 1 << 20);
	g_assert_cmpint(pread(ram.fd, p1, 1, 0), ==, 1);
	g_assert_cmpuint(p1[0], ==, 0x5a);

	/* Exhaustion is an error, not a crash */
	g_assert_null(guest_ram_alloc(&ram, 2 << 20, 1, &gpa0, &err));
	g_assert_nonnull(err);
	error_free(err);
	guest_ram_cleanup(&ram);
}

/**
 * test_crc32() - matches zlib's crc32() on the standard check string
 */
static void test_crc32(void)
{
	uint32_t crc = crc32_update(0, "12345", 5);

	g_assert_cmphex(crc32_update(0, "123456789", 9), ==, 0xcbf43926);
	/* Incremental use gives the same result */
	g_assert_cmphex(crc32_update(crc, "6789", 4), ==, 0xcbf43926);
}

/**
 * test_pattern() - patterns depend on seed, write and sector, and are checked
 */
static void test_pattern(void)
{
	uint8_t a[BLK_SECTOR_SIZE], b[BLK_SECTOR_SIZE];
	char text[96];

	pattern_fill(a, 1, 7, 100);
	g_assert_true(pattern_check(a, 1, 7, 100));
	g_assert_false(pattern_check(a, 2, 7, 100));
	g_assert_false(pattern_check(a, 1, 8, 100));
	g_assert_false(pattern_check(a, 1, 7, 101));
	pattern_fill(b, 1, 7, 100);
	g_assert_cmpmem(a, sizeof(a), b, sizeof(b));

	pattern_describe(a, text, sizeof(text));
	g_assert_cmpstr(text, ==, "write 7 of sector 100");
	a[BLK_SECTOR_SIZE - 1] ^= 1;
	g_assert_false(pattern_check(a, 1, 7, 100));
	memset(a, 0, sizeof(a));
	pattern_describe(a, text, sizeof(text));
	g_assert_true(g_str_has_prefix(text, "foreign data"));
}

/**
 * test_prng() - same seed, same sequence; bounds respected
 */
static void test_prng(void)
{
	struct prng p, q;
	unsigned int i;

	prng_seed(&p, 42);
	prng_seed(&q, 42);
	for (i = 0; i < 100; i++) {
		g_assert_cmpuint(prng_next(&p), ==, prng_next(&q));
		g_assert_cmpuint(prng_below(&p, 7), <, 7);
		prng_next(&q);
	}
}

/**
 * test_lat_hist() - percentiles within the histogram's resolution
 */
static void test_lat_hist(void)
{
	struct lat_hist *h = g_new0(struct lat_hist, 1);
	uint64_t p50, p99;
	unsigned int i;

	g_assert_cmpuint(lat_hist_percentile(h, 50), ==, 0);
	for (i = 1; i <= 1000; i++)
		lat_hist_add(h, i * 1000ULL); /* 1 us .. 1 ms */
	p50 = lat_hist_percentile(h, 50);
	p99 = lat_hist_percentile(h, 99);
	g_assert_cmpuint(h->count, ==, 1000);
	g_assert_cmpuint(h->max_ns, ==, 1000000);
	g_assert_cmpuint(p50, >=, 500000 * 0.98);
	g_assert_cmpuint(p50, <=, 500000 * 1.02);
	g_assert_cmpuint(p99, >=, 990000 * 0.98);
	g_assert_cmpuint(p99, <=, 1000000);
	g_assert_cmpuint(lat_hist_percentile(h, 100), ==, 1000000);

	/* Small values are exact */
	memset(h, 0, sizeof(*h));
	lat_hist_add(h, 5);
	g_assert_cmpuint(lat_hist_percentile(h, 50), ==, 5);
	g_free(h);
}

/**
 * main() - register and run the tests
 * @argc:	argument count
 * @argv:	arguments (GTest options such as --tap)
 *
 * Return: exit status
 */
int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/frontend/guest-ram/alloc", test_guest_ram_alloc);
	g_test_add_func("/frontend/crc32", test_crc32);
	g_test_add_func("/frontend/pattern", test_pattern);
	g_test_add_func("/frontend/prng", test_prng);
	g_test_add_func("/frontend/lat-hist", test_lat_hist);
	return g_test_run();
}
