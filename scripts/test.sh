#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The test command: install what is needed (Debian 12), build twice (plain, and
# ASan+UBSan), and run every test against both builds: unit tests (meson test)
# and the process-level suites (pytest: conventions, the test front-end against
# qemu-storage-daemon and against us, and a QEMU guest end to end).
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
		opts=()
		[ "$dir" = build-asan ] && opts=(-Db_sanitize=address,undefined -Db_lundef=false)
		step meson setup "$dir" "${opts[@]}" || continue
	fi
	step ninja -C "$dir" -j2 || continue
	step meson test -C "$dir" --print-errorlogs --num-processes 2
	step env QD_BUILD_DIR="$dir" /usr/bin/python3 -m pytest -q -p no:cacheprovider \
		--junitxml="$dir/pytest-all.xml" tests
done

/usr/bin/python3 scripts/test-summary.py "${builds[@]}" || status=1
exit $status
