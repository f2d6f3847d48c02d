/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the protocol fuzz targets: counting open fds, quiet
 * logging; and, through fuzz-common.h, what every fuzz target uses.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_TESTS_FUZZ_PROTOCOL_FUZZ_UTIL_H
#define QD_TESTS_FUZZ_PROTOCOL_FUZZ_UTIL_H

#include "tests/fuzz/fuzz-common.h"

unsigned int fuzz_count_fds(void);
void fuzz_log_init(const char *prog);

#endif /* QD_TESTS_FUZZ_PROTOCOL_FUZZ_UTIL_H */
