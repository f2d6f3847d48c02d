# SPDX-License-Identifier: GPL-2.0-or-later
"""The test front-end (qd-frontend) against qemu-storage-daemon.

qemu-storage-daemon's vhost-user-blk export is QEMU's own back-end, so passing
here shows that qd-frontend follows the protocol rather than the habits of our
back-end. The checks that need no back-end at all (replies that break the
protocol must end the tool with a clear error) live here too.

The helpers below are shared with test_frontend_backend.py.
"""
import json
import os
import shutil
import socket
import struct
import subprocess
import threading
import zlib
from pathlib import Path

import pytest

from qdtest.prereq import missing

SECTOR = 512
IMAGE_SIZE = 64 << 20
TOOL_TIMEOUT = 300
HEADER = struct.Struct("=III")  # request, flags, size: host-native endian
GET_FEATURES = 1
SANITIZER_REPORTS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


# ---------------------------------------------------------------- helpers

def make_image(path: Path, size=IMAGE_SIZE, random_fill=False) -> Path:
    """A raw image: sparse zeros, or random bytes (to read back unwritten data)."""
    with open(path, "wb") as f:
        if random_fill:
            for _ in range(size // (1 << 20)):
                f.write(os.urandom(1 << 20))
        else:
            f.truncate(size)
    return path


def run_tool(tool, *args, timeout=TOOL_TIMEOUT):
    """Run qd-frontend; returns (exit status, stdout, stderr, last JSON line or None)."""
    p = subprocess.run([str(tool), *[str(a) for a in args]], capture_output=True,
                       text=True, timeout=timeout)
    for report in SANITIZER_REPORTS:
        assert report not in p.stderr, f"qd-frontend {args[0]}: sanitizer report:\n{p.stderr}"
    summary = None
    for line in reversed(p.stdout.splitlines()):
        if line.startswith("{"):
            summary = json.loads(line)
            break
    return p.returncode, p.stdout, p.stderr, summary


def extents_crc(image: Path, map_path: Path):
    """CRC-32 of the image at the extents of a verify --map file, and the map's CRC."""
    m = json.loads(map_path.read_text())
    crc = 0
    with open(image, "rb") as f:
        for start, count in m["extents"]:
            f.seek(start * m["sector_size"])
            crc = zlib.crc32(f.read(count * m["sector_size"]), crc)
    return crc, m["crc32"], len(m["extents"])


def file_crc(path: Path, size=None) -> int:
    crc = 0
    with open(path, "rb") as f:
        left = size if size is not None else os.path.getsize(path)
        while left > 0:
            chunk = f.read(min(left, 1 << 20))
            if not chunk:
                break
            crc = zlib.crc32(chunk, crc)
            left -= len(chunk)
    return crc


def verify_and_check_image(tool, sock, image, backend, *extra, workdir: Path):
    """verify with --map and --span-crc; the host image must hold what was written."""
    map_path = workdir / "map.json"
    rc, out, err, summary = run_tool(tool, "verify", "--socket", sock, "--map", map_path,
                                     "--span-crc", *extra)
    assert rc == 0, f"verify failed ({rc}):\n{out}\n{err}\nback-end log:\n{backend.log()}"
    assert summary["result"] == "ok" and summary["writes"] > 0, out
    assert summary["mismatches"] == 0 and summary["failures"] == 0, out
    got, want, n = extents_crc(image, map_path)
    assert n > 0
    assert got == want, f"host image differs from the {n} extents written"
    assert summary["span_crc32"] == file_crc(image, summary["span_sectors"] * SECTOR), \
        "data read through the device differs from the host image"
    assert backend.running(), f"back-end died:\n{backend.log()}"
    return summary


def check_info(tool, sock, backend, *extra):
    rc, out, err, info = run_tool(tool, "info", "--socket", sock, *extra)
    assert rc == 0, f"info failed ({rc}):\n{out}\n{err}\nback-end log:\n{backend.log()}"
    assert "start/stop" in out and info is not None, out
    return info


# ---------------------------------------------------------------- qsd

@pytest.fixture
def qsd(backend_factory, short_tmp):
    """Start qemu-storage-daemon exporting an image over vhost-user-blk."""
    binary = shutil.which("qemu-storage-daemon")
    if not binary:
        missing("qemu-storage-daemon is not installed (Debian: qemu-system-common)")

    def start(image, writable=True, num_queues=1):
        sock = short_tmp / "qsd.sock"
        export = (f"type=vhost-user-blk,id=e,node-name=f,addr.type=unix,addr.path={sock},"
                  f"writable={'on' if writable else 'off'},num-queues={num_queues}")
        b = backend_factory([binary, "--blockdev",
                             f"driver=file,node-name=f,filename={image}",
                             "--export", export], socket=sock, name="qsd")
        b.wait_socket()
        return b, sock

    return start


def test_info(frontend_tool, qsd, short_tmp):
    b, sock = qsd(make_image(short_tmp / "disk.img"))
    info = check_info(frontend_tool, sock, b)
    assert info["capacity"] == IMAGE_SIZE // SECTOR
    assert info["ro"] is False
    assert info["max_queues"] == 1
    # CONFIG is required for blk; REPLY_ACK and MQ are offered by QEMU's back-end
    assert info["acked_protocol_features"] & (1 << 9)


def test_verify(frontend_tool, qsd, short_tmp):
    image = make_image(short_tmp / "disk.img")
    b, sock = qsd(image)
    verify_and_check_image(frontend_tool, sock, image, b, "--seed", "11",
                           workdir=short_tmp)


@pytest.mark.parametrize("extra", [
    ["--no-event-idx"],
    ["--no-indirect", "--byte-split", "--max-segs", "8", "--iodepth", "32"],
    ["--iodepth", "1", "--ops", "300"],
], ids=["no-event-idx", "direct-byte-split", "qd1"])
def test_verify_variants(frontend_tool, qsd, short_tmp, extra):
    image = make_image(short_tmp / "disk.img")
    b, sock = qsd(image)
    verify_and_check_image(frontend_tool, sock, image, b, *extra, workdir=short_tmp)


def test_verify_read_only(frontend_tool, qsd, short_tmp):
    image = make_image(short_tmp / "disk.img", random_fill=True)
    before = file_crc(image)
    b, sock = qsd(image, writable=False)
    info = check_info(frontend_tool, sock, b)
    assert info["ro"] is True
    rc, out, err, summary = run_tool(frontend_tool, "verify", "--socket", sock,
                                     "--expect-ro", "--span-crc")
    assert rc == 0, f"{out}\n{err}\n{b.log()}"
    assert summary["rejected"] > 0 and summary["writes"] == 0
    assert summary["span_crc32"] == before
    assert file_crc(image) == before


def test_expect_ro_fails_on_writable_disk(frontend_tool, qsd, short_tmp):
    """--expect-ro must not pass on a writable disk: the tool can fail."""
    b, sock = qsd(make_image(short_tmp / "disk.img"))
    rc, out, err, summary = run_tool(frontend_tool, "verify", "--socket", sock,
                                     "--expect-ro", "--ops", "50")
    assert rc == 1 and summary["result"] == "failed"
    assert "VIRTIO_BLK_F_RO" in err


def test_two_queues(frontend_tool, qsd, short_tmp):
    image = make_image(short_tmp / "disk.img")
    b, sock = qsd(image, num_queues=2)
    info = check_info(frontend_tool, sock, b, "--queues", "2")
    assert info["max_queues"] == 2
    verify_and_check_image(frontend_tool, sock, image, b, "--queues", "2", "--iodepth", "8",
                           workdir=short_tmp)
    rc, out, err, _ = run_tool(frontend_tool, "info", "--socket", sock, "--queues", "3")
    assert rc == 1 and "3 queues" in err


def test_reconnect(frontend_tool, qsd, short_tmp):
    """The same daemon serves one session after another."""
    image = make_image(short_tmp / "disk.img")
    b, sock = qsd(image)
    check_info(frontend_tool, sock, b)
    check_info(frontend_tool, sock, b)
    verify_and_check_image(frontend_tool, sock, image, b, "--ops", "300", workdir=short_tmp)


@pytest.mark.parametrize("rw", ["randread", "randwrite"])
def test_bench(frontend_tool, qsd, short_tmp, rw):
    b, sock = qsd(make_image(short_tmp / "disk.img"))
    rc, out, err, res = run_tool(frontend_tool, "bench", "--socket", sock, "--rw", rw,
                                 "--iodepth", "8", "--runtime", "1")
    assert rc == 0, f"{out}\n{err}"
    assert res["rw"] == rw and res["errors"] == 0
    assert res["ios"] > 0 and res["iops"] > 0
    assert 0 < res["lat_us"]["p50"] <= res["lat_us"]["p99"] <= res["lat_us"]["max"]


# ---------------------------------------------------------------- bad back-ends

def _recv_exactly(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def _features_reply(**kw):
    request = kw.get("request", GET_FEATURES)
    flags = kw.get("flags", 0x5)
    payload = kw.get("payload", struct.pack("=Q", (1 << 32) | (1 << 30)))
    size = kw.get("size", len(payload))
    return HEADER.pack(request, flags, size) + payload


BAD_REPLIES = {
    "flags": (lambda c: c.sendall(_features_reply(flags=0xd)), "flags 0xd"),
    "request-id": (lambda c: c.sendall(_features_reply(request=2)), "request id 2"),
    "size": (lambda c: c.sendall(_features_reply(size=4, payload=b"\0" * 4)), "size 4"),
    "eof": (lambda c: c.shutdown(socket.SHUT_RDWR), "closed the connection"),
    "truncated": (lambda c: (c.sendall(_features_reply()[:15]), c.shutdown(socket.SHUT_WR)),
                  "closed the connection"),
    "silence": (lambda c: None, "no reply to GET_FEATURES within 300 ms"),
    "fds": (lambda c: socket.send_fds(c, [_features_reply()], [c.fileno()]), "came with fds"),
}


@pytest.mark.parametrize("case", sorted(BAD_REPLIES))
def test_bad_reply_is_an_error(frontend_tool, short_tmp, case):
    """A reply that breaks the protocol ends the tool with status 1 and says why."""
    act, message = BAD_REPLIES[case]
    path = short_tmp / "bad.sock"
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(str(path))
    srv.listen(1)
    srv.settimeout(30)
    seen = []

    def serve():
        conn, _ = srv.accept()
        with conn:
            conn.settimeout(30)
            request, _, size = HEADER.unpack(_recv_exactly(conn, HEADER.size))
            _recv_exactly(conn, size)
            seen.append(request)
            act(conn)
            try:  # until the tool hangs up
                while conn.recv(4096):
                    pass
            except OSError:
                pass

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        rc, out, err, _ = run_tool(frontend_tool, "info", "--socket", path, "--timeout", "300",
                                   timeout=30)
    finally:
        t.join(30)
        srv.close()
    assert seen == [GET_FEATURES]
    assert rc == 1, f"{out}\n{err}"
    assert message in err, err


def test_usage_errors(frontend_tool, short_tmp):
    for args, text in [([], "Usage"), (["frobnicate"], "unknown command"),
                       (["info"], "--socket"), (["info", "--socket", "x", "--rw", "randread"],
                                                "does not apply"),
                       (["bench", "--socket", "x", "--bs", "1000"], "multiple of 512"),
                       (["verify", "--socket", "x", "--queues", "0"], "--queues")]:
        rc, out, err, _ = run_tool(frontend_tool, *args, timeout=30)
        assert rc == 2, args
        assert text in out + err, (args, err)
    rc, out, _, _ = run_tool(frontend_tool, "verify", "--help", timeout=30)
    assert rc == 0 and "--expect-ro" in out
    rc, _, err, _ = run_tool(frontend_tool, "info", "--socket", short_tmp / "none.sock",
                             timeout=30)
    assert rc == 1 and "connect" in err
