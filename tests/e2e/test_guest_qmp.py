# SPDX-License-Identifier: GPL-2.0-or-later
"""QMP commands of our back-ends change the device under a running Linux guest.

The host and the guest take turns through the serial console: the guest
prints "QD-WAIT ..." (see qdguest/init and qdguest/net) and polls sysfs for
at most 30 s, the host waits for that line (bounded), sends the command to
the back-end's QMP monitor and checks its answer and events, then the guest
reports what it saw and goes on.

- block-resize: the disk grows from 64 to 80 MiB between two steps of a
  plan; the kernel shows the new capacity in /sys/block/vda/size without a
  reboot (QEMU's vhost-user-blk-pci reads the config space again on the
  back-end's config-change message), and the guest writes and reads data
  beyond the old end with O_DIRECT, which the host finds in the image.
- set_link: QEMU's -netdev vhost-user keeps the config space itself, so the
  back-end shows a link down by ending the session and refusing QEMU until
  the link is up; QEMU (reconnect=1 on its chardev) shows the guest carrier
  down meanwhile and carrier up once it is connected again, after which the
  guest pings and downloads once more.

The reference tests run the same guests on QEMU's own virtio-blk and
virtio-net with QEMU's block_resize and set_link (marked "reference"), so
a failure there means the harness, not our back-end, is broken.
"""
import time
from contextlib import contextmanager

import pytest

from qdguest.backends import (blk_argv, make_image, net_argv, qemu_disk, qemu_nic,
                              qmp_argv, vhost_user_nic)
from qdguest.checks import check_image_ranges, sha256
from qdguest.vm import range_data
from qdtest.qmp import QMPClient, QMPError, QMPProtocolError

OURS = "ours"
REFERENCE = "reference"
SIDES = [OURS, pytest.param(REFERENCE, marks=pytest.mark.reference)]

# How long the guest may take to reach its first "QD-WAIT" (boot, I/O or
# DHCP and pings under TCG), and each later one (the guest's own bound is 30 s)
FIRST_MARKER = 90.0
NEXT_MARKER = 45.0
BOOT_TIMEOUT = 150.0
QMP_TIMEOUT = 10.0

# --- block-resize ---------------------------------------------------------

IMAGE_SIZE = 64 << 20
GROWN_SIZE = 80 << 20

# (offset, length) in bytes, none overlapping; at least 4 KiB each (see vm.boot)
RANGES = [
    (0, 4096),                              # the first sectors
    (IMAGE_SIZE - 16384, 8192),             # near the old end
    (IMAGE_SIZE - 4096, 12288),             # across the old end
    (IMAGE_SIZE + (4 << 20) + 512, 256 << 10),  # beyond it, unaligned
    (GROWN_SIZE - 8192, 8192),              # the last sectors of the grown disk
]

# Write before the resize, wait for the new size, read the old data back,
# then write where the disk had no sectors before
RESIZE_STEP = 2
RESIZE_PLAN = ["w0", "w1", f"size{GROWN_SIZE // 512}", "r0", "r1", "w2", "w3", "w4"]

# --- set_link ---------------------------------------------------------------

MAC = "52:54:00:12:34:56"
NETDEV = "n0"
# QEMU gave up on the back-end and runs the NIC without it: no frame moves
VHOST_FATAL = ("falling back on userspace virtio",)
# QEMU's chardev connects again this many seconds after a session ended
RECONNECT = 1
# The link stays down until the back-end refused QEMU's reconnection this
# many times (it tries every RECONNECT seconds), at most HOLD_DOWN seconds
REFUSALS = 2
REFUSED = "refusing a front-end"    # what the back-end logs each time
HOLD_DOWN = 15.0
# (payload bytes, count) of the pings after the first reply (see qdguest/net)
PINGS = [("56", "3"), ("8000", "2")]


@contextmanager
def explained(vm, backend, qmp):
    """While the host and the guest take turns: a failed check or wait ends
    the guest and adds the console, QEMU's and the back-end's output and the
    QMP events to its message."""
    try:
        yield
    except (AssertionError, TimeoutError, EOFError, QMPError, QMPProtocolError) as e:
        vm.kill()
        report = vm.wait()
        # a failed Boot.wait_console() already shows the console
        console = "" if isinstance(e, TimeoutError) and "console" in str(e) \
            else report.describe(80)
        logs = f"\n[back-end log]\n{backend.log()[-6000:]}" if backend else ""
        raise AssertionError(f"{type(e).__name__}: {e}\n{console}{logs}"
                             f"{qmp_log(qmp)}") from e


def qmp_log(qmp) -> str:
    """The events a QMP client kept, for assertion messages."""
    return "\n[QMP events]\n" + "\n".join(str(e) for e in qmp.events) if qmp else ""


def why_of(report, backend=None, qmp=None) -> str:
    """Everything needed to understand a failure, for assertion messages."""
    text = report.describe(80)
    if backend is not None:
        text += f"\n[back-end log]\n{backend.log()[-6000:]}"
    return text + qmp_log(qmp)


def disk_size(qmp) -> int:
    """The size query-blockstats gives for the back-end's one disk."""
    disks = qmp.cmd("query-blockstats")
    assert len(disks) == 1, f"query-blockstats: {disks}"
    return disks[0]["size"]


def check_resize_plan(report, seed: int, why: str):
    """The guest ran every step once, saw the disk grow, and each range read
    back what was written."""
    assert report.status == 0 and not report.failures, why
    assert report.info.get("size") == str(IMAGE_SIZE // 512), \
        f"size at boot {report.info.get('size')}\n{why}"
    steps = [(int(kv["n"]), kv["op"], kv["rc"]) for kind, kv in report.events
             if kind == "STEP"]
    assert steps == [(k, step, "0") for k, step in enumerate(RESIZE_PLAN)], \
        f"steps (number, op, status) {steps}\n{why}"
    resized = [kv for kind, kv in report.events
               if kind == "STEP" and kv["op"] == RESIZE_PLAN[RESIZE_STEP]]
    assert resized[0].get("size") == str(GROWN_SIZE // 512), \
        f"the guest saw {resized[0].get('size')} sectors\n{why}"
    ios = {(int(kv["step"]), kv["op"]): kv for kind, kv in report.events
           if kind == "RANGE"}
    for k, step in enumerate(RESIZE_PLAN):
        if step[0] not in "wr" or not step[1:].isdigit():
            continue
        i = int(step[1:])
        want = sha256(range_data(seed, i, RANGES[i][1]))
        if step[0] == "w":
            write = ios.get((k, "write"))
            assert write and write["rc"] == "0", f"step {k}: write {write}\n{why}"
        read = ios.get((k, "read"))
        assert read and read["rc"] == "0" and read["match"] == "1" and \
            read["sha256"] == want, f"step {k} ({step}): read {read}\n{why}"


@pytest.mark.parametrize("side", SIDES)
def test_block_resize(side, guest, request, short_tmp, backend_factory, seed):
    """block-resize grows the disk under a guest that is using it: the
    guest sees the new capacity at once, and its I/O beyond the old end
    reaches the image. The reference is QEMU's own virtio-blk-pci with
    QEMU's block_resize (qemu-storage-daemon 7.2 does not tell its
    vhost-user front-end of a resize)."""
    image = make_image(short_tmp / "disk.img", IMAGE_SIZE)
    sock, qmp_path = short_tmp / "vu.sock", short_tmp / "qmp.sock"
    backend, qmp, disk = None, None, None
    if side == OURS:
        binary = request.getfixturevalue("blk_binary")
        backend = backend_factory(blk_argv(binary, sock, image, *qmp_argv(qmp_path)),
                                  socket=sock)
        backend.wait_socket()
        qmp = QMPClient(qmp_path, timeout=QMP_TIMEOUT)
        request.addfinalizer(qmp.close)
        assert disk_size(qmp) == IMAGE_SIZE
    else:
        disk = qemu_disk(image) + qmp_argv(qmp_path)

    with guest.start_disk(sock, "plan", RANGES, seed, plan=RESIZE_PLAN,
                          timeout=BOOT_TIMEOUT, disk=disk) as vm:
        with explained(vm, backend, qmp):
            if qmp is None:     # QEMU creates its monitor's socket as it starts
                qmp = QMPClient(qmp_path, timeout=QMP_TIMEOUT)
                request.addfinalizer(qmp.close)
            vm.wait_console(f"QD-WAIT n={RESIZE_STEP} for=size", FIRST_MARKER)
            resize(side, qmp)
            assert image.stat().st_size == GROWN_SIZE, "the image file did not grow"
        report = vm.wait()

    why = f"seed={seed} (rerun with QD_E2E_SEED={seed})\n" + why_of(report, backend, qmp)
    check_resize_plan(report, seed, why)
    # The image has the new size and exactly the data the guest wrote
    check_image_ranges(image.read_bytes(), GROWN_SIZE, RANGES, seed, why)
    if side == OURS:
        stats = qmp.cmd("query-blockstats")[0]
        assert stats["size"] == GROWN_SIZE, f"{stats}\n{why}"
        totals = stats["stats"]
        written = sum(length for _, length in RANGES)
        assert totals["wr_bytes"] >= written and not totals["failed_wr_operations"] \
            and not totals["failed_rd_operations"] and not totals["invalid_operations"], \
            f"requests failed or were refused: {totals}\n{why}"
        qmp.close()
        rc, seconds = backend.terminate()
        assert rc == 0 and seconds < 2.0, \
            f"SIGTERM after the guest: exit {rc} after {seconds:.2f}s\n{why}"


def resize(side, qmp):
    """Grow the disk to GROWN_SIZE: our block-resize, which must find a
    back-end channel to tell QEMU through, or QEMU's block_resize."""
    if side != OURS:
        assert qmp.cmd("block_resize", {"node-name": "f", "size": GROWN_SIZE}) == {}
        return
    session = qmp.cmd("query-vhost-user")
    assert session["connected"] and session["backend-channel"], \
        f"QEMU gave no back-end channel: {session}"
    assert qmp.cmd("block-resize", {"size": GROWN_SIZE}) == {}
    assert disk_size(qmp) == GROWN_SIZE


# --- set_link ---------------------------------------------------------------

def link_record(report, want: str, why: str) -> dict:
    """The guest's QD-LINK line for carrier @want."""
    recs = [r for r in report.records.get("LINK", []) if r.get("want") == want]
    assert len(recs) == 1, f"QD-LINK lines for carrier {want}: {recs}\n{why}"
    return recs[0]


def check_link_report(report, blob, url: str, why: str):
    """The guest saw carrier down then up, and its traffic went through
    before and after: every ping answered, the download whole."""
    assert report.status == 0 and not report.failures, why
    assert report.records["INFO"][0].get("mac") == MAC, why
    for want in ("0", "1"):
        rec = link_record(report, want, why)
        assert rec["carrier"] == want, f"carrier {rec}\n{why}"
    assert link_record(report, "0", why)["operstate"] in ("down", "lowerlayerdown"), why
    assert link_record(report, "1", why)["operstate"] == "up", why
    for size, count in PINGS:
        pings = [p for p in report.records.get("PING", []) if p.get("size") == size]
        assert len(pings) == 2 and all(p["rc"] == "0" and p["received"] == count
                                       for p in pings), \
            f"pings of {size} bytes before and after the link flap: {pings}\n{why}"
    fetch = report.records.get("FETCH", [{}])[0]
    assert fetch.get("url") == f"{url}/{blob.name}" and fetch.get("rc") == "0" and \
        int(fetch.get("size", -1)) == blob.size and fetch.get("md5") == blob.md5, \
        f"download after the link came back: {fetch}\n{why}"


def is_link(up: bool):
    """A predicate for our NETDEV_LINK_CHANGED event of NETDEV going @up."""
    return lambda ev: ev["data"] == {"name": NETDEV, "up": up,
                                     "notification": "reconnect"}


@pytest.mark.parametrize("side", SIDES)
def test_set_link(side, guest, request, short_tmp, backend_factory, http_server, blob):
    """set_link off and on during a guest's network test: carrier down, up
    again, and the traffic goes on. Ours over the libslirp netdev (the
    guest reaches the test's HTTP server on the host's loopback); the
    reference is QEMU's own -netdev user with QEMU's set_link."""
    server = http_server("127.0.0.1", blob.dir)
    qmp_path = short_tmp / "qmp.sock"
    backend, qmp = None, None
    if side == OURS:
        binary = request.getfixturevalue("net_binary")
        sock = short_tmp / "vu.sock"
        backend = backend_factory(net_argv(binary, sock, f"user,id={NETDEV}", MAC,
                                           *qmp_argv(qmp_path)), socket=sock, name="be")
        backend.wait_socket()
        # Before QEMU starts: the monitor sends no event that came before
        qmp = QMPClient(qmp_path, timeout=QMP_TIMEOUT)
        request.addfinalizer(qmp.close)
        nic = vhost_user_nic(sock, MAC, reconnect=RECONNECT)
        fatal = VHOST_FATAL
    else:
        nic = qemu_nic(f"user,id={NETDEV}", MAC) + qmp_argv(qmp_path)
        fatal = ()
    url = f"http://10.0.2.2:{server.port}"
    params = {"addr": "dhcp", "ping": "10.0.2.2", "link": "flap",
              "fetch": f"{url}/{blob.name}"}
    with guest.boot_net(nic, params, timeout=BOOT_TIMEOUT, fatal=fatal) as vm:
        with explained(vm, backend, qmp):
            if qmp is None:     # QEMU creates its monitor's socket as it starts
                qmp = QMPClient(qmp_path, timeout=QMP_TIMEOUT)
                request.addfinalizer(qmp.close)
            talk_link(side, vm, qmp, backend)
        report = vm.wait()

    why = why_of(report, backend, qmp) + f"\n[HTTP server]\n{server.process.log()[-2000:]}"
    check_link_report(report, blob, url, why)
    if side == OURS:
        assert qmp.cmd("query-net")["link-up"] is True, why
        qmp.close()
        rc, seconds = backend.terminate()
        assert rc == 0 and seconds < 2.0, \
            f"SIGTERM after the guest: exit {rc} after {seconds:.2f}s\n{why}"


def talk_link(side, vm, qmp, backend):
    """The host's half of the link flap: set_link off when the guest asks,
    check the back-end's events and state, set_link on when the guest saw
    carrier down."""
    vm.wait_console("QD-WAIT for=carrier-down", FIRST_MARKER)
    if side == OURS:
        qmp.wait_event("VHOST_USER_CONNECTED", QMP_TIMEOUT)
        assert qmp.cmd("query-net")["link-up"] is True
    assert qmp.cmd("set_link", {"name": NETDEV, "up": False}) == {}
    if side == OURS:
        link_down(qmp)
    line = vm.wait_console("QD-LINK want=0", NEXT_MARKER)
    assert "carrier=0" in line, f"the guest saw no carrier down: {line}"
    vm.wait_console("QD-WAIT for=carrier-up", NEXT_MARKER)
    if side == OURS:
        hold_down(vm, qmp, backend)
    assert qmp.cmd("set_link", {"name": NETDEV, "up": True}) == {}
    if side == OURS:
        qmp.wait_event("NETDEV_LINK_CHANGED", QMP_TIMEOUT, is_link(True))
        # QEMU connects again within its reconnect= period
        qmp.wait_event("VHOST_USER_CONNECTED", QMP_TIMEOUT + RECONNECT)
    line = vm.wait_console("QD-LINK want=1", NEXT_MARKER)
    assert "carrier=1" in line, f"the guest saw no carrier up: {line}"


def link_down(qmp):
    """After set_link off: the event says QEMU was told by ending its
    session, which ended, and the back-end says it keeps front-ends away."""
    qmp.wait_event("NETDEV_LINK_CHANGED", QMP_TIMEOUT, is_link(False))
    qmp.wait_event("VHOST_USER_DISCONNECTED", QMP_TIMEOUT)
    assert qmp.cmd("query-status")["status"] == "link-down"
    assert qmp.cmd("query-net")["link-up"] is False
    assert qmp.cmd("query-vhost-user")["connected"] is False


def hold_down(vm, qmp, backend):
    """While the link is down QEMU connects again every RECONNECT seconds:
    once the back-end refused it REFUSALS times (bounded wait), no session
    was started, QEMU still runs and the guest still has no carrier."""
    deadline = time.monotonic() + HOLD_DOWN
    while backend.log().count(REFUSED) < REFUSALS:
        if not vm.running():
            raise AssertionError("QEMU exited while the link was down")
        if time.monotonic() > deadline:
            raise AssertionError(f"QEMU was not refused {REFUSALS} times "
                                 f"within {HOLD_DOWN}s")
        time.sleep(0.1)
    qmp.drain()
    connected = [e for e in qmp.events if e.get("event") == "VHOST_USER_CONNECTED"]
    assert not connected, f"a front-end got in while the link was down: {connected}"
    assert qmp.cmd("query-vhost-user")["connected"] is False
    assert qmp.cmd("query-status")["status"] == "link-down"
    assert "QD-LINK want=1" not in vm.console.read_text(errors="replace"), \
        "the guest saw carrier up before set_link on"
