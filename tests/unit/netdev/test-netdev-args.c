/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of netdev specifications: parsing, getters, socket addresses
 * and the messages of netdev_new().
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "devices/net/netdev-int.h"
#include "devices/net/netdev-sockaddr.h"
#include "tests/unit/netdev/netdev-test-util.h"

/**
 * parse_ok() - Parse a specification that must be valid
 * @spec:	specification
 * @args:	filled
 */
static void parse_ok(const char *spec, struct netdev_args *args)
{
	struct error *err = NULL;

	if (!netdev_args_parse(spec, args, &err))
		g_error("'%s' refused: %s", spec, error_get_pretty(err));
}

/**
 * parse_error() - Parse a specification that must be refused
 * @spec:	specification
 * @expected:	the exact message
 */
static void parse_error(const char *spec, const char *expected)
{
	struct netdev_args args;
	struct error *err = NULL;

	g_assert_false(netdev_args_parse(spec, &args, &err));
	g_assert_nonnull(err);
	g_assert_cmpstr(error_get_pretty(err), ==, expected);
	error_free(err);
	netdev_args_free(&args);
}

/**
 * test_parse_basic() - Type, id and options, in order
 */
static void test_parse_basic(void)
{
	struct netdev_args args;

	parse_ok("stream,id=n0,server=on,addr.type=unix,addr.path=/x.sock",
		 &args);
	g_assert_cmpstr(args.type, ==, "stream");
	g_assert_cmpstr(args.id, ==, "n0");
	g_assert_cmpstr(netdev_arg_get(&args, "server"), ==, "on");
	g_assert_cmpstr(netdev_arg_get(&args, "addr.path"), ==, "/x.sock");
	g_assert_null(netdev_arg_get(&args, "addr.host"));
	netdev_args_free(&args);

	parse_ok("type=null,id=a-b_c.9,empty=", &args);
	g_assert_cmpstr(args.type, ==, "null");
	g_assert_cmpstr(args.id, ==, "a-b_c.9");
	g_assert_cmpstr(netdev_arg_get(&args, "empty"), ==, "");
	netdev_args_free(&args);
}

/**
 * test_parse_escape() - ",," is a literal comma, anywhere in a value
 */
static void test_parse_escape(void)
{
	struct netdev_args args;

	parse_ok("null,x=a,,b,,,,c,id=n0,y=,,,z=end,,", &args);
	g_assert_cmpstr(netdev_arg_get(&args, "x"), ==, "a,b,,c");
	g_assert_cmpstr(netdev_arg_get(&args, "y"), ==, ",");
	g_assert_cmpstr(netdev_arg_get(&args, "z"), ==, "end,");
	g_assert_cmpstr(args.id, ==, "n0");
	netdev_args_free(&args);

	/* Odd commas: the element ends after the escaped pair */
	parse_ok("null,id=n0,p=/a,,,q=1", &args);
	g_assert_cmpstr(netdev_arg_get(&args, "p"), ==, "/a,");
	g_assert_cmpstr(netdev_arg_get(&args, "q"), ==, "1");
	netdev_args_free(&args);
}

/**
 * test_parse_repeat() - Last value wins; netdev_arg_next() sees them all
 */
static void test_parse_repeat(void)
{
	struct netdev_args args;
	struct error *err = NULL;
	unsigned int pos = 0;

	parse_ok("user,id=u,hostfwd=tcp::1-:2,k=1,hostfwd=udp::3-:4,k=2,id=v",
		 &args);
	g_assert_cmpstr(args.id, ==, "v");
	g_assert_cmpstr(netdev_arg_get(&args, "k"), ==, "2");
	g_assert_cmpstr(netdev_arg_next(&args, "hostfwd", &pos), ==,
			"tcp::1-:2");
	g_assert_cmpstr(netdev_arg_next(&args, "hostfwd", &pos), ==,
			"udp::3-:4");
	g_assert_null(netdev_arg_next(&args, "hostfwd", &pos));
	g_assert_null(netdev_arg_next(&args, "hostfwd", &pos));
	pos = 0;
	g_assert_null(netdev_arg_next(&args, "none", &pos));
	g_assert_true(netdev_args_finish(&args, &err));
	netdev_args_free(&args);
}

/**
 * test_parse_errors() - Malformed specifications, with their messages
 */
static void test_parse_errors(void)
{
	parse_error("", "empty netdev specification (expected "
			"'TYPE,id=ID,...')");
	parse_error(",id=n0", "netdev specification must start with its "
			      "type (e.g. 'stream,id=n0,...'), not ''");
	parse_error("id=n0,null",
		    "netdev specification must start with its "
		    "type (e.g. 'stream,id=n0,...'), not 'id=n0'");
	parse_error("null", "netdev null: missing id= (e.g. 'null,id=n0')");
	parse_error("null,x=1", "netdev null: missing id= (e.g. 'null,id=n0')");
	parse_error("null,id=", "netdev null: invalid id '' (a letter, then "
				"letters, digits, '-', '_' or '.')");
	parse_error("null,id=0a", "netdev null: invalid id '0a' (a letter, "
				  "then letters, digits, '-', '_' or '.')");
	parse_error("null,id=a b", "netdev null: invalid id 'a b' (a letter, "
				   "then letters, digits, '-', '_' or '.')");
	parse_error("null,id=n0,,", "netdev null: invalid id 'n0,' (a letter, "
				    "then letters, digits, '-', '_' or '.')");
	parse_error("null,id=n0,server",
		    "netdev null: option 'server' has no value (expected "
		    "key=value)");
	parse_error("null,id=n0,", "netdev null: empty option in "
				   "'null,id=n0,'");
	parse_error("null,,id=n0,", "netdev specification must start with "
				    "its type (e.g. 'stream,id=n0,...'), not "
				    "'null,id=n0'");
	parse_error("null,id=n0,=x", "netdev null: invalid option name '' "
				     "(letters, digits, '-', '_' and '.')");
	parse_error("null,id=n0,a b=x",
		    "netdev null: invalid option name 'a b' (letters, digits, "
		    "'-', '_' and '.')");
}

/**
 * test_getters() - Booleans and numbers: accepted forms, bounds, messages
 */
static void test_getters(void)
{
	static const char *const bad_num[] = { "-1", "+1", " 1", "0x10",
					       "",   "1a", "abc" };
	struct netdev_args args;
	struct error *err = NULL;
	uint64_t n;
	bool b;

	parse_ok("null,id=n0,a=on,b=off,c=yes,d=no,e=true,f=false,g=maybe",
		 &args);
	g_assert_true(netdev_arg_bool(&args, "a", false, &b, &err) && b);
	g_assert_true(netdev_arg_bool(&args, "b", true, &b, &err) && !b);
	g_assert_true(netdev_arg_bool(&args, "c", false, &b, &err) && b);
	g_assert_true(netdev_arg_bool(&args, "d", true, &b, &err) && !b);
	g_assert_true(netdev_arg_bool(&args, "e", false, &b, &err) && b);
	g_assert_true(netdev_arg_bool(&args, "f", true, &b, &err) && !b);
	g_assert_true(netdev_arg_bool(&args, "absent", true, &b, &err) && b);
	g_assert_null(err);
	g_assert_false(netdev_arg_bool(&args, "g", false, &b, &err));
	g_assert_cmpstr(error_get_pretty(err), ==,
			"g=maybe: expected on or off");
	error_free(err);
	err = NULL;
	netdev_args_free(&args);

	parse_ok("null,id=n0,a=10,b=0,c=65536,d=18446744073709551615,"
		 "e=18446744073709551616,f=007",
		 &args);
	g_assert_true(netdev_arg_uint(&args, "a", 1, 10, 5, &n, &err));
	g_assert_cmpuint(n, ==, 10);
	g_assert_true(netdev_arg_uint(&args, "absent", 1, 10, 5, &n, &err));
	g_assert_cmpuint(n, ==, 5);
	g_assert_true(netdev_arg_uint(&args, "d", 0, UINT64_MAX, 0, &n, &err));
	g_assert_cmpuint(n, ==, UINT64_MAX);
	g_assert_true(netdev_arg_uint(&args, "f", 0, 10, 0, &n, &err));
	g_assert_cmpuint(n, ==, 7);
	g_assert_null(err);
	g_assert_false(netdev_arg_uint(&args, "b", 1, 10, 5, &n, &err));
	g_assert_cmpstr(error_get_pretty(err), ==, "b=0: must be from 1 to 10");
	error_free(err);
	err = NULL;
	g_assert_false(netdev_arg_uint(&args, "c", 1, 65535, 5, &n, &err));
	g_assert_cmpstr(error_get_pretty(err), ==,
			"c=65536: must be from 1 to 65535");
	error_free(err);
	err = NULL;
	g_assert_false(netdev_arg_uint(&args, "e", 0, UINT64_MAX, 0, &n, &err));
	g_assert_cmpstr(error_get_pretty(err), ==,
			"e=18446744073709551616: must be from 0 to "
			"18446744073709551615");
	error_free(err);
	err = NULL;
	netdev_args_free(&args);

	for (size_t i = 0; i < G_N_ELEMENTS(bad_num); i++) {
		char *spec = g_strdup_printf("null,id=n0,x=%s", bad_num[i]);
		char *msg = g_strdup_printf(
			"x=%s: expected a number from 0 to 100", bad_num[i]);

		parse_ok(spec, &args);
		g_assert_false(
			netdev_arg_uint(&args, "x", 0, 100, 0, &n, &err));
		g_assert_cmpstr(error_get_pretty(err), ==, msg);
		error_free(err);
		err = NULL;
		netdev_args_free(&args);
		g_free(spec);
		g_free(msg);
	}
}

/**
 * test_finish() - Options nobody took are refused by name
 */
static void test_finish(void)
{
	struct netdev_args args;
	struct error *err = NULL;

	parse_ok("stream,id=n0,server=on,foo=1", &args);
	netdev_arg_get(&args, "server");
	g_assert_false(netdev_args_finish(&args, &err));
	g_assert_cmpstr(error_get_pretty(err), ==,
			"unknown option 'foo' for type stream");
	error_free(err);
	netdev_args_free(&args);
}

/**
 * test_new_errors() - netdev_new(): unknown type, unknown option, types
 */
static void test_new_errors(void)
{
	const char *const *types = netdev_types();
	char *msg;

	g_assert_cmpstr(types[0], ==, "stream");
	g_assert_cmpstr(types[1], ==, "dgram");
	g_assert_cmpstr(types[2], ==, "null");
	g_assert_cmpstr(types[3], ==, "loopback");
	g_assert_null(types[4]);

	msg = ndt_new_error("tap,id=n0,ifname=qd0", 1);
	g_assert_cmpstr(msg, ==,
			"netdev n0: unknown type 'tap' (available: "
			"stream, dgram, null, loopback)");
	g_free(msg);
	msg = ndt_new_error("null,id=n0,foo=1", 1);
	g_assert_cmpstr(msg, ==,
			"netdev n0: unknown option 'foo' for type null");
	g_free(msg);
	msg = ndt_new_error("loopback,id=lo,queues=2", 1);
	g_assert_cmpstr(msg, ==,
			"netdev lo: unknown option 'queues' for type loopback");
	g_free(msg);
	msg = ndt_new_error("null", 1);
	g_assert_cmpstr(msg, ==,
			"netdev null: missing id= (e.g. 'null,id=n0')");
	g_free(msg);
	msg = ndt_new_error("null,id=n0", 0);
	g_assert_cmpstr(msg, ==, "netdev n0: no queue pairs");
	g_free(msg);
}

/* An option expected in a netdev's list */
struct opt {
	const char *key;
	const char *value;
};

/**
 * check_options() - A netdev's id, type and options, as given
 * @spec:	specification, must be accepted
 * @id:		expected id
 * @type:	expected type
 * @want:	expected options, in order
 * @n:		their number
 */
static void check_options(const char *spec, const char *id, const char *type,
			  const struct opt *want, unsigned int n)
{
	struct netdev *nd = ndt_new(spec, 1);
	const char *key, *value;

	g_assert_cmpstr(netdev_id(nd), ==, id);
	g_assert_cmpstr(netdev_type_name(nd), ==, type);
	g_assert_cmpuint(netdev_n_options(nd), ==, n);
	for (unsigned int i = 0; i < n; i++) {
		g_assert_true(netdev_option(nd, i, &key, &value));
		g_assert_cmpstr(key, ==, want[i].key);
		g_assert_cmpstr(value, ==, want[i].value);
	}
	key = value = "untouched";
	g_assert_false(netdev_option(nd, n, &key, &value));
	g_assert_false(netdev_option(nd, UINT32_MAX, &key, &value));
	g_assert_cmpstr(key, ==, "untouched");
	netdev_free(nd);
}

/**
 * test_options() - The options kept for reports: all but the type and id=,
 * in the order given, values as parsed
 */
static void test_options(void)
{
	char *dir = g_dir_make_tmp("qd-netdev-XXXXXX", NULL);
	char *local = g_build_filename(dir, "a,b.sock", NULL);
	char *remote = g_build_filename(dir, "peer.sock", NULL);
	const struct opt want[] = {
		{ "local.type", "unix" },
		{ "local.path", local },
		{ "remote.type", "unix" },
		{ "remote.path", remote },
	};
	char **parts = g_strsplit(local, ",", -1);
	char *escaped = g_strjoinv(",,", parts);
	/* id= anywhere, even twice (the last counts): never an option */
	char *spec = g_strdup_printf("dgram,id=x,local.type=unix,id=d1,"
				     "local.path=%s,remote.type=unix,"
				     "remote.path=%s",
				     escaped, remote);

	check_options("null,id=n0", "n0", "null", NULL, 0);
	check_options("type=loopback,id=lo", "lo", "loopback", NULL, 0);
	/* ",," in a value is kept as one comma */
	check_options(spec, "d1", "dgram", want, G_N_ELEMENTS(want));
	g_unlink(local);
	g_rmdir(dir);
	g_strfreev(parts);
	g_free(escaped);
	g_free(spec);
	g_free(remote);
	g_free(local);
	g_free(dir);
}

/**
 * sa_get() - Parse the "addr" address of a specification
 * @spec:	specification
 * @passive:	as netdev_sockaddr_get()
 * @sa:		filled
 * @present:	filled
 *
 * Return: NULL if accepted, else the message (g_free)
 */
static char *sa_get(const char *spec, bool passive, struct netdev_sockaddr *sa,
		    bool *present)
{
	struct netdev_args args;
	struct error *err = NULL;
	char *msg = NULL;

	parse_ok(spec, &args);
	if (!netdev_sockaddr_get(&args, "addr", passive, sa, present, &err)) {
		msg = g_strdup(error_get_pretty(err));
		error_free(err);
	} else if (!netdev_args_finish(&args, &err)) {
		g_error("'%s': %s", spec, error_get_pretty(err));
	}
	netdev_args_free(&args);
	return msg;
}

/**
 * sa_error() - An address that must be refused with @expected
 * @spec:	specification
 * @expected:	exact message
 */
static void sa_error(const char *spec, const char *expected)
{
	struct netdev_sockaddr sa;
	bool present;
	char *msg = sa_get(spec, false, &sa, &present);

	g_assert_nonnull(msg);
	g_assert_cmpstr(msg, ==, expected);
	g_free(msg);
}

/**
 * test_sockaddr() - PREFIX.type/host/port/path/str
 */
static void test_sockaddr(void)
{
	struct netdev_sockaddr sa;
	bool present;
	int pipefd[2];
	char *spec, *msg;

	g_assert_null(sa_get("x,id=n0", false, &sa, &present));
	g_assert_false(present);

	g_assert_null(sa_get("x,id=n0,addr.type=inet,addr.host=127.0.0.1,"
			     "addr.port=5000",
			     false, &sa, &present));
	g_assert_true(present);
	g_assert_cmpint(sa.type, ==, NETDEV_SOCKADDR_INET);
	g_assert_cmpint(sa.ss.ss_family, ==, AF_INET);
	g_assert_cmpstr(sa.text, ==, "127.0.0.1:5000");
	g_assert_false(netdev_sockaddr_is_multicast(&sa));

	g_assert_null(sa_get("x,id=n0,addr.type=inet,addr.host=[::1],"
			     "addr.port=65535",
			     false, &sa, &present));
	g_assert_cmpint(sa.ss.ss_family, ==, AF_INET6);
	g_assert_cmpstr(sa.text, ==, "[::1]:65535");
	g_assert_null(sa_get("x,id=n0,addr.type=inet,addr.host=::1,"
			     "addr.port=1",
			     false, &sa, &present));
	g_assert_cmpstr(sa.text, ==, "[::1]:1");

	g_assert_null(sa_get("x,id=n0,addr.type=inet,addr.host=,addr.port=7",
			     true, &sa, &present));
	g_assert_cmpstr(sa.text, ==, "0.0.0.0:7");

	g_assert_null(sa_get("x,id=n0,addr.type=inet,addr.host=localhost,"
			     "addr.port=7",
			     false, &sa, &present));
	g_assert_true(sa.ss.ss_family == AF_INET ||
		      sa.ss.ss_family == AF_INET6);

	g_assert_null(sa_get("x,id=n0,addr.type=inet,addr.host=239.1.2.3,"
			     "addr.port=7",
			     false, &sa, &present));
	g_assert_true(netdev_sockaddr_is_multicast(&sa));

	g_assert_null(sa_get("x,id=n0,addr.type=unix,addr.path=/tmp/a,,b",
			     false, &sa, &present));
	g_assert_cmpint(sa.type, ==, NETDEV_SOCKADDR_UNIX);
	g_assert_cmpstr(sa.text, ==, "/tmp/a,b");
	g_assert_cmpstr(((struct sockaddr_un *)&sa.ss)->sun_path, ==,
			"/tmp/a,b");

	g_assert_cmpint(pipe(pipefd), ==, 0);
	spec = g_strdup_printf("x,id=n0,addr.type=fd,addr.str=%d", pipefd[0]);
	g_assert_null(sa_get(spec, false, &sa, &present));
	g_assert_cmpint(sa.type, ==, NETDEV_SOCKADDR_FD);
	g_assert_cmpint(sa.fd, ==, pipefd[0]);
	g_free(spec);
	close(pipefd[0]);
	close(pipefd[1]);

	sa_error("x,id=n0,addr.type=inet,addr.host=127.0.0.1,addr.port=0",
		 "addr.port=0: must be from 1 to 65535");
	sa_error("x,id=n0,addr.type=inet,addr.host=127.0.0.1,addr.port=65536",
		 "addr.port=65536: must be from 1 to 65535");
	sa_error("x,id=n0,addr.type=inet,addr.host=127.0.0.1,addr.port=http",
		 "addr.port=http: expected a number from 1 to 65535");
	sa_error("x,id=n0,addr.type=inet,addr.host=127.0.0.1",
		 "addr.port is missing (1 to 65535)");
	sa_error("x,id=n0,addr.type=inet,addr.port=5", "addr.host is missing");
	sa_error("x,id=n0,addr.type=inet,addr.host=,addr.port=5",
		 "addr.host is empty");
	msg = sa_get("x,id=n0,addr.type=inet,addr.host=no.such.host.invalid,"
		     "addr.port=5",
		     false, &sa, &present);
	g_assert_true(g_str_has_prefix(
		msg, "addr.host=no.such.host.invalid: cannot resolve: "));
	g_free(msg);
	sa_error("x,id=n0,addr.type=inet,addr.host=1.2.3.4,addr.port=5,"
		 "addr.path=/x",
		 "addr.path does not apply to addr.type=inet");
	sa_error("x,id=n0,addr.type=unix", "addr.path is missing");
	sa_error("x,id=n0,addr.type=unix,addr.path=/x,addr.port=5",
		 "addr.port does not apply to addr.type=unix");
	sa_error("x,id=n0,addr.type=vsock,addr.cid=3",
		 "addr.type=vsock: expected inet, unix or fd");
	sa_error("x,id=n0,addr.path=/x",
		 "addr.path needs addr.type (inet, unix or fd)");
	sa_error("x,id=n0,addr.type=fd", "addr.str is missing (a file "
					 "descriptor number)");
	sa_error("x,id=n0,addr.type=fd,addr.str=sock0",
		 "addr.str=sock0: expected a number from 0 to 2147483647");
	sa_error("x,id=n0,addr.type=fd,addr.str=999999",
		 "addr.str=999999: Bad file descriptor");
}

/**
 * test_sockaddr_long_path() - A unix path longer than sun_path is refused
 */
static void test_sockaddr_long_path(void)
{
	struct netdev_sockaddr sa;
	char *path =
		g_strnfill(sizeof(((struct sockaddr_un *)0)->sun_path), 'p');
	char *spec =
		g_strdup_printf("x,id=n0,addr.type=unix,addr.path=%s", path);
	char *expected =
		g_strdup_printf("addr.path=%s: longer than 107 bytes", path);
	bool present;
	char *msg = sa_get(spec, false, &sa, &present);

	g_assert_cmpstr(msg, ==, expected);
	g_free(msg);
	g_free(expected);
	g_free(spec);
	g_free(path);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/netdev/args/parse-basic", test_parse_basic);
	g_test_add_func("/netdev/args/parse-escape", test_parse_escape);
	g_test_add_func("/netdev/args/parse-repeat", test_parse_repeat);
	g_test_add_func("/netdev/args/parse-errors", test_parse_errors);
	g_test_add_func("/netdev/args/getters", test_getters);
	g_test_add_func("/netdev/args/finish", test_finish);
	g_test_add_func("/netdev/args/new-errors", test_new_errors);
	g_test_add_func("/netdev/args/options", test_options);
	g_test_add_func("/netdev/args/sockaddr", test_sockaddr);
	g_test_add_func("/netdev/args/sockaddr-long-path",
			test_sockaddr_long_path);
	return g_test_run();
}
