# SPDX-License-Identifier: GPL-2.0-or-later
"""FLUSH reaches stable storage: the back-end calls fdatasync on the image.

With --aio=sync the engine's syscalls are visible to strace (io_uring's
IORING_OP_FSYNC is not), so this watches the synchronous engine; the io_uring
engine's FLUSH is covered by the unit tests of the request path.
"""
import os
import re
import shutil
import subprocess

from qdtest.prereq import missing


def run_traced(blk_binary, frontend_tool, backend_factory, short_tmp, extra):
    if not shutil.which("strace"):
        missing("strace is not installed (Debian: strace)")
    img = short_tmp / "disk.img"
    img.write_bytes(b"\0" * (16 << 20))
    sock = short_tmp / "s.sock"
    trace = short_tmp / "trace"
    # LeakSanitizer cannot run under ptrace: leaks are checked by every other
    # suite, not by this traced process.
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
    be = backend_factory([blk_binary, f"--socket-path={sock}", f"--blk-file={img}",
                          "--aio=sync", *extra], socket=sock, name="traced", env=env)
    be.wait_socket()
    # Attach to the running back-end: its queue workers start later, and -f
    # follows them. Wait until strace is attached before any I/O.
    tracer = subprocess.Popen(["strace", "-f", "-e", "trace=fdatasync,fsync",
                               "-o", str(trace), "-p", str(be.serving_pid())],
                              stderr=subprocess.PIPE, text=True)
    try:
        assert "attached" in tracer.stderr.readline()
        res = subprocess.run([str(frontend_tool), "verify", "--socket", str(sock),
                              "--ops", "200"], capture_output=True, text=True,
                             timeout=120)
        assert res.returncode == 0, res.stdout + res.stderr
        rc, _ = be.terminate(timeout=30)
        assert rc == 0, be.log()
        tracer.wait(timeout=30)
    finally:
        if tracer.poll() is None:
            tracer.kill()
            tracer.wait()
    return len(re.findall(r"fdatasync\(", trace.read_text()))


def test_flush_calls_fdatasync(blk_binary, frontend_tool, backend_factory, short_tmp):
    # verify negotiates FLUSH (not CONFIG_WCE): writeback cache, so only its
    # FLUSH requests may sync; a back-end that ignores FLUSH makes this fail.
    assert run_traced(blk_binary, frontend_tool, backend_factory, short_tmp, []) >= 1
