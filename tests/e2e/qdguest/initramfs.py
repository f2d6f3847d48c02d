# SPDX-License-Identifier: GPL-2.0-or-later
"""Build the guest's initramfs from the host's kernel modules and static busybox.

The image is made at test time from Debian packages (linux-image-amd64,
busybox-static) and written into the build directory; it is never committed.
It holds /init (the guest half of the tests, see the "init" file next to this
one) with its network part (/qd/net, /qd/udhcpc), busybox, and the virtio
modules virtio-blk and virtio-net need, uncompressed and listed in load order
in /qd/modules. Per-boot data goes into a second, small archive
appended to it (Linux unpacks concatenated cpio archives one after the other).

Run as a program to build one by hand:
    python3 tests/e2e/qdguest/initramfs.py OUT.cpio
"""
import gzip
import lzma
import os
import re
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# Modules virtio-blk and virtio-net on PCI need; their dependencies are added
# from modules.dep
WANTED_MODULES = ("virtio_pci", "virtio_blk", "virtio_net")
BUSYBOX_PATHS = ("/bin/busybox", "/usr/bin/busybox")
INIT_SCRIPT = Path(__file__).with_name("init")
# Scripts /init runs, by their name in the initramfs
HELPERS = {"qd/net": Path(__file__).with_name("net"),
           "qd/udhcpc": Path(__file__).with_name("udhcpc")}


@dataclass
class Kernel:
    image: Path       # /boot/vmlinuz-VERSION
    version: str
    modules: Path     # /lib/modules/VERSION


def _version_key(version: str):
    """Sort key comparing the numeric parts of a kernel version as numbers."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", version)]


def find_kernel():
    """The newest readable /boot/vmlinuz-* whose modules are installed, or None.

    QD_E2E_KERNEL=/path/to/vmlinuz-VERSION picks one explicitly.
    """
    override = os.environ.get("QD_E2E_KERNEL")
    images = [Path(override)] if override else \
        sorted(Path("/boot").glob("vmlinuz-*"),
               key=lambda p: _version_key(p.name), reverse=True)
    for image in images:
        version = image.name.removeprefix("vmlinuz-")
        modules = Path("/lib/modules") / version
        if os.access(image, os.R_OK) and (modules / "modules.dep").is_file():
            return Kernel(image, version, modules)
    return None


def _module_name(path: str) -> str:
    """kernel/drivers/virtio/virtio_pci.ko.xz -> virtio_pci"""
    return Path(path).name.split(".ko")[0].replace("-", "_")


def module_load_order(modules: Path, wanted=WANTED_MODULES):
    """[(name, path relative to @modules)] for @wanted and their dependencies,
    each after everything it depends on; built-in modules are left out."""
    deps = {}
    for line in (modules / "modules.dep").read_text().splitlines():
        target, _, needs = line.partition(":")
        deps[_module_name(target)] = (target, [_module_name(n) for n in needs.split()])
    builtin_file = modules / "modules.builtin"
    builtin = {_module_name(line) for line in builtin_file.read_text().split()} \
        if builtin_file.exists() else set()

    order, seen = [], set()

    def visit(name):
        if name in seen or name in builtin:
            return
        if name not in deps:
            raise FileNotFoundError(f"module {name} is neither built into "
                                    f"kernel {modules.name} nor in its modules.dep")
        seen.add(name)
        for dep in deps[name][1]:
            visit(dep)
        order.append((name, deps[name][0]))

    for name in wanted:
        visit(name)
    return order


def _read_module(path: Path) -> bytes:
    """A module's ELF bytes: busybox insmod cannot decompress, so we do."""
    if path.suffix == ".xz":
        return lzma.decompress(path.read_bytes())
    if path.suffix == ".gz":
        return gzip.decompress(path.read_bytes())
    if path.suffix == ".zst":
        if not shutil.which("zstd"):
            raise FileNotFoundError(f"{path} is zstd-compressed: install zstd")
        return subprocess.run(["zstd", "-dc", str(path)], check=True,
                              stdout=subprocess.PIPE).stdout
    return path.read_bytes()


def _is_static_elf(path: Path) -> bool:
    """True if @path is an ELF executable without a PT_INTERP (dynamic loader)."""
    with open(path, "rb") as f:
        ident = f.read(64)
        if ident[:4] != b"\x7fELF" or ident[4] != 2:   # ELF64 only
            return False
        order = "little" if ident[5] == 1 else "big"
        phoff = int.from_bytes(ident[32:40], order)
        phentsize = int.from_bytes(ident[54:56], order)
        phnum = int.from_bytes(ident[56:58], order)
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    pt_interp = 3
    return all(int.from_bytes(table[i * phentsize:i * phentsize + 4], order) != pt_interp
               for i in range(phnum))


def find_busybox():
    """A statically linked busybox (Debian's busybox-static), or None."""
    for candidate in BUSYBOX_PATHS:
        path = Path(candidate)
        if path.is_file() and _is_static_elf(path):
            return path
    return None


class Cpio:
    """Writer for the "newc" cpio format the kernel unpacks into its rootfs."""

    def __init__(self):
        self.data = bytearray()
        self.ino = 1

    def _pad4(self):
        self.data += b"\0" * (-len(self.data) % 4)

    def _entry(self, name: str, mode: int, body: bytes = b"", rdev=(0, 0)):
        fields = [self.ino, mode, 0, 0, 2 if stat.S_ISDIR(mode) else 1, 0,
                  len(body), 0, 0, rdev[0], rdev[1], len(name) + 1, 0]
        self.ino += 1
        self.data += b"070701" + "".join(f"{v:08x}" for v in fields).encode()
        self.data += name.encode() + b"\0"
        self._pad4()
        self.data += body
        self._pad4()

    def directory(self, name: str):
        self._entry(name, stat.S_IFDIR | 0o755)

    def file(self, name: str, body: bytes, mode: int = 0o644):
        self._entry(name, stat.S_IFREG | mode, body)

    def char_device(self, name: str, major: int, minor: int):
        self._entry(name, stat.S_IFCHR | 0o600, rdev=(major, minor))

    def finish(self) -> bytes:
        self._entry("TRAILER!!!", 0)
        return bytes(self.data)


def build(out: Path, kernel: Kernel, busybox: Path):
    """Write the base initramfs for @kernel to @out (atomically)."""
    cpio = Cpio()
    for d in ("bin", "dev", "proc", "sys", "tmp", "lib", "lib/modules", "qd"):
        cpio.directory(d)
    # The kernel opens /dev/console for init before anything is mounted
    cpio.char_device("dev/console", 5, 1)
    cpio.file("bin/busybox", busybox.read_bytes(), 0o755)
    cpio.file("init", INIT_SCRIPT.read_bytes(), 0o755)
    for name, path in HELPERS.items():
        cpio.file(name, path.read_bytes(), 0o755)
    order = module_load_order(kernel.modules)
    for name, rel in order:
        cpio.file(f"lib/modules/{name}.ko", _read_module(kernel.modules / rel))
    cpio.file("qd/modules", "".join(f"{name}\n" for name, _ in order).encode())
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}")
    tmp.write_bytes(cpio.finish())
    os.replace(tmp, out)
    return order


def overlay(files: dict) -> bytes:
    """A second archive with per-boot files ({"qd/data/0": bytes, ...})."""
    cpio = Cpio()
    dirs = sorted({str(Path(name).parent) for name in files} - {"."})
    for d in dirs:
        cpio.directory(d)
    for name, body in files.items():
        cpio.file(name, body)
    return cpio.finish()


def main(argv):
    if len(argv) != 2:
        print(f"usage: {argv[0]} OUT.cpio", file=sys.stderr)
        return 2
    kernel, busybox = find_kernel(), find_busybox()
    if not kernel or not busybox:
        print("need linux-image-amd64 (with its modules) and busybox-static",
              file=sys.stderr)
        return 1
    order = build(Path(argv[1]), kernel, busybox)
    print(f"{argv[1]}: kernel {kernel.version}, modules {' '.join(n for n, _ in order)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
