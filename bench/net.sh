#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 64-byte frames through vhost-user-net, one queue pair: our back-end against
# DPDK's vhost PMD, same generator, same run, runs alternating between them.
#
# The generator is dpdk-testpmd with the virtio-user PMD (the guest side).
# Modes: "tx" (guest to back-end: txonly into our null netdev, or into the
# vhost PMD in rxonly mode) and "rt" (round trip: io forwarding with
# --tx-first through our loopback netdev, or through the vhost PMD in io
# mode, so the first burst circulates).
#
# Usage: bench/net.sh [BUILD_DIR]   (default: build; it must be built already)
# Environment: RUNS (per mode and peer, 5), SECONDS_RUN (measured window, 5),
# WARMUP (seconds dropped before it, 1), MODES ("tx rt"), PEERS ("ours
# ours-poll dpdk"), POLL_US (--poll-max-us of ours-poll, 100), FRAME (bytes,
# 64), OURS_OPTS (extra back-end options).
#
# Copyright (c) 2026 qemu-dev authors
set -euo pipefail

BUILD=${1:-build}
RUNS=${RUNS:-5}
SECONDS_RUN=${SECONDS_RUN:-5}
WARMUP=${WARMUP:-1}
MODES=${MODES:-"tx rt"}
PEERS=${PEERS:-"ours ours-poll dpdk"}
POLL_US=${POLL_US:-100}
FRAME=${FRAME:-64}
OURS_OPTS=${OURS_OPTS:-}

OURS=$BUILD/qemu-dev-vhost-user-net
TESTPMD=$(command -v dpdk-testpmd || true)
HERE=$(cd "$(dirname "$0")" && pwd)

die() {
	echo "bench/net.sh: $*" >&2
	exit 1
}

[ -n "$TESTPMD" ] || die "dpdk-testpmd is missing (Debian: apt-get install dpdk-dev)"
for peer in $PEERS; do
	case $peer in
	ours | ours-poll) [ -x "$OURS" ] || die "$OURS is missing (or set PEERS=dpdk)" ;;
	dpdk) ;;
	*) die "unknown peer $peer (ours, ours-poll, dpdk)" ;;
	esac
done
for mode in $MODES; do
	case $mode in
	tx | rt) ;;
	*) die "unknown mode $mode (tx, rt)" ;;
	esac
done

work=$(mktemp -d /tmp/qd-bench-net.XXXXXX)
pids=()

# stop_pids: SIGINT (testpmd prints its statistics), then wait, then KILL
stop_pids() {
	local pid _
	for pid in "${pids[@]}"; do
		kill -INT "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		for _ in $(seq 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	pids=()
}

cleanup() {
	stop_pids
	rm -rf "$work" /var/run/dpdk/qd-bench-*-$$
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# testpmd NAME LCORES VDEV APP_ARGS...: start testpmd, no hugepages, no
# shared files, line-buffered log in $work/NAME.log. With --stats-period it
# runs until SIGINT (without, it would wait for a key on stdin).
testpmd() {
	local name=$1 lcores=$2 vdev=$3
	shift 3
	stdbuf -oL "$TESTPMD" --no-huge -m 1024 --no-pci --no-shconf \
		--lcores "$lcores" --file-prefix="qd-bench-$name-$$" \
		--vdev "$vdev" -- --nb-cores=1 --total-num-mbufs=16384 "$@" \
		</dev/null >"$work/$name.log" 2>&1 &
	pids+=($!)
}

# wait_for FILE TEXT WHAT: until TEXT is in FILE, for at most 30 s
wait_for() {
	local _
	for _ in $(seq 300); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	die "$3 did not start within 30 s: $(tail -n 20 "$1")"
}

# wait_reports FILE N: until FILE has N statistics reports (one a second)
wait_reports() {
	local _
	for _ in $(seq $((10 * ($2 + 30)))); do
		[ "$(grep -c "Tx-pps" "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	die "the generator printed no $2 statistics reports: $(tail -n 20 "$1")"
}

# wait_socket PATH WHAT: until PATH exists, for at most 30 s
wait_socket() {
	local _
	for _ in $(seq 300); do
		[ -S "$1" ] && return 0
		sleep 0.1
	done
	die "$2 did not create $1 within 30 s"
}

# start_peer PEER MODE SOCK: the back-end under test, on CPU 0 (its busy lcore)
start_peer() {
	local peer=$1 mode=$2 sock=$3 netdev fwd
	case $mode in
	tx) netdev=null fwd=rxonly ;;
	rt) netdev=loopback fwd=io ;;
	esac
	case $peer in
	ours | ours-poll)
		local poll=()
		[ "$peer" = ours-poll ] && poll=(--poll-max-us="$POLL_US")
		# shellcheck disable=SC2086 # OURS_OPTS is a list of options
		taskset -c 0 "$OURS" --socket-path="$sock" --netdev "$netdev,id=n0" \
			"${poll[@]}" $OURS_OPTS >"$work/peer.log" 2>&1 &
		pids+=($!)
		wait_socket "$sock" "$peer"
		;;
	dpdk)
		testpmd peer '0@1,1@0' "net_vhost0,iface=$sock,queues=1" \
			--forward-mode="$fwd" --stats-period=60
		wait_for "$work/peer.log" "packet forwarding - ports=" "the vhost PMD"
		;;
	esac
}

# one_run PEER MODE: start peer and generator, measure, stop both; prints Mpps
one_run() {
	local peer=$1 mode=$2 sock=$work/vhost.sock gen
	rm -f "$sock"
	start_peer "$peer" "$mode" "$sock"
	case $mode in
	tx) gen=(--forward-mode=txonly --txpkts="$FRAME") ;;
	rt) gen=(--forward-mode=io --tx-first --txpkts="$FRAME") ;;
	esac
	testpmd gen '0@0,1@1' "net_virtio_user0,path=$sock,queues=1" \
		--stats-period=1 "${gen[@]}"
	wait_for "$work/gen.log" "packet forwarding - ports=" "the generator"
	wait_reports "$work/gen.log" $((1 + WARMUP + SECONDS_RUN))
	stop_pids
	python3 - "$HERE/../tests" "$work/gen.log" "$mode" "$WARMUP" "$SECONDS_RUN" <<'PY'
import statistics
import sys

sys.path.insert(0, sys.argv[1])
from qdtest.dpdk import parse_pps

samples = parse_pps(open(sys.argv[2], errors="replace").read())
warmup, window = int(sys.argv[4]), int(sys.argv[5])
# The first report covers the start-up; skip it and the warm-up
window_samples = samples[1 + warmup:1 + warmup + window]
if len(window_samples) < window:
    sys.exit(f"only {len(samples)} statistics reports in {sys.argv[2]}")
# tx: what the generator got onto the ring; rt: what came back
pps = [rx if sys.argv[3] == "rt" else tx for rx, tx in window_samples]
print(f"{statistics.mean(pps) / 1e6:.3f}")
PY
}

echo "bench/net.sh: ${FRAME}-byte frames, 1 queue pair, $RUNS runs of ${SECONDS_RUN}s" \
	"(after ${WARMUP}s) per mode and peer"
results=$work/results.txt
for mode in $MODES; do
	for run in $(seq "$RUNS"); do
		for peer in $PEERS; do
			mpps=$(one_run "$peer" "$mode") ||
				die "$mode against $peer failed: $(tail -n 20 "$work"/*.log)"
			echo "$mode $peer $mpps" >>"$results"
			echo "  $mode run $run $peer: $mpps Mpps"
		done
	done
done

python3 - "$results" <<'PY'
import statistics
import sys

rows = [line.split() for line in open(sys.argv[1])]
peers = list(dict.fromkeys(r[1] for r in rows))
modes = list(dict.fromkeys(r[0] for r in rows))
names = {"tx": "guest->backend", "rt": "round trip"}


def median(mode, peer):
    return statistics.median(float(r[2]) for r in rows if r[0] == mode and r[1] == peer)


print()
print("medians in Mpps; ratios against dpdk (> 1: ours is faster)")
head = f"{'mode':<16}" + "".join(f" {p:>10}" for p in peers)
ours = [p for p in peers if p != "dpdk"]
if "dpdk" in peers:
    head += "".join(f" {p + '/dpdk':>15}" for p in ours)
print(head)
for m in modes:
    line = f"{names[m]:<16}" + "".join(f" {median(m, p):>10.3f}" for p in peers)
    if "dpdk" in peers:
        line += "".join(f" {median(m, p) / median(m, 'dpdk'):>15.2f}" for p in ours)
    print(line)
PY
