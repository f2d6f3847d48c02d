/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the QMP monitor over real UNIX sockets: greeting,
 * negotiation, request checks, stream parsing and recovery, limits, events
 * and the listening sockets, with a hand-written dispatch table.
 *
 * Every wait is a poll() with a timeout, so a hang is a failure.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib.h>
#include <json-c/json.h>

#include "qmp/monitor.h"
#include "tests/unit/qmp/qmp-test-commands.h"

/* How long a test waits for something that should come at once */
#define WAIT_MS 5000

/* A test client: a connection and what it received but did not parse */
struct tc {
	int fd;
	GString *in;
};

struct fx {
	unsigned int fds_before;
	char *dir;
	char *path;
	struct qmp_monitor *mon;
};

/**
 * count_open_fds() - Number of fds this process has open
 *
 * Return: entries of /proc/self/fd, not counting the directory's own fd
 */
static unsigned int count_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned int n = 0;
	struct dirent *e;

	g_assert_nonnull(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;
}

/**
 * fx_init() - A temporary directory and a socket path in it
 * @f:		fixture
 */
static void fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	f->fds_before = count_open_fds();
	f->dir = g_dir_make_tmp("qmp-mon-XXXXXX", NULL);
	g_assert_nonnull(f->dir);
	f->path = g_build_filename(f->dir, "qmp.sock", NULL);
}

/**
 * fx_start() - Create and start a monitor on the fixture's path
 * @f:		fixture
 * @pretty:	pretty=on
 */
static void fx_start(struct fx *f, bool pretty)
{
	struct qmp_monitor_spec spec = {
		.chardev_id = (char *)"t0",
		.path = f->path,
		.fd = -1,
		.pretty = pretty,
	};
	struct qmp_monitor_config cfg = { .specs = &spec, .n_specs = 1 };
	struct error *err = NULL;

	f->mon = qmp_monitor_new(&cfg, &qmp_test_target, &err);
	if (!f->mon)
		g_error("qmp_monitor_new: %s", error_get_pretty(err));
	if (!qmp_monitor_start(f->mon, &err))
		g_error("qmp_monitor_start: %s", error_get_pretty(err));
}

/**
 * fx_fini() - Free the monitor; check the socket file and fds are gone
 * @f:		fixture
 */
static void fx_fini(struct fx *f)
{
	qmp_monitor_free(f->mon);
	g_assert_false(g_file_test(f->path, G_FILE_TEST_EXISTS));
	g_assert_cmpint(rmdir(f->dir), ==, 0);
	g_assert_cmpuint(count_open_fds(), ==, f->fds_before);
	g_free(f->path);
	g_free(f->dir);
}

/**
 * tc_connect() - Connect to a socket path
 * @c:		client to set up
 * @path:	socket path
 *
 * Return: true if connected
 */
static bool tc_connect(struct tc *c, const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	g_assert_cmpint(c->fd, >=, 0);
	c->in = g_string_new(NULL);
	g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
	return connect(c->fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
}

/**
 * tc_close() - Close a test client
 * @c:		client
 */
static void tc_close(struct tc *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (c->in)
		g_string_free(c->in, TRUE);
	c->in = NULL;
}

/**
 * tc_send_len() - Write bytes to the monitor
 * @c:		client
 * @data:	bytes
 * @len:	their number
 */
static void tc_send_len(struct tc *c, const char *data, size_t len)
{
	while (len) {
		ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);

		g_assert_cmpint(n, >, 0);
		data += n;
		len -= n;
	}
}

/**
 * tc_send() - Write a string to the monitor
 * @c:		client
 * @text:	the string
 */
static void tc_send(struct tc *c, const char *text)
{
	tc_send_len(c, text, strlen(text));
}

/**
 * tc_fill() - Read what comes within @timeout_ms
 * @c:		client
 * @timeout_ms:	how long to wait for data
 *
 * Return: bytes read, 0 on EOF (or ECONNRESET), -1 on timeout
 */
static ssize_t tc_fill(struct tc *c, int timeout_ms)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	char buf[65536];
	ssize_t n;

	if (poll(&pfd, 1, timeout_ms) <= 0)
		return -1;
	n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0 && errno == ECONNRESET)
		return 0;
	g_assert_cmpint(n, >=, 0);
	g_string_append_len(c->in, buf, n);
	return n;
}

/**
 * tc_take() - Take the first complete message of the input, if any
 * @c:		client
 *
 * A message ends with CRLF and every line of it too: the shortest prefix
 * ending in CRLF that parses is one message. It must be ASCII, as QEMU's.
 *
 * Return: the message, or NULL
 */
static json_object *tc_take(struct tc *c)
{
	const char *s = c->in->str, *crlf;
	size_t from = 0, len, i;
	json_object *msg;

	while ((crlf = g_strstr_len(s + from, c->in->len - from, "\r\n"))) {
		len = crlf - s;
		char *text = g_strndup(s, len);

		msg = json_tokener_parse(text);
		g_free(text);
		if (msg) {
			for (i = 0; i < len; i++) {
				if (s[i] == '\n')
					g_assert_cmpint(s[i - 1], ==, '\r');
				g_assert_cmphex((unsigned char)s[i], <, 0x80);
			}
			g_string_erase(c->in, 0, len + 2);
			return msg;
		}
		from = len + 2;
	}
	return NULL;
}

/**
 * tc_recv() - The next message, waiting for it
 * @c:		client
 *
 * Return: the message; the test fails after WAIT_MS or on EOF
 */
static json_object *tc_recv(struct tc *c)
{
	gint64 deadline = g_get_monotonic_time() + WAIT_MS * 1000;
	json_object *msg;

	while (!(msg = tc_take(c))) {
		int left = (deadline - g_get_monotonic_time()) / 1000;
		ssize_t n;

		g_assert_cmpint(left, >, 0);
		n = tc_fill(c, left);
		if (n == 0)
			g_error("EOF while waiting for a message; have '%s'",
				c->in->str);
	}
	return msg;
}

/**
 * tc_expect_eof() - Read everything until the monitor closes
 * @c:		client
 *
 * Return: bytes received before EOF that were not taken
 */
static size_t tc_expect_eof(struct tc *c)
{
	gint64 deadline = g_get_monotonic_time() + WAIT_MS * 1000;

	for (;;) {
		int left = (deadline - g_get_monotonic_time()) / 1000;
		ssize_t n;

		g_assert_cmpint(left, >, 0);
		n = tc_fill(c, left);
		g_assert_cmpint(n, !=, -1);
		if (n == 0)
			return c->in->len;
	}
}

/**
 * tc_silent() - Check nothing arrives within @ms
 * @c:		client
 * @ms:		how long
 */
static void tc_silent(struct tc *c, int ms)
{
	g_assert_null(tc_take(c));
	g_assert_cmpint(tc_fill(c, ms), ==, -1);
}

/**
 * tc_open() - Connect and read the greeting
 * @c:		client
 * @path:	socket path
 */
static void tc_open(struct tc *c, const char *path)
{
	json_object *greeting, *qmp;

	g_assert_true(tc_connect(c, path));
	greeting = tc_recv(c);
	g_assert_true(json_object_object_get_ex(greeting, "QMP", &qmp));
	json_object_put(greeting);
}

/**
 * tc_cmd() - Send a request; return the next message
 * @c:		client
 * @text:	the request
 *
 * Return: the answer (or an event before it)
 */
static json_object *tc_cmd(struct tc *c, const char *text)
{
	tc_send(c, text);
	return tc_recv(c);
}

/**
 * get_path() - A member by path, e.g. "error.class"
 * @obj:	object
 * @path:	dot-separated member names
 *
 * Return: the member, or NULL
 */
static json_object *get_path(json_object *obj, const char *path)
{
	char **parts = g_strsplit(path, ".", 0);
	unsigned int i;

	for (i = 0; parts[i] && obj; i++)
		if (!json_object_object_get_ex(obj, parts[i], &obj))
			obj = NULL;
	g_strfreev(parts);
	return obj;
}

/**
 * check_error() - Check an error response; free it
 * @rsp:	response (consumed)
 * @cls:	expected class
 * @desc:	expected message
 * @id:		expected id as JSON text, or NULL if none
 */
static void check_error(json_object *rsp, const char *cls, const char *desc,
			const char *id)
{
	json_object *v;

	g_assert_nonnull(get_path(rsp, "error"));
	g_assert_cmpstr(json_object_get_string(get_path(rsp, "error.class")),
			==, cls);
	g_assert_cmpstr(json_object_get_string(get_path(rsp, "error.desc")), ==,
			desc);
	g_assert_cmpint(json_object_object_length(get_path(rsp, "error")), ==,
			2);
	if (id) {
		json_object *want = json_tokener_parse(id);

		g_assert_true(json_object_object_get_ex(rsp, "id", &v));
		g_assert_true(json_object_equal(v, want));
		json_object_put(want);
	} else {
		g_assert_false(json_object_object_get_ex(rsp, "id", &v));
	}
	json_object_put(rsp);
}

/**
 * check_return() - Check a success response; free it
 * @rsp:	response (consumed)
 * @ret:	expected return value as JSON text
 * @id:		expected id as JSON text, or NULL if none
 */
static void check_return(json_object *rsp, const char *ret, const char *id)
{
	json_object *want = json_tokener_parse(ret), *v;

	if (!json_object_object_get_ex(rsp, "return", &v))
		g_error("not a return: %s", json_object_to_json_string(rsp));
	g_assert_true(json_object_equal(v, want));
	json_object_put(want);
	if (id) {
		want = json_tokener_parse(id);
		g_assert_true(json_object_object_get_ex(rsp, "id", &v));
		g_assert_true(json_object_equal(v, want));
		json_object_put(want);
	} else {
		g_assert_false(json_object_object_get_ex(rsp, "id", &v));
	}
	json_object_put(rsp);
}

/**
 * tc_negotiate() - Leave negotiation mode
 * @c:		client
 */
static void tc_negotiate(struct tc *c)
{
	check_return(tc_cmd(c, "{\"execute\": \"qmp_capabilities\"}"), "{}",
		     NULL);
}

/**
 * check_event() - Check an event; free it
 * @ev:		message (consumed)
 * @name:	expected name
 * @n:		expected data.n, or -1 for an event without data
 */
static void check_event(json_object *ev, const char *name, int n)
{
	json_object *ts = get_path(ev, "timestamp");
	struct timeval now;
	int64_t sec;

	gettimeofday(&now, NULL);
	if (!get_path(ev, "event"))
		g_error("not an event: %s", json_object_to_json_string(ev));
	g_assert_cmpstr(json_object_get_string(get_path(ev, "event")), ==,
			name);
	if (n < 0) {
		g_assert_null(get_path(ev, "data"));
		g_assert_cmpint(json_object_object_length(ev), ==, 2);
	} else {
		g_assert_cmpint(json_object_get_int(get_path(ev, "data.n")), ==,
				n);
		g_assert_cmpint(json_object_object_length(ev), ==, 3);
	}
	g_assert_cmpint(json_object_object_length(ts), ==, 2);
	g_assert_true(
		json_object_is_type(get_path(ts, "seconds"), json_type_int));
	sec = json_object_get_int64(get_path(ts, "seconds"));
	g_assert_cmpint(sec, <=, now.tv_sec);
	g_assert_cmpint(sec, >=, now.tv_sec - 60);
	g_assert_cmpint(json_object_get_int(get_path(ts, "microseconds")), <,
			1000000);
	json_object_put(ev);
}

/**
 * emit_n() - Emit @count events {"n": i} named @name from this thread
 * @name:	event name
 * @count:	how many
 */
static void emit_n(const char *name, int count)
{
	int i;

	for (i = 0; i < count; i++) {
		json_object *data = json_object_new_object();

		json_object_object_add(data, "n", json_object_new_int(i));
		qmp_event_emit(name, data);
	}
}

/**
 * test_greeting() - The greeting: QEMU's shape, our version and program
 */
static void test_greeting(void)
{
	json_object *g, *caps;
	struct tc c;
	struct fx f;

	fx_init(&f);
	fx_start(&f, false);
	g_assert_true(tc_connect(&c, f.path));
	g = tc_recv(&c);
	g_assert_cmpint(json_object_object_length(g), ==, 1);
	g_assert_cmpint(json_object_object_length(get_path(g, "QMP")), ==, 2);
	g_assert_cmpint(
		json_object_get_int(get_path(g, "QMP.version.qemu.major")), ==,
		1);
	g_assert_cmpint(
		json_object_get_int(get_path(g, "QMP.version.qemu.minor")), ==,
		2);
	g_assert_cmpint(
		json_object_get_int(get_path(g, "QMP.version.qemu.micro")), ==,
		3);
	g_assert_cmpint(
		json_object_object_length(get_path(g, "QMP.version.qemu")), ==,
		3);
	g_assert_cmpstr(
		json_object_get_string(get_path(g, "QMP.version.package")), ==,
		"qemu-dev-test");
	caps = get_path(g, "QMP.capabilities");
	g_assert_true(json_object_is_type(caps, json_type_array));
	g_assert_cmpuint(json_object_array_length(caps), ==, 0);
	json_object_put(g);
	tc_close(&c);
	fx_fini(&f);
}

/**
 * test_negotiation() - Negotiation mode: only qmp_capabilities, no events; then
 * command mode
 */
static void test_negotiation(void)
{
	struct tc c;
	struct fx f;

	fx_init(&f);
	fx_start(&f, false);
	tc_open(&c, f.path);
	check_error(tc_cmd(&c, "{\"execute\": \"echo\", \"id\": 1}"),
		    "CommandNotFound",
		    "Expecting capabilities negotiation with "
		    "'qmp_capabilities'",
		    "1");
	check_error(tc_cmd(&c, "{\"execute\": \"no-such\"}"), "CommandNotFound",
		    "Expecting capabilities negotiation with "
		    "'qmp_capabilities'",
		    NULL);
	/* Request checks come first, as in QEMU */
	check_error(tc_cmd(&c, "{\"foo\": 1, \"id\": 2}"), "GenericError",
		    "QMP input member 'foo' is unexpected", "2");
	check_error(tc_cmd(&c, "{\"execute\": \"qmp_capabilities\", "
			       "\"arguments\": {\"enable\": [\"oob\"]}, "
			       "\"id\": 3}"),
		    "GenericError", "Capability oob not available", "3");
	/* Not negotiated: events are not for this client */
	emit_n("EARLY", 3);
	check_error(tc_cmd(&c, "{\"execute\": \"echo\"}"), "CommandNotFound",
		    "Expecting capabilities negotiation with "
		    "'qmp_capabilities'",
		    NULL);
	check_return(tc_cmd(&c, "{\"execute\": \"qmp_capabilities\", "
				"\"arguments\": {\"enable\": []}, \"id\": 4}"),
		     "{}", "4");
	check_return(tc_cmd(&c, "{\"execute\": \"echo\", "
				"\"arguments\": {\"a\": 1}}"),
		     "{\"a\": 1}", NULL);
	check_error(
		tc_cmd(&c, "{\"execute\": \"qmp_capabilities\", \"id\": 5}"),
		"CommandNotFound",
		"Capabilities negotiation is already complete, command "
		"ignored",
		"5");
	tc_close(&c);
	fx_fini(&f);
}

/**
 * test_request_errors() - Every request error, with QEMU's class and text
 */
static void test_request_errors(void)
{
	static const struct {
		const char *req, *cls, *desc, *id;
	} cases[] = {
		{ "[1]", "GenericError", "QMP input must be a JSON object",
		  NULL },
		{ "\"execute\" ", "GenericError",
		  "QMP input must be a JSON object", NULL },
		{ "3 ", "GenericError", "QMP input must be a JSON object",
		  NULL },
		{ "null ", "GenericError", "QMP input must be a JSON object",
		  NULL },
		{ "{\"execute\": \"echo\", \"foo\": 1, \"id\": 1}",
		  "GenericError", "QMP input member 'foo' is unexpected", "1" },
		{ "{\"exec-oob\": \"echo\", \"id\": 2}", "GenericError",
		  "QMP input member 'exec-oob' is unexpected", "2" },
		{ "{\"id\": 3}", "GenericError",
		  "QMP input lacks member 'execute'", "3" },
		{ "{}", "GenericError", "QMP input lacks member 'execute'",
		  NULL },
		{ "{\"execute\": 1, \"id\": 4}", "GenericError",
		  "QMP input member 'execute' must be a string", "4" },
		{ "{\"execute\": null}", "GenericError",
		  "QMP input member 'execute' must be a string", NULL },
		{ "{\"execute\": \"echo\", \"arguments\": [], \"id\": 5}",
		  "GenericError",
		  "QMP input member 'arguments' must be an object", "5" },
		/* The first member at fault, in input order */
		{ "{\"arguments\": 1, \"foo\": 1}", "GenericError",
		  "QMP input member 'arguments' must be an object", NULL },
		{ "{\"foo\": 1, \"arguments\": 1}", "GenericError",
		  "QMP input member 'foo' is unexpected", NULL },
		{ "{\"execute\": \"no-such\", \"id\": \"x\"}",
		  "CommandNotFound", "The command no-such has not been found",
		  "\"x\"" },
		{ "{\"execute\": \"fail\", \"id\": 6}", "DeviceNotFound",
		  "Device 'nope' not found", "6" },
		/* QEMU checks this before the capabilities */
		{ "{\"execute\": \"qmp_capabilities\", "
		  "\"arguments\": {\"enable\": [\"oob\"]}}",
		  "CommandNotFound",
		  "Capabilities negotiation is already complete, command "
		  "ignored",
		  NULL },
	};
	unsigned int i;
	struct tc c;
	struct fx f;

	fx_init(&f);
	fx_start(&f, false);
	tc_open(&c, f.path);
	tc_negotiate(&c);
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_test_message("request %s", cases[i].req);
		check_error(tc_cmd(&c, cases[i].req), cases[i].cls,
			    cases[i].desc, cases[i].id);
	}
	check_return(tc_cmd(&c, "{\"execute\": \"target\"}"), "{\"ok\": true}",
		     NULL);
	tc_close(&c);
	fx_fini(&f);
}

/**
 * test_id_echo() - "id" is echoed verbatim, whatever its type, on success and
 * error
 */
static void test_id_echo(void)
{
	static const char *const ids[] = {
		"42",
		"-7",
		"1.5",
		"\"abc\"",
		"{\"a\": [1, 2, {\"b\": null}]}",
		"[]",
		"null",
		"true",
	};
	unsigned int i;
	char *req;
	struct tc c;
	struct fx f;

	fx_init(&f);
	fx_start(&f, false);
	tc_open(&c, f.path);
	for (i = 0; i < G_N_ELEMENTS(ids); i++) {
		req = g_strdup_printf("{\"execute\": \"echo\", \"id\": %s}",
				      ids[i]);
		check_error(tc_cmd(&c, req), "CommandNotFound",
			    "Expecting capabilities negotiation with "
			    "'qmp_capabilities'",
			    ids[i]);
		g_free(req);
	}
	tc_negotiate(&c);
	for (i = 0; i < G_N_ELEMENTS(ids); i++) {
		req = g_strdup_printf("{\"id\": %s, \"execute\": \"echo\", "
				      "\"arguments\": {\"v\": 1}}",
				      ids[i]);
		check_return(tc_cmd(&c, req), "{\"v\": 1}", ids[i]);
		g_free(req);
		req = g_strdup_printf("{\"execute\": \"fail\", \"id\": %s}",
				      ids[i]);
		check_error(tc_cmd(&c, req), "DeviceNotFound",
			    "Device 'nope' not found", ids[i]);
		g_free(req);
	}
	tc_close(&c);
	fx_fini(&f);
}

/**
 * test_stream() - Texts as a stream: several per write, one over many writes
 */
static void test_stream(void)
{
	const char *req = "{\"execute\": \"echo\", \"arguments\": "
			  "{\"s\": \"a b\"}, \"id\": \"split\"}";
	struct tc c;
	struct fx f;
	size_t i;

	fx_init(&f);
	fx_start(&f, false);
	tc_open(&c, f.path);
	tc_send(&c, "{\"execute\":\"qmp_capabilities\",\"id\":0}"
		    "{\"execute\":\"echo\",\"id\":1}  \r\n\t"
		    "{\"execute\":\"echo\",\"id\":2}\n");
	check_return(tc_recv(&c), "{}", "0");
	check_return(tc_recv(&c), "{}", "1");
	check_return(tc_recv(&c), "{}", "2");
	for (i = 0; req[i]; i++) {
		tc_send_len(&c, req + i, 1);
		if (i % 8 == 0)
			usleep(1000);
	}
	check_return(tc_recv(&c), "{\"s\": \"a b\"}", "\"split\"");
	/* QEMU's single-quoted strings */
	check_return(tc_cmd(&c, "{'execute': 'echo', 'arguments': "
				"{'q': 'say \"hi\"'}, 'id': 3}"),
		     "{\"q\": \"say \\\"hi\\\"\"}", "3");
	/* Commands run one at a time, in order */
	tc_send(&c, "{\"execute\":\"slow\",\"id\":4}"
		    "{\"execute\":\"echo\",\"id\":5}");
	check_return(tc_recv(&c), "{}", "4");
	check_return(tc_recv(&c), "{}", "5");
	/* A client that shuts down its side still gets its answer */
	tc_send(&c, "{\"execute\":\"echo\",\"id\":6}");
	g_assert_cmpint(shutdown(c.fd, SHUT_WR), ==, 0);
	check_return(tc_recv(&c), "{}", "6");
	g_assert_cmpuint(tc_expect_eof(&c), ==, 0);
	tc_close(&c);
	fx_fini(&f);
}

/**
 * test_parse_error() - A parse error is answered without id; the rest of the
 * line is dropped
 */
static void test_parse_error(void)
{
	char deep[200] = "{\"execute\": \"echo\", \"arguments\": {\"a\": ";
	json_object *rsp;
	const char *desc;
	struct tc c;
	struct fx f;
	size_t n;

	fx_init(&f);
	fx_start(&f, false);
	tc_open(&c, f.path);
	tc_negotiate(&c);

	rsp = tc_cmd(&c, "{\"execute\": ]\n");
	desc = json_object_get_string(get_path(rsp, "error.desc"));
	g_assert_true(g_str_has_prefix(desc, "JSON parse error, "));
	check_error(rsp, "GenericError", desc, NULL);
	check_return(tc_cmd(&c, "{\"execute\": \"echo\", \"id\": 1}"), "{}",
		     "1");

	/* What follows the error on its line is dropped, not the next line */
	tc_send(&c, "{\"execute\" } {\"execute\": \"echo\", \"id\": 2}\n"
		    "{\"execute\": \"echo\", \"id\": 3}");
	rsp = tc_recv(&c);
	g_assert_nonnull(get_path(rsp, "error"));
	g_assert_null(get_path(rsp, "id"));
	json_object_put(rsp);
	check_return(tc_recv(&c), "{}", "3");

	/* A control character resets the parser in the middle of a text */
	rsp = tc_cmd(&c, "{\"execute\": \"ec\x1b{\"execute\": \"echo\", "
			 "\"id\": 4}");
	check_error(rsp, "GenericError",
		    "JSON parse error, control character 0x1b in string", NULL);
	check_return(tc_recv(&c), "{}", "4");
	rsp = tc_cmd(&c, "{\"execute\": \x1b{\"execute\": \"echo\", "
			 "\"id\": 41}");
	check_error(rsp, "GenericError", "JSON parse error, stray byte 0x1b",
		    NULL);
	check_return(tc_recv(&c), "{}", "41");
	/* Grammar errors are json-c's, strict: no trailing comma, comment */
	tc_send(&c, "{\"execute\" \"echo\"} {\"execute\": \"echo\"}\n"
		    "[1,]\n{\"execute\": /* c */ \"echo\"}\n"
		    "{\"execute\": \"echo\", \"id\": 42}");
	check_error(tc_recv(&c), "GenericError",
		    "JSON parse error, object property name separator ':' "
		    "expected",
		    NULL);
	check_error(tc_recv(&c), "GenericError",
		    "JSON parse error, unexpected character", NULL);
	check_error(tc_recv(&c), "GenericError",
		    "JSON parse error, unexpected '/'", NULL);
	check_return(tc_recv(&c), "{}", "42");
	/* ... and is ignored between texts */
	check_return(tc_cmd(&c, "\x1b\x04{\"execute\": \"echo\", \"id\": 5}"),
		     "{}", "5");

	/* Invalid UTF-8 and too deep nesting are parse errors too */
	rsp = tc_cmd(&c, "{\"execute\": \"\xc3\x28\"}\n");
	g_assert_nonnull(get_path(rsp, "error"));
	json_object_put(rsp);
	n = strlen(deep);
	memset(deep + n, '[', QMP_MAX_NESTING + 1);
	deep[n + QMP_MAX_NESTING + 1] = '\0';
	rsp = tc_cmd(&c, deep);
	g_assert_nonnull(get_path(rsp, "error"));
	json_object_put(rsp);
	check_return(tc_cmd(&c, "\n{\"execute\": \"echo\", \"id\": 6}"), "{}",
		     "6");
	tc_close(&c);
	fx_fini(&f);
}

/**
 * tc_recv_line() - The next message as it came on the wire
 * @c:		client
 *
 * Return: its text without the CRLF, to g_free(); the test fails after
 * WAIT_MS
 */
static char *tc_recv_line(struct tc *c)
{
	gint64 deadline = g_get_monotonic_time() + WAIT_MS * 1000;
	const char *crlf;
	char *line;

	while (!(crlf = g_strstr_len(c->in->str, c->in->len, "\r\n"))) {
		int left = (deadline - g_get_monotonic_time()) / 1000;

		g_assert_cmpint(left, >, 0);
		g_assert_cmpint(tc_fill(c, left), !=, 0);
	}
	line = g_strndup(c->in->str, crlf - c->in->str);
	g_string_erase(c->in, 0, crlf - c->in->str + 2);
	return line;
}

/**
 * test_unicode() - Strings are checked as QEMU's parser does, whatever the
 * reads they come in; output is ASCII
 */
static void test_unicode(void)
{
	static const char *const bad[] = {
		"\"a\nb\"",    "\"a\tb\"",	     "\"\xc3\"",
		"\"x\xff\"",   "\"\xed\xa0\x80\"",   "\"\xc0\xaf\"",
		"\"\\ud800\"", "\"\\udc00\\ud800\"", "'\\ud800'",
		"\"\\x\"",     "'a\x01b'",	     "\"\xf4\x90\x80\x80\"",
	};
	const char *req = "{\"execute\": \"echo\", \"id\": \"\xc3\xa9t"
			  "\xf0\x9f\x98\x80\"}";
	const char *desc;
	json_object *rsp;
	size_t i, cuts[4];
	struct tc c;
	struct fx f;
	char *line;
	int errors;

	fx_init(&f);
	fx_start(&f, false);
	tc_open(&c, f.path);
	tc_negotiate(&c);

	/* A character cut between two reads; out as \u escapes */
	cuts[0] = strchr(req, '\xc3') - req + 1;
	for (i = 1; i < G_N_ELEMENTS(cuts); i++)
		cuts[i] = strchr(req, '\xf0') - req + i;
	for (i = 0; i < G_N_ELEMENTS(cuts); i++) {
		tc_send_len(&c, req, cuts[i]);
		usleep(20000);
		tc_send(&c, req + cuts[i]);
		line = tc_recv_line(&c);
		g_assert_cmpstr(line, ==,
				"{\"return\":{},\"id\":"
				"\"\\u00e9t\\ud83d\\ude00\"}");
		g_free(line);
	}
	check_return(tc_cmd(&c, "{\"execute\": \"echo\", \"id\": "
				"\"\\u00e9\\ud83d\\ude00\\u0000\"}"),
		     "{}", "\"\xc3\xa9\xf0\x9f\x98\x80\\u0000\"");

	/* What the parser refuses; the next line is served */
	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		line = g_strdup_printf("{\"execute\": \"echo\", \"id\": %s}\n"
				       "{\"execute\": \"echo\", \"id\": 7}\n",
				       bad[i]);
		tc_send(&c, line);
		g_free(line);
		for (errors = 0;; errors++) {
			rsp = tc_recv(&c);
			if (!get_path(rsp, "error"))
				break;
			desc = json_object_get_string(
				get_path(rsp, "error.desc"));
			g_assert_true(
				g_str_has_prefix(desc, "JSON parse error, "));
			g_assert_null(get_path(rsp, "id"));
			json_object_put(rsp);
		}
		g_assert_cmpint(errors, >, 0);
		check_return(rsp, "{}", "7");
	}

	/* A handler's string that is not valid UTF-8 */
	tc_send(&c, "{\"execute\": \"bytes\"}");
	line = tc_recv_line(&c);
	g_assert_cmpstr(line, ==,
			"{\"return\":{\"s\":\"a\\ufffdb\\u00e9"
			"\\ud83d\\ude00\\ufffd\\ufffd\\ufffd\"}}");
	g_free(line);

	/* A number at the end of input is complete */
	tc_send(&c, "{\"execute\": \"echo\", \"id\": 8} 42");
	check_return(tc_recv(&c), "{}", "8");
	g_assert_cmpint(shutdown(c.fd, SHUT_WR), ==, 0);
	check_error(tc_recv(&c), "GenericError",
		    "QMP input must be a JSON object", NULL);
	g_assert_cmpuint(tc_expect_eof(&c), ==, 0);
	tc_close(&c);
	fx_fini(&f);
}

/**
 * test_oversized() - A request over QMP_MAX_REQUEST_BYTES: an error, then a
 * clean close
 */
static void test_oversized(void)
{
	GString *req = g_string_new("{\"execute\": \"echo\", \"arguments\": "
				    "{\"s\": \"");
	size_t base = req->len;
	char *ok;
	struct tc c;
	struct fx f;

	fx_init(&f);
	fx_start(&f, false);
	tc_open(&c, f.path);
	tc_negotiate(&c);

	/* Exactly at the limit: fine */
	while (req->len < QMP_MAX_REQUEST_BYTES - 3)
		g_string_append_c(req, 'x');
	ok = g_strdup_printf("{\"s\": \"%s\"}", req->str + base);
	g_string_append(req, "\"}}");
	g_assert_cmpuint(req->len, ==, QMP_MAX_REQUEST_BYTES);
	tc_send_len(&c, req->str, req->len);
	check_return(tc_recv(&c), ok, NULL);
	g_free(ok);

	/* One byte more, sent in pieces */
	g_string_truncate(req, base);
	while (req->len < QMP_MAX_REQUEST_BYTES + 1000)
		g_string_append(req, "yyyyyyyyyy");
	tc_send_len(&c, req->str, 30000);
	usleep(10000);
	tc_send_len(&c, req->str + 30000, req->len - 30000);
	check_error(tc_recv(&c), "GenericError",
		    "QMP input exceeds 65536 bytes", NULL);
	g_assert_cmpuint(tc_expect_eof(&c), ==, 0);
	tc_close(&c);
	g_string_free(req, TRUE);
	fx_fini(&f);
}

/**
 * test_events() - Events go to negotiated clients only, in order, with a
 * timestamp
 */
static void test_events(void)
{
	struct tc a, b;
	struct fx f;
	int i;

	/* No monitor runs: discarded */
	emit_n("NOBODY", 5);
	qmp_event_emit("NOBODY", NULL);

	fx_init(&f);
	fx_start(&f, false);
	tc_open(&a, f.path);
	tc_open(&b, f.path);
	tc_negotiate(&a);
	emit_n("SEQ", 100);
	qmp_event_emit("NODATA", NULL);
	for (i = 0; i < 100; i++)
		check_event(tc_recv(&a), "SEQ", i);
	check_event(tc_recv(&a), "NODATA", -1);
	/* b was not negotiated: its first message is its answer */
	check_error(tc_cmd(&b, "{\"execute\": \"echo\", \"id\": 1}"),
		    "CommandNotFound",
		    "Expecting capabilities negotiation with "
		    "'qmp_capabilities'",
		    "1");
	tc_negotiate(&b);
	emit_n("AFTER", 1);
	check_event(tc_recv(&a), "AFTER", 0);
	check_event(tc_recv(&b), "AFTER", 0);

	/* An event a command causes comes before its answer */
	tc_send(&a, "{\"execute\": \"emit\", \"arguments\": "
		    "{\"name\": \"FROM_CMD\", \"count\": 3}, \"id\": 9}");
	for (i = 0; i < 3; i++)
		check_event(tc_recv(&a), "FROM_CMD", i);
	check_return(tc_recv(&a), "{}", "9");
	for (i = 0; i < 3; i++)
		check_event(tc_recv(&b), "FROM_CMD", i);
	tc_silent(&b, 50);
	tc_close(&a);
	tc_close(&b);
	fx_fini(&f);
}

/**
 * test_event_queue_bound() - Beyond QMP_MAX_PENDING_EVENTS waiting, events are
 * dropped, not queued
 */
static void test_event_queue_bound(void)
{
	struct tc c;
	struct fx f;
	int i;

	fx_init(&f);
	fx_start(&f, false);
	tc_open(&c, f.path);
	tc_negotiate(&c);
	/* The monitor thread is busy: nothing is delivered meanwhile */
	qmp_test_gate_reset();
	tc_send(&c, "{\"execute\": \"gate\", \"id\": 1}");
	g_assert_true(qmp_test_gate_wait_entered());
	emit_n("Q", QMP_MAX_PENDING_EVENTS + 500);
	qmp_test_gate_open();
	for (i = 0; i < QMP_MAX_PENDING_EVENTS; i++)
		check_event(tc_recv(&c), "Q", i);
	check_return(tc_recv(&c), "{}", "1");
	/* Room again */
	emit_n("AGAIN", 1);
	check_event(tc_recv(&c), "AGAIN", 0);
	tc_close(&c);
	fx_fini(&f);
}

#define EMIT_THREADS	4
#define EMIT_PER_THREAD 200

/**
 * emitter() - Emit EMIT_PER_THREAD events named after the thread
 * @opaque:	the thread's index, as a pointer
 *
 * Return: NULL
 */
static void *emitter(void *opaque)
{
	char name[16];

	snprintf(name, sizeof(name), "T%d", GPOINTER_TO_INT(opaque));
	emit_n(name, EMIT_PER_THREAD);
	return NULL;
}

/**
 * test_events_threads() - Events from several threads: none lost, each thread's
 * in order
 */
static void test_events_threads(void)
{
	pthread_t t[EMIT_THREADS];
	int next[EMIT_THREADS] = { 0 };
	struct tc c;
	struct fx f;
	int i;

	fx_init(&f);
	fx_start(&f, false);
	tc_open(&c, f.path);
	tc_negotiate(&c);
	for (i = 0; i < EMIT_THREADS; i++)
		pthread_create(&t[i], NULL, emitter, GINT_TO_POINTER(i));
	for (i = 0; i < EMIT_THREADS; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < EMIT_THREADS * EMIT_PER_THREAD; i++) {
		json_object *ev = tc_recv(&c);
		const char *name =
			json_object_get_string(get_path(ev, "event"));
		int k;

		g_assert_nonnull(name);
		g_assert_cmpint(name[0], ==, 'T');
		k = name[1] - '0';
		g_assert_cmpint(k, >=, 0);
		g_assert_cmpint(k, <, EMIT_THREADS);
		check_event(ev, name, next[k]++);
	}
	tc_close(&c);
	fx_fini(&f);
}

/**
 * hung_up() - Whether the monitor closed its end of @c
 * @c:		client
 *
 * Return: true if poll() reports POLLHUP, unread data or not
 */
static bool hung_up(struct tc *c)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLHUP);
}

/**
 * test_stuck_client() - A client that never reads is dropped at the output
 * bound; others go on
 */
static void test_stuck_client(void)
{
	char *big = g_malloc(4097);
	struct tc stuck, good;
	int i, j, got = 0, hup_at = -1;
	json_object *ev;
	struct fx f;

	memset(big, 'z', 4096);
	big[4096] = '\0';
	fx_init(&f);
	fx_start(&f, false);
	tc_open(&stuck, f.path);
	tc_open(&good, f.path);
	tc_negotiate(&stuck);
	tc_negotiate(&good);
	/* In batches the good client keeps up with: none is dropped */
	for (i = 0; i < 2000; i += 100) {
		for (j = 0; j < 100; j++) {
			json_object *data = json_object_new_object();

			json_object_object_add(data, "n",
					       json_object_new_int(i + j));
			json_object_object_add(data, "pad",
					       json_object_new_string(big));
			qmp_event_emit("BIG", data);
		}
		for (j = 0; j < 100; j++) {
			ev = tc_recv(&good);
			g_assert_cmpint(
				json_object_get_int(get_path(ev, "data.n")), ==,
				i + j);
			json_object_put(ev);
		}
		/* Once answered, the batch went to the stuck client too */
		check_return(tc_cmd(&good, "{\"execute\": \"echo\"}"), "{}",
			     NULL);
		if (hup_at < 0 && hung_up(&stuck))
			hup_at = i + 100;
	}
	/* Dropped once more than the bound waited (plus socket buffers) */
	g_test_message("the stuck client was dropped after %d events", hup_at);
	g_assert_cmpint(hup_at, >, 0);
	g_assert_cmpint((gint64)hup_at * 4200, >, QMP_MAX_OUTPUT_BYTES);
	g_assert_cmpint((gint64)(hup_at - 100) * 4096, <,
			QMP_MAX_OUTPUT_BYTES + 2 * 1024 * 1024);
	/* What it can still read is a prefix of the events, then EOF */
	tc_expect_eof(&stuck);
	while ((ev = tc_take(&stuck))) {
		g_assert_cmpint(json_object_get_int(get_path(ev, "data.n")), ==,
				got);
		got++;
		json_object_put(ev);
	}
	g_assert_cmpint(got, <, hup_at);
	tc_close(&stuck);
	tc_close(&good);
	g_free(big);
	fx_fini(&f);
}

/**
 * test_max_clients() - Beyond QMP_MAX_CLIENTS a client is closed at once
 */
static void test_max_clients(void)
{
	struct tc c[QMP_MAX_CLIENTS], extra;
	gint64 deadline;
	json_object *g;
	struct fx f;
	int i;

	fx_init(&f);
	fx_start(&f, false);
	for (i = 0; i < QMP_MAX_CLIENTS; i++)
		tc_open(&c[i], f.path);
	g_assert_true(tc_connect(&extra, f.path));
	g_assert_cmpuint(tc_expect_eof(&extra), ==, 0);
	tc_close(&extra);
	/* Every client still works */
	for (i = 0; i < QMP_MAX_CLIENTS; i++)
		tc_negotiate(&c[i]);
	/* A slot frees when a client leaves */
	tc_close(&c[0]);
	deadline = g_get_monotonic_time() + WAIT_MS * 1000;
	for (;;) {
		g_assert_true(tc_connect(&extra, f.path));
		if (tc_fill(&extra, WAIT_MS) > 0)
			break;
		tc_close(&extra);
		g_assert_cmpint(g_get_monotonic_time(), <, deadline);
		usleep(10000);
	}
	g = tc_recv(&extra);
	g_assert_nonnull(get_path(g, "QMP"));
	json_object_put(g);
	tc_close(&extra);
	for (i = 1; i < QMP_MAX_CLIENTS; i++)
		tc_close(&c[i]);
	fx_fini(&f);
}

/**
 * eof_reader() - Read a client's input until EOF, on a thread of its own
 * @opaque:	struct tc
 *
 * It starts late, so that the monitor must wait for it to drain.
 *
 * Return: NULL
 */
static void *eof_reader(void *opaque)
{
	usleep(20 * 1000);
	tc_expect_eof(opaque);
	return NULL;
}

/**
 * test_free_delivers() - qmp_monitor_free() delivers what was emitted just
 * before, then closes
 */
static void test_free_delivers(void)
{
	char pad[1025];
	struct tc c, fresh;
	pthread_t reader;
	json_object *ev;
	struct fx f;
	int i;

	memset(pad, 'p', 1024);
	pad[1024] = '\0';
	fx_init(&f);
	fx_start(&f, false);
	tc_open(&c, f.path);
	tc_open(&fresh, f.path);
	tc_negotiate(&c);
	/* More than the socket buffers hold: output waits when free() starts */
	for (i = 0; i < 600; i++) {
		json_object *data = json_object_new_object();

		json_object_object_add(data, "n", json_object_new_int(i));
		json_object_object_add(data, "pad",
				       json_object_new_string(pad));
		qmp_event_emit("BULK", data);
	}
	qmp_event_emit("SHUTDOWN", NULL);
	pthread_create(&reader, NULL, eof_reader, &c);
	qmp_monitor_free(f.mon);
	f.mon = NULL;
	pthread_join(reader, NULL);
	for (i = 0; i < 600; i++) {
		ev = tc_take(&c);
		g_assert_nonnull(ev);
		g_assert_cmpint(json_object_get_int(get_path(ev, "data.n")), ==,
				i);
		json_object_put(ev);
	}
	ev = tc_take(&c);
	g_assert_nonnull(ev);
	check_event(ev, "SHUTDOWN", -1);
	g_assert_cmpuint(c.in->len, ==, 0);
	/* Not negotiated: nothing but EOF */
	g_assert_cmpuint(tc_expect_eof(&fresh), ==, 0);
	/* After the monitor is gone, events are discarded */
	qmp_event_emit("LATE", NULL);
	tc_close(&c);
	tc_close(&fresh);
	fx_fini(&f);
}

/**
 * test_pretty() - pretty=on: indented output, every line ends in CRLF
 */
static void test_pretty(void)
{
	json_object *g;
	struct tc c;
	struct fx f;

	fx_init(&f);
	fx_start(&f, true);
	g_assert_true(tc_connect(&c, f.path));
	g_assert_cmpint(tc_fill(&c, WAIT_MS), >, 0);
	while (!strstr(c.in->str, "\r\n}\r\n"))
		g_assert_cmpint(tc_fill(&c, WAIT_MS), >, 0);
	g_assert_true(g_str_has_prefix(c.in->str, "{\r\n"));
	g = tc_take(&c);
	g_assert_nonnull(get_path(g, "QMP.version"));
	json_object_put(g);
	tc_negotiate(&c);
	qmp_event_emit("PRETTY", NULL);
	check_event(tc_recv(&c), "PRETTY", -1);
	tc_close(&c);
	fx_fini(&f);
}

/**
 * test_socket_files() - Socket files: a stale one is replaced, a live one or a
 * file refused
 */
static void test_socket_files(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct qmp_monitor_spec spec = { .chardev_id = (char *)"s0", .fd = -1 };
	struct qmp_monitor_config cfg = { .specs = &spec, .n_specs = 1 };
	struct qmp_monitor *mon, *other;
	struct error *err = NULL;
	struct stat st;
	struct tc c;
	struct fx f;
	int fd;

	fx_init(&f);
	spec.path = f.path;
	g_strlcpy(addr.sun_path, f.path, sizeof(addr.sun_path));

	/* Stale: bound, then closed without unlinking */
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==,
			0);
	close(fd);
	mon = qmp_monitor_new(&cfg, &qmp_test_target, &err);
	g_assert_nonnull(mon);
	g_assert_true(qmp_monitor_start(mon, &err));
	tc_open(&c, f.path);
	tc_close(&c);

	/* Live: ours is listening */
	other = qmp_monitor_new(&cfg, &qmp_test_target, &err);
	g_assert_null(other);
	g_assert_nonnull(strstr(error_get_pretty(err), f.path));
	g_assert_nonnull(strstr(error_get_pretty(err), "listening"));
	g_assert_true(
		g_str_has_prefix(error_get_pretty(err), "QMP monitor 's0': "));
	error_free(err);
	err = NULL;

	/* Only one monitor runs at a time */
	g_assert_false(qmp_monitor_start(mon, &err));
	error_free(err);
	err = NULL;

	/* Replaced behind our back: not ours to unlink */
	g_assert_cmpint(unlink(f.path), ==, 0);
	g_assert_true(g_file_set_contents(f.path, "x", 1, NULL));
	qmp_monitor_free(mon);
	g_assert_cmpint(lstat(f.path, &st), ==, 0);

	/* Not a socket: refused */
	mon = qmp_monitor_new(&cfg, &qmp_test_target, &err);
	g_assert_null(mon);
	g_assert_nonnull(strstr(error_get_pretty(err), "is not a socket"));
	error_free(err);
	err = NULL;
	g_assert_cmpint(unlink(f.path), ==, 0);

	/* Too long */
	spec.path = (char *)"/tmp/"
			    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			    "xxxxxxxxxxxx";
	mon = qmp_monitor_new(&cfg, &qmp_test_target, &err);
	g_assert_null(mon);
	g_assert_nonnull(strstr(error_get_pretty(err), "longer than 107"));
	error_free(err);
	fx_fini(&f);
}

/**
 * test_inherited_fd() - fd=: an inherited listening socket, or an error naming
 * the fd
 */
static void test_inherited_fd(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct qmp_monitor_spec spec = { .chardev_id = (char *)"f0" };
	struct qmp_monitor_config cfg = { .specs = &spec, .n_specs = 1 };
	struct error *err = NULL;
	int fd, sv[2], pipefd[2];
	char want[64];
	struct tc c;
	struct fx f;

	fx_init(&f);
	g_strlcpy(addr.sun_path, f.path, sizeof(addr.sun_path));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==,
			0);
	g_assert_cmpint(listen(fd, 4), ==, 0);
	spec.fd = fd;
	f.mon = qmp_monitor_new(&cfg, &qmp_test_target, &err);
	g_assert_nonnull(f.mon);
	g_assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	g_assert_true(fcntl(fd, F_GETFL) & O_NONBLOCK);
	g_assert_true(qmp_monitor_start(f.mon, &err));
	tc_open(&c, f.path);
	tc_negotiate(&c);
	tc_close(&c);
	qmp_monitor_free(f.mon);
	f.mon = NULL;
	/* The monitor owned and closed it, and left the file to its owner */
	g_assert_cmpint(fcntl(fd, F_GETFD), ==, -1);
	g_assert_cmpint(unlink(f.path), ==, 0);

	/* Connected, not listening */
	g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
	spec.fd = sv[0];
	g_assert_null(qmp_monitor_new(&cfg, &qmp_test_target, &err));
	snprintf(want, sizeof(want), "fd %d is not a listening socket", sv[0]);
	g_assert_nonnull(strstr(error_get_pretty(err), want));
	error_free(err);
	err = NULL;
	/* Left to the caller on failure */
	g_assert_cmpint(fcntl(sv[0], F_GETFD), !=, -1);
	close(sv[0]);
	close(sv[1]);

	g_assert_cmpint(pipe(pipefd), ==, 0);
	spec.fd = pipefd[0];
	g_assert_null(qmp_monitor_new(&cfg, &qmp_test_target, &err));
	snprintf(want, sizeof(want), "fd %d is not a socket", pipefd[0]);
	g_assert_nonnull(strstr(error_get_pretty(err), want));
	error_free(err);
	close(pipefd[0]);
	close(pipefd[1]);
	fx_fini(&f);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/qmp/monitor/greeting", test_greeting);
	g_test_add_func("/qmp/monitor/negotiation", test_negotiation);
	g_test_add_func("/qmp/monitor/request-errors", test_request_errors);
	g_test_add_func("/qmp/monitor/id-echo", test_id_echo);
	g_test_add_func("/qmp/monitor/stream", test_stream);
	g_test_add_func("/qmp/monitor/parse-error", test_parse_error);
	g_test_add_func("/qmp/monitor/unicode", test_unicode);
	g_test_add_func("/qmp/monitor/oversized", test_oversized);
	g_test_add_func("/qmp/monitor/events", test_events);
	g_test_add_func("/qmp/monitor/events-threads", test_events_threads);
	g_test_add_func("/qmp/monitor/event-queue-bound",
			test_event_queue_bound);
	g_test_add_func("/qmp/monitor/stuck-client", test_stuck_client);
	g_test_add_func("/qmp/monitor/max-clients", test_max_clients);
	g_test_add_func("/qmp/monitor/free-delivers", test_free_delivers);
	g_test_add_func("/qmp/monitor/pretty", test_pretty);
	g_test_add_func("/qmp/monitor/socket-files", test_socket_files);
	g_test_add_func("/qmp/monitor/inherited-fd", test_inherited_fd);
	return g_test_run();
}
