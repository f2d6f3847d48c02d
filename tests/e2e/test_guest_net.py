# SPDX-License-Identifier: GPL-2.0-or-later
"""Linux guests in QEMU reach the network through qemu-dev-vhost-user-net.

Each test boots guests whose virtio-net NIC is served by our back-end over
vhost-user; the guest (see qdguest/net) configures its address, pings (small
and fragmented), and moves data both ways with busybox wget: it downloads an
8 MiB random file and uploads 4 MiB of random text, and both ends compare
MD5 sums.

- tap: the back-end runs in a private network namespace and creates the tap
  there, or attaches to a persistent tap the test made, or runs it without
  a vnet header; the test gives the host side 10.0.2.1/24 and runs the HTTP
  server on it. Also with two queue pairs on a multiqueue tap.
- user: libslirp; the guest gets 10.0.2.15 by DHCP and reaches the test's
  HTTP server on the host's 127.0.0.1 through the gateway 10.0.2.2.
- stream: two guests, each with its own back-end, the back-ends joined by a
  stream netdev on a UNIX socket, ping each other; and the same with one side
  a plain QEMU -netdev stream (wire compatibility, in both roles).

Every scenario also runs with QEMU's own netdev instead of our back-end
(marked "reference"; deselect with -m "not reference"): the same guest and
checks against QEMU show that a failure is the back-end's, not the
harness's. Only loopback and the links of the test's own namespace are ever
addressed.
"""
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from qdguest.backends import net_argv, qemu_nic, vhost_user_nic
from qdguest.vm import wait_all

OURS = "vhost-user"
QEMU = "qemu"
SIDES = [OURS, pytest.param(QEMU, marks=pytest.mark.reference)]

MAC_A = "52:54:00:12:34:56"
MAC_B = "52:54:00:12:34:57"
TAP = "qdtap0"
POST_SIZE = 4 << 20
BOOT_TIMEOUT = 90.0
# (payload bytes, count) of the pings after the first reply (see qdguest/net)
PINGS = [("56", "3"), ("8000", "2")]
# Echo requests a guest receives from a peer that pinged it: the first reply,
# then PINGS
ECHOS = 1 + sum(int(count) for _, count in PINGS)

# QEMU gave up on the back-end and runs the NIC without it: no frame moves
VHOST_FATAL = ("falling back on userspace virtio",)

# How the tap comes to be, and its options
TAPS = {
    "created": "",                  # the back-end creates it, with a vnet header
    "existing": "",                 # the test made it persistent beforehand
    "no-vnet-hdr": ",vnet_hdr=off",  # bare frames: no offloads for the guest
}


@dataclass
class Nic:
    """A guest NIC: QEMU's options, what runs QEMU (e.g. in a namespace),
    and our back-end serving it (None for QEMU's own netdev)."""
    options: list
    prefix: list
    backend: object = None

    def alive(self, vm) -> bool:
        """Whether what opens the netdev (back-end, or QEMU) still runs."""
        return (self.backend or vm).running()


class Rig:
    """Starts one test's NICs: our back-end plus a vhost-user NIC, or QEMU's
    own netdev (the reference); back-ends end with the test (backend_factory)."""

    def __init__(self, request, guest, backend_factory, tmp: Path):
        self.request = request
        self.guest = guest
        self.backend_factory = backend_factory
        self.tmp = tmp
        self.backends = []

    def nic(self, side, netdev: str, mac: str, name: str, ns=None, queues=1) -> Nic:
        """A NIC with @queues queue pairs on @netdev: our back-end's (@side
        OURS; it runs in @ns if given) or QEMU's own (QEMU runs in @ns)."""
        if side == QEMU:
            if netdev.startswith("tap,"):
                netdev += ",script=no,downscript=no"
            if queues > 1:
                netdev += f",queues={queues}"
            return Nic(qemu_nic(netdev, mac, queues), ns.argv([]) if ns else [])
        binary = self.request.getfixturevalue("net_binary")
        sock = self.tmp / f"{name}.sock"
        argv = net_argv(binary, sock, netdev, mac,
                        *([f"--queues={queues}"] if queues > 1 else []))
        backend = self.backend_factory(ns.argv(argv) if ns else argv, socket=sock,
                                       name=name)
        self.backends.append(backend)
        backend.wait_socket()
        return Nic(vhost_user_nic(sock, mac, queues), [], backend)

    def boot(self, nic: Nic, params: dict, cpus=1):
        """Start a guest on @nic (see Guest.boot_net); a context manager."""
        return self.guest.boot_net(nic.options, params, prefix=nic.prefix, cpus=cpus,
                                   timeout=BOOT_TIMEOUT,
                                   fatal=VHOST_FATAL if nic.backend else ())

    def logs(self) -> str:
        return "".join(f"\n[{b.log_path.name}]\n{b.log()[-4000:]}" for b in self.backends)

    def stop_backends(self, why: str):
        """Every back-end outlived its guest and ends at SIGTERM with status 0."""
        for b in self.backends:
            assert b.running(), f"back-end exited with its guest\n{b.log()}\n{why}"
            rc, seconds = b.terminate()
            assert rc == 0 and seconds < 2.0, \
                f"SIGTERM: exit {rc} after {seconds:.2f}s\n{b.log()}\n{why}"


@pytest.fixture
def rig(request, guest, backend_factory, short_tmp):
    return Rig(request, guest, backend_factory, short_tmp)


def one(report, kind: str, why: str, **match) -> dict:
    """The report's QD-@kind line whose fields include @match."""
    for rec in report.records.get(kind, []):
        if all(rec.get(k) == v for k, v in match.items()):
            return rec
    raise AssertionError(f"no QD-{kind} line with {match}\n{why}")


def check_guest(report, mac: str, why: str):
    """The guest finished every step, on a NIC with address @mac."""
    assert report.status == 0 and not report.failures, why
    info = report.records["INFO"][0]
    assert info.get("mac") == mac, f"guest MAC {info.get('mac')}, not {mac}\n{why}"


def check_pings(report, peer: str, why: str):
    for size, count in PINGS:
        ping = one(report, "PING", why, dst=peer, size=size)
        assert ping["rc"] == "0" and ping["received"] == count, \
            f"ping -s {size} {peer}: {ping}\n{why}"


def transfer_params(url: str, blob) -> dict:
    return {"fetch": f"{url}/{blob.name}", "post": f"{url}/upload",
            "postsize": POST_SIZE}


def check_transfers(report, blob, url: str, server, why: str):
    """The download arrived whole, and the upload arrived as the guest sent it."""
    got = one(report, "FETCH", why, url=f"{url}/{blob.name}")
    assert got["rc"] == "0" and int(got["size"]) == blob.size, \
        f"download: {got}, want {blob.size} bytes\n{why}"
    assert got["md5"] == blob.md5, f"download corrupted: {got}, want {blob.md5}\n{why}"
    post = one(report, "POST", why, url=f"{url}/upload")
    assert post["rc"] == "0" and post["answer_size"] == post["size"] and \
        int(post["size"]) >= POST_SIZE, f"upload: {post}\n{why}"
    assert post["answer_md5"] == post["md5"], f"upload corrupted: {post}\n{why}"
    assert f"md5={post['md5']}" in server.process.log(), \
        f"the server logged no such upload\n{server.process.log()}\n{why}"


def pair_stats(log: str) -> dict:
    """{pair: {counter: value}} from the "pair N: name=value ..." lines our
    back-end logs when it ends."""
    pairs = {}
    for m in re.finditer(r"pair (\d+): ((?:\w+=\d+ ?)+)", log):
        pairs[int(m.group(1))] = {k: int(v) for k, v in
                                  (kv.split("=") for kv in m.group(2).split())}
    return pairs


def wait_path(path: Path, timeout: float, alive) -> bool:
    """Wait until @path exists; False on timeout or once alive() is false."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return True
        if not alive():
            return False
        time.sleep(0.05)
    return False


def stopped(vm):
    """The report of a guest the test gives up on."""
    vm.kill()
    return vm.wait()


def context(rig, *reports) -> str:
    """Everything needed to understand a failure, for assertion messages."""
    return "".join(f"\n[guest {n}] {r.describe(60)}" for n, r in enumerate(reports)) + \
        rig.logs()


def run_tap_guest(rig, nic: Nic, ns, params: dict, cpus=1):
    """Boot a guest on a tap NIC in @ns; once the tap exists (QEMU creates
    its own when it starts), give the host side 10.0.2.1/24. The report."""
    with rig.boot(nic, {"addr": "10.0.2.15/24", "ping": "10.0.2.1", **params},
                  cpus=cpus) as vm:
        assert ns.wait_link(TAP, 20.0, lambda: nic.alive(vm)), \
            f"no {TAP} in the namespace\n{ns.links()}{context(rig, stopped(vm))}"
        ns.address(TAP, "10.0.2.1/24")
        return vm.wait()


@pytest.mark.parametrize("tap", TAPS)
@pytest.mark.parametrize("side", SIDES)
def test_tap(side, tap, rig, netns, http_server, blob):
    """A tap in a private namespace: the back-end creates it by name, or
    attaches to a persistent one (which must outlive it); the guest pings
    the host side and transfers data both ways."""
    ns = netns()
    if tap == "existing":
        ns.tap(TAP)
    server = http_server("10.0.2.1", blob.dir, ns)
    nic = rig.nic(side, f"tap,id=n0,ifname={TAP}{TAPS[tap]}", MAC_A, "be", ns)
    url = f"http://10.0.2.1:{server.port}"
    report = run_tap_guest(rig, nic, ns, transfer_params(url, blob))
    why = context(rig, report) + f"\n[namespace links]\n{ns.links()}"
    check_guest(report, MAC_A, why)
    check_pings(report, "10.0.2.1", why)
    check_transfers(report, blob, url, server, why)
    rig.stop_backends(why)
    if side == OURS:
        # A tap the back-end created goes with it; one it was given stays
        assert ns.has_link(TAP) == (tap == "existing"), \
            f"after the back-end exited:\n{ns.links()}\n{why}"


@pytest.mark.parametrize("side", SIDES)
def test_tap_multiqueue(side, rig, netns, http_server, blob):
    """Two queue pairs on a multiqueue tap: the guest downloads on CPU 0 while
    it uploads on CPU 1, each flow through its own pair (the driver picks the
    pair by CPU, the tap answers a flow on the queue it came from)."""
    ns = netns()
    server = http_server("10.0.2.1", blob.dir, ns)
    nic = rig.nic(side, f"tap,id=n0,ifname={TAP}", MAC_A, "be", ns, queues=2)
    url = f"http://10.0.2.1:{server.port}"
    report = run_tap_guest(rig, nic, ns, {"parallel": 1, **transfer_params(url, blob)},
                           cpus=2)
    why = context(rig, report) + f"\n[namespace links]\n{ns.links()}"
    check_guest(report, MAC_A, why)
    assert report.records["INFO"][0].get("queues") == "2", f"not 2 queues\n{why}"
    check_pings(report, "10.0.2.1", why)
    check_transfers(report, blob, url, server, why)
    rig.stop_backends(why)
    if side == OURS:
        # The NIC has no MSI-X (see vhost_user_nic): count frames per pair
        pairs = pair_stats(nic.backend.log())
        busy = [p for p, c in pairs.items() if c.get("rx_frames") and c.get("tx_frames")]
        assert sorted(busy) == [0, 1], f"not every pair moved frames: {pairs}\n{why}"
    else:
        irqs = {r["name"].rsplit("-", 1)[1]: int(r["count"])
                for r in report.records.get("IRQ", [])}
        assert irqs.get("input.0", 0) > 0 and irqs.get("input.1", 0) > 0, \
            f"not every receive queue interrupted: {irqs}\n{why}"


@pytest.mark.parametrize("side", SIDES)
def test_user(side, rig, http_server, blob):
    """libslirp: DHCP gives 10.0.2.15 and the gateway 10.0.2.2, through which
    the guest reaches the test's HTTP server on the host's loopback."""
    server = http_server("127.0.0.1", blob.dir)
    nic = rig.nic(side, "user,id=n0", MAC_A, "be")
    url = f"http://10.0.2.2:{server.port}"
    with rig.boot(nic, {"addr": "dhcp", "ping": "10.0.2.2",
                        **transfer_params(url, blob)}) as vm:
        report = vm.wait()
    why = context(rig, report)
    check_guest(report, MAC_A, why)
    lease = one(report, "NET", why)
    assert lease.get("addr") == "10.0.2.15/24" and lease.get("gw") == "10.0.2.2", \
        f"DHCP lease {lease}\n{why}"
    check_pings(report, "10.0.2.2", why)
    check_transfers(report, blob, url, server, why)
    rig.stop_backends(why)


@pytest.mark.parametrize("server_side,client_side", [
    (OURS, OURS),
    (OURS, QEMU),                           # interoperability, both roles
    (QEMU, OURS),
    pytest.param(QEMU, QEMU, marks=pytest.mark.reference),
])
def test_stream_pair(server_side, client_side, rig):
    """Two guests whose NICs are joined by a stream netdev on a UNIX socket
    (our back-end's or QEMU's -netdev stream) ping each other both ways."""
    path = rig.tmp / "stream.sock"
    stream = f"addr.type=unix,addr.path={path}"
    a = rig.nic(server_side, f"stream,id=n0,server=on,{stream}", MAC_A, "be-a")
    with rig.boot(a, {"addr": "10.0.3.1/24", "ping": "10.0.3.2",
                      "echos": ECHOS}) as vm_a:
        # QEMU 7.2's client connects once, at start-up: the server must listen
        assert wait_path(path, 10.0, lambda: a.alive(vm_a)), \
            f"{path} did not appear\n{context(rig, stopped(vm_a))}"
        b = rig.nic(client_side, f"stream,id=n0,server=off,{stream}", MAC_B, "be-b")
        with rig.boot(b, {"addr": "10.0.3.2/24", "ping": "10.0.3.1",
                          "echos": ECHOS}) as vm_b:
            report_a, report_b = wait_all([vm_a, vm_b])
    why = context(rig, report_a, report_b)
    check_guest(report_a, MAC_A, why)
    check_guest(report_b, MAC_B, why)
    check_pings(report_a, "10.0.3.2", why)
    check_pings(report_b, "10.0.3.1", why)
    rig.stop_backends(why)
