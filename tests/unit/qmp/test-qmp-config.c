/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the monitor options: --chardev, --monitor and --qmp in the
 * forms qemu-storage-daemon takes, and every error naming its option and
 * key.
 *
 * Copyright (c) 2026 qemu-dev authors
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "qmp/monitor.h"

/**
 * parse() - Parse options that must be accepted
 * @cfg:	filled
 * @cds:	--chardev values, NULL-terminated
 * @mons:	--monitor values, NULL-terminated
 * @qmps:	--qmp values, NULL-terminated
 */
static void parse(struct qmp_monitor_config *cfg, const char *const *cds,
		  const char *const *mons, const char *const *qmps)
{
	unsigned int nc = 0, nm = 0, nq = 0;
	struct error *err = NULL;

	while (cds && cds[nc])
		nc++;
	while (mons && mons[nm])
		nm++;
	while (qmps && qmps[nq])
		nq++;
	if (!qmp_monitor_config_parse(cfg, cds, nc, mons, nm, qmps, nq, &err))
		g_error("refused: %s", error_get_pretty(err));
}

/**
 * refuse() - Check options are refused with exactly @msg
 * @cds:	--chardev values, NULL-terminated
 * @mons:	--monitor values, NULL-terminated
 * @qmps:	--qmp values, NULL-terminated
 * @msg:	expected error message
 */
static void refuse(const char *const *cds, const char *const *mons,
		   const char *const *qmps, const char *msg)
{
	struct qmp_monitor_config cfg = { (void *)1, 99 };
	unsigned int nc = 0, nm = 0, nq = 0;
	struct error *err = NULL;

	while (cds && cds[nc])
		nc++;
	while (mons && mons[nm])
		nm++;
	while (qmps && qmps[nq])
		nq++;
	g_assert_false(qmp_monitor_config_parse(&cfg, cds, nc, mons, nm, qmps,
						nq, &err));
	g_assert_nonnull(err);
	g_assert_cmpstr(error_get_pretty(err), ==, msg);
	g_assert_null(cfg.specs);
	g_assert_cmpuint(cfg.n_specs, ==, 0);
	error_free(err);
}

#define L(...) ((const char *const[]){ __VA_ARGS__, NULL })

/**
 * test_good() - The forms QEMU and libvirt write
 */
static void test_good(void)
{
	struct qmp_monitor_config cfg;

	parse(&cfg, L("socket,id=m0,path=/run/a.sock,server=on,wait=off"),
	      L("chardev=m0,mode=control,pretty=on"), NULL);
	g_assert_cmpuint(cfg.n_specs, ==, 1);
	g_assert_cmpstr(cfg.specs[0].chardev_id, ==, "m0");
	g_assert_cmpstr(cfg.specs[0].path, ==, "/run/a.sock");
	g_assert_cmpint(cfg.specs[0].fd, ==, -1);
	g_assert_true(cfg.specs[0].pretty);
	qmp_monitor_config_free(&cfg);

	/* Implied keys, defaults and QEMU's legacy short forms */
	parse(&cfg, L("socket,id=m0,path=/a,server,nowait"), L("m0"), NULL);
	g_assert_cmpuint(cfg.n_specs, ==, 1);
	g_assert_false(cfg.specs[0].pretty);
	qmp_monitor_config_free(&cfg);
	parse(&cfg, L("backend=socket,id=m0,path=/a"),
	      L("m0,pretty=yes,id=mon0"), NULL);
	g_assert_true(cfg.specs[0].pretty);
	qmp_monitor_config_free(&cfg);

	/* fd=, ",," in a path, several monitors in order */
	parse(&cfg, L("socket,id=b,fd=3", "socket,id=a,path=/x,,y"),
	      L("chardev=a,pretty=off", "b"),
	      L("unix:/q0,server=on,wait=off", "unix:/q,,1=x"));
	g_assert_cmpuint(cfg.n_specs, ==, 4);
	g_assert_cmpstr(cfg.specs[0].chardev_id, ==, "a");
	g_assert_cmpstr(cfg.specs[0].path, ==, "/x,y");
	g_assert_cmpstr(cfg.specs[1].chardev_id, ==, "b");
	g_assert_null(cfg.specs[1].path);
	g_assert_cmpint(cfg.specs[1].fd, ==, 3);
	g_assert_cmpstr(cfg.specs[2].chardev_id, ==, "qmp0");
	g_assert_cmpstr(cfg.specs[2].path, ==, "/q0");
	g_assert_cmpstr(cfg.specs[3].chardev_id, ==, "qmp1");
	g_assert_cmpstr(cfg.specs[3].path, ==, "/q,1=x");
	qmp_monitor_config_free(&cfg);

	/* Nothing asked: no monitor */
	parse(&cfg, NULL, NULL, NULL);
	g_assert_cmpuint(cfg.n_specs, ==, 0);
	g_assert_null(cfg.specs);
	qmp_monitor_config_free(&cfg);
}

/**
 * test_path_length() - A path of the longest length a socket address holds
 */
static void test_path_length(void)
{
	char opt[300], path[200];
	struct qmp_monitor_config cfg;

	memset(path, 'p', sizeof(path));
	path[0] = '/';
	path[107] = '\0';
	snprintf(opt, sizeof(opt), "socket,id=m,path=%s", path);
	parse(&cfg, L(opt), L("m"), NULL);
	g_assert_cmpuint(strlen(cfg.specs[0].path), ==, 107);
	qmp_monitor_config_free(&cfg);

	path[107] = 'p';
	path[108] = '\0';
	snprintf(opt, sizeof(opt), "socket,id=m,path=%s", path);
	refuse(L(opt), L("m"), NULL,
	       "--chardev 'm': path is longer than 107 bytes");
	snprintf(opt, sizeof(opt), "unix:%s", path);
	refuse(NULL, NULL, L(opt), "--qmp: path is longer than 107 bytes");
}

/**
 * test_chardev_errors() - --chardev errors
 */
static void test_chardev_errors(void)
{
	refuse(L("pty,id=x"), L("x"), NULL,
	       "--chardev 'x': backend 'pty' is not supported (only socket)");
	refuse(L("id=x,path=/a"), L("x"), NULL,
	       "--chardev 'x': no back-end type (socket)");
	refuse(L("socket,id=x,host=localhost,port=4444"), L("x"), NULL,
	       "--chardev 'x': unknown key 'host'");
	refuse(L("socket,host=localhost"), NULL, NULL,
	       "--chardev: unknown key 'host'");
	refuse(L("socket,id=x,path=/a,telnet=on"), L("x"), NULL,
	       "--chardev 'x': unknown key 'telnet'");
	refuse(L("socket,id=x,path=/a,reconnect=1"), L("x"), NULL,
	       "--chardev 'x': unknown key 'reconnect'");
	refuse(L("socket,id=x,path=/a,nodelay"), L("x"), NULL,
	       "--chardev 'x': unknown key 'nodelay'");
	refuse(L("socket,id=x,path=/a,server=off"), L("x"), NULL,
	       "--chardev 'x': server=off is not supported: the monitor "
	       "listens");
	refuse(L("socket,id=x,path=/a,noserver"), L("x"), NULL,
	       "--chardev 'x': server=off is not supported: the monitor "
	       "listens");
	refuse(L("socket,id=x,path=/a,wait=on"), L("x"), NULL,
	       "--chardev 'x': wait=on is not supported: the monitor does "
	       "not wait for a client");
	refuse(L("socket,id=x,path=/a,server=maybe"), L("x"), NULL,
	       "--chardev 'x': server: 'maybe' is not on or off");
	refuse(L("socket,path=/a"), NULL, NULL, "--chardev: id= is missing");
	refuse(L("socket,id=1x,path=/a"), L("1x"), NULL,
	       "--chardev: id '1x' is invalid: a letter, then letters, "
	       "digits, '-', '.', '_'");
	refuse(L("socket,id=x"), L("x"), NULL,
	       "--chardev 'x': exactly one of path= and fd= is needed");
	refuse(L("socket,id=x,path=/a,fd=3"), L("x"), NULL,
	       "--chardev 'x': exactly one of path= and fd= is needed");
	refuse(L("socket,id=x,fd=abc"), L("x"), NULL,
	       "--chardev 'x': fd: 'abc' is not a file descriptor number");
	refuse(L("socket,id=x,fd=-1"), L("x"), NULL,
	       "--chardev 'x': fd: '-1' is not a file descriptor number");
	refuse(L("socket,id=x,fd="), L("x"), NULL,
	       "--chardev 'x': fd: '' is not a file descriptor number");
	refuse(L("socket,id=x,path="), L("x"), NULL,
	       "--chardev 'x': path is empty");
	refuse(L("socket,id=x,path=/a,path=/b"), L("x"), NULL,
	       "--chardev 'x': key 'path' is given twice");
	refuse(L("socket,id=x,path=/a,"), L("x"), NULL,
	       "--chardev: empty element");
	/* ",," is a comma inside an element: this is key "socket,id" */
	refuse(L("socket,,id=x,path=/a"), L("x"), NULL,
	       "--chardev: unknown key 'socket,id'");
	refuse(L("socket,id=x,path=/a", "socket,id=x,path=/b"), L("x"), NULL,
	       "--chardev: id 'x' is used twice");
	refuse(L("socket,id=x,path=/a", "socket,id=y,path=/a"), L("x", "y"),
	       NULL, "--chardev 'y': path /a is also the one of --chardev 'x'");
	refuse(L("socket,id=x,fd=5", "socket,id=y,fd=5"), L("x", "y"), NULL,
	       "--chardev 'y': fd 5 is also the one of --chardev 'x'");
	refuse(L("socket,id=x,path=/a"), NULL, NULL,
	       "--chardev 'x': no --monitor uses it");
}

/**
 * test_monitor_errors() - --monitor errors
 */
static void test_monitor_errors(void)
{
	const char *const *cd = L("socket,id=x,path=/a");

	refuse(cd, L("chardev=y"), NULL, "--monitor: no --chardev with id 'y'");
	refuse(cd, L("x", "chardev=x"), NULL,
	       "--monitor: --chardev 'x' is used by another monitor");
	refuse(cd, L("x,pretty=maybe"), NULL,
	       "--monitor: pretty: 'maybe' is not on or off");
	refuse(cd, L("x,mode=readline"), NULL,
	       "--monitor: mode=readline is not supported (only control)");
	refuse(cd, L("x,foo=1"), NULL, "--monitor: unknown key 'foo'");
	refuse(cd, L("x,chardev=x"), NULL,
	       "--monitor: key 'chardev' is given twice");
	refuse(cd, L("mode=control"), NULL, "--monitor: chardev= is missing");
	refuse(cd, L(""), NULL, "--monitor: chardev= is missing");
}

/**
 * test_qmp_errors() - --qmp errors
 */
static void test_qmp_errors(void)
{
	refuse(NULL, NULL, L("tcp:localhost:4444,server=on"),
	       "--qmp: 'tcp:' addresses are not supported (only unix:PATH)");
	refuse(NULL, NULL, L("stdio"),
	       "--qmp: 'stdio' is not supported (only unix:PATH)");
	refuse(NULL, NULL, L("unix:"), "--qmp: unix: needs a path");
	refuse(NULL, NULL, L("unix:/a,server=off"),
	       "--qmp: server=off is not supported: the monitor listens");
	refuse(NULL, NULL, L("unix:/a,wait=on"),
	       "--qmp: wait=on is not supported: the monitor does not wait "
	       "for a client");
	refuse(NULL, NULL, L("unix:/a,telnet=on"),
	       "--qmp: unknown key 'telnet'");
	refuse(NULL, NULL, L("unix:/a,fd=3"), "--qmp: unknown key 'fd'");
	refuse(L("socket,id=qmp0,path=/a"), L("qmp0"), L("unix:/b"),
	       "--qmp: its chardev id 'qmp0' is taken by a --chardev");
	refuse(L("socket,id=x,path=/a"), L("x"), L("unix:/a"),
	       "--qmp 'qmp0': path /a is also the one of --chardev 'x'");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/qmp/config/good", test_good);
	g_test_add_func("/qmp/config/path-length", test_path_length);
	g_test_add_func("/qmp/config/chardev-errors", test_chardev_errors);
	g_test_add_func("/qmp/config/monitor-errors", test_monitor_errors);
	g_test_add_func("/qmp/config/qmp-errors", test_qmp_errors);
	return g_test_run();
}
