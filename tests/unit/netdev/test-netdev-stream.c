/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the stream netdev: QEMU's wire format, connections, partial
 * writes, receive hold and resume, reconnection, concurrent senders.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "tests/unit/netdev/netdev-test-util.h"

/* Frame sizes every path is tried with: smallest to largest */
static const size_t frame_sizes[] = { 1, 60, 1514, 9014, NETDEV_MAX_FRAME };

struct fixture {
	char *dir;
	char *path; /* dir/s.sock */
};

/**
 * fixture_setup() - A private directory for socket paths
 * @f:		fixture
 * @data:	unused
 */
static void fixture_setup(struct fixture *f, gconstpointer data)
{
	f->dir = ndt_tmpdir();
	f->path = g_build_filename(f->dir, "s.sock", NULL);
}

/**
 * fixture_teardown() - Remove what the test left in the directory
 * @f:		fixture
 * @data:	unused
 */
static void fixture_teardown(struct fixture *f, gconstpointer data)
{
	GDir *d = g_dir_open(f->dir, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		char *p = g_build_filename(f->dir, name, NULL);

		unlink(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	g_assert_cmpint(rmdir(f->dir), ==, 0);
	g_free(f->path);
	g_free(f->dir);
}

/**
 * free_tcp_port() - A TCP port on 127.0.0.1 nobody listens on right now
 *
 * Return: the port
 */
static unsigned int free_tcp_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	g_assert_cmpint(bind(fd, (struct sockaddr *)&sin, len), ==, 0);
	g_assert_cmpint(getsockname(fd, (struct sockaddr *)&sin, &len), ==, 0);
	close(fd);
	return ntohs(sin.sin_port);
}

/**
 * raw_unix() - A raw peer socket: connected to, or listening on, @path
 * @path:	socket path
 * @listening:	listen instead of connect
 *
 * Return: the socket (blocking)
 */
static int raw_unix(const char *path, bool listening)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	g_assert_cmpint(fd, >=, 0);
	g_strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
	if (listening) {
		g_assert_cmpint(bind(fd, (struct sockaddr *)&sun, sizeof(sun)),
				==, 0);
		g_assert_cmpint(listen(fd, 4), ==, 0);
	} else {
		g_assert_cmpint(
			connect(fd, (struct sockaddr *)&sun, sizeof(sun)), ==,
			0);
	}
	return fd;
}

/**
 * raw_wait() - Wait until @fd has @events
 * @fd:		file descriptor
 * @events:	poll events
 * @ms:		longest wait
 *
 * Return: whether they came
 */
static bool raw_wait(int fd, short events, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	return poll(&pfd, 1, ms) == 1;
}

/**
 * raw_write() - Write all of @buf to a blocking socket
 * @fd:		socket
 * @buf:	data
 * @len:	its length
 */
static void raw_write(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n;

		g_assert_true(raw_wait(fd, POLLOUT, NDT_TIMEOUT_MS));
		n = send(fd, p, len, MSG_NOSIGNAL);
		g_assert_cmpint(n, >, 0);
		p += n;
		len -= (size_t)n;
	}
}

/**
 * raw_read() - Read exactly @len bytes, with a bounded wait
 * @fd:		socket
 * @buf:	output
 * @len:	bytes wanted
 */
static void raw_read(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n;

		g_assert_true(raw_wait(fd, POLLIN, NDT_TIMEOUT_MS));
		n = recv(fd, p, len, MSG_DONTWAIT);
		g_assert_cmpint(n, >, 0);
		p += n;
		len -= (size_t)n;
	}
}

/**
 * raw_send_frame() - Write one frame in QEMU's format
 * @fd:		socket
 * @data:	frame
 * @len:	its length
 */
static void raw_send_frame(int fd, const void *data, size_t len)
{
	uint32_t hdr = htonl((uint32_t)len);

	raw_write(fd, &hdr, sizeof(hdr));
	raw_write(fd, data, len);
}

/**
 * raw_expect_frame() - Read one frame in QEMU's format and check it
 * @fd:		socket
 * @data:	expected frame
 * @len:	its length
 */
static void raw_expect_frame(int fd, const void *data, size_t len)
{
	uint8_t hdr[4];
	uint8_t *buf = g_malloc(len);

	raw_read(fd, hdr, sizeof(hdr));
	/* Big-endian length, exactly */
	g_assert_cmpuint(hdr[0], ==, (len >> 24) & 0xff);
	g_assert_cmpuint(hdr[1], ==, (len >> 16) & 0xff);
	g_assert_cmpuint(hdr[2], ==, (len >> 8) & 0xff);
	g_assert_cmpuint(hdr[3], ==, len & 0xff);
	raw_read(fd, buf, len);
	g_assert_cmpmem(buf, len, data, len);
	g_free(buf);
}

/**
 * raw_expect_eof() - The netdev closed the connection
 * @fd:		socket
 */
static void raw_expect_eof(int fd)
{
	char c;

	g_assert_true(raw_wait(fd, POLLIN, NDT_TIMEOUT_MS));
	g_assert_cmpint(recv(fd, &c, 1, MSG_DONTWAIT), ==, 0);
}

/**
 * send_when_connected() - Pump until send() stops saying -ENOTCONN
 * @nd:		netdev
 * @p:		its port
 * @data:	frame
 * @len:	its length
 *
 * Return: what send() returned at last
 */
static int send_when_connected(struct netdev *nd, struct ndt_port *p,
			       const void *data, size_t len)
{
	int64_t end = g_get_monotonic_time() + NDT_TIMEOUT_MS * 1000LL;
	int rc;

	while ((rc = ndt_send(nd, 0, data, len)) == -ENOTCONN &&
	       g_get_monotonic_time() < end)
		ndt_port_poll(p, 10);
	return rc;
}

/**
 * stream_spec() - A stream netdev specification on a unix path
 * @id:		netdev id
 * @server:	server=on
 * @path:	socket path
 *
 * Return: the specification (g_free)
 */
static char *stream_spec(const char *id, bool server, const char *path)
{
	return g_strdup_printf("stream,id=%s,server=%s,addr.type=unix,"
			       "addr.path=%s",
			       id, server ? "on" : "off", path);
}

/**
 * exchange() - Frames of every size both ways between two netdevs
 * @srv:	server netdev
 * @ps:		its port
 * @cli:	client netdev
 * @pc:		its port
 */
static void exchange(struct netdev *srv, struct ndt_port *ps,
		     struct netdev *cli, struct ndt_port *pc)
{
	uint8_t *buf = g_malloc(NETDEV_MAX_FRAME);
	unsigned int n = G_N_ELEMENTS(frame_sizes);
	struct iovec iov[3];

	/* The server accepts once it runs: the client's frame waits */
	for (unsigned int i = 0; i < n; i++) {
		ndt_pattern(buf, frame_sizes[i], (uint8_t)i);
		g_assert_cmpint(ndt_send(cli, 0, buf, frame_sizes[i]), ==, 0);
		g_assert_true(ndt_ports_wait_frames(ps, i + 1, pc, 0,
						    NDT_TIMEOUT_MS));
	}
	for (unsigned int i = 0; i < n; i++) {
		ndt_pattern(buf, frame_sizes[i], (uint8_t)(i + 100));
		g_assert_cmpint(ndt_send(srv, 0, buf, frame_sizes[i]), ==, 0);
	}
	g_assert_true(ndt_ports_wait_frames(ps, n, pc, n, NDT_TIMEOUT_MS));
	for (unsigned int i = 0; i < n; i++) {
		ndt_pattern(buf, frame_sizes[i], (uint8_t)i);
		ndt_port_assert_frame(ps, i, buf, frame_sizes[i]);
		ndt_pattern(buf, frame_sizes[i], (uint8_t)(i + 100));
		ndt_port_assert_frame(pc, i, buf, frame_sizes[i]);
	}
	g_assert_cmpuint(ps->receive_done, >=, 1);
	g_assert_cmpuint(pc->receive_done, >=, 1);

	/* Scattered frame, with an empty piece */
	ndt_pattern(buf, 1514, 7);
	iov[0] = (struct iovec){ buf, 14 };
	iov[1] = (struct iovec){ buf + 14, 0 };
	iov[2] = (struct iovec){ buf + 14, 1500 };
	g_assert_cmpint(cli->ops->send(cli, 0, iov, 3), ==, 0);
	g_assert_true(ndt_ports_wait_frames(ps, n + 1, pc, n, NDT_TIMEOUT_MS));
	ndt_port_assert_frame(ps, n, buf, 1514);

	/* Frames the peer would refuse never leave */
	g_assert_cmpint(ndt_send(cli, 0, buf, 0), ==, -EMSGSIZE);
	g_assert_cmpint(ndt_send(srv, 0, buf, NETDEV_MAX_FRAME + 1), ==,
			-EMSGSIZE);
	g_free(buf);
}

/**
 * test_pair_unix() - A server and a client netdev over a unix socket
 * @f:		fixture
 * @data:	unused
 */
static void test_pair_unix(struct fixture *f, gconstpointer data)
{
	char *sspec = stream_spec("srv", true, f->path);
	char *cspec = stream_spec("cli", false, f->path);
	struct netdev *srv = ndt_new(sspec, 4);
	struct netdev *cli = ndt_new(cspec, 4);
	struct ndt_port ps, pc;

	/* One socket for every pair */
	g_assert_cmpuint(srv->queues, ==, 1);
	g_assert_cmpuint(cli->queues, ==, 1);
	ndt_port_init(&ps);
	ndt_port_init(&pc);
	ndt_port_attach(&ps, srv, 0);
	ndt_port_attach(&pc, cli, 0);
	exchange(srv, &ps, cli, &pc);
	ndt_port_destroy(&pc);
	ndt_port_destroy(&ps);
	netdev_free(cli);
	netdev_free(srv);
	/* The server removes the path it bound */
	g_assert_false(g_file_test(f->path, G_FILE_TEST_EXISTS));
	g_free(sspec);
	g_free(cspec);
}

/**
 * test_pair_inet() - A server and a client netdev over TCP
 * @f:		fixture
 * @data:	unused
 */
static void test_pair_inet(struct fixture *f, gconstpointer data)
{
	unsigned int port = free_tcp_port();
	char *sspec = g_strdup_printf("stream,id=srv,server=on,addr.type=inet,"
				      "addr.host=127.0.0.1,addr.port=%u",
				      port);
	char *cspec = g_strdup_printf("stream,id=cli,addr.type=inet,"
				      "addr.host=127.0.0.1,addr.port=%u",
				      port);
	struct netdev *srv = ndt_new(sspec, 1);
	struct netdev *cli = ndt_new(cspec, 1);
	struct ndt_port ps, pc;

	ndt_port_init(&ps);
	ndt_port_init(&pc);
	ndt_port_attach(&ps, srv, 0);
	ndt_port_attach(&pc, cli, 0);
	exchange(srv, &ps, cli, &pc);
	ndt_port_destroy(&pc);
	ndt_port_destroy(&ps);
	netdev_free(cli);
	netdev_free(srv);
	g_free(sspec);
	g_free(cspec);
}

/**
 * test_wire_server() - Exact bytes between a server netdev and a raw client
 * @f:		fixture
 * @data:	unused
 */
static void test_wire_server(struct fixture *f, gconstpointer data)
{
	static const uint8_t wire[] = { 0, 0, 0, 3, 'a', 'b', 'c', 0, 0, 1, 0 };
	char *spec = stream_spec("n0", true, f->path);
	struct netdev *nd = ndt_new(spec, 1);
	uint8_t big[256], got[4 + 5];
	struct ndt_port p;
	int raw;

	ndt_port_init(&p);
	g_assert_cmpint(ndt_send(nd, 0, "x", 1), ==, -ENOTCONN);
	/* The server listens from creation: a peer may come before attach,
	 * and what the guest sends before then reaches it */
	raw = raw_unix(f->path, false);
	g_assert_cmpint(ndt_send(nd, 0, "early", 5), ==, 0);
	ndt_port_attach(&p, nd, 0);

	g_assert_cmpint(ndt_send(nd, 0, "hello", 5), ==, 0);
	raw_expect_frame(raw, "early", 5);
	raw_read(raw, got, sizeof(got));
	g_assert_cmpmem(got, sizeof(got), "\0\0\0\5hello", 9);

	/* One frame of 3 bytes and the start of one of 256 */
	raw_write(raw, wire, sizeof(wire));
	g_assert_true(ndt_port_wait_frames(&p, 1, NDT_TIMEOUT_MS));
	ndt_port_assert_frame(&p, 0, "abc", 3);
	ndt_pattern(big, sizeof(big), 9);
	raw_write(raw, big, sizeof(big));
	g_assert_true(ndt_port_wait_frames(&p, 2, NDT_TIMEOUT_MS));
	ndt_port_assert_frame(&p, 1, big, sizeof(big));
	g_assert_cmpuint(p.rx_nowait, ==, 0);

	close(raw);
	ndt_port_destroy(&p);
	netdev_free(nd);
	g_free(spec);
}

/**
 * test_wire_client() - Exact bytes between a client netdev and a raw server
 * @f:		fixture
 * @data:	unused
 */
static void test_wire_client(struct fixture *f, gconstpointer data)
{
	int lfd = raw_unix(f->path, true);
	char *spec = stream_spec("n0", false, f->path);
	struct netdev *nd = ndt_new(spec, 2);
	uint8_t *buf = g_malloc(NETDEV_MAX_FRAME);
	struct ndt_port p;
	int raw;

	/* Connected at creation, before any attach */
	raw = accept(lfd, NULL, NULL);
	g_assert_cmpint(raw, >=, 0);
	for (unsigned int i = 0; i < G_N_ELEMENTS(frame_sizes); i++) {
		ndt_pattern(buf, frame_sizes[i], (uint8_t)i);
		g_assert_cmpint(ndt_send(nd, 0, buf, frame_sizes[i]), ==, 0);
		raw_expect_frame(raw, buf, frame_sizes[i]);
	}
	/* Frames that came before the attach are delivered after it */
	raw_send_frame(raw, "early", 5);
	ndt_port_init(&p);
	ndt_port_attach(&p, nd, 0);
	for (unsigned int i = 0; i < G_N_ELEMENTS(frame_sizes); i++) {
		ndt_pattern(buf, frame_sizes[i], (uint8_t)(i + 50));
		raw_send_frame(raw, buf, frame_sizes[i]);
	}
	g_assert_true(ndt_port_wait_frames(&p, 1 + G_N_ELEMENTS(frame_sizes),
					   NDT_TIMEOUT_MS));
	ndt_port_assert_frame(&p, 0, "early", 5);
	for (unsigned int i = 0; i < G_N_ELEMENTS(frame_sizes); i++) {
		ndt_pattern(buf, frame_sizes[i], (uint8_t)(i + 50));
		ndt_port_assert_frame(&p, i + 1, buf, frame_sizes[i]);
	}
	close(raw);
	close(lfd);
	ndt_port_destroy(&p);
	netdev_free(nd);
	g_free(buf);
	g_free(spec);
}

/**
 * test_split() - Frames cut anywhere across writes are put back together
 * @f:		fixture
 * @data:	unused
 */
static void test_split(struct fixture *f, gconstpointer data)
{
	char *spec = stream_spec("n0", true, f->path);
	struct netdev *nd = ndt_new(spec, 1);
	uint8_t wire[3 * (4 + 100)];
	struct ndt_port p;
	size_t off = 0;
	int raw;

	for (unsigned int i = 0; i < 3; i++) {
		uint32_t hdr = htonl(100);

		memcpy(wire + off, &hdr, 4);
		ndt_pattern(wire + off + 4, 100, (uint8_t)i);
		off += 4 + 100;
	}
	ndt_port_init(&p);
	ndt_port_attach(&p, nd, 0);
	raw = raw_unix(f->path, false);

	/* Byte by byte through the first frame and into the second */
	for (off = 0; off < 4 + 100 + 2; off++) {
		raw_write(raw, wire + off, 1);
		ndt_port_pump(&p, 2);
		g_assert_cmpuint(p.frames->len, ==, off < 4 + 100 - 1 ? 0 : 1);
	}
	/* The rest of the second and the third, cut inside the third's prefix
	 */
	raw_write(raw, wire + off, 2 * (4 + 100) + 2 - off);
	g_assert_true(ndt_port_wait_frames(&p, 2, NDT_TIMEOUT_MS));
	ndt_port_pump(&p, 20);
	g_assert_cmpuint(p.frames->len, ==, 2);
	raw_write(raw, wire + 2 * (4 + 100) + 2, 4 + 100 - 2);
	g_assert_true(ndt_port_wait_frames(&p, 3, NDT_TIMEOUT_MS));
	for (unsigned int i = 0; i < 3; i++)
		ndt_port_assert_frame(&p, i, wire + i * 104 + 4, 100);

	close(raw);
	ndt_port_destroy(&p);
	netdev_free(nd);
	g_free(spec);
}

/**
 * test_bad_length() - A length of 0 or above the largest frame ends the
 * connection; the server then takes the next client
 * @f:		fixture
 * @data:	unused
 */
static void test_bad_length(struct fixture *f, gconstpointer data)
{
	static const uint32_t bad[] = { 0, NETDEV_MAX_FRAME + 1, 0xffffffff };
	char *spec = stream_spec("n0", true, f->path);
	struct netdev *nd = ndt_new(spec, 1);
	struct ndt_port p;

	ndt_port_init(&p);
	ndt_port_attach(&p, nd, 0);
	for (unsigned int i = 0; i < G_N_ELEMENTS(bad); i++) {
		uint32_t hdr = htonl(bad[i]);
		int raw = raw_unix(f->path, false);

		/* A good frame first: it is delivered */
		raw_send_frame(raw, "ok", 2);
		raw_write(raw, &hdr, sizeof(hdr));
		g_assert_true(ndt_port_wait_frames(&p, i + 1, NDT_TIMEOUT_MS));
		/* Pump while the peer waits for the end */
		for (int k = 0; k < 100 && !raw_wait(raw, POLLIN, 0); k++)
			ndt_port_poll(&p, 10);
		raw_expect_eof(raw);
		g_assert_cmpint(ndt_send(nd, 0, "x", 1), ==, -ENOTCONN);
		close(raw);
	}
	g_assert_cmpuint(p.frames->len, ==, G_N_ELEMENTS(bad));
	ndt_port_destroy(&p);
	netdev_free(nd);
	g_free(spec);
}

/**
 * test_second_client() - One client at a time; the next is served once the
 * first goes away
 * @f:		fixture
 * @data:	unused
 */
static void test_second_client(struct fixture *f, gconstpointer data)
{
	char *spec = stream_spec("n0", true, f->path);
	struct netdev *nd = ndt_new(spec, 1);
	struct ndt_port p;
	int a, b;

	ndt_port_init(&p);
	ndt_port_attach(&p, nd, 0);
	a = raw_unix(f->path, false);
	raw_send_frame(a, "from-a", 6);
	g_assert_true(ndt_port_wait_frames(&p, 1, NDT_TIMEOUT_MS));
	ndt_port_assert_frame(&p, 0, "from-a", 6);

	/* b waits in the backlog: nothing of it is read */
	b = raw_unix(f->path, false);
	raw_send_frame(b, "from-b", 6);
	ndt_port_pump(&p, 100);
	g_assert_cmpuint(p.frames->len, ==, 1);
	g_assert_cmpint(ndt_send(nd, 0, "to-a", 4), ==, 0);
	raw_expect_frame(a, "to-a", 4);

	close(a);
	g_assert_true(ndt_port_wait_frames(&p, 2, NDT_TIMEOUT_MS));
	ndt_port_assert_frame(&p, 1, "from-b", 6);
	g_assert_cmpint(ndt_send(nd, 0, "to-b", 4), ==, 0);
	raw_expect_frame(b, "to-b", 4);

	close(b);
	ndt_port_destroy(&p);
	netdev_free(nd);
	g_free(spec);
}

/**
 * fd_spec() - A client netdev on one end of a socketpair with a small send
 * buffer
 * @peer:	set to the other end (non-blocking)
 * @sndbuf:	SO_SNDBUF of the netdev's end
 *
 * Return: the specification (g_free)
 */
static char *fd_spec(int *peer, int sndbuf)
{
	int sv[2];

	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
			==, 0);
	g_assert_cmpint(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf,
				   sizeof(sndbuf)),
			==, 0);
	g_assert_cmpint(fcntl(sv[1], F_SETFL, O_NONBLOCK), ==, 0);
	*peer = sv[1];
	return g_strdup_printf("stream,id=n0,addr.type=fd,addr.str=%d", sv[0]);
}

/**
 * drain() - Read what the peer end has now
 * @fd:		non-blocking socket
 * @out:	bytes appended
 *
 * Return: bytes read
 */
static size_t drain(int fd, GByteArray *out)
{
	uint8_t buf[65536];
	size_t total = 0;
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
		g_byte_array_append(out, buf, (guint)n);
		total += (size_t)n;
	}
	return total;
}

/**
 * check_stream() - The bytes are frames @first.. in order, each
 * ndt_pattern(size, seed = index)
 * @wire:	bytes read by the peer
 * @size:	frame size
 * @count:	frames expected
 */
static void check_stream(GByteArray *wire, size_t size, unsigned int count)
{
	uint8_t *expect = g_malloc(size);
	size_t off = 0;

	g_assert_cmpuint(wire->len, ==, count * (4 + size));
	for (unsigned int i = 0; i < count; i++) {
		uint32_t hdr;

		memcpy(&hdr, wire->data + off, 4);
		g_assert_cmpuint(ntohl(hdr), ==, size);
		ndt_pattern(expect, size, (uint8_t)i);
		g_assert_cmpmem(wire->data + off + 4, size, expect, size);
		off += 4 + size;
	}
	g_free(expect);
}

/**
 * test_partial_write() - A frame taken in part is finished later; sends
 * meanwhile get -EAGAIN, and tx_ready follows once flushed
 * @f:		fixture
 * @data:	unused
 */
static void test_partial_write(struct fixture *f, gconstpointer data)
{
	enum { SIZE = 20000, COUNT = 40 };
	GByteArray *wire = g_byte_array_new();
	uint8_t frame[SIZE];
	unsigned int sent = 0, eagain = 0;
	unsigned int ready_seen = 0;
	struct ndt_port p;
	struct netdev *nd;
	int peer;
	char *spec = fd_spec(&peer, 4096);

	nd = ndt_new(spec, 1);
	ndt_port_init(&p);
	ndt_port_attach(&p, nd, 0);

	/* Fill the socket without reading */
	while (sent < COUNT) {
		int rc;

		ndt_pattern(frame, SIZE, (uint8_t)sent);
		rc = ndt_send(nd, 0, frame, SIZE);
		if (rc == -EAGAIN)
			break;
		g_assert_cmpint(rc, ==, 0);
		sent++;
	}
	g_assert_cmpuint(sent, <, COUNT);
	g_assert_cmpuint(sent, >=, 1);
	/* Nothing drains: no tx_ready, and sends keep being refused */
	ndt_port_pump(&p, 50);
	g_assert_cmpuint(p.tx_ready, ==, 0);
	ndt_pattern(frame, SIZE, (uint8_t)sent);
	g_assert_cmpint(ndt_send(nd, 0, frame, SIZE), ==, -EAGAIN);
	/* The last frame taken is only partly in the socket */
	drain(peer, wire);
	g_assert_cmpuint(wire->len % (4 + SIZE), !=, 0);
	g_assert_cmpuint(wire->len, <, sent * (4 + SIZE));

	/* Read, pump, resend refused frames after tx_ready */
	while (sent < COUNT) {
		int64_t end = g_get_monotonic_time() + NDT_TIMEOUT_MS * 1000LL;
		int rc;

		while (p.tx_ready == ready_seen) {
			g_assert_cmpint(g_get_monotonic_time(), <, end);
			drain(peer, wire);
			ndt_port_poll(&p, 5);
		}
		ready_seen = p.tx_ready;
		do {
			ndt_pattern(frame, SIZE, (uint8_t)sent);
			rc = ndt_send(nd, 0, frame, SIZE);
			if (!rc)
				sent++;
		} while (!rc && sent < COUNT);
		if (rc == -EAGAIN)
			eagain++;
		else
			g_assert_cmpint(rc, ==, 0);
	}
	g_assert_cmpuint(eagain, >=, 1);
	/* The last frame may still be pending: pump it out */
	for (int k = 0; k < 200 && wire->len < COUNT * (4 + SIZE); k++) {
		drain(peer, wire);
		ndt_port_poll(&p, 5);
	}
	check_stream(wire, SIZE, COUNT);

	close(peer);
	ndt_port_destroy(&p);
	netdev_free(nd);
	g_byte_array_unref(wire);
	g_free(spec);
}

/**
 * test_partial_write_detached() - Without a port, the next send flushes
 * @f:		fixture
 * @data:	unused
 */
static void test_partial_write_detached(struct fixture *f, gconstpointer data)
{
	enum { SIZE = 20000, COUNT = 40 };
	GByteArray *wire = g_byte_array_new();
	uint8_t frame[SIZE];
	unsigned int sent = 0, eagain = 0;
	struct netdev *nd;
	int peer;
	char *spec = fd_spec(&peer, 4096);

	nd = ndt_new(spec, 1);
	while (sent < COUNT) {
		int rc;

		ndt_pattern(frame, SIZE, (uint8_t)sent);
		rc = ndt_send(nd, 0, frame, SIZE);
		if (rc == -EAGAIN) {
			/* The device retries on its own: let the peer read */
			eagain++;
			g_assert_cmpuint(eagain, <, 100000);
			drain(peer, wire);
			continue;
		}
		g_assert_cmpint(rc, ==, 0);
		sent++;
	}
	g_assert_cmpuint(eagain, >=, 1);
	/* Only a send flushes a pending tail now: send none, read what is */
	drain(peer, wire);
	g_assert_cmpuint(wire->len, <=, COUNT * (4 + SIZE));
	/* Attaching arranges for the rest to go out */
	{
		struct ndt_port p;

		ndt_port_init(&p);
		ndt_port_attach(&p, nd, 0);
		for (int k = 0; k < 200 && wire->len < COUNT * (4 + SIZE);
		     k++) {
			drain(peer, wire);
			ndt_port_poll(&p, 5);
		}
		ndt_port_destroy(&p);
	}
	check_stream(wire, SIZE, COUNT);
	close(peer);
	netdev_free(nd);
	g_byte_array_unref(wire);
	g_free(spec);
}

/**
 * test_scattered() - A frame in more pieces than sendmsg takes at once
 * @f:		fixture
 * @data:	unused
 */
static void test_scattered(struct fixture *f, gconstpointer data)
{
	enum { PIECES = 300, PIECE = 7 };
	uint8_t frame[PIECES * PIECE];
	struct iovec iov[PIECES];
	int peer;
	char *spec = fd_spec(&peer, 1 << 20);
	struct netdev *nd = ndt_new(spec, 1);
	uint8_t hdr[4], got[sizeof(frame)];

	ndt_pattern(frame, sizeof(frame), 5);
	for (unsigned int i = 0; i < PIECES; i++)
		iov[i] = (struct iovec){ frame + i * PIECE, PIECE };
	g_assert_cmpint(nd->ops->send(nd, 0, iov, PIECES), ==, 0);
	g_assert_cmpint(nd->ops->send(nd, 0, iov, PIECES), ==, 0);
	for (int k = 0; k < 2; k++) {
		raw_read(peer, hdr, 4);
		g_assert_cmpmem(hdr, 4, "\0\0\x08\x34", 4);
		raw_read(peer, got, sizeof(got));
		g_assert_cmpmem(got, sizeof(got), frame, sizeof(frame));
	}
	close(peer);
	netdev_free(nd);
	g_free(spec);
}

/**
 * test_rx_hold() - A guest without buffers: the frame is held, reading
 * stops, and rx_resume delivers it and the rest in order
 * @f:		fixture
 * @data:	unused
 */
static void test_rx_hold(struct fixture *f, gconstpointer data)
{
	char *spec = stream_spec("n0", true, f->path);
	struct netdev *nd = ndt_new(spec, 1);
	char name[8];
	struct ndt_port p;
	unsigned int dispatched;
	int raw;

	ndt_port_init(&p);
	ndt_port_attach(&p, nd, 0);
	raw = raw_unix(f->path, false);
	p.rx_full = true;
	for (unsigned int i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "f%u", i);
		raw_send_frame(raw, name, strlen(name));
	}
	for (int k = 0; k < 500 && !p.rx_refused; k++)
		ndt_port_poll(&p, 10);
	g_assert_cmpuint(p.rx_refused, ==, 1);
	/* Paused: no more offers, no busy wake-ups */
	dispatched = p.dispatched;
	ndt_port_pump(&p, 100);
	g_assert_cmpuint(p.rx_refused, ==, 1);
	g_assert_cmpuint(p.dispatched, <=, dispatched + 2);
	/* Still full: offered once more, held again */
	nd->ops->rx_resume(nd, 0);
	g_assert_cmpuint(p.rx_refused, ==, 2);
	g_assert_cmpuint(p.frames->len, ==, 0);

	p.rx_full = false;
	nd->ops->rx_resume(nd, 0);
	g_assert_true(ndt_port_wait_frames(&p, 5, NDT_TIMEOUT_MS));
	for (unsigned int i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "f%u", i);
		ndt_port_assert_frame(&p, i, name, strlen(name));
	}
	g_assert_cmpuint(p.receive_done, >=, 1);

	/* Held, then the peer hangs up: the frames still come, then EOF */
	p.rx_full = true;
	raw_send_frame(raw, "late1", 5);
	raw_send_frame(raw, "late2", 5);
	for (int k = 0; k < 500 && p.rx_refused < 3; k++)
		ndt_port_poll(&p, 10);
	g_assert_cmpuint(p.rx_refused, ==, 3);
	close(raw);
	dispatched = p.dispatched;
	ndt_port_pump(&p, 100);
	g_assert_cmpuint(p.dispatched, <=, dispatched + 2);
	p.rx_full = false;
	nd->ops->rx_resume(nd, 0);
	g_assert_true(ndt_port_wait_frames(&p, 7, NDT_TIMEOUT_MS));
	ndt_port_assert_frame(&p, 5, "late1", 5);
	ndt_port_assert_frame(&p, 6, "late2", 5);

	/* ... and the server is back to listening */
	raw = raw_unix(f->path, false);
	raw_send_frame(raw, "next", 4);
	g_assert_true(ndt_port_wait_frames(&p, 8, NDT_TIMEOUT_MS));
	ndt_port_assert_frame(&p, 7, "next", 4);
	close(raw);
	ndt_port_destroy(&p);
	netdev_free(nd);
	g_free(spec);
}

/**
 * accept_within() - Pump @p until the raw listener has a client, accept it
 * @p:		port of the client netdev
 * @lfd:	raw listening socket
 * @ms:		longest wait
 *
 * Return: the accepted socket
 */
static int accept_within(struct ndt_port *p, int lfd, int ms)
{
	int64_t end = g_get_monotonic_time() + ms * 1000LL;
	int fd;

	while (!raw_wait(lfd, POLLIN, 0)) {
		g_assert_cmpint(g_get_monotonic_time(), <, end);
		ndt_port_poll(p, 20);
	}
	fd = accept(lfd, NULL, NULL);
	g_assert_cmpint(fd, >=, 0);
	return fd;
}

/**
 * test_reconnect() - A client with reconnect= keeps trying
 * @f:		fixture
 * @data:	unused
 */
static void test_reconnect(struct fixture *f, gconstpointer data)
{
	char *spec = g_strdup_printf("stream,id=n0,server=off,reconnect=1,"
				     "addr.type=unix,addr.path=%s",
				     f->path);
	struct netdev *nd = ndt_new(spec, 1); /* nobody listens yet */
	struct ndt_port p;
	int lfd, raw;

	g_assert_cmpint(ndt_send(nd, 0, "x", 1), ==, -ENOTCONN);
	ndt_port_init(&p);
	ndt_port_attach(&p, nd, 0);
	ndt_port_pump(&p, 200);
	g_assert_cmpint(ndt_send(nd, 0, "x", 1), ==, -ENOTCONN);

	lfd = raw_unix(f->path, true);
	raw = accept_within(&p, lfd, 3000);
	g_assert_cmpint(send_when_connected(nd, &p, "one", 3), ==, 0);
	raw_expect_frame(raw, "one", 3);
	raw_send_frame(raw, "back", 4);
	g_assert_true(ndt_port_wait_frames(&p, 1, NDT_TIMEOUT_MS));
	ndt_port_assert_frame(&p, 0, "back", 4);

	/* The server drops us: we come back */
	close(raw);
	raw = accept_within(&p, lfd, 3000);
	g_assert_cmpint(send_when_connected(nd, &p, "two", 3), ==, 0);
	raw_expect_frame(raw, "two", 3);

	close(raw);
	close(lfd);
	ndt_port_destroy(&p);
	netdev_free(nd);
	g_free(spec);
}

/**
 * test_fd_server() - server=on with an inherited listening socket
 * @f:		fixture
 * @data:	unused
 */
static void test_fd_server(struct fixture *f, gconstpointer data)
{
	int lfd = raw_unix(f->path, true);
	char *spec = g_strdup_printf(
		"stream,id=n0,server=on,addr.type=fd,addr.str=%d", lfd);
	struct netdev *nd = ndt_new(spec, 1);
	struct ndt_port p;
	int raw;

	ndt_port_init(&p);
	ndt_port_attach(&p, nd, 0);
	raw = raw_unix(f->path, false);
	raw_send_frame(raw, "via-fd", 6);
	g_assert_true(ndt_port_wait_frames(&p, 1, NDT_TIMEOUT_MS));
	ndt_port_assert_frame(&p, 0, "via-fd", 6);
	close(raw);
	ndt_port_destroy(&p);
	netdev_free(nd); /* closes lfd, which it owns now */
	g_assert_cmpint(fcntl(lfd, F_GETFD), ==, -1);
	g_free(spec);
}

/**
 * expect_error() - netdev_new(@spec) fails with exactly @expected
 * @spec:	specification
 * @expected:	message
 */
static void expect_error(const char *spec, const char *expected)
{
	char *msg = ndt_new_error(spec, 1);

	g_assert_cmpstr(msg, ==, expected);
	g_free(msg);
}

/**
 * test_errors() - Options and connection failures, with their messages
 * @f:		fixture
 * @data:	unused
 */
static void test_errors(struct fixture *f, gconstpointer data)
{
	unsigned int port = free_tcp_port();
	int pipefd[2], dg, lfd, sv[2], live;
	struct stat st_before, st_after;
	char *spec, *msg, *file;

	expect_error("stream,id=n0",
		     "netdev n0: addr.type is missing (inet, unix or fd)");
	expect_error("stream,id=n0,server=maybe,addr.type=unix,addr.path=/x",
		     "netdev n0: server=maybe: expected on or off");
	spec = g_strdup_printf("stream,id=n0,addr.type=unix,addr.path=%s,"
			       "foo=1",
			       f->path);
	expect_error(spec, "netdev n0: unknown option 'foo' for type stream");
	g_free(spec);
	spec = g_strdup_printf("stream,id=n0,server=on,reconnect=1,"
			       "addr.type=unix,addr.path=%s",
			       f->path);
	expect_error(spec, "netdev n0: reconnect applies to server=off only");
	g_free(spec);
	expect_error("stream,id=n0,reconnect=86401,addr.type=unix,"
		     "addr.path=/x",
		     "netdev n0: reconnect=86401: must be from 0 to 86400");

	spec = stream_spec("n0", false, f->path);
	msg = g_strdup_printf("netdev n0: cannot connect to %s: No such file "
			      "or directory",
			      f->path);
	expect_error(spec, msg);
	g_free(msg);
	g_free(spec);
	spec = g_strdup_printf("stream,id=n0,addr.type=inet,"
			       "addr.host=127.0.0.1,addr.port=%u",
			       port);
	msg = g_strdup_printf("netdev n0: cannot connect to 127.0.0.1:%u: "
			      "Connection refused",
			      port);
	expect_error(spec, msg);
	g_free(msg);
	g_free(spec);

	/* A server path taken by something that is not a socket */
	file = g_build_filename(f->dir, "file", NULL);
	g_assert_true(g_file_set_contents(file, "x", 1, NULL));
	spec = stream_spec("n0", true, file);
	msg = g_strdup_printf("netdev n0: %s exists and is not a socket", file);
	expect_error(spec, msg);
	g_assert_true(g_file_test(file, G_FILE_TEST_IS_REGULAR));
	g_free(msg);
	g_free(spec);
	g_free(file);

	/*
	 * A server path where another server listens: refused, and its
	 * socket file left in place (it used to be removed and replaced)
	 */
	file = g_build_filename(f->dir, "live", NULL);
	live = raw_unix(file, true);
	g_assert_true(stat(file, &st_before) == 0);
	spec = stream_spec("n0", true, file);
	msg = g_strdup_printf(
		"netdev n0: %s: another server is listening on it", file);
	expect_error(spec, msg);
	g_assert_true(stat(file, &st_after) == 0);
	g_assert_cmpuint(st_after.st_ino, ==, st_before.st_ino);
	close(live);
	g_free(msg);
	g_free(spec);
	g_free(file);

	/* Inherited fds of the wrong kind */
	g_assert_cmpint(pipe(pipefd), ==, 0);
	spec = g_strdup_printf("stream,id=n0,addr.type=fd,addr.str=%d",
			       pipefd[0]);
	msg = g_strdup_printf("netdev n0: fd %d is not a socket", pipefd[0]);
	expect_error(spec, msg);
	g_free(msg);
	g_free(spec);
	close(pipefd[0]);
	close(pipefd[1]);

	dg = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	spec = g_strdup_printf("stream,id=n0,addr.type=fd,addr.str=%d", dg);
	msg = g_strdup_printf("netdev n0: fd %d is not a stream socket", dg);
	expect_error(spec, msg);
	g_free(msg);
	g_free(spec);
	close(dg);

	lfd = raw_unix(f->path, true);
	spec = g_strdup_printf("stream,id=n0,addr.type=fd,addr.str=%d", lfd);
	msg = g_strdup_printf("netdev n0: addr.str: fd %d is a listening "
			      "socket: use server=on",
			      lfd);
	expect_error(spec, msg);
	g_free(msg);
	g_free(spec);
	spec = g_strdup_printf("stream,id=n0,reconnect=2,addr.type=fd,"
			       "addr.str=%d",
			       lfd);
	expect_error(spec, "netdev n0: reconnect cannot reopen addr.type=fd");
	g_free(spec);
	close(lfd);
	unlink(f->path);

	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
			==, 0);
	spec = g_strdup_printf("stream,id=n0,server=on,addr.type=fd,"
			       "addr.str=%d",
			       sv[0]);
	msg = g_strdup_printf("netdev n0: addr.str: fd %d is not a listening "
			      "socket (server=on)",
			      sv[0]);
	expect_error(spec, msg);
	g_free(msg);
	g_free(spec);
	close(sv[0]);
	close(sv[1]);
}

/**
 * test_stale_path() - A socket left at the server's path is replaced
 * @f:		fixture
 * @data:	unused
 */
static void test_stale_path(struct fixture *f, gconstpointer data)
{
	int old = raw_unix(f->path, true);
	char *spec = stream_spec("n0", true, f->path);
	struct netdev *nd;
	struct ndt_port p;
	int raw;

	close(old); /* the path stays: a stale socket */
	g_assert_true(g_file_test(f->path, G_FILE_TEST_EXISTS));
	nd = ndt_new(spec, 1);
	ndt_port_init(&p);
	ndt_port_attach(&p, nd, 0);
	raw = raw_unix(f->path, false);
	raw_send_frame(raw, "fresh", 5);
	g_assert_true(ndt_port_wait_frames(&p, 1, NDT_TIMEOUT_MS));
	close(raw);
	ndt_port_destroy(&p);
	netdev_free(nd);
	g_assert_false(g_file_test(f->path, G_FILE_TEST_EXISTS));
	g_free(spec);
}

/* Concurrent senders: each frame is [sender][seq, 4 bytes][pattern] */
#define THREAD_FRAMES 1000

struct sender {
	struct netdev *nd;
	uint8_t id;
	unsigned int eagain;
};

/**
 * sender_thread() - Send THREAD_FRAMES frames, retrying refused ones
 * @opaque:	struct sender
 *
 * Return: NULL
 */
static void *sender_thread(void *opaque)
{
	struct sender *s = opaque;
	uint8_t frame[2000];

	for (uint32_t seq = 0; seq < THREAD_FRAMES; seq++) {
		size_t len =
			64 + (seq * 37 + s->id * 11) % (sizeof(frame) - 64);
		int rc;

		frame[0] = s->id;
		memcpy(frame + 1, &seq, 4);
		ndt_pattern(frame + 5, len - 5, (uint8_t)(seq + s->id));
		/* A device would wait for tx_ready; a pause will do here */
		while ((rc = ndt_send(s->nd, 0, frame, len)) == -EAGAIN) {
			s->eagain++;
			g_usleep(50);
		}
		g_assert_cmpint(rc, ==, 0);
	}
	return NULL;
}

/**
 * check_threads_wire() - Parse what the peer got: every sender's frames,
 * whole and in order
 * @wire:	bytes
 * @nsenders:	senders
 *
 * Return: whether all frames are there
 */
static bool check_threads_wire(GByteArray *wire, unsigned int nsenders)
{
	uint32_t next[4] = { 0 };
	uint8_t expect[2000];
	size_t off = 0;

	while (off + 4 <= wire->len) {
		uint32_t hdr, seq;
		uint8_t *f;

		memcpy(&hdr, wire->data + off, 4);
		hdr = ntohl(hdr);
		if (off + 4 + hdr > wire->len)
			break;
		f = wire->data + off + 4;
		g_assert_cmpuint(f[0], <, nsenders);
		memcpy(&seq, f + 1, 4);
		g_assert_cmpuint(seq, ==, next[f[0]]);
		g_assert_cmpuint(hdr, ==,
				 64 + (seq * 37 + f[0] * 11) % (2000 - 64));
		ndt_pattern(expect, hdr - 5, (uint8_t)(seq + f[0]));
		g_assert_cmpmem(f + 5, hdr - 5, expect, hdr - 5);
		next[f[0]]++;
		off += 4 + hdr;
	}
	for (unsigned int i = 0; i < nsenders; i++)
		if (next[i] != THREAD_FRAMES)
			return false;
	return off == wire->len;
}

/**
 * test_threads() - Senders on several threads (several pairs on one
 * socket) while the owner's worker runs: frames never interleave
 * @f:		fixture
 * @data:	unused
 */
static void test_threads(struct fixture *f, gconstpointer data)
{
	struct sender senders[3];
	pthread_t th[3];
	GByteArray *wire = g_byte_array_new();
	int64_t end = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
	struct ndt_port p;
	int peer;
	char *spec = fd_spec(&peer, 8192);
	struct netdev *nd = ndt_new(spec, 3);

	ndt_port_init(&p);
	ndt_port_attach(&p, nd, 0);
	for (unsigned int i = 0; i < 3; i++) {
		senders[i] = (struct sender){ .nd = nd, .id = (uint8_t)i };
		g_assert_cmpint(pthread_create(&th[i], NULL, sender_thread,
					       &senders[i]),
				==, 0);
	}
	while (!check_threads_wire(wire, 3)) {
		g_assert_cmpint(g_get_monotonic_time(), <, end);
		drain(peer, wire);
		ndt_port_poll(&p, 1);
	}
	for (unsigned int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	drain(peer, wire);
	g_assert_true(check_threads_wire(wire, 3));
	g_test_message("EAGAIN: %u %u %u, tx_ready %u", senders[0].eagain,
		       senders[1].eagain, senders[2].eagain, p.tx_ready);
	close(peer);
	ndt_port_destroy(&p);
	netdev_free(nd);
	g_byte_array_unref(wire);
	g_free(spec);
}

/**
 * add() - Register a test with the fixture
 * @name:	test path under /netdev/stream/
 * @fn:		test
 */
static void add(const char *name,
		void (*fn)(struct fixture *f, gconstpointer data))
{
	char *path = g_strdup_printf("/netdev/stream/%s", name);

	g_test_add(path, struct fixture, NULL, fixture_setup, fn,
		   fixture_teardown);
	g_free(path);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	add("pair-unix", test_pair_unix);
	add("pair-inet", test_pair_inet);
	add("wire-server", test_wire_server);
	add("wire-client", test_wire_client);
	add("split", test_split);
	add("bad-length", test_bad_length);
	add("second-client", test_second_client);
	add("partial-write", test_partial_write);
	add("partial-write-detached", test_partial_write_detached);
	add("scattered", test_scattered);
	add("rx-hold", test_rx_hold);
	add("reconnect", test_reconnect);
	add("fd-server", test_fd_server);
	add("errors", test_errors);
	add("stale-path", test_stale_path);
	add("threads", test_threads);
	return g_test_run();
}
