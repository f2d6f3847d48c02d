# SPDX-License-Identifier: GPL-2.0-or-later
"""Command lines of the back-ends the guest is tested against, its NICs, disk images."""
from pathlib import Path


def make_image(path: Path, size: int) -> Path:
    """A sparse raw image of @size zero bytes."""
    with open(path, "wb") as f:
        f.truncate(size)
    return path


def blk_argv(binary: Path, socket: Path, image: Path, *extra):
    """qemu-dev-vhost-user-blk listening on @socket, exporting @image."""
    return [binary, f"--socket-path={socket}", f"--blk-file={image}", *extra]


def qmp_argv(path: Path):
    """Options of our back-ends and QEMU for a QMP monitor on the UNIX socket @path."""
    return ["--qmp", f"unix:{path},server=on,wait=off"]


def qsd_argv(daemon: str, socket: Path, image: Path, *, num_queues=1, writable=True):
    """qemu-storage-daemon with the same export, as the reference back-end."""
    return [daemon,
            "--blockdev", f"driver=file,node-name=f,filename={image}"
            + ("" if writable else ",read-only=on"),
            "--export", f"type=vhost-user-blk,id=e,node-name=f,addr.type=unix,"
            f"addr.path={socket},writable={'on' if writable else 'off'},"
            f"num-queues={num_queues}"]


def qemu_disk(image: Path):
    """QEMU options: its own virtio-blk-pci on @image (node "f"), the
    reference for what a guest sees of a disk."""
    return ["-blockdev", f"driver=file,node-name=f,filename={image}",
            "-device", "virtio-blk-pci,drive=f"]


def net_argv(binary: Path, socket: Path, netdev: str, mac: str = None, *extra):
    """qemu-dev-vhost-user-net listening on @socket, its netdev @netdev (-netdev
    syntax, id=n0) and, if given, the MAC address @mac in its config space."""
    return [binary, f"--socket-path={socket}", f"--netdev={netdev}",
            *([f"--mac={mac}"] if mac else []), *extra]


def vhost_user_nic(socket: Path, mac: str, queues=1, reconnect=0):
    """QEMU options: a virtio-net-pci NIC served by the vhost-user back-end on @socket.

    Without MSI-X (vectors=0): QEMU 7.2 (Debian 12) crashes in
    vhost_net_start() -> msix_set_vector_notifiers() when a guest starts a
    vhost-user NIC with MSI-X under TCG, whatever the back-end (DPDK's too).
    With @reconnect (seconds), QEMU connects again that long after the
    back-end ended the session, and shows the guest the link down meanwhile.
    """
    return ["-chardev", f"socket,id=c0,path={socket}"
            + (f",reconnect={reconnect}" if reconnect else ""),
            "-netdev", f"vhost-user,id=n0,chardev=c0,queues={queues}",
            "-device", f"virtio-net-pci,netdev=n0,mac={mac}"
            + (",mq=on" if queues > 1 else "") + ",vectors=0"]


def qemu_nic(netdev: str, mac: str, queues=1):
    """QEMU options: a virtio-net-pci NIC on QEMU's own netdev @netdev (id=n0,
    with queues=@queues if more than one), the reference the same guest
    checks our back-end against."""
    return ["-netdev", netdev, "-device", f"virtio-net-pci,netdev=n0,mac={mac}"
            + _mq(queues)]


def _mq(queues: int) -> str:
    """virtio-net-pci options for @queues pairs: one vector per queue, config, control"""
    return f",mq=on,vectors={2 * queues + 2}" if queues > 1 else ""
