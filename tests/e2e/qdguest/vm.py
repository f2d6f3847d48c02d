# SPDX-License-Identifier: GPL-2.0-or-later
"""Boot a QEMU guest whose /dev/vda is a vhost-user-blk device, and read its report.

One boot = one QEMU process: the kernel, the base initramfs plus a per-boot
archive with the data to write, and the test parameters on the kernel command
line. The guest (see the "init" file) prints "QD-..." lines on ttyS0, which
QEMU writes to a file, then powers off. Every boot is bounded by a timeout
after which QEMU is killed. A plan with a reboot step boots the kernel more
than once in the same QEMU process (and against the same vhost-user
connection); the timeout bounds them all.
"""
import os
import random
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import initramfs

QEMU = "qemu-system-x86_64"
BOOT_TIMEOUT = 120.0
MEMORY = "256M"
MIN_RANGE = 4096
LINE = re.compile(r"QD-([A-Z]+)(?: (.*))?$")


def find_qemu():
    return shutil.which(QEMU)


def pick_accel() -> str:
    """kvm if /dev/kvm opens and the CPU has virtualization extensions, else
    tcg; QD_E2E_ACCEL=kvm|tcg overrides.

    An openable /dev/kvm is not enough: some VMs expose one without nested
    virtualization (no vmx/svm flag), and a guest started there never boots.
    """
    accel = os.environ.get("QD_E2E_ACCEL")
    if accel:
        return accel
    try:
        os.close(os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC))
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return "tcg"
    return "kvm" if re.search(r"^flags\s*:.*\b(vmx|svm)\b", flags, re.M) else "tcg"


def range_data(seed: int, index: int, length: int) -> bytes:
    """The bytes range @index gets: reproducible from the seed on the host."""
    return random.Random(f"{seed}/{index}").randbytes(length)


@dataclass
class GuestReport:
    """What one boot printed: QD-INFO keys, per-range results, per-hctx counts."""
    console: str
    returncode: int
    seconds: float
    info: dict = field(default_factory=dict)
    writes: dict = field(default_factory=dict)   # range index -> dd exit status
    reads: dict = field(default_factory=dict)    # range index -> {rc, match, sha256}
    hctx: dict = field(default_factory=dict)     # hw queue -> runs during the I/O
    events: list = field(default_factory=list)   # (kind, {key: value}) of every
                                                # BOOT, STEP and RANGE line, in order
    failures: list = field(default_factory=list)
    status: int = None                          # QD-DONE status, None if missing

    @classmethod
    def parse(cls, console: str, returncode: int, seconds: float):
        report = cls(console, returncode, seconds)
        for raw in console.splitlines():
            m = LINE.search(raw.strip())
            if not m:
                continue
            kind, rest = m.group(1), m.group(2) or ""
            if kind == "FAIL":
                report.failures.append(rest)
                continue
            kv = dict(item.split("=", 1) for item in rest.split() if "=" in item)
            if kind in ("BOOT", "STEP", "RANGE"):
                report.events.append((kind, kv))
            if kind == "INFO":
                report.info.update(kv)
            elif kind == "RANGE" and kv.get("op") == "write":
                report.writes[int(kv["i"])] = int(kv["rc"])
            elif kind == "RANGE" and kv.get("op") == "read":
                report.reads[int(kv["i"])] = {"rc": int(kv["rc"]),
                                              "match": kv["match"] == "1",
                                              "sha256": kv["sha256"]}
            elif kind == "HCTX":
                report.hctx[int(kv["n"])] = int(kv["runs"])
            elif kind == "DONE":
                report.status = int(kv["status"])
        return report

    def describe(self, lines=60) -> str:
        """The end of the console log, for assertion messages."""
        tail = "\n".join(self.console.splitlines()[-lines:])
        return f"QEMU exit {self.returncode} after {self.seconds:.1f}s; console:\n{tail}"

    def assert_done(self):
        assert self.status == 0 and not self.failures, self.describe()


class Guest:
    """The kernel, base initramfs and QEMU settings shared by every boot."""

    def __init__(self, kernel: initramfs.Kernel, base_initrd: Path, workdir: Path,
                 accel: str = None):
        self.kernel = kernel
        self.base_initrd = base_initrd
        self.workdir = Path(workdir)
        self.accel = accel or pick_accel()
        self.boots = 0

    def boot(self, socket: Path, mode: str, ranges, seed: int, num_queues=1, cpus=1,
             timeout=BOOT_TIMEOUT, plan=(), marker=None) -> GuestReport:
        """Boot once against the vhost-user socket @socket and return the report.

        @ranges: [(offset, length)] in bytes, multiples of 512; range i's data
        is range_data(@seed, i, length). Each length
        must be at least 4 KiB: busybox dd has a page-aligned buffer only
        from that size on, and silently drops O_DIRECT when the kernel
        refuses an unaligned buffer (EINVAL).
        @plan: the steps of mode "plan" (see the "init" file), e.g.
        ["w0", "rebind-virtio", "r0"]; with a "reboot" step QEMU lets the
        guest reboot, and @marker (a 4 KiB-aligned byte offset of /dev/vda
        outside @ranges) must say where the guest keeps its progress.
        """
        for off, length in ranges:
            if off % 512 or length % 512 or length < MIN_RANGE:
                raise ValueError(f"range {off}+{length}: O_DIRECT needs 512-byte "
                                 f"multiples and busybox dd {MIN_RANGE} bytes or more")
        if (mode == "plan") != bool(plan):
            raise ValueError("a plan goes with mode \"plan\", and only with it")
        reboots = "reboot" in plan
        if reboots and marker is None:
            raise ValueError("a plan with a reboot step needs a marker block")
        if marker is not None and (marker % MIN_RANGE or any(
                off < marker + MIN_RANGE and marker < off + length
                for off, length in ranges)):
            raise ValueError(f"marker {marker}: not 4 KiB-aligned or inside a range")
        self.boots += 1
        tag = f"boot{self.boots}"
        payload = {f"qd/data/{i}": range_data(seed, i, length)
                   for i, (_, length) in enumerate(ranges)}
        initrd = self.workdir / f"{tag}.cpio"
        initrd.write_bytes(self.base_initrd.read_bytes() + initramfs.overlay(payload))
        console = self.workdir / f"{tag}-console.log"
        qemu_log = self.workdir / f"{tag}-qemu.log"
        params = [
            "console=ttyS0", "loglevel=3", "panic=-1", "rdinit=/init",
            f"qd.mode={mode}", f"qd.cpus={cpus}",
            "qd.ranges=" + ",".join(f"{off}:{length}" for off, length in ranges),
        ]
        if plan:
            params.append("qd.plan=" + ",".join(plan))
        if marker is not None:
            params.append(f"qd.marker={marker}")
        append = " ".join(params)
        argv = [
            QEMU, "-nodefaults", *([] if reboots else ["-no-reboot"]),
            "-display", "none",
            "-accel", self.accel,
            "-machine", "q35,memory-backend=mem", "-m", MEMORY, "-smp", str(cpus),
            "-object", f"memory-backend-memfd,id=mem,size={MEMORY},share=on",
            "-kernel", str(self.kernel.image), "-initrd", str(initrd),
            "-append", append,
            "-serial", f"file:{console}",
            "-chardev", f"socket,id=vu,path={socket}",
            "-device", f"vhost-user-blk-pci,chardev=vu,num-queues={num_queues}",
        ]
        t0 = time.monotonic()
        with open(qemu_log, "wb") as log:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=subprocess.STDOUT)
            rc = None
            try:
                rc = proc.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
            finally:    # also on KeyboardInterrupt: never leave QEMU behind
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        seconds = time.monotonic() - t0
        text = console.read_text(errors="replace") if console.exists() else ""
        stderr = qemu_log.read_text(errors="replace").strip()
        if stderr:
            text += f"\n[QEMU output]\n{stderr}"
        if rc is None:
            text += f"\n[killed QEMU after {timeout:.0f}s]"
        return GuestReport.parse(text, -1 if rc is None else rc, seconds)
