#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Evaluate a program's config against the Kconfig tree with kconfiglib.

Usage: kconfig.py KCONFIG CONFIG OUTPUT

Reads the short config (configs/*.config), resolves selects, implies and
dependencies, and writes every enabled symbol as CONFIG_NAME=y to OUTPUT (the
format meson's keyval module reads). Fails if the config asks for a symbol
that does not exist or cannot be enabled, so a typo never builds silently.
"""
import os
import sys

import kconfiglib


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    kconfig, config, output = sys.argv[1:]
    kconf = kconfiglib.Kconfig(kconfig, warn_to_stderr=False)
    kconf.load_config(config)
    errors = []
    for warning in kconf.warnings:
        errors.append(warning)
    with open(config) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("CONFIG_") or "=" not in line:
                continue
            name, value = line[len("CONFIG_"):].split("=", 1)
            sym = kconf.syms.get(name)
            if sym is None or sym.nodes == []:
                errors.append(f"{config}: unknown symbol CONFIG_{name}")
            elif value == "y" and sym.str_value != "y":
                errors.append(f"{config}: CONFIG_{name}=y cannot be enabled"
                              f" (unmet dependencies: {kconfiglib.expr_str(sym.direct_dep)})")
    if errors:
        sys.exit("\n".join(errors))
    tmp = output + ".tmp"
    with open(tmp, "w") as out:
        out.write(f"# generated from {os.path.basename(config)}; do not edit\n")
        for sym in kconf.unique_defined_syms:
            if sym.type in (kconfiglib.BOOL, kconfiglib.TRISTATE) and sym.str_value == "y":
                out.write(f"CONFIG_{sym.name}=y\n")
    os.replace(tmp, output)


if __name__ == "__main__":
    main()
