#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build qemu-dev-vhost-user-blk and serve a default disk on a default socket,
# with a QMP monitor, printing the QEMU options that attach a guest to it.
# Stop with Ctrl-C. Override with QD_SOCKET=PATH QD_QMP=PATH QD_BLK_FILE=PATH;
# extra arguments go to the back-end (e.g. --read-only --num-queues=2).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh build
[ -f build/build.ninja ] || meson setup build
ninja -C build qemu-dev-vhost-user-blk

sock=${QD_SOCKET:-/tmp/qemu-dev-vhost-user-blk.sock}
qmp=${QD_QMP:-/tmp/qemu-dev-vhost-user-blk.qmp}
img=${QD_BLK_FILE:-build/default-disk.img}
if [ ! -e "$img" ]; then
	truncate -s 1G "$img"
	echo "created a sparse 1 GiB raw image: $img"
fi

cat <<EOT
Attach a QEMU guest (its RAM must be shared with the back-end):
  qemu-system-x86_64 -m 1G \\
    -object memory-backend-memfd,id=mem,size=1G,share=on -machine q35,memory-backend=mem \\
    -chardev socket,id=vu0,path=$sock \\
    -device vhost-user-blk-pci,chardev=vu0,num-queues=1 ...
QMP monitor (e.g. {"execute":"qmp_capabilities"} then query-blockstats):
  $qmp
EOT
exec build/qemu-dev-vhost-user-blk --socket-path="$sock" --blk-file="$img" \
	--qmp "unix:$qmp,server=on,wait=off" "$@"
