/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vhost-user back-end program conventions: options, capabilities, signals,
 * serving.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "cli/program.h"
#include "qmp/qmp-gen.h"
#include "sandbox/sandbox.h"
#include "transport/vhost-user-server.h"
#include "util/log.h"

/*
 * The monitors the command line asked for: parsed once per process by
 * program_parse(), used by program_serve(), freed at exit whichever way
 * main() ends.
 */
static struct qmp_monitor_config program_monitors;

/* Device options plus the common ones, and the terminator */
#define PROGRAM_MAX_OPTIONS 48

static const char *const sandbox_choices[] = SANDBOX_MODE_CHOICES;
static const char *const seccomp_choices[] = SANDBOX_SECCOMP_CHOICES;

#ifndef QD_VERSION
#define QD_VERSION "unknown"
#endif

/**
 * program_print_capabilities() - Print VHostUserBackendCapabilities as JSON
 * @info:	program description
 */
static void program_print_capabilities(const struct program_info *info)
{
	unsigned int i;

	printf("{\n  \"type\": \"%s\"", info->backend_type);
	if (info->features) {
		printf(",\n  \"features\": [");
		for (i = 0; info->features[i]; i++)
			printf("%s\n    \"%s\"", i ? "," : "",
			       info->features[i]);
		printf("%s]", i ? "\n  " : "");
	}
	printf("\n}\n");
}

/**
 * program_usage_error() - Report a command-line problem and exit
 * @info:	program description
 * @fmt:	printf format of the one-line message
 */
void program_usage_error(const struct program_info *info, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s (try --help)\n", info->name, msg);
	exit(PROGRAM_EXIT_USAGE);
}

/**
 * program_signal_fd() - Route termination signals to a signalfd
 * @errp:	error if the signalfd cannot be created
 *
 * Must run before any thread exists, so that every thread inherits the
 * blocked mask and the signals are only ever read from the signalfd.
 *
 * Return: the signalfd, or -1
 */
static int program_signal_fd(struct error **errp)
{
	sigset_t set;
	int fd;

	/* A front-end that vanishes must not kill us with SIGPIPE */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0) {
		error_setg_errno(errp, errno,
				 "cannot block termination signals");
		return -1;
	}
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		error_setg_errno(errp, errno, "cannot create a signalfd");
	return fd;
}

/**
 * program_options() - Build the option table: device options, then common ones
 * @device_opts:	device options, NULL-name terminated
 * @c:			where the common options are stored
 * @out:		table of PROGRAM_MAX_OPTIONS entries to fill
 */
static void program_options(const struct cli_option *device_opts,
			    struct program_common *c, struct cli_option *out)
{
	const struct cli_option common[] = {
		{ .name = "socket-path",
		  .short_name = 's',
		  .arg = CLI_ARG_STRING,
		  .metavar = "PATH",
		  .help = "listen for the front-end on this UNIX socket",
		  .dest = &c->socket_path },
		{ .name = "fd",
		  .short_name = 'f',
		  .arg = CLI_ARG_FD,
		  .metavar = "FDNUM",
		  .help = "serve this inherited socket (listening or "
			  "connected)",
		  .dest = &c->fd },
		{ .name = "print-capabilities",
		  .short_name = 'c',
		  .help = "print the capabilities as JSON and exit",
		  .dest = &c->print_capabilities },
		{ .name = "chardev",
		  .arg = CLI_ARG_LIST,
		  .metavar = "socket,id=ID,path=PATH|fd=N[,server=on,wait=off]",
		  .help = "a listening UNIX socket for --monitor (repeatable)",
		  .dest = &c->chardevs },
		{ .name = "monitor",
		  .arg = CLI_ARG_LIST,
		  .metavar = "[chardev=]ID[,mode=control][,pretty=on|off]",
		  .help = "a QMP monitor on --chardev ID (repeatable)",
		  .dest = &c->monitors },
		{ .name = "qmp",
		  .arg = CLI_ARG_LIST,
		  .metavar = "unix:PATH[,server=on,wait=off]",
		  .help = "a QMP monitor on a new UNIX socket (repeatable)",
		  .dest = &c->qmps },
		{ .name = "sandbox",
		  .arg = CLI_ARG_CHOICE,
		  .metavar = "namespace|chroot|none",
		  .help = "confine the process once set up (default: namespace "
			  "where it works, else none)",
		  .dest = &c->sandbox,
		  .choices = sandbox_choices },
		{ .name = "seccomp",
		  .arg = CLI_ARG_CHOICE,
		  .metavar = "kill|log|trap|none",
		  .help = "what a syscall outside the allowlist does (default "
			  "kill)",
		  .dest = &c->seccomp,
		  .choices = seccomp_choices },
		{ .name = "print-seccomp",
		  .help = "print the seccomp allowlist and exit",
		  .dest = &c->print_seccomp },
		{ .name = "verbose",
		  .short_name = 'v',
		  .help = "log debug messages",
		  .dest = &c->verbose },
		{ .name = "help",
		  .short_name = 'h',
		  .help = "show this help and exit",
		  .dest = &c->help },
		{ .name = "version",
		  .short_name = 'V',
		  .help = "show the version and exit",
		  .dest = &c->version },
	};
	unsigned int n = 0, i;

	for (i = 0; device_opts[i].name && n < PROGRAM_MAX_OPTIONS - 1; i++)
		out[n++] = device_opts[i];
	for (i = 0; i < sizeof(common) / sizeof(common[0]) &&
		    n < PROGRAM_MAX_OPTIONS - 1;
	     i++)
		out[n++] = common[i];
	out[n] = (struct cli_option){ 0 };
}

/**
 * program_enter_sandbox() - The sandbox's first stage, as the options say
 * @info:	program description
 * @c:		common options (--sandbox, --seccomp)
 * @errp:	set if the sandbox asked for cannot be had
 *
 * Return: true to go on setting up (with namespaces, in a child process)
 */
static bool program_enter_sandbox(const struct program_info *info,
				  const struct program_common *c,
				  struct error **errp)
{
	const struct sandbox_config cfg = {
		.prog = info->name,
		.mode = c->sandbox,
		.seccomp = c->seccomp,
	};

	return sandbox_enter(&cfg, errp);
}

/**
 * program_free_monitors() - atexit handler: free the parsed monitor options
 */
static void program_free_monitors(void)
{
	qmp_monitor_config_free(&program_monitors);
}

/**
 * program_parse() - Parse the command line following the program conventions
 * @info:		program description
 * @argc:		argument count
 * @argv:		arguments
 * @device_opts:	the program's device options, NULL-name terminated
 * @c:			common options, filled in
 */
void program_parse(const struct program_info *info, int argc, char **argv,
		   const struct cli_option *device_opts,
		   struct program_common *c)
{
	struct cli_option opts[PROGRAM_MAX_OPTIONS];
	struct error *err = NULL;

	program_options(device_opts, c, opts);

	c->fd = -1;
	c->sandbox = -1;
	/* vhost-user.rst: print the capabilities, ignore every other option */
	if (cli_has_flag(argc, argv, "print-capabilities", 'c')) {
		program_print_capabilities(info);
		exit(EXIT_SUCCESS);
	}
	if (cli_has_flag(argc, argv, "print-seccomp", 0)) {
		sandbox_print_seccomp(stdout);
		exit(EXIT_SUCCESS);
	}
	if (!cli_parse(argc, argv, opts, &err)) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", error_get_pretty(err));
		error_free(err);
		program_usage_error(info, "%s", msg);
	}
	if (c->help) {
		cli_print_help(stdout, info->name, info->summary, opts);
		exit(EXIT_SUCCESS);
	}
	if (c->version) {
		printf("%s %s\n", info->name, QD_VERSION);
		exit(EXIT_SUCCESS);
	}
	if (!c->socket_path && c->fd < 0)
		program_usage_error(info,
				    "one of --socket-path or --fd is required");
	if (c->socket_path && c->fd >= 0)
		program_usage_error(
			info, "--socket-path and --fd cannot be used together");
	if (!qmp_monitor_config_parse(&program_monitors, c->chardevs.values,
				      c->chardevs.n, c->monitors.values,
				      c->monitors.n, c->qmps.values, c->qmps.n,
				      &err)) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", error_get_pretty(err));
		error_free(err);
		program_usage_error(info, "%s", msg);
	}
	atexit(program_free_monitors);
	log_init(info->name, c->verbose ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	/* Before the device exists: namespaces, before any thread exists */
	if (!program_enter_sandbox(info, c, &err)) {
		error_report_err(err);
		exit(EXIT_FAILURE);
	}
	/* Before the device exists, so no thread can ever take these signals */
	c->stop_fd = program_signal_fd(&err);
	if (c->stop_fd < 0) {
		error_report_err(err);
		exit(EXIT_FAILURE);
	}
}

/**
 * program_stop_fd() - One fd readable when the program must stop
 * @signal_fd:	signalfd of the termination signals
 * @quit_fd:	eventfd the quit command writes
 * @errp:	set on failure
 *
 * The server polls a single stop fd: an epoll set of both is readable when
 * either is.
 *
 * Return: the epoll fd, or -1
 */
static int program_stop_fd(int signal_fd, int quit_fd, struct error **errp)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd = epoll_create1(EPOLL_CLOEXEC);

	if (fd < 0) {
		error_setg_errno(errp, errno, "cannot create an epoll set");
		return -1;
	}
	ev.data.fd = signal_fd;
	if (epoll_ctl(fd, EPOLL_CTL_ADD, signal_fd, &ev) < 0)
		goto fail;
	ev.data.fd = quit_fd;
	if (epoll_ctl(fd, EPOLL_CTL_ADD, quit_fd, &ev) < 0)
		goto fail;
	return fd;
fail:
	error_setg_errno(errp, errno, "cannot watch the stop fds");
	close(fd);
	return -1;
}

/**
 * program_stop_cause() - Why the server stopped, logging a signal
 * @signal_fd:	signalfd of the termination signals
 * @quit_fd:	eventfd the quit command writes
 * @ok:		the server's result
 *
 * Return: the SHUTDOWN reason
 */
static enum qmp_shutdown_cause program_stop_cause(int signal_fd, int quit_fd,
						  bool ok)
{
	struct signalfd_siginfo si;
	uint64_t n;

	if (read(signal_fd, &si, sizeof(si)) == sizeof(si)) {
		log_info("received %s, shutting down", strsignal(si.ssi_signo));
		return QMP_SHUTDOWN_CAUSE_HOST_SIGNAL;
	}
	if (read(quit_fd, &n, sizeof(n)) == sizeof(n)) {
		log_info("shutting down: quit");
		return QMP_SHUTDOWN_CAUSE_HOST_QMP_QUIT;
	}
	return ok ? QMP_SHUTDOWN_CAUSE_FRONTEND_GONE
		  : QMP_SHUTDOWN_CAUSE_HOST_ERROR;
}

/**
 * program_serve() - Serve a device over vhost-user until told to stop
 * @info:	program description
 * @dev:	device to serve
 * @c:		common options (socket path or fd, monitors)
 * @device_opts:	device-specific server options (device requests,
 *		GET_QUEUE_NUM's answer), or NULL; the socket is taken from @c
 * @errp:	error on failure to set up or serve
 *
 * The monitors' sockets exist before the vhost-user socket does, so a
 * manager that waits for the latter can connect to both.
 *
 * Return: true on a clean stop
 */
bool program_serve(const struct program_info *info, struct virtio_device *dev,
		   const struct program_common *c,
		   const struct vu_server_options *device_opts,
		   struct error **errp)
{
	struct qmp_shutdown_data shutdown = { .guest = false };
	struct vu_server_options opts = { 0 };
	struct sandbox_needs needs;
	struct qmp_monitor *mon = NULL;
	struct vu_server *srv = NULL;
	struct qmp_target target;
	int quit_fd, stop_fd = -1;
	bool ok = false;

	if (device_opts)
		opts = *device_opts;
	opts.socket_path = c->socket_path;
	opts.fd = c->fd;
	quit_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (quit_fd < 0) {
		error_setg_errno(errp, errno, "cannot create an eventfd");
		return false;
	}
	qmp_target_init(&target, info->name, dev, quit_fd, &opts);
	stop_fd = program_stop_fd(c->stop_fd, quit_fd, errp);
	if (stop_fd < 0)
		goto out;
	if (info->qmp_attach && !info->qmp_attach(&target, errp))
		goto out;
	if (program_monitors.n_specs) {
		mon = qmp_monitor_new(&program_monitors, &target, errp);
		if (!mon)
			goto out;
	}
	srv = vu_server_new(dev, &opts, errp);
	if (!srv)
		goto out;
	qmp_target_set_server(&target, srv);
	/* Everything is open; the monitor's thread gets no capabilities */
	sandbox_device_needs(dev, &needs);
	if (!sandbox_lock(&needs, errp))
		goto out;
	if (mon && !qmp_monitor_start(mon, errp))
		goto out;
	if (c->socket_path)
		log_info("ready: attach with -chardev socket,id=vu0,path=%s",
			 c->socket_path);
	else
		log_info("ready: serving inherited fd %d", c->fd);
	ok = vu_server_run(srv, stop_fd, errp);
	shutdown.reason = program_stop_cause(c->stop_fd, quit_fd, ok);
	__atomic_store_n(&target.shutting_down, true, __ATOMIC_RELAXED);
	qmp_event_send_shutdown(&shutdown);
out:
	/* No handler uses the server from here; its last events still go out */
	qmp_target_set_server(&target, NULL);
	vu_server_free(srv);
	qmp_monitor_free(mon);
	qmp_target_fini(&target);
	if (stop_fd >= 0)
		close(stop_fd);
	close(quit_fd);
	return ok;
}
