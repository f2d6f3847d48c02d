#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build qemu-dev-vhost-user-net and serve a virtio-net device with user-mode
# networking (libslirp: DHCP, DNS and outgoing connections, no privileges) on a
# default socket with a QMP monitor, printing the QEMU options that attach a
# guest to it. Stop with Ctrl-C. Override with QD_SOCKET=PATH QD_QMP=PATH
# QD_NETDEV=SPEC (QEMU -netdev
# syntax, e.g. tap,id=net0,ifname=qd0); extra arguments go to the back-end
# (e.g. --queues=2 --mac=52:54:00:12:34:57).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh build
[ -f build/build.ninja ] || meson setup build
ninja -C build qemu-dev-vhost-user-net

sock=${QD_SOCKET:-/tmp/qemu-dev-vhost-user-net.sock}
qmp=${QD_QMP:-/tmp/qemu-dev-vhost-user-net.qmp}
netdev=${QD_NETDEV:-user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22}

cat <<EOT
Attach a QEMU guest (its RAM must be shared with the back-end):
  qemu-system-x86_64 -m 1G \\
    -object memory-backend-memfd,id=mem,size=1G,share=on -machine q35,memory-backend=mem \\
    -chardev socket,id=vn0,path=$sock,reconnect=1 \\
    -netdev vhost-user,id=net0,chardev=vn0 -device virtio-net-pci,netdev=net0 ...
QMP monitor (e.g. {"execute":"qmp_capabilities"} then query-net, set_link):
  $qmp
EOT
exec build/qemu-dev-vhost-user-net --socket-path="$sock" --netdev="$netdev" \
	--qmp "unix:$qmp,server=on,wait=off" "$@"
