/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The QMP monitor: its thread, listening sockets and event queue.
 *
 * One thread runs an epoll loop over every listening socket, every client
 * and an eventfd. Events come from any thread: qmp_event_emit() turns an
 * event into text on the caller's thread, appends it to a bounded queue
 * under a mutex held only for that, and wakes the monitor thread, which
 * writes it to every negotiated client. The emitter never waits for a
 * client: when the queue is full the event is dropped and counted.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "qmp/monitor-int.h"
#include "util/log.h"
#include "util/thread.h"

/* epoll events handled per wake-up */
#define QMP_EPOLL_EVENTS 32
/* Connections accepted per wake-up of a listening socket */
#define QMP_ACCEPT_BATCH 8
/* Pause of a listening socket after an accept() failure (EMFILE, ...) */
#define QMP_ACCEPT_RETRY_MS 100

/*
 * The process's events: queued by any thread for the monitor that runs.
 * @mon is set by qmp_monitor_start() and cleared by qmp_monitor_free(), so
 * that events nobody can receive are discarded at once.
 */
static struct {
	pthread_mutex_t lock;
	struct qmp_monitor *mon;
	char *ring[QMP_MAX_PENDING_EVENTS]; /* JSON texts, oldest at head */
	unsigned int head, count;
	unsigned long dropped; /* since the monitor thread last looked */
} qmp_events = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

static const char *const qmp_error_class_names[QMP_ERROR_CLASS__MAX] = {
	[QMP_ERROR_CLASS_GENERIC_ERROR] = "GenericError",
	[QMP_ERROR_CLASS_COMMAND_NOT_FOUND] = "CommandNotFound",
	[QMP_ERROR_CLASS_DEVICE_NOT_ACTIVE] = "DeviceNotActive",
	[QMP_ERROR_CLASS_DEVICE_NOT_FOUND] = "DeviceNotFound",
	[QMP_ERROR_CLASS_KVM_MISSING_CAP] = "KVMMissingCap",
};

/**
 * qmp_error_class_name() - The "class" member of an error response
 * @cls:	enum qmp_error_class
 *
 * Return: QEMU's name of the class; GenericError for an unknown one
 */
const char *qmp_error_class_name(int cls)
{
	if (cls < 0 || cls >= QMP_ERROR_CLASS__MAX)
		return qmp_error_class_names[QMP_ERROR_CLASS_GENERIC_ERROR];
	return qmp_error_class_names[cls];
}

/**
 * qmp_command_find() - The dispatch table's entry for a command
 * @name:	command name
 *
 * A linear search: the table is a few dozen entries, and a lookup does not
 * rely on how the generator sorted it.
 *
 * Return: the entry, or NULL
 */
const struct qmp_command *qmp_command_find(const char *name)
{
	size_t i;

	for (i = 0; i < qmp_n_commands; i++)
		if (!strcmp(qmp_commands[i].name, name))
			return &qmp_commands[i];
	return NULL;
}

/**
 * qmp_now_ms() - Monotonic time for the monitor's deadlines
 *
 * Return: milliseconds
 */
uint64_t qmp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/**
 * qmp_monitor_wake() - Wake the monitor thread
 * @mon:	monitor
 */
static void qmp_monitor_wake(struct qmp_monitor *mon)
{
	uint64_t one = 1;
	ssize_t r;

	/* Never blocks: non-blocking, and a full counter is awake anyway */
	r = write(mon->wake_fd, &one, sizeof(one));
	(void)r;
}

/**
 * qmp_event_text() - An event as the JSON text sent to clients
 * @name:	event name
 * @data:	its data (reference taken over), or NULL
 * @tv:		when it happened
 *
 * Return: the text (free() it), or NULL if out of memory
 */
static char *qmp_event_text(const char *name, json_object *data,
			    const struct timeval *tv)
{
	json_object *ev = json_object_new_object();
	json_object *ts = json_object_new_object();
	char *text = NULL;

	if (ev && ts) {
		json_object_object_add(ev, "event",
				       json_object_new_string(name));
		if (data)
			json_object_object_add(ev, "data", data);
		data = NULL;
		json_object_object_add(ts, "seconds",
				       json_object_new_int64(tv->tv_sec));
		json_object_object_add(ts, "microseconds",
				       json_object_new_int64(tv->tv_usec));
		json_object_object_add(ev, "timestamp", ts);
		ts = NULL;
		text = strdup(
			json_object_to_json_string_ext(ev, QMP_JSON_PLAIN));
	}
	json_object_put(data);
	json_object_put(ts);
	json_object_put(ev);
	return text;
}

/**
 * qmp_event_emit() - Send an event to every negotiated client (any thread)
 * @name:	event name
 * @data:	its data (reference taken over), or NULL for none
 */
void qmp_event_emit(const char *name, json_object *data)
{
	struct qmp_monitor *mon;
	struct timeval tv;
	char *text;

	if (gettimeofday(&tv, NULL) < 0)
		tv.tv_sec = tv.tv_usec = -1;
	pthread_mutex_lock(&qmp_events.lock);
	mon = qmp_events.mon;
	pthread_mutex_unlock(&qmp_events.lock);
	if (!mon) {
		json_object_put(data);
		return;
	}

	/* json-c objects are not shared between threads: only text is */
	text = qmp_event_text(name, data, &tv);

	pthread_mutex_lock(&qmp_events.lock);
	mon = qmp_events.mon;
	if (mon && text && qmp_events.count < QMP_MAX_PENDING_EVENTS) {
		qmp_events.ring[(qmp_events.head + qmp_events.count) %
				QMP_MAX_PENDING_EVENTS] = text;
		text = NULL;
		/* Once per batch: the monitor thread takes the whole queue */
		if (qmp_events.count++ == 0)
			qmp_monitor_wake(mon);
	} else if (mon) {
		/* Logged by the monitor thread: I/O is not for this thread */
		qmp_events.dropped++;
	}
	pthread_mutex_unlock(&qmp_events.lock);
	free(text);
}

/**
 * qmp_events_pop_locked() - Take the oldest queued event, under the lock
 *
 * Return: its text (the caller's now), or NULL if none is queued
 */
static char *qmp_events_pop_locked(void)
{
	char *text;

	if (!qmp_events.count)
		return NULL;
	text = qmp_events.ring[qmp_events.head];
	qmp_events.ring[qmp_events.head] = NULL;
	qmp_events.head = (qmp_events.head + 1) % QMP_MAX_PENDING_EVENTS;
	qmp_events.count--;
	return text;
}

/**
 * qmp_events_take() - Take every queued event
 * @batch:	filled with the texts, oldest first
 * @dropped:	set to the events dropped since the last call
 *
 * Return: number of texts in @batch
 */
static unsigned int qmp_events_take(char **batch, unsigned long *dropped)
{
	unsigned int n = 0;
	char *text;

	/* At most QMP_MAX_PENDING_EVENTS are queued: @batch holds them all */
	pthread_mutex_lock(&qmp_events.lock);
	while ((text = qmp_events_pop_locked()))
		batch[n++] = text;
	*dropped = qmp_events.dropped;
	qmp_events.dropped = 0;
	pthread_mutex_unlock(&qmp_events.lock);
	return n;
}

/**
 * qmp_monitor_send_event() - Queue an event to every negotiated client
 * @mon:	monitor
 * @text:	the event as plain JSON text
 */
static void qmp_monitor_send_event(struct qmp_monitor *mon, const char *text)
{
	size_t len = strlen(text), pretty_len = 0;
	json_object *obj = NULL;
	const char *pretty = NULL;
	struct qmp_client *c;

	for (c = mon->clients; c; c = c->next) {
		if (c->dead || c->closing || !c->negotiated)
			continue;
		if (!c->listener->pretty) {
			qmp_client_send_text(c, text, len);
			continue;
		}
		/* Pretty monitors are rare: re-format once, when needed */
		if (!obj) {
			obj = json_tokener_parse(text);
			pretty = json_object_to_json_string_length(
				obj, QMP_JSON_PRETTY, &pretty_len);
		}
		if (pretty)
			qmp_client_send_text(c, pretty, pretty_len);
	}
	json_object_put(obj);
}

/**
 * qmp_monitor_deliver_events() - Send the queued events, oldest first
 * @mon:	monitor, on its thread
 */
void qmp_monitor_deliver_events(struct qmp_monitor *mon)
{
	unsigned long dropped;
	unsigned int n, i;

	n = qmp_events_take(mon->batch, &dropped);
	if (dropped)
		log_warn("QMP: %lu events dropped: more than %d were waiting",
			 dropped, QMP_MAX_PENDING_EVENTS);
	for (i = 0; i < n; i++) {
		qmp_monitor_send_event(mon, mon->batch[i]);
		free(mon->batch[i]);
		mon->batch[i] = NULL;
	}
}

/**
 * qmp_events_discard() - Drop whatever is queued
 */
static void qmp_events_discard(void)
{
	char *text;

	pthread_mutex_lock(&qmp_events.lock);
	while ((text = qmp_events_pop_locked()))
		free(text);
	qmp_events.dropped = 0;
	pthread_mutex_unlock(&qmp_events.lock);
}

/**
 * qmp_listener_watch() - Start or stop accepting on a listening socket
 * @l:		listening socket
 * @on:		accept from now on, or not
 */
static void qmp_listener_watch(struct qmp_listener *l, bool on)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = l };

	if (on == l->watched)
		return;
	if (epoll_ctl(l->mon->epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, l->fd,
		      &ev) < 0) {
		log_warn("QMP monitor '%s': epoll: %s", l->chardev_id,
			 strerror(errno));
		return;
	}
	l->watched = on;
}

/**
 * qmp_listener_accept() - Accept the clients waiting on a listening socket
 * @l:		listening socket
 *
 * Beyond QMP_MAX_CLIENTS a client is accepted and closed at once, so that
 * it fails fast rather than waiting in the backlog. After a failure that
 * may last (EMFILE, ENOMEM), the socket is not watched for a while.
 */
static void qmp_listener_accept(struct qmp_listener *l)
{
	struct qmp_monitor *mon = l->mon;
	struct error *err = NULL;
	struct qmp_client *c;
	unsigned int i;
	int fd;

	for (i = 0; i < QMP_ACCEPT_BATCH; i++) {
		fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			log_warn("QMP monitor '%s': accept: %s", l->chardev_id,
				 strerror(errno));
			qmp_listener_watch(l, false);
			l->retry_at_ms = qmp_now_ms() + QMP_ACCEPT_RETRY_MS;
			return;
		}
		if (l->n_clients >= QMP_MAX_CLIENTS) {
			log_warn("QMP monitor '%s': refusing a client: %d are "
				 "connected",
				 l->chardev_id, QMP_MAX_CLIENTS);
			close(fd);
			continue;
		}
		c = qmp_client_new(l, fd, &err);
		if (!c) {
			error_report_err(err);
			err = NULL;
			continue;
		}
		c->next = mon->clients;
		mon->clients = c;
	}
}

/**
 * qmp_monitor_begin_drain() - Stop accepting and reading: only write
 * @mon:	monitor
 */
static void qmp_monitor_begin_drain(struct qmp_monitor *mon)
{
	struct qmp_client *c;
	unsigned int i;

	mon->draining = true;
	for (i = 0; i < mon->n_listeners; i++) {
		qmp_listener_watch(&mon->listeners[i], false);
		mon->listeners[i].retry_at_ms = 0;
	}
	for (c = mon->clients; c; c = c->next)
		qmp_client_stop_reading(c);
}

/**
 * qmp_monitor_drained() - Whether every client's output is written
 * @mon:	monitor
 *
 * Return: true if nothing is left to write
 */
static bool qmp_monitor_drained(const struct qmp_monitor *mon)
{
	const struct qmp_client *c;

	for (c = mon->clients; c; c = c->next)
		if (!c->dead && qmp_client_has_output(c))
			return false;
	return true;
}

/**
 * qmp_monitor_timers() - Act on deadlines; compute the next one
 * @mon:	monitor
 * @drain_by:	end of the drain, if draining
 *
 * Return: epoll_wait() timeout in ms, -1 for none
 */
static int qmp_monitor_timers(struct qmp_monitor *mon, uint64_t drain_by)
{
	uint64_t now = qmp_now_ms(), next = UINT64_MAX;
	struct qmp_client *c;
	unsigned int i;

	for (i = 0; i < mon->n_listeners; i++) {
		struct qmp_listener *l = &mon->listeners[i];

		if (!l->retry_at_ms)
			continue;
		if (now >= l->retry_at_ms) {
			l->retry_at_ms = 0;
			qmp_listener_watch(l, true);
		} else if (l->retry_at_ms < next) {
			next = l->retry_at_ms;
		}
	}
	for (c = mon->clients; c; c = c->next) {
		if (c->dead || !c->closing)
			continue;
		if (now >= c->close_by_ms) {
			log_debug("QMP client %lu does not read its last "
				  "output: closing",
				  c->serial);
			qmp_client_close(c);
		} else if (c->close_by_ms < next) {
			next = c->close_by_ms;
		}
	}
	if (mon->draining && drain_by < next)
		next = drain_by;
	if (next == UINT64_MAX)
		return -1;
	if (next <= now)
		return 0;
	return next - now > INT_MAX ? INT_MAX : (int)(next - now);
}

/**
 * qmp_monitor_reap() - Free the clients closed during this round
 * @mon:	monitor
 */
static void qmp_monitor_reap(struct qmp_monitor *mon)
{
	struct qmp_client **pp = &mon->clients, *c;

	while ((c = *pp)) {
		if (c->dead) {
			*pp = c->next;
			qmp_client_free(c);
		} else {
			pp = &c->next;
		}
	}
}

/**
 * qmp_monitor_handle() - Handle one epoll event
 * @mon:	monitor
 * @ev:		the event
 */
static void qmp_monitor_handle(struct qmp_monitor *mon,
			       const struct epoll_event *ev)
{
	enum qmp_watch_kind *kind = ev->data.ptr;
	struct qmp_client *c;
	uint64_t count;
	ssize_t r;

	switch (*kind) {
	case QMP_WATCH_WAKE:
		/* Events are picked up after every round anyway */
		r = read(mon->wake_fd, &count, sizeof(count));
		(void)r;
		break;
	case QMP_WATCH_LISTENER:
		qmp_listener_accept((struct qmp_listener *)kind);
		break;
	case QMP_WATCH_CLIENT:
		c = (struct qmp_client *)kind;
		/* It may have been closed earlier in this round */
		if (!c->dead)
			qmp_client_ready(c, ev->events);
		break;
	}
}

/**
 * qmp_monitor_thread() - The monitor thread: serve until stopped and drained
 * @opaque:	struct qmp_monitor
 *
 * Return: NULL
 */
static void *qmp_monitor_thread(void *opaque)
{
	struct epoll_event evs[QMP_EPOLL_EVENTS];
	struct qmp_monitor *mon = opaque;
	uint64_t drain_by = 0;
	int timeout = -1, n, i;

	for (;;) {
		n = epoll_wait(mon->epfd, evs, QMP_EPOLL_EVENTS, timeout);
		if (n < 0) {
			if (errno != EINTR) {
				log_err("QMP monitor: epoll_wait: %s",
					strerror(errno));
				break;
			}
			n = 0;
		}
		for (i = 0; i < n; i++)
			qmp_monitor_handle(mon, &evs[i]);
		if (!mon->draining && atomic_load(&mon->stop)) {
			qmp_monitor_begin_drain(mon);
			drain_by = qmp_now_ms() + QMP_DRAIN_TIMEOUT_MS;
		}
		qmp_monitor_deliver_events(mon);
		timeout = qmp_monitor_timers(mon, drain_by);
		qmp_monitor_reap(mon);
		if (mon->draining &&
		    (qmp_monitor_drained(mon) || qmp_now_ms() >= drain_by))
			break;
	}
	return NULL;
}

/**
 * qmp_listener_adopt() - Take an inherited listening socket
 * @l:		listener; fd is set on success
 * @fd:		the socket (fd=)
 * @errp:	set if it is not a listening UNIX stream socket
 *
 * Return: true if @fd is ours now
 */
static bool qmp_listener_adopt(struct qmp_listener *l, int fd,
			       struct error **errp)
{
	bool listening;

	if (!unix_socket_adopt(fd, &listening, errp))
		return false;
	if (!listening) {
		error_setg(errp, "fd %d is not a listening socket", fd);
		return false;
	}
	l->fd = fd;
	return true;
}

/**
 * qmp_listener_init() - Create or adopt the socket of one monitor
 * @mon:	monitor
 * @l:		its listener, zeroed
 * @spec:	what the command line asked for
 * @errp:	set on failure, naming the monitor
 *
 * Return: true on success
 */
static bool qmp_listener_init(struct qmp_monitor *mon, struct qmp_listener *l,
			      const struct qmp_monitor_spec *spec,
			      struct error **errp)
{
	const char *id = spec->chardev_id ? spec->chardev_id : "?";
	bool ok;

	l->kind = QMP_WATCH_LISTENER;
	l->mon = mon;
	l->fd = -1;
	l->pretty = spec->pretty;
	l->chardev_id = strdup(id);
	if (!l->chardev_id) {
		error_setg(errp, "out of memory for QMP monitor '%s'", id);
		return false;
	}
	if (!spec->path == (spec->fd < 0)) {
		error_setg(errp,
			   "QMP monitor '%s': exactly one of a socket "
			   "path and an fd is needed",
			   id);
		return false;
	}
	if (spec->path)
		ok = (l->fd = unix_socket_listen(spec->path, QMP_MAX_CLIENTS,
						 &l->file, errp)) >= 0;
	else
		ok = qmp_listener_adopt(l, spec->fd, errp);
	if (!ok) {
		error_prepend(errp, "QMP monitor '%s': ", id);
		return false;
	}
	return true;
}

/**
 * qmp_monitor_new() - Create or adopt the listening sockets of @cfg
 * @cfg:	monitors of the command line
 * @target:	handed to every command handler
 * @errp:	set on failure
 *
 * An inherited fd= socket belongs to the monitor on success; on failure
 * none is closed.
 *
 * Return: the monitor, not running yet, or NULL
 */
struct qmp_monitor *qmp_monitor_new(const struct qmp_monitor_config *cfg,
				    struct qmp_target *target,
				    struct error **errp)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct qmp_monitor *mon = calloc(1, sizeof(*mon));
	unsigned int i;

	if (!mon) {
		error_setg(errp, "out of memory for the QMP monitor");
		return NULL;
	}
	mon->kind = QMP_WATCH_WAKE;
	mon->target = target;
	mon->epfd = epoll_create1(EPOLL_CLOEXEC);
	mon->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ev.data.ptr = mon;
	if (mon->epfd < 0 || mon->wake_fd < 0 ||
	    epoll_ctl(mon->epfd, EPOLL_CTL_ADD, mon->wake_fd, &ev) < 0) {
		error_setg_errno(errp, errno, "QMP monitor: epoll/eventfd");
		goto fail;
	}
	if (cfg->n_specs) {
		mon->listeners = calloc(cfg->n_specs, sizeof(*mon->listeners));
		if (!mon->listeners) {
			error_setg(errp, "out of memory for the QMP monitor");
			goto fail;
		}
	}
	for (i = 0; i < cfg->n_specs; i++) {
		mon->n_listeners++;
		if (!qmp_listener_init(mon, &mon->listeners[i], &cfg->specs[i],
				       errp))
			goto fail;
	}
	for (i = 0; i < mon->n_listeners; i++) {
		qmp_listener_watch(&mon->listeners[i], true);
		if (!mon->listeners[i].watched) {
			error_setg(errp,
				   "QMP monitor '%s': cannot watch its "
				   "socket",
				   mon->listeners[i].chardev_id);
			goto fail;
		}
	}
	return mon;

fail:
	/* Inherited sockets stay with the caller */
	for (i = 0; i < mon->n_listeners; i++)
		if (!mon->listeners[i].file.path)
			mon->listeners[i].fd = -1;
	qmp_monitor_free(mon);
	return NULL;
}

/**
 * qmp_monitor_start() - Start the monitor thread; events flow from now on
 * @mon:	monitor; only one runs at a time in a process
 * @errp:	set on failure
 *
 * The thread blocks every signal: they are the main thread's business.
 *
 * Return: true if running
 */
bool qmp_monitor_start(struct qmp_monitor *mon, struct error **errp)
{
	int r;

	pthread_mutex_lock(&qmp_events.lock);
	if (qmp_events.mon || mon->started) {
		pthread_mutex_unlock(&qmp_events.lock);
		error_setg(errp, "a QMP monitor runs already");
		return false;
	}
	qmp_events.mon = mon;
	pthread_mutex_unlock(&qmp_events.lock);

	r = thread_create_quiet(&mon->thread, qmp_monitor_thread, mon);
	if (r) {
		pthread_mutex_lock(&qmp_events.lock);
		qmp_events.mon = NULL;
		pthread_mutex_unlock(&qmp_events.lock);
		qmp_events_discard();
		error_setg_errno(errp, r, "QMP monitor thread");
		return false;
	}
	mon->started = true;
	return true;
}

/**
 * qmp_monitor_stop() - Stop the thread after a bounded flush of its output
 * @mon:	monitor, running
 *
 * Events emitted before the call are delivered; later ones are discarded.
 */
static void qmp_monitor_stop(struct qmp_monitor *mon)
{
	pthread_mutex_lock(&qmp_events.lock);
	if (qmp_events.mon == mon)
		qmp_events.mon = NULL;
	pthread_mutex_unlock(&qmp_events.lock);
	atomic_store(&mon->stop, true);
	qmp_monitor_wake(mon);
	pthread_join(mon->thread, NULL);
	mon->started = false;
	/* Left over if the drain timed out */
	qmp_events_discard();
}

/**
 * qmp_monitor_free() - Flush, stop, close every connection and socket
 * @mon:	monitor, may be NULL; not from the monitor thread (a handler)
 *
 * Queued events and output are written for at most QMP_DRAIN_TIMEOUT_MS.
 * A socket file is removed only if it is still the one we created.
 */
void qmp_monitor_free(struct qmp_monitor *mon)
{
	struct qmp_client *c;
	unsigned int i;

	if (!mon)
		return;
	if (mon->started && pthread_equal(pthread_self(), mon->thread)) {
		/* Joining itself would hang: a handler must ask main to quit */
		log_err("QMP monitor freed by its own thread: left running");
		return;
	}
	if (mon->started)
		qmp_monitor_stop(mon);
	while ((c = mon->clients)) {
		mon->clients = c->next;
		qmp_client_free(c);
	}
	for (i = 0; i < mon->n_listeners; i++) {
		struct qmp_listener *l = &mon->listeners[i];

		if (l->fd >= 0)
			close(l->fd);
		unix_socket_file_remove(&l->file);
		free(l->chardev_id);
	}
	free(mon->listeners);
	if (mon->wake_fd >= 0)
		close(mon->wake_fd);
	if (mon->epfd >= 0)
		close(mon->epfd);
	free(mon);
}
