/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The QMP monitor: listening sockets, client connections, the QMP protocol.
 *
 * One thread serves every monitor the command line configured: it accepts
 * clients, greets them, parses their JSON requests as a stream, negotiates
 * capabilities, runs each command through the generated dispatch table
 * (qmp/qmp-dispatch.h) and writes responses and events without ever
 * blocking on a client. It is off the data path: queue workers never wait for
 * it, and it reads their statistics through the device's lock-free
 * accessors. Limits (docs/qmp.md): QMP_MAX_REQUEST_BYTES per request,
 * QMP_MAX_OUTPUT_BYTES of unsent output per client, QMP_MAX_CLIENTS per
 * monitor, QMP_MAX_PENDING_EVENTS queued events.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_QMP_MONITOR_H
#define QD_QMP_MONITOR_H

#include <stdbool.h>

#include "qmp/qmp-dispatch.h"
#include "util/error.h"

#define QMP_MAX_REQUEST_BYTES  (64 * 1024)
#define QMP_MAX_NESTING	       32
#define QMP_MAX_OUTPUT_BYTES   (4 * 1024 * 1024)
#define QMP_MAX_CLIENTS	       16
#define QMP_MAX_PENDING_EVENTS 1024

/* One monitor: a listening UNIX socket (path= or an inherited fd=) */
struct qmp_monitor_spec {
	char *chardev_id; /* id= of its --chardev ("qmp0" for --qmp) */
	char *path;	  /* socket path we create, or NULL */
	int fd;		  /* inherited listening socket, or -1 */
	bool pretty;	  /* pretty=on: indented output */
};

struct qmp_monitor_config {
	struct qmp_monitor_spec *specs;
	unsigned int n_specs;
};

/*
 * qmp_monitor_config_parse() - the monitors of a command line, as
 * qemu-storage-daemon takes them:
 *   --chardev socket,id=ID,path=PATH[,server=on][,wait=off]
 *   --chardev socket,id=ID,fd=N[,server=on][,wait=off]
 *   --monitor [chardev=]ID[,mode=control][,pretty=on|off]
 *   --qmp unix:PATH[,server=on][,wait=off]   (a --chardev plus --monitor)
 * Each array holds the values of one repeated option. Errors name the option
 * and the key at fault ("--chardev: unknown key 'foo'", "--monitor: no
 * --chardev with id 'x'"); server=off, wait=on, non-socket back-ends, TCP
 * addresses, duplicate ids and a chardev no monitor uses are refused.
 */
bool qmp_monitor_config_parse(struct qmp_monitor_config *cfg,
			      const char *const *chardevs,
			      unsigned int n_chardevs,
			      const char *const *monitors,
			      unsigned int n_monitors, const char *const *qmps,
			      unsigned int n_qmps, struct error **errp);
void qmp_monitor_config_free(struct qmp_monitor_config *cfg);

struct qmp_monitor;

/*
 * qmp_monitor_new() - create (or adopt) every listening socket of @cfg; a
 * stale socket file is replaced, a live one refused. Nothing runs yet.
 * @target is handed to every command handler.
 */
struct qmp_monitor *qmp_monitor_new(const struct qmp_monitor_config *cfg,
				    struct qmp_target *target,
				    struct error **errp);
/* qmp_monitor_start() - start the monitor thread; events flow from now on */
bool qmp_monitor_start(struct qmp_monitor *mon, struct error **errp);
/*
 * qmp_monitor_free() - write what is queued (events such as SHUTDOWN, the
 * answer to quit) for at most a short bounded time, stop the thread, close
 * every connection and socket, remove the socket files we created.
 */
void qmp_monitor_free(struct qmp_monitor *mon);

/*
 * qmp_client_negotiated() - for the qmp_capabilities handler: leave
 * capabilities negotiation mode (commands and events from now on).
 * False if the client already left it.
 */
bool qmp_client_negotiated(struct qmp_client *client);

#endif /* QD_QMP_MONITOR_H */
