/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Wire helpers of the hostile catalogue: raw messages and verdicts.
 *
 * The front-end library only sends what the protocol allows; these helpers
 * send anything: any header, a payload shorter or longer than the header
 * says, fds with any byte of a message, a message cut into pieces. What the
 * back-end made of it is read back without trusting it either, and reduced to
 * one outcome: it closed the session, answered with a REPLY_ACK failure, or
 * went on (the probe, a GET_FEATURES, still gets its answer).
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tests/frontend/hostile.h"

/* What one read of a message found */
enum hx_got {
	HX_GOT_MSG,	/* a whole message */
	HX_GOT_EOF,	/* end of file or reset: the back-end closed */
	HX_GOT_NOTHING, /* nothing within the timeout */
	HX_GOT_ERROR,	/* a malformed message, fds, a socket error */
};

/**
 * hx_note() - append to the detail of the case being run
 * @x:		case run
 * @fmt:	printf format
 * @...:	its arguments
 */
void hx_note(struct hx_ctx *x, const char *fmt, ...)
{
	size_t used = strlen(x->detail);
	va_list ap;

	if (used && used + 2 < sizeof(x->detail)) {
		strcpy(x->detail + used, "; ");
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(x->detail + used, sizeof(x->detail) - used, fmt, ap);
	va_end(ap);
}

/**
 * hx_fail() - note a harness error and give up on the case
 * @x:		case run
 * @err:	what went wrong, freed
 *
 * Return: HX_UNEXPECTED
 */
enum hx_outcome hx_fail(struct hx_ctx *x, struct error *err)
{
	hx_note(x, "%s", err ? error_get_pretty(err) : "failed");
	error_free(err);
	return HX_UNEXPECTED;
}

/**
 * hx_now_ms() - monotonic clock in milliseconds
 *
 * Return: milliseconds since an arbitrary point
 */
uint64_t hx_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/**
 * hx_sleep_ms() - sleep, restarting after signals
 * @ms:		milliseconds
 */
void hx_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/**
 * hx_connect() - connect a front-end to the back-end under test
 * @x:		case run (socket, timeout)
 * @fe:		front-end
 * @errp:	error on failure
 *
 * Return: true if connected
 */
bool hx_connect(struct hx_ctx *x, struct vu_frontend *fe, struct error **errp)
{
	return vu_connect(fe, x->socket, x->timeout_ms, errp);
}

/**
 * send_chunk() - send one chunk whole, its fds with the first byte
 * @sock:	socket
 * @c:		chunk
 * @errp:	error on failure
 *
 * Return: 1 if sent, 0 if the peer is gone (EPIPE, ECONNRESET), -1 on
 * another error
 */
static int send_chunk(int sock, const struct hx_chunk *c, struct error **errp)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 32)];
		struct cmsghdr align;
	} control;
	size_t done = 0;

	if (c->nfds > 32) {
		error_setg(errp, "%u fds are more than a chunk carries",
			   c->nfds);
		return -1;
	}
	if (!c->len)
		return 1; /* fds need a byte to go with */
	while (done < c->len) {
		struct iovec iov = { (char *)c->buf + done, c->len - done };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;

		if (c->nfds && !done) {
			struct cmsghdr *cm;

			memset(&control, 0, sizeof(control));
			mh.msg_control = control.buf;
			mh.msg_controllen = CMSG_SPACE(sizeof(int) * c->nfds);
			cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int) * c->nfds);
			memcpy(CMSG_DATA(cm), c->fds, sizeof(int) * c->nfds);
		}
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
			return 0;
		if (n <= 0) {
			error_setg_errno(errp, n < 0 ? errno : EIO, "sending");
			return -1;
		}
		done += (size_t)n;
	}
	return 1;
}

/**
 * hx_write() - send bytes in chunks, with pauses and fds where asked
 * @fe:		connected front-end
 * @c:		the chunks
 * @n:		their number
 * @errp:	error on failure
 *
 * Return: 1 if all was sent, 0 if the back-end closed meanwhile, -1 on
 * another error
 */
int hx_write(struct vu_frontend *fe, const struct hx_chunk *c, unsigned int n,
	     struct error **errp)
{
	for (unsigned int i = 0; i < n; i++) {
		int r;

		if (c[i].delay_ms)
			hx_sleep_ms(c[i].delay_ms);
		r = send_chunk(fe->sock, &c[i], errp);
		if (r <= 0)
			return r;
	}
	return 1;
}

/**
 * hx_send() - send a message exactly as described, right or wrong
 * @fe:		connected front-end
 * @req:	request id
 * @flags:	the whole flags word (version included)
 * @size:	payload size the header claims
 * @payload:	payload bytes, may be NULL if @len is 0
 * @len:	payload bytes actually sent
 * @fds:	fds sent with the first byte, may be NULL
 * @nfds:	their number
 * @errp:	error on failure
 *
 * Return: as hx_write()
 */
int hx_send(struct vu_frontend *fe, uint32_t req, uint32_t flags, uint32_t size,
	    const void *payload, uint32_t len, const int *fds,
	    unsigned int nfds, struct error **errp)
{
	struct vhost_user_header hdr = { req, flags, size };
	struct hx_chunk c[2] = {
		{ .buf = &hdr, .len = sizeof(hdr), .fds = fds, .nfds = nfds },
		{ .buf = payload, .len = len },
	};

	return hx_write(fe, c, len ? 2 : 1, errp);
}

/**
 * recv_bytes() - read exactly @len bytes before @deadline
 * @sock:	socket
 * @buf:	destination
 * @len:	bytes
 * @deadline:	hx_now_ms() value to give up at
 * @errp:	error on a socket error or fds
 *
 * Return: HX_GOT_MSG when all arrived, HX_GOT_EOF, HX_GOT_NOTHING if none
 * arrived in time, HX_GOT_ERROR
 */
static enum hx_got recv_bytes(int sock, void *buf, size_t len,
			      uint64_t deadline, struct error **errp)
{
	size_t done = 0;

	while (done < len) {
		union {
			char buf[CMSG_SPACE(sizeof(int) * 8)];
			struct cmsghdr align;
		} control;
		struct iovec iov = { (char *)buf + done, len - done };
		struct msghdr mh = {
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = control.buf,
			.msg_controllen = sizeof(control.buf),
		};
		struct pollfd pfd = { .fd = sock, .events = POLLIN };
		int64_t left = (int64_t)(deadline - hx_now_ms());
		struct cmsghdr *cm;
		ssize_t n;

		if (left < 0 || poll(&pfd, 1, (int)left) == 0) {
			if (!done)
				return HX_GOT_NOTHING;
			error_setg(errp, "%zu of %zu bytes, then nothing", done,
				   len);
			return HX_GOT_ERROR;
		}
		n = recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0 && errno == ECONNRESET)
			return HX_GOT_EOF;
		if (n < 0) {
			error_setg_errno(errp, errno, "reading a reply");
			return HX_GOT_ERROR;
		}
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			int fd;

			if (cm->cmsg_type != SCM_RIGHTS)
				continue;
			for (size_t i = 0;
			     i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			     i++) {
				memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
				       sizeof(fd));
				close(fd);
			}
			error_setg(errp, "a reply came with fds");
			return HX_GOT_ERROR;
		}
		if (!n)
			return HX_GOT_EOF;
		done += (size_t)n;
	}
	return HX_GOT_MSG;
}

/**
 * recv_msg() - read one message from the back-end, bounded
 * @fe:		front-end
 * @timeout_ms:	longest wait for its first byte and for the rest
 * @hdr:	its header
 * @payload:	its payload
 * @room:	bytes @payload holds: a larger payload is an error
 * @errp:	error on HX_GOT_ERROR
 *
 * Return: what was found
 */
static enum hx_got recv_msg(struct vu_frontend *fe, int timeout_ms,
			    struct vhost_user_header *hdr, void *payload,
			    uint32_t room, struct error **errp)
{
	uint64_t deadline = hx_now_ms() + (uint64_t)timeout_ms;
	enum hx_got got;

	got = recv_bytes(fe->sock, hdr, sizeof(*hdr), deadline, errp);
	if (got != HX_GOT_MSG)
		return got;
	if (hdr->size > room) {
		error_setg(errp, "reply to request %u has %u bytes",
			   hdr->request, hdr->size);
		return HX_GOT_ERROR;
	}
	got = recv_bytes(fe->sock, payload, hdr->size, deadline, errp);
	return got == HX_GOT_NOTHING ? HX_GOT_ERROR : got;
}

/**
 * check_reply_header() - a reply must echo the request, flags VERSION|REPLY
 * @hdr:	reply header
 * @req:	request answered
 * @size:	payload size it must have, or UINT32_MAX for any
 * @errp:	error naming the deviation
 *
 * Return: true if well-formed
 */
static bool check_reply_header(const struct vhost_user_header *hdr,
			       uint32_t req, uint32_t size, struct error **errp)
{
	if (hdr->request != req ||
	    hdr->flags != (VHOST_USER_VERSION | VHOST_USER_REPLY_MASK) ||
	    (size != UINT32_MAX && hdr->size != size)) {
		error_setg(errp,
			   "reply to request %u: request %u flags 0x%x size "
			   "%u",
			   req, hdr->request, hdr->flags, hdr->size);
		return false;
	}
	return true;
}

/**
 * hx_ask() - send a well-formed request and read its reply, if it has one
 * @x:		case run
 * @fe:		connected front-end
 * @req:	request id
 * @payload:	payload
 * @size:	its size
 * @reply:	where the reply payload goes, NULL if the request has none
 * @reply_size:	exact size of the reply payload
 * @errp:	error on failure
 *
 * Return: true on success
 */
bool hx_ask(struct hx_ctx *x, struct vu_frontend *fe, uint32_t req,
	    const void *payload, uint32_t size, void *reply,
	    uint32_t reply_size, struct error **errp)
{
	if (hx_send(fe, req, VHOST_USER_VERSION, size, payload, size, NULL, 0,
		    errp) <= 0) {
		error_prepend(errp, "%s: ", vhost_user_request_name(req));
		return false;
	}
	return !reply || hx_expect_reply(x, fe, req, reply, reply_size, errp);
}

/**
 * hx_expect_reply() - read the next message: the reply to @req
 * @x:		case run
 * @fe:		front-end
 * @req:	request it must answer
 * @reply:	where its payload goes
 * @reply_size:	exact payload size it must have
 * @errp:	error on anything else
 *
 * Return: true if the reply came as it should
 */
bool hx_expect_reply(struct hx_ctx *x, struct vu_frontend *fe, uint32_t req,
		     void *reply, uint32_t reply_size, struct error **errp)
{
	struct vhost_user_header hdr;
	enum hx_got got;

	got = recv_msg(fe, x->timeout_ms, &hdr, reply, reply_size, errp);
	if (got == HX_GOT_MSG &&
	    check_reply_header(&hdr, req, reply_size, errp))
		return true;
	if (got == HX_GOT_EOF || got == HX_GOT_NOTHING)
		error_setg(errp, "%s: %s", vhost_user_request_name(req),
			   got == HX_GOT_EOF ? "the back-end closed"
					     : "no reply");
	return false;
}

/**
 * hx_session() - connect and set a session up to @phase
 * @x:		case run
 * @fe:		front-end to connect
 * @phase:	how far to go
 * @protocol:	protocol features to ask for (0: HX_PROTOCOL,
 *		HX_PROTOCOL_NONE: none)
 * @ram:	guest RAM for HX_MEMORY (set up here), else NULL
 * @errp:	error on failure
 *
 * Return: true on success; the caller ends the session with hx_end() and
 * cleans @ram up either way
 */
bool hx_session(struct hx_ctx *x, struct vu_frontend *fe, enum hx_phase phase,
		uint64_t protocol, struct guest_ram *ram, struct error **errp)
{
	uint64_t features;

	if (ram) {
		memset(ram, 0, sizeof(*ram));
		ram->fd = -1;
	}
	if (!hx_connect(x, fe, errp))
		return false;
	if (phase == HX_FRESH)
		return true;
	if (!protocol)
		protocol = HX_PROTOCOL;
	protocol &= ~HX_PROTOCOL_NONE;
	if (!hx_ask(x, fe, VHOST_USER_GET_FEATURES, NULL, 0, &fe->features, 8,
		    errp) ||
	    !hx_ask(x, fe, VHOST_USER_GET_PROTOCOL_FEATURES, NULL, 0,
		    &fe->protocol_features, 8, errp))
		return false;
	fe->acked_protocol = fe->protocol_features & protocol;
	if (!hx_ask(x, fe, VHOST_USER_SET_PROTOCOL_FEATURES,
		    &fe->acked_protocol, 8, NULL, 0, errp))
		return false;
	if (phase == HX_FEATURES)
		return true;
	if (!hx_ask(x, fe, VHOST_USER_SET_OWNER, NULL, 0, NULL, 0, errp))
		return false;
	if (phase == HX_OWNED)
		return true;
	features = fe->features & (1ULL << VIRTIO_F_VERSION_1);
	return vu_set_features(fe, features, errp) &&
	       guest_ram_init(ram, HX_RAM_SIZE, errp) &&
	       vu_set_mem_table(fe, ram, errp);
}

/**
 * hx_probe() - is the session still going? Ask GET_FEATURES
 * @x:		case run
 * @fe:		front-end
 *
 * Return: HX_ACCEPTED if answered, HX_CLOSED if the back-end closed,
 * HX_UNEXPECTED (noted) for anything else
 */
enum hx_outcome hx_probe(struct hx_ctx *x, struct vu_frontend *fe)
{
	struct vhost_user_header hdr;
	struct error *err = NULL;
	uint64_t features;
	enum hx_got got;
	int r;

	r = hx_send(fe, VHOST_USER_GET_FEATURES, VHOST_USER_VERSION, 0, NULL, 0,
		    NULL, 0, &err);
	if (r < 0)
		return hx_fail(x, err);
	/* Sent or not, what the back-end did is in the socket */
	got = recv_msg(fe, x->timeout_ms, &hdr, &features, sizeof(features),
		       &err);
	switch (got) {
	case HX_GOT_EOF:
		return HX_CLOSED;
	case HX_GOT_NOTHING:
		hx_note(x, "probe: no answer within %d ms", x->timeout_ms);
		return HX_UNEXPECTED;
	case HX_GOT_ERROR:
		return hx_fail(x, err);
	case HX_GOT_MSG:
		break;
	}
	if (!check_reply_header(&hdr, VHOST_USER_GET_FEATURES, 8, &err)) {
		error_prepend(&err, "probe: ");
		return hx_fail(x, err);
	}
	return HX_ACCEPTED;
}

/**
 * hx_verdict() - what the back-end made of the request just sent
 * @x:		case run; a reply's payload is kept in x->reply
 * @fe:		front-end
 * @req:	the request
 * @ans:	what it answers if the back-end goes on
 *
 * The answer is read first (an ack, a reply), then a probe tells whether the
 * session goes on.
 *
 * Return: HX_CLOSED, HX_NACK (session going on), HX_EMPTY (a reply without
 * payload), HX_ACCEPTED, or HX_UNEXPECTED with a note
 */
enum hx_outcome hx_verdict(struct hx_ctx *x, struct vu_frontend *fe,
			   uint32_t req, enum hx_answer ans)
{
	enum hx_outcome res = HX_ACCEPTED, probe;
	struct vhost_user_header hdr;
	struct error *err = NULL;
	enum hx_got got;

	x->reply_size = 0;
	if (ans != HX_ANS_NONE) {
		got = recv_msg(fe, x->timeout_ms, &hdr, &x->reply,
			       sizeof(x->reply), &err);
		if (got == HX_GOT_EOF)
			return HX_CLOSED;
		if (got == HX_GOT_NOTHING) {
			hx_note(x, "no answer to %s within %d ms",
				vhost_user_request_name(req), x->timeout_ms);
			return HX_UNEXPECTED;
		}
		if (got == HX_GOT_ERROR ||
		    !check_reply_header(&hdr, req,
					ans == HX_ANS_ACK ? sizeof(uint64_t)
							  : UINT32_MAX,
					&err))
			return hx_fail(x, err);
		x->reply_size = hdr.size;
		if (ans == HX_ANS_ACK && x->reply.u64) {
			hx_note(x, "ack %llu",
				(unsigned long long)x->reply.u64);
			res = HX_NACK;
		}
		if (ans == HX_ANS_REPLY && !hdr.size)
			res = HX_EMPTY;
	}
	probe = hx_probe(x, fe);
	if (probe == HX_ACCEPTED)
		return res;
	if (probe == HX_CLOSED && res != HX_ACCEPTED) {
		/* A refused request leaves the session going */
		hx_note(x, "then the session ended");
		return HX_UNEXPECTED;
	}
	return probe;
}

/**
 * hx_end() - end a session the way a front-end that quits does, and wait
 * until the back-end has let it go
 * @x:		case run
 * @fe:		front-end, closed here
 *
 * Shutting down our side makes the back-end read end-of-file; its close,
 * our end-of-file, comes after it released the session (queues stopped,
 * memory unmapped, fds closed), so the next front-end is not refused.
 */
void hx_end(struct hx_ctx *x, struct vu_frontend *fe)
{
	uint64_t deadline = hx_now_ms() + (uint64_t)x->timeout_ms;
	char buf[4096];

	if (fe->sock < 0)
		return;
	shutdown(fe->sock, SHUT_WR);
	for (;;) {
		struct pollfd pfd = { .fd = fe->sock, .events = POLLIN };
		int64_t left = (int64_t)(deadline - hx_now_ms());
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0) {
			hx_note(x,
				"the back-end did not end the session "
				"within %d ms",
				x->timeout_ms);
			break;
		}
		n = recv(fe->sock, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			break;
	}
	vu_close(fe);
}

/**
 * hx_done() - finish a case: note a harness error, end the session
 * @x:		case run
 * @fe:		front-end, closed here (hx_end())
 * @res:	the outcome seen
 * @err:	harness error or NULL; it wins over @res, and is freed
 *
 * Return: @res, or HX_UNEXPECTED if @err was set
 */
enum hx_outcome hx_done(struct hx_ctx *x, struct vu_frontend *fe,
			enum hx_outcome res, struct error *err)
{
	if (err)
		res = hx_fail(x, err);
	hx_end(x, fe);
	return res;
}

/**
 * hx_wait_closed() - wait for the back-end to close, reading nothing else
 * @x:		case run
 * @fe:		front-end
 * @timeout_ms:	longest wait
 *
 * Return: HX_CLOSED on end-of-file, else HX_UNEXPECTED with a note
 */
enum hx_outcome hx_wait_closed(struct hx_ctx *x, struct vu_frontend *fe,
			       int timeout_ms)
{
	struct vhost_user_header hdr;
	struct error *err = NULL;
	enum hx_got got;

	got = recv_msg(fe, timeout_ms, &hdr, &x->reply, sizeof(x->reply), &err);
	if (got == HX_GOT_EOF)
		return HX_CLOSED;
	if (got == HX_GOT_NOTHING) {
		hx_note(x, "the session still went on after %d ms", timeout_ms);
		return HX_UNEXPECTED;
	}
	if (got == HX_GOT_MSG) {
		hx_note(x,
			"got request %u flags 0x%x size %u instead of "
			"end-of-file",
			hdr.request, hdr.flags, hdr.size);
		return HX_UNEXPECTED;
	}
	return hx_fail(x, err);
}

/**
 * hx_sent() - what the back-end made of a request hx_send() or hx_write()
 * just sent
 * @x:		case run
 * @fe:		front-end
 * @sent:	what hx_send() or hx_write() returned
 * @req:	the request
 * @ans:	what it answers if the back-end goes on
 *
 * Return: HX_UNEXPECTED if sending failed (the caller holds the error),
 * HX_CLOSED if the back-end closed while we sent, else as hx_verdict()
 */
enum hx_outcome hx_sent(struct hx_ctx *x, struct vu_frontend *fe, int sent,
			uint32_t req, enum hx_answer ans)
{
	if (sent < 0)
		return HX_UNEXPECTED;
	return sent ? hx_verdict(x, fe, req, ans) : HX_CLOSED;
}

/**
 * hx_run_raw() - run a case described by a struct hx_raw
 * @x:		case run
 * @arg:	the struct hx_raw
 *
 * Sets a session up to its phase, sends the message with its fds (our
 * copies are closed at once: the back-end must close its own), then reads
 * the verdict, or waits for the close if our side was shut down.
 *
 * Return: the outcome
 */
enum hx_outcome hx_run_raw(struct hx_ctx *x, const void *arg)
{
	const struct hx_raw *m = arg;
	bool memory = m->phase == HX_MEMORY;
	enum hx_outcome res = HX_UNEXPECTED;
	struct error *err = NULL;
	struct vu_frontend fe;
	struct guest_ram ram;
	int fds[32], r;
	unsigned int i;

	vu_init(&fe);
	for (i = 0; i < 32; i++)
		fds[i] = -1;
	if (!hx_session(x, &fe, m->phase, m->protocol, memory ? &ram : NULL,
			&err))
		goto out;
	for (i = 0; i < m->nfds && i < 32; i++) {
		fds[i] = hx_fd_make(m->fd[i], 65536, &err);
		if (fds[i] < 0)
			goto out;
	}
	r = hx_send(&fe, m->request, m->flags, m->size, &m->payload, m->len,
		    fds, m->nfds, &err);
	hx_close_fds(fds, 32);
	if (r > 0 && m->shut && !shutdown(fe.sock, SHUT_WR))
		res = hx_wait_closed(x, &fe, x->timeout_ms);
	else
		res = hx_sent(x, &fe, r, m->request, m->ans);
out:
	hx_close_fds(fds, 32);
	res = hx_done(x, &fe, res, err);
	if (memory)
		guest_ram_cleanup(&ram);
	return res;
}

/**
 * hx_run_stream() - run a case described by a struct hx_stream
 * @x:		case run
 * @arg:	the struct hx_stream
 *
 * Connects, writes the chunks, shuts our side down if asked, and waits for
 * the back-end to close, nothing else.
 *
 * Return: HX_CLOSED if it did
 */
enum hx_outcome hx_run_stream(struct hx_ctx *x, const void *arg)
{
	const struct hx_stream *s = arg;
	enum hx_outcome res = HX_UNEXPECTED;
	struct error *err = NULL;
	struct vu_frontend fe;

	vu_init(&fe);
	if (hx_connect(x, &fe, &err) && hx_write(&fe, s->c, s->n, &err) > 0 &&
	    (!s->shut || !shutdown(fe.sock, SHUT_WR)))
		res = hx_wait_closed(x, &fe,
				     s->wait_ms ? s->wait_ms : x->timeout_ms);
	return hx_done(x, &fe, res, err);
}
