/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Hostile catalogue, the wire: headers, framing, unknown requests, payload
 * sizes, fd counts, order, features and REPLY_ACK.
 *
 * Every message here is checked by the back-end's request table before any
 * handler sees it, so almost every case must end the session, with the
 * request and the field at fault in the log. The few that the protocol
 * allows (a message cut into pieces, two messages in one write, NEED_REPLY
 * on a request that has its own reply) must be answered exactly once.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "tests/frontend/hostile.h"

#define V  VHOST_USER_VERSION
#define NR VHOST_USER_NEED_REPLY_MASK

#define RAW(...)    (&(const struct hx_raw){ __VA_ARGS__ })
#define STREAM(...) (&(const struct hx_stream){ __VA_ARGS__ })

/* Protocol features for cases that must not have one of the usual */
#define PROTO_WITHOUT(bit) ((HX_PROTOCOL & ~(1ULL << (bit))) | HX_PROTOCOL_NONE)
#define PROTO_BACKEND_REQ                                                      \
	(HX_PROTOCOL | (1ULL << VHOST_USER_PROTOCOL_F_BACKEND_REQ))
#define PROTO_NET_MTU (HX_PROTOCOL | (1ULL << VHOST_USER_PROTOCOL_F_NET_MTU))

/* Back-end's bound on the time a started message may take */
#define STALL_MS 8000

/* A GET_FEATURES header, of which only the first 6 bytes go out */
static const struct vhost_user_header get_features = {
	.request = VHOST_USER_GET_FEATURES,
	.flags = V,
};
static const struct hx_chunk half_header[] = {
	{ .buf = &get_features, .len = 6 },
};

/**
 * write_in_three() - send a message in three pieces, 30 ms apart
 * @fe:		connected front-end
 * @msg:	the message
 * @len:	its bytes
 * @a:		where the second piece starts
 * @b:		where the third piece starts
 * @errp:	error on failure
 *
 * Return: as hx_write()
 */
static int write_in_three(struct vu_frontend *fe, const void *msg, size_t len,
			  size_t a, size_t b, struct error **errp)
{
	const struct hx_chunk c[3] = {
		{ .buf = msg, .len = a },
		{ .buf = (const char *)msg + a, .len = b - a, .delay_ms = 30 },
		{ .buf = (const char *)msg + b,
		  .len = len - b,
		  .delay_ms = 30 },
	};

	return hx_write(fe, c, 3, errp);
}

/**
 * run_split_header() - a GET_FEATURES header in three writes
 * @x:		case run
 * @arg:	unused
 *
 * Return: HX_ACCEPTED if answered as one message
 */
static enum hx_outcome run_split_header(struct hx_ctx *x, const void *arg)
{
	enum hx_outcome res = HX_UNEXPECTED;
	struct error *err = NULL;
	struct vu_frontend fe;

	(void)arg;
	vu_init(&fe);
	if (hx_connect(x, &fe, &err) &&
	    write_in_three(&fe, &get_features, sizeof(get_features), 5, 9,
			   &err) > 0)
		res = hx_verdict(x, &fe, get_features.request, HX_ANS_REPLY);
	if (res == HX_ACCEPTED &&
	    (x->reply_size != 8 ||
	     !(x->reply.u64 & (1ULL << VIRTIO_F_VERSION_1)))) {
		hx_note(x, "GET_FEATURES answered %u bytes: 0x%llx",
			x->reply_size, (unsigned long long)x->reply.u64);
		res = HX_UNEXPECTED;
	}
	return hx_done(x, &fe, res, err);
}

/**
 * run_split_payload() - SET_PROTOCOL_FEATURES whose payload comes in pieces
 * @x:		case run
 * @arg:	unused
 *
 * Return: HX_ACCEPTED if acked 0
 */
static enum hx_outcome run_split_payload(struct hx_ctx *x, const void *arg)
{
	struct {
		struct vhost_user_header hdr;
		uint64_t u64;
	} __attribute__((packed)) m = {
		{ VHOST_USER_SET_PROTOCOL_FEATURES, V | NR, 8 },
		0,
	};
	enum hx_outcome res = HX_UNEXPECTED;
	struct error *err = NULL;
	struct vu_frontend fe;

	(void)arg;
	vu_init(&fe);
	if (hx_session(x, &fe, HX_FEATURES, 0, NULL, &err)) {
		m.u64 = fe.acked_protocol;
		if (write_in_three(&fe, &m, sizeof(m), 12, 15, &err) > 0)
			res = hx_verdict(x, &fe, m.hdr.request, HX_ANS_ACK);
	}
	return hx_done(x, &fe, res, err);
}

/**
 * run_two_in_one() - two requests in one write: two replies, in order
 * @x:		case run
 * @arg:	unused
 *
 * Return: HX_ACCEPTED if both came
 */
static enum hx_outcome run_two_in_one(struct hx_ctx *x, const void *arg)
{
	const struct vhost_user_header two[2] = {
		{ VHOST_USER_GET_FEATURES, V, 0 },
		{ VHOST_USER_GET_PROTOCOL_FEATURES, V, 0 },
	};
	const struct hx_chunk c = { .buf = two, .len = sizeof(two) };
	enum hx_outcome res = HX_UNEXPECTED;
	struct error *err = NULL;
	struct vu_frontend fe;
	uint64_t a, b;

	(void)arg;
	vu_init(&fe);
	if (hx_connect(x, &fe, &err) && hx_write(&fe, &c, 1, &err) > 0 &&
	    hx_expect_reply(x, &fe, two[0].request, &a, 8, &err) &&
	    hx_expect_reply(x, &fe, two[1].request, &b, 8, &err))
		res = hx_probe(x, &fe);
	return hx_done(x, &fe, res, err);
}

/**
 * run_fd_inside() - a message whose fd comes with a later byte
 * @x:		case run
 * @arg:	bytes of the message sent before the part with the fd
 *
 * A SET_VRING_CALL with NOFD: the fd is not expected at all, and arrives
 * inside the header or the payload instead of with its first byte.
 *
 * Return: the outcome
 */
static enum hx_outcome run_fd_inside(struct hx_ctx *x, const void *arg)
{
	size_t cut = (size_t)(uintptr_t)arg;
	struct {
		struct vhost_user_header hdr;
		uint64_t u64;
	} __attribute__((packed)) m = {
		{ VHOST_USER_SET_VRING_CALL, V, 8 },
		VHOST_USER_VRING_NOFD_MASK,
	};
	enum hx_outcome res = HX_UNEXPECTED;
	struct error *err = NULL;
	struct vu_frontend fe;
	int fd = -1;

	vu_init(&fe);
	if (hx_session(x, &fe, HX_OWNED, 0, NULL, &err) &&
	    (fd = hx_fd_make(HX_FD_EVENTFD, 0, &err)) >= 0) {
		const struct hx_chunk c[2] = {
			{ .buf = &m, .len = cut },
			{ .buf = (char *)&m + cut,
			  .len = sizeof(m) - cut,
			  .fds = &fd,
			  .nfds = 1,
			  .delay_ms = 20 },
		};
		res = hx_sent(x, &fe, hx_write(&fe, c, 2, &err), m.hdr.request,
			      HX_ANS_NONE);
	}
	hx_close_fds(&fd, 1);
	return hx_done(x, &fe, res, err);
}

/**
 * run_second_frontend() - connect while a front-end is served
 * @x:		case run
 * @arg:	unused
 *
 * Return: HX_CLOSED if the second one was turned away and the first one
 * still served
 */
static enum hx_outcome run_second_frontend(struct hx_ctx *x, const void *arg)
{
	enum hx_outcome res = HX_UNEXPECTED;
	struct vu_frontend a, b;
	struct error *err = NULL;

	(void)arg;
	vu_init(&a);
	vu_init(&b);
	if (hx_session(x, &a, HX_OWNED, 0, NULL, &err) &&
	    hx_connect(x, &b, &err)) {
		res = hx_wait_closed(x, &b, x->timeout_ms);
		if (res == HX_CLOSED && hx_probe(x, &a) != HX_ACCEPTED) {
			hx_note(x, "the first front-end lost its session");
			res = HX_UNEXPECTED;
		}
	}
	vu_close(&b);
	return hx_done(x, &a, res, err);
}

/**
 * run_unread_replies() - ask and ask, never read a reply
 * @x:		case run
 * @arg:	unused
 *
 * Requests go out whenever the socket takes them; once the replies fill the
 * back-end's buffer it cannot answer, stops reading, and must give up on
 * the front-end after its send timeout, not block its control thread for
 * ever.
 *
 * Return: HX_CLOSED if the back-end hung up
 */
static enum hx_outcome run_unread_replies(struct hx_ctx *x, const void *arg)
{
	const struct vhost_user_header hdr = { VHOST_USER_GET_FEATURES, V, 0 };
	uint64_t deadline = hx_now_ms() + STALL_MS;
	enum hx_outcome res = HX_UNEXPECTED;
	struct error *err = NULL;
	struct vu_frontend fe;
	unsigned int sent = 0;

	(void)arg;
	vu_init(&fe);
	if (!hx_connect(x, &fe, &err))
		return hx_fail(x, err);
	while (hx_now_ms() < deadline) {
		struct pollfd pfd = { .fd = fe.sock,
				      .events = POLLOUT | POLLRDHUP };

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR)) {
			res = HX_CLOSED;
			break;
		}
		if (send(fe.sock, &hdr, sizeof(hdr),
			 MSG_DONTWAIT | MSG_NOSIGNAL) == sizeof(hdr))
			sent++;
	}
	hx_note(x, "%u requests sent, %s", sent,
		res == HX_CLOSED ? "then the back-end hung up"
				 : "and the back-end kept the session");
	hx_end(x, &fe);
	return res;
}

/**
 * run_ack_on_reply_request() - NEED_REPLY on a request with its own reply
 * @x:		case run
 * @arg:	unused
 *
 * vhost-user.rst: the reply is the ack. A second message (an ack) would be
 * taken by the next request as its reply.
 *
 * Return: HX_ACCEPTED if exactly one reply came
 */
static enum hx_outcome run_ack_on_reply_request(struct hx_ctx *x,
						const void *arg)
{
	const uint32_t req = VHOST_USER_GET_PROTOCOL_FEATURES;
	enum hx_outcome res = HX_UNEXPECTED;
	struct error *err = NULL;
	struct vu_frontend fe;
	uint64_t features;

	(void)arg;
	vu_init(&fe);
	if (hx_session(x, &fe, HX_OWNED, 0, NULL, &err) &&
	    hx_send(&fe, req, V | NR, 0, NULL, 0, NULL, 0, &err) > 0 &&
	    hx_expect_reply(x, &fe, req, &features, 8, &err))
		res = hx_probe(x, &fe);
	return hx_done(x, &fe, res, err);
}

const struct hx_case hx_proto_cases[] = {
	/* The header */
	{ "hdr-version-0", "header", HX_ANY, HX_CLOSED,
	  "flags 0x0: version 0, expected 1", "header flags: version 0",
	  hx_run_raw, RAW(.request = VHOST_USER_GET_FEATURES, .flags = 0) },
	{ "hdr-version-2", "header", HX_ANY, HX_CLOSED,
	  "flags 0x2: version 2, expected 1", "header flags: version 2",
	  hx_run_raw, RAW(.request = VHOST_USER_GET_FEATURES, .flags = 2) },
	{ "hdr-version-3", "header", HX_ANY, HX_CLOSED, "version 3, expected 1",
	  "header flags: version 3 with NEED_REPLY", hx_run_raw,
	  RAW(.request = VHOST_USER_GET_FEATURES, .flags = 3 | NR) },
	{ "hdr-reply-flag", "header", HX_ANY, HX_CLOSED,
	  "REPLY flag set on a request", "a request flagged as a reply",
	  hx_run_raw,
	  RAW(.request = VHOST_USER_GET_FEATURES,
	      .flags = V | VHOST_USER_REPLY_MASK) },
	{ "hdr-unknown-flag", "header", HX_ANY, HX_CLOSED,
	  "unknown flag bits 0x10", "flag bit 4, which no version defines",
	  hx_run_raw,
	  RAW(.request = VHOST_USER_GET_FEATURES, .flags = V | 0x10) },
	{ "hdr-top-flag", "header", HX_ANY, HX_CLOSED,
	  "unknown flag bits 0x80000000", "flag bit 31", hx_run_raw,
	  RAW(.request = VHOST_USER_GET_FEATURES, .flags = V | 0x80000000u) },
	{ "hdr-payload-4097", "header", HX_ANY, HX_CLOSED,
	  "payload size 4097 exceeds the limit of 4096",
	  "a payload size above the largest message", hx_run_raw,
	  RAW(.request = VHOST_USER_SET_FEATURES, .flags = V, .size = 4097) },
	{ "hdr-payload-4g", "header", HX_ANY, HX_CLOSED,
	  "payload size 4294967295 exceeds the limit",
	  "a payload size of 4 GiB - 1", hx_run_raw,
	  RAW(.request = VHOST_USER_SET_MEM_TABLE, .flags = V,
	      .size = UINT32_MAX) },
	{ "hdr-truncated", "header", HX_ANY, HX_CLOSED, "bytes of the header",
	  "6 bytes of a header, then end-of-file", hx_run_stream,
	  STREAM(.c = half_header, .n = 1, .shut = true) },
	{ "hdr-stalled", "header", HX_BLK, HX_CLOSED,
	  "timed out after 0 of 6 bytes of the header",
	  "6 bytes of a header, then silence (5 s)", hx_run_stream,
	  STREAM(.c = half_header, .n = 1, .wait_ms = STALL_MS) },
	{ "payload-truncated", "header", HX_ANY, HX_CLOSED,
	  "after 3 of 8 bytes of the payload",
	  "SET_FEATURES with 3 of its 8 payload bytes, then end-of-file",
	  hx_run_raw,
	  RAW(.phase = HX_OWNED, .request = VHOST_USER_SET_FEATURES, .flags = V,
	      .size = 8, .len = 3, .shut = true) },
	{ "msg-split-header", "header", HX_ANY, HX_ACCEPTED,
	  "GET_FEATURES (size 0, 0 fds)",
	  "a GET_FEATURES header in three writes: one message",
	  run_split_header, NULL },
	{ "msg-split-payload", "header", HX_ANY, HX_ACCEPTED,
	  "SET_PROTOCOL_FEATURES (size 8, 0 fds)",
	  "SET_PROTOCOL_FEATURES in three writes, acked once",
	  run_split_payload, NULL },
	{ "msg-two-in-one-write", "header", HX_ANY, HX_ACCEPTED,
	  "GET_PROTOCOL_FEATURES (size 0, 0 fds)",
	  "two requests in one write: two replies in order", run_two_in_one,
	  NULL },
	{ "fd-inside-header", "header", HX_ANY, HX_CLOSED,
	  "fds attached inside the header",
	  "an fd that comes with byte 4 of a header", run_fd_inside,
	  (const void *)4 },
	{ "fd-inside-payload", "header", HX_ANY, HX_CLOSED,
	  "fds attached inside the payload",
	  "an fd that comes with the payload, not the header", run_fd_inside,
	  (const void *)12 },
	{ "fds-9", "header", HX_ANY, HX_CLOSED, "message with more than 8 fds",
	  "SET_MEM_TABLE with 9 fds", hx_run_raw,
	  RAW(.phase = HX_OWNED, .request = VHOST_USER_SET_MEM_TABLE,
	      .flags = V, .size = 8 + 8 * 32, .len = 8 + 8 * 32,
	      .payload.memory.nregions = 8, .nfds = 9) },
	{ "fds-32", "header", HX_ANY, HX_CLOSED, "message with more than 8 fds",
	  "SET_OWNER with 32 fds: more than the control buffer holds",
	  hx_run_raw,
	  RAW(.phase = HX_FEATURES, HX_MSG(VHOST_USER_SET_OWNER, 0),
	      .nfds = 32) },
	{ "second-frontend", "header", HX_ANY, HX_CLOSED,
	  "refusing a second front-end",
	  "a second front-end while one is served: turned away, the first "
	  "goes on",
	  run_second_frontend, NULL },
	{ "replies-never-read", "header", HX_BLK, HX_CLOSED, "send timed out",
	  "requests sent, replies never read (5 s)", run_unread_replies, NULL },

	/* Requests the back-end does not implement */
	{ "req-none", "unknown", HX_ANY, HX_CLOSED,
	  "NONE (0): request not supported", "request 0", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(0, 0)) },
	{ "req-set-log-base", "unknown", HX_ANY, HX_CLOSED,
	  "SET_LOG_BASE (6): request not supported",
	  "SET_LOG_BASE with a memfd: LOG_SHMFD is never offered", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SET_LOG_BASE, 16),
	      .fd = { HX_FD_MEMFD }, .nfds = 1) },
	{ "req-set-log-fd", "unknown", HX_ANY, HX_CLOSED,
	  "SET_LOG_FD (7): request not supported", "SET_LOG_FD with an eventfd",
	  hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SET_LOG_FD, 0), .nfds = 1) },
	{ "req-iotlb", "unknown", HX_ANY, HX_CLOSED,
	  "IOTLB_MSG (22): request not supported", "IOTLB_MSG", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_IOTLB_MSG, 40)) },
	{ "req-set-vring-endian", "unknown", HX_ANY, HX_CLOSED,
	  "SET_VRING_ENDIAN (23): request not supported",
	  "SET_VRING_ENDIAN: CROSS_ENDIAN is never offered", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SET_VRING_ENDIAN, 8)) },
	{ "req-postcopy-advise", "unknown", HX_ANY, HX_CLOSED,
	  "POSTCOPY_ADVISE (28): request not supported", "POSTCOPY_ADVISE",
	  hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_POSTCOPY_ADVISE, 0)) },
	{ "req-set-inflight-fd", "unknown", HX_ANY, HX_CLOSED,
	  "SET_INFLIGHT_FD (32): request not supported",
	  "SET_INFLIGHT_FD with a memfd", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SET_INFLIGHT_FD, 24),
	      .fd = { HX_FD_MEMFD }, .nfds = 1) },
	{ "req-gpu-set-socket", "unknown", HX_ANY, HX_CLOSED,
	  "GPU_SET_SOCKET (33): request not supported",
	  "GPU_SET_SOCKET with a socket", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_GPU_SET_SOCKET, 0),
	      .fd = { HX_FD_SOCK_EOF }, .nfds = 1) },
	{ "req-vring-kick-inband", "unknown", HX_ANY, HX_CLOSED,
	  "VRING_KICK (35): request not supported",
	  "VRING_KICK: INBAND_NOTIFICATIONS is never offered", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_VRING_KICK, 8)) },
	{ "req-set-device-state-fd", "unknown", HX_ANY, HX_CLOSED,
	  "SET_DEVICE_STATE_FD (42): request not supported",
	  "SET_DEVICE_STATE_FD with a pipe", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SET_DEVICE_STATE_FD, 8),
	      .fd = { HX_FD_PIPE_W }, .nfds = 1) },
	{ "req-past-max", "unknown", HX_ANY, HX_CLOSED,
	  "UNKNOWN (44): request not supported",
	  "the first request id past the protocol's", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_MAX_REQUEST, 0)) },
	{ "req-max-u32", "unknown", HX_ANY, HX_CLOSED,
	  "UNKNOWN (4294967295): request not supported",
	  "request id 0xffffffff", hx_run_raw, RAW(HX_MSG(UINT32_MAX, 0)) },

	/* Payload sizes */
	{ "size-get-features-8", "size", HX_ANY, HX_CLOSED,
	  "GET_FEATURES: payload size 8, expected 0",
	  "GET_FEATURES with a payload", hx_run_raw,
	  RAW(HX_MSG(VHOST_USER_GET_FEATURES, 8)) },
	{ "size-set-features-4", "size", HX_ANY, HX_CLOSED,
	  "SET_FEATURES: payload size 4, expected 8",
	  "SET_FEATURES with half a u64", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SET_FEATURES, 4)) },
	{ "size-set-features-16", "size", HX_ANY, HX_CLOSED,
	  "SET_FEATURES: payload size 16, expected 8",
	  "SET_FEATURES with 16 bytes", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SET_FEATURES, 16)) },
	{ "size-set-protocol-0", "size", HX_ANY, HX_CLOSED,
	  "SET_PROTOCOL_FEATURES: payload size 0, expected 8",
	  "SET_PROTOCOL_FEATURES without its u64", hx_run_raw,
	  RAW(.phase = HX_FEATURES,
	      HX_MSG(VHOST_USER_SET_PROTOCOL_FEATURES, 0)) },
	{ "size-set-owner-8", "size", HX_ANY, HX_CLOSED,
	  "SET_OWNER: payload size 8, expected 0", "SET_OWNER with a payload",
	  hx_run_raw,
	  RAW(.phase = HX_FEATURES, HX_MSG(VHOST_USER_SET_OWNER, 8)) },
	{ "size-vring-num-4", "size", HX_ANY, HX_CLOSED,
	  "SET_VRING_NUM: payload size 4, expected 8",
	  "SET_VRING_NUM without its num", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SET_VRING_NUM, 4)) },
	{ "size-vring-num-12", "size", HX_ANY, HX_CLOSED,
	  "SET_VRING_NUM: payload size 12, expected 8",
	  "SET_VRING_NUM with 4 bytes too many", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SET_VRING_NUM, 12),
	      .payload.state = { 0, 16 }) },
	{ "size-vring-addr-32", "size", HX_ANY, HX_CLOSED,
	  "SET_VRING_ADDR: payload size 32, expected 40",
	  "SET_VRING_ADDR without log_guest_addr", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SET_VRING_ADDR, 32)) },
	{ "size-vring-addr-48", "size", HX_ANY, HX_CLOSED,
	  "SET_VRING_ADDR: payload size 48, expected 40",
	  "SET_VRING_ADDR with 8 bytes too many", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SET_VRING_ADDR, 48)) },
	{ "size-vring-kick-4", "size", HX_ANY, HX_CLOSED,
	  "SET_VRING_KICK: payload size 4, expected 8",
	  "SET_VRING_KICK with a u32 and an eventfd", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SET_VRING_KICK, 4),
	      .nfds = 1) },
	{ "size-get-vring-base-0", "size", HX_ANY, HX_CLOSED,
	  "GET_VRING_BASE: payload size 0, expected 8",
	  "GET_VRING_BASE without the ring's index", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_GET_VRING_BASE, 0)) },
	{ "size-mem-table-4", "size", HX_ANY, HX_CLOSED,
	  "SET_MEM_TABLE: payload size 4, expected at least 8",
	  "SET_MEM_TABLE shorter than its region count", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SET_MEM_TABLE, 4)) },
	{ "size-mem-table-mismatch", "size", HX_ANY, HX_CLOSED,
	  "payload size 72, expected 40 for 1 regions",
	  "SET_MEM_TABLE: nregions 1, two regions of payload", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SET_MEM_TABLE, 72),
	      .payload.memory.nregions = 1, .fd = { HX_FD_MEMFD }, .nfds = 1) },
	{ "size-add-mem-reg-32", "size", HX_ANY, HX_CLOSED,
	  "ADD_MEM_REG: payload size 32, expected 40",
	  "ADD_MEM_REG without its padding word", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_ADD_MEM_REG, 32),
	      .fd = { HX_FD_MEMFD }, .nfds = 1) },
	{ "size-set-status-1", "size", HX_ANY, HX_CLOSED,
	  "SET_STATUS: payload size 1, expected 8", "SET_STATUS with one byte",
	  hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SET_STATUS, 1)) },
	{ "size-get-queue-num-8", "size", HX_ANY, HX_CLOSED,
	  "GET_QUEUE_NUM: payload size 8, expected 0",
	  "GET_QUEUE_NUM with a payload", hx_run_raw,
	  RAW(.phase = HX_FEATURES, HX_MSG(VHOST_USER_GET_QUEUE_NUM, 8)) },
	{ "size-config-8", "size", HX_ANY, HX_CLOSED,
	  "smaller than the config header (12)",
	  "GET_CONFIG shorter than offset, size and flags", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_GET_CONFIG, 8)) },
	{ "size-config-300", "size", HX_ANY, HX_CLOSED,
	  "config size 300 exceeds 256",
	  "GET_CONFIG of 300 bytes, more than any config space", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_GET_CONFIG, 312),
	      .payload.config.size = 300) },
	{ "size-config-mismatch", "size", HX_ANY, HX_CLOSED,
	  "payload size 30, expected 22 for config size 10",
	  "SET_CONFIG whose size field and payload disagree", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SET_CONFIG, 30),
	      .payload.config.size = 10) },

	/* Numbers of fds */
	{ "fds-get-features-1", "fds", HX_ANY, HX_CLOSED,
	  "GET_FEATURES: 1 fds attached, expected 0",
	  "GET_FEATURES with an eventfd", hx_run_raw,
	  RAW(HX_MSG(VHOST_USER_GET_FEATURES, 0), .nfds = 1) },
	{ "fds-set-owner-3", "fds", HX_ANY, HX_CLOSED,
	  "SET_OWNER: 3 fds attached, expected 0",
	  "SET_OWNER with a pipe, a directory and a memfd", hx_run_raw,
	  RAW(.phase = HX_FEATURES, HX_MSG(VHOST_USER_SET_OWNER, 0),
	      .fd = { HX_FD_PIPE_EOF, HX_FD_DIR, HX_FD_MEMFD }, .nfds = 3) },
	{ "fds-mem-table-fewer", "fds", HX_ANY, HX_CLOSED,
	  "1 fds attached, expected one per region (2)",
	  "SET_MEM_TABLE: two regions, one fd", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SET_MEM_TABLE, 72),
	      .payload.memory.nregions = 2, .fd = { HX_FD_MEMFD }, .nfds = 1) },
	{ "fds-mem-table-more", "fds", HX_ANY, HX_CLOSED,
	  "2 fds attached, expected one per region (1)",
	  "SET_MEM_TABLE: one region, two fds", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SET_MEM_TABLE, 40),
	      .payload.memory.nregions = 1, .fd = { HX_FD_MEMFD, HX_FD_MEMFD },
	      .nfds = 2) },
	{ "fds-mem-table-none", "fds", HX_ANY, HX_CLOSED,
	  "0 fds attached, expected one per region (1)",
	  "SET_MEM_TABLE: one region, no fd", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SET_MEM_TABLE, 40),
	      .payload.memory.nregions = 1) },
	{ "fds-kick-missing", "fds", HX_ANY, HX_CLOSED,
	  "SET_VRING_KICK: 0 fds attached, expected 1 (NOFD bit clear)",
	  "SET_VRING_KICK without NOFD and without an fd", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SET_VRING_KICK, 8)) },
	{ "fds-call-nofd-with-fd", "fds", HX_ANY, HX_CLOSED,
	  "SET_VRING_CALL: 1 fds attached, expected 0 (NOFD bit set)",
	  "SET_VRING_CALL with NOFD and an eventfd", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SET_VRING_CALL, 8),
	      .payload.u64 = VHOST_USER_VRING_NOFD_MASK, .nfds = 1) },
	{ "fds-err-two", "fds", HX_ANY, HX_CLOSED,
	  "SET_VRING_ERR: 2 fds attached, expected 1",
	  "SET_VRING_ERR with two eventfds", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SET_VRING_ERR, 8),
	      .nfds = 2) },
	{ "fds-backend-req-none", "fds", HX_ANY, HX_CLOSED,
	  "SET_BACKEND_REQ_FD: 0 fds attached, expected 1",
	  "SET_BACKEND_REQ_FD without its socket", hx_run_raw,
	  RAW(.phase = HX_FEATURES, .protocol = PROTO_BACKEND_REQ,
	      HX_MSG(VHOST_USER_SET_BACKEND_REQ_FD, 0)) },
	{ "fds-backend-req-two", "fds", HX_ANY, HX_CLOSED,
	  "SET_BACKEND_REQ_FD: 2 fds attached, expected 1",
	  "SET_BACKEND_REQ_FD with two sockets", hx_run_raw,
	  RAW(.phase = HX_FEATURES, .protocol = PROTO_BACKEND_REQ,
	      HX_MSG(VHOST_USER_SET_BACKEND_REQ_FD, 0),
	      .fd = { HX_FD_SOCK_EOF, HX_FD_SOCK_EOF }, .nfds = 2) },
	{ "fds-add-mem-reg-none", "fds", HX_ANY, HX_CLOSED,
	  "ADD_MEM_REG: 0 fds attached, expected 1",
	  "ADD_MEM_REG without the region's fd", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_ADD_MEM_REG, 40)) },
	{ "fds-add-mem-reg-two", "fds", HX_ANY, HX_CLOSED,
	  "ADD_MEM_REG: 2 fds attached, expected 1",
	  "ADD_MEM_REG with two memfds", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_ADD_MEM_REG, 40),
	      .fd = { HX_FD_MEMFD, HX_FD_MEMFD }, .nfds = 2) },
	{ "fds-rem-mem-reg-two", "fds", HX_ANY, HX_CLOSED,
	  "REM_MEM_REG: 2 fds attached, expected 0 to 1",
	  "REM_MEM_REG with two memfds", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_REM_MEM_REG, 40),
	      .fd = { HX_FD_MEMFD, HX_FD_MEMFD }, .nfds = 2) },
	{ "fds-kick-unknown-bits", "fds", HX_ANY, HX_CLOSED,
	  "SET_VRING_KICK: u64 0x200: unknown bits",
	  "SET_VRING_KICK with bit 9 set beside index and NOFD", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SET_VRING_KICK, 8),
	      .payload.u64 = 0x200, .nfds = 1) },

	/* Requests out of order, or without their protocol feature */
	{ "order-mem-table-before-owner", "order", HX_ANY, HX_CLOSED,
	  "SET_MEM_TABLE: not allowed before SET_OWNER",
	  "SET_MEM_TABLE before SET_OWNER", hx_run_raw,
	  RAW(.phase = HX_FEATURES, HX_MSG(VHOST_USER_SET_MEM_TABLE, 40),
	      .payload.memory = { .nregions = 1,
				  .regions = { { 0x100000, 65536, 0x100000,
						 0 } } },
	      .fd = { HX_FD_MEMFD }, .nfds = 1) },
	{ "order-vring-num-before-owner", "order", HX_ANY, HX_CLOSED,
	  "SET_VRING_NUM: not allowed before SET_OWNER",
	  "SET_VRING_NUM before SET_OWNER", hx_run_raw,
	  RAW(.phase = HX_FEATURES, HX_MSG(VHOST_USER_SET_VRING_NUM, 8),
	      .payload.state = { 0, 16 }) },
	{ "order-kick-before-owner", "order", HX_ANY, HX_CLOSED,
	  "SET_VRING_KICK: not allowed before SET_OWNER",
	  "SET_VRING_KICK with an eventfd before SET_OWNER", hx_run_raw,
	  RAW(HX_MSG(VHOST_USER_SET_VRING_KICK, 8), .nfds = 1) },
	{ "order-get-vring-base-before-owner", "order", HX_ANY, HX_CLOSED,
	  "GET_VRING_BASE: not allowed before SET_OWNER",
	  "GET_VRING_BASE as the first request", hx_run_raw,
	  RAW(HX_MSG(VHOST_USER_GET_VRING_BASE, 8)) },
	{ "order-set-owner-twice", "order", HX_ANY, HX_CLOSED,
	  "the session already has an owner", "SET_OWNER twice", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SET_OWNER, 0)) },
	{ "order-config-no-feature", "order", HX_ANY, HX_CLOSED,
	  "GET_CONFIG: protocol feature CONFIG not negotiated",
	  "GET_CONFIG without CONFIG", hx_run_raw,
	  RAW(.phase = HX_OWNED,
	      .protocol = PROTO_WITHOUT(VHOST_USER_PROTOCOL_F_CONFIG),
	      HX_MSG(VHOST_USER_GET_CONFIG, 20), .payload.config.size = 8) },
	{ "order-status-no-feature", "order", HX_ANY, HX_CLOSED,
	  "SET_STATUS: protocol feature STATUS not negotiated",
	  "SET_STATUS without STATUS", hx_run_raw,
	  RAW(.phase = HX_OWNED,
	      .protocol = PROTO_WITHOUT(VHOST_USER_PROTOCOL_F_STATUS),
	      HX_MSG(VHOST_USER_SET_STATUS, 8),
	      .payload.u64 = VIRTIO_CONFIG_S_ACKNOWLEDGE) },
	{ "order-queue-num-first", "order", HX_ANY, HX_CLOSED,
	  "GET_QUEUE_NUM: protocol feature MQ not negotiated",
	  "GET_QUEUE_NUM before SET_PROTOCOL_FEATURES", hx_run_raw,
	  RAW(HX_MSG(VHOST_USER_GET_QUEUE_NUM, 0)) },
	{ "order-add-mem-reg-no-feature", "order", HX_ANY, HX_CLOSED,
	  "ADD_MEM_REG: protocol feature CONFIGURE_MEM_SLOTS not negotiated",
	  "ADD_MEM_REG without CONFIGURE_MEM_SLOTS", hx_run_raw,
	  RAW(.phase = HX_OWNED,
	      .protocol =
		      PROTO_WITHOUT(VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS),
	      HX_MSG(VHOST_USER_ADD_MEM_REG, 40), .fd = { HX_FD_MEMFD },
	      .nfds = 1) },
	{ "order-max-mem-slots-no-feature", "order", HX_ANY, HX_CLOSED,
	  "GET_MAX_MEM_SLOTS: protocol feature CONFIGURE_MEM_SLOTS not "
	  "negotiated",
	  "GET_MAX_MEM_SLOTS as the first request", hx_run_raw,
	  RAW(HX_MSG(VHOST_USER_GET_MAX_MEM_SLOTS, 0)) },
	{ "order-reset-device-no-feature", "order", HX_ANY, HX_CLOSED,
	  "RESET_DEVICE: protocol feature RESET_DEVICE not negotiated",
	  "RESET_DEVICE without RESET_DEVICE", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_RESET_DEVICE, 0)) },
	{ "order-backend-req-no-feature", "order", HX_ANY, HX_CLOSED,
	  "SET_BACKEND_REQ_FD: protocol feature BACKEND_REQ not negotiated",
	  "SET_BACKEND_REQ_FD with a socket, BACKEND_REQ not negotiated",
	  hx_run_raw,
	  RAW(.phase = HX_FEATURES, HX_MSG(VHOST_USER_SET_BACKEND_REQ_FD, 0),
	      .fd = { HX_FD_SOCK_EOF }, .nfds = 1) },
	{ "order-send-rarp-blk", "order", HX_BLK, HX_CLOSED,
	  "SEND_RARP: protocol feature RARP not negotiated",
	  "SEND_RARP to a block device", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SEND_RARP, 8)) },
	{ "order-net-set-mtu-blk", "order", HX_BLK, HX_CLOSED,
	  "NET_SET_MTU: protocol feature NET_MTU not negotiated",
	  "NET_SET_MTU to a block device", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_NET_SET_MTU, 8),
	      .payload.u64 = 1500) },

	/* Features */
	{ "features-unoffered", "features", HX_ANY, HX_CLOSED,
	  "bits 0x8000000000000000 were not offered",
	  "SET_FEATURES with bit 63, never offered", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SET_FEATURES, 8),
	      .payload.u64 = (1ULL << 63) | (1ULL << VIRTIO_F_VERSION_1)) },
	{ "features-packed-ring", "features", HX_ANY, HX_CLOSED,
	  "bits 0x400000000 were not offered",
	  "SET_FEATURES with RING_PACKED, never offered", hx_run_raw,
	  RAW(.phase = HX_OWNED, HX_MSG(VHOST_USER_SET_FEATURES, 8),
	      .payload.u64 = (1ULL << VIRTIO_F_RING_PACKED) |
			     (1ULL << VIRTIO_F_VERSION_1)) },
	{ "features-before-get", "features", HX_ANY, HX_CLOSED,
	  "were not offered",
	  "SET_FEATURES with every bit, before GET_FEATURES", hx_run_raw,
	  RAW(HX_MSG(VHOST_USER_SET_FEATURES, 8), .payload.u64 = UINT64_MAX) },
	{ "protocol-unoffered", "features", HX_ANY, HX_CLOSED,
	  "LOG_SHMFD (bit 1) was not offered",
	  "SET_PROTOCOL_FEATURES with LOG_SHMFD, never offered", hx_run_raw,
	  RAW(.phase = HX_FEATURES, HX_MSG(VHOST_USER_SET_PROTOCOL_FEATURES, 8),
	      .payload.u64 = 1ULL << VHOST_USER_PROTOCOL_F_LOG_SHMFD) },
	{ "protocol-unknown-bit", "features", HX_ANY, HX_CLOSED,
	  "unknown (bit 40) was not offered",
	  "SET_PROTOCOL_FEATURES with bit 40, which the protocol lacks",
	  hx_run_raw,
	  RAW(.phase = HX_FEATURES, HX_MSG(VHOST_USER_SET_PROTOCOL_FEATURES, 8),
	      .payload.u64 = 1ULL << 40) },
	{ "protocol-rarp-blk", "features", HX_BLK, HX_CLOSED,
	  "RARP (bit 2) was not offered",
	  "SET_PROTOCOL_FEATURES with RARP, which blk does not offer",
	  hx_run_raw,
	  RAW(.phase = HX_FEATURES, HX_MSG(VHOST_USER_SET_PROTOCOL_FEATURES, 8),
	      .payload.u64 = 1ULL << VHOST_USER_PROTOCOL_F_RARP) },
	{ "net-set-mtu-too-small", "features", HX_NET, HX_NACK,
	  "MTU 20 not in 68..", "NET_SET_MTU 20, below the least IPv4 MTU",
	  hx_run_raw,
	  RAW(.phase = HX_OWNED, .protocol = PROTO_NET_MTU,
	      .request = VHOST_USER_NET_SET_MTU, .flags = V | NR, .size = 8,
	      .len = 8, .payload.u64 = 20, .ans = HX_ANS_ACK) },
	{ "net-set-mtu-huge", "features", HX_NET, HX_NACK,
	  "MTU 1099511627776 out of range", "NET_SET_MTU 2^40", hx_run_raw,
	  RAW(.phase = HX_OWNED, .protocol = PROTO_NET_MTU,
	      .request = VHOST_USER_NET_SET_MTU, .flags = V | NR, .size = 8,
	      .len = 8, .payload.u64 = 1ULL << 40, .ans = HX_ANS_ACK) },

	/* REPLY_ACK */
	{ "ack-not-negotiated", "reply-ack", HX_ANY, HX_CLOSED,
	  "NEED_REPLY set but REPLY_ACK not negotiated",
	  "NEED_REPLY on SET_OWNER without REPLY_ACK", hx_run_raw,
	  RAW(.phase = HX_FEATURES,
	      .protocol = PROTO_WITHOUT(VHOST_USER_PROTOCOL_F_REPLY_ACK),
	      .request = VHOST_USER_SET_OWNER, .flags = V | NR) },
	{ "ack-on-reply-request", "reply-ack", HX_ANY, HX_ACCEPTED,
	  "GET_PROTOCOL_FEATURES (size 0, 0 fds)",
	  "NEED_REPLY on GET_PROTOCOL_FEATURES: one reply, no extra ack",
	  run_ack_on_reply_request, NULL },
};

const unsigned int hx_proto_count =
	sizeof(hx_proto_cases) / sizeof(hx_proto_cases[0]);
