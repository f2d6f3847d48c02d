/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The QMP monitor's private interface between its thread and sockets
 * (monitor.c), its client connections (monitor-client.c) and the
 * qmp_capabilities handler.
 *
 * Everything here belongs to the monitor thread, except the event queue,
 * which monitor.c keeps behind its own mutex.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#ifndef QD_QMP_MONITOR_INT_H
#define QD_QMP_MONITOR_INT_H

#include <json-c/json.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "qmp/json-stream.h"
#include "qmp/monitor.h"
#include "util/unix-socket.h"

/* A closing client that does not read its last output is dropped after this */
#define QMP_CLOSE_TIMEOUT_MS 1000
/* qmp_monitor_free() flushes queued events and output for at most this */
#define QMP_DRAIN_TIMEOUT_MS 500

/* json-c flags of a message; pretty lines end in CRLF like the others */
#define QMP_JSON_PLAIN (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
#define QMP_JSON_PRETTY                                                        \
	(JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE)

/* What an epoll event points to: the first member of each watched object */
enum qmp_watch_kind {
	QMP_WATCH_WAKE,	    /* the monitor's eventfd */
	QMP_WATCH_LISTENER, /* a listening socket */
	QMP_WATCH_CLIENT,   /* a client connection */
};

/* One listening socket: a --monitor and its --chardev */
struct qmp_listener {
	enum qmp_watch_kind kind; /* QMP_WATCH_LISTENER */
	struct qmp_monitor *mon;
	char *chardev_id;
	int fd;
	struct unix_socket_file file; /* created by us: removed if ours */
	bool pretty;		      /* indented output */
	bool watched;		      /* in the epoll set: accepting */
	uint64_t retry_at_ms; /* accept() paused after a failure until then */
	unsigned int n_clients;
};

/* One client connection and its protocol state */
struct qmp_client {
	enum qmp_watch_kind kind; /* QMP_WATCH_CLIENT */
	struct qmp_client *next;
	struct qmp_listener *listener;
	int fd;
	unsigned long serial; /* names the client in logs */
	uint32_t watching;    /* epoll events currently asked for */

	/* Input: a stream of JSON texts, split and checked by the lexer */
	struct json_stream lexer;
	json_tokener *tok; /* builds each complete text */
	bool reading;	   /* input is read (off when closing or draining) */

	bool negotiated; /* out of capabilities negotiation mode */
	bool closing;	 /* close once the output is flushed */
	uint64_t close_by_ms;
	bool dead; /* closed; freed by the monitor thread's loop */

	/* Output not yet written: out[out_start..out_end) */
	char *out;
	size_t out_start, out_end, out_cap;
};

struct qmp_monitor {
	enum qmp_watch_kind kind; /* QMP_WATCH_WAKE: the wake_fd's tag */
	struct qmp_target *target;
	struct qmp_listener *listeners;
	unsigned int n_listeners;
	struct qmp_client *clients;
	unsigned long next_serial;
	int epfd;
	int wake_fd; /* eventfd: events queued, or stop */
	pthread_t thread;
	bool started;
	atomic_bool stop;
	/* Stopping: write what is left, read and accept nothing */
	bool draining;
	/* Events taken from the queue, being delivered */
	char *batch[QMP_MAX_PENDING_EVENTS];
};

/* monitor.c */
uint64_t qmp_now_ms(void);
void qmp_monitor_deliver_events(struct qmp_monitor *mon);

/* monitor-client.c */
struct qmp_client *qmp_client_new(struct qmp_listener *l, int fd,
				  struct error **errp);
void qmp_client_ready(struct qmp_client *c, uint32_t events);
void qmp_client_send_text(struct qmp_client *c, const char *text, size_t len);
bool qmp_client_has_output(const struct qmp_client *c);
void qmp_client_stop_reading(struct qmp_client *c);
void qmp_client_close(struct qmp_client *c);
void qmp_client_free(struct qmp_client *c);
bool qmp_client_is_negotiated(const struct qmp_client *c);

#endif /* QD_QMP_MONITOR_INT_H */
