/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the protocol fuzz targets: counting open fds, quiet
 * logging.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <dirent.h>
#include <stdlib.h>

#include "tests/fuzz/protocol/fuzz-util.h"
#include "util/log.h"

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
