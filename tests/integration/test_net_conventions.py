# SPDX-License-Identifier: GPL-2.0-or-later
"""qemu-dev-vhost-user-net follows the back-end program conventions too.

--print-capabilities ({"type": "net"} with the netdev types compiled in),
--help, one-line errors for a command line or a --netdev that cannot work, a
prompt clean exit on SIGTERM with the per-pair counters in the log, and the
second front-end refused while one is connected.
"""
import json
import re
import signal
import subprocess

import pytest

from test_conventions import MiniFrontend, sockets_in

CAPABILITIES = {"type": "net", "features": [
    "mq", "mtu", "mac", "netdev-tap", "netdev-user", "netdev-stream",
    "netdev-dgram", "netdev-null", "netdev-loopback"]}


def run(argv):
    return subprocess.run([str(a) for a in argv], capture_output=True, timeout=20)


def test_print_capabilities(net_binary, short_tmp):
    for argv in ([net_binary, "--print-capabilities"],
                 [net_binary, f"--socket-path={short_tmp}/vu.sock", "--netdev=bogus",
                  "--print-capabilities"]):
        p = run(argv)
        assert p.returncode == 0, p.stderr.decode()
        assert json.loads(p.stdout) == CAPABILITIES, p.stdout.decode()
    assert not sockets_in(short_tmp)


def test_help_lists_net_options(net_binary):
    p = run([net_binary, "--help"])
    assert p.returncode == 0
    for opt in ("--netdev", "--mac", "--mtu", "--queues", "--poll-max-us"):
        assert opt in p.stdout.decode(), opt


SOCK = "--socket-path={tmp}/vu.sock"
# (id, arguments, exit status (2: usage), what the one-line error must name)
MISUSE = [
    ("no-netdev", [SOCK], 2, "--netdev"),
    ("multicast-mac", [SOCK, "--netdev=null,id=n0", "--mac=01:00:5e:00:00:01"], 2, "--mac"),
    ("bad-mac", [SOCK, "--netdev=null,id=n0", "--mac=52:54:00:12:34"], 2, "--mac"),
    ("zero-queues", [SOCK, "--netdev=null,id=n0", "--queues=0"], 2, "queues"),
    ("mtu-too-small", [SOCK, "--netdev=null,id=n0", "--mtu=60"], 2, "mtu"),
    ("unknown-type", [SOCK, "--netdev=bogus,id=n0"], 1, r"bogus.*null|null.*bogus"),
    ("no-id", [SOCK, "--netdev=null"], 1, r"\bid\b"),
    ("unknown-key", [SOCK, "--netdev=null,id=n0,colour=blue"], 1, "colour"),
    ("stream-refused", [SOCK, "--netdev=stream,id=n0,server=off,addr.type=unix,"
                        "addr.path={tmp}/nobody.sock"], 1, r"n0.*nobody\.sock|nobody\.sock.*n0"),
    ("bad-port", [SOCK, "--netdev=dgram,id=n0,local.type=inet,local.host=127.0.0.1,"
                  "local.port=99999"], 1, "port"),
]


@pytest.mark.parametrize("args, status, names", [m[1:] for m in MISUSE],
                         ids=[m[0] for m in MISUSE])
def test_misuse(net_binary, short_tmp, args, status, names):
    """One line on stderr naming the problem, the expected exit status, no
    socket file left behind."""
    argv = [a.format(tmp=short_tmp) for a in args]
    p = run([net_binary, *argv])
    err = p.stderr.decode(errors="replace")
    assert p.returncode == status, f"{argv}: exit {p.returncode}\n{err}"
    assert len(err.strip().splitlines()) == 1, f"{argv}: expected one line:\n{err}"
    assert re.search(names, err), f"{argv}: the error does not name /{names}/: {err}"
    assert not sockets_in(short_tmp), f"{argv} left a socket file"


@pytest.mark.parametrize("netdev", ["null,id=n0", "loopback,id=n0"])
def test_sigterm_exit_with_counters(net_binary, short_tmp, backend_factory, netdev):
    sock = short_tmp / "vu.sock"
    backend = backend_factory([net_binary, f"--socket-path={sock}", f"--netdev={netdev}",
                               "--queues=2"], socket=sock)
    backend.wait_socket()
    fe = MiniFrontend.connect(sock)
    fe.get_features()
    rc, seconds = backend.terminate(signal.SIGTERM)
    log = backend.log_path.read_text(errors="replace")
    fe.close()
    assert rc == 0 and seconds < 1.0, f"rc {rc} after {seconds:.2f}s\n{log}"
    assert not sock.exists()
    for pair in (0, 1):
        assert re.search(rf"pair {pair}: rx_frames=0 .*tx_frames=0 ", log), log


def test_second_frontend_refused(net_binary, short_tmp, backend_factory):
    sock = short_tmp / "vu.sock"
    backend = backend_factory([net_binary, f"--socket-path={sock}", "--netdev=null,id=n0"],
                              socket=sock)
    backend.wait_socket()
    first = MiniFrontend.connect(sock)
    first.get_features()
    second = MiniFrontend.connect(sock)
    try:
        assert second.closed_by_peer(), "second front-end was not refused"
        first.get_features()
    finally:
        first.close()
        second.close()
