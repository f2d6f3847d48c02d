#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The test command: install what is needed (Debian 12), build twice (plain, and
# ASan+UBSan), and run every test against both builds: unit tests (meson test)
# and the process-level suites (pytest: conventions, the test front-end against
# qemu-storage-daemon and against us, the sandbox, the hostile catalogue, and a
# QEMU guest end to end). Both builds have the sandbox's test-only self-test.
# A third build (clang, libFuzzer) runs every fuzz target for FUZZ_TIME
# seconds (default 20) with a fixed seed.
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh test || exit 1

# Sanitizer findings in any process end that process with an error status
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1

status=0
step() {
	echo "=== $*"
	"$@" || { echo "=== FAILED: $*"; status=1; }
}

step scripts/check-format.sh

builds=(build build-asan)
for dir in "${builds[@]}"; do
	rm -f "$dir"/pytest-*.xml "$dir"/meson-logs/testlog.json
	if [ ! -f "$dir/build.ninja" ]; then
		opts=(-Dsandbox_selftest=true)
		[ "$dir" = build-asan ] && opts+=(-Db_sanitize=address,undefined -Db_lundef=false)
		step meson setup "$dir" "${opts[@]}" || continue
	else
		step meson setup --reconfigure "$dir" -Dsandbox_selftest=true || continue
	fi
	step ninja -C "$dir" -j2 || continue
	step meson test -C "$dir" --print-errorlogs --num-processes 2
	step env QD_BUILD_DIR="$dir" /usr/bin/python3 -m pytest -q -p no:cacheprovider \
		--junitxml="$dir/pytest-all.xml" tests
done

# The fuzz targets: only they are built (not the programs and unit tests)
fuzz=build-fuzz
rm -f "$fuzz"/meson-logs/testlog.json
if [ -f "$fuzz/build.ninja" ] || step env CC=clang-14 meson setup "$fuzz" \
	-Dfuzzing=true -Db_lundef=false; then
	mapfile -t fuzz_targets < <(tests/fuzz/run-fuzzers.sh --list "$fuzz")
	if [ ${#fuzz_targets[@]} -eq 0 ]; then
		echo "=== FAILED: no fuzz targets in $fuzz"
		status=1
	elif step ninja -C "$fuzz" -j2 "${fuzz_targets[@]}"; then
		step meson test -C "$fuzz" --no-rebuild --suite fuzz --print-errorlogs \
			--num-processes 2
	fi
fi
builds+=("$fuzz")

/usr/bin/python3 scripts/test-summary.py "${builds[@]}" || status=1
exit $status
