/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the dgram netdev: UDP and Unix datagrams both ways, QEMU's
 * format (one bare frame per datagram), receive hold and resume, options.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "tests/unit/netdev/netdev-test-util.h"

struct fixture {
	char *dir;
};

/**
 * fixture_setup() - A private directory for socket paths
 * @f:		fixture
 * @data:	unused
 */
static void fixture_setup(struct fixture *f, gconstpointer data)
{
	f->dir = ndt_tmpdir();
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
	g_free(f->dir);
}

/**
 * raw_udp() - A raw UDP socket bound to 127.0.0.1 on a free port
 * @port:	set to its port
 *
 * Return: the socket
 */
static int raw_udp(unsigned int *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	g_assert_cmpint(bind(fd, (struct sockaddr *)&sin, len), ==, 0);
	g_assert_cmpint(getsockname(fd, (struct sockaddr *)&sin, &len), ==, 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

/**
 * free_udp_port() - A UDP port on 127.0.0.1 nobody uses right now
 *
 * Return: the port
 */
static unsigned int free_udp_port(void)
{
	unsigned int port;

	close(raw_udp(&port));
	return port;
}

/**
 * raw_unix_dgram() - A raw Unix datagram socket bound to @path
 * @path:	socket path
 *
 * Return: the socket
 */
static int raw_unix_dgram(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	g_strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
	g_assert_cmpint(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), ==, 0);
	return fd;
}

/**
 * raw_sendto_udp() - Send a datagram to 127.0.0.1:@port
 * @fd:		socket
 * @port:	destination port
 * @data:	payload
 * @len:	its length
 */
static void raw_sendto_udp(int fd, unsigned int port, const void *data,
			   size_t len)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port) };

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	g_assert_cmpint(
		sendto(fd, data, len, 0, (struct sockaddr *)&sin, sizeof(sin)),
		==, (ssize_t)len);
}

/**
 * raw_sendto_unix() - Send a datagram to @path
 * @fd:		socket
 * @path:	destination
 * @data:	payload
 * @len:	its length
 */
static void raw_sendto_unix(int fd, const char *path, const void *data,
			    size_t len)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	g_strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
	g_assert_cmpint(
		sendto(fd, data, len, 0, (struct sockaddr *)&sun, sizeof(sun)),
		==, (ssize_t)len);
}

/**
 * raw_expect() - Receive one datagram and compare it
 * @fd:		socket
 * @data:	expected payload
 * @len:	its length
 */
static void raw_expect(int fd, const void *data, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint8_t *buf = g_malloc(len + 1);
	ssize_t n;

	g_assert_cmpint(poll(&pfd, 1, NDT_TIMEOUT_MS), ==, 1);
	n = recv(fd, buf, len + 1, MSG_DONTWAIT);
	g_assert_cmpmem(buf, n, data, len);
	g_free(buf);
}

/**
 * both_ways() - Frames from @a reach @b and back, one per datagram
 * @a:		netdev
 * @pa:		its port
 * @b:		its peer netdev
 * @pb:		its port
 * @max:	largest frame the transport carries
 */
static void both_ways(struct netdev *a, struct ndt_port *pa, struct netdev *b,
		      struct ndt_port *pb, size_t max)
{
	const size_t sizes[] = { 1, 60, 1514, 9014, max };
	uint8_t *buf = g_malloc(max);
	struct iovec iov[3];

	for (unsigned int i = 0; i < G_N_ELEMENTS(sizes); i++) {
		ndt_pattern(buf, sizes[i], (uint8_t)i);
		g_assert_cmpint(ndt_send(a, 0, buf, sizes[i]), ==, 0);
		g_assert_true(ndt_ports_wait_frames(pa, 0, pb, i + 1,
						    NDT_TIMEOUT_MS));
		ndt_port_assert_frame(pb, i, buf, sizes[i]);
		ndt_pattern(buf, sizes[i], (uint8_t)(i + 100));
		g_assert_cmpint(ndt_send(b, 0, buf, sizes[i]), ==, 0);
		g_assert_true(ndt_ports_wait_frames(pa, i + 1, pb, i + 1,
						    NDT_TIMEOUT_MS));
		ndt_port_assert_frame(pa, i, buf, sizes[i]);
	}
	g_assert_cmpuint(pa->receive_done, >=, 1);
	g_assert_cmpuint(pb->receive_done, >=, 1);
	g_assert_cmpuint(pa->rx_nowait + pb->rx_nowait, ==, 0);

	/* A scattered frame is one datagram */
	ndt_pattern(buf, 1514, 7);
	iov[0] = (struct iovec){ buf, 14 };
	iov[1] = (struct iovec){ buf + 14, 0 };
	iov[2] = (struct iovec){ buf + 14, 1500 };
	g_assert_cmpint(a->ops->send(a, 0, iov, 3), ==, 0);
	g_assert_true(ndt_ports_wait_frames(pa, G_N_ELEMENTS(sizes), pb,
					    G_N_ELEMENTS(sizes) + 1,
					    NDT_TIMEOUT_MS));
	ndt_port_assert_frame(pb, G_N_ELEMENTS(sizes), buf, 1514);
	g_free(buf);
}

/**
 * test_inet() - Two netdevs over UDP on 127.0.0.1
 * @f:		fixture
 * @data:	unused
 */
static void test_inet(struct fixture *f, gconstpointer data)
{
	unsigned int pa = free_udp_port(), pb = free_udp_port();
	char *sa = g_strdup_printf(
		"dgram,id=a,local.type=inet,local.host=127.0.0.1,"
		"local.port=%u,remote.type=inet,remote.host=127.0.0.1,"
		"remote.port=%u",
		pa, pb);
	char *sb = g_strdup_printf(
		"dgram,id=b,local.type=inet,local.host=,local.port=%u,"
		"remote.type=inet,remote.host=127.0.0.1,remote.port=%u",
		pb, pa);
	struct netdev *a = ndt_new(sa, 2);
	struct netdev *b = ndt_new(sb, 1);
	struct ndt_port qa, qb;

	g_assert_cmpuint(a->queues, ==, 1);
	ndt_port_init(&qa);
	ndt_port_init(&qb);
	ndt_port_attach(&qa, a, 0);
	ndt_port_attach(&qb, b, 0);
	both_ways(a, &qa, b, &qb, 65507); /* largest UDP payload over IPv4 */
	ndt_port_destroy(&qa);
	ndt_port_destroy(&qb);
	netdev_free(a);
	netdev_free(b);
	g_free(sa);
	g_free(sb);
}

/**
 * test_unix() - Two netdevs over Unix datagram sockets
 * @f:		fixture
 * @data:	unused
 */
static void test_unix(struct fixture *f, gconstpointer data)
{
	char *path_a = g_build_filename(f->dir, "a.sock", NULL);
	char *path_b = g_build_filename(f->dir, "b.sock", NULL);
	char *sa = g_strdup_printf("dgram,id=a,local.type=unix,local.path=%s,"
				   "remote.type=unix,remote.path=%s",
				   path_a, path_b);
	char *sb = g_strdup_printf("dgram,id=b,local.type=unix,local.path=%s,"
				   "remote.type=unix,remote.path=%s",
				   path_b, path_a);
	struct netdev *a = ndt_new(sa, 1);
	struct netdev *b = ndt_new(sb, 1);
	struct ndt_port qa, qb;

	ndt_port_init(&qa);
	ndt_port_init(&qb);
	ndt_port_attach(&qa, a, 0);
	ndt_port_attach(&qb, b, 0);
	both_ways(a, &qa, b, &qb, NETDEV_MAX_FRAME);
	ndt_port_destroy(&qa);
	ndt_port_destroy(&qb);
	netdev_free(a);
	/* Each removes the path it bound, and only that */
	g_assert_false(g_file_test(path_a, G_FILE_TEST_EXISTS));
	g_assert_true(g_file_test(path_b, G_FILE_TEST_EXISTS));
	netdev_free(b);
	g_assert_false(g_file_test(path_b, G_FILE_TEST_EXISTS));
	g_free(sa);
	g_free(sb);
	g_free(path_a);
	g_free(path_b);
}

/**
 * test_wire_udp() - Against a raw UDP peer: bare frames, nothing added
 * @f:		fixture
 * @data:	unused
 */
static void test_wire_udp(struct fixture *f, gconstpointer data)
{
	unsigned int raw_port, local = free_udp_port();
	int raw = raw_udp(&raw_port);
	char *spec = g_strdup_printf(
		"dgram,id=n0,local.type=inet,local.host=127.0.0.1,"
		"local.port=%u,remote.type=inet,remote.host=127.0.0.1,"
		"remote.port=%u",
		local, raw_port);
	struct netdev *nd = ndt_new(spec, 1);
	struct ndt_port p;

	/* Sending needs no port */
	g_assert_cmpint(ndt_send(nd, 0, "hello", 5), ==, 0);
	raw_expect(raw, "hello", 5);

	ndt_port_init(&p);
	ndt_port_attach(&p, nd, 0);
	raw_sendto_udp(raw, local, "\0\0\0\3abc", 7);
	raw_sendto_udp(raw, local, "", 0); /* not a frame: dropped */
	raw_sendto_udp(raw, local, "x", 1);
	g_assert_true(ndt_port_wait_frames(&p, 2, NDT_TIMEOUT_MS));
	ndt_port_assert_frame(&p, 0, "\0\0\0\3abc", 7);
	ndt_port_assert_frame(&p, 1, "x", 1);
	ndt_port_pump(&p, 20);
	g_assert_cmpuint(p.frames->len, ==, 2);

	close(raw);
	ndt_port_destroy(&p);
	netdev_free(nd);
	g_free(spec);
}

/**
 * test_wire_unix() - Against a raw Unix peer, including datagrams too large
 * to be a frame
 * @f:		fixture
 * @data:	unused
 */
static void test_wire_unix(struct fixture *f, gconstpointer data)
{
	char *local = g_build_filename(f->dir, "nd.sock", NULL);
	char *remote = g_build_filename(f->dir, "raw.sock", NULL);
	char *spec = g_strdup_printf("dgram,id=n0,local.type=unix,"
				     "local.path=%s,remote.type=unix,"
				     "remote.path=%s",
				     local, remote);
	int raw = raw_unix_dgram(remote);
	uint8_t *big = g_malloc(NETDEV_MAX_FRAME + 1);
	int sndbuf = 1 << 20;
	struct netdev *nd = ndt_new(spec, 1);
	struct ndt_port p;

	g_assert_cmpint(ndt_send(nd, 0, "hi", 2), ==, 0);
	raw_expect(raw, "hi", 2);

	ndt_port_init(&p);
	ndt_port_attach(&p, nd, 0);
	setsockopt(raw, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	ndt_pattern(big, NETDEV_MAX_FRAME + 1, 3);
	raw_sendto_unix(raw, local, big, NETDEV_MAX_FRAME + 1); /* dropped */
	raw_sendto_unix(raw, local, big, NETDEV_MAX_FRAME);
	g_assert_true(ndt_port_wait_frames(&p, 1, NDT_TIMEOUT_MS));
	ndt_port_assert_frame(&p, 0, big, NETDEV_MAX_FRAME);
	ndt_port_pump(&p, 20);
	g_assert_cmpuint(p.frames->len, ==, 1);

	/* The remote went away: sending fails and is counted, not fatal */
	close(raw);
	unlink(remote);
	g_assert_cmpint(ndt_send(nd, 0, "lost", 4), ==, -ENOENT);

	ndt_port_destroy(&p);
	netdev_free(nd);
	g_free(big);
	g_free(spec);
	g_free(local);
	g_free(remote);
}

/**
 * test_rx_hold() - A guest without buffers: the datagram is held, reading
 * stops, rx_resume delivers it and the rest in order
 * @f:		fixture
 * @data:	unused
 */
static void test_rx_hold(struct fixture *f, gconstpointer data)
{
	unsigned int raw_port, local = free_udp_port();
	int raw = raw_udp(&raw_port);
	char *spec = g_strdup_printf(
		"dgram,id=n0,local.type=inet,local.host=127.0.0.1,"
		"local.port=%u,remote.type=inet,remote.host=127.0.0.1,"
		"remote.port=%u",
		local, raw_port);
	struct netdev *nd = ndt_new(spec, 1);
	unsigned int dispatched;
	struct ndt_port p;
	char name[8];

	ndt_port_init(&p);
	ndt_port_attach(&p, nd, 0);
	p.rx_full = true;
	for (unsigned int i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "d%u", i);
		raw_sendto_udp(raw, local, name, strlen(name));
	}
	for (int k = 0; k < 500 && !p.rx_refused; k++)
		ndt_port_poll(&p, 10);
	g_assert_cmpuint(p.rx_refused, ==, 1);
	dispatched = p.dispatched;
	ndt_port_pump(&p, 100);
	g_assert_cmpuint(p.rx_refused, ==, 1);
	g_assert_cmpuint(p.dispatched, <=, dispatched + 1);
	nd->ops->rx_resume(nd, 0);
	g_assert_cmpuint(p.rx_refused, ==, 2);

	p.rx_full = false;
	nd->ops->rx_resume(nd, 0);
	g_assert_true(ndt_port_wait_frames(&p, 5, NDT_TIMEOUT_MS));
	for (unsigned int i = 0; i < 5; i++) {
		snprintf(name, sizeof(name), "d%u", i);
		ndt_port_assert_frame(&p, i, name, strlen(name));
	}
	g_assert_cmpuint(p.receive_done, >=, 1);

	/* Reading goes on after the resume */
	raw_sendto_udp(raw, local, "more", 4);
	g_assert_true(ndt_port_wait_frames(&p, 6, NDT_TIMEOUT_MS));
	ndt_port_assert_frame(&p, 5, "more", 4);

	close(raw);
	ndt_port_destroy(&p);
	netdev_free(nd);
	g_free(spec);
}

/**
 * test_fd() - local.type=fd: an inherited, connected datagram socket
 * @f:		fixture
 * @data:	unused
 */
static void test_fd(struct fixture *f, gconstpointer data)
{
	struct ndt_port p;
	struct netdev *nd;
	char *spec;
	int sv[2];

	g_assert_cmpint(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv),
			==, 0);
	spec = g_strdup_printf("dgram,id=n0,local.type=fd,local.str=%d", sv[0]);
	nd = ndt_new(spec, 1);
	ndt_port_init(&p);
	ndt_port_attach(&p, nd, 0);
	g_assert_cmpint(ndt_send(nd, 0, "out", 3), ==, 0);
	raw_expect(sv[1], "out", 3);
	g_assert_cmpint(send(sv[1], "in", 2, 0), ==, 2);
	g_assert_true(ndt_port_wait_frames(&p, 1, NDT_TIMEOUT_MS));
	ndt_port_assert_frame(&p, 0, "in", 2);
	ndt_port_destroy(&p);
	netdev_free(nd); /* owns sv[0] */
	g_assert_cmpint(fcntl(sv[0], F_GETFD), ==, -1);
	close(sv[1]);
	g_free(spec);
}

/**
 * test_stale_path() - A stale socket at local.path is replaced; anything
 * else there is left alone and refused
 * @f:		fixture
 * @data:	unused
 */
static void test_stale_path(struct fixture *f, gconstpointer data)
{
	char *local = g_build_filename(f->dir, "l.sock", NULL);
	char *file = g_build_filename(f->dir, "file", NULL);
	char *spec = g_strdup_printf("dgram,id=n0,local.type=unix,"
				     "local.path=%s,remote.type=unix,"
				     "remote.path=/nonexistent",
				     local);
	char *msg, *expected;
	struct netdev *nd;

	close(raw_unix_dgram(local));
	nd = ndt_new(spec, 1);
	netdev_free(nd);
	g_assert_false(g_file_test(local, G_FILE_TEST_EXISTS));
	g_free(spec);

	g_assert_true(g_file_set_contents(file, "keep", 4, NULL));
	spec = g_strdup_printf("dgram,id=n0,local.type=unix,local.path=%s,"
			       "remote.type=unix,remote.path=/nonexistent",
			       file);
	msg = ndt_new_error(spec, 1);
	expected = g_strdup_printf("netdev n0: %s exists and is not a socket",
				   file);
	g_assert_cmpstr(msg, ==, expected);
	g_assert_true(g_file_test(file, G_FILE_TEST_IS_REGULAR));
	g_free(expected);
	g_free(msg);
	g_free(spec);
	g_free(file);
	g_free(local);
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
 * test_errors() - Options, with their messages
 * @f:		fixture
 * @data:	unused
 */
static void test_errors(struct fixture *f, gconstpointer data)
{
	unsigned int port;
	int used = raw_udp(&port), st;
	char *spec, *msg;

	expect_error("dgram,id=n0",
		     "netdev n0: local.type is missing (inet, unix or fd)");
	expect_error("dgram,id=n0,local.type=inet,local.host=127.0.0.1,"
		     "local.port=5000",
		     "netdev n0: remote.type is missing (inet or unix, as "
		     "local.type)");
	expect_error("dgram,id=n0,local.type=inet,local.host=127.0.0.1,"
		     "local.port=5000,remote.type=unix,remote.path=/x",
		     "netdev n0: remote /x and local 127.0.0.1:5000 are not of "
		     "the same address family");
	expect_error("dgram,id=n0,local.type=inet,local.host=127.0.0.1,"
		     "local.port=5000,remote.type=inet,remote.host=::1,"
		     "remote.port=5001",
		     "netdev n0: remote [::1]:5001 and local 127.0.0.1:5000 "
		     "are not of the same address family");
	expect_error("dgram,id=n0,local.type=inet,local.host=127.0.0.1,"
		     "local.port=5000,remote.type=inet,remote.host=230.0.0.1,"
		     "remote.port=5001",
		     "netdev n0: remote 230.0.0.1:5001 is a multicast group: "
		     "not supported, use a unicast peer");
	expect_error("dgram,id=n0,local.type=inet,local.host=127.0.0.1,"
		     "local.port=5000,remote.type=fd,remote.str=1",
		     "netdev n0: remote.type=fd is not supported (use "
		     "local.type=fd with a connected socket)");
	expect_error("dgram,id=n0,local.type=fd,local.str=2,remote.type=inet,"
		     "remote.host=127.0.0.1,remote.port=5001",
		     "netdev n0: remote.* does not apply to local.type=fd (the "
		     "socket is connected already)");
	expect_error("dgram,id=n0,local.type=inet,local.host=127.0.0.1,"
		     "local.port=5000,remote.type=inet,remote.host=127.0.0.1,"
		     "remote.port=5001,remote.ttl=3",
		     "netdev n0: unknown option 'remote.ttl' for type dgram");
	expect_error("dgram,id=n0,local.type=inet,local.host=127.0.0.1,"
		     "local.port=5000,remote.host=127.0.0.1",
		     "netdev n0: remote.host needs remote.type (inet, unix or "
		     "fd)");

	/* The local port is taken */
	spec = g_strdup_printf("dgram,id=n0,local.type=inet,"
			       "local.host=127.0.0.1,local.port=%u,"
			       "remote.type=inet,remote.host=127.0.0.1,"
			       "remote.port=9",
			       port);
	msg = g_strdup_printf("netdev n0: cannot bind to 127.0.0.1:%u: "
			      "Address already in use",
			      port);
	expect_error(spec, msg);
	g_free(msg);
	g_free(spec);
	close(used);

	/* An inherited stream socket is not a datagram socket */
	st = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	spec = g_strdup_printf("dgram,id=n0,local.type=fd,local.str=%d", st);
	msg = g_strdup_printf("netdev n0: fd %d is not a datagram socket", st);
	expect_error(spec, msg);
	g_free(msg);
	g_free(spec);
	close(st);
}

/**
 * add() - Register a test with the fixture
 * @name:	test path under /netdev/dgram/
 * @fn:		test
 */
static void add(const char *name,
		void (*fn)(struct fixture *f, gconstpointer data))
{
	char *path = g_strdup_printf("/netdev/dgram/%s", name);

	g_test_add(path, struct fixture, NULL, fixture_setup, fn,
		   fixture_teardown);
	g_free(path);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	add("inet", test_inet);
	add("unix", test_unix);
	add("wire-udp", test_wire_udp);
	add("wire-unix", test_wire_unix);
	add("rx-hold", test_rx_hold);
	add("fd", test_fd);
	add("stale-path", test_stale_path);
	add("errors", test_errors);
	return g_test_run();
}
