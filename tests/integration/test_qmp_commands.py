# SPDX-License-Identifier: GPL-2.0-or-later
"""Every command and event of our QMP monitors, against a real front-end.

The front-end is the C test tool: `qd-frontend watch-config` holds a session
with DRIVER_OK set and prints the config changes it is told of; `verify`,
`bench` and `net-xfer` move the counters. Every answer and every event is also
checked against the program's own query-qmp-schema (qdtest/qmpshape.py).
"""
import os
import re
import shutil
import signal
import subprocess
import time

import pytest

from qdtest.prereq import missing
from qdtest.qmp import QMPClient, QMPError
from qdtest.qmprun import IMAGE_SIZE, SECTOR, program, watch  # noqa: F401 (fixtures)
from qdtest.qmpshape import (check_command_return, check_commands, check_error, check_event,
                             check_event_data, check_version_info, validate_schema)
from test_conventions import MiniFrontend
from test_frontend_qsd import run_tool

COMMON = {"qmp_capabilities", "query-version", "query-commands", "query-qmp-schema",
          "query-status", "query-vhost-user", "quit"}
BLK_ONLY = {"query-blockstats", "block-resize"}
NET_ONLY = {"query-net", "set_link"}
STATUS_BITS = {"acknowledge", "driver", "features-ok", "driver-ok"}
FEATURE_NAME = re.compile(r"^((VIRTIO|VHOST_USER)_[A-Z0-9_]+|bit-\d+)$")
TOOL_TIMEOUT = 60


class Checked:
    """A QMP client whose every answer and event is checked against the
    program's schema."""

    def __init__(self, client):
        self.c = client
        self.schema = validate_schema(client.cmd("query-qmp-schema"))

    def cmd(self, name, args=None, **kw):
        ret = self.c.cmd(name, args, **kw)
        check_command_return(self.schema, name, ret)
        return ret

    def error(self, name, args=None):
        with pytest.raises(QMPError) as e:
            self.c.cmd(name, args)
        check_error(e.value.response)
        return e.value

    def event(self, name, timeout=5.0, pred=None):
        ev = self.c.wait_event(name, timeout, pred)
        data = check_event(ev, name)
        check_event_data(self.schema, ev)
        return data

    def no_event(self, name, timeout=0.5):
        self.c.drain(timeout)
        return not any(e["event"] == name for e in self.c.events)

    def wait_status(self, status, timeout=5.0):
        deadline = time.monotonic() + timeout
        while True:
            s = self.cmd("query-status")
            if s["status"] == status:
                return s
            if time.monotonic() > deadline:
                raise AssertionError(f"status {s}, expected {status}")
            time.sleep(0.02)


def checked(p):
    return Checked(p.client())


def blockstats(q):
    disks = q.cmd("query-blockstats")
    assert len(disks) == 1, disks
    return disks[0]


def add_stats(a, b):
    return {k: a[k] + b[k] for k in a}


# ---------------------------------------------------------------- control

@pytest.mark.parametrize("kind", ["blk", "net"])
def test_query_version_and_commands(program, kind):
    p = program(kind)
    q = checked(p)
    v = q.cmd("query-version")
    check_version_info(v)
    assert v == q.c.greeting["QMP"]["version"]
    names = check_commands(q.cmd("query-commands"))
    want = COMMON | (BLK_ONLY if kind == "blk" else NET_ONLY)
    assert names == want, f"missing {want - names}, unexpected {names - want}"


@pytest.mark.parametrize("kind", ["blk", "net"])
def test_query_status_lifecycle(program, watch, kind):
    """waiting -> connected (a front-end) -> running (DRIVER_OK) -> waiting."""
    p = program(kind)
    q = checked(p)
    assert q.cmd("query-status") == {"running": False, "status": "waiting"}
    fe = MiniFrontend.connect(p.vu_sock)
    try:
        fe.get_features()
        assert q.wait_status("connected")["running"] is False
    finally:
        fe.close()
    q.wait_status("waiting")
    w = watch(p.vu_sock, kind)
    w.wait_line("READY")
    assert q.wait_status("running")["running"] is True
    assert w.stop() == 0
    assert q.wait_status("waiting")["running"] is False


@pytest.mark.parametrize("kind", ["blk", "net"])
def test_query_vhost_user_idle(program, kind):
    extra = ["--num-queues=2"] if kind == "blk" else ["--queues=2"]
    p = program(kind, *extra)
    q = checked(p)
    s = q.cmd("query-vhost-user")
    assert s["connected"] is False and s["backend-channel"] is False
    assert s["features"] == [] and s["protocol-features"] == [] and s["status"] == []
    n = 2 if kind == "blk" else 5    # net: 2 pairs and the control queue
    assert [x["index"] for x in s["queues"]] == list(range(n)), s["queues"]
    for x in s["queues"]:
        assert not x["enabled"] and not x["started"] and not x["broken"], x
        assert x["kicks"] == x["calls"] == x["processed"] == 0, x


@pytest.mark.parametrize("kind", ["blk", "net"])
def test_query_vhost_user_session(program, watch, kind):
    """What watch-config negotiated, by name; its queue(s) enabled and started."""
    p = program(kind)
    q = checked(p)
    w = watch(p.vu_sock, kind)
    w.wait_line("READY")
    s = q.cmd("query-vhost-user")
    assert s["connected"] is True and s["backend-channel"] is True, s
    for name in s["features"] + s["protocol-features"]:
        assert FEATURE_NAME.match(name), f"feature name {name!r}"
    assert "VIRTIO_F_VERSION_1" in s["features"], s["features"]
    for name in ("VHOST_USER_PROTOCOL_F_BACKEND_REQ", "VHOST_USER_PROTOCOL_F_CONFIG"):
        assert name in s["protocol-features"], s["protocol-features"]
    assert STATUS_BITS <= set(s["status"]) and "failed" not in s["status"], s["status"]
    started = [x for x in s["queues"] if x["started"]]
    assert started and all(x["enabled"] for x in started), s["queues"]
    for x in started:   # a power of two the front-end chose
        assert x["size"] > 0 and x["size"] & (x["size"] - 1) == 0, x
    assert w.stop() == 0


def test_query_vhost_user_no_backend_channel(program, watch):
    p = program("blk")
    q = checked(p)
    w = watch(p.vu_sock, "blk", "--no-backend-channel")
    w.wait_line("READY")
    s = q.cmd("query-vhost-user")
    assert s["connected"] is True and s["backend-channel"] is False, s
    assert "VHOST_USER_PROTOCOL_F_BACKEND_REQ" not in s["protocol-features"], s
    assert w.stop() == 0


def test_queue_counters_move_blk(program, frontend_tool):
    """kicks, calls, processed and the ring indexes move while bench runs."""
    p = program("blk")
    q = checked(p)
    bench = subprocess.Popen([str(frontend_tool), "bench", "--socket", str(p.vu_sock),
                              "--rw", "randread", "--iodepth", "4", "--runtime", "3"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        samples = []
        deadline = time.monotonic() + 10
        while len(samples) < 2 and time.monotonic() < deadline:
            s = q.cmd("query-vhost-user")
            if s["connected"] and s["queues"][0]["processed"] > 0:
                if not samples or s["queues"][0]["processed"] > samples[-1]["processed"]:
                    samples.append(s["queues"][0])
            time.sleep(0.2)
        assert len(samples) == 2, f"counters did not move: {q.cmd('query-vhost-user')}"
        a, b = samples
        assert b["kicks"] >= a["kicks"] > 0 and b["calls"] >= a["calls"] > 0, samples
        assert a["started"] and a["enabled"] and not a["broken"], a
        assert 0 <= b["used-idx"] < 65536 and 0 <= b["last-avail-idx"] < 65536, b
    finally:
        _, err = bench.communicate(timeout=TOOL_TIMEOUT)
    assert bench.returncode == 0, err


def test_stuck_client_does_not_delay_io(program, frontend_tool):
    """The monitor is off the data path: a client that sends requests and
    never reads its answers (its output piles up in the monitor) does not
    slow the device; I/O completes and another client is answered."""
    p = program("blk")
    stuck = p.client()
    for _ in range(200):
        stuck.send_raw(b'{"execute":"query-qmp-schema"}\n')
    t0 = time.monotonic()
    rc, out, err, _ = run_tool(frontend_tool, "verify", "--socket", p.vu_sock,
                               "--ops", "300", timeout=TOOL_TIMEOUT)
    assert rc == 0, f"{out}\n{err}"
    assert time.monotonic() - t0 < 20, "I/O was slow while a QMP client was stuck"
    other = p.client()
    assert other.cmd("query-blockstats")[0]["stats"]["wr_operations"] > 0


def test_queue_counters_move_net(program, frontend_tool, short_tmp):
    p = program("net", netdev="loopback,id=n0")
    q = checked(p)
    ready = short_tmp / "ready"
    xfer = subprocess.Popen([str(frontend_tool), "net-xfer", "--socket", str(p.vu_sock),
                             "--count", "600", "--rate", "200", "--ready-file", str(ready)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 10
        moved = None
        while time.monotonic() < deadline:
            s = q.cmd("query-vhost-user")
            rx, tx = s["queues"][0], s["queues"][1]
            if s["connected"] and rx["processed"] > 0 and tx["processed"] > 0:
                moved = s
                break
            time.sleep(0.1)
        assert moved, f"counters did not move: {q.cmd('query-vhost-user')}"
        assert moved["queues"][1]["kicks"] > 0 and moved["queues"][0]["calls"] > 0, moved
    finally:
        out, err = xfer.communicate(timeout=TOOL_TIMEOUT)
    assert xfer.returncode == 0, f"{out}\n{err}"


# ---------------------------------------------------------------- quit etc.

@pytest.mark.parametrize("kind", ["blk", "net"])
def test_quit(program, watch, kind):
    """The answer, then SHUTDOWN (host-qmp-quit) to every client; the front-end
    is let go, the process exits 0 and removes its socket files."""
    p = program(kind)
    q, other = checked(p), checked(p)
    w = watch(p.vu_sock, kind)
    w.wait_line("READY")
    assert q.cmd("quit", id="bye") == {}
    for c in (q, other):
        assert c.event("SHUTDOWN") == {"guest": False, "reason": "host-qmp-quit"}
        for m in c.c.recv_until_closed(5):
            check_event(m)
    assert p.wait_exit() == 0, p.backend.log()
    w.wait_exit()
    assert not p.vu_sock.exists() and not p.qmp_sock.exists()


@pytest.mark.parametrize("kind", ["blk", "net"])
def test_sigterm_shutdown_event(program, kind):
    p = program(kind)
    q = checked(p)
    p.backend.proc.send_signal(signal.SIGTERM)
    assert q.event("SHUTDOWN") == {"guest": False, "reason": "host-signal"}
    q.c.recv_until_closed(5)
    assert p.wait_exit() == 0
    assert not p.vu_sock.exists() and not p.qmp_sock.exists()


def test_session_events(program, watch):
    """VHOST_USER_CONNECTED, VIRTIO_STATUS_CHANGED driver-ready at DRIVER_OK,
    reset and VHOST_USER_DISCONNECTED when the front-end leaves."""
    p = program("blk")
    q = checked(p)
    w = watch(p.vu_sock, "blk")
    w.wait_line("READY")
    assert q.event("VHOST_USER_CONNECTED") == {}
    ready = q.event("VIRTIO_STATUS_CHANGED", pred=lambda e: e["data"]["change"] == "driver-ready")
    assert STATUS_BITS <= set(ready["status"]), ready
    assert "queue" not in ready and "reason" not in ready
    assert w.stop() == 0
    gone = q.event("VHOST_USER_DISCONNECTED")
    assert gone == {"reason": "front-end closed the connection"}
    reset = q.event("VIRTIO_STATUS_CHANGED", pred=lambda e: e["data"]["change"] == "reset")
    assert reset["status"] == [], reset
    order = [e["event"] for e in q.c.events]
    assert "VHOST_USER_CONNECTED" not in order, f"a second connect event: {order}"


def test_broken_queue_event(program, watch):
    """A chain outside guest memory breaks the queue: VIRTIO_STATUS_CHANGED
    broken with the queue and a reason naming the descriptor, needs-reset in
    query-status and the status bits, the queue marked broken; the program
    keeps serving and the next front-end works."""
    p = program("blk")
    q = checked(p)
    w = watch(p.vu_sock, "blk")
    w.wait_line("READY")
    w.proc.stdin.write(b"break\n")
    w.proc.stdin.flush()
    w.wait_line("BROKE")
    broken = q.event("VIRTIO_STATUS_CHANGED",
                     pred=lambda e: e["data"]["change"] == "broken")
    assert broken["queue"] == 0, broken
    assert "needs-reset" in broken["status"], broken
    assert "queue 0" in broken["reason"] and "descriptor" in broken["reason"], broken
    status = q.c.cmd("query-status")
    assert status == {"running": False, "status": "needs-reset"}, status
    vu = q.c.cmd("query-vhost-user")
    assert vu["queues"][0]["broken"] and "needs-reset" in vu["status"], vu
    stopped = w.stop()
    assert stopped == 0, w.err_path.read_text(errors="replace")
    q.event("VIRTIO_STATUS_CHANGED", pred=lambda e: e["data"]["change"] == "reset")
    w2 = watch(p.vu_sock, "blk")
    w2.wait_line("READY")
    assert q.c.cmd("query-status")["status"] == "running"
    assert w2.stop() == 0


# ------------------------------------------------------------------- block

def test_query_blockstats(program, frontend_tool):
    """The disk, then counters that moved after verify: operations, bytes and
    times, per queue summing up to the totals."""
    p = program("blk", "--num-queues=2")
    q = checked(p)
    d = blockstats(q)
    assert d["file"] == str(p.image) and d["size"] == IMAGE_SIZE, d
    assert d["read-only"] is False and d["io-engine"] in ("io_uring", "sync"), d
    assert len(d["queues"]) == 2
    assert set(d["stats"].values()) == {0}, d["stats"]
    rc, out, err, summary = run_tool(frontend_tool, "verify", "--socket", p.vu_sock,
                                     "--queues", "2", "--ops", "300", timeout=TOOL_TIMEOUT)
    assert rc == 0, f"{out}\n{err}"
    st = blockstats(q)["stats"]
    for k in ("rd_operations", "wr_operations", "flush_operations", "rd_bytes", "wr_bytes",
              "rd_total_time_ns", "wr_total_time_ns"):
        assert st[k] > 0, (k, st)
    assert st["rd_bytes"] % SECTOR == 0 and st["wr_bytes"] % SECTOR == 0, st
    assert st["wr_operations"] >= summary["writes"], (st, summary)
    # verify's requests past the end (2 reads, 1 write) are refused before
    # any I/O, like its request of unknown type: invalid, not failed
    assert st["invalid_operations"] == 4, st
    for k in st:
        if k.startswith("failed_"):
            assert st[k] == 0, (k, st)
    queues = blockstats(q)["queues"]
    assert all(x["rd_operations"] + x["wr_operations"] > 0 for x in queues), queues
    assert add_stats(*queues) == blockstats(q)["stats"]


def test_query_blockstats_read_only(program):
    p = program("blk", "--read-only")
    assert blockstats(checked(p))["read-only"] is True


def capacity_of(line):
    return int(re.search(r"capacity=(\d+)", line).group(1))


def test_block_resize(program, watch):
    """Grow, then shrink, with a front-end that gave a back-end channel: the
    file follows, the front-end is told, query-blockstats follows."""
    p = program("blk")
    q = checked(p)
    w = watch(p.vu_sock, "blk")
    w.wait_line("READY")
    assert capacity_of(w.seen("CONFIG ")) == IMAGE_SIZE // SECTOR
    for size in (2 * IMAGE_SIZE, IMAGE_SIZE // 2 + SECTOR):
        assert q.cmd("block-resize", {"size": size}) == {}
        assert os.path.getsize(p.image) == size
        assert capacity_of(w.wait_line("CONFIG-CHANGE")) == size // SECTOR
        assert blockstats(q)["size"] == size
    assert q.cmd("query-vhost-user")["connected"] is True
    assert w.stop() == 0


def test_block_resize_without_frontend(program, frontend_tool):
    """Nobody to tell: the resize is done, the next front-end reads the size."""
    p = program("blk")
    q = checked(p)
    assert q.cmd("block-resize", {"size": 3 * IMAGE_SIZE}) == {}
    assert os.path.getsize(p.image) == 3 * IMAGE_SIZE
    assert blockstats(q)["size"] == 3 * IMAGE_SIZE
    rc, out, err, info = run_tool(frontend_tool, "info", "--socket", p.vu_sock,
                                  timeout=TOOL_TIMEOUT)
    assert rc == 0, f"{out}\n{err}"
    assert info["capacity"] == 3 * IMAGE_SIZE // SECTOR


def refused_resize(q, p, args, cls="GenericError", desc=None):
    """block-resize(@args) fails with @cls (@desc: regex) and changes nothing."""
    before = os.path.getsize(p.image)
    e = q.error("block-resize", args)
    assert e.cls == cls, e.response
    if desc:
        assert re.search(desc, e.desc), e.desc
    assert os.path.getsize(p.image) == before
    assert blockstats(q)["size"] == before
    return e


def test_block_resize_refusals(program, watch):
    p = program("blk")
    q = checked(p)
    refused_resize(q, p, {"size": IMAGE_SIZE + 1000}, desc="512")
    refused_resize(q, p, {}, desc="^Parameter 'size' is missing$")
    for v in ("1", 1.5, True, None, [512], {}):
        refused_resize(q, p, {"size": v},
                       desc="^Invalid parameter type for 'size', expected: integer$")
    refused_resize(q, p, {"size": IMAGE_SIZE, "device": "d0"},
                   desc="^Parameter 'device' is unexpected$")
    for size in (-SECTOR, 2 ** 64, 2 ** 64 + SECTOR, 2 ** 70):    # nothing can be that big
        refused_resize(q, p, {"size": size})
    # a front-end that cannot be told: nothing changes
    w = watch(p.vu_sock, "blk", "--no-backend-channel")
    w.wait_line("READY")
    refused_resize(q, p, {"size": 2 * IMAGE_SIZE}, desc=r"BACKEND_REQ|back-end channel")
    assert w.no_line("CONFIG-CHANGE")
    assert w.stop() == 0


def test_block_resize_read_only(program):
    p = program("blk", "--read-only")
    q = checked(p)
    refused_resize(q, p, {"size": 2 * IMAGE_SIZE}, desc=r"read-only|read only")


@pytest.fixture
def tiny_tmpfs(short_tmp):
    """A 1 MiB tmpfs only a program started through its prefix sees (a private
    mount namespace): writes beyond it fail with ENOSPC."""
    if os.geteuid() != 0:
        pytest.skip("a private tmpfs mount needs root")
    if not shutil.which("unshare"):
        missing("unshare (util-linux) is not installed")
    mnt = short_tmp / "tiny"
    mnt.mkdir()
    image = mnt / "disk.img"

    def prefix(binary_argv):
        script = (f'mount -t tmpfs -o size=1m qd-tiny "{mnt}" && truncate -s {8 << 20} '
                  f'"{image}" && exec "$@"')
        return ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh",
                *[str(a) for a in binary_argv]]

    return prefix, image


def test_block_io_error_event(backend_factory, blk_binary, frontend_tool, short_tmp, tiny_tmpfs):
    """Writes beyond a full tmpfs: BLOCK_IO_ERROR (write, nospace), rate-limited
    to one a second per queue, and failed_wr_operations counted."""
    prefix, image = tiny_tmpfs
    vu, qmp = short_tmp / "vu.sock", short_tmp / "qmp.sock"
    b = backend_factory(prefix([blk_binary, f"--socket-path={vu}", f"--blk-file={image}",
                                f"--qmp=unix:{qmp},server=on,wait=off"]),
                        socket=vu, name="blk")
    b.wait_socket()
    q = Checked(QMPClient(qmp))
    try:
        run_tool(frontend_tool, "bench", "--socket", vu, "--rw", "randwrite", "--iodepth", "8",
                 "--runtime", "2", timeout=TOOL_TIMEOUT)
        ev = q.event("BLOCK_IO_ERROR", timeout=5)
        assert ev["operation"] == "write" and ev["nospace"] is True, ev
        assert ev["action"] == "report" and ev["queue"] == 0 and ev["file"] == str(image), ev
        assert ev["reason"], ev
        q.c.drain(0.5)
        errors = [e for e in q.c.events if e["event"] == "BLOCK_IO_ERROR"]
        assert len(errors) <= 4, f"{len(errors)} events in ~3 s: not rate-limited"
        assert blockstats(q)["stats"]["failed_wr_operations"] > 0
    finally:
        q.c.close()


# --------------------------------------------------------------------- net

def test_query_net(program, short_tmp):
    path = short_tmp / "peer.sock"
    netdev = f"stream,id=up0,server=on,addr.type=unix,addr.path={path}"
    p = program("net", "--mac=52:54:00:aa:bb:cc", "--mtu=1400", "--queues=2", netdev=netdev)
    n = checked(p).cmd("query-net")
    assert n["mac"] == "52:54:00:aa:bb:cc" and n["mtu"] == 1400, n
    assert n["link-up"] is True and n["queue-pairs"] == 2, n
    assert n["netdev"] == {"id": "up0", "type": "stream", "options": [
        {"key": "server", "value": "on"}, {"key": "addr.type", "value": "unix"},
        {"key": "addr.path", "value": str(path)}]}, n["netdev"]
    assert [x["pair"] for x in n["queues"]] == [0, 1]
    for x in n["queues"]:
        assert all(v == 0 for k, v in x.items() if k != "pair"), x


def test_query_net_defaults_and_counters(program, frontend_tool):
    """Defaults (no MTU offered), then the counters after 200 frames looped."""
    p = program("net", netdev="loopback,id=n0")
    q = checked(p)
    n = q.cmd("query-net")
    assert n["mtu"] == 0 and n["mac"] == "52:54:00:12:34:56" and n["queue-pairs"] == 1, n
    assert n["netdev"] == {"id": "n0", "type": "loopback", "options": []}
    p2 = subprocess.run([str(frontend_tool), "net-xfer", "--socket", str(p.vu_sock),
                         "--count", "200", "--size", "100"], capture_output=True, text=True,
                        timeout=TOOL_TIMEOUT)
    assert p2.returncode == 0, p2.stdout + p2.stderr
    x = q.cmd("query-net")["queues"][0]
    assert x["tx-packets"] == 200 and x["rx-packets"] == 200, x
    assert x["tx-bytes"] >= 200 * 100 and x["rx-bytes"] >= 200 * 100, x
    assert x["rx-dropped"] == x["tx-dropped"] == 0, x


def link_event(q, up, notification):
    ev = q.event("NETDEV_LINK_CHANGED")
    assert ev == {"name": "n0", "up": up, "notification": notification}, ev


def test_set_link_config_change(program, watch):
    """A front-end that reads the config space is told by a config change."""
    p = program("net")
    q = checked(p)
    w = watch(p.vu_sock, "net")
    w.wait_line("READY")
    assert w.seen("CONFIG ") == "CONFIG status=0x1 link=up"
    assert q.cmd("set_link", {"name": "n0", "up": False}) == {}
    assert w.wait_line("CONFIG-CHANGE").endswith("link=down")
    link_event(q, False, "config-change")
    assert q.cmd("query-net")["link-up"] is False
    assert q.cmd("query-vhost-user")["connected"] is True
    # Down again: nothing changes, so no event and no message
    assert q.cmd("set_link", {"name": "n0", "up": False}) == {}
    assert q.no_event("NETDEV_LINK_CHANGED")
    assert w.no_line("CONFIG-CHANGE")
    assert q.cmd("set_link", {"name": "n0", "up": True}) == {}
    line = w.wait_line("CONFIG-CHANGE")
    assert "status=0x1" in line and line.endswith("link=up"), line
    link_event(q, True, "config-change")
    assert q.cmd("query-net")["link-up"] is True
    assert w.stop() == 0


def test_set_link_reconnect(program, watch):
    """A front-end that keeps the config space itself: down ends the session
    and refuses front-ends until the link is up again."""
    p = program("net")
    q = checked(p)
    w = watch(p.vu_sock, "net", "--no-config")
    w.wait_line("READY")
    assert q.cmd("set_link", {"name": "n0", "up": False}) == {}
    link_event(q, False, "reconnect")
    q.event("VHOST_USER_DISCONNECTED")
    w.wait_exit()
    assert q.wait_status("link-down")["running"] is False
    fe = MiniFrontend.connect(p.vu_sock)
    try:
        assert fe.closed_by_peer(), "a front-end was accepted while the link is down"
    finally:
        fe.close()
    assert q.cmd("set_link", {"name": "n0", "up": True}) == {}
    link_event(q, True, "reconnect")
    q.wait_status("waiting")
    fe = MiniFrontend.connect(p.vu_sock)
    try:
        fe.get_features()
    finally:
        fe.close()


def test_set_link_without_frontend(program):
    p = program("net")
    q = checked(p)
    assert q.cmd("set_link", {"name": "n0", "up": False}) == {}
    link_event(q, False, "none")
    assert q.cmd("query-net")["link-up"] is False
    assert q.cmd("set_link", {"name": "n0", "up": True}) == {}
    # no front-end to tell; "reconnect" (front-ends are accepted again) also
    # fits the schema's words
    ev = q.event("NETDEV_LINK_CHANGED")
    assert ev["up"] is True and ev["notification"] in ("none", "reconnect"), ev
    assert q.cmd("query-net")["link-up"] is True


def test_set_link_errors(program):
    p = program("net")
    q = checked(p)
    e = q.error("set_link", {"name": "nosuch", "up": False})
    assert e.cls == "DeviceNotFound" and "nosuch" in e.desc, e.response
    for args, desc in [
        ({"name": "n0"}, "Parameter 'up' is missing"),
        ({"up": False}, "Parameter 'name' is missing"),
        ({"name": "n0", "up": "no"}, "Invalid parameter type for 'up', expected: boolean"),
        ({"name": "n0", "up": 0}, "Invalid parameter type for 'up', expected: boolean"),
        ({"name": 0, "up": False}, "Invalid parameter type for 'name', expected: string"),
        ({"name": "n0", "up": False, "x": 1}, "Parameter 'x' is unexpected"),
    ]:
        e = q.error("set_link", args)
        assert (e.cls, e.desc) == ("GenericError", desc), e.response
    assert q.cmd("query-net")["link-up"] is True
    assert q.no_event("NETDEV_LINK_CHANGED")
