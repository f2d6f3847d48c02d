/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging for the ring fuzz targets: every record is formatted, so the
 * sanitizers check its arguments, but written only with QD_FUZZ_DEBUG set.
 *
 * The targets link this instead of util/log.c: a hostile input breaks a
 * queue in nearly every run, and an error record per run on stderr would
 * cost more than the run and bury libFuzzer's own output.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/log.h"

static int fuzz_log_on = -1; /* -1: QD_FUZZ_DEBUG not looked at yet */

/**
 * log_init() - Nothing to set: the targets decide by QD_FUZZ_DEBUG
 * @prog:	unused
 * @max_level:	unused
 */
void log_init(const char *prog, enum log_level max_level)
{
}

/**
 * log_enabled() - Every level is formatted
 * @level:	log level
 *
 * Return: true
 */
bool log_enabled(enum log_level level)
{
	return true;
}

/**
 * log_msg() - Format a record; print it if QD_FUZZ_DEBUG is set
 * @level:	log level
 * @fmt:	printf format
 */
void log_msg(enum log_level level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (fuzz_log_on < 0)
		fuzz_log_on = getenv("QD_FUZZ_DEBUG") != NULL;
	if (n < 0 || !fuzz_log_on)
		return;
	fprintf(stderr, "fuzz: %d: %s\n", (int)level, buf);
}
