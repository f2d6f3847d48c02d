#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Edit a program config with kconfiglib's menuconfig, then save it back in the
# short form kept under configs/. Usage: scripts/menuconfig.sh configs/NAME.config
# After saving, "ninja -C build" reconfigures and rebuilds that program.
set -eu
config=${1:?usage: $0 configs/NAME.config}
top=$(cd "$(dirname "$0")/.." && pwd)
full=$(mktemp)
trap 'rm -f "$full" "$full.old"' EXIT
cp "$config" "$full"
cd "$top"
KCONFIG_CONFIG="$full" /usr/bin/python3 -m menuconfig Kconfig
/usr/bin/python3 - "$full" "$config" <<'PY'
import sys, kconfiglib
kconf = kconfiglib.Kconfig("Kconfig")
kconf.load_config(sys.argv[1])
kconf.write_min_config(sys.argv[2])
PY
