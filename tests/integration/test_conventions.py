# SPDX-License-Identifier: GPL-2.0-or-later
"""qemu-dev-vhost-user-blk follows vhost-user.rst's back-end program conventions.

Command line (--print-capabilities, --help, --version, one-line errors),
--socket-path and --fd (listening or connected), one front-end at a time, and
a prompt clean exit on SIGTERM/SIGINT. The front-end side is a minimal
vhost-user client written here in Python, so these tests need nothing but the
binary.
"""
import json
import os
import re
import signal
import socket
import stat
import struct
import subprocess
import time

import pytest

from qdtest.prereq import missing

VHOST_USER_GET_FEATURES = 1
VHOST_USER_VERSION = 0x1
VHOST_USER_REPLY = 0x4
VIRTIO_F_VERSION_1 = 32
VHOST_USER_F_PROTOCOL_FEATURES = 30
HEADER = struct.Struct("=III")    # request, flags, size: host-native endian
CAPABILITIES = {"type": "block", "features": ["read-only", "blk-file"]}
TIMEOUT = 10.0


class MiniFrontend:
    """Just enough of a vhost-user front-end to exchange one message."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.sock.settimeout(TIMEOUT)

    @classmethod
    def connect(cls, path):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(TIMEOUT)
        sock.connect(str(path))
        return cls(sock)

    def send(self, request: int, payload: bytes = b""):
        self.sock.sendall(HEADER.pack(request, VHOST_USER_VERSION, len(payload)) + payload)

    def _recv_exactly(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise EOFError(f"connection closed after {len(data)} of {n} bytes")
            data += chunk
        return data

    def recv(self):
        """(request, flags, payload) of the next message."""
        request, flags, size = HEADER.unpack(self._recv_exactly(HEADER.size))
        assert size <= 4096, f"reply payload of {size} bytes"
        return request, flags, self._recv_exactly(size)

    def get_features(self) -> int:
        """GET_FEATURES, with the reply checked against vhost-user.rst."""
        self.send(VHOST_USER_GET_FEATURES)
        request, flags, payload = self.recv()
        assert request == VHOST_USER_GET_FEATURES, f"reply to request {request}"
        assert flags == VHOST_USER_VERSION | VHOST_USER_REPLY, f"reply flags {flags:#x}"
        assert len(payload) == 8, f"GET_FEATURES reply of {len(payload)} bytes"
        features = struct.unpack("=Q", payload)[0]
        assert features & (1 << VIRTIO_F_VERSION_1), f"no VERSION_1 in {features:#x}"
        assert features & (1 << VHOST_USER_F_PROTOCOL_FEATURES), \
            f"no PROTOCOL_FEATURES in {features:#x}"
        return features

    def closed_by_peer(self, timeout=5.0) -> bool:
        """True if the peer closes the connection within @timeout."""
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False

    def close(self):
        self.sock.close()


@pytest.fixture
def image(short_tmp):
    path = short_tmp / "disk.img"
    with open(path, "wb") as f:
        f.truncate(1 << 20)
    return path


def run(argv, pass_fds=()):
    """Run to completion (bounded); returns the CompletedProcess."""
    return subprocess.run([str(a) for a in argv], stdin=subprocess.DEVNULL,
                          capture_output=True, pass_fds=pass_fds, timeout=TIMEOUT)


def sockets_in(directory):
    return [p.name for p in directory.iterdir() if stat.S_ISSOCK(p.lstat().st_mode)]


def listening_socket(path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    sock.listen(1)
    return sock


@pytest.mark.parametrize("extra", [
    [],
    ["--socket-path={tmp}/vu.sock", "--blk-file={img}"],
    ["--socket-path={tmp}/vu.sock", "--num-queues=0", "--bogus"],
], ids=["alone", "with-options", "with-bad-options"])
def test_print_capabilities(blk_binary, short_tmp, image, extra):
    args = [a.format(tmp=short_tmp, img=image) for a in extra]
    for argv in ([blk_binary, "--print-capabilities", *args],
                 [blk_binary, *args, "--print-capabilities"]):
        p = run(argv)
        assert p.returncode == 0, p.stderr.decode()
        assert json.loads(p.stdout) == CAPABILITIES, p.stdout.decode()
        assert not sockets_in(short_tmp), f"{argv} created a socket"


@pytest.mark.parametrize("option, expect", [("--help", "--blk-file"),
                                            ("--version", "")])
def test_help_version(blk_binary, option, expect):
    p = run([blk_binary, option])
    assert p.returncode == 0, p.stderr.decode()
    assert p.stdout.strip() and expect in p.stdout.decode(), p.stdout.decode()


# (id, arguments, the fd "{fd}" stands for, what the error must name: a regex)
SOCK = "--socket-path={tmp}/vu.sock"
IMG = "--blk-file={img}"
MISUSE = [
    ("no-socket", [IMG], None, r"socket-path|--fd"),
    ("socket-and-fd", [SOCK, "--fd={fd}", IMG], "listening", r"socket-path|--fd"),
    ("unknown-option", [SOCK, IMG, "--bogus"], None, "bogus"),
    ("bad-number", [SOCK, IMG, "--num-queues=two"], None, "num-queues"),
    ("number-out-of-range", [SOCK, IMG, "--num-queues=0"], None, "num-queues"),
    ("bad-fd-number", ["--fd=x3", IMG], None, r"fd|x3"),
    ("no-blk-file", [SOCK], None, "blk-file"),
    ("missing-blk-file", [SOCK, "--blk-file={tmp}/nonexistent.img"], None,
     "nonexistent.img"),
    ("fd-not-a-socket", ["--fd={fd}", IMG], "pipe", r"\bfd\b|socket"),
]


@pytest.mark.parametrize("args, fd_kind, names", [m[1:] for m in MISUSE],
                         ids=[m[0] for m in MISUSE])
def test_misuse(blk_binary, short_tmp, image, args, fd_kind, names):
    """A command line that cannot work: one line on stderr naming the problem,
    non-zero exit, no socket file."""
    keep = fd = None
    if fd_kind == "listening":
        keep = listening_socket(short_tmp / "inherited.sock")
        fd = keep.fileno()
    elif fd_kind == "pipe":
        fd, w = os.pipe()
        os.close(w)
    args = [a.format(tmp=short_tmp, img=image, fd=fd) for a in args]
    try:
        p = run([blk_binary, *args], pass_fds=() if fd is None else (fd,))
    finally:
        if keep:
            keep.close()
            (short_tmp / "inherited.sock").unlink()
        elif fd is not None:
            os.close(fd)
    err = p.stderr.decode(errors="replace")
    assert p.returncode != 0, f"{args} exited 0"
    assert len(err.splitlines()) == 1 and err.strip(), \
        f"{args}: expected one line on stderr, got:\n{err}"
    assert re.search(names, err), f"{args}: the error does not name /{names}/: {err}"
    assert not sockets_in(short_tmp), f"{args} left a socket file"


def wait_log_match(backend, pattern, timeout=5.0) -> bool:
    """Wait until the back-end's log matches @pattern (case-insensitive)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if re.search(pattern, backend.log(), re.I):
            return True
        time.sleep(0.05)
    return False


def start(backend_factory, blk_binary, sock, image, *extra):
    b = backend_factory([blk_binary, f"--socket-path={sock}", f"--blk-file={image}", *extra],
                        socket=sock)
    b.wait_socket()
    return b


def test_socket_path(blk_binary, short_tmp, image, backend_factory):
    sock = short_tmp / "vu.sock"
    start(backend_factory, blk_binary, sock, image)
    for _ in range(2):      # the back-end keeps serving after a front-end leaves
        fe = MiniFrontend.connect(sock)
        fe.get_features()
        fe.close()


def test_fd_listening(blk_binary, short_tmp, image, backend_factory):
    """--fd=N with a listening socket: front-ends connect to it."""
    path = short_tmp / "inherited.sock"
    listener = listening_socket(path)
    fd = listener.fileno()
    backend = backend_factory([blk_binary, f"--fd={fd}", f"--blk-file={image}"],
                              pass_fds=(fd,))
    listener.close()
    for _ in range(2):      # the back-end keeps serving after a front-end leaves
        fe = MiniFrontend.connect(path)
        fe.get_features()
        fe.close()
    rc, seconds = backend.terminate()
    assert rc == 0 and seconds < 1.0, \
        f"exit {rc} after {seconds:.2f}s\n{backend.log_path.read_text()}"


def test_fd_connected(blk_binary, image, backend_factory):
    """--fd=N with an already connected socket: that is the one session, and
    the back-end ends when the front-end leaves."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    backend = backend_factory([blk_binary, f"--fd={theirs.fileno()}", f"--blk-file={image}"],
                              pass_fds=(theirs.fileno(),))
    theirs.close()
    fe = MiniFrontend(ours)
    fe.get_features()
    fe.get_features()
    fe.close()
    try:
        rc = backend.proc.wait(5)
    except subprocess.TimeoutExpired:
        pytest.fail(f"back-end still running 5 s after its only front-end left\n{backend.log()}")
    assert rc == 0, f"exit {rc} after the front-end left\n{backend.log()}"


def bench_tool(build_dir):
    path = build_dir / "tests" / "frontend" / "qd-frontend"
    return path if path.exists() else None


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.parametrize("load", ["idle", "connected", "busy"])
def test_signal_exit(blk_binary, build_dir, short_tmp, image, backend_factory, sig, load):
    """SIGTERM/SIGINT: exit 0 within 1 s and remove the socket file, idle, with a
    front-end connected, and with one doing I/O (qd-frontend bench)."""
    sock = short_tmp / "vu.sock"
    backend = start(backend_factory, blk_binary, sock, image)
    fe = bench = None
    if load == "connected":
        fe = MiniFrontend.connect(sock)
        fe.get_features()
    elif load == "busy":
        tool = bench_tool(build_dir)
        if not tool:
            missing("tests/frontend/qd-frontend was not built")
        bench_log = open(short_tmp / "bench.log", "wb")
        bench = subprocess.Popen([tool, "bench", "--socket", sock, "--rw", "randwrite",
                                  "--iodepth", "32", "--runtime", "5"],
                                 stdout=bench_log, stderr=subprocess.STDOUT)
        time.sleep(1.0)
        assert bench.poll() is None, \
            f"qd-frontend bench ended early:\n{(short_tmp / 'bench.log').read_text()}"
    try:
        rc, seconds = backend.terminate(sig)
        log = backend.log_path.read_text(errors="replace")
        assert rc == 0, f"exit status {rc} on {sig.name} ({load})\n{log}"
        assert seconds < 1.0, f"{sig.name} ({load}) took {seconds:.2f}s\n{log}"
        assert not sock.exists(), f"socket file left after {sig.name} ({load})"
        if fe:
            assert fe.closed_by_peer(), "front-end connection still open"
    finally:
        if fe:
            fe.close()
        if bench:
            if bench.poll() is None:
                bench.kill()
            bench.wait()
            bench_log.close()


def test_second_frontend_refused(blk_binary, short_tmp, image, backend_factory):
    """While one front-end is connected a second one is refused (its connection
    is closed), the first one keeps working, and the log says why."""
    sock = short_tmp / "vu.sock"
    backend = start(backend_factory, blk_binary, sock, image)
    first = MiniFrontend.connect(sock)
    first.get_features()
    second = MiniFrontend.connect(sock)
    try:
        try:
            second.send(VHOST_USER_GET_FEATURES)
        except (BrokenPipeError, ConnectionResetError):
            pass        # already closed: refused
        assert second.closed_by_peer(), "second front-end was not disconnected"
        first.get_features()
        assert wait_log_match(backend, r"refus|reject|already|busy|another"), \
            f"the log does not mention the refused front-end:\n{backend.log()}"
    finally:
        first.close()
        second.close()
