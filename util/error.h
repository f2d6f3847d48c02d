/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Error reporting: one convention for the whole tree.
 *
 * A function that can fail takes "struct error **errp" as its last parameter
 * and returns bool (or a pointer, NULL on failure). On failure it calls
 * error_setg() once; the caller adds context with error_prepend() and either
 * propagates the error or reports it with error_report_err(). errp may be NULL
 * (the error is discarded). Peer and guest input never ends the process: it
 * ends in an error.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_UTIL_ERROR_H
#define QD_UTIL_ERROR_H

#include <stdbool.h>

struct error;

/* error_setg() - set *errp to a new error built from a printf format */
void error_setg(struct error **errp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* error_setg_errno() - as error_setg(), with ": strerror(err)" appended */
void error_setg_errno(struct error **errp, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* error_prepend() - prefix the message of *errp (if set) with context */
void error_prepend(struct error **errp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* error_propagate() - move @local into *dst_errp (or free it if dst is NULL) */
void error_propagate(struct error **dst_errp, struct error *local);
/*
 * error_set_code() - attach a numeric class to *@errp, if set (e.g. a QMP
 * error class, qmp/qmp-dispatch.h); errors start with code 0
 */
void error_set_code(struct error **errp, int code);
/* error_get_code() - the class of @err (0 unless error_set_code() changed it)
 */
int error_get_code(const struct error *err);
/* error_get_pretty() - the message of @err */
const char *error_get_pretty(const struct error *err);
/* error_report_err() - log @err at error level and free it */
void error_report_err(struct error *err);
/* error_free() - free @err; NULL is allowed */
void error_free(struct error *err);

#endif /* QD_UTIL_ERROR_H */
