# SPDX-License-Identifier: GPL-2.0-or-later
"""Fixtures for the end-to-end suite: the QEMU guest, back-ends kept per module."""
import os
import random
import shutil
import tempfile
from pathlib import Path

import pytest

from qdguest import initramfs, vm
from qdtest.prereq import missing
from qdtest.process import Backend


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "reference: harness self-check against qemu-storage-daemon "
        "(deselect with -m 'not reference')")


@pytest.fixture(scope="session")
def seed():
    """Seed of the data the guests write; QD_E2E_SEED=N reproduces a run."""
    return int(os.environ.get("QD_E2E_SEED", random.randrange(1 << 32)))


@pytest.fixture(scope="session")
def guest(build_dir, tmp_path_factory):
    """The guest every test boots: kernel, initramfs (built now) and QEMU."""
    if not vm.find_qemu():
        missing(f"{vm.QEMU} is not installed (Debian: qemu-system-x86)")
    kernel = initramfs.find_kernel()
    if not kernel:
        missing("no readable /boot/vmlinuz-* with modules in /lib/modules "
                    "(Debian: linux-image-amd64)")
    busybox = initramfs.find_busybox()
    if not busybox:
        missing("no static busybox (Debian: busybox-static)")
    base = build_dir / "e2e-guest" / f"initramfs-{kernel.version}.cpio"
    initramfs.build(base, kernel, busybox)
    return vm.Guest(kernel, base, tmp_path_factory.mktemp("guest"))


@pytest.fixture(scope="session")
def storage_daemon():
    path = shutil.which("qemu-storage-daemon")
    if not path:
        missing("qemu-storage-daemon is not installed (Debian: qemu-system-x86)")
    return path


@pytest.fixture(scope="module")
def module_tmp():
    """Like short_tmp (socket paths must fit in 108 bytes), for one module."""
    path = Path(tempfile.mkdtemp(prefix="qd-e2e-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def module_backend(module_tmp):
    """Start back-ends that live as long as the test module; killed at its end."""
    started = []

    def start(argv, socket, name="backend"):
        b = Backend(argv, workdir=module_tmp, socket=socket, name=name)
        started.append(b)
        b.wait_socket()
        return b

    yield start
    for b in started:
        b.kill()
