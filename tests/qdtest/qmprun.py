# SPDX-License-Identifier: GPL-2.0-or-later
"""Run our programs with a QMP monitor, and the test front-end's watch-config.

Shared by the test_qmp_*.py suites: start_program() starts
qemu-dev-vhost-user-blk or -net with one monitor (--qmp, or --chardev plus
--monitor) and waits for both sockets; Program.client() opens QMP clients
that are closed at teardown; WatchConfig runs `qd-frontend watch-config` in
the background and reads its lines as they come.
"""
import os
import re
import selectors
import subprocess
import time
from pathlib import Path

import pytest

from qdtest.qmp import QMPClient

IMAGE_SIZE = 64 << 20
SECTOR = 512


def make_image(path: Path, size=IMAGE_SIZE) -> Path:
    """A sparse raw image."""
    with open(path, "wb") as f:
        f.truncate(size)
    return path


def program_version(binary) -> tuple:
    """(major, minor, micro) from `BINARY --version` ("NAME X.Y.Z")."""
    out = subprocess.run([str(binary), "--version"], capture_output=True, text=True,
                         timeout=10).stdout
    m = re.search(r"(\d+)\.(\d+)\.(\d+)", out)
    assert m, f"no version in {out!r}"
    return tuple(int(x) for x in m.groups())


class Program:
    """One of our programs, started with a QMP monitor."""

    def __init__(self, backend, kind, vu_sock, qmp_sock, image=None, netdev_id=None):
        self.backend = backend
        self.kind = kind            # "blk" or "net"
        self.vu_sock = vu_sock      # the vhost-user socket
        self.qmp_sock = qmp_sock    # the (first) monitor's socket
        self.image = image
        self.netdev_id = netdev_id
        self.name = f"qemu-dev-vhost-user-{kind}"
        self.clients = []

    def client(self, path=None, negotiate=True, timeout=5.0) -> QMPClient:
        c = QMPClient(path or self.qmp_sock, timeout=timeout, negotiate=negotiate)
        self.clients.append(c)
        return c

    def wait_exit(self, timeout=5.0) -> int:
        try:
            return self.backend.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{self.name} still running after {timeout}s:\n"
                                 f"{self.backend.log()}")

    def close(self):
        for c in self.clients:
            c.close()
        self.clients = []


def start_program(backend_factory, binary, kind, workdir: Path, *extra, monitor="qmp",
                  image=None, netdev="null,id=n0", pass_fds=(), wait=True):
    """Start @binary (@kind "blk" or "net") with a monitor: "qmp" (--qmp
    unix:...), "chardev" (--chardev and --monitor) or None (only @extra)."""
    vu = workdir / "vu.sock"
    qmp = workdir / "qmp.sock"
    argv = [binary, f"--socket-path={vu}"]
    netdev_id = None
    if kind == "blk":
        if image is None:
            image = make_image(workdir / "disk.img")
        argv.append(f"--blk-file={image}")
    else:
        argv.append(f"--netdev={netdev}")
        m = re.search(r"\bid=([^,]+)", netdev)
        netdev_id = m.group(1) if m else None
    if monitor == "qmp":
        argv.append(f"--qmp=unix:{qmp},server=on,wait=off")
    elif monitor == "chardev":
        argv += ["--chardev", f"socket,id=m0,path={qmp},server=on,wait=off",
                 "--monitor", "chardev=m0"]
    argv += list(extra)
    b = backend_factory(argv, socket=vu, name=kind, pass_fds=pass_fds)
    if wait:
        b.wait_socket()
    return Program(b, kind, vu, qmp if monitor else None, image, netdev_id)


class WatchConfig:
    """`qd-frontend watch-config` in the background: it connects, sets
    DRIVER_OK, prints the config ("CONFIG ...") and READY, then a line per
    config change ("CONFIG-CHANGE ...") until its stdin closes."""

    def __init__(self, tool, sock, device, *opts, workdir: Path):
        self.err_path = Path(workdir) / f"watch-{time.monotonic_ns()}.err"
        self._err = open(self.err_path, "wb")
        self.argv = [str(tool), "watch-config", "--socket", str(sock), "--device", device,
                     *[str(o) for o in opts]]
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._err)
        os.set_blocking(self.proc.stdout.fileno(), False)
        self._sel = selectors.DefaultSelector()
        self._sel.register(self.proc.stdout, selectors.EVENT_READ)
        self._buf = b""
        self.lines = []     # every line read so far
        self._next = 0      # the first line wait_line() has not consumed
        self.eof = False

    def stderr(self) -> str:
        self._err.flush()
        return self.err_path.read_text(errors="replace")

    def _read(self, deadline) -> bool:
        left = deadline - time.monotonic()
        if left <= 0 or not self._sel.select(left):
            return False
        data = self.proc.stdout.read(65536)
        if data is None:
            return True
        if not data:
            self.eof = True
            return True
        self._buf += data
        *done, self._buf = self._buf.split(b"\n")
        self.lines += [d.decode(errors="replace").rstrip("\r") for d in done]
        return True

    def wait_line(self, prefix, timeout=5.0) -> str:
        """The next line starting with @prefix (lines before it are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            while self._next < len(self.lines):
                line = self.lines[self._next]
                self._next += 1
                if line.startswith(prefix):
                    return line
            if self.eof:
                raise AssertionError(f"watch-config ended without a {prefix!r} line "
                                     f"(exit {self.proc.poll()}): {self.lines}\n{self.stderr()}")
            if not self._read(deadline):
                raise TimeoutError(f"no {prefix!r} line from watch-config within {timeout}s: "
                                   f"{self.lines}\n{self.stderr()}")

    def seen(self, prefix) -> str:
        """The first line read so far that starts with @prefix."""
        for line in self.lines:
            if line.startswith(prefix):
                return line
        raise AssertionError(f"no {prefix!r} line from watch-config: {self.lines}")

    def no_line(self, prefix, timeout=0.5) -> bool:
        """True if no line starting with @prefix comes within @timeout."""
        try:
            self.wait_line(prefix, timeout)
            return False
        except TimeoutError:
            return True
        except AssertionError:
            return True

    def wait_exit(self, timeout=5.0) -> int:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"watch-config still running after {timeout}s")

    def stop(self, timeout=5.0) -> int:
        """Close its stdin (it then disconnects) and wait; the exit status."""
        if self.proc.stdin and not self.proc.stdin.closed:
            try:
                self.proc.stdin.close()
            except BrokenPipeError:
                pass
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"watch-config ignored EOF on stdin for {timeout}s")
        finally:
            self._sel.close()
            self.proc.stdout.close()
            self._err.close()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if not self._err.closed:
            self._sel.close()
            self.proc.stdout.close()
            self._err.close()


# ---------------------------------------------------------------- fixtures
# Import them into a test module: from qdtest.qmprun import program, watch


@pytest.fixture
def program(request, backend_factory, short_tmp):
    """start(kind, *extra, **kw): start_program() for "blk" or "net"; the
    binary is looked up only then, so a blk test does not need the net one."""
    started = []

    def start(kind, *extra, **kw):
        binary = request.getfixturevalue(f"{kind}_binary")
        workdir = short_tmp
        if started:     # a directory of its own: the socket names are fixed
            workdir = short_tmp / f"p{len(started)}"
            workdir.mkdir()
        p = start_program(backend_factory, binary, kind, workdir, *extra, **kw)
        started.append(p)
        return p

    yield start
    for p in started:
        p.close()


@pytest.fixture
def watch(request, short_tmp):
    """start(sock, device, *opts): a WatchConfig, killed at teardown."""
    started = []

    def start(sock, device, *opts):
        tool = request.getfixturevalue("frontend_tool")
        w = WatchConfig(tool, sock, device, *opts, workdir=short_tmp)
        started.append(w)
        return w

    yield start
    for w in started:
        w.kill()
