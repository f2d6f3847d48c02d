#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install the Debian 12 packages qemu-dev needs: "deps.sh build" for building,
# "deps.sh test" for building and running every test. Does nothing when all are
# installed; otherwise runs apt-get update and install (as root).
set -euo pipefail

build_pkgs=(meson ninja-build pkg-config gcc libc6-dev python3 python3-kconfiglib
	liburing-dev libslirp-dev libjson-c-dev libseccomp-dev)
# json-c: the QMP monitor (build). libseccomp: the sandbox (build). glib:
# unit tests (GTest); qemu-system-*: the reference front-end (QEMU) and peer
# (qemu-storage-daemon);
# linux-image-amd64, busybox-static, cpio: the test guest; clang-format: style
# check; binutils: nm for the contents check; dpdk-dev: dpdk-testpmd, the
# independent net front-end, peer and traffic generator; iproute2: the network
# namespaces and taps of the net tests; ethtool: the tap offloads seen from the
# host in the sandbox test; clang-14, libclang-rt-14-dev: the libFuzzer
# targets (-Dfuzzing=true).
test_pkgs=("${build_pkgs[@]}" libglib2.0-dev python3-pytest qemu-system-x86
	qemu-system-common qemu-utils linux-image-amd64 busybox-static cpio kmod
	clang-format binutils procps strace dpdk-dev iproute2 ethtool clang-14
	libclang-rt-14-dev)

case "${1:-}" in
build) pkgs=("${build_pkgs[@]}") ;;
test) pkgs=("${test_pkgs[@]}") ;;
*)
	echo "usage: $0 build|test" >&2
	exit 2
	;;
esac

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "missing packages: ${missing[*]}" >&2
	echo "run: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
	exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
