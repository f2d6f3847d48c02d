/* SPDX-License-Identifier: GPL-2.0-or-later */
/* qd-frontend watch-config: a started device that reports config changes.
 *
 * Plays a driver that set DRIVER_OK and then does nothing but listen on the
 * back-end channel, as QEMU does for a disk being resized or a link going
 * down: for each BACKEND_CONFIG_CHANGE_MSG it reads the config space with
 * GET_CONFIG, prints one line, and only then acks. Lines on stdout, each
 * flushed at once so a test can follow them:
 *
 *   CONFIG capacity=SECTORS            (blk, once at start)
 *   CONFIG status=0xN link=up|down     (net, once at start)
 *   READY                              (everything set up)
 *   CONFIG-CHANGE capacity=... / status=... link=...
 *   DISCONNECTED                       (the back-end ended the session)
 *
 * Without CONFIG the values read "unavailable". The watch ends after
 * --seconds, at EOF on stdin, or when the back-end ends the session (exit 0
 * in each case); a protocol error ends it with a message and exit 1.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/frontend/blk-client.h"
#include "tests/frontend/commands.h"
#include "tests/frontend/net-client.h"
#include "util/log.h"

#define WATCH_SECONDS_DEFAULT 30
#define WATCH_SECONDS_MAX     86400
#define WATCH_QUEUE_SIZE      64
#define WATCH_RAM_SIZE	      (4ULL << 20)
#define WATCH_RX_BUF	      2048
/* A guest address no region covers: far above WATCH_RAM_SIZE */
#define WATCH_OUTSIDE_GPA (1ULL << 40)
#define WATCH_MAX_FRAME	  1514
#define WATCH_STATUS_OK                                                        \
	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |                \
	 VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK)
/* Bytes of the net config space read: mac and status */
#define WATCH_NET_CONFIG_SIZE                                                  \
	offsetof(struct virtio_net_config, max_virtqueue_pairs)

struct watch_args {
	const char *socket;
	bool net;		 /* --device net */
	unsigned int seconds;	 /* how long to watch */
	bool no_backend_channel; /* do not ask for BACKEND_REQ */
	bool no_config;		 /* do not ask for CONFIG */
	int timeout_ms;		 /* bound of every wait for a reply */
};

struct watch {
	const struct watch_args *a;
	struct blk_client blk;
	struct net_client net;
	struct vu_frontend *fe; /* the one of the client in use */
	bool started;
	unsigned int changes;
};

/* How a watch ended */
enum watch_end {
	WATCH_TIME,	    /* --seconds passed */
	WATCH_STDIN,	    /* EOF on stdin */
	WATCH_DISCONNECTED, /* the back-end ended the session */
	WATCH_ERROR,	    /* protocol error */
};

enum {
	OPT_SOCKET = 256,
	OPT_DEVICE,
	OPT_SECONDS,
	OPT_NO_BACKEND_CHANNEL,
	OPT_NO_CONFIG,
	OPT_TIMEOUT,
	OPT_VERBOSE,
	OPT_HELP,
};

static const struct option watch_opts[] = {
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "seconds", required_argument, NULL, OPT_SECONDS },
	{ "no-backend-channel", no_argument, NULL, OPT_NO_BACKEND_CHANNEL },
	{ "no-config", no_argument, NULL, OPT_NO_CONFIG },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/**
 * watch_usage() - print the help text of watch-config
 * @f:		stream
 */
static void watch_usage(FILE *f)
{
	fputs("Usage: qd-frontend watch-config --socket PATH [OPTIONS]\n"
	      "Start a device (blk: one queue, net: pair 0), set DRIVER_OK, "
	      "then print\n"
	      "the config space at every config-change message of the "
	      "back-end.\n"
	      "\n"
	      "Output: 'CONFIG capacity=N' (blk) or 'CONFIG status=0xN "
	      "link=up|down'\n"
	      "(net), 'READY', then one 'CONFIG-CHANGE ...' line per "
	      "message; 'DISCONNECTED'\n"
	      "if the back-end ends the session. Ends after --seconds or at "
	      "EOF on stdin.\n"
	      "A line 'break' on stdin (blk) posts a chain outside guest "
	      "memory, which\n"
	      "breaks queue 0, and prints 'BROKE queue=0'.\n"
	      "Exit 0, 1 on a protocol error, 2 on bad usage.\n"
	      "\n"
	      "  --socket PATH         back-end socket (required)\n"
	      "  --device blk|net      the device behind it (default blk)\n"
	      "  --seconds N           watch at most N seconds (default 30)\n"
	      "  --no-backend-channel  do not negotiate BACKEND_REQ (no "
	      "channel)\n"
	      "  --no-config           do not negotiate CONFIG\n"
	      "  --timeout MS          bound of every wait for a reply "
	      "(default 5000)\n"
	      "  --verbose             debug messages\n",
	      f);
}

/**
 * watch_parse_value() - store the value of one option
 * @a:		arguments
 * @opt:	option id
 * @arg:	its argument (NULL for flags)
 *
 * Return: true if valid
 */
static bool watch_parse_value(struct watch_args *a, int opt, const char *arg)
{
	uint64_t v;

	switch (opt) {
	case OPT_SOCKET:
		a->socket = arg;
		return true;
	case OPT_DEVICE:
		if (strcmp(arg, "blk") && strcmp(arg, "net")) {
			fprintf(stderr,
				"qd-frontend: --device: expected blk or net, "
				"got '%s'\n",
				arg);
			return false;
		}
		a->net = !strcmp(arg, "net");
		return true;
	case OPT_SECONDS:
		if (!fe_parse_uint(arg, 0, WATCH_SECONDS_MAX, "seconds", &v))
			return false;
		a->seconds = (unsigned int)v;
		return true;
	case OPT_NO_BACKEND_CHANNEL:
		a->no_backend_channel = true;
		return true;
	case OPT_NO_CONFIG:
		a->no_config = true;
		return true;
	case OPT_TIMEOUT:
		if (!fe_parse_uint(arg, 1, 3600000, "timeout", &v))
			return false;
		a->timeout_ms = (int)v;
		return true;
	case OPT_VERBOSE:
		log_init("qd-frontend", LOG_LEVEL_DEBUG);
		return true;
	}
	return false;
}

/**
 * watch_parse_args() - parse the options of watch-config
 * @argc:	argument count, argv[0] being the sub-command
 * @argv:	arguments
 * @a:		result
 *
 * Return: -1 if parsed, else the exit status to leave with
 */
static int watch_parse_args(int argc, char **argv, struct watch_args *a)
{
	int opt;

	memset(a, 0, sizeof(*a));
	a->seconds = WATCH_SECONDS_DEFAULT;
	a->timeout_ms = 5000;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", watch_opts, NULL)) != -1) {
		if (opt == 'h' || opt == OPT_HELP) {
			watch_usage(stdout);
			return FE_EXIT_OK;
		}
		if (!watch_parse_value(a, opt, optarg))
			return FE_EXIT_USAGE;
	}
	if (optind < argc) {
		fprintf(stderr, "qd-frontend: unexpected argument '%s'\n",
			argv[optind]);
		return FE_EXIT_USAGE;
	}
	if (!a->socket) {
		fprintf(stderr, "qd-frontend: --socket PATH is required\n");
		return FE_EXIT_USAGE;
	}
	return -1;
}

/**
 * watch_protocol() - the protocol features to ask for and to leave out
 * @a:		arguments
 * @add:	set to those asked for besides the client's own
 * @drop:	set to those not asked for
 */
static void watch_protocol(const struct watch_args *a, uint64_t *add,
			   uint64_t *drop)
{
	*add = (1ULL << VHOST_USER_PROTOCOL_F_STATUS) |
	       (1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK) |
	       (1ULL << VHOST_USER_PROTOCOL_F_CONFIG) |
	       (1ULL << VHOST_USER_PROTOCOL_F_BACKEND_REQ);
	*drop = 0;
	if (a->no_backend_channel)
		*drop |= 1ULL << VHOST_USER_PROTOCOL_F_BACKEND_REQ;
	if (a->no_config)
		*drop |= 1ULL << VHOST_USER_PROTOCOL_F_CONFIG;
	*add &= ~*drop;
}

/**
 * watch_start_blk() - connect to a blk back-end and start one queue
 * @w:		watch
 * @errp:	error on failure
 *
 * Return: true on success
 */
static bool watch_start_blk(struct watch *w, struct error **errp)
{
	struct blk_client_opts o = {
		.socket = w->a->socket,
		.num_queues = 1,
		.queue_size = WATCH_QUEUE_SIZE,
		.ram_size = WATCH_RAM_SIZE,
		.timeout_ms = w->a->timeout_ms,
	};

	watch_protocol(w->a, &o.protocol_add, &o.protocol_drop);
	w->fe = &w->blk.fe;
	if (!blk_client_connect(&w->blk, &o, errp) ||
	    !blk_client_start(&w->blk, &o, errp))
		return false;
	w->started = true;
	return true;
}

/**
 * watch_start_net() - connect to a net back-end and start pair 0
 * @w:		watch
 * @errp:	error on failure
 *
 * VIRTIO_NET_F_STATUS is acknowledged when offered: without it a driver does
 * not look at the link state.
 *
 * Return: true on success
 */
static bool watch_start_net(struct watch *w, struct error **errp)
{
	struct net_client_opts o = {
		.socket = w->a->socket,
		.pairs = 1,
		.queue_size = WATCH_QUEUE_SIZE,
		.ram_size = WATCH_RAM_SIZE,
		.rx_buf_size = WATCH_RX_BUF,
		.max_frame = WATCH_MAX_FRAME,
		.tx_segs = 1,
		.timeout_ms = w->a->timeout_ms,
	};

	watch_protocol(w->a, &o.protocol_add, &o.protocol_drop);
	w->fe = &w->net.fe;
	if (!net_client_connect(&w->net, &o, errp))
		return false;
	if (net_offered(&w->net, VIRTIO_NET_F_STATUS))
		o.extra_features |= 1ULL << VIRTIO_NET_F_STATUS;
	if (!net_client_start(&w->net, &o, errp))
		return false;
	w->started = true;
	return true;
}

/**
 * watch_print_config() - read the config space, print one line
 * @w:		watch, started
 * @what:	"CONFIG" or "CONFIG-CHANGE"
 * @errp:	error if GET_CONFIG fails
 *
 * Return: true if printed
 */
static bool watch_print_config(struct watch *w, const char *what,
			       struct error **errp)
{
	struct virtio_net_config net_cfg = { 0 };
	uint16_t status;

	if (!vu_has_protocol(w->fe, VHOST_USER_PROTOCOL_F_CONFIG)) {
		printf("%s unavailable\n", what);
	} else if (!w->a->net) {
		if (!vu_get_config(w->fe, &w->blk.cfg, w->blk.cfg_size, errp))
			return false;
		printf("%s capacity=%llu\n", what,
		       (unsigned long long)w->blk.cfg.capacity);
	} else {
		if (!vu_get_config(w->fe, &net_cfg, WATCH_NET_CONFIG_SIZE,
				   errp))
			return false;
		status = le16toh(net_cfg.status);
		printf("%s status=0x%x link=%s\n", what, status,
		       status & VIRTIO_NET_S_LINK_UP ? "up" : "down");
	}
	fflush(stdout);
	return true;
}

/**
 * watch_backend_request() - handle one request on the back-end channel
 * @w:		watch
 * @errp:	error on anything but a well-formed config change
 *
 * The config is read before the ack, as QEMU does: the back-end may wait for
 * the ack, but keeps answering GET_CONFIG meanwhile.
 *
 * Return: true if handled
 */
static bool watch_backend_request(struct watch *w, struct error **errp)
{
	struct vhost_user_header hdr;
	uint8_t payload[VHOST_USER_MAX_PAYLOAD];

	if (!vu_backend_recv(w->fe, &hdr, payload, sizeof(payload), errp))
		return false;
	if (hdr.request != VHOST_USER_BACKEND_CONFIG_CHANGE_MSG) {
		error_setg(errp, "unexpected back-end request %u", hdr.request);
		return false;
	}
	if (hdr.size) {
		error_setg(errp,
			   "BACKEND_CONFIG_CHANGE_MSG has a payload of %u "
			   "bytes, expected none",
			   hdr.size);
		return false;
	}
	w->changes++;
	if (!watch_print_config(w, "CONFIG-CHANGE", errp))
		return false;
	if ((hdr.flags & VHOST_USER_NEED_REPLY_MASK) &&
	    !vu_backend_reply(w->fe, hdr.request, 0, errp))
		return false;
	return true;
}

/**
 * watch_channel_closed() - whether the back-end closed its channel
 * @w:		watch whose channel is readable
 *
 * A back-end closes its channel when the session ends (or when it gives up on
 * it): at a message boundary that is no protocol error. The channel is closed
 * on our side too; the main socket tells whether the session ended.
 *
 * Return: true if it was closed
 */
static bool watch_channel_closed(struct watch *w)
{
	char c;
	ssize_t n = recv(w->fe->backend_fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);

	if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
		return false;
	log_debug("watch-config: the back-end closed its channel");
	close(w->fe->backend_fd);
	w->fe->backend_fd = -1;
	return true;
}

/**
 * watch_main_socket() - the main socket is readable while nothing is asked
 * @w:		watch
 * @errp:	error if the back-end sent something unasked
 *
 * Return: WATCH_DISCONNECTED at EOF, WATCH_ERROR on unasked data, else
 * WATCH_TIME (keep watching)
 */
static enum watch_end watch_main_socket(struct watch *w, struct error **errp)
{
	char c;
	ssize_t n = recv(w->fe->sock, &c, 1, MSG_PEEK | MSG_DONTWAIT);

	if (n == 0 || (n < 0 && errno == ECONNRESET))
		return WATCH_DISCONNECTED;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return WATCH_TIME;
	if (n < 0) {
		error_setg_errno(errp, errno, "main socket");
		return WATCH_ERROR;
	}
	error_setg(errp, "the back-end sent a message nobody asked for");
	return WATCH_ERROR;
}

/**
 * watch_break_queue() - Post a chain whose buffer lies outside guest memory
 * @w:		watch on a blk device
 *
 * A driver bug the device must catch: it marks the queue broken
 * (DEVICE_NEEDS_RESET) without touching anything outside the mapped
 * regions. For tests of what a monitor reports then.
 */
static void watch_break_queue(struct watch *w)
{
	const struct vring_buf out = { .gpa = WATCH_OUTSIDE_GPA, .len = 16 };
	const struct vring_buf in = { .gpa = WATCH_OUTSIDE_GPA + 16, .len = 1 };
	struct blk_queue *q = &w->blk.queues[0];
	uint64_t one = 1;

	if (w->a->net || vring_driver_add(&q->vr, &out, 1, &in, 1, w) < 0) {
		printf("BREAK-FAILED\n");
	} else {
		/* Never completed: GET_VRING_BASE may stop short of it */
		q->in_flight++;
		vring_driver_publish(&q->vr);
		if (write(q->kick_fd, &one, sizeof(one)) != sizeof(one))
			printf("BREAK-FAILED\n");
		else
			printf("BROKE queue=0\n");
	}
	fflush(stdout);
}

/**
 * watch_stdin() - stdin is readable: EOF ends the watch; "break" on a line
 * of its own posts a chain that breaks queue 0 (blk); other input is ignored
 * @w:		watch
 * @open:	cleared at EOF or on a read error
 *
 * Return: true at EOF
 */
static bool watch_stdin(struct watch *w, bool *open)
{
	char buf[256];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf) - 1);

	if (n > 0) {
		buf[n] = '\0';
		if (!strncmp(buf, "break\n", 6))
			watch_break_queue(w);
		return false;
	}
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return false;
	*open = false;
	return n == 0;
}

/**
 * watch_loop() - wait for config changes until the watch ends
 * @w:		watch, started and reported READY
 * @errp:	error on a protocol error
 *
 * Return: how it ended
 */
static enum watch_end watch_loop(struct watch *w, struct error **errp)
{
	uint64_t end = blk_now_ns() + (uint64_t)w->a->seconds * 1000000000ULL;
	bool stdin_open = true;

	for (;;) {
		struct pollfd pfd[3] = {
			{ .fd = w->fe->sock, .events = POLLIN },
			{ .fd = w->fe->backend_fd, .events = POLLIN },
			{ .fd = stdin_open ? STDIN_FILENO : -1,
			  .events = POLLIN },
		};
		uint64_t now = blk_now_ns();
		enum watch_end e;
		int n;

		if (now >= end)
			return WATCH_TIME;
		n = poll(pfd, 3, (int)((end - now + 999999) / 1000000));
		if (n < 0 && errno != EINTR) {
			error_setg_errno(errp, errno, "poll");
			return WATCH_ERROR;
		}
		if (n <= 0)
			continue;
		/* Changes sent before the session ended are reported */
		if (pfd[1].revents && !watch_channel_closed(w) &&
		    !watch_backend_request(w, errp)) {
			error_prepend(errp, "back-end channel: ");
			return WATCH_ERROR;
		}
		if (pfd[0].revents) {
			e = watch_main_socket(w, errp);
			if (e != WATCH_TIME)
				return e;
		}
		if (pfd[2].revents && watch_stdin(w, &stdin_open))
			return WATCH_STDIN;
	}
}

/**
 * watch_run() - start the device, report, watch, stop
 * @w:		watch
 * @errp:	error on a protocol error
 *
 * Return: true unless a protocol error occurred
 */
static bool watch_run(struct watch *w, struct error **errp)
{
	enum watch_end e;

	if (!(w->a->net ? watch_start_net(w, errp) : watch_start_blk(w, errp)))
		return false;
	if (vu_has_protocol(w->fe, VHOST_USER_PROTOCOL_F_STATUS) &&
	    !vu_set_status(w->fe, WATCH_STATUS_OK, errp))
		return false;
	if (!watch_print_config(w, "CONFIG", errp))
		return false;
	printf("READY\n");
	fflush(stdout);

	e = watch_loop(w, errp);
	if (e == WATCH_ERROR)
		return false;
	if (e == WATCH_DISCONNECTED) {
		printf("DISCONNECTED\n");
		fflush(stdout);
		return true;
	}
	log_debug("watch-config: %u config changes, ended by %s", w->changes,
		  e == WATCH_TIME ? "time" : "EOF on stdin");
	return w->a->net ? net_client_stop(&w->net, errp)
			 : blk_client_stop(&w->blk, errp);
}

/**
 * cmd_watch() - qd-frontend watch-config
 * @argc:	argument count, argv[0] being "watch-config"
 * @argv:	arguments
 *
 * Return: exit status
 */
int cmd_watch(int argc, char **argv)
{
	struct watch_args a;
	struct error *err = NULL;
	struct watch w;
	int rc;

	rc = watch_parse_args(argc, argv, &a);
	if (rc >= 0)
		return rc;
	memset(&w, 0, sizeof(w));
	w.a = &a;
	w.blk.ram.fd = w.net.ram.fd = -1;
	vu_init(&w.blk.fe);
	vu_init(&w.net.fe);
	rc = watch_run(&w, &err) ? FE_EXIT_OK : FE_EXIT_FAIL;
	if (err) {
		error_prepend(&err, "watch-config: ");
		error_report_err(err);
	}
	if (a.net)
		net_client_close(&w.net);
	else
		blk_client_close(&w.blk);
	return rc;
}
