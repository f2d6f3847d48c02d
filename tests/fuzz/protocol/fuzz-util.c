/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the protocol fuzz targets.
 *
 * Reads past the end of the input return zeros, so a decoder never has to
 * check lengths: a short input is a complete input with zeros after it.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sanitizer/common_interface_defs.h>

#include "tests/fuzz/protocol/fuzz-util.h"
#include "util/log.h"

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
 * fuzz_bytes() - Take @len bytes, zeros past the end
 * @in:		input
 * @dst:	destination
 * @len:	bytes wanted
 */
void fuzz_bytes(struct fuzz_input *in, void *dst, size_t len)
{
	size_t n = len < in->left ? len : in->left;

	if (n)
		memcpy(dst, in->p, n);
	memset((uint8_t *)dst + n, 0, len - n);
	in->p += n;
	in->left -= n;
}

/**
 * fuzz_count_fds() - Number of fds this process has open
 *
 * Return: entries of /proc/self/fd, not counting the directory's own fd
 */
unsigned int fuzz_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned int n = 0;
	struct dirent *e;

	if (!d)
		fuzz_fail("cannot open /proc/self/fd");
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;
}

/**
 * fuzz_log_init() - Quiet logging: only errors, unless QD_FUZZ_DEBUG is set
 * @prog:	prefix of log records
 *
 * Warnings name every refused message; printed for each of millions of
 * inputs they would cost more than the code under test. QD_FUZZ_DEBUG=1
 * shows everything when a single input is replayed.
 */
void fuzz_log_init(const char *prog)
{
	log_init(prog,
		 getenv("QD_FUZZ_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERR);
}

/**
 * fuzz_fail() - A check of the target failed: report it as a crash
 * @fmt:	what was wrong
 *
 * The message goes where sanitizer reports go, so that it is seen also when
 * libFuzzer discards the target's stderr (-close_fd_mask=2).
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
