# SPDX-License-Identifier: GPL-2.0-or-later
"""DPDK's virtio-user PMD as an independent FRONT-end of qemu-dev-vhost-user-net.

dpdk-testpmd plays the guest: it negotiates, sets up the rings and moves
frames with code that shares nothing with ours. What goes in must come out,
and three parties count it: testpmd (its forward statistics), our back-end
(the per-pair counters it prints when it exits) and, for a stream netdev, a
peer here at the far end. The counts must agree exactly, except for drops
the back-end counts under a documented name (tx_dropped_backlog: the netdev
could not take a frame fast enough).
"""
import threading
import time

import pytest

from qdtest import dpdk
from qdtest.prereq import missing
import test_net_frontend
from test_net_frontend import (Frames, StreamPeer, Tally, counter_sum, crc_sum,
                               stop_backend)

# Our back-end, started as in test_net_frontend.py (a fixture shared by name)
net_backend = test_net_frontend.net_backend

# Counters that must stay 0 whatever the load
NEVER = ("rx_dropped_too_big", "tx_dropped_bad", "tx_dropped_too_big", "tx_dropped_netdev")


class Counter:
    """A peer's tally that only counts frames and bytes (testpmd's are not ours)."""

    def __init__(self, keep=0):
        self.frames = 0
        self.nbytes = 0
        self.lengths = set()
        self.kept = []
        self.keep = keep
        self.lock = threading.Lock()

    def add(self, frame: bytes):
        with self.lock:
            self.frames += 1
            self.nbytes += len(frame)
            self.lengths.add(len(frame))
            if len(self.kept) < self.keep:
                self.kept.append(frame)

    def wait(self, count, timeout=60.0, settle=0.5) -> int:
        """Wait until @count frames arrived, then @settle seconds for strays."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.frames < count:
            time.sleep(0.05)
        time.sleep(settle)
        return self.frames


@pytest.fixture
def testpmd_user(short_tmp):
    """Start dpdk-testpmd with the virtio-user PMD, connected to @sock."""
    if dpdk.unavailable():
        missing(dpdk.unavailable())
    started = []

    def start(sock, forward_mode, queues=1, tx_first=False, vdev_opts=None, app_args=(),
              stats_period=None):
        t = dpdk.TestPmd(short_tmp, dpdk.virtio_user_vdev(sock, queues, **(vdev_opts or {})),
                         forward_mode=forward_mode, queues=queues, tx_first=tx_first,
                         app_args=app_args, stats_period=stats_period, name="virtio-user")
        started.append(t)
        t.wait_forwarding()
        return t

    yield start
    for t in started:
        t.kill()


def check_never(counters):
    for name in NEVER:
        assert counter_sum(counters, name) == 0, (name, counters)


def start_stream(net_backend, short_tmp, *opts):
    path = short_tmp / "stream.sock"
    b, sock = net_backend(f"stream,id=n0,server=on,addr.type=unix,addr.path={path}", *opts)
    return b, sock, path


def test_txonly_to_stream_peer(net_backend, testpmd_user, short_tmp):
    """testpmd sends 64-byte frames for a while: each one it counts reaches the peer."""
    b, sock, path = start_stream(net_backend, short_tmp)
    got = Counter()
    peer = StreamPeer(path, got)
    try:
        t = testpmd_user(sock, "txonly", app_args=["--txpkts=64"])
        time.sleep(2)
        sent = t.stop()["total"]["TX-packets"]
        assert sent > 1000, f"testpmd sent only {sent} frames:\n{t.log()}\n{b.log()}"
        arrived = got.wait(sent)
        assert peer.error is None
    finally:
        peer.close()
    counters = stop_backend(b)
    check_never(counters)
    tx = counter_sum(counters, "tx_frames")
    backlog = counter_sum(counters, "tx_dropped_backlog")
    assert tx + backlog == sent, (sent, counters)
    assert arrived == tx, f"testpmd sent {sent}, back-end forwarded {tx}, peer got {arrived}"
    assert got.lengths == {64}
    assert counter_sum(counters, "tx_bytes") == 64 * tx


def test_stream_peer_to_rxonly(net_backend, testpmd_user, short_tmp):
    """Frames the peer injects show up as testpmd's RX-packets, none lost."""
    b, sock, path = start_stream(net_backend, short_tmp)
    peer = StreamPeer(path, Counter())
    frames = Frames().make_many(3000)
    try:
        t = testpmd_user(sock, "rxonly", stats_period=1)
        peer.send(frames)
        t.wait_port_stat("RX-packets", len(frames), timeout=60)
        time.sleep(0.5)  # for strays
        stats = t.stop()
    finally:
        peer.close()
    counters = stop_backend(b)
    check_never(counters)
    assert counter_sum(counters, "rx_dropped_no_buffer") == 0, counters
    assert counter_sum(counters, "rx_frames") == len(frames), counters
    assert counter_sum(counters, "rx_bytes") == sum(map(len, frames)), counters
    assert stats["total"]["RX-packets"] == len(frames), (stats, counters)


@pytest.mark.parametrize("vdev_opts", [{}, {"mrg_rxbuf": 0}, {"in_order": 0}],
                         ids=["default", "no-mrg", "no-in-order"])
def test_stream_peer_round_trip(net_backend, testpmd_user, short_tmp, vdev_opts):
    """Peer -> our RX ring -> testpmd io -> our TX ring -> peer: every frame
    comes back intact (io forwarding does not touch frames).

    The one loss allowed is testpmd's own: io forwarding drops what does not
    fit our TX ring at once (its TX-dropped), if our back-end falls behind.
    """
    b, sock, path = start_stream(net_backend, short_tmp)
    frames = Frames()
    back = Tally(frames, src=2)
    peer = StreamPeer(path, back)
    sent = frames.make_many(2000, 60, 1514)
    try:
        t = testpmd_user(sock, "io", vdev_opts=vdev_opts)
        # Paced: what comes back goes out through the TX backlog, see PEER_RATE
        peer.send(sent, burst=20, pause=0.01)
        back.wait(len(sent), 30)
        time.sleep(0.3)
        stats = t.stop()["total"]
        time.sleep(0.3)
    finally:
        peer.close()
    counters = stop_backend(b)
    check_never(counters)
    assert not back.problems, back.problems[:5]
    assert stats["RX-packets"] == counter_sum(counters, "rx_frames") == len(sent), \
        (stats, counters)
    assert stats["TX-packets"] + stats["TX-dropped"] == len(sent), stats
    assert counter_sum(counters, "tx_frames") == stats["TX-packets"], (stats, counters)
    assert back.count == stats["TX-packets"], (back.count, stats, counters)
    if not stats["TX-dropped"]:
        assert back.crc_sum == crc_sum(sent)


@pytest.mark.parametrize("queues,vdev_opts", [(1, {}), (1, {"mrg_rxbuf": 0}), (2, {})],
                         ids=["default", "no-mrg", "two-pairs"])
def test_loopback_io(net_backend, testpmd_user, queues, vdev_opts):
    """testpmd io --tx-first through our loopback: the first burst circulates.

    Frames in flight when testpmd stops (at most the burst per queue) are the
    only difference allowed between what it sent and what it got back.
    """
    b, sock = net_backend("loopback,id=n0", f"--queues={queues}")
    t = testpmd_user(sock, "io", queues=queues, tx_first=True, vdev_opts=vdev_opts)
    time.sleep(2)
    stats = t.stop()["total"]
    counters = stop_backend(b)
    check_never(counters)
    rx, tx = stats["RX-packets"], stats["TX-packets"]
    assert rx > 1000, (stats, counters)
    assert 0 <= tx - rx <= 32 * queues, stats
    assert stats["TX-dropped"] == 0, stats
    assert counter_sum(counters, "tx_frames") == tx, (stats, counters)
    assert rx <= counter_sum(counters, "rx_frames") <= tx, (stats, counters)
    assert counter_sum(counters, "rx_dropped_no_buffer") == 0, counters
    if queues > 1:
        assert all(p["tx_frames"] > 0 for p in counters.values()), counters


def test_null_txonly(net_backend, testpmd_user):
    """Frames into null: counted by the back-end exactly as testpmd sent them."""
    b, sock = net_backend("null,id=n0")
    t = testpmd_user(sock, "txonly", app_args=["--txpkts=64"])
    time.sleep(1)
    sent = t.stop()["total"]["TX-packets"]
    counters = stop_backend(b)
    check_never(counters)
    assert sent > 1000
    assert counter_sum(counters, "tx_frames") == sent, (sent, counters)
    assert counter_sum(counters, "tx_bytes") == 64 * sent
