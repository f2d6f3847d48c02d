# SPDX-License-Identifier: GPL-2.0-or-later
"""Fixtures for the end-to-end suite: the QEMU guest, back-ends kept per module,
network namespaces and the HTTP server network guests talk to."""
import hashlib
import os
import random
import re
import shutil
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from qdguest import initramfs, vm
from qdtest import netns as qdnetns
from qdtest.prereq import missing
from qdtest.process import Backend

HTTPD = Path(__file__).parent / "qdguest" / "httpd.py"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "reference: harness self-check against qemu-storage-daemon "
        "or QEMU's own netdevs (deselect with -m 'not reference')")


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


@pytest.fixture(scope="session")
def netns_support():
    """Why network namespaces with taps cannot be had here ("" if they can);
    namespaces that killed runs left behind are deleted first."""
    if not shutil.which(qdnetns.IP):
        missing("no ip command (Debian: iproute2)")
    qdnetns.remove_stale()
    return qdnetns.unavailable()


@pytest.fixture
def netns(netns_support):
    """Create private network namespaces; at teardown, kill what still runs
    in them (processes this test started) and delete them with their links."""
    if netns_support:
        pytest.skip(netns_support)
    made = []

    def create():
        ns = qdnetns.Netns()
        made.append(ns)
        return ns

    yield create
    for ns in made:
        ns.kill_processes()
        ns.delete()


@pytest.fixture(scope="session")
def blob(tmp_path_factory, seed):
    """An 8 MiB file of random bytes for guests to download, and its MD5."""
    directory = tmp_path_factory.mktemp("www")
    data = random.Random(f"{seed}/blob").randbytes(8 << 20)
    (directory / "blob").write_bytes(data)
    return SimpleNamespace(dir=directory, name="blob", size=len(data),
                           md5=hashlib.md5(data).hexdigest())


@pytest.fixture
def http_server(backend_factory):
    """Start qdguest/httpd.py on an address (in a namespace if given), serving
    a directory; returns the process and its port."""
    def start(address, directory, ns=None, timeout=10.0):
        argv = [sys.executable, HTTPD, address, directory]
        server = backend_factory(ns.argv(argv) if ns else argv, name="httpd")
        if not server.wait_log("QD-HTTP port=", timeout):
            raise TimeoutError(f"HTTP server not listening after {timeout}s:\n"
                               f"{server.log()}")
        port = int(re.search(r"QD-HTTP port=(\d+)", server.log()).group(1))
        return SimpleNamespace(process=server, port=port)

    return start
