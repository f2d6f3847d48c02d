/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vhost-user back-end program conventions shared by every qemu-dev program.
 *
 * vhost-user.rst "Backend program conventions": --socket-path or --fd (exactly
 * one), --print-capabilities, no daemonizing, stdio as given, quick clean exit
 * on SIGTERM. Each program's main() adds its device options to the table.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_CLI_PROGRAM_H
#define QD_CLI_PROGRAM_H

#include <stdbool.h>
#include <stdint.h>

#include "cli/options.h"
#include "devices/virtio/virtio-device.h"
#include "qmp/monitor.h"
#include "qmp/qmp-target.h"
#include "transport/vhost-user-server.h"
#include "util/error.h"

/* Exit status for a command line that cannot be used */
#define PROGRAM_EXIT_USAGE 2

struct program_common {
	const char *socket_path;
	int fd;
	bool print_capabilities;
	bool print_seccomp;
	int sandbox; /* enum sandbox_mode, -1: namespace where it works */
	int seccomp; /* enum sandbox_seccomp */
	bool help;
	bool version;
	bool verbose;
	int stop_fd; /* signalfd of SIGTERM/SIGINT/SIGHUP (program_parse) */
	/* QMP monitors: --chardev, --monitor, --qmp as given */
	struct cli_list chardevs, monitors, qmps;
};

struct program_info {
	const char *name;	     /* "qemu-dev-vhost-user-blk" */
	const char *summary;	     /* one paragraph for --help */
	const char *backend_type;    /* VHostUserBackendType: "block", "net" */
	const char *const *features; /* capability features, NULL-terminated */
	/* Optional: the device's QMP part (listeners for its events) */
	bool (*qmp_attach)(struct qmp_target *t, struct error **errp);
};

/*
 * program_parse() - the conventions: --print-capabilities anywhere prints and
 * exits 0 without looking at other options; --help/--version print and exit
 * 0; any misuse prints one line naming the problem and exits
 * PROGRAM_EXIT_USAGE. @device_opts (NULL-name terminated) come first in the
 * table, the common options after them. Returns only when the program should
 * run, with the termination signals blocked and routed to c->stop_fd, and
 * the sandbox entered (sandbox_enter(): with namespaces, in a child).
 */
void program_parse(const struct program_info *info, int argc, char **argv,
		   const struct cli_option *device_opts,
		   struct program_common *c);
/* program_usage_error() - print "PROG: MESSAGE" and exit PROGRAM_EXIT_USAGE */
void program_usage_error(const struct program_info *info, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
/*
 * program_serve() - serve @dev over vhost-user, and the QMP monitors, until
 * SIGTERM/SIGINT/SIGHUP or quit (or, for an inherited connected socket, until
 * the front-end leaves), then send SHUTDOWN, end the session cleanly and
 * remove the socket files. Once everything is open and before the threads of
 * serving start, the sandbox is locked (sandbox_lock()). @device_opts (or NULL)
 * carries the device-specific server options: the vhost-user requests the
 * device gives meaning to (see vu_device_request) and GET_QUEUE_NUM's answer.
 */
bool program_serve(const struct program_info *info, struct virtio_device *dev,
		   const struct program_common *c,
		   const struct vu_server_options *device_opts,
		   struct error **errp);

#endif /* QD_CLI_PROGRAM_H */
