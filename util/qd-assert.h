/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qd_assert(): an assert() that logs through util/log before the process dies.
 *
 * For invariants of our own code only, never to check what a peer sent (a
 * front-end, a guest, a QMP client): that is refused with an error. Unlike
 * assert() it stays in every build (NDEBUG too), and its one record (file,
 * line, function, expression) is a single write(2) that the seccomp filter
 * allows, so the reason is on record even when the filter, not SIGABRT,
 * ends the process.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_UTIL_QD_ASSERT_H
#define QD_UTIL_QD_ASSERT_H

#include <stdlib.h>

#include "util/log.h"

/**
 * qd_assert_fail() - Log a failed assertion and abort
 * @expr:	the expression, as written
 * @file:	source file
 * @line:	line
 * @func:	function
 */
static inline void __attribute__((noreturn, cold))
qd_assert_fail(const char *expr, const char *file, int line, const char *func)
{
	log_err("assertion failed: %s (%s:%d, %s())", expr, file, line, func);
	abort();
}

#define qd_assert(expr)                                                        \
	do {                                                                   \
		if (__builtin_expect(!(expr), 0))                              \
			qd_assert_fail(#expr, __FILE__, __LINE__, __func__);   \
	} while (0)

#endif /* QD_UTIL_QD_ASSERT_H */
