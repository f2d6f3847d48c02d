/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vhost-user client of the test front-end: message I/O and the requests.
 *
 * The back-end is the party under test, so nothing it sends is trusted: a
 * reply must echo the request id, carry flags VERSION|REPLY and nothing else,
 * have exactly the payload size the request defines, and come without fds.
 * A protocol error leaves the connection unusable; callers close it.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "tests/frontend/frontend.h"

/**
 * vu_request_name() - printable name of a front-end request
 * @req:	request id
 * @buf:	room for the name if it has to be built
 * @size:	size of @buf
 *
 * Return: the name, e.g. "SET_MEM_TABLE", or "request 99" if unknown
 */
const char *vu_request_name(uint32_t req, char *buf, unsigned int size)
{
	const char *name = vhost_user_request_name(req);

	if (strcmp(name, "UNKNOWN"))
		return name;
	snprintf(buf, size, "request %u", req);
	return buf;
}

/**
 * now_ms() - monotonic clock in milliseconds
 *
 * Return: milliseconds since an arbitrary point
 */
static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/**
 * wait_readable() - wait until a socket is readable, bounded
 * @fd:		the socket
 * @timeout_ms:	the bound, for the error message
 * @deadline:	now_ms() value after which to give up
 * @what:	what we wait for, e.g. "reply to GET_FEATURES", for messages
 * @errp:	error on timeout or poll failure
 *
 * Return: true if readable (or hung up: the read reports it)
 */
static bool wait_readable(int fd, int timeout_ms, int64_t deadline,
			  const char *what, struct error **errp)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	for (;;) {
		int64_t left = deadline - now_ms();
		int rc;

		if (left < 0)
			left = 0;
		rc = poll(&pfd, 1, (int)left);
		if (rc > 0)
			return true;
		if (rc == 0) {
			error_setg(errp, "no %s within %d ms", what,
				   timeout_ms);
			return false;
		}
		if (errno != EINTR) {
			error_setg_errno(errp, errno, "poll for %s", what);
			return false;
		}
	}
}

/**
 * close_fds() - close the fds found in a control message
 * @msg:	received message
 *
 * Return: how many fds there were
 */
static unsigned int close_fds(struct msghdr *msg)
{
	struct cmsghdr *c;
	unsigned int n = 0;

	for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		size_t i, count;
		int fd;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < count; i++) {
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			close(fd);
			n++;
		}
	}
	return n;
}

/**
 * recv_exact() - read exactly @len bytes of a message, bounded in time
 * @fe:		front-end
 * @fd:		its socket or back-end channel
 * @buf:	destination
 * @len:	bytes to read
 * @deadline:	now_ms() value after which to give up
 * @what:	what is read, e.g. "reply to GET_FEATURES", for messages
 * @errp:	error on EOF, timeout, socket error or unexpected fds
 *
 * Return: true on success
 */
static bool recv_exact(struct vu_frontend *fe, int fd, void *buf, size_t len,
		       int64_t deadline, const char *what, struct error **errp)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VHOST_USER_MAX_FDS)];
		struct cmsghdr align;
	} control;
	size_t done = 0;

	while (done < len) {
		struct iovec iov = { (char *)buf + done, len - done };
		struct msghdr msg = {
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = control.buf,
			.msg_controllen = sizeof(control.buf),
		};
		ssize_t n;

		if (!wait_readable(fd, fe->timeout_ms, deadline, what, errp))
			return false;
		n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			error_setg_errno(errp, errno, "reading %s", what);
			return false;
		}
		if (close_fds(&msg)) {
			error_setg(errp, "%s came with fds", what);
			return false;
		}
		if (msg.msg_flags & MSG_CTRUNC) {
			error_setg(errp, "%s: control data truncated", what);
			return false;
		}
		if (n == 0) {
			error_setg(errp,
				   "back-end closed the connection after "
				   "%zu of %zu bytes of the %s",
				   done, len, what);
			return false;
		}
		done += (size_t)n;
	}
	return true;
}

/**
 * send_msg() - send one request with optional fds
 * @fe:		front-end
 * @req:	request id
 * @flags:	header flags besides the version (NEED_REPLY)
 * @payload:	payload, may be NULL if @size is 0
 * @size:	payload bytes
 * @fds:	fds to pass, may be NULL
 * @nfds:	their number, at most VHOST_USER_MAX_FDS
 * @errp:	error on failure
 *
 * Return: true on success
 */
static bool send_msg(struct vu_frontend *fe, uint32_t req, uint32_t flags,
		     const void *payload, uint32_t size, const int *fds,
		     unsigned int nfds, struct error **errp)
{
	struct vhost_user_header hdr = {
		.request = req,
		.flags = VHOST_USER_VERSION | flags,
		.size = size,
	};
	union {
		char buf[CMSG_SPACE(sizeof(int) * VHOST_USER_MAX_FDS)];
		struct cmsghdr align;
	} control;
	struct iovec iov[2] = {
		{ &hdr, sizeof(hdr) },
		{ (void *)payload, size },
	};
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = size ? 2 : 1 };
	size_t total = sizeof(hdr) + size, sent = 0;
	char name[32];

	if (nfds > VHOST_USER_MAX_FDS) {
		error_setg(errp, "%s: %u fds are too many",
			   vu_request_name(req, name, sizeof(name)), nfds);
		return false;
	}
	if (nfds) {
		struct cmsghdr *c;

		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}

	while (sent < total) {
		ssize_t n = sendmsg(fe->sock, &msg, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			error_setg(errp,
				   "back-end did not take %s within %d ms",
				   vu_request_name(req, name, sizeof(name)),
				   fe->timeout_ms);
			return false;
		}
		if (n <= 0) {
			error_setg_errno(
				errp, n < 0 ? errno : EPIPE, "sending %s",
				vu_request_name(req, name, sizeof(name)));
			return false;
		}
		sent += (size_t)n;
		/* The fds went with the first byte; skip what was sent */
		msg.msg_control = NULL;
		msg.msg_controllen = 0;
		while (n > 0 && msg.msg_iovlen) {
			size_t step = (size_t)n < msg.msg_iov->iov_len
					      ? (size_t)n
					      : msg.msg_iov->iov_len;

			msg.msg_iov->iov_base =
				(char *)msg.msg_iov->iov_base + step;
			msg.msg_iov->iov_len -= step;
			n -= (ssize_t)step;
			if (!msg.msg_iov->iov_len) {
				msg.msg_iov++;
				msg.msg_iovlen--;
			}
		}
	}
	fe->requests++;
	return true;
}

/**
 * recv_reply() - read the reply to @req and check its header
 * @fe:		front-end
 * @req:	request id the reply must echo
 * @payload:	where the payload goes
 * @size:	exact payload size the reply must have
 * @errp:	error on any deviation
 *
 * Return: true on success
 */
static bool recv_reply(struct vu_frontend *fe, uint32_t req, void *payload,
		       uint32_t size, struct error **errp)
{
	int64_t deadline = now_ms() + fe->timeout_ms;
	struct vhost_user_header hdr;
	char name[32], reply[48];
	const char *what = vu_request_name(req, name, sizeof(name));

	snprintf(reply, sizeof(reply), "reply to %s", what);
	if (!recv_exact(fe, fe->sock, &hdr, sizeof(hdr), deadline, reply, errp))
		return false;
	if (hdr.request != req) {
		error_setg(errp, "reply to %s has request id %u", what,
			   hdr.request);
		return false;
	}
	if (hdr.flags != (VHOST_USER_VERSION | VHOST_USER_REPLY_MASK)) {
		error_setg(errp, "reply to %s has flags 0x%x, expected 0x%x",
			   what, hdr.flags,
			   VHOST_USER_VERSION | VHOST_USER_REPLY_MASK);
		return false;
	}
	if (hdr.size != size) {
		error_setg(errp, "reply to %s has size %u, expected %u", what,
			   hdr.size, size);
		return false;
	}
	return recv_exact(fe, fe->sock, payload, size, deadline, reply, errp);
}

/**
 * request() - send a request and wait for its reply or ack
 * @fe:		front-end
 * @req:	request id
 * @payload:	request payload (may be NULL if @size is 0)
 * @size:	its size
 * @fds:	fds to pass (may be NULL)
 * @nfds:	their number
 * @need_ack:	set NEED_REPLY and check the u64 ack (only with REPLY_ACK)
 * @reply:	buffer for the reply payload, NULL if the request has no reply
 * @reply_size:	exact size the reply payload must have
 * @errp:	error on failure, naming the request
 *
 * Return: true on success
 */
static bool request(struct vu_frontend *fe, uint32_t req, const void *payload,
		    uint32_t size, const int *fds, unsigned int nfds,
		    bool need_ack, void *reply, uint32_t reply_size,
		    struct error **errp)
{
	bool ack = need_ack && !reply &&
		   vu_has_protocol(fe, VHOST_USER_PROTOCOL_F_REPLY_ACK);
	uint32_t flags = ack ? VHOST_USER_NEED_REPLY_MASK : 0;
	char name[32];
	uint64_t status;

	if (!send_msg(fe, req, flags, payload, size, fds, nfds, errp))
		return false;
	if (reply)
		return recv_reply(fe, req, reply, reply_size, errp);
	if (!ack)
		return true;
	if (!recv_reply(fe, req, &status, sizeof(status), errp))
		return false;
	if (status) {
		error_setg(errp, "back-end failed %s: ack status %llu",
			   vu_request_name(req, name, sizeof(name)),
			   (unsigned long long)status);
		return false;
	}
	return true;
}

/**
 * vu_connect() - connect to the back-end's UNIX socket
 * @fe:		front-end to initialise
 * @path:	socket path
 * @timeout_ms:	bound of every later wait for a reply
 * @errp:	error on failure
 *
 * Return: true on success
 */
bool vu_connect(struct vu_frontend *fe, const char *path, int timeout_ms,
		struct error **errp)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = {
		.tv_sec = timeout_ms / 1000,
		.tv_usec = (timeout_ms % 1000) * 1000,
	};

	vu_init(fe);
	fe->timeout_ms = timeout_ms;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		error_setg(errp, "socket path %s is too long", path);
		return false;
	}
	strcpy(sa.sun_path, path);

	fe->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fe->sock < 0) {
		error_setg_errno(errp, errno, "socket");
		return false;
	}
	/* Bounds connect() to a full backlog and sends to a peer that never
	 * reads */
	if (setsockopt(fe->sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv))) {
		error_setg_errno(errp, errno, "SO_SNDTIMEO");
		vu_close(fe);
		return false;
	}
	if (connect(fe->sock, (struct sockaddr *)&sa, sizeof(sa))) {
		error_setg_errno(errp, errno, "connect to %s", path);
		vu_close(fe);
		return false;
	}
	return true;
}

/**
 * vu_init() - a front-end with nothing open, safe to vu_close()
 * @fe:	front-end
 */
void vu_init(struct vu_frontend *fe)
{
	memset(fe, 0, sizeof(*fe));
	fe->sock = -1;
	fe->backend_fd = -1;
}

/**
 * vu_close() - close the connection (the back-end sees EOF) and the
 * back-end channel
 * @fe:	front-end
 */
void vu_close(struct vu_frontend *fe)
{
	if (fe->sock >= 0)
		close(fe->sock);
	fe->sock = -1;
	if (fe->backend_fd >= 0)
		close(fe->backend_fd);
	fe->backend_fd = -1;
}

/**
 * set_backend_req_fd() - give the back-end its channel to us
 * @fe:		front-end with BACKEND_REQ negotiated
 * @errp:	error on failure
 *
 * One end of a socket pair goes to the back-end (acked with REPLY_ACK, as
 * QEMU asks), the other stays in fe->backend_fd.
 *
 * Return: true on success
 */
static bool set_backend_req_fd(struct vu_frontend *fe, struct error **errp)
{
	int sv[2];
	bool ok;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		error_setg_errno(errp, errno, "back-end channel: socketpair");
		return false;
	}
	ok = request(fe, VHOST_USER_SET_BACKEND_REQ_FD, NULL, 0, &sv[1], 1,
		     true, NULL, 0, errp);
	close(sv[1]);
	if (!ok) {
		close(sv[0]);
		return false;
	}
	fe->backend_fd = sv[0];
	return true;
}

/**
 * vu_handshake() - feature and protocol-feature negotiation, then SET_OWNER
 * @fe:			connected front-end
 * @want_protocol:	protocol features we would use
 * @errp:		error on failure
 *
 * The order is QEMU's: GET_FEATURES, GET_PROTOCOL_FEATURES,
 * SET_PROTOCOL_FEATURES, GET_QUEUE_NUM (with MQ), SET_BACKEND_REQ_FD (with
 * BACKEND_REQ), SET_OWNER.
 *
 * Return: true on success
 */
bool vu_handshake(struct vu_frontend *fe, uint64_t want_protocol,
		  struct error **errp)
{
	if (!request(fe, VHOST_USER_GET_FEATURES, NULL, 0, NULL, 0, false,
		     &fe->features, sizeof(fe->features), errp))
		return false;

	if (fe->features & (1ULL << VHOST_USER_F_PROTOCOL_FEATURES)) {
		if (!request(fe, VHOST_USER_GET_PROTOCOL_FEATURES, NULL, 0,
			     NULL, 0, false, &fe->protocol_features,
			     sizeof(fe->protocol_features), errp))
			return false;
		fe->acked_protocol = fe->protocol_features & want_protocol;
		if (!request(fe, VHOST_USER_SET_PROTOCOL_FEATURES,
			     &fe->acked_protocol, sizeof(fe->acked_protocol),
			     NULL, 0, false, NULL, 0, errp))
			return false;
	}

	if (vu_has_protocol(fe, VHOST_USER_PROTOCOL_F_MQ)) {
		if (!request(fe, VHOST_USER_GET_QUEUE_NUM, NULL, 0, NULL, 0,
			     false, &fe->queue_num, sizeof(fe->queue_num),
			     errp))
			return false;
	}

	if (vu_has_protocol(fe, VHOST_USER_PROTOCOL_F_BACKEND_REQ) &&
	    !set_backend_req_fd(fe, errp))
		return false;

	return request(fe, VHOST_USER_SET_OWNER, NULL, 0, NULL, 0, false, NULL,
		       0, errp);
}

/**
 * vu_get_config() - read @size bytes of device config space from offset 0
 * @fe:		front-end with CONFIG negotiated
 * @buf:	destination
 * @size:	bytes, at most VHOST_USER_MAX_CONFIG_SIZE
 * @errp:	error on failure
 *
 * Return: true on success
 */
bool vu_get_config(struct vu_frontend *fe, void *buf, uint32_t size,
		   struct error **errp)
{
	struct vhost_user_config cfg = { .offset = 0, .size = size };
	uint32_t len = VHOST_USER_CONFIG_HDR_SIZE + size;

	if (!vu_has_protocol(fe, VHOST_USER_PROTOCOL_F_CONFIG)) {
		error_setg(errp, "back-end does not offer protocol feature "
				 "CONFIG (QEMU requires it for blk)");
		return false;
	}
	if (size > VHOST_USER_MAX_CONFIG_SIZE) {
		error_setg(errp, "GET_CONFIG of %u bytes is too large", size);
		return false;
	}
	if (!request(fe, VHOST_USER_GET_CONFIG, &cfg, len, NULL, 0, false, &cfg,
		     len, errp))
		return false;
	if (cfg.offset != 0 || cfg.size != size) {
		error_setg(errp,
			   "GET_CONFIG reply says offset %u size %u, "
			   "expected 0 and %u",
			   cfg.offset, cfg.size, size);
		return false;
	}
	memcpy(buf, cfg.region, size);
	return true;
}

/**
 * vu_set_features() - SET_FEATURES, with bit 30 kept if it was offered
 * @fe:		front-end
 * @features:	virtio features to acknowledge
 * @errp:	error on failure
 *
 * Return: true on success
 */
bool vu_set_features(struct vu_frontend *fe, uint64_t features,
		     struct error **errp)
{
	const uint64_t f_protocol = 1ULL << VHOST_USER_F_PROTOCOL_FEATURES;

	if (features & ~fe->features) {
		error_setg(errp, "SET_FEATURES: 0x%llx were not offered",
			   (unsigned long long)(features & ~fe->features));
		return false;
	}
	features |= fe->features & f_protocol;
	return request(fe, VHOST_USER_SET_FEATURES, &features, sizeof(features),
		       NULL, 0, false, NULL, 0, errp);
}

/**
 * vu_set_mem_table() - SET_MEM_TABLE with one fd per region
 * @fe:		front-end
 * @ram:	guest RAM
 * @errp:	error on failure
 *
 * As QEMU does, ask for an ack when REPLY_ACK is negotiated.
 *
 * Return: true on success
 */
bool vu_set_mem_table(struct vu_frontend *fe, const struct guest_ram *ram,
		      struct error **errp)
{
	struct vhost_user_memory mem = { .nregions = GUEST_RAM_REGIONS };
	int fds[GUEST_RAM_REGIONS];
	unsigned int i;

	for (i = 0; i < GUEST_RAM_REGIONS; i++) {
		const struct guest_ram_region *r = &ram->regions[i];

		mem.regions[i].guest_phys_addr = r->gpa;
		mem.regions[i].memory_size = r->size;
		mem.regions[i].userspace_addr = (uintptr_t)r->host;
		mem.regions[i].mmap_offset = r->mmap_offset;
		fds[i] = ram->fd;
	}
	return request(fe, VHOST_USER_SET_MEM_TABLE, &mem,
		       (uint32_t)(offsetof(struct vhost_user_memory, regions) +
				  sizeof(mem.regions[0]) * GUEST_RAM_REGIONS),
		       fds, GUEST_RAM_REGIONS, true, NULL, 0, errp);
}

/**
 * vring_state() - send a request whose payload is a vring state
 * @fe:		front-end
 * @req:	request id
 * @index:	ring index
 * @num:	value
 * @need_ack:	ask for an ack with REPLY_ACK
 * @errp:	error on failure
 *
 * Return: true on success
 */
static bool vring_state(struct vu_frontend *fe, uint32_t req,
			unsigned int index, unsigned int num, bool need_ack,
			struct error **errp)
{
	struct vhost_vring_state s = { .index = index, .num = num };
	char name[32];

	if (request(fe, req, &s, sizeof(s), NULL, 0, need_ack, NULL, 0, errp))
		return true;
	error_prepend(errp, "%s of ring %u: ",
		      vu_request_name(req, name, sizeof(name)), index);
	return false;
}

/**
 * vu_set_vring_num() - SET_VRING_NUM
 * @fe:		front-end
 * @index:	ring index
 * @num:	queue size
 * @errp:	error on failure
 *
 * Return: true on success
 */
bool vu_set_vring_num(struct vu_frontend *fe, unsigned int index,
		      unsigned int num, struct error **errp)
{
	return vring_state(fe, VHOST_USER_SET_VRING_NUM, index, num, false,
			   errp);
}

/**
 * vu_set_vring_base() - SET_VRING_BASE (split ring: next avail index)
 * @fe:		front-end
 * @index:	ring index
 * @base:	first avail index the back-end processes
 * @errp:	error on failure
 *
 * Return: true on success
 */
bool vu_set_vring_base(struct vu_frontend *fe, unsigned int index,
		       unsigned int base, struct error **errp)
{
	return vring_state(fe, VHOST_USER_SET_VRING_BASE, index, base, false,
			   errp);
}

/**
 * vu_set_vring_enable() - SET_VRING_ENABLE, acked with REPLY_ACK
 * @fe:		front-end
 * @index:	ring index
 * @enable:	enable or disable
 * @errp:	error on failure
 *
 * Return: true on success
 */
bool vu_set_vring_enable(struct vu_frontend *fe, unsigned int index,
			 bool enable, struct error **errp)
{
	return vring_state(fe, VHOST_USER_SET_VRING_ENABLE, index, enable, true,
			   errp);
}

/**
 * vu_set_vring_addr() - SET_VRING_ADDR with addresses in our address space
 * @fe:		front-end
 * @index:	ring index
 * @desc_uva:	descriptor table (front-end virtual address)
 * @avail_uva:	avail ring
 * @used_uva:	used ring
 * @errp:	error on failure
 *
 * Return: true on success
 */
bool vu_set_vring_addr(struct vu_frontend *fe, unsigned int index,
		       uint64_t desc_uva, uint64_t avail_uva, uint64_t used_uva,
		       struct error **errp)
{
	struct vhost_vring_addr a = {
		.index = index,
		.desc_user_addr = desc_uva,
		.avail_user_addr = avail_uva,
		.used_user_addr = used_uva,
	};

	if (request(fe, VHOST_USER_SET_VRING_ADDR, &a, sizeof(a), NULL, 0,
		    false, NULL, 0, errp))
		return true;
	error_prepend(errp, "SET_VRING_ADDR of ring %u: ", index);
	return false;
}

/**
 * vu_set_vring_fd() - SET_VRING_KICK, SET_VRING_CALL or SET_VRING_ERR
 * @fe:		front-end
 * @req:	which of the three
 * @index:	ring index
 * @fd:		eventfd, or -1 to send the NOFD flag
 * @errp:	error on failure
 *
 * Return: true on success
 */
bool vu_set_vring_fd(struct vu_frontend *fe, uint32_t req, unsigned int index,
		     int fd, struct error **errp)
{
	uint64_t u64 = index & VHOST_USER_VRING_IDX_MASK;
	char name[32];

	if (fd < 0)
		u64 |= VHOST_USER_VRING_NOFD_MASK;
	if (request(fe, req, &u64, sizeof(u64), fd < 0 ? NULL : &fd,
		    fd < 0 ? 0 : 1, false, NULL, 0, errp))
		return true;
	error_prepend(errp, "%s of ring %u: ",
		      vu_request_name(req, name, sizeof(name)), index);
	return false;
}

/**
 * vu_get_vring_base() - GET_VRING_BASE: stop the ring, read its avail index
 * @fe:		front-end
 * @index:	ring index
 * @base:	set to the next avail index the back-end would process
 * @errp:	error on failure, or if the reply names another ring
 *
 * Return: true on success
 */
bool vu_get_vring_base(struct vu_frontend *fe, unsigned int index,
		       unsigned int *base, struct error **errp)
{
	struct vhost_vring_state s = { .index = index, .num = 0 };

	if (!request(fe, VHOST_USER_GET_VRING_BASE, &s, sizeof(s), NULL, 0,
		     false, &s, sizeof(s), errp)) {
		error_prepend(errp, "ring %u: ", index);
		return false;
	}
	if (s.index != index) {
		error_setg(errp,
			   "GET_VRING_BASE of ring %u: reply names ring "
			   "%u",
			   index, s.index);
		return false;
	}
	*base = s.num;
	return true;
}

/**
 * vu_set_status() - SET_STATUS: the driver's device status
 * @fe:		front-end with STATUS negotiated
 * @status:	VIRTIO_CONFIG_S_* bits
 * @errp:	error on failure
 *
 * Return: true on success
 */
bool vu_set_status(struct vu_frontend *fe, uint8_t status, struct error **errp)
{
	uint64_t u64 = status;

	if (request(fe, VHOST_USER_SET_STATUS, &u64, sizeof(u64), NULL, 0, true,
		    NULL, 0, errp))
		return true;
	error_prepend(errp, "SET_STATUS 0x%x: ", status);
	return false;
}

/**
 * vu_backend_recv() - read one request the back-end sent on its channel
 * @fe:		front-end with a back-end channel
 * @hdr:	its header
 * @payload:	its payload, hdr->size bytes
 * @size:	room in @payload: a larger payload is a protocol error
 * @errp:	error on EOF, timeout, a malformed header or fds
 *
 * The whole message must arrive within fe->timeout_ms: poll fe->backend_fd
 * first. Only the flags VERSION and NEED_REPLY may be set.
 *
 * Return: true with @hdr and @payload filled
 */
bool vu_backend_recv(struct vu_frontend *fe, struct vhost_user_header *hdr,
		     void *payload, uint32_t size, struct error **errp)
{
	const char *what = "back-end request";
	int64_t deadline = now_ms() + fe->timeout_ms;
	uint32_t unknown;

	if (fe->backend_fd < 0) {
		error_setg(errp, "no back-end channel");
		return false;
	}
	if (!recv_exact(fe, fe->backend_fd, hdr, sizeof(*hdr), deadline, what,
			errp))
		return false;
	unknown = hdr->flags &
		  ~(VHOST_USER_VERSION_MASK | VHOST_USER_NEED_REPLY_MASK);
	if ((hdr->flags & VHOST_USER_VERSION_MASK) != VHOST_USER_VERSION ||
	    unknown) {
		error_setg(errp, "back-end request %u has flags 0x%x",
			   hdr->request, hdr->flags);
		return false;
	}
	if (hdr->size > size) {
		error_setg(errp,
			   "back-end request %u has a payload of %u bytes, "
			   "at most %u expected",
			   hdr->request, hdr->size, size);
		return false;
	}
	return recv_exact(fe, fe->backend_fd, payload, hdr->size, deadline,
			  what, errp);
}

/**
 * vu_backend_reply() - answer a back-end request that asked for a reply
 * @fe:		front-end with a back-end channel
 * @request:	the request answered
 * @status:	u64 payload, 0 for success
 * @errp:	error if it cannot be sent at once
 *
 * Return: true if sent
 */
bool vu_backend_reply(struct vu_frontend *fe, uint32_t request, uint64_t status,
		      struct error **errp)
{
	struct {
		struct vhost_user_header hdr;
		uint64_t u64;
	} __attribute__((packed)) msg = {
		.hdr = {
			.request = request,
			.flags = VHOST_USER_VERSION | VHOST_USER_REPLY_MASK,
			.size = sizeof(uint64_t),
		},
		.u64 = status,
	};
	ssize_t n;

	do {
		n = send(fe->backend_fd, &msg, sizeof(msg),
			 MSG_NOSIGNAL | MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(msg)) {
		error_setg_errno(errp, n < 0 ? errno : EMSGSIZE,
				 "reply to back-end request %u", request);
		return false;
	}
	return true;
}
