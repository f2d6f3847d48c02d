/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vhost-user server: the socket, accepting front-ends one at a time, and the
 * control loop.
 *
 * The loop runs on the caller's thread and polls three fds: the listening
 * socket, the session's socket and the caller's stop fd. Only vhost-user
 * messages are handled here; device I/O runs on the queue workers. A second
 * front-end is accepted and closed at once, so it fails fast instead of
 * waiting in the backlog while the first one is served.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "transport/vhost-user-server.h"
#include "transport/vhost-user-session.h"
#include "util/log.h"

/* Pending connections: one is served, others are refused at once anyway */
#define VU_LISTEN_BACKLOG 2
/* Pause after an accept() failure that may persist (EMFILE, ENOMEM, ...) */
#define VU_ACCEPT_RETRY_MS 100

struct vu_server {
	struct virtio_device *dev;
	struct vu_session *session;
	int listen_fd; /* -1 when serving an inherited connected socket */
	int conn_fd;   /* inherited connected socket, until run() takes it */
	char *socket_path; /* created by us: unlinked by vu_server_free() */
	dev_t sock_dev;	   /* identity of the socket file we created */
	ino_t sock_ino;
};

/**
 * vu_unlink_stale_socket() - Remove a socket file left by a previous server
 * @path:	socket path
 * @errp:	set if a non-socket file is there, or a server still listens
 *
 * Return: true if @path is free to bind
 */
static bool vu_unlink_stale_socket(const char *path, struct error **errp)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, r;

	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return true;
		error_setg_errno(errp, errno, "socket path %s", path);
		return false;
	}
	if (!S_ISSOCK(st.st_mode)) {
		error_setg(errp, "socket path %s exists and is not a socket",
			   path);
		return false;
	}
	/*
	 * Only a socket nobody listens on is stale: connect() says so with
	 * ECONNREFUSED. Anything else (success, EAGAIN from a server whose
	 * backlog is full, EACCES, ...) leaves the file alone. Non-blocking,
	 * as a blocking connect() waits for room in that backlog.
	 */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		error_setg_errno(errp, errno, "socket");
		return false;
	}
	memcpy(addr.sun_path, path, strlen(path) + 1);
	r = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
	if (r < 0)
		r = errno;
	close(fd);
	if (r == 0 || r == EAGAIN || r == EINPROGRESS) {
		error_setg(errp, "socket path %s: another server is listening",
			   path);
		return false;
	}
	if (r != ECONNREFUSED && r != ENOENT) {
		error_setg_errno(errp, r,
				 "socket path %s: probing for a server", path);
		return false;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		error_setg_errno(errp, errno, "removing stale socket %s", path);
		return false;
	}
	return true;
}

/**
 * vu_server_listen() - Create the listening socket at opts->socket_path
 * @srv:	server; listen_fd, socket_path and its identity are set
 * @path:	socket path
 * @errp:	set on failure
 *
 * Return: true if listening
 */
static bool vu_server_listen(struct vu_server *srv, const char *path,
			     struct error **errp)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		error_setg(errp, "socket path %s is longer than %zu bytes",
			   path, sizeof(addr.sun_path) - 1);
		return false;
	}
	memcpy(addr.sun_path, path, strlen(path) + 1);
	if (!vu_unlink_stale_socket(path, errp))
		return false;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		error_setg_errno(errp, errno, "socket");
		return false;
	}
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		error_setg_errno(errp, errno, "bind %s", path);
		close(fd);
		return false;
	}
	srv->socket_path = strdup(path);
	if (!srv->socket_path || stat(path, &st) < 0 ||
	    listen(fd, VU_LISTEN_BACKLOG) < 0) {
		error_setg_errno(errp, srv->socket_path ? errno : ENOMEM,
				 "listen on %s", path);
		unlink(path);
		close(fd);
		free(srv->socket_path);
		srv->socket_path = NULL;
		return false;
	}
	srv->sock_dev = st.st_dev;
	srv->sock_ino = st.st_ino;
	srv->listen_fd = fd;
	return true;
}

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
	int domain, type, listening, flags;
	socklen_t len = sizeof(int);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0) {
		error_setg_errno(errp, errno, "--fd %d is not a socket", fd);
		return false;
	}
	len = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 ||
	    domain != AF_UNIX || type != SOCK_STREAM) {
		error_setg(errp, "--fd %d is not a UNIX stream socket", fd);
		return false;
	}
	len = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0) {
		error_setg_errno(errp, errno, "--fd %d: SO_ACCEPTCONN", fd);
		return false;
	}
	flags = fcntl(fd, F_GETFD);
	if (flags >= 0)
		fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
	if (!listening) {
		srv->conn_fd = fd;
		return true;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		error_setg_errno(errp, errno, "--fd %d: O_NONBLOCK", fd);
		return false;
	}
	srv->listen_fd = fd;
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
	srv->session = vu_session_new(dev, offer, errp);
	if (!srv->session) {
		free(srv);
		return NULL;
	}
	srv->session->device_requests = opts->device_requests;
	srv->session->n_device_requests = opts->n_device_requests;
	srv->session->queue_num = opts->queue_num;
	if (opts->socket_path)
		ok = vu_server_listen(srv, opts->socket_path, errp);
	else
		ok = vu_server_adopt_fd(srv, opts->fd, errp);
	if (!ok) {
		vu_session_free(srv->session);
		free(srv);
		return NULL;
	}
	return srv;
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
	log_info("front-end connected");
}

/**
 * vu_server_end_session() - End the session and log why
 * @srv:	server
 * @err:	why it ended (freed), or NULL for a clean disconnect
 */
static void vu_server_end_session(struct vu_server *srv, struct error *err)
{
	if (err)
		log_err("front-end session ended: %s", error_get_pretty(err));
	error_free(err);
	vu_session_end(srv->session);
	log_info("front-end disconnected");
}

/**
 * vu_server_run() - Serve front-ends until told to stop
 * @srv:	server
 * @stop_fd:	readable when the server must stop (e.g. a signalfd), or -1
 * @errp:	set on a fatal error
 *
 * With an inherited connected socket, return when that session ends.
 *
 * Return: true on a clean stop, false on a fatal error
 */
bool vu_server_run(struct vu_server *srv, int stop_fd, struct error **errp)
{
	bool oneshot = srv->listen_fd < 0;
	struct error *err;

	/* A half-sent message must not delay a stop */
	srv->session->abort_fd = stop_fd;

	if (srv->conn_fd >= 0) {
		int fd = srv->conn_fd;

		srv->conn_fd = -1;
		if (!vu_session_attach(srv->session, fd, errp))
			return false;
		log_info("front-end connected");
	}

	for (;;) {
		struct pollfd pfd[3] = {
			{ .fd = srv->listen_fd, .events = POLLIN },
			{ .fd = srv->session->fd, .events = POLLIN },
			{ .fd = stop_fd, .events = POLLIN },
		};
		int r;

		if (oneshot && !vu_session_active(srv->session))
			return true;
		r = poll(pfd, 3, -1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			error_setg_errno(errp, errno, "poll");
			return false;
		}
		if (pfd[2].revents)
			return true;
		if (pfd[1].revents) {
			err = NULL;
			if (!vu_session_process(srv->session, &err))
				vu_server_end_session(srv, err);
		}
		if (pfd[0].revents & POLLIN)
			vu_server_accept(srv);
	}
}

/**
 * vu_server_free() - End the session, close the socket, remove its file
 * @srv:	server, may be NULL
 *
 * The socket file is removed only if it is still the one we created.
 */
void vu_server_free(struct vu_server *srv)
{
	struct stat st;

	if (!srv)
		return;
	if (vu_session_active(srv->session))
		vu_server_end_session(srv, NULL);
	vu_session_free(srv->session);
	if (srv->listen_fd >= 0)
		close(srv->listen_fd);
	if (srv->conn_fd >= 0)
		close(srv->conn_fd);
	if (srv->socket_path && lstat(srv->socket_path, &st) == 0 &&
	    st.st_dev == srv->sock_dev && st.st_ino == srv->sock_ino)
		unlink(srv->socket_path);
	free(srv->socket_path);
	free(srv);
}
