/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the vhost-user server: the listening socket, one front-end at
 * a time, reconnection, stale socket files and inherited fds (--fd).
 *
 * The server runs vu_server_run() on a thread of its own and is stopped
 * through an eventfd, like main() does with its signalfd.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib.h>

#include "tests/unit/transport/vu-test-util.h"
#include "transport/vhost-user-server.h"

#define BIT30 (1ULL << VHOST_USER_F_PROTOCOL_FEATURES)

struct server_fx {
	unsigned int fds_before;
	char *dir;
	char *path;
	struct toy_dev *toy;
	struct vu_server *srv;
	int stop_fd;
	pthread_t thread;
	bool running;
	bool run_ok;
};

/**
 * server_thread() - Run the server until stopped
 * @opaque:	struct server_fx
 *
 * Return: NULL
 */
static void *server_thread(void *opaque)
{
	struct server_fx *f = opaque;
	struct error *err = NULL;

	f->run_ok = vu_server_run(f->srv, f->stop_fd, &err);
	if (err)
		g_test_message("vu_server_run: %s", error_get_pretty(err));
	error_free(err);
	return NULL;
}

/**
 * sfx_init() - Temporary directory, toy device, stop eventfd
 * @f:		fixture
 */
static void sfx_init(struct server_fx *f)
{
	memset(f, 0, sizeof(*f));
	f->fds_before = count_open_fds();
	f->dir = g_dir_make_tmp("vu-server-XXXXXX", NULL);
	g_assert_nonnull(f->dir);
	f->path = g_build_filename(f->dir, "vu.sock", NULL);
	f->toy = toy_dev_new();
	f->stop_fd = new_eventfd();
}

/**
 * sfx_start() - Create the server with @opts and run it on a thread
 * @f:		fixture
 * @opts:	server options
 */
static void sfx_start(struct server_fx *f, const struct vu_server_options *opts)
{
	struct error *err = NULL;

	f->srv = vu_server_new(&f->toy->vdev, opts, &err);
	if (!f->srv)
		g_error("vu_server_new: %s", error_get_pretty(err));
	g_assert_cmpint(pthread_create(&f->thread, NULL, server_thread, f), ==,
			0);
	f->running = true;
}

/**
 * sfx_stop() - Stop the server thread through the stop fd
 * @f:		fixture
 */
static void sfx_stop(struct server_fx *f)
{
	static const uint64_t one = 1;

	if (!f->running)
		return;
	g_assert_cmpint(write(f->stop_fd, &one, sizeof(one)), ==, 8);
	g_assert_cmpint(pthread_join(f->thread, NULL), ==, 0);
	f->running = false;
	g_assert_true(f->run_ok);
}

/**
 * sfx_cleanup() - Stop, free, remove the directory, check for fd leaks
 * @f:		fixture
 */
static void sfx_cleanup(struct server_fx *f)
{
	sfx_stop(f);
	vu_server_free(f->srv);
	toy_dev_free(f->toy);
	close(f->stop_fd);
	unlink(f->path);
	g_assert_cmpint(rmdir(f->dir), ==, 0);
	g_free(f->path);
	g_free(f->dir);
	g_assert_cmpuint(count_open_fds(), ==, f->fds_before);
}

/**
 * connect_to() - Connect to a UNIX socket path
 * @path:	socket path
 *
 * Return: connected fd
 */
static int connect_to(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	g_assert_cmpint(fd, >=, 0);
	g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
	g_assert_cmpint(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), ==,
			0);
	return fd;
}

/**
 * get_features() - One GET_FEATURES round trip
 * @fd:		connection
 *
 * Return: true if the server answered with the toy's features
 */
static bool get_features(int fd)
{
	struct vhost_user_header hdr;
	uint64_t v = 0;

	fe_send(fd, VHOST_USER_GET_FEATURES, VHOST_USER_VERSION, NULL, 0, NULL,
		0);
	if (!fe_recv(fd, &hdr, &v, sizeof(v), 5000))
		return false;
	return hdr.request == VHOST_USER_GET_FEATURES && hdr.flags == 0x5 &&
	       v == (TOY_FEATURES | BIT30);
}

/**
 * test_one_at_a_time() - A second front-end is refused while the first is
 * served; after the first leaves, the next one is served
 */
static void test_one_at_a_time(void)
{
	struct vu_server_options opts = { .fd = -1 };
	struct server_fx f;
	struct stat st;
	int a, b, c;

	sfx_init(&f);
	opts.socket_path = f.path;
	sfx_start(&f, &opts);
	g_assert_cmpint(stat(f.path, &st), ==, 0);
	g_assert_true(S_ISSOCK(st.st_mode));

	a = connect_to(f.path);
	g_assert_true(get_features(a));
	b = connect_to(f.path);
	g_assert_true(fe_peer_closed(b, 5000));
	close(b);
	g_assert_true(get_features(a));

	/* A violation ends the session; the server keeps listening */
	fe_send(a, 1000, VHOST_USER_VERSION, NULL, 0, NULL, 0);
	g_assert_true(fe_peer_closed(a, 5000));
	close(a);
	c = connect_to(f.path);
	g_assert_true(get_features(c));
	close(c);

	/* A clean disconnect too */
	a = connect_to(f.path);
	g_assert_true(get_features(a));
	close(a);

	sfx_stop(&f);
	vu_server_free(f.srv);
	f.srv = NULL;
	g_assert_cmpint(stat(f.path, &st), ==, -1);
	g_assert_cmpint(errno, ==, ENOENT);
	sfx_cleanup(&f);
}

/**
 * test_guest_memory_shrunk() - a front-end that shrinks its memory file under
 * a mapped region: the access that faults (SIGBUS) must not kill the server;
 * the session ends, the next front-end is served
 */
static void test_guest_memory_shrunk(void)
{
	const uint32_t v = VHOST_USER_VERSION;
	struct vu_server_options opts = { .fd = -1 };
	struct vhost_user_memory table = { .nregions = 2 };
	struct vhost_vring_state st = { 0, 16 };
	struct vhost_vring_addr a = {
		.desc_user_addr = TM_UVA1,
		.avail_user_addr = TM_UVA1 + 256,
		.used_user_addr = TM_UVA1 + 4096,
	};
	struct server_fx f;
	struct test_mem m;
	int fd, kick, fds[2];
	uint64_t u64;

	sfx_init(&f);
	opts.socket_path = f.path;
	sfx_start(&f, &opts);
	test_mem_init(&m);
	kick = new_eventfd();
	fd = connect_to(f.path);
	g_assert_true(get_features(fd));
	fe_send(fd, VHOST_USER_SET_OWNER, v, NULL, 0, NULL, 0);
	/* Without bit 30 the ring is enabled at once */
	u64 = TOY_FEATURES;
	fe_send(fd, VHOST_USER_SET_FEATURES, v, &u64, 8, NULL, 0);
	table.regions[0] = m.regions[0];
	table.regions[1] = m.regions[1];
	fds[0] = fds[1] = m.fd;
	fe_send(fd, VHOST_USER_SET_MEM_TABLE, v, &table, 8 + 2 * 32, fds, 2);
	fe_send(fd, VHOST_USER_SET_VRING_NUM, v, &st, sizeof(st), NULL, 0);
	fe_send(fd, VHOST_USER_SET_VRING_ADDR, v, &a, sizeof(a), NULL, 0);
	g_assert_true(get_features(fd));

	/* The memory goes, then the ring starts: its rings are read */
	g_assert_cmpint(ftruncate(m.fd, 0), ==, 0);
	u64 = 0;
	fe_send(fd, VHOST_USER_SET_VRING_KICK, v, &u64, 8, &kick, 1);
	g_assert_true(fe_peer_closed(fd, 5000));
	close(fd);

	fd = connect_to(f.path);
	g_assert_true(get_features(fd));
	close(fd);
	close(kick);
	test_mem_cleanup(&m);
	sfx_cleanup(&f);
}

/**
 * test_stop_mid_message() - a stop request is honoured at once while a
 * front-end has sent only part of a message (SIGTERM must end the program
 * within a second, not after the message timeout)
 */
static void test_stop_mid_message(void)
{
	struct vu_server_options opts = { .fd = -1 };
	static const uint64_t one = 1;
	struct server_fx f;
	gint64 t0;
	int a;

	sfx_init(&f);
	opts.socket_path = f.path;
	sfx_start(&f, &opts);
	a = connect_to(f.path);
	g_assert_true(get_features(a));
	/* Half a header: the server now waits for the rest */
	g_assert_cmpint(send(a, "\x01\0\0\0\x01\0", 6, MSG_NOSIGNAL), ==, 6);
	g_usleep(100 * 1000);

	t0 = g_get_monotonic_time();
	g_assert_cmpint(write(f.stop_fd, &one, sizeof(one)), ==, 8);
	g_assert_cmpint(pthread_join(f.thread, NULL), ==, 0);
	f.running = false;
	g_assert_true(f.run_ok);
	g_assert_cmpint(g_get_monotonic_time() - t0, <, G_USEC_PER_SEC);

	close(a);
	sfx_cleanup(&f);
}

/**
 * test_stale_socket() - A dead socket file is replaced; a regular file or a
 * live server at the path is an error
 */
static void test_stale_socket(void)
{
	struct vu_server_options opts = { .fd = -1 };
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct error *err = NULL;
	struct server_fx f;
	struct vu_server *other;
	int fd, live;

	sfx_init(&f);
	opts.socket_path = f.path;

	/* A regular file */
	fd = open(f.path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	g_assert_cmpint(fd, >=, 0);
	close(fd);
	g_assert_null(vu_server_new(&f.toy->vdev, &opts, &err));
	g_assert_nonnull(strstr(error_get_pretty(err), "is not a socket"));
	error_free(err);
	err = NULL;
	unlink(f.path);

	/* A socket nobody listens on: stale */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	g_strlcpy(addr.sun_path, f.path, sizeof(addr.sun_path));
	g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==,
			0);
	close(fd);
	sfx_start(&f, &opts);
	live = connect_to(f.path);
	g_assert_true(get_features(live));

	/* A live server is not replaced */
	other = vu_server_new(&f.toy->vdev, &opts, &err);
	g_assert_null(other);
	g_assert_nonnull(strstr(error_get_pretty(err), "another server"));
	error_free(err);
	close(live);
	sfx_cleanup(&f);
}

/**
 * test_busy_socket_kept() - A live server whose backlog is full is neither
 * waited for nor replaced: the stale-socket probe must not block or unlink
 */
static void test_busy_socket_kept(void)
{
	struct vu_server_options opts = { .fd = -1 };
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct error *err = NULL;
	struct server_fx f;
	struct vu_server *srv;
	int lfd, conn[4];
	unsigned int n = 0;
	struct stat st, now;

	sfx_init(&f);
	opts.socket_path = f.path;
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	g_strlcpy(addr.sun_path, f.path, sizeof(addr.sun_path));
	g_assert_cmpint(bind(lfd, (struct sockaddr *)&addr, sizeof(addr)), ==,
			0);
	g_assert_cmpint(listen(lfd, 0), ==, 0);
	/* Fill the backlog: a busy server that does not accept right now */
	for (;;) {
		g_assert_cmpuint(n, <, G_N_ELEMENTS(conn));
		conn[n] = socket(AF_UNIX,
				 SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (connect(conn[n], (struct sockaddr *)&addr, sizeof(addr))) {
			g_assert_cmpint(errno, ==, EAGAIN);
			close(conn[n]);
			break;
		}
		n++;
	}
	g_assert_cmpuint(n, >, 0);
	g_assert_cmpint(stat(f.path, &st), ==, 0);

	watchdog_arm(10, "vu_server_new() on a busy socket");
	srv = vu_server_new(&f.toy->vdev, &opts, &err);
	watchdog_disarm();
	g_assert_null(srv);
	g_assert_nonnull(strstr(error_get_pretty(err), "another server"));
	error_free(err);
	/* Still the busy server's socket */
	g_assert_cmpint(stat(f.path, &now), ==, 0);
	g_assert_cmpuint(now.st_ino, ==, st.st_ino);

	while (n)
		close(conn[--n]);
	close(lfd);
	sfx_cleanup(&f);
}

/**
 * test_fd_listening() - --fd with a listening socket
 */
static void test_fd_listening(void)
{
	struct vu_server_options opts = { .fd = -1 };
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct server_fx f;
	int lfd, a, b;

	sfx_init(&f);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	g_strlcpy(addr.sun_path, f.path, sizeof(addr.sun_path));
	g_assert_cmpint(bind(lfd, (struct sockaddr *)&addr, sizeof(addr)), ==,
			0);
	g_assert_cmpint(listen(lfd, 1), ==, 0);
	opts.fd = lfd;
	sfx_start(&f, &opts);

	a = connect_to(f.path);
	g_assert_true(get_features(a));
	close(a);
	b = connect_to(f.path);
	g_assert_true(get_features(b));
	close(b);
	sfx_cleanup(&f); /* closes lfd */
}

/**
 * test_fd_connected() - --fd with a connected socket: one session, then
 * vu_server_run() returns
 */
static void test_fd_connected(void)
{
	struct vu_server_options opts = { .fd = -1 };
	struct server_fx f;
	int sv[2];

	sfx_init(&f);
	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
			==, 0);
	opts.fd = sv[1];
	sfx_start(&f, &opts);
	g_assert_true(get_features(sv[0]));
	g_assert_true(get_features(sv[0]));
	close(sv[0]);
	g_assert_cmpint(pthread_join(f.thread, NULL), ==, 0);
	f.running = false;
	g_assert_true(f.run_ok);
	sfx_cleanup(&f);
}

/**
 * test_bad_options() - Options and fds the server cannot use
 */
static void test_bad_options(void)
{
	struct vu_server_options opts = { .fd = -1 };
	struct error *err = NULL;
	struct server_fx f;
	int p[2], d;

	sfx_init(&f);

	g_assert_null(vu_server_new(&f.toy->vdev, &opts, &err));
	g_assert_nonnull(strstr(error_get_pretty(err), "exactly one"));
	error_free(err);
	err = NULL;

	g_assert_cmpint(pipe2(p, O_CLOEXEC), ==, 0);
	opts.fd = p[0];
	g_assert_null(vu_server_new(&f.toy->vdev, &opts, &err));
	g_assert_nonnull(strstr(error_get_pretty(err), "is not a socket"));
	error_free(err);
	err = NULL;
	close(p[0]);
	close(p[1]);

	d = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	opts.fd = d;
	g_assert_null(vu_server_new(&f.toy->vdev, &opts, &err));
	g_assert_nonnull(
		strstr(error_get_pretty(err), "not a UNIX stream socket"));
	error_free(err);
	err = NULL;
	close(d);

	opts.fd = -1;
	opts.socket_path = f.path;
	opts.extra_protocol_features = 1ULL << 1;
	g_assert_null(vu_server_new(&f.toy->vdev, &opts, &err));
	g_assert_nonnull(strstr(error_get_pretty(err), "LOG_SHMFD"));
	error_free(err);
	sfx_cleanup(&f);
}

/**
 * main() - register and run the tests
 * @argc:	argument count (GTest options such as --tap)
 * @argv:	arguments
 *
 * Return: 0 if every test passed
 */
int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/vhost-user/server/one-at-a-time", test_one_at_a_time);
	g_test_add_func("/vhost-user/server/stale-socket", test_stale_socket);
	g_test_add_func("/vhost-user/server/stop-mid-message",
			test_stop_mid_message);
	g_test_add_func("/vhost-user/server/busy-socket-kept",
			test_busy_socket_kept);
	g_test_add_func("/vhost-user/server/fd-listening", test_fd_listening);
	g_test_add_func("/vhost-user/server/fd-connected", test_fd_connected);
	g_test_add_func("/vhost-user/server/bad-options", test_bad_options);
	g_test_add_func("/vhost-user/server/guest-memory-shrunk",
			test_guest_memory_shrunk);
	return g_test_run();
}
