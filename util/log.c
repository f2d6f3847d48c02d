/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging to stderr: one write per record so records of threads never
 * interleave.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "util/log.h"

static const char *log_prog = "qemu-dev";
static enum log_level log_max = LOG_LEVEL_INFO;

static const char *const log_level_names[] = {
	[LOG_LEVEL_ERR] = "error",
	[LOG_LEVEL_WARN] = "warning",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

/**
 * log_init() - Set the prefix and verbosity of log records
 * @prog:	program name printed before every record
 * @max_level:	most verbose level that is printed
 */
void log_init(const char *prog, enum log_level max_level)
{
	log_prog = prog;
	log_max = max_level;
}

/**
 * log_enabled() - Whether records of @level are printed
 * @level:	log level
 *
 * Return: true if log_msg() at @level prints
 */
bool log_enabled(enum log_level level)
{
	return level <= log_max;
}

/**
 * log_msg() - Print one log record to stderr
 * @level:	log level
 * @fmt:	printf format
 */
void log_msg(enum log_level level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n, m;

	if (!log_enabled(level))
		return;
	n = snprintf(buf, sizeof(buf), "%s: %s: ", log_prog,
		     log_level_names[level]);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return;
	va_start(ap, fmt);
	m = vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += m;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	/* One write(2): a record is never split between threads. */
	if (write(STDERR_FILENO, buf, n) < 0)
		return;
}
