/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The qmp_capabilities command: the one command that changes the state of
 * the connection, so the monitor implements it, not a command module.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include "qmp/monitor-int.h"
#include "qmp/qmp-gen.h"

/**
 * qmp_cmd_qmp_capabilities() - Leave capabilities negotiation mode
 * @req:	the request: its client
 * @args:	capabilities to enable; none is offered
 * @errp:	CommandNotFound once negotiation is complete (QEMU checks
 *		that first), GenericError for any capability asked for
 *
 * Return: true if the client is in command mode now
 */
bool qmp_cmd_qmp_capabilities(struct qmp_request *req,
			      const struct qmp_qmp_capabilities_args *args,
			      struct error **errp)
{
	if (qmp_client_is_negotiated(req->client)) {
		error_setg(errp, "Capabilities negotiation is already "
				 "complete, command ignored");
		error_set_code(errp, QMP_ERROR_CLASS_COMMAND_NOT_FOUND);
		return false;
	}
	/* QEMU offers oob only with a monitor I/O thread; qemu-dev never */
	if (args->has_enable && args->n_enable) {
		/* Unmarshalled: a valid QMPCapability */
		error_setg(errp, "Capability %s not available",
			   qmp_qmp_capability_names[args->enable[0]]);
		return false;
	}
	qmp_client_negotiated(req->client);
	return true;
}
