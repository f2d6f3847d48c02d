# SPDX-License-Identifier: GPL-2.0-or-later
"""Each program contains only what its Kconfig config selected; configs are checked."""
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def defined_symbols(binary: Path) -> set:
    out = subprocess.run(["nm", "--defined-only", str(binary)], check=True,
                         capture_output=True, text=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.strip()}


def test_blk_program_has_blk_and_transport(blk_binary):
    syms = defined_symbols(blk_binary)
    for needed in ("virtio_blk_new", "vu_server_new", "vq_pop", "main"):
        assert needed in syms, f"{needed} missing from {blk_binary.name}"


def test_blk_program_has_no_net_code(blk_binary):
    syms = defined_symbols(blk_binary)
    net = sorted(s for s in syms
                 if s.startswith(("virtio_net", "netdev", "slirp", "vnet_")))
    assert not net, f"net code linked into {blk_binary.name}: {net[:10]}"


def test_net_program_has_net_and_transport(net_binary):
    syms = defined_symbols(net_binary)
    for needed in ("virtio_net_new", "netdev_new", "vu_server_new", "vq_pop", "main",
                   "netdev_type_tap", "netdev_type_user", "netdev_type_stream",
                   "netdev_type_dgram", "netdev_type_null", "netdev_type_loopback"):
        assert needed in syms, f"{needed} missing from {net_binary.name}"


def test_net_program_has_no_blk_code(net_binary):
    syms = defined_symbols(net_binary)
    blk = sorted(s for s in syms if s.startswith(("virtio_blk", "blk_", "io_uring")))
    assert not blk, f"blk code linked into {net_binary.name}: {blk[:10]}"


def test_qmp_handlers_follow_the_device(blk_binary, net_binary):
    """Each program has the monitor and only its own device's QMP commands."""
    common = {"qmp_monitor_new", "qmp_commands", "qmp_schema_json",
              "qmp_cmd_query_vhost_user", "qmp_cmd_quit"}
    blk_cmds = {"qmp_cmd_block_resize", "qmp_cmd_query_blockstats"}
    net_cmds = {"qmp_cmd_set_link", "qmp_cmd_query_net"}
    blk, net = defined_symbols(blk_binary), defined_symbols(net_binary)
    assert common | blk_cmds <= blk
    assert common | net_cmds <= net
    assert not blk & net_cmds, f"net commands in {blk_binary.name}"
    assert not net & blk_cmds, f"block commands in {net_binary.name}"


@pytest.mark.parametrize("which", ["blk", "net"])
def test_no_plain_assert(which, blk_binary, net_binary):
    """Invariants use qd_assert() (util/qd-assert.h), which logs through our
    log and stays in NDEBUG builds; assert() would print where nobody reads
    and vanish with NDEBUG."""
    binary = blk_binary if which == "blk" else net_binary
    out = subprocess.run(["nm", "--undefined-only", str(binary)], check=True,
                         capture_output=True, text=True).stdout
    assert "__assert_fail" not in out, f"{binary.name} calls assert()"


def test_blk_config_resolves(build_dir):
    mak = (build_dir / "vhost-user-blk-config.mak").read_text()
    enabled = {line.split("=")[0] for line in mak.splitlines()
               if line.endswith("=y")}
    assert {"CONFIG_VHOST_USER_BLK", "CONFIG_VHOST_USER", "CONFIG_VIRTIO",
            "CONFIG_VIRTIO_BLK"} <= enabled
    assert not any("NET" in s for s in enabled)


def run_kconfig(tmp_path, text):
    cfg = tmp_path / "test.config"
    cfg.write_text(text)
    out = tmp_path / "out.mak"
    return subprocess.run(["/usr/bin/python3", str(ROOT / "scripts" / "kconfig.py"),
                           str(ROOT / "Kconfig"), str(cfg), str(out)],
                          capture_output=True, text=True), out


def test_kconfig_rejects_unknown_symbol(tmp_path):
    res, out = run_kconfig(tmp_path, "CONFIG_VHOST_USER_BLK=y\nCONFIG_NO_SUCH_DEVICE=y\n")
    assert res.returncode != 0
    assert "unknown symbol CONFIG_NO_SUCH_DEVICE" in res.stderr
    assert not out.exists()


def test_kconfig_rejects_unmet_dependency(tmp_path):
    # A device without the VIRTIO core it depends on cannot be enabled
    res, _ = run_kconfig(tmp_path, "CONFIG_VIRTIO_BLK=y\n")
    assert res.returncode != 0
    assert "CONFIG_VIRTIO_BLK=y cannot be enabled" in res.stderr


def test_kconfig_nothing_is_default_y(tmp_path):
    res, out = run_kconfig(tmp_path, "# empty\n")
    assert res.returncode == 0, res.stderr
    assert [l for l in out.read_text().splitlines() if l.endswith("=y")] == []
