/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of guest memory regions: checks on adding, and translation.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <string.h>

#include <glib.h>

#include "devices/virtio/guest-memory.h"

static uint8_t fake_host[3][4096];

/**
 * region() - build a region description
 * @gpa:	guest physical address
 * @size:	bytes
 * @uva:	front-end virtual address
 * @host:	host mapping
 *
 * Return: the region
 */
static struct guest_memory_region region(uint64_t gpa, uint64_t size,
					 uint64_t uva, void *host)
{
	return (struct guest_memory_region){
		.gpa = gpa, .size = size, .uva = uva, .host = host
	};
}

/**
 * expect_add_fails() - adding @r must fail with all @needles in the message
 * @mem:	table, must stay unchanged
 * @r:		region
 * @needles:	NULL-terminated substrings of the expected message
 */
static void expect_add_fails(struct guest_memory *mem,
			     struct guest_memory_region r,
			     const char *const *needles)
{
	unsigned int before = mem->nregions;
	struct error *err = NULL;

	g_assert_false(guest_memory_add(mem, &r, &err));
	g_assert_nonnull(err);
	g_assert_cmpuint(mem->nregions, ==, before);
	for (; *needles; needles++) {
		if (!strstr(error_get_pretty(err), *needles))
			g_test_message("message: %s", error_get_pretty(err));
		g_assert_nonnull(strstr(error_get_pretty(err), *needles));
	}
	error_free(err);
}

/**
 * mem_two() - a table with two regions adjacent in GPA space
 *
 * Return: newly allocated table (g_free it)
 */
static struct guest_memory *mem_two(void)
{
	struct guest_memory *mem = g_new0(struct guest_memory, 1);
	struct guest_memory_region r0 =
		region(0x1000, 4096, 0x10000, fake_host[0]);
	struct guest_memory_region r1 =
		region(0x2000, 4096, 0x30000, fake_host[1]);

	g_assert_true(guest_memory_add(mem, &r0, NULL));
	g_assert_true(guest_memory_add(mem, &r1, NULL));
	return mem;
}

/**
 * test_add_zero_size() - a region of size 0 is refused
 */
static void test_add_zero_size(void)
{
	struct guest_memory *mem = g_new0(struct guest_memory, 1);

	expect_add_fails(mem, region(0x1000, 0, 0x1000, fake_host[0]),
			 (const char *const[]){ "size is 0", "0x1000", NULL });
	g_free(mem);
}

/**
 * test_add_gpa_wrap() - gpa + size past the top of the address space is refused
 */
static void test_add_gpa_wrap(void)
{
	struct guest_memory *mem = g_new0(struct guest_memory, 1);

	expect_add_fails(mem,
			 region(UINT64_MAX - 0xfff, 0x2000, 0, fake_host[0]),
			 (const char *const[]){ "gpa 0xfffffffffffff000",
						"size 0x2000", "wraps", NULL });
	/* Ending exactly at the top of the space is fine */
	g_assert_true(guest_memory_add(
		mem,
		&(struct guest_memory_region){ .gpa = UINT64_MAX - 0xfff,
					       .size = 0x1000,
					       .host = fake_host[0] },
		NULL));
	g_free(mem);
}

/**
 * test_add_uva_wrap() - uva + size past the top of the address space is refused
 */
static void test_add_uva_wrap(void)
{
	struct guest_memory *mem = g_new0(struct guest_memory, 1);

	expect_add_fails(mem,
			 region(0, 0x2000, UINT64_MAX - 0xfff, fake_host[0]),
			 (const char *const[]){ "uva 0xfffffffffffff000",
						"wraps", NULL });
	g_free(mem);
}

/**
 * test_add_overlap_gpa() - regions overlapping in guest physical space are
 * refused
 */
static void test_add_overlap_gpa(void)
{
	struct guest_memory *mem = mem_two();

	/* Last byte of region 1, first byte of region 0, containing both */
	expect_add_fails(mem, region(0x2fff, 1, 0x90000, fake_host[2]),
			 (const char *const[]){ "gpa 0x2fff",
						"overlaps region 1", NULL });
	expect_add_fails(mem, region(0x800, 0x801, 0x90000, fake_host[2]),
			 (const char *const[]){ "gpa 0x800",
						"overlaps region 0", NULL });
	expect_add_fails(mem, region(0, 0x10000, 0x90000, fake_host[2]),
			 (const char *const[]){ "gpa", "overlaps", NULL });
	/* Touching is not overlapping */
	g_assert_true(guest_memory_add(
		mem,
		&(struct guest_memory_region){ .gpa = 0x3000,
					       .size = 4096,
					       .uva = 0x90000,
					       .host = fake_host[2] },
		NULL));
	g_free(mem);
}

/**
 * test_add_overlap_uva() - regions overlapping in front-end virtual space are
 * refused
 */
static void test_add_overlap_uva(void)
{
	struct guest_memory *mem = mem_two();

	expect_add_fails(mem, region(0x8000, 4096, 0x10fff, fake_host[2]),
			 (const char *const[]){ "uva 0x10fff",
						"overlaps region 0", NULL });
	expect_add_fails(mem, region(0x8000, 4096, 0x2f001, fake_host[2]),
			 (const char *const[]){ "uva 0x2f001",
						"overlaps region 1", NULL });
	g_free(mem);
}

/**
 * test_add_table_full() - a region beyond GUEST_MEMORY_MAX_REGIONS is refused
 */
static void test_add_table_full(void)
{
	struct guest_memory *mem = g_new0(struct guest_memory, 1);
	unsigned int i;

	for (i = 0; i < GUEST_MEMORY_MAX_REGIONS; i++) {
		struct guest_memory_region r =
			region((uint64_t)i << 20, 4096, (uint64_t)i << 24,
			       fake_host[0]);

		g_assert_true(guest_memory_add(mem, &r, NULL));
	}
	expect_add_fails(mem,
			 region(1ULL << 40, 4096, 1ULL << 40, fake_host[0]),
			 (const char *const[]){ "table full", "509", NULL });
	g_free(mem);
}

/**
 * test_remove() - removal matches gpa, size and uva
 */
static void test_remove(void)
{
	struct guest_memory *mem = mem_two();
	struct guest_memory_region removed;

	g_assert_false(guest_memory_remove(mem, 0x1000, 4096, 0x99999, NULL));
	g_assert_false(guest_memory_remove(mem, 0x1000, 8192, 0x10000, NULL));
	g_assert_true(
		guest_memory_remove(mem, 0x1000, 4096, 0x10000, &removed));
	g_assert_true(removed.host == fake_host[0]);
	g_assert_cmpuint(mem->nregions, ==, 1);
	g_assert_null(gpa_to_host(mem, 0x1000, 1));
	g_assert_true(gpa_to_host(mem, 0x2000, 1) == fake_host[1]);
	g_assert_true(guest_memory_remove(mem, 0x2000, 4096, 0x30000, NULL));
	g_assert_cmpuint(mem->nregions, ==, 0);
	g_free(mem);
}

/**
 * test_translate_edges() - translation needs the whole range in one region
 */
static void test_translate_edges(void)
{
	struct guest_memory *mem = mem_two();

	g_assert_true(gpa_to_host(mem, 0x1000, 4096) == fake_host[0]);
	g_assert_true(gpa_to_host(mem, 0x1fff, 1) == &fake_host[0][4095]);
	/* One byte past the region, crossing into the next, or before it */
	g_assert_null(gpa_to_host(mem, 0x1000, 4097));
	g_assert_null(gpa_to_host(mem, 0x1fff, 2));
	g_assert_null(gpa_to_host(mem, 0xfff, 2));
	g_assert_null(gpa_to_host(mem, 0x3000, 1));
	/* Overflowing sums */
	g_assert_null(gpa_to_host(mem, 0x1800, UINT64_MAX));
	g_assert_null(gpa_to_host(mem, UINT64_MAX, 2));
	/* UVA space */
	g_assert_true(uva_to_host(mem, 0x30000, 4096) == fake_host[1]);
	g_assert_true(uva_to_host(mem, 0x10ffe, 2) == &fake_host[0][4094]);
	g_assert_null(uva_to_host(mem, 0x10fff, 2));
	g_assert_null(uva_to_host(mem, 0x1000, 1));
	g_assert_null(uva_to_host(mem, 0x30001, UINT64_MAX));
	g_free(mem);
}

/**
 * test_translate_zero_len() - length 0 translates the address itself
 */
static void test_translate_zero_len(void)
{
	struct guest_memory *mem = mem_two();
	struct iovec iov[1];

	/* Length 0 is treated as 1: the address itself must be mapped */
	g_assert_true(gpa_to_host(mem, 0x1fff, 0) == &fake_host[0][4095]);
	g_assert_null(gpa_to_host(mem, 0x3000, 0));
	g_assert_true(uva_to_host(mem, 0x10000, 0) == fake_host[0]);
	g_assert_null(uva_to_host(mem, 0x11000, 0));
	/* An empty range needs no iovec */
	g_assert_cmpint(gpa_to_iov(mem, 0x1000, 0, iov, 1), ==, 0);
	g_free(mem);
}

/**
 * test_iov_cross_region() - gpa_to_iov() splits at region boundaries
 */
static void test_iov_cross_region(void)
{
	struct guest_memory *mem = mem_two();
	struct iovec iov[4];

	g_assert_cmpint(gpa_to_iov(mem, 0x1800, 0x1000, iov, 4), ==, 2);
	g_assert_true(iov[0].iov_base == &fake_host[0][0x800]);
	g_assert_cmpuint(iov[0].iov_len, ==, 0x800);
	g_assert_true(iov[1].iov_base == fake_host[1]);
	g_assert_cmpuint(iov[1].iov_len, ==, 0x800);

	/* Whole of both regions */
	g_assert_cmpint(gpa_to_iov(mem, 0x1000, 0x2000, iov, 4), ==, 2);
	/* Within one region: one entry */
	g_assert_cmpint(gpa_to_iov(mem, 0x2100, 0x100, iov, 4), ==, 1);
	g_assert_true(iov[0].iov_base == &fake_host[1][0x100]);
	/* Not enough entries */
	g_assert_cmpint(gpa_to_iov(mem, 0x1800, 0x1000, iov, 1), ==, -2);
	/* Running past the end, starting before the start, wrapping */
	g_assert_cmpint(gpa_to_iov(mem, 0x1800, 0x1801, iov, 4), ==, -1);
	g_assert_cmpint(gpa_to_iov(mem, 0xfff, 2, iov, 4), ==, -1);
	g_assert_cmpint(gpa_to_iov(mem, 0x1800, UINT64_MAX, iov, 4), ==, -1);
	g_free(mem);
}

/**
 * main() - register and run the tests
 * @argc:	argument count (GTest options such as --tap)
 * @argv:	arguments
 *
 * Return: 0 if every test passed
 */
int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/guest-memory/add/zero-size", test_add_zero_size);
	g_test_add_func("/guest-memory/add/gpa-wrap", test_add_gpa_wrap);
	g_test_add_func("/guest-memory/add/uva-wrap", test_add_uva_wrap);
	g_test_add_func("/guest-memory/add/overlap-gpa", test_add_overlap_gpa);
	g_test_add_func("/guest-memory/add/overlap-uva", test_add_overlap_uva);
	g_test_add_func("/guest-memory/add/table-full", test_add_table_full);
	g_test_add_func("/guest-memory/remove", test_remove);
	g_test_add_func("/guest-memory/translate/edges", test_translate_edges);
	g_test_add_func("/guest-memory/translate/zero-len",
			test_translate_zero_len);
	g_test_add_func("/guest-memory/iov/cross-region",
			test_iov_cross_region);
	return g_test_run();
}
