/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: QMP input into the block program's monitor.
 *
 * One input is one client connection: its bytes go, in chunks, through a
 * real monitor client (qmp/monitor-client.c: our JSON stream lexer, json-c,
 * the request checks) into the dispatch generated for qemu-dev-vhost-user-blk
 * and its real command handlers, against a virtio-blk device on a 1 MiB memfd
 * and a vhost-user server that has no front-end: no handler needs a stub.
 * What `quit` and `block-resize` change (the quit eventfd, the disk's size)
 * is put back after each input. The client is driven on this thread, as the
 * monitor thread drives it, with a socketpair in place of an accepted
 * connection; no event is ever queued (no monitor thread runs).
 *
 * Everything the client writes is checked: ASCII only, every line ending in
 * CRLF, a sequence of JSON objects (one per line, or one per pretty block
 * ending in a "}" line), the greeting first, then responses, each with
 * exactly one of "return" and "error", errors with a string class and desc.
 *
 * Input format: u8 flags (bit 0: a pretty=on monitor), then three chunk
 * sizes c0 c1 c2 (u8; 0 means the rest), then the bytes the client sends,
 * in chunks of c0, c1, c2, c0, ... bytes; then the client shuts its side.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "devices/blk/virtio-blk.h"
#include "qmp/monitor-int.h"
#include "qmp/qmp-target.h"
#include "tests/fuzz/protocol/fuzz-blk-disk.h"
#include "tests/fuzz/protocol/fuzz-util.h"

#define FUZZ_CHUNKS 3
/* Wake-ups a client gets to close after EOF: it needs one or two */
#define FUZZ_CLOSE_ROUNDS 100
/* Output kept while a message is incomplete (a pretty schema is ~200 KiB) */
#define FUZZ_OUT_MAX (QMP_MAX_OUTPUT_BYTES + 65536)

static struct {
	struct virtio_device *dev;
	struct vu_server *srv;
	int srv_peer; /* the server's connected socket's other end */
	struct qmp_target target;
	int quit_fd;
	struct qmp_monitor mon;
	struct qmp_listener listener[2]; /* plain, pretty */
	json_tokener *tok;		 /* checks the output */
	/* Output of the client not checked yet: allocated once, it is large */
	char *out;
} fq;

/* The output of one client, checked a message at a time */
struct fuzz_out {
	char *buf;
	size_t len;
	unsigned int messages;
	bool pretty;
};

/**
 * LLVMFuzzerInitialize() - Device, server, target and monitor, once
 * @argc:	unused
 * @argv:	unused
 *
 * Return: 0
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct vu_server_options opts = { .fd = -1 };
	struct error *err = NULL;
	unsigned int i;
	int sv[2];

	fuzz_log_init("fuzz-qmp");
	signal(SIGPIPE, SIG_IGN);
	fq.dev = fuzz_blk_disk("fuzz-qmp");
	fq.quit_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fq.quit_fd < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		fuzz_fail("eventfd, socketpair: %s", strerror(errno));
	qmp_target_init(&fq.target, QD_PROGRAM_NAME, fq.dev, fq.quit_fd, &opts);
	if (!qmp_blk_attach(&fq.target, &err))
		fuzz_fail("%s", error_get_pretty(err));
	/* A connected socket the server never runs: no front-end yet */
	opts.fd = sv[0];
	fq.srv_peer = sv[1];
	fq.srv = vu_server_new(fq.dev, &opts, &err);
	if (!fq.srv)
		fuzz_fail("%s", error_get_pretty(err));
	qmp_target_set_server(&fq.target, fq.srv);

	fq.mon.kind = QMP_WATCH_WAKE;
	fq.mon.target = &fq.target;
	fq.mon.wake_fd = -1;
	fq.mon.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (fq.mon.epfd < 0)
		fuzz_fail("epoll_create1: %s", strerror(errno));
	for (i = 0; i < 2; i++) {
		fq.listener[i].kind = QMP_WATCH_LISTENER;
		fq.listener[i].mon = &fq.mon;
		fq.listener[i].chardev_id = "fuzz";
		fq.listener[i].fd = -1;
		fq.listener[i].pretty = i;
	}
	fq.tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
	fq.out = malloc(FUZZ_OUT_MAX);
	if (!fq.tok || !fq.out)
		fuzz_fail("out of memory");
	json_tokener_set_flags(fq.tok, JSON_TOKENER_STRICT |
					       JSON_TOKENER_VALIDATE_UTF8);
	return 0;
}

/**
 * fuzz_check_message() - Check one message the client was sent
 * @out:	output state (which message this is)
 * @text:	the message, its CRLF excluded
 * @len:	its length
 */
static void fuzz_check_message(struct fuzz_out *out, const char *text,
			       size_t len)
{
	json_object *obj, *ret, *err, *cls, *desc, *greet;
	bool has_ret, has_err;

	json_tokener_reset(fq.tok);
	obj = json_tokener_parse_ex(fq.tok, text, (int)len);
	if (!obj || json_tokener_get_parse_end(fq.tok) != len)
		fuzz_fail("message %u is not one JSON text: %.*s",
			  out->messages, (int)len, text);
	if (!json_object_is_type(obj, json_type_object))
		fuzz_fail("message %u is not an object: %.*s", out->messages,
			  (int)len, text);
	greet = json_object_object_get(obj, "QMP");
	if (!out->messages != !!greet ||
	    (greet && json_object_object_length(obj) != 1))
		fuzz_fail("message %u: the greeting must come first, and "
			  "only there: %.*s",
			  out->messages, (int)len, text);
	if (out->messages) {
		has_ret = json_object_object_get_ex(obj, "return", &ret);
		has_err = json_object_object_get_ex(obj, "error", &err);
		if (has_ret == has_err || json_object_object_get(obj, "event"))
			fuzz_fail("message %u: not a response: %.*s",
				  out->messages, (int)len, text);
		if (has_err &&
		    (!json_object_object_get_ex(err, "class", &cls) ||
		     !json_object_is_type(cls, json_type_string) ||
		     !json_object_object_get_ex(err, "desc", &desc) ||
		     !json_object_is_type(desc, json_type_string)))
			fuzz_fail("message %u: malformed error: %.*s",
				  out->messages, (int)len, text);
	}
	json_object_put(obj);
	out->messages++;
}

/**
 * fuzz_take_output() - Read what the client wrote; check complete messages
 * @fd:		our end of the connection
 * @out:	output state
 *
 * Return: false once the client closed the connection (EOF)
 */
static bool fuzz_take_output(int fd, struct fuzz_out *out)
{
	size_t start = 0, i;
	bool open = true;
	ssize_t n;

	for (;;) {
		if (out->len == FUZZ_OUT_MAX)
			fuzz_fail("%d bytes without a complete message",
				  FUZZ_OUT_MAX);
		n = recv(fd, out->buf + out->len, FUZZ_OUT_MAX - out->len,
			 MSG_DONTWAIT);
		if (n <= 0) {
			open = n < 0 && (errno == EAGAIN || errno == EINTR);
			break;
		}
		out->len += n;
	}
	for (i = 0; i < out->len; i++) {
		unsigned char ch = out->buf[i];

		if (ch >= 0x80 ||
		    (ch < 0x20 && ch != '\r' && ch != '\n' && ch != '\t'))
			fuzz_fail("byte 0x%02x in the output", ch);
		if (ch == '\r' && i + 1 < out->len && out->buf[i + 1] != '\n')
			fuzz_fail("CR without LF in the output");
		if (ch == '\n' && (!i || out->buf[i - 1] != '\r'))
			fuzz_fail("LF without CR in the output");
		if (ch != '\n')
			continue;
		/* A pretty message ends with its outermost "}" line */
		if (out->pretty &&
		    !(i >= start + 2 && out->buf[i - 2] == '}' &&
		      (i == start + 2 || out->buf[i - 3] == '\n')))
			continue;
		fuzz_check_message(out, out->buf + start, i - 1 - start);
		start = i + 1;
	}
	memmove(out->buf, out->buf + start, out->len - start);
	out->len -= start;
	return open;
}

/**
 * fuzz_pump() - Let the client read what it was sent, and write its answers
 * @c:		client
 * @fd:		our end of the connection
 * @out:	output state
 *
 * As the monitor thread does when epoll reports the client readable and
 * writable, until the client has nothing left to read or to write.
 */
static void fuzz_pump(struct qmp_client *c, int fd, struct fuzz_out *out)
{
	int unread;

	for (;;) {
		fuzz_take_output(fd, out);
		if (c->dead)
			return;
		if (qmp_client_has_output(c)) {
			qmp_client_ready(c, EPOLLOUT);
			continue;
		}
		if (!c->reading || ioctl(c->fd, FIONREAD, &unread) < 0 ||
		    unread <= 0)
			return;
		qmp_client_ready(c, EPOLLIN);
	}
}

/**
 * fuzz_feed() - Send one chunk, letting the client read when the socket is
 * full
 * @c:		client
 * @fd:		our end of the connection
 * @buf:	the chunk
 * @len:	its size
 * @out:	output state
 */
static void fuzz_feed(struct qmp_client *c, int fd, const uint8_t *buf,
		      size_t len, struct fuzz_out *out)
{
	ssize_t n;

	while (len && !c->dead) {
		n = send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return; /* the client closed: the rest is not read */
		if (n > 0) {
			buf += n;
			len -= n;
		}
		fuzz_pump(c, fd, out);
	}
}

/**
 * fuzz_restore() - Undo what commands changed: quit, the disk's size
 */
static void fuzz_restore(void)
{
	struct virtio_blk_info info;
	struct error *err = NULL;
	uint64_t v;

	if (read(fq.quit_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		fuzz_fail("quit eventfd: %s", strerror(errno));
	virtio_blk_get_info(fq.dev, &info);
	if (info.size_bytes != FUZZ_BLK_DISK_SIZE &&
	    !virtio_blk_resize(fq.dev, FUZZ_BLK_DISK_SIZE, &err))
		fuzz_fail("resizing back: %s", error_get_pretty(err));
}

/**
 * LLVMFuzzerTestOneInput() - One client connection
 * @data:	flags, chunk sizes, the bytes the client sends
 * @size:	their size
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { .p = data, .left = size };
	unsigned int fds_before = fuzz_count_fds();
	struct fuzz_out out = { 0 };
	uint8_t chunk[FUZZ_CHUNKS];
	struct error *err = NULL;
	struct qmp_client *c;
	unsigned int i;
	int sv[2];

	out.pretty = fuzz_u8(&in) & 1;
	for (i = 0; i < FUZZ_CHUNKS; i++)
		chunk[i] = fuzz_u8(&in);
	out.buf = fq.out;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
		       sv))
		fuzz_fail("socketpair: %s", strerror(errno));
	c = qmp_client_new(&fq.listener[out.pretty], sv[1], &err);
	if (!c)
		fuzz_fail("%s", error_get_pretty(err));
	fq.mon.clients = c;

	for (i = 0; in.left && !c->dead; i++) {
		size_t n = chunk[i % FUZZ_CHUNKS];

		if (!n || n > in.left)
			n = in.left;
		fuzz_feed(c, sv[0], in.p, n, &out);
		in.p += n;
		in.left -= n;
	}
	/* The client is done: it reads the answers, then EOF */
	shutdown(sv[0], SHUT_WR);
	for (i = 0; !c->dead; i++) {
		if (i == FUZZ_CLOSE_ROUNDS)
			fuzz_fail("the client neither reads nor closes");
		qmp_client_ready(c, c->reading ? EPOLLIN : EPOLLOUT);
		fuzz_pump(c, sv[0], &out);
	}
	while (fuzz_take_output(sv[0], &out))
		;
	if (out.len)
		fuzz_fail("the output ends inside a message: %.*s",
			  (int)out.len, out.buf);
	if (!out.messages)
		fuzz_fail("no greeting");

	fq.mon.clients = NULL;
	qmp_client_free(c);
	close(sv[0]);
	fuzz_restore();
	if (fuzz_count_fds() != fds_before)
		fuzz_fail("%u fds open before the input, %u after", fds_before,
			  fuzz_count_fds());
	return 0;
}
