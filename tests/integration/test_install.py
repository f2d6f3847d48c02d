# SPDX-License-Identifier: GPL-2.0-or-later
"""meson install: the program in libexecdir, its description file in share/qemu/vhost-user."""
import json
import os
import subprocess

import pytest


def meson_option(build_dir, name):
    out = subprocess.run(["meson", "introspect", "--buildoptions", str(build_dir)],
                         check=True, capture_output=True, text=True).stdout
    return next(o["value"] for o in json.loads(out) if o["name"] == name)


@pytest.mark.parametrize("prog, kind", [("vhost-user-blk", "block"),
                                        ("vhost-user-net", "net")])
def test_install_layout(build_dir, tmp_path, prog, kind):
    subprocess.run(["meson", "install", "-C", str(build_dir), "--no-rebuild",
                    "--quiet", "--destdir", str(tmp_path)], check=True,
                   capture_output=True)
    prefix = meson_option(build_dir, "prefix")
    libexec = os.path.join(prefix, meson_option(build_dir, "libexecdir"))
    datadir = os.path.join(prefix, meson_option(build_dir, "datadir"))
    binary = os.path.join(libexec, "qemu-dev-" + prog)
    assert os.access(str(tmp_path) + binary, os.X_OK)

    desc_path = str(tmp_path) + os.path.join(datadir, "qemu", "vhost-user",
                                             "50-qemu-dev-" + prog + ".json")
    with open(desc_path) as f:
        desc = json.load(f)
    # VhostUserBackend (vhost-user.json): description, type, binary (absolute)
    assert set(desc) == {"description", "type", "binary"}
    assert desc["type"] == kind
    assert desc["binary"] == binary and os.path.isabs(desc["binary"])
    assert desc["description"]

    # The QMP reference generated from the schema documents every command
    ref_path = str(tmp_path) + os.path.join(datadir, "doc", "qemu-dev", "qmp-reference.md")
    with open(ref_path) as f:
        ref = f.read()
    for command in ("query-vhost-user", "block-resize", "set_link", "SHUTDOWN"):
        assert command in ref, f"{command} missing from the QMP reference"
