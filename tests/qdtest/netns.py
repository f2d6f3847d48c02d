# SPDX-License-Identifier: GPL-2.0-or-later
"""Private network namespaces, tap and veth links for tests that need real links.

A test gets its own namespace (qd-e2e-<pid>-<n>), so it addresses nothing but
links it created itself, and deleting the namespace takes every link in it
away. Processes started with Netns.argv() run inside it; the test must end
them before delete(): a namespace lives on while a process is inside.
"""
import itertools
import os
import re
import shutil
import signal
import subprocess
import time

IP = "ip"
PREFIX = "qd-e2e-"
_counter = itertools.count()


class NetnsError(RuntimeError):
    pass


def ip(*args, netns=None, check=True, timeout=10.0) -> str:
    """Run "ip [-n NETNS] ARGS..." and return its output; NetnsError on failure."""
    argv = [IP, *(("-n", netns) if netns else ()), *map(str, args)]
    try:
        r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise NetnsError(f"{' '.join(argv)}: no answer in {timeout}s") from e
    if check and r.returncode != 0:
        raise NetnsError(f"{' '.join(argv)}: exit {r.returncode}: {r.stderr.strip()}")
    return r.stdout


def unavailable() -> str:
    """Why this machine cannot give a test a namespace with a tap, or ""."""
    if not shutil.which(IP):
        return "no ip command (Debian: iproute2)"
    if not os.path.exists("/dev/net/tun"):
        return "no /dev/net/tun: the kernel or container has no TUN/TAP"
    probe = None
    try:
        probe = Netns()
        probe.tap("qdprobe0")
    except NetnsError as e:
        return f"cannot create a network namespace with a tap in it: {e}"
    finally:
        if probe:
            probe.delete()
    return ""


def remove_stale():
    """Delete namespaces left by test runs whose process is gone (killed runs)."""
    try:
        names = ip("netns", "list", check=False).split("\n")
    except NetnsError:
        return
    for line in names:
        m = re.match(rf"({PREFIX}(\d+)-\d+)\b", line)
        if m and not os.path.exists(f"/proc/{m.group(2)}"):
            ip("netns", "delete", m.group(1), check=False)


class Netns:
    """A network namespace of this test process, with loopback up."""

    def __init__(self):
        self.name = f"{PREFIX}{os.getpid()}-{next(_counter)}"
        ip("netns", "add", self.name)
        self.deleted = False
        try:
            ip("link", "set", "lo", "up", netns=self.name)
        except NetnsError:
            self.delete()
            raise

    def argv(self, argv) -> list:
        """@argv run inside the namespace ("ip netns exec" execs it: same pid)."""
        return [IP, "netns", "exec", self.name, *map(str, argv)]

    def run(self, *argv, timeout=10.0) -> subprocess.CompletedProcess:
        """Run a short command inside the namespace and wait for it."""
        return subprocess.run(self.argv(argv), stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=timeout)

    def ip(self, *args, check=True) -> str:
        return ip(*args, netns=self.name, check=check)

    def tap(self, ifname: str, multi_queue=False, vnet_hdr=False):
        """A persistent tap @ifname that a back-end attaches to later."""
        self.ip("tuntap", "add", "dev", ifname, "mode", "tap",
                *(["multi_queue"] if multi_queue else []),
                *(["vnet_hdr"] if vnet_hdr else []))

    def veth(self, ifname: str, peer: str, peer_netns: "Netns" = None):
        """A veth pair @ifname here and @peer here or in @peer_netns."""
        where = ["netns", peer_netns.name] if peer_netns else []
        self.ip("link", "add", ifname, "type", "veth", "peer", "name", peer, *where)

    def has_link(self, ifname: str) -> bool:
        return ip("link", "show", "dev", ifname, netns=self.name, check=False) != ""

    def wait_link(self, ifname: str, timeout=10.0, alive=None) -> bool:
        """Wait until link @ifname exists; False on timeout or once alive() is false."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.has_link(ifname):
                return True
            if alive is not None and not alive():
                return False
            time.sleep(0.05)
        return False

    def address(self, ifname: str, cidr: str):
        """Give @ifname the address @cidr and bring it up."""
        self.ip("addr", "add", cidr, "dev", ifname)
        self.ip("link", "set", ifname, "up")

    def links(self) -> str:
        """"ip -s link" inside the namespace, for failure messages."""
        return ip("-s", "link", netns=self.name, check=False)

    def pids(self) -> list:
        """The processes inside the namespace."""
        return [int(p) for p in ip("netns", "pids", self.name, check=False).split()]

    def kill_processes(self, timeout=5.0):
        """SIGKILL whatever the test left running inside; wait until it is gone."""
        deadline = time.monotonic() + timeout
        while not self.deleted and time.monotonic() < deadline:
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.05)

    def delete(self):
        """Delete the namespace and with it every link in it. Idempotent."""
        if not self.deleted:
            ip("netns", "delete", self.name, check=False)
            self.deleted = True
