/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading and writing vhost-user messages on a UNIX stream socket.
 *
 * The fds of a message arrive with the first byte of its header, so the header
 * is read with one recvmsg() that has room for VHOST_USER_MAX_FDS fds. Every fd
 * received is either handed to the caller in the message or closed here, also
 * on every error path. The header is checked before its payload is read, and
 * the payload is read in full: a front-end that stops mid-message is an error,
 * never a crash. Once a message has started, the rest of it must arrive
 * within one deadline (VU_SOCKET_TIMEOUT_MS; the ack timeout on the back-end
 * channel): a per-read timeout alone would let a front-end that sends a byte
 * now and then hold the control thread for hours.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "transport/vhost-user-socket.h"
#include "transport/vhost-user-table.h"

/* Control buffer for the largest fd array a message may carry */
union vu_cmsg_buf {
	char buf[CMSG_SPACE(sizeof(int) * VHOST_USER_MAX_FDS)];
	struct cmsghdr align;
};

/**
 * vu_close_fds() - Close an array of received fds
 * @fds:	the fds
 * @n:		how many
 */
static void vu_close_fds(int *fds, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

/**
 * vu_recv_chunk() - One recvmsg(), collecting the fds that came with it
 * @fd:		socket
 * @buf:	where the bytes go
 * @len:	at most this many bytes
 * @fds:	array of VHOST_USER_MAX_FDS fds to append to
 * @nfds:	entries used in @fds, updated
 * @overflow:	set if fds were dropped (too many, or control data truncated)
 * @flags:	extra recvmsg() flags (MSG_DONTWAIT)
 *
 * Return: bytes read, 0 on EOF, -1 with errno set on error
 */
static ssize_t vu_recv_chunk(int fd, void *buf, size_t len, int *fds,
			     unsigned int *nfds, bool *overflow, int flags)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	union vu_cmsg_buf cbuf;
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = cbuf.buf,
		.msg_controllen = sizeof(cbuf.buf),
	};
	struct cmsghdr *cmsg;
	ssize_t n;

	do {
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | flags);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;

	for (cmsg = CMSG_FIRSTHDR(&mh); cmsg; cmsg = CMSG_NXTHDR(&mh, cmsg)) {
		size_t count, i;

		if (cmsg->cmsg_level != SOL_SOCKET ||
		    cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		count = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < count; i++) {
			int rfd;

			memcpy(&rfd, CMSG_DATA(cmsg) + i * sizeof(int),
			       sizeof(rfd));
			if (*nfds < VHOST_USER_MAX_FDS) {
				fds[(*nfds)++] = rfd;
			} else {
				close(rfd);
				*overflow = true;
			}
		}
	}
	if (mh.msg_flags & MSG_CTRUNC)
		*overflow = true;
	return n;
}

/**
 * vu_now_ms() - Monotonic clock in milliseconds
 *
 * Return: milliseconds since an arbitrary point
 */
static int64_t vu_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/**
 * vu_wait_readable() - Wait until @fd is readable or @deadline has passed
 * @fd:		socket
 * @abort_fd:	readable when the program must stop (not consumed), or -1
 * @deadline:	vu_now_ms() value to give up at
 *
 * Return: 1 if readable (or at EOF/error: the read will tell), 0 on timeout,
 * -1 with errno set if poll() failed, -2 if @abort_fd became readable
 */
static int vu_wait_readable(int fd, int abort_fd, int64_t deadline)
{
	struct pollfd pfd[2] = {
		{ .fd = fd, .events = POLLIN },
		{ .fd = abort_fd, .events = POLLIN },
	};

	for (;;) {
		int64_t left = deadline - vu_now_ms();
		int r;

		if (left <= 0)
			return 0;
		r = poll(pfd, 2, left > INT_MAX ? INT_MAX : (int)left);
		if (r > 0 && pfd[1].revents)
			return -2;
		if (r >= 0)
			return r;
		if (errno != EINTR)
			return -1;
	}
}

/**
 * vu_recv_rest() - Read exactly @len more bytes of a message, without fds
 * @fd:		socket
 * @abort_fd:	readable when the program must stop, or -1
 * @buf:	where the bytes go
 * @len:	bytes to read
 * @deadline:	vu_now_ms() value by which all @len bytes must be there
 * @what:	"header" or "payload", for the error
 * @name:	request name, for the error
 * @errp:	set on EOF, timeout, socket error or fds attached mid-message
 *
 * Never blocks past @deadline, also if the socket is in blocking mode.
 *
 * Return: true if all @len bytes were read
 */
static bool vu_recv_rest(int fd, int abort_fd, void *buf, size_t len,
			 int64_t deadline, const char *what, const char *name,
			 struct error **errp)
{
	int fds[VHOST_USER_MAX_FDS];
	unsigned int nfds = 0;
	bool overflow = false;
	size_t done = 0;

	while (done < len) {
		ssize_t n;
		int r;

		r = vu_wait_readable(fd, abort_fd, deadline);
		if (r == -2) {
			error_setg(errp,
				   "%s: shutting down after %zu of %zu bytes "
				   "of the %s",
				   name, done, len, what);
			return false;
		}
		if (r == 0) {
			error_setg(errp,
				   "%s: timed out after %zu of %zu bytes of "
				   "the %s",
				   name, done, len, what);
			return false;
		}
		if (r < 0) {
			error_setg_errno(errp, errno, "%s: waiting for the %s",
					 name, what);
			return false;
		}
		n = vu_recv_chunk(fd, (char *)buf + done, len - done, fds,
				  &nfds, &overflow, MSG_DONTWAIT);
		if (nfds || overflow) {
			vu_close_fds(fds, nfds);
			error_setg(errp, "%s: fds attached inside the %s", name,
				   what);
			return false;
		}
		if (n == 0) {
			error_setg(errp,
				   "%s: connection closed after %zu of %zu "
				   "bytes of the %s",
				   name, done, len, what);
			return false;
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				continue; /* woken up for nothing */
			error_setg_errno(errp, errno, "%s: reading the %s",
					 name, what);
			return false;
		}
		done += n;
	}
	return true;
}

/**
 * vu_socket_recv_msg() - Read one request: header with fds, then the payload
 * @fd:		connected front-end socket (blocking, with a receive timeout)
 * @abort_fd:	readable when the program must stop: a message that started
 *		is then abandoned at once instead of waited for; -1 if none
 * @msg:	filled with header, payload and fds (unused fd slots are -1)
 * @errp:	set on error, naming the request where known
 *
 * Return: 1 on a message, 0 on EOF at a message boundary, -1 on error; on
 * error no received fd is left open
 */
int vu_socket_recv_msg(int fd, int abort_fd, struct vhost_user_msg *msg,
		       struct error **errp)
{
	const size_t hdr_len = sizeof(msg->hdr);
	bool overflow = false;
	const char *name;
	int64_t deadline;
	ssize_t n;
	int i;

	for (i = 0; i < VHOST_USER_MAX_FDS; i++)
		msg->fds[i] = -1;
	msg->fd_num = 0;

	n = vu_recv_chunk(fd, &msg->hdr, hdr_len, msg->fds, &msg->fd_num,
			  &overflow, 0);
	if (n < 0) {
		error_setg_errno(errp, errno, "reading a message header");
		goto fail;
	}
	if (n == 0) {
		vu_msg_close_fds(msg);
		return 0;
	}
	if (overflow) {
		error_setg(errp,
			   "message with more than %u fds (or truncated "
			   "control data)",
			   VHOST_USER_MAX_FDS);
		goto fail;
	}
	/* The message started: all of it must come within one timeout */
	deadline = vu_now_ms() + VU_SOCKET_TIMEOUT_MS;
	if ((size_t)n < hdr_len &&
	    !vu_recv_rest(fd, abort_fd, (char *)&msg->hdr + n, hdr_len - n,
			  deadline, "header", "message", errp))
		goto fail;

	name = vhost_user_request_name(msg->hdr.request);
	if (!vu_msg_check_header(&msg->hdr, errp))
		goto fail;
	if (msg->hdr.size &&
	    !vu_recv_rest(fd, abort_fd, &msg->payload, msg->hdr.size, deadline,
			  "payload", name, errp))
		goto fail;
	return 1;

fail:
	vu_msg_close_fds(msg);
	return -1;
}

/**
 * vu_send_all() - Write all of @iov, retrying short writes
 * @fd:		socket (blocking, with a send timeout)
 * @iov:	buffers, modified as they are consumed
 * @cnt:	number of buffers
 * @errp:	set on error or timeout
 *
 * Return: true if everything was sent
 */
static bool vu_send_all(int fd, struct iovec *iov, int cnt, struct error **errp)
{
	while (cnt > 0) {
		struct msghdr mh = { .msg_iov = iov, .msg_iovlen = cnt };
		ssize_t n = sendmsg(fd, &mh, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				error_setg(errp, "send timed out");
			else
				error_setg_errno(errp, errno, "send");
			return false;
		}
		while (cnt > 0 && (size_t)n >= iov->iov_len) {
			n -= iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt > 0) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= n;
		}
	}
	return true;
}

/**
 * vu_socket_send() - Send a header and its payload, without fds
 * @fd:		socket
 * @hdr:	header; hdr->size bytes of @payload follow it
 * @payload:	payload, may be NULL if hdr->size is 0
 * @errp:	set on error
 *
 * Return: true if the whole message was sent
 */
bool vu_socket_send(int fd, const struct vhost_user_header *hdr,
		    const void *payload, struct error **errp)
{
	struct iovec iov[2] = {
		{ .iov_base = (void *)hdr, .iov_len = sizeof(*hdr) },
		{ .iov_base = (void *)payload, .iov_len = hdr->size },
	};

	return vu_send_all(fd, iov, hdr->size ? 2 : 1, errp);
}

/**
 * vu_socket_send_reply() - Send the reply to a request
 * @fd:		front-end socket
 * @request:	request id being answered
 * @payload:	reply payload
 * @size:	its size in bytes
 * @errp:	set on error
 *
 * The flags are exactly VERSION|REPLY: QEMU rejects anything else, so
 * NEED_REPLY is never echoed.
 *
 * Return: true if the reply was sent
 */
bool vu_socket_send_reply(int fd, uint32_t request, const void *payload,
			  uint32_t size, struct error **errp)
{
	struct vhost_user_header hdr = {
		.request = request,
		.flags = VHOST_USER_VERSION | VHOST_USER_REPLY_MASK,
		.size = size,
	};

	if (!vu_socket_send(fd, &hdr, payload, errp)) {
		error_prepend(errp,
			      "%s: reply: ", vhost_user_request_name(request));
		return false;
	}
	return true;
}

/**
 * vu_socket_recv_ack() - Wait for the u64 reply to a request we sent
 * @fd:		back-end channel socket
 * @request:	request id we expect in the reply
 * @timeout_ms:	how long to wait for the whole reply
 * @ack:	the u64 of the reply (0: success)
 * @errp:	set on timeout, EOF, or a reply that does not match
 *
 * Return: true with *@ack set
 */
bool vu_socket_recv_ack(int fd, uint32_t request, int timeout_ms, uint64_t *ack,
			struct error **errp)
{
	const char *name = "back-end channel reply";
	int64_t deadline = vu_now_ms() + timeout_ms;
	struct vhost_user_header hdr;
	uint32_t want = VHOST_USER_VERSION | VHOST_USER_REPLY_MASK;

	/* One deadline for the whole reply: the sender holds the channel */
	if (!vu_recv_rest(fd, -1, &hdr, sizeof(hdr), deadline, "header", name,
			  errp))
		return false;
	if (hdr.request != request ||
	    (hdr.flags & ~VHOST_USER_NEED_REPLY_MASK) != want ||
	    hdr.size != sizeof(*ack)) {
		error_setg(errp,
			   "%s: request %u flags 0x%x size %u, expected "
			   "request %u flags 0x%x size %zu",
			   name, hdr.request, hdr.flags, hdr.size, request,
			   want, sizeof(*ack));
		return false;
	}
	return vu_recv_rest(fd, -1, ack, sizeof(*ack), deadline, "payload",
			    name, errp);
}

/**
 * vu_msg_close_fds() - Close the fds a handler did not take
 * @msg:	message; taken fds are already -1
 */
void vu_msg_close_fds(struct vhost_user_msg *msg)
{
	vu_close_fds(msg->fds, VHOST_USER_MAX_FDS);
	msg->fd_num = 0;
}
