# SPDX-License-Identifier: GPL-2.0-or-later
"""Boot a QEMU guest on a vhost-user-blk disk or a virtio-net NIC, read its report.

One boot = one QEMU process: the kernel, the base initramfs plus a per-boot
archive with the data to write, and the test parameters on the kernel command
line. The guest (see the "init" file) prints "QD-..." lines on ttyS0, which
QEMU writes to a file, then powers off. Every boot is bounded by a timeout
after which QEMU is killed. A plan with a reboot step boots the kernel more
than once in the same QEMU process (and against the same vhost-user
connection); the timeout bounds them all. Network boots run in the
background (two guests talk to each other) until their report is awaited,
and so do disk boots started with start_disk(): a guest that waits for the
host to act (a "QD-WAIT" line) is met with Boot.wait_console().
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
NET_MEMORY = "160M"     # two guests run at once
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
    records: dict = field(default_factory=dict)  # kind -> [{key: value}] of
                                                # every line but FAIL and LOG
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
            if kind != "LOG":
                report.records.setdefault(kind, []).append(kv)
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
        """Boot once against the vhost-user socket @socket and return the
        report (see start_disk)."""
        return self.start_disk(socket, mode, ranges, seed, num_queues, cpus, timeout,
                               plan, marker).wait()

    def start_disk(self, socket: Path, mode: str, ranges, seed: int, num_queues=1,
                   cpus=1, timeout=BOOT_TIMEOUT, plan=(), marker=None,
                   disk=None) -> "Boot":
        """Start a guest on the vhost-user-blk socket @socket, or on the
        QEMU options @disk (e.g. QEMU's own virtio-blk-pci; then @socket and
        @num_queues are not used); it runs in the background until
        Boot.wait() or Boot.kill().

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
        payload = {f"qd/data/{i}": range_data(seed, i, length)
                   for i, (_, length) in enumerate(ranges)}
        params = [
            f"qd.mode={mode}", f"qd.cpus={cpus}",
            "qd.ranges=" + ",".join(f"{off}:{length}" for off, length in ranges),
        ]
        if plan:
            params.append("qd.plan=" + ",".join(plan))
        if marker is not None:
            params.append(f"qd.marker={marker}")
        devices = disk or [
            "-chardev", f"socket,id=vu,path={socket}",
            "-device", f"vhost-user-blk-pci,chardev=vu,num-queues={num_queues}",
        ]
        return self.start(devices, params, payload=payload, cpus=cpus,
                          reboots=reboots, timeout=timeout)

    def boot_net(self, nic, params: dict, memory=NET_MEMORY, cpus=1,
                 timeout=BOOT_TIMEOUT, prefix=(), fatal=()) -> "Boot":
        """Start a guest running the network tests (qd.mode=net, see the
        "net" file) on the NIC @nic (QEMU options, see backends.py); it runs
        in the background until Boot.wait() or Boot.kill().

        @params: the qd.* parameters without "qd.", e.g. {"addr": "dhcp"}.
        @prefix: argv in front of QEMU's, e.g. "ip netns exec NS".
        @fatal: QEMU messages after which the boot cannot succeed (see Boot).
        """
        args = ["qd.mode=net"] + [f"qd.{k}={v}" for k, v in params.items()]
        if any(" " in a for a in args):
            raise ValueError(f"kernel parameters with spaces: {args}")
        return self.start(nic, args, memory=memory, cpus=cpus, timeout=timeout,
                          prefix=prefix, fatal=fatal)

    def start(self, devices, params, payload=None, memory=MEMORY, cpus=1,
              reboots=False, timeout=BOOT_TIMEOUT, prefix=(), fatal=()) -> "Boot":
        """Start QEMU with the guest, @devices (QEMU options) and the kernel
        parameters @params; @payload ({path: bytes}) goes into the initramfs."""
        self.boots += 1
        tag = f"boot{self.boots}"
        initrd = self.workdir / f"{tag}.cpio"
        initrd.write_bytes(self.base_initrd.read_bytes() +
                           initramfs.overlay(payload or {}))
        console = self.workdir / f"{tag}-console.log"
        append = " ".join(["console=ttyS0", "loglevel=3", "panic=-1", "rdinit=/init",
                           *params])
        argv = [
            *prefix, QEMU, "-nodefaults", *([] if reboots else ["-no-reboot"]),
            "-display", "none",
            "-accel", self.accel,
            "-machine", "q35,memory-backend=mem", "-m", memory, "-smp", str(cpus),
            "-object", f"memory-backend-memfd,id=mem,size={memory},share=on",
            "-kernel", str(self.kernel.image), "-initrd", str(initrd),
            "-append", append,
            "-serial", f"file:{console}",
            *devices,
        ]
        return Boot(argv, console, self.workdir / f"{tag}-qemu.log", timeout, fatal)


class Boot:
    """One QEMU process: wait() for its report (bounded), or kill() it.

    A context manager: leaving the block kills QEMU if it still runs, so no
    test leaves one behind, whatever fails on the way. A message of @fatal
    in QEMU's output ends the wait at once: e.g. QEMU that gave up on a
    vhost-user back-end runs on with a NIC that never moves a frame.
    """

    POLL = 0.2

    def __init__(self, argv, console: Path, qemu_log: Path, timeout: float,
                 fatal=()):
        self.argv = [str(a) for a in argv]
        self.console = console
        self.qemu_log = qemu_log
        self.timeout = timeout
        self.fatal = tuple(fatal)
        self.t0 = time.monotonic()
        with open(qemu_log, "wb") as log:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT)
        self.report = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()

    def running(self) -> bool:
        return self.proc.poll() is None

    def output(self) -> str:
        """The console so far and QEMU's own output."""
        text = self.console.read_text(errors="replace") if self.console.exists() else ""
        stderr = self.qemu_log.read_text(errors="replace").strip()
        if stderr:
            text += f"\n[QEMU output]\n{stderr}"
        return text

    def wait(self) -> GuestReport:
        """Wait until QEMU exits, at most until @timeout after its start
        (then kill it), and return the report."""
        if self.report:
            return self.report
        rc = None
        deadline = self.t0 + self.timeout
        try:
            while rc is None and time.monotonic() < deadline:
                left = max(0.0, deadline - time.monotonic())
                try:
                    rc = self.proc.wait(min(self.POLL, left))
                except subprocess.TimeoutExpired:
                    if self.fatal_seen():
                        break
        finally:    # also on KeyboardInterrupt: never leave QEMU behind
            self.kill()
        seconds = time.monotonic() - self.t0
        text = self.output()
        seen = self.fatal_seen()
        if seen:
            text += f"\n[QEMU said \"{seen}\": killed it]"
        elif rc is None:
            text += f"\n[killed QEMU after {self.timeout:.0f}s]"
        self.report = GuestReport.parse(text, -1 if rc is None else rc, seconds)
        return self.report

    def wait_console(self, marker: str, timeout: float) -> str:
        """Wait until the guest printed a console line holding @marker, at
        most @timeout seconds; return that line. A guest that talks to the
        host (e.g. "QD-WAIT ...": now change the device) stops there until
        the host acts, so a wait that fails kills QEMU and raises
        TimeoutError with the report: QEMU exited, said a fatal message,
        or the guest never got there."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.console.read_text(errors="replace") \
                if self.console.exists() else ""
            whole = text[:text.rfind("\n") + 1]    # a line still being written
            line = next((raw.strip() for raw in whole.splitlines() if marker in raw),
                        None)
            if line is not None:
                return line
            if not self.running() or self.fatal_seen() or time.monotonic() > deadline:
                why = "QEMU exited" if not self.running() else \
                    self.fatal_seen() or f"not within {timeout:.0f}s"
                self.kill()
                report = self.wait()
                raise TimeoutError(f"no console line with \"{marker}\" ({why})\n"
                                   f"{report.describe()}")
            time.sleep(self.POLL)

    def fatal_seen(self) -> str:
        """The first message of @fatal in QEMU's output so far, or ""."""
        if not self.fatal:
            return ""
        out = self.qemu_log.read_text(errors="replace")
        return next((m for m in self.fatal if m in out), "")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def wait_all(boots) -> list:
    """The reports of guests that talk to each other: once one of them cannot
    succeed (a fatal message, see Boot), the others cannot either, so they are
    killed at once instead of waiting for their peer until they time out."""
    deadline = max(b.t0 + b.timeout for b in boots)
    while any(b.running() for b in boots) and time.monotonic() < deadline:
        if any(b.fatal_seen() for b in boots):
            for b in boots:
                b.kill()
            break
        time.sleep(Boot.POLL)
    return [b.wait() for b in boots]
