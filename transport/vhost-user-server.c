/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vhost-user server: the socket, accepting front-ends one at a time, and the
 * control loop.
 *
 * The loop runs on the caller's thread and polls five fds: the listening
 * socket, the session's socket, the caller's stop fd, the hold eventfd
 * through which vu_server_hold() wakes it from another thread, and the
 * eventfd of the guest memory guard (a front-end that shrank guest memory
 * under us loses its session). Only
 * vhost-user messages are handled here; device I/O runs on the queue workers.
 * A second front-end, or any while the link is held down, is accepted and
 * closed at once, so it fails fast instead of waiting in the backlog.
 *
 * A front-end that stops half-way through a message would hold the control
 * thread until the message timeout: reading a message also watches an epoll
 * set of the stop fd and the hold eventfd, so a stop or a hold is served at
 * once.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transport/vhost-user-guard.h"
#include "transport/vhost-user-server.h"
#include "transport/vhost-user-session.h"
#include "util/log.h"
#include "util/unix-socket.h"

/* Pending connections: one is served, others are refused at once anyway */
#define VU_LISTEN_BACKLOG 2
/* Pause after an accept() failure that may persist (EMFILE, ENOMEM, ...) */
#define VU_ACCEPT_RETRY_MS 100

struct vu_server {
	struct virtio_device *dev;
	struct vu_session *session;
	int listen_fd; /* -1 when serving an inherited connected socket */
	int conn_fd;   /* inherited connected socket, until run() takes it */
	struct unix_socket_file sock_file; /* ours: removed by free() */
	void (*session_event)(void *opaque, bool connected, const char *reason);
	void *event_opaque;
	int hold_fd;	    /* eventfd: vu_server_hold() wakes the loop */
	int guard_fd;	    /* eventfd: guest memory faulted (guard) */
	bool held;	    /* atomic: refuse front-ends */
	bool end_requested; /* atomic: end the session ("link down") */
	int abort_fd; /* epoll set of stop fd and hold_fd, while running */
};

/* Why a session ended, when the front-end gave no error */
#define REASON_CLOSED	"front-end closed the connection"
#define REASON_STOPPING "server stopping"
#define REASON_LINK	"link down"

/**
 * vu_server_adopt_fd() - Take an inherited socket: listening or connected
 * @srv:	server; listen_fd or conn_fd is set
 * @fd:		the socket (--fd); owned by the server on success
 * @errp:	set if it is not a UNIX stream socket
 *
 * Return: true if @fd can be served
 */
static bool vu_server_adopt_fd(struct vu_server *srv, int fd,
			       struct error **errp)
{
	bool listening;

	if (!unix_socket_adopt(fd, &listening, errp)) {
		error_prepend(errp, "--fd: ");
		return false;
	}
	if (listening)
		srv->listen_fd = fd;
	else
		srv->conn_fd = fd;
	return true;
}

/**
 * vu_server_new() - Create the server for a device
 * @dev:	device to serve; must outlive the server
 * @opts:	socket path or inherited fd, extra protocol features
 * @errp:	set on failure
 *
 * Return: the server, or NULL
 */
struct vu_server *vu_server_new(struct virtio_device *dev,
				const struct vu_server_options *opts,
				struct error **errp)
{
	uint64_t offer = opts->extra_protocol_features;
	struct vu_server *srv;
	unsigned int i;
	bool ok;

	for (i = 0; i < opts->n_device_requests; i++) {
		const struct vu_device_request *r = &opts->device_requests[i];

		if (r->protocol_feature >= 64 ||
		    !(VU_DEVICE_REQUEST_PROTOCOL_FEATURES &
		      (1ULL << r->protocol_feature))) {
			error_setg(errp,
				   "device request %u: protocol feature %u is "
				   "not one for device requests",
				   r->request, r->protocol_feature);
			return NULL;
		}
		offer |= 1ULL << r->protocol_feature;
	}
	if (!opts->socket_path == (opts->fd < 0)) {
		error_setg(errp, "exactly one of a socket path and an fd is "
				 "needed");
		return NULL;
	}
	srv = calloc(1, sizeof(*srv));
	if (!srv) {
		error_setg(errp, "out of memory for the vhost-user server");
		return NULL;
	}
	srv->dev = dev;
	srv->listen_fd = -1;
	srv->conn_fd = -1;
	srv->abort_fd = -1;
	srv->session_event = opts->session_event;
	srv->event_opaque = opts->event_opaque;
	srv->hold_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (srv->hold_fd < 0) {
		error_setg_errno(errp, errno, "vhost-user server: eventfd");
		free(srv);
		return NULL;
	}
	srv->guard_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (srv->guard_fd < 0 || !vu_guard_start(srv->guard_fd, errp)) {
		if (srv->guard_fd < 0)
			error_setg_errno(errp, errno,
					 "vhost-user server: eventfd");
		else
			close(srv->guard_fd);
		close(srv->hold_fd);
		free(srv);
		return NULL;
	}
	srv->session = vu_session_new(dev, offer, errp);
	if (!srv->session) {
		vu_guard_stop();
		close(srv->guard_fd);
		close(srv->hold_fd);
		free(srv);
		return NULL;
	}
	srv->session->device_requests = opts->device_requests;
	srv->session->n_device_requests = opts->n_device_requests;
	srv->session->queue_num = opts->queue_num;
	if (opts->socket_path) {
		srv->listen_fd =
			unix_socket_listen(opts->socket_path, VU_LISTEN_BACKLOG,
					   &srv->sock_file, errp);
		ok = srv->listen_fd >= 0;
	} else
		ok = vu_server_adopt_fd(srv, opts->fd, errp);
	if (!ok) {
		vu_session_free(srv->session);
		vu_guard_stop();
		close(srv->guard_fd);
		close(srv->hold_fd);
		free(srv);
		return NULL;
	}
	return srv;
}

/**
 * vu_server_attached() - Log and announce a front-end just attached
 * @srv:	server
 */
static void vu_server_attached(struct vu_server *srv)
{
	log_info("front-end connected");
	if (srv->session_event)
		srv->session_event(srv->event_opaque, true, NULL);
}

/**
 * vu_server_accept() - Accept a front-end, or refuse it if one is served
 * @srv:	server with a listening socket
 */
static void vu_server_accept(struct vu_server *srv)
{
	struct error *err = NULL;
	int fd;

	fd = accept4(srv->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
		    errno == ECONNABORTED)
			return;
		log_warn("accept: %s", strerror(errno));
		poll(NULL, 0, VU_ACCEPT_RETRY_MS);
		return;
	}
	if (__atomic_load_n(&srv->held, __ATOMIC_ACQUIRE)) {
		log_info("refusing a front-end: held (link down)");
		close(fd);
		return;
	}
	if (vu_session_active(srv->session)) {
		log_warn("refusing a second front-end: one is already "
			 "connected");
		close(fd);
		return;
	}
	if (!vu_session_attach(srv->session, fd, &err)) {
		error_report_err(err);
		return;
	}
	vu_server_attached(srv);
}

/**
 * vu_server_end_session() - End the session, log and announce why
 * @srv:	server
 * @err:	the error that ended it (freed), or NULL
 * @reason:	why it ended if @err is NULL: REASON_CLOSED, ...
 */
static void vu_server_end_session(struct vu_server *srv, struct error *err,
				  const char *reason)
{
	if (err) {
		log_err("front-end session ended: %s", error_get_pretty(err));
		reason = error_get_pretty(err);
	}
	vu_session_end(srv->session);
	if (err)
		log_info("front-end disconnected");
	else
		log_info("front-end disconnected (%s)", reason);
	if (srv->session_event)
		srv->session_event(srv->event_opaque, false, reason);
	error_free(err);
}

/**
 * vu_server_fd_ready() - Whether an fd is readable right now
 * @fd:		file descriptor, or -1
 *
 * Return: true if a read would not block
 */
static bool vu_server_fd_ready(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return fd >= 0 && poll(&pfd, 1, 0) == 1;
}

/**
 * vu_server_interrupted() - Why a message was abandoned, if we made it so
 * @srv:	server
 * @stop_fd:	the caller's stop fd
 *
 * Reading a message gives up when the stop fd or the hold eventfd fires;
 * the session then ends for that reason, not for the read's error.
 *
 * Return: REASON_STOPPING, REASON_LINK, or NULL if neither was asked for
 */
static const char *vu_server_interrupted(struct vu_server *srv, int stop_fd)
{
	if (vu_server_fd_ready(stop_fd))
		return REASON_STOPPING;
	if (__atomic_exchange_n(&srv->end_requested, false, __ATOMIC_ACQ_REL))
		return REASON_LINK;
	return NULL;
}

/**
 * vu_server_take_hold() - The hold eventfd fired: end the session if asked
 * @srv:	server
 */
static void vu_server_take_hold(struct vu_server *srv)
{
	uint64_t v;

	if (read(srv->hold_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_warn("hold eventfd: %s", strerror(errno));
	if (__atomic_exchange_n(&srv->end_requested, false, __ATOMIC_ACQ_REL) &&
	    vu_session_active(srv->session))
		vu_server_end_session(srv, NULL, REASON_LINK);
}

/**
 * vu_server_take_guard() - Guest memory faulted: end the session
 * @srv:	server
 *
 * The front-end shrank a file it gave us as guest memory; the guard has
 * replaced the mapping with zeros (vhost-user-guard.h). A front-end that
 * pulls memory from under a running device cannot be served any more.
 */
static void vu_server_take_guard(struct vu_server *srv)
{
	struct error *err = NULL;
	unsigned int n;
	uintptr_t addr;

	n = vu_guard_take(&addr);
	if (!n || !vu_session_active(srv->session))
		return;
	error_setg(&err,
		   "guest memory at %p lost its backing (faults: %u): the "
		   "front-end shrank a memory file under a mapped region, "
		   "which now reads zeros",
		   (void *)addr, n);
	vu_server_end_session(srv, err, NULL);
}

/**
 * vu_server_serve() - Handle one message; end the session if it must end
 * @srv:	server with an active session whose socket is readable
 * @stop_fd:	the caller's stop fd
 */
static void vu_server_serve(struct vu_server *srv, int stop_fd)
{
	struct error *err = NULL;
	const char *why;

	if (vu_session_process(srv->session, &err))
		return;
	why = vu_server_interrupted(srv, stop_fd);
	if (why) {
		/* "shutting down after n bytes": we cut it short */
		error_free(err);
		err = NULL;
	}
	vu_server_end_session(srv, err, why ? why : REASON_CLOSED);
}

/**
 * vu_server_abort_set() - The epoll set that cuts a message short
 * @srv:	server; abort_fd is set
 * @stop_fd:	the caller's stop fd, or -1
 * @errp:	set on failure
 *
 * Return: true on success
 */
static bool vu_server_abort_set(struct vu_server *srv, int stop_fd,
				struct error **errp)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd = epoll_create1(EPOLL_CLOEXEC);

	if (fd < 0) {
		error_setg_errno(errp, errno, "vhost-user server: epoll");
		return false;
	}
	if (epoll_ctl(fd, EPOLL_CTL_ADD, srv->hold_fd, &ev) < 0) {
		error_setg_errno(
			errp, errno,
			"vhost-user server: watching the hold eventfd");
		close(fd);
		return false;
	}
	if (stop_fd >= 0 && epoll_ctl(fd, EPOLL_CTL_ADD, stop_fd, &ev) < 0) {
		error_setg_errno(errp, errno,
				 "vhost-user server: watching stop fd %d",
				 stop_fd);
		close(fd);
		return false;
	}
	srv->abort_fd = fd;
	return true;
}

/**
 * vu_server_loop() - The control loop of vu_server_run()
 * @srv:	server
 * @stop_fd:	readable when the server must stop, or -1
 * @errp:	set on a fatal error
 *
 * Return: true on a clean stop, false on a fatal error
 */
static bool vu_server_loop(struct vu_server *srv, int stop_fd,
			   struct error **errp)
{
	bool oneshot = srv->listen_fd < 0;

	for (;;) {
		struct pollfd pfd[5] = {
			{ .fd = srv->listen_fd, .events = POLLIN },
			{ .fd = srv->session->fd, .events = POLLIN },
			{ .fd = stop_fd, .events = POLLIN },
			{ .fd = srv->hold_fd, .events = POLLIN },
			{ .fd = srv->guard_fd, .events = POLLIN },
		};
		int r;

		if (oneshot && !vu_session_active(srv->session))
			return true;
		r = poll(pfd, 5, -1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			error_setg_errno(errp, errno, "poll");
			return false;
		}
		if (pfd[2].revents) {
			if (vu_session_active(srv->session))
				vu_server_end_session(srv, NULL,
						      REASON_STOPPING);
			return true;
		}
		if (pfd[3].revents)
			vu_server_take_hold(srv);
		if (pfd[4].revents)
			vu_server_take_guard(srv);
		/* Not if the hold just ended it */
		if (pfd[1].revents && vu_session_active(srv->session))
			vu_server_serve(srv, stop_fd);
		if (pfd[0].revents & POLLIN)
			vu_server_accept(srv);
	}
}

/**
 * vu_server_run() - Serve front-ends until told to stop
 * @srv:	server
 * @stop_fd:	readable when the server must stop (e.g. a signalfd), or -1
 * @errp:	set on a fatal error
 *
 * On a stop the session, if any, ends first ("server stopping"), so its
 * events come while the caller still listens. With an inherited connected
 * socket, return when that session ends.
 *
 * Return: true on a clean stop, false on a fatal error
 */
bool vu_server_run(struct vu_server *srv, int stop_fd, struct error **errp)
{
	bool ok;

	/* A half-sent message must not delay a stop or a hold */
	if (!vu_server_abort_set(srv, stop_fd, errp))
		return false;
	srv->session->abort_fd = srv->abort_fd;

	ok = true;
	if (srv->conn_fd >= 0) {
		int fd = srv->conn_fd;

		srv->conn_fd = -1;
		ok = vu_session_attach(srv->session, fd, errp);
		if (ok)
			vu_server_attached(srv);
	}
	if (ok)
		ok = vu_server_loop(srv, stop_fd, errp);

	srv->session->abort_fd = -1;
	close(srv->abort_fd);
	srv->abort_fd = -1;
	return ok;
}

/**
 * vu_server_free() - End the session, close the socket, remove its file
 * @srv:	server, may be NULL
 *
 * The socket file is removed only if it is still the one we created.
 */
void vu_server_free(struct vu_server *srv)
{
	if (!srv)
		return;
	if (vu_session_active(srv->session))
		vu_server_end_session(srv, NULL, REASON_STOPPING);
	vu_session_free(srv->session);
	vu_guard_stop();
	close(srv->guard_fd);
	close(srv->hold_fd);
	if (srv->listen_fd >= 0)
		close(srv->listen_fd);
	if (srv->conn_fd >= 0)
		close(srv->conn_fd);
	unix_socket_file_remove(&srv->sock_file);
	free(srv);
}

/**
 * vu_server_query() - The session and its queues, from any thread
 * @srv:	server
 * @info:	filled; info->queues is allocated (the caller frees it)
 * @errp:	set if memory ran out
 *
 * Return: true on success
 */
bool vu_server_query(struct vu_server *srv, struct vu_server_info *info,
		     struct error **errp)
{
	if (!vu_session_query(srv->session, info, errp))
		return false;
	info->held = __atomic_load_n(&srv->held, __ATOMIC_ACQUIRE);
	return true;
}

/**
 * vu_server_hold() - Hold the link down, or release it, from any thread
 * @srv:	server
 * @hold:	true: end the session soon and refuse front-ends; false: accept
 *		them again
 *
 * Only flags and an eventfd: the control thread ends the session when it
 * next wakes up (at once, also in the middle of a message).
 *
 * Return: whether a front-end was connected when called
 */
bool vu_server_hold(struct vu_server *srv, bool hold)
{
	static const uint64_t one = 1;
	bool connected = vu_session_connected(srv->session);

	__atomic_store_n(&srv->held, hold, __ATOMIC_RELEASE);
	if (hold) {
		__atomic_store_n(&srv->end_requested, true, __ATOMIC_RELEASE);
		if (write(srv->hold_fd, &one, sizeof(one)) < 0)
			log_warn("hold eventfd: %s", strerror(errno));
	}
	return connected;
}
