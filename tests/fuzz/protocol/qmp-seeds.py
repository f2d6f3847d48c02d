#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Turn recorded QMP client sessions into seeds of the fuzz-qmp target.

The recordings come from the pytest suites run with QD_QMP_RECORD=DIR
(tests/qdtest/qmp.py writes what each connection sends to a file there).
This keeps a few dozen of them, small and different from each other: the
sessions are grouped by the commands they run and by whether they send
bytes that are not plain JSON requests, the smallest of each group is kept,
and each gets the target's four header bytes (fuzz-qmp.c): a plain or
pretty monitor, and the sizes of the chunks the bytes are sent in.

  qmp-seeds.py RECORDINGS CORPUS [--max N]
"""
import argparse
import hashlib
import re
from pathlib import Path

MAX_BYTES = 4096
# (flags, c0, c1, c2): all at once, byte by byte, odd chunks, pretty
HEADERS = [bytes([0, 0, 0, 0]), bytes([0, 1, 1, 1]), bytes([0, 5, 13, 64]),
           bytes([1, 0, 0, 0])]
EXECUTE = re.compile(rb'"execute"\s*:\s*"([^"]*)"')


def kind(data: bytes):
    """What a session exercises: its commands, and whether it is odd."""
    commands = tuple(sorted(set(EXECUTE.findall(data))))
    lines = [line for line in data.split(b"\n") if line.strip()]
    odd = any(not line.lstrip().startswith(b'{"execute"') for line in lines)
    return commands, odd


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("recordings")
    ap.add_argument("corpus")
    ap.add_argument("--max", type=int, default=30)
    args = ap.parse_args()

    best = {}
    for path in sorted(Path(args.recordings).iterdir()):
        data = path.read_bytes()
        if not data or len(data) > MAX_BYTES - len(HEADERS[0]):
            continue
        k = kind(data)
        if k not in best or len(data) < len(best[k]):
            best[k] = data
    # Odd sessions first (hostile bytes), then the widest command sets
    chosen = sorted(best.items(), key=lambda kv: (not kv[0][1], -len(kv[0][0]),
                                                  len(kv[1])))[:args.max]
    out = Path(args.corpus)
    out.mkdir(parents=True, exist_ok=True)
    for i, (_, data) in enumerate(chosen):
        seed = HEADERS[i % len(HEADERS)] + data
        name = "pytest-" + hashlib.sha1(seed).hexdigest()[:12]
        (out / name).write_bytes(seed)
    print(f"{len(chosen)} seeds of {len(best)} kinds written to {out}")


if __name__ == "__main__":
    main()
