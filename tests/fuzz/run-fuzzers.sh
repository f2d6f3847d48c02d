#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run every libFuzzer target of a -Dfuzzing=true build for a bounded time.
#
#   tests/fuzz/run-fuzzers.sh BUILDDIR [TARGET...]
#   tests/fuzz/run-fuzzers.sh --list BUILDDIR
#
# --list prints the targets' ninja names (paths in BUILDDIR), to build just
# them: ninja -C BUILDDIR $(tests/fuzz/run-fuzzers.sh --list BUILDDIR).
#
# Each target (an executable under tests/fuzz linked with libFuzzer: the
# fuzz_targets of tests/fuzz/meson.build) runs
# FUZZ_TIME seconds (default 20) with a fixed seed, derived from its name
# unless FUZZ_SEED is set, over a copy of its corpus tests/fuzz/corpus/NAME
# (NAME without "fuzz-"), with its dictionary NAME.dict and the libFuzzer
# flags of NAME.options (one a line) next to its sources if they exist. Any crash, leak, undefined behaviour, timeout (5 s per
# input) or memory blow-up (2 GiB) fails the run; the input that caused it
# is kept under BUILDDIR/fuzz-artifacts/TARGET/. A line per target gives its
# executions and executions per second. Exit status: 0 if every target
# passed, 1 otherwise, 2 on a usage error. See docs/fuzzing.md.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
python=/usr/bin/python3
time_s=${FUZZ_TIME:-20}

usage() {
	echo "usage: $0 BUILDDIR [TARGET...] | --list BUILDDIR" >&2
	exit 2
}
list=
if [ "${1:-}" = --list ]; then
	list=1
	shift
fi
[ $# -ge 1 ] || usage
build=$(cd "$1" 2>/dev/null && pwd) || usage
shift

# name<TAB>executable<TAB>source dir of each fuzz target of the build: the
# executables under tests/fuzz linked with libFuzzer (-fsanitize=fuzzer),
# not the tools beside them
list_targets() {
	meson introspect --targets "$build" | "$python" -c '
import json, os, re, sys
build = sys.argv[1]
fuzzer = set()
with open(os.path.join(build, "build.ninja")) as f:
    out = None
    for line in f:
        m = re.match(r"build (\S+): c_LINKER ", line)
        if m:
            out = m.group(1)
        elif out and line.startswith(" LINK_ARGS = "):
            if re.search(r"-fsanitize=(\S*,)?fuzzer(,|\s)", line):
                fuzzer.add(os.path.join(build, out))
            out = None
for t in json.load(sys.stdin):
    src = os.path.dirname(t["defined_in"])
    exe = t["filename"][0]
    if t["type"] == "executable" and "/tests/fuzz/" in src + "/" \
            and exe in fuzzer:
        print(t["name"], exe, src, sep="\t")' "$build"
}

# seed NAME: a fixed seed per target, from its name (FUZZ_SEED overrides)
seed() {
	if [ -n "${FUZZ_SEED:-}" ]; then
		echo "$FUZZ_SEED"
	else
		printf '%s' "$1" | cksum | awk '{ print $1 % 2147483647 + 1 }'
	fi
}

# run_target NAME EXE SRCDIR: fuzz one target; 0 if nothing was found
run_target() {
	local name=$1 exe=$2 src=$3
	local corpus=$here/corpus/${name#fuzz-}
	local art=$build/fuzz-artifacts/$name
	local work log rc stats opts=()

	work=$(mktemp -d "${TMPDIR:-/tmp}/qd-$name.XXXXXX") || return 1
	log=$work/log
	rm -rf "$art"
	mkdir -p "$art" "$work/corpus"
	[ -d "$corpus" ] && cp -r "$corpus/." "$work/corpus/"
	[ -f "$src/$name.dict" ] && opts+=("-dict=$src/$name.dict")
	[ -f "$src/$name.options" ] &&
		mapfile -t -O ${#opts[@]} opts < <(grep -v '^#' "$src/$name.options")
	(cd "$work" && timeout $((time_s * 3 + 120)) "$exe" \
		-seed="$(seed "$name")" -max_total_time="$time_s" -timeout=5 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$art/" "${opts[@]}" corpus >"$log" 2>&1)
	rc=$?
	stats=$(awk -F':[[:space:]]+' '
		/^stat::number_of_executed_units/ { n = $2 }
		/^stat::average_exec_per_sec/ { s = $2 }
		/^stat::new_units_added/ { u = $2 }
		/^stat::peak_rss_mb/ { r = $2 }
		END { printf "%s execs, %s exec/s, %s new units, peak RSS %s MB",
		      n, s, u, r }' "$log")
	if [ $rc -eq 0 ] && ! grep -q "runtime error:\|ERROR: \(Address\|Leak\)Sanitizer" "$log"; then
		echo "PASS $name: $stats"
		rmdir "$art" 2>/dev/null
		rm -rf "$work"
		return 0
	fi
	echo "FAIL $name (exit $rc): $stats"
	grep -E "ERROR:|runtime error:|FUZZ CHECK FAILED|SUMMARY|Test unit written" "$log" |
		head -20 | sed 's/^/    /'
	cp "$log" "$art/log"
	echo "    log and input: $art/ (replay: $exe $art/<input>)"
	rm -rf "$work"
	return 1
}

# wanted NAME [TARGET...]: whether NAME is one of the targets asked for
wanted() {
	local name=$1 t

	shift
	for t in "$@"; do
		[ "$t" = "$name" ] && return 0
	done
	return 1
}

mapfile -t targets < <(list_targets)
[ ${#targets[@]} -gt 0 ] || {
	echo "no fuzz targets in $build (configure it with -Dfuzzing=true)" >&2
	exit 2
}
if [ -n "$list" ]; then
	for t in "${targets[@]}"; do
		IFS=$'\t' read -r name exe src <<<"$t"
		echo "${exe#"$build"/}"
	done
	exit 0
fi
status=0
ran=0
for t in "${targets[@]}"; do
	IFS=$'\t' read -r name exe src <<<"$t"
	if [ $# -gt 0 ] && ! wanted "$name" "$@"; then
		continue
	fi
	if [ ! -x "$exe" ]; then
		echo "FAIL $name: $exe not built"
		status=1
		continue
	fi
	run_target "$name" "$exe" "$src" || status=1
	ran=$((ran + 1))
done
[ $ran -gt 0 ] || {
	echo "none of the targets asked for exists: $*" >&2
	exit 2
}
exit $status
