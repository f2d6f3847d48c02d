/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Data patterns of the test front-end: PRNG, per-sector patterns, CRC-32.
 *
 * A written sector holds a pattern determined by (seed, write id, sector):
 * a 16-byte header ("QDFE", write id, sector number) that tells at a glance
 * what landed where, then pseudo-random bytes. CRC-32 is zlib's, so a script
 * can check the host image with zlib.crc32().
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TESTS_FRONTEND_PATTERN_H
#define QD_TESTS_FRONTEND_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PATTERN_MAGIC 0x45464451u /* "QDFE" little-endian */

struct prng {
	uint64_t s[4];
};

void prng_seed(struct prng *p, uint64_t seed);
uint64_t prng_next(struct prng *p);
uint64_t prng_below(struct prng *p, uint64_t bound);

void pattern_fill(uint8_t *buf, uint64_t seed, uint32_t write_id,
		  uint64_t sector);
bool pattern_check(const uint8_t *buf, uint64_t seed, uint32_t write_id,
		   uint64_t sector);
void pattern_describe(const uint8_t *buf, char *out, size_t size);

uint32_t crc32_update(uint32_t crc, const void *buf, size_t len);

#endif /* QD_TESTS_FRONTEND_PATTERN_H */
