/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Data patterns of the test front-end: PRNG, per-sector patterns, CRC-32.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <stdio.h>
#include <string.h>

#include "tests/frontend/blk-client.h"
#include "tests/frontend/pattern.h"

/**
 * splitmix64() - one step of SplitMix64, used to expand seeds
 * @x:	state, advanced
 *
 * Return: next output
 */
static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/**
 * prng_seed() - seed a xoshiro256** generator
 * @p:		generator
 * @seed:	any value
 */
void prng_seed(struct prng *p, uint64_t seed)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		p->s[i] = splitmix64(&seed);
}

/**
 * rotl() - rotate left
 * @x:	value
 * @k:	bits, 1..63
 *
 * Return: rotated value
 */
static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/**
 * prng_next() - next output of xoshiro256**
 * @p:	generator
 *
 * Return: 64 random bits
 */
uint64_t prng_next(struct prng *p)
{
	uint64_t *s = p->s, r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

/**
 * prng_below() - uniform value in [0, @bound)
 * @p:		generator
 * @bound:	exclusive bound, > 0
 *
 * Return: random value below @bound (modulo bias is irrelevant here)
 */
uint64_t prng_below(struct prng *p, uint64_t bound)
{
	return prng_next(p) % bound;
}

/**
 * pattern_fill() - write the pattern of one sector
 * @buf:	BLK_SECTOR_SIZE bytes
 * @seed:	run seed
 * @write_id:	id of the write that puts it there
 * @sector:	sector number it is written to
 */
void pattern_fill(uint8_t *buf, uint64_t seed, uint32_t write_id,
		  uint64_t sector)
{
	uint64_t x = seed ^ ((uint64_t)write_id << 40) ^ sector;
	uint32_t magic = PATTERN_MAGIC;
	size_t off;

	memcpy(buf, &magic, 4);
	memcpy(buf + 4, &write_id, 4);
	memcpy(buf + 8, &sector, 8);
	for (off = 16; off < BLK_SECTOR_SIZE; off += 8) {
		uint64_t v = splitmix64(&x);

		memcpy(buf + off, &v, 8);
	}
}

/**
 * pattern_check() - compare a sector with the pattern it should hold
 * @buf:	BLK_SECTOR_SIZE bytes read back
 * @seed:	run seed
 * @write_id:	id of the last write to the sector
 * @sector:	sector number
 *
 * Return: true if identical
 */
bool pattern_check(const uint8_t *buf, uint64_t seed, uint32_t write_id,
		   uint64_t sector)
{
	uint8_t want[BLK_SECTOR_SIZE];

	pattern_fill(want, seed, write_id, sector);
	return !memcmp(buf, want, sizeof(want));
}

/**
 * pattern_describe() - say what a sector holds, for mismatch reports
 * @buf:	BLK_SECTOR_SIZE bytes
 * @out:	text buffer
 * @size:	its size
 */
void pattern_describe(const uint8_t *buf, char *out, size_t size)
{
	uint32_t magic, id;
	uint64_t sector;

	memcpy(&magic, buf, 4);
	memcpy(&id, buf + 4, 4);
	memcpy(&sector, buf + 8, 8);
	if (magic == PATTERN_MAGIC)
		snprintf(out, size, "write %u of sector %llu", id,
			 (unsigned long long)sector);
	else
		snprintf(out, size, "foreign data %02x %02x %02x %02x ...",
			 buf[0], buf[1], buf[2], buf[3]);
}

/**
 * crc32_update() - CRC-32 (IEEE, zlib's crc32()) over more data
 * @crc:	CRC so far, 0 to start
 * @buf:	data
 * @len:	its length
 *
 * Return: updated CRC
 */
uint32_t crc32_update(uint32_t crc, const void *buf, size_t len)
{
	static uint32_t table[256];
	const uint8_t *p = buf;
	size_t i;

	if (!table[1]) {
		for (i = 0; i < 256; i++) {
			uint32_t c = (uint32_t)i;
			int k;

			for (k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
	}
	crc = ~crc;
	for (i = 0; i < len; i++)
		crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}
