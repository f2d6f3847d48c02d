# SPDX-License-Identifier: GPL-2.0-or-later
"""One vhost-user session stops and restarts the device: driver rebind, guest reboot.

QEMU stops a vhost-user device when the guest resets it and starts it again
when a driver sets DRIVER_OK, each time on the connection it opened at
start-up: GET_VRING_BASE for every started queue, then SET_FEATURES, the
memory table, SET_VRING_NUM/BASE/ADDR/KICK/CALL and SET_VRING_ENABLE once
more. The chardev has no reconnect=, so QEMU never opens a second
connection: a guest that still reads its data after a restart shows the
session survived it.

Each guest runs a plan (see qdguest/init): "wI" writes range I and reads it
back, "rI" reads it back in a later step. After every restart the guest
reads back what it wrote before and writes more; the host then checks the
image byte for byte. Both tests end the back-end with SIGTERM, so ASan's
leak check runs and a back-end that broke on the way does not exit 0.
"""
from qdguest.backends import blk_argv, make_image
from qdguest.checks import first_difference, sha256
from qdguest.vm import range_data

IMAGE_SIZE = 64 << 20

# (offset, length) in bytes, none overlapping; at least 4 KiB each (see vm.boot)
RANGES = [
    (0, 4096),                          # the first sectors
    (8192 + 5 * 512, 4096 + 3 * 512),   # sector-aligned, not 4 KiB-aligned
    ((1 << 20) + 512, 256 << 10),       # a large unaligned request
    (8 << 20, 1 << 20),                 # larger than one request: split by the guest
    (IMAGE_SIZE - 8192, 8192),          # the last sectors of the disk
    (16 << 20, 64 << 10),
]

# Where the reboot plan keeps its progress: 4 KiB outside every range
MARKER = 32 << 20

# The driver goes away and comes back twice in one boot: first the virtio
# driver alone, then the PCI function (MSI-X vectors, hence call eventfds, too)
REBIND_PLAN = ["w0", "w1", "rebind-virtio", "r0", "r1", "w2", "w3",
               "rebind-pci", "r0", "r1", "r2", "r3", "w4", "w5"]

# Two kernels, one QEMU process: QEMU resets the device, the second kernel
# initialises it again and finds the first one's data
REBOOT_PLAN = ["w0", "w1", "w2", "reboot", "r0", "r1", "r2", "w3", "w4", "w5"]

# Status of a device a driver runs: ACKNOWLEDGE|DRIVER|DRIVER_OK|FEATURES_OK
DRIVER_RUNNING = "0x0000000f"

# Console lines of a guest kernel in trouble, which the plan might survive
KERNEL_TROUBLE = ("Kernel panic", "Call Trace", "BUG:", "WARNING:", "Oops")


def context(report, backend, seed) -> str:
    """Everything needed to understand a failure, for assertion messages."""
    return (f"seed={seed} (rerun with QD_E2E_SEED={seed})\n{report.describe(80)}\n"
            f"[back-end log, --verbose]\n{backend.log()[-8000:]}")


def boot_starts(plan) -> list:
    """[(boot number, first step)] the guest prints for @plan."""
    starts = [0] + [k + 1 for k, step in enumerate(plan) if step == "reboot"]
    return [(n, start) for n, start in enumerate(starts, 1)]


def written(plan) -> list:
    """The indexes of the ranges @plan writes."""
    return sorted({int(step[1:]) for step in plan if step.startswith("w")})


def marker_block(plan) -> bytes:
    """The marker block the last reboot step of @plan leaves on the disk."""
    boots = boot_starts(plan)
    if len(boots) == 1:
        return bytes(4096)
    n, start = boots[-1]
    line = f"qd-plan boot={n - 1} next={start}\n".encode()
    return line + bytes(4096 - len(line))


def expected_image(plan, seed: int) -> bytes:
    """The image after a guest ran @plan on a zeroed disk."""
    image = bytearray(IMAGE_SIZE)
    for i in written(plan):
        off, length = RANGES[i]
        image[off:off + length] = range_data(seed, i, length)
    if "reboot" in plan:
        image[MARKER:MARKER + 4096] = marker_block(plan)
    return bytes(image)


def check_range_step(k, step, ios, seed, why):
    """Step @k of the plan ("wI" or "rI") did its I/O on range I, and only that."""
    i = int(step[1:])
    want = sha256(range_data(seed, i, RANGES[i][1]))
    write, read = ios.get((k, "write")), ios.get((k, "read"))
    if step.startswith("w"):
        assert write and write["i"] == str(i) and write["rc"] == "0", \
            f"step {k} ({step}): write failed or missing: {write}\n{why}"
    else:
        assert write is None, f"step {k} ({step}) wrote: {write}\n{why}"
    assert read and read["i"] == str(i) and read["rc"] == "0", \
        f"step {k} ({step}): read failed or missing: {read}\n{why}"
    assert read["match"] == "1" and read["sha256"] == want, \
        f"step {k} ({step}): range {i} does not read back what was written\n{why}"


def check_plan(report, plan, seed, why):
    """The guest ran every step of @plan once, in order, and every one worked;
    every probe of the device negotiated the same features and ran it."""
    report.assert_done()
    trouble = [line for line in report.console.splitlines()
               if any(t in line for t in KERNEL_TROUBLE)]
    assert not trouble, f"guest kernel reported: {trouble}\n{why}"

    boots = [(int(kv["n"]), int(kv["start"])) for kind, kv in report.events
             if kind == "BOOT"]
    assert boots == boot_starts(plan), f"boots (number, first step) {boots}\n{why}"
    steps = [(int(kv["n"]), kv["op"], kv["rc"]) for kind, kv in report.events
             if kind == "STEP"]
    assert steps == [(k, step, "0") for k, step in enumerate(plan)], \
        f"steps (number, op, status) {steps}\n{why}"

    ios = {}
    for kind, kv in report.events:
        if kind == "RANGE":
            key = (int(kv.get("step", -1)), kv["op"])
            assert key not in ios, f"step {key[0]} did {key[1]} twice\n{why}"
            ios[key] = kv
    for k, step in enumerate(plan):
        if step[0] in "wr" and step[1:].isdigit():
            check_range_step(k, step, ios, seed, why)

    probes = [kv for kind, kv in report.events
              if kind == "BOOT" or (kind == "STEP" and kv["op"].startswith("rebind-"))]
    assert all(kv.get("status") == DRIVER_RUNNING for kv in probes), \
        f"device not running after a probe: {[kv.get('status') for kv in probes]}\n{why}"
    features = {kv.get("features") for kv in probes}
    assert len(features) == 1, f"probes negotiated different features: {features}\n{why}"


def check_image(image, plan, seed, why):
    """The host sees exactly the data @plan wrote, and nothing else changed."""
    on_disk = image.read_bytes()
    assert len(on_disk) == IMAGE_SIZE, f"image size changed\n{why}"
    for i in written(plan):
        off, length = RANGES[i]
        got, want = on_disk[off:off + length], range_data(seed, i, length)
        ok = got == want
        assert ok, f"image range {i} ({off}+{length}) does not hold the data " \
            f"written: {first_difference(got, want)}\n{why}"
    want = expected_image(plan, seed)
    ok = on_disk == want
    assert ok, f"bytes outside the ranges changed: {first_difference(on_disk, want)}\n{why}"


def check_backend_ends(backend, sock, why):
    """The back-end outlived QEMU and exits 0 on SIGTERM, without its socket."""
    assert backend.running(), f"back-end exited with the guest\n{why}"
    rc, seconds = backend.terminate()
    assert rc == 0 and seconds < 1.0, \
        f"SIGTERM after the guest: exit {rc} after {seconds:.2f}s\n{backend.log()[-8000:]}"
    assert not sock.exists(), f"socket file left behind\n{why}"


def run_plan(guest, blk_binary, short_tmp, backend_factory, seed, plan,
             num_queues=1, cpus=1, marker=None):
    """One QEMU process runs @plan against a fresh back-end; check it all."""
    image = make_image(short_tmp / "disk.img", IMAGE_SIZE)
    sock = short_tmp / "vu.sock"
    backend = backend_factory(
        blk_argv(blk_binary, sock, image, f"--num-queues={num_queues}", "--verbose"),
        socket=sock)
    backend.wait_socket()
    report = guest.boot(sock, "plan", RANGES, seed, num_queues=num_queues, cpus=cpus,
                        plan=plan, marker=marker)
    why = context(report, backend, seed)
    check_plan(report, plan, seed, why)
    check_image(image, plan, seed, why)
    check_backend_ends(backend, sock, why)
    return report


def test_rebind(guest, blk_binary, short_tmp, backend_factory, seed):
    """The guest unbinds and binds virtio_blk, then virtio-pci, in one boot;
    two queues, each with I/O from its own vCPU before and after every
    restart, so both are stopped and started again."""
    report = run_plan(guest, blk_binary, short_tmp, backend_factory, seed,
                      REBIND_PLAN, num_queues=2, cpus=2)
    why = report.describe()
    assert report.info.get("queues") == "2", f"guest does not see 2 queues\n{why}"


def test_reboot(guest, blk_binary, short_tmp, backend_factory, seed):
    """reboot -f inside one QEMU process: the device is reset and a second
    kernel initialises it on the same connection and reads the first
    one's data."""
    run_plan(guest, blk_binary, short_tmp, backend_factory, seed,
             REBOOT_PLAN, marker=MARKER)

