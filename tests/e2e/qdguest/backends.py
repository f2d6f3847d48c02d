# SPDX-License-Identifier: GPL-2.0-or-later
"""Command lines of the back-ends the guest is tested against, and disk images."""
from pathlib import Path


def make_image(path: Path, size: int) -> Path:
    """A sparse raw image of @size zero bytes."""
    with open(path, "wb") as f:
        f.truncate(size)
    return path


def blk_argv(binary: Path, socket: Path, image: Path, *extra):
    """qemu-dev-vhost-user-blk listening on @socket, exporting @image."""
    return [binary, f"--socket-path={socket}", f"--blk-file={image}", *extra]


def qsd_argv(daemon: str, socket: Path, image: Path, *, num_queues=1, writable=True):
    """qemu-storage-daemon with the same export, as the reference back-end."""
    return [daemon,
            "--blockdev", f"driver=file,node-name=f,filename={image}"
            + ("" if writable else ",read-only=on"),
            "--export", f"type=vhost-user-blk,id=e,node-name=f,addr.type=unix,"
            f"addr.path={socket},writable={'on' if writable else 'off'},"
            f"num-queues={num_queues}"]
