#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Record the seed corpora of the ring fuzz targets from real runs: the C test
# front-end (qd-frontend verify, net-xfer) in several configurations against
# fuzz-ring-record, which writes every kick's chains as a fuzz input; then
# libFuzzer's merge keeps the inputs that add coverage, named after the run
# that made them (TAG-KIND-SHA1PREFIX). With QEMU, a kernel and busybox,
# record-guest.py adds the chains of Linux's drivers in the e2e guest.
#
# Usage: record-corpus.sh BUILD_DIR [CORPUS_DIR]
#   BUILD_DIR   a build configured with -Dfuzzing=true, with fuzz-ring-record,
#               the two targets and qd-frontend built
#   CORPUS_DIR  where virtio-blk/ and virtio-net/ go (default: the
#               tests/fuzz/corpus folder next to this script); files already
#               there stay, new ones are added only for new coverage
set -eu

build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
corpus=${2:-$here/../corpus}
rings=$build/tests/fuzz/rings
frontend=$build/tests/frontend/qd-frontend
work=$(mktemp -d "${TMPDIR:-/tmp}/ring-record.XXXXXX")
trap 'rm -rf "$work"' EXIT
runs=0

# record KIND TAG RECORDER_ARGS -- FRONTEND_ARGS: one front-end run, recorded
record() {
	kind=$1
	tag=$2
	shift 2
	rargs=""
	while [ "$1" != "--" ]; do
		rargs="$rargs $1"
		shift
	done
	shift
	runs=$((runs + 1))
	sock=$work/$kind-$runs.sock
	mkdir -p "$work/raw-$kind"
	# A tool, not a test: no leak check at exit (it needs ptrace, which a
	# container may not allow, and can then spin instead of failing)
	# shellcheck disable=SC2086 # word splitting of the argument lists
	ASAN_OPTIONS=detect_leaks=0 timeout -k 5 120 \
		"$rings/fuzz-ring-record" "$kind" --socket "$sock" \
		--out "$work/raw-$kind" --max 400 --disk "$work/disk.img" \
		--tag "$tag" $rargs >"$work/record.log" 2>&1 &
	pid=$!
	i=0
	while [ ! -S "$sock" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	ASAN_OPTIONS=detect_leaks=0 timeout -k 5 120 \
		"$frontend" "$@" --socket "$sock" >/dev/null 2>&1 ||
		echo "record-corpus: front-end failed: $*" >&2
	kill -TERM "$pid"
	wait "$pid" || echo "record-corpus: recorder failed: $*" >&2
}

# shellcheck disable=SC2086 # $verify and $xfer are argument lists
{
	verify="verify --ops 60 --max-sectors 8 --iodepth 4 --span-mib 4"
	record blk verify -- $verify --queue-size 64
	record blk verify-no-event-idx -- $verify --queue-size 64 --no-event-idx
	record blk verify-no-indirect -- $verify --queue-size 32 --no-indirect \
		--seed 2
	record blk verify-byte-split -- $verify --queue-size 128 --byte-split \
		--max-segs 8 --seed 3
	record blk verify-depth8 -- $verify --queue-size 16 --iodepth 8 --seed 4
	record blk verify-2q --queues 2 -- $verify --queue-size 64 --queues 2 \
		--seed 5

	xfer="net-xfer --count 40 --linger 50 --size 60-400"
	record net xfer -- $xfer --queue-size 64
	record net xfer-no-mrg -- $xfer --queue-size 64 --mrg off --window 4
	record net xfer-no-event-idx -- $xfer --queue-size 32 --no-event-idx \
		--window 2
	record net xfer-no-indirect -- $xfer --queue-size 64 --no-indirect \
		--tx-segs 4
	record net xfer-small-rx -- $xfer --queue-size 16 --rx-buf 256 --seed 3
	record net xfer-2p --queues 2 -- $xfer --queue-size 64 --pairs 2 \
		--seed 4
}

# Linux's own drivers in the e2e guest (QD_RECORD_GUEST=0: not)
if [ "${QD_RECORD_GUEST:-1}" != 0 ]; then
	rc=0
	/usr/bin/python3 "$here/record-guest.py" "$build" "$work" || rc=$?
	[ $rc -eq 0 ] || [ $rc -eq 77 ] ||
		echo "record-corpus: guest recording failed ($rc)" >&2
fi

for t in blk net; do
	dir=$corpus/virtio-$t
	mkdir -p "$dir"
	"$rings/fuzz-virtio-$t" -merge=1 "$dir" "$work/raw-$t" \
		>"$work/merge-$t.log" 2>&1 ||
		{ cat "$work/merge-$t.log" >&2; exit 1; }
	# The merge names what it added by SHA-1: back to the run's name
	(cd "$work/raw-$t" && sha1sum -- *) >"$work/sums-$t"
	for f in "$dir"/*; do
		sum=$(basename "$f")
		case $sum in
		*[!0-9a-f]*) continue ;;
		esac
		[ ${#sum} -eq 40 ] || continue
		raw=$(awk -v s="$sum" '$1 == s { print $2; exit }' \
			"$work/sums-$t")
		[ -n "$raw" ] || continue
		mv "$f" "$dir/${raw%-*}-$(echo "$sum" | cut -c1-12)"
	done
	echo "virtio-$t: $(find "$work/raw-$t" -type f | wc -l) recorded," \
		"$(find "$dir" -type f | wc -l) in the corpus"
done
