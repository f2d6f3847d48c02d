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
#include <sys/signalfd.h>
#include <unistd.h>

#include "cli/program.h"
#include "transport/vhost-user-server.h"
#include "util/log.h"

/* Device options plus the common ones, and the terminator */
#define PROGRAM_MAX_OPTIONS 48

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
	/* vhost-user.rst: print the capabilities, ignore every other option */
	if (cli_has_flag(argc, argv, "print-capabilities", 'c')) {
		program_print_capabilities(info);
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
	log_init(info->name, c->verbose ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	/* Before the device exists, so no thread can ever take these signals */
	c->stop_fd = program_signal_fd(&err);
	if (c->stop_fd < 0) {
		error_report_err(err);
		exit(EXIT_FAILURE);
	}
}

/**
 * program_log_stop_reason() - Log which signal ended the program, if any
 * @sfd:	signalfd
 */
static void program_log_stop_reason(int sfd)
{
	struct signalfd_siginfo si;

	if (read(sfd, &si, sizeof(si)) == sizeof(si))
		log_info("received %s, shutting down", strsignal(si.ssi_signo));
}

/**
 * program_serve() - Serve a device over vhost-user until told to stop
 * @info:	program description
 * @dev:	device to serve
 * @c:		common options (socket path or fd)
 * @device_opts:	device-specific server options (device requests,
 *		GET_QUEUE_NUM's answer), or NULL; the socket is taken from @c
 * @errp:	error on failure to set up or serve
 *
 * Return: true on a clean stop
 */
bool program_serve(const struct program_info *info, struct virtio_device *dev,
		   const struct program_common *c,
		   const struct vu_server_options *device_opts,
		   struct error **errp)
{
	struct vu_server_options opts = { 0 };
	struct vu_server *srv;
	bool ok;

	if (device_opts)
		opts = *device_opts;
	opts.socket_path = c->socket_path;
	opts.fd = c->fd;
	srv = vu_server_new(dev, &opts, errp);
	if (!srv)
		return false;
	if (c->socket_path)
		log_info("ready: attach with -chardev socket,id=vu0,path=%s",
			 c->socket_path);
	else
		log_info("ready: serving inherited fd %d", c->fd);
	ok = vu_server_run(srv, c->stop_fd, errp);
	program_log_stop_reason(c->stop_fd);
	vu_server_free(srv);
	return ok;
}
