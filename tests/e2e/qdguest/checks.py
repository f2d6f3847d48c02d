# SPDX-License-Identifier: GPL-2.0-or-later
"""Host-side comparisons of disk images with what the guest wrote."""
import hashlib


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def first_difference(a: bytes, b: bytes) -> str:
    """Where @a and @b first differ, for messages: pytest's own diff of
    64 MiB values would be useless (and slow)."""
    if a == b:
        return "equal"
    n = min(len(a), len(b))
    for start in range(0, n, 1 << 16):      # find the 64 KiB chunk, then the byte
        x, y = a[start:start + (1 << 16)], b[start:start + (1 << 16)]
        if x != y:
            n = start + next((i for i in range(min(len(x), len(y))) if x[i] != y[i]),
                             min(len(x), len(y)))
            break
    return f"first difference at byte {n} (sector {n // 512}), lengths {len(a)} and {len(b)}"
