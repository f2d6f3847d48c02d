# SPDX-License-Identifier: GPL-2.0-or-later
"""A Linux guest in QEMU uses qemu-dev-vhost-user-blk as its /dev/vda.

Each test boots the guest once or twice (a boot takes a few seconds under TCG):
the guest writes seeded data with O_DIRECT, reads it back and compares; the
host then checks that the image file holds exactly that data and nothing else.
The reference test runs the same checks against qemu-storage-daemon, so a
failure there means the harness, not our back-end, is broken.
"""
from pathlib import Path
from types import SimpleNamespace

import pytest

from qdguest.backends import blk_argv, make_image, qsd_argv
from qdguest.checks import check_image_ranges, first_difference, image_with_ranges, sha256
from qdguest.vm import range_data

SERIAL = "qd-e2e-serial-0001"
IMAGE_SIZE = 64 << 20

# (offset, length) in bytes, none overlapping; at least 4 KiB each (see vm.boot)
RANGES = [
    (0, 4096),                      # the first sectors
    (8192 + 5 * 512, 4096 + 3 * 512),   # sector-aligned, not 4 KiB-aligned
    ((1 << 20) + 512, 256 << 10),   # a large unaligned request
    (8 << 20, 1 << 20),             # larger than one request: split by the guest
    (IMAGE_SIZE - 8192, 8192),      # the last sectors of the disk
]


def expected_image(seed: int, base: bytes = None) -> bytes:
    """The image after a guest wrote every range of RANGES with @seed's data."""
    return image_with_ranges(IMAGE_SIZE, RANGES, seed, base)


def context(report, backend, seed) -> str:
    """Everything needed to understand a failure, for assertion messages."""
    return (f"seed={seed} (rerun with QD_E2E_SEED={seed})\n{report.describe()}\n"
            f"[back-end log]\n{backend.log_path.read_text(errors='replace')[-4000:]}")


def check_written(report, image: Path, seed: int, backend):
    """The guest wrote and read back every range, and the host sees exactly that."""
    why = context(report, backend, seed)
    report.assert_done()
    for i, (off, length) in enumerate(RANGES):
        data = range_data(seed, i, length)
        assert report.writes.get(i) == 0, f"write of range {i} failed\n{why}"
        read = report.reads.get(i)
        assert read and read["rc"] == 0, f"read of range {i} failed\n{why}"
        assert read["match"], f"range {i} read back differs from what was written\n{why}"
        assert read["sha256"] == sha256(data), f"range {i}: guest sha256 differs\n{why}"
    check_image_ranges(image.read_bytes(), IMAGE_SIZE, RANGES, seed, why)


@pytest.mark.reference
def test_reference_rw(guest, storage_daemon, short_tmp, backend_factory, seed):
    """Harness self-check: the rw test against qemu-storage-daemon."""
    image = make_image(short_tmp / "disk.img", IMAGE_SIZE)
    sock = short_tmp / "vu.sock"
    qsd = backend_factory(qsd_argv(storage_daemon, sock, image), socket=sock, name="qsd")
    qsd.wait_socket()
    report = guest.boot(sock, "write", RANGES, seed)
    check_written(report, image, seed, qsd)
    assert report.info.get("size") == str(IMAGE_SIZE // 512), report.describe()


@pytest.fixture(scope="module")
def rw_session(guest, blk_binary, module_tmp, module_backend, seed):
    """Our back-end, kept for the whole module, and a first boot that wrote data."""
    image = make_image(module_tmp / "disk.img", IMAGE_SIZE)
    sock = module_tmp / "vu.sock"
    backend = module_backend(blk_argv(blk_binary, sock, image, f"--serial={SERIAL}"),
                             socket=sock)
    report = guest.boot(sock, "write", RANGES, seed)
    return SimpleNamespace(backend=backend, image=image, sock=sock, report=report)


def test_rw(rw_session, seed):
    """O_DIRECT writes reach the image; serial and capacity are the configured ones."""
    s = rw_session
    check_written(s.report, s.image, seed, s.backend)
    why = context(s.report, s.backend, seed)
    assert s.report.info.get("serial") == SERIAL, why
    assert s.report.info.get("size") == str(IMAGE_SIZE // 512), why
    assert s.report.info.get("ro") == "0", why
    assert s.report.info.get("logical_block_size") == "512", why


def test_reconnect(rw_session, guest, seed):
    """The same back-end process serves a second guest after the first QEMU
    exited, and that guest reads what the first one wrote; then SIGTERM ends
    the back-end cleanly."""
    s = rw_session
    assert s.report.status == 0, \
        f"boot 1 failed (see test_rw)\n{context(s.report, s.backend, seed)}"
    assert s.backend.running(), \
        f"back-end exited after the first guest\n{s.backend.log_path.read_text()}"
    before = s.image.read_bytes()
    report = guest.boot(s.sock, "read", RANGES, seed)
    why = context(report, s.backend, seed)
    report.assert_done()
    for i, (_, length) in enumerate(RANGES):
        read = report.reads.get(i)
        assert read and read["rc"] == 0 and read["match"], \
            f"range {i} written by boot 1 not read back by boot 2\n{why}"
        assert read["sha256"] == sha256(range_data(seed, i, length)), why
    after = s.image.read_bytes()
    ok = after == before
    assert ok, f"a reading guest changed the image: {first_difference(after, before)}\n{why}"
    rc, seconds = s.backend.terminate()
    assert rc == 0 and seconds < 1.0, \
        f"SIGTERM after two guests: exit {rc} after {seconds:.2f}s\n{why}"
    assert not s.sock.exists(), f"socket file left behind\n{why}"


def test_read_only(guest, blk_binary, short_tmp, backend_factory, seed):
    """--read-only: the guest sees a read-only disk, writes fail, image unchanged.

    Linux refuses writes to a disk with VIRTIO_BLK_F_RO itself (EPERM), so
    this checks the feature reaches the guest; the back-end's own refusal of
    VIRTIO_BLK_T_OUT is for tests that send raw requests.
    """
    original = expected_image(seed + 1)
    image = short_tmp / "disk.img"
    image.write_bytes(original)
    sock = short_tmp / "vu.sock"
    backend = backend_factory(blk_argv(blk_binary, sock, image, "--read-only"),
                              socket=sock)
    backend.wait_socket()
    report = guest.boot(sock, "rofail", RANGES, seed)
    why = context(report, backend, seed)
    report.assert_done()
    assert report.info.get("ro") == "1", f"disk not read-only in the guest\n{why}"
    for i, (off, length) in enumerate(RANGES):
        assert report.writes.get(i, 0) != 0, f"write of range {i} succeeded\n{why}"
        read = report.reads.get(i)
        assert read and read["rc"] == 0, f"read of range {i} failed\n{why}"
        assert read["sha256"] == sha256(original[off:off + length]), \
            f"range {i} does not read back the original data\n{why}"
    after = image.read_bytes()
    ok = after == original
    assert ok, f"read-only image changed: {first_difference(after, original)}\n{why}"


def test_multiqueue(guest, blk_binary, short_tmp, backend_factory, seed):
    """num-queues=2 on both sides, two vCPUs each submitting on its own queue."""
    image = make_image(short_tmp / "disk.img", IMAGE_SIZE)
    sock = short_tmp / "vu.sock"
    backend = backend_factory(
        blk_argv(blk_binary, sock, image, "--num-queues=2", "--cache=none"),
        socket=sock)
    backend.wait_socket()
    report = guest.boot(sock, "write", RANGES, seed, num_queues=2, cpus=2)
    check_written(report, image, seed, backend)
    why = context(report, backend, seed)
    assert report.info.get("queues") == "2", f"guest does not see 2 queues\n{why}"
    assert sorted(report.hctx) == [0, 1] and all(report.hctx.values()), \
        f"not every queue served I/O: runs per queue {report.hctx}\n{why}"
