# SPDX-License-Identifier: MIT
"""The first instructions of a PE image, as the CPU fetches them once a
loader placed it: what tools/plugin/insn_count.c (match=HEX) recognises to
stop its count at a client's or a kernel's entry. Used by
tools/bench_clients.py and tools/bench_disk.py.
"""

from __future__ import annotations

import struct
from pathlib import Path

# A client's entry is often a plain prologue that firmware code shares
# (systemd-stub's efi_main: stp x29, x30 ...): match up to 64 bytes of it,
# but not the words the loader relocates (GRUB's literal pool follows its
# first instructions).
CLIENT_ENTRY_BYTES = 64


def entry_bytes(pe: Path, n: int = 16) -> bytes:
    """The first n bytes at a PE file's entry point (its code is not
    relocated: only data is), as the CPU will fetch them."""
    data = pe.read_bytes()
    off = struct.unpack_from("<I", data, 0x3C)[0]
    entry = struct.unpack_from("<I", data, off + 24 + 16)[0]
    nsections, opt_size = struct.unpack_from("<H12xH", data, off + 6)
    for i in range(nsections):
        vsize, va, raw_size, raw = struct.unpack_from(
            "<4I", data, off + 24 + opt_size + 40 * i + 8)
        if va <= entry < va + max(vsize, raw_size):
            return data[raw + entry - va:raw + entry - va + n]
    raise SystemExit(f"pe_entry: {pe}: entry point {entry:#x} is in no section")



def relocated_offsets(pe: Path) -> set[int]:
    """The RVAs of every 8-byte word a PE's base relocations patch (DIR64)."""
    data = pe.read_bytes()
    off = struct.unpack_from("<I", data, 0x3C)[0]
    opt = off + 24
    if struct.unpack_from("<I", data, opt + 108)[0] <= 5:
        return set()
    rva, size = struct.unpack_from("<II", data, opt + 112 + 5 * 8)
    nsections, opt_size = struct.unpack_from("<H12xH", data, off + 6)
    table = rva
    for i in range(nsections):  # the table's file offset, through its section
        vsize, va, _, raw = struct.unpack_from("<4I", data, opt + opt_size + 40 * i + 8)
        if va <= rva < va + vsize:
            table = raw + rva - va
    words, at = set(), table
    while at + 8 <= table + size:
        page, block = struct.unpack_from("<II", data, at)
        if block < 8:
            break
        for e in struct.unpack_from(f"<{(block - 8) // 2}H", data, at + 8):
            if e >> 12 == 10:
                words.add(page + (e & 0xFFF))
        at += block
    return words


def client_entry_pattern(pe: Path) -> bytes:
    """The bytes at the client's entry up to CLIENT_ENTRY_BYTES, cut before
    the first relocated word (whole instructions)."""
    data = pe.read_bytes()
    off = struct.unpack_from("<I", data, 0x3C)[0]
    entry = struct.unpack_from("<I", data, off + 24 + 16)[0]
    n = CLIENT_ENTRY_BYTES
    for word in relocated_offsets(pe):
        if entry <= word + 7 and word < entry + n:
            n = max(0, word - entry)
    return entry_bytes(pe, max(4, n & ~3))
