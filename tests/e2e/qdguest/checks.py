# SPDX-License-Identifier: GPL-2.0-or-later
"""Host-side comparisons of disk images with what the guest wrote."""
import hashlib

from .vm import range_data


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


def image_with_ranges(size: int, ranges, seed: int, base: bytes = None) -> bytes:
    """An image of @size zero bytes (or @base) after a guest wrote range I of
    @ranges ((offset, length) pairs) with range_data(@seed, I)."""
    image = bytearray(base if base is not None else bytes(size))
    for i, (off, length) in enumerate(ranges):
        image[off:off + length] = range_data(seed, i, length)
    return bytes(image)


def check_image_ranges(on_disk: bytes, size: int, ranges, seed: int, why: str):
    """@on_disk is @size bytes, holds in each range of @ranges the data the
    guest wrote there with @seed, and zeroes everywhere else."""
    assert len(on_disk) == size, f"image is {len(on_disk)} bytes, not {size}\n{why}"
    for i, (off, length) in enumerate(ranges):
        got, want = on_disk[off:off + length], range_data(seed, i, length)
        ok = got == want
        assert ok, f"image range {i} ({off}+{length}) does not hold the data " \
            f"written: {first_difference(got, want)}\n{why}"
    want = image_with_ranges(size, ranges, seed)
    ok = on_disk == want
    assert ok, f"bytes outside the ranges changed: {first_difference(on_disk, want)}\n{why}"
