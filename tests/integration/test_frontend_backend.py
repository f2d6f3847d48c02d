# SPDX-License-Identifier: GPL-2.0-or-later
"""The test front-end (qd-frontend) against our back-end, qemu-dev-vhost-user-blk.

The same cases as test_frontend_qsd.py, which proves the front-end against
QEMU's own back-end first, plus what only ours has: --serial, the cache and
aio engines, more queues. Every case ends by stopping the back-end with
SIGTERM: it must still be running, exit 0, and its log must be free of
sanitizer reports.
"""
import signal

import pytest

from test_frontend_qsd import (IMAGE_SIZE, SANITIZER_REPORTS, SECTOR, check_info, file_crc,
                               make_image, run_tool, verify_and_check_image)


@pytest.fixture
def ours(backend_factory, blk_binary, short_tmp):
    """Start qemu-dev-vhost-user-blk; at teardown it must stop cleanly."""
    started = []

    def start(image, *opts):
        sock = short_tmp / "blk.sock"
        b = backend_factory([blk_binary, f"--socket-path={sock}", f"--blk-file={image}", *opts],
                            socket=sock, name="blk")
        b.wait_socket()
        started.append(b)
        return b, sock

    yield start
    for b in started:
        if not b.running():
            pytest.fail(f"back-end exited with {b.proc.returncode}:\n{b.log()}")
        rc, _ = b.terminate(signal.SIGTERM)
        log = b.log()
        assert rc == 0, f"back-end exit status {rc} after SIGTERM:\n{log}"
        for report in SANITIZER_REPORTS:
            assert report not in log, log


def test_info(frontend_tool, ours, short_tmp):
    b, sock = ours(make_image(short_tmp / "disk.img"))
    info = check_info(frontend_tool, sock, b)
    assert info["capacity"] == IMAGE_SIZE // SECTOR
    assert info["ro"] is False
    assert info["max_queues"] >= 1
    assert info["acked_protocol_features"] & (1 << 9)  # CONFIG


@pytest.mark.parametrize("engine", [
    ["--cache=writeback", "--aio=auto"],
    ["--cache=writeback", "--aio=sync"],
    ["--cache=none", "--aio=auto"],
    ["--cache=none", "--aio=sync"],
], ids=["writeback-auto", "writeback-sync", "none-auto", "none-sync"])
def test_verify(frontend_tool, ours, short_tmp, engine):
    image = make_image(short_tmp / "disk.img")
    b, sock = ours(image, *engine)
    verify_and_check_image(frontend_tool, sock, image, b, "--seed", "11", workdir=short_tmp)


@pytest.mark.parametrize("extra", [
    ["--no-event-idx"],
    ["--no-indirect", "--byte-split", "--max-segs", "8", "--iodepth", "32"],
    ["--iodepth", "1", "--ops", "300"],
], ids=["no-event-idx", "direct-byte-split", "qd1"])
def test_verify_variants(frontend_tool, ours, short_tmp, extra):
    image = make_image(short_tmp / "disk.img")
    b, sock = ours(image)
    verify_and_check_image(frontend_tool, sock, image, b, *extra, workdir=short_tmp)


def test_verify_byte_split_direct_io(frontend_tool, ours, short_tmp):
    """Buffers cut at odd byte offsets must work with O_DIRECT too."""
    image = make_image(short_tmp / "disk.img")
    b, sock = ours(image, "--cache=none")
    verify_and_check_image(frontend_tool, sock, image, b, "--byte-split", "--max-segs", "8",
                           workdir=short_tmp)


def test_verify_read_only(frontend_tool, ours, short_tmp):
    image = make_image(short_tmp / "disk.img", random_fill=True)
    before = file_crc(image)
    b, sock = ours(image, "--read-only")
    info = check_info(frontend_tool, sock, b)
    assert info["ro"] is True
    rc, out, err, summary = run_tool(frontend_tool, "verify", "--socket", sock,
                                     "--expect-ro", "--span-crc")
    assert rc == 0, f"{out}\n{err}\n{b.log()}"
    assert summary["rejected"] > 0 and summary["writes"] == 0
    assert summary["span_crc32"] == before
    assert file_crc(image) == before


def test_serial(frontend_tool, ours, short_tmp):
    b, sock = ours(make_image(short_tmp / "disk.img"), "--serial=qd-serial-0001")
    rc, out, err, summary = run_tool(frontend_tool, "verify", "--socket", sock, "--ops", "100",
                                     "--expect-id", "qd-serial-0001")
    assert rc == 0, f"{out}\n{err}\n{b.log()}"
    assert summary["id"] == "qd-serial-0001"


def test_two_queues(frontend_tool, ours, short_tmp):
    image = make_image(short_tmp / "disk.img")
    b, sock = ours(image, "--num-queues=2")
    info = check_info(frontend_tool, sock, b, "--queues", "2")
    assert info["max_queues"] == 2
    assert info["num_queues"] in (0, 2)  # config field valid only with VIRTIO_BLK_F_MQ
    verify_and_check_image(frontend_tool, sock, image, b, "--queues", "2", "--iodepth", "8",
                           workdir=short_tmp)
    rc, out, err, _ = run_tool(frontend_tool, "info", "--socket", sock, "--queues", "3")
    assert rc == 1 and "3 queues" in err


def test_four_queues_one_used(frontend_tool, ours, short_tmp):
    """A guest may use fewer queues than the device has."""
    image = make_image(short_tmp / "disk.img")
    b, sock = ours(image, "--num-queues=4")
    verify_and_check_image(frontend_tool, sock, image, b, "--ops", "500", workdir=short_tmp)
    verify_and_check_image(frontend_tool, sock, image, b, "--queues", "4", "--iodepth", "4",
                           "--seed", "5", workdir=short_tmp)


def test_reconnect(frontend_tool, ours, short_tmp):
    """One session after another on the same process."""
    image = make_image(short_tmp / "disk.img")
    b, sock = ours(image)
    check_info(frontend_tool, sock, b)
    check_info(frontend_tool, sock, b)
    verify_and_check_image(frontend_tool, sock, image, b, "--ops", "300", workdir=short_tmp)


@pytest.mark.parametrize("rw", ["randread", "randwrite"])
def test_bench(frontend_tool, ours, short_tmp, rw):
    b, sock = ours(make_image(short_tmp / "disk.img"))
    rc, out, err, res = run_tool(frontend_tool, "bench", "--socket", sock, "--rw", rw,
                                 "--iodepth", "8", "--runtime", "1")
    assert rc == 0, f"{out}\n{err}\n{b.log()}"
    assert res["rw"] == rw and res["errors"] == 0
    assert res["ios"] > 0 and res["iops"] > 0
