#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 4 KiB random I/O through vhost-user-blk: our back-end against
# qemu-storage-daemon, same image, same run, runs alternating between them.
#
# Usage: bench/blk.sh [BUILD_DIR]   (default: build; it must be built already)
# Environment: RUNTIME (seconds per run, 3), RUNS (per case and peer, 3),
# SIZE_MIB (image size, 1024), CASES ("randread:1 randread:32 randwrite:1
# randwrite:32"), PEERS ("ours qsd"), OURS_OPTS (extra back-end options),
# QSD_BLOCKDEV_OPTS (appended to qsd's --blockdev, e.g. ",aio=io_uring"),
# IMAGE_DIR (where the image goes, /dev/shm), QSD_IOTHREAD (1: run qsd's
# export in an IOThread, which polls like ours).
#
# Copyright (c) 2026 qemu-dev authors
set -euo pipefail

BUILD=${1:-build}
RUNTIME=${RUNTIME:-3}
RUNS=${RUNS:-3}
SIZE_MIB=${SIZE_MIB:-1024}
CASES=${CASES:-"randread:1 randread:32 randwrite:1 randwrite:32"}
PEERS=${PEERS:-"ours qsd"}
OURS_OPTS=${OURS_OPTS:-}
QSD_BLOCKDEV_OPTS=${QSD_BLOCKDEV_OPTS:-}
IMAGE_DIR=${IMAGE_DIR:-/dev/shm}
QSD_IOTHREAD=${QSD_IOTHREAD:-0}

TOOL=$BUILD/tests/frontend/qd-frontend
OURS=$BUILD/qemu-dev-vhost-user-blk
QSD=$(command -v qemu-storage-daemon || true)

die() {
	echo "bench/blk.sh: $*" >&2
	exit 1
}

[ -x "$TOOL" ] || die "$TOOL is missing: build it first (ninja -C $BUILD)"
for peer in $PEERS; do
	case $peer in
	ours) [ -x "$OURS" ] || die "$OURS is missing (or set PEERS=qsd)" ;;
	qsd) [ -n "$QSD" ] || die "qemu-storage-daemon is missing (Debian: qemu-system-common)" ;;
	*) die "unknown peer $peer (ours, qsd)" ;;
	esac
done

work=$(mktemp -d /tmp/qd-bench.XXXXXX)
image=$IMAGE_DIR/qd-bench-$$.img
declare -A pids=()

cleanup() {
	local pid
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	rm -f "$image"
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_socket PEER PATH: until the socket exists, for at most 10 s
wait_socket() {
	local i
	for i in $(seq 100); do
		[ -S "$2" ] && return 0
		kill -0 "${pids[$1]}" 2>/dev/null || die "$1 exited: $(cat "$work/$1.log")"
		sleep 0.1
	done
	die "$1 did not create $2 within 10 s"
}

start_peer() {
	local sock=$work/$1.sock
	case $1 in
	ours)
		# shellcheck disable=SC2086 # OURS_OPTS is a list of options
		"$OURS" --socket-path="$sock" --blk-file="$image" $OURS_OPTS \
			>"$work/ours.log" 2>&1 &
		;;
	qsd)
		local iothread=()
		if [ "$QSD_IOTHREAD" = 1 ]; then
			iothread=(--object iothread,id=iot0)
		fi
		"$QSD" "${iothread[@]}" \
			--blockdev "driver=file,node-name=f,filename=$image$QSD_BLOCKDEV_OPTS" \
			--export "type=vhost-user-blk,id=e,node-name=f,addr.type=unix,addr.path=$sock,writable=on${iothread:+,iothread=iot0}" \
			>"$work/qsd.log" 2>&1 &
		;;
	esac
	pids[$1]=$!
	wait_socket "$1" "$sock"
}

# Allocated, non-zero data: reads must not hit holes
echo "bench/blk.sh: ${SIZE_MIB} MiB image in $IMAGE_DIR, $RUNS runs of ${RUNTIME}s per case and peer"
dd if=/dev/urandom of="$image" bs=1M count="$SIZE_MIB" status=none
# Both peers start with the whole image in the page cache
cat "$image" >/dev/null
for peer in $PEERS; do
	start_peer "$peer"
done

results=$work/results.jsonl
for c in $CASES; do
	rw=${c%%:*}
	qd=${c##*:}
	for run in $(seq "$RUNS"); do
		for peer in $PEERS; do
			out=$(timeout $((${RUNTIME%.*} + 60)) "$TOOL" bench --socket "$work/$peer.sock" \
				--rw "$rw" --bs 4096 --iodepth "$qd" --runtime "$RUNTIME" \
				--seed "$run") || die "bench $rw QD$qd against $peer failed: $out
$(cat "$work/$peer.log")"
			echo "$out" | sed -n "s/^{/{\"peer\": \"$peer\", /p" >>"$results"
			echo "  $peer $rw QD$qd run $run: $(echo "$out" | head -n 1 | cut -d: -f2-)"
		done
	done
done

python3 - "$results" <<'PY'
import json
import statistics
import sys

rows = [json.loads(line) for line in open(sys.argv[1])]
peers = list(dict.fromkeys(r["peer"] for r in rows))
cases = list(dict.fromkeys((r["rw"], r["iodepth"]) for r in rows))


def median(peer, rw, qd, key):
    vals = [r["iops"] if key == "iops" else r["lat_us"][key]
            for r in rows if (r["peer"], r["rw"], r["iodepth"]) == (peer, rw, qd)]
    return statistics.median(vals)


print()
print("medians of each case; ratios: IOPS ours/qsd, latency qsd/ours (> 1: ours is better)")
head = f"{'case':<14}"
for key in ("IOPS", "p50 us", "p99 us"):
    for p in peers:
        head += f" {p + ' ' + key:>14}"
    if len(peers) == 2:
        head += f" {'ratio':>6}"
print(head)
for rw, qd in cases:
    line = f"{rw + ' QD' + str(qd):<14}"
    for key in ("iops", "p50", "p99"):
        vals = [median(p, rw, qd, key) for p in peers]
        for v in vals:
            line += f" {v:>14.0f}" if key == "iops" else f" {v:>14.1f}"
        if len(peers) == 2 and peers == ["ours", "qsd"]:
            ratio = vals[0] / vals[1] if key == "iops" else vals[1] / vals[0]
            line += f" {ratio:>6.2f}"
    print(line)


def per_io(peer, rw, qd, key):
    return statistics.median(r[key] / r["ios"] if r["ios"] else 0.0
                             for r in rows if (r["peer"], r["rw"], r["iodepth"]) == (peer, rw, qd))


print()
print("notifications per request (medians): kicks by the front-end, calls by the back-end")
head = f"{'case':<14}"
for key in ("kicks/io", "calls/io"):
    for p in peers:
        head += f" {p + ' ' + key:>14}"
print(head)
for rw, qd in cases:
    line = f"{rw + ' QD' + str(qd):<14}"
    for key in ("kicks", "calls"):
        for p in peers:
            line += f" {per_io(p, rw, qd, key):>14.3f}"
    print(line)
PY
