#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the hand-made seeds of the ring fuzz targets: what no recorded run
does (record-corpus.sh records qd-frontend and Linux in the e2e guest):
DISCARD and WRITE_ZEROES with UNMAP, control queue commands, and offload
headers through a vnet_hdr netdev that loops frames back.

Usage: handmade-seeds.py [CORPUS_DIR]   (default: tests/fuzz/corpus)

The input format is described in docs/fuzzing.md ("Ring targets"); the
constants are those of ring-fuzz.h and ring-targets.h.
"""
import struct
import sys
from pathlib import Path

OP_WRITE, OP_CHAIN, OP_KICK = 0, 3, 4
F_WRITE = 0x02  # VRING_DESC_F_WRITE


def write(gpa: int, data: bytes) -> bytes:
    return bytes([OP_WRITE]) + struct.pack("<IH", gpa, len(data)) + data


def chain(queue: int, head: int, descs) -> bytes:
    """RF_OP_CHAIN of (flags, gpa, len) descriptors, linked and published."""
    out = bytes([OP_CHAIN, queue, head, len(descs) - 1])
    for flags, gpa, length in descs:
        out += bytes([flags]) + struct.pack("<HH", gpa // 2, length)
    return out


def blk_segments(req_type: int, sector: int, num: int, flags: int) -> bytes:
    """One DISCARD or WRITE_ZEROES request of one segment, kicked.
    Header: EVENT_IDX, INDIRECT_DESC, 16 entries; FLUSH, CONFIG_WCE,
    DISCARD, WRITE_ZEROES; writeback; 2048 sectors."""
    hdr = bytes([0x43, 0x0F, 0x08, 0, 0, 0, 0x00, 0x08])
    body = struct.pack("<IIQ", req_type, 0, 0) + \
        struct.pack("<QII", sector, num, flags)
    return hdr + write(0x8000, body) + \
        chain(0, 0, [(0, 0x8000, 16), (0, 0x8010, 16),
                     (F_WRITE, 0x8100, 1)]) + bytes([OP_KICK, 0])


def net_ctrl() -> bytes:
    """Two pairs, CTRL_VQ and MRG_RXBUF: MQ_VQ_PAIRS_SET 1, MAC_ADDR_SET,
    RX_PROMISC on, ANNOUNCE_ACK on the control queue (4), kicked."""
    hdr = bytes([0x40, 0x11, 0x20, 0, 0, 0, 0, 0])
    cmds = [bytes([4, 0]) + struct.pack("<H", 1),
            bytes([1, 1, 0x52, 0x54, 0, 0xAB, 0xCD, 0xEF]),
            bytes([0, 0, 1]), bytes([3, 0])]
    body = b""
    for k, cmd in enumerate(cmds):
        gpa = 0x8000 + 0x100 * k
        body += write(gpa, cmd) + \
            chain(4, 3 * k, [(0, gpa, len(cmd)), (F_WRITE, gpa + 0x80, 1)])
    return hdr + body + bytes([OP_KICK, 4])


def net_offload() -> bytes:
    """A vnet_hdr loopback netdev with every offload: a TCPv4 GSO frame with
    NEEDS_CSUM goes out and comes back into two receive buffers."""
    hdr = bytes([0x40, 0x0D, 0x0F, 0, 0, 0, 0, 0])
    body = b""
    for k in range(2):
        body += chain(0, 2 * k, [(F_WRITE, 0x9000 + 0x800 * k, 1526)])
    vnet = struct.pack("<BBHHHHH", 1, 1, 54, 1448, 34, 16, 0)
    frame = bytes([0xFF] * 6 + [0x52, 0x54, 0, 0x12, 0x34, 0x56, 8, 0]) + \
        bytes(46)
    body += write(0x8000, vnet + frame) + \
        chain(1, 0, [(0, 0x8000, len(vnet + frame))])
    return hdr + body + bytes([OP_KICK, 1])


def main(argv):
    corpus = Path(argv[1]) if len(argv) > 1 else \
        Path(__file__).resolve().parents[1] / "corpus"
    seeds = {
        "virtio-blk/handmade-discard": blk_segments(11, 8, 16, 0),
        "virtio-blk/handmade-write-zeroes-unmap": blk_segments(13, 100, 8, 1),
        "virtio-net/handmade-ctrl": net_ctrl(),
        "virtio-net/handmade-offload-loopback": net_offload(),
    }
    for name, data in seeds.items():
        path = corpus / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
