/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Error objects carrying a formatted message with context.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/log.h"

struct error {
	char *msg;
	int code; /* a class for the receiver, e.g. a QMP error class */
};

static void error_vset(struct error **errp, int err, const char *fmt,
		       va_list ap)
{
	struct error *e;
	char *msg;

	if (!errp)
		return;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	if (msg && err) {
		char *with_errno;

		if (asprintf(&with_errno, "%s: %s", msg, strerror(err)) >= 0) {
			free(msg);
			msg = with_errno;
		}
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		free(msg);
		log_err("out of memory while reporting an error");
		abort();
	}
	e->msg = msg ? msg : strdup("(error message lost: out of memory)");
	if (*errp) {
		/* Keep the first error: it is the cause. */
		error_free(e);
		return;
	}
	*errp = e;
}

/**
 * error_setg() - Set *@errp to a new error
 * @errp:	where to store the error, or NULL to discard it
 * @fmt:	printf format of the message
 */
void error_setg(struct error **errp, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vset(errp, 0, fmt, ap);
	va_end(ap);
}

/**
 * error_setg_errno() - Set *@errp to a new error ending in strerror(@err)
 * @errp:	where to store the error, or NULL to discard it
 * @err:	errno value
 * @fmt:	printf format of the message
 */
void error_setg_errno(struct error **errp, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_vset(errp, err, fmt, ap);
	va_end(ap);
}

/**
 * error_prepend() - Prefix the message of *@errp with context
 * @errp:	error to extend; nothing happens if NULL or unset
 * @fmt:	printf format of the prefix
 */
void error_prepend(struct error **errp, const char *fmt, ...)
{
	char *prefix, *msg;
	va_list ap;

	if (!errp || !*errp)
		return;
	va_start(ap, fmt);
	if (vasprintf(&prefix, fmt, ap) < 0)
		prefix = NULL;
	va_end(ap);
	if (!prefix)
		return;
	if (asprintf(&msg, "%s%s", prefix, (*errp)->msg) >= 0) {
		free((*errp)->msg);
		(*errp)->msg = msg;
	}
	free(prefix);
}

/**
 * error_propagate() - Hand @local to the caller's error pointer
 * @dst_errp:	caller's error pointer, may be NULL
 * @local:	error to move, may be NULL
 */
void error_propagate(struct error **dst_errp, struct error *local)
{
	if (!local)
		return;
	if (dst_errp && !*dst_errp)
		*dst_errp = local;
	else
		error_free(local);
}

/**
 * error_set_code() - Attach a class to an error
 * @errp:	the error (NULL or unset: nothing to do)
 * @code:	the class
 */
void error_set_code(struct error **errp, int code)
{
	if (errp && *errp)
		(*errp)->code = code;
}

/**
 * error_get_code() - The class of an error
 * @err:	the error
 *
 * Return: what error_set_code() set, 0 by default
 */
int error_get_code(const struct error *err)
{
	return err ? err->code : 0;
}

/**
 * error_get_pretty() - Message of an error
 * @err:	the error
 *
 * Return: the message, owned by @err
 */
const char *error_get_pretty(const struct error *err)
{
	return err->msg;
}

/**
 * error_report_err() - Log @err at error level and free it
 * @err:	the error, may be NULL
 */
void error_report_err(struct error *err)
{
	if (!err)
		return;
	log_err("%s", err->msg);
	error_free(err);
}

/**
 * error_free() - Free an error
 * @err:	the error, may be NULL
 */
void error_free(struct error *err)
{
	if (!err)
		return;
	free(err->msg);
	free(err);
}
