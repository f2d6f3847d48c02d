# SPDX-License-Identifier: GPL-2.0-or-later
"""A custom Kconfig config changes what a program contains, and it still works.

Builds the programs from configs with options turned off (what
scripts/menuconfig.sh produces): the block program without io_uring, the net
program with only the null and loopback netdevs. Then checks the results with
nm and with the test front-end.
"""
import os
import subprocess
from pathlib import Path

import pytest

from test_program_contents import defined_symbols

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def no_uring_binary(tmp_path_factory):
    work = tmp_path_factory.mktemp("custom")
    configs = work / "configs"
    configs.mkdir()
    (configs / "vhost-user-blk.config").write_text(
        "CONFIG_VHOST_USER_BLK=y\n# CONFIG_LINUX_IO_URING is not set\n")
    (configs / "vhost-user-net.config").write_text(
        "CONFIG_VHOST_USER_NET=y\n"
        + "".join(f"# CONFIG_NETDEV_{t} is not set\n"
                  for t in ("TAP", "USER", "STREAM", "DGRAM")))
    build = work / "build"
    env = dict(os.environ)
    subprocess.run(["meson", "setup", str(build), f"-Dconfig_dir={configs}"],
                   cwd=ROOT, check=True, capture_output=True, env=env, timeout=300)
    subprocess.run(["ninja", "-C", str(build), "-j2", "qemu-dev-vhost-user-blk",
                    "qemu-dev-vhost-user-net"],
                   check=True, capture_output=True, timeout=600)
    mak = (build / "vhost-user-blk-config.mak").read_text()
    assert "CONFIG_LINUX_IO_URING" not in mak
    return build / "qemu-dev-vhost-user-blk"


@pytest.fixture(scope="module")
def small_net_binary(no_uring_binary):
    """The net program of the same custom build: null and loopback only."""
    build = no_uring_binary.parent
    mak = (build / "vhost-user-net-config.mak").read_text()
    assert "CONFIG_NETDEV_NULL=y" in mak and "CONFIG_NETDEV_TAP" not in mak
    return build / "qemu-dev-vhost-user-net"


def test_custom_config_drops_netdevs(small_net_binary):
    syms = defined_symbols(small_net_binary)
    assert {"virtio_net_new", "netdev_type_null", "netdev_type_loopback"} <= syms
    dropped = sorted(s for s in syms
                     if s.startswith(("netdev_type_tap", "netdev_type_user",
                                      "netdev_type_stream", "netdev_type_dgram",
                                      "slirp_")))
    assert not dropped, f"netdevs linked in although configured out: {dropped}"


def test_custom_config_net_capabilities_and_refusal(small_net_binary, short_tmp):
    caps = subprocess.run([str(small_net_binary), "--print-capabilities"],
                          capture_output=True, text=True, timeout=10)
    assert caps.returncode == 0, caps.stderr
    assert "netdev-null" in caps.stdout and "netdev-tap" not in caps.stdout
    res = subprocess.run([str(small_net_binary), f"--socket-path={short_tmp}/n.sock",
                          "--netdev=tap,id=n0,ifname=qd0"],
                         capture_output=True, text=True, timeout=10)
    assert res.returncode != 0
    assert "tap" in res.stderr and "null" in res.stderr, res.stderr


def test_custom_config_drops_io_uring(no_uring_binary):
    syms = defined_symbols(no_uring_binary)
    assert "virtio_blk_new" in syms
    uring = sorted(s for s in syms if "uring" in s)
    assert not uring, f"io_uring code in a build configured without it: {uring[:5]}"


def test_custom_config_refuses_io_uring_option(no_uring_binary, short_tmp):
    img = short_tmp / "disk.img"
    img.write_bytes(b"\0" * (1 << 20))
    res = subprocess.run([str(no_uring_binary), f"--socket-path={short_tmp}/s.sock",
                          f"--blk-file={img}", "--aio=io_uring"],
                         capture_output=True, text=True, timeout=10)
    assert res.returncode != 0
    assert "built without io_uring" in res.stderr


def test_custom_config_serves_io(no_uring_binary, frontend_tool, backend_factory, short_tmp):
    img = short_tmp / "disk.img"
    img.write_bytes(b"\0" * (16 << 20))
    sock = short_tmp / "s.sock"
    be = backend_factory([no_uring_binary, f"--socket-path={sock}", f"--blk-file={img}"],
                         socket=sock, name="no-uring")
    be.wait_socket()
    res = subprocess.run([str(frontend_tool), "verify", "--socket", str(sock)],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    rc, secs = be.terminate()
    assert rc == 0 and secs < 1.0, be.log()
