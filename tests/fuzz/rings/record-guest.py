#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Record ring fuzz inputs from Linux's own virtio drivers: boot the e2e
guest (tests/e2e/qdguest) once on a vhost-user-blk disk and once on a
vhost-user NIC, both served by fuzz-ring-record, which writes the chains of
every kick as inputs of fuzz-virtio-blk and fuzz-virtio-net.

Usage: record-guest.py BUILD_DIR OUT_DIR

BUILD_DIR is a -Dfuzzing=true build with fuzz-ring-record built; the inputs
go to OUT_DIR/raw-blk and OUT_DIR/raw-net, named guest-*. The disk guest
writes and reads back a few ranges with O_DIRECT; the network guest takes an
address and pings a peer that is not there (the recorder's netdev is a
loopback), so its ARP requests and the receive buffers it posts are what is
recorded. Needs qemu-system-x86_64, a kernel in /boot and busybox-static;
exits 77 without them. Called by record-corpus.sh.
"""
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "e2e"))
from qdguest import initramfs, vm  # noqa: E402
from qdguest.backends import vhost_user_nic  # noqa: E402

BOOT_TIMEOUT = 180.0


def start_recorder(build: Path, kind: str, sock: Path, out: Path, disk: Path):
    """fuzz-ring-record KIND on @sock, writing to @out; waits for the socket."""
    out.mkdir(parents=True, exist_ok=True)
    argv = [str(build / "tests/fuzz/rings/fuzz-ring-record"), kind,
            "--socket", str(sock), "--out", str(out), "--max", "400",
            "--disk", str(disk), "--tag", "guest"]
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not sock.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"{argv}: no socket")
        time.sleep(0.1)
    return proc


def stop_recorder(proc):
    """SIGTERM, bounded wait, SIGKILL if it does not end."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    build, out = Path(argv[1]).resolve(), Path(argv[2]).resolve()
    kernel = initramfs.find_kernel()
    busybox = initramfs.find_busybox()
    if not vm.find_qemu() or not kernel or not busybox:
        print("record-guest: no QEMU, kernel or static busybox: skipped",
              file=sys.stderr)
        return 77
    with tempfile.TemporaryDirectory(prefix="qd-rg-") as tmp:
        tmp = Path(tmp)
        base = tmp / "initramfs.cpio"
        initramfs.build(base, kernel, busybox)
        guest = vm.Guest(kernel, base, tmp)

        rec = start_recorder(build, "blk", tmp / "blk.sock", out / "raw-blk",
                             tmp / "disk.img")
        try:
            report = guest.boot(tmp / "blk.sock", "write",
                                [(0, 4096), (65536, 16384), (1 << 20, 8192)],
                                seed=1, timeout=BOOT_TIMEOUT)
            print(f"record-guest: disk guest exit {report.returncode} "
                  f"after {report.seconds:.0f}s", file=sys.stderr)
        finally:
            stop_recorder(rec)

        rec = start_recorder(build, "net", tmp / "net.sock", out / "raw-net",
                             tmp / "disk.img")
        try:
            nic = vhost_user_nic(tmp / "net.sock", "52:54:00:12:34:56")
            with guest.boot_net(nic, {"addr": "10.0.2.15/24",
                                      "ping": "10.0.2.2"},
                                timeout=BOOT_TIMEOUT) as boot:
                report = boot.wait()
            print(f"record-guest: network guest exit {report.returncode} "
                  f"after {report.seconds:.0f}s", file=sys.stderr)
        finally:
            stop_recorder(rec)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
