/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A hand-written dispatch table for the monitor's unit tests, in place of
 * the generated one: qmp_capabilities (unmarshalled as the generator would,
 * then the monitor's own handler) and a few test commands.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <glib.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmp/qmp-gen.h"
#include "tests/unit/qmp/qmp-test-commands.h"

struct qmp_target {
	int unused;
};

/* What the tests hand to qmp_monitor_new() */
struct qmp_target qmp_test_target;

/* As generated from QMPCapability */
const char *const qmp_qmp_capability_names[] = {
	[QMP_QMP_CAPABILITY_OOB] = "oob",
	[QMP_QMP_CAPABILITY__MAX] = NULL,
};

/**
 * dispatch_qmp_capabilities() - Unmarshal "enable", call the handler
 * @req:	request
 * @args:	arguments
 * @ret:	set to NULL: {}
 * @errp:	GenericError for bad arguments, or the handler's error
 *
 * Return: true on success
 */
static bool dispatch_qmp_capabilities(struct qmp_request *req,
				      json_object *args, json_object **ret,
				      struct error **errp)
{
	enum qmp_qmp_capability caps[8];
	struct qmp_qmp_capabilities_args a = { .enable = caps };
	json_object *enable = NULL;
	size_t i;

	json_object_object_foreach(args, key, val)
	{
		if (strcmp(key, "enable")) {
			error_setg(errp, "Parameter '%s' is unexpected", key);
			return false;
		}
		enable = val;
	}
	if (enable) {
		if (!json_object_is_type(enable, json_type_array) ||
		    json_object_array_length(enable) > 8) {
			error_setg(errp, "Invalid parameter type for 'enable', "
					 "expected: array");
			return false;
		}
		a.has_enable = true;
		a.n_enable = json_object_array_length(enable);
		for (i = 0; i < a.n_enable; i++) {
			const char *s = json_object_get_string(
				json_object_array_get_idx(enable, i));

			if (!s || strcmp(s, "oob")) {
				error_setg(errp, "Parameter 'enable' does not "
						 "accept value");
				return false;
			}
			caps[i] = QMP_QMP_CAPABILITY_OOB;
		}
	}
	*ret = NULL;
	return qmp_cmd_qmp_capabilities(req, &a, errp);
}

/**
 * dispatch_echo() - Return the arguments
 * @req:	request
 * @args:	arguments
 * @ret:	set to @args
 * @errp:	unused
 *
 * Return: true
 */
static bool dispatch_echo(struct qmp_request *req, json_object *args,
			  json_object **ret, struct error **errp)
{
	*ret = json_object_get(args);
	return true;
}

/**
 * dispatch_bytes() - Return a string that is not valid UTF-8, as a file
 * name may be
 * @req:	request
 * @args:	arguments
 * @ret:	set to {"s": "a\xffb" then U+00E9, U+1F600 and an encoded
 *		surrogate}
 * @errp:	unused
 *
 * Return: true
 */
static bool dispatch_bytes(struct qmp_request *req, json_object *args,
			   json_object **ret, struct error **errp)
{
	*ret = json_object_new_object();
	json_object_object_add(
		*ret, "s",
		json_object_new_string("a\xff"
				       "b\xc3\xa9\xf0\x9f\x98\x80"
				       "\xed\xa0\x80"));
	return true;
}

/**
 * dispatch_fail() - Fail with DeviceNotFound
 * @req:	request
 * @args:	arguments
 * @ret:	unused
 * @errp:	set
 *
 * Return: false
 */
static bool dispatch_fail(struct qmp_request *req, json_object *args,
			  json_object **ret, struct error **errp)
{
	error_setg(errp, "Device 'nope' not found");
	error_set_code(errp, QMP_ERROR_CLASS_DEVICE_NOT_FOUND);
	return false;
}

/**
 * dispatch_slow() - Take 100 ms
 * @req:	request
 * @args:	arguments
 * @ret:	unused
 * @errp:	unused
 *
 * Return: true
 */
static bool dispatch_slow(struct qmp_request *req, json_object *args,
			  json_object **ret, struct error **errp)
{
	usleep(100 * 1000);
	return true;
}

struct emit_job {
	const char *name;
	int count;
};

/**
 * emit_thread() - Emit the events of an emit_job
 * @opaque:	struct emit_job
 *
 * Return: NULL
 */
static void *emit_thread(void *opaque)
{
	struct emit_job *job = opaque;
	int i;

	for (i = 0; i < job->count; i++) {
		json_object *data = json_object_new_object();

		json_object_object_add(data, "n", json_object_new_int(i));
		qmp_event_emit(job->name, data);
	}
	return NULL;
}

/**
 * dispatch_emit() - Emit {"n": i} events from another thread, then return
 * @req:	request
 * @args:	{"name": str, "count": int}
 * @ret:	unused
 * @errp:	unused
 *
 * Return: true
 */
static bool dispatch_emit(struct qmp_request *req, json_object *args,
			  json_object **ret, struct error **errp)
{
	struct emit_job job = { .name = "EMITTED", .count = 1 };
	json_object *v;
	pthread_t t;

	if (json_object_object_get_ex(args, "name", &v))
		job.name = json_object_get_string(v);
	if (json_object_object_get_ex(args, "count", &v))
		job.count = json_object_get_int(v);
	pthread_create(&t, NULL, emit_thread, &job);
	pthread_join(t, NULL);
	return true;
}

/* The "gate" command's state */
static struct {
	GMutex lock;
	GCond cond;
	bool entered, open;
} gate;

/**
 * qmp_test_gate_reset() - Close the gate before sending "gate"
 */
void qmp_test_gate_reset(void)
{
	g_mutex_lock(&gate.lock);
	gate.entered = gate.open = false;
	g_mutex_unlock(&gate.lock);
}

/**
 * qmp_test_gate_wait_entered() - Wait until "gate" runs
 *
 * Return: true if it runs, false after 5 s
 */
bool qmp_test_gate_wait_entered(void)
{
	gint64 deadline = g_get_monotonic_time() + 5 * G_TIME_SPAN_SECOND;
	bool entered;

	g_mutex_lock(&gate.lock);
	while (!gate.entered &&
	       g_cond_wait_until(&gate.cond, &gate.lock, deadline))
		;
	entered = gate.entered;
	g_mutex_unlock(&gate.lock);
	return entered;
}

/**
 * qmp_test_gate_open() - Let "gate" return
 */
void qmp_test_gate_open(void)
{
	g_mutex_lock(&gate.lock);
	gate.open = true;
	g_cond_broadcast(&gate.cond);
	g_mutex_unlock(&gate.lock);
}

/**
 * dispatch_gate() - Block until the test opens the gate (at most 10 s)
 * @req:	request
 * @args:	arguments
 * @ret:	unused
 * @errp:	set if the gate stayed closed
 *
 * Return: true if the gate opened
 */
static bool dispatch_gate(struct qmp_request *req, json_object *args,
			  json_object **ret, struct error **errp)
{
	gint64 deadline = g_get_monotonic_time() + 10 * G_TIME_SPAN_SECOND;
	bool open;

	g_mutex_lock(&gate.lock);
	gate.entered = true;
	g_cond_broadcast(&gate.cond);
	while (!gate.open &&
	       g_cond_wait_until(&gate.cond, &gate.lock, deadline))
		;
	open = gate.open;
	g_mutex_unlock(&gate.lock);
	if (!open)
		error_setg(errp, "the gate stayed closed");
	return open;
}

/**
 * dispatch_target() - Whether the handler got the monitor's target
 * @req:	request
 * @args:	arguments
 * @ret:	{"ok": bool}
 * @errp:	unused
 *
 * Return: true
 */
static bool dispatch_target(struct qmp_request *req, json_object *args,
			    json_object **ret, struct error **errp)
{
	*ret = json_object_new_object();
	json_object_object_add(
		*ret, "ok",
		json_object_new_boolean(req->target == &qmp_test_target &&
					req->client));
	return true;
}

const struct qmp_command qmp_commands[] = {
	{ "bytes", dispatch_bytes },
	{ "echo", dispatch_echo },
	{ "emit", dispatch_emit },
	{ "fail", dispatch_fail },
	{ "gate", dispatch_gate },
	{ "qmp_capabilities", dispatch_qmp_capabilities },
	{ "slow", dispatch_slow },
	{ "target", dispatch_target },
};
const size_t qmp_n_commands = sizeof(qmp_commands) / sizeof(qmp_commands[0]);
const char qmp_schema_json[] = "[]";
