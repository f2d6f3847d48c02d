/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QMP commands every program has: version, commands, schema, status, quit.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/virtio/virtio-ring.h"
#include "qmp/qmp-gen.h"
#include "qmp/qmp-target.h"
#include "util/log.h"

#ifndef QD_VERSION
#define QD_VERSION "0.0.0"
#endif

/**
 * qmp_cmd_query_version() - query-version: qemu-dev's version
 * @req:	request
 * @ret:	filled with the version triple and the program's name
 * @errp:	set if out of memory
 *
 * Return: true on success
 */
bool qmp_cmd_query_version(struct qmp_request *req,
			   struct qmp_version_info *ret, struct error **errp)
{
	unsigned int major = 0, minor = 0, micro = 0;

	/* The build passes "X.Y.Z"; anything else reads as 0.0.0 */
	if (sscanf(QD_VERSION, "%u.%u.%u", &major, &minor, &micro) != 3)
		major = minor = micro = 0;
	ret->qemu.major = major;
	ret->qemu.minor = minor;
	ret->qemu.micro = micro;
	ret->package = strdup(req->target->program);
	if (!ret->package) {
		error_setg(errp, "out of memory");
		return false;
	}
	return true;
}

/**
 * qmp_cmd_query_commands() - query-commands: the commands of this program
 * @req:	request
 * @ret:	array of command names, allocated here
 * @n_ret:	its length
 * @errp:	set if out of memory
 *
 * Return: true on success
 */
bool qmp_cmd_query_commands(struct qmp_request *req,
			    struct qmp_command_info **ret, size_t *n_ret,
			    struct error **errp)
{
	size_t i;

	*ret = calloc(qmp_n_commands, sizeof(**ret));
	if (!*ret) {
		error_setg(errp, "out of memory");
		return false;
	}
	*n_ret = qmp_n_commands;
	for (i = 0; i < qmp_n_commands; i++) {
		(*ret)[i].name = strdup(qmp_commands[i].name);
		if (!(*ret)[i].name) {
			error_setg(errp, "out of memory");
			return false;
		}
	}
	return true;
}

/**
 * qmp_cmd_query_qmp_schema() - query-qmp-schema: the generated SchemaInfo list
 * @req:	request
 * @args:	arguments (the generated dispatch refused any)
 * @ret:	the parsed schema
 * @errp:	set if the generated text does not parse
 *
 * Return: true on success
 */
bool qmp_cmd_query_qmp_schema(struct qmp_request *req, json_object *args,
			      json_object **ret, struct error **errp)
{
	*ret = json_tokener_parse(qmp_schema_json);
	if (!*ret) {
		error_setg(errp, "internal error: the generated schema does "
				 "not parse");
		return false;
	}
	return true;
}

/**
 * qmp_run_state() - The state query-status reports
 * @t:		target
 * @info:	the server's view of the session
 *
 * Return: the run state
 */
static enum qmp_run_state qmp_run_state(struct qmp_target *t,
					const struct vu_server_info *info)
{
	if (__atomic_load_n(&t->shutting_down, __ATOMIC_RELAXED))
		return QMP_RUN_STATE_SHUTDOWN;
	if (info->held)
		return QMP_RUN_STATE_LINK_DOWN;
	if (!info->connected)
		return QMP_RUN_STATE_WAITING;
	if (info->status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return QMP_RUN_STATE_NEEDS_RESET;
	if (info->status & VIRTIO_CONFIG_S_DRIVER_OK)
		return QMP_RUN_STATE_RUNNING;
	return QMP_RUN_STATE_CONNECTED;
}

/**
 * qmp_cmd_query_status() - query-status: the state of the back-end
 * @req:	request
 * @ret:	running flag and state
 * @errp:	set if the server cannot be asked
 *
 * Return: true on success
 */
bool qmp_cmd_query_status(struct qmp_request *req, struct qmp_status_info *ret,
			  struct error **errp)
{
	struct vu_server_info info;

	if (__atomic_load_n(&req->target->shutting_down, __ATOMIC_RELAXED)) {
		ret->status = QMP_RUN_STATE_SHUTDOWN;
		return true;
	}
	if (!qmp_target_query(req->target, &info, errp))
		return false;
	ret->status = qmp_run_state(req->target, &info);
	ret->running = ret->status == QMP_RUN_STATE_RUNNING;
	free(info.queues);
	return true;
}

/**
 * qmp_cmd_quit() - quit: stop as SIGTERM does
 * @req:	request
 * @errp:	set if the program cannot be told
 *
 * The answer goes out first; the control thread sees the quit eventfd, ends
 * the session, and the program sends SHUTDOWN on its way out.
 *
 * Return: true on success
 */
bool qmp_cmd_quit(struct qmp_request *req, struct error **errp)
{
	uint64_t one = 1;

	log_info("quit requested over QMP");
	if (write(req->target->quit_fd, &one, sizeof(one)) != sizeof(one)) {
		error_setg_errno(errp, errno, "cannot signal the quit");
		return false;
	}
	return true;
}
