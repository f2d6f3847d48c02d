# SPDX-License-Identifier: GPL-2.0-or-later
"""Run DPDK's dpdk-testpmd as an independent vhost-user peer of our code.

Two roles:
- vhost PMD (--vdev net_vhost0,iface=SOCK): a vhost-user-net BACK-END, the
  reference the test front-end (qd-frontend net-*) is checked against first;
- virtio-user PMD (--vdev net_virtio_user0,path=SOCK): a vhost-user-net
  FRONT-END, to drive our back-end and count what it forwards.

testpmd runs without hugepages or PCI devices, with its own --file-prefix and
no shared configuration files, so several can run side by side. It
runs non-interactively: forwarding starts at once, --stats-period prints port
statistics every period, and SIGINT makes it stop forwarding and print the
forward statistics of the whole run, which stop() parses. stdin stays an open
pipe, because without --stats-period testpmd waits for a key press there.
"""
import itertools
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

TESTPMD = "dpdk-testpmd"
_counter = itertools.count()

# Lines of the forward statistics block, per port and accumulated
_FWD_PORT = re.compile(r"-+ Forward statistics for port (\d+) +-+")
_FWD_ALL = re.compile(r"\++ Accumulated forward statistics for all ports\++")
_KV = re.compile(r"([A-Za-z][A-Za-z-]*(?:-[a-z]+)?):\s+(\d+)")
_PPS = re.compile(r"(Rx|Tx)-pps:\s+(\d+)")
_NIC = re.compile(r"#+ NIC statistics for port (\d+) +#+")


def binary() -> str:
    """Path of dpdk-testpmd, or "" when DPDK is not installed."""
    return shutil.which(TESTPMD) or ""


def unavailable() -> str:
    """Why testpmd cannot run here (Debian: apt-get install dpdk-dev), or ""."""
    if not binary():
        return "dpdk-testpmd is not installed (Debian: dpdk-dev)"
    return ""


def parse_counters(text: str) -> dict:
    """"RX-packets: 5  RX-dropped: 0 ..." -> {"RX-packets": 5, ...}."""
    return {k: int(v) for k, v in _KV.findall(text)}


def parse_forward_stats(log: str) -> dict:
    """The forward statistics testpmd prints when it stops.

    Returns {"ports": {0: {...}}, "total": {...}}, with the counters of each
    block ("RX-packets", "RX-dropped", "RX-total", "TX-packets", "TX-dropped",
    "TX-total"). With a single port testpmd prints no accumulated block, and
    "total" is that port's. Raises ValueError if no block is there.
    """
    ports = {}
    total = None
    lines = log.splitlines()
    for i, line in enumerate(lines):
        m = _FWD_PORT.search(line)
        if m:
            ports[int(m.group(1))] = parse_counters("\n".join(lines[i + 1:i + 4]))
        elif _FWD_ALL.search(line):
            total = parse_counters("\n".join(lines[i + 1:i + 3]))
    if not ports:
        raise ValueError("no forward statistics in the testpmd log")
    if total is None:
        total = next(iter(ports.values())) if len(ports) == 1 else {}
    return {"ports": ports, "total": total}


def parse_port_stats(log: str) -> dict:
    """{port: counters} of the last --stats-period report of each port.

    Counters: "RX-packets", "RX-missed", "RX-bytes", "RX-errors",
    "RX-nombuf", "TX-packets", "TX-errors", "TX-bytes" (totals since start).
    """
    ports = {}
    lines = log.splitlines()
    for i, line in enumerate(lines):
        m = _NIC.search(line)
        if m:
            ports[int(m.group(1))] = parse_counters("\n".join(lines[i + 1:i + 5]))
    return ports


def parse_pps(log: str) -> list:
    """(rx_pps, tx_pps) of every --stats-period report, in order."""
    rx = []
    tx = []
    for kind, value in _PPS.findall(log):
        (rx if kind == "Rx" else tx).append(int(value))
    return list(zip(rx, tx))


class TestPmd:
    """One dpdk-testpmd process with one vdev port."""

    def __init__(self, workdir: Path, vdev: str, forward_mode="io", lcores="0@0,1@1",
                 queues=1, stats_period=None, tx_first=False, app_args=(), name="testpmd",
                 mbufs=16384, prefix_cmd=()):
        """Start testpmd: EAL options for a hugepage-less run, then the app's.

        @vdev: the --vdev argument; @queues: RX and TX queues of the port;
        @stats_period: seconds between port statistics reports (None: none);
        @tx_first: send a burst first (io loops need one to start);
        @app_args: more application options, e.g. ["--txpkts=64"];
        @prefix_cmd: run under this, e.g. ["taskset", "-c", "1"].
        """
        if not binary():
            raise RuntimeError(unavailable())
        self.name = name
        self.prefix = f"qd-{name}-{os.getpid()}-{next(_counter)}"
        self.log_path = Path(workdir) / f"{self.prefix}.log"
        # --no-flush-rx: at start, testpmd would drop what already arrived
        app = ["--nb-cores=1", f"--total-num-mbufs={mbufs}", f"--forward-mode={forward_mode}",
               f"--rxq={queues}", f"--txq={queues}", "--no-flush-rx"]
        if stats_period:
            app.append(f"--stats-period={stats_period}")
        if tx_first:
            app.append("--tx-first")
        # Line-buffered: the log is a file, and wait_log() reads it live
        self.argv = [*prefix_cmd, "stdbuf", "-oL", binary(), "--no-huge", "-m", "1024", "--no-pci",
                     "--no-shconf", "--lcores", lcores, f"--file-prefix={self.prefix}",
                     "--vdev", vdev, "--", *app, *app_args]
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.stats = None

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def running(self) -> bool:
        return self.proc.poll() is None

    def wait_log(self, needle: str, timeout=30.0):
        """Wait until @needle is in the log; RuntimeError if testpmd exits or time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in self.log():
                return
            if not self.running():
                raise RuntimeError(f"testpmd exited with {self.proc.returncode} before "
                                   f"'{needle}':\n{self.log()}")
            time.sleep(0.05)
        raise TimeoutError(f"testpmd: no '{needle}' within {timeout}s:\n{self.log()}")

    # Printed when the forwarding loop starts, in every mode
    STARTED = "packet forwarding - ports="

    def wait_forwarding(self, timeout=30.0):
        """Wait until testpmd forwards (its ports are started and, for the
        vhost PMD, its socket listens)."""
        self.wait_log(self.STARTED, timeout)

    def wait_socket(self, path: Path, timeout=30.0):
        """Wait until testpmd's vhost PMD listens on @path and forwards."""
        self.wait_forwarding(timeout)
        if not Path(path).exists():
            raise RuntimeError(f"testpmd forwards but {path} does not exist:\n{self.log()}")

    def wait_port_stat(self, name: str, value: int, port=0, timeout=30.0) -> dict:
        """With --stats-period: wait until counter @name of @port reaches
        @value; returns the last report (which may show it short of it)."""
        deadline = time.monotonic() + timeout
        stats = {}
        while time.monotonic() < deadline:
            stats = parse_port_stats(self.log()).get(port, {})
            if stats.get(name, 0) >= value or not self.running():
                break
            time.sleep(0.1)
        return stats

    def stop(self, timeout=30.0) -> dict:
        """SIGINT, wait, parse the forward statistics (see parse_forward_stats())."""
        if self.running():
            self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise TimeoutError(f"testpmd ignored SIGINT for {timeout}s:\n{self.log()}")
        self._close()
        self.stats = parse_forward_stats(self.log())
        return self.stats

    def kill(self):
        """Stop at once (test teardown); no statistics."""
        if self.running():
            self.proc.kill()
            self.proc.wait()
        self._close()

    def _close(self):
        if self.proc.stdin and not self.proc.stdin.closed:
            self.proc.stdin.close()
        if not self._log.closed:
            self._log.close()
        shutil.rmtree(f"/var/run/dpdk/{self.prefix}", ignore_errors=True)


def vhost_vdev(sock: Path, queues=1) -> str:
    """--vdev of the vhost PMD: testpmd is the back-end, listening on @sock."""
    return f"net_vhost0,iface={sock},queues={queues}"


def virtio_user_vdev(sock: Path, queues=1, mrg_rxbuf=None, in_order=None,
                     queue_size=None) -> str:
    """--vdev of the virtio-user PMD: testpmd is the front-end, connecting to @sock."""
    v = f"net_virtio_user0,path={sock},queues={queues}"
    if mrg_rxbuf is not None:
        v += f",mrg_rxbuf={int(mrg_rxbuf)}"
    if in_order is not None:
        v += f",in_order={int(in_order)}"
    if queue_size is not None:
        v += f",queue_size={queue_size}"
    return v
