# SPDX-License-Identifier: GPL-2.0-or-later
"""The test front-end's net commands (qd-frontend net-*), first against DPDK's
vhost PMD, then against our back-end, qemu-dev-vhost-user-net.

DPDK's vhost library is an independent vhost-user-net back-end: with testpmd
forwarding in io mode on its one port, every frame the front-end sends comes
back, so passing there shows the front-end follows the protocol rather than
the habits of our back-end. Our back-end is then driven with each host-side
netdev whose far end a test can hold: dgram (a UDP socket), stream (a UNIX
socket with 4-byte big-endian length framing), loopback and null. Frames are
checked one by one on both sides: the peer here rebuilds every frame the
front-end sends, and the front-end checks every frame the peer injects.

The frame layout and helpers below mirror tests/frontend/cmd-net.c and are
shared with test_net_dpdk.py.
"""
import json
import re
import signal
import socket
import struct
import subprocess
import threading
import time
import zlib
from pathlib import Path

import pytest

from qdtest import dpdk
from qdtest.prereq import missing

TOOL_TIMEOUT = 180
SANITIZER_REPORTS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")

# ---------------------------------------------------------------- frames

FRAME_HDR = 30
ETHERTYPE = b"\x88\xb5"
MAGIC = b"QDNF"
SRC_MAC_PREFIX = b"\x02\x71\x64\x00\x00"
TABLE_START = 4096
TABLE_SIZE = TABLE_START + 65535
M32 = (1 << 32) - 1
M64 = (1 << 64) - 1
TOOL_SRC = 1  # source id of the front-end's frames (its default --src-id)
PEER_SRC = 2  # source id of the frames a peer here injects


def pattern_table(seed: int) -> bytes:
    """The byte table frame payloads are cut from (xorshift64*, little-endian)."""
    x = (seed ^ 0x9E3779B97F4A7C15) & M64 or 1
    out = bytearray()
    for _ in range((TABLE_SIZE + 7) // 8):
        x ^= x >> 12
        x ^= (x << 25) & M64
        x ^= x >> 27
        out += ((x * 0x2545F4914F6CDD1D) & M64).to_bytes(8, "little")
    return bytes(out[:TABLE_SIZE])


def frame_mix(seed: int, seq: int) -> int:
    h = (seq * 2654435761 + (seed & M32)) & M32
    h ^= h >> 16
    h = (h * 0x45D9F3B) & M32
    return h ^ (h >> 16)


def frame_size(seed: int, seq: int, lo: int, hi: int) -> int:
    """Length of frame @seq for --size LO-HI."""
    return lo + frame_mix(seed, seq) % (hi - lo + 1)


class Frames:
    """Builds and checks the frames of one seed."""

    def __init__(self, seed=1):
        self.seed = seed
        self.table = pattern_table(seed)

    def payload(self, seq, src, length):
        off = (seq * 131 + src * 17) % TABLE_START
        return self.table[off:off + length - FRAME_HDR]

    def make(self, seq, size, src=PEER_SRC, dst=b"\x52\x54\x00\x12\x34\x56") -> bytes:
        payload = self.payload(seq, src, size)
        return (dst + SRC_MAC_PREFIX + bytes([src & 0xFF]) + ETHERTYPE + MAGIC
                + struct.pack("<IHHI", seq, size, src, zlib.crc32(payload)) + payload)

    def make_many(self, count, lo=60, hi=1514, src=PEER_SRC):
        return [self.make(seq, frame_size(self.seed, seq, lo, hi), src) for seq in range(count)]

    def check(self, frame: bytes):
        """(source id, sequence number) of an intact frame; ValueError says what is wrong."""
        if len(frame) < FRAME_HDR or frame[12:14] != ETHERTYPE or frame[14:18] != MAGIC:
            raise ValueError(f"not a test frame: {frame[:18].hex()}")
        seq, length, src, crc = struct.unpack_from("<IHHI", frame, 18)
        if length != len(frame):
            raise ValueError(f"frame {seq}: length field {length}, received {len(frame)}")
        if frame[6:12] != SRC_MAC_PREFIX + bytes([src & 0xFF]):
            raise ValueError(f"frame {seq}: source MAC {frame[6:12].hex()} for source {src}")
        payload = frame[FRAME_HDR:]
        if zlib.crc32(payload) != crc:
            raise ValueError(f"frame {seq}: CRC-32 mismatch")
        if payload != self.payload(seq, src, length):
            raise ValueError(f"frame {seq}: payload differs from the pattern")
        return src, seq


class Tally:
    """What a peer received: intact frames by sequence number, and problems."""

    def __init__(self, frames: Frames, src=TOOL_SRC):
        self.frames = frames
        self.src = src
        self.seqs = set()
        self.crc_sum = 0
        self.nbytes = 0
        self.problems = []
        self.lock = threading.Lock()

    def add(self, frame: bytes):
        with self.lock:
            try:
                src, seq = self.frames.check(frame)
                if src != self.src:
                    raise ValueError(f"frame {seq} of source {src}, expected {self.src}")
                if seq in self.seqs:
                    raise ValueError(f"frame {seq} twice")
            except ValueError as e:
                self.problems.append(str(e))
                return
            self.seqs.add(seq)
            self.crc_sum += zlib.crc32(frame)
            self.nbytes += len(frame)

    @property
    def count(self):
        with self.lock:
            return len(self.seqs)

    def wait(self, count, timeout=30.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.count >= count:
                return True
            time.sleep(0.02)
        return False

    def check_complete(self, count, summary):
        """Exactly frames 0..count-1, intact, with the CRC sum the front-end sent."""
        assert not self.problems, f"{len(self.problems)} bad frames: {self.problems[:5]}"
        missing = sorted(set(range(count)) - self.seqs)
        assert self.seqs == set(range(count)), \
            f"peer got {len(self.seqs)} of {count} frames; missing {missing[:10]}"
        assert self.crc_sum == summary["tx_crc_sum"]
        assert self.nbytes == summary["sent_bytes"]


def crc_sum(frames) -> int:
    return sum(zlib.crc32(f) for f in frames)


# ---------------------------------------------------------------- peers

class StreamPeer:
    """Far end of a stream netdev: frames preceded by a 4-byte big-endian length.

    Every frame received goes to @tally.add(); with @paused, reading starts
    only at resume().
    """

    def __init__(self, path: Path, tally, timeout=30.0, paused=False):
        self.tally = tally
        self.reading = threading.Event()
        if not paused:
            self.reading.set()
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock.connect(str(path))
                break
            except (FileNotFoundError, ConnectionRefusedError):
                # The back-end creates the socket at start, listens soon after
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.sock.settimeout(timeout)
        self.error = None
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def resume(self):
        self.reading.set()

    def _read(self):
        buf = bytearray()
        self.reading.wait()
        try:
            while True:
                try:
                    data = self.sock.recv(1 << 20)
                except socket.timeout:
                    continue
                if not data:
                    return
                buf += data
                off = 0
                while len(buf) - off >= 4:
                    n = int.from_bytes(buf[off:off + 4], "big")
                    if len(buf) - off - 4 < n:
                        break
                    self.tally.add(bytes(buf[off + 4:off + 4 + n]))
                    off += 4 + n
                del buf[:off]
        except OSError as e:
            if self.sock.fileno() >= 0:
                self.error = e

    def send(self, frames, burst=0, pause=0.0):
        """Send @frames; with @burst, sleep @pause seconds after every @burst."""
        for i, f in enumerate(frames):
            self.sock.sendall(struct.pack(">I", len(f)) + f)
            if burst and i % burst == burst - 1:
                time.sleep(pause)

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.reading.set()
        self.reader.join(10)
        self.sock.close()


class DgramPeer:
    """Far end of a dgram netdev: one UDP datagram per frame."""

    def __init__(self, tally: Tally):
        self.tally = tally
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.sock.settimeout(0.2)
        self.closing = False
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while not self.closing:
            try:
                self.tally.add(self.sock.recv(1 << 16))
            except socket.timeout:
                continue
            except OSError:
                return

    def send(self, frames, port, burst=16, pause=0.002):
        """Paced, so that no datagram is lost in a full socket buffer."""
        for i, f in enumerate(frames):
            self.sock.sendto(f, ("127.0.0.1", port))
            if i % burst == burst - 1:
                time.sleep(pause)

    def close(self):
        self.closing = True
        self.reader.join(10)
        self.sock.close()


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- the tool

def summary_of(stdout: str):
    for line in reversed(stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return None


def check_tool_output(args, stderr):
    for report in SANITIZER_REPORTS:
        assert report not in stderr, f"qd-frontend {args[0]}: sanitizer report:\n{stderr}"


def run_net(tool, cmd, sock, *args, timeout=TOOL_TIMEOUT):
    """Run qd-frontend net-CMD; returns (exit status, summary, stderr)."""
    argv = [str(tool), cmd, "--socket", str(sock), *[str(a) for a in args]]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    check_tool_output(argv[1:], p.stderr)
    return p.returncode, summary_of(p.stdout), p.stderr


class NetTool:
    """qd-frontend net-* in the background, for a peer to talk to while it runs."""

    def __init__(self, tool, cmd, sock, workdir: Path, *args):
        self.ready = workdir / f"ready-{time.monotonic_ns()}"
        self.argv = [str(tool), cmd, "--socket", str(sock), "--ready-file", str(self.ready),
                     *[str(a) for a in args]]
        self.proc = subprocess.Popen(self.argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)

    def wait_ready(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ready.exists():
                return
            if self.proc.poll() is not None:
                out, err = self.proc.communicate()
                raise AssertionError(
                    f"qd-frontend exited with {self.proc.returncode}:\n{out}\n{err}")
            time.sleep(0.02)
        raise TimeoutError("qd-frontend did not start its rings")

    def finish(self, timeout=TOOL_TIMEOUT):
        """Wait for the tool; returns (exit status, summary, stderr)."""
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
            raise AssertionError(f"qd-frontend did not finish in {timeout}s:\n{out}\n{err}")
        check_tool_output(self.argv[1:], err)
        return self.proc.returncode, summary_of(out), err

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


def assert_ok(rc, summary, err, backend=None):
    log = backend.log() if backend else ""
    assert rc == 0 and summary and summary["result"] == "ok", \
        f"qd-frontend failed ({rc}):\n{summary}\n{err}\nback-end log:\n{log}"
    assert summary["rx_bad"] == summary["rx_dup"] == summary["rx_foreign"] == 0, summary
    assert summary["rx_missing"] == 0, summary


# ---------------------------------------------------------------- back-ends

COUNTERS = re.compile(r"pair (\d+): ((?:[a-z_]+=\d+ ?)+)")


def parse_pair_counters(log: str) -> dict:
    """{pair: {counter: value}} from the lines the back-end prints when it exits."""
    pairs = {}
    for m in COUNTERS.finditer(log):
        pairs[int(m.group(1))] = {k: int(v) for k, v in
                                  (kv.split("=") for kv in m.group(2).split())}
    return pairs


def counter_sum(pairs: dict, name: str) -> int:
    return sum(p[name] for p in pairs.values())


def stop_backend(b) -> dict:
    """SIGTERM: the back-end must exit 0, with a clean log; returns its counters."""
    assert b.running(), f"back-end exited with {b.proc.returncode}:\n{b.log()}"
    rc, _ = b.terminate(signal.SIGTERM)
    log = b.log()
    assert rc == 0, f"back-end exit status {rc} after SIGTERM:\n{log}"
    for report in SANITIZER_REPORTS:
        assert report not in log, log
    pairs = parse_pair_counters(log)
    assert pairs, f"no per-pair counters in the back-end log:\n{log}"
    b.counters = pairs
    return pairs


def wait_peer(tally, count, b, timeout=30.0):
    """Wait until the peer got @count frames; else fail with the back-end's counters."""
    if tally.wait(count, timeout):
        return
    got = tally.count
    counters = stop_backend(b) if b.running() else b.log()
    pytest.fail(f"peer got {got} of {count} frames; back-end counters: {counters}")


@pytest.fixture
def net_backend(backend_factory, net_binary, short_tmp):
    """Start qemu-dev-vhost-user-net; one not stopped by the test is stopped at teardown."""
    started = []

    def start(netdev, *opts):
        sock = short_tmp / "net.sock"
        b = backend_factory([net_binary, f"--socket-path={sock}", f"--netdev={netdev}", *opts],
                            socket=sock, name="net")
        b.wait_socket()
        started.append(b)
        return b, sock

    yield start
    for b in started:
        if getattr(b, "counters", None) is None:
            stop_backend(b)


@pytest.fixture
def testpmd_vhost(short_tmp):
    """Start dpdk-testpmd with the vhost PMD: a reference back-end looping frames back."""
    if dpdk.unavailable():
        missing(dpdk.unavailable())
    started = []

    def start(queues=1, forward_mode="io"):
        sock = short_tmp / f"vhost{len(started)}.sock"
        t = dpdk.TestPmd(short_tmp, dpdk.vhost_vdev(sock, queues), queues=queues,
                         forward_mode=forward_mode)
        started.append(t)
        t.wait_socket(sock)
        return t, sock

    yield start
    for t in started:
        t.kill()


# ---------------------------------------------------------------- DPDK, the reference

DPDK_VARIANTS = {
    "mrg": [],
    "mrg-small-buffers": ["--rx-buf", "128", "--size", "30-4000"],
    "no-mrg": ["--mrg", "off", "--lax-num-buffers"],
    "legacy-header": ["--legacy", "--mrg", "off", "--tx-segs", "2"],
    "split-chains": ["--tx-segs", "4", "--no-event-idx", "--no-indirect", "--rx-buf", "300"],
    "jumbo": ["--mrg", "off", "--lax-num-buffers", "--size", "9000", "--queue-size", "512"],
}


@pytest.mark.parametrize("variant", sorted(DPDK_VARIANTS))
def test_dpdk_loop(frontend_tool, testpmd_vhost, variant):
    """Frames sent to testpmd come back intact, with every ring layout."""
    t, sock = testpmd_vhost()
    rc, s, err = run_net(frontend_tool, "net-xfer", sock, "--count", 3000, "--linger", 100,
                         *DPDK_VARIANTS[variant])
    assert_ok(rc, s, err)
    assert s["sent"] == s["received"] == 3000
    assert s["tx_crc_sum"] == s["rx_crc_sum"]
    if variant == "mrg-small-buffers":
        assert s["per_pair"][0]["rx_merged"] > 0, s
    if variant == "legacy-header":
        assert s["hdr_len"] == 10
    stats = t.stop()
    assert stats["total"]["RX-packets"] == stats["total"]["TX-packets"] == 3000, stats


def test_dpdk_two_pairs(frontend_tool, testpmd_vhost):
    t, sock = testpmd_vhost(queues=2)
    rc, s, err = run_net(frontend_tool, "net-xfer", sock, "--pairs", 2, "--count", 4000,
                         "--rx-buf", "256")
    assert_ok(rc, s, err)
    assert [p["tx"] for p in s["per_pair"]] == [2000, 2000]
    assert [p["rx"] for p in s["per_pair"]] == [2000, 2000]
    rc, s, err = run_net(frontend_tool, "net-info", sock, "--pairs", 2)
    assert rc == 0 and s["max_pairs"] >= 2
    assert t.stop()["total"]["RX-packets"] == 4000


def test_dpdk_mangled_frames_fail(frontend_tool, testpmd_vhost):
    """testpmd's macswap sends frames back with swapped MACs: the tool must notice."""
    t, sock = testpmd_vhost(forward_mode="macswap")
    rc, s, err = run_net(frontend_tool, "net-xfer", sock, "--count", 200, "--timeout", 1000)
    assert rc == 1 and s["result"] == "failed"
    assert s["rx_bad"] > 0 and s["received"] == 0
    assert "source MAC" in err


def test_dpdk_num_buffers_strict(frontend_tool, testpmd_vhost):
    """Without MRG_RXBUF, VIRTIO 1.x wants num_buffers 1; DPDK 22.11 leaves 0.

    The tool is strict by default (our back-end must be right) and tolerates
    DPDK only with --lax-num-buffers.
    """
    t, sock = testpmd_vhost()
    rc, s, err = run_net(frontend_tool, "net-xfer", sock, "--count", 50, "--mrg", "off")
    if rc == 0:
        pytest.skip("this DPDK sets num_buffers; nothing to tolerate")
    assert "num_buffers 0 without MRG_RXBUF" in err


def test_usage_errors(frontend_tool, short_tmp):
    for args, text in [(["net-send"], "--socket"),
                       (["net-send", "--socket", "x", "--size", "10"], "--size"),
                       (["net-send", "--socket", "x", "--mrg", "maybe"], "--mrg"),
                       (["net-recv", "--socket", "x", "--recv-count", "3"], "net-xfer only"),
                       (["net-frob", "--socket", "x"], "unknown command"),
                       (["net-send", "--socket", "x", "--queue-size", "100"], "power of two")]:
        p = subprocess.run([str(frontend_tool), *args], capture_output=True, text=True,
                           timeout=30)
        assert p.returncode == 2, args
        assert text in p.stdout + p.stderr, (args, p.stderr)
    p = subprocess.run([str(frontend_tool), "net-xfer", "--help"], capture_output=True,
                       text=True, timeout=30)
    assert p.returncode == 0 and "--recv-count" in p.stdout
    rc, s, err = run_net(frontend_tool, "net-send", short_tmp / "none.sock", timeout=30)
    assert rc == 1 and "connect" in err and s["result"] == "failed"


# ---------------------------------------------------------------- ours

# Front-end options, by name: MRG_RXBUF with small buffers forces merging
VARIANTS = {
    "mrg": [],
    "mrg-merging": ["--rx-buf", "256"],
    "no-mrg": ["--mrg", "off"],
}


# Frames per second the front-end sends towards a peer here. The back-end
# completes every TX chain at once and keeps what the netdev cannot take yet
# in a short backlog, dropping (and counting) the rest: a Python peer must
# not be outrun where a test wants every frame (test_stream_burst_accounting
# outruns it on purpose).
PEER_RATE = 2000


def xfer_with_peer(tool, sock, workdir, send_to_peer, count, *args, seed=1):
    """Run net-xfer (--count frames out, as many in from the peer) while
    @send_to_peer(frames) injects the peer's; returns the tool's summary."""
    frames = Frames(seed).make_many(count)
    t = NetTool(tool, "net-xfer", sock, workdir, "--count", count, "--recv-count", count,
                "--window", 0, "--rx-src", PEER_SRC, "--seed", seed, "--linger", 200,
                "--rate", PEER_RATE, *args)
    try:
        t.wait_ready()
        send_to_peer(frames)
        rc, s, err = t.finish()
    finally:
        t.kill()
    return rc, s, err, crc_sum(frames)


@pytest.mark.parametrize("pairs", [1, 2])
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_stream(frontend_tool, net_backend, short_tmp, variant, pairs):
    """Both directions at once through a stream netdev (UNIX, server=on)."""
    path = short_tmp / "stream.sock"
    b, sock = net_backend(f"stream,id=n0,server=on,addr.type=unix,addr.path={path}",
                          f"--queues={pairs}")
    tally = Tally(Frames())
    peer = StreamPeer(path, tally)
    try:
        count = 2000
        rc, s, err, sent_crc = xfer_with_peer(frontend_tool, sock, short_tmp, peer.send, count,
                                              "--pairs", pairs, *VARIANTS[variant])
        assert_ok(rc, s, err, b)
        wait_peer(tally, count, b)
        tally.check_complete(count, s)
        assert s["received"] == count and s["rx_crc_sum"] == sent_crc
        if variant == "mrg-merging":
            assert sum(p["rx_merged"] for p in s["per_pair"]) > 0
        assert peer.error is None
    finally:
        peer.close()
    counters = stop_backend(b)
    assert counter_sum(counters, "tx_frames") == count, counters
    assert counter_sum(counters, "rx_frames") == count, counters


def test_stream_send_then_recv(frontend_tool, net_backend, short_tmp):
    """One direction at a time, in separate sessions of the same back-end."""
    path = short_tmp / "stream.sock"
    b, sock = net_backend(f"stream,id=n0,server=on,addr.type=unix,addr.path={path}")
    tally = Tally(Frames(7))
    peer = StreamPeer(path, tally)
    try:
        rc, s, err = run_net(frontend_tool, "net-send", sock, "--count", 1500, "--seed", 7,
                             "--tx-segs", 3, "--size", "30-9000", "--rate", PEER_RATE // 2)
        assert_ok(rc, s, err, b)
        wait_peer(tally, 1500, b)
        tally.check_complete(1500, s)

        frames = Frames(7).make_many(1500, 30, 9000)
        t = NetTool(frontend_tool, "net-recv", sock, short_tmp, "--count", 1500, "--seed", 7,
                    "--rx-buf", 512, "--linger", 200)
        try:
            t.wait_ready()
            peer.send(frames)
            rc, s, err = t.finish()
        finally:
            t.kill()
        assert_ok(rc, s, err, b)
        assert s["received"] == 1500 and s["rx_crc_sum"] == crc_sum(frames)
    finally:
        peer.close()


@pytest.mark.parametrize("pairs", [1, 2])
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_dgram(frontend_tool, net_backend, short_tmp, variant, pairs):
    """Both directions at once through a dgram netdev (UDP on 127.0.0.1)."""
    tally = Tally(Frames())
    peer = DgramPeer(tally)
    local = free_udp_port()
    try:
        b, sock = net_backend("dgram,id=n0,local.type=inet,local.host=127.0.0.1,"
                              f"local.port={local},remote.type=inet,remote.host=127.0.0.1,"
                              f"remote.port={peer.port}", f"--queues={pairs}")
        count = 1000
        rc, s, err, sent_crc = xfer_with_peer(frontend_tool, sock, short_tmp,
                                              lambda f: peer.send(f, local), count,
                                              "--pairs", pairs, *VARIANTS[variant])
        assert_ok(rc, s, err, b)
        wait_peer(tally, count, b)
        tally.check_complete(count, s)
        assert s["received"] == count and s["rx_crc_sum"] == sent_crc
    finally:
        peer.close()
    counters = stop_backend(b)
    assert counter_sum(counters, "tx_frames") == count, counters
    assert counter_sum(counters, "rx_frames") == count, counters


@pytest.mark.parametrize("pairs", [1, 2])
@pytest.mark.parametrize("variant", sorted(VARIANTS) + ["split-chains"])
def test_loopback(frontend_tool, net_backend, variant, pairs):
    """Frames sent come back on the RX rings."""
    b, sock = net_backend("loopback,id=n0", f"--queues={pairs}")
    extra = VARIANTS.get(variant, ["--tx-segs", "4", "--no-event-idx", "--size", "30-3000"])
    rc, s, err = run_net(frontend_tool, "net-xfer", sock, "--count", 3000, "--pairs", pairs,
                         "--linger", 100, *extra)
    assert_ok(rc, s, err, b)
    assert s["sent"] == s["received"] == 3000 and s["tx_crc_sum"] == s["rx_crc_sum"]
    counters = stop_backend(b)
    assert counter_sum(counters, "tx_frames") == 3000, counters
    assert counter_sum(counters, "rx_frames") == 3000, counters


def test_null(frontend_tool, net_backend):
    """Frames sent vanish; nothing arrives."""
    b, sock = net_backend("null,id=n0")
    rc, s, err = run_net(frontend_tool, "net-send", sock, "--count", 5000, "--linger", 200)
    assert_ok(rc, s, err, b)
    assert s["sent"] == 5000 and s["received"] == 0
    counters = stop_backend(b)
    assert counter_sum(counters, "tx_frames") == 5000, counters
    assert counter_sum(counters, "rx_frames") == 0, counters


@pytest.mark.parametrize("paused", [False, True], ids=["reading", "paused"])
def test_stream_burst_accounting(frontend_tool, net_backend, short_tmp, paused):
    """Frames sent faster than the peer reads (or while it reads nothing at
    all): whatever the back-end drops it counts, so sent = forwarded +
    tx_dropped_backlog, and the peer gets exactly the forwarded ones, intact."""
    path = short_tmp / "stream.sock"
    b, sock = net_backend(f"stream,id=n0,server=on,addr.type=unix,addr.path={path}")
    tally = Tally(Frames())
    peer = StreamPeer(path, tally, paused=paused)
    try:
        rc, s, err = run_net(frontend_tool, "net-send", sock, "--count", 5000, "--size", 1514)
        assert_ok(rc, s, err, b)
        peer.resume()
        time.sleep(1)
        counters = stop_backend(b)
        tally.wait(counter_sum(counters, "tx_frames"), 10)
    finally:
        peer.close()
    forwarded = counter_sum(counters, "tx_frames")
    assert forwarded + counter_sum(counters, "tx_dropped_backlog") == 5000, counters
    assert tally.count == forwarded, (tally.count, counters)
    assert not tally.problems, tally.problems[:5]


def test_queue_num_counts_pairs(frontend_tool, net_backend):
    """For net, GET_QUEUE_NUM answers queue pairs: QEMU compares it with
    -netdev vhost-user,queues=N, and DPDK's vhost library answers pairs."""
    b, sock = net_backend("null,id=n0", "--queues=2")
    rc, s, err = run_net(frontend_tool, "net-info", sock)
    assert rc == 0 and s["max_pairs"] == 2, (s, err)


def test_fewer_pairs_than_offered(frontend_tool, net_backend, short_tmp):
    """A guest that enables only pair 0 of 2 (QEMU before MQ_VQ_PAIRS_SET) still
    gets every frame: none may go to the disabled pair."""
    path = short_tmp / "stream.sock"
    b, sock = net_backend(f"stream,id=n0,server=on,addr.type=unix,addr.path={path}",
                          "--queues=2")
    tally = Tally(Frames())
    peer = StreamPeer(path, tally)
    try:
        rc, s, err, sent_crc = xfer_with_peer(frontend_tool, sock, short_tmp, peer.send, 1000)
        assert_ok(rc, s, err, b)
        wait_peer(tally, 1000, b)
        tally.check_complete(1000, s)
        assert s["rx_crc_sum"] == sent_crc
    finally:
        peer.close()


def test_qemu_feature_set(frontend_tool, net_backend):
    """What QEMU passes on for a Linux guest with two pairs: MQ and
    GUEST_ANNOUNCE, but never CTRL_VQ (QEMU keeps the control queue)."""
    b, sock = net_backend("loopback,id=n0", "--queues=2")
    rc, s, err = run_net(frontend_tool, "net-xfer", sock, "--count", 500, "--pairs", 2,
                         "--extra-features", hex(1 << 21))
    assert_ok(rc, s, err, b)
    assert s["acked_features"] & (1 << 22) and s["acked_features"] & (1 << 21)
    assert not s["acked_features"] & (1 << 17)


def test_sessions_one_after_another(frontend_tool, net_backend):
    """The same back-end serves one front-end session after another."""
    b, sock = net_backend("loopback,id=n0")
    for seed in (1, 2, 3):
        rc, s, err = run_net(frontend_tool, "net-xfer", sock, "--count", 500, "--seed", seed)
        assert_ok(rc, s, err, b)
    counters = stop_backend(b)
    assert counter_sum(counters, "rx_frames") == 1500, counters
