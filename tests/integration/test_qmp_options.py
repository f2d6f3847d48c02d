# SPDX-License-Identifier: GPL-2.0-or-later
"""The monitor options, as qemu-storage-daemon takes them (docs/qmp.md):
--chardev socket,id=,path=|fd=, --monitor [chardev=]ID, --qmp unix:PATH.

Every accepted form gives a working monitor, several monitors each work, an
inherited listening socket works; every refused command line exits 2 with
one line on stderr naming the key at fault and leaves no socket file.
"""
import os
import re
import socket
import stat
import subprocess

import pytest

from qdtest.qmp import QMPClient
from qdtest.qmprun import make_image, program  # noqa: F401 (fixture)
from qdtest.qmpshape import check_event, check_version_info
from test_conventions import MiniFrontend


def sockets_in(directory):
    return sorted(p.name for p in directory.rglob("*") if stat.S_ISSOCK(p.lstat().st_mode))


def works(path):
    with QMPClient(path) as c:
        check_version_info(c.cmd("query-version"))


FORMS = {
    "qmp": ["--qmp=unix:{m},server=on,wait=off"],
    "qmp-defaults": ["--qmp", "unix:{m}"],
    "qmp-server-only": ["--qmp=unix:{m},server=on"],
    "chardev": ["--chardev", "socket,id=m0,path={m},server=on,wait=off", "--monitor", "chardev=m0"],
    "chardev-defaults": ["--chardev=socket,id=m0,path={m}", "--monitor=chardev=m0"],
    "monitor-implied-key": ["--chardev", "socket,id=m0,path={m}", "--monitor", "m0"],
    "monitor-all-keys": ["--chardev", "socket,id=m0,path={m},server=on,wait=off",
                         "--monitor", "chardev=m0,mode=control,pretty=off"],
    "monitor-first": ["--monitor", "chardev=m0", "--chardev", "socket,id=m0,path={m}"],
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_accepted_forms(program, short_tmp, form):
    m = short_tmp / "m.sock"
    p = program("blk", *[a.format(m=m) for a in FORMS[form]], monitor=None)
    works(m)
    assert p.backend.running()


def test_net_program_monitor(program, short_tmp):
    p = program("net", monitor="chardev")
    works(p.qmp_sock)


def test_several_monitors(program, short_tmp):
    """Three monitors: each serves clients, and each client gets the events."""
    socks = [short_tmp / f"m{i}.sock" for i in range(3)]
    p = program("blk", f"--qmp=unix:{socks[0]},server=on,wait=off",
                "--chardev", f"socket,id=a,path={socks[1]},server=on,wait=off",
                "--chardev", f"socket,id=b,path={socks[2]}",
                "--monitor", "chardev=b", "--monitor", "chardev=a", monitor=None)
    clients = [p.client(s) for s in socks]
    fe = MiniFrontend.connect(p.vu_sock)
    try:
        fe.get_features()
        for c in clients:
            check_event(c.wait_event("VHOST_USER_CONNECTED"), "VHOST_USER_CONNECTED")
    finally:
        fe.close()


def test_inherited_listening_socket(program, short_tmp):
    """fd=N: a listening socket a manager made; the file is the manager's, so
    it is left in place at exit."""
    path = short_tmp / "inherited-qmp.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(4)
    fd = listener.fileno()
    try:
        p = program("blk", "--chardev", f"socket,id=m0,fd={fd},server=on,wait=off",
                    "--monitor", "chardev=m0", monitor=None, pass_fds=(fd,))
    finally:
        listener.close()
    c = p.client(path)
    check_version_info(c.cmd("query-version"))
    c2 = p.client(path)
    check_version_info(c2.cmd("query-version"))
    assert c.cmd("quit") == {}
    c.recv_until_closed(5)
    assert p.wait_exit() == 0
    assert path.exists(), "the inherited socket's file was removed"


def test_stale_socket_file_replaced(program, short_tmp):
    """A socket file nobody listens on (a crashed run) is replaced."""
    m = short_tmp / "qmp.sock"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(m))
    s.close()
    p = program("blk")
    works(p.qmp_sock)


def run(argv):
    return subprocess.run([str(a) for a in argv], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=20)


def test_live_socket_refused(blk_binary, short_tmp):
    """A socket someone listens on is not taken over."""
    m = short_tmp / "qmp.sock"
    live = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    live.bind(str(m))
    live.listen(1)
    try:
        p = run([blk_binary, f"--socket-path={short_tmp}/vu.sock",
                 f"--blk-file={make_image(short_tmp / 'disk.img')}", f"--qmp=unix:{m}"])
        assert p.returncode != 0, "started on a live socket"
        assert len(p.stderr.strip().splitlines()) == 1, p.stderr
        assert str(m) in p.stderr or "qmp.sock" in p.stderr, p.stderr
        assert m.exists()
        assert not (short_tmp / "vu.sock").exists()
    finally:
        live.close()


def test_fd_not_a_socket(blk_binary, short_tmp):
    r, w = os.pipe()
    try:
        p = subprocess.run([str(blk_binary), f"--socket-path={short_tmp}/vu.sock",
                            f"--blk-file={make_image(short_tmp / 'disk.img')}",
                            "--chardev", f"socket,id=m0,fd={r}", "--monitor", "chardev=m0"],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=20, pass_fds=(r,))
    finally:
        os.close(r)
        os.close(w)
    assert p.returncode != 0
    assert len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert re.search(r"\bfd\b|socket", p.stderr), p.stderr
    assert sockets_in(short_tmp) == []


CHARDEV = "socket,id=m0,path={m},server=on,wait=off"
# (id, monitor arguments, what the one-line error must name: a regex)
MISUSE = [
    ("chardev-unknown-key", ["--chardev", CHARDEV + ",colour=blue", "--monitor", "m0"],
     "colour"),
    ("server-off", ["--chardev", "socket,id=m0,path={m},server=off", "--monitor", "m0"],
     "server"),
    ("wait-on", ["--chardev", "socket,id=m0,path={m},server=on,wait=on", "--monitor", "m0"],
     "wait"),
    ("server-bad-value", ["--chardev", "socket,id=m0,path={m},server=maybe", "--monitor", "m0"],
     "server"),
    ("chardev-no-id", ["--chardev", "socket,path={m}", "--monitor", "m0"], r"\bid\b"),
    ("chardev-no-path", ["--chardev", "socket,id=m0", "--monitor", "m0"], r"path|fd"),
    ("chardev-path-and-fd", ["--chardev", "socket,id=m0,path={m},fd=3", "--monitor", "m0"],
     r"path|fd"),
    ("chardev-bad-fd", ["--chardev", "socket,id=m0,fd=three", "--monitor", "m0"], r"fd|three"),
    ("chardev-not-socket", ["--chardev", "stdio,id=m0", "--monitor", "m0"], r"stdio|socket"),
    ("chardev-tcp", ["--chardev", "socket,id=m0,host=127.0.0.1,port=4444,server=on,wait=off",
                     "--monitor", "m0"], r"host|port|tcp"),
    ("chardev-duplicate-id", ["--chardev", CHARDEV, "--chardev",
                              "socket,id=m0,path={m}2", "--monitor", "m0"], "m0"),
    ("chardev-unused", ["--chardev", CHARDEV], "m0"),
    ("monitor-unknown-chardev", ["--chardev", CHARDEV, "--monitor", "chardev=m0",
                                 "--monitor", "chardev=nosuch"], "nosuch"),
    ("monitor-no-chardev", ["--chardev", CHARDEV, "--monitor", "pretty=on"], "chardev"),
    ("monitor-unknown-key", ["--chardev", CHARDEV, "--monitor", "chardev=m0,colour=x"],
     "colour"),
    ("monitor-bad-pretty", ["--chardev", CHARDEV, "--monitor", "chardev=m0,pretty=maybe"],
     "pretty"),
    ("monitor-mode-readline", ["--chardev", CHARDEV, "--monitor", "chardev=m0,mode=readline"],
     "mode"),
    ("qmp-tcp", ["--qmp", "tcp:127.0.0.1:4444,server=on,wait=off"], "tcp"),
    ("qmp-no-unix-prefix", ["--qmp", "{m},server=on,wait=off"], r"unix|qmp"),
    ("qmp-server-off", ["--qmp", "unix:{m},server=off"], "server"),
    ("qmp-wait-on", ["--qmp", "unix:{m},server=on,wait=on"], "wait"),
    ("qmp-unknown-key", ["--qmp", "unix:{m},colour=blue"], "colour"),
    ("qmp-empty-path", ["--qmp", "unix:"], r"path|unix|qmp"),
]


@pytest.mark.parametrize("kind", ["blk", "net"])
@pytest.mark.parametrize("args, names", [m[1:] for m in MISUSE], ids=[m[0] for m in MISUSE])
def test_option_errors(request, short_tmp, kind, args, names):
    """Exit status 2, one line on stderr naming the option's key, nothing left."""
    binary = request.getfixturevalue(f"{kind}_binary")
    argv = [binary, f"--socket-path={short_tmp}/vu.sock"]
    argv += ([f"--blk-file={make_image(short_tmp / 'disk.img')}"] if kind == "blk"
             else ["--netdev=null,id=n0"])
    argv += [a.format(m=short_tmp / "m.sock") for a in args]
    p = run(argv)
    assert p.returncode == 2, f"{args}: exit {p.returncode}\n{p.stderr}"
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, f"{args}: expected one line on stderr:\n{p.stderr}"
    assert re.search(names, lines[0]), f"{args}: the error does not name /{names}/: {lines[0]}"
    assert sockets_in(short_tmp) == [], f"{args} left a socket file"


def test_help_lists_monitor_options(blk_binary, net_binary):
    for binary in (blk_binary, net_binary):
        out = run([binary, "--help"]).stdout
        for opt in ("--chardev", "--monitor", "--qmp"):
            assert opt in out, f"{binary.name} --help lacks {opt}"
