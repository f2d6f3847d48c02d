/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every fuzz target shares: the reader of the input, and the report of
 * a failed check.
 *
 * Reads past the end of the input return zeros, so a decoder never has to
 * check lengths: a short input is a complete input with zeros after it.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sanitizer/common_interface_defs.h>

#include "tests/fuzz/fuzz-common.h"

/**
 * fuzz_u8() - Take one byte
 * @in:		input
 *
 * Return: the byte, 0 past the end
 */
uint8_t fuzz_u8(struct fuzz_input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

/**
 * fuzz_u16() - Take a little-endian u16
 * @in:		input
 *
 * Return: the value, zero-extended past the end
 */
uint16_t fuzz_u16(struct fuzz_input *in)
{
	uint16_t lo = fuzz_u8(in);

	return lo | (uint16_t)(fuzz_u8(in) << 8);
}

/**
 * fuzz_u32() - Take a little-endian u32
 * @in:		input
 *
 * Return: the value, zero-extended past the end
 */
uint32_t fuzz_u32(struct fuzz_input *in)
{
	uint32_t lo = fuzz_u16(in);

	return lo | ((uint32_t)fuzz_u16(in) << 16);
}

/**
 * fuzz_bytes() - Copy out @len bytes, zeros past the end
 * @in:		input
 * @dst:	destination
 * @len:	bytes wanted
 */
void fuzz_bytes(struct fuzz_input *in, void *dst, size_t len)
{
	size_t got;
	const uint8_t *p = fuzz_take(in, len, &got);

	if (got)
		memcpy(dst, p, got);
	memset((uint8_t *)dst + got, 0, len - got);
}

/**
 * fuzz_take() - Take up to @len bytes in place
 * @in:		input
 * @len:	bytes wanted
 * @got:	set to the bytes taken: fewer than @len at the end
 *
 * Return: pointer to them, inside the input
 */
const uint8_t *fuzz_take(struct fuzz_input *in, size_t len, size_t *got)
{
	const uint8_t *p = in->p;

	if (len > in->left)
		len = in->left;
	in->p += len;
	in->left -= len;
	*got = len;
	return p;
}

/**
 * fuzz_fail() - A check of the target failed: report it as a crash
 * @fmt:	what was wrong
 *
 * "FUZZ CHECK FAILED" goes where sanitizer reports go, so that it is seen
 * also when libFuzzer discards the target's stderr (-close_fd_mask=2), and
 * run-fuzzers.sh looks for it.
 */
void fuzz_fail(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int n;

	n = snprintf(msg, sizeof(msg), "FUZZ CHECK FAILED: ");
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	va_end(ap);
	/* Where sanitizer reports go: stderr may be closed (-close_fd_mask) */
	__sanitizer_report_error_summary(msg);
	abort();
}
