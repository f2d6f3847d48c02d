#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generate a program's seccomp allowlist from the syscall lists of its modules.

Each module declares, next to its code, the syscalls it makes once the program
serves (NAME.syscalls); the build passes this script the lists of the modules
a program's Kconfig config selected, and compiles the C table it writes into
that program only (sandbox/seccomp.c turns it into a filter).

    seccomp-gen.py --srcdir DIR --table NAME --output FILE.c LIST.syscalls...

List format, one entry a line ('#' starts a comment):

    NAME [CONDITION]  # who needs it (required)
    include <header.h>  (for the constants conditions name)

CONDITION is one of:

    argN=V[,V...]   argument N (0-5) equals one of the values (its low 32
                    bits: ioctl requests, flags); V is a C constant or 'pid'
                    (our own process id, known when the filter is built)
    argN&M[=V]      (argument N & M) == V; V defaults to M (all bits of M set)
    errno=E         not allowed: the call fails with E (clone3 fails with
                    ENOSYS so that the C library falls back to clone, whose
                    flags a filter can check), unless another list of the
                    program allows it

A syscall allowed without a condition in one list makes its conditions in
other lists redundant: they are dropped. A syscall made to fail with two
different errors is an error, as is an entry without a comment, an unknown
condition or a name that is not a C identifier. Names are resolved by libseccomp at run
time for the build's architecture; a name the architecture lacks is skipped.
"""
import argparse
import os
import re
import sys

NAME_RE = re.compile(r"^[a-z_][a-z0-9_]*$")
VALUE_RE = re.compile(r"^[A-Za-z0-9_()|+<>x ]+$")
COND_EQ_RE = re.compile(r"^arg([0-5])=(.+)$")
COND_MASK_RE = re.compile(r"^arg([0-5])&([^=]+)(?:=(.+))?$")
COND_ERRNO_RE = re.compile(r"^errno=([A-Z0-9]+)$")
INCLUDE_RE = re.compile(r"^include\s+(<[A-Za-z0-9_./-]+>)$")


class ListError(Exception):
    """An error in a list, with its file and line."""


class Rule:
    """One entry of the table: a syscall, maybe a condition, who asked."""

    def __init__(self, name, cond, action, err, arg, mask, value, who):
        self.name, self.cond, self.action, self.err = name, cond, action, err
        self.arg, self.mask, self.value = arg, mask, value
        self.who = [who]

    def key(self):
        return (self.name, self.cond)


def check_value(value, where):
    """A C constant expression (macro, number), or 'pid'."""
    if not VALUE_RE.match(value):
        raise ListError(f"{where}: '{value}' is not a constant")
    return value


def parse_condition(name, cond, who, where):
    """The rules one entry stands for (one per alternative value)."""
    if not cond:
        return [Rule(name, "", "SANDBOX_ALLOW", "0", -1, "0ULL", "0", who)]
    m = COND_ERRNO_RE.match(cond)
    if m:
        return [Rule(name, cond, "SANDBOX_ERRNO", m.group(1), -1, "0ULL", "0", who)]
    m = COND_EQ_RE.match(cond)
    if m:
        arg = int(m.group(1))
        return [Rule(name, f"arg{arg}={v}", "SANDBOX_ALLOW", "0", arg,
                     "0xffffffffULL", check_value(v, where), who)
                for v in m.group(2).split(",")]
    m = COND_MASK_RE.match(cond)
    if m:
        arg, mask = int(m.group(1)), check_value(m.group(2), where)
        value = check_value(m.group(3), where) if m.group(3) else mask
        return [Rule(name, cond, "SANDBOX_ALLOW", "0", arg, f"(uint64_t)({mask})",
                     value, who)]
    raise ListError(f"{where}: unknown condition '{cond}'")


def parse_list(path, who):
    """Rules and includes of one list file."""
    rules, includes = [], []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            where = f"{path}:{lineno}"
            text, hash_, comment = line.partition("#")
            text = text.strip()
            if not text:
                continue
            m = INCLUDE_RE.match(text)
            if m:
                includes.append(m.group(1))
                continue
            if not hash_ or not comment.strip():
                raise ListError(f"{where}: say who needs '{text}' in a comment")
            words = text.split()
            if len(words) > 2:
                raise ListError(f"{where}: one condition per line")
            name = words[0]
            if not NAME_RE.match(name):
                raise ListError(f"{where}: '{name}' is not a syscall name")
            rules += parse_condition(name, words[1] if len(words) > 1 else "",
                                     who, where)
    return rules, includes


def merge(all_rules):
    """One rule per (syscall, condition); unconditional ones win."""
    merged = {}
    for r in all_rules:
        old = merged.get(r.key())
        if old:
            old.who += [w for w in r.who if w not in old.who]
        else:
            merged[r.key()] = r
    by_name = {}
    for r in merged.values():
        by_name.setdefault(r.name, []).append(r)
    out = []
    for name in sorted(by_name):
        rules = by_name[name]
        errnos = {r.cond for r in rules if r.action == "SANDBOX_ERRNO"}
        if len(errnos) > 1:
            raise ListError(f"{name}: made to fail in different ways "
                            f"({', '.join(sorted(errnos))})")
        if len(errnos) < len(rules):
            # Allowed by one list: the failure another asked for is moot
            rules = [r for r in rules if r.action == "SANDBOX_ALLOW"]
        plain = [r for r in rules if not r.cond or r.action != "SANDBOX_ALLOW"]
        if plain:
            for r in rules:
                if r is not plain[0]:
                    plain[0].who += [w for w in r.who if w not in plain[0].who]
            rules = plain[:1]
        out += sorted(rules, key=lambda r: r.cond)
    return out


def c_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def c_value(v, mask):
    """The value as C, within @mask (AT_FDCWD is negative)."""
    return "0" if v == "pid" else f"((uint64_t)({v}) & {mask})"


def generate(rules, includes, table, out):
    """Write the C table."""
    out.write("/* SPDX-License-Identifier: GPL-2.0-or-later */\n"
              "/* Generated by scripts/seccomp-gen.py from the syscall lists "
              "of this program's modules: do not edit.\n *\n"
              " * Copyright (c) 2026 qemu-dev authors\n */\n")
    for inc in ["<errno.h>", "<stdint.h>"] + sorted(set(includes)):
        out.write(f"#include {inc}\n")
    out.write('\n#include "sandbox/seccomp-table.h"\n\n')
    out.write(f"const struct sandbox_rule {table}[] = {{\n")
    for r in rules:
        out.write(f"\t{{ .name = {c_string(r.name)}, .action = {r.action}, "
                  f".err = {r.err}, .arg = {r.arg}, .mask = {r.mask}, "
                  f".value = {c_value(r.value, r.mask)}, "
                  f".value_is_pid = {'true' if r.value == 'pid' else 'false'}, "
                  f".cond = {c_string(r.cond)}, "
                  f".who = {c_string(' '.join(r.who))} }},\n")
    out.write("};\n\n")
    out.write(f"const unsigned int {table}_n = {len(rules)};\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--srcdir", required=True,
                    help="source root: lists are named by their path in it")
    ap.add_argument("--table", required=True, help="C name of the table")
    ap.add_argument("--output", required=True, help="C file to write")
    ap.add_argument("lists", nargs="+", help="NAME.syscalls files")
    args = ap.parse_args()
    rules, includes = [], []
    try:
        for path in args.lists:
            rel = os.path.relpath(os.path.abspath(path), os.path.abspath(args.srcdir))
            who = re.sub(r"\.syscalls$", "", rel)
            r, inc = parse_list(path, who)
            rules += r
            includes += inc
        rules = merge(rules)
    except (ListError, OSError) as e:
        print(f"seccomp-gen: {e}", file=sys.stderr)
        return 1
    tmp = args.output + ".tmp"
    with open(tmp, "w", encoding="utf-8") as out:
        generate(rules, includes, args.table, out)
    os.replace(tmp, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
