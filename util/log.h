/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging to stderr: one line per record, prefixed with the program name.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_UTIL_LOG_H
#define QD_UTIL_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_LEVEL_ERR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG
};

/* log_init() - set the program name used as prefix and the most verbose level
 * shown */
void log_init(const char *prog, enum log_level max_level);
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
bool log_enabled(enum log_level level);

#define log_err(...)  log_msg(LOG_LEVEL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)                                                         \
	do {                                                                   \
		if (log_enabled(LOG_LEVEL_DEBUG))                              \
			log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__);                 \
	} while (0)

#endif /* QD_UTIL_LOG_H */
