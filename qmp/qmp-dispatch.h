/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The interface between the QMP monitor and the code generated from the schema.
 *
 * scripts/qapi-gen.py turns the schema files under qmp/schema into C
 * (docs/qmp.md, "Schema first"): types with marshalling, one dispatch
 * function per command that checks and unmarshals the arguments, calls the
 * hand-written handler qmp_cmd_NAME() and marshals what it returns, event
 * emitters, and the program's query-qmp-schema answer. The table holds only
 * the commands the program's Kconfig config selected. The monitor
 * (qmp/monitor.c) looks a request up in the table and never knows a command
 * by name, except qmp_capabilities, which changes the state of the
 * connection.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_QMP_QMP_DISPATCH_H
#define QD_QMP_QMP_DISPATCH_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

/* QEMU's QapiErrorClass: the "class" of an error response (error_get_code()) */
enum qmp_error_class {
	QMP_ERROR_CLASS_GENERIC_ERROR = 0, /* the default of every error */
	QMP_ERROR_CLASS_COMMAND_NOT_FOUND,
	QMP_ERROR_CLASS_DEVICE_NOT_ACTIVE,
	QMP_ERROR_CLASS_DEVICE_NOT_FOUND,
	QMP_ERROR_CLASS_KVM_MISSING_CAP,
	QMP_ERROR_CLASS__MAX
};

/* qmp_error_class_name() - "GenericError", "CommandNotFound", ... */
const char *qmp_error_class_name(int cls);

struct qmp_target; /* the program's state: cli/program-qmp.c */
struct qmp_client; /* one monitor connection: qmp/monitor.c */

/* What a handler gets besides its arguments */
struct qmp_request {
	struct qmp_target *target; /* device, server, options of the program */
	struct qmp_client *client; /* the connection the request came from */
};

struct qmp_command {
	const char *name; /* "query-version" */
	/*
	 * Generated: check @args (an object, never NULL: {} when the request
	 * had none) against the schema, refusing unknown, missing and
	 * mistyped members with GenericError before any side effect; call
	 * qmp_cmd_NAME(); marshal its return into *@ret ({} for commands
	 * without one). False with *@errp set (class in error_get_code()).
	 */
	bool (*dispatch)(struct qmp_request *req, json_object *args,
			 json_object **ret, struct error **errp);
};

/* Generated per program: its commands, and query-qmp-schema's answer */
extern const struct qmp_command qmp_commands[];
extern const size_t qmp_n_commands;
extern const char qmp_schema_json[]; /* JSON text: [SchemaInfo, ...] */

/* qmp_command_find() - the table entry for @name, or NULL (qmp/monitor.c) */
const struct qmp_command *qmp_command_find(const char *name);

/*
 * qmp_event_emit() - any thread: send event @name with @data (an object, or
 * NULL for none; reference taken over) and the current time to every
 * negotiated client of every monitor. Never blocks on a client: the event is
 * queued (bounded; beyond the bound it is dropped and counted) and written by
 * the monitor's thread. A no-op when no monitor runs. Generated emitters
 * qmp_event_send_NAME() call it.
 */
void qmp_event_emit(const char *name, json_object *data);

#endif /* QD_QMP_QMP_DISPATCH_H */
